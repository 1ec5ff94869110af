//! Raw-milk tests and HACCP records on each backend.

use anxin_store_tests::backends::{fresh_sqlite, on_postgres};
use anxin_store_tests::quality::run_quality_story;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quality_records_hold_on_sqlite() {
    let (store, folder) = fresh_sqlite("quality").await;
    run_quality_story(&store).await;
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quality_records_hold_on_postgres() {
    on_postgres("quality", |store, _, _| async move {
        run_quality_story(&store).await;
    })
    .await;
}

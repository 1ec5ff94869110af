//! Every shared GS1 example captured and served back equal, and many clients capturing at
//! once, on SQLite and (when `ANXIN_TEST_PG` is set) PostgreSQL.

use std::path::PathBuf;
use std::sync::Arc;

use anxin_store::Store;
use anxin_store_tests::backends::{fresh_sqlite, on_postgres};

fn conformance_dir() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("ANXIN_CONFORMANCE_DIR") else {
        println!("skipped: ANXIN_CONFORMANCE_DIR is not set");
        return None;
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "ANXIN_CONFORMANCE_DIR={} is not a folder",
        dir.display()
    );
    Some(dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_example_is_captured_and_served_back_equal_on_sqlite() {
    let Some(dir) = conformance_dir() else { return };
    let (store, folder) = fresh_sqlite("examples").await;
    let n_events = anxin_store_tests::examples::every_example_round_trips(&store, &dir).await;
    assert!(n_events > 150, "only {n_events} events compared");
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_example_is_captured_and_served_back_equal_on_postgres() {
    let Some(dir) = conformance_dir() else { return };
    on_postgres("examples", |store, _, _| async move {
        let n_events = anxin_store_tests::examples::every_example_round_trips(&store, &dir).await;
        assert!(n_events > 150, "only {n_events} events compared");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_capture_at_once_on_sqlite() {
    let (store, folder) = fresh_sqlite("concurrent").await;
    let store: Arc<dyn Store> = Arc::new(store);
    anxin_store_tests::examples::many_clients_capture_at_once(store.clone()).await;
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_capture_at_once_on_postgres() {
    on_postgres("concurrent", |store, _, _| async move {
        let shared: Arc<dyn Store> = Arc::new(store);
        anxin_store_tests::examples::many_clients_capture_at_once(shared).await;
    })
    .await;
}

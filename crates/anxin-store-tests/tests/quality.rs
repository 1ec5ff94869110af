//! Raw-milk tests and HACCP records on each backend.

use anxin_store_tests::quality::run_quality_story;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quality_records_hold_on_sqlite() {
    let folder = std::env::temp_dir().join(format!("anxin-quality-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let store = anxin_store_sqlite::SqliteStore::open(folder.join("anxin.db"))
        .await
        .expect("open");
    run_quality_story(&store).await;
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quality_records_hold_on_postgres() {
    let Ok(url) = std::env::var("ANXIN_TEST_PG") else {
        println!("skipped: ANXIN_TEST_PG is not set");
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    let schema = format!("anxin_test_quality_{}_{nanos}", std::process::id());
    let store = anxin_store_postgres::PgStore::open(&url, Some(&schema))
        .await
        .expect("open PostgreSQL");
    let told = store.clone();
    let outcome = tokio::spawn(async move { run_quality_story(&told).await }).await;
    store.drop_schema().await.expect("drop schema");
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

//! Every shared GS1 example captured and served back equal, and many clients capturing at
//! once, on SQLite and (when `ANXIN_TEST_PG` is set) PostgreSQL.

use std::path::PathBuf;
use std::sync::Arc;

use anxin_store::Store;

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

async fn sqlite(what: &str) -> (anxin_store_sqlite::SqliteStore, PathBuf) {
    let folder = std::env::temp_dir().join(format!("anxin-store-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let store = anxin_store_sqlite::SqliteStore::open(folder.join("anxin.db"))
        .await
        .expect("open");
    (store, folder)
}

async fn postgres(what: &str) -> Option<anxin_store_postgres::PgStore> {
    let Ok(url) = std::env::var("ANXIN_TEST_PG") else {
        println!("skipped: ANXIN_TEST_PG is not set");
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    let schema = format!("anxin_test_{what}_{}_{nanos}", std::process::id());
    Some(
        anxin_store_postgres::PgStore::open(&url, Some(&schema))
            .await
            .expect("open PostgreSQL"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_example_is_captured_and_served_back_equal_on_sqlite() {
    let Some(dir) = conformance_dir() else { return };
    let (store, folder) = sqlite("examples").await;
    let n_events = anxin_store_tests::examples::every_example_round_trips(&store, &dir).await;
    assert!(n_events > 150, "only {n_events} events compared");
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_example_is_captured_and_served_back_equal_on_postgres() {
    let Some(dir) = conformance_dir() else { return };
    let Some(store) = postgres("examples").await else {
        return;
    };
    let told = store.clone();
    let outcome = tokio::spawn(async move {
        anxin_store_tests::examples::every_example_round_trips(&told, &dir).await
    })
    .await;
    store.drop_schema().await.expect("drop schema");
    match outcome {
        Ok(n_events) => assert!(n_events > 150, "only {n_events} events compared"),
        Err(failure) => std::panic::resume_unwind(failure.into_panic()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_capture_at_once_on_sqlite() {
    let (store, folder) = sqlite("concurrent").await;
    let store: Arc<dyn Store> = Arc::new(store);
    anxin_store_tests::examples::many_clients_capture_at_once(store.clone()).await;
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_capture_at_once_on_postgres() {
    let Some(store) = postgres("concurrent").await else {
        return;
    };
    let shared: Arc<dyn Store> = Arc::new(store.clone());
    let outcome = tokio::spawn(anxin_store_tests::examples::many_clients_capture_at_once(
        shared,
    ))
    .await;
    store.drop_schema().await.expect("drop schema");
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

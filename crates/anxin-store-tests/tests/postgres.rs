//! The story on PostgreSQL, in a schema of its own, when `ANXIN_TEST_PG` is set.

/// Opens a store in a fresh schema named after this process and the clock, so that runs
/// on the same database never see each other's rows.
async fn fresh_store(url: &str, what: &str) -> anxin_store_postgres::PgStore {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    let schema = format!("anxin_test_{what}_{}_{nanos}", std::process::id());
    anxin_store_postgres::PgStore::open(url, Some(&schema))
        .await
        .expect("open PostgreSQL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_holds_on_postgres() {
    let Ok(url) = std::env::var("ANXIN_TEST_PG") else {
        println!("skipped: ANXIN_TEST_PG is not set");
        return;
    };
    let store = fresh_store(&url, "story").await;
    let told = store.clone();
    // The story runs in a task so that a failed check still lets the schema be dropped.
    let outcome = tokio::spawn(async move { anxin_store_tests::run_story(&told).await }).await;
    store.drop_schema().await.expect("drop schema");
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_results_hold_on_postgres() {
    let Ok(url) = std::env::var("ANXIN_TEST_PG") else {
        println!("skipped: ANXIN_TEST_PG is not set");
        return;
    };
    let store = fresh_store(&url, "lab").await;
    let told = store.clone();
    let outcome =
        tokio::spawn(async move { anxin_store_tests::lab::run_lab_story(&told).await }).await;
    store.drop_schema().await.expect("drop schema");
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

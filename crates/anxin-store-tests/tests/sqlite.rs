//! The story on a fresh SQLite file.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_holds_on_sqlite() {
    let folder = std::env::temp_dir().join(format!("anxin-store-story-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let store = anxin_store_sqlite::SqliteStore::open(folder.join("anxin.db"))
        .await
        .expect("open");
    anxin_store_tests::run_story(&store).await;
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_results_hold_on_sqlite() {
    let folder = std::env::temp_dir().join(format!("anxin-store-lab-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let store = anxin_store_sqlite::SqliteStore::open(folder.join("anxin.db"))
        .await
        .expect("open");
    anxin_store_tests::lab::run_lab_story(&store).await;
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

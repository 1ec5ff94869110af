//! The story on PostgreSQL, in a schema of its own, when `ANXIN_TEST_PG` is set.

use anxin_store_tests::backends::on_postgres;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_holds_on_postgres() {
    on_postgres("story", |store, _, _| async move {
        anxin_store_tests::run_story(&store).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_results_hold_on_postgres() {
    on_postgres("lab", |store, _, _| async move {
        anxin_store_tests::lab::run_lab_story(&store).await;
    })
    .await;
}

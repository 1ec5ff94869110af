//! Opening each backend for a test: SQLite in a folder of its own under the temporary
//! directory, PostgreSQL (when `ANXIN_TEST_PG` names a server) in a schema of its own, so
//! that runs on the same machine or database never see each other's rows, and neither is
//! left behind when a check fails.

use std::future::Future;
use std::path::PathBuf;

use anxin_store_postgres::PgStore;
use anxin_store_sqlite::SqliteStore;

/// A fresh SQLite store in `{tmp}/anxin-store-{what}-{pid}` and that folder, for the caller to
/// remove when done.
pub async fn fresh_sqlite(what: &str) -> (SqliteStore, PathBuf) {
    let folder = std::env::temp_dir().join(format!("anxin-store-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let store = SqliteStore::open(folder.join("anxin.db"))
        .await
        .expect("open SQLite");
    (store, folder)
}

/// A schema name no other run uses: `anxin_test_{what}_{pid}_{nanoseconds}`.
pub fn fresh_schema(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    format!("anxin_test_{what}_{}_{nanos}", std::process::id())
}

/// Runs `check` on a PostgreSQL store in a fresh schema, with the server's URL and the
/// schema's name (for a plain connection of the test's own), then drops the schema whatever
/// happened: the check runs in a task of its own and a failure in it is raised again after
/// the drop. Without `ANXIN_TEST_PG` it prints that the test was skipped and does nothing.
pub async fn on_postgres<F, Fut>(what: &str, check: F)
where
    F: FnOnce(PgStore, String, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Ok(url) = std::env::var("ANXIN_TEST_PG") else {
        println!("skipped: ANXIN_TEST_PG is not set");
        return;
    };
    let schema = fresh_schema(what);
    let store = PgStore::open(&url, Some(&schema))
        .await
        .expect("open PostgreSQL");
    let outcome = tokio::spawn(check(store.clone(), url, schema)).await;
    store.drop_schema().await.expect("drop schema");
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

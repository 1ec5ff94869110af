//! The embedded store: one SQLite file in WAL mode, nothing to install.
//!
//! One connection writes (SQLite allows one writer at a time, so a queue in front of it is
//! cheaper than lock retries), and reads go to a pool of connections that WAL lets run
//! beside the writer. Capture writes one document in one transaction with prepared
//! statements; the job's `succeeded` row is written in that same transaction, so a job that
//! says it succeeded has all its events on disk (`synchronous=FULL`). This crate holds the
//! SQLite-specific SQL; the query SQL and the event rows come from `anxin-store`.

mod accounts;
mod capture;
mod lab;
mod ledger;
mod quality;
mod read;
mod recall;
mod subscriptions;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anxin_store::sql::SqlValue;
use anxin_store::{Store, StoreError, StoreFuture};
use rusqlite::Connection;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Connections in the read pool.
pub const READ_POOL_SIZE: usize = 4;

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    readers: deadpool_sqlite::Pool,
    page_key: Arc<Vec<u8>>,
    /// Whether capture writes ledger leaves: always, except in the benchmark baseline
    /// ([`SqliteStore::without_ledger_benchmark_baseline`]).
    ledger: bool,
    /// Captures through this handle and its clones ([`LedgerStore::local_commits`]).
    commits: Arc<anxin_store::LocalCommits>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file, applies migrations and finishes jobs
    /// an earlier process left running.
    pub async fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(folder) = path
            .parent()
            .filter(|folder| !folder.as_os_str().is_empty())
        {
            std::fs::create_dir_all(folder).map_err(|err| {
                StoreError::internal(format!("cannot create {}: {err}", folder.display()))
            })?;
        }
        let mut writer = open_connection(&path)?;
        embedded::migrations::runner()
            .run(&mut writer)
            .map_err(|err| StoreError::internal(format!("migration failed: {err}")))?;
        let page_key = page_key(&writer)?;
        let readers = deadpool_sqlite::Config::new(&path)
            .builder(deadpool_sqlite::Runtime::Tokio1)
            .map_err(StoreError::internal)?
            .max_size(READ_POOL_SIZE)
            .post_create(deadpool_sqlite::Hook::async_fn(|object, _| {
                Box::pin(async move {
                    object
                        .interact(|conn| conn.execute_batch(READER_PRAGMAS))
                        .await
                        .map_err(|err| deadpool_sqlite::HookError::message(err.to_string()))?
                        .map_err(|err| deadpool_sqlite::HookError::message(err.to_string()))
                })
            }))
            .build()
            .map_err(StoreError::internal)?;
        let store = SqliteStore {
            path,
            writer: Arc::new(Mutex::new(writer)),
            readers,
            page_key: Arc::new(page_key),
            ledger: true,
            commits: Arc::default(),
        };
        store
            .write(|conn| ledger::backfill(conn).map(|_| ()))
            .await?;
        use anxin_store::JobStore;
        store.finish_interrupted_jobs().await?;
        Ok(store)
    }

    /// The same store with capture writing no ledger leaves. **For the benchmark baseline
    /// only** (capture with and without the ledger in one run): events captured through it
    /// break the invariant that every stored event is a leaf, and `anxin ledger verify`
    /// reports them.
    #[doc(hidden)]
    pub fn without_ledger_benchmark_baseline(mut self) -> SqliteStore {
        self.ledger = false;
        self
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the writer connection, on a blocking thread.
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || {
            let mut conn = writer
                .lock()
                .map_err(|_| StoreError::internal("the writer connection is poisoned"))?;
            work(&mut conn)
        })
        .await
        .map_err(StoreError::internal)?
    }

    /// Runs `work` on a pooled reader connection.
    async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.readers.get().await?;
        conn.interact(work).await?
    }
}

const WRITER_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -65536;";
const READER_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA query_only = ON;";

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.execute_batch(WRITER_PRAGMAS)?;
    Ok(conn)
}

fn page_key(conn: &Connection) -> Result<Vec<u8>, StoreError> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh)
        .map_err(|err| StoreError::internal(format!("no randomness for the page key: {err}")))?;
    conn.execute(
        "INSERT INTO store_key (key_id, page_token_key) VALUES (1, ?1) ON CONFLICT (key_id) DO NOTHING",
        [fresh.as_slice()],
    )?;
    Ok(conn.query_row(
        "SELECT page_token_key FROM store_key WHERE key_id = 1",
        [],
        |row| row.get(0),
    )?)
}

/// Converts shared-builder parameters to rusqlite values.
fn sql_params(values: &[SqlValue]) -> Vec<rusqlite::types::Value> {
    values
        .iter()
        .map(|value| match value {
            SqlValue::Int(n) => rusqlite::types::Value::Integer(*n),
            SqlValue::Real(x) => rusqlite::types::Value::Real(*x),
            SqlValue::Text(text) => rusqlite::types::Value::Text(text.clone()),
        })
        .collect()
}

impl Store for SqliteStore {
    fn migrate(&self) -> StoreFuture<'_, Vec<String>> {
        Box::pin(self.write(|conn| {
            let report = embedded::migrations::runner()
                .run(conn)
                .map_err(|err| StoreError::internal(format!("migration failed: {err}")))?;
            Ok(report
                .applied_migrations()
                .iter()
                .map(|migration| migration.to_string())
                .collect())
        }))
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

/// The migration file names, for the test that compares the two backends.
pub fn migration_names() -> Vec<String> {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|migration| format!("V{}__{}", migration.version(), migration.name()))
        .collect()
}

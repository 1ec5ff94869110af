//! The store at national scale: PostgreSQL, with the event tables partitioned by month of
//! record time and capture through binary `COPY`.
//!
//! A capture de-duplicates against `event_key` (one `INSERT … ON CONFLICT DO NOTHING
//! RETURNING` for the whole document), then copies only the new events and their index rows
//! with `COPY … FROM STDIN (FORMAT binary)`, and marks the job succeeded, all in one
//! transaction. Reads use the query SQL shared with SQLite (`anxin_store::sql`). This crate
//! holds the PostgreSQL-specific SQL; it does not manage servers, replicas or Citus itself.

mod accounts;
mod capture;
mod lab;
mod ledger;
mod quality;
mod read;
mod recall;
mod subscriptions;

use anxin_store::sql::SqlValue;
use anxin_store::{JobStore, Store, StoreError, StoreFuture};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Connections in the pool.
pub const POOL_SIZE: usize = 8;

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    page_key: std::sync::Arc<Vec<u8>>,
    schema: Option<String>,
    /// Whether capture writes ledger leaves: always, except in the benchmark baseline
    /// ([`PgStore::without_ledger_benchmark_baseline`]).
    ledger: bool,
    /// Captures through this handle and its clones ([`LedgerStore::local_commits`]).
    commits: std::sync::Arc<anxin_store::LocalCommits>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password, so it is not shown.
        f.debug_struct("PgStore")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`), applies migrations and finishes
    /// jobs an earlier process left running. With `schema`, every table lives in that schema
    /// (created if needed), which keeps test runs apart.
    pub async fn open(url: &str, schema: Option<&str>) -> Result<PgStore, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|err| StoreError::internal(format!("bad PostgreSQL URL: {err}")))?;
        if let Some(schema) = schema {
            create_schema(&config, schema).await?;
            config.options(format!("-c search_path={schema}"));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(StoreError::internal)?;
        let store = PgStore {
            pool,
            page_key: std::sync::Arc::new(Vec::new()),
            schema: schema.map(str::to_owned),
            ledger: true,
            commits: std::sync::Arc::default(),
        };
        store.run_migrations().await?;
        let page_key = store.page_key().await?;
        let store = PgStore {
            page_key: std::sync::Arc::new(page_key),
            ..store
        };
        store.finish_interrupted_jobs().await?;
        ledger::backfill(&store).await?;
        Ok(store)
    }

    /// The same store with capture writing no ledger leaves. **For the benchmark baseline
    /// only** (capture with and without the ledger in one run): events captured through it
    /// break the invariant that every stored event is a leaf, and `anxin ledger verify`
    /// reports them.
    #[doc(hidden)]
    pub fn without_ledger_benchmark_baseline(mut self) -> PgStore {
        self.ledger = false;
        self
    }

    /// Drops the store's schema (tests only use this, on their own schema).
    pub async fn drop_schema(&self) -> Result<(), StoreError> {
        if let Some(schema) = &self.schema {
            let client = self.pool.get().await?;
            client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .await?;
        }
        Ok(())
    }

    async fn run_migrations(&self) -> Result<Vec<String>, StoreError> {
        let mut client = self.pool.get().await?;
        let client: &mut tokio_postgres::Client = &mut client;
        let report = embedded::migrations::runner()
            .run_async(client)
            .await
            .map_err(|err| StoreError::internal(format!("migration failed: {err}")))?;
        Ok(report
            .applied_migrations()
            .iter()
            .map(|migration| migration.to_string())
            .collect())
    }

    async fn page_key(&self) -> Result<Vec<u8>, StoreError> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh)
            .map_err(|err| StoreError::internal(format!("no randomness: {err}")))?;
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO store_key (key_id, page_token_key) VALUES (1, $1) ON CONFLICT (key_id) DO NOTHING",
                &[&fresh.as_slice()],
            )
            .await?;
        Ok(client
            .query_one("SELECT page_token_key FROM store_key WHERE key_id = 1", &[])
            .await?
            .get(0))
    }
}

async fn create_schema(config: &tokio_postgres::Config, schema: &str) -> Result<(), StoreError> {
    if !schema
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
    {
        return Err(StoreError::internal(format!(
            "`{schema}` is not a plain schema name"
        )));
    }
    let (client, connection) = config.connect(NoTls).await?;
    let task = tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
        .await?;
    drop(client);
    let _ = task.await;
    Ok(())
}

/// Converts shared-builder parameters to PostgreSQL parameters.
fn sql_params(values: &[SqlValue]) -> Vec<Box<dyn ToSql + Sync + Send>> {
    values
        .iter()
        .map(|value| -> Box<dyn ToSql + Sync + Send> {
            match value {
                SqlValue::Int(n) => Box::new(*n),
                SqlValue::Real(x) => Box::new(*x),
                SqlValue::Text(text) => Box::new(text.clone()),
            }
        })
        .collect()
}

fn param_refs(params: &[Box<dyn ToSql + Sync + Send>]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| param.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

impl Store for PgStore {
    fn migrate(&self) -> StoreFuture<'_, Vec<String>> {
        Box::pin(self.run_migrations())
    }

    fn backend(&self) -> &'static str {
        "postgres"
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

//! Which store a command works on: `--db sqlite://PATH` or `--db postgres://…`, else the
//! `ANXIN_DB` environment variable, else a SQLite file in `./anxin-data/`; and
//! `anxin migrate`.
//!
//! Opening a store applies its pending migrations and fails jobs an earlier process left
//! running, so every command sees an up-to-date schema. URLs are never printed with their
//! password.

use std::path::PathBuf;
use std::sync::Arc;

use anxin_store::Store;
use anyhow::{Context, Result, bail};
use clap::Args;

/// The default database when neither `--db` nor `ANXIN_DB` is given.
pub const DEFAULT_DB: &str = "sqlite://anxin-data/anxin.db";

/// The `--db` option shared by the store commands.
#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// The database: `sqlite://PATH` (a file, created if missing) or `postgres://USER@HOST:PORT/DB`.
    /// Defaults to $ANXIN_DB, then to sqlite://anxin-data/anxin.db.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// A database URL, read and checked.
#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl DbUrl {
    /// Reads `sqlite://PATH` (`sqlite:///abs/path` for an absolute path) or `postgres://…`.
    pub fn parse(text: &str) -> Result<DbUrl> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("sqlite://") {
            if path.is_empty() {
                bail!("`sqlite://` needs a file path, e.g. sqlite://anxin-data/anxin.db");
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(text.to_owned()));
        }
        bail!(
            "the database URL must start with sqlite:// or postgres:// (got `{}`)",
            redact(text)
        )
    }

    /// The URL as `--db`, `ANXIN_DB` or the default gives it.
    pub fn from_args(args: &DbArgs) -> Result<DbUrl> {
        match (&args.db, std::env::var("ANXIN_DB")) {
            (Some(url), _) => DbUrl::parse(url),
            (None, Ok(url)) if !url.trim().is_empty() => DbUrl::parse(&url).context("in $ANXIN_DB"),
            _ => DbUrl::parse(DEFAULT_DB),
        }
    }

    /// The URL without its password.
    pub fn redacted(&self) -> String {
        match self {
            DbUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DbUrl::Postgres(url) => redact(url),
        }
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Opens the store the URL names (migrating it).
pub async fn open(url: &DbUrl) -> Result<Arc<dyn Store>> {
    Ok(match url {
        DbUrl::Sqlite(path) => Arc::new(
            anxin_store_sqlite::SqliteStore::open(path)
                .await
                .with_context(|| format!("failed to open the SQLite store {}", path.display()))?,
        ),
        DbUrl::Postgres(text) => Arc::new(
            anxin_store_postgres::PgStore::open(text, None)
                .await
                .with_context(|| format!("failed to open the PostgreSQL store {}", redact(text)))?,
        ),
    })
}

/// `anxin migrate`: applies pending migrations and says which.
pub async fn migrate(args: DbArgs) -> Result<u8> {
    let url = DbUrl::from_args(&args)?;
    let store = open(&url).await?;
    let applied = store.migrate().await.context("migration failed")?;
    println!(
        "{}: schema is current ({} backend)",
        url.redacted(),
        store.backend()
    );
    for name in applied {
        println!("applied {name}");
    }
    Ok(crate::exit::OK)
}

/// A runtime for the store commands (the store is asynchronous; the CLI is not).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the async runtime")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend_and_hide_passwords() {
        assert_eq!(
            DbUrl::parse("sqlite://data/a.db").unwrap(),
            DbUrl::Sqlite("data/a.db".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite:///var/a.db").unwrap(),
            DbUrl::Sqlite("/var/a.db".into())
        );
        let pg = DbUrl::parse("postgres://anxin:secret@db:5432/anxin").unwrap();
        assert_eq!(pg.redacted(), "postgres://anxin:***@db:5432/anxin");
        assert!(DbUrl::parse("mysql://x").is_err());
    }
}

//! The one error type of the store: [`StoreError`], in grid's categories.
//!
//! Driver errors (rusqlite, tokio-postgres, the pools, refinery) are mapped here, once, by
//! `From` impls behind the `sqlite` and `postgres` features, so no domain code and no HTTP
//! handler ever sees a driver type. The HTTP layer maps each category to one status code.
//! Query-language mistakes are a [`QueryError`], which names the parameter at fault.

use std::fmt;

/// A mistake in an EPCIS query: which parameter, and what is wrong with it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct QueryError {
    /// The parameter as the client wrote it (`GE_eventTime`), or empty for the query as a whole.
    pub parameter: String,
    /// What is wrong and what was expected, without a trailing dot.
    pub message: String,
}

impl QueryError {
    /// A problem with `parameter`.
    pub fn new(parameter: impl Into<String>, message: impl Into<String>) -> QueryError {
        QueryError {
            parameter: parameter.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.parameter.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "query parameter `{}`: {}", self.parameter, self.message)
        }
    }
}

impl std::error::Error for QueryError {}

/// Everything a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist (or the viewer may not know it exists).
    #[error("not found: {0}")]
    NotFound(String),
    /// A write would break a rule of the data (a unique name taken, a bad reference).
    #[error("constraint violation: {0}")]
    ConstraintViolation(String),
    /// The query is not valid EPCIS (unknown parameter, bad value, bad page token).
    #[error("{0}")]
    InvalidQuery(#[from] QueryError),
    /// The query would return more events than `maxEventCount` allows.
    #[error("the query matches more than {0} events (maxEventCount)")]
    QueryTooLarge(u64),
    /// No account, or a revoked one, goes with the token.
    #[error("the token is unknown or revoked")]
    Unauthenticated,
    /// The account may not do this (capture at another party's location, read another's job).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The database is busy or unreachable; the same request may succeed later.
    #[error("temporarily unavailable: {0}")]
    TemporarilyUnavailable(String),
    /// Anything else: a bug, corrupt data, a failed migration.
    #[error("internal store error: {0}")]
    Internal(String),
}

impl StoreError {
    /// An internal error from any displayable cause.
    pub fn internal(cause: impl fmt::Display) -> StoreError {
        StoreError::Internal(cause.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> StoreError {
        StoreError::Internal(format!("stored JSON could not be read or written: {error}"))
    }
}

#[cfg(feature = "sqlite")]
impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        match &error {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound(error.to_string()),
            rusqlite::Error::SqliteFailure(failure, _) => match failure.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    StoreError::TemporarilyUnavailable(error.to_string())
                }
                ErrorCode::ConstraintViolation => {
                    StoreError::ConstraintViolation(error.to_string())
                }
                _ => StoreError::Internal(error.to_string()),
            },
            _ => StoreError::Internal(error.to_string()),
        }
    }
}

#[cfg(feature = "sqlite")]
impl From<deadpool_sqlite::PoolError> for StoreError {
    fn from(error: deadpool_sqlite::PoolError) -> StoreError {
        StoreError::TemporarilyUnavailable(format!("no SQLite connection: {error}"))
    }
}

#[cfg(feature = "sqlite")]
impl From<deadpool_sqlite::InteractError> for StoreError {
    fn from(error: deadpool_sqlite::InteractError) -> StoreError {
        StoreError::Internal(format!("a SQLite task did not finish: {error}"))
    }
}

#[cfg(feature = "postgres")]
impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> StoreError {
        use tokio_postgres::error::SqlState;
        let text = match error.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            None => error.to_string(),
        };
        match error.code() {
            Some(code)
                if *code == SqlState::UNIQUE_VIOLATION
                    || *code == SqlState::FOREIGN_KEY_VIOLATION
                    || *code == SqlState::CHECK_VIOLATION
                    || *code == SqlState::NOT_NULL_VIOLATION =>
            {
                StoreError::ConstraintViolation(text)
            }
            Some(code)
                if *code == SqlState::T_R_SERIALIZATION_FAILURE
                    || *code == SqlState::T_R_DEADLOCK_DETECTED
                    || *code == SqlState::TOO_MANY_CONNECTIONS
                    || *code == SqlState::ADMIN_SHUTDOWN =>
            {
                StoreError::TemporarilyUnavailable(text)
            }
            Some(_) => StoreError::Internal(text),
            None if error.is_closed() => StoreError::TemporarilyUnavailable(text),
            None => StoreError::Internal(text),
        }
    }
}

#[cfg(feature = "postgres")]
impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(error: deadpool_postgres::PoolError) -> StoreError {
        match error {
            deadpool_postgres::PoolError::Backend(error) => StoreError::from(error),
            other => {
                StoreError::TemporarilyUnavailable(format!("no PostgreSQL connection: {other}"))
            }
        }
    }
}

//! The platform's own API, `/api/v1/…` (beside the EPCIS binding under `/epcis`). Today it
//! serves the ledger ([`ledger`]); trace, recall and the rest follow.

pub mod ledger;

use axum::Router;

use crate::AppState;

/// The `/api/v1` routes (to be nested under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new().nest("/ledger", ledger::routes())
}

//! The platform's own API, `/api/v1/…` (beside the EPCIS binding under `/epcis`). It serves
//! the ledger ([`ledger`]), the trace graph's traces and recalls ([`trace`]), raw-milk
//! tests and HACCP records ([`quality`]), lab results and release ([`lab`]) and label checks
//! ([`labels`]).

pub mod lab;
pub mod labels;
pub mod ledger;
pub mod quality;
pub mod trace;

use axum::Router;

use crate::AppState;

/// The `/api/v1` routes (to be nested under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .nest("/ledger", ledger::routes())
        .merge(trace::routes())
        .merge(lab::routes())
        .merge(labels::routes())
        .merge(quality::routes())
}

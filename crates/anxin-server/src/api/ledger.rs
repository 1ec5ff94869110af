//! `/api/v1/ledger/…`: the signed tree head, an event's inclusion proof, a consistency
//! proof between two sizes, and the public key.
//!
//! These are public: no token is asked for. A product passport shows a parent the proof
//! that a can's events are in the ledger, and an auditor must be able to check heads
//! without an account. A proof reveals only what its leaf commits to (the event's hash ID,
//! record time, capturing party GLN and the SHA-256 of its body), never the event itself;
//! the events stay behind the EPCIS binding's access rules.

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use serde::Deserialize;

use crate::ledger::{Ledger, LedgerError};
use crate::{AppError, AppState};

/// The routes (to be nested under `/api/v1/ledger`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sth", get(sth))
        .route("/key", get(key))
        .route("/proof/{event_id}", get(proof))
        .route("/consistency", get(consistency))
}

fn ledger(state: &AppState) -> Result<&Ledger, AppError> {
    state.ledger.as_deref().ok_or_else(|| {
        AppError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            crate::Exception::Implementation,
            "this server was started without the ledger's signing key, so it serves no ledger",
        )
    })
}

impl From<LedgerError> for AppError {
    fn from(error: LedgerError) -> AppError {
        match error {
            LedgerError::UnknownEvent(_) => AppError::not_found(error.to_string()),
            LedgerError::Range(_) => AppError::query_parameter(error.to_string()),
            LedgerError::Store(error) => error.into(),
        }
    }
}

async fn sth(
    State(state): State<AppState>,
) -> Result<Json<anxin_ledger::api::TreeHeadJson>, AppError> {
    Ok(Json(ledger(&state)?.tree_head_json().await?))
}

async fn key(State(state): State<AppState>) -> Result<Json<anxin_ledger::api::KeyJson>, AppError> {
    Ok(Json(ledger(&state)?.key_json()?))
}

async fn proof(
    State(state): State<AppState>,
    Path(event_id): Path<String>,
) -> Result<Json<anxin_ledger::api::InclusionProofJson>, AppError> {
    Ok(Json(ledger(&state)?.inclusion(&event_id).await?))
}

/// `?from=&to=`, both tree sizes; `to` defaults to the current size.
#[derive(Deserialize)]
struct Sizes {
    from: Option<String>,
    to: Option<String>,
}

fn size(name: &str, text: Option<&str>) -> Result<Option<u64>, AppError> {
    text.map(|text| {
        text.trim().parse::<u64>().map_err(|_| {
            AppError::query_parameter(format!(
                "{name} must be a tree size (a whole number ≥ 0), not `{text}`"
            ))
        })
    })
    .transpose()
}

async fn consistency(
    State(state): State<AppState>,
    Query(sizes): Query<Sizes>,
) -> Result<Json<anxin_ledger::api::ConsistencyProofJson>, AppError> {
    let ledger = ledger(&state)?;
    let from = size("from", sizes.from.as_deref())?
        .ok_or_else(|| AppError::query_parameter("from is required: the older tree size"))?;
    let to = match size("to", sizes.to.as_deref())? {
        Some(to) => to,
        None => ledger.catch_up().await?,
    };
    Ok(Json(ledger.consistency(from, to).await?))
}

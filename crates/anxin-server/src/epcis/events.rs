//! The query interface: `GET /epcis/events` with the EPCIS query language, and
//! `GET /epcis/events/{eventID}` for one event.
//!
//! Parameters are parsed by [`anxin_store::EventQuery::parse`], which names the parameter at
//! fault; what the caller may see is the store's business. This module only moves
//! parameters in and documents out.

use anxin_epcis::{EpcisTime, Header};
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::auth::Authenticated;
use crate::epcis::{
    Listing, Syntax, document_response, events_response, options_response, query_pairs,
};
use crate::{AppError, AppState};

/// `OPTIONS /epcis/events` (public).
pub async fn options_events() -> Response {
    options_response("OPTIONS, GET, POST")
}

/// `GET /epcis/events`: one page of the events matching the query.
pub async fn get_events(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let syntax = Syntax::negotiate(&headers)?;
    let params = query_pairs(raw.as_deref());
    let listing = Listing {
        path: uri.path(),
        query_name: None,
    };
    events_response(&state, &viewer, params.clone(), &params, syntax, listing).await
}

/// `GET /epcis/events/{eventID}`: one event (by eventID or hash ID), as a query document
/// holding it.
pub async fn get_event(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(event_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let syntax = Syntax::negotiate(&headers)?;
    let event = state
        .store
        .get_event(&viewer, &event_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("there is no event {event_id} you may see")))?;
    let mut header = Header::new(EpcisTime::utc(jiff::Timestamp::now()));
    header.document_type = anxin_epcis::DocumentType::EpcisQueryDocument;
    header.query_results = Some(anxin_epcis::QueryResults {
        query_name: None,
        subscription_id: None,
    });
    let body =
        tokio::task::spawn_blocking(move || super::write_document(&header, &[event.body], syntax))
            .await
            .map_err(AppError::internal)??;
    Ok(document_response(body, syntax))
}

//! Browsing: `/epcis/eventTypes`, `/epcis/bizSteps` and `/epcis/dispositions` list what
//! can be asked for, and `…/{id}/events` under them and under `/epcis/epcs`,
//! `/epcis/bizLocations` and `/epcis/readPoints` list the events with that value.
//!
//! A browse list of events is the query language with one parameter fixed by the path
//! (`/bizSteps/shipping/events` is `?EQ_bizStep=shipping`), so further query parameters
//! combine with it. The lists of EPCs, locations and read points seen in events are not
//! served: the store has no index to list them from.

use axum::Router;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use anxin_epcis::cbv;

use crate::auth::Authenticated;
use crate::epcis::{Listing, Syntax, events_response, query_pairs};
use crate::{AppError, AppState};

/// The five EPCIS 2.0 event types.
pub const EVENT_TYPES: [&str; 5] = [
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
];

/// The browse routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/eventTypes", get(event_types))
        .route("/eventTypes/{id}/events", get(event_type_events))
        .route("/bizSteps", get(biz_steps))
        .route("/bizSteps/{id}/events", get(biz_step_events))
        .route("/dispositions", get(dispositions))
        .route("/dispositions/{id}/events", get(disposition_events))
        .route("/epcs/{id}/events", get(epc_events))
        .route("/bizLocations/{id}/events", get(biz_location_events))
        .route("/readPoints/{id}/events", get(read_point_events))
}

fn collection(items: &[&str]) -> Response {
    axum::Json(serde_json::json!({ "@set": items })).into_response()
}

async fn event_types(_viewer: Authenticated) -> Response {
    collection(&EVENT_TYPES)
}

async fn biz_steps(_viewer: Authenticated) -> Response {
    collection(cbv::BIZ_STEPS)
}

async fn dispositions(_viewer: Authenticated) -> Response {
    collection(cbv::DISPOSITIONS)
}

/// The request pieces every `…/{id}/events` handler needs.
struct Browse {
    state: AppState,
    viewer: anxin_store::Viewer,
    id: String,
    path: String,
    raw: Option<String>,
    headers: HeaderMap,
}

async fn browse_events(browse: Browse, parameter: &str) -> Result<Response, AppError> {
    let syntax = Syntax::negotiate(&browse.headers)?;
    let link_params = query_pairs(browse.raw.as_deref());
    if link_params.iter().any(|(name, _)| name == parameter) {
        return Err(AppError::query_parameter(format!(
            "`{parameter}` is fixed by the path and cannot be given again"
        )));
    }
    let mut params = vec![(parameter.to_owned(), browse.id)];
    params.extend(link_params.iter().cloned());
    let listing = Listing {
        path: &browse.path,
        query_name: None,
    };
    events_response(
        &browse.state,
        &browse.viewer,
        params,
        &link_params,
        syntax,
        listing,
    )
    .await
}

macro_rules! browse_handler {
    ($name:ident, $parameter:literal, $doc:literal) => {
        #[doc = $doc]
        async fn $name(
            State(state): State<AppState>,
            Authenticated(viewer): Authenticated,
            Path(id): Path<String>,
            OriginalUri(uri): OriginalUri,
            RawQuery(raw): RawQuery,
            headers: HeaderMap,
        ) -> Result<Response, AppError> {
            let browse = Browse {
                state,
                viewer,
                id,
                path: uri.path().to_owned(),
                raw,
                headers,
            };
            browse_events(browse, $parameter).await
        }
    };
}

browse_handler!(event_type_events, "eventType", "Events of one type.");
browse_handler!(
    biz_step_events,
    "EQ_bizStep",
    "Events with one business step."
);
browse_handler!(
    disposition_events,
    "EQ_disposition",
    "Events with one disposition."
);
browse_handler!(
    epc_events,
    "MATCH_anyEPC",
    "Events naming one EPC in any role."
);
browse_handler!(
    biz_location_events,
    "EQ_bizLocation",
    "Events at one business location."
);
browse_handler!(
    read_point_events,
    "EQ_readPoint",
    "Events at one read point."
);

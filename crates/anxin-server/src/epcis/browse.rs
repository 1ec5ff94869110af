//! Browsing: `/epcis/eventTypes`, `/epcis/bizSteps` and `/epcis/dispositions` list what
//! can be asked for, and `…/{id}/events` under them and under `/epcis/epcs`,
//! `/epcis/bizLocations` and `/epcis/readPoints` list the events with that value.
//!
//! A browse list of events is the query language with one parameter fixed by the path
//! (`/bizSteps/shipping/events` is `?EQ_bizStep=shipping`), so further query parameters
//! combine with it. `/epcis/epcs`, `/epcis/bizLocations` and `/epcis/readPoints` list the
//! identifiers seen in the events the viewer may see, a page at a time.

use axum::Router;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use anxin_epcis::cbv;
use anxin_store::sql::Listed;

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
        .route("/epcs", get(epcs))
        .route("/epcs/{id}/events", get(epc_events))
        .route("/bizLocations", get(biz_locations))
        .route("/bizLocations/{id}/events", get(biz_location_events))
        .route("/readPoints", get(read_points))
        .route("/readPoints/{id}/events", get(read_point_events))
}

/// The default and the largest page of a browse list of identifiers.
const IDENTIFIERS_PER_PAGE: (u32, u32) = (30, 1000);

/// A page of the identifiers of one kind seen in the events the viewer may see, in their
/// canonical form (a GS1 Digital Link for GS1 keys), with `Link: rel="next"` while more follow.
/// The page token is the last identifier of the page, hex-encoded: it only says where to go
/// on, and the viewer's access rules apply to every page anew.
async fn identifiers(
    state: AppState,
    viewer: anxin_store::Viewer,
    listed: Listed,
    path: &str,
    raw: Option<String>,
) -> Result<Response, AppError> {
    let mut per_page = IDENTIFIERS_PER_PAGE.0;
    let mut after = None;
    for (name, value) in query_pairs(raw.as_deref()) {
        match name.as_str() {
            "perPage" => {
                per_page = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=IDENTIFIERS_PER_PAGE.1).contains(n))
                    .ok_or_else(|| {
                        AppError::query_parameter(format!(
                            "perPage `{value}` is not a number from 1 to {}",
                            IDENTIFIERS_PER_PAGE.1
                        ))
                    })?;
            }
            "nextPageToken" => {
                let bytes = hex::decode(&value)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(|| {
                        AppError::query_parameter(format!(
                            "nextPageToken `{value}` is not one this server gave"
                        ))
                    })?;
                after = Some(bytes);
            }
            _ => {
                return Err(AppError::query_parameter(format!(
                    "`{name}` is not a parameter of {path}; use perPage and nextPageToken"
                )));
            }
        }
    }
    let mut items = state
        .store
        .list_identifiers(&viewer, listed, after.as_deref(), per_page + 1)
        .await?;
    let more = items.len() > per_page as usize;
    items.truncate(per_page as usize);
    let mut response = axum::Json(serde_json::json!({ "@set": items })).into_response();
    if let (true, Some(last)) = (more, items.last()) {
        let link = format!(
            "<{path}?perPage={per_page}&nextPageToken={}>; rel=\"next\"",
            hex::encode(last)
        );
        if let Ok(value) = axum::http::HeaderValue::from_str(&link) {
            response
                .headers_mut()
                .insert(axum::http::header::LINK, value);
        }
    }
    Ok(response)
}

macro_rules! identifiers_handler {
    ($name:ident, $listed:expr, $doc:literal) => {
        #[doc = $doc]
        async fn $name(
            State(state): State<AppState>,
            Authenticated(viewer): Authenticated,
            OriginalUri(uri): OriginalUri,
            RawQuery(raw): RawQuery,
        ) -> Result<Response, AppError> {
            identifiers(state, viewer, $listed, uri.path(), raw).await
        }
    };
}

identifiers_handler!(
    epcs,
    Listed::Epcs,
    "The EPCs seen in events the viewer may see."
);
identifiers_handler!(
    biz_locations,
    Listed::BizLocations,
    "The business locations of events the viewer may see."
);
identifiers_handler!(
    read_points,
    Listed::ReadPoints,
    "The read points of events the viewer may see."
);

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

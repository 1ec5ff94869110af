//! The EPCIS 2.0 REST binding (`/epcis/…`): the routes, the version headers every response
//! carries, content negotiation, and the query-document response shared by every endpoint
//! that lists events.
//!
//! One file per endpoint group: [`capture`] (capture jobs and single events), [`events`]
//! (the query language), [`browse`] (event types, EPCs, vocabularies), [`queries`] (named
//! queries), [`subscriptions`] (webhook subscriptions to named queries, stream mode; the
//! sending is [`crate::webhooks`]'s). Not here: WebSocket subscriptions, scheduled
//! webhook subscriptions, `DELETE /nextPageToken/{token}`
//! (page tokens hold no server-side state), and `application/problem+xml` errors.

pub mod browse;
pub mod capture;
pub mod events;
pub mod queries;
pub mod subscriptions;

use anxin_epcis::{DocumentType, EpcisTime, Header, QueryResults};
use anxin_store::{EventQuery, Viewer};
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::{AppError, AppState};

/// The EPCIS version this server implements.
pub const EPCIS_VERSION: &str = "2.0.0";
/// The CBV version this server implements.
pub const CBV_VERSION: &str = "2.0.0";

/// The `/epcis` routes (to be nested under `/epcis`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(discovery).options(options_discovery))
        .route(
            "/capture",
            post(capture::post_capture)
                .get(capture::list_jobs)
                .options(capture::options_capture),
        )
        .route("/capture/{capture_id}", get(capture::get_job))
        .route(
            "/events",
            get(events::get_events)
                .post(capture::post_event)
                .options(events::options_events),
        )
        .route("/events/{event_id}", get(events::get_event))
        .merge(browse::routes())
        .merge(queries::routes())
        .merge(subscriptions::routes())
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(version_headers))
}

/// 404 for anything the server does not know.
pub async fn not_found() -> AppError {
    AppError::not_found("there is no such resource")
}

async fn method_not_allowed() -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        crate::Exception::Validation,
        "this resource does not take that method",
    )
}

/// `GET /epcis`: the top-level resources.
async fn discovery(_viewer: crate::auth::Authenticated) -> Response {
    axum::Json(serde_json::json!({
        "@set": ["capture", "events", "eventTypes", "epcs", "bizSteps", "bizLocations",
                 "readPoints", "dispositions", "queries"]
    }))
    .into_response()
}

/// `OPTIONS /epcis`: what the server speaks (public).
async fn options_discovery() -> Response {
    options_response("OPTIONS, GET")
}

/// A 204 answer to `OPTIONS` with `Allow` and the negotiation headers.
pub(crate) fn options_response(allow: &'static str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::ALLOW, HeaderValue::from_static(allow));
    for (name, value) in [
        ("gs1-epcis-min", EPCIS_VERSION),
        ("gs1-epcis-max", EPCIS_VERSION),
        ("gs1-cbv-min", CBV_VERSION),
        ("gs1-cbv-max", CBV_VERSION),
        ("gs1-epc-format", "Never_Translates"),
        ("gs1-cbv-xml-format", "Never_Translates"),
        ("gs1-vendor-version", env!("CARGO_PKG_VERSION")),
    ] {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    response
}

/// Refuses requests whose version range excludes ours (406) and stamps every response with
/// `GS1-EPCIS-Version` and `GS1-CBV-Version`.
async fn version_headers(request: Request, next: Next) -> Response {
    let mut response = match version_problem(request.headers()) {
        Some(problem) => problem.into_response(),
        None => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("gs1-epcis-version"),
        HeaderValue::from_static(EPCIS_VERSION),
    );
    headers.insert(
        HeaderName::from_static("gs1-cbv-version"),
        HeaderValue::from_static(CBV_VERSION),
    );
    response
}

fn version_problem(headers: &HeaderMap) -> Option<AppError> {
    let checks = [
        ("gs1-epcis-version", EPCIS_VERSION, Bound::Exact),
        ("gs1-epcis-min", EPCIS_VERSION, Bound::Min),
        ("gs1-epcis-max", EPCIS_VERSION, Bound::Max),
        ("gs1-cbv-version", CBV_VERSION, Bound::Exact),
        ("gs1-cbv-min", CBV_VERSION, Bound::Min),
        ("gs1-cbv-max", CBV_VERSION, Bound::Max),
    ];
    for (name, ours, bound) in checks {
        let Some(value) = headers.get(name) else {
            continue;
        };
        let Some(theirs) = value.to_str().ok().and_then(version_parts) else {
            return Some(AppError::not_acceptable(format!(
                "header {name} must be a version such as 2.0.0"
            )));
        };
        let ours = version_parts(ours).unwrap_or_default();
        let met = match bound {
            // A request saying `2.0` speaks our major version.
            Bound::Exact => theirs.first() == ours.first(),
            Bound::Min => pad(&theirs) <= pad(&ours),
            Bound::Max => pad(&theirs) >= pad(&ours) || theirs.first() == ours.first(),
        };
        if !met {
            return Some(AppError::not_acceptable(format!(
                "header {name} asks for a version this server does not speak; it speaks EPCIS {EPCIS_VERSION} and CBV {CBV_VERSION}"
            )));
        }
    }
    None
}

#[derive(Clone, Copy)]
enum Bound {
    Exact,
    Min,
    Max,
}

fn version_parts(text: &str) -> Option<Vec<u32>> {
    text.trim()
        .split('.')
        .map(|part| part.parse::<u32>().ok())
        .collect::<Option<Vec<u32>>>()
        .filter(|parts| !parts.is_empty())
}

fn pad(parts: &[u32]) -> [u32; 3] {
    let mut padded = [0; 3];
    for (slot, part) in padded.iter_mut().zip(parts) {
        *slot = *part;
    }
    padded
}

/// The two document syntaxes a response can take.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Syntax {
    /// JSON-LD (`application/json`, `application/ld+json`).
    Json,
    /// XML (`application/xml`, `text/xml`).
    Xml,
}

impl Syntax {
    /// The syntax the `Accept` header prefers: the first listed type we can produce, JSON-LD
    /// when there is no header; 406 when nothing listed is ours.
    pub fn negotiate(headers: &HeaderMap) -> Result<Syntax, AppError> {
        let Some(accept) = headers.get(header::ACCEPT) else {
            return Ok(Syntax::Json);
        };
        let accept = accept
            .to_str()
            .map_err(|_| AppError::not_acceptable("the Accept header is not readable"))?;
        for item in accept.split(',') {
            let media = item.split(';').next().unwrap_or("").trim();
            match media.to_ascii_lowercase().as_str() {
                "application/json" | "application/ld+json" | "application/*" | "*/*" => {
                    return Ok(Syntax::Json);
                }
                "application/xml" | "text/xml" => return Ok(Syntax::Xml),
                _ => {}
            }
        }
        Err(AppError::not_acceptable(
            "this resource is available as application/ld+json, application/json or application/xml",
        ))
    }

    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Syntax::Json => "application/ld+json",
            Syntax::Xml => "application/xml",
        }
    }
}

/// Splits a raw query string into decoded pairs. A `+` is kept as a plus sign (EPCIS times
/// carry offsets such as `+08:00`), not read as a space.
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    let raw = raw.unwrap_or("").replace('+', "%2B");
    form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        out.append_pair(name, value);
    }
    out.finish()
}

/// What an event list is for: which resource served it and under which query name.
pub struct Listing<'a> {
    /// The request path, for the `Link: rel="next"` header.
    pub path: &'a str,
    /// The named query, if the events come from one.
    pub query_name: Option<&'a str>,
}

/// Runs a query for the viewer and answers with one page of an `EPCISQueryDocument`, with a
/// `Link: <…>; rel="next"` header when there is a next page.
pub async fn events_response(
    state: &AppState,
    viewer: &Viewer,
    params: Vec<(String, String)>,
    link_params: &[(String, String)],
    syntax: Syntax,
    listing: Listing<'_>,
) -> Result<Response, AppError> {
    let prefixes = state.store.list_prefixes().await?;
    let query = EventQuery::parse(&params, &prefixes).map_err(anxin_store::StoreError::from)?;
    let page = state.store.list_events(viewer, &query).await?;
    let mut header = Header::new(EpcisTime::utc(jiff::Timestamp::now()));
    header.document_type = DocumentType::EpcisQueryDocument;
    header.query_results = Some(QueryResults {
        query_name: listing.query_name.map(str::to_owned),
        subscription_id: None,
    });
    let bodies: Vec<String> = page.events.into_iter().map(|event| event.body).collect();
    let body = tokio::task::spawn_blocking(move || write_document(&header, &bodies, syntax))
        .await
        .map_err(AppError::internal)??;
    let mut response = document_response(body, syntax);
    if let Some(token) = page.next_page_token {
        let mut next: Vec<(String, String)> = link_params
            .iter()
            .filter(|(name, _)| name != "nextPageToken")
            .cloned()
            .collect();
        next.push(("nextPageToken".to_owned(), token));
        let link = format!("<{}?{}>; rel=\"next\"", listing.path, encode_pairs(&next));
        let value = HeaderValue::from_str(&link).map_err(AppError::internal)?;
        response.headers_mut().insert(header::LINK, value);
    }
    Ok(response)
}

/// Writes stored event bodies into one document of the chosen syntax.
pub(crate) fn write_document(
    header: &Header,
    bodies: &[String],
    syntax: Syntax,
) -> Result<Vec<u8>, AppError> {
    let events = bodies
        .iter()
        .map(|body| anxin_epcis::json::event_from_str(body).map_err(AppError::internal))
        .collect::<Result<Vec<_>, _>>()?;
    let out = Vec::with_capacity(bodies.iter().map(String::len).sum::<usize>() + 1024);
    let written = match syntax {
        Syntax::Json => {
            let mut writer = anxin_epcis::json::Writer::start(out, header);
            for event in &events {
                writer = writer.and_then(|mut writer| writer.event(event).map(|()| writer));
            }
            writer.and_then(|writer| writer.finish())
        }
        Syntax::Xml => {
            let mut writer = anxin_epcis::xml::Writer::start(out, header);
            for event in &events {
                writer = writer.and_then(|mut writer| writer.event(event).map(|()| writer));
            }
            writer.and_then(|writer| writer.finish())
        }
    };
    written.map_err(AppError::internal)
}

/// A 200 response carrying a document in the given syntax.
pub(crate) fn document_response(body: Vec<u8>, syntax: Syntax) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(syntax.content_type()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plus_in_a_query_string_stays_a_plus() {
        let pairs = query_pairs(Some(
            "GE_eventTime=2026-01-01T00:00:00+08:00&EQ_bizStep=shipping",
        ));
        assert_eq!(pairs[0].1, "2026-01-01T00:00:00+08:00");
        assert_eq!(pairs[1], ("EQ_bizStep".into(), "shipping".into()));
    }

    #[test]
    fn accept_picks_the_first_syntax_we_have() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html, application/xml;q=0.9"),
        );
        assert_eq!(Syntax::negotiate(&headers).unwrap(), Syntax::Xml);
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/html"));
        assert!(Syntax::negotiate(&headers).is_err());
    }

    #[test]
    fn a_request_for_epcis_3_only_is_not_acceptable() {
        let mut headers = HeaderMap::new();
        headers.insert("gs1-epcis-min", HeaderValue::from_static("3.0.0"));
        assert!(version_problem(&headers).is_some());
        headers.insert("gs1-epcis-min", HeaderValue::from_static("2.0"));
        assert!(version_problem(&headers).is_none());
    }
}

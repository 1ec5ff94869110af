//! While the trace graph is still being built ([`crate::trace::Tracer::building`]), the
//! requests that need it are answered here with 503 and a `Retry-After` header, in the
//! page's language ("正在启动：追溯图已载入 N%") or as a JSON problem for the API and for
//! `Accept: application/json`; everything else (EPCIS capture and query, the ledger, login,
//! `/healthz`) is served as usual.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::pages::{Chrome, Page};

/// Seconds a client is asked to wait before asking again (`Retry-After`); an assumption of
/// ours: long enough not to load a starting server, short beside a build of tens of seconds.
pub const RETRY_AFTER_S: u32 = 5;

/// True for the paths whose answers come from the trace graph: the passport, the shop
/// inspector's check, traces and recalls in the API and in the signed-in pages.
pub fn needs_graph(path: &str) -> bool {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    path.starts_with("/01/")
        || under("/check")
        || under("/api/v1/trace")
        || under("/api/v1/recalls")
        || under("/app/trace")
        || under("/app/recalls")
}

/// The middleware: 503 for [`needs_graph`] paths until the graph is ready.
pub async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let percent = state
        .tracer
        .as_deref()
        .and_then(crate::trace::Tracer::progress);
    let Some(percent) = percent else {
        return next.run(request).await;
    };
    if !needs_graph(request.uri().path()) {
        return next.run(request).await;
    }
    let (parts, _body) = request.into_parts();
    let page = Page::from_parts(&parts);
    let t = page.t();
    let detail = t.starting_detail.replace("{percent}", &percent.to_string());
    let wants_json = parts.uri.path().starts_with("/api/")
        || parts
            .headers
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|accept| accept.contains("json"));
    let mut response = if wants_json {
        let problem = crate::AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::Exception::Implementation,
            format!(
                "the server is starting: the trace graph is {percent}% loaded; try again in {RETRY_AFTER_S} s"
            ),
        );
        let mut json = problem.to_json();
        json["progressPercent"] = serde_json::json!(percent);
        let mut response = (StatusCode::SERVICE_UNAVAILABLE, json.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    } else {
        crate::pages::problem(
            StatusCode::SERVICE_UNAVAILABLE,
            Chrome::public(&page),
            t.starting_title,
            &detail,
        )
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_S));
    response
}

#[cfg(test)]
mod tests {
    use super::needs_graph;

    #[test]
    fn only_the_graphs_paths_wait_for_it() {
        for path in [
            "/01/06901234567892/21/SN1",
            "/check",
            "/api/v1/trace/x",
            "/api/v1/recalls",
            "/api/v1/recalls/7/export",
            "/app/trace",
            "/app/recalls/new",
        ] {
            assert!(needs_graph(path), "{path}");
        }
        for path in [
            "/healthz",
            "/epcis/events",
            "/api/v1/ledger/sth",
            "/login",
            "/app",
            "/checkout",
            "/app/traces-of-nothing",
        ] {
            assert!(!needs_graph(path), "{path}");
        }
    }
}

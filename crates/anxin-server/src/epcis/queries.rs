//! Named queries: `POST /epcis/queries` stores a query under a name, `GET /epcis/queries`
//! lists them, `GET|DELETE /epcis/queries/{name}` reads or removes one, and
//! `GET /epcis/queries/{name}/events` runs it for the caller, a page at a time.
//!
//! A named query runs with the rights of whoever runs it, not of whoever made it. Only the
//! account that made a query (or an admin) may delete it. Webhook subscriptions to named
//! queries live in [`crate::epcis::subscriptions`].

use anxin_store::{NamedQuery, Role};
use axum::Router;
use axum::body::Body;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::auth::Authenticated;
use crate::epcis::capture::percent_path;
use crate::epcis::{Listing, Syntax, events_response, query_pairs};
use crate::{AppError, AppState};

/// The named-query routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/queries", get(list_queries).post(post_query))
        .route("/queries/{name}", get(get_query).delete(delete_query))
        .route("/queries/{name}/events", get(query_events))
}

/// Longest query name.
pub const NAME_MAX_CHARS: usize = 200;

fn query_json(query: &NamedQuery) -> serde_json::Value {
    let params: serde_json::Map<String, serde_json::Value> = query
        .params
        .iter()
        .map(|(name, value)| (name.clone(), serde_json::Value::String(value.clone())))
        .collect();
    serde_json::json!({ "name": query.name, "query": params })
}

async fn list_queries(
    State(state): State<AppState>,
    _viewer: Authenticated,
) -> Result<Response, AppError> {
    let queries = state.store.list_named_queries().await?;
    let list: Vec<serde_json::Value> = queries.iter().map(query_json).collect();
    Ok(axum::Json(list).into_response())
}

async fn post_query(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if !content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("application/json")
        && !content_type
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("application/ld+json")
    {
        return Err(AppError::unsupported_media_type(
            "a named query is sent as application/json",
        ));
    }
    let bytes = axum::body::to_bytes(body, state.config.event_max_bytes)
        .await
        .map_err(|_| AppError::validation("the body could not be read or is too large"))?;
    let (name, params) = parse_definition(&bytes)?;
    let prefixes = state.store.list_prefixes().await?;
    anxin_store::EventQuery::parse(&params, &prefixes).map_err(anxin_store::StoreError::from)?;
    if state.store.get_named_query(&name).await?.is_some() {
        return Err(AppError::conflict(format!(
            "a query named `{name}` exists already"
        )));
    }
    let query = state.store.add_named_query(&viewer, &name, params).await?;
    let location = format!("/epcis/queries/{}", percent_path(&query.name));
    let mut response = (StatusCode::CREATED, axum::Json(query_json(&query))).into_response();
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&location).map_err(AppError::internal)?,
    );
    Ok(response)
}

/// Reads `{"name": …, "query": {param: value, …}}`. List values become `a|b`.
fn parse_definition(bytes: &[u8]) -> Result<(String, Vec<(String, String)>), AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|error| AppError::validation(format!("the body is not JSON: {error}")))?;
    let name = value
        .get("name")
        .and_then(|name| name.as_str())
        .map(str::trim)
        .filter(|name| !name.is_empty() && name.chars().count() <= NAME_MAX_CHARS)
        .ok_or_else(|| {
            AppError::validation(format!(
                "`name` must be a string of 1 to {NAME_MAX_CHARS} characters"
            ))
        })?
        .to_owned();
    let query = value
        .get("query")
        .and_then(|query| query.as_object())
        .ok_or_else(|| AppError::validation("`query` must be an object of query parameters"))?;
    let mut params = Vec::with_capacity(query.len());
    for (parameter, value) in query {
        if parameter == "perPage" || parameter == "nextPageToken" {
            return Err(AppError::query_parameter(format!(
                "`{parameter}` belongs in the URL of /queries/{{name}}/events, not in a named query"
            )));
        }
        params.push((parameter.clone(), parameter_value(parameter, value)?));
    }
    Ok((name, params))
}

fn parameter_value(parameter: &str, value: &serde_json::Value) -> Result<String, AppError> {
    let scalar = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    };
    let text = match value {
        serde_json::Value::Array(items) => items
            .iter()
            .map(scalar)
            .collect::<Option<Vec<String>>>()
            .map(|items| items.join("|")),
        other => scalar(other),
    };
    text.ok_or_else(|| {
        AppError::query_parameter(format!(
            "`{parameter}` must be a string, a number or a list of them"
        ))
    })
}

async fn get_query(
    State(state): State<AppState>,
    _viewer: Authenticated,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let query = named(&state, &name).await?;
    Ok(axum::Json(query_json(&query)).into_response())
}

async fn delete_query(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let query = named(&state, &name).await?;
    if query.account_id != viewer.account.account_id && viewer.account.role != Role::Admin {
        return Err(AppError::forbidden(
            "only the account that made a named query may delete it",
        ));
    }
    state.store.delete_named_query(&name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn query_events(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(name): Path<String>,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let syntax = Syntax::negotiate(&headers)?;
    let query = named(&state, &name).await?;
    let link_params = query_pairs(raw.as_deref());
    if let Some((other, _)) = link_params
        .iter()
        .find(|(parameter, _)| parameter != "perPage" && parameter != "nextPageToken")
    {
        return Err(AppError::query_parameter(format!(
            "`{other}` cannot be added to a named query; only perPage and nextPageToken can"
        )));
    }
    let mut params = query.params.clone();
    params.extend(link_params.iter().cloned());
    let listing = Listing {
        path: uri.path(),
        query_name: Some(&name),
    };
    events_response(&state, &viewer, params, &link_params, syntax, listing).await
}

async fn named(state: &AppState, name: &str) -> Result<NamedQuery, AppError> {
    state
        .store
        .get_named_query(name)
        .await?
        .ok_or_else(|| AppError::not_found(format!("there is no query named `{name}`")))
}

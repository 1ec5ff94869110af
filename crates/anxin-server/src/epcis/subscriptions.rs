//! Webhook subscriptions to named queries: `POST|GET /epcis/queries/{name}/subscriptions`
//! and `GET|DELETE /epcis/queries/{name}/subscriptions/{subscriptionID}`.
//!
//! Only stream mode (`{"dest": "http://…", "signatureToken": "…", "stream": true}`) is
//! served: every event a capture newly stores that the named query matches, and that the
//! subscriber may see, is POSTed to `dest` by [`crate::webhooks`]. Schedules, `reportIfEmpty`
//! and `initialRecordTime` are refused with a `SubscriptionControlsException` that says so,
//! as are `https://` destinations, because the server's client speaks plain HTTP only (no
//! TLS stack is linked). A subscription is visible only to the account that made it (and to
//! admins); the `signatureToken` is never sent back.

use anxin_store::{NewSubscription, Subscription};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::auth::Authenticated;
use crate::epcis::capture::percent_path;
use crate::{AppError, AppState};

/// The subscription routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/queries/{name}/subscriptions",
            get(list_subscriptions).post(post_subscription),
        )
        .route(
            "/queries/{name}/subscriptions/{subscription_id}",
            get(get_subscription).delete(delete_subscription),
        )
}

/// Largest subscription request body.
pub const BODY_MAX_BYTES: usize = 16 * 1024;

fn location(subscription: &Subscription) -> String {
    format!(
        "/epcis/queries/{}/subscriptions/{}",
        percent_path(&subscription.query_name),
        subscription.subscription_id
    )
}

fn subscription_json(subscription: &Subscription) -> serde_json::Value {
    let created = jiff::Timestamp::from_millisecond(subscription.created_ms)
        .map(|at| at.to_string())
        .unwrap_or_default();
    serde_json::json!({
        "subscriptionID": subscription.subscription_id,
        "queryName": subscription.query_name,
        "dest": subscription.dest,
        "stream": true,
        "signed": subscription.signature_token.is_some(),
        "createdAt": created,
    })
}

/// Reads the controls; anything but stream mode to an `http://` destination is refused.
fn parse_controls(query_name: &str, bytes: &[u8]) -> Result<NewSubscription, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| {
        AppError::subscription_controls(format!("the body is not JSON: {error}"))
    })?;
    let object = value
        .as_object()
        .ok_or_else(|| AppError::subscription_controls("the body must be a JSON object"))?;
    for unsupported in ["schedule", "reportIfEmpty", "initialRecordTime"] {
        if object.contains_key(unsupported) {
            return Err(AppError::subscription_controls(format!(
                "`{unsupported}` is not supported: this server serves stream subscriptions \
                 only; send {{\"dest\": …, \"stream\": true}}"
            )));
        }
    }
    if object.get("stream") != Some(&serde_json::Value::Bool(true)) {
        return Err(AppError::subscription_controls(
            "only stream mode is supported: `stream` must be true (schedules are not served)",
        ));
    }
    let dest = object
        .get("dest")
        .and_then(|dest| dest.as_str())
        .ok_or_else(|| AppError::subscription_controls("`dest` must be a URL string"))?;
    if !dest.trim().starts_with("http://") {
        return Err(AppError::subscription_controls(
            "`dest` must be an http:// URL; this server does not deliver over https",
        ));
    }
    let signature_token = match object.get("signatureToken") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(token)) => Some(token.clone()),
        Some(_) => {
            return Err(AppError::subscription_controls(
                "`signatureToken` must be a string",
            ));
        }
    };
    let new = NewSubscription {
        query_name: query_name.to_owned(),
        dest: dest.to_owned(),
        signature_token,
    };
    new.check().map_err(AppError::subscription_controls)?;
    Ok(new)
}

async fn post_subscription(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(name): Path<String>,
    body: Body,
) -> Result<Response, AppError> {
    named_query_exists(&state, &name).await?;
    let bytes = axum::body::to_bytes(body, BODY_MAX_BYTES)
        .await
        .map_err(|_| {
            AppError::subscription_controls("the body could not be read or is too large")
        })?;
    let new = parse_controls(&name, &bytes)?;
    let subscription = state.store.add_subscription(&viewer, new).await?;
    let mut response = (
        StatusCode::CREATED,
        axum::Json(subscription_json(&subscription)),
    )
        .into_response();
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&location(&subscription)).map_err(AppError::internal)?,
    );
    Ok(response)
}

async fn list_subscriptions(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    named_query_exists(&state, &name).await?;
    let subscriptions = state.store.list_subscriptions(&viewer, &name).await?;
    let list: Vec<serde_json::Value> = subscriptions.iter().map(subscription_json).collect();
    Ok(axum::Json(list).into_response())
}

async fn get_subscription(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path((name, subscription_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let subscription = state
        .store
        .get_subscription(&viewer, &subscription_id)
        .await?
        .filter(|subscription| subscription.query_name == name)
        .ok_or_else(|| no_such_subscription(&name, &subscription_id))?;
    Ok(axum::Json(subscription_json(&subscription)).into_response())
}

async fn delete_subscription(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path((name, subscription_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let found = state
        .store
        .get_subscription(&viewer, &subscription_id)
        .await?
        .filter(|subscription| subscription.query_name == name);
    if found.is_none()
        || !state
            .store
            .delete_subscription(&viewer, &subscription_id)
            .await?
    {
        return Err(no_such_subscription(&name, &subscription_id));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Another account's subscription is answered like a missing one, so IDs leak nothing.
fn no_such_subscription(name: &str, subscription_id: &str) -> AppError {
    AppError::not_found(format!(
        "query `{name}` has no subscription `{subscription_id}` of yours"
    ))
}

async fn named_query_exists(state: &AppState, name: &str) -> Result<(), AppError> {
    match state.store.get_named_query(name).await? {
        Some(_) => Ok(()),
        None => Err(AppError::not_found(format!(
            "there is no query named `{name}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_and_https_are_refused_as_subscription_controls() {
        let refused = [
            r#"{"dest":"http://127.0.0.1/h","schedule":{"hour":"1"}}"#,
            r#"{"dest":"http://127.0.0.1/h"}"#,
            r#"{"dest":"https://example.com/h","stream":true}"#,
            r#"{"dest":"http://127.0.0.1/h","stream":true,"signatureToken":7}"#,
            r#"[]"#,
        ];
        for body in refused {
            let error = parse_controls("q", body.as_bytes()).unwrap_err();
            assert_eq!(
                error.exception,
                crate::Exception::SubscriptionControls,
                "{body}"
            );
        }
        let ok = parse_controls(
            "q",
            br#"{"dest":"http://127.0.0.1:1/h","stream":true,"signatureToken":"s"}"#,
        )
        .unwrap();
        assert_eq!(ok.signature_token.as_deref(), Some("s"));
    }
}

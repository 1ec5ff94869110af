//! The one error type of the HTTP layer, [`AppError`], and its RFC 7807 response.
//!
//! Handlers return `Result<_, AppError>`; store errors and document read errors become an
//! `AppError` through `From`, once, here. The response is `application/problem+json` with an
//! EPCIS exception type (`epcisException:ValidationException`, …), a status and a readable
//! `detail`. Internal and unavailable errors are logged with their cause and answered with a
//! generic sentence: nothing about the database or the code reaches the client. This module
//! does not decide what is an error; handlers and the store do.

use anxin_epcis::ReadError;
use anxin_store::StoreError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The EPCIS 2.0 exception types used in RFC 7807 `type` members.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Exception {
    /// The document or event is not valid EPCIS.
    Validation,
    /// A query parameter is unknown or has a bad value (also bad page tokens).
    QueryParameter,
    /// The query would return more events than `maxEventCount`.
    QueryTooLarge,
    /// A named query, event, job or other resource does not exist.
    NoSuchName,
    /// The resource exists already (an event sent to `/events` twice, a query name taken).
    ResourceAlreadyExists,
    /// A document is over the advertised capture limits.
    CaptureLimitExceeded,
    /// A subscription's controls (`dest`, `signatureToken`, `stream`, `schedule`) are wrong
    /// or not supported.
    SubscriptionControls,
    /// No token, a bad token, or an action the account may not take.
    Security,
    /// The client accepts no representation the server has (or an unmet version).
    NotAcceptable,
    /// The request body's content type is not one the endpoint takes.
    UnsupportedMediaType,
    /// Something went wrong on the server's side.
    Implementation,
}

impl Exception {
    /// The name after `epcisException:`.
    pub fn name(self) -> &'static str {
        match self {
            Exception::Validation => "ValidationException",
            Exception::QueryParameter => "QueryParameterException",
            Exception::QueryTooLarge => "QueryTooLargeException",
            Exception::NoSuchName => "NoSuchNameException",
            Exception::ResourceAlreadyExists => "ResourceAlreadyExistsException",
            Exception::CaptureLimitExceeded => "CaptureLimitExceededException",
            Exception::SubscriptionControls => "SubscriptionControlsException",
            Exception::Security => "SecurityException",
            Exception::NotAcceptable => "NotAcceptableException",
            Exception::UnsupportedMediaType => "UnsupportedMediaTypeException",
            Exception::Implementation => "ImplementationException",
        }
    }
}

/// An error answered as an RFC 7807 problem.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{status} {}: {detail}", exception.name())]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The EPCIS exception type.
    pub exception: Exception,
    /// What went wrong, for the client.
    pub detail: String,
}

impl AppError {
    /// A problem with any status and type.
    pub fn new(status: StatusCode, exception: Exception, detail: impl Into<String>) -> AppError {
        AppError {
            status,
            exception,
            detail: detail.into(),
        }
    }

    /// 400 `ValidationException`.
    pub fn validation(detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, Exception::Validation, detail)
    }

    /// 400 `QueryParameterException`.
    pub fn query_parameter(detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, Exception::QueryParameter, detail)
    }

    /// 404 `NoSuchNameException`.
    pub fn not_found(detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, Exception::NoSuchName, detail)
    }

    /// 400 `SubscriptionControlsException`.
    pub fn subscription_controls(detail: impl Into<String>) -> AppError {
        AppError::new(
            StatusCode::BAD_REQUEST,
            Exception::SubscriptionControls,
            detail,
        )
    }

    /// 401 `SecurityException`.
    pub fn unauthenticated(detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, Exception::Security, detail)
    }

    /// 403 `SecurityException`.
    pub fn forbidden(detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::FORBIDDEN, Exception::Security, detail)
    }

    /// 409 `ResourceAlreadyExistsException`.
    pub fn conflict(detail: impl Into<String>) -> AppError {
        AppError::new(
            StatusCode::CONFLICT,
            Exception::ResourceAlreadyExists,
            detail,
        )
    }

    /// 413 `CaptureLimitExceededException`.
    pub fn too_large(detail: impl Into<String>) -> AppError {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            Exception::CaptureLimitExceeded,
            detail,
        )
    }

    /// 406 `NotAcceptableException`.
    pub fn not_acceptable(detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::NOT_ACCEPTABLE, Exception::NotAcceptable, detail)
    }

    /// 415 `UnsupportedMediaTypeException`.
    pub fn unsupported_media_type(detail: impl Into<String>) -> AppError {
        AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Exception::UnsupportedMediaType,
            detail,
        )
    }

    /// 500 `ImplementationException`; the cause is logged, not sent.
    pub fn internal(cause: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %cause, "internal error");
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Exception::Implementation,
            "the server failed to handle the request; it has been logged",
        )
    }

    /// The problem as a JSON object (also used inside capture job documents).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "type": format!("epcisException:{}", self.exception.name()),
            "title": self.exception.name(),
            "status": self.status.as_u16(),
            "detail": self.detail,
        })
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound(what) => AppError::not_found(format!("not found: {what}")),
            StoreError::ConstraintViolation(what) => AppError::conflict(what),
            StoreError::InvalidQuery(problem) => AppError::query_parameter(problem.to_string()),
            StoreError::QueryTooLarge(_) => AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                Exception::QueryTooLarge,
                error.to_string(),
            ),
            StoreError::Unauthenticated => {
                AppError::unauthenticated("the bearer token is unknown or revoked")
            }
            StoreError::Forbidden(what) => AppError::forbidden(what),
            StoreError::TemporarilyUnavailable(cause) => {
                tracing::warn!(error = %cause, "store unavailable");
                AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Exception::Implementation,
                    "the store is busy; try again shortly",
                )
            }
            StoreError::Internal(cause) => AppError::internal(cause),
        }
    }
}

impl From<ReadError> for AppError {
    fn from(error: ReadError) -> AppError {
        match error {
            ReadError::Limit { .. } => AppError::too_large(error.to_string()),
            ReadError::Syntax { .. } => AppError::validation(error.to_string()),
            ReadError::Io(_) | ReadError::Stopped(_) => AppError::validation(error.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.to_json().to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_reach_the_client() {
        let error = AppError::from(StoreError::Internal("SQLITE_CORRUPT at page 7".into()));
        assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!error.detail.contains("SQLITE"));
    }

    #[test]
    fn a_bad_query_is_a_query_parameter_exception() {
        let error = AppError::from(StoreError::InvalidQuery(anxin_store::QueryError::new(
            "EQ_foo", "unknown",
        )));
        assert_eq!(
            error.to_json()["type"],
            "epcisException:QueryParameterException"
        );
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
    }
}

//! Capture: `POST /epcis/capture` (a document, as a job), `GET /epcis/capture[/{id}]` (job
//! status), `OPTIONS /epcis/capture` (the limits) and `POST /epcis/events` (one event, now).
//!
//! A capture document is read and checked before the 202: a body over the size limit, a
//! document with too many events, a wrong content type or bytes that are not an EPCIS
//! document at all are answered at once, and no job is made. A readable document becomes a
//! job, and a background task hands it to the store, which stores it under the job's error
//! behaviour and marks the job succeeded in the transaction that commits its events. The
//! store, not this module, decides what is stored and refuses foreign locations.

use anxin_epcis::{Event, Format, Limits, validate};
use anxin_store::{CaptureInput, CaptureJob, ErrorBehaviour, JobState};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Authenticated;
use crate::epcis::options_response;
use crate::{AppError, AppState};

/// The `GS1-Capture-Error-Behaviour` request header.
const ERROR_BEHAVIOUR: &str = "gs1-capture-error-behaviour";

/// `OPTIONS /epcis/capture`: the limits (public).
pub async fn options_capture(State(state): State<AppState>) -> Response {
    let mut response = options_response("OPTIONS, GET, POST");
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("gs1-epcis-capture-limit"),
        HeaderValue::from(state.config.capture_max_events),
    );
    headers.insert(
        HeaderName::from_static("gs1-epcis-capture-file-size-limit"),
        HeaderValue::from(state.config.capture_max_bytes),
    );
    response
}

/// `POST /epcis/capture`: accepts a document as a job; 202 with `Location`.
pub async fn post_capture(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    viewer.capturing_party()?;
    let format = body_format(&headers)?;
    let behaviour = error_behaviour(&headers)?;
    let bytes = read_body(&headers, body, state.config.capture_max_bytes).await?;
    let limits = Limits {
        max_document_bytes: state.config.capture_max_bytes as u64,
        max_events: state.config.capture_max_events,
        ..Limits::DEFAULT
    };
    let read = tokio::task::spawn_blocking(move || {
        anxin_epcis::read_document(bytes.as_ref(), format, &limits)
    })
    .await
    .map_err(AppError::internal)??;
    let input = CaptureInput::from_read(read);
    let permit = state
        .capture_permits
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                crate::Exception::Implementation,
                "too many capture jobs are running; send the document again shortly",
            )
        })?;
    let job = state.store.start_job(&viewer, behaviour, "http").await?;
    let job_id = job.job_id.clone();
    let store = state.store.clone();
    tokio::spawn(async move {
        // The outcome, success or failure, is written on the job by the store.
        if let Err(error) = store.capture(&viewer, &job_id, input).await {
            tracing::info!(job.id = %job_id, error = %error, "capture job failed");
        }
        drop(permit);
    });
    let location = format!("/epcis/capture/{}", job.job_id);
    let mut response = StatusCode::ACCEPTED.into_response();
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&location).map_err(AppError::internal)?,
    );
    Ok(response)
}

/// `GET /epcis/capture/{captureID}`: one of the caller's jobs.
pub async fn get_job(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(capture_id): Path<String>,
) -> Result<Response, AppError> {
    let job = state
        .store
        .get_job(&viewer, &capture_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("there is no capture job {capture_id}")))?;
    Ok(axum::Json(job_json(&job)).into_response())
}

/// `GET /epcis/capture`: the caller's latest jobs (`perPage`, at most 100).
pub async fn list_jobs(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let mut limit = 30;
    for (name, value) in super::query_pairs(raw.as_deref()) {
        match name.as_str() {
            "perPage" => {
                limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=100).contains(n))
                    .ok_or_else(|| {
                        AppError::query_parameter("perPage must be a number from 1 to 100")
                    })?;
            }
            other => {
                return Err(AppError::query_parameter(format!(
                    "`{other}` is not a parameter of /capture"
                )));
            }
        }
    }
    let jobs = state.store.list_jobs(&viewer, limit).await?;
    let jobs: Vec<serde_json::Value> = jobs.iter().map(job_json).collect();
    Ok(axum::Json(jobs).into_response())
}

/// `POST /epcis/events`: captures one event now; 201 with `Location`, 409 when an event
/// with the same hash ID is stored already.
pub async fn post_event(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    viewer.capturing_party()?;
    let format = body_format(&headers)?;
    let bytes = read_body(&headers, body, state.config.event_max_bytes).await?;
    let read = tokio::task::spawn_blocking(move || single_event(&bytes, format))
        .await
        .map_err(AppError::internal)??;
    let (header, event) = read;
    let event_id = event
        .event_id
        .clone()
        .unwrap_or_else(|| anxin_epcis::hash::event_hash_id(&event));
    let job = state
        .store
        .start_job(&viewer, ErrorBehaviour::Rollback, "http /events")
        .await?;
    let job = state
        .store
        .capture(&viewer, &job.job_id, CaptureInput::new(header, vec![event]))
        .await?;
    if job.state != JobState::Succeeded {
        return Err(AppError::validation(job.errors.join("; ")));
    }
    if job.n_stored == 0 {
        return Err(AppError::conflict(format!(
            "the event is stored already (same event hash ID); it is at /epcis/events/{}",
            percent_path(&event_id)
        )));
    }
    let location = format!("/epcis/events/{}", percent_path(&event_id));
    let mut response = StatusCode::CREATED.into_response();
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&location).map_err(AppError::internal)?,
    );
    Ok(response)
}

/// The capture job as the binding's `CaptureJob` object, with our counts beside it.
pub fn job_json(job: &CaptureJob) -> serde_json::Value {
    let running = job.state == JobState::Running;
    let success = match job.state {
        JobState::Running => true,
        JobState::Succeeded => job.n_rejected == 0,
        JobState::Failed => false,
    };
    let errors: Vec<serde_json::Value> = job
        .errors
        .iter()
        .map(|error| {
            let problem = if error.starts_with("interrupted") {
                AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    crate::Exception::Implementation,
                    error.clone(),
                )
            } else {
                AppError::validation(error.clone())
            };
            problem.to_json()
        })
        .collect();
    let time = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|time| time.to_string())
            .unwrap_or_default()
    };
    serde_json::json!({
        "captureID": job.job_id,
        "createdAt": time(job.created_ms),
        "finishedAt": job.finished_ms.map(time),
        "running": running,
        "success": success,
        "captureErrorBehaviour": job.error_behaviour.name(),
        "errors": errors,
        "eventCount": job.n_events,
        "storedCount": job.n_stored,
        "duplicateCount": job.n_duplicates,
        "rejectedCount": job.n_rejected,
    })
}

/// The syntax of a request body, from its `Content-Type`.
fn body_format(headers: &HeaderMap) -> Result<Format, AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    match media.to_ascii_lowercase().as_str() {
        "application/json" | "application/ld+json" => Ok(Format::Json),
        "application/xml" | "text/xml" => Ok(Format::Xml),
        _ => Err(AppError::unsupported_media_type(format!(
            "the body must be application/ld+json, application/json or application/xml (got `{content_type}`)"
        ))),
    }
}

fn error_behaviour(headers: &HeaderMap) -> Result<ErrorBehaviour, AppError> {
    match headers.get(ERROR_BEHAVIOUR) {
        None => Ok(ErrorBehaviour::Rollback),
        Some(value) => value
            .to_str()
            .ok()
            .and_then(ErrorBehaviour::parse)
            .ok_or_else(|| {
                AppError::validation("GS1-Capture-Error-Behaviour must be rollback or proceed")
            }),
    }
}

/// Reads a body of at most `limit` bytes; 413 beyond it.
async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<axum::body::Bytes, AppError> {
    let over = || AppError::too_large(format!("the body is larger than {limit} bytes"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(over());
    }
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(bytes),
        Err(error) if is_length_limit(&error) => Err(over()),
        Err(_) => Err(AppError::validation("the request body could not be read")),
    }
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if current
            .downcast_ref::<http_body_util::LengthLimitError>()
            .is_some()
        {
            return true;
        }
        cause = current.source();
    }
    false
}

/// Reads the body of `POST /events`: one JSON-LD event object, or a document (JSON-LD or
/// XML) holding exactly one event. The event must be valid.
fn single_event(bytes: &[u8], format: Format) -> Result<(anxin_epcis::Header, Event), AppError> {
    let limits = Limits {
        max_events: 1,
        ..Limits::DEFAULT
    };
    let read = match format {
        Format::Json => {
            let value: serde_json::Value = serde_json::from_slice(bytes)
                .map_err(|error| AppError::validation(format!("the body is not JSON: {error}")))?;
            let object = value
                .as_object()
                .ok_or_else(|| AppError::validation("the body must be one JSON-LD event object"))?;
            let is_document = object
                .get("type")
                .and_then(|kind| kind.as_str())
                .is_some_and(|kind| kind.starts_with("EPCIS"));
            if is_document {
                anxin_epcis::read_document(bytes, Format::Json, &limits)?
            } else {
                // Re-serialised from the parsed value, so the text spliced into the
                // wrapper is exactly one JSON object.
                let event = anxin_epcis::json::event_from_str(&value.to_string())?;
                return checked(
                    anxin_epcis::Header::new(anxin_epcis::EpcisTime::utc(jiff::Timestamp::now())),
                    event,
                    None,
                );
            }
        }
        Format::Xml => anxin_epcis::read_document(bytes, Format::Xml, &limits)?,
    };
    if let Some(problem) = read.problems.first() {
        return Err(AppError::validation(problem.to_string()));
    }
    let mut document = read.document;
    let origin = read.origins.into_iter().next();
    match document.events.pop() {
        Some(event) if document.events.is_empty() => checked(document.header, event, origin),
        _ => Err(AppError::validation("the body must hold exactly one event")),
    }
}

fn checked(
    header: anxin_epcis::Header,
    event: Event,
    origin: Option<anxin_epcis::Origin>,
) -> Result<(anxin_epcis::Header, Event), AppError> {
    let found = validate::check_event(&event);
    if found.is_empty() {
        return Ok((header, event));
    }
    let sentences: Vec<String> = found
        .into_iter()
        .map(|problem| match &origin {
            Some(origin) => origin.place_problem(problem).to_string(),
            None => format!("at {}: {}", problem.path, problem.message),
        })
        .collect();
    Err(AppError::validation(sentences.join("; ")))
}

/// An identifier as one path segment (event IDs hold `/`, `?`, `#`, `;`).
pub(crate) fn percent_path(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

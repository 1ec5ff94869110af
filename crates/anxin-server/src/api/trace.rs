//! `/api/v1/trace/{id}` and `/api/v1/recalls…`: the trace graph's answers over HTTP.
//!
//! Every route needs a token; who may ask what is [`crate::trace`]'s rule (the same one the
//! command line applies). Errors are RFC 7807 problems: 400 for malformed identifiers, levels,
//! dates and bodies, 403 for what the account may not see, 404 for an identifier no event
//! names (admin) or an unknown recall, 503 when the server keeps no trace graph.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::trace::{
    self, Direction, RecallRequest, RecallView, TraceFailure, Tracer, find_recall, may_see_recall,
};
use crate::{AppError, AppState};

/// Recalls listed by `GET /api/v1/recalls`, newest first.
const RECALLS_LISTED_MAX: u32 = 1_000;

/// The trace routes (to be nested under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/trace/{id}", get(trace_one))
        .route("/recalls", get(list_recalls).post(create_recall))
        .route("/recalls/{id}", get(show_recall))
        .route("/recalls/{id}/export", get(export_recall))
}

impl From<TraceFailure> for AppError {
    fn from(failure: TraceFailure) -> AppError {
        match failure {
            TraceFailure::BadInput(detail) => AppError::query_parameter(detail),
            TraceFailure::Forbidden(detail) => AppError::forbidden(detail),
            TraceFailure::NotFound(detail) => AppError::not_found(detail),
            TraceFailure::Store(error) => error.into(),
        }
    }
}

fn tracer(state: &AppState) -> Result<&Tracer, AppError> {
    state.tracer.as_deref().ok_or_else(|| {
        AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::Exception::Implementation,
            "this server was started without the trace graph",
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TraceParams {
    direction: Option<String>,
}

async fn trace_one(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(id): Path<String>,
    params: Result<Query<TraceParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Query(params) = params.map_err(|err| AppError::query_parameter(err.body_text()))?;
    let direction = match params.direction.as_deref() {
        None => Direction::Backward,
        Some(text) => Direction::parse(text)?,
    };
    let now = anxin_store::now_ms();
    let answer = trace::trace(tracer(&state)?, &viewer, &id, direction, now).await?;
    Ok(Json(serde_json::json!({
        "id": id,
        "direction": direction,
        "asOf": jiff::Timestamp::from_millisecond(now).map(|t| t.to_string()).unwrap_or_default(),
        "trace": answer,
    }))
    .into_response())
}

async fn create_recall(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    body: Bytes,
) -> Result<Response, AppError> {
    let request: RecallRequest = serde_json::from_slice(&body).map_err(|err| {
        AppError::validation(format!(
            "the recall request is not the JSON expected (ids, or farm with from and to; level; reason): {err}"
        ))
    })?;
    let opened = trace::open_recall(
        tracer(&state)?,
        &viewer,
        &request,
        true,
        anxin_store::now_ms(),
    )
    .await?;
    let location = format!("/api/v1/recalls/{}", opened.record.recall_id);
    let mut response = (StatusCode::CREATED, Json(&opened)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

async fn list_recalls(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
) -> Result<Json<Vec<RecallView>>, AppError> {
    if !trace::may_list_recalls(&viewer) {
        return Err(AppError::forbidden(format!(
            "a {} account sees no recalls; the admin, regulators and manufacturers do",
            viewer.account.role
        )));
    }
    let rows = state.store.list_recalls(RECALLS_LISTED_MAX).await?;
    Ok(Json(
        rows.iter()
            .filter(|row| may_see_recall(&viewer, row))
            .map(RecallView::of)
            .collect(),
    ))
}

async fn show_recall(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<RecallView>, AppError> {
    let row = find_recall(&*state.store, &viewer, &id).await?;
    Ok(Json(RecallView::of(&row)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportParams {
    format: Option<String>,
}

async fn export_recall(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(id): Path<String>,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Query(params) = params.map_err(|err| AppError::query_parameter(err.body_text()))?;
    let format = params.format.unwrap_or_else(|| "json".to_owned());
    export(&state, &viewer, &id, &format).await
}

/// A stored recall's export (`json`, `csv`, `sheet`, `xlsx`) as a download, for the API and
/// the recall console alike.
pub(crate) async fn export(
    state: &AppState,
    viewer: &anxin_store::Viewer,
    id: &str,
    format: &str,
) -> Result<Response, AppError> {
    if !matches!(format, "json" | "csv" | "sheet" | "xlsx") {
        return Err(AppError::query_parameter(format!(
            "format `{format}` is not one of json, csv, sheet, xlsx"
        )));
    }
    let row = find_recall(&*state.store, viewer, id).await?;
    let (report, tracking) =
        trace::rerun_recall(tracer(state)?, &row, anxin_store::now_ms()).await?;
    let attachment = |ext: &str| format!("attachment; filename=\"{id}.{ext}\"");
    let (content_type, disposition, bytes) = match format {
        "csv" => (
            "text/csv; charset=utf-8",
            attachment("csv"),
            anxin_trace::render::items_csv(&report)
                .map_err(AppError::internal)?
                .into_bytes(),
        ),
        "sheet" => (
            "text/csv; charset=utf-8",
            attachment("tracking.csv"),
            anxin_trace::render::tracking_sheet_csv(&tracking)
                .map_err(AppError::internal)?
                .into_bytes(),
        ),
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            attachment("xlsx"),
            anxin_trace::render::recall_workbook(&report, &tracking).map_err(|err| match err {
                anxin_trace::render::WorkbookError::TooManyRows { .. } => {
                    AppError::query_parameter(err.to_string())
                }
                other => AppError::internal(other),
            })?,
        ),
        _ => (
            "application/json",
            attachment("json"),
            serde_json::to_vec(&serde_json::json!({
                "recall": RecallView::of(&row),
                "report": report,
            }))
            .map_err(AppError::internal)?,
        ),
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

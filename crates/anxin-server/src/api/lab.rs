//! `/api/v1/lab-results`, `/api/v1/lots/{lot}/…`, `/api/v1/enterprise-standards` and
//! `/api/v1/findings`: lab results in (JSON or CSV), a lot's results and judgment, batch
//! release, publicly committed enterprise standards, and findings.
//!
//! Every route needs a token; who may do what is [`crate::lab`]'s rule. Errors are RFC 7807
//! problems: 400 for a malformed lot or body, 403 for another party's lot, 404 for a lot no
//! event made, 409 for a release on an incomplete judgment or a second release, 422 for
//! broken rows (every one listed with its line and field; nothing stored), a non-conformant
//! lot, or an enterprise standard looser than the law.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use anxin_store::lab::{CommittedStandard, NewLabResult, RowError, SampleOf};

use crate::auth::Authenticated;
use crate::lab::{self as domain, Submitted};
use crate::{AppError, AppState};

/// The lab routes (to be nested under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/lab-results", post(submit))
        .route("/lots/{lot}/results", get(results))
        .route("/lots/{lot}/judgment", get(judgment))
        .route("/lots/{lot}/release", post(release))
        .route("/enterprise-standards", post(commit_standard))
        .route("/findings", get(findings))
}

/// Defaults for columns a CSV upload leaves out (`anxin lab submit FILE --lot …`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SubmitParams {
    lot: Option<String>,
    delivery: Option<String>,
    task: Option<String>,
    sample_id: Option<String>,
    method: Option<String>,
    laboratory: Option<String>,
    analyst: Option<String>,
    tested_at: Option<String>,
}

/// Reads the fields every row shares, from a map of field name to text.
fn row_from_fields(
    line: usize,
    field: &dyn Fn(&str) -> Option<String>,
    errors: &mut Vec<RowError>,
) -> Option<NewLabResult> {
    let mut fail = |name: &str, message: String| {
        errors.push(RowError {
            line,
            field: name.to_owned(),
            message,
        });
    };
    let subjects: Vec<(SampleOf, String)> = [
        ("lot", SampleOf::Lot),
        ("delivery", SampleOf::RawMilkDelivery),
        ("task", SampleOf::SamplingTask),
    ]
    .into_iter()
    .filter_map(|(name, kind)| {
        field(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (kind, v))
    })
    .collect();
    let (sample_of, subject) = match subjects.as_slice() {
        [one] => one.clone(),
        [] => {
            fail(
                "lot",
                "name the lot, the delivery or the sampling task".into(),
            );
            return None;
        }
        _ => {
            fail("lot", "name only one of lot, delivery and task".into());
            return None;
        }
    };
    let tested_ms = match field("tested_at") {
        None => {
            fail(
                "tested_at",
                "is missing (RFC 3339, e.g. 2026-10-02T09:00:00+08:00)".into(),
            );
            return None;
        }
        Some(text) => match text.trim().parse::<jiff::Timestamp>() {
            Ok(t) => t.as_millisecond(),
            Err(err) => {
                fail(
                    "tested_at",
                    format!("`{text}` is not an RFC 3339 moment: {err}"),
                );
                return None;
            }
        },
    };
    let sample_unit = match field("sample_unit").filter(|t| !t.trim().is_empty()) {
        None => None,
        Some(text) => match text.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                fail(
                    "sample_unit",
                    format!("`{text}` is not a whole number from 1"),
                );
                return None;
            }
        },
    };
    let supersedes = match field("supersedes").filter(|t| !t.trim().is_empty()) {
        None => None,
        Some(text) => match text.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                fail("supersedes", format!("`{text}` is not a result ID"));
                return None;
            }
        },
    };
    let text = |name: &str| field(name).unwrap_or_default();
    Some(NewLabResult {
        line,
        sample_of,
        subject,
        sample_id: text("sample_id"),
        analyte: text("analyte"),
        value: text("value"),
        unit: text("unit"),
        sample_unit,
        method: text("method"),
        laboratory: text("laboratory"),
        analyst: text("analyst"),
        tested_ms,
        supersedes,
    })
}

fn defaults(params: &SubmitParams, name: &str) -> Option<String> {
    match name {
        "lot" => params.lot.clone(),
        "delivery" => params.delivery.clone(),
        "task" => params.task.clone(),
        "sample_id" => params.sample_id.clone(),
        "method" => params.method.clone(),
        "laboratory" => params.laboratory.clone(),
        "analyst" => params.analyst.clone(),
        "tested_at" => params.tested_at.clone(),
        _ => None,
    }
}

/// Reads a CSV upload: a header naming at least `analyte`, `value` and `unit`; the other
/// fields are columns or query parameters. Every broken row is reported with its line.
pub fn rows_from_csv(
    text: &str,
    field_default: &dyn Fn(&str) -> Option<String>,
) -> (Vec<NewLabResult>, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(err) => {
            errors.push(RowError {
                line: 1,
                field: String::new(),
                message: format!("the header row cannot be read: {err}"),
            });
            return (rows, errors);
        }
    };
    let names: Vec<String> = headers.iter().map(|h| h.to_ascii_lowercase()).collect();
    for required in ["analyte", "value", "unit"] {
        if !names.iter().any(|n| n == required) {
            errors.push(RowError {
                line: 1,
                field: required.to_owned(),
                message: format!(
                    "the header row must name the columns analyte, value and unit (found: {})",
                    names.join(", ")
                ),
            });
            return (rows, errors);
        }
    }
    for (index, record) in reader.records().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                errors.push(RowError {
                    line: err.position().map_or(index + 2, |p| p.line() as usize),
                    field: String::new(),
                    message: format!("unreadable row: {err}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(index + 2, |p| p.line() as usize);
        let field = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .and_then(|i| record.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .or_else(|| field_default(name))
        };
        if let Some(row) = row_from_fields(line, &field, &mut errors) {
            rows.push(row);
        }
    }
    (rows, errors)
}

fn rows_from_json(
    body: &[u8],
    field_default: &dyn Fn(&str) -> Option<String>,
) -> Result<(Vec<NewLabResult>, Vec<RowError>), AppError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|err| AppError::validation(format!("the body is not JSON: {err}")))?;
    let items = match &value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(map) => match map.get("results") {
            Some(serde_json::Value::Array(items)) => items,
            _ => {
                return Err(AppError::validation(
                    "the body must be {\"results\": [ … ]} or an array of results",
                ));
            }
        },
        _ => {
            return Err(AppError::validation(
                "the body must be an object or an array",
            ));
        }
    };
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(object) = item.as_object() else {
            errors.push(RowError {
                line: index + 1,
                field: String::new(),
                message: "a result must be a JSON object".into(),
            });
            continue;
        };
        let field = |name: &str| {
            match object.get(name) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            }
            .or_else(|| field_default(name))
        };
        if let Some(row) = row_from_fields(index + 1, &field, &mut errors) {
            rows.push(row);
        }
    }
    Ok((rows, errors))
}

async fn submit(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    headers: HeaderMap,
    params: Result<Query<SubmitParams>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Response, AppError> {
    let Query(params) = params.map_err(|err| AppError::query_parameter(err.body_text()))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_ascii_lowercase();
    let field_default = |name: &str| defaults(&params, name);
    let (rows, mut errors) = if content_type.starts_with("text/csv") {
        let text = std::str::from_utf8(&body)
            .map_err(|err| AppError::validation(format!("the CSV is not UTF-8: {err}")))?;
        rows_from_csv(text, &field_default)
    } else if content_type.starts_with("application/json") {
        rows_from_json(&body, &field_default)?
    } else {
        return Err(AppError::unsupported_media_type(format!(
            "`{content_type}`: send application/json or text/csv"
        )));
    };
    if !errors.is_empty() {
        // The rows that did read are still checked, so that one answer lists every broken row.
        let (_, more) = anxin_store::lab::prepare_results(&rows);
        errors = anxin_store::lab::merge_errors(errors, more);
        return Err(domain::refused(&errors));
    }
    match domain::submit(&*state.store, &viewer, &rows).await {
        Ok(stored) => Ok((
            StatusCode::CREATED,
            Json(serde_json::json!({ "results": stored })),
        )
            .into_response()),
        Err(Submitted::Refused(errors)) => Err(domain::refused(&errors)),
        Err(Submitted::Error(error)) => Err(error),
    }
}

async fn results(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(lot): Path<String>,
) -> Result<Response, AppError> {
    let lot = domain::lot_of(&lot)?;
    let origin = domain::origin(&*state.store, &lot).await?;
    domain::require(&viewer, &origin, false)?;
    let results = state.store.lab_results(SampleOf::Lot, &lot).await?;
    Ok(Json(serde_json::json!({ "lot": lot, "results": results })).into_response())
}

async fn judgment(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(lot): Path<String>,
) -> Result<Response, AppError> {
    let lot = domain::lot_of(&lot)?;
    let origin = domain::origin(&*state.store, &lot).await?;
    domain::require(&viewer, &origin, false)?;
    let judged = domain::judge_lot(&*state.store, &origin).await?;
    Ok(Json(judged).into_response())
}

async fn release(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(lot): Path<String>,
) -> Result<Response, AppError> {
    match domain::release(&*state.store, &viewer, &lot).await {
        Ok(released) => {
            let mut response = (StatusCode::CREATED, Json(&released)).into_response();
            if let Some(path) = released
                .certificate
                .as_deref()
                .and_then(|p| header::HeaderValue::from_str(p).ok())
            {
                response.headers_mut().insert(header::LOCATION, path);
            }
            Ok(response)
        }
        Err((error, Some(failed))) => {
            let mut problem = error.to_json();
            problem["release"] = serde_json::to_value(&failed).map_err(AppError::internal)?;
            Ok((
                error.status,
                [(header::CONTENT_TYPE, "application/problem+json")],
                problem.to_string(),
            )
                .into_response())
        }
        Err((error, None)) => Err(error),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StandardRequest {
    /// The product (GTIN in any form); left out for a plant's raw-milk acceptance standard
    /// (one whose products are raw milk only), which belongs to the committing plant.
    #[serde(default)]
    gtin: Option<String>,
    /// The standard as TOML (the `anxin-quality` format with `enterprise = "…"`).
    text: String,
}

async fn commit_standard(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    body: Bytes,
) -> Result<Response, AppError> {
    let request: StandardRequest = serde_json::from_slice(&body).map_err(|err| {
        AppError::validation(format!(
            "the body must be {{\"gtin\": \"…\", \"text\": \"<TOML>\"}}: {err}"
        ))
    })?;
    let Some(party) = viewer.account.party.clone() else {
        return Err(AppError::forbidden(
            "only a manufacturer commits an enterprise standard for its product",
        ));
    };
    if viewer.account.role != anxin_store::Role::Manufacturer {
        return Err(AppError::forbidden(format!(
            "a {} account does not commit enterprise standards; the product's manufacturer does",
            viewer.account.role
        )));
    }
    let catalogue = domain::catalogue()?;
    let reviewed = anxin_quality::review(catalogue, "enterprise standard", &request.text).map_err(
        |refusal| {
            AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                crate::Exception::Validation,
                format!("the enterprise standard is refused: {refusal}"),
            )
        },
    )?;
    let raw_milk_only = reviewed
        .standard()
        .products
        .iter()
        .all(|p| *p == anxin_quality::ProductType::RawMilk);
    let gtin = match (&request.gtin, raw_milk_only) {
        (None, true) => anxin_store::lab::RAW_MILK_GTIN.to_owned(),
        (Some(_), true) => {
            return Err(AppError::validation(
                "a raw-milk acceptance standard is the receiving plant's, not a product's: leave out `gtin`",
            ));
        }
        (None, false) => {
            return Err(AppError::validation(
                "`gtin` is required: the standard covers formula, so it is committed for a product",
            ));
        }
        (Some(text), false) => {
            let gtin = anxin_gs1::Gtin::parse(text.trim())
                .map(|g| g.as_str().to_owned())
                .map_err(|err| AppError::validation(format!("gtin `{text}`: {err}")))?;
            // The product must be the manufacturer's: its GTIN carries the party's company
            // prefix.
            let prefix_ok = anxin_gs1::PrefixTable::bundled()
                .company_prefix_len(party.as_str())
                .is_some_and(|len| gtin.get(1..1 + len) == party.as_str().get(..len));
            if !prefix_ok {
                return Err(AppError::forbidden(format!(
                    "the GTIN {gtin} is not under the company prefix of party {party}"
                )));
            }
            gtin
        }
    };
    let row = CommittedStandard {
        standard_id: 0,
        party: party.as_str().to_owned(),
        gtin: gtin.clone(),
        code: reviewed.standard().code.clone(),
        text: request.text,
        account_id: viewer.account.account_id,
        committed_ms: anxin_store::now_ms(),
    };
    let standard_id = state.store.add_committed_standard(&row).await?;
    state.lot_facts.standards_changed();
    let row = CommittedStandard { standard_id, ..row };
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "standard": domain::committed_view(&row, &reviewed),
            "gtin": gtin,
            "notes": reviewed.notes,
        })),
    )
        .into_response())
}

async fn findings(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
) -> Result<Response, AppError> {
    let (findings, truncated) =
        domain::findings(&*state.store, state.tracer.as_deref(), &viewer).await?;
    Ok(Json(serde_json::json!({
        "findings": findings,
        "truncated": truncated,
        "shipmentsReadMax": domain::FINDINGS_SHIPMENTS_MAX,
    }))
    .into_response())
}

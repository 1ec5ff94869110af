//! `POST /api/v1/labels/check`: a label's or an advertisement's text checked against the label
//! and advertising rules (`anxin_quality::label`, the same rules and code as `anxin check label`).
//!
//! No token: checking words stores nothing and reveals nothing about anyone, so a manufacturer
//! drafting a label, a shop inspector reading one and a regulator reading an advertisement use it
//! alike. The body is JSON: `{"text": "…", "kind": "label" | "advertisement", "stage": 1,
//! "registration": {"registration_number": "国食注字YP…", "stage": 1, "declared": […]}}`
//! (`kind` defaults to `label`; `stage` and `registration` are optional). The answer lists every
//! finding with the words quoted, their line and column, the rule and its source.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use serde::{Deserialize, Serialize};

use anxin_quality::label::{Finding, LabelContext, LabelRules, Registration, TextKind};

use crate::{AppError, AppState};

/// The longest text checked at once, in bytes: a label or an advertisement's copy, not a
/// document collection (an assumption of this API, not a figure from any rule).
pub const TEXT_BYTES_MAX: usize = 256 * 1024;

/// The routes (to be nested under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/labels/check", post(check))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRequest {
    text: String,
    #[serde(default = "label_kind")]
    kind: TextKind,
    stage: Option<u8>,
    registration: Option<Registration>,
}

fn label_kind() -> TextKind {
    TextKind::Label
}

/// The answer: what was checked and every finding.
#[derive(Serialize)]
struct CheckAnswer {
    kind: TextKind,
    stage: Option<u8>,
    registration_number: Option<String>,
    /// True when nothing was found.
    clean: bool,
    findings: Vec<Finding>,
}

fn rules() -> &'static LabelRules {
    static RULES: std::sync::OnceLock<LabelRules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        LabelRules::embedded().unwrap_or_else(|e| panic!("the embedded label rules: {e:?}"))
    })
}

async fn check(body: Bytes) -> Result<Json<CheckAnswer>, AppError> {
    let request: CheckRequest = serde_json::from_slice(&body).map_err(|e| {
        AppError::validation(format!(
            "the body is not a label check request (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    if request.text.len() > TEXT_BYTES_MAX {
        return Err(AppError::validation(format!(
            "/text: {} bytes, more than the {TEXT_BYTES_MAX} a label check takes",
            request.text.len()
        )));
    }
    if let Some(stage) = request.stage
        && !(1..=3).contains(&stage)
    {
        return Err(AppError::validation(format!(
            "/stage: {stage} is not 1, 2 or 3"
        )));
    }
    let registration = request
        .registration
        .map(Registration::checked)
        .transpose()
        .map_err(|message| AppError::validation(format!("/registration: {message}")))?;
    let registration_number = registration.as_ref().map(|r| r.registration_number.clone());
    let context = LabelContext {
        kind: request.kind,
        stage: request.stage,
        registration,
    };
    let findings = rules().check(&request.text, &context);
    Ok(Json(CheckAnswer {
        kind: request.kind,
        stage: request.stage,
        registration_number,
        clean: findings.is_empty(),
        findings,
    }))
}

//! The certificate of analysis (检验报告) of a released lot, public at `/coa/{lot}` (the lot in
//! any GS1 form, URL-encoded): Chinese HTML (askama, `templates/coa.html`) or JSON
//! (`?format=json` or `Accept: application/json`), listing every result the release rested
//! on, every check with its limit, rule and source, and the verdict, with a QR code of the
//! lot's Digital Link (served by the passport), or a printable A4 PDF (`?format=pdf`,
//! `anxin_report`) in Noto Sans CJK SC read from [`font_path`]. Only a released lot has a
//! certificate: any other gets 404.
//!
//! The certificate shows what was judged when the lot was released (the judgment stored with
//! the release row), not a judgment made again today.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use anxin_store::lab::SampleOf;

use crate::{AppError, AppState, lab};

/// The certificate route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/coa/{lot}", get(certificate))
}

/// One result on a certificate.
#[derive(Serialize, Clone, Debug)]
pub struct CoaResult {
    /// The analyte's ID.
    pub analyte: String,
    /// Its Chinese name.
    pub analyte_zh: String,
    /// The result as written.
    pub value: String,
    /// Its unit.
    pub unit: String,
    /// The method.
    pub method: String,
    /// The laboratory.
    pub laboratory: String,
    /// The analyst.
    pub analyst: String,
    /// The result's ID.
    pub result_id: i64,
}

/// One check on a certificate.
#[derive(Serialize, Clone, Debug)]
pub struct CoaCheck {
    /// The analyte or rule.
    pub subject: String,
    /// The outcome word.
    pub outcome: String,
    /// The outcome in Chinese.
    pub outcome_zh: String,
    /// Whether it failed.
    pub failed: bool,
    /// The rule.
    pub rule: String,
    /// The value compared.
    pub value: Option<String>,
    /// The source (standard, clause, confidence).
    pub source: String,
}

/// A certificate's facts.
#[derive(Serialize, Clone, Debug)]
pub struct Certificate {
    /// The lot's canonical Digital Link.
    pub link: String,
    /// The lot's page on this platform.
    pub lot_page: String,
    /// The GTIN.
    pub gtin: String,
    /// The lot number.
    pub lot_number: String,
    /// The product.
    pub product: Option<String>,
    /// The brand.
    pub brand: Option<String>,
    /// The production date.
    pub produced: String,
    /// When it was released.
    pub released_at: String,
    /// The verdict word.
    pub verdict: String,
    /// The verdict in Chinese.
    pub verdict_zh: String,
    /// Whether it is conformant.
    pub conformant: bool,
    /// The standards applied.
    pub standards: Vec<String>,
    /// The committed enterprise standard's code, if one applied.
    pub enterprise: Option<String>,
    /// The release event's ID.
    pub event_id: String,
    /// Every result judged.
    pub results: Vec<CoaResult>,
    /// Every check.
    pub checks: Vec<CoaCheck>,
    /// What the judgment assumed.
    pub assumptions: Vec<String>,
}

#[derive(Template)]
#[template(path = "coa.html")]
struct CoaPage<'a> {
    c: &'a Certificate,
    qr_svg: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoaParams {
    format: Option<String>,
}

fn verdict_zh(verdict: &str) -> &'static str {
    match verdict {
        "conformant" => "合格",
        "non-conformant" | "non_conformant" => "不合格",
        _ => "不完整",
    }
}

fn outcome_zh(outcome: &str) -> &'static str {
    match outcome {
        "pass" => "符合",
        "fail" => "不符合",
        "unverified" => "限量未核实",
        "missing" => "缺项",
        "undetermined" => "无法判定",
        _ => "说明",
    }
}

/// The certificate of a lot, if it was released.
pub async fn certificate_of(state: &AppState, lot_text: &str) -> Result<Certificate, AppError> {
    let lot = lab::lot_of(lot_text)?;
    let Some(release) = state.store.releases(&lot).await?.pop() else {
        return Err(AppError::not_found(format!(
            "`{lot}` has no certificate of analysis: it was not released"
        )));
    };
    let judgment: serde_json::Value =
        serde_json::from_str(&release.judgment_json).map_err(AppError::internal)?;
    let ids: Vec<i64> =
        serde_json::from_str(&release.result_ids_json).map_err(AppError::internal)?;
    let results = state
        .store
        .lab_results(SampleOf::Lot, &lot)
        .await?
        .into_iter()
        .filter(|r| ids.contains(&r.result_id))
        .map(|r| CoaResult {
            analyte_zh: anxin_quality::analyte::find(&r.analyte)
                .map_or_else(|| r.analyte.clone(), |a| a.name_cn.to_owned()),
            analyte: r.analyte,
            value: r.value,
            unit: r.unit,
            method: r.method,
            laboratory: r.laboratory,
            analyst: r.analyst,
            result_id: r.result_id,
        })
        .collect();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    let checks = judgment["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let outcome = text(&c["outcome"]);
            CoaCheck {
                subject: text(&c["subject"]),
                outcome_zh: outcome_zh(&outcome).to_owned(),
                failed: outcome == "fail",
                outcome,
                rule: text(&c["rule"]),
                value: c["value"].as_str().map(str::to_owned),
                source: format!(
                    "{} {}（可信度 {}）",
                    text(&c["source"]["standard"]),
                    text(&c["source"]["clause"]),
                    c["source"]["confidence"]
                        .as_str()
                        .map_or_else(|| c["source"]["confidence"].to_string(), str::to_owned)
                ),
            }
        })
        .collect();
    let facts = &judgment["facts"];
    let gtin = text(&facts["gtin"]);
    let lot_number = text(&facts["lot_number"]);
    Ok(Certificate {
        lot_page: format!(
            "/01/{gtin}/10/{}",
            form_urlencoded::byte_serialize(lot_number.as_bytes()).collect::<String>()
        ),
        link: lot.clone(),
        gtin,
        lot_number,
        product: facts["product"].as_str().map(str::to_owned),
        brand: facts["brand"].as_str().map(str::to_owned),
        produced: text(&facts["produced"]),
        released_at: lab::rfc3339(release.released_ms),
        verdict_zh: verdict_zh(&release.verdict).to_owned(),
        conformant: release.verdict == "conformant",
        verdict: release.verdict,
        standards: judgment["standards"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        enterprise: judgment["enterprise_standard"]["code"]
            .as_str()
            .map(str::to_owned),
        event_id: release.event_id,
        results,
        checks,
        assumptions: facts["assumptions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
    })
}

async fn certificate(
    State(state): State<AppState>,
    Path(lot): Path<String>,
    headers: HeaderMap,
    params: Result<Query<CoaParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Query(params) = params.map_err(|err| AppError::query_parameter(err.body_text()))?;
    let json = match params.format.as_deref() {
        None | Some("html") => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("application/json")),
        Some("json") => true,
        Some("pdf") => {
            let certificate = certificate_of(&state, &lot).await?;
            return pdf(&certificate).await;
        }
        Some(other) => {
            return Err(AppError::query_parameter(format!(
                "format `{other}` is not one of html, json, pdf"
            )));
        }
    };
    let certificate = certificate_of(&state, &lot).await?;
    if json {
        return Ok(Json(certificate).into_response());
    }
    let page = CoaPage {
        qr_svg: crate::passport::qr_svg(&certificate.link),
        c: &certificate,
    };
    let html = page.render().map_err(AppError::internal)?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

/// The CJK font the PDF is set in: `ANXIN_CJK_FONT` (a font file; face
/// `ANXIN_CJK_FONT_INDEX`, default 0) or Debian's `fonts-noto-cjk` collection at its Simplified
/// Chinese face.
pub fn font_path() -> (std::path::PathBuf, u32) {
    match std::env::var_os("ANXIN_CJK_FONT") {
        Some(path) => (
            path.into(),
            std::env::var("ANXIN_CJK_FONT_INDEX")
                .ok()
                .and_then(|i| i.parse().ok())
                .unwrap_or(0),
        ),
        None => (
            anxin_report::NOTO_CJK_PATH.into(),
            anxin_report::NOTO_CJK_SC_INDEX,
        ),
    }
}

async fn font() -> Result<(std::sync::Arc<Vec<u8>>, u32), AppError> {
    static FONT: tokio::sync::OnceCell<(std::sync::Arc<Vec<u8>>, u32)> =
        tokio::sync::OnceCell::const_new();
    FONT.get_or_try_init(|| async {
        let (path, face) = font_path();
        let read = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || std::fs::read(path))
                .await
                .map_err(AppError::internal)?
        };
        match read {
            Ok(bytes) => Ok((std::sync::Arc::new(bytes), face)),
            Err(err) => Err(AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                crate::Exception::Implementation,
                format!(
                    "the printable certificate needs a Chinese font at {} ({err}); install fonts-noto-cjk or set ANXIN_CJK_FONT",
                    path.display()
                ),
            )),
        }
    })
    .await
    .cloned()
}

async fn pdf(c: &Certificate) -> Result<Response, AppError> {
    let (bytes, face) = font().await?;
    let report = anxin_report::Certificate {
        product: c.product.clone().unwrap_or_else(|| "未登记".to_owned()),
        brand: c.brand.clone().unwrap_or_else(|| "未登记".to_owned()),
        gtin: c.gtin.clone(),
        lot_number: c.lot_number.clone(),
        produced: c.produced.clone(),
        released_at: c.released_at.clone(),
        verdict: format!("{}（{}）", c.verdict_zh, c.verdict),
        standards: c.standards.join("；"),
        enterprise: c
            .enterprise
            .as_ref()
            .map_or_else(|| "无".to_owned(), |code| format!("{code}（公开承诺）")),
        event_id: c.event_id.clone(),
        link: c.link.clone(),
        results: c
            .results
            .iter()
            .map(|r| anxin_report::ResultRow {
                analyte: format!("{}（{}）", r.analyte_zh, r.analyte),
                value: format!("{} {}", r.value, r.unit),
                method: r.method.clone(),
                by: format!("{} / {}", r.laboratory, r.analyst),
            })
            .collect(),
        checks: c
            .checks
            .iter()
            .map(|k| anxin_report::CheckRow {
                subject: k.subject.clone(),
                outcome: k.outcome_zh.clone(),
                rule: k.rule.clone(),
                source: k.source.clone(),
            })
            .collect(),
        notes: c.assumptions.clone(),
    };
    let pdf =
        tokio::task::spawn_blocking(move || anxin_report::certificate_pdf(&report, bytes, face))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
    let disposition = format!("inline; filename=\"coa-{}-{}.pdf\"", c.gtin, c.lot_number);
    let mut response = (StatusCode::OK, pdf).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = header::HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

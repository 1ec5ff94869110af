//! `/api/v1/raw-milk/…` and `/api/v1/haccp/…`: a plant's raw-milk receiving tests and HACCP
//! records, over HTTP.
//!
//! Every route needs a token. A manufacturer records and reads its own plant's (its party's)
//! records; a regulator reads the records of plants whose manufacturer accounts lie in its
//! jurisdiction; the admin reads all. Input is checked with `anxin-quality` before anything is
//! stored (unknown analytes or units, negative or absurd values, a result given twice, an unknown
//! control point): a 400 problem lists every broken item, and nothing of the request is stored.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use anxin_quality::judge::{Measurement, Reading};
use anxin_quality::raw_milk::{self, Delivery};
use anxin_quality::{Catalogue, EnterpriseStandard, Fact, ProductType, Sample};
use anxin_store::quality::{self as records, holds};
use anxin_store::{
    ControlPointRow, CorrectiveActionRow, HaccpLotRow, HaccpReadingRow, RawMilkTestRow, Role,
    Viewer,
};

use crate::auth::Authenticated;
use crate::{AppError, AppState};

/// At most this many results, readings or lots in one request: a wrong file, not a plant's
/// record, beyond it (an assumption of this API, not a figure from any standard).
pub const ITEMS_PER_REQUEST_MAX: usize = 20_000;

/// The routes (to be nested under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/raw-milk/tests", post(add_tests))
        .route("/raw-milk/deliveries/{id}", get(show_delivery))
        .route("/haccp/control-points", post(add_control_points))
        .route("/haccp/readings", post(add_readings))
        .route("/haccp/corrective-actions", post(add_action))
        .route("/haccp/holds", get(list_holds))
}

fn national() -> &'static Catalogue {
    static CATALOGUE: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
    CATALOGUE.get_or_init(|| {
        Catalogue::national().unwrap_or_else(|e| panic!("the embedded national standards: {e}"))
    })
}

/// A plant's raw-milk acceptance standard: the latest standard its party committed publicly
/// (`POST /api/v1/enterprise-standards` without a GTIN, `anxin_store::lab::RAW_MILK_GTIN`) that
/// covers raw milk, reviewed again against the national catalogue. `None`: the plant committed
/// none, and its milk is judged against the national standards only.
pub(crate) async fn plant_standard(
    store: &dyn anxin_store::Store,
    plant: &str,
) -> Result<Option<(anxin_store::lab::CommittedStandard, EnterpriseStandard)>, AppError> {
    for row in store
        .committed_standards_by_party(plant)
        .await?
        .into_iter()
        .rev()
    {
        if row.gtin != anxin_store::lab::RAW_MILK_GTIN {
            continue;
        }
        let reviewed = anxin_quality::review(national(), &row.code, &row.text).map_err(|err| {
            AppError::internal(format!(
                "a committed raw-milk standard no longer reviews: {err}"
            ))
        })?;
        if reviewed
            .standard()
            .products
            .contains(&anxin_quality::ProductType::RawMilk)
        {
            return Ok(Some((row, reviewed)));
        }
    }
    Ok(None)
}

/// The plant a manufacturer speaks for.
fn own_plant(viewer: &Viewer) -> Result<String, AppError> {
    match (viewer.account.role, &viewer.account.party) {
        (Role::Manufacturer, Some(party)) => Ok(party.as_str().to_owned()),
        _ => Err(AppError::forbidden(format!(
            "a {} account records no raw-milk tests or HACCP records; a manufacturer records its own plant's",
            viewer.account.role
        ))),
    }
}

/// Whether `viewer` may read `plant`'s records.
async fn may_read(state: &AppState, viewer: &Viewer, plant: &str) -> Result<(), AppError> {
    let account = &viewer.account;
    let allowed = match account.role {
        Role::Admin => true,
        Role::Manufacturer => account.party.as_ref().is_some_and(|p| p.as_str() == plant),
        Role::Regulator => {
            let jurisdiction = account.region;
            state
                .store
                .list_accounts()
                .await?
                .iter()
                .filter(|other| other.role == Role::Manufacturer)
                .filter(|other| other.party.as_ref().is_some_and(|p| p.as_str() == plant))
                .any(|other| match (jurisdiction, other.region) {
                    (Some(jurisdiction), Some(region)) => jurisdiction.contains(&region),
                    _ => false,
                })
        }
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::forbidden(format!(
            "plant {plant}'s records are its manufacturer's and its regulator's"
        )))
    }
}

fn body<T: serde::de::DeserializeOwned>(bytes: &Bytes, expected: &str) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|err| {
        AppError::validation(format!(
            "the body is not the JSON expected ({expected}): {err}"
        ))
    })
}

fn millis(text: &str, what: &str) -> Result<i64, AppError> {
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|err| {
            AppError::validation(format!("{what} {text:?} is not an RFC 3339 time: {err}"))
        })
}

fn too_many(n: usize) -> Result<(), AppError> {
    if n > ITEMS_PER_REQUEST_MAX {
        return Err(AppError::validation(format!(
            "{n} items in one request; at most {ITEMS_PER_REQUEST_MAX}"
        )));
    }
    Ok(())
}

// ----- raw milk --------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestsRequest {
    /// The delivery: the raw-milk lot's LGTIN URN.
    delivery: String,
    supplier: String,
    /// RFC 3339, with the plant's offset (its date decides the standards in force).
    received: String,
    facts: Vec<String>,
    results: Vec<ResultItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultItem {
    analyte: String,
    /// A number, or a string: `<0.01` (below the detection limit), `detected`, `not detected`.
    value: serde_json::Value,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    sample_unit: Option<u32>,
}

fn measurement(item: &ResultItem) -> Result<Measurement, String> {
    let analyte = anxin_quality::analyte::find(&item.analyte)
        .ok_or_else(|| format!("unknown analyte {:?}", item.analyte))?;
    let reading = match &item.value {
        serde_json::Value::Number(n) => Reading::Value(n.as_f64().ok_or("not a number")?),
        serde_json::Value::String(text) => {
            let lower = text.trim().to_lowercase();
            match lower.as_str() {
                "detected" => Reading::Detected,
                "not detected" | "nd" => Reading::NotDetected,
                _ => match lower.strip_prefix('<') {
                    Some(lod) => Reading::BelowDetection(
                        lod.trim()
                            .parse()
                            .map_err(|_| format!("{text:?} is not <LOD"))?,
                    ),
                    None => {
                        return Err(format!(
                            "value {text:?} is not a number, <LOD, detected or not detected"
                        ));
                    }
                },
            }
        }
        other => return Err(format!("value {other} is not a number or a string")),
    };
    let unit = match item.unit.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            anxin_quality::unit::Unit::parse(text)
                .ok_or_else(|| format!("unknown unit {text:?}"))?,
        ),
    };
    Ok(Measurement {
        analyte,
        reading,
        unit,
        sample_unit: item.sample_unit,
    })
}

async fn add_tests(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let plant = own_plant(&viewer)?;
    let request: TestsRequest = body(
        &bytes,
        "delivery, supplier, received, facts, results [{analyte, value, unit, sample_unit}]",
    )?;
    too_many(request.results.len())?;
    if !request.delivery.starts_with("urn:epc:class:lgtin:") {
        return Err(AppError::validation(format!(
            "delivery {:?} must be the raw-milk lot's LGTIN URN (urn:epc:class:lgtin:…)",
            request.delivery
        )));
    }
    let received_ms = millis(&request.received, "received")?;
    let received_date = request
        .received
        .parse::<jiff::Timestamp>()
        .ok()
        .and_then(|_| request.received.get(..10))
        .and_then(|date| date.parse::<jiff::civil::Date>().ok())
        .ok_or_else(|| AppError::validation("received must start with its date (YYYY-MM-DD)"))?;
    let facts = request
        .facts
        .iter()
        .map(|fact| Fact::parse(fact).ok_or_else(|| format!("unknown fact {fact:?}")))
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::validation)?;
    let mut problems = Vec::new();
    let mut measurements = Vec::new();
    for (index, item) in request.results.iter().enumerate() {
        match measurement(item) {
            Ok(m) => measurements.push(m),
            Err(message) => problems.push(format!(
                "result {} ({}): {message}",
                index + 1,
                item.analyte
            )),
        }
    }
    if problems.is_empty()
        && let Err(errors) = Sample::new(
            ProductType::RawMilk,
            received_date,
            facts.iter().copied(),
            measurements.clone(),
        )
    {
        problems.extend(errors.iter().map(ToString::to_string));
    }
    if !problems.is_empty() {
        return Err(AppError::validation(format!(
            "nothing was stored: {}",
            problems.join("; ")
        )));
    }
    let now = anxin_store::now_ms();
    let facts_text = request.facts.join(",");
    let rows: Vec<RawMilkTestRow> = measurements
        .iter()
        .map(|m| {
            let (reading, value) = match m.reading {
                Reading::Value(v) => ("value", Some(v)),
                Reading::BelowDetection(v) => ("below_detection", Some(v)),
                Reading::Detected => ("detected", None),
                Reading::NotDetected => ("not_detected", None),
            };
            RawMilkTestRow {
                delivery_id: request.delivery.clone(),
                plant_gln: plant.clone(),
                supplier: request.supplier.clone(),
                received_ms,
                received_date: received_date.to_string(),
                facts: facts_text.clone(),
                analyte: m.analyte.id.to_owned(),
                reading: reading.to_owned(),
                value,
                unit: m.unit.map(|u| u.to_string()),
                sample_unit: m.sample_unit.map(i64::from),
                account_id: viewer.account.account_id,
                created_ms: now,
            }
        })
        .collect();
    state.store.add_raw_milk_tests(&rows).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "delivery": request.delivery, "stored": rows.len() })),
    )
        .into_response())
}

async fn show_delivery(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let rows = state.store.raw_milk_tests(&id).await?;
    let Some(first) = rows.first() else {
        return Err(AppError::not_found(format!(
            "no receiving tests are recorded for delivery {id}"
        )));
    };
    may_read(&state, &viewer, &first.plant_gln).await?;
    let plant = first.plant_gln.clone();
    let delivery: Delivery = records::delivery(&rows)?
        .ok_or_else(|| AppError::not_found(format!("no receiving tests for {id}")))?;
    let committed = plant_standard(&*state.store, &plant).await?;
    let acceptance = raw_milk::accept(national(), committed.as_ref().map(|(_, e)| e), &delivery)
        .map_err(|errors| {
            AppError::validation(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
    let reasons: Vec<_> = acceptance.judgment.reasons().collect();
    Ok(Json(serde_json::json!({
        "delivery": id,
        "plant": plant,
        "supplier": delivery.supplier,
        "received": delivery.received.to_string(),
        "decision": acceptance.decision,
        // Which standards the milk was judged against: the plant's committed raw-milk standard
        // when it has one, else the national ones only.
        "judged_against": if committed.is_some() { "national_and_plant_standard" } else { "national_only" },
        "plant_standard": committed.as_ref().map(|(row, reviewed)| crate::lab::committed_view(row, reviewed)),
        "standards": acceptance.judgment.standards,
        "reasons": reasons,
    }))
    .into_response())
}

// ----- HACCP -----------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlPointsRequest {
    control_points: Vec<anxin_quality::haccp::ControlPoint>,
}

async fn add_control_points(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let plant = own_plant(&viewer)?;
    let request: ControlPointsRequest = body(
        &bytes,
        "control_points [{id, line, step, parameter, unit, min, max, monitoring_interval_max_s}]",
    )?;
    too_many(request.control_points.len())?;
    let mut problems = Vec::new();
    for point in &request.control_points {
        let limits: Vec<f64> = point.min.into_iter().chain(point.max).collect();
        if limits.is_empty() {
            problems.push(format!("{} has no critical limit", point.id));
        }
        if limits.iter().any(|v| !v.is_finite()) {
            problems.push(format!("{}: limits must be finite numbers", point.id));
        }
        if let (Some(min), Some(max)) = (point.min, point.max)
            && min > max
        {
            problems.push(format!("{}: min {min} is above max {max}", point.id));
        }
    }
    if !problems.is_empty() {
        return Err(AppError::validation(format!(
            "nothing was stored: {}",
            problems.join("; ")
        )));
    }
    let now = anxin_store::now_ms();
    let rows: Vec<ControlPointRow> = request
        .control_points
        .iter()
        .map(|point| ControlPointRow {
            plant_gln: plant.clone(),
            ccp_id: point.id.clone(),
            line: point.line.clone(),
            step: serde_json::to_value(point.step)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            parameter: point.parameter.clone(),
            unit: point.unit.clone(),
            min: point.min,
            max: point.max,
            interval_s: point.monitoring_interval_max_s.map(|s| s as i64),
            created_ms: now,
        })
        .collect();
    state.store.add_control_points(&rows).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "stored": rows.len() })),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadingsRequest {
    /// The production run (a plant's day or batch record).
    run: String,
    readings: Vec<ReadingItem>,
    /// The lots the run made, with their production windows.
    #[serde(default)]
    lots: Vec<LotItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadingItem {
    ccp: String,
    at: String,
    value: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LotItem {
    lot: String,
    line: String,
    start: String,
    end: String,
}

async fn add_readings(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let plant = own_plant(&viewer)?;
    let request: ReadingsRequest = body(
        &bytes,
        "run, readings [{ccp, at, value}], lots [{lot, line, start, end}]",
    )?;
    too_many(request.readings.len() + request.lots.len())?;
    if request.run.trim().is_empty() {
        return Err(AppError::validation("run must name the production run"));
    }
    let known: Vec<String> = state
        .store
        .control_points(&plant)
        .await?
        .into_iter()
        .map(|point| point.ccp_id)
        .collect();
    let now = anxin_store::now_ms();
    let mut problems = Vec::new();
    let mut readings = Vec::new();
    for (index, item) in request.readings.iter().enumerate() {
        let mut fail = |message: String| {
            problems.push(format!("reading {} ({}): {message}", index + 1, item.ccp))
        };
        if !known.contains(&item.ccp) {
            fail(
                "unknown control point: register it first (POST /api/v1/haccp/control-points)"
                    .into(),
            );
            continue;
        }
        if !item.value.is_finite() {
            fail("the value is not a finite number".into());
            continue;
        }
        match millis(&item.at, "at") {
            Ok(at_ms) => readings.push(HaccpReadingRow {
                plant_gln: plant.clone(),
                ccp_id: item.ccp.clone(),
                run: request.run.clone(),
                at_ms,
                value: item.value,
                account_id: viewer.account.account_id,
                created_ms: now,
            }),
            Err(err) => fail(err.to_string()),
        }
    }
    let mut lots = Vec::new();
    for (index, item) in request.lots.iter().enumerate() {
        match (millis(&item.start, "start"), millis(&item.end, "end")) {
            (Ok(start_ms), Ok(end_ms)) if start_ms <= end_ms => lots.push(HaccpLotRow {
                plant_gln: plant.clone(),
                line: item.line.clone(),
                run: request.run.clone(),
                lot: item.lot.clone(),
                start_ms,
                end_ms,
                created_ms: now,
            }),
            (Ok(_), Ok(_)) => problems.push(format!(
                "lot {} ({}): it ends before it starts",
                index + 1,
                item.lot
            )),
            (Err(err), _) | (_, Err(err)) => {
                problems.push(format!("lot {} ({}): {err}", index + 1, item.lot))
            }
        }
    }
    if !problems.is_empty() {
        return Err(AppError::validation(format!(
            "nothing was stored: {}",
            problems.join("; ")
        )));
    }
    state.store.add_haccp_readings(&readings).await?;
    state.store.add_haccp_lots(&lots).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "readings": readings.len(), "lots": lots.len() })),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionRequest {
    ccp: String,
    deviation_start: String,
    by: String,
    action: String,
}

async fn add_action(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let plant = own_plant(&viewer)?;
    let request: ActionRequest = body(&bytes, "ccp, deviation_start, by, action")?;
    if request.action.trim().is_empty() || request.by.trim().is_empty() {
        return Err(AppError::validation("say who did what (by, action)"));
    }
    let now = anxin_store::now_ms();
    let row = CorrectiveActionRow {
        plant_gln: plant,
        ccp_id: request.ccp,
        deviation_start_ms: millis(&request.deviation_start, "deviation_start")?,
        recorded_ms: now,
        by: request.by,
        action: request.action,
        account_id: viewer.account.account_id,
        created_ms: now,
    };
    state
        .store
        .add_corrective_action(&row)
        .await
        .map_err(|err| match err {
            anxin_store::StoreError::ConstraintViolation(message) => AppError::validation(message),
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "recorded": true })),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HoldsParams {
    plant: Option<String>,
}

async fn list_holds(
    State(state): State<AppState>,
    Authenticated(viewer): Authenticated,
    params: Result<Query<HoldsParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Query(params) = params.map_err(|err| AppError::query_parameter(err.body_text()))?;
    let plant = match params.plant {
        Some(plant) => plant,
        None => own_plant(&viewer)
            .map_err(|_| AppError::query_parameter("name the plant: ?plant=<its party GLN>"))?,
    };
    may_read(&state, &viewer, &plant).await?;
    let found = holds(state.store.as_ref(), &plant).await?;
    let on_hold: Vec<_> = found.iter().filter(|hold| hold.is_on_hold()).collect();
    let lifted: Vec<_> = found.iter().filter(|hold| !hold.is_on_hold()).collect();
    Ok(Json(serde_json::json!({
        "plant": plant,
        "on_hold": on_hold,
        "lifted": lifted,
    }))
    .into_response())
}

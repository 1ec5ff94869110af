//! Raw-milk receiving tests and HACCP records (issue 7), append-only.
//!
//! Each receiving test result is a row tied to its delivery (the raw-milk lot's LGTIN, as the
//! delivery's EPCIS events name it); a plant's critical control points are registered once each;
//! monitoring readings, the lots each production run made and corrective actions are appended and
//! never changed. What the results mean (acceptance, deviations, holds) is `anxin-quality`'s to
//! decide: this module only says what the backends keep. A batch is stored whole or not at all: a
//! reading for a control point the plant never registered stops the batch with its name.

use crate::{StoreError, StoreFuture};

/// One receiving test result of one raw-milk delivery.
#[derive(Clone, PartialEq, Debug)]
pub struct RawMilkTestRow {
    /// The delivery (the raw-milk lot's LGTIN URN).
    pub delivery_id: String,
    /// The receiving plant's party GLN.
    pub plant_gln: String,
    /// Who delivered it (the farm's GLN or name).
    pub supplier: String,
    /// When it was received, Unix ms.
    pub received_ms: i64,
    /// The day it was received (`YYYY-MM-DD`, the plant's time), deciding the standards in force.
    pub received_date: String,
    /// The milk's facts, snake_case, comma-separated (`cow,holstein`).
    pub facts: String,
    /// The analyte's canonical name.
    pub analyte: String,
    /// `value`, `below_detection`, `detected` or `not_detected`.
    pub reading: String,
    /// The value, or the detection limit (none for a presence test).
    pub value: Option<f64>,
    /// The unit as written (none for a presence test).
    pub unit: Option<String>,
    /// For a sampling plan: which sample unit.
    pub sample_unit: Option<i64>,
    /// The account that submitted it.
    pub account_id: i64,
    /// When the row was written, Unix ms.
    pub created_ms: i64,
}

/// A plant's critical control point, with its critical limits (the plant's own).
#[derive(Clone, PartialEq, Debug)]
pub struct ControlPointRow {
    /// The plant's party GLN.
    pub plant_gln: String,
    /// The plant's identifier for it (unique within the plant).
    pub ccp_id: String,
    /// The production line.
    pub line: String,
    /// The process step, snake_case (`pasteurisation`, …).
    pub step: String,
    /// What is monitored.
    pub parameter: String,
    /// Its unit.
    pub unit: String,
    /// Lower critical limit.
    pub min: Option<f64>,
    /// Upper critical limit.
    pub max: Option<f64>,
    /// Longest allowed time between readings, seconds.
    pub interval_s: Option<i64>,
    /// When the row was written, Unix ms.
    pub created_ms: i64,
}

/// One monitoring reading.
#[derive(Clone, PartialEq, Debug)]
pub struct HaccpReadingRow {
    /// The plant's party GLN.
    pub plant_gln: String,
    /// The control point.
    pub ccp_id: String,
    /// The production run it belongs to (a run's readings form one series).
    pub run: String,
    /// When it was taken, Unix ms.
    pub at_ms: i64,
    /// The value, in the control point's unit.
    pub value: f64,
    /// The account that submitted it.
    pub account_id: i64,
    /// When the row was written, Unix ms.
    pub created_ms: i64,
}

/// A lot a production run made, with its production window.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HaccpLotRow {
    /// The plant's party GLN.
    pub plant_gln: String,
    /// The line.
    pub line: String,
    /// The run.
    pub run: String,
    /// The lot (LGTIN URN).
    pub lot: String,
    /// Production start, Unix ms.
    pub start_ms: i64,
    /// Production end, Unix ms.
    pub end_ms: i64,
    /// When the row was written, Unix ms.
    pub created_ms: i64,
}

/// A corrective action recorded against a deviation (named by control point and start).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CorrectiveActionRow {
    /// The plant's party GLN.
    pub plant_gln: String,
    /// The control point.
    pub ccp_id: String,
    /// The start of the deviation it corrects, Unix ms.
    pub deviation_start_ms: i64,
    /// When it was recorded, Unix ms.
    pub recorded_ms: i64,
    /// Who recorded it.
    pub by: String,
    /// What was done.
    pub action: String,
    /// The account that submitted it.
    pub account_id: i64,
    /// When the row was written, Unix ms.
    pub created_ms: i64,
}

/// Raw-milk tests and HACCP records.
pub trait QualityStore: Send + Sync {
    /// Appends one delivery's (or several deliveries') test results, all or none.
    fn add_raw_milk_tests<'a>(&'a self, rows: &'a [RawMilkTestRow]) -> StoreFuture<'a, ()>;

    /// Every result of one delivery, in the order stored (empty when there is none).
    fn raw_milk_tests<'a>(&'a self, delivery_id: &'a str) -> StoreFuture<'a, Vec<RawMilkTestRow>>;

    /// Registers control points, all or none; one already registered for its plant is a
    /// constraint violation naming it.
    fn add_control_points<'a>(&'a self, rows: &'a [ControlPointRow]) -> StoreFuture<'a, ()>;

    /// A plant's control points, in the order registered.
    fn control_points<'a>(&'a self, plant_gln: &'a str) -> StoreFuture<'a, Vec<ControlPointRow>>;

    /// Appends readings, all or none; a reading for a control point its plant never registered
    /// is a constraint violation naming it.
    fn add_haccp_readings<'a>(&'a self, rows: &'a [HaccpReadingRow]) -> StoreFuture<'a, ()>;

    /// A plant's readings, by control point, run and time.
    fn haccp_readings<'a>(&'a self, plant_gln: &'a str) -> StoreFuture<'a, Vec<HaccpReadingRow>>;

    /// Appends the lots production runs made, all or none.
    fn add_haccp_lots<'a>(&'a self, rows: &'a [HaccpLotRow]) -> StoreFuture<'a, ()>;

    /// A plant's lots with their runs, in the order stored.
    fn haccp_lots<'a>(&'a self, plant_gln: &'a str) -> StoreFuture<'a, Vec<HaccpLotRow>>;

    /// Appends a corrective action; one for a control point its plant never registered is a
    /// constraint violation.
    fn add_corrective_action<'a>(&'a self, row: &'a CorrectiveActionRow) -> StoreFuture<'a, ()>;

    /// A plant's corrective actions, in the order stored.
    fn corrective_actions<'a>(
        &'a self,
        plant_gln: &'a str,
    ) -> StoreFuture<'a, Vec<CorrectiveActionRow>>;
}

/// A stored control point as `anxin-quality` reads it (an unknown step is an error naming it).
pub fn control_point(
    row: &ControlPointRow,
) -> Result<anxin_quality::haccp::ControlPoint, StoreError> {
    let step =
        serde_json::from_value(serde_json::Value::String(row.step.clone())).map_err(|_| {
            StoreError::internal(format!(
                "control point {} has an unknown step {:?}",
                row.ccp_id, row.step
            ))
        })?;
    Ok(anxin_quality::haccp::ControlPoint {
        id: row.ccp_id.clone(),
        line: row.line.clone(),
        step,
        parameter: row.parameter.clone(),
        unit: row.unit.clone(),
        min: row.min,
        max: row.max,
        monitoring_interval_max_s: row.interval_s.and_then(|s| u64::try_from(s).ok()),
        example: false,
    })
}

fn instant(ms: i64) -> Result<jiff::Timestamp, StoreError> {
    jiff::Timestamp::from_millisecond(ms)
        .map_err(|err| StoreError::internal(format!("a stored time of {ms} ms: {err}")))
}

/// A plant's HACCP holds, derived from what is stored: the deviations in each control point's
/// readings (one series per production run, so the time between runs is no monitoring gap), and
/// every lot whose production window overlaps one on its line, held until a corrective action
/// for that deviation is recorded (`anxin_quality::haccp::holds`).
pub async fn holds(
    store: &dyn QualityStore,
    plant_gln: &str,
) -> Result<Vec<anxin_quality::haccp::Hold>, StoreError> {
    use anxin_quality::haccp;
    let points = store.control_points(plant_gln).await?;
    let readings = store.haccp_readings(plant_gln).await?;
    let lots = store.haccp_lots(plant_gln).await?;
    let actions = store.corrective_actions(plant_gln).await?;
    let mut found = Vec::new();
    for row in &points {
        let point = control_point(row)?;
        let mine: Vec<&HaccpReadingRow> =
            readings.iter().filter(|r| r.ccp_id == row.ccp_id).collect();
        let mut runs: Vec<&str> = mine.iter().map(|r| r.run.as_str()).collect();
        runs.dedup();
        for run in runs {
            let series = mine
                .iter()
                .filter(|r| r.run == run)
                .map(|r| {
                    Ok(haccp::Reading {
                        at: instant(r.at_ms)?,
                        value: r.value,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            found.extend(
                haccp::deviations(&point, &series)
                    .map_err(|err| StoreError::internal(format!("run {run}: {err}")))?,
            );
        }
    }
    let windows = lots
        .iter()
        .map(|lot| {
            Ok(haccp::LotWindow {
                lot: lot.lot.clone(),
                line: lot.line.clone(),
                start: instant(lot.start_ms)?,
                end: instant(lot.end_ms)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let corrections = actions
        .iter()
        .map(|action| {
            Ok(haccp::CorrectiveAction {
                ccp: action.ccp_id.clone(),
                deviation_start: instant(action.deviation_start_ms)?,
                recorded_at: instant(action.recorded_ms)?,
                by: action.by.clone(),
                action: action.action.clone(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(haccp::holds(&found, &windows, &corrections))
}

/// A delivery's stored receiving tests as `anxin-quality` reads them, for
/// `anxin_quality::raw_milk::accept`. `None` when nothing is stored for it; a stored row that no
/// longer reads (an analyte, unit, fact or date the quality engine does not know) is an error
/// naming it.
pub fn delivery(
    rows: &[RawMilkTestRow],
) -> Result<Option<anxin_quality::raw_milk::Delivery>, StoreError> {
    use anxin_quality::Reading;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let bad =
        |what: String| StoreError::internal(format!("delivery {}: {what}", first.delivery_id));
    let received = first.received_date.parse().map_err(|_| {
        bad(format!(
            "the stored date {:?} does not read",
            first.received_date
        ))
    })?;
    let facts = first
        .facts
        .split(',')
        .filter(|fact| !fact.is_empty())
        .map(|fact| {
            anxin_quality::Fact::parse(fact).ok_or_else(|| bad(format!("unknown fact {fact:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tests = rows
        .iter()
        .map(|row| {
            let analyte = anxin_quality::analyte::find(&row.analyte)
                .ok_or_else(|| bad(format!("unknown analyte {:?}", row.analyte)))?;
            let unit = row
                .unit
                .as_deref()
                .map(|text| {
                    anxin_quality::unit::Unit::parse(text)
                        .ok_or_else(|| bad(format!("unknown unit {text:?}")))
                })
                .transpose()?;
            let reading = match (row.reading.as_str(), row.value) {
                ("value", Some(value)) => Reading::Value(value),
                ("below_detection", Some(value)) => Reading::BelowDetection(value),
                ("detected", None) => Reading::Detected,
                ("not_detected", None) => Reading::NotDetected,
                (kind, _) => return Err(bad(format!("a {kind:?} reading of {}", row.analyte))),
            };
            Ok(anxin_quality::Measurement {
                analyte,
                reading,
                unit,
                sample_unit: row.sample_unit.and_then(|n| u32::try_from(n).ok()),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(anxin_quality::raw_milk::Delivery {
        id: first.delivery_id.clone(),
        supplier: first.supplier.clone(),
        received,
        facts,
        tests,
    }))
}

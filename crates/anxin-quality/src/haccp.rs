//! HACCP: a plant's critical control points with their limits, deviations found in monitoring
//! time series, the lots made during a deviation, and their hold until a corrective action is
//! recorded.
//!
//! Critical limits are the plant's own (validated for its equipment), so they are data a plant
//! enters, never a standard; the example file `examples/plant-ccps.toml` says so on every entry.
//! A missed monitoring reading (a gap longer than the point's interval) is a deviation too: the
//! process was not shown to be under control. No clock is read: times come with the readings.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// The example plant's critical control points (`examples/plant-ccps.toml`): example limits,
/// marked so on every entry, for tests, demonstrations and the simulator; never a real plant's.
pub const EXAMPLE_PLANT_CCPS: &str = include_str!("../examples/plant-ccps.toml");

/// The process steps the platform knows as critical control points for infant formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Pasteurisation of milk or the wet mix.
    Pasteurisation,
    /// Evaporation (concentration).
    Evaporation,
    /// Spray drying.
    SprayDrying,
    /// Dry blending of base powder and ingredients.
    DryBlending,
    /// Canning and nitrogen flushing.
    CanningNitrogenFlushing,
    /// Metal detection.
    MetalDetection,
}

/// One critical control point of one line.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlPoint {
    /// The plant's identifier for it.
    pub id: String,
    /// The production line.
    pub line: String,
    /// The step.
    pub step: Step,
    /// What is monitored.
    pub parameter: String,
    /// Its unit, as the plant writes it.
    pub unit: String,
    /// Lower critical limit.
    pub min: Option<f64>,
    /// Upper critical limit.
    pub max: Option<f64>,
    /// Longest allowed time between readings; longer is a monitoring gap.
    pub monitoring_interval_max_s: Option<u64>,
    /// Whether these are example limits (never a real plant's).
    #[serde(default)]
    pub example: bool,
}

/// A plant's control points file is broken.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HaccpError {
    /// The control points file.
    #[error("control points: {0}")]
    ControlPoints(String),
    /// A reading.
    #[error("reading {index} of {ccp}: {message}")]
    Reading {
        /// The control point.
        ccp: String,
        /// Position of the reading, from 1.
        index: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlPointsFile {
    ccp: Vec<ControlPoint>,
}

/// Reads a plant's control points from TOML (`[[ccp]]` tables).
pub fn parse_control_points(text: &str) -> Result<Vec<ControlPoint>, HaccpError> {
    let file: ControlPointsFile = toml::from_str(text)
        .map_err(|e| HaccpError::ControlPoints(e.to_string().trim().to_owned()))?;
    for ccp in &file.ccp {
        if ccp.min.is_none() && ccp.max.is_none() {
            return Err(HaccpError::ControlPoints(format!(
                "{} has no critical limit",
                ccp.id
            )));
        }
        if let (Some(min), Some(max)) = (ccp.min, ccp.max)
            && min > max
        {
            return Err(HaccpError::ControlPoints(format!(
                "{}: min {min} is above max {max}",
                ccp.id
            )));
        }
        if ccp.min.into_iter().chain(ccp.max).any(|v| !v.is_finite()) {
            return Err(HaccpError::ControlPoints(format!(
                "{}: limits must be finite numbers",
                ccp.id
            )));
        }
    }
    for (index, ccp) in file.ccp.iter().enumerate() {
        if file.ccp[..index].iter().any(|other| other.id == ccp.id) {
            return Err(HaccpError::ControlPoints(format!(
                "{} is defined twice",
                ccp.id
            )));
        }
    }
    Ok(file.ccp)
}

/// One monitoring reading.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    /// When it was taken.
    pub at: Timestamp,
    /// The value, in the control point's unit.
    pub value: f64,
}

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviationKind {
    /// Readings outside the critical limits; the worst value is kept.
    OutOfLimit {
        /// The reading furthest outside.
        worst: f64,
    },
    /// No reading for longer than the monitoring interval.
    MonitoringGap,
}

/// A period in which a control point was not shown to be under control.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deviation {
    /// The control point.
    pub ccp: String,
    /// The line.
    pub line: String,
    /// What went wrong.
    pub kind: DeviationKind,
    /// Its start: the first reading out of limit (or the last reading before a gap).
    pub start: Timestamp,
    /// Its end: the first reading back within limits (or after the gap); None while it lasts.
    pub end: Option<Timestamp>,
}

/// Finds the deviations in one control point's readings. Readings are sorted by time first;
/// a non-finite value or two readings at the same instant are refused.
pub fn deviations(ccp: &ControlPoint, readings: &[Reading]) -> Result<Vec<Deviation>, HaccpError> {
    let mut sorted: Vec<(usize, Reading)> = readings.iter().copied().enumerate().collect();
    sorted.sort_by_key(|(_, r)| r.at);
    for (position, (index, reading)) in sorted.iter().enumerate() {
        let fail = |message: String| HaccpError::Reading {
            ccp: ccp.id.clone(),
            index: index + 1,
            message,
        };
        if !reading.value.is_finite() {
            return Err(fail("the value is not a finite number".into()));
        }
        if position > 0 && sorted[position - 1].1.at == reading.at {
            return Err(fail(format!("two readings at {}", reading.at)));
        }
    }
    let outside = |value: f64| {
        ccp.min.is_some_and(|min| value < min) || ccp.max.is_some_and(|max| value > max)
    };
    let distance = |value: f64| {
        (ccp.min.map_or(0.0, |min| min - value)).max(ccp.max.map_or(0.0, |max| value - max))
    };
    let interval = ccp
        .monitoring_interval_max_s
        .map(|s| SignedDuration::from_secs(s as i64));
    let mut found = Vec::new();
    let mut open: Option<Deviation> = None;
    let mut previous: Option<Timestamp> = None;
    for (_, reading) in &sorted {
        if let (Some(interval), Some(previous)) = (interval, previous)
            && reading.at.duration_since(previous) > interval
        {
            found.push(Deviation {
                ccp: ccp.id.clone(),
                line: ccp.line.clone(),
                kind: DeviationKind::MonitoringGap,
                start: previous,
                end: Some(reading.at),
            });
        }
        previous = Some(reading.at);
        match (&mut open, outside(reading.value)) {
            (None, true) => {
                open = Some(Deviation {
                    ccp: ccp.id.clone(),
                    line: ccp.line.clone(),
                    kind: DeviationKind::OutOfLimit {
                        worst: reading.value,
                    },
                    start: reading.at,
                    end: None,
                });
            }
            (Some(deviation), true) => {
                if let DeviationKind::OutOfLimit { worst } = &mut deviation.kind
                    && distance(reading.value) > distance(*worst)
                {
                    *worst = reading.value;
                }
            }
            (Some(_), false) => {
                if let Some(mut deviation) = open.take() {
                    deviation.end = Some(reading.at);
                    found.push(deviation);
                }
            }
            (None, false) => {}
        }
    }
    found.extend(open);
    found.sort_by_key(|d| d.start);
    Ok(found)
}

/// When a lot was made, and on which line.
#[derive(Clone, Debug)]
pub struct LotWindow {
    /// The lot.
    pub lot: String,
    /// The line.
    pub line: String,
    /// Production start.
    pub start: Timestamp,
    /// Production end.
    pub end: Timestamp,
}

/// A corrective action recorded against a deviation (named by control point and start).
#[derive(Clone, Debug, Serialize)]
pub struct CorrectiveAction {
    /// The control point.
    pub ccp: String,
    /// The start of the deviation it corrects.
    pub deviation_start: Timestamp,
    /// When it was recorded.
    pub recorded_at: Timestamp,
    /// Who recorded it.
    pub by: String,
    /// What was done (including what happened to the product).
    pub action: String,
}

/// A lot held because of a deviation.
#[derive(Clone, Debug, Serialize)]
pub struct Hold {
    /// The lot.
    pub lot: String,
    /// The deviation.
    pub deviation: Deviation,
    /// The corrective action that lifts the hold, once recorded.
    pub corrected_by: Option<CorrectiveAction>,
}

impl Hold {
    /// Whether the lot is still on hold.
    pub fn is_on_hold(&self) -> bool {
        self.corrected_by.is_none()
    }
}

/// The lots made during each deviation on their line, each held until a corrective action for
/// that deviation is recorded. A lot's production overlapping any part of the deviation counts,
/// and an open deviation holds every lot after its start.
pub fn holds(
    deviations: &[Deviation],
    lots: &[LotWindow],
    actions: &[CorrectiveAction],
) -> Vec<Hold> {
    let mut found = Vec::new();
    for deviation in deviations {
        let action = actions
            .iter()
            .filter(|a| {
                a.ccp == deviation.ccp
                    && a.deviation_start == deviation.start
                    && a.recorded_at >= deviation.start
            })
            .min_by_key(|a| a.recorded_at);
        for lot in lots.iter().filter(|lot| lot.line == deviation.line) {
            let overlaps =
                lot.end >= deviation.start && deviation.end.is_none_or(|end| lot.start < end);
            if overlaps {
                found.push(Hold {
                    lot: lot.lot.clone(),
                    deviation: deviation.clone(),
                    corrected_by: action.cloned(),
                });
            }
        }
    }
    found
}

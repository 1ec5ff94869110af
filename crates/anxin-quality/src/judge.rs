//! Judgment of one sample (a lot's lab results) against the standards in force on its production
//! date, plus an enterprise's own standard.
//!
//! Parameter by parameter: min/max limits after unit conversion (a powder's per-100-g value is
//! turned into per 100 kJ with its measured energy), ratio rules, conditional rules, n/c/m/M plans
//! over a plan's sample units, results below a detection limit, and missing required analytes.
//! A limit marked R (recalled, unverified) never fails a lot: exceeding it is an
//! "unverified limit" note. Every check cites its rule and its source.
//! This module decides nothing about holding, releasing or recalling a lot.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use jiff::civil::Date;
use serde::Serialize;

use crate::analyte::{self, Analyte, Kind};
use crate::enterprise::EnterpriseStandard;
use crate::standard::{
    Bound, Catalogue, Confidence, Coverage, Fact, Limit, MicroPlan, PlanKind, ProductType,
    RatioRule, Scope, Source, Standard, WeightedMinimum,
};
use crate::unit::{Basis, Energy, Numerator, Unit};

/// Relative tolerance when comparing a converted value with a limit, so that a value exactly at
/// a limit, converted through a floating-point factor, still counts as at the limit.
/// An assumption of this code, not of any standard: one part in a billion is far below any
/// lab's precision.
const COMPARE_TOLERANCE: f64 = 1e-9;

/// What a lab reported for one analyte (or one sample unit of a plan).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// A measured value.
    Value(f64),
    /// Below the method's detection limit, which is given.
    BelowDetection(f64),
    /// A presence test found nothing in the test portion.
    NotDetected,
    /// A presence test found the organism or residue.
    Detected,
}

/// One reported result.
#[derive(Clone, Debug)]
pub struct Measurement {
    /// What was measured.
    pub analyte: &'static Analyte,
    /// The result.
    pub reading: Reading,
    /// Its unit (None for presence tests).
    pub unit: Option<Unit>,
    /// For microbiological plans: which sample unit (1…n) this is.
    pub sample_unit: Option<u32>,
}

impl Measurement {
    /// Checks one result for sense (the unit fits the analyte; no negative, impossible or
    /// non-finite value; a detection limit above zero; a presence test given as one), as
    /// [`Sample::new`] does for each of its results.
    pub fn check(&self) -> Result<(), String> {
        check_measurement(self)
    }
}

/// A problem with a reported result, naming which one.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize)]
#[error("result {index} ({analyte}): {message}")]
pub struct InputError {
    /// The result's position, from 1 (the CSV reader puts the line number here).
    pub index: usize,
    /// The analyte as written.
    pub analyte: String,
    /// What is wrong.
    pub message: String,
}

/// A lot's sample with its lab results, checked for sense on construction.
#[derive(Clone, Debug)]
pub struct Sample {
    product: ProductType,
    produced: Date,
    facts: BTreeSet<Fact>,
    measurements: Vec<Measurement>,
    energy: Option<Energy>,
    /// The analytes reported, as a set of [`analyte::bit`]s.
    reported: u128,
}

/// Largest plausible mass fraction of a product: a part cannot outweigh the whole.
fn mass_fraction(value: f64, unit: Unit) -> Option<f64> {
    let Numerator::Mass(grams) = unit.numerator else {
        return None;
    };
    let portion_grams = match unit.basis {
        Basis::PerG | Basis::PerMl => 1.0,
        Basis::Per100G | Basis::Per100Ml => 100.0,
        Basis::PerKg | Basis::PerL => 1000.0,
        _ => return None,
    };
    Some(value * grams / portion_grams)
}

/// Physical bounds on energy: pure fat carries 37 kJ/g (GB 10765-2021's energy factor,
/// standards.md §1.1), so no food carries more per gram.
const ENERGY_KJ_PER_G_MAX: f64 = 37.0;

/// Temperatures outside this range are not a reading of milk or of a process (an assumption
/// of this code, for catching typos such as a missing decimal point).
const TEMPERATURE_C_RANGE: (f64, f64) = (-50.0, 400.0);

impl Sample {
    /// Builds a sample, refusing nonsense with every problem listed: units that do not fit the
    /// analyte, negative or impossible values, a result given twice, a presence result given a
    /// value or the other way round.
    pub fn new(
        product: ProductType,
        produced: Date,
        facts: impl IntoIterator<Item = Fact>,
        measurements: Vec<Measurement>,
    ) -> Result<Sample, Vec<InputError>> {
        let mut errors = Vec::new();
        let mut seen: BTreeSet<(&str, Option<u32>)> = BTreeSet::new();
        for (index, measurement) in measurements.iter().enumerate() {
            if let Err(message) = check_measurement(measurement) {
                errors.push(InputError {
                    index: index + 1,
                    analyte: measurement.analyte.id.to_owned(),
                    message,
                });
            }
            if !seen.insert((measurement.analyte.id, measurement.sample_unit)) {
                errors.push(InputError {
                    index: index + 1,
                    analyte: measurement.analyte.id.to_owned(),
                    message: match measurement.sample_unit {
                        Some(unit) => format!("sample unit {unit} is reported twice"),
                        None => "reported twice".into(),
                    },
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut facts: BTreeSet<Fact> = facts.into_iter().collect();
        let energy = measurements
            .iter()
            .find(|m| m.analyte.id == "energy")
            .and_then(|m| match (m.reading, m.unit) {
                (Reading::Value(value), Some(unit)) => unit.energy_of(value),
                _ => None,
            });
        let dha_added = measurements.iter().any(|m| {
            m.analyte.id == "dha" && matches!(m.reading, Reading::Value(value) if value > 0.0)
        });
        if dha_added {
            facts.insert(Fact::DhaAdded);
        }
        if !facts.contains(&Fact::Liquid) {
            facts.insert(Fact::Powder);
        }
        let reported = measurements
            .iter()
            .fold(0, |set, m| set | analyte::bit(m.analyte));
        Ok(Sample {
            product,
            produced,
            facts,
            measurements,
            energy,
            reported,
        })
    }

    /// The product type.
    pub fn product(&self) -> ProductType {
        self.product
    }

    /// The production date.
    pub fn produced(&self) -> Date {
        self.produced
    }

    /// The facts, including those derived from the results (DHA added, powder).
    pub fn facts(&self) -> &BTreeSet<Fact> {
        &self.facts
    }

    fn find(&self, analyte: &Analyte) -> Option<&Measurement> {
        self.measurements
            .iter()
            .find(|m| std::ptr::eq(m.analyte, analyte))
    }

    fn applies(&self, scope: &Scope) -> bool {
        scope.products.contains(&self.product)
            && scope.when.iter().all(|fact| self.facts.contains(fact))
    }
}

fn check_measurement(measurement: &Measurement) -> Result<(), String> {
    let analyte = measurement.analyte;
    let presence = analyte.kind == Kind::Presence;
    match (measurement.reading, presence) {
        (Reading::Detected | Reading::NotDetected, false) => {
            return Err("is measured, not detected: give a value (or <LOD)".into());
        }
        (Reading::Value(_) | Reading::BelowDetection(_), true) => {
            return Err("is a presence test: give detected or not detected".into());
        }
        _ => {}
    }
    if presence {
        return Ok(());
    }
    let Some(unit) = measurement.unit else {
        return Err("has no unit".into());
    };
    if !analyte.accepts(unit) {
        return Err(format!("cannot be measured in {unit}"));
    }
    let (Reading::Value(value) | Reading::BelowDetection(value)) = measurement.reading else {
        return Ok(());
    };
    if !value.is_finite() {
        return Err("value is not a finite number".into());
    }
    let may_be_negative = matches!(analyte.kind, Kind::Temperature);
    if value < 0.0 && !may_be_negative {
        return Err(format!("value {value} is negative"));
    }
    if matches!(measurement.reading, Reading::BelowDetection(lod) if lod <= 0.0) {
        return Err("a detection limit must be above zero".into());
    }
    if let Some(fraction) = mass_fraction(value, unit)
        && fraction > 1.0
    {
        return Err(format!(
            "{value} {unit} would weigh more than the product itself"
        ));
    }
    if analyte.kind == Kind::Energy
        && let Some(energy) = unit.energy_of(value)
        && (energy.kj_per_unit > ENERGY_KJ_PER_G_MAX || energy.kj_per_unit <= 0.0)
    {
        return Err(format!(
            "{value} {unit} is not a possible energy (at most {ENERGY_KJ_PER_G_MAX} kJ per g)"
        ));
    }
    if analyte.kind == Kind::Temperature
        && !(TEMPERATURE_C_RANGE.0..=TEMPERATURE_C_RANGE.1).contains(&value)
    {
        return Err(format!("{value} °C is not a plausible temperature"));
    }
    if analyte.kind == Kind::Acidity && value > 100.0 {
        return Err(format!("{value} °T is not a plausible acidity of milk"));
    }
    Ok(())
}

/// The overall result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every applicable binding rule is met and nothing required is missing.
    Conformant,
    /// At least one binding rule is not met.
    NonConformant,
    /// Nothing failed, but something required is missing or could not be judged.
    Incomplete,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Conformant => "conformant",
            Verdict::NonConformant => "non-conformant",
            Verdict::Incomplete => "incomplete",
        })
    }
}

/// What one check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Within the limit.
    Pass,
    /// Outside a binding limit.
    Fail,
    /// Outside a limit that cannot fail a lot (R or advisory): shown as an unverified limit.
    Unverified,
    /// A required analyte was not reported.
    Missing,
    /// Reported, but it cannot be judged (no energy for a conversion, detection limit above
    /// the limit, too few sample units).
    Undetermined,
    /// Something a reader should know that does not change the verdict (an unknown side of a
    /// limit, a standard's missing rows).
    Note,
}

/// One line of a judgment. It borrows its rule and source from the standards it was judged
/// against, so a judgment costs few allocations.
#[derive(Clone, Debug, Serialize)]
pub struct Check<'a> {
    /// The analyte or rule (`protein`, `ratio ca_p`, `plan cronobacter`).
    pub subject: Cow<'a, str>,
    /// What was found.
    pub outcome: Outcome,
    /// The rule as a reader would state it (`0.43–0.72 g/100kJ`).
    pub rule: Cow<'a, str>,
    /// The value compared, in the rule's unit, when there was one.
    pub value: Option<String>,
    /// The sentence that explains the outcome.
    pub message: Cow<'a, str>,
    /// Where the rule comes from.
    pub source: Cow<'a, Source>,
}

/// The judgment of one sample.
#[derive(Clone, Debug, Serialize)]
pub struct Judgment<'a> {
    /// The verdict.
    pub verdict: Verdict,
    /// The standards applied (national versions in force on the production date, then the
    /// enterprise's).
    pub standards: Vec<&'a str>,
    /// Every check, in the standards' order.
    pub checks: Vec<Check<'a>>,
}

impl<'a> Judgment<'a> {
    /// The checks that are not passes: the reasons for the verdict and the notes beside it.
    pub fn reasons(&self) -> impl Iterator<Item = &Check<'a>> {
        self.checks
            .iter()
            .filter(|check| check.outcome != Outcome::Pass)
    }
}

/// Judges `sample` against the national standards in force on its production date and, when
/// given, the enterprise's own standard.
pub fn judge<'a>(
    catalogue: &'a Catalogue,
    enterprise: Option<&'a EnterpriseStandard>,
    sample: &Sample,
) -> Judgment<'a> {
    let mut standards: Vec<&'a Standard> = catalogue.in_force(sample.product, sample.produced);
    let mut checks = Vec::new();
    if let Some(enterprise) = enterprise.map(EnterpriseStandard::standard) {
        if enterprise.products.contains(&sample.product) && enterprise.in_force_on(sample.produced)
        {
            standards.push(enterprise);
        } else {
            checks.push(Check {
                subject: Cow::Borrowed("enterprise standard"),
                outcome: Outcome::Note,
                rule: Cow::Borrowed("applies to its products while in force"),
                value: None,
                message: format!(
                    "{} does not apply to {:?} produced on {}, so it was not used",
                    enterprise.code, sample.product, sample.produced
                )
                .into(),
                source: Cow::Owned(Source {
                    standard: enterprise.code.clone(),
                    clause: "products and dates in force".into(),
                    found_in: "the enterprise standard's header".into(),
                    confidence: Confidence::Own,
                }),
            });
        }
    }
    for standard in &standards {
        coverage_checks(standard, &mut checks);
        for limit in standard
            .limits
            .iter()
            .filter(|limit| sample.applies(&limit.scope))
        {
            check_limit(sample, limit, &mut checks);
        }
        for ratio in standard
            .ratios
            .iter()
            .filter(|ratio| sample.applies(&ratio.scope))
        {
            check_ratio(sample, ratio, &mut checks);
        }
        for rule in standard
            .weighted_minimums
            .iter()
            .filter(|rule| sample.applies(&rule.scope))
        {
            check_weighted_minimum(sample, rule, &mut checks);
        }
        for plan in standard
            .micro
            .iter()
            .filter(|plan| sample.applies(&plan.scope))
        {
            check_plan(sample, plan, &mut checks);
        }
    }
    // A result no rule speaks about is kept visible rather than silently dropped.
    let mut covered = standards
        .iter()
        .fold(0u128, |set, standard| set | standard.covered);
    if sample.energy.is_some() {
        covered |= analyte::find("energy").map_or(0, analyte::bit);
    }
    if sample.reported & !covered != 0 {
        for measurement in &sample.measurements {
            let uncovered = analyte::bit(measurement.analyte) & !covered != 0;
            if uncovered && measurement.sample_unit.is_none_or(|unit| unit == 1) {
                checks.push(Check {
                    subject: Cow::Borrowed(measurement.analyte.id),
                    outcome: Outcome::Note,
                    rule: Cow::Borrowed("no rule"),
                    value: None,
                    message: Cow::Borrowed(
                        "reported, but no standard applied to this sample sets a rule for it",
                    ),
                    source: Cow::Owned(Source {
                        standard: "none".into(),
                        clause: "-".into(),
                        found_in: "-".into(),
                        confidence: Confidence::Unknown,
                    }),
                });
            }
        }
    }
    let composition = standards
        .iter()
        .any(|s| is_composition_standard(s, sample.product));
    if !composition {
        checks.push(Check {
            subject: "composition standard".into(),
            outcome: Outcome::Undetermined,
            rule: "a product standard must be in force".into(),
            value: None,
            message: format!(
                "no version of the product standard for {:?} is in force on {} in the data",
                sample.product, sample.produced
            )
            .into(),
            source: Cow::Owned(Source {
                standard: "catalogue".into(),
                clause: "dates in force".into(),
                found_in: "standards/*.toml".into(),
                confidence: Confidence::Unknown,
            }),
        });
    }
    let verdict = if checks.iter().any(|c| c.outcome == Outcome::Fail) {
        Verdict::NonConformant
    } else if checks
        .iter()
        .any(|c| matches!(c.outcome, Outcome::Missing | Outcome::Undetermined))
    {
        Verdict::Incomplete
    } else {
        Verdict::Conformant
    };
    Judgment {
        verdict,
        standards: standards.iter().map(|s| s.code.as_str()).collect(),
        checks,
    }
}

/// Whether `standard` is the product standard (the one setting composition or raw-milk
/// quality) for `product`, as opposed to a horizontal one (contaminants, toxins, pathogens).
fn is_composition_standard(standard: &Standard, product: ProductType) -> bool {
    let families: &[&str] = match product {
        ProductType::Infant => &["GB 10765"],
        ProductType::OlderInfant => &["GB 10766"],
        ProductType::YoungChild => &["GB 10767"],
        ProductType::RawMilk => &["GB 19301"],
    };
    families.contains(&standard.family())
}

fn coverage_checks<'a>(standard: &'a Standard, checks: &mut Vec<Check<'a>>) {
    let outcome = match standard.coverage {
        Coverage::Complete => return,
        Coverage::Partial => Outcome::Note,
        Coverage::Insufficient | Coverage::NotEncoded => Outcome::Undetermined,
    };
    checks.push(Check {
        subject: format!("{} coverage", standard.code).into(),
        outcome,
        rule: "the standard's tables must be in the data".into(),
        value: None,
        message: standard
            .coverage_note
            .as_deref()
            .unwrap_or("parts of this standard are not in the data")
            .into(),
        source: Cow::Owned(Source {
            standard: standard.code.clone(),
            clause: "whole standard".into(),
            found_in: "standards file header".into(),
            confidence: Confidence::Unknown,
        }),
    });
}

pub(crate) fn format_number(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-0" {
        "0".into()
    } else {
        text.to_owned()
    }
}

pub(crate) fn describe_bounds(min: Bound, max: Bound, unit: &str) -> String {
    let side = |bound: Bound| match bound {
        Bound::None => "N.S.".to_owned(),
        Bound::Value(value) => format_number(value),
        Bound::Unknown => "unknown".to_owned(),
    };
    let unit = if unit.is_empty() || unit == "1" {
        String::new()
    } else {
        format!(" {unit}")
    };
    match (min, max) {
        (Bound::None, Bound::None) => "no limit (not specified)".to_owned(),
        (Bound::None, max) => format!("≤ {}{unit}", side(max)),
        (min, Bound::None) => format!("≥ {}{unit}", side(min)),
        (min, max) => format!("{}–{}{unit}", side(min), side(max)),
    }
}

/// Whether a failed bound fails the lot, given its source.
fn failing_outcome(confidence: Confidence, advisory: bool) -> Outcome {
    if advisory || matches!(confidence, Confidence::R | Confidence::Unknown) {
        Outcome::Unverified
    } else {
        Outcome::Fail
    }
}

fn is_binding(confidence: Confidence, advisory: bool) -> bool {
    failing_outcome(confidence, advisory) == Outcome::Fail
}

fn scaled(bound: Bound, divisor: f64) -> Bound {
    match bound {
        Bound::Value(value) => Bound::Value(value / divisor),
        other => other,
    }
}

fn check_limit<'a>(sample: &Sample, limit: &'a Limit, checks: &mut Vec<Check<'a>>) {
    let divisor = match limit.liquid_divisor {
        Some(divisor) if sample.facts.contains(&Fact::Liquid) => divisor,
        _ => 1.0,
    };
    let (min, max) = (scaled(limit.min, divisor), scaled(limit.max, divisor));
    let unit_text = &limit.unit_text;
    let rule: Cow<'a, str> = if divisor == 1.0 {
        Cow::Borrowed(&limit.rule_text)
    } else {
        Cow::Owned(format!(
            "{} (powder limit ÷ {})",
            describe_bounds(min, max, unit_text),
            format_number(divisor)
        ))
    };
    let binding = is_binding(limit.source.confidence, limit.advisory);
    let mut push = |outcome: Outcome, value: Option<f64>, message: Cow<'a, str>| {
        checks.push(Check {
            subject: Cow::Borrowed(limit.analyte.id),
            outcome,
            rule: rule.clone(),
            value: value.map(|v| format!("{} {unit_text}", format_number(v))),
            message,
            source: Cow::Borrowed(&limit.source),
        });
    };
    if min == Bound::None && max == Bound::None {
        if sample.find(limit.analyte).is_some() {
            push(
                Outcome::Note,
                None,
                Cow::Borrowed("the standard sets no limit for it (not specified)"),
            );
        }
        return;
    }
    if min == Bound::Unknown && max == Bound::Unknown {
        if sample.find(limit.analyte).is_some() {
            push(
                Outcome::Note,
                None,
                format!(
                    "{} is limited by this standard but the limit is not in the data",
                    limit.analyte.id
                )
                .into(),
            );
        }
        return;
    }
    let Some(measurement) = sample.find(limit.analyte) else {
        if limit.required && binding {
            push(
                Outcome::Missing,
                None,
                format!("{} is required and was not reported", limit.analyte.id).into(),
            );
        }
        return;
    };
    let Some(unit) = measurement.unit else { return };
    let (raw, below_detection) = match measurement.reading {
        Reading::Value(value) => (value, false),
        Reading::BelowDetection(lod) => (lod, true),
        _ => return,
    };
    let value = match unit.convert(raw, limit.unit, sample.energy) {
        Ok(value) => value,
        Err(error) => {
            push(
                Outcome::Undetermined,
                None,
                format!(
                    "{} cannot be compared with the limit: {error}",
                    limit.analyte.id
                )
                .into(),
            );
            return;
        }
    };
    let below = min
        .value()
        .is_some_and(|min| value < min * (1.0 - COMPARE_TOLERANCE));
    let above = max
        .value()
        .is_some_and(|max| value > max * (1.0 + COMPARE_TOLERANCE));
    let fail_outcome = failing_outcome(limit.source.confidence, limit.advisory);
    let unverified_suffix = if fail_outcome == Outcome::Unverified {
        format!(
            " (unverified limit, confidence {}: it does not fail the lot on its own)",
            limit.source.confidence
        )
    } else {
        String::new()
    };
    let shown = Some(value);
    if below_detection {
        // The true value lies between zero and the detection limit.
        if above {
            push(Outcome::Undetermined, shown, format!("below a detection limit of {} {unit_text}, which is above the maximum: the method cannot show compliance", format_number(value)).into());
        } else if let Some(min) = min.value() {
            if value <= min * (1.0 + COMPARE_TOLERANCE) {
                push(fail_outcome, shown, format!("below the detection limit {} {unit_text}, so below the minimum {}{unverified_suffix}", format_number(value), format_number(min)).into());
            } else {
                push(Outcome::Undetermined, shown, format!("below a detection limit of {} {unit_text}, which is above the minimum: the method cannot show compliance", format_number(value)).into());
            }
        } else {
            push(
                Outcome::Pass,
                shown,
                format!(
                    "not detected (detection limit {} {unit_text})",
                    format_number(value)
                )
                .into(),
            );
        }
        return;
    }
    if below || above {
        let side = if below {
            "below the minimum"
        } else {
            "above the maximum"
        };
        push(
            fail_outcome,
            shown,
            format!(
                "{} {} {unit_text} is {side}{unverified_suffix}",
                limit.analyte.id,
                format_number(value)
            )
            .into(),
        );
        return;
    }
    if min == Bound::Unknown || max == Bound::Unknown {
        push(
            Outcome::Note,
            shown,
            Cow::Borrowed("within the known side; the other side of the limit is not in the data"),
        );
        return;
    }
    let outcome = if fail_outcome == Outcome::Fail {
        Outcome::Pass
    } else {
        Outcome::Note
    };
    let message = if outcome == Outcome::Pass {
        Cow::Borrowed("within the limit")
    } else {
        Cow::Owned(format!(
            "within an unverified limit (confidence {})",
            limit.source.confidence
        ))
    };
    push(outcome, shown, message);
}

fn check_ratio<'a>(sample: &Sample, ratio: &'a RatioRule, checks: &mut Vec<Check<'a>>) {
    let mut push = |outcome: Outcome, value: Option<f64>, message: Cow<'a, str>| {
        checks.push(Check {
            subject: Cow::Borrowed(&ratio.subject),
            outcome,
            rule: Cow::Borrowed(&ratio.rule_text),
            value: value.map(format_number),
            message,
            source: Cow::Borrowed(&ratio.source),
        });
    };
    let binding = is_binding(ratio.source.confidence, false);
    let (numerator, denominator) =
        match (sample.find(ratio.numerator), sample.find(ratio.denominator)) {
            (Some(n), Some(d)) => (n, d),
            (n, d) => {
                if ratio.required && binding {
                    let missing: Vec<&str> = [(n, ratio.numerator), (d, ratio.denominator)]
                        .iter()
                        .filter(|(m, _)| m.is_none())
                        .map(|(_, a)| a.id)
                        .collect();
                    push(
                        Outcome::Missing,
                        None,
                        format!(
                            "{} needed for the ratio and not reported",
                            missing.join(" and ")
                        )
                        .into(),
                    );
                }
                return;
            }
        };
    let (Reading::Value(n_value), Some(n_unit), Reading::Value(d_value), Some(d_unit)) = (
        numerator.reading,
        numerator.unit,
        denominator.reading,
        denominator.unit,
    ) else {
        push(
            Outcome::Undetermined,
            None,
            "a result below its detection limit leaves the ratio unknown".into(),
        );
        return;
    };
    let n_in_d_unit = match n_unit.convert(n_value, d_unit, sample.energy) {
        Ok(value) => value,
        Err(error) => {
            push(
                Outcome::Undetermined,
                None,
                format!("the two results cannot be put on one basis: {error}").into(),
            );
            return;
        }
    };
    if d_value <= 0.0 {
        push(
            Outcome::Undetermined,
            None,
            format!(
                "{} is zero, so the ratio is undefined",
                ratio.denominator.id
            )
            .into(),
        );
        return;
    }
    let value = n_in_d_unit / d_value;
    let below = ratio
        .min
        .value()
        .is_some_and(|min| value < min * (1.0 - COMPARE_TOLERANCE));
    let above = ratio
        .max
        .value()
        .is_some_and(|max| value > max * (1.0 + COMPARE_TOLERANCE));
    if below || above {
        let outcome = failing_outcome(ratio.source.confidence, false);
        let side = if below {
            "below the minimum"
        } else {
            "above the maximum"
        };
        push(
            outcome,
            Some(value),
            format!("ratio {} is {side}", format_number(value)).into(),
        );
    } else {
        push(
            Outcome::Pass,
            Some(value),
            Cow::Borrowed("within the limit"),
        );
    }
}

fn check_weighted_minimum<'a>(
    sample: &Sample,
    rule: &'a WeightedMinimum,
    checks: &mut Vec<Check<'a>>,
) {
    let mut push = |outcome: Outcome, value: Option<String>, message: Cow<'a, str>| {
        checks.push(Check {
            subject: Cow::Borrowed(&rule.subject),
            outcome,
            rule: Cow::Borrowed(&rule.rule_text),
            value,
            message,
            source: Cow::Borrowed(&rule.source),
        });
    };
    let Some(measurement) = sample.find(rule.analyte) else {
        return; // The analyte's own limit reports it missing.
    };
    let (Reading::Value(value), Some(unit)) = (measurement.reading, measurement.unit) else {
        push(
            Outcome::Undetermined,
            None,
            "a result below its detection limit cannot be weighed".into(),
        );
        return;
    };
    // Everything on the analyte's own basis: the terms in grams on that basis, the analyte in
    // the rule's mass unit.
    let target = Unit {
        numerator: rule.unit.numerator,
        basis: unit.basis,
    };
    let gram = Unit {
        numerator: Numerator::Mass(1.0),
        basis: unit.basis,
    };
    let Ok(amount) = unit.convert(value, target, sample.energy) else {
        push(
            Outcome::Undetermined,
            None,
            "the result cannot be put in the rule's unit".into(),
        );
        return;
    };
    let mut needed = 0.0;
    let mut absent = Vec::new();
    for (term, factor) in &rule.terms {
        match sample.find(term) {
            None => absent.push(term.id),
            Some(Measurement {
                reading: Reading::BelowDetection(_),
                ..
            }) => absent.push(term.id),
            Some(Measurement {
                reading: Reading::Value(term_value),
                unit: Some(term_unit),
                ..
            }) => match term_unit.convert(*term_value, gram, sample.energy) {
                Ok(grams) => needed += factor * grams,
                Err(error) => {
                    push(
                        Outcome::Undetermined,
                        None,
                        format!(
                            "{} cannot be put on the basis of {}: {error}",
                            term.id, rule.analyte.id
                        )
                        .into(),
                    );
                    return;
                }
            },
            Some(_) => absent.push(term.id),
        }
    }
    let shown = Some(format!(
        "{} needs ≥ {} ({}{})",
        format_number(amount),
        format_number(needed),
        target,
        if absent.is_empty() {
            String::new()
        } else {
            format!("; counted as none: {}", absent.join(", "))
        }
    ));
    if amount < needed * (1.0 - COMPARE_TOLERANCE) {
        push(
            failing_outcome(rule.source.confidence, false),
            shown,
            format!(
                "{} is below what the fatty acids present require",
                rule.analyte.id
            )
            .into(),
        );
    } else {
        push(Outcome::Pass, shown, Cow::Borrowed("within the limit"));
    }
}

fn check_plan<'a>(sample: &Sample, plan: &'a MicroPlan, checks: &mut Vec<Check<'a>>) {
    let mut push = |outcome: Outcome, value: Option<String>, message: Cow<'a, str>| {
        checks.push(Check {
            subject: Cow::Borrowed(&plan.subject),
            outcome,
            rule: Cow::Borrowed(&plan.rule_text),
            value,
            message,
            source: Cow::Borrowed(&plan.source),
        });
    };
    let units: Vec<&Measurement> = sample
        .measurements
        .iter()
        .filter(|m| std::ptr::eq(m.analyte, plan.organism))
        .collect();
    let binding = is_binding(plan.source.confidence, false);
    if units.is_empty() {
        if plan.required && binding {
            push(
                Outcome::Missing,
                None,
                format!(
                    "{} is required ({} sample units) and was not reported",
                    plan.organism.id, plan.n
                )
                .into(),
            );
        }
        return;
    }
    if (units.len() as u64) < u64::from(plan.n) {
        push(
            Outcome::Undetermined,
            Some(format!("{} units", units.len())),
            format!(
                "the plan needs {} sample units and {} were reported",
                plan.n,
                units.len()
            )
            .into(),
        );
        return;
    }
    let mut marginal = 0u32;
    let mut rejected = 0u32;
    let mut undetermined = 0u32;
    for unit_result in &units {
        match (&plan.kind, unit_result.reading, unit_result.unit) {
            (PlanKind::Presence { .. }, Reading::Detected, _) => marginal += 1,
            (PlanKind::Presence { .. }, Reading::NotDetected, _) => {}
            (
                PlanKind::Count { unit, m, big_m },
                Reading::Value(value) | Reading::BelowDetection(value),
                Some(given),
            ) => {
                let Ok(value) = given.convert(value, *unit, sample.energy) else {
                    undetermined += 1;
                    continue;
                };
                let below_detection = matches!(unit_result.reading, Reading::BelowDetection(_));
                if below_detection && value > *m {
                    undetermined += 1;
                } else if big_m
                    .value()
                    .is_some_and(|big_m| value > big_m * (1.0 + COMPARE_TOLERANCE))
                {
                    rejected += 1;
                } else if value > *m * (1.0 + COMPARE_TOLERANCE) {
                    marginal += 1;
                }
            }
            _ => undetermined += 1,
        }
    }
    let value = Some(format!(
        "{} of {} units above m, {} above M",
        marginal + rejected,
        units.len(),
        rejected
    ));
    let fail = failing_outcome(plan.source.confidence, false);
    let suffix = if fail == Outcome::Unverified {
        format!(
            " (unverified plan, confidence {}: it does not fail the lot on its own)",
            plan.source.confidence
        )
    } else {
        String::new()
    };
    if rejected > 0 {
        push(
            fail,
            value,
            format!("{rejected} sample unit(s) above M{suffix}").into(),
        );
    } else if marginal > plan.c {
        push(
            fail,
            value,
            format!(
                "{marginal} sample unit(s) beyond m where c = {}{suffix}",
                plan.c
            )
            .into(),
        );
    } else if undetermined > 0 {
        push(
            Outcome::Undetermined,
            value,
            format!("{undetermined} sample unit(s) could not be read against the plan").into(),
        );
    } else if fail == Outcome::Fail {
        push(Outcome::Pass, value, Cow::Borrowed("the plan is met"));
    } else {
        push(
            Outcome::Note,
            value,
            format!(
                "the unverified plan is met (confidence {})",
                plan.source.confidence
            )
            .into(),
        );
    }
}

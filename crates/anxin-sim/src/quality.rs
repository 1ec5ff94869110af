//! The simulator's quality data: a lab report for every finished lot, receiving tests for every
//! raw-milk delivery, and HACCP monitoring records for every domestic plant's production days,
//! all in `anxin-quality`'s own types so that its judgment code judges them as they are.
//!
//! No limit is written here. The values are drawn from the limits of the standards themselves
//! (the national catalogue in force on the day, the manufacturer's raw-milk standard, the plant's
//! control points), read through `anxin-quality`: inside them for normal data, outside one of them
//! for a planted failure. Every draw is checked by judging it, so a clean lot, delivery or run is
//! one the judgment code accepts. The shares of the ranges used (the middle half of a two-sided
//! range, a detection limit at a tenth of a maximum, …) are assumptions of the simulation, written
//! beside each constant: they are not industry figures.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use anxin_epcis::sample::SampleRng;
use anxin_quality::analyte::{Analyte, Kind};
use anxin_quality::haccp::{self, ControlPoint, CorrectiveAction, LotWindow, Step};
use anxin_quality::raw_milk::{self, Delivery, MilkUse};
use anxin_quality::standard::{Limit, PlanKind, Scope, Standard};
use anxin_quality::unit::{Basis, Unit};
use anxin_quality::{
    Bound, Catalogue, EnterpriseStandard, Fact, InputError, Measurement, ProductType, Reading,
    Sample, Verdict, judge,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// The standards the simulated world is judged by: the national catalogue, the raw-milk
/// acceptance standard every simulated manufacturer has adopted (the example one shipped with
/// `anxin-quality`) and the control points of every simulated plant (the example plant's).
pub struct Standards {
    /// The national standards.
    pub catalogue: Catalogue,
    /// The manufacturers' raw-milk acceptance standard.
    pub raw_milk: EnterpriseStandard,
    /// Each domestic plant's critical control points.
    pub control_points: Vec<ControlPoint>,
}

/// The standards, read once from the data compiled into `anxin-quality` (whose own tests parse
/// the same files; a failure here is a broken build, not bad input).
pub fn standards() -> &'static Standards {
    static STANDARDS: OnceLock<Standards> = OnceLock::new();
    STANDARDS.get_or_init(|| {
        let catalogue =
            Catalogue::national().unwrap_or_else(|e| panic!("the national catalogue: {e}"));
        let raw_milk = anxin_quality::review(
            &catalogue,
            "manufacturer-raw-milk.toml",
            raw_milk::EXAMPLE_MANUFACTURER_STANDARD,
        )
        .unwrap_or_else(|e| panic!("the example raw-milk standard: {e:?}"));
        let control_points = haccp::parse_control_points(haccp::EXAMPLE_PLANT_CCPS)
            .unwrap_or_else(|e| panic!("the example control points: {e}"));
        Standards {
            catalogue,
            raw_milk,
            control_points,
        }
    })
}

/// Energy of a simulated powder, kJ/100 g: drawn within 2107–2163 kJ/100 g, the range of real
/// stage-1 powders (standards.md §7). It is the bridge from per-100-kJ limits to per-100-g results.
pub const POWDER_ENERGY_KJ_PER_100G: (f64, f64) = (2107.0, 2163.0);
/// A two-sided limit: a clean value is drawn in this share of the range (the middle half).
/// An assumption.
const TWO_SIDED_SHARE: (f64, f64) = (0.25, 0.75);
/// A minimum only: a clean value is this many times the minimum. An assumption.
const ABOVE_MIN: (f64, f64) = (1.02, 1.2);
/// A maximum only, on a required parameter (bacteria, cells, temperature): this share of it.
/// An assumption.
const BELOW_MAX: (f64, f64) = (0.3, 0.7);
/// A contaminant (a maximum only, not a required parameter) is reported below the method's
/// detection limit, placed at this share of the maximum. An assumption.
const LOD_SHARE_OF_MAX: f64 = 0.1;
/// A count plan's clean sample unit holds at most this share of m. An assumption.
const COUNT_SHARE_OF_M: f64 = 0.5;
/// A planted low result is this share of the minimum it fails. An assumption.
const PLANTED_LOW_SHARE: f64 = 0.6;
/// A planted contaminant is this many times the maximum it fails. An assumption.
const PLANTED_HIGH_FACTOR: f64 = 2.0;
/// A planted high nutrient is this many times its maximum (2× would weigh more than the
/// powder for carbohydrate). An assumption.
const PLANTED_HIGH_NUTRIENT_FACTOR: f64 = 1.25;
/// A manufacturer-only rejection: this many times the manufacturer's maximum. An assumption.
const REJECTED_HIGH_FACTOR: f64 = 1.5;
/// Clean draws are judged and redrawn (a ratio rule can fail on independent draws) at most
/// this many times; the tests check that no clean lot is left non-conformant.
const DRAWS_MAX: usize = 64;

/// A number in [a, b) from the generator.
fn uniform(rng: &mut SampleRng, (a, b): (f64, f64)) -> f64 {
    let fraction = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    a + (b - a) * fraction
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Four significant digits, as a lab report writes a result.
fn significant(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let digits = 3 - value.abs().log10().floor() as i32;
    round_to(value, digits)
}

/// How a result is written: counts and cells whole, temperatures to 0.1, raw milk's g/100 g to
/// 0.01 (as the receiving event writes them), anything else to four significant digits.
fn resolution(analyte: &Analyte, unit: Unit, raw: bool, value: f64) -> f64 {
    match analyte.kind {
        Kind::Count | Kind::Cells => value.round(),
        Kind::Temperature | Kind::Acidity => round_to(value, 1),
        Kind::Mass if raw && unit.basis == Basis::Per100G => round_to(value, 2),
        _ => significant(value),
    }
}

fn applies(scope: &Scope, product: ProductType, facts: &BTreeSet<Fact>) -> bool {
    scope.products.contains(&product) && scope.when.iter().all(|fact| facts.contains(fact))
}

fn binding(limit: &Limit) -> bool {
    !limit.advisory
        && !matches!(
            limit.source.confidence,
            anxin_quality::Confidence::R | anxin_quality::Confidence::Unknown
        )
}

/// The side of a binding limit a planted result fails, with the rule and where it comes from.
#[derive(Clone, Debug)]
struct Side {
    value: f64,
    rule: String,
    standard: String,
}

/// One parameter to report, with the range every applicable limit allows, in the report's unit.
#[derive(Clone, Debug)]
struct Target {
    analyte: &'static Analyte,
    unit: Unit,
    lo: Option<f64>,
    hi: Option<f64>,
    binding_lo: Option<Side>,
    binding_hi: Option<Side>,
    /// A binding limit requires it.
    required: bool,
    /// Only the manufacturer's standard limits it (on the side it sets).
    enterprise_only: bool,
    /// A contaminant or toxin: a maximum set by a horizontal standard (GB 2761, GB 2762, the
    /// melamine notice), reported below the method's detection limit.
    contaminant: bool,
}

/// A microbiological plan to report: n sample units.
#[derive(Clone, Debug)]
struct PlanTarget {
    organism: &'static Analyte,
    n: u32,
    count: Option<(Unit, f64)>,
    enterprise: bool,
}

/// What a sample of one product on one day must report, from the standards that apply.
struct Recipe {
    product: ProductType,
    produced: Date,
    facts: Vec<Fact>,
    enterprise: Option<&'static EnterpriseStandard>,
    energy: Option<f64>,
    targets: Vec<Target>,
    plans: Vec<PlanTarget>,
    /// Analytes in ratio and weighted-minimum rules: a planted failure avoids them, so that it
    /// fails exactly the rule it was planted on.
    linked: BTreeSet<&'static str>,
}

impl Recipe {
    fn new(
        product: ProductType,
        produced: Date,
        facts: Vec<Fact>,
        enterprise: Option<&'static EnterpriseStandard>,
        energy_kj_per_100g: Option<f64>,
    ) -> Recipe {
        let catalogue = &standards().catalogue;
        let mut applied: Vec<(&Standard, bool)> = catalogue
            .in_force(product, produced)
            .into_iter()
            .map(|standard| (standard, false))
            .collect();
        if let Some(enterprise) = enterprise {
            let standard = enterprise.standard();
            if standard.products.contains(&product) && standard.in_force_on(produced) {
                applied.push((standard, true));
            }
        }
        let mut fact_set: BTreeSet<Fact> = facts.iter().copied().collect();
        if !fact_set.contains(&Fact::Liquid) {
            fact_set.insert(Fact::Powder);
        }
        let energy = energy_kj_per_100g
            .and_then(|kj| Unit::parse("kJ/100g").and_then(|unit| unit.energy_of(kj)));
        let raw = product == ProductType::RawMilk;
        // The product standards; every other national standard here is horizontal.
        let composition = ["GB 10765", "GB 10766", "GB 10767", "GB 19301"];
        let mut targets: Vec<Target> = Vec::new();
        let mut plans: Vec<PlanTarget> = Vec::new();
        let mut linked = BTreeSet::new();
        for (standard, is_enterprise) in &applied {
            for ratio in &standard.ratios {
                linked.insert(ratio.numerator.id);
                linked.insert(ratio.denominator.id);
            }
            for rule in &standard.weighted_minimums {
                linked.insert(rule.analyte.id);
                linked.extend(rule.terms.iter().map(|(analyte, _)| analyte.id));
            }
            for limit in standard
                .limits
                .iter()
                .filter(|limit| applies(&limit.scope, product, &fact_set))
            {
                let max_only = limit.min.value().is_none() && limit.max.value().is_some();
                if !(limit.required || (!raw && max_only)) {
                    continue;
                }
                let report_unit = match limit.unit.basis {
                    Basis::Per100Kj | Basis::Per100Kcal => Unit {
                        numerator: limit.unit.numerator,
                        basis: Basis::Per100G,
                    },
                    _ => limit.unit,
                };
                let position = targets
                    .iter()
                    .position(|t| std::ptr::eq(t.analyte, limit.analyte));
                let index = match position {
                    Some(index) => index,
                    None => {
                        targets.push(Target {
                            analyte: limit.analyte,
                            unit: report_unit,
                            lo: None,
                            hi: None,
                            binding_lo: None,
                            binding_hi: None,
                            required: false,
                            enterprise_only: *is_enterprise,
                            contaminant: false,
                        });
                        targets.len() - 1
                    }
                };
                let target = &mut targets[index];
                let convert = |bound: Bound| {
                    bound
                        .value()
                        .and_then(|v| limit.unit.convert(v, target.unit, energy).ok())
                };
                let is_binding = binding(limit);
                if let Some(lo) = convert(limit.min) {
                    target.lo = Some(target.lo.map_or(lo, |old| old.max(lo)));
                    if is_binding && target.binding_lo.as_ref().is_none_or(|s| lo > s.value) {
                        target.binding_lo = Some(Side {
                            value: lo,
                            rule: limit.rule_text.clone(),
                            standard: standard.code.clone(),
                        });
                    }
                }
                if let Some(hi) = convert(limit.max) {
                    target.hi = Some(target.hi.map_or(hi, |old| old.min(hi)));
                    if is_binding && target.binding_hi.as_ref().is_none_or(|s| hi < s.value) {
                        target.binding_hi = Some(Side {
                            value: hi,
                            rule: limit.rule_text.clone(),
                            standard: standard.code.clone(),
                        });
                    }
                }
                if !is_enterprise {
                    target.enterprise_only = false;
                }
                if max_only && !is_enterprise && !composition.contains(&standard.family()) {
                    target.contaminant = true;
                }
                target.required |= limit.required && is_binding;
            }
            for plan in standard
                .micro
                .iter()
                .filter(|plan| applies(&plan.scope, product, &fact_set))
            {
                let count = match &plan.kind {
                    PlanKind::Count { unit, m, .. } => Some((*unit, *m)),
                    PlanKind::Presence { .. } => None,
                };
                match plans
                    .iter_mut()
                    .find(|p| std::ptr::eq(p.organism, plan.organism))
                {
                    Some(existing) => {
                        existing.n = existing.n.max(plan.n);
                        existing.enterprise &= *is_enterprise;
                        if let (Some((_, old)), Some((_, m))) = (&mut existing.count, count) {
                            *old = old.min(m);
                        }
                    }
                    None => plans.push(PlanTarget {
                        organism: plan.organism,
                        n: plan.n,
                        count,
                        enterprise: *is_enterprise,
                    }),
                }
            }
        }
        Recipe {
            product,
            produced,
            facts,
            enterprise,
            energy: energy_kj_per_100g,
            targets,
            plans,
            linked,
        }
    }

    /// One clean draw (not yet judged).
    fn draw(&self, rng: &mut SampleRng) -> Vec<Measurement> {
        let raw = self.product == ProductType::RawMilk;
        let mut out = Vec::new();
        if let (Some(kj), Some(unit)) = (self.energy, Unit::parse("kJ/100g"))
            && let Some(energy) = anxin_quality::analyte::find("energy")
        {
            out.push(Measurement {
                analyte: energy,
                reading: Reading::Value(kj),
                unit: Some(unit),
                sample_unit: None,
            });
        }
        for target in &self.targets {
            let reading = match (target.lo, target.hi) {
                (Some(lo), Some(hi)) => {
                    Reading::Value(lo + (hi - lo) * uniform(rng, TWO_SIDED_SHARE))
                }
                (Some(lo), None) => Reading::Value(lo + lo.abs() * (uniform(rng, ABOVE_MIN) - 1.0)),
                (None, Some(hi)) if target.required && !target.contaminant => {
                    Reading::Value(hi * uniform(rng, BELOW_MAX))
                }
                (None, Some(hi)) => Reading::BelowDetection(hi * LOD_SHARE_OF_MAX),
                (None, None) => continue,
            };
            let reading = match reading {
                Reading::Value(v) => {
                    Reading::Value(resolution(target.analyte, target.unit, raw, v))
                }
                Reading::BelowDetection(v) => Reading::BelowDetection(significant(v)),
                other => other,
            };
            out.push(Measurement {
                analyte: target.analyte,
                reading,
                unit: Some(target.unit),
                sample_unit: None,
            });
        }
        for plan in &self.plans {
            for unit in 1..=plan.n {
                let (reading, unit_of) = match plan.count {
                    Some((count_unit, m)) => (
                        Reading::Value((m * uniform(rng, (0.0, COUNT_SHARE_OF_M))).floor()),
                        Some(count_unit),
                    ),
                    None => (Reading::NotDetected, None),
                };
                out.push(Measurement {
                    analyte: plan.organism,
                    reading,
                    unit: unit_of,
                    sample_unit: Some(unit),
                });
            }
        }
        out
    }

    fn sample(&self, measurements: Vec<Measurement>) -> Result<Sample, Vec<InputError>> {
        Sample::new(
            self.product,
            self.produced,
            self.facts.iter().copied(),
            measurements,
        )
    }

    fn verdict(&self, measurements: &[Measurement]) -> Option<Verdict> {
        let sample = self.sample(measurements.to_vec()).ok()?;
        Some(judge(&standards().catalogue, self.enterprise, &sample).verdict)
    }

    /// A draw the judgment code finds conformant (the last draw if none was, which the tests
    /// would show).
    fn clean(&self, rng: &mut SampleRng) -> Vec<Measurement> {
        let mut measurements = self.draw(rng);
        for _ in 1..DRAWS_MAX {
            if self.verdict(&measurements) == Some(Verdict::Conformant) {
                break;
            }
            measurements = self.draw(rng);
        }
        measurements
    }
}

fn set_reading(measurements: &mut [Measurement], analyte: &Analyte, reading: Reading) {
    for measurement in measurements
        .iter_mut()
        .filter(|m| std::ptr::eq(m.analyte, analyte))
    {
        measurement.reading = reading;
    }
}

/// A number as a report writes it (Rust's shortest form that reads back to the same value).
pub fn number(value: f64) -> String {
    format!("{value}")
}

// ----- finished lots -------------------------------------------------------------------------

/// A finished lot's release test report.
#[derive(Clone, Debug)]
pub struct LabReport {
    /// The report number.
    pub id: String,
    /// The lot (LGTIN URN).
    pub lot: String,
    /// The product's GTIN-14.
    pub gtin: String,
    /// The maker's party GLN.
    pub maker_gln: String,
    /// The testing laboratory's GLN (the maker's own for imports).
    pub lab_gln: String,
    /// What the lot is.
    pub product: ProductType,
    /// Facts about it (milk-based, …).
    pub facts: Vec<Fact>,
    /// The production date (decides the standards in force).
    pub produced: Date,
    /// When the results were reported (Unix ms).
    pub reported_ms: i64,
    /// The results.
    pub measurements: Vec<Measurement>,
}

impl LabReport {
    /// The report as a sample for [`anxin_quality::judge`].
    pub fn sample(&self) -> Result<Sample, Vec<InputError>> {
        Sample::new(
            self.product,
            self.produced,
            self.facts.iter().copied(),
            self.measurements.clone(),
        )
    }
}

/// The results as CSV rows `analyte,value,unit,sample_unit` (the format
/// [`anxin_quality::results::parse_csv`] reads), each row prefixed by `prefix` (for example the
/// lot and report columns of a file holding many reports). Returns the rows without a header.
pub fn csv_rows(prefix: &str, measurements: &[Measurement]) -> String {
    let mut out = String::new();
    for m in measurements {
        let value = match m.reading {
            Reading::Value(v) => number(v),
            Reading::BelowDetection(v) => format!("<{}", number(v)),
            Reading::NotDetected => "not detected".to_owned(),
            Reading::Detected => "detected".to_owned(),
        };
        let unit = m.unit.map(|u| u.to_string()).unwrap_or_default();
        let sample_unit = m.sample_unit.map(|n| n.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{prefix}{},{value},{unit},{sample_unit}\n",
            m.analyte.id
        ));
    }
    out
}

/// The product type of a stage.
pub fn product_type(stage: u8) -> ProductType {
    match stage {
        1 => ProductType::Infant,
        2 => ProductType::OlderInfant,
        _ => ProductType::YoungChild,
    }
}

/// A finished formula's facts: milk-based powder (cow or goat), no vegetables, fruit or live
/// cultures added.
pub fn formula_facts() -> Vec<Fact> {
    vec![
        Fact::MilkBased,
        Fact::NoAddedVegetablesOrFruit,
        Fact::NoLiveCultures,
    ]
}

/// A lot's result planted outside a binding limit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabOutOfLimit {
    /// The lot (LGTIN URN).
    pub lot: String,
    /// The report.
    pub report: String,
    /// The analyte.
    pub analyte: String,
    /// The result as reported.
    pub value: String,
    /// Its unit.
    pub unit: String,
    /// The rule it fails, as the standard states it.
    pub limit: String,
    /// The standard.
    pub standard: String,
    /// The maker's release inspection claimed the lot conformant all the same (Unix ms).
    pub released_ms: i64,
}

/// A lot's report without a result the standard requires.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabMissingAnalyte {
    /// The lot (LGTIN URN).
    pub lot: String,
    /// The report.
    pub report: String,
    /// The analyte left out.
    pub analyte: String,
}

/// What a lot's report is planted with.
pub(crate) enum LabTrouble {
    None,
    OutOfLimit,
    Missing,
}

/// Draws a lot's report; returns the report and, for a planted failure, the rule it breaks or
/// the analyte it leaves out (as manifest entries without the release time).
pub(crate) fn lab_report(
    rng: &mut SampleRng,
    trouble: LabTrouble,
    head: LabReport,
) -> (LabReport, Option<LabOutOfLimit>, Option<LabMissingAnalyte>) {
    let energy = uniform(rng, POWDER_ENERGY_KJ_PER_100G).round();
    let recipe = Recipe::new(
        head.product,
        head.produced,
        head.facts.clone(),
        None,
        Some(energy),
    );
    let mut measurements = recipe.clean(rng);
    let (mut out, mut missing) = (None, None);
    let eligible = |t: &&Target| t.analyte.id != "energy" && !recipe.linked.contains(t.analyte.id);
    match trouble {
        LabTrouble::None => {}
        LabTrouble::OutOfLimit => {
            let candidates: Vec<&Target> = recipe
                .targets
                .iter()
                .filter(eligible)
                .filter(|t| t.binding_lo.is_some() || t.binding_hi.is_some())
                .collect();
            // A few tries: a planted value must still be a possible result (no part heavier
            // than the powder), or it would be refused rather than judged.
            for _ in 0..8 {
                if candidates.is_empty() {
                    break;
                }
                let target = *rng.pick(&candidates);
                let low = match (&target.binding_lo, &target.binding_hi) {
                    (Some(_), Some(_)) => rng.chance(50),
                    (Some(_), None) => true,
                    _ => false,
                };
                let side = if low {
                    target.binding_lo.clone()
                } else {
                    target.binding_hi.clone()
                };
                let Some(side) = side else { continue };
                let factor = match (low, target.contaminant) {
                    (true, _) => PLANTED_LOW_SHARE,
                    (false, true) => PLANTED_HIGH_FACTOR,
                    (false, false) => PLANTED_HIGH_NUTRIENT_FACTOR,
                };
                let value = significant(side.value * factor);
                let mut planted = measurements.clone();
                set_reading(&mut planted, target.analyte, Reading::Value(value));
                if recipe.sample(planted.clone()).is_err() {
                    continue;
                }
                measurements = planted;
                out = Some(LabOutOfLimit {
                    lot: head.lot.clone(),
                    report: head.id.clone(),
                    analyte: target.analyte.id.to_owned(),
                    value: number(value),
                    unit: target.unit.to_string(),
                    limit: side.rule,
                    standard: side.standard,
                    released_ms: 0,
                });
                break;
            }
        }
        LabTrouble::Missing => {
            let candidates: Vec<&Target> = recipe
                .targets
                .iter()
                .filter(eligible)
                .filter(|t| t.required)
                .collect();
            if !candidates.is_empty() {
                let target = *rng.pick(&candidates);
                measurements.retain(|m| !std::ptr::eq(m.analyte, target.analyte));
                missing = Some(LabMissingAnalyte {
                    lot: head.lot.clone(),
                    report: head.id.clone(),
                    analyte: target.analyte.id.to_owned(),
                });
            }
        }
    }
    (
        LabReport {
            measurements,
            ..head
        },
        out,
        missing,
    )
}

// ----- raw milk ------------------------------------------------------------------------------

/// A raw-milk delivery as the factory received it, with its receiving tests.
#[derive(Clone, Debug)]
pub struct RawMilkDelivery {
    /// The delivery (its `id` is the raw-milk lot's LGTIN URN, `supplier` the farm's GLN).
    pub delivery: Delivery,
    /// The receiving factory's party GLN.
    pub factory_gln: String,
    /// When it was received and tested (Unix ms).
    pub received_ms: i64,
}

/// A delivery rejected by the manufacturer's own standard (and not by the national one) that
/// went into production all the same.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RawMilkRejectedUsed {
    /// The raw-milk lot (LGTIN URN).
    pub lot: String,
    /// The farm's GLN.
    pub farm_gln: String,
    /// The test that fails.
    pub analyte: String,
    /// The result as reported.
    pub value: String,
    /// The rule it fails.
    pub limit: String,
    /// The manufacturer's standard.
    pub standard: String,
    /// The finished lot it went into.
    pub finished_lot: String,
}

/// The facts of a farm's milk: simulated cow herds are Holstein (an assumption).
pub fn milk_facts(goat: bool) -> Vec<Fact> {
    if goat {
        vec![Fact::Goat]
    } else {
        vec![Fact::Cow, Fact::Holstein]
    }
}

/// Clean receiving tests for a delivery, judged acceptable against the national standards and
/// the manufacturer's.
pub(crate) fn raw_milk_tests(
    rng: &mut SampleRng,
    received: Date,
    facts: &[Fact],
) -> Vec<Measurement> {
    let recipe = Recipe::new(
        ProductType::RawMilk,
        received,
        facts.to_vec(),
        Some(&standards().raw_milk),
        None,
    );
    recipe.clean(rng)
}

/// Puts one manufacturer-only limit out of bounds (a warm tanker, too many somatic cells, a
/// positive residue screen): the national standard would accept the milk, the manufacturer's
/// rejects it. Returns the analyte, the value as reported, the rule and the standard.
pub(crate) fn reject_by_manufacturer(
    rng: &mut SampleRng,
    received: Date,
    facts: &[Fact],
    measurements: &mut [Measurement],
) -> Option<(String, String, String, String)> {
    let recipe = Recipe::new(
        ProductType::RawMilk,
        received,
        facts.to_vec(),
        Some(&standards().raw_milk),
        None,
    );
    let code = standards().raw_milk.standard().code.clone();
    let limits: Vec<&Target> = recipe
        .targets
        .iter()
        .filter(|t| t.enterprise_only && t.binding_hi.is_some())
        .collect();
    let plans: Vec<&PlanTarget> = recipe
        .plans
        .iter()
        .filter(|p| p.enterprise && p.count.is_none())
        .collect();
    let choices = limits.len() + plans.len();
    if choices == 0 {
        return None;
    }
    let pick = rng.below(choices as u64) as usize;
    if let Some(target) = limits.get(pick) {
        let side = target.binding_hi.clone()?;
        let value = resolution(
            target.analyte,
            target.unit,
            true,
            side.value * REJECTED_HIGH_FACTOR,
        );
        set_reading(measurements, target.analyte, Reading::Value(value));
        Some((
            target.analyte.id.to_owned(),
            number(value),
            side.rule,
            side.standard,
        ))
    } else {
        let plan = plans[pick - limits.len()];
        if let Some(first) = measurements
            .iter_mut()
            .find(|m| std::ptr::eq(m.analyte, plan.organism))
        {
            first.reading = Reading::Detected;
        }
        Some((
            plan.organism.id.to_owned(),
            "detected".to_owned(),
            format!("not detected (n={})", plan.n),
            code,
        ))
    }
}

/// Sets an analyte's results to a value.
pub(crate) fn set_value(measurements: &mut [Measurement], id: &str, value: f64) {
    if let Some(analyte) = anxin_quality::analyte::find(id) {
        set_reading(measurements, analyte, Reading::Value(value));
    }
}

/// A delivery used by a transformation.
pub(crate) fn raw_milk_uses(transformation: &str, delivery: String) -> MilkUse {
    MilkUse {
        transformation: transformation.to_owned(),
        delivery,
    }
}

/// The value of an analyte's (first) result, if it is a number.
pub fn value_of(measurements: &[Measurement], id: &str) -> Option<f64> {
    measurements
        .iter()
        .find(|m| m.analyte.id == id)
        .and_then(|m| match m.reading {
            Reading::Value(v) => Some(v),
            _ => None,
        })
}

// ----- HACCP ---------------------------------------------------------------------------------

/// One control point's readings in one production run.
#[derive(Clone, Debug)]
pub struct Series {
    /// The control point (its id in [`Standards::control_points`]).
    pub ccp: String,
    /// The readings, in time order.
    pub readings: Vec<haccp::Reading>,
}

/// One plant's production day: its monitoring records, the lots made, corrective actions.
#[derive(Clone, Debug)]
pub struct HaccpRun {
    /// The plant (index into the world's parties).
    pub plant: usize,
    /// The plant's party GLN.
    pub plant_gln: String,
    /// The production date (China time).
    pub date: Date,
    /// The run's start (Unix ms): every lot of the day counts as made from here …
    pub start_ms: i64,
    /// … to here.
    pub end_ms: i64,
    /// One series per control point.
    pub series: Vec<Series>,
    /// The lots made in the run.
    pub lots: Vec<LotWindow>,
    /// Corrective actions recorded for the run's deviations.
    pub actions: Vec<CorrectiveAction>,
}

/// A planted HACCP deviation and the lots made during it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HaccpDeviation {
    /// The plant's party GLN.
    pub plant_gln: String,
    /// The control point.
    pub ccp: String,
    /// The production date.
    pub date: String,
    /// The first reading out of limit (Unix ms).
    pub start_ms: i64,
    /// The first reading back within limits (Unix ms).
    pub end_ms: i64,
    /// The reading furthest out.
    pub worst: f64,
    /// The critical limit, in words.
    pub limit: String,
    /// The lots made during it (LGTIN URNs).
    pub lots: Vec<String>,
    /// Whether a corrective action was recorded (if not, the lots stay on hold).
    pub corrected: bool,
}

/// Within a run (hours after midnight, China time) the wet process runs from 06:00 to 10:00,
/// dry blending from 12:00, canning and metal detection 13:30–16:00; the run ends at 16:00.
/// The simulator's schedule, an assumption like the hours its events are placed at.
pub const RUN_HOURS: (i64, i64) = (6, 16);
const WET_WINDOW_MIN: (i64, i64) = (6 * 60, 10 * 60);
const PACK_WINDOW_MIN: (i64, i64) = (13 * 60 + 30, 16 * 60);
const BLEND_START_MIN: i64 = 12 * 60;
/// Minutes between blends of successive lots. An assumption.
const BLEND_EVERY_MIN: i64 = 10;
/// A corrective action is recorded this many minutes after a deviation ends. An assumption.
const ACTION_AFTER_MIN: i64 = 30;
/// A clean reading sits this far inside a one-sided limit, as a share of the limit. An
/// assumption.
const INSIDE_ONE_SIDED: (f64, f64) = (0.005, 0.04);
/// A planted reading sits this far outside, as a share of the limit. An assumption.
const OUTSIDE_SHARE: (f64, f64) = (0.01, 0.05);

fn clean_reading(rng: &mut SampleRng, ccp: &ControlPoint) -> f64 {
    let value = match (ccp.min, ccp.max) {
        (Some(lo), Some(hi)) => lo + (hi - lo) * uniform(rng, TWO_SIDED_SHARE),
        // A pass/fail verification (unit 1): the limit is the pass.
        (Some(lo), None) if ccp.unit == "1" => lo,
        (Some(lo), None) => lo + lo.abs().max(1.0) * uniform(rng, INSIDE_ONE_SIDED),
        (None, Some(hi)) if ccp.unit == "1" => hi,
        (None, Some(hi)) => hi - hi.abs().max(1.0) * uniform(rng, INSIDE_ONE_SIDED),
        (None, None) => 0.0,
    };
    let rounded = round_to(value, 2);
    let inside = ccp.min.is_none_or(|lo| rounded >= lo) && ccp.max.is_none_or(|hi| rounded <= hi);
    if inside { rounded } else { value }
}

fn bad_reading(rng: &mut SampleRng, ccp: &ControlPoint) -> f64 {
    let low = match (ccp.min, ccp.max) {
        (Some(_), Some(_)) => rng.chance(50),
        (Some(_), None) => true,
        _ => false,
    };
    let value = if ccp.unit == "1" {
        if low {
            0.0
        } else {
            ccp.max.unwrap_or(0.0) + 1.0
        }
    } else if low {
        let lo = ccp.min.unwrap_or(0.0);
        lo - lo.abs().max(1.0) * uniform(rng, OUTSIDE_SHARE)
    } else {
        let hi = ccp.max.unwrap_or(0.0);
        hi + hi.abs().max(1.0) * uniform(rng, OUTSIDE_SHARE)
    };
    round_to(value, 2)
}

/// The critical limit in words.
pub fn limit_text(ccp: &ControlPoint) -> String {
    match (ccp.min, ccp.max) {
        (Some(lo), Some(hi)) => format!("{lo}–{hi} {}", ccp.unit),
        (Some(lo), None) => format!("≥ {lo} {}", ccp.unit),
        (None, Some(hi)) => format!("≤ {hi} {}", ccp.unit),
        (None, None) => String::new(),
    }
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Makes one plant's run: the readings of every control point, a planted deviation when
/// `deviation` is `Some(corrected)`, with its corrective action when `corrected`.
pub(crate) fn haccp_run(
    rng: &mut SampleRng,
    plant: usize,
    plant_gln: &str,
    midnight_ms: i64,
    date: Date,
    lots: &[String],
    deviation: Option<bool>,
) -> (HaccpRun, Option<HaccpDeviation>) {
    const MINUTE_MS: i64 = 60_000;
    let start_ms = midnight_ms + RUN_HOURS.0 * 60 * MINUTE_MS;
    let end_ms = midnight_ms + RUN_HOURS.1 * 60 * MINUTE_MS;
    let mut series = Vec::new();
    for ccp in &standards().control_points {
        let times: Vec<i64> = match (ccp.step, ccp.monitoring_interval_max_s) {
            (Step::DryBlending, _) | (_, None) => (0..lots.len() as i64)
                .map(|i| midnight_ms + (BLEND_START_MIN + i * BLEND_EVERY_MIN) * MINUTE_MS)
                .collect(),
            (step, Some(interval_s)) => {
                let (from, to) = match step {
                    Step::Pasteurisation | Step::Evaporation | Step::SprayDrying => WET_WINDOW_MIN,
                    _ => PACK_WINDOW_MIN,
                };
                let interval_ms = interval_s as i64 * 1000;
                let first = midnight_ms + from * MINUTE_MS;
                let last = midnight_ms + to * MINUTE_MS;
                (0..)
                    .map(|k| first + k * interval_ms)
                    .take_while(|t| *t <= last)
                    .collect()
            }
        };
        let readings = times
            .into_iter()
            .map(|t| haccp::Reading {
                at: at(t),
                value: clean_reading(rng, ccp),
            })
            .collect();
        series.push(Series {
            ccp: ccp.id.clone(),
            readings,
        });
    }
    let windows: Vec<LotWindow> = lots
        .iter()
        .map(|lot| LotWindow {
            lot: lot.clone(),
            line: standards()
                .control_points
                .first()
                .map(|c| c.line.clone())
                .unwrap_or_default(),
            start: at(start_ms),
            end: at(end_ms),
        })
        .collect();
    let mut run = HaccpRun {
        plant,
        plant_gln: plant_gln.to_owned(),
        date,
        start_ms,
        end_ms,
        series,
        lots: windows,
        actions: Vec::new(),
    };
    let Some(corrected) = deviation else {
        return (run, None);
    };
    // A deviation on a continuously monitored point: k readings out, then back within.
    let candidates: Vec<usize> = (0..run.series.len())
        .filter(|&i| {
            standards().control_points[i]
                .monitoring_interval_max_s
                .is_some()
                && run.series[i].readings.len() >= 3
        })
        .collect();
    if candidates.is_empty() {
        return (run, None);
    }
    let index = *rng.pick(&candidates);
    let ccp = &standards().control_points[index];
    let readings = &mut run.series[index].readings;
    let len = readings.len();
    let k = 1 + rng.below(3.min(len as u64 - 2)) as usize;
    let first = 1 + rng.below((len - k - 1) as u64) as usize;
    let distance =
        |v: f64| (ccp.min.map_or(0.0, |lo| lo - v)).max(ccp.max.map_or(0.0, |hi| v - hi));
    let mut worst = f64::NAN;
    for reading in &mut readings[first..first + k] {
        reading.value = bad_reading(rng, ccp);
        if worst.is_nan() || distance(reading.value) > distance(worst) {
            worst = reading.value;
        }
    }
    let start = readings[first].at;
    let end = readings[first + k].at;
    if corrected {
        run.actions.push(CorrectiveAction {
            ccp: ccp.id.clone(),
            deviation_start: start,
            recorded_at: at(end.as_millisecond() + ACTION_AFTER_MIN * MINUTE_MS),
            by: "质量部 (QA)".to_owned(),
            action: format!(
                "{}: 偏离已纠正，设备复查并恢复控制；期间生产的批次经评估后放行 (deviation corrected, equipment checked; the lots made during it assessed)",
                ccp.parameter
            ),
        });
    }
    let deviation = HaccpDeviation {
        plant_gln: plant_gln.to_owned(),
        ccp: ccp.id.clone(),
        date: date.to_string(),
        start_ms: start.as_millisecond(),
        end_ms: end.as_millisecond(),
        worst,
        limit: limit_text(ccp),
        lots: lots.to_vec(),
        corrected,
    };
    (run, Some(deviation))
}

/// Everything quality-related the simulator made.
#[derive(Clone, Debug, Default)]
pub struct Quality {
    /// One release test report per finished lot.
    pub lab_reports: Vec<LabReport>,
    /// Every raw-milk delivery with its receiving tests.
    pub deliveries: Vec<RawMilkDelivery>,
    /// Which transformation used which delivery.
    pub milk_uses: Vec<MilkUse>,
    /// Every domestic plant's production runs.
    pub runs: Vec<HaccpRun>,
}

impl Quality {
    /// HACCP readings made.
    pub fn haccp_readings(&self) -> u64 {
        self.runs
            .iter()
            .flat_map(|run| &run.series)
            .map(|series| series.readings.len() as u64)
            .sum()
    }
}

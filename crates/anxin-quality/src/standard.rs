//! Standards as data: one TOML file per standard version, parsed into [`Standard`], and the
//! [`Catalogue`] that picks the versions in force for a product on a date.
//!
//! Every limit carries where it comes from ([`Source`]: standard, clause, where the value was
//! found, confidence). A value nobody found is [`Bound::Unknown`], never a number.
//! National standards are embedded in the binary (`standards/*.toml`); enterprise standards use
//! the same format and are parsed from text handed in. Nothing here reads a file.

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::Date;
use serde::Deserialize;

use crate::analyte::{self, Analyte, Kind};
use crate::judge::{describe_bounds, format_number};
use crate::unit::Unit;

/// How far a value can be trusted (the legend of ../shared/reference/standards.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Confidence {
    /// Official text or a faithful mirror of it.
    A,
    /// Two or more independent secondary sources agree.
    B,
    /// One secondary source.
    C,
    /// Recalled, unverified: never fails a lot on its own.
    R,
    /// Nothing was found.
    Unknown,
    /// An enterprise's own published standard: binding on that enterprise's products.
    Own,
}

impl Confidence {
    fn parse(text: &str) -> Option<Confidence> {
        Some(match text {
            "A" => Confidence::A,
            "B" => Confidence::B,
            "C" => Confidence::C,
            "R" => Confidence::R,
            "unknown" => Confidence::Unknown,
            _ => return None,
        })
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Confidence::A => "A",
            Confidence::B => "B",
            Confidence::C => "C",
            Confidence::R => "R (recalled, unverified)",
            Confidence::Unknown => "unknown",
            Confidence::Own => "enterprise standard",
        })
    }
}

/// One side of a limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// The standard sets no limit on this side ("N.S.").
    None,
    /// A limit.
    Value(f64),
    /// The standard sets a limit here but its value was not found.
    Unknown,
}

impl Bound {
    /// The number, if there is one.
    pub fn value(self) -> Option<f64> {
        match self {
            Bound::Value(value) => Some(value),
            _ => None,
        }
    }
}

/// The product a standard applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductType {
    /// 婴儿配方食品, 0–6 months (stage 1).
    Infant,
    /// 较大婴儿配方食品, 6–12 months (stage 2).
    OlderInfant,
    /// 幼儿配方食品, 12–36 months (stage 3).
    YoungChild,
    /// 生乳, raw milk at receiving.
    RawMilk,
}

impl ProductType {
    /// Reads `infant`, `older_infant`, `young_child`, `raw_milk` (also `1`, `2`, `3` for stages).
    pub fn parse(text: &str) -> Option<ProductType> {
        Some(match text.trim() {
            "infant" | "1" => ProductType::Infant,
            "older_infant" | "2" => ProductType::OlderInfant,
            "young_child" | "3" => ProductType::YoungChild,
            "raw_milk" => ProductType::RawMilk,
            _ => return None,
        })
    }
}

/// A fact about a sample that decides whether a conditional limit applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// Milk-based formula (乳基).
    MilkBased,
    /// Soy-based formula (豆基).
    SoyBased,
    /// A powder (the default for formula).
    Powder,
    /// A liquid, ready-to-feed product.
    Liquid,
    /// Packed in tin-plated steel containers.
    TinPlateContainer,
    /// No vegetables or fruit added.
    NoAddedVegetablesOrFruit,
    /// DHA is added (a DHA result above its detection limit counts as added).
    DhaAdded,
    /// No live cultures added.
    NoLiveCultures,
    /// Cow's milk.
    Cow,
    /// Goat's milk.
    Goat,
    /// Milk from Holstein cows.
    Holstein,
}

impl Fact {
    /// Reads a fact's snake_case name.
    pub fn parse(text: &str) -> Option<Fact> {
        Some(match text.trim() {
            "milk_based" => Fact::MilkBased,
            "soy_based" => Fact::SoyBased,
            "powder" => Fact::Powder,
            "liquid" => Fact::Liquid,
            "tin_plate_container" => Fact::TinPlateContainer,
            "no_added_vegetables_or_fruit" => Fact::NoAddedVegetablesOrFruit,
            "dha_added" => Fact::DhaAdded,
            "no_live_cultures" => Fact::NoLiveCultures,
            "cow" => Fact::Cow,
            "goat" => Fact::Goat,
            "holstein" => Fact::Holstein,
            _ => return None,
        })
    }
}

/// Where a rule comes from.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Source {
    /// The standard's code and year (`GB 10765-2021`).
    pub standard: String,
    /// The table, clause or footnote.
    pub clause: String,
    /// Where the value was found (source ids of the standard's `[sources]` table, or a note).
    pub found_in: String,
    /// How far it can be trusted.
    pub confidence: Confidence,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {} [{}; confidence {}]",
            self.standard, self.clause, self.found_in, self.confidence
        )
    }
}

/// Which samples a rule applies to.
#[derive(Clone, Debug, PartialEq)]
pub struct Scope {
    /// The product types.
    pub products: Vec<ProductType>,
    /// Facts that must all hold.
    pub when: Vec<Fact>,
}

/// A min/max limit on one analyte.
#[derive(Clone, Debug)]
pub struct Limit {
    /// What is limited.
    pub analyte: &'static Analyte,
    /// The unit of `min` and `max`.
    pub unit: Unit,
    /// The unit as printed in judgments.
    pub unit_text: String,
    /// The limit as a reader would state it (`0.43–0.72 g/100kJ`).
    pub rule_text: String,
    /// Lower limit.
    pub min: Bound,
    /// Upper limit.
    pub max: Bound,
    /// The per-100-kcal column beside a per-100-kJ value, as printed (information only).
    pub per_100kcal: Option<String>,
    /// Whether a sample must report it (a missing required analyte makes a judgment incomplete).
    pub required: bool,
    /// Shown but never fails a lot (besides R limits, which never fail anyway).
    pub advisory: bool,
    /// Liquid products are judged against the limit divided by this (GB 2762's 8:1 rule).
    pub liquid_divisor: Option<f64>,
    /// Where it applies.
    pub scope: Scope,
    /// Where it comes from.
    pub source: Source,
    /// Anything a reader should know.
    pub note: Option<String>,
}

/// A ratio of two analytes that must lie within bounds (Ca:P, LA:ALA, ARA:DHA).
#[derive(Clone, Debug)]
pub struct RatioRule {
    /// The rule's name (`ca_p`).
    pub id: String,
    /// The subject judgments name it by (`ratio ca_p`).
    pub subject: String,
    /// The rule as a reader would state it.
    pub rule_text: String,
    /// The analyte above the line.
    pub numerator: &'static Analyte,
    /// The analyte below the line.
    pub denominator: &'static Analyte,
    /// Lower limit of numerator ÷ denominator.
    pub min: Bound,
    /// Upper limit.
    pub max: Bound,
    /// Whether both analytes must be reported when the rule applies.
    pub required: bool,
    /// Where it applies.
    pub scope: Scope,
    /// Where it comes from.
    pub source: Source,
    /// Anything a reader should know.
    pub note: Option<String>,
}

/// A minimum that grows with other analytes: `analyte ≥ Σ factor × term`, all on one basis
/// (vitamin E against the polyunsaturated fatty acids it protects).
#[derive(Clone, Debug)]
pub struct WeightedMinimum {
    /// The rule's name.
    pub id: String,
    /// The subject judgments name it by (`minimum vitamin_e_pufa`).
    pub subject: String,
    /// The rule as a reader would state it.
    pub rule_text: String,
    /// The analyte whose minimum it is.
    pub analyte: &'static Analyte,
    /// The mass unit of `analyte` that one gram of each term asks for (mg per g).
    pub unit: Unit,
    /// The terms: analyte and the amount of `analyte` (in `unit`) each gram of it needs.
    pub terms: Vec<(&'static Analyte, f64)>,
    /// Where it applies.
    pub scope: Scope,
    /// Where it comes from.
    pub source: Source,
    /// Anything a reader should know.
    pub note: Option<String>,
}

/// How a microbiological plan reads a sample unit.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanKind {
    /// Counts in `unit`: above `m` is marginal, above `big_m` rejects the lot.
    Count {
        /// The unit of `m` and `M`.
        unit: Unit,
        /// The lower limit m.
        m: f64,
        /// The upper limit M.
        big_m: Bound,
    },
    /// Detected or not in a test portion (m = 0 per portion): any detection is beyond m.
    Presence {
        /// The test portion (`25 g`, `100 g`).
        portion: String,
    },
}

/// A sampling plan n, c, m, M.
#[derive(Clone, Debug)]
pub struct MicroPlan {
    /// The organism.
    pub organism: &'static Analyte,
    /// The subject judgments name it by (`plan cronobacter`).
    pub subject: String,
    /// The plan as a reader would state it (`n=3, c=0, m=0/100 g`).
    pub rule_text: String,
    /// Sample units per lot.
    pub n: u32,
    /// Units allowed between m and M.
    pub c: u32,
    /// Counts or presence.
    pub kind: PlanKind,
    /// Whether a lot must be tested for it.
    pub required: bool,
    /// Where it applies.
    pub scope: Scope,
    /// Where it comes from.
    pub source: Source,
    /// Anything a reader should know.
    pub note: Option<String>,
}

/// How much of a standard is in the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Everything relevant is encoded.
    Complete,
    /// Some rows are unknown (named in `coverage_note`): shown as gaps, the rest is judged.
    Partial,
    /// The tables a lot must meet are missing: a lot can never be found conformant against it.
    Insufficient,
    /// The version is known to exist, its values are not in the data.
    NotEncoded,
}

/// Whose standard it is.
#[derive(Clone, Debug, PartialEq)]
pub enum Issuer {
    /// A national food-safety standard or announcement.
    National,
    /// An enterprise standard (企业标准) of the named enterprise.
    Enterprise(String),
}

/// One version of one standard.
#[derive(Clone, Debug)]
pub struct Standard {
    /// Code and year (`GB 10765-2021`, `Q/ABC 0001S-2026`).
    pub code: String,
    /// Title.
    pub title: String,
    /// National or an enterprise's.
    pub issuer: Issuer,
    /// First day in force (None: not in the data).
    pub in_force_from: Option<Date>,
    /// Last day in force (None: still in force).
    pub in_force_until: Option<Date>,
    /// Date of issue, when known.
    pub issued: Option<Date>,
    /// What it replaced, in words.
    pub replaces: Option<String>,
    /// Where its dates come from.
    pub dates_source: Option<String>,
    /// The products it covers.
    pub products: Vec<ProductType>,
    /// How much of it is encoded.
    pub coverage: Coverage,
    /// What is missing, in words.
    pub coverage_note: Option<String>,
    /// Source ids → descriptions.
    pub sources: BTreeMap<String, String>,
    /// Min/max limits.
    pub limits: Vec<Limit>,
    /// Ratio rules.
    pub ratios: Vec<RatioRule>,
    /// Minimums that grow with other analytes.
    pub weighted_minimums: Vec<WeightedMinimum>,
    /// Microbiological plans.
    pub micro: Vec<MicroPlan>,
    /// The analytes any of its rows speaks about, as a set of [`analyte::bit`]s.
    pub covered: u128,
}

impl Standard {
    /// Whether the standard is in force on `date`.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.in_force_from.is_none_or(|from| from <= date)
            && self.in_force_until.is_none_or(|until| date <= until)
    }

    /// The family a version belongs to: the code without its year (`GB 2762`).
    pub fn family(&self) -> &str {
        match self.code.rsplit_once('-') {
            Some((family, year)) if year.chars().all(|c| c.is_ascii_digit()) => family,
            _ => &self.code,
        }
    }
}

/// A standards file that cannot be used, with the place and the problem.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{file}: {place}: {message}")]
pub struct StandardError {
    /// The file (or the name given to the text).
    pub file: String,
    /// Where in it (`limit 3 (protein)`, `standard`).
    pub place: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    standard: RawHeader,
    #[serde(default)]
    sources: BTreeMap<String, String>,
    #[serde(default)]
    limit: Vec<RawLimit>,
    #[serde(default)]
    ratio: Vec<RawRatio>,
    #[serde(default)]
    weighted_minimum: Vec<RawWeightedMinimum>,
    #[serde(default)]
    micro: Vec<RawMicro>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    code: String,
    title: String,
    enterprise: Option<String>,
    issued: Option<String>,
    in_force_from: Option<String>,
    in_force_until: Option<String>,
    replaces: Option<String>,
    products: Vec<String>,
    coverage: Option<String>,
    coverage_note: Option<String>,
    dates_source: Option<String>,
}

#[derive(Clone, Copy)]
enum RawBound<'a> {
    Number(f64),
    Word(&'a str),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimit {
    analyte: String,
    products: Option<Vec<String>>,
    #[serde(default)]
    when: Vec<String>,
    unit: String,
    #[serde(default)]
    min: Option<toml::Value>,
    #[serde(default)]
    max: Option<toml::Value>,
    per_100kcal: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    advisory: bool,
    liquid_divisor: Option<f64>,
    clause: String,
    source: Option<String>,
    confidence: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRatio {
    id: String,
    numerator: String,
    denominator: String,
    products: Option<Vec<String>>,
    #[serde(default)]
    when: Vec<String>,
    min: Option<toml::Value>,
    max: Option<toml::Value>,
    #[serde(default)]
    required: bool,
    clause: String,
    source: Option<String>,
    confidence: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeightedMinimum {
    id: String,
    analyte: String,
    unit: String,
    terms: Vec<RawTerm>,
    products: Option<Vec<String>>,
    #[serde(default)]
    when: Vec<String>,
    clause: String,
    source: Option<String>,
    confidence: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    analyte: String,
    factor: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMicro {
    organism: String,
    products: Option<Vec<String>>,
    #[serde(default)]
    when: Vec<String>,
    kind: String,
    unit: Option<String>,
    portion: Option<String>,
    n: u32,
    c: u32,
    m: Option<toml::Value>,
    #[serde(rename = "M")]
    big_m: Option<toml::Value>,
    #[serde(default)]
    required: bool,
    clause: String,
    source: Option<String>,
    confidence: Option<String>,
    note: Option<String>,
}

/// Parses one standards file. `file` names it in errors.
pub fn parse_standard(file: &str, text: &str) -> Result<Standard, StandardError> {
    let fail = |place: &str, message: String| StandardError {
        file: file.to_owned(),
        place: place.to_owned(),
        message,
    };
    let raw: RawFile =
        toml::from_str(text).map_err(|e| fail("file", e.to_string().trim().to_owned()))?;
    let header = &raw.standard;
    let issuer = match &header.enterprise {
        Some(name) => Issuer::Enterprise(name.clone()),
        None => Issuer::National,
    };
    let date = |field: &str, value: &Option<String>| -> Result<Option<Date>, StandardError> {
        value
            .as_deref()
            .map(|text| {
                text.parse::<Date>().map_err(|e| {
                    fail(
                        "standard",
                        format!("{field} {text:?} is not a date (YYYY-MM-DD): {e}"),
                    )
                })
            })
            .transpose()
    };
    let issued = date("issued", &header.issued)?;
    let in_force_from = date("in_force_from", &header.in_force_from)?;
    let in_force_until = date("in_force_until", &header.in_force_until)?;
    if let (Some(from), Some(until)) = (in_force_from, in_force_until)
        && until < from
    {
        return Err(fail(
            "standard",
            format!("in_force_until {until} is before in_force_from {from}"),
        ));
    }
    let products = parse_products(&header.products).map_err(|m| fail("standard", m))?;
    if products.is_empty() {
        return Err(fail("standard", "products is empty".into()));
    }
    let coverage = match header.coverage.as_deref() {
        None | Some("complete") => Coverage::Complete,
        Some("partial") => Coverage::Partial,
        Some("insufficient") => Coverage::Insufficient,
        Some("not_encoded") => Coverage::NotEncoded,
        Some(other) => {
            return Err(fail(
                "standard",
                format!("coverage {other:?} is not complete, partial, insufficient or not_encoded"),
            ));
        }
    };
    let context = Context {
        code: &header.code,
        enterprise: matches!(issuer, Issuer::Enterprise(_)),
        products: &products,
        sources: &raw.sources,
    };
    let limits = raw
        .limit
        .iter()
        .enumerate()
        .map(|(index, limit)| {
            parse_limit(&context, limit)
                .map_err(|m| fail(&format!("limit {} ({})", index + 1, limit.analyte), m))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ratios = raw
        .ratio
        .iter()
        .enumerate()
        .map(|(index, ratio)| {
            parse_ratio(&context, ratio)
                .map_err(|m| fail(&format!("ratio {} ({})", index + 1, ratio.id), m))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let weighted_minimums = raw
        .weighted_minimum
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            parse_weighted_minimum(&context, rule)
                .map_err(|m| fail(&format!("weighted_minimum {} ({})", index + 1, rule.id), m))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let micro = raw
        .micro
        .iter()
        .enumerate()
        .map(|(index, plan)| {
            parse_micro(&context, plan)
                .map_err(|m| fail(&format!("micro {} ({})", index + 1, plan.organism), m))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let covered = limits
        .iter()
        .map(|l| analyte::bit(l.analyte))
        .fold(0, |set, bit| set | bit)
        | ratios
            .iter()
            .map(|r| analyte::bit(r.numerator) | analyte::bit(r.denominator))
            .fold(0, |set, bit| set | bit)
        | weighted_minimums
            .iter()
            .flat_map(|w| std::iter::once(w.analyte).chain(w.terms.iter().map(|(a, _)| *a)))
            .map(analyte::bit)
            .fold(0, |set, bit| set | bit)
        | micro
            .iter()
            .map(|p| analyte::bit(p.organism))
            .fold(0, |set, bit| set | bit);
    Ok(Standard {
        covered,
        code: header.code.clone(),
        title: header.title.clone(),
        issuer,
        in_force_from,
        in_force_until,
        issued,
        replaces: header.replaces.clone(),
        dates_source: header.dates_source.clone(),
        products,
        coverage,
        coverage_note: header.coverage_note.clone(),
        sources: raw.sources.clone(),
        limits,
        ratios,
        weighted_minimums,
        micro,
    })
}

struct Context<'a> {
    code: &'a str,
    enterprise: bool,
    products: &'a [ProductType],
    sources: &'a BTreeMap<String, String>,
}

impl Context<'_> {
    fn source(
        &self,
        clause: &str,
        found_in: &Option<String>,
        confidence: &Option<String>,
    ) -> Result<Source, String> {
        let confidence = match (self.enterprise, confidence.as_deref()) {
            (true, None) => Confidence::Own,
            (true, Some(_)) => return Err("an enterprise standard's limits carry no confidence mark: they are the enterprise's own".into()),
            (false, None) => return Err("confidence is missing (A, B, C, R or unknown)".into()),
            (false, Some(text)) => Confidence::parse(text).ok_or_else(|| format!("confidence {text:?} is not A, B, C, R or unknown"))?,
        };
        let found_in = match (self.enterprise, found_in) {
            (_, Some(text)) => text.clone(),
            (true, None) => "the enterprise's published standard".to_owned(),
            (false, None) => return Err("source is missing".into()),
        };
        // Every source id (S1, S21, …) named must be described in the file's [sources] table.
        for id in found_in.split([';', ',', ' ']).map(str::trim) {
            if id.len() > 1
                && id.starts_with('S')
                && id[1..].chars().all(|c| c.is_ascii_digit())
                && !self.sources.contains_key(id)
            {
                return Err(format!("source {id} is not described in [sources]"));
            }
        }
        Ok(Source {
            standard: self.code.to_owned(),
            clause: clause.to_owned(),
            found_in,
            confidence,
        })
    }

    fn scope(&self, products: &Option<Vec<String>>, when: &[String]) -> Result<Scope, String> {
        let products = match products {
            Some(list) => {
                let parsed = parse_products(list)?;
                if let Some(outside) = parsed.iter().find(|p| !self.products.contains(p)) {
                    return Err(format!(
                        "product {outside:?} is not among the standard's products"
                    ));
                }
                parsed
            }
            None => self.products.to_vec(),
        };
        let when = when
            .iter()
            .map(|text| {
                Fact::parse(text).ok_or_else(|| format!("condition {text:?} is not a known fact"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scope { products, when })
    }
}

fn parse_products(list: &[String]) -> Result<Vec<ProductType>, String> {
    list.iter()
        .map(|text| {
            ProductType::parse(text).ok_or_else(|| {
                format!("product {text:?} is not infant, older_infant, young_child or raw_milk")
            })
        })
        .collect()
}

fn parse_bound(field: &str, value: &Option<toml::Value>) -> Result<Bound, String> {
    let Some(value) = value else {
        return Ok(Bound::None);
    };
    let raw: RawBound = match value {
        toml::Value::Integer(n) => RawBound::Number(*n as f64),
        toml::Value::Float(n) => RawBound::Number(*n),
        toml::Value::String(s) => RawBound::Word(s),
        other => {
            return Err(format!(
                "{field} {other:?} is neither a number, \"NS\" nor \"unknown\""
            ));
        }
    };
    match raw {
        RawBound::Number(n) if n.is_finite() => Ok(Bound::Value(n)),
        RawBound::Number(n) => Err(format!("{field} {n} is not a finite number")),
        RawBound::Word("NS") => Ok(Bound::None),
        RawBound::Word("unknown") => Ok(Bound::Unknown),
        RawBound::Word(word) => Err(format!(
            "{field} {word:?} is neither a number, \"NS\" nor \"unknown\""
        )),
    }
}

fn find_analyte(name: &str) -> Result<&'static Analyte, String> {
    analyte::find(name).ok_or_else(|| format!("analyte {name:?} is not known"))
}

fn check_order(min: Bound, max: Bound) -> Result<(), String> {
    if let (Bound::Value(min), Bound::Value(max)) = (min, max)
        && min > max
    {
        return Err(format!("min {min} is above max {max}"));
    }
    Ok(())
}

fn parse_limit(context: &Context, raw: &RawLimit) -> Result<Limit, String> {
    let analyte = find_analyte(&raw.analyte)?;
    let unit = Unit::parse(&raw.unit).ok_or_else(|| format!("unit {:?} is not known", raw.unit))?;
    if !analyte.accepts(unit) {
        return Err(format!("{} cannot be measured in {}", analyte.id, raw.unit));
    }
    let min = parse_bound("min", &raw.min)?;
    let max = parse_bound("max", &raw.max)?;
    check_order(min, max)?;
    if context.enterprise && (min == Bound::Unknown || max == Bound::Unknown) {
        return Err("an enterprise limit must be a number or absent, never unknown".into());
    }
    if raw
        .liquid_divisor
        .is_some_and(|d| !(d.is_finite() && d > 0.0))
    {
        return Err("liquid_divisor must be a positive number".into());
    }
    if analyte.kind == Kind::Presence {
        return Err(format!(
            "{} is detected or not: limit it with a [[micro]] presence plan",
            analyte.id
        ));
    }
    let unit_text = unit.to_string();
    Ok(Limit {
        analyte,
        unit,
        rule_text: describe_bounds(min, max, &unit_text),
        unit_text,
        min,
        max,
        per_100kcal: raw.per_100kcal.clone(),
        required: raw.required,
        advisory: raw.advisory,
        liquid_divisor: raw.liquid_divisor,
        scope: context.scope(&raw.products, &raw.when)?,
        source: context.source(&raw.clause, &raw.source, &raw.confidence)?,
        note: raw.note.clone(),
    })
}

fn parse_ratio(context: &Context, raw: &RawRatio) -> Result<RatioRule, String> {
    let numerator = find_analyte(&raw.numerator)?;
    let denominator = find_analyte(&raw.denominator)?;
    if numerator.kind != Kind::Mass || denominator.kind != Kind::Mass {
        return Err("a ratio rule relates two masses".into());
    }
    let min = parse_bound("min", &raw.min)?;
    let max = parse_bound("max", &raw.max)?;
    check_order(min, max)?;
    Ok(RatioRule {
        id: raw.id.clone(),
        subject: format!("ratio {}", raw.id),
        rule_text: format!(
            "{}:{} {}",
            numerator.id,
            denominator.id,
            describe_bounds(min, max, "")
        ),
        numerator,
        denominator,
        min,
        max,
        required: raw.required,
        scope: context.scope(&raw.products, &raw.when)?,
        source: context.source(&raw.clause, &raw.source, &raw.confidence)?,
        note: raw.note.clone(),
    })
}

fn parse_weighted_minimum(
    context: &Context,
    raw: &RawWeightedMinimum,
) -> Result<WeightedMinimum, String> {
    let analyte = find_analyte(&raw.analyte)?;
    let unit = Unit::parse(&raw.unit).ok_or_else(|| format!("unit {:?} is not known", raw.unit))?;
    if analyte.kind != Kind::Mass
        || !matches!(unit.numerator, crate::unit::Numerator::Mass(_))
        || unit.basis != crate::unit::Basis::PerG
    {
        return Err(format!(
            "{} needs a mass per gram of each term (e.g. \"mg/g\"), not {:?}",
            analyte.id, raw.unit
        ));
    }
    if raw.terms.is_empty() {
        return Err("a weighted minimum needs at least one term".into());
    }
    let terms = raw
        .terms
        .iter()
        .map(|term| {
            let term_analyte = find_analyte(&term.analyte)?;
            if term_analyte.kind != Kind::Mass || !(term.factor.is_finite() && term.factor > 0.0) {
                return Err(format!(
                    "term {}: a mass with a positive factor is needed",
                    term.analyte
                ));
            }
            Ok((term_analyte, term.factor))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let sum: Vec<String> = terms
        .iter()
        .map(|(a, f)| format!("{} × {}", format_number(*f), a.id))
        .collect();
    Ok(WeightedMinimum {
        id: raw.id.clone(),
        subject: format!("minimum {}", raw.id),
        rule_text: format!("{} ≥ {} ({} per g)", analyte.id, sum.join(" + "), raw.unit),
        analyte,
        unit,
        terms,
        scope: context.scope(&raw.products, &raw.when)?,
        source: context.source(&raw.clause, &raw.source, &raw.confidence)?,
        note: raw.note.clone(),
    })
}

fn parse_micro(context: &Context, raw: &RawMicro) -> Result<MicroPlan, String> {
    let organism = find_analyte(&raw.organism)?;
    if raw.n == 0 || raw.c >= raw.n {
        return Err(format!(
            "n = {} and c = {}: n must be at least 1 and c below n",
            raw.n, raw.c
        ));
    }
    let kind = match raw.kind.as_str() {
        "count" => {
            if organism.kind != Kind::Count {
                return Err(format!("{} is not counted", organism.id));
            }
            let text = raw.unit.as_deref().ok_or("a count plan needs a unit")?;
            let unit = Unit::parse(text).ok_or_else(|| format!("unit {text:?} is not known"))?;
            if !organism.accepts(unit) {
                return Err(format!("{} cannot be counted in {text}", organism.id));
            }
            let m = parse_bound("m", &raw.m)?
                .value()
                .ok_or("a count plan needs a number for m")?;
            let big_m = parse_bound("M", &raw.big_m)?;
            check_order(Bound::Value(m), big_m)?;
            PlanKind::Count { unit, m, big_m }
        }
        "presence" => {
            if organism.kind != Kind::Presence {
                return Err(format!("{} is counted, not detected", organism.id));
            }
            PlanKind::Presence {
                portion: raw
                    .portion
                    .clone()
                    .ok_or("a presence plan needs its test portion (e.g. \"25 g\")")?,
            }
        }
        other => return Err(format!("kind {other:?} is not count or presence")),
    };
    let rule_text = match &kind {
        PlanKind::Count { unit, m, big_m } => {
            let big_m = match big_m {
                Bound::Value(v) => format_number(*v),
                Bound::None => "N.S.".into(),
                Bound::Unknown => "unknown".into(),
            };
            format!(
                "n={}, c={}, m={} {unit}, M={big_m}",
                raw.n,
                raw.c,
                format_number(*m)
            )
        }
        PlanKind::Presence { portion } => format!("n={}, c={}, m=0/{portion}", raw.n, raw.c),
    };
    Ok(MicroPlan {
        organism,
        subject: format!("plan {}", organism.id),
        rule_text,
        n: raw.n,
        c: raw.c,
        kind,
        required: raw.required,
        scope: context.scope(&raw.products, &raw.when)?,
        source: context.source(&raw.clause, &raw.source, &raw.confidence)?,
        note: raw.note.clone(),
    })
}

/// The national standards shipped with the platform, one file per version.
pub const NATIONAL_FILES: &[(&str, &str)] = &[
    (
        "gb-10765-2010.toml",
        include_str!("../standards/gb-10765-2010.toml"),
    ),
    (
        "gb-10765-2021.toml",
        include_str!("../standards/gb-10765-2021.toml"),
    ),
    (
        "gb-10766-2021.toml",
        include_str!("../standards/gb-10766-2021.toml"),
    ),
    (
        "gb-10767-2021.toml",
        include_str!("../standards/gb-10767-2021.toml"),
    ),
    (
        "gb-19301-2010.toml",
        include_str!("../standards/gb-19301-2010.toml"),
    ),
    (
        "gb-2761-2017.toml",
        include_str!("../standards/gb-2761-2017.toml"),
    ),
    (
        "gb-2762-2017.toml",
        include_str!("../standards/gb-2762-2017.toml"),
    ),
    (
        "gb-2762-2022.toml",
        include_str!("../standards/gb-2762-2022.toml"),
    ),
    (
        "gb-2762-2025.toml",
        include_str!("../standards/gb-2762-2025.toml"),
    ),
    (
        "gb-29921-2021.toml",
        include_str!("../standards/gb-29921-2021.toml"),
    ),
    (
        "moh-2011-10.toml",
        include_str!("../standards/moh-2011-10.toml"),
    ),
];

/// A set of national standard versions.
#[derive(Clone, Debug)]
pub struct Catalogue {
    /// Every version, in file order.
    pub standards: Vec<Standard>,
}

impl Catalogue {
    /// The national standards shipped with the platform.
    pub fn national() -> Result<Catalogue, StandardError> {
        Catalogue::from_files(NATIONAL_FILES)
    }

    /// Parses a set of (name, text) files and checks that no two versions of one standard are
    /// in force for the same product on the same day.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Catalogue, StandardError> {
        let standards = files
            .iter()
            .map(|(name, text)| parse_standard(name, text))
            .collect::<Result<Vec<_>, _>>()?;
        for (index, a) in standards.iter().enumerate() {
            if a.issuer != Issuer::National {
                return Err(StandardError {
                    file: files[index].0.to_owned(),
                    place: "standard".into(),
                    message: "an enterprise standard is not part of the national catalogue".into(),
                });
            }
            for b in &standards[index + 1..] {
                let shares_product = a.products.iter().any(|p| b.products.contains(p));
                let overlaps = a
                    .in_force_from
                    .is_none_or(|from| b.in_force_until.is_none_or(|until| from <= until))
                    && b.in_force_from
                        .is_none_or(|from| a.in_force_until.is_none_or(|until| from <= until));
                if a.family() == b.family() && shares_product && overlaps {
                    return Err(StandardError {
                        file: files[index].0.to_owned(),
                        place: "standard".into(),
                        message: format!(
                            "{} and {} are both in force on some day for the same product",
                            a.code, b.code
                        ),
                    });
                }
            }
        }
        Ok(Catalogue { standards })
    }

    /// The versions in force for `product` on `date`.
    pub fn in_force(&self, product: ProductType, date: Date) -> Vec<&Standard> {
        self.standards
            .iter()
            .filter(|standard| standard.products.contains(&product) && standard.in_force_on(date))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_catalogue_parses_and_has_no_overlapping_versions() {
        let catalogue = Catalogue::national().unwrap();
        assert_eq!(catalogue.standards.len(), NATIONAL_FILES.len());
        let gb10765 = catalogue
            .standards
            .iter()
            .find(|s| s.code == "GB 10765-2021")
            .unwrap();
        assert!(
            gb10765.limits.len() >= 35,
            "every essential and optional component"
        );
    }

    #[test]
    fn gb_2762_2025_replaces_2022_on_2026_09_02() {
        let catalogue = Catalogue::national().unwrap();
        let codes = |date: &str| -> Vec<String> {
            catalogue
                .in_force(ProductType::Infant, date.parse().unwrap())
                .iter()
                .map(|s| s.code.clone())
                .filter(|code| code.starts_with("GB 2762"))
                .collect()
        };
        assert_eq!(codes("2026-09-01"), ["GB 2762-2022"]);
        assert_eq!(codes("2026-09-02"), ["GB 2762-2025"]);
        assert_eq!(codes("2023-06-29"), ["GB 2762-2017"]);
    }

    #[test]
    fn gb_10765_2021_replaces_2010_on_2023_02_22() {
        let catalogue = Catalogue::national().unwrap();
        let in_force = |date: &str| -> Vec<String> {
            catalogue
                .in_force(ProductType::Infant, date.parse().unwrap())
                .iter()
                .map(|s| s.code.clone())
                .filter(|code| code.starts_with("GB 10765"))
                .collect()
        };
        assert_eq!(in_force("2023-02-21"), ["GB 10765-2010"]);
        assert_eq!(in_force("2023-02-22"), ["GB 10765-2021"]);
    }

    fn header(extra: &str) -> String {
        format!(
            "[standard]\ncode = \"GB 1-2020\"\ntitle = \"t\"\nproducts = [\"infant\"]\n{extra}\n[sources]\nS1 = \"x\"\n"
        )
    }

    #[track_caller]
    fn refused(text: &str, expect: &str) {
        let error = parse_standard("test.toml", text).unwrap_err();
        assert!(
            error.to_string().contains(expect),
            "{error} should mention {expect}"
        );
    }

    #[test]
    fn broken_standards_files_are_refused_with_place_and_reason() {
        let limit = |body: &str| format!("{}[[limit]]\n{body}\n", header(""));
        refused(
            &limit(
                "analyte = \"unobtainium\"\nunit = \"mg/kg\"\nclause = \"x\"\nsource = \"S1\"\nconfidence = \"A\"",
            ),
            "limit 1 (unobtainium): analyte",
        );
        refused(
            &limit(
                "analyte = \"lead\"\nunit = \"mg/furlong\"\nclause = \"x\"\nsource = \"S1\"\nconfidence = \"A\"",
            ),
            "unit",
        );
        refused(
            &limit(
                "analyte = \"lead\"\nunit = \"mg/kg\"\nmax = 1\nclause = \"x\"\nsource = \"S1\"",
            ),
            "confidence is missing",
        );
        refused(
            &limit(
                "analyte = \"lead\"\nunit = \"mg/kg\"\nmax = 1\nclause = \"x\"\nsource = \"S9\"\nconfidence = \"A\"",
            ),
            "S9 is not described",
        );
        refused(
            &limit(
                "analyte = \"lead\"\nunit = \"mg/kg\"\nmin = 2\nmax = 1\nclause = \"x\"\nsource = \"S1\"\nconfidence = \"A\"",
            ),
            "above max",
        );
        refused(
            &limit(
                "analyte = \"lead\"\nunit = \"mg/kg\"\nmax = \"maybe\"\nclause = \"x\"\nsource = \"S1\"\nconfidence = \"A\"",
            ),
            "neither a number",
        );
        refused(
            &limit(
                "analyte = \"lead\"\nunit = \"°C\"\nmax = 1\nclause = \"x\"\nsource = \"S1\"\nconfidence = \"A\"",
            ),
            "cannot be measured",
        );
        refused(&header("in_force_from = \"2020-13-01\""), "in_force_from");
        refused(&header("colour = \"red\""), "unknown field");
    }
}

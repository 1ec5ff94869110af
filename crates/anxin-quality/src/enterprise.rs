//! Enterprise standards (企业标准): stricter limits or extra parameters an enterprise sets for its
//! own products, checked against every national limit they touch.
//!
//! [`review`] parses an enterprise standard (the same TOML format as the national files, with
//! `enterprise = "…"` in its header and no confidence marks) and refuses it, with every reason,
//! if any limit is looser than a national one in force at some time while it is: a lower minimum,
//! a higher maximum, a microbiological plan with fewer units, more tolerated units or higher m/M.
//! Only a reviewed [`EnterpriseStandard`] can be used in a judgment.
//! Publishing a committed standard (公开承诺) is the store's and the server's job, not this module's.

use serde::Serialize;

use crate::standard::{
    Bound, Catalogue, Confidence, Fact, Issuer, Limit, MicroPlan, PlanKind, ProductType, Scope,
    Source, Standard, StandardError, parse_standard,
};
use crate::unit::Unit;

/// Relative tolerance for "at least as strict": equal limits are not looser (an assumption of
/// this code, one part in a billion, far below the precision any standard prints).
const STRICTNESS_TOLERANCE: f64 = 1e-9;

/// An enterprise standard that passed review.
#[derive(Clone, Debug)]
pub struct EnterpriseStandard {
    standard: Standard,
    /// Things a reader should know that did not refuse the standard (a national limit it could
    /// not be compared with because that limit is unverified).
    pub notes: Vec<String>,
}

impl EnterpriseStandard {
    /// The standard.
    pub fn standard(&self) -> &Standard {
        &self.standard
    }

    /// The enterprise's name.
    pub fn enterprise(&self) -> &str {
        match &self.standard.issuer {
            Issuer::Enterprise(name) => name,
            Issuer::National => "",
        }
    }
}

/// One way an enterprise limit is looser than the law.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Looseness {
    /// The analyte or plan.
    pub subject: String,
    /// The enterprise's value, with its unit.
    pub enterprise: String,
    /// The national value, in the national unit.
    pub national: String,
    /// Where the national value comes from.
    pub national_source: Source,
    /// The sentence a reviewer reads.
    pub reason: String,
}

/// Why an enterprise standard was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The file itself is broken.
    #[error(transparent)]
    Invalid(#[from] StandardError),
    /// It is not an enterprise standard, or lacks what one needs.
    #[error("{0}")]
    NotEnterprise(String),
    /// Some limits are looser than national ones.
    #[error("{} limit(s) looser than the national standard: {}", .0.len(), .0.iter().map(|l| l.reason.as_str()).collect::<Vec<_>>().join("; "))]
    Looser(Vec<Looseness>),
}

/// Parses and reviews an enterprise standard against the national catalogue.
pub fn review(
    catalogue: &Catalogue,
    file: &str,
    text: &str,
) -> Result<EnterpriseStandard, Refusal> {
    let standard = parse_standard(file, text)?;
    if standard.issuer == Issuer::National {
        return Err(Refusal::NotEnterprise(format!(
            "{file}: the [standard] header must name the enterprise (enterprise = \"…\")"
        )));
    }
    let Some(from) = standard.in_force_from else {
        return Err(Refusal::NotEnterprise(format!(
            "{file}: an enterprise standard must say from when it applies (in_force_from)"
        )));
    };
    // Every national version in force at some time while the enterprise standard is.
    let national: Vec<&Standard> = catalogue
        .standards
        .iter()
        .filter(|n| n.in_force_until.is_none_or(|until| from <= until))
        .filter(|n| match (standard.in_force_until, n.in_force_from) {
            (Some(until), Some(n_from)) => n_from <= until,
            _ => true,
        })
        .collect();
    let mut looser = Vec::new();
    let mut notes = Vec::new();
    for limit in &standard.limits {
        for national_limit in national
            .iter()
            .flat_map(|n| &n.limits)
            .filter(|n| std::ptr::eq(n.analyte, limit.analyte))
        {
            if overlaps(&limit.scope, &national_limit.scope) {
                compare_limit(limit, national_limit, &mut looser, &mut notes);
            }
        }
    }
    for plan in &standard.micro {
        for national_plan in national
            .iter()
            .flat_map(|n| &n.micro)
            .filter(|n| std::ptr::eq(n.organism, plan.organism))
        {
            if overlaps(&plan.scope, &national_plan.scope) {
                compare_plan(plan, national_plan, &mut looser, &mut notes);
            }
        }
    }
    if looser.is_empty() {
        Ok(EnterpriseStandard { standard, notes })
    } else {
        Err(Refusal::Looser(looser))
    }
}

/// Whether two rules can apply to the same sample.
fn overlaps(a: &Scope, b: &Scope) -> bool {
    let shares_product = a
        .products
        .iter()
        .any(|p: &ProductType| b.products.contains(p));
    let exclusive = [
        (Fact::MilkBased, Fact::SoyBased),
        (Fact::Powder, Fact::Liquid),
        (Fact::Cow, Fact::Goat),
    ];
    let contradicts = exclusive.iter().any(|(x, y)| {
        (a.when.contains(x) && b.when.contains(y)) || (a.when.contains(y) && b.when.contains(x))
    });
    shares_product && !contradicts
}

fn number(value: f64) -> String {
    let text = format!("{value:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn compare_limit(
    limit: &Limit,
    national: &Limit,
    looser: &mut Vec<Looseness>,
    notes: &mut Vec<String>,
) {
    let binding = matches!(
        national.source.confidence,
        Confidence::A | Confidence::B | Confidence::C
    ) && !national.advisory;
    for (side, enterprise_bound, national_bound) in [
        ("minimum", limit.min, national.min),
        ("maximum", limit.max, national.max),
    ] {
        let (Bound::Value(enterprise_value), Bound::Value(national_value)) =
            (enterprise_bound, national_bound)
        else {
            continue;
        };
        let converted = match limit.unit.convert(enterprise_value, national.unit, None) {
            Ok(value) => value,
            Err(_) => {
                looser.push(Looseness {
                    subject: limit.analyte.id.to_owned(),
                    enterprise: format!("{} {}", number(enterprise_value), limit.unit),
                    national: format!("{} {}", number(national_value), national.unit),
                    national_source: national.source.clone(),
                    reason: format!(
                        "{}: the enterprise {side} in {} cannot be compared with the national {side} in {}; state it on the national basis",
                        limit.analyte.id, limit.unit, national.unit
                    ),
                });
                continue;
            }
        };
        let is_looser = if side == "minimum" {
            converted < national_value * (1.0 - STRICTNESS_TOLERANCE)
        } else {
            converted > national_value * (1.0 + STRICTNESS_TOLERANCE)
        };
        if !is_looser {
            continue;
        }
        let reason = format!(
            "{}: enterprise {side} {} {} is looser than the national {side} {} {} ({})",
            limit.analyte.id,
            number(enterprise_value),
            limit.unit,
            number(national_value),
            national.unit,
            national.source
        );
        if binding {
            looser.push(Looseness {
                subject: limit.analyte.id.to_owned(),
                enterprise: format!("{} {}", number(enterprise_value), limit.unit),
                national: format!("{} {}", number(national_value), national.unit),
                national_source: national.source.clone(),
                reason,
            });
        } else {
            notes.push(format!(
                "{reason}; the national value is unverified, so this does not refuse the standard"
            ));
        }
    }
}

fn compare_plan(
    plan: &MicroPlan,
    national: &MicroPlan,
    looser: &mut Vec<Looseness>,
    notes: &mut Vec<String>,
) {
    let binding = matches!(
        national.source.confidence,
        Confidence::A | Confidence::B | Confidence::C
    );
    let mut reasons = Vec::new();
    if plan.n < national.n {
        reasons.push(format!(
            "n = {} is fewer sample units than the national n = {}",
            plan.n, national.n
        ));
    }
    if plan.c > national.c {
        reasons.push(format!(
            "c = {} tolerates more units than the national c = {}",
            plan.c, national.c
        ));
    }
    match (&plan.kind, &national.kind) {
        (
            PlanKind::Count { unit, m, big_m },
            PlanKind::Count {
                unit: n_unit,
                m: n_m,
                big_m: n_big_m,
            },
        ) => {
            let convert = |value: f64, from: Unit| from.convert(value, *n_unit, None).ok();
            match convert(*m, *unit) {
                Some(converted) if converted > n_m * (1.0 + STRICTNESS_TOLERANCE) => {
                    reasons.push(format!(
                        "m = {} {unit} is above the national m = {} {n_unit}",
                        number(*m),
                        number(*n_m)
                    ));
                }
                None => reasons.push(format!(
                    "m in {unit} cannot be compared with the national m in {n_unit}"
                )),
                _ => {}
            }
            if let (Bound::Value(big), Bound::Value(n_big)) = (big_m, n_big_m)
                && convert(*big, *unit)
                    .is_none_or(|converted| converted > n_big * (1.0 + STRICTNESS_TOLERANCE))
            {
                reasons.push(format!(
                    "M = {} {unit} is above the national M = {} {n_unit}",
                    number(*big),
                    number(*n_big)
                ));
            }
        }
        (PlanKind::Presence { .. }, PlanKind::Presence { .. }) => {}
        _ => reasons.push(
            "the plan counts where the national plan tests presence, or the other way round".into(),
        ),
    }
    for reason in reasons {
        let reason = format!("plan {}: {reason} ({})", plan.organism.id, national.source);
        if binding {
            looser.push(Looseness {
                subject: format!("plan {}", plan.organism.id),
                enterprise: format!("n={}, c={}", plan.n, plan.c),
                national: format!("n={}, c={}", national.n, national.c),
                national_source: national.source.clone(),
                reason,
            });
        } else {
            notes.push(format!(
                "{reason}; the national plan is unverified, so this does not refuse the standard"
            ));
        }
    }
}

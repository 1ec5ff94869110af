//! Findings derived from stored facts: what a manufacturer and its regulator must look at.
//!
//! A finding is never stored: it is computed each time from the events and records it rests
//! on, so it cannot drift from them. The kinds ([`FindingKind`]): a lot shipped (bizStep
//! `shipping`) before it was released (批批检验, a release inspection `inspecting` with
//! disposition `conformant`); a lot released although its results fail a binding limit or leave
//! out a required result; rejected (or undecided) raw milk used in a transformation; a lot made
//! during a HACCP deviation that was shipped while on hold, or is still on hold. The caller
//! hands in the facts (shipments, releases, judgments, acceptances, holds); this module reads no
//! store and no clock.
//!
//! A judgment that is `incomplete` only because a standard's tables are not in the data (the
//! `coverage` check of GB 10766-2021 and GB 10767-2021) is a gap in the platform's data, not
//! the maker's fault: it raises no finding.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::haccp::{DeviationKind, Hold};
use crate::judge::{Check, Judgment, Outcome};
use crate::raw_milk::{self, Acceptance, Decision, MilkUse};

/// The rule a shipped-before-release finding cites: the 2019 action plan, clause 六, which has
/// manufacturers test every lot leaving the factory against the food-safety standards
/// (`../shared/policy/action-plan.zh.txt`, line 45; FEATURES.md F7).
pub const RELEASE_RULE: &str = "《国产婴幼儿配方乳粉提升行动方案》（2019）六：对出厂的婴幼儿配方乳粉按照食品安全标准实施批批检验检测";

/// What kind of finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A lot left in a shipment before any release of it was recorded.
    ShippedUnreleased,
    /// A lot was released although a stored result fails a binding limit.
    ReleasedNonConformant,
    /// A lot was released although a result its standard requires is not on file.
    ReleasedMissingResult,
    /// Raw milk rejected at receiving (or never decided) went into a transformation.
    RawMilkRejectedUsed,
    /// A lot made during a HACCP deviation was shipped before a corrective action lifted its
    /// hold.
    ShippedOnHold,
    /// A lot made during a HACCP deviation is still on hold: no corrective action recorded.
    OnHold,
}

impl FindingKind {
    /// Every kind, in the order pages list them.
    pub const ALL: [FindingKind; 6] = [
        FindingKind::ShippedUnreleased,
        FindingKind::ReleasedNonConformant,
        FindingKind::ReleasedMissingResult,
        FindingKind::RawMilkRejectedUsed,
        FindingKind::ShippedOnHold,
        FindingKind::OnHold,
    ];

    /// The snake_case word the API uses.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::ShippedUnreleased => "shipped_unreleased",
            FindingKind::ReleasedNonConformant => "released_non_conformant",
            FindingKind::ReleasedMissingResult => "released_missing_result",
            FindingKind::RawMilkRejectedUsed => "raw_milk_rejected_used",
            FindingKind::ShippedOnHold => "shipped_on_hold",
            FindingKind::OnHold => "on_hold",
        }
    }
}

/// The rule a HACCP finding cites: the 2019 action plan, clause 五, which has manufacturers
/// build a HACCP system and run it effectively (`../shared/policy/action-plan.zh.txt`, line 39);
/// that a deviation holds the lots made during it until a corrective action is recorded is
/// FEATURES.md F5, the platform's reading of it. The critical limit itself is the plant's own,
/// named in the finding's text.
pub const HACCP_RULE: &str = "《国产婴幼儿配方乳粉提升行动方案》（2019）五：建立危害分析与关键控制点（HACCP）体系并有效运行；偏离期间生产的批次在纠偏措施记录前扣留（平台规则 F5）";

/// A lot's release as recorded: the `inspecting` event with disposition `conformant`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotRelease {
    /// The lot (its canonical LGTIN Digital Link).
    pub lot: String,
    /// When it was released (the event's time, Unix ms).
    pub released_ms: i64,
    /// The release event's ID.
    pub event: String,
}

/// A shipping event and the lots it carried (directly or in cases and pallets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shipment {
    /// The shipping event's ID.
    pub event: String,
    /// When it shipped (Unix ms).
    pub time_ms: i64,
    /// The shipping party's GLN, when known.
    pub party: Option<String>,
    /// The lots it carried (canonical LGTIN Digital Links).
    pub lots: Vec<String>,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// The lot it is about.
    pub lot: String,
    /// The party responsible (the shipper, the maker, the receiving plant), when known.
    pub party: Option<String>,
    /// The event that raised it (a shipping, release or transformation event's ID); none for
    /// a lot still on hold.
    pub event: Option<String>,
    /// The rule broken, as its source states it.
    pub rule: String,
    /// Where the rule comes from (standard and clause with its confidence mark, or the action
    /// plan's clause).
    pub source: String,
    /// The sentence a reader sees (Chinese first).
    pub text: String,
}

/// Every (shipment, lot) where the lot had no release at or before the shipment's time; one
/// finding per lot and shipping event, in the shipments' order. A release recorded after the
/// shipment does not clear it: the goods had already left.
pub fn unreleased_shipments(releases: &[LotRelease], shipments: &[Shipment]) -> Vec<Finding> {
    let mut first_release: BTreeMap<&str, i64> = BTreeMap::new();
    for release in releases {
        let entry = first_release
            .entry(release.lot.as_str())
            .or_insert(release.released_ms);
        *entry = (*entry).min(release.released_ms);
    }
    let mut findings = Vec::new();
    for shipment in shipments {
        let mut lots: Vec<&String> = shipment.lots.iter().collect();
        lots.sort();
        lots.dedup();
        for lot in lots {
            let released = first_release.get(lot.as_str()).copied();
            if released.is_some_and(|at| at <= shipment.time_ms) {
                continue;
            }
            let text = match released {
                Some(_) => format!(
                    "批次 {lot} 在放行检验之前已发货（事件 {}）；放行记录晚于发货。/ Lot shipped before its release was recorded.",
                    shipment.event
                ),
                None => format!(
                    "批次 {lot} 未经放行检验即发货（事件 {}）。/ Lot shipped without a recorded release.",
                    shipment.event
                ),
            };
            findings.push(Finding {
                kind: FindingKind::ShippedUnreleased,
                lot: lot.clone(),
                party: shipment.party.clone(),
                event: Some(shipment.event.clone()),
                rule: RELEASE_RULE.to_owned(),
                source: ACTION_PLAN_SOURCE.to_owned(),
                text,
            });
        }
    }
    findings
}

/// Where the action plan's clauses are (the release and HACCP rules): the text kept in
/// `../shared/policy/action-plan.zh.txt`.
pub const ACTION_PLAN_SOURCE: &str =
    "《国产婴幼儿配方乳粉提升行动方案》（2019），shared/policy/action-plan.zh.txt";

fn source_text(source: &crate::standard::Source) -> String {
    format!(
        "{} {}（可信度 {}）",
        source.standard, source.clause, source.confidence
    )
}

/// Whether a check is the note that a standard's tables are not (fully) in the data: a gap of
/// the platform's data, never a finding.
pub fn is_coverage_gap(check: &Check<'_>) -> bool {
    check.subject.ends_with(" coverage")
}

/// Findings about a lot that was released (`release`) on the judgment of its stored results:
/// one per check that fails a binding limit (`released_non_conformant`) and one per required
/// result missing (`released_missing_result`). An `unverified` limit, an undetermined check or
/// the coverage gap of a standard not in the data raise none.
pub fn released_against_judgment(
    release: &LotRelease,
    party: Option<&str>,
    judgment: &Judgment<'_>,
) -> Vec<Finding> {
    judgment
        .checks
        .iter()
        .filter(|check| !is_coverage_gap(check))
        .filter_map(|check| {
            let (kind, text) = match check.outcome {
                Outcome::Fail => (
                    FindingKind::ReleasedNonConformant,
                    format!(
                        "批次 {} 已放行，但其检验结果不符合限量：{} {}（{}）。/ Lot released although {} fails {}.",
                        release.lot,
                        check.subject,
                        check.value.as_deref().unwrap_or(""),
                        check.rule,
                        check.subject,
                        check.rule
                    ),
                ),
                Outcome::Missing => (
                    FindingKind::ReleasedMissingResult,
                    format!(
                        "批次 {} 已放行，但缺少标准要求的检验项目：{}。/ Lot released without the required result {}.",
                        release.lot, check.subject, check.subject
                    ),
                ),
                _ => return None,
            };
            Some(Finding {
                kind,
                lot: release.lot.clone(),
                party: party.map(str::to_owned),
                event: Some(release.event.clone()),
                rule: format!("{}: {}", check.subject, check.rule),
                source: source_text(&check.source),
                text,
            })
        })
        .collect()
}

/// A raw-milk delivery used by a transformation, with who received it.
#[derive(Clone, Debug)]
pub struct MilkUseAt {
    /// The use (transformation event ID and delivery).
    pub milk_use: MilkUse,
    /// The receiving plant's party GLN.
    pub plant: Option<String>,
}

/// Findings for transformations that used rejected or undecided raw milk
/// (`raw_milk::findings_for_uses`), citing each failed rule with its source. `acceptances`
/// are the decisions of the deliveries that have receiving tests; a use of a delivery with
/// none is `raw milk without receiving tests`.
pub fn rejected_milk_used(acceptances: &[Acceptance<'_>], uses: &[MilkUseAt]) -> Vec<Finding> {
    let plain: Vec<MilkUse> = uses.iter().map(|u| u.milk_use.clone()).collect();
    raw_milk::findings_for_uses(acceptances, &plain)
        .into_iter()
        .map(|found| {
            let acceptance = acceptances.iter().find(|a| a.delivery == found.delivery);
            let failed: Vec<&Check<'_>> = acceptance
                .map(|a| {
                    a.judgment
                        .checks
                        .iter()
                        .filter(|c| c.outcome == Outcome::Fail)
                        .collect()
                })
                .unwrap_or_default();
            let rule = if failed.is_empty() {
                "GB 19301: 生乳验收合格后方可使用 / raw milk is used only once accepted".to_owned()
            } else {
                failed
                    .iter()
                    .map(|c| format!("{}: {}", c.subject, c.rule))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let source = if failed.is_empty() {
                "GB 19301-2010 食品安全国家标准 生乳".to_owned()
            } else {
                let mut sources: Vec<String> =
                    failed.iter().map(|c| source_text(&c.source)).collect();
                sources.dedup();
                sources.join("; ")
            };
            let plant = uses
                .iter()
                .find(|u| {
                    u.milk_use.delivery == found.delivery
                        && u.milk_use.transformation == found.transformation
                })
                .and_then(|u| u.plant.clone());
            let text = match found.decision {
                Some(Decision::Rejected) => format!(
                    "验收不合格的生乳 {} 被投入生产（{}）。/ Raw milk rejected at receiving was used.",
                    found.delivery, rule
                ),
                Some(_) => format!(
                    "验收未判定的生乳 {} 被投入生产。/ Raw milk was used before its acceptance was decided.",
                    found.delivery
                ),
                None => format!(
                    "无进厂检验记录的生乳 {} 被投入生产。/ Raw milk without receiving tests was used.",
                    found.delivery
                ),
            };
            Finding {
                kind: FindingKind::RawMilkRejectedUsed,
                lot: found.delivery,
                party: plant,
                event: Some(found.transformation),
                rule,
                source,
                text,
            }
        })
        .collect()
}

/// Findings about lots on HACCP hold: a lot shipped at or after the deviation's start and
/// before the corrective action was recorded (or with none) is `shipped_on_hold`, once per lot
/// and deviation (the first such shipment); a lot on hold that has not shipped is `on_hold`.
/// A hold lifted by a corrective action before the lot shipped raises nothing: HACCP did its job.
pub fn hold_findings(holds: &[Hold], plant: Option<&str>, shipments: &[Shipment]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for hold in holds {
        let start = hold.deviation.start.as_millisecond();
        let lifted = hold
            .corrected_by
            .as_ref()
            .map(|action| action.recorded_at.as_millisecond());
        let deviation = format!(
            "{} {}",
            hold.deviation.ccp,
            match hold.deviation.kind {
                DeviationKind::OutOfLimit { worst } => format!(
                    "超出关键限值（最差读数 {worst}）/ out of its critical limit (worst {worst})"
                ),
                DeviationKind::MonitoringGap => "监控中断 / monitoring gap".to_owned(),
            }
        );
        let shipped = shipments
            .iter()
            .filter(|s| s.lots.contains(&hold.lot))
            .filter(|s| s.time_ms >= start && lifted.is_none_or(|at| s.time_ms < at))
            .min_by_key(|s| s.time_ms);
        let (kind, event, text) = match (shipped, lifted) {
            (Some(shipment), _) => (
                FindingKind::ShippedOnHold,
                Some(shipment.event.clone()),
                format!(
                    "批次 {} 在关键控制点偏离（{}）后、纠偏措施记录前已发货（事件 {}）。/ Lot shipped while on HACCP hold.",
                    hold.lot, deviation, shipment.event
                ),
            ),
            (None, None) => (
                FindingKind::OnHold,
                None,
                format!(
                    "批次 {} 因关键控制点偏离（{}）处于扣留状态，尚无纠偏措施记录。/ Lot on HACCP hold: no corrective action recorded.",
                    hold.lot, deviation
                ),
            ),
            (None, Some(_)) => continue,
        };
        if findings
            .iter()
            .any(|f: &Finding| f.kind == kind && f.lot == hold.lot && f.event == event)
        {
            continue;
        }
        findings.push(Finding {
            kind,
            lot: hold.lot.clone(),
            party: plant.map(str::to_owned),
            event,
            rule: HACCP_RULE.to_owned(),
            source: ACTION_PLAN_SOURCE.to_owned(),
            text,
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipment(event: &str, time_ms: i64, lots: &[&str]) -> Shipment {
        Shipment {
            event: event.into(),
            time_ms,
            party: Some("6901234000017".into()),
            lots: lots.iter().map(|lot| (*lot).to_owned()).collect(),
        }
    }

    #[test]
    fn a_lot_shipped_before_or_without_release_is_found_and_a_released_one_is_not() {
        let releases = [
            LotRelease {
                lot: "A".into(),
                released_ms: 100,
                event: "r-a".into(),
            },
            LotRelease {
                lot: "B".into(),
                released_ms: 500,
                event: "r-b".into(),
            },
        ];
        let shipments = [
            shipment("s1", 100, &["A", "A"]),
            shipment("s2", 200, &["B", "C"]),
            shipment("s3", 600, &["B"]),
        ];
        let findings = unreleased_shipments(&releases, &shipments);
        let found: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f.event.as_deref().unwrap_or(""), f.lot.as_str()))
            .collect();
        assert_eq!(found, [("s2", "B"), ("s2", "C")]);
        assert!(findings[0].text.contains("晚于发货"));
        assert!(findings[1].text.contains("未经放行检验"));
        assert!(findings.iter().all(|f| f.rule.contains("批批检验")));
    }

    fn hold(lot: &str, start_ms: i64, corrected_ms: Option<i64>) -> Hold {
        let at = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap();
        Hold {
            lot: lot.into(),
            deviation: crate::haccp::Deviation {
                ccp: "CCP1".into(),
                line: "L1".into(),
                kind: DeviationKind::OutOfLimit { worst: 70.0 },
                start: at(start_ms),
                end: Some(at(start_ms + 10)),
            },
            corrected_by: corrected_ms.map(|ms| crate::haccp::CorrectiveAction {
                ccp: "CCP1".into(),
                deviation_start: at(start_ms),
                recorded_at: at(ms),
                by: "QA".into(),
                action: "fixed".into(),
            }),
        }
    }

    #[test]
    fn a_held_lot_shipped_before_its_correction_or_still_held_is_found_and_a_lifted_one_is_not() {
        let holds = [
            hold("SHIPPED", 1_000, None),
            hold("LIFTED", 1_000, Some(1_500)),
            hold("LATE_FIX", 1_000, Some(5_000)),
            hold("WAITING", 1_000, None),
        ];
        let shipments = [
            shipment("s-before", 900, &["SHIPPED", "WAITING"]),
            shipment("s1", 2_000, &["SHIPPED", "LIFTED", "LATE_FIX"]),
            shipment("s2", 3_000, &["SHIPPED"]),
        ];
        let found = hold_findings(&holds, Some("6901234000017"), &shipments);
        let got: Vec<(FindingKind, &str, Option<&str>)> = found
            .iter()
            .map(|f| (f.kind, f.lot.as_str(), f.event.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (FindingKind::ShippedOnHold, "SHIPPED", Some("s1")),
                (FindingKind::ShippedOnHold, "LATE_FIX", Some("s1")),
                (FindingKind::OnHold, "WAITING", None),
            ]
        );
        assert!(
            found
                .iter()
                .all(|f| f.rule == HACCP_RULE && !f.source.is_empty())
        );
        assert!(found[0].text.contains("纠偏措施记录前已发货"));
    }

    #[test]
    fn a_released_lot_is_found_for_a_failed_limit_and_a_missing_result_but_not_for_a_data_gap() {
        use crate::analyte;
        use crate::judge::{Measurement, Reading, Sample};
        use crate::standard::{Catalogue, Fact, ProductType};
        let catalogue = Catalogue::national().unwrap();
        let lead = analyte::find("lead").unwrap();
        // A stage-2 lot with one lead result far over any maximum and nothing else: lead fails,
        // the required nutrients are missing, GB 10766-2021's coverage gap is no finding.
        let sample = Sample::new(
            ProductType::OlderInfant,
            "2026-10-01".parse().unwrap(),
            [Fact::MilkBased],
            vec![Measurement {
                analyte: lead,
                reading: Reading::Value(5.0),
                unit: crate::unit::Unit::parse("mg/kg"),
                sample_unit: None,
            }],
        )
        .unwrap();
        let judgment = crate::judge(&catalogue, None, &sample);
        assert!(judgment.checks.iter().any(is_coverage_gap));
        let release = LotRelease {
            lot: "LOT".into(),
            released_ms: 1,
            event: "r".into(),
        };
        let found = released_against_judgment(&release, Some("6901234000017"), &judgment);
        assert!(
            found
                .iter()
                .any(|f| f.kind == FindingKind::ReleasedNonConformant
                    && f.rule.starts_with("lead")
                    && f.source.contains("GB 2762"))
        );
        assert!(
            found
                .iter()
                .any(|f| f.kind == FindingKind::ReleasedMissingResult)
        );
        assert!(found.iter().all(|f| !f.rule.contains("coverage")));
    }
}

//! Findings derived from stored facts: what a manufacturer and its regulator must look at.
//!
//! A finding is never stored: it is computed each time from the events and records it rests
//! on, so it cannot drift from them. So far one kind: a lot shipped (bizStep `shipping`) before
//! it was released (批批检验, a release inspection `inspecting` with disposition `conformant`).
//! The caller hands in the facts (which lots each shipment carried, when each lot was
//! released); this module reads no store and no clock.

use std::collections::BTreeMap;

use serde::Serialize;

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
}

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
    /// The party responsible (the shipper), when known.
    pub party: Option<String>,
    /// The event that raised it.
    pub event: String,
    /// The rule broken, with its source.
    pub rule: &'static str,
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
                event: shipment.event.clone(),
                rule: RELEASE_RULE,
                text,
            });
        }
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
            .map(|f| (f.event.as_str(), f.lot.as_str()))
            .collect();
        assert_eq!(found, [("s2", "B"), ("s2", "C")]);
        assert!(findings[0].text.contains("晚于发货"));
        assert!(findings[1].text.contains("未经放行检验"));
        assert!(findings.iter().all(|f| f.rule.contains("批批检验")));
    }
}

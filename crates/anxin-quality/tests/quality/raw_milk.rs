//! Raw-milk acceptance against GB 19301-2010 and an example manufacturer standard, and the
//! finding raised when rejected milk goes into a transformation.

use anxin_quality::raw_milk::{Decision, Delivery, MilkUse, accept, findings_for_uses};
use anxin_quality::{Catalogue, Fact, Outcome, Reading, review};

use crate::support::{Results, checks};

const MANUFACTURER: &str = include_str!("../../examples/manufacturer-raw-milk.toml");

fn good_milk() -> Results {
    let mut results = Results(Vec::new());
    results
        .set("protein", 3.2, "g/100g")
        .set("fat", 3.8, "g/100g")
        .set("total_bacterial_count", 50_000.0, "CFU/mL")
        .set("somatic_cell_count", 250_000.0, "cells/mL")
        .set("temperature", 4.0, "°C")
        .set("acidity", 14.0, "°T")
        .units("antibiotic_residue", &[Reading::NotDetected], "");
    results
}

fn delivery(id: &str, results: &Results) -> Delivery {
    Delivery {
        id: id.into(),
        supplier: "牧场 A".into(),
        received: "2026-10-01".parse().unwrap(),
        facts: vec![Fact::Cow, Fact::Holstein],
        tests: results.measurements(),
    }
}

#[test]
fn deliveries_are_judged_against_the_national_and_the_manufacturers_standard() {
    let catalogue = Catalogue::national().unwrap();
    let manufacturer = review(&catalogue, "manufacturer-raw-milk.toml", MANUFACTURER).unwrap();
    let accepted = accept(
        &catalogue,
        Some(&manufacturer),
        &delivery("D1", &good_milk()),
    )
    .unwrap();
    assert_eq!(
        accepted.decision,
        Decision::Accepted,
        "{:#?}",
        accepted.judgment.reasons().collect::<Vec<_>>()
    );

    // Protein 2.9 g/100 g meets GB 19301 (≥ 2.8) but not the manufacturer's 3.0.
    let mut results = good_milk();
    results.set("protein", 2.9, "g/100g");
    let rejected = accept(&catalogue, Some(&manufacturer), &delivery("D2", &results)).unwrap();
    assert_eq!(rejected.decision, Decision::Rejected);
    let protein = checks(&rejected.judgment, "protein");
    assert_eq!(
        protein.iter().map(|c| c.outcome).collect::<Vec<_>>(),
        [Outcome::Pass, Outcome::Fail]
    );
    // GB 19301-2010 sets no somatic-cell limit: a count is a note there, judged only by the manufacturer.
    let scc = checks(&accepted.judgment, "somatic_cell_count");
    assert_eq!(
        scc.iter().map(|c| c.outcome).collect::<Vec<_>>(),
        [Outcome::Note, Outcome::Pass]
    );
    assert_eq!(scc[0].rule, "no limit (not specified)");
    // Without the manufacturer's standard the same milk is accepted nationally.
    assert_eq!(
        accept(&catalogue, None, &delivery("D2", &results))
            .unwrap()
            .decision,
        Decision::Accepted
    );

    // 2.1 million CFU/mL fails GB 19301 itself (≤ 2×10⁶, B); a warm tanker and a positive residue
    // screen fail the manufacturer's.
    let mut results = good_milk();
    results
        .set("total_bacterial_count", 2_100_000.0, "CFU/mL")
        .set("temperature", 9.0, "°C")
        .units("antibiotic_residue", &[Reading::Detected], "");
    let rejected = accept(&catalogue, Some(&manufacturer), &delivery("D3", &results)).unwrap();
    let failed: Vec<(&str, &str)> = rejected
        .judgment
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| (c.subject.as_ref(), c.source.standard.as_str()))
        .collect();
    assert_eq!(
        failed,
        [
            ("total_bacterial_count", "GB 19301-2010"),
            ("total_bacterial_count", "Q/EXAMPLE 0001S-2026"),
            ("temperature", "Q/EXAMPLE 0001S-2026"),
            ("plan antibiotic_residue", "Q/EXAMPLE 0001S-2026"),
        ]
    );
}

#[test]
fn recalled_raw_milk_limits_do_not_reject_and_missing_tests_hold() {
    let catalogue = Catalogue::national().unwrap();
    // Relative density ≥ 1.027 is recalled (R): 1.020 is an unverified-limit note only.
    let mut results = good_milk();
    results.set("relative_density", 1.020, "1");
    let acceptance = accept(&catalogue, None, &delivery("D4", &results)).unwrap();
    assert_eq!(acceptance.decision, Decision::Accepted);
    assert_eq!(
        checks(&acceptance.judgment, "relative_density")[0].outcome,
        Outcome::Unverified
    );
    // No fat test: held, not accepted.
    results.remove("fat");
    assert_eq!(
        accept(&catalogue, None, &delivery("D5", &results))
            .unwrap()
            .decision,
        Decision::Held
    );
    // A negative count is refused outright.
    results.set("total_bacterial_count", -5.0, "CFU/mL");
    let errors = accept(&catalogue, None, &delivery("D6", &results)).unwrap_err();
    assert!(errors[0].message.contains("negative"), "{errors:?}");
}

#[test]
fn using_rejected_held_or_untested_milk_raises_a_finding() {
    let catalogue = Catalogue::national().unwrap();
    let mut bad = good_milk();
    bad.set("protein", 2.5, "g/100g");
    let mut incomplete = good_milk();
    incomplete.remove("protein");
    let acceptances = vec![
        accept(&catalogue, None, &delivery("GOOD", &good_milk())).unwrap(),
        accept(&catalogue, None, &delivery("BAD", &bad)).unwrap(),
        accept(&catalogue, None, &delivery("HELD", &incomplete)).unwrap(),
    ];
    let uses: Vec<MilkUse> = ["GOOD", "BAD", "HELD", "NEVER-TESTED"]
        .iter()
        .map(|id| MilkUse {
            transformation: "T-2026-10-01-L1".into(),
            delivery: (*id).into(),
        })
        .collect();
    let findings = findings_for_uses(&acceptances, &uses);
    let found: Vec<(&str, Option<Decision>)> = findings
        .iter()
        .map(|f| (f.delivery.as_str(), f.decision))
        .collect();
    assert_eq!(
        found,
        [
            ("BAD", Some(Decision::Rejected)),
            ("HELD", Some(Decision::Held)),
            ("NEVER-TESTED", None)
        ]
    );
    assert!(
        findings[0].message.contains("protein") && findings[0].message.contains("GB 19301-2010"),
        "{}",
        findings[0].message
    );
}

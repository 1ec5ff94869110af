//! Enterprise standards: stricter limits and extra parameters are accepted, looser ones refused
//! with the national value and its source, and the accepted ones take part in judgments.

use anxin_quality::{Catalogue, Outcome, ProductType, Refusal, Verdict, review};

use crate::support::*;

fn header(extra: &str) -> String {
    format!(
        "[standard]\ncode = \"Q/TEST 0001S-2026\"\ntitle = \"婴儿配方乳粉\"\nenterprise = \"测试乳业有限公司\"\n\
         in_force_from = \"2026-01-01\"\nproducts = [\"infant\"]\n{extra}\n"
    )
}

fn limit(analyte: &str, unit: &str, min: &str, max: &str) -> String {
    format!(
        "[[limit]]\nanalyte = \"{analyte}\"\nunit = \"{unit}\"\nmin = {min}\nmax = {max}\nrequired = true\nclause = \"4.2\"\n"
    )
}

#[test]
fn a_stricter_standard_with_an_extra_parameter_is_accepted_and_judged() {
    let catalogue = Catalogue::national().unwrap();
    let text = header("")
        + &limit("lead", "µg/kg", "\"NS\"", "40")
        + &limit("protein", "g/100kJ", "0.45", "0.70")
        + "when = [\"milk_based\"]\n"
        + &limit("lactoferrin", "mg/100g", "30", "\"NS\"");
    let standard = review(&catalogue, "q.toml", &text).unwrap();
    assert_eq!(standard.enterprise(), "测试乳业有限公司");

    let mut results = conformant_infant_powder();
    results
        .set("lead", 0.05, "mg/kg")
        .set("lactoferrin", 40.0, "mg/100g");
    let judgment = judge_results(
        &results,
        ProductType::Infant,
        "2026-10-01",
        &milk_powder_facts(),
        Some(&standard),
    );
    assert!(judgment.standards.contains(&"Q/TEST 0001S-2026"));
    assert_eq!(
        judgment.verdict,
        Verdict::NonConformant,
        "lead 0.05 mg/kg passes the law (0.08) but not the enterprise (40 µg/kg)"
    );
    let lead: Vec<_> = checks(&judgment, "lead");
    assert_eq!(lead.len(), 2);
    let failed = lead.iter().find(|c| c.outcome == Outcome::Fail).unwrap();
    assert_eq!(failed.source.standard, "Q/TEST 0001S-2026");

    results.remove("lactoferrin").set("lead", 0.03, "mg/kg");
    let judgment = judge_results(
        &results,
        ProductType::Infant,
        "2026-10-01",
        &milk_powder_facts(),
        Some(&standard),
    );
    assert_eq!(
        judgment.verdict,
        Verdict::Incomplete,
        "the extra parameter is required by the enterprise"
    );
    assert_eq!(outcome(&judgment, "lactoferrin"), Outcome::Missing);
}

#[test]
fn a_limit_for_every_base_is_compared_with_the_soy_based_minimum_too() {
    let catalogue = Catalogue::national().unwrap();
    // Without a milk_based condition the limit also covers soy-based formula, whose minimum is 0.53.
    let text = header("") + &limit("protein", "g/100kJ", "0.45", "0.70");
    let Err(Refusal::Looser(looser)) = review(&catalogue, "q.toml", &text) else {
        panic!()
    };
    assert_eq!(looser.len(), 1);
    assert_eq!(looser[0].national, "0.53 g/100kJ");
}

#[test]
fn a_looser_limit_is_refused_with_the_national_value_and_its_source() {
    let catalogue = Catalogue::national().unwrap();
    let text = header("")
        + &limit("lead", "mg/kg", "\"NS\"", "0.1")
        + &limit("protein", "g/100kJ", "0.40", "0.72")
        + "when = [\"milk_based\"]\n"
        + &limit("melamine", "mg/kg", "\"NS\"", "0.5");
    let Err(Refusal::Looser(looser)) = review(&catalogue, "q.toml", &text) else {
        panic!("a looser standard must be refused");
    };
    let subjects: Vec<&str> = looser.iter().map(|l| l.subject.as_str()).collect();
    // Lead is looser than both GB 2762-2022 and GB 2762-2025 (the standard spans the change).
    assert_eq!(subjects, ["lead", "lead", "protein"]);
    assert_eq!(looser[0].national, "0.08 mg/kg");
    assert!(
        looser[0].reason.contains("GB 2762-2022"),
        "{}",
        looser[0].reason
    );
    assert!(
        looser[1].reason.contains("GB 2762-2025, Table 1"),
        "{}",
        looser[1].reason
    );
    assert!(
        looser[2]
            .reason
            .contains("minimum 0.4 g/100kJ is looser than the national minimum 0.43"),
        "{}",
        looser[2].reason
    );
}

#[test]
fn limits_that_cannot_be_compared_plans_that_tolerate_more_and_broken_files_are_refused() {
    let catalogue = Catalogue::national().unwrap();
    // Per 100 g cannot be compared with the national per-100-kJ limit without an energy.
    let text = header("") + &limit("protein", "g/100g", "10", "15");
    let Err(Refusal::Looser(looser)) = review(&catalogue, "q.toml", &text) else {
        panic!()
    };
    assert!(
        looser[0].reason.contains("state it on the national basis"),
        "{}",
        looser[0].reason
    );
    // A Cronobacter plan with fewer units than n = 3 is looser.
    let plan = "[[micro]]\norganism = \"cronobacter\"\nkind = \"presence\"\nportion = \"100 g\"\nn = 2\nc = 0\nclause = \"5.1\"\n";
    let Err(Refusal::Looser(looser)) = review(&catalogue, "q.toml", &(header("") + plan)) else {
        panic!()
    };
    assert!(looser[0].reason.contains("n = 2"), "{}", looser[0].reason);
    // Unknown analyte, a confidence mark, and no enterprise name are refused with the place.
    let error = review(
        &catalogue,
        "q.toml",
        &(header("") + &limit("unobtainium", "mg/kg", "\"NS\"", "1")),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("q.toml: limit 1 (unobtainium)"),
        "{error}"
    );
    let marked = header("") + &limit("lead", "mg/kg", "\"NS\"", "0.05") + "confidence = \"A\"\n";
    assert!(
        review(&catalogue, "q.toml", &marked)
            .unwrap_err()
            .to_string()
            .contains("no confidence mark")
    );
    let national = header("").replace("enterprise = \"测试乳业有限公司\"\n", "");
    assert!(matches!(
        review(&catalogue, "q.toml", &national),
        Err(Refusal::NotEnterprise(_))
    ));
}

#[test]
fn a_limit_stricter_than_a_recalled_value_only_is_accepted_with_a_note() {
    let catalogue = Catalogue::national().unwrap();
    // APC is recalled (R) at m = 1000 CFU/g: an enterprise m of 5000 is looser but cannot be refused.
    let plan = "[[micro]]\norganism = \"aerobic_plate_count\"\nkind = \"count\"\nunit = \"CFU/g\"\nn = 5\nc = 2\nm = 5000\nM = 10000\nclause = \"5.2\"\n";
    let standard = review(&catalogue, "q.toml", &(header("") + plan)).unwrap();
    assert_eq!(standard.notes.len(), 1);
    assert!(
        standard.notes[0].contains("unverified"),
        "{}",
        standard.notes[0]
    );
}

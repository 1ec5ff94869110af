//! Judgments against the standards' own tables: boundaries, conversions, ratios, plans, dates.

use anxin_quality::{Fact, Outcome, ProductType, Reading, Verdict};

use crate::support::*;

/// GB 10765-2021 essential composition per 100 kJ, transcribed from standards.md §1.2 (the
/// table itself, not the data file, so that a typo in either is caught): analyte, which base it
/// applies to, mass unit, min, max as printed.
const GB_10765_2021_TABLE: &[(&str, &str, &str, &str, &str)] = &[
    ("protein", "milk", "g", "0.43", "0.72"),
    ("protein", "soy", "g", "0.53", "0.72"),
    ("fat", "both", "g", "1.05", "1.43"),
    ("linoleic_acid", "both", "g", "0.07", "0.33"),
    ("alpha_linolenic_acid", "both", "mg", "12", "NS"),
    ("carbohydrate", "both", "g", "2.2", "3.3"),
    ("vitamin_a", "both", "µg", "14", "36"),
    ("vitamin_d", "both", "µg", "0.48", "1.20"),
    ("vitamin_e", "both", "mg", "0.12", "1.20"),
    ("vitamin_k1", "both", "µg", "0.96", "6.45"),
    ("vitamin_b1", "both", "µg", "14", "72"),
    ("vitamin_b2", "both", "µg", "19", "120"),
    ("vitamin_b6", "both", "µg", "8.4", "41.8"),
    ("vitamin_b12", "both", "µg", "0.024", "0.359"),
    ("niacin", "both", "µg", "96", "359"),
    ("folic_acid", "both", "µg", "2.9", "12.0"),
    ("pantothenic_acid", "both", "µg", "96", "478"),
    ("vitamin_c", "both", "mg", "2.4", "16.7"),
    ("biotin", "both", "µg", "0.36", "2.39"),
    ("choline", "both", "mg", "4.8", "23.9"),
    ("sodium", "both", "mg", "7", "14"),
    ("potassium", "both", "mg", "17", "43"),
    ("copper", "both", "µg", "14.3", "28.7"),
    ("magnesium", "both", "mg", "1.2", "3.6"),
    ("iron", "milk", "mg", "0.10", "0.36"),
    ("iron", "soy", "mg", "0.15", "0.36"),
    ("zinc", "milk", "mg", "0.12", "0.36"),
    ("zinc", "soy", "mg", "0.18", "0.36"),
    ("manganese", "both", "µg", "0.72", "23.9"),
    ("calcium", "both", "mg", "12", "35"),
    ("phosphorus", "milk", "mg", "6", "24"),
    ("phosphorus", "soy", "mg", "7", "24"),
    ("iodine", "both", "µg", "3.6", "14.1"),
    ("chloride", "both", "mg", "12", "38"),
    ("selenium", "both", "µg", "0.72", "2.06"),
];

/// One unit in the last printed place of a table value (0.43 → 0.01, 12 → 1).
fn last_place(printed: &str) -> f64 {
    let decimals = printed
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len());
    10f64.powi(-(decimals as i32))
}

#[test]
fn a_stage_one_milk_powder_in_the_middle_of_every_range_is_conformant() {
    let judgment = infant(&conformant_infant_powder());
    let reasons: Vec<_> = judgment
        .reasons()
        .filter(|c| c.outcome != Outcome::Note)
        .collect();
    assert_eq!(judgment.verdict, Verdict::Conformant, "{reasons:#?}");
    assert!(judgment.standards.contains(&"GB 10765-2021"));
    assert!(judgment.standards.contains(&"GB 2762-2025"));
}

#[test]
fn every_table_row_passes_at_its_limits_and_fails_one_unit_beyond() {
    for (analyte, base, mass, min, max) in GB_10765_2021_TABLE {
        let facts = match *base {
            "soy" => vec![
                Fact::SoyBased,
                Fact::NoAddedVegetablesOrFruit,
                Fact::NoLiveCultures,
            ],
            _ => milk_powder_facts(),
        };
        let unit = format!("{mass}/100g");
        let mut cases: Vec<(f64, Outcome, &str)> = Vec::new();
        let min_value: f64 = min.parse().unwrap();
        cases.push((min_value, Outcome::Pass, "at the minimum"));
        cases.push((
            min_value - last_place(min),
            Outcome::Fail,
            "one unit below the minimum",
        ));
        if *max != "NS" {
            let max_value: f64 = max.parse().unwrap();
            cases.push((max_value, Outcome::Pass, "at the maximum"));
            cases.push((
                max_value + last_place(max),
                Outcome::Fail,
                "one unit above the maximum",
            ));
        }
        for (per_100kj, expect, what) in cases {
            let mut results = conformant_infant_powder();
            // Per 100 g of a 2100 kJ/100 g powder is 21 × the per-100-kJ value.
            results.set(analyte, per_100kj * ENERGY_KJ_PER_100G / 100.0, &unit);
            let judgment = judge_results(&results, ProductType::Infant, "2026-10-01", &facts, None);
            let got = outcome(&judgment, analyte);
            assert_eq!(
                got,
                expect,
                "{analyte} ({base}) {what}: {per_100kj} {mass}/100kJ → {:#?}",
                checks(&judgment, analyte)
            );
            if expect == Outcome::Fail {
                assert_eq!(judgment.verdict, Verdict::NonConformant, "{analyte} {what}");
                let check = checks(&judgment, analyte)[0];
                assert_eq!(check.source.standard, "GB 10765-2021");
                assert!(
                    check.message.contains(analyte),
                    "the reason names the analyte: {}",
                    check.message
                );
            }
        }
    }
}

#[test]
fn the_powder_example_of_the_reference_notes_converts_to_0_49_g_per_100_kj() {
    // standards.md §1.1: 10.5 g protein/100 g at 2147 kJ/100 g is 0.49 g/100 kJ.
    let mut results = conformant_infant_powder();
    results.set("energy", 2147.0, "kJ/100g");
    for (unit, value) in [("g/100g", 10.5), ("mg/100g", 10_500.0), ("g/kg", 105.0)] {
        results.set("protein", value, unit);
        let judgment = infant(&results);
        let check = checks(&judgment, "protein")[0];
        assert_eq!(check.outcome, Outcome::Pass);
        assert_eq!(check.value.as_deref(), Some("0.489054 g/100kJ"), "{unit}");
    }
    // The same powder's energy written in kcal gives the same answer.
    results
        .set("energy", 2147.0 / 4.184, "kcal/100g")
        .set("protein", 10.5, "g/100g");
    let judgment = infant(&results);
    assert_eq!(
        checks(&judgment, "protein")[0].value.as_deref(),
        Some("0.489054 g/100kJ")
    );
    // A result already per 100 kcal converts at 4.184: 3.0 g/100 kcal is the 0.717 g/100 kJ maximum side.
    results.set("protein", 3.0, "g/100kcal");
    let judgment = infant(&results);
    assert_eq!(checks(&judgment, "protein")[0].outcome, Outcome::Pass);
    results.set("protein", 3.1, "g/100kcal");
    assert_eq!(outcome(&infant(&results), "protein"), Outcome::Fail);
}

#[test]
fn a_per_100_g_result_without_the_powders_energy_cannot_be_judged() {
    let mut results = conformant_infant_powder();
    results.remove("energy");
    let judgment = infant(&results);
    assert_eq!(judgment.verdict, Verdict::Incomplete);
    let check = checks(&judgment, "protein")[0];
    assert_eq!(check.outcome, Outcome::Undetermined);
    assert!(
        check.message.contains("measured energy"),
        "{}",
        check.message
    );
    // Contaminants in mg/kg need no energy and are still judged.
    assert_eq!(outcome(&judgment, "lead"), Outcome::Pass);
}

#[test]
fn a_missing_required_analyte_makes_the_judgment_incomplete_and_says_which() {
    let mut results = conformant_infant_powder();
    results
        .remove("selenium")
        .remove("lead")
        .remove("cronobacter");
    let judgment = infant(&results);
    assert_eq!(judgment.verdict, Verdict::Incomplete);
    for subject in ["selenium", "lead", "plan cronobacter"] {
        assert_eq!(outcome(&judgment, subject), Outcome::Missing, "{subject}");
    }
    // A missing optional component is not asked for.
    assert!(checks(&judgment, "taurine").is_empty());
}

#[test]
fn ratio_rules_from_the_tables() {
    // Ca:P between 1:1 and 2:1 (mg/mg): Ca 20, P 12 → 1.67 passes; Ca 30, P 12 → 2.5 fails.
    let mut results = conformant_infant_powder();
    assert_eq!(outcome(&infant(&results), "ratio ca_p"), Outcome::Pass);
    results.set("calcium", 30.0 * 21.0, "mg/100g");
    assert_eq!(outcome(&infant(&results), "ratio ca_p"), Outcome::Fail);
    results.set("calcium", 24.0 * 21.0, "mg/100g");
    assert_eq!(
        outcome(&infant(&results), "ratio ca_p"),
        Outcome::Pass,
        "exactly 2:1 passes"
    );
    // LA:ALA between 5:1 and 15:1 with LA in g and ALA in mg: 0.2 g : 20 mg = 10.
    let mut results = conformant_infant_powder();
    let judgment = infant(&results);
    assert_eq!(
        checks(&judgment, "ratio la_ala")[0].value.as_deref(),
        Some("10")
    );
    results.set("alpha_linolenic_acid", 12.5 * 21.0, "mg/100g");
    assert_eq!(
        outcome(&infant(&results), "ratio la_ala"),
        Outcome::Fail,
        "0.2 g : 12.5 mg = 16"
    );
}

#[test]
fn ara_is_judged_against_dha_only_when_dha_is_added() {
    let mut results = conformant_infant_powder();
    assert!(
        checks(&infant(&results), "ratio ara_dha").is_empty(),
        "no DHA, no rule"
    );
    // DHA 6 mg/100 kJ added: ARA must be 6–12 mg/100 kJ.
    results.set("dha", 6.0 * 21.0, "mg/100g");
    let judgment = infant(&results);
    assert_eq!(
        outcome(&judgment, "ratio ara_dha"),
        Outcome::Missing,
        "ARA required once DHA is added"
    );
    for (ara, expect) in [
        (6.0, Outcome::Pass),
        (12.0, Outcome::Pass),
        (5.9, Outcome::Fail),
        (12.1, Outcome::Fail),
    ] {
        results.set("ara", ara * 21.0, "mg/100g");
        assert_eq!(
            outcome(&infant(&results), "ratio ara_dha"),
            expect,
            "ARA {ara} against DHA 6"
        );
    }
    // DHA itself is within 3.6–9.6 mg/100 kJ when added.
    results
        .set("ara", 12.0 * 21.0, "mg/100g")
        .set("dha", 3.5 * 21.0, "mg/100g");
    assert_eq!(outcome(&infant(&results), "dha"), Outcome::Fail);
}

#[test]
fn sampling_plans_count_units_beyond_m_against_c() {
    // Cronobacter n=3, c=0, m=0/100 g: one detection rejects.
    let mut results = conformant_infant_powder();
    results.units(
        "cronobacter",
        &[
            Reading::NotDetected,
            Reading::Detected,
            Reading::NotDetected,
        ],
        "",
    );
    let judgment = infant(&results);
    assert_eq!(outcome(&judgment, "plan cronobacter"), Outcome::Fail);
    assert_eq!(judgment.verdict, Verdict::NonConformant);
    // Two units of three: the plan cannot be judged.
    results.units("cronobacter", &[Reading::NotDetected; 2], "");
    let judgment = infant(&results);
    assert_eq!(
        outcome(&judgment, "plan cronobacter"),
        Outcome::Undetermined
    );
    assert_eq!(judgment.verdict, Verdict::Incomplete);

    // S. aureus n=5, c=2, m=10 CFU/g (C, M unknown): two units above m pass, three fail.
    let mut results = conformant_infant_powder();
    let v = Reading::Value;
    results.units(
        "staphylococcus_aureus",
        &[
            v(50.0),
            v(20.0),
            v(10.0),
            v(5.0),
            Reading::BelowDetection(10.0),
        ],
        "CFU/g",
    );
    assert_eq!(
        outcome(&infant(&results), "plan staphylococcus_aureus"),
        Outcome::Pass
    );
    results.units(
        "staphylococcus_aureus",
        &[v(50.0), v(20.0), v(11.0), v(5.0), v(1.0)],
        "CFU/g",
    );
    assert_eq!(
        outcome(&infant(&results), "plan staphylococcus_aureus"),
        Outcome::Fail
    );
    // A detection limit above m leaves the unit unreadable.
    results.units(
        "staphylococcus_aureus",
        &[
            v(1.0),
            v(1.0),
            v(1.0),
            v(1.0),
            Reading::BelowDetection(100.0),
        ],
        "CFU/g",
    );
    assert_eq!(
        outcome(&infant(&results), "plan staphylococcus_aureus"),
        Outcome::Undetermined
    );
}

#[test]
fn a_recalled_plan_or_limit_never_fails_a_lot_on_its_own() {
    // APC n=5, c=2, m=1000, M=10000 CFU/g is recalled (R): three units above m, one above M.
    let mut results = conformant_infant_powder();
    let v = Reading::Value;
    results.units(
        "aerobic_plate_count",
        &[v(2000.0), v(3000.0), v(20_000.0), v(10.0), v(10.0)],
        "CFU/g",
    );
    let judgment = infant(&results);
    let check = checks(&judgment, "plan aerobic_plate_count")[0];
    assert_eq!(check.outcome, Outcome::Unverified);
    assert!(check.message.contains("unverified"), "{}", check.message);
    assert_eq!(judgment.verdict, Verdict::Conformant);
}

#[test]
fn results_below_the_detection_limit() {
    let mut results = conformant_infant_powder();
    results.set_reading("lead", Reading::BelowDetection(0.005), "mg/kg");
    assert_eq!(outcome(&infant(&results), "lead"), Outcome::Pass);
    // A method whose detection limit (0.1) is above the limit (0.08) cannot show compliance.
    results.set_reading("lead", Reading::BelowDetection(0.1), "mg/kg");
    let judgment = infant(&results);
    assert_eq!(outcome(&judgment, "lead"), Outcome::Undetermined);
    assert_eq!(judgment.verdict, Verdict::Incomplete);
    // A nutrient below a detection limit under its minimum is certainly too low.
    results.set_reading("lead", Reading::BelowDetection(0.005), "mg/kg");
    results.set_reading("selenium", Reading::BelowDetection(0.1), "µg/100g");
    assert_eq!(outcome(&infant(&results), "selenium"), Outcome::Fail);
}

#[test]
fn contaminant_limits_at_the_boundary_and_for_liquids() {
    // GB 2762-2025 Table 1: lead 0.08 mg/kg as solid product; liquid at 8:1, i.e. 0.01 mg/kg.
    for (lead, expect) in [(0.08, Outcome::Pass), (0.09, Outcome::Fail)] {
        let mut results = conformant_infant_powder();
        results.set("lead", lead, "mg/kg");
        assert_eq!(
            outcome(&infant(&results), "lead"),
            expect,
            "powder lead {lead}"
        );
    }
    let mut liquid = conformant_infant_powder();
    liquid.0.retain(|(_, _, unit, _)| !unit.ends_with("/100g"));
    liquid
        .set("energy", 280.0, "kJ/100mL")
        .set("lead", 0.01, "mg/kg");
    let facts = [
        Fact::MilkBased,
        Fact::Liquid,
        Fact::NoAddedVegetablesOrFruit,
        Fact::NoLiveCultures,
    ];
    let judgment = judge_results(&liquid, ProductType::Infant, "2026-10-01", &facts, None);
    let check = checks(&judgment, "lead")[0];
    assert_eq!(check.outcome, Outcome::Pass);
    assert!(check.rule.contains("≤ 0.01 mg/kg"), "{}", check.rule);
    liquid.set("lead", 0.02, "mg/kg");
    let judgment = judge_results(&liquid, ProductType::Infant, "2026-10-01", &facts, None);
    assert_eq!(outcome(&judgment, "lead"), Outcome::Fail);
    assert_eq!(
        outcome(&judgment, "energy"),
        Outcome::Pass,
        "280 kJ/100 mL is within 250–295"
    );
}

#[test]
fn conditional_contaminant_rows_follow_their_footnotes() {
    let mut results = conformant_infant_powder();
    results
        .set("nitrite", 3.0, "mg/kg")
        .set("tin", 80.0, "mg/kg");
    // Milk-based: nitrite 3.0 > 2.0 fails; tin is judged only for tin-plate containers.
    let judgment = infant(&results);
    assert_eq!(outcome(&judgment, "nitrite"), Outcome::Fail);
    assert!(checks(&judgment, "tin").is_empty());
    let mut facts = milk_powder_facts();
    facts.push(Fact::TinPlateContainer);
    let judgment = judge_results(&results, ProductType::Infant, "2026-10-01", &facts, None);
    assert_eq!(outcome(&judgment, "tin"), Outcome::Fail);
    // Soy-based: the nitrite row (milk-based only, footnote b) does not apply.
    let soy = [
        Fact::SoyBased,
        Fact::NoAddedVegetablesOrFruit,
        Fact::NoLiveCultures,
    ];
    let judgment = judge_results(&results, ProductType::Infant, "2026-10-01", &soy, None);
    assert!(checks(&judgment, "nitrite").is_empty());
    // With added vegetables or fruit the nitrate row (footnote c) does not apply.
    results.set("nitrate", 150.0, "mg/kg");
    assert_eq!(outcome(&infant(&results), "nitrate"), Outcome::Fail);
    let judgment = judge_results(
        &results,
        ProductType::Infant,
        "2026-10-01",
        &[Fact::MilkBased, Fact::NoLiveCultures],
        None,
    );
    assert!(checks(&judgment, "nitrate").is_empty());
}

#[test]
fn a_lot_is_judged_by_the_versions_in_force_on_its_production_date() {
    let mut results = conformant_infant_powder();
    results.set("lead", 0.1, "mg/kg");
    let on = |date: &str| {
        judge_results(
            &results,
            ProductType::Infant,
            date,
            &milk_powder_facts(),
            None,
        )
    };
    // GB 2762-2025 replaced GB 2762-2022 on 2026-09-02; the formula lead limit is 0.08 in both.
    let before = on("2026-09-01");
    assert!(before.standards.contains(&"GB 2762-2022"));
    assert!(!before.standards.contains(&"GB 2762-2025"));
    assert_eq!(checks(&before, "lead")[0].source.standard, "GB 2762-2022");
    let after = on("2026-09-02");
    assert_eq!(checks(&after, "lead")[0].source.standard, "GB 2762-2025");
    // Under GB 2762-2017 (until 2023-06-29) the limit was 0.15, so 0.1 mg/kg passed then.
    let old = on("2023-03-01");
    let lead = checks(&old, "lead")[0];
    assert_eq!(
        (lead.source.standard.as_str(), lead.outcome),
        ("GB 2762-2017", Outcome::Pass)
    );
    // Before 2023-02-22 GB 10765-2010 applied, whose table is not in the data: never conformant.
    let judgment = judge_results(
        &conformant_infant_powder(),
        ProductType::Infant,
        "2022-12-01",
        &milk_powder_facts(),
        None,
    );
    assert_eq!(judgment.verdict, Verdict::Incomplete);
    assert_eq!(
        outcome(&judgment, "GB 10765-2010 coverage"),
        Outcome::Undetermined
    );
}

#[test]
fn stage_two_formula_is_judged_on_sodium_and_contaminants_and_never_found_conformant() {
    let mut results = conformant_infant_powder();
    let judgment = judge_results(
        &results,
        ProductType::OlderInfant,
        "2026-10-01",
        &milk_powder_facts(),
        None,
    );
    assert_eq!(
        judgment.verdict,
        Verdict::Incomplete,
        "GB 10766-2021 Tables 1–3 are not in the data"
    );
    assert_eq!(outcome(&judgment, "sodium"), Outcome::Pass);
    // GB 10766-2021 sodium N.S.–20 mg/100 kJ (A): 21 fails.
    results.set("sodium", 21.0 * 21.0, "mg/100g");
    let judgment = judge_results(
        &results,
        ProductType::OlderInfant,
        "2026-10-01",
        &milk_powder_facts(),
        None,
    );
    assert_eq!(judgment.verdict, Verdict::NonConformant);
    // The stage-2 protein value from one low-quality page is advisory: 4 g/100 kcal is only a note.
    results
        .set("sodium", 10.0 * 21.0, "mg/100g")
        .set("protein", 4.0 * 21.0 / 4.184, "g/100g");
    let judgment = judge_results(
        &results,
        ProductType::OlderInfant,
        "2026-10-01",
        &milk_powder_facts(),
        None,
    );
    assert_eq!(outcome(&judgment, "protein"), Outcome::Unverified);
    assert_ne!(judgment.verdict, Verdict::NonConformant);
}

#[test]
fn results_without_a_rule_and_standards_that_do_not_apply_are_noted_not_dropped() {
    let mut results = conformant_infant_powder();
    results.set("lactoferrin", 40.0, "mg/100g");
    let judgment = infant(&results);
    assert_eq!(outcome(&judgment, "lactoferrin"), Outcome::Note);
    assert_eq!(judgment.verdict, Verdict::Conformant);
    let manufacturer = anxin_quality::review(
        catalogue(),
        "m.toml",
        include_str!("../../examples/manufacturer-raw-milk.toml"),
    )
    .unwrap();
    let judgment = judge_results(
        &results,
        ProductType::Infant,
        "2026-10-01",
        &milk_powder_facts(),
        Some(&manufacturer),
    );
    let note = checks(&judgment, "enterprise standard")[0];
    assert!(note.message.contains("does not apply"), "{}", note.message);
}

#[test]
fn vitamin_e_must_cover_the_polyunsaturated_fatty_acids() {
    // GB 10765-2021 vitamin E footnote (S3, A): 0.5 mg/g LA + 0.75 mg/g ALA + 1.0 mg/g ARA + 1.5 mg/g DHA.
    // The conformant powder: LA 0.2 g and ALA 20 mg per 100 kJ need 0.1 + 0.015 = 0.115 mg; it has 0.6.
    let mut results = conformant_infant_powder();
    let judgment = infant(&results);
    let check = checks(&judgment, "minimum vitamin_e_pufa")[0];
    assert_eq!(check.outcome, Outcome::Pass);
    assert!(
        check
            .value
            .as_deref()
            .unwrap()
            .contains("counted as none: ara, epa, dha"),
        "{:?}",
        check.value
    );
    // LA 0.3 g/100 kJ and ALA 20 mg need 0.165 mg: 0.13 mg/100 kJ meets the table (≥ 0.12) but not this.
    results
        .set("linoleic_acid", 0.3 * 21.0, "g/100g")
        .set("vitamin_e", 0.13 * 21.0, "mg/100g");
    let judgment = infant(&results);
    assert_eq!(outcome(&judgment, "vitamin_e"), Outcome::Pass);
    assert_eq!(outcome(&judgment, "minimum vitamin_e_pufa"), Outcome::Fail);
    assert_eq!(judgment.verdict, Verdict::NonConformant);
    // Exactly what is needed passes; DHA and ARA added raise the need (6 mg each: + 0.006 + 0.009).
    results.set("vitamin_e", 0.165 * 21.0, "mg/100g");
    assert_eq!(
        outcome(&infant(&results), "minimum vitamin_e_pufa"),
        Outcome::Pass
    );
    results
        .set("dha", 6.0 * 21.0, "mg/100g")
        .set("ara", 6.0 * 21.0, "mg/100g");
    assert_eq!(
        outcome(&infant(&results), "minimum vitamin_e_pufa"),
        Outcome::Fail
    );
    results.set("vitamin_e", 0.18 * 21.0, "mg/100g");
    assert_eq!(
        outcome(&infant(&results), "minimum vitamin_e_pufa"),
        Outcome::Pass
    );
}

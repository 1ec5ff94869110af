//! The one place the tests build samples and call the judgment API.

use anxin_quality::analyte;
use anxin_quality::unit::Unit;
use anxin_quality::{
    Catalogue, Check, EnterpriseStandard, Fact, Judgment, Measurement, Outcome, ProductType,
    Reading, Sample, judge,
};

/// Energy of the test powder: 2100 kJ/100 g, inside the 2107–2163 kJ/100 g of real stage-1
/// powders (standards.md §7) rounded so that per-100-kJ values are the per-100-g ones ÷ 21.
pub const ENERGY_KJ_PER_100G: f64 = 2100.0;

/// A lot's results as (analyte, reading, unit, sample unit), edited by each test.
#[derive(Clone)]
pub struct Results(pub Vec<(String, Reading, String, Option<u32>)>);

impl Results {
    pub fn set(&mut self, analyte: &str, value: f64, unit: &str) -> &mut Self {
        self.remove(analyte);
        self.0
            .push((analyte.into(), Reading::Value(value), unit.into(), None));
        self
    }

    pub fn set_reading(&mut self, analyte: &str, reading: Reading, unit: &str) -> &mut Self {
        self.remove(analyte);
        self.0.push((analyte.into(), reading, unit.into(), None));
        self
    }

    pub fn remove(&mut self, analyte: &str) -> &mut Self {
        self.0.retain(|(name, ..)| name != analyte);
        self
    }

    pub fn units(&mut self, analyte: &str, readings: &[Reading], unit: &str) -> &mut Self {
        self.remove(analyte);
        for (index, reading) in readings.iter().enumerate() {
            self.0.push((
                analyte.into(),
                *reading,
                unit.into(),
                Some(index as u32 + 1),
            ));
        }
        self
    }

    pub fn measurements(&self) -> Vec<Measurement> {
        self.0
            .iter()
            .map(|(name, reading, unit, sample_unit)| Measurement {
                analyte: analyte::find(name).unwrap_or_else(|| panic!("test analyte {name}")),
                reading: *reading,
                unit: if unit.is_empty() {
                    None
                } else {
                    Some(Unit::parse(unit).unwrap_or_else(|| panic!("test unit {unit}")))
                },
                sample_unit: *sample_unit,
            })
            .collect()
    }
}

/// Mid-range values of every GB 10765-2021 milk-based essential component (per 100 kJ), written
/// per 100 g of a powder of 2100 kJ/100 g, plus contaminants well below their limits and a clean
/// Cronobacter plan.
pub fn conformant_infant_powder() -> Results {
    let per_100kj: &[(&str, f64, &str)] = &[
        ("protein", 0.55, "g"),
        ("fat", 1.2, "g"),
        ("linoleic_acid", 0.2, "g"),
        ("alpha_linolenic_acid", 20.0, "mg"),
        ("carbohydrate", 2.7, "g"),
        ("vitamin_a", 25.0, "µg"),
        ("vitamin_d", 0.8, "µg"),
        ("vitamin_e", 0.6, "mg"),
        ("vitamin_k1", 3.0, "µg"),
        ("vitamin_b1", 40.0, "µg"),
        ("vitamin_b2", 60.0, "µg"),
        ("vitamin_b6", 20.0, "µg"),
        ("vitamin_b12", 0.1, "µg"),
        ("niacin", 200.0, "µg"),
        ("folic_acid", 6.0, "µg"),
        ("pantothenic_acid", 250.0, "µg"),
        ("vitamin_c", 8.0, "mg"),
        ("biotin", 1.2, "µg"),
        ("choline", 12.0, "mg"),
        ("sodium", 10.0, "mg"),
        ("potassium", 30.0, "mg"),
        ("copper", 20.0, "µg"),
        ("magnesium", 2.4, "mg"),
        ("iron", 0.2, "mg"),
        ("zinc", 0.2, "mg"),
        ("manganese", 10.0, "µg"),
        ("calcium", 20.0, "mg"),
        ("phosphorus", 12.0, "mg"),
        ("iodine", 8.0, "µg"),
        ("chloride", 25.0, "mg"),
        ("selenium", 1.4, "µg"),
    ];
    let mut results = Results(Vec::new());
    results.set("energy", ENERGY_KJ_PER_100G, "kJ/100g");
    for (name, value, mass) in per_100kj {
        results.set(
            name,
            value * ENERGY_KJ_PER_100G / 100.0,
            &format!("{mass}/100g"),
        );
    }
    results
        .set("lead", 0.02, "mg/kg")
        .set("nitrite", 0.5, "mg/kg")
        .set("nitrate", 20.0, "mg/kg")
        .set("aflatoxin_m1", 0.1, "µg/kg")
        .set("melamine", 0.1, "mg/kg")
        .units("cronobacter", &[Reading::NotDetected; 3], "");
    results
}

pub fn milk_powder_facts() -> Vec<Fact> {
    vec![
        Fact::MilkBased,
        Fact::NoAddedVegetablesOrFruit,
        Fact::NoLiveCultures,
    ]
}

/// The national catalogue, parsed once for all tests.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::national().expect("national catalogue"))
}

#[track_caller]
pub fn judge_results<'a>(
    results: &Results,
    product: ProductType,
    produced: &str,
    facts: &[Fact],
    enterprise: Option<&'a EnterpriseStandard>,
) -> Judgment<'a> {
    let catalogue = catalogue();
    let sample = Sample::new(
        product,
        produced.parse().expect("date"),
        facts.iter().copied(),
        results.measurements(),
    )
    .unwrap_or_else(|errors| panic!("test sample refused: {errors:?}"));
    judge(catalogue, enterprise, &sample)
}

#[track_caller]
pub fn infant(results: &Results) -> Judgment<'static> {
    judge_results(
        results,
        ProductType::Infant,
        "2026-10-01",
        &milk_powder_facts(),
        None,
    )
}

/// The checks about `subject`.
pub fn checks<'a, 'b>(judgment: &'a Judgment<'b>, subject: &str) -> Vec<&'a Check<'b>> {
    judgment
        .checks
        .iter()
        .filter(|check| check.subject == subject)
        .collect()
}

#[track_caller]
pub fn outcome(judgment: &Judgment<'_>, subject: &str) -> Outcome {
    let found = checks(judgment, subject);
    assert_eq!(
        found.len(),
        1,
        "one check on {subject} expected, found {found:#?}"
    );
    found[0].outcome
}

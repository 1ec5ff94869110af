//! Quality-engine benchmarks (issue 7), each beside a baseline from the same run:
//!
//! - judgments per second: `anxin_quality::judge` on one stage-1 lot's full results (about 40
//!   analytes, per-100-g values converted through the measured energy, ratios, a Cronobacter
//!   plan, every check with its rule and source), against the bare arithmetic on the same values:
//!   the same conversions and min/max comparisons over a flat array, with no sources, reasons,
//!   conditions or unit handling;
//! - the time to judge every lot of a medium world, against the same baseline;
//! - the time to judge every lot of the simulator's medium world as it is (its real lot count,
//!   every stage and imported lots, each lot's own release report from `anxin-sim`), against
//!   bare min/max comparisons of the same reports' numbers with a flat per-analyte range table.
//!   `BENCH_SIM_CANS` sets the world's size (default: the medium scale); generating it is outside
//!   the timing.
//!
//! The medium world is about 1,000,000 cans. The simulator's lot size is not settled and no
//! source gives a real one (standards.md §7: batch size unknown), so this assumes
//! `CANS_PER_LOT_ASSUMED` = 1,000 cans (0.8 t of 800 g cans) per lot, i.e. 1,000 lots; set
//! `BENCH_QUALITY_LOTS` to judge another number. The lots are varied deterministically
//! (`BENCH_SEED`), about one value in five hundred pushed outside its limits.
//! Building the samples (parsing) is outside the timing: both sides start from values in memory.
//! Knobs: `BENCH_QUALITY_LOTS`, `BENCH_SEED` (default 1), `BENCH_ROUNDS` (default 7).
//! Run with `cargo bench -p anxin-bench --bench quality`; the report goes to
//! `target/bench-report/quality.*`.

use std::hint::black_box;

use anxin_bench::{Report, best_of_interleaved};
use anxin_quality::analyte;
use anxin_quality::unit::Unit;
use anxin_quality::{Catalogue, Fact, Measurement, ProductType, Reading, Sample, Verdict, judge};

/// Cans in the medium world (the simulator's target size).
const MEDIUM_WORLD_CANS: u64 = 1_000_000;
/// An assumption of this benchmark, not a figure from any source: cans per lot.
const CANS_PER_LOT_ASSUMED: u64 = 1_000;
/// Share of generated values pushed outside their range (an assumption that makes a few lots
/// fail, so failing paths are timed too).
const OUT_OF_RANGE_SHARE: f64 = 0.002;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: deterministic across machines, enough to vary values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// GB 10765-2021 milk-based ranges per 100 kJ with their mass unit, for generating values
/// and for the baseline's flat comparisons.
const RANGES: &[(&str, &str, f64, f64)] = &[
    ("protein", "g", 0.43, 0.72),
    ("fat", "g", 1.05, 1.43),
    ("linoleic_acid", "g", 0.07, 0.33),
    ("alpha_linolenic_acid", "mg", 12.0, f64::INFINITY),
    ("carbohydrate", "g", 2.2, 3.3),
    ("vitamin_a", "µg", 14.0, 36.0),
    ("vitamin_d", "µg", 0.48, 1.2),
    ("vitamin_e", "mg", 0.12, 1.2),
    ("vitamin_k1", "µg", 0.96, 6.45),
    ("vitamin_b1", "µg", 14.0, 72.0),
    ("vitamin_b2", "µg", 19.0, 120.0),
    ("vitamin_b6", "µg", 8.4, 41.8),
    ("vitamin_b12", "µg", 0.024, 0.359),
    ("niacin", "µg", 96.0, 359.0),
    ("folic_acid", "µg", 2.9, 12.0),
    ("pantothenic_acid", "µg", 96.0, 478.0),
    ("vitamin_c", "mg", 2.4, 16.7),
    ("biotin", "µg", 0.36, 2.39),
    ("choline", "mg", 4.8, 23.9),
    ("sodium", "mg", 7.0, 14.0),
    ("potassium", "mg", 17.0, 43.0),
    ("copper", "µg", 14.3, 28.7),
    ("magnesium", "mg", 1.2, 3.6),
    ("iron", "mg", 0.1, 0.36),
    ("zinc", "mg", 0.12, 0.36),
    ("manganese", "µg", 0.72, 23.9),
    ("calcium", "mg", 12.0, 35.0),
    ("phosphorus", "mg", 6.0, 24.0),
    ("iodine", "µg", 3.6, 14.1),
    ("chloride", "mg", 12.0, 38.0),
    ("selenium", "µg", 0.72, 2.06),
];

/// One generated lot: the measurements for the engine and the flat numbers for the baseline.
struct Lot {
    sample: Sample,
    energy_kj_per_100g: f64,
    per_100g: Vec<f64>,
}

fn measurement(name: &str, reading: Reading, unit: &str, sample_unit: Option<u32>) -> Measurement {
    Measurement {
        analyte: analyte::find(name).expect("known analyte"),
        reading,
        unit: Unit::parse(unit),
        sample_unit,
    }
}

fn generate(n_lots: u64, seed: u64) -> Vec<Lot> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let produced = "2026-10-01".parse().expect("date");
    (0..n_lots)
        .map(|_| {
            let energy = 2107.0 + rng.next() * 56.0; // 2107–2163 kJ/100 g, standards.md §7
            let mut measurements = vec![measurement(
                "energy",
                Reading::Value(energy),
                "kJ/100g",
                None,
            )];
            let mut per_100g = Vec::with_capacity(RANGES.len());
            let mut drawn: Vec<f64> = Vec::with_capacity(RANGES.len());
            for (name, mass, min, max) in RANGES {
                let top = if max.is_finite() { *max } else { min * 3.0 };
                let mut per_100kj = min + (top - min) * (0.1 + 0.8 * rng.next());
                // Keep the ratio rules mostly met, as a real formulation is: ALA from LA
                // (LA:ALA 6–14) and P from Ca (Ca:P 1.2–1.8).
                let position =
                    |wanted: &str| RANGES.iter().position(|(n, ..)| *n == wanted).unwrap_or(0);
                if *name == "alpha_linolenic_acid" {
                    per_100kj = (drawn[position("linoleic_acid")] * 1000.0
                        / (6.0 + 8.0 * rng.next()))
                    .max(*min);
                }
                if *name == "phosphorus" {
                    per_100kj =
                        (drawn[position("calcium")] / (1.2 + 0.6 * rng.next())).clamp(*min, *max);
                }
                if rng.next() < OUT_OF_RANGE_SHARE {
                    per_100kj = if rng.next() < 0.5 {
                        min * 0.9
                    } else {
                        top * 1.1
                    };
                }
                drawn.push(per_100kj);
                let value = per_100kj * energy / 100.0;
                per_100g.push(value);
                measurements.push(measurement(
                    name,
                    Reading::Value(value),
                    &format!("{mass}/100g"),
                    None,
                ));
            }
            let detected = rng.next() < 0.01;
            measurements.extend([
                measurement(
                    "lead",
                    Reading::Value(0.01 + rng.next() * 0.06),
                    "mg/kg",
                    None,
                ),
                measurement("nitrite", Reading::Value(rng.next() * 1.5), "mg/kg", None),
                measurement("nitrate", Reading::Value(rng.next() * 60.0), "mg/kg", None),
                measurement("aflatoxin_m1", Reading::BelowDetection(0.05), "µg/kg", None),
                measurement("melamine", Reading::BelowDetection(0.1), "mg/kg", None),
                measurement(
                    "cronobacter",
                    if detected {
                        Reading::Detected
                    } else {
                        Reading::NotDetected
                    },
                    "",
                    Some(1),
                ),
                measurement("cronobacter", Reading::NotDetected, "", Some(2)),
                measurement("cronobacter", Reading::NotDetected, "", Some(3)),
            ]);
            let facts = [
                Fact::MilkBased,
                Fact::NoAddedVegetablesOrFruit,
                Fact::NoLiveCultures,
            ];
            let sample = Sample::new(ProductType::Infant, produced, facts, measurements)
                .expect("generated lot is well formed");
            Lot {
                sample,
                energy_kj_per_100g: energy,
                per_100g,
            }
        })
        .collect()
}

/// The baseline: the same per-100-g → per-100-kJ conversions and min/max comparisons, nothing else.
fn bare_comparisons(lots: &[Lot]) -> u64 {
    let mut failures = 0;
    for lot in lots {
        let per_kj = lot.energy_kj_per_100g / 100.0;
        for (value, (_, _, min, max)) in lot.per_100g.iter().zip(RANGES) {
            let v = value / per_kj;
            if v < *min || v > *max {
                failures += 1;
            }
        }
    }
    failures
}

fn main() {
    let default_lots = MEDIUM_WORLD_CANS / CANS_PER_LOT_ASSUMED;
    let n_lots = env_number("BENCH_QUALITY_LOTS", default_lots).max(1);
    let seed = env_number("BENCH_SEED", 1);
    let rounds = env_number("BENCH_ROUNDS", 7) as usize;
    let catalogue = Catalogue::national().expect("national standards parse");
    let lots = generate(n_lots, seed);

    let mut report = Report::new("quality");
    report.notes.push(format!(
        "{n_lots} stage-1 lots (medium world: {MEDIUM_WORLD_CANS} cans at an assumed {CANS_PER_LOT_ASSUMED} cans per lot), seed {seed}, best of {rounds}"
    ));
    let verdicts: Vec<Verdict> = lots
        .iter()
        .map(|lot| judge(&catalogue, None, &lot.sample).verdict)
        .collect();
    let n_non_conformant = verdicts
        .iter()
        .filter(|v| **v == Verdict::NonConformant)
        .count();
    report.notes.push(format!(
        "{n_non_conformant} of {n_lots} lots non-conformant; {} bare failures",
        bare_comparisons(&lots)
    ));
    report.notes.push(format!(
        "checks per judgment: {}",
        judge(&catalogue, None, &lots[0].sample).checks.len()
    ));

    let (candidate, baseline) = best_of_interleaved(
        rounds,
        || {
            for lot in &lots {
                black_box(judge(&catalogue, None, black_box(&lot.sample)));
            }
        },
        || {
            black_box(bare_comparisons(black_box(&lots)));
        },
    );
    let per_second = |duration: std::time::Duration| n_lots as f64 / duration.as_secs_f64();
    report.observation(
        "judgments per second, one core",
        per_second(candidate),
        "bare min/max comparisons, lots/s",
        per_second(baseline),
        "lots/s",
    );
    report.observation(
        "time to judge every lot of the medium world",
        candidate.as_secs_f64() * 1000.0,
        "bare min/max comparisons",
        baseline.as_secs_f64() * 1000.0,
        "ms",
    );
    simulated_world(&catalogue, seed, rounds, &mut report);
    match report.write() {
        Ok((json, md)) => println!("report: {} and {}", json.display(), md.display()),
        Err(error) => eprintln!("could not write the report: {error}"),
    }
}

/// The bare baseline for the simulator's reports: each numeric result against a flat range
/// table indexed by analyte (the stage-1 ranges per 100 kJ at a nominal 2135 kJ/100 g, the
/// middle of standards.md §7's 2107–2163), nothing else.
fn bare_report_comparisons(reports: &[Vec<(usize, f64)>], table: &[(f64, f64)]) -> u64 {
    let mut failures = 0;
    for report in reports {
        for (index, value) in report {
            let (min, max) = table[*index];
            if *value < min || *value > max {
                failures += 1;
            }
        }
    }
    failures
}

fn simulated_world(catalogue: &Catalogue, seed: u64, rounds: usize, report: &mut Report) {
    let cans = env_number("BENCH_SIM_CANS", anxin_sim::Scale::Medium.cans());
    let config = anxin_sim::Config::new(seed, cans);
    let world = config.world();
    let mut generator = anxin_sim::Generator::new(&world, config);
    for _ in generator.by_ref() {}
    let (manifest, quality) = generator.into_parts();
    let samples: Vec<Sample> = quality
        .lab_reports
        .iter()
        .map(|lab| lab.sample().expect("simulated report is well formed"))
        .collect();
    let nominal_kj_per_100g = 2135.0;
    let mut table = vec![(f64::NEG_INFINITY, f64::INFINITY); analyte::ANALYTES.len()];
    for (name, _, min, max) in RANGES {
        if let Some(found) = analyte::find(name) {
            let factor = nominal_kj_per_100g / 100.0;
            table[analyte::index(found)] = (min * factor, max * factor);
        }
    }
    let flat: Vec<Vec<(usize, f64)>> = quality
        .lab_reports
        .iter()
        .map(|lab| {
            lab.measurements
                .iter()
                .filter_map(|m| match m.reading {
                    Reading::Value(v) => Some((analyte::index(m.analyte), v)),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let verdicts: Vec<Verdict> = samples
        .iter()
        .map(|sample| judge(catalogue, None, sample).verdict)
        .collect();
    let count = |wanted: Verdict| verdicts.iter().filter(|v| **v == wanted).count();
    report.notes.push(format!(
        "simulated world: {} cans, {} lots ({} domestic, {} imported), seed {seed}: {} conformant, {} non-conformant, {} incomplete (stage-2/3 standards are not fully in the data); planted: {} out of limit, {} missing a result",
        manifest.counts.cans,
        samples.len(),
        manifest.counts.domestic_lots,
        manifest.counts.imported_lots,
        count(Verdict::Conformant),
        count(Verdict::NonConformant),
        count(Verdict::Incomplete),
        manifest.lab_out_of_limit.len(),
        manifest.lab_missing_analyte.len(),
    ));
    let (candidate, baseline) = best_of_interleaved(
        rounds,
        || {
            for sample in &samples {
                black_box(judge(catalogue, None, black_box(sample)));
            }
        },
        || {
            black_box(bare_report_comparisons(black_box(&flat), &table));
        },
    );
    report.observation(
        "time to judge every lot of the simulated medium world (its lots and reports)",
        candidate.as_secs_f64() * 1000.0,
        "bare min/max comparisons of the same reports",
        baseline.as_secs_f64() * 1000.0,
        "ms",
    );
}

//! The benchmark harness shared by Anxin's benchmarks.
//!
//! Each benchmark measures a candidate and a baseline in the same run, interleaved, and
//! reports both with their ratio: the machines are small and noisy, so absolute times mean
//! little and ratios mean more. A run writes a machine-readable report
//! (`target/bench-report/NAME.json`) and a readable one (`target/bench-report/NAME.md`).
//! Nothing here is a test: no figure here passes or fails a build.

pub mod chain;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

/// One reported figure and its baseline.
#[derive(Serialize, Clone, Debug)]
pub struct Figure {
    /// What was measured.
    pub name: String,
    /// The candidate's value.
    pub value: f64,
    /// The baseline's value, measured in the same run.
    pub baseline: Option<f64>,
    /// What the baseline is.
    pub baseline_name: String,
    /// The unit of both values (`MB/s`, `events/s`, `MiB`).
    pub unit: String,
    /// value / baseline.
    pub ratio: Option<f64>,
    /// The goal, in words, with the ratio it asks for.
    pub goal: String,
    /// Whether the goal is met in this run (None when there is no baseline to compare, or no
    /// goal).
    pub goal_met: Option<bool>,
}

/// A benchmark report being built.
#[derive(Serialize, Debug)]
pub struct Report {
    /// The benchmark's name (also the report file's name).
    pub name: String,
    /// Facts about the run (machine, sizes).
    pub notes: Vec<String>,
    /// The figures.
    pub figures: Vec<Figure>,
}

impl Report {
    /// An empty report.
    pub fn new(name: &str) -> Report {
        Report {
            name: name.to_owned(),
            notes: Vec::new(),
            figures: Vec::new(),
        }
    }

    /// Adds a figure whose goal is `value / baseline >= min_ratio` (or, with
    /// `lower_is_better`, `value / baseline <= min_ratio`).
    #[expect(
        clippy::too_many_arguments,
        reason = "a flat record reads best at the call site"
    )]
    pub fn figure(
        &mut self,
        name: &str,
        value: f64,
        baseline_name: &str,
        baseline: Option<f64>,
        unit: &str,
        goal: &str,
        min_ratio: f64,
        lower_is_better: bool,
    ) {
        let ratio = baseline.filter(|b| *b > 0.0).map(|b| value / b);
        let goal_met = ratio.map(|r| {
            if lower_is_better {
                r <= min_ratio
            } else {
                r >= min_ratio
            }
        });
        let figure = Figure {
            name: name.to_owned(),
            value,
            baseline,
            baseline_name: baseline_name.to_owned(),
            unit: unit.to_owned(),
            ratio,
            goal: goal.to_owned(),
            goal_met,
        };
        self.push(figure);
    }

    /// Prints a figure as one line and keeps it.
    fn push(&mut self, figure: Figure) {
        println!(
            "{:<48} {:>12.1} {:<9} | {:<40} {:>12} | ratio {:>8} | {}",
            figure.name,
            figure.value,
            figure.unit,
            figure.baseline_name,
            figure
                .baseline
                .map_or("n/a".to_owned(), |b| format!("{b:.1}")),
            figure.ratio.map_or("n/a".to_owned(), |r| format!("{r:.2}")),
            match (figure.goal_met, figure.baseline) {
                (Some(true), _) => "goal met",
                (Some(false), _) => "GOAL MISSED",
                (None, Some(_)) => "no goal set",
                (None, None) => "no baseline",
            }
        );
        self.figures.push(figure);
    }

    /// Adds a figure beside its baseline with no goal: for figures nobody has set a target
    /// for yet, reported so the ratio is on record.
    pub fn observation(
        &mut self,
        name: &str,
        value: f64,
        baseline_name: &str,
        baseline: f64,
        unit: &str,
    ) {
        self.push(Figure {
            name: name.to_owned(),
            value,
            baseline: Some(baseline),
            baseline_name: baseline_name.to_owned(),
            unit: unit.to_owned(),
            ratio: (baseline > 0.0).then(|| value / baseline),
            goal: "none set".to_owned(),
            goal_met: None,
        });
    }

    /// Writes `target/bench-report/NAME.json` and `.md` and returns their paths.
    pub fn write(&self) -> std::io::Result<(PathBuf, PathBuf)> {
        let folder = report_folder();
        std::fs::create_dir_all(&folder)?;
        let json_path = folder.join(format!("{}.json", self.name));
        let md_path = folder.join(format!("{}.md", self.name));
        std::fs::write(
            &json_path,
            serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?,
        )?;
        std::fs::write(&md_path, self.markdown())?;
        Ok((json_path, md_path))
    }

    fn markdown(&self) -> String {
        let mut text = format!("# Benchmark: {}\n\n", self.name);
        for note in &self.notes {
            let _ = writeln!(text, "- {note}");
        }
        text.push_str("\n| figure | value | baseline (same run) | ratio | goal | met |\n|---|---|---|---|---|---|\n");
        for figure in &self.figures {
            let _ = writeln!(
                text,
                "| {} | {:.1} {} | {}: {} | {} | {} | {} |",
                figure.name,
                figure.value,
                figure.unit,
                figure.baseline_name,
                figure
                    .baseline
                    .map_or("n/a".to_owned(), |b| format!("{b:.1} {}", figure.unit)),
                figure.ratio.map_or("n/a".to_owned(), |r| format!("{r:.2}")),
                figure.goal,
                match figure.goal_met {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "n/a",
                }
            );
        }
        text
    }
}

/// `target/bench-report` (or `ANXIN_BENCH_REPORT_DIR`), found from `CARGO_TARGET_DIR` or the
/// bench binary's own path (…/target/release/deps/…).
pub fn report_folder() -> PathBuf {
    if let Ok(folder) = std::env::var("ANXIN_BENCH_REPORT_DIR") {
        return PathBuf::from(folder);
    }
    if let Ok(target) = std::env::var("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("bench-report");
    }
    let exe = std::env::current_exe().unwrap_or_default();
    // A bench binary lives at {target}/{profile}/deps/{name}: three folders up is the target
    // folder, whatever it is called.
    exe.ancestors()
        .find(|path| path.file_name().is_some_and(|name| name == "target"))
        .or_else(|| exe.ancestors().nth(3))
        .map(|target| target.join("bench-report"))
        .unwrap_or_else(|| PathBuf::from("bench-report"))
}

/// `target/bench-cache/NAME`: where a benchmark keeps what is slow to build (a filled
/// database) between runs. It sits beside the report folder, under `target/`, which git
/// ignores.
pub fn cache_folder(name: &str) -> PathBuf {
    let reports = report_folder();
    reports
        .parent()
        .map_or_else(
            || PathBuf::from("bench-cache"),
            |target| target.join("bench-cache"),
        )
        .join(name)
}

/// The `percentile`th percentile (0–100) of `samples`, by the nearest-rank method; zero for
/// no samples.
pub fn percentile(samples: &[Duration], percentile: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((percentile / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Times `candidate` and `baseline` alternately `rounds` times and returns the best time of
/// each: the minimum is the least disturbed by the other work on a shared, noisy machine.
pub fn best_of_interleaved(
    rounds: usize,
    mut candidate: impl FnMut(),
    mut baseline: impl FnMut(),
) -> (Duration, Duration) {
    let mut best_candidate = Duration::MAX;
    let mut best_baseline = Duration::MAX;
    for _ in 0..rounds {
        let start = Instant::now();
        candidate();
        best_candidate = best_candidate.min(start.elapsed());
        let start = Instant::now();
        baseline();
        best_baseline = best_baseline.min(start.elapsed());
    }
    (best_candidate, best_baseline)
}

/// The peak resident set size of this process so far, in bytes (Linux `VmHWM`).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

//! The benchmark harness shared by Anxin's benchmarks.
//!
//! Each benchmark measures a candidate and a baseline in the same run, interleaved, and
//! reports both with their ratio: the machines are small and noisy, so absolute times mean
//! little and ratios mean more. A run writes a machine-readable report
//! (`target/bench-report/NAME.json`) and a readable one (`target/bench-report/NAME.md`).
//! Nothing here is a test: no figure here passes or fails a build.

pub mod chain;
pub mod raw;
pub mod store;
pub mod world;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

/// The runtime every store benchmark runs on: two worker threads, one per core of the
/// machines the figures are measured on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Nanoseconds this thread has spent on a CPU (`/proc/thread-self/schedstat`, Linux): on a
/// shared machine the wall clock also counts the time other processes had the core.
pub fn on_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

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
        write_index(&folder)?;
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

/// Gathers every report in `folder` (each `NAME.json` but the index itself) into
/// `index.json` and `index.md`, so one command (`cargo bench -p anxin-bench`) leaves one
/// place that lists every figure with its baseline. Called after each report is written, so
/// the index always covers the latest run of each benchmark.
pub fn write_index(folder: &std::path::Path) -> std::io::Result<()> {
    let mut reports: Vec<(String, serde_json::Value)> = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        let Some(name) = path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|ext| ext != "json") || name == "index" {
            continue;
        }
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&std::fs::read(&path)?) else {
            continue;
        };
        let modified = std::fs::metadata(&path)?
            .modified()
            .ok()
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |age| age.as_secs());
        reports.push((
            name.to_owned(),
            serde_json::json!({ "report": value, "written_unix_s": modified }),
        ));
    }
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    let mut text = String::from(
        "# Benchmarks: every figure\n\nGathered from the reports in this folder; each figure beside its baseline, measured in the same run.\n",
    );
    for (name, entry) in &reports {
        let _ = writeln!(text, "\n## {name}\n");
        let report = &entry["report"];
        for note in report["notes"].as_array().into_iter().flatten() {
            let _ = writeln!(text, "- {}", note.as_str().unwrap_or_default());
        }
        text.push_str("\n| figure | value | baseline (same run) | ratio | goal | met |\n|---|---|---|---|---|---|\n");
        for figure in report["figures"].as_array().into_iter().flatten() {
            let number = |key: &str| {
                figure[key]
                    .as_f64()
                    .map_or("n/a".to_owned(), |v| format!("{v:.1}"))
            };
            let _ = writeln!(
                text,
                "| {} | {} {} | {}: {} | {} | {} | {} |",
                figure["name"].as_str().unwrap_or_default(),
                number("value"),
                figure["unit"].as_str().unwrap_or_default(),
                figure["baseline_name"].as_str().unwrap_or_default(),
                number("baseline"),
                figure["ratio"]
                    .as_f64()
                    .map_or("n/a".to_owned(), |r| format!("{r:.2}")),
                figure["goal"].as_str().unwrap_or_default(),
                match figure["goal_met"].as_bool() {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "n/a",
                }
            );
        }
    }
    let index: serde_json::Map<String, serde_json::Value> = reports.into_iter().collect();
    std::fs::write(
        folder.join("index.json"),
        serde_json::to_vec_pretty(&index).map_err(std::io::Error::other)?,
    )?;
    std::fs::write(folder.join("index.md"), text)
}

/// `target/bench-report`: `$ANXIN_BENCH_REPORT_DIR`, else `$CARGO_TARGET_DIR/bench-report`, else
/// found from the bench binary's own path (…/target/release/deps/…).
pub fn report_folder() -> PathBuf {
    if let Ok(folder) = std::env::var("ANXIN_BENCH_REPORT_DIR") {
        return PathBuf::from(folder);
    }
    // A target folder not named `target` (CARGO_TARGET_DIR) is found from the environment
    // first; otherwise the report would land in the package folder, inside the repository.
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

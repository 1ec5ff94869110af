//! EPCIS codec and hash benchmarks (issue 2), each beside a baseline from the same run:
//!
//! - JSON-LD read + validate, MB/s, against `serde_json` parsing the same bytes into an
//!   untyped `Value` (goal: at least half that rate);
//! - XML read + validate, MB/s, against `quick-xml` merely iterating the same bytes' events
//!   (goal: at least half that rate);
//! - hash IDs per second on one core, against the Python reference implementation
//!   (`epcis-event-hash-generator`) on the same events (goal: 300× or more);
//! - peak memory of streaming validation of a large document (default 200 MB), against the
//!   document's size (goal: a small fraction of it).
//!
//! Knobs: `BENCH_EVENTS` (events in the codec documents, default 20000), `BENCH_SEED`
//! (default 1), `BENCH_LARGE_MB` (size of the memory document, default 200; 0 skips it),
//! `BENCH_PYTHON` (the Python with the reference installed, default `python3`), `BENCH_ONLY`
//! (a comma-separated subset of `json,xml,hash,memory`, for profiling one figure).
//! Run with `cargo bench -p anxin-bench`; the report goes to `target/bench-report/epcis.*`.

use std::io::{BufReader, Write};
use std::process::Command;
use std::time::Instant;

use anxin_bench::{Report, best_of_interleaved, peak_rss_bytes};
use anxin_epcis::sample::{self, SampleRng};
use anxin_epcis::{Event, EventSink, Limits, Origin, Problem, hash, json, validate, xml};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Validates every event and counts problems, as `anxin epcis validate` does.
#[derive(Default)]
struct ValidatingSink {
    n_events: usize,
    n_problems: usize,
}

impl EventSink for ValidatingSink {
    fn event(&mut self, event: Result<Event, Vec<Problem>>, _origin: Origin) -> Result<(), String> {
        self.n_events += 1;
        match event {
            Ok(event) => self.n_problems += validate::check_event(&event).len(),
            Err(problems) => self.n_problems += problems.len(),
        }
        Ok(())
    }
}

fn sample_events(count: usize, seed: u64) -> (anxin_epcis::Header, Vec<Event>) {
    let mut rng = SampleRng::new(seed);
    let header = sample::header(&mut rng);
    let events = (0..count).map(|_| sample::random_event(&mut rng)).collect();
    (header, events)
}

fn json_document(header: &anxin_epcis::Header, events: &[Event]) -> Vec<u8> {
    let mut writer = json::Writer::start(Vec::new(), header).expect("write to memory");
    for event in events {
        writer.event(event).expect("write to memory");
    }
    writer.finish().expect("write to memory")
}

fn xml_document(header: &anxin_epcis::Header, events: &[Event]) -> Vec<u8> {
    let mut writer = xml::Writer::start(Vec::new(), header).expect("write to memory");
    for event in events {
        writer.event(event).expect("write to memory");
    }
    writer.finish().expect("write to memory")
}

fn megabytes_per_second(bytes: usize, seconds: f64) -> f64 {
    bytes as f64 / 1_000_000.0 / seconds
}

fn bench_json(report: &mut Report, header: &anxin_epcis::Header, events: &[Event]) {
    let document = json_document(header, events);
    let limits = Limits {
        max_document_bytes: u64::MAX,
        max_events: usize::MAX,
        ..Limits::DEFAULT
    };
    let (candidate, baseline) = best_of_interleaved(
        7,
        || {
            let mut sink = ValidatingSink::default();
            json::read(document.as_slice(), &limits, &mut sink).expect("sample reads");
            assert_eq!(sink.n_problems, 0, "sample documents are valid");
        },
        || {
            let value: serde_json::Value = serde_json::from_slice(&document).expect("valid JSON");
            std::hint::black_box(value);
        },
    );
    report.notes.push(format!(
        "JSON-LD document: {} events, {} bytes",
        events.len(),
        document.len()
    ));
    report.figure(
        "JSON-LD read + validate",
        megabytes_per_second(document.len(), candidate.as_secs_f64()),
        "serde_json -> Value, same bytes",
        Some(megabytes_per_second(document.len(), baseline.as_secs_f64())),
        "MB/s",
        "at least half the baseline rate (ratio >= 0.5)",
        0.5,
        false,
    );
}

fn bench_xml(report: &mut Report, header: &anxin_epcis::Header, events: &[Event]) {
    let document = xml_document(header, events);
    let limits = Limits {
        max_document_bytes: u64::MAX,
        max_events: usize::MAX,
        ..Limits::DEFAULT
    };
    let (candidate, baseline) = best_of_interleaved(
        7,
        || {
            let mut sink = ValidatingSink::default();
            xml::read(document.as_slice(), &limits, &mut sink).expect("sample reads");
            assert_eq!(sink.n_problems, 0, "sample documents are valid");
        },
        || {
            let mut reader = quick_xml::Reader::from_reader(document.as_slice());
            let mut buffer = Vec::new();
            let mut n_events = 0usize;
            loop {
                match reader.read_event_into(&mut buffer).expect("valid XML") {
                    quick_xml::events::Event::Eof => break,
                    _ => n_events += 1,
                }
                buffer.clear();
            }
            std::hint::black_box(n_events);
        },
    );
    report.notes.push(format!(
        "XML document: {} events, {} bytes",
        events.len(),
        document.len()
    ));
    report.figure(
        "XML read + validate",
        megabytes_per_second(document.len(), candidate.as_secs_f64()),
        "quick-xml event iteration, same bytes",
        Some(megabytes_per_second(document.len(), baseline.as_secs_f64())),
        "MB/s",
        "at least half the baseline rate (ratio >= 0.5)",
        0.5,
        false,
    );
}

/// Runs the Python reference over a document and returns its wall time in seconds.
fn python_reference_seconds(python: &str, path: &std::path::Path) -> Option<f64> {
    let start = Instant::now();
    let output = Command::new(python)
        .args(["-m", "epcis_event_hash_generator"])
        .arg(path)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| start.elapsed().as_secs_f64())
}

fn bench_hash(report: &mut Report, header: &anxin_epcis::Header, events: &[Event]) {
    let mut hasher = hash::Hasher::new();
    let rounds = 5;
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let start = Instant::now();
        for event in events {
            std::hint::black_box(hasher.hash_id(event));
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let rust_rate = events.len() as f64 / best;

    // The reference pays its interpreter start-up once per file; time a one-event document
    // too and count only the difference, so the figure is its per-event rate.
    let python = std::env::var("BENCH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let reference_events = events
        .len()
        .min(env_number("BENCH_REFERENCE_EVENTS", 2000) as usize);
    let folder = std::env::temp_dir().join(format!("anxin-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("temp folder");
    let many = folder.join("many.jsonld");
    let one = folder.join("one.jsonld");
    std::fs::write(&many, json_document(header, &events[..reference_events])).expect("write");
    std::fs::write(&one, json_document(header, &events[..1])).expect("write");
    let baseline = match (
        python_reference_seconds(&python, &many),
        python_reference_seconds(&python, &one),
    ) {
        (Some(many_seconds), Some(one_seconds)) if many_seconds > one_seconds => {
            Some((reference_events - 1) as f64 / (many_seconds - one_seconds))
        }
        _ => {
            report.notes.push(format!(
                "the Python reference could not be run with `{python} -m epcis_event_hash_generator`; install it with `pip install epcis-event-hash-generator`"
            ));
            None
        }
    };
    let _ = std::fs::remove_dir_all(&folder);
    report.notes.push(format!(
        "hash: {} events in Rust, {reference_events} through the reference",
        events.len()
    ));
    report.figure(
        "event hash IDs, one core",
        rust_rate,
        "Python reference, same events",
        baseline,
        "events/s",
        "300x the reference or more (ratio >= 300)",
        300.0,
        false,
    );
}

/// The child process of the memory benchmark: streams one file and prints its peak RSS.
fn memory_child(path: &str) {
    let file = std::fs::File::open(path).expect("open the large document");
    let limits = Limits {
        max_document_bytes: u64::MAX,
        max_events: usize::MAX,
        ..Limits::DEFAULT
    };
    let mut sink = ValidatingSink::default();
    json::read(BufReader::new(file), &limits, &mut sink).expect("the large document reads");
    println!("{} {}", sink.n_events, peak_rss_bytes().unwrap_or(0));
}

fn bench_memory(report: &mut Report, header: &anxin_epcis::Header, events: &[Event]) {
    let target_mb = env_number("BENCH_LARGE_MB", 200);
    if target_mb == 0 {
        return;
    }
    let path =
        std::env::temp_dir().join(format!("anxin-bench-large-{}.jsonld", std::process::id()));
    let file = std::fs::File::create(&path).expect("create the large document");
    let mut writer = json::Writer::start(std::io::BufWriter::new(file), header).expect("write");
    let mut written_events = 0usize;
    let mut rng = SampleRng::new(99);
    // Reuse the sample events, then add fresh ones, until the file is big enough.
    let mut size_estimate = 0u64;
    let average = json_document(header, &events[..events.len().min(1000)]).len() as u64
        / events.len().min(1000) as u64;
    while size_estimate < target_mb * 1_000_000 {
        let event = if written_events < events.len() {
            events[written_events].clone()
        } else {
            sample::random_event(&mut rng)
        };
        writer.event(&event).expect("write");
        written_events += 1;
        size_estimate += average;
    }
    writer.finish().expect("write").flush().expect("flush");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let output = Command::new(std::env::current_exe().expect("own path"))
        .args(["--memory-child", path.to_str().expect("utf-8 temp path")])
        .output()
        .expect("run the memory child");
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&output.stdout);
    let mut numbers = text
        .split_whitespace()
        .filter_map(|n| n.parse::<u64>().ok());
    let (Some(n_events), Some(peak)) = (numbers.next(), numbers.next()) else {
        report.notes.push(format!(
            "memory child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
        return;
    };
    report.notes.push(format!(
        "large document: {size} bytes, {n_events} events, streamed from a file"
    ));
    report.figure(
        "peak memory, streaming validation of a large document",
        peak as f64 / 1_048_576.0,
        "the document's size",
        Some(size as f64 / 1_048_576.0),
        "MiB",
        "at most a tenth of the document (ratio <= 0.1)",
        0.1,
        true,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(position) = args.iter().position(|arg| arg == "--memory-child") {
        memory_child(&args[position + 1]);
        return;
    }
    if args.iter().any(|arg| arg == "--list") {
        // `cargo test --benches` asks for the list of benchmarks; this harness has one.
        println!("epcis: bench");
        return;
    }
    let n_events = env_number("BENCH_EVENTS", 20_000) as usize;
    let seed = env_number("BENCH_SEED", 1);
    let (header, events) = sample_events(n_events, seed);
    let mut report = Report::new("epcis");
    report.notes.push(format!(
        "seed {seed}; synthetic events from anxin_epcis::sample"
    ));
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || only.split(',').any(|part| part.trim() == name);
    if wanted("json") {
        bench_json(&mut report, &header, &events);
    }
    if wanted("xml") {
        bench_xml(&mut report, &header, &events);
    }
    if wanted("hash") {
        bench_hash(&mut report, &header, &events);
    }
    if wanted("memory") {
        bench_memory(&mut report, &header, &events);
    }
    match report.write() {
        Ok((json_path, md_path)) => {
            println!("report: {} and {}", json_path.display(), md_path.display());
        }
        Err(error) => eprintln!("could not write the report: {error}"),
    }
}

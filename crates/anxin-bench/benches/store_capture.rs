//! Capture throughput into each store backend, in EPC rows per second, beside a raw insert of
//! the same rows into the same database in the same run.
//!
//! - candidate: `Store::capture` of one document (hashing, JSON-LD bodies, de-duplication,
//!   index rows, master data, the job row, one transaction);
//! - baseline: the same event and index rows, already made, inserted as plainly as the
//!   database allows: one transaction of prepared INSERTs on SQLite, binary COPY on PostgreSQL.
//!
//! Goal: capture reaches at least half the raw rate. Rounds alternate candidate and baseline
//! and the best of each is reported. Knobs: `BENCH_EVENTS` (events per document, default
//! 5000, each naming 10 EPCs), `BENCH_ROUNDS` (default 3), `ANXIN_TEST_PG` (the PostgreSQL
//! figures are measured only when it is set, in a schema of their own that is dropped after).

use std::time::Duration;

use anxin_bench::Report;
use anxin_bench::raw::{postgres_raw, sqlite_raw};
use anxin_bench::store::{admin, capture_timed as capture};
use anxin_epcis::Event;
use anxin_store::now_ms;
use anxin_store::prepare::{PreparedEvent, prepare_for_store};
use anxin_store_tests::fixtures;

const EPCS_PER_EVENT: u32 = 10;

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// A document whose events name serials from `base`; each round uses fresh serials so
/// nothing is a duplicate.
fn events(base: u32, n_events: u32) -> Vec<Event> {
    (0..n_events)
        .map(|event_idx| {
            fixtures::commissioning(
                base + event_idx * EPCS_PER_EVENT,
                EPCS_PER_EVENT,
                "2026-03-01T08:00:00+08:00",
            )
        })
        .collect()
}

fn prepared(events: Vec<Event>) -> Vec<PreparedEvent> {
    let mut hasher = anxin_epcis::hash::Hasher::new();
    let now = now_ms();
    events
        .into_iter()
        .map(|event| prepare_for_store(event, now, &mut hasher).expect("prepare"))
        .collect()
}

fn add_figures(
    report: &mut Report,
    backend: &str,
    n_rows: u64,
    best_capture: Duration,
    best_raw: Duration,
    raw_name: &str,
) {
    let rate = |elapsed: Duration| n_rows as f64 / elapsed.as_secs_f64();
    report.figure(
        &format!("capture into {backend} (EPC rows/s)"),
        rate(best_capture),
        raw_name,
        Some(rate(best_raw)),
        "EPC rows/s",
        "capture reaches at least half the raw insert rate",
        0.5,
        false,
    );
}

fn bench_sqlite(
    runtime: &tokio::runtime::Runtime,
    report: &mut Report,
    n_events: u32,
    rounds: u32,
) {
    let folder = std::env::temp_dir().join(format!("anxin-bench-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let path = folder.join("bench.db");
    let store = runtime
        .block_on(anxin_store_sqlite::SqliteStore::open(&path))
        .expect("open");
    let viewer = runtime.block_on(admin(&store));
    let mut raw = rusqlite::Connection::open(&path).expect("raw connection");
    raw.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;",
    )
    .expect("pragmas");
    let (mut best_capture, mut best_raw) = (Duration::MAX, Duration::MAX);
    for round in 0..rounds {
        let base = 1_000_000 + round * 2 * n_events * EPCS_PER_EVENT;
        best_capture =
            best_capture.min(runtime.block_on(capture(&store, &viewer, events(base, n_events))));
        let rows = prepared(events(base + n_events * EPCS_PER_EVENT, n_events));
        best_raw = best_raw.min(sqlite_raw(&mut raw, &rows));
    }
    add_figures(
        report,
        "SQLite",
        u64::from(n_events * EPCS_PER_EVENT),
        best_capture,
        best_raw,
        "raw prepared INSERTs, one transaction",
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

fn bench_postgres(
    runtime: &tokio::runtime::Runtime,
    report: &mut Report,
    url: &str,
    n_events: u32,
    rounds: u32,
) {
    let schema = format!("anxin_bench_{}", std::process::id());
    let store = runtime
        .block_on(anxin_store_postgres::PgStore::open(url, Some(&schema)))
        .expect("open");
    let viewer = runtime.block_on(admin(&store));
    let mut config: tokio_postgres::Config = url.parse().expect("url");
    config.options(format!("-c search_path={schema}"));
    let (mut client, connection) = runtime
        .block_on(config.connect(tokio_postgres::NoTls))
        .expect("connect");
    runtime.spawn(connection);
    let (mut best_capture, mut best_raw) = (Duration::MAX, Duration::MAX);
    for round in 0..rounds {
        let base = 1_000_000 + round * 2 * n_events * EPCS_PER_EVENT;
        best_capture =
            best_capture.min(runtime.block_on(capture(&store, &viewer, events(base, n_events))));
        let rows = prepared(events(base + n_events * EPCS_PER_EVENT, n_events));
        best_raw = best_raw.min(runtime.block_on(postgres_raw(&mut client, &rows)));
    }
    add_figures(
        report,
        "PostgreSQL",
        u64::from(n_events * EPCS_PER_EVENT),
        best_capture,
        best_raw,
        "raw binary COPY, one transaction",
    );
    runtime.block_on(store.drop_schema()).expect("drop schema");
}

fn main() {
    let n_events = env_number("BENCH_EVENTS", 5000);
    let rounds = env_number("BENCH_ROUNDS", 3);
    let runtime = anxin_bench::runtime();
    let mut report = Report::new("store_capture");
    report.notes.push(format!("{n_events} events per document, {EPCS_PER_EVENT} EPCs each; best of {rounds} interleaved rounds"));
    bench_sqlite(&runtime, &mut report, n_events, rounds);
    match std::env::var("ANXIN_TEST_PG") {
        Ok(url) => bench_postgres(&runtime, &mut report, &url, n_events, rounds),
        Err(_) => report
            .notes
            .push("PostgreSQL not measured: ANXIN_TEST_PG is not set".into()),
    }
    let (json, markdown) = report.write().expect("write the report");
    println!("report: {} and {}", json.display(), markdown.display());
}

//! The ledger's cost, each figure beside a baseline measured in the same run.
//!
//! - Capture with the ledger against capture without it (a store opened with
//!   `without_ledger_benchmark_baseline`, which exists for this comparison only), same
//!   documents, rounds interleaved, best of each: goal within 10 % (ratio ≥ 0.9), on SQLite
//!   and, when `ANXIN_TEST_PG` is set, PostgreSQL; there also with four clients capturing at
//!   once, where the ledger's table lock makes their commits take turns.
//! - An inclusion proof from the in-memory tree at `BENCH_LEDGER_LEAVES` leaves (default one
//!   million; the size is one more than a power of two's multiple so the right edge is
//!   ragged), beside checking the same proof (`verify_inclusion`, what a client does): goal
//!   at most 1 ms per proof, held as an absolute figure in the notes.
//! - `Ledger::inclusion` end to end on the SQLite store the capture rounds filled (finding
//!   the event's leaf, signing no new head, building the JSON), beside `get_event` of the
//!   same event.
//!
//! Knobs: `BENCH_EVENTS` (events per document, default 2000, 10 EPCs each), `BENCH_ROUNDS`
//! (default 5), `BENCH_LEDGER_LEAVES`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anxin_bench::Report;
use anxin_bench::store::{admin, capture_timed as capture};
use anxin_epcis::Event;
use anxin_ledger::tree::{Hash, Tree, leaf_hash, verify_inclusion};
use anxin_store::{Store, Viewer};
use anxin_store_tests::fixtures;

const EPCS_PER_EVENT: u32 = 10;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn events(base: u32, n_events: u32) -> Vec<Event> {
    (0..n_events)
        .map(|i| {
            fixtures::commissioning(
                base + i * EPCS_PER_EVENT,
                EPCS_PER_EVENT,
                "2026-03-01T08:00:00+08:00",
            )
        })
        .collect()
}

/// Interleaved rounds of capture into `with` and `without`; the best of each.
fn capture_rounds(
    runtime: &tokio::runtime::Runtime,
    with: &dyn Store,
    without: &dyn Store,
    n_events: u32,
    rounds: u32,
) -> (Duration, Duration) {
    let (viewer_with, viewer_without) =
        runtime.block_on(async { (admin(with).await, admin(without).await) });
    let (mut best_with, mut best_without) = (Duration::MAX, Duration::MAX);
    for round in 0..rounds {
        let base = 1_000_000 + round * n_events * EPCS_PER_EVENT;
        // Alternate which goes first, so neither always meets a warmer cache.
        if round % 2 == 0 {
            best_with = best_with.min(runtime.block_on(capture(
                with,
                &viewer_with,
                events(base, n_events),
            )));
            best_without = best_without.min(runtime.block_on(capture(
                without,
                &viewer_without,
                events(base, n_events),
            )));
        } else {
            best_without = best_without.min(runtime.block_on(capture(
                without,
                &viewer_without,
                events(base, n_events),
            )));
            best_with = best_with.min(runtime.block_on(capture(
                with,
                &viewer_with,
                events(base, n_events),
            )));
        }
    }
    (best_with, best_without)
}

fn add_capture_figure(
    report: &mut Report,
    backend: &str,
    n_events: u32,
    with: Duration,
    without: Duration,
) {
    let rate = |took: Duration| f64::from(n_events) / took.as_secs_f64();
    report.figure(
        &format!("{backend}: capture with the ledger"),
        rate(with),
        "capture without the ledger",
        Some(rate(without)),
        "events/s",
        "within 10% of capture without the ledger (ratio ≥ 0.9)",
        0.9,
        false,
    );
}

fn bench_capture_sqlite(
    runtime: &tokio::runtime::Runtime,
    report: &mut Report,
    n_events: u32,
    rounds: u32,
) -> (anxin_store_sqlite::SqliteStore, std::path::PathBuf) {
    let folder = std::env::temp_dir().join(format!("anxin-bench-ledger-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let (with, without) = runtime.block_on(async {
        let with = anxin_store_sqlite::SqliteStore::open(folder.join("with.db"))
            .await
            .expect("open");
        let without = anxin_store_sqlite::SqliteStore::open(folder.join("without.db"))
            .await
            .expect("open")
            .without_ledger_benchmark_baseline();
        (with, without)
    });
    let (best_with, best_without) = capture_rounds(runtime, &with, &without, n_events, rounds);
    add_capture_figure(report, "SQLite", n_events, best_with, best_without);
    (with, folder)
}

/// Four clients capture a quarter of `n_events` each at the same moment; the wall time
/// until all have committed.
async fn concurrent_capture(
    store: Arc<dyn Store>,
    viewer: &Viewer,
    base: u32,
    n_events: u32,
) -> Duration {
    const CLIENTS: u32 = 4;
    let per = n_events / CLIENTS;
    let start = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (store, viewer) = (Arc::clone(&store), viewer.clone());
            let documents = events(base + client * per * EPCS_PER_EVENT, per);
            tokio::spawn(async move { capture(&*store, &viewer, documents).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("client");
    }
    start.elapsed()
}

fn concurrent_rounds(
    runtime: &tokio::runtime::Runtime,
    with: Arc<dyn Store>,
    without: Arc<dyn Store>,
    n_events: u32,
    rounds: u32,
) -> (Duration, Duration) {
    let (viewer_with, viewer_without) =
        runtime.block_on(async { (admin(&*with).await, admin(&*without).await) });
    let (mut best_with, mut best_without) = (Duration::MAX, Duration::MAX);
    for round in 0..rounds {
        let base = 50_000_000 + round * n_events * EPCS_PER_EVENT;
        let with_time = runtime.block_on(concurrent_capture(
            with.clone(),
            &viewer_with,
            base,
            n_events,
        ));
        let without_time = runtime.block_on(concurrent_capture(
            without.clone(),
            &viewer_without,
            base,
            n_events,
        ));
        best_with = best_with.min(with_time);
        best_without = best_without.min(without_time);
    }
    (best_with, best_without)
}

fn bench_capture_postgres(
    runtime: &tokio::runtime::Runtime,
    report: &mut Report,
    url: &str,
    n_events: u32,
    rounds: u32,
) {
    let id = std::process::id();
    let (with, without) = runtime.block_on(async {
        let with = anxin_store_postgres::PgStore::open(
            url,
            Some(&format!("anxin_bench_ledger_with_{id}")),
        )
        .await
        .expect("open");
        let without = anxin_store_postgres::PgStore::open(
            url,
            Some(&format!("anxin_bench_ledger_without_{id}")),
        )
        .await
        .expect("open")
        .without_ledger_benchmark_baseline();
        (with, without)
    });
    let (best_with, best_without) = capture_rounds(runtime, &with, &without, n_events, rounds);
    add_capture_figure(report, "PostgreSQL", n_events, best_with, best_without);
    // Concurrent captures wait for each other on the ledger's table lock; without the
    // ledger they do not.
    let (best_with, best_without) = concurrent_rounds(
        runtime,
        Arc::new(with.clone()),
        Arc::new(without.clone()),
        n_events,
        rounds,
    );
    add_capture_figure(
        report,
        "PostgreSQL, 4 clients at once",
        n_events,
        best_with,
        best_without,
    );
    runtime.block_on(async {
        with.drop_schema().await.expect("drop");
        without.drop_schema().await.expect("drop");
    });
}

/// A small deterministic generator (xorshift64*), so the indexes are the same every run.
struct Indexes(u64);

impl Indexes {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % below
    }
}

fn bench_proofs(report: &mut Report, n_leaves: u64) {
    let built = Instant::now();
    let mut tree = Tree::new();
    for i in 0..n_leaves {
        tree.push(leaf_hash(&i.to_be_bytes()));
    }
    let build_time = built.elapsed();
    let size = tree.size();
    let root = tree.root(size).expect("root");
    let mut picks = Indexes(20261126);
    let indexes: Vec<u64> = (0..20_000).map(|_| picks.next(size)).collect();
    let proofs: Vec<(u64, Hash, Vec<Hash>)> = indexes
        .iter()
        .map(|&i| {
            (
                i,
                tree.leaf(i).expect("leaf"),
                tree.inclusion_proof(i, size).expect("proof"),
            )
        })
        .collect();
    let (mut best_prove, mut best_check) = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        let start = Instant::now();
        let mut hashes = 0usize;
        for &i in &indexes {
            hashes += tree.inclusion_proof(i, size).expect("proof").len();
        }
        best_prove = best_prove.min(start.elapsed());
        std::hint::black_box(hashes);
        let start = Instant::now();
        for (i, leaf, path) in &proofs {
            assert!(verify_inclusion(leaf, *i, size, path, &root));
        }
        best_check = best_check.min(start.elapsed());
    }
    let per = |took: Duration| took.as_secs_f64() * 1e6 / indexes.len() as f64;
    report.observation(
        &format!("inclusion proof at {size} leaves (in memory)"),
        per(best_prove),
        "verifying the same proof",
        per(best_check),
        "µs/proof",
    );
    let prove_us = per(best_prove);
    report.notes.push(format!(
        "inclusion proof at {size} leaves: {prove_us:.1} µs mean over {} random leaves (goal ≤ 1000 µs: {})",
        indexes.len(),
        if prove_us <= 1000.0 { "met" } else { "MISSED" }
    ));
    report.notes.push(format!(
        "tree memory: {:.1} bytes per leaf ({} MiB for {size} leaves); built from leaf hashes in {:.2} s",
        tree.hash_bytes() as f64 / size as f64,
        tree.hash_bytes() / (1024 * 1024),
        build_time.as_secs_f64()
    ));
}

fn bench_endpoint(
    runtime: &tokio::runtime::Runtime,
    report: &mut Report,
    store: anxin_store_sqlite::SqliteStore,
) {
    let store: Arc<dyn Store> = Arc::new(store);
    // Everything, the store included, is dropped inside the runtime (its pool needs one).
    runtime.block_on(async move {
        let viewer = admin(&*store).await;
        let ledger = anxin_server::ledger::Ledger::open(
            store.clone(),
            anxin_ledger::LogKey::from_seed([9; 32]),
        )
        .await
        .expect("ledger");
        let size = ledger.catch_up().await.expect("size");
        let ids: Vec<String> = store
            .ledger_audit_rows(0, u32::MAX)
            .await
            .expect("rows")
            .into_iter()
            .map(|(leaf, _)| leaf.entry.hash_id)
            .collect();
        let mut picks = Indexes(7);
        let chosen: Vec<&String> = (0..500)
            .map(|_| &ids[picks.next(ids.len() as u64) as usize])
            .collect();
        ledger.tree_head().await.expect("head");
        let (mut best_proof, mut best_get) = (Duration::MAX, Duration::MAX);
        for _ in 0..3 {
            let start = Instant::now();
            for id in &chosen {
                std::hint::black_box(ledger.inclusion(id).await.expect("proof"));
            }
            best_proof = best_proof.min(start.elapsed());
            let start = Instant::now();
            for id in &chosen {
                std::hint::black_box(store.get_event(&viewer, id).await.expect("event"));
            }
            best_get = best_get.min(start.elapsed());
        }
        let per = |took: Duration| took.as_secs_f64() * 1e6 / chosen.len() as f64;
        report.observation(
            &format!("Ledger::inclusion, SQLite, {size} leaves"),
            per(best_proof),
            "get_event of the same event",
            per(best_get),
            "µs/proof",
        );
    });
}

fn main() {
    let n_events = env_number("BENCH_EVENTS", 2000) as u32;
    let rounds = env_number("BENCH_ROUNDS", 5) as u32;
    let n_leaves = env_number("BENCH_LEDGER_LEAVES", 1_000_003);
    let runtime = anxin_bench::runtime();
    let mut report = Report::new("ledger");
    report.notes.push(format!(
        "capture: {n_events} events per document, {EPCS_PER_EVENT} EPCs each; best of {rounds} interleaved rounds"
    ));
    let (store, folder) = bench_capture_sqlite(&runtime, &mut report, n_events, rounds);
    match std::env::var("ANXIN_TEST_PG") {
        Ok(url) => bench_capture_postgres(&runtime, &mut report, &url, n_events, rounds),
        Err(_) => report
            .notes
            .push("PostgreSQL not measured: ANXIN_TEST_PG is not set".into()),
    }
    bench_endpoint(&runtime, &mut report, store);
    bench_proofs(&mut report, n_leaves);
    let _ = std::fs::remove_dir_all(&folder);
    let (json, markdown) = report.write().expect("write the report");
    println!("report: {} and {}", json.display(), markdown.display());
}

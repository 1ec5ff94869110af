//! Trace graph benchmarks (issue 5, the in-memory part), each beside a baseline from the same
//! run:
//!
//! - build rate: events applied to `TraceGraph` per second, against generating the same
//!   events (the cost a caller pays anyway, before reading them from a store);
//! - forward recall from one ingredient lot that reaches at least 500,000 cans
//!   (`TraceGraph::recall`: the walk, every can's state at "now", its channel and holder
//!   group), against merely grouping the same number of already-answered cans by holder from
//!   a flat `Vec` (the least work any recall answer does); the goal of 100 ms is absolute;
//! - backward trace of one can to every farm and ingredient lot, against the same trace in a
//!   world 100 times smaller (the figure should not grow with the world); goal 5 ms absolute;
//! - heap bytes per can, against the bytes of the cans' canonical identifiers alone.
//!
//! The world is `anxin_bench::world` (ingredient lots, finished lots, cases, pallets,
//! distributors, shops, exports; see its header), applied straight to the graph. The same
//! world captured into SQLite and PostgreSQL, with the recursive-CTE baseline, is
//! `benches/recall_store.rs`.
//!
//! Knobs: `BENCH_TRACE_CANS` (default 10,000,000), `BENCH_ROUNDS` (default 5).
//! Run with `cargo bench -p anxin-bench --bench trace`; the report goes to
//! `target/bench-report/trace.*`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anxin_bench::world::{CANS_PER_LOT, Ids, T0, directory, generate};
use anxin_bench::{Report, best_of_interleaved, on_cpu_ns, peak_rss_bytes};
use anxin_epcis::Term;
use anxin_trace::recall::{RecallOptions, RecallScope};
use anxin_trace::{StoredFacts, TraceGraph};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Builds the graph; returns it, the events applied, the time spent in `apply`, and the
/// bytes of the cans' canonical identifiers.
fn build(n_cans: u64) -> (TraceGraph, u64, Duration, u64) {
    let mut graph = TraceGraph::new();
    let mut seq = 0u64;
    let mut in_apply = Duration::ZERO;
    let mut id_bytes = 0u64;
    generate(n_cans, |event, party| {
        seq += 1;
        if event.biz_step == Some(Term::Standard("commissioning")) {
            id_bytes += event.epc_list.iter().map(|e| e.len() as u64).sum::<u64>();
        }
        let hash = format!("ni:///sha-256;{seq:064x}?ver=CBV2.0");
        let party = Ids::gln(party);
        let facts = StoredFacts {
            event: &event,
            event_seq: seq,
            record_time_ms: event.event_time.unix_millis(),
            hash_id: &hash,
            party_gln: Some(&party),
        };
        let start = Instant::now();
        graph.apply(&facts).expect("generated events apply");
        in_apply += start.elapsed();
    });
    (graph, seq, in_apply, id_bytes)
}

fn main() {
    let n_cans = env_number("BENCH_TRACE_CANS", 10_000_000);
    let rounds = env_number("BENCH_ROUNDS", 5) as usize;
    let mut report = Report::new("trace");
    report.notes.push(format!(
        "{n_cans} cans; the bench's own generator (see the file header); best of {rounds} interleaved rounds"
    ));

    // Generating alone, for the build-rate baseline.
    let start = Instant::now();
    let mut n_generated = 0u64;
    generate(n_cans, |event, _| {
        n_generated += 1;
        std::hint::black_box(&event);
    });
    let generate_time = start.elapsed();

    let (graph, n_events, apply_time, id_bytes) = build(n_cans);
    assert_eq!(n_events, n_generated);
    report.notes.push(format!(
        "{n_events} events, {} nodes; building took {:.1} s in apply",
        graph.node_count(),
        apply_time.as_secs_f64()
    ));
    report.observation(
        "build rate (TraceGraph::apply)",
        n_events as f64 / apply_time.as_secs_f64(),
        "generating the same events",
        n_generated as f64 / generate_time.as_secs_f64(),
        "events/s",
    );

    let heap_grown = graph.heap_bytes() as f64;
    let mut graph = graph;
    let start = Instant::now();
    graph.compact();
    let compact_time = start.elapsed();
    let graph = graph;
    let heap = graph.heap_bytes() as f64;
    report.notes.push(format!(
        "heap per can {:.1} bytes as grown by apply, {:.1} after TraceGraph::compact ({:.1} s); the queries below run on the compacted graph",
        heap_grown / n_cans as f64,
        heap / n_cans as f64,
        compact_time.as_secs_f64()
    ));
    report.observation(
        "trace graph heap per can",
        heap / n_cans as f64,
        "the cans' identifier bytes alone",
        id_bytes as f64 / n_cans as f64,
        "bytes",
    );
    if let Some(rss) = peak_rss_bytes() {
        report.notes.push(format!(
            "peak RSS {:.2} GiB; graph heap {:.2} GiB",
            rss as f64 / (1u64 << 30) as f64,
            heap / (1u64 << 30) as f64
        ));
    }

    // Forward recall from premix lot PM0.
    let parties = directory();
    let scope = RecallScope::Identifiers {
        ids: vec![Ids::class(903, "PM0")],
    };
    let now = T0 + 365 * 86_400_000;
    let recall = graph
        .recall(&scope, now, &parties, RecallOptions::default())
        .expect("recall");
    let n_recalled = recall.can_count();
    report.notes.push(format!(
        "recall from premix lot PM0 reaches {n_recalled} cans; per channel {:?}",
        recall.channel_counts()
    ));
    drop(recall);
    let flat: Vec<(u32, u8)> = (0..n_recalled as u32)
        .map(|i| (i % 600, (i % 7) as u8))
        .collect();
    let (recall_time, flat_time) = best_of_interleaved(
        rounds,
        || {
            let recall = graph
                .recall(&scope, now, &parties, RecallOptions::default())
                .expect("recall");
            std::hint::black_box(recall.can_count());
        },
        || {
            let mut groups: HashMap<u32, [usize; 7]> = HashMap::new();
            for &(holder, channel) in std::hint::black_box(&flat) {
                groups.entry(holder).or_insert([0; 7])[channel as usize] += 1;
            }
            std::hint::black_box(groups.len());
        },
    );
    // The goal is absolute (at most 100 ms), so it is judged in the notes below.
    report.observation(
        &format!("forward recall, {n_recalled} cans"),
        recall_time.as_secs_f64() * 1e3,
        "grouping as many answered cans from a flat Vec",
        flat_time.as_secs_f64() * 1e3,
        "ms",
    );
    if let Some(before) = on_cpu_ns() {
        let start = Instant::now();
        for _ in 0..rounds {
            let recall = graph
                .recall(&scope, now, &parties, RecallOptions::default())
                .expect("recall");
            std::hint::black_box(recall.can_count());
        }
        let wall = start.elapsed().as_secs_f64() * 1e3 / rounds as f64;
        if let Some(after) = on_cpu_ns() {
            report.notes.push(format!(
                "forward recall on-CPU time {:.1} ms per recall (mean of {rounds}; wall clock {wall:.1} ms): the share of the wall-clock figure this process actually ran",
                (after - before) as f64 / 1e6 / rounds as f64
            ));
        }
    }
    let start = Instant::now();
    let recall = graph
        .recall(&scope, now, &parties, RecallOptions::default())
        .expect("recall");
    let full = recall.report(&parties);
    report.notes.push(format!(
        "recall written out with names (Recall::report, {} cans, {} holders): {:.0} ms more",
        full.cans.len(),
        full.holders.len(),
        start.elapsed().as_secs_f64() * 1e3 - recall_time.as_secs_f64() * 1e3
    ));
    drop(full);
    drop(recall);

    // Backward trace of one can, here and in a world 100 times smaller.
    let (mut small, _, _, _) = build((n_cans / 100).max(CANS_PER_LOT));
    small.compact();
    let ids = Ids::new();
    let can_id = ids.can(n_cans / 2);
    let small_can = ids.can((n_cans / 100).max(CANS_PER_LOT) / 2);
    let links = graph.backward(&can_id).expect("backward").links.len();
    let (back_time, small_time) = best_of_interleaved(
        rounds * 20,
        || {
            std::hint::black_box(graph.backward(&can_id).expect("backward"));
        },
        || {
            std::hint::black_box(small.backward(&small_can).expect("backward"));
        },
    );
    report.observation(
        &format!("backward trace of one can ({links} links)"),
        back_time.as_secs_f64() * 1e6,
        "the same in a world 100× smaller",
        small_time.as_secs_f64() * 1e6,
        "µs",
    );
    report.notes.push(format!(
        "goals, absolute: recall {:.1} ms (≤ 100 ms: {}), backward {:.3} ms (≤ 5 ms: {})",
        recall_time.as_secs_f64() * 1e3,
        if recall_time.as_millis() <= 100 {
            "met"
        } else {
            "MISSED"
        },
        back_time.as_secs_f64() * 1e3,
        if back_time.as_secs_f64() <= 0.005 {
            "met"
        } else {
            "MISSED"
        },
    ));

    let (json, markdown) = report.write().expect("write the report");
    println!("report: {} and {}", json.display(), markdown.display());
}

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
//! The world is this file's own generator, not the simulator's (which replaces it later):
//! raw milk from 100 farms, base powder from 8 raw-milk lots each, finished lots of 12,000
//! cans from one base-powder lot, one premix lot (each premix lot feeds 48 finished lots) and
//! one lactose lot; cans 12 to a case, cases 50 to a pallet; every pallet shipped to one of
//! 50 distributors and received; 40% of pallets unpacked there and their cases shipped on to
//! 500 shops, received, and half of each case sold; 5% of pallets exported through a bonded
//! warehouse. The recursive-CTE SQL baseline needs the store and is not here yet.
//!
//! Knobs: `BENCH_TRACE_CANS` (default 10,000,000), `BENCH_ROUNDS` (default 5).
//! Run with `cargo bench -p anxin-bench --bench trace`; the report goes to
//! `target/bench-report/trace.*`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anxin_bench::{Report, best_of_interleaved, peak_rss_bytes};
use anxin_epcis::{
    Action, EpcisTime, Event, EventType, ExtValue, Extension, Location, QName, QuantityElement,
    SourceDest, Term, TimeZoneOffset,
};
use anxin_trace::recall::{PartyInfo, PartyKind, RecallOptions, RecallScope};
use anxin_trace::{StoredFacts, TraceGraph};

const CANS_PER_CASE: u64 = 12;
const CASES_PER_PALLET: u64 = 50;
const CANS_PER_LOT: u64 = 12_000;
const LOTS_PER_BASE: u64 = 5;
const LOTS_PER_PREMIX: u64 = 48;
const LACTOSE_LOTS: u64 = 30;
const RAW_PER_BASE: u64 = 8;
const FARMS: u64 = 100;
const DISTRIBUTORS: u64 = 50;
const SHOPS: u64 = 500;
const FACTORY: u64 = 1;
const BONDED: u64 = 2;
const T0: i64 = 1_780_000_000_000;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn with_check(body: &str) -> String {
    format!("{body}{}", anxin_gs1::check_digit(body))
}

struct Ids {
    can_gtin: String,
}

impl Ids {
    fn new() -> Ids {
        Ids {
            can_gtin: with_check("0690123000001"),
        }
    }
    fn can(&self, n: u64) -> String {
        format!("https://id.gs1.org/01/{}/21/{n}", self.can_gtin)
    }
    fn class(product: u64, lot: &str) -> String {
        format!(
            "https://id.gs1.org/01/{}/10/{lot}",
            with_check(&format!("0690123{:06}", product))
        )
    }
    fn sscc(n: u64) -> String {
        format!(
            "https://id.gs1.org/00/{}",
            with_check(&format!("0690123{:010}", n))
        )
    }
    fn gln(n: u64) -> String {
        with_check(&format!("690124{:06}", n))
    }
    fn site(n: u64) -> Location {
        Location {
            id: format!("https://id.gs1.org/414/{}", Ids::gln(n)),
            extensions: Vec::new(),
        }
    }
}

fn event(event_type: EventType, time_ms: i64) -> Event {
    let instant = jiff::Timestamp::from_millisecond(time_ms).expect("time in range");
    let offset = jiff::tz::Offset::constant(8);
    Event::new(
        event_type,
        EpcisTime { instant, offset },
        TimeZoneOffset(offset),
    )
}

fn kg(class: String, quantity: f64) -> QuantityElement {
    QuantityElement {
        epc_class: class,
        quantity: Some(quantity),
        uom: Some("KGM".to_owned()),
    }
}

fn ship(time_ms: i64, epcs: Vec<String>, from: u64, to: u64) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Observe);
    e.biz_step = Some(Term::Standard("shipping"));
    e.disposition = Some(Term::Standard("in_transit"));
    e.epc_list = epcs;
    e.read_point = Some(Ids::site(from));
    e.source_list = vec![SourceDest {
        kind: Term::Standard("owning_party"),
        id: format!("https://id.gs1.org/417/{}", Ids::gln(from)),
    }];
    e.destination_list = vec![SourceDest {
        kind: Term::Standard("owning_party"),
        id: format!("https://id.gs1.org/417/{}", Ids::gln(to)),
    }];
    e
}

fn observe(
    time_ms: i64,
    epcs: Vec<String>,
    at: u64,
    step: &'static str,
    disp: &'static str,
) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Observe);
    e.biz_step = Some(Term::Standard(step));
    e.disposition = Some(Term::Standard(disp));
    e.epc_list = epcs;
    e.biz_location = Some(Ids::site(at));
    e
}

/// Generates the world lot by lot, handing each event (with its capturing party) to `sink`.
fn generate(n_cans: u64, mut sink: impl FnMut(Event, u64)) {
    let ids = Ids::new();
    let n_lots = n_cans.div_ceil(CANS_PER_LOT);
    let mut t = T0;
    let mut next_can = 0u64;
    let mut next_sscc = 0u64;
    for lot in 0..n_lots {
        t += 3_600_000;
        if lot % LOTS_PER_BASE == 0 {
            let base = lot / LOTS_PER_BASE;
            let mut inputs = Vec::new();
            for r in 0..RAW_PER_BASE {
                let farm = 100 + (base * RAW_PER_BASE + r) % FARMS;
                let raw = Ids::class(900, &format!("RM{base}-{r}"));
                let mut e = event(EventType::ObjectEvent, t - 86_400_000);
                e.action = Some(Action::Add);
                e.biz_step = Some(Term::Standard("commissioning"));
                e.quantity_list = vec![kg(raw.clone(), 20_000.0)];
                e.biz_location = Some(Ids::site(farm));
                sink(e, farm);
                inputs.push(kg(raw, 20_000.0));
            }
            let mut e = event(EventType::TransformationEvent, t - 43_200_000);
            e.input_quantity_list = inputs;
            e.output_quantity_list = vec![kg(Ids::class(902, &format!("BP{base}")), 25_000.0)];
            e.biz_location = Some(Ids::site(FACTORY));
            sink(e, FACTORY);
        }
        let lot_number = format!("L{lot}");
        let mut e = event(EventType::TransformationEvent, t);
        e.input_quantity_list = vec![
            kg(
                Ids::class(902, &format!("BP{}", lot / LOTS_PER_BASE)),
                4_800.0,
            ),
            kg(
                Ids::class(903, &format!("PM{}", lot / LOTS_PER_PREMIX)),
                50.0,
            ),
            kg(
                Ids::class(904, &format!("LA{}", lot % LACTOSE_LOTS)),
                1_000.0,
            ),
        ];
        e.output_quantity_list = vec![kg(Ids::class(1, &lot_number), 9_600.0)];
        e.biz_location = Some(Ids::site(FACTORY));
        sink(e, FACTORY);
        let cans_in_lot = CANS_PER_LOT.min(n_cans - next_can);
        let pallet_cans = CANS_PER_CASE * CASES_PER_PALLET;
        let mut done = 0;
        while done < cans_in_lot {
            t += 60_000;
            let n = pallet_cans.min(cans_in_lot - done);
            let cans: Vec<String> = (next_can..next_can + n).map(|c| ids.can(c)).collect();
            next_can += n;
            done += n;
            let mut e = event(EventType::ObjectEvent, t);
            e.action = Some(Action::Add);
            e.biz_step = Some(Term::Standard("commissioning"));
            e.disposition = Some(Term::Standard("active"));
            e.epc_list = cans.clone();
            e.ilmd = Some(vec![Extension {
                name: QName::new("urn:epcglobal:cbv:mda:", "lotNumber"),
                value: ExtValue::Text(lot_number.clone()),
                attributes: Vec::new(),
            }]);
            e.biz_location = Some(Ids::site(FACTORY));
            sink(e, FACTORY);
            let mut cases = Vec::new();
            for chunk in cans.chunks(CANS_PER_CASE as usize) {
                let case = Ids::sscc(next_sscc);
                next_sscc += 1;
                let mut e = event(EventType::AggregationEvent, t + 1_000);
                e.action = Some(Action::Add);
                e.biz_step = Some(Term::Standard("packing"));
                e.parent_id = Some(case.clone());
                e.child_epcs = chunk.to_vec();
                e.biz_location = Some(Ids::site(FACTORY));
                sink(e, FACTORY);
                cases.push((case, chunk.to_vec()));
            }
            let pallet = Ids::sscc(next_sscc);
            next_sscc += 1;
            let mut e = event(EventType::AggregationEvent, t + 2_000);
            e.action = Some(Action::Add);
            e.biz_step = Some(Term::Standard("packing"));
            e.parent_id = Some(pallet.clone());
            e.child_epcs = cases.iter().map(|(c, _)| c.clone()).collect();
            e.biz_location = Some(Ids::site(FACTORY));
            sink(e, FACTORY);
            let pallet_no = next_sscc;
            let route = pallet_no % 20;
            if route == 0 {
                sink(
                    ship(t + 3_600_000, vec![pallet.clone()], FACTORY, BONDED),
                    FACTORY,
                );
                sink(
                    observe(
                        t + 7_200_000,
                        vec![pallet],
                        BONDED,
                        "receiving",
                        "sellable_not_accessible",
                    ),
                    BONDED,
                );
                continue;
            }
            let distributor = 1_000 + pallet_no % DISTRIBUTORS;
            sink(
                ship(t + 3_600_000, vec![pallet.clone()], FACTORY, distributor),
                FACTORY,
            );
            sink(
                observe(
                    t + 7_200_000,
                    vec![pallet.clone()],
                    distributor,
                    "receiving",
                    "sellable_not_accessible",
                ),
                distributor,
            );
            if route < 9 {
                let mut e = event(EventType::AggregationEvent, t + 10_800_000);
                e.action = Some(Action::Delete);
                e.biz_step = Some(Term::Standard("unpacking"));
                e.parent_id = Some(pallet);
                e.biz_location = Some(Ids::site(distributor));
                sink(e, distributor);
                for (k, (case, cans)) in cases.into_iter().enumerate() {
                    let shop = 10_000 + (pallet_no * 7 + k as u64) % SHOPS;
                    sink(
                        ship(t + 14_400_000, vec![case.clone()], distributor, shop),
                        distributor,
                    );
                    sink(
                        observe(
                            t + 18_000_000,
                            vec![case],
                            shop,
                            "receiving",
                            "sellable_accessible",
                        ),
                        shop,
                    );
                    let sold = cans[..cans.len() / 2].to_vec();
                    sink(
                        observe(t + 86_400_000, sold, shop, "retail_selling", "retail_sold"),
                        shop,
                    );
                }
            }
        }
    }
}

/// Nanoseconds this thread has spent on a CPU (`/proc/thread-self/schedstat`, Linux): on a
/// shared machine the wall clock also counts the time other processes had the core.
fn on_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn directory() -> HashMap<String, PartyInfo> {
    let mut parties = HashMap::new();
    let mut add = |n: u64, kind: PartyKind| {
        parties.insert(
            Ids::gln(n),
            PartyInfo {
                name: format!("party {n}"),
                region: "110000".to_owned(),
                contact: format!("+86 10 {n:08}"),
                kind,
            },
        );
    };
    add(FACTORY, PartyKind::Manufacturer);
    add(BONDED, PartyKind::BondedWarehouse);
    for d in 0..DISTRIBUTORS {
        add(1_000 + d, PartyKind::Distributor);
    }
    for s in 0..SHOPS {
        add(10_000 + s, PartyKind::Shop);
    }
    for f in 0..FARMS {
        add(100 + f, PartyKind::Farm);
    }
    parties
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

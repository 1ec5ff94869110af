//! The trace graph over a store: building it from the stored events (ledger order), and a
//! recall from pallets, each beside a baseline on the same database in the same run.
//!
//! - the store is filled through `EventStore::capture` with `anxin_bench::chain` (cans in
//!   cases on pallets, shipped to distributors and shops and sold), each party capturing its
//!   own events, exactly as `store_query` does, at a size this machine fills in a minute or two;
//! - build: `anxin_server::trace::Tracer::open` (read every leaf with its event, decode the
//!   body, apply, compact) beside reading the same leaves and events without decoding or
//!   applying them (`ledger_audit_rows` alone);
//! - recall: `anxin_server::trace::open_recall` as the admin, not recorded (access, party
//!   directory, the graph's recall and its report with names), from `BENCH_TRACE_STARTS`
//!   random pallets, beside one recursive CTE over the same tables that finds every
//!   pallet, case and can under them (aggregation ADD events, parent to child, to any depth)
//!   and each one's latest event and its business location. The baseline answers less than
//!   the recall (no intervals, so a can taken out of its case still counts as in it; no
//!   container events folded into a can's state; no holder, channel, lot or mass balance):
//!   it is the floor SQL sets, not an equivalent. The reached items are checked equal.
//!
//! Knobs: `BENCH_TRACE_PALLETS` (default 3,000 pallets, about 145,000 events), `BENCH_SEED`
//! (default 1), `BENCH_TRACE_STARTS` (pallets a recall starts from, default 100),
//! `BENCH_TRACE_ROUNDS` (default 7), `ANXIN_TEST_PG` or `BENCH_PG` (a PostgreSQL URL; without
//! one PostgreSQL is not measured). The databases are made afresh and removed afterwards
//! (`BENCH_TRACE_KEEP=1` keeps the PostgreSQL schema, to look at plans).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anxin_bench::chain::{self, Party};
use anxin_bench::store::capture_document as capture;
use anxin_bench::{Report, best_of_interleaved};
use anxin_epcis::Event;
use anxin_epcis::sample::SampleRng;
use anxin_server::trace::{RecallRequest, Tracer, open_recall};
use anxin_store::prepare::{canonical_id, gln_of};
use anxin_store::{NewAccount, PartyGln, Role, Store, Viewer};

struct Knobs {
    pallets: u64,
    seed: u64,
    starts: usize,
    rounds: usize,
}

impl Knobs {
    fn from_env() -> Knobs {
        let number = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|value| value.replace('_', "").parse().ok())
                .unwrap_or(default)
        };
        Knobs {
            pallets: number("BENCH_TRACE_PALLETS", 3_000).max(1),
            seed: number("BENCH_SEED", 1),
            starts: number("BENCH_TRACE_STARTS", 100).max(1) as usize,
            rounds: number("BENCH_TRACE_ROUNDS", 7).max(1) as usize,
        }
    }
}

/// Events per captured document.
const DOC_EVENTS: usize = 20_000;

async fn fill(store: &dyn Store, parties: &[Party], knobs: &Knobs) -> (Viewer, u64, Vec<String>) {
    let admin = NewAccount {
        name: "bench admin".into(),
        role: Role::Admin,
        party: None,
        region: None,
    };
    let admin = Viewer::new(store.create_account(admin).await.expect("admin").0);
    let mut viewers = Vec::new();
    for party in parties {
        let gln = PartyGln::parse(&party.pgln).expect("party GLN");
        for location in &party.locations {
            store
                .add_party_location(&gln_of(location).expect("SGLN"), &gln)
                .await
                .expect("owner");
        }
        let account = NewAccount {
            name: party.prefix.clone(),
            role: party.role,
            party: Some(gln),
            region: None,
        };
        viewers.push(Viewer::new(
            store.create_account(account).await.expect("account").0,
        ));
    }
    let mut waiting: Vec<Vec<Event>> = vec![Vec::new(); parties.len()];
    let mut events = 0u64;
    let mut pallet_ids = Vec::new();
    for pallet in 0..knobs.pallets {
        for (party, event) in chain::pallet_flow(parties, knobs.seed, pallet) {
            if event.event_type == anxin_epcis::EventType::AggregationEvent
                && event.action == Some(anxin_epcis::Action::Add)
                && pallet_ids.len() as u64 == pallet
                && event
                    .parent_id
                    .as_deref()
                    .is_some_and(|parent| parent.contains(".1"))
                && event.child_epcs.iter().all(|child| child.contains("sscc"))
            {
                pallet_ids.push(event.parent_id.clone().unwrap_or_default());
            }
            events += 1;
            waiting[party].push(event);
            if waiting[party].len() >= DOC_EVENTS {
                capture(store, &viewers[party], std::mem::take(&mut waiting[party])).await;
            }
        }
    }
    for (party, batch) in waiting.into_iter().enumerate() {
        if !batch.is_empty() {
            capture(store, &viewers[party], batch).await;
        }
    }
    (admin, events, pallet_ids)
}

/// The recursive CTE: every item under the starts, with its latest own event and that
/// event's business location. `placeholders` are the dialect's parameter names. The
/// recursive step is written with `CROSS JOIN`, which SQLite takes as the join order (from
/// each reached item to its packing events, then their children): left to itself it chose
/// an order some 30 times slower (200 pallets, 10 starts). PostgreSQL reorders it freely.
fn cte_sql(placeholders: &[String]) -> String {
    format!(
        "WITH RECURSIVE reach(epc) AS ( \
           SELECT DISTINCT epc FROM event_epc WHERE epc IN ({}) \
           UNION \
           SELECT c.epc FROM reach r \
             CROSS JOIN event_epc p CROSS JOIN event e CROSS JOIN event_epc c \
             WHERE p.epc = r.epc AND p.role = 'parent' \
               AND e.event_seq = p.event_seq AND e.action = 'ADD' \
               AND c.event_seq = p.event_seq AND c.role = 'child' \
         ) \
         SELECT l.epc, l.last_seq, \
           (SELECT le.biz_location FROM event le WHERE le.event_seq = l.last_seq) FROM \
           (SELECT r.epc, (SELECT max(x.event_seq) FROM event_epc x WHERE x.epc = r.epc) AS last_seq \
            FROM reach r) l",
        placeholders.join(", ")
    )
}

fn pick_starts(pallet_ids: &[String], knobs: &Knobs) -> Vec<String> {
    let mut rng = SampleRng::new(knobs.seed ^ 0x7ACE_5E1E_C7ED);
    let mut picked = BTreeSet::new();
    while picked.len() < knobs.starts.min(pallet_ids.len()) {
        picked.insert(pallet_ids[rng.below(pallet_ids.len() as u64) as usize].clone());
    }
    picked.into_iter().collect()
}

/// Builds the tracer and runs the recall once, returning the reached identifiers.
fn recall_ids(
    runtime: &tokio::runtime::Runtime,
    tracer: &Tracer,
    admin: &Viewer,
    starts: &[String],
) -> BTreeSet<String> {
    let request = RecallRequest {
        ids: starts.to_vec(),
        level: Some(serde_json::Value::from(1)),
        reason: "bench".into(),
        ..RecallRequest::default()
    };
    let opened = runtime
        .block_on(open_recall(
            tracer,
            admin,
            &request,
            false,
            anxin_store::now_ms(),
        ))
        .expect("recall");
    opened
        .report
        .pallets
        .iter()
        .chain(&opened.report.cases)
        .chain(&opened.report.cans)
        .map(|item| item.state.id.clone())
        .collect()
}

#[expect(
    clippy::too_many_arguments,
    reason = "one measurement per backend, its parts named at the call"
)]
fn measure(
    runtime: &tokio::runtime::Runtime,
    report: &mut Report,
    backend: &str,
    store: Arc<dyn Store>,
    admin: &Viewer,
    events: u64,
    pallet_ids: &[String],
    knobs: &Knobs,
    mut baseline: impl FnMut(&[String]) -> BTreeSet<String>,
) {
    // Build, beside reading the same rows.
    let mut build = Duration::MAX;
    let mut read = Duration::MAX;
    let mut tracer = None;
    for _ in 0..3 {
        let start = Instant::now();
        let built = runtime
            .block_on(Tracer::open(store.clone()))
            .expect("tracer");
        build = build.min(start.elapsed());
        tracer = Some(built);
        let start = Instant::now();
        runtime.block_on(anxin_bench::store::read_every_leaf(&*store));
        read = read.min(start.elapsed());
    }
    let tracer = tracer.expect("built");
    let rate = |d: Duration| events as f64 / d.as_secs_f64();
    report.observation(
        &format!("{backend}: trace graph built from the store"),
        rate(build),
        "reading the same leaves and events",
        rate(read),
        "events/s",
    );

    let starts = pick_starts(pallet_ids, knobs);
    let reached = recall_ids(runtime, &tracer, admin, &starts);
    let from_sql = baseline(&starts);
    assert_eq!(
        reached, from_sql,
        "the recall and the recursive CTE reached different items"
    );
    let (candidate, plain) = best_of_interleaved(
        knobs.rounds,
        || {
            std::hint::black_box(recall_ids(runtime, &tracer, admin, &starts));
        },
        || {
            std::hint::black_box(baseline(&starts));
        },
    );
    report.observation(
        &format!(
            "{backend}: recall from {} pallets ({} items), ms",
            starts.len(),
            reached.len()
        ),
        candidate.as_secs_f64() * 1e3,
        "recursive CTE + latest event per item",
        plain.as_secs_f64() * 1e3,
        "ms",
    );
}

fn main() {
    let knobs = Knobs::from_env();
    let runtime = anxin_bench::runtime();
    let _inside = runtime.enter();
    let parties = chain::parties();
    let mut report = Report::new("trace_store");
    report.notes.push(format!(
        "{} pallets of anxin_bench::chain (seed {}) captured by their parties; recalls from {} \
         random pallets, best of {} interleaved rounds; build best of 3",
        knobs.pallets, knobs.seed, knobs.starts, knobs.rounds
    ));
    report.notes.push(
        "the CTE answers less than the recall (no containment intervals, no container events \
         folded into a can's state, no holder, channel, lot or mass balance): a floor, not an \
         equivalent"
            .into(),
    );

    // SQLite.
    let dir = std::env::temp_dir().join(format!("anxin-bench-trace-store-{}", std::process::id()));
    let path = dir.join("anxin.db");
    {
        let store: Arc<dyn Store> = Arc::new(
            runtime
                .block_on(anxin_store_sqlite::SqliteStore::open(&path))
                .expect("open SQLite"),
        );
        let start = Instant::now();
        let (admin, events, pallet_ids) = runtime.block_on(fill(&*store, &parties, &knobs));
        eprintln!(
            "SQLite: {events} events captured in {:.0} s",
            start.elapsed().as_secs_f64()
        );
        let conn = rusqlite::Connection::open(&path).expect("baseline connection");
        conn.execute_batch("PRAGMA busy_timeout = 10000; PRAGMA query_only = ON;")
            .expect("pragmas");
        let baseline = |starts: &[String]| {
            let placeholders: Vec<String> = (1..=starts.len()).map(|i| format!("?{i}")).collect();
            let keys: Vec<String> = starts.iter().map(|id| canonical_id(id)).collect();
            let mut statement = conn.prepare_cached(&cte_sql(&placeholders)).expect("CTE");
            statement
                .query_map(rusqlite::params_from_iter(keys.iter()), |row| {
                    let epc: String = row.get(0)?;
                    let _last: i64 = row.get(1)?;
                    let _place: Option<String> = row.get(2)?;
                    Ok(epc)
                })
                .expect("query")
                .collect::<Result<BTreeSet<String>, _>>()
                .expect("rows")
        };
        measure(
            &runtime,
            &mut report,
            "SQLite",
            store,
            &admin,
            events,
            &pallet_ids,
            &knobs,
            baseline,
        );
    }
    let _ = std::fs::remove_dir_all(&dir);

    // PostgreSQL.
    match std::env::var("BENCH_PG").or_else(|_| std::env::var("ANXIN_TEST_PG")) {
        Ok(url) => {
            let schema = format!("anxin_bench_trace_store_{}", std::process::id());
            let pg = runtime
                .block_on(anxin_store_postgres::PgStore::open(&url, Some(&schema)))
                .expect("open PostgreSQL");
            let pg = Arc::new(pg);
            let store: Arc<dyn Store> = pg.clone();
            let start = Instant::now();
            let (admin, events, pallet_ids) = runtime.block_on(fill(&*store, &parties, &knobs));
            eprintln!(
                "PostgreSQL: {events} events captured in {:.0} s",
                start.elapsed().as_secs_f64()
            );
            let client = anxin_bench::store::postgres_client(&runtime, &url, &schema);
            // JIT compilation is for long analytic queries: with it the planner's high
            // estimate for the recursive CTE cost some 350 ms of compiling per query (seen
            // with EXPLAIN ANALYZE at 1,000 pallets), ten times the query itself.
            runtime
                .block_on(client.batch_execute("ANALYZE; SET jit = off"))
                .expect("analyze");
            let baseline = |starts: &[String]| {
                let placeholders: Vec<String> =
                    (1..=starts.len()).map(|i| format!("${i}")).collect();
                let keys: Vec<String> = starts.iter().map(|id| canonical_id(id)).collect();
                let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = keys
                    .iter()
                    .map(|key| key as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                runtime
                    .block_on(client.query(&cte_sql(&placeholders), &params))
                    .expect("CTE")
                    .iter()
                    .map(|row| row.get::<_, String>(0))
                    .collect::<BTreeSet<String>>()
            };
            measure(
                &runtime,
                &mut report,
                "PostgreSQL",
                store,
                &admin,
                events,
                &pallet_ids,
                &knobs,
                baseline,
            );
            if std::env::var("BENCH_TRACE_KEEP").is_ok_and(|keep| keep == "1") {
                eprintln!("PostgreSQL schema {schema} kept (BENCH_TRACE_KEEP=1)");
            } else {
                runtime.block_on(pg.drop_schema()).expect("drop schema");
            }
        }
        Err(_) => report
            .notes
            .push("PostgreSQL not measured: neither BENCH_PG nor ANXIN_TEST_PG is set".into()),
    }
    let (json, markdown) = report.write().expect("write the report");
    println!("report: {} and {}", json.display(), markdown.display());
}

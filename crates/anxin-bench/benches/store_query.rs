//! Query latency on a large store: `MATCH_epc=<one EPC>` and `EQ_bizLocation=<one SGLN>`,
//! p50 and p99, on each backend, each beside the plainest indexed SQL lookup of the same
//! event numbers on the same database in the same run.
//!
//! - the store is filled through `EventStore::capture`, the path partners' documents take, with
//!   the supply chain of `anxin_bench::chain` (cans, cases, pallets, shipments between 291
//!   SGLNs, about ten EPCs an event), each party capturing its own events in big documents;
//! - candidate: `EventQuery::parse` + `EventStore::list_events` (default `perPage`, so 30
//!   events and a look-ahead row) + decoding every JSON-LD body into an `Event`, which is
//!   what the HTTP server does before writing a response; once as the admin, once as the
//!   enterprise that recorded the event (MATCH_epc) or owns the location (EQ_bizLocation);
//! - baseline: `SELECT event_seq FROM event_epc WHERE epc = ? AND role IN ('epc', 'child')
//!   ORDER BY event_seq LIMIT 31` (or `FROM event WHERE biz_location = ?`) on a connection of
//!   its own, fetching the same event numbers; the admin's results are checked against it.
//!
//! No goal is set for these figures; they are on record. A filled database is kept in
//! `target/bench-cache/store_query/` (SQLite) or in schema `anxin_bench_query_{rows}_{seed}`
//! (PostgreSQL), keyed by size and seed, and reused by the next run after its row count is
//! checked. Knobs: `BENCH_QUERY_EPC_ROWS` (event-EPC rows to fill, default 10,000,000),
//! `BENCH_SEED` (default 1), `BENCH_QUERY_N` (queries of each kind, default 1000),
//! `BENCH_QUERY_DOC_EVENTS` (events per captured document, default 20,000),
//! `BENCH_QUERY_CACHE=0` (build afresh and drop the database afterwards), `ANXIN_TEST_PG` or
//! `BENCH_PG` (a PostgreSQL URL; without one PostgreSQL is not measured).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anxin_bench::chain::{self, Party};
use anxin_bench::store::{
    capture_document as capture, fill_note, postgres_client, postgres_schema_size, read_marker,
    remove_sqlite, sqlite_size, write_marker,
};
use anxin_bench::{Report, cache_folder, percentile};
use anxin_epcis::Event;
use anxin_epcis::sample::SampleRng;
use anxin_store::prepare::{canonical_id, gln_of};
use anxin_store::{EventQuery, NewAccount, PartyGln, Role, Store, Viewer};
use serde::{Deserialize, Serialize};

/// The knobs of one run.
struct Knobs {
    rows: u64,
    seed: u64,
    queries: usize,
    doc_events: usize,
    cache: bool,
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
            rows: number("BENCH_QUERY_EPC_ROWS", 10_000_000),
            seed: number("BENCH_SEED", 1),
            queries: number("BENCH_QUERY_N", 1000) as usize,
            doc_events: number("BENCH_QUERY_DOC_EVENTS", 20_000).max(1) as usize,
            cache: number("BENCH_QUERY_CACHE", 1) != 0,
        }
    }
}

/// What filling a store made, kept beside the cached database so a later run knows it.
#[derive(Serialize, Deserialize, Clone, Debug)]
struct Filled {
    pallets: u64,
    events: u64,
    epc_rows: u64,
    documents: u64,
    seconds: f64,
}

/// The viewers queries run as: the admin, and each party of the chain by its index.
struct Viewers {
    admin: Viewer,
    parties: Vec<Viewer>,
}

/// Creates the admin and one account per party, and records which GLNs each party owns.
async fn create_viewers(store: &dyn Store, parties: &[Party]) -> Viewers {
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
            let location_gln = gln_of(location).expect("SGLN");
            store
                .add_party_location(&location_gln, &gln)
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
    Viewers {
        admin,
        parties: viewers,
    }
}

/// Finds the accounts [`create_viewers`] made in an earlier run.
async fn existing_viewers(store: &dyn Store, parties: &[Party]) -> Viewers {
    let accounts = store.list_accounts().await.expect("accounts");
    let find = |wanted: &dyn Fn(&anxin_store::Account) -> bool| {
        Viewer::new(
            accounts
                .iter()
                .find(|account| wanted(account))
                .cloned()
                .expect("the cached store has the bench's accounts"),
        )
    };
    Viewers {
        admin: find(&|account| account.role == Role::Admin),
        parties: parties
            .iter()
            .map(|party| find(&|account| account.name == party.prefix))
            .collect(),
    }
}

/// Fills a store with pallets of the chain until it holds `rows` event-EPC rows, one
/// document per party whenever that party has `doc_events` events waiting.
fn fill(
    runtime: &tokio::runtime::Runtime,
    store: &dyn Store,
    viewers: &Viewers,
    parties: &[Party],
    knobs: &Knobs,
) -> Filled {
    let start = Instant::now();
    let mut waiting: Vec<Vec<Event>> = vec![Vec::new(); parties.len()];
    let mut filled = Filled {
        pallets: 0,
        events: 0,
        epc_rows: 0,
        documents: 0,
        seconds: 0.0,
    };
    let mut last_report = Instant::now();
    while filled.epc_rows < knobs.rows {
        for (party, event) in chain::pallet_flow(parties, knobs.seed, filled.pallets) {
            filled.epc_rows += chain::epc_rows(&event);
            filled.events += 1;
            waiting[party].push(event);
            if waiting[party].len() >= knobs.doc_events {
                let events = std::mem::take(&mut waiting[party]);
                runtime.block_on(capture(store, &viewers.parties[party], events));
                filled.documents += 1;
            }
        }
        filled.pallets += 1;
        if last_report.elapsed() > Duration::from_secs(15) {
            last_report = Instant::now();
            let rate = filled.epc_rows as f64 / start.elapsed().as_secs_f64();
            eprintln!(
                "  {}: {} EPC rows generated, {rate:.0}/s",
                store.backend(),
                filled.epc_rows
            );
        }
    }
    for (party, events) in waiting.into_iter().enumerate() {
        if !events.is_empty() {
            runtime.block_on(capture(store, &viewers.parties[party], events));
            filled.documents += 1;
        }
    }
    filled.seconds = start.elapsed().as_secs_f64();
    filled
}

/// The two kinds of query measured.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Epc,
    BizLocation,
}

impl Kind {
    fn parameter(self) -> &'static str {
        match self {
            Kind::Epc => "MATCH_epc",
            Kind::BizLocation => "EQ_bizLocation",
        }
    }
}

/// One query to time: what is asked, the enterprise that asks it (by party index), and the
/// key the baseline looks up (the identifier in the store's canonical form).
struct Probe {
    kind: Kind,
    value: String,
    party: usize,
    key: String,
}

/// Random EPCs and business locations that the store holds, each picked from a random event
/// of a random pallet and asked by the party that recorded that event (which, for a
/// location, is its owner), alternating. Locations are thus picked in proportion to how busy
/// they are, as the queries of people looking for something would be.
fn probes(parties: &[Party], seed: u64, pallets: u64, n: usize) -> Vec<Probe> {
    let mut rng = SampleRng::new(seed ^ 0x5EED_0F9E_7E11);
    let mut out = Vec::with_capacity(2 * n);
    for _ in 0..n {
        let flow = chain::pallet_flow(parties, seed, rng.below(pallets));
        let (party, event) = rng.pick(&flow);
        let epcs: Vec<&String> = event.epc_list.iter().chain(&event.child_epcs).collect();
        let epc = (*rng.pick(&epcs)).clone();
        out.push(Probe {
            kind: Kind::Epc,
            key: canonical_id(&epc),
            value: epc,
            party: *party,
        });
        let flow = chain::pallet_flow(parties, seed, rng.below(pallets));
        let placed: Vec<&chain::PartyEvent> = flow
            .iter()
            .filter(|(_, event)| event.biz_location.is_some())
            .collect();
        let (party, event) = rng.pick(&placed);
        let location = event.biz_location.as_ref().expect("placed").id.clone();
        out.push(Probe {
            kind: Kind::BizLocation,
            key: canonical_id(&location),
            value: location,
            party: *party,
        });
    }
    out
}

/// The plain lookup on a connection of its own.
enum Baseline {
    Sqlite(rusqlite::Connection),
    /// The client with both statements prepared once, as a service would.
    Postgres(tokio_postgres::Client, [tokio_postgres::Statement; 2]),
}

/// The baseline SQL: only the index the lookup needs, the same order and row count as the
/// store's page (30 and a look-ahead row).
fn baseline_sql(kind: Kind, placeholder: &str) -> String {
    match kind {
        Kind::Epc => format!(
            "SELECT event_seq FROM event_epc WHERE epc = {placeholder} AND role IN ('epc', 'child') \
             ORDER BY event_seq LIMIT 31"
        ),
        Kind::BizLocation => format!(
            "SELECT event_seq FROM event WHERE biz_location = {placeholder} ORDER BY event_seq LIMIT 31"
        ),
    }
}

impl Baseline {
    fn ids(&mut self, runtime: &tokio::runtime::Runtime, kind: Kind, key: &str) -> Vec<i64> {
        match self {
            Baseline::Sqlite(conn) => {
                let mut statement = conn
                    .prepare_cached(&baseline_sql(kind, "?1"))
                    .expect("prepare");
                statement
                    .query_map([key], |row| row.get(0))
                    .expect("query")
                    .collect::<Result<Vec<i64>, _>>()
                    .expect("rows")
            }
            Baseline::Postgres(client, statements) => runtime.block_on(async {
                let statement = &statements[usize::from(kind == Kind::BizLocation)];
                client
                    .query(statement, &[&key])
                    .await
                    .expect("query")
                    .iter()
                    .map(|row| row.get(0))
                    .collect()
            }),
        }
    }
}

/// The store's answer to one query, with every body decoded as the server would; returns
/// the event numbers.
fn candidate(
    runtime: &tokio::runtime::Runtime,
    store: &dyn Store,
    prefixes: &Vec<(String, String)>,
    viewer: &Viewer,
    probe: &Probe,
) -> Vec<i64> {
    let params = vec![(probe.kind.parameter().to_owned(), probe.value.clone())];
    let query = EventQuery::parse(&params, prefixes).expect("query");
    let page = runtime
        .block_on(store.list_events(viewer, &query))
        .expect("list");
    for event in &page.events {
        anxin_epcis::json::event_from_str(&event.body).expect("stored body");
    }
    page.events.iter().map(|event| event.event_seq).collect()
}

/// Latencies of one kind of query, as admin, as enterprise and for the baseline.
#[derive(Default)]
struct Latencies {
    admin: Vec<Duration>,
    enterprise: Vec<Duration>,
    baseline: Vec<Duration>,
    empty_enterprise: usize,
}

fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = work();
    (out, start.elapsed())
}

/// Runs every probe three ways, rotating which goes first so none is always the one that
/// finds the pages cold, and checks the admin's events against the baseline's.
fn measure(
    runtime: &tokio::runtime::Runtime,
    store: &dyn Store,
    baseline: &mut Baseline,
    viewers: &Viewers,
    probes: &[Probe],
) -> HashMap<&'static str, Latencies> {
    let prefixes = runtime.block_on(store.list_prefixes()).expect("prefixes");
    let mut out: HashMap<&'static str, Latencies> = HashMap::new();
    for (index, probe) in probes.iter().enumerate() {
        let enterprise = &viewers.parties[probe.party];
        let mut admin_ids = Vec::new();
        let mut baseline_ids = Vec::new();
        let latencies = out.entry(probe.kind.parameter()).or_default();
        for turn in 0..3 {
            match (index + turn) % 3 {
                0 => {
                    let (ids, elapsed) =
                        timed(|| candidate(runtime, store, &prefixes, &viewers.admin, probe));
                    latencies.admin.push(elapsed);
                    admin_ids = ids;
                }
                1 => {
                    let (ids, elapsed) =
                        timed(|| candidate(runtime, store, &prefixes, enterprise, probe));
                    latencies.enterprise.push(elapsed);
                    latencies.empty_enterprise += usize::from(ids.is_empty());
                }
                _ => {
                    let (ids, elapsed) = timed(|| baseline.ids(runtime, probe.kind, &probe.key));
                    latencies.baseline.push(elapsed);
                    baseline_ids = ids;
                }
            }
        }
        baseline_ids.truncate(30);
        assert_eq!(
            admin_ids,
            baseline_ids,
            "{} {}",
            probe.kind.parameter(),
            probe.value
        );
        assert!(
            !admin_ids.is_empty(),
            "{} {} found nothing",
            probe.kind.parameter(),
            probe.value
        );
    }
    out
}

fn add_figures(report: &mut Report, backend: &str, latencies: &HashMap<&'static str, Latencies>) {
    let ms = |samples: &[Duration], p: f64| percentile(samples, p).as_secs_f64() * 1000.0;
    for kind in [Kind::Epc, Kind::BizLocation] {
        let parameter = kind.parameter();
        let Some(found) = latencies.get(parameter) else {
            continue;
        };
        for (who, samples) in [("admin", &found.admin), ("enterprise", &found.enterprise)] {
            for p in [50.0, 99.0] {
                report.observation(
                    &format!("{backend} {parameter} as {who}, p{p:.0}"),
                    ms(samples, p),
                    &format!("indexed SELECT of the same ids, p{p:.0}"),
                    ms(&found.baseline, p),
                    "ms",
                );
            }
        }
        if found.empty_enterprise > 0 {
            report.notes.push(format!(
                "{backend} {parameter}: {} of {} enterprise queries found nothing the enterprise may see",
                found.empty_enterprise,
                found.enterprise.len()
            ));
        }
    }
}

/// A filled database: where it is, what it holds, and whether it was reused.
struct Ready {
    filled: Filled,
    reused: bool,
    viewers: Viewers,
}

/// Reuses the store behind `marker` when it is complete, else fills it.
fn prepare(
    runtime: &tokio::runtime::Runtime,
    store: &dyn Store,
    marker: &Path,
    count_rows: impl FnOnce() -> u64,
    parties: &[Party],
    knobs: &Knobs,
) -> Ready {
    if let Some(filled) = read_marker::<Filled>(marker) {
        let rows = count_rows();
        assert_eq!(rows, filled.epc_rows, "the cached store holds {rows} rows");
        let viewers = runtime.block_on(existing_viewers(store, parties));
        return Ready {
            filled,
            reused: true,
            viewers,
        };
    }
    let viewers = runtime.block_on(create_viewers(store, parties));
    let filled = fill(runtime, store, &viewers, parties, knobs);
    write_marker(marker, &filled);
    Ready {
        filled,
        reused: false,
        viewers,
    }
}

fn describe(report: &mut Report, backend: &str, ready: &Ready, size_bytes: u64, where_: &str) {
    let filled = &ready.filled;
    let rate = format!("{:.0} EPC rows/s", filled.epc_rows as f64 / filled.seconds);
    let built = fill_note(ready.reused, filled.seconds, &rate, where_);
    report.notes.push(format!(
        "{backend}: {} events, {} event-EPC rows, {} pallets, {} documents; {built}; database size {:.2} GiB",
        filled.events,
        filled.epc_rows,
        filled.pallets,
        filled.documents,
        size_bytes as f64 / (1u64 << 30) as f64
    ));
}

fn bench_sqlite(
    runtime: &tokio::runtime::Runtime,
    report: &mut Report,
    parties: &[Party],
    knobs: &Knobs,
) {
    let folder = cache_folder("store_query");
    std::fs::create_dir_all(&folder).expect("cache folder");
    let stem = format!("sqlite-{}-{}", knobs.rows, knobs.seed);
    let path = folder.join(format!("{stem}.db"));
    let marker = folder.join(format!("{stem}.json"));
    if !knobs.cache || read_marker::<Filled>(&marker).is_none() {
        // A database without its marker is a fill that did not finish: start again.
        remove_sqlite(&path);
        let _ = std::fs::remove_file(&marker);
    }
    let store = runtime
        .block_on(anxin_store_sqlite::SqliteStore::open(&path))
        .expect("open");
    let conn = rusqlite::Connection::open(&path).expect("baseline connection");
    conn.execute_batch("PRAGMA busy_timeout = 10000; PRAGMA query_only = ON;")
        .expect("pragmas");
    let count = || {
        conn.query_row("SELECT count(*) FROM event_epc", [], |row| {
            row.get::<_, i64>(0)
        })
        .expect("count") as u64
    };
    let ready = prepare(runtime, &store, &marker, count, parties, knobs);
    let size = sqlite_size(&path);
    describe(report, "SQLite", &ready, size, &path.display().to_string());
    let probes = probes(parties, knobs.seed, ready.filled.pallets, knobs.queries);
    let mut baseline = Baseline::Sqlite(conn);
    let latencies = measure(runtime, &store, &mut baseline, &ready.viewers, &probes);
    add_figures(report, "SQLite", &latencies);
    drop(store);
    if !knobs.cache {
        remove_sqlite(&path);
        let _ = std::fs::remove_file(&marker);
    }
}

fn bench_postgres(
    runtime: &tokio::runtime::Runtime,
    report: &mut Report,
    url: &str,
    parties: &[Party],
    knobs: &Knobs,
) {
    let folder = cache_folder("store_query");
    std::fs::create_dir_all(&folder).expect("cache folder");
    let schema = format!("anxin_bench_query_{}_{}", knobs.rows, knobs.seed);
    let marker = folder.join(format!("postgres-{}-{}.json", knobs.rows, knobs.seed));
    let client = postgres_client(runtime, url, &schema);
    if !knobs.cache || read_marker::<Filled>(&marker).is_none() {
        // A schema without its marker is a fill that did not finish: start again.
        runtime
            .block_on(client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")))
            .expect("drop stale schema");
        let _ = std::fs::remove_file(&marker);
    }
    let store = runtime
        .block_on(anxin_store_postgres::PgStore::open(url, Some(&schema)))
        .expect("open");
    let count = || {
        let row = runtime
            .block_on(client.query_one("SELECT count(*) FROM event_epc", &[]))
            .expect("count");
        row.get::<_, i64>(0) as u64
    };
    let ready = prepare(runtime, &store, &marker, count, parties, knobs);
    runtime
        .block_on(client.batch_execute("ANALYZE"))
        .expect("analyze");
    let size = postgres_schema_size(runtime, &client, &schema);
    describe(
        report,
        "PostgreSQL",
        &ready,
        size,
        &format!("schema {schema}"),
    );
    let probes = probes(parties, knobs.seed, ready.filled.pallets, knobs.queries);
    let statements = [Kind::Epc, Kind::BizLocation].map(|kind| {
        runtime
            .block_on(client.prepare(&baseline_sql(kind, "$1")))
            .expect("prepare")
    });
    let mut baseline = Baseline::Postgres(client, statements);
    let latencies = measure(runtime, &store, &mut baseline, &ready.viewers, &probes);
    add_figures(report, "PostgreSQL", &latencies);
    if !knobs.cache {
        runtime.block_on(store.drop_schema()).expect("drop schema");
        let _ = std::fs::remove_file(&marker);
    }
}

fn main() {
    let knobs = Knobs::from_env();
    let runtime = anxin_bench::runtime();
    // The stores' pools must be dropped inside a runtime, also when a check fails.
    let _inside = runtime.enter();
    let parties = chain::parties();
    let mut report = Report::new("store_query");
    report.notes.push(format!(
        "store of {} event-EPC rows (BENCH_QUERY_EPC_ROWS), seed {}, {} parties at {} SGLNs, \
         captured by each party in documents of up to {} events; {} queries of each kind; \
         latencies are one query each, run in turn with the baseline (order rotated)",
        knobs.rows,
        knobs.seed,
        parties.len(),
        parties
            .iter()
            .map(|party| party.locations.len())
            .sum::<usize>(),
        knobs.doc_events,
        knobs.queries
    ));
    report.notes.push(
        "candidate = EventQuery::parse + list_events (perPage 30) + decoding each JSON-LD body; \
         enterprise = the party that recorded the EPC's event, or the location's owner"
            .into(),
    );
    bench_sqlite(&runtime, &mut report, &parties, &knobs);
    match std::env::var("BENCH_PG").or_else(|_| std::env::var("ANXIN_TEST_PG")) {
        Ok(url) => bench_postgres(&runtime, &mut report, &url, &parties, &knobs),
        Err(_) => report
            .notes
            .push("PostgreSQL not measured: neither BENCH_PG nor ANXIN_TEST_PG is set".into()),
    }
    if knobs.cache {
        report.notes.push(
            "the filled databases are kept (target/bench-cache/store_query, PostgreSQL schema \
             anxin_bench_query_*) and reused by the next run of the same size and seed; \
             BENCH_QUERY_CACHE=0 drops them"
                .into(),
        );
    }
    let (json, markdown) = report.write().expect("write the report");
    println!("report: {} and {}", json.display(), markdown.display());
}

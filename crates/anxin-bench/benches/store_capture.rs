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

use std::time::{Duration, Instant};

use anxin_bench::Report;
use anxin_epcis::Event;
use anxin_store::prepare::{PreparedEvent, prepare_for_store};
use anxin_store::{CaptureInput, ErrorBehaviour, NewAccount, Role, Store, Viewer, now_ms};
use anxin_store_tests::fixtures;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

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

async fn admin(store: &dyn Store) -> Viewer {
    let account = NewAccount {
        name: "bench".into(),
        role: Role::Admin,
        party: None,
        region: None,
    };
    Viewer::new(store.create_account(account).await.expect("account").0)
}

async fn capture(store: &dyn Store, viewer: &Viewer, events: Vec<Event>) -> Duration {
    let input = CaptureInput::new(fixtures::header(), events);
    let start = Instant::now();
    let job = store
        .start_job(viewer, ErrorBehaviour::Rollback, "bench")
        .await
        .expect("job");
    let job = store
        .capture(viewer, &job.job_id, input)
        .await
        .expect("capture");
    let elapsed = start.elapsed();
    assert!(job.n_stored > 0 && job.n_duplicates == 0, "{job:?}");
    elapsed
}

fn sqlite_raw(conn: &mut rusqlite::Connection, events: &[PreparedEvent]) -> Duration {
    let start = Instant::now();
    let tx = conn.transaction().expect("tx");
    {
        let mut event_row = tx
            .prepare(
                "INSERT INTO event (record_key, hash_id, event_id, event_type, event_time_ms, record_time_ms, action, biz_step, \
                 disposition, read_point, biz_location, has_error_declaration, account_id, party_gln, job_id, body) \
                 VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, NULL, 'raw', ?12)",
            )
            .expect("prepare");
        let mut epc_row = tx
            .prepare("INSERT INTO event_epc VALUES (?1, ?2, ?3, ?4)")
            .expect("prepare");
        let mut place_row = tx
            .prepare("INSERT INTO event_place VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .expect("prepare");
        let mut attr_row = tx
            .prepare("INSERT INTO event_attr VALUES (?1, ?2, ?3, ?4)")
            .expect("prepare");
        for event in events {
            event_row
                .execute(rusqlite::params![
                    event.hash_id,
                    event.event_id,
                    event.event_type,
                    event.event_time_ms,
                    event.record_time_ms,
                    event.action,
                    event.biz_step,
                    event.disposition,
                    event.read_point,
                    event.biz_location,
                    event.has_error_declaration as i64,
                    event.body
                ])
                .expect("event");
            let seq = tx.last_insert_rowid();
            for row in &event.epcs {
                epc_row
                    .execute(rusqlite::params![
                        seq,
                        event.record_time_ms,
                        row.role,
                        row.epc
                    ])
                    .expect("epc");
            }
            for row in &event.places {
                place_row
                    .execute(rusqlite::params![
                        seq,
                        event.record_time_ms,
                        row.role,
                        row.kind,
                        row.place,
                        row.gln
                    ])
                    .expect("place");
            }
            for row in &event.attrs {
                attr_row
                    .execute(rusqlite::params![
                        seq,
                        event.record_time_ms,
                        row.name,
                        row.value
                    ])
                    .expect("attr");
            }
        }
    }
    tx.commit().expect("commit");
    start.elapsed()
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

async fn copy_in(
    tx: &tokio_postgres::Transaction<'_>,
    sql: &str,
    types: &[Type],
    rows: Vec<Vec<&(dyn ToSql + Sync)>>,
) {
    let sink = tx.copy_in(sql).await.expect("copy");
    let mut writer = std::pin::pin!(BinaryCopyInWriter::new(sink, types));
    for row in rows {
        writer.as_mut().write(&row).await.expect("row");
    }
    writer.finish().await.expect("finish");
}

async fn postgres_raw(client: &mut tokio_postgres::Client, events: &[PreparedEvent]) -> Duration {
    use Type as T;
    let start = Instant::now();
    let tx = client.transaction().await.expect("tx");
    let seqs: Vec<i64> = tx
        .query(
            "SELECT nextval('event_seq') FROM generate_series(1, $1::int)",
            &[&(events.len() as i32)],
        )
        .await
        .expect("seqs")
        .iter()
        .map(|row| row.get(0))
        .collect();
    let (zero, raw, account) = (0i16, "raw", 0i64);
    let event_rows: Vec<Vec<&(dyn ToSql + Sync)>> = seqs
        .iter()
        .zip(events)
        .map(|(seq, e)| -> Vec<&(dyn ToSql + Sync)> {
            vec![
                seq,
                &e.hash_id,
                &e.event_id,
                &e.event_type,
                &e.event_time_ms,
                &e.record_time_ms,
                &e.action,
                &e.biz_step,
                &e.disposition,
                &e.read_point,
                &e.biz_location,
                &zero,
                &account,
                &None::<String>,
                &raw,
                &e.body,
            ]
        })
        .collect();
    copy_in(
        &tx,
        "COPY event FROM STDIN (FORMAT binary)",
        &[
            T::INT8,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::INT8,
            T::INT8,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::INT2,
            T::INT8,
            T::TEXT,
            T::TEXT,
            T::TEXT,
        ],
        event_rows,
    )
    .await;
    let epc_rows: Vec<Vec<&(dyn ToSql + Sync)>> = seqs
        .iter()
        .zip(events)
        .flat_map(|(seq, e)| {
            e.epcs.iter().map(move |row| -> Vec<&(dyn ToSql + Sync)> {
                vec![seq, &e.record_time_ms, &row.role, &row.epc]
            })
        })
        .collect();
    copy_in(
        &tx,
        "COPY event_epc FROM STDIN (FORMAT binary)",
        &[T::INT8, T::INT8, T::TEXT, T::TEXT],
        epc_rows,
    )
    .await;
    let place_rows: Vec<Vec<&(dyn ToSql + Sync)>> = seqs
        .iter()
        .zip(events)
        .flat_map(|(seq, e)| {
            e.places.iter().map(move |r| -> Vec<&(dyn ToSql + Sync)> {
                vec![seq, &e.record_time_ms, &r.role, &r.kind, &r.place, &r.gln]
            })
        })
        .collect();
    copy_in(
        &tx,
        "COPY event_place FROM STDIN (FORMAT binary)",
        &[T::INT8, T::INT8, T::TEXT, T::TEXT, T::TEXT, T::TEXT],
        place_rows,
    )
    .await;
    let attr_rows: Vec<Vec<&(dyn ToSql + Sync)>> = seqs
        .iter()
        .zip(events)
        .flat_map(|(seq, e)| {
            e.attrs.iter().map(move |r| -> Vec<&(dyn ToSql + Sync)> {
                vec![seq, &e.record_time_ms, &r.name, &r.value]
            })
        })
        .collect();
    copy_in(
        &tx,
        "COPY event_attr FROM STDIN (FORMAT binary)",
        &[T::INT8, T::INT8, T::TEXT, T::TEXT],
        attr_rows,
    )
    .await;
    tx.commit().await.expect("commit");
    start.elapsed()
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
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

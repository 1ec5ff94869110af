//! What the store benchmarks share: an admin viewer and one timed capture.

use std::time::{Duration, Instant};

use anxin_epcis::Event;
use anxin_store::{CaptureInput, ErrorBehaviour, NewAccount, Role, Store, Viewer};
use anxin_store_tests::fixtures;

/// An admin account on `store`, as the viewer that captures the benchmark's events.
pub async fn admin(store: &dyn Store) -> Viewer {
    let account = NewAccount {
        name: "bench".into(),
        role: Role::Admin,
        party: None,
        region: None,
    };
    Viewer::new(store.create_account(account).await.expect("account").0)
}

/// Captures `events` as one rollback job under the fixture header and returns how long the
/// job took from start to stored; panics unless every event was new and stored.
pub async fn capture_timed(store: &dyn Store, viewer: &Viewer, events: Vec<Event>) -> Duration {
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

/// Captures one party's document the way the server does (a job, then the capture) under a
/// bare header made now; panics unless every event was stored.
pub async fn capture_document(store: &dyn Store, viewer: &Viewer, events: Vec<Event>) {
    let n_events = events.len() as u64;
    let header = anxin_epcis::Header::new(anxin_epcis::EpcisTime::utc(jiff::Timestamp::now()));
    let job = store
        .start_job(viewer, ErrorBehaviour::Rollback, "bench")
        .await
        .expect("job");
    let job = store
        .capture(viewer, &job.job_id, CaptureInput::new(header, events))
        .await
        .expect("capture");
    assert_eq!(job.n_stored, n_events, "{job:?}");
}

/// A kept database's marker: what its fill made, written only once the fill finished, so a
/// database without one is a fill that did not finish. `None` when absent or unreadable.
pub fn read_marker<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Option<T> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Writes a kept database's marker (see [`read_marker`]).
pub fn write_marker<T: serde::Serialize>(path: &std::path::Path, filled: &T) {
    std::fs::write(path, serde_json::to_vec_pretty(filled).expect("json")).expect("marker");
}

/// Removes a SQLite database with its WAL and shared-memory files, if they exist.
pub fn remove_sqlite(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// The bytes a SQLite database takes on disk, after checkpointing its WAL.
pub fn sqlite_size(path: &std::path::Path) -> u64 {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    let size = |path: &std::path::Path| std::fs::metadata(path).map_or(0, |meta| meta.len());
    size(path) + size(std::path::Path::new(&format!("{}-wal", path.display())))
}

/// A plain connection to PostgreSQL with `schema` first on its search path, for a
/// benchmark's baseline queries; its connection task runs on `runtime`.
pub fn postgres_client(
    runtime: &tokio::runtime::Runtime,
    url: &str,
    schema: &str,
) -> tokio_postgres::Client {
    let mut config: tokio_postgres::Config = url.parse().expect("url");
    config.options(format!("-c search_path={schema}"));
    let (client, connection) = runtime
        .block_on(config.connect(tokio_postgres::NoTls))
        .expect("connect");
    runtime.spawn(connection);
    client
}

/// The bytes the tables of `schema` take, with their indexes and TOAST.
pub fn postgres_schema_size(
    runtime: &tokio::runtime::Runtime,
    client: &tokio_postgres::Client,
    schema: &str,
) -> u64 {
    let size: i64 = runtime
        .block_on(client.query_one(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::int8 FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')",
            &[&schema],
        ))
        .expect("size")
        .get(0);
    size as u64
}

/// Reads every ledger leaf with its stored event, 5,000 at a time, touching nothing else: the
/// floor under building the trace graph from a store.
pub async fn read_every_leaf(store: &dyn anxin_store::Store) {
    let mut from = 0u64;
    loop {
        let rows = store.ledger_audit_rows(from, 5_000).await.expect("rows");
        let Some((last, _)) = rows.last() else { break };
        from = last.leaf_index + 1;
        std::hint::black_box(&rows);
    }
}

/// How a kept database came to be, for a report's notes: reused (and how long its fill took
/// then) or filled in this run, at `rate` (a figure with its unit), kept in `place`.
pub fn fill_note(reused: bool, seconds: f64, rate: &str, place: &str) -> String {
    if reused {
        format!("reused from an earlier run ({place}); it was filled in {seconds:.0} s")
    } else {
        format!(
            "filled in this run in {seconds:.0} s through EventStore::capture ({rate}), kept in {place}"
        )
    }
}

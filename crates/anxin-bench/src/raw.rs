//! The plainest way to put already-made event rows into each database: the baselines the
//! capture benchmarks compare `Store::capture` with. They write the same tables and columns
//! as the stores, with none of the work around it (no hashing, no de-duplication, no jobs,
//! no access checks).

use std::time::{Duration, Instant};

use anxin_store::prepare::PreparedEvent;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

/// Inserts prepared events and their index rows into a SQLite store's tables with prepared
/// INSERTs in one transaction; returns the time taken.
pub fn sqlite_raw(conn: &mut rusqlite::Connection, events: &[PreparedEvent]) -> Duration {
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

/// Copies prepared events and their index rows into a PostgreSQL store's tables (the
/// connection's `search_path` names the schema) with binary COPY in one transaction;
/// returns the time taken.
pub async fn postgres_raw(
    client: &mut tokio_postgres::Client,
    events: &[PreparedEvent],
) -> Duration {
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

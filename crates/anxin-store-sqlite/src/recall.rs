//! Recall records (append-only) and the directory reads a recall needs.

use anxin_store::recall::{OwnedLocation, RecallRow, RecallStore};
use anxin_store::{CaptureInput, CaptureJob, PartyRecord, StoreError, StoreFuture, Viewer};
use rusqlite::{Connection, Row, params};

use crate::SqliteStore;

const RECALL_COLUMNS: &str = "recall_id, account_id, party_gln, region, level, reason, scope, \
     decided_ms, start_deadline_ms, finish_deadline_date, finish_deadline_ms, summary, job_id, created_ms";

fn recall_from_row(row: &Row<'_>) -> rusqlite::Result<RecallRow> {
    Ok(RecallRow {
        recall_id: row.get(0)?,
        account_id: row.get(1)?,
        party: row.get(2)?,
        region: row.get(3)?,
        level: row.get(4)?,
        reason: row.get(5)?,
        scope_json: row.get(6)?,
        decided_ms: row.get(7)?,
        start_deadline_ms: row.get(8)?,
        finish_deadline_date: row.get(9)?,
        finish_deadline_ms: row.get(10)?,
        summary_json: row.get(11)?,
        job_id: row.get(12)?,
        created_ms: row.get(13)?,
    })
}

/// Appends one recall row. `conn` may be the capture transaction.
pub(crate) fn insert_recall(conn: &Connection, row: &RecallRow) -> Result<(), StoreError> {
    conn.prepare_cached(&format!(
        "INSERT INTO recall ({RECALL_COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    ))?
    .execute(params![
        row.recall_id,
        row.account_id,
        row.party,
        row.region,
        row.level,
        row.reason,
        row.scope_json,
        row.decided_ms,
        row.start_deadline_ms,
        row.finish_deadline_date,
        row.finish_deadline_ms,
        row.summary_json,
        row.job_id,
        row.created_ms,
    ])?;
    Ok(())
}

impl RecallStore for SqliteStore {
    fn add_recall<'a>(&'a self, row: &'a RecallRow) -> StoreFuture<'a, ()> {
        let row = row.clone();
        Box::pin(self.write(move |conn| insert_recall(conn, &row)))
    }

    fn capture_recall<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: CaptureInput,
        row: RecallRow,
    ) -> StoreFuture<'a, CaptureJob> {
        self.capture_with(
            viewer,
            job_id,
            input,
            Some(crate::capture::Attached::Recall(row)),
        )
    }

    fn recall_rows<'a>(&'a self, recall_id: &'a str) -> StoreFuture<'a, Vec<RecallRow>> {
        let recall_id = recall_id.to_owned();
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {RECALL_COLUMNS} FROM recall WHERE recall_id = ?1 ORDER BY recall_row"
            ))?;
            let rows = statement
                .query_map([recall_id], recall_from_row)?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn list_recalls(&self, limit: u32) -> StoreFuture<'_, Vec<RecallRow>> {
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {RECALL_COLUMNS} FROM recall r WHERE recall_row = \
                 (SELECT max(recall_row) FROM recall l WHERE l.recall_id = r.recall_id) \
                 ORDER BY recall_row DESC LIMIT ?1"
            ))?;
            let rows = statement
                .query_map([limit], recall_from_row)?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn list_parties(&self) -> StoreFuture<'_, Vec<PartyRecord>> {
        Box::pin(self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT party_id, gln, name, address, region, kind, contact FROM party \
                 WHERE gln IS NOT NULL ORDER BY party_id",
            )?;
            let rows = statement
                .query_map([], |row| {
                    Ok(PartyRecord {
                        party_id: row.get(0)?,
                        gln: row.get(1)?,
                        name: row.get(2)?,
                        address: row.get(3)?,
                        region: row.get(4)?,
                        kind: row.get(5)?,
                        contact: row.get(6)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn list_owned_locations(&self) -> StoreFuture<'_, Vec<OwnedLocation>> {
        Box::pin(self.read(|conn| {
            // A GLN may be described by several location rows (SGLNs with extensions); the
            // first named one with a region speaks for it.
            let mut statement = conn.prepare_cached(
                "SELECT o.gln, o.party_gln, \
                 (SELECT l.name FROM location l WHERE l.gln = o.gln AND l.name IS NOT NULL ORDER BY l.location_id LIMIT 1), \
                 (SELECT l.region FROM location l WHERE l.gln = o.gln AND l.region IS NOT NULL ORDER BY l.location_id LIMIT 1) \
                 FROM location_owner o ORDER BY o.gln",
            )?;
            let rows = statement
                .query_map([], |row| {
                    Ok(OwnedLocation {
                        gln: row.get(0)?,
                        party_gln: row.get(1)?,
                        name: row.get(2)?,
                        region: row.get(3)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }
}

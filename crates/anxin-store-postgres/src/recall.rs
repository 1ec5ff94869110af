//! Recall records (append-only) and the directory reads a recall needs.

use anxin_store::recall::{OwnedLocation, RecallRow, RecallStore};
use anxin_store::{CaptureInput, CaptureJob, PartyRecord, StoreError, StoreFuture, Viewer};
use tokio_postgres::{GenericClient, Row};

use crate::PgStore;

const RECALL_COLUMNS: &str = "recall_id, account_id, party_gln, region, level, reason, scope, \
     decided_ms, start_deadline_ms, finish_deadline_date, finish_deadline_ms, summary, job_id, created_ms";

fn recall_from_row(row: &Row) -> Result<RecallRow, StoreError> {
    let level: i16 = row.try_get(4)?;
    Ok(RecallRow {
        recall_id: row.try_get(0)?,
        account_id: row.try_get(1)?,
        party: row.try_get(2)?,
        region: row.try_get(3)?,
        level: u8::try_from(level)
            .map_err(|_| StoreError::internal(format!("a recall level of {level}")))?,
        reason: row.try_get(5)?,
        scope_json: row.try_get(6)?,
        decided_ms: row.try_get(7)?,
        start_deadline_ms: row.try_get(8)?,
        finish_deadline_date: row.try_get(9)?,
        finish_deadline_ms: row.try_get(10)?,
        summary_json: row.try_get(11)?,
        job_id: row.try_get(12)?,
        created_ms: row.try_get(13)?,
    })
}

/// Appends one recall row. `client` may be the capture transaction.
pub(crate) async fn insert_recall(
    client: &impl GenericClient,
    row: &RecallRow,
) -> Result<(), StoreError> {
    client
        .execute(
            &format!(
                "INSERT INTO recall ({RECALL_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
            ),
            &[
                &row.recall_id,
                &row.account_id,
                &row.party,
                &row.region,
                &i16::from(row.level),
                &row.reason,
                &row.scope_json,
                &row.decided_ms,
                &row.start_deadline_ms,
                &row.finish_deadline_date,
                &row.finish_deadline_ms,
                &row.summary_json,
                &row.job_id,
                &row.created_ms,
            ],
        )
        .await?;
    Ok(())
}

impl RecallStore for PgStore {
    fn add_recall<'a>(&'a self, row: &'a RecallRow) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            insert_recall(&**client, row).await
        })
    }

    fn capture_recall<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: CaptureInput,
        row: RecallRow,
    ) -> StoreFuture<'a, CaptureJob> {
        Box::pin(self.capture_document(
            viewer,
            job_id,
            input,
            Some(crate::capture::Attached::Recall(row)),
        ))
    }

    fn recall_rows<'a>(&'a self, recall_id: &'a str) -> StoreFuture<'a, Vec<RecallRow>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    &format!(
                        "SELECT {RECALL_COLUMNS} FROM recall WHERE recall_id = $1 ORDER BY recall_row"
                    ),
                    &[&recall_id],
                )
                .await?
                .iter()
                .map(recall_from_row)
                .collect()
        })
    }

    fn list_recalls(&self, limit: u32) -> StoreFuture<'_, Vec<RecallRow>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    &format!(
                        "SELECT {RECALL_COLUMNS} FROM recall r WHERE recall_row = \
                         (SELECT max(recall_row) FROM recall l WHERE l.recall_id = r.recall_id) \
                         ORDER BY recall_row DESC LIMIT $1"
                    ),
                    &[&i64::from(limit)],
                )
                .await?
                .iter()
                .map(recall_from_row)
                .collect()
        })
    }

    fn list_parties(&self) -> StoreFuture<'_, Vec<PartyRecord>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    "SELECT party_id, gln, name, address, region, kind, contact FROM party \
                     WHERE gln IS NOT NULL ORDER BY party_id",
                    &[],
                )
                .await?
                .iter()
                .map(|row| {
                    Ok(PartyRecord {
                        party_id: row.try_get(0)?,
                        gln: row.try_get(1)?,
                        name: row.try_get(2)?,
                        address: row.try_get(3)?,
                        region: row.try_get(4)?,
                        kind: row.try_get(5)?,
                        contact: row.try_get(6)?,
                    })
                })
                .collect()
        })
    }

    fn list_owned_locations(&self) -> StoreFuture<'_, Vec<OwnedLocation>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            // A GLN may be described by several location rows (SGLNs with extensions); the
            // first named one with a region speaks for it.
            client
                .query(
                    "SELECT o.gln, o.party_gln, \
                     (SELECT l.name FROM location l WHERE l.gln = o.gln AND l.name IS NOT NULL ORDER BY l.location_id LIMIT 1), \
                     (SELECT l.region FROM location l WHERE l.gln = o.gln AND l.region IS NOT NULL ORDER BY l.location_id LIMIT 1) \
                     FROM location_owner o ORDER BY o.gln",
                    &[],
                )
                .await?
                .iter()
                .map(|row| {
                    Ok(OwnedLocation {
                        gln: row.try_get(0)?,
                        party_gln: row.try_get(1)?,
                        name: row.try_get(2)?,
                        region: row.try_get(3)?,
                    })
                })
                .collect()
        })
    }
}

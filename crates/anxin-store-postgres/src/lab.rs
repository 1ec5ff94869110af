//! Lab results, committed enterprise standards and releases (append-only).

use anxin_store::lab::{
    self, CommittedStandard, LabResult, LabStore, LotOrigin, NewLabResult, ReleaseRow, SampleOf,
    StoredLink, Submission,
};
use anxin_store::{StoreError, StoreFuture, Viewer};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use crate::PgStore;

const RESULT_COLUMNS: &str = "r.result_id, r.sample_of, r.subject, r.sample_id, r.analyte, r.value, \
     r.unit, r.sample_unit, r.method, r.laboratory, r.analyst, r.tested_ms, r.supersedes, \
     (SELECT n.result_id FROM lab_result n WHERE n.supersedes = r.result_id), \
     r.account_id, r.party_gln, r.submitted_ms";

fn sample_unit(value: Option<i32>) -> Option<u32> {
    value.and_then(|n| u32::try_from(n).ok())
}

fn result_from_row(row: &Row) -> Result<LabResult, StoreError> {
    let kind: String = row.try_get(1)?;
    Ok(LabResult {
        result_id: row.try_get(0)?,
        sample_of: SampleOf::parse(&kind)
            .ok_or_else(|| StoreError::internal(format!("a stored sample_of of `{kind}`")))?,
        subject: row.try_get(2)?,
        sample_id: row.try_get(3)?,
        analyte: row.try_get(4)?,
        value: row.try_get(5)?,
        unit: row.try_get(6)?,
        sample_unit: sample_unit(row.try_get(7)?),
        method: row.try_get(8)?,
        laboratory: row.try_get(9)?,
        analyst: row.try_get(10)?,
        tested_ms: row.try_get(11)?,
        supersedes: row.try_get(12)?,
        superseded_by: row.try_get(13)?,
        account_id: row.try_get(14)?,
        party: row.try_get(15)?,
        submitted_ms: row.try_get(16)?,
    })
}

const LOT_ORIGIN_SQL: &str = "SELECT e.event_id, e.event_time_ms, e.party_gln, p.gln, \
     (SELECT o.party_gln FROM location_owner o WHERE o.gln = p.gln), \
     (SELECT l.region FROM location l WHERE l.gln = p.gln AND l.region IS NOT NULL ORDER BY l.location_id LIMIT 1) \
     FROM event_class c JOIN event e ON e.event_seq = c.event_seq \
     LEFT JOIN event_place p ON p.event_seq = e.event_seq AND p.role = 'biz_location' \
     WHERE c.class = $1 AND (c.role = 'output' OR (c.role = 'quantity' AND e.action = 'ADD')) \
     AND e.has_error_declaration = 0 ORDER BY e.event_seq LIMIT 1";

async fn lot_origin(
    client: &impl GenericClient,
    lot: &str,
) -> Result<Option<LotOrigin>, StoreError> {
    let Some(row) = client.query_opt(LOT_ORIGIN_SQL, &[&lot]).await? else {
        return Ok(None);
    };
    Ok(Some(LotOrigin {
        lot: lot.to_owned(),
        event_id: row.try_get(0)?,
        event_time_ms: row.try_get(1)?,
        party: row.try_get(2)?,
        location_gln: row.try_get(3)?,
        location_owner: row.try_get(4)?,
        region: row.try_get(5)?,
    }))
}

async fn stored_link(
    client: &impl GenericClient,
    id: i64,
) -> Result<Option<StoredLink>, StoreError> {
    let Some(row) = client
        .query_opt(
            "SELECT sample_of, subject, analyte, sample_unit, \
             EXISTS (SELECT 1 FROM lab_result n WHERE n.supersedes = r.result_id) \
             FROM lab_result r WHERE result_id = $1",
            &[&id],
        )
        .await?
    else {
        return Ok(None);
    };
    let kind: String = row.try_get(0)?;
    Ok(Some(StoredLink {
        sample_of: SampleOf::parse(&kind)
            .ok_or_else(|| StoreError::internal(format!("a stored sample_of of `{kind}`")))?,
        subject: row.try_get(1)?,
        analyte: row.try_get(2)?,
        sample_unit: sample_unit(row.try_get(3)?),
        superseded: row.try_get(4)?,
    }))
}

fn release_from_row(row: &Row) -> Result<ReleaseRow, StoreError> {
    Ok(ReleaseRow {
        release_id: row.try_get(0)?,
        lot: row.try_get(1)?,
        account_id: row.try_get(2)?,
        party: row.try_get(3)?,
        released_ms: row.try_get(4)?,
        verdict: row.try_get(5)?,
        judgment_json: row.try_get(6)?,
        result_ids_json: row.try_get(7)?,
        standard_id: row.try_get(8)?,
        event_id: row.try_get(9)?,
        job_id: row.try_get(10)?,
    })
}

/// Appends a release row (on its own or in a capture's transaction); returns its ID.
pub(crate) async fn insert_release(
    client: &impl tokio_postgres::GenericClient,
    r: &ReleaseRow,
) -> Result<i64, StoreError> {
    let row = client
        .query_one(
            "INSERT INTO lot_release (lot, account_id, party_gln, released_ms, verdict, judgment, \
             result_ids, standard_id, event_id, job_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING release_id",
            &[
                &r.lot,
                &r.account_id,
                &r.party,
                &r.released_ms,
                &r.verdict,
                &r.judgment_json,
                &r.result_ids_json,
                &r.standard_id,
                &r.event_id,
                &r.job_id,
            ],
        )
        .await?;
    Ok(row.try_get(0)?)
}

/// The committed standards whose `column` (`gtin` or `party_gln`) is `value`, oldest first.
async fn committed_where(
    client: &impl tokio_postgres::GenericClient,
    column: &'static str,
    value: &str,
) -> Result<Vec<CommittedStandard>, StoreError> {
    client
        .query(
            &format!(
                "SELECT standard_id, party_gln, gtin, code, text, account_id, committed_ms \
                 FROM committed_standard WHERE {column} = $1 ORDER BY standard_id"
            ),
            &[&value],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(CommittedStandard {
                standard_id: row.try_get(0)?,
                party: row.try_get(1)?,
                gtin: row.try_get(2)?,
                code: row.try_get(3)?,
                text: row.try_get(4)?,
                account_id: row.try_get(5)?,
                committed_ms: row.try_get(6)?,
            })
        })
        .collect()
}

impl LabStore for PgStore {
    fn add_lab_results<'a>(
        &'a self,
        viewer: &'a Viewer,
        rows: &'a [NewLabResult],
    ) -> StoreFuture<'a, Submission> {
        Box::pin(async move {
            let (rows, first_errors) = lab::prepare_results(rows);
            let account_id = viewer.account.account_id;
            let party = viewer.account.party.as_ref().map(|p| p.as_str().to_owned());
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let mut subjects = std::collections::BTreeMap::new();
            let mut links = std::collections::BTreeMap::new();
            for row in &rows {
                if row.sample_of != SampleOf::SamplingTask && !subjects.contains_key(&row.subject) {
                    let found = lot_origin(&tx, &row.subject).await?.is_some();
                    subjects.insert(row.subject.clone(), found);
                }
                if let Some(old) = row.supersedes
                    && !links.contains_key(&old)
                {
                    links.insert(old, stored_link(&tx, old).await?);
                }
            }
            let errors = lab::check_against_store(
                &rows,
                |subject| subjects.get(subject).copied().unwrap_or(false),
                |id| links.get(&id).cloned().flatten(),
            );
            if !errors.is_empty() || !first_errors.is_empty() {
                return Ok(Submission::Refused(lab::merge_errors(first_errors, errors)));
            }
            let now = anxin_store::now_ms();
            let insert = tx
                .prepare(&format!(
                    "WITH r AS (INSERT INTO lab_result (sample_of, subject, sample_id, analyte, value, \
                     unit, sample_unit, method, laboratory, analyst, tested_ms, supersedes, account_id, \
                     party_gln, submitted_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                     RETURNING *) SELECT {} FROM r",
                    RESULT_COLUMNS.replace(
                        "(SELECT n.result_id FROM lab_result n WHERE n.supersedes = r.result_id)",
                        "NULL::bigint"
                    )
                ))
                .await?;
            let mut stored = Vec::with_capacity(rows.len());
            for row in &rows {
                let sample_unit = row
                    .sample_unit
                    .map(|n| i32::try_from(n).unwrap_or(i32::MAX));
                let inserted = tx
                    .query_one(
                        &insert,
                        &[
                            &row.sample_of.name(),
                            &row.subject,
                            &row.sample_id.trim(),
                            &row.analyte,
                            &row.value,
                            &row.unit,
                            &sample_unit,
                            &row.method.trim(),
                            &row.laboratory.trim(),
                            &row.analyst.trim(),
                            &row.tested_ms,
                            &row.supersedes,
                            &account_id,
                            &party,
                            &now,
                        ],
                    )
                    .await?;
                stored.push(result_from_row(&inserted)?);
            }
            tx.commit().await?;
            Ok(Submission::Stored(stored))
        })
    }

    fn lab_results<'a>(
        &'a self,
        sample_of: SampleOf,
        subject: &'a str,
    ) -> StoreFuture<'a, Vec<LabResult>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    &format!(
                        "SELECT {RESULT_COLUMNS} FROM lab_result r \
                         WHERE r.subject = $1 AND r.sample_of = $2 ORDER BY r.result_id"
                    ),
                    &[&subject, &sample_of.name()],
                )
                .await?
                .iter()
                .map(result_from_row)
                .collect()
        })
    }

    fn lot_origin<'a>(&'a self, lot: &'a str) -> StoreFuture<'a, Option<LotOrigin>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            lot_origin(&client, lot).await
        })
    }

    fn add_committed_standard<'a>(&'a self, s: &'a CommittedStandard) -> StoreFuture<'a, i64> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let row = client
                .query_one(
                    "INSERT INTO committed_standard (party_gln, gtin, code, text, account_id, committed_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING standard_id",
                    &[&s.party, &s.gtin, &s.code, &s.text, &s.account_id, &s.committed_ms],
                )
                .await?;
            Ok(row.try_get(0)?)
        })
    }

    fn committed_standards<'a>(&'a self, gtin: &'a str) -> StoreFuture<'a, Vec<CommittedStandard>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            committed_where(&**client, "gtin", gtin).await
        })
    }

    fn committed_standards_by_party<'a>(
        &'a self,
        party_gln: &'a str,
    ) -> StoreFuture<'a, Vec<CommittedStandard>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            committed_where(&**client, "party_gln", party_gln).await
        })
    }

    fn add_release<'a>(&'a self, r: &'a ReleaseRow) -> StoreFuture<'a, i64> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            insert_release(&**client, r).await
        })
    }

    fn capture_release<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: anxin_store::CaptureInput,
        row: ReleaseRow,
    ) -> StoreFuture<'a, anxin_store::CaptureJob> {
        Box::pin(self.capture_document(
            viewer,
            job_id,
            input,
            Some(crate::capture::Attached::Release(row)),
        ))
    }

    fn releases<'a>(&'a self, lot: &'a str) -> StoreFuture<'a, Vec<ReleaseRow>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    "SELECT release_id, lot, account_id, party_gln, released_ms, verdict, judgment, \
                     result_ids, standard_id, event_id, job_id FROM lot_release WHERE lot = $1 \
                     ORDER BY release_id",
                    &[&lot],
                )
                .await?
                .iter()
                .map(release_from_row)
                .collect()
        })
    }
}

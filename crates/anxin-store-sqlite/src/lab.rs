//! Lab results, committed enterprise standards and releases (append-only).

use anxin_store::lab::{
    self, CommittedStandard, LabResult, LabStore, LotOrigin, NewLabResult, ReleaseRow, SampleOf,
    StoredLink, Submission,
};
use anxin_store::{StoreError, StoreFuture, Viewer};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::SqliteStore;

const RESULT_COLUMNS: &str = "r.result_id, r.sample_of, r.subject, r.sample_id, r.analyte, r.value, \
     r.unit, r.sample_unit, r.method, r.laboratory, r.analyst, r.tested_ms, r.supersedes, \
     (SELECT n.result_id FROM lab_result n WHERE n.supersedes = r.result_id), \
     r.account_id, r.party_gln, r.submitted_ms";

fn result_from_row(row: &Row<'_>) -> rusqlite::Result<LabResult> {
    let kind: String = row.get(1)?;
    Ok(LabResult {
        result_id: row.get(0)?,
        sample_of: SampleOf::parse(&kind).unwrap_or(SampleOf::SamplingTask),
        subject: row.get(2)?,
        sample_id: row.get(3)?,
        analyte: row.get(4)?,
        value: row.get(5)?,
        unit: row.get(6)?,
        sample_unit: row.get(7)?,
        method: row.get(8)?,
        laboratory: row.get(9)?,
        analyst: row.get(10)?,
        tested_ms: row.get(11)?,
        supersedes: row.get(12)?,
        superseded_by: row.get(13)?,
        account_id: row.get(14)?,
        party: row.get(15)?,
        submitted_ms: row.get(16)?,
    })
}

/// The lot's making event (the SQL is the same on both backends but for placeholders).
pub(crate) const LOT_ORIGIN_SQL: &str = "SELECT e.event_id, e.event_time_ms, e.party_gln, p.gln, \
     (SELECT o.party_gln FROM location_owner o WHERE o.gln = p.gln), \
     (SELECT l.region FROM location l WHERE l.gln = p.gln AND l.region IS NOT NULL ORDER BY l.location_id LIMIT 1) \
     FROM event_class c JOIN event e ON e.event_seq = c.event_seq \
     LEFT JOIN event_place p ON p.event_seq = e.event_seq AND p.role = 'biz_location' \
     WHERE c.class = ?1 AND (c.role = 'output' OR (c.role = 'quantity' AND e.action = 'ADD')) \
     AND e.has_error_declaration = 0 ORDER BY e.event_seq LIMIT 1";

fn lot_origin(conn: &Connection, lot: &str) -> Result<Option<LotOrigin>, StoreError> {
    Ok(conn
        .prepare_cached(LOT_ORIGIN_SQL)?
        .query_row([lot], |row| {
            Ok(LotOrigin {
                lot: lot.to_owned(),
                event_id: row.get(0)?,
                event_time_ms: row.get(1)?,
                party: row.get(2)?,
                location_gln: row.get(3)?,
                location_owner: row.get(4)?,
                region: row.get(5)?,
            })
        })
        .optional()?)
}

fn stored_link(conn: &Connection, id: i64) -> Result<Option<StoredLink>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT sample_of, subject, analyte, sample_unit, \
             EXISTS (SELECT 1 FROM lab_result n WHERE n.supersedes = r.result_id) \
             FROM lab_result r WHERE result_id = ?1",
        )?
        .query_row([id], |row| {
            let kind: String = row.get(0)?;
            Ok(StoredLink {
                sample_of: SampleOf::parse(&kind).unwrap_or(SampleOf::SamplingTask),
                subject: row.get(1)?,
                analyte: row.get(2)?,
                sample_unit: row.get(3)?,
                superseded: row.get(4)?,
            })
        })
        .optional()?)
}

/// Appends a release row (on its own or in a capture's transaction); returns its ID.
pub(crate) fn insert_release(conn: &Connection, r: &ReleaseRow) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO lot_release (lot, account_id, party_gln, released_ms, verdict, judgment, \
         result_ids, standard_id, event_id, job_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        r.lot,
        r.account_id,
        r.party,
        r.released_ms,
        r.verdict,
        r.judgment_json,
        r.result_ids_json,
        r.standard_id,
        r.event_id,
        r.job_id,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The committed standards whose `column` (`gtin` or `party_gln`) is `value`, oldest first.
fn committed_where(
    conn: &Connection,
    column: &'static str,
    value: &str,
) -> Result<Vec<CommittedStandard>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT standard_id, party_gln, gtin, code, text, account_id, committed_ms \
         FROM committed_standard WHERE {column} = ?1 ORDER BY standard_id"
    ))?;
    let rows = statement
        .query_map([value], |row| {
            Ok(CommittedStandard {
                standard_id: row.get(0)?,
                party: row.get(1)?,
                gtin: row.get(2)?,
                code: row.get(3)?,
                text: row.get(4)?,
                account_id: row.get(5)?,
                committed_ms: row.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

impl LabStore for SqliteStore {
    fn add_lab_results<'a>(
        &'a self,
        viewer: &'a Viewer,
        rows: &'a [NewLabResult],
    ) -> StoreFuture<'a, Submission> {
        let prepared = lab::prepare_results(rows);
        let account_id = viewer.account.account_id;
        let party = viewer.account.party.as_ref().map(|p| p.as_str().to_owned());
        Box::pin(async move {
            let (rows, first_errors) = prepared;
            self.write(move |conn| {
                let tx = conn.transaction()?;
                let mut subjects = std::collections::BTreeMap::new();
                let mut links = std::collections::BTreeMap::new();
                for row in &rows {
                    if row.sample_of != SampleOf::SamplingTask
                        && !subjects.contains_key(&row.subject)
                    {
                        let found = lot_origin(&tx, &row.subject)?.is_some();
                        subjects.insert(row.subject.clone(), found);
                    }
                    if let Some(old) = row.supersedes
                        && !links.contains_key(&old)
                    {
                        links.insert(old, stored_link(&tx, old)?);
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
                let mut ids = Vec::with_capacity(rows.len());
                {
                    let mut insert = tx.prepare_cached(
                        "INSERT INTO lab_result (sample_of, subject, sample_id, analyte, value, unit, \
                         sample_unit, method, laboratory, analyst, tested_ms, supersedes, account_id, \
                         party_gln, submitted_ms) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                    )?;
                    for row in &rows {
                        insert.execute(params![
                            row.sample_of.name(),
                            row.subject,
                            row.sample_id.trim(),
                            row.analyte,
                            row.value,
                            row.unit,
                            row.sample_unit,
                            row.method.trim(),
                            row.laboratory.trim(),
                            row.analyst.trim(),
                            row.tested_ms,
                            row.supersedes,
                            account_id,
                            party,
                            now,
                        ])?;
                        ids.push(tx.last_insert_rowid());
                    }
                }
                let mut stored = Vec::with_capacity(ids.len());
                {
                    let mut select = tx.prepare_cached(&format!(
                        "SELECT {RESULT_COLUMNS} FROM lab_result r WHERE r.result_id = ?1"
                    ))?;
                    for id in ids {
                        stored.push(select.query_row([id], result_from_row)?);
                    }
                }
                tx.commit()?;
                Ok(Submission::Stored(stored))
            })
            .await
        })
    }

    fn lab_results<'a>(
        &'a self,
        sample_of: SampleOf,
        subject: &'a str,
    ) -> StoreFuture<'a, Vec<LabResult>> {
        let subject = subject.to_owned();
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {RESULT_COLUMNS} FROM lab_result r \
                 WHERE r.subject = ?1 AND r.sample_of = ?2 ORDER BY r.result_id"
            ))?;
            let rows = statement
                .query_map(params![subject, sample_of.name()], result_from_row)?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn lot_origin<'a>(&'a self, lot: &'a str) -> StoreFuture<'a, Option<LotOrigin>> {
        let lot = lot.to_owned();
        Box::pin(self.read(move |conn| lot_origin(conn, &lot)))
    }

    fn add_committed_standard<'a>(
        &'a self,
        standard: &'a CommittedStandard,
    ) -> StoreFuture<'a, i64> {
        let s = standard.clone();
        Box::pin(self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO committed_standard (party_gln, gtin, code, text, account_id, committed_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![s.party, s.gtin, s.code, s.text, s.account_id, s.committed_ms])?;
            Ok(conn.last_insert_rowid())
        }))
    }

    fn committed_standards<'a>(&'a self, gtin: &'a str) -> StoreFuture<'a, Vec<CommittedStandard>> {
        let gtin = gtin.to_owned();
        Box::pin(self.read(move |conn| committed_where(conn, "gtin", &gtin)))
    }

    fn committed_standards_by_party<'a>(
        &'a self,
        party_gln: &'a str,
    ) -> StoreFuture<'a, Vec<CommittedStandard>> {
        let party = party_gln.to_owned();
        Box::pin(self.read(move |conn| committed_where(conn, "party_gln", &party)))
    }

    fn add_release<'a>(&'a self, release: &'a ReleaseRow) -> StoreFuture<'a, i64> {
        let r = release.clone();
        Box::pin(self.write(move |conn| insert_release(conn, &r)))
    }

    fn capture_release<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: anxin_store::CaptureInput,
        row: ReleaseRow,
    ) -> StoreFuture<'a, anxin_store::CaptureJob> {
        self.capture_with(
            viewer,
            job_id,
            input,
            Some(crate::capture::Attached::Release(row)),
        )
    }

    fn releases<'a>(&'a self, lot: &'a str) -> StoreFuture<'a, Vec<ReleaseRow>> {
        let lot = lot.to_owned();
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT release_id, lot, account_id, party_gln, released_ms, verdict, judgment, \
                 result_ids, standard_id, event_id, job_id FROM lot_release WHERE lot = ?1 \
                 ORDER BY release_id",
            )?;
            let rows = statement
                .query_map([lot], |row| {
                    Ok(ReleaseRow {
                        release_id: row.get(0)?,
                        lot: row.get(1)?,
                        account_id: row.get(2)?,
                        party: row.get(3)?,
                        released_ms: row.get(4)?,
                        verdict: row.get(5)?,
                        judgment_json: row.get(6)?,
                        result_ids_json: row.get(7)?,
                        standard_id: row.get(8)?,
                        event_id: row.get(9)?,
                        job_id: row.get(10)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }
}

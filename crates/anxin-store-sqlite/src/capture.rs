//! Capture on SQLite: a job row first, then the whole document in one transaction that
//! also marks the job succeeded; and the job reads.
//!
//! Under rollback a document with any problem stores nothing and its job fails with every
//! problem listed. Under proceed the readable, valid events are stored and the problems are
//! listed on the succeeded job. An event whose hash ID is already stored counts as a
//! duplicate and is not stored again.
//!
//! Master data from an enterprise's document is kept only where it describes the party's
//! own locations, itself and its own products (`anxin_store::ownership`); the owners are read,
//! and unowned GTINs claimed, inside the capture's transaction.

use anxin_store::capture::{INTERRUPTED, new_job_id};
use anxin_store::lab::ReleaseRow;
use anxin_store::ownership::{self, Owners};
use anxin_store::prepare::{MasterData, PreparedDocument, PreparedEvent};
use anxin_store::recall::RecallRow;
use anxin_store::{
    CaptureInput, CaptureJob, ErrorBehaviour, JobState, JobStore, StoreError, StoreFuture, Viewer,
    now_ms,
};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use crate::SqliteStore;

const JOB_COLUMNS: &str = "job_id, account_id, state, error_behaviour, source, created_ms, finished_ms, \
     n_events, n_stored, n_duplicates, n_rejected, errors";

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<CaptureJob> {
    let state: String = row.get(2)?;
    let behaviour: String = row.get(3)?;
    let errors: String = row.get(11)?;
    Ok(CaptureJob {
        job_id: row.get(0)?,
        account_id: row.get(1)?,
        state: JobState::parse(&state).unwrap_or(JobState::Failed),
        error_behaviour: ErrorBehaviour::parse(&behaviour).unwrap_or_default(),
        source: row.get(4)?,
        created_ms: row.get(5)?,
        finished_ms: row.get(6)?,
        n_events: row.get::<_, i64>(7)? as u64,
        n_stored: row.get::<_, i64>(8)? as u64,
        n_duplicates: row.get::<_, i64>(9)? as u64,
        n_rejected: row.get::<_, i64>(10)? as u64,
        errors: serde_json::from_str(&errors).unwrap_or_default(),
    })
}

fn load_job(conn: &Connection, job_id: &str) -> Result<Option<CaptureJob>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM capture_job WHERE job_id = ?1");
    Ok(conn.query_row(&sql, [job_id], job_from_row).optional()?)
}

/// Writes the end of a job. `conn` may be a transaction.
fn finish_job(conn: &Connection, job: &CaptureJob) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE capture_job SET state = ?2, finished_ms = ?3, n_events = ?4, n_stored = ?5, n_duplicates = ?6, \
         n_rejected = ?7, errors = ?8 WHERE job_id = ?1",
        params![
            job.job_id,
            job.state.name(),
            job.finished_ms,
            job.n_events as i64,
            job.n_stored as i64,
            job.n_duplicates as i64,
            job.n_rejected as i64,
            serde_json::to_string(&job.errors)?
        ],
    )?;
    Ok(())
}

fn fail(
    conn: &Connection,
    mut job: CaptureJob,
    n_events: u64,
    errors: Vec<String>,
) -> Result<CaptureJob, StoreError> {
    job.state = JobState::Failed;
    job.finished_ms = Some(now_ms());
    job.n_events = n_events;
    job.n_rejected = n_events;
    job.errors = errors;
    finish_job(conn, &job)?;
    Ok(job)
}

/// The capture GLNs of the document that belong to a party other than `party`.
fn foreign_locations(
    conn: &Connection,
    document: &PreparedDocument,
    party: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    let Some(party) = party else {
        return Ok(Vec::new());
    };
    let mut statement =
        conn.prepare_cached("SELECT party_gln FROM location_owner WHERE gln = ?1")?;
    let mut refused = Vec::new();
    for gln in document.capture_glns() {
        let owner: Option<String> = statement.query_row([&gln], |row| row.get(0)).optional()?;
        if let Some(owner) = owner.filter(|owner| owner != party) {
            refused.push(format!("the location {gln} belongs to party {owner}"));
        }
    }
    Ok(refused)
}

/// A record written in the same transaction as the events it rests on.
pub(crate) enum Attached {
    /// A recall's row (its events mark the recalled goods).
    Recall(RecallRow),
    /// A lot's release row (its event is the `inspecting` one).
    Release(ReleaseRow),
}

impl SqliteStore {
    fn capture_blocking(
        conn: &mut Connection,
        ledger: bool,
        viewer: &Viewer,
        job_id: &str,
        document: Result<PreparedDocument, StoreError>,
        attached: Option<Attached>,
    ) -> Result<CaptureJob, StoreError> {
        let job = load_job(conn, job_id)?
            .filter(|job| job.account_id == viewer.account.account_id)
            .ok_or_else(|| StoreError::NotFound(format!("capture job {job_id}")))?;
        if job.state != JobState::Running {
            return Err(StoreError::ConstraintViolation(format!(
                "capture job {job_id} has already finished"
            )));
        }
        let mut document = match document {
            Ok(document) => document,
            Err(error) => {
                fail(conn, job, 0, vec![format!("nothing was stored: {error}")])?;
                return Err(error);
            }
        };
        let n_events = document.n_events;
        let party = match viewer.capturing_party() {
            Ok(party) => party.map(|party| party.as_str().to_owned()),
            Err(refusal) => {
                fail(conn, job, n_events, vec![refusal.to_string()])?;
                return Err(refusal);
            }
        };
        if job.error_behaviour == ErrorBehaviour::Rollback && !document.problems.is_empty() {
            return fail(conn, job, n_events, std::mem::take(&mut document.problems));
        }
        let refused = foreign_locations(conn, &document, party.as_deref())?;
        if !refused.is_empty() {
            let reason = format!("forbidden: {}", refused.join("; "));
            fail(conn, job, n_events, refused)?;
            return Err(StoreError::Forbidden(reason));
        }
        let tx = conn.transaction()?;
        let stored =
            store_document(&tx, job.clone(), party.as_deref(), document, ledger).and_then(|done| {
                match attached {
                    Some(Attached::Recall(mut row)) => {
                        row.job_id = Some(done.job_id.clone());
                        crate::recall::insert_recall(&tx, &row).map(|()| done)
                    }
                    Some(Attached::Release(mut row)) => {
                        row.job_id = done.job_id.clone();
                        crate::lab::insert_release(&tx, &row).map(|_| done)
                    }
                    None => Ok(done),
                }
            });
        match stored {
            Ok(done) => {
                tx.commit()?;
                Ok(done)
            }
            Err(error) => {
                drop(tx);
                fail(
                    conn,
                    job,
                    n_events,
                    vec![format!("nothing was stored: {error}")],
                )?;
                Err(error)
            }
        }
    }
}

fn store_document(
    tx: &Transaction<'_>,
    mut job: CaptureJob,
    party: Option<&str>,
    document: PreparedDocument,
    ledger: bool,
) -> Result<CaptureJob, StoreError> {
    let mut master = document.master;
    if let Some(party) = party {
        let owners =
            claim_and_read_owners(tx, &master, party, &job.job_id, document.record_time_ms)?;
        anxin_store::ownership::keep_own(&mut master, party, &owners);
    }
    write_master_data(tx, &master, document.record_time_ms)?;
    for (prefix, iri) in &document.prefixes {
        tx.prepare_cached(
            "INSERT INTO namespace_prefix (prefix, iri) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        )?
        .execute([prefix, iri])?;
    }
    let (mut n_stored, mut n_duplicates) = (0u64, document.n_repeated);
    // The ledger's next index; this connection is the only writer, so nobody else takes it.
    let mut next_leaf = if ledger {
        crate::ledger::next_leaf_index(tx)?
    } else {
        0
    };
    for event in &document.events {
        match insert_event(tx, event, job.account_id, party, &job.job_id)? {
            Some(seq) => {
                n_stored += 1;
                if ledger {
                    crate::ledger::insert_leaf(tx, next_leaf, seq, event, party)?;
                    next_leaf += 1;
                }
            }
            None => n_duplicates += 1,
        }
    }
    job.state = JobState::Succeeded;
    job.finished_ms = Some(now_ms());
    job.n_events = document.n_events;
    job.n_stored = n_stored;
    job.n_duplicates = n_duplicates;
    job.n_rejected = document.problems.len() as u64;
    // Event problems, then master-data values not kept; only the former count as rejected.
    job.errors = document.problems;
    job.errors.extend(master.problems);
    finish_job(tx, &job)?;
    if n_stored > 0 {
        crate::subscriptions::queue_deliveries(tx, &job.job_id)?;
    }
    Ok(job)
}

/// Inserts one event and its index rows; returns its `event_seq`, or none when its record
/// key was already stored.
fn insert_event(
    tx: &Transaction<'_>,
    event: &PreparedEvent,
    account_id: i64,
    party: Option<&str>,
    job_id: &str,
) -> Result<Option<i64>, StoreError> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO event (record_key, hash_id, event_id, event_type, event_time_ms, record_time_ms, action, biz_step, \
             disposition, read_point, biz_location, has_error_declaration, account_id, party_gln, job_id, body) \
             VALUES (?16, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT (record_key) DO NOTHING",
        )?
        .execute(params![
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
            account_id,
            party,
            job_id,
            event.body,
            event.record_key,
        ])?;
    if inserted == 0 {
        return Ok(None);
    }
    let seq = tx.last_insert_rowid();
    let time = event.record_time_ms;
    let mut epc = tx.prepare_cached(
        "INSERT INTO event_epc (event_seq, record_time_ms, role, epc) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for row in &event.epcs {
        epc.execute(params![seq, time, row.role, row.epc])?;
    }
    let mut class = tx.prepare_cached(
        "INSERT INTO event_class (event_seq, record_time_ms, role, class, quantity, uom) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for row in &event.classes {
        class.execute(params![
            seq,
            time,
            row.role,
            row.class,
            row.quantity,
            row.uom
        ])?;
    }
    let mut place = tx.prepare_cached(
        "INSERT INTO event_place (event_seq, record_time_ms, role, kind, place, gln) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for row in &event.places {
        place.execute(params![seq, time, row.role, row.kind, row.place, row.gln])?;
    }
    let mut attr = tx.prepare_cached(
        "INSERT INTO event_attr (event_seq, record_time_ms, name, value) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for row in &event.attrs {
        attr.execute(params![seq, time, row.name, row.value])?;
    }
    Ok(Some(seq))
}

/// Makes `party` the owner of every GTIN the document describes that nobody owns yet, then
/// reads the owners of the described locations (and their children) and products; in the
/// capture's transaction, so the claims stand or fall with the document.
fn claim_and_read_owners(
    tx: &Transaction<'_>,
    master: &MasterData,
    party: &str,
    job_id: &str,
    now: i64,
) -> Result<Owners, StoreError> {
    let mut owners = Owners::default();
    let mut location_owner =
        tx.prepare_cached("SELECT party_gln FROM location_owner WHERE gln = ?1")?;
    for gln in ownership::location_glns(master) {
        let owner: Option<String> = location_owner
            .query_row([&gln], |row| row.get(0))
            .optional()?;
        if let Some(owner) = owner {
            owners.locations.insert(gln, owner);
        }
    }
    let mut claim = tx.prepare_cached(
        "INSERT INTO product_owner (gtin, party_gln, claimed_ms, job_id) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (gtin) DO NOTHING",
    )?;
    let mut product_owner =
        tx.prepare_cached("SELECT party_gln FROM product_owner WHERE gtin = ?1")?;
    for gtin in ownership::product_gtins(master) {
        claim.execute(params![gtin, party, now, job_id])?;
        let owner: String = product_owner.query_row([&gtin], |row| row.get(0))?;
        owners.products.insert(gtin, owner);
    }
    Ok(owners)
}

fn write_master_data(
    tx: &Transaction<'_>,
    master: &MasterData,
    now: i64,
) -> Result<(), StoreError> {
    for location in &master.locations {
        tx.prepare_cached(
            "INSERT INTO location (location_id, written_id, gln, name, address, region, production_licence, updated_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, ?7) ON CONFLICT (location_id) DO UPDATE SET \
             name = coalesce(excluded.name, name), address = coalesce(excluded.address, address), \
             region = coalesce(excluded.region, region), \
             production_licence = coalesce(excluded.production_licence, production_licence), \
             updated_ms = excluded.updated_ms",
        )?
        .execute(params![
            location.location_id,
            location.written_id,
            location.gln,
            location.name,
            location.address,
            location.region,
            now,
            location.production_licence
        ])?;
        for child in &location.children {
            tx.prepare_cached("INSERT INTO location_child (parent_id, child_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
                .execute([&location.location_id, child])?;
        }
    }
    for party in &master.parties {
        tx.prepare_cached(
            "INSERT INTO party (party_id, gln, name, address, region, kind, contact, updated_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (party_id) DO UPDATE SET name = coalesce(excluded.name, name), \
             address = coalesce(excluded.address, address), region = coalesce(excluded.region, region), \
             kind = coalesce(excluded.kind, kind), contact = coalesce(excluded.contact, contact), \
             updated_ms = excluded.updated_ms",
        )?
        .execute(params![
            party.party_id,
            party.gln,
            party.name,
            party.address,
            party.region,
            party.kind,
            party.contact,
            now
        ])?;
    }
    for product in &master.products {
        tx.prepare_cached(
            "INSERT INTO product (product_id, gtin, brand, name, stage, formula_registration, updated_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?7, ?6) \
             ON CONFLICT (product_id) DO UPDATE SET brand = coalesce(excluded.brand, brand), \
             name = coalesce(excluded.name, name), stage = coalesce(excluded.stage, stage), \
             formula_registration = coalesce(excluded.formula_registration, formula_registration), \
             updated_ms = excluded.updated_ms",
        )?
        .execute(params![product.product_id, product.gtin, product.brand, product.name, product.stage, now, product.formula_registration])?;
    }
    Ok(())
}

impl SqliteStore {
    pub(crate) fn start_job_blocking(
        conn: &Connection,
        viewer: &Viewer,
        behaviour: ErrorBehaviour,
        source: &str,
    ) -> Result<CaptureJob, StoreError> {
        viewer.capturing_party()?;
        let job_id = new_job_id()?;
        conn.execute(
            "INSERT INTO capture_job (job_id, account_id, state, error_behaviour, source, created_ms) \
             VALUES (?1, ?2, 'running', ?3, ?4, ?5)",
            params![job_id, viewer.account.account_id, behaviour.name(), source, now_ms()],
        )?;
        load_job(conn, &job_id)?.ok_or_else(|| StoreError::internal("a new job vanished"))
    }
}

impl SqliteStore {
    pub(crate) fn fail_job_async<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        reason: String,
    ) -> StoreFuture<'a, CaptureJob> {
        let (account_id, job_id) = (viewer.account.account_id, job_id.to_owned());
        Box::pin(self.write(move |conn| {
            let job = load_job(conn, &job_id)?
                .filter(|job| job.account_id == account_id && job.state == JobState::Running)
                .ok_or_else(|| StoreError::NotFound(format!("running capture job {job_id}")))?;
            fail(conn, job, 0, vec![reason])
        }))
    }
}

impl JobStore for SqliteStore {
    fn get_job<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
    ) -> StoreFuture<'a, Option<CaptureJob>> {
        let (job_id, viewer) = (job_id.to_owned(), viewer.clone());
        Box::pin(self.read(move |conn| {
            let job = load_job(conn, &job_id)?;
            let admin = viewer.account.role == anxin_store::Role::Admin;
            Ok(job.filter(|job| admin || job.account_id == viewer.account.account_id))
        }))
    }

    fn list_jobs<'a>(&'a self, viewer: &'a Viewer, limit: u32) -> StoreFuture<'a, Vec<CaptureJob>> {
        let account_id = viewer.account.account_id;
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {JOB_COLUMNS} FROM capture_job WHERE account_id = ?1 ORDER BY created_ms DESC, job_id LIMIT ?2"
            );
            let mut statement = conn.prepare(&sql)?;
            let jobs = statement.query_map(params![account_id, limit], job_from_row)?.collect::<Result<_, _>>()?;
            Ok(jobs)
        }))
    }

    fn finish_interrupted_jobs(&self) -> StoreFuture<'_, u64> {
        Box::pin(self.write(|conn| {
            let changed = conn.execute(
                "UPDATE capture_job SET state = 'failed', finished_ms = ?1, n_rejected = n_events, errors = ?2 \
                 WHERE state = 'running'",
                params![now_ms(), serde_json::to_string(&[INTERRUPTED])?],
            )?;
            Ok(changed as u64)
        }))
    }
}

impl SqliteStore {
    pub(crate) fn start_job_async<'a>(
        &'a self,
        viewer: &'a Viewer,
        behaviour: ErrorBehaviour,
        source: &'a str,
    ) -> StoreFuture<'a, CaptureJob> {
        let (viewer, source) = (viewer.clone(), source.to_owned());
        Box::pin(
            self.write(move |conn| {
                SqliteStore::start_job_blocking(conn, &viewer, behaviour, &source)
            }),
        )
    }

    pub(crate) fn capture_async<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: CaptureInput,
    ) -> StoreFuture<'a, CaptureJob> {
        self.capture_with(viewer, job_id, input, None)
    }

    /// Capture, with a recall's or a release's row written in the events' transaction when
    /// there is one.
    pub(crate) fn capture_with<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: CaptureInput,
        attached: Option<Attached>,
    ) -> StoreFuture<'a, CaptureJob> {
        let (viewer, job_id) = (viewer.clone(), job_id.to_owned());
        Box::pin(async move {
            // Hashing and encoding happen before the writer is taken, so other captures
            // wait only for rows to be written.
            let record_time_ms = now_ms();
            let document =
                tokio::task::spawn_blocking(move || PreparedDocument::new(input, record_time_ms))
                    .await
                    .map_err(StoreError::internal)?;
            let ledger = self.ledger;
            // Counted in flight until the writer thread is done with it, commit included, even
            // if this future is dropped meanwhile (`LocalCommits`).
            let in_flight = self.commits.begin();
            self.write(move |conn| {
                let done = SqliteStore::capture_blocking(
                    conn, ledger, &viewer, &job_id, document, attached,
                );
                drop(in_flight);
                done
            })
            .await
        })
    }
}

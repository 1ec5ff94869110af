//! Capture on PostgreSQL: the job row first, then one transaction that de-duplicates the
//! document against `event_key`, copies the new events and their index rows in binary, and
//! marks the job succeeded; and the job reads.
//!
//! Events are hashed and turned into rows before the transaction opens, so the transaction
//! holds its locks only while rows move. The month partitions for the record time are
//! created (if missing) before the transaction too, because DDL inside it would lock the
//! parent tables for every other capture.
//!
//! Master data from an enterprise's document is kept only where it describes the party's
//! own locations, itself and its own products (`anxin_store::ownership`); the owners are read,
//! and unowned GTINs claimed, inside the capture's transaction.

use std::collections::HashSet;
use std::pin::pin;

use anxin_store::capture::{INTERRUPTED, new_job_id};
use anxin_store::lab::ReleaseRow;
use anxin_store::ownership::{self, Owners};
use anxin_store::prepare::{MasterData, PreparedDocument, PreparedEvent};
use anxin_store::recall::RecallRow;
use anxin_store::{
    CaptureInput, CaptureJob, ErrorBehaviour, JobState, JobStore, StoreError, StoreFuture, Viewer,
    now_ms,
};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{GenericClient, Row};

use crate::PgStore;

const JOB_COLUMNS: &str = "job_id, account_id, state, error_behaviour, source, created_ms, finished_ms, \
     n_events, n_stored, n_duplicates, n_rejected, errors";

fn job_from_row(row: &Row) -> CaptureJob {
    let state: String = row.get(2);
    let behaviour: String = row.get(3);
    let errors: String = row.get(11);
    CaptureJob {
        job_id: row.get(0),
        account_id: row.get(1),
        state: JobState::parse(&state).unwrap_or(JobState::Failed),
        error_behaviour: ErrorBehaviour::parse(&behaviour).unwrap_or_default(),
        source: row.get(4),
        created_ms: row.get(5),
        finished_ms: row.get(6),
        n_events: row.get::<_, i64>(7) as u64,
        n_stored: row.get::<_, i64>(8) as u64,
        n_duplicates: row.get::<_, i64>(9) as u64,
        n_rejected: row.get::<_, i64>(10) as u64,
        errors: serde_json::from_str(&errors).unwrap_or_default(),
    }
}

async fn load_job(
    client: &impl GenericClient,
    job_id: &str,
) -> Result<Option<CaptureJob>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM capture_job WHERE job_id = $1");
    Ok(client
        .query_opt(&sql, &[&job_id])
        .await?
        .as_ref()
        .map(job_from_row))
}

async fn finish_job(client: &impl GenericClient, job: &CaptureJob) -> Result<(), StoreError> {
    client
        .execute(
            "UPDATE capture_job SET state = $2, finished_ms = $3, n_events = $4, n_stored = $5, n_duplicates = $6, \
             n_rejected = $7, errors = $8 WHERE job_id = $1",
            &[
                &job.job_id,
                &job.state.name(),
                &job.finished_ms,
                &(job.n_events as i64),
                &(job.n_stored as i64),
                &(job.n_duplicates as i64),
                &(job.n_rejected as i64),
                &serde_json::to_string(&job.errors)?,
            ],
        )
        .await?;
    Ok(())
}

async fn fail(
    client: &impl GenericClient,
    mut job: CaptureJob,
    n_events: u64,
    errors: Vec<String>,
) -> Result<CaptureJob, StoreError> {
    job.state = JobState::Failed;
    job.finished_ms = Some(now_ms());
    job.n_events = n_events;
    job.n_rejected = n_events;
    job.errors = errors;
    finish_job(client, &job).await?;
    Ok(job)
}

async fn foreign_locations(
    client: &impl GenericClient,
    document: &PreparedDocument,
    party: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    let Some(party) = party else {
        return Ok(Vec::new());
    };
    let glns = document.capture_glns();
    let rows = client
        .query(
            "SELECT gln, party_gln FROM location_owner WHERE gln = ANY($1) AND party_gln <> $2",
            &[&glns, &party],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let (gln, owner): (String, String) = (row.get(0), row.get(1));
            format!("the location {gln} belongs to party {owner}")
        })
        .collect())
}

/// Creates the month partitions that rows recorded at `record_time_ms` go to.
async fn ensure_month(client: &impl GenericClient, record_time_ms: i64) -> Result<(), StoreError> {
    let instant =
        jiff::Timestamp::from_millisecond(record_time_ms).map_err(StoreError::internal)?;
    let date = instant.to_zoned(jiff::tz::TimeZone::UTC).date();
    let start = date.first_of_month();
    let end = start
        .checked_add(jiff::ToSpan::months(1))
        .map_err(StoreError::internal)?;
    let to_ms = |day: jiff::civil::Date| -> Result<i64, StoreError> {
        Ok(day
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(StoreError::internal)?
            .timestamp()
            .as_millisecond())
    };
    let suffix = format!("y{:04}m{:02}", start.year(), start.month());
    client
        .execute(
            "SELECT anxin_ensure_month($1, $2, $3)",
            &[&to_ms(start)?, &to_ms(end)?, &suffix],
        )
        .await?;
    Ok(())
}

/// A record written in the same transaction as the events it rests on.
pub(crate) enum Attached {
    /// A recall's row (its events mark the recalled goods).
    Recall(RecallRow),
    /// A lot's release row (its event is the `inspecting` one).
    Release(ReleaseRow),
}

impl PgStore {
    /// Capture, with a recall's or a release's row written in the events' transaction when
    /// there is one.
    pub(crate) async fn capture_document(
        &self,
        viewer: &Viewer,
        job_id: &str,
        input: CaptureInput,
        attached: Option<Attached>,
    ) -> Result<CaptureJob, StoreError> {
        let record_time_ms = now_ms();
        let document =
            tokio::task::spawn_blocking(move || PreparedDocument::new(input, record_time_ms))
                .await
                .map_err(StoreError::internal)?;
        let mut client = self.pool.get().await?;
        let job = load_job(&**client, job_id)
            .await?
            .filter(|job| job.account_id == viewer.account.account_id)
            .ok_or_else(|| StoreError::NotFound(format!("capture job {job_id}")))?;
        if job.state != JobState::Running {
            return Err(StoreError::ConstraintViolation(format!(
                "capture job {job_id} has already finished"
            )));
        }
        let document = match document {
            Ok(document) => document,
            Err(error) => {
                fail(
                    &**client,
                    job,
                    0,
                    vec![format!("nothing was stored: {error}")],
                )
                .await?;
                return Err(error);
            }
        };
        let n_events = document.n_events;
        let party = match viewer.capturing_party() {
            Ok(party) => party.map(|party| party.as_str().to_owned()),
            Err(refusal) => {
                fail(&**client, job, n_events, vec![refusal.to_string()]).await?;
                return Err(refusal);
            }
        };
        if job.error_behaviour == ErrorBehaviour::Rollback && !document.problems.is_empty() {
            return fail(&**client, job, n_events, document.problems).await;
        }
        let refused = foreign_locations(&**client, &document, party.as_deref()).await?;
        if !refused.is_empty() {
            let reason = format!("forbidden: {}", refused.join("; "));
            fail(&**client, job, n_events, refused).await?;
            return Err(StoreError::Forbidden(reason));
        }
        ensure_month(&**client, record_time_ms).await?;
        // Counted in flight from before the transaction until this function returns, after
        // the commit (`LocalCommits`).
        let _in_flight = self.commits.begin();
        let tx = client.transaction().await?;
        let mut stored =
            store_document(&tx, job.clone(), party.as_deref(), &document, self.ledger).await;
        if let Ok(done) = &stored {
            let written = match attached {
                Some(Attached::Recall(mut row)) => {
                    row.job_id = Some(done.job_id.clone());
                    crate::recall::insert_recall(&*tx, &row).await
                }
                Some(Attached::Release(mut row)) => {
                    row.job_id = done.job_id.clone();
                    crate::lab::insert_release(&*tx, &row).await.map(|_| ())
                }
                None => Ok(()),
            };
            if let Err(error) = written {
                stored = Err(error);
            }
        }
        match stored {
            Ok(done) => {
                tx.commit().await?;
                Ok(done)
            }
            Err(error) => {
                tx.rollback().await?;
                fail(
                    &**client,
                    job,
                    n_events,
                    vec![format!("nothing was stored: {error}")],
                )
                .await?;
                Err(error)
            }
        }
    }
}

async fn store_document(
    tx: &deadpool_postgres::Transaction<'_>,
    mut job: CaptureJob,
    party: Option<&str>,
    document: &PreparedDocument,
    ledger: bool,
) -> Result<CaptureJob, StoreError> {
    let mut master = document.master.clone();
    if let Some(party) = party {
        let owners =
            claim_and_read_owners(tx, &master, party, &job.job_id, document.record_time_ms).await?;
        anxin_store::ownership::keep_own(&mut master, party, &owners);
    }
    write_master_data(tx, &master, document.record_time_ms).await?;
    for (prefix, iri) in &document.prefixes {
        tx.execute(
            "INSERT INTO namespace_prefix (prefix, iri) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[prefix, iri],
        )
        .await?;
    }
    let new_events = claim_hashes(tx, &document.events).await?;
    copy_events(tx, &new_events, job.account_id, party, &job.job_id).await?;
    copy_index_rows(tx, &new_events).await?;
    job.state = JobState::Succeeded;
    job.finished_ms = Some(now_ms());
    job.n_events = document.n_events;
    job.n_stored = new_events.len() as u64;
    job.n_duplicates = document.events.len() as u64 - job.n_stored + document.n_repeated;
    job.n_rejected = document.problems.len() as u64;
    // Event problems, then master-data values not kept; only the former count as rejected.
    job.errors = document.problems.clone();
    job.errors.extend(master.problems);
    finish_job(&**tx, &job).await?;
    if job.n_stored > 0 {
        crate::subscriptions::queue_deliveries(&**tx, &job.job_id).await?;
    }
    if ledger {
        // Last, so the ledger's lock is held only from here to the commit.
        crate::ledger::append_leaves(tx, &new_events, party).await?;
    }
    Ok(job)
}

/// Gives each event a number and claims its record key; returns the events whose key was
/// not stored before, with their numbers.
async fn claim_hashes<'d>(
    tx: &deadpool_postgres::Transaction<'_>,
    events: &'d [PreparedEvent],
) -> Result<Vec<(i64, &'d PreparedEvent)>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let seqs: Vec<i64> = tx
        .query(
            "SELECT nextval('event_seq') FROM generate_series(1, $1::int)",
            &[&(events.len() as i32)],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let keys: Vec<&str> = events
        .iter()
        .map(|event| event.record_key.as_str())
        .collect();
    let claimed: HashSet<String> = tx
        .query(
            "INSERT INTO event_key (record_key, event_seq, record_time_ms) \
             SELECT record_key, event_seq, $3 FROM unnest($1::text[], $2::bigint[]) AS claim(record_key, event_seq) \
             ON CONFLICT (record_key) DO NOTHING RETURNING record_key",
            &[&keys, &seqs, &events[0].record_time_ms],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    Ok(seqs
        .into_iter()
        .zip(events)
        .filter(|(_, event)| claimed.contains(&event.record_key))
        .collect())
}

async fn copy_in(
    tx: &deadpool_postgres::Transaction<'_>,
    sql: &str,
    types: &[Type],
    rows: Vec<Vec<&(dyn ToSql + Sync)>>,
) -> Result<(), StoreError> {
    let sink = tx.copy_in(sql).await?;
    let mut writer = pin!(BinaryCopyInWriter::new(sink, types));
    for row in rows {
        writer.as_mut().write(&row).await?;
    }
    writer.finish().await?;
    Ok(())
}

async fn copy_events(
    tx: &deadpool_postgres::Transaction<'_>,
    events: &[(i64, &PreparedEvent)],
    account_id: i64,
    party: Option<&str>,
    job_id: &str,
) -> Result<(), StoreError> {
    use Type as T;
    let flags: Vec<i16> = events
        .iter()
        .map(|(_, event)| i16::from(event.has_error_declaration))
        .collect();
    let rows: Vec<Vec<&(dyn ToSql + Sync)>> = events
        .iter()
        .zip(&flags)
        .map(|((seq, event), flag)| -> Vec<&(dyn ToSql + Sync)> {
            vec![
                seq,
                &event.hash_id,
                &event.event_id,
                &event.event_type,
                &event.event_time_ms,
                &event.record_time_ms,
                &event.action,
                &event.biz_step,
                &event.disposition,
                &event.read_point,
                &event.biz_location,
                flag,
                &account_id,
                &party,
                &job_id,
                &event.body,
            ]
        })
        .collect();
    copy_in(
        tx,
        "COPY event (event_seq, hash_id, event_id, event_type, event_time_ms, record_time_ms, action, biz_step, \
         disposition, read_point, biz_location, has_error_declaration, account_id, party_gln, job_id, body) \
         FROM STDIN (FORMAT binary)",
        &[T::INT8, T::TEXT, T::TEXT, T::TEXT, T::INT8, T::INT8, T::TEXT, T::TEXT, T::TEXT, T::TEXT, T::TEXT, T::INT2, T::INT8, T::TEXT, T::TEXT, T::TEXT],
        rows,
    )
    .await
}

async fn copy_index_rows(
    tx: &deadpool_postgres::Transaction<'_>,
    events: &[(i64, &PreparedEvent)],
) -> Result<(), StoreError> {
    use Type as T;
    let epcs: Vec<Vec<&(dyn ToSql + Sync)>> = events
        .iter()
        .flat_map(|(seq, event)| {
            event
                .epcs
                .iter()
                .map(move |row| -> Vec<&(dyn ToSql + Sync)> {
                    vec![seq, &event.record_time_ms, &row.role, &row.epc]
                })
        })
        .collect();
    copy_in(
        tx,
        "COPY event_epc (event_seq, record_time_ms, role, epc) FROM STDIN (FORMAT binary)",
        &[T::INT8, T::INT8, T::TEXT, T::TEXT],
        epcs,
    )
    .await?;
    let classes: Vec<Vec<&(dyn ToSql + Sync)>> = events
        .iter()
        .flat_map(|(seq, event)| {
            event
                .classes
                .iter()
                .map(move |row| -> Vec<&(dyn ToSql + Sync)> {
                    vec![
                        seq,
                        &event.record_time_ms,
                        &row.role,
                        &row.class,
                        &row.quantity,
                        &row.uom,
                    ]
                })
        })
        .collect();
    copy_in(
        tx,
        "COPY event_class (event_seq, record_time_ms, role, class, quantity, uom) FROM STDIN (FORMAT binary)",
        &[T::INT8, T::INT8, T::TEXT, T::TEXT, T::FLOAT8, T::TEXT],
        classes,
    )
    .await?;
    let places: Vec<Vec<&(dyn ToSql + Sync)>> = events
        .iter()
        .flat_map(|(seq, event)| {
            event
                .places
                .iter()
                .map(move |row| -> Vec<&(dyn ToSql + Sync)> {
                    vec![
                        seq,
                        &event.record_time_ms,
                        &row.role,
                        &row.kind,
                        &row.place,
                        &row.gln,
                    ]
                })
        })
        .collect();
    copy_in(
        tx,
        "COPY event_place (event_seq, record_time_ms, role, kind, place, gln) FROM STDIN (FORMAT binary)",
        &[T::INT8, T::INT8, T::TEXT, T::TEXT, T::TEXT, T::TEXT],
        places,
    )
    .await?;
    let attrs: Vec<Vec<&(dyn ToSql + Sync)>> = events
        .iter()
        .flat_map(|(seq, event)| {
            event
                .attrs
                .iter()
                .map(move |row| -> Vec<&(dyn ToSql + Sync)> {
                    vec![seq, &event.record_time_ms, &row.name, &row.value]
                })
        })
        .collect();
    copy_in(
        tx,
        "COPY event_attr (event_seq, record_time_ms, name, value) FROM STDIN (FORMAT binary)",
        &[T::INT8, T::INT8, T::TEXT, T::TEXT],
        attrs,
    )
    .await
}

/// Makes `party` the owner of every GTIN the document describes that nobody owns yet, then
/// reads the owners of the described locations (and their children) and products; in the
/// capture's transaction, so the claims stand or fall with the document. A concurrent
/// capture claiming the same GTIN waits on the first one's row and then reads its owner.
async fn claim_and_read_owners(
    tx: &deadpool_postgres::Transaction<'_>,
    master: &MasterData,
    party: &str,
    job_id: &str,
    now: i64,
) -> Result<Owners, StoreError> {
    let mut owners = Owners::default();
    let glns = ownership::location_glns(master);
    if !glns.is_empty() {
        let rows = tx
            .query(
                "SELECT gln, party_gln FROM location_owner WHERE gln = ANY($1)",
                &[&glns],
            )
            .await?;
        owners
            .locations
            .extend(rows.iter().map(|row| (row.get(0), row.get(1))));
    }
    let gtins = ownership::product_gtins(master);
    if !gtins.is_empty() {
        tx.execute(
            "INSERT INTO product_owner (gtin, party_gln, claimed_ms, job_id) \
             SELECT gtin, $2, $3, $4 FROM unnest($1::text[]) AS claim(gtin) \
             ON CONFLICT (gtin) DO NOTHING",
            &[&gtins, &party, &now, &job_id],
        )
        .await?;
        let rows = tx
            .query(
                "SELECT gtin, party_gln FROM product_owner WHERE gtin = ANY($1)",
                &[&gtins],
            )
            .await?;
        owners
            .products
            .extend(rows.iter().map(|row| (row.get(0), row.get(1))));
    }
    Ok(owners)
}

async fn write_master_data(
    tx: &deadpool_postgres::Transaction<'_>,
    master: &MasterData,
    now: i64,
) -> Result<(), StoreError> {
    for location in &master.locations {
        tx.execute(
            "INSERT INTO location (location_id, written_id, gln, name, address, region, production_licence, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $8, $7) ON CONFLICT (location_id) DO UPDATE SET \
             name = coalesce(excluded.name, location.name), address = coalesce(excluded.address, location.address), \
             region = coalesce(excluded.region, location.region), \
             production_licence = coalesce(excluded.production_licence, location.production_licence), \
             updated_ms = excluded.updated_ms",
            &[&location.location_id, &location.written_id, &location.gln, &location.name, &location.address, &location.region, &now, &location.production_licence],
        )
        .await?;
        for child in &location.children {
            tx.execute(
                "INSERT INTO location_child (parent_id, child_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&location.location_id, child],
            )
            .await?;
        }
    }
    for party in &master.parties {
        tx.execute(
            "INSERT INTO party (party_id, gln, name, address, region, kind, contact, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (party_id) DO UPDATE SET name = coalesce(excluded.name, party.name), \
             address = coalesce(excluded.address, party.address), region = coalesce(excluded.region, party.region), \
             kind = coalesce(excluded.kind, party.kind), contact = coalesce(excluded.contact, party.contact), \
             updated_ms = excluded.updated_ms",
            &[
                &party.party_id,
                &party.gln,
                &party.name,
                &party.address,
                &party.region,
                &party.kind,
                &party.contact,
                &now,
            ],
        )
        .await?;
    }
    for product in &master.products {
        tx.execute(
            "INSERT INTO product (product_id, gtin, brand, name, stage, formula_registration, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $7, $6) \
             ON CONFLICT (product_id) DO UPDATE SET brand = coalesce(excluded.brand, product.brand), \
             name = coalesce(excluded.name, product.name), stage = coalesce(excluded.stage, product.stage), \
             formula_registration = coalesce(excluded.formula_registration, product.formula_registration), \
             updated_ms = excluded.updated_ms",
            &[&product.product_id, &product.gtin, &product.brand, &product.name, &product.stage, &now, &product.formula_registration],
        )
        .await?;
    }
    Ok(())
}

impl PgStore {
    pub(crate) fn start_job_impl<'a>(
        &'a self,
        viewer: &'a Viewer,
        behaviour: ErrorBehaviour,
        source: &'a str,
    ) -> StoreFuture<'a, CaptureJob> {
        Box::pin(async move {
            viewer.capturing_party()?;
            let job_id = new_job_id()?;
            let client = self.pool.get().await?;
            let sql = format!(
                "INSERT INTO capture_job (job_id, account_id, state, error_behaviour, source, created_ms) \
                 VALUES ($1, $2, 'running', $3, $4, $5) RETURNING {JOB_COLUMNS}"
            );
            let row = client
                .query_one(
                    &sql,
                    &[
                        &job_id,
                        &viewer.account.account_id,
                        &behaviour.name(),
                        &source,
                        &now_ms(),
                    ],
                )
                .await?;
            Ok(job_from_row(&row))
        })
    }

    pub(crate) fn capture_impl<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: CaptureInput,
    ) -> StoreFuture<'a, CaptureJob> {
        Box::pin(self.capture_document(viewer, job_id, input, None))
    }
}

impl PgStore {
    pub(crate) fn fail_job_impl<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        reason: String,
    ) -> StoreFuture<'a, CaptureJob> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let job = load_job(&**client, job_id)
                .await?
                .filter(|job| {
                    job.account_id == viewer.account.account_id && job.state == JobState::Running
                })
                .ok_or_else(|| StoreError::NotFound(format!("running capture job {job_id}")))?;
            fail(&**client, job, 0, vec![reason]).await
        })
    }
}

impl JobStore for PgStore {
    fn get_job<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
    ) -> StoreFuture<'a, Option<CaptureJob>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let job = load_job(&**client, job_id).await?;
            let admin = viewer.account.role == anxin_store::Role::Admin;
            Ok(job.filter(|job| admin || job.account_id == viewer.account.account_id))
        })
    }

    fn list_jobs<'a>(&'a self, viewer: &'a Viewer, limit: u32) -> StoreFuture<'a, Vec<CaptureJob>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT {JOB_COLUMNS} FROM capture_job WHERE account_id = $1 ORDER BY created_ms DESC, job_id LIMIT $2"
            );
            let rows = client
                .query(&sql, &[&viewer.account.account_id, &i64::from(limit)])
                .await?;
            Ok(rows.iter().map(job_from_row).collect())
        })
    }

    fn finish_interrupted_jobs(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let errors = serde_json::to_string(&[INTERRUPTED])?;
            Ok(client
                .execute(
                    "UPDATE capture_job SET state = 'failed', finished_ms = $1, n_rejected = n_events, errors = $2 \
                     WHERE state = 'running'",
                    &[&now_ms(), &errors],
                )
                .await?)
        })
    }
}

//! Capturing a world into a store through the same paths real partners use: one
//! enterprise account per party (role, party GLN, region), each party's locations
//! registered as its own, and each upload captured as its party under a capture job.
//!
//! This module only calls the store traits of `anxin-store`; it opens nothing itself. The
//! tokens of the accounts are returned (never printed here), for a demo that needs to act
//! as some of the parties.

use anxin_quality::judge::Reading;
use anxin_store::lab::{NewLabResult, SampleOf, Submission};
use anxin_store::{
    CaptureInput, ControlPointRow, CorrectiveActionRow, ErrorBehaviour, HaccpLotRow,
    HaccpReadingRow, JobState, NewAccount, PartyGln, RawMilkTestRow, RegionCode, Store, StoreError,
    Viewer,
};

use crate::quality::{Quality, standards};
use crate::world::{PartyKind, World};
use crate::{Config, Generator, Manifest};

/// The account made for one party, with its token (shown once by the store).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyToken {
    /// Index into [`World::parties`].
    pub party: usize,
    /// The party's GLN.
    pub gln: String,
    /// The party's name.
    pub name: String,
    /// The party's kind.
    pub kind: PartyKind,
    /// Its home region (GB/T 2260), for parties in China.
    pub region: Option<String>,
    /// The bearer token of its account.
    pub token: String,
}

/// What a capture did.
#[derive(Clone, Debug)]
pub struct CaptureSummary {
    /// What was planted, and the counts of what was made.
    pub manifest: Manifest,
    /// One account per party.
    pub tokens: Vec<PartyToken>,
    /// Events the store newly stored.
    pub n_stored: u64,
    /// Events the store already had.
    pub n_duplicates: u64,
    /// The quality data, also stored (lab reports through `LabStore`, raw-milk tests and HACCP
    /// records through `QualityStore`).
    pub quality: Quality,
    /// Every finished lot's release inspection as captured (the maker's `inspecting` event
    /// with disposition `conformant`), for recording the release rows of the lots whose stored
    /// results judge conformant (`anxin_server::lab::adopt_releases`, which this crate cannot
    /// call: judging a stored lot is the server's).
    pub releases: Vec<ReleaseEvent>,
}

/// A lot's release inspection event as the simulator captured it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseEvent {
    /// The lot, as the event names it (LGTIN URN).
    pub lot: String,
    /// The event's ID (its CBV 2.0 hash ID: the simulator gives no `eventID`).
    pub event_id: String,
    /// The capture job that stored it.
    pub job_id: String,
    /// The event's time, Unix ms.
    pub released_ms: i64,
    /// The maker's account.
    pub account_id: i64,
    /// The maker's party GLN.
    pub party: String,
}

/// How far a capture has got, for progress bars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Cans generated so far.
    pub cans: u64,
    /// Events captured so far.
    pub events: u64,
    /// Documents captured so far.
    pub documents: u64,
    /// Quality records (raw-milk test results, HACCP readings, lots and actions) stored so far.
    pub quality_records: u64,
}

/// Creates one account per party and registers its locations; returns each party's
/// viewer and token, in party order.
pub async fn create_accounts(
    store: &dyn Store,
    world: &World,
) -> Result<Vec<(Viewer, PartyToken)>, StoreError> {
    let mut out = Vec::with_capacity(world.parties.len());
    for (index, party) in world.parties.iter().enumerate() {
        let gln = PartyGln::parse(&party.gln).map_err(StoreError::ConstraintViolation)?;
        let region = party.city.map(|city| world.cities[city].code);
        let region_code = region
            .map(RegionCode::parse)
            .transpose()
            .map_err(StoreError::ConstraintViolation)?;
        let (account, token) = store
            .create_account(NewAccount {
                name: party.name.clone(),
                role: party.kind.role(),
                party: Some(gln.clone()),
                region: region_code,
            })
            .await?;
        for place in &party.places {
            store.add_party_location(&place.gln, &gln).await?;
        }
        out.push((
            Viewer::new(account),
            PartyToken {
                party: index,
                gln: party.gln.clone(),
                name: party.name.clone(),
                kind: party.kind,
                region: region.map(str::to_owned),
                token,
            },
        ));
    }
    Ok(out)
}

/// Creates the accounts of `world` (which must be `config.world()`) and captures every
/// upload of `config` as its party, telling `progress` after each document. A document the store refuses, or
/// whose job names any problem (a master-data description not kept included), stops the capture with the store's
/// error (the simulator's events and master data are valid and each party's own, so that is a bug).
pub async fn capture_world(
    store: &dyn Store,
    world: &World,
    config: Config,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<CaptureSummary, StoreError> {
    let accounts = create_accounts(store, world).await?;
    let mut generator = Generator::new(world, config);
    let (mut n_stored, mut n_duplicates) = (0, 0);
    let mut done = Progress::default();
    let mut releases = Vec::new();
    while let Some(upload) = generator.next() {
        let viewer = &accounts[upload.party].0;
        let n_events = upload.events.len() as u64;
        let first_release = releases.len();
        for event in &upload.events {
            let is_release = event
                .biz_step
                .as_ref()
                .is_some_and(|t| t.json_form() == "inspecting")
                && event
                    .disposition
                    .as_ref()
                    .is_some_and(|t| t.json_form() == "conformant")
                && event
                    .extensions
                    .iter()
                    .any(|x| x.name.local == "releaseCertificate");
            if let (true, Some(q)) = (is_release, event.quantity_list.first()) {
                releases.push(ReleaseEvent {
                    lot: q.epc_class.clone(),
                    event_id: anxin_epcis::hash::event_hash_id(event),
                    job_id: String::new(),
                    released_ms: event.event_time.instant.as_millisecond(),
                    account_id: viewer.account.account_id,
                    party: world.parties[upload.party].gln.clone(),
                });
            }
        }
        let job = store
            .start_job(viewer, ErrorBehaviour::Rollback, "anxin sim")
            .await?;
        let job = store
            .capture(
                viewer,
                &job.job_id,
                CaptureInput::new(upload.header, upload.events),
            )
            .await?;
        // Any problem is a bug, a master-data one included: every party describes only its
        // own places, itself and its own products, with well-shaped numbers, so the store
        // keeps all of it (see `master_data.rs`).
        if job.state != JobState::Succeeded || job.n_rejected > 0 || !job.errors.is_empty() {
            return Err(StoreError::ConstraintViolation(format!(
                "the store refused a simulated document of {}: {}",
                world.parties[upload.party].gln,
                job.errors.join("; ")
            )));
        }
        for release in &mut releases[first_release..] {
            release.job_id = job.job_id.clone();
        }
        n_stored += job.n_stored;
        n_duplicates += job.n_duplicates;
        done.events += n_events;
        done.documents += 1;
        done.cans = generator.manifest().counts.cans;
        progress(done);
    }
    let (manifest, quality) = generator.into_parts();
    capture_quality(store, world, &accounts, &quality, &mut done, progress).await?;
    Ok(CaptureSummary {
        manifest,
        tokens: accounts.into_iter().map(|(_, token)| token).collect(),
        n_stored,
        n_duplicates,
        quality,
        releases,
    })
}

/// A lab report's results as rows for `LabStore::add_lab_results`, in the form the API and
/// `anxin lab submit` take (value as written, `<LOD`, `detected`, `not detected`).
pub fn lab_rows(report: &crate::quality::LabReport) -> Vec<NewLabResult> {
    report
        .measurements
        .iter()
        .enumerate()
        .map(|(index, m)| NewLabResult {
            line: index + 1,
            sample_of: SampleOf::Lot,
            subject: report.lot.clone(),
            sample_id: report.id.clone(),
            analyte: m.analyte.id.to_owned(),
            value: match m.reading {
                Reading::Value(v) => crate::quality::number(v),
                Reading::BelowDetection(v) => format!("<{}", crate::quality::number(v)),
                Reading::NotDetected => "not detected".to_owned(),
                Reading::Detected => "detected".to_owned(),
            },
            unit: m.unit.map(|u| u.to_string()).unwrap_or_default(),
            sample_unit: m.sample_unit,
            method: LAB_METHOD.to_owned(),
            laboratory: report.lab_gln.clone(),
            analyst: LAB_ANALYST.to_owned(),
            tested_ms: report.reported_ms,
            supersedes: None,
        })
        .collect()
}

/// The method named on simulated results: the simulator draws values, it models no method,
/// and says so rather than naming a real method standard.
pub const LAB_METHOD: &str = "模拟数据，未指定方法 (simulated: no method)";
/// The analyst named on simulated results: the simulator names no person.
pub const LAB_ANALYST: &str = "模拟检验员 (simulated)";

/// Stores the quality data as the parties that recorded it: each delivery's receiving tests by
/// the receiving plant, each plant's control points, then each run's readings, lots and
/// corrective actions, a batch at a time.
async fn capture_quality(
    store: &dyn Store,
    world: &World,
    accounts: &[(Viewer, PartyToken)],
    quality: &Quality,
    done: &mut Progress,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<(), StoreError> {
    let account_of = |gln: &str| {
        world
            .parties
            .iter()
            .position(|party| party.gln == gln)
            .map_or(0, |index| accounts[index].0.account.account_id)
    };
    let viewer_of = |gln: &str| {
        world
            .parties
            .iter()
            .position(|party| party.gln == gln)
            .map(|index| &accounts[index].0)
    };
    for report in &quality.lab_reports {
        // The laboratory submits (the maker itself for an import, whose own lab tested it).
        let Some(viewer) = viewer_of(&report.lab_gln).or_else(|| viewer_of(&report.maker_gln))
        else {
            return Err(StoreError::ConstraintViolation(format!(
                "the laboratory {} of report {} has no account",
                report.lab_gln, report.id
            )));
        };
        // The store keeps results only for a lot some event made (a transformation output or
        // an ObjectEvent ADD naming the class); an imported lot is commissioned abroad can by
        // can without naming its class, so the store has no origin for it and its report stays
        // in this summary (and the `--out` files) only.
        let lot = anxin_store::lab::canonical_subject(SampleOf::Lot, &report.lot)
            .map_err(StoreError::ConstraintViolation)?;
        if store.lot_origin(&lot).await?.is_none() {
            continue;
        }
        let rows = lab_rows(report);
        match store.add_lab_results(viewer, &rows).await? {
            Submission::Stored(stored) => done.quality_records += stored.len() as u64,
            Submission::Refused(errors) => {
                return Err(StoreError::ConstraintViolation(format!(
                    "the store refused the simulated lab report {} of {}: {}",
                    report.id,
                    report.lot,
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                )));
            }
        }
        progress(*done);
    }
    // Every simulated plant has adopted the example raw-milk acceptance standard: commit it
    // publicly as the plant's (no GTIN), once per plant, before its first delivery, so the
    // platform judges its milk against it as the simulator did.
    let mut committed: Vec<&str> = Vec::new();
    for delivery in &quality.deliveries {
        if committed.contains(&delivery.factory_gln.as_str()) {
            continue;
        }
        committed.push(&delivery.factory_gln);
        store
            .add_committed_standard(&anxin_store::lab::CommittedStandard {
                standard_id: 0,
                party: delivery.factory_gln.clone(),
                gtin: anxin_store::lab::RAW_MILK_GTIN.to_owned(),
                code: standards().raw_milk.standard().code.clone(),
                text: anxin_quality::raw_milk::EXAMPLE_MANUFACTURER_STANDARD.to_owned(),
                account_id: account_of(&delivery.factory_gln),
                committed_ms: delivery.received_ms,
            })
            .await?;
    }
    for delivery in &quality.deliveries {
        let d = &delivery.delivery;
        let account_id = account_of(&delivery.factory_gln);
        let facts = d
            .facts
            .iter()
            .map(|fact| {
                serde_json::to_value(fact)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(",");
        let rows: Vec<RawMilkTestRow> = d
            .tests
            .iter()
            .map(|m| {
                let (reading, value) = match m.reading {
                    Reading::Value(v) => ("value", Some(v)),
                    Reading::BelowDetection(v) => ("below_detection", Some(v)),
                    Reading::Detected => ("detected", None),
                    Reading::NotDetected => ("not_detected", None),
                };
                RawMilkTestRow {
                    delivery_id: d.id.clone(),
                    plant_gln: delivery.factory_gln.clone(),
                    supplier: d.supplier.clone(),
                    received_ms: delivery.received_ms,
                    received_date: d.received.to_string(),
                    facts: facts.clone(),
                    analyte: m.analyte.id.to_owned(),
                    reading: reading.to_owned(),
                    value,
                    unit: m.unit.map(|unit| unit.to_string()),
                    sample_unit: m.sample_unit.map(i64::from),
                    account_id,
                    created_ms: delivery.received_ms,
                }
            })
            .collect();
        store.add_raw_milk_tests(&rows).await?;
        done.quality_records += rows.len() as u64;
        progress(*done);
    }
    let mut registered: Vec<&str> = Vec::new();
    for run in &quality.runs {
        if !registered.contains(&run.plant_gln.as_str()) {
            registered.push(&run.plant_gln);
            let points: Vec<ControlPointRow> = standards()
                .control_points
                .iter()
                .map(|ccp| ControlPointRow {
                    plant_gln: run.plant_gln.clone(),
                    ccp_id: ccp.id.clone(),
                    line: ccp.line.clone(),
                    step: serde_json::to_value(ccp.step)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    parameter: ccp.parameter.clone(),
                    unit: ccp.unit.clone(),
                    min: ccp.min,
                    max: ccp.max,
                    interval_s: ccp.monitoring_interval_max_s.map(|s| s as i64),
                    created_ms: run.start_ms,
                })
                .collect();
            store.add_control_points(&points).await?;
        }
        let account_id = account_of(&run.plant_gln);
        let run_name = run.date.to_string();
        let readings: Vec<HaccpReadingRow> = run
            .series
            .iter()
            .flat_map(|series| {
                series.readings.iter().map(|reading| HaccpReadingRow {
                    plant_gln: run.plant_gln.clone(),
                    ccp_id: series.ccp.clone(),
                    run: run_name.clone(),
                    at_ms: reading.at.as_millisecond(),
                    value: reading.value,
                    account_id,
                    created_ms: run.end_ms,
                })
            })
            .collect();
        store.add_haccp_readings(&readings).await?;
        let lots: Vec<HaccpLotRow> = run
            .lots
            .iter()
            .map(|lot| HaccpLotRow {
                plant_gln: run.plant_gln.clone(),
                line: lot.line.clone(),
                run: run_name.clone(),
                lot: lot.lot.clone(),
                start_ms: lot.start.as_millisecond(),
                end_ms: lot.end.as_millisecond(),
                created_ms: run.end_ms,
            })
            .collect();
        store.add_haccp_lots(&lots).await?;
        for action in &run.actions {
            store
                .add_corrective_action(&CorrectiveActionRow {
                    plant_gln: run.plant_gln.clone(),
                    ccp_id: action.ccp.clone(),
                    deviation_start_ms: action.deviation_start.as_millisecond(),
                    recorded_ms: action.recorded_at.as_millisecond(),
                    by: action.by.clone(),
                    action: action.action.clone(),
                    account_id,
                    created_ms: action.recorded_at.as_millisecond(),
                })
                .await?;
        }
        done.quality_records += (readings.len() + lots.len() + run.actions.len()) as u64;
        progress(*done);
    }
    Ok(())
}

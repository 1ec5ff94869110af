//! Capturing a world into a store through the same paths real partners use: one
//! enterprise account per party (role, party GLN, region), each party's locations
//! registered as its own, and each upload captured as its party under a capture job.
//!
//! This module only calls the store traits of `anxin-store`; it opens nothing itself. The
//! tokens of the accounts are returned (never printed here), for a demo that needs to act
//! as some of the parties.

use anxin_store::{
    CaptureInput, ErrorBehaviour, JobState, NewAccount, PartyGln, RegionCode, Store, StoreError,
    Viewer,
};

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
/// upload of `config` as its party, telling `progress` after each document. A document the store refuses stops the
/// capture with the store's error (the simulator's events are valid, so that is a bug).
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
    while let Some(upload) = generator.next() {
        let viewer = &accounts[upload.party].0;
        let n_events = upload.events.len() as u64;
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
        if job.state != JobState::Succeeded || job.n_rejected > 0 {
            return Err(StoreError::ConstraintViolation(format!(
                "the store refused a simulated document of {}: {}",
                world.parties[upload.party].gln,
                job.errors.join("; ")
            )));
        }
        n_stored += job.n_stored;
        n_duplicates += job.n_duplicates;
        done.events += n_events;
        done.documents += 1;
        done.cans = generator.manifest().counts.cans;
        progress(done);
    }
    Ok(CaptureSummary {
        manifest: generator.into_manifest(),
        tokens: accounts.into_iter().map(|(_, token)| token).collect(),
        n_stored,
        n_duplicates,
    })
}

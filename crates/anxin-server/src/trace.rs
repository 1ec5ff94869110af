//! The trace graph put to work, for the server and the command line alike: [`Tracer`] keeps
//! an `anxin_trace::TraceGraph` in memory, following the store's ledger leaves; the access
//! rule for traces and recalls ([`check_trace_access`], [`check_recall_access`]); the party
//! directory a recall groups holders by ([`load_directory`]); and opening a recall
//! ([`open_recall`]): the record with its deadlines, the report, and, when asked, the
//! record stored and the recall's own EPCIS events captured.
//!
//! **Order.** The graph takes events in capture order. The store's `event_seq` is not commit
//! order on PostgreSQL under concurrent captures, but the ledger's leaf indexes are (gap-free,
//! assigned inside the capture transaction), so the tracer reads events by leaf index
//! (`LedgerStore::ledger_audit_rows`, which returns each leaf with its stored event) and hands
//! the graph `leaf_index + 1` as its sequence number. Answers are translated back: every
//! `event_seq` a trace or recall shows is the store's own number.
//!
//! **Access** (one rule, used by `/api/v1/trace`, `/api/v1/recalls` and `anxin trace|recall`):
//! the admin traces anything; a manufacturer traces an identifier when at least one event
//! naming it is one the store lets that manufacturer see (it captured it, or it happened at a
//! place the manufacturer owns), which covers its own products (forward through other
//! parties' custody, backward to its inputs) and its own inputs; a regulator traces an
//! identifier when an event naming it happened at a place in its jurisdiction; every other
//! account gets 403. An identifier no event names is answered like a forbidden one for
//! everyone but the admin, so that the answer does not tell whether it exists.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use anxin_epcis::validate::check_event;
use anxin_epcis::{EpcisTime, Header};
use anxin_store::{
    CaptureInput, CaptureJob, ErrorBehaviour, EventQuery, JobState, RecallRow, Role, Scope, Store,
    StoreError, Viewer,
};
use anxin_trace::recall::{
    PartyInfo, PartyKind, RecallLevel, RecallOptions, RecallRecord, RecallReport, RecallScope,
};
use anxin_trace::render::TrackingEventRow;
use anxin_trace::{BackwardTrace, EventRef, ForwardTrace, ItemState, StoredFacts, TraceGraph};
use serde::Serialize;
use tokio::sync::{RwLock, RwLockReadGuard};

/// Leaves (with their events) read per round trip while following the store.
const FOLLOW_BATCH: u32 = 5_000;

/// How long a failed background build waits before it goes on (an assumption of ours).
pub const BUILD_RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// Instances per recall event: the recall's EPCIS events name at most this many EPCs each.
/// An assumption of ours, sized so that one event body stays well under the server's
/// one-megabyte single-event limit with Digital Link EPCs of about 60 bytes.
pub const RECALL_EPCS_PER_EVENT: usize = 5_000;

/// Why a trace or recall was not answered.
#[derive(Debug, thiserror::Error)]
pub enum TraceFailure {
    /// The input cannot be used (malformed identifier, bad level or date, empty scope).
    #[error("{0}")]
    BadInput(String),
    /// The account may not ask this.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing by that name (an unknown identifier for the admin, an unknown recall).
    #[error("{0}")]
    NotFound(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The graph and how far it has followed the store.
pub struct Followed {
    graph: TraceGraph,
    /// The next leaf index to read.
    next_leaf: u64,
    /// The store's `event_seq` of each leaf applied, by leaf index.
    event_seqs: Vec<i64>,
    /// Leaves whose event could not be applied, with the reason.
    skipped: Vec<String>,
}

impl Followed {
    /// The graph.
    pub fn graph(&self) -> &TraceGraph {
        &self.graph
    }

    /// Events applied so far (the ledger's size when caught up).
    pub fn leaves_applied(&self) -> u64 {
        self.next_leaf
    }

    /// Leaves whose event could not be applied, with the reason (empty in a sound store).
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// The store's number of the event the graph knows as `graph_seq`.
    fn store_seq(&self, graph_seq: u64) -> u64 {
        graph_seq
            .checked_sub(1)
            .and_then(|leaf| self.event_seqs.get(usize::try_from(leaf).ok()?))
            .map_or(graph_seq, |&seq| u64::try_from(seq).unwrap_or(graph_seq))
    }

    fn fix_event(&self, event: &mut EventRef) {
        event.event_seq = self.store_seq(event.event_seq);
    }

    fn fix_state(&self, state: &mut ItemState) {
        if let Some(event) = &mut state.last_event {
            self.fix_event(event);
        }
    }

    /// A backward trace with the store's event numbers.
    pub fn fix_backward(&self, mut trace: BackwardTrace) -> BackwardTrace {
        for link in &mut trace.links {
            self.fix_event(&mut link.event);
        }
        for source in &mut trace.sources {
            for origin in &mut source.origin_events {
                self.fix_event(&mut origin.event);
            }
        }
        trace
    }

    /// A forward trace with the store's event numbers.
    pub fn fix_forward(&self, mut trace: ForwardTrace) -> ForwardTrace {
        for state in trace
            .pallets
            .iter_mut()
            .chain(&mut trace.cases)
            .chain(&mut trace.cans)
        {
            self.fix_state(state);
        }
        trace
    }

    /// A recall report with the store's event numbers.
    pub fn fix_report(&self, mut report: RecallReport) -> RecallReport {
        for item in report
            .pallets
            .iter_mut()
            .chain(&mut report.cases)
            .chain(&mut report.cans)
        {
            self.fix_state(&mut item.state);
        }
        report
    }

    /// Tracking-event rows with the store's event numbers.
    pub fn fix_rows(&self, mut rows: Vec<TrackingEventRow>) -> Vec<TrackingEventRow> {
        for row in &mut rows {
            row.event_seq = self.store_seq(row.event_seq);
        }
        rows
    }
}

/// The trace graph, following the store: rebuilt from every leaf when made, then brought up
/// to date before each answer (and by [`Tracer::run_ticks`] in the server).
///
/// **Building in the background.** [`Tracer::building`] makes an empty tracer that is not
/// ready; [`Tracer::build`] reads every leaf (batch by batch, the write lock held only while a
/// batch is applied) and then marks it ready. Until then [`Tracer::read`] answers
/// `StoreError::TemporarilyUnavailable` and [`Tracer::progress`] says how far the build is,
/// so a server can listen at once and answer 503 for what needs the graph. Events captured
/// during the build are leaves like any other: the build, and every catch-up after it,
/// continues from the next leaf index, so none is lost.
///
/// **Catching up.** Before each answer the tracer takes the ledger's size (from a
/// [`crate::watch::SizeWatch`]: an indexed read only when this process committed a capture
/// since the last one or that one is older than [`crate::watch::SIZE_FRESH`]) and compares it
/// with the leaves applied; only when there is something new
/// does it read the new leaves (outside any lock; one catch-up at a time) and take the write
/// lock to apply them. Answers otherwise share the read lock, so concurrent readers never
/// queue behind each other, and an event committed before a request is in the graph that
/// answers it.
pub struct Tracer {
    store: Arc<dyn Store>,
    followed: RwLock<Followed>,
    /// Leaves applied (`followed.next_leaf`), readable without the lock.
    applied: AtomicU64,
    /// The ledger's size when the build started (for the progress figure).
    build_target: AtomicU64,
    /// Set once the first full build is done and compacted.
    ready: AtomicBool,
    /// Held while reading and applying new leaves, so that one catch-up runs at a time.
    catching: tokio::sync::Mutex<()>,
    /// Woken when the build is done.
    built: tokio::sync::Notify,
    /// The ledger's size without a query per answer.
    size: crate::watch::SizeWatch,
}

impl Tracer {
    /// An empty tracer over `store`, not ready until [`Tracer::build`] has run.
    pub fn building(store: Arc<dyn Store>) -> Tracer {
        Tracer {
            store,
            followed: RwLock::new(Followed {
                graph: TraceGraph::new(),
                next_leaf: 0,
                event_seqs: Vec::new(),
                skipped: Vec::new(),
            }),
            applied: AtomicU64::new(0),
            build_target: AtomicU64::new(0),
            ready: AtomicBool::new(false),
            catching: tokio::sync::Mutex::new(()),
            built: tokio::sync::Notify::new(),
            size: crate::watch::SizeWatch::default(),
        }
    }

    /// Builds the graph from every stored event, in leaf order, compacts it and marks the
    /// tracer ready. Calling it on a ready tracer only catches up.
    pub async fn build(&self) -> Result<(), StoreError> {
        if self.is_ready() {
            self.catch_up().await?;
            return Ok(());
        }
        self.build_target
            .store(self.store.ledger_size().await?, Ordering::Relaxed);
        self.catch_up().await?;
        self.followed.write().await.graph.compact();
        self.ready.store(true, Ordering::Release);
        self.built.notify_waiters();
        Ok(())
    }

    /// Builds the graph on a task of its own (see [`Tracer::build`]), logging progress; a
    /// failed build is logged and taken up again after [`BUILD_RETRY`] from where it stopped.
    pub fn build_in_background(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let tracer = Arc::clone(self);
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            loop {
                match tracer.build().await {
                    Ok(()) => {
                        tracing::info!(
                            events = tracer.applied.load(Ordering::Relaxed),
                            seconds = started.elapsed().as_secs_f64(),
                            "the trace graph is built"
                        );
                        return;
                    }
                    Err(err) => {
                        tracing::warn!("the trace graph could not be built (trying again): {err}");
                        tokio::time::sleep(BUILD_RETRY).await;
                    }
                }
            }
        })
    }

    /// Returns once the graph is built.
    pub async fn wait_ready(&self) {
        loop {
            let built = self.built.notified();
            if self.is_ready() {
                return;
            }
            built.await;
        }
    }

    /// Builds the graph from every stored event, in leaf order, and compacts it.
    pub async fn open(store: Arc<dyn Store>) -> Result<Tracer, StoreError> {
        let tracer = Tracer::building(store);
        tracer.build().await?;
        Ok(tracer)
    }

    /// True once the graph has been built.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// `None` when ready; while building, the share of the leaves present when the build
    /// started that are applied, in percent (0 to 99).
    pub fn progress(&self) -> Option<u8> {
        if self.is_ready() {
            return None;
        }
        let target = self.build_target.load(Ordering::Relaxed);
        let applied = self.applied.load(Ordering::Relaxed);
        let percent = (applied.min(target) * 100)
            .checked_div(target)
            .unwrap_or(0)
            .min(99);
        Some(u8::try_from(percent).unwrap_or(99))
    }

    /// Applies every leaf stored since the last call; returns how many were read.
    pub async fn catch_up(&self) -> Result<u64, StoreError> {
        let stored = self.size.size(&*self.store).await?;
        if stored <= self.applied.load(Ordering::Acquire) {
            return Ok(0);
        }
        let _one_at_a_time = self.catching.lock().await;
        let mut read = 0u64;
        loop {
            // Only this function, under `catching`, moves `next_leaf`.
            let from = self.applied.load(Ordering::Acquire);
            let rows = self.store.ledger_audit_rows(from, FOLLOW_BATCH).await?;
            let Some((last, _)) = rows.last() else {
                break;
            };
            let last_index = last.leaf_index;
            let mut followed = self.followed.write().await;
            let applied = self.apply_rows(&mut followed, rows);
            self.applied.store(followed.next_leaf, Ordering::Release);
            drop(followed);
            read += applied?;
            if last_index + 1 != self.applied.load(Ordering::Acquire) {
                break;
            }
        }
        Ok(read)
    }

    /// Applies one batch of leaves; returns how many were read.
    fn apply_rows(
        &self,
        followed: &mut Followed,
        rows: Vec<anxin_store::ledger::AuditRow>,
    ) -> Result<u64, StoreError> {
        let mut read = 0u64;
        for (leaf, event) in rows {
            if leaf.leaf_index != followed.next_leaf {
                // A hole in the leaf indexes: the ledger audit reports it; the graph
                // must not pretend to have seen the missing events in order.
                return Err(StoreError::internal(format!(
                    "the ledger has no leaf {} (next found: {}); the trace graph stops there",
                    followed.next_leaf, leaf.leaf_index
                )));
            }
            followed.next_leaf += 1;
            followed.event_seqs.push(leaf.event_seq);
            read += 1;
            let Some(event) = event else {
                let why = format!(
                    "leaf {}: its event {} is missing from the store",
                    leaf.leaf_index, leaf.event_seq
                );
                tracing::warn!("{why}");
                followed.skipped.push(why);
                continue;
            };
            let decoded = match anxin_store::prepare::decode_body(&event.body) {
                Ok(decoded) => decoded,
                Err(err) => {
                    let why = format!("leaf {}: {err}", leaf.leaf_index);
                    tracing::warn!("{why}");
                    followed.skipped.push(why);
                    continue;
                }
            };
            let facts = StoredFacts {
                event: &decoded,
                event_seq: leaf.leaf_index + 1,
                record_time_ms: event.record_time_ms,
                hash_id: &event.hash_id,
                party_gln: event.party.as_deref(),
            };
            if let Err(err) = followed.graph.apply(&facts) {
                let why = format!("leaf {}: {err}", leaf.leaf_index);
                tracing::warn!("{why}");
                followed.skipped.push(why);
            }
        }
        Ok(read)
    }

    /// The graph, caught up with the store; `TemporarilyUnavailable` while it is being built.
    pub async fn read(&self) -> Result<RwLockReadGuard<'_, Followed>, StoreError> {
        if let Some(percent) = self.progress() {
            return Err(StoreError::TemporarilyUnavailable(format!(
                "the trace graph is still being built ({percent}% of the ledger's leaves applied)"
            )));
        }
        self.catch_up().await?;
        Ok(self.followed.read().await)
    }

    /// Catches up every `period` until `stop` completes (the server's background tick, so
    /// that a quiet server's first answer after a burst of captures is quick).
    pub async fn run_ticks(
        self: Arc<Self>,
        period: std::time::Duration,
        stop: impl std::future::Future<Output = ()>,
    ) {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                _ = ticks.tick() => {
                    if let Err(err) = self.catch_up().await {
                        tracing::warn!("the trace graph could not catch up: {err}");
                    }
                }
            }
        }
    }
}

/// Which way a trace goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// To the inputs and sources.
    Backward,
    /// To the outputs, lots, pallets, cases and cans.
    Forward,
}

impl Direction {
    /// Reads `backward` or `forward`.
    pub fn parse(text: &str) -> Result<Direction, TraceFailure> {
        match text.trim().to_ascii_lowercase().as_str() {
            "backward" => Ok(Direction::Backward),
            "forward" => Ok(Direction::Forward),
            other => Err(TraceFailure::BadInput(format!(
                "direction `{other}` is neither `backward` nor `forward`"
            ))),
        }
    }
}

/// A trace's answer.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum TraceAnswer {
    /// Inputs and sources.
    Backward(BackwardTrace),
    /// Everything downstream, with states at the time asked.
    Forward(ForwardTrace),
}

/// True when the viewer may see at least one event naming `id` (as an EPC in any role, or
/// as a class). A text that is no identifier the query language takes names nothing.
async fn sees_an_event_naming(
    store: &dyn Store,
    viewer: &Viewer,
    id: &str,
) -> Result<bool, StoreError> {
    for parameter in ["MATCH_anyEPC", "MATCH_anyEPCClass"] {
        let params = vec![
            (parameter.to_owned(), id.to_owned()),
            ("perPage".to_owned(), "1".to_owned()),
        ];
        let Ok(query) = EventQuery::parse(&params, &Vec::<(String, String)>::new()) else {
            continue;
        };
        if !store.list_events(viewer, &query).await?.events.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

fn rule_sentence(viewer: &Viewer) -> String {
    match viewer.account.role {
        Role::Manufacturer => "a manufacturer traces its own products and inputs (identifiers named by events it captured or that happened at its places)".to_owned(),
        Role::Regulator => format!(
            "a regulator traces what touches its jurisdiction {} (identifiers named by events at places there)",
            viewer.account.region.map_or_else(String::new, |r| r.to_string())
        ),
        role => format!("a {role} account may not trace or recall; manufacturers, regulators and the admin may"),
    }
}

/// The access rule for tracing `ids` (see the module's documentation). `Ok` for the admin
/// and for a manufacturer or regulator who may see an event naming each identifier.
pub async fn check_trace_access(
    store: &dyn Store,
    viewer: &Viewer,
    ids: &[String],
) -> Result<(), TraceFailure> {
    match (viewer.account.role, viewer.scope()) {
        (Role::Admin, _) => return Ok(()),
        (Role::Manufacturer, Scope::Party(_)) | (Role::Regulator, Scope::Jurisdiction(_)) => {}
        _ => return Err(TraceFailure::Forbidden(rule_sentence(viewer))),
    }
    let mut refused = Vec::new();
    for id in ids {
        if !sees_an_event_naming(store, viewer, id).await? {
            refused.push(format!("`{id}`"));
        }
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(TraceFailure::Forbidden(format!(
            "no event this account may see names {}: {}",
            refused.join(", "),
            rule_sentence(viewer)
        )))
    }
}

/// The access rule for opening a recall: identifiers as for a trace; a farm's deliveries
/// only for the admin and for a regulator whose jurisdiction holds the farm (by the
/// region of the farm's party or locations in master data).
pub async fn check_recall_access(
    store: &dyn Store,
    viewer: &Viewer,
    scope: &RecallScope,
    directory: &HashMap<String, PartyInfo>,
) -> Result<(), TraceFailure> {
    match scope {
        RecallScope::Identifiers { ids } => check_trace_access(store, viewer, ids).await,
        RecallScope::FarmDeliveries { farm, .. } => match viewer.scope() {
            Scope::Everything => Ok(()),
            Scope::Jurisdiction(region) if viewer.account.role == Role::Regulator => {
                let farm_gln = anxin_store::PartyGln::parse(farm)
                    .map_err(TraceFailure::BadInput)?
                    .as_str()
                    .to_owned();
                let farm_region = directory
                    .get(&farm_gln)
                    .and_then(|info| anxin_store::RegionCode::parse(&info.region).ok());
                match farm_region {
                    Some(farm_region) if region.contains(&farm_region) => Ok(()),
                    Some(farm_region) => Err(TraceFailure::Forbidden(format!(
                        "the farm {farm_gln} is in region {farm_region}, outside this regulator's jurisdiction {region}"
                    ))),
                    None => Err(TraceFailure::Forbidden(format!(
                        "the farm {farm_gln} has no region in master data, so no regulator's jurisdiction can be shown to hold it; the admin may open this recall"
                    ))),
                }
            }
            _ => Err(TraceFailure::Forbidden(
                "a recall of a farm's deliveries is opened by a regulator with the farm in its jurisdiction, or by the admin; a manufacturer recalls its own lots by identifier".to_owned(),
            )),
        },
    }
}

/// Answers a trace as `viewer` (access checked first).
pub async fn trace(
    tracer: &Tracer,
    viewer: &Viewer,
    id: &str,
    direction: Direction,
    now_ms: i64,
) -> Result<TraceAnswer, TraceFailure> {
    let id = id.trim();
    {
        // Malformed identifiers are refused before anything else: that reveals nothing.
        let followed = tracer.read().await?;
        if let Err(err @ anxin_trace::TraceError::Malformed { .. }) = followed.graph.resolve(id) {
            return Err(TraceFailure::BadInput(err.to_string()));
        }
    }
    check_trace_access(&*tracer.store, viewer, &[id.to_owned()]).await?;
    let followed = tracer.read().await?;
    let answer = match direction {
        Direction::Backward => followed
            .graph
            .backward(id)
            .map(|trace| TraceAnswer::Backward(followed.fix_backward(trace))),
        Direction::Forward => followed
            .graph
            .forward(&[id], now_ms)
            .map(|trace| TraceAnswer::Forward(followed.fix_forward(trace))),
    };
    answer.map_err(|err| match err {
        anxin_trace::TraceError::Unknown { .. } => TraceFailure::NotFound(err.to_string()),
        anxin_trace::TraceError::Malformed { .. } => TraceFailure::BadInput(err.to_string()),
        other => TraceFailure::Store(StoreError::internal(other.to_string())),
    })
}

/// The recall kind of a party, from its `partyKind` master-data word (the simulator's words
/// and a few plain ones); `None` for a word not known here.
pub fn kind_from_word(word: &str) -> Option<PartyKind> {
    Some(
        match word.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "manufacturer" => PartyKind::Manufacturer,
            "farm" | "cooperative" | "dairy_farm" => PartyKind::Farm,
            "ingredient_supplier" | "supplier" => PartyKind::IngredientSupplier,
            "distributor" | "wholesaler" => PartyKind::Distributor,
            // An import agent brings formula in through general trade: once imported, its stock
            // is in distribution inside China (an assumption; no source classifies it).
            "import_agent" | "importer" => PartyKind::Distributor,
            "logistics" | "warehouse" | "carrier" => PartyKind::Logistics,
            "shop" | "retailer" | "supermarket" | "mother_baby_shop" | "pharmacy" => {
                PartyKind::Shop
            }
            "ecommerce" | "ecommerce_warehouse" | "e_commerce" => PartyKind::ECommerce,
            "cross_border_ecommerce" | "cross_border" => PartyKind::CrossBorder,
            "bonded_warehouse" => PartyKind::BondedWarehouse,
            "exporter" | "overseas_manufacturer" => PartyKind::Exporter,
            "lab" | "laboratory" | "regulator" | "other" => PartyKind::Other,
            _ => return None,
        },
    )
}

/// The recall kind of an account's role, when master data says nothing.
pub fn kind_from_role(role: Role) -> PartyKind {
    match role {
        Role::Manufacturer => PartyKind::Manufacturer,
        Role::Farm => PartyKind::Farm,
        Role::IngredientSupplier => PartyKind::IngredientSupplier,
        Role::Distributor | Role::Importer => PartyKind::Distributor,
        Role::Retailer => PartyKind::Shop,
        Role::CrossBorderEcommerce => PartyKind::CrossBorder,
        _ => PartyKind::Other,
    }
}

/// The party directory, keyed by 13-digit GLN: every party in master data (name, region,
/// contact, `partyKind`), falling back to the party's account (its name, region and role)
/// for what master data lacks, and every location GLN a party owns (as its owner, with the
/// location's region when it has one). A party nobody described is absent, and its cans
/// fall in the `unknown` channel.
pub async fn load_directory(store: &dyn Store) -> Result<HashMap<String, PartyInfo>, StoreError> {
    let mut directory: HashMap<String, PartyInfo> = HashMap::new();
    for account in store.list_accounts().await? {
        let Some(party) = &account.party else {
            continue;
        };
        directory
            .entry(party.as_str().to_owned())
            .or_insert_with(|| PartyInfo {
                name: account.name.clone(),
                region: account.region.map_or_else(String::new, |r| r.to_string()),
                contact: String::new(),
                kind: kind_from_role(account.role),
            });
    }
    for party in store.list_parties().await? {
        let Some(gln) = party.gln else { continue };
        let entry = directory.entry(gln).or_insert_with(|| PartyInfo {
            name: String::new(),
            region: String::new(),
            contact: String::new(),
            kind: PartyKind::Other,
        });
        if let Some(name) = party.name {
            entry.name = name;
        }
        if let Some(region) = party.region {
            entry.region = region;
        }
        if let Some(contact) = party.contact {
            entry.contact = contact;
        }
        if let Some(kind) = party.kind.as_deref().and_then(kind_from_word) {
            entry.kind = kind;
        }
    }
    let locations = store.list_owned_locations().await?;
    // A party without a region takes its first location's.
    for location in &locations {
        if let (Some(region), Some(owner)) =
            (&location.region, directory.get_mut(&location.party_gln))
            && owner.region.is_empty()
        {
            owner.region = region.clone();
        }
    }
    for location in locations {
        if directory.contains_key(&location.gln) {
            continue;
        }
        if let Some(owner) = directory.get(&location.party_gln).cloned() {
            directory.insert(
                location.gln,
                PartyInfo {
                    region: location.region.unwrap_or(owner.region.clone()),
                    ..owner
                },
            );
        }
    }
    Ok(directory)
}

/// What a recall is asked for, as the API and the command line take it.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RecallRequest {
    /// Lots, serials, cases or pallets, in any identifier form.
    #[serde(default)]
    pub ids: Vec<String>,
    /// A farm's GLN (or SGLN or PGLN), with `from` and `to`.
    pub farm: Option<String>,
    /// Start of the farm's deliveries: `YYYY-MM-DD` (00:00 China time) or RFC 3339.
    pub from: Option<String>,
    /// End: `YYYY-MM-DD` (the whole day, China time) or RFC 3339.
    pub to: Option<String>,
    /// `1`, `2` or `3` (一级, 二级, 三级).
    pub level: Option<serde_json::Value>,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

fn china() -> jiff::tz::Offset {
    jiff::tz::Offset::constant(8)
}

/// Reads a date (`YYYY-MM-DD`, China time; the day's start, or with `end` its last
/// millisecond) or an RFC 3339 moment, as Unix ms.
pub fn parse_moment(what: &str, text: &str, end: bool) -> Result<i64, TraceFailure> {
    let text = text.trim();
    if let Ok(instant) = text.parse::<jiff::Timestamp>() {
        return Ok(instant.as_millisecond());
    }
    let date: jiff::civil::Date = text.parse().map_err(|_| {
        TraceFailure::BadInput(format!(
            "{what} `{text}` is neither a date (YYYY-MM-DD) nor an RFC 3339 time"
        ))
    })?;
    let day = if end {
        date.tomorrow().ok()
    } else {
        Some(date)
    };
    let start = day
        .and_then(|d| {
            china()
                .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                .ok()
        })
        .ok_or_else(|| TraceFailure::BadInput(format!("{what} `{text}` is out of range")))?;
    Ok(start.as_millisecond() - i64::from(end))
}

/// Reads a recall level: `1`, `2`, `3` (as a number or text) or 一级, 二级, 三级.
pub fn parse_level(value: Option<&serde_json::Value>) -> Result<RecallLevel, TraceFailure> {
    let text = match value {
        None => {
            return Err(TraceFailure::BadInput(
                "a recall needs a level: 1 (一级), 2 (二级) or 3 (三级)".to_owned(),
            ));
        }
        Some(serde_json::Value::String(text)) => text.trim().to_owned(),
        Some(other) => other.to_string(),
    };
    match text.as_str() {
        "1" | "一级" => Ok(RecallLevel::One),
        "2" | "二级" => Ok(RecallLevel::Two),
        "3" | "三级" => Ok(RecallLevel::Three),
        _ => Err(TraceFailure::BadInput(format!(
            "level `{text}` is not 1 (一级), 2 (二级) or 3 (三级)"
        ))),
    }
}

/// Reads a request's scope: identifiers, or a farm with both dates; not both, not neither.
pub fn request_scope(request: &RecallRequest) -> Result<RecallScope, TraceFailure> {
    let ids: Vec<String> = request
        .ids
        .iter()
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect();
    match (&request.farm, ids.is_empty()) {
        (Some(_), false) => Err(TraceFailure::BadInput(
            "a recall starts from identifiers or from a farm's deliveries, not both".to_owned(),
        )),
        (None, true) => Err(TraceFailure::BadInput(
            "a recall needs at least one lot or serial (`ids`), or a farm with `from` and `to`"
                .to_owned(),
        )),
        (None, false) => Ok(RecallScope::Identifiers { ids }),
        (Some(farm), true) => {
            let (Some(from), Some(to)) = (&request.from, &request.to) else {
                return Err(TraceFailure::BadInput(
                    "a recall of a farm's deliveries needs both `from` and `to`".to_owned(),
                ));
            };
            anxin_store::PartyGln::parse(farm).map_err(TraceFailure::BadInput)?;
            let from_ms = parse_moment("from", from, false)?;
            let to_ms = parse_moment("to", to, true)?;
            if to_ms < from_ms {
                return Err(TraceFailure::BadInput(format!(
                    "the date range ends ({to}) before it starts ({from})"
                )));
            }
            Ok(RecallScope::FarmDeliveries {
                farm: farm.trim().to_owned(),
                from_ms,
                to_ms,
            })
        }
    }
}

/// What a recall found, in a few numbers (the stored summary).
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RecallSummary {
    /// Lots reached.
    pub lots: Vec<String>,
    /// Pallets reached.
    pub pallets: usize,
    /// Cases reached.
    pub cases: usize,
    /// Cans reached.
    pub cans: usize,
    /// Cans per channel (`at_manufacturer`, …).
    pub cans_per_channel: Vec<(String, usize)>,
    /// Holders.
    pub holders: usize,
    /// Identifiers not used, with the reason.
    pub not_found: Vec<(String, String)>,
    /// Why nothing was reached, when nothing was.
    pub explanation: Option<String>,
    /// Lots with a mass-balance gap.
    pub lots_with_gaps: usize,
}

impl RecallSummary {
    /// The summary of a report.
    pub fn of(report: &RecallReport) -> RecallSummary {
        RecallSummary {
            lots: report.lots.clone(),
            pallets: report.pallets.len(),
            cases: report.cases.len(),
            cans: report.cans.len(),
            cans_per_channel: report
                .cans_per_channel
                .iter()
                .map(|(channel, n)| (channel_key(*channel), *n))
                .collect(),
            holders: report.holders.len(),
            not_found: report
                .not_found
                .iter()
                .map(|missing| (missing.id.clone(), missing.reason.clone()))
                .collect(),
            explanation: report.explanation.clone(),
            lots_with_gaps: report
                .mass_balance
                .iter()
                .filter(|balance| !balance.gaps.is_empty())
                .count(),
        }
    }
}

fn channel_key(channel: anxin_trace::recall::Channel) -> String {
    serde_json::to_value(channel)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_else(|| channel.label().to_owned())
}

/// A recall, opened.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenedRecall {
    /// The record with its deadlines.
    pub record: RecallRecord,
    /// What it found, in numbers.
    pub summary: RecallSummary,
    /// The full report (items by holder and channel, mass balance).
    #[serde(skip)]
    pub report: RecallReport,
    /// One row per event naming anything reached.
    #[serde(skip)]
    pub tracking: Vec<TrackingEventRow>,
    /// The capture job of its EPCIS events, when it was recorded.
    pub job_id: Option<String>,
    /// How many EPCIS events it captured.
    pub events_captured: u64,
}

/// A new recall identifier: `RC-` + the decision's date (China time) + 8 hex digits from
/// the operating system.
pub fn new_recall_id(decided_ms: i64) -> Result<String, StoreError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes)
        .map_err(|err| StoreError::internal(format!("no randomness for a recall id: {err}")))?;
    let date = jiff::Timestamp::from_millisecond(decided_ms)
        .map(|t| china().to_datetime(t).date().strftime("%Y%m%d").to_string())
        .unwrap_or_else(|_| "00000000".to_owned());
    Ok(format!("RC-{date}-{}", hex::encode(bytes)))
}

/// Runs a recall over the graph as it is now: the report, the tracking-event rows, and
/// (for recording) the EPCIS events it emits.
async fn run_recall(
    tracer: &Tracer,
    record: &RecallRecord,
    directory: &HashMap<String, PartyInfo>,
    now_ms: i64,
    with_events: bool,
) -> Result<(RecallReport, Vec<TrackingEventRow>, Vec<anxin_epcis::Event>), TraceFailure> {
    let followed = tracer.read().await?;
    let recall = followed
        .graph
        .recall(&record.scope, now_ms, directory, RecallOptions::default())
        .map_err(|err| TraceFailure::BadInput(err.to_string()))?;
    let report = followed.fix_report(recall.report(directory));
    let tracking = followed.fix_rows(recall.tracking_events());
    let events = if with_events {
        recall.recall_events(record, RECALL_EPCS_PER_EVENT)
    } else {
        Vec::new()
    };
    Ok((report, tracking, events))
}

/// Opens a recall as `viewer`: checks access, computes the record's deadlines from `now_ms`
/// and the report. Without `record` a recall that matches nothing is an empty report that
/// says why; with `record` it is [`TraceFailure::NotFound`] and nothing is stored. With
/// `record`, stores the record (an append-only row) and captures the
/// recall's EPCIS events through the normal capture path, so they become ledger leaves and
/// reach the graph. The events name no place, so the location-ownership rule of capture has
/// nothing to refuse; they are captured by the opening account, as its party when it is a
/// manufacturer, and as the platform (no party, like an admin capture) when a regulator or
/// the admin opens the recall.
pub async fn open_recall(
    tracer: &Tracer,
    viewer: &Viewer,
    request: &RecallRequest,
    record: bool,
    now_ms: i64,
) -> Result<OpenedRecall, TraceFailure> {
    let level = parse_level(request.level.as_ref())?;
    let scope = request_scope(request)?;
    if let RecallScope::Identifiers { ids } = &scope {
        let followed = tracer.read().await?;
        for id in ids {
            if let Err(err @ anxin_trace::TraceError::Malformed { .. }) = followed.graph.resolve(id)
            {
                return Err(TraceFailure::BadInput(err.to_string()));
            }
        }
    }
    let store = &*tracer.store;
    let directory = load_directory(store).await?;
    check_recall_access(store, viewer, &scope, &directory).await?;
    let reason = request.reason.trim();
    if record && reason.is_empty() {
        return Err(TraceFailure::BadInput(
            "a recorded recall needs a reason".to_owned(),
        ));
    }
    let recall_id = new_recall_id(now_ms)?;
    let opened = RecallRecord::open(&recall_id, level, reason, scope, now_ms)
        .map_err(|err| TraceFailure::BadInput(err.to_string()))?;
    let (report, tracking, events) =
        run_recall(tracer, &opened, &directory, now_ms, record).await?;
    let summary = RecallSummary::of(&report);
    if record && summary.lots.is_empty() && summary.pallets + summary.cases + summary.cans == 0 {
        let reasons: Vec<String> = summary
            .not_found
            .iter()
            .map(|(id, reason)| format!("{id}: {reason}"))
            .collect();
        return Err(TraceFailure::NotFound(format!(
            "the recall matched nothing, so nothing was recorded{}{}",
            if reasons.is_empty() { "" } else { ": " },
            reasons.join("; ")
        )));
    }
    let mut job_id = None;
    let mut events_captured = 0;
    if record {
        let row = RecallRow {
            recall_id: recall_id.clone(),
            account_id: viewer.account.account_id,
            party: viewer
                .account
                .party
                .as_ref()
                .map(|party| party.as_str().to_owned()),
            region: viewer.account.region.map(|region| region.to_string()),
            level: match level {
                RecallLevel::One => 1,
                RecallLevel::Two => 2,
                RecallLevel::Three => 3,
            },
            reason: reason.to_owned(),
            scope_json: serde_json::to_string(&opened.scope)
                .map_err(|err| StoreError::internal(err.to_string()))?,
            decided_ms: opened.decided_at_ms,
            start_deadline_ms: opened.start_deadline_ms,
            finish_deadline_date: opened.finish_deadline_date.clone(),
            finish_deadline_ms: opened.finish_deadline_ms,
            summary_json: serde_json::to_string(&summary)
                .map_err(|err| StoreError::internal(err.to_string()))?,
            job_id: None,
            created_ms: now_ms,
        };
        if events.is_empty() {
            store.add_recall(&row).await?;
        } else {
            // The row and the events (with their ledger leaves) are one transaction.
            let job = capture_recall_events(store, viewer, &recall_id, events, row).await?;
            events_captured = job.n_stored;
            job_id = Some(job.job_id);
        }
    }
    Ok(OpenedRecall {
        record: opened,
        summary,
        report,
        tracking,
        job_id,
        events_captured,
    })
}

async fn capture_recall_events(
    store: &dyn Store,
    viewer: &Viewer,
    recall_id: &str,
    events: Vec<anxin_epcis::Event>,
    row: RecallRow,
) -> Result<CaptureJob, TraceFailure> {
    for event in &events {
        let problems = check_event(event);
        if !problems.is_empty() {
            return Err(TraceFailure::Store(StoreError::internal(format!(
                "a recall event broke EPCIS rules: {}",
                problems
                    .iter()
                    .map(|problem| format!("{problem:?}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ))));
        }
    }
    // A regulator reads; it captures nothing of its own. Its recall's events are the
    // platform's, recorded under its account's job.
    let capturer = match viewer.capturing_party() {
        Ok(_) => viewer.clone(),
        Err(_) => {
            let mut account = viewer.account.clone();
            account.role = Role::Admin;
            account.party = None;
            Viewer::new(account)
        }
    };
    let source = format!("recall {recall_id}");
    let job = store
        .start_job(&capturer, ErrorBehaviour::Rollback, &source)
        .await?;
    let now = jiff::Timestamp::now();
    let header = Header::new(EpcisTime {
        instant: now,
        offset: china(),
    });
    let job = store
        .capture_recall(
            &capturer,
            &job.job_id,
            CaptureInput::new(header, events),
            row,
        )
        .await?;
    if job.state != JobState::Succeeded {
        return Err(TraceFailure::Store(StoreError::internal(format!(
            "the recall was not recorded (neither its row nor its events): {}",
            job.errors.join("; ")
        ))));
    }
    Ok(job)
}

/// Whether a viewer may list recalls at all: the admin, regulators and manufacturers (each
/// then sees the recalls [`may_see_recall`] allows).
pub fn may_list_recalls(viewer: &Viewer) -> bool {
    matches!(
        viewer.account.role,
        Role::Admin | Role::Regulator | Role::Manufacturer
    )
}

/// Whether a viewer may see a stored recall: the admin and regulators see every recall
/// (recalls are public notices under 《食品召回管理办法》); a manufacturer sees those it
/// opened; no one else sees any.
pub fn may_see_recall(viewer: &Viewer, row: &RecallRow) -> bool {
    match viewer.account.role {
        Role::Admin | Role::Regulator => true,
        Role::Manufacturer => {
            row.account_id == viewer.account.account_id
                || viewer
                    .account
                    .party
                    .as_ref()
                    .is_some_and(|party| row.party.as_deref() == Some(party.as_str()))
        }
        _ => false,
    }
}

/// A stored recall as shown.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecallView {
    /// Identifier.
    pub recall_id: String,
    /// 1, 2 or 3.
    pub level: u8,
    /// 一级, 二级, 三级.
    pub level_label: &'static str,
    /// Why.
    pub reason: String,
    /// Where it starts.
    pub scope: serde_json::Value,
    /// Who opened it.
    pub account_id: i64,
    /// The opener's party.
    pub party: Option<String>,
    /// Decided at (RFC 3339, UTC).
    pub decided_at: String,
    /// Must start before (RFC 3339, UTC).
    pub start_deadline: String,
    /// Last working day to finish (China time).
    pub finish_deadline_date: String,
    /// What it found when opened.
    pub summary: serde_json::Value,
    /// The capture job of its EPCIS events.
    pub job_id: Option<String>,
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
}

impl RecallView {
    /// The view of a stored row.
    pub fn of(row: &RecallRow) -> RecallView {
        RecallView {
            recall_id: row.recall_id.clone(),
            level: row.level,
            level_label: match row.level {
                1 => "一级",
                2 => "二级",
                _ => "三级",
            },
            reason: row.reason.clone(),
            scope: serde_json::from_str(&row.scope_json).unwrap_or(serde_json::Value::Null),
            account_id: row.account_id,
            party: row.party.clone(),
            decided_at: rfc3339(row.decided_ms),
            start_deadline: rfc3339(row.start_deadline_ms),
            finish_deadline_date: row.finish_deadline_date.clone(),
            summary: serde_json::from_str(&row.summary_json).unwrap_or(serde_json::Value::Null),
            job_id: row.job_id.clone(),
        }
    }

    /// The record a stored row describes (for re-running its scope).
    pub fn record(row: &RecallRow) -> Result<RecallRecord, TraceFailure> {
        let scope: RecallScope = scope_from_json(&row.scope_json)?;
        let level = parse_level(Some(&serde_json::Value::from(row.level)))?;
        RecallRecord::open(&row.recall_id, level, &row.reason, scope, row.decided_ms)
            .map_err(|err| TraceFailure::Store(StoreError::internal(err.to_string())))
    }
}

fn scope_from_json(text: &str) -> Result<RecallScope, TraceFailure> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|err| StoreError::internal(format!("a stored recall scope: {err}")))?;
    let field = |name: &str| value.get(name);
    match field("kind").and_then(|kind| kind.as_str()) {
        Some("identifiers") => Ok(RecallScope::Identifiers {
            ids: field("ids")
                .and_then(|ids| ids.as_array())
                .map(|ids| {
                    ids.iter()
                        .filter_map(|id| id.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        }),
        Some("farm_deliveries") => Ok(RecallScope::FarmDeliveries {
            farm: field("farm")
                .and_then(|farm| farm.as_str())
                .unwrap_or_default()
                .to_owned(),
            from_ms: field("from_ms")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0),
            to_ms: field("to_ms")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0),
        }),
        _ => Err(TraceFailure::Store(StoreError::internal(format!(
            "a stored recall scope of an unknown kind: {text}"
        )))),
    }
}

/// A stored recall's report, re-run over the graph as it is now (states at `now_ms`): what
/// `export` serves. The stored summary is what the recall found when it was opened.
pub async fn rerun_recall(
    tracer: &Tracer,
    row: &RecallRow,
    now_ms: i64,
) -> Result<(RecallReport, Vec<TrackingEventRow>), TraceFailure> {
    let record = RecallView::record(row)?;
    let directory = load_directory(&*tracer.store).await?;
    let (report, tracking, _) = run_recall(tracer, &record, &directory, now_ms, false).await?;
    Ok((report, tracking))
}

/// The latest row of a recall the viewer may see.
pub async fn find_recall(
    store: &dyn Store,
    viewer: &Viewer,
    recall_id: &str,
) -> Result<RecallRow, TraceFailure> {
    let rows = store.recall_rows(recall_id).await?;
    match rows.last() {
        Some(row) if may_see_recall(viewer, row) => Ok(row.clone()),
        Some(_) => Err(TraceFailure::Forbidden(format!(
            "this account may not see recall `{recall_id}`: the admin and regulators see every recall, a manufacturer those it opened"
        ))),
        None => Err(TraceFailure::NotFound(format!("no recall `{recall_id}`"))),
    }
}

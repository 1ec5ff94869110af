//! The store of the Anxin platform, as traits: what is kept (events in full, their indexes,
//! capture jobs, master data, accounts, named queries and their webhook subscriptions, the
//! regulators' access log, the ledger's leaves and signed tree heads) and how it
//! is asked for (the EPCIS query language as a typed [`EventQuery`]).
//!
//! Two backends implement the traits: `anxin-store-sqlite` (the embedded default) and
//! `anxin-store-postgres` (national scale). They share everything that is not IO, which
//! lives here: [`prepare`] turns an event into rows, [`sql`] turns a query into SQL,
//! [`access`] holds the rules, [`query`] parses parameters. This crate opens no database and
//! no file; it knows nothing of HTTP.
//!
//! Every trait method returns a boxed, `Send` future, so a store can sit behind
//! `Arc<dyn Store>` in a web server as well as in the command line.

pub mod access;
pub mod capture;
mod error;
pub mod lab;
pub mod ledger;
pub mod ownership;
pub mod prepare;
pub mod quality;
pub mod query;
pub mod recall;
pub mod sql;
pub mod subscription;

use std::future::Future;
use std::pin::Pin;

pub use access::{Account, NewAccount, PartyGln, RegionCode, Role, Scope, Viewer};
pub use capture::{CaptureInput, CaptureJob, ErrorBehaviour, JobState};
pub use error::{QueryError, StoreError};
pub use lab::{LabResult, LabStore, LotOrigin, NewLabResult, SampleOf, Submission};
pub use ledger::{CaptureInFlight, LedgerLeaf, LedgerStore, LocalCommits};
pub use prepare::{
    LocationRecord, PartyRecord, ProductRecord, is_formula_registration, is_production_licence,
};
pub use quality::{
    ControlPointRow, CorrectiveActionRow, HaccpLotRow, HaccpReadingRow, QualityStore,
    RawMilkTestRow,
};
pub use query::EventQuery;
pub use recall::{OwnedLocation, RecallRow, RecallStore};
pub use subscription::{
    Backoff, Delivery, DeliveryOutcome, DeliveryState, NewSubscription, Subscription,
};

/// What every store method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// An event as stored: its identifiers, who captured it, and its JSON-LD body.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StoredEvent {
    /// The store's number for it (insertion order).
    pub event_seq: i64,
    /// The CBV 2.0 hash ID.
    pub hash_id: String,
    /// `eventID` (the hash ID when the sender gave none).
    pub event_id: String,
    /// When the store recorded it (Unix ms).
    pub record_time_ms: i64,
    /// The party whose account captured it (none for an admin capture).
    pub party: Option<String>,
    /// The event as a JSON-LD event object, `recordTime` and `eventID` included.
    pub body: String,
}

/// One page of a query's results.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct EventPage {
    /// The events, in the query's order.
    pub events: Vec<StoredEvent>,
    /// The token for the next page, when there is one.
    pub next_page_token: Option<String>,
}

/// A stored query (`/queries/{name}`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NamedQuery {
    /// Its name, unique in the store.
    pub name: String,
    /// The account that made it.
    pub account_id: i64,
    /// Its parameters, as given.
    pub params: Vec<(String, String)>,
    /// When it was made (Unix ms).
    pub created_ms: i64,
}

/// One entry of the access log: a regulator read enterprise records.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AccessLogEntry {
    /// Who.
    pub account_id: i64,
    /// When (Unix ms).
    pub read_ms: i64,
    /// What was asked (`query ?EQ_bizStep=shipping`, `event ni:///…`).
    pub request: String,
    /// The hash IDs of the events served.
    pub hash_ids: Vec<String>,
}

/// Events: capture and query.
pub trait EventStore: Send + Sync {
    /// Creates a `running` job for a document the viewer is about to send.
    fn start_job<'a>(
        &'a self,
        viewer: &'a Viewer,
        behaviour: ErrorBehaviour,
        source: &'a str,
    ) -> StoreFuture<'a, CaptureJob>;

    /// Stores a document under a job started by the same viewer and returns the finished job.
    /// Under rollback the events are stored all or none; in every case the job is marked
    /// succeeded in the transaction that stores its events. Capturing at a location owned by
    /// another party is `Forbidden` (and the job fails).
    fn capture<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: CaptureInput,
    ) -> StoreFuture<'a, CaptureJob>;

    /// Fails a running job of the viewer's with a reason, storing nothing (for a document
    /// that could not be read at all after its job was started).
    fn fail_job<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        reason: String,
    ) -> StoreFuture<'a, CaptureJob>;

    /// One event by `eventID` or hash ID, if the viewer may see it.
    fn get_event<'a>(
        &'a self,
        viewer: &'a Viewer,
        event_id: &'a str,
    ) -> StoreFuture<'a, Option<StoredEvent>>;

    /// The distinct identifiers of one kind (business locations, read points, EPCs) in the
    /// events the viewer may see, in order, after `after`, at most `limit` of them.
    fn list_identifiers<'a>(
        &'a self,
        viewer: &'a Viewer,
        listed: sql::Listed,
        after: Option<&'a str>,
        limit: u32,
    ) -> StoreFuture<'a, Vec<String>>;

    /// One page of the events matching a query that the viewer may see.
    fn list_events<'a>(
        &'a self,
        viewer: &'a Viewer,
        query: &'a EventQuery,
    ) -> StoreFuture<'a, EventPage>;

    /// The namespace prefixes captured documents declared, for parsing `EQ_{prefix}:{field}`.
    fn list_prefixes(&self) -> StoreFuture<'_, Vec<(String, String)>>;
}

/// Capture jobs.
pub trait JobStore: Send + Sync {
    /// A job, if it is the viewer's (or the viewer is admin).
    fn get_job<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
    ) -> StoreFuture<'a, Option<CaptureJob>>;

    /// The viewer's latest jobs, newest first.
    fn list_jobs<'a>(&'a self, viewer: &'a Viewer, limit: u32) -> StoreFuture<'a, Vec<CaptureJob>>;

    /// Marks every job still `running` as failed with [`capture::INTERRUPTED`]; called on
    /// start, before anything else is captured. Returns how many there were.
    fn finish_interrupted_jobs(&self) -> StoreFuture<'_, u64>;
}

/// Accounts and tokens.
pub trait AccountStore: Send + Sync {
    /// Creates an account and returns it with its token, which is shown once and kept only
    /// as a hash. An enterprise's own GLN becomes a location it owns.
    fn create_account(&self, account: NewAccount) -> StoreFuture<'_, (Account, String)>;

    /// The account a token belongs to; `Unauthenticated` when unknown or revoked.
    fn authenticate<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Viewer>;

    /// Revokes an account's token; returns false when there was no such active account.
    fn revoke_account(&self, account_id: i64) -> StoreFuture<'_, bool>;

    /// Every account, oldest first.
    fn list_accounts(&self) -> StoreFuture<'_, Vec<Account>>;

    /// Records that a GLN (a location) belongs to a party.
    fn add_party_location<'a>(&'a self, gln: &'a str, party: &'a PartyGln) -> StoreFuture<'a, ()>;

    /// The regulators' reads, newest first.
    fn list_access_log(&self, limit: u32) -> StoreFuture<'_, Vec<AccessLogEntry>>;
}

/// Master data from document headers.
pub trait MasterDataStore: Send + Sync {
    /// A location by identifier (any form).
    fn get_location<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<LocationRecord>>;
    /// A party by identifier.
    fn get_party<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PartyRecord>>;
    /// A product by class identifier or GTIN.
    fn get_product<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<ProductRecord>>;
}

/// Named queries.
pub trait NamedQueryStore: Send + Sync {
    /// Stores a query under a name (its parameters must parse).
    fn add_named_query<'a>(
        &'a self,
        viewer: &'a Viewer,
        name: &'a str,
        params: Vec<(String, String)>,
    ) -> StoreFuture<'a, NamedQuery>;
    /// A named query.
    fn get_named_query<'a>(&'a self, name: &'a str) -> StoreFuture<'a, Option<NamedQuery>>;
    /// Every named query.
    fn list_named_queries(&self) -> StoreFuture<'_, Vec<NamedQuery>>;
    /// Removes a named query (queries are not captured records); false when absent.
    fn delete_named_query<'a>(&'a self, name: &'a str) -> StoreFuture<'a, bool>;
}

/// Webhook subscriptions to named queries and their delivery outbox (see [`subscription`]).
///
/// A committed capture queues one [`Delivery`] per subscription in its own transaction, so
/// implementations write outbox rows inside [`EventStore::capture`]; these methods manage
/// subscriptions and let a dispatcher take due rows and record what happened.
pub trait SubscriptionStore: Send + Sync {
    /// Stores a subscription for the viewer (controls already checked by the caller).
    fn add_subscription<'a>(
        &'a self,
        viewer: &'a Viewer,
        new: NewSubscription,
    ) -> StoreFuture<'a, Subscription>;

    /// A subscription, if it is the viewer's (or the viewer is admin).
    fn get_subscription<'a>(
        &'a self,
        viewer: &'a Viewer,
        subscription_id: &'a str,
    ) -> StoreFuture<'a, Option<Subscription>>;

    /// The subscriptions to a named query that the viewer may see (its own; all for
    /// admin), oldest first.
    fn list_subscriptions<'a>(
        &'a self,
        viewer: &'a Viewer,
        query_name: &'a str,
    ) -> StoreFuture<'a, Vec<Subscription>>;

    /// Removes a subscription of the viewer's (any, for admin) and its outbox rows; false
    /// when there was no such subscription the viewer may see.
    fn delete_subscription<'a>(
        &'a self,
        viewer: &'a Viewer,
        subscription_id: &'a str,
    ) -> StoreFuture<'a, bool>;

    /// Pending deliveries due at `now_ms`, oldest due first, at most `limit`.
    fn list_due_deliveries(&self, now_ms: i64, limit: u32) -> StoreFuture<'_, Vec<Delivery>>;

    /// Every outbox row of a subscription, oldest first (for operators and tests).
    fn list_deliveries<'a>(&'a self, subscription_id: &'a str) -> StoreFuture<'a, Vec<Delivery>>;

    /// Records an attempt made at `attempt_ms` and its outcome.
    fn record_delivery<'a>(
        &'a self,
        delivery_id: i64,
        attempt_ms: i64,
        outcome: &'a DeliveryOutcome,
    ) -> StoreFuture<'a, ()>;
}

/// The whole store.
pub trait Store:
    EventStore
    + JobStore
    + AccountStore
    + MasterDataStore
    + NamedQueryStore
    + SubscriptionStore
    + LedgerStore
    + RecallStore
    + QualityStore
    + LabStore
{
    /// Applies pending migrations; returns the names of those applied.
    fn migrate(&self) -> StoreFuture<'_, Vec<String>>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// The current time in Unix milliseconds.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// The error for a page token whose query changed, or a query string that needs a token.
pub fn bad_token(message: &str) -> StoreError {
    StoreError::InvalidQuery(QueryError::new("nextPageToken", message))
}

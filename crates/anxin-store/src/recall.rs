//! Recall records and the master data a recall groups holders by.
//!
//! A recall is a record of its own (who opened it, its level, where it starts, its deadlines
//! and what it found), kept append-only in the `recall` table: a later state of the same
//! recall, if there ever is one, is a new row with the same `recall_id`. What a recall
//! reaches and the EPCIS events it emits are `anxin-trace`'s; this module only says what the
//! backends keep.

use crate::{CaptureInput, CaptureJob, PartyRecord, StoreFuture, Viewer};

/// One stored row of a recall.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RecallRow {
    /// The recall's identifier.
    pub recall_id: String,
    /// The account that opened it.
    pub account_id: i64,
    /// The opener's party (a manufacturer), if it has one.
    pub party: Option<String>,
    /// The opener's region or jurisdiction (GB/T 2260), if it has one.
    pub region: Option<String>,
    /// 1 (一级), 2 (二级) or 3 (三级).
    pub level: u8,
    /// Why.
    pub reason: String,
    /// Where it starts, as JSON (`anxin_trace::recall::RecallScope`).
    pub scope_json: String,
    /// When it was decided, Unix ms.
    pub decided_ms: i64,
    /// It must start before this moment, Unix ms.
    pub start_deadline_ms: i64,
    /// The last working day to finish it, `YYYY-MM-DD` (China time).
    pub finish_deadline_date: String,
    /// The end of that day, Unix ms.
    pub finish_deadline_ms: i64,
    /// What it found, as JSON (counts per kind and channel, lots, identifiers not used).
    pub summary_json: String,
    /// The capture job that stored its EPCIS events, if they were captured.
    pub job_id: Option<String>,
    /// When the row was written, Unix ms.
    pub created_ms: i64,
}

/// A GLN a party owns as a location, with the location's master data.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OwnedLocation {
    /// The location's GLN.
    pub gln: String,
    /// The owning party's GLN.
    pub party_gln: String,
    /// The location's name, if known.
    pub name: Option<String>,
    /// The location's region code, if known.
    pub region: Option<String>,
}

/// Recall records and the directory reads a recall needs.
pub trait RecallStore: Send + Sync {
    /// Appends a recall row on its own (a recall that emits no events).
    fn add_recall<'a>(&'a self, row: &'a RecallRow) -> StoreFuture<'a, ()>;

    /// Captures a recall's own EPCIS events under a job the viewer started (as
    /// `EventStore::capture` does, ledger leaves included) and appends the recall's row in
    /// the same transaction, so that both are stored or neither is. The row's `job_id` is
    /// set to `job_id`. When the job fails (its events refused, or any write failing) no row
    /// is written; a failed job comes back as `EventStore::capture` returns it.
    fn capture_recall<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: CaptureInput,
        row: RecallRow,
    ) -> StoreFuture<'a, CaptureJob>;

    /// Every row of one recall, oldest first (empty when there is no such recall).
    fn recall_rows<'a>(&'a self, recall_id: &'a str) -> StoreFuture<'a, Vec<RecallRow>>;

    /// The latest row of each recall, newest first, at most `limit`.
    fn list_recalls(&self, limit: u32) -> StoreFuture<'_, Vec<RecallRow>>;

    /// Every party in master data that has a GLN.
    fn list_parties(&self) -> StoreFuture<'_, Vec<PartyRecord>>;

    /// Every GLN registered as some party's location, with its master data.
    fn list_owned_locations(&self) -> StoreFuture<'_, Vec<OwnedLocation>>;
}

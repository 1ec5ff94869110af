//! The ledger's rows in the store: one leaf per accepted event, written by capture in the
//! transaction that stores the event (so an event visible to queries is always a leaf), and
//! the signed tree heads as they are issued. Both are append-only.
//!
//! What a leaf commits to and how proofs work is `anxin-ledger`'s; this module says what the
//! backends keep and how it is read back.

use anxin_ledger::{EventFacts, Hash, LeafEntry, LeafRow, TreeHead};

use crate::StoreFuture;

/// The leaf entry of an event about to be stored by `party` (none for an admin capture).
pub fn entry_for(event: &crate::prepare::PreparedEvent, party: Option<&str>) -> LeafEntry {
    LeafEntry {
        hash_id: event.hash_id.clone(),
        record_time_ms: event.record_time_ms,
        party: party.map(str::to_owned),
        body_sha256: event.body_sha256,
    }
}

/// A leaf and the event identifiers it was found by.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LedgerLeaf {
    /// The stored row.
    pub row: LeafRow,
    /// The event's `eventID`.
    pub event_id: String,
}

/// One row of an audit: a leaf and the event row it names, if that row exists.
pub type AuditRow = (LeafRow, Option<EventFacts>);

/// The ledger's rows.
pub trait LedgerStore: Send + Sync {
    /// How many leaves the ledger has (committed captures only).
    fn ledger_size(&self) -> StoreFuture<'_, u64>;

    /// How many captures this handle (and its clones) has finished since it was opened, read
    /// without the database ([`LocalCommits::read`]): `None` while one of them is being
    /// written or has committed without being counted yet. A reader that remembers the count
    /// beside [`LedgerStore::ledger_size`] (or beside master data) knows what it read is still
    /// current while the count is the same, as far as this process's own writes go; another
    /// process writing to the same database is not counted.
    fn local_commits(&self) -> Option<u64>;

    /// The leaf with this index, if there is one (leaves are never changed, so a caller may
    /// keep what it read).
    fn ledger_leaf(&self, leaf_index: u64) -> StoreFuture<'_, Option<LedgerLeaf>>;

    /// The hashes of the leaves with indexes `from .. from + limit` that exist, in order (a
    /// missing index is skipped, so a caller that expects them all can tell).
    fn ledger_leaf_hashes(&self, from: u64, limit: u32) -> StoreFuture<'_, Vec<Hash>>;

    /// The leaves of the events with this `eventID` or hash ID, oldest first (an event and
    /// its error declaration share a hash ID). Empty when there is none.
    fn ledger_leaves_of<'a>(&'a self, event_id: &'a str) -> StoreFuture<'a, Vec<LedgerLeaf>>;

    /// Leaf rows from index `from`, in order, at most `limit`, each with the stored event it
    /// names (none when that event row is gone).
    fn ledger_audit_rows(&self, from: u64, limit: u32) -> StoreFuture<'_, Vec<AuditRow>>;

    /// Stored events that no leaf names (`event_seq`, hash ID), at most `limit`.
    fn ledger_unlinked_events(&self, limit: u32) -> StoreFuture<'_, Vec<(i64, String)>>;

    /// Stores a signed tree head.
    fn add_tree_head<'a>(&'a self, head: &'a TreeHead) -> StoreFuture<'a, ()>;

    /// The head issued last, if any.
    fn latest_tree_head(&self) -> StoreFuture<'_, Option<TreeHead>>;

    /// Every stored head, oldest first.
    fn list_tree_heads(&self) -> StoreFuture<'_, Vec<TreeHead>>;
}

/// Reads a 32-byte hash column; `None` when it holds another length.
pub fn hash_from_bytes(bytes: &[u8]) -> Option<Hash> {
    bytes.try_into().ok()
}

/// Leaf rows read per round trip by [`verify`].
pub const AUDIT_BATCH: u32 = 5_000;

/// Re-computes the whole ledger from the store: every leaf against the event it names, every
/// leaf hash against its entry, every stored tree head's root against the root re-computed at
/// its size and (given the key) its signature, and that no stored event lacks a leaf.
/// `Ok(Err(mismatch))` names the first disagreement; `Err` is a store failure.
pub async fn verify(
    store: &dyn LedgerStore,
    key: Option<&anxin_ledger::PublicKey>,
) -> Result<Result<anxin_ledger::AuditReport, anxin_ledger::Mismatch>, crate::StoreError> {
    use anxin_ledger::{Audit, Field, Mismatch};
    let heads = store.list_tree_heads().await?;
    let mut audit = Audit::new(heads.iter().map(|head| head.tree_size));
    let mut from = 0u64;
    loop {
        let rows = store.ledger_audit_rows(from, AUDIT_BATCH).await?;
        let Some((last, _)) = rows.last() else {
            break;
        };
        from = last.leaf_index + 1;
        for (leaf, event) in &rows {
            if let Err(mismatch) = audit.leaf(leaf, event.as_ref()) {
                return Ok(Err(mismatch));
            }
        }
    }
    for head in &heads {
        match key {
            Some(key) => {
                if let Err(mismatch) = audit.head(head, key) {
                    return Ok(Err(mismatch));
                }
            }
            None => {
                return Ok(Err(Mismatch {
                    leaf_index: Some(head.tree_size),
                    event_seq: None,
                    hash_id: None,
                    field: Field::Signature,
                    detail: "tree heads are stored but no public key was given to check them"
                        .to_owned(),
                }));
            }
        }
    }
    if let Some((seq, hash_id)) = store.ledger_unlinked_events(1).await?.into_iter().next() {
        return Ok(Err(Audit::event_without_leaf(seq, &hash_id)));
    }
    Ok(Ok(audit.finish()))
}

/// The count behind [`LedgerStore::local_commits`], shared by a store handle and its clones.
///
/// A capture is counted from before its transaction begins ([`LocalCommits::begin`]) until
/// its guard is dropped, after the commit: while any capture is in flight the count reads as
/// `None`, so no reader trusts a size or a record it remembered. Without that, a client that
/// saw its job finish (the job's row commits with the events) and asked at once could be
/// answered from a reading taken before the commit, in the moment between the commit and the
/// counter's move. Every capture that began moves the count when it ends, committed or not
/// (a capture that failed costs a reader one needless read; one cancelled mid-commit cannot
/// be missed).
#[derive(Debug, Default)]
pub struct LocalCommits {
    in_flight: std::sync::atomic::AtomicU64,
    finished: std::sync::atomic::AtomicU64,
}

impl LocalCommits {
    /// Marks a capture as in flight until the returned guard is dropped.
    pub fn begin(self: &std::sync::Arc<Self>) -> CaptureInFlight {
        self.in_flight
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        CaptureInFlight(self.clone())
    }

    /// The number of finished captures, or `None` while one is in flight. The in-flight
    /// count is read first: a capture that committed before this call either is still in
    /// flight (`None`) or has already moved the finished count.
    pub fn read(&self) -> Option<u64> {
        if self.in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            return None;
        }
        Some(self.finished.load(std::sync::atomic::Ordering::SeqCst))
    }
}

/// A capture in flight ([`LocalCommits::begin`]); dropping it counts the capture as finished.
#[derive(Debug)]
pub struct CaptureInFlight(std::sync::Arc<LocalCommits>);

impl Drop for CaptureInFlight {
    fn drop(&mut self) {
        // Finished first, then no longer in flight: a reader that sees nothing in flight
        // sees this capture counted.
        self.0
            .finished
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(test)]
mod local_commits_tests {
    use super::*;

    #[test]
    fn nothing_is_trusted_while_a_capture_is_in_flight() {
        let commits = std::sync::Arc::new(LocalCommits::default());
        assert_eq!(commits.read(), Some(0));
        let first = commits.begin();
        assert_eq!(commits.read(), None);
        let second = commits.begin();
        drop(first);
        assert_eq!(commits.read(), None, "one capture is still in flight");
        drop(second);
        assert_eq!(commits.read(), Some(2));
    }
}

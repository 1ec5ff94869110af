//! Re-computing the ledger from what the store holds, leaf by leaf, and naming the first
//! thing that does not agree.
//!
//! The caller (the CLI's `anxin ledger verify`) feeds an [`Audit`] every leaf row in index
//! order with the event row it points at, then every stored tree head, then the events that
//! no leaf names; the audit compares each event with what its leaf committed to, each leaf
//! hash with its entry, each signed head's root with the root re-computed at its size, and
//! each signature. It holds O(log n) hashes, whatever the ledger's size.

use crate::entry::{LeafEntry, body_digest};
use crate::head::{PublicKey, TreeHead};
use crate::tree::{Hash, RootBuilder};

/// A ledger row as stored: the leaf and the fields it committed to.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LeafRow {
    /// Its index.
    pub leaf_index: u64,
    /// The store's number of the event it names.
    pub event_seq: i64,
    /// What it committed to.
    pub entry: LeafEntry,
    /// The stored leaf hash.
    pub leaf_hash: Hash,
}

/// The fields of a stored event a leaf commits to.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EventFacts {
    /// The event's hash ID column.
    pub hash_id: String,
    /// Its record time column.
    pub record_time_ms: i64,
    /// Its capturing party column.
    pub party: Option<String>,
    /// Its body, as stored.
    pub body: String,
}

/// What disagreed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Field {
    /// Leaf indexes are not 0, 1, 2, … without a gap.
    LeafIndex,
    /// The leaf's event is not in the store.
    EventMissing,
    /// An event is stored that no leaf names.
    EventWithoutLeaf,
    /// The event's hash ID.
    HashId,
    /// The event's record time.
    RecordTime,
    /// The event's capturing party.
    CapturingParty,
    /// The event's body.
    Body,
    /// The stored leaf hash is not the hash of the stored entry.
    LeafHash,
    /// A signed head's root is not the root re-computed at its size.
    RootHash,
    /// A head's size is beyond the ledger.
    TreeSize,
    /// A head's signature does not verify.
    Signature,
}

impl Field {
    /// The field's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Field::LeafIndex => "leafIndex",
            Field::EventMissing => "event",
            Field::EventWithoutLeaf => "leaf",
            Field::HashId => "hashID",
            Field::RecordTime => "recordTime",
            Field::CapturingParty => "capturingParty",
            Field::Body => "body",
            Field::LeafHash => "leafHash",
            Field::RootHash => "rootHash",
            Field::TreeSize => "treeSize",
            Field::Signature => "signature",
        }
    }
}

/// The first disagreement found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Mismatch {
    /// The leaf (for a head: its size; for an event without a leaf: none).
    pub leaf_index: Option<u64>,
    /// The event's store number, when one is concerned.
    pub event_seq: Option<i64>,
    /// The event's hash ID as the leaf (or the event row) has it.
    pub hash_id: Option<String>,
    /// What differs.
    pub field: Field,
    /// A sentence saying what was expected and what was found.
    pub detail: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(index) = self.leaf_index {
            write!(f, "leaf {index}")?;
        } else {
            f.write_str("event")?;
        }
        if let Some(hash_id) = &self.hash_id {
            write!(f, " ({hash_id})")?;
        }
        write!(f, ": {} differs: {}", self.field.name(), self.detail)
    }
}

/// A running audit (see the module documentation).
#[derive(Debug)]
pub struct Audit {
    builder: RootBuilder,
    /// Roots re-computed at the sizes heads were signed at, to compare when heads arrive.
    roots: Vec<(u64, Hash)>,
    wanted_sizes: Vec<u64>,
    heads_checked: u64,
}

/// What a finished audit found correct.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AuditReport {
    /// Leaves checked.
    pub leaves: u64,
    /// The root re-computed over all of them.
    pub root_hash: Hash,
    /// Signed heads checked.
    pub heads: u64,
}

impl Audit {
    /// An audit that will be asked about heads of these sizes (sorted or not).
    pub fn new(head_sizes: impl IntoIterator<Item = u64>) -> Audit {
        let mut wanted_sizes: Vec<u64> = head_sizes.into_iter().collect();
        wanted_sizes.sort_unstable();
        wanted_sizes.dedup();
        wanted_sizes.reverse();
        let mut audit = Audit {
            builder: RootBuilder::new(),
            roots: Vec::new(),
            wanted_sizes,
            heads_checked: 0,
        };
        audit.note_root();
        audit
    }

    fn note_root(&mut self) {
        while self.wanted_sizes.last() == Some(&self.builder.size()) {
            self.wanted_sizes.pop();
            self.roots.push((self.builder.size(), self.builder.root()));
        }
    }

    /// Checks the next leaf row against its event (none when the event row is missing).
    pub fn leaf(&mut self, row: &LeafRow, event: Option<&EventFacts>) -> Result<(), Mismatch> {
        let expected = self.builder.size();
        let mismatch = |field: Field, detail: String| Mismatch {
            leaf_index: Some(row.leaf_index),
            event_seq: Some(row.event_seq),
            hash_id: Some(row.entry.hash_id.clone()),
            field,
            detail,
        };
        if row.leaf_index != expected {
            return Err(mismatch(
                Field::LeafIndex,
                format!(
                    "expected leaf {expected} next, found leaf {}",
                    row.leaf_index
                ),
            ));
        }
        let Some(event) = event else {
            return Err(mismatch(
                Field::EventMissing,
                format!("event {} is not in the store", row.event_seq),
            ));
        };
        let entry = &row.entry;
        if event.hash_id != entry.hash_id {
            return Err(mismatch(
                Field::HashId,
                format!(
                    "the leaf has {}, the event row {}",
                    entry.hash_id, event.hash_id
                ),
            ));
        }
        if event.record_time_ms != entry.record_time_ms {
            return Err(mismatch(
                Field::RecordTime,
                format!(
                    "the leaf has {} ms, the event row {} ms",
                    entry.record_time_ms, event.record_time_ms
                ),
            ));
        }
        if event.party != entry.party {
            let show = |party: &Option<String>| party.clone().unwrap_or_else(|| "(none)".into());
            return Err(mismatch(
                Field::CapturingParty,
                format!(
                    "the leaf has {}, the event row {}",
                    show(&entry.party),
                    show(&event.party)
                ),
            ));
        }
        let digest = body_digest(&event.body);
        if digest != entry.body_sha256 {
            return Err(mismatch(
                Field::Body,
                format!(
                    "the leaf committed to a body with SHA-256 {}, the stored body has {}",
                    hex::encode(entry.body_sha256),
                    hex::encode(digest)
                ),
            ));
        }
        let hash = entry.leaf_hash();
        if hash != row.leaf_hash {
            return Err(mismatch(
                Field::LeafHash,
                format!(
                    "the stored leaf hash is {}, its entry hashes to {}",
                    hex::encode(row.leaf_hash),
                    hex::encode(hash)
                ),
            ));
        }
        self.builder.push(hash);
        self.note_root();
        Ok(())
    }

    /// Checks a stored head after every leaf has been fed.
    pub fn head(&mut self, head: &TreeHead, key: &PublicKey) -> Result<(), Mismatch> {
        let mismatch = |field: Field, detail: String| Mismatch {
            leaf_index: Some(head.tree_size),
            event_seq: None,
            hash_id: None,
            field,
            detail,
        };
        let Some((_, root)) = self.roots.iter().find(|(size, _)| *size == head.tree_size) else {
            return Err(mismatch(
                Field::TreeSize,
                format!(
                    "a head was signed at size {}, but the ledger has {} leaves",
                    head.tree_size,
                    self.builder.size()
                ),
            ));
        };
        if *root != head.root_hash {
            return Err(mismatch(
                Field::RootHash,
                format!(
                    "the head signed at size {} has root {}, the leaves give {}",
                    head.tree_size,
                    hex::encode(head.root_hash),
                    hex::encode(root)
                ),
            ));
        }
        if !head.verify(key) {
            return Err(mismatch(
                Field::Signature,
                format!(
                    "the head at size {} (signed at {} ms) does not verify with key {}",
                    head.tree_size,
                    head.timestamp_ms,
                    key.key_id()
                ),
            ));
        }
        self.heads_checked += 1;
        Ok(())
    }

    /// An event that no leaf names: always a mismatch.
    pub fn event_without_leaf(event_seq: i64, hash_id: &str) -> Mismatch {
        Mismatch {
            leaf_index: None,
            event_seq: Some(event_seq),
            hash_id: Some(hash_id.to_owned()),
            field: Field::EventWithoutLeaf,
            detail: format!("event {event_seq} is stored but no leaf of the ledger names it"),
        }
    }

    /// What was checked.
    pub fn finish(&self) -> AuditReport {
        AuditReport {
            leaves: self.builder.size(),
            root_hash: self.builder.root(),
            heads: self.heads_checked,
        }
    }
}

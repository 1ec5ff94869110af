//! The tamper-evident ledger of the Anxin platform, as pure computation: no IO, no clock,
//! no randomness of its own.
//!
//! Every event the store accepts becomes a leaf of an append-only Merkle tree hashed as in
//! RFC 9162 §2.1 (Certificate Transparency). A leaf commits to a [`LeafEntry`]: the event's
//! hash ID, record time, capturing party and the SHA-256 of its stored body, in a versioned,
//! length-prefixed encoding documented in [`entry`]. The platform signs tree heads with
//! Ed25519 over a C2SP checkpoint text ([`head`]); anyone holding the public key can check
//! a head, an inclusion proof and a consistency proof with [`tree::verify_inclusion`] and
//! [`tree::verify_consistency`], or with the JSON shapes in [`api`].
//!
//! [`tree::Tree`] keeps the hashes in memory (about 64 bytes per leaf) and answers for any
//! past size; [`audit::Audit`] re-computes a whole ledger from the store's rows in
//! O(log n) memory and names the first disagreement. Storing, serving and key files are the
//! store's, the server's and the CLI's business.

pub mod api;
pub mod audit;
pub mod entry;
pub mod head;
pub mod tree;

pub use audit::{Audit, AuditReport, EventFacts, Field, LeafRow, Mismatch};
pub use entry::{LeafEntry, body_digest};
pub use head::{LogKey, PublicKey, TreeHead};
pub use tree::{Hash, ProofError, RootBuilder, Tree};

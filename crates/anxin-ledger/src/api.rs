//! The JSON shapes of `/api/v1/ledger/…`, shared by the server, the CLI and tests. Hashes
//! are lowercase hex; the signature and the raw public key are standard base64 (as in a
//! C2SP signed note). Each shape that carries a proof can check itself, so a client needs
//! nothing but this module (or the few lines of RFC 9162 it follows).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::entry::LeafEntry;
use crate::head::{PublicKey, TreeHead};
use crate::tree::{Hash, verify_consistency, verify_inclusion};

/// A JSON member that did not hold what it should.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{member}: {what}")]
pub struct ShapeError {
    /// The member's name.
    pub member: String,
    /// What was wrong.
    pub what: String,
}

fn shape(member: &str, what: &str) -> ShapeError {
    ShapeError {
        member: member.to_owned(),
        what: what.to_owned(),
    }
}

/// A hash as 64 hex digits.
pub fn hash_hex(hash: &Hash) -> String {
    hex::encode(hash)
}

/// Reads 64 hex digits.
pub fn parse_hash(member: &str, text: &str) -> Result<Hash, ShapeError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out)
        .map_err(|_| shape(member, "is not 64 hexadecimal digits"))?;
    Ok(out)
}

/// `GET /api/v1/ledger/sth` and the `treeHead` of a proof.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TreeHeadJson {
    /// Leaves in the tree.
    pub tree_size: u64,
    /// Root hash, hex.
    pub root_hash: String,
    /// When it was signed (Unix ms).
    pub timestamp_ms: i64,
    /// The signed checkpoint text.
    pub checkpoint: String,
    /// Ed25519 signature over `checkpoint`, base64.
    pub signature: String,
    /// The signing key's ID (see `/api/v1/ledger/key`).
    pub key_id: String,
}

impl TreeHeadJson {
    /// The JSON form of a head signed by the key with this ID.
    pub fn new(head: &TreeHead, key_id: &str) -> TreeHeadJson {
        TreeHeadJson {
            tree_size: head.tree_size,
            root_hash: hash_hex(&head.root_hash),
            timestamp_ms: head.timestamp_ms,
            checkpoint: head.checkpoint(),
            signature: STANDARD.encode(head.signature),
            key_id: key_id.to_owned(),
        }
    }

    /// The head it describes (the checkpoint text is rebuilt from the fields, not trusted).
    pub fn to_head(&self) -> Result<TreeHead, ShapeError> {
        let signature = STANDARD
            .decode(&self.signature)
            .ok()
            .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
            .ok_or_else(|| shape("signature", "is not 64 bytes of base64"))?;
        Ok(TreeHead {
            tree_size: self.tree_size,
            root_hash: parse_hash("rootHash", &self.root_hash)?,
            timestamp_ms: self.timestamp_ms,
            signature,
        })
    }
}

/// What a leaf commits to, in JSON.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeafEntryJson {
    /// The event's CBV 2.0 hash ID.
    #[serde(rename = "hashID")]
    pub hash_id: String,
    /// Record time (Unix ms).
    pub record_time_ms: i64,
    /// The capturing party's GLN, if a party captured it.
    pub capturing_party: Option<String>,
    /// SHA-256 of the stored event body, hex.
    pub body_sha256: String,
    /// The version-1 encoding of all of the above, hex (what the leaf hash is over).
    pub encoded: String,
}

impl LeafEntryJson {
    /// The JSON form of an entry.
    pub fn new(entry: &LeafEntry) -> LeafEntryJson {
        LeafEntryJson {
            hash_id: entry.hash_id.clone(),
            record_time_ms: entry.record_time_ms,
            capturing_party: entry.party.clone(),
            body_sha256: hash_hex(&entry.body_sha256),
            encoded: hex::encode(entry.encode()),
        }
    }

    /// The entry, rebuilt from the fields (and checked against `encoded`).
    pub fn to_entry(&self) -> Result<LeafEntry, ShapeError> {
        let entry = LeafEntry {
            hash_id: self.hash_id.clone(),
            record_time_ms: self.record_time_ms,
            party: self.capturing_party.clone(),
            body_sha256: parse_hash("bodySha256", &self.body_sha256)?,
        };
        if hex::encode(entry.encode()) != self.encoded {
            return Err(shape("encoded", "does not encode the other members"));
        }
        Ok(entry)
    }
}

/// One leaf and its audit path.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeafProofJson {
    /// The leaf's index (0-based, in commit order).
    pub leaf_index: u64,
    /// The leaf hash, hex.
    pub leaf_hash: String,
    /// What the leaf commits to.
    pub entry: LeafEntryJson,
    /// The audit path (RFC 9162 §2.1.3.1), nearest the leaf first, hex.
    pub audit_path: Vec<String>,
}

/// `GET /api/v1/ledger/proof/{eventID}`: every leaf of the event (an event and its later
/// error declaration share a hash ID) proved against one signed tree head.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InclusionProofJson {
    /// The identifier asked for.
    #[serde(rename = "eventID")]
    pub event_id: String,
    /// The signed head the paths lead to.
    pub tree_head: TreeHeadJson,
    /// The leaves, oldest first.
    pub leaves: Vec<LeafProofJson>,
}

impl InclusionProofJson {
    /// Checks everything a third party can: the head's signature, each entry's encoding and
    /// leaf hash, and each audit path up to the head's root. Names the first failure.
    pub fn verify(&self, key: &PublicKey) -> Result<(), ShapeError> {
        let head = self.tree_head.to_head()?;
        if !head.verify(key) {
            return Err(shape("treeHead.signature", "does not verify with the key"));
        }
        self.verify_paths(&head)
    }

    /// Everything [`InclusionProofJson::verify`] checks except the head's signature: each
    /// entry's encoding and leaf hash, and each audit path up to `head`'s root (for a caller
    /// that has verified this head's signature already). Names the first failure.
    pub fn verify_paths(&self, head: &TreeHead) -> Result<(), ShapeError> {
        for (n, leaf) in self.leaves.iter().enumerate() {
            let entry = leaf.entry.to_entry()?;
            let hash = parse_hash("leafHash", &leaf.leaf_hash)?;
            if entry.leaf_hash() != hash {
                return Err(shape(
                    &format!("leaves[{n}].leafHash"),
                    "is not SHA-256(0x00 || entry)",
                ));
            }
            let path = leaf
                .audit_path
                .iter()
                .map(|hex| parse_hash(&format!("leaves[{n}].auditPath"), hex))
                .collect::<Result<Vec<_>, _>>()?;
            if !verify_inclusion(
                &hash,
                leaf.leaf_index,
                head.tree_size,
                &path,
                &head.root_hash,
            ) {
                return Err(shape(
                    &format!("leaves[{n}].auditPath"),
                    "does not lead to the tree head's root",
                ));
            }
        }
        Ok(())
    }
}

/// `GET /api/v1/ledger/consistency?from=&to=`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsistencyProofJson {
    /// The older size.
    pub from: u64,
    /// The newer size.
    pub to: u64,
    /// The root at `from`, hex.
    pub from_root: String,
    /// The root at `to`, hex.
    pub to_root: String,
    /// The proof (RFC 9162 §2.1.4.1), hex.
    pub proof: Vec<String>,
}

impl ConsistencyProofJson {
    /// True when the proof shows the `from` tree is a prefix of the `to` tree, with the
    /// roots given (a client compares those roots with signed heads it holds).
    pub fn verify(&self) -> Result<bool, ShapeError> {
        let proof = self
            .proof
            .iter()
            .map(|hex| parse_hash("proof", hex))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(verify_consistency(
            self.from,
            self.to,
            &parse_hash("fromRoot", &self.from_root)?,
            &parse_hash("toRoot", &self.to_root)?,
            &proof,
        ))
    }
}

/// `GET /api/v1/ledger/key`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyJson {
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The checkpoint origin line.
    pub origin: String,
    /// The key ID tree heads name.
    pub key_id: String,
    /// The 32 raw bytes, base64.
    pub public_key: String,
    /// The SubjectPublicKeyInfo PEM.
    pub public_key_pem: String,
}

impl KeyJson {
    /// The JSON form of a public key.
    pub fn new(key: &PublicKey) -> Result<KeyJson, crate::head::KeyError> {
        Ok(KeyJson {
            algorithm: "Ed25519".to_owned(),
            origin: crate::head::ORIGIN.to_owned(),
            key_id: key.key_id(),
            public_key: STANDARD.encode(key.to_bytes()),
            public_key_pem: key.to_pem()?,
        })
    }

    /// The key it describes.
    pub fn to_key(&self) -> Result<PublicKey, ShapeError> {
        let bytes = STANDARD
            .decode(&self.public_key)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| shape("publicKey", "is not 32 bytes of base64"))?;
        PublicKey::from_bytes(&bytes).map_err(|err| shape("publicKey", &err.to_string()))
    }
}

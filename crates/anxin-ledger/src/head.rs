//! Signed tree heads: the ledger's size and root at a moment, signed with the platform's
//! Ed25519 key.
//!
//! What is signed is a checkpoint in the text form of C2SP `tlog-checkpoint` (the form Go's
//! checksum database, Sigstore and Trillian-Tessera logs use): the origin line, the tree
//! size in decimal, the root hash in standard base64, and one extension line with the
//! issue time, each ending in a newline:
//!
//! ```text
//! anxin-ledger/v1
//! 42
//! 1sjV9H…base64…=
//! timestamp 1764115200000
//! ```
//!
//! The signature is Ed25519 over exactly those bytes, so a third party rebuilds the text from
//! the head's fields and checks it with the public key. Nothing in a field can hold a newline,
//! so the text is unambiguous.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::tree::Hash;

/// The first line of every checkpoint this platform signs.
pub const ORIGIN: &str = "anxin-ledger/v1";

/// A tree head and its signature.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TreeHead {
    /// Leaves in the tree.
    pub tree_size: u64,
    /// Its root hash.
    pub root_hash: Hash,
    /// When it was signed (Unix ms).
    pub timestamp_ms: i64,
    /// Ed25519 over [`TreeHead::checkpoint`].
    pub signature: [u8; 64],
}

/// The text a tree head's signature covers.
pub fn checkpoint(tree_size: u64, root_hash: &Hash, timestamp_ms: i64) -> String {
    format!(
        "{ORIGIN}\n{tree_size}\n{}\ntimestamp {timestamp_ms}\n",
        STANDARD.encode(root_hash)
    )
}

impl TreeHead {
    /// The signed text.
    pub fn checkpoint(&self) -> String {
        checkpoint(self.tree_size, &self.root_hash, self.timestamp_ms)
    }

    /// True when the signature is the key's, over this head's checkpoint (strict Ed25519
    /// verification: no malleable or small-order forms).
    pub fn verify(&self, key: &PublicKey) -> bool {
        key.0
            .verify_strict(
                self.checkpoint().as_bytes(),
                &Signature::from_bytes(&self.signature),
            )
            .is_ok()
    }
}

/// A key that could not be read.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("the ledger key {0}")]
pub struct KeyError(pub String);

/// The platform's signing key. Its `Debug` shows only the key ID, never the secret.
pub struct LogKey(SigningKey);

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogKey({})", self.public().key_id())
    }
}

impl LogKey {
    /// The key made from 32 random bytes (the caller supplies them: this crate reads no
    /// randomness of its own).
    pub fn from_seed(seed: [u8; 32]) -> LogKey {
        LogKey(SigningKey::from_bytes(&seed))
    }

    /// Reads a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pem(pem: &str) -> Result<LogKey, KeyError> {
        SigningKey::from_pkcs8_pem(pem)
            .map(LogKey)
            .map_err(|err| KeyError(format!("is not an Ed25519 PKCS#8 PEM key: {err}")))
    }

    /// The key as a PKCS#8 PEM, for the key file.
    pub fn to_pem(&self) -> Result<String, KeyError> {
        self.0
            .to_pkcs8_pem(Default::default())
            .map(|pem| pem.to_string())
            .map_err(|err| KeyError(format!("could not be written as PEM: {err}")))
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs the head of a tree.
    pub fn sign(&self, tree_size: u64, root_hash: Hash, timestamp_ms: i64) -> TreeHead {
        let text = checkpoint(tree_size, &root_hash, timestamp_ms);
        TreeHead {
            tree_size,
            root_hash,
            timestamp_ms,
            signature: self.0.sign(text.as_bytes()).to_bytes(),
        }
    }
}

/// The public key that checks tree heads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Reads the 32 raw bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, KeyError> {
        VerifyingKey::from_bytes(bytes)
            .map(PublicKey)
            .map_err(|_| KeyError("is not a valid Ed25519 public key".to_owned()))
    }

    /// Reads a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        VerifyingKey::from_public_key_pem(pem)
            .map(PublicKey)
            .map_err(|err| KeyError(format!("is not an Ed25519 public key PEM: {err}")))
    }

    /// The 32 raw bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> Result<String, KeyError> {
        self.0
            .to_public_key_pem(Default::default())
            .map_err(|err| KeyError(format!("could not be written as PEM: {err}")))
    }

    /// A short name: the first 8 bytes of SHA-256 of the raw key, in hex.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.0.as_bytes())[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_verify_and_any_change_breaks_them() {
        let key = LogKey::from_seed([7; 32]);
        let head = key.sign(5, [9; 32], 1_764_115_200_000);
        assert!(head.verify(&key.public()));
        assert!(head.checkpoint().starts_with("anxin-ledger/v1\n5\n"));
        assert!(head.checkpoint().ends_with("\ntimestamp 1764115200000\n"));
        let mut other = head.clone();
        other.tree_size = 6;
        assert!(!other.verify(&key.public()));
        let mut other = head.clone();
        other.root_hash[0] ^= 1;
        assert!(!other.verify(&key.public()));
        let mut other = head.clone();
        other.timestamp_ms += 1;
        assert!(!other.verify(&key.public()));
        let mut other = head.clone();
        other.signature[10] ^= 1;
        assert!(!other.verify(&key.public()));
        assert!(!head.verify(&LogKey::from_seed([8; 32]).public()));
    }

    #[test]
    fn keys_survive_pem_and_debug_hides_them() {
        let key = LogKey::from_seed([3; 32]);
        let pem = key.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = LogKey::from_pem(&pem).unwrap();
        assert_eq!(back.public(), key.public());
        let shown = format!("{key:?}");
        assert!(!shown.contains(&hex::encode([3u8; 32])));
        assert!(LogKey::from_pem("not a key").is_err());
        assert!(
            key.public()
                .to_pem()
                .unwrap()
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
        assert_eq!(
            PublicKey::from_bytes(&key.public().to_bytes()).unwrap(),
            key.public()
        );
    }
}

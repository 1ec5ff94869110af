//! What a leaf commits to, and its byte encoding.
//!
//! A [`LeafEntry`] names one stored event: its CBV 2.0 hash ID, the record time the store
//! gave it, the party whose account captured it, and the SHA-256 of the event body exactly as
//! stored. Its encoding (version 1) is, in order, with every integer big-endian:
//!
//! | bytes | what |
//! |---|---|
//! | 1 | the version, `0x01` |
//! | 4 + n | the hash ID's length n, then its UTF-8 bytes |
//! | 8 | the record time, Unix milliseconds, two's complement |
//! | 1 (+ 4 + n) | `0x00` when no party captured it (an admin capture); else `0x01`, the GLN's length n and its UTF-8 bytes |
//! | 32 | SHA-256 of the stored body's UTF-8 bytes |
//!
//! Every variable part carries its length, so no two entries share an encoding. The leaf
//! hash is `SHA-256(0x00 || encoding)` ([`crate::tree::leaf_hash`]).

use sha2::{Digest, Sha256};

use crate::tree::{Hash, leaf_hash};

/// The encoding version this crate writes.
pub const ENTRY_VERSION: u8 = 1;

/// What one leaf of the ledger commits to.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LeafEntry {
    /// The event's CBV 2.0 hash ID (`ni:///sha-256;…?ver=CBV2.0`).
    pub hash_id: String,
    /// When the store recorded it (Unix ms).
    pub record_time_ms: i64,
    /// The GLN of the capturing party; none for an admin capture.
    pub party: Option<String>,
    /// SHA-256 of the stored event body.
    pub body_sha256: Hash,
}

/// An entry whose bytes could not be read back.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("leaf entry byte {offset}: {what}")]
pub struct EntryError {
    /// Where in the encoding.
    pub offset: usize,
    /// What was wrong.
    pub what: String,
}

/// SHA-256 of a stored event body.
pub fn body_digest(body: &str) -> Hash {
    Sha256::digest(body.as_bytes()).into()
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    // A field longer than 4 GiB cannot reach here: documents are limited far below that.
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&text.as_bytes()[..len as usize]);
}

impl LeafEntry {
    /// The entry for an event as stored.
    pub fn for_event(hash_id: &str, record_time_ms: i64, party: Option<&str>, body: &str) -> Self {
        LeafEntry {
            hash_id: hash_id.to_owned(),
            record_time_ms,
            party: party.map(str::to_owned),
            body_sha256: body_digest(body),
        }
    }

    /// The version-1 encoding (see the module documentation).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.hash_id.len());
        out.push(ENTRY_VERSION);
        put_text(&mut out, &self.hash_id);
        out.extend_from_slice(&self.record_time_ms.to_be_bytes());
        match &self.party {
            None => out.push(0),
            Some(party) => {
                out.push(1);
                put_text(&mut out, party);
            }
        }
        out.extend_from_slice(&self.body_sha256);
        out
    }

    /// The leaf hash, `SHA-256(0x00 || encode())`.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.encode())
    }

    /// Reads an encoding back; every byte must be used.
    pub fn decode(bytes: &[u8]) -> Result<LeafEntry, EntryError> {
        let mut reader = Reader { bytes, at: 0 };
        let version = reader.take(1, "the version")?[0];
        if version != ENTRY_VERSION {
            return Err(reader.error(format!("version {version} is not known (only 1 is)")));
        }
        let hash_id = reader.text("the hash ID")?;
        let time = reader.take(8, "the record time")?;
        let record_time_ms = i64::from_be_bytes(time.try_into().unwrap_or_default());
        let party = match reader.take(1, "the party flag")?[0] {
            0 => None,
            1 => Some(reader.text("the party GLN")?),
            flag => return Err(reader.error(format!("party flag {flag} is neither 0 nor 1"))),
        };
        let digest = reader.take(32, "the body digest")?;
        let body_sha256: Hash = digest.try_into().unwrap_or_default();
        if reader.at != bytes.len() {
            return Err(reader.error(format!(
                "{} bytes follow the entry",
                bytes.len() - reader.at
            )));
        }
        Ok(LeafEntry {
            hash_id,
            record_time_ms,
            party,
            body_sha256,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn error(&self, what: String) -> EntryError {
        EntryError {
            offset: self.at,
            what,
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], EntryError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| self.error(format!("the entry ends before {what}")))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn text(&mut self, what: &str) -> Result<String, EntryError> {
        let len = self.take(4, what)?;
        let len = u32::from_be_bytes(len.try_into().unwrap_or_default()) as usize;
        let start = self.at;
        let raw = self.take(len, what)?;
        String::from_utf8(raw.to_vec()).map_err(|_| EntryError {
            offset: start,
            what: format!("{what} is not UTF-8"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_as_documented_and_reads_back() {
        let entry = LeafEntry::for_event("ni:///x", 1_700_000_000_123, Some("0614141000005"), "{}");
        let bytes = entry.encode();
        let mut expected = vec![1, 0, 0, 0, 7];
        expected.extend_from_slice(b"ni:///x");
        expected.extend_from_slice(&1_700_000_000_123i64.to_be_bytes());
        expected.extend_from_slice(&[1, 0, 0, 0, 13]);
        expected.extend_from_slice(b"0614141000005");
        expected.extend_from_slice(&body_digest("{}"));
        assert_eq!(bytes, expected);
        assert_eq!(LeafEntry::decode(&bytes).unwrap(), entry);
        assert_eq!(entry.leaf_hash(), leaf_hash(&bytes));
    }

    #[test]
    fn no_party_differs_from_an_empty_party() {
        let admin = LeafEntry::for_event("h", 1, None, "b");
        let empty = LeafEntry::for_event("h", 1, Some(""), "b");
        assert_ne!(admin.encode(), empty.encode());
        assert_eq!(LeafEntry::decode(&admin.encode()).unwrap(), admin);
        assert_eq!(LeafEntry::decode(&empty.encode()).unwrap(), empty);
    }

    #[test]
    fn damaged_encodings_are_refused_with_their_place() {
        let bytes = LeafEntry::for_event("h", 1, Some("g"), "b").encode();
        for cut in 0..bytes.len() {
            let error = LeafEntry::decode(&bytes[..cut]).unwrap_err();
            assert!(error.what.contains("ends before"), "{error}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(
            LeafEntry::decode(&longer)
                .unwrap_err()
                .what
                .contains("follow")
        );
        let mut version = bytes.clone();
        version[0] = 2;
        assert_eq!(LeafEntry::decode(&version).unwrap_err().offset, 1);
        let mut flag = bytes;
        flag[1 + 4 + 1 + 8] = 7;
        assert!(
            LeafEntry::decode(&flag)
                .unwrap_err()
                .what
                .contains("party flag 7")
        );
    }
}

//! CBV 2.0 event hash IDs (`ni:///sha-256;…?ver=CBV2.0`): a name for an event that depends
//! only on what the event says, so that the same event sent twice, or once as JSON-LD and
//! once as XML, with EPC URNs or with Digital Links, gets the same ID.
//!
//! The ID is the SHA-256 of the event's *pre-hash string*, written in lower-case hex. The
//! string follows the reference implementation of the algorithm, the PyPI package
//! `epcis-event-hash-generator` (version 1.9.3), as it actually behaves, because IDs are only
//! useful when every system computes the same ones:
//!
//! - `name=value` pairs with nothing between them, standard fields in the CBV order
//!   (`eventType`, `eventTime`, … `readPoint`, `bizLocation`, `sensorElementList`), then
//!   everything else (`bizTransactionList`, `sourceList`, `destinationList`, `ilmd`, user
//!   extensions) sorted as strings; repeated elements sorted by code point;
//! - timestamps in UTC with exactly three fractional digits, rounded half to even;
//! - every value that reads as a float printed the way Python prints it (`200.0` → `200`,
//!   `1e-07`), CBV terms as web URIs, and GS1 identifiers as canonical Digital Links on
//!   `https://id.gs1.org` (through [`anxin_gs1::canonical_digital_link`]);
//! - extensions as `{namespace}local=value`, nested ones inside their element or after the
//!   standard fields exactly where the reference puts them;
//! - `eventID`, `recordTime`, `errorDeclaration` and `rdfs:comment` left out.
//!
//! The details, and why each is so, are in `writer.rs` (order and structure), `canon.rs`
//! (values), `number.rs` (Python's float printing) and `identifier.rs` (GS1 identifiers) beside
//! this file. Where the reference gives one event different IDs depending on its syntax (a
//! JSON `true` it prints as `True`, an `xsi:type` attribute it counts in XML only, a CURIE it
//! expands in XML only), this module follows the reading both syntaxes share; the list is at
//! the top of `scripts/hash-differential.py`, which checks this module against the reference.
//!
//! This module hashes events already read into the model. It does not read documents,
//! validate events or decide whether an event's `eventID` should be replaced; those belong
//! to the codecs, [`crate::validate`] and the capture service. It implements CBV 2.0
//! (`ver=CBV2.0`) only; the CBV 2.1 variant, which places nested extensions differently, is
//! not implemented.

mod canon;
mod identifier;
mod number;
mod writer;

use sha2::{Digest, Sha256};

use crate::model::Event;

/// The start of every hash ID this module writes.
pub const HASH_ID_PREFIX: &str = "ni:///sha-256;";
/// The end of every hash ID this module writes: the CBV version of the algorithm.
pub const HASH_ID_SUFFIX: &str = "?ver=CBV2.0";

/// The CBV 2.0 hash ID of `event`: `ni:///sha-256;{64 lower-case hex digits}?ver=CBV2.0`.
///
/// Allocates fresh buffers on every call; to hash many events, reuse a [`Hasher`].
pub fn event_hash_id(event: &Event) -> String {
    Hasher::new().hash_id(event)
}

/// The pre-hash string of `event`, the text whose SHA-256 is the hash ID.
///
/// It is meant for debugging and for comparing with the reference implementation, which
/// prints the same string with `python -m epcis_event_hash_generator -p FILE`.
pub fn pre_hash_string(event: &Event) -> String {
    let mut hasher = Hasher::new();
    hasher.pre_hash(event).to_owned()
}

/// Computes hash IDs while reusing its buffers from one event to the next.
///
/// ```
/// use anxin_epcis::hash::Hasher;
/// use anxin_epcis::{EpcisTime, Event, EventType, TimeZoneOffset};
///
/// let time = EpcisTime::parse("2024-03-01T08:00:00+08:00").unwrap();
/// let offset = TimeZoneOffset::parse("+08:00").unwrap();
/// let event = Event::new(EventType::ObjectEvent, time, offset);
/// let mut hasher = Hasher::new();
/// let id = hasher.hash_id(&event);
/// assert!(id.starts_with("ni:///sha-256;") && id.ends_with("?ver=CBV2.0"));
/// assert_eq!(
///     hasher.pre_hash(&event),
///     "eventType=ObjectEventeventTime=2024-03-01T00:00:00.000ZeventTimeZoneOffset=+08:00"
/// );
/// ```
#[derive(Default, Debug)]
pub struct Hasher {
    writer: writer::Writer,
}

impl Hasher {
    /// A hasher with empty buffers; they grow to the largest event it sees.
    pub fn new() -> Hasher {
        Hasher::default()
    }

    /// The CBV 2.0 hash ID of `event` (see [`event_hash_id`]).
    pub fn hash_id(&mut self, event: &Event) -> String {
        let digest = self.digest(event);
        let mut digits = [0u8; 64];
        // Cannot fail: 32 bytes always fit 64 hex digits.
        let _ = hex::encode_to_slice(digest, &mut digits);
        let mut id = String::with_capacity(HASH_ID_PREFIX.len() + 64 + HASH_ID_SUFFIX.len());
        id.push_str(HASH_ID_PREFIX);
        id.extend(digits.iter().copied().map(char::from));
        id.push_str(HASH_ID_SUFFIX);
        id
    }

    /// The SHA-256 digest of the pre-hash string of `event`, for callers that store the
    /// 32 bytes rather than the ID text.
    pub fn digest(&mut self, event: &Event) -> [u8; 32] {
        self.writer.write_event(event);
        Sha256::digest(self.writer.out.as_bytes()).into()
    }

    /// The pre-hash string of `event` (see [`pre_hash_string`]), borrowed from the buffer
    /// that the next call overwrites.
    pub fn pre_hash(&mut self, event: &Event) -> &str {
        self.writer.write_event(event);
        &self.writer.out
    }
}

#[cfg(test)]
mod tests;

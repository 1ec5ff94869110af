//! Page tokens: where the next page starts, bound to the query that made it and signed.
//!
//! A token carries the last sort value and event number served, how many events were
//! served so far (for `eventCountLimit`), and a digest of the query's parameters; it is
//! hex text with an HMAC-SHA-256 over all of that, keyed by a secret each store keeps.
//! A token altered, made by another store, or replayed with another query is refused with
//! a clear error. Tokens do not expire: keyset pagination stays correct however late the
//! next page is asked for, because captured events are never changed.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::QueryError;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Where the next page starts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PagePosition {
    /// The sort value of the last event served (its event time, record time or number).
    pub sort_value: i64,
    /// The number of the last event served, breaking ties.
    pub event_seq: i64,
    /// Events served so far.
    pub served: u64,
}

/// Makes a token for `position` in the query with `fingerprint`.
pub fn encode(key: &[u8], fingerprint: &str, position: PagePosition) -> String {
    let payload = format!("{}.{}.{}", position.sort_value, position.event_seq, position.served);
    let mac = sign(key, fingerprint, &payload);
    hex::encode(format!("{payload}.{}", hex::encode(&mac[..16])))
}

/// Reads a token, checking that it was made by this store for this query.
pub fn decode(key: &[u8], fingerprint: &str, token: &str) -> Result<PagePosition, QueryError> {
    let bad = |why: &str| QueryError::new("nextPageToken", format!("{why}; start again without a token"));
    let text = hex::decode(token.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| bad("is not a page token of this store"))?;
    let (payload, mac_hex) = text.rsplit_once('.').ok_or_else(|| bad("is not a page token of this store"))?;
    let mac = hex::decode(mac_hex).map_err(|_| bad("is not a page token of this store"))?;
    let mut check = HmacSha256::new_from_slice(key).map_err(|_| bad("cannot be checked"))?;
    check.update(fingerprint.as_bytes());
    check.update(b"\n");
    check.update(payload.as_bytes());
    check
        .verify_truncated_left(&mac)
        .map_err(|_| bad("was altered, or belongs to another query"))?;
    let mut parts = payload.split('.');
    let mut next = || parts.next().and_then(|part| part.parse::<i64>().ok());
    match (next(), next(), next()) {
        (Some(sort_value), Some(event_seq), Some(served)) if served >= 0 => Ok(PagePosition {
            sort_value,
            event_seq,
            served: served as u64,
        }),
        _ => Err(bad("is not a page token of this store")),
    }
}

fn sign(key: &[u8], fingerprint: &str, payload: &str) -> Vec<u8> {
    // HMAC takes keys of any length, so this cannot fail; fall back to a hash of the key.
    let mut mac = HmacSha256::new_from_slice(key)
        .unwrap_or_else(|_| HmacSha256::new_from_slice(&Sha256::digest(key)).expect("32-byte key"));
    mac.update(fingerprint.as_bytes());
    mac.update(b"\n");
    mac.update(payload.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_reads_back_and_refuses_tampering_and_other_queries() {
        let position = PagePosition { sort_value: 1_700_000_000_000, event_seq: 42, served: 30 };
        let token = encode(b"key", "eventType=ObjectEvent", position);
        assert_eq!(decode(b"key", "eventType=ObjectEvent", &token), Ok(position));
        assert!(decode(b"key", "eventType=AggregationEvent", &token).is_err());
        assert!(decode(b"other key", "eventType=ObjectEvent", &token).is_err());
        let mut altered = token.clone().into_bytes();
        altered[2] = if altered[2] == b'1' { b'2' } else { b'1' };
        assert!(decode(b"key", "eventType=ObjectEvent", &String::from_utf8(altered).unwrap()).is_err());
        assert!(decode(b"key", "", "zz").is_err());
    }
}

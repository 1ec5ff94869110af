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
    let payload = format!(
        "{}.{}.{}",
        position.sort_value, position.event_seq, position.served
    );
    let mac = sign(key, fingerprint, &payload);
    hex::encode(format!("{payload}.{}", hex::encode(&mac[..16])))
}

/// Reads a token, checking that it was made by this store for this query.
pub fn decode(key: &[u8], fingerprint: &str, token: &str) -> Result<PagePosition, QueryError> {
    let bad = |why: &str| {
        QueryError::new(
            "nextPageToken",
            format!("{why}; start again without a token"),
        )
    };
    let text = hex::decode(token.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| bad("is not a page token of this store"))?;
    let (payload, mac_hex) = text
        .rsplit_once('.')
        .ok_or_else(|| bad("is not a page token of this store"))?;
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

/// What one page of a query asks of the database: where to start and how many rows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PagePlan {
    /// Where the previous page ended.
    pub after: Option<PagePosition>,
    /// Events served by earlier pages.
    pub served: u64,
    /// Events this page may hold (fetch one more to learn whether a next page exists).
    pub page_size: u64,
    remaining: u64,
}

impl PagePlan {
    /// Plans the page a query asks for, checking its token.
    pub fn new(key: &[u8], query: &crate::EventQuery) -> Result<PagePlan, QueryError> {
        let after = match &query.next_page_token {
            Some(token) => Some(decode(key, &query.fingerprint, token)?),
            None => None,
        };
        let served = after.map_or(0, |position| position.served);
        let remaining = query
            .event_count_limit
            .map_or(u64::MAX, |limit| limit.saturating_sub(served));
        let page_size = u64::from(query.per_page).min(remaining);
        Ok(PagePlan {
            after,
            served,
            page_size,
            remaining,
        })
    }

    /// Makes the page from up to `page_size + 1` rows of (event, sort value).
    pub fn finish(
        &self,
        key: &[u8],
        query: &crate::EventQuery,
        mut rows: Vec<(crate::StoredEvent, i64)>,
    ) -> crate::EventPage {
        let more = rows.len() as u64 > self.page_size;
        rows.truncate(self.page_size as usize);
        let next_page_token = match (more, rows.last()) {
            (true, Some((last, sort_value))) if self.page_size < self.remaining => Some(encode(
                key,
                &query.fingerprint,
                PagePosition {
                    sort_value: *sort_value,
                    event_seq: last.event_seq,
                    served: self.served + self.page_size,
                },
            )),
            _ => None,
        };
        crate::EventPage {
            events: rows.into_iter().map(|(event, _)| event).collect(),
            next_page_token,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_reads_back_and_refuses_tampering_and_other_queries() {
        let position = PagePosition {
            sort_value: 1_700_000_000_000,
            event_seq: 42,
            served: 30,
        };
        let token = encode(b"key", "eventType=ObjectEvent", position);
        assert_eq!(
            decode(b"key", "eventType=ObjectEvent", &token),
            Ok(position)
        );
        assert!(decode(b"key", "eventType=AggregationEvent", &token).is_err());
        assert!(decode(b"other key", "eventType=ObjectEvent", &token).is_err());
        let mut altered = token.clone().into_bytes();
        altered[2] = if altered[2] == b'1' { b'2' } else { b'1' };
        assert!(
            decode(
                b"key",
                "eventType=ObjectEvent",
                &String::from_utf8(altered).unwrap()
            )
            .is_err()
        );
        assert!(decode(b"key", "", "zz").is_err());
    }
}

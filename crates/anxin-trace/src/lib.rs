#![doc = include_str!("../README.md")]

mod graph;
mod intern;
pub mod journey;
mod query;
pub mod recall;
pub mod render;

pub use graph::{Applied, Finding, NodeId, TraceGraph};
pub use journey::{Journey, JourneyState, JourneyStep};
pub use query::{
    BackwardTrace, EventRef, ForwardTrace, ID_LEN_MAX, ItemKind, ItemState, Link, OriginEvent,
    Relation, TraceSource,
};

use anxin_epcis::Event;

/// One stored event and what the store added to it: the input of [`TraceGraph::apply`].
#[derive(Clone, Copy, Debug)]
pub struct StoredFacts<'a> {
    /// The event as captured.
    pub event: &'a Event,
    /// The store's sequence number; events are applied in increasing order.
    pub event_seq: u64,
    /// When the store recorded it, Unix milliseconds.
    pub record_time_ms: i64,
    /// Its CBV 2.0 hash ID (an error declaration has the same hash ID as the event it
    /// declares erroneous).
    pub hash_id: &'a str,
    /// The GLN (or PGLN) of the party that captured it, if known.
    pub party_gln: Option<&'a str>,
}

/// Why a trace question could not be answered, or an event not applied.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum TraceError {
    /// The identifier cannot be read.
    #[error("`{id}` is not a usable identifier: {reason}")]
    Malformed {
        /// The identifier as given.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No event names the identifier.
    #[error("no event names `{id}`{}", looked_up(id, canonical))]
    Unknown {
        /// The identifier as given.
        id: String,
        /// The canonical form looked up.
        canonical: String,
    },
    /// Events must be applied in capture order.
    #[error(
        "event {event_seq} arrived after event {last_seq}: events are applied in capture order"
    )]
    OutOfOrder {
        /// The event offered.
        event_seq: u64,
        /// The last event applied.
        last_seq: u64,
    },
    /// A recall was asked with nothing to start from.
    #[error("a recall needs at least one lot or serial, or a farm and a date range")]
    EmptyRecall,
    /// A date range that ends before it starts.
    #[error("the date range ends ({to_ms} ms) before it starts ({from_ms} ms)")]
    BadRange {
        /// Start, Unix ms.
        from_ms: i64,
        /// End, Unix ms.
        to_ms: i64,
    },
    /// A table reached its `u32` limit (over 500 million events, records or incidences, or
    /// 2 GiB of identifiers).
    #[error("the trace graph is full: a table passed its u32 limit")]
    Full,
}

/// The tail of [`TraceError::Unknown`]'s sentence: the form that was looked up when it differs
/// from what was given, or why nothing can name text that is neither a GS1 code nor a URI.
fn looked_up(id: &str, canonical: &str) -> String {
    if canonical != id.trim() {
        format!(" (looked up as `{canonical}`)")
    } else if !canonical.contains(':') {
        ": it is neither a GS1 code nor a URI, so no event can name it (check the code on the can)"
            .to_owned()
    } else {
        String::new()
    }
}

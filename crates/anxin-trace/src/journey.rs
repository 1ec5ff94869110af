//! An item's journey for its public passport, answered from the graph alone.
//!
//! A passport shows where a can has been (its own events, and the moves of the case and
//! pallet it travelled in while it was inside them), when it was made and when it expires (its
//! commissioning ILMD), and its state now. Everything here is in the graph, so a passport
//! needs no store read for it: [`TraceGraph::journey`].

use anxin_epcis::{ExtValue, Extension};
use serde::Serialize;

use crate::TraceError;
use crate::graph::{NONE, NodeId, TraceGraph};

/// The business steps of a container's events that belong to the journey of what is inside
/// it: moving it, keeping it and inspecting it (a container's packing into a pallet or its
/// own commissioning is not a step of the can's journey).
pub const TRANSPORT_STEPS: [&str; 6] = [
    "shipping",
    "receiving",
    "storing",
    "departing",
    "arriving",
    "inspecting",
];

/// The CBV master-data namespace in which `itemExpirationDate` is defined (CBV 2.0 §8.3).
const CBV_MDA: &str = "urn:epcglobal:cbv:mda:";

/// The ILMD field for the expiry date (CBV 2.0 §8.3, `itemExpirationDate`).
const EXPIRY_FIELD: &str = "itemExpirationDate";

/// The ILMD field for the production date. CBV 2.0 has no such attribute, so any namespace's
/// `productionDate` is read (the simulator's `anxin:productionDate`, a manufacturer's own).
const PRODUCTION_FIELD: &str = "productionDate";

/// The dates an event's ILMD gives, as terms of the graph (or [`NONE`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct IlmdDates {
    pub(crate) production: u32,
    pub(crate) expiry: u32,
}

/// The production and expiry dates in an ILMD, as written.
pub(crate) fn ilmd_dates(ilmd: &[Extension]) -> (Option<&str>, Option<&str>) {
    fn text(extension: &Extension) -> Option<&str> {
        match &extension.value {
            ExtValue::Text(text) | ExtValue::Number(text) => Some(text.trim()),
            _ => None,
        }
    }
    let expiry = ilmd
        .iter()
        .find(|e| e.name.local == EXPIRY_FIELD && e.name.namespace == CBV_MDA)
        .and_then(text);
    let production = ilmd
        .iter()
        .find(|e| e.name.local == PRODUCTION_FIELD)
        .and_then(text);
    (production, expiry)
}

/// One step of a journey.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct JourneyStep {
    /// The store's sequence number of the event.
    pub event_seq: u64,
    /// Event time, Unix milliseconds.
    pub time_ms: i64,
    /// The offset from UTC the time was written with, in minutes.
    pub offset_minutes: i16,
    /// The business step (a CBV word or someone's URI), if any.
    pub biz_step: Option<String>,
    /// Where: the business location, else the read point (canonical).
    pub place: Option<String>,
    /// True for the item's own events; false for a container's, while the item was in it.
    pub own: bool,
}

impl JourneyStep {
    /// The time in RFC 3339 with the offset it was written in, e.g. `2026-10-01T14:00:20+08:00`
    /// (milliseconds only when there are any: `2026-10-01T14:00:20.250+08:00`).
    ///
    /// Written digit by digit from the civil date and time at that offset: a passport writes
    /// a dozen of these per page, and a general formatter was a visible part of its cost.
    pub fn time_as_written(&self) -> String {
        let offset = jiff::tz::Offset::from_seconds(i32::from(self.offset_minutes) * 60)
            .unwrap_or(jiff::tz::Offset::UTC);
        let Ok(instant) = jiff::Timestamp::from_millisecond(self.time_ms) else {
            return self.time_ms.to_string();
        };
        let at = offset.to_datetime(instant);
        let Ok(year) = u32::try_from(at.year()) else {
            return self.time_ms.to_string();
        };
        let mut text = String::with_capacity(29);
        digits(&mut text, year, 4);
        text.push('-');
        digits(&mut text, u32::from(at.month().unsigned_abs()), 2);
        text.push('-');
        digits(&mut text, u32::from(at.day().unsigned_abs()), 2);
        text.push('T');
        digits(&mut text, u32::from(at.hour().unsigned_abs()), 2);
        text.push(':');
        digits(&mut text, u32::from(at.minute().unsigned_abs()), 2);
        text.push(':');
        digits(&mut text, u32::from(at.second().unsigned_abs()), 2);
        let millis = at.subsec_nanosecond().unsigned_abs() / 1_000_000;
        if millis != 0 {
            text.push('.');
            digits(&mut text, millis, 3);
        }
        let minutes = i32::from(self.offset_minutes);
        text.push(if minutes < 0 { '-' } else { '+' });
        digits(&mut text, minutes.unsigned_abs() / 60, 2);
        text.push(':');
        digits(&mut text, minutes.unsigned_abs() % 60, 2);
        text
    }
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn digits(text: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10u32.pow(place)) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

/// The part of an item's state a passport shows (the rest of [`crate::ItemState`] is not
/// written out, which a page per scan would pay for).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct JourneyState {
    /// The lot it was commissioned into.
    pub lot: Option<String>,
    /// The party holding it.
    pub holder: Option<String>,
    /// The disposition last stated.
    pub disposition: Option<String>,
    /// Persistent dispositions in force (`recalled`, `expired`, …).
    pub persistent_dispositions: Vec<String>,
}

/// What a passport needs of an item: its state, its journey and its dates.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct Journey {
    /// The item's state now (as [`TraceGraph::state`] works it out).
    pub state: JourneyState,
    /// Its own events and its containers' transport steps while it was in them, oldest first
    /// (by event time, then capture order); declared-erroneous events left out.
    pub steps: Vec<JourneyStep>,
    /// The production date from the ILMD of the event that made it (or, for a lot, of the
    /// last of its own events that gives one), as written.
    pub production_date: Option<String>,
    /// The expiry date, likewise.
    pub expiry_date: Option<String>,
}

impl TraceGraph {
    /// The journey of one item at `now_ms` (Unix milliseconds).
    ///
    /// # Errors
    /// As [`TraceGraph::resolve`].
    pub fn journey(&self, id: &str, now_ms: i64) -> Result<Journey, TraceError> {
        Ok(self.journey_of_node(self.resolve(id)?, now_ms))
    }

    /// [`TraceGraph::journey`] of the item named by `link`, a canonical GS1 Digital Link
    /// exactly as [`anxin_gs1::Gs1Key::to_digital_link`] writes it (what a passport has in
    /// hand already), found without reading it again; `None` when no event names it. Any
    /// other text is simply not found: use [`TraceGraph::journey`] for it.
    pub fn journey_of_link(&self, link: &str, now_ms: i64) -> Option<Journey> {
        let node = self.ids.get(link)?;
        Some(self.journey_of_node(node, now_ms))
    }

    fn journey_of_node(&self, node: NodeId, now_ms: i64) -> Journey {
        let mut events = self.events_about(node, now_ms, &mut Default::default(), 0);
        let raw = self.raw_state(&events);
        let lot = self.nodes.lot[node as usize];
        let state = JourneyState {
            lot: (lot != NONE).then(|| self.ids.text(lot)),
            holder: self.term_opt(raw.holder),
            disposition: self.term_opt(raw.disposition),
            persistent_dispositions: raw.persistent.iter().map(|&t| self.terms.text(t)).collect(),
        };
        if self.is_class(node) {
            // A lot's journey also has the events that name it by quantity (shipping so many
            // kilograms of it), which do not change its state.
            events.extend(self.incidences(node).filter_map(|(role, event)| {
                // Only a `Class` incidence points at an event (a `Member` one at a can).
                if role != crate::graph::Role::Class {
                    return None;
                }
                let record = &self.events[event as usize];
                (!record.retracted && record.time_ms <= now_ms).then_some((record.time_ms, event))
            }));
            events.sort_unstable();
            events.dedup();
        }
        // An item names a handful of events itself (a lot: a few more), so a sorted list
        // searched by halves costs less than a hash set built for each journey.
        let mut own: Vec<u32> = self.own_events(node).collect();
        own.sort_unstable();
        own.dedup();
        let own = |event: &u32| own.binary_search(event).is_ok();
        let steps = events
            .iter()
            .filter_map(|&(_, event)| {
                let is_own = own(&event);
                let record = &self.events[event as usize];
                let step = self.term_opt(record.biz_step);
                if !is_own {
                    let moving = step.as_deref().is_some_and(|step| {
                        TRANSPORT_STEPS
                            .iter()
                            .any(|transport| step.ends_with(transport))
                    });
                    if !moving {
                        return None;
                    }
                }
                let place = if record.biz_location != NONE {
                    record.biz_location
                } else {
                    record.read_point
                };
                Some(JourneyStep {
                    event_seq: record.seq,
                    time_ms: record.time_ms,
                    offset_minutes: record.offset_minutes,
                    biz_step: step,
                    place: self.term_opt(place),
                    own: is_own,
                })
            })
            .collect();
        let made_by = self.nodes.lot_event[node as usize];
        let dates = (made_by != NONE)
            .then(|| self.ilmd_dates.get(&made_by))
            .flatten()
            .or_else(|| {
                events
                    .iter()
                    .rev()
                    .filter(|(_, event)| own(event))
                    .find_map(|(_, event)| self.ilmd_dates.get(event))
            });
        Journey {
            state,
            steps,
            production_date: dates.and_then(|d| self.term_opt(d.production)),
            expiry_date: dates.and_then(|d| self.term_opt(d.expiry)),
        }
    }

    /// The events that name a node itself (in any role but containment).
    fn own_events(&self, node: NodeId) -> impl Iterator<Item = u32> + '_ {
        use crate::graph::Role;
        self.incidences(node).filter_map(|(role, target)| {
            matches!(
                role,
                Role::Named | Role::Parent | Role::Input | Role::Output | Role::Class
            )
            .then_some(target)
        })
    }
}

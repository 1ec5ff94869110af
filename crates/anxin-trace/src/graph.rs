//! The trace graph and how one stored event changes it ([`TraceGraph::apply`]).
//!
//! Layout, chosen for tens of millions of cans:
//! - every identifier is a `u32` node from one [`Interner`]; words, locations, parties and hash
//!   IDs are `u32`s from a second one;
//! - each node has one singly linked list of [`Incidence`]s (eight bytes each: the next link and
//!   a role packed with the event, aggregation record or node it points at), newest first;
//! - events are rows of [`EventRec`] in capture order, with their lists (inputs and outputs,
//!   sources and destinations, persistent dispositions) in shared pools;
//! - containment is a table of [`AggRec`] intervals (parent, child, start, end, and the events
//!   that opened and closed it).
//!
//! The rules, all applied in capture order (the order of `event_seq`):
//! - an AggregationEvent ADD opens one interval per child at its event time, and closes the
//!   child's open intervals under any other parent; a DELETE closes the named children's open
//!   intervals under its parent, or all of the parent's when it names no children;
//! - a TransformationEvent links every input to every output (EPCs and quantity classes);
//! - an instance belongs to the lot of the latest commissioning (ObjectEvent ADD, or a
//!   transformation output) whose ILMD carries a `lotNumber`;
//! - an event declared erroneous (a later event with the same hash ID and an
//!   `errorDeclaration`) stops counting: everything it did is as if it had never been captured,
//!   and an interval it closed is closed by the next event that would have closed it.
//!
//! Nothing here refuses a well-formed event: data that makes no sense (a container packed into
//! itself, an unpack of something never packed) is kept and reported as a [`Finding`].

use anxin_epcis::{Action, Event, EventType, ExtValue, Extension, Term};
use anxin_gs1::Gs1Key;
use serde::Serialize;

use crate::intern::Interner;
use crate::{StoredFacts, TraceError};

/// "No value" in `u32` columns.
pub(crate) const NONE: u32 = u32::MAX;

/// Depth beyond which a chain of containers is not followed (a can in a case on a pallet in a
/// container is depth 3). An assumption, not from any standard: it only bounds the work a
/// query does on malformed data.
pub(crate) const CONTAINER_DEPTH_MAX: usize = 16;

/// The namespaces in which an ILMD `lotNumber` is recognised: the CBV master-data URN prefix
/// (`cbvmda:` in EPCIS 2.0 JSON-LD) and the CBV web vocabulary.
const LOT_NAMESPACES: [&str; 2] = ["urn:epcglobal:cbv:mda:", "https://ref.gs1.org/cbv/"];

/// The ILMD field that names the lot (CBV 2.0 §8.3, `lotNumber`).
const LOT_FIELD: &str = "lotNumber";

/// The largest index an incidence can point at (three bits of the word name the role).
const TARGET_MAX: u32 = (1 << 29) - 1;

/// A node: one identifier (an instance or a class) in the graph.
pub type NodeId = u32;

/// [`Nodes::kind`] bit: the node has been named the parent of an aggregation record.
pub(crate) const HAS_CONTENTS: u8 = 1 << 1;

/// [`Nodes::kind`] bit: the node has been named an input of a transformation.
pub(crate) const IS_INPUT: u8 = 1 << 2;

/// What an incidence points at, and in what role.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum Role {
    /// The event names the node in `epcList` or `childEPCs`.
    Named = 0,
    /// The event names the node as `parentID`.
    Parent = 1,
    /// The node is an input of the transformation event.
    Input = 2,
    /// The node is an output of the transformation event.
    Output = 3,
    /// The event names the class in a quantity list (not of a transformation).
    Class = 4,
    /// The node is the child of the aggregation record.
    ChildAgg = 5,
    /// The node is the parent of the aggregation record.
    ParentAgg = 6,
    /// On a lot: the target node was commissioned into it.
    Member = 7,
}

impl Role {
    fn from_bits(bits: u32) -> Role {
        match bits {
            0 => Role::Named,
            1 => Role::Parent,
            2 => Role::Input,
            3 => Role::Output,
            4 => Role::Class,
            5 => Role::ChildAgg,
            6 => Role::ParentAgg,
            _ => Role::Member,
        }
    }
}

/// One entry of a node's list: the next entry and the role packed with its target.
#[derive(Clone, Copy)]
pub(crate) struct Incidence {
    next: u32,
    packed: u32,
}

/// The event's type and action in one byte, and whether it is an error declaration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EventFlags(u8);

impl EventFlags {
    const DECLARATION: u8 = 1 << 6;
    const HAS_CHILDREN: u8 = 1 << 7;

    fn new(event: &Event) -> EventFlags {
        let type_bits = match event.event_type {
            EventType::ObjectEvent => 0,
            EventType::AggregationEvent => 1,
            EventType::TransactionEvent => 2,
            EventType::TransformationEvent => 3,
            EventType::AssociationEvent => 4,
        };
        let action_bits = match event.action {
            None => 0,
            Some(Action::Add) => 1,
            Some(Action::Observe) => 2,
            Some(Action::Delete) => 3,
        };
        let mut bits = type_bits | (action_bits << 3);
        if event.error_declaration.is_some() {
            bits |= Self::DECLARATION;
        }
        if !event.child_epcs.is_empty() || !event.child_quantity_list.is_empty() {
            bits |= Self::HAS_CHILDREN;
        }
        EventFlags(bits)
    }

    pub(crate) fn event_type(self) -> EventType {
        match self.0 & 7 {
            0 => EventType::ObjectEvent,
            1 => EventType::AggregationEvent,
            2 => EventType::TransactionEvent,
            3 => EventType::TransformationEvent,
            _ => EventType::AssociationEvent,
        }
    }

    pub(crate) fn action(self) -> Option<Action> {
        match (self.0 >> 3) & 3 {
            1 => Some(Action::Add),
            2 => Some(Action::Observe),
            3 => Some(Action::Delete),
            _ => None,
        }
    }

    pub(crate) fn is_declaration(self) -> bool {
        self.0 & Self::DECLARATION != 0
    }

    fn has_children(self) -> bool {
        self.0 & Self::HAS_CHILDREN != 0
    }
}

/// The kind of a source or destination, as far as custody is concerned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PlaceKind {
    OwningParty,
    PossessingParty,
    Location,
    Other,
}

/// One source or destination: its kind, whether it is a destination, and the GLN (or the
/// identifier as written, when it holds no GLN).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place {
    pub(crate) kind: PlaceKind,
    pub(crate) destination: bool,
    pub(crate) term: u32,
}

/// One input or output of a transformation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IoItem {
    pub(crate) node: NodeId,
    /// The quantity, NaN when the element has none (or it is an EPC).
    pub(crate) quantity: f64,
    /// The unit's term, or [`NONE`] (a count of instances).
    pub(crate) uom: u32,
}

/// One stored event, as much of it as trace and recall need.
#[derive(Clone, Debug)]
pub(crate) struct EventRec {
    pub(crate) seq: u64,
    pub(crate) time_ms: i64,
    pub(crate) record_ms: i64,
    /// The offset from UTC the event time was written with, in minutes (for the passport).
    pub(crate) offset_minutes: i16,
    pub(crate) hash: u32,
    pub(crate) flags: EventFlags,
    pub(crate) retracted: bool,
    pub(crate) biz_step: u32,
    pub(crate) disposition: u32,
    pub(crate) biz_location: u32,
    pub(crate) read_point: u32,
    pub(crate) party: u32,
    pub(crate) parent: NodeId,
    pub(crate) lot: u32,
    pub(crate) places: (u32, u16),
    pub(crate) io: (u32, u32, u32),
    pub(crate) persistent: (u32, u16, u16),
    pub(crate) transactions: (u32, u16),
    /// The `transformationID` of a TransformationEvent, or [`NONE`].
    pub(crate) transformation_id: u32,
}

/// One containment interval: `child` was in `parent` from `start_ms` until `end_ms`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AggRec {
    pub(crate) parent: NodeId,
    pub(crate) child: NodeId,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) ev_start: u32,
    pub(crate) ev_end: u32,
}

/// Something in the submitted data that makes no sense, kept beside the graph.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A container was packed into something it (directly or indirectly) contains.
    AggregationCycle {
        /// The container of the offending event.
        container: String,
        /// The child that already holds the container.
        content: String,
        /// The event's sequence number.
        event_seq: u64,
    },
    /// A transformation's output was already upstream of one of its inputs.
    TransformationCycle {
        /// The output that reaches back.
        output: String,
        /// The input it reaches.
        input: String,
        /// The event's sequence number.
        event_seq: u64,
    },
    /// An unpack named a child that was not in the parent.
    UnpackOfAbsentChild {
        /// The parent.
        container: String,
        /// The child.
        content: String,
        /// The event's sequence number.
        event_seq: u64,
    },
    /// An error declaration arrived before the event it declares (it applies on arrival).
    DeclarationBeforeEvent {
        /// The hash ID declared erroneous.
        hash_id: String,
        /// The declaration's sequence number.
        event_seq: u64,
    },
    /// An ILMD lot number that cannot form a GS1 lot with the instance's GTIN.
    UnusableLotNumber {
        /// The instance.
        instance: String,
        /// The lot number as written.
        lot_number: String,
        /// What is wrong with it.
        reason: String,
        /// The event's sequence number.
        event_seq: u64,
    },
}

/// What applying one event did, for the caller to log or show.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// The event's index in the graph's event table.
    pub event_index: u32,
    /// Events this one declared erroneous (their sequence numbers).
    pub retracted: Vec<u64>,
    /// What made no sense in this event.
    pub findings: Vec<Finding>,
}

/// Per-node columns.
#[derive(Default)]
pub(crate) struct Nodes {
    /// Bit 0: a class (lot or GTIN) rather than an instance. Bit 1 ([`HAS_CONTENTS`]): the
    /// node has a [`Role::ParentAgg`] incidence; bit 2 ([`IS_INPUT`]): it has a
    /// [`Role::Input`] incidence. Bits 1 and 2 are hints for walks (set when the incidence is
    /// linked, never cleared, counting or not): a node without them need not be searched for
    /// contents or for transformations it fed.
    pub(crate) kind: Vec<u8>,
    /// The newest incidence, or [`NONE`].
    pub(crate) head: Vec<u32>,
    /// The lot an instance belongs to, or [`NONE`].
    pub(crate) lot: Vec<u32>,
    /// The event that put it in that lot.
    pub(crate) lot_event: Vec<u32>,
    /// The GTIN (14 digits, in the term table) of an SGTIN or LGTIN, or [`NONE`].
    pub(crate) gtin: Vec<u32>,
}

/// The trace graph. See the module documentation for its rules and layout.
#[derive(Default)]
pub struct TraceGraph {
    pub(crate) ids: Interner,
    pub(crate) terms: Interner,
    pub(crate) nodes: Nodes,
    pub(crate) incidences: Vec<Incidence>,
    pub(crate) events: Vec<EventRec>,
    pub(crate) aggs: Vec<AggRec>,
    pub(crate) io: Vec<IoItem>,
    pub(crate) places: Vec<Place>,
    pub(crate) persistent: Vec<u32>,
    pub(crate) transactions: Vec<(u32, u32)>,
    /// Hash ID term → the first event with that hash (declarations excluded).
    by_hash: hashbrown::HashMap<u32, u32>,
    /// `transformationID` term → the TransformationEvents that carry it, in capture order.
    pub(crate) transformations: hashbrown::HashMap<u32, Vec<u32>>,
    /// Hash IDs declared erroneous, and the declaration's event index.
    pub(crate) declared: hashbrown::HashMap<u32, u32>,
    pub(crate) findings: Vec<Finding>,
    /// Event index → the production and expiry dates its ILMD gives (only events with one).
    pub(crate) ilmd_dates: hashbrown::HashMap<u32, crate::journey::IlmdDates>,
}

/// An identifier in canonical form, and the GTIN and kind its key implies.
pub(crate) struct Canonical {
    pub(crate) text: String,
    pub(crate) gtin: Option<String>,
    pub(crate) is_class: bool,
}

/// The canonical form of an identifier: the GS1 Digital Link on `https://id.gs1.org` when it
/// is a GS1 key, else the text as written (trimmed): EPCIS allows any URI.
pub(crate) fn canonical(text: &str) -> Canonical {
    match Gs1Key::parse(text) {
        Ok(key) => {
            let (gtin, is_class) = match &key {
                Gs1Key::Sgtin(sgtin) => (Some(sgtin.gtin().as_str().to_owned()), false),
                Gs1Key::Lgtin(lgtin) => (Some(lgtin.gtin().as_str().to_owned()), true),
                Gs1Key::Gtin(gtin) => (Some(gtin.as_str().to_owned()), true),
                _ => (None, false),
            };
            Canonical {
                text: key.to_digital_link(),
                gtin,
                is_class,
            }
        }
        Err(_) => Canonical {
            text: text.trim().to_owned(),
            gtin: None,
            is_class: false,
        },
    }
}

/// The GLN inside a party or location identifier (SGLN, PGLN, GLN), else the canonical text.
pub(crate) fn party_key(text: &str) -> String {
    let trimmed = text.trim();
    // A bare 13-digit number here is a GLN, not the GTIN-13 a scanner would mean by it.
    if trimmed.len() == 13
        && trimmed.bytes().all(|b| b.is_ascii_digit())
        && let Ok(gln) = anxin_gs1::Gln::parse(trimmed)
    {
        return gln.as_str().to_owned();
    }
    match Gs1Key::parse(text) {
        Ok(Gs1Key::Sgln(sgln)) => sgln.gln().as_str().to_owned(),
        Ok(Gs1Key::Pgln(pgln)) => pgln.gln().as_str().to_owned(),
        Ok(key) => key.to_digital_link(),
        Err(_) => text.trim().to_owned(),
    }
}

/// The lot number in an ILMD, if one is there.
fn ilmd_lot(ilmd: &[Extension]) -> Option<&str> {
    ilmd.iter().find_map(|extension| {
        let named = extension.name.local == LOT_FIELD
            && LOT_NAMESPACES.contains(&extension.name.namespace.as_str());
        match (&extension.value, named) {
            (ExtValue::Text(text) | ExtValue::Number(text), true) => Some(text.trim()),
            _ => None,
        }
    })
}

fn term_text(term: &Term) -> &str {
    term.json_form()
}

impl TraceGraph {
    /// An empty graph.
    pub fn new() -> TraceGraph {
        TraceGraph::default()
    }

    /// The number of events applied (declarations included).
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// The number of nodes (instances and classes).
    pub fn node_count(&self) -> usize {
        self.ids.len()
    }

    /// Everything that made no sense in the data so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub(crate) fn term(&mut self, text: &str) -> Result<u32, TraceError> {
        Ok(self.terms.intern(text).map_err(|_| TraceError::Full)?.0)
    }

    fn opt_term(&mut self, text: Option<&str>) -> Result<u32, TraceError> {
        match text {
            Some(text) => self.term(text),
            None => Ok(NONE),
        }
    }

    /// The node for an identifier, created when new.
    fn node(&mut self, text: &str, as_class: bool) -> Result<NodeId, TraceError> {
        let canonical = canonical(text);
        self.node_from(&canonical, as_class)
    }

    fn node_from(&mut self, canonical: &Canonical, as_class: bool) -> Result<NodeId, TraceError> {
        let (id, new) = self
            .ids
            .intern(&canonical.text)
            .map_err(|_| TraceError::Full)?;
        if new {
            let gtin = match &canonical.gtin {
                Some(gtin) => self.term(gtin)?,
                None => NONE,
            };
            let nodes = &mut self.nodes;
            nodes.kind.push(u8::from(canonical.is_class || as_class));
            nodes.head.push(NONE);
            nodes.lot.push(NONE);
            nodes.lot_event.push(NONE);
            nodes.gtin.push(gtin);
        }
        Ok(id)
    }

    fn link(&mut self, node: NodeId, role: Role, target: u32) -> Result<(), TraceError> {
        if target > TARGET_MAX || self.incidences.len() >= NONE as usize {
            return Err(TraceError::Full);
        }
        match role {
            Role::ParentAgg => self.nodes.kind[node as usize] |= HAS_CONTENTS,
            Role::Input => self.nodes.kind[node as usize] |= IS_INPUT,
            _ => {}
        }
        let next = self.nodes.head[node as usize];
        self.nodes.head[node as usize] = self.incidences.len() as u32;
        self.incidences.push(Incidence {
            next,
            packed: ((role as u32) << 29) | target,
        });
        Ok(())
    }

    /// The incidences of a node, newest first.
    pub(crate) fn incidences(&self, node: NodeId) -> IncidenceIter<'_> {
        IncidenceIter {
            incidences: &self.incidences,
            at: self.nodes.head[node as usize],
        }
    }

    /// Applies one stored event. Events must come in capture order (increasing `event_seq`).
    ///
    /// # Errors
    /// [`TraceError::OutOfOrder`] when `event_seq` is not above the last one applied, and
    /// [`TraceError::Full`] when a table would pass its `u32` limit; the graph is unchanged
    /// in the first case.
    pub fn apply(&mut self, facts: &StoredFacts<'_>) -> Result<Applied, TraceError> {
        if let Some(last) = self.events.last()
            && facts.event_seq <= last.seq
        {
            return Err(TraceError::OutOfOrder {
                event_seq: facts.event_seq,
                last_seq: last.seq,
            });
        }
        if self.events.len() >= TARGET_MAX as usize {
            return Err(TraceError::Full);
        }
        let event = facts.event;
        let event_index = self.events.len() as u32;
        let hash = self.term(facts.hash_id)?;
        let mut applied = Applied {
            event_index,
            ..Applied::default()
        };
        let record = self.event_record(facts, hash)?;
        let is_declaration = record.flags.is_declaration();
        if let Some(ilmd) = event.ilmd.as_deref()
            && let (production, expiry) = crate::journey::ilmd_dates(ilmd)
            && (production.is_some() || expiry.is_some())
        {
            let dates = crate::journey::IlmdDates {
                production: self.opt_term(production)?,
                expiry: self.opt_term(expiry)?,
            };
            self.ilmd_dates.insert(event_index, dates);
        }
        self.events.push(record);
        if is_declaration {
            self.declare(event_index, hash, &mut applied);
        } else {
            if self.declared.contains_key(&hash) {
                self.events[event_index as usize].retracted = true;
            }
            self.by_hash.entry(hash).or_insert(event_index);
            self.link_event(event, event_index, &mut applied)?;
        }
        self.findings.extend(applied.findings.iter().cloned());
        Ok(applied)
    }

    fn event_record(&mut self, facts: &StoredFacts<'_>, hash: u32) -> Result<EventRec, TraceError> {
        let event = facts.event;
        let biz_step = self.opt_term(event.biz_step.as_ref().map(term_text))?;
        let disposition = self.opt_term(event.disposition.as_ref().map(term_text))?;
        let biz_location = match &event.biz_location {
            Some(location) => self.term(&canonical(&location.id).text)?,
            None => NONE,
        };
        let read_point = match &event.read_point {
            Some(location) => self.term(&canonical(&location.id).text)?,
            None => NONE,
        };
        let party = match facts.party_gln {
            Some(party) => self.term(&party_key(party))?,
            None => NONE,
        };
        let parent = match &event.parent_id {
            Some(parent) => self.node(parent, false)?,
            None => NONE,
        };
        let lot = self.opt_term(event.ilmd.as_deref().and_then(ilmd_lot))?;
        let places_start = self.places.len() as u32;
        for (list, destination) in [(&event.source_list, false), (&event.destination_list, true)] {
            for item in list {
                let kind = match &item.kind {
                    Term::Standard("owning_party") => PlaceKind::OwningParty,
                    Term::Standard("possessing_party") => PlaceKind::PossessingParty,
                    Term::Standard("location") => PlaceKind::Location,
                    _ => PlaceKind::Other,
                };
                let term = self.term(&party_key(&item.id))?;
                self.places.push(Place {
                    kind,
                    destination,
                    term,
                });
            }
        }
        let n_places = (self.places.len() as u32 - places_start).min(u16::MAX as u32) as u16;
        let persistent_start = self.persistent.len() as u32;
        let (mut n_set, mut n_unset) = (0u16, 0u16);
        if let Some(persistent) = &event.persistent_disposition {
            for word in persistent.set.iter().take(u16::MAX as usize) {
                let term = self.term(term_text(word))?;
                self.persistent.push(term);
                n_set += 1;
            }
            for word in persistent.unset.iter().take(u16::MAX as usize) {
                let term = self.term(term_text(word))?;
                self.persistent.push(term);
                n_unset += 1;
            }
        }
        let transactions_start = self.transactions.len() as u32;
        for transaction in event.biz_transaction_list.iter().take(u16::MAX as usize) {
            let kind = self.opt_term(transaction.transaction_type.as_ref().map(term_text))?;
            let id = self.term(&transaction.id)?;
            self.transactions.push((kind, id));
        }
        let n_transactions = (self.transactions.len() as u32 - transactions_start) as u16;
        let transformation_id = match (&event.transformation_id, event.event_type) {
            (Some(id), EventType::TransformationEvent) => self.term(id.trim())?,
            _ => NONE,
        };
        Ok(EventRec {
            seq: facts.event_seq,
            time_ms: event.event_time.unix_millis(),
            record_ms: facts.record_time_ms,
            offset_minutes: i16::try_from(event.event_time.offset.seconds() / 60).unwrap_or(0),
            hash,
            flags: EventFlags::new(event),
            retracted: false,
            biz_step,
            disposition,
            biz_location,
            read_point,
            party,
            parent,
            lot,
            places: (places_start, n_places),
            io: (self.io.len() as u32, 0, 0),
            persistent: (persistent_start, n_set, n_unset),
            transactions: (transactions_start, n_transactions),
            transformation_id,
        })
    }

    /// An error declaration: every earlier event with its hash ID stops counting.
    fn declare(&mut self, declaration: u32, hash: u32, applied: &mut Applied) {
        self.declared.entry(hash).or_insert(declaration);
        match self.by_hash.get(&hash).copied() {
            Some(target) if !self.events[target as usize].retracted => {
                applied.retracted.push(self.events[target as usize].seq);
                self.retract(target);
            }
            Some(_) => {}
            None => applied.findings.push(Finding::DeclarationBeforeEvent {
                hash_id: self.terms.text(hash),
                event_seq: self.events[declaration as usize].seq,
            }),
        }
    }

    fn link_event(
        &mut self,
        event: &Event,
        event_index: u32,
        applied: &mut Applied,
    ) -> Result<(), TraceError> {
        let parent = self.events[event_index as usize].parent;
        if parent != NONE {
            self.link(parent, Role::Parent, event_index)?;
        }
        match event.event_type {
            EventType::TransformationEvent => self.link_transformation(event, event_index, applied),
            EventType::AggregationEvent => self.link_aggregation(event, event_index, applied),
            _ => {
                let commissions =
                    event.event_type == EventType::ObjectEvent && event.action == Some(Action::Add);
                let mut lot_cache = None;
                for epc in event.epc_list.iter().chain(&event.child_epcs) {
                    let canonical = canonical(epc);
                    let node = self.node_from(&canonical, false)?;
                    self.link(node, Role::Named, event_index)?;
                    if commissions {
                        self.join_lot(node, &canonical, event_index, applied, &mut lot_cache)?;
                    }
                }
                // What a commissioning creates in bulk (a raw-milk collection of so many kg)
                // is kept as the event's outputs, for mass balance; no Output incidence is
                // linked, so it is not a transformation.
                let start = self.io.len() as u32;
                for quantity in event.quantity_list.iter().chain(&event.child_quantity_list) {
                    let node = self.node(&quantity.epc_class, true)?;
                    self.link(node, Role::Class, event_index)?;
                    if commissions {
                        let uom = self.opt_term(quantity.uom.as_deref())?;
                        self.io.push(IoItem {
                            node,
                            quantity: quantity.quantity.unwrap_or(f64::NAN),
                            uom,
                        });
                    }
                }
                self.events[event_index as usize].io = (start, 0, self.io.len() as u32 - start);
                Ok(())
            }
        }
    }

    /// Puts an instance in the lot the event's ILMD names, if it names one.
    fn join_lot(
        &mut self,
        node: NodeId,
        canonical: &Canonical,
        event_index: u32,
        applied: &mut Applied,
        cache: &mut Option<(String, NodeId)>,
    ) -> Result<(), TraceError> {
        let lot_term = self.events[event_index as usize].lot;
        let Some(gtin) = &canonical.gtin else {
            return Ok(());
        };
        if lot_term == NONE || canonical.is_class {
            return Ok(());
        }
        // One event usually commissions many cans of one GTIN into one lot.
        let lot = match cache {
            Some((cached, lot)) if cached == gtin => *lot,
            _ => match self.lot_node(gtin, lot_term, canonical, event_index, applied)? {
                Some(lot) => {
                    *cache = Some((gtin.clone(), lot));
                    lot
                }
                None => return Ok(()),
            },
        };
        self.link(lot, Role::Member, node)?;
        if !self.events[event_index as usize].retracted {
            self.nodes.lot[node as usize] = lot;
            self.nodes.lot_event[node as usize] = event_index;
        }
        Ok(())
    }

    /// The node of the lot (GTIN + lot number), created when new; `None` (and a finding) when
    /// the lot number cannot be part of a GS1 key.
    fn lot_node(
        &mut self,
        gtin: &str,
        lot_term: u32,
        canonical: &Canonical,
        event_index: u32,
        applied: &mut Applied,
    ) -> Result<Option<NodeId>, TraceError> {
        let lot_number = self.terms.text(lot_term);
        let lot_key =
            anxin_gs1::Gtin::parse(gtin).and_then(|gtin| anxin_gs1::Lgtin::new(gtin, &lot_number));
        let lot_key = match lot_key {
            Ok(lot_key) => Gs1Key::Lgtin(lot_key),
            Err(err) => {
                applied.findings.push(Finding::UnusableLotNumber {
                    instance: canonical.text.clone(),
                    lot_number,
                    reason: err.to_string(),
                    event_seq: self.events[event_index as usize].seq,
                });
                return Ok(None);
            }
        };
        let lot_canonical = Canonical {
            text: lot_key.to_digital_link(),
            gtin: Some(gtin.to_owned()),
            is_class: true,
        };
        Ok(Some(self.node_from(&lot_canonical, true)?))
    }

    /// The TransformationEvents that make one transformation with `event`: those that share
    /// its `transformationID` (EPCIS 2.0 §7.4.6: every input of any of them may contribute to
    /// every output of any of them), or the event alone. Declared-erroneous ones included;
    /// callers skip them.
    pub(crate) fn transformation_group(&self, event: u32) -> impl Iterator<Item = u32> + '_ {
        let id = self.events[event as usize].transformation_id;
        let shared = if id == NONE {
            None
        } else {
            self.transformations.get(&id)
        };
        let (events, alone) = match shared {
            Some(events) => (events.as_slice(), None),
            None => (&[][..], Some(event)),
        };
        events.iter().copied().chain(alone)
    }

    fn link_transformation(
        &mut self,
        event: &Event,
        event_index: u32,
        applied: &mut Applied,
    ) -> Result<(), TraceError> {
        let id = self.events[event_index as usize].transformation_id;
        if id != NONE {
            self.transformations
                .entry(id)
                .or_default()
                .push(event_index);
        }
        let start = self.io.len() as u32;
        let mut inputs = Vec::new();
        let mut lot_cache = None;
        for (epcs, quantities, role) in [
            (
                &event.input_epc_list,
                &event.input_quantity_list,
                Role::Input,
            ),
            (
                &event.output_epc_list,
                &event.output_quantity_list,
                Role::Output,
            ),
        ] {
            for epc in epcs {
                let canonical = canonical(epc);
                let node = self.node_from(&canonical, false)?;
                self.link(node, role, event_index)?;
                self.io.push(IoItem {
                    node,
                    quantity: f64::NAN,
                    uom: NONE,
                });
                if role == Role::Output {
                    self.join_lot(node, &canonical, event_index, applied, &mut lot_cache)?;
                }
            }
            for quantity in quantities {
                let node = self.node(&quantity.epc_class, true)?;
                self.link(node, role, event_index)?;
                let uom = self.opt_term(quantity.uom.as_deref())?;
                self.io.push(IoItem {
                    node,
                    quantity: quantity.quantity.unwrap_or(f64::NAN),
                    uom,
                });
            }
            if role == Role::Input {
                inputs = self.io[start as usize..].iter().map(|i| i.node).collect();
            }
        }
        let n_in = inputs.len() as u32;
        let n_out = self.io.len() as u32 - start - n_in;
        self.events[event_index as usize].io = (start, n_in, n_out);
        self.check_transformation_cycle(event_index, &inputs, applied);
        Ok(())
    }

    /// Reports a transformation whose output already leads (downstream) to one of its inputs.
    /// Outputs are usually new nodes with nothing downstream, so this costs nothing then.
    fn check_transformation_cycle(
        &mut self,
        event_index: u32,
        inputs: &[NodeId],
        applied: &mut Applied,
    ) {
        let (start, n_in, n_out) = self.events[event_index as usize].io;
        let outputs: Vec<NodeId> = self.io
            [(start + n_in) as usize..(start + n_in + n_out) as usize]
            .iter()
            .map(|item| item.node)
            .collect();
        for output in outputs {
            let has_downstream = self.incidences(output).any(|(role, target)| {
                (role == Role::Input && target != event_index) || role == Role::Member
            }) || inputs.contains(&output);
            if !has_downstream {
                continue;
            }
            let reached = self.forward_closure(&[output]);
            if let Some(&input) = inputs.iter().find(|input| reached.contains(*input)) {
                applied.findings.push(Finding::TransformationCycle {
                    output: self.ids.text(output),
                    input: self.ids.text(input),
                    event_seq: self.events[event_index as usize].seq,
                });
            }
        }
    }

    fn link_aggregation(
        &mut self,
        event: &Event,
        event_index: u32,
        applied: &mut Applied,
    ) -> Result<(), TraceError> {
        let record = &self.events[event_index as usize];
        let (parent, retracted, time_ms, action) = (
            record.parent,
            record.retracted,
            record.time_ms,
            record.flags.action(),
        );
        let mut children = Vec::with_capacity(event.child_epcs.len());
        for epc in &event.child_epcs {
            let node = self.node(epc, false)?;
            self.link(node, Role::Named, event_index)?;
            children.push(node);
        }
        for quantity in &event.child_quantity_list {
            let node = self.node(&quantity.epc_class, true)?;
            self.link(node, Role::Class, event_index)?;
            children.push(node);
        }
        if parent == NONE {
            return Ok(());
        }
        match action {
            Some(Action::Add) => {
                for &child in &children {
                    if !retracted {
                        self.close_where(child, Role::ChildAgg, event_index, |agg| {
                            agg.parent != parent
                        });
                        if self.contains_in_open_chain(child, parent) {
                            applied.findings.push(Finding::AggregationCycle {
                                container: self.ids.text(parent),
                                content: self.ids.text(child),
                                event_seq: self.events[event_index as usize].seq,
                            });
                        }
                    }
                    let agg = self.aggs.len() as u32;
                    if agg > TARGET_MAX {
                        return Err(TraceError::Full);
                    }
                    self.aggs.push(AggRec {
                        parent,
                        child,
                        start_ms: time_ms,
                        end_ms: i64::MAX,
                        ev_start: event_index,
                        ev_end: NONE,
                    });
                    self.link(child, Role::ChildAgg, agg)?;
                    self.link(parent, Role::ParentAgg, agg)?;
                }
            }
            Some(Action::Delete) if !retracted => {
                if children.is_empty() {
                    self.close_where(parent, Role::ParentAgg, event_index, |_| true);
                } else {
                    for &child in &children {
                        let closed = self.close_where(child, Role::ChildAgg, event_index, |agg| {
                            agg.parent == parent
                        });
                        if closed == 0 {
                            applied.findings.push(Finding::UnpackOfAbsentChild {
                                container: self.ids.text(parent),
                                content: self.ids.text(child),
                                event_seq: self.events[event_index as usize].seq,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Closes the open aggregation records in `node`'s list (in `role`) that `keep` accepts;
    /// returns how many were closed.
    fn close_where(
        &mut self,
        node: NodeId,
        role: Role,
        closer: u32,
        keep: impl Fn(&AggRec) -> bool,
    ) -> usize {
        let time_ms = self.events[closer as usize].time_ms;
        let mut at = self.nodes.head[node as usize];
        let mut closed = 0;
        while at != NONE {
            let incidence = self.incidences[at as usize];
            at = incidence.next;
            if Role::from_bits(incidence.packed >> 29) != role {
                continue;
            }
            let agg = &mut self.aggs[(incidence.packed & TARGET_MAX) as usize];
            if agg.ev_end == NONE && keep(agg) {
                agg.ev_end = closer;
                agg.end_ms = time_ms;
                closed += 1;
            }
        }
        closed
    }

    /// True when `target` is `start` or sits (through open records) above it.
    fn contains_in_open_chain(&self, target: NodeId, start: NodeId) -> bool {
        let mut at = start;
        for _ in 0..CONTAINER_DEPTH_MAX {
            if at == target {
                return true;
            }
            let next = self
                .aggs_of(at, Role::ChildAgg)
                .find_map(|agg| (agg.ev_end == NONE).then_some(agg.parent));
            match next {
                Some(parent) => at = parent,
                None => return false,
            }
        }
        false
    }

    /// True when the event counts (it has not been declared erroneous).
    pub(crate) fn counts(&self, event: u32) -> bool {
        !self.events[event as usize].retracted
    }

    /// Marks an event as declared erroneous and undoes what it did to containment intervals
    /// and lot membership.
    fn retract(&mut self, event_index: u32) {
        self.events[event_index as usize].retracted = true;
        let record = self.events[event_index as usize].clone();
        if record.flags.event_type() == EventType::AggregationEvent && record.parent != NONE {
            let mut closed = Vec::new();
            for (role, agg) in self.incidences(record.parent) {
                if role == Role::ParentAgg && self.aggs[agg as usize].ev_end == event_index {
                    closed.push(agg);
                }
            }
            // An ADD also closed its children's records under other parents.
            if record.flags.action() == Some(Action::Add) {
                for (role, agg) in self.incidences(record.parent) {
                    if role != Role::ParentAgg || self.aggs[agg as usize].ev_start != event_index {
                        continue;
                    }
                    let child = self.aggs[agg as usize].child;
                    for (role, other) in self.incidences(child) {
                        if role == Role::ChildAgg && self.aggs[other as usize].ev_end == event_index
                        {
                            closed.push(other);
                        }
                    }
                }
            }
            for agg in closed {
                self.reclose(agg, event_index);
            }
        }
        if record.lot != NONE {
            let members: Vec<NodeId> = self
                .lot_members_of_event(event_index)
                .into_iter()
                .filter(|&node| self.nodes.lot_event[node as usize] == event_index)
                .collect();
            for node in members {
                self.rejoin_lot(node);
            }
        }
    }

    /// The instances an event named as new (its `epcList` or transformation outputs).
    fn lot_members_of_event(&self, event_index: u32) -> Vec<NodeId> {
        let record = &self.events[event_index as usize];
        if record.flags.event_type() == EventType::TransformationEvent {
            let (start, n_in, n_out) = record.io;
            return self.io[(start + n_in) as usize..(start + n_in + n_out) as usize]
                .iter()
                .map(|item| item.node)
                .collect();
        }
        // The nodes were linked as Named to this event; their lot_event points at it.
        (0..self.nodes.lot_event.len() as u32)
            .filter(|&node| self.nodes.lot_event[node as usize] == event_index)
            .collect()
    }

    /// Recomputes an instance's lot from its latest counting commissioning with a lot.
    fn rejoin_lot(&mut self, node: NodeId) {
        self.nodes.lot[node as usize] = NONE;
        self.nodes.lot_event[node as usize] = NONE;
        let candidate = self.incidences(node).find(|&(role, event)| {
            let record = &self.events[event as usize];
            let commissions = match role {
                Role::Named => {
                    record.flags.event_type() == EventType::ObjectEvent
                        && record.flags.action() == Some(Action::Add)
                }
                Role::Output => true,
                _ => false,
            };
            commissions && record.lot != NONE && !record.retracted
        });
        if let Some((_, event)) = candidate {
            let gtin = self.nodes.gtin[node as usize];
            if gtin == NONE {
                return;
            }
            let lot_number = self.terms.text(self.events[event as usize].lot);
            let lot = anxin_gs1::Gtin::parse(&self.terms.text(gtin))
                .and_then(|gtin| anxin_gs1::Lgtin::new(gtin, &lot_number))
                .ok()
                .and_then(|lot| self.ids.get(&Gs1Key::Lgtin(lot).to_digital_link()));
            if let Some(lot) = lot {
                self.nodes.lot[node as usize] = lot;
                self.nodes.lot_event[node as usize] = event;
            }
        }
    }

    /// Finds the next event after `after` that closes the record, now that the one that closed
    /// it has been declared erroneous.
    fn reclose(&mut self, agg_index: u32, after: u32) {
        let agg = self.aggs[agg_index as usize];
        let mut best = NONE;
        for (role, event) in self.incidences(agg.child) {
            if role != Role::Named || event <= after || event >= best || !self.counts(event) {
                continue;
            }
            let record = &self.events[event as usize];
            if record.flags.event_type() != EventType::AggregationEvent {
                continue;
            }
            let closes = match record.flags.action() {
                Some(Action::Delete) => record.parent == agg.parent,
                Some(Action::Add) => record.parent != agg.parent,
                _ => false,
            };
            if closes {
                best = event;
            }
        }
        for (role, event) in self.incidences(agg.parent) {
            if role != Role::Parent || event <= after || event >= best || !self.counts(event) {
                continue;
            }
            let record = &self.events[event as usize];
            if record.flags.event_type() == EventType::AggregationEvent
                && record.flags.action() == Some(Action::Delete)
                && !record.flags.has_children()
            {
                best = event;
            }
        }
        let agg = &mut self.aggs[agg_index as usize];
        agg.ev_end = best;
        agg.end_ms = if best == NONE {
            i64::MAX
        } else {
            self.events[best as usize].time_ms
        };
    }

    /// Lays every node's incidence list out contiguously, in node order, and gives back the
    /// spare capacity of every table. Meant for after a rebuild from the store: `apply` links
    /// incidences in capture order, so one can's entries end up far apart, and a recall that
    /// visits half a million cans then waits on memory for each. Lists stay valid linked
    /// lists, so events applied afterwards are linked as usual (and are the only scattered
    /// entries until the next compaction). Needs a second copy of the incidence table while
    /// it runs.
    pub fn compact(&mut self) {
        let mut laid_out = Vec::with_capacity(self.incidences.len());
        for head in self.nodes.head.iter_mut() {
            let mut at = *head;
            if at == NONE {
                continue;
            }
            *head = laid_out.len() as u32;
            while at != NONE {
                let incidence = self.incidences[at as usize];
                at = incidence.next;
                let next = if at == NONE {
                    NONE
                } else {
                    laid_out.len() as u32 + 1
                };
                laid_out.push(Incidence {
                    next,
                    packed: incidence.packed,
                });
            }
        }
        self.incidences = laid_out;
        self.shrink_to_fit();
    }

    /// Gives back the spare capacity of every table; applying more events grows them again.
    pub fn shrink_to_fit(&mut self) {
        self.ids.shrink_to_fit();
        self.terms.shrink_to_fit();
        let nodes = &mut self.nodes;
        nodes.kind.shrink_to_fit();
        nodes.head.shrink_to_fit();
        nodes.lot.shrink_to_fit();
        nodes.lot_event.shrink_to_fit();
        nodes.gtin.shrink_to_fit();
        self.incidences.shrink_to_fit();
        self.events.shrink_to_fit();
        self.aggs.shrink_to_fit();
        self.io.shrink_to_fit();
        self.places.shrink_to_fit();
        self.persistent.shrink_to_fit();
        self.transactions.shrink_to_fit();
        self.ilmd_dates.shrink_to_fit();
    }

    /// Bytes the graph holds on the heap (capacities, so what the allocator was asked for).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let nodes = &self.nodes;
        self.ids.heap_bytes()
            + self.terms.heap_bytes()
            + nodes.kind.capacity()
            + (nodes.head.capacity()
                + nodes.lot.capacity()
                + nodes.lot_event.capacity()
                + nodes.gtin.capacity())
                * 4
            + self.incidences.capacity() * size_of::<Incidence>()
            + self.events.capacity() * size_of::<EventRec>()
            + self.aggs.capacity() * size_of::<AggRec>()
            + self.io.capacity() * size_of::<IoItem>()
            + self.places.capacity() * size_of::<Place>()
            + self.persistent.capacity() * 4
            + self.transactions.capacity() * 8
            + self.by_hash.capacity() * 9
            + self.declared.capacity() * 9
            + self.ilmd_dates.capacity() * (4 + size_of::<crate::journey::IlmdDates>() + 1)
            + self.transformations.capacity() * (4 + size_of::<Vec<u32>>() + 1)
            + self
                .transformations
                .values()
                .map(|events| events.capacity() * 4)
                .sum::<usize>()
    }
}

/// Walks a node's incidence list, newest first, giving (role, target).
pub(crate) struct IncidenceIter<'a> {
    incidences: &'a [Incidence],
    at: u32,
}

impl Iterator for IncidenceIter<'_> {
    type Item = (Role, u32);

    fn next(&mut self) -> Option<(Role, u32)> {
        if self.at == NONE {
            return None;
        }
        let incidence = self.incidences[self.at as usize];
        self.at = incidence.next;
        Some((
            Role::from_bits(incidence.packed >> 29),
            incidence.packed & TARGET_MAX,
        ))
    }
}

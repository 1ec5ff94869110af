//! Questions asked of the graph: what an identifier is, where it came from (backward), where
//! it went (forward), and the state of an item at a given moment.
//!
//! Every traversal keeps a visited set, so cycles in submitted data end a walk instead of
//! hanging it; backward walks also report the cycles they meet. Nothing here reads a clock:
//! "now" is a parameter.

use anxin_epcis::{Action, EventType};
use anxin_gs1::Gs1Key;
use hashbrown::{HashMap, HashSet};
use serde::Serialize;

use crate::TraceError;
use crate::graph::{
    AggRec, CONTAINER_DEPTH_MAX, EventRec, HAS_CONTENTS, IS_INPUT, NONE, NodeId, Place, PlaceKind,
    Role, TraceGraph,
};

/// The longest identifier a query accepts; longer text is refused before any parsing. An
/// assumption: GS1 Digital Links are far shorter, and EPCIS sets no length.
pub const ID_LEN_MAX: usize = 2048;

/// What kind of thing a node is, for reports.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A class: a lot (GTIN + lot) or a bare GTIN named in a quantity list.
    Lot,
    /// A container that has held other containers.
    Pallet,
    /// A container that has held only items or classes.
    Case,
    /// An instance that never contained anything: a can.
    Can,
}

/// How an upstream thing is tied to a downstream one.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// A transformation consumed the upstream and produced the downstream.
    Transformation,
    /// The downstream instance was commissioned into the upstream lot.
    LotMembership,
    /// The upstream was packed into the downstream container.
    Containment,
}

/// An event, as a trace cites it.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct EventRef {
    /// The store's sequence number.
    pub event_seq: u64,
    /// The CBV 2.0 hash ID.
    pub hash_id: String,
    /// Event time, Unix milliseconds.
    pub event_time_ms: i64,
    /// The business step, if any.
    pub biz_step: Option<String>,
    /// True when the event has been declared erroneous (shown as corrected, not counted).
    pub corrected: bool,
}

/// One link of a trace, with the event that proves it.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct Link {
    /// The input, lot or content.
    pub upstream: String,
    /// The output, instance or container.
    pub downstream: String,
    /// How they are tied.
    pub relation: Relation,
    /// The event that proves it.
    pub event: EventRef,
    /// The quantity of the input used, for transformations that give one.
    pub quantity: Option<f64>,
    /// Its UN/ECE Rec 20 unit (`KGM`); absent means a count.
    pub uom: Option<String>,
}

/// An event that names a source of a backward trace: a raw-milk collection, an ingredient
/// receipt, a commissioning.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct OriginEvent {
    /// The event.
    pub event: EventRef,
    /// Where it happened (business location), canonical.
    pub biz_location: Option<String>,
    /// Its read point, canonical.
    pub read_point: Option<String>,
    /// The GLNs of its sources (the farm, the supplier).
    pub sources: Vec<String>,
}

/// A node at the upstream end of a backward trace.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct TraceSource {
    /// The identifier.
    pub id: String,
    /// Its kind.
    pub kind: ItemKind,
    /// The events that name it as created or received.
    pub origin_events: Vec<OriginEvent>,
}

/// Everything upstream of one identifier.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct BackwardTrace {
    /// The identifier traced, canonical.
    pub root: String,
    /// Every node reached, the root first, with its kind.
    pub nodes: Vec<(String, ItemKind)>,
    /// Every link, each with its proving event.
    pub links: Vec<Link>,
    /// Nodes with nothing further upstream: raw-milk lots, ingredient lots, and anything whose
    /// origin was not recorded.
    pub sources: Vec<TraceSource>,
    /// Links that close a cycle (upstream, downstream): the data says a thing is its own input.
    pub cycles: Vec<(String, String)>,
}

/// The state of one item at a moment.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct ItemState {
    /// The identifier, canonical.
    pub id: String,
    /// Its kind.
    pub kind: ItemKind,
    /// The lot it was commissioned into.
    pub lot: Option<String>,
    /// The party holding it (a GLN where the data gives one).
    pub holder: Option<String>,
    /// Where it is (business location of its last event; absent when that event gave none).
    pub location: Option<String>,
    /// The disposition last stated.
    pub disposition: Option<String>,
    /// Persistent dispositions in force (`recalled`, `expired`, …).
    pub persistent_dispositions: Vec<String>,
    /// The business step of the last event.
    pub last_biz_step: Option<String>,
    /// The last event about it (its own, or its container's while it was inside).
    pub last_event: Option<EventRef>,
}

/// Everything downstream of one or more identifiers.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct ForwardTrace {
    /// The identifiers traced, canonical.
    pub roots: Vec<String>,
    /// Lots reached (output lots of transformations, and the roots' own).
    pub lots: Vec<String>,
    /// Pallets that hold or held anything reached.
    pub pallets: Vec<ItemState>,
    /// Cases that hold or held anything reached.
    pub cases: Vec<ItemState>,
    /// Cans reached, each with its state.
    pub cans: Vec<ItemState>,
}

/// One direct upstream of a node: (upstream, relation, event, quantity, unit term).
type Upstream = (NodeId, Relation, u32, f64, u32);

/// A compact state, in graph terms.
#[derive(Default, Debug, Eq)]
pub(crate) struct RawState {
    pub(crate) last: u32,
    pub(crate) holder: u32,
    pub(crate) location: u32,
    pub(crate) disposition: u32,
    pub(crate) persistent: Vec<u32>,
}

impl PartialEq for RawState {
    /// Field by field, the persistent dispositions last and only when there are any: the
    /// recall compares every can's state with its neighbour's, and the derived comparison
    /// called the C library's `memcmp` for the (mostly empty) lists each time.
    #[inline]
    fn eq(&self, other: &RawState) -> bool {
        self.last == other.last
            && self.holder == other.holder
            && self.location == other.location
            && self.disposition == other.disposition
            && self.persistent.len() == other.persistent.len()
            && (self.persistent.is_empty() || self.persistent == other.persistent)
    }
}

impl Clone for RawState {
    /// Copies the state; most carry no persistent disposition, and their copy is made
    /// without a call into the allocator's code.
    #[inline]
    fn clone(&self) -> RawState {
        RawState {
            last: self.last,
            holder: self.holder,
            location: self.location,
            disposition: self.disposition,
            persistent: if self.persistent.is_empty() {
                Vec::new()
            } else {
                self.persistent.clone()
            },
        }
    }

    fn clone_from(&mut self, source: &RawState) {
        self.last = source.last;
        self.holder = source.holder;
        self.location = source.location;
        self.disposition = source.disposition;
        self.persistent.clone_from(&source.persistent);
    }
}

/// The last item [`TraceGraph::state_via_container`] answered: its container interval, its
/// own events and the state they gave. That state is a function of those two alone (and of
/// "now", fixed for one walk), so the next item with the same interval and the same own
/// events (its case-mates, commissioned by the same event, packed by the same event and not
/// sold or moved on their own) takes it as it is, without a lookup or a fold.
#[derive(Default)]
pub(crate) struct LastInContainer {
    key: Option<(u32, u32)>,
    own: Vec<(i64, u32)>,
    parent: NodeId,
    state: RawState,
}

/// A container's events within one interval, folded: the state they leave when started from
/// nothing, and the persistent dispositions they set and unset, in order.
#[derive(Clone, Debug)]
pub(crate) struct Delta {
    /// The interval's first event, if it has any.
    first: Option<(i64, u32)>,
    /// Its last event.
    last: Option<(i64, u32)>,
    state: RawState,
    /// Whether any of its events said where the goods were (else the location inside stands).
    placed: bool,
    ops: Vec<(bool, u32)>,
}

fn apply_persistent(held: &mut Vec<u32>, set: bool, word: u32) {
    if set {
        if !held.contains(&word) {
            held.push(word);
        }
    } else {
        held.retain(|w| *w != word);
    }
}

/// What a forward walk reached.
pub(crate) struct Reach {
    /// Reached downstream, in the order found (roots first).
    pub(crate) reached: Vec<NodeId>,
    /// Containers above what was reached (not expanded downwards).
    pub(crate) containers: Vec<NodeId>,
    /// Everything in `reached` and `containers`.
    pub(crate) seen: NodeSet,
}

/// The events about containers, each taken once per walk ([`TraceGraph::memoize`]): every
/// list back to back in one arena, so a walk over fifty thousand cases allocates a few growing
/// buffers rather than a vector per case.
#[derive(Default)]
pub(crate) struct Memo {
    /// Where each node's list is in `arena` (start, length); (0, 0) while it is being taken.
    spans: HashMap<NodeId, (usize, usize)>,
    arena: Vec<(i64, u32)>,
    /// Buffers for lists being taken (one per level of nesting), kept for reuse.
    spare: Vec<Vec<(i64, u32)>>,
}

impl Memo {
    /// The events about a memoized node (empty while it is being taken).
    pub(crate) fn events(&self, node: NodeId) -> &[(i64, u32)] {
        let (start, n) = self.spans.get(&node).copied().unwrap_or((0, 0));
        &self.arena[start..start + n]
    }
}

/// A set of nodes as a bit set sized to the graph.
pub(crate) struct NodeSet {
    bits: Vec<u64>,
}

impl NodeSet {
    pub(crate) fn new(n_nodes: usize) -> NodeSet {
        NodeSet {
            bits: vec![0; n_nodes.div_ceil(64)],
        }
    }

    /// Adds a node; true when it was not there.
    pub(crate) fn insert(&mut self, node: NodeId) -> bool {
        let (word, bit) = ((node / 64) as usize, node % 64);
        let was = self.bits[word] & (1 << bit) != 0;
        self.bits[word] |= 1 << bit;
        !was
    }

    pub(crate) fn contains(&self, node: &NodeId) -> bool {
        let (word, bit) = ((node / 64) as usize, node % 64);
        self.bits[word] & (1 << bit) != 0
    }
}

fn looks_like_gs1(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.starts_with("urn:epc:")
        || text.starts_with('(')
        || (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        || ((lower.starts_with("http://") || lower.starts_with("https://"))
            && ["/01/", "/00/", "/414/", "/417/", "/8003/", "/8004/"]
                .iter()
                .any(|ai| text.contains(ai)))
}

impl TraceGraph {
    /// The node an identifier names, in any form the store accepts (EPC URN, Digital Link on
    /// any host, element string, or any other URI as written).
    ///
    /// # Errors
    /// [`TraceError::Malformed`] for empty or over-long text and for text that is meant as a GS1
    /// key but is not one (with the parser's reason); [`TraceError::Unknown`] for a well-formed
    /// identifier no event has named.
    pub fn resolve(&self, id: &str) -> Result<NodeId, TraceError> {
        let text = id.trim();
        if text.is_empty() {
            return Err(TraceError::Malformed {
                id: id.to_owned(),
                reason: "the identifier is empty".to_owned(),
            });
        }
        if text.len() > ID_LEN_MAX {
            return Err(TraceError::Malformed {
                id: text.chars().take(64).collect::<String>() + "…",
                reason: format!("longer than {ID_LEN_MAX} bytes"),
            });
        }
        let canonical = match Gs1Key::parse(text) {
            Ok(key) => key.to_digital_link(),
            Err(err) if looks_like_gs1(text) => {
                return Err(TraceError::Malformed {
                    id: text.to_owned(),
                    reason: err.to_string(),
                });
            }
            Err(_) => text.to_owned(),
        };
        self.ids.get(&canonical).ok_or(TraceError::Unknown {
            id: text.to_owned(),
            canonical,
        })
    }

    /// The canonical text of a node.
    pub fn id_text(&self, node: NodeId) -> String {
        self.ids.text(node)
    }

    pub(crate) fn term_opt(&self, term: u32) -> Option<String> {
        (term != NONE).then(|| self.terms.text(term))
    }

    pub(crate) fn event_ref(&self, event: u32) -> EventRef {
        let record = &self.events[event as usize];
        EventRef {
            event_seq: record.seq,
            hash_id: self.terms.text(record.hash),
            event_time_ms: record.time_ms,
            biz_step: self.term_opt(record.biz_step),
            corrected: record.retracted,
        }
    }

    pub(crate) fn is_class(&self, node: NodeId) -> bool {
        self.nodes.kind[node as usize] & 1 != 0
    }

    /// The effective containment records in a node's list with the given role.
    pub(crate) fn aggs_of(
        &self,
        node: NodeId,
        role: Role,
    ) -> impl Iterator<Item = &crate::graph::AggRec> + '_ {
        self.incidences(node).filter_map(move |(r, agg)| {
            if r != role {
                return None;
            }
            let agg = &self.aggs[agg as usize];
            self.counts(agg.ev_start).then_some(agg)
        })
    }

    /// True when the node holds or held anything (a counting containment record names it as
    /// the parent). Nodes never named a parent are answered from their kind bits alone.
    #[inline]
    pub(crate) fn is_container(&self, node: NodeId) -> bool {
        self.nodes.kind[node as usize] & HAS_CONTENTS != 0
            && self.aggs_of(node, Role::ParentAgg).next().is_some()
    }

    /// The kind of a node (see [`ItemKind`]).
    pub(crate) fn kind_of(&self, node: NodeId) -> ItemKind {
        if self.is_class(node) {
            return ItemKind::Lot;
        }
        let mut container = false;
        for agg in self.aggs_of(node, Role::ParentAgg) {
            container = true;
            if self.is_container(agg.child) {
                return ItemKind::Pallet;
            }
        }
        if container {
            ItemKind::Case
        } else {
            ItemKind::Can
        }
    }

    /// The inputs and outputs of a transformation event.
    pub(crate) fn io_of(&self, event: u32) -> (&[crate::graph::IoItem], &[crate::graph::IoItem]) {
        let (start, n_in, n_out) = self.events[event as usize].io;
        let (start, n_in, n_out) = (start as usize, n_in as usize, n_out as usize);
        (
            &self.io[start..start + n_in],
            &self.io[start + n_in..start + n_in + n_out],
        )
    }

    /// Everything downstream of `roots`: transformation outputs, a lot's instances, a
    /// container's contents, repeatedly; then every container above what was reached.
    pub(crate) fn forward_reach(&self, roots: &[NodeId]) -> Reach {
        let mut reach = self.reach_down(roots);
        let mut queue: Vec<NodeId> = reach.reached.clone();
        while let Some(node) = queue.pop() {
            for agg in self.aggs_of(node, Role::ChildAgg) {
                if reach.seen.insert(agg.parent) {
                    reach.containers.push(agg.parent);
                    queue.push(agg.parent);
                }
            }
        }
        reach
    }

    /// The downward part of [`TraceGraph::forward_reach`]: no containers yet.
    pub(crate) fn reach_down(&self, roots: &[NodeId]) -> Reach {
        let mut seen = NodeSet::new(self.nodes.head.len());
        let mut reached = Vec::new();
        for &root in roots {
            if seen.insert(root) {
                reached.push(root);
            }
        }
        let mut at = 0;
        while at < reached.len() {
            let node = reached[at];
            at += 1;
            let kind = self.nodes.kind[node as usize];
            let is_class = kind & 1 != 0;
            // An instance never named an input or a parent leads nowhere further down (a can,
            // mostly): its list need not be read.
            if !is_class && kind & (HAS_CONTENTS | IS_INPUT) == 0 {
                continue;
            }
            for (role, target) in self.incidences(node) {
                match role {
                    Role::Input if self.counts(target) => {
                        for event in self.transformation_group(target) {
                            if !self.counts(event) {
                                continue;
                            }
                            for item in self.io_of(event).1 {
                                if seen.insert(item.node) {
                                    reached.push(item.node);
                                }
                            }
                        }
                    }
                    Role::Member
                        if is_class
                            && self.nodes.lot[target as usize] == node
                            && seen.insert(target) =>
                    {
                        reached.push(target);
                    }
                    Role::ParentAgg => {
                        let agg = &self.aggs[target as usize];
                        if self.counts(agg.ev_start) && seen.insert(agg.child) {
                            reached.push(agg.child);
                        }
                    }
                    _ => {}
                }
            }
        }
        Reach {
            reached,
            containers: Vec::new(),
            seen,
        }
    }

    /// The set of nodes downstream of `roots` (used to detect transformation cycles).
    pub(crate) fn forward_closure(&self, roots: &[NodeId]) -> HashSet<NodeId> {
        self.forward_reach(roots).reached.into_iter().collect()
    }

    /// Events about a node up to `now_ms`, sorted by (event time, capture order): its own, and
    /// its containers' while it was inside them.
    pub(crate) fn events_about(
        &self,
        node: NodeId,
        now_ms: i64,
        memo: &mut Memo,
        depth: usize,
    ) -> Vec<(i64, u32)> {
        let mut out = Vec::new();
        self.events_about_into(node, now_ms, memo, depth, &mut out, None);
        out
    }

    /// Puts the events about `node` (as [`TraceGraph::events_about`] at `depth`) in the memo,
    /// unless they are there already. The node is marked first, so a cycle of containers
    /// meets an empty list.
    pub(crate) fn memoize(&self, node: NodeId, now_ms: i64, memo: &mut Memo, depth: usize) {
        if memo.spans.contains_key(&node) {
            return;
        }
        memo.spans.insert(node, (0, 0));
        let mut scratch = memo.spare.pop().unwrap_or_default();
        self.events_about_into(node, now_ms, memo, depth, &mut scratch, None);
        let span = (memo.arena.len(), scratch.len());
        memo.arena.extend_from_slice(&scratch);
        memo.spans.insert(node, span);
        memo.spare.push(scratch);
    }

    /// [`TraceGraph::events_about`] into a buffer the caller reuses.
    pub(crate) fn events_about_into(
        &self,
        node: NodeId,
        now_ms: i64,
        memo: &mut Memo,
        depth: usize,
        out: &mut Vec<(i64, u32)>,
        mut parents: Option<&mut Vec<NodeId>>,
    ) -> bool {
        out.clear();
        let mut is_container = false;
        // The containment records naming the node as a child, in list order: the first few
        // kept from this walk, all of them read again only when there are more.
        let mut child_aggs = [0u32; 4];
        let mut n_child_aggs = 0;
        for (role, target) in self.incidences(node) {
            match role {
                Role::Named | Role::Parent | Role::Input | Role::Output => {
                    let record = &self.events[target as usize];
                    if !record.retracted && record.time_ms <= now_ms {
                        out.push((record.time_ms, target));
                    }
                }
                Role::ParentAgg => {
                    is_container = is_container || self.counts(self.aggs[target as usize].ev_start);
                }
                Role::ChildAgg => {
                    if let Some(slot) = child_aggs.get_mut(n_child_aggs) {
                        *slot = target;
                    }
                    n_child_aggs += 1;
                }
                _ => {}
            }
        }
        // Lists are newest first, so the node's own events come out mostly descending.
        out.reverse();
        if n_child_aggs > 0 && depth < CONTAINER_DEPTH_MAX {
            let spilled: Vec<u32>;
            let targets = if n_child_aggs <= child_aggs.len() {
                &child_aggs[..n_child_aggs]
            } else {
                spilled = self
                    .incidences(node)
                    .filter(|&(role, _)| role == Role::ChildAgg)
                    .map(|(_, target)| target)
                    .collect();
                &spilled
            };
            for &target in targets {
                let agg = self.aggs[target as usize];
                if !self.counts(agg.ev_start) {
                    continue;
                }
                if let Some(parents) = parents.as_deref_mut() {
                    parents.push(agg.parent);
                }
                self.memoize(agg.parent, now_ms, memo, depth + 1);
                let parent_events = memo.events(agg.parent);
                let from = parent_events.partition_point(|&(t, _)| t < agg.start_ms);
                out.extend(
                    parent_events[from..]
                        .iter()
                        .take_while(|&&(t, _)| t < agg.end_ms)
                        .copied(),
                );
            }
        }
        if !out.is_sorted() {
            out.sort_unstable();
        }
        out.dedup();
        is_container
    }

    /// Folds the events about a node into its state.
    pub(crate) fn raw_state(&self, events: &[(i64, u32)]) -> RawState {
        let mut state = RawState {
            last: NONE,
            holder: NONE,
            location: NONE,
            disposition: NONE,
            persistent: Vec::new(),
        };
        for &(_, event) in events {
            self.fold_event(&mut state, event, &mut |set, word, held: &mut Vec<u32>| {
                apply_persistent(held, set, word);
            });
        }
        state
    }

    /// Folds one event into a state; persistent dispositions go through `persistent`, so a
    /// [`Delta`] can record them as operations instead.
    fn fold_event(
        &self,
        state: &mut RawState,
        event: u32,
        persistent: &mut impl FnMut(bool, u32, &mut Vec<u32>),
    ) {
        let record = &self.events[event as usize];
        state.last = event;
        if record.disposition != NONE {
            state.disposition = record.disposition;
        }
        let (start, n_set, n_unset) = record.persistent;
        let start = start as usize;
        for &word in &self.persistent[start..start + n_set as usize] {
            persistent(true, word, &mut state.persistent);
        }
        for &word in &self.persistent[start + n_set as usize..start + (n_set + n_unset) as usize] {
            persistent(false, word, &mut state.persistent);
        }
        let (start, n) = record.places;
        let places = &self.places[start as usize..start as usize + n as usize];
        if !Self::is_placed(record, places) {
            // A record made away from the goods (a recall notice, a status change from the
            // office) changes what is said about them, not who holds them or where they are.
            return;
        }
        let holder = [PlaceKind::PossessingParty, PlaceKind::OwningParty]
            .iter()
            .find_map(|kind| {
                places
                    .iter()
                    .find(|place| place.destination && place.kind == *kind)
                    .map(|place| place.term)
            });
        match holder {
            Some(holder) => state.holder = holder,
            None if record.party != NONE => state.holder = record.party,
            None => {}
        }
        state.location = record.biz_location;
    }

    /// Whether an event says where the goods were: a read point, a business location, or a
    /// source or destination. Only such events move custody and location.
    fn is_placed(record: &EventRec, places: &[Place]) -> bool {
        record.biz_location != NONE || record.read_point != NONE || !places.is_empty()
    }

    /// What a container's events within one interval do to anything inside it, folded once.
    fn delta(&self, window: &[(i64, u32)]) -> Delta {
        let mut state = RawState {
            last: NONE,
            holder: NONE,
            location: NONE,
            disposition: NONE,
            persistent: Vec::new(),
        };
        let mut ops = Vec::new();
        let mut placed = false;
        for &(_, event) in window {
            let record = &self.events[event as usize];
            let (start, n) = record.places;
            placed |= Self::is_placed(
                record,
                &self.places[start as usize..start as usize + n as usize],
            );
            self.fold_event(&mut state, event, &mut |set, word, _| ops.push((set, word)));
        }
        Delta {
            first: window.first().copied(),
            last: window.last().copied(),
            state,
            placed,
            ops,
        }
    }

    /// The state of an item (a can, or a case or pallet itself) that sits in exactly one
    /// container interval, when none of its own events falls inside the container's events in
    /// that interval (a can commissioned and packed, moved only as part of its case, perhaps
    /// sold after the case arrived; a case moved only on its pallet until unpacked): its
    /// earlier own events folded, then the interval's [`Delta`], computed once per interval
    /// and shared by everything packed by the same event, then its later own events. Also
    /// whether the item is a container itself (a counting containment record names it as the
    /// parent) and which kind (as [`TraceGraph::kind_of`]), read from the same walk of its
    /// list. `None` when the shortcut does not apply;
    /// the caller then folds the merged events. The property test checks both paths, for
    /// cans, cases and pallets, against the brute force.
    #[expect(
        clippy::too_many_arguments,
        reason = "the walk's scratch tables, named at the one call in recall"
    )]
    pub(crate) fn state_via_container(
        &self,
        node: NodeId,
        now_ms: i64,
        memo: &mut Memo,
        deltas: &mut HashMap<(u32, u32), Delta>,
        own: &mut Vec<(i64, u32)>,
        parents: &mut Vec<NodeId>,
        last_answer: &mut LastInContainer,
    ) -> Option<(RawState, ItemKind)> {
        own.clear();
        let mut record = None;
        // What `kind_of` would say, from the same walk: a can until a counting record names
        // it as a parent, a pallet once one of its children is a container itself.
        let mut kind = ItemKind::Can;
        // Lists are newest first, so own events should come out descending; whether they did
        // is noted on the way instead of checked afterwards.
        let mut descending = true;
        for (role, target) in self.incidences(node) {
            match role {
                Role::Named | Role::Parent | Role::Input | Role::Output => {
                    let event = &self.events[target as usize];
                    if !event.retracted && event.time_ms <= now_ms {
                        let entry = (event.time_ms, target);
                        if let Some(&previous) = own.last() {
                            descending &= entry <= previous;
                        }
                        own.push(entry);
                    }
                }
                Role::ParentAgg if kind != ItemKind::Pallet => {
                    let agg = &self.aggs[target as usize];
                    if self.counts(agg.ev_start) {
                        kind = if self.is_container(agg.child) {
                            ItemKind::Pallet
                        } else {
                            ItemKind::Case
                        };
                    }
                }
                Role::ChildAgg => {
                    let agg = self.aggs[target as usize];
                    if self.counts(agg.ev_start) {
                        if record.is_some() {
                            return None;
                        }
                        record = Some(agg);
                    }
                }
                _ => {}
            }
        }
        let agg = record?;
        own.reverse();
        if !descending {
            own.sort_unstable();
        }
        let key = (agg.ev_start, agg.ev_end);
        if last_answer.key == Some(key) && last_answer.own == *own {
            parents.push(last_answer.parent);
            return Some((last_answer.state.clone(), kind));
        }
        let state = self.state_in_interval(agg, key, now_ms, memo, deltas, own, parents)?;
        last_answer.key = Some(key);
        last_answer.own.clone_from(own);
        last_answer.parent = agg.parent;
        last_answer.state.clone_from(&state);
        Some((state, kind))
    }

    /// [`TraceGraph::state_via_container`] for an item found in one interval `agg`, with
    /// its own events sorted.
    #[expect(
        clippy::too_many_arguments,
        reason = "the walk's scratch tables, passed on from state_via_container"
    )]
    fn state_in_interval(
        &self,
        agg: AggRec,
        key: (u32, u32),
        now_ms: i64,
        memo: &mut Memo,
        deltas: &mut HashMap<(u32, u32), Delta>,
        own: &[(i64, u32)],
        parents: &mut Vec<NodeId>,
    ) -> Option<RawState> {
        if !deltas.contains_key(&key) {
            self.memoize(agg.parent, now_ms, memo, 1);
            let parent_events = memo.events(agg.parent);
            let from = parent_events.partition_point(|&(t, _)| t < agg.start_ms);
            let to = from
                + parent_events[from..]
                    .iter()
                    .take_while(|&&(t, _)| t < agg.end_ms)
                    .count();
            let delta = self.delta(&parent_events[from..to]);
            deltas.insert(key, delta);
        }
        let delta = &deltas[&key];
        parents.push(agg.parent);
        let (Some(first), Some(last)) = (delta.first, delta.last) else {
            return Some(self.raw_state(own));
        };
        // Own events up to the interval's first event, then the interval, then own events
        // from its last event on (a sale after the case was received); anything interleaved
        // takes the general path.
        let split = own.partition_point(|event| *event <= first);
        let after = &own[split..];
        if after.first().is_some_and(|event| *event < last) {
            parents.pop();
            return None;
        }
        let mut state = self.raw_state(&own[..split]);
        state.last = delta.state.last;
        if delta.placed {
            state.location = delta.state.location;
        }
        if delta.state.disposition != NONE {
            state.disposition = delta.state.disposition;
        }
        if delta.state.holder != NONE {
            state.holder = delta.state.holder;
        }
        for &(set, word) in &delta.ops {
            apply_persistent(&mut state.persistent, set, word);
        }
        for &(_, event) in after {
            self.fold_event(&mut state, event, &mut |set, word, held: &mut Vec<u32>| {
                apply_persistent(held, set, word);
            });
        }
        Some(state)
    }

    pub(crate) fn item_state(&self, node: NodeId, kind: ItemKind, raw: &RawState) -> ItemState {
        let lot = self.nodes.lot[node as usize];
        ItemState {
            id: self.ids.text(node),
            kind,
            lot: (lot != NONE).then(|| self.ids.text(lot)),
            holder: self.term_opt(raw.holder),
            location: self.term_opt(raw.location),
            disposition: self.term_opt(raw.disposition),
            persistent_dispositions: raw.persistent.iter().map(|&t| self.terms.text(t)).collect(),
            last_biz_step: (raw.last != NONE)
                .then(|| self.term_opt(self.events[raw.last as usize].biz_step))
                .flatten(),
            last_event: (raw.last != NONE).then(|| self.event_ref(raw.last)),
        }
    }

    /// What kind of thing an identifier names (lot, pallet, case or can).
    ///
    /// # Errors
    /// As [`TraceGraph::resolve`].
    pub fn kind(&self, id: &str) -> Result<ItemKind, TraceError> {
        Ok(self.kind_of(self.resolve(id)?))
    }

    /// The state of one item at `now_ms` (Unix milliseconds).
    ///
    /// # Errors
    /// As [`TraceGraph::resolve`].
    pub fn state(&self, id: &str, now_ms: i64) -> Result<ItemState, TraceError> {
        let node = self.resolve(id)?;
        let events = self.events_about(node, now_ms, &mut Memo::default(), 0);
        Ok(self.item_state(node, self.kind_of(node), &self.raw_state(&events)))
    }

    /// Everything downstream of `ids`: output lots, and every pallet, case and can reached,
    /// each with its state at `now_ms`.
    ///
    /// # Errors
    /// As [`TraceGraph::resolve`], for the first identifier that fails.
    pub fn forward(&self, ids: &[&str], now_ms: i64) -> Result<ForwardTrace, TraceError> {
        let roots = ids
            .iter()
            .map(|id| self.resolve(id))
            .collect::<Result<Vec<_>, _>>()?;
        let reach = self.forward_reach(&roots);
        let mut memo = Memo::default();
        let mut trace = ForwardTrace {
            roots: roots.iter().map(|&n| self.ids.text(n)).collect(),
            lots: Vec::new(),
            pallets: Vec::new(),
            cases: Vec::new(),
            cans: Vec::new(),
        };
        for &node in reach.reached.iter().chain(&reach.containers) {
            let kind = self.kind_of(node);
            if kind == ItemKind::Lot {
                trace.lots.push(self.ids.text(node));
                continue;
            }
            let events = self.events_about(node, now_ms, &mut memo, 0);
            let state = self.item_state(node, kind, &self.raw_state(&events));
            match kind {
                ItemKind::Pallet => trace.pallets.push(state),
                ItemKind::Case => trace.cases.push(state),
                _ => trace.cans.push(state),
            }
        }
        Ok(trace)
    }

    /// Everything upstream of `id`: every input lot back to raw-milk collections and
    /// ingredient lots, each link with the event that proves it.
    ///
    /// # Errors
    /// As [`TraceGraph::resolve`].
    pub fn backward(&self, id: &str) -> Result<BackwardTrace, TraceError> {
        let root = self.resolve(id)?;
        // 1 = on the walk's stack, 2 = done.
        let mut state: HashMap<NodeId, u8> = HashMap::new();
        let mut order = vec![root];
        let mut links = Vec::new();
        let mut cycles = Vec::new();
        let mut has_upstream: HashSet<NodeId> = HashSet::new();
        let mut stack: Vec<(NodeId, Vec<Upstream>, usize)> = Vec::new();
        state.insert(root, 1);
        stack.push((root, self.upstream_of(root), 0));
        while let Some((node, ups, at)) = stack.last_mut() {
            let node = *node;
            if *at == ups.len() {
                state.insert(node, 2);
                stack.pop();
                continue;
            }
            let (up, relation, event, quantity, uom) = ups[*at];
            *at += 1;
            has_upstream.insert(node);
            links.push(Link {
                upstream: self.ids.text(up),
                downstream: self.ids.text(node),
                relation,
                event: self.event_ref(event),
                quantity: (!quantity.is_nan()).then_some(quantity),
                uom: self.term_opt(uom),
            });
            match state.get(&up) {
                Some(1) => cycles.push((self.ids.text(up), self.ids.text(node))),
                Some(_) => {}
                None => {
                    state.insert(up, 1);
                    order.push(up);
                    let next = self.upstream_of(up);
                    stack.push((up, next, 0));
                }
            }
        }
        let nodes = order
            .iter()
            .map(|&n| (self.ids.text(n), self.kind_of(n)))
            .collect();
        let sources = order
            .iter()
            .filter(|n| !has_upstream.contains(*n))
            .map(|&n| TraceSource {
                id: self.ids.text(n),
                kind: self.kind_of(n),
                origin_events: self.origin_events(n),
            })
            .collect();
        Ok(BackwardTrace {
            root: self.ids.text(root),
            nodes,
            links,
            sources,
            cycles,
        })
    }

    /// The direct upstream of a node: (upstream, relation, event, quantity, unit).
    fn upstream_of(&self, node: NodeId) -> Vec<Upstream> {
        let mut ups = Vec::new();
        let lot = self.nodes.lot[node as usize];
        if lot != NONE {
            ups.push((
                lot,
                Relation::LotMembership,
                self.nodes.lot_event[node as usize],
                f64::NAN,
                NONE,
            ));
        }
        for (role, target) in self.incidences(node) {
            match role {
                Role::Output if self.counts(target) => {
                    // Each input is cited with the event that names it.
                    for event in self.transformation_group(target) {
                        if !self.counts(event) {
                            continue;
                        }
                        for item in self.io_of(event).0 {
                            ups.push((
                                item.node,
                                Relation::Transformation,
                                event,
                                item.quantity,
                                item.uom,
                            ));
                        }
                    }
                }
                Role::ParentAgg => {
                    let agg = &self.aggs[target as usize];
                    if self.counts(agg.ev_start) {
                        ups.push((
                            agg.child,
                            Relation::Containment,
                            agg.ev_start,
                            f64::NAN,
                            NONE,
                        ));
                    }
                }
                _ => {}
            }
        }
        // Oldest first, and one link per (upstream, relation, event).
        ups.sort_by_key(|&(up, relation, event, _, _)| (event, up, relation));
        ups.dedup_by_key(|&mut (up, relation, event, _, _)| (up, relation, event));
        ups
    }

    /// The counting events that name a node as created or received: ADD events first, else
    /// the earliest event that names it.
    pub(crate) fn origin_events(&self, node: NodeId) -> Vec<OriginEvent> {
        let mut naming: Vec<u32> = self
            .incidences(node)
            .filter(|&(role, event)| {
                matches!(role, Role::Named | Role::Class) && self.counts(event)
            })
            .map(|(_, event)| event)
            .collect();
        naming.sort_unstable();
        let adds: Vec<u32> = naming
            .iter()
            .copied()
            .filter(|&event| {
                let flags = self.events[event as usize].flags;
                flags.event_type() == EventType::ObjectEvent && flags.action() == Some(Action::Add)
            })
            .collect();
        let chosen = if adds.is_empty() {
            naming.into_iter().take(1).collect()
        } else {
            adds
        };
        chosen
            .into_iter()
            .map(|event| {
                let record = &self.events[event as usize];
                let (start, n) = record.places;
                OriginEvent {
                    event: self.event_ref(event),
                    biz_location: self.term_opt(record.biz_location),
                    read_point: self.term_opt(record.read_point),
                    sources: self.places[start as usize..start as usize + n as usize]
                        .iter()
                        .filter(|place| !place.destination)
                        .map(|place| self.terms.text(place.term))
                        .collect(),
                }
            })
            .collect()
    }
}

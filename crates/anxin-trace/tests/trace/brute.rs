//! Trace and recall answered straight from the list of events, with no index at all: every
//! question scans the whole log. It shares no code with the graph (only the GS1 parser, to
//! put identifiers in canonical form), so that the two can be compared.
//!
//! The rules, written as plainly as possible:
//! - an event counts unless some error declaration in the log has its hash ID;
//! - each counting AggregationEvent ADD puts each child in the parent from its time until the
//!   first later (in the log) counting AggregationEvent that is a DELETE from that parent
//!   naming the child or naming no children, or an ADD of the child to another parent;
//! - an instance's lot is given by the last counting commissioning (ObjectEvent ADD, or a
//!   transformation output) with an ILMD lotNumber;
//! - a transformation ties every input to every output.

use std::collections::{BTreeMap, BTreeSet};

use anxin_epcis::{Action, Event, EventType, ExtValue, Term};
use anxin_gs1::Gs1Key;

use super::support::Stored;

pub fn canon(id: &str) -> String {
    anxin_gs1::canonical_digital_link(id).unwrap_or_else(|_| id.trim().to_owned())
}

fn party_of(id: &str) -> String {
    if id.len() == 13 && id.chars().all(|c| c.is_ascii_digit()) {
        return id.to_owned();
    }
    match Gs1Key::parse(id) {
        Ok(Gs1Key::Sgln(s)) => s.gln().as_str().to_owned(),
        Ok(Gs1Key::Pgln(p)) => p.gln().as_str().to_owned(),
        Ok(k) => k.to_digital_link(),
        Err(_) => id.trim().to_owned(),
    }
}

fn word(term: &Option<Term>) -> Option<String> {
    term.as_ref().map(|t| t.json_form().to_owned())
}

pub struct Brute<'a> {
    pub log: &'a [Stored],
    counting: Vec<bool>,
}

#[derive(Clone, Debug)]
pub struct Interval {
    pub parent: String,
    pub child: String,
    pub start: i64,
    pub end: i64,
    pub add_index: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub holder: Option<String>,
    pub location: Option<String>,
    pub disposition: Option<String>,
    pub persistent: BTreeSet<String>,
    pub last_seq: Option<u64>,
}

fn time(event: &Event) -> i64 {
    event.event_time.unix_millis()
}

fn children(event: &Event) -> Vec<String> {
    event
        .child_epcs
        .iter()
        .chain(event.child_quantity_list.iter().map(|q| &q.epc_class))
        .map(|c| canon(c))
        .collect()
}

fn inputs(event: &Event) -> Vec<String> {
    event
        .input_epc_list
        .iter()
        .chain(event.input_quantity_list.iter().map(|q| &q.epc_class))
        .map(|c| canon(c))
        .collect()
}

fn outputs(event: &Event) -> Vec<String> {
    event
        .output_epc_list
        .iter()
        .chain(event.output_quantity_list.iter().map(|q| &q.epc_class))
        .map(|c| canon(c))
        .collect()
}

impl<'a> Brute<'a> {
    /// The counting TransformationEvents that make one transformation with `event`: those
    /// sharing its transformationID, or the event alone.
    fn group(&self, event: &Event) -> Vec<&Stored> {
        match &event.transformation_id {
            Some(id) => self
                .counting_events()
                .map(|(_, s)| s)
                .filter(|s| {
                    s.event.event_type == EventType::TransformationEvent
                        && s.event.transformation_id.as_deref().map(str::trim) == Some(id.trim())
                })
                .collect(),
            None => self
                .counting_events()
                .map(|(_, s)| s)
                .filter(|s| std::ptr::eq(&s.event, event))
                .collect(),
        }
    }

    pub fn new(log: &'a [Stored]) -> Brute<'a> {
        let counting = log
            .iter()
            .map(|s| {
                s.event.error_declaration.is_none()
                    && !log
                        .iter()
                        .any(|d| d.event.error_declaration.is_some() && d.hash == s.hash)
            })
            .collect();
        Brute { log, counting }
    }

    fn counting_events(&self) -> impl Iterator<Item = (usize, &Stored)> {
        self.log
            .iter()
            .enumerate()
            .filter(|(i, _)| self.counting[*i])
    }

    pub fn intervals(&self) -> Vec<Interval> {
        let mut out = Vec::new();
        for (i, s) in self.counting_events() {
            let e = &s.event;
            if e.event_type != EventType::AggregationEvent || e.action != Some(Action::Add) {
                continue;
            }
            let Some(parent) = e.parent_id.as_deref().map(canon) else {
                continue;
            };
            for child in children(e) {
                let end = self
                    .counting_events()
                    .filter(|(j, _)| *j > i)
                    .find(|(_, later)| {
                        let l = &later.event;
                        if l.event_type != EventType::AggregationEvent {
                            return false;
                        }
                        let Some(lp) = l.parent_id.as_deref().map(canon) else {
                            return false;
                        };
                        let lc = children(l);
                        match l.action {
                            Some(Action::Delete) => {
                                lp == parent && (lc.is_empty() || lc.contains(&child))
                            }
                            Some(Action::Add) => lp != parent && lc.contains(&child),
                            _ => false,
                        }
                    })
                    .map_or(i64::MAX, |(_, later)| time(&later.event));
                out.push(Interval {
                    parent: parent.clone(),
                    child,
                    start: time(e),
                    end,
                    add_index: i,
                });
            }
        }
        out
    }

    pub fn lot_of(&self, instance: &str) -> Option<(String, u64)> {
        let mut found = None;
        for (_, s) in self.counting_events() {
            let e = &s.event;
            let names = match e.event_type {
                EventType::ObjectEvent if e.action == Some(Action::Add) => {
                    e.epc_list.iter().any(|x| canon(x) == instance)
                }
                EventType::TransformationEvent => {
                    e.output_epc_list.iter().any(|x| canon(x) == instance)
                }
                _ => false,
            };
            let lot_number = e.ilmd.as_ref().and_then(|ilmd| {
                ilmd.iter()
                    .find_map(|x| match (&x.value, x.name.local.as_str()) {
                        (ExtValue::Text(t), "lotNumber") => Some(t.clone()),
                        _ => None,
                    })
            });
            if let (true, Some(lot_number)) = (names, lot_number) {
                let Ok(Gs1Key::Sgtin(sgtin)) = Gs1Key::parse(instance) else {
                    continue;
                };
                if let Ok(lgtin) = anxin_gs1::Lgtin::new(*sgtin.gtin(), &lot_number) {
                    found = Some((Gs1Key::Lgtin(lgtin).to_digital_link(), s.seq));
                }
            }
        }
        found
    }

    /// Every identifier named anywhere, canonical, with whether it is a class.
    pub fn all_ids(&self) -> BTreeMap<String, bool> {
        let mut ids = BTreeMap::new();
        for s in self.log {
            let e = &s.event;
            for epc in e.all_epcs() {
                ids.entry(canon(epc)).or_insert(false);
            }
            for q in e.all_quantities() {
                ids.insert(canon(&q.epc_class), true);
            }
        }
        let instances: Vec<String> = ids.keys().cloned().collect();
        for id in instances {
            if let Some((lot, _)) = self.lot_of(&id) {
                ids.insert(lot, true);
            }
        }
        ids
    }

    fn is_class(&self, id: &str) -> bool {
        self.all_ids().get(id).copied().unwrap_or(false)
            || matches!(Gs1Key::parse(id), Ok(Gs1Key::Lgtin(_) | Gs1Key::Gtin(_)))
    }

    pub fn kind(&self, id: &str, intervals: &[Interval]) -> &'static str {
        if self.is_class(id) {
            return "lot";
        }
        let kids: Vec<&Interval> = intervals.iter().filter(|i| i.parent == id).collect();
        if kids.is_empty() {
            "can"
        } else if kids
            .iter()
            .any(|k| intervals.iter().any(|i| i.parent == k.child))
        {
            "pallet"
        } else {
            "case"
        }
    }

    /// Forward: (reached, containers above them).
    pub fn forward(&self, roots: &[String]) -> (BTreeSet<String>, BTreeSet<String>) {
        let intervals = self.intervals();
        let ids = self.all_ids();
        let mut reached: BTreeSet<String> = roots.iter().cloned().collect();
        loop {
            let mut next = reached.clone();
            for x in &reached {
                for (_, s) in self.counting_events() {
                    if s.event.event_type == EventType::TransformationEvent
                        && inputs(&s.event).contains(x)
                    {
                        for member in self.group(&s.event) {
                            next.extend(outputs(&member.event));
                        }
                    }
                }
                for id in ids.keys() {
                    if self.lot_of(id).is_some_and(|(l, _)| &l == x) {
                        next.insert(id.clone());
                    }
                }
                for i in &intervals {
                    if &i.parent == x {
                        next.insert(i.child.clone());
                    }
                }
            }
            if next == reached {
                break;
            }
            reached = next;
        }
        let mut containers = BTreeSet::new();
        loop {
            let mut grew = false;
            for i in &intervals {
                if (reached.contains(&i.child) || containers.contains(&i.child))
                    && !reached.contains(&i.parent)
                    && containers.insert(i.parent.clone())
                {
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        (reached, containers)
    }

    /// Backward: every link (upstream, downstream, relation, event seq).
    pub fn backward(&self, root: &str) -> BTreeSet<(String, String, &'static str, u64)> {
        let intervals = self.intervals();
        let mut links = BTreeSet::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut todo = vec![root.to_owned()];
        while let Some(x) = todo.pop() {
            if !seen.insert(x.clone()) {
                continue;
            }
            for (_, s) in self.counting_events() {
                if s.event.event_type == EventType::TransformationEvent
                    && outputs(&s.event).contains(&x)
                {
                    for member in self.group(&s.event) {
                        for input in inputs(&member.event) {
                            links.insert((input.clone(), x.clone(), "transformation", member.seq));
                            todo.push(input);
                        }
                    }
                }
            }
            if let Some((lot, seq)) = self.lot_of(&x) {
                links.insert((lot.clone(), x.clone(), "lot_membership", seq));
                todo.push(lot);
            }
            for i in intervals.iter().filter(|i| i.parent == x) {
                links.insert((
                    i.child.clone(),
                    x.clone(),
                    "containment",
                    self.log[i.add_index].seq,
                ));
                todo.push(i.child.clone());
            }
        }
        links
    }

    fn names(event: &Event, id: &str) -> bool {
        event.all_epcs().any(|x| canon(x) == id)
            || (event.event_type == EventType::TransformationEvent
                && (inputs(event).iter().any(|x| x == id)
                    || outputs(event).iter().any(|x| x == id)))
    }

    /// The events about an item within [from, to), as (time, log index).
    fn about(
        &self,
        id: &str,
        from: i64,
        to: i64,
        now: i64,
        intervals: &[Interval],
        depth: usize,
    ) -> BTreeSet<(i64, usize)> {
        let mut out = BTreeSet::new();
        for (i, s) in self.counting_events() {
            let t = time(&s.event);
            if Self::names(&s.event, id) && t >= from && t < to && t <= now {
                out.insert((t, i));
            }
        }
        if depth < 16 {
            for interval in intervals.iter().filter(|i| i.child == id) {
                let (lo, hi) = (from.max(interval.start), to.min(interval.end));
                if lo < hi {
                    out.extend(self.about(&interval.parent, lo, hi, now, intervals, depth + 1));
                }
            }
        }
        out
    }

    pub fn state(&self, id: &str, now: i64) -> State {
        let intervals = self.intervals();
        let mut state = State {
            holder: None,
            location: None,
            disposition: None,
            persistent: BTreeSet::new(),
            last_seq: None,
        };
        for (_, i) in self.about(id, i64::MIN, i64::MAX, now, &intervals, 0) {
            let s = &self.log[i];
            let e = &s.event;
            state.last_seq = Some(s.seq);
            if let Some(d) = word(&e.disposition) {
                state.disposition = Some(d);
            }
            if let Some(p) = &e.persistent_disposition {
                for w in &p.set {
                    state.persistent.insert(w.json_form().to_owned());
                }
                for w in &p.unset {
                    state.persistent.remove(w.json_form());
                }
            }
            let placed = e.biz_location.is_some()
                || e.read_point.is_some()
                || !e.source_list.is_empty()
                || !e.destination_list.is_empty();
            if !placed {
                continue;
            }
            let dest = |kind: &str| {
                e.destination_list
                    .iter()
                    .find(|d| d.kind.json_form() == kind)
                    .map(|d| party_of(&d.id))
            };
            if let Some(h) = dest("possessing_party").or_else(|| dest("owning_party")) {
                state.holder = Some(h);
            } else if let Some(p) = &s.party {
                state.holder = Some(party_of(p));
            }
            state.location = e.biz_location.as_ref().map(|l| canon(&l.id));
        }
        state
    }
}

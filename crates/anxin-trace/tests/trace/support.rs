//! Builders for small supply chains: identifiers with correct check digits, events of each
//! kind, and an event log that plays the store's part (sequence numbers, hash IDs, parties).

use anxin_epcis::{
    Action, EpcisTime, ErrorDeclaration, Event, EventType, ExtValue, Extension, Location,
    PersistentDisposition, QName, QuantityElement, SourceDest, Term, TimeZoneOffset,
};
use anxin_trace::{StoredFacts, TraceGraph};
use jiff::tz::Offset;

pub const T0: i64 = 1_780_000_000_000;
pub const MINUTE: i64 = 60_000;

fn with_check(body: &str) -> String {
    format!("{body}{}", anxin_gs1::check_digit(body))
}

/// The GTIN of product `n` (14 digits).
pub fn gtin(n: u32) -> String {
    with_check(&format!("0690123{:06}", n))
}

/// Can `serial` of product `product`, as a Digital Link.
pub fn can(product: u32, serial: u32) -> String {
    format!("https://id.gs1.org/01/{}/21/{serial}", gtin(product))
}

/// Lot `lot` of product `product`, as a canonical Digital Link.
pub fn lot(product: u32, lot: &str) -> String {
    format!("https://id.gs1.org/01/{}/10/{lot}", gtin(product))
}

/// Logistic unit `n` (a case or a pallet), as a Digital Link.
pub fn sscc(n: u32) -> String {
    format!(
        "https://id.gs1.org/00/{}",
        with_check(&format!("0690123{:010}", n))
    )
}

/// The GLN of party `n`.
pub fn gln(n: u32) -> String {
    with_check(&format!("690123{:06}", n))
}

/// The SGLN of party `n`'s site.
pub fn site(n: u32) -> String {
    format!("https://id.gs1.org/414/{}", gln(n))
}

/// The PGLN of party `n`.
pub fn party(n: u32) -> String {
    format!("https://id.gs1.org/417/{}", gln(n))
}

pub fn event(event_type: EventType, time_ms: i64) -> Event {
    let instant = jiff::Timestamp::from_millisecond(time_ms).expect("test time in range");
    Event::new(
        event_type,
        EpcisTime {
            instant,
            offset: Offset::UTC,
        },
        TimeZoneOffset(Offset::UTC),
    )
}

fn strings(items: &[String]) -> Vec<String> {
    items.to_vec()
}

pub fn qty(class: &str, quantity: f64, uom: Option<&str>) -> QuantityElement {
    QuantityElement {
        epc_class: class.to_owned(),
        quantity: Some(quantity),
        uom: uom.map(str::to_owned),
    }
}

/// A collection or commissioning of a bulk lot (raw milk at a farm).
pub fn collect(time_ms: i64, class: &str, kg: f64, at: u32) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Add);
    e.biz_step = Some(Term::Standard("commissioning"));
    e.quantity_list = vec![qty(class, kg, Some("KGM"))];
    e.biz_location = Some(Location {
        id: site(at),
        extensions: Vec::new(),
    });
    e
}

/// Receipt of an ingredient lot from a supplier.
pub fn receive_class(time_ms: i64, class: &str, kg: f64, at: u32, from: u32) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Observe);
    e.biz_step = Some(Term::Standard("receiving"));
    e.quantity_list = vec![qty(class, kg, Some("KGM"))];
    e.biz_location = Some(Location {
        id: site(at),
        extensions: Vec::new(),
    });
    e.source_list = vec![SourceDest {
        kind: Term::Standard("owning_party"),
        id: party(from),
    }];
    e
}

/// A transformation from input quantities to output quantities.
pub fn transform(
    time_ms: i64,
    inputs: Vec<QuantityElement>,
    outputs: Vec<QuantityElement>,
    at: u32,
) -> Event {
    let mut e = event(EventType::TransformationEvent, time_ms);
    e.input_quantity_list = inputs;
    e.output_quantity_list = outputs;
    e.biz_location = Some(Location {
        id: site(at),
        extensions: Vec::new(),
    });
    e
}

/// Commissioning of cans into a lot (ILMD `cbvmda:lotNumber`).
pub fn commission(time_ms: i64, cans: &[String], lot_number: &str, at: u32) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Add);
    e.biz_step = Some(Term::Standard("commissioning"));
    e.disposition = Some(Term::Standard("active"));
    e.epc_list = strings(cans);
    e.ilmd = Some(vec![Extension {
        name: QName::new("urn:epcglobal:cbv:mda:", "lotNumber"),
        value: ExtValue::Text(lot_number.to_owned()),
        attributes: Vec::new(),
    }]);
    e.biz_location = Some(Location {
        id: site(at),
        extensions: Vec::new(),
    });
    e
}

/// Packing (ADD) or unpacking (DELETE) children into or out of a parent.
pub fn aggregate(
    time_ms: i64,
    action: Action,
    parent: &str,
    children: &[String],
    at: u32,
) -> Event {
    let mut e = event(EventType::AggregationEvent, time_ms);
    e.action = Some(action);
    e.biz_step = Some(Term::Standard(if action == Action::Delete {
        "unpacking"
    } else {
        "packing"
    }));
    e.parent_id = Some(parent.to_owned());
    e.child_epcs = strings(children);
    e.biz_location = Some(Location {
        id: site(at),
        extensions: Vec::new(),
    });
    e
}

/// Shipping from one party to another (no business location: in transit).
pub fn ship(time_ms: i64, epcs: &[String], from: u32, to: u32) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Observe);
    e.biz_step = Some(Term::Standard("shipping"));
    e.disposition = Some(Term::Standard("in_transit"));
    e.epc_list = strings(epcs);
    e.read_point = Some(Location {
        id: site(from),
        extensions: Vec::new(),
    });
    e.source_list = vec![SourceDest {
        kind: Term::Standard("owning_party"),
        id: party(from),
    }];
    e.destination_list = vec![
        SourceDest {
            kind: Term::Standard("owning_party"),
            id: party(to),
        },
        SourceDest {
            kind: Term::Standard("location"),
            id: site(to),
        },
    ];
    e.biz_transaction_list = vec![anxin_epcis::BizTransaction {
        transaction_type: Some(Term::Standard("desadv")),
        id: format!("urn:epcglobal:cbv:bt:{}:{time_ms}", gln(from)),
    }];
    e
}

/// Receiving at a party's site.
pub fn receive(time_ms: i64, epcs: &[String], at: u32) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Observe);
    e.biz_step = Some(Term::Standard("receiving"));
    e.disposition = Some(Term::Standard("sellable_accessible"));
    e.epc_list = strings(epcs);
    e.biz_location = Some(Location {
        id: site(at),
        extensions: Vec::new(),
    });
    e
}

/// A retail sale.
pub fn sell(time_ms: i64, epcs: &[String], at: u32) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Observe);
    e.biz_step = Some(Term::Standard("retail_selling"));
    e.disposition = Some(Term::Standard("retail_sold"));
    e.epc_list = strings(epcs);
    e.biz_location = Some(Location {
        id: site(at),
        extensions: Vec::new(),
    });
    e
}

/// Destruction.
pub fn destroy(time_ms: i64, epcs: &[String], at: u32) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Delete);
    e.biz_step = Some(Term::Standard("destroying"));
    e.disposition = Some(Term::Standard("destroyed"));
    e.epc_list = strings(epcs);
    e.biz_location = Some(Location {
        id: site(at),
        extensions: Vec::new(),
    });
    e
}

/// Sets or unsets a persistent disposition.
pub fn persistent(time_ms: i64, epcs: &[String], word: &'static str, set: bool) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Observe);
    e.biz_step = Some(Term::Standard("holding"));
    e.epc_list = strings(epcs);
    e.persistent_disposition = Some(if set {
        PersistentDisposition {
            set: vec![Term::Standard(word)],
            unset: Vec::new(),
        }
    } else {
        PersistentDisposition {
            set: Vec::new(),
            unset: vec![Term::Standard(word)],
        }
    });
    e
}

/// One stored event: what the store keeps beside it.
#[derive(Clone, Debug)]
pub struct Stored {
    pub event: Event,
    pub seq: u64,
    pub hash: String,
    pub party: Option<String>,
}

/// The log of a store: events in capture order.
#[derive(Default, Clone, Debug)]
pub struct Log {
    pub events: Vec<Stored>,
}

impl Log {
    /// Captures an event as `party`; returns its position.
    pub fn push(&mut self, event: Event, party: Option<u32>) -> usize {
        let hash = anxin_epcis::hash::event_hash_id(&event);
        self.events.push(Stored {
            seq: self.events.len() as u64 * 10 + 7,
            hash,
            party: party.map(gln),
            event,
        });
        self.events.len() - 1
    }

    /// Captures an error declaration for the event at `index`.
    pub fn declare_error(&mut self, index: usize, time_ms: i64) -> usize {
        let mut event = self.events[index].event.clone();
        let instant = jiff::Timestamp::from_millisecond(time_ms).expect("time in range");
        event.error_declaration = Some(ErrorDeclaration {
            declaration_time: EpcisTime {
                instant,
                offset: Offset::UTC,
            },
            reason: Some(Term::Standard("incorrect_data")),
            corrective_event_ids: Vec::new(),
            extensions: Vec::new(),
        });
        let party = self.events[index].party.clone();
        let hash = self.events[index].hash.clone();
        self.events.push(Stored {
            seq: self.events.len() as u64 * 10 + 7,
            hash,
            party,
            event,
        });
        self.events.len() - 1
    }

    /// The graph built from the first half of the log, compacted, then the second half
    /// applied: both laid-out and freshly linked incidence lists are in use.
    pub fn graph_compacted_midway(&self) -> TraceGraph {
        let mut graph = TraceGraph::new();
        let half = self.events.len() / 2;
        for (index, stored) in self.events.iter().enumerate() {
            if index == half {
                graph.compact();
            }
            graph.apply(&facts(stored)).expect("events in order");
        }
        graph
    }

    /// The graph built from the log, one event at a time.
    pub fn graph(&self) -> TraceGraph {
        let mut graph = TraceGraph::new();
        for stored in &self.events {
            graph.apply(&facts(stored)).expect("events in order");
        }
        graph
    }
}

pub fn facts(stored: &Stored) -> StoredFacts<'_> {
    StoredFacts {
        event: &stored.event,
        event_seq: stored.seq,
        record_time_ms: stored.event.event_time.unix_millis() + 1000,
        hash_id: &stored.hash,
        party_gln: stored.party.as_deref(),
    }
}

//! A synthetic infant-formula supply chain of realistic shape, for filling a store.
//!
//! Three manufacturers commission cans (12–24 to a case) on packing lines, pack them into
//! cases (SSCC) and the cases onto pallets (4–8 cases), and ship each pallet to one of twelve
//! distributors. A distributor receives the pallet, breaks it down and ships the cases in twos
//! to some of sixty retailers, who receive them, unpack them and sell the cans a few at a
//! time. That is some 48 events and 470 event-EPC rows a pallet, about ten EPCs an event, at
//! 291 business locations (SGLNs) in all. Every event is recorded by the party whose location
//! it happened at, as partners do.
//!
//! The chain is a pure function of `(seed, pallet index)`: [`pallet_flow`] rebuilds any
//! pallet's events without the others, so a benchmark can pick EPCs that exist in a store it
//! filled in an earlier run. The company prefixes (690xxxx, China's GS1 range) and the
//! serials are made up; no real company's data is imitated.

use anxin_epcis::cbv::{Term, Vocabulary as Cbv};
use anxin_epcis::sample::SampleRng;
use anxin_epcis::{
    Action, BizTransaction, EpcisTime, Event, EventType, Location, SourceDest, TimeZoneOffset,
};
use anxin_store::Role;

/// How many manufacturers there are.
pub const MANUFACTURERS: u32 = 3;
/// How many distributors there are.
pub const DISTRIBUTORS: u32 = 12;
/// How many retailers there are.
pub const RETAILERS: u32 = 60;
/// Locations per manufacturer: four packing lines, then the warehouse.
const MANUFACTURER_LOCATIONS: u32 = 5;
/// Warehouses per distributor.
const DISTRIBUTOR_LOCATIONS: u32 = 3;
/// Shops per retailer.
const RETAILER_LOCATIONS: u32 = 4;
/// Products (GTINs) per manufacturer.
const PRODUCTS: u32 = 3;
/// The first pallet is packed on 2026-01-01T00:00:00Z; each next one 90 seconds later.
const FIRST_PALLET_MS: i64 = 1_767_225_600_000;
const PALLET_SPACING_MS: i64 = 90_000;

/// One party of the chain: its account's role, its PGLN and its locations.
#[derive(Clone, Debug)]
pub struct Party {
    /// Its role on the platform.
    pub role: Role,
    /// Its GS1 company prefix (seven digits).
    pub prefix: String,
    /// Its party GLN as a PGLN URN.
    pub pgln: String,
    /// Its business locations, as SGLN URNs.
    pub locations: Vec<String>,
}

/// Every party of the chain: manufacturers, then distributors, then retailers. A party's
/// index in this list is the index [`pallet_flow`] names it by.
pub fn parties() -> Vec<Party> {
    let kinds = [
        (Role::Manufacturer, MANUFACTURERS, MANUFACTURER_LOCATIONS, 1),
        (Role::Distributor, DISTRIBUTORS, DISTRIBUTOR_LOCATIONS, 2),
        (Role::Retailer, RETAILERS, RETAILER_LOCATIONS, 3),
    ];
    let mut out = Vec::new();
    for (role, count, n_locations, block) in kinds {
        for number in 1..=count {
            let prefix = format!("690{block}{number:03}");
            out.push(Party {
                role,
                pgln: format!("urn:epc:id:pgln:{prefix}.00000"),
                locations: (1..=n_locations)
                    .map(|location| format!("urn:epc:id:sgln:{prefix}.{location:05}.0"))
                    .collect(),
                prefix,
            });
        }
    }
    out
}

/// The index in [`parties`] of the `number`th distributor.
fn distributor(number: u32) -> usize {
    (MANUFACTURERS + number) as usize
}

/// The index in [`parties`] of the `number`th retailer.
fn retailer(number: u32) -> usize {
    (MANUFACTURERS + DISTRIBUTORS + number) as usize
}

/// An event and the index (in [`parties`]) of the party that records it.
pub type PartyEvent = (usize, Event);

/// The number of event-EPC rows an event makes in the store (its EPC list, parent and
/// children).
pub fn epc_rows(event: &Event) -> u64 {
    (event.epc_list.len()
        + event.child_epcs.len()
        + event.input_epc_list.len()
        + event.output_epc_list.len()
        + usize::from(event.parent_id.is_some())) as u64
}

/// Builds events of one pallet: one clock and the fixed pieces every event shares.
struct Flow<'a> {
    parties: &'a [Party],
    now_ms: i64,
    out: Vec<PartyEvent>,
}

impl Flow<'_> {
    /// A new event one minute after the previous one.
    fn event(&mut self, event_type: EventType, action: Action, step: &str, at: &str) -> Event {
        self.now_ms += 60_000;
        let time = jiff::Timestamp::from_millisecond(self.now_ms).expect("a time in range");
        let offset = TimeZoneOffset::parse("+08:00").expect("offset");
        let mut event = Event::new(event_type, EpcisTime::utc(time), offset);
        event.action = Some(action);
        event.biz_step = Some(Term::read(Cbv::BizStep, step));
        event.read_point = Some(location(at));
        event.biz_location = Some(location(at));
        event
    }

    fn push(&mut self, party: usize, event: Event) {
        self.out.push((party, event));
    }

    fn shipping(&mut self, from: (usize, &str), to: (usize, &str), epcs: Vec<String>) {
        let mut event = self.event(EventType::ObjectEvent, Action::Observe, "shipping", from.1);
        // A shipment is in transit: CBV leaves out the business location.
        event.biz_location = None;
        event.epc_list = epcs;
        event.disposition = Some(Term::read(Cbv::Disposition, "in_transit"));
        let gln = &self.parties[from.0].prefix;
        event.biz_transaction_list = vec![BizTransaction {
            transaction_type: Some(Term::read(Cbv::BizTransactionType, "desadv")),
            id: format!("urn:epcglobal:cbv:bt:{gln}000000:{}", self.now_ms),
        }];
        event.source_list = vec![source_dest(from.1)];
        event.destination_list = vec![source_dest(to.1)];
        self.push(from.0, event);
    }

    fn receiving(&mut self, party: usize, at: &str, epcs: Vec<String>) {
        let mut event = self.event(EventType::ObjectEvent, Action::Observe, "receiving", at);
        event.epc_list = epcs;
        event.disposition = Some(Term::read(Cbv::Disposition, "in_progress"));
        self.push(party, event);
    }

    fn aggregation(
        &mut self,
        party: usize,
        at: &str,
        add: bool,
        parent: &str,
        children: &[String],
    ) {
        let (action, step) = if add {
            (Action::Add, "packing")
        } else {
            (Action::Delete, "unpacking")
        };
        let mut event = self.event(EventType::AggregationEvent, action, step, at);
        event.parent_id = Some(parent.to_owned());
        event.child_epcs = children.to_vec();
        self.push(party, event);
    }
}

fn location(id: &str) -> Location {
    Location {
        id: id.to_owned(),
        extensions: Vec::new(),
    }
}

fn source_dest(sgln: &str) -> SourceDest {
    SourceDest {
        kind: Term::read(Cbv::SourceDestType, "location"),
        id: sgln.to_owned(),
    }
}

/// The random number generator of one pallet, independent of every other pallet's.
fn pallet_rng(seed: u64, pallet: u64) -> SampleRng {
    SampleRng::new(seed ^ pallet.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Every event of pallet `pallet`, in time order, each with the party that records it.
/// Serials are made from the pallet's index, so no two pallets share an EPC.
pub fn pallet_flow(parties: &[Party], seed: u64, pallet: u64) -> Vec<PartyEvent> {
    let mut rng = pallet_rng(seed, pallet);
    let maker = rng.below(u64::from(MANUFACTURERS)) as usize;
    let maker_prefix = parties[maker].prefix.clone();
    let line = parties[maker].locations[rng.below(4) as usize].clone();
    let maker_warehouse = parties[maker].locations[4].clone();
    let product = rng.below(u64::from(PRODUCTS)) + 1;
    let n_cases = 4 + rng.below(5);
    let per_case = 12 + rng.below(13);
    let mut flow = Flow {
        parties,
        now_ms: FIRST_PALLET_MS + pallet as i64 * PALLET_SPACING_MS,
        out: Vec::with_capacity(64),
    };
    let case_id = |case: u64| format!("urn:epc:id:sscc:{maker_prefix}.0{:09}", pallet * 16 + case);
    let pallet_id = format!("urn:epc:id:sscc:{maker_prefix}.1{pallet:09}");
    let mut cases = Vec::new();
    let mut cans_of_case = Vec::new();
    for case in 0..n_cases {
        let cans: Vec<String> = (0..per_case)
            .map(|can| {
                format!(
                    "urn:epc:id:sgtin:{maker_prefix}.0{product:05}.{}",
                    pallet * 1000 + case * 32 + can
                )
            })
            .collect();
        let mut event = flow.event(EventType::ObjectEvent, Action::Add, "commissioning", &line);
        event.epc_list = cans.clone();
        event.disposition = Some(Term::read(Cbv::Disposition, "active"));
        flow.push(maker, event);
        flow.aggregation(maker, &line, true, &case_id(case), &cans);
        cases.push(case_id(case));
        cans_of_case.push(cans);
    }
    flow.aggregation(maker, &maker_warehouse, true, &pallet_id, &cases);
    let dist = distributor(rng.below(u64::from(DISTRIBUTORS)) as u32);
    let dist_warehouse =
        parties[dist].locations[rng.below(u64::from(DISTRIBUTOR_LOCATIONS)) as usize].clone();
    flow.shipping(
        (maker, &maker_warehouse),
        (dist, &dist_warehouse),
        vec![pallet_id.clone()],
    );
    flow.receiving(dist, &dist_warehouse, vec![pallet_id.clone()]);
    flow.aggregation(dist, &dist_warehouse, false, &pallet_id, &cases);
    for (pair, case_pair) in cases.chunks(2).enumerate() {
        let shop_owner = retailer(rng.below(u64::from(RETAILERS)) as u32);
        let shop = parties[shop_owner].locations[rng.below(u64::from(RETAILER_LOCATIONS)) as usize]
            .clone();
        flow.shipping(
            (dist, &dist_warehouse),
            (shop_owner, &shop),
            case_pair.to_vec(),
        );
        flow.receiving(shop_owner, &shop, case_pair.to_vec());
        for (case, case_id) in case_pair.iter().enumerate() {
            let cans = &cans_of_case[pair * 2 + case];
            flow.aggregation(shop_owner, &shop, false, case_id, cans);
            sell(&mut flow, &mut rng, shop_owner, &shop, cans);
        }
    }
    flow.out
}

/// The shop sells a case's cans three to eight at a time (one event per till batch).
fn sell(flow: &mut Flow<'_>, rng: &mut SampleRng, party: usize, shop: &str, cans: &[String]) {
    let mut sold = 0;
    while sold < cans.len() {
        let batch = (3 + rng.below(6) as usize).min(cans.len() - sold);
        let mut event = flow.event(
            EventType::ObjectEvent,
            Action::Observe,
            "retail_selling",
            shop,
        );
        event.epc_list = cans[sold..sold + batch].to_vec();
        event.disposition = Some(Term::read(Cbv::Disposition, "retail_sold"));
        flow.push(party, event);
        sold += batch;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pallet_is_valid_deterministic_and_about_ten_epcs_an_event() {
        let parties = parties();
        assert_eq!(
            parties
                .iter()
                .map(|party| party.locations.len())
                .sum::<usize>(),
            291
        );
        let (mut events, mut rows) = (0u64, 0u64);
        for pallet in 0..200 {
            let flow = pallet_flow(&parties, 7, pallet);
            for (_, event) in &flow {
                let problems = anxin_epcis::validate::check_event(event);
                assert!(problems.is_empty(), "{problems:?}");
                rows += epc_rows(event);
            }
            events += flow.len() as u64;
        }
        let per_event = rows as f64 / events as f64;
        assert!((8.0..12.0).contains(&per_event), "{per_event}");
        let again = pallet_flow(&parties, 7, 3);
        assert_eq!(again, pallet_flow(&parties, 7, 3));
    }
}

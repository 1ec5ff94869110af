//! The trace benchmarks' world: an infant-formula supply chain with ingredient lots, made
//! lot by lot by [`generate`] and shared by `benches/trace.rs` (the graph in memory) and
//! `benches/recall_store.rs` (the same world captured into SQLite and PostgreSQL).
//!
//! Raw milk from 100 farms, base powder from 8 raw-milk lots each, finished lots of 12,000
//! cans from one base-powder lot, one premix lot (each premix lot feeds 48 finished lots) and
//! one lactose lot; cans 12 to a case, cases 50 to a pallet; every pallet shipped to one of
//! 50 distributors and received; 40% of pallets unpacked there and their cases shipped on to
//! 500 shops, received, and half of each case sold; 5% of pallets exported through a bonded
//! warehouse. Every event is handed over with the number of the party that records it
//! ([`FACTORY`], [`BONDED`], farms from 100, distributors from 1,000, shops from 10,000;
//! [`party_numbers`] lists them). Identifiers are GS1 Digital Links under the made-up company
//! prefix 0690123 (China's GS1 range); no real company's data is imitated.

use std::collections::HashMap;

use anxin_epcis::{
    Action, EpcisTime, Event, EventType, ExtValue, Extension, Location, QName, QuantityElement,
    SourceDest, Term, TimeZoneOffset,
};
use anxin_trace::recall::{PartyInfo, PartyKind};

/// Cans in a case.
pub const CANS_PER_CASE: u64 = 12;
/// Cases on a pallet.
pub const CASES_PER_PALLET: u64 = 50;
/// Cans in a finished lot.
pub const CANS_PER_LOT: u64 = 12_000;
/// Finished lots made from one base-powder lot.
pub const LOTS_PER_BASE: u64 = 5;
/// Finished lots made with one premix lot.
pub const LOTS_PER_PREMIX: u64 = 48;
/// Lactose lots, used in turn.
pub const LACTOSE_LOTS: u64 = 30;
/// Raw-milk lots in one base-powder lot.
pub const RAW_PER_BASE: u64 = 8;
/// Farms.
pub const FARMS: u64 = 100;
/// Distributors.
pub const DISTRIBUTORS: u64 = 50;
/// Shops.
pub const SHOPS: u64 = 500;
/// The factory's party number.
pub const FACTORY: u64 = 1;
/// The bonded warehouse's party number.
pub const BONDED: u64 = 2;
/// The world's first hour (Unix milliseconds, 2026-05-28T20:26:40Z).
pub const T0: i64 = 1_780_000_000_000;

/// `body` followed by its GS1 check digit.
pub fn with_check(body: &str) -> String {
    format!("{body}{}", anxin_gs1::check_digit(body))
}

/// The world's identifiers.
pub struct Ids {
    can_gtin: String,
}

impl Ids {
    /// The identifiers (the cans' GTIN is worked out once).
    #[expect(clippy::new_without_default, reason = "it computes a check digit")]
    pub fn new() -> Ids {
        Ids {
            can_gtin: with_check("0690123000001"),
        }
    }
    /// The `n`th can's serialised Digital Link.
    pub fn can(&self, n: u64) -> String {
        format!("https://id.gs1.org/01/{}/21/{n}", self.can_gtin)
    }
    /// Lot `lot` of product `product` as a class-level Digital Link.
    pub fn class(product: u64, lot: &str) -> String {
        format!(
            "https://id.gs1.org/01/{}/10/{lot}",
            with_check(&format!("0690123{:06}", product))
        )
    }
    /// The `n`th logistic unit (case or pallet) as an SSCC Digital Link.
    pub fn sscc(n: u64) -> String {
        format!(
            "https://id.gs1.org/00/{}",
            with_check(&format!("0690123{:010}", n))
        )
    }
    /// Party `n`'s GLN (its one site has the same GLN).
    pub fn gln(n: u64) -> String {
        with_check(&format!("690124{:06}", n))
    }
    /// Party `n`'s site as a business location.
    pub fn site(n: u64) -> Location {
        Location {
            id: format!("https://id.gs1.org/414/{}", Ids::gln(n)),
            extensions: Vec::new(),
        }
    }
}

fn event(event_type: EventType, time_ms: i64) -> Event {
    let instant = jiff::Timestamp::from_millisecond(time_ms).expect("time in range");
    let offset = jiff::tz::Offset::constant(8);
    Event::new(
        event_type,
        EpcisTime { instant, offset },
        TimeZoneOffset(offset),
    )
}

fn kg(class: String, quantity: f64) -> QuantityElement {
    QuantityElement {
        epc_class: class,
        quantity: Some(quantity),
        uom: Some("KGM".to_owned()),
    }
}

fn ship(time_ms: i64, epcs: Vec<String>, from: u64, to: u64) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Observe);
    e.biz_step = Some(Term::Standard("shipping"));
    e.disposition = Some(Term::Standard("in_transit"));
    e.epc_list = epcs;
    e.read_point = Some(Ids::site(from));
    e.source_list = vec![SourceDest {
        kind: Term::Standard("owning_party"),
        id: format!("https://id.gs1.org/417/{}", Ids::gln(from)),
    }];
    e.destination_list = vec![SourceDest {
        kind: Term::Standard("owning_party"),
        id: format!("https://id.gs1.org/417/{}", Ids::gln(to)),
    }];
    e
}

fn observe(
    time_ms: i64,
    epcs: Vec<String>,
    at: u64,
    step: &'static str,
    disp: &'static str,
) -> Event {
    let mut e = event(EventType::ObjectEvent, time_ms);
    e.action = Some(Action::Observe);
    e.biz_step = Some(Term::Standard(step));
    e.disposition = Some(Term::Standard(disp));
    e.epc_list = epcs;
    e.biz_location = Some(Ids::site(at));
    e
}

/// Generates the world lot by lot, handing each event (with its capturing party) to `sink`.
pub fn generate(n_cans: u64, mut sink: impl FnMut(Event, u64)) {
    let ids = Ids::new();
    let n_lots = n_cans.div_ceil(CANS_PER_LOT);
    let mut t = T0;
    let mut next_can = 0u64;
    let mut next_sscc = 0u64;
    for lot in 0..n_lots {
        t += 3_600_000;
        if lot % LOTS_PER_BASE == 0 {
            let base = lot / LOTS_PER_BASE;
            let mut inputs = Vec::new();
            for r in 0..RAW_PER_BASE {
                let farm = 100 + (base * RAW_PER_BASE + r) % FARMS;
                let raw = Ids::class(900, &format!("RM{base}-{r}"));
                let mut e = event(EventType::ObjectEvent, t - 86_400_000);
                e.action = Some(Action::Add);
                e.biz_step = Some(Term::Standard("commissioning"));
                e.quantity_list = vec![kg(raw.clone(), 20_000.0)];
                e.biz_location = Some(Ids::site(farm));
                sink(e, farm);
                inputs.push(kg(raw, 20_000.0));
            }
            let mut e = event(EventType::TransformationEvent, t - 43_200_000);
            e.input_quantity_list = inputs;
            e.output_quantity_list = vec![kg(Ids::class(902, &format!("BP{base}")), 25_000.0)];
            e.biz_location = Some(Ids::site(FACTORY));
            sink(e, FACTORY);
        }
        let lot_number = format!("L{lot}");
        let mut e = event(EventType::TransformationEvent, t);
        e.input_quantity_list = vec![
            kg(
                Ids::class(902, &format!("BP{}", lot / LOTS_PER_BASE)),
                4_800.0,
            ),
            kg(
                Ids::class(903, &format!("PM{}", lot / LOTS_PER_PREMIX)),
                50.0,
            ),
            kg(
                Ids::class(904, &format!("LA{}", lot % LACTOSE_LOTS)),
                1_000.0,
            ),
        ];
        e.output_quantity_list = vec![kg(Ids::class(1, &lot_number), 9_600.0)];
        e.biz_location = Some(Ids::site(FACTORY));
        sink(e, FACTORY);
        let cans_in_lot = CANS_PER_LOT.min(n_cans - next_can);
        let pallet_cans = CANS_PER_CASE * CASES_PER_PALLET;
        let mut done = 0;
        while done < cans_in_lot {
            t += 60_000;
            let n = pallet_cans.min(cans_in_lot - done);
            let cans: Vec<String> = (next_can..next_can + n).map(|c| ids.can(c)).collect();
            next_can += n;
            done += n;
            let mut e = event(EventType::ObjectEvent, t);
            e.action = Some(Action::Add);
            e.biz_step = Some(Term::Standard("commissioning"));
            e.disposition = Some(Term::Standard("active"));
            e.epc_list = cans.clone();
            e.ilmd = Some(vec![Extension {
                name: QName::new("urn:epcglobal:cbv:mda:", "lotNumber"),
                value: ExtValue::Text(lot_number.clone()),
                attributes: Vec::new(),
            }]);
            e.biz_location = Some(Ids::site(FACTORY));
            sink(e, FACTORY);
            let mut cases = Vec::new();
            for chunk in cans.chunks(CANS_PER_CASE as usize) {
                let case = Ids::sscc(next_sscc);
                next_sscc += 1;
                let mut e = event(EventType::AggregationEvent, t + 1_000);
                e.action = Some(Action::Add);
                e.biz_step = Some(Term::Standard("packing"));
                e.parent_id = Some(case.clone());
                e.child_epcs = chunk.to_vec();
                e.biz_location = Some(Ids::site(FACTORY));
                sink(e, FACTORY);
                cases.push((case, chunk.to_vec()));
            }
            let pallet = Ids::sscc(next_sscc);
            next_sscc += 1;
            let mut e = event(EventType::AggregationEvent, t + 2_000);
            e.action = Some(Action::Add);
            e.biz_step = Some(Term::Standard("packing"));
            e.parent_id = Some(pallet.clone());
            e.child_epcs = cases.iter().map(|(c, _)| c.clone()).collect();
            e.biz_location = Some(Ids::site(FACTORY));
            sink(e, FACTORY);
            let pallet_no = next_sscc;
            let route = pallet_no % 20;
            if route == 0 {
                sink(
                    ship(t + 3_600_000, vec![pallet.clone()], FACTORY, BONDED),
                    FACTORY,
                );
                sink(
                    observe(
                        t + 7_200_000,
                        vec![pallet],
                        BONDED,
                        "receiving",
                        "sellable_not_accessible",
                    ),
                    BONDED,
                );
                continue;
            }
            let distributor = 1_000 + pallet_no % DISTRIBUTORS;
            sink(
                ship(t + 3_600_000, vec![pallet.clone()], FACTORY, distributor),
                FACTORY,
            );
            sink(
                observe(
                    t + 7_200_000,
                    vec![pallet.clone()],
                    distributor,
                    "receiving",
                    "sellable_not_accessible",
                ),
                distributor,
            );
            if route < 9 {
                let mut e = event(EventType::AggregationEvent, t + 10_800_000);
                e.action = Some(Action::Delete);
                e.biz_step = Some(Term::Standard("unpacking"));
                e.parent_id = Some(pallet);
                e.biz_location = Some(Ids::site(distributor));
                sink(e, distributor);
                for (k, (case, cans)) in cases.into_iter().enumerate() {
                    let shop = 10_000 + (pallet_no * 7 + k as u64) % SHOPS;
                    sink(
                        ship(t + 14_400_000, vec![case.clone()], distributor, shop),
                        distributor,
                    );
                    sink(
                        observe(
                            t + 18_000_000,
                            vec![case],
                            shop,
                            "receiving",
                            "sellable_accessible",
                        ),
                        shop,
                    );
                    let sold = cans[..cans.len() / 2].to_vec();
                    sink(
                        observe(t + 86_400_000, sold, shop, "retail_selling", "retail_sold"),
                        shop,
                    );
                }
            }
        }
    }
}

/// Every party of the world: its number (what [`generate`] hands over with each event) and
/// its kind. Farms, then the factory, the bonded warehouse, distributors and shops: the order
/// in which their events follow one another (a farm's raw milk before the factory's
/// transformation, a shipment before its receipt).
pub fn party_numbers() -> Vec<(u64, PartyKind)> {
    let mut parties: Vec<(u64, PartyKind)> =
        (0..FARMS).map(|f| (100 + f, PartyKind::Farm)).collect();
    parties.push((FACTORY, PartyKind::Manufacturer));
    parties.push((BONDED, PartyKind::BondedWarehouse));
    parties.extend((0..DISTRIBUTORS).map(|d| (1_000 + d, PartyKind::Distributor)));
    parties.extend((0..SHOPS).map(|s| (10_000 + s, PartyKind::Shop)));
    parties
}

/// The party directory a recall names holders from: every party of the world, by GLN.
pub fn directory() -> HashMap<String, PartyInfo> {
    party_numbers()
        .into_iter()
        .map(|(n, kind)| {
            let info = PartyInfo {
                name: format!("party {n}"),
                region: "110000".to_owned(),
                contact: format!("+86 10 {n:08}"),
                kind,
            };
            (Ids::gln(n), info)
        })
        .collect()
}

//! The flows: a stream of EPCIS 2.0 documents, each as one party would upload it.
//!
//! [`Generator`] makes finished lots one after another (about a month of production,
//! spread evenly over the days) and, for each lot, every event of its life: raw milk and
//! ingredient lots arriving, the two transformations, commissioning cans case by case,
//! packing cases and pallets, the release inspection, shipping to distributors and shops,
//! and the sales; for imported lots the overseas factory, port entry, the bonded warehouse
//! and cross-border orders. A few lots at a time are gathered into a batch; the batch's
//! events are sorted by party and time and handed out as uploads. Memory is bounded by a
//! batch ([`BATCH_CANS_MAX`] cans of events) plus the static world and a little state per
//! factory and product, whatever the number of cans.

use std::collections::{BTreeMap, VecDeque};

use anxin_epcis::cbv::{Term, Vocabulary as Cbv};
use anxin_epcis::sample::SampleRng;
use anxin_epcis::{
    Action, BizTransaction, EpcisTime, Event, EventType, Header, Location, QuantityElement,
    SensorElement, SensorMetadata, SensorReport, SourceDest, TimeZoneOffset,
};
use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};

use crate::manifest::{
    ContaminatedIngredient, Counterfeit, GB_19301_SOURCE, Manifest, OrderGap,
    RAW_MILK_PROTEIN_MIN_CG_PER_100G, RAW_MILK_TBC_MAX_CFU_PER_ML, RawMilkOverLimit, ReachedLot,
    ShippedBeforeRelease, UnregisteredImport,
};
use crate::quality::{self, LabReport, LabTrouble, Quality, RawMilkDelivery};
use crate::vocab;
use crate::world::{
    CANS_PER_CASE, CASES_PER_PALLET, Ingredient, MilkType, Party, PartyKind, Place, World,
};
use crate::{Config, master_data};

/// At most this many cans' events are generated before they are handed out (the memory
/// bound of the stream).
pub const BATCH_CANS_MAX: u64 = 20_000;
/// At most this many events in one upload; a party's batch is split beyond it.
pub const UPLOAD_EVENTS_MAX: usize = 5_000;
/// A finished lot has between these many cases. An assumption: no source gives batch
/// sizes (standards.md §7).
pub const LOT_CASES_MIN: u64 = 40;
/// See [`LOT_CASES_MIN`].
pub const LOT_CASES_MAX: u64 = 160;
/// Shelf life of a sealed can, from production to expiry. An assumption (two years is
/// what labels commonly print; no source in ../shared/reference).
pub const SHELF_LIFE_DAYS: i64 = 730;
/// Share of imported formula in China's supply, in per mille: 261.7 kt imported against
/// 694 kt made at home in 2021 (standards.md §7, marks B and C): 261.7 / 955.7 = 27.4 %.
pub const IMPORT_SHARE_PER_MILLE: u64 = 274;
/// Share of domestic lots made by dry blending imported base powder rather than from raw
/// milk (wet process). An assumption.
pub const DRY_BLEND_PERCENT: u64 = 25;
/// Raw milk is 12.5 % total solids, so one gram of milk solids takes eight grams of raw
/// milk. An assumption (a typical figure; GB 19301-2010's solids limits are unknown in
/// standards.md §3).
pub const RAW_MILK_GRAMS_PER_SOLIDS_GRAM: u64 = 8;
/// An ingredient lot weighs this much when delivered. An assumption.
pub const INGREDIENT_LOT_GRAMS: u64 = 1_000_000;
/// Share of cans that reach a consumer within the simulated period. An assumption.
pub const SOLD_PERCENT: u64 = 70;
/// Share of an imported lot's pallets sold through cross-border e-commerce rather than
/// general trade (the first pallet always is). An assumption.
pub const CROSS_BORDER_PALLET_PERCENT: u64 = 20;
/// A shop sale is one to this many cans. An assumption.
pub const BASKET_CANS_MAX: u64 = 4;
/// A cross-border order is one to this many cans (such orders are often for several cans
/// at once). An assumption.
pub const ORDER_CANS_MAX: u64 = 6;
/// Days an import spends at sea. An assumption.
pub const SEA_DAYS: i64 = 30;

/// The schedule, in days (an assumption of the simulation, like the hours of day the
/// events are placed at): the release inspection this many days after production (the
/// time microbiological tests take) …
pub const RELEASE_AFTER_DAYS: i64 = 2;
/// … pallets leave the maker's warehouse this many days after production …
pub const SHIP_AFTER_DAYS: i64 = 3;
/// … a domestic ingredient lot ships this many days before use, an imported one …
pub const DOMESTIC_INGREDIENT_LEAD_DAYS: i64 = 3;
/// … this many …
pub const IMPORTED_INGREDIENT_LEAD_DAYS: i64 = 6;
/// … a contaminated ingredient lot is found this many days after its last use …
pub const FINDING_AFTER_DAYS: i64 = 7;
/// … and a can is sold, or ordered, within this many days of reaching the shop or
/// bonded warehouse.
pub const SALE_WINDOW_DAYS: u64 = 20;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
const MINUTE_MS: i64 = 60_000;

/// The logistics steps of a cross-border order, in order (CBV 2.0 bizStep words): the
/// order is taken, picked in the bonded warehouse, cleared by customs, leaves the bonded
/// zone, arrives at a delivery station in the buyer's city and is handed over.
pub const ORDER_STEPS: [&str; 6] = [
    "reserving",
    "picking",
    "inspecting",
    "departing",
    "arriving",
    "retail_selling",
];

/// One document as a party uploads it.
#[derive(Clone, Debug)]
pub struct Upload {
    /// The uploading party (index into [`World::parties`]).
    pub party: usize,
    /// The header; the party's first upload carries its master data.
    pub header: Header,
    /// The events, in time order.
    pub events: Vec<Event>,
}

/// A pallet and its cases, each case with its cans.
struct Pallet {
    sscc: String,
    cases: Vec<(String, Vec<String>)>,
}

/// An ingredient lot in a factory's store.
struct StockLot {
    lgtin: String,
    remaining_grams: u64,
    uses_left: u64,
    last_use_day: i64,
    /// Index into the manifest's contaminated ingredients.
    contaminated: Option<usize>,
}

/// A finished lot being made.
struct Lot {
    lgtin: String,
    product: usize,
    contaminated_by: Vec<usize>,
    /// A counterfeit of one of its cans is still to be planted.
    counterfeit: std::cell::Cell<bool>,
}

/// The stream of uploads for one world and configuration.
pub struct Generator<'w> {
    world: &'w World,
    config: Config,
    rng: SampleRng,
    /// Next can serial per product.
    serials: Vec<u64>,
    /// Next SSCC serial reference per party.
    ssccs: Vec<u64>,
    stock: BTreeMap<(usize, Ingredient), StockLot>,
    counter: u64,
    lot_index: u64,
    cans_planned: u64,
    introduced: Vec<bool>,
    batch: Vec<(usize, Event)>,
    batch_cans: u64,
    pending: VecDeque<Upload>,
    manifest: Manifest,
    finished: bool,
    makers: Vec<usize>,
    overseas: Vec<usize>,
    products_of: Vec<Vec<usize>>,
    cow_farms: Vec<usize>,
    goat_farms: Vec<usize>,
    distributors: Vec<usize>,
    retailers: Vec<usize>,
    import_agents: Vec<usize>,
    bonded: Vec<usize>,
    cross_border: Vec<usize>,
    labs: Vec<usize>,
    suppliers: BTreeMap<Ingredient, Vec<usize>>,
    /// Draws for the quality data, apart from the events' draws.
    qrng: SampleRng,
    quality: Quality,
    /// The lots of each domestic plant's production day still to get their HACCP records,
    /// by (day, plant).
    open_runs: BTreeMap<(i64, usize), Vec<String>>,
}

impl<'w> Generator<'w> {
    /// A generator over `world` (which must have been built with the same configuration).
    pub fn new(world: &'w World, config: Config) -> Generator<'w> {
        let mut products_of = vec![Vec::new(); world.parties.len()];
        for (index, product) in world.products.iter().enumerate() {
            products_of[product.maker].push(index);
        }
        let farms_of = |milk: MilkType| -> Vec<usize> {
            (0..world.parties.len())
                .filter(|&index| {
                    let party = &world.parties[index];
                    matches!(party.kind, PartyKind::Farm | PartyKind::Cooperative)
                        && party.milk == Some(milk)
                })
                .collect()
        };
        let mut suppliers = BTreeMap::new();
        for index in world.of_kind(PartyKind::IngredientSupplier) {
            if let Some(ingredient) = world.parties[index].supplies {
                suppliers
                    .entry(ingredient)
                    .or_insert_with(Vec::new)
                    .push(index);
            }
        }
        let retailers = (0..world.parties.len())
            .filter(|&index| world.parties[index].kind.is_retail())
            .collect();
        let unregistered_imports = world
            .unregistered
            .iter()
            .map(|&index| {
                let product = &world.products[index];
                UnregisteredImport {
                    gtin: product.gtin.clone(),
                    name: product.name.clone(),
                    maker_gln: world.parties[product.maker].gln.clone(),
                    lots: Vec::new(),
                }
            })
            .collect();
        Generator {
            rng: SampleRng::new(config.seed ^ 0x464c_4f57_0000_0002),
            qrng: SampleRng::new(config.seed ^ 0x5155_414c_0000_0003),
            quality: Quality::default(),
            open_runs: BTreeMap::new(),
            serials: vec![1; world.products.len()],
            ssccs: vec![1; world.parties.len()],
            stock: BTreeMap::new(),
            counter: 0,
            lot_index: 0,
            cans_planned: 0,
            introduced: vec![false; world.parties.len()],
            batch: Vec::new(),
            batch_cans: 0,
            pending: VecDeque::new(),
            manifest: Manifest {
                seed: config.seed,
                cans_requested: config.cans,
                unregistered_imports,
                counts: crate::manifest::Counts {
                    parties: world.parties.len() as u64,
                    ..Default::default()
                },
                ..Manifest::default()
            },
            finished: false,
            makers: world.of_kind(PartyKind::Manufacturer),
            overseas: world.of_kind(PartyKind::OverseasManufacturer),
            cow_farms: farms_of(MilkType::Cow),
            goat_farms: farms_of(MilkType::Goat),
            distributors: world.of_kind(PartyKind::Distributor),
            import_agents: world.of_kind(PartyKind::ImportAgent),
            bonded: world.of_kind(PartyKind::BondedWarehouse),
            cross_border: world.of_kind(PartyKind::CrossBorderEcommerce),
            labs: world.of_kind(PartyKind::Lab),
            products_of,
            retailers,
            suppliers,
            world,
            config,
        }
    }

    /// What was planted and counted so far; complete once the iterator has ended.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Takes the manifest (complete once the iterator has ended).
    pub fn into_manifest(self) -> Manifest {
        self.manifest
    }

    /// The quality data made so far; complete once the iterator has ended.
    pub fn quality(&self) -> &Quality {
        &self.quality
    }

    /// Takes the manifest and the quality data (complete once the iterator has ended).
    pub fn into_parts(self) -> (Manifest, Quality) {
        (self.manifest, self.quality)
    }

    fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn time(&self, day: i64, ms_of_day: i64) -> i64 {
        self.config.start_ms + day * DAY_MS + ms_of_day
    }

    /// Makes lots until the batch is full or the world is done, then hands the batch out.
    fn fill(&mut self) {
        while self.batch_cans < BATCH_CANS_MAX && self.cans_planned < self.config.cans {
            self.make_lot();
        }
        if self.cans_planned >= self.config.cans && !self.finished {
            self.close_all_stock();
            self.close_runs(i64::MAX);
            // An unregistered product that was never imported was not a trouble anyone
            // could meet.
            self.manifest
                .unregistered_imports
                .retain(|entry| !entry.lots.is_empty());
            self.finished = true;
        }
        self.flush();
    }

    fn make_lot(&mut self) {
        let left_cases = (self.config.cans - self.cans_planned).div_ceil(CANS_PER_CASE as u64);
        let cases = (LOT_CASES_MIN + self.rng.below(LOT_CASES_MAX - LOT_CASES_MIN + 1))
            .min(left_cases)
            .max(1);
        let day =
            (self.cans_planned * u64::from(self.config.days) / self.config.cans.max(1)) as i64;
        // Every plant's earlier days are over: their HACCP records can be written.
        self.close_runs(day);
        let index = self.lot_index;
        self.lot_index += 1;
        self.cans_planned += cases * CANS_PER_CASE as u64;
        self.batch_cans += cases * CANS_PER_CASE as u64;
        // Imports spread evenly over the lots (lot 1 is the first), at the national share.
        let share = IMPORT_SHARE_PER_MILLE;
        let imported = ((index + 1) * share + 500) / 1000 > (index * share + 500) / 1000;
        if imported && !self.overseas.is_empty() {
            self.imported_lot(day, cases as usize);
        } else {
            self.domestic_lot(day, cases as usize);
        }
    }

    // ----- building blocks -------------------------------------------------------------

    fn event(
        &self,
        event_type: EventType,
        action: Option<Action>,
        step: &str,
        disposition: Option<&str>,
        place: &Place,
        ms: i64,
    ) -> Event {
        let offset = Offset::from_hours(place.offset_hours).unwrap_or(Offset::UTC);
        let instant = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
        let mut event = Event::new(
            event_type,
            EpcisTime { instant, offset },
            TimeZoneOffset(offset),
        );
        event.action = action;
        event.biz_step = Some(Term::read(Cbv::BizStep, step));
        event.disposition = disposition.map(|word| Term::read(Cbv::Disposition, word));
        event.read_point = Some(location(&place.sgln));
        event.biz_location = Some(location(&place.sgln));
        event
    }

    fn push(&mut self, party: usize, event: Event) {
        self.batch.push((party, event));
    }

    fn party(&self, index: usize) -> &'w Party {
        &self.world.parties[index]
    }

    fn transaction(&mut self, party: usize, kind: &str, label: &str) -> BizTransaction {
        let id = self.next_id();
        BizTransaction {
            transaction_type: Some(Term::read(Cbv::BizTransactionType, kind)),
            id: format!(
                "urn:epcglobal:cbv:bt:{}:{label}{id:08}",
                self.party(party).gln
            ),
        }
    }

    /// A shipping event at `from` and the receiving event at `to`, with the same
    /// dispatch advice; returns the shipping event's hash ID.
    fn transfer(
        &mut self,
        (from, from_place): (usize, usize),
        (to, to_place): (usize, usize),
        epcs: Vec<String>,
        quantities: Vec<QuantityElement>,
        shipped_ms: i64,
        received_ms: i64,
    ) -> String {
        let world = self.world;
        let source = &world.parties[from].places[from_place];
        let destination = &world.parties[to].places[to_place];
        let desadv = self.transaction(from, "desadv", "DA");
        let ends = |party: &Party, place: &Place| {
            vec![
                SourceDest {
                    kind: Term::read(Cbv::SourceDestType, "owning_party"),
                    id: party.pgln.clone(),
                },
                SourceDest {
                    kind: Term::read(Cbv::SourceDestType, "location"),
                    id: place.sgln.clone(),
                },
            ]
        };
        let mut shipping = self.event(
            EventType::ObjectEvent,
            Some(Action::Observe),
            "shipping",
            Some("in_transit"),
            source,
            shipped_ms,
        );
        shipping.biz_location = None;
        shipping.epc_list = epcs.clone();
        shipping.quantity_list = quantities.clone();
        shipping.biz_transaction_list = vec![desadv.clone()];
        shipping.source_list = ends(&world.parties[from], source);
        shipping.destination_list = ends(&world.parties[to], destination);
        let mut receiving = self.event(
            EventType::ObjectEvent,
            Some(Action::Observe),
            "receiving",
            Some("in_progress"),
            destination,
            received_ms,
        );
        receiving.epc_list = epcs;
        receiving.quantity_list = quantities;
        receiving.biz_transaction_list = vec![desadv];
        receiving.source_list = shipping.source_list.clone();
        receiving.destination_list = shipping.destination_list.clone();
        let hash = anxin_epcis::hash::event_hash_id(&shipping);
        self.push(from, shipping);
        self.push(to, receiving);
        hash
    }

    fn lgtin(&self, party: usize, item_reference: &str, lot: &str) -> String {
        format!(
            "urn:epc:class:lgtin:{}.{item_reference}.{lot}",
            self.party(party).prefix
        )
    }

    fn sscc(&mut self, party: usize, extension: u8) -> String {
        let prefix = &self.world.parties[party].prefix;
        let serial = self.ssccs[party];
        self.ssccs[party] += 1;
        let digits = 16 - prefix.len();
        format!("urn:epc:id:sscc:{prefix}.{extension}{serial:0digits$}")
    }

    // ----- domestic lots ---------------------------------------------------------------

    fn domestic_lot(&mut self, day: i64, cases: usize) {
        let maker = *self.rng.pick(&self.makers);
        let product_index = *self.rng.pick(&self.products_of[maker]);
        let product = &self.world.products[product_index];
        let cans = (cases * CANS_PER_CASE) as u64;
        let finished_grams = cans * u64::from(product.can_grams);
        let lot_number = self.lot_number(day, &self.world.parties[maker].places[0]);
        let mut lot = Lot {
            lgtin: self.lgtin(maker, &product.item_reference, &lot_number),
            product: product_index,
            contaminated_by: Vec::new(),
            counterfeit: std::cell::Cell::new(
                self.rng.chance(self.config.troubles.counterfeit_percent),
            ),
        };
        // Blending and canning: base powder plus the heat-sensitive ingredients.
        let premix = finished_grams * 2 / 100;
        let dha_ara = finished_grams * 15 / 1000;
        let lactoferrin = finished_grams / 1000;
        let base_grams = finished_grams - premix - dha_ara - lactoferrin;
        let base = if self.rng.chance(DRY_BLEND_PERCENT) {
            let lgtin = self.draw(maker, Ingredient::BasePowder, base_grams, day, &mut lot);
            (lgtin, base_grams)
        } else {
            let lgtin = self.wet_process(maker, product.milk, base_grams, day, &mut lot);
            (lgtin, base_grams)
        };
        let mut inputs = vec![base];
        for (ingredient, grams) in [
            (Ingredient::Premix, premix),
            (Ingredient::DhaAraOils, dha_ara),
            (Ingredient::Lactoferrin, lactoferrin),
        ] {
            let lgtin = self.draw(maker, ingredient, grams, day, &mut lot);
            inputs.push((lgtin, grams));
        }
        let factory = &self.world.parties[maker].places[0];
        let mut blend = self.event(
            EventType::TransformationEvent,
            None,
            "commissioning",
            Some("in_progress"),
            factory,
            self.time(day, 12 * HOUR_MS),
        );
        blend.transformation_id = Some(self.transformation_id());
        blend.input_quantity_list = inputs
            .iter()
            .map(|(lgtin, grams)| kilograms(lgtin, *grams))
            .collect();
        blend.output_quantity_list = vec![kilograms(&lot.lgtin, finished_grams)];
        blend.extensions = vec![vocab::text("processStep", "blending_and_canning")];
        self.push(maker, blend);
        self.manifest.counts.domestic_lots += 1;
        self.open_runs
            .entry((day, maker))
            .or_default()
            .push(lot.lgtin.clone());
        self.finish_lot(maker, day, cases, lot);
    }

    /// Raw milk and the dry ingredients become base powder (spray drying); returns the base
    /// powder's LGTIN.
    fn wet_process(
        &mut self,
        maker: usize,
        milk_type: MilkType,
        base_grams: u64,
        day: i64,
        lot: &mut Lot,
    ) -> String {
        let solids = base_grams * 40 / 100;
        let whey = base_grams * 20 / 100;
        let lactose = base_grams * 25 / 100;
        let opo = base_grams * 3 / 100;
        let oils = base_grams - solids - whey - lactose - opo;
        let raw_grams = solids * RAW_MILK_GRAMS_PER_SOLIDS_GRAM;
        let deliveries = 1 + self.rng.below(3);
        let mut inputs = Vec::new();
        let mut milk = Vec::new();
        let mut left = raw_grams;
        for delivery in 0..deliveries {
            let grams = if delivery + 1 == deliveries {
                left
            } else {
                raw_grams / deliveries
            };
            left -= grams;
            let lgtin = self.raw_milk(maker, milk_type, grams, day, delivery as i64, &lot.lgtin);
            milk.push(lgtin.clone());
            inputs.push((lgtin, grams));
        }
        for (ingredient, grams) in [
            (Ingredient::WheyProtein, whey),
            (Ingredient::Lactose, lactose),
            (Ingredient::VegetableOils, oils),
            (Ingredient::Opo, opo),
        ] {
            let lgtin = self.draw(maker, ingredient, grams, day, lot);
            inputs.push((lgtin, grams));
        }
        let factory = &self.world.parties[maker].places[0];
        let base_lgtin = {
            let lot_number = format!("{}B", lot.lgtin.rsplit('.').next().unwrap_or_default());
            self.lgtin(maker, "090001", &lot_number)
        };
        let mut dry = self.event(
            EventType::TransformationEvent,
            None,
            "commissioning",
            Some("in_progress"),
            factory,
            self.time(day, 8 * HOUR_MS),
        );
        let transformation = self.transformation_id();
        self.quality.milk_uses.extend(
            milk.into_iter()
                .map(|delivery| quality::raw_milk_uses(&transformation, delivery)),
        );
        dry.transformation_id = Some(transformation);
        dry.input_quantity_list = inputs
            .iter()
            .map(|(lgtin, grams)| kilograms(lgtin, *grams))
            .collect();
        dry.output_quantity_list = vec![kilograms(&base_lgtin, base_grams)];
        dry.extensions = vec![vocab::text("processStep", "wet_mix_spray_drying")];
        self.push(maker, dry);
        base_lgtin
    }

    /// A farm's raw-milk lot: collected into a tanker (with temperature readings and test
    /// values), shipped to the factory and received there the day before processing.
    fn raw_milk(
        &mut self,
        maker: usize,
        milk: MilkType,
        grams: u64,
        day: i64,
        delivery: i64,
        finished_lot: &str,
    ) -> String {
        let farms = match milk {
            MilkType::Cow => &self.cow_farms,
            MilkType::Goat => &self.goat_farms,
        };
        let farm = if farms.is_empty() {
            *self.rng.pick(&self.cow_farms)
        } else {
            *self.rng.pick(farms)
        };
        let id = self.next_id();
        let lgtin = self.lgtin(farm, "000001", &format!("RM{id:08}"));
        let farm_place = &self.world.parties[farm].places[0];
        let collected = self.time(day - 1, 5 * HOUR_MS + delivery * 20 * MINUTE_MS);
        let mut collect = self.event(
            EventType::ObjectEvent,
            Some(Action::Add),
            "commissioning",
            Some("active"),
            farm_place,
            collected,
        );
        collect.quantity_list = vec![kilograms(&lgtin, grams)];
        collect.sensor_element_list = vec![self.cold_chain(collected)];
        collect.ilmd = Some(vec![vocab::cbvmda(
            "lotNumber",
            lgtin.rsplit('.').next().unwrap_or_default(),
        )]);
        // Receiving tests: clean ones, or one planted over a GB 19301-2010 limit, or one over
        // a limit of the manufacturer's own standard only.
        let received = collected + 6 * HOUR_MS;
        let factory_place = &self.world.parties[maker].places[0];
        let received_date = civil(received, factory_place.offset_hours);
        let facts = quality::milk_facts(milk == MilkType::Goat);
        let mut tests = quality::raw_milk_tests(&mut self.qrng, received_date, &facts);
        let troubles = self.config.troubles;
        // The events' stream draws what it drew before the tests were generated apart (three
        // values, then the over-limit trouble), so a seed still makes the same world of events.
        for bound in [50, 90, 280_000] {
            self.rng.below(bound);
        }
        if self.rng.chance(troubles.raw_milk_over_limit_percent) {
            let (parameter, value, limit, analyte, reading) = if self.rng.chance(50) {
                let tbc = RAW_MILK_TBC_MAX_CFU_PER_ML + 500_000 + self.rng.below(4_000_000);
                (
                    "totalBacterialCountCfuPerMl",
                    tbc.to_string(),
                    format!("≤ {RAW_MILK_TBC_MAX_CFU_PER_ML} CFU/mL"),
                    "total_bacterial_count",
                    tbc as f64,
                )
            } else {
                let protein_cg = RAW_MILK_PROTEIN_MIN_CG_PER_100G - 5 - self.rng.below(25);
                (
                    "proteinGPer100g",
                    hundredths(protein_cg),
                    format!("≥ {} g/100 g", hundredths(RAW_MILK_PROTEIN_MIN_CG_PER_100G)),
                    "protein",
                    protein_cg as f64 / 100.0,
                )
            };
            quality::set_value(&mut tests, analyte, reading);
            self.manifest.raw_milk_over_limit.push(RawMilkOverLimit {
                lot: lgtin.clone(),
                farm_gln: self.party(farm).gln.clone(),
                parameter: parameter.to_owned(),
                value,
                limit,
                source: GB_19301_SOURCE.to_owned(),
                finished_lot: finished_lot.to_owned(),
            });
        } else if self.qrng.chance(troubles.raw_milk_rejected_used_percent)
            && let Some((analyte, value, limit, standard)) =
                quality::reject_by_manufacturer(&mut self.qrng, received_date, &facts, &mut tests)
        {
            self.manifest
                .raw_milk_rejected_used
                .push(quality::RawMilkRejectedUsed {
                    lot: lgtin.clone(),
                    farm_gln: self.party(farm).gln.clone(),
                    analyte,
                    value,
                    limit,
                    standard,
                    finished_lot: finished_lot.to_owned(),
                });
        }
        let shown = |id: &str, decimals: usize| {
            quality::value_of(&tests, id)
                .map(|v| format!("{v:.decimals$}"))
                .unwrap_or_default()
        };
        collect.extensions = vec![vocab::object(
            "rawMilkTest",
            vec![
                vocab::text("animal", milk.name()),
                vocab::text("proteinGPer100g", shown("protein", 2)),
                vocab::text("fatGPer100g", shown("fat", 2)),
                vocab::text(
                    "totalBacterialCountCfuPerMl",
                    shown("total_bacterial_count", 0),
                ),
            ],
        )];
        self.quality.deliveries.push(RawMilkDelivery {
            delivery: anxin_quality::raw_milk::Delivery {
                id: lgtin.clone(),
                supplier: self.party(farm).gln.clone(),
                received: received_date,
                facts,
                tests,
            },
            factory_gln: self.party(maker).gln.clone(),
            received_ms: received,
        });
        self.push(farm, collect);
        let quantity = vec![kilograms(&lgtin, grams)];
        self.transfer(
            (farm, 0),
            (maker, 0),
            Vec::new(),
            quantity,
            collected + 2 * HOUR_MS,
            received,
        );
        self.manifest.counts.raw_milk_deliveries += 1;
        lgtin
    }

    fn cold_chain(&mut self, at: i64) -> SensorElement {
        let reports = (0..3)
            .map(|reading| SensorReport {
                measurement_type: Some(Term::read(Cbv::MeasurementType, "Temperature")),
                time: Some(utc(at + reading * 10 * MINUTE_MS)),
                value: Some(2.0 + self.rng.below(35) as f64 / 10.0),
                uom: Some("CEL".to_owned()),
                ..SensorReport::default()
            })
            .collect();
        SensorElement {
            metadata: Some(SensorMetadata {
                time: Some(utc(at)),
                ..SensorMetadata::default()
            }),
            reports,
            extensions: Vec::new(),
        }
    }

    /// Takes `grams` of an ingredient from a factory's store, bringing in a new lot from a
    /// supplier when the current one is used up; returns the lot's LGTIN.
    fn draw(
        &mut self,
        maker: usize,
        ingredient: Ingredient,
        grams: u64,
        day: i64,
        lot: &mut Lot,
    ) -> String {
        let key = (maker, ingredient);
        let needs_new = self
            .stock
            .get(&key)
            .is_none_or(|stock| stock.uses_left == 0 || stock.remaining_grams < grams);
        if needs_new {
            if let Some(old) = self.stock.remove(&key) {
                self.close_stock(old);
            }
            let fresh = self.deliver_ingredient(maker, ingredient, day);
            self.stock.insert(key, fresh);
        }
        let Some(stock) = self.stock.get_mut(&key) else {
            return String::new();
        };
        stock.remaining_grams -= grams;
        stock.uses_left -= 1;
        stock.last_use_day = day;
        if let Some(index) = stock.contaminated {
            lot.contaminated_by.push(index);
        }
        stock.lgtin.clone()
    }

    fn deliver_ingredient(&mut self, maker: usize, ingredient: Ingredient, day: i64) -> StockLot {
        let supplier = match self.suppliers.get(&ingredient) {
            Some(list) => *self.rng.pick(list),
            None => maker,
        };
        let id = self.next_id();
        let lgtin = self.lgtin(supplier, "000010", &format!("IG{id:08}"));
        let lead_days = if ingredient.imported() {
            IMPORTED_INGREDIENT_LEAD_DAYS
        } else {
            DOMESTIC_INGREDIENT_LEAD_DAYS
        };
        let shipped = self.time(day - lead_days, 10 * HOUR_MS);
        let received = self.time(day - 1, 15 * HOUR_MS + (id % 60) as i64 * MINUTE_MS);
        let quantity = vec![kilograms(&lgtin, INGREDIENT_LOT_GRAMS)];
        self.transfer(
            (supplier, 0),
            (maker, 0),
            Vec::new(),
            quantity,
            shipped,
            received,
        );
        self.manifest.counts.ingredient_lots += 1;
        let contaminated = self
            .rng
            .chance(self.config.troubles.contaminated_ingredient_percent)
            .then(|| {
                self.manifest
                    .contaminated_ingredients
                    .push(ContaminatedIngredient {
                        lot: lgtin.clone(),
                        ingredient: ingredient.name().to_owned(),
                        supplier_gln: self.party(supplier).gln.clone(),
                        factory_gln: self.party(maker).gln.clone(),
                        finding: "Cronobacter spp. detected".to_owned(),
                        finding_event_id: String::new(),
                        reached: Vec::new(),
                    });
                self.manifest.contaminated_ingredients.len() - 1
            });
        StockLot {
            lgtin,
            remaining_grams: INGREDIENT_LOT_GRAMS,
            uses_left: 1 + self.rng.below(3),
            last_use_day: day,
            contaminated,
        }
    }

    /// A lot leaves the store; a contaminated one is then found by a laboratory.
    fn close_stock(&mut self, stock: StockLot) {
        let Some(index) = stock.contaminated else {
            return;
        };
        let lab = *self.rng.pick(&self.labs);
        let place = &self.world.parties[lab].places[0];
        let mut finding = self.event(
            EventType::ObjectEvent,
            Some(Action::Observe),
            "inspecting",
            Some("non_conformant"),
            place,
            self.time(stock.last_use_day + FINDING_AFTER_DAYS, 16 * HOUR_MS),
        );
        finding.quantity_list = vec![QuantityElement {
            epc_class: stock.lgtin.clone(),
            quantity: Some(0.1),
            uom: Some("KGM".to_owned()),
        }];
        // Cronobacter in infant formula: n = 3, c = 0, m = 0/100 g (standards.md §2.4,
        // mark C); the finding is "detected", so no number is needed beyond the criterion.
        finding.extensions = vec![vocab::object(
            "labFinding",
            vec![
                vocab::text("analyte", "Cronobacter spp."),
                vocab::text("result", "detected"),
                vocab::text("criterion", "n=3 c=0 m=0/100g (standards.md §2.4, mark C)"),
            ],
        )];
        self.manifest.contaminated_ingredients[index].finding_event_id =
            anxin_epcis::hash::event_hash_id(&finding);
        self.push(lab, finding);
    }

    fn close_all_stock(&mut self) {
        let stock = std::mem::take(&mut self.stock);
        for (_, lot) in stock {
            self.close_stock(lot);
        }
    }

    fn transformation_id(&mut self) -> String {
        let high = self.rng.next_u64();
        let low = self.rng.next_u64();
        format!(
            "urn:uuid:{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xffff,
            high & 0x0fff,
            0x8000 | (low >> 48) & 0x3fff,
            low & 0xffff_ffff_ffff
        )
    }

    fn lot_number(&mut self, day: i64, place: &Place) -> String {
        let id = self.next_id();
        format!(
            "{}{:05}",
            date(self.time(day, 12 * HOUR_MS), place.offset_hours).replace('-', ""),
            id % 100_000
        )
    }

    // ----- the rest of a lot's life ------------------------------------------------------

    /// Commissioning and packing, release, and distribution of a finished lot.
    fn finish_lot(&mut self, maker: usize, day: i64, cases: usize, lot: Lot) {
        let pallets = self.commission_and_pack(maker, day, cases, &lot);
        let released = self.release(maker, day, &lot);
        let early = self
            .rng
            .chance(self.config.troubles.shipped_before_release_percent);
        let mut rest = pallets;
        if early {
            let first = rest.remove(0);
            let distributor = *self.rng.pick(&self.distributors);
            let shipped = self.time(day + 1, 10 * HOUR_MS);
            let hash = self.transfer(
                (maker, 1),
                (distributor, 0),
                vec![first.sscc.clone()],
                Vec::new(),
                shipped,
                shipped + DAY_MS,
            );
            self.manifest
                .shipped_before_release
                .push(ShippedBeforeRelease {
                    lot: lot.lgtin.clone(),
                    shipping_event_id: hash,
                    shipped_ms: shipped,
                    released_ms: released,
                });
            self.at_distributor(distributor, first, day + RELEASE_AFTER_DAYS, &lot);
        }
        for (index, pallet) in rest.into_iter().enumerate() {
            let distributor = *self.rng.pick(&self.distributors);
            let shipped = self.time(
                day + SHIP_AFTER_DAYS,
                8 * HOUR_MS + index as i64 * 10 * MINUTE_MS,
            );
            self.transfer(
                (maker, 1),
                (distributor, 0),
                vec![pallet.sscc.clone()],
                Vec::new(),
                shipped,
                shipped + DAY_MS,
            );
            self.at_distributor(distributor, pallet, day + SHIP_AFTER_DAYS + 1, &lot);
        }
    }

    /// Commissions the cans case by case (with ILMD), packs each case, and stacks the
    /// cases on pallets at the maker's warehouse.
    fn commission_and_pack(
        &mut self,
        maker: usize,
        day: i64,
        cases: usize,
        lot: &Lot,
    ) -> Vec<Pallet> {
        let world = self.world;
        let product = &world.products[lot.product];
        let party = &world.parties[maker];
        let factory = &party.places[0];
        let warehouse = party.places.get(1).unwrap_or(factory);
        let produced = self.time(day, 14 * HOUR_MS);
        let production_date = date(produced, factory.offset_hours);
        let expiry = date(produced + SHELF_LIFE_DAYS * DAY_MS, factory.offset_hours);
        let lot_number = lot.lgtin.rsplit('.').next().unwrap_or_default().to_owned();
        let first_serial = self.serials[lot.product];
        let mut pallets: Vec<Pallet> = Vec::new();
        for case in 0..cases {
            let at = produced + case as i64 * 20_000;
            let cans: Vec<String> = (0..CANS_PER_CASE)
                .map(|_| {
                    let serial = self.serials[lot.product];
                    self.serials[lot.product] += 1;
                    format!(
                        "urn:epc:id:sgtin:{}.{}.{serial}",
                        party.prefix, product.item_reference
                    )
                })
                .collect();
            let mut commission = self.event(
                EventType::ObjectEvent,
                Some(Action::Add),
                "commissioning",
                Some("active"),
                factory,
                at,
            );
            commission.epc_list = cans.clone();
            commission.ilmd = Some(vec![
                vocab::cbvmda("lotNumber", lot_number.clone()),
                vocab::cbvmda("itemExpirationDate", expiry.clone()),
                vocab::text("productionDate", production_date.clone()),
            ]);
            self.push(maker, commission);
            let case_id = self.sscc(maker, 0);
            let mut pack = self.event(
                EventType::AggregationEvent,
                Some(Action::Add),
                "packing",
                Some("in_progress"),
                factory,
                at + 10_000,
            );
            pack.parent_id = Some(case_id.clone());
            pack.child_epcs = cans.clone();
            self.push(maker, pack);
            if case % CASES_PER_PALLET == 0 {
                let sscc = self.sscc(maker, 1);
                pallets.push(Pallet {
                    sscc,
                    cases: Vec::new(),
                });
            }
            if let Some(pallet) = pallets.last_mut() {
                pallet.cases.push((case_id, cans));
            }
        }
        let last_serial = self.serials[lot.product] - 1;
        let stacked = produced + cases as i64 * 20_000 + 30 * MINUTE_MS;
        for (index, pallet) in pallets.iter().enumerate() {
            let mut stack = self.event(
                EventType::AggregationEvent,
                Some(Action::Add),
                "packing",
                Some("in_progress"),
                warehouse,
                stacked + index as i64 * MINUTE_MS,
            );
            stack.parent_id = Some(pallet.sscc.clone());
            stack.child_epcs = pallet.cases.iter().map(|(id, _)| id.clone()).collect();
            self.push(maker, stack);
        }
        let cans = (cases * CANS_PER_CASE) as u64;
        self.manifest.counts.cans += cans;
        for &index in &lot.contaminated_by {
            let reached = &mut self.manifest.contaminated_ingredients[index].reached;
            if reached.last().is_none_or(|last| last.lot != lot.lgtin) {
                reached.push(ReachedLot {
                    lot: lot.lgtin.clone(),
                    gtin: product.gtin.clone(),
                    serial_first: first_serial,
                    serial_last: last_serial,
                    cans,
                });
            }
        }
        pallets
    }

    /// The release inspection [`RELEASE_AFTER_DAYS`] after production; returns its time.
    fn release(&mut self, maker: usize, day: i64, lot: &Lot) -> i64 {
        let world = self.world;
        let product = &world.products[lot.product];
        let party = &world.parties[maker];
        let lab = if party.kind == PartyKind::OverseasManufacturer {
            party
        } else {
            &world.parties[*self.rng.pick(&self.labs)]
        };
        let released = self.time(day + RELEASE_AFTER_DAYS, 9 * HOUR_MS);
        let mut inspect = self.event(
            EventType::ObjectEvent,
            Some(Action::Observe),
            "inspecting",
            Some("conformant"),
            &party.places[0],
            released,
        );
        let cans = product.can_grams;
        inspect.quantity_list = vec![QuantityElement {
            epc_class: lot.lgtin.clone(),
            quantity: None,
            uom: None,
        }];
        let standard = match product.stage {
            1 => "GB 10765-2021",
            2 => "GB 10766-2021",
            _ => "GB 10767-2021",
        };
        let id = self.next_id();
        inspect.extensions = vec![vocab::object(
            "releaseCertificate",
            vec![
                vocab::text("number", format!("RC{id:08}")),
                vocab::text("laboratoryGln", lab.gln.clone()),
                vocab::text("standard", standard),
                vocab::text("result", "pass"),
                vocab::text("canNetWeightG", cans.to_string()),
            ],
        )];
        self.push(maker, inspect);
        self.lab_report(lab.gln.clone(), party.gln.clone(), day, released, lot);
        released
    }

    /// The lot's release test report, reported an hour before the release inspection.
    fn lab_report(
        &mut self,
        lab_gln: String,
        maker_gln: String,
        day: i64,
        released: i64,
        lot: &Lot,
    ) {
        let world = self.world;
        let product = &world.products[lot.product];
        let offset = world.parties[product.maker].places[0].offset_hours;
        let troubles = self.config.troubles;
        let trouble = if self.qrng.chance(troubles.lab_out_of_limit_percent) {
            LabTrouble::OutOfLimit
        } else if self.qrng.chance(troubles.lab_missing_analyte_percent) {
            LabTrouble::Missing
        } else {
            LabTrouble::None
        };
        let id = self.next_id();
        let head = LabReport {
            id: format!("LR{id:08}"),
            lot: lot.lgtin.clone(),
            gtin: product.gtin.clone(),
            maker_gln,
            lab_gln,
            product: quality::product_type(product.stage),
            facts: quality::formula_facts(),
            produced: civil(self.time(day, 14 * HOUR_MS), offset),
            reported_ms: released - HOUR_MS,
            measurements: Vec::new(),
        };
        let (report, out, missing) = quality::lab_report(&mut self.qrng, trouble, head);
        if let Some(mut out) = out {
            out.released_ms = released;
            self.manifest.lab_out_of_limit.push(out);
        }
        self.manifest.lab_missing_analyte.extend(missing);
        self.manifest.counts.lab_reports += 1;
        self.quality.lab_reports.push(report);
    }

    /// Writes the HACCP records of every plant's production days before `day`.
    fn close_runs(&mut self, day: i64) {
        while let Some(entry) = self.open_runs.first_entry() {
            if entry.key().0 >= day {
                break;
            }
            let ((run_day, plant), lots) = entry.remove_entry();
            let world = self.world;
            let party = &world.parties[plant];
            let midnight = self.time(run_day, 0);
            // Every other planted deviation gets its corrective action; the rest keep their
            // lots on hold.
            let planted = self
                .qrng
                .chance(self.config.troubles.haccp_deviation_percent)
                .then(|| self.manifest.haccp_deviations.len().is_multiple_of(2));
            let (run, deviation) = quality::haccp_run(
                &mut self.qrng,
                plant,
                &party.gln,
                midnight,
                civil(midnight, party.places[0].offset_hours),
                &lots,
                planted,
            );
            self.manifest.counts.haccp_runs += 1;
            self.manifest.counts.haccp_readings += run
                .series
                .iter()
                .map(|series| series.readings.len() as u64)
                .sum::<u64>();
            self.manifest.haccp_deviations.extend(deviation);
            self.quality.runs.push(run);
        }
    }

    /// A distributor receives a pallet, breaks it down and sends its cases to shops.
    fn at_distributor(&mut self, distributor: usize, pallet: Pallet, day: i64, lot: &Lot) {
        let place = &self.world.parties[distributor].places[0];
        let mut unpack = self.event(
            EventType::AggregationEvent,
            Some(Action::Delete),
            "unpacking",
            Some("in_progress"),
            place,
            self.time(day, 14 * HOUR_MS),
        );
        unpack.parent_id = Some(pallet.sscc.clone());
        unpack.child_epcs = pallet.cases.iter().map(|(id, _)| id.clone()).collect();
        self.push(distributor, unpack);
        let mut cases = pallet.cases.into_iter().peekable();
        let mut order = 0i64;
        while cases.peek().is_some() {
            let n = 2 + self.rng.below(7) as usize;
            let group: Vec<(String, Vec<String>)> = cases.by_ref().take(n).collect();
            let shop = *self.rng.pick(&self.retailers);
            let shipped = self.time(day + 1, 8 * HOUR_MS + order * 5 * MINUTE_MS);
            self.transfer(
                (distributor, 0),
                (shop, 0),
                group.iter().map(|(id, _)| id.clone()).collect(),
                Vec::new(),
                shipped,
                shipped + DAY_MS,
            );
            self.at_shop(shop, group, day + 2, lot);
            order += 1;
        }
    }

    /// A shop unpacks its cases and sells most of the cans, a few at a time.
    fn at_shop(&mut self, shop: usize, cases: Vec<(String, Vec<String>)>, day: i64, lot: &Lot) {
        let place = &self.world.parties[shop].places[0];
        let opened = self.time(day, 16 * HOUR_MS);
        for (case_id, cans) in cases {
            let mut unpack = self.event(
                EventType::AggregationEvent,
                Some(Action::Delete),
                "unpacking",
                Some("in_progress"),
                place,
                opened,
            );
            unpack.parent_id = Some(case_id);
            unpack.child_epcs = cans.clone();
            self.push(shop, unpack);
            let sold: Vec<String> = cans
                .into_iter()
                .filter(|_| self.rng.chance(SOLD_PERCENT))
                .collect();
            let mut at = 0;
            while at < sold.len() {
                let basket = (1 + self.rng.below(BASKET_CANS_MAX) as usize).min(sold.len() - at);
                let sale_day = day + 1 + self.rng.below(SALE_WINDOW_DAYS) as i64;
                let minute = self.rng.below(12 * 60) as i64;
                let when = self.time(sale_day, 9 * HOUR_MS + minute * MINUTE_MS);
                let mut sale = self.event(
                    EventType::ObjectEvent,
                    Some(Action::Observe),
                    "retail_selling",
                    Some("retail_sold"),
                    place,
                    when,
                );
                sale.epc_list = sold[at..at + basket].to_vec();
                self.push(shop, sale);
                self.manifest.counts.cans_sold += basket as u64;
                if lot.counterfeit.get() && self.plant_counterfeit(shop, &sold[at], when) {
                    lot.counterfeit.set(false);
                }
                at += basket;
            }
        }
    }

    /// A copy of a sold can turns up at a shop in another province.
    fn plant_counterfeit(&mut self, genuine_shop: usize, epc: &str, sold: i64) -> bool {
        let world = self.world;
        let genuine = &world.parties[genuine_shop].places[0];
        let Some(home) = world.province_of(genuine) else {
            return false;
        };
        let far: Vec<usize> = self
            .retailers
            .iter()
            .copied()
            .filter(|&shop| world.province_of(&world.parties[shop].places[0]) != Some(home))
            .collect();
        if far.is_empty() {
            return false;
        }
        let shop = *self.rng.pick(&far);
        let place = &world.parties[shop].places[0];
        let later = sold + (1 + self.rng.below(5) as i64) * DAY_MS;
        let mut sale = self.event(
            EventType::ObjectEvent,
            Some(Action::Observe),
            "retail_selling",
            Some("retail_sold"),
            place,
            later,
        );
        sale.epc_list = vec![epc.to_owned()];
        let hash = anxin_epcis::hash::event_hash_id(&sale);
        self.push(shop, sale);
        self.manifest.counterfeits.push(Counterfeit {
            epc: epc.to_owned(),
            first_city: world.region_of(genuine).unwrap_or_default().to_owned(),
            second_city: world.region_of(place).unwrap_or_default().to_owned(),
            second_sale_event_id: hash,
        });
        true
    }

    // ----- imported lots -----------------------------------------------------------------

    fn imported_lot(&mut self, day: i64, cases: usize) {
        let world = self.world;
        let maker = *self.rng.pick(&self.overseas);
        let product_index = *self.rng.pick(&self.products_of[maker]);
        let product = &world.products[product_index];
        let produced_day = day - SEA_DAYS - 5;
        let lot_number = self.lot_number(produced_day, &world.parties[maker].places[0]);
        let lot = Lot {
            lgtin: self.lgtin(maker, &product.item_reference, &lot_number),
            product: product_index,
            contaminated_by: Vec::new(),
            counterfeit: std::cell::Cell::new(
                self.rng.chance(self.config.troubles.counterfeit_percent),
            ),
        };
        if product.registration.is_none()
            && let Some(entry) = self
                .manifest
                .unregistered_imports
                .iter_mut()
                .find(|entry| entry.gtin == product.gtin)
        {
            entry.lots.push(lot.lgtin.clone());
        }
        let pallets = self.commission_and_pack(maker, produced_day, cases, &lot);
        self.release(maker, produced_day, &lot);
        self.manifest.counts.imported_lots += 1;
        // By sea to the port, where the import agent receives and has it inspected.
        let agent = *self.rng.pick(&self.import_agents);
        let bonded = *self.rng.pick(&self.bonded);
        let ssccs: Vec<String> = pallets.iter().map(|pallet| pallet.sscc.clone()).collect();
        self.transfer(
            (maker, 0),
            (agent, 0),
            ssccs.clone(),
            Vec::new(),
            self.time(produced_day + 4, 10 * HOUR_MS),
            self.time(day - 3, 9 * HOUR_MS),
        );
        let port = &world.parties[agent].places[0];
        let mut inspect = self.event(
            EventType::ObjectEvent,
            Some(Action::Observe),
            "inspecting",
            Some("conformant"),
            port,
            self.time(day - 2, 10 * HOUR_MS),
        );
        inspect.epc_list = ssccs.clone();
        self.push(agent, inspect);
        self.transfer(
            (agent, 0),
            (bonded, 0),
            ssccs.clone(),
            Vec::new(),
            self.time(day - 2, 15 * HOUR_MS),
            self.time(day - 1, 9 * HOUR_MS),
        );
        let warehouse = &world.parties[bonded].places[0];
        let mut store = self.event(
            EventType::ObjectEvent,
            Some(Action::Observe),
            "storing",
            Some("sellable_not_accessible"),
            warehouse,
            self.time(day - 1, 11 * HOUR_MS),
        );
        store.epc_list = ssccs;
        self.push(bonded, store);
        for (index, pallet) in pallets.into_iter().enumerate() {
            if index == 0 || self.rng.chance(CROSS_BORDER_PALLET_PERCENT) {
                self.cross_border_pallet(bonded, pallet, day);
            } else {
                let distributor = *self.rng.pick(&self.distributors);
                let shipped = self.time(day, 9 * HOUR_MS + index as i64 * 10 * MINUTE_MS);
                self.transfer(
                    (bonded, 0),
                    (distributor, 0),
                    vec![pallet.sscc.clone()],
                    Vec::new(),
                    shipped,
                    shipped + DAY_MS,
                );
                self.at_distributor(distributor, pallet, day + 1, &lot);
            }
        }
    }

    /// A pallet in the bonded warehouse is broken down and its cans leave one order at a
    /// time, each order with its whole logistics path.
    fn cross_border_pallet(&mut self, bonded: usize, pallet: Pallet, day: i64) {
        let world = self.world;
        let warehouse = &world.parties[bonded].places[0];
        let opened = self.time(day, 13 * HOUR_MS);
        let mut unpack = self.event(
            EventType::AggregationEvent,
            Some(Action::Delete),
            "unpacking",
            Some("sellable_not_accessible"),
            warehouse,
            opened,
        );
        unpack.parent_id = Some(pallet.sscc.clone());
        unpack.child_epcs = pallet.cases.iter().map(|(id, _)| id.clone()).collect();
        self.push(bonded, unpack);
        let mut cans = Vec::new();
        for (case_id, case_cans) in pallet.cases {
            let mut open = self.event(
                EventType::AggregationEvent,
                Some(Action::Delete),
                "unpacking",
                Some("sellable_not_accessible"),
                warehouse,
                opened + MINUTE_MS,
            );
            open.parent_id = Some(case_id);
            open.child_epcs = case_cans.clone();
            self.push(bonded, open);
            cans.extend(case_cans);
        }
        let sold: Vec<String> = cans
            .into_iter()
            .filter(|_| self.rng.chance(SOLD_PERCENT))
            .collect();
        let mut at = 0;
        while at < sold.len() {
            let n = (1 + self.rng.below(ORDER_CANS_MAX) as usize).min(sold.len() - at);
            let order_cans = sold[at..at + n].to_vec();
            let order_day = day + 1 + self.rng.below(SALE_WINDOW_DAYS) as i64;
            let minute = self.rng.below(14 * 60) as i64;
            let placed = self.time(order_day, 8 * HOUR_MS + minute * MINUTE_MS);
            self.order(bonded, order_cans, placed);
            at += n;
        }
    }

    fn order(&mut self, bonded: usize, cans: Vec<String>, placed: i64) {
        let world = self.world;
        let company = *self.rng.pick(&self.cross_border);
        let party = &world.parties[company];
        let station = 1 + self.rng.below(party.places.len() as u64 - 1) as usize;
        let order = self.transaction(company, "po", "CBO");
        self.manifest.counts.cross_border_orders += 1;
        self.manifest.counts.cans_sold += cans.len() as u64;
        let missing = self
            .rng
            .chance(self.config.troubles.order_gap_percent)
            .then(|| 1 + self.rng.below(4) as usize);
        if let Some(step) = missing {
            self.manifest.order_gaps.push(OrderGap {
                order: order.id.clone(),
                missing_step: ORDER_STEPS[step].to_owned(),
            });
        }
        let warehouse = &world.parties[bonded].places[0];
        let steps: [(usize, &Place, i64, Option<&str>); 6] = [
            (company, &party.places[0], 0, Some("reserved")),
            (bonded, warehouse, 2 * HOUR_MS, Some("in_progress")),
            (bonded, warehouse, 6 * HOUR_MS, Some("conformant")),
            (bonded, warehouse, 8 * HOUR_MS, Some("in_transit")),
            (
                company,
                &party.places[station],
                2 * DAY_MS,
                Some("in_progress"),
            ),
            (
                company,
                &party.places[station],
                2 * DAY_MS + 3 * HOUR_MS,
                Some("retail_sold"),
            ),
        ];
        for (index, (recorder, place, after, disposition)) in steps.into_iter().enumerate() {
            if missing == Some(index) {
                continue;
            }
            let (event_type, action) = if index == 0 {
                (EventType::TransactionEvent, Action::Add)
            } else {
                (EventType::ObjectEvent, Action::Observe)
            };
            let mut event = self.event(
                event_type,
                Some(action),
                ORDER_STEPS[index],
                disposition,
                place,
                placed + after,
            );
            if index == 3 {
                event.biz_location = None;
            }
            event.epc_list = cans.clone();
            event.biz_transaction_list = vec![order.clone()];
            self.push(recorder, event);
        }
    }

    // ----- uploads -----------------------------------------------------------------------

    /// Sorts the batch by party and time and turns it into uploads.
    fn flush(&mut self) {
        let mut batch = std::mem::take(&mut self.batch);
        self.batch_cans = 0;
        batch.sort_by_key(|(party, event)| (*party, event.event_time.instant));
        let mut rest = batch.into_iter().peekable();
        while let Some((party, first)) = rest.next() {
            // One upload: this party's next events, at most `UPLOAD_EVENTS_MAX` of them.
            let mut events = vec![first];
            while events.len() < UPLOAD_EVENTS_MAX {
                match rest.next_if(|(next, _)| *next == party) {
                    Some((_, event)) => events.push(event),
                    None => break,
                }
            }
            let mut header = self.header(&events);
            if !self.introduced[party] {
                self.introduced[party] = true;
                header.master_data = master_data::of_party(self.world, party);
            }
            self.manifest.counts.events += events.len() as u64;
            self.manifest.counts.documents += 1;
            self.pending.push_back(Upload {
                party,
                header,
                events,
            });
        }
    }

    fn header(&self, events: &[Event]) -> Header {
        let latest = events
            .iter()
            .map(|event| event.event_time.instant)
            .max()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let mut header = Header::new(EpcisTime::utc(latest + jiff::SignedDuration::from_hours(1)));
        header.namespaces.declare(vocab::PREFIX, vocab::NAMESPACE);
        header
    }
}

impl Iterator for Generator<'_> {
    type Item = Upload;

    fn next(&mut self) -> Option<Upload> {
        loop {
            if let Some(upload) = self.pending.pop_front() {
                return Some(upload);
            }
            if self.finished {
                return None;
            }
            self.fill();
        }
    }
}

fn location(id: &str) -> Location {
    Location {
        id: id.to_owned(),
        extensions: Vec::new(),
    }
}

fn kilograms(lgtin: &str, grams: u64) -> QuantityElement {
    QuantityElement {
        epc_class: lgtin.to_owned(),
        quantity: Some(grams as f64 / 1000.0),
        uom: Some("KGM".to_owned()),
    }
}

fn utc(ms: i64) -> EpcisTime {
    EpcisTime::utc(Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH))
}

/// `YYYY-MM-DD` of an instant at an offset.
fn date(ms: i64, offset_hours: i8) -> String {
    let offset = Offset::from_hours(offset_hours).unwrap_or(Offset::UTC);
    let instant = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    instant.to_zoned(TimeZone::fixed(offset)).date().to_string()
}

/// The civil date of an instant at an offset.
fn civil(ms: i64, offset_hours: i8) -> jiff::civil::Date {
    let offset = Offset::from_hours(offset_hours).unwrap_or(Offset::UTC);
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(TimeZone::fixed(offset))
        .date()
}

/// `3.05` from 305.
fn hundredths(value: u64) -> String {
    format!("{}.{:02}", value / 100, value % 100)
}

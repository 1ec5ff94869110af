//! The manifest: exactly what the simulator planted, so that tests (and later features)
//! can check that the platform finds that and nothing else.
//!
//! It is plain data with serde derives; writing it out is the caller's business.

use serde::Serialize;

pub use crate::quality::{HaccpDeviation, LabMissingAnalyte, LabOutOfLimit, RawMilkRejectedUsed};

/// Where a raw-milk limit comes from (standards.md §3, GB 19301-2010, mark B).
pub const GB_19301_SOURCE: &str = "GB 19301-2010 食品安全国家标准 生乳 (standards.md §3, mark B)";
/// Raw milk: total bacterial count at most 2×10⁶ CFU/mL (GB 19301-2010; standards.md §3,
/// mark B).
pub const RAW_MILK_TBC_MAX_CFU_PER_ML: u64 = 2_000_000;
/// Raw milk: protein at least 2.8 g/100 g (GB 19301-2010; standards.md §3, mark B), in
/// hundredths of a gram so comparisons stay exact.
pub const RAW_MILK_PROTEIN_MIN_CG_PER_100G: u64 = 280;

/// Everything planted in one run, and the size of what was made.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Manifest {
    /// The seed.
    pub seed: u64,
    /// Cans asked for.
    pub cans_requested: u64,
    /// Counts of what was made.
    pub counts: Counts,
    /// Ingredient lots later found contaminated, and where they went.
    pub contaminated_ingredients: Vec<ContaminatedIngredient>,
    /// Raw-milk deliveries over a limit of GB 19301-2010.
    pub raw_milk_over_limit: Vec<RawMilkOverLimit>,
    /// Lots shipped before their release inspection.
    pub shipped_before_release: Vec<ShippedBeforeRelease>,
    /// Can serials sold in two distant cities.
    pub counterfeits: Vec<Counterfeit>,
    /// Cross-border orders with a step missing from their logistics path.
    pub order_gaps: Vec<OrderGap>,
    /// Imported products with no formula registration, and their lots.
    pub unregistered_imports: Vec<UnregisteredImport>,
    /// Lots with a release test result outside a binding limit.
    pub lab_out_of_limit: Vec<LabOutOfLimit>,
    /// Lots whose release report leaves out a required result.
    pub lab_missing_analyte: Vec<LabMissingAnalyte>,
    /// Raw-milk deliveries rejected by the manufacturer's standard and used.
    pub raw_milk_rejected_used: Vec<RawMilkRejectedUsed>,
    /// HACCP deviations, with the lots made during them.
    pub haccp_deviations: Vec<HaccpDeviation>,
}

/// How much was made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Cans commissioned.
    pub cans: u64,
    /// Events made.
    pub events: u64,
    /// Documents (uploads) made.
    pub documents: u64,
    /// Finished lots made in China.
    pub domestic_lots: u64,
    /// Finished lots made abroad and imported.
    pub imported_lots: u64,
    /// Raw-milk deliveries.
    pub raw_milk_deliveries: u64,
    /// Ingredient lots delivered.
    pub ingredient_lots: u64,
    /// Cross-border orders.
    pub cross_border_orders: u64,
    /// Cans sold to consumers (a counterfeit's second sale not counted).
    pub cans_sold: u64,
    /// Parties in the world.
    pub parties: u64,
    /// Release test reports (one per finished lot).
    pub lab_reports: u64,
    /// Domestic plants' production runs with HACCP records.
    pub haccp_runs: u64,
    /// HACCP monitoring readings.
    pub haccp_readings: u64,
}

/// An ingredient lot later found contaminated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContaminatedIngredient {
    /// The ingredient lot (LGTIN URN).
    pub lot: String,
    /// Which ingredient.
    pub ingredient: String,
    /// The supplier's GLN.
    pub supplier_gln: String,
    /// The factory's party GLN.
    pub factory_gln: String,
    /// What the laboratory found.
    pub finding: String,
    /// The laboratory's finding event (its CBV 2.0 hash ID).
    pub finding_event_id: String,
    /// Every finished lot it went into, with the cans.
    pub reached: Vec<ReachedLot>,
}

/// A finished lot and its can serials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReachedLot {
    /// The finished lot (LGTIN URN).
    pub lot: String,
    /// The product's GTIN-14.
    pub gtin: String,
    /// The first can serial.
    pub serial_first: u64,
    /// The last can serial (inclusive).
    pub serial_last: u64,
    /// How many cans.
    pub cans: u64,
}

/// A raw-milk delivery over a limit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RawMilkOverLimit {
    /// The raw-milk lot (LGTIN URN).
    pub lot: String,
    /// The farm's GLN.
    pub farm_gln: String,
    /// Which parameter: `totalBacterialCountCfuPerMl` or `proteinGPer100g`.
    pub parameter: String,
    /// The value as written in the event.
    pub value: String,
    /// The limit, in words.
    pub limit: String,
    /// Where the limit comes from.
    pub source: String,
    /// The finished lot it went into.
    pub finished_lot: String,
}

/// A lot shipped before its release inspection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShippedBeforeRelease {
    /// The finished lot (LGTIN URN).
    pub lot: String,
    /// The early shipping event (its CBV 2.0 hash ID).
    pub shipping_event_id: String,
    /// When it shipped (Unix ms).
    pub shipped_ms: i64,
    /// When the lot was released (Unix ms).
    pub released_ms: i64,
}

/// A can serial sold twice, in two cities of different provinces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counterfeit {
    /// The SGTIN URN.
    pub epc: String,
    /// The GB/T 2260 code of the city of the genuine sale.
    pub first_city: String,
    /// The GB/T 2260 code of the city of the second sale.
    pub second_city: String,
    /// The second sale's event (its CBV 2.0 hash ID).
    pub second_sale_event_id: String,
}

/// A cross-border order missing one logistics step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrderGap {
    /// The order's business transaction ID.
    pub order: String,
    /// The bizStep that is missing.
    pub missing_step: String,
}

/// An imported product without a formula registration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnregisteredImport {
    /// Its GTIN-14.
    pub gtin: String,
    /// Its name.
    pub name: String,
    /// The overseas maker's GLN.
    pub maker_gln: String,
    /// The lots of it that were imported (LGTIN URNs).
    pub lots: Vec<String>,
}

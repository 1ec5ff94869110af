#![doc = include_str!("../README.md")]

pub mod capture;
pub mod data;
pub mod flow;
pub mod manifest;
pub mod master_data;
pub mod quality;
pub mod vocab;
pub mod world;

pub use capture::{CaptureSummary, PartyToken, ReleaseEvent, capture_world};
pub use flow::{Generator, Upload};
pub use manifest::Manifest;
pub use quality::Quality;
pub use world::World;

/// The named sizes of a world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// A few thousand cans, for unit tests.
    Tiny,
    /// About 100 thousand cans, for the demo.
    Small,
    /// About a million cans.
    Medium,
    /// About ten million cans.
    Large,
}

impl Scale {
    /// Reads `tiny`, `small`, `medium` or `large`.
    pub fn parse(text: &str) -> Option<Scale> {
        match text {
            "tiny" => Some(Scale::Tiny),
            "small" => Some(Scale::Small),
            "medium" => Some(Scale::Medium),
            "large" => Some(Scale::Large),
            _ => None,
        }
    }

    /// How many cans a world of this size makes.
    pub fn cans(self) -> u64 {
        match self {
            Scale::Tiny => 3_000,
            Scale::Small => 100_000,
            Scale::Medium => 1_000_000,
            Scale::Large => 10_000_000,
        }
    }
}

/// How often each kind of trouble is planted, in percent of its opportunities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Troubles {
    /// Of ingredient lots delivered: later found contaminated.
    pub contaminated_ingredient_percent: u64,
    /// Of raw-milk deliveries: over a GB 19301-2010 limit.
    pub raw_milk_over_limit_percent: u64,
    /// Of finished lots: the first pallet shipped before the release inspection.
    pub shipped_before_release_percent: u64,
    /// Of finished lots: one can's serial also sold in another province.
    pub counterfeit_percent: u64,
    /// Of cross-border orders: one logistics step missing.
    pub order_gap_percent: u64,
    /// Of imported formula series: no formula registration (at least one series when above
    /// zero).
    pub unregistered_import_percent: u64,
    /// Of finished lots: one release test result outside a binding limit (a low vitamin, a
    /// contaminant over its maximum, …), released all the same.
    pub lab_out_of_limit_percent: u64,
    /// Of finished lots: a result the standard requires left out of the release report.
    pub lab_missing_analyte_percent: u64,
    /// Of raw-milk deliveries: rejected by the manufacturer's own standard (not the national
    /// one) and used all the same.
    pub raw_milk_rejected_used_percent: u64,
    /// Of domestic plants' production runs (a plant's day): a critical control point out of
    /// its limits for a few readings, holding the run's lots (corrected half of the time).
    pub haccp_deviation_percent: u64,
}

impl Default for Troubles {
    /// Rates chosen so a small world has a handful of each (assumptions of the demo, not
    /// industry figures).
    fn default() -> Troubles {
        Troubles {
            contaminated_ingredient_percent: 2,
            raw_milk_over_limit_percent: 2,
            shipped_before_release_percent: 2,
            counterfeit_percent: 2,
            order_gap_percent: 1,
            unregistered_import_percent: 10,
            lab_out_of_limit_percent: 2,
            lab_missing_analyte_percent: 2,
            raw_milk_rejected_used_percent: 2,
            haccp_deviation_percent: 3,
        }
    }
}

impl Troubles {
    /// No trouble at all: a clean world, where every check must pass.
    pub fn none() -> Troubles {
        Troubles {
            contaminated_ingredient_percent: 0,
            raw_milk_over_limit_percent: 0,
            shipped_before_release_percent: 0,
            counterfeit_percent: 0,
            order_gap_percent: 0,
            unregistered_import_percent: 0,
            lab_out_of_limit_percent: 0,
            lab_missing_analyte_percent: 0,
            raw_milk_rejected_used_percent: 0,
            haccp_deviation_percent: 0,
        }
    }
}

/// Everything that decides a world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The seed.
    pub seed: u64,
    /// How many cans to make (rounded up to whole cases).
    pub cans: u64,
    /// The first production day, as Unix milliseconds (midnight, China time).
    pub start_ms: i64,
    /// Production days the lots are spread over.
    pub days: u32,
    /// Trouble rates.
    pub troubles: Troubles,
}

/// The default first production day: 2026-10-01T00:00:00+08:00.
pub const DEFAULT_START_MS: i64 = 1_790_784_000_000;
/// Production is spread over a month (an assumption of the simulation).
pub const DEFAULT_DAYS: u32 = 30;

impl Config {
    /// A configuration with the default start, period and trouble rates.
    pub fn new(seed: u64, cans: u64) -> Config {
        Config {
            seed,
            cans,
            start_ms: DEFAULT_START_MS,
            days: DEFAULT_DAYS,
            troubles: Troubles::default(),
        }
    }

    /// Builds the world this configuration describes.
    pub fn world(&self) -> World {
        World::build(
            self.seed,
            self.cans,
            self.troubles.unregistered_import_percent,
        )
    }
}

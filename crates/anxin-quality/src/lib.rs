#![doc = include_str!("../README.md")]

pub mod analyte;
pub mod enterprise;
pub mod finding;
pub mod haccp;
pub mod invariants;
pub mod judge;
pub mod label;
pub mod raw_milk;
pub mod results;
pub mod standard;
pub mod unit;

pub use enterprise::{EnterpriseStandard, Looseness, Refusal, review};
pub use judge::{
    Check, InputError, Judgment, Measurement, Outcome, Reading, Sample, Verdict, judge,
};
pub use standard::{
    Bound, Catalogue, Confidence, Coverage, Fact, ProductType, Source, Standard, StandardError,
};

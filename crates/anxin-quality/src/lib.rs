#![doc = include_str!("../README.md")]

pub mod analyte;
pub mod judge;
pub mod standard;
pub mod unit;

pub use judge::{Check, InputError, Judgment, Measurement, Outcome, Reading, Sample, Verdict, judge};
pub use standard::{Bound, Catalogue, Confidence, Coverage, Fact, ProductType, Source, Standard, StandardError};

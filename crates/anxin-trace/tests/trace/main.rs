//! The trace crate's one integration binary.

mod bad_input;
mod brute;
mod journey;
mod props;
mod recall;
mod rules;
mod support;

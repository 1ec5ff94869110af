//! The trace crate's one integration binary.

mod bad_input;
mod journey;
mod brute;
mod props;
mod recall;
mod rules;
mod support;

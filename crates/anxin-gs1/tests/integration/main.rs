//! The crate's one integration test binary: GS1's published examples, vectors from the EPCIS
//! event-hash reference implementation, and property tests of the round trips.

mod examples;
mod properties;
mod reference;
mod reference_vectors;
mod regressions;

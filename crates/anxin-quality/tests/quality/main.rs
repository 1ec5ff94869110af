//! The quality engine's integration tests: table-driven judgments drawn from the standards'
//! own tables, enterprise standards, raw-milk acceptance, HACCP and labels.

mod enterprise;
mod haccp;
mod invariants;
mod judgment;
mod labels;
mod raw_milk;
mod support;

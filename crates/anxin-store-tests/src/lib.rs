//! One conformance story for Anxin's store, told against any backend: accounts and tokens,
//! capture under rollback and proceed with de-duplication, the query language with pages,
//! access by party and by jurisdiction, the regulators' access log, named queries, master
//! data and interrupted jobs.
//!
//! The story takes a `&dyn Store`, so both backends hear exactly the same thing; the
//! integration tests in `tests/` open the backends. Nothing here knows SQL.

pub mod backends;
pub mod examples;
pub mod fixtures;
pub mod lab;
pub mod ledger;
pub mod master_data;
pub mod quality;
pub mod recall;
pub mod story;

pub use story::run_story;

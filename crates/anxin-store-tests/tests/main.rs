//! The store's integration tests: the story on each backend, migrations, and capture that
//! survives SIGKILL.

mod examples;
mod ledger;
mod migrations;
mod postgres;
mod quality;
mod recall;
mod sigkill;
mod sqlite;

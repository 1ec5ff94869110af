//! HTTP tests of the EPCIS REST binding, driven through `router()` with `oneshot` (and one
//! end-to-end run on a real socket).

mod auth;
mod browse;
mod capture;
mod findings;
mod helpers;
mod lab;
mod labels;
mod ledger;
mod master_data;
mod pages;
mod quality;
mod queries;
mod query;
mod serve;
mod startup;
mod subscriptions;
mod trace;

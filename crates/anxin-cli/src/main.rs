//! `anxin`: the one command-line program of the Anxin platform.
//!
//! Each subcommand lives in its own module; this file only parses arguments and maps
//! outcomes to exit codes. Errors go to standard error as readable sentences; results go
//! to standard output so they can be piped.

/// The memory allocator: mimalloc. The server's pages allocate and free many short strings
/// from two worker threads at once; under the passport benchmark glibc's allocator took a
/// fifth of the server's time (`_int_malloc`, `malloc_consolidate` and its arena lock), and
/// mimalloc's per-thread heaps do not contend (see ARCHITECTURE.md, "The passport under
/// load").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod account;
mod capture;
mod db;
mod demo;
mod epcis;
mod gs1;
mod lab;
mod ledger;
mod quality;
mod serve;
mod sim;
mod trace;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, documented in `anxin --help` and README.md.
pub mod exit {
    /// Everything was valid and every job succeeded.
    pub const OK: u8 = 0;
    /// The input was read but is not valid (validation problems, unparsable codes).
    pub const INVALID: u8 = 1;
    /// The command line itself was wrong (clap's own code).
    pub const USAGE: u8 = 2;
    /// A file could not be read or written.
    pub const IO: u8 = 3;
}

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  everything was valid and the job succeeded
  1  the input was read but is not valid (each problem is printed with its place)
  2  the command line was wrong
  3  a file could not be read or written";

/// Anxin (安心): the national infant-formula traceability and quality platform.
#[derive(Parser)]
#[command(name = "anxin", version, about, after_help = EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Work with EPCIS 2.0 documents: validate, convert, hash.
    #[command(subcommand)]
    Epcis(epcis::EpcisCommand),
    /// Work with GS1 codes: parse any form into every form.
    #[command(subcommand)]
    Gs1(gs1::Gs1Command),
    /// Apply the store's pending migrations (they also run whenever a store is opened).
    Migrate(db::DbArgs),
    /// Capture EPCIS documents into the store, one job per file.
    Capture(capture::CaptureArgs),
    /// Create, revoke and list accounts and their API tokens.
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// Make a demo world in a data folder (or reuse it), serve it and print a guide.
    Demo(demo::DemoArgs),
    /// Serve the EPCIS 2.0 REST binding over HTTP until Ctrl-C.
    Serve(serve::ServeArgs),
    /// The tamper-evident ledger: verify it, print an event's proof or the signed tree head.
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// Trace a lot, serial, case or pallet backward to its sources or forward to every can.
    Trace(trace::TraceArgs),
    /// Recall lots or serials (or a farm's deliveries): affected items by holder and channel.
    Recall(trace::RecallArgs),
    /// Judge lab results against the standards, review enterprise standards.
    #[command(subcommand)]
    Quality(quality::QualityCommand),
    /// Lab results, a lot's judgment and batch release (批批检验).
    #[command(subcommand)]
    Lab(lab::LabCommand),
    /// Check labels and advertisements.
    #[command(subcommand)]
    Check(quality::CheckCommand),
    /// Make a seeded infant-formula supply chain: capture it into a store or write it out.
    Sim(sim::SimArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Epcis(command) => epcis::run(command),
        Command::Gs1(command) => gs1::run(command),
        Command::Migrate(args) => {
            db::runtime().and_then(|runtime| runtime.block_on(db::migrate(args)))
        }
        Command::Capture(args) => capture::run(args),
        Command::Account(command) => account::run(command),
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Ledger(command) => ledger::run(command),
        Command::Trace(args) => trace::run_trace(args),
        Command::Recall(args) => trace::run_recall(args),
        Command::Quality(command) => quality::run(command),
        Command::Check(command) => quality::run_check(command),
        Command::Lab(command) => lab::run(command),
        Command::Sim(args) => sim::run(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit::IO)
        }
    }
}

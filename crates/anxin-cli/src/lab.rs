//! `anxin lab submit|judge|release`: lab results, a lot's judgment and batch release from the
//! command line, with the same code and access rule as `/api/v1/lab-results` and
//! `/api/v1/lots/{lot}/…` (`anxin_server::lab`). `submit` and `release` act as the account of
//! `--token` (or `$ANXIN_TOKEN`), because the store keeps who submitted and who released;
//! `judge` without a token acts as the operator, who holds the database.

use std::io::Write;
use std::path::PathBuf;

use anxin_server::lab::{self as domain, Submitted};
use anxin_store::{Account, Role, Store, Viewer};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use comfy_table::Table;

use crate::db::{DbArgs, DbUrl, open, runtime};

/// How an answer is printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum LabFormat {
    /// A table for people.
    Table,
    /// JSON (the API's shape).
    Json,
}

/// `anxin lab …`.
#[derive(Subcommand)]
pub enum LabCommand {
    /// Store a lot's lab results from a CSV file (`analyte,value,unit[,sample_unit]` and any of
    /// `lot`, `sample_id`, `method`, `laboratory`, `analyst`, `tested_at`, `supersedes` as
    /// columns or options); every broken row is listed and nothing is stored.
    Submit(SubmitArgs),
    /// Judge a lot's current results against the standards in force on its production date
    /// and its committed enterprise standard.
    Judge(LotArgs),
    /// Release a lot on a complete, conformant judgment (captured as an `inspecting` event).
    Release(LotArgs),
}

/// `anxin lab submit` arguments.
#[derive(Args)]
pub struct SubmitArgs {
    /// The results file.
    file: PathBuf,
    /// The lot, for rows that do not name one (any GS1 form).
    #[arg(long)]
    lot: Option<String>,
    /// The laboratory's sample number.
    #[arg(long)]
    sample_id: Option<String>,
    /// The method.
    #[arg(long)]
    method: Option<String>,
    /// The laboratory.
    #[arg(long)]
    laboratory: Option<String>,
    /// The analyst.
    #[arg(long)]
    analyst: Option<String>,
    /// When the sample was tested (RFC 3339).
    #[arg(long)]
    tested_at: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: LabFormat,
    /// Act as this account (default: $ANXIN_TOKEN).
    #[arg(long, env = "ANXIN_TOKEN", hide_env_values = true)]
    token: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// `anxin lab judge|release` arguments.
#[derive(Args)]
pub struct LotArgs {
    /// The lot, in any GS1 form (`urn:epc:class:lgtin:…`, a Digital Link, `(01)…(10)…`).
    lot: String,
    #[arg(long, value_enum, default_value = "table")]
    format: LabFormat,
    /// Act as this account (default: $ANXIN_TOKEN; `judge` without either acts as the operator).
    #[arg(long, env = "ANXIN_TOKEN", hide_env_values = true)]
    token: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// Runs `anxin lab …`.
pub fn run(command: LabCommand) -> Result<u8> {
    match command {
        LabCommand::Submit(args) => submit(args),
        LabCommand::Judge(args) => judge(args),
        LabCommand::Release(args) => release(args),
    }
}

fn operator() -> Viewer {
    Viewer::new(Account {
        account_id: 0,
        name: "operator (command line)".to_owned(),
        role: Role::Admin,
        party: None,
        region: None,
        created_ms: 0,
        revoked_ms: None,
    })
}

async fn viewer(store: &dyn Store, token: Option<&str>, needed: &str) -> Result<Option<Viewer>> {
    match token.map(str::trim).filter(|token| !token.is_empty()) {
        Some(token) => Ok(Some(
            store
                .authenticate(token)
                .await
                .context("the token was not accepted")?,
        )),
        None if needed.is_empty() => Ok(Some(operator())),
        None => {
            eprintln!("error: {needed}; give --token or set ANXIN_TOKEN");
            Ok(None)
        }
    }
}

fn problem(error: &anxin_server::AppError) -> u8 {
    eprintln!(
        "{} {}: {}",
        error.status.as_u16(),
        error.exception.name(),
        error.detail
    );
    crate::exit::INVALID
}

fn submit(args: SubmitArgs) -> Result<u8> {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: cannot read {}: {err}", args.file.display());
            return Ok(crate::exit::IO);
        }
    };
    runtime()?.block_on(async move {
        let store = open(&DbUrl::from_args(&args.db)?).await?;
        let Some(viewer) = viewer(
            &*store,
            args.token.as_deref(),
            "results are stored as an account's",
        )
        .await?
        else {
            return Ok(crate::exit::USAGE);
        };
        let defaults = |name: &str| match name {
            "lot" => args.lot.clone(),
            "sample_id" => args.sample_id.clone(),
            "method" => args.method.clone(),
            "laboratory" => args.laboratory.clone(),
            "analyst" => args.analyst.clone(),
            "tested_at" => args.tested_at.clone(),
            _ => None,
        };
        let (rows, errors) = anxin_server::api::lab::rows_from_csv(&text, &defaults);
        let errors = if errors.is_empty() {
            errors
        } else {
            anxin_store::lab::merge_errors(errors, anxin_store::lab::prepare_results(&rows).1)
        };
        let outcome = if errors.is_empty() {
            domain::submit(&*store, &viewer, &rows).await
        } else {
            Err(Submitted::Refused(errors))
        };
        match outcome {
            Ok(stored) => {
                let text = match args.format {
                    LabFormat::Json => serde_json::to_string_pretty(&stored)? + "\n",
                    LabFormat::Table => {
                        let mut table = Table::new();
                        table.set_header(["result", "analyte", "value", "unit", "supersedes"]);
                        for r in &stored {
                            table.add_row([
                                r.result_id.to_string(),
                                r.analyte.clone(),
                                r.value.clone(),
                                r.unit.clone(),
                                r.supersedes.map(|n| n.to_string()).unwrap_or_default(),
                            ]);
                        }
                        format!("{table}\n{} result(s) stored\n", stored.len())
                    }
                };
                std::io::stdout().write_all(text.as_bytes())?;
                Ok(crate::exit::OK)
            }
            Err(Submitted::Refused(errors)) => {
                eprintln!("{}: nothing was stored:", args.file.display());
                for error in &errors {
                    eprintln!("  line {} `{}`: {}", error.line, error.field, error.message);
                }
                Ok(crate::exit::INVALID)
            }
            Err(Submitted::Error(error)) => Ok(problem(&error)),
        }
    })
}

fn checks_table(checks: &serde_json::Value) -> String {
    let mut table = Table::new();
    table.set_header(["outcome", "subject", "rule", "value", "source"]);
    for c in checks.as_array().into_iter().flatten() {
        let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
        table.add_row([
            text(&c["outcome"]),
            text(&c["subject"]),
            text(&c["rule"]),
            text(&c["value"]),
            format!(
                "{} {}",
                text(&c["source"]["standard"]),
                text(&c["source"]["clause"])
            ),
        ]);
    }
    table.to_string()
}

fn judge(args: LotArgs) -> Result<u8> {
    runtime()?.block_on(async move {
        let store = open(&DbUrl::from_args(&args.db)?).await?;
        let Some(viewer) = viewer(&*store, args.token.as_deref(), "").await? else {
            return Ok(crate::exit::USAGE);
        };
        let judged = async {
            let lot = domain::lot_of(&args.lot)?;
            let origin = domain::origin(&*store, &lot).await?;
            domain::require(&viewer, &origin, false)?;
            domain::judge_lot(&*store, &origin).await
        }
        .await;
        let judged = match judged {
            Ok(judged) => judged,
            Err(error) => return Ok(problem(&error)),
        };
        let text = match args.format {
            LabFormat::Json => serde_json::to_string_pretty(&judged)? + "\n",
            LabFormat::Table => format!(
                "lot: {}\nverdict: {}\nproduced: {}\nstandards: {}\n{}\n",
                judged.facts.lot,
                judged.verdict,
                judged.facts.produced,
                judged.standards.join(", "),
                checks_table(&judged.checks)
            ),
        };
        std::io::stdout().write_all(text.as_bytes())?;
        Ok(if judged.verdict == anxin_quality::Verdict::Conformant {
            crate::exit::OK
        } else {
            crate::exit::INVALID
        })
    })
}

fn release(args: LotArgs) -> Result<u8> {
    runtime()?.block_on(async move {
        let store = open(&DbUrl::from_args(&args.db)?).await?;
        let Some(viewer) = viewer(
            &*store,
            args.token.as_deref(),
            "a release is recorded as its maker's",
        )
        .await?
        else {
            return Ok(crate::exit::USAGE);
        };
        match domain::release(&*store, &viewer, &args.lot).await {
            Ok(released) => {
                let text = match args.format {
                    LabFormat::Json => serde_json::to_string_pretty(&released)? + "\n",
                    LabFormat::Table => format!(
                        "released: {}\nverdict: {}\ninspecting event: {}\ncertificate: {}\n",
                        released.lot,
                        released.verdict,
                        released.event_id,
                        released.certificate.clone().unwrap_or_default()
                    ),
                };
                std::io::stdout().write_all(text.as_bytes())?;
                Ok(crate::exit::OK)
            }
            Err((error, failed)) => {
                if let Some(failed) = failed {
                    eprintln!("inspecting event recorded: {}", failed.event_id);
                }
                Ok(problem(&error))
            }
        }
    })
}

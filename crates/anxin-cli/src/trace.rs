//! `anxin trace ID` and `anxin recall ID…`: the trace graph from the command line.
//!
//! The graph is built once from the store (every ledger leaf, in order), then the question is
//! answered with `anxin_server::trace`, the same code and access rule as `/api/v1/trace` and
//! `/api/v1/recalls`. With `--token` (or `$ANXIN_TOKEN`) the command acts as that account;
//! without one it acts as the operator, who holds the database and so sees everything.
//! `anxin recall --record` stores the recall and captures its EPCIS events, and needs a
//! token, so that the record names who opened it.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anxin_server::trace::{
    self, Direction, RecallRequest, TraceAnswer, TraceFailure, Tracer, open_recall,
};
use anxin_store::{Account, Role, Store, Viewer};
use anyhow::{Context, Result, anyhow};
use clap::{Args, ValueEnum};
use comfy_table::Table;

use crate::db::{DbArgs, DbUrl, open, runtime};

/// How a trace is printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum TraceFormat {
    /// A table for people.
    Table,
    /// JSON (the API's shape).
    Json,
    /// CSV with a header row (one row per link or item).
    Csv,
}

/// `anxin trace` arguments.
#[derive(Args)]
pub struct TraceArgs {
    /// A lot, serial, case or pallet, in any identifier form.
    id: String,
    /// To everything made from it and where it is now.
    #[arg(long, conflicts_with = "backward")]
    forward: bool,
    /// To its inputs and sources (the default).
    #[arg(long)]
    backward: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: TraceFormat,
    /// Act as this account (default: $ANXIN_TOKEN; without either, as the operator).
    #[arg(long, env = "ANXIN_TOKEN", hide_env_values = true)]
    token: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// How a recall is printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum RecallFormat {
    /// A table for people.
    Table,
    /// JSON (the record, the summary and the full report).
    Json,
    /// CSV of the affected items.
    Csv,
    /// The FSMA-204-style tracking-event sheet, as CSV.
    Sheet,
    /// A sortable spreadsheet (XLSX; needs --out).
    Xlsx,
}

/// `anxin recall` arguments.
#[derive(Args)]
pub struct RecallArgs {
    /// Lots, serials, cases or pallets to recall, in any identifier form.
    ids: Vec<String>,
    /// 1 (一级), 2 (二级) or 3 (三级).
    #[arg(long, default_value = "1")]
    level: String,
    /// Why (required with --record).
    #[arg(long, default_value = "")]
    reason: String,
    /// Recall a farm's deliveries instead (its GLN, SGLN or PGLN), with --from and --to.
    #[arg(long, requires_all = ["from", "to"], conflicts_with = "ids")]
    farm: Option<String>,
    /// Start: YYYY-MM-DD (China time) or RFC 3339.
    #[arg(long)]
    from: Option<String>,
    /// End: YYYY-MM-DD (the whole day, China time) or RFC 3339.
    #[arg(long)]
    to: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: RecallFormat,
    /// Write the output to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Store the recall and capture its EPCIS events (needs a token).
    #[arg(long)]
    record: bool,
    /// Act as this account (default: $ANXIN_TOKEN; without either, as the operator).
    #[arg(long, env = "ANXIN_TOKEN", hide_env_values = true)]
    token: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// The operator: whoever runs the command on the database itself.
pub(crate) fn operator() -> Viewer {
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

async fn viewer(store: &dyn Store, token: Option<&str>) -> Result<Viewer> {
    match token.map(str::trim).filter(|token| !token.is_empty()) {
        Some(token) => store
            .authenticate(token)
            .await
            .context("the token was not accepted"),
        None => Ok(operator()),
    }
}

/// Prints a failure and gives the exit code: 1 for input that cannot be answered (bad,
/// forbidden, unknown), an error for the store's failures.
fn failed(failure: TraceFailure) -> Result<u8> {
    match failure {
        TraceFailure::Store(error) => Err(anyhow!(error)),
        TraceFailure::Forbidden(detail) => {
            eprintln!("forbidden: {detail}");
            Ok(crate::exit::INVALID)
        }
        other => {
            eprintln!("error: {other}");
            Ok(crate::exit::INVALID)
        }
    }
}

async fn build(store: Arc<dyn Store>) -> Result<Tracer> {
    let tracer = Tracer::open(store)
        .await
        .context("failed to build the trace graph from the store")?;
    {
        let followed = tracer.read().await?;
        for skipped in followed.skipped() {
            eprintln!("warning: {skipped}");
        }
    }
    Ok(tracer)
}

/// Runs `anxin trace`.
pub fn run_trace(args: TraceArgs) -> Result<u8> {
    runtime()?.block_on(async move {
        let store = open(&DbUrl::from_args(&args.db)?).await?;
        let viewer = viewer(&*store, args.token.as_deref()).await?;
        let tracer = build(store).await?;
        let direction = if args.forward {
            Direction::Forward
        } else {
            Direction::Backward
        };
        let answer = match trace::trace(
            &tracer,
            &viewer,
            &args.id,
            direction,
            anxin_store::now_ms(),
        )
        .await
        {
            Ok(answer) => answer,
            Err(failure) => return failed(failure),
        };
        let text = match args.format {
            TraceFormat::Json => serde_json::to_string_pretty(&answer)? + "\n",
            TraceFormat::Table => trace_table(&answer),
            TraceFormat::Csv => trace_csv(&answer)?,
        };
        std::io::stdout().write_all(text.as_bytes())?;
        Ok(crate::exit::OK)
    })
}

fn trace_table(answer: &TraceAnswer) -> String {
    let mut table = Table::new();
    match answer {
        TraceAnswer::Backward(trace) => {
            table.set_header([
                "upstream",
                "relation",
                "downstream",
                "event",
                "step",
                "quantity",
            ]);
            for link in &trace.links {
                table.add_row([
                    link.upstream.clone(),
                    format!("{:?}", link.relation).to_lowercase(),
                    link.downstream.clone(),
                    link.event.event_seq.to_string(),
                    link.event.biz_step.clone().unwrap_or_default(),
                    link.quantity.map_or_else(String::new, |q| {
                        format!("{q} {}", link.uom.clone().unwrap_or_default())
                    }),
                ]);
            }
            let sources: Vec<&str> = trace.sources.iter().map(|s| s.id.as_str()).collect();
            format!(
                "backward from {}: {} links, sources: {}\n{table}\n",
                trace.root,
                trace.links.len(),
                if sources.is_empty() {
                    "none".to_owned()
                } else {
                    sources.join(", ")
                }
            )
        }
        TraceAnswer::Forward(trace) => {
            table.set_header(["kind", "id", "lot", "holder", "location", "disposition"]);
            for (kind, items) in [
                ("pallet", &trace.pallets),
                ("case", &trace.cases),
                ("can", &trace.cans),
            ] {
                for item in items {
                    table.add_row([
                        kind.to_owned(),
                        item.id.clone(),
                        item.lot.clone().unwrap_or_default(),
                        item.holder.clone().unwrap_or_default(),
                        item.location.clone().unwrap_or_default(),
                        item.disposition.clone().unwrap_or_default(),
                    ]);
                }
            }
            format!(
                "forward from {}: {} lots, {} pallets, {} cases, {} cans\n{table}\n",
                trace.roots.join(", "),
                trace.lots.len(),
                trace.pallets.len(),
                trace.cases.len(),
                trace.cans.len()
            )
        }
    }
}

fn trace_csv(answer: &TraceAnswer) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    match answer {
        TraceAnswer::Backward(trace) => {
            writer.write_record([
                "upstream",
                "relation",
                "downstream",
                "event_seq",
                "hash_id",
                "biz_step",
                "quantity",
                "uom",
            ])?;
            for link in &trace.links {
                writer.write_record([
                    link.upstream.as_str(),
                    &format!("{:?}", link.relation).to_lowercase(),
                    &link.downstream,
                    &link.event.event_seq.to_string(),
                    &link.event.hash_id,
                    link.event.biz_step.as_deref().unwrap_or(""),
                    &link.quantity.map_or_else(String::new, |q| q.to_string()),
                    link.uom.as_deref().unwrap_or(""),
                ])?;
            }
        }
        TraceAnswer::Forward(trace) => {
            writer.write_record(["kind", "id", "lot", "holder", "location", "disposition"])?;
            for lot in &trace.lots {
                writer.write_record(["lot", lot.as_str(), lot, "", "", ""])?;
            }
            for (kind, items) in [
                ("pallet", &trace.pallets),
                ("case", &trace.cases),
                ("can", &trace.cans),
            ] {
                for item in items {
                    writer.write_record([
                        kind,
                        &item.id,
                        item.lot.as_deref().unwrap_or(""),
                        item.holder.as_deref().unwrap_or(""),
                        item.location.as_deref().unwrap_or(""),
                        item.disposition.as_deref().unwrap_or(""),
                    ])?;
                }
            }
        }
    }
    Ok(String::from_utf8(
        writer
            .into_inner()
            .map_err(|err| anyhow!(err.to_string()))?,
    )?)
}

/// Runs `anxin recall`.
pub fn run_recall(args: RecallArgs) -> Result<u8> {
    if args.format == RecallFormat::Xlsx && args.out.is_none() {
        eprintln!("error: --format xlsx writes a workbook; name the file with --out FILE");
        return Ok(crate::exit::USAGE);
    }
    runtime()?.block_on(async move {
        let store = open(&DbUrl::from_args(&args.db)?).await?;
        if args.record && args.token.as_deref().is_none_or(|t| t.trim().is_empty()) {
            eprintln!(
                "error: --record stores the recall as an account's; give --token or set ANXIN_TOKEN"
            );
            return Ok(crate::exit::USAGE);
        }
        let viewer = viewer(&*store, args.token.as_deref()).await?;
        let tracer = build(store).await?;
        let request = RecallRequest {
            ids: args.ids.clone(),
            farm: args.farm.clone(),
            from: args.from.clone(),
            to: args.to.clone(),
            level: Some(serde_json::Value::String(args.level.clone())),
            reason: args.reason.clone(),
        };
        let opened = match open_recall(
            &tracer,
            &viewer,
            &request,
            args.record,
            anxin_store::now_ms(),
        )
        .await
        {
            Ok(opened) => opened,
            Err(failure) => return failed(failure),
        };
        let bytes = match args.format {
            RecallFormat::Table => {
                let level = opened.record.level.label();
                let start = anxin_trace::render::rfc3339(opened.record.start_deadline_ms);
                let finish = &opened.record.finish_deadline_date;
                let mut text = if opened.job_id.is_some() {
                    format!(
                        "recall {} ({level}), start before {start}, finish by {finish} (China time)\n",
                        opened.record.recall_id
                    )
                } else {
                    format!(
                        "recall preview, not recorded (--record stores it): a {level} recall opened now \
                         would start before {start} and finish by {finish} (China time)\n"
                    )
                };
                if let Some(job) = &opened.job_id {
                    text.push_str(&format!(
                        "recorded; {} EPCIS events captured (job {job})\n",
                        opened.events_captured
                    ));
                }
                text.push_str(&anxin_trace::render::report_table(&opened.report));
                text.into_bytes()
            }
            RecallFormat::Json => {
                let mut text = serde_json::to_string_pretty(&serde_json::json!({
                    "recall": &opened,
                    "report": &opened.report,
                }))?;
                text.push('\n');
                text.into_bytes()
            }
            RecallFormat::Csv => anxin_trace::render::items_csv(&opened.report)?.into_bytes(),
            RecallFormat::Sheet => {
                anxin_trace::render::tracking_sheet_csv(&opened.tracking)?.into_bytes()
            }
            RecallFormat::Xlsx => {
                match anxin_trace::render::recall_workbook(&opened.report, &opened.tracking) {
                    Ok(bytes) => bytes,
                    Err(err) => {
                        eprintln!("error: {err}");
                        return Ok(crate::exit::INVALID);
                    }
                }
            }
        };
        match &args.out {
            Some(path) => {
                if let Err(err) = std::fs::write(path, &bytes) {
                    eprintln!("error: {}: {err}", path.display());
                    return Ok(crate::exit::IO);
                }
            }
            None => std::io::stdout().write_all(&bytes)?,
        }
        Ok(crate::exit::OK)
    })
}

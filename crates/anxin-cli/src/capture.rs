//! `anxin capture FILE…`: read EPCIS documents and store them, one capture job per file,
//! with a progress bar on a terminal.
//!
//! Each file is read whole (JSON-LD or XML, recognised from its first bytes), every event is
//! validated, and the document goes to the store under `GS1-Capture-Error-Behaviour`
//! semantics: `rollback` (the default) stores the file whole or not at all, `proceed` stores
//! the valid events and lists the others. A job is reported succeeded only after the store
//! has committed it. The command acts as the account whose token it is given.

use std::fs::File;
use std::io::{BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anxin_epcis::{Format, Limits};
use anxin_store::{CaptureInput, CaptureJob, ErrorBehaviour, JobState, Store, Viewer};
use anyhow::{Context, Result, anyhow};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::db::{DbArgs, DbUrl, open, runtime};

/// `anxin capture` arguments.
#[derive(Args)]
pub struct CaptureArgs {
    /// The documents to capture (JSON-LD or XML).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The capturing account's token (default: $ANXIN_TOKEN).
    #[arg(long, env = "ANXIN_TOKEN", hide_env_values = true)]
    token: String,
    /// rollback (store each file whole or not at all) or proceed (store the valid events).
    #[arg(long, default_value = "rollback")]
    error_behaviour: String,
    #[command(flatten)]
    db: DbArgs,
}

/// Runs `anxin capture`.
pub fn run(args: CaptureArgs) -> Result<u8> {
    let behaviour = ErrorBehaviour::parse(&args.error_behaviour)
        .ok_or_else(|| anyhow!("--error-behaviour must be rollback or proceed"))?;
    runtime()?.block_on(async move {
        let store = open(&DbUrl::from_args(&args.db)?).await?;
        let viewer = store
            .authenticate(&args.token)
            .await
            .context("the token was not accepted")?;
        let mut all_good = true;
        for file in &args.files {
            let job = capture_file(store.as_ref(), &viewer, behaviour, file).await?;
            all_good &= job.state == JobState::Succeeded && job.n_rejected == 0;
            report(file, &job);
        }
        Ok(if all_good {
            crate::exit::OK
        } else {
            crate::exit::INVALID
        })
    })
}

async fn capture_file(
    store: &dyn Store,
    viewer: &Viewer,
    behaviour: ErrorBehaviour,
    file: &Path,
) -> Result<CaptureJob> {
    // The job exists before the document is read, as it does for a document sent over
    // HTTP: a process stopped while reading leaves a job that is failed on the next start.
    let job = store
        .start_job(viewer, behaviour, &file.display().to_string())
        .await
        .context("failed to start a job")?;
    let input = match read_file(file) {
        Ok(input) => input,
        Err(error) => {
            return store
                .fail_job(viewer, &job.job_id, format!("{error:#}"))
                .await
                .context("failed to end the job");
        }
    };
    let bar = progress_bar(input.events.len() as u64, file);
    let shown = bar.clone();
    let input = CaptureInput {
        progress: Some(Arc::new(move |n_done| shown.set_position(n_done))),
        ..input
    };
    let job = store.capture(viewer, &job.job_id, input).await;
    bar.finish_and_clear();
    job.with_context(|| format!("failed to capture {}", file.display()))
}

/// Reads and validates a document; unreadable and invalid events become problems.
fn read_file(file: &Path) -> Result<CaptureInput> {
    let mut start = [0u8; 64];
    let n_read = std::io::Read::read(
        &mut File::open(file).with_context(|| format!("cannot open {}", file.display()))?,
        &mut start,
    )?;
    let format = Format::sniff(&start[..n_read])
        .ok_or_else(|| anyhow!("{} is neither JSON-LD nor XML", file.display()))?;
    let reader = BufReader::new(File::open(file)?);
    let read = anxin_epcis::read_document(reader, format, &Limits::default())
        .map_err(|err| anyhow!("{}: {err}", file.display()))?;
    Ok(CaptureInput::from_read(read))
}

fn progress_bar(n_events: u64, file: &Path) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(n_events), target);
    let style =
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} events ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(file.display().to_string());
    bar
}

fn report(file: &Path, job: &CaptureJob) {
    println!(
        "{}: job {} {}: {} stored, {} already stored, {} rejected",
        file.display(),
        job.job_id,
        job.state.name(),
        job.n_stored,
        job.n_duplicates,
        job.n_rejected
    );
    for error in &job.errors {
        println!("  {error}");
    }
}

//! Capture jobs: what a capture was asked to do and how it ended.
//!
//! A job is written (state `running`) before its document is read into the store, and it is
//! marked `succeeded` in the same transaction that stores the document's events, so a job
//! that says it succeeded always has all its events, and a process killed half-way leaves a
//! `running` job with none of them, which [`crate::JobStore::finish_interrupted_jobs`]
//! marks failed on the next start. This module holds the types and the checks that happen
//! before any row is written; it does not write.

use std::sync::Arc;

use anxin_epcis::{Event, Header};

/// What to do when some events of a document are wrong (`GS1-Capture-Error-Behaviour`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum ErrorBehaviour {
    /// Store the whole document or nothing of it (the default).
    #[default]
    Rollback,
    /// Store the events that are right and report the others.
    Proceed,
}

impl ErrorBehaviour {
    /// The header value (`rollback`, `proceed`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorBehaviour::Rollback => "rollback",
            ErrorBehaviour::Proceed => "proceed",
        }
    }

    /// Reads the header value, ignoring case.
    pub fn parse(text: &str) -> Option<ErrorBehaviour> {
        match text.trim().to_ascii_lowercase().as_str() {
            "rollback" => Some(ErrorBehaviour::Rollback),
            "proceed" => Some(ErrorBehaviour::Proceed),
            _ => None,
        }
    }
}

/// Where a job is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum JobState {
    /// Accepted; the document is being stored.
    Running,
    /// The document's events are stored (and committed).
    Succeeded,
    /// Nothing of the document is stored (rollback), or the job was interrupted.
    Failed,
}

impl JobState {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<JobState> {
        match text {
            "running" => Some(JobState::Running),
            "succeeded" => Some(JobState::Succeeded),
            "failed" => Some(JobState::Failed),
            _ => None,
        }
    }
}

/// A capture job as the client sees it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CaptureJob {
    /// The job's identifier (32 hex digits).
    pub job_id: String,
    /// The capturing account.
    pub account_id: i64,
    /// Where it is.
    pub state: JobState,
    /// Rollback or proceed.
    pub error_behaviour: ErrorBehaviour,
    /// Where the document came from (a file name, `http`).
    pub source: String,
    /// When the job was created (Unix ms).
    pub created_ms: i64,
    /// When it finished.
    pub finished_ms: Option<i64>,
    /// Events in the document.
    pub n_events: u64,
    /// Events newly stored.
    pub n_stored: u64,
    /// Events already in the store (same hash ID), stored once.
    pub n_duplicates: u64,
    /// Events refused (proceed) or not stored because others were wrong (rollback).
    pub n_rejected: u64,
    /// What was wrong, one sentence each, with its place.
    pub errors: Vec<String>,
}

/// Called with the number of events handled so far (for progress bars).
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// A document to capture, already read.
#[derive(Clone)]
pub struct CaptureInput {
    /// The header (master data, namespaces).
    pub header: Header,
    /// The events that could be read.
    pub events: Vec<Event>,
    /// Problems with events that could not be read or failed validation, one sentence each
    /// with its place. The caller reads and validates; the store decides what to keep.
    pub problems: Vec<String>,
    /// Told how far the store got.
    pub progress: Option<Progress>,
}

impl CaptureInput {
    /// Turns a document as a reader left it into what capture takes: events that could not
    /// be read, or that break a rule of EPCIS 2.0 / CBV 2.0 (`validate::check_event`), become
    /// problems with their place, and the error behaviour then decides what is kept.
    pub fn from_read(read: anxin_epcis::ReadDocument) -> CaptureInput {
        let mut problems: Vec<String> = read.problems.iter().map(ToString::to_string).collect();
        let mut events = Vec::with_capacity(read.document.events.len());
        for (event, origin) in read.document.events.into_iter().zip(&read.origins) {
            let found = anxin_epcis::validate::check_event(&event);
            if found.is_empty() {
                events.push(event);
            } else {
                problems.extend(
                    found
                        .into_iter()
                        .map(|problem| origin.place_problem(problem).to_string()),
                );
            }
        }
        CaptureInput {
            header: read.document.header,
            events,
            problems,
            progress: None,
        }
    }

    /// A document with no problems found by the reader.
    pub fn new(header: Header, events: Vec<Event>) -> CaptureInput {
        CaptureInput {
            header,
            events,
            problems: Vec::new(),
            progress: None,
        }
    }
}

/// A new random job identifier.
pub fn new_job_id() -> Result<String, crate::StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|err| crate::StoreError::internal(format!("no randomness for a job id: {err}")))?;
    Ok(hex::encode(bytes))
}

/// The reason written on jobs found running at start-up.
pub const INTERRUPTED: &str = "interrupted: the store stopped before the document was committed; nothing of it is stored, send it again";

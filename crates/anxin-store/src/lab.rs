//! Lab results, committed enterprise standards and batch releases (issue 7), as the backends
//! keep them.
//!
//! Every table here is append-only. A lab result is never edited: a retest is a new result
//! whose `supersedes` names the one it replaces, and the old one is read back marked
//! `superseded_by`. An enterprise standard committed again for the same product is a new row;
//! the newest applies. A release is a row written in the same transaction as its EPCIS
//! `inspecting` event ([`LabStore::capture_release`]; the event is the public fact, the row
//! keeps the judgment it rested on).
//!
//! [`prepare_results`] is the shared front door: every backend calls it before writing, so
//! an unknown analyte or unit, a negative or impossible value, an empty field or a bad subject
//! is refused with its row and field, whatever the path (JSON, CSV, the command line), and
//! nothing of the batch is stored.

use serde::Serialize;

use crate::{CaptureInput, CaptureJob, StoreFuture, Viewer};

/// Results per submission at most: one CSV file or JSON body. An assumption that catches a
/// wrong file (a lot's report has tens of rows), the same figure as `anxin_quality::results`.
pub const RESULTS_PER_SUBMISSION_MAX: usize = anxin_quality::results::ROWS_MAX;

/// Longest free-text field (method, laboratory, analyst, sample ID, task ID), in bytes; an
/// assumption of ours, far above any real name or method reference.
pub const TEXT_FIELD_MAX: usize = 200;

/// What a sample was taken from.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleOf {
    /// A finished lot (LGTIN).
    Lot,
    /// A raw-milk delivery (the tanker lot's LGTIN).
    RawMilkDelivery,
    /// A regulator's sampling task (抽检任务), by its ID.
    SamplingTask,
}

impl SampleOf {
    /// The stored word.
    pub fn name(self) -> &'static str {
        match self {
            SampleOf::Lot => "lot",
            SampleOf::RawMilkDelivery => "raw_milk_delivery",
            SampleOf::SamplingTask => "sampling_task",
        }
    }

    /// Reads the stored word.
    pub fn parse(text: &str) -> Option<SampleOf> {
        match text.trim() {
            "lot" => Some(SampleOf::Lot),
            "raw_milk_delivery" => Some(SampleOf::RawMilkDelivery),
            "sampling_task" => Some(SampleOf::SamplingTask),
            _ => None,
        }
    }
}

/// One result to store.
#[derive(Clone, PartialEq, Debug)]
pub struct NewLabResult {
    /// Where it came from, for errors: the CSV line or the JSON array position (from 1).
    pub line: usize,
    /// What the sample was taken from.
    pub sample_of: SampleOf,
    /// The lot or delivery (canonical LGTIN Digital Link, see [`canonical_subject`]) or the
    /// sampling task's ID.
    pub subject: String,
    /// The laboratory's sample number.
    pub sample_id: String,
    /// The analyte, as `anxin_quality`'s catalogue names it.
    pub analyte: String,
    /// The result as written: a number, `<LOD` (below the detection limit, LOD given),
    /// `detected` or `not detected`.
    pub value: String,
    /// The unit (`mg/100g`); empty for presence tests.
    pub unit: String,
    /// For a microbiological plan: which sample unit (1…n).
    pub sample_unit: Option<u32>,
    /// The method (`GB 5009.5-2016`).
    pub method: String,
    /// The laboratory.
    pub laboratory: String,
    /// The analyst.
    pub analyst: String,
    /// When it was tested, Unix ms.
    pub tested_ms: i64,
    /// The result this one replaces (a retest), by its ID.
    pub supersedes: Option<i64>,
}

/// A stored result.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct LabResult {
    /// The store's number for it.
    pub result_id: i64,
    /// What the sample was taken from.
    pub sample_of: SampleOf,
    /// The lot, delivery or task.
    pub subject: String,
    /// The laboratory's sample number.
    pub sample_id: String,
    /// The analyte.
    pub analyte: String,
    /// The result as written.
    pub value: String,
    /// The unit.
    pub unit: String,
    /// The sample unit of a plan.
    pub sample_unit: Option<u32>,
    /// The method.
    pub method: String,
    /// The laboratory.
    pub laboratory: String,
    /// The analyst.
    pub analyst: String,
    /// When it was tested, Unix ms.
    pub tested_ms: i64,
    /// The result it replaces.
    pub supersedes: Option<i64>,
    /// The result that replaced it, if any (worked out on read; the row is never changed).
    pub superseded_by: Option<i64>,
    /// The submitting account.
    pub account_id: i64,
    /// The submitting account's party, if it has one.
    pub party: Option<String>,
    /// When it was stored, Unix ms.
    pub submitted_ms: i64,
}

/// A problem with one row of a submission.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct RowError {
    /// The CSV line or JSON array position (from 1).
    pub line: usize,
    /// The field at fault (`analyte`, `value`, `lot`, `supersedes`, …).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {} `{}`: {}", self.line, self.field, self.message)
    }
}

/// What a submission came to: all stored, or refused with every broken row (nothing stored).
#[derive(Clone, PartialEq, Debug)]
pub enum Submission {
    /// Every result, stored.
    Stored(Vec<LabResult>),
    /// Every broken row; nothing of the submission was stored.
    Refused(Vec<RowError>),
}

/// The first event that made a lot: a transformation's output or an ObjectEvent ADD naming it
/// as a class, not declared an error.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct LotOrigin {
    /// The lot (canonical LGTIN Digital Link).
    pub lot: String,
    /// The event's ID.
    pub event_id: String,
    /// Its time, Unix ms.
    pub event_time_ms: i64,
    /// The capturing party's GLN.
    pub party: Option<String>,
    /// The business location's GLN.
    pub location_gln: Option<String>,
    /// The party that owns that location.
    pub location_owner: Option<String>,
    /// The location's region (GB/T 2260), from master data.
    pub region: Option<String>,
}

impl LotOrigin {
    /// The manufacturer: the location's owner, else the capturing party.
    pub fn maker(&self) -> Option<&str> {
        self.location_owner.as_deref().or(self.party.as_deref())
    }

    /// True when `party` made the lot (captured its making, or owns the place it was made).
    pub fn made_by(&self, party: &str) -> bool {
        self.party.as_deref() == Some(party) || self.location_owner.as_deref() == Some(party)
    }
}

/// What a viewer may do with a lot's quality records.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LotAccess {
    /// Read results and judgments, submit results, commit standards and release (the maker, admin).
    Maker,
    /// Read results and judgments and submit results (a regulator in whose jurisdiction it
    /// was made: a sampling task's results).
    Regulator,
    /// Submit results only (a laboratory account: the platform keeps no list of which
    /// manufacturer uses which laboratory, so a lab may report on any lot that exists, and the
    /// submitting account is kept with each result).
    SubmitOnly,
    /// Nothing.
    None,
}

/// The one access rule for a lot's quality records (API and command line).
pub fn lot_access(viewer: &Viewer, origin: &LotOrigin) -> LotAccess {
    use crate::{Role, Scope};
    match viewer.scope() {
        Scope::Everything => LotAccess::Maker,
        Scope::Party(party) if origin.made_by(party.as_str()) => LotAccess::Maker,
        Scope::Jurisdiction(region) => {
            match origin
                .region
                .as_deref()
                .and_then(|r| crate::RegionCode::parse(r).ok())
            {
                Some(made_in) if region.contains(&made_in) => LotAccess::Regulator,
                _ => LotAccess::None,
            }
        }
        _ if viewer.account.role == Role::Lab => LotAccess::SubmitOnly,
        _ => LotAccess::None,
    }
}

/// An enterprise standard committed publicly (公开承诺) for one product.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct CommittedStandard {
    /// The store's number for it (0 before it is stored).
    pub standard_id: i64,
    /// The committing manufacturer's GLN.
    pub party: String,
    /// The product's GTIN-14.
    pub gtin: String,
    /// The standard's code (`Q/AX 0001S-2026`).
    pub code: String,
    /// The standard as TOML text, as reviewed.
    pub text: String,
    /// The account that committed it.
    pub account_id: i64,
    /// When, Unix ms.
    pub committed_ms: i64,
}

/// The `gtin` of a committed standard that is a plant's raw-milk acceptance standard rather
/// than a product's: raw milk arrives under the farms' GTINs, so the standard belongs to the
/// receiving plant (its `party`), not to a GTIN. Empty, never a valid GTIN.
pub const RAW_MILK_GTIN: &str = "";

/// A lot's release (批批检验 passed), recorded with its `inspecting` event.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct ReleaseRow {
    /// The store's number for it (0 before it is stored).
    pub release_id: i64,
    /// The lot.
    pub lot: String,
    /// The releasing account.
    pub account_id: i64,
    /// Its party.
    pub party: Option<String>,
    /// When, Unix ms.
    pub released_ms: i64,
    /// The verdict (`conformant`).
    pub verdict: String,
    /// The judgment, as JSON (every check with rule and source).
    pub judgment_json: String,
    /// The results it rested on, as a JSON array of result IDs.
    pub result_ids_json: String,
    /// The enterprise standard applied, if any.
    pub standard_id: Option<i64>,
    /// The captured `inspecting` event's ID.
    pub event_id: String,
    /// Its capture job.
    pub job_id: String,
}

/// Lab results, committed standards and releases.
pub trait LabStore: Send + Sync {
    /// Stores a submission in one transaction after [`prepare_results`]: every lot or
    /// delivery must exist ([`LabStore::lot_origin`]), every `supersedes` must name a stored
    /// result (or an earlier row of the batch) of the same subject and analyte that nothing
    /// else supersedes. Any broken row refuses the whole submission.
    fn add_lab_results<'a>(
        &'a self,
        viewer: &'a Viewer,
        rows: &'a [NewLabResult],
    ) -> StoreFuture<'a, Submission>;

    /// Every result about a subject, oldest first, each marked with what superseded it.
    fn lab_results<'a>(
        &'a self,
        sample_of: SampleOf,
        subject: &'a str,
    ) -> StoreFuture<'a, Vec<LabResult>>;

    /// Where and by whom a lot (canonical LGTIN) was first made, if any event made it.
    fn lot_origin<'a>(&'a self, lot: &'a str) -> StoreFuture<'a, Option<LotOrigin>>;

    /// Appends a committed enterprise standard; returns its ID.
    fn add_committed_standard<'a>(
        &'a self,
        standard: &'a CommittedStandard,
    ) -> StoreFuture<'a, i64>;

    /// Every standard committed for a GTIN, oldest first (the last applies).
    fn committed_standards<'a>(&'a self, gtin: &'a str) -> StoreFuture<'a, Vec<CommittedStandard>>;

    /// Every standard a party committed, oldest first: a plant's raw-milk acceptance standard
    /// is found this way ([`RAW_MILK_GTIN`] marks it: it is no product's).
    fn committed_standards_by_party<'a>(
        &'a self,
        party_gln: &'a str,
    ) -> StoreFuture<'a, Vec<CommittedStandard>>;

    /// Appends a release row; returns its ID.
    fn add_release<'a>(&'a self, release: &'a ReleaseRow) -> StoreFuture<'a, i64>;

    /// Captures a release's `inspecting` event under a job the viewer started (as
    /// `EventStore::capture` does, ledger leaf included) and appends the release row in the
    /// same transaction, so both are stored or neither is. The row's `job_id` is set to
    /// `job_id`. When the job fails no row is written; a failed job comes back as
    /// `EventStore::capture` returns it.
    fn capture_release<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: CaptureInput,
        row: ReleaseRow,
    ) -> StoreFuture<'a, CaptureJob>;

    /// Every release row of a lot, oldest first.
    fn releases<'a>(&'a self, lot: &'a str) -> StoreFuture<'a, Vec<ReleaseRow>>;
}

/// The canonical form of a lot or delivery: its LGTIN as a GS1 Digital Link, from any form
/// (EPC class URN, Digital Link, element string); an error says what it is instead.
pub fn canonical_subject(sample_of: SampleOf, text: &str) -> Result<String, String> {
    let text = text.trim();
    match sample_of {
        SampleOf::SamplingTask => {
            if text.is_empty() {
                Err("a sampling task needs its ID".into())
            } else if text.len() > TEXT_FIELD_MAX {
                Err(format!("longer than {TEXT_FIELD_MAX} bytes"))
            } else {
                Ok(text.to_owned())
            }
        }
        SampleOf::Lot | SampleOf::RawMilkDelivery => match anxin_gs1::Gs1Key::parse(text) {
            Ok(key @ anxin_gs1::Gs1Key::Lgtin(_)) => Ok(key.to_digital_link()),
            Ok(_) => Err(format!(
                "`{text}` is a GS1 key but not a lot (GTIN + lot, e.g. urn:epc:class:lgtin:… or …/01/{{GTIN}}/10/{{lot}})"
            )),
            Err(err) => Err(format!("`{text}` is not a lot: {err}")),
        },
    }
}

/// Checks a submission's rows without a store and writes them in stored form: the count, each
/// text field, the subject's form (turned into its canonical Digital Link), the analyte
/// (turned into the catalogue's ID), unit and value (through
/// `anxin_quality::results::measurement`, so the same rules as a judgment), and a test time
/// that is a real moment. Returns the rows in stored form and every problem found; the store's
/// own checks ([`check_against_store`]) run on the same rows so that one answer lists every
/// broken row.
pub fn prepare_results(rows: &[NewLabResult]) -> (Vec<NewLabResult>, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut prepared = Vec::with_capacity(rows.len());
    if rows.is_empty() {
        errors.push(RowError {
            line: 1,
            field: String::new(),
            message: "no results".into(),
        });
        return (Vec::new(), errors);
    }
    if rows.len() > RESULTS_PER_SUBMISSION_MAX {
        errors.push(RowError {
            line: rows[RESULTS_PER_SUBMISSION_MAX].line,
            field: String::new(),
            message: format!("more than {RESULTS_PER_SUBMISSION_MAX} results in one submission"),
        });
        return (Vec::new(), errors);
    }
    for row in rows {
        let mut out = row.clone();
        let mut fail = |field: &str, message: String| {
            errors.push(RowError {
                line: row.line,
                field: field.to_owned(),
                message,
            });
        };
        let field_name = match row.sample_of {
            SampleOf::Lot => "lot",
            SampleOf::RawMilkDelivery => "delivery",
            SampleOf::SamplingTask => "task",
        };
        match canonical_subject(row.sample_of, &row.subject) {
            Ok(canonical) => out.subject = canonical,
            Err(message) => fail(field_name, message),
        }
        for (field, text, required) in [
            ("sample_id", &row.sample_id, true),
            ("method", &row.method, true),
            ("laboratory", &row.laboratory, true),
            ("analyst", &row.analyst, true),
            ("unit", &row.unit, false),
        ] {
            if required && text.trim().is_empty() {
                fail(field, "is empty".into());
            } else if text.len() > TEXT_FIELD_MAX {
                fail(field, format!("longer than {TEXT_FIELD_MAX} bytes"));
            }
        }
        let sample_unit = row.sample_unit.map(|n| n.to_string());
        match anxin_quality::results::measurement(
            &row.analyte,
            &row.value,
            &row.unit,
            sample_unit.as_deref(),
        ) {
            Ok(measurement) => {
                out.analyte = measurement.analyte.id.to_owned();
                out.value = row.value.trim().to_owned();
                out.unit = row.unit.trim().to_owned();
            }
            Err(message) => {
                let field = if message.contains("analyte") {
                    "analyte"
                } else if message.contains("cannot be measured")
                    || (message.contains("unit") && !message.contains("sample_unit"))
                {
                    "unit"
                } else if message.contains("sample_unit") {
                    "sample_unit"
                } else {
                    "value"
                };
                fail(field, message);
            }
        }
        if jiff::Timestamp::from_millisecond(row.tested_ms).is_err() || row.tested_ms <= 0 {
            fail("tested_at", format!("{} is not a moment", row.tested_ms));
        }
        prepared.push(out);
    }
    (prepared, errors)
}

/// Both kinds of problems, in row order.
pub fn merge_errors(mut first: Vec<RowError>, second: Vec<RowError>) -> Vec<RowError> {
    first.extend(second);
    first.sort_by_key(|error| error.line);
    first
}

/// A stored result read back as a judgment's measurement.
pub fn measurement_of(result: &LabResult) -> Result<anxin_quality::Measurement, String> {
    let sample_unit = result.sample_unit.map(|n| n.to_string());
    anxin_quality::results::measurement(
        &result.analyte,
        &result.value,
        &result.unit,
        sample_unit.as_deref(),
    )
}

/// What the store knows about a result a row wants to supersede.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StoredLink {
    /// Its subject kind.
    pub sample_of: SampleOf,
    /// Its subject.
    pub subject: String,
    /// Its analyte.
    pub analyte: String,
    /// Its sample unit.
    pub sample_unit: Option<u32>,
    /// Whether a stored result already supersedes it.
    pub superseded: bool,
}

/// The checks that need the store, given what the backend read inside its transaction:
/// `exists(subject)` says whether a lot or delivery was made by some event, `stored(id)`
/// describes a result a row supersedes. A lot or delivery nobody made, a link to no result,
/// to another subject, analyte or sample unit, to a result already superseded, or two rows
/// superseding the same one are each refused with their row.
pub fn check_against_store(
    rows: &[NewLabResult],
    exists: impl Fn(&str) -> bool,
    stored: impl Fn(i64) -> Option<StoredLink>,
) -> Vec<RowError> {
    let mut errors = Vec::new();
    let mut taken = std::collections::BTreeMap::new();
    for row in rows {
        let mut fail = |field: &str, message: String| {
            errors.push(RowError {
                line: row.line,
                field: field.to_owned(),
                message,
            });
        };
        // A subject that is not a lot at all was reported by `prepare_results`.
        let is_lot = row.subject.starts_with("https://id.gs1.org/");
        match row.sample_of {
            SampleOf::Lot if is_lot && !exists(&row.subject) => fail(
                "lot",
                format!(
                    "no event in the store made the lot `{}` (commissioning or transformation output)",
                    row.subject
                ),
            ),
            SampleOf::RawMilkDelivery if is_lot && !exists(&row.subject) => fail(
                "delivery",
                format!(
                    "no event in the store made the raw-milk lot `{}`",
                    row.subject
                ),
            ),
            _ => {}
        }
        let Some(old) = row.supersedes else {
            continue;
        };
        if let Some(first) = taken.insert(old, row.line) {
            fail(
                "supersedes",
                format!("result {old} is already superseded by row {first} of this submission"),
            );
        }
        match stored(old) {
            None => fail("supersedes", format!("there is no result {old}")),
            Some(link) => {
                if link.sample_of != row.sample_of || link.subject != row.subject {
                    fail(
                        "supersedes",
                        format!(
                            "result {old} is about {} `{}`, not this sample",
                            link.sample_of.name(),
                            link.subject
                        ),
                    );
                } else if link.analyte != row.analyte.trim() || link.sample_unit != row.sample_unit
                {
                    fail(
                        "supersedes",
                        format!(
                            "result {old} is for {} (sample unit {:?}), not {} (sample unit {:?})",
                            link.analyte,
                            link.sample_unit,
                            row.analyte.trim(),
                            row.sample_unit
                        ),
                    );
                }
                if link.superseded {
                    fail(
                        "supersedes",
                        format!(
                            "result {old} was already superseded; retest the latest result instead"
                        ),
                    );
                }
            }
        }
    }
    errors
}

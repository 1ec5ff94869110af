//! Lab results, judgments, committed enterprise standards, batch release (批批检验) and the
//! findings about unreleased shipments: the logic the API ([`crate::api::lab`]), the
//! certificate page ([`crate::coa`]), the passport and the command line share.
//!
//! Who may do what is [`anxin_store::lab::lot_access`]: the lot's maker (and the admin) does
//! everything, a regulator in whose jurisdiction the lot was made reads and submits (its
//! sampling tasks), a laboratory account submits only. Judging is `anxin_quality::judge`
//! against the national standards in force on the production date (the date, China time, of
//! the event that made the lot) and the product's committed enterprise standard. A release is
//! captured as an EPCIS ObjectEvent (OBSERVE, bizStep `inspecting`, disposition `conformant`,
//! the lot in `quantityList`) through the normal capture path, so it is in the ledger and the
//! trace graph; a non-conformant judgment is captured the same way with `non_conformant`.

use std::collections::BTreeMap;

use anxin_epcis::cbv::{Term, Vocabulary as Cbv};
use anxin_epcis::ext::{ExtValue, Extension, QName};
use anxin_epcis::{Action, EpcisTime, Event, EventType, Header, QuantityElement, TimeZoneOffset};
use anxin_quality::finding::{self, Finding, LotRelease, Shipment};
use anxin_quality::{Catalogue, EnterpriseStandard, Fact, ProductType, Sample, Verdict};
use anxin_store::lab::{
    self, CommittedStandard, LabResult, LotAccess, LotOrigin, NewLabResult, ReleaseRow, SampleOf,
    Submission,
};
use anxin_store::{
    CaptureInput, ErrorBehaviour, EventQuery, JobState, Role, Scope, Store, StoreError, Viewer,
};
use serde::Serialize;

use crate::AppError;

/// The namespace of Anxin's infant-formula extension fields (the simulator's
/// `anxin_sim::vocab::NAMESPACE`, written out so the server does not depend on the simulator).
pub const ANXIN_NS: &str = "https://ns.anxin.org.cn/epcis/ifm/";

/// Shipping events read for `GET /api/v1/findings` at most; an assumption of ours that keeps
/// one answer bounded. The answer says when it stopped there.
pub const FINDINGS_SHIPMENTS_MAX: usize = 20_000;

/// China Standard Time, the production date's zone.
fn china() -> jiff::tz::Offset {
    jiff::tz::Offset::constant(8)
}

/// The national catalogue, parsed once.
pub fn catalogue() -> Result<&'static Catalogue, AppError> {
    static CATALOGUE: std::sync::OnceLock<Result<Catalogue, String>> = std::sync::OnceLock::new();
    CATALOGUE
        .get_or_init(|| Catalogue::national().map_err(|err| err.to_string()))
        .as_ref()
        .map_err(AppError::internal)
}

/// A lot as the URL names it, in canonical form, or 400.
pub fn lot_of(text: &str) -> Result<String, AppError> {
    lab::canonical_subject(SampleOf::Lot, text).map_err(AppError::query_parameter)
}

/// The lot's origin, or 404.
pub async fn origin(store: &dyn Store, lot: &str) -> Result<LotOrigin, AppError> {
    store
        .lot_origin(lot)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no event in the store made the lot `{lot}`")))
}

/// The viewer's access to a lot, refusing `None` (and `SubmitOnly` unless `submit`).
pub fn require(viewer: &Viewer, origin: &LotOrigin, submit: bool) -> Result<LotAccess, AppError> {
    match lab::lot_access(viewer, origin) {
        LotAccess::None => Err(AppError::forbidden(format!(
            "a {} account may not see the quality records of `{}`: only its maker, a regulator of the place it was made, or a laboratory (submitting) may",
            viewer.account.role, origin.lot
        ))),
        LotAccess::SubmitOnly if !submit => Err(AppError::forbidden(format!(
            "a laboratory account submits results for `{}` but does not read the lot's records",
            origin.lot
        ))),
        access => Ok(access),
    }
}

/// Turns a refused submission into a 422 listing every row.
pub fn refused(errors: &[lab::RowError]) -> AppError {
    AppError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        crate::Exception::Validation,
        format!(
            "{} problem(s), nothing was stored: {}",
            errors.len(),
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
    )
}

/// Stores a submission as the viewer after checking access to every lot it names: 403 for a
/// lot the viewer may not report on, 422 with every broken row (nothing stored).
pub async fn submit(
    store: &dyn Store,
    viewer: &Viewer,
    rows: &[NewLabResult],
) -> Result<Vec<LabResult>, Submitted> {
    let mut checked = BTreeMap::new();
    for row in rows {
        match row.sample_of {
            SampleOf::SamplingTask => {
                if !matches!(viewer.account.role, Role::Regulator | Role::Admin) {
                    return Err(Submitted::Error(AppError::forbidden(format!(
                        "row {}: only a regulator reports results of a sampling task",
                        row.line
                    ))));
                }
            }
            SampleOf::Lot | SampleOf::RawMilkDelivery => {
                let Ok(subject) = lab::canonical_subject(row.sample_of, &row.subject) else {
                    continue; // reported by the store with its row
                };
                if checked.contains_key(&subject) {
                    continue;
                }
                let allowed = match store.lot_origin(&subject).await.map_err(AppError::from)? {
                    None => true, // reported by the store with its row
                    Some(origin) => {
                        lab::lot_access(viewer, &origin) != LotAccess::None
                            || (row.sample_of == SampleOf::RawMilkDelivery
                                && sees(store, viewer, &subject).await?)
                    }
                };
                if !allowed {
                    return Err(Submitted::Error(AppError::forbidden(format!(
                        "row {}: a {} account may not report results for `{subject}`",
                        row.line, viewer.account.role
                    ))));
                }
                checked.insert(subject, ());
            }
        }
    }
    match store
        .add_lab_results(viewer, rows)
        .await
        .map_err(AppError::from)?
    {
        Submission::Stored(results) => Ok(results),
        Submission::Refused(errors) => Err(Submitted::Refused(errors)),
    }
}

/// Why a submission was not stored.
#[derive(Debug)]
pub enum Submitted {
    /// Rows are broken (every one listed).
    Refused(Vec<lab::RowError>),
    /// Access or the store.
    Error(AppError),
}

impl From<AppError> for Submitted {
    fn from(error: AppError) -> Submitted {
        Submitted::Error(error)
    }
}

/// Whether the viewer sees at least one event naming `class` (the receiving manufacturer of a
/// raw-milk delivery does).
async fn sees(store: &dyn Store, viewer: &Viewer, class: &str) -> Result<bool, AppError> {
    let params = vec![
        ("MATCH_anyEPCClass".to_owned(), class.to_owned()),
        ("eventCountLimit".to_owned(), "1".to_owned()),
    ];
    let query = EventQuery::parse(&params, &Vec::<(String, String)>::new())
        .map_err(|err| AppError::internal(format!("{err:?}")))?;
    Ok(!store.list_events(viewer, &query).await?.events.is_empty())
}

/// A product's master data, described by the lot's class, the GTIN or its Digital Link.
pub async fn product_of(
    store: &dyn Store,
    lot: &str,
    gtin: &str,
) -> Result<Option<anxin_store::ProductRecord>, StoreError> {
    for id in [
        lot.to_owned(),
        gtin.to_owned(),
        format!("https://id.gs1.org/01/{gtin}"),
    ] {
        if let Some(product) = store.get_product(&id).await? {
            return Ok(Some(product));
        }
    }
    Ok(None)
}

/// The product facts a judgment needs, from master data.
#[derive(Clone, Debug, Serialize)]
pub struct LotFacts {
    /// The lot.
    pub lot: String,
    /// The GTIN-14.
    pub gtin: String,
    /// The lot number.
    pub lot_number: String,
    /// The product's name, from master data.
    pub product: Option<String>,
    /// The brand.
    pub brand: Option<String>,
    /// The product type (from the stage in master data).
    pub product_type: ProductType,
    /// The production date (China time) of the event that made the lot.
    pub produced: String,
    /// What was assumed because master data does not say it.
    pub assumptions: Vec<String>,
}

/// The facts of a lot from its origin and the product's master data; a product without a
/// stage cannot be judged (422).
pub async fn lot_facts(store: &dyn Store, origin: &LotOrigin) -> Result<LotFacts, AppError> {
    let Ok(anxin_gs1::Gs1Key::Lgtin(lgtin)) = anxin_gs1::Gs1Key::parse(&origin.lot) else {
        return Err(AppError::internal(format!("`{}` is not a lot", origin.lot)));
    };
    let gtin = lgtin.gtin().to_string();
    let product = product_of(store, &origin.lot, &gtin).await?;
    let stage = product.as_ref().and_then(|p| p.stage.clone());
    let Some(product_type) = stage.as_deref().and_then(ProductType::parse) else {
        return Err(AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            crate::Exception::Validation,
            format!(
                "the product {gtin} has no stage (1, 2 or 3) in its master data, so no standard can be chosen for `{}`",
                origin.lot
            ),
        ));
    };
    let produced = jiff::Timestamp::from_millisecond(origin.event_time_ms)
        .map_err(AppError::internal)?
        .to_zoned(jiff::tz::TimeZone::fixed(china()))
        .date();
    Ok(LotFacts {
        lot: origin.lot.clone(),
        gtin,
        lot_number: lgtin.lot().to_owned(),
        product: product.as_ref().and_then(|p| p.name.clone()),
        brand: product.as_ref().and_then(|p| p.brand.clone()),
        product_type,
        produced: produced.to_string(),
        assumptions: vec![
            "按乳基粉状产品判定，未添加果蔬、未添加活性菌（主数据未注明）/ judged as a milk-based powder with no added vegetables, fruit or live cultures: master data does not say".to_owned(),
        ],
    })
}

/// A lot's judgment as served (owned, so it can be stored with a release).
#[derive(Clone, Debug, Serialize)]
pub struct LotJudgment {
    /// The lot's facts.
    pub facts: LotFacts,
    /// The verdict.
    pub verdict: Verdict,
    /// The standards applied.
    pub standards: Vec<String>,
    /// The committed enterprise standard applied, if any.
    pub enterprise_standard: Option<CommittedView>,
    /// Every check with rule and source.
    pub checks: serde_json::Value,
    /// The results judged (the latest of each; superseded ones left out).
    pub result_ids: Vec<i64>,
}

/// A committed standard as shown publicly.
#[derive(Clone, Debug, Serialize)]
pub struct CommittedView {
    /// The store's number.
    pub standard_id: i64,
    /// Its code.
    pub code: String,
    /// The enterprise.
    pub enterprise: String,
    /// When it was committed (RFC 3339).
    pub committed_at: String,
    /// The standard's text.
    pub text: String,
}

/// The product's committed standard in force (the latest), reviewed again against today's
/// catalogue.
pub async fn committed_for(
    store: &dyn Store,
    gtin: &str,
) -> Result<Option<(CommittedStandard, EnterpriseStandard)>, AppError> {
    let Some(latest) = store.committed_standards(gtin).await?.pop() else {
        return Ok(None);
    };
    let reviewed =
        anxin_quality::review(catalogue()?, &latest.code, &latest.text).map_err(|err| {
            AppError::internal(format!("a committed standard no longer reviews: {err}"))
        })?;
    Ok(Some((latest, reviewed)))
}

/// The view of a committed standard.
pub fn committed_view(row: &CommittedStandard, reviewed: &EnterpriseStandard) -> CommittedView {
    CommittedView {
        standard_id: row.standard_id,
        code: row.code.clone(),
        enterprise: reviewed.enterprise().to_owned(),
        committed_at: rfc3339(row.committed_ms),
        text: row.text.clone(),
    }
}

/// Unix ms as RFC 3339 in China time (`+08:00`), as every time the platform shows.
pub fn rfc3339(ms: i64) -> String {
    anxin_trace::render::rfc3339(ms)
}

/// What judging a lot needs: its facts, its current results as a sample, the committed
/// enterprise standard and the IDs of the results used.
struct Prepared {
    facts: LotFacts,
    sample: Sample,
    committed: Option<(CommittedStandard, EnterpriseStandard)>,
    result_ids: Vec<i64>,
}

async fn prepare_judgment(store: &dyn Store, origin: &LotOrigin) -> Result<Prepared, AppError> {
    let facts = lot_facts(store, origin).await?;
    let results = store.lab_results(SampleOf::Lot, &origin.lot).await?;
    let current: Vec<&LabResult> = results
        .iter()
        .filter(|r| r.superseded_by.is_none())
        .collect();
    let mut measurements = Vec::with_capacity(current.len());
    for result in &current {
        measurements.push(lab::measurement_of(result).map_err(|err| {
            AppError::internal(format!(
                "stored result {} no longer reads: {err}",
                result.result_id
            ))
        })?);
    }
    let produced: jiff::civil::Date = facts.produced.parse().map_err(AppError::internal)?;
    let sample = Sample::new(
        facts.product_type,
        produced,
        [
            Fact::MilkBased,
            Fact::NoAddedVegetablesOrFruit,
            Fact::NoLiveCultures,
        ],
        measurements,
    )
    .map_err(|errors| {
        AppError::new(
            axum::http::StatusCode::CONFLICT,
            crate::Exception::Validation,
            format!(
                "the lot's current results cannot be judged together (retest to supersede one): {}",
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
    })?;
    let committed = committed_for(store, &facts.gtin).await?;
    Ok(Prepared {
        result_ids: current.iter().map(|r| r.result_id).collect(),
        facts,
        sample,
        committed,
    })
}

/// Judges a lot on its current results (no access check: callers check).
pub async fn judge_lot(store: &dyn Store, origin: &LotOrigin) -> Result<LotJudgment, AppError> {
    let Prepared {
        facts,
        sample,
        committed,
        result_ids,
    } = prepare_judgment(store, origin).await?;
    let judgment = anxin_quality::judge(catalogue()?, committed.as_ref().map(|(_, e)| e), &sample);
    Ok(LotJudgment {
        verdict: judgment.verdict,
        standards: judgment.standards.iter().map(|s| (*s).to_owned()).collect(),
        enterprise_standard: committed.as_ref().map(|(row, e)| committed_view(row, e)),
        checks: serde_json::to_value(&judgment.checks).map_err(AppError::internal)?,
        result_ids,
        facts,
    })
}

/// What a release request came to.
#[derive(Clone, Debug, Serialize)]
pub struct Released {
    /// The release row's number (none when the lot failed).
    pub release_id: Option<i64>,
    /// The lot.
    pub lot: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The captured `inspecting` event's ID.
    pub event_id: String,
    /// Where the certificate of analysis is.
    pub certificate: Option<String>,
    /// The judgment.
    pub judgment: LotJudgment,
}

/// The certificate's path for a lot.
pub fn certificate_path(lot: &str) -> String {
    format!("/coa/{}", urlencode(lot))
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Releases a lot (its maker or the admin): 409 when already released or the judgment is
/// incomplete (nothing captured); on a non-conformant judgment the `inspecting` event is
/// captured with `non_conformant` and the answer is 422 with the reasons; on a conformant one
/// the event is captured with `conformant` and the release recorded.
pub async fn release(
    store: &dyn Store,
    viewer: &Viewer,
    lot_text: &str,
) -> Result<Released, (AppError, Option<Released>)> {
    let fail = |error: AppError| (error, None);
    let lot = lot_of(lot_text).map_err(fail)?;
    let origin = origin(store, &lot).await.map_err(fail)?;
    if require(viewer, &origin, false).map_err(fail)? != LotAccess::Maker {
        return Err(fail(AppError::forbidden(format!(
            "only the maker of `{lot}` releases it"
        ))));
    }
    if let Some(previous) = store
        .releases(&lot)
        .await
        .map_err(|e| fail(e.into()))?
        .first()
    {
        return Err(fail(AppError::conflict(format!(
            "`{lot}` was already released at {} (event {})",
            rfc3339(previous.released_ms),
            previous.event_id
        ))));
    }
    if let Some(earlier) = released_by_events(store, &origin)
        .await
        .map_err(|e| fail(e.into()))?
        .first()
    {
        return Err(fail(AppError::conflict(format!(
            "`{lot}` was already released at {} by its maker's inspecting event {}",
            rfc3339(earlier.released_ms),
            earlier.event
        ))));
    }
    let judgment = judge_lot(store, &origin).await.map_err(fail)?;
    let reasons = || {
        judgment
            .checks
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| {
                matches!(
                    c["outcome"].as_str(),
                    Some("fail" | "missing" | "undetermined")
                )
            })
            .map(|c| {
                format!(
                    "{} {}: {} ({}; {} {})",
                    c["subject"].as_str().unwrap_or(""),
                    c["outcome"].as_str().unwrap_or(""),
                    c["message"].as_str().unwrap_or(""),
                    c["rule"].as_str().unwrap_or(""),
                    c["source"]["standard"].as_str().unwrap_or(""),
                    c["source"]["clause"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    if judgment.verdict == Verdict::Incomplete {
        return Err(fail(AppError::new(
            axum::http::StatusCode::CONFLICT,
            crate::Exception::Validation,
            format!(
                "`{lot}` cannot be released: its judgment is incomplete: {}",
                reasons()
            ),
        )));
    }
    let conformant = judgment.verdict == Verdict::Conformant;
    let now = anxin_store::now_ms();
    let mut event = inspecting_event(&origin, &judgment, conformant, now).map_err(fail)?;
    // The event's ID is its CBV hash ID, fixed here so that the release row can name it in the
    // same transaction as the event itself.
    let event_id = anxin_epcis::hash::event_hash_id(&event);
    event.event_id = Some(event_id.clone());
    if !conformant {
        capture(store, viewer, event, &lot, None)
            .await
            .map_err(fail)?;
        let detail = format!(
            "`{lot}` is non-conformant and was not released (inspecting event {event_id} recorded it): {}",
            reasons()
        );
        return Err((
            AppError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                crate::Exception::Validation,
                detail,
            ),
            Some(Released {
                release_id: None,
                lot,
                verdict: judgment.verdict,
                event_id,
                certificate: None,
                judgment,
            }),
        ));
    }
    let row = ReleaseRow {
        release_id: 0,
        lot: lot.clone(),
        account_id: viewer.account.account_id,
        party: viewer.account.party.as_ref().map(|p| p.as_str().to_owned()),
        released_ms: now,
        verdict: judgment.verdict.to_string(),
        judgment_json: serde_json::to_string(&judgment).map_err(|e| fail(AppError::internal(e)))?,
        result_ids_json: serde_json::to_string(&judgment.result_ids)
            .map_err(|e| fail(AppError::internal(e)))?,
        standard_id: judgment.enterprise_standard.as_ref().map(|s| s.standard_id),
        event_id: event_id.clone(),
        // Set by the store to the capture job's ID.
        job_id: String::new(),
    };
    let job_id = capture(store, viewer, event, &lot, Some(row))
        .await
        .map_err(fail)?;
    let release_id = store
        .releases(&lot)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .find(|release| release.job_id == job_id)
        .map(|release| release.release_id)
        .ok_or_else(|| fail(AppError::internal("the release row cannot be read back")))?;
    Ok(Released {
        release_id: Some(release_id),
        certificate: Some(certificate_path(&lot)),
        lot,
        verdict: judgment.verdict,
        event_id,
        judgment,
    })
}

/// A release inspection already captured as an event (by a partner's system or the
/// simulator), to be recorded as a release row when the lot's stored results judge conformant.
#[derive(Clone, Debug)]
pub struct EventRelease {
    /// The lot, in any form `lot_of` reads.
    pub lot: String,
    /// The `inspecting`/`conformant` event's ID.
    pub event_id: String,
    /// The capture job that stored it.
    pub job_id: String,
    /// The event's time, Unix ms.
    pub released_ms: i64,
    /// The maker's account.
    pub account_id: i64,
    /// The maker's party GLN.
    pub party: Option<String>,
}

/// What [`adopt_releases`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Adopted {
    /// Release rows written (conformant judgments).
    pub recorded: u64,
    /// Lots whose judgment was non-conformant: the event stands, no certificate.
    pub non_conformant: u64,
    /// Lots whose judgment was incomplete: no certificate.
    pub incomplete: u64,
    /// Lots that already had a release row.
    pub already: u64,
    /// Lots no stored event made (the store has no origin for them: no results, no judgment).
    pub unmade: u64,
}

/// Records the release rows of lots released by their maker's `inspecting` event: each lot is
/// judged on its stored results, and only a conformant judgment gets a row (and so a
/// certificate), pointing at that event. A non-conformant or incomplete lot keeps its event
/// and gets no certificate; the findings name it. A lot with a row already is left alone.
pub async fn adopt_releases(
    store: &dyn Store,
    releases: &[EventRelease],
) -> Result<Adopted, AppError> {
    let mut adopted = Adopted::default();
    for release in releases {
        let lot = lot_of(&release.lot)?;
        if !store.releases(&lot).await?.is_empty() {
            adopted.already += 1;
            continue;
        }
        let Some(origin) = store.lot_origin(&lot).await? else {
            adopted.unmade += 1;
            continue;
        };
        let judgment = judge_lot(store, &origin).await?;
        match judgment.verdict {
            Verdict::Conformant => {}
            Verdict::NonConformant => {
                adopted.non_conformant += 1;
                continue;
            }
            Verdict::Incomplete => {
                adopted.incomplete += 1;
                continue;
            }
        }
        let row = ReleaseRow {
            release_id: 0,
            lot: lot.clone(),
            account_id: release.account_id,
            party: release.party.clone(),
            released_ms: release.released_ms,
            verdict: judgment.verdict.to_string(),
            judgment_json: serde_json::to_string(&judgment).map_err(AppError::internal)?,
            result_ids_json: serde_json::to_string(&judgment.result_ids)
                .map_err(AppError::internal)?,
            standard_id: judgment.enterprise_standard.as_ref().map(|s| s.standard_id),
            event_id: release.event_id.clone(),
            job_id: release.job_id.clone(),
        };
        store.add_release(&row).await?;
        adopted.recorded += 1;
    }
    Ok(adopted)
}

fn text(name: &str, value: String) -> Extension {
    Extension {
        name: QName::new(ANXIN_NS, name),
        value: ExtValue::Text(value),
        attributes: Vec::new(),
    }
}

/// The release inspection as an EPCIS ObjectEvent at the place the lot was made.
fn inspecting_event(
    origin: &LotOrigin,
    judgment: &LotJudgment,
    conformant: bool,
    now_ms: i64,
) -> Result<Event, AppError> {
    let instant = jiff::Timestamp::from_millisecond(now_ms).map_err(AppError::internal)?;
    let mut event = Event::new(
        EventType::ObjectEvent,
        EpcisTime {
            instant,
            offset: china(),
        },
        TimeZoneOffset::parse("+08:00").map_err(|e| AppError::internal(format!("{e:?}")))?,
    );
    event.action = Some(Action::Observe);
    event.biz_step = Some(Term::read(Cbv::BizStep, "inspecting"));
    event.disposition = Some(Term::read(
        Cbv::Disposition,
        if conformant {
            "conformant"
        } else {
            "non_conformant"
        },
    ));
    event.quantity_list = vec![QuantityElement {
        epc_class: origin.lot.clone(),
        quantity: None,
        uom: None,
    }];
    if let Some(gln) = &origin.location_gln {
        let place = anxin_epcis::Location {
            id: format!("https://id.gs1.org/414/{gln}"),
            extensions: Vec::new(),
        };
        event.read_point = Some(place.clone());
        event.biz_location = Some(place);
    }
    event.extensions = vec![Extension {
        name: QName::new(ANXIN_NS, "releaseCertificate"),
        value: ExtValue::Object(vec![
            text("standard", judgment.standards.join("; ")),
            text(
                "result",
                if conformant { "pass" } else { "fail" }.to_owned(),
            ),
            text(
                "resultIds",
                judgment
                    .result_ids
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ]),
        attributes: Vec::new(),
    }];
    Ok(event)
}

/// Captures a release's `inspecting` event as the viewer, with its release row in the same
/// transaction when there is one (`LabStore::capture_release`); returns the job's ID.
async fn capture(
    store: &dyn Store,
    viewer: &Viewer,
    event: Event,
    lot: &str,
    row: Option<ReleaseRow>,
) -> Result<String, AppError> {
    let problems = anxin_epcis::validate::check_event(&event);
    if !problems.is_empty() {
        return Err(AppError::internal(format!(
            "the release event broke EPCIS rules: {problems:?}"
        )));
    }
    let job = store
        .start_job(viewer, ErrorBehaviour::Rollback, &format!("release {lot}"))
        .await?;
    let instant = jiff::Timestamp::now();
    let mut header = Header::new(EpcisTime {
        instant,
        offset: china(),
    });
    header.namespaces.declare("anxin", ANXIN_NS);
    let input = CaptureInput::new(header, vec![event]);
    let job = match row {
        Some(row) => {
            store
                .capture_release(viewer, &job.job_id, input, row)
                .await?
        }
        None => store.capture(viewer, &job.job_id, input).await?,
    };
    if job.state != JobState::Succeeded || job.n_stored != 1 {
        return Err(AppError::internal(format!(
            "the release event was not captured (nothing was stored): {}",
            job.errors.join("; ")
        )));
    }
    Ok(job.job_id)
}

/// The platform reading for itself (public pages, findings' release lookups).
pub fn admin_viewer() -> Viewer {
    Viewer::new(anxin_store::Account {
        account_id: 0,
        name: "platform".to_owned(),
        role: Role::Admin,
        party: None,
        region: None,
        created_ms: 0,
        revoked_ms: None,
    })
}

/// A lot's releases as events: `inspecting` with disposition `conformant`, captured by the lot's
/// maker (or the platform), naming the lot as a class. What the passport and the findings read.
pub async fn released_by_events(
    store: &dyn Store,
    origin: &LotOrigin,
) -> Result<Vec<LotRelease>, StoreError> {
    let params = vec![
        ("EQ_bizStep".to_owned(), "inspecting".to_owned()),
        ("EQ_disposition".to_owned(), "conformant".to_owned()),
        ("MATCH_anyEPCClass".to_owned(), origin.lot.clone()),
        ("eventCountLimit".to_owned(), "100".to_owned()),
    ];
    let query = EventQuery::parse(&params, &Vec::<(String, String)>::new())
        .map_err(|err| StoreError::internal(format!("{err:?}")))?;
    let page = store.list_events(&admin_viewer(), &query).await?;
    let mut releases = Vec::new();
    for stored in page.events {
        let by_maker = match stored.party.as_deref() {
            None => true,
            Some(party) => origin.made_by(party),
        };
        if !by_maker {
            continue;
        }
        let body: serde_json::Value = serde_json::from_str(&stored.body)?;
        let Some(time) = body["eventTime"]
            .as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        else {
            continue;
        };
        releases.push(LotRelease {
            lot: origin.lot.clone(),
            released_ms: time.as_millisecond(),
            event: stored.event_id,
        });
    }
    Ok(releases)
}

/// The findings the viewer may see, of every kind (`anxin_quality::finding::FindingKind`),
/// derived each time from stored facts:
/// - shipping events it sees whose lots were not released before they shipped (a manufacturer
///   sees those about lots it made, a regulator those of shipping events in its jurisdiction);
/// - lots released by their maker's `inspecting`/`conformant` event whose stored results fail a
///   binding limit or leave out a required one (the lot's maker and the regulator of the place
///   it was made see them);
/// - raw-milk deliveries rejected at receiving (or undecided) that went into a transformation
///   the viewer sees;
/// - lots held by a HACCP deviation that shipped before the corrective action, or are still
///   on hold (the plant's manufacturer and its regulator).
///
/// The admin sees all. Returns the findings and whether the shipments read stopped at
/// [`FINDINGS_SHIPMENTS_MAX`].
pub async fn findings(
    store: &dyn Store,
    tracer: Option<&crate::trace::Tracer>,
    viewer: &Viewer,
) -> Result<(Vec<Finding>, bool), AppError> {
    let scope = viewer.scope();
    if !matches!(
        viewer.account.role,
        Role::Manufacturer | Role::Regulator | Role::Admin
    ) {
        return Err(AppError::forbidden(format!(
            "a {} account sees no findings; manufacturers, regulators and the admin do",
            viewer.account.role
        )));
    }
    let mut lots = LotBook::default();
    let (mut shipments, truncated) = read_shipments(store, tracer, viewer).await?;
    let mut releases = Vec::new();
    for lot in shipments
        .iter()
        .flat_map(|s| s.lots.clone())
        .collect::<Vec<_>>()
    {
        if lots.origins.contains_key(&lot) {
            continue;
        }
        if let Some(origin) = lots.formula_origin(store, &lot).await? {
            releases.extend(released_by_events(store, &origin).await?);
        }
    }
    // Only formula lots someone made are judged for release.
    for shipment in &mut shipments {
        shipment
            .lots
            .retain(|lot| lots.origins.get(lot).is_some_and(Option::is_some));
    }
    let found = finding::unreleased_shipments(&releases, &shipments);
    let mut visible: Vec<Finding> = found
        .into_iter()
        .filter(|f| match &scope {
            Scope::Party(party) => lots
                .origins
                .get(&f.lot)
                .and_then(Option::as_ref)
                .is_some_and(|o| o.made_by(party.as_str())),
            _ => true,
        })
        .collect();
    visible.extend(release_findings(store, viewer, &mut lots).await?);
    visible.extend(milk_findings(store, viewer).await?);
    visible.extend(hold_findings(store, viewer, &mut lots, &shipments).await?);
    Ok((visible, truncated))
}

/// Lots looked up once per answer: whether each is a formula lot someone made (its origin).
#[derive(Default)]
struct LotBook {
    origins: BTreeMap<String, Option<LotOrigin>>,
    formula: BTreeMap<String, bool>,
}

impl LotBook {
    /// The lot's origin when it is a formula lot (a product with a stage in master data: raw
    /// milk and ingredient lots have none) that some event made.
    async fn formula_origin(
        &mut self,
        store: &dyn Store,
        lot: &str,
    ) -> Result<Option<LotOrigin>, AppError> {
        if let Some(known) = self.origins.get(lot) {
            return Ok(known.clone());
        }
        let gtin = match anxin_gs1::Gs1Key::parse(lot) {
            Ok(anxin_gs1::Gs1Key::Lgtin(lgtin)) => lgtin.gtin().to_string(),
            _ => String::new(),
        };
        let is_formula = match self.formula.get(&gtin) {
            Some(known) => *known,
            None => {
                let known = product_of(store, lot, &gtin)
                    .await?
                    .and_then(|p| p.stage)
                    .as_deref()
                    .and_then(ProductType::parse)
                    .is_some();
                self.formula.insert(gtin, known);
                known
            }
        };
        let origin = if is_formula {
            store.lot_origin(lot).await?
        } else {
            None
        };
        self.origins.insert(lot.to_owned(), origin.clone());
        Ok(origin)
    }
}

/// Whether the viewer reads a lot's quality records (its maker, a regulator of the place it
/// was made, the admin).
fn reads(viewer: &Viewer, origin: &LotOrigin) -> bool {
    matches!(
        lab::lot_access(viewer, origin),
        LotAccess::Maker | LotAccess::Regulator
    )
}

/// Every event of a query, page by page (as `viewer`), at most `max`; and whether it stopped.
async fn all_events(
    store: &dyn Store,
    viewer: &Viewer,
    params: &[(&str, &str)],
    max: usize,
) -> Result<(Vec<anxin_store::StoredEvent>, bool), AppError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut query: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        query.push(("perPage".to_owned(), "1000".to_owned()));
        if let Some(token) = &token {
            query.push(("nextPageToken".to_owned(), token.clone()));
        }
        let query = EventQuery::parse(&query, &Vec::<(String, String)>::new())
            .map_err(|err| AppError::internal(format!("{err:?}")))?;
        let page = store.list_events(viewer, &query).await?;
        for event in page.events {
            if out.len() >= max {
                return Ok((out, true));
            }
            out.push(event);
        }
        match page.next_page_token {
            Some(next) => token = Some(next),
            None => return Ok((out, false)),
        }
    }
}

/// The shipping events the viewer sees, with the lots each carried (LGTINs in
/// `quantityList`, and for EPCs the lots their cans belong to through the trace graph).
async fn read_shipments(
    store: &dyn Store,
    tracer: Option<&crate::trace::Tracer>,
    viewer: &Viewer,
) -> Result<(Vec<Shipment>, bool), AppError> {
    let (events, truncated) = all_events(
        store,
        viewer,
        &[("EQ_bizStep", "shipping")],
        FINDINGS_SHIPMENTS_MAX,
    )
    .await?;
    let mut shipments = Vec::new();
    for stored in events {
        let body: serde_json::Value =
            serde_json::from_str(&stored.body).map_err(AppError::internal)?;
        let Some(time) = body["eventTime"]
            .as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        else {
            continue;
        };
        let mut lots: Vec<String> = body["quantityList"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|q| q["epcClass"].as_str())
            .filter_map(|class| lab::canonical_subject(SampleOf::Lot, class).ok())
            .collect();
        let epcs: Vec<String> = body["epcList"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.as_str().map(str::to_owned))
            .collect();
        if let (Some(tracer), false) = (tracer, epcs.is_empty()) {
            let followed = tracer.read().await.map_err(AppError::from)?;
            for epc in &epcs {
                if let Ok(trace) = followed.graph().backward(epc) {
                    lots.extend(
                        trace
                            .links
                            .into_iter()
                            .filter(|l| l.relation == anxin_trace::Relation::LotMembership)
                            .filter_map(|l| {
                                lab::canonical_subject(SampleOf::Lot, &l.upstream).ok()
                            }),
                    );
                }
            }
        }
        lots.sort();
        lots.dedup();
        if !lots.is_empty() {
            shipments.push(Shipment {
                event: stored.event_id,
                time_ms: time.as_millisecond(),
                party: stored.party,
                lots,
            });
        }
    }
    Ok((shipments, truncated))
}

/// Lots released by their maker's `inspecting`/`conformant` event, judged on their stored
/// results: a failed binding limit or a missing required result is a finding.
async fn release_findings(
    store: &dyn Store,
    viewer: &Viewer,
    lots: &mut LotBook,
) -> Result<Vec<Finding>, AppError> {
    let (events, _) = all_events(
        store,
        &admin_viewer(),
        &[
            ("EQ_bizStep", "inspecting"),
            ("EQ_disposition", "conformant"),
        ],
        usize::MAX,
    )
    .await?;
    let mut judged: BTreeMap<String, ()> = BTreeMap::new();
    let mut found = Vec::new();
    for stored in events {
        let body: serde_json::Value =
            serde_json::from_str(&stored.body).map_err(AppError::internal)?;
        let Some(time) = body["eventTime"]
            .as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        else {
            continue;
        };
        let classes: Vec<String> = body["quantityList"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|q| q["epcClass"].as_str())
            .filter_map(|class| lab::canonical_subject(SampleOf::Lot, class).ok())
            .collect();
        for lot in classes {
            if judged.contains_key(&lot) {
                continue;
            }
            let Some(origin) = lots.formula_origin(store, &lot).await? else {
                continue;
            };
            let by_maker = stored
                .party
                .as_deref()
                .is_none_or(|party| origin.made_by(party));
            if !by_maker || !reads(viewer, &origin) {
                continue;
            }
            judged.insert(lot.clone(), ());
            let Ok(prepared) = prepare_judgment(store, &origin).await else {
                continue; // a lot that cannot be judged (no stage, results that conflict)
            };
            let judgment = anxin_quality::judge(
                catalogue()?,
                prepared.committed.as_ref().map(|(_, e)| e),
                &prepared.sample,
            );
            let release = LotRelease {
                lot: lot.clone(),
                released_ms: time.as_millisecond(),
                event: stored.event_id.clone(),
            };
            found.extend(finding::released_against_judgment(
                &release,
                origin.maker(),
                &judgment,
            ));
        }
    }
    Ok(found)
}

/// Transformations the viewer sees that used raw milk rejected at receiving (or undecided),
/// judged from the stored receiving tests.
async fn milk_findings(store: &dyn Store, viewer: &Viewer) -> Result<Vec<Finding>, AppError> {
    let (events, _) = all_events(
        store,
        viewer,
        &[("eventType", "TransformationEvent")],
        usize::MAX,
    )
    .await?;
    let mut deliveries: BTreeMap<String, Option<(String, anxin_quality::raw_milk::Delivery)>> =
        BTreeMap::new();
    let mut uses = Vec::new();
    for stored in events {
        let body: serde_json::Value =
            serde_json::from_str(&stored.body).map_err(AppError::internal)?;
        for class in body["inputQuantityList"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|q| q["epcClass"].as_str())
        {
            if !deliveries.contains_key(class) {
                let rows = store.raw_milk_tests(class).await?;
                let plant = rows
                    .first()
                    .map(|r| r.plant_gln.clone())
                    .unwrap_or_default();
                deliveries.insert(
                    class.to_owned(),
                    anxin_store::quality::delivery(&rows)?.map(|d| (plant, d)),
                );
            }
            // Only inputs with receiving tests are known to be raw milk.
            if deliveries.get(class).is_some_and(Option::is_some) {
                uses.push(finding::MilkUseAt {
                    milk_use: anxin_quality::raw_milk::MilkUse {
                        transformation: stored.event_id.clone(),
                        delivery: class.to_owned(),
                    },
                    plant: stored.party.clone(),
                });
            }
        }
    }
    // Each delivery against the national standards and its receiving plant's committed
    // raw-milk standard, as `GET /api/v1/raw-milk/deliveries/{id}` judges it.
    let mut standards: BTreeMap<String, Option<EnterpriseStandard>> = BTreeMap::new();
    for (plant, _) in deliveries.values().flatten() {
        if !standards.contains_key(plant) {
            let committed = crate::api::quality::plant_standard(store, plant).await?;
            standards.insert(plant.clone(), committed.map(|(_, reviewed)| reviewed));
        }
    }
    let mut acceptances = Vec::new();
    for (plant, delivery) in deliveries.values().flatten() {
        let standard = standards.get(plant).and_then(Option::as_ref);
        if let Ok(acceptance) = anxin_quality::raw_milk::accept(catalogue()?, standard, delivery) {
            acceptances.push(acceptance);
        }
    }
    Ok(finding::rejected_milk_used(&acceptances, &uses))
}

/// Lots on HACCP hold (from each plant's stored records) that shipped before their corrective
/// action, or are still on hold.
async fn hold_findings(
    store: &dyn Store,
    viewer: &Viewer,
    lots: &mut LotBook,
    shipments: &[Shipment],
) -> Result<Vec<Finding>, AppError> {
    let plants: Vec<String> = match viewer.account.role {
        Role::Manufacturer => viewer
            .account
            .party
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        _ => {
            let mut plants: Vec<String> = store
                .list_accounts()
                .await?
                .into_iter()
                .filter(|a| a.role == Role::Manufacturer)
                .filter_map(|a| a.party.map(|p| p.as_str().to_owned()))
                .collect();
            plants.sort();
            plants.dedup();
            plants
        }
    };
    let mut found = Vec::new();
    for plant in plants {
        let holds = anxin_store::quality::holds(store, &plant).await?;
        let mut visible = Vec::new();
        for hold in holds {
            let canonical = lab::canonical_subject(SampleOf::Lot, &hold.lot)
                .unwrap_or_else(|_| hold.lot.clone());
            let readable = match lots.formula_origin(store, &canonical).await? {
                Some(origin) => reads(viewer, &origin),
                // A lot no event made: only its plant's manufacturer and the admin.
                None => matches!(viewer.scope(), Scope::Everything | Scope::Party(_)),
            };
            if readable {
                visible.push(anxin_quality::haccp::Hold {
                    lot: canonical,
                    ..hold
                });
            }
        }
        found.extend(finding::hold_findings(&visible, Some(&plant), shipments));
    }
    Ok(found)
}

/// Lots listed for one viewer at most (`/app/lots`); an assumption of ours that keeps one page
/// bounded. The page says when it stopped there.
pub const LOTS_LISTED_MAX: usize = 500;

/// One lot as the manufacturer's lot list shows it.
#[derive(Clone, Debug, Serialize)]
pub struct LotStanding {
    /// The lot's origin.
    pub origin: LotOrigin,
    /// Its facts (product, stage, production date), when master data has a stage.
    pub facts: Option<LotFacts>,
    /// The verdict on its current results; none when they cannot be judged together.
    pub verdict: Option<Verdict>,
    /// How many results are on file (current ones).
    pub results: usize,
    /// The verdict is `incomplete` only because a standard's tables are not in the platform's
    /// data (GB 10766/10767-2021): a data gap, not the maker's.
    pub data_gap: bool,
    /// The first release (the maker's `inspecting`/`conformant` event), China time.
    pub released_at: Option<String>,
    /// The certificate of analysis, when a release row was recorded.
    pub certificate: Option<String>,
}

/// The formula lots the viewer may read the quality records of (its own as a manufacturer,
/// those made in its jurisdiction as a regulator, all as the admin), from the events that made
/// them (transformation outputs, ObjectEvent ADD naming a class), newest first; and whether
/// the list stopped at [`LOTS_LISTED_MAX`].
pub async fn lots_of(
    store: &dyn Store,
    viewer: &Viewer,
) -> Result<(Vec<LotOrigin>, bool), AppError> {
    let mut book = LotBook::default();
    let mut out: Vec<LotOrigin> = Vec::new();
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    let mut truncated = false;
    for (params, list) in [
        (
            vec![("eventType", "TransformationEvent")],
            "outputQuantityList",
        ),
        (
            vec![("eventType", "ObjectEvent"), ("EQ_action", "ADD")],
            "quantityList",
        ),
    ] {
        let (events, _) = all_events(store, viewer, &params, usize::MAX).await?;
        for stored in events {
            let body: serde_json::Value =
                serde_json::from_str(&stored.body).map_err(AppError::internal)?;
            for class in body[list]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|q| q["epcClass"].as_str())
            {
                let Ok(lot) = lab::canonical_subject(SampleOf::Lot, class) else {
                    continue;
                };
                if seen.insert(lot.clone(), ()).is_some() {
                    continue;
                }
                if let Some(origin) = book.formula_origin(store, &lot).await?
                    && reads(viewer, &origin)
                {
                    if out.len() >= LOTS_LISTED_MAX {
                        truncated = true;
                        break;
                    }
                    out.push(origin);
                }
            }
        }
    }
    out.sort_by(|a, b| {
        b.event_time_ms
            .cmp(&a.event_time_ms)
            .then(a.lot.cmp(&b.lot))
    });
    Ok((out, truncated))
}

/// A lot's standing: verdict on its current results, release and certificate.
pub async fn standing(store: &dyn Store, origin: LotOrigin) -> Result<LotStanding, AppError> {
    let (facts, verdict, results, data_gap) = match prepare_judgment(store, &origin).await {
        Ok(prepared) => {
            let judgment = anxin_quality::judge(
                catalogue()?,
                prepared.committed.as_ref().map(|(_, e)| e),
                &prepared.sample,
            );
            let data_gap = judgment.verdict == Verdict::Incomplete
                && judgment
                    .checks
                    .iter()
                    .filter(|c| {
                        matches!(
                            c.outcome,
                            anxin_quality::Outcome::Missing | anxin_quality::Outcome::Undetermined
                        )
                    })
                    .all(finding::is_coverage_gap);
            (
                Some(prepared.facts),
                Some(judgment.verdict),
                prepared.result_ids.len(),
                data_gap,
            )
        }
        Err(_) => (lot_facts(store, &origin).await.ok(), None, 0, false),
    };
    let released_at = released_by_events(store, &origin)
        .await?
        .iter()
        .map(|r| r.released_ms)
        .min()
        .map(rfc3339);
    let certificate = if store.releases(&origin.lot).await?.is_empty() {
        None
    } else {
        Some(certificate_path(&origin.lot))
    };
    Ok(LotStanding {
        origin,
        facts,
        verdict,
        results,
        data_gap,
        released_at,
        certificate,
    })
}

/// The HACCP holds on the viewer's lots: each lot with whether it is still on hold.
pub async fn holds_of(store: &dyn Store, plant: &str) -> Result<BTreeMap<String, bool>, AppError> {
    let mut out: BTreeMap<String, bool> = BTreeMap::new();
    for hold in anxin_store::quality::holds(store, plant).await? {
        let lot = lab::canonical_subject(SampleOf::Lot, &hold.lot).unwrap_or(hold.lot.clone());
        let on = out.entry(lot).or_insert(false);
        *on |= hold.is_on_hold();
    }
    Ok(out)
}

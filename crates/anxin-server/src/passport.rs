//! The public product passport at the GS1 Digital Link paths `/01/{GTIN}/21/{serial}` (a can)
//! and `/01/{GTIN}/10/{lot}` (a lot): no login, server-rendered Chinese HTML (askama,
//! `templates/passport.html`), or the same facts as JSON to `Accept: application/json`.
//!
//! What it shows comes from three places: the trace graph (where the item is now, its
//! dispositions, so a recall's `recalled` shows), the events naming the item (its journey,
//! its production and expiry dates from the commissioning ILMD, and its retail sales: a serial
//! sold more than once is a copied serial), and the ledger (the commissioning event's
//! inclusion proof, verified here against the signed tree head with the platform's key).
//! Product and place names come from the master data the parties sent.
//!
//! Bad codes get a Chinese page with the right status: 400 for a malformed code or a wrong
//! check digit, 404 for a code no event names ("may be a fake").

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::AppState;
use crate::pages::{Chrome, Lang, Page};

/// Source places listed at most; an assumption of ours (a lot draws on a few farms and a
/// handful of ingredient lots), keeping the page short.
const SOURCES_MAX: usize = 30;

/// The passport routes, and the QR code images their pages show.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/01/{gtin}/21/{serial}", get(can_passport))
        .route("/01/{gtin}/10/{lot}", get(lot_passport))
        .route("/qr/01/{gtin}/21/{serial}", get(can_qr))
        .route("/qr/01/{gtin}/10/{lot}", get(lot_qr))
}

/// How long a browser may keep a QR code image: a year, the longest RFC 9111 caches are
/// told to keep anything (`immutable`: the image is a function of the code alone and never
/// changes).
const QR_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The path of the QR code image of a canonical Digital Link (`/qr` + its path).
pub fn qr_path(link: &str) -> String {
    let path = link.strip_prefix("https://id.gs1.org").unwrap_or(link);
    format!("/qr{path}")
}

async fn can_qr(Path((gtin, serial)): Path<(String, String)>, page: Page) -> Response {
    qr_image(&format!("https://id.gs1.org/01/{gtin}/21/{serial}"), &page)
}

async fn lot_qr(Path((gtin, lot)): Path<(String, String)>, page: Page) -> Response {
    qr_image(&format!("https://id.gs1.org/01/{gtin}/10/{lot}"), &page)
}

/// The QR code of a passport's Digital Link as an SVG image. It is drawn from the code alone
/// (whether any event names it is the passport's business, not the image's), so it is the
/// same for every visitor and kept by browsers; a passport page loads it lazily, which keeps
/// drawing it (most of a page's cost when it was inline) off the page's own path.
fn qr_image(asked: &str, page: &Page) -> Response {
    let t = page.t();
    let key = match read_code(asked, false, page) {
        Ok(key) => key,
        Err(refused) => return *refused,
    };
    let svg = qr_svg(&key.to_digital_link());
    if svg.is_empty() {
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            false,
            page,
            t.passport_page_error_title,
            t.passport_page_error,
            asked,
        );
    }
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, QR_CACHE_CONTROL),
        ],
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{svg}"),
    )
        .into_response()
}

/// One step of an item's journey. In JSON: `time`, `biz_step`, `label`, `place` (the place's
/// name, when its owner sent master data) and `address` (its city or address).
#[derive(Clone, Debug)]
pub struct Step {
    /// When (as written, with its offset): always [`anxin_trace::JourneyStep::time_as_written`]'s
    /// text (digits and `-T:.+`), which the page writes without escaping; so it is set only
    /// here.
    time: String,
    /// The CBV business step, e.g. `shipping`.
    pub biz_step: String,
    /// The step in Chinese.
    pub label: &'static str,
    /// The place, when its owner sent master data (shared with the directory, not copied).
    pub place: Option<std::sync::Arc<crate::directory::PlaceView>>,
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Step", 5)?;
        out.serialize_field("time", &self.time)?;
        out.serialize_field("biz_step", &self.biz_step)?;
        out.serialize_field("label", self.label)?;
        out.serialize_field(
            "place",
            &self.place.as_ref().and_then(|p| p.record.name.as_deref()),
        )?;
        out.serialize_field(
            "address",
            &self.place.as_ref().and_then(|p| p.city.as_deref()),
        )?;
        out.end()
    }
}

impl Step {
    /// The place's name and city as escaped HTML (` · name (city)`), or nothing.
    pub fn place_html(&self) -> &str {
        self.place.as_ref().map_or("", |place| place.html.as_str())
    }

    /// When, as written (RFC 3339 with the offset it was written in).
    pub fn time(&self) -> &str {
        &self.time
    }

    /// Appends the time as a reader wants it: the date and minute as written at the place
    /// (its own offset), e.g. `2026-10-01 14:00` from `2026-10-01T14:00:20+08:00`.
    fn write_shown_time(&self, out: &mut String) {
        match (self.time.get(..10), self.time.get(11..16)) {
            (Some(date), Some(minute)) if self.time.as_bytes().get(10) == Some(&b'T') => {
                out.push_str(date);
                out.push(' ');
                out.push_str(minute);
            }
            _ => out.push_str(&self.time),
        }
    }
}

/// A passport's journey as the page's list items (`<li>…</li>` and a newline each), written
/// into one string rather than through the template: a journey has a dozen steps, and
/// escaping each step's time and label again on every page was a visible part of its cost.
/// Nothing here needs escaping but the place, which its [`crate::directory::PlaceView`] holds
/// escaped already: the time is `time_as_written`'s digits and `-T:.+`, and a step's label
/// is one of [`crate::pages::Texts::step`]'s fixed words (the tests check both).
fn journey_html(steps: &[Step], lang: Lang) -> String {
    let texts = lang.texts();
    let mut html = String::with_capacity(steps.len() * 192);
    for step in steps {
        html.push_str("<li><time datetime=\"");
        html.push_str(&step.time);
        html.push_str("\">");
        step.write_shown_time(&mut html);
        html.push_str("</time> ");
        // `label` is the Chinese word already (the JSON form's).
        html.push_str(if lang == Lang::Zh {
            step.label
        } else {
            texts.step(&step.biz_step)
        });
        html.push_str(step.place_html());
        html.push_str("</li>\n");
    }
    html
}

/// A place the item's raw milk or an ingredient came from.
#[derive(Serialize, Clone, Debug)]
pub struct Source {
    /// The place's name (a farm, a cooperative, an ingredient supplier).
    pub name: String,
    /// Its city.
    pub city: Option<String>,
}

/// The ledger check of the item's first event.
#[derive(Serialize, Clone, Debug)]
pub struct LedgerCheck {
    /// The event's ID.
    pub event_id: String,
    /// Whether the inclusion proof verified against the signed head.
    pub verified: bool,
    /// The signed head's tree size.
    pub tree_size: u64,
    /// Where to fetch the raw proof.
    pub proof_url: String,
}

/// A passport's facts.
#[derive(Serialize, Clone, Debug)]
pub struct Passport {
    /// The canonical GS1 Digital Link.
    pub link: String,
    /// `can` or `lot`.
    pub kind: &'static str,
    /// The GTIN-14.
    pub gtin: String,
    /// The serial, for a can.
    pub serial: Option<String>,
    /// The lot number.
    pub lot: Option<String>,
    /// Product name, brand and stage from master data.
    pub product: Option<String>,
    /// The brand.
    pub brand: Option<String>,
    /// The stage (段).
    pub stage: Option<String>,
    /// Production date from the commissioning ILMD.
    pub production_date: Option<String>,
    /// Expiry date from the commissioning ILMD.
    pub expiry_date: Option<String>,
    /// The maker's place.
    pub made_at: Option<String>,
    /// The food production licence (SC + 14 digits) that place declares in its master data;
    /// `None` when none is on file (always so for a can made abroad).
    pub production_licence: Option<String>,
    /// The infant-formula recipe registration number (国食注字YP…) the product declares in
    /// its master data; `None` when none is on file.
    pub formula_registration: Option<String>,
    /// The item's journey, oldest first.
    pub journey: Vec<Step>,
    /// Where its milk and ingredients were made (the backward trace's sources' places).
    pub sources: std::sync::Arc<Vec<Source>>,
    /// Recalled (the graph's disposition).
    pub recalled: bool,
    /// Past its expiry date (compared with the server's date, China time).
    pub expired: bool,
    /// Sold at retail in more than one place: the cities.
    pub sold_in: Vec<String>,
    /// A copied serial: sold more than once.
    pub suspicious: bool,
    /// The ledger check.
    pub ledger: Option<LedgerCheck>,
    /// Batch release (批批检验) and the committed enterprise standard (shared with the
    /// lot's kept view, not copied per page).
    pub quality: std::sync::Arc<QualityStatus>,
    /// The lot's view the sources and quality came from (for the page's lot-level part).
    #[serde(skip)]
    lot_view: std::sync::Arc<LotView>,
}

/// What the passport says about the lot's release and the product's committed standard.
#[derive(Serialize, Clone, Debug, Default)]
pub struct QualityStatus {
    /// Tested and released: an `inspecting` event with disposition `conformant` by the lot's
    /// maker.
    pub released: bool,
    /// When (the first release), RFC 3339, China time.
    pub released_at: Option<String>,
    /// The certificate of analysis, when the release was made on this platform.
    pub certificate: Option<String>,
    /// Whether the store knows the event that made the lot (so a missing release means one;
    /// an imported lot commissioned can by can abroad has none, and its release is unknown).
    pub lot_known: bool,
    /// The enterprise standard committed publicly (公开承诺) for the product.
    pub enterprise_standard: Option<crate::lab::CommittedView>,
}

#[derive(Template)]
#[template(path = "passport.html")]
struct PassportPage<'a> {
    c: Chrome,
    p: &'a Passport,
    /// Where the page's QR code image is ([`qr_path`]).
    qr_url: String,
    /// The lot-level part, rendered once per lot and language ([`LotView::html`]).
    lot_html: &'a str,
    /// The journey's list items ([`journey_html`]).
    journey_html: &'a str,
}

/// Room reserved for a passport page before rendering it: a can's page is about 4 KB, so one
/// allocation holds it instead of a string doubling its way there.
const PAGE_BYTES_RESERVED: usize = 6 * 1024;

/// The lot-level part of a passport page (`templates/passport_lot.html`).
#[derive(Template)]
#[template(path = "passport_lot.html")]
struct LotPart<'a> {
    t: &'static crate::pages::i18n::Texts,
    v: &'a LotView,
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

fn problem(
    status: StatusCode,
    json: bool,
    page: &Page,
    title: &str,
    detail: &str,
    code: &str,
) -> Response {
    if json {
        return (
            status,
            Json(serde_json::json!({"status": status.as_u16(), "title": title, "detail": detail, "code": code})),
        )
            .into_response();
    }
    crate::pages::problem(status, Chrome::public(page), title, detail)
}

async fn can_passport(
    State(state): State<AppState>,
    Path((gtin, serial)): Path<(String, String)>,
    page: Page,
    headers: HeaderMap,
) -> Response {
    answer(
        &state,
        &format!("https://id.gs1.org/01/{gtin}/21/{serial}"),
        &page,
        &headers,
    )
    .await
}

async fn lot_passport(
    State(state): State<AppState>,
    Path((gtin, lot)): Path<(String, String)>,
    page: Page,
    headers: HeaderMap,
) -> Response {
    answer(
        &state,
        &format!("https://id.gs1.org/01/{gtin}/10/{lot}"),
        &page,
        &headers,
    )
    .await
}

/// The code a visitor asked for, read as a GS1 key; a page (or JSON problem) saying why not
/// when it is over-long (414) or not a well-formed code with a right check digit (400).
fn read_code(asked: &str, json: bool, page: &Page) -> Result<anxin_gs1::Gs1Key, Box<Response>> {
    let t = page.t();
    if asked.len() > 200 {
        return Err(Box::new(problem(
            StatusCode::URI_TOO_LONG,
            json,
            page,
            t.passport_too_long_title,
            t.passport_too_long,
            "",
        )));
    }
    anxin_gs1::Gs1Key::parse(asked).map_err(|_| {
        Box::new(problem(
            StatusCode::BAD_REQUEST,
            json,
            page,
            t.passport_bad_code_title,
            t.passport_bad_code,
            asked,
        ))
    })
}

async fn answer(state: &AppState, asked: &str, page: &Page, headers: &HeaderMap) -> Response {
    let json = wants_json(headers);
    let t = page.t();
    let key = match read_code(asked, json, page) {
        Ok(key) => key,
        Err(refused) => return *refused,
    };
    let link = key.to_digital_link();
    match passport_of(state, &key, &link).await {
        Ok(Some(passport)) if json => Json(passport).into_response(),
        Ok(Some(passport)) => {
            let qr_url = qr_path(&passport.link);
            let lot_html = passport.lot_view.html(page.lang);
            let journey_html = journey_html(&passport.journey, page.lang);
            let mut html = String::with_capacity(PAGE_BYTES_RESERVED);
            match (PassportPage {
                c: Chrome::public(page),
                p: &passport,
                qr_url,
                lot_html: &lot_html,
                journey_html: &journey_html,
            })
            .render_into(&mut html)
            {
                Ok(()) => {
                    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
                }
                Err(_) => problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json,
                    page,
                    t.passport_page_error_title,
                    t.passport_page_error,
                    &link,
                ),
            }
        }
        Ok(None) => problem(
            StatusCode::NOT_FOUND,
            json,
            page,
            t.passport_fake_title,
            t.passport_fake,
            &link,
        ),
        Err(_) => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            json,
            page,
            t.unavailable_title,
            t.passport_unavailable,
            &link,
        ),
    }
}

/// The QR code of a Digital Link as an SVG element (medium error correction).
pub fn qr_svg(link: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build()
            .split_once("?>")
            .map_or_else(String::new, |(_, svg)| svg.to_owned()),
        Err(_) => String::new(),
    }
}

/// A step's Chinese label (the JSON form's `label`; the HTML page takes its language's).
fn step_label(step: &str) -> &'static str {
    Lang::Zh.texts().step(step)
}

/// The passport of an item by its canonical Digital Link (any other form of the code is
/// read and written canonically first); `None` when no event names it.
///
/// Answered from memory once warm: the item's state, journey and dates from the trace graph
/// ([`anxin_trace::TraceGraph::journey_of_link`]), names from [`crate::directory::MasterData`], the
/// lot's sources and quality from [`LotFacts`], and the ledger check from the in-memory tree
/// with the commissioning leaf's row kept ([`crate::ledger::Ledger::check_leaf`]).
pub async fn passport(state: &AppState, link: &str) -> Result<Option<Passport>, String> {
    let key = anxin_gs1::Gs1Key::parse(link).map_err(|err| err.to_string())?;
    passport_of(state, &key, &key.to_digital_link()).await
}

/// [`passport`] for a key already read, whose canonical Digital Link is `link`.
async fn passport_of(
    state: &AppState,
    key: &anxin_gs1::Gs1Key,
    link: &str,
) -> Result<Option<Passport>, String> {
    let unavailable = |_| "平台暂时无法查询，请稍后再试。".to_owned();
    let (gtin, serial, lot) = match key {
        anxin_gs1::Gs1Key::Sgtin(sgtin) => (
            sgtin.gtin().to_string(),
            Some(sgtin.serial().to_owned()),
            None,
        ),
        anxin_gs1::Gs1Key::Lgtin(lgtin) => {
            (lgtin.gtin().to_string(), None, Some(lgtin.lot().to_owned()))
        }
        _ => return Ok(None),
    };
    let Some(tracer) = &state.tracer else {
        return Err("追溯图尚未就绪，请稍后再试。".to_owned());
    };
    let now_ms = anxin_store::now_ms();
    let (journey, leaves) = {
        let followed = tracer.read().await.map_err(unavailable)?;
        // `link` is the key's canonical Digital Link, so the graph finds it as it is.
        (
            followed.graph().journey_of_link(link, now_ms),
            followed.leaves_applied(),
        )
    };
    let Some(journey) = journey else {
        return Ok(None);
    };
    let item = &journey.state;
    let kind = if serial.is_some() { "can" } else { "lot" };
    let lot_link = if kind == "lot" {
        Some(link.to_owned())
    } else {
        item.lot.clone()
    };
    let facts = state
        .lot_facts
        .get(state, link, lot_link.as_deref(), &gtin, leaves)
        .await
        .map_err(unavailable)?;
    let mut passport = Passport {
        link: link.to_owned(),
        kind,
        gtin: gtin.clone(),
        serial,
        // A can's lot number is its lot's, read once with the lot's view.
        lot: lot.or_else(|| facts.lot_number.clone()),
        product: None,
        brand: None,
        stage: None,
        production_date: journey.production_date.clone(),
        expiry_date: journey.expiry_date.clone(),
        made_at: None,
        production_licence: None,
        formula_registration: None,
        journey: Vec::with_capacity(journey.steps.len()),
        sources: std::sync::Arc::default(),
        recalled: item
            .disposition
            .as_deref()
            .is_some_and(|d| d.ends_with("recalled"))
            || item
                .persistent_dispositions
                .iter()
                .any(|d| d.ends_with("recalled")),
        expired: false,
        sold_in: Vec::new(),
        suspicious: false,
        ledger: None,
        quality: std::sync::Arc::default(),
        lot_view: std::sync::Arc::default(),
    };
    // Names of the product and places come from the in-memory directory (`directory.rs`),
    // read through from the store's master data.
    let master = &state.master_data;
    if let Ok(Some(product)) = master
        .product(&*state.store, &format!("https://id.gs1.org/01/{gtin}"))
        .await
    {
        passport.product = product.name.clone();
        passport.brand = product.brand.clone();
        passport.stage = product.stage.clone();
        passport
            .formula_registration
            .clone_from(&product.formula_registration);
    }
    let mut made_by: Option<u64> = None;
    let looked_up = std::time::Instant::now();
    // Steps come in runs at one place (made, packed and shipped at the factory), so a place
    // is looked up once per run.
    let mut last_place: Option<(&str, Option<std::sync::Arc<crate::directory::PlaceView>>)> = None;
    let mut journey = journey;
    for step in &mut journey.steps {
        // Taken, not copied: the journey is the page's own.
        let biz_step = step.biz_step.take().unwrap_or_default();
        let step: &anxin_trace::JourneyStep = step;
        let place = match (&step.place, &last_place) {
            (Some(id), Some((last_id, last_view))) if id == last_id => last_view.clone(),
            (Some(id), _) => {
                let view = master
                    .place_at(&*state.store, id, looked_up)
                    .await
                    .ok()
                    .flatten();
                last_place = Some((id, view.clone()));
                view
            }
            (None, _) => None,
        };
        if step.own && biz_step.ends_with("commissioning") && made_by.is_none() {
            made_by = Some(step.event_seq);
            passport.made_at = place.as_ref().and_then(|place| place.record.name.clone());
            passport.production_licence = place
                .as_ref()
                .and_then(|place| place.record.production_licence.clone());
        }
        if biz_step.ends_with("retail_selling") && kind == "can" {
            passport.sold_in.push(
                place
                    .as_ref()
                    .and_then(|place| place.city.clone())
                    .unwrap_or_else(|| Lang::Zh.texts().passport_unknown_place.to_owned()),
            );
        }
        passport.journey.push(Step {
            time: step.time_as_written(),
            label: step_label(&biz_step),
            biz_step,
            place,
        });
    }
    passport.suspicious = passport.sold_in.len() > 1;
    if let Some(expiry) = passport
        .expiry_date
        .as_deref()
        .and_then(|date| date.parse::<jiff::civil::Date>().ok())
    {
        let today = jiff::Timestamp::from_millisecond(now_ms).map(|now| {
            now.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)))
                .date()
        });
        passport.expired = today.is_ok_and(|today| today > expiry);
    }
    passport.sources = std::sync::Arc::clone(&facts.sources);
    passport.quality = std::sync::Arc::clone(&facts.quality);
    passport.lot_view = facts;
    // The graph's sequence numbers are leaf index + 1 (see `crate::trace`).
    if let (Some(ledger), Some(event_seq)) = (&state.ledger, made_by)
        && let Ok(check) = ledger.check_leaf(event_seq - 1).await
    {
        passport.ledger = Some(LedgerCheck {
            verified: check.verified,
            tree_size: check.tree_size,
            proof_url: check.proof_path,
            event_id: check.event_id,
        });
    }
    Ok(Some(passport))
}

/// What a passport says of its lot rather than of its item: where the lot's milk and
/// ingredients came from, its release and the product's committed standard.
#[derive(Debug, Default)]
pub struct LotView {
    /// The lot's number (`10` of its Digital Link); `None` for an item in no lot.
    pub lot_number: Option<String>,
    /// The places of the backward trace's sources.
    pub sources: std::sync::Arc<Vec<Source>>,
    /// Release and committed standard.
    pub quality: std::sync::Arc<QualityStatus>,
    /// The page's lot-level part, rendered on first use, per language (Chinese, English).
    html: [std::sync::OnceLock<String>; 2],
}

impl LotView {
    /// The page's lot-level part in `lang` (release, committed standard, sources), rendered
    /// once and kept with the view: every can of the lot shows the same.
    fn html(&self, lang: Lang) -> std::borrow::Cow<'_, str> {
        let slot = &self.html[usize::from(lang != Lang::Zh)];
        if let Some(html) = slot.get() {
            return std::borrow::Cow::Borrowed(html);
        }
        match (LotPart {
            t: lang.texts(),
            v: self,
        })
        .render()
        {
            Ok(html) => std::borrow::Cow::Borrowed(slot.get_or_init(|| html)),
            // A page without it says nothing false; the error is the template's, logged.
            Err(err) => {
                tracing::warn!("the passport's lot part did not render: {err}");
                std::borrow::Cow::Owned(String::new())
            }
        }
    }
}

/// The passport's lot-level facts, kept per lot: every can of a lot shares them, and working
/// them out (a backward trace, the release events, the committed standard) was most of a
/// passport's cost.
///
/// A kept view is used while the ledger has the size it had when the view was made (so a
/// release, captured as an event, shows on the next page), no enterprise standard has been
/// committed through this server since ([`LotFacts::standards_changed`]), and it is younger
/// than [`crate::directory::MASTER_DATA_QUIET`] (which bounds how long a standard committed
/// by another process, or a source renamed, takes to show).
#[derive(Default)]
pub struct LotFacts {
    kept: std::sync::RwLock<std::collections::HashMap<String, KeptLot>>,
    generation: std::sync::atomic::AtomicU64,
}

struct KeptLot {
    leaves: u64,
    generation: u64,
    made: std::time::Instant,
    view: std::sync::Arc<LotView>,
}

/// Lots kept at most; beyond it the map is emptied and refilled on demand. An assumption of
/// ours, far above the lots of the large simulated world.
const LOTS_KEPT_MAX: usize = 100_000;

impl std::fmt::Debug for LotFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LotFacts").finish_non_exhaustive()
    }
}

impl LotFacts {
    /// Says that a committed standard changed, so every kept view is made again.
    pub fn standards_changed(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// The view of `lot` (or, for an item in no lot, of `item` itself, not kept), at a
    /// ledger of `leaves` leaves.
    async fn get(
        &self,
        state: &AppState,
        item: &str,
        lot: Option<&str>,
        gtin: &str,
        leaves: u64,
    ) -> Result<std::sync::Arc<LotView>, anxin_store::StoreError> {
        let generation = self.generation.load(std::sync::atomic::Ordering::Acquire);
        let Some(lot) = lot else {
            return Ok(std::sync::Arc::new(
                lot_view(state, item, None, gtin).await?,
            ));
        };
        if let Some(view) = self.kept.read().ok().and_then(|kept| {
            kept.get(lot)
                .filter(|k| {
                    k.leaves == leaves
                        && k.generation == generation
                        && k.made.elapsed() < crate::directory::MASTER_DATA_QUIET
                })
                .map(|k| std::sync::Arc::clone(&k.view))
        }) {
            return Ok(view);
        }
        let made = std::time::Instant::now();
        let view = std::sync::Arc::new(lot_view(state, lot, Some(lot), gtin).await?);
        if let Ok(mut kept) = self.kept.write() {
            if kept.len() >= LOTS_KEPT_MAX {
                kept.clear();
            }
            kept.insert(
                lot.to_owned(),
                KeptLot {
                    leaves,
                    generation,
                    made,
                    view: std::sync::Arc::clone(&view),
                },
            );
        }
        Ok(view)
    }
}

/// Works out a lot's view: the sources of `traced`'s backward trace, and the quality status.
async fn lot_view(
    state: &AppState,
    traced: &str,
    lot: Option<&str>,
    gtin: &str,
) -> Result<LotView, anxin_store::StoreError> {
    let mut places: Vec<String> = match &state.tracer {
        Some(tracer) => tracer
            .read()
            .await?
            .graph()
            .backward(traced)
            .map(|trace| {
                trace
                    .sources
                    .into_iter()
                    .flat_map(|source| source.origin_events)
                    .filter_map(|origin| origin.biz_location)
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    places.sort();
    places.dedup();
    places.truncate(SOURCES_MAX);
    let mut sources = Vec::with_capacity(places.len());
    let looked_up = std::time::Instant::now();
    for id in &places {
        if let Some(place) = state
            .master_data
            .place_at(&*state.store, id, looked_up)
            .await?
        {
            sources.push(Source {
                name: place.record.name.clone().unwrap_or_else(|| id.clone()),
                city: place.city.clone(),
            });
        }
    }
    let lot_number = lot.and_then(|lot| match anxin_gs1::Gs1Key::parse(lot).ok()? {
        anxin_gs1::Gs1Key::Lgtin(lgtin) => Some(lgtin.lot().to_owned()),
        _ => None,
    });
    Ok(LotView {
        lot_number,
        sources: std::sync::Arc::new(sources),
        quality: std::sync::Arc::new(quality_status(state, gtin, lot).await?),
        html: Default::default(),
    })
}

/// The lot's release and the product's committed standard.
async fn quality_status(
    state: &AppState,
    gtin: &str,
    lot: Option<&str>,
) -> Result<QualityStatus, anxin_store::StoreError> {
    let mut status = QualityStatus::default();
    if let Some(lot) = lot.and_then(|lot| crate::lab::lot_of(lot).ok())
        && let Some(origin) = state.store.lot_origin(&lot).await?
    {
        status.lot_known = true;
        let releases = crate::lab::released_by_events(&*state.store, &origin).await?;
        if let Some(first) = releases.iter().map(|r| r.released_ms).min() {
            status.released = true;
            status.released_at = Some(crate::lab::rfc3339(first));
        }
        if !state.store.releases(&lot).await?.is_empty() {
            status.certificate = Some(crate::lab::certificate_path(&lot));
        }
    }
    if let Ok(Some((row, reviewed))) = crate::lab::committed_for(&*state.store, gtin).await {
        status.enterprise_standard = Some(crate::lab::committed_view(&row, &reviewed));
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::qr_svg;

    /// Draws the squares of the QR code's SVG path (`M{x} {y}h{w}v{h}H{x}V{y}`, as qrcode
    /// writes them) into a greyscale image, one pixel per SVG unit, and decodes it.
    fn decode(svg: &str) -> String {
        let number = |text: &str, key: &str| -> usize {
            let start = text.find(key).expect(key) + key.len();
            text[start..]
                .split('"')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a number")
        };
        let size = number(svg, "width=\"");
        let path = &svg[svg.find(" d=\"").expect("a path") + 4..];
        let path = &path[..path.find('"').expect("the path ends")];
        let mut dark = vec![false; size * size];
        for square in path.split('M').filter(|s| !s.is_empty()) {
            let (at, rest) = square.split_once('h').expect("h");
            let (x, y) = at.split_once(' ').expect("x y");
            let (w, rest) = rest.split_once('v').expect("v");
            let h = rest.split('H').next().expect("H");
            let [x, y, w, h]: [usize; 4] = [x, y, w, h].map(|n| n.parse().expect("a number"));
            for row in y..y + h {
                for column in x..x + w {
                    dark[row * size + column] = true;
                }
            }
        }
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
            if dark[y * size + x] { 0 } else { 255 }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the image");
        grids[0].decode().expect("the QR code decodes").1
    }

    #[test]
    fn the_qr_code_decodes_to_the_digital_link() {
        for link in [
            "https://id.gs1.org/01/06901234123456/21/1",
            "https://id.gs1.org/01/03009002001128/21/A%2Fb-7",
            "https://id.gs1.org/01/06901234123456/10/2026083000034",
        ] {
            assert_eq!(decode(&qr_svg(link)), link);
        }
    }
}

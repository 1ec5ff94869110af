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

use anxin_store::{Account, EventQuery, Role, Viewer};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::AppState;
use crate::pages::{Chrome, Lang, Page};

/// Events read per item for its journey; an assumption of ours, far above the dozen or so a
/// can collects in its life, so a passport stays one bounded query.
pub const JOURNEY_EVENTS_MAX: u64 = 200;

/// Source places listed at most; an assumption of ours (a lot draws on a few farms and a
/// handful of ingredient lots), keeping the page short.
const SOURCES_MAX: usize = 30;

/// How many levels of containers (case, pallet) a journey follows up from a can.
const PARENT_LEVELS: usize = 2;

/// The business steps of a container's events that belong to a can's journey.
const TRANSPORT_STEPS: [&str; 6] = [
    "shipping",
    "receiving",
    "storing",
    "departing",
    "arriving",
    "inspecting",
];

/// A stored event with its body parsed once.
struct Parsed {
    event_id: String,
    body: serde_json::Value,
}

/// Parses each event's body once; a body that is not JSON (never in a sound store) is left
/// out, as it was before.
fn parsed(events: Vec<anxin_store::StoredEvent>) -> Vec<Parsed> {
    events
        .into_iter()
        .filter_map(|stored| {
            Some(Parsed {
                body: serde_json::from_str(&stored.body).ok()?,
                event_id: stored.event_id,
            })
        })
        .collect()
}

/// The `parentID`s of the aggregation events (packing) among `events`.
fn parent_ids(events: &[Parsed]) -> Vec<String> {
    let mut parents: Vec<String> = events
        .iter()
        .filter_map(|event| {
            let body = &event.body;
            (body["type"] == "AggregationEvent"
                && body["bizStep"]
                    .as_str()
                    .is_some_and(|s| s.ends_with("packing"))
                && !body["bizStep"]
                    .as_str()
                    .is_some_and(|s| s.ends_with("unpacking")))
            .then(|| body["parentID"].as_str().map(str::to_owned))
            .flatten()
        })
        .collect();
    parents.sort();
    parents.dedup();
    parents
}

/// The passport routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/01/{gtin}/21/{serial}", get(can_passport))
        .route("/01/{gtin}/10/{lot}", get(lot_passport))
}

/// One step of an item's journey.
#[derive(Serialize, Clone, Debug)]
pub struct Step {
    /// When (as written, with its offset).
    pub time: String,
    /// The CBV business step, e.g. `shipping`.
    pub biz_step: String,
    /// The step in Chinese.
    pub label: String,
    /// The place's name, when its owner sent master data.
    pub place: Option<String>,
    /// The place's city or address.
    pub address: Option<String>,
}

impl Step {
    /// The time as a reader wants it: the date and minute as written at the place (its own
    /// offset), e.g. `2026-10-01 14:00` from `2026-10-01T14:00:20+08:00`.
    pub fn shown_time(&self) -> String {
        match (self.time.get(..10), self.time.get(11..16)) {
            (Some(date), Some(minute)) if self.time.as_bytes().get(10) == Some(&b'T') => {
                format!("{date} {minute}")
            }
            _ => self.time.clone(),
        }
    }
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
    /// The item's journey, oldest first.
    pub journey: Vec<Step>,
    /// Where its milk and ingredients were made (the backward trace's sources' places).
    pub sources: Vec<Source>,
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
    /// Batch release (批批检验) and the committed enterprise standard.
    pub quality: QualityStatus,
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
    qr_svg: String,
}

fn operator() -> Viewer {
    Viewer::new(Account {
        account_id: 0,
        name: "passport (public)".to_owned(),
        role: Role::Admin,
        party: None,
        region: None,
        created_ms: 0,
        revoked_ms: None,
    })
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

async fn answer(state: &AppState, asked: &str, page: &Page, headers: &HeaderMap) -> Response {
    let json = wants_json(headers);
    let t = page.t();
    if asked.len() > 200 {
        return problem(
            StatusCode::URI_TOO_LONG,
            json,
            page,
            t.passport_too_long_title,
            t.passport_too_long,
            "",
        );
    }
    let key = match anxin_gs1::Gs1Key::parse(asked) {
        Ok(key) => key,
        Err(_) => {
            return problem(
                StatusCode::BAD_REQUEST,
                json,
                page,
                t.passport_bad_code_title,
                t.passport_bad_code,
                asked,
            );
        }
    };
    let link = key.to_digital_link();
    match passport(state, &link).await {
        Ok(Some(passport)) if json => Json(passport).into_response(),
        Ok(Some(passport)) => {
            let qr_svg = qr_svg(&passport.link);
            match (PassportPage {
                c: Chrome::public(page),
                p: &passport,
                qr_svg,
            })
            .render()
            {
                Ok(html) => {
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

/// The passport of an item by its canonical Digital Link; `None` when no event names it.
pub async fn passport(state: &AppState, link: &str) -> Result<Option<Passport>, String> {
    let unavailable = |_| "平台暂时无法查询，请稍后再试。".to_owned();
    let key = anxin_gs1::Gs1Key::parse(link).map_err(|err| err.to_string())?;
    let (gtin, serial, lot) = match &key {
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
    let (item, source_places) = {
        let followed = tracer.read().await.map_err(unavailable)?;
        let mut places: Vec<String> = followed
            .graph()
            .backward(link)
            .map(|trace| {
                trace
                    .sources
                    .into_iter()
                    .flat_map(|source| source.origin_events)
                    .filter_map(|origin| origin.biz_location)
                    .collect()
            })
            .unwrap_or_default();
        places.sort();
        places.dedup();
        places.truncate(SOURCES_MAX);
        (followed.graph().state(link, now_ms).ok(), places)
    };
    let Some(item) = item else {
        return Ok(None);
    };
    let field = if serial.is_some() {
        "MATCH_anyEPC"
    } else {
        "MATCH_anyEPCClass"
    };
    let params = vec![
        (field.to_owned(), item.id.clone()),
        ("eventCountLimit".to_owned(), JOURNEY_EVENTS_MAX.to_string()),
    ];
    let query = EventQuery::parse(&params, &Vec::<(String, String)>::new())
        .map_err(|err| format!("{err:?}"))?;
    let mut events = parsed(
        state
            .store
            .list_events(&operator(), &query)
            .await
            .map_err(unavailable)?
            .events,
    );
    // The legs a can travels inside its case and pallet are recorded on those: follow the
    // parents it was packed into (case, then pallet) and take their transport steps.
    let mut seen: std::collections::BTreeSet<String> =
        events.iter().map(|e| e.event_id.clone()).collect();
    let mut parents = parent_ids(&events);
    for _level in 0..PARENT_LEVELS {
        let mut found = Vec::new();
        for parent in &parents {
            let params = vec![
                ("MATCH_anyEPC".to_owned(), parent.clone()),
                ("eventCountLimit".to_owned(), JOURNEY_EVENTS_MAX.to_string()),
            ];
            let query = EventQuery::parse(&params, &Vec::<(String, String)>::new())
                .map_err(|err| format!("{err:?}"))?;
            let page = state
                .store
                .list_events(&operator(), &query)
                .await
                .map_err(unavailable)?;
            found.extend(
                parsed(page.events)
                    .into_iter()
                    .filter(|e| seen.insert(e.event_id.clone())),
            );
        }
        parents = parent_ids(&found);
        events.extend(found.into_iter().filter(|e| {
            e.body["bizStep"]
                .as_str()
                .is_some_and(|step| TRANSPORT_STEPS.iter().any(|t| step.ends_with(t)))
        }));
    }
    let mut passport = Passport {
        link: link.to_owned(),
        kind: if serial.is_some() { "can" } else { "lot" },
        gtin: gtin.clone(),
        serial,
        lot: lot.or(item.lot.clone().and_then(|lot| {
            anxin_gs1::Gs1Key::parse(&lot)
                .ok()
                .and_then(|key| match key {
                    anxin_gs1::Gs1Key::Lgtin(lgtin) => Some(lgtin.lot().to_owned()),
                    _ => None,
                })
        })),
        product: None,
        brand: None,
        stage: None,
        production_date: None,
        expiry_date: None,
        made_at: None,
        journey: Vec::new(),
        sources: Vec::new(),
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
        quality: QualityStatus::default(),
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
    }
    for id in &source_places {
        if let Ok(Some(place)) = master.location(&*state.store, id).await {
            passport.sources.push(Source {
                name: place.name.clone().unwrap_or_else(|| id.clone()),
                city: place
                    .address
                    .as_deref()
                    .map(|address| address.split(", ").nth(1).unwrap_or(address).to_owned()),
            });
        }
    }
    let mut first_event: Option<String> = None;
    for stored in &events {
        let body = &stored.body;
        let biz_step = body["bizStep"].as_str().unwrap_or("").to_owned();
        let place_id = body["bizLocation"]["id"]
            .as_str()
            .or(body["readPoint"]["id"].as_str());
        let place = match place_id {
            Some(id) => master.location(&*state.store, id).await.ok().flatten(),
            None => None,
        };
        let ilmd = &body["ilmd"];
        if let Some(date) = ilmd["cbvmda:itemExpirationDate"].as_str() {
            passport.expiry_date = Some(date.to_owned());
        }
        if let Some((_, value)) = ilmd
            .as_object()
            .into_iter()
            .flatten()
            .find(|(name, _)| name.ends_with(":productionDate"))
        {
            passport.production_date = value.as_str().map(str::to_owned);
        }
        if biz_step.ends_with("commissioning") {
            first_event.get_or_insert_with(|| stored.event_id.clone());
            passport.made_at = place.as_ref().and_then(|place| place.name.clone());
        }
        let city = place
            .as_ref()
            .and_then(|place| place.address.as_deref())
            .map(|address| address.split(", ").nth(1).unwrap_or(address).to_owned());
        if biz_step.ends_with("retail_selling") && passport.kind == "can" {
            passport.sold_in.push(
                city.clone()
                    .unwrap_or_else(|| Lang::Zh.texts().passport_unknown_place.to_owned()),
            );
        }
        passport.journey.push(Step {
            time: body["eventTime"].as_str().unwrap_or("").to_owned(),
            label: step_label(&biz_step).to_owned(),
            biz_step,
            place: place.as_ref().and_then(|place| place.name.clone()),
            address: city,
        });
    }
    passport
        .journey
        .sort_by_key(|step| step.time.parse::<jiff::Timestamp>().ok());
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
    let lot_link = if passport.kind == "lot" {
        Some(link.to_owned())
    } else {
        item.lot.clone()
    };
    passport.quality = quality_status(state, &gtin, lot_link.as_deref())
        .await
        .map_err(unavailable)?;
    if let (Some(ledger), Some(event_id)) = (&state.ledger, first_event)
        && let Ok(proof) = ledger.inclusion(&event_id).await
    {
        passport.ledger = Some(LedgerCheck {
            verified: ledger.verify_inclusion(&proof),
            tree_size: proof.tree_head.tree_size,
            proof_url: format!("/api/v1/ledger/proof/{}", urlencode(&event_id)),
            event_id,
        });
    }
    Ok(Some(passport))
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

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

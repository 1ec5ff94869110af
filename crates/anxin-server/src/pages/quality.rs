//! The quality pages: `/app/lots` (a manufacturer's lots with their verdict, release,
//! certificate, HACCP holds and findings) and `/app/findings` (findings by kind, each with the
//! lot, the party, the rule and its source, linking to the lot's trace and certificate). They
//! ask [`crate::lab`] exactly what the API asks (`GET /api/v1/findings`, the lot judgment), with
//! the same access rule.

use std::collections::BTreeMap;

use anxin_quality::Verdict;
use anxin_quality::finding::{Finding, FindingKind};
use anxin_store::Role;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::session::SignedIn;
use super::{Chrome, Page, forbidden, html, problem};
use crate::AppState;
use crate::lab;

fn unavailable(chrome: Chrome, err: &crate::AppError) -> Response {
    tracing::warn!("a quality page could not be answered: {err}");
    let t = chrome.t;
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        chrome,
        t.unavailable_title,
        t.unavailable_detail,
    )
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// One row of the lot list.
struct LotRow {
    lot: String,
    lot_number: String,
    product: String,
    produced: String,
    results: usize,
    verdict: &'static str,
    verdict_class: &'static str,
    data_gap: bool,
    released_at: Option<String>,
    certificate: Option<String>,
    hold: Option<&'static str>,
    findings: Vec<&'static str>,
    trace_href: String,
}

#[derive(Template)]
#[template(path = "app_lots.html")]
struct LotsPage {
    c: Chrome,
    rows: Vec<LotRow>,
    truncated: bool,
    any_gap: bool,
}

fn verdict_words(c: &Chrome, verdict: Option<Verdict>) -> (&'static str, &'static str) {
    match verdict {
        Some(Verdict::Conformant) => (c.t.verdict_conformant, "pass"),
        Some(Verdict::NonConformant) => (c.t.verdict_non_conformant, "fail"),
        Some(Verdict::Incomplete) => (c.t.verdict_incomplete, "unknown"),
        None => (c.t.verdict_unjudged, "unknown"),
    }
}

/// `GET /app/lots`: the viewer's lots (a manufacturer its own, a regulator those made in its
/// jurisdiction, the admin all).
pub async fn lots(State(state): State<AppState>, page: Page, signed_in: SignedIn) -> Response {
    let chrome = Chrome::signed_in(&page, &signed_in);
    let viewer = &signed_in.viewer;
    if !matches!(
        viewer.account.role,
        Role::Manufacturer | Role::Regulator | Role::Admin
    ) {
        return forbidden(chrome);
    }
    let store = &*state.store;
    let answer = async {
        let (origins, truncated) = lab::lots_of(store, viewer).await?;
        let (findings, _) = lab::findings(store, state.tracer.as_deref(), viewer).await?;
        let mut holds: BTreeMap<String, bool> = BTreeMap::new();
        let mut plants: Vec<String> = origins
            .iter()
            .filter_map(|o| o.maker().map(str::to_owned))
            .collect();
        plants.sort();
        plants.dedup();
        for plant in plants {
            for (lot, on) in lab::holds_of(store, &plant).await? {
                *holds.entry(lot).or_insert(false) |= on;
            }
        }
        let mut standings = Vec::with_capacity(origins.len());
        for origin in origins {
            standings.push(lab::standing(store, origin).await?);
        }
        Ok::<_, crate::AppError>((standings, truncated, findings, holds))
    }
    .await;
    let (standings, truncated, findings, holds) = match answer {
        Ok(answer) => answer,
        Err(err) => return unavailable(chrome, &err),
    };
    let rows: Vec<LotRow> = standings
        .into_iter()
        .map(|s| {
            let (verdict, verdict_class) = verdict_words(&chrome, s.verdict);
            let lot = s.origin.lot.clone();
            let mut kinds: Vec<FindingKind> = findings
                .iter()
                .filter(|f| f.lot == lot)
                .map(|f| f.kind)
                .collect();
            kinds.sort();
            kinds.dedup();
            LotRow {
                lot_number: s
                    .facts
                    .as_ref()
                    .map_or_else(|| lot.clone(), |f| f.lot_number.clone()),
                product: s
                    .facts
                    .as_ref()
                    .and_then(|f| f.product.clone())
                    .unwrap_or_default(),
                produced: s
                    .facts
                    .as_ref()
                    .map(|f| f.produced.clone())
                    .unwrap_or_default(),
                results: s.results,
                verdict,
                verdict_class,
                data_gap: s.data_gap,
                released_at: s.released_at,
                certificate: s.certificate,
                hold: holds.get(&lot).map(|on| {
                    if *on {
                        chrome.t.hold_on
                    } else {
                        chrome.t.hold_lifted
                    }
                }),
                findings: kinds
                    .into_iter()
                    .map(|k| chrome.t.finding_kind(k))
                    .collect(),
                trace_href: format!("/app/trace?id={}&direction=backward", urlencode(&lot)),
                lot,
            }
        })
        .collect();
    let any_gap = rows.iter().any(|r| r.data_gap);
    html(
        StatusCode::OK,
        &LotsPage {
            c: chrome,
            rows,
            truncated,
            any_gap,
        },
    )
}

/// One finding as listed.
struct FindingRow {
    lot: String,
    party: String,
    rule: String,
    source: String,
    event: String,
    trace_href: String,
    certificate: Option<String>,
}

/// The findings of one kind.
struct Group {
    id: &'static str,
    title: &'static str,
    rows: Vec<FindingRow>,
}

#[derive(Template)]
#[template(path = "app_findings.html")]
struct FindingsPage {
    c: Chrome,
    groups: Vec<Group>,
    total: usize,
    truncated: bool,
}

/// `GET /app/findings`: findings by kind (a regulator those in its jurisdiction, a
/// manufacturer its own, the admin all).
pub async fn findings(State(state): State<AppState>, page: Page, signed_in: SignedIn) -> Response {
    let chrome = Chrome::signed_in(&page, &signed_in);
    let viewer = &signed_in.viewer;
    if !matches!(
        viewer.account.role,
        Role::Manufacturer | Role::Regulator | Role::Admin
    ) {
        return forbidden(chrome);
    }
    let store = &*state.store;
    let (found, truncated) = match lab::findings(store, state.tracer.as_deref(), viewer).await {
        Ok(answer) => answer,
        Err(err) => return unavailable(chrome, &err),
    };
    let mut certificates: BTreeMap<String, bool> = BTreeMap::new();
    for finding in &found {
        if !certificates.contains_key(&finding.lot) {
            let has = match store.releases(&finding.lot).await {
                Ok(rows) => !rows.is_empty(),
                Err(err) => return unavailable(chrome, &err.into()),
            };
            certificates.insert(finding.lot.clone(), has);
        }
    }
    let row = |f: &Finding| FindingRow {
        lot: f.lot.clone(),
        party: f.party.clone().unwrap_or_default(),
        rule: f.rule.clone(),
        source: f.source.clone(),
        event: f.event.clone().unwrap_or_default(),
        trace_href: format!("/app/trace?id={}&direction=forward", urlencode(&f.lot)),
        certificate: certificates
            .get(&f.lot)
            .copied()
            .unwrap_or(false)
            .then(|| lab::certificate_path(&f.lot)),
    };
    let groups: Vec<Group> = FindingKind::ALL
        .into_iter()
        .map(|kind| Group {
            id: kind.name(),
            title: chrome.t.finding_kind(kind),
            rows: found.iter().filter(|f| f.kind == kind).map(row).collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    html(
        StatusCode::OK,
        &FindingsPage {
            c: chrome,
            total: found.len(),
            groups,
            truncated,
        },
    )
}

//! The signed-in pages under `/app`: home, the trace explorer, the recall console and the
//! ledger page. Each handler takes [`SignedIn`] (the account's [`anxin_store::Viewer`]) and
//! asks [`crate::trace`] or [`crate::ledger`] exactly what the API asks; a refusal becomes a
//! Chinese (or English) page, never a bare status.

use std::collections::{BTreeMap, HashMap, HashSet};

use anxin_store::Role;
use anxin_trace::recall::{Channel, PartyInfo, RecallReport};
use anxin_trace::{BackwardTrace, EventRef, ForwardTrace, ItemKind};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::draw::{self, Drawn, Edge, Node};
use super::session::SignedIn;
use super::{
    Chrome, Page, china_time, field, forbidden, form_fields, html, problem, same_origin, see_other,
};
use crate::AppState;
use crate::trace::{self, Direction, RecallRequest, RecallSummary, TraceAnswer, TraceFailure};

/// Events listed under a trace at most (ours: a page, not an export; the API has them all).
pub const EVENTS_LISTED_MAX: usize = 200;

/// Nodes listed in the table under a trace at most (the graph itself shows fewer).
pub const NODES_LISTED_MAX: usize = 500;

/// Recalls listed on `/app/recalls` (newest first), as the API lists.
const RECALLS_LISTED_MAX: u32 = 1_000;

fn unavailable(chrome: Chrome) -> Response {
    let t = chrome.t;
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        chrome,
        t.unavailable_title,
        t.unavailable_detail,
    )
}

/// The page for a refused or failed trace or recall question.
fn failure_page(chrome: Chrome, failure: TraceFailure) -> Response {
    let t = chrome.t;
    match failure {
        TraceFailure::Forbidden(_) => forbidden(chrome),
        TraceFailure::NotFound(_) => problem(
            StatusCode::NOT_FOUND,
            chrome,
            t.not_found_title,
            t.not_found_detail,
        ),
        TraceFailure::BadInput(_) => problem(
            StatusCode::BAD_REQUEST,
            chrome,
            t.bad_id_title,
            t.bad_id_detail,
        ),
        TraceFailure::Store(err) => {
            tracing::warn!("a page could not be answered: {err}");
            unavailable(chrome)
        }
    }
}

fn may_trace(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Regulator | Role::Manufacturer)
}

#[derive(Template)]
#[template(path = "app_home.html")]
struct HomePage {
    c: Chrome,
    name: String,
    role: Role,
    party: Option<String>,
    region: Option<String>,
    may_trace: bool,
}

/// `GET /app`: who you are and what you can do.
pub async fn home(page: Page, signed_in: SignedIn) -> Response {
    let account = &signed_in.viewer.account;
    html(
        StatusCode::OK,
        &HomePage {
            c: Chrome::signed_in(&page, &signed_in),
            name: account.name.clone(),
            role: account.role,
            party: account
                .party
                .as_ref()
                .map(|party| party.as_str().to_owned()),
            region: account.region.map(|region| region.to_string()),
            may_trace: may_trace(account.role),
        },
    )
}

/// `GET /app/trace` parameters.
#[derive(Deserialize)]
pub struct TraceParams {
    id: Option<String>,
    direction: Option<String>,
}

/// One row of the nodes table.
struct NodeRow {
    kind: String,
    id: String,
    href: String,
}

/// One proving event.
struct EventRow {
    time: String,
    step: String,
    party: String,
    hash_id: String,
}

#[derive(Template)]
#[template(path = "app_trace.html")]
struct TracePage {
    c: Chrome,
    id: String,
    forward: bool,
    graph: Option<Drawn>,
    nodes: Vec<NodeRow>,
    nodes_hidden: usize,
    events: Vec<EventRow>,
    events_hidden: usize,
    cycles: Vec<(String, String)>,
    /// The recall form with this lot filled in, when a lot was traced.
    recall_href: Option<String>,
}

fn trace_href(id: &str, forward: bool) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("id", id);
    query.append_pair("direction", if forward { "forward" } else { "backward" });
    format!("/app/trace?{}", query.finish())
}

/// A short form of an identifier for a graph box: a can's GTIN and serial, a lot's
/// number (the box's first line says it is a lot), a container's element string.
fn short_id(id: &str) -> String {
    match anxin_gs1::Gs1Key::parse(id) {
        Ok(anxin_gs1::Gs1Key::Sgtin(sgtin)) => format!("{} · {}", sgtin.gtin(), sgtin.serial()),
        Ok(anxin_gs1::Gs1Key::Lgtin(lgtin)) => lgtin.lot().to_owned(),
        Ok(key) => draw::shorten(&key.to_element_string(), 22),
        Err(_) => draw::shorten(id, 22),
    }
}

/// The 13-digit GLN inside a holder identifier (an SGLN, PGLN or bare GLN), for the
/// directory.
fn gln_of(id: &str) -> Option<String> {
    if id.len() == 13 && id.bytes().all(|b| b.is_ascii_digit()) {
        return Some(id.to_owned());
    }
    match anxin_gs1::Gs1Key::parse(id).ok()? {
        anxin_gs1::Gs1Key::Sgln(sgln) => Some(sgln.gln().to_string()),
        anxin_gs1::Gs1Key::Pgln(pgln) => Some(pgln.to_string()),
        _ => None,
    }
}

fn holder_name(id: &str, directory: &HashMap<String, PartyInfo>) -> String {
    gln_of(id)
        .and_then(|gln| directory.get(&gln))
        .map(|info| info.name.clone())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| short_id(id))
}

/// Layers of a backward trace: a node with nothing upstream (in this trace) is layer 0;
/// any other is one more than its deepest upstream. Bounded by the node count, so a cycle
/// in the data cannot loop.
fn backward_layers(trace: &BackwardTrace, index: &HashMap<&str, usize>) -> Vec<usize> {
    let mut layer = vec![0usize; trace.nodes.len()];
    for _round in 0..trace.nodes.len() {
        let mut changed = false;
        for link in &trace.links {
            let (Some(&up), Some(&down)) = (
                index.get(link.upstream.as_str()),
                index.get(link.downstream.as_str()),
            ) else {
                continue;
            };
            if layer[down] < layer[up] + 1 && layer[up] + 1 < trace.nodes.len() {
                layer[down] = layer[up] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    layer
}

/// The graph of a backward trace: its nodes in layers, then the root's holder.
fn backward_graph(
    t: &super::Texts,
    trace: &BackwardTrace,
    holder: Option<(String, String)>,
) -> (Vec<Node>, Vec<Edge>, Vec<String>) {
    let index: HashMap<&str, usize> = trace
        .nodes
        .iter()
        .enumerate()
        .map(|(idx, (id, _))| (id.as_str(), idx))
        .collect();
    let layers = backward_layers(trace, &index);
    let n_layers = layers.iter().max().map_or(1, |max| max + 1);
    let sources: HashSet<&str> = trace.sources.iter().map(|s| s.id.as_str()).collect();
    let mut nodes: Vec<Node> = trace
        .nodes
        .iter()
        .enumerate()
        .map(|(idx, (id, kind))| Node {
            layer: layers[idx],
            kind: if sources.contains(id.as_str()) && id != &trace.root {
                format!("{} · {}", t.kind_source, t.kind(kind))
            } else {
                t.kind(kind).to_owned()
            },
            label: short_id(id),
            href: Some(trace_href(id, false)),
            link_text: format!("{} {} {}", t.trace_from_here, t.kind(kind), id),
        })
        .collect();
    let mut edges: Vec<Edge> = trace
        .links
        .iter()
        .filter_map(|link| {
            Some(Edge {
                from: *index.get(link.upstream.as_str())?,
                to: *index.get(link.downstream.as_str())?,
                light: false,
            })
        })
        .collect();
    let mut titles: Vec<String> = (0..n_layers)
        .map(|layer| {
            let mut kinds: Vec<&ItemKind> = trace
                .nodes
                .iter()
                .enumerate()
                .filter(|(idx, _)| layers[*idx] == layer)
                .map(|(_, (_, kind))| kind)
                .collect();
            kinds.sort();
            kinds.dedup();
            let words: Vec<&str> = kinds.iter().map(|kind| t.kind(kind)).collect();
            if layer == 0 && n_layers > 1 {
                t.kind_source.to_owned()
            } else {
                words.join(" / ")
            }
        })
        .collect();
    if let (Some((holder_id, name)), Some(&root)) = (holder, index.get(trace.root.as_str())) {
        nodes.push(Node {
            layer: n_layers,
            kind: t.kind_holder.to_owned(),
            label: name,
            href: None,
            link_text: holder_id,
        });
        edges.push(Edge {
            from: root,
            to: nodes.len() - 1,
            light: false,
        });
        titles.push(t.kind_holder.to_owned());
    }
    (nodes, edges, titles)
}

/// The graph of a forward trace: roots → lots → pallets → cases → holders (cans are counted
/// on the lot → holder edges' holders; a can has its lot, and the trace names no container
/// of a can, so pallets (or, without pallets, cases) are tied to the roots by a light edge:
/// they hold or held something reached).
fn forward_graph(
    t: &super::Texts,
    trace: &ForwardTrace,
    directory: &HashMap<String, PartyInfo>,
) -> (Vec<Node>, Vec<Edge>, Vec<String>) {
    let mut nodes: Vec<Node> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut edges: Vec<Edge> = Vec::new();
    let add = |nodes: &mut Vec<Node>,
               index: &mut HashMap<String, usize>,
               id: &str,
               layer: usize,
               kind: &str,
               link: bool| {
        *index.entry(id.to_owned()).or_insert_with(|| {
            nodes.push(Node {
                layer,
                kind: kind.to_owned(),
                label: if link {
                    short_id(id)
                } else {
                    holder_name(id, directory)
                },
                href: link.then(|| trace_href(id, true)),
                link_text: format!("{} {id}", t.trace_from_here),
            });
            nodes.len() - 1
        })
    };
    let roots: Vec<usize> = trace
        .roots
        .iter()
        .map(|id| add(&mut nodes, &mut index, id, 0, t.kind_source, true))
        .collect();
    let lots: Vec<usize> = trace
        .lots
        .iter()
        .map(|id| add(&mut nodes, &mut index, id, 1, t.kind_lot, true))
        .collect();
    for &lot in &lots {
        for &root in &roots {
            if root != lot {
                edges.push(Edge {
                    from: root,
                    to: lot,
                    light: false,
                });
            }
        }
    }
    let mut holder_cans: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for (layer, kind, items) in [
        (2, t.kind_pallet, &trace.pallets),
        (3, t.kind_case, &trace.cases),
    ] {
        // Light edges from the start to the outermost containers only: drawn to every
        // case as well they would hide the graph.
        let light = layer == 2 || trace.pallets.is_empty();
        for item in items {
            let node = add(&mut nodes, &mut index, &item.id, layer, kind, true);
            for &root in roots.iter().filter(|_| light) {
                edges.push(Edge {
                    from: root,
                    to: node,
                    light: true,
                });
            }
            if let Some(holder) = &item.holder {
                let holder_node = add(&mut nodes, &mut index, holder, 4, t.kind_holder, false);
                edges.push(Edge {
                    from: node,
                    to: holder_node,
                    light: false,
                });
            }
        }
    }
    for can in &trace.cans {
        let (Some(holder), Some(lot)) = (&can.holder, &can.lot) else {
            continue;
        };
        let Some(&lot_node) = index.get(lot.as_str()) else {
            continue;
        };
        *holder_cans.entry((lot_node, holder.clone())).or_default() += 1;
    }
    for ((lot_node, holder), n_cans) in holder_cans {
        let holder_node = add(&mut nodes, &mut index, &holder, 4, t.kind_holder, false);
        nodes[holder_node].kind = format!("{} · {n_cans} {}", t.kind_holder, t.trace_cans_short);
        edges.push(Edge {
            from: lot_node,
            to: holder_node,
            light: false,
        });
    }
    let titles = [
        t.kind_source,
        t.kind_lot,
        t.kind_pallet,
        t.kind_case,
        t.kind_holder,
    ]
    .iter()
    .map(|title| (*title).to_owned())
    .collect();
    (nodes, edges, titles)
}

/// The proving events, oldest first, with the party that recorded each when this account
/// may see the event (the store's own rule), and how many were left out.
async fn event_rows(
    state: &AppState,
    signed_in: &SignedIn,
    t: &super::Texts,
    mut events: Vec<EventRef>,
    directory: &HashMap<String, PartyInfo>,
) -> (Vec<EventRow>, usize) {
    let mut seen = HashSet::new();
    events.retain(|event| seen.insert(event.hash_id.clone()));
    events.sort_by_key(|event| (event.event_time_ms, event.event_seq));
    let hidden = events.len().saturating_sub(EVENTS_LISTED_MAX);
    events.truncate(EVENTS_LISTED_MAX);
    let mut rows = Vec::with_capacity(events.len());
    for event in events {
        let party = match state
            .store
            .get_event(&signed_in.viewer, &event.hash_id)
            .await
        {
            Ok(Some(stored)) => stored
                .party
                .map(|gln| {
                    gln_of(&gln)
                        .and_then(|gln| directory.get(&gln))
                        .map_or(gln.clone(), |info| format!("{} ({gln})", info.name))
                })
                .unwrap_or_else(|| t.none.to_owned()),
            _ => t.trace_hidden_party.to_owned(),
        };
        rows.push(EventRow {
            time: china_time(event.event_time_ms),
            step: t.step(event.biz_step.as_deref().unwrap_or("")).to_owned(),
            party,
            hash_id: event.hash_id,
        });
    }
    (rows, hidden)
}

/// `GET /app/trace?id=…&direction=backward|forward`.
pub async fn trace_page(
    State(state): State<AppState>,
    page: Page,
    signed_in: SignedIn,
    Query(params): Query<TraceParams>,
) -> Response {
    let chrome = Chrome::signed_in(&page, &signed_in);
    let t = chrome.t;
    let forward = match params.direction.as_deref() {
        None | Some("") => false,
        Some(text) => match Direction::parse(text) {
            Ok(direction) => direction == Direction::Forward,
            Err(failure) => return failure_page(chrome, failure),
        },
    };
    let id = params.id.unwrap_or_default().trim().to_owned();
    let empty = TracePage {
        c: chrome.clone(),
        id: id.clone(),
        forward,
        graph: None,
        nodes: Vec::new(),
        nodes_hidden: 0,
        events: Vec::new(),
        events_hidden: 0,
        cycles: Vec::new(),
        recall_href: None,
    };
    if id.is_empty() {
        return html(StatusCode::OK, &empty);
    }
    let Some(tracer) = state.tracer.as_deref() else {
        return unavailable(chrome);
    };
    let now = anxin_store::now_ms();
    let direction = if forward {
        Direction::Forward
    } else {
        Direction::Backward
    };
    let answer = match trace::trace(tracer, &signed_in.viewer, &id, direction, now).await {
        Ok(answer) => answer,
        Err(failure) => return failure_page(chrome, failure),
    };
    let directory = match trace::load_directory(&*state.store).await {
        Ok(directory) => directory,
        Err(err) => return failure_page(chrome, err.into()),
    };
    let (nodes, edges, titles, node_rows, events, cycles) = match &answer {
        TraceAnswer::Backward(back) => {
            let holder = match tracer.read().await {
                Ok(followed) => followed
                    .graph()
                    .state(&back.root, now)
                    .ok()
                    .and_then(|state| state.holder),
                Err(_) => None,
            }
            .map(|holder| {
                let name = holder_name(&holder, &directory);
                (holder, name)
            });
            let (nodes, edges, titles) = backward_graph(t, back, holder);
            let rows = back
                .nodes
                .iter()
                .map(|(id, kind)| NodeRow {
                    kind: t.kind(kind).to_owned(),
                    id: id.clone(),
                    href: trace_href(id, false),
                })
                .collect::<Vec<_>>();
            let mut events: Vec<EventRef> =
                back.links.iter().map(|link| link.event.clone()).collect();
            events.extend(
                back.sources
                    .iter()
                    .flat_map(|source| source.origin_events.iter().map(|o| o.event.clone())),
            );
            (nodes, edges, titles, rows, events, back.cycles.clone())
        }
        TraceAnswer::Forward(fwd) => {
            let (nodes, edges, titles) = forward_graph(t, fwd, &directory);
            let mut rows: Vec<NodeRow> = fwd
                .lots
                .iter()
                .map(|id| NodeRow {
                    kind: t.kind_lot.to_owned(),
                    id: id.clone(),
                    href: trace_href(id, true),
                })
                .collect();
            rows.extend(
                fwd.pallets
                    .iter()
                    .chain(&fwd.cases)
                    .chain(&fwd.cans)
                    .map(|item| NodeRow {
                        kind: t.kind(&item.kind).to_owned(),
                        id: item.id.clone(),
                        href: trace_href(&item.id, true),
                    }),
            );
            let events = fwd
                .pallets
                .iter()
                .chain(&fwd.cases)
                .chain(&fwd.cans)
                .filter_map(|item| item.last_event.clone())
                .collect();
            (nodes, edges, titles, rows, events, Vec::new())
        }
    };
    let title_refs: Vec<&str> = titles.iter().map(String::as_str).collect();
    let graph = match draw::trace_graph(&nodes, &edges, &title_refs, t.trace_more, t.trace_graph) {
        Ok(graph) => graph,
        Err(err) => {
            tracing::error!("{err}");
            return unavailable(chrome);
        }
    };
    let (events, events_hidden) = event_rows(&state, &signed_in, t, events, &directory).await;
    let nodes_hidden = node_rows.len().saturating_sub(NODES_LISTED_MAX);
    let mut node_rows = node_rows;
    node_rows.truncate(NODES_LISTED_MAX);
    let recall_href = matches!(
        anxin_gs1::Gs1Key::parse(&id),
        Ok(anxin_gs1::Gs1Key::Lgtin(_))
    )
    .then(|| format!("/app/recalls/new?ids={}", urlencode(&id)));
    html(
        StatusCode::OK,
        &TracePage {
            recall_href,
            graph: Some(graph),
            nodes: node_rows,
            nodes_hidden,
            events,
            events_hidden,
            cycles,
            ..empty
        },
    )
}

/// One row of the recalls list.
struct RecallListRow {
    id: String,
    level: u8,
    reason: String,
    decided: String,
    cans: usize,
}

#[derive(Template)]
#[template(path = "app_recalls.html")]
struct RecallsPage {
    c: Chrome,
    rows: Vec<RecallListRow>,
    may_open: bool,
}

/// `GET /app/recalls`: the recalls this account may see, newest first.
pub async fn recalls(State(state): State<AppState>, page: Page, signed_in: SignedIn) -> Response {
    let chrome = Chrome::signed_in(&page, &signed_in);
    if !trace::may_list_recalls(&signed_in.viewer) {
        return forbidden(chrome);
    }
    let rows = match state.store.list_recalls(RECALLS_LISTED_MAX).await {
        Ok(rows) => rows,
        Err(err) => return failure_page(chrome, err.into()),
    };
    let rows = rows
        .iter()
        .filter(|row| trace::may_see_recall(&signed_in.viewer, row))
        .map(|row| RecallListRow {
            id: row.recall_id.clone(),
            level: row.level,
            reason: row.reason.clone(),
            decided: china_time(row.decided_ms),
            cans: serde_json::from_str::<RecallSummary>(&row.summary_json)
                .map_or(0, |summary| summary.cans),
        })
        .collect();
    html(
        StatusCode::OK,
        &RecallsPage {
            c: chrome,
            rows,
            may_open: may_trace(signed_in.viewer.account.role),
        },
    )
}

#[derive(Template)]
#[template(path = "app_recall_new.html")]
struct NewRecallPage<'a> {
    c: Chrome,
    ids: &'a str,
    level: &'a str,
    reason: &'a str,
    errors: Vec<String>,
}

/// `GET /app/recalls/new`: the form (`?ids=` fills the identifiers).
pub async fn new_recall(page: Page, signed_in: SignedIn) -> Response {
    let chrome = Chrome::signed_in(&page, &signed_in);
    if !may_trace(signed_in.viewer.account.role) {
        return forbidden(chrome);
    }
    let ids = page
        .path_and_query
        .split_once('?')
        .and_then(|(_, query)| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(name, _)| name == "ids")
                .map(|(_, value)| value.into_owned())
        })
        .unwrap_or_default();
    html(
        StatusCode::OK,
        &NewRecallPage {
            c: chrome,
            ids: &ids,
            level: "",
            reason: "",
            errors: Vec::new(),
        },
    )
}

/// `POST /app/recalls/new`: `ids` (one a line), `level`, `reason`, `csrf`; through the same
/// [`trace::open_recall`] as `POST /api/v1/recalls`.
pub async fn create_recall(
    State(state): State<AppState>,
    page: Page,
    signed_in: SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = form_fields(&body);
    if !same_origin(&headers) || field(&fields, "csrf") != Some(signed_in.csrf.as_str()) {
        return super::login::refused(&page);
    }
    let chrome = Chrome::signed_in(&page, &signed_in);
    let t = chrome.t;
    if !may_trace(signed_in.viewer.account.role) {
        return forbidden(chrome);
    }
    let ids_text = field(&fields, "ids").unwrap_or("");
    let level = field(&fields, "level").unwrap_or("").trim();
    let reason = field(&fields, "reason").unwrap_or("").trim();
    let ids: Vec<String> = ids_text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    let mut errors = Vec::new();
    if ids.is_empty() {
        errors.push(t.recall_err_ids.to_owned());
    }
    for id in &ids {
        if anxin_gs1::Gs1Key::parse(id).is_err() {
            errors.push(format!("{} {id}", t.recall_err_line));
        }
    }
    if !matches!(level, "1" | "2" | "3") {
        errors.push(t.recall_err_level.to_owned());
    }
    if reason.is_empty() {
        errors.push(t.recall_err_reason.to_owned());
    }
    let form_again = |chrome: Chrome, errors: Vec<String>, status: StatusCode| {
        html(
            status,
            &NewRecallPage {
                c: chrome,
                ids: ids_text,
                level,
                reason,
                errors,
            },
        )
    };
    if !errors.is_empty() {
        return form_again(chrome, errors, StatusCode::BAD_REQUEST);
    }
    let Some(tracer) = state.tracer.as_deref() else {
        return unavailable(chrome);
    };
    let request = RecallRequest {
        ids,
        level: Some(serde_json::Value::String(level.to_owned())),
        reason: reason.to_owned(),
        ..RecallRequest::default()
    };
    match trace::open_recall(
        tracer,
        &signed_in.viewer,
        &request,
        true,
        anxin_store::now_ms(),
    )
    .await
    {
        Ok(opened) => see_other(&format!(
            "/app/recalls/{}",
            urlencode(&opened.record.recall_id)
        )),
        Err(TraceFailure::NotFound(_)) => form_again(
            chrome,
            vec![t.recall_err_nothing.to_owned()],
            StatusCode::NOT_FOUND,
        ),
        Err(TraceFailure::BadInput(detail)) => {
            tracing::info!("a recall form was refused: {detail}");
            form_again(
                chrome,
                vec![t.recall_err_other.to_owned()],
                StatusCode::BAD_REQUEST,
            )
        }
        Err(failure) => failure_page(chrome, failure),
    }
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// One holder of a recall, as the console lists it.
struct HolderRow {
    province: String,
    name: String,
    gln: String,
    contact: String,
    cans: usize,
}

/// One lot's mass balance, as shown.
struct BalanceRow {
    lot: String,
    quantities: Vec<(String, String, String)>,
    cans_commissioned: usize,
    gaps: usize,
}

#[derive(Template)]
#[template(path = "app_recall.html")]
struct RecallPage {
    c: Chrome,
    id: String,
    id_encoded: String,
    level: u8,
    reason: String,
    decided: String,
    start_by: String,
    finish_by: String,
    summary: Option<RecallSummary>,
    holders: Vec<HolderRow>,
    chart: String,
    channels: Vec<(Channel, usize)>,
    balances: Vec<BalanceRow>,
    not_used: Vec<String>,
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.3}")
    }
}

/// The holders table (by province, then name) and the cans per province.
fn holder_rows(t: &super::Texts, report: &RecallReport) -> (Vec<HolderRow>, Vec<(String, usize)>) {
    let mut rows: Vec<(Option<&str>, HolderRow)> = report
        .holders
        .iter()
        .map(|group| {
            let region = group
                .party
                .as_ref()
                .map_or("", |party| party.region.as_str());
            let cans = group.cans_per_channel.iter().map(|(_, n)| n).sum();
            (
                super::province::code(region),
                HolderRow {
                    province: t.province(region).to_owned(),
                    name: group
                        .party
                        .as_ref()
                        .map(|party| party.name.clone())
                        .filter(|name| !name.is_empty())
                        .or_else(|| group.gln.clone())
                        .unwrap_or_else(|| t.channel(&Channel::Unknown).to_owned()),
                    gln: group.gln.clone().unwrap_or_default(),
                    contact: group
                        .party
                        .as_ref()
                        .map(|party| party.contact.clone())
                        .unwrap_or_default(),
                    cans,
                },
            )
        })
        .collect();
    rows.sort_by(|a, b| (a.0.unwrap_or("99"), &a.1.name).cmp(&(b.0.unwrap_or("99"), &b.1.name)));
    let mut per_province: Vec<(String, usize)> = Vec::new();
    for (_, row) in &rows {
        match per_province.last_mut() {
            Some((province, cans)) if *province == row.province => *cans += row.cans,
            _ => per_province.push((row.province.clone(), row.cans)),
        }
    }
    (rows.into_iter().map(|(_, row)| row).collect(), per_province)
}

/// `GET /app/recalls/{id}`: deadlines, the summary as found, and the holders, channels and
/// mass balance as they are now, with downloads.
pub async fn recall_page(
    State(state): State<AppState>,
    page: Page,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let chrome = Chrome::signed_in(&page, &signed_in);
    let t = chrome.t;
    let row = match trace::find_recall(&*state.store, &signed_in.viewer, &id).await {
        Ok(row) => row,
        Err(failure) => return failure_page(chrome, failure),
    };
    let Some(tracer) = state.tracer.as_deref() else {
        return unavailable(chrome);
    };
    let report = match trace::rerun_recall(tracer, &row, anxin_store::now_ms()).await {
        Ok((report, _)) => report,
        Err(failure) => return failure_page(chrome, failure),
    };
    let (holders, per_province) = holder_rows(t, &report);
    let chart = match draw::bar_chart(&per_province, "province-chart", t.recall_chart) {
        Ok(svg) => svg,
        Err(err) => {
            tracing::error!("{err}");
            String::new()
        }
    };
    let balances = report
        .mass_balance
        .iter()
        .map(|balance| BalanceRow {
            lot: balance.lot.clone(),
            quantities: balance
                .quantities
                .iter()
                .map(|q| {
                    (
                        if q.uom.is_empty() {
                            t.recall_unit_count.to_owned()
                        } else {
                            q.uom.clone()
                        },
                        number(q.produced),
                        number(q.consumed),
                    )
                })
                .collect(),
            cans_commissioned: balance.cans_commissioned,
            gaps: balance.gaps.len(),
        })
        .collect();
    html(
        StatusCode::OK,
        &RecallPage {
            c: chrome,
            id_encoded: urlencode(&row.recall_id),
            id: row.recall_id.clone(),
            level: row.level,
            reason: row.reason.clone(),
            decided: china_time(row.decided_ms),
            start_by: china_time(row.start_deadline_ms),
            finish_by: row.finish_deadline_date.clone(),
            summary: serde_json::from_str(&row.summary_json).ok(),
            holders,
            chart,
            channels: report.cans_per_channel.clone(),
            balances,
            not_used: report.not_found.iter().map(|m| m.id.clone()).collect(),
        },
    )
}

/// `GET /app/recalls/{id}/download` parameters.
#[derive(Deserialize)]
pub struct DownloadParams {
    format: Option<String>,
}

/// `GET /app/recalls/{id}/download?format=csv|sheet|xlsx|json`: the API's export, as the
/// signed-in account.
pub async fn download(
    State(state): State<AppState>,
    page: Page,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(params): Query<DownloadParams>,
) -> Response {
    let chrome = Chrome::signed_in(&page, &signed_in);
    if let Err(failure) = trace::find_recall(&*state.store, &signed_in.viewer, &id).await {
        return failure_page(chrome, failure);
    }
    let format = params.format.unwrap_or_else(|| "csv".to_owned());
    match crate::api::trace::export(&state, &signed_in.viewer, &id, &format).await {
        Ok(response) => response,
        Err(err) if err.status == StatusCode::BAD_REQUEST => {
            let t = chrome.t;
            problem(
                StatusCode::BAD_REQUEST,
                chrome,
                t.recall_downloads,
                t.recall_err_other,
            )
        }
        Err(err) => {
            tracing::warn!("a recall download failed: {}", err.to_json());
            unavailable(chrome)
        }
    }
}

#[derive(Template)]
#[template(path = "app_ledger.html")]
struct LedgerPage {
    c: Chrome,
    size: u64,
    root: String,
    signed_at: String,
    key_id: String,
    checkpoint: String,
    signature: String,
    public_key_pem: String,
    check: Option<crate::ledger::HeadsCheck>,
}

async fn ledger_view(
    state: &AppState,
    chrome: Chrome,
    check: Option<crate::ledger::HeadsCheck>,
) -> Response {
    let Some(ledger) = state.ledger.as_deref() else {
        return unavailable(chrome);
    };
    let (head, key) = match (ledger.tree_head_json().await, ledger.key_json()) {
        (Ok(head), Ok(key)) => (head, key),
        (Err(err), _) | (_, Err(err)) => {
            tracing::warn!("the ledger page could not be answered: {err}");
            return unavailable(chrome);
        }
    };
    html(
        StatusCode::OK,
        &LedgerPage {
            c: chrome,
            size: head.tree_size,
            root: head.root_hash,
            signed_at: china_time(head.timestamp_ms),
            key_id: head.key_id,
            checkpoint: head.checkpoint,
            signature: head.signature,
            public_key_pem: key.public_key_pem,
            check,
        },
    )
}

/// `GET /app/ledger`: size, latest signed head, key.
pub async fn ledger_page(
    State(state): State<AppState>,
    page: Page,
    signed_in: SignedIn,
) -> Response {
    ledger_view(&state, Chrome::signed_in(&page, &signed_in), None).await
}

/// `POST /app/ledger`: checks every stored head (see [`crate::ledger::Ledger::check_heads`]).
pub async fn verify_ledger(
    State(state): State<AppState>,
    page: Page,
    signed_in: SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = form_fields(&body);
    if !same_origin(&headers) || field(&fields, "csrf") != Some(signed_in.csrf.as_str()) {
        return super::login::refused(&page);
    }
    let chrome = Chrome::signed_in(&page, &signed_in);
    let Some(ledger) = state.ledger.as_deref() else {
        return unavailable(chrome);
    };
    match ledger.check_heads().await {
        Ok(check) => ledger_view(&state, chrome, Some(check)).await,
        Err(err) => {
            tracing::warn!("the ledger check failed to run: {err}");
            unavailable(chrome)
        }
    }
}

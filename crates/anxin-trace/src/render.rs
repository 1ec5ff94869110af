//! A recall written for people and spreadsheets: a text table, a CSV of affected items, and a
//! tracking-event sheet with one row per event and its key data elements, in the manner of the
//! FSMA 204 "electronic sortable spreadsheet" (../shared/reference/peers.md §2.1: event type,
//! traceability lot code, product, quantity and unit, locations, date, TLC source, reference
//! documents). JSON is the report's serde form.
//!
//! The column names are our own: FDA's template is illustrative, and its exact header strings
//! were not available (❓ in peers.md), so no golden test pins them. The same tables are
//! written as CSV and as an XLSX workbook (`rust_xlsxwriter`, in memory: no file is touched).

use std::fmt::Write as _;

use hashbrown::HashMap;
use serde::Serialize;

use crate::graph::{NONE, NodeId, Role};
use crate::recall::{Channel, Recall, RecallReport};

/// One row of the tracking-event sheet.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct TrackingEventRow {
    /// The store's sequence number.
    pub event_seq: u64,
    /// The CBV 2.0 hash ID.
    pub event_id: String,
    /// True when the event has been declared erroneous; it is listed, marked, not counted.
    pub corrected: bool,
    /// The critical tracking event, named from the business step.
    pub tracking_event: String,
    /// The business step as written.
    pub biz_step: String,
    /// Event time, RFC 3339 in China time.
    pub event_time: String,
    /// When the platform recorded it, RFC 3339 in China time.
    pub record_time: String,
    /// The traceability lot codes involved (lots, and the lots of the instances named).
    pub lot_codes: Vec<String>,
    /// The products (GTINs) involved.
    pub products: Vec<String>,
    /// Instances of affected items the event names.
    pub instances: usize,
    /// Quantities of affected lots the event gives, as `quantity unit`.
    pub quantities: Vec<String>,
    /// Business location.
    pub location: String,
    /// Read point.
    pub read_point: String,
    /// Ship-from (sources, `type=GLN`).
    pub ship_from: Vec<String>,
    /// Ship-to (destinations, `type=GLN`).
    pub ship_to: Vec<String>,
    /// Where the lot code was assigned, for commissioning and transformation events.
    pub tlc_source: String,
    /// Reference documents (`type:id`).
    pub reference_documents: Vec<String>,
    /// The party that captured the event.
    pub captured_by: String,
}

/// A Unix-ms instant as RFC 3339 in China time (`+08:00`), as every recall output shows it;
/// the bare number if it is out of range.
pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8))))
        .map(|z| z.strftime("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string())
        .unwrap_or_else(|_| ms.to_string())
}

fn tracking_event_name(biz_step: &str, transformation: bool) -> &'static str {
    if transformation {
        return "transformation";
    }
    match biz_step {
        "collecting" => "harvesting / collection",
        "commissioning" | "creating_class_instance" => "production / initial packing",
        "packing" | "unpacking" | "repackaging" => "packing",
        "shipping" | "departing" => "shipping",
        "receiving" | "arriving" | "accepting" => "receiving",
        "retail_selling" => "sale",
        "destroying" => "destruction",
        "holding" => "hold / recall",
        "" => "other",
        _ => "other",
    }
}

impl Recall<'_> {
    /// Every event that names anything this recall reached, oldest first, one row each.
    pub fn tracking_events(&self) -> Vec<TrackingEventRow> {
        let graph = self.graph;
        let mut named: HashMap<u32, Vec<NodeId>> = HashMap::new();
        for &node in self
            .lots
            .iter()
            .chain(self.pallets.iter().map(|(n, _)| n))
            .chain(self.cases.iter().map(|(n, _)| n))
            .chain(self.cans.iter().map(|(n, _, _)| n))
        {
            for (role, event) in graph.incidences(node) {
                if matches!(
                    role,
                    Role::Named | Role::Parent | Role::Input | Role::Output | Role::Class
                ) {
                    let nodes = named.entry(event).or_default();
                    if nodes.last() != Some(&node) {
                        nodes.push(node);
                    }
                }
            }
        }
        let mut events: Vec<u32> = named.keys().copied().collect();
        events.sort_unstable_by_key(|&e| (graph.events[e as usize].time_ms, e));
        events
            .into_iter()
            .map(|event| {
                let nodes = &named[&event];
                let record = &graph.events[event as usize];
                let transformation =
                    record.flags.event_type() == anxin_epcis::EventType::TransformationEvent;
                let biz_step = graph.term_opt(record.biz_step).unwrap_or_default();
                let mut lot_codes = Vec::new();
                let mut products = Vec::new();
                let mut instances = 0;
                for &node in nodes {
                    let lot = if graph.is_class(node) {
                        node
                    } else {
                        instances += 1;
                        graph.nodes.lot[node as usize]
                    };
                    if lot != NONE {
                        let text = graph.id_text(lot);
                        if !lot_codes.contains(&text) {
                            lot_codes.push(text);
                        }
                    }
                    if let Some(gtin) = graph.term_opt(graph.nodes.gtin[node as usize])
                        && !products.contains(&gtin)
                    {
                        products.push(gtin);
                    }
                }
                let (inputs, outputs) = graph.io_of(event);
                let quantities = inputs
                    .iter()
                    .chain(outputs)
                    .filter(|item| nodes.contains(&item.node) && !item.quantity.is_nan())
                    .map(|item| {
                        format!(
                            "{} {}",
                            item.quantity,
                            graph
                                .term_opt(item.uom)
                                .unwrap_or_else(|| "units".to_owned())
                        )
                    })
                    .collect();
                let (start, n) = record.places;
                let places = &graph.places[start as usize..start as usize + n as usize];
                let place_list = |destination: bool| {
                    places
                        .iter()
                        .filter(|p| p.destination == destination)
                        .map(|p| format!("{:?}={}", p.kind, graph.terms.text(p.term)))
                        .collect::<Vec<_>>()
                };
                let (start, n) = record.transactions;
                let reference_documents = graph.transactions
                    [start as usize..start as usize + n as usize]
                    .iter()
                    .map(|&(kind, id)| {
                        format!(
                            "{}:{}",
                            graph.term_opt(kind).unwrap_or_default(),
                            graph.terms.text(id)
                        )
                    })
                    .collect();
                let assigns_lot =
                    transformation || matches!(biz_step.as_str(), "commissioning" | "collecting");
                TrackingEventRow {
                    event_seq: record.seq,
                    event_id: graph.terms.text(record.hash),
                    corrected: record.retracted,
                    tracking_event: tracking_event_name(&biz_step, transformation).to_owned(),
                    event_time: rfc3339(record.time_ms),
                    record_time: rfc3339(record.record_ms),
                    lot_codes,
                    products,
                    instances,
                    quantities,
                    location: graph.term_opt(record.biz_location).unwrap_or_default(),
                    read_point: graph.term_opt(record.read_point).unwrap_or_default(),
                    ship_from: place_list(false),
                    ship_to: place_list(true),
                    tlc_source: if assigns_lot {
                        graph.term_opt(record.biz_location).unwrap_or_default()
                    } else {
                        String::new()
                    },
                    reference_documents,
                    captured_by: graph.term_opt(record.party).unwrap_or_default(),
                    biz_step,
                }
            })
            .collect()
    }
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = writer
        .into_inner()
        .map_err(|err| csv::Error::from(err.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A table: its column names and its rows of text.
type Table = (&'static [&'static str], Vec<Vec<String>>);

const TRACKING_COLUMNS: &[&str] = &[
    "event_seq",
    "event_id",
    "corrected",
    "tracking_event",
    "biz_step",
    "event_time",
    "record_time",
    "traceability_lot_codes",
    "products_gtin",
    "instances",
    "quantities",
    "location",
    "read_point",
    "ship_from",
    "ship_to",
    "tlc_source",
    "reference_documents",
    "captured_by",
];

fn tracking_table(rows: &[TrackingEventRow]) -> Table {
    let body = rows
        .iter()
        .map(|row| {
            vec![
                row.event_seq.to_string(),
                row.event_id.clone(),
                row.corrected.to_string(),
                row.tracking_event.clone(),
                row.biz_step.clone(),
                row.event_time.clone(),
                row.record_time.clone(),
                row.lot_codes.join("; "),
                row.products.join("; "),
                row.instances.to_string(),
                row.quantities.join("; "),
                row.location.clone(),
                row.read_point.clone(),
                row.ship_from.join("; "),
                row.ship_to.join("; "),
                row.tlc_source.clone(),
                row.reference_documents.join("; "),
                row.captured_by.clone(),
            ]
        })
        .collect();
    (TRACKING_COLUMNS, body)
}

const ITEM_COLUMNS: &[&str] = &[
    "kind",
    "id",
    "lot",
    "channel",
    "holder_gln",
    "holder_name",
    "holder_region",
    "holder_contact",
    "location",
    "disposition",
    "persistent_dispositions",
    "last_event_seq",
    "last_event_time",
    "last_biz_step",
];

fn items_table(report: &RecallReport) -> Table {
    let mut holders = HashMap::new();
    for group in &report.holders {
        if let (Some(gln), Some(party)) = (&group.gln, &group.party) {
            holders.insert(gln.as_str(), party);
        }
    }
    let mut body = Vec::new();
    for lot in &report.lots {
        let mut row = vec![String::new(); ITEM_COLUMNS.len()];
        row[0] = "lot".to_owned();
        row[1] = lot.clone();
        row[2] = lot.clone();
        body.push(row);
    }
    for item in report
        .pallets
        .iter()
        .chain(&report.cases)
        .chain(&report.cans)
    {
        let state = &item.state;
        let party = state.holder.as_deref().and_then(|g| holders.get(g));
        body.push(vec![
            serde_plain_kind(state.kind).to_owned(),
            state.id.clone(),
            state.lot.clone().unwrap_or_default(),
            channel_key(item.channel).to_owned(),
            state.holder.clone().unwrap_or_default(),
            party.map(|p| p.name.clone()).unwrap_or_default(),
            party.map(|p| p.region.clone()).unwrap_or_default(),
            party.map(|p| p.contact.clone()).unwrap_or_default(),
            state.location.clone().unwrap_or_default(),
            state.disposition.clone().unwrap_or_default(),
            state.persistent_dispositions.join("; "),
            state
                .last_event
                .as_ref()
                .map(|e| e.event_seq.to_string())
                .unwrap_or_default(),
            state
                .last_event
                .as_ref()
                .map(|e| rfc3339(e.event_time_ms))
                .unwrap_or_default(),
            state.last_biz_step.clone().unwrap_or_default(),
        ]);
    }
    (ITEM_COLUMNS, body)
}

fn table_csv((columns, body): Table) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(columns)?;
    for row in body {
        writer.write_record(row)?;
    }
    finish(writer)
}

/// The tracking-event sheet as CSV, one row per event (lists joined with `; `).
///
/// # Errors
/// Only if the CSV writer fails, which writing to memory does not.
pub fn tracking_sheet_csv(rows: &[TrackingEventRow]) -> Result<String, csv::Error> {
    table_csv(tracking_table(rows))
}

/// Every affected item as CSV, one row each: kind, identifier, lot, channel, holder and its
/// details, location, dispositions, last event. Lots come first, with only kind and id.
///
/// # Errors
/// Only if the CSV writer fails, which writing to memory does not.
pub fn items_csv(report: &RecallReport) -> Result<String, csv::Error> {
    table_csv(items_table(report))
}

/// The rows one worksheet holds (Excel's limit of 1,048,576, the header included).
pub const WORKBOOK_ROWS_MAX: usize = 1_048_576;

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// A sheet would pass the spreadsheet row limit.
    #[error(
        "the {sheet} sheet would have {rows} rows, over the {WORKBOOK_ROWS_MAX} a worksheet holds; use the CSV form"
    )]
    TooManyRows {
        /// Which sheet.
        sheet: &'static str,
        /// How many rows it would have, header included.
        rows: usize,
    },
    /// The workbook writer failed.
    #[error("the workbook could not be written: {0}")]
    Writer(#[from] rust_xlsxwriter::XlsxError),
}

/// The columns written as numbers, so that a spreadsheet sorts them as numbers.
const NUMERIC_COLUMNS: &[&str] = &["event_seq", "instances", "last_event_seq"];

fn add_sheet(
    workbook: &mut rust_xlsxwriter::Workbook,
    name: &'static str,
    (columns, body): Table,
) -> Result<(), WorkbookError> {
    if body.len() + 1 > WORKBOOK_ROWS_MAX {
        return Err(WorkbookError::TooManyRows {
            sheet: name,
            rows: body.len() + 1,
        });
    }
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    for (col, title) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (index, row) in body.iter().enumerate() {
        let row_number = index as u32 + 1;
        for (col, value) in row.iter().enumerate() {
            let numeric = NUMERIC_COLUMNS.contains(&columns[col]);
            match value.parse::<f64>() {
                Ok(number) if numeric => sheet.write_number(row_number, col as u16, number)?,
                _ => sheet.write_string(row_number, col as u16, value)?,
            };
        }
    }
    let last_col = columns.len().saturating_sub(1) as u16;
    sheet.autofilter(0, 0, body.len() as u32, last_col)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The recall as a sortable spreadsheet (XLSX, in memory): a `tracking events` sheet with one
/// row per event and its key data elements, and an `affected items` sheet; each with a bold
/// header row, frozen, and an autofilter so every column sorts and filters.
///
/// # Errors
/// [`WorkbookError::TooManyRows`] when a sheet would pass the row limit (the CSV forms have
/// none), or the writer's own error.
pub fn recall_workbook(
    report: &RecallReport,
    rows: &[TrackingEventRow],
) -> Result<Vec<u8>, WorkbookError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    add_sheet(&mut workbook, "tracking events", tracking_table(rows))?;
    add_sheet(&mut workbook, "affected items", items_table(report))?;
    Ok(workbook.save_to_buffer()?)
}

fn serde_plain_kind(kind: crate::ItemKind) -> &'static str {
    match kind {
        crate::ItemKind::Lot => "lot",
        crate::ItemKind::Pallet => "pallet",
        crate::ItemKind::Case => "case",
        crate::ItemKind::Can => "can",
    }
}

fn channel_key(channel: Channel) -> &'static str {
    match channel {
        Channel::AtManufacturer => "at_manufacturer",
        Channel::InDistribution => "in_distribution",
        Channel::OnShopShelf => "on_shop_shelf",
        Channel::SoldToConsumer => "sold_to_consumer",
        Channel::ExportedOrCrossBorder => "exported_or_cross_border",
        Channel::Destroyed => "destroyed",
        Channel::Unknown => "unknown",
    }
}

/// The recall as a plain-text table: scope, counts per channel, holders, lots and their gaps.
pub fn report_table(report: &RecallReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "recall at {}", rfc3339(report.now_ms));
    if let Some(explanation) = &report.explanation {
        let _ = writeln!(out, "nothing affected: {explanation}");
    }
    for missing in &report.not_found {
        let _ = writeln!(out, "not used: {} ({})", missing.id, missing.reason);
    }
    let _ = writeln!(
        out,
        "lots {}  pallets {}  cases {}  cans {}",
        report.lots.len(),
        report.pallets.len(),
        report.cases.len(),
        report.cans.len()
    );
    for (channel, count) in &report.cans_per_channel {
        let _ = writeln!(out, "  {:<44} {:>10}", channel.label(), count);
    }
    let _ = writeln!(
        out,
        "\n{:<16} {:<28} {:<12} {:<24} {:>8}  channels",
        "holder GLN", "name", "region", "contact", "cans"
    );
    for group in &report.holders {
        let party = group.party.as_ref();
        let channels: Vec<String> = group
            .cans_per_channel
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| format!("{}={n}", channel_key(*c)))
            .collect();
        let _ = writeln!(
            out,
            "{:<16} {:<28} {:<12} {:<24} {:>8}  {}",
            group.gln.as_deref().unwrap_or("(unknown)"),
            party.map_or("", |p| p.name.as_str()),
            party.map_or("", |p| p.region.as_str()),
            party.map_or("", |p| p.contact.as_str()),
            group.cans.len(),
            channels.join(" ")
        );
    }
    let _ = writeln!(out, "\nmass balance");
    for balance in &report.mass_balance {
        let quantities: Vec<String> = balance
            .quantities
            .iter()
            .map(|q| {
                let unit = if q.uom.is_empty() { "units" } else { &q.uom };
                format!("{unit}: produced {} used {}", q.produced, q.consumed)
            })
            .collect();
        let _ = writeln!(
            out,
            "  {}  cans {}  {}",
            balance.lot,
            balance.cans_commissioned,
            quantities.join(", ")
        );
        for gap in &balance.gaps {
            let _ = writeln!(out, "    GAP: {gap}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_over_the_row_limit_is_refused_with_the_count() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let body = vec![vec![String::new()]; WORKBOOK_ROWS_MAX];
        let err = add_sheet(&mut workbook, "affected items", (&["id"], body)).unwrap_err();
        assert!(matches!(
            err,
            WorkbookError::TooManyRows {
                rows: 1_048_577,
                ..
            }
        ));
        assert!(err.to_string().contains("use the CSV form"), "{err}");
    }
}

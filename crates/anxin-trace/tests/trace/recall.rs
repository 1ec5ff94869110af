//! Recall: channels, holders, mass balance, the record and its deadlines, the events it
//! emits, and the renderers.

use std::collections::HashMap;

use anxin_trace::recall::{
    Channel, PartyInfo, PartyKind, RecallLevel, RecallOptions, RecallRecord, RecallScope,
    add_working_days,
};
use anxin_trace::render;

use super::rules::chain;
use super::support::*;

const NOW: i64 = T0 + 10_000 * MINUTE;

fn parties() -> HashMap<String, PartyInfo> {
    [
        (10, "安心乳业", PartyKind::Manufacturer),
        (20, "华北配送", PartyKind::Distributor),
        (30, "母婴店", PartyKind::Shop),
    ]
    .into_iter()
    .map(|(n, name, kind)| {
        (
            gln(n),
            PartyInfo {
                name: name.to_owned(),
                region: "110105".to_owned(),
                contact: format!("+86 10 5555 00{n}"),
                kind,
            },
        )
    })
    .collect()
}

fn channel_count(report: &anxin_trace::recall::RecallReport, channel: Channel) -> usize {
    report
        .cans_per_channel
        .iter()
        .find(|(c, _)| *c == channel)
        .map_or(0, |(_, n)| *n)
}

#[test]
fn a_recall_from_a_farm_lot_groups_cans_by_holder_and_channel() {
    let chain = chain();
    let graph = chain.log.graph();
    let parties = parties();
    let scope = RecallScope::Identifiers {
        ids: vec![lot(900, "RM1")],
    };
    let recall = graph
        .recall(&scope, NOW, &parties, RecallOptions::default())
        .unwrap();
    assert_eq!(recall.can_count(), 6);
    let report = recall.report(&parties);
    assert_eq!(channel_count(&report, Channel::SoldToConsumer), 1);
    assert_eq!(channel_count(&report, Channel::OnShopShelf), 2);
    assert_eq!(channel_count(&report, Channel::InDistribution), 3);
    let shop = report
        .holders
        .iter()
        .find(|h| h.gln.as_deref() == Some(gln(30).as_str()))
        .unwrap();
    assert_eq!(shop.party.as_ref().unwrap().name, "母婴店");
    assert_eq!(shop.cans.len(), 3);
    assert_eq!(report.lots.len(), 3, "{:?}", report.lots);
    assert_eq!(report.pallets.len(), 1);
    assert_eq!(report.cases.len(), 2);

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["cans"].as_array().unwrap().len(), 6);
    let first = json["cans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == chain.cans[0].as_str())
        .unwrap();
    assert_eq!(first["channel"], "in_distribution");
    assert_eq!(first["holder"], gln(20).as_str());

    let csv = render::items_csv(&report).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3 + 1 + 2 + 6);
    assert!(
        csv.lines()
            .any(|l| l.contains("sold_to_consumer") && l.contains("母婴店"))
    );

    let table = render::report_table(&report);
    assert!(table.contains("华北配送"), "{table}");
}

#[test]
fn a_recall_from_a_farm_and_dates_finds_that_farms_lots_only() {
    let chain = chain();
    let graph = chain.log.graph();
    let parties = parties();
    let scope = RecallScope::FarmDeliveries {
        farm: site(2),
        from_ms: T0 - MINUTE,
        to_ms: T0 + MINUTE,
    };
    let report = graph
        .recall(&scope, NOW, &parties, RecallOptions::default())
        .unwrap()
        .report(&parties);
    assert_eq!(report.starts, vec![lot(900, "RM2")]);
    assert_eq!(report.cans.len(), 6);
    let outside = RecallScope::FarmDeliveries {
        farm: gln(2),
        from_ms: T0 + MINUTE,
        to_ms: NOW,
    };
    let empty = graph
        .recall(&outside, NOW, &parties, RecallOptions::default())
        .unwrap();
    assert!(empty.is_empty());
}

#[test]
fn mass_balance_flags_more_used_than_made_and_unrecorded_origins() {
    let chain = chain();
    let mut log = chain.log.clone();
    // 500 kg more of the base powder than was made.
    log.push(
        transform(
            chain.times[12] + MINUTE,
            vec![qty(&lot(902, "BP1"), 500.0, Some("KGM"))],
            vec![qty(&lot(1, "L9"), 500.0, Some("KGM"))],
            10,
        ),
        Some(10),
    );
    let graph = log.graph();
    let parties = parties();
    let scope = RecallScope::Identifiers {
        ids: vec![lot(902, "BP1"), lot(901, "ING1")],
    };
    let balance = graph
        .recall(&scope, NOW, &parties, RecallOptions::default())
        .unwrap()
        .mass_balance();
    let bp1 = balance.iter().find(|b| b.lot == lot(902, "BP1")).unwrap();
    assert_eq!(bp1.quantities[0].produced, 1_800.0);
    assert_eq!(bp1.quantities[0].consumed, 2_000.0);
    assert!(
        bp1.gaps[0].contains("only 1800 KGM produced"),
        "{:?}",
        bp1.gaps
    );
    let ing = balance.iter().find(|b| b.lot == lot(901, "ING1")).unwrap();
    assert!(
        ing.gaps[0].contains("no production or collection"),
        "{:?}",
        ing.gaps
    );
    let l1 = balance.iter().find(|b| b.lot == lot(1, "L1")).unwrap();
    assert_eq!(l1.cans_commissioned, 6);
    assert!(l1.gaps.is_empty(), "{:?}", l1.gaps);
    // With a 12% tolerance the overuse is within bounds.
    let tolerant = graph
        .recall(
            &scope,
            NOW,
            &parties,
            RecallOptions {
                bulk_tolerance: 0.12,
            },
        )
        .unwrap()
        .mass_balance();
    assert!(
        tolerant
            .iter()
            .find(|b| b.lot == lot(902, "BP1"))
            .unwrap()
            .gaps
            .is_empty()
    );
}

#[test]
fn cans_with_no_known_holder_are_a_gap() {
    let chain = chain();
    let graph = chain.log.graph();
    let nobody = HashMap::new();
    let scope = RecallScope::Identifiers {
        ids: vec![lot(1, "L1")],
    };
    let recall = graph
        .recall(&scope, NOW, &nobody, RecallOptions::default())
        .unwrap();
    let report = recall.report(&nobody);
    assert_eq!(channel_count(&report, Channel::Unknown), 5);
    assert_eq!(channel_count(&report, Channel::SoldToConsumer), 1);
    assert!(
        report.mass_balance[0]
            .gaps
            .iter()
            .any(|g| g.contains("5 cans with no known holder"))
    );
}

#[test]
fn recall_deadlines_follow_the_level_and_skip_weekends() {
    // Friday 2026-11-27 10:00 China time.
    let decided = jiff::Timestamp::from_second(1_795_744_800)
        .unwrap()
        .as_millisecond();
    let scope = RecallScope::Identifiers {
        ids: vec![lot(1, "L1")],
    };
    let one = RecallRecord::open(
        "R-1",
        RecallLevel::One,
        "Cronobacter",
        scope.clone(),
        decided,
    )
    .unwrap();
    assert_eq!(one.start_deadline_ms - decided, 24 * 3_600_000);
    assert_eq!(one.finish_deadline_date, "2026-12-11");
    // 2026-12-12 00:00 +08:00.
    let china = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8));
    let midnight = jiff::civil::date(2026, 12, 12)
        .at(0, 0, 0, 0)
        .to_zoned(china)
        .unwrap()
        .timestamp()
        .as_millisecond();
    assert_eq!(one.finish_deadline_ms, midnight);
    let two = RecallRecord::open("R-2", RecallLevel::Two, "x", scope.clone(), decided).unwrap();
    assert_eq!(two.start_deadline_ms - decided, 48 * 3_600_000);
    assert_eq!(two.finish_deadline_date, "2026-12-25");
    let three = RecallRecord::open("R-3", RecallLevel::Three, "label", scope, decided).unwrap();
    assert_eq!(three.start_deadline_ms - decided, 72 * 3_600_000);
    assert_eq!(three.finish_deadline_date, "2027-01-08");
    let saturday = jiff::civil::date(2026, 11, 28);
    assert_eq!(
        add_working_days(saturday, 1),
        Some(jiff::civil::date(2026, 11, 30))
    );
    assert_eq!(add_working_days(saturday, 0), Some(saturday));
    assert!(
        RecallRecord::open(
            "R",
            RecallLevel::One,
            "x",
            RecallScope::Identifiers { ids: vec![] },
            i64::MAX
        )
        .is_err()
    );
}

#[test]
fn the_recall_emits_valid_epcis_events_marking_everything_recalled() {
    let chain = chain();
    let graph = chain.log.graph();
    let parties = parties();
    let scope = RecallScope::Identifiers {
        ids: vec![lot(1, "L1")],
    };
    let recall = graph
        .recall(&scope, NOW, &parties, RecallOptions::default())
        .unwrap();
    let record = RecallRecord::open("R-1", RecallLevel::One, "test", scope, NOW).unwrap();
    let events = recall.recall_events(&record, 4);
    assert_eq!(events.len(), 3, "9 instances, 4 per event");
    assert_eq!(events[0].quantity_list.len(), 1);
    for event in &events {
        let problems = anxin_epcis::validate::check_event(event);
        assert!(problems.is_empty(), "{problems:?}");
        let persistent = event.persistent_disposition.as_ref().unwrap();
        assert_eq!(persistent.set[0].json_form(), "recalled");
        assert_eq!(event.event_time.unix_millis(), NOW);
    }
    // Captured back, every can carries the recalled disposition.
    let mut log = chain.log.clone();
    for event in events {
        log.push(event, Some(10));
    }
    let graph = log.graph();
    let state = graph.state(&chain.cans[0], NOW + 1).unwrap();
    assert_eq!(state.persistent_dispositions, vec!["recalled".to_owned()]);
}

#[test]
fn the_tracking_sheet_has_one_row_per_event_with_its_key_data() {
    let chain = chain();
    let graph = chain.log.graph();
    let parties = parties();
    let scope = RecallScope::Identifiers {
        ids: vec![lot(1, "L1")],
    };
    let recall = graph
        .recall(&scope, NOW, &parties, RecallOptions::default())
        .unwrap();
    let rows = recall.tracking_events();
    // L1's transformation, the commissioning, three packings, two shipments, two receipts,
    // the unpacking, the sale.
    assert_eq!(rows.len(), 11, "{rows:#?}");
    assert!(rows.windows(2).all(|w| w[0].event_time <= w[1].event_time));
    let shipping = rows
        .iter()
        .find(|r| r.tracking_event == "shipping")
        .unwrap();
    assert_eq!(
        shipping.ship_to,
        vec![
            format!("OwningParty={}", gln(20)),
            format!("Location={}", gln(20))
        ]
    );
    assert!(shipping.reference_documents[0].starts_with("desadv:"));
    assert!(shipping.event_time.ends_with("+08:00"));
    let transformation = rows
        .iter()
        .find(|r| r.tracking_event == "transformation")
        .unwrap();
    assert_eq!(transformation.lot_codes, vec![lot(1, "L1")]);
    assert_eq!(transformation.quantities, vec!["1800 KGM".to_owned()]);
    assert_eq!(transformation.tlc_source, site(10));
    let commissioning = rows.iter().find(|r| r.biz_step == "commissioning").unwrap();
    assert_eq!(commissioning.instances, 6);
    assert_eq!(commissioning.products, vec![gtin(1)]);
    let csv = render::tracking_sheet_csv(&rows).unwrap();
    assert_eq!(csv.lines().count(), 12);
    assert!(csv.starts_with("event_seq,event_id,corrected,tracking_event"));
}

fn zipped_file(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn the_recall_workbook_has_sortable_sheets_of_events_and_items() {
    let chain = chain();
    let graph = chain.log.graph();
    let parties = parties();
    let scope = RecallScope::Identifiers {
        ids: vec![lot(1, "L1")],
    };
    let recall = graph
        .recall(&scope, NOW, &parties, RecallOptions::default())
        .unwrap();
    let rows = recall.tracking_events();
    let report = recall.report(&parties);
    let bytes = render::recall_workbook(&report, &rows).unwrap();
    assert!(bytes.starts_with(b"PK"));
    let workbook = zipped_file(&bytes, "xl/workbook.xml");
    assert!(workbook.contains("tracking events") && workbook.contains("affected items"));
    let events = zipped_file(&bytes, "xl/worksheets/sheet1.xml");
    assert_eq!(events.matches("<row ").count(), rows.len() + 1);
    assert!(events.contains("<autoFilter"), "{events}");
    let items = zipped_file(&bytes, "xl/worksheets/sheet2.xml");
    let n_items = report.lots.len() + report.pallets.len() + report.cases.len() + report.cans.len();
    assert_eq!(items.matches("<row ").count(), n_items + 1);
    let strings = zipped_file(&bytes, "xl/sharedStrings.xml");
    assert!(strings.contains("traceability_lot_codes"));
    assert!(strings.contains("母婴店"));
    assert!(strings.contains(&gln(20)));
}

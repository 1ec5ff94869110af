//! One test per rule of the graph, on a small, realistic chain: two farms' raw milk and a
//! supplier's ingredient become base powder, then a finished lot of six cans in two cases on
//! one pallet, shipped to a distributor, partly on to a shop, one can sold.

use anxin_epcis::Action;
use anxin_trace::{Finding, ItemKind, Relation, TraceGraph};

use super::support::*;

pub struct Chain {
    pub log: Log,
    pub cans: Vec<String>,
    pub times: Vec<i64>,
}

/// The story; `times[k]` is the time of step k.
pub fn chain() -> Chain {
    let mut log = Log::default();
    let t = |k: i64| T0 + k * 60 * MINUTE;
    let cans: Vec<String> = (1..=6).map(|s| can(1, s)).collect();
    log.push(collect(t(0), &lot(900, "RM1"), 10_000.0, 1), Some(1));
    log.push(collect(t(0), &lot(900, "RM2"), 8_000.0, 2), Some(2));
    log.push(
        receive_class(t(1), &lot(901, "ING1"), 500.0, 10, 4),
        Some(10),
    );
    log.push(
        transform(
            t(2),
            vec![
                qty(&lot(900, "RM1"), 6_000.0, Some("KGM")),
                qty(&lot(900, "RM2"), 8_000.0, Some("KGM")),
            ],
            vec![qty(&lot(902, "BP1"), 1_800.0, Some("KGM"))],
            10,
        ),
        Some(10),
    );
    log.push(
        transform(
            t(3),
            vec![
                qty(&lot(902, "BP1"), 1_500.0, Some("KGM")),
                qty(&lot(901, "ING1"), 300.0, Some("KGM")),
            ],
            vec![qty(&lot(1, "L1"), 1_800.0, Some("KGM"))],
            10,
        ),
        Some(10),
    );
    log.push(commission(t(4), &cans, "L1", 10), Some(10));
    log.push(
        aggregate(t(5), Action::Add, &sscc(1), &cans[0..3], 10),
        Some(10),
    );
    log.push(
        aggregate(t(5), Action::Add, &sscc(2), &cans[3..6], 10),
        Some(10),
    );
    log.push(
        aggregate(t(6), Action::Add, &sscc(100), &[sscc(1), sscc(2)], 10),
        Some(10),
    );
    log.push(ship(t(7), &[sscc(100)], 10, 20), Some(10));
    log.push(receive(t(8), &[sscc(100)], 20), Some(20));
    log.push(
        aggregate(t(9), Action::Delete, &sscc(100), &[], 20),
        Some(20),
    );
    log.push(ship(t(10), &[sscc(2)], 20, 30), Some(20));
    log.push(receive(t(11), &[sscc(2)], 30), Some(30));
    log.push(sell(t(12), &cans[3..4], 30), Some(30));
    Chain {
        log,
        cans,
        times: (0..=12).map(t).collect(),
    }
}

const LATER: i64 = T0 + 1000 * 60 * MINUTE;

#[test]
fn a_can_traces_back_to_every_farm_and_ingredient_lot_with_proving_events() {
    let chain = chain();
    let graph = chain.log.graph();
    let trace = graph.backward(&chain.cans[3]).unwrap();
    let has = |up: &str, down: &str, relation: Relation| {
        trace
            .links
            .iter()
            .any(|l| l.upstream == up && l.downstream == down && l.relation == relation)
    };
    assert!(has(&lot(1, "L1"), &chain.cans[3], Relation::LotMembership));
    assert!(has(
        &lot(902, "BP1"),
        &lot(1, "L1"),
        Relation::Transformation
    ));
    assert!(has(
        &lot(901, "ING1"),
        &lot(1, "L1"),
        Relation::Transformation
    ));
    assert!(has(
        &lot(900, "RM1"),
        &lot(902, "BP1"),
        Relation::Transformation
    ));
    assert!(has(
        &lot(900, "RM2"),
        &lot(902, "BP1"),
        Relation::Transformation
    ));
    let rm1 = trace
        .links
        .iter()
        .find(|l| l.upstream == lot(900, "RM1"))
        .unwrap();
    assert_eq!(rm1.event.event_seq, chain.log.events[3].seq);
    assert_eq!(rm1.event.hash_id, chain.log.events[3].hash);
    assert_eq!(rm1.quantity, Some(6_000.0));
    assert_eq!(rm1.uom.as_deref(), Some("KGM"));
    let sources: Vec<&str> = trace.sources.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(sources.len(), 3, "{sources:?}");
    for source in [lot(900, "RM1"), lot(900, "RM2"), lot(901, "ING1")] {
        assert!(sources.contains(&source.as_str()), "{source}");
    }
    let farm = trace
        .sources
        .iter()
        .find(|s| s.id == lot(900, "RM2"))
        .unwrap();
    assert_eq!(
        farm.origin_events[0].biz_location.as_deref(),
        Some(site(2).as_str())
    );
    let supplier = trace
        .sources
        .iter()
        .find(|s| s.id == lot(901, "ING1"))
        .unwrap();
    assert_eq!(supplier.origin_events[0].sources, vec![gln(4)]);
}

#[test]
fn a_pallet_traces_back_through_its_contents() {
    let chain = chain();
    let graph = chain.log.graph();
    let trace = graph.backward(&sscc(100)).unwrap();
    assert!(
        trace
            .links
            .iter()
            .any(|l| l.upstream == sscc(1) && l.relation == Relation::Containment)
    );
    assert!(trace.nodes.iter().any(|(id, _)| *id == lot(900, "RM1")));
    assert_eq!(trace.nodes[0], (sscc(100), ItemKind::Pallet));
}

#[test]
fn a_raw_milk_lot_reaches_every_lot_pallet_case_and_can() {
    let chain = chain();
    let graph = chain.log.graph();
    let forward = graph.forward(&[&lot(900, "RM1")], LATER).unwrap();
    assert!(forward.lots.contains(&lot(902, "BP1")));
    assert!(forward.lots.contains(&lot(1, "L1")));
    assert_eq!(forward.cans.len(), 6);
    assert_eq!(forward.cases.len(), 2);
    assert_eq!(forward.pallets.len(), 1);
    // The ingredient lot was an input too, but is not downstream of the milk.
    assert!(!forward.lots.contains(&lot(901, "ING1")));
}

#[test]
fn a_can_takes_its_holder_and_place_from_its_containers_while_inside() {
    let chain = chain();
    let graph = chain.log.graph();
    let in_case_1 = graph.state(&chain.cans[0], LATER).unwrap();
    assert_eq!(in_case_1.holder, Some(gln(20)));
    assert_eq!(in_case_1.location, Some(site(20)));
    assert_eq!(in_case_1.lot, Some(lot(1, "L1")));
    // Before shipping it was at the factory.
    let before = graph.state(&chain.cans[0], chain.times[6]).unwrap();
    assert_eq!(before.holder, Some(gln(10)));
    // In transit the holder is the destination's owner and there is no location.
    let in_transit = graph.state(&chain.cans[0], chain.times[7]).unwrap();
    assert_eq!(in_transit.holder, Some(gln(20)));
    assert_eq!(in_transit.location, None);
    assert_eq!(in_transit.disposition.as_deref(), Some("in_transit"));
    assert_eq!(
        in_transit.last_event.unwrap().event_seq,
        chain.log.events[9].seq
    );
}

#[test]
fn an_unpacked_container_no_longer_moves_its_former_contents() {
    let chain = chain();
    let graph = chain.log.graph();
    // Case 1 left the pallet at step 9; the pallet moving later does not move case 1.
    let mut log = chain.log.clone();
    log.push(
        ship(chain.times[12] + MINUTE, &[sscc(100)], 20, 40),
        Some(20),
    );
    let graph_after = log.graph();
    let can = graph_after.state(&chain.cans[0], LATER).unwrap();
    assert_eq!(can.holder, Some(gln(20)));
    assert_eq!(can.location, Some(site(20)));
    assert_eq!(graph.state(&chain.cans[0], LATER).unwrap(), can);
}

#[test]
fn a_can_packed_between_two_times_was_in_the_case_only_then() {
    let mut log = Log::default();
    let c = can(1, 1);
    log.push(commission(T0, std::slice::from_ref(&c), "L1", 10), Some(10));
    log.push(
        aggregate(
            T0 + MINUTE,
            Action::Add,
            &sscc(1),
            std::slice::from_ref(&c),
            10,
        ),
        Some(10),
    );
    log.push(ship(T0 + 2 * MINUTE, &[sscc(1)], 10, 20), Some(10));
    log.push(
        aggregate(
            T0 + 3 * MINUTE,
            Action::Delete,
            &sscc(1),
            std::slice::from_ref(&c),
            20,
        ),
        Some(20),
    );
    log.push(ship(T0 + 4 * MINUTE, &[sscc(1)], 20, 30), Some(20));
    let graph = log.graph();
    let state = graph.state(&c, LATER).unwrap();
    assert_eq!(
        state.holder,
        Some(gln(20)),
        "unpacked before the second shipment"
    );
    assert_eq!(state.last_event.unwrap().event_seq, log.events[3].seq);
    let at_first_shipment = graph.state(&c, T0 + 2 * MINUTE).unwrap();
    assert_eq!(
        at_first_shipment.last_event.unwrap().event_seq,
        log.events[2].seq
    );
}

#[test]
fn repacking_into_another_case_ends_the_first_interval() {
    let mut log = Log::default();
    let c = can(1, 1);
    log.push(
        aggregate(T0, Action::Add, &sscc(1), std::slice::from_ref(&c), 10),
        Some(10),
    );
    log.push(
        aggregate(
            T0 + MINUTE,
            Action::Add,
            &sscc(2),
            std::slice::from_ref(&c),
            10,
        ),
        Some(10),
    );
    log.push(ship(T0 + 2 * MINUTE, &[sscc(1)], 10, 20), Some(10));
    let graph = log.graph();
    assert_eq!(graph.state(&c, LATER).unwrap().holder, Some(gln(10)));
}

#[test]
fn a_sold_can_shows_its_sale_as_last_event() {
    let chain = chain();
    let graph = chain.log.graph();
    let sold = graph.state(&chain.cans[3], LATER).unwrap();
    assert_eq!(sold.disposition.as_deref(), Some("retail_sold"));
    assert_eq!(sold.last_biz_step.as_deref(), Some("retail_selling"));
    assert_eq!(sold.holder, Some(gln(30)));
    let on_shelf = graph.state(&chain.cans[4], LATER).unwrap();
    assert_eq!(on_shelf.location, Some(site(30)));
    assert_eq!(on_shelf.disposition.as_deref(), Some("sellable_accessible"));
}

#[test]
fn a_record_made_away_from_the_goods_moves_neither_holder_nor_location() {
    // The manufacturer (party 10) marks cans at the distributor and at the shop recalled from
    // its office: the event names no read point, business location, source or destination.
    let chain = chain();
    let mut log = chain.log.clone();
    let at = chain.times[12] + MINUTE;
    log.push(persistent(at, &chain.cans, "recalled", true), Some(10));
    let graph = log.graph();
    for (can, holder) in [(&chain.cans[0], 20), (&chain.cans[4], 30)] {
        let state = graph.state(can, LATER).unwrap();
        assert_eq!(state.persistent_dispositions, vec!["recalled".to_owned()]);
        assert_eq!(state.holder, Some(gln(holder)), "{can}");
        assert_eq!(state.location, Some(site(holder)), "{can}");
    }
    // The same record about a whole case, folded once for its contents, leaves them too.
    let mut log = chain.log.clone();
    log.push(persistent(at, &[sscc(2)], "recalled", true), Some(10));
    let state = log.graph().state(&chain.cans[4], LATER).unwrap();
    assert_eq!(state.persistent_dispositions, vec!["recalled".to_owned()]);
    assert_eq!(state.holder, Some(gln(30)));
    assert_eq!(state.location, Some(site(30)));
}

#[test]
fn a_persistent_disposition_stays_until_unset() {
    let chain = chain();
    let mut log = chain.log.clone();
    let at = chain.times[12] + MINUTE;
    log.push(persistent(at, &[sscc(2)], "recalled", true), Some(30));
    log.push(receive(at + MINUTE, &chain.cans[4..5], 30), Some(30));
    let graph = log.graph();
    let state = graph.state(&chain.cans[4], LATER).unwrap();
    assert_eq!(state.persistent_dispositions, vec!["recalled".to_owned()]);
    log.push(
        persistent(at + 2 * MINUTE, &chain.cans[4..5], "recalled", false),
        Some(30),
    );
    let graph = log.graph();
    assert!(
        graph
            .state(&chain.cans[4], LATER)
            .unwrap()
            .persistent_dispositions
            .is_empty()
    );
}

#[test]
fn a_declared_erroneous_packing_leaves_the_trace_and_is_shown_corrected() {
    let chain = chain();
    let mut log = chain.log.clone();
    // Declare the packing of cans 4–6 into case 2 erroneous.
    log.declare_error(7, chain.times[12] + MINUTE);
    let graph = log.graph();
    let state = graph.state(&chain.cans[5], LATER).unwrap();
    assert_eq!(state.holder, Some(gln(10)), "never left the factory");
    let trace = graph.backward(&sscc(2)).unwrap();
    assert!(
        trace
            .links
            .iter()
            .all(|l| l.relation != Relation::Containment)
    );
    // The recall's tracking sheet lists it, marked corrected.
    let parties = std::collections::HashMap::new();
    let recall = graph
        .recall(
            &anxin_trace::recall::RecallScope::Identifiers {
                ids: vec![chain.cans[5].clone()],
            },
            LATER,
            &parties,
            Default::default(),
        )
        .unwrap();
    let rows = recall.tracking_events();
    let row = rows
        .iter()
        .find(|r| r.event_seq == log.events[7].seq)
        .unwrap();
    assert!(row.corrected);
}

#[test]
fn a_declared_erroneous_unpack_reopens_the_interval_until_the_next_unpack() {
    let mut log = Log::default();
    let c = can(1, 1);
    log.push(
        aggregate(T0, Action::Add, &sscc(1), std::slice::from_ref(&c), 10),
        Some(10),
    );
    let wrong = log.push(
        aggregate(T0 + MINUTE, Action::Delete, &sscc(1), &[], 10),
        Some(10),
    );
    log.push(ship(T0 + 2 * MINUTE, &[sscc(1)], 10, 20), Some(10));
    log.push(
        aggregate(
            T0 + 3 * MINUTE,
            Action::Delete,
            &sscc(1),
            std::slice::from_ref(&c),
            20,
        ),
        Some(20),
    );
    log.push(ship(T0 + 4 * MINUTE, &[sscc(1)], 20, 30), Some(20));
    let between = T0 + 2 * MINUTE + 30_000;
    assert_eq!(
        log.graph().state(&c, between).unwrap().holder,
        Some(gln(10))
    );
    log.declare_error(wrong, T0 + 5 * MINUTE);
    let graph = log.graph();
    assert_eq!(graph.state(&c, between).unwrap().holder, Some(gln(20)));
    assert_eq!(
        graph.state(&c, LATER).unwrap().holder,
        Some(gln(20)),
        "unpacked at 20"
    );
}

#[test]
fn a_declaration_that_arrives_first_applies_when_its_event_arrives() {
    let mut log = Log::default();
    let c = can(1, 1);
    let packing = aggregate(T0, Action::Add, &sscc(1), std::slice::from_ref(&c), 10);
    let index = log.push(packing, Some(10));
    log.declare_error(index, T0 + MINUTE);
    // Reorder: the declaration first.
    log.events.swap(0, 1);
    log.events[0].seq = 1;
    log.events[1].seq = 2;
    let mut graph = TraceGraph::new();
    let first = graph.apply(&facts(&log.events[0])).unwrap();
    assert!(matches!(
        first.findings[0],
        Finding::DeclarationBeforeEvent { .. }
    ));
    graph.apply(&facts(&log.events[1])).unwrap();
    assert_eq!(graph.kind(&sscc(1)).unwrap(), ItemKind::Can);
    assert_eq!(graph.state(&c, LATER).unwrap().holder, None);
}

#[test]
fn a_declared_erroneous_commissioning_takes_the_can_out_of_its_lot() {
    let mut log = Log::default();
    let c = can(1, 1);
    log.push(commission(T0, std::slice::from_ref(&c), "L1", 10), Some(10));
    let wrong = log.push(
        commission(T0 + MINUTE, std::slice::from_ref(&c), "L2", 10),
        Some(10),
    );
    assert_eq!(
        log.graph().state(&c, LATER).unwrap().lot,
        Some(lot(1, "L2"))
    );
    log.declare_error(wrong, T0 + 2 * MINUTE);
    let graph = log.graph();
    assert_eq!(graph.state(&c, LATER).unwrap().lot, Some(lot(1, "L1")));
    let forward = graph.forward(&[&lot(1, "L2")], LATER).unwrap();
    assert!(forward.cans.is_empty());
}

#[test]
fn a_transformation_by_serial_links_input_cans_to_output_cans() {
    let mut log = Log::default();
    let old = can(1, 1);
    let new = can(2, 1);
    log.push(
        commission(T0, std::slice::from_ref(&old), "L1", 10),
        Some(10),
    );
    let mut event = transform(T0 + MINUTE, Vec::new(), Vec::new(), 10);
    event.input_epc_list = vec![old.clone()];
    event.output_epc_list = vec![new.clone()];
    event.ilmd = commission(T0, &[], "R1", 10).ilmd;
    log.push(event, Some(10));
    let graph = log.graph();
    let back = graph.backward(&new).unwrap();
    assert!(
        back.links
            .iter()
            .any(|l| l.upstream == old && l.downstream == new)
    );
    assert!(back.links.iter().any(|l| l.upstream == lot(1, "L1")));
    assert_eq!(graph.state(&new, LATER).unwrap().lot, Some(lot(2, "R1")));
    let forward = graph.forward(&[&lot(1, "L1")], LATER).unwrap();
    assert_eq!(forward.cans.len(), 2);
}

#[test]
fn urns_and_digital_links_name_the_same_node() {
    let mut log = Log::default();
    log.push(
        commission(
            T0,
            &["urn:epc:id:sgtin:6901230.000001.7".to_owned()],
            "L1",
            10,
        ),
        Some(10),
    );
    let graph = log.graph();
    let by_link = graph.state(&can(1, 7), LATER).unwrap();
    assert_eq!(by_link.id, can(1, 7));
    assert_eq!(by_link.lot, Some(lot(1, "L1")));
}

#[test]
fn events_must_be_applied_in_capture_order() {
    let chain = chain();
    let mut graph = TraceGraph::new();
    graph.apply(&facts(&chain.log.events[1])).unwrap();
    let before = graph.event_count();
    let err = graph.apply(&facts(&chain.log.events[0])).unwrap_err();
    assert!(err.to_string().contains("capture order"), "{err}");
    assert_eq!(graph.event_count(), before);
}

#[test]
fn the_graph_reports_its_heap_usage() {
    let chain = chain();
    let graph = chain.log.graph();
    assert!(graph.heap_bytes() > 0);
    assert!(graph.node_count() >= 6 + 3 + 5);
}

#[test]
fn a_cans_own_event_between_its_cases_events_is_folded_in_time_order() {
    let mut log = Log::default();
    let c = can(1, 1);
    log.push(commission(T0, std::slice::from_ref(&c), "L1", 10), Some(10));
    log.push(
        aggregate(
            T0 + MINUTE,
            Action::Add,
            &sscc(1),
            std::slice::from_ref(&c),
            10,
        ),
        Some(10),
    );
    log.push(ship(T0 + 2 * MINUTE, &[sscc(1)], 10, 20), Some(10));
    log.push(
        receive(T0 + 3 * MINUTE, std::slice::from_ref(&c), 30),
        Some(30),
    );
    log.push(receive(T0 + 4 * MINUTE, &[sscc(1)], 20), Some(20));
    let graph = log.graph();
    let parties = std::collections::HashMap::new();
    let scope = anxin_trace::recall::RecallScope::Identifiers {
        ids: vec![lot(1, "L1")],
    };
    let recall = graph
        .recall(&scope, LATER, &parties, Default::default())
        .unwrap();
    let report = recall.report(&parties);
    let state = &report.cans[0].state;
    assert_eq!(state.holder, Some(gln(20)));
    assert_eq!(state.location, Some(site(20)));
    assert_eq!(
        state.last_event.as_ref().unwrap().event_seq,
        log.events[4].seq
    );
    assert_eq!(graph.state(&c, LATER).unwrap(), *state);
}

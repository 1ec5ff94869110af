//! Unknown and malformed identifiers, cycles in submitted data, recalls that match nothing:
//! a clear error or an empty, explained answer, never a panic or a hang.

use std::collections::HashMap;

use anxin_epcis::Action;
use anxin_trace::recall::{RecallOptions, RecallScope};
use anxin_trace::{Finding, TraceError};

use super::rules::chain;
use super::support::*;

const NOW: i64 = T0 + 10_000 * MINUTE;

#[test]
fn an_empty_identifier_is_malformed() {
    let graph = chain().log.graph();
    for id in ["", "   "] {
        assert!(matches!(
            graph.backward(id),
            Err(TraceError::Malformed { .. })
        ));
    }
}

#[test]
fn a_gs1_key_with_a_wrong_check_digit_is_malformed_with_the_reason() {
    let graph = chain().log.graph();
    let wrong = "https://id.gs1.org/01/06901230000011/21/1";
    let err = graph.forward(&[wrong], NOW).unwrap_err();
    let TraceError::Malformed { reason, .. } = &err else {
        panic!("expected Malformed, got {err:?}");
    };
    assert!(reason.to_lowercase().contains("check"), "{reason}");
    assert!(matches!(
        graph.backward("urn:epc:id:sgtin:not.a.key"),
        Err(TraceError::Malformed { .. })
    ));
}

#[test]
fn an_over_long_identifier_is_refused_before_parsing() {
    let graph = chain().log.graph();
    let long = "x".repeat(anxin_trace::ID_LEN_MAX + 1);
    let err = graph.backward(&long).unwrap_err();
    assert!(err.to_string().contains("longer than"), "{err}");
}

#[test]
fn a_well_formed_identifier_no_event_names_is_unknown() {
    let graph = chain().log.graph();
    let err = graph.backward(&can(1, 999)).unwrap_err();
    assert!(matches!(err, TraceError::Unknown { .. }));
    assert!(err.to_string().contains("no event names"), "{err}");
    assert!(matches!(
        graph.state("urn:uuid:6f1c1b8a-0000-4000-8000-000000000000", NOW),
        Err(TraceError::Unknown { .. })
    ));
}

#[test]
fn a_container_packed_into_its_own_content_is_reported_and_traversals_end() {
    let mut log = Log::default();
    let (a, b) = (sscc(1), sscc(2));
    log.push(
        aggregate(T0, Action::Add, &a, std::slice::from_ref(&b), 10),
        Some(10),
    );
    log.push(
        aggregate(T0 + MINUTE, Action::Add, &b, std::slice::from_ref(&a), 10),
        Some(10),
    );
    log.push(
        ship(T0 + 2 * MINUTE, std::slice::from_ref(&a), 10, 20),
        Some(10),
    );
    let graph = log.graph();
    assert!(
        graph
            .findings()
            .iter()
            .any(|f| matches!(f, Finding::AggregationCycle { .. })),
        "{:?}",
        graph.findings()
    );
    let back = graph.backward(&a).unwrap();
    assert!(!back.cycles.is_empty());
    let forward = graph.forward(&[&a], NOW).unwrap();
    assert_eq!(
        forward.pallets.len() + forward.cases.len() + forward.cans.len(),
        2
    );
    graph.state(&b, NOW).unwrap();
}

#[test]
fn a_transformation_loop_is_reported_and_traversals_end() {
    let mut log = Log::default();
    let (x, y) = (lot(902, "X"), lot(902, "Y"));
    log.push(
        transform(
            T0,
            vec![qty(&x, 1.0, Some("KGM"))],
            vec![qty(&y, 1.0, Some("KGM"))],
            10,
        ),
        Some(10),
    );
    log.push(
        transform(
            T0 + MINUTE,
            vec![qty(&y, 1.0, Some("KGM"))],
            vec![qty(&x, 1.0, Some("KGM"))],
            10,
        ),
        Some(10),
    );
    let graph = log.graph();
    assert!(
        graph
            .findings()
            .iter()
            .any(|f| matches!(f, Finding::TransformationCycle { .. })),
        "{:?}",
        graph.findings()
    );
    let back = graph.backward(&x).unwrap();
    assert_eq!(back.cycles.len(), 1, "{:?}", back.cycles);
    assert!(back.sources.is_empty(), "a loop has no source");
    let forward = graph.forward(&[&x], NOW).unwrap();
    assert_eq!(forward.lots.len(), 2);
}

#[test]
fn an_unpack_of_something_never_packed_is_reported() {
    let mut log = Log::default();
    log.push(
        aggregate(T0, Action::Delete, &sscc(1), &[can(1, 1)], 10),
        Some(10),
    );
    let graph = log.graph();
    assert!(matches!(
        graph.findings()[0],
        Finding::UnpackOfAbsentChild { .. }
    ));
}

#[test]
fn a_recall_with_no_start_is_refused() {
    let graph = chain().log.graph();
    let parties = HashMap::new();
    let scope = RecallScope::Identifiers { ids: Vec::new() };
    assert!(matches!(
        graph.recall(&scope, NOW, &parties, RecallOptions::default()),
        Err(TraceError::EmptyRecall)
    ));
    let backwards = RecallScope::FarmDeliveries {
        farm: gln(1),
        from_ms: T0 + 1,
        to_ms: T0,
    };
    assert!(matches!(
        graph.recall(&backwards, NOW, &parties, RecallOptions::default()),
        Err(TraceError::BadRange { .. })
    ));
}

#[test]
fn a_recall_that_matches_nothing_is_empty_and_says_why() {
    let graph = chain().log.graph();
    let parties = HashMap::new();
    let scope = RecallScope::Identifiers {
        ids: vec![can(1, 999), "urn:epc:id:sgtin:bad".to_owned()],
    };
    let recall = graph
        .recall(&scope, NOW, &parties, RecallOptions::default())
        .unwrap();
    assert!(recall.is_empty());
    let report = recall.report(&parties);
    assert_eq!(report.not_found.len(), 2);
    assert!(report.not_found[0].reason.contains("no event names"));
    assert!(
        report
            .explanation
            .as_deref()
            .unwrap()
            .contains("nothing matched")
    );
    let table = anxin_trace::render::report_table(&report);
    assert!(table.contains("nothing affected"), "{table}");

    let farm = RecallScope::FarmDeliveries {
        farm: gln(3),
        from_ms: T0,
        to_ms: NOW,
    };
    let report = graph
        .recall(&farm, NOW, &parties, RecallOptions::default())
        .unwrap()
        .report(&parties);
    assert!(report.cans.is_empty());
    assert!(report.not_found[0].reason.contains("no lot"));
}

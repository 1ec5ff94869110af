//! Events built in code, compared with what the reference implementation says about the same
//! events written as documents in `tests/fixtures/hash/` (see the README there).

use super::*;
use crate::cbv::{Term, Vocabulary};
use crate::ext::{ExtValue, Extension, QName, XSI_NAMESPACE};
use crate::model::{
    Action, BizTransaction, ErrorDeclaration, Event, EventType, Location, PersistentDisposition,
    QuantityElement, SensorElement, SensorMetadata, SensorReport, SourceDest,
};
use crate::time::{EpcisTime, TimeZoneOffset};

const EXPECTED: &str = include_str!("../../tests/fixtures/hash/expected.jsonl");

const ANXIN: &str = "https://ns.anxin.example/epcis/";
const GB: &str = "https://ns.anxin.example/gb/";
const LAB: &str = "urn:anxin:lab";
const CBVMDA: &str = "urn:epcglobal:cbv:mda:";

const SGTIN_1001: &str = "urn:epc:id:sgtin:6901234.012345.1001";
const SSCC: &str = "urn:epc:id:sscc:6901234.0000000017";
const SGLN: &str = "urn:epc:id:sgln:6901234.00001.0";

/// The reference's hash ID and pre-hash string for event `event_number` (from 1) of `file`.
fn expected(file: &str, event_number: u64) -> (String, String) {
    for line in EXPECTED.lines() {
        let record: serde_json::Value =
            serde_json::from_str(line).expect("expected.jsonl is JSON lines");
        if record["file"] == file && record["event"] == event_number {
            let field = |name: &str| record[name].as_str().unwrap_or_default().to_owned();
            return (field("hash_id"), field("pre_hash"));
        }
    }
    panic!("no expected value for {file} event {event_number}");
}

/// The one place that calls the API under test.
#[track_caller]
fn check(event: &Event, file: &str, event_number: u64) {
    let (hash_id, pre_hash) = expected(file, event_number);
    assert_eq!(
        pre_hash_string(event),
        pre_hash,
        "{file} event {event_number}"
    );
    assert_eq!(event_hash_id(event), hash_id, "{file} event {event_number}");
    assert_eq!(Hasher::new().hash_id(event), hash_id);
}

fn time(text: &str) -> EpcisTime {
    EpcisTime::parse(text).expect("a test timestamp")
}

fn event(event_type: EventType, event_time: &str, offset: &str) -> Event {
    Event::new(
        event_type,
        time(event_time),
        TimeZoneOffset::parse(offset).expect("a test offset"),
    )
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn term(vocabulary: Vocabulary, text: &str) -> Term {
    Term::read(vocabulary, text)
}

fn quantity(class: &str, amount: Option<f64>, uom: Option<&str>) -> QuantityElement {
    QuantityElement {
        epc_class: class.to_owned(),
        quantity: amount,
        uom: uom.map(str::to_owned),
    }
}

fn location(id: &str, extensions: Vec<Extension>) -> Location {
    Location {
        id: id.to_owned(),
        extensions,
    }
}

fn ext(namespace: &str, local: &str, value: ExtValue) -> Extension {
    Extension {
        name: QName::new(namespace, local),
        value,
        attributes: Vec::new(),
    }
}

fn text(value: &str) -> ExtValue {
    ExtValue::Text(value.to_owned())
}

fn number(lexical: &str) -> ExtValue {
    ExtValue::Number(lexical.to_owned())
}

fn transaction(kind: &str, id: &str) -> BizTransaction {
    BizTransaction {
        transaction_type: Some(term(Vocabulary::BizTransactionType, kind)),
        id: id.to_owned(),
    }
}

fn party(kind: &str, id: &str) -> SourceDest {
    SourceDest {
        kind: term(Vocabulary::SourceDestType, kind),
        id: id.to_owned(),
    }
}

fn object_event() -> Event {
    let mut event = event(
        EventType::ObjectEvent,
        "2024-05-01T10:15:30.250+08:00",
        "+08:00",
    );
    event.event_id = Some("urn:uuid:8a6b2f4e-5d1c-4e7a-9b3f-2c1d0e9f8a7b".into());
    event.record_time = Some(time("2024-05-01T10:16:00.000+08:00"));
    event.certification_info = strings(&[
        "https://cert.anxin.example/haccp/2024-17",
        "https://cert.anxin.example/gmp/9",
    ]);
    event.epc_list = strings(&[
        "urn:epc:id:sgtin:6901234.012345.1002",
        "urn:epc:id:sgtin:6901234.012345.1001",
    ]);
    event.quantity_list = vec![
        quantity(
            "urn:epc:class:lgtin:6901234.012345.L2405A",
            Some(200.0),
            Some("KGM"),
        ),
        quantity("urn:epc:idpat:sgtin:6901234.012345.*", Some(12.0), None),
    ];
    event.action = Some(Action::Add);
    event.biz_step = Some(term(Vocabulary::BizStep, "commissioning"));
    event.disposition = Some(term(Vocabulary::Disposition, "active"));
    event.persistent_disposition = Some(PersistentDisposition {
        set: vec![
            term(Vocabulary::Disposition, "completeness_verified"),
            term(Vocabulary::Disposition, "conformant"),
        ],
        unset: vec![term(Vocabulary::Disposition, "non_conformant")],
    });
    event.read_point = Some(location("urn:epc:id:sgln:6901234.00001.1", vec![]));
    event.biz_location = Some(location(SGLN, vec![]));
    event.biz_transaction_list = vec![
        transaction("po", "urn:anxin:po:PO-2024-0501"),
        transaction("prodorder", "urn:epc:id:gdti:6901234.00002.7001"),
    ];
    event.source_list = vec![
        party("owning_party", "urn:epc:id:pgln:6901234.00000"),
        party("location", SGLN),
    ];
    event.destination_list = vec![party("possessing_party", "urn:epc:id:pgln:6909876.00000")];
    event.ilmd = Some(vec![
        ext(CBVMDA, "lotNumber", text("L2405A")),
        ext(CBVMDA, "bestBeforeDate", text("2026-05-01")),
        ext(ANXIN, "formulaRegistration", text("国食注字YP20160001")),
    ]);
    event
}

#[test]
fn an_object_event_with_every_common_field_hashes_like_the_reference() {
    check(&object_event(), "object_event.jsonld", 1);
}

#[test]
fn an_aggregation_event_hashes_like_the_reference() {
    let mut event = event(
        EventType::AggregationEvent,
        "2024-05-02T01:00:00Z",
        "+08:00",
    );
    event.parent_id = Some(SSCC.into());
    event.child_epcs = strings(&[
        "urn:epc:id:sgtin:6901234.012345.1003",
        SGTIN_1001,
        "urn:epc:id:sgtin:6901234.012345.1002",
    ]);
    event.child_quantity_list = vec![quantity(
        "urn:epc:class:lgtin:6901234.012346.L2405B",
        Some(6.0),
        Some("EA"),
    )];
    event.action = Some(Action::Add);
    event.biz_step = Some(term(Vocabulary::BizStep, "packing"));
    event.disposition = Some(term(Vocabulary::Disposition, "container_closed"));
    event.read_point = Some(location("urn:epc:id:sgln:6901234.00001.2", vec![]));
    check(&event, "aggregation_event.jsonld", 1);
}

#[test]
fn a_transaction_event_with_a_community_transaction_type_hashes_like_the_reference() {
    let mut event = event(
        EventType::TransactionEvent,
        "2024-05-03T09:30:00.000+08:00",
        "+08:00",
    );
    event.parent_id = Some(SSCC.into());
    event.epc_list = strings(&[SGTIN_1001]);
    event.quantity_list = vec![quantity(
        "urn:epc:class:lgtin:6901234.012346.L2405B",
        Some(48.0),
        Some("EA"),
    )];
    event.action = Some(Action::Add);
    event.biz_step = Some(term(Vocabulary::BizStep, "shipping"));
    event.disposition = Some(term(Vocabulary::Disposition, "in_transit"));
    event.biz_transaction_list = vec![
        transaction("desadv", "urn:anxin:desadv:DA-7"),
        transaction("po", "https://erp.anxin.example/po/PO-2024-0501"),
        transaction(
            "https://ns.anxin.example/btt/gbQuarantine",
            "urn:anxin:cert:Q-11",
        ),
    ];
    check(&event, "transaction_event.jsonld", 1);
}

#[test]
fn a_transformation_event_hashes_like_the_reference() {
    let mut event = event(
        EventType::TransformationEvent,
        "2024-04-20T14:00:00.000+08:00",
        "+08:00",
    );
    event.input_epc_list = strings(&["urn:epc:id:sgtin:6909876.054321.R7"]);
    event.input_quantity_list = vec![
        quantity(
            "urn:epc:class:lgtin:6909876.054320.MILK0420",
            Some(1500.5),
            Some("KGM"),
        ),
        quantity(
            "urn:epc:class:lgtin:6909876.054322.LAC77",
            Some(310.0),
            Some("KGM"),
        ),
    ];
    event.output_epc_list = strings(&["urn:epc:id:sgtin:6901234.012345.2001"]);
    event.output_quantity_list = vec![quantity(
        "urn:epc:class:lgtin:6901234.012399.BP0420",
        Some(1800.0),
        Some("KGM"),
    )];
    event.transformation_id = Some("urn:anxin:transformation:spray-dry-0420".into());
    event.biz_step = Some(term(
        Vocabulary::BizStep,
        "https://ns.anxin.example/bizstep/spray_drying",
    ));
    event.disposition = Some(term(Vocabulary::Disposition, "in_progress"));
    event.read_point = Some(location("urn:epc:id:sgln:6901234.00003.0", vec![]));
    event.ilmd = Some(vec![
        ext(ANXIN, "rawMilkProtein", text("3.20")),
        ext(ANXIN, "labReportId", text("LR-0420-01")),
    ]);
    check(&event, "transformation_event.jsonld", 1);
}

#[test]
fn an_association_event_hashes_like_the_reference() {
    let mut event = event(
        EventType::AssociationEvent,
        "2024-05-04T06:00:00.000+08:00",
        "+08:00",
    );
    event.parent_id = Some("urn:epc:id:grai:6901234.00004.T1".into());
    event.child_epcs = strings(&["urn:epc:id:giai:6901234.SENSOR-42"]);
    event.child_quantity_list = vec![quantity("urn:epc:idpat:sgtin:6901234.012345.*", None, None)];
    event.action = Some(Action::Add);
    event.biz_step = Some(term(Vocabulary::BizStep, "assembling"));
    event.read_point = Some(location(SGLN, vec![]));
    check(&event, "association_event.jsonld", 1);
}

fn sensor_event() -> Event {
    let mut event = event(EventType::ObjectEvent, "2024-05-05T03:00:00.000Z", "+08:00");
    event.epc_list = strings(&[SSCC]);
    event.action = Some(Action::Observe);
    event.biz_step = Some(term(Vocabulary::BizStep, "sensor_reporting"));
    let metadata = SensorMetadata {
        time: Some(time("2024-05-05T11:00:00.000+08:00")),
        start_time: Some(time("2024-05-05T10:00:00+08:00")),
        end_time: Some(time("2024-05-05T10:59:59.9994+08:00")),
        device_id: Some("urn:epc:id:giai:6901234.SENSOR-42".into()),
        device_metadata: Some("https://data.anxin.example/devices/42".into()),
        raw_data: Some("https://data.anxin.example/raw/42/0505".into()),
        data_processing_method: Some("https://data.anxin.example/methods/avg".into()),
        biz_rules: Some("https://data.anxin.example/rules/coldchain".into()),
        extensions: vec![ext(ANXIN, "calibration", text("2024-01-10"))],
    };
    let temperature = SensorReport {
        measurement_type: Some(term(Vocabulary::MeasurementType, "Temperature")),
        value: Some(4.5),
        min_value: Some(2.0),
        max_value: Some(7.25),
        mean_value: Some(4.5),
        s_dev: Some(0.0001),
        perc_rank: Some(50.0),
        perc_value: Some(4.4),
        uom: Some("CEL".into()),
        time: Some(time("2024-05-05T10:30:00.000+08:00")),
        device_id: Some("https://id.gs1.org/8004/6901234SENSOR-42".into()),
        device_metadata: Some("https://data.anxin.example/devices/42".into()),
        raw_data: Some("https://data.anxin.example/raw/42/t".into()),
        data_processing_method: Some("https://data.anxin.example/methods/avg".into()),
        coordinate_reference_system: Some("http://www.opengis.net/def/crs/EPSG/0/4326".into()),
        ..SensorReport::default()
    };
    let humidity = SensorReport {
        measurement_type: Some(term(Vocabulary::MeasurementType, "RelativeHumidity")),
        value: Some(45.0),
        uom: Some("P1".into()),
        exception: Some(term(Vocabulary::SensorAlertType, "ALARM_CONDITION")),
        boolean_value: Some(true),
        string_value: Some("door open".into()),
        hex_binary_value: Some("0a1b".into()),
        uri_value: Some("https://data.anxin.example/alarms/7".into()),
        extensions: vec![ext(ANXIN, "alarmCode", text("H-7"))],
        ..SensorReport::default()
    };
    let tiny = SensorReport {
        measurement_type: Some(term(Vocabulary::MeasurementType, "Dimensionless")),
        value: Some(1e-7),
        component: Some(term(Vocabulary::Component, "x")),
        microorganism: Some("https://www.ncbi.nlm.nih.gov/taxonomy/28901".into()),
        chemical_substance: Some(
            "https://identifiers.org/inchikey:QTBSBXVTEAMEQO-UHFFFAOYSA-N".into(),
        ),
        ..SensorReport::default()
    };
    let mass = SensorReport {
        measurement_type: Some(term(Vocabulary::MeasurementType, "Mass")),
        value: Some(12.5),
        uom: Some("KGM".into()),
        extensions: vec![ext(GB, "transactionRef", text("T-1"))],
        ..SensorReport::default()
    };
    event.sensor_element_list = vec![
        SensorElement {
            metadata: Some(metadata),
            reports: vec![temperature, humidity, tiny],
            extensions: vec![
                ext(ANXIN, "sensorNote", text("cold chain")),
                ext(LAB, "sampleId", text("S-9")),
            ],
        },
        SensorElement {
            metadata: Some(SensorMetadata {
                extensions: vec![ext(LAB, "only", text("alone"))],
                ..SensorMetadata::default()
            }),
            reports: vec![mass],
            extensions: vec![],
        },
    ];
    event
}

#[test]
fn sensor_data_with_every_field_and_nested_extensions_hashes_like_the_reference() {
    // Also shows where nested extensions go: inside their element when its namespace ends in
    // `/`, after the standard fields otherwise (`lab:`), or when a sibling's name contains
    // `action` (`gb:transactionRef`), or when the element has no other child (`lab:only`).
    check(&sensor_event(), "sensor.jsonld", 1);
}

#[test]
fn a_sensor_boolean_is_written_as_xml_writes_it() {
    let pre_hash = pre_hash_string(&sensor_event());
    assert!(pre_hash.contains("booleanValue=true"), "{pre_hash}");
    assert!(!pre_hash.contains("True"), "{pre_hash}");
}

#[test]
fn nested_extensions_arrays_and_empty_values_hash_like_the_reference() {
    let mut event = event(
        EventType::ObjectEvent,
        "2024-05-06T08:00:00.000+08:00",
        "+08:00",
    );
    event.epc_list = strings(&[SGTIN_1001]);
    event.action = Some(Action::Observe);
    event.read_point = Some(location(
        SGLN,
        vec![
            ext(ANXIN, "dock", text("D3")),
            ext(LAB, "bench", text("B1")),
        ],
    ));
    event.biz_location = Some(location(
        SGLN,
        vec![
            ext(ANXIN, "zone", text("cold")),
            ext(ANXIN, "transactionRef", text("Z-2")),
        ],
    ));
    let result = |test: &str, value: &str| {
        ExtValue::Object(vec![
            ext(ANXIN, "test", text(test)),
            ext(ANXIN, "value", number(value)),
        ])
    };
    event.ilmd = Some(vec![
        ext(
            ANXIN,
            "lab",
            ExtValue::Object(vec![
                ext(ANXIN, "reportId", text("LR-1")),
                ext(
                    ANXIN,
                    "results",
                    ExtValue::Array(vec![result("protein", "3.2"), result("fat", "3.6")]),
                ),
            ]),
        ),
        ext(
            ANXIN,
            "tags",
            ExtValue::Array(vec![
                text("b"),
                text("a"),
                ExtValue::Array(vec![text("y"), text("x")]),
                ExtValue::Object(vec![]),
                ExtValue::Array(vec![]),
            ]),
        ),
        ext(CBVMDA, "countryOfOrigin", text("CN")),
    ]);
    event.extensions = vec![
        ext(ANXIN, "inspector", text("张三")),
        ext(
            ANXIN,
            "flags",
            ExtValue::Object(vec![
                ext(ANXIN, "released", ExtValue::Bool(false)),
                ext(ANXIN, "note", ExtValue::Null),
                ext(ANXIN, "empty", text("")),
                ext(ANXIN, "blank", ExtValue::Object(vec![])),
            ]),
        ),
        ext(ANXIN, "count", text("0012")),
        ext(GB, "standard", text("GB 10765-2021")),
        ext(
            LAB,
            "sample",
            ExtValue::Object(vec![
                ext(LAB, "id", text("S-1")),
                ext(
                    LAB,
                    "link",
                    text("https://example.com/dl/01/06901234123456/21/1001"),
                ),
            ]),
        ),
        ext(ANXIN, "none", ExtValue::Array(vec![])),
    ];
    check(&event, "extensions.jsonld", 1);
}

fn declared_event(with_declaration: bool) -> Event {
    let mut event = event(
        EventType::ObjectEvent,
        "2024-05-07T08:00:00.000+08:00",
        "+08:00",
    );
    event.epc_list = strings(&[SGTIN_1001]);
    event.action = Some(Action::Observe);
    event.biz_step = Some(term(Vocabulary::BizStep, "shipping"));
    if with_declaration {
        event.event_id = Some("urn:uuid:0d4b5c1e-7f3a-4c2b-8e9d-1a2b3c4d5e6f".into());
        event.error_declaration = Some(ErrorDeclaration {
            declaration_time: time("2024-05-08T09:00:00.000+08:00"),
            reason: Some(term(Vocabulary::ErrorReason, "incorrect_data")),
            corrective_event_ids: strings(&["urn:uuid:1e5c6d2f-8a4b-4d3c-9f0e-2b3c4d5e6f70"]),
            extensions: vec![ext(ANXIN, "by", text("QA"))],
        });
    }
    event
}

#[test]
fn an_error_declaration_and_an_event_id_leave_the_id_unchanged() {
    check(&declared_event(true), "error_declaration.jsonld", 1);
    check(&declared_event(false), "error_declaration.jsonld", 2);
    assert_eq!(
        event_hash_id(&declared_event(true)),
        event_hash_id(&declared_event(false))
    );
}

fn received(epcs: &[&str], class: &str, read_point: &str, owner: &str) -> Event {
    let mut event = event(
        EventType::ObjectEvent,
        "2024-05-09T08:00:00.000+08:00",
        "+08:00",
    );
    event.epc_list = strings(epcs);
    event.quantity_list = vec![quantity(class, Some(5.0), None)];
    event.action = Some(Action::Observe);
    event.biz_step = Some(term(Vocabulary::BizStep, "receiving"));
    event.disposition = Some(term(Vocabulary::Disposition, "sellable_not_accessible"));
    event.read_point = Some(location(read_point, vec![]));
    event.source_list = vec![party("owning_party", owner)];
    event
}

#[test]
fn epc_urns_and_digital_links_on_any_host_give_the_same_id() {
    let with_urns = received(
        &[SGTIN_1001, SSCC],
        "urn:epc:class:lgtin:6901234.012345.L2405A",
        SGLN,
        "urn:epc:id:pgln:6901234.00000",
    );
    let with_links = received(
        &[
            "https://qr.anxin.example/01/06901234123456/21/1001?17=260501",
            "http://id.gs1.org/00/069012340000000177",
        ],
        "https://id.gs1.org/01/6901234123456/10/L2405A",
        "https://example.com/dl/414/6901234000016",
        "https://id.gs1.org/417/6901234000009",
    );
    check(&with_urns, "urn_and_digital_link.jsonld", 1);
    check(&with_links, "urn_and_digital_link.jsonld", 2);
}

#[test]
fn times_go_to_utc_milliseconds_rounded_half_to_even_whatever_the_offset() {
    let cases = [
        ("2024-05-10T00:00:00.0005Z", "+00:00"),
        ("2024-05-10T05:45:00.0015+05:45", "+05:45"),
        ("2024-05-09T20:30:00.0025-03:30", "-03:30"),
        ("2024-05-10T00:00:00.123456789+14:00", "+14:00"),
        ("1999-12-31T23:59:59.99949-12:00", "-12:00"),
    ];
    for (event_number, (event_time, offset)) in (1..).zip(cases) {
        let mut event = event(EventType::ObjectEvent, event_time, offset);
        event.epc_list = strings(&[SGTIN_1001]);
        event.action = Some(Action::Observe);
        check(&event, "times_and_offsets.jsonld", event_number);
    }
}

#[test]
fn numbers_are_printed_as_python_prints_floats() {
    let mut event = event(
        EventType::ObjectEvent,
        "2024-05-11T08:00:00.000+08:00",
        "+08:00",
    );
    event.action = Some(Action::Observe);
    let amounts = [
        ("A", 26.0),
        ("B", 0.0001),
        ("C", 0.00001),
        ("D", 1e20),
        ("E", 0.1),
        ("F", 12345678901234567890.0),
        ("G", 1234567.891),
        ("H", 0.0),
    ];
    event.quantity_list = amounts
        .iter()
        .map(|(lot, amount)| {
            let class = format!("urn:epc:class:lgtin:6901234.012345.{lot}");
            quantity(&class, Some(*amount), Some("KGM"))
        })
        .collect();
    let as_text = [
        "0123", "1e5", "23.0", "-0", "+7", "1_000", "１２", "NaN", "1.5e-5", "0x10", "12.50",
    ];
    let as_number = ["1.5e-05", "2.5", "-0.0", "100", "3e-300"];
    event.extensions = vec![
        ext(ANXIN, "asText", ExtValue::Array(as_text.map(text).to_vec())),
        ext(
            ANXIN,
            "asNumber",
            ExtValue::Array(as_number.map(number).to_vec()),
        ),
    ];
    check(&event, "numbers.jsonld", 1);
}

#[test]
fn every_written_form_of_a_cbv_term_gives_the_same_id() {
    let with_forms = |biz_step: &str, disposition: &str, btt: &str, sdt: &str| {
        let mut event = event(
            EventType::ObjectEvent,
            "2024-05-12T08:00:00.000+08:00",
            "+08:00",
        );
        event.epc_list = strings(&[SGTIN_1001]);
        event.action = Some(Action::Observe);
        event.biz_step = Some(term(Vocabulary::BizStep, biz_step));
        event.disposition = Some(term(Vocabulary::Disposition, disposition));
        event.biz_transaction_list = vec![transaction(btt, "urn:anxin:po:1")];
        event.source_list = vec![party(sdt, "urn:epc:id:pgln:6901234.00000")];
        event
    };
    check(
        &with_forms(
            "urn:epcglobal:cbv:bizstep:receiving",
            "https://ref.gs1.org/cbv/Disp-in_progress",
            "urn:epcglobal:cbv:btt:po",
            "urn:epcglobal:cbv:sdt:owning_party",
        ),
        "vocabulary_forms.jsonld",
        1,
    );
    check(
        &with_forms("receiving", "in_progress", "po", "owning_party"),
        "vocabulary_forms.jsonld",
        2,
    );
    let mut community = event(
        EventType::ObjectEvent,
        "2024-05-12T08:00:00.000+08:00",
        "+08:00",
    );
    community.epc_list = strings(&[SGTIN_1001]);
    community.action = Some(Action::Observe);
    community.biz_step = Some(term(
        Vocabulary::BizStep,
        "https://ns.anxin.example/bizstep/blending",
    ));
    community.disposition = Some(term(
        Vocabulary::Disposition,
        "urn:epcglobal:cbv:disp:custom_hold",
    ));
    check(&community, "vocabulary_forms.jsonld", 3);
}

#[test]
fn xml_attributes_count_as_children_except_xsi_type() {
    let mut event = event(
        EventType::ObjectEvent,
        "2024-05-13T08:00:00.000+08:00",
        "+08:00",
    );
    event.epc_list = strings(&[SGTIN_1001]);
    event.action = Some(Action::Observe);
    event.biz_step = Some(term(
        Vocabulary::BizStep,
        "urn:epcglobal:cbv:bizstep:inspecting",
    ));
    event.sensor_element_list = vec![SensorElement {
        metadata: Some(SensorMetadata {
            time: Some(time("2024-05-13T08:00:00+08:00")),
            extensions: vec![ext(ANXIN, "batteryLevel", text("0.80"))],
            ..SensorMetadata::default()
        }),
        reports: vec![SensorReport {
            measurement_type: Some(term(Vocabulary::MeasurementType, "gs1:Temperature")),
            value: Some(5.0),
            uom: Some("CEL".into()),
            component: Some(term(Vocabulary::Component, "latitude")),
            extensions: vec![ext(ANXIN, "probe", text("P2"))],
            ..SensorReport::default()
        }],
        extensions: vec![],
    }];
    let xsi_type = |value: &str| (QName::new(XSI_NAMESPACE, "type"), value.to_owned());
    event.extensions = vec![
        Extension {
            name: QName::new(ANXIN, "moisture"),
            value: text("2.50"),
            attributes: vec![
                xsi_type("xsd:decimal"),
                (QName::new(ANXIN, "unit"), "%".to_owned()),
            ],
        },
        Extension {
            name: QName::new(ANXIN, "inspection"),
            value: ExtValue::Object(vec![Extension {
                name: QName::new(ANXIN, "result"),
                value: text("pass"),
                attributes: vec![xsi_type("xsd:string")],
            }]),
            attributes: vec![(QName::new(ANXIN, "level"), "II".to_owned())],
        },
    ];
    check(&event, "xml_attributes.xml", 1);
}

#[test]
fn comments_are_left_out_and_report_biz_rules_go_after_the_standard_fields() {
    const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
    let mut event = event(
        EventType::ObjectEvent,
        "2024-05-14T08:00:00.000+08:00",
        "+08:00",
    );
    event.epc_list = strings(&[SSCC]);
    event.action = Some(Action::Observe);
    let report = |value: f64, rules: &str, extensions: Vec<Extension>| SensorReport {
        measurement_type: Some(term(Vocabulary::MeasurementType, "Temperature")),
        value: Some(value),
        uom: Some("CEL".into()),
        biz_rules: Some(rules.into()),
        extensions,
        ..SensorReport::default()
    };
    event.sensor_element_list = vec![SensorElement {
        metadata: None,
        reports: vec![
            report(3.5, "https://example.com/253/6901234000023", vec![]),
            report(
                4.0,
                "https://data.anxin.example/rules/2",
                vec![ext(ANXIN, "probe", text("P1"))],
            ),
        ],
        extensions: vec![],
    }];
    event.ilmd = Some(vec![ext(
        ANXIN,
        "note",
        ExtValue::Object(vec![
            ext(RDFS, "comment", text("not part of the note")),
            ext(ANXIN, "text", text("ok")),
        ]),
    )]);
    event.extensions = vec![ext(RDFS, "comment", text("Checked by the night shift"))];
    check(&event, "comments_and_report_rules.jsonld", 1);
}

#[test]
fn cbv_and_gs1_curies_in_vocabulary_fields_are_expanded() {
    let mut event = event(
        EventType::ObjectEvent,
        "2024-05-15T08:00:00.000+08:00",
        "+08:00",
    );
    event.epc_list = strings(&[SSCC]);
    event.action = Some(Action::Observe);
    event.biz_step = Some(term(Vocabulary::BizStep, "cbv:BizStep-shipping"));
    event.sensor_element_list = vec![SensorElement {
        metadata: None,
        reports: vec![
            SensorReport {
                measurement_type: Some(term(Vocabulary::MeasurementType, "gs1:EffectiveDoseRate")),
                value: Some(0.005),
                uom: Some("P71".into()),
                ..SensorReport::default()
            },
            SensorReport {
                measurement_type: Some(term(Vocabulary::MeasurementType, "gs1:Angle")),
                value: Some(23.319941),
                component: Some(term(Vocabulary::Component, "cbv:Comp-longitude")),
                uom: Some("DD".into()),
                ..SensorReport::default()
            },
        ],
        extensions: vec![],
    }];
    check(&event, "xml_curies.xml", 1);
}

#[test]
fn the_order_of_list_items_does_not_change_the_id() {
    let mut shuffled = object_event();
    shuffled.epc_list.reverse();
    shuffled.quantity_list.reverse();
    shuffled.certification_info.reverse();
    shuffled.biz_transaction_list.reverse();
    shuffled.source_list.reverse();
    if let Some(ilmd) = &mut shuffled.ilmd {
        ilmd.reverse();
    }
    assert_eq!(event_hash_id(&shuffled), event_hash_id(&object_event()));
}

#[test]
fn a_reused_hasher_gives_every_event_its_own_id() {
    let events = [object_event(), sensor_event(), declared_event(false)];
    let mut hasher = Hasher::new();
    for _ in 0..2 {
        for event in &events {
            assert_eq!(hasher.hash_id(event), event_hash_id(event));
            assert_eq!(hasher.pre_hash(event), pre_hash_string(event));
        }
    }
    let digest = hasher.digest(&events[0]);
    assert_eq!(
        event_hash_id(&events[0]),
        format!("{HASH_ID_PREFIX}{}{HASH_ID_SUFFIX}", hex::encode(digest))
    );
}

#[test]
fn a_transaction_without_a_type_is_written_without_one() {
    // The reference cannot hash this event at all; here it gets the obvious string.
    let mut event = declared_event(false);
    event.biz_transaction_list = vec![BizTransaction {
        transaction_type: None,
        id: "urn:anxin:po:9".into(),
    }];
    let pre_hash = pre_hash_string(&event);
    assert!(
        pre_hash.ends_with("bizTransactionListbizTransaction=urn:anxin:po:9"),
        "{pre_hash}"
    );
}

#[test]
fn a_time_that_rounds_to_the_next_second_carries_into_it() {
    // The reference drops such an event; the instant is the next whole second.
    let event = event(
        EventType::ObjectEvent,
        "2024-12-31T23:59:59.9995Z",
        "+00:00",
    );
    assert!(
        pre_hash_string(&event).contains("eventTime=2025-01-01T00:00:00.000Z"),
        "{}",
        pre_hash_string(&event)
    );
}

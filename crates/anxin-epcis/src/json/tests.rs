//! Tests of the JSON-LD codec: reading every kind of content, the problems and errors bad
//! input gives, and round trips through the writer. Fixtures are small inline documents.

use super::{Writer, read, read_header, write_document};
use crate::cbv::Term;
use crate::ext::{ExtValue, Extension, QName, XSI_NAMESPACE};
use crate::model::{Document, DocumentType, Event, EventType, Header};
use crate::{EventSink, Limits, Origin, Place, Problem, ReadError};

/// Everything a reader handed over.
#[derive(Default)]
struct Recorder {
    headers: Vec<Header>,
    events: Vec<(Result<Event, Vec<Problem>>, Origin)>,
    stop_after: Option<usize>,
}

impl EventSink for Recorder {
    fn header(&mut self, header: &Header) -> Result<(), String> {
        self.headers.push(header.clone());
        Ok(())
    }

    fn event(&mut self, event: Result<Event, Vec<Problem>>, origin: Origin) -> Result<(), String> {
        self.events.push((event, origin));
        if self.stop_after == Some(self.events.len()) {
            return Err("enough".into());
        }
        Ok(())
    }
}

impl Recorder {
    fn ok_events(&self) -> Vec<Event> {
        self.events
            .iter()
            .filter_map(|(event, _)| event.as_ref().ok().cloned())
            .collect()
    }

    fn problems(&self) -> Vec<Problem> {
        self.events
            .iter()
            .filter_map(|(event, _)| event.as_ref().err())
            .flatten()
            .cloned()
            .collect()
    }
}

fn read_str(json: &str) -> (Result<Header, ReadError>, Recorder) {
    read_limited(json, &Limits::default())
}

fn read_limited(json: &str, limits: &Limits) -> (Result<Header, ReadError>, Recorder) {
    let mut recorder = Recorder::default();
    let header = read(json.as_bytes(), limits, &mut recorder);
    (header, recorder)
}

#[track_caller]
fn read_ok(json: &str) -> (Header, Vec<Event>) {
    let (header, recorder) = read_str(json);
    let header = header.unwrap_or_else(|error| panic!("{error}"));
    assert!(recorder.problems().is_empty(), "{:#?}", recorder.problems());
    (header, recorder.ok_events())
}

/// A document with the standard context, `ex:` declared, and `events` as its event list.
fn document(events: &str) -> String {
    format!(
        r#"{{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {{"ex": "http://ns.example.com/epcis/"}}],
  "type": "EPCISDocument",
  "schemaVersion": "2.0",
  "creationDate": "2024-03-01T08:00:00+08:00",
  "epcisBody": {{"eventList": [{events}]}}
}}"#
    )
}

/// An ObjectEvent with the required members and `more` members appended.
fn object_event(more: &str) -> String {
    let separator = if more.is_empty() { "" } else { ", " };
    format!(
        r#"{{"type": "ObjectEvent", "eventTime": "2024-03-01T10:00:00.000+08:00", "eventTimeZoneOffset": "+08:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:6901234.000001.1"]{separator}{more}}}"#
    )
}

fn pointers(problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|problem| match &problem.place {
            Place::JsonPointer(pointer) => pointer.clone(),
            other => panic!("not a JSON pointer: {other:?}"),
        })
        .collect()
}

fn ex(local: &str) -> QName {
    QName::new("http://ns.example.com/epcis/", local)
}

const ALL_FIVE: &str = r#"
  {"type": "ObjectEvent", "eventTime": "2024-03-01T10:00:00Z", "eventTimeZoneOffset": "+08:00",
   "action": "ADD", "bizStep": "commissioning", "disposition": "active",
   "epcList": ["urn:epc:id:sgtin:6901234.000001.1"],
   "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
   "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.000001.L1", "quantity": 200, "uom": "KGM"}],
   "ilmd": {"cbvmda:lotNumber": "L1", "cbvmda:bestBeforeDate": "2026-03-01"}},
  {"type": "AggregationEvent", "eventTime": "2024-03-01T11:00:00Z", "eventTimeZoneOffset": "+08:00",
   "action": "ADD", "bizStep": "packing", "parentID": "urn:epc:id:sscc:6901234.0000000001",
   "childEPCs": ["urn:epc:id:sgtin:6901234.000001.1"],
   "childQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.000001.L1", "quantity": 10}]},
  {"type": "TransactionEvent", "eventTime": "2024-03-01T12:00:00Z", "eventTimeZoneOffset": "+08:00",
   "action": "ADD", "bizStep": "shipping", "parentID": "urn:epc:id:sscc:6901234.0000000001",
   "epcList": ["urn:epc:id:sgtin:6901234.000001.1"],
   "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000004:1"}, {"bizTransaction": "https://example.com/tx/2"}],
   "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00001"}],
   "destinationList": [{"type": "location", "destination": "urn:epc:id:sgln:6905678.00001.0"}]},
  {"type": "TransformationEvent", "eventTime": "2024-03-01T13:00:00Z", "eventTimeZoneOffset": "+08:00",
   "transformationID": "urn:epc:id:gdti:6901234.00001.7",
   "inputEPCList": ["urn:epc:id:sgtin:6901234.000001.1"],
   "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.000009.M1", "quantity": 12.5, "uom": "KGM"}],
   "outputEPCList": ["urn:epc:id:sgtin:6901234.000002.1"],
   "outputQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.000002.P1", "quantity": 500}]},
  {"type": "AssociationEvent", "eventTime": "2024-03-01T14:00:00Z", "eventTimeZoneOffset": "+08:00",
   "action": "ADD", "bizStep": "assembling", "parentID": "urn:epc:id:grai:6901234.00001.1",
   "childEPCs": ["urn:epc:id:giai:6901234.A1"],
   "childQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.000001.L1"}]}
"#;

#[test]
fn each_event_type_reads() {
    let (header, events) = read_ok(&document(ALL_FIVE));
    assert_eq!(header.document_type, DocumentType::EpcisDocument);
    assert_eq!(header.schema_version, "2.0");
    let types: Vec<EventType> = events.iter().map(|event| event.event_type).collect();
    assert_eq!(types, EventType::ALL.to_vec());

    let object = &events[0];
    assert_eq!(object.biz_step, Some(Term::Standard("commissioning")));
    assert_eq!(object.quantity_list[0].quantity, Some(200.0));
    let ilmd = object.ilmd.as_ref().unwrap();
    assert_eq!(
        ilmd[0].name,
        QName::new("urn:epcglobal:cbv:mda:", "lotNumber")
    );
    assert_eq!(
        events[1].parent_id.as_deref(),
        Some("urn:epc:id:sscc:6901234.0000000001")
    );
    assert_eq!(events[2].biz_transaction_list[1].transaction_type, None);
    assert_eq!(
        events[2].destination_list[0].kind,
        Term::Standard("location")
    );
    assert_eq!(events[3].action, None);
    assert_eq!(events[3].input_quantity_list[0].quantity, Some(12.5));
    assert_eq!(events[4].child_quantity_list[0].quantity, None);
}

#[test]
fn events_carry_their_pointer_and_index() {
    let (_, recorder) = read_str(&document(ALL_FIVE));
    let origin = &recorder.events[3].1;
    assert_eq!(origin.index, 3);
    assert_eq!(
        origin.place,
        Place::JsonPointer("/epcisBody/eventList/3".into())
    );
}

/// A document exercising every part of the model that JSON can express.
const RICH: &str = r#"{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
               {"ex": "http://ns.example.com/epcis/"}, {"ex2": "urn:example:ns2:"}],
  "id": "https://id.example.org/document1",
  "type": "EPCISDocument",
  "schemaVersion": "2.0",
  "creationDate": "2024-03-01T08:00:00.5+08:00",
  "sender": "urn:epc:id:pgln:6901234.00001",
  "receiver": "urn:epc:id:pgln:6905678.00001",
  "instanceIdentifier": "42",
  "ex:documentNote": "kept",
  "epcisHeader": {
    "epcisMasterData": {"vocabularyList": [{
      "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
      "vocabularyElementList": [{
        "id": "urn:epc:id:sgln:6901234.00001.0",
        "attributes": [
          {"id": "urn:epcglobal:cbv:mda#name", "attribute": "Factory 1"},
          {"id": "cbvmda:address", "attribute": {"ex:city": "Hohhot", "ex:zip": 10000}},
          {"id": "urn:epcglobal:cbv:mda#sst", "attribute": 201}
        ],
        "children": ["urn:epc:id:sgln:6901234.00001.1"],
        "ex:siteCode": "F1"
      }]
    }]},
    "ex:headerNote": {"ex:a": true}
  },
  "epcisBody": {"eventList": [{
    "type": "ObjectEvent",
    "eventTime": "2024-03-01T10:00:00.123456789+08:00",
    "eventTimeZoneOffset": "+08:00",
    "recordTime": "2024-03-01T02:00:01Z",
    "eventID": "urn:uuid:4f3c3d1e-2b6a-4c6e-9a62-4d8f5a2b7c10",
    "certificationInfo": ["https://cert.example.org/1", "https://cert.example.org/2"],
    "errorDeclaration": {"declarationTime": "2024-03-02T00:00:00Z", "reason": "incorrect_data",
                         "correctiveEventIDs": ["urn:uuid:1"], "ex:by": "QA"},
    "epcList": ["urn:epc:id:sgtin:6901234.000001.1"],
    "action": "OBSERVE",
    "bizStep": "https://example.org/steps/blending",
    "disposition": "in_progress",
    "persistentDisposition": {"set": ["completeness_verified"], "unset": ["completeness_inferred"]},
    "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.1", "ex:door": "3"},
    "bizLocation": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    "sensorElementList": [{
      "sensorMetadata": {"time": "2024-03-01T09:00:00Z", "startTime": "2024-03-01T08:00:00Z",
                         "endTime": "2024-03-01T09:00:00Z", "deviceID": "urn:epc:id:giai:6901234.D1",
                         "deviceMetadata": "https://example.org/d1", "rawData": "https://example.org/raw",
                         "dataProcessingMethod": "https://example.org/m", "bizRules": "https://example.org/r",
                         "ex:calibrated": "2024-01-01"},
      "sensorReport": [
        {"type": "Temperature", "value": 4.5, "uom": "CEL", "component": "x", "exception": "ALARM_CONDITION",
         "time": "2024-03-01T08:30:00Z", "minValue": 3, "maxValue": 6.25, "meanValue": 4.5, "sDev": 0.1,
         "percRank": 50, "percValue": 4.4, "deviceID": "urn:epc:id:giai:6901234.D2",
         "deviceMetadata": "https://example.org/d2", "rawData": "https://example.org/raw2",
         "dataProcessingMethod": "https://example.org/m2", "bizRules": "https://example.org/r2",
         "coordinateReferenceSystem": "https://example.org/crs", "ex:probe": "B"},
        {"type": "ex:Aflatoxin", "stringValue": "none", "booleanValue": false, "hexBinaryValue": "F0",
         "uriValue": "https://example.org/u", "microorganism": "https://www.ncbi.nlm.nih.gov/taxonomy/562",
         "chemicalSubstance": "https://identifiers.org/inchikey:X"}
      ],
      "ex:sensorNote": "n"
    }],
    "ilmd": {"cbvmda:lotNumber": "L1", "ex2:grade": {"ex2:level": "A", "ex2:checks": [1, 2.5, "three", null]}},
    "ex:flags": [true, false],
    "ex:empty": {},
    "http://other.example.com/ns/absolute": "absolute IRI member"
  }]}
}"#;

#[test]
fn json_to_model_to_json_to_model_is_equal() {
    let (header, events) = read_ok(RICH);
    assert_eq!(
        header.id.as_deref(),
        Some("https://id.example.org/document1")
    );
    assert_eq!(header.master_data[0].elements[0].attributes.len(), 3);
    assert_eq!(header.extensions.len(), 2);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(
        event.sensor_element_list[0].reports[0].biz_rules.as_deref(),
        Some("https://example.org/r2")
    );
    assert_eq!(
        event.extensions.last().unwrap().name,
        QName::new("http://other.example.com/ns/", "absolute")
    );

    let document = Document {
        header: header.clone(),
        events: events.clone(),
    };
    let mut written = Vec::new();
    write_document(&mut written, &document).unwrap();
    let written = String::from_utf8(written).unwrap();
    let (header_again, events_again) = read_ok(&written);
    assert_eq!(header_again, header, "{written}");
    assert_eq!(events_again, events, "{written}");
}

#[test]
fn a_query_document_reads_and_round_trips() {
    let json = format!(
        r#"{{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            "type": "EPCISQueryDocument", "schemaVersion": "2.0", "creationDate": "2024-03-01T08:00:00Z",
            "epcisBody": {{"queryResults": {{"subscriptionID": "s-1", "queryName": "SimpleEventQuery",
              "resultsBody": {{"eventList": [{}]}}}}}}}}"#,
        object_event("")
    );
    let (header, recorder) = read_str(&json);
    let header = header.unwrap();
    assert_eq!(header.document_type, DocumentType::EpcisQueryDocument);
    let results = header.query_results.clone().unwrap();
    assert_eq!(results.query_name.as_deref(), Some("SimpleEventQuery"));
    assert_eq!(results.subscription_id.as_deref(), Some("s-1"));
    assert_eq!(
        recorder.events[0].1.place,
        Place::JsonPointer("/epcisBody/queryResults/resultsBody/eventList/0".into())
    );
    // The consumer saw the query name, which came before the events.
    assert_eq!(recorder.headers[0].query_results, header.query_results);

    let mut written = Vec::new();
    let document = Document {
        header: header.clone(),
        events: recorder.ok_events(),
    };
    write_document(&mut written, &document).unwrap();
    let (again, events) = read_ok(std::str::from_utf8(&written).unwrap());
    assert_eq!(again, header);
    assert_eq!(events, document.events);
}

#[test]
fn a_malformed_document_gives_a_syntax_error_with_line_and_column() {
    let json = "{\n  \"type\": \"EPCISDocument\",\n  \"epcisBody\": {\"eventList\": [\n    {\"type\": \"ObjectEvent\" \"eventTime\": 1}\n  ]}\n}";
    let (header, _) = read_str(json);
    match header {
        Err(ReadError::Syntax { place, message }) => {
            assert!(
                message.starts_with("line 4, column 28: expected `,` or `}`"),
                "{message}"
            );
            assert_eq!(place, Place::JsonPointer("/epcisBody/eventList/0".into()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_error_after_the_event_list_is_placed_in_the_document() {
    let json = "{\"type\": \"EPCISDocument\", \"epcisBody\": {\"eventList\": [\n".to_owned()
        + &object_event("")
        + "\n]}, \"schemaVersion\" \"2.0\"}";
    let (header, _) = read_str(&json);
    match header {
        Err(ReadError::Syntax { message, .. }) => {
            assert!(
                message.starts_with("line 3, column 21: expected `:`"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_event_list_named_with_escapes_streams_through_the_parser_and_reads_the_same() {
    let plain = document(ALL_FIVE);
    let escaped = plain.replace("\"eventList\"", "\"event\\u004cist\"");
    assert_ne!(plain, escaped);
    let (_, events) = read_ok(&plain);
    let (_, streamed) = read_ok(&escaped);
    assert_eq!(streamed, events);
    let (header, recorder) = read_str(&escaped.replace("\"po\"", "\"\""));
    assert!(header.is_ok());
    assert_eq!(
        pointers(&recorder.problems()),
        ["/epcisBody/eventList/2/bizTransactionList/0/type"]
    );
}

#[test]
fn a_document_without_a_context_is_read_with_the_standard_prefixes() {
    let json = document(&object_event(r#""cbvmda:lotNumber": "L1""#))
        .replace(r#""@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "http://ns.example.com/epcis/"}],"#, "");
    let (header, events) = read_ok(&json);
    assert!(header.namespaces.context_urls.is_empty());
    assert_eq!(
        events[0].extensions[0].name,
        QName::new("urn:epcglobal:cbv:mda:", "lotNumber")
    );
}

#[test]
fn trailing_garbage_is_a_syntax_error() {
    let json = document("") + " x";
    let (header, _) = read_str(&json);
    assert!(
        matches!(header, Err(ReadError::Syntax { .. })),
        "{header:?}"
    );
}

#[test]
fn a_document_that_is_not_an_object_is_refused() {
    let (header, _) = read_str("[1, 2]");
    match header {
        Err(ReadError::Syntax { message, .. }) => {
            assert!(message.contains("an EPCIS document object"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_duplicate_member_in_an_event_is_a_problem_for_that_event_only() {
    let duplicate = r#"{"type": "ObjectEvent", "eventID": "ni:///sha-256;a", "eventID": "urn:uuid:b",
        "eventTime": "2024-03-01T10:00:00Z", "eventTimeZoneOffset": "+08:00", "action": "OBSERVE"}"#;
    let (header, recorder) = read_str(&document(&format!("{}, {duplicate}", object_event(""))));
    assert!(header.is_ok());
    assert!(recorder.events[0].0.is_ok());
    let problems = recorder.events[1].0.as_ref().unwrap_err();
    assert_eq!(pointers(problems), ["/epcisBody/eventList/1/eventID"]);
    assert!(
        problems[0].message.contains("`eventID` appears twice"),
        "{}",
        problems[0].message
    );
}

#[test]
fn duplicate_extension_members_and_eventid_with_id_are_refused() {
    let event = object_event(
        r#""ex:a": 1, "ex:b": {"ex:c": 1, "ex:c": 2}, "ex:a": 2, "id": "urn:uuid:x", "eventID": "urn:uuid:y""#,
    );
    let (_, recorder) = read_str(&document(&event));
    let problems = recorder.problems();
    assert_eq!(
        pointers(&problems),
        [
            "/epcisBody/eventList/0/ex:b/ex:c",
            "/epcisBody/eventList/0/ex:a",
            "/epcisBody/eventList/0/eventID"
        ]
    );
}

#[test]
fn a_duplicate_among_many_extension_members_is_found() {
    let members: Vec<String> = (0..40).map(|at| format!(r#""ex:m{at}": {at}"#)).collect();
    let event = object_event(&format!(
        r#"{}, "ex:m3": 3, "ex:m39": 39"#,
        members.join(", ")
    ));
    let (_, recorder) = read_str(&document(&event));
    assert_eq!(
        pointers(&recorder.problems()),
        [
            "/epcisBody/eventList/0/ex:m3",
            "/epcisBody/eventList/0/ex:m39"
        ]
    );
}

#[test]
fn a_duplicate_member_in_the_header_is_fatal() {
    let json = document("").replacen(
        "\"schemaVersion\": \"2.0\"",
        "\"schemaVersion\": \"2.0\", \"schemaVersion\": \"1.2\"",
        1,
    );
    let (header, _) = read_str(&json);
    match header {
        Err(ReadError::Syntax { place, message }) => {
            assert_eq!(place, Place::JsonPointer("/schemaVersion".into()));
            assert!(message.contains("appears twice"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn over_deep_nesting_gives_a_limit_error_with_its_pointer() {
    let nested = format!("{}1{}", "[".repeat(10), "]".repeat(10));
    let event = object_event(&format!(r#""ex:deep": {nested}"#));
    let limits = Limits {
        max_depth: 8,
        ..Limits::default()
    };
    let (header, _) = read_limited(&document(&event), &limits);
    match header {
        Err(ReadError::Limit { place, message }) => {
            assert_eq!(
                place,
                Place::JsonPointer("/epcisBody/eventList/0/ex:deep/0/0/0/0".into())
            );
            assert!(message.contains("max_depth"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn nesting_beyond_the_parsers_own_limit_is_a_limit_error_too() {
    let nested = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let event = object_event(&format!(r#""ex:deep": {nested}"#));
    let limits = Limits {
        max_depth: 1000,
        ..Limits::default()
    };
    let (header, _) = read_limited(&document(&event), &limits);
    match header {
        Err(ReadError::Limit {
            place: Place::JsonPointer(pointer),
            message,
        }) => {
            assert!(
                pointer.starts_with("/epcisBody/eventList/0/ex:deep/0/0"),
                "{pointer}"
            );
            assert!(message.contains("128"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn too_many_events_give_a_limit_error() {
    let events = vec![object_event(""); 4].join(",");
    let limits = Limits {
        max_events: 3,
        ..Limits::default()
    };
    let (header, recorder) = read_limited(&document(&events), &limits);
    match header {
        Err(ReadError::Limit { place, message }) => {
            assert_eq!(place, Place::JsonPointer("/epcisBody/eventList/3".into()));
            assert!(message.contains("max_events"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(recorder.events.len(), 3);
}

#[test]
fn a_long_string_and_a_large_document_give_limit_errors() {
    let event = object_event(&format!(r#""ex:note": "{}""#, "x".repeat(2000)));
    let limits = Limits {
        max_string_bytes: 1000,
        ..Limits::default()
    };
    let (header, _) = read_limited(&document(&event), &limits);
    match header {
        Err(ReadError::Limit { place, message }) => {
            assert_eq!(
                place,
                Place::JsonPointer("/epcisBody/eventList/0/ex:note".into())
            );
            assert!(message.contains("max_string_bytes"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let limits = Limits {
        max_document_bytes: 100,
        ..Limits::default()
    };
    let (header, _) = read_limited(&document(&event), &limits);
    assert!(
        matches!(header, Err(ReadError::Limit { ref message, .. }) if message.contains("max_document_bytes"))
    );
}

#[test]
fn an_unknown_bare_cbv_word_is_read_as_written_and_refused_by_validation_at_its_pointer() {
    let events = format!(
        "{}, {}",
        object_event(""),
        object_event(
            r#""bizTransactionList": [{"type": "po", "bizTransaction": "urn:x:1"}, {"type": "purchase_order", "bizTransaction": "urn:x:2"}]"#
        )
    );
    let (header, recorder) = read_str(&document(&events));
    assert!(header.is_ok());
    assert!(recorder.problems().is_empty(), "{:#?}", recorder.problems());
    let (event, origin) = &recorder.events[1];
    let event = event.as_ref().unwrap();
    assert_eq!(
        event.biz_transaction_list[1].transaction_type,
        Some(Term::Other("purchase_order".into()))
    );
    let problems: Vec<Problem> = crate::validate::check_event(event)
        .into_iter()
        .map(|problem| origin.place_problem(problem))
        .collect();
    assert_eq!(
        pointers(&problems),
        ["/epcisBody/eventList/1/bizTransactionList/1/type"]
    );
    assert!(
        problems[0]
            .message
            .contains("`purchase_order` is not a CBV 2.0 business transaction type")
    );
}

#[test]
fn cbv_values_are_read_in_every_written_form() {
    let event = object_event(
        r#""bizStep": "urn:epcglobal:cbv:bizstep:shipping", "disposition": "https://ref.gs1.org/cbv/Disp-in_transit",
           "sensorElementList": [{"sensorReport": [{"type": "gs1:Temperature", "component": "cbv:Comp-latitude"}]}]"#,
    );
    let (_, events) = read_ok(&document(&event));
    assert_eq!(events[0].biz_step, Some(Term::Standard("shipping")));
    assert_eq!(events[0].disposition, Some(Term::Standard("in_transit")));
    let report = &events[0].sensor_element_list[0].reports[0];
    assert_eq!(report.measurement_type, Some(Term::Standard("Temperature")));
    assert_eq!(report.component, Some(Term::Standard("latitude")));
}

#[test]
fn a_misspelt_standard_urn_uri_or_compact_iri_is_a_problem() {
    let events = [
        r#""bizStep": "urn:epcglobal:cbv:bizstep:shiping""#,
        r#""bizStep": "https://ref.gs1.org/cbv/BizStep-shiping""#,
        r#""bizStep": "cbv:BizStep-shiping""#,
    ]
    .map(object_event)
    .join(",");
    let (_, recorder) = read_str(&document(&events));
    assert!(recorder.problems().is_empty(), "{:#?}", recorder.problems());
    let problems: Vec<Problem> = recorder
        .events
        .iter()
        .flat_map(|(event, origin)| {
            crate::validate::check_event(event.as_ref().unwrap())
                .into_iter()
                .map(|problem| origin.place_problem(problem))
        })
        .collect();
    let expected: Vec<String> = (0..3)
        .map(|at| format!("/epcisBody/eventList/{at}/bizStep"))
        .collect();
    assert_eq!(pointers(&problems), expected);
    assert!(
        problems
            .iter()
            .all(|p| p.message.contains("did you mean `shipping`")),
        "{problems:#?}"
    );
}

#[test]
fn problems_in_one_event_are_all_reported_and_reading_goes_on() {
    let bad = r#"{"type": "ObjectEvent", "eventTime": "yesterday", "action": "OBSERVE", "bizstep": "shipping",
        "epcList": "urn:epc:id:sgtin:6901234.000001.1", "quantityList": [{"quantity": "ten"}],
        "readPoint": 7, "ex:fine": "x", "undeclared:field": "y"}"#;
    let (header, recorder) = read_str(&document(&format!("{bad}, {}", object_event(""))));
    assert!(header.is_ok());
    assert!(recorder.events[1].0.is_ok());
    let problems = recorder.events[0].0.as_ref().unwrap_err();
    let base = "/epcisBody/eventList/0";
    let expected: Vec<String> = [
        "/eventTime",
        "/bizstep",
        "/quantityList/0/quantity",
        "/quantityList/0",
        "/readPoint",
        "",
        "/undeclared:field",
    ]
    .iter()
    .map(|path| format!("{base}{path}"))
    .collect();
    assert_eq!(pointers(problems), expected, "{problems:#?}");
    let messages: Vec<&str> = problems
        .iter()
        .map(|problem| problem.message.as_str())
        .collect();
    assert!(
        messages[1].contains("did you mean `bizStep`?"),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].contains("expected a number, found a string"),
        "{}",
        messages[2]
    );
    assert!(
        messages[5].contains("eventTimeZoneOffset"),
        "{}",
        messages[5]
    );
    assert!(
        messages[6].contains("prefix `undeclared` is not declared"),
        "{}",
        messages[6]
    );
}

#[test]
fn an_element_of_the_event_list_that_is_not_an_object_is_a_problem() {
    let (header, recorder) = read_str(&document(&format!("\"oops\", {}", object_event(""))));
    assert!(header.is_ok());
    assert_eq!(
        pointers(recorder.events[0].0.as_ref().unwrap_err()),
        ["/epcisBody/eventList/0"]
    );
    assert!(recorder.events[1].0.is_ok());
}

#[test]
fn a_late_context_resolves_the_events_that_waited_for_it() {
    let json = format!(
        r#"{{"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-03-01T08:00:00Z",
            "epcisBody": {{"eventList": [{}, {}, {}]}},
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {{"late": "http://late.example.com/"}}]}}"#,
        object_event(r#""cbvmda:lotNumber": "standard prefixes need no wait""#),
        object_event(r#""late:field": "v", "ilmd": {"late:lot": "L"}"#),
        object_event(r#""nowhere:field": "v""#)
    );
    let (header, recorder) = read_str(&json);
    let header = header.unwrap();
    assert_eq!(
        header.namespaces.iri("late"),
        Some("http://late.example.com/")
    );
    assert_eq!(recorder.headers.len(), 1);
    // The first event needed nothing undeclared and was handed on before the context came.
    assert_eq!(
        recorder.headers[0].namespaces.context_urls,
        Vec::<String>::new()
    );
    let events = &recorder.events;
    assert_eq!(events.len(), 3);
    let second = events[1].0.as_ref().unwrap();
    assert_eq!(
        second.extensions[0].name,
        QName::new("http://late.example.com/", "field")
    );
    assert_eq!(
        second.ilmd.as_ref().unwrap()[0].name,
        QName::new("http://late.example.com/", "lot")
    );
    assert_eq!(
        pointers(events[2].0.as_ref().unwrap_err()),
        ["/epcisBody/eventList/2/nowhere:field"]
    );
    assert_eq!(events[2].1.index, 2);
}

#[test]
fn a_malformed_event_behind_a_waiting_one_is_reported_at_its_place() {
    let json = format!(
        "{{\"type\": \"EPCISDocument\", \"schemaVersion\": \"2.0\", \"creationDate\": \"2024-03-01T08:00:00Z\",\n\"epcisBody\": {{\"eventList\": [{},\n{{\"type\": \"ObjectEvent\" \"x\": 1}}]}},\n\"@context\": {{\"late\": \"http://late.example.com/\"}}}}",
        object_event(r#""late:field": "v""#)
    );
    let (header, recorder) = read_str(&json);
    match header {
        Err(ReadError::Syntax { place, message }) => {
            assert_eq!(place, Place::JsonPointer("/epcisBody/eventList/1".into()));
            assert!(
                message.starts_with("line 3, column 24: expected `,` or `}`"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    // The event before it was handed on once the context was known.
    assert!(recorder.events[0].0.is_ok());
}

#[test]
fn an_events_own_context_declares_prefixes_for_that_event() {
    let events = format!(
        "{}, {}",
        object_event(r#""own:field": "v", "@context": {"own": "http://own.example.com/"}"#),
        object_event(r#""own:field": "v""#)
    );
    let (_, recorder) = read_str(&document(&events));
    let first = recorder.events[0].0.as_ref().unwrap();
    assert_eq!(
        first.extensions[0].name,
        QName::new("http://own.example.com/", "field")
    );
    assert_eq!(
        pointers(recorder.events[1].0.as_ref().unwrap_err()),
        ["/epcisBody/eventList/1/own:field"]
    );
}

#[test]
fn redefining_a_protected_prefix_is_refused() {
    let json = document("").replace(
        r#"{"ex": "http://ns.example.com/epcis/"}"#,
        r#"{"cbvmda": "http://example.com/cbvmda/"}"#,
    );
    let (header, _) = read_str(&json);
    match header {
        Err(ReadError::Syntax { place, message }) => {
            assert_eq!(place, Place::JsonPointer("/@context/1/cbvmda".into()));
            assert!(message.contains("protects"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_context_url_is_named_when_a_prefix_is_missing() {
    let json = document(&object_event(r#""shop:field": 1"#)).replace(
        r#"{"ex": "http://ns.example.com/epcis/"}"#,
        r#""https://example.com/shop-context.jsonld""#,
    );
    let (header, recorder) = read_str(&json);
    let header = header.unwrap();
    assert_eq!(header.namespaces.context_urls.len(), 2);
    let problems = recorder.problems();
    assert!(
        problems[0]
            .message
            .contains("https://example.com/shop-context.jsonld"),
        "{}",
        problems[0].message
    );
}

#[test]
fn the_simplified_contexts_spellings_are_understood() {
    let json = r#"{
      "@context": ["https://gs1.github.io/EPCIS/epcis-context-simple.jsonld", {"ex": "http://ns.example.com/epcis/"}],
      "id": "_:document1", "type": "EPCISDocument", "schemaVersion": 2.0, "creationDate": "2024-03-01T08:00:00Z",
      "epcisBody": {"eventList": [{
        "id": "urn:uuid:7", "type": "TransactionEvent", "eventTime": "2024-03-01T10:00:00Z", "eventTimeZoneOffset": "+08:00",
        "action": "ADD", "epcList": "urn:epc:id:sgtin:6901234.000001.1", "readPoint": "urn:epc:id:sgln:6901234.00001.0",
        "bizTransactionList": {"bizTransaction": "urn:x:1"},
        "sourceList": {"type": "location", "source": "urn:epc:id:sgln:6901234.00001.0"},
        "sensorElementList": [{"type": "epcis:SensorElement", "sensorReport": [{"type": "gs1:Temperature", "value": 4}]}]
      }]}
    }"#;
    let (header, events) = read_ok(json);
    assert_eq!(header.schema_version, "2.0");
    assert_eq!(header.id.as_deref(), Some("_:document1"));
    let event = &events[0];
    assert_eq!(event.event_id.as_deref(), Some("urn:uuid:7"));
    assert_eq!(event.epc_list, ["urn:epc:id:sgtin:6901234.000001.1"]);
    assert_eq!(
        event.read_point.as_ref().unwrap().id,
        "urn:epc:id:sgln:6901234.00001.0"
    );
    assert_eq!(event.biz_transaction_list.len(), 1);
    assert_eq!(event.source_list.len(), 1);
}

#[test]
fn a_header_without_its_required_members_is_refused() {
    let json = format!(
        r#"{{"type": "EPCISDocument", "epcisBody": {{"eventList": [{}]}}}}"#,
        object_event("")
    );
    let (header, recorder) = read_str(&json);
    match header {
        Err(ReadError::Syntax { message, .. }) => {
            assert!(message.contains("schemaVersion"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // The consumer saw the header as far as it went, with placeholders.
    assert_eq!(recorder.headers[0].schema_version, "");
    assert_eq!(
        recorder.headers[0].creation_date.instant,
        jiff::Timestamp::UNIX_EPOCH
    );
}

#[test]
fn read_header_skips_events_and_finds_header_members_after_them() {
    let json = format!(
        r#"{{"epcisBody": {{"eventList": [{}, "not even an event"]}},
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-03-01T08:00:00Z",
            "sender": "urn:epc:id:pgln:6901234.00001"}}"#,
        object_event(r#""nowhere:x": 1"#)
    );
    let header = read_header(json.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(
        header.sender.as_deref(),
        Some("urn:epc:id:pgln:6901234.00001")
    );
}

#[test]
fn a_consumer_that_stops_stops_the_reader() {
    let events = vec![object_event(""); 3].join(",");
    let mut recorder = Recorder {
        stop_after: Some(2),
        ..Recorder::default()
    };
    let header = read(
        document(&events).as_bytes(),
        &Limits::default(),
        &mut recorder,
    );
    assert_eq!(header, Err(ReadError::Stopped("enough".into())));
    assert_eq!(recorder.events.len(), 2);
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let json = format!("\u{feff}{}", document(""));
    let (header, _) = read_str(&json);
    assert!(header.is_ok(), "{header:?}");
}

fn ext(name: QName, value: ExtValue, attributes: Vec<(QName, String)>) -> Extension {
    Extension {
        name,
        value,
        attributes,
    }
}

/// Writes one event (with the header's `ex` prefix) and reads it back.
fn round_trip(event: &Event, header: &Header) -> (String, Event) {
    let mut writer = Writer::start(Vec::new(), header).unwrap();
    writer.event(event).unwrap();
    let written = String::from_utf8(writer.finish().unwrap()).unwrap();
    let (_, events) = read_ok(&written);
    (written, events.into_iter().next().unwrap())
}

fn plain_event() -> Event {
    let (_, events) = read_ok(&document(&object_event("")));
    events.into_iter().next().unwrap()
}

fn plain_header() -> Header {
    let (header, _) = read_ok(&document(""));
    header
}

#[test]
fn xml_attributes_survive_json_and_come_back_as_attributes() {
    let mut event = plain_event();
    let xsi_type = (QName::new(XSI_NAMESPACE, "type"), "xsd:integer".to_owned());
    event.extensions = vec![
        ext(
            ex("weight"),
            ExtValue::Text("12".into()),
            vec![(ex("unit"), "KGM".into()), xsi_type.clone()],
        ),
        ext(
            ex("flag"),
            ExtValue::Null,
            vec![(QName::new("", "on"), "yes".into())],
        ),
        ext(
            ex("box"),
            ExtValue::Object(vec![Extension::text(ex("inner"), "1")]),
            vec![(ex("id"), "b1".into())],
        ),
        ext(ex("count"), ExtValue::Text("10".into()), vec![xsi_type]),
    ];
    let (written, again) = round_trip(&event, &plain_header());
    assert!(written.contains(r#""@ex:unit": "KGM""#), "{written}");
    assert!(written.contains(r##""#text": "12""##), "{written}");
    assert!(!written.contains("xsd:integer"), "{written}");
    let mut expected = event.clone();
    for extension in &mut expected.extensions {
        extension
            .attributes
            .retain(|(name, _)| name.namespace != XSI_NAMESPACE);
    }
    assert_eq!(again, expected);
    assert!(again.same_meaning(&event));
}

#[test]
fn repeated_xml_elements_become_one_array_at_the_first_place() {
    let mut event = plain_event();
    event.extensions = vec![
        Extension::text(ex("reading"), "1"),
        Extension::text(ex("other"), "x"),
        Extension::text(ex("reading"), "2"),
    ];
    let (written, again) = round_trip(&event, &plain_header());
    let reading = written.find("ex:reading").unwrap();
    assert!(reading < written.find("ex:other").unwrap(), "{written}");
    assert_eq!(again.extensions.len(), 2);
    assert!(again.same_meaning(&event));

    // With attributes the repetition is kept as repeated extensions.
    event.extensions[2]
        .attributes
        .push((ex("unit"), "CEL".into()));
    let (_, again) = round_trip(&event, &plain_header());
    assert_eq!(again.extensions.len(), 3);
    assert!(again.same_meaning(&event));
}

#[test]
fn undeclared_namespaces_get_invented_prefixes() {
    let mut event = plain_event();
    event.extensions = vec![Extension::text(
        QName::new("urn:example:xml-only", "field"),
        "v",
    )];
    let mut header = plain_header();
    header.extensions = vec![Extension::text(
        QName::new("http://header.example.com/ns", "note"),
        "h",
    )];
    let (written, again) = round_trip(&event, &header);
    assert!(
        written.contains(r#""ns1": "http://header.example.com/ns""#),
        "{written}"
    );
    assert!(
        written.contains(r#""ns2": "urn:example:xml-only""#),
        "{written}"
    );
    assert_eq!(again, event);
}

#[test]
fn a_protected_prefix_with_another_iri_is_not_redeclared() {
    let mut header = plain_header();
    header.namespaces.declare("cbvmda", "urn:epcglobal:cbv:mda");
    let mut event = plain_event();
    event.ilmd = Some(vec![Extension::text(
        QName::new("urn:epcglobal:cbv:mda", "lotNumber"),
        "L1",
    )]);
    let (written, again) = round_trip(&event, &header);
    assert!(
        !written.contains(r#""cbvmda": "urn:epcglobal:cbv:mda""#),
        "{written}"
    );
    assert_eq!(again, event);
}

#[test]
fn numbers_in_extensions_keep_their_value() {
    let event = object_event(r#""ex:n": [1, -2, 2.50, 1e3, 18446744073709551615]"#);
    let (_, events) = read_ok(&document(&event));
    let ExtValue::Array(items) = &events[0].extensions[0].value else {
        panic!()
    };
    let lexical: Vec<&str> = items
        .iter()
        .map(|item| match item {
            ExtValue::Number(text) => text.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        lexical,
        ["1", "-2", "2.5", "1000.0", "18446744073709551615"]
    );
    let (_, again) = round_trip(&events[0], &plain_header());
    assert_eq!(again, events[0]);
}

#[test]
fn the_writer_refuses_numbers_json_cannot_hold() {
    let mut event = plain_event();
    event.quantity_list.push(crate::model::QuantityElement {
        epc_class: "urn:epc:class:lgtin:6901234.000001.L1".into(),
        quantity: Some(f64::INFINITY),
        uom: None,
    });
    let mut writer = Writer::start(Vec::new(), &plain_header()).unwrap();
    assert!(writer.event(&event).is_err());
}

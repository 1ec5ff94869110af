//! Unit tests of the XML codec, on small documents written here.
//!
//! `read_all` is the only place that calls the reader, so that the reader's interface can
//! change without touching every test.

use proptest::prelude::*;

use super::{Writer, read, write_document};
use crate::EventSink;
use crate::cbv::Term;
use crate::error::{Origin, Place, Problem, ReadError};
use crate::ext::{ExtValue, Extension, QName, XSI_NAMESPACE};
use crate::limits::Limits;
use crate::model::{Action, Document, DocumentType, Event, EventType, Header};
use crate::time::EpcisTime;

/// What a sink saw: the header (and whether it came before every event), then the events.
#[derive(Default)]
struct Seen {
    header: Option<Header>,
    header_before_events: bool,
    events: Vec<(Result<Event, Vec<Problem>>, Origin)>,
}

impl EventSink for Seen {
    fn header(&mut self, header: &Header) -> Result<(), String> {
        self.header_before_events = self.events.is_empty();
        self.header = Some(header.clone());
        Ok(())
    }

    fn event(&mut self, event: Result<Event, Vec<Problem>>, origin: Origin) -> Result<(), String> {
        self.events.push((event, origin));
        Ok(())
    }
}

struct Read {
    header: Header,
    seen: Seen,
}

impl Read {
    fn events(&self) -> Vec<&Event> {
        self.seen
            .events
            .iter()
            .map(|(event, _)| match event {
                Ok(event) => event,
                Err(problems) => panic!("unexpected problems: {problems:#?}"),
            })
            .collect()
    }

    fn problems(&self, index: usize) -> &[Problem] {
        match &self.seen.events[index].0 {
            Ok(event) => panic!("event {index} has no problems: {event:#?}"),
            Err(problems) => problems,
        }
    }
}

#[track_caller]
fn read_all(xml: &str, limits: &Limits) -> Result<Read, ReadError> {
    let mut seen = Seen::default();
    let header = read(xml.as_bytes(), limits, &mut seen)?;
    assert!(seen.header.is_some(), "the sink never got the header");
    assert!(seen.header_before_events, "the header came after an event");
    Ok(Read { header, seen })
}

/// Everything reading `xml` gives (header or error, every event or its problems, every
/// origin), printed, with the input handed to the reader `chunk` bytes at a time.
///
/// Fed a byte at a time, every token is cut by the end of the reader's buffer, so quick-xml
/// reads them all; fed whole, the cursor's own fast paths read nearly all of them. The two
/// must agree.
fn read_printed(xml: &str, chunk: usize) -> String {
    struct Chunks<'a>(&'a [u8], usize);
    impl std::io::Read for Chunks<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(self.1).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut seen = Seen::default();
    let result = read(Chunks(xml.as_bytes(), chunk), &Limits::default(), &mut seen);
    format!("{result:?}\n{:?}", seen.events)
}

#[track_caller]
fn read_ok(xml: &str) -> Read {
    read_all(xml, &Limits::default()).unwrap_or_else(|err| panic!("fatal error: {err}"))
}

#[track_caller]
fn read_err(xml: &str, limits: &Limits) -> ReadError {
    match read_all(xml, limits) {
        Ok(_) => panic!("the document read without a fatal error"),
        Err(err) => err,
    }
}

/// The line and column (from 1, in bytes) where the `nth` occurrence of `needle` starts,
/// counted independently of the reader.
fn line_col(text: &str, needle: &str, nth: usize) -> (u64, u64) {
    let (at, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` is not in the text"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let column = (at - before.rfind('\n').map_or(0, |newline| newline + 1)) as u64 + 1;
    (line, column)
}

fn place_of(text: &str, needle: &str, nth: usize, path: &str) -> Place {
    let (line, column) = line_col(text, needle, nth);
    xml_place(line, column, path)
}

fn xml_place(line: u64, column: u64, path: &str) -> Place {
    Place::Xml {
        line,
        column,
        path: path.to_owned(),
    }
}

#[track_caller]
fn write(document: &Document) -> String {
    let mut out = Vec::new();
    write_document(&mut out, document).expect("writing to a Vec works");
    String::from_utf8(out).expect("the writer writes UTF-8")
}

/// Reads `xml`, writes it, reads the result, and checks the two readings agree.
#[track_caller]
fn assert_round_trip(xml: &str) -> String {
    let first = read_ok(xml);
    let document = Document {
        header: first.header.clone(),
        events: first.events().into_iter().cloned().collect(),
    };
    let written = write(&document);
    let second = read_ok(&written);
    assert_eq!(
        second.header, first.header,
        "headers differ; written:\n{written}"
    );
    let (before, after) = (first.events(), second.events());
    assert_eq!(before.len(), after.len(), "written:\n{written}");
    for (before, after) in before.iter().zip(&after) {
        assert!(
            before.same_meaning(after),
            "events differ\nbefore: {before:#?}\nafter: {after:#?}\nwritten:\n{written}"
        );
    }
    written
}

const EX: &str = "http://ns.example.com/epcis";

/// All five event types with most of their fields, extensions, master data and an SBDH.
const FIVE_EVENTS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE project>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:sbdh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
    xmlns:ex="http://ns.example.com/epcis"
    schemaVersion="2.0" creationDate="2024-05-01T08:00:00.5+08:00">
  <EPCISHeader>
    <sbdh:StandardBusinessDocumentHeader>
      <sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>
      <sbdh:Sender><sbdh:Identifier>urn:epc:id:pgln:0614141.00001</sbdh:Identifier></sbdh:Sender>
      <sbdh:Receiver><sbdh:Identifier>urn:epc:id:pgln:0614141.00002</sbdh:Identifier></sbdh:Receiver>
      <sbdh:DocumentIdentification>
        <sbdh:InstanceIdentifier>batch-17</sbdh:InstanceIdentifier>
      </sbdh:DocumentIdentification>
    </sbdh:StandardBusinessDocumentHeader>
    <extension>
      <EPCISMasterData>
        <VocabularyList>
          <Vocabulary type="urn:epcglobal:epcis:vtype:BusinessLocation">
            <VocabularyElementList>
              <VocabularyElement id="urn:epc:id:sgln:0614141.00777.0">
                <attribute id="urn:epcglobal:cbv:mda#name">Shanghai DC</attribute>
                <attribute id="urn:epcglobal:cbv:mda#address">
                  <ex:street>1 Nanjing Road</ex:street>
                </attribute>
                <attribute id="urn:epcglobal:cbv:mda#flag"/>
                <children><id>urn:epc:id:sgln:0614141.00777.1</id></children>
                <ex:note>kept</ex:note>
              </VocabularyElement>
            </VocabularyElementList>
          </Vocabulary>
        </VocabularyList>
      </EPCISMasterData>
    </extension>
  </EPCISHeader>
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2024-05-01T08:30:00.123+08:00</eventTime>
        <recordTime>2024-05-01T00:31:00Z</recordTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <eventID>urn:uuid:6f1b1c6e-1a2b-4c3d-8e9f-001122334455</eventID>
        <errorDeclaration>
          <declarationTime>2024-05-02T08:00:00+08:00</declarationTime>
          <reason>urn:epcglobal:cbv:er:incorrect_data</reason>
          <correctiveEventIDs><correctiveEventID>urn:uuid:1</correctiveEventID></correctiveEventIDs>
          <ex:why>typo</ex:why>
        </errorDeclaration>
        <certificationInfo>https://cert.example.com/1</certificationInfo>
        <epcList>
          <epc>urn:epc:id:sgtin:0614141.107346.2017</epc>
          <epc> urn:epc:id:sgtin:0614141.107346.2018 </epc>
        </epcList>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
        <disposition>active</disposition>
        <readPoint><id>urn:epc:id:sgln:0614141.00777.0</id><ex:door>3</ex:door></readPoint>
        <bizLocation><id>urn:epc:id:sgln:0614141.00777.1</id></bizLocation>
        <bizTransactionList>
          <bizTransaction type="urn:epcglobal:cbv:btt:po">urn:epcglobal:cbv:bt:0614141000005:PO-1</bizTransaction>
          <bizTransaction>urn:epcglobal:cbv:bt:0614141000005:X-2</bizTransaction>
        </bizTransactionList>
        <quantityList>
          <quantityElement>
            <epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass>
            <quantity>200.5</quantity>
            <uom>KGM</uom>
          </quantityElement>
          <quantityElement>
            <epcClass>urn:epc:class:lgtin:4012345.012345.998878</epcClass>
            <quantity xsi:nil="true"/>
          </quantityElement>
        </quantityList>
        <sourceList><source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:0614141.00001</source></sourceList>
        <destinationList><destination type="urn:epcglobal:cbv:sdt:location">urn:epc:id:sgln:0614141.00777.0</destination></destinationList>
        <sensorElementList>
          <sensorElement>
            <sensorMetadata time="2024-05-01T08:00:00+08:00" deviceID="urn:epc:id:giai:4000001.111" bizRules="https://example.com/rules" ex:batch="7"/>
            <sensorReport type="gs1:Temperature" value="4.5" uom="CEL" component="x" booleanValue="true" exception="gs1:ALARM_CONDITION" ex:cv="123"/>
            <sensorReport type="https://example.com/Odour" stringValue="none &amp; fine"/>
            <ex:furtherSensorData><ex:measure1>123.5</ex:measure1></ex:furtherSensorData>
          </sensorElement>
        </sensorElementList>
        <persistentDisposition>
          <unset>urn:epcglobal:cbv:disp:completeness_inferred</unset>
          <set>urn:epcglobal:cbv:disp:completeness_verified</set>
        </persistentDisposition>
        <ilmd>
          <ex:lot>LOT-1</ex:lot>
          <ex:bestBefore xsi:type="xsd:date">2025-05-01</ex:bestBefore>
        </ilmd>
        <ex:temperature unit="CEL">4</ex:temperature>
        <ex:flags><ex:flag>a</ex:flag><ex:flag>b</ex:flag></ex:flags>
        <ex:empty/>
      </ObjectEvent>
      <AggregationEvent>
        <eventTime>2024-05-01T09:00:00+08:00</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <parentID>urn:epc:id:sscc:0614141.1234567890</parentID>
        <childEPCs><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></childEPCs>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>
        <childQuantityList>
          <quantityElement><epcClass>urn:epc:idpat:sgtin:4012345.098765.*</epcClass><quantity>10</quantity></quantityElement>
        </childQuantityList>
      </AggregationEvent>
      <TransactionEvent>
        <eventTime>2024-05-01T10:00:00+08:00</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <bizTransactionList>
          <bizTransaction type="urn:epcglobal:cbv:btt:desadv">urn:epcglobal:cbv:bt:0614141000005:D-1</bizTransaction>
        </bizTransactionList>
        <epcList/>
        <action>OBSERVE</action>
      </TransactionEvent>
      <TransformationEvent>
        <eventTime>2024-05-01T11:00:00+08:00</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <inputEPCList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></inputEPCList>
        <inputQuantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.011111.4444</epcClass><quantity>10</quantity><uom>KGM</uom></quantityElement></inputQuantityList>
        <outputEPCList><epc>urn:epc:id:sgtin:0614141.107346.3000</epc></outputEPCList>
        <outputQuantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.022222.5555</epcClass><quantity>8</quantity><uom>KGM</uom></quantityElement></outputQuantityList>
        <transformationID>urn:uuid:transform-1</transformationID>
        <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
        <ilmd/>
      </TransformationEvent>
      <AssociationEvent>
        <eventTime>2024-05-01T12:00:00+08:00</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <parentID>urn:epc:id:grai:4012345.55555.987</parentID>
        <childEPCs><epc>urn:epc:id:giai:4000001.12345</epc></childEPCs>
        <action>DELETE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:disassembling</bizStep>
        <readPoint><id>urn:epc:id:sgln:4012345.00001.0</id></readPoint>
      </AssociationEvent>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>
"#;

/// A one-event document around `event_body` (the inside of an ObjectEvent), which starts on
/// line 5.
fn object_event(event_body: &str) -> String {
    format!(
        "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" xmlns:ex=\"{EX}\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" schemaVersion=\"2.0\" \
         creationDate=\"2024-05-01T08:00:00Z\">\n<EPCISBody>\n<EventList>\n<ObjectEvent>\n\
         {event_body}\n</ObjectEvent>\n</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>\n"
    )
}

const TIMES: &str = "<eventTime>2024-05-01T08:30:00+08:00</eventTime>\n\
                     <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>";

// --- Reading ------------------------------------------------------------------------------

#[test]
fn each_event_type_reads() {
    let read = read_ok(FIVE_EVENTS);
    let events = read.events();
    let types: Vec<EventType> = events.iter().map(|event| event.event_type).collect();
    assert_eq!(types, EventType::ALL.to_vec());

    let object = events[0];
    assert_eq!(
        object.event_time,
        EpcisTime::parse("2024-05-01T08:30:00.123+08:00").unwrap()
    );
    assert_eq!(
        object.event_time.to_string(),
        "2024-05-01T08:30:00.123+08:00"
    );
    assert_eq!(object.event_time_zone_offset.to_string(), "+08:00");
    assert_eq!(
        object.epc_list,
        [
            "urn:epc:id:sgtin:0614141.107346.2017",
            "urn:epc:id:sgtin:0614141.107346.2018"
        ]
    );
    assert_eq!(object.action, Some(Action::Add));
    assert_eq!(object.biz_step, Some(Term::Standard("commissioning")));
    assert_eq!(object.disposition, Some(Term::Standard("active")));
    let declaration = object.error_declaration.as_ref().unwrap();
    assert_eq!(declaration.reason, Some(Term::Standard("incorrect_data")));
    assert_eq!(declaration.corrective_event_ids, ["urn:uuid:1"]);
    assert_eq!(
        declaration.extensions,
        [Extension::text(QName::new(EX, "why"), "typo")]
    );
    assert_eq!(object.certification_info, ["https://cert.example.com/1"]);
    assert_eq!(object.read_point.as_ref().unwrap().extensions.len(), 1);
    assert_eq!(object.biz_transaction_list.len(), 2);
    assert_eq!(object.biz_transaction_list[1].transaction_type, None);
    assert_eq!(object.quantity_list[0].quantity, Some(200.5));
    assert_eq!(object.quantity_list[0].uom.as_deref(), Some("KGM"));
    assert_eq!(object.quantity_list[1].quantity, None);
    assert_eq!(object.source_list[0].kind, Term::Standard("owning_party"));
    let sensor = &object.sensor_element_list[0];
    let metadata = sensor.metadata.as_ref().unwrap();
    assert_eq!(
        metadata.biz_rules.as_deref(),
        Some("https://example.com/rules")
    );
    assert_eq!(
        metadata.extensions,
        [Extension::text(QName::new(EX, "batch"), "7")]
    );
    assert_eq!(
        sensor.reports[0].measurement_type,
        Some(Term::Standard("Temperature"))
    );
    assert_eq!(sensor.reports[0].value, Some(4.5));
    assert_eq!(sensor.reports[0].component, Some(Term::Standard("x")));
    assert_eq!(sensor.reports[0].boolean_value, Some(true));
    assert_eq!(
        sensor.reports[0].exception,
        Some(Term::Standard("ALARM_CONDITION"))
    );
    assert_eq!(
        sensor.reports[1].string_value.as_deref(),
        Some("none & fine")
    );
    assert_eq!(sensor.extensions.len(), 1);
    let persistent = object.persistent_disposition.as_ref().unwrap();
    assert_eq!(persistent.set, [Term::Standard("completeness_verified")]);
    assert_eq!(persistent.unset, [Term::Standard("completeness_inferred")]);
    assert_eq!(object.ilmd.as_ref().unwrap().len(), 2);

    assert_eq!(
        events[1].parent_id.as_deref(),
        Some("urn:epc:id:sscc:0614141.1234567890")
    );
    assert_eq!(events[1].child_quantity_list[0].uom, None);
    assert!(events[2].epc_list.is_empty());
    assert_eq!(events[3].output_quantity_list[0].quantity, Some(8.0));
    assert_eq!(
        events[3].transformation_id.as_deref(),
        Some("urn:uuid:transform-1")
    );
    assert_eq!(events[3].ilmd, Some(Vec::new()));
    assert_eq!(events[4].action, Some(Action::Delete));
}

#[test]
fn extension_elements_keep_their_shape_and_attributes() {
    let read = read_ok(FIVE_EVENTS);
    let object = read.events()[0];
    let name = |local: &str| QName::new(EX, local);
    assert_eq!(
        object.extensions,
        [
            Extension {
                name: name("temperature"),
                value: ExtValue::Text("4".into()),
                attributes: vec![(QName::new("", "unit"), "CEL".into())],
            },
            Extension {
                name: name("flags"),
                value: ExtValue::Object(vec![
                    Extension::text(name("flag"), "a"),
                    Extension::text(name("flag"), "b"),
                ]),
                attributes: Vec::new(),
            },
            Extension {
                name: name("empty"),
                value: ExtValue::Null,
                attributes: Vec::new(),
            },
        ]
    );
    let best_before = &object.ilmd.as_ref().unwrap()[1];
    assert_eq!(
        best_before.attributes,
        [(QName::new(XSI_NAMESPACE, "type"), "xsd:date".to_owned())]
    );
}

#[test]
fn the_header_keeps_namespaces_master_data_and_the_business_document_header() {
    let read = read_ok(FIVE_EVENTS);
    let header = &read.header;
    assert_eq!(read.seen.header.as_ref(), Some(header));
    assert_eq!(header.document_type, DocumentType::EpcisDocument);
    assert_eq!(header.schema_version, "2.0");
    assert_eq!(
        header.creation_date.to_string(),
        "2024-05-01T08:00:00.5+08:00"
    );
    let prefixes: Vec<&str> = header
        .namespaces
        .prefixes
        .iter()
        .map(|namespace| namespace.prefix.as_str())
        .collect();
    assert_eq!(
        prefixes,
        ["xsi", "xsd", "sbdh", "ex"],
        "epcis is the writer's to declare"
    );
    assert_eq!(
        header.sender.as_deref(),
        Some("urn:epc:id:pgln:0614141.00001")
    );
    assert_eq!(
        header.receiver.as_deref(),
        Some("urn:epc:id:pgln:0614141.00002")
    );
    assert_eq!(header.instance_identifier.as_deref(), Some("batch-17"));
    assert_eq!(header.extensions.len(), 1);
    assert_eq!(
        header.extensions[0].name.local,
        "StandardBusinessDocumentHeader"
    );

    let element = &header.master_data[0].elements[0];
    assert_eq!(
        header.master_data[0].vocabulary_type,
        "urn:epcglobal:epcis:vtype:BusinessLocation"
    );
    assert_eq!(
        element.attributes[0].value,
        ExtValue::Text("Shanghai DC".into())
    );
    assert!(matches!(element.attributes[1].value, ExtValue::Object(_)));
    assert_eq!(element.attributes[2].value, ExtValue::Null);
    assert_eq!(element.children, ["urn:epc:id:sgln:0614141.00777.1"]);
    assert_eq!(
        element.extensions,
        [Extension::text(QName::new(EX, "note"), "kept")]
    );
}

#[test]
fn origins_place_the_event_and_each_of_its_fields() {
    let read = read_ok(FIVE_EVENTS);
    let origin = &read.seen.events[1].1;
    assert_eq!(origin.index, 1);
    assert_eq!(
        origin.place,
        place_of(FIVE_EVENTS, "<AggregationEvent>", 0, "AggregationEvent")
    );
    assert_eq!(
        origin.place_of("bizStep"),
        place_of(FIVE_EVENTS, "<bizStep>", 1, "AggregationEvent/bizStep")
    );
    let names: Vec<&str> = read.seen.events[0]
        .1
        .fields
        .iter()
        .map(|(name, _)| name.as_ref())
        .collect();
    assert!(
        names.contains(&"ilmd") && names.contains(&"ex:temperature"),
        "{names:?}"
    );
}

#[test]
fn a_query_document_reads_its_results_header_and_events() {
    let xml = r#"<epcisq:EPCISQueryDocument xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2"
        schemaVersion="2.0" creationDate="2024-05-01T08:00:00Z">
      <EPCISBody>
        <epcisq:QueryResults>
          <queryName>SimpleEventQuery</queryName>
          <subscriptionID>sub-1</subscriptionID>
          <resultsBody>
            <EventList>
              <ObjectEvent>
                <eventTime>2024-05-01T08:30:00Z</eventTime>
                <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
                <epcList/>
                <action>OBSERVE</action>
              </ObjectEvent>
            </EventList>
          </resultsBody>
        </epcisq:QueryResults>
      </EPCISBody>
    </epcisq:EPCISQueryDocument>"#;
    let read = read_ok(xml);
    assert_eq!(read.header.document_type, DocumentType::EpcisQueryDocument);
    let results = read.header.query_results.as_ref().unwrap();
    assert_eq!(results.query_name.as_deref(), Some("SimpleEventQuery"));
    assert_eq!(results.subscription_id.as_deref(), Some("sub-1"));
    assert_eq!(
        read.seen.header.as_ref().unwrap().query_results,
        read.header.query_results
    );
    assert_eq!(read.events().len(), 1);
    let written = assert_round_trip(xml);
    assert!(written.contains("<epcisq:QueryResults>"), "{written}");
}

#[test]
fn a_master_data_document_reads_into_the_header_and_writes_as_a_capture_document() {
    let xml = r#"<epcismd:EPCISMasterDataDocument xmlns:epcismd="urn:epcglobal:epcis-masterdata:xsd:2"
        schemaVersion="2.0" creationDate="2024-05-01T08:00:00Z">
      <EPCISBody>
        <VocabularyList>
          <Vocabulary type="urn:epcglobal:epcis:vtype:ReadPoint">
            <VocabularyElementList>
              <VocabularyElement id="urn:epc:id:sgln:0614141.00300.1">
                <attribute id="urn:epcglobal:cbv:mda:site">0614141003006</attribute>
              </VocabularyElement>
            </VocabularyElementList>
          </Vocabulary>
        </VocabularyList>
      </EPCISBody>
    </epcismd:EPCISMasterDataDocument>"#;
    let read = read_ok(xml);
    assert!(read.seen.events.is_empty());
    assert_eq!(read.header.master_data[0].elements[0].attributes.len(), 1);
    let written = assert_round_trip(xml);
    assert!(written.contains("<epcis:EPCISDocument"), "{written}");
}

#[test]
fn extension_wrappers_are_unwrapped_and_their_unknown_content_kept() {
    let xml = object_event(&format!(
        "{TIMES}\n<baseExtension><eventID>urn:uuid:2</eventID></baseExtension>\n\
         <epcList/><action>ADD</action>\n\
         <extension><quantityList><quantityElement><epcClass>urn:epc:class:lgtin:1.2.3</epcClass>\
         </quantityElement></quantityList><extension><futureField>x</futureField></extension>\
         <ex:more>y</ex:more></extension>"
    ));
    let read = read_ok(&xml);
    let event = read.events()[0];
    assert_eq!(event.event_id.as_deref(), Some("urn:uuid:2"));
    assert_eq!(event.quantity_list.len(), 1);
    assert_eq!(
        event.extensions,
        [
            Extension::text(QName::new("", "futureField"), "x"),
            Extension::text(QName::new(EX, "more"), "y"),
        ]
    );
    let written = assert_round_trip(&xml);
    assert!(written.contains("<extension>\n"), "{written}");
}

#[test]
fn bare_cbv_words_are_read_as_the_standard_terms() {
    let xml = object_event(&format!(
        "{TIMES}<epcList/><action>OBSERVE</action><bizStep>shipping</bizStep>\
         <disposition>https://ref.gs1.org/cbv/Disp-in_transit</disposition>"
    ));
    let event = read_ok(&xml).events()[0].clone();
    assert_eq!(event.biz_step, Some(Term::Standard("shipping")));
    assert_eq!(event.disposition, Some(Term::Standard("in_transit")));
}

#[test]
fn cbv_curies_of_web_uris_are_read_as_the_standard_terms() {
    let xml = object_event(&format!(
        "{TIMES}<epcList/><action>OBSERVE</action><sensorElementList><sensorElement>\
         <sensorReport type=\"gs1:Length\" component=\"cbv:Comp-latitude\" value=\"1\"/>\
         <sensorReport type=\"gs1:Length\" component=\"cbv:Comp-nonsense\" value=\"2\"/>\
         </sensorElement></sensorElementList>"
    ));
    let event = read_ok(&xml).events()[0].clone();
    let reports = &event.sensor_element_list[0].reports;
    assert_eq!(reports[0].component, Some(Term::Standard("latitude")));
    assert_eq!(
        reports[1].component,
        Some(Term::Other("cbv:Comp-nonsense".into()))
    );
}

#[test]
fn entities_character_references_and_cdata_are_read_and_the_doctype_is_skipped() {
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE project [ <!ENTITY boom \"bang\"> ]>\n{}",
        object_event(&format!(
            "{TIMES}<epcList/><action>ADD</action><ex:a>&lt;&#x41;&amp;&#66;&gt; x</ex:a>\
             <ex:b><![CDATA[<raw>]]></ex:b><!-- a comment -->"
        ))
    );
    let event = read_ok(&xml).events()[0].clone();
    assert_eq!(event.extensions[0].value, ExtValue::Text("<A&B> x".into()));
    assert_eq!(event.extensions[1].value, ExtValue::Text("<raw>".into()));
}

#[test]
fn an_undefined_entity_is_a_syntax_error() {
    let xml = object_event(&format!(
        "{TIMES}<epcList/><action>ADD</action><ex:a>&boom;</ex:a>"
    ));
    let err = read_err(&xml, &Limits::default());
    assert!(
        matches!(&err, ReadError::Syntax { message, .. } if message.contains("&boom;")),
        "{err:?}"
    );
}

// --- Problems and their places ------------------------------------------------------------

#[test]
fn an_event_with_a_bad_timestamp_is_reported_and_the_next_event_still_arrives() {
    let xml = format!(
        "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\" \
         creationDate=\"2024-05-01T08:00:00Z\">\n<EPCISBody>\n<EventList>\n\
         <ObjectEvent>\n  <eventTime>2024-05-01 08:30</eventTime>\n\
         <eventTimeZoneOffset>+08:00</eventTimeZoneOffset><epcList/><action>ADD</action>\n\
         </ObjectEvent>\n<ObjectEvent>{TIMES}<epcList/><action>ADD</action></ObjectEvent>\n\
         </EventList>\n</EPCISBody>\n</epcis:EPCISDocument>"
    );
    let read = read_ok(&xml);
    assert_eq!(read.seen.events.len(), 2);
    let problems = read.problems(0);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].place, xml_place(5, 3, "ObjectEvent/eventTime"));
    assert_eq!(
        problems[0].place,
        place_of(&xml, "<eventTime>", 0, "ObjectEvent/eventTime")
    );
    assert!(
        problems[0].message.contains("2024-05-01 08:30"),
        "{}",
        problems[0].message
    );
    assert!(
        problems[0].message.contains("expected"),
        "{}",
        problems[0].message
    );
    assert!(read.seen.events[1].0.is_ok());
    assert_eq!(read.seen.events[1].1.index, 1);
}

#[test]
fn problems_inside_an_event_are_placed_at_their_element() {
    let xml = object_event(&format!(
        "{TIMES}\n<epcList/>\n<action>MOVE</action>\n<bizStp>x</bizStp>\n\
         <quantityList>\n  <quantityElement><epcClass>c</epcClass><quantity>lots</quantity></quantityElement>\n</quantityList>\n\
         <sensorElementList><sensorElement>\n<sensorReport valeu=\"3\"/></sensorElement></sensorElementList>"
    ));
    let read = read_ok(&xml);
    let places: Vec<(&Place, &str)> = read
        .problems(0)
        .iter()
        .map(|problem| (&problem.place, problem.message.as_str()))
        .collect();
    let expected = [
        (xml_place(8, 1, "ObjectEvent/action"), "MOVE"),
        (
            xml_place(9, 1, "ObjectEvent/bizStp"),
            "unknown element `bizStp`",
        ),
        (
            xml_place(11, 42, "ObjectEvent/quantityList/quantityElement/quantity"),
            "`lots`",
        ),
        (
            xml_place(
                14,
                1,
                "ObjectEvent/sensorElementList/sensorElement/sensorReport",
            ),
            "valeu",
        ),
    ];
    assert_eq!(
        expected[2].0,
        place_of(
            &xml,
            "<quantity>",
            0,
            "ObjectEvent/quantityList/quantityElement/quantity"
        )
    );
    assert_eq!(places.len(), expected.len(), "{places:#?}");
    for ((place, message), (expected_place, expected_words)) in places.iter().zip(&expected) {
        assert_eq!(*place, expected_place);
        assert!(message.contains(expected_words), "{message}");
    }
}

#[test]
fn an_event_without_its_time_is_reported_at_the_event() {
    let xml = object_event("<epcList/><action>ADD</action>");
    let read = read_ok(&xml);
    let messages: Vec<&str> = read
        .problems(0)
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("no eventTime"));
    assert!(messages[1].contains("no eventTimeZoneOffset"));
    assert_eq!(read.problems(0)[0].place, xml_place(4, 1, "ObjectEvent"));
}

#[test]
fn an_unknown_event_type_is_reported_and_reading_goes_on() {
    let xml = "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\" \
               creationDate=\"2024-05-01T08:00:00Z\"><EPCISBody><EventList>\
               <QuantityEvent><epcClass>x</epcClass></QuantityEvent>\
               <ObjectEvent><eventTime>2024-05-01T08:30:00Z</eventTime>\
               <eventTimeZoneOffset>+00:00</eventTimeZoneOffset></ObjectEvent>\
               </EventList></EPCISBody></epcis:EPCISDocument>";
    let read = read_ok(xml);
    assert!(
        read.problems(0)[0]
            .message
            .contains("QuantityEvent was removed")
    );
    assert!(read.seen.events[1].0.is_ok());
}

// --- Fatal errors -----------------------------------------------------------------------

#[test]
fn malformed_xml_is_a_syntax_error_with_its_line_and_column() {
    let xml = object_event(&format!("{TIMES}\n<epcList>\n  <epc>x</epcList>"));
    let err = read_err(&xml, &Limits::default());
    let ReadError::Syntax { place, message } = &err else {
        panic!("{err:?}");
    };
    assert!(message.contains("not well-formed"), "{message}");
    assert_eq!(
        place,
        &xml_place(
            8,
            9,
            "EPCISDocument/EPCISBody/EventList/ObjectEvent/epcList/epc"
        )
    );
}

#[test]
fn a_document_that_ends_early_is_a_syntax_error() {
    let xml = object_event(TIMES);
    let cut = &xml[..xml.find("</ObjectEvent>").unwrap()];
    assert!(matches!(
        read_err(cut, &Limits::default()),
        ReadError::Syntax { .. }
    ));
}

#[test]
fn a_root_that_is_not_epcis_is_a_syntax_error() {
    let err = read_err("<html><body/></html>", &Limits::default());
    let ReadError::Syntax { place, message } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(place, &xml_place(1, 1, "html"));
    assert!(message.contains("expected EPCISDocument"), "{message}");
}

#[test]
fn a_missing_creation_date_is_a_syntax_error() {
    let err = read_err(
        "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\"/>",
        &Limits::default(),
    );
    assert!(matches!(&err, ReadError::Syntax { message, .. } if message.contains("creationDate")));
}

#[test]
fn nesting_deeper_than_the_limit_is_a_limit_error() {
    let deep = format!("{}x{}", "<ex:a>".repeat(100), "</ex:a>".repeat(100));
    let xml = object_event(&format!("{TIMES}{deep}"));
    let err = read_err(&xml, &Limits::default());
    let ReadError::Limit { place, message } = &err else {
        panic!("{err:?}");
    };
    assert!(message.contains("max_depth"), "{message}");
    // The root is depth 1 and ObjectEvent depth 4, so the 61st ex:a is the 65th level.
    let expected = place_of(&xml, "<ex:a>", 60, &place_path(place));
    assert_eq!(place, &expected);
    assert!(place_path(place).ends_with(&"/a".repeat(61)));
}

fn place_path(place: &Place) -> String {
    match place {
        Place::Xml { path, .. } => path.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn more_events_than_the_limit_is_a_limit_error() {
    let events = format!("<ObjectEvent>{TIMES}</ObjectEvent>\n").repeat(3);
    let xml = format!(
        "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\" \
         creationDate=\"2024-05-01T08:00:00Z\"><EPCISBody><EventList>\n{events}\
         </EventList></EPCISBody></epcis:EPCISDocument>"
    );
    let limits = Limits {
        max_events: 2,
        ..Limits::default()
    };
    let mut seen = Seen::default();
    let err = read(xml.as_bytes(), &limits, &mut seen).unwrap_err();
    assert_eq!(
        seen.events.len(),
        2,
        "the events before the limit are delivered"
    );
    assert_eq!(
        err,
        ReadError::Limit {
            place: place_of(
                &xml,
                "<ObjectEvent>",
                2,
                "EPCISDocument/EPCISBody/EventList/ObjectEvent"
            ),
            message: "the document has more than 2 events (max_events)".into(),
        }
    );
}

#[test]
fn a_document_larger_than_the_limit_is_a_limit_error() {
    let limits = Limits {
        max_document_bytes: 100,
        ..Limits::default()
    };
    let err = read_err(FIVE_EVENTS, &limits);
    assert!(
        matches!(&err, ReadError::Limit { message, .. } if message.contains("max_document_bytes")),
        "{err:?}"
    );
}

#[test]
fn a_text_longer_than_the_limit_is_a_limit_error_without_reading_it_all() {
    let limits = Limits {
        max_string_bytes: 1000,
        ..Limits::default()
    };
    let long = "a".repeat(10 * 1024 * 1024);
    let xml = object_event(&format!("{TIMES}<ex:big>{long}</ex:big>"));
    let err = read_err(&xml, &limits);
    let ReadError::Limit { place, message } = &err else {
        panic!("{err:?}");
    };
    assert!(message.contains("max_string_bytes"), "{message}");
    // Paths name elements by their local names.
    assert_eq!(
        place_path(place),
        "EPCISDocument/EPCISBody/EventList/ObjectEvent/big"
    );
}

#[test]
fn the_sink_can_stop_reading() {
    struct Stop;
    impl EventSink for Stop {
        fn event(&mut self, _: Result<Event, Vec<Problem>>, _: Origin) -> Result<(), String> {
            Err("enough".into())
        }
    }
    let err = read(FIVE_EVENTS.as_bytes(), &Limits::default(), &mut Stop).unwrap_err();
    assert_eq!(err, ReadError::Stopped("enough".into()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_input_makes_the_reader_panic(
        cut in 0..FIVE_EVENTS.len(),
        flips in proptest::collection::vec((0..FIVE_EVENTS.len(), any::<u8>()), 0..4),
    ) {
        let mut bytes = FIVE_EVENTS.as_bytes()[..cut].to_vec();
        for (at, byte) in flips {
            if let Some(slot) = bytes.get_mut(at) {
                *slot = byte;
            }
        }
        let mut seen = Seen::default();
        let _ = read(bytes.as_slice(), &Limits::default(), &mut seen);
    }

    #[test]
    fn arbitrary_bytes_give_an_error_not_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut seen = Seen::default();
        let _ = read(bytes.as_slice(), &Limits::default(), &mut seen);
    }
}

// --- Writing ----------------------------------------------------------------------------

#[test]
fn xml_read_written_and_read_again_means_the_same() {
    let written = assert_round_trip(FIVE_EVENTS);
    // Spot checks of the XSD order and the forms the writer chooses.
    let object =
        &written[written.find("<ObjectEvent>").unwrap()..written.find("</ObjectEvent>").unwrap()];
    let order = [
        "<eventTime>",
        "<recordTime>",
        "<eventTimeZoneOffset>",
        "<eventID>",
        "<errorDeclaration>",
        "<certificationInfo>",
        "<epcList>",
        "<action>",
        "<bizStep>",
        "<disposition>",
        "<readPoint>",
        "<bizLocation>",
        "<bizTransactionList>",
        "<quantityList>",
        "<sourceList>",
        "<destinationList>",
        "<sensorElementList>",
        "<persistentDisposition>",
        "<ilmd>",
        "<ex:temperature",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|tag| {
            object
                .find(tag)
                .unwrap_or_else(|| panic!("{tag} in {object}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{object}"
    );
    assert!(object.contains("<disposition>urn:epcglobal:cbv:disp:active</disposition>"));
    assert!(object.contains("<eventTime>2024-05-01T08:30:00.123+08:00</eventTime>"));
    // An unknown quantity without a unit needs no element at all.
    assert!(!object.contains("xsi:nil"), "{object}");
    assert!(written.contains("<TransactionEvent>"));
    assert!(
        written.contains("<epcList/>"),
        "required empty lists are written"
    );
}

#[test]
fn the_written_header_declares_the_document_namespace_and_the_read_prefixes() {
    let written = assert_round_trip(FIVE_EVENTS);
    let root_line = written.lines().nth(1).unwrap();
    assert!(
        root_line.starts_with("<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\"")
    );
    for prefix in ["xsi", "xsd", "sbdh", "ex"] {
        assert!(
            root_line.contains(&format!("xmlns:{prefix}=")),
            "{root_line}"
        );
    }
}

#[test]
fn an_extension_in_an_undeclared_namespace_gets_a_prefix_of_its_own() {
    let mut event = read_ok(&object_event(&format!(
        "{TIMES}<epcList/><action>ADD</action>"
    )))
    .events()[0]
        .clone();
    event.extensions.push(Extension {
        name: QName::new("urn:example:other", "field"),
        value: ExtValue::Object(vec![Extension::text(
            QName::new("urn:example:other", "inner"),
            "1",
        )]),
        attributes: vec![(
            QName::new("urn:example:third", "note"),
            "a \"quoted\" <value>".into(),
        )],
    });
    let document = Document {
        header: Header::new(EpcisTime::parse("2024-05-01T08:00:00Z").unwrap()),
        events: vec![event.clone()],
    };
    let written = write(&document);
    assert!(
        written.contains(
            "<ns1:field xmlns:ns1=\"urn:example:other\" xmlns:ns2=\"urn:example:third\" ns2:note="
        ),
        "{written}"
    );
    assert!(
        written.contains("<ns1:inner>1</ns1:inner>"),
        "the inner element reuses the prefix: {written}"
    );
    let again = read_ok(&written);
    assert!(again.events()[0].same_meaning(&event));
}

#[test]
fn json_shaped_values_are_written_as_repeated_elements_and_text() {
    let name = |local: &str| QName::new(EX, local);
    let mut event = Event::new(
        EventType::ObjectEvent,
        EpcisTime::parse("2024-05-01T08:30:00+08:00").unwrap(),
        crate::time::TimeZoneOffset::parse("+08:00").unwrap(),
    );
    event.action = Some(Action::Observe);
    event.extensions = vec![
        Extension {
            name: name("list"),
            value: ExtValue::Array(vec![
                ExtValue::Number("1".into()),
                ExtValue::Bool(true),
                ExtValue::Null,
            ]),
            attributes: Vec::new(),
        },
        Extension {
            name: name("text"),
            value: ExtValue::Text("a & b < c".into()),
            attributes: Vec::new(),
        },
    ];
    let mut header = Header::new(EpcisTime::parse("2024-05-01T08:00:00Z").unwrap());
    header.namespaces.declare("ex", EX);
    let written = write(&Document {
        header,
        events: vec![event.clone()],
    });
    assert!(written.contains("<ex:list>1</ex:list>\n"), "{written}");
    assert!(written.contains("<ex:list>true</ex:list>\n"), "{written}");
    assert!(written.contains("<ex:list/>\n"), "{written}");
    assert!(
        written.contains("<ex:text>a &amp; b &lt; c</ex:text>"),
        "{written}"
    );
    assert!(read_ok(&written).events()[0].same_meaning(&event));
}

#[test]
fn a_header_with_sender_but_no_business_document_header_gets_one() {
    let mut header = Header::new(EpcisTime::parse("2024-05-01T08:00:00Z").unwrap());
    header.sender = Some("urn:epc:id:pgln:0614141.00001".into());
    header.instance_identifier = Some("batch-1".into());
    let written = write(&Document {
        header: header.clone(),
        events: Vec::new(),
    });
    let again = read_ok(&written).header;
    assert_eq!(again.sender, header.sender);
    assert_eq!(again.instance_identifier, header.instance_identifier);
    assert_eq!(again.receiver, None);
}

#[test]
fn a_structured_sensor_extension_cannot_be_written() {
    let mut event = read_ok(FIVE_EVENTS).events()[0].clone();
    event.sensor_element_list[0].reports[0]
        .extensions
        .push(Extension {
            name: QName::new(EX, "nested"),
            value: ExtValue::Object(Vec::new()),
            attributes: Vec::new(),
        });
    let mut writer = Writer::start(Vec::new(), &Header::new(event.event_time)).unwrap();
    let err = writer.event(&event).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("structured value"), "{err}");
}

#[test]
fn the_streaming_writer_writes_events_one_at_a_time() {
    let read = read_ok(FIVE_EVENTS);
    let mut writer = Writer::start(Vec::new(), &read.header).unwrap();
    for event in read.events() {
        writer.event(event).unwrap();
    }
    let out = writer.finish().unwrap();
    let again = read_ok(std::str::from_utf8(&out).unwrap());
    assert_eq!(again.events().len(), 5);
    assert_eq!(again.header, read.header);
}

// --- More reading edge cases --------------------------------------------------------------

#[test]
fn tags_the_fast_paths_take_read_as_quick_xml_reads_them() {
    // Each body is read whole (the cursor's fast paths) and a byte at a time (quick-xml
    // for every token); the results must be the same, errors and their places included.
    let bodies = [
        "<epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList><action>ADD</action>",
        // White space before the `>` of an end tag.
        "<epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc \n></epcList><action>ADD</action\t>",
        // A start tag where the end tag belongs, which only looks like it from its third byte.
        "<epcList/><action>ADD<<action>",
        "<epcList/><action>ADD</actio>",
        "<epcList/><action>ADD</actionX>",
        // Names with quotes move the end of a tag to after the closing quote.
        "<epcList/><action>ADD</action><ex:a\"b>v</ex:a\"b>",
        "<epcList/><action>ADD</action><ex:a'b x='>'>v</ex:a'b>",
        "<epcList/><action>ADD</action><ex:a\"b\">v</ex:a\"b\">",
        // Self-closing tags, with and without space, and a stray slash.
        "<epcList/ ><action>ADD</action><ex:e/><ex:f />",
        "<epcList/><action/ >ADD</action>",
        "<epcList/><ac/tion>ADD</ac/tion>",
        // Empty elements, entities, CDATA and line ends in a text.
        "<epcList></epcList><action>A&#x44;D</action><ex:t>a&amp;b<![CDATA[<c>]]>\r\nd</ex:t>",
        // Prefixes, default namespaces and their ends.
        "<epcList/><action>ADD</action><ex:o xmlns=\"urn:d\"><i>1</i><ex:i>2</ex:i></ex:o>",
        "<epcList/><action>ADD</action><ex:o><ex:i>1</ex:o></ex:i>",
        "<epcList/><action>ADD</action><ex:o>1</ex:o:>",
    ];
    for body in bodies {
        let xml = object_event(&format!("{TIMES}{body}"));
        assert_eq!(
            read_printed(&xml, usize::MAX),
            read_printed(&xml, 1),
            "{body}"
        );
    }
    // The look-alike end tag is read as a start tag, so the document is not well formed.
    let xml = object_event(&format!("{TIMES}<epcList/><action>ADD<<action>"));
    assert!(read_printed(&xml, usize::MAX).starts_with("Err(Syntax"));
}

#[test]
fn a_repeated_attribute_is_a_syntax_error() {
    let xml = object_event(&format!(
        "{TIMES}<epcList/><action>ADD</action><ex:a x=\"1\" y=\"2\" x=\"3\">v</ex:a>"
    ));
    let err = read_err(&xml, &Limits::default());
    assert!(
        matches!(&err, ReadError::Syntax { message, .. } if message.contains("`x` appears twice")),
        "{err:?}"
    );
}

#[test]
fn an_undeclared_prefix_is_a_syntax_error_at_its_element() {
    let xml = object_event(&format!("{TIMES}\n<epcList/><nope:a>v</nope:a>"));
    let err = read_err(&xml, &Limits::default());
    let ReadError::Syntax { place, message } = &err else {
        panic!("{err:?}");
    };
    assert!(
        message.contains("`nope`") && message.contains("nope:a"),
        "{message}"
    );
    // The element could not be named, so the path ends at its parent.
    assert_eq!(
        place,
        &place_of(
            &xml,
            "<nope:a>",
            0,
            "EPCISDocument/EPCISBody/EventList/ObjectEvent"
        )
    );
}

#[test]
fn nesting_is_refused_at_the_hard_cap_even_when_the_limit_allows_more() {
    let limits = Limits {
        max_depth: usize::MAX,
        ..Limits::default()
    };
    let deep = format!("{}{}", "<ex:a>".repeat(10_000), "</ex:a>".repeat(10_000));
    let xml = object_event(&format!("{TIMES}{deep}"));
    let err = read_err(&xml, &limits);
    assert!(
        matches!(&err, ReadError::Limit { message, .. } if message.contains("512")),
        "{err:?}"
    );
}

#[test]
fn default_namespaces_are_resolved_like_prefixes() {
    let document = |extension: &str| {
        format!(
            "<EPCISDocument xmlns=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\" \
             creationDate=\"2024-05-01T08:00:00Z\"><EPCISBody><EventList><ObjectEvent>{TIMES}\
             <epcList/><action>ADD</action>{extension}</ObjectEvent></EventList></EPCISBody>\
             </EPCISDocument>"
        )
    };
    let read = read_ok(&document(&format!(
        "<note xmlns=\"{EX}\"><inner>1</inner></note>"
    )));
    assert_eq!(
        read.events()[0].extensions,
        [Extension {
            name: QName::new(EX, "note"),
            value: ExtValue::Object(vec![Extension::text(QName::new(EX, "inner"), "1")]),
            attributes: Vec::new(),
        }]
    );
    // Undeclaring the default namespace puts `plain` in no namespace, where it is an unknown
    // standard element.
    let read = read_ok(&document("<plain xmlns=\"\">2</plain>"));
    assert!(
        read.problems(0)[0]
            .message
            .contains("unknown element `plain`")
    );
}

#[test]
fn windows_line_ends_give_the_same_places_and_text() {
    let document = |action: &str| {
        object_event(&format!(
            "{TIMES}\n<epcList>\n<epc>a</epc>\n</epcList>\n<action>{action}</action>\n\
             <ex:lines>one\ntwo &amp;\nthree</ex:lines>"
        ))
    };
    let windows = |xml: String| xml.replace('\n', "\r\n");
    let (unix, crlf) = (
        read_ok(&document("MOVE")),
        read_ok(&windows(document("MOVE"))),
    );
    assert_eq!(crlf.problems(0)[0].place, unix.problems(0)[0].place);
    let (unix, crlf) = (
        read_ok(&document("ADD")),
        read_ok(&windows(document("ADD"))),
    );
    let value = ExtValue::Text("one\ntwo &\nthree".into());
    assert_eq!(unix.events()[0].extensions[0].value, value);
    assert_eq!(crlf.events()[0].extensions[0].value, value);
    assert_eq!(crlf.seen.events[0].1, unix.seen.events[0].1);
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let xml = format!(
        "\u{feff}{}",
        object_event(&format!("{TIMES}<epcList/><action>ADD</action>"))
    );
    assert_eq!(read_ok(&xml).events().len(), 1);
}

#[test]
fn an_epcis_1_2_document_is_read_on_a_best_effort_basis() {
    let xml = format!(
        "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\" schemaVersion=\"1.2\" \
         creationDate=\"2024-05-01T08:00:00Z\"><EPCISBody><EventList>\
         <ObjectEvent>{TIMES}<baseExtension><eventID>urn:uuid:9</eventID></baseExtension>\
         <epcList/><action>ADD</action></ObjectEvent>\
         <extension><TransformationEvent>{TIMES}</TransformationEvent></extension>\
         <QuantityEvent>{TIMES}</QuantityEvent>\
         </EventList></EPCISBody></epcis:EPCISDocument>"
    );
    let read = read_ok(&xml);
    assert_eq!(read.header.schema_version, "1.2");
    assert_eq!(read.seen.events.len(), 3);
    let first = read.seen.events[0].0.as_ref().unwrap();
    assert_eq!(first.event_id.as_deref(), Some("urn:uuid:9"));
    let second = read.seen.events[1].0.as_ref().unwrap();
    assert_eq!(second.event_type, EventType::TransformationEvent);
    assert!(read.problems(2)[0].message.contains("QuantityEvent"));
}

// --- More writing edge cases --------------------------------------------------------------

/// A minimal event of `event_type` for writer tests.
fn bare_event(event_type: EventType) -> Event {
    Event::new(
        event_type,
        EpcisTime::parse("2024-05-01T08:30:00+08:00").unwrap(),
        crate::time::TimeZoneOffset::parse("+08:00").unwrap(),
    )
}

#[track_caller]
fn assert_event_round_trips(event: &Event) -> String {
    let mut header = Header::new(EpcisTime::parse("2024-05-01T08:00:00Z").unwrap());
    header.namespaces.declare("ex", EX);
    let written = write(&Document {
        header,
        events: vec![event.clone()],
    });
    let again = read_ok(&written);
    let read_back = again.events()[0];
    assert!(
        read_back.same_meaning(event),
        "before: {event:#?}\nafter: {read_back:#?}\nwritten:\n{written}"
    );
    written
}

#[test]
fn an_unknown_quantity_with_a_unit_is_written_as_a_nil_quantity() {
    let mut event = bare_event(EventType::ObjectEvent);
    event.action = Some(Action::Observe);
    event.quantity_list.push(crate::model::QuantityElement {
        epc_class: "urn:epc:class:lgtin:4012345.012345.998877".into(),
        quantity: None,
        uom: Some("KGM".into()),
    });
    let written = assert_event_round_trips(&event);
    assert!(
        written.contains(
            "<quantity xmlns:ns1=\"http://www.w3.org/2001/XMLSchema-instance\" ns1:nil=\"true\"/>"
        ),
        "{written}"
    );
}

#[test]
fn fields_foreign_to_the_event_type_are_kept() {
    let mut event = bare_event(EventType::ObjectEvent);
    event.action = Some(Action::Add);
    event.parent_id = Some("urn:epc:id:sscc:0614141.1234567890".into());
    event
        .output_epc_list
        .push("urn:epc:id:sgtin:0614141.107346.1".into());
    event.ilmd = Some(Vec::new());
    event.persistent_disposition = Some(crate::model::PersistentDisposition::default());
    let written = assert_event_round_trips(&event);
    assert!(written.contains("<ilmd/>") && written.contains("<persistentDisposition/>"));
}

#[test]
fn attributes_in_the_xml_namespace_keep_their_prefix() {
    let mut event = bare_event(EventType::ObjectEvent);
    event.action = Some(Action::Add);
    event.extensions.push(Extension {
        name: QName::new(EX, "label"),
        value: ExtValue::Text("婴幼儿配方乳粉".into()),
        attributes: vec![(
            QName::new("http://www.w3.org/XML/1998/namespace", "lang"),
            "zh-CN".into(),
        )],
    });
    let written = assert_event_round_trips(&event);
    assert!(
        written.contains("<ex:label xml:lang=\"zh-CN\">婴幼儿配方乳粉</ex:label>"),
        "{written}"
    );
}

// --- Properties ---------------------------------------------------------------------------

/// Text with the characters XML escapes, CJK, and inner spaces, as standard fields hold it
/// (trimmed: the reader trims standard fields).
fn field_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9:/._&<>\"'#%\u{4e00}-\u{4e10}-]([a-zA-Z0-9:/._&<>\"' \u{4e00}-\u{4e10}-]{0,30}[a-zA-Z0-9&<>])?"
}

fn extension_value(depth: u32) -> BoxedStrategy<ExtValue> {
    let leaf = prop_oneof![
        "[ a-z0-9&<>\"'\r\n\u{4e00}-\u{4e05}]{0,12}".prop_map(ExtValue::Text),
        Just(ExtValue::Null),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        leaf,
        proptest::collection::vec(extension(depth - 1), 1..4).prop_map(ExtValue::Object),
    ]
    .boxed()
}

fn extension(depth: u32) -> BoxedStrategy<Extension> {
    (
        prop_oneof![Just(EX), Just("urn:example:other"), Just("")],
        "[a-z][a-zA-Z0-9]{0,8}",
        extension_value(depth),
    )
        .prop_map(|(namespace, local, value)| Extension {
            name: QName::new(namespace, local),
            value,
            attributes: Vec::new(),
        })
        .boxed()
}

fn event_strategy() -> impl Strategy<Value = Event> {
    (
        proptest::sample::select(EventType::ALL.to_vec()),
        proptest::collection::vec(field_text(), 0..4),
        prop_oneof![
            Just(None),
            proptest::sample::select(crate::cbv::BIZ_STEPS.to_vec())
                .prop_map(|word| Some(Term::Standard(word))),
            "https://example\\.com/steps/[a-z]{1,8}".prop_map(|uri| Some(Term::Other(uri))),
        ],
        proptest::option::of(
            (0u32..100_000, 0u32..1000)
                .prop_map(|(whole, part)| f64::from(whole) + f64::from(part) / 1000.0),
        ),
        proptest::collection::vec(extension(2), 0..3),
        -720i32..=720,
    )
        .prop_map(
            |(event_type, epcs, biz_step, quantity, extensions, minutes)| {
                let offset = jiff::tz::Offset::from_seconds(minutes * 60).unwrap();
                let mut event = bare_event(event_type);
                event.event_time = EpcisTime {
                    instant: event.event_time.instant,
                    offset,
                };
                event.event_time_zone_offset = crate::time::TimeZoneOffset(offset);
                event.action = Some(Action::Observe);
                event.epc_list = epcs;
                event.biz_step = biz_step;
                if let Some(quantity) = quantity {
                    event.quantity_list.push(crate::model::QuantityElement {
                        epc_class: "urn:epc:class:lgtin:4012345.012345.998877".into(),
                        quantity: Some(quantity),
                        uom: Some("KGM".into()),
                    });
                }
                event.extensions = extensions;
                event
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn events_written_and_read_back_mean_the_same(event in event_strategy()) {
        assert_event_round_trips(&event);
    }
}

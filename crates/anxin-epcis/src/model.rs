//! The EPCIS 2.0 data model: documents, the five event types and everything they carry.
//!
//! The model is syntax-neutral: the JSON-LD and XML codecs read into it and write from it,
//! and a JSON document and its XML twin read into equal values (compare them with
//! [`Event::same_meaning`], which ignores the few things the two syntaxes spell differently).
//!
//! All five event types share one [`Event`] struct tagged with its [`EventType`]. The standard
//! fields are typed (timestamps, CBV terms, quantities); identifiers are kept as written (an EPC
//! URN or a GS1 Digital Link URI), because a platform that serves events back must say what the
//! sender said. Which fields an event type needs or may carry is checked by
//! [`crate::validate`], not by the shape of the struct, so that a reader can hold a wrong
//! event long enough to say precisely what is wrong with it.

use crate::cbv::Term;
use crate::ext::{Extension, Namespaces};
use crate::time::{EpcisTime, TimeZoneOffset};

/// The five EPCIS 2.0 event types.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum EventType {
    /// Something was observed, created, or ended (EPCIS 2.0 §7.4.2).
    ObjectEvent,
    /// Children were packed into or unpacked from a parent (§7.4.3).
    AggregationEvent,
    /// Objects were tied to or released from a business transaction (§7.4.4).
    TransactionEvent,
    /// Inputs were consumed and outputs produced (§7.4.6).
    TransformationEvent,
    /// Assets were associated with or dissociated from a parent asset (§7.4.5).
    AssociationEvent,
}

impl EventType {
    /// Every event type, in the order the standard introduces them.
    pub const ALL: [EventType; 5] = [
        EventType::ObjectEvent,
        EventType::AggregationEvent,
        EventType::TransactionEvent,
        EventType::TransformationEvent,
        EventType::AssociationEvent,
    ];

    /// The name used for the type in both syntaxes (`ObjectEvent`).
    pub fn name(self) -> &'static str {
        match self {
            EventType::ObjectEvent => "ObjectEvent",
            EventType::AggregationEvent => "AggregationEvent",
            EventType::TransactionEvent => "TransactionEvent",
            EventType::TransformationEvent => "TransformationEvent",
            EventType::AssociationEvent => "AssociationEvent",
        }
    }

    /// The type with this name, if it is one.
    pub fn from_name(name: &str) -> Option<EventType> {
        EventType::ALL
            .into_iter()
            .find(|event_type| event_type.name() == name)
    }
}

/// The `action` of an event.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Action {
    /// The objects came into being or were added to the parent / transaction.
    Add,
    /// The objects were seen, with no change of membership.
    Observe,
    /// The objects ceased to exist or were removed from the parent / transaction.
    Delete,
}

impl Action {
    /// The written form (`ADD`, `OBSERVE`, `DELETE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "ADD",
            Action::Observe => "OBSERVE",
            Action::Delete => "DELETE",
        }
    }

    /// Reads the written form; nothing else is accepted.
    pub fn parse(text: &str) -> Option<Action> {
        match text.trim() {
            "ADD" => Some(Action::Add),
            "OBSERVE" => Some(Action::Observe),
            "DELETE" => Some(Action::Delete),
            _ => None,
        }
    }
}

/// A quantity of a class of objects (`quantityElement`).
#[derive(Clone, PartialEq, Debug)]
pub struct QuantityElement {
    /// The class, as written: an EPC class URN (`urn:epc:class:lgtin:…`) or a Digital Link.
    pub epc_class: String,
    /// The amount; absent means "an unknown number of instances".
    pub quantity: Option<f64>,
    /// The UN/ECE Recommendation 20 unit code (`KGM`); absent means a count of instances.
    pub uom: Option<String>,
}

/// A business transaction the event is part of.
#[derive(Clone, PartialEq, Debug)]
pub struct BizTransaction {
    /// The kind of transaction (`po`, `desadv`, …); optional in EPCIS.
    pub transaction_type: Option<Term>,
    /// The transaction's identifier (a URI).
    pub id: String,
}

/// A source or destination of a business transfer.
#[derive(Clone, PartialEq, Debug)]
pub struct SourceDest {
    /// The role of the party or location (`owning_party`, `possessing_party`, `location`).
    pub kind: Term,
    /// The party or location identifier (an SGLN or PGLN, as EPC URN or Digital Link).
    pub id: String,
}

/// A read point or business location: an identifier plus any extension elements.
#[derive(Clone, PartialEq, Debug)]
pub struct Location {
    /// The location identifier (SGLN URN, Digital Link or other URI).
    pub id: String,
    /// Extension elements carried inside the location element.
    pub extensions: Vec<Extension>,
}

/// The `persistentDisposition` of an event: dispositions that stay until unset.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct PersistentDisposition {
    /// Dispositions set by this event.
    pub set: Vec<Term>,
    /// Dispositions ended by this event.
    pub unset: Vec<Term>,
}

/// An `errorDeclaration`: the event is declared erroneous (EPCIS 2.0 §7.4.1.2).
#[derive(Clone, PartialEq, Debug)]
pub struct ErrorDeclaration {
    /// When the error was declared.
    pub declaration_time: EpcisTime,
    /// Why (`did_not_occur`, `incorrect_data`, or another URI).
    pub reason: Option<Term>,
    /// Events that correct this one.
    pub corrective_event_ids: Vec<String>,
    /// Extension elements inside the declaration.
    pub extensions: Vec<Extension>,
}

/// A sensor element: metadata about the device and its readings (EPCIS 2.0 §7.3.8).
#[derive(Clone, PartialEq, Debug, Default)]
pub struct SensorElement {
    /// Metadata shared by the reports.
    pub metadata: Option<SensorMetadata>,
    /// The readings.
    pub reports: Vec<SensorReport>,
    /// Extension elements of the sensor element itself.
    pub extensions: Vec<Extension>,
}

/// `sensorMetadata`.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct SensorMetadata {
    /// The time the readings refer to.
    pub time: Option<EpcisTime>,
    /// Start of the reading interval.
    pub start_time: Option<EpcisTime>,
    /// End of the reading interval.
    pub end_time: Option<EpcisTime>,
    /// The device (a URI, often a GIAI).
    pub device_id: Option<String>,
    /// Where the device's metadata lives.
    pub device_metadata: Option<String>,
    /// Where the raw data lives.
    pub raw_data: Option<String>,
    /// How the data was processed.
    pub data_processing_method: Option<String>,
    /// The business rules the readings were judged by.
    pub biz_rules: Option<String>,
    /// Extension attributes (XML) or members (JSON-LD).
    pub extensions: Vec<Extension>,
}

/// `sensorReport`: one reading.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct SensorReport {
    /// What was measured (`Temperature`, or another URI).
    pub measurement_type: Option<Term>,
    /// An alarm or error condition.
    pub exception: Option<Term>,
    /// The device, when it differs from the metadata's.
    pub device_id: Option<String>,
    /// The device metadata URI.
    pub device_metadata: Option<String>,
    /// The raw data URI.
    pub raw_data: Option<String>,
    /// The data processing method URI.
    pub data_processing_method: Option<String>,
    /// The business rules the reading was judged by (a URI), when they differ from the
    /// metadata's.
    pub biz_rules: Option<String>,
    /// When the reading was taken.
    pub time: Option<EpcisTime>,
    /// The microorganism measured (a URI).
    pub microorganism: Option<String>,
    /// The chemical substance measured (a URI).
    pub chemical_substance: Option<String>,
    /// The value.
    pub value: Option<f64>,
    /// The component of a vector quantity (`x`, `latitude`, …).
    pub component: Option<Term>,
    /// A textual value.
    pub string_value: Option<String>,
    /// A boolean value.
    pub boolean_value: Option<bool>,
    /// A hexadecimal binary value.
    pub hex_binary_value: Option<String>,
    /// A URI value.
    pub uri_value: Option<String>,
    /// The minimum over the interval.
    pub min_value: Option<f64>,
    /// The maximum over the interval.
    pub max_value: Option<f64>,
    /// The mean over the interval.
    pub mean_value: Option<f64>,
    /// The standard deviation over the interval.
    pub s_dev: Option<f64>,
    /// The percentile rank of `perc_value`.
    pub perc_rank: Option<f64>,
    /// The value at `perc_rank`.
    pub perc_value: Option<f64>,
    /// The UN/ECE Recommendation 20 unit code.
    pub uom: Option<String>,
    /// The coordinate reference system (a URI).
    pub coordinate_reference_system: Option<String>,
    /// Extension attributes (XML) or members (JSON-LD).
    pub extensions: Vec<Extension>,
}

/// One EPCIS event of any of the five types.
///
/// List fields are empty when absent; the writers leave empty lists out, except where the
/// standard requires the element (an ObjectEvent's `epcList` in XML).
#[derive(Clone, PartialEq, Debug)]
pub struct Event {
    /// Which of the five types this is.
    pub event_type: EventType,
    /// When the event happened.
    pub event_time: EpcisTime,
    /// The local time offset at the place it happened.
    pub event_time_zone_offset: TimeZoneOffset,
    /// When the capturing system recorded it (set by the repository, not the sender).
    pub record_time: Option<EpcisTime>,
    /// The event's identifier: a hash ID (`ni:///sha-256;…`), a UUID URN or another URI.
    pub event_id: Option<String>,
    /// Certification information (URIs); JSON-LD allows one string or a list.
    pub certification_info: Vec<String>,
    /// Present when this event has been declared erroneous.
    pub error_declaration: Option<ErrorDeclaration>,
    /// ADD, OBSERVE or DELETE (absent only on TransformationEvent).
    pub action: Option<Action>,
    /// The parent (Aggregation, Transaction and Association events).
    pub parent_id: Option<String>,
    /// `epcList` (Object and Transaction events).
    pub epc_list: Vec<String>,
    /// `childEPCs` (Aggregation and Association events).
    pub child_epcs: Vec<String>,
    /// `inputEPCList` (TransformationEvent).
    pub input_epc_list: Vec<String>,
    /// `outputEPCList` (TransformationEvent).
    pub output_epc_list: Vec<String>,
    /// `quantityList` (Object and Transaction events).
    pub quantity_list: Vec<QuantityElement>,
    /// `childQuantityList` (Aggregation and Association events).
    pub child_quantity_list: Vec<QuantityElement>,
    /// `inputQuantityList` (TransformationEvent).
    pub input_quantity_list: Vec<QuantityElement>,
    /// `outputQuantityList` (TransformationEvent).
    pub output_quantity_list: Vec<QuantityElement>,
    /// `transformationID` (TransformationEvent, and ObjectEvent with ADD).
    pub transformation_id: Option<String>,
    /// The business step.
    pub biz_step: Option<Term>,
    /// The disposition of the objects after the event.
    pub disposition: Option<Term>,
    /// Dispositions set or unset until further notice.
    pub persistent_disposition: Option<PersistentDisposition>,
    /// Where the event was observed.
    pub read_point: Option<Location>,
    /// Where the objects are afterwards.
    pub biz_location: Option<Location>,
    /// Business transactions.
    pub biz_transaction_list: Vec<BizTransaction>,
    /// Sources of a transfer.
    pub source_list: Vec<SourceDest>,
    /// Destinations of a transfer.
    pub destination_list: Vec<SourceDest>,
    /// Sensor data.
    pub sensor_element_list: Vec<SensorElement>,
    /// Instance/lot master data set at commissioning; `None` when the element is absent,
    /// `Some(vec![])` when it is present but empty.
    pub ilmd: Option<Vec<Extension>>,
    /// User extension fields at the event level, in document order.
    pub extensions: Vec<Extension>,
}

impl Event {
    /// A new event of `event_type` with only its time set; every other field is absent.
    pub fn new(
        event_type: EventType,
        event_time: EpcisTime,
        event_time_zone_offset: TimeZoneOffset,
    ) -> Event {
        Event {
            event_type,
            event_time,
            event_time_zone_offset,
            record_time: None,
            event_id: None,
            certification_info: Vec::new(),
            error_declaration: None,
            action: None,
            parent_id: None,
            epc_list: Vec::new(),
            child_epcs: Vec::new(),
            input_epc_list: Vec::new(),
            output_epc_list: Vec::new(),
            quantity_list: Vec::new(),
            child_quantity_list: Vec::new(),
            input_quantity_list: Vec::new(),
            output_quantity_list: Vec::new(),
            transformation_id: None,
            biz_step: None,
            disposition: None,
            persistent_disposition: None,
            read_point: None,
            biz_location: None,
            biz_transaction_list: Vec::new(),
            source_list: Vec::new(),
            destination_list: Vec::new(),
            sensor_element_list: Vec::new(),
            ilmd: None,
            extensions: Vec::new(),
        }
    }

    /// Every EPC the event names as an instance, in the order: epcList, parentID, childEPCs,
    /// inputEPCList, outputEPCList.
    pub fn all_epcs(&self) -> impl Iterator<Item = &str> {
        self.epc_list
            .iter()
            .chain(self.parent_id.iter())
            .chain(self.child_epcs.iter())
            .chain(self.input_epc_list.iter())
            .chain(self.output_epc_list.iter())
            .map(String::as_str)
    }

    /// Every quantity element of the event, whichever list it is in.
    pub fn all_quantities(&self) -> impl Iterator<Item = &QuantityElement> {
        self.quantity_list
            .iter()
            .chain(self.child_quantity_list.iter())
            .chain(self.input_quantity_list.iter())
            .chain(self.output_quantity_list.iter())
    }

    /// True when `other` says the same thing, ignoring what the two syntaxes spell
    /// differently: the written offset of timestamps (the instant must agree), and the
    /// grouping of repeated extension elements into JSON arrays (see
    /// [`crate::ext::same_extensions`]).
    pub fn same_meaning(&self, other: &Event) -> bool {
        crate::compare::events_mean_the_same(self, other)
    }
}

/// Which kind of document: a capture document or a query result.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DocumentType {
    /// `EPCISDocument`.
    EpcisDocument,
    /// `EPCISQueryDocument`.
    EpcisQueryDocument,
}

impl DocumentType {
    /// The name used in both syntaxes.
    pub fn name(self) -> &'static str {
        match self {
            DocumentType::EpcisDocument => "EPCISDocument",
            DocumentType::EpcisQueryDocument => "EPCISQueryDocument",
        }
    }
}

/// A master-data vocabulary (`epcisMasterData/vocabularyList[]`).
#[derive(Clone, PartialEq, Debug)]
pub struct Vocabulary {
    /// The vocabulary type URI (`urn:epcglobal:epcis:vtype:BusinessLocation`).
    pub vocabulary_type: String,
    /// Its elements.
    pub elements: Vec<VocabularyElement>,
}

/// One master-data element: a location, a product class, a party.
#[derive(Clone, PartialEq, Debug)]
pub struct VocabularyElement {
    /// The element's identifier (an SGLN, an LGTIN class, …).
    pub id: String,
    /// Its attributes, in document order; an attribute may repeat.
    pub attributes: Vec<MasterDataAttribute>,
    /// Identifiers of child elements (for location hierarchies).
    pub children: Vec<String>,
    /// Extension elements of the vocabulary element.
    pub extensions: Vec<Extension>,
}

/// One master-data attribute: an identifier (a URI) and a value, which may be structured.
#[derive(Clone, PartialEq, Debug)]
pub struct MasterDataAttribute {
    /// The attribute name (`urn:epcglobal:cbv:mda#name`, `cbvmda:countryOfOrigin`).
    pub id: String,
    /// Its value.
    pub value: crate::ext::ExtValue,
}

/// The results header of an `EPCISQueryDocument`.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct QueryResults {
    /// The query's name.
    pub query_name: Option<String>,
    /// The subscription that produced these results, if any.
    pub subscription_id: Option<String>,
}

/// Everything in a document apart from its events.
///
/// Readers return the header separately from the events so that a large document can be
/// read event by event (see [`crate::json::read`] and [`crate::xml::read`]).
#[derive(Clone, PartialEq, Debug)]
pub struct Header {
    /// Capture document or query document.
    pub document_type: DocumentType,
    /// `schemaVersion` (`2.0`).
    pub schema_version: String,
    /// `creationDate`.
    pub creation_date: EpcisTime,
    /// The document's own `id`, when JSON-LD gives one.
    pub id: Option<String>,
    /// `sender` (EPCIS 2.0 JSON-LD header field).
    pub sender: Option<String>,
    /// `receiver`.
    pub receiver: Option<String>,
    /// `instanceIdentifier`.
    pub instance_identifier: Option<String>,
    /// Namespace prefixes the document declares, and the context URLs it names.
    pub namespaces: Namespaces,
    /// Master data carried in the header.
    pub master_data: Vec<Vocabulary>,
    /// Query-result metadata of an `EPCISQueryDocument`.
    pub query_results: Option<QueryResults>,
    /// Extension members or elements at document or header level (for example the
    /// standard business document header of an XML document, kept as written).
    pub extensions: Vec<Extension>,
}

impl Header {
    /// A header for a capture document created at `creation_date`, with no namespaces,
    /// master data or extensions.
    pub fn new(creation_date: EpcisTime) -> Header {
        Header {
            document_type: DocumentType::EpcisDocument,
            schema_version: "2.0".to_owned(),
            creation_date,
            id: None,
            sender: None,
            receiver: None,
            instance_identifier: None,
            namespaces: Namespaces::default(),
            master_data: Vec::new(),
            query_results: None,
            extensions: Vec::new(),
        }
    }
}

/// A whole EPCIS document held in memory.
///
/// For large inputs prefer the streaming readers, which hand events over one at a time.
#[derive(Clone, PartialEq, Debug)]
pub struct Document {
    /// Everything except the events.
    pub header: Header,
    /// The events, in document order.
    pub events: Vec<Event>,
}

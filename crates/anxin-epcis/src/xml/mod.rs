//! The XML codec: EPCIS 2.0 XML documents read into the model event by event, and written
//! back from it event by event.
//!
//! [`read()`] makes one pass over the document's tokens (start tags, end tags and text found
//! by the reader itself, the rest by a `quick_xml::Reader`; see `cursor.rs`) and keeps no
//! tree: each EPCIS event is built while its elements go by and handed to the
//! [`crate::EventSink`] as soon as its end tag is read, so memory stays proportional to one
//! event however large the document is. Elements are matched on their namespace and local name, never on the prefix a
//! document happened to choose (namespaces are resolved by the reader's own scoping, which is
//! cheaper than quick-xml's `NsReader`; see `cursor.rs`). Line and column numbers are counted
//! from the bytes as they are consumed (`source.rs`). [`Writer`] streams the other way, in the
//! element order of the EPCIS 2.0 XSD, and lets `quick_xml::Writer` do the escaping.
//!
//! The files: `source.rs` (buffered bytes, positions, size limits), `cursor.rs` (tokens,
//! namespaces, depth and string limits), `read.rs` (documents, headers, master data,
//! extensions), `read/event.rs` (events), `write.rs` (the writer).
//!
//! This module deliberately does not validate events beyond what the model's types need (a
//! timestamp must parse, a quantity must be a number): which fields an event type requires,
//! and whether a CBV word is known, is [`crate::validate`]'s job, which can place its findings
//! with the [`crate::Origin`] the reader hands over. It does not resolve DTDs or external
//! entities (a DOCTYPE is skipped unread; an entity other than the five predefined ones is an
//! error), and it does not read EPCIS 1.x beyond a best effort (the 1.x namespaces are
//! accepted, wrapper elements unwrapped, `QuantityEvent` reported as unsupported, and
//! `schemaVersion` kept as written even though the writer always writes the 2.0 namespace).
//! Nesting is refused beyond `max_depth` and in any case beyond 512 levels, which keeps the
//! recursion safe on small thread stacks.
//!
//! How XML maps onto the model, where a choice had to be made:
//! - An extension element with only text is [`crate::ExtValue::Text`] (kept as written, not
//!   trimmed), one with child elements is [`crate::ExtValue::Object`] (repeated children stay
//!   separate entries), and one with no content at all (`<a/>`, `<a></a>`) is
//!   [`crate::ExtValue::Null`]. Attributes other than namespace declarations, `xsi:type`
//!   included, are kept in [`crate::Extension::attributes`].
//! - `<extension>` and `<baseExtension>` wrappers (EPCIS 1.x style, still allowed by the 2.0
//!   XSD) are unwrapped wherever they appear: standard fields inside them are read as if they
//!   were written directly in the event, and unknown elements inside them become extensions
//!   with an empty namespace. The writer puts such namespace-less extensions back inside an
//!   `<extension>` wrapper, because the XSD allows no other place for them.
//! - An unknown element without a namespace (or in the EPCIS namespace) directly inside an
//!   event is a problem for that event, not an extension: it is almost always a misspelt
//!   standard field.
//! - CBV values are read with [`crate::Term::read`], which recognises a standard word in any
//!   of its written forms, and `cbv:` CURIEs of web URIs (`cbv:Comp-latitude`) as GS1's
//!   examples write them. Bare words (`shipping`) are accepted without complaint, because the
//!   meaning is unambiguous; the writer always writes the CBV URN form. Unknown words are kept
//!   as [`crate::Term::Other`], as written, for validation to report.
//! - Sensor metadata and reports carry their fields as attributes; attributes in another
//!   namespace are kept as extensions with a text value, and an unknown attribute without a
//!   namespace is a problem.
//! - The standard business document header is kept whole as a header extension; its sender,
//!   receiver and instance identifier are also copied into the header's fields.
//! - A master-data document (`EPCISMasterDataDocument`) reads into a header with master data
//!   and no events; it is written back as an `EPCISDocument` carrying the same master data.
//! - The root's namespace declarations become the header's prefixes, except the default
//!   namespace and the EPCIS document namespaces, which the writer declares itself. Root
//!   attributes other than `schemaVersion`, `creationDate` and `id` are not kept.
//! - Header-level extensions (other than the business document header) are written after
//!   `EPCISBody`, where the XSD allows them, wherever they were read from. Extensions of a
//!   whole `Vocabulary` (as opposed to its elements) and of `sensorElementList` have no place
//!   in the model: the first are passed over, the second reported as a problem.

mod cursor;
mod read;
mod source;
mod write;

pub use read::read;
pub use write::{Writer, write_document};

use crate::model::EventType;

/// The EPCIS 2.0 XML namespace of `EPCISDocument`.
pub const EPCIS_NAMESPACE: &str = "urn:epcglobal:epcis:xsd:2";
/// The EPCIS 2.0 XML namespace of `EPCISQueryDocument`.
pub const EPCIS_QUERY_NAMESPACE: &str = "urn:epcglobal:epcis-query:xsd:2";
/// The EPCIS 2.0 XML namespace of `EPCISMasterDataDocument`.
pub const EPCIS_MASTER_DATA_NAMESPACE: &str = "urn:epcglobal:epcis-masterdata:xsd:2";
/// The namespace of the UN/CEFACT standard business document header.
pub const SBDH_NAMESPACE: &str =
    "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader";

/// The EPCIS 1.x namespaces, read on a best-effort basis.
const EPCIS_1_NAMESPACE: &str = "urn:epcglobal:epcis:xsd:1";
const EPCIS_1_QUERY_NAMESPACE: &str = "urn:epcglobal:epcis-query:xsd:1";
const EPCIS_1_MASTER_DATA_NAMESPACE: &str = "urn:epcglobal:epcis-masterdata:xsd:1";

/// True for the namespaces of the three document roots, which the writer always declares
/// itself and the reader therefore leaves out of the header's prefixes.
fn is_document_namespace(iri: &str) -> bool {
    matches!(
        iri,
        EPCIS_NAMESPACE
            | EPCIS_QUERY_NAMESPACE
            | EPCIS_MASTER_DATA_NAMESPACE
            | EPCIS_1_NAMESPACE
            | EPCIS_1_QUERY_NAMESPACE
            | EPCIS_1_MASTER_DATA_NAMESPACE
    )
}

/// The standard fields of an event, named as the XML elements that carry them.
///
/// The reader dispatches on it and the writer orders by it, so that both agree on the
/// spelling of every element.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    EventTime,
    RecordTime,
    EventTimeZoneOffset,
    EventId,
    ErrorDeclaration,
    CertificationInfo,
    ParentId,
    EpcList,
    ChildEpcs,
    InputEpcList,
    InputQuantityList,
    OutputEpcList,
    OutputQuantityList,
    TransformationId,
    Action,
    BizStep,
    Disposition,
    ReadPoint,
    BizLocation,
    BizTransactionList,
    QuantityList,
    ChildQuantityList,
    SourceList,
    DestinationList,
    SensorElementList,
    PersistentDisposition,
    Ilmd,
}

impl Field {
    /// Every field, in an order used for fields that do not belong to an event's type (they
    /// are still written, so that nothing is lost, just before the extensions).
    const ALL: [Field; 27] = [
        Field::EventTime,
        Field::RecordTime,
        Field::EventTimeZoneOffset,
        Field::EventId,
        Field::ErrorDeclaration,
        Field::CertificationInfo,
        Field::ParentId,
        Field::EpcList,
        Field::ChildEpcs,
        Field::InputEpcList,
        Field::InputQuantityList,
        Field::OutputEpcList,
        Field::OutputQuantityList,
        Field::TransformationId,
        Field::Action,
        Field::BizStep,
        Field::Disposition,
        Field::ReadPoint,
        Field::BizLocation,
        Field::BizTransactionList,
        Field::QuantityList,
        Field::ChildQuantityList,
        Field::SourceList,
        Field::DestinationList,
        Field::SensorElementList,
        Field::PersistentDisposition,
        Field::Ilmd,
    ];

    /// The element name.
    fn name(self) -> &'static str {
        match self {
            Field::EventTime => "eventTime",
            Field::RecordTime => "recordTime",
            Field::EventTimeZoneOffset => "eventTimeZoneOffset",
            Field::EventId => "eventID",
            Field::ErrorDeclaration => "errorDeclaration",
            Field::CertificationInfo => "certificationInfo",
            Field::ParentId => "parentID",
            Field::EpcList => "epcList",
            Field::ChildEpcs => "childEPCs",
            Field::InputEpcList => "inputEPCList",
            Field::InputQuantityList => "inputQuantityList",
            Field::OutputEpcList => "outputEPCList",
            Field::OutputQuantityList => "outputQuantityList",
            Field::TransformationId => "transformationID",
            Field::Action => "action",
            Field::BizStep => "bizStep",
            Field::Disposition => "disposition",
            Field::ReadPoint => "readPoint",
            Field::BizLocation => "bizLocation",
            Field::BizTransactionList => "bizTransactionList",
            Field::QuantityList => "quantityList",
            Field::ChildQuantityList => "childQuantityList",
            Field::SourceList => "sourceList",
            Field::DestinationList => "destinationList",
            Field::SensorElementList => "sensorElementList",
            Field::PersistentDisposition => "persistentDisposition",
            Field::Ilmd => "ilmd",
        }
    }

    /// The field an element name stands for, if it is a standard one.
    fn from_name(name: &str) -> Option<Field> {
        // A match on the strings compiles to a dispatch on length and a few comparisons,
        // which matters here: it runs for every child element of every event.
        Some(match name {
            "eventTime" => Field::EventTime,
            "recordTime" => Field::RecordTime,
            "eventTimeZoneOffset" => Field::EventTimeZoneOffset,
            "eventID" => Field::EventId,
            "errorDeclaration" => Field::ErrorDeclaration,
            "certificationInfo" => Field::CertificationInfo,
            "parentID" => Field::ParentId,
            "epcList" => Field::EpcList,
            "childEPCs" => Field::ChildEpcs,
            "inputEPCList" => Field::InputEpcList,
            "inputQuantityList" => Field::InputQuantityList,
            "outputEPCList" => Field::OutputEpcList,
            "outputQuantityList" => Field::OutputQuantityList,
            "transformationID" => Field::TransformationId,
            "action" => Field::Action,
            "bizStep" => Field::BizStep,
            "disposition" => Field::Disposition,
            "readPoint" => Field::ReadPoint,
            "bizLocation" => Field::BizLocation,
            "bizTransactionList" => Field::BizTransactionList,
            "quantityList" => Field::QuantityList,
            "childQuantityList" => Field::ChildQuantityList,
            "sourceList" => Field::SourceList,
            "destinationList" => Field::DestinationList,
            "sensorElementList" => Field::SensorElementList,
            "persistentDisposition" => Field::PersistentDisposition,
            "ilmd" => Field::Ilmd,
            _ => return None,
        })
    }

    /// The fields of `event_type` in the order of its XSD sequence (EPCIS 2.0 with
    /// `certificationInfo`), the common `EPCISEventType` part first.
    fn order(event_type: EventType) -> &'static [Field] {
        use Field::*;
        match event_type {
            EventType::ObjectEvent => &[
                EventTime,
                RecordTime,
                EventTimeZoneOffset,
                EventId,
                ErrorDeclaration,
                CertificationInfo,
                EpcList,
                Action,
                BizStep,
                Disposition,
                ReadPoint,
                BizLocation,
                BizTransactionList,
                QuantityList,
                SourceList,
                DestinationList,
                SensorElementList,
                PersistentDisposition,
                Ilmd,
            ],
            EventType::AggregationEvent => &[
                EventTime,
                RecordTime,
                EventTimeZoneOffset,
                EventId,
                ErrorDeclaration,
                CertificationInfo,
                ParentId,
                ChildEpcs,
                Action,
                BizStep,
                Disposition,
                ReadPoint,
                BizLocation,
                BizTransactionList,
                ChildQuantityList,
                SourceList,
                DestinationList,
                SensorElementList,
                PersistentDisposition,
            ],
            EventType::TransactionEvent => &[
                EventTime,
                RecordTime,
                EventTimeZoneOffset,
                EventId,
                ErrorDeclaration,
                CertificationInfo,
                BizTransactionList,
                ParentId,
                EpcList,
                Action,
                BizStep,
                Disposition,
                ReadPoint,
                BizLocation,
                QuantityList,
                SourceList,
                DestinationList,
                SensorElementList,
                PersistentDisposition,
            ],
            EventType::TransformationEvent => &[
                EventTime,
                RecordTime,
                EventTimeZoneOffset,
                EventId,
                ErrorDeclaration,
                CertificationInfo,
                InputEpcList,
                InputQuantityList,
                OutputEpcList,
                OutputQuantityList,
                TransformationId,
                BizStep,
                Disposition,
                ReadPoint,
                BizLocation,
                BizTransactionList,
                SourceList,
                DestinationList,
                SensorElementList,
                PersistentDisposition,
                Ilmd,
            ],
            EventType::AssociationEvent => &[
                EventTime,
                RecordTime,
                EventTimeZoneOffset,
                EventId,
                ErrorDeclaration,
                CertificationInfo,
                ParentId,
                ChildEpcs,
                ChildQuantityList,
                Action,
                BizStep,
                Disposition,
                ReadPoint,
                BizLocation,
                BizTransactionList,
                SourceList,
                DestinationList,
                SensorElementList,
                PersistentDisposition,
            ],
        }
    }

    /// True when the XSD requires the element even when its list is empty.
    fn required_when_empty(self, event_type: EventType) -> bool {
        matches!(
            (event_type, self),
            (EventType::ObjectEvent, Field::EpcList)
                | (EventType::AggregationEvent, Field::ChildEpcs)
                | (EventType::TransactionEvent, Field::EpcList)
                | (EventType::TransactionEvent, Field::BizTransactionList)
        )
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod field_tests {
    use super::Field;

    #[test]
    fn every_field_is_found_by_its_name() {
        for field in Field::ALL {
            assert_eq!(Field::from_name(field.name()), Some(field));
        }
        assert_eq!(Field::from_name("bizStp"), None);
    }
}

//! Writing: the model as EPCIS 2.0 XML, streamed event by event.
//!
//! [`Writer`] writes the root, the header and the opening of the event list when it starts,
//! one event per call to [`Writer::event`], and the closing tags in [`Writer::finish`], so a
//! document of any size is written with memory for one event. Elements follow the order of
//! the EPCIS 2.0 XSD sequences; CBV terms are written as CBV URNs; timestamps keep the offset
//! they were read with. Escaping is quick-xml's.
//!
//! Namespaces: the root declares the document's namespace and the prefixes of the header's
//! [`crate::Namespaces`]; an extension in a namespace with no prefix in scope gets one
//! (`ns1`, `ns2`, …) declared on the element itself, because a streaming writer cannot know
//! every extension namespace before the first event.
//!
//! This module does not check events: it writes what it is given, including fields that do
//! not belong to an event's type (they go just before the extensions, so nothing is lost).

use std::io::{self, BufWriter, Write};

use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event as XmlEvent};

use super::{EPCIS_NAMESPACE, EPCIS_QUERY_NAMESPACE, Field, SBDH_NAMESPACE};
use crate::cbv::{Term, Vocabulary as Cbv};
use crate::ext::{ExtValue, Extension, QName, XSI_NAMESPACE};
use crate::model::{
    Document, DocumentType, Event, Header, Location, QuantityElement, SensorElement, SourceDest,
    Vocabulary, VocabularyElement,
};

/// The namespace bound to the `xml` prefix by definition.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// A streaming writer of one EPCIS XML document.
///
/// Call [`Writer::start`] with the header, [`Writer::event`] for each event, and
/// [`Writer::finish`] at the end; a writer dropped without `finish` leaves the document
/// unfinished. Output is buffered internally.
pub struct Writer<W: Write> {
    xml: quick_xml::Writer<BufWriter<W>>,
    root: String,
    query_results_prefix: Option<String>,
    /// Namespace bindings in scope: the root's, then those declared on open elements.
    bindings: Vec<(String, String)>,
    n_generated: usize,
    /// Header extensions that belong after the body.
    trailing: Vec<Extension>,
}

impl<W: Write> Writer<W> {
    /// Writes the XML declaration, the root element with its namespace declarations, the
    /// `EPCISHeader` (standard business document header and master data) when there is one,
    /// and opens the event list.
    ///
    /// A query document (`header.document_type`) is written as `epcisq:EPCISQueryDocument`
    /// with its events in `QueryResults/resultsBody/EventList`.
    pub fn start(out: W, header: &Header) -> io::Result<Self> {
        let mut xml = quick_xml::Writer::new_with_indent(BufWriter::new(out), b' ', 2);
        xml.write_event(XmlEvent::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let query = header.document_type == DocumentType::EpcisQueryDocument;
        let (root_iri, root_prefix_wanted, root_local) = if query {
            (EPCIS_QUERY_NAMESPACE, "epcisq", "EPCISQueryDocument")
        } else {
            (EPCIS_NAMESPACE, "epcis", "EPCISDocument")
        };
        let mut bindings = root_bindings(header);
        let root_prefix = match bindings.iter().find(|(_, iri)| iri == root_iri) {
            Some((prefix, _)) => prefix.clone(),
            None => {
                let prefix = unused_prefix(&bindings, root_prefix_wanted);
                bindings.insert(0, (prefix.clone(), root_iri.to_owned()));
                prefix
            }
        };
        let root = format!("{root_prefix}:{root_local}");
        let mut start = BytesStart::new(root.as_str());
        push_declarations(&mut start, &bindings);
        start.push_attribute(("schemaVersion", header.schema_version.as_str()));
        start.push_attribute(("creationDate", header.creation_date.to_string().as_str()));
        if let Some(id) = &header.id {
            start.push_attribute(("id", id.as_str()));
        }
        xml.write_event(XmlEvent::Start(start))?;

        let mut writer = Writer {
            xml,
            root,
            query_results_prefix: query.then(|| root_prefix.clone()),
            bindings,
            n_generated: 0,
            trailing: Vec::new(),
        };
        writer.epcis_header(header)?;
        writer.open("EPCISBody")?;
        if let Some(prefix) = writer.query_results_prefix.clone() {
            writer.open(&format!("{prefix}:QueryResults"))?;
            let results = header.query_results.clone().unwrap_or_default();
            writer.leaf("queryName", results.query_name.as_deref().unwrap_or(""))?;
            if let Some(subscription_id) = &results.subscription_id {
                writer.leaf("subscriptionID", subscription_id)?;
            }
            writer.open("resultsBody")?;
        }
        writer.open("EventList")?;
        writer.trailing = header
            .extensions
            .iter()
            .filter(|extension| !is_sbdh(extension))
            .cloned()
            .collect();
        Ok(writer)
    }

    /// Writes one event.
    ///
    /// # Errors
    ///
    /// Fails when the output fails, or when a sensor element's extension has a structured
    /// value: XML carries those as attributes, which can only hold text.
    pub fn event(&mut self, event: &Event) -> io::Result<()> {
        let name = event.event_type.name();
        self.open(name)?;
        let order = Field::order(event.event_type);
        for field in order {
            self.field(event, *field)?;
        }
        for field in Field::ALL {
            if !order.contains(&field) {
                self.field(event, field)?;
            }
        }
        self.extensions(&event.extensions)?;
        self.close(name)
    }

    /// Closes the event list, the body and the root (writing header extensions that belong
    /// after the body), flushes, and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.close("EventList")?;
        if let Some(prefix) = self.query_results_prefix.clone() {
            self.close("resultsBody")?;
            self.close(&format!("{prefix}:QueryResults"))?;
        }
        self.close("EPCISBody")?;
        let trailing = std::mem::take(&mut self.trailing);
        self.extensions(&trailing)?;
        let root = std::mem::take(&mut self.root);
        self.close(&root)?;
        self.xml
            .into_inner()
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }

    // --- Header -------------------------------------------------------------------------

    fn epcis_header(&mut self, header: &Header) -> io::Result<()> {
        let synthesized;
        let mut sbdhs: Vec<&Extension> = header.extensions.iter().filter(|e| is_sbdh(e)).collect();
        let has_own_fields = header.sender.is_some()
            || header.receiver.is_some()
            || header.instance_identifier.is_some();
        if sbdhs.is_empty() && has_own_fields {
            synthesized = synthesized_sbdh(header);
            sbdhs.push(&synthesized);
        }
        if sbdhs.is_empty() && header.master_data.is_empty() {
            return Ok(());
        }
        self.open("EPCISHeader")?;
        for sbdh in sbdhs {
            self.extension(sbdh)?;
        }
        if !header.master_data.is_empty() {
            self.open("extension")?;
            self.open("EPCISMasterData")?;
            self.open("VocabularyList")?;
            for vocabulary in &header.master_data {
                self.vocabulary(vocabulary)?;
            }
            self.close("VocabularyList")?;
            self.close("EPCISMasterData")?;
            self.close("extension")?;
        }
        self.close("EPCISHeader")
    }

    fn vocabulary(&mut self, vocabulary: &Vocabulary) -> io::Result<()> {
        let mut start = BytesStart::new("Vocabulary");
        start.push_attribute(("type", vocabulary.vocabulary_type.as_str()));
        if vocabulary.elements.is_empty() {
            return self.xml.write_event(XmlEvent::Empty(start));
        }
        self.xml.write_event(XmlEvent::Start(start))?;
        self.open("VocabularyElementList")?;
        for element in &vocabulary.elements {
            self.vocabulary_element(element)?;
        }
        self.close("VocabularyElementList")?;
        self.close("Vocabulary")
    }

    fn vocabulary_element(&mut self, element: &VocabularyElement) -> io::Result<()> {
        let mut start = BytesStart::new("VocabularyElement");
        start.push_attribute(("id", element.id.as_str()));
        let empty = element.attributes.is_empty()
            && element.children.is_empty()
            && element.extensions.is_empty();
        if empty {
            return self.xml.write_event(XmlEvent::Empty(start));
        }
        self.xml.write_event(XmlEvent::Start(start))?;
        for attribute in &element.attributes {
            self.master_data_value(&attribute.id, &attribute.value)?;
        }
        if !element.children.is_empty() {
            self.open("children")?;
            for child in &element.children {
                self.leaf("id", child)?;
            }
            self.close("children")?;
        }
        self.extensions(&element.extensions)?;
        self.close("VocabularyElement")
    }

    /// One `<attribute id="…">`; an array value becomes one element per item, since XML
    /// repeats an attribute where JSON-LD lists its values.
    fn master_data_value(&mut self, id: &str, value: &ExtValue) -> io::Result<()> {
        if let ExtValue::Array(items) = value {
            for item in items {
                self.master_data_value(id, item)?;
            }
            return Ok(());
        }
        let mut start = BytesStart::new("attribute");
        start.push_attribute(("id", id));
        self.ext_body(start, "attribute", value)
    }

    // --- Events -------------------------------------------------------------------------

    fn field(&mut self, event: &Event, field: Field) -> io::Result<()> {
        let name = field.name();
        let required = field.required_when_empty(event.event_type);
        match field {
            Field::EventTime => self.leaf(name, &event.event_time.to_string()),
            Field::RecordTime => match &event.record_time {
                Some(time) => self.leaf(name, &time.to_string()),
                None => Ok(()),
            },
            Field::EventTimeZoneOffset => {
                self.leaf(name, &event.event_time_zone_offset.to_string())
            }
            Field::EventId => self.optional_leaf(name, event.event_id.as_deref()),
            Field::ErrorDeclaration => match &event.error_declaration {
                Some(declaration) => {
                    self.open(name)?;
                    self.leaf("declarationTime", &declaration.declaration_time.to_string())?;
                    if let Some(reason) = &declaration.reason {
                        self.term("reason", reason, Cbv::ErrorReason)?;
                    }
                    if !declaration.corrective_event_ids.is_empty() {
                        self.open("correctiveEventIDs")?;
                        for id in &declaration.corrective_event_ids {
                            self.leaf("correctiveEventID", id)?;
                        }
                        self.close("correctiveEventIDs")?;
                    }
                    self.extensions(&declaration.extensions)?;
                    self.close(name)
                }
                None => Ok(()),
            },
            Field::CertificationInfo => {
                for info in &event.certification_info {
                    self.leaf(name, info)?;
                }
                Ok(())
            }
            Field::ParentId => self.optional_leaf(name, event.parent_id.as_deref()),
            Field::EpcList => self.epc_list(name, &event.epc_list, required),
            Field::ChildEpcs => self.epc_list(name, &event.child_epcs, required),
            Field::InputEpcList => self.epc_list(name, &event.input_epc_list, required),
            Field::OutputEpcList => self.epc_list(name, &event.output_epc_list, required),
            Field::QuantityList => self.quantity_list(name, &event.quantity_list),
            Field::ChildQuantityList => self.quantity_list(name, &event.child_quantity_list),
            Field::InputQuantityList => self.quantity_list(name, &event.input_quantity_list),
            Field::OutputQuantityList => self.quantity_list(name, &event.output_quantity_list),
            Field::TransformationId => self.optional_leaf(name, event.transformation_id.as_deref()),
            Field::Action => self.optional_leaf(name, event.action.map(|action| action.as_str())),
            Field::BizStep => match &event.biz_step {
                Some(term) => self.term(name, term, Cbv::BizStep),
                None => Ok(()),
            },
            Field::Disposition => match &event.disposition {
                Some(term) => self.term(name, term, Cbv::Disposition),
                None => Ok(()),
            },
            Field::PersistentDisposition => match &event.persistent_disposition {
                Some(disposition) => {
                    if disposition.set.is_empty() && disposition.unset.is_empty() {
                        return self.empty(name);
                    }
                    self.open(name)?;
                    for term in &disposition.unset {
                        self.term("unset", term, Cbv::Disposition)?;
                    }
                    for term in &disposition.set {
                        self.term("set", term, Cbv::Disposition)?;
                    }
                    self.close(name)
                }
                None => Ok(()),
            },
            Field::ReadPoint => self.location(name, event.read_point.as_ref()),
            Field::BizLocation => self.location(name, event.biz_location.as_ref()),
            Field::BizTransactionList => {
                if event.biz_transaction_list.is_empty() {
                    return if required { self.empty(name) } else { Ok(()) };
                }
                self.open(name)?;
                for transaction in &event.biz_transaction_list {
                    let mut start = BytesStart::new("bizTransaction");
                    if let Some(kind) = &transaction.transaction_type {
                        let kind = kind.xml_form(Cbv::BizTransactionType);
                        start.push_attribute(("type", kind.as_str()));
                    }
                    self.text_element(start, "bizTransaction", &transaction.id)?;
                }
                self.close(name)
            }
            Field::SourceList => self.source_dests(name, "source", &event.source_list),
            Field::DestinationList => {
                self.source_dests(name, "destination", &event.destination_list)
            }
            Field::SensorElementList => {
                if event.sensor_element_list.is_empty() {
                    return Ok(());
                }
                self.open(name)?;
                for element in &event.sensor_element_list {
                    self.sensor_element(element)?;
                }
                self.close(name)
            }
            Field::Ilmd => match &event.ilmd {
                Some(ilmd) if ilmd.is_empty() => self.empty(name),
                Some(ilmd) => {
                    self.open(name)?;
                    self.extensions(ilmd)?;
                    self.close(name)
                }
                None => Ok(()),
            },
        }
    }

    fn epc_list(&mut self, name: &str, epcs: &[String], required: bool) -> io::Result<()> {
        if epcs.is_empty() {
            return if required { self.empty(name) } else { Ok(()) };
        }
        self.open(name)?;
        for epc in epcs {
            self.leaf("epc", epc)?;
        }
        self.close(name)
    }

    fn quantity_list(&mut self, name: &str, elements: &[QuantityElement]) -> io::Result<()> {
        if elements.is_empty() {
            return Ok(());
        }
        self.open(name)?;
        for element in elements {
            self.open("quantityElement")?;
            self.leaf("epcClass", &element.epc_class)?;
            match (element.quantity, &element.uom) {
                (Some(quantity), _) => self.leaf("quantity", &quantity.to_string())?,
                // The XSD allows a unit only after a quantity; an unknown quantity with a
                // unit is written as a nil quantity.
                (None, Some(_)) => {
                    let mark = self.bindings.len();
                    let mut declare = Vec::new();
                    let nil = self.qualified(&QName::new(XSI_NAMESPACE, "nil"), &mut declare);
                    let mut start = BytesStart::new("quantity");
                    push_declarations(&mut start, &declare);
                    start.push_attribute((nil.as_str(), "true"));
                    self.xml.write_event(XmlEvent::Empty(start))?;
                    self.bindings.truncate(mark);
                }
                (None, None) => {}
            }
            if let Some(uom) = &element.uom {
                self.leaf("uom", uom)?;
            }
            self.close("quantityElement")?;
        }
        self.close(name)
    }

    fn location(&mut self, name: &str, location: Option<&Location>) -> io::Result<()> {
        let Some(location) = location else {
            return Ok(());
        };
        self.open(name)?;
        self.leaf("id", &location.id)?;
        self.extensions(&location.extensions)?;
        self.close(name)
    }

    fn source_dests(&mut self, name: &str, item: &str, list: &[SourceDest]) -> io::Result<()> {
        if list.is_empty() {
            return Ok(());
        }
        self.open(name)?;
        for source_dest in list {
            let kind = source_dest.kind.xml_form(Cbv::SourceDestType);
            let mut start = BytesStart::new(item);
            start.push_attribute(("type", kind.as_str()));
            self.text_element(start, item, &source_dest.id)?;
        }
        self.close(name)
    }

    fn sensor_element(&mut self, element: &SensorElement) -> io::Result<()> {
        self.open("sensorElement")?;
        if let Some(metadata) = &element.metadata {
            let mut attributes: Vec<(&str, String)> = Vec::new();
            let mut push = |name: &'static str, value: Option<String>| {
                if let Some(value) = value {
                    attributes.push((name, value));
                }
            };
            push("time", metadata.time.map(|time| time.to_string()));
            push("deviceID", metadata.device_id.clone());
            push("deviceMetadata", metadata.device_metadata.clone());
            push("rawData", metadata.raw_data.clone());
            push(
                "startTime",
                metadata.start_time.map(|time| time.to_string()),
            );
            push("endTime", metadata.end_time.map(|time| time.to_string()));
            push("bizRules", metadata.biz_rules.clone());
            push(
                "dataProcessingMethod",
                metadata.data_processing_method.clone(),
            );
            self.attribute_element("sensorMetadata", &attributes, &metadata.extensions)?;
        }
        for report in &element.reports {
            let mut attributes: Vec<(&str, String)> = Vec::new();
            let mut push = |name: &'static str, value: Option<String>| {
                if let Some(value) = value {
                    attributes.push((name, value));
                }
            };
            let term = |term: &Option<Term>, vocabulary| {
                term.as_ref().map(|term| term.xml_form(vocabulary))
            };
            let number = |number: Option<f64>| number.map(|number| number.to_string());
            push("type", term(&report.measurement_type, Cbv::MeasurementType));
            push("value", number(report.value));
            push("component", term(&report.component, Cbv::Component));
            push("stringValue", report.string_value.clone());
            push(
                "booleanValue",
                report.boolean_value.map(|flag| flag.to_string()),
            );
            push("hexBinaryValue", report.hex_binary_value.clone());
            push("uriValue", report.uri_value.clone());
            push("uom", report.uom.clone());
            push("minValue", number(report.min_value));
            push("maxValue", number(report.max_value));
            push("sDev", number(report.s_dev));
            push("chemicalSubstance", report.chemical_substance.clone());
            push("microorganism", report.microorganism.clone());
            push("deviceID", report.device_id.clone());
            push("deviceMetadata", report.device_metadata.clone());
            push("rawData", report.raw_data.clone());
            push("time", report.time.map(|time| time.to_string()));
            push("meanValue", number(report.mean_value));
            push("percRank", number(report.perc_rank));
            push("percValue", number(report.perc_value));
            push(
                "dataProcessingMethod",
                report.data_processing_method.clone(),
            );
            push("bizRules", report.biz_rules.clone());
            push(
                "coordinateReferenceSystem",
                report.coordinate_reference_system.clone(),
            );
            push("exception", term(&report.exception, Cbv::SensorAlertType));
            self.attribute_element("sensorReport", &attributes, &report.extensions)?;
        }
        self.extensions(&element.extensions)?;
        self.close("sensorElement")
    }

    /// An empty element carrying standard attributes and extension attributes
    /// (`sensorMetadata`, `sensorReport`).
    fn attribute_element(
        &mut self,
        name: &str,
        attributes: &[(&str, String)],
        extensions: &[Extension],
    ) -> io::Result<()> {
        let mark = self.bindings.len();
        let mut declare = Vec::new();
        let mut extra = Vec::with_capacity(extensions.len());
        for extension in extensions {
            let value = match &extension.value {
                ExtValue::Text(text) | ExtValue::Number(text) => text.clone(),
                ExtValue::Bool(flag) => flag.to_string(),
                ExtValue::Null => String::new(),
                ExtValue::Object(_) | ExtValue::Array(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!(
                            "the {name} extension {} has a structured value, but XML carries \
                             {name} extensions as attributes, which hold text only",
                            extension.name.expanded()
                        ),
                    ));
                }
            };
            let qualified = self.qualified(&extension.name, &mut declare);
            extra.push((qualified, value));
        }
        let mut start = BytesStart::new(name);
        push_declarations(&mut start, &declare);
        for (key, value) in attributes {
            start.push_attribute((*key, value.as_str()));
        }
        for (key, value) in &extra {
            start.push_attribute((key.as_str(), value.as_str()));
        }
        self.bindings.truncate(mark);
        self.xml.write_event(XmlEvent::Empty(start))
    }

    // --- Extensions ---------------------------------------------------------------------

    /// A list of extensions: those without a namespace inside an `<extension>` wrapper, the
    /// only place the XSD allows them, then the others in order.
    fn extensions(&mut self, extensions: &[Extension]) -> io::Result<()> {
        if extensions
            .iter()
            .any(|extension| extension.name.namespace.is_empty())
        {
            self.open("extension")?;
            for extension in extensions.iter().filter(|e| e.name.namespace.is_empty()) {
                self.extension(extension)?;
            }
            self.close("extension")?;
        }
        for extension in extensions.iter().filter(|e| !e.name.namespace.is_empty()) {
            self.extension(extension)?;
        }
        Ok(())
    }

    fn extension(&mut self, extension: &Extension) -> io::Result<()> {
        self.extension_value(&extension.name, &extension.value, &extension.attributes)
    }

    /// One extension element; an array becomes one element per item.
    fn extension_value(
        &mut self,
        name: &QName,
        value: &ExtValue,
        attributes: &[(QName, String)],
    ) -> io::Result<()> {
        if let ExtValue::Array(items) = value {
            for item in items {
                self.extension_value(name, item, attributes)?;
            }
            return Ok(());
        }
        let mark = self.bindings.len();
        let mut declare = Vec::new();
        let qualified = self.qualified(name, &mut declare);
        let attribute_names: Vec<String> = attributes
            .iter()
            .map(|(attribute, _)| self.qualified(attribute, &mut declare))
            .collect();
        let mut start = BytesStart::new(qualified.as_str());
        push_declarations(&mut start, &declare);
        for (key, (_, value)) in attribute_names.iter().zip(attributes) {
            start.push_attribute((key.as_str(), value.as_str()));
        }
        let result = self.ext_body(start, &qualified, value);
        self.bindings.truncate(mark);
        result
    }

    /// The content and end of an element whose start tag is ready.
    fn ext_body(&mut self, start: BytesStart<'_>, name: &str, value: &ExtValue) -> io::Result<()> {
        match value {
            ExtValue::Null => self.xml.write_event(XmlEvent::Empty(start)),
            ExtValue::Text(text) | ExtValue::Number(text) => self.text_element(start, name, text),
            ExtValue::Bool(flag) => {
                self.text_element(start, name, if *flag { "true" } else { "false" })
            }
            ExtValue::Object(children) => {
                self.xml.write_event(XmlEvent::Start(start))?;
                for child in children {
                    self.extension(child)?;
                }
                self.close(name)
            }
            // Callers spread arrays into repeated elements before they build a start tag, so
            // an array never reaches here; an empty element is the harmless answer if one did.
            ExtValue::Array(_) => self.xml.write_event(XmlEvent::Empty(start)),
        }
    }

    /// The qualified name of an element, declaring a prefix when its namespace has none in
    /// scope. A name without a namespace stays bare: no default namespace is ever declared,
    /// and unprefixed attributes have no namespace anyway.
    fn qualified(&mut self, name: &QName, declare: &mut Vec<(String, String)>) -> String {
        if name.namespace.is_empty() {
            return name.local.clone();
        }
        let prefix = self.prefix_for(&name.namespace, declare);
        format!("{prefix}:{}", name.local)
    }

    fn prefix_for(&mut self, iri: &str, declare: &mut Vec<(String, String)>) -> String {
        if iri == XML_NAMESPACE {
            return "xml".to_owned();
        }
        if let Some((prefix, _)) = self.bindings.iter().rev().find(|(_, bound)| bound == iri) {
            return prefix.clone();
        }
        let prefix = loop {
            self.n_generated += 1;
            let candidate = format!("ns{}", self.n_generated);
            if !self.bindings.iter().any(|(prefix, _)| *prefix == candidate) {
                break candidate;
            }
        };
        self.bindings.push((prefix.clone(), iri.to_owned()));
        declare.push((prefix.clone(), iri.to_owned()));
        prefix
    }

    // --- Plain elements -----------------------------------------------------------------

    fn open(&mut self, name: &str) -> io::Result<()> {
        self.xml.write_event(XmlEvent::Start(BytesStart::new(name)))
    }

    fn close(&mut self, name: &str) -> io::Result<()> {
        self.xml.write_event(XmlEvent::End(BytesEnd::new(name)))
    }

    fn empty(&mut self, name: &str) -> io::Result<()> {
        self.xml.write_event(XmlEvent::Empty(BytesStart::new(name)))
    }

    fn leaf(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.text_element(BytesStart::new(name), name, text)
    }

    fn optional_leaf(&mut self, name: &str, text: Option<&str>) -> io::Result<()> {
        match text {
            Some(text) => self.leaf(name, text),
            None => Ok(()),
        }
    }

    fn term(&mut self, name: &str, term: &Term, vocabulary: Cbv) -> io::Result<()> {
        self.leaf(name, &term.xml_form(vocabulary))
    }

    fn text_element(&mut self, start: BytesStart<'_>, name: &str, text: &str) -> io::Result<()> {
        self.xml.write_event(XmlEvent::Start(start))?;
        // Only `<`, `>`, `&` and carriage returns need escaping in text; leaving quotes alone
        // keeps the output readable.
        self.xml
            .write_event(XmlEvent::Text(BytesText::from_escaped(partial_escape(
                text,
            ))))?;
        self.close(name)
    }
}

/// Writes a whole document: [`Writer::start`], every event, [`Writer::finish`].
pub fn write_document(out: impl Write, document: &Document) -> io::Result<()> {
    let mut writer = Writer::start(out, &document.header)?;
    for event in &document.events {
        writer.event(event)?;
    }
    writer.finish()?;
    Ok(())
}

fn push_declarations(start: &mut BytesStart<'_>, declare: &[(String, String)]) {
    for (prefix, iri) in declare {
        start.push_attribute((format!("xmlns:{prefix}").as_str(), iri.as_str()));
    }
}

/// The prefixes the root declares: the header's, less those XML does not allow to be
/// declared (the default namespace is never declared, so that unprefixed names stay in no
/// namespace). A prefix declared twice keeps its last IRI, as in `Namespaces::iri`.
fn root_bindings(header: &Header) -> Vec<(String, String)> {
    let mut bindings: Vec<(String, String)> = Vec::new();
    for namespace in &header.namespaces.prefixes {
        // A JSON-LD context may declare a prefix XML cannot use, or an IRI with `<` in it;
        // such a namespace gets an invented prefix where it is used, or cannot be written.
        let allowed = crate::ext::is_xml_name(&namespace.prefix)
            && !namespace.iri.contains('<')
            && !namespace.iri.is_empty()
            && !namespace.prefix.eq_ignore_ascii_case("xml")
            && !namespace.prefix.eq_ignore_ascii_case("xmlns")
            && namespace.iri != XML_NAMESPACE;
        if allowed {
            bindings.retain(|(prefix, _)| *prefix != namespace.prefix);
            bindings.push((namespace.prefix.clone(), namespace.iri.clone()));
        }
    }
    bindings
}

/// `wanted`, or `wanted` with a number when a binding already uses it for something else.
fn unused_prefix(bindings: &[(String, String)], wanted: &str) -> String {
    let taken = |candidate: &str| bindings.iter().any(|(prefix, _)| prefix == candidate);
    if !taken(wanted) {
        return wanted.to_owned();
    }
    (1..)
        .map(|n| format!("{wanted}{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| wanted.to_owned())
}

fn is_sbdh(extension: &Extension) -> bool {
    extension.name.namespace == SBDH_NAMESPACE
        && extension.name.local == "StandardBusinessDocumentHeader"
}

/// A minimal standard business document header carrying the header's sender, receiver and
/// instance identifier, for a header that has them (from JSON-LD) but no SBDH of its own.
fn synthesized_sbdh(header: &Header) -> Extension {
    let name = |local: &str| QName::new(SBDH_NAMESPACE, local);
    let text = |local: &str, value: &str| Extension::text(name(local), value);
    let object = |local: &str, children: Vec<Extension>| Extension {
        name: name(local),
        value: ExtValue::Object(children),
        attributes: Vec::new(),
    };
    let mut children = vec![text("HeaderVersion", "1.0")];
    if let Some(sender) = &header.sender {
        children.push(object("Sender", vec![text("Identifier", sender)]));
    }
    if let Some(receiver) = &header.receiver {
        children.push(object("Receiver", vec![text("Identifier", receiver)]));
    }
    let mut identification = vec![text("Standard", "EPCglobal"), text("TypeVersion", "2.0")];
    if let Some(instance_identifier) = &header.instance_identifier {
        identification.push(text("InstanceIdentifier", instance_identifier));
    }
    identification.push(text("Type", "Events"));
    identification.push(text(
        "CreationDateAndTime",
        &header.creation_date.to_string(),
    ));
    children.push(object("DocumentIdentification", identification));
    object("StandardBusinessDocumentHeader", children)
}

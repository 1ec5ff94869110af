//! The streaming writer: a header, then events one at a time, then the closing brackets.
//!
//! Output is indented JSON-LD in the shape of GS1's examples. Each event is formatted into an
//! internal buffer and written to the caller's writer in one call, so an unbuffered file is
//! fine and memory holds one event at a time. Names are written with the prefixes the
//! header declares; namespaces without one get invented prefixes (`ns1`, `ns2`, …), declared
//! in the document's `@context` when the header needs them and in the event's own
//! `@context` when only an event does (the document's `@context` is already written by then).
//! The writer does not validate events: it writes what the model holds.

use std::collections::HashMap;
use std::io::{self, Write};

use super::context::{self, ContextKind, Member, STANDARD_CONTEXT_URL};
use super::de::TEXT_MEMBER;
use crate::cbv::Term;
use crate::ext::{ExtValue, Extension, QName, XSI_NAMESPACE};
use crate::model::{
    DocumentType, Event, Header, Location, QuantityElement, SensorElement, SensorReport,
    SourceDest, Vocabulary,
};

/// Writes one JSON-LD EPCIS document, event by event.
///
/// Call [`Writer::start`] with the header, [`Writer::event`] for each event and
/// [`Writer::finish`] at the end; a document without `finish` is incomplete.
pub struct Writer<W: Write> {
    out: W,
    json: Json,
    names: Prefixes,
    query_document: bool,
}

impl<W: Write> Writer<W> {
    /// Writes the document's header members and opens its event list.
    pub fn start(out: W, header: &Header) -> io::Result<Self> {
        let mut writer = Writer {
            out,
            json: Json::default(),
            names: Prefixes::for_header(header),
            query_document: header.document_type == DocumentType::EpcisQueryDocument,
        };
        writer.header(header)?;
        writer.flush()?;
        Ok(writer)
    }

    /// Writes one event.
    pub fn event(&mut self, event: &Event) -> io::Result<()> {
        let scope = self.names.event_scope(event);
        self.json.item();
        self.event_object(event, &scope)?;
        self.flush()
    }

    /// Closes the event list and the document, and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.json.close(b']');
        if self.query_document {
            self.json.close(b'}');
            self.json.close(b'}');
        }
        self.json.close(b'}');
        self.json.close(b'}');
        self.json.buf.push(b'\n');
        self.flush()?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.json.buf)?;
        self.json.buf.clear();
        Ok(())
    }

    fn header(&mut self, header: &Header) -> io::Result<()> {
        self.json.open(b'{');
        self.context(header);
        let json = &mut self.json;
        json.member_str("type", header.document_type.name());
        json.member_str("schemaVersion", &header.schema_version);
        json.member_str("creationDate", &header.creation_date.to_string());
        json.member_options(&[
            ("id", &header.id),
            ("sender", &header.sender),
            ("receiver", &header.receiver),
            ("instanceIdentifier", &header.instance_identifier),
        ]);
        if !header.master_data.is_empty() || !header.extensions.is_empty() {
            self.json.key("epcisHeader");
            self.json.open(b'{');
            if !header.master_data.is_empty() {
                self.master_data(&header.master_data)?;
            }
            self.extensions(&header.extensions, &[])?;
            self.json.close(b'}');
        }
        self.open_event_list(header);
        Ok(())
    }

    /// Writes the document's `@context`: its context URLs, then one object per prefix.
    fn context(&mut self, header: &Header) {
        let json = &mut self.json;
        json.key("@context");
        json.open(b'[');
        for url in context_urls(header) {
            json.item();
            json.string(url);
        }
        for (prefix, iri) in &self.names.declared {
            json.item();
            json.open(b'{');
            json.member_str(prefix, iri);
            json.close(b'}');
        }
        json.close(b']');
    }

    /// Opens `epcisBody` and, through the query results of a query document, the event list.
    fn open_event_list(&mut self, header: &Header) {
        let json = &mut self.json;
        json.key("epcisBody");
        json.open(b'{');
        if self.query_document {
            json.key("queryResults");
            json.open(b'{');
            if let Some(results) = &header.query_results {
                if let Some(name) = &results.query_name {
                    json.member_str("queryName", name);
                }
                if let Some(id) = &results.subscription_id {
                    json.member_str("subscriptionID", id);
                }
            }
            json.key("resultsBody");
            json.open(b'{');
        }
        json.key("eventList");
        json.open(b'[');
    }

    fn master_data(&mut self, vocabularies: &[Vocabulary]) -> io::Result<()> {
        self.json.key("epcisMasterData");
        self.json.open(b'{');
        self.json.key("vocabularyList");
        self.json.open(b'[');
        for vocabulary in vocabularies {
            self.json.item();
            self.json.open(b'{');
            self.json.member_str("type", &vocabulary.vocabulary_type);
            self.json.key("vocabularyElementList");
            self.json.open(b'[');
            for element in &vocabulary.elements {
                self.json.item();
                self.json.open(b'{');
                self.json.member_str("id", &element.id);
                if !element.attributes.is_empty() {
                    self.json.key("attributes");
                    self.json.open(b'[');
                    for attribute in &element.attributes {
                        self.json.item();
                        self.json.open(b'{');
                        self.json.member_str("id", &attribute.id);
                        if attribute.value != ExtValue::Null {
                            self.json.key("attribute");
                            self.value(&attribute.value, &[])?;
                        }
                        self.json.close(b'}');
                    }
                    self.json.close(b']');
                }
                self.json.member_strings("children", &element.children);
                self.extensions(&element.extensions, &[])?;
                self.json.close(b'}');
            }
            self.json.close(b']');
            self.json.close(b'}');
        }
        self.json.close(b']');
        self.json.close(b'}');
        Ok(())
    }

    fn event_object(&mut self, event: &Event, scope: &[(String, String)]) -> io::Result<()> {
        let json = &mut self.json;
        json.open(b'{');
        if !scope.is_empty() {
            json.key("@context");
            json.open(b'{');
            for (prefix, iri) in scope {
                json.member_str(prefix, iri);
            }
            json.close(b'}');
        }
        json.member_str("type", event.event_type.name());
        json.member_str("eventTime", &event.event_time.to_string());
        let offset = event.event_time_zone_offset.to_string();
        json.member_str("eventTimeZoneOffset", &offset);
        if let Some(time) = &event.record_time {
            json.member_str("recordTime", &time.to_string());
        }
        if let Some(id) = &event.event_id {
            json.member_str("eventID", id);
        }
        json.member_strings("certificationInfo", &event.certification_info);
        if let Some(declaration) = &event.error_declaration {
            json.key("errorDeclaration");
            json.open(b'{');
            let time = declaration.declaration_time.to_string();
            json.member_str("declarationTime", &time);
            json.member_term("reason", declaration.reason.as_ref());
            json.member_strings("correctiveEventIDs", &declaration.corrective_event_ids);
            self.extensions(&declaration.extensions, scope)?;
            self.json.close(b'}');
        }
        self.what_and_how(event)?;
        self.location("readPoint", event.read_point.as_ref(), scope)?;
        self.location("bizLocation", event.biz_location.as_ref(), scope)?;
        self.rest_of_event(event, scope)?;
        self.json.close(b'}');
        Ok(())
    }

    /// The objects of the event and what happened to them: identifiers, quantities, action,
    /// business step and dispositions.
    fn what_and_how(&mut self, event: &Event) -> io::Result<()> {
        let json = &mut self.json;
        if let Some(parent) = &event.parent_id {
            json.member_str("parentID", parent);
        }
        json.member_strings("epcList", &event.epc_list);
        json.member_strings("childEPCs", &event.child_epcs);
        json.member_strings("inputEPCList", &event.input_epc_list);
        json.member_strings("outputEPCList", &event.output_epc_list);
        json.quantities("quantityList", &event.quantity_list)?;
        json.quantities("childQuantityList", &event.child_quantity_list)?;
        json.quantities("inputQuantityList", &event.input_quantity_list)?;
        json.quantities("outputQuantityList", &event.output_quantity_list)?;
        if let Some(id) = &event.transformation_id {
            json.member_str("transformationID", id);
        }
        if let Some(action) = event.action {
            json.member_str("action", action.as_str());
        }
        json.member_term("bizStep", event.biz_step.as_ref());
        json.member_term("disposition", event.disposition.as_ref());
        if let Some(persistent) = &event.persistent_disposition {
            json.key("persistentDisposition");
            json.open(b'{');
            json.member_terms("set", &persistent.set);
            json.member_terms("unset", &persistent.unset);
            json.close(b'}');
        }
        Ok(())
    }

    fn rest_of_event(&mut self, event: &Event, scope: &[(String, String)]) -> io::Result<()> {
        let json = &mut self.json;
        if !event.biz_transaction_list.is_empty() {
            json.key("bizTransactionList");
            json.open(b'[');
            for transaction in &event.biz_transaction_list {
                json.item();
                json.open(b'{');
                json.member_term("type", transaction.transaction_type.as_ref());
                json.member_str("bizTransaction", &transaction.id);
                json.close(b'}');
            }
            json.close(b']');
        }
        json.source_dest("sourceList", "source", &event.source_list);
        json.source_dest("destinationList", "destination", &event.destination_list);
        if !event.sensor_element_list.is_empty() {
            self.json.key("sensorElementList");
            self.json.open(b'[');
            for element in &event.sensor_element_list {
                self.json.item();
                self.sensor_element(element, scope)?;
            }
            self.json.close(b']');
        }
        if let Some(ilmd) = &event.ilmd {
            self.json.key("ilmd");
            self.json.open(b'{');
            self.extensions(ilmd, scope)?;
            self.json.close(b'}');
        }
        self.extensions(&event.extensions, scope)
    }

    fn location(
        &mut self,
        name: &str,
        location: Option<&Location>,
        scope: &[(String, String)],
    ) -> io::Result<()> {
        let Some(location) = location else {
            return Ok(());
        };
        self.json.key(name);
        self.json.open(b'{');
        self.json.member_str("id", &location.id);
        self.extensions(&location.extensions, scope)?;
        self.json.close(b'}');
        Ok(())
    }

    fn sensor_element(
        &mut self,
        element: &SensorElement,
        scope: &[(String, String)],
    ) -> io::Result<()> {
        self.json.open(b'{');
        if let Some(metadata) = &element.metadata {
            let json = &mut self.json;
            json.key("sensorMetadata");
            json.open(b'{');
            for (name, time) in [
                ("time", &metadata.time),
                ("startTime", &metadata.start_time),
                ("endTime", &metadata.end_time),
            ] {
                if let Some(time) = time {
                    json.member_str(name, &time.to_string());
                }
            }
            json.member_options(&[
                ("deviceID", &metadata.device_id),
                ("deviceMetadata", &metadata.device_metadata),
                ("rawData", &metadata.raw_data),
                ("dataProcessingMethod", &metadata.data_processing_method),
                ("bizRules", &metadata.biz_rules),
            ]);
            self.extensions(&metadata.extensions, scope)?;
            self.json.close(b'}');
        }
        if !element.reports.is_empty() {
            self.json.key("sensorReport");
            self.json.open(b'[');
            for report in &element.reports {
                self.json.item();
                self.sensor_report(report, scope)?;
            }
            self.json.close(b']');
        }
        self.extensions(&element.extensions, scope)?;
        self.json.close(b'}');
        Ok(())
    }

    fn sensor_report(
        &mut self,
        report: &SensorReport,
        scope: &[(String, String)],
    ) -> io::Result<()> {
        let json = &mut self.json;
        json.open(b'{');
        json.member_term("type", report.measurement_type.as_ref());
        json.member_term("exception", report.exception.as_ref());
        json.member_options(&[
            ("deviceID", &report.device_id),
            ("deviceMetadata", &report.device_metadata),
            ("rawData", &report.raw_data),
            ("dataProcessingMethod", &report.data_processing_method),
            ("bizRules", &report.biz_rules),
        ]);
        if let Some(time) = &report.time {
            json.member_str("time", &time.to_string());
        }
        json.member_options(&[
            ("microorganism", &report.microorganism),
            ("chemicalSubstance", &report.chemical_substance),
        ]);
        json.member_number("value", report.value)?;
        json.member_term("component", report.component.as_ref());
        json.member_options(&[("stringValue", &report.string_value)]);
        if let Some(flag) = report.boolean_value {
            json.key("booleanValue");
            json.raw(if flag { "true" } else { "false" });
        }
        json.member_options(&[
            ("hexBinaryValue", &report.hex_binary_value),
            ("uriValue", &report.uri_value),
        ]);
        for (name, value) in [
            ("minValue", report.min_value),
            ("maxValue", report.max_value),
            ("meanValue", report.mean_value),
            ("sDev", report.s_dev),
            ("percRank", report.perc_rank),
            ("percValue", report.perc_value),
        ] {
            json.member_number(name, value)?;
        }
        json.member_options(&[
            ("uom", &report.uom),
            (
                "coordinateReferenceSystem",
                &report.coordinate_reference_system,
            ),
        ]);
        self.extensions(&report.extensions, scope)?;
        self.json.close(b'}');
        Ok(())
    }

    /// Writes extension members, grouping repeated names into one array at the place of the
    /// first occurrence.
    fn extensions(
        &mut self,
        extensions: &[Extension],
        scope: &[(String, String)],
    ) -> io::Result<()> {
        for group in group_by_name(extensions) {
            self.name(&group[0].name, false, scope);
            if let [single] = group.as_slice() {
                self.extension_value(single, scope)?;
            } else {
                self.json.open(b'[');
                for extension in group {
                    self.json.item();
                    self.extension_value(extension, scope)?;
                }
                self.json.close(b']');
            }
        }
        Ok(())
    }

    /// Writes one extension's value; XML attributes turn it into the object form.
    fn extension_value(
        &mut self,
        extension: &Extension,
        scope: &[(String, String)],
    ) -> io::Result<()> {
        let mut attributes = extension
            .attributes
            .iter()
            .filter(|(name, _)| !is_xsi_type(name))
            .peekable();
        if attributes.peek().is_none() {
            return self.value(&extension.value, scope);
        }
        self.json.open(b'{');
        for (name, value) in attributes {
            self.name(name, true, scope);
            self.json.string(value);
        }
        match &extension.value {
            ExtValue::Null => {}
            ExtValue::Object(members) if !members.is_empty() => self.extensions(members, scope)?,
            other => {
                self.json.key(TEXT_MEMBER);
                self.value(other, scope)?;
            }
        }
        self.json.close(b'}');
        Ok(())
    }

    fn value(&mut self, value: &ExtValue, scope: &[(String, String)]) -> io::Result<()> {
        match value {
            ExtValue::Text(text) => self.json.string(text),
            ExtValue::Number(lexical) if is_json_number(lexical) => self.json.raw(lexical),
            ExtValue::Number(lexical) => self.json.string(lexical),
            ExtValue::Bool(flag) => self.json.raw(if *flag { "true" } else { "false" }),
            ExtValue::Null => self.json.raw("null"),
            ExtValue::Object(members) => {
                self.json.open(b'{');
                self.extensions(members, scope)?;
                self.json.close(b'}');
            }
            ExtValue::Array(items) => {
                self.json.open(b'[');
                for item in items {
                    self.json.item();
                    self.value(item, scope)?;
                }
                self.json.close(b']');
            }
        }
        Ok(())
    }

    /// Writes `name` as a member name (`@`-prefixed for an XML attribute).
    fn name(&mut self, name: &QName, attribute: bool, scope: &[(String, String)]) {
        let prefix = self.names.prefix_for(&name.namespace, scope);
        self.json.next();
        self.json.buf.push(b'"');
        if attribute {
            self.json.buf.push(b'@');
        }
        if let Some(prefix) = prefix {
            escape_into(&mut self.json.buf, prefix);
            self.json.buf.push(b':');
        } else if !name.namespace.is_empty() {
            // Only reached for a namespace `event_scope` did not see, which cannot happen
            // for names inside the event being written; the absolute IRI keeps the meaning.
            escape_into(&mut self.json.buf, &name.namespace);
        }
        escape_into(&mut self.json.buf, &name.local);
        self.json.buf.extend_from_slice(b"\": ");
    }
}

/// Writes a whole document held in memory.
pub fn write_document(out: impl Write, document: &crate::model::Document) -> io::Result<()> {
    let mut writer = Writer::start(out, &document.header)?;
    for event in &document.events {
        writer.event(event)?;
    }
    writer.finish()?;
    Ok(())
}

/// The context URLs to write: the header's own when it names an EPCIS context, so a document
/// read and written again names the same contexts; otherwise the ratified EPCIS context
/// first, followed by any others the header names.
fn context_urls(header: &Header) -> Vec<&str> {
    let urls = &header.namespaces.context_urls;
    let names_epcis = urls.iter().any(|url| {
        context::known_context(url).is_some_and(|known| {
            matches!(known.kind, ContextKind::Epcis | ContextKind::EpcisSimple)
        })
    });
    let mut out = Vec::with_capacity(urls.len() + 1);
    if !names_epcis {
        out.push(STANDARD_CONTEXT_URL);
    }
    out.extend(urls.iter().map(String::as_str));
    out
}

/// The IRI the contexts the writer names give `prefix`, which the document may not change.
fn reserved_prefix_iri(header: &Header, prefix: &str) -> Option<&'static str> {
    context_urls(header)
        .into_iter()
        .filter_map(context::known_context)
        .find_map(|known| known.prefix_iri(prefix))
        .or_else(|| context::standard_prefix_iri(prefix))
}

fn is_xsi_type(name: &QName) -> bool {
    name.namespace == XSI_NAMESPACE && name.local == "type"
}

/// Extensions grouped by name, in the order of each name's first occurrence.
fn group_by_name(extensions: &[Extension]) -> Vec<Vec<&Extension>> {
    let mut groups: Vec<Vec<&Extension>> = Vec::new();
    let mut index: HashMap<&QName, usize> = HashMap::new();
    for extension in extensions {
        let found = if extensions.len() <= 16 {
            groups
                .iter()
                .position(|group| group[0].name == extension.name)
        } else {
            index.get(&extension.name).copied()
        };
        match found {
            Some(at) => groups[at].push(extension),
            None => {
                index.insert(&extension.name, groups.len());
                groups.push(vec![extension]);
            }
        }
    }
    groups
}

/// True when `text` is a number in JSON's grammar, so it can be written unquoted.
fn is_json_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = usize::from(bytes.first() == Some(&b'-'));
    let digits = |at: &mut usize| {
        let start = *at;
        while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
            *at += 1;
        }
        *at - start
    };
    let integer_start = at;
    if digits(&mut at) == 0 || (bytes[integer_start] == b'0' && at - integer_start > 1) {
        return false;
    }
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        if digits(&mut at) == 0 {
            return false;
        }
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if digits(&mut at) == 0 {
            return false;
        }
    }
    at == bytes.len()
}

/// The prefixes the document's `@context` declares, and the ones invented for namespaces
/// that had none.
struct Prefixes {
    /// Declarations written in the document's `@context`, in order.
    declared: Vec<(String, String)>,
    /// Namespace IRI to prefix, for every namespace that has one in the document context.
    by_iri: HashMap<String, String>,
    /// Prefixes invented for namespaces first seen in events, kept so that each namespace
    /// gets the same prefix in every event.
    invented: HashMap<String, String>,
    next_invented: usize,
}

impl Prefixes {
    /// The declarations for a header: the header's own prefixes (except those that would
    /// redefine a prefix the EPCIS context protects), then invented ones for namespaces the
    /// header's extensions and master data use without a prefix.
    fn for_header(header: &Header) -> Prefixes {
        let mut prefixes = Prefixes {
            declared: Vec::new(),
            by_iri: HashMap::new(),
            invented: HashMap::new(),
            next_invented: 1,
        };
        for namespace in &header.namespaces.prefixes {
            let (prefix, iri) = (&namespace.prefix, &namespace.iri);
            let usable = !prefix.is_empty()
                && !prefix.starts_with('@')
                && !prefix.contains(':')
                && Member::from_name(prefix).is_none()
                && reserved_prefix_iri(header, prefix).is_none_or(|reserved| reserved == iri);
            if usable {
                prefixes.declared.push((prefix.clone(), iri.clone()));
            }
        }
        // A prefix declared twice means what it was declared last.
        for (prefix, iri) in prefixes.declared.iter().rev() {
            let shadowed = prefixes.by_iri.values().any(|taken| taken == prefix);
            if !shadowed {
                prefixes
                    .by_iri
                    .entry(iri.clone())
                    .or_insert_with(|| prefix.clone());
            }
        }
        let mut namespaces = Vec::new();
        collect_namespaces(&header.extensions, &mut namespaces);
        for vocabulary in &header.master_data {
            for element in &vocabulary.elements {
                collect_namespaces(&element.extensions, &mut namespaces);
                for attribute in &element.attributes {
                    collect_value_namespaces(&attribute.value, &mut namespaces);
                }
            }
        }
        for iri in namespaces {
            if prefixes.prefix_for(iri, &[]).is_none() {
                let prefix = prefixes.invent();
                prefixes.declared.push((prefix.clone(), iri.to_owned()));
                prefixes.by_iri.insert(iri.to_owned(), prefix);
            }
        }
        prefixes
    }

    fn invent(&mut self) -> String {
        loop {
            let prefix = format!("ns{}", self.next_invented);
            self.next_invented += 1;
            let taken = self.declared.iter().any(|(name, _)| *name == prefix)
                || context::standard_prefix_iri(&prefix).is_some();
            if !taken {
                return prefix;
            }
        }
    }

    /// The prefix to write for `iri`: the event's own declarations, then the document's,
    /// then the EPCIS contexts' standard prefixes. `None` for the empty namespace.
    fn prefix_for<'a>(&'a self, iri: &str, scope: &'a [(String, String)]) -> Option<&'a str> {
        if iri.is_empty() {
            return None;
        }
        if let Some((prefix, _)) = scope.iter().find(|(_, declared)| declared == iri) {
            return Some(prefix);
        }
        if let Some(prefix) = self.by_iri.get(iri) {
            return Some(prefix);
        }
        context::standard_prefix_for(iri)
            .filter(|prefix| !self.declared.iter().any(|(name, _)| name == prefix))
    }

    /// The declarations an event needs beyond the document's: every namespace its names use
    /// that has no prefix yet.
    fn event_scope(&mut self, event: &Event) -> Vec<(String, String)> {
        let mut namespaces = Vec::new();
        for list in event_extension_lists(event) {
            collect_namespaces(list, &mut namespaces);
        }
        let mut scope: Vec<(String, String)> = Vec::new();
        for iri in namespaces {
            if self.prefix_for(iri, &scope).is_some() {
                continue;
            }
            let prefix = match self.invented.get(iri) {
                Some(prefix) => prefix.clone(),
                None => {
                    let prefix = self.invent();
                    self.invented.insert(iri.to_owned(), prefix.clone());
                    prefix
                }
            };
            scope.push((prefix, iri.to_owned()));
        }
        scope
    }
}

/// Every list of extensions an event holds.
fn event_extension_lists(event: &Event) -> Vec<&[Extension]> {
    let mut lists: Vec<&[Extension]> = vec![&event.extensions];
    if let Some(ilmd) = &event.ilmd {
        lists.push(ilmd);
    }
    if let Some(declaration) = &event.error_declaration {
        lists.push(&declaration.extensions);
    }
    for location in [&event.read_point, &event.biz_location]
        .into_iter()
        .flatten()
    {
        lists.push(&location.extensions);
    }
    for element in &event.sensor_element_list {
        lists.push(&element.extensions);
        if let Some(metadata) = &element.metadata {
            lists.push(&metadata.extensions);
        }
        for report in &element.reports {
            lists.push(&report.extensions);
        }
    }
    lists
}

/// Adds the namespaces used in `extensions` (names, attribute names, nested values) to
/// `out`, each once.
fn collect_namespaces<'a>(extensions: &'a [Extension], out: &mut Vec<&'a str>) {
    for extension in extensions {
        add_namespace(&extension.name.namespace, out);
        for (name, _) in &extension.attributes {
            if !is_xsi_type(name) {
                add_namespace(&name.namespace, out);
            }
        }
        collect_value_namespaces(&extension.value, out);
    }
}

fn collect_value_namespaces<'a>(value: &'a ExtValue, out: &mut Vec<&'a str>) {
    match value {
        ExtValue::Object(members) => collect_namespaces(members, out),
        ExtValue::Array(items) => {
            for item in items {
                collect_value_namespaces(item, out);
            }
        }
        ExtValue::Text(_) | ExtValue::Number(_) | ExtValue::Bool(_) | ExtValue::Null => {}
    }
}

fn add_namespace<'a>(iri: &'a str, out: &mut Vec<&'a str>) {
    if !iri.is_empty() && !out.contains(&iri) {
        out.push(iri);
    }
}

/// Indented JSON text under construction.
#[derive(Default)]
struct Json {
    buf: Vec<u8>,
    /// For each open object or array, whether it has members yet.
    open: Vec<bool>,
}

impl Json {
    fn open(&mut self, bracket: u8) {
        self.buf.push(bracket);
        self.open.push(false);
    }

    fn close(&mut self, bracket: u8) {
        if self.open.pop() == Some(true) {
            self.newline();
        }
        self.buf.push(bracket);
    }

    /// Starts the next member or element of the innermost open object or array.
    fn next(&mut self) {
        if let Some(has_members) = self.open.last_mut() {
            if *has_members {
                self.buf.push(b',');
            }
            *has_members = true;
        }
        self.newline();
    }

    fn item(&mut self) {
        self.next();
    }

    fn newline(&mut self) {
        self.buf.push(b'\n');
        for _ in 0..self.open.len() {
            self.buf.extend_from_slice(b"  ");
        }
    }

    fn key(&mut self, name: &str) {
        self.next();
        self.string(name);
        self.buf.extend_from_slice(b": ");
    }

    fn string(&mut self, text: &str) {
        self.buf.push(b'"');
        escape_into(&mut self.buf, text);
        self.buf.push(b'"');
    }

    fn raw(&mut self, text: &str) {
        self.buf.extend_from_slice(text.as_bytes());
    }

    fn member_str(&mut self, name: &str, value: &str) {
        self.key(name);
        self.string(value);
    }

    /// Writes each member whose value is present.
    fn member_options(&mut self, members: &[(&str, &Option<String>)]) {
        for (name, value) in members {
            if let Some(value) = value {
                self.member_str(name, value);
            }
        }
    }

    fn member_strings(&mut self, name: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        self.key(name);
        self.open(b'[');
        for value in values {
            self.item();
            self.string(value);
        }
        self.close(b']');
    }

    fn member_term(&mut self, name: &str, term: Option<&Term>) {
        if let Some(term) = term {
            self.member_str(name, term.json_form());
        }
    }

    fn member_terms(&mut self, name: &str, terms: &[Term]) {
        if terms.is_empty() {
            return;
        }
        self.key(name);
        self.open(b'[');
        for term in terms {
            self.item();
            self.string(term.json_form());
        }
        self.close(b']');
    }

    fn member_number(&mut self, name: &str, value: Option<f64>) -> io::Result<()> {
        if let Some(value) = value {
            self.key(name);
            self.number(value)?;
        }
        Ok(())
    }

    /// Writes a double in the shortest form that reads back as the same value, without a
    /// fraction for whole numbers (`200`, `26.2`, `1e-7`).
    fn number(&mut self, value: f64) -> io::Result<()> {
        if !value.is_finite() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{value} cannot be written in JSON"),
            ));
        }
        let magnitude = value.abs();
        let text = if magnitude != 0.0 && !(1e-5..1e17).contains(&magnitude) {
            format!("{value:e}")
        } else {
            format!("{value}")
        };
        self.raw(&text);
        Ok(())
    }

    fn quantities(&mut self, name: &str, quantities: &[QuantityElement]) -> io::Result<()> {
        if quantities.is_empty() {
            return Ok(());
        }
        self.key(name);
        self.open(b'[');
        for quantity in quantities {
            self.item();
            self.open(b'{');
            self.member_str("epcClass", &quantity.epc_class);
            self.member_number("quantity", quantity.quantity)?;
            if let Some(uom) = &quantity.uom {
                self.member_str("uom", uom);
            }
            self.close(b'}');
        }
        self.close(b']');
        Ok(())
    }

    fn source_dest(&mut self, name: &str, id_name: &str, list: &[SourceDest]) {
        if list.is_empty() {
            return;
        }
        self.key(name);
        self.open(b'[');
        for entry in list {
            self.item();
            self.open(b'{');
            self.member_str("type", entry.kind.json_form());
            self.member_str(id_name, &entry.id);
            self.close(b'}');
        }
        self.close(b']');
    }
}

/// Appends `text` with JSON string escapes.
fn escape_into(buf: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (at, byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..at]);
        if escape.is_empty() {
            let _ = write!(buf, "\\u{:04x}", byte);
        } else {
            buf.extend_from_slice(escape);
        }
        start = at + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_recognised_by_json_grammar() {
        for good in ["0", "-1", "20.0", "1e21", "1.5E-7", "123"] {
            assert!(is_json_number(good), "{good}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "NaN", "0x10", "1 "] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn strings_are_escaped() {
        let mut buf = Vec::new();
        escape_into(&mut buf, "a\"b\\c\n\u{1}é");
        assert_eq!(String::from_utf8(buf).unwrap(), "a\\\"b\\\\c\\n\\u0001é");
    }

    #[test]
    fn doubles_are_written_briefly() {
        let mut json = Json::default();
        for value in [200.0, 26.2, 0.1, 1e-7, 1e300, -3.5] {
            json.number(value).unwrap();
            json.raw(" ");
        }
        assert_eq!(
            String::from_utf8(json.buf).unwrap(),
            "200 26.2 0.1 1e-7 1e300 -3.5 "
        );
        assert!(Json::default().number(f64::NAN).is_err());
    }
}

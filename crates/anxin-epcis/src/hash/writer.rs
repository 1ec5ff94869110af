//! The walk over an event that writes its pre-hash string.
//!
//! The string has two parts, as in the reference implementation:
//!
//! 1. The standard fields in canonical order: `eventType`, `eventTime`,
//!    `eventTimeZoneOffset`, `certificationInfo`, `parentID`, `epcList`, `inputEPCList`,
//!    `childEPCs`, `quantityList`, `childQuantityList`, `inputQuantityList`,
//!    `outputEPCList`, `outputQuantityList`, `action`, `transformationID`, `bizStep`,
//!    `disposition`, `persistentDisposition`, `readPoint`, `bizLocation`,
//!    `sensorElementList`. Repeated elements of one name are sorted among themselves.
//! 2. Everything else, each written as `name` + `=value` + its children, sorted as strings:
//!    `bizTransactionList`, `sourceList`, `destinationList` and `ilmd` (the reference's order
//!    table names the first three, but its matcher never finds them, so they land here), the
//!    user extensions of the event, extensions of read points, business locations and
//!    sensor elements that could not be placed inside their element (see [`Container`]), and
//!    the `bizRules` of sensor reports, which the reference's order for reports leaves out.
//!
//! `eventID`, `recordTime` and `errorDeclaration` (with everything inside it) are not part of
//! the string. Nothing is separated: names and values follow each other directly.
//!
//! This module decides order and structure only; each value's canonical form comes from
//! [`super::canon`].

use std::borrow::Cow;

use crate::cbv::{CBV_WEB_PREFIX, GS1_VOC_PREFIX, Term, Vocabulary};
use crate::ext::{ExtValue, Extension, QName, XSI_NAMESPACE};
use crate::model::{
    BizTransaction, Event, Location, PersistentDisposition, QuantityElement, SensorElement,
    SensorMetadata, SensorReport, SourceDest,
};

use super::canon::{
    Scratch, push_field, push_number_field, push_offset_field, push_time_field, push_value,
    python_strip,
};

/// Buffers reused from event to event.
#[derive(Default, Debug)]
pub(crate) struct Writer {
    /// The pre-hash string being written.
    pub(crate) out: String,
    /// A copy of a group of siblings while they are written back in sorted order.
    sorted: String,
    /// Start and end of each sibling written so far, for every group still open.
    siblings: Vec<(usize, usize)>,
    /// Scratch space for canonicalising values.
    scratch: Scratch,
}

/// An open group of siblings that will be sorted when closed.
#[derive(Clone, Copy)]
struct Group {
    /// Where the group's first sibling starts in the output.
    start: usize,
    /// Where the group's siblings start in `Writer::siblings`.
    first_sibling: usize,
}

/// Where the extensions of a standard element go.
///
/// The reference writes the extensions of a read point, business location, sensor element,
/// sensor metadata or sensor report inside that element only when the element has more than
/// one child, no child's name contains `eventTime` or `action`, and the extension's
/// namespace ends in `/`. The others stay behind and are written after the standard fields,
/// under the element's name.
#[derive(Clone, Copy)]
struct Container {
    /// True when extensions with a namespace ending in `/` are written inside the element.
    inline_allowed: bool,
}

impl Container {
    /// Decides for an element with `n_standard` standard children and these extensions.
    fn new(n_standard: usize, extensions: &[Extension]) -> Container {
        let n_children = n_standard + extensions.iter().map(n_nodes).sum::<usize>();
        let blocked = extensions
            .iter()
            .filter(|extension| n_nodes(extension) > 0)
            .any(|extension| {
                name_contains(&extension.name, "eventTime")
                    || name_contains(&extension.name, "action")
            });
        Container {
            inline_allowed: n_children > 1 && !blocked,
        }
    }

    /// True when `extension` is written inside its element.
    fn is_inline(self, extension: &Extension) -> bool {
        self.inline_allowed && extension.name.namespace.ends_with('/')
    }

    /// True when some extension of the element is written after the standard fields.
    fn has_leftovers(self, extensions: &[Extension]) -> bool {
        extensions
            .iter()
            .any(|extension| n_nodes(extension) > 0 && !self.is_inline(extension))
    }
}

/// How many children an extension makes: a JSON array one per item, a comment none,
/// anything else one.
fn n_nodes(extension: &Extension) -> usize {
    match &extension.value {
        _ if is_comment(&extension.name) => 0,
        ExtValue::Array(items) => items.len(),
        _ => 1,
    }
}

/// True when the expanded name `{namespace}local` contains `needle`.
///
/// Looking at the two parts separately is enough: a needle without braces cannot straddle
/// the `}` between them.
fn name_contains(name: &QName, needle: &str) -> bool {
    name.namespace.contains(needle) || name.local.contains(needle)
}

/// Counts the standard fields that are present.
fn count_present<const N: usize>(present: [bool; N]) -> usize {
    present.into_iter().filter(|is_present| *is_present).count()
}

impl Writer {
    /// Writes the whole pre-hash string of `event` into `self.out`.
    pub(crate) fn write_event(&mut self, event: &Event) {
        self.out.clear();
        self.siblings.clear();
        self.out.push_str("eventType=");
        self.out.push_str(event.event_type.name());
        self.write_standard_fields(event);
        self.write_rest(event);
    }

    /// Part 1: the fields with a place in the canonical order.
    fn write_standard_fields(&mut self, event: &Event) {
        push_time_field(&mut self.out, "eventTime", &event.event_time);
        push_offset_field(&mut self.out, event.event_time_zone_offset);
        let group = self.open();
        for certification in &event.certification_info {
            let start = self.out.len();
            push_field(
                &mut self.out,
                &mut self.scratch,
                "certificationInfo",
                certification,
            );
            self.close_sibling(start);
        }
        self.close(group, true);
        if let Some(parent_id) = &event.parent_id {
            push_field(&mut self.out, &mut self.scratch, "parentID", parent_id);
        }
        self.write_epc_list("epcList", &event.epc_list);
        self.write_epc_list("inputEPCList", &event.input_epc_list);
        self.write_epc_list("childEPCs", &event.child_epcs);
        self.write_quantity_list("quantityList", &event.quantity_list);
        self.write_quantity_list("childQuantityList", &event.child_quantity_list);
        self.write_quantity_list("inputQuantityList", &event.input_quantity_list);
        self.write_epc_list("outputEPCList", &event.output_epc_list);
        self.write_quantity_list("outputQuantityList", &event.output_quantity_list);
        if let Some(action) = event.action {
            push_field(&mut self.out, &mut self.scratch, "action", action.as_str());
        }
        if let Some(transformation_id) = &event.transformation_id {
            push_field(
                &mut self.out,
                &mut self.scratch,
                "transformationID",
                transformation_id,
            );
        }
        if let Some(biz_step) = &event.biz_step {
            self.write_term("bizStep", biz_step, Vocabulary::BizStep);
        }
        if let Some(disposition) = &event.disposition {
            self.write_term("disposition", disposition, Vocabulary::Disposition);
        }
        if let Some(persistent) = &event.persistent_disposition {
            self.write_persistent_disposition(persistent);
        }
        if let Some(read_point) = &event.read_point {
            self.write_location("readPoint", read_point);
        }
        if let Some(biz_location) = &event.biz_location {
            self.write_location("bizLocation", biz_location);
        }
        self.write_sensor_element_list(&event.sensor_element_list);
    }

    /// Part 2: everything without a place in the canonical order, sorted as strings.
    fn write_rest(&mut self, event: &Event) {
        let group = self.open();
        self.write_biz_transactions(&event.biz_transaction_list);
        self.write_sources_or_destinations("sourceList", "source", &event.source_list);
        self.write_sources_or_destinations(
            "destinationList",
            "destination",
            &event.destination_list,
        );
        if let Some(ilmd) = &event.ilmd {
            let start = self.out.len();
            self.out.push_str("ilmd");
            self.write_extension_group(ilmd.iter());
            self.close_sibling(start);
        }
        for extension in &event.extensions {
            self.write_extension(extension);
        }
        for (name, location) in [
            ("readPoint", &event.read_point),
            ("bizLocation", &event.biz_location),
        ] {
            if let Some(location) = location {
                self.write_location_leftovers(name, location);
            }
        }
        self.write_sensor_leftovers(&event.sensor_element_list);
        let sort = !event
            .extensions
            .iter()
            .any(|extension| is_unsorted_name(&extension.name));
        self.close(group, sort);
    }

    /// Starts a group of siblings.
    fn open(&self) -> Group {
        Group {
            start: self.out.len(),
            first_sibling: self.siblings.len(),
        }
    }

    /// Records the sibling written since `start`, unless nothing was written.
    fn close_sibling(&mut self, start: usize) {
        if self.out.len() > start {
            self.siblings.push((start, self.out.len()));
        }
    }

    /// Ends a group: sorts its siblings by code point when `sort` is true and writes them
    /// back in that order. Siblings always lie back to back from the group's start.
    fn close(&mut self, group: Group, sort: bool) {
        let Writer {
            out,
            sorted,
            siblings,
            ..
        } = self;
        let mine = &mut siblings[group.first_sibling..];
        if sort && mine.len() > 1 {
            mine.sort_unstable_by(|left, right| {
                out.as_bytes()[left.0..left.1].cmp(&out.as_bytes()[right.0..right.1])
            });
            sorted.clear();
            sorted.push_str(&out[group.start..]);
            out.truncate(group.start);
            for (start, end) in mine.iter() {
                out.push_str(&sorted[start - group.start..end - group.start]);
            }
        }
        siblings.truncate(group.first_sibling);
    }

    /// Writes `name` followed by the sorted `epc=…` of each EPC, or nothing for no EPCs.
    fn write_epc_list(&mut self, name: &str, epcs: &[String]) {
        let start = self.out.len();
        self.out.push_str(name);
        let after_name = self.out.len();
        let group = self.open();
        for epc in epcs {
            let sibling = self.out.len();
            push_field(&mut self.out, &mut self.scratch, "epc", epc);
            self.close_sibling(sibling);
        }
        self.close(group, true);
        if self.out.len() == after_name {
            self.out.truncate(start);
        }
    }

    /// Writes a quantity list: `name` and the sorted `quantityElement…` of each element.
    fn write_quantity_list(&mut self, name: &str, elements: &[QuantityElement]) {
        let start = self.out.len();
        self.out.push_str(name);
        let after_name = self.out.len();
        let group = self.open();
        for element in elements {
            let sibling = self.out.len();
            self.out.push_str("quantityElement");
            let after_element_name = self.out.len();
            push_field(
                &mut self.out,
                &mut self.scratch,
                "epcClass",
                &element.epc_class,
            );
            if let Some(quantity) = element.quantity {
                push_number_field(&mut self.out, "quantity", quantity);
            }
            if let Some(uom) = &element.uom {
                push_field(&mut self.out, &mut self.scratch, "uom", uom);
            }
            if self.out.len() == after_element_name {
                self.out.truncate(sibling);
            }
            self.close_sibling(sibling);
        }
        self.close(group, true);
        if self.out.len() == after_name {
            self.out.truncate(start);
        }
    }

    /// Writes `name=` and the web URI of a CBV term (or the term as written, canonicalised,
    /// when it is not a standard word).
    fn write_term(&mut self, name: &str, term: &Term, vocabulary: Vocabulary) {
        match term {
            Term::Standard(word) => {
                self.out.push_str(name);
                self.out.push('=');
                self.out.push_str(vocabulary.web_prefix());
                self.out.push_str(word);
            }
            Term::Other(text) => {
                let text = expand_curie(text);
                push_field(&mut self.out, &mut self.scratch, name, &text);
            }
        }
    }

    /// Writes `persistentDisposition` with its sorted `set=…` and then its sorted `unset=…`.
    fn write_persistent_disposition(&mut self, persistent: &PersistentDisposition) {
        let start = self.out.len();
        self.out.push_str("persistentDisposition");
        let after_name = self.out.len();
        for (name, terms) in [("set", &persistent.set), ("unset", &persistent.unset)] {
            let group = self.open();
            for term in terms {
                let sibling = self.out.len();
                self.write_term(name, term, Vocabulary::Disposition);
                self.close_sibling(sibling);
            }
            self.close(group, true);
        }
        if self.out.len() == after_name {
            self.out.truncate(start);
        }
    }

    /// Writes a read point or business location with the extensions that go inside it.
    fn write_location(&mut self, name: &str, location: &Location) {
        let container = Container::new(1, &location.extensions);
        let start = self.out.len();
        self.out.push_str(name);
        let after_name = self.out.len();
        push_field(&mut self.out, &mut self.scratch, "id", &location.id);
        self.write_inline_extensions(container, &location.extensions);
        if self.out.len() == after_name {
            self.out.truncate(start);
        }
    }

    /// Writes, as one sorted run, the extensions of `container` that go inside it.
    fn write_inline_extensions(&mut self, container: Container, extensions: &[Extension]) {
        let inline = || {
            extensions
                .iter()
                .filter(move |extension| container.is_inline(extension))
        };
        if inline().next().is_some() {
            self.write_extension_group(inline());
        }
    }

    /// Writes `sensorElementList` and each sensor element, sorted.
    fn write_sensor_element_list(&mut self, elements: &[SensorElement]) {
        let start = self.out.len();
        self.out.push_str("sensorElementList");
        let after_name = self.out.len();
        let group = self.open();
        for element in elements {
            let sibling = self.out.len();
            self.write_sensor_element(element);
            self.close_sibling(sibling);
        }
        self.close(group, true);
        if self.out.len() == after_name {
            self.out.truncate(start);
        }
    }

    /// Writes one sensor element: its metadata, its sorted reports, its inline extensions.
    fn write_sensor_element(&mut self, element: &SensorElement) {
        let n_standard = usize::from(element.metadata.is_some()) + element.reports.len();
        let container = Container::new(n_standard, &element.extensions);
        let start = self.out.len();
        self.out.push_str("sensorElement");
        let after_name = self.out.len();
        if let Some(metadata) = &element.metadata {
            self.write_sensor_metadata(metadata);
        }
        let group = self.open();
        for report in &element.reports {
            let sibling = self.out.len();
            self.write_sensor_report(report);
            self.close_sibling(sibling);
        }
        self.close(group, true);
        self.write_inline_extensions(container, &element.extensions);
        if self.out.len() == after_name {
            self.out.truncate(start);
        }
    }

    /// Writes `sensorMetadata` and its fields in canonical order.
    fn write_sensor_metadata(&mut self, metadata: &SensorMetadata) {
        let container = Container::new(count_metadata_fields(metadata), &metadata.extensions);
        let start = self.out.len();
        self.out.push_str("sensorMetadata");
        let after_name = self.out.len();
        for (name, time) in [
            ("time", &metadata.time),
            ("startTime", &metadata.start_time),
            ("endTime", &metadata.end_time),
        ] {
            if let Some(time) = time {
                push_time_field(&mut self.out, name, time);
            }
        }
        for (name, text) in [
            ("deviceID", &metadata.device_id),
            ("deviceMetadata", &metadata.device_metadata),
            ("rawData", &metadata.raw_data),
            ("dataProcessingMethod", &metadata.data_processing_method),
            ("bizRules", &metadata.biz_rules),
        ] {
            if let Some(text) = text {
                push_field(&mut self.out, &mut self.scratch, name, text);
            }
        }
        self.write_inline_extensions(container, &metadata.extensions);
        if self.out.len() == after_name {
            self.out.truncate(start);
        }
    }

    /// Writes `sensorReport` and its fields in canonical order.
    fn write_sensor_report(&mut self, report: &SensorReport) {
        let container = Container::new(count_report_fields(report), &report.extensions);
        let start = self.out.len();
        self.out.push_str("sensorReport");
        let after_name = self.out.len();
        if let Some(measurement_type) = &report.measurement_type {
            self.write_term("type", measurement_type, Vocabulary::MeasurementType);
        }
        if let Some(exception) = &report.exception {
            self.write_term("exception", exception, Vocabulary::SensorAlertType);
        }
        for (name, text) in [
            ("deviceID", &report.device_id),
            ("deviceMetadata", &report.device_metadata),
            ("rawData", &report.raw_data),
            ("dataProcessingMethod", &report.data_processing_method),
        ] {
            self.write_optional_text(name, text.as_deref());
        }
        if let Some(time) = &report.time {
            push_time_field(&mut self.out, "time", time);
        }
        self.write_optional_text("microorganism", report.microorganism.as_deref());
        self.write_optional_text("chemicalSubstance", report.chemical_substance.as_deref());
        self.write_optional_number("value", report.value);
        if let Some(component) = &report.component {
            self.write_term("component", component, Vocabulary::Component);
        }
        self.write_optional_text("stringValue", report.string_value.as_deref());
        if let Some(flag) = report.boolean_value {
            self.out.push_str(if flag {
                "booleanValue=true"
            } else {
                "booleanValue=false"
            });
        }
        self.write_optional_text("hexBinaryValue", report.hex_binary_value.as_deref());
        self.write_optional_text("uriValue", report.uri_value.as_deref());
        for (name, value) in [
            ("minValue", report.min_value),
            ("maxValue", report.max_value),
            ("meanValue", report.mean_value),
            ("sDev", report.s_dev),
            ("percRank", report.perc_rank),
            ("percValue", report.perc_value),
        ] {
            self.write_optional_number(name, value);
        }
        self.write_optional_text("uom", report.uom.as_deref());
        self.write_optional_text(
            "coordinateReferenceSystem",
            report.coordinate_reference_system.as_deref(),
        );
        self.write_inline_extensions(container, &report.extensions);
        if self.out.len() == after_name {
            self.out.truncate(start);
        }
    }

    fn write_optional_text(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            push_field(&mut self.out, &mut self.scratch, name, text);
        }
    }

    fn write_optional_number(&mut self, name: &str, value: Option<f64>) {
        if let Some(value) = value {
            push_number_field(&mut self.out, name, value);
        }
    }

    /// Writes `bizTransactionList` and its sorted `type=…bizTransaction=…` pairs.
    ///
    /// A transaction without a type is written as `bizTransaction=…` alone; the reference
    /// cannot hash such an event at all.
    fn write_biz_transactions(&mut self, transactions: &[BizTransaction]) {
        if transactions.is_empty() {
            return;
        }
        let start = self.out.len();
        self.out.push_str("bizTransactionList");
        let group = self.open();
        for transaction in transactions {
            let sibling = self.out.len();
            if let Some(transaction_type) = &transaction.transaction_type {
                self.write_pair_type(transaction_type, Vocabulary::BizTransactionType);
            }
            self.write_generic_leaf("bizTransaction", &transaction.id);
            self.close_sibling(sibling);
        }
        self.close(group, true);
        self.close_sibling(start);
    }

    /// Writes `sourceList` or `destinationList` and its sorted `type=…source=…` pairs.
    fn write_sources_or_destinations(&mut self, list_name: &str, name: &str, list: &[SourceDest]) {
        if list.is_empty() {
            return;
        }
        let start = self.out.len();
        self.out.push_str(list_name);
        let group = self.open();
        for entry in list {
            let sibling = self.out.len();
            self.write_pair_type(&entry.kind, Vocabulary::SourceDestType);
            self.write_generic_leaf(name, &entry.id);
            self.close_sibling(sibling);
        }
        self.close(group, true);
        self.close_sibling(start);
    }

    /// Writes the `type` half of a transaction, source or destination pair.
    fn write_pair_type(&mut self, term: &Term, vocabulary: Vocabulary) {
        match term {
            Term::Standard(_) => self.write_term("type", term, vocabulary),
            Term::Other(text) => self.write_generic_leaf("type", &expand_curie(text)),
        }
    }

    /// Writes `name` and, unless the value is empty, `=value`: how the reference writes a
    /// value outside the canonical order, where an empty value still leaves its name.
    fn write_generic_leaf(&mut self, name: &str, text: &str) {
        self.out.push_str(name);
        let mark = self.out.len();
        self.out.push('=');
        if !push_value(&mut self.out, &mut self.scratch, text) {
            self.out.truncate(mark);
        }
    }

    /// Writes extensions as one run of siblings, sorted unless one of them is named
    /// `bizTransaction`, `source` or `destination` (the reference keeps those in order).
    fn write_extension_group<'a>(
        &mut self,
        extensions: impl Iterator<Item = &'a Extension> + Clone,
    ) {
        let sort = !extensions
            .clone()
            .any(|extension| is_unsorted_name(&extension.name));
        let group = self.open();
        for extension in extensions {
            self.write_extension(extension);
        }
        self.close(group, sort);
    }

    /// Writes one extension as siblings of the current group: one per item of a JSON array,
    /// one otherwise; nothing for a comment.
    fn write_extension(&mut self, extension: &Extension) {
        if is_comment(&extension.name) {
            return;
        }
        match &extension.value {
            ExtValue::Array(items) => {
                for item in items {
                    self.write_node(&extension.name, item, &extension.attributes);
                }
            }
            value => self.write_node(&extension.name, value, &extension.attributes),
        }
    }

    /// Writes one node: its name, `=value` for a non-empty scalar, and its children (XML
    /// attributes and nested fields) sorted.
    fn write_node(&mut self, name: &QName, value: &ExtValue, attributes: &[(QName, String)]) {
        let start = self.out.len();
        push_name(&mut self.out, name);
        match value {
            ExtValue::Text(text) | ExtValue::Number(text) => {
                let mark = self.out.len();
                self.out.push('=');
                if !push_value(&mut self.out, &mut self.scratch, text) {
                    self.out.truncate(mark);
                }
            }
            ExtValue::Bool(flag) => self.out.push_str(if *flag { "=true" } else { "=false" }),
            ExtValue::Null | ExtValue::Object(_) | ExtValue::Array(_) => {}
        }
        let attributes = attributes
            .iter()
            .filter(|(attribute, _)| !is_xsi_type(attribute));
        let members: &[Extension] = match value {
            ExtValue::Object(members) => members,
            _ => &[],
        };
        let sort = !attributes
            .clone()
            .any(|(attribute, _)| is_unsorted_name(attribute))
            && !members.iter().any(|member| is_unsorted_name(&member.name));
        let group = self.open();
        for (attribute, text) in attributes {
            let sibling = self.out.len();
            push_name(&mut self.out, attribute);
            let mark = self.out.len();
            self.out.push('=');
            if !push_value(&mut self.out, &mut self.scratch, text) {
                self.out.truncate(mark);
            }
            self.close_sibling(sibling);
        }
        for member in members {
            self.write_extension(member);
        }
        if let ExtValue::Array(items) = value {
            // An array inside an array: its items are nameless children.
            let nameless = QName::new("", "");
            for item in items {
                self.write_node(&nameless, item, &[]);
            }
        }
        self.close(group, sort);
        self.close_sibling(start);
    }

    /// Writes `readPoint` (or `bizLocation`) with the extensions that could not go inside it.
    fn write_location_leftovers(&mut self, name: &str, location: &Location) {
        let container = Container::new(1, &location.extensions);
        if !container.has_leftovers(&location.extensions) {
            return;
        }
        let start = self.out.len();
        self.out.push_str(name);
        self.write_extension_group(
            location
                .extensions
                .iter()
                .filter(|extension| !container.is_inline(extension)),
        );
        self.close_sibling(start);
    }

    /// Writes `sensorElementList` with whatever of its elements could not be placed inside
    /// them: extensions of elements, of their metadata and of their reports.
    fn write_sensor_leftovers(&mut self, elements: &[SensorElement]) {
        if !elements.iter().any(sensor_element_has_leftovers) {
            return;
        }
        let start = self.out.len();
        self.out.push_str("sensorElementList");
        let group = self.open();
        for element in elements
            .iter()
            .filter(|element| sensor_element_has_leftovers(element))
        {
            let sibling = self.out.len();
            self.out.push_str("sensorElement");
            self.write_sensor_element_leftovers(element);
            self.close_sibling(sibling);
        }
        self.close(group, true);
        self.close_sibling(start);
    }

    /// Writes the leftovers of one sensor element as a sorted run of siblings.
    fn write_sensor_element_leftovers(&mut self, element: &SensorElement) {
        let n_standard = usize::from(element.metadata.is_some()) + element.reports.len();
        let container = Container::new(n_standard, &element.extensions);
        let leftovers = element
            .extensions
            .iter()
            .filter(|extension| !container.is_inline(extension));
        let sort = !leftovers
            .clone()
            .any(|extension| is_unsorted_name(&extension.name));
        let group = self.open();
        if let Some(metadata) = &element.metadata {
            let metadata_container =
                Container::new(count_metadata_fields(metadata), &metadata.extensions);
            self.write_leftover_child("sensorMetadata", metadata_container, &metadata.extensions);
        }
        for report in &element.reports {
            self.write_report_leftovers(report);
        }
        for extension in leftovers {
            self.write_extension(extension);
        }
        self.close(group, sort);
    }

    /// Writes `sensorReport` with what was not written inside it: extensions that could not
    /// go there and `bizRules`, which the reference's order for reports does not list, so it
    /// always stays behind.
    fn write_report_leftovers(&mut self, report: &SensorReport) {
        if !report_has_leftovers(report) {
            return;
        }
        let container = Container::new(count_report_fields(report), &report.extensions);
        let leftovers = report
            .extensions
            .iter()
            .filter(|extension| !container.is_inline(extension));
        let sort = !leftovers
            .clone()
            .any(|extension| is_unsorted_name(&extension.name));
        let start = self.out.len();
        self.out.push_str("sensorReport");
        let group = self.open();
        if let Some(biz_rules) = &report.biz_rules {
            let sibling = self.out.len();
            self.write_generic_leaf("bizRules", biz_rules);
            self.close_sibling(sibling);
        }
        for extension in leftovers {
            self.write_extension(extension);
        }
        self.close(group, sort);
        self.close_sibling(start);
    }

    /// Writes `name` and the extensions of a metadata element that were not written inside
    /// it, as one sibling; nothing when all were.
    fn write_leftover_child(&mut self, name: &str, container: Container, extensions: &[Extension]) {
        if !container.has_leftovers(extensions) {
            return;
        }
        let start = self.out.len();
        self.out.push_str(name);
        self.write_extension_group(
            extensions
                .iter()
                .filter(|extension| !container.is_inline(extension)),
        );
        self.close_sibling(start);
    }
}

/// True when some extension in or under `element` is written after the standard fields.
fn sensor_element_has_leftovers(element: &SensorElement) -> bool {
    let n_standard = usize::from(element.metadata.is_some()) + element.reports.len();
    Container::new(n_standard, &element.extensions).has_leftovers(&element.extensions)
        || element.metadata.as_ref().is_some_and(|metadata| {
            Container::new(count_metadata_fields(metadata), &metadata.extensions)
                .has_leftovers(&metadata.extensions)
        })
        || element.reports.iter().any(report_has_leftovers)
}

/// True when something of `report` is written after the standard fields.
fn report_has_leftovers(report: &SensorReport) -> bool {
    report.biz_rules.is_some()
        || Container::new(count_report_fields(report), &report.extensions)
            .has_leftovers(&report.extensions)
}

/// How many standard fields a sensor metadata element carries.
fn count_metadata_fields(metadata: &SensorMetadata) -> usize {
    count_present([
        metadata.time.is_some(),
        metadata.start_time.is_some(),
        metadata.end_time.is_some(),
        metadata.device_id.is_some(),
        metadata.device_metadata.is_some(),
        metadata.raw_data.is_some(),
        metadata.data_processing_method.is_some(),
        metadata.biz_rules.is_some(),
    ])
}

/// How many standard fields a sensor report carries.
fn count_report_fields(report: &SensorReport) -> usize {
    count_present([
        report.measurement_type.is_some(),
        report.exception.is_some(),
        report.device_id.is_some(),
        report.device_metadata.is_some(),
        report.raw_data.is_some(),
        report.data_processing_method.is_some(),
        report.biz_rules.is_some(),
        report.time.is_some(),
        report.microorganism.is_some(),
        report.chemical_substance.is_some(),
        report.value.is_some(),
        report.component.is_some(),
        report.string_value.is_some(),
        report.boolean_value.is_some(),
        report.hex_binary_value.is_some(),
        report.uri_value.is_some(),
        report.min_value.is_some(),
        report.max_value.is_some(),
        report.mean_value.is_some(),
        report.s_dev.is_some(),
        report.perc_rank.is_some(),
        report.perc_value.is_some(),
        report.uom.is_some(),
        report.coordinate_reference_system.is_some(),
    ])
}

/// Expands the two CURIE prefixes the standard EPCIS context gives CBV vocabulary fields:
/// `cbv:` (`cbv:Comp-longitude`) and `gs1:` (`gs1:EffectiveDoseRate`).
///
/// A term in one of those fields is an IRI, so the CURIE and the full URI are the same term;
/// the reference expands both prefixes in XML, which is where they are written.
fn expand_curie(text: &str) -> Cow<'_, str> {
    let text = python_strip(text);
    if let Some(rest) = text.strip_prefix("cbv:") {
        Cow::Owned(format!("{CBV_WEB_PREFIX}{rest}"))
    } else if let Some(rest) = text.strip_prefix("gs1:") {
        Cow::Owned(format!("{GS1_VOC_PREFIX}{rest}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes a name as the reference spells it: `{namespace}local`, or `local` alone when the
/// name has no namespace.
fn push_name(out: &mut String, name: &QName) {
    if !name.namespace.is_empty() {
        out.push('{');
        out.push_str(&name.namespace);
        out.push('}');
    }
    out.push_str(&name.local);
}

/// True for `rdfs:comment` (and a bare `comment`), which the reference leaves out of the
/// string at any depth: a comment is about the event, not part of it.
fn is_comment(name: &QName) -> bool {
    name.local == "comment" && (name.namespace.is_empty() || name.namespace == RDFS_NAMESPACE)
}

/// The RDF Schema namespace, whose `comment` JSON-LD documents use for remarks.
const RDFS_NAMESPACE: &str = "http://www.w3.org/2000/01/rdf-schema#";

/// True for the three names whose presence stops the reference from sorting siblings.
fn is_unsorted_name(name: &QName) -> bool {
    name.namespace.is_empty()
        && matches!(
            name.local.as_str(),
            "bizTransaction" | "source" | "destination"
        )
}

/// True for `xsi:type`, an XML annotation of the value's type, not part of the value.
fn is_xsi_type(name: &QName) -> bool {
    name.namespace == XSI_NAMESPACE && name.local == "type"
}

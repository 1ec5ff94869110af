//! Validation beyond the JSON Schema: what each event type and action requires, CBV words,
//! identifier forms and check digits, quantities and units, sensor readings, extension
//! namespaces.
//!
//! The readers have already checked what the syntax alone can say (well-formed timestamps,
//! numbers where numbers belong, declared prefixes). This module checks the rules of EPCIS 2.0
//! §7 and CBV 2.0 on the model, so the same rules apply whichever syntax an event came in,
//! and to events built in code. Each problem names the field path inside the event; the
//! reader's [`crate::Origin`] turns that into a JSON pointer or an XML line and column.
//!
//! It does not check things that need other events or master data (that an aggregation's
//! parent exists, that a location belongs to the capturing party): the repository does that.

use std::fmt;

use crate::cbv::{Term, Vocabulary};
use crate::error::FieldProblem;
use crate::ext::Extension;
use crate::model::{Action, Event, EventType, Header, QuantityElement, SensorReport};

/// The namespace of EPCIS 2.0 XML elements, which no user extension may use.
pub const EPCIS_NAMESPACE: &str = "urn:epcglobal:epcis:xsd:2";

/// Checks one event and returns every problem found, in field order. An empty list means
/// the event is valid.
pub fn check_event(event: &Event) -> Vec<FieldProblem> {
    let mut check = Check::default();
    check_shape(event, &mut check);
    check_identifiers(event, &mut check);
    check_terms(event, &mut check);
    check_quantities("quantityList", &event.quantity_list, &mut check);
    check_quantities("childQuantityList", &event.child_quantity_list, &mut check);
    check_quantities("inputQuantityList", &event.input_quantity_list, &mut check);
    check_quantities(
        "outputQuantityList",
        &event.output_quantity_list,
        &mut check,
    );
    check_sensors(event, &mut check);
    check_extensions(&"", &event.extensions, &mut check);
    if let Some(ilmd) = &event.ilmd {
        check_extensions(&"ilmd/", ilmd, &mut check);
    }
    check.problems
}

/// Checks a document header: its schema version and master-data identifiers.
pub fn check_header(header: &Header) -> Vec<FieldProblem> {
    let mut check = Check::default();
    let version = header.schema_version.trim();
    if !(version == "2.0" || version.starts_with("2.0.")) {
        check.problem(
            "schemaVersion",
            format!("schemaVersion is `{version}`; this platform reads EPCIS 2.0 documents (2.0)"),
        );
    }
    for (vocabulary_index, vocabulary) in header.master_data.iter().enumerate() {
        if !looks_like_uri(&vocabulary.vocabulary_type) {
            check.problem(
                format!("epcisHeader/epcisMasterData/vocabularyList/{vocabulary_index}/type"),
                format!(
                    "vocabulary type `{}` is not a URI (expected e.g. urn:epcglobal:epcis:vtype:BusinessLocation)",
                    vocabulary.vocabulary_type
                ),
            );
        }
        for (element_index, element) in vocabulary.elements.iter().enumerate() {
            if !looks_like_uri(&element.id) {
                check.problem(
                    format!(
                        "epcisHeader/epcisMasterData/vocabularyList/{vocabulary_index}/vocabularyElementList/{element_index}/id"
                    ),
                    format!("master-data element id `{}` is not a URI", element.id),
                );
            }
        }
    }
    check.problems
}

#[derive(Default)]
struct Check {
    problems: Vec<FieldProblem>,
}

impl Check {
    fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(FieldProblem {
            path: path.into(),
            message: message.into(),
        });
    }

    fn forbid(&mut self, event: &Event, present: bool, field: &str) {
        if present {
            self.problem(
                field,
                format!(
                    "{} has no field {field}; remove it",
                    event.event_type.name()
                ),
            );
        }
    }
}

/// Which fields each event type and action requires or forbids (EPCIS 2.0 §7.4).
fn check_shape(event: &Event, check: &mut Check) {
    let name = event.event_type.name();
    let has_epcs = !event.epc_list.is_empty();
    let has_quantities = !event.quantity_list.is_empty();
    let has_children = !event.child_epcs.is_empty() || !event.child_quantity_list.is_empty();
    let has_inputs = !event.input_epc_list.is_empty() || !event.input_quantity_list.is_empty();
    let has_outputs = !event.output_epc_list.is_empty() || !event.output_quantity_list.is_empty();
    if event.event_type == EventType::TransformationEvent {
        check.forbid(event, event.action.is_some(), "action");
    } else if event.action.is_none() {
        check.problem(
            "action",
            format!("{name} needs an action: ADD, OBSERVE or DELETE"),
        );
    }
    match event.event_type {
        EventType::ObjectEvent => {
            check.forbid(event, event.parent_id.is_some(), "parentID");
            check.forbid(event, has_children, "childEPCs");
            check.forbid(event, has_inputs || has_outputs, "inputEPCList");
            // EPCIS 2.0 lets an ObjectEvent name no objects at all (a sensor reading at a
            // place), so neither epcList nor quantityList is required; GS1's own sensor
            // examples are such events.
            if event.ilmd.is_some() && event.action != Some(Action::Add) {
                check.problem(
                    "ilmd",
                    "ilmd is allowed only on an ObjectEvent whose action is ADD",
                );
            }
        }
        EventType::AggregationEvent | EventType::AssociationEvent => {
            check.forbid(event, has_epcs, "epcList");
            check.forbid(event, has_quantities, "quantityList");
            check.forbid(event, has_inputs || has_outputs, "inputEPCList");
            check.forbid(event, event.ilmd.is_some(), "ilmd");
            check.forbid(event, event.transformation_id.is_some(), "transformationID");
            let parent_needed = event.event_type == EventType::AssociationEvent
                || matches!(event.action, Some(Action::Add | Action::Delete));
            if parent_needed && event.parent_id.is_none() {
                check.problem(
                    "parentID",
                    format!(
                        "{name} with action {} needs a parentID",
                        action_text(event.action)
                    ),
                );
            }
            if !has_children && event.action != Some(Action::Delete) {
                check.problem(
                    "childEPCs",
                    format!(
                        "{name} with action {} names no children: give childEPCs or childQuantityList",
                        action_text(event.action)
                    ),
                );
            }
        }
        EventType::TransactionEvent => {
            check.forbid(event, has_children, "childEPCs");
            check.forbid(event, has_inputs || has_outputs, "inputEPCList");
            check.forbid(event, event.ilmd.is_some(), "ilmd");
            check.forbid(event, event.transformation_id.is_some(), "transformationID");
            if event.biz_transaction_list.is_empty() {
                check.problem(
                    "bizTransactionList",
                    "TransactionEvent needs at least one business transaction in bizTransactionList",
                );
            }
        }
        EventType::TransformationEvent => {
            check.forbid(event, has_epcs, "epcList");
            check.forbid(event, has_quantities, "quantityList");
            check.forbid(event, event.parent_id.is_some(), "parentID");
            check.forbid(event, has_children, "childEPCs");
            if event.transformation_id.is_none() && !(has_inputs && has_outputs) {
                check.problem(
                    if has_inputs { "outputEPCList" } else { "inputEPCList" },
                    "TransformationEvent without a transformationID needs at least one input and at least one output",
                );
            }
            if !has_inputs && !has_outputs {
                check.problem(
                    "inputEPCList",
                    "TransformationEvent names no inputs and no outputs",
                );
            }
        }
    }
}

fn action_text(action: Option<Action>) -> &'static str {
    action.map_or("(none)", Action::as_str)
}

/// What kind of identifier a field needs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    /// A single object: SGTIN, SSCC, GRAI with serial, GIAI, … or any other URI.
    Instance,
    /// A class of objects: LGTIN, GTIN, an idpat pattern, or any other URI.
    Class,
    /// Any URI; GS1 keys in it must be well formed.
    AnyUri,
}

fn check_identifiers(event: &Event, check: &mut Check) {
    if let Some(event_id) = &event.event_id
        && !looks_like_uri(event_id)
    {
        check.problem("eventID", format!("eventID `{event_id}` is not a URI (expected e.g. ni:///sha-256;…?ver=CBV2.0 or urn:uuid:…)"));
    }
    if let Some(parent) = &event.parent_id {
        check_id(format_args!("parentID"), parent, Expect::Instance, check);
    }
    let lists: [(&str, &Vec<String>); 4] = [
        ("epcList", &event.epc_list),
        ("childEPCs", &event.child_epcs),
        ("inputEPCList", &event.input_epc_list),
        ("outputEPCList", &event.output_epc_list),
    ];
    for (field, list) in lists {
        for (index, epc) in list.iter().enumerate() {
            check_id(
                format_args!("{field}/{index}"),
                epc,
                Expect::Instance,
                check,
            );
        }
    }
    let quantity_lists: [(&str, &Vec<QuantityElement>); 4] = [
        ("quantityList", &event.quantity_list),
        ("childQuantityList", &event.child_quantity_list),
        ("inputQuantityList", &event.input_quantity_list),
        ("outputQuantityList", &event.output_quantity_list),
    ];
    for (field, list) in quantity_lists {
        for (index, element) in list.iter().enumerate() {
            check_id(
                format_args!("{field}/{index}/epcClass"),
                &element.epc_class,
                Expect::Class,
                check,
            );
        }
    }
    if let Some(location) = &event.read_point {
        check_id(
            format_args!("readPoint/id"),
            &location.id,
            Expect::AnyUri,
            check,
        );
    }
    if let Some(location) = &event.biz_location {
        check_id(
            format_args!("bizLocation/id"),
            &location.id,
            Expect::AnyUri,
            check,
        );
    }
    for (index, transaction) in event.biz_transaction_list.iter().enumerate() {
        check_id(
            format_args!("bizTransactionList/{index}/bizTransaction"),
            &transaction.id,
            Expect::AnyUri,
            check,
        );
    }
    for (index, source) in event.source_list.iter().enumerate() {
        check_id(
            format_args!("sourceList/{index}/source"),
            &source.id,
            Expect::AnyUri,
            check,
        );
    }
    for (index, destination) in event.destination_list.iter().enumerate() {
        check_id(
            format_args!("destinationList/{index}/destination"),
            &destination.id,
            Expect::AnyUri,
            check,
        );
    }
    if let Some(transformation_id) = &event.transformation_id
        && !looks_like_uri(transformation_id)
    {
        check.problem(
            "transformationID",
            format!("transformationID `{transformation_id}` is not a URI"),
        );
    }
    for (index, certificate) in event.certification_info.iter().enumerate() {
        if !looks_like_uri(certificate) {
            check.problem(
                format!("certificationInfo/{index}"),
                format!("certificationInfo `{certificate}` is not a URI"),
            );
        }
    }
    if let Some(declaration) = &event.error_declaration {
        for (index, corrective) in declaration.corrective_event_ids.iter().enumerate() {
            if !looks_like_uri(corrective) {
                check.problem(
                    format!("errorDeclaration/correctiveEventIDs/{index}"),
                    format!("corrective event ID `{corrective}` is not a URI"),
                );
            }
        }
    }
}

/// Checks one identifier: GS1 keys (EPC URNs and Digital Links) must parse, with correct
/// check digits, and be of the level the field needs; other values must at least be URIs.
fn check_id(path: fmt::Arguments<'_>, text: &str, expect: Expect, check: &mut Check) {
    if !looks_like_uri(text) {
        check.problem(path.to_string(), format!("`{text}` is not a URI (expected an EPC URN such as urn:epc:id:sgtin:… or a GS1 Digital Link)"));
        return;
    }
    match crate::ids::classify(text) {
        Err(message) => check.problem(path.to_string(), message),
        Ok(crate::ids::Level::NotGs1) => {}
        Ok(level) => {
            let fits = match expect {
                Expect::Instance => level == crate::ids::Level::Instance,
                Expect::Class => level == crate::ids::Level::Class,
                Expect::AnyUri => true,
            };
            if !fits {
                let wanted = match expect {
                    Expect::Instance => {
                        "an identifier of one object (e.g. urn:epc:id:sgtin:…, an SSCC, or a Digital Link with a serial)"
                    }
                    _ => {
                        "a class identifier (e.g. urn:epc:class:lgtin:…, urn:epc:idpat:sgtin:…, or a Digital Link with a GTIN and no serial)"
                    }
                };
                check.problem(
                    path.to_string(),
                    format!(
                        "`{text}` is {}; this field needs {wanted}",
                        level.describe()
                    ),
                );
            }
        }
    }
}

/// A URI has a scheme: letters, digits, `+`, `-`, `.` before a colon, starting with a letter.
///
/// Every identifier of every event comes through here, so the test is one pass over the
/// bytes: ASCII white space is caught there, and only text with non-ASCII characters is
/// searched again for Unicode white space.
pub(crate) fn looks_like_uri(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(colon) = bytes.iter().position(|byte| *byte == b':') else {
        return false;
    };
    let scheme = &bytes[..colon];
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.'));
    if colon + 1 == bytes.len() || !scheme_ok {
        return false;
    }
    let mut ascii_space = false;
    let mut non_ascii = false;
    for byte in bytes {
        // `char::is_whitespace` on ASCII: tab, line feed, vertical tab, form feed, carriage
        // return and space.
        ascii_space |= matches!(byte, b'\t'..=b'\r' | b' ');
        non_ascii |= !byte.is_ascii();
    }
    if ascii_space {
        return false;
    }
    !non_ascii || !text.chars().any(char::is_whitespace)
}

fn check_terms(event: &Event, check: &mut Check) {
    if let Some(term) = &event.biz_step {
        check_term(format_args!("bizStep"), term, Vocabulary::BizStep, check);
    }
    if let Some(term) = &event.disposition {
        check_term(
            format_args!("disposition"),
            term,
            Vocabulary::Disposition,
            check,
        );
    }
    if let Some(persistent) = &event.persistent_disposition {
        for (index, term) in persistent.set.iter().enumerate() {
            check_term(
                format_args!("persistentDisposition/set/{index}"),
                term,
                Vocabulary::Disposition,
                check,
            );
        }
        for (index, term) in persistent.unset.iter().enumerate() {
            check_term(
                format_args!("persistentDisposition/unset/{index}"),
                term,
                Vocabulary::Disposition,
                check,
            );
        }
        if persistent.set.is_empty() && persistent.unset.is_empty() {
            check.problem(
                "persistentDisposition",
                "persistentDisposition is empty: give set or unset",
            );
        }
    }
    for (index, transaction) in event.biz_transaction_list.iter().enumerate() {
        if let Some(term) = &transaction.transaction_type {
            check_term(
                format_args!("bizTransactionList/{index}/type"),
                term,
                Vocabulary::BizTransactionType,
                check,
            );
        }
    }
    for (index, source) in event.source_list.iter().enumerate() {
        check_term(
            format_args!("sourceList/{index}/type"),
            &source.kind,
            Vocabulary::SourceDestType,
            check,
        );
    }
    for (index, destination) in event.destination_list.iter().enumerate() {
        check_term(
            format_args!("destinationList/{index}/type"),
            &destination.kind,
            Vocabulary::SourceDestType,
            check,
        );
    }
    if let Some(declaration) = &event.error_declaration
        && let Some(reason) = &declaration.reason
    {
        check_term(
            format_args!("errorDeclaration/reason"),
            reason,
            Vocabulary::ErrorReason,
            check,
        );
    }
}

/// A standard term is fine; anything else must be a URI (a community's own vocabulary), not a
/// bare word the CBV does not define.
fn check_term(path: fmt::Arguments<'_>, term: &Term, vocabulary: Vocabulary, check: &mut Check) {
    let Term::Other(text) = term else {
        return;
    };
    if looks_like_uri(text) {
        if let Some(word) = word_in_cbv_namespace(vocabulary, text) {
            check.problem(
                path.to_string(),
                format!(
                    "`{word}` is not a CBV 2.0 {}: {}",
                    vocabulary.name(),
                    suggest(vocabulary, word)
                ),
            );
        }
        return;
    }
    check.problem(
        path.to_string(),
        format!(
            "`{text}` is not a CBV 2.0 {}: {}",
            vocabulary.name(),
            suggest(vocabulary, text)
        ),
    );
}

/// The word a URI names when it is in the CBV's own namespace for `vocabulary` (its URN
/// form, its web URI, or the `cbv:` compact form of the web URI). Such a URI must name a
/// standard word; only URIs outside the CBV's namespaces are someone's own vocabulary.
fn word_in_cbv_namespace(vocabulary: Vocabulary, text: &str) -> Option<&str> {
    if let Some(word) = vocabulary
        .urn_prefix()
        .and_then(|prefix| text.strip_prefix(prefix))
    {
        return Some(word);
    }
    // The GS1 Web Vocabulary (no URN form) is shared by many term types; a URI in it is not
    // this vocabulary's alone, so only the CBV's own vocabularies are checked this way.
    vocabulary.urn_prefix()?;
    let web_prefix = vocabulary.web_prefix();
    if let Some(word) = text.strip_prefix(web_prefix) {
        return Some(word);
    }
    let compact_prefix = web_prefix.strip_prefix(crate::cbv::CBV_WEB_PREFIX)?;
    text.strip_prefix("cbv:")?.strip_prefix(compact_prefix)
}

/// Names the closest standard word, or lists a few, for an error message.
fn suggest(vocabulary: Vocabulary, word: &str) -> String {
    let lowered = word.to_ascii_lowercase().replace(['-', ' '], "_");
    if let Some(found) = vocabulary.word(&lowered) {
        return format!("did you mean `{found}`? (CBV words are case-sensitive)");
    }
    let closest = vocabulary
        .words()
        .iter()
        .map(|candidate| (edit_distance(&lowered, candidate), *candidate))
        .min();
    match closest {
        Some((distance, candidate)) if distance <= 2 => format!("did you mean `{candidate}`?"),
        _ => {
            let sample: Vec<&str> = vocabulary.words().iter().take(6).copied().collect();
            format!(
                "expected a CBV word ({}, …) or a URI of your own vocabulary",
                sample.join(", ")
            )
        }
    }
}

fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (i, left_char) in left.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, right_char) in right.iter().enumerate() {
            let substitution = previous[j] + usize::from(left_char != *right_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[right.len()]
}

/// UN/ECE Recommendation 20 common codes are two or three upper-case letters or digits.
fn is_rec20_code(code: &str) -> bool {
    (2..=3).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn check_quantities(field: &str, list: &[QuantityElement], check: &mut Check) {
    for (index, element) in list.iter().enumerate() {
        if let Some(quantity) = element.quantity
            && (!quantity.is_finite() || quantity < 0.0)
        {
            check.problem(
                format!("{field}/{index}/quantity"),
                format!("quantity {quantity} is not a finite number of zero or more"),
            );
        }
        match (&element.uom, element.quantity) {
            (Some(uom), _) if !is_rec20_code(uom) => check.problem(
                format!("{field}/{index}/uom"),
                format!("uom `{uom}` is not a UN/ECE Recommendation 20 code (two or three capitals or digits, e.g. KGM, LTR)"),
            ),
            (Some(_), None) => check.problem(
                format!("{field}/{index}/uom"),
                "uom is given without a quantity: give the quantity too",
            ),
            _ => {}
        }
    }
}

fn check_sensors(event: &Event, check: &mut Check) {
    for (element_index, element) in event.sensor_element_list.iter().enumerate() {
        // The paths are written out only for a problem: nearly every element has none.
        let base = SensorPath {
            element: element_index,
            report: None,
        };
        if element.reports.is_empty() {
            check.problem(
                format!("{base}/sensorReport"),
                "a sensorElement needs at least one sensorReport",
            );
        }
        if let Some(metadata) = &element.metadata
            && let (Some(start), Some(end)) = (metadata.start_time, metadata.end_time)
            && start.instant > end.instant
        {
            check.problem(
                format!("{base}/sensorMetadata/startTime"),
                format!("startTime {start} is after endTime {end}"),
            );
        }
        for (report_index, report) in element.reports.iter().enumerate() {
            let report_base = SensorPath {
                element: element_index,
                report: Some(report_index),
            };
            check_report(&report_base, report, check);
        }
        check_extensions(&format_args!("{base}/"), &element.extensions, check);
    }
}

/// The path of a sensor element (`sensorElementList/0`) or of one of its reports
/// (`sensorElementList/0/sensorReport/1`).
struct SensorPath {
    element: usize,
    report: Option<usize>,
}

impl fmt::Display for SensorPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sensorElementList/{}", self.element)?;
        match self.report {
            Some(report) => write!(f, "/sensorReport/{report}"),
            None => Ok(()),
        }
    }
}

fn check_report(base: &SensorPath, report: &SensorReport, check: &mut Check) {
    if let Some(term) = &report.measurement_type {
        check_term(
            format_args!("{base}/type"),
            term,
            Vocabulary::MeasurementType,
            check,
        );
    }
    if let Some(term) = &report.exception {
        check_term(
            format_args!("{base}/exception"),
            term,
            Vocabulary::SensorAlertType,
            check,
        );
    }
    if let Some(term) = &report.component {
        check_term(
            format_args!("{base}/component"),
            term,
            Vocabulary::Component,
            check,
        );
    }
    if let Some(uom) = &report.uom
        && !is_rec20_code(uom)
    {
        check.problem(
            format!("{base}/uom"),
            format!("uom `{uom}` is not a UN/ECE Recommendation 20 code (e.g. CEL for °C)"),
        );
    }
    let has_number = [
        report.value,
        report.min_value,
        report.max_value,
        report.mean_value,
        report.perc_value,
    ]
    .iter()
    .any(Option::is_some);
    if has_number && report.measurement_type.is_none() {
        check.problem(
            format!("{base}/type"),
            "a sensorReport with a numeric value needs a type (e.g. Temperature)",
        );
    }
    if let (Some(min), Some(max)) = (report.min_value, report.max_value)
        && min > max
    {
        check.problem(
            format!("{base}/minValue"),
            format!("minValue {min} is greater than maxValue {max}"),
        );
    }
    if let Some(rank) = report.perc_rank
        && !(0.0..=100.0).contains(&rank)
    {
        check.problem(
            format!("{base}/percRank"),
            format!("percRank {rank} is outside 0–100"),
        );
    }
    if let Some(deviation) = report.s_dev
        && deviation < 0.0
    {
        check.problem(
            format!("{base}/sDev"),
            format!("sDev {deviation} is negative"),
        );
    }
    if let Some(hex) = &report.hex_binary_value
        && (hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        check.problem(
            format!("{base}/hexBinaryValue"),
            format!("hexBinaryValue `{hex}` is not an even number of hexadecimal digits"),
        );
    }
}

fn check_extensions(base: &dyn fmt::Display, extensions: &[Extension], check: &mut Check) {
    for extension in extensions {
        // The path is built only for a problem: nearly every extension has none.
        let path = || format!("{base}{}", extension.name.local);
        if extension.name.namespace.is_empty() {
            check.problem(
                path(),
                format!(
                    "`{}` is not a standard EPCIS field and has no namespace: put extension fields in a namespace of your own",
                    extension.name.local
                ),
            );
        } else if extension.name.namespace == EPCIS_NAMESPACE {
            check.problem(
                path(),
                format!("`{}` is not a field of EPCIS 2.0 (misspelt?); extensions need a namespace of your own", extension.name.local),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition `looks_like_uri` implements, written plainly.
    fn looks_like_uri_plain(text: &str) -> bool {
        let Some((scheme, rest)) = text.split_once(':') else {
            return false;
        };
        !rest.is_empty()
            && !text.chars().any(char::is_whitespace)
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    }

    #[test]
    fn the_uri_test_agrees_with_its_definition() {
        let samples = [
            "",
            ":",
            "a:",
            "a:b",
            "urn:epc:id:sgtin:0614141.107346.2017",
            "1a:b",
            "a+b-c.d:e",
            "a_b:c",
            "a:b c",
            "a:b\u{b}c",
            "a:b\u{a0}",
            "a:b\u{3000}c",
            "é:b",
            "a:é",
            "a:\t",
            "https://id.gs1.org/01/09521234543213",
            "ni:///sha-256;abc?ver=CBV2.0",
            "a::",
            " a:b",
            "a:b\u{85}",
        ];
        for text in samples {
            assert_eq!(looks_like_uri(text), looks_like_uri_plain(text), "{text:?}");
        }
    }
    use crate::time::{EpcisTime, TimeZoneOffset};

    fn object_event() -> Event {
        let time = EpcisTime::parse("2026-11-20T08:00:00+08:00").unwrap();
        let mut event = Event::new(
            EventType::ObjectEvent,
            time,
            TimeZoneOffset::parse("+08:00").unwrap(),
        );
        event.action = Some(Action::Observe);
        event.epc_list = vec!["urn:epc:id:sgtin:0614141.107346.2017".into()];
        event
    }

    #[track_caller]
    fn check(event: &Event, expected: &[(&str, &str)]) {
        let problems = check_event(event);
        assert_eq!(problems.len(), expected.len(), "problems: {problems:#?}");
        for (problem, (path, fragment)) in problems.iter().zip(expected) {
            assert_eq!(problem.path, *path, "{problem:?}");
            assert!(
                problem.message.contains(fragment),
                "{:?} should mention {fragment:?}",
                problem.message
            );
        }
    }

    #[test]
    fn a_plain_object_event_is_valid() {
        check(&object_event(), &[]);
    }

    #[test]
    fn an_object_event_without_action_is_refused() {
        let mut event = object_event();
        event.action = None;
        check(&event, &[("action", "needs an action")]);
    }

    #[test]
    fn a_misspelt_business_step_suggests_the_word() {
        let mut event = object_event();
        event.biz_step = Some(Term::Other("shiping".into()));
        check(&event, &[("bizStep", "did you mean `shipping`")]);
    }

    #[test]
    fn an_unknown_cbv_urn_is_refused_but_a_community_uri_is_not() {
        let mut event = object_event();
        event.biz_step = Some(Term::Other("urn:epcglobal:cbv:bizstep:blending".into()));
        check(&event, &[("bizStep", "not a CBV 2.0 business step")]);
        event.biz_step = Some(Term::Other(
            "https://anxin.example.cn/bizstep/blending".into(),
        ));
        check(&event, &[]);
    }

    #[test]
    fn a_class_in_an_epc_list_is_refused() {
        let mut event = object_event();
        event
            .epc_list
            .push("urn:epc:class:lgtin:4012345.012345.998877".into());
        check(
            &event,
            &[("epcList/1", "needs an identifier of one object")],
        );
    }

    #[test]
    fn a_wrong_check_digit_in_a_digital_link_is_refused() {
        let mut event = object_event();
        event.epc_list = vec!["https://id.gs1.org/01/06901234567891/21/ABC".into()];
        check(&event, &[("epcList/0", "check digit")]);
    }

    #[test]
    fn a_quantity_with_a_bad_unit_is_refused() {
        let mut event = object_event();
        event.quantity_list = vec![QuantityElement {
            epc_class: "urn:epc:class:lgtin:4012345.012345.998877".into(),
            quantity: Some(12.5),
            uom: Some("kg".into()),
        }];
        check(&event, &[("quantityList/0/uom", "Recommendation 20")]);
    }

    #[test]
    fn a_transaction_event_needs_a_business_transaction() {
        let mut event = object_event();
        event.event_type = EventType::TransactionEvent;
        check(
            &event,
            &[("bizTransactionList", "at least one business transaction")],
        );
    }

    #[test]
    fn an_aggregation_add_needs_parent_and_children() {
        let mut event = object_event();
        event.event_type = EventType::AggregationEvent;
        event.action = Some(Action::Add);
        event.epc_list.clear();
        check(
            &event,
            &[
                ("parentID", "needs a parentID"),
                ("childEPCs", "names no children"),
            ],
        );
    }

    #[test]
    fn a_transformation_without_id_needs_inputs_and_outputs() {
        let mut event = object_event();
        event.event_type = EventType::TransformationEvent;
        event.action = None;
        event.input_epc_list = std::mem::take(&mut event.epc_list);
        check(
            &event,
            &[(
                "outputEPCList",
                "at least one input and at least one output",
            )],
        );
    }

    #[test]
    fn an_extension_without_namespace_is_refused() {
        let mut event = object_event();
        event.extensions.push(Extension::text(
            crate::ext::QName::new("", "bizstep"),
            "shipping",
        ));
        check(&event, &[("bizstep", "no namespace")]);
    }
}

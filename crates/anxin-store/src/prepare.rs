//! From an [`Event`] to the rows both backends write: the stored body, the columns of the
//! event row and the index rows that serve the query language; and from a document header
//! to master-data rows.
//!
//! Both backends call [`prepare_event`] so that the two stores index the same event the same
//! way; only how the rows reach the database differs. Identifiers are indexed in their
//! canonical GS1 Digital Link form (`https://id.gs1.org/…`), so an EPC URN and a Digital
//! Link of the same object match each other; identifiers that are not GS1 keys are indexed
//! as written. This module does no IO.

use anxin_epcis::ext::{ExtValue, Extension};
use anxin_epcis::{Event, Header, Namespaces};
use anxin_gs1::{EpcPattern, Gs1Key};

/// One row of `event_epc`: an EPC the event names, by role.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EpcRow {
    /// `epc`, `parent`, `child`, `input` or `output`.
    pub role: &'static str,
    /// The canonical form.
    pub epc: String,
}

/// One row of `event_class`: a quantity element.
#[derive(Clone, PartialEq, Debug)]
pub struct ClassRow {
    /// `quantity`, `child`, `input` or `output`.
    pub role: &'static str,
    /// The canonical class (`https://id.gs1.org/01/…/10/…` for an LGTIN).
    pub class: String,
    /// The amount, when given.
    pub quantity: Option<f64>,
    /// The unit, when given.
    pub uom: Option<String>,
}

/// One row of `event_place`: a location or party the event names.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PlaceRow {
    /// `read_point`, `biz_location`, `source` or `destination`.
    pub role: &'static str,
    /// The source/destination type (`owning_party`, …); empty for read point and business location.
    pub kind: String,
    /// The canonical identifier.
    pub place: String,
    /// The GLN inside it (SGLN or PGLN), which ties it to a party.
    pub gln: Option<String>,
}

/// One row of `event_attr`: a name/value pair for the equality filters that are not columns.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AttrRow {
    /// `bizTransaction:{type}`, `persistentDisposition:set`, `persistentDisposition:unset`
    /// or `ext:{expanded extension name}`.
    pub name: String,
    /// The value as text (identifiers as written).
    pub value: String,
}

/// Everything written for one event.
#[derive(Clone, PartialEq, Debug)]
pub struct PreparedEvent {
    /// The CBV 2.0 hash ID.
    pub hash_id: String,
    /// The key the same event sent twice shares: the hash ID, followed for an error
    /// declaration by its declaration time. The CBV 2.0 hash leaves the declaration out, and
    /// a declaration must be stored beside the event it corrects, not dropped as a duplicate.
    pub record_key: String,
    /// The event's `eventID`: as sent, or the hash ID when it had none.
    pub event_id: String,
    /// `ObjectEvent`, …
    pub event_type: &'static str,
    /// `eventTime` in Unix milliseconds.
    pub event_time_ms: i64,
    /// The server's record time in Unix milliseconds.
    pub record_time_ms: i64,
    /// `ADD`, `OBSERVE`, `DELETE`.
    pub action: Option<&'static str>,
    /// The business step in its JSON-LD form (bare word for a CBV word).
    pub biz_step: Option<String>,
    /// The disposition in its JSON-LD form.
    pub disposition: Option<String>,
    /// The canonical read point.
    pub read_point: Option<String>,
    /// The canonical business location.
    pub biz_location: Option<String>,
    /// Whether an `errorDeclaration` is present.
    pub has_error_declaration: bool,
    /// The event as a JSON-LD event object (with `recordTime` and `eventID` filled in).
    pub body: String,
    /// SHA-256 of `body`, which the event's ledger leaf commits to (computed here, before
    /// the write lock is taken).
    pub body_sha256: [u8; 32],
    /// Index rows.
    pub epcs: Vec<EpcRow>,
    /// Index rows.
    pub classes: Vec<ClassRow>,
    /// Index rows.
    pub places: Vec<PlaceRow>,
    /// Index rows.
    pub attrs: Vec<AttrRow>,
}

/// The canonical form of an identifier: its GS1 Digital Link on `id.gs1.org` when it is a
/// GS1 key (EPC URN, Digital Link, element string), otherwise the text as written.
pub fn canonical_id(text: &str) -> String {
    anxin_gs1::canonical_digital_link(text).unwrap_or_else(|_| text.trim().to_owned())
}

/// The canonical form of an EPC class: an LGTIN or GTIN Digital Link, also for the GTIN
/// written as an id pattern (`urn:epc:idpat:sgtin:0614141.107346.*`).
pub fn canonical_class(text: &str) -> String {
    if text.trim_start().starts_with("urn:epc:idpat:")
        && let Some(key) = EpcPattern::parse(text)
            .ok()
            .and_then(|pattern| pattern.to_key())
    {
        return key.to_digital_link();
    }
    canonical_id(text)
}

/// The 13-digit GLN inside an SGLN or PGLN (EPC URN or Digital Link), if the text is one.
pub fn gln_of(text: &str) -> Option<String> {
    match Gs1Key::parse(text).ok()? {
        Gs1Key::Sgln(sgln) => Some(sgln.gln().as_str().to_owned()),
        Gs1Key::Pgln(pgln) => Some(pgln.gln().as_str().to_owned()),
        _ => None,
    }
}

/// The name an extension field is indexed and queried by: the namespace IRI followed by
/// the local name, with a `#` between them when the IRI ends in neither `/` nor `#`
/// (EPCIS 1.2's `namespace#local` convention).
pub fn extension_field_name(namespace: &str, local: &str) -> String {
    if namespace.ends_with('/') || namespace.ends_with('#') || namespace.is_empty() {
        format!("{namespace}{local}")
    } else {
        format!("{namespace}#{local}")
    }
}

/// Builds the rows for one event. `event` must already carry its `record_time` and
/// `event_id` (see [`fill_server_fields`]); `body` is its JSON-LD text.
pub fn prepare_event(event: &Event, hash_id: String, body: String) -> PreparedEvent {
    PreparedEvent {
        event_id: event.event_id.clone().unwrap_or_else(|| hash_id.clone()),
        record_key: match &event.error_declaration {
            Some(declaration) => format!(
                "{hash_id}#errorDeclaration={}",
                declaration.declaration_time.unix_millis()
            ),
            None => hash_id.clone(),
        },
        hash_id,
        event_type: event.event_type.name(),
        event_time_ms: event.event_time.unix_millis(),
        record_time_ms: event.record_time.map_or(0, |time| time.unix_millis()),
        action: event.action.map(|action| action.as_str()),
        biz_step: event
            .biz_step
            .as_ref()
            .map(|term| term.json_form().to_owned()),
        disposition: event
            .disposition
            .as_ref()
            .map(|term| term.json_form().to_owned()),
        read_point: event
            .read_point
            .as_ref()
            .map(|location| canonical_id(&location.id)),
        biz_location: event
            .biz_location
            .as_ref()
            .map(|location| canonical_id(&location.id)),
        has_error_declaration: event.error_declaration.is_some(),
        body_sha256: anxin_ledger::body_digest(&body),
        body,
        epcs: epc_rows(event),
        classes: class_rows(event),
        places: place_rows(event),
        attrs: attr_rows(event),
    }
}

/// Sets what the server decides: the record time, and the hash ID as `eventID` when the
/// sender gave none.
pub fn fill_server_fields(event: &mut Event, hash_id: &str, record_time_ms: i64) {
    let instant =
        jiff::Timestamp::from_millisecond(record_time_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    event.record_time = Some(anxin_epcis::EpcisTime::utc(instant));
    if event.event_id.is_none() {
        event.event_id = Some(hash_id.to_owned());
    }
}

fn epc_rows(event: &Event) -> Vec<EpcRow> {
    let lists: [(&'static str, &[String]); 5] = [
        ("epc", &event.epc_list),
        ("parent", event.parent_id.as_slice()),
        ("child", &event.child_epcs),
        ("input", &event.input_epc_list),
        ("output", &event.output_epc_list),
    ];
    let mut rows = Vec::new();
    for (role, list) in lists {
        for epc in list {
            let row = EpcRow {
                role,
                epc: canonical_id(epc),
            };
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
    }
    rows
}

fn class_rows(event: &Event) -> Vec<ClassRow> {
    let lists: [(&'static str, &[anxin_epcis::QuantityElement]); 4] = [
        ("quantity", &event.quantity_list),
        ("child", &event.child_quantity_list),
        ("input", &event.input_quantity_list),
        ("output", &event.output_quantity_list),
    ];
    lists
        .into_iter()
        .flat_map(|(role, list)| {
            list.iter().map(move |element| ClassRow {
                role,
                class: canonical_class(&element.epc_class),
                quantity: element.quantity,
                uom: element.uom.clone(),
            })
        })
        .collect()
}

fn place_rows(event: &Event) -> Vec<PlaceRow> {
    let mut rows = Vec::new();
    let mut push = |role: &'static str, kind: String, id: &str| {
        let row = PlaceRow {
            role,
            kind,
            place: canonical_id(id),
            gln: gln_of(id),
        };
        if !rows.contains(&row) {
            rows.push(row);
        }
    };
    if let Some(location) = &event.read_point {
        push("read_point", String::new(), &location.id);
    }
    if let Some(location) = &event.biz_location {
        push("biz_location", String::new(), &location.id);
    }
    for source in &event.source_list {
        push("source", source.kind.json_form().to_owned(), &source.id);
    }
    for destination in &event.destination_list {
        push(
            "destination",
            destination.kind.json_form().to_owned(),
            &destination.id,
        );
    }
    rows
}

fn attr_rows(event: &Event) -> Vec<AttrRow> {
    let mut rows = Vec::new();
    for transaction in &event.biz_transaction_list {
        let kind = transaction
            .transaction_type
            .as_ref()
            .map_or("", |term| term.json_form());
        rows.push(AttrRow {
            name: format!("bizTransaction:{kind}"),
            value: transaction.id.clone(),
        });
    }
    if let Some(persistent) = &event.persistent_disposition {
        for (name, terms) in [("set", &persistent.set), ("unset", &persistent.unset)] {
            for term in terms {
                rows.push(AttrRow {
                    name: format!("persistentDisposition:{name}"),
                    value: term.json_form().to_owned(),
                });
            }
        }
    }
    for extension in &event.extensions {
        push_extension(&mut rows, extension);
    }
    rows
}

/// Indexes top-level extension fields whose value is a scalar or an array of scalars;
/// structured values are kept in the body but not indexed.
fn push_extension(rows: &mut Vec<AttrRow>, extension: &Extension) {
    let name = format!(
        "ext:{}",
        extension_field_name(&extension.name.namespace, &extension.name.local)
    );
    let mut values = Vec::new();
    scalar_texts(&extension.value, &mut values);
    for value in values {
        rows.push(AttrRow {
            name: name.clone(),
            value,
        });
    }
}

fn scalar_texts(value: &ExtValue, out: &mut Vec<String>) {
    match value {
        ExtValue::Text(text) | ExtValue::Number(text) => out.push(text.trim().to_owned()),
        ExtValue::Bool(flag) => out.push(flag.to_string()),
        ExtValue::Array(items) => items.iter().for_each(|item| scalar_texts(item, out)),
        ExtValue::Null | ExtValue::Object(_) => {}
    }
}

/// A location from master data.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct LocationRecord {
    /// The canonical identifier.
    pub location_id: String,
    /// The identifier as the document wrote it.
    pub written_id: String,
    /// The GLN inside it, if it is an SGLN.
    pub gln: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// Street, city and state joined.
    pub address: Option<String>,
    /// The GB/T 2260 region code (`regionCode` attribute, six digits).
    pub region: Option<String>,
    /// The food production licence number (食品生产许可证编号) declared for the place
    /// (`productionLicence` attribute), when it has the licence's shape
    /// ([`is_production_licence`]); a value of another shape is not kept.
    pub production_licence: Option<String>,
    /// Canonical identifiers of child locations (for `WD_bizLocation`).
    pub children: Vec<String>,
}

/// A party from master data.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PartyRecord {
    /// The canonical identifier (PGLN Digital Link).
    pub party_id: String,
    /// The GLN.
    pub gln: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Region code.
    pub region: Option<String>,
    /// What kind of business it is (`partyKind` attribute, as written: `manufacturer`,
    /// `distributor`, `supermarket`, …).
    pub kind: Option<String>,
    /// How to reach it (`contact`, `contactPoint`, `telephone` or `email` attribute).
    pub contact: Option<String>,
}

/// A product class from master data.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ProductRecord {
    /// The canonical class identifier.
    pub product_id: String,
    /// The GTIN (14 digits).
    pub gtin: Option<String>,
    /// `brandName`.
    pub brand: Option<String>,
    /// `name`, `descriptionShort` or `regulatedProductName`.
    pub name: Option<String>,
    /// Infant-formula stage (`stage`: 1, 2, 3).
    pub stage: Option<String>,
    /// The infant-formula recipe registration number (产品配方注册号) declared for the
    /// product (`formulaRegistration` attribute), when it has the number's shape
    /// ([`is_formula_registration`]); a value of another shape is not kept.
    pub formula_registration: Option<String>,
}

/// The master data of one document header.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MasterData {
    /// Locations (vocabulary types `BusinessLocation`, `ReadPoint`, `Location`).
    pub locations: Vec<LocationRecord>,
    /// Parties (`Party`, `SourceDest` with a PGLN).
    pub parties: Vec<PartyRecord>,
    /// Products (`EPCClass`).
    pub products: Vec<ProductRecord>,
    /// What was read but not kept, one sentence each: an attribute whose value has the wrong
    /// shape (naming the element, the attribute and the shape expected), and, once the store
    /// has applied [`crate::ownership::keep_own`], a description the capturing party may not
    /// give (naming the element and its owner). They do not make the document fail: the
    /// events and the rest of the master data are still stored, and the sentences are added
    /// to the capture job's errors.
    pub problems: Vec<String>,
}

/// The prefix of an infant-formula recipe registration number: 国食注字 (national food
/// registration) followed by `YP` (婴配, infant formula). Source: standards.md §5 table
/// row "Infant-formula recipe registration no." (line 273; confidence B).
pub const FORMULA_REGISTRATION_PREFIX: &str = "国食注字YP";

/// The shape of an infant-formula recipe registration number, as said in problems.
pub const FORMULA_REGISTRATION_SHAPE: &str = "国食注字YP + 4-digit year + 4-digit sequence";

/// The shape of a food production licence number, as said in problems.
pub const PRODUCTION_LICENCE_SHAPE: &str = "SC + 14 digits";

/// Whether `text` has the shape of an infant-formula recipe registration number:
/// `国食注字YP` followed by a 4-digit year and a 4-digit sequence, i.e. the regex
/// `^国食注字YP\d{4}\d{4}$` with ASCII digits (standards.md §5, line 273; confidence B).
///
/// Only the shape is checked: whether the number was ever issued can only be told by the
/// SAMR registry, which is not on the platform.
pub fn is_formula_registration(text: &str) -> bool {
    text.strip_prefix(FORMULA_REGISTRATION_PREFIX)
        .is_some_and(|digits| digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `text` has the shape of a food production licence number (食品生产许可证编号):
/// `SC` followed by 14 ASCII digits, the regex `^SC\d{14}$` (standards.md §5, line 275,
/// after 《食品生产许可管理办法》; confidence B). The digits are a 3-digit food category, 2-digit
/// province, city and county codes, a 4-digit sequence and a check digit.
///
/// Only the shape is checked. The category code for infant formula is not known
/// (standards.md line 276 has only a recalled guess, confidence R) and the check-digit
/// algorithm is not given (line 277), so neither is tested: a number of the right shape
/// with a wrong category or check digit is accepted here.
pub fn is_production_licence(text: &str) -> bool {
    text.strip_prefix("SC")
        .is_some_and(|digits| digits.len() == 14 && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads the master data the store keeps from a header's vocabularies. Attributes are
/// recognised by their local name, whatever namespace or prefix the document used.
pub fn master_data(header: &Header) -> MasterData {
    let mut out = MasterData::default();
    for vocabulary in &header.master_data {
        let kind = local_name(&vocabulary.vocabulary_type);
        for element in &vocabulary.elements {
            let attribute = |names: &[&str]| attribute_text(element, names);
            // A declared number is kept only when it has its shape; otherwise the
            // problem names the element, the attribute and the shape expected.
            let mut shaped = |kind: &str, name: &str, shape: &str, ok: fn(&str) -> bool| {
                let value = attribute(&[name])?;
                if ok(&value) {
                    return Some(value);
                }
                out.problems.push(format!(
                    "master data: {kind} {}: attribute {name} `{value}` is not of the shape {shape}; \
                     it was not kept (the rest of the document was)",
                    element.id
                ));
                None
            };
            match kind {
                "BusinessLocation" | "ReadPoint" | "Location" => {
                    out.locations.push(LocationRecord {
                        location_id: canonical_id(&element.id),
                        written_id: element.id.clone(),
                        gln: gln_of(&element.id),
                        name: attribute(&["name"]),
                        address: address(element),
                        region: attribute(&["regionCode"]),
                        production_licence: shaped(
                            kind,
                            "productionLicence",
                            PRODUCTION_LICENCE_SHAPE,
                            is_production_licence,
                        ),
                        children: element
                            .children
                            .iter()
                            .map(|child| canonical_id(child))
                            .collect(),
                    })
                }
                "Party" | "SourceDest" => out.parties.push(PartyRecord {
                    party_id: canonical_id(&element.id),
                    gln: gln_of(&element.id),
                    name: attribute(&["name"]),
                    address: address(element),
                    region: attribute(&["regionCode"]),
                    kind: attribute(&["partyKind"]),
                    contact: attribute(&["contact", "contactPoint", "telephone", "email"]),
                }),
                "EPCClass" => out.products.push(ProductRecord {
                    product_id: canonical_class(&element.id),
                    gtin: gtin_of(&element.id),
                    brand: attribute(&["brandName", "brand"]),
                    name: attribute(&["name", "regulatedProductName", "descriptionShort"]),
                    stage: attribute(&["stage"]),
                    formula_registration: shaped(
                        kind,
                        "formulaRegistration",
                        FORMULA_REGISTRATION_SHAPE,
                        is_formula_registration,
                    ),
                }),
                _ => {}
            }
        }
    }
    out
}

fn local_name(uri: &str) -> &str {
    uri.rsplit([':', '#', '/']).next().unwrap_or(uri)
}

fn attribute_text(element: &anxin_epcis::VocabularyElement, names: &[&str]) -> Option<String> {
    names.iter().find_map(|wanted| {
        element
            .attributes
            .iter()
            .find(|attribute| local_name(&attribute.id) == *wanted)
            .and_then(|attribute| {
                let mut texts = Vec::new();
                scalar_texts(&attribute.value, &mut texts);
                texts.into_iter().next()
            })
    })
}

fn address(element: &anxin_epcis::VocabularyElement) -> Option<String> {
    let parts: Vec<String> = ["streetAddressOne", "streetAddressTwo", "city", "state"]
        .iter()
        .filter_map(|name| attribute_text(element, &[name]))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn gtin_of(text: &str) -> Option<String> {
    let key = match EpcPattern::parse(text) {
        Ok(pattern) => pattern.to_key()?,
        Err(_) => Gs1Key::parse(text).ok()?,
    };
    match key {
        Gs1Key::Gtin(gtin) => Some(gtin.as_str().to_owned()),
        Gs1Key::Lgtin(lgtin) => Some(lgtin.gtin().as_str().to_owned()),
        Gs1Key::Sgtin(sgtin) => Some(sgtin.gtin().as_str().to_owned()),
        _ => None,
    }
}

/// The namespace prefixes a document declared, kept so that `EQ_{prefix}:{field}` can be
/// resolved later.
pub fn declared_prefixes(namespaces: &Namespaces) -> Vec<(String, String)> {
    namespaces
        .prefixes
        .iter()
        .map(|namespace| (namespace.prefix.clone(), namespace.iri.clone()))
        .collect()
}

/// Hashes an event, fills in what the server decides and builds its rows. `hasher` is
/// reused across a document so its buffers are allocated once.
pub fn prepare_for_store(
    mut event: Event,
    record_time_ms: i64,
    hasher: &mut anxin_epcis::hash::Hasher,
) -> Result<PreparedEvent, crate::StoreError> {
    let hash_id = hasher.hash_id(&event);
    fill_server_fields(&mut event, &hash_id, record_time_ms);
    let body = encode_body(&event)?;
    Ok(prepare_event(&event, hash_id, body))
}

/// The stored body of an event: its JSON-LD event object.
pub fn encode_body(event: &Event) -> Result<String, crate::StoreError> {
    anxin_epcis::json::event_to_string(event).map_err(|err| {
        crate::StoreError::internal(format!("the event could not be written as JSON-LD: {err}"))
    })
}

/// Reads a stored body back into an event.
pub fn decode_body(body: &str) -> Result<Event, crate::StoreError> {
    anxin_epcis::json::event_from_str(body).map_err(|err| {
        crate::StoreError::internal(format!("a stored event could not be read: {err}"))
    })
}

/// A whole document turned into rows before any is written, so that hashing and encoding
/// happen outside the database's write lock.
#[derive(Clone, Debug)]
pub struct PreparedDocument {
    /// Master data from the header.
    pub master: MasterData,
    /// Namespace prefixes the header declared.
    pub prefixes: Vec<(String, String)>,
    /// Events with distinct hash IDs, in document order.
    pub events: Vec<PreparedEvent>,
    /// Events that repeat an earlier event of the same document (counted as duplicates).
    pub n_repeated: u64,
    /// Problems the reader found, kept for the job.
    pub problems: Vec<String>,
    /// Events in the document, readable or not.
    pub n_events: u64,
    /// The server's record time for every event of the document.
    pub record_time_ms: i64,
}

impl PreparedDocument {
    /// Hashes and encodes every event (reporting progress) and reads the master data.
    /// Large documents are split over the machine's cores; events keep document order.
    pub fn new(
        input: crate::CaptureInput,
        record_time_ms: i64,
    ) -> Result<PreparedDocument, crate::StoreError> {
        let n_events = (input.events.len() + input.problems.len()) as u64;
        let prepared = prepare_in_parallel(input.events, record_time_ms, input.progress.as_ref())?;
        let mut seen = std::collections::HashSet::with_capacity(prepared.len());
        let n_prepared = prepared.len();
        let events: Vec<PreparedEvent> = prepared
            .into_iter()
            .filter(|event| seen.insert(event.record_key.clone()))
            .collect();
        Ok(PreparedDocument {
            master: master_data(&input.header),
            prefixes: declared_prefixes(&input.header.namespaces),
            n_repeated: (n_prepared - events.len()) as u64,
            events,
            problems: input.problems,
            n_events,
            record_time_ms,
        })
    }

    /// The GLNs the events are captured at (read points and business locations), once each.
    pub fn capture_glns(&self) -> Vec<String> {
        let mut glns: Vec<String> = self
            .events
            .iter()
            .flat_map(|event| event.places.iter())
            .filter(|place| place.role == "read_point" || place.role == "biz_location")
            .filter_map(|place| place.gln.clone())
            .collect();
        glns.sort();
        glns.dedup();
        glns
    }
}

/// Events per thread below which splitting a document costs more than it saves.
const PARALLEL_CHUNK_MIN: usize = 2000;

fn prepare_in_parallel(
    events: Vec<Event>,
    record_time_ms: i64,
    progress: Option<&crate::capture::Progress>,
) -> Result<Vec<PreparedEvent>, crate::StoreError> {
    let n_threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk_len = events.len().div_ceil(n_threads).max(PARALLEL_CHUNK_MIN);
    let done = std::sync::atomic::AtomicU64::new(0);
    let mut chunks: Vec<Vec<Event>> = Vec::new();
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        chunks.push(events.by_ref().take(chunk_len).collect());
    }
    let results: Vec<Result<Vec<PreparedEvent>, crate::StoreError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let done = &done;
                scope.spawn(move || {
                    let mut hasher = anxin_epcis::hash::Hasher::new();
                    let mut out = Vec::with_capacity(chunk.len());
                    for event in chunk {
                        out.push(prepare_for_store(event, record_time_ms, &mut hasher)?);
                        let n_done = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        if let Some(progress) = progress.filter(|_| n_done.is_multiple_of(1000)) {
                            progress(n_done);
                        }
                    }
                    Ok(out)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker.join().unwrap_or_else(|_| {
                    Err(crate::StoreError::internal("a preparing thread panicked"))
                })
            })
            .collect()
    });
    let mut prepared = Vec::new();
    for result in results {
        prepared.extend(result?);
    }
    Ok(prepared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anxin_epcis::{EpcisTime, EventType, Location, TimeZoneOffset};

    fn event() -> Event {
        let time = EpcisTime::parse("2026-03-01T08:00:00+08:00").unwrap();
        let mut event = Event::new(
            EventType::AggregationEvent,
            time,
            TimeZoneOffset::parse("+08:00").unwrap(),
        );
        event.parent_id = Some("urn:epc:id:sscc:0614141.1234567890".into());
        event.child_epcs = vec![
            "urn:epc:id:sgtin:0614141.107346.2017".into(),
            "https://id.gs1.org/01/10614141073464/21/2017".into(),
        ];
        event.biz_location = Some(Location {
            id: "urn:epc:id:sgln:0614141.12345.0".into(),
            extensions: vec![],
        });
        event
    }

    #[test]
    fn identifiers_are_indexed_once_in_canonical_form() {
        let rows = prepare_event(&event(), "ni:///sha-256;x".into(), "{}".into());
        let children: Vec<&str> = rows
            .epcs
            .iter()
            .filter(|row| row.role == "child")
            .map(|row| row.epc.as_str())
            .collect();
        assert_eq!(
            children,
            ["https://id.gs1.org/01/10614141073464/21/2017"],
            "a URN and its Digital Link are one EPC"
        );
        assert_eq!(
            rows.biz_location.as_deref(),
            Some("https://id.gs1.org/414/0614141123452")
        );
        assert_eq!(rows.places[0].gln.as_deref(), Some("0614141123452"));
        assert_eq!(
            rows.event_id, "ni:///sha-256;x",
            "no eventID: the hash ID stands in"
        );
    }

    #[test]
    fn extension_names_join_namespace_and_local_name() {
        assert_eq!(
            extension_field_name("https://ns.example.com/epcis/", "a"),
            "https://ns.example.com/epcis/a"
        );
        assert_eq!(
            extension_field_name("http://ns.example.com/epcis", "a"),
            "http://ns.example.com/epcis#a"
        );
    }

    fn declared(vocabulary_type: &str, id: &str, attributes: &[(&str, &str)]) -> Header {
        let mut header = Header::new(EpcisTime::parse("2026-03-01T08:00:00+08:00").unwrap());
        header.master_data = vec![anxin_epcis::Vocabulary {
            vocabulary_type: vocabulary_type.to_owned(),
            elements: vec![anxin_epcis::VocabularyElement {
                id: id.to_owned(),
                attributes: attributes
                    .iter()
                    .map(|(name, value)| anxin_epcis::MasterDataAttribute {
                        id: (*name).to_owned(),
                        value: ExtValue::Text((*value).to_owned()),
                    })
                    .collect(),
                children: vec![],
                extensions: vec![],
            }],
        }];
        header
    }

    const LOCATION: &str = "urn:epcglobal:epcis:vtype:BusinessLocation";
    const CLASS: &str = "urn:epcglobal:epcis:vtype:EPCClass";

    #[test]
    fn licence_and_registration_are_read_by_local_name() {
        let place = master_data(&declared(
            LOCATION,
            "urn:epc:id:sgln:6901234.00000.0",
            &[(
                "https://ns.anxin.org.cn/epcis/ifm/productionLicence",
                "SC12944030500017",
            )],
        ));
        assert_eq!(
            place.locations[0].production_licence.as_deref(),
            Some("SC12944030500017")
        );
        let product = master_data(&declared(
            CLASS,
            "urn:epc:idpat:sgtin:6901234.012345.*",
            &[(
                "https://example.cn/mda#formulaRegistration",
                " 国食注字YP20170126 ",
            )],
        ));
        assert_eq!(
            product.products[0].formula_registration.as_deref(),
            Some("国食注字YP20170126"),
            "any namespace; surrounding spaces trimmed"
        );
        assert!(place.problems.is_empty() && product.problems.is_empty());
        let nothing = master_data(&declared(
            CLASS,
            "urn:epc:idpat:sgtin:6901234.012345.*",
            &[],
        ));
        assert_eq!(nothing.products[0].formula_registration, None);
        assert!(
            nothing.problems.is_empty(),
            "an absent number is no problem"
        );
    }

    #[test]
    fn numbers_of_the_wrong_shape_are_refused_and_named() {
        for bad in [
            "SC1294403050001",                // 13 digits
            "SC129440305000170",              // 15 digits
            "sc12944030500017",               // lower case
            "QS12944030500017",               // the abolished QS mark
            "SC1294403050001X",               // a letter
            "SC１２９４４０３０５０００１７", // full-width digits
        ] {
            assert!(!is_production_licence(bad), "{bad}");
            let read = master_data(&declared(
                LOCATION,
                "urn:epc:id:sgln:6901234.00000.0",
                &[
                    ("anxin:productionLicence", bad),
                    ("urn:epcglobal:cbv:mda#name", "工厂"),
                ],
            ));
            assert_eq!(read.locations[0].production_licence, None, "{bad}");
            assert_eq!(
                read.locations[0].name.as_deref(),
                Some("工厂"),
                "the rest is kept"
            );
            assert_eq!(read.problems.len(), 1, "{bad}");
            let problem = &read.problems[0];
            for named in [
                "urn:epc:id:sgln:6901234.00000.0",
                "productionLicence",
                bad,
                "SC + 14 digits",
            ] {
                assert!(problem.contains(named), "{problem} names {named}");
            }
        }
        for bad in [
            "国食注字YP2017012",   // 7 digits
            "国食注字YP201701260", // 9 digits
            "国食注字TY20170126",  // a special-medical-purpose food, not infant formula
            "国食注字 YP20170126", // a space inside
            "YP20170126",          // the prefix missing
            "国食注字YP2017O126",  // a letter O
        ] {
            assert!(!is_formula_registration(bad), "{bad}");
            let read = master_data(&declared(
                CLASS,
                "urn:epc:idpat:sgtin:6901234.012345.*",
                &[("formulaRegistration", bad), ("stage", "1")],
            ));
            assert_eq!(read.products[0].formula_registration, None, "{bad}");
            assert_eq!(read.products[0].stage.as_deref(), Some("1"));
            assert_eq!(read.problems.len(), 1, "{bad}");
            assert!(read.problems[0].contains("formulaRegistration"));
            assert!(read.problems[0].contains(FORMULA_REGISTRATION_SHAPE));
            assert!(read.problems[0].contains("urn:epc:idpat:sgtin:6901234.012345.*"));
        }
        assert!(is_formula_registration("国食注字YP20250016"));
        assert!(is_production_licence("SC10644030500015"));
    }
}

//! The EPCIS 2.0 query language as a typed value: [`EventQuery::parse`] turns query
//! parameters into filters, or says which parameter is wrong and why.
//!
//! Parsing is pure: identifiers are put into the canonical form the store indexes, CBV words
//! into their JSON-LD form, times into Unix milliseconds, and `urn:epc:idpat:` patterns into
//! [`IdMatch`] patterns over canonical Digital Links. Translating the value into SQL is
//! [`crate::sql`]'s job; checking page tokens is [`page`]'s.

pub mod page;

use anxin_epcis::EpcisTime;
use anxin_epcis::cbv::{Term, Vocabulary};
use anxin_gs1::EpcPattern;

use crate::QueryError;
use crate::prepare::{canonical_class, canonical_id, extension_field_name};

/// Most values one list parameter may carry (`a|b|…`).
pub const MAX_VALUES: usize = 100;
/// The page size when `perPage` is not given.
pub const DEFAULT_PER_PAGE: u32 = 30;
/// The largest page.
pub const MAX_PER_PAGE: u32 = 1000;

/// How an identifier parameter matches the canonical form in the index.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum IdMatch {
    /// Equal to this canonical identifier.
    Exact(String),
    /// Matches this pattern.
    Pattern(Vec<Piece>),
}

/// A piece of an identifier pattern.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Piece {
    /// These characters.
    Text(String),
    /// Exactly one character.
    One,
    /// Any run of characters, possibly empty.
    Any,
}

/// A comparison for quantity filters.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Compare {
    /// `EQ_quantity`.
    Eq,
    /// `GT_quantity`.
    Gt,
    /// `GE_quantity`.
    Ge,
    /// `LT_quantity`.
    Lt,
    /// `LE_quantity`.
    Le,
}

/// One condition of a query; an event is returned when it meets every condition.
#[derive(Clone, PartialEq, Debug)]
pub enum Filter {
    /// `eventType`.
    EventType(Vec<&'static str>),
    /// `GE_eventTime` (Unix ms, inclusive).
    EventTimeFrom(i64),
    /// `LT_eventTime` (exclusive).
    EventTimeBefore(i64),
    /// `GE_recordTime`.
    RecordTimeFrom(i64),
    /// `LT_recordTime`.
    RecordTimeBefore(i64),
    /// `EQ_action`.
    Action(Vec<&'static str>),
    /// `EQ_bizStep` (JSON-LD forms).
    BizStep(Vec<String>),
    /// `EQ_disposition`.
    Disposition(Vec<String>),
    /// `EQ_readPoint` (canonical ids).
    ReadPoint(Vec<String>),
    /// `WD_readPoint`: the locations and their descendants in master data.
    ReadPointWithin(Vec<String>),
    /// `EQ_bizLocation`.
    BizLocation(Vec<String>),
    /// `WD_bizLocation`.
    BizLocationWithin(Vec<String>),
    /// `MATCH_*` on instance identifiers, in the given roles of `event_epc`.
    Epc {
        /// `epc`, `parent`, `child`, `input`, `output`.
        roles: &'static [&'static str],
        /// Any of these.
        matches: Vec<IdMatch>,
    },
    /// `MATCH_*EPCClass` on quantity elements, in the given roles of `event_class`.
    Class {
        /// `quantity`, `child`, `input`, `output`.
        roles: &'static [&'static str],
        /// Any of these.
        matches: Vec<IdMatch>,
    },
    /// `EQ_eventID`.
    EventId(Vec<String>),
    /// `EXISTS_errorDeclaration`.
    ErrorDeclarationExists,
    /// `EQ_bizTransaction_{type}`, `EQ_persistentDisposition_{set|unset}`, `EQ_{extension}`:
    /// a row of `event_attr` with this name and one of these values.
    Attr {
        /// The indexed name (see [`crate::prepare::AttrRow`]).
        name: String,
        /// Any of these.
        values: Vec<String>,
    },
    /// `EQ_source_{type}` / `EQ_destination_{type}`.
    SourceDest {
        /// `source` or `destination`.
        role: &'static str,
        /// The type in JSON-LD form.
        kind: String,
        /// Canonical ids, any of them.
        values: Vec<String>,
    },
    /// `EQ_/GT_/GE_/LT_/LE_quantity`: some quantity element compares so.
    Quantity(Compare, f64),
    /// Only events newly stored by this capture job. Never parsed from parameters: the
    /// subscription dispatcher adds it to run a named query over one job's events.
    CaptureJob(String),
    /// Only events numbered after this `event_seq`. Never parsed from parameters: the
    /// subscription dispatcher adds it to resume a job's delivery after a batch.
    EventSeqAfter(i64),
}

/// What results are sorted by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OrderBy {
    /// `orderBy=eventTime`.
    EventTime,
    /// `orderBy=recordTime`.
    RecordTime,
}

/// A parsed, validated query.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct EventQuery {
    /// Every condition.
    pub filters: Vec<Filter>,
    /// The sort; without one, events come in the order they were recorded.
    pub order_by: Option<OrderBy>,
    /// Descending (`orderDirection=DESC`, the default when `orderBy` is given).
    pub descending: bool,
    /// `eventCountLimit`: return at most this many events in all.
    pub event_count_limit: Option<u64>,
    /// `maxEventCount`: refuse the query when more events match.
    pub max_event_count: Option<u64>,
    /// `perPage`.
    pub per_page: u32,
    /// `nextPageToken`, still to be checked against the store's key.
    pub next_page_token: Option<String>,
    /// The parameters that define the result set, sorted, for binding page tokens.
    pub fingerprint: String,
}

/// Resolves a namespace prefix (`example` in `EQ_example:myField`) to its IRI.
pub trait Prefixes {
    /// The IRI, if the prefix is known.
    fn iri(&self, prefix: &str) -> Option<String>;
}

impl Prefixes for Vec<(String, String)> {
    fn iri(&self, prefix: &str) -> Option<String> {
        self.iter()
            .find(|(known, _)| known == prefix)
            .map(|(_, iri)| iri.clone())
    }
}

impl EventQuery {
    /// Parses query parameters (already percent-decoded). `prefixes` resolves the prefixes
    /// of extension-field parameters.
    pub fn parse(
        params: &[(String, String)],
        prefixes: &dyn Prefixes,
    ) -> Result<EventQuery, QueryError> {
        let mut query = EventQuery {
            per_page: DEFAULT_PER_PAGE,
            ..EventQuery::default()
        };
        let mut seen: Vec<&str> = Vec::new();
        let mut descending = None;
        for (name, value) in params {
            if seen.contains(&name.as_str()) {
                return Err(QueryError::new(
                    name,
                    "is given twice; give several values as a|b",
                ));
            }
            seen.push(name);
            match name.as_str() {
                "orderBy" => query.order_by = Some(order_by(name, value)?),
                "orderDirection" => descending = Some(direction(name, value)?),
                "eventCountLimit" => query.event_count_limit = Some(count(name, value)?),
                "maxEventCount" => query.max_event_count = Some(count(name, value)?),
                "perPage" => query.per_page = per_page(name, value)?,
                "nextPageToken" => query.next_page_token = Some(value.clone()),
                _ => query.filters.push(filter(name, value, prefixes)?),
            }
        }
        if query.event_count_limit.is_some() && query.max_event_count.is_some() {
            return Err(QueryError::new(
                "maxEventCount",
                "cannot be given with eventCountLimit",
            ));
        }
        query.descending = descending.unwrap_or(query.order_by.is_some());
        query.fingerprint = fingerprint(params);
        Ok(query)
    }
}

fn fingerprint(params: &[(String, String)]) -> String {
    let mut kept: Vec<String> = params
        .iter()
        .filter(|(name, _)| name != "nextPageToken" && name != "perPage")
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    kept.sort();
    kept.join("&")
}

fn filter(name: &str, value: &str, prefixes: &dyn Prefixes) -> Result<Filter, QueryError> {
    if let Some(filter) = simple_filter(name, value)? {
        return Ok(filter);
    }
    if let Some(filter) = match_filter(name, value)? {
        return Ok(filter);
    }
    if let Some(filter) = prefixed_filter(name, value)? {
        return Ok(filter);
    }
    if let Some(field) = name
        .strip_prefix("EQ_")
        .filter(|field| field.contains([':', '#']))
    {
        let expanded = extension_name(name, field, prefixes)?;
        return Ok(Filter::Attr {
            name: format!("ext:{expanded}"),
            values: values(name, value)?,
        });
    }
    Err(QueryError::new(
        name,
        "is not a parameter of the EPCIS 2.0 query language",
    ))
}

fn simple_filter(name: &str, value: &str) -> Result<Option<Filter>, QueryError> {
    let ids = |value| {
        Ok::<_, QueryError>(
            values(name, value)?
                .iter()
                .map(|id| canonical_id(id))
                .collect(),
        )
    };
    Ok(Some(match name {
        "eventType" => Filter::EventType(event_types(name, value)?),
        "GE_eventTime" => Filter::EventTimeFrom(time(name, value)?),
        "LT_eventTime" => Filter::EventTimeBefore(time(name, value)?),
        "GE_recordTime" => Filter::RecordTimeFrom(time(name, value)?),
        "LT_recordTime" => Filter::RecordTimeBefore(time(name, value)?),
        "EQ_action" => Filter::Action(actions(name, value)?),
        "EQ_bizStep" => Filter::BizStep(terms(name, value, Vocabulary::BizStep)?),
        "EQ_disposition" => Filter::Disposition(terms(name, value, Vocabulary::Disposition)?),
        "EQ_readPoint" => Filter::ReadPoint(ids(value)?),
        "WD_readPoint" => Filter::ReadPointWithin(ids(value)?),
        "EQ_bizLocation" => Filter::BizLocation(ids(value)?),
        "WD_bizLocation" => Filter::BizLocationWithin(ids(value)?),
        "EQ_eventID" => Filter::EventId(values(name, value)?),
        "EXISTS_errorDeclaration" => Filter::ErrorDeclarationExists,
        "EQ_persistentDisposition_set" | "EQ_persistentDisposition_unset" => Filter::Attr {
            name: format!(
                "persistentDisposition:{}",
                &name["EQ_persistentDisposition_".len()..]
            ),
            values: terms(name, value, Vocabulary::Disposition)?,
        },
        _ => return quantity_filter(name, value),
    }))
}

fn quantity_filter(name: &str, value: &str) -> Result<Option<Filter>, QueryError> {
    let compare = match name {
        "EQ_quantity" => Compare::Eq,
        "GT_quantity" => Compare::Gt,
        "GE_quantity" => Compare::Ge,
        "LT_quantity" => Compare::Lt,
        "LE_quantity" => Compare::Le,
        _ => return Ok(None),
    };
    let number: f64 = value
        .trim()
        .parse()
        .ok()
        .filter(|number: &f64| number.is_finite())
        .ok_or_else(|| QueryError::new(name, format!("`{value}` is not a number")))?;
    Ok(Some(Filter::Quantity(compare, number)))
}

fn match_filter(name: &str, value: &str) -> Result<Option<Filter>, QueryError> {
    const EPC: &[&str] = &["epc", "child"];
    const PARENT: &[&str] = &["parent"];
    const INPUT: &[&str] = &["input"];
    const OUTPUT: &[&str] = &["output"];
    const ANY: &[&str] = &["epc", "parent", "child", "input", "output"];
    const CLASS: &[&str] = &["quantity", "child"];
    const ANY_CLASS: &[&str] = &["quantity", "child", "input", "output"];
    let (roles, is_class): (&'static [&'static str], bool) = match name {
        "MATCH_epc" => (EPC, false),
        "MATCH_parentID" => (PARENT, false),
        "MATCH_inputEPC" => (INPUT, false),
        "MATCH_outputEPC" => (OUTPUT, false),
        "MATCH_anyEPC" => (ANY, false),
        "MATCH_epcClass" => (CLASS, true),
        "MATCH_inputEPCClass" => (INPUT, true),
        "MATCH_outputEPCClass" => (OUTPUT, true),
        "MATCH_anyEPCClass" => (ANY_CLASS, true),
        _ => return Ok(None),
    };
    let mut matches = Vec::new();
    for item in values(name, value)? {
        matches.push(id_match(name, &item, is_class)?);
    }
    Ok(Some(if is_class {
        Filter::Class { roles, matches }
    } else {
        Filter::Epc { roles, matches }
    }))
}

fn prefixed_filter(name: &str, value: &str) -> Result<Option<Filter>, QueryError> {
    if let Some(kind) = name.strip_prefix("EQ_bizTransaction_") {
        let kind = Term::read(Vocabulary::BizTransactionType, kind);
        let values = values(name, value)?;
        let name = format!("bizTransaction:{}", kind.json_form());
        return Ok(Some(Filter::Attr { name, values }));
    }
    for role in ["source", "destination"] {
        if let Some(kind) = name
            .strip_prefix("EQ_")
            .and_then(|rest| rest.strip_prefix(role))
            .and_then(|rest| rest.strip_prefix('_'))
        {
            let kind = Term::read(Vocabulary::SourceDestType, kind)
                .json_form()
                .to_owned();
            let values = values(name, value)?
                .iter()
                .map(|id| canonical_id(id))
                .collect();
            let role = if role == "source" {
                "source"
            } else {
                "destination"
            };
            return Ok(Some(Filter::SourceDest { role, kind, values }));
        }
    }
    Ok(None)
}

fn extension_name(name: &str, field: &str, prefixes: &dyn Prefixes) -> Result<String, QueryError> {
    if field.starts_with("http://") || field.starts_with("https://") || field.starts_with("urn:") {
        return Ok(field.to_owned());
    }
    let (prefix, local) = field.split_once(':').ok_or_else(|| {
        QueryError::new(
            name,
            "an extension field is written prefix:field or as a full IRI",
        )
    })?;
    let iri = prefixes.iri(prefix).ok_or_else(|| {
        QueryError::new(
            name,
            format!(
                "the namespace prefix `{prefix}` is unknown; write the field's full IRI instead"
            ),
        )
    })?;
    Ok(extension_field_name(&iri, local))
}

/// Splits `a|b|c`, refusing empty lists and more than [`MAX_VALUES`] values.
fn values(name: &str, value: &str) -> Result<Vec<String>, QueryError> {
    let items: Vec<String> = value
        .split('|')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect();
    if items.is_empty() {
        return Err(QueryError::new(name, "needs a value"));
    }
    if items.len() > MAX_VALUES {
        return Err(QueryError::new(
            name,
            format!(
                "has {} values; at most {MAX_VALUES} are allowed",
                items.len()
            ),
        ));
    }
    Ok(items)
}

fn event_types(name: &str, value: &str) -> Result<Vec<&'static str>, QueryError> {
    values(name, value)?
        .iter()
        .map(|item| {
            anxin_epcis::EventType::from_name(item)
                .map(|event_type| event_type.name())
                .ok_or_else(|| QueryError::new(name, format!("`{item}` is not an EPCIS event type (ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent)")))
        })
        .collect()
}

fn actions(name: &str, value: &str) -> Result<Vec<&'static str>, QueryError> {
    values(name, value)?
        .iter()
        .map(|item| {
            anxin_epcis::Action::parse(item)
                .map(|action| action.as_str())
                .ok_or_else(|| {
                    QueryError::new(name, format!("`{item}` is not ADD, OBSERVE or DELETE"))
                })
        })
        .collect()
}

fn terms(name: &str, value: &str, vocabulary: Vocabulary) -> Result<Vec<String>, QueryError> {
    Ok(values(name, value)?
        .iter()
        .map(|item| Term::read(vocabulary, item).json_form().to_owned())
        .collect())
}

fn time(name: &str, value: &str) -> Result<i64, QueryError> {
    // A `+` in a query string arrives as a space when the client did not percent-encode it.
    let parsed = EpcisTime::parse(value).or_else(|err| match value.contains(' ') {
        true => EpcisTime::parse(&value.replace(' ', "+")),
        false => Err(err),
    });
    parsed
        .map(|time| time.unix_millis())
        .map_err(|err| QueryError::new(name, err.to_string()))
}

fn count(name: &str, value: &str) -> Result<u64, QueryError> {
    value
        .trim()
        .parse()
        .map_err(|_| QueryError::new(name, format!("`{value}` is not a whole number of events")))
}

fn per_page(name: &str, value: &str) -> Result<u32, QueryError> {
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => Ok(n),
        _ => Err(QueryError::new(
            name,
            format!("`{value}` is not a page size from 1 to {MAX_PER_PAGE}"),
        )),
    }
}

fn order_by(name: &str, value: &str) -> Result<OrderBy, QueryError> {
    match value.trim() {
        "eventTime" => Ok(OrderBy::EventTime),
        "recordTime" => Ok(OrderBy::RecordTime),
        other => Err(QueryError::new(
            name,
            format!("`{other}` is not eventTime or recordTime"),
        )),
    }
}

fn direction(name: &str, value: &str) -> Result<bool, QueryError> {
    match value.trim() {
        "ASC" => Ok(false),
        "DESC" => Ok(true),
        other => Err(QueryError::new(
            name,
            format!("`{other}` is not ASC or DESC"),
        )),
    }
}

/// Reads one `MATCH_*` value: an identifier (URN or Digital Link) or an id pattern.
fn id_match(name: &str, value: &str, is_class: bool) -> Result<IdMatch, QueryError> {
    if !value.starts_with("urn:epc:idpat:") {
        let canonical = if is_class {
            canonical_class(value)
        } else {
            canonical_id(value)
        };
        return Ok(IdMatch::Exact(canonical));
    }
    let pattern = EpcPattern::parse(value)
        .map_err(|err| QueryError::new(name, format!("`{value}`: {err}")))?;
    if is_class {
        // A class pattern names a GTIN: it matches the GTIN and every lot of it.
        let key = pattern.to_key().ok_or_else(|| {
            QueryError::new(
                name,
                format!("`{value}` does not name a product class; give GCP and item reference"),
            )
        })?;
        return Ok(IdMatch::Pattern(vec![
            Piece::Text(key.to_digital_link()),
            Piece::Any,
        ]));
    }
    instance_pattern(&pattern, value).ok_or_else(|| {
        QueryError::new(
            name,
            format!(
                "`{value}`: patterns of this scheme are not supported; give the identifier in full"
            ),
        )
    })
}

/// The Digital Link pattern of an instance-level id pattern. Only the company prefix and
/// the reference are ever given before the `*`s; each scheme lays them out in its key.
fn instance_pattern(pattern: &EpcPattern, text: &str) -> Option<IdMatch> {
    let body = text
        .split_once(':')
        .map(|(_, rest)| rest)?
        .splitn(4, ':')
        .nth(3)?;
    let given: Vec<&str> = body.split('.').take_while(|field| *field != "*").collect();
    let n_fields = body.split('.').count();
    if given.len() == n_fields {
        return Some(IdMatch::Exact(canonical_id(
            text.replacen("idpat", "id", 1).as_str(),
        )));
    }
    let stem = anxin_gs1::CANONICAL_DL_STEM;
    let text = |value: String| Piece::Text(value);
    use anxin_gs1::EpcScheme as S;
    let pieces = match (pattern.scheme(), given.as_slice()) {
        (S::Sgtin, [_, _]) => vec![
            text(format!("{}/21/", pattern.to_key()?.to_digital_link())),
            Piece::Any,
        ],
        (S::Sgtin, [gcp]) => vec![
            text(format!("{stem}/01/")),
            Piece::One,
            text(gcp.to_string()),
            Piece::Any,
            text("/21/".into()),
            Piece::Any,
        ],
        (S::Sgtin, []) => vec![
            text(format!("{stem}/01/")),
            Piece::Any,
            text("/21/".into()),
            Piece::Any,
        ],
        (S::Sscc, [gcp]) => vec![
            text(format!("{stem}/00/")),
            Piece::One,
            text(gcp.to_string()),
            Piece::Any,
        ],
        (S::Sscc, []) => vec![text(format!("{stem}/00/")), Piece::Any],
        (S::Sgln, [gcp, location]) => vec![
            text(format!("{stem}/414/{gcp}{location}")),
            Piece::One,
            Piece::Any,
        ],
        (S::Sgln, [gcp]) => vec![text(format!("{stem}/414/{gcp}")), Piece::Any],
        (S::Sgln, []) => vec![text(format!("{stem}/414/")), Piece::Any],
        (S::Grai, [gcp, asset_type]) => vec![
            text(format!("{stem}/8003/0{gcp}{asset_type}")),
            Piece::One,
            Piece::Any,
        ],
        (S::Grai, [gcp]) => vec![text(format!("{stem}/8003/0{gcp}")), Piece::Any],
        (S::Giai, [gcp]) => vec![text(format!("{stem}/8004/{gcp}")), Piece::Any],
        _ => return None,
    };
    Some(IdMatch::Pattern(pieces))
}

#[cfg(test)]
mod tests;

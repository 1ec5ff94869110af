//! EPCIS 2.0 and CBV 2.0 for Anxin: the event model, the JSON-LD and XML codecs, validation
//! beyond the JSON Schema, and CBV 2.0 event hash IDs.
//!
//! This crate does no IO of its own: readers take any [`std::io::Read`], writers any
//! [`std::io::Write`], and nothing here touches files, sockets or databases. It knows nothing
//! of storage, HTTP or access rules.
//!
//! Reading is streaming: [`json::read`] and [`xml::read`] hand each event to an
//! [`EventSink`] as soon as it is complete, so a 200 MB document is never held whole.
//! Problems with one event do not stop the reader; it reports them for that event and goes
//! on, so that a user sees every problem at once. Only malformed syntax and exceeded
//! [`Limits`] stop it.

pub mod cbv;
mod compare;
pub mod error;
pub mod ext;
pub mod hash;
mod ids;
pub mod json;
pub mod limits;
pub mod model;
pub mod roundtrip;
pub mod sample;
pub mod time;
pub mod validate;
pub mod xml;

pub use cbv::{Term, Vocabulary as CbvVocabulary};
pub use error::{FieldProblem, Origin, Place, Problem, ReadError};
pub use ext::{ExtValue, Extension, Namespace, Namespaces, QName};
pub use limits::Limits;
pub use model::{
    Action, BizTransaction, Document, DocumentType, ErrorDeclaration, Event, EventType, Header,
    Location, MasterDataAttribute, PersistentDisposition, QuantityElement, QueryResults,
    SensorElement, SensorMetadata, SensorReport, SourceDest, Vocabulary, VocabularyElement,
};
pub use time::{EpcisTime, TimeError, TimeZoneOffset};

/// The consumer of a streaming reader.
///
/// A reader calls [`EventSink::header`] once, before the first event, with the header as far
/// as the document has given it by then, and [`EventSink::event`] for each event in document
/// order: `Ok(event)` when the event could be read, `Err(problems)` when it could not (each
/// problem placed in the source). The reader's own return value is the complete header.
pub trait EventSink {
    /// Called once before the first event (or at the end, for a document without events).
    fn header(&mut self, header: &Header) -> Result<(), String> {
        let _ = header;
        Ok(())
    }

    /// Called for each event. Returning `Err` stops the reader with [`ReadError::Stopped`].
    fn event(&mut self, event: Result<Event, Vec<Problem>>, origin: Origin) -> Result<(), String>;
}

/// The two syntaxes of EPCIS 2.0 documents.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Format {
    /// JSON-LD (`application/ld+json`, `application/json`).
    Json,
    /// XML (`application/xml`).
    Xml,
}

impl Format {
    /// Guesses the syntax from the first bytes: `{` is JSON, `<` is XML (after any byte
    /// order mark and white space).
    pub fn sniff(start: &[u8]) -> Option<Format> {
        let start = start
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .unwrap_or(start);
        match start.iter().find(|byte| !byte.is_ascii_whitespace()) {
            Some(b'{') => Some(Format::Json),
            Some(b'<') => Some(Format::Xml),
            _ => None,
        }
    }
}

/// A whole document read into memory, with the place of each event and every problem found.
#[derive(Clone, Debug)]
pub struct ReadDocument {
    /// The header and the events that could be read.
    pub document: Document,
    /// Where each event in `document.events` came from (same order).
    pub origins: Vec<Origin>,
    /// Problems with events that could not be read; those events are not in `document`.
    pub problems: Vec<Problem>,
}

/// Collects a streamed document into memory.
#[derive(Default)]
struct Collector {
    events: Vec<Event>,
    origins: Vec<Origin>,
    problems: Vec<Problem>,
}

impl EventSink for Collector {
    fn event(&mut self, event: Result<Event, Vec<Problem>>, origin: Origin) -> Result<(), String> {
        match event {
            Ok(event) => {
                self.events.push(event);
                self.origins.push(origin);
            }
            Err(problems) => self.problems.extend(problems),
        }
        Ok(())
    }
}

/// Reads a whole document of either syntax into memory.
pub fn read_document(
    input: impl std::io::Read,
    format: Format,
    limits: &Limits,
) -> Result<ReadDocument, ReadError> {
    let mut collector = Collector::default();
    let header = match format {
        Format::Json => json::read(input, limits, &mut collector)?,
        Format::Xml => xml::read(input, limits, &mut collector)?,
    };
    Ok(ReadDocument {
        document: Document {
            header,
            events: collector.events,
        },
        origins: collector.origins,
        problems: collector.problems,
    })
}

//! Reading: EPCIS XML documents into a [`Header`] and a stream of [`Event`]s.
//!
//! The reader is a recursive descent over the cursor's tokens: each function below reads one
//! kind of element from just after its start tag to its end tag. Events are built directly
//! in an [`Event`] and handed to the sink at their end tag. Problems with one event are
//! collected with their place and the event is reported as `Err`; reading goes on. A
//! document whose structure is not EPCIS at all (an unknown root, an unknown element in the
//! header, an unreadable creation date, unreadable master data) stops reading, because there
//! is no event to pin the problem on. This file does not decide which fields an event type
//! requires beyond the two the model cannot do without (`eventTime`, `eventTimeZoneOffset`).

use std::io::Read;

use jiff::Timestamp;
use jiff::tz::Offset;

use super::cursor::{Attr, Cursor, Space, Tok};
use super::source::Pos;
use super::{Field, is_document_namespace};
use crate::EventSink;
use crate::cbv::{Term, Vocabulary as Cbv};
use crate::error::{Origin, Place, Problem, ReadError};
use crate::ext::{ExtValue, Extension, QName};
use crate::limits::Limits;
use crate::model::{
    Action, BizTransaction, DocumentType, ErrorDeclaration, Event, EventType, Header, Location,
    MasterDataAttribute, PersistentDisposition, QuantityElement, QueryResults, SensorElement,
    SensorMetadata, SensorReport, SourceDest, Vocabulary, VocabularyElement,
};
use crate::time::{EpcisTime, TimeZoneOffset};

/// Reads an XML EPCIS document, handing each event to `sink` as soon as its end tag is read.
///
/// Accepted roots are `epcis:EPCISDocument`, `epcisq:EPCISQueryDocument` (its events are in
/// `EPCISBody/QueryResults/resultsBody/EventList`) and `epcismd:EPCISMasterDataDocument` (its
/// vocabularies become the header's master data; it has no events). `sink.header` is called
/// once, before the first event, with the header as read so far (or at the end for a
/// document without events); the complete header is returned.
///
/// Each event arrives as `Ok(event)` or, when something in it could not be read, as
/// `Err(problems)`, each problem placed at a line and column. The [`Origin`] given with it
/// holds the event's own place and the places of its top-level child elements by field
/// name, so that later validation can point at the right line.
///
/// # Errors
///
/// [`ReadError::Syntax`] when the input is not well-formed XML or not an EPCIS document,
/// [`ReadError::Limit`] when a limit is exceeded (both placed), [`ReadError::Io`] when
/// `input` fails, and [`ReadError::Stopped`] when the sink asks to stop.
pub fn read(
    input: impl Read,
    limits: &Limits,
    sink: &mut impl EventSink,
) -> Result<Header, ReadError> {
    let mut reader = Reader {
        cur: Cursor::new(input, limits),
        max_events: limits.max_events,
        n_events: 0,
        header_sent: false,
    };
    reader.document(sink)
}

/// Which of the three document roots is being read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Root {
    Capture,
    Query,
    MasterData,
}

impl Root {
    fn name(self) -> &'static str {
        match self {
            Root::Capture => "EPCISDocument",
            Root::Query => "EPCISQueryDocument",
            Root::MasterData => "EPCISMasterDataDocument",
        }
    }
}

struct Reader<R> {
    cur: Cursor<R>,
    max_events: usize,
    n_events: usize,
    header_sent: bool,
}

/// One event while it is being read.
struct EventDraft {
    event: Event,
    /// Which standard fields have been read, to refuse a field given twice.
    seen: [bool; Field::ALL.len()],
    problems: Vec<Problem>,
    fields: Vec<(String, Place)>,
    /// Where the event's element path starts in the cursor's path.
    from: usize,
}

impl<R: Read> Reader<R> {
    fn document(&mut self, sink: &mut impl EventSink) -> Result<Header, ReadError> {
        let root = self.root()?;
        let mut header = self.root_header(root)?;
        loop {
            match self.cur.next()? {
                Tok::Start => self.document_child(root, &mut header, sink)?,
                Tok::Text => self.refuse_text(root.name())?,
                Tok::End => break,
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
        self.after_root()?;
        self.send_header(&header, sink)?;
        Ok(header)
    }

    /// Finds the root element and says which document it starts.
    fn root(&mut self) -> Result<Root, ReadError> {
        // White space, comments, the declaration and a DOCTYPE are passed over by the
        // cursor, so the first token must be the root's start tag.
        match self.cur.next()? {
            Tok::Start => {}
            Tok::Text => {
                let pos = self.cur.token_pos();
                return Err(self.cur.syntax(
                    pos,
                    "text before the document element; expected <epcis:EPCISDocument>".to_owned(),
                ));
            }
            Tok::End | Tok::Eof => {
                let pos = self.cur.token_pos();
                return Err(self.cur.syntax(
                    pos,
                    "the document has no elements; expected <epcis:EPCISDocument>".to_owned(),
                ));
            }
        }
        match (self.cur.space(), self.cur.local()) {
            (Space::Epcis, "EPCISDocument") => Ok(Root::Capture),
            (Space::Query, "EPCISQueryDocument") => Ok(Root::Query),
            (Space::MasterData, "EPCISMasterDataDocument") => Ok(Root::MasterData),
            _ => Err(self.cur.syntax(
                self.cur.pos,
                format!(
                    "the document element is `{}` in the namespace `{}`; expected \
                     EPCISDocument in `{}` (or EPCISQueryDocument, EPCISMasterDataDocument)",
                    self.cur.local(),
                    self.cur.iri(),
                    super::EPCIS_NAMESPACE
                ),
            )),
        }
    }

    /// Builds the header from the root element's attributes and namespace declarations.
    fn root_header(&mut self, root: Root) -> Result<Header, ReadError> {
        let pos = self.cur.pos;
        let mut schema_version = None;
        let mut creation_date = None;
        let mut id = None;
        for attr in self.cur.attrs() {
            if attr.is("schemaVersion") {
                schema_version = Some(attr.value.trim_ascii().to_owned());
            } else if attr.is("creationDate") {
                creation_date = Some(EpcisTime::parse(attr.value).map_err(|err| {
                    self.cur.syntax(
                        pos,
                        format!("creationDate: {err}; expected an RFC 3339 date-time"),
                    )
                })?);
            } else if attr.is("id") {
                id = Some(attr.value.to_owned());
            }
        }
        let Some(creation_date) = creation_date else {
            return Err(self.cur.syntax(
                pos,
                format!(
                    "{} has no creationDate attribute; expected creationDate=\"2024-05-01T08:30:00+08:00\"",
                    root.name()
                ),
            ));
        };
        let Some(schema_version) = schema_version else {
            return Err(self.cur.syntax(
                pos,
                format!(
                    "{} has no schemaVersion attribute; expected schemaVersion=\"2.0\"",
                    root.name()
                ),
            ));
        };
        let mut header = Header::new(creation_date);
        header.schema_version = schema_version;
        header.id = id;
        if root == Root::Query {
            header.document_type = DocumentType::EpcisQueryDocument;
        }
        for (prefix, iri) in self.cur.declarations() {
            // The default namespace is not a prefix, and the writer declares the document's
            // own namespace itself; leaving both out keeps a read-write-read round trip
            // equal.
            if !prefix.is_empty() && !is_document_namespace(iri) {
                header.namespaces.declare(prefix.clone(), iri.clone());
            }
        }
        Ok(header)
    }

    fn document_child(
        &mut self,
        root: Root,
        header: &mut Header,
        sink: &mut impl EventSink,
    ) -> Result<(), ReadError> {
        if self.cur.is("EPCISHeader") {
            self.epcis_header(header)
        } else if self.cur.is("EPCISBody") {
            self.body(root, header, sink)
        } else if self.cur.is("extension") {
            self.header_wrapper(&mut header.extensions)
        } else if !self.cur.space().is_standard() {
            let extension = self.header_extension()?;
            header.extensions.push(extension);
            Ok(())
        } else {
            Err(self.unexpected(root.name(), "EPCISHeader, EPCISBody or extension"))
        }
    }

    /// Reads to the end of the input after the root element.
    fn after_root(&mut self) -> Result<(), ReadError> {
        // Trailing white space and comments are passed over by the cursor.
        match self.cur.next()? {
            Tok::Eof => Ok(()),
            Tok::Text | Tok::Start | Tok::End => {
                let pos = self.cur.token_pos();
                Err(self.cur.syntax(
                    pos,
                    "content after the document element; expected the end of the document"
                        .to_owned(),
                ))
            }
        }
    }

    fn send_header(&mut self, header: &Header, sink: &mut impl EventSink) -> Result<(), ReadError> {
        if !self.header_sent {
            self.header_sent = true;
            sink.header(header).map_err(ReadError::Stopped)?;
        }
        Ok(())
    }

    // --- Header, body, master data ------------------------------------------------------

    fn epcis_header(&mut self, header: &mut Header) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.space() == Space::Sbdh
                        && self.cur.local() == "StandardBusinessDocumentHeader"
                    {
                        let sbdh = self.header_extension()?;
                        copy_sbdh_fields(&sbdh, header);
                        header.extensions.push(sbdh);
                    } else if self.cur.is("extension") {
                        self.header_extension_list(header)?;
                    } else if !self.cur.space().is_standard() {
                        let extension = self.header_extension()?;
                        header.extensions.push(extension);
                    } else {
                        return Err(self.unexpected(
                            "EPCISHeader",
                            "sbdh:StandardBusinessDocumentHeader or extension",
                        ));
                    }
                }
                Tok::Text => self.refuse_text("EPCISHeader")?,
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    /// `EPCISHeader/extension`: master data, and a further extension wrapper.
    fn header_extension_list(&mut self, header: &mut Header) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("EPCISMasterData") {
                        self.master_data(header)?;
                    } else if self.cur.is("extension") {
                        self.header_wrapper(&mut header.extensions)?;
                    } else {
                        let extension = self.header_extension()?;
                        header.extensions.push(extension);
                    }
                }
                Tok::Text => self.refuse_text("extension")?,
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    /// `EPCISMasterData`: a vocabulary list and an extension wrapper.
    fn master_data(&mut self, header: &mut Header) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("VocabularyList") {
                        self.vocabulary_list(&mut header.master_data)?;
                    } else if self.cur.is("extension") {
                        self.header_wrapper(&mut header.extensions)?;
                    } else {
                        return Err(self.unexpected("EPCISMasterData", "VocabularyList"));
                    }
                }
                Tok::Text => self.refuse_text("EPCISMasterData")?,
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn body(
        &mut self,
        root: Root,
        header: &mut Header,
        sink: &mut impl EventSink,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => match root {
                    Root::Capture if self.cur.is("EventList") => self.event_list(header, sink)?,
                    Root::MasterData if self.cur.is("VocabularyList") => {
                        self.vocabulary_list(&mut header.master_data)?;
                    }
                    Root::Query
                        if self.cur.space() == Space::Query
                            && self.cur.local() == "QueryResults" =>
                    {
                        self.query_results(header, sink)?;
                    }
                    _ if self.cur.is("extension") => {
                        self.header_wrapper(&mut header.extensions)?;
                    }
                    _ if !self.cur.space().is_standard() && self.cur.space() != Space::Query => {
                        let extension = self.header_extension()?;
                        header.extensions.push(extension);
                    }
                    Root::Capture => return Err(self.unexpected("EPCISBody", "EventList")),
                    Root::MasterData => {
                        return Err(self.unexpected("EPCISBody", "VocabularyList"));
                    }
                    Root::Query => {
                        return Err(self.unexpected("EPCISBody", "epcisq:QueryResults"));
                    }
                },
                Tok::Text => self.refuse_text("EPCISBody")?,
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn query_results(
        &mut self,
        header: &mut Header,
        sink: &mut impl EventSink,
    ) -> Result<(), ReadError> {
        let mut results = QueryResults::default();
        let mut results_body_seen = false;
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("queryName") {
                        results.query_name = self.header_text("queryName")?;
                    } else if self.cur.is("subscriptionID") {
                        results.subscription_id = self.header_text("subscriptionID")?;
                    } else if self.cur.is("resultsBody") {
                        results_body_seen = true;
                        header.query_results = Some(results.clone());
                        self.results_body(header, sink)?;
                    } else if self.cur.is("extension") {
                        self.header_wrapper(&mut header.extensions)?;
                    } else if !self.cur.space().is_standard() {
                        let extension = self.header_extension()?;
                        header.extensions.push(extension);
                    } else {
                        return Err(self.unexpected(
                            "QueryResults",
                            "queryName, subscriptionID or resultsBody",
                        ));
                    }
                }
                Tok::Text => self.refuse_text("QueryResults")?,
                Tok::End => break,
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
        if !results_body_seen {
            header.query_results = Some(results);
        }
        Ok(())
    }

    fn results_body(
        &mut self,
        header: &mut Header,
        sink: &mut impl EventSink,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("EventList") {
                        self.event_list(header, sink)?;
                    } else if self.cur.is("VocabularyList") {
                        self.vocabulary_list(&mut header.master_data)?;
                    } else {
                        return Err(self.unexpected("resultsBody", "EventList or VocabularyList"));
                    }
                }
                Tok::Text => self.refuse_text("resultsBody")?,
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn vocabulary_list(&mut self, vocabularies: &mut Vec<Vocabulary>) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("Vocabulary") {
                        let vocabulary = self.vocabulary()?;
                        vocabularies.push(vocabulary);
                    } else {
                        return Err(self.unexpected("VocabularyList", "Vocabulary"));
                    }
                }
                Tok::Text => self.refuse_text("VocabularyList")?,
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn vocabulary(&mut self) -> Result<Vocabulary, ReadError> {
        let pos = self.cur.pos;
        let Some(vocabulary_type) = self.cur.attr(Space::None, "type") else {
            return Err(self.cur.syntax(
                pos,
                "Vocabulary has no type attribute; expected a vocabulary type such as \
                 urn:epcglobal:epcis:vtype:BusinessLocation"
                    .to_owned(),
            ));
        };
        let mut vocabulary = Vocabulary {
            vocabulary_type: vocabulary_type.trim_ascii().to_owned(),
            elements: Vec::new(),
        };
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("VocabularyElementList") {
                        self.vocabulary_elements(&mut vocabulary.elements)?;
                    } else if self.cur.is("extension") || !self.cur.space().is_standard() {
                        // The model has no place for extensions of a whole vocabulary (as
                        // opposed to one of its elements), so they are passed over.
                        self.cur.skip()?;
                    } else {
                        return Err(self.unexpected("Vocabulary", "VocabularyElementList"));
                    }
                }
                Tok::Text => self.refuse_text("Vocabulary")?,
                Tok::End => return Ok(vocabulary),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn vocabulary_elements(
        &mut self,
        elements: &mut Vec<VocabularyElement>,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("VocabularyElement") {
                        let element = self.vocabulary_element()?;
                        elements.push(element);
                    } else {
                        return Err(self.unexpected("VocabularyElementList", "VocabularyElement"));
                    }
                }
                Tok::Text => self.refuse_text("VocabularyElementList")?,
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn vocabulary_element(&mut self) -> Result<VocabularyElement, ReadError> {
        let pos = self.cur.pos;
        let Some(id) = self.cur.attr(Space::None, "id") else {
            return Err(self.cur.syntax(
                pos,
                "VocabularyElement has no id attribute; expected the identifier it describes"
                    .to_owned(),
            ));
        };
        let mut element = VocabularyElement {
            id: id.trim_ascii().to_owned(),
            attributes: Vec::new(),
            children: Vec::new(),
            extensions: Vec::new(),
        };
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("attribute") {
                        let attribute = self.master_data_attribute()?;
                        element.attributes.push(attribute);
                    } else if self.cur.is("children") {
                        self.master_data_children(&mut element.children)?;
                    } else if self.cur.is("extension") {
                        self.header_wrapper(&mut element.extensions)?;
                    } else if !self.cur.space().is_standard() {
                        let extension = self.header_extension()?;
                        element.extensions.push(extension);
                    } else {
                        return Err(self
                            .unexpected("VocabularyElement", "attribute, children or extension"));
                    }
                }
                Tok::Text => self.refuse_text("VocabularyElement")?,
                Tok::End => return Ok(element),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn master_data_attribute(&mut self) -> Result<MasterDataAttribute, ReadError> {
        let pos = self.cur.pos;
        let Some(id) = self.cur.attr(Space::None, "id") else {
            return Err(self.cur.syntax(
                pos,
                "attribute has no id attribute; expected the attribute's name, such as \
                 urn:epcglobal:cbv:mda#name"
                    .to_owned(),
            ));
        };
        let id = id.trim_ascii().to_owned();
        let mut problems = Vec::new();
        let value = self.ext_content(&mut problems, 0)?;
        self.fatal(problems)?;
        Ok(MasterDataAttribute { id, value })
    }

    fn master_data_children(&mut self, children: &mut Vec<String>) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("id") {
                        if let Some(id) = self.header_text("id")? {
                            children.push(id);
                        }
                    } else {
                        return Err(self.unexpected("children", "id"));
                    }
                }
                Tok::Text => self.refuse_text("children")?,
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    /// An extension element outside events, where a problem stops reading.
    fn header_extension(&mut self) -> Result<Extension, ReadError> {
        let mut problems = Vec::new();
        let extension = self.ext_element(&mut problems, 0)?;
        self.fatal(problems)?;
        Ok(extension)
    }

    /// An `<extension>` wrapper outside events: its children, whatever their namespace,
    /// become extensions.
    fn header_wrapper(&mut self, extensions: &mut Vec<Extension>) -> Result<(), ReadError> {
        let mut problems = Vec::new();
        self.ext_wrapper(extensions, &mut problems, 0)?;
        self.fatal(problems)
    }

    /// A text-only element outside events; empty text reads as `None`.
    fn header_text(&mut self, name: &str) -> Result<Option<String>, ReadError> {
        let pos = self.cur.pos;
        if !self.cur.text_only()? {
            return Err(self
                .cur
                .syntax(pos, format!("{name} holds elements; expected text only")));
        }
        let text = self.cur.text().trim_ascii();
        Ok((!text.is_empty()).then(|| text.to_owned()))
    }

    // --- Events -------------------------------------------------------------------------

    fn event_list(&mut self, header: &Header, sink: &mut impl EventSink) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    let event_type = if self.cur.space().is_standard() {
                        EventType::from_name(self.cur.local())
                    } else {
                        None
                    };
                    match event_type {
                        Some(event_type) => self.event(event_type, header, sink)?,
                        // EPCIS 1.x put TransformationEvent in an extension of the event
                        // list, and the 2.0 XSD keeps the wrapper.
                        None if self.cur.is("extension") => self.event_list(header, sink)?,
                        None => self.not_an_event(header, sink)?,
                    }
                }
                Tok::Text => self.refuse_text("EventList")?,
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    /// Counts one more event, stopping at the limit, and makes sure the sink has the header.
    fn begin_event(
        &mut self,
        header: &Header,
        sink: &mut impl EventSink,
    ) -> Result<usize, ReadError> {
        if self.n_events >= self.max_events {
            return Err(self.cur.limit(
                self.cur.pos,
                format!(
                    "the document has more than {} events (max_events)",
                    self.max_events
                ),
            ));
        }
        self.send_header(header, sink)?;
        self.n_events += 1;
        Ok(self.n_events - 1)
    }

    fn not_an_event(
        &mut self,
        header: &Header,
        sink: &mut impl EventSink,
    ) -> Result<(), ReadError> {
        let index = self.begin_event(header, sink)?;
        let pos = self.cur.pos;
        let from = self.cur.path_depth() - 1;
        let message = if self.cur.is("QuantityEvent") {
            "QuantityEvent was removed in EPCIS 2.0; expected an ObjectEvent with a quantityList"
                .to_owned()
        } else {
            format!(
                "`{}` is not an EPCIS event; expected ObjectEvent, AggregationEvent, \
                 TransactionEvent, TransformationEvent or AssociationEvent",
                self.cur.qname()
            )
        };
        let place = self.cur.place(pos, from);
        let problem = Problem {
            place: place.clone(),
            message,
        };
        self.cur.skip()?;
        let origin = Origin {
            index,
            place,
            fields: Vec::new(),
        };
        sink.event(Err(vec![problem]), origin)
            .map_err(ReadError::Stopped)
    }

    fn event(
        &mut self,
        event_type: EventType,
        header: &Header,
        sink: &mut impl EventSink,
    ) -> Result<(), ReadError> {
        let index = self.begin_event(header, sink)?;
        let pos = self.cur.pos;
        let from = self.cur.path_depth() - 1;
        // The two fields the model cannot do without start as placeholders; `seen` says
        // whether the document gave them.
        let mut draft = EventDraft {
            event: Event::new(
                event_type,
                EpcisTime::utc(Timestamp::UNIX_EPOCH),
                TimeZoneOffset(Offset::UTC),
            ),
            seen: [false; Field::ALL.len()],
            problems: Vec::new(),
            // Room for the fields of a typical event, so the list grows once.
            fields: Vec::with_capacity(16),
            from,
        };
        self.event_children(&mut draft, false)?;
        let place = self.cur.place(pos, from);
        for field in [Field::EventTime, Field::EventTimeZoneOffset] {
            if !draft.seen[field as usize] {
                draft.problems.push(Problem {
                    place: place.clone(),
                    message: format!(
                        "{} has no {}; expected <{}> in every event",
                        event_type.name(),
                        field.name(),
                        field.name()
                    ),
                });
            }
        }
        let origin = Origin {
            index,
            place: Place::Xml {
                line: pos.line,
                column: pos.column,
                path: event_type.name().to_owned(),
            },
            fields: draft.fields,
        };
        let result = if draft.problems.is_empty() {
            Ok(draft.event)
        } else {
            Err(draft.problems)
        };
        sink.event(result, origin).map_err(ReadError::Stopped)
    }

    /// The children of an event, or of an `<extension>` wrapper inside one.
    fn event_children(
        &mut self,
        draft: &mut EventDraft,
        in_wrapper: bool,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => self.event_child(draft, in_wrapper)?,
                Tok::Text => {
                    let pos = self.cur.token_pos();
                    let problem = self.problem(
                        pos,
                        draft.from,
                        "text directly inside an event; expected only elements".to_owned(),
                    );
                    draft.problems.push(problem);
                }
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn event_child(&mut self, draft: &mut EventDraft, in_wrapper: bool) -> Result<(), ReadError> {
        let pos = self.cur.pos;
        let standard = self.cur.space().is_standard();
        if standard {
            if let Some(field) = Field::from_name(self.cur.local()) {
                draft
                    .fields
                    .push((field.name().to_owned(), bare_place(pos)));
                return self.event_field(draft, field, pos);
            }
            if self.cur.is("extension") || self.cur.is("baseExtension") {
                return self.event_children(draft, true);
            }
            if !in_wrapper {
                let problem = self.problem(
                    pos,
                    draft.from,
                    format!(
                        "unknown element `{}` in {}; expected a standard field (such as \
                         bizStep) or an extension element in its own namespace",
                        self.cur.qname(),
                        draft.event.event_type.name()
                    ),
                );
                draft.problems.push(problem);
                return self.cur.skip();
            }
        }
        draft.fields.push((self.cur.qname(), bare_place(pos)));
        let extension = self.ext_element(&mut draft.problems, draft.from)?;
        draft.event.extensions.push(extension);
        Ok(())
    }

    fn event_field(
        &mut self,
        draft: &mut EventDraft,
        field: Field,
        pos: Pos,
    ) -> Result<(), ReadError> {
        let repeatable = matches!(
            field,
            Field::CertificationInfo
                | Field::EpcList
                | Field::ChildEpcs
                | Field::InputEpcList
                | Field::OutputEpcList
                | Field::QuantityList
                | Field::ChildQuantityList
                | Field::InputQuantityList
                | Field::OutputQuantityList
                | Field::BizTransactionList
                | Field::SourceList
                | Field::DestinationList
                | Field::SensorElementList
        );
        if draft.seen[field as usize] && !repeatable {
            let problem = self.problem(
                pos,
                draft.from,
                format!(
                    "{} appears more than once; expected it at most once",
                    field.name()
                ),
            );
            draft.problems.push(problem);
            return self.cur.skip();
        }
        draft.seen[field as usize] = true;
        let from = draft.from;
        let problems = &mut draft.problems;
        let event = &mut draft.event;
        match field {
            Field::EventTime => {
                if let Some(time) = self.time(problems, from, pos)? {
                    event.event_time = time;
                }
            }
            Field::RecordTime => event.record_time = self.time(problems, from, pos)?,
            Field::EventTimeZoneOffset => {
                let offset = self.parsed(problems, from, pos, |text| {
                    TimeZoneOffset::parse(text).map_err(|err| err.0)
                })?;
                if let Some(offset) = offset {
                    event.event_time_zone_offset = offset;
                }
            }
            Field::EventId => event.event_id = self.text(problems, from, pos)?,
            Field::CertificationInfo => {
                if let Some(text) = self.text(problems, from, pos)? {
                    event.certification_info.push(text);
                }
            }
            Field::ErrorDeclaration => {
                event.error_declaration = self.error_declaration(problems, from, pos)?;
            }
            Field::ParentId => event.parent_id = self.text(problems, from, pos)?,
            Field::EpcList => self.epc_list("epc", &mut event.epc_list, problems, from)?,
            Field::ChildEpcs => self.epc_list("epc", &mut event.child_epcs, problems, from)?,
            Field::InputEpcList => {
                self.epc_list("epc", &mut event.input_epc_list, problems, from)?;
            }
            Field::OutputEpcList => {
                self.epc_list("epc", &mut event.output_epc_list, problems, from)?;
            }
            Field::QuantityList => self.quantity_list(&mut event.quantity_list, problems, from)?,
            Field::ChildQuantityList => {
                self.quantity_list(&mut event.child_quantity_list, problems, from)?;
            }
            Field::InputQuantityList => {
                self.quantity_list(&mut event.input_quantity_list, problems, from)?;
            }
            Field::OutputQuantityList => {
                self.quantity_list(&mut event.output_quantity_list, problems, from)?;
            }
            Field::TransformationId => event.transformation_id = self.text(problems, from, pos)?,
            Field::Action => {
                event.action = self.parsed(problems, from, pos, |text| {
                    Action::parse(text).ok_or_else(|| {
                        format!("action is `{text}`; expected ADD, OBSERVE or DELETE")
                    })
                })?;
            }
            Field::BizStep => event.biz_step = self.term(Cbv::BizStep, problems, from, pos)?,
            Field::Disposition => {
                event.disposition = self.term(Cbv::Disposition, problems, from, pos)?;
            }
            Field::PersistentDisposition => {
                event.persistent_disposition = Some(self.persistent_disposition(problems, from)?);
            }
            Field::ReadPoint => {
                event.read_point = self.location("readPoint", problems, from, pos)?
            }
            Field::BizLocation => {
                event.biz_location = self.location("bizLocation", problems, from, pos)?;
            }
            Field::BizTransactionList => {
                self.biz_transactions(&mut event.biz_transaction_list, problems, from)?;
            }
            Field::SourceList => {
                self.source_dests("source", &mut event.source_list, problems, from)?;
            }
            Field::DestinationList => {
                self.source_dests("destination", &mut event.destination_list, problems, from)?;
            }
            Field::SensorElementList => {
                self.sensor_elements(&mut event.sensor_element_list, problems, from)?;
            }
            Field::Ilmd => {
                let mut ilmd = Vec::new();
                self.ext_container("ilmd", &mut ilmd, problems, from)?;
                event.ilmd = Some(ilmd);
            }
        }
        Ok(())
    }

    // --- Parts of events ----------------------------------------------------------------

    fn error_declaration(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) -> Result<Option<ErrorDeclaration>, ReadError> {
        let mut declaration_time = None;
        let mut reason = None;
        let mut corrective_event_ids = Vec::new();
        let mut extensions = Vec::new();
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    let child_pos = self.cur.pos;
                    if self.cur.is("declarationTime") {
                        declaration_time = self.time(problems, from, child_pos)?;
                    } else if self.cur.is("reason") {
                        reason = self.term(Cbv::ErrorReason, problems, from, child_pos)?;
                    } else if self.cur.is("correctiveEventIDs") {
                        self.epc_list(
                            "correctiveEventID",
                            &mut corrective_event_ids,
                            problems,
                            from,
                        )?;
                    } else {
                        self.ext_child("errorDeclaration", &mut extensions, problems, from)?;
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => break,
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
        let Some(declaration_time) = declaration_time else {
            problems.push(self.problem(
                pos,
                from,
                "errorDeclaration has no declarationTime; expected <declarationTime>".to_owned(),
            ));
            return Ok(None);
        };
        Ok(Some(ErrorDeclaration {
            declaration_time,
            reason,
            corrective_event_ids,
            extensions,
        }))
    }

    /// A list of text elements called `item` (`epc`, `correctiveEventID`).
    fn epc_list(
        &mut self,
        item: &str,
        list: &mut Vec<String>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    let pos = self.cur.pos;
                    if self.cur.is(item) {
                        if let Some(text) = self.text(problems, from, pos)? {
                            list.push(text);
                        }
                    } else {
                        self.unknown_child(item, problems, from)?;
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn quantity_list(
        &mut self,
        list: &mut Vec<QuantityElement>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("quantityElement") {
                        if let Some(element) = self.quantity_element(problems, from)? {
                            list.push(element);
                        }
                    } else {
                        self.unknown_child("quantityElement", problems, from)?;
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn quantity_element(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<Option<QuantityElement>, ReadError> {
        let pos = self.cur.pos;
        let mut epc_class = None;
        let mut quantity = None;
        let mut uom = None;
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    let child_pos = self.cur.pos;
                    if self.cur.is("epcClass") {
                        epc_class = self.text(problems, from, child_pos)?;
                    } else if self.cur.is("quantity") {
                        if self.cur.attr(Space::Xsi, "nil").map(str::trim) == Some("true") {
                            self.cur.skip()?;
                        } else {
                            quantity = self.number("quantity", problems, from, child_pos)?;
                        }
                    } else if self.cur.is("uom") {
                        uom = self.text(problems, from, child_pos)?;
                    } else {
                        self.unknown_child("epcClass, quantity or uom", problems, from)?;
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => break,
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
        let Some(epc_class) = epc_class else {
            problems.push(self.problem(
                pos,
                from,
                "quantityElement has no epcClass; expected <epcClass>".to_owned(),
            ));
            return Ok(None);
        };
        Ok(Some(QuantityElement {
            epc_class,
            quantity,
            uom,
        }))
    }

    fn persistent_disposition(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<PersistentDisposition, ReadError> {
        let mut disposition = PersistentDisposition::default();
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    let pos = self.cur.pos;
                    if self.cur.is("set") {
                        if let Some(term) = self.term(Cbv::Disposition, problems, from, pos)? {
                            disposition.set.push(term);
                        }
                    } else if self.cur.is("unset") {
                        if let Some(term) = self.term(Cbv::Disposition, problems, from, pos)? {
                            disposition.unset.push(term);
                        }
                    } else {
                        self.unknown_child("set or unset", problems, from)?;
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => return Ok(disposition),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn location(
        &mut self,
        name: &str,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) -> Result<Option<Location>, ReadError> {
        let mut id = None;
        let mut extensions = Vec::new();
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    let child_pos = self.cur.pos;
                    if self.cur.is("id") {
                        id = self.text(problems, from, child_pos)?;
                    } else {
                        self.ext_child(name, &mut extensions, problems, from)?;
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => break,
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
        let Some(id) = id else {
            problems.push(self.problem(
                pos,
                from,
                format!("{name} has no id; expected <id> with a location identifier"),
            ));
            return Ok(None);
        };
        Ok(Some(Location { id, extensions }))
    }

    fn biz_transactions(
        &mut self,
        list: &mut Vec<BizTransaction>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    let pos = self.cur.pos;
                    if self.cur.is("bizTransaction") {
                        let transaction_type = self
                            .cur
                            .attr(Space::None, "type")
                            .map(|text| read_term(Cbv::BizTransactionType, text));
                        if let Some(id) = self.text(problems, from, pos)? {
                            list.push(BizTransaction {
                                transaction_type,
                                id,
                            });
                        }
                    } else {
                        self.unknown_child("bizTransaction", problems, from)?;
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn source_dests(
        &mut self,
        item: &str,
        list: &mut Vec<SourceDest>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    let pos = self.cur.pos;
                    if self.cur.is(item) {
                        let kind = self
                            .cur
                            .attr(Space::None, "type")
                            .map(|text| read_term(Cbv::SourceDestType, text));
                        let id = self.text(problems, from, pos)?;
                        match (kind, id) {
                            (Some(kind), Some(id)) => list.push(SourceDest { kind, id }),
                            (None, _) => problems.push(self.problem(
                                pos,
                                from,
                                format!(
                                    "{item} has no type attribute; expected a source/destination \
                                     type such as urn:epcglobal:cbv:sdt:owning_party"
                                ),
                            )),
                            (Some(_), None) => {}
                        }
                    } else {
                        self.unknown_child(item, problems, from)?;
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn sensor_elements(
        &mut self,
        list: &mut Vec<SensorElement>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("sensorElement") {
                        let element = self.sensor_element(problems, from)?;
                        list.push(element);
                    } else if self.cur.is("extension") {
                        // A list-level extension has no place in the model; a problem says
                        // so rather than dropping it unannounced.
                        let pos = self.cur.pos;
                        problems.push(
                            self.problem(
                                pos,
                                from,
                                "extensions of sensorElementList itself are not supported; \
                             expected only sensorElement"
                                    .to_owned(),
                            ),
                        );
                        self.cur.skip()?;
                    } else {
                        self.unknown_child("sensorElement", problems, from)?;
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    fn sensor_element(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<SensorElement, ReadError> {
        let mut element = SensorElement::default();
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    let pos = self.cur.pos;
                    if self.cur.is("sensorMetadata") {
                        if element.metadata.is_some() {
                            problems.push(self.problem(
                                pos,
                                from,
                                "sensorMetadata appears more than once; expected it at most once"
                                    .to_owned(),
                            ));
                        }
                        let metadata = self.sensor_metadata(problems, from, pos);
                        self.attribute_element_end("sensorMetadata", problems, from, pos)?;
                        element.metadata = Some(metadata);
                    } else if self.cur.is("sensorReport") {
                        let report = self.sensor_report(problems, from, pos);
                        self.attribute_element_end("sensorReport", problems, from, pos)?;
                        element.reports.push(report);
                    } else {
                        self.ext_child("sensorElement", &mut element.extensions, problems, from)?;
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => return Ok(element),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    /// Reads the content of `sensorMetadata` or `sensorReport`, which carry everything in
    /// attributes: any text or child element there would be lost, so it is a problem.
    fn attribute_element_end(
        &mut self,
        name: &str,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) -> Result<(), ReadError> {
        let text_only = self.cur.text_only()?;
        if !text_only || !self.cur.text().trim_ascii().is_empty() {
            problems.push(self.problem(
                pos,
                from,
                format!("{name} has content; expected its data in attributes and no content"),
            ));
        }
        Ok(())
    }

    fn sensor_metadata(
        &self,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) -> SensorMetadata {
        let mut metadata = SensorMetadata::default();
        for attr in self.cur.attrs() {
            let value = attr.value;
            match (attr.space, attr.local) {
                (Space::None, "time") => metadata.time = self.attr_time(&attr, problems, from, pos),
                (Space::None, "startTime") => {
                    metadata.start_time = self.attr_time(&attr, problems, from, pos);
                }
                (Space::None, "endTime") => {
                    metadata.end_time = self.attr_time(&attr, problems, from, pos);
                }
                (Space::None, "deviceID") => {
                    metadata.device_id = Some(value.trim_ascii().to_owned())
                }
                (Space::None, "deviceMetadata") => {
                    metadata.device_metadata = Some(value.trim_ascii().to_owned());
                }
                (Space::None, "rawData") => metadata.raw_data = Some(value.trim_ascii().to_owned()),
                (Space::None, "dataProcessingMethod") => {
                    metadata.data_processing_method = Some(value.trim_ascii().to_owned());
                }
                (Space::None, "bizRules") => {
                    metadata.biz_rules = Some(value.trim_ascii().to_owned())
                }
                _ => self.sensor_extension_attr(
                    "sensorMetadata",
                    &attr,
                    &mut metadata.extensions,
                    problems,
                    from,
                    pos,
                ),
            }
        }
        metadata
    }

    fn sensor_report(&self, problems: &mut Vec<Problem>, from: usize, pos: Pos) -> SensorReport {
        let mut report = SensorReport::default();
        for attr in self.cur.attrs() {
            let value = attr.value.trim_ascii();
            let owned = || Some(value.to_owned());
            if attr.space != Space::None {
                self.sensor_extension_attr(
                    "sensorReport",
                    &attr,
                    &mut report.extensions,
                    problems,
                    from,
                    pos,
                );
                continue;
            }
            match attr.local {
                "type" => report.measurement_type = Some(read_term(Cbv::MeasurementType, value)),
                "exception" => report.exception = Some(read_term(Cbv::SensorAlertType, value)),
                "component" => report.component = Some(read_term(Cbv::Component, value)),
                "deviceID" => report.device_id = owned(),
                "deviceMetadata" => report.device_metadata = owned(),
                "rawData" => report.raw_data = owned(),
                "dataProcessingMethod" => report.data_processing_method = owned(),
                "time" => report.time = self.attr_time(&attr, problems, from, pos),
                "microorganism" => report.microorganism = owned(),
                "chemicalSubstance" => report.chemical_substance = owned(),
                "stringValue" => report.string_value = Some(attr.value.to_owned()),
                "hexBinaryValue" => report.hex_binary_value = owned(),
                "uriValue" => report.uri_value = owned(),
                "uom" => report.uom = owned(),
                "coordinateReferenceSystem" => report.coordinate_reference_system = owned(),
                "booleanValue" => match value {
                    "true" | "1" => report.boolean_value = Some(true),
                    "false" | "0" => report.boolean_value = Some(false),
                    _ => problems.push(self.problem(
                        pos,
                        from,
                        format!("booleanValue is `{value}`; expected true or false"),
                    )),
                },
                "value" => report.value = self.attr_number(&attr, problems, from, pos),
                "minValue" => report.min_value = self.attr_number(&attr, problems, from, pos),
                "maxValue" => report.max_value = self.attr_number(&attr, problems, from, pos),
                "meanValue" => report.mean_value = self.attr_number(&attr, problems, from, pos),
                "sDev" => report.s_dev = self.attr_number(&attr, problems, from, pos),
                "percRank" => report.perc_rank = self.attr_number(&attr, problems, from, pos),
                "percValue" => report.perc_value = self.attr_number(&attr, problems, from, pos),
                _ => self.sensor_extension_attr(
                    "sensorReport",
                    &attr,
                    &mut report.extensions,
                    problems,
                    from,
                    pos,
                ),
            }
        }
        report
    }

    /// An attribute of a sensor element that is not a standard one: an extension when it has
    /// a namespace, a problem when it has none (probably a misspelt standard attribute).
    fn sensor_extension_attr(
        &self,
        element: &str,
        attr: &Attr<'_>,
        extensions: &mut Vec<Extension>,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) {
        if attr.space == Space::None {
            problems.push(self.problem(
                pos,
                from,
                format!(
                    "unknown attribute `{}` on {element}; expected a standard attribute or one \
                     in an extension namespace",
                    attr.local
                ),
            ));
        } else {
            extensions.push(Extension::text(
                QName::new(attr.iri.to_owned(), attr.local.to_owned()),
                attr.value.to_owned(),
            ));
        }
    }

    fn attr_time(
        &self,
        attr: &Attr<'_>,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) -> Option<EpcisTime> {
        match EpcisTime::parse(attr.value) {
            Ok(time) => Some(time),
            Err(err) => {
                problems.push(self.problem(
                    pos,
                    from,
                    format!("{}: {err}; expected an RFC 3339 date-time", attr.local),
                ));
                None
            }
        }
    }

    fn attr_number(
        &self,
        attr: &Attr<'_>,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) -> Option<f64> {
        match parse_number(attr.value) {
            Some(number) => Some(number),
            None => {
                problems.push(self.problem(
                    pos,
                    from,
                    format!(
                        "{} is `{}`; expected a finite decimal number",
                        attr.local,
                        attr.value.trim_ascii()
                    ),
                ));
                None
            }
        }
    }

    // --- Extensions ---------------------------------------------------------------------

    /// A child of an element that has standard children and extensions (readPoint,
    /// errorDeclaration, sensorElement, ilmd): an `<extension>` wrapper, an extension
    /// element, or an unknown standard element, which is a problem.
    fn ext_child(
        &mut self,
        parent: &str,
        extensions: &mut Vec<Extension>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        if self.cur.is("extension") {
            self.ext_wrapper(extensions, problems, from)
        } else if self.cur.space().is_standard() {
            let pos = self.cur.pos;
            problems.push(self.problem(
                pos,
                from,
                format!(
                    "unknown element `{}` in {parent}; expected a standard field or an \
                     extension element in its own namespace",
                    self.cur.qname()
                ),
            ));
            self.cur.skip()
        } else {
            let extension = self.ext_element(problems, from)?;
            extensions.push(extension);
            Ok(())
        }
    }

    /// An element whose children are all extensions (`ilmd`).
    fn ext_container(
        &mut self,
        name: &str,
        extensions: &mut Vec<Extension>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => self.ext_child(name, extensions, problems, from)?,
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    /// An `<extension>` wrapper: every child becomes an extension, whatever its namespace,
    /// and nested wrappers are unwrapped too.
    fn ext_wrapper(
        &mut self,
        extensions: &mut Vec<Extension>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    if self.cur.is("extension") {
                        self.ext_wrapper(extensions, problems, from)?;
                    } else {
                        let extension = self.ext_element(problems, from)?;
                        extensions.push(extension);
                    }
                }
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    /// An extension element, from just after its start tag.
    fn ext_element(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<Extension, ReadError> {
        let name = QName::new(self.cur.iri(), self.cur.local());
        let attributes = self
            .cur
            .attrs()
            .map(|attr| {
                (
                    QName::new(attr.iri.to_owned(), attr.local.to_owned()),
                    attr.value.to_owned(),
                )
            })
            .collect();
        let value = self.ext_content(problems, from)?;
        Ok(Extension {
            name,
            value,
            attributes,
        })
    }

    /// The value of an extension element (or a master-data attribute): `Null` when it is
    /// empty, `Text` as written when it holds only text, `Object` when it holds elements.
    fn ext_content(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<ExtValue, ReadError> {
        let pos = self.cur.pos;
        let mut children = Vec::new();
        let mut saw_words = false;
        loop {
            match self.cur.next()? {
                Tok::Start => {
                    let child = self.ext_element(problems, from)?;
                    children.push(child);
                }
                Tok::Text => saw_words = true,
                Tok::End => break,
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
        if children.is_empty() {
            // Without children, the text since the start tag is the whole content; none at
            // all is an empty element.
            if self.cur.text().is_empty() {
                return Ok(ExtValue::Null);
            }
            return Ok(ExtValue::Text(self.cur.text().to_owned()));
        }
        if saw_words {
            problems.push(
                self.problem(
                    pos,
                    from,
                    "an extension element mixes text with elements; expected either text or \
                 elements"
                        .to_owned(),
                ),
            );
        }
        Ok(ExtValue::Object(children))
    }

    // --- Leaf values --------------------------------------------------------------------

    /// Reads a text-only element and parses its trimmed text with `parse`, whose error
    /// becomes a problem. Parsing the text where it lies spares an allocation for values
    /// the model does not keep as text (times, numbers, CBV terms).
    fn parsed<T>(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ReadError> {
        if !self.cur.text_only()? {
            problems.push(self.problem(
                pos,
                from,
                "this element holds elements; expected text only".to_owned(),
            ));
            return Ok(None);
        }
        match parse(self.cur.text().trim_ascii()) {
            Ok(value) => Ok(Some(value)),
            Err(message) => {
                problems.push(self.problem(pos, from, message));
                Ok(None)
            }
        }
    }

    /// The trimmed text of a text-only element.
    fn text(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) -> Result<Option<String>, ReadError> {
        self.parsed(problems, from, pos, |text| Ok(text.to_owned()))
    }

    fn time(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) -> Result<Option<EpcisTime>, ReadError> {
        self.parsed(problems, from, pos, |text| {
            EpcisTime::parse(text).map_err(|err| {
                format!("{err}; expected an RFC 3339 date-time such as 2024-05-01T08:30:00+08:00")
            })
        })
    }

    fn term(
        &mut self,
        vocabulary: Cbv,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) -> Result<Option<Term>, ReadError> {
        self.parsed(problems, from, pos, |text| {
            if text.is_empty() {
                return Err(format!(
                    "the {} is empty; expected a CBV URN or another URI",
                    vocabulary.name()
                ));
            }
            Ok(read_term(vocabulary, text))
        })
    }

    fn number(
        &mut self,
        name: &str,
        problems: &mut Vec<Problem>,
        from: usize,
        pos: Pos,
    ) -> Result<Option<f64>, ReadError> {
        self.parsed(problems, from, pos, |text| {
            parse_number(text)
                .ok_or_else(|| format!("{name} is `{text}`; expected a finite decimal number"))
        })
    }

    // --- Problems -----------------------------------------------------------------------

    fn problem(&self, pos: Pos, from: usize, message: String) -> Problem {
        Problem {
            place: self.cur.place(pos, from),
            message,
        }
    }

    /// An unexpected standard element inside a list: a problem, and the element skipped.
    fn unknown_child(
        &mut self,
        expected: &str,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        let pos = self.cur.pos;
        problems.push(self.problem(
            pos,
            from,
            format!(
                "unexpected element `{}`; expected {expected}",
                self.cur.qname()
            ),
        ));
        self.cur.skip()
    }

    /// Text where only elements belong, inside an event: a problem.
    fn refuse_event_text(&mut self, problems: &mut Vec<Problem>, from: usize) {
        let pos = self.cur.token_pos();
        problems.push(self.problem(
            pos,
            from,
            "unexpected text; expected only elements here".to_owned(),
        ));
    }

    /// Text where only elements belong, outside events: a fatal error.
    fn refuse_text(&mut self, parent: &str) -> Result<(), ReadError> {
        let pos = self.cur.token_pos();
        Err(self.cur.syntax(
            pos,
            format!("unexpected text in {parent}; expected only elements"),
        ))
    }

    fn unexpected(&self, parent: &str, expected: &str) -> ReadError {
        self.cur.syntax(
            self.cur.pos,
            format!(
                "unexpected element `{}` in {parent}; expected {expected}",
                self.cur.qname()
            ),
        )
    }

    /// Outside events there is no event to pin a problem on: the first one stops reading.
    fn fatal(&self, problems: Vec<Problem>) -> Result<(), ReadError> {
        match problems.into_iter().next() {
            None => Ok(()),
            Some(problem) => Err(ReadError::Syntax {
                place: problem.place,
                message: problem.message,
            }),
        }
    }
}

/// A place with a line and column only, for [`Origin::fields`]: [`Origin::place_of`] names
/// the path itself.
fn bare_place(pos: Pos) -> Place {
    Place::Xml {
        line: pos.line,
        column: pos.column,
        path: String::new(),
    }
}

/// A CBV term as XML writes it.
///
/// XML writes standard terms as CBV URNs (or `gs1:` CURIEs), so that form is looked for
/// first; [`Term::read`], which tries the bare word first, would search the whole vocabulary
/// once in vain for every URN.
fn read_term(vocabulary: Cbv, text: &str) -> Term {
    let rest = vocabulary
        .urn_prefix()
        .or(vocabulary.curie_prefix())
        .and_then(|prefix| text.strip_prefix(prefix));
    match rest.and_then(|rest| vocabulary.word(rest)) {
        Some(word) => Term::Standard(word),
        None => Term::read(vocabulary, text),
    }
}

/// An `xsd:decimal` or `xsd:double` as a finite `f64`.
fn parse_number(text: &str) -> Option<f64> {
    text.trim_ascii()
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}

/// Copies the sender, receiver and instance identifier out of a standard business document
/// header into the header's own fields, which is where JSON-LD keeps them.
fn copy_sbdh_fields(sbdh: &Extension, header: &mut Header) {
    header.sender = sbdh_text(sbdh, &["Sender", "Identifier"]);
    header.receiver = sbdh_text(sbdh, &["Receiver", "Identifier"]);
    header.instance_identifier = sbdh_text(sbdh, &["DocumentIdentification", "InstanceIdentifier"]);
}

fn sbdh_text(extension: &Extension, path: &[&str]) -> Option<String> {
    let Some((first, rest)) = path.split_first() else {
        return match &extension.value {
            ExtValue::Text(text) => Some(text.trim_ascii().to_owned()),
            _ => None,
        };
    };
    let ExtValue::Object(children) = &extension.value else {
        return None;
    };
    children
        .iter()
        .find(|child| child.name.local == *first)
        .and_then(|child| sbdh_text(child, rest))
}

//! Reading: EPCIS XML documents into a [`Header`] and a stream of [`crate::Event`]s.
//!
//! The reader is a recursive descent over the cursor's tokens: each function reads one kind
//! of element from just after its start tag to its end tag. This file reads the document,
//! its header, master data, extension elements and leaf values; [`event`] reads events.
//! Problems with one event are collected with their place and the event is reported as
//! `Err`; reading goes on. A document whose structure is not EPCIS at all (an unknown root,
//! an unknown element in the header, an unreadable creation date, unreadable master data)
//! stops reading, because there is no event to pin the problem on.

use std::io::Read;

use super::cursor::{Cursor, Space, Tok};
use super::is_document_namespace;
use super::source::Pos;
use crate::EventSink;
use crate::cbv::{CBV_WEB_PREFIX, Term, Vocabulary as Cbv};
use crate::error::{Problem, ReadError};
use crate::ext::{ExtValue, Extension, QName};
use crate::limits::Limits;
use crate::model::{
    DocumentType, Header, MasterDataAttribute, QueryResults, Vocabulary, VocabularyElement,
};
use crate::time::EpcisTime;

mod event;

/// Reads an XML EPCIS document, handing each event to `sink` as soon as its end tag is read.
///
/// Accepted roots are `epcis:EPCISDocument`, `epcisq:EPCISQueryDocument` (its events are in
/// `EPCISBody/QueryResults/resultsBody/EventList`) and `epcismd:EPCISMasterDataDocument` (its
/// vocabularies become the header's master data; it has no events). `sink.header` is called
/// once, before the first event, with the header as read so far (or at the end for a
/// document without events); the complete header is returned.
///
/// Each event arrives as `Ok(event)` or, when something in it could not be read, as
/// `Err(problems)`, each problem placed at a line and column. The [`crate::Origin`] given with it
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

impl<R: Read> Reader<R> {
    fn document(&mut self, sink: &mut impl EventSink) -> Result<Header, ReadError> {
        let root = self.root()?;
        let mut header = self.root_header(root)?;
        self.each_header_child(root.name(), |this| {
            this.document_child(root, &mut header, sink)
        })?;
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

    // --- Children -----------------------------------------------------------------------

    /// Reads the children of the current element, up to its end tag, inside an event:
    /// `child` reads each from just after its start tag, and text between them is a problem
    /// of the event. Every element whose children are all elements reads them this way.
    fn each_child(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
        mut child: impl FnMut(&mut Self, &mut Vec<Problem>) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => child(self, problems)?,
                Tok::Text => self.refuse_event_text(problems, from),
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    /// [`Reader::each_child`] outside events, where there is no event to pin a problem on:
    /// text between the children of `parent` stops reading.
    fn each_header_child(
        &mut self,
        parent: &str,
        mut child: impl FnMut(&mut Self) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        loop {
            match self.cur.next()? {
                Tok::Start => child(self)?,
                Tok::Text => self.refuse_text(parent)?,
                Tok::End => return Ok(()),
                Tok::Eof => return Err(self.cur.unexpected_eof()),
            }
        }
    }

    // --- Header, body, master data ------------------------------------------------------

    fn epcis_header(&mut self, header: &mut Header) -> Result<(), ReadError> {
        self.each_header_child("EPCISHeader", |this| {
            if this.cur.space() == Space::Sbdh
                && this.cur.local() == "StandardBusinessDocumentHeader"
            {
                let sbdh = this.header_extension()?;
                copy_sbdh_fields(&sbdh, header);
                header.extensions.push(sbdh);
            } else if this.cur.is("extension") {
                this.header_extension_list(header)?;
            } else if !this.cur.space().is_standard() {
                let extension = this.header_extension()?;
                header.extensions.push(extension);
            } else {
                return Err(this.unexpected(
                    "EPCISHeader",
                    "sbdh:StandardBusinessDocumentHeader or extension",
                ));
            }
            Ok(())
        })
    }

    /// `EPCISHeader/extension`: master data, and a further extension wrapper.
    fn header_extension_list(&mut self, header: &mut Header) -> Result<(), ReadError> {
        self.each_header_child("extension", |this| {
            if this.cur.is("EPCISMasterData") {
                this.master_data(header)?;
            } else if this.cur.is("extension") {
                this.header_wrapper(&mut header.extensions)?;
            } else {
                let extension = this.header_extension()?;
                header.extensions.push(extension);
            }
            Ok(())
        })
    }

    /// `EPCISMasterData`: a vocabulary list and an extension wrapper.
    fn master_data(&mut self, header: &mut Header) -> Result<(), ReadError> {
        self.each_header_child("EPCISMasterData", |this| {
            if this.cur.is("VocabularyList") {
                this.vocabulary_list(&mut header.master_data)?;
            } else if this.cur.is("extension") {
                this.header_wrapper(&mut header.extensions)?;
            } else {
                return Err(this.unexpected("EPCISMasterData", "VocabularyList"));
            }
            Ok(())
        })
    }

    fn body(
        &mut self,
        root: Root,
        header: &mut Header,
        sink: &mut impl EventSink,
    ) -> Result<(), ReadError> {
        self.each_header_child("EPCISBody", |this| match root {
            Root::Capture if this.cur.is("EventList") => this.event_list(header, sink),
            Root::MasterData if this.cur.is("VocabularyList") => {
                this.vocabulary_list(&mut header.master_data)
            }
            Root::Query
                if this.cur.space() == Space::Query && this.cur.local() == "QueryResults" =>
            {
                this.query_results(header, sink)
            }
            _ if this.cur.is("extension") => this.header_wrapper(&mut header.extensions),
            _ if !this.cur.space().is_standard() && this.cur.space() != Space::Query => {
                let extension = this.header_extension()?;
                header.extensions.push(extension);
                Ok(())
            }
            Root::Capture => Err(this.unexpected("EPCISBody", "EventList")),
            Root::MasterData => Err(this.unexpected("EPCISBody", "VocabularyList")),
            Root::Query => Err(this.unexpected("EPCISBody", "epcisq:QueryResults")),
        })
    }

    fn query_results(
        &mut self,
        header: &mut Header,
        sink: &mut impl EventSink,
    ) -> Result<(), ReadError> {
        let mut results = QueryResults::default();
        let mut results_body_seen = false;
        self.each_header_child("QueryResults", |this| {
            if this.cur.is("queryName") {
                results.query_name = this.header_text("queryName")?;
            } else if this.cur.is("subscriptionID") {
                results.subscription_id = this.header_text("subscriptionID")?;
            } else if this.cur.is("resultsBody") {
                results_body_seen = true;
                header.query_results = Some(results.clone());
                this.results_body(header, sink)?;
            } else if this.cur.is("extension") {
                this.header_wrapper(&mut header.extensions)?;
            } else if !this.cur.space().is_standard() {
                let extension = this.header_extension()?;
                header.extensions.push(extension);
            } else {
                return Err(
                    this.unexpected("QueryResults", "queryName, subscriptionID or resultsBody")
                );
            }
            Ok(())
        })?;
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
        self.each_header_child("resultsBody", |this| {
            if this.cur.is("EventList") {
                this.event_list(header, sink)?;
            } else if this.cur.is("VocabularyList") {
                this.vocabulary_list(&mut header.master_data)?;
            } else {
                return Err(this.unexpected("resultsBody", "EventList or VocabularyList"));
            }
            Ok(())
        })
    }

    fn vocabulary_list(&mut self, vocabularies: &mut Vec<Vocabulary>) -> Result<(), ReadError> {
        self.each_header_child("VocabularyList", |this| {
            if this.cur.is("Vocabulary") {
                let vocabulary = this.vocabulary()?;
                vocabularies.push(vocabulary);
            } else {
                return Err(this.unexpected("VocabularyList", "Vocabulary"));
            }
            Ok(())
        })
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
        self.each_header_child("Vocabulary", |this| {
            if this.cur.is("VocabularyElementList") {
                this.vocabulary_elements(&mut vocabulary.elements)?;
            } else if this.cur.is("extension") || !this.cur.space().is_standard() {
                // The model has no place for extensions of a whole vocabulary (as
                // opposed to one of its elements), so they are passed over.
                this.cur.skip()?;
            } else {
                return Err(this.unexpected("Vocabulary", "VocabularyElementList"));
            }
            Ok(())
        })?;
        Ok(vocabulary)
    }

    fn vocabulary_elements(
        &mut self,
        elements: &mut Vec<VocabularyElement>,
    ) -> Result<(), ReadError> {
        self.each_header_child("VocabularyElementList", |this| {
            if this.cur.is("VocabularyElement") {
                let element = this.vocabulary_element()?;
                elements.push(element);
            } else {
                return Err(this.unexpected("VocabularyElementList", "VocabularyElement"));
            }
            Ok(())
        })
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
        self.each_header_child("VocabularyElement", |this| {
            if this.cur.is("attribute") {
                let attribute = this.master_data_attribute()?;
                element.attributes.push(attribute);
            } else if this.cur.is("children") {
                this.master_data_children(&mut element.children)?;
            } else if this.cur.is("extension") {
                this.header_wrapper(&mut element.extensions)?;
            } else if !this.cur.space().is_standard() {
                let extension = this.header_extension()?;
                element.extensions.push(extension);
            } else {
                return Err(
                    this.unexpected("VocabularyElement", "attribute, children or extension")
                );
            }
            Ok(())
        })?;
        Ok(element)
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
        self.each_header_child("children", |this| {
            if this.cur.is("id") {
                if let Some(id) = this.header_text("id")? {
                    children.push(id);
                }
            } else {
                return Err(this.unexpected("children", "id"));
            }
            Ok(())
        })
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
        self.each_child(problems, from, |this, problems| {
            this.ext_child(name, extensions, problems, from)
        })
    }

    /// An `<extension>` wrapper: every child becomes an extension, whatever its namespace,
    /// and nested wrappers are unwrapped too.
    fn ext_wrapper(
        &mut self,
        extensions: &mut Vec<Extension>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        self.each_child(problems, from, |this, problems| {
            if this.cur.is("extension") {
                this.ext_wrapper(extensions, problems, from)?;
            } else {
                let extension = this.ext_element(problems, from)?;
                extensions.push(extension);
            }
            Ok(())
        })
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

/// A CBV term as XML writes it.
///
/// XML writes standard terms as CBV URNs (or `gs1:` CURIEs), so that form is looked for
/// first; [`Term::read`], which tries the bare word first, would search the whole vocabulary
/// once in vain for every URN. GS1's examples also write web-URI terms as `cbv:` CURIEs
/// (`cbv:Comp-latitude`); like GS1's reference event-hash implementation, the reader takes
/// `cbv:` to mean `https://ref.gs1.org/cbv/` for that purpose, and keeps anything it does not
/// recognise as written.
fn read_term(vocabulary: Cbv, text: &str) -> Term {
    let rest = vocabulary
        .urn_prefix()
        .or(vocabulary.curie_prefix())
        .and_then(|prefix| text.strip_prefix(prefix));
    if let Some(word) = rest.and_then(|rest| vocabulary.word(rest)) {
        return Term::Standard(word);
    }
    if let Some(rest) = text.strip_prefix("cbv:") {
        let web = format!("{CBV_WEB_PREFIX}{rest}");
        if let Term::Standard(word) = Term::read(vocabulary, &web) {
            return Term::Standard(word);
        }
    }
    Term::read(vocabulary, text)
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

//! The token layer of the XML reader: the document's bytes turned into a few reusable tokens
//! with their place in the document.
//!
//! Start tags, end tags and text that lie whole in the source's buffer are found by the
//! cursor itself and taken from the buffer without a copy ([`Cursor::fast`]); everything else
//! (the declaration, comments, CDATA, DOCTYPE, references, a token cut by the end of the
//! buffer, and anything malformed) is read by quick-xml, so that what is accepted, what is
//! refused and where errors are placed stay exactly quick-xml's. quick-xml's own reading
//! copied every token into a buffer and was two thirds of the reading cost. End tags are
//! checked against their start tags here, for both paths.
//!
//! [`Cursor::next`] hides what the EPCIS reader does not care about (comments, processing
//! instructions, the XML declaration and any DOCTYPE, which is skipped unread so that no
//! entity is ever resolved), splits self-closing tags into a start and an end, resolves and
//! classifies each element's namespace once, and keeps the current element's name,
//! attributes and text in buffers that are reused from token to token, so that reading
//! allocates only for values the model keeps. It enforces the depth and string limits. It
//! knows nothing of EPCIS elements; that is the business of `read.rs`.
//!
//! Namespaces are resolved here rather than by quick-xml's `NsReader`: that reader scans the
//! attributes of every tag a second time for declarations and every binding in scope for
//! every name, which cost a tenth of the reading time; here declarations are picked up in
//! the one pass over attributes the reader makes anyway, and the common case (an unprefixed
//! name with no default namespace in force) needs no lookup at all. The result is the same:
//! names are matched on namespace and local name, never on the prefix.

use std::io::{BufRead, Read};
use std::ops::Range;

use quick_xml::XmlVersion;
use quick_xml::errors::IllFormedError;
use quick_xml::events::{BytesEnd, BytesStart, Event};
use quick_xml::name::PrefixDeclaration;
use quick_xml::reader::Reader;

use super::source::{Pos, Source, Tripped};
use crate::error::{Place, ReadError};
use crate::ext::XSI_NAMESPACE;
use crate::limits::Limits;

/// Whatever `max_depth` says, recursion deeper than this could overflow the stack of a small
/// thread, so nesting is refused beyond it.
pub(super) const HARD_MAX_DEPTH: usize = 512;

/// Room for the tag name and attribute syntax on top of `max_string_bytes` when bounding a
/// single token.
const TOKEN_SLACK_BYTES: u64 = 16 * 1024;

/// The most namespace bindings in scope at once. Names are resolved by scanning the
/// bindings, so an unbounded number of them would make every element slow.
const MAX_BINDINGS: usize = 1024;

/// The namespace bound to the `xml` prefix by definition.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// The namespaces the reader tells apart.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) enum Space {
    /// No namespace: where EPCIS puts the elements inside documents and events.
    #[default]
    None,
    /// `urn:epcglobal:epcis:xsd:2` (or the 1.x namespace).
    Epcis,
    /// `urn:epcglobal:epcis-query:xsd:2` (or the 1.x namespace).
    Query,
    /// `urn:epcglobal:epcis-masterdata:xsd:2` (or the 1.x namespace).
    MasterData,
    /// The standard business document header.
    Sbdh,
    /// XML Schema instance (`xsi:nil`, `xsi:type`).
    Xsi,
    /// Anybody else's: an extension.
    Other,
}

impl Space {
    fn classify(iri: &str) -> Space {
        match iri {
            "" => Space::None,
            super::EPCIS_NAMESPACE | super::EPCIS_1_NAMESPACE => Space::Epcis,
            super::EPCIS_QUERY_NAMESPACE | super::EPCIS_1_QUERY_NAMESPACE => Space::Query,
            super::EPCIS_MASTER_DATA_NAMESPACE | super::EPCIS_1_MASTER_DATA_NAMESPACE => {
                Space::MasterData
            }
            super::SBDH_NAMESPACE => Space::Sbdh,
            XSI_NAMESPACE => Space::Xsi,
            _ => Space::Other,
        }
    }

    /// True for names of standard EPCIS elements inside a document: unqualified, or
    /// (leniently) qualified with the EPCIS namespace.
    pub(super) fn is_standard(self) -> bool {
        matches!(self, Space::None | Space::Epcis)
    }
}

/// One token of the document.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Tok {
    /// An element starts; its name and attributes are in the cursor.
    Start,
    /// The innermost open element ends.
    End,
    /// Character data that is not only white space (text, CDATA or a reference), appended
    /// to [`Cursor::text`]. White space is appended too but not reported: nothing in EPCIS
    /// depends on it, and it is half the tokens of an indented document.
    Text,
    /// The input ended.
    Eof,
}

/// An attribute of the current element (namespace declarations are not attributes here).
#[derive(Clone, Copy, Debug)]
pub(super) struct Attr<'a> {
    pub(super) space: Space,
    pub(super) iri: &'a str,
    pub(super) local: &'a str,
    pub(super) value: &'a str,
}

impl Attr<'_> {
    /// True for an attribute without a namespace called `local`.
    pub(super) fn is(&self, local: &str) -> bool {
        self.space == Space::None && self.local == local
    }
}

/// Where an attribute lies in [`Element::tag`]; a value that needed normalising is kept
/// apart in `normalized`.
#[derive(Default, Debug)]
struct AttrSlot {
    space: Space,
    iri: String,
    /// The prefix, empty for an unprefixed attribute.
    prefix: Range<usize>,
    local: Range<usize>,
    value: Range<usize>,
    normalized: Option<String>,
}

/// A namespace binding in scope: a prefix (empty for the default namespace), its IRI
/// (empty when `xmlns=""` undeclares the default), and the depth of the element that
/// declared it.
#[derive(Debug)]
struct Binding {
    prefix: String,
    iri: String,
    depth: usize,
}

/// The name and attributes of the element whose start tag was read last.
#[derive(Default)]
struct Element {
    space: Space,
    iri: String,
    /// The prefix the element was written with, empty for none.
    prefix: String,
    /// A copy of the start tag's content (name and attributes), which the attribute slots
    /// point into; one copy per tag is cheaper than one per attribute name and value.
    tag: String,
    attrs: Vec<AttrSlot>,
    n_attrs: usize,
    declarations: Vec<(String, String)>,
    n_declarations: usize,
    /// The namespace bindings in scope, innermost last.
    bindings: Vec<Binding>,
    /// How many of `bindings` are default-namespace bindings: while there are none, an
    /// unprefixed element name is in no namespace without looking.
    n_default_bindings: usize,
    /// The names of the open elements as written (prefix included), one after the other,
    /// and where each starts: end tags are checked against them.
    open_names: String,
    open_starts: Vec<usize>,
    /// How many of the open elements have a quote in their name (never in a real
    /// document): while any has, end tags take the general path, which finds the end of a
    /// tag as quick-xml does.
    quoted_open: usize,
}

impl Element {
    /// The IRI bound to `prefix` (empty for no namespace), or `None` if it is undeclared.
    fn resolve(&self, prefix: &str) -> Option<&str> {
        if prefix.is_empty() && self.n_default_bindings == 0 {
            return Some("");
        }
        match self
            .bindings
            .iter()
            .rev()
            .find(|binding| binding.prefix == prefix)
        {
            Some(binding) => Some(&binding.iri),
            None if prefix.is_empty() => Some(""),
            None if prefix == "xml" => Some(XML_NAMESPACE),
            None => None,
        }
    }

    /// When `bytes` starts with `</name>` for the innermost open element, exactly (no white
    /// space before the `>`), the length of that end tag.
    ///
    /// The general path would find the same: with no quote in the name, the first `>` after
    /// it ends the tag, and the name then matches the open element.
    #[inline]
    fn plain_end_tag(&self, bytes: &[u8]) -> Option<usize> {
        if self.quoted_open > 0 {
            return None;
        }
        let &start = self.open_starts.last()?;
        let expected = self.open_names.as_bytes().get(start..)?;
        let end = 2 + expected.len();
        (bytes.get(..2)? == b"</"
            && bytes.get(2..end)? == expected
            && bytes.get(end) == Some(&b'>'))
        .then_some(end + 1)
    }

    /// Closes the innermost open element, which [`Element::plain_end_tag`] matched (and
    /// whose name therefore has no quote).
    #[inline]
    fn pop_open(&mut self) -> Step {
        if let Some(start) = self.open_starts.pop() {
            self.open_names.truncate(start);
        }
        Step::End
    }

    /// Drops the bindings declared by elements at `depth` or deeper.
    fn end_scope(&mut self, depth: usize) {
        while self
            .bindings
            .last()
            .is_some_and(|binding| binding.depth >= depth)
        {
            if let Some(binding) = self.bindings.pop()
                && binding.prefix.is_empty()
            {
                self.n_default_bindings -= 1;
            }
        }
    }
}

/// The character data read since the last tag.
///
/// White space before any other character data is kept raw in `pending_space`: between
/// elements it is dropped at the next tag without ever being looked at again, and only
/// content that asks for it pays for line-end normalisation. White space that a start tag
/// is known to follow is not even kept, only counted: a start tag clears the run before
/// anyone can ask for it (the reader asks for the text of an element once its end tag is
/// read, and a start tag inside it makes that text unused), so only its length, which the
/// string limit counts, is left to know.
#[derive(Default)]
struct TextRun {
    text: String,
    pending_space: String,
    /// The length of white space counted but not kept.
    skipped_space: usize,
}

impl TextRun {
    fn clear(&mut self) {
        self.text.clear();
        self.pending_space.clear();
        self.skipped_space = 0;
    }

    fn len(&self) -> usize {
        self.text.len() + self.pending_space.len() + self.skipped_space
    }

    /// Appends a text or CDATA token; says whether it was only white space. With
    /// `start_tag_follows`, white space before any other character data is only counted.
    fn take(&mut self, text: &str, carriage_returns: bool, start_tag_follows: bool) -> Step {
        // Anything above a space is not white space, and control characters below it are
        // not allowed in XML; a maximum over the bytes is a test the compiler vectorises.
        // Values nearly always start with a character that settles it at once.
        let blank = match text.as_bytes().first() {
            Some(&first) if first > b' ' => false,
            _ => text.bytes().max().unwrap_or(b' ') <= b' ',
        };
        self.take_classified(text, blank, carriage_returns, start_tag_follows)
    }

    /// [`TextRun::take`] for a text already known to be only white space or not (`blank`).
    #[inline]
    fn take_classified(
        &mut self,
        text: &str,
        blank: bool,
        carriage_returns: bool,
        start_tag_follows: bool,
    ) -> Step {
        if blank && self.text.is_empty() {
            if start_tag_follows {
                self.skipped_space += text.len();
            } else {
                self.pending_space.push_str(text);
            }
            return Step::Blank;
        }
        self.flush_space();
        if carriage_returns {
            push_normalized(&mut self.text, text);
        } else {
            self.text.push_str(text);
        }
        if blank { Step::Blank } else { Step::Text }
    }

    /// Appends a character from a reference.
    fn push(&mut self, ch: char) {
        self.flush_space();
        self.text.push(ch);
    }

    /// Moves the pending white space into the text, normalised.
    fn flush_space(&mut self) {
        if !self.pending_space.is_empty() {
            push_normalized(&mut self.text, &self.pending_space);
            self.pending_space.clear();
        }
    }

    fn text(&mut self) -> &str {
        self.flush_space();
        &self.text
    }
}

/// What reading one quick-xml event amounted to, before the cursor's own bookkeeping.
enum Step {
    /// A start tag (`Empty` for a self-closing one).
    Start,
    Empty,
    End,
    /// Character data with something other than white space in it (`Blank` without).
    /// The variants carry no fields, so that a step is one byte to read back: a flag
    /// beside the tag cost a stalled load on every token.
    Text,
    Blank,
    Skip,
    Eof,
    // The payloads are boxed to keep `Step` two words long: it is returned for every
    // token, and a large one goes through memory (and stalls) each time.
    Malformed(Box<quick_xml::Error>),
    /// An end tag that does not close the open element (checked here, not by quick-xml).
    EndMismatch(Box<quick_xml::Error>),
    // A `Box<String>` is one word where a `Box<str>` is two; the message is built once, on
    // an error, so the extra allocation does not matter.
    #[allow(clippy::box_collection)]
    Invalid(Box<String>),
}

pub(super) struct Cursor<R> {
    xml: Reader<Source<R>>,
    buf: Vec<u8>,
    max_depth: usize,
    max_string_bytes: usize,
    max_document_bytes: u64,
    /// Where the last start tag started.
    pub(super) pos: Pos,
    /// The byte offset where the last token started.
    offset: u64,
    element: Element,
    /// The local names of the open elements, by depth; entries are reused, not freed, and
    /// the last started element's name is at `depth - 1` right after its start.
    names: Vec<String>,
    /// The index in `names` of the element whose start tag was read last.
    current: usize,
    /// The character data read since the last tag (see [`Cursor::text`]).
    run: TextRun,
    depth: usize,
    /// How many names make up the element path for places: it keeps an element that just
    /// ended until the next token, so that problems found right after it still name it.
    path_depth: usize,
    pending_end: bool,
    pending_pop: bool,
    clear_text: bool,
    /// Whether the next token must be read by quick-xml (see [`Cursor::fast`]).
    slow_next: bool,
    /// Bytes consumed by the fast path, which quick-xml's own offsets do not count.
    fast_consumed: u64,
}

impl<R: Read> Cursor<R> {
    pub(super) fn new(input: R, limits: &Limits) -> Self {
        let max_token_bytes = (limits.max_string_bytes as u64).saturating_add(TOKEN_SLACK_BYTES);
        let mut xml = Reader::from_reader(Source::new(
            input,
            limits.max_document_bytes,
            max_token_bytes,
        ));
        // End tags must match their start tags: a document that does not is not XML. The
        // cursor checks that itself (see `close`), because most tags never reach quick-xml.
        // (quick-xml still stacks the names of the start tags it reads and pops one per end
        // tag it reads; it reads a start tag only where one is cut by the end of the buffer
        // or follows a text it read, so that stack grows by at most a name or two a buffer.)
        xml.config_mut().check_end_names = false;
        xml.config_mut().allow_unmatched_ends = true;
        Cursor {
            xml,
            buf: Vec::with_capacity(1024),
            max_depth: limits.max_depth.min(HARD_MAX_DEPTH),
            max_string_bytes: limits.max_string_bytes,
            max_document_bytes: limits.max_document_bytes,
            pos: Pos { line: 1, column: 1 },
            offset: 0,
            element: Element::default(),
            names: Vec::new(),
            current: 0,
            run: TextRun::default(),
            depth: 0,
            path_depth: 0,
            pending_end: false,
            pending_pop: false,
            clear_text: false,
            // quick-xml reads the first token, so that a byte order mark is handled by it.
            slow_next: true,
            fast_consumed: 0,
        }
    }

    /// Reads the next token.
    pub(super) fn next(&mut self) -> Result<Tok, ReadError> {
        if self.pending_end {
            // The end of a self-closing tag: nothing more to read for it, and no content,
            // so the text before its start tag goes.
            self.pending_end = false;
            self.run.clear();
            self.depth -= 1;
            self.element.end_scope(self.depth);
            self.pending_pop = true;
            self.clear_text = true;
            return Ok(Tok::End);
        }
        if self.pending_pop {
            self.pending_pop = false;
            self.path_depth = self.depth;
        }
        if self.clear_text {
            self.clear_text = false;
            self.run.clear();
        }
        loop {
            self.offset = self.xml.get_mut().mark();
            let step = match self.fast() {
                Some(step) => step,
                None => self.slow(),
            };
            match step {
                Step::Skip => continue,
                Step::Eof => return Ok(Tok::Eof),
                Step::Malformed(err) => {
                    // quick-xml places its errors in its own offsets, which leave out the
                    // bytes the fast path read; an error it did not place (it stays 0) is
                    // reported at offset 0, as it always was.
                    let error_position = match self.xml.error_position() {
                        0 => 0,
                        position => position + self.fast_consumed,
                    };
                    return Err(self.malformed(*err, error_position));
                }
                Step::EndMismatch(err) => {
                    // At the `<` of the end tag, in the offsets quick-xml used to report
                    // it in (which do not count a byte order mark).
                    let source = self.xml.get_ref();
                    let bom = source
                        .consumed()
                        .saturating_sub(self.fast_consumed + self.xml.buffer_position());
                    let error_position = self.offset.saturating_sub(bom);
                    return Err(self.malformed(*err, error_position));
                }
                Step::Invalid(message) => {
                    let pos = self.token_pos();
                    return Err(self.syntax(pos, *message));
                }
                Step::End => {
                    self.depth = self.depth.saturating_sub(1);
                    self.element.end_scope(self.depth);
                    self.pending_pop = true;
                    self.clear_text = true;
                    return Ok(Tok::End);
                }
                Step::Start => return self.started(false),
                Step::Empty => return self.started(true),
                step @ (Step::Text | Step::Blank) => {
                    let blank = matches!(step, Step::Blank);
                    if self.run.len() > self.max_string_bytes {
                        let pos = self.token_pos();
                        return Err(self.limit(
                            pos,
                            format!(
                                "a text is longer than the limit of {} bytes (max_string_bytes)",
                                self.max_string_bytes
                            ),
                        ));
                    }
                    if !blank {
                        return Ok(Tok::Text);
                    }
                }
            }
        }
    }

    /// Reads one token straight from the buffered bytes, when it is a start tag, an end tag
    /// or text that lies whole in the buffer; `None` leaves it to [`Cursor::slow`].
    ///
    /// quick-xml's own reading copies every token into a buffer and is most of the cost of
    /// reading; here a token is found where it lies, with the same rules quick-xml uses
    /// (a tag ends at the first `>` outside quotes, text at the first `<` or `&`, names end
    /// at white space, both must be UTF-8), and lent without a copy. Anything else, or
    /// anything in doubt (a token cut by the end of the buffer, bytes that are not UTF-8,
    /// `<!`, `<?`, `&`), goes to quick-xml, which then reports exactly what it always did.
    /// quick-xml is left in its between-tokens state by every fast token, so it can take
    /// over at any `<` or `&`; after it reads a text itself (and so stops just before a
    /// `<` or `&` it expects to read next) it reads the next token too.
    #[inline]
    fn fast(&mut self) -> Option<Step> {
        if self.slow_next {
            self.slow_next = false;
            return None;
        }
        let source = self.xml.get_mut();
        let carriage_returns = source.carriage_returns();
        let available = source.buffered_text();
        let bytes = available.as_bytes();
        let (step, used) = match *bytes.first()? {
            b'<' => {
                let kind = *bytes.get(1)?;
                if kind == b'!' || kind == b'?' {
                    return None;
                }
                if kind == b'/' {
                    // Nearly every end tag is `</name>` with the name of the open element:
                    // comparing it where it lies settles it without looking for the tag's end.
                    if let Some(used) = self.element.plain_end_tag(bytes) {
                        (self.element.pop_open(), used)
                    } else {
                        let close_at = tag_end(bytes.get(1..)?)? + 1;
                        let name = trim_end_whitespace(available.get(2..close_at)?);
                        (close_name(&mut self.element, name), close_at + 1)
                    }
                } else {
                    let name = name_slot(&mut self.names, self.depth);
                    match plain_start_tag(bytes) {
                        // `<name>` or `<name/>`: no attributes, so nothing for quick-xml's
                        // attribute parser, and the name is all there is to the tag.
                        Some(PlainStart { end, colon, empty }) => {
                            let qname = available.get(1..end)?;
                            let used = end + 1 + usize::from(empty);
                            self.element.n_attrs = 0;
                            self.element.n_declarations = 0;
                            let step =
                                take_name(qname, colon, empty, true, &mut self.element, name);
                            (step, used)
                        }
                        None => {
                            let close_at = tag_end(bytes.get(1..)?)? + 1;
                            let content = available.get(1..close_at)?;
                            let (content, empty) = match content.strip_suffix('/') {
                                Some(content) => (content, true),
                                None => (content, false),
                            };
                            let start =
                                BytesStart::from_content(content, name_len(content.as_bytes()));
                            (
                                take_start(&start, empty, self.depth, &mut self.element, name),
                                close_at + 1,
                            )
                        }
                    }
                }
            }
            b'&' => return None,
            first => {
                // Half the texts of an indented document are the few bytes of white space
                // between two tags: a plain loop over them finds their end (and that they
                // are blank) for less than setting up a vector search costs. The test is
                // `TextRun::take`'s: no byte above a space.
                let (text_end, blank) = if first <= b' ' {
                    let run = bytes.iter().position(|&byte| byte > b' ')?;
                    if matches!(bytes.get(run), Some(b'<' | b'&')) {
                        (run, true)
                    } else {
                        (run + memchr::memchr2(b'<', b'&', bytes.get(run..)?)?, false)
                    }
                } else {
                    (memchr::memchr2(b'<', b'&', bytes)?, false)
                };
                let text = available.get(..text_end)?;
                // `<` and then anything but `/`, `!` or `?` can only start a start tag (or
                // be an error, which does not look at the text).
                let start_tag_follows = bytes.get(text_end) == Some(&b'<')
                    && bytes
                        .get(text_end + 1)
                        .is_some_and(|&next| !matches!(next, b'/' | b'!' | b'?'));
                let step =
                    self.run
                        .take_classified(text, blank, carriage_returns, start_tag_follows);
                (step, text_end)
            }
        };
        source.consume(used);
        self.fast_consumed += used as u64;
        Some(step)
    }

    /// Reads one token with quick-xml: whatever the fast path leaves (declarations,
    /// comments, CDATA, references, a token across the end of the buffer, anything odd).
    #[inline(never)]
    fn slow(&mut self) -> Step {
        self.buf.clear();
        match self.xml.read_event_into(&mut self.buf) {
            Err(err) => Step::Malformed(Box::new(err)),
            Ok(Event::Start(start)) => {
                let name = name_slot(&mut self.names, self.depth);
                take_start(&start, false, self.depth, &mut self.element, name)
            }
            Ok(Event::Empty(start)) => {
                let name = name_slot(&mut self.names, self.depth);
                take_start(&start, true, self.depth, &mut self.element, name)
            }
            Ok(Event::End(end)) => close(&mut self.element, &end),
            Ok(Event::Text(text)) => {
                // quick-xml stopped at the `<` or `&` after the text and expects to read
                // that next itself.
                self.slow_next = true;
                let carriage_returns = self.xml.get_ref().carriage_returns();
                self.run.take(&text, carriage_returns, false)
            }
            Ok(Event::CData(data)) => {
                let carriage_returns = self.xml.get_ref().carriage_returns();
                self.run.take(&data, carriage_returns, false)
            }
            Ok(Event::GeneralRef(reference)) => match reference.resolve_char_ref() {
                Ok(Some(ch)) => {
                    self.run.push(ch);
                    Step::Text
                }
                Ok(None) => match predefined_entity(&reference) {
                    Some(ch) => {
                        self.run.push(ch);
                        Step::Text
                    }
                    None => Step::Invalid(Box::new(format!(
                        "the entity `&{};` is not defined; only the five predefined \
                         entities and character references are allowed",
                        &*reference
                    ))),
                },
                Err(err) => Step::Malformed(Box::new(err)),
            },
            Ok(Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_)) => Step::Skip,
            Ok(Event::Eof) => Step::Eof,
        }
    }

    /// The character data since the last tag, white space included: for an element that has
    /// only text, once its end tag is read, its content.
    pub(super) fn text(&mut self) -> &str {
        self.run.text()
    }

    /// The bookkeeping for a start tag whose name and attributes have been taken.
    fn started(&mut self, empty: bool) -> Result<Tok, ReadError> {
        // Start tags are the tokens whose places the reader keeps, so their position is
        // worked out now; other tokens' only when asked for.
        self.pos = self.xml.get_mut().position_of(self.offset);
        self.current = self.depth;
        self.depth += 1;
        self.path_depth = self.depth;
        if self.depth > self.max_depth {
            return Err(self.limit(
                self.pos,
                format!(
                    "elements are nested deeper than the limit of {} (max_depth)",
                    self.max_depth
                ),
            ));
        }
        if let Some(attr) = self
            .attrs()
            .find(|attr| attr.value.len() > self.max_string_bytes)
        {
            let message = format!(
                "the attribute `{}` is longer than the limit of {} bytes (max_string_bytes)",
                attr.local, self.max_string_bytes
            );
            return Err(self.limit(self.pos, message));
        }
        self.pending_end = empty;
        self.clear_text = true;
        Ok(Tok::Start)
    }

    /// [`Cursor::text_only`] for the common element of one text and its end tag lying whole
    /// in the buffer (`<epc>urn:…</epc>`): both tokens taken in one step, with exactly the
    /// effects the two calls of [`Cursor::next`] that read them would have. `None`, having
    /// changed nothing that `next` would not do first anyway, for anything else.
    #[inline]
    fn text_and_end(&mut self) -> Option<Result<bool, ReadError>> {
        if self.pending_end || self.slow_next {
            return None;
        }
        // What `next` does before reading a token.
        if self.pending_pop {
            self.pending_pop = false;
            self.path_depth = self.depth;
        }
        if self.clear_text {
            self.clear_text = false;
            self.run.clear();
        }
        let source = self.xml.get_mut();
        // Marking the text's start changes nothing if this gives up: `next` marks the same
        // offset again.
        let offset = source.mark();
        let carriage_returns = source.carriage_returns();
        let available = source.buffered_text();
        let bytes = available.as_bytes();
        // A text ends at the first `<` or `&`; here it must be a `<` that starts the open
        // element's end tag. An empty element (`<a></a>`) is left to `next`.
        let text_end = memchr::memchr2(b'<', b'&', bytes)?;
        if text_end == 0 || bytes.get(text_end) != Some(&b'<') {
            return None;
        }
        let tag_len = self.element.plain_end_tag(bytes.get(text_end..)?)?;
        let text = available.get(..text_end)?;
        // `TextRun::take`'s test, as `fast` makes it: no byte above a space.
        let blank = text.bytes().all(|byte| byte <= b' ');
        self.offset = offset;
        // No start tag follows: the end tag does.
        self.run
            .take_classified(text, blank, carriage_returns, false);
        let source = self.xml.get_mut();
        source.consume(text_end);
        self.fast_consumed += text_end as u64;
        if self.run.len() > self.max_string_bytes {
            let pos = self.token_pos();
            return Some(Err(self.limit(
                pos,
                format!(
                    "a text is longer than the limit of {} bytes (max_string_bytes)",
                    self.max_string_bytes
                ),
            )));
        }
        // The end tag, as `fast` and then `next` take it.
        let source = self.xml.get_mut();
        self.offset = source.mark();
        self.element.pop_open();
        source.consume(tag_len);
        self.fast_consumed += tag_len as u64;
        self.depth = self.depth.saturating_sub(1);
        self.element.end_scope(self.depth);
        self.pending_pop = true;
        self.clear_text = true;
        Some(Ok(true))
    }

    /// Skips the rest of the current element (after its start), whatever it holds.
    pub(super) fn skip(&mut self) -> Result<(), ReadError> {
        let mut open = 1usize;
        while open > 0 {
            match self.next()? {
                Tok::Start => open += 1,
                Tok::End => open -= 1,
                Tok::Text => self.run.clear(),
                Tok::Eof => return Err(self.unexpected_eof()),
            }
        }
        Ok(())
    }

    /// Reads the rest of the current element as text into [`Cursor::text`]. Returns false
    /// (having skipped them) when it holds child elements.
    pub(super) fn text_only(&mut self) -> Result<bool, ReadError> {
        if let Some(done) = self.text_and_end() {
            return done;
        }
        let mut text_only = true;
        loop {
            match self.next()? {
                Tok::Text => {}
                Tok::End => return Ok(text_only),
                Tok::Start => {
                    text_only = false;
                    self.skip()?;
                }
                Tok::Eof => return Err(self.unexpected_eof()),
            }
        }
    }
}

impl<R> Cursor<R> {
    /// The namespace class of the current element.
    pub(super) fn space(&self) -> Space {
        self.element.space
    }

    /// The namespace IRI of the current element (empty for none).
    pub(super) fn iri(&self) -> &str {
        &self.element.iri
    }

    /// The local name of the current element.
    pub(super) fn local(&self) -> &str {
        self.names.get(self.current).map_or("", String::as_str)
    }

    /// The name of the current element as written, prefix included.
    pub(super) fn qname(&self) -> String {
        // Built by hand: the reader names every extension element of an event this way,
        // and `format!` costs several times what three appends do.
        let (prefix, local) = (self.element.prefix.as_str(), self.local());
        if prefix.is_empty() {
            return local.to_owned();
        }
        let mut qname = String::with_capacity(prefix.len() + 1 + local.len());
        qname.push_str(prefix);
        qname.push(':');
        qname.push_str(local);
        qname
    }

    /// True when the current element is the standard element `local`.
    pub(super) fn is(&self, local: &str) -> bool {
        self.space().is_standard() && self.local() == local
    }

    /// The attributes of the current element, namespace declarations left out.
    pub(super) fn attrs(&self) -> impl Iterator<Item = Attr<'_>> {
        let element = &self.element;
        element.attrs[..element.n_attrs].iter().map(|slot| Attr {
            space: slot.space,
            iri: &slot.iri,
            local: element.tag.get(slot.local.clone()).unwrap_or(""),
            value: match &slot.normalized {
                Some(value) => value,
                None => element.tag.get(slot.value.clone()).unwrap_or(""),
            },
        })
    }

    /// The value of the current element's attribute `local` in `space`.
    pub(super) fn attr(&self, space: Space, local: &str) -> Option<&str> {
        self.attrs()
            .find(|attr| attr.space == space && attr.local == local)
            .map(|attr| attr.value)
    }

    /// The namespace declarations of the current element as (prefix, IRI), the default
    /// namespace with an empty prefix.
    pub(super) fn declarations(&self) -> &[(String, String)] {
        &self.element.declarations[..self.element.n_declarations]
    }

    /// How many elements make up the current element path; a place built with `from`
    /// below it names the path from the element at that depth (counted from 0).
    pub(super) fn path_depth(&self) -> usize {
        self.path_depth
    }

    /// The place `pos`, with the element path from depth `from`.
    pub(super) fn place(&self, pos: Pos, from: usize) -> Place {
        let names = self.names.get(from..self.path_depth).unwrap_or(&[]);
        Place::Xml {
            line: pos.line,
            column: pos.column,
            path: names.join("/"),
        }
    }

    /// A fatal error for a document that is not an EPCIS document.
    pub(super) fn syntax(&self, pos: Pos, message: String) -> ReadError {
        ReadError::Syntax {
            place: self.place(pos, 0),
            message,
        }
    }

    /// A fatal error for an exceeded limit.
    pub(super) fn limit(&self, pos: Pos, message: String) -> ReadError {
        ReadError::Limit {
            place: self.place(pos, 0),
            message,
        }
    }

    /// Where the last token (of any kind) started.
    pub(super) fn token_pos(&mut self) -> Pos {
        self.xml.get_mut().position_of(self.offset)
    }

    /// The error for input that ends inside an element.
    pub(super) fn unexpected_eof(&mut self) -> ReadError {
        let here = self.xml.get_mut().here();
        self.syntax(
            here,
            "the document ends before its elements are closed".to_owned(),
        )
    }

    /// Turns a quick-xml error into a read error, placed where quick-xml says it is.
    fn malformed(&mut self, err: quick_xml::Error, error_position: u64) -> ReadError {
        let token_pos = self.token_pos();
        let source = self.xml.get_mut();
        let pos = source.position_of(error_position);
        let here = source.here();
        let tripped = source.tripped();
        if let quick_xml::Error::Io(io) = &err {
            return match tripped {
                Some(Tripped::DocumentBytes) => self.limit(
                    here,
                    format!(
                        "the document is larger than the limit of {} bytes (max_document_bytes)",
                        self.max_document_bytes
                    ),
                ),
                Some(Tripped::TokenBytes) => self.limit(
                    token_pos,
                    format!(
                        "a text, tag or comment is longer than the limit of {} bytes \
                         (max_string_bytes)",
                        self.max_string_bytes
                    ),
                ),
                None => ReadError::Io(io.to_string()),
            };
        }
        self.syntax(pos, format!("the document is not well-formed XML: {err}"))
    }
}

/// The reusable name buffer for an element starting at `depth`, emptied.
fn name_slot(names: &mut Vec<String>, depth: usize) -> &mut String {
    if names.len() <= depth {
        names.resize_with(depth + 1, String::new);
    }
    let name = &mut names[depth];
    name.clear();
    name
}

/// Copies the name, namespace and attributes of a start tag at `depth` into the element
/// buffers and `local`.
fn take_start(
    start: &BytesStart<'_>,
    empty: bool,
    depth: usize,
    element: &mut Element,
    local: &mut String,
) -> Step {
    element.n_attrs = 0;
    element.n_declarations = 0;
    // Attributes come first: they may declare the namespace of the element's own name.
    if !start.attributes_raw().bytes().all(is_xml_space)
        && let Err(step) = take_attributes(start, depth, element)
    {
        return step;
    }
    let name = start.name().0;
    let colon = name.bytes().position(|byte| byte == b':');
    take_name(name, colon, empty, false, element, local)
}

/// The part of [`take_start`] after the attributes: resolves and records the element's
/// name, whose first `:` is at `colon`. `plain` says the name is known to hold no quote
/// (the fast path stopped at any).
fn take_name(
    name: &str,
    colon: Option<usize>,
    empty: bool,
    plain: bool,
    element: &mut Element,
    local: &mut String,
) -> Step {
    let (prefix, local_name) = match colon {
        Some(colon) => (
            name.get(..colon).unwrap_or(""),
            name.get(colon + 1..).unwrap_or(""),
        ),
        None => ("", name),
    };
    if prefix.is_empty() && element.n_default_bindings == 0 {
        // Nearly every element of an EPCIS document: no prefix and no default namespace,
        // so no namespace, with nothing to look up, copy or classify.
        element.iri.clear();
        element.prefix.clear();
        element.space = Space::None;
    } else {
        // The buffer is taken out and put back so that it can be filled from the bindings
        // without a copy in between.
        let mut iri = std::mem::take(&mut element.iri);
        iri.clear();
        let resolved = element.resolve(prefix).map(|bound| iri.push_str(bound));
        element.iri = iri;
        if resolved.is_none() {
            return Step::Invalid(Box::new(format!(
                "the namespace prefix `{prefix}` of `{name}` is not declared"
            )));
        }
        element.prefix.clear();
        element.prefix.push_str(prefix);
        element.space = Space::classify(&element.iri);
    }
    local.push_str(local_name);
    // One attribute cannot be a duplicate.
    if element.n_attrs > 1
        && let Some(attribute) = duplicate_attribute(element)
    {
        return Step::Invalid(Box::new(format!(
            "the attribute `{attribute}` appears twice on `{name}`"
        )));
    }
    if !empty {
        if !plain && has_quote(name) {
            element.quoted_open += 1;
        }
        element.open_starts.push(element.open_names.len());
        element.open_names.push_str(name);
    }
    if empty { Step::Empty } else { Step::Start }
}

/// True when `name` holds a quote, which would change where quick-xml finds the end of a
/// tag that repeats it.
fn has_quote(name: &str) -> bool {
    name.bytes().any(|byte| byte == b'"' || byte == b'\'')
}

/// Bytes that stop the scan of a start tag's name in [`plain_start_tag`]: the end of the
/// tag, the `/` of a self-closing one, white space (attributes follow), quotes, and the `:`
/// of a prefix (noted, and the scan goes on).
static NAME_STOP: [bool; 256] = {
    let mut stop = [false; 256];
    let mut at = 0;
    let bytes = b"> \t\r\n/\"':";
    while at < bytes.len() {
        stop[bytes[at] as usize] = true;
        at += 1;
    }
    stop
};

/// A start tag that is only a name, as [`plain_start_tag`] finds it.
struct PlainStart {
    /// Where the name ends (at the `>`, or the `/` of `/>`), counted from the `<`.
    end: usize,
    /// Where the name's first `:` is, counted from the name's start.
    colon: Option<usize>,
    /// Whether the tag is self-closing.
    empty: bool,
}

/// For a start tag at the start of `bytes` that is `<name>` or `<name/>` with no white
/// space or quote anywhere in it: where its name ends, where its first `:` is, and whether
/// it is self-closing. `None` for anything else (attributes, a tag cut by the end of the
/// buffer, a stray `/`), which the general path reads.
///
/// The tag then ends where [`tag_end`] would find its end (no quote comes before the `>`),
/// and its name is all of its content, as [`name_len`] would cut it.
#[inline]
fn plain_start_tag(bytes: &[u8]) -> Option<PlainStart> {
    let mut colon = None;
    let mut at = 1;
    loop {
        let byte = *bytes.get(at)?;
        if NAME_STOP[byte as usize] {
            match byte {
                b':' => {
                    colon = colon.or(Some(at - 1));
                }
                b'>' => {
                    return Some(PlainStart {
                        end: at,
                        colon,
                        empty: false,
                    });
                }
                b'/' if bytes.get(at + 1) == Some(&b'>') => {
                    return Some(PlainStart {
                        end: at,
                        colon,
                        empty: true,
                    });
                }
                _ => return None,
            }
        }
        at += 1;
    }
}

/// Checks an end tag (as quick-xml returned it) against the open element.
fn close(element: &mut Element, end: &BytesEnd<'_>) -> Step {
    let name: &str = end;
    close_name(element, name)
}

/// Checks that `name` (trimmed of trailing white space) closes the innermost open element,
/// as quick-xml's `check_end_names` does, with its errors.
fn close_name(element: &mut Element, name: &str) -> Step {
    let Some(start) = element.open_starts.pop() else {
        return Step::EndMismatch(Box::new(quick_xml::Error::IllFormed(
            IllFormedError::UnmatchedEndTag(name.to_owned()),
        )));
    };
    let expected = element.open_names.get(start..).unwrap_or("");
    if expected != name {
        return Step::EndMismatch(Box::new(quick_xml::Error::IllFormed(
            IllFormedError::MismatchedEndTag {
                expected: expected.to_owned(),
                found: name.to_owned(),
            },
        )));
    }
    if element.quoted_open > 0 && has_quote(expected) {
        element.quoted_open -= 1;
    }
    element.open_names.truncate(start);
    Step::End
}

/// Where the `>` that ends a tag is in `bytes` (which start just after its `<`): the first
/// one outside single or double quotes, as quick-xml's element parser finds it.
///
/// Tags are short, so a plain loop beats setting up a vector search; most of their bytes
/// are letters, which lie above `>` and are passed over with one comparison.
#[inline]
fn tag_end(bytes: &[u8]) -> Option<usize> {
    let mut quote = 0u8;
    for (at, &byte) in bytes.iter().enumerate() {
        if byte > b'>' {
            continue;
        }
        if quote == 0 {
            if byte == b'>' {
                return Some(at);
            }
            if byte == b'"' || byte == b'\'' {
                quote = byte;
            }
        } else if byte == quote {
            quote = 0;
        }
    }
    None
}

/// The length of the name at the start of a tag's content: up to the first white space.
fn name_len(content: &[u8]) -> usize {
    content
        .iter()
        .position(|byte| is_xml_space(*byte))
        .unwrap_or(content.len())
}

/// `text` without the white space at its end, as quick-xml trims end-tag names.
fn trim_end_whitespace(text: &str) -> &str {
    // Nearly every end tag ends with its name: one byte settles it.
    match text.as_bytes().last() {
        Some(&last) if !is_xml_space(last) => text,
        _ => text.trim_end_matches([' ', '\t', '\r', '\n']),
    }
}

/// The name of an attribute that appears twice on the element, if one does.
fn duplicate_attribute(element: &Element) -> Option<String> {
    let attrs = &element.attrs[..element.n_attrs];
    let local = |slot: &AttrSlot| element.tag.get(slot.local.clone()).unwrap_or("");
    // Comparing the lengths of the names first keeps this quadratic check cheap for the
    // dozen attributes of a sensor report, which nearly all differ in length.
    attrs.iter().enumerate().find_map(|(index, slot)| {
        let repeated = attrs[..index].iter().any(|earlier| {
            earlier.local.len() == slot.local.len()
                && local(earlier) == local(slot)
                && earlier.iri == slot.iri
        });
        repeated.then(|| local(slot).to_owned())
    })
}

/// Collects the attributes and namespace declarations of a start tag at `depth`, then
/// resolves the attributes' prefixes (a declaration may follow the attribute using it).
fn take_attributes(
    start: &BytesStart<'_>,
    depth: usize,
    element: &mut Element,
) -> Result<(), Step> {
    let content: &str = start;
    element.tag.clear();
    element.tag.push_str(content);
    // quick-xml's duplicate check allocates for every tag with attributes; the check on
    // the collected names in `take_start` does the same job without.
    for attribute in start.attributes().with_checks(false) {
        let attribute = attribute.map_err(|err| Step::Malformed(Box::new(err.into())))?;
        if let Some(declaration) = attribute.key.as_namespace_binding() {
            let prefix = match declaration {
                PrefixDeclaration::Default => "",
                PrefixDeclaration::Named(prefix) => prefix,
            };
            // A namespace IRI is an attribute value like any other: references in it are
            // resolved before it names a namespace (`&amp;` is `&`), so that a declaration the
            // writer escaped reads back as the IRI it was.
            let iri = if attribute
                .value
                .bytes()
                .any(|byte| matches!(byte, b'&' | b'\t' | b'\r' | b'\n'))
            {
                attribute
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|err| Step::Malformed(Box::new(err)))?
            } else {
                attribute.value.clone()
            };
            declare(element, prefix, &iri, depth)
                .map_err(|message| Step::Invalid(Box::new(message)))?;
            continue;
        }
        // Most values need no normalisation (no reference, no tab or line end), and saying
        // so with one plain loop is cheaper than asking quick-xml.
        let special = attribute
            .value
            .bytes()
            .any(|byte| matches!(byte, b'&' | b'\t' | b'\r' | b'\n'));
        let value = if special {
            attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| Step::Malformed(Box::new(err)))?
        } else {
            attribute.value.clone()
        };
        if element.n_attrs == element.attrs.len() {
            element.attrs.push(AttrSlot::default());
        }
        let slot = &mut element.attrs[element.n_attrs];
        let key = attribute.key.0;
        let (prefix, local) = match key.bytes().position(|byte| byte == b':') {
            Some(colon) => (&key[..colon], &key[colon + 1..]),
            None => ("", key),
        };
        slot.prefix = range_in(content, prefix).unwrap_or(0..0);
        slot.local = range_in(content, local).unwrap_or(0..0);
        match range_in(content, &value) {
            Some(range) => {
                slot.value = range;
                slot.normalized = None;
            }
            // Only a value that needed normalising (an entity, a line end) is not a slice
            // of the tag, and only it is copied.
            None => {
                slot.value = 0..0;
                slot.normalized = Some(value.into_owned());
            }
        }
        element.n_attrs += 1;
    }
    for index in 0..element.n_attrs {
        let mut iri = std::mem::take(&mut element.attrs[index].iri);
        iri.clear();
        let prefix_range = element.attrs[index].prefix.clone();
        // An unprefixed attribute has no namespace, whatever the default namespace is.
        if !prefix_range.is_empty() {
            let prefix = element.tag.get(prefix_range).unwrap_or("");
            match element.resolve(prefix) {
                Some(bound) => iri.push_str(bound),
                None => {
                    return Err(Step::Invalid(Box::new(format!(
                        "the namespace prefix `{prefix}` of an attribute is not declared"
                    ))));
                }
            }
        }
        let slot = &mut element.attrs[index];
        slot.space = Space::classify(&iri);
        slot.iri = iri;
    }
    Ok(())
}

/// Records a namespace declaration of the element at `depth`.
fn declare(element: &mut Element, prefix: &str, iri: &str, depth: usize) -> Result<(), String> {
    // `<` cannot stand in an attribute value (XML 1.0 §3.1) and is no IRI character either;
    // quick-xml does not check attribute values, so the declaration is refused here.
    if iri.contains('<') {
        return Err(format!(
            "the namespace IRI of prefix `{prefix}` contains `<`, which an attribute value cannot hold"
        ));
    }
    if !prefix.is_empty() && iri.is_empty() {
        return Err(format!(
            "the namespace prefix `{prefix}` is bound to an empty IRI, which XML 1.0 forbids"
        ));
    }
    if prefix == "xmlns" || (prefix == "xml") != (iri == XML_NAMESPACE) {
        return Err(format!(
            "the namespace prefix `{prefix}` cannot be bound to `{iri}`"
        ));
    }
    if element.bindings.len() >= MAX_BINDINGS {
        return Err(format!(
            "more than {MAX_BINDINGS} namespace bindings are in scope at once"
        ));
    }
    push_declaration(
        &mut element.declarations,
        &mut element.n_declarations,
        prefix,
        iri,
    );
    if prefix.is_empty() {
        element.n_default_bindings += 1;
    }
    element.bindings.push(Binding {
        prefix: prefix.to_owned(),
        iri: iri.to_owned(),
        depth,
    });
    Ok(())
}

/// Where `part` lies in `whole`, when it is a slice of it.
fn range_in(whole: &str, part: &str) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}

fn push_declaration(
    declarations: &mut Vec<(String, String)>,
    n_declarations: &mut usize,
    prefix: &str,
    iri: &str,
) {
    if *n_declarations == declarations.len() {
        declarations.push((String::new(), String::new()));
    }
    let slot = &mut declarations[*n_declarations];
    slot.0.clear();
    slot.0.push_str(prefix);
    slot.1.clear();
    slot.1.push_str(iri);
    *n_declarations += 1;
}

fn is_xml_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Appends `text` with its line ends normalised as XML 1.0 requires: `\r\n` and a lone `\r`
/// become `\n`. (quick-xml's own normalisation would allocate a string each time.)
fn push_normalized(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find('\r') {
        out.push_str(&rest[..at]);
        out.push('\n');
        let after = &rest[at + 1..];
        rest = after.strip_prefix('\n').unwrap_or(after);
    }
    out.push_str(rest);
}

fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{push_normalized, range_in, tag_end};
    use proptest::prelude::*;

    /// `tag_end` as the rule says it, one byte at a time.
    fn tag_end_plain(bytes: &[u8]) -> Option<usize> {
        let mut quote = None;
        for (at, &byte) in bytes.iter().enumerate() {
            match quote {
                None if byte == b'>' => return Some(at),
                None if byte == b'"' || byte == b'\'' => quote = Some(byte),
                Some(open) if byte == open => quote = None,
                _ => {}
            }
        }
        None
    }

    proptest! {
        #[test]
        fn tag_end_agrees_with_the_plain_rule(
            bytes in proptest::collection::vec(
                prop_oneof![
                    Just(b'>'), Just(b'"'), Just(b'\''), Just(b'='), Just(b' '), Just(b'?'),
                    Just(b'='), Just(b'\n'), Just(0x3f), Just(0xbf), Just(0xff), b'a'..=b'z',
                    any::<u8>(),
                ],
                0..80,
            )
        ) {
            prop_assert_eq!(tag_end(&bytes), tag_end_plain(&bytes));
        }
    }

    #[test]
    fn tag_end_finds_the_first_unquoted_close_in_any_word() {
        for len in 0..40 {
            for close in 0..len {
                let mut bytes = vec![b'x'; len];
                bytes[close] = b'>';
                assert_eq!(tag_end(&bytes), Some(close), "len {len}, close {close}");
                bytes.insert(0, b'"');
                let quoted = tag_end(&bytes);
                assert_eq!(quoted, None, "len {len}, close {close} inside quotes");
            }
            assert_eq!(tag_end(&vec![b'?'; len]), None);
        }
    }

    #[test]
    fn line_ends_are_normalised_while_text_is_appended() {
        let mut out = String::from(">");
        push_normalized(&mut out, "a\r\nb\rc\n\r\r\nd\r");
        assert_eq!(out, ">a\nb\nc\n\n\nd\n");
    }

    #[test]
    fn a_slice_is_found_in_its_string_and_nothing_else_is() {
        let whole = String::from("tag a=\"1\"");
        let other = String::from("a");
        assert_eq!(range_in(&whole, &whole[4..5]), Some(4..5));
        assert_eq!(range_in(&whole, &other), None);
    }
}

//! The streaming reader: the public [`read()`] and [`read_header`], the flow of events from the
//! parser to the consumer, and the translation of parser failures into [`ReadError`]s.
//!
//! The parser reads the document through the byte pass of `scan.rs`, which cuts the events
//! out; each event is parsed from its own bytes when the parser reaches the event list,
//! converted, and handed to the [`EventSink`] at once, except while it waits for a
//! `@context` that comes later in the document (see the module documentation of
//! [`crate::json`]). This module does not know what is inside an event (`event.rs`) or a
//! header (`document.rs`).

use std::cell::RefCell;
use std::io::{BufReader, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed};

use super::de::{Ctx, Kind, Names, Number, Obj, Path, Skip, Unresolved, Val};
use super::document::{DocumentReader, HeaderDraft};
use super::event::EventReader;
use super::scan::{self, Captured, Pump};
use crate::ext::{ExtValue, Extension};
use crate::model::{Event, Header};
use crate::{EventSink, Limits, Origin, Place, Problem, ReadError};

/// The size of the buffer between the byte pass and the parser, which sees only what is
/// around the events.
const BUFFER_BYTES: usize = 8 * 1024;

/// An event that waits for the document's `@context` before it can be handed on.
pub(super) enum Pending {
    /// An event cut out of the stream, kept as its bytes (a fraction of the memory its model
    /// takes) and read again once the `@context` is known.
    Bytes {
        index: usize,
        pointer: String,
        captured: Captured,
    },
    /// An event read from the stream, which happens only when the byte pass did not
    /// recognise the event list.
    Read(Box<ReadEvent>),
}

/// An event that has been read, with what was found in it.
pub(super) struct ReadEvent {
    index: usize,
    pointer: String,
    event: Option<Event>,
    problems: Vec<Problem>,
    unresolved: Vec<Unresolved>,
    /// True when some names were left unresolved while the event was read, even if the
    /// event's own `@context` has declared their prefixes since.
    raw_names: bool,
    /// The prefixes the event's own `@context` declared.
    scope: Vec<(String, String)>,
}

/// What the reader keeps about the document as a whole.
pub(super) struct DocumentState<'s> {
    /// The byte pass, which hands over the events it cut out of the stream.
    pub pump: Rc<RefCell<dyn Pump + 's>>,
    /// The consumer; `None` when only the header is wanted and events are skipped.
    pub sink: Option<&'s mut dyn EventSink>,
    /// The header members read so far.
    pub header: HeaderDraft,
    /// True once [`EventSink::header`] has been called.
    pub header_sent: bool,
    /// Events waiting for the document's `@context`, in document order.
    pub pending: Vec<Pending>,
    /// True while a cut-out event is read for the first time, so that an event that has to
    /// wait is kept as its bytes; `hold` says that it has to.
    pub cutting: bool,
    pub hold: bool,
    /// Events seen so far.
    pub n_events: usize,
    /// Prefixes that header members used before they were declared.
    pub header_unresolved: Vec<Unresolved>,
}

/// Reads a JSON-LD EPCIS document, handing each event to `sink` as soon as it is read, and
/// returns the complete header.
///
/// Problems with one event are reported for that event through the sink and reading goes
/// on; malformed JSON, a header that cannot be read, an exceeded limit or a sink that asks
/// to stop end reading with a [`ReadError`].
pub fn read(
    input: impl Read,
    limits: &Limits,
    sink: &mut impl EventSink,
) -> Result<Header, ReadError> {
    read_with(input, limits, Some(sink))
}

/// Reads only the header of a JSON-LD EPCIS document, skipping its events without
/// converting them (they are still parsed, so malformed JSON and limits are still errors).
///
/// This serves a two-pass conversion of a document whose header members follow its events.
pub fn read_header(input: impl Read, limits: &Limits) -> Result<Header, ReadError> {
    read_with(input, limits, None)
}

fn read_with<'s>(
    input: impl Read + 's,
    limits: &Limits,
    sink: Option<&'s mut dyn EventSink>,
) -> Result<Header, ReadError> {
    let max_token_bytes = u64::try_from(limits.max_string_bytes).unwrap_or(u64::MAX);
    let (splitter, pump) = scan::split(input, limits.max_document_bytes, max_token_bytes);
    let mut parser =
        serde_json::Deserializer::from_reader(BufReader::with_capacity(BUFFER_BYTES, splitter));
    let mut ctx = Ctx {
        limits: *limits,
        depth: 0,
        fatal: None,
        error_pointer: None,
        problems: Vec::new(),
        unresolved: Vec::new(),
        names: Names::default(),
        document: DocumentState {
            pump,
            sink,
            header: HeaderDraft::default(),
            header_sent: false,
            pending: Vec::new(),
            cutting: false,
            hold: false,
            n_events: 0,
            header_unresolved: Vec::new(),
        },
    };
    let parsed = Val::new(&mut ctx, Path::Root, Obj(DocumentReader)).deserialize(&mut parser);
    let parsed = parsed.and_then(|document| parser.end().map(|()| document));
    match parsed {
        Err(error) => Err(parse_error(&mut ctx, &error)),
        Ok(None) => Err(match ctx.problems.drain(..).next() {
            Some(problem) => ReadError::Syntax {
                place: problem.place,
                message: problem.message,
            },
            None => ReadError::Syntax {
                place: Place::JsonPointer(String::new()),
                message: "the document is not an EPCIS document object".to_owned(),
            },
        }),
        Ok(Some(())) => finish(ctx),
    }
}

/// Ends a document that parsed: events still waiting for a `@context` are handed on (their
/// undeclared prefixes now are problems), and the header is checked and completed.
fn finish(mut ctx: Ctx<'_>) -> Result<Header, ReadError> {
    ctx.names.context_seen = true;
    flush(&mut ctx)?;
    if let Some(unresolved) = ctx
        .document
        .header_unresolved
        .iter()
        .find(|unresolved| ctx.names.lookup(&unresolved.prefix).is_none())
    {
        return Err(ReadError::Syntax {
            place: Place::JsonPointer(unresolved.pointer.clone()),
            message: ctx.names.undeclared_message(&unresolved.prefix),
        });
    }
    let header = std::mem::take(&mut ctx.document.header).finish(&ctx.names)?;
    if !ctx.document.header_sent
        && let Some(sink) = ctx.document.sink.as_mut()
    {
        sink.header(&header).map_err(ReadError::Stopped)?;
    }
    Ok(header)
}

/// Translates a parser failure: a reason recorded by a visitor or the byte pass comes
/// first, then what `serde_json` says, placed at the innermost pointer noted on the way out
/// and at the document's line and column.
fn parse_error(ctx: &mut Ctx<'_>, error: &serde_json::Error) -> ReadError {
    if let Some(fatal) = ctx.fatal.take() {
        return fatal;
    }
    let place = Place::JsonPointer(ctx.error_pointer.take().unwrap_or_default());
    let mut pump = ctx.document.pump.borrow_mut();
    if let Some(message) = pump.take_limit() {
        return ReadError::Limit { place, message };
    }
    let position = pump.document_position(error.line() as u64, error.column() as u64);
    describe(error, place, position)
}

/// A `serde_json` error as a [`ReadError`] at `place`, the error having happened at the
/// document's `position` (line and column).
fn describe(error: &serde_json::Error, place: Place, position: (u64, u64)) -> ReadError {
    let text = error.to_string();
    let bare = text
        .rfind(" at line ")
        .map_or(text.as_str(), |at| &text[..at]);
    if error.is_io() {
        return ReadError::Io(bare.to_owned());
    }
    let (line, column) = position;
    if bare == "recursion limit exceeded" {
        return ReadError::Limit {
            place,
            message: format!(
                "line {line}, column {column}: the document nests objects and arrays deeper than 128 levels, the JSON parser's own limit"
            ),
        };
    }
    ReadError::Syntax {
        place,
        message: format!("line {line}, column {column}: {bare}"),
    }
}

/// Reads one event the byte pass cut out of the stream, from its own bytes, or keeps the
/// bytes when the event has to wait for the document's `@context`.
pub(super) fn read_cut_event(
    ctx: &mut Ctx<'_>,
    path: Path<'_>,
    index: usize,
    captured: Captured,
) -> Result<(), ReadError> {
    count_event(ctx, path)?;
    let behind_waiting = ctx.document.sink.is_some() && !ctx.document.pending.is_empty();
    if behind_waiting && captured.limit.is_none() {
        // An event behind one that waits waits too, to keep document order; it is read
        // only once, when its turn comes.
        let pointer = path.pointer();
        ctx.document.pending.push(Pending::Bytes {
            index,
            pointer,
            captured,
        });
        return Ok(());
    }
    ctx.document.cutting = true;
    let outcome = parse_cut_event(ctx, path, index, &captured);
    ctx.document.cutting = false;
    if std::mem::take(&mut ctx.document.hold) && outcome.is_ok() {
        let pointer = path.pointer();
        ctx.document.pending.push(Pending::Bytes {
            index,
            pointer,
            captured,
        });
        return Ok(());
    }
    ctx.document.pump.borrow_mut().recycle(captured.bytes);
    outcome
}

/// Parses a cut-out event and hands it on (see [`event_read`]).
fn parse_cut_event(
    ctx: &mut Ctx<'_>,
    path: Path<'_>,
    index: usize,
    captured: &Captured,
) -> Result<(), ReadError> {
    let mut parser = serde_json::Deserializer::from_slice(&captured.bytes);
    let parsed = Val::new(ctx, path, EventKind { index })
        .deserialize(&mut parser)
        .and_then(|_| parser.end());
    match ctx.fatal.take() {
        Some(fatal) => Err(fatal),
        None => cut_event_outcome(ctx, path, captured, parsed.err()),
    }
}

/// Whether a cut-out event parsed, as a [`ReadError`] if it did not: a limit crossed inside
/// it, or a syntax error at its position in the document.
fn cut_event_outcome(
    ctx: &mut Ctx<'_>,
    path: Path<'_>,
    captured: &Captured,
    error: Option<serde_json::Error>,
) -> Result<(), ReadError> {
    if captured.limit.is_none() && error.is_none() {
        return Ok(());
    }
    let pointer = ctx.error_pointer.take().unwrap_or_else(|| path.pointer());
    let place = Place::JsonPointer(pointer);
    if let Some(message) = &captured.limit {
        return Err(ReadError::Limit {
            place,
            message: message.clone(),
        });
    }
    let Some(error) = error else {
        return Ok(());
    };
    let (line, column) = (error.line() as u64, error.column() as u64);
    let position = if line == 1 {
        (captured.line, captured.column + column.saturating_sub(1))
    } else {
        (captured.line + line - 1, column)
    };
    Err(describe(&error, place, position))
}

/// The seed for one element of an event list: counts it against `max_events` before a byte
/// of it is parsed.
pub(super) struct EventSeed<'a, 's> {
    ctx: &'a mut Ctx<'s>,
    path: Path<'a>,
    index: usize,
}

impl<'a, 's> EventSeed<'a, 's> {
    /// The seed for element `index` at `path`.
    pub fn new(ctx: &'a mut Ctx<'s>, path: Path<'a>, index: usize) -> Self {
        EventSeed { ctx, path, index }
    }
}

impl<'de> DeserializeSeed<'de> for EventSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let ctx = self.ctx;
        if let Err(error) = count_event(ctx, self.path) {
            return Err(ctx.stop(error));
        }
        let kind = EventKind { index: self.index };
        Val::new(ctx, self.path, kind).deserialize(deserializer)?;
        Ok(())
    }
}

/// Counts one more event, failing when that crosses `max_events`.
fn count_event(ctx: &mut Ctx<'_>, path: Path<'_>) -> Result<(), ReadError> {
    if ctx.document.n_events >= ctx.limits.max_events {
        return Err(ReadError::Limit {
            place: Place::JsonPointer(path.pointer()),
            message: format!(
                "the document has more events than the limit of {} (max_events)",
                ctx.limits.max_events
            ),
        });
    }
    ctx.document.n_events += 1;
    Ok(())
}

/// One element of an event list, read and handed on.
#[derive(Clone, Copy)]
struct EventKind {
    index: usize,
}

impl EventKind {
    fn not_an_event(self, ctx: &mut Ctx<'_>, path: Path<'_>, found: &str) -> Option<()> {
        if ctx.document.sink.is_some() {
            ctx.mismatch(path, self.expected(), found);
            event_read(ctx, self.index, path, None);
        }
        Some(())
    }
}

impl Kind for EventKind {
    type Out = ();

    fn expected(&self) -> &'static str {
        "an event object"
    }

    fn string(self, ctx: &mut Ctx<'_>, path: Path<'_>, _: &str) -> Option<()> {
        self.not_an_event(ctx, path, "a string")
    }

    fn number(self, ctx: &mut Ctx<'_>, path: Path<'_>, _: Number) -> Option<()> {
        self.not_an_event(ctx, path, "a number")
    }

    fn boolean(self, ctx: &mut Ctx<'_>, path: Path<'_>, _: bool) -> Option<()> {
        self.not_an_event(ctx, path, "a boolean")
    }

    fn null(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<()> {
        self.not_an_event(ctx, path, "null")
    }

    fn array<'de, A: de::SeqAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        seq: A,
    ) -> Result<Option<()>, A::Error> {
        Skip.array(ctx, path, seq)?;
        Ok(self.not_an_event(ctx, path, "an array"))
    }

    fn object<'de, A: de::MapAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        map: A,
    ) -> Result<Option<()>, A::Error> {
        if ctx.document.sink.is_none() {
            return Skip.object(ctx, path, map);
        }
        let event = Obj(EventReader::default()).object(ctx, path, map)?;
        event_read(ctx, self.index, path, event);
        Ok(Some(()))
    }
}

/// Hands the event just read to the consumer, or keeps it while it waits for the
/// document's `@context` (a cut-out event is kept by [`read_cut_event`], as its bytes). A
/// consumer that stops is recorded in [`Ctx::fatal`].
fn event_read(ctx: &mut Ctx<'_>, index: usize, path: Path<'_>, event: Option<Event>) {
    let mut unresolved = std::mem::take(&mut ctx.unresolved);
    let raw_names = !unresolved.is_empty();
    // The event's own @context may have come after the members that needed it.
    unresolved.retain(|name| ctx.names.lookup(&name.prefix).is_none());
    let read = ReadEvent {
        index,
        pointer: path.pointer(),
        event,
        problems: std::mem::take(&mut ctx.problems),
        unresolved,
        raw_names,
        scope: std::mem::take(&mut ctx.names.event_scope),
    };
    let waits = !read.unresolved.is_empty() && !ctx.names.context_seen;
    if waits || !ctx.document.pending.is_empty() {
        if ctx.document.cutting {
            ctx.document.hold = true;
        } else {
            ctx.document.pending.push(Pending::Read(Box::new(read)));
        }
        return;
    }
    if let Err(error) = deliver(ctx, read) {
        ctx.fatal.get_or_insert(error);
    }
}

/// Called when the document's `@context` has been read: the events that waited for it can
/// now be resolved and handed on.
pub(super) fn context_complete<E: de::Error>(ctx: &mut Ctx<'_>) -> Result<(), E> {
    ctx.names.context_seen = true;
    flush(ctx).map_err(|error| ctx.stop(error))
}

/// Hands on the events that waited, reading again those kept as bytes.
fn flush(ctx: &mut Ctx<'_>) -> Result<(), ReadError> {
    for pending in std::mem::take(&mut ctx.document.pending) {
        match pending {
            Pending::Read(read) => deliver(ctx, *read)?,
            Pending::Bytes {
                index,
                pointer,
                captured,
            } => {
                parse_cut_event(ctx, Path::Pointer(&pointer), index, &captured)?;
                ctx.document.pump.borrow_mut().recycle(captured.bytes);
            }
        }
    }
    Ok(())
}

/// Resolves what is left of an event's names and hands it to the consumer.
fn deliver(ctx: &mut Ctx<'_>, read: ReadEvent) -> Result<(), ReadError> {
    let ReadEvent {
        index,
        pointer,
        mut event,
        mut problems,
        unresolved,
        raw_names,
        scope,
    } = read;
    if raw_names {
        ctx.names.event_scope = scope;
        for name in &unresolved {
            if ctx.names.lookup(&name.prefix).is_none() {
                problems.push(Problem {
                    place: Place::JsonPointer(name.pointer.clone()),
                    message: ctx.names.undeclared_message(&name.prefix),
                });
            }
        }
        if let Some(event) = &mut event {
            resolve_event(&ctx.names, event);
        }
        ctx.names.event_scope.clear();
    }
    let result = match event {
        Some(event) if problems.is_empty() => Ok(event),
        _ => Err(problems),
    };
    let Some(sink) = ctx.document.sink.as_mut() else {
        return Ok(());
    };
    if !ctx.document.header_sent {
        ctx.document.header_sent = true;
        let header = ctx.document.header.snapshot(&ctx.names);
        sink.header(&header).map_err(ReadError::Stopped)?;
    }
    let origin = Origin {
        index,
        place: Place::JsonPointer(pointer),
        fields: Vec::new(),
    };
    sink.event(result, origin).map_err(ReadError::Stopped)
}

/// Resolves every name in `event` whose prefix was declared after it was used.
fn resolve_event(names: &Names, event: &mut Event) {
    resolve_names(names, &mut event.extensions);
    if let Some(ilmd) = &mut event.ilmd {
        resolve_names(names, ilmd);
    }
    if let Some(declaration) = &mut event.error_declaration {
        resolve_names(names, &mut declaration.extensions);
    }
    for location in [&mut event.read_point, &mut event.biz_location]
        .into_iter()
        .flatten()
    {
        resolve_names(names, &mut location.extensions);
    }
    for element in &mut event.sensor_element_list {
        resolve_names(names, &mut element.extensions);
        if let Some(metadata) = &mut element.metadata {
            resolve_names(names, &mut metadata.extensions);
        }
        for report in &mut element.reports {
            resolve_names(names, &mut report.extensions);
        }
    }
}

/// Resolves the names of `extensions`, their attributes and everything nested in them.
pub(super) fn resolve_names(names: &Names, extensions: &mut [Extension]) {
    for extension in extensions {
        names.resolve_raw(&mut extension.name);
        for (name, _) in &mut extension.attributes {
            names.resolve_raw(name);
        }
        resolve_value(names, &mut extension.value);
    }
}

/// Resolves the names nested in `value`.
pub(super) fn resolve_value(names: &Names, value: &mut ExtValue) {
    match value {
        ExtValue::Object(members) => resolve_names(names, members),
        ExtValue::Array(items) => {
            for item in items {
                resolve_value(names, item);
            }
        }
        ExtValue::Text(_) | ExtValue::Number(_) | ExtValue::Bool(_) | ExtValue::Null => {}
    }
}

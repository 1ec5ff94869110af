//! The JSON-LD codec: a streaming reader ([`read()`], [`read_header`]) and a streaming writer
//! ([`Writer`], [`write_document`]) for EPCIS 2.0 documents in JSON-LD.
//!
//! It reads documents written against the standard EPCIS context and against GS1's
//! simplified context, and it writes documents against the standard context. It is not a
//! JSON-LD processor: it never fetches a context, expands or compacts a document, or
//! interprets term definitions beyond namespace prefixes. It does not check which fields an
//! event type needs (that is [`crate::validate`]) and computes no hashes.
//!
//! # Contexts
//!
//! The contexts EPCIS documents name are known without the network (`context.rs` holds the
//! project's own table of their URLs and the prefixes they declare). Inline context objects
//! (`{"example": "http://ns.example.com/epcis/"}`) declare prefixes, for the document or, in
//! an event's own `@context`, for that event. A context URL this project does not know is
//! not an error by itself; it becomes part of the message when a prefix it might have
//! declared is missing. The standard prefixes (`cbvmda`, `gs1`, …) are assumed even in a
//! document without `@context`. Redeclaring one of them with another IRI after naming an
//! EPCIS context is refused, as JSON-LD refuses redefining a protected term: fatally in the
//! document's `@context`, as a problem in an event's.
//!
//! GS1's simplified context allows a few spellings the standard context does not, and the
//! reader accepts them everywhere: a single value where a list is expected, `id` for
//! `eventID`, `"type": "epcis:SensorElement"` on a sensor element (checked, not kept),
//! compact IRIs as vocabulary values (`gs1:Temperature`, `cbv:Comp-latitude`), a number as
//! `schemaVersion`, and a bare identifier string as `readPoint` or `bizLocation`.
//!
//! # Duplicate member names
//!
//! JSON leaves undefined which of two members with the same name counts, and parsers differ.
//! Silently keeping one of two conflicting values is unsafe for a regulator's record, so a
//! duplicate is refused: inside an event it is a problem for that event naming the member
//! and the pointer of its second occurrence (the event is reported as `Err`, reading goes
//! on); outside events it is a fatal [`crate::ReadError::Syntax`]. `eventID` and `id` on
//! one event count as duplicates, as they name the same thing.
//!
//! # Extensions
//!
//! An extension member is named `prefix:local` (the prefix declared by a context) or by an
//! absolute IRI; it becomes a [`crate::QName`] whose namespace is the prefix's IRI, or the
//! absolute IRI up to its last `/` or `#`. Strings, numbers, booleans, `null`, objects and
//! arrays map to the [`crate::ExtValue`] of the same shape. Numbers keep their value, not
//! always their spelling: integers are exact, other numbers are written in the shortest form
//! that reads back as the same double (`1.50` becomes `1.5`); integers beyond 64 bits lose
//! precision. Inside extension objects, names without a prefix are unqualified names (empty
//! namespace), which is what XML allows for children of an extension element.
//!
//! XML repeats an element where JSON uses an array: the writer groups extensions of the same
//! name into one array at the place of the first, and the reader keeps a JSON array as one
//! extension with an array value ([`crate::Event::same_meaning`] treats both as equal).
//!
//! XML attributes of extension elements have no JSON-LD equivalent. The writer drops
//! `xsi:type`, as GS1's own JSON twins of its XML examples do. Every other attribute becomes
//! a member of the element's object form named `@` followed by its prefixed name, and the
//! element's own value, when it has one that is not an object, goes into a `#text` member:
//! `<ex:weight ex:unit="KGM">12</ex:weight>` is `"ex:weight": {"@ex:unit": "KGM", "#text": "12"}`.
//! The reader maps these members back to attributes; an array whose items carry attributes
//! becomes repeated extensions, which is the only way the model can hold them. This conflicts
//! with JSON-LD: a processor ignores member names that start with `@` and are not keywords,
//! and `#text` is a relative IRI no EPCIS context maps, so these values are invisible to
//! linked-data tools. Plain prefixed members would have been visible but indistinguishable
//! from child elements, so XML → JSON → XML would turn attributes into elements; keeping the
//! document's exact content was judged more important for a record a regulator relies on.
//!
//! # Streaming and memory
//!
//! The reader never holds the whole document. A byte pass (`scan.rs`) sits between the
//! caller's reader and `serde_json`: it enforces [`crate::Limits::max_document_bytes`] and
//! [`crate::Limits::max_string_bytes`] on the raw bytes, before `serde_json` buffers anything,
//! and it cuts each element of the event list out of the stream. `serde_json` parses the rest
//! of the document from the stream, and each event from its own bytes (which is several times
//! faster) when it reaches the event list; the event is converted and handed to the
//! [`crate::EventSink`] before the next one is cut out. Memory is bounded by one event (its
//! bytes and its model), one 64 KiB input chunk, and the header. The visitors enforce
//! `max_depth` and `max_events`; `serde_json`'s own recursion limit of 128 levels (counted
//! from the event's root inside an event) is reported as a limit error too. Errors inside an
//! event carry the document's line and column, translated from the event's own bytes.
//!
//! The one exception is a document whose `@context` follows its events (GS1's "all possible
//! fields" examples are written so). An event whose extension members use a prefix that is
//! not declared yet waits until the document's `@context` has been read, and so does every
//! event after it, to keep document order; at the `@context` they are read again, resolved
//! and handed on. A waiting event is kept as its bytes, not its model, which takes about a
//! tenth of the memory: reading a 235 MB document of extension-heavy events peaks at about
//! 4 MB with `@context` first and about 280 MB with `@context` last. Events that need no
//! undeclared prefix, and every event of a document whose `@context` comes first, never wait.
//!
//! The consumer's [`crate::EventSink::header`] is called before the first event with the
//! header members read so far. Members not read yet hold placeholders: the Unix epoch as
//! `creation_date` and an empty `schema_version`. The header [`read()`] returns is complete;
//! a document without `type`, `schemaVersion`, `creationDate` or an event list is refused
//! at its end. [`read_header`] reads that complete header while skipping events cheaply.
//!
//! # Where the writer puts things
//!
//! Header extensions are written inside `epcisHeader` (where XML keeps them); the reader
//! accepts them there and at the document level. Master data returned in an
//! `EPCISQueryDocument`'s `resultsBody.vocabularyList` is read into the header's master data
//! and written back in `epcisHeader`.

mod context;
mod de;
mod document;
mod event;
mod read;
mod scan;
mod single;
mod write;

pub use read::{read, read_header};
pub use single::{event_from_str, event_to_string};
pub use write::{Writer, write_document};

#[cfg(test)]
mod tests;

//! Reading the parts of a document around its events: the document object, `epcisHeader`
//! with its master data, `epcisBody` and the query results of an `EPCISQueryDocument`.
//!
//! Problems here are not per-event: a document whose header cannot be read is refused as a
//! whole, so every problem found outside an event becomes a fatal [`ReadError::Syntax`] at
//! once. The members read so far are kept in [`HeaderDraft`] as they arrive, so that the
//! consumer's [`crate::EventSink::header`] sees them before the first event.
//! This module does not handle events themselves; `read.rs` does.

use serde::de::{self, MapAccess, SeqAccess};

use super::context::Member;
use super::de::{
    ContextScope, ContextValue, Ctx, ExtKind, ExtRead, Key, Kind, List, Members, Names, Number,
    Obj, Path, Text, read, read_extension, refuse,
};
use super::event::Time;
use super::read::{EventSeed, context_complete, read_cut_event};
use crate::ext::{ExtValue, Extension};
use crate::model::{
    DocumentType, Header, MasterDataAttribute, QueryResults, Vocabulary, VocabularyElement,
};
use crate::time::EpcisTime;
use crate::{Place, ReadError};

/// The header members read so far.
#[derive(Default)]
pub(super) struct HeaderDraft {
    pub document_type: Option<DocumentType>,
    pub schema_version: Option<String>,
    pub creation_date: Option<EpcisTime>,
    pub id: Option<String>,
    pub sender: Option<String>,
    pub receiver: Option<String>,
    pub instance_identifier: Option<String>,
    pub master_data: Vec<Vocabulary>,
    pub query_results: Option<QueryResults>,
    pub extensions: Vec<Extension>,
    /// True once `epcisBody` and its event list have been seen.
    pub saw_body: bool,
    pub saw_event_list: bool,
}

impl HeaderDraft {
    /// The header as far as it is known, with names resolved as far as the prefixes seen so
    /// far allow. Members not seen yet are placeholders: the Unix epoch for the creation
    /// date and an empty schema version.
    pub fn snapshot(&self, names: &Names) -> Header {
        let mut header = Header {
            document_type: self
                .document_type
                .unwrap_or(if self.query_results.is_some() {
                    DocumentType::EpcisQueryDocument
                } else {
                    DocumentType::EpcisDocument
                }),
            schema_version: self.schema_version.clone().unwrap_or_default(),
            creation_date: self
                .creation_date
                .unwrap_or(EpcisTime::utc(jiff::Timestamp::UNIX_EPOCH)),
            id: self.id.clone(),
            sender: self.sender.clone(),
            receiver: self.receiver.clone(),
            instance_identifier: self.instance_identifier.clone(),
            namespaces: names.document.clone(),
            master_data: self.master_data.clone(),
            query_results: self.query_results.clone(),
            extensions: self.extensions.clone(),
        };
        resolve_header_names(names, &mut header);
        header
    }

    /// The complete header, or why the document is not an EPCIS document.
    pub fn finish(self, names: &Names) -> Result<Header, ReadError> {
        let refuse = |member: &str, message: String| ReadError::Syntax {
            place: Place::JsonPointer(member.to_owned()),
            message,
        };
        let Some(document_type) = self.document_type else {
            let message = "the document has no `type` (EPCISDocument or EPCISQueryDocument)";
            return Err(refuse("", message.to_owned()));
        };
        if document_type == DocumentType::EpcisDocument && self.query_results.is_some() {
            let message =
                "an EPCISDocument cannot carry `queryResults`; is it an EPCISQueryDocument?";
            return Err(refuse("/epcisBody/queryResults", message.to_owned()));
        }
        for (missing, name) in [
            (self.schema_version.is_none(), "schemaVersion"),
            (self.creation_date.is_none(), "creationDate"),
            (!self.saw_body, "epcisBody"),
        ] {
            if missing {
                let message = format!("the document has no `{name}`, which EPCIS 2.0 requires");
                return Err(refuse("", message));
            }
        }
        if !self.saw_event_list {
            let (place, message) = match document_type {
                DocumentType::EpcisDocument => ("/epcisBody", "`epcisBody` has no `eventList`"),
                DocumentType::EpcisQueryDocument => (
                    "/epcisBody/queryResults",
                    "`queryResults` has no `resultsBody` with an `eventList`",
                ),
            };
            return Err(refuse(place, message.to_owned()));
        }
        let mut header = self.snapshot(names);
        header.document_type = document_type;
        Ok(header)
    }
}

/// Resolves names whose prefixes were declared after they were used.
fn resolve_header_names(names: &Names, header: &mut Header) {
    super::read::resolve_names(names, &mut header.extensions);
    for vocabulary in &mut header.master_data {
        for element in &mut vocabulary.elements {
            super::read::resolve_names(names, &mut element.extensions);
            for attribute in &mut element.attributes {
                super::read::resolve_value(names, &mut attribute.value);
            }
        }
    }
}

/// Makes the first problem found outside an event fatal.
pub(super) fn refuse_header_problems<E: de::Error>(ctx: &mut Ctx<'_>) -> Result<(), E> {
    let mut unresolved = std::mem::take(&mut ctx.unresolved);
    ctx.document.header_unresolved.append(&mut unresolved);
    if ctx.problems.is_empty() {
        return Ok(());
    }
    let first = ctx.problems.swap_remove(0);
    ctx.problems.clear();
    let error = ReadError::Syntax {
        place: first.place,
        message: first.message,
    };
    Err(ctx.stop(error))
}

/// `EPCISDocument` or `EPCISQueryDocument`.
#[derive(Clone, Copy)]
struct DocumentTypeKind;

impl Kind for DocumentTypeKind {
    type Out = DocumentType;

    fn expected(&self) -> &'static str {
        "EPCISDocument or EPCISQueryDocument"
    }

    fn string(self, ctx: &mut Ctx<'_>, path: Path<'_>, text: &str) -> Option<DocumentType> {
        let name = text.strip_prefix("epcis:").unwrap_or(text);
        match name {
            "EPCISDocument" => Some(DocumentType::EpcisDocument),
            "EPCISQueryDocument" => Some(DocumentType::EpcisQueryDocument),
            _ => {
                let message = format!(
                    "`{text}` is not an EPCIS document type; write EPCISDocument or EPCISQueryDocument"
                );
                ctx.problem(path, message);
                None
            }
        }
    }
}

/// `schemaVersion`: a string, or (as some documents write it) a number.
#[derive(Clone, Copy)]
struct Version;

impl Kind for Version {
    type Out = String;

    fn expected(&self) -> &'static str {
        "a version string"
    }

    fn string(self, _: &mut Ctx<'_>, _: Path<'_>, text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    fn number(self, _: &mut Ctx<'_>, _: Path<'_>, number: Number) -> Option<String> {
        Some(number.lexical())
    }
}

/// The document object.
pub(super) struct DocumentReader;

impl Members for DocumentReader {
    type Out = ();
    const WHAT: &'static str = "an EPCIS document object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match &key {
            Key::Member(Member::Context) => {
                read(ctx, child, map, ContextValue(ContextScope::Document))?;
                refuse_header_problems(ctx)?;
                return context_complete(ctx);
            }
            Key::Member(Member::EpcisBody) => {
                ctx.document.header.saw_body = true;
                read(ctx, child, map, Obj(BodyReader))?;
            }
            Key::Member(Member::EpcisHeader) => {
                read(ctx, child, map, Obj(EpcisHeaderReader))?;
            }
            Key::Member(member) if header_scalar(ctx, child, *member, map)? => {}
            Key::Other(raw) => {
                let mut extensions = Vec::new();
                read_extension(ctx, path, raw, map, &mut extensions, "an EPCIS document")?;
                ctx.document.header.extensions.append(&mut extensions);
            }
            Key::Member(_) => refuse(ctx, path, &key, map, "an EPCIS document")?,
        }
        refuse_header_problems(ctx)
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<()> {
        Some(())
    }
}

/// Reads `member` if it is one of the document's single-valued members; false (and nothing
/// read) if it is not.
fn header_scalar<'de, A: MapAccess<'de>>(
    ctx: &mut Ctx<'_>,
    child: Path<'_>,
    member: Member,
    map: &mut A,
) -> Result<bool, A::Error> {
    match member {
        Member::Type => {
            ctx.document.header.document_type = read(ctx, child, map, DocumentTypeKind)?
        }
        Member::SchemaVersion => {
            ctx.document.header.schema_version = read(ctx, child, map, Version)?
        }
        Member::CreationDate => ctx.document.header.creation_date = read(ctx, child, map, Time)?,
        Member::Id | Member::Sender | Member::Receiver | Member::InstanceIdentifier => {
            let value = read(ctx, child, map, Text)?;
            let header = &mut ctx.document.header;
            let slot = match member {
                Member::Id => &mut header.id,
                Member::Sender => &mut header.sender,
                Member::Receiver => &mut header.receiver,
                _ => &mut header.instance_identifier,
            };
            *slot = value;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// `epcisHeader`: master data and extension members.
struct EpcisHeaderReader;

impl Members for EpcisHeaderReader {
    type Out = ();
    const WHAT: &'static str = "an epcisHeader object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            Key::Member(Member::EpcisMasterData) => {
                let child = path.key("epcisMasterData");
                if let Some(mut vocabularies) =
                    read(ctx, child, map, Obj(MasterDataReader::default()))?
                {
                    ctx.document.header.master_data.append(&mut vocabularies);
                }
            }
            Key::Other(raw) => {
                let mut extensions = Vec::new();
                read_extension(ctx, path, &raw, map, &mut extensions, "epcisHeader")?;
                ctx.document.header.extensions.append(&mut extensions);
            }
            key => refuse(ctx, path, &key, map, "epcisHeader")?,
        }
        Ok(())
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<()> {
        Some(())
    }
}

/// `epcisMasterData`.
#[derive(Clone, Default)]
struct MasterDataReader(Vec<Vocabulary>);

impl Members for MasterDataReader {
    type Out = Vec<Vocabulary>;
    const WHAT: &'static str = "an epcisMasterData object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            Key::Member(Member::VocabularyList) => {
                let reader = List(Obj(VocabularyReader::default()));
                let vocabularies = read(ctx, path.key("vocabularyList"), map, reader)?;
                self.0.extend(vocabularies.into_iter().flatten());
            }
            key => refuse(ctx, path, &key, map, "epcisMasterData")?,
        }
        Ok(())
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<Vec<Vocabulary>> {
        Some(self.0)
    }
}

/// An element of `vocabularyList`.
#[derive(Clone, Default)]
struct VocabularyReader {
    vocabulary_type: Option<String>,
    elements: Vec<VocabularyElement>,
}

impl Members for VocabularyReader {
    type Out = Vocabulary;
    const WHAT: &'static str = "a vocabulary object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            Key::Member(Member::Type) => self.vocabulary_type = read(ctx, child, map, Text)?,
            Key::Member(Member::VocabularyElementList) => {
                let reader = List(Obj(ElementReader::default()));
                self.elements = read(ctx, child, map, reader)?.unwrap_or_default();
            }
            key => refuse(ctx, path, &key, map, "a vocabulary")?,
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<Vocabulary> {
        let Some(vocabulary_type) = self.vocabulary_type else {
            ctx.problem(path, "the vocabulary has no `type`");
            return None;
        };
        Some(Vocabulary {
            vocabulary_type,
            elements: self.elements,
        })
    }
}

/// An element of `vocabularyElementList`.
#[derive(Clone, Default)]
struct ElementReader {
    id: Option<String>,
    attributes: Vec<MasterDataAttribute>,
    children: Vec<String>,
    extensions: Vec<Extension>,
}

impl Members for ElementReader {
    type Out = VocabularyElement;
    const WHAT: &'static str = "a vocabulary element object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            Key::Member(Member::Id) => self.id = read(ctx, child, map, Text)?,
            Key::Member(Member::Attributes) => {
                let reader = List(Obj(AttributeReader::default()));
                self.attributes = read(ctx, child, map, reader)?.unwrap_or_default();
            }
            Key::Member(Member::Children) => {
                self.children = read(ctx, child, map, List(Text))?.unwrap_or_default()
            }
            Key::Other(raw) => read_extension(
                ctx,
                path,
                &raw,
                map,
                &mut self.extensions,
                "a vocabulary element",
            )?,
            key => refuse(ctx, path, &key, map, "a vocabulary element")?,
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<VocabularyElement> {
        let Some(id) = self.id else {
            ctx.problem(path, "the vocabulary element has no `id`");
            return None;
        };
        Some(VocabularyElement {
            id,
            attributes: self.attributes,
            children: self.children,
            extensions: self.extensions,
        })
    }
}

/// An element of `attributes`.
#[derive(Clone, Default)]
struct AttributeReader {
    id: Option<String>,
    value: Option<ExtValue>,
}

impl Members for AttributeReader {
    type Out = MasterDataAttribute;
    const WHAT: &'static str = "a master-data attribute object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            Key::Member(Member::Id) => self.id = read(ctx, child, map, Text)?,
            Key::Member(Member::Attribute) => match read(ctx, child, map, ExtKind)? {
                Some(ExtRead::One(value, attributes)) if attributes.is_empty() => {
                    self.value = Some(value)
                }
                Some(_) => ctx.problem(
                    child,
                    "a master-data attribute value cannot carry XML attributes (`@` members)",
                ),
                None => {}
            },
            key => refuse(ctx, path, &key, map, "a master-data attribute")?,
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<MasterDataAttribute> {
        let Some(id) = self.id else {
            ctx.problem(path, "the master-data attribute has no `id`");
            return None;
        };
        Some(MasterDataAttribute {
            id,
            value: self.value.unwrap_or(ExtValue::Null),
        })
    }
}

/// `epcisBody`.
struct BodyReader;

impl Members for BodyReader {
    type Out = ();
    const WHAT: &'static str = "an epcisBody object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            Key::Member(Member::EventList) => {
                ctx.document.header.saw_event_list = true;
                read(ctx, child, map, EventList)?;
            }
            Key::Member(Member::QueryResults) => {
                ctx.document.header.query_results.get_or_insert_default();
                read(ctx, child, map, Obj(QueryResultsReader))?;
            }
            key => refuse(ctx, path, &key, map, "epcisBody")?,
        }
        refuse_header_problems(ctx)
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<()> {
        Some(())
    }
}

/// `queryResults`; its members go straight into the header draft so that the consumer
/// sees the query name with the first event.
struct QueryResultsReader;

impl Members for QueryResultsReader {
    type Out = ();
    const WHAT: &'static str = "a queryResults object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            Key::Member(Member::QueryName) => {
                let value = read(ctx, child, map, Text)?;
                ctx.document
                    .header
                    .query_results
                    .get_or_insert_default()
                    .query_name = value;
            }
            Key::Member(Member::SubscriptionId) => {
                let value = read(ctx, child, map, Text)?;
                let results = ctx.document.header.query_results.get_or_insert_default();
                results.subscription_id = value;
            }
            Key::Member(Member::ResultsBody) => {
                read(ctx, child, map, Obj(ResultsBodyReader))?;
            }
            key => refuse(ctx, path, &key, map, "queryResults")?,
        }
        refuse_header_problems(ctx)
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<()> {
        Some(())
    }
}

/// `resultsBody`. Its `vocabularyList` (master data returned by a query) joins the header's
/// master data, which is where the model keeps master data.
struct ResultsBodyReader;

impl Members for ResultsBodyReader {
    type Out = ();
    const WHAT: &'static str = "a resultsBody object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            Key::Member(Member::EventList) => {
                ctx.document.header.saw_event_list = true;
                read(ctx, child, map, EventList)?;
            }
            Key::Member(Member::VocabularyList) => {
                let reader = List(Obj(VocabularyReader::default()));
                if let Some(mut vocabularies) = read(ctx, child, map, reader)? {
                    ctx.document.header.master_data.append(&mut vocabularies);
                }
            }
            key => refuse(ctx, path, &key, map, "resultsBody")?,
        }
        refuse_header_problems(ctx)
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<()> {
        Some(())
    }
}

/// `eventList`: each element is read and handed on before the next is parsed.
#[derive(Clone, Copy)]
struct EventList;

impl Kind for EventList {
    type Out = ();

    fn expected(&self) -> &'static str {
        "an array of events"
    }

    fn cut_events(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Result<Option<()>, ReadError> {
        let mut index = 0;
        loop {
            let next = ctx.document.pump.borrow_mut().next_event();
            let Some(captured) = next.map_err(|error| ReadError::Io(error.to_string()))? else {
                return Ok(Some(()));
            };
            read_cut_event(ctx, path.index(index), index, captured)?;
            index += 1;
        }
    }

    /// The event list streamed through the parser, which happens only when the byte pass
    /// did not recognise it (its member names were written with escapes).
    fn array<'de, A: SeqAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        mut seq: A,
    ) -> Result<Option<()>, A::Error> {
        let mut index = 0;
        loop {
            let element = path.index(index);
            match seq.next_element_seed(EventSeed::new(ctx, element, index)) {
                Ok(Some(())) => {}
                Ok(None) => return Ok(Some(())),
                Err(error) => {
                    ctx.note(element);
                    return Err(error);
                }
            }
            if ctx.fatal.is_some() {
                return Err(de::Error::custom("reading stopped"));
            }
            index += 1;
        }
    }
}

//! The building blocks of the streaming reader: JSON pointers, the reading state, and serde
//! visitors that never fail on a value of the wrong type.
//!
//! `serde_json` cannot recover from an error, so the visitors here accept every JSON type
//! and turn an unexpected one into a [`Problem`] for the current event while consuming the
//! value, so that reading goes on with the next member. They fail only for fatal reasons
//! (malformed JSON, a limit, a consumer that stops), after recording the real
//! [`ReadError`] in [`Ctx::fatal`] because serde errors cannot carry it.
//!
//! What a value means is decided by a [`Kind`]; objects are read member by member by a
//! [`Members`] implementation. Nothing here knows the EPCIS document structure beyond
//! extension values and JSON-LD contexts; `event.rs` and `document.rs` do.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::{self, Write as _};

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::context::{self, Member, NameKind};
use super::read::DocumentState;
use crate::ext::{ExtValue, Extension, Namespaces, QName};
use crate::{Limits, Problem, ReadError};

/// A JSON pointer under construction, kept as a chain of stack frames so that building one
/// costs nothing unless a problem needs to be reported.
#[derive(Clone, Copy, Debug)]
pub(super) enum Path<'a> {
    /// The document root.
    Root,
    /// A place given by its complete pointer.
    Pointer(&'a str),
    /// A member of the object at the parent path.
    Key(&'a Path<'a>, &'a str),
    /// An element of the array at the parent path.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The path of member `key` below this one.
    pub fn key<'b>(&'b self, key: &'b str) -> Path<'b> {
        Path::Key(self, key)
    }

    /// The path of element `index` below this one.
    pub fn index(&self, index: usize) -> Path<'_> {
        Path::Index(self, index)
    }

    /// The RFC 6901 pointer (`/epcisBody/eventList/3/bizStep`).
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    fn write_to(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Pointer(pointer) => out.push_str(pointer),
            Path::Key(parent, key) => {
                parent.write_to(out);
                out.push('/');
                for character in key.chars() {
                    match character {
                        '~' => out.push_str("~0"),
                        '/' => out.push_str("~1"),
                        other => out.push(other),
                    }
                }
            }
            Path::Index(parent, index) => {
                parent.write_to(out);
                let _ = write!(out, "/{index}");
            }
        }
    }
}

/// A prefix that could not be resolved where it was used, kept until the document's
/// `@context` (which may come later) is known.
#[derive(Clone, Debug)]
pub(super) struct Unresolved {
    /// The prefix.
    pub prefix: String,
    /// The pointer of the member or attribute that used it.
    pub pointer: String,
}

/// The namespace prefixes in force.
#[derive(Default, Debug)]
pub(super) struct Names {
    /// What the document-level `@context` declared so far, and the URLs it named.
    pub document: Namespaces,
    /// Prefixes declared by the current event's own `@context`.
    pub event_scope: Vec<(String, String)>,
    /// True once the document-level `@context` has been read in full.
    pub context_seen: bool,
    /// The known contexts the document named, in order. All of them protect their
    /// definitions, so naming one makes redefining its prefixes an error.
    pub named: Vec<&'static context::KnownContext>,
    /// Context URLs this project does not know (and cannot fetch).
    pub unknown_urls: Vec<String>,
}

impl Names {
    /// The IRI `prefix` stands for: the event's own context first, then the document's,
    /// then the EPCIS contexts' standard prefixes.
    pub fn lookup(&self, prefix: &str) -> Option<&str> {
        self.event_scope
            .iter()
            .rev()
            .find(|(name, _)| name == prefix)
            .map(|(_, iri)| iri.as_str())
            .or_else(|| self.document.iri(prefix))
            .or_else(|| self.named_prefix_iri(prefix))
            .or_else(|| context::standard_prefix_iri(prefix))
    }

    /// The IRI a context the document named declares for `prefix`.
    pub fn named_prefix_iri(&self, prefix: &str) -> Option<&'static str> {
        self.named
            .iter()
            .rev()
            .find_map(|known| known.prefix_iri(prefix))
    }

    /// Resolves a raw name left unresolved by [`Ctx::resolve`], if its prefix is now known.
    pub fn resolve_raw(&self, name: &mut QName) {
        if !name.namespace.is_empty() {
            return;
        }
        if let NameKind::Curie { prefix, local } = context::classify_name(&name.local)
            && let Some(iri) = self.lookup(prefix)
        {
            *name = QName::new(iri, local);
        }
    }

    /// A sentence explaining why `prefix` is unknown, for problems.
    pub fn undeclared_message(&self, prefix: &str) -> String {
        let mut message = format!("the prefix `{prefix}` is not declared by the @context");
        if let Some(url) = self.unknown_urls.first() {
            let _ = write!(
                message,
                " (it may come from the context `{url}`, which is not known here and is never fetched)"
            );
        }
        message
    }
}

/// Everything a reader keeps while it reads one document.
pub(super) struct Ctx<'s> {
    /// The limits in force.
    pub limits: Limits,
    /// How many objects and arrays are open around the current value.
    pub depth: usize,
    /// The reason reading stopped, when a visitor stopped it.
    pub fatal: Option<ReadError>,
    /// The innermost pointer at which a serde error passed by.
    pub error_pointer: Option<String>,
    /// Problems found in the current event (or header member).
    pub problems: Vec<Problem>,
    /// Prefixes the current event (or header member) used before they were declared.
    pub unresolved: Vec<Unresolved>,
    /// Prefixes in force.
    pub names: Names,
    /// The document-level state: header so far, events waiting, the consumer.
    pub document: DocumentState<'s>,
}

impl<'s> Ctx<'s> {
    /// Records `error` as the reason to stop and returns the serde error that carries the
    /// stop through `serde_json`.
    pub fn stop<E: de::Error>(&mut self, error: ReadError) -> E {
        if self.fatal.is_none() {
            self.fatal = Some(error);
        }
        E::custom("reading stopped")
    }

    /// Notes where a serde error passed, unless a deeper place was noted already.
    pub fn note(&mut self, path: Path<'_>) {
        if self.error_pointer.is_none() {
            self.error_pointer = Some(path.pointer());
        }
    }

    /// Records a problem at `path`.
    pub fn problem(&mut self, path: Path<'_>, message: impl Into<String>) {
        self.problems.push(Problem {
            place: crate::Place::JsonPointer(path.pointer()),
            message: message.into(),
        });
    }

    /// Records that the value at `path` has the wrong JSON type.
    pub fn mismatch(&mut self, path: Path<'_>, expected: &str, found: &str) {
        self.problem(path, format!("expected {expected}, found {found}"));
    }

    /// Records a member that does not belong in the object it is in.
    pub fn unknown_member(&mut self, path: Path<'_>, name: &str, parent: &str) {
        let message = if name.contains(':') {
            format!("`{name}` is an extension member, which {parent} cannot carry")
        } else if Member::from_name(name).is_some() {
            format!("`{name}` is an EPCIS member, but not a member of {parent}")
        } else if let Some(similar) = context::similar_member(name) {
            format!(
                "`{name}` is not a member of {parent} (did you mean `{}`?)",
                similar.name()
            )
        } else {
            format!(
                "`{name}` is not a member of {parent}; an extension member needs a namespace prefix declared in the @context"
            )
        };
        self.problem(path, message);
    }

    /// Turns a member name into a [`QName`].
    ///
    /// A compact IRI whose prefix is not (yet) declared comes back with an empty namespace
    /// and the name as written, and is remembered in [`Ctx::unresolved`] so that a later
    /// `@context` can still resolve it. A bare name is an unqualified name (empty namespace)
    /// when `bare_allowed`, and `None` otherwise.
    pub fn resolve(&mut self, raw: &str, path: Path<'_>, bare_allowed: bool) -> Option<QName> {
        let local = match context::classify_name(raw) {
            NameKind::Bare => raw,
            NameKind::Curie { local, .. } => local,
            NameKind::Absolute(ref name) => &name.local.clone(),
        };
        if !crate::ext::is_xml_name(local) {
            self.problem(
                path,
                format!(
                    "`{raw}` cannot name an extension field: `{local}` is not an XML name \
                     (a letter or `_` first, then letters, digits, `-`, `.` or `_`), so the field \
                     could not be written as XML"
                ),
            );
            return None;
        }
        match context::classify_name(raw) {
            NameKind::Bare => bare_allowed.then(|| QName::new("", raw)),
            NameKind::Absolute(name) => Some(name),
            NameKind::Curie { prefix, local } => match self.names.lookup(prefix) {
                Some(iri) => Some(QName::new(iri, local)),
                None => {
                    self.unresolved.push(Unresolved {
                        prefix: prefix.to_owned(),
                        pointer: path.pointer(),
                    });
                    Some(QName::new("", raw))
                }
            },
        }
    }

    /// Counts one more open object or array, failing when that crosses `max_depth`.
    fn enter<E: de::Error>(&mut self, path: Path<'_>) -> Result<(), E> {
        if self.depth >= self.limits.max_depth {
            let error = ReadError::Limit {
                place: crate::Place::JsonPointer(path.pointer()),
                message: format!(
                    "the document nests objects and arrays deeper than the limit of {} (max_depth)",
                    self.limits.max_depth
                ),
            };
            return Err(self.stop(error));
        }
        self.depth += 1;
        Ok(())
    }
}

/// A JSON number as `serde_json` delivers it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Number {
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Signed(i64),
    /// Anything else (fractions, exponents, integers beyond 64 bits).
    Float(f64),
}

impl Number {
    /// The value as a double.
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Unsigned(value) => value as f64,
            Number::Signed(value) => value as f64,
            Number::Float(value) => value,
        }
    }

    /// A lexical form that reads back as the same number: integers exactly, doubles in the
    /// shortest form that round-trips (`1.50` becomes `1.5`, `20.0` stays `20.0`).
    pub fn lexical(self) -> String {
        match self {
            Number::Unsigned(value) => value.to_string(),
            Number::Signed(value) => value.to_string(),
            Number::Float(value) => format!("{value:?}"),
        }
    }
}

/// What a value is read as. Every method has a default that records a type mismatch and
/// consumes the value, so a kind only overrides the JSON types it accepts.
pub(super) trait Kind: Sized {
    /// The value read.
    type Out;

    /// What the value should be, for messages (`a date-time string`).
    fn expected(&self) -> &'static str;

    /// A string value.
    fn string(self, ctx: &mut Ctx<'_>, path: Path<'_>, text: &str) -> Option<Self::Out> {
        let _ = text;
        ctx.mismatch(path, self.expected(), "a string");
        None
    }

    /// A number value.
    fn number(self, ctx: &mut Ctx<'_>, path: Path<'_>, number: Number) -> Option<Self::Out> {
        let _ = number;
        ctx.mismatch(path, self.expected(), "a number");
        None
    }

    /// `true` or `false`.
    fn boolean(self, ctx: &mut Ctx<'_>, path: Path<'_>, flag: bool) -> Option<Self::Out> {
        let _ = flag;
        ctx.mismatch(path, self.expected(), "a boolean");
        None
    }

    /// `null`.
    fn null(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<Self::Out> {
        ctx.mismatch(path, self.expected(), "null");
        None
    }

    /// An object; the depth has already been counted.
    fn object<'de, A: MapAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        map: A,
    ) -> Result<Option<Self::Out>, A::Error> {
        ctx.mismatch(path, self.expected(), "an object");
        Skip.object(ctx, path, map)?;
        Ok(None)
    }

    /// An event list whose elements the byte pass cut out of the stream (see `scan.rs`);
    /// the depth has already been counted. By default they are consumed unread.
    fn cut_events(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Result<Option<Self::Out>, ReadError> {
        loop {
            let next = ctx.document.pump.borrow_mut().next_event();
            match next.map_err(|error| ReadError::Io(error.to_string()))? {
                Some(captured) => ctx.document.pump.borrow_mut().recycle(captured.bytes),
                None => break,
            }
        }
        ctx.mismatch(path, self.expected(), "an array");
        Ok(None)
    }

    /// An array; the depth has already been counted.
    fn array<'de, A: SeqAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        seq: A,
    ) -> Result<Option<Self::Out>, A::Error> {
        ctx.mismatch(path, self.expected(), "an array");
        Skip.array(ctx, path, seq)?;
        Ok(None)
    }
}

/// The serde seed and visitor that hands a value to a [`Kind`].
pub(super) struct Val<'a, 's, K> {
    ctx: &'a mut Ctx<'s>,
    path: Path<'a>,
    kind: K,
}

impl<'a, 's, K> Val<'a, 's, K> {
    /// Reads the next value at `path` as `kind`.
    pub fn new(ctx: &'a mut Ctx<'s>, path: Path<'a>, kind: K) -> Self {
        Val { ctx, path, kind }
    }
}

impl<'de, K: Kind> DeserializeSeed<'de> for Val<'_, '_, K> {
    type Value = Option<K::Out>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, K: Kind> Visitor<'de> for Val<'_, '_, K> {
    type Value = Option<K::Out>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(self.kind.expected())
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<Self::Value, E> {
        Ok(self.kind.boolean(self.ctx, self.path, flag))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(self.kind.number(self.ctx, self.path, Number::Signed(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(self
            .kind
            .number(self.ctx, self.path, Number::Unsigned(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(self.kind.number(self.ctx, self.path, Number::Float(value)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(self.kind.string(self.ctx, self.path, text))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.kind.null(self.ctx, self.path))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.ctx.enter::<A::Error>(self.path)?;
        let value = self.kind.object(self.ctx, self.path, map);
        self.ctx.depth -= 1;
        value
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        self.ctx.enter::<A::Error>(self.path)?;
        let cut = self.ctx.document.pump.borrow_mut().take_list_start();
        let value = if cut {
            // The byte pass cut this event list's elements out; the parser sees it empty.
            match self.kind.cut_events(self.ctx, self.path) {
                Ok(value) => {
                    while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                    Ok(value)
                }
                Err(error) => Err(self.ctx.stop(error)),
            }
        } else {
            self.kind.array(self.ctx, self.path, seq)
        };
        self.ctx.depth -= 1;
        value
    }
}

/// Reads the value of the current member of `map` as `kind`.
pub(super) fn read<'de, A: MapAccess<'de>, K: Kind>(
    ctx: &mut Ctx<'_>,
    path: Path<'_>,
    map: &mut A,
    kind: K,
) -> Result<Option<K::Out>, A::Error> {
    match map.next_value_seed(Val::new(ctx, path, kind)) {
        Ok(value) => Ok(value),
        Err(error) => {
            ctx.note(path);
            Err(error)
        }
    }
}

/// Reads the next element of `seq` as `kind`; `None` at the end of the array.
pub(super) fn next_element<'de, A: SeqAccess<'de>, K: Kind>(
    ctx: &mut Ctx<'_>,
    path: Path<'_>,
    seq: &mut A,
    kind: K,
) -> Result<Option<Option<K::Out>>, A::Error> {
    match seq.next_element_seed(Val::new(ctx, path, kind)) {
        Ok(value) => Ok(value),
        Err(error) => {
            ctx.note(path);
            Err(error)
        }
    }
}

/// A member name: one the EPCIS contexts define, or anything else as written (borrowed
/// from the input when the parser can lend it, which it can for a cut-out event).
pub(super) enum Key<'k> {
    /// A standard member.
    Member(Member),
    /// Any other name (extensions, misspellings, `@` attributes, `#text`).
    Other(Cow<'k, str>),
}

impl Key<'_> {
    /// The name as written.
    pub fn name(&self) -> &str {
        match self {
            Key::Member(member) => member.name(),
            Key::Other(name) => name,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Key<'de>, E> {
        Ok(match Member::from_name(name) {
            Some(member) => Key::Member(member),
            None => Key::Other(Cow::Borrowed(name)),
        })
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key<'de>, E> {
        Ok(match Member::from_name(name) {
            Some(member) => Key::Member(member),
            None => Key::Other(Cow::Owned(name.to_owned())),
        })
    }
}

// `Seen` keeps one bit per standard member in a `u128`.
const _: () = assert!(Member::ALL.len() <= 128);

/// The member names already seen in one object, to find duplicates.
struct Seen<'k> {
    members: u128,
    others: Vec<Cow<'k, str>>,
    others_set: HashSet<Cow<'k, str>>,
}

impl<'k> Seen<'k> {
    /// Linear search is faster than hashing for the few extension members most objects have.
    const LINEAR_MAX: usize = 16;

    fn new() -> Self {
        Seen {
            members: 0,
            others: Vec::new(),
            others_set: HashSet::new(),
        }
    }

    /// Records `key`; true if it was seen before.
    fn repeated(&mut self, key: &Key<'k>) -> bool {
        match key {
            Key::Member(member) => {
                let bit = 1u128 << (*member as u32);
                let repeated = self.members & bit != 0;
                self.members |= bit;
                repeated
            }
            Key::Other(name) => {
                if self.others_set.is_empty() && self.others.len() < Self::LINEAR_MAX {
                    if self.others.iter().any(|seen| seen == name) {
                        return true;
                    }
                    self.others.push(name.clone());
                    return false;
                }
                if self.others_set.is_empty() {
                    self.others_set.extend(self.others.drain(..));
                }
                !self.others_set.insert(name.clone())
            }
        }
    }
}

/// Reads an object member by member.
pub(super) trait Members: Sized {
    /// What the object becomes.
    type Out;

    /// What the object is, for messages (`a quantity element`).
    const WHAT: &'static str;

    /// Reads one member, consuming its value. `path` is the object's own path.
    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error>;

    /// Builds the value once every member has been read; `None` when it cannot be built
    /// (the problems have been recorded).
    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<Self::Out>;

    /// The value when the document gives a string where the object was expected; by
    /// default a problem.
    fn string_form(self, ctx: &mut Ctx<'_>, path: Path<'_>, text: &str) -> Option<Self::Out> {
        let _ = text;
        ctx.mismatch(path, Self::WHAT, "a string");
        None
    }
}

/// A [`Kind`] for objects read by `M`. Duplicate member names are refused here, for every
/// object: the first value stays and the problem names the second.
#[derive(Clone)]
pub(super) struct Obj<M>(pub M);

impl<M: Members> Kind for Obj<M> {
    type Out = M::Out;

    fn expected(&self) -> &'static str {
        M::WHAT
    }

    fn string(self, ctx: &mut Ctx<'_>, path: Path<'_>, text: &str) -> Option<M::Out> {
        self.0.string_form(ctx, path, text)
    }

    fn object<'de, A: MapAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        mut map: A,
    ) -> Result<Option<M::Out>, A::Error> {
        let mut members = self.0;
        let mut seen = Seen::new();
        loop {
            let key = match map.next_key_seed(KeySeed) {
                Ok(Some(key)) => key,
                Ok(None) => break,
                Err(error) => {
                    ctx.note(path);
                    return Err(error);
                }
            };
            if seen.repeated(&key) {
                let child = path.key(key.name());
                ctx.problem(
                    child,
                    format!(
                        "the member `{}` appears twice in this object; duplicate members are refused because it is unclear which value the sender meant",
                        key.name()
                    ),
                );
                read(ctx, child, &mut map, Skip)?;
                continue;
            }
            members.member(ctx, path, key, &mut map)?;
        }
        Ok(members.finish(ctx, path))
    }
}

/// A list of values of kind `K`. A single value where the list is expected counts as a list
/// of one, as JSON-LD reads it (GS1's simplified context compacts one-element lists so).
#[derive(Clone)]
pub(super) struct List<K>(pub K);

impl<K: Kind + Clone> Kind for List<K> {
    type Out = Vec<K::Out>;

    fn expected(&self) -> &'static str {
        self.0.expected()
    }

    fn string(self, ctx: &mut Ctx<'_>, path: Path<'_>, text: &str) -> Option<Self::Out> {
        self.0.string(ctx, path, text).map(|value| vec![value])
    }

    fn number(self, ctx: &mut Ctx<'_>, path: Path<'_>, number: Number) -> Option<Self::Out> {
        self.0.number(ctx, path, number).map(|value| vec![value])
    }

    fn boolean(self, ctx: &mut Ctx<'_>, path: Path<'_>, flag: bool) -> Option<Self::Out> {
        self.0.boolean(ctx, path, flag).map(|value| vec![value])
    }

    fn object<'de, A: MapAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        map: A,
    ) -> Result<Option<Self::Out>, A::Error> {
        Ok(self.0.object(ctx, path, map)?.map(|value| vec![value]))
    }

    fn array<'de, A: SeqAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        mut seq: A,
    ) -> Result<Option<Self::Out>, A::Error> {
        let mut values = Vec::new();
        let mut index = 0;
        while let Some(value) = next_element(ctx, path.index(index), &mut seq, self.0.clone())? {
            values.extend(value);
            index += 1;
        }
        Ok(Some(values))
    }
}

/// Consumes any value, counting its depth.
#[derive(Clone, Copy)]
pub(super) struct Skip;

impl Kind for Skip {
    type Out = ();

    fn cut_events(self, ctx: &mut Ctx<'_>, _: Path<'_>) -> Result<Option<()>, ReadError> {
        loop {
            let next = ctx.document.pump.borrow_mut().next_event();
            match next.map_err(|error| ReadError::Io(error.to_string()))? {
                Some(captured) => ctx.document.pump.borrow_mut().recycle(captured.bytes),
                None => return Ok(Some(())),
            }
        }
    }

    fn expected(&self) -> &'static str {
        "any value"
    }

    fn string(self, _: &mut Ctx<'_>, _: Path<'_>, _: &str) -> Option<()> {
        Some(())
    }

    fn number(self, _: &mut Ctx<'_>, _: Path<'_>, _: Number) -> Option<()> {
        Some(())
    }

    fn boolean(self, _: &mut Ctx<'_>, _: Path<'_>, _: bool) -> Option<()> {
        Some(())
    }

    fn null(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<()> {
        Some(())
    }

    fn object<'de, A: MapAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        mut map: A,
    ) -> Result<Option<()>, A::Error> {
        loop {
            match map.next_key::<de::IgnoredAny>() {
                Ok(Some(_)) => {}
                Ok(None) => return Ok(Some(())),
                Err(error) => {
                    ctx.note(path);
                    return Err(error);
                }
            }
            read(ctx, path, &mut map, Skip)?;
        }
    }

    fn array<'de, A: SeqAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        mut seq: A,
    ) -> Result<Option<()>, A::Error> {
        let mut index = 0;
        while next_element(ctx, path.index(index), &mut seq, Skip)?.is_some() {
            index += 1;
        }
        Ok(Some(()))
    }
}

/// A string.
#[derive(Clone, Copy)]
pub(super) struct Text;

impl Kind for Text {
    type Out = String;

    fn expected(&self) -> &'static str {
        "a string"
    }

    fn string(self, _: &mut Ctx<'_>, _: Path<'_>, text: &str) -> Option<String> {
        Some(text.to_owned())
    }
}

/// A number, read as a double.
#[derive(Clone, Copy)]
pub(super) struct Decimal;

impl Kind for Decimal {
    type Out = f64;

    fn expected(&self) -> &'static str {
        "a number"
    }

    fn number(self, _: &mut Ctx<'_>, _: Path<'_>, number: Number) -> Option<f64> {
        Some(number.as_f64())
    }
}

/// `true` or `false`.
#[derive(Clone, Copy)]
pub(super) struct Flag;

impl Kind for Flag {
    type Out = bool;

    fn expected(&self) -> &'static str {
        "true or false"
    }

    fn boolean(self, _: &mut Ctx<'_>, _: Path<'_>, flag: bool) -> Option<bool> {
        Some(flag)
    }
}

/// XML attributes carried by an extension member (see the module documentation of
/// [`crate::json`] for the `@name` mapping).
pub(super) type Attributes = Vec<(QName, String)>;

/// An extension value as read, before it is attached to its name.
pub(super) enum ExtRead {
    /// One value (with any XML attributes).
    One(ExtValue, Attributes),
    /// An array some of whose items carried XML attributes: each item becomes one extension
    /// of the same name, which is how XML repeats an element.
    Repeated(Vec<(ExtValue, Attributes)>),
}

/// Appends what was read for the member `name` to `list`.
pub(super) fn push_extension(list: &mut Vec<Extension>, name: QName, read: ExtRead) {
    match read {
        ExtRead::One(value, attributes) => list.push(Extension {
            name,
            value,
            attributes,
        }),
        ExtRead::Repeated(items) => {
            for (value, attributes) in items {
                list.push(Extension {
                    name: name.clone(),
                    value,
                    attributes,
                });
            }
        }
    }
}

/// Reads the member `raw` of an object that allows only namespaced extension members beside
/// its standard ones, appending it to `list`; `parent` names the object for messages.
pub(super) fn read_extension<'de, A: MapAccess<'de>>(
    ctx: &mut Ctx<'_>,
    path: Path<'_>,
    raw: &str,
    map: &mut A,
    list: &mut Vec<Extension>,
    parent: &str,
) -> Result<(), A::Error> {
    let child = path.key(raw);
    match ctx.resolve(raw, child, false) {
        Some(name) => {
            if let Some(value) = read(ctx, child, map, ExtKind)? {
                push_extension(list, name, value);
            }
        }
        None => {
            ctx.unknown_member(child, raw, parent);
            read(ctx, child, map, Skip)?;
        }
    }
    Ok(())
}

/// Records `member` as not belonging to `parent` and consumes its value.
pub(super) fn refuse<'de, A: MapAccess<'de>>(
    ctx: &mut Ctx<'_>,
    path: Path<'_>,
    key: &Key<'_>,
    map: &mut A,
    parent: &str,
) -> Result<(), A::Error> {
    let child = path.key(key.name());
    ctx.unknown_member(child, key.name(), parent);
    read(ctx, child, map, Skip)?;
    Ok(())
}

/// The value of an extension member: any JSON value.
#[derive(Clone, Copy)]
pub(super) struct ExtKind;

impl Kind for ExtKind {
    type Out = ExtRead;

    fn expected(&self) -> &'static str {
        "an extension value"
    }

    fn string(self, _: &mut Ctx<'_>, _: Path<'_>, text: &str) -> Option<ExtRead> {
        Some(ExtRead::One(ExtValue::Text(text.to_owned()), Vec::new()))
    }

    fn number(self, _: &mut Ctx<'_>, _: Path<'_>, number: Number) -> Option<ExtRead> {
        Some(ExtRead::One(ExtValue::Number(number.lexical()), Vec::new()))
    }

    fn boolean(self, _: &mut Ctx<'_>, _: Path<'_>, flag: bool) -> Option<ExtRead> {
        Some(ExtRead::One(ExtValue::Bool(flag), Vec::new()))
    }

    fn null(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<ExtRead> {
        Some(ExtRead::One(ExtValue::Null, Vec::new()))
    }

    fn object<'de, A: MapAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        map: A,
    ) -> Result<Option<ExtRead>, A::Error> {
        Obj(ExtObject::default()).object(ctx, path, map)
    }

    fn array<'de, A: SeqAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        mut seq: A,
    ) -> Result<Option<ExtRead>, A::Error> {
        let mut items = Vec::new();
        let mut with_attributes = false;
        let mut index = 0;
        while let Some(item) = next_element(ctx, path.index(index), &mut seq, ExtKind)? {
            match item {
                Some(ExtRead::One(value, attributes)) => {
                    with_attributes |= !attributes.is_empty();
                    items.push((value, attributes));
                }
                Some(ExtRead::Repeated(_)) => ctx.problem(
                    path.index(index),
                    "XML attributes (`@` members) inside an array nested in an array cannot be kept",
                ),
                None => {}
            }
            index += 1;
        }
        Ok(Some(if with_attributes {
            ExtRead::Repeated(items)
        } else {
            let values = items.into_iter().map(|(value, _)| value).collect();
            ExtRead::One(ExtValue::Array(values), Vec::new())
        }))
    }
}

/// The member that holds an element's own value beside its attributes.
pub(super) const TEXT_MEMBER: &str = "#text";

/// The members of an object inside an extension value.
#[derive(Default)]
struct ExtObject {
    members: Vec<Extension>,
    attributes: Attributes,
    text: Option<ExtValue>,
}

impl Members for ExtObject {
    type Out = ExtRead;
    const WHAT: &'static str = "an extension value";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let raw = key.name();
        let child = path.key(raw);
        if let Key::Member(Member::Context) = key {
            ctx.problem(
                child,
                "a @context inside an extension value is not supported",
            );
            read(ctx, child, map, Skip)?;
        } else if raw == TEXT_MEMBER {
            match read(ctx, child, map, ExtKind)? {
                Some(ExtRead::One(value, attributes)) if attributes.is_empty() => {
                    self.text = Some(value)
                }
                Some(_) => ctx.problem(child, "`#text` cannot itself carry XML attributes"),
                None => {}
            }
        } else if let Some(attribute) = raw.strip_prefix('@') {
            let name = ctx.resolve(attribute, child, true);
            if let (Some(name), Some(value)) = (name, read(ctx, child, map, Text)?) {
                self.attributes.push((name, value));
            }
        } else {
            // Bare names are allowed here: they are the unqualified child elements XML
            // permits inside an extension element.
            let name = ctx.resolve(raw, child, true);
            if let (Some(name), Some(value)) = (name, read(ctx, child, map, ExtKind)?) {
                push_extension(&mut self.members, name, value);
            }
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<ExtRead> {
        let value = match self.text {
            Some(text) => {
                if !self.members.is_empty() {
                    ctx.problem(
                        path,
                        "an object with `#text` may have only XML attributes (`@` members) beside it",
                    );
                }
                text
            }
            None if self.members.is_empty() && !self.attributes.is_empty() => ExtValue::Null,
            None => ExtValue::Object(self.members),
        };
        Some(ExtRead::One(value, self.attributes))
    }
}

/// Where a `@context` is: it declares prefixes for the whole document or for one event.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ContextScope {
    /// The document's own `@context`.
    Document,
    /// An event's `@context`, in force for that event only.
    Event,
}

/// A `@context` value: a URL, an object of declarations, or an array of those.
#[derive(Clone, Copy)]
pub(super) struct ContextValue(pub ContextScope);

impl Kind for ContextValue {
    type Out = ();

    fn expected(&self) -> &'static str {
        "a context URL, an object of prefix declarations, or an array of those"
    }

    fn string(self, ctx: &mut Ctx<'_>, _: Path<'_>, url: &str) -> Option<()> {
        let names = &mut ctx.names;
        match (context::known_context(url), self.0) {
            (Some(known), ContextScope::Document) => names.named.push(known),
            // An event's own context URL adds its prefixes to the event's scope.
            (Some(known), ContextScope::Event) => names.event_scope.extend(
                known
                    .prefixes
                    .iter()
                    .map(|(prefix, iri)| ((*prefix).to_owned(), (*iri).to_owned())),
            ),
            (None, _) => {
                if !names.unknown_urls.iter().any(|seen| seen == url) {
                    names.unknown_urls.push(url.to_owned());
                }
            }
        }
        if self.0 == ContextScope::Document {
            names.document.context_urls.push(url.to_owned());
        }
        Some(())
    }

    fn object<'de, A: MapAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        map: A,
    ) -> Result<Option<()>, A::Error> {
        Obj(ContextObject(self.0)).object(ctx, path, map)
    }

    fn array<'de, A: SeqAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        mut seq: A,
    ) -> Result<Option<()>, A::Error> {
        let mut index = 0;
        while next_element(ctx, path.index(index), &mut seq, self)?.is_some() {
            index += 1;
        }
        Ok(Some(()))
    }
}

/// One inline context object.
struct ContextObject(ContextScope);

impl Members for ContextObject {
    type Out = ();
    const WHAT: &'static str = "a context object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let name = key.name();
        let child = path.key(name);
        // Keywords (`@version`, `@protected`, `@vocab`) and definitions of compact IRIs
        // (`"rail:axleCount": {"@type": "xsd:integer"}`) only coerce types; they declare no
        // prefix and change nothing the reader keeps.
        if name.starts_with('@') || name.contains(':') {
            read(ctx, child, map, Skip)?;
            return Ok(());
        }
        let Some(iri) = read(ctx, child, map, Definition)? else {
            return Ok(());
        };
        let Some(iri) = iri.filter(|iri| !iri.starts_with('@')) else {
            return Ok(());
        };
        let iri = match context::classify_name(&iri) {
            NameKind::Curie { prefix, local } => match ctx.names.lookup(prefix) {
                Some(base) => format!("{base}{local}"),
                None => iri,
            },
            _ => iri,
        };
        if !ctx.names.named.is_empty() {
            let protected = ctx.names.named_prefix_iri(name);
            if protected.is_some_and(|protected| protected != iri) || key_is_member(&key) {
                ctx.problem(
                    child,
                    format!(
                        "`{name}` is defined by the EPCIS @context, which protects it from being redefined"
                    ),
                );
                return Ok(());
            }
        }
        match self.0 {
            ContextScope::Document => ctx.names.document.declare(name, iri),
            ContextScope::Event => ctx.names.event_scope.push((name.to_owned(), iri)),
        }
        Ok(())
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<()> {
        Some(())
    }
}

fn key_is_member(key: &Key<'_>) -> bool {
    matches!(key, Key::Member(_))
}

/// A term definition in an inline context: an IRI string, or an object whose `@id` is one.
/// `Some(None)` is a definition that declares no IRI.
#[derive(Clone, Copy)]
struct Definition;

impl Kind for Definition {
    type Out = Option<String>;

    fn expected(&self) -> &'static str {
        "an IRI or a term definition object"
    }

    fn string(self, _: &mut Ctx<'_>, _: Path<'_>, iri: &str) -> Option<Option<String>> {
        Some(Some(iri.to_owned()))
    }

    fn null(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<Option<String>> {
        Some(None)
    }

    fn object<'de, A: MapAccess<'de>>(
        self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        map: A,
    ) -> Result<Option<Option<String>>, A::Error> {
        Obj(DefinitionObject(None)).object(ctx, path, map)
    }
}

/// An expanded term definition; only its `@id` matters here.
struct DefinitionObject(Option<String>);

impl Members for DefinitionObject {
    type Out = Option<String>;
    const WHAT: &'static str = "a term definition";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        if key.name() == "@id" {
            self.0 = read(ctx, child, map, Text)?;
        } else {
            read(ctx, child, map, Skip)?;
        }
        Ok(())
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<Option<String>> {
        Some(self.0)
    }
}

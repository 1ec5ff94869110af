//! Reading one EPCIS event object, and everything inside it, into the model.
//!
//! Each object of an event has a [`Members`] reader that knows its standard members and
//! where extension members go. Which members an event type needs or may carry is not
//! checked here (that is [`crate::validate`]); only what the model needs to exist is: an
//! event's `type`, `eventTime` and `eventTimeZoneOffset`, and the identifiers of lists'
//! elements. Values in the wrong JSON type, unknown CBV words, misspelt members and
//! extension members where the model has no room for them are problems for the event.

use serde::de::MapAccess;

use super::context::Member;
use super::de::{
    ContextScope, ContextValue, Ctx, Decimal, Flag, Key, Kind, List, Members, Obj, Path, Text,
    read, read_extension, refuse,
};
use crate::cbv::{Term, Vocabulary};
use crate::ext::Extension;
use crate::model::{
    Action, BizTransaction, ErrorDeclaration, Event, EventType, Location, PersistentDisposition,
    QuantityElement, SensorElement, SensorMetadata, SensorReport, SourceDest,
};
use crate::time::{EpcisTime, TimeZoneOffset};

/// A timestamp with an offset.
#[derive(Clone, Copy)]
pub(super) struct Time;

impl Kind for Time {
    type Out = EpcisTime;

    fn expected(&self) -> &'static str {
        "a date-time string"
    }

    fn string(self, ctx: &mut Ctx<'_>, path: Path<'_>, text: &str) -> Option<EpcisTime> {
        EpcisTime::parse(text)
            .map_err(|error| ctx.problem(path, error.0))
            .ok()
    }
}

/// An `eventTimeZoneOffset`.
#[derive(Clone, Copy)]
struct Offset;

impl Kind for Offset {
    type Out = TimeZoneOffset;

    fn expected(&self) -> &'static str {
        "a time-zone offset string"
    }

    fn string(self, ctx: &mut Ctx<'_>, path: Path<'_>, text: &str) -> Option<TimeZoneOffset> {
        TimeZoneOffset::parse(text)
            .map_err(|error| ctx.problem(path, error.0))
            .ok()
    }
}

/// A value from a CBV vocabulary: a bare standard word, or a URI.
#[derive(Clone, Copy)]
struct Cbv(Vocabulary);

impl Kind for Cbv {
    type Out = Term;

    fn expected(&self) -> &'static str {
        "a CBV word or a URI string"
    }

    fn string(self, ctx: &mut Ctx<'_>, path: Path<'_>, text: &str) -> Option<Term> {
        let vocabulary = self.0;
        let text = text.trim();
        if let Some(word) = vocabulary.standard_term(text) {
            return Some(Term::Standard(word));
        }
        // GS1's simplified context lets values be compact IRIs (`cbv:Comp-latitude`).
        let expanded = super::context::expand_standard_value(text);
        let uri = expanded.as_deref().unwrap_or(text);
        if let Some(word) = vocabulary.standard_term(uri) {
            return Some(Term::Standard(word));
        }
        // Anything else is read as written; whether it is acceptable (a URI of someone's own
        // vocabulary) or a mistake (a misspelt bare word, an unknown CBV URN) is the
        // validator's judgment, which can suggest the word that was meant. An empty value
        // is no value at all, so that one is a reading problem.
        if text.is_empty() {
            ctx.problem(
                path,
                format!(
                    "an empty string is not a CBV {}; write one of the standard words or a URI of your own",
                    vocabulary.name()
                ),
            );
            return None;
        }
        Some(Term::Other(text.to_owned()))
    }
}

/// `ADD`, `OBSERVE` or `DELETE`.
#[derive(Clone, Copy)]
struct ActionKind;

impl Kind for ActionKind {
    type Out = Action;

    fn expected(&self) -> &'static str {
        "ADD, OBSERVE or DELETE"
    }

    fn string(self, ctx: &mut Ctx<'_>, path: Path<'_>, text: &str) -> Option<Action> {
        let action = Action::parse(text);
        if action.is_none() {
            ctx.problem(
                path,
                format!("`{text}` is not an action; write ADD, OBSERVE or DELETE"),
            );
        }
        action
    }
}

/// The `type` of an event.
#[derive(Clone, Copy)]
struct EventTypeKind;

impl Kind for EventTypeKind {
    type Out = EventType;

    fn expected(&self) -> &'static str {
        "an event type name"
    }

    fn string(self, ctx: &mut Ctx<'_>, path: Path<'_>, text: &str) -> Option<EventType> {
        let name = text
            .strip_prefix("epcis:")
            .or_else(|| text.strip_prefix("https://ref.gs1.org/epcis/"))
            .unwrap_or(text);
        let event_type = EventType::from_name(name);
        if event_type.is_none() {
            ctx.problem(
                path,
                format!(
                    "`{text}` is not an event type; write ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent"
                ),
            );
        }
        event_type
    }
}

fn list<K: Kind + Clone>(kind: K) -> List<K> {
    List(kind)
}

/// One event object.
#[derive(Clone)]
pub(super) struct EventReader {
    event: Event,
    /// Which required members were present at all, so that a missing one and a wrong one
    /// are reported differently.
    saw_type: bool,
    saw_time: bool,
    saw_offset: bool,
    saw_id: bool,
    /// Which required members had a usable value.
    type_ok: bool,
    time_ok: bool,
    offset_ok: bool,
}

impl Default for EventReader {
    fn default() -> Self {
        let epoch = EpcisTime::utc(jiff::Timestamp::UNIX_EPOCH);
        EventReader {
            event: Event::new(
                EventType::ObjectEvent,
                epoch,
                TimeZoneOffset(jiff::tz::Offset::UTC),
            ),
            saw_type: false,
            saw_time: false,
            saw_offset: false,
            saw_id: false,
            type_ok: false,
            time_ok: false,
            offset_ok: false,
        }
    }
}

impl Members for EventReader {
    type Out = Event;
    const WHAT: &'static str = "an event object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let member = match key {
            Key::Member(member) => member,
            Key::Other(raw) => {
                let extensions = &mut self.event.extensions;
                return read_extension(ctx, path, &raw, map, extensions, "an event");
            }
        };
        let child = path.key(member.name());
        match member {
            Member::Context => {
                read(ctx, child, map, ContextValue(ContextScope::Event))?;
            }
            Member::Type => {
                self.saw_type = true;
                if let Some(event_type) = read(ctx, child, map, EventTypeKind)? {
                    self.event.event_type = event_type;
                    self.type_ok = true;
                }
            }
            Member::EventTime => {
                self.saw_time = true;
                if let Some(time) = read(ctx, child, map, Time)? {
                    self.event.event_time = time;
                    self.time_ok = true;
                }
            }
            Member::EventTimeZoneOffset => {
                self.saw_offset = true;
                if let Some(offset) = read(ctx, child, map, Offset)? {
                    self.event.event_time_zone_offset = offset;
                    self.offset_ok = true;
                }
            }
            Member::EventId | Member::Id => {
                if self.saw_id {
                    ctx.problem(
                        child,
                        "the event has both `eventID` and `id`, which name the same thing",
                    );
                }
                self.saw_id = true;
                self.event.event_id = read(ctx, child, map, Text)?;
            }
            _ => self.other_member(ctx, path, member, map)?,
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<Event> {
        for (saw, name) in [
            (self.saw_type, "type"),
            (self.saw_time, "eventTime"),
            (self.saw_offset, "eventTimeZoneOffset"),
        ] {
            if !saw {
                ctx.problem(
                    path,
                    format!("the event has no `{name}`, which every event needs"),
                );
            }
        }
        (self.type_ok && self.time_ok && self.offset_ok).then_some(self.event)
    }
}

impl EventReader {
    /// The members apart from the required ones and the identifier.
    fn other_member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        member: Member,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(member.name());
        let event = &mut self.event;
        let epcs = list(Text);
        match member {
            Member::RecordTime => event.record_time = read(ctx, child, map, Time)?,
            Member::CertificationInfo => {
                event.certification_info = read(ctx, child, map, epcs)?.unwrap_or_default()
            }
            Member::ErrorDeclaration => {
                event.error_declaration = read(ctx, child, map, Obj(DeclarationReader::default()))?
            }
            Member::Action => event.action = read(ctx, child, map, ActionKind)?,
            Member::ParentId => event.parent_id = read(ctx, child, map, Text)?,
            Member::EpcList => event.epc_list = read(ctx, child, map, epcs)?.unwrap_or_default(),
            Member::ChildEpcs => {
                event.child_epcs = read(ctx, child, map, epcs)?.unwrap_or_default()
            }
            Member::InputEpcList => {
                event.input_epc_list = read(ctx, child, map, epcs)?.unwrap_or_default()
            }
            Member::OutputEpcList => {
                event.output_epc_list = read(ctx, child, map, epcs)?.unwrap_or_default()
            }
            Member::TransformationId => event.transformation_id = read(ctx, child, map, Text)?,
            Member::BizStep => event.biz_step = read(ctx, child, map, Cbv(Vocabulary::BizStep))?,
            Member::Disposition => {
                event.disposition = read(ctx, child, map, Cbv(Vocabulary::Disposition))?
            }
            Member::PersistentDisposition => {
                let reader = Obj(PersistentDispositionReader::default());
                event.persistent_disposition = read(ctx, child, map, reader)?
            }
            Member::ReadPoint => {
                event.read_point = read(ctx, child, map, Obj(LocationReader::default()))?
            }
            Member::BizLocation => {
                event.biz_location = read(ctx, child, map, Obj(LocationReader::default()))?
            }
            Member::Ilmd => event.ilmd = read(ctx, child, map, Obj(IlmdReader::default()))?,
            _ => self.list_member(ctx, path, member, map)?,
        }
        Ok(())
    }

    /// The members that hold lists of objects.
    fn list_member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        member: Member,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(member.name());
        let event = &mut self.event;
        let quantities = list(Obj(QuantityReader::default()));
        let slot = match member {
            Member::QuantityList => &mut event.quantity_list,
            Member::ChildQuantityList => &mut event.child_quantity_list,
            Member::InputQuantityList => &mut event.input_quantity_list,
            Member::OutputQuantityList => &mut event.output_quantity_list,
            Member::BizTransactionList => {
                let reader = list(Obj(BizTransactionReader::default()));
                event.biz_transaction_list = read(ctx, child, map, reader)?.unwrap_or_default();
                return Ok(());
            }
            Member::SourceList | Member::DestinationList => {
                let (id_member, slot) = if member == Member::SourceList {
                    (Member::Source, &mut event.source_list)
                } else {
                    (Member::Destination, &mut event.destination_list)
                };
                let reader = list(Obj(SourceDestReader::new(id_member)));
                *slot = read(ctx, child, map, reader)?.unwrap_or_default();
                return Ok(());
            }
            Member::SensorElementList => {
                let reader = list(Obj(SensorElementReader::default()));
                event.sensor_element_list = read(ctx, child, map, reader)?.unwrap_or_default();
                return Ok(());
            }
            _ => return refuse(ctx, path, &Key::Member(member), map, "an event"),
        };
        *slot = read(ctx, child, map, quantities)?.unwrap_or_default();
        Ok(())
    }
}

/// `readPoint` and `bizLocation`: an object with an `id` and extension members, or (as
/// GS1's simplified context allows) just the identifier as a string.
#[derive(Clone, Default)]
struct LocationReader {
    id: Option<String>,
    extensions: Vec<Extension>,
}

impl Members for LocationReader {
    type Out = Location;
    const WHAT: &'static str = "a location object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            Key::Member(Member::Id) => self.id = read(ctx, path.key("id"), map, Text)?,
            Key::Other(raw) => {
                read_extension(ctx, path, &raw, map, &mut self.extensions, "a location")?
            }
            key => refuse(ctx, path, &key, map, "a location")?,
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<Location> {
        let Some(id) = self.id else {
            ctx.problem(path, "the location has no `id`");
            return None;
        };
        Some(Location {
            id,
            extensions: self.extensions,
        })
    }

    fn string_form(self, _: &mut Ctx<'_>, _: Path<'_>, text: &str) -> Option<Location> {
        Some(Location {
            id: text.to_owned(),
            extensions: Vec::new(),
        })
    }
}

/// `errorDeclaration`.
#[derive(Clone, Default)]
struct DeclarationReader {
    declaration_time: Option<EpcisTime>,
    reason: Option<Term>,
    corrective_event_ids: Vec<String>,
    extensions: Vec<Extension>,
}

impl Members for DeclarationReader {
    type Out = ErrorDeclaration;
    const WHAT: &'static str = "an error declaration object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            Key::Member(Member::DeclarationTime) => {
                self.declaration_time = read(ctx, child, map, Time)?
            }
            Key::Member(Member::Reason) => {
                self.reason = read(ctx, child, map, Cbv(Vocabulary::ErrorReason))?
            }
            Key::Member(Member::CorrectiveEventIds) => {
                self.corrective_event_ids = read(ctx, child, map, list(Text))?.unwrap_or_default()
            }
            Key::Other(raw) => read_extension(
                ctx,
                path,
                &raw,
                map,
                &mut self.extensions,
                "an error declaration",
            )?,
            key => refuse(ctx, path, &key, map, "an error declaration")?,
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<ErrorDeclaration> {
        let Some(declaration_time) = self.declaration_time else {
            ctx.problem(path, "the error declaration has no `declarationTime`");
            return None;
        };
        Some(ErrorDeclaration {
            declaration_time,
            reason: self.reason,
            corrective_event_ids: self.corrective_event_ids,
            extensions: self.extensions,
        })
    }
}

/// An element of a quantity list.
#[derive(Clone, Default)]
struct QuantityReader {
    epc_class: Option<String>,
    quantity: Option<f64>,
    uom: Option<String>,
}

impl Members for QuantityReader {
    type Out = QuantityElement;
    const WHAT: &'static str = "a quantity element object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            Key::Member(Member::EpcClass) => self.epc_class = read(ctx, child, map, Text)?,
            Key::Member(Member::Quantity) => self.quantity = read(ctx, child, map, Decimal)?,
            Key::Member(Member::Uom) => self.uom = read(ctx, child, map, Text)?,
            key => refuse(ctx, path, &key, map, "a quantity element")?,
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<QuantityElement> {
        let Some(epc_class) = self.epc_class else {
            ctx.problem(path, "the quantity element has no `epcClass`");
            return None;
        };
        Some(QuantityElement {
            epc_class,
            quantity: self.quantity,
            uom: self.uom,
        })
    }
}

/// An element of `bizTransactionList`.
#[derive(Clone, Default)]
struct BizTransactionReader {
    transaction_type: Option<Term>,
    id: Option<String>,
}

impl Members for BizTransactionReader {
    type Out = BizTransaction;
    const WHAT: &'static str = "a business transaction object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            Key::Member(Member::Type) => {
                let kind = Cbv(Vocabulary::BizTransactionType);
                self.transaction_type = read(ctx, child, map, kind)?
            }
            Key::Member(Member::BizTransaction) => self.id = read(ctx, child, map, Text)?,
            key => refuse(ctx, path, &key, map, "a business transaction")?,
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<BizTransaction> {
        let Some(id) = self.id else {
            ctx.problem(path, "the business transaction has no `bizTransaction`");
            return None;
        };
        Some(BizTransaction {
            transaction_type: self.transaction_type,
            id,
        })
    }
}

/// An element of `sourceList` (`id_member` is `source`) or `destinationList`
/// (`destination`).
#[derive(Clone)]
struct SourceDestReader {
    id_member: Member,
    kind: Option<Term>,
    id: Option<String>,
}

impl SourceDestReader {
    fn new(id_member: Member) -> Self {
        SourceDestReader {
            id_member,
            kind: None,
            id: None,
        }
    }

    fn what(&self) -> &'static str {
        if self.id_member == Member::Source {
            "a source"
        } else {
            "a destination"
        }
    }
}

impl Members for SourceDestReader {
    type Out = SourceDest;
    const WHAT: &'static str = "a source or destination object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            Key::Member(Member::Type) => {
                self.kind = read(ctx, child, map, Cbv(Vocabulary::SourceDestType))?
            }
            Key::Member(member) if member == self.id_member => {
                self.id = read(ctx, child, map, Text)?
            }
            key => refuse(ctx, path, &key, map, self.what())?,
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx<'_>, path: Path<'_>) -> Option<SourceDest> {
        let what = self.what();
        let (Some(kind), Some(id)) = (self.kind, self.id) else {
            let message = format!("{what} needs both `type` and `{}`", self.id_member.name());
            ctx.problem(path, message);
            return None;
        };
        Some(SourceDest { kind, id })
    }
}

/// `persistentDisposition`.
#[derive(Clone, Default)]
struct PersistentDispositionReader(PersistentDisposition);

impl Members for PersistentDispositionReader {
    type Out = PersistentDisposition;
    const WHAT: &'static str = "a persistent disposition object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        let words = list(Cbv(Vocabulary::Disposition));
        match key {
            Key::Member(Member::Set) => {
                self.0.set = read(ctx, child, map, words)?.unwrap_or_default()
            }
            Key::Member(Member::Unset) => {
                self.0.unset = read(ctx, child, map, words)?.unwrap_or_default()
            }
            key => refuse(ctx, path, &key, map, "a persistent disposition")?,
        }
        Ok(())
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<PersistentDisposition> {
        Some(self.0)
    }
}

/// `ilmd`: only extension members.
#[derive(Clone, Default)]
struct IlmdReader(Vec<Extension>);

impl Members for IlmdReader {
    type Out = Vec<Extension>;
    const WHAT: &'static str = "an ilmd object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            Key::Other(raw) => read_extension(ctx, path, &raw, map, &mut self.0, "ilmd"),
            key => refuse(ctx, path, &key, map, "ilmd"),
        }
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<Vec<Extension>> {
        Some(self.0)
    }
}

/// An element of `sensorElementList`.
#[derive(Clone, Default)]
struct SensorElementReader(SensorElement);

/// The ways the simplified context's examples write the type of a sensor element.
const SENSOR_ELEMENT_TYPES: &[&str] = &[
    "epcis:SensorElement",
    "SensorElement",
    "https://ref.gs1.org/epcis/SensorElement",
];

impl Members for SensorElementReader {
    type Out = SensorElement;
    const WHAT: &'static str = "a sensor element object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        match key {
            // The type of a sensor element is implied; it is checked and not kept.
            Key::Member(Member::Type) => {
                if let Some(text) = read(ctx, child, map, Text)?
                    && !SENSOR_ELEMENT_TYPES.contains(&text.as_str())
                {
                    ctx.problem(
                        child,
                        format!(
                            "`{text}` is not the type of a sensor element (epcis:SensorElement)"
                        ),
                    );
                }
            }
            Key::Member(Member::SensorMetadata) => {
                let reader = Obj(SensorMetadataReader::default());
                self.0.metadata = read(ctx, child, map, reader)?
            }
            Key::Member(Member::SensorReport) => {
                let reader = list(Obj(SensorReportReader::default()));
                self.0.reports = read(ctx, child, map, reader)?.unwrap_or_default()
            }
            Key::Other(raw) => read_extension(
                ctx,
                path,
                &raw,
                map,
                &mut self.0.extensions,
                "a sensor element",
            )?,
            key => refuse(ctx, path, &key, map, "a sensor element")?,
        }
        Ok(())
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<SensorElement> {
        Some(self.0)
    }
}

/// `sensorMetadata`.
#[derive(Clone, Default)]
struct SensorMetadataReader(SensorMetadata);

impl Members for SensorMetadataReader {
    type Out = SensorMetadata;
    const WHAT: &'static str = "a sensor metadata object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let child = path.key(key.name());
        let metadata = &mut self.0;
        match key {
            Key::Member(Member::Time) => metadata.time = read(ctx, child, map, Time)?,
            Key::Member(Member::StartTime) => metadata.start_time = read(ctx, child, map, Time)?,
            Key::Member(Member::EndTime) => metadata.end_time = read(ctx, child, map, Time)?,
            Key::Member(Member::DeviceId) => metadata.device_id = read(ctx, child, map, Text)?,
            Key::Member(Member::DeviceMetadata) => {
                metadata.device_metadata = read(ctx, child, map, Text)?
            }
            Key::Member(Member::RawData) => metadata.raw_data = read(ctx, child, map, Text)?,
            Key::Member(Member::DataProcessingMethod) => {
                metadata.data_processing_method = read(ctx, child, map, Text)?
            }
            Key::Member(Member::BizRules) => metadata.biz_rules = read(ctx, child, map, Text)?,
            Key::Other(raw) => read_extension(
                ctx,
                path,
                &raw,
                map,
                &mut metadata.extensions,
                "sensor metadata",
            )?,
            key => refuse(ctx, path, &key, map, "sensor metadata")?,
        }
        Ok(())
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<SensorMetadata> {
        Some(self.0)
    }
}

/// An element of `sensorReport`.
#[derive(Clone, Default)]
struct SensorReportReader(SensorReport);

impl Members for SensorReportReader {
    type Out = SensorReport;
    const WHAT: &'static str = "a sensor report object";

    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        path: Path<'_>,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let member = match key {
            Key::Member(member) => member,
            Key::Other(raw) => {
                let extensions = &mut self.0.extensions;
                return read_extension(ctx, path, &raw, map, extensions, "a sensor report");
            }
        };
        let child = path.key(member.name());
        let report = &mut self.0;
        match member {
            Member::Type => {
                report.measurement_type = read(ctx, child, map, Cbv(Vocabulary::MeasurementType))?
            }
            Member::Exception => {
                report.exception = read(ctx, child, map, Cbv(Vocabulary::SensorAlertType))?
            }
            Member::Component => {
                report.component = read(ctx, child, map, Cbv(Vocabulary::Component))?
            }
            Member::Time => report.time = read(ctx, child, map, Time)?,
            Member::BooleanValue => report.boolean_value = read(ctx, child, map, Flag)?,
            _ => {
                if let Some(slot) = report_text(report, member) {
                    *slot = read(ctx, child, map, Text)?;
                } else if let Some(slot) = report_number(report, member) {
                    *slot = read(ctx, child, map, Decimal)?;
                } else {
                    refuse(ctx, path, &Key::Member(member), map, "a sensor report")?;
                }
            }
        }
        Ok(())
    }

    fn finish(self, _: &mut Ctx<'_>, _: Path<'_>) -> Option<SensorReport> {
        Some(self.0)
    }
}

/// The string-valued member `member` of a sensor report.
fn report_text(report: &mut SensorReport, member: Member) -> Option<&mut Option<String>> {
    Some(match member {
        Member::DeviceId => &mut report.device_id,
        Member::DeviceMetadata => &mut report.device_metadata,
        Member::RawData => &mut report.raw_data,
        Member::DataProcessingMethod => &mut report.data_processing_method,
        Member::BizRules => &mut report.biz_rules,
        Member::Microorganism => &mut report.microorganism,
        Member::ChemicalSubstance => &mut report.chemical_substance,
        Member::StringValue => &mut report.string_value,
        Member::HexBinaryValue => &mut report.hex_binary_value,
        Member::UriValue => &mut report.uri_value,
        Member::Uom => &mut report.uom,
        Member::CoordinateReferenceSystem => &mut report.coordinate_reference_system,
        _ => return None,
    })
}

/// The number-valued member `member` of a sensor report.
fn report_number(report: &mut SensorReport, member: Member) -> Option<&mut Option<f64>> {
    Some(match member {
        Member::Value => &mut report.value,
        Member::MinValue => &mut report.min_value,
        Member::MaxValue => &mut report.max_value,
        Member::MeanValue => &mut report.mean_value,
        Member::SDev => &mut report.s_dev,
        Member::PercRank => &mut report.perc_rank,
        Member::PercValue => &mut report.perc_value,
        _ => return None,
    })
}

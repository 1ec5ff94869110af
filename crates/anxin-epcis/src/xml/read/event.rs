//! Reading one EPCIS event: its standard fields in any order (the writer restores the XSD
//! order), `<extension>` and `<baseExtension>` wrappers unwrapped, extension elements kept
//! in order, and every problem placed at its element.
//!
//! This is where the event-level mapping decisions live; it does not decide which fields an
//! event type requires beyond the two the model cannot do without (`eventTime`,
//! `eventTimeZoneOffset`), which is [`crate::validate`]'s job.

use std::borrow::Cow;
use std::io::Read;

use jiff::Timestamp;
use jiff::tz::Offset;

use super::super::Field;
use super::super::cursor::{Attr, Space, Tok};
use super::super::source::Pos;
use super::{Reader, parse_number, read_term};
use crate::EventSink;
use crate::cbv::Vocabulary as Cbv;
use crate::error::{Origin, Place, Problem, ReadError};
use crate::ext::{Extension, QName};
use crate::model::{
    Action, BizTransaction, ErrorDeclaration, Event, EventType, Header, Location,
    PersistentDisposition, QuantityElement, SensorElement, SensorMetadata, SensorReport,
    SourceDest,
};
use crate::time::{EpcisTime, TimeZoneOffset};

/// One event while it is being read.
struct EventDraft {
    event: Event,
    /// Which standard fields have been read, to refuse a field given twice.
    seen: [bool; Field::ALL.len()],
    problems: Vec<Problem>,
    fields: Vec<(Cow<'static, str>, Place)>,
    /// The depth of the event element: the paths of its problems start there
    /// (`ObjectEvent/bizStep`).
    from: usize,
}

impl<R: Read> Reader<R> {
    // --- Events -------------------------------------------------------------------------

    /// `EventList`: each child is an event, an `<extension>` wrapper of events, or a
    /// problem reported in an event's stead.
    pub(super) fn event_list(
        &mut self,
        header: &Header,
        sink: &mut impl EventSink,
    ) -> Result<(), ReadError> {
        self.each_header_child("EventList", |this| {
            let event_type = if this.cur.space().is_standard() {
                EventType::from_name(this.cur.local())
            } else {
                None
            };
            match event_type {
                Some(event_type) => this.event(event_type, header, sink)?,
                // EPCIS 1.x put TransformationEvent in an extension of the event
                // list, and the 2.0 XSD keeps the wrapper.
                None if this.cur.is("extension") => this.event_list(header, sink)?,
                None => this.not_an_event(header, sink)?,
            }
            Ok(())
        })
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

    /// Reports an element of the event list that is not an event, and skips it.
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

    /// Reads one event and hands it to the sink with its origin.
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
        for field in [Field::EventTime, Field::EventTimeZoneOffset] {
            if !draft.seen[field as usize] {
                // Built only when needed: joining the element path allocates.
                draft.problems.push(Problem {
                    place: self.cur.place(pos, from),
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
                    .push((Cow::Borrowed(field.name()), bare_place(pos)));
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
        draft
            .fields
            .push((Cow::Owned(self.cur.qname()), bare_place(pos)));
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
        self.each_child(problems, from, |this, problems| {
            let child_pos = this.cur.pos;
            if this.cur.is("declarationTime") {
                declaration_time = this.time(problems, from, child_pos)?;
            } else if this.cur.is("reason") {
                reason = this.term(Cbv::ErrorReason, problems, from, child_pos)?;
            } else if this.cur.is("correctiveEventIDs") {
                this.epc_list(
                    "correctiveEventID",
                    &mut corrective_event_ids,
                    problems,
                    from,
                )?;
            } else {
                this.ext_child("errorDeclaration", &mut extensions, problems, from)?;
            }
            Ok(())
        })?;
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
        self.each_child(problems, from, |this, problems| {
            let pos = this.cur.pos;
            if this.cur.is(item) {
                if let Some(text) = this.text(problems, from, pos)? {
                    list.push(text);
                }
            } else {
                this.unknown_child(item, problems, from)?;
            }
            Ok(())
        })
    }

    fn quantity_list(
        &mut self,
        list: &mut Vec<QuantityElement>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        self.each_child(problems, from, |this, problems| {
            if this.cur.is("quantityElement") {
                if let Some(element) = this.quantity_element(problems, from)? {
                    list.push(element);
                }
            } else {
                this.unknown_child("quantityElement", problems, from)?;
            }
            Ok(())
        })
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
        self.each_child(problems, from, |this, problems| {
            let child_pos = this.cur.pos;
            if this.cur.is("epcClass") {
                epc_class = this.text(problems, from, child_pos)?;
            } else if this.cur.is("quantity") {
                if this.cur.attr(Space::Xsi, "nil").map(str::trim) == Some("true") {
                    this.cur.skip()?;
                } else {
                    quantity = this.number("quantity", problems, from, child_pos)?;
                }
            } else if this.cur.is("uom") {
                uom = this.text(problems, from, child_pos)?;
            } else {
                this.unknown_child("epcClass, quantity or uom", problems, from)?;
            }
            Ok(())
        })?;
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
        self.each_child(problems, from, |this, problems| {
            let pos = this.cur.pos;
            if this.cur.is("set") {
                if let Some(term) = this.term(Cbv::Disposition, problems, from, pos)? {
                    disposition.set.push(term);
                }
            } else if this.cur.is("unset") {
                if let Some(term) = this.term(Cbv::Disposition, problems, from, pos)? {
                    disposition.unset.push(term);
                }
            } else {
                this.unknown_child("set or unset", problems, from)?;
            }
            Ok(())
        })?;
        Ok(disposition)
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
        self.each_child(problems, from, |this, problems| {
            let child_pos = this.cur.pos;
            if this.cur.is("id") {
                id = this.text(problems, from, child_pos)?;
            } else {
                this.ext_child(name, &mut extensions, problems, from)?;
            }
            Ok(())
        })?;
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
        self.each_child(problems, from, |this, problems| {
            let pos = this.cur.pos;
            if this.cur.is("bizTransaction") {
                let transaction_type = this
                    .cur
                    .attr(Space::None, "type")
                    .map(|text| read_term(Cbv::BizTransactionType, text));
                if let Some(id) = this.text(problems, from, pos)? {
                    list.push(BizTransaction {
                        transaction_type,
                        id,
                    });
                }
            } else {
                this.unknown_child("bizTransaction", problems, from)?;
            }
            Ok(())
        })
    }

    fn source_dests(
        &mut self,
        item: &str,
        list: &mut Vec<SourceDest>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        self.each_child(problems, from, |this, problems| {
            let pos = this.cur.pos;
            if this.cur.is(item) {
                let kind = this
                    .cur
                    .attr(Space::None, "type")
                    .map(|text| read_term(Cbv::SourceDestType, text));
                let id = this.text(problems, from, pos)?;
                match (kind, id) {
                    (Some(kind), Some(id)) => list.push(SourceDest { kind, id }),
                    (None, _) => problems.push(this.problem(
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
                this.unknown_child(item, problems, from)?;
            }
            Ok(())
        })
    }

    fn sensor_elements(
        &mut self,
        list: &mut Vec<SensorElement>,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<(), ReadError> {
        self.each_child(problems, from, |this, problems| {
            if this.cur.is("sensorElement") {
                let element = this.sensor_element(problems, from)?;
                list.push(element);
            } else if this.cur.is("extension") {
                // A list-level extension has no place in the model; a problem says
                // so rather than dropping it unannounced.
                let pos = this.cur.pos;
                problems.push(
                    this.problem(
                        pos,
                        from,
                        "extensions of sensorElementList itself are not supported; \
                     expected only sensorElement"
                            .to_owned(),
                    ),
                );
                this.cur.skip()?;
            } else {
                this.unknown_child("sensorElement", problems, from)?;
            }
            Ok(())
        })
    }

    fn sensor_element(
        &mut self,
        problems: &mut Vec<Problem>,
        from: usize,
    ) -> Result<SensorElement, ReadError> {
        let mut element = SensorElement::default();
        self.each_child(problems, from, |this, problems| {
            let pos = this.cur.pos;
            if this.cur.is("sensorMetadata") {
                if element.metadata.is_some() {
                    problems.push(
                        this.problem(
                            pos,
                            from,
                            "sensorMetadata appears more than once; expected it at most once"
                                .to_owned(),
                        ),
                    );
                }
                let metadata = this.sensor_metadata(problems, from, pos);
                this.attribute_element_end("sensorMetadata", problems, from, pos)?;
                element.metadata = Some(metadata);
            } else if this.cur.is("sensorReport") {
                let report = this.sensor_report(problems, from, pos);
                this.attribute_element_end("sensorReport", problems, from, pos)?;
                element.reports.push(report);
            } else {
                this.ext_child("sensorElement", &mut element.extensions, problems, from)?;
            }
            Ok(())
        })?;
        Ok(element)
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
                // The XSD has bizRules on sensorMetadata only, but the JSON schema allows it
                // on a report too and GS1's own sensor examples use it there in both syntaxes;
                // the model keeps it, so a JSON-LD document converts to XML and back intact.
                "bizRules" => report.biz_rules = owned(),
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

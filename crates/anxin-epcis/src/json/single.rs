//! One event as a self-contained JSON-LD object, for stores that keep events one by one.
//!
//! [`event_to_string`] writes the event object exactly as [`super::Writer`] writes it inside
//! a document whose header declares no prefixes, so every extension namespace the event uses
//! is declared in the event's own `@context` and the object means the same thing on its own.
//! The sender's prefix names are not kept (the writer invents `ns1`, …): names are IRIs in
//! the model, so the meaning is unchanged. [`event_from_str`] reads such an object back by
//! reading it as the only event of a minimal document. Neither function validates.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use crate::{EpcisTime, Event, Format, Header, Limits, ReadError};

/// A writer whose bytes the caller can look at while the JSON writer owns it.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes one event as a JSON-LD object (with its own `@context` when it uses extensions).
pub fn event_to_string(event: &Event) -> io::Result<String> {
    let shared = Shared::default();
    let header = Header::new(EpcisTime::utc(jiff::Timestamp::UNIX_EPOCH));
    let mut writer = super::Writer::start(shared.clone(), &header)?;
    let header_len = shared.0.borrow().len();
    writer.event(event)?;
    drop(writer);
    let bytes = shared.0.borrow();
    let text = std::str::from_utf8(&bytes[header_len..]).map_err(io::Error::other)?;
    Ok(text.trim().trim_start_matches(',').trim_start().to_owned())
}

/// Reads an event written by [`event_to_string`] (or any single JSON-LD event object).
pub fn event_from_str(text: &str) -> Result<Event, ReadError> {
    let document = format!(
        "{{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\",\
         \"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":\"1970-01-01T00:00:00Z\",\
         \"epcisBody\":{{\"eventList\":[{text}]}}}}"
    );
    let mut read = crate::read_document(document.as_bytes(), Format::Json, &Limits::default())?;
    if let Some(problem) = read.problems.first() {
        return Err(ReadError::Syntax {
            place: problem.place.clone(),
            message: problem.message.clone(),
        });
    }
    match read.document.events.pop() {
        Some(event) if read.document.events.is_empty() => Ok(event),
        _ => Err(ReadError::Syntax {
            place: crate::Place::JsonPointer(String::new()),
            message: "expected exactly one event object".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ext::{ExtValue, Extension, QName};
    use crate::{EventType, TimeZoneOffset};

    #[test]
    fn an_event_with_extensions_reads_back_with_the_same_meaning() {
        let time = EpcisTime::parse("2026-03-01T08:00:00.123+08:00").unwrap();
        let mut event = Event::new(
            EventType::ObjectEvent,
            time,
            TimeZoneOffset::parse("+08:00").unwrap(),
        );
        event.action = Some(crate::Action::Observe);
        event.epc_list = vec!["urn:epc:id:sgtin:0614141.107346.2017".into()];
        event.extensions.push(Extension {
            name: QName::new("https://anxin.example.cn/epcis/", "labReport"),
            value: ExtValue::Object(vec![Extension::text(QName::new("", "id"), "R-1")]),
            attributes: Vec::new(),
        });
        let text = event_to_string(&event).unwrap();
        assert!(text.starts_with('{') && text.ends_with('}'), "{text}");
        let back = event_from_str(&text).unwrap();
        assert!(back.same_meaning(&event), "{text}\n{back:#?}");
    }

    #[test]
    fn two_events_are_not_one() {
        assert!(event_from_str("{\"type\":\"ObjectEvent\"},{\"type\":\"ObjectEvent\"}").is_err());
    }
}

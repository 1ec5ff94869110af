//! Comparing events by meaning rather than by spelling.
//!
//! A JSON-LD document and its XML twin read into models that differ in ways that carry no
//! meaning: a timestamp written in another offset, repeated XML elements against a JSON
//! array, `xsi:type` annotations. This module decides equality up to those differences and
//! nothing else; it is used by the conformance tests and the `convert` round trips.

use crate::ext::{Extension, same_extensions};
use crate::model::{Event, SensorElement};
use crate::time::EpcisTime;

/// See [`Event::same_meaning`].
pub(crate) fn events_mean_the_same(left: &Event, right: &Event) -> bool {
    let (left_plain, left_ext) = split(left);
    let (right_plain, right_ext) = split(right);
    left_plain == right_plain
        && left_ext.len() == right_ext.len()
        && left_ext
            .iter()
            .zip(&right_ext)
            .all(|(left, right)| same_extensions(left, right))
}

/// The event with every timestamp moved to UTC and every extension list taken out, and the
/// extension lists in a fixed order.
fn split(event: &Event) -> (Event, Vec<Vec<Extension>>) {
    let mut plain = event.clone();
    let mut extensions = Vec::new();
    utc(&mut plain.event_time);
    if let Some(record_time) = &mut plain.record_time {
        utc(record_time);
    }
    extensions.push(std::mem::take(&mut plain.extensions));
    extensions.push(plain.ilmd.take().unwrap_or_default());
    if let Some(declaration) = &mut plain.error_declaration {
        utc(&mut declaration.declaration_time);
        extensions.push(std::mem::take(&mut declaration.extensions));
    }
    for location in [&mut plain.read_point, &mut plain.biz_location]
        .into_iter()
        .flatten()
    {
        extensions.push(std::mem::take(&mut location.extensions));
    }
    for element in &mut plain.sensor_element_list {
        take_sensor_extensions(element, &mut extensions);
    }
    (plain, extensions)
}

fn take_sensor_extensions(element: &mut SensorElement, extensions: &mut Vec<Vec<Extension>>) {
    extensions.push(std::mem::take(&mut element.extensions));
    if let Some(metadata) = &mut element.metadata {
        for time in [
            &mut metadata.time,
            &mut metadata.start_time,
            &mut metadata.end_time,
        ]
        .into_iter()
        .flatten()
        {
            utc(time);
        }
        extensions.push(std::mem::take(&mut metadata.extensions));
    }
    for report in &mut element.reports {
        if let Some(time) = &mut report.time {
            utc(time);
        }
        extensions.push(std::mem::take(&mut report.extensions));
    }
}

fn utc(time: &mut EpcisTime) {
    *time = EpcisTime::utc(time.instant);
}

//! Synthetic, valid EPCIS 2.0 events for tests, fuzz seeds, benchmarks and the differential
//! check of hash IDs against the reference implementation.
//!
//! The events are random but well-formed: every event type, EPCs as EPC URNs and as GS1
//! Digital Links (with correct check digits), quantities with units, business transactions,
//! sources and destinations, sensor reports, ILMD and nested extensions, timestamps in many
//! offsets. They are deterministic for a seed on every machine (a SplitMix64 generator, no
//! platform randomness). They imitate no real company: the company prefixes are GS1's own
//! example prefixes. This is not the supply-chain simulator (`anxin-sim`), which makes a
//! coherent world; these events need not make sense together.

use jiff::Timestamp;
use jiff::tz::Offset;

use crate::cbv::{self, Term};
use crate::ext::{ExtValue, Extension, QName};
use crate::model::{
    Action, BizTransaction, ErrorDeclaration, Event, EventType, Location, PersistentDisposition,
    QuantityElement, SensorElement, SensorMetadata, SensorReport, SourceDest,
};
use crate::time::{EpcisTime, TimeZoneOffset};

/// The namespace of the synthetic extension fields.
pub const SAMPLE_NAMESPACE: &str = "https://example.org/anxin-sample/";
/// The prefix the synthetic documents declare for [`SAMPLE_NAMESPACE`].
pub const SAMPLE_PREFIX: &str = "smp";

/// A small deterministic random number generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct SampleRng(u64);

impl SampleRng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> SampleRng {
        SampleRng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// GS1's example company prefixes, with their lengths written into the URNs.
const COMPANY_PREFIXES: &[&str] = &["0614141", "4012345", "0012345", "4023333", "5012345"];

/// Serial and lot characters: digits, letters and a few GS1 AI-82 punctuation marks that
/// need escaping in one syntax or another.
const SERIAL_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefxyz-._";

fn serial(rng: &mut SampleRng) -> String {
    let length = 1 + rng.below(12) as usize;
    (0..length)
        .map(|_| char::from(*rng.pick(SERIAL_CHARS)))
        .collect()
}

/// An item reference that, with the company prefix, makes 12 digits (indicator included).
fn item_reference(rng: &mut SampleRng, company_prefix: &str) -> String {
    rng.digits(13 - company_prefix.len())
}

/// A serialised trade item as an EPC URN (`urn:epc:id:sgtin:…`).
pub fn sgtin_urn(rng: &mut SampleRng) -> String {
    let prefix = *rng.pick(COMPANY_PREFIXES);
    let item = item_reference(rng, prefix);
    format!("urn:epc:id:sgtin:{prefix}.{item}.{}", serial(rng))
}

/// A logistic unit as an EPC URN (`urn:epc:id:sscc:…`).
pub fn sscc_urn(rng: &mut SampleRng) -> String {
    let prefix = *rng.pick(COMPANY_PREFIXES);
    let reference = rng.digits(17 - prefix.len());
    format!("urn:epc:id:sscc:{prefix}.{reference}")
}

/// A location as an EPC URN (`urn:epc:id:sgln:…`).
pub fn sgln_urn(rng: &mut SampleRng) -> String {
    let prefix = *rng.pick(COMPANY_PREFIXES);
    let location = rng.digits(12 - prefix.len());
    let extension = if rng.chance(50) {
        "0".to_owned()
    } else {
        rng.digits(3)
    };
    format!("urn:epc:id:sgln:{prefix}.{location}.{extension}")
}

/// A party as an EPC URN (`urn:epc:id:pgln:…`).
pub fn pgln_urn(rng: &mut SampleRng) -> String {
    let prefix = *rng.pick(COMPANY_PREFIXES);
    let party = rng.digits(12 - prefix.len());
    format!("urn:epc:id:pgln:{prefix}.{party}")
}

/// A lot of a trade item as an EPC class URN (`urn:epc:class:lgtin:…`).
pub fn lgtin_urn(rng: &mut SampleRng) -> String {
    let prefix = *rng.pick(COMPANY_PREFIXES);
    let item = item_reference(rng, prefix);
    format!("urn:epc:class:lgtin:{prefix}.{item}.{}", serial(rng))
}

/// An instance identifier, sometimes rewritten as a GS1 Digital Link.
fn instance_epc(rng: &mut SampleRng) -> String {
    let urn = if rng.chance(70) {
        sgtin_urn(rng)
    } else {
        sscc_urn(rng)
    };
    maybe_digital_link(rng, urn)
}

fn class_epc(rng: &mut SampleRng) -> String {
    let urn = lgtin_urn(rng);
    maybe_digital_link(rng, urn)
}

fn maybe_digital_link(rng: &mut SampleRng, urn: String) -> String {
    if rng.chance(40) {
        anxin_gs1::epc_to_digital_link(&urn).unwrap_or(urn)
    } else {
        urn
    }
}

fn epc_list(rng: &mut SampleRng, max: u64) -> Vec<String> {
    (0..1 + rng.below(max)).map(|_| instance_epc(rng)).collect()
}

fn quantity_list(rng: &mut SampleRng) -> Vec<QuantityElement> {
    (0..1 + rng.below(3))
        .map(|_| {
            let (quantity, uom) = match rng.below(3) {
                0 => (Some(rng.below(5000) as f64), None),
                1 => (
                    Some(rng.below(100_000) as f64 / 100.0),
                    Some("KGM".to_owned()),
                ),
                _ => (
                    Some(rng.below(1000) as f64 / 4.0),
                    Some((*rng.pick(&["LTR", "MTR", "KGM"])).to_owned()),
                ),
            };
            QuantityElement {
                epc_class: class_epc(rng),
                quantity,
                uom,
            }
        })
        .collect()
}

fn offset(rng: &mut SampleRng) -> Offset {
    let hours = *rng.pick(&[-6i32, -5, 0, 1, 2, 8, 9]);
    let minutes = if rng.chance(10) { 30 } else { 0 };
    Offset::from_seconds(hours * 3600 + hours.signum() * minutes * 60).unwrap_or(Offset::UTC)
}

fn time(rng: &mut SampleRng, offset: Offset) -> EpcisTime {
    // Between 2019 and 2027, with millisecond precision as most producers write it.
    let millis = 1_546_300_800_000 + rng.below(8 * 365 * 24 * 3600 * 1000) as i64;
    let instant = Timestamp::from_millisecond(millis).unwrap_or(Timestamp::UNIX_EPOCH);
    EpcisTime { instant, offset }
}

fn term(rng: &mut SampleRng, words: &'static [&'static str]) -> Term {
    let word = *rng.pick(words);
    Term::Standard(word)
}

fn location(rng: &mut SampleRng) -> Location {
    Location {
        id: sgln_urn(rng),
        extensions: Vec::new(),
    }
}

fn extension_value(rng: &mut SampleRng, depth: u32) -> ExtValue {
    match rng.below(if depth >= 2 { 3 } else { 5 }) {
        0 => ExtValue::Text(format!("值-{}", rng.digits(3))),
        1 => ExtValue::Text(rng.digits(4)),
        2 => ExtValue::Text(if rng.chance(50) {
            "true".into()
        } else {
            "false".into()
        }),
        _ => ExtValue::Object(
            (0..1 + rng.below(3))
                .map(|index| Extension {
                    name: QName::new(SAMPLE_NAMESPACE, format!("f{depth}{index}")),
                    value: extension_value(rng, depth + 1),
                    attributes: Vec::new(),
                })
                .collect(),
        ),
    }
}

fn extensions(rng: &mut SampleRng, names: &[&str]) -> Vec<Extension> {
    let count = rng.below(names.len() as u64 + 1) as usize;
    names[..count]
        .iter()
        .map(|name| Extension {
            name: QName::new(SAMPLE_NAMESPACE, *name),
            value: extension_value(rng, 0),
            attributes: Vec::new(),
        })
        .collect()
}

fn sensor_element(rng: &mut SampleRng, offset: Offset) -> SensorElement {
    let metadata = rng.chance(60).then(|| SensorMetadata {
        time: Some(time(rng, offset)),
        device_id: Some(format!("urn:epc:id:giai:4000001.{}", rng.digits(3))),
        ..SensorMetadata::default()
    });
    let reports = (0..1 + rng.below(3))
        .map(|_| {
            let (word, uom) = *rng.pick(&[
                ("Temperature", "CEL"),
                ("RelativeHumidity", "A93"),
                ("Mass", "KGM"),
            ]);
            SensorReport {
                measurement_type: Some(Term::Standard(
                    cbv::Vocabulary::MeasurementType
                        .word(word)
                        .unwrap_or("Temperature"),
                )),
                value: Some(rng.below(2000) as f64 / 10.0 - 20.0),
                uom: Some(uom.to_owned()),
                ..SensorReport::default()
            }
        })
        .collect();
    SensorElement {
        metadata,
        reports,
        extensions: Vec::new(),
    }
}

/// A random valid event of a random type.
pub fn random_event(rng: &mut SampleRng) -> Event {
    let event_type = *rng.pick(&EventType::ALL);
    random_event_of(rng, event_type)
}

/// A random valid event of `event_type`.
pub fn random_event_of(rng: &mut SampleRng, event_type: EventType) -> Event {
    let offset = offset(rng);
    let mut event = Event::new(event_type, time(rng, offset), TimeZoneOffset(offset));
    let action = *rng.pick(&[Action::Add, Action::Observe, Action::Delete]);
    match event_type {
        EventType::ObjectEvent => {
            event.action = Some(action);
            if rng.chance(80) {
                event.epc_list = epc_list(rng, 4);
            }
            if event.epc_list.is_empty() || rng.chance(30) {
                event.quantity_list = quantity_list(rng);
            }
            if action == Action::Add && rng.chance(50) {
                event.ilmd = Some(extensions(rng, &["lotNumber", "bestBefore"]));
            }
        }
        EventType::AggregationEvent => {
            event.action = Some(action);
            let parent = sscc_urn(rng);
            event.parent_id = Some(maybe_digital_link(rng, parent));
            event.child_epcs = epc_list(rng, 5);
            if rng.chance(30) {
                event.child_quantity_list = quantity_list(rng);
            }
        }
        EventType::TransactionEvent => {
            event.action = Some(action);
            event.epc_list = epc_list(rng, 4);
            if rng.chance(30) {
                event.parent_id = Some(sscc_urn(rng));
            }
        }
        EventType::TransformationEvent => {
            if rng.chance(60) {
                event.input_epc_list = epc_list(rng, 3);
            }
            event.input_quantity_list = quantity_list(rng);
            if rng.chance(50) {
                event.output_epc_list = epc_list(rng, 3);
            }
            event.output_quantity_list = quantity_list(rng);
            if rng.chance(40) {
                event.transformation_id = Some(format!("urn:uuid:{:032x}", rng.next_u64()));
            }
            if rng.chance(50) {
                event.ilmd = Some(extensions(rng, &["lotNumber"]));
            }
        }
        EventType::AssociationEvent => {
            event.action = Some(action);
            event.parent_id = Some(format!("urn:epc:id:grai:4012345.00001.{}", rng.digits(4)));
            event.child_epcs = epc_list(rng, 3);
        }
    }
    if rng.chance(80) {
        event.biz_step = Some(term(rng, cbv::BIZ_STEPS));
    }
    if rng.chance(70) {
        event.disposition = Some(term(rng, cbv::DISPOSITIONS));
    }
    if rng.chance(60) {
        event.read_point = Some(location(rng));
    }
    if rng.chance(60) {
        event.biz_location = Some(location(rng));
    }
    if event_type == EventType::TransactionEvent || rng.chance(30) {
        event.biz_transaction_list = (0..1 + rng.below(2))
            .map(|_| BizTransaction {
                transaction_type: Some(term(rng, cbv::BIZ_TRANSACTION_TYPES)),
                id: format!("urn:epcglobal:cbv:bt:{}:{}", rng.digits(13), rng.digits(4)),
            })
            .collect();
    }
    if rng.chance(25) {
        event.source_list = vec![
            SourceDest {
                kind: Term::Standard("owning_party"),
                id: pgln_urn(rng),
            },
            SourceDest {
                kind: Term::Standard("location"),
                id: sgln_urn(rng),
            },
        ];
        event.destination_list = vec![SourceDest {
            kind: Term::Standard("possessing_party"),
            id: pgln_urn(rng),
        }];
    }
    if rng.chance(15) {
        event.persistent_disposition = Some(PersistentDisposition {
            set: vec![term(rng, cbv::DISPOSITIONS)],
            unset: if rng.chance(50) {
                vec![term(rng, cbv::DISPOSITIONS)]
            } else {
                Vec::new()
            },
        });
    }
    if rng.chance(15) {
        event.sensor_element_list = vec![sensor_element(rng, offset)];
    }
    if rng.chance(10) {
        event.error_declaration = Some(ErrorDeclaration {
            declaration_time: time(rng, offset),
            reason: Some(term(rng, cbv::ERROR_REASONS)),
            corrective_event_ids: Vec::new(),
            extensions: Vec::new(),
        });
    }
    if rng.chance(20) {
        event.certification_info = vec![format!("https://cert.example.org/{}", rng.digits(6))];
    }
    event.extensions = extensions(rng, &["batchNote", "plantLine"]);
    event
}

/// A document header for synthetic events: created at a random time, declaring the sample
/// extension namespace under [`SAMPLE_PREFIX`].
pub fn header(rng: &mut SampleRng) -> crate::model::Header {
    let mut header = crate::model::Header::new(time(rng, Offset::UTC));
    header.namespaces.declare(SAMPLE_PREFIX, SAMPLE_NAMESPACE);
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_events() {
        let first: Vec<Event> = {
            let mut rng = SampleRng::new(7);
            (0..50).map(|_| random_event(&mut rng)).collect()
        };
        let second: Vec<Event> = {
            let mut rng = SampleRng::new(7);
            (0..50).map(|_| random_event(&mut rng)).collect()
        };
        assert_eq!(first, second);
    }

    #[test]
    fn sample_events_are_valid() {
        let mut rng = SampleRng::new(11);
        for index in 0..500 {
            let event = random_event(&mut rng);
            let problems = crate::validate::check_event(&event);
            assert!(
                problems.is_empty(),
                "event {index}: {problems:#?}\n{event:#?}"
            );
        }
    }
}

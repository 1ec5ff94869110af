//! The passport's journey ([`anxin_trace::TraceGraph::journey`]) on the rules' chain: a can's
//! own events and its containers' transport steps while it was inside them, oldest first,
//! with its commissioning ILMD dates and the offsets its times were written in.

use anxin_epcis::{ExtValue, Extension, QName};
use jiff::tz::Offset;

use super::rules::chain;
use super::support::*;

const LATER: i64 = T0 + 1000 * 60 * MINUTE;

fn steps(journey: &anxin_trace::Journey) -> Vec<(String, bool)> {
    journey
        .steps
        .iter()
        .map(|s| (s.biz_step.clone().unwrap_or_default(), s.own))
        .collect()
}

fn step(word: &str, own: bool) -> (String, bool) {
    (word.to_owned(), own)
}

#[test]
fn a_sold_can_travels_factory_to_distributor_to_shop_in_its_case_and_pallet() {
    let chain = chain();
    let graph = chain.log.graph();
    let journey = graph.journey(&chain.cans[3], LATER).unwrap();
    // Made, packed into case 2; the pallet (holding case 2) shipped and received; case 2
    // shipped on and received at the shop; sold. The pallet's packing and unpacking and
    // case 2's own packing onto the pallet are not steps of the can's journey.
    assert_eq!(
        steps(&journey),
        vec![
            step("commissioning", true),
            step("packing", true),
            step("shipping", false),
            step("receiving", false),
            step("shipping", false),
            step("receiving", false),
            step("retail_selling", true),
        ]
    );
    let times: Vec<i64> = journey.steps.iter().map(|s| s.time_ms).collect();
    assert!(times.is_sorted(), "oldest first: {times:?}");
    assert_eq!(journey.steps[0].place, Some(site(10)));
    assert_eq!(journey.steps[6].place, Some(site(30)));
    assert_eq!(journey.steps[6].event_seq, chain.log.events[14].seq);
    assert_eq!(journey.state.holder, Some(gln(30)));
    assert_eq!(journey.state.lot, Some(lot(1, "L1")));
}

#[test]
fn a_can_left_behind_keeps_only_the_legs_it_travelled() {
    let chain = chain();
    let graph = chain.log.graph();
    // Case 1 came off the pallet at the distributor and stayed; case 2's onward leg is not
    // case 1's cans'.
    let journey = graph.journey(&chain.cans[0], LATER).unwrap();
    assert_eq!(
        steps(&journey),
        vec![
            step("commissioning", true),
            step("packing", true),
            step("shipping", false),
            step("receiving", false),
        ]
    );
    // Asked at a time before the pallet was shipped, the journey stops there.
    let earlier = graph.journey(&chain.cans[0], chain.times[6]).unwrap();
    assert_eq!(earlier.steps.len(), 2);
}

#[test]
fn a_declared_erroneous_sale_leaves_the_journey() {
    let mut chain = chain();
    chain.log.declare_error(14, chain.times[12] + MINUTE);
    let graph = chain.log.graph();
    let journey = graph.journey(&chain.cans[3], LATER).unwrap();
    assert!(
        journey
            .steps
            .iter()
            .all(|s| s.biz_step.as_deref() != Some("retail_selling")),
        "{:?}",
        journey.steps
    );
}

#[test]
fn the_dates_come_from_the_commissioning_ilmd_and_times_keep_their_offset() {
    let cans = vec![can(7, 1), can(7, 2)];
    let mut made = commission(T0, &cans, "L7", 10);
    let ilmd = made.ilmd.get_or_insert_with(Vec::new);
    ilmd.push(Extension {
        name: QName::new("urn:epcglobal:cbv:mda:", "itemExpirationDate"),
        value: ExtValue::Text("2028-05-31".to_owned()),
        attributes: Vec::new(),
    });
    ilmd.push(Extension {
        name: QName::new("https://example.com/maker/", "productionDate"),
        value: ExtValue::Text("2026-06-01".to_owned()),
        attributes: Vec::new(),
    });
    let eight = Offset::from_hours(8).unwrap();
    made.event_time.offset = eight;
    let mut sold = sell(T0 + 90 * MINUTE, &cans[..1], 30);
    sold.event_time.offset = eight;
    let mut log = Log::default();
    log.push(made, Some(10));
    log.push(sold, Some(30));
    let graph = log.graph_compacted_midway();
    let journey = graph.journey(&cans[0], LATER).unwrap();
    assert_eq!(journey.production_date.as_deref(), Some("2026-06-01"));
    assert_eq!(journey.expiry_date.as_deref(), Some("2028-05-31"));
    let written: Vec<String> = journey.steps.iter().map(|s| s.time_as_written()).collect();
    assert!(written.iter().all(|t| t.ends_with("+08:00")), "{written:?}");
    assert_eq!(
        written[1]
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond(),
        T0 + 90 * MINUTE
    );
    // The other can shares the lot's dates and has no sale.
    let other = graph.journey(&cans[1], LATER).unwrap();
    assert_eq!(other.expiry_date.as_deref(), Some("2028-05-31"));
    assert_eq!(other.steps.len(), 1);
}

#[test]
fn a_lot_has_a_journey_of_the_events_naming_it() {
    let chain = chain();
    let graph = chain.log.graph();
    let journey = graph.journey(&lot(1, "L1"), LATER).unwrap();
    // Only the transformation that made it names the lot itself; its cans are members (their
    // commissioning names them, not the lot), and membership is not a step.
    let seqs: Vec<u64> = journey.steps.iter().map(|s| s.event_seq).collect();
    assert_eq!(seqs, vec![chain.log.events[4].seq], "{:?}", journey.steps);
    assert!(journey.steps[0].own);
    assert!(graph.journey(&can(1, 99), LATER).is_err());
}

#[test]
fn a_journey_by_canonical_link_is_the_journey_and_other_text_is_not_found() {
    let chain = chain();
    let graph = chain.log.graph();
    for id in [chain.cans[0].clone(), chain.cans[3].clone(), lot(1, "L1")] {
        assert_eq!(
            graph.journey_of_link(&id, LATER),
            Some(graph.journey(&id, LATER).unwrap()),
            "{id}"
        );
    }
    // The same can as a link on another host resolves through `journey`, but it is not a
    // canonical link.
    let other_host = chain.cans[3].replace("https://id.gs1.org", "https://example.com");
    assert!(graph.journey(&other_host, LATER).is_ok());
    assert!(graph.journey_of_link(&other_host, LATER).is_none());
    assert!(graph.journey_of_link(&can(1, 99), LATER).is_none());
}

/// The time as jiff writes it at the step's offset: `YYYY-MM-DDTHH:MM:SS`, `.mmm` when there
/// are milliseconds, and the offset as `±HH:MM`.
fn written_by_jiff(time_ms: i64, offset_minutes: i16) -> String {
    let offset = Offset::from_seconds(i32::from(offset_minutes) * 60).unwrap();
    let at = jiff::Timestamp::from_millisecond(time_ms)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::fixed(offset));
    let format = if time_ms.rem_euclid(1000) == 0 {
        "%Y-%m-%dT%H:%M:%S%:z"
    } else {
        "%Y-%m-%dT%H:%M:%S%.3f%:z"
    };
    at.strftime(format).to_string()
}

#[test]
fn times_are_written_as_jiff_writes_them_over_its_whole_range() {
    // A fixed walk over jiff's range of times (years 0 to 9999 at every offset) and every
    // day around the leap days of 1900, 2000 and 2024, at offsets of whole, half and
    // three-quarter hours up to jiff's limits.
    let offsets: [i16; 9] = [-1080, -720, -210, -1, 0, 345, 480, 840, 1080];
    let year_1_ms: i64 = -62_135_596_800_000;
    let year_9999_ms: i64 = 253_402_128_000_000;
    let mut times = Vec::new();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..20_000 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let span = (year_9999_ms - year_1_ms) as u64;
        times.push(year_1_ms + ((state >> 11) % span) as i64);
    }
    for leap_day_ms in [-2_203_891_200_000_i64, 951_782_400_000, 1_709_164_800_000] {
        for day in -3..=3 {
            for ms in [0, 1, 999, 86_399_999] {
                times.push(leap_day_ms + day * 86_400_000 + ms);
            }
        }
    }
    for time_ms in times {
        for offset_minutes in offsets {
            let step = anxin_trace::JourneyStep {
                event_seq: 1,
                time_ms,
                offset_minutes,
                biz_step: None,
                place: None,
                own: true,
            };
            assert_eq!(
                step.time_as_written(),
                written_by_jiff(time_ms, offset_minutes),
                "{time_ms} at {offset_minutes}"
            );
        }
    }
    // Before year 0 at its offset, or outside jiff's range, a time is its milliseconds.
    for time_ms in [-62_167_219_200_001_i64, i64::MIN, i64::MAX] {
        let step = anxin_trace::JourneyStep {
            event_seq: 1,
            time_ms,
            offset_minutes: 0,
            biz_step: None,
            place: None,
            own: true,
        };
        assert_eq!(step.time_as_written(), time_ms.to_string());
    }
}

#[test]
fn times_are_written_as_rfc_3339_at_their_own_offset() {
    // Offsets from UTC-12:00 to UTC+14:00, half and three-quarter hours included; times with
    // and without milliseconds, across a leap day and before 1970.
    let offsets: [i16; 7] = [-720, -210, 0, 330, 345, 480, 840];
    let times: [i64; 6] = [
        0,
        -86_400_000 * 365 - 1,
        1_709_164_799_999, // 2024-02-28T23:59:59.999Z
        1_709_251_200_250, // 2024-03-01T00:00:00.250Z
        T0,
        T0 + 90 * MINUTE + 7,
    ];
    for minutes in offsets {
        for time_ms in times {
            let step = anxin_trace::JourneyStep {
                event_seq: 1,
                time_ms,
                offset_minutes: minutes,
                biz_step: None,
                place: None,
                own: true,
            };
            let written = step.time_as_written();
            let offset = Offset::from_seconds(i32::from(minutes) * 60).unwrap();
            let instant = jiff::Timestamp::from_millisecond(time_ms).unwrap();
            let expected = instant
                .to_zoned(jiff::tz::TimeZone::fixed(offset))
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string();
            let parsed: jiff::Timestamp = written.parse().unwrap();
            assert_eq!(parsed.as_millisecond(), time_ms, "{written}");
            assert_eq!(&written[..19], &expected[..19], "{written} vs {expected}");
            assert_eq!(&written[written.len() - 6..], &expected[19..], "{written}");
            assert_eq!(
                written.contains('.'),
                time_ms.rem_euclid(1000) != 0,
                "{written}"
            );
        }
    }
}

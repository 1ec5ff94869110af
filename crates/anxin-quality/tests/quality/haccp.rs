//! HACCP: deviations from monitoring series, the lots made during them, and holds lifted only
//! by a corrective action.

use anxin_quality::haccp::{
    CorrectiveAction, DeviationKind, LotWindow, Reading, deviations, holds, parse_control_points,
};
use jiff::Timestamp;

const PLANT: &str = include_str!("../../examples/plant-ccps.toml");

fn at(minute: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + minute * 60).unwrap()
}

fn series(values: &[(i64, f64)]) -> Vec<Reading> {
    values
        .iter()
        .map(|(minute, value)| Reading {
            at: at(*minute),
            value: *value,
        })
        .collect()
}

#[test]
fn the_example_plant_names_every_step_and_marks_its_limits_as_examples() {
    let ccps = parse_control_points(PLANT).unwrap();
    assert_eq!(ccps.len(), 6);
    assert!(ccps.iter().all(|ccp| ccp.example));
    assert!(parse_control_points("[[ccp]]\nid = \"X\"\nline = \"L\"\nstep = \"pasteurisation\"\nparameter = \"t\"\nunit = \"°C\"\n").is_err(), "no limit");
    assert!(parse_control_points("[[ccp]]\nid = \"X\"\nline = \"L\"\nstep = \"boiling\"\nparameter = \"t\"\nunit = \"°C\"\nmin = 1.0\n").is_err(), "unknown step");
}

#[test]
fn a_deviation_runs_from_the_first_reading_out_of_limit_to_the_first_back_within() {
    let ccps = parse_control_points(PLANT).unwrap();
    let pasteurisation = &ccps[0];
    // Minimum 72 °C, a reading a minute: out from minute 3 to minute 5, worst 70.5.
    let readings = series(&[
        (0, 72.4),
        (1, 72.3),
        (2, 72.0),
        (3, 71.2),
        (4, 70.5),
        (5, 72.2),
        (6, 72.5),
    ]);
    let found = deviations(pasteurisation, &readings).unwrap();
    assert_eq!(found.len(), 1, "exactly at 72.0 is within the limit");
    assert_eq!(found[0].kind, DeviationKind::OutOfLimit { worst: 70.5 });
    assert_eq!((found[0].start, found[0].end), (at(3), Some(at(5))));
    // A five-minute silence is a monitoring gap (interval 60 s), and an open deviation has no end.
    let readings = series(&[(0, 72.4), (5, 72.4), (6, 71.0)]);
    let found = deviations(pasteurisation, &readings).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(
        (found[0].kind, found[0].start, found[0].end),
        (DeviationKind::MonitoringGap, at(0), Some(at(5)))
    );
    assert_eq!(found[1].end, None);
    // Broken readings are refused with their position.
    let error = deviations(pasteurisation, &series(&[(0, 72.0), (1, f64::NAN)])).unwrap_err();
    assert!(
        error.to_string().contains("reading 2 of L1-PAST"),
        "{error}"
    );
    assert!(deviations(pasteurisation, &series(&[(0, 72.0), (0, 73.0)])).is_err());
}

#[test]
fn lots_made_during_a_deviation_are_held_until_a_corrective_action_is_recorded() {
    let ccps = parse_control_points(PLANT).unwrap();
    let readings = series(&[(0, 72.4), (1, 72.3), (2, 71.0), (3, 72.5), (4, 72.5)]);
    let found = deviations(&ccps[0], &readings).unwrap();
    let lot = |name: &str, line: &str, start: i64, end: i64| LotWindow {
        lot: name.into(),
        line: line.into(),
        start: at(start),
        end: at(end),
    };
    let lots = [
        lot("BEFORE", "L1", -60, 1),
        lot("DURING", "L1", 1, 2),
        lot("ACROSS", "L1", 2, 60),
        lot("AFTER", "L1", 3, 60),
        lot("OTHER-LINE", "L2", 0, 60),
    ];
    let held = holds(&found, &lots, &[]);
    let names: Vec<&str> = held.iter().map(|h| h.lot.as_str()).collect();
    assert_eq!(names, ["DURING", "ACROSS"]);
    assert!(held.iter().all(|h| h.is_on_hold()));
    // An action recorded against another deviation does not lift it; the right one does.
    let action = |start: i64| CorrectiveAction {
        ccp: "L1-PAST".into(),
        deviation_start: at(start),
        recorded_at: at(30),
        by: "QA 张".into(),
        action: "re-pasteurised the held product; replaced the steam valve".into(),
    };
    assert!(
        holds(&found, &lots, &[action(1)])
            .iter()
            .all(|h| h.is_on_hold())
    );
    assert!(
        holds(&found, &lots, &[action(2)])
            .iter()
            .all(|h| !h.is_on_hold())
    );
}

//! Raw-milk receiving tests and HACCP records, told against any backend: results read back as
//! stored, a batch naming an unknown control point stores nothing, a control point is
//! registered once, and holds are derived from the stored readings, lots and actions.

use anxin_store::quality::{self, holds};
use anxin_store::{
    ControlPointRow, CorrectiveActionRow, HaccpLotRow, HaccpReadingRow, RawMilkTestRow, Store,
    StoreError,
};

const PLANT: &str = "6900001000002";
const OTHER_PLANT: &str = "6900002000001";
/// 2026-10-01T06:00:00+08:00.
const RUN_START_MS: i64 = 1_790_805_600_000;
const MINUTE_MS: i64 = 60_000;

fn test_row(
    delivery: &str,
    analyte: &str,
    value: Option<f64>,
    unit: Option<&str>,
) -> RawMilkTestRow {
    RawMilkTestRow {
        delivery_id: delivery.to_owned(),
        plant_gln: PLANT.to_owned(),
        supplier: "6910001000003".to_owned(),
        received_ms: RUN_START_MS,
        received_date: "2026-10-01".to_owned(),
        facts: "cow,holstein".to_owned(),
        analyte: analyte.to_owned(),
        reading: if value.is_some() {
            "value"
        } else {
            "not_detected"
        }
        .to_owned(),
        value,
        unit: unit.map(str::to_owned),
        sample_unit: value.is_none().then_some(1),
        account_id: 1,
        created_ms: RUN_START_MS + MINUTE_MS,
    }
}

fn ccp(plant: &str, id: &str, step: &str, min: Option<f64>, max: Option<f64>) -> ControlPointRow {
    ControlPointRow {
        plant_gln: plant.to_owned(),
        ccp_id: id.to_owned(),
        line: "L1".to_owned(),
        step: step.to_owned(),
        parameter: "holding temperature".to_owned(),
        unit: "°C".to_owned(),
        min,
        max,
        interval_s: Some(60),
        created_ms: RUN_START_MS,
    }
}

fn reading(ccp: &str, minute: i64, value: f64) -> HaccpReadingRow {
    HaccpReadingRow {
        plant_gln: PLANT.to_owned(),
        ccp_id: ccp.to_owned(),
        run: "2026-10-01".to_owned(),
        at_ms: RUN_START_MS + minute * MINUTE_MS,
        value,
        account_id: 1,
        created_ms: RUN_START_MS + 600 * MINUTE_MS,
    }
}

fn constraint(result: Result<(), StoreError>, naming: &str) {
    match result {
        Err(StoreError::ConstraintViolation(message)) => {
            assert!(message.contains(naming), "{message} should name {naming}")
        }
        other => panic!("expected a constraint violation naming {naming}, got {other:?}"),
    }
}

/// The whole story.
pub async fn run_quality_story(store: &dyn Store) {
    // Receiving tests read back as stored; another delivery has none.
    let tests = vec![
        test_row(
            "urn:epc:class:lgtin:6910001.000001.RM1",
            "protein",
            Some(3.21),
            Some("g/100g"),
        ),
        test_row(
            "urn:epc:class:lgtin:6910001.000001.RM1",
            "total_bacterial_count",
            Some(52_000.0),
            Some("CFU/mL"),
        ),
        test_row(
            "urn:epc:class:lgtin:6910001.000001.RM1",
            "antibiotic_residue",
            None,
            None,
        ),
    ];
    store
        .add_raw_milk_tests(&tests)
        .await
        .expect("tests stored");
    assert_eq!(
        store
            .raw_milk_tests("urn:epc:class:lgtin:6910001.000001.RM1")
            .await
            .unwrap(),
        tests
    );
    assert!(
        store
            .raw_milk_tests("urn:epc:class:lgtin:6910001.000001.RM2")
            .await
            .unwrap()
            .is_empty()
    );
    // Read back as the quality engine's delivery, ready to be judged.
    let rows = store
        .raw_milk_tests("urn:epc:class:lgtin:6910001.000001.RM1")
        .await
        .unwrap();
    let delivery = quality::delivery(&rows).unwrap().expect("a delivery");
    assert_eq!(delivery.tests.len(), 3);
    assert_eq!(delivery.facts.len(), 2);
    assert_eq!(delivery.received.to_string(), "2026-10-01");
    assert!(quality::delivery(&[]).unwrap().is_none());

    // Control points: registered once; a batch repeating one stores none of the batch.
    let points = vec![
        ccp(PLANT, "L1-PAST", "pasteurisation", Some(72.0), None),
        ccp(PLANT, "L1-EVAP", "evaporation", None, Some(75.0)),
    ];
    store
        .add_control_points(&points)
        .await
        .expect("control points");
    constraint(
        store
            .add_control_points(&[
                ccp(PLANT, "L1-DRY", "spray_drying", Some(80.0), Some(95.0)),
                ccp(PLANT, "L1-PAST", "pasteurisation", Some(70.0), None),
            ])
            .await,
        "L1-PAST",
    );
    assert_eq!(store.control_points(PLANT).await.unwrap(), points);
    assert!(quality::control_point(&points[0]).is_ok());

    // Readings: a batch with a control point the plant never registered (here: another plant's)
    // stores nothing.
    store
        .add_control_points(&[ccp(
            OTHER_PLANT,
            "X-PAST",
            "pasteurisation",
            Some(72.0),
            None,
        )])
        .await
        .unwrap();
    let mut bad = vec![reading("L1-PAST", 0, 72.5)];
    bad.push(HaccpReadingRow {
        ccp_id: "X-PAST".to_owned(),
        ..reading("X-PAST", 1, 72.5)
    });
    constraint(store.add_haccp_readings(&bad).await, "X-PAST");
    assert!(store.haccp_readings(PLANT).await.unwrap().is_empty());

    // A run: pasteurisation drops below 72 °C at minutes 3–4, back at 5.
    let series: Vec<HaccpReadingRow> = [
        (0, 72.4),
        (1, 72.3),
        (2, 72.0),
        (3, 71.2),
        (4, 70.5),
        (5, 72.2),
        (6, 72.5),
    ]
    .into_iter()
    .map(|(minute, value)| reading("L1-PAST", minute, value))
    .chain((0..3).map(|k| reading("L1-EVAP", k, 70.0)))
    .collect();
    store.add_haccp_readings(&series).await.expect("readings");
    let read = store.haccp_readings(PLANT).await.unwrap();
    assert_eq!(read.len(), series.len());
    assert!(
        read.windows(2)
            .all(|w| (w[0].ccp_id.as_str(), w[0].at_ms) <= (w[1].ccp_id.as_str(), w[1].at_ms))
    );

    let lots = vec![
        HaccpLotRow {
            plant_gln: PLANT.to_owned(),
            line: "L1".to_owned(),
            run: "2026-10-01".to_owned(),
            lot: "urn:epc:class:lgtin:6900001.000101.20261001A".to_owned(),
            start_ms: RUN_START_MS,
            end_ms: RUN_START_MS + 600 * MINUTE_MS,
            created_ms: RUN_START_MS + 600 * MINUTE_MS,
        },
        HaccpLotRow {
            plant_gln: PLANT.to_owned(),
            line: "L2".to_owned(),
            run: "2026-10-01".to_owned(),
            lot: "urn:epc:class:lgtin:6900001.000101.20261001B".to_owned(),
            start_ms: RUN_START_MS,
            end_ms: RUN_START_MS + 600 * MINUTE_MS,
            created_ms: RUN_START_MS + 600 * MINUTE_MS,
        },
    ];
    store.add_haccp_lots(&lots).await.unwrap();
    assert_eq!(store.haccp_lots(PLANT).await.unwrap(), lots);

    // The lot on line L1 is held; the one on L2 is not.
    let held = holds(store, PLANT).await.unwrap();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].lot, lots[0].lot);
    assert!(held[0].is_on_hold());
    assert_eq!(
        held[0].deviation.start.as_millisecond(),
        RUN_START_MS + 3 * MINUTE_MS
    );

    // A corrective action for an unknown control point is refused; the right one lifts the hold.
    let action = CorrectiveActionRow {
        plant_gln: PLANT.to_owned(),
        ccp_id: "L1-PAST".to_owned(),
        deviation_start_ms: RUN_START_MS + 3 * MINUTE_MS,
        recorded_ms: RUN_START_MS + 40 * MINUTE_MS,
        by: "质量部".to_owned(),
        action: "重新巴氏杀菌；批次评估".to_owned(),
        account_id: 1,
        created_ms: RUN_START_MS + 40 * MINUTE_MS,
    };
    constraint(
        store
            .add_corrective_action(&CorrectiveActionRow {
                ccp_id: "L1-NOPE".to_owned(),
                ..action.clone()
            })
            .await,
        "L1-NOPE",
    );
    store.add_corrective_action(&action).await.unwrap();
    assert_eq!(store.corrective_actions(PLANT).await.unwrap(), vec![action]);
    let held = holds(store, PLANT).await.unwrap();
    assert_eq!(held.len(), 1);
    assert!(
        !held[0].is_on_hold(),
        "the corrective action lifts the hold"
    );
    // Another plant's records are its own.
    assert!(holds(store, OTHER_PLANT).await.unwrap().is_empty());
}

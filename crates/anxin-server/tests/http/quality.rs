//! `/api/v1/raw-milk/…` and `/api/v1/haccp/…`: recorded by the plant's manufacturer, read by it
//! and its regulator, bad input refused with every problem and nothing stored.

use crate::helpers::app;

const DELIVERY: &str = "urn:epc:class:lgtin:6910001.000001.RM00000001";

fn tests_body(delivery: &str, protein: &str, analyte: &str) -> String {
    format!(
        r#"{{"delivery": "{delivery}", "supplier": "6910001000003", "received": "2026-10-01T06:00:00+08:00",
            "facts": ["cow", "holstein"],
            "results": [
              {{"analyte": "protein", "value": {protein}, "unit": "g/100g"}},
              {{"analyte": "fat", "value": 3.8, "unit": "g/100g"}},
              {{"analyte": "total_bacterial_count", "value": 50000, "unit": "CFU/mL"}},
              {{"analyte": "{analyte}", "value": 250000, "unit": "cells/mL"}},
              {{"analyte": "temperature", "value": 4.0, "unit": "°C"}},
              {{"analyte": "antibiotic_residue", "value": "not detected", "sample_unit": 1}}
            ]}}"#
    )
}

#[tokio::test]
async fn raw_milk_tests_are_recorded_judged_and_bad_input_stores_nothing() {
    let app = app().await;
    let reply = app
        .post_json(
            "/api/v1/raw-milk/tests",
            &app.manufacturer,
            tests_body(DELIVERY, "3.2", "somatic_cell_count"),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let path = format!(
        "/api/v1/raw-milk/deliveries/{}",
        crate::helpers::segment(DELIVERY)
    );
    let reply = app.get(&path, &app.manufacturer).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["decision"], "accepted", "{}", reply.text());
    // The regulator of Guangdong (the factory is in Shenzhen) reads it too; a distributor may not.
    assert_eq!(app.get(&path, &app.regulator).await.status, 200);
    app.get(&path, &app.distributor)
        .await
        .assert_problem(403, "SecurityException");

    // Protein 2.9 g/100 g meets GB 19301 but not the manufacturer's 3.0: rejected, with reasons.
    let second = "urn:epc:class:lgtin:6910001.000001.RM00000002";
    let reply = app
        .post_json(
            "/api/v1/raw-milk/tests",
            &app.manufacturer,
            tests_body(second, "2.9", "somatic_cell_count"),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let second_path = format!(
        "/api/v1/raw-milk/deliveries/{}",
        crate::helpers::segment(second)
    );
    // Before the plant commits a raw-milk standard its milk is judged against the national
    // standards only, and the answer says so.
    let reply = app.get(&second_path, &app.manufacturer).await;
    assert_eq!(reply.json()["decision"], "accepted", "{}", reply.text());
    assert_eq!(reply.json()["judged_against"], "national_only");
    assert_eq!(reply.json()["plant_standard"], serde_json::Value::Null);
    // A raw-milk standard is the plant's, committed without a GTIN (with one: 400).
    let example = anxin_quality::raw_milk::EXAMPLE_MANUFACTURER_STANDARD;
    let reply = app
        .post_json(
            "/api/v1/enterprise-standards",
            &app.manufacturer,
            serde_json::json!({"gtin": "06901234123456", "text": example}).to_string(),
        )
        .await;
    reply.assert_problem(400, "ValidationException");
    let reply = app
        .post_json(
            "/api/v1/enterprise-standards",
            &app.manufacturer,
            serde_json::json!({"text": example}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let reply = app.get(&second_path, &app.manufacturer).await;
    assert_eq!(
        reply.json()["judged_against"],
        "national_and_plant_standard"
    );
    assert_eq!(
        reply.json()["plant_standard"]["code"],
        "Q/EXAMPLE 0001S-2026"
    );
    assert_eq!(reply.json()["decision"], "rejected");
    assert!(
        reply.text().contains("Q/EXAMPLE 0001S-2026"),
        "{}",
        reply.text()
    );

    // An unknown analyte and a negative value: every problem named, nothing stored.
    let third = "urn:epc:class:lgtin:6910001.000001.RM00000003";
    let reply = app
        .post_json(
            "/api/v1/raw-milk/tests",
            &app.manufacturer,
            tests_body(third, "-1", "somatic_cels"),
        )
        .await;
    reply.assert_problem(400, "ValidationException");
    assert!(reply.text().contains("somatic_cels"), "{}", reply.text());
    let reply = app
        .get(
            &format!(
                "/api/v1/raw-milk/deliveries/{}",
                crate::helpers::segment(third)
            ),
            &app.manufacturer,
        )
        .await;
    reply.assert_problem(404, "NoSuchNameException");
    // Only a manufacturer records tests.
    app.post_json(
        "/api/v1/raw-milk/tests",
        &app.distributor,
        tests_body(third, "3.2", "somatic_cell_count"),
    )
    .await
    .assert_problem(403, "SecurityException");
}

#[tokio::test]
async fn a_deviation_holds_the_lots_made_during_it_until_a_corrective_action() {
    let app = app().await;
    let points = r#"{"control_points": [{"id": "L1-PAST", "line": "L1", "step": "pasteurisation",
        "parameter": "holding temperature", "unit": "°C", "min": 72.0, "monitoring_interval_max_s": 60}]}"#;
    let reply = app
        .post_json(
            "/api/v1/haccp/control-points",
            &app.manufacturer,
            points.to_owned(),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    // A reading for an unknown control point: refused, and the good readings beside it not stored.
    let bad = r#"{"run": "2026-10-01", "readings": [
        {"ccp": "L1-PAST", "at": "2026-10-01T06:00:00+08:00", "value": 72.4},
        {"ccp": "L1-NOPE", "at": "2026-10-01T06:01:00+08:00", "value": 72.4}]}"#;
    let reply = app
        .post_json("/api/v1/haccp/readings", &app.manufacturer, bad.to_owned())
        .await;
    reply.assert_problem(400, "ValidationException");
    assert!(reply.text().contains("L1-NOPE"));
    let holds = app.get("/api/v1/haccp/holds", &app.manufacturer).await;
    assert_eq!(holds.status, 200, "{}", holds.text());
    assert_eq!(holds.json()["on_hold"].as_array().unwrap().len(), 0);

    let run = r#"{"run": "2026-10-01", "readings": [
        {"ccp": "L1-PAST", "at": "2026-10-01T06:00:00+08:00", "value": 72.4},
        {"ccp": "L1-PAST", "at": "2026-10-01T06:01:00+08:00", "value": 71.0},
        {"ccp": "L1-PAST", "at": "2026-10-01T06:02:00+08:00", "value": 72.5}],
        "lots": [{"lot": "urn:epc:class:lgtin:6901234.000101.L1", "line": "L1",
                  "start": "2026-10-01T06:00:00+08:00", "end": "2026-10-01T16:00:00+08:00"}]}"#;
    let reply = app
        .post_json("/api/v1/haccp/readings", &app.manufacturer, run.to_owned())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let holds = app
        .get("/api/v1/haccp/holds", &app.manufacturer)
        .await
        .json();
    assert_eq!(holds["on_hold"].as_array().unwrap().len(), 1, "{holds}");
    assert_eq!(
        holds["on_hold"][0]["lot"],
        "urn:epc:class:lgtin:6901234.000101.L1"
    );
    let plant = holds["plant"].as_str().unwrap().to_owned();
    // The regulator sees the same; the distributor does not.
    let path = format!("/api/v1/haccp/holds?plant={plant}");
    assert_eq!(
        app.get(&path, &app.regulator).await.json()["on_hold"],
        holds["on_hold"]
    );
    app.get(&path, &app.distributor)
        .await
        .assert_problem(403, "SecurityException");

    let action = r#"{"ccp": "L1-PAST", "deviation_start": "2026-10-01T06:01:00+08:00",
        "by": "质量部", "action": "重新巴氏杀菌，批次评估"}"#;
    let reply = app
        .post_json(
            "/api/v1/haccp/corrective-actions",
            &app.manufacturer,
            action.to_owned(),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let holds = app
        .get("/api/v1/haccp/holds", &app.manufacturer)
        .await
        .json();
    assert_eq!(holds["on_hold"].as_array().unwrap().len(), 0, "{holds}");
    assert_eq!(holds["lifted"].as_array().unwrap().len(), 1);
}

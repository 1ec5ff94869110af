//! The browse endpoints: event types, business steps, dispositions, EPCs, locations and
//! read points, with their event lists.

use anxin_store_tests::fixtures;
use axum::http::StatusCode;

use crate::helpers::{app, document, factory_events, segment};

#[tokio::test]
async fn vocabularies_are_listed() {
    let app = app().await;
    let types = app.get("/epcis/eventTypes", &app.manufacturer).await;
    assert_eq!(types.json()["@set"].as_array().unwrap().len(), 5);
    let steps = app.get("/epcis/bizSteps", &app.manufacturer).await.json();
    assert!(
        steps["@set"]
            .as_array()
            .unwrap()
            .iter()
            .any(|step| step == "shipping")
    );
    let dispositions = app
        .get("/epcis/dispositions", &app.manufacturer)
        .await
        .json();
    assert!(
        dispositions["@set"]
            .as_array()
            .unwrap()
            .iter()
            .any(|step| step == "in_transit")
    );
    app.get("/epcis/bizSteps", "ax_0")
        .await
        .assert_problem(401, "SecurityException");
}

#[tokio::test]
async fn each_browse_resource_lists_its_events() {
    let app = app().await;
    app.capture(&app.manufacturer, document(factory_events()))
        .await;
    let cases = [
        ("/epcis/eventTypes/AggregationEvent/events".to_owned(), 1),
        ("/epcis/eventTypes/ObjectEvent/events".to_owned(), 2),
        ("/epcis/bizSteps/shipping/events".to_owned(), 1),
        ("/epcis/dispositions/in_transit/events".to_owned(), 1),
        (
            format!("/epcis/epcs/{}/events", segment(&fixtures::case(1))),
            2,
        ),
        (
            format!("/epcis/epcs/{}/events", segment(&fixtures::can(3))),
            2,
        ),
        (
            format!("/epcis/bizLocations/{}/events", segment(fixtures::LINE_A)),
            1,
        ),
        (
            format!("/epcis/readPoints/{}/events", segment(fixtures::FACTORY_A)),
            2,
        ),
    ];
    for (path, n_events) in cases {
        let reply = app.get(&path, &app.manufacturer).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
        assert_eq!(reply.events().len(), n_events, "{path}");
    }
    let paged = app
        .get(
            "/epcis/eventTypes/ObjectEvent/events?perPage=1",
            &app.manufacturer,
        )
        .await;
    assert!(
        paged
            .header("link")
            .starts_with("</epcis/eventTypes/ObjectEvent/events?perPage=1&nextPageToken="),
        "{}",
        paged.header("link")
    );
    app.get(
        "/epcis/bizSteps/shipping/events?EQ_bizStep=receiving",
        &app.manufacturer,
    )
    .await
    .assert_problem(400, "QueryParameterException");
    app.get("/epcis/eventTypes/FlyingEvent/events", &app.manufacturer)
        .await
        .assert_problem(400, "QueryParameterException");
}

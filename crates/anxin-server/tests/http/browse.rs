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

#[tokio::test]
async fn identifiers_seen_in_visible_events_are_listed_a_page_at_a_time() {
    let app = app().await;
    app.capture(&app.manufacturer, document(factory_events()))
        .await;
    let line = anxin_gs1::canonical_digital_link(fixtures::LINE_A).unwrap();
    let locations = app.get("/epcis/bizLocations", &app.manufacturer).await;
    assert_eq!(locations.status, StatusCode::OK, "{}", locations.text());
    let listed = locations.json()["@set"].as_array().unwrap().clone();
    assert!(listed.iter().any(|id| *id == line.as_str()), "{listed:?}");
    let read_points = app.get("/epcis/readPoints", &app.manufacturer).await.json();
    let factory = anxin_gs1::canonical_digital_link(fixtures::FACTORY_A).unwrap();
    assert!(
        read_points["@set"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| *id == factory.as_str())
    );

    // Pages follow the Link header and together list every EPC once.
    let mut path = "/epcis/epcs?perPage=2".to_owned();
    let mut epcs = Vec::new();
    for _ in 0..100 {
        let page = app.get(&path, &app.manufacturer).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        epcs.extend(
            page.json()["@set"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap().to_owned()),
        );
        let link = page.header("link").to_owned();
        let Some(next) = link.strip_prefix('<').and_then(|rest| rest.split_once('>')) else {
            break;
        };
        path = next.0.to_owned();
    }
    let can = anxin_gs1::canonical_digital_link(&fixtures::can(3)).unwrap();
    assert!(epcs.contains(&can), "{epcs:?}");
    let mut unique = epcs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        epcs.len(),
        "an EPC was listed twice: {epcs:?}"
    );

    // The distributor sees none of the factory's own places.
    let theirs = app
        .get("/epcis/bizLocations", &app.distributor)
        .await
        .json();
    assert!(
        !theirs["@set"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| *id == line.as_str())
    );
    app.get("/epcis/epcs?perPage=0", &app.manufacturer)
        .await
        .assert_problem(400, "QueryParameterException");
    app.get("/epcis/epcs?nextPageToken=zz", &app.manufacturer)
        .await
        .assert_problem(400, "QueryParameterException");
    app.get("/epcis/epcs?EQ_bizStep=shipping", &app.manufacturer)
        .await
        .assert_problem(400, "QueryParameterException");
}

//! Named queries under `/epcis/queries`.

use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::helpers::{app, document, factory_events};

#[tokio::test]
async fn a_named_query_is_made_read_run_and_deleted_by_its_maker() {
    let app = app().await;
    app.capture(&app.manufacturer, document(factory_events()))
        .await;
    let definition = serde_json::json!({
        "name": "shipped cases",
        "query": { "EQ_bizStep": ["shipping", "commissioning"], "eventType": "ObjectEvent" }
    });
    let created = app
        .post_json("/epcis/queries", &app.manufacturer, definition.to_string())
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("location"), "/epcis/queries/shipped%20cases");
    app.post_json("/epcis/queries", &app.distributor, definition.to_string())
        .await
        .assert_problem(409, "ResourceAlreadyExistsException");

    let list = app.get("/epcis/queries", &app.distributor).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let one = app
        .get("/epcis/queries/shipped%20cases", &app.manufacturer)
        .await
        .json();
    assert_eq!(one["query"]["EQ_bizStep"], "shipping|commissioning");

    let results = app
        .get("/epcis/queries/shipped%20cases/events", &app.manufacturer)
        .await;
    assert_eq!(results.status, StatusCode::OK, "{}", results.text());
    assert_eq!(results.events().len(), 2);
    assert_eq!(
        results.json()["epcisBody"]["queryResults"]["queryName"],
        "shipped cases"
    );
    let for_distributor = app
        .get("/epcis/queries/shipped%20cases/events", &app.distributor)
        .await;
    // The distributor is the shipment's destination but never saw the cans commissioned.
    let seen = for_distributor.events();
    assert_eq!(seen.len(), 1, "a query runs with the rights of its caller");
    assert_eq!(seen[0]["bizStep"], "shipping");
    app.get(
        "/epcis/queries/shipped%20cases/events?EQ_bizStep=storing",
        &app.manufacturer,
    )
    .await
    .assert_problem(400, "QueryParameterException");

    let by_other = app
        .request(
            Method::DELETE,
            "/epcis/queries/shipped%20cases",
            Some(&app.distributor),
            &[],
            Body::empty(),
        )
        .await;
    by_other.assert_problem(403, "SecurityException");
    let deleted = app
        .request(
            Method::DELETE,
            "/epcis/queries/shipped%20cases",
            Some(&app.manufacturer),
            &[],
            Body::empty(),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get("/epcis/queries/shipped%20cases", &app.manufacturer)
        .await
        .assert_problem(404, "NoSuchNameException");
    app.get("/epcis/queries/shipped%20cases/events", &app.manufacturer)
        .await
        .assert_problem(404, "NoSuchNameException");
}

#[tokio::test]
async fn bad_named_queries_are_refused() {
    let app = app().await;
    let unknown = serde_json::json!({ "name": "q", "query": { "colour": "red" } });
    app.post_json("/epcis/queries", &app.manufacturer, unknown.to_string())
        .await
        .assert_problem(400, "QueryParameterException");
    let nameless = serde_json::json!({ "query": {} });
    app.post_json("/epcis/queries", &app.manufacturer, nameless.to_string())
        .await
        .assert_problem(400, "ValidationException");
    app.post_json("/epcis/queries", &app.manufacturer, "{".into())
        .await
        .assert_problem(400, "ValidationException");
    let as_text = app
        .request(
            Method::POST,
            "/epcis/queries",
            Some(&app.manufacturer),
            &[("content-type", "text/plain")],
            "{}",
        )
        .await;
    as_text.assert_problem(415, "UnsupportedMediaTypeException");
    assert!(
        app.get("/epcis/queries", &app.manufacturer)
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

//! `GET /epcis/events` and `GET /epcis/events/{eventID}`: the query language, pages, syntax
//! by Accept, access and the regulators' access log.

use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::helpers::{TestApp, app, document, factory_events, segment};

async fn with_factory_events() -> TestApp {
    let app = app().await;
    let job = app
        .capture(&app.manufacturer, document(factory_events()))
        .await;
    assert_eq!(job["success"], true, "{job}");
    app
}

#[tokio::test]
async fn pages_follow_the_link_header_to_the_end() {
    let app = with_factory_events().await;
    let first = app
        .get(
            "/epcis/events?perPage=2&orderBy=eventTime&orderDirection=ASC",
            &app.manufacturer,
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.events().len(), 2);
    let link = first.header("link").to_owned();
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        next.starts_with("/epcis/events?") && next.contains("nextPageToken="),
        "{next}"
    );
    let second = app.get(&next, &app.manufacturer).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text());
    let events = second.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["bizStep"], "shipping");
    assert_eq!(second.header("link"), "", "the last page has no next link");
}

#[tokio::test]
async fn query_parameters_filter_and_bad_ones_are_query_parameter_exceptions() {
    let app = with_factory_events().await;
    let shipping = app
        .get("/epcis/events?EQ_bizStep=shipping", &app.manufacturer)
        .await;
    assert_eq!(shipping.events().len(), 1);
    let aggregations = app.get("/epcis/events?eventType=AggregationEvent|ObjectEvent&GE_eventTime=2026-03-01T09:30:00+08:00", &app.manufacturer).await;
    assert_eq!(aggregations.events().len(), 2, "{}", aggregations.text());

    for bad in [
        "/epcis/events?colour=red",
        "/epcis/events?GE_eventTime=yesterday",
        "/epcis/events?perPage=0",
        "/epcis/events?nextPageToken=not-a-token",
        "/epcis/events?EQ_bizStep=shipping&EQ_bizStep=receiving",
    ] {
        app.get(bad, &app.manufacturer)
            .await
            .assert_problem(400, "QueryParameterException");
    }
    let first = app.get("/epcis/events?perPage=1", &app.manufacturer).await;
    let token = first
        .header("link")
        .split("nextPageToken=")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    let other_query = format!("/epcis/events?EQ_bizStep=shipping&nextPageToken={token}");
    app.get(&other_query, &app.manufacturer)
        .await
        .assert_problem(400, "QueryParameterException");
    let too_many = app
        .get("/epcis/events?maxEventCount=1", &app.manufacturer)
        .await;
    too_many.assert_problem(413, "QueryTooLargeException");
}

#[tokio::test]
async fn the_syntax_follows_accept() {
    let app = with_factory_events().await;
    let xml = app
        .request(
            Method::GET,
            "/epcis/events",
            Some(&app.manufacturer),
            &[("accept", "application/xml")],
            Body::empty(),
        )
        .await;
    assert_eq!(xml.status, StatusCode::OK);
    assert_eq!(xml.header("content-type"), "application/xml");
    assert!(xml.text().contains("EPCISQueryDocument"), "{}", xml.text());
    assert_eq!(
        xml.text().matches("<ObjectEvent>").count(),
        2,
        "{}",
        xml.text()
    );
    let json = app.get("/epcis/events", &app.manufacturer).await;
    assert_eq!(json.header("content-type"), "application/ld+json");
    let html = app
        .request(
            Method::GET,
            "/epcis/events",
            Some(&app.manufacturer),
            &[("accept", "text/html")],
            Body::empty(),
        )
        .await;
    html.assert_problem(406, "NotAcceptableException");
}

#[tokio::test]
async fn one_event_by_its_id_and_only_for_those_who_may_see_it() {
    let app = with_factory_events().await;
    let events = app.get("/epcis/events", &app.manufacturer).await.events();
    let id = events[0]["eventID"].as_str().unwrap().to_owned();
    let path = format!("/epcis/events/{}", segment(&id));
    let one = app.get(&path, &app.manufacturer).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text());
    assert_eq!(one.events()[0]["eventID"], id.as_str());
    app.get(&path, &app.distributor)
        .await
        .assert_problem(404, "NoSuchNameException");
    app.get(
        "/epcis/events/urn:uuid:00000000-0000-0000-0000-000000000000",
        &app.manufacturer,
    )
    .await
    .assert_problem(404, "NoSuchNameException");
}

#[tokio::test]
async fn a_regulators_reads_are_logged() {
    let app = with_factory_events().await;
    let seen = app.get("/epcis/events", &app.regulator).await.events();
    assert_eq!(seen.len(), 3, "the factory is in the regulator's province");
    let id = seen[0]["eventID"].as_str().unwrap().to_owned();
    let one = app
        .get(&format!("/epcis/events/{}", segment(&id)), &app.regulator)
        .await;
    assert_eq!(one.status, StatusCode::OK);
    let log = app.store.list_access_log(10).await.unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log.iter().any(|entry| entry.hash_ids.len() == 3));
    app.get("/epcis/events", &app.manufacturer).await;
    assert_eq!(
        app.store.list_access_log(10).await.unwrap().len(),
        2,
        "enterprises' reads are not logged"
    );
}

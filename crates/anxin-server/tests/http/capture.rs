//! `POST /epcis/capture`, `GET /epcis/capture[/{id}]`, `OPTIONS /epcis/capture`,
//! `POST /epcis/events`.

use anxin_server::ServerConfig;
use anxin_store_tests::fixtures;
use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::helpers::{app, app_with, document, factory_events, segment, xml_document};

#[tokio::test]
async fn a_document_becomes_a_job_and_the_same_events_are_stored_once() {
    let app = app().await;
    let reply = app
        .post_json(
            "/epcis/capture",
            &app.manufacturer,
            document(factory_events()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    let location = reply.header("location").to_owned();
    assert!(location.starts_with("/epcis/capture/"), "{location}");
    let job = app.wait_job(&location, &app.manufacturer).await;
    assert_eq!(job["success"], true, "{job}");
    assert_eq!(job["captureErrorBehaviour"], "rollback");
    assert_eq!(job["storedCount"], 3);
    assert!(job["finishedAt"].is_string());

    let again = app
        .capture(&app.manufacturer, document(factory_events()))
        .await;
    assert_eq!(again["success"], true);
    assert_eq!(again["storedCount"], 0);
    assert_eq!(
        again["duplicateCount"], 3,
        "the job says the events were there already"
    );
    let events = app.get("/epcis/events", &app.manufacturer).await.events();
    assert_eq!(events.len(), 3);
    // The server's record time, and a hash ID for events sent without an eventID.
    for event in &events {
        assert!(
            event["eventID"]
                .as_str()
                .unwrap()
                .starts_with("ni:///sha-256;"),
            "{event}"
        );
        assert!(event["recordTime"].is_string());
    }

    let jobs = app.get("/epcis/capture", &app.manufacturer).await;
    assert_eq!(jobs.status, StatusCode::OK);
    assert_eq!(jobs.json().as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_xml_document_is_captured_too() {
    let app = app().await;
    let reply = app
        .request(
            Method::POST,
            "/epcis/capture",
            Some(&app.manufacturer),
            &[("content-type", "application/xml")],
            xml_document(factory_events()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    let job = app
        .wait_job(reply.header("location"), &app.manufacturer)
        .await;
    assert_eq!(job["storedCount"], 3, "{job}");
}

/// A document whose second event has an action EPCIS does not have.
fn document_with_a_bad_event() -> String {
    let text = document(factory_events());
    let at = text
        .find("\"AggregationEvent\"")
        .expect("the packing event");
    let (before, after) = text.split_at(at);
    let after = after.replacen("\"ADD\"", "\"FLY\"", 1);
    assert_ne!(after, text.split_at(at).1, "the fixture changed");
    format!("{before}{after}")
}

#[tokio::test]
async fn under_rollback_a_document_with_one_bad_event_stores_nothing() {
    let app = app().await;
    let job = app
        .capture(&app.manufacturer, document_with_a_bad_event())
        .await;
    assert_eq!(job["success"], false, "{job}");
    assert_eq!(job["storedCount"], 0);
    let errors = job["errors"].as_array().unwrap();
    assert!(!errors.is_empty());
    assert_eq!(errors[0]["type"], "epcisException:ValidationException");
    assert!(
        app.get("/epcis/events", &app.manufacturer)
            .await
            .events()
            .is_empty()
    );
}

#[tokio::test]
async fn under_proceed_the_good_events_are_stored_and_the_bad_one_reported() {
    let app = app().await;
    let reply = app
        .request(
            Method::POST,
            "/epcis/capture",
            Some(&app.manufacturer),
            &[
                ("content-type", "application/ld+json"),
                ("GS1-Capture-Error-Behaviour", "proceed"),
            ],
            document_with_a_bad_event(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    let job = app
        .wait_job(reply.header("location"), &app.manufacturer)
        .await;
    assert_eq!(job["captureErrorBehaviour"], "proceed");
    assert_eq!(job["success"], false, "some events were refused: {job}");
    assert_eq!(job["storedCount"], 2);
    assert_eq!(job["rejectedCount"], 1);
    assert_eq!(
        app.get("/epcis/events", &app.manufacturer)
            .await
            .events()
            .len(),
        2
    );

    let bad = app
        .request(
            Method::POST,
            "/epcis/capture",
            Some(&app.manufacturer),
            &[
                ("content-type", "application/ld+json"),
                ("GS1-Capture-Error-Behaviour", "sometimes"),
            ],
            document(factory_events()),
        )
        .await;
    bad.assert_problem(400, "ValidationException");
}

#[tokio::test]
async fn limits_are_advertised_by_options_and_enforced_with_413() {
    let config = ServerConfig {
        capture_max_events: 2,
        capture_max_bytes: 20_000,
        ..ServerConfig::default()
    };
    let app = app_with(config).await;
    let options = app
        .request(Method::OPTIONS, "/epcis/capture", None, &[], Body::empty())
        .await;
    assert_eq!(options.status, StatusCode::NO_CONTENT);
    assert_eq!(options.header("gs1-epcis-capture-limit"), "2");
    assert_eq!(options.header("gs1-epcis-capture-file-size-limit"), "20000");
    assert!(options.header("allow").contains("POST"));

    let too_many = app
        .post_json(
            "/epcis/capture",
            &app.manufacturer,
            document(factory_events()),
        )
        .await;
    too_many.assert_problem(413, "CaptureLimitExceededException");

    let many_cans = vec![fixtures::commissioning(
        1,
        1000,
        "2026-03-01T09:00:00+08:00",
    )];
    let too_big = app
        .post_json("/epcis/capture", &app.manufacturer, document(many_cans))
        .await;
    too_big.assert_problem(413, "CaptureLimitExceededException");

    assert!(
        app.get("/epcis/events", &app.manufacturer)
            .await
            .events()
            .is_empty()
    );
    assert!(
        app.get("/epcis/capture", &app.manufacturer)
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty(),
        "no job is made for a refused document"
    );
}

#[tokio::test]
async fn malformed_documents_and_wrong_content_types_are_refused_and_the_server_goes_on() {
    let app = app().await;
    let broken = app
        .post_json(
            "/epcis/capture",
            &app.manufacturer,
            "{\"type\": \"EPCISDocument\", ".into(),
        )
        .await;
    broken.assert_problem(400, "ValidationException");
    let not_epcis = app
        .post_json("/epcis/capture", &app.manufacturer, "[1, 2, 3]".into())
        .await;
    not_epcis.assert_problem(400, "ValidationException");
    let plain = app
        .request(
            Method::POST,
            "/epcis/capture",
            Some(&app.manufacturer),
            &[("content-type", "text/plain")],
            document(factory_events()),
        )
        .await;
    plain.assert_problem(415, "UnsupportedMediaTypeException");
    let none = app
        .request(
            Method::POST,
            "/epcis/capture",
            Some(&app.manufacturer),
            &[],
            document(factory_events()),
        )
        .await;
    none.assert_problem(415, "UnsupportedMediaTypeException");

    let job = app
        .capture(&app.manufacturer, document(factory_events()))
        .await;
    assert_eq!(job["success"], true);
}

#[tokio::test]
async fn capturing_at_another_partys_location_is_refused() {
    let app = app().await;
    let foreign =
        serde_json::to_string(&single(fixtures::storing(1, "2026-03-03T08:00:00+08:00"))).unwrap();
    let reply = app
        .post_json("/epcis/events", &app.manufacturer, foreign)
        .await;
    reply.assert_problem(403, "SecurityException");

    let job = app
        .capture(
            &app.manufacturer,
            document(vec![fixtures::storing(1, "2026-03-03T08:00:00+08:00")]),
        )
        .await;
    assert_eq!(job["success"], false, "{job}");
    assert!(
        job["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("belongs to"),
        "{job}"
    );

    let by_regulator = app
        .post_json("/epcis/capture", &app.regulator, document(factory_events()))
        .await;
    by_regulator.assert_problem(403, "SecurityException");
    assert!(
        app.get("/epcis/events", &app.distributor)
            .await
            .events()
            .is_empty()
    );
}

/// One event as a JSON-LD object, as a client would send it to `POST /epcis/events`.
fn single(event: anxin_epcis::Event) -> serde_json::Value {
    let text = anxin_epcis::json::event_to_string(&event).expect("write");
    serde_json::from_str(&text).expect("JSON")
}

#[tokio::test]
async fn one_event_is_created_once_under_its_hash_id_with_the_servers_record_time() {
    let app = app().await;
    let mut event = single(fixtures::commissioning(7, 2, "2026-03-01T09:00:00+08:00"));
    event["recordTime"] = "2000-01-01T00:00:00Z".into();
    let created = app
        .post_json("/epcis/events", &app.manufacturer, event.to_string())
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let location = created.header("location").to_owned();
    assert!(
        location.starts_with("/epcis/events/ni:%2F%2F%2Fsha-256%3B"),
        "{location}"
    );

    let fetched = app.get(&location, &app.manufacturer).await;
    assert_eq!(fetched.status, StatusCode::OK, "{}", fetched.text());
    let events = fetched.events();
    assert_eq!(events.len(), 1);
    assert_ne!(events[0]["recordTime"], "2000-01-01T00:00:00Z");

    let again = app
        .post_json("/epcis/events", &app.manufacturer, event.to_string())
        .await;
    again.assert_problem(409, "ResourceAlreadyExistsException");

    let invalid = app
        .post_json(
            "/epcis/events",
            &app.manufacturer,
            "{\"type\": \"ObjectEvent\"}".into(),
        )
        .await;
    invalid.assert_problem(400, "ValidationException");
    let xml = app
        .request(
            Method::POST,
            "/epcis/events",
            Some(&app.manufacturer),
            &[("content-type", "application/xml")],
            xml_document(vec![fixtures::commissioning(
                20,
                1,
                "2026-03-01T09:00:00+08:00",
            )]),
        )
        .await;
    assert_eq!(xml.status, StatusCode::CREATED, "{}", xml.text());
    let two = app
        .request(
            Method::POST,
            "/epcis/events",
            Some(&app.manufacturer),
            &[("content-type", "application/xml")],
            xml_document(factory_events()),
        )
        .await;
    assert_eq!(two.status.as_u16(), 413, "{}", two.text());
}

#[tokio::test]
async fn a_job_is_seen_only_by_its_account() {
    let app = app().await;
    let reply = app
        .post_json(
            "/epcis/capture",
            &app.manufacturer,
            document(factory_events()),
        )
        .await;
    let location = reply.header("location").to_owned();
    app.wait_job(&location, &app.manufacturer).await;
    app.get(&location, &app.distributor)
        .await
        .assert_problem(404, "NoSuchNameException");
    app.get("/epcis/capture/0123456789abcdef", &app.manufacturer)
        .await
        .assert_problem(404, "NoSuchNameException");
    app.get("/epcis/capture?colour=red", &app.manufacturer)
        .await
        .assert_problem(400, "QueryParameterException");
    let _ = segment;
}

//! Bearer tokens, version headers and unknown resources.

use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::helpers::app;

#[tokio::test]
async fn missing_malformed_unknown_and_revoked_tokens_get_401() {
    let app = app().await;
    let missing = app
        .request(Method::GET, "/epcis/events", None, &[], Body::empty())
        .await;
    missing.assert_problem(401, "SecurityException");
    assert_eq!(missing.header("www-authenticate"), "Bearer");
    let basic = app
        .request(
            Method::GET,
            "/epcis/events",
            None,
            &[("authorization", "Basic YTpi")],
            Body::empty(),
        )
        .await;
    basic.assert_problem(401, "SecurityException");
    app.get("/epcis/events", "ax_0000")
        .await
        .assert_problem(401, "SecurityException");
    app.get("/epcis/events", &app.revoked)
        .await
        .assert_problem(401, "SecurityException");
    app.post_json("/epcis/capture", &app.revoked, "{}".into())
        .await
        .assert_problem(401, "SecurityException");
    assert_eq!(
        app.get("/epcis/events", &app.manufacturer).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn options_is_public_and_every_response_carries_the_versions() {
    let app = app().await;
    for path in ["/epcis", "/epcis/events", "/epcis/capture"] {
        let reply = app
            .request(Method::OPTIONS, path, None, &[], Body::empty())
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{path}");
        assert_eq!(reply.header("gs1-epcis-version"), "2.0.0");
        assert_eq!(reply.header("gs1-cbv-version"), "2.0.0");
        assert_eq!(reply.header("gs1-epcis-max"), "2.0.0");
    }
    let discovery = app.get("/epcis", &app.manufacturer).await;
    assert_eq!(discovery.status, StatusCode::OK);
    assert!(discovery.json()["@set"].as_array().unwrap().len() >= 5);
    let problem = app.get("/epcis/events", "ax_0000").await;
    assert_eq!(problem.header("gs1-epcis-version"), "2.0.0");
}

#[tokio::test]
async fn an_unmet_version_range_is_not_acceptable() {
    let app = app().await;
    let reply = app
        .request(
            Method::GET,
            "/epcis/events",
            Some(&app.manufacturer),
            &[("GS1-EPCIS-Min", "3.0.0")],
            Body::empty(),
        )
        .await;
    reply.assert_problem(406, "NotAcceptableException");
    let fine = app
        .request(
            Method::GET,
            "/epcis/events",
            Some(&app.manufacturer),
            &[("GS1-EPCIS-Version", "2.0.0"), ("GS1-CBV-Max", "2.1.0")],
            Body::empty(),
        )
        .await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.text());
}

#[tokio::test]
async fn unknown_resources_and_methods_are_problems() {
    let app = app().await;
    app.get("/epcis/nothing", &app.manufacturer)
        .await
        .assert_problem(404, "NoSuchNameException");
    app.get("/elsewhere", &app.manufacturer)
        .await
        .assert_problem(404, "NoSuchNameException");
    let put = app
        .request(
            Method::PUT,
            "/epcis/events",
            Some(&app.manufacturer),
            &[],
            Body::empty(),
        )
        .await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
}

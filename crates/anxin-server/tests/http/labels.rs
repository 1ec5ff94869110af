//! `POST /api/v1/labels/check`: the label rules over HTTP, without a token.

use axum::http::Method;

use crate::helpers::{Reply, TestApp, app};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../anxin-quality/examples");

async fn check(app: &TestApp, body: serde_json::Value) -> Reply {
    app.request(
        Method::POST,
        "/api/v1/labels/check",
        None,
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn labels_and_advertisements_are_checked_with_their_words_quoted() {
    let app = app().await;
    let bad = std::fs::read_to_string(format!("{EXAMPLES}/label-bad.txt")).unwrap();
    let clean = std::fs::read_to_string(format!("{EXAMPLES}/label-clean.txt")).unwrap();

    let reply = check(&app, serde_json::json!({"text": bad, "stage": 1})).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    let answer = reply.json();
    assert_eq!(answer["clean"], false);
    let findings = answer["findings"].as_array().unwrap();
    let quoted: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["quote"].as_str())
        .collect();
    // The humanised-formula claim, the functional claim and the banned-anyway 不添加 claim,
    // each quoted as written with its place and the rule's source.
    assert!(quoted.contains(&"母乳化"), "{quoted:?}");
    assert!(quoted.iter().any(|q| q.contains("三聚氰胺")), "{quoted:?}");
    let humanised = findings.iter().find(|f| f["quote"] == "母乳化").unwrap();
    assert_eq!(humanised["line"], 2);
    assert!(!humanised["source_text"].as_str().unwrap().is_empty());
    assert!(!humanised["instrument"].as_str().unwrap().is_empty());

    // The same rules as the CLI: a clean label is clean, as a label and as an advertisement
    // for a stage-2 product.
    let reply = check(&app, serde_json::json!({"text": clean, "stage": 1})).await;
    assert_eq!(reply.json()["clean"], true, "{}", reply.text());

    // Advertising a formula for infants under 12 months is a finding of its own.
    let ad = check(
        &app,
        serde_json::json!({"text": bad, "kind": "advertisement", "stage": 1}),
    )
    .await;
    let rule_of = |f: &serde_json::Value| f["rule"].as_str().unwrap_or("").to_owned();
    assert!(
        ad.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| rule_of(f) == "advertising-infant-formula"),
        "{}",
        ad.text()
    );
    assert!(
        !findings
            .iter()
            .any(|f| rule_of(f) == "advertising-infant-formula")
    );

    // A registration is checked for its form; a claim it does not declare is a finding.
    let registered = check(
        &app,
        serde_json::json!({"text": bad, "stage": 1, "registration": {
            "registration_number": "国食注字YP20220062", "stage": 1, "declared": ["DHA", "ARA"]}}),
    )
    .await;
    assert_eq!(registered.status.as_u16(), 200, "{}", registered.text());
    assert_eq!(
        registered.json()["registration_number"],
        "国食注字YP20220062"
    );
}

#[tokio::test]
async fn bad_label_check_requests_say_what_is_wrong() {
    let app = app().await;
    let not_json = app
        .request(
            Method::POST,
            "/api/v1/labels/check",
            None,
            &[("content-type", "application/json")],
            "{\"text\": 1",
        )
        .await;
    not_json.assert_problem(400, "ValidationException");
    let stage = check(
        &app,
        serde_json::json!({"text": "婴儿配方乳粉", "stage": 4}),
    )
    .await;
    stage.assert_problem(400, "ValidationException");
    assert!(stage.json()["detail"].as_str().unwrap().contains("/stage"));
    let registration = check(
        &app,
        serde_json::json!({"text": "婴儿配方乳粉", "registration": {
            "registration_number": "YP123", "stage": 1}}),
    )
    .await;
    registration.assert_problem(400, "ValidationException");
    assert!(
        registration.json()["detail"]
            .as_str()
            .unwrap()
            .contains("国食注字YP")
    );
    let unknown = check(&app, serde_json::json!({"text": "x", "colour": "red"})).await;
    unknown.assert_problem(400, "ValidationException");
}

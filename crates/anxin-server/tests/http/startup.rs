//! The trace graph built in the background (issue 5) and the passport's freshness after the
//! load-path caches (issue 6): while the graph is being built the passport and traces answer
//! 503 with `Retry-After` and everything else works; once built they answer 200 and nothing
//! captured meanwhile is missing; a recall captured shows on the very next passport.

use std::sync::Arc;

use anxin_server::trace::Tracer;
use anxin_store_tests::fixtures::{self, LOT};
use axum::http::Method;

use crate::helpers::{TestApp, app};
use crate::trace::chain;

const PASSPORT: &str = "/01/06901234123456/21/1";

async fn passport_json(app: &TestApp) -> serde_json::Value {
    let reply = app
        .request(
            Method::GET,
            PASSPORT,
            None,
            &[("accept", "application/json")],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

#[tokio::test]
async fn a_server_whose_graph_is_building_answers_503_for_a_passport_and_200_once_ready() {
    let app = app().await;
    chain(&app).await;
    let tracer = Arc::new(Tracer::building(app.store.clone()));
    assert_eq!(tracer.progress(), Some(0));
    let starting = TestApp::from_state(
        app.state.clone().with_tracer(Arc::clone(&tracer)),
        &app.manufacturer,
    );

    // The passport page: 503, Chinese, with Retry-After.
    let reply = starting
        .request(Method::GET, PASSPORT, None, &[], axum::body::Body::empty())
        .await;
    assert_eq!(reply.status, 503, "{}", reply.text());
    assert_eq!(reply.header("retry-after"), "5");
    assert!(
        reply.text().contains("正在启动：追溯图已载入 0%"),
        "{}",
        reply.text()
    );
    // In English when asked.
    let reply = starting
        .request(
            Method::GET,
            &format!("{PASSPORT}?lang=en"),
            None,
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(reply.status, 503);
    assert!(
        reply.text().contains("trace graph is 0% loaded"),
        "{}",
        reply.text()
    );
    // JSON for the API and for Accept: application/json.
    for (path, accept) in [
        (PASSPORT.to_owned(), "application/json"),
        (
            format!(
                "/api/v1/trace/{}?direction=forward",
                crate::helpers::segment(LOT)
            ),
            "*/*",
        ),
    ] {
        let reply = starting
            .request(
                Method::GET,
                &path,
                Some(&app.manufacturer),
                &[("accept", accept)],
                axum::body::Body::empty(),
            )
            .await;
        assert_eq!(reply.status, 503, "{path}: {}", reply.text());
        assert_eq!(reply.header("content-type"), "application/problem+json");
        assert_eq!(reply.header("retry-after"), "5");
        let problem = reply.json();
        assert_eq!(problem["status"], 503);
        assert_eq!(problem["progressPercent"], 0);
        assert!(
            problem["detail"].as_str().unwrap().contains("starting"),
            "{problem}"
        );
    }
    // Everything else works: /healthz, the ledger, EPCIS query and capture.
    let reply = starting
        .request(
            Method::GET,
            "/healthz",
            None,
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(reply.status, 200);
    let reply = starting
        .request(
            Method::GET,
            "/api/v1/ledger/sth",
            None,
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = starting.get("/epcis/events", &app.manufacturer).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    // A capture while the graph is being built is kept and is in the graph once it is built.
    let job = starting
        .capture(
            &app.distributor,
            crate::trace::distributor_document(vec![fixtures::storing(
                1,
                "2026-03-04T08:00:00+08:00",
            )]),
        )
        .await;
    assert_eq!(job["success"], true, "{job}");

    tracer.build().await.expect("the graph is built");
    assert_eq!(tracer.progress(), None);
    let leaves = app.store.ledger_size().await.expect("ledger size");
    assert_eq!(
        tracer.read().await.expect("ready").leaves_applied(),
        leaves,
        "every leaf, including the capture made during the build, is in the graph"
    );
    let reply = starting
        .request(Method::GET, PASSPORT, None, &[], axum::body::Body::empty())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.header("retry-after").is_empty());
}

#[tokio::test]
async fn a_recall_captured_shows_on_the_next_passport() {
    let app = app().await;
    chain(&app).await;
    let before = passport_json(&app).await;
    assert_eq!(before["recalled"], false, "{before}");
    assert_eq!(before["ledger"]["verified"], true, "{before}");
    // Asked again (the caches warm): the same answer.
    let again = passport_json(&app).await;
    assert_eq!(again["recalled"], false);
    assert_eq!(again["ledger"], before["ledger"]);

    let reply = app
        .request(
            Method::POST,
            "/api/v1/recalls",
            Some(&app.manufacturer),
            &[("content-type", "application/json")],
            serde_json::json!({"ids": [LOT], "level": 1, "reason": "test"}).to_string(),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.text());
    // No background tick runs here: the next request alone must see the recall.
    let after = passport_json(&app).await;
    assert_eq!(after["recalled"], true, "{after}");
    // The ledger grew with the recall's events; the new head is signed and verified.
    assert_eq!(after["ledger"]["verified"], true, "{after}");
    assert!(
        after["ledger"]["tree_size"].as_u64() > before["ledger"]["tree_size"].as_u64(),
        "{before} / {after}"
    );
}

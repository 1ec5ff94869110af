//! Webhook subscriptions: the REST resources, and the dispatcher delivering signed, matching,
//! visible events to receivers on 127.0.0.1, through failures and across a restart.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anxin_server::webhooks::{Dispatcher, WebhookConfig};
use anxin_server::{AppState, ServerConfig};
use anxin_store::{Backoff, DeliveryState, NewAccount, PartyGln, RegionCode, Role, Store};
use anxin_store_tests::fixtures;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode};
use hmac::{KeyInit, Mac};

use crate::helpers::{TestApp, app, app_with, document, factory_events};

/// Short timings so retries happen within a test.
fn fast() -> ServerConfig {
    ServerConfig {
        webhooks: WebhookConfig {
            poll_interval_ms: 20,
            request_timeout_ms: 2_000,
            backoff: Backoff {
                first_ms: 40,
                max_ms: 200,
                attempts_max: 50,
                age_max_ms: 60_000,
            },
            ..WebhookConfig::default()
        },
        ..ServerConfig::default()
    }
}

/// A webhook receiver on 127.0.0.1:0 that answers 503 while `failures_left` is above zero.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    n_requests: Arc<AtomicU32>,
    failures_left: Arc<AtomicU32>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start(failures: u32) -> Receiver {
        let received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
        let n_requests = Arc::new(AtomicU32::new(0));
        let failures_left = Arc::new(AtomicU32::new(failures));
        let (kept, counted, failing) = (
            Arc::clone(&received),
            Arc::clone(&n_requests),
            Arc::clone(&failures_left),
        );
        let hook = axum::routing::post(move |headers: HeaderMap, body: Bytes| async move {
            counted.fetch_add(1, Ordering::SeqCst);
            let failed = failing
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                    left.checked_sub(1)
                })
                .is_ok();
            if failed {
                return StatusCode::SERVICE_UNAVAILABLE;
            }
            kept.lock().unwrap().push((headers, body));
            StatusCode::NO_CONTENT
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let router = axum::Router::new().route("/hook", hook);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Receiver {
            url,
            received,
            n_requests,
            failures_left,
            task,
        }
    }

    /// Waits (at most 15 s) until `n` deliveries have arrived, and returns them.
    async fn wait_for(&self, n: usize) -> Vec<(HeaderMap, Bytes)> {
        for _ in 0..1_500 {
            let received = self.received.lock().unwrap().clone();
            if received.len() >= n {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{} deliveries did not arrive at {}", n, self.url);
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Checks `GS1-Signature: t=…,v1=…` the way a receiver would: HMAC-SHA256 over `{t}.{body}`.
#[track_caller]
fn assert_signed(headers: &HeaderMap, body: &[u8], token: &str) {
    let value = headers
        .get("gs1-signature")
        .and_then(|value| value.to_str().ok())
        .expect("a GS1-Signature header");
    let (t, v1) = value
        .split_once(',')
        .and_then(|(t, v1)| Some((t.strip_prefix("t=")?, v1.strip_prefix("v1=")?)))
        .unwrap_or_else(|| panic!("not t=…,v1=…: {value}"));
    let sent_s: i64 = t.parse().expect("t is Unix seconds");
    assert!(
        (jiff::Timestamp::now().as_second() - sent_s).abs() < 300,
        "t is recent"
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&hex::decode(v1).expect("hex"))
        .expect("the signature verifies");
}

async fn make_query(app: &TestApp) {
    let definition = serde_json::json!({
        "name": "watched",
        "query": { "EQ_bizStep": ["shipping", "commissioning"], "eventType": "ObjectEvent" }
    });
    let created = app
        .post_json("/epcis/queries", &app.manufacturer, definition.to_string())
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
}

async fn subscribe(app: &TestApp, token: &str, dest: &str, secret: &str) -> String {
    let body = serde_json::json!({ "dest": dest, "signatureToken": secret, "stream": true });
    let reply = app
        .post_json(
            "/epcis/queries/watched/subscriptions",
            token,
            body.to_string(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let id = reply.json()["subscriptionID"].as_str().unwrap().to_owned();
    assert_eq!(
        reply.header("location"),
        format!("/epcis/queries/watched/subscriptions/{id}")
    );
    id
}

#[tokio::test]
async fn subscriptions_are_made_listed_and_deleted_only_by_their_owner() {
    let app = app().await;
    make_query(&app).await;
    let id = subscribe(&app, &app.manufacturer, "http://127.0.0.1:9/hook", "s").await;
    let path = format!("/epcis/queries/watched/subscriptions/{id}");
    let schedule =
        serde_json::json!({ "dest": "http://127.0.0.1:9/", "schedule": { "hour": "1" } });
    app.post_json(
        "/epcis/queries/watched/subscriptions",
        &app.manufacturer,
        schedule.to_string(),
    )
    .await
    .assert_problem(400, "SubscriptionControlsException");
    let https = serde_json::json!({ "dest": "https://example.com/", "stream": true });
    app.post_json(
        "/epcis/queries/watched/subscriptions",
        &app.manufacturer,
        https.to_string(),
    )
    .await
    .assert_problem(400, "SubscriptionControlsException");
    app.post_json(
        "/epcis/queries/nothing/subscriptions",
        &app.manufacturer,
        "{}".into(),
    )
    .await
    .assert_problem(404, "NoSuchNameException");

    let mine = app
        .get("/epcis/queries/watched/subscriptions", &app.manufacturer)
        .await
        .json();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert!(
        mine[0].get("signatureToken").is_none(),
        "the secret is never sent back"
    );
    let theirs = app
        .get("/epcis/queries/watched/subscriptions", &app.distributor)
        .await
        .json();
    assert_eq!(theirs.as_array().unwrap().len(), 0);
    assert_eq!(
        app.get(&path, &app.manufacturer).await.json()["subscriptionID"],
        id
    );
    app.get(&path, &app.distributor)
        .await
        .assert_problem(404, "NoSuchNameException");
    app.request(
        Method::DELETE,
        &path,
        Some(&app.distributor),
        &[],
        Body::empty(),
    )
    .await
    .assert_problem(404, "NoSuchNameException");
    let deleted = app
        .request(
            Method::DELETE,
            &path,
            Some(&app.manufacturer),
            &[],
            Body::empty(),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&path, &app.manufacturer)
        .await
        .assert_problem(404, "NoSuchNameException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_signed_and_carry_only_matching_events_the_subscriber_may_see() {
    let app = app_with(fast()).await;
    make_query(&app).await;
    let (to_maker, to_distributor) = (Receiver::start(0).await, Receiver::start(0).await);
    let maker_id = subscribe(&app, &app.manufacturer, &to_maker.url, "maker-secret").await;
    let distributor_id = subscribe(
        &app,
        &app.distributor,
        &to_distributor.url,
        "distributor-secret",
    )
    .await;
    let dispatcher = Dispatcher::start(Arc::clone(&app.store), app.state.config.webhooks);
    app.capture(&app.manufacturer, document(factory_events()))
        .await;

    let (headers, body) = to_maker.wait_for(1).await.remove(0);
    assert_signed(&headers, &body, "maker-secret");
    assert_eq!(headers["gs1-epcis-version"], "2.0.0");
    assert_eq!(headers["content-type"], "application/ld+json");
    let document: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(document["type"], "EPCISQueryDocument");
    let results = &document["epcisBody"]["queryResults"];
    assert_eq!(results["queryName"], "watched");
    assert_eq!(results["subscriptionID"], maker_id);
    let steps: Vec<&str> = results["resultsBody"]["eventList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["bizStep"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["commissioning", "shipping"],
        "packing does not match the query"
    );

    let (headers, body) = to_distributor.wait_for(1).await.remove(0);
    assert_signed(&headers, &body, "distributor-secret");
    let document: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let results = &document["epcisBody"]["queryResults"];
    assert_eq!(results["subscriptionID"], distributor_id);
    let events = results["resultsBody"]["eventList"].as_array().unwrap();
    assert_eq!(
        events.len(),
        1,
        "the distributor never saw the cans commissioned"
    );
    assert_eq!(events[0]["bizStep"], "shipping");
    dispatcher.stop().await;
    for id in [&maker_id, &distributor_id] {
        let rows = app.store.list_deliveries(id).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].state, DeliveryState::Delivered);
    }
    assert_eq!(to_maker.received.lock().unwrap().len(), 1, "delivered once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_fails_at_first_gets_the_delivery_later() {
    let app = app_with(fast()).await;
    make_query(&app).await;
    let receiver = Receiver::start(3).await;
    let id = subscribe(&app, &app.manufacturer, &receiver.url, "s").await;
    let dispatcher = Dispatcher::start(Arc::clone(&app.store), app.state.config.webhooks);
    app.capture(&app.manufacturer, document(factory_events()))
        .await;
    let (headers, body) = receiver.wait_for(1).await.remove(0);
    assert_signed(&headers, &body, "s");
    dispatcher.stop().await;
    assert_eq!(
        receiver.n_requests.load(Ordering::SeqCst),
        4,
        "3 refusals, then 1 success"
    );
    let rows = app.store.list_deliveries(&id).await.unwrap();
    assert_eq!(
        (rows[0].state, rows[0].n_attempts),
        (DeliveryState::Delivered, 3),
        "the failed attempts are recorded"
    );
}

async fn open_sqlite(path: &std::path::Path) -> Arc<dyn Store> {
    Arc::new(
        anxin_store_sqlite::SqliteStore::open(path)
            .await
            .expect("open SQLite"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_delivery_arrives_after_a_restart_on_the_same_file() {
    let folder = std::env::temp_dir().join(format!(
        "anxin-webhook-restart-{}-{}",
        std::process::id(),
        anxin_store::now_ms()
    ));
    let path = folder.join("anxin.db");
    let receiver = Receiver::start(u32::MAX).await;

    let store = open_sqlite(&path).await;
    let (_, token) = store
        .create_account(NewAccount {
            name: "factory".into(),
            role: Role::Manufacturer,
            party: Some(PartyGln::parse(fixtures::PARTY_A).unwrap()),
            region: Some(RegionCode::parse("440305").unwrap()),
        })
        .await
        .unwrap();
    let first = TestApp::from_state(AppState::new(Arc::clone(&store), fast()), &token);
    make_query(&first).await;
    let id = subscribe(&first, &token, &receiver.url, "s").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(anxin_server::serve_with_listener(
        listener,
        first.state.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    first.capture(&token, document(factory_events())).await;
    for _ in 0..1_500 {
        if receiver.n_requests.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(receiver.received.lock().unwrap().is_empty());
    let pending = store.list_deliveries(&id).await.unwrap();
    assert_eq!(pending[0].state, DeliveryState::Pending);
    assert!(pending[0].n_attempts >= 2, "{pending:?}");
    drop(first);
    drop(store);

    receiver.failures_left.store(0, Ordering::SeqCst);
    let store = open_sqlite(&path).await;
    let second = AppState::new(Arc::clone(&store), fast());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(anxin_server::serve_with_listener(listener, second, async {
        let _ = stopped.await;
    }));
    let (headers, body) = receiver.wait_for(1).await.remove(0);
    assert_signed(&headers, &body, "s");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert_eq!(
        store.list_deliveries(&id).await.unwrap()[0].state,
        DeliveryState::Delivered
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

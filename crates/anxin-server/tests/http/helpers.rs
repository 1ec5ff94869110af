//! The test application: a fresh store (SQLite in a temporary file, or PostgreSQL in a
//! schema of its own when `ANXIN_TEST_PG` is set), four accounts, and helpers that send one
//! request through `router()` and read the reply.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use anxin_epcis::{Document, Event};
use anxin_server::{AppState, ServerConfig, router};
use anxin_store::{NewAccount, PartyGln, RegionCode, Role, Store};
use anxin_store_tests::fixtures;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use tower::ServiceExt;

static N_APPS: AtomicU32 = AtomicU32::new(0);

/// An application with its store and the tokens of its accounts.
pub struct TestApp {
    pub state: AppState,
    pub store: Arc<dyn Store>,
    /// A manufacturer in Shenzhen (party A, owns the factory).
    pub manufacturer: String,
    /// A distributor in Harbin (party B, owns the warehouse).
    pub distributor: String,
    /// Guangdong's regulator.
    pub regulator: String,
    /// A manufacturer whose token was revoked.
    pub revoked: String,
    /// The PostgreSQL URL and schema of the store, dropped with the app.
    pg_schema: Option<(String, String)>,
}

impl Drop for TestApp {
    /// Drops the app's PostgreSQL schema, so test runs leave nothing in the database. The
    /// test's own runtime may be the one running this, so the work happens on a thread with
    /// a runtime and a connection of its own; a failure is reported, not raised, because a
    /// panic here during a failing test's unwinding would abort the whole run.
    fn drop(&mut self) {
        let Some((url, schema)) = self.pg_schema.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|err| err.to_string())?;
            runtime.block_on(async {
                let store = anxin_store_postgres::PgStore::open(&url, Some(&schema))
                    .await
                    .map_err(|err| err.to_string())?;
                store.drop_schema().await.map_err(|err| err.to_string())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: a test schema was not dropped: {dropped:?}");
        }
    }
}

/// One reply.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an RFC 7807 problem of this status and EPCIS exception.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, exception: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        assert_eq!(self.header("content-type"), "application/problem+json");
        let problem = self.json();
        assert_eq!(problem["type"], format!("epcisException:{exception}"));
        assert_eq!(problem["status"], status);
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|detail| !detail.is_empty())
        );
    }

    /// The events of an EPCIS query document.
    pub fn events(&self) -> Vec<serde_json::Value> {
        let document = self.json();
        assert_eq!(document["type"], "EPCISQueryDocument", "{}", self.text());
        document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// The store, and the PostgreSQL URL and schema when it is one.
async fn open_store() -> (Arc<dyn Store>, Option<(String, String)>) {
    let n = N_APPS.fetch_add(1, Ordering::SeqCst);
    let unique = format!("{}_{n}_{}", std::process::id(), anxin_store::now_ms());
    if let Ok(url) = std::env::var("ANXIN_TEST_PG") {
        let schema = format!("server_test_{unique}");
        let store = anxin_store_postgres::PgStore::open(&url, Some(&schema))
            .await
            .expect("open PostgreSQL");
        return (Arc::new(store), Some((url, schema)));
    }
    let path = std::env::temp_dir().join(format!("anxin-server-test-{unique}/anxin.db"));
    let store = anxin_store_sqlite::SqliteStore::open(path)
        .await
        .expect("open SQLite");
    (Arc::new(store), None)
}

pub async fn account(
    store: &dyn Store,
    name: &str,
    role: Role,
    party: Option<&str>,
    region: &str,
) -> (i64, String) {
    let (account, token) = store
        .create_account(NewAccount {
            name: name.to_owned(),
            role,
            party: party.map(|party| PartyGln::parse(party).expect("party")),
            region: Some(RegionCode::parse(region).expect("region")),
        })
        .await
        .expect("create account");
    (account.account_id, token)
}

/// The key test apps sign tree heads with (a fixed seed: tests only).
pub fn ledger_key() -> anxin_ledger::LogKey {
    anxin_ledger::LogKey::from_seed([5; 32])
}

pub async fn app() -> TestApp {
    app_with(ServerConfig::default()).await
}

pub async fn app_with(config: ServerConfig) -> TestApp {
    let (store, pg_schema) = open_store().await;
    let (_, manufacturer) = account(
        store.as_ref(),
        "factory",
        Role::Manufacturer,
        Some(fixtures::PARTY_A),
        "440305",
    )
    .await;
    let (_, distributor) = account(
        store.as_ref(),
        "distributor",
        Role::Distributor,
        Some(fixtures::PARTY_B),
        "230102",
    )
    .await;
    let (_, regulator) = account(
        store.as_ref(),
        "SAMR Guangdong",
        Role::Regulator,
        None,
        "440000",
    )
    .await;
    let (revoked_id, revoked) = account(
        store.as_ref(),
        "old factory token",
        Role::Manufacturer,
        Some(fixtures::PARTY_A),
        "440305",
    )
    .await;
    assert!(store.revoke_account(revoked_id).await.expect("revoke"));
    let ledger = anxin_server::ledger::Ledger::open(store.clone(), ledger_key())
        .await
        .expect("ledger");
    let tracer = anxin_server::trace::Tracer::open(store.clone())
        .await
        .expect("trace graph");
    TestApp {
        state: AppState::new(store.clone(), config)
            .with_ledger(Arc::new(ledger))
            .with_tracer(Arc::new(tracer)),
        store,
        manufacturer,
        distributor,
        regulator,
        revoked,
        pg_schema,
    }
}

impl TestApp {
    /// The PostgreSQL URL and schema of the store, when it is one.
    pub fn pg_schema(&self) -> Option<&(String, String)> {
        self.pg_schema.as_ref()
    }

    /// An application around existing state, every token set to `token`.
    pub fn from_state(state: AppState, token: &str) -> TestApp {
        TestApp {
            store: state.store.clone(),
            state,
            manufacturer: token.to_owned(),
            distributor: token.to_owned(),
            regulator: token.to_owned(),
            revoked: token.to_owned(),
            // The state's store belongs to whoever opened it; that one drops its schema.
            pg_schema: None,
        }
    }

    pub async fn call(&self, request: Request<Body>) -> Reply {
        let response = router(self.state.clone())
            .oneshot(request)
            .await
            .expect("the router never fails");
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("body")
            .to_vec();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.call(request.body(body.into()).expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), &[], Body::empty())
            .await
    }

    /// Posts a JSON-LD body.
    pub async fn post_json(&self, path: &str, token: &str, body: String) -> Reply {
        self.request(
            Method::POST,
            path,
            Some(token),
            &[("content-type", "application/ld+json")],
            body,
        )
        .await
    }

    /// Captures a JSON-LD document and returns the finished job.
    pub async fn capture(&self, token: &str, body: String) -> serde_json::Value {
        let reply = self.post_json("/epcis/capture", token, body).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        self.wait_job(reply.header("location"), token).await
    }

    /// Polls a job until it has finished.
    pub async fn wait_job(&self, location: &str, token: &str) -> serde_json::Value {
        for _ in 0..500 {
            let reply = self.get(location, token).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            let job = reply.json();
            if job["running"] == false {
                return job;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the job at {location} did not finish");
    }
}

/// A JSON-LD capture document with the fixtures' master data.
pub fn document(events: Vec<Event>) -> String {
    let mut out = Vec::new();
    anxin_epcis::json::write_document(
        &mut out,
        &Document {
            header: fixtures::header(),
            events,
        },
    )
    .expect("write");
    String::from_utf8(out).expect("utf-8")
}

/// The same as XML.
pub fn xml_document(events: Vec<Event>) -> String {
    let mut out = Vec::new();
    anxin_epcis::xml::write_document(
        &mut out,
        &Document {
            header: fixtures::header(),
            events,
        },
    )
    .expect("write");
    String::from_utf8(out).expect("utf-8")
}

/// The factory's events: 4 cans commissioned, packed into case 1, the case shipped.
pub fn factory_events() -> Vec<Event> {
    vec![
        fixtures::commissioning(1, 4, "2026-03-01T09:00:00+08:00"),
        fixtures::packing(1, &[1, 2, 3, 4], "2026-03-01T10:00:00+08:00"),
        fixtures::shipping(1, "2026-03-02T08:00:00+08:00"),
    ]
}

/// Percent-encodes an identifier for a path segment.
pub fn segment(id: &str) -> String {
    id.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

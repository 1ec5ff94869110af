//! The HTTP server of the Anxin platform: the EPCIS 2.0 REST binding under `/epcis`.
//!
//! [`router`] builds the whole axum application from an [`AppState`] (the store and the
//! limits), so tests drive it with `tower::ServiceExt::oneshot` and [`serve_with_listener`]
//! runs it on any listener with a shutdown signal. Handlers are grouped by resource in
//! [`epcis`]; authentication is the [`auth::Authenticated`] extractor; every error leaves
//! through [`AppError`] as an RFC 7807 problem.
//!
//! Webhook subscriptions are served by [`epcis::subscriptions`] and sent by the
//! [`webhooks::Dispatcher`], which [`serve_with_listener`] runs beside the server.
//!
//! The platform's own API lives under `/api/v1` ([`api`]); today that is the ledger's signed
//! tree heads and proofs, answered by [`ledger::Ledger`].
//!
//! This crate holds no SQL and no access rules: the store decides what a viewer may see and
//! capture, and the EPCIS codecs read and write documents. The public product passport at
//! the GS1 Digital Link paths is [`passport`]; the login, the signed-in pages under `/app` and
//! the shop inspector's check at `/check` are [`pages`].
//! `GET /healthz` answers a fixed `ok` and touches nothing else.

pub mod api;
pub mod auth;
pub mod coa;
pub mod directory;
pub mod epcis;
mod error;
pub mod lab;
pub mod ledger;
pub mod pages;
pub mod passport;
pub mod starting;
pub mod trace;
pub mod watch;
pub mod webhooks;

use std::future::Future;
use std::sync::Arc;

use anxin_store::Store;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

pub use error::{AppError, Exception};

/// How often the trace graph catches up with the store when nobody asks it anything (an
/// assumption of ours: a second keeps a quiet server's first answer after a capture quick
/// without touching the store more than once a second).
pub const TRACE_TICK: std::time::Duration = std::time::Duration::from_secs(1);

/// Limits the server enforces and advertises.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ServerConfig {
    /// Largest capture document in bytes (`GS1-EPCIS-Capture-File-Size-Limit`); larger
    /// requests get 413.
    pub capture_max_bytes: usize,
    /// Most events in one capture document (`GS1-EPCIS-Capture-Limit`).
    pub capture_max_events: usize,
    /// Largest single event sent to `POST /epcis/events`, and largest named-query body.
    pub event_max_bytes: usize,
    /// Capture jobs that may run at once; a capture beyond them gets 503.
    pub capture_jobs_max: usize,
    /// The webhook dispatcher's limits and timings.
    pub webhooks: webhooks::WebhookConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            capture_max_bytes: 32 * 1024 * 1024,
            capture_max_events: 50_000,
            event_max_bytes: 1024 * 1024,
            capture_jobs_max: 16,
            webhooks: webhooks::WebhookConfig::default(),
        }
    }
}

/// What every handler shares: one [`Shared`] behind an `Arc`, so that handing it to a
/// handler (axum clones the state for every request) is one reference count, not one per
/// field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The state's fields (reached through [`AppState`]).
#[derive(Clone)]
pub struct Shared {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The limits.
    pub config: ServerConfig,
    /// The ledger (tree, signing key); `/api/v1/ledger` answers 503 without it.
    pub ledger: Option<Arc<ledger::Ledger>>,
    /// The trace graph; `/api/v1/trace` and `/api/v1/recalls` answer 503 without it.
    pub tracer: Option<Arc<trace::Tracer>>,
    /// The pages' signed-in sessions (in memory; see [`pages::session`]).
    pub sessions: Arc<pages::session::Sessions>,
    /// Places and products as public pages name them (see [`directory`]).
    pub master_data: Arc<directory::MasterData>,
    /// The passport's lot-level facts, kept per lot (see [`passport::LotFacts`]).
    pub lot_facts: Arc<passport::LotFacts>,
    /// One permit per running capture job; shutdown waits until all are back.
    capture_permits: Arc<Semaphore>,
}

impl AppState {
    /// State for a store with the given limits.
    pub fn new(store: Arc<dyn Store>, config: ServerConfig) -> AppState {
        AppState(Arc::new(Shared {
            store,
            config,
            ledger: None,
            tracer: None,
            sessions: Arc::new(pages::session::Sessions::default()),
            master_data: Arc::new(directory::MasterData::default()),
            lot_facts: Arc::new(passport::LotFacts::default()),
            capture_permits: Arc::new(Semaphore::new(config.capture_jobs_max)),
        }))
    }

    /// The same state serving this ledger under `/api/v1/ledger`.
    pub fn with_ledger(mut self, ledger: Arc<ledger::Ledger>) -> AppState {
        Arc::make_mut(&mut self.0).ledger = Some(ledger);
        self
    }

    /// The same state answering traces and recalls from this graph.
    pub fn with_tracer(mut self, tracer: Arc<trace::Tracer>) -> AppState {
        Arc::make_mut(&mut self.0).tracer = Some(tracer);
        self
    }

    /// Waits until every capture job started by this state has finished.
    pub async fn wait_for_captures(&self) {
        let n_permits = u32::try_from(self.config.capture_jobs_max).unwrap_or(u32::MAX);
        // The semaphore is never closed, so acquiring can only fail if it were; either way
        // there is nothing left to wait for.
        let _all = self.capture_permits.acquire_many(n_permits).await;
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/epcis", epcis::routes())
        .nest("/api/v1", api::routes())
        .merge(
            Router::new()
                .merge(passport::routes())
                .merge(pages::routes())
                .merge(coa::routes())
                .layer(axum::middleware::from_fn(pages::remember_lang)),
        )
        .route("/healthz", axum::routing::get(healthz))
        .fallback(epcis::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            starting::gate,
        ))
        .with_state(state)
}

/// The body of `GET /healthz`.
pub const HEALTHZ_BODY: &str = "ok\n";

/// `GET /healthz`: a fixed small body, touching nothing (no store, no graph). It says the
/// process is up and answering, and it is the passport benchmark's baseline: the cost of the
/// server itself for one request.
async fn healthz() -> &'static str {
    HEALTHZ_BODY
}

/// Serves the application on `listener`, with the webhook dispatcher beside it, until
/// `shutdown` completes; then waits for running capture jobs to commit or fail and for the
/// deliveries in flight to be recorded before returning. Deliveries still owed stay in the
/// store's outbox and are sent by the next process.
pub async fn serve_with_listener(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let dispatcher = webhooks::Dispatcher::start(Arc::clone(&state.store), state.config.webhooks);
    let (stop_ticks, ticks_stopped) = tokio::sync::oneshot::channel::<()>();
    let ticks = state.tracer.clone().map(|tracer| {
        tokio::spawn(tracer.run_ticks(TRACE_TICK, async move {
            let _ = ticks_stopped.await;
        }))
    });
    let app = router(state.clone());
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    state.wait_for_captures().await;
    dispatcher.stop().await;
    let _ = stop_ticks.send(());
    if let Some(ticks) = ticks {
        let _ = ticks.await;
    }
    served
}

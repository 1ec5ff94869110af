//! The webhook dispatcher: a background task that sends what the outbox owes to stream
//! subscriptions, signs it, and retries with backoff.
//!
//! Every `poll_interval_ms` it takes up to `due_max` due outbox rows
//! ([`anxin_store::SubscriptionStore::list_due_deliveries`]) and works on at most
//! `concurrency_max` of them at once. For each, it runs the subscription's named query as
//! the subscriber's [`Viewer`], restricted to the capture job's events after the last
//! delivered one, `batch_size_max` at a time, and POSTs them as an `EPCISQueryDocument`
//! (JSON-LD, with `queryName` and `subscriptionID`). A 2xx advances the row; anything else
//! schedules a retry by [`Backoff`] or abandons the row. Because the row is only advanced
//! after a 2xx and rows are written with the capture that stored the events, delivery is
//! at least once, across restarts: a receiver may see a batch twice (if the process dies
//! between its 2xx and the store write) and must de-duplicate by `eventID`.
//!
//! Signature: with a `signatureToken`, the request carries
//! `GS1-Signature: t={unix seconds},v1={hex HMAC-SHA256(token, "{t}.{body}")}` where `body`
//! is the exact request body. A receiver recomputes the HMAC and rejects old `t` values, so a
//! captured request cannot be replayed later. See [`signature`].
//!
//! It speaks plain HTTP/1.1 only (hyper's client, no TLS) and does not follow redirects.

use std::sync::Arc;
use std::time::Duration;

use anxin_epcis::{DocumentType, EpcisTime, Header, QueryResults};
use anxin_store::query::{Filter, MAX_PER_PAGE};
use anxin_store::{Backoff, Delivery, DeliveryOutcome, EventQuery, Store, Viewer, now_ms};
use axum::body::Bytes;
use axum::http::{Request, header};
use hmac::{KeyInit, Mac};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::epcis::{CBV_VERSION, EPCIS_VERSION, Syntax, write_document};

/// The dispatcher's limits and timings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WebhookConfig {
    /// How often the outbox is read for due rows.
    pub poll_interval_ms: u64,
    /// Most outbox rows taken per poll.
    pub due_max: u32,
    /// Most deliveries in flight at once.
    pub concurrency_max: usize,
    /// Most events in one POST.
    pub batch_size_max: u32,
    /// How long one POST may take, connection included.
    pub request_timeout_ms: u64,
    /// The retry schedule and when to give up.
    pub backoff: Backoff,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            poll_interval_ms: 1_000,
            due_max: 64,
            concurrency_max: 8,
            batch_size_max: 500,
            request_timeout_ms: 10_000,
            backoff: Backoff::default(),
        }
    }
}

/// A running dispatcher; [`Dispatcher::stop`] ends it after the deliveries in flight.
#[derive(Debug)]
pub struct Dispatcher {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Dispatcher {
    /// Starts the dispatcher on the current runtime. Pending rows left by an earlier process
    /// are due already, so they are sent on the first poll.
    pub fn start(store: Arc<dyn Store>, config: WebhookConfig) -> Dispatcher {
        let (stop, stopped) = watch::channel(false);
        let client = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
        let task = tokio::spawn(run(store, config, client, stopped));
        Dispatcher { stop, task }
    }

    /// Asks the dispatcher to stop and waits for it; unsent rows stay pending in the store.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(error = %error, "the webhook dispatcher panicked");
        }
    }
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

async fn run(
    store: Arc<dyn Store>,
    config: WebhookConfig,
    client: HttpClient,
    mut stopped: watch::Receiver<bool>,
) {
    let interval = Duration::from_millis(config.poll_interval_ms.max(1));
    loop {
        if *stopped.borrow() {
            return;
        }
        match store.list_due_deliveries(now_ms(), config.due_max).await {
            Ok(due) => {
                for chunk in due.chunks(config.concurrency_max.max(1)) {
                    let mut in_flight = JoinSet::new();
                    for delivery in chunk.iter().cloned() {
                        let (store, client) = (Arc::clone(&store), client.clone());
                        in_flight.spawn(async move {
                            deliver(&*store, &client, &config, delivery).await;
                        });
                    }
                    while in_flight.join_next().await.is_some() {}
                }
            }
            Err(error) => tracing::warn!(error = %error, "cannot read the webhook outbox"),
        }
        tokio::select! {
            _ = stopped.changed() => {}
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// Tries one outbox row once and records the outcome.
async fn deliver(
    store: &dyn Store,
    client: &HttpClient,
    config: &WebhookConfig,
    delivery: Delivery,
) {
    let started_ms = now_ms();
    let outcome = match attempt(store, client, config, &delivery).await {
        Ok(outcome) => outcome,
        Err(Failure::Retryable(error)) => config.backoff.after_failure(
            delivery.n_attempts,
            delivery.created_ms,
            now_ms(),
            error,
            jitter(),
        ),
        Err(Failure::Final(error)) => DeliveryOutcome::Abandoned { error },
    };
    if let DeliveryOutcome::Retry { error, .. } | DeliveryOutcome::Abandoned { error } = &outcome {
        tracing::warn!(
            subscription.id = %delivery.subscription.subscription_id,
            delivery.id = delivery.delivery_id,
            error = %error,
            "webhook delivery failed"
        );
    }
    if let Err(error) = store
        .record_delivery(delivery.delivery_id, started_ms, &outcome)
        .await
    {
        tracing::error!(delivery.id = delivery.delivery_id, error = %error, "cannot record a webhook delivery");
    }
}

enum Failure {
    /// Worth trying again later (network, non-2xx, a busy store).
    Retryable(String),
    /// Never going to work (subscriber revoked, query removed or no longer valid).
    Final(String),
}

async fn attempt(
    store: &dyn Store,
    client: &HttpClient,
    config: &WebhookConfig,
    delivery: &Delivery,
) -> Result<DeliveryOutcome, Failure> {
    let subscription = &delivery.subscription;
    let subscriber = delivery
        .subscriber
        .clone()
        .filter(|account| account.revoked_ms.is_none())
        .ok_or_else(|| Failure::Final("the subscriber's account is revoked".to_owned()))?;
    let viewer = Viewer::new(subscriber);
    let named = store
        .get_named_query(&subscription.query_name)
        .await
        .map_err(|error| Failure::Retryable(format!("store: {error}")))?
        .ok_or_else(|| Failure::Final("the named query was removed".to_owned()))?;
    let prefixes = store
        .list_prefixes()
        .await
        .map_err(|error| Failure::Retryable(format!("store: {error}")))?;
    let mut query = EventQuery::parse(&named.params, &prefixes)
        .map_err(|error| Failure::Final(format!("the named query no longer parses: {error}")))?;
    owed_events_only(&mut query, delivery, config.batch_size_max);
    let page = store
        .list_events(&viewer, &query)
        .await
        .map_err(|error| Failure::Retryable(format!("store: {error}")))?;
    let Some(last) = page.events.last() else {
        return Ok(DeliveryOutcome::Delivered);
    };
    let through_event_seq = last.event_seq;
    let body = document(
        &subscription.query_name,
        &subscription.subscription_id,
        page.events,
    )
    .await
    .map_err(Failure::Retryable)?;
    post(
        client,
        config,
        &subscription.dest,
        subscription.signature_token.as_deref(),
        body,
    )
    .await
    .map_err(Failure::Retryable)?;
    Ok(if page.next_page_token.is_some() {
        DeliveryOutcome::Progress { through_event_seq }
    } else {
        DeliveryOutcome::Delivered
    })
}

/// Turns a named query into "this job's matching events not yet delivered, in the order
/// they were stored, one batch": ordering and count controls of the named query do not
/// apply to a stream.
fn owed_events_only(query: &mut EventQuery, delivery: &Delivery, batch_size_max: u32) {
    query.order_by = None;
    query.descending = false;
    query.event_count_limit = None;
    query.max_event_count = None;
    query.next_page_token = None;
    query.per_page = batch_size_max.clamp(1, MAX_PER_PAGE);
    query
        .filters
        .push(Filter::CaptureJob(delivery.job_id.clone()));
    if delivery.after_event_seq > 0 {
        query
            .filters
            .push(Filter::EventSeqAfter(delivery.after_event_seq));
    }
}

async fn document(
    query_name: &str,
    subscription_id: &str,
    events: Vec<anxin_store::StoredEvent>,
) -> Result<Vec<u8>, String> {
    let mut header = Header::new(EpcisTime::utc(jiff::Timestamp::now()));
    header.document_type = DocumentType::EpcisQueryDocument;
    header.query_results = Some(QueryResults {
        query_name: Some(query_name.to_owned()),
        subscription_id: Some(subscription_id.to_owned()),
    });
    let bodies: Vec<String> = events.into_iter().map(|event| event.body).collect();
    tokio::task::spawn_blocking(move || write_document(&header, &bodies, Syntax::Json))
        .await
        .map_err(|error| error.to_string())?
        .map_err(|error| error.to_string())
}

async fn post(
    client: &HttpClient,
    config: &WebhookConfig,
    dest: &str,
    signature_token: Option<&str>,
    body: Vec<u8>,
) -> Result<(), String> {
    let mut request = Request::post(dest)
        .header(header::CONTENT_TYPE, Syntax::Json.content_type())
        .header("GS1-EPCIS-Version", EPCIS_VERSION)
        .header("GS1-CBV-Version", CBV_VERSION);
    if let Some(token) = signature_token {
        let unix_s = jiff::Timestamp::now().as_second();
        request = request.header("GS1-Signature", signature(token, unix_s, &body));
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|error| format!("bad request to {dest}: {error}"))?;
    let timeout = Duration::from_millis(config.request_timeout_ms);
    let response = tokio::time::timeout(timeout, client.request(request))
        .await
        .map_err(|_| format!("no answer within {} ms", config.request_timeout_ms))?
        .map_err(|error| format!("request failed: {error}"))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("answered {status}"))
    }
}

/// The `GS1-Signature` value for a body sent at `unix_s`:
/// `t={unix_s},v1={hex(HMAC-SHA256(token, "{unix_s}." + body))}`.
pub fn signature(token: &str, unix_s: i64, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(token.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(format!("{unix_s}.").as_bytes());
    mac.update(body);
    format!("t={unix_s},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A number in 0.0..=1.0 for backoff jitter; 0.5 if the system has no randomness to give.
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_time_dot_body() {
        let value = signature("Jefe", 0, b"what do ya want for nothing?");
        assert!(value.starts_with("t=0,v1="), "{value}");
        let unsigned = signature("Jefe", 0, b"what do ya want for nothing!");
        assert_ne!(value, unsigned);
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"0.what do ya want for nothing?");
        assert_eq!(
            value,
            format!("t=0,v1={}", hex::encode(mac.finalize().into_bytes()))
        );
    }
}

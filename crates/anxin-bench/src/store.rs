//! What the store benchmarks share: an admin viewer and one timed capture.

use std::time::{Duration, Instant};

use anxin_epcis::Event;
use anxin_store::{CaptureInput, ErrorBehaviour, NewAccount, Role, Store, Viewer};
use anxin_store_tests::fixtures;

/// An admin account on `store`, as the viewer that captures the benchmark's events.
pub async fn admin(store: &dyn Store) -> Viewer {
    let account = NewAccount {
        name: "bench".into(),
        role: Role::Admin,
        party: None,
        region: None,
    };
    Viewer::new(store.create_account(account).await.expect("account").0)
}

/// Captures `events` as one rollback job under the fixture header and returns how long the
/// job took from start to stored; panics unless every event was new and stored.
pub async fn capture_timed(store: &dyn Store, viewer: &Viewer, events: Vec<Event>) -> Duration {
    let input = CaptureInput::new(fixtures::header(), events);
    let start = Instant::now();
    let job = store
        .start_job(viewer, ErrorBehaviour::Rollback, "bench")
        .await
        .expect("job");
    let job = store
        .capture(viewer, &job.job_id, input)
        .await
        .expect("capture");
    let elapsed = start.elapsed();
    assert!(job.n_stored > 0 && job.n_duplicates == 0, "{job:?}");
    elapsed
}

/// Captures one party's document the way the server does (a job, then the capture) under a
/// bare header made now; panics unless every event was stored.
pub async fn capture_document(store: &dyn Store, viewer: &Viewer, events: Vec<Event>) {
    let n_events = events.len() as u64;
    let header = anxin_epcis::Header::new(anxin_epcis::EpcisTime::utc(jiff::Timestamp::now()));
    let job = store
        .start_job(viewer, ErrorBehaviour::Rollback, "bench")
        .await
        .expect("job");
    let job = store
        .capture(viewer, &job.job_id, CaptureInput::new(header, events))
        .await
        .expect("capture");
    assert_eq!(job.n_stored, n_events, "{job:?}");
}

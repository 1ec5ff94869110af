//! A recall is stored whole or not at all, told to any backend: `RecallStore::capture_recall`
//! writes the recall's EPCIS events, their ledger leaves and the recall's row in one
//! transaction. A refused document leaves no row; a row that cannot be written leaves no
//! event and no leaf.
//!
//! Making the row's insert fail needs the backend's own SQL (a trigger), so each backend's
//! test in `tests/recall.rs` installs it between [`a_recall_is_stored_whole`] and
//! [`a_failed_recall_row_leaves_no_events`].

use anxin_epcis::Event;
use anxin_store::{
    CaptureInput, CaptureJob, ErrorBehaviour, EventQuery, JobState, NewAccount, RecallRow, Role,
    Store, Viewer,
};

use crate::fixtures;

/// The admin the recall tests act as.
pub async fn admin(store: &dyn Store) -> Viewer {
    let (_, token) = store
        .create_account(NewAccount {
            name: "recall admin".into(),
            role: Role::Admin,
            party: None,
            region: None,
        })
        .await
        .expect("admin account");
    store.authenticate(&token).await.expect("admin token")
}

fn row(viewer: &Viewer, recall_id: &str) -> RecallRow {
    RecallRow {
        recall_id: recall_id.to_owned(),
        account_id: viewer.account.account_id,
        party: None,
        region: None,
        level: 1,
        reason: "Cronobacter in a whey lot".to_owned(),
        scope_json: format!("{{\"ids\":[\"{}\"]}}", fixtures::LOT),
        decided_ms: 1_772_330_400_000,
        start_deadline_ms: 1_772_416_800_000,
        finish_deadline_date: "2026-03-13".to_owned(),
        finish_deadline_ms: 1_773_417_599_999,
        summary_json: "{\"cans\":3}".to_owned(),
        job_id: None,
        created_ms: 1_772_330_400_000,
    }
}

/// Stands in for a recall's own events: an observation of the recalled cans.
fn recall_events(first_serial: u32, at: &str) -> Vec<Event> {
    vec![fixtures::packing(
        900 + first_serial,
        &[first_serial, first_serial + 1, first_serial + 2],
        at,
    )]
}

async fn capture_recall(
    store: &dyn Store,
    viewer: &Viewer,
    recall_id: &str,
    events: Vec<Event>,
    problems: Vec<String>,
) -> Result<CaptureJob, anxin_store::StoreError> {
    let job = store
        .start_job(viewer, ErrorBehaviour::Rollback, "recall test")
        .await
        .expect("job");
    let mut input = CaptureInput::new(fixtures::header(), events);
    input.problems = problems;
    store
        .capture_recall(viewer, &job.job_id, input, row(viewer, recall_id))
        .await
}

async fn n_events(store: &dyn Store, viewer: &Viewer) -> usize {
    let query = EventQuery::parse(&[], &Vec::new()).expect("an empty query");
    store
        .list_events(viewer, &query)
        .await
        .expect("events")
        .events
        .len()
}

/// Stores one recall whole, then shows that a refused document leaves no row.
/// Expects a fresh store. Returns the admin for the next step.
pub async fn a_recall_is_stored_whole(store: &dyn Store) -> Viewer {
    let admin = admin(store).await;
    let job = capture_recall(
        store,
        &admin,
        "RC-20260301-00000001",
        recall_events(1, "2026-03-01T10:00:00+08:00"),
        vec![],
    )
    .await
    .expect("recorded");
    assert_eq!((job.state, job.n_stored), (JobState::Succeeded, 1));
    let rows = store
        .recall_rows("RC-20260301-00000001")
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1, "one row for the recall");
    assert_eq!(
        rows[0].job_id.as_deref(),
        Some(job.job_id.as_str()),
        "the row names the job that stored its events"
    );
    assert_eq!(rows[0].summary_json, "{\"cans\":3}");
    assert_eq!(n_events(store, &admin).await, 1);
    assert_eq!(
        store.ledger_size().await.unwrap(),
        1,
        "its events are leaves"
    );

    // Its events refused (a problem under rollback): the job fails and no row is written.
    let job = capture_recall(
        store,
        &admin,
        "RC-20260301-00000002",
        recall_events(11, "2026-03-01T11:00:00+08:00"),
        vec!["event 2: a broken event".to_owned()],
    )
    .await
    .expect("a failed job is an answer");
    assert_eq!((job.state, job.n_stored), (JobState::Failed, 0));
    assert!(
        store
            .recall_rows("RC-20260301-00000002")
            .await
            .unwrap()
            .is_empty(),
        "no row for a recall whose events were refused"
    );
    assert_eq!(n_events(store, &admin).await, 1);
    assert_eq!(store.ledger_size().await.unwrap(), 1);
    admin
}

/// After the backend's test made every insert into `recall` fail: a recall's capture fails,
/// and neither its events nor their leaves nor its row are stored; the job is failed with
/// the reason. Then `restore` undoes the failure and the same recall is recorded whole.
pub async fn a_failed_recall_row_leaves_no_events<F, Fut>(
    store: &dyn Store,
    admin: &Viewer,
    restore: F,
) where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let failed = capture_recall(
        store,
        admin,
        "RC-20260301-00000003",
        recall_events(21, "2026-03-01T12:00:00+08:00"),
        vec![],
    )
    .await;
    let error = failed.expect_err("the row's insert fails, so the capture fails");
    assert!(
        error.to_string().contains("refused by the test"),
        "the cause is told: {error}"
    );
    assert!(
        store
            .recall_rows("RC-20260301-00000003")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        n_events(store, admin).await,
        1,
        "no event of the failed recall"
    );
    assert_eq!(store.ledger_size().await.unwrap(), 1, "no leaf either");
    let jobs = store.list_jobs(admin, 10).await.expect("jobs");
    let job = jobs
        .iter()
        .find(|job| {
            job.state == JobState::Failed
                && job.errors.iter().any(|e| e.contains("refused by the test"))
        })
        .expect("the failed job says why");
    assert_eq!(job.n_stored, 0);

    restore().await;
    let job = capture_recall(
        store,
        admin,
        "RC-20260301-00000003",
        recall_events(21, "2026-03-01T12:00:00+08:00"),
        vec![],
    )
    .await
    .expect("recorded once the failure is gone");
    assert_eq!((job.state, job.n_stored), (JobState::Succeeded, 1));
    assert_eq!(
        store
            .recall_rows("RC-20260301-00000003")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(n_events(store, admin).await, 2);
    assert_eq!(store.ledger_size().await.unwrap(), 2);
    assert!(
        anxin_store::ledger::verify(store, None)
            .await
            .unwrap()
            .is_ok(),
        "the ledger verifies after the failure"
    );
}

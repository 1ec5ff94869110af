//! The ledger's part of the story, told to any backend: every stored event is a leaf, in
//! order, with the entry it should commit to; duplicates and rolled-back documents make no
//! leaf; concurrent captures get unique, gap-free indexes; the store's rows re-compute to the
//! root of an independently built tree; and a tree head stored by the test verifies.
//!
//! The tamper tests (plain SQL behind the store's back) live with each backend in `tests/`,
//! since they need the backend's own driver.

use std::sync::Arc;

use anxin_epcis::Event;
use anxin_ledger::{LeafEntry, LogKey, Tree};
use anxin_store::{
    CaptureInput, ErrorBehaviour, JobState, NewAccount, Role, Store, Viewer, ledger,
};

use crate::fixtures;

/// The key the story signs heads with (a fixed seed: tests only).
pub fn test_key() -> LogKey {
    LogKey::from_seed([42; 32])
}

async fn admin(store: &dyn Store) -> Viewer {
    let (_, token) = store
        .create_account(NewAccount {
            name: "ledger admin".into(),
            role: Role::Admin,
            party: None,
            region: None,
        })
        .await
        .expect("admin account");
    store.authenticate(&token).await.expect("admin token")
}

async fn capture(
    store: &dyn Store,
    viewer: &Viewer,
    events: Vec<Event>,
    behaviour: ErrorBehaviour,
    problems: Vec<String>,
) -> anxin_store::CaptureJob {
    let job = store
        .start_job(viewer, behaviour, "ledger story")
        .await
        .expect("job");
    let mut input = CaptureInput::new(fixtures::header(), events);
    input.problems = problems;
    store
        .capture(viewer, &job.job_id, input)
        .await
        .expect("capture")
}

/// Re-reads every leaf and checks it against the event it names and the order of capture.
async fn leaves_match_events(store: &dyn Store) -> Tree {
    let size = store.ledger_size().await.expect("size");
    let rows = store
        .ledger_audit_rows(0, u32::MAX)
        .await
        .expect("audit rows");
    assert_eq!(rows.len() as u64, size, "one row per leaf");
    let mut tree = Tree::new();
    let mut last_seq = i64::MIN;
    for (index, (leaf, event)) in rows.iter().enumerate() {
        assert_eq!(leaf.leaf_index, index as u64, "indexes are 0, 1, 2, …");
        assert!(
            leaf.event_seq > last_seq,
            "one store's leaves follow its events"
        );
        last_seq = leaf.event_seq;
        let event = event.as_ref().expect("every leaf names a stored event");
        let expected = LeafEntry::for_event(
            &event.hash_id,
            event.record_time_ms,
            event.party.as_deref(),
            &event.body,
        );
        assert_eq!(leaf.entry, expected);
        assert_eq!(leaf.leaf_hash, expected.leaf_hash());
        tree.push(expected.leaf_hash());
    }
    let hashes = store.ledger_leaf_hashes(0, u32::MAX).await.expect("hashes");
    assert_eq!(hashes.len() as u64, size);
    assert_eq!(
        store.ledger_leaf_hashes(1, 2).await.expect("a range"),
        hashes[1..3.min(hashes.len())].to_vec()
    );
    assert!(store.ledger_leaf_hashes(size, 5).await.unwrap().is_empty());
    tree
}

/// The ledger's story (see the module documentation). Expects a fresh store.
pub async fn run_ledger_story(store: &dyn Store) {
    assert_eq!(store.ledger_size().await.unwrap(), 0);
    let commits_before = store
        .local_commits()
        .expect("no capture is in flight on a new store");
    assert_eq!(store.latest_tree_head().await.unwrap(), None);
    let report = ledger::verify(store, None)
        .await
        .unwrap()
        .expect("empty ledger verifies");
    assert_eq!(report.leaves, 0);

    let admin = admin(store).await;
    let first = vec![
        fixtures::commissioning(1, 3, "2026-03-01T08:00:00+08:00"),
        fixtures::packing(1, &[1, 2, 3], "2026-03-01T09:00:00+08:00"),
    ];
    let job = capture(
        store,
        &admin,
        first.clone(),
        ErrorBehaviour::Rollback,
        vec![],
    )
    .await;
    assert_eq!((job.state, job.n_stored), (JobState::Succeeded, 2));
    assert_eq!(store.ledger_size().await.unwrap(), 2);
    // The capture is counted once it is over, so a reader that remembered the ledger's size
    // beside the count reads it again.
    assert_eq!(store.local_commits(), Some(commits_before + 1));

    // The same events again: duplicates, no new leaves.
    let job = capture(store, &admin, first, ErrorBehaviour::Rollback, vec![]).await;
    assert_eq!((job.n_stored, job.n_duplicates), (0, 2));
    assert_eq!(store.ledger_size().await.unwrap(), 2);

    // A document refused under rollback: nothing stored, no leaves.
    let job = capture(
        store,
        &admin,
        vec![fixtures::shipping(1, "2026-03-02T08:00:00+08:00")],
        ErrorBehaviour::Rollback,
        vec!["/epcisBody/eventList/1: a broken event".into()],
    )
    .await;
    assert_eq!((job.state, job.n_stored), (JobState::Failed, 0));
    assert_eq!(store.ledger_size().await.unwrap(), 2);

    // Proceed: the good event is stored and becomes leaf 2.
    let shipped = fixtures::shipping(1, "2026-03-02T08:00:00+08:00");
    let job = capture(
        store,
        &admin,
        vec![shipped],
        ErrorBehaviour::Proceed,
        vec!["/epcisBody/eventList/1: a broken event".into()],
    )
    .await;
    assert_eq!(job.n_stored, 1);
    assert_eq!(store.ledger_size().await.unwrap(), 3);

    let tree = leaves_match_events(store).await;
    assert_eq!(tree.size(), 3);

    // The leaves of one event, by hash ID and by eventID.
    let rows = store.ledger_audit_rows(2, 1).await.unwrap();
    let (leaf, _) = &rows[0];
    let by_hash = store.ledger_leaves_of(&leaf.entry.hash_id).await.unwrap();
    assert_eq!(by_hash.len(), 1);
    assert_eq!(by_hash[0].row, *leaf);
    let by_id = store.ledger_leaves_of(&by_hash[0].event_id).await.unwrap();
    assert_eq!(by_id, by_hash);
    assert!(
        store
            .ledger_leaves_of("ni:///no-such-event")
            .await
            .unwrap()
            .is_empty()
    );

    // A signed head at the current size, stored and read back, verifies with the audit.
    let key = test_key();
    let head = key.sign(3, tree.root(3).unwrap(), 1_772_000_000_000);
    store.add_tree_head(&head).await.unwrap();
    assert_eq!(store.latest_tree_head().await.unwrap(), Some(head.clone()));
    let report = ledger::verify(store, Some(&key.public()))
        .await
        .unwrap()
        .expect("the ledger verifies");
    assert_eq!((report.leaves, report.heads), (3, 1));
    assert_eq!(report.root_hash, tree.root(3).unwrap());
    // Without the key the heads cannot be checked, and the audit says so.
    let unchecked = ledger::verify(store, None).await.unwrap().unwrap_err();
    assert_eq!(unchecked.field, anxin_ledger::Field::Signature);
    // With another key the signature is what differs.
    let wrong = ledger::verify(store, Some(&LogKey::from_seed([1; 32]).public()))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(wrong.field, anxin_ledger::Field::Signature);
    // A head whose root is not the ledger's is named.
    let bad = key.sign(2, [7; 32], 1_772_000_000_001);
    store.add_tree_head(&bad).await.unwrap();
    let found = ledger::verify(store, Some(&key.public()))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(found.field, anxin_ledger::Field::RootHash);
    assert_eq!(found.leaf_index, Some(2));
    assert_eq!(store.list_tree_heads().await.unwrap(), vec![head, bad]);
}

/// Eight clients capture different events at once; the leaves are 0..n without a gap or a
/// repeat, one per stored event.
pub async fn concurrent_captures_get_gap_free_leaves(store: Arc<dyn Store>) {
    let viewer = admin(&*store).await;
    let before = store.ledger_size().await.unwrap();
    let mut tasks = Vec::new();
    for client in 0..8u32 {
        let (store, viewer) = (Arc::clone(&store), viewer.clone());
        tasks.push(tokio::spawn(async move {
            let mut stored = 0;
            for round in 0..5u32 {
                let serial = 10_000 + client * 100 + round * 10;
                let events = vec![
                    fixtures::commissioning(serial, 2, "2026-04-01T08:00:00+08:00"),
                    fixtures::commissioning(serial + 5, 1, "2026-04-01T08:00:00+08:00"),
                ];
                let job = capture(&*store, &viewer, events, ErrorBehaviour::Rollback, vec![]).await;
                assert_eq!(job.state, JobState::Succeeded, "{:?}", job.errors);
                stored += job.n_stored;
            }
            stored
        }));
    }
    let mut stored = 0;
    for task in tasks {
        stored += task.await.expect("client");
    }
    assert_eq!(stored, 80);
    let size = store.ledger_size().await.unwrap();
    assert_eq!(size, before + stored);
    let rows = store.ledger_audit_rows(0, u32::MAX).await.unwrap();
    let mut seqs: Vec<i64> = rows.iter().map(|(leaf, _)| leaf.event_seq).collect();
    for (index, (leaf, event)) in rows.iter().enumerate() {
        assert_eq!(leaf.leaf_index, index as u64);
        assert!(event.is_some());
    }
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len() as u64, size, "one leaf per event");
    let report = ledger::verify(&*store, None)
        .await
        .unwrap()
        .expect("verifies");
    assert_eq!(report.leaves, size);
}

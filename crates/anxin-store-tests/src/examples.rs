//! Every shared GS1 example captured into a store and served back with the same meaning, and
//! many clients capturing at once.
//!
//! Both run against any backend, like the story. The examples come from the folder the
//! caller names (the integration tests take it from `ANXIN_CONFORMANCE_DIR`); examples that
//! are not valid EPCIS 2.0 (the conformance test in `anxin-epcis` lists them with reasons)
//! are refused by capture and counted, not compared.

use std::path::{Path, PathBuf};

use anxin_epcis::{Event, Format, Limits, hash, read_document, validate};
use anxin_store::{
    CaptureInput, ErrorBehaviour, JobState, NewAccount, PartyGln, Role, Store, Viewer,
};

use crate::fixtures;

/// How many GS1 examples are invalid EPCIS 2.0 (see `anxin-epcis/tests/conformance.rs`).
pub const INVALID_EXAMPLES: usize = 7;

fn example_files(dir: &Path) -> Vec<(PathBuf, Format)> {
    let mut found = Vec::new();
    let mut pending = vec![
        dir.join("JSON"),
        dir.join("JSON-simple-context"),
        dir.join("XML"),
    ];
    while let Some(folder) = pending.pop() {
        if folder.ends_with("CaptureJob") {
            continue; // REST capture-job resources, not EPCIS documents.
        }
        let entries =
            std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
        for entry in entries {
            let path = entry.expect("a folder entry").path();
            match path.extension().and_then(|ext| ext.to_str()) {
                _ if path.is_dir() => pending.push(path),
                Some("jsonld" | "json") => found.push((path, Format::Json)),
                Some("xml") => found.push((path, Format::Xml)),
                _ => {}
            }
        }
    }
    found.sort_by(|left, right| left.0.cmp(&right.0));
    found
}

async fn viewer(store: &dyn Store, name: &str, role: Role, party: Option<&str>) -> Viewer {
    let account = NewAccount {
        name: name.to_owned(),
        role,
        party: party.map(|gln| PartyGln::parse(gln).expect("a party GLN")),
        region: None,
    };
    let (_, token) = store.create_account(account).await.expect("create account");
    store
        .authenticate(&token)
        .await
        .expect("a fresh token authenticates")
}

/// The stored event without what the store sets itself, for comparing with what was sent:
/// `recordTime` is the store's, and `eventID` is the one of the first document that brought
/// this event (GS1's examples give the same event different illustrative eventIDs in
/// different files; the store keeps an event once, by hash ID).
fn as_sent(mut stored: Event, sent: &Event) -> Event {
    stored.record_time = sent.record_time;
    stored.event_id.clone_from(&sent.event_id);
    stored
}

/// Captures every valid example as an admin and checks that each of its events is served
/// back by hash ID with the same meaning. Returns how many events were compared.
pub async fn every_example_round_trips(store: &dyn Store, dir: &Path) -> usize {
    let admin = viewer(store, "examples admin", Role::Admin, None).await;
    let mut n_compared = 0;
    let mut n_invalid = 0;
    let mut failures = Vec::new();
    // The CBV 2.0 hash leaves out comments, error declarations and `xsi:type` annotations, so
    // some examples repeat an earlier example's event with only those changed: by hash ID it
    // is the same event, stored once, and it is served back as it was first sent.
    let mut first_sent: std::collections::HashMap<String, Event> = std::collections::HashMap::new();
    for (path, format) in example_files(dir) {
        let name = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        let bytes = std::fs::read(&path).expect("read an example");
        let Ok(read) = read_document(bytes.as_slice(), format, &Limits::DEFAULT) else {
            n_invalid += 1;
            continue;
        };
        let invalid = !read.problems.is_empty()
            || read
                .document
                .events
                .iter()
                .any(|event| !validate::check_event(event).is_empty());
        if invalid {
            n_invalid += 1;
            continue;
        }
        let events = read.document.events.clone();
        let job = store
            .start_job(&admin, ErrorBehaviour::Rollback, &name)
            .await
            .expect("start a job");
        let job = store
            .capture(
                &admin,
                &job.job_id,
                CaptureInput::new(read.document.header, read.document.events),
            )
            .await
            .unwrap_or_else(|error| panic!("{name}: capture failed: {error}"));
        assert_eq!(job.state, JobState::Succeeded, "{name}: {job:?}");
        assert_eq!(
            job.n_stored + job.n_duplicates,
            events.len() as u64,
            "{name}: {job:?}"
        );
        for (index, sent) in events.iter().enumerate() {
            let hash_id = hash::event_hash_id(sent);
            let Some(stored) = store
                .get_event(&admin, &hash_id)
                .await
                .expect("get an event")
            else {
                failures.push(format!(
                    "{name}: event {index} ({hash_id}) is not served back"
                ));
                continue;
            };
            let served = anxin_epcis::json::event_from_str(&stored.body).unwrap_or_else(|error| {
                panic!("{name}: event {index}: stored body does not read: {error}")
            });
            let sent = first_sent.entry(hash_id).or_insert_with(|| sent.clone());
            let served = as_sent(served, sent);
            if !served.same_meaning(sent) {
                failures.push(format!(
                    "{name}: event {index} changed\nsent:   {sent:?}\nserved: {served:?}"
                ));
            }
            n_compared += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(
        n_invalid, INVALID_EXAMPLES,
        "the invalid examples are refused, and only they"
    );
    n_compared
}

/// Several parties capture at once, each into its own locations; every job succeeds and every
/// event is there once afterwards.
pub async fn many_clients_capture_at_once(store: std::sync::Arc<dyn Store>) {
    const N_CLIENTS: u32 = 6;
    const N_DOCUMENTS: u32 = 5;
    const N_CANS: u32 = 40;
    let mut clients = Vec::new();
    for client in 0..N_CLIENTS {
        // Several accounts of the manufacturer (its lines and its ERP each push on their own).
        let viewer = viewer(
            &*store,
            &format!("client {client}"),
            Role::Manufacturer,
            Some(fixtures::PARTY_A),
        )
        .await;
        let store = store.clone();
        clients.push(tokio::spawn(async move {
            let mut hash_ids = Vec::new();
            for document in 0..N_DOCUMENTS {
                let first = (client * N_DOCUMENTS + document) * N_CANS;
                let event = fixtures::commissioning(first, N_CANS, "2026-11-20T08:00:00+08:00");
                hash_ids.push(hash::event_hash_id(&event));
                let job = store
                    .start_job(&viewer, ErrorBehaviour::Rollback, "concurrent")
                    .await
                    .expect("start a job");
                let job = store
                    .capture(
                        &viewer,
                        &job.job_id,
                        CaptureInput::new(fixtures::header(), vec![event]),
                    )
                    .await
                    .expect("capture");
                assert_eq!(job.state, JobState::Succeeded, "{job:?}");
                assert_eq!(job.n_stored, 1, "{job:?}");
            }
            (viewer, hash_ids)
        }));
    }
    for client in clients {
        let (viewer, hash_ids) = client.await.expect("a client finishes");
        for hash_id in hash_ids {
            let stored = store
                .get_event(&viewer, &hash_id)
                .await
                .expect("get")
                .expect("stored once");
            assert_eq!(stored.hash_id, hash_id);
        }
    }
}

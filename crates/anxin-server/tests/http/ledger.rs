//! `/api/v1/ledger`: heads, proofs and the key, checked the way a third party would check
//! them (with the JSON shapes' own verifiers and the published key), and the bad requests.

use anxin_ledger::api::{ConsistencyProofJson, InclusionProofJson, KeyJson, TreeHeadJson};
use anxin_ledger::tree::empty_root;
use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::helpers::{app, document, factory_events, ledger_key};

async fn public_get(app: &crate::helpers::TestApp, path: &str) -> crate::helpers::Reply {
    app.request(Method::GET, path, None, &[], Body::empty())
        .await
}

#[tokio::test]
async fn heads_and_proofs_verify_with_the_published_key() {
    let app = app().await;
    let key: KeyJson = serde_json::from_slice(&public_get(&app, "/api/v1/ledger/key").await.body)
        .expect("key JSON");
    assert_eq!(key.algorithm, "Ed25519");
    let public = key.to_key().expect("a valid key");
    assert_eq!(public, ledger_key().public());
    assert!(key.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"));

    // The empty ledger has a signed head too.
    let reply = public_get(&app, "/api/v1/ledger/sth").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let empty: TreeHeadJson = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(empty.tree_size, 0);
    assert_eq!(empty.root_hash, hex::encode(empty_root()));
    assert!(empty.to_head().unwrap().verify(&public));

    let job = app
        .capture(&app.manufacturer, document(factory_events()))
        .await;
    assert_eq!(job["success"], true, "{job}");
    let n = factory_events().len() as u64;

    let reply = public_get(&app, "/api/v1/ledger/sth").await;
    let head: TreeHeadJson = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(head.tree_size, n);
    assert!(head.to_head().unwrap().verify(&public));
    assert!(
        head.checkpoint
            .starts_with(&format!("anxin-ledger/v1\n{n}\n"))
    );
    // Asked again with no new leaves, the same head comes back (no new signature).
    let again: TreeHeadJson =
        serde_json::from_slice(&public_get(&app, "/api/v1/ledger/sth").await.body).unwrap();
    assert_eq!(again, head);

    // Every stored event has a proof, by hash ID and by eventID, without a token.
    let events = app.get("/epcis/events", &app.manufacturer).await.events();
    assert_eq!(events.len() as u64, n);
    let mut indexes = Vec::new();
    for event in &events {
        let event_id = event["eventID"].as_str().unwrap();
        let path = format!("/api/v1/ledger/proof/{}", crate::helpers::segment(event_id));
        let reply = public_get(&app, &path).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let proof: InclusionProofJson = serde_json::from_slice(&reply.body).unwrap();
        proof.verify(&public).expect("the proof verifies");
        assert_eq!(proof.tree_head, head);
        assert_eq!(proof.leaves.len(), 1);
        let leaf = &proof.leaves[0];
        let party = anxin_store::PartyGln::parse(anxin_store_tests::fixtures::PARTY_A).unwrap();
        assert_eq!(leaf.entry.capturing_party.as_deref(), Some(party.as_str()));
        // The leaf commits to the body exactly as the binding serves it.
        let stored = app
            .store
            .get_event(&admin_viewer(&app).await, event_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            leaf.entry.body_sha256,
            hex::encode(anxin_ledger::body_digest(&stored.body))
        );
        // The proof does not carry the event's content.
        let text = reply.text();
        assert!(
            !text.contains("bizStep") && !text.contains("epcList"),
            "{text}"
        );
        indexes.push(leaf.leaf_index);

        // A proof with a changed audit path or entry fails.
        let mut broken = proof.clone();
        if let Some(first) = broken.leaves[0].audit_path.first_mut() {
            first.replace_range(0..2, if first.starts_with("00") { "11" } else { "00" });
            assert!(broken.verify(&public).is_err());
        }
        let mut broken = proof.clone();
        broken.leaves[0].entry.record_time_ms += 1;
        assert!(broken.verify(&public).is_err());
    }
    indexes.sort_unstable();
    assert_eq!(indexes, (0..n).collect::<Vec<_>>());

    // More leaves; the old head is consistent with the new one.
    let more = vec![anxin_store_tests::fixtures::commissioning(
        900,
        2,
        "2026-03-03T08:00:00+08:00",
    )];
    let job = app.capture(&app.manufacturer, document(more)).await;
    assert_eq!(job["success"], true, "{job}");
    let newer: TreeHeadJson =
        serde_json::from_slice(&public_get(&app, "/api/v1/ledger/sth").await.body).unwrap();
    assert_eq!(newer.tree_size, n + 1);
    assert!(newer.to_head().unwrap().verify(&public));
    let reply = public_get(
        &app,
        &format!("/api/v1/ledger/consistency?from={}&to={}", n, n + 1),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let consistency: ConsistencyProofJson = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(consistency.from_root, head.root_hash);
    assert_eq!(consistency.to_root, newer.root_hash);
    assert!(consistency.verify().unwrap());
    let mut forged = consistency.clone();
    forged.from_root = hex::encode([1u8; 32]);
    assert!(!forged.verify().unwrap());
    // `to` defaults to the current size.
    let reply = public_get(&app, "/api/v1/ledger/consistency?from=1").await;
    let to_now: ConsistencyProofJson = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(to_now.to, n + 1);
    assert!(to_now.verify().unwrap());
}

async fn admin_viewer(app: &crate::helpers::TestApp) -> anxin_store::Viewer {
    let (_, token) = app
        .store
        .create_account(anxin_store::NewAccount {
            name: "ledger test admin".into(),
            role: anxin_store::Role::Admin,
            party: None,
            region: None,
        })
        .await
        .unwrap();
    app.store.authenticate(&token).await.unwrap()
}

#[tokio::test]
async fn bad_ledger_requests_get_clear_problems() {
    let app = app().await;
    let job = app
        .capture(&app.manufacturer, document(factory_events()))
        .await;
    assert_eq!(job["success"], true, "{job}");
    let n = factory_events().len();

    let reply = public_get(&app, "/api/v1/ledger/proof/ni:%2F%2F%2Fsha-256;nothing").await;
    reply.assert_problem(404, "NoSuchNameException");
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("ni:///sha-256;nothing")
    );

    for (query, says) in [
        (format!("from={}&to=1", n), "from ≤ to"),
        (format!("from=1&to={}", n + 5), "beyond the tree"),
        ("from=x".to_owned(), "from must be a tree size"),
        ("from=-1".to_owned(), "from must be a tree size"),
        ("to=1".to_owned(), "from is required"),
    ] {
        let reply = public_get(&app, &format!("/api/v1/ledger/consistency?{query}")).await;
        reply.assert_problem(400, "QueryParameterException");
        let detail = reply.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(says), "{query}: {detail}");
    }
    // Equal sizes and size 0 are answered with an empty proof.
    let reply = public_get(&app, &format!("/api/v1/ledger/consistency?from={n}&to={n}")).await;
    let proof: ConsistencyProofJson = serde_json::from_slice(&reply.body).unwrap();
    assert!(proof.proof.is_empty() && proof.verify().unwrap());
    let reply = public_get(&app, "/api/v1/ledger/consistency?from=0").await;
    let proof: ConsistencyProofJson = serde_json::from_slice(&reply.body).unwrap();
    assert!(proof.proof.is_empty() && proof.verify().unwrap());
}

#[tokio::test]
async fn a_server_without_a_key_says_so() {
    let app = app().await;
    let state =
        anxin_server::AppState::new(app.store.clone(), anxin_server::ServerConfig::default());
    let bare = crate::helpers::TestApp::from_state(state, "unused");
    let reply = public_get(&bare, "/api/v1/ledger/sth").await;
    reply.assert_problem(503, "ImplementationException");
}

#[tokio::test]
async fn a_ledger_with_a_hole_gives_no_proofs() {
    use std::sync::Arc;
    let folder = std::env::temp_dir().join(format!("anxin-ledger-hole-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let path = folder.join("anxin.db");
    let store = anxin_store_sqlite::SqliteStore::open(&path).await.unwrap();
    let store: Arc<dyn anxin_store::Store> = Arc::new(store);
    let (_, token) = store
        .create_account(anxin_store::NewAccount {
            name: "admin".into(),
            role: anxin_store::Role::Admin,
            party: None,
            region: None,
        })
        .await
        .unwrap();
    let viewer = store.authenticate(&token).await.unwrap();
    let job = store
        .start_job(&viewer, anxin_store::ErrorBehaviour::Rollback, "test")
        .await
        .unwrap();
    let input =
        anxin_store::CaptureInput::new(anxin_store_tests::fixtures::header(), factory_events());
    store.capture(&viewer, &job.job_id, input).await.unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DELETE FROM ledger_leaf WHERE leaf_index = 1", [])
        .unwrap();
    let refused = anxin_server::ledger::Ledger::open(store.clone(), ledger_key())
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("missing leaves between 0"),
        "{refused}"
    );
    let found = anxin_store::ledger::verify(&*store, None)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(found.field, anxin_ledger::Field::LeafIndex);
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

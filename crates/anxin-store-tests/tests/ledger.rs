//! The ledger on each backend: the ledger story, concurrent captures, and events edited with
//! plain SQL behind the store's back, which the audit names.

use std::sync::Arc;

use anxin_ledger::Field;
use anxin_store::{LedgerStore, Store, ledger};
use anxin_store_tests::ledger::{concurrent_captures_get_gap_free_leaves, run_ledger_story};

fn folder(what: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("anxin-ledger-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    folder
}

/// The leaf the audit should name after event `index` (0-based, in leaf order) is edited.
async fn leaf_at(store: &dyn Store, index: u64) -> anxin_ledger::LeafRow {
    store.ledger_audit_rows(index, 1).await.unwrap().remove(0).0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ledger_story_holds_on_sqlite() {
    let folder = folder("story");
    let store = anxin_store_sqlite::SqliteStore::open(folder.join("anxin.db"))
        .await
        .expect("open");
    run_ledger_story(&store).await;
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_captures_on_sqlite_get_gap_free_leaves() {
    let folder = folder("concurrent");
    let store = anxin_store_sqlite::SqliteStore::open(folder.join("anxin.db"))
        .await
        .expect("open");
    concurrent_captures_get_gap_free_leaves(Arc::new(store)).await;
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_edited_with_sql_on_sqlite_is_named() {
    let folder = folder("tamper");
    let path = folder.join("anxin.db");
    let store = anxin_store_sqlite::SqliteStore::open(&path)
        .await
        .expect("open");
    concurrent_captures_get_gap_free_leaves(Arc::new(store.clone())).await;
    assert!(ledger::verify(&store, None).await.unwrap().is_ok());
    let target = leaf_at(&store, 17).await;

    let conn = rusqlite::Connection::open(&path).expect("plain connection");
    let changed = conn
        .execute(
            "UPDATE event SET body = replace(body, 'commissioning', 'decommissioning') WHERE event_seq = ?1",
            [target.event_seq],
        )
        .expect("edit");
    assert_eq!(changed, 1);
    let found = ledger::verify(&store, None).await.unwrap().unwrap_err();
    assert_eq!(found.field, Field::Body, "{found}");
    assert_eq!(found.leaf_index, Some(17));
    assert_eq!(
        found.hash_id.as_deref(),
        Some(target.entry.hash_id.as_str())
    );
    assert!(found.to_string().contains("leaf 17"), "{found}");

    // Put the body back; then move an earlier event's record time instead.
    conn.execute(
        "UPDATE event SET body = replace(body, 'decommissioning', 'commissioning') WHERE event_seq = ?1",
        [target.event_seq],
    )
    .unwrap();
    assert!(ledger::verify(&store, None).await.unwrap().is_ok());
    let earlier = leaf_at(&store, 4).await;
    conn.execute(
        "UPDATE event SET record_time_ms = record_time_ms - 86400000 WHERE event_seq = ?1",
        [earlier.event_seq],
    )
    .unwrap();
    let found = ledger::verify(&store, None).await.unwrap().unwrap_err();
    assert_eq!(
        (found.field, found.leaf_index),
        (Field::RecordTime, Some(4))
    );
    conn.execute(
        "UPDATE event SET record_time_ms = record_time_ms + 86400000 WHERE event_seq = ?1",
        [earlier.event_seq],
    )
    .unwrap();

    // A leaf whose stored hash was rewritten to match nothing.
    conn.execute(
        "UPDATE ledger_leaf SET leaf_hash = zeroblob(32) WHERE leaf_index = 9",
        [],
    )
    .unwrap();
    let found = ledger::verify(&store, None).await.unwrap().unwrap_err();
    assert_eq!((found.field, found.leaf_index), (Field::LeafHash, Some(9)));
    drop(conn);
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stored_without_the_platform_is_named_on_sqlite() {
    let folder = folder("unlinked");
    let path = folder.join("anxin.db");
    let store = anxin_store_sqlite::SqliteStore::open(&path)
        .await
        .expect("open");
    concurrent_captures_get_gap_free_leaves(Arc::new(store.clone())).await;
    let conn = rusqlite::Connection::open(&path).expect("plain connection");
    conn.execute(
        "INSERT INTO event (record_key, hash_id, event_id, event_type, event_time_ms, record_time_ms, \
         has_error_declaration, account_id, job_id, body) \
         VALUES ('ni:///forged', 'ni:///forged', 'ni:///forged', 'ObjectEvent', 0, 0, 0, 1, 'x', '{}')",
        [],
    )
    .unwrap();
    let found = ledger::verify(&store, None).await.unwrap().unwrap_err();
    assert_eq!(found.field, Field::EventWithoutLeaf);
    assert_eq!(found.hash_id.as_deref(), Some("ni:///forged"));
    // Reopening does not "heal" it: only a store with no leaves and no heads is backfilled.
    drop(store);
    let store = anxin_store_sqlite::SqliteStore::open(&path)
        .await
        .expect("reopen");
    let found = ledger::verify(&store, None).await.unwrap().unwrap_err();
    assert_eq!(found.field, Field::EventWithoutLeaf);
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_made_before_the_ledger_gets_leaves_once() {
    let folder = folder("backfill");
    let path = folder.join("anxin.db");
    let store = anxin_store_sqlite::SqliteStore::open(&path)
        .await
        .expect("open");
    concurrent_captures_get_gap_free_leaves(Arc::new(store.clone())).await;
    let size = store.ledger_size().await.unwrap();
    drop(store);
    // Take the ledger away, as a store from before migration V4 would be.
    let conn = rusqlite::Connection::open(&path).expect("plain connection");
    conn.execute("DELETE FROM ledger_leaf", []).unwrap();
    drop(conn);
    let store = anxin_store_sqlite::SqliteStore::open(&path)
        .await
        .expect("reopen");
    assert_eq!(store.ledger_size().await.unwrap(), size);
    let report = ledger::verify(&store, None)
        .await
        .unwrap()
        .expect("verifies");
    assert_eq!(report.leaves, size);
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

mod postgres {
    use super::*;
    use anxin_store_tests::backends::on_postgres;

    async fn plain_client(url: &str, schema: &str) -> tokio_postgres::Client {
        let mut config: tokio_postgres::Config = url.parse().unwrap();
        config.options(format!("-c search_path={schema}"));
        let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_ledger_story_holds_on_postgres() {
        on_postgres("story", |store, _, _| async move {
            run_ledger_story(&store).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_captures_on_postgres_get_gap_free_leaves() {
        on_postgres("concurrent", |store, _, _| async move {
            concurrent_captures_get_gap_free_leaves(Arc::new(store)).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_event_edited_with_sql_on_postgres_is_named() {
        on_postgres("tamper", |store, url, schema| async move {
            concurrent_captures_get_gap_free_leaves(Arc::new(store.clone())).await;
            let target = leaf_at(&store, 23).await;
            let client = plain_client(&url, &schema).await;
            let changed = client
                .execute(
                    "UPDATE event SET body = replace(body, 'commissioning', 'decommissioning') WHERE event_seq = $1",
                    &[&target.event_seq],
                )
                .await
                .unwrap();
            assert_eq!(changed, 1);
            let found = ledger::verify(&store, None).await.unwrap().unwrap_err();
            assert_eq!(found.field, Field::Body, "{found}");
            assert_eq!(found.leaf_index, Some(23));
            assert_eq!(found.hash_id.as_deref(), Some(target.entry.hash_id.as_str()));
            client
                .execute(
                    "UPDATE event SET body = replace(body, 'decommissioning', 'commissioning') WHERE event_seq = $1",
                    &[&target.event_seq],
                )
                .await
                .unwrap();
            assert!(ledger::verify(&store, None).await.unwrap().is_ok());
            let earlier = leaf_at(&store, 6).await;
            client
                .execute(
                    "UPDATE event SET party_gln = '6999999000001' WHERE event_seq = $1",
                    &[&earlier.event_seq],
                )
                .await
                .unwrap();
            let found = ledger::verify(&store, None).await.unwrap().unwrap_err();
            assert_eq!((found.field, found.leaf_index), (Field::CapturingParty, Some(6)));
            client
                .execute("DELETE FROM event WHERE event_seq = $1", &[&earlier.event_seq])
                .await
                .unwrap();
            let found = ledger::verify(&store, None).await.unwrap().unwrap_err();
            assert_eq!((found.field, found.leaf_index), (Field::EventMissing, Some(6)));
        })
        .await;
    }
}

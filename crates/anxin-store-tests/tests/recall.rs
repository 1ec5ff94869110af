//! A recall's row and its events (with their ledger leaves) are one transaction, on each
//! backend: a trigger made with plain SQL refuses every insert into `recall`, and the
//! recall's events are then not stored either.

use anxin_store_tests::backends::on_postgres;
use anxin_store_tests::recall::{a_failed_recall_row_leaves_no_events, a_recall_is_stored_whole};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recall_is_stored_whole_or_not_at_all_on_sqlite() {
    let folder = std::env::temp_dir().join(format!("anxin-recall-atomic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let path = folder.join("anxin.db");
    let store = anxin_store_sqlite::SqliteStore::open(&path)
        .await
        .expect("open");
    let admin = a_recall_is_stored_whole(&store).await;
    let conn = rusqlite::Connection::open(&path).expect("plain connection");
    conn.execute_batch(
        "CREATE TRIGGER refuse_recall BEFORE INSERT ON recall \
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
    )
    .expect("trigger");
    a_failed_recall_row_leaves_no_events(&store, &admin, || async {
        conn.execute_batch("DROP TRIGGER refuse_recall;")
            .expect("drop trigger");
    })
    .await;
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recall_is_stored_whole_or_not_at_all_on_postgres() {
    on_postgres("recall", |store, url, schema| async move {
        let admin = a_recall_is_stored_whole(&store).await;
        let mut config: tokio_postgres::Config = url.parse().unwrap();
        config.options(format!("-c search_path={schema}"));
        let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(
                "CREATE FUNCTION refuse_recall() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; \
                 CREATE TRIGGER refuse_recall BEFORE INSERT ON recall \
                 FOR EACH ROW EXECUTE FUNCTION refuse_recall();",
            )
            .await
            .expect("trigger");
        a_failed_recall_row_leaves_no_events(&store, &admin, || async {
            client
                .batch_execute("DROP TRIGGER refuse_recall ON recall;")
                .await
                .expect("drop trigger");
        })
        .await;
    })
    .await;
}

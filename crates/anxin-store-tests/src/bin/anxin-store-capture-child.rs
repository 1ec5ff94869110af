//! A child process for the SIGKILL test: captures generated documents into a SQLite store
//! one after another and prints `succeeded JOB_ID N_STORED` after each job the store reports
//! succeeded, so that the parent knows which jobs were promised before it kills the child.
//!
//! Usage: `anxin-store-capture-child DB_PATH N_DOCUMENTS EVENTS_PER_DOCUMENT`.

use std::io::Write;

use anxin_store::{
    AccountStore, CaptureInput, ErrorBehaviour, EventStore, NewAccount, Role, Store, Viewer,
};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, n_documents, per_document] = args.as_slice() else {
        eprintln!("usage: anxin-store-capture-child DB_PATH N_DOCUMENTS EVENTS_PER_DOCUMENT");
        std::process::exit(2);
    };
    let n_documents: u32 = n_documents.parse().expect("N_DOCUMENTS");
    let per_document: u32 = per_document.parse().expect("EVENTS_PER_DOCUMENT");
    let store = anxin_store_sqlite::SqliteStore::open(path)
        .await
        .expect("open store");
    let admin = NewAccount {
        name: "kill test".into(),
        role: Role::Admin,
        party: None,
        region: None,
    };
    let (account, _token) = store.create_account(admin).await.expect("account");
    let viewer = Viewer::new(account);
    let pid = std::process::id();
    for document_idx in 0..n_documents {
        let events = (0..per_document)
            .map(|event_idx| {
                let serial =
                    (pid % 1000) * 1_000_000 + document_idx * per_document * 2 + event_idx * 2;
                anxin_store_tests::fixtures::commissioning(serial, 2, "2026-03-01T08:00:00+08:00")
            })
            .collect();
        let input = CaptureInput::new(anxin_store_tests::fixtures::header(), events);
        let job = store
            .start_job(&viewer, ErrorBehaviour::Rollback, "kill test")
            .await
            .expect("job");
        let job = store
            .capture(&viewer, &job.job_id, input)
            .await
            .expect("capture");
        let mut out = std::io::stdout().lock();
        writeln!(out, "succeeded {} {}", job.job_id, job.n_stored).expect("stdout");
        out.flush().expect("stdout");
    }
    let _ = store.backend();
}

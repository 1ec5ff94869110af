//! A capture process killed with SIGKILL loses no event of a job it reported succeeded and
//! leaves no half-stored document; on reopening, the interrupted job is failed with a reason.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_capture_leaves_whole_documents_or_nothing() {
    let folder = std::env::temp_dir().join(format!("anxin-store-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let path = folder.join("anxin.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_anxin-store-capture-child"))
        .args([path.to_str().expect("path"), "1000", "400"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the capture child");
    let mut promised = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    while promised.len() < 5 {
        let line = lines
            .next()
            .expect("the child stopped early")
            .expect("line");
        let mut words = line.split_whitespace().skip(1);
        promised.push((
            words.next().expect("job").to_owned(),
            words.next().expect("n").parse::<i64>().expect("n"),
        ));
    }
    // Let the next document get under way, then kill without warning.
    std::thread::sleep(std::time::Duration::from_millis(30));
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");

    let store = anxin_store_sqlite::SqliteStore::open(&path)
        .await
        .expect("reopen");
    let conn = rusqlite::Connection::open(&path).expect("inspect");
    let mut statement = conn
        .prepare(
            "SELECT j.job_id, j.state, j.n_stored, j.errors, \
             (SELECT count(*) FROM event e WHERE e.job_id = j.job_id) FROM capture_job j",
        )
        .expect("prepare");
    let jobs: Vec<(String, String, i64, String, i64)> = statement
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (job_id, state, n_stored, errors, n_present) in &jobs {
        match state.as_str() {
            "succeeded" => assert_eq!(
                n_present, n_stored,
                "job {job_id} succeeded with all its events"
            ),
            "failed" => {
                assert_eq!(*n_present, 0, "job {job_id} failed and left nothing");
                assert!(errors.contains("interrupted"), "{errors}");
            }
            other => panic!("job {job_id} is still {other} after reopening"),
        }
    }
    let n_interrupted = jobs.iter().filter(|job| job.1 == "failed").count();
    println!(
        "{} jobs, {} promised, {n_interrupted} interrupted and failed on reopening",
        jobs.len(),
        promised.len()
    );
    for (job_id, n_stored) in &promised {
        let found = jobs
            .iter()
            .find(|job| &job.0 == job_id)
            .expect("a promised job exists");
        assert_eq!(
            (found.1.as_str(), found.4),
            ("succeeded", *n_stored),
            "a promised job keeps its events"
        );
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

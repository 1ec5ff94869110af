//! The store commands end to end: `anxin account`, `anxin capture` (and a capture killed
//! with SIGKILL half-way), `anxin migrate`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use super::{anxin, temp_dir, text};

fn create_account(db: &str) -> (String, String) {
    let output = anxin(&[
        "account",
        "create",
        "--name",
        "深圳乳业",
        "--role",
        "manufacturer",
        "--party",
        "urn:epc:id:pgln:6901234.00000",
        "--region",
        "440305",
        "--db",
        db,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let token = stdout
        .lines()
        .find_map(|line| line.strip_prefix("token: "))
        .expect("a token line")
        .to_owned();
    let id = stdout
        .split_whitespace()
        .nth(1)
        .expect("an account number")
        .to_owned();
    (id, token)
}

fn sample(dir: &Path, seed: u32, n_events: u32) -> String {
    let path = dir.join(format!("sample-{seed}.jsonld"));
    let output = anxin(&[
        "epcis",
        "sample",
        "--events",
        &n_events.to_string(),
        "--seed",
        &seed.to_string(),
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_document_is_captured_once_and_a_revoked_token_is_refused() {
    let dir = temp_dir("store-capture");
    let db = format!("sqlite://{}", dir.join("anxin.db").display());
    let (account_id, token) = create_account(&db);
    let file = sample(&dir, 1, 50);
    let capture = || {
        Command::new(env!("CARGO_BIN_EXE_anxin"))
            .args(["capture", &file, "--db", &db])
            .env("ANXIN_TOKEN", &token)
            .output()
            .expect("anxin runs")
    };
    let first = capture();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("succeeded: 50 stored, 0 already stored"),
        "{}",
        text(&first.stdout)
    );
    let second = capture();
    assert!(
        text(&second.stdout).contains("succeeded: 0 stored, 50 already stored"),
        "{}",
        text(&second.stdout)
    );
    let revoked = anxin(&["account", "revoke", &account_id, "--db", &db]);
    assert_eq!(revoked.status.code(), Some(0));
    let refused = capture();
    assert_ne!(refused.status.code(), Some(0));
    assert!(
        text(&refused.stderr).contains("unknown or revoked"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn a_capture_killed_half_way_keeps_every_promised_job_and_no_half_document() {
    let dir = temp_dir("store-kill");
    let db_path = dir.join("anxin.db");
    let db = format!("sqlite://{}", db_path.display());
    let (_, token) = create_account(&db);
    let files: Vec<String> = (1..=6).map(|seed| sample(&dir, seed, 3000)).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .arg("capture")
        .args(&files)
        .args(["--db", &db])
        .env("ANXIN_TOKEN", &token)
        .stdout(Stdio::piped())
        .spawn()
        .expect("anxin capture starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let promised: Vec<String> = (0..2)
        .map(|_| {
            let line = lines.next().expect("a job line").unwrap();
            assert!(line.contains(" succeeded: "), "{line}");
            line.split_whitespace().nth(2).unwrap().to_owned()
        })
        .collect();
    // Let the next file be read and stored for a moment, then kill without warning.
    std::thread::sleep(std::time::Duration::from_millis(150));
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let migrate = anxin(&["migrate", "--db", &db]);
    assert_eq!(
        migrate.status.code(),
        Some(0),
        "reopening finishes interrupted jobs"
    );
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    let mut statement = conn
        .prepare("SELECT j.job_id, j.state, j.n_stored, (SELECT count(*) FROM event e WHERE e.job_id = j.job_id) FROM capture_job j")
        .unwrap();
    let jobs: Vec<(String, String, i64, i64)> = statement
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (job_id, state, n_stored, n_present) in &jobs {
        match state.as_str() {
            "succeeded" => assert_eq!(n_present, n_stored, "job {job_id} has all its events"),
            "failed" => assert_eq!(*n_present, 0, "job {job_id} left nothing"),
            other => panic!("job {job_id} is still {other}"),
        }
    }
    let n_failed = jobs.iter().filter(|job| job.1 == "failed").count();
    println!(
        "{} jobs, {} promised, {n_failed} interrupted",
        jobs.len(),
        promised.len()
    );
    for job_id in &promised {
        let job = jobs
            .iter()
            .find(|job| &job.0 == job_id)
            .expect("a promised job is stored");
        assert_eq!(
            (job.1.as_str(), job.3),
            ("succeeded", job.2),
            "job {job_id} keeps its events"
        );
    }
    assert!(
        jobs.len() < files.len() + 1,
        "the capture was killed before its last file"
    );
}

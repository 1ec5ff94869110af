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

#[test]
fn the_ledger_verifies_proves_and_names_an_event_edited_behind_its_back() {
    let dir = temp_dir("store-ledger");
    let _ = std::fs::remove_dir_all(dir.join("data"));
    let db_path = dir.join("data").join("anxin.db");
    let db = format!("sqlite://{}", db_path.display());
    let (_, token) = create_account(&db);
    let file = sample(&dir, 7, 20);
    let captured = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(["capture", &file, "--db", &db])
        .env("ANXIN_TOKEN", &token)
        .output()
        .expect("anxin runs");
    assert_eq!(
        captured.status.code(),
        Some(0),
        "{}",
        text(&captured.stderr)
    );

    // The first head makes the key in the SQLite file's folder, private to its owner.
    let sth = anxin(&["ledger", "sth", "--db", &db, "--format", "json"]);
    assert_eq!(sth.status.code(), Some(0), "{}", text(&sth.stderr));
    let head: serde_json::Value = serde_json::from_slice(&sth.stdout).unwrap();
    assert_eq!(head["treeSize"], 20);
    let key_file = dir.join("data").join("ledger-key.pem");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(text(&sth.stderr).contains("made the ledger's signing key"));

    let verified = anxin(&["ledger", "verify", "--db", &db]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    assert!(
        text(&verified.stdout).contains("yes"),
        "{}",
        text(&verified.stdout)
    );

    // A proof for leaf 7's event, in every format.
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    let (seq, hash_id): (i64, String) = conn
        .query_row(
            "SELECT event_seq, hash_id FROM ledger_leaf WHERE leaf_index = 7",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let proof = anxin(&["ledger", "proof", &hash_id, "--db", &db, "--format", "json"]);
    assert_eq!(proof.status.code(), Some(0), "{}", text(&proof.stderr));
    let proof: anxin_ledger::api::InclusionProofJson =
        serde_json::from_slice(&proof.stdout).unwrap();
    assert_eq!(proof.leaves[0].leaf_index, 7);
    let (key, _) = anxin_server::ledger::load_or_create_key(&dir.join("data")).unwrap();
    proof
        .verify(&key.public())
        .expect("the printed proof verifies");
    let csv = anxin(&["ledger", "proof", &hash_id, "--db", &db, "--format", "csv"]);
    let csv = text(&csv.stdout);
    assert!(csv.starts_with("tree_size,root_hash,leaf_index"), "{csv}");
    assert_eq!(csv.lines().count(), 1 + proof.leaves[0].audit_path.len());
    let table = anxin(&["ledger", "proof", &hash_id, "--db", &db]);
    assert!(
        text(&table.stdout).contains("audit path 0"),
        "{}",
        text(&table.stdout)
    );
    let unknown = anxin(&["ledger", "proof", "ni:///sha-256;nothing", "--db", &db]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("no event with eventID or hash ID ni:///sha-256;nothing")
    );

    // Edit that event's body with plain SQL: verify exits 1 and names it.
    conn.execute(
        "UPDATE event SET body = body || ' ' WHERE event_seq = ?1",
        [seq],
    )
    .unwrap();
    let refused = anxin(&["ledger", "verify", "--db", &db, "--format", "json"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
    let verdict: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(verdict["verified"], false);
    assert_eq!(verdict["leafIndex"], 7);
    assert_eq!(verdict["hashID"], hash_id.as_str());
    assert_eq!(verdict["field"], "body");
    let table = anxin(&["ledger", "verify", "--db", &db]);
    assert_eq!(table.status.code(), Some(1));
    assert!(text(&table.stderr).contains(&format!("leaf 7 ({hash_id}): body differs")));
    let csv = anxin(&["ledger", "verify", "--db", &db, "--format", "csv"]);
    assert!(
        text(&csv.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("no,7,")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Only a place's owner describes it: a manufacturer's description of a warehouse that is not
/// yet its own is not kept (and the capture says so); once `anxin account add-location`
/// makes it the manufacturer's, the same document's description is kept; another party
/// cannot then take the place.
#[test]
fn a_place_is_described_only_once_it_is_the_party_s_own() {
    let dir = temp_dir("store-add-location");
    let db_path = dir.join("anxin.db");
    let db = format!("sqlite://{}", db_path.display());
    let (_, token) = create_account(&db);
    let warehouse = "urn:epc:id:sgln:6901234.00001.0";
    let document = serde_json::json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T08:00:00+08:00",
        "epcisHeader": {"epcisMasterData": {"vocabularyList": [{
            "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
            "vocabularyElementList": [{
                "id": warehouse,
                "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "二号仓"}]
            }]
        }]}},
        "epcisBody": {"eventList": []}
    });
    let file = dir.join("master-data.jsonld");
    std::fs::write(&file, document.to_string()).unwrap();
    let capture = || {
        let output = Command::new(env!("CARGO_BIN_EXE_anxin"))
            .args(["capture", file.to_str().unwrap(), "--db", &db])
            .env("ANXIN_TOKEN", &token)
            .output()
            .expect("anxin runs");
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    let name = || -> Option<String> {
        let connection = rusqlite::Connection::open(&db_path).unwrap();
        connection
            .query_row(
                "SELECT name FROM location WHERE gln = '6901234000016'",
                [],
                |row| row.get(0),
            )
            .ok()
    };

    let before = capture();
    assert!(
        before.contains(warehouse)
            && before.contains("belongs to no party on the platform")
            && before.contains("not kept"),
        "{before}"
    );
    assert_eq!(name(), None);

    let added = anxin(&[
        "account",
        "add-location",
        warehouse,
        "--party",
        "urn:epc:id:pgln:6901234.00000",
        "--db",
        &db,
    ]);
    assert_eq!(added.status.code(), Some(0), "{}", text(&added.stderr));
    assert!(
        text(&added.stdout).contains("location 6901234000016 belongs to party 6901234000009"),
        "{}",
        text(&added.stdout)
    );
    let after = capture();
    assert!(!after.contains("not kept"), "{after}");
    assert_eq!(name().as_deref(), Some("二号仓"));

    let taken = anxin(&[
        "account",
        "add-location",
        warehouse,
        "--party",
        "urn:epc:id:pgln:6905555.00000",
        "--db",
        &db,
    ]);
    assert_eq!(taken.status.code(), Some(1));
    assert!(
        text(&taken.stderr).contains("already belongs to party 6901234000009"),
        "{}",
        text(&taken.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

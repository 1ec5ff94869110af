//! `anxin sim` end to end: the same seed writes the same bytes, every document it writes
//! passes `anxin epcis validate`, its hash IDs agree with the reference implementation on a
//! sample, and a capture into SQLite stores every event.

use std::path::{Path, PathBuf};

use super::{anxin, differential, temp_dir, text};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn simulate(dir: &Path, seed: &str, format: &str) {
    let output = anxin(&[
        "sim",
        "--scale",
        "tiny",
        "--seed",
        seed,
        "--format",
        format,
        "--trouble",
        "counterfeit=20",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("made 3000 cans"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_another_seed_does_not() {
    let base = temp_dir("sim-same");
    let (first, second, other) = (base.join("a"), base.join("b"), base.join("c"));
    simulate(&first, "5", "json");
    simulate(&second, "5", "json");
    simulate(&other, "6", "json");
    let (a, b) = (files(&first), files(&second));
    assert_eq!(a.len(), b.len());
    assert!(a.len() > 3);
    for (left, right) in a.iter().zip(&b) {
        assert_eq!(left.strip_prefix(&first), right.strip_prefix(&second));
        assert_eq!(std::fs::read(left).unwrap(), std::fs::read(right).unwrap());
    }
    assert_ne!(
        std::fs::read(first.join("manifest.json")).unwrap(),
        std::fs::read(other.join("manifest.json")).unwrap()
    );
    let again = anxin(&["sim", "--seed", "5", "--out", first.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(3), "a folder in use is refused");
    assert!(text(&again.stderr).contains("is not empty"));
}

#[test]
fn every_document_written_is_valid_in_both_syntaxes() {
    for format in ["json", "xml"] {
        let dir = temp_dir(&format!("sim-valid-{format}"));
        simulate(&dir, "9", format);
        let documents: Vec<String> = files(&dir)
            .into_iter()
            .filter(|path| {
                path.extension()
                    .is_some_and(|ext| ext == "jsonld" || ext == "xml")
            })
            .map(|path| path.to_str().unwrap().to_owned())
            .collect();
        let mut args = vec!["epcis", "validate"];
        args.extend(documents.iter().map(String::as_str));
        let output = anxin(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}{}",
            text(&output.stdout),
            text(&output.stderr)
        );
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        let events = manifest["counts"]["events"].as_u64().unwrap();
        let said: u64 = text(&output.stdout)
            .lines()
            .filter_map(|line| line.split("valid (").nth(1))
            .filter_map(|rest| rest.split(' ').next()?.parse::<u64>().ok())
            .sum();
        assert_eq!(said, events);
    }
}

#[test]
fn hash_ids_of_simulated_documents_agree_with_the_reference_on_a_sample() {
    for format in ["json", "xml"] {
        let dir = temp_dir(&format!("sim-hash-{format}"));
        simulate(&dir, "11", format);
        // A sample: every third upload (about a third of the events of a tiny world).
        let sample: Vec<String> = files(&dir.join("events"))
            .into_iter()
            .step_by(3)
            .map(|path| path.to_str().unwrap().to_owned())
            .collect();
        let args: Vec<&str> = sample.iter().map(String::as_str).collect();
        let Some(output) = differential(&args) else {
            return;
        };
        let stdout = text(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{stdout}\n{}",
            text(&output.stderr)
        );
        assert!(stdout.contains("mismatches               0"), "{stdout}");
        assert!(!stdout.contains("agree                    0\n"), "{stdout}");
    }
}

#[test]
fn a_world_captured_into_sqlite_stores_every_event() {
    let dir = temp_dir("sim-db");
    let db = format!("sqlite://{}", dir.join("sim.db").display());
    let tokens = dir.join("tokens.json");
    let manifest = dir.join("manifest.json");
    let output = anxin(&[
        "sim",
        "--cans",
        "1200",
        "--seed",
        "3",
        "--db",
        &db,
        "--tokens",
        tokens.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    let events = manifest["counts"]["events"].as_u64().unwrap();
    assert!(
        text(&output.stdout).contains(&format!("stored {events} events")),
        "{}",
        text(&output.stdout)
    );
    let tokens: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&tokens).unwrap()).unwrap();
    assert_eq!(
        tokens.len() as u64,
        manifest["counts"]["parties"].as_u64().unwrap()
    );
    assert!(tokens.iter().all(|token| {
        token["token"].as_str().unwrap().starts_with("ax_")
            && token["gln"].as_str().unwrap().len() == 13
    }));
    let listed = anxin(&["account", "list", "--db", &db]);
    let listed = text(&listed.stdout);
    for token in &tokens {
        let name = token["name"].as_str().unwrap();
        assert!(listed.contains(name), "{name} has an account");
    }
}

#[test]
fn bad_sim_arguments_are_refused_with_the_reason() {
    let dir = temp_dir("sim-bad");
    let out = dir.join("x");
    let out = out.to_str().unwrap();
    for (args, says) in [
        (vec!["sim", "--seed", "1"], "--db URL or --out DIR"),
        (
            vec!["sim", "--seed", "1", "--scale", "huge", "--out", out],
            "--scale must be",
        ),
        (
            vec!["sim", "--seed", "1", "--trouble", "fire=5", "--out", out],
            "is not a trouble",
        ),
        (
            vec![
                "sim",
                "--seed",
                "1",
                "--trouble",
                "counterfeit=500",
                "--out",
                out,
            ],
            "0 to 100",
        ),
        (
            vec!["sim", "--seed", "1", "--start", "2026-13-01", "--out", out],
            "is not a date",
        ),
    ] {
        let output = anxin(&args);
        assert_ne!(output.status.code(), Some(0), "{args:?}");
        assert!(
            text(&output.stderr).contains(says),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
}

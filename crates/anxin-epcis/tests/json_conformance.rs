//! Reads every JSON-LD example GS1 publishes for EPCIS 2.0 (standard and simplified context)
//! and checks that it reads without a fatal error or a problem, and that writing it and
//! reading it again gives events of the same meaning and an equal header.
//!
//! The examples are not part of this repository: set `ANXIN_CONFORMANCE_DIR` to the folder
//! that holds GS1's `JSON/` and `JSON-simple-context/` folders. Without it the test prints
//! "skipped" and passes; with it set to a folder that does not exist it fails. Examples that
//! are genuinely invalid are listed in [`INVALID`] with the reason, and the test checks that
//! they fail in exactly that way.

use std::path::{Path, PathBuf};

use anxin_epcis::{Document, Format, Limits, ReadError, json, read_document};

/// What an invalid example is expected to give.
enum Expect {
    /// One event is refused with a problem whose message contains this text.
    EventProblem(&'static str),
    /// Reading stops with a syntax error whose message contains this text.
    Fatal(&'static str),
}

/// The examples that are not valid EPCIS 2.0 JSON-LD, with the reason.
const INVALID: &[(&str, Expect, &str)] = &[
    (
        "JSON/AssociationEvent/AssociationEvent-h.jsonld",
        Expect::EventProblem("`eventID` appears twice"),
        "the second event has two `eventID` members (an `ni:` hash ID, then a UUID); duplicate members are refused",
    ),
    (
        "JSON-simple-context/AssociationEvent/AssociationEvent-h.jsonld",
        Expect::EventProblem("`eventID` appears twice"),
        "the same duplicate `eventID` as its standard-context twin",
    ),
    (
        "JSON/WithFullCombinationOfFields/transformation_event_all_possible_fields.jsonld",
        Expect::Fatal("`cbvmda` is defined by the EPCIS @context"),
        "its @context redeclares `cbvmda`, which the EPCIS context protects (JSON-LD processors refuse it too)",
    ),
    (
        "JSON-simple-context/WithSensorData/SensorDataExample12.jsonld",
        Expect::Fatal("no `schemaVersion`"),
        "the document has neither `schemaVersion` nor `creationDate`, which EPCIS 2.0 requires",
    ),
];

#[test]
fn every_gs1_json_example_reads_and_round_trips() {
    let Some(root) = std::env::var_os("ANXIN_CONFORMANCE_DIR") else {
        println!("skipped: ANXIN_CONFORMANCE_DIR is not set");
        return;
    };
    let root = PathBuf::from(root);
    assert!(
        root.is_dir(),
        "ANXIN_CONFORMANCE_DIR={} is not a folder",
        root.display()
    );
    let mut files = Vec::new();
    for folder in ["JSON", "JSON-simple-context"] {
        collect(&root.join(folder), &mut files);
    }
    assert!(
        !files.is_empty(),
        "no .jsonld files under {}",
        root.display()
    );
    files.sort();

    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let outcome = match INVALID.iter().find(|(invalid, ..)| *invalid == name) {
            Some((_, expect, _)) => check_invalid(file, expect),
            None => check_valid(file),
        };
        if let Err(message) = outcome {
            failures.push(format!("{name}: {message}"));
        }
    }
    for (invalid, ..) in INVALID {
        assert!(
            files.iter().any(|file| file.ends_with(invalid)),
            "{invalid} is listed as invalid but was not found"
        );
    }
    println!("checked {} examples", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn collect(folder: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", folder.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "jsonld")
        {
            files.push(path);
        }
    }
}

fn read_file(file: &Path) -> Result<anxin_epcis::ReadDocument, ReadError> {
    let bytes = std::fs::read(file).unwrap();
    read_document(bytes.as_slice(), Format::Json, &Limits::default())
}

fn check_valid(file: &Path) -> Result<(), String> {
    let read = read_file(file).map_err(|error| format!("fatal: {error}"))?;
    if let Some(problem) = read.problems.first() {
        return Err(format!(
            "{} problems, the first: {problem}",
            read.problems.len()
        ));
    }
    if read.document.events.is_empty() {
        return Err("no events".into());
    }
    let mut written = Vec::new();
    json::write_document(&mut written, &read.document).map_err(|error| error.to_string())?;
    let again = read_document(written.as_slice(), Format::Json, &Limits::default())
        .map_err(|error| format!("the written document does not read: {error}"))?;
    if let Some(problem) = again.problems.first() {
        return Err(format!(
            "the written document has problems, the first: {problem}"
        ));
    }
    compare(&read.document, &again.document)
}

fn compare(first: &Document, second: &Document) -> Result<(), String> {
    if first.header != second.header {
        return Err(format!(
            "the header changed:\n{:#?}\n{:#?}",
            first.header, second.header
        ));
    }
    if first.events.len() != second.events.len() {
        return Err("the number of events changed".into());
    }
    for (index, (before, after)) in first.events.iter().zip(&second.events).enumerate() {
        if !before.same_meaning(after) {
            return Err(format!("event {index} changed:\n{before:#?}\n{after:#?}"));
        }
    }
    Ok(())
}

fn check_invalid(file: &Path, expect: &Expect) -> Result<(), String> {
    match (read_file(file), expect) {
        (Ok(read), Expect::EventProblem(text)) => {
            if read
                .problems
                .iter()
                .any(|problem| problem.message.contains(text))
            {
                Ok(())
            } else {
                Err(format!(
                    "expected a problem containing {text:?}, got {:?}",
                    read.problems
                ))
            }
        }
        (Err(ReadError::Syntax { message, .. }), Expect::Fatal(text)) if message.contains(text) => {
            Ok(())
        }
        (outcome, _) => Err(format!(
            "not the expected failure: {:?}",
            outcome.map(|read| read.problems)
        )),
    }
}

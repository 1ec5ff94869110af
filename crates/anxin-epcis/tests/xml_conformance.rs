//! The XML codec against GS1's own EPCIS 2.0 XML examples.
//!
//! The examples are not part of this repository (see the conformance folder's `SOURCE.md` for
//! their terms); these tests read them from `$ANXIN_CONFORMANCE_DIR/XML` when that variable
//! is set, and say that they were skipped otherwise. Each example must read without a fatal
//! error, without problems unless it is listed in [`INVALID`] with the reason, and must come
//! back the same after writing it as XML and reading it again.

use std::path::{Path, PathBuf};

use anxin_epcis::xml;
use anxin_epcis::{Format, Limits, ReadDocument, read_document};

/// Examples that are genuinely wrong, with what is wrong: they must still read without a
/// fatal error, but some of their events are reported with problems.
/// None today: `SensorDataExamples.xml` puts `bizRules` on a sensorReport, which the XSD
/// has on sensorMetadata only, but the JSON schema allows it there and the model keeps it.
const INVALID: &[(&str, &str)] = &[];

/// Folders under `XML/` that hold no EPCIS documents.
const SKIPPED: &[(&str, &str)] = &[(
    "XML/CaptureJob",
    "capture-job resources of the REST binding, not EPCIS documents",
)];

/// The conformance folder, or `None` (having said so) when the variable is not set. A
/// variable that names no folder is a broken setup, not a reason to skip.
fn conformance_dir() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("ANXIN_CONFORMANCE_DIR") else {
        println!("skipped: ANXIN_CONFORMANCE_DIR is not set");
        return None;
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "ANXIN_CONFORMANCE_DIR is set to {}, which is not a folder",
        dir.display()
    );
    Some(dir)
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            xml_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "xml") {
            out.push(path);
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[track_caller]
fn read_xml(name: &str, bytes: &[u8]) -> ReadDocument {
    read_document(bytes, Format::Xml, &Limits::default())
        .unwrap_or_else(|err| panic!("{name}: fatal error: {err}"))
}

/// Writes `read` as XML, reads it back, and checks that nothing changed.
#[track_caller]
fn assert_round_trips(name: &str, read: &ReadDocument) {
    let mut written = Vec::new();
    xml::write_document(&mut written, &read.document)
        .unwrap_or_else(|err| panic!("{name}: writing failed: {err}"));
    let again =
        read_document(written.as_slice(), Format::Xml, &Limits::default()).unwrap_or_else(|err| {
            panic!(
                "{name}: the written document does not read: {err}\n{}",
                String::from_utf8_lossy(&written)
            )
        });
    assert!(
        again.problems.is_empty(),
        "{name}: the written document has problems: {:?}\n{}",
        again.problems,
        String::from_utf8_lossy(&written)
    );
    assert_eq!(
        again.document.header, read.document.header,
        "{name}: the header changed"
    );
    assert_eq!(
        again.document.events.len(),
        read.document.events.len(),
        "{name}: the number of events changed"
    );
    for (index, (before, after)) in read
        .document
        .events
        .iter()
        .zip(&again.document.events)
        .enumerate()
    {
        assert!(
            before.same_meaning(after),
            "{name}: event {index} changed\nbefore: {before:#?}\nafter: {after:#?}"
        );
    }
}

#[test]
fn every_epcis_2_xml_example_reads_and_round_trips() {
    let Some(root) = conformance_dir() else {
        return;
    };
    let mut files = Vec::new();
    xml_files(&root.join("XML"), &mut files);
    assert!(
        !files.is_empty(),
        "no XML examples under {}",
        root.display()
    );
    let mut n_read = 0;
    for path in &files {
        let name = relative(&root, path);
        if let Some((_, reason)) = SKIPPED.iter().find(|(dir, _)| name.starts_with(dir)) {
            println!("skipped {name}: {reason}");
            continue;
        }
        let bytes = std::fs::read(path).expect("a readable example");
        let read = read_xml(&name, &bytes);
        match INVALID.iter().find(|(invalid, _)| *invalid == name) {
            Some((_, reason)) => assert!(
                !read.problems.is_empty(),
                "{name} is listed as invalid ({reason}) but reads without problems"
            ),
            None => assert!(
                read.problems.is_empty(),
                "{name} has problems: {:#?}",
                read.problems
            ),
        }
        assert_round_trips(&name, &read);
        n_read += 1;
    }
    println!("{n_read} examples read and round-tripped");
}

#[test]
fn epcis_1_2_examples_read_on_a_best_effort_basis() {
    let Some(root) = conformance_dir() else {
        return;
    };
    let mut files = Vec::new();
    xml_files(&root.join("XSL/1.2/XML"), &mut files);
    for path in &files {
        let name = relative(&root, path);
        let bytes = std::fs::read(path).expect("a readable example");
        let read = read_xml(&name, &bytes);
        for problem in &read.problems {
            println!("{name}: {problem}");
        }
        assert!(
            !read.document.events.is_empty(),
            "{name}: no event could be read"
        );
        assert_round_trips(&name, &read);
    }
}

//! The `anxin` binary end to end: exit codes, messages with places, conversions, and the
//! differential check of hash IDs against the reference implementation.

use std::path::PathBuf;
use std::process::{Command, Output};

#[path = "cli/demo.rs"]
mod demo;
#[path = "cli/lab.rs"]
mod lab;
#[path = "cli/quality.rs"]
mod quality;
#[path = "cli/serve.rs"]
mod serve;
#[path = "cli/sim.rs"]
mod sim;
#[path = "cli/store.rs"]
mod store;
#[path = "cli/trace.rs"]
mod trace;

fn anxin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(args)
        .output()
        .expect("anxin runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anxin-cli-test-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const VALID: &str = r#"{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
               {"anxin": "https://anxin.example.cn/epcis/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-20T08:00:00+08:00",
  "epcisBody": {"eventList": [{
    "type": "ObjectEvent", "eventTime": "2026-11-20T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
    "epcList": ["urn:epc:id:sgtin:6901234.056789.A7"], "action": "ADD", "bizStep": "commissioning",
    "disposition": "active", "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    "ilmd": {"anxin:lot": "B2026112"}
  }]}
}"#;

#[test]
fn a_valid_document_exits_zero() {
    let dir = temp_dir("valid");
    let path = dir.join("valid.jsonld");
    std::fs::write(&path, VALID).unwrap();
    let output = anxin(&["epcis", "validate", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("valid (1 events)"));
}

#[test]
fn an_invalid_document_exits_one_and_names_every_place() {
    let dir = temp_dir("invalid");
    let path = dir.join("invalid.jsonld");
    let broken = VALID
        .replace("\"commissioning\"", "\"comissioning\"")
        .replace(
            "6901234.056789.A7\"]",
            "6901234.056789.A7\", \"https://id.gs1.org/01/06901234567891/21/X\"]",
        );
    std::fs::write(&path, broken).unwrap();
    let output = anxin(&["epcis", "validate", path.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("/epcisBody/eventList/0/bizStep"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `commissioning`"), "{stderr}");
    assert!(
        stderr.contains("/epcisBody/eventList/0/epcList/1"),
        "{stderr}"
    );
    assert!(stderr.contains("check digit"), "{stderr}");
}

#[test]
fn malformed_json_exits_one_with_line_and_column() {
    let dir = temp_dir("malformed");
    let path = dir.join("malformed.jsonld");
    std::fs::write(
        &path,
        "{\n  \"type\": \"EPCISDocument\",\n  \"epcisBody\": [,\n}",
    )
    .unwrap();
    let output = anxin(&["epcis", "validate", path.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
}

#[test]
fn a_missing_file_exits_three() {
    let output = anxin(&["epcis", "validate", "/nonexistent/anxin/file.jsonld"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(text(&output.stderr).contains("cannot open"));
}

#[test]
fn convert_to_xml_and_back_keeps_the_hash_ids() {
    let dir = temp_dir("convert");
    let json = dir.join("doc.jsonld");
    let xml = dir.join("doc.xml");
    let back = dir.join("back.jsonld");
    let sample = anxin(&[
        "epcis",
        "sample",
        "--events",
        "50",
        "--seed",
        "3",
        "-o",
        json.to_str().unwrap(),
    ]);
    assert_eq!(sample.status.code(), Some(0), "{}", text(&sample.stderr));
    let to_xml = anxin(&[
        "epcis",
        "convert",
        json.to_str().unwrap(),
        "--to",
        "xml",
        "-o",
        xml.to_str().unwrap(),
    ]);
    assert_eq!(to_xml.status.code(), Some(0), "{}", text(&to_xml.stderr));
    let to_json = anxin(&[
        "epcis",
        "convert",
        xml.to_str().unwrap(),
        "--to",
        "json",
        "-o",
        back.to_str().unwrap(),
    ]);
    assert_eq!(to_json.status.code(), Some(0), "{}", text(&to_json.stderr));
    let hashes: Vec<String> = [&json, &xml, &back]
        .iter()
        .map(|path| {
            let output = anxin(&["epcis", "hash", path.to_str().unwrap()]);
            assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
            text(&output.stdout)
        })
        .collect();
    assert_eq!(hashes[0].lines().count(), 50);
    assert!(
        hashes[0]
            .lines()
            .all(|line| line.starts_with("ni:///sha-256;") && line.ends_with("?ver=CBV2.0"))
    );
    assert_eq!(hashes[0], hashes[1]);
    assert_eq!(hashes[0], hashes[2]);
    for path in [&xml, &back] {
        let output = anxin(&["epcis", "validate", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    }
}

#[test]
fn gs1_parse_prints_every_form() {
    let output = anxin(&[
        "gs1",
        "parse",
        "(01)06901234567892(17)290100(10)B2026112(21)A7",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        value["digitalLink"],
        "https://id.gs1.org/01/06901234567892/21/A7"
    );
    assert_eq!(value["epcUrn"], "urn:epc:id:sgtin:6901234.056789.A7");
    assert_eq!(value["elementString"], "(01)06901234567892(21)A7");
    let elements = value["elements"].as_array().unwrap();
    let expiry = elements
        .iter()
        .find(|element| element["ai"] == "17")
        .unwrap();
    assert_eq!(expiry["date"], "2029-01-31");
}

#[test]
fn gs1_parse_names_the_wrong_check_digit() {
    let output = anxin(&["gs1", "parse", "06901234567891"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("check digit") && stderr.contains("expected 2"),
        "{stderr}"
    );
}

/// Runs `scripts/hash-differential.py` with the Python named by `ANXIN_HASH_REFERENCE`.
fn differential(args: &[&str]) -> Option<Output> {
    let Ok(python) = std::env::var("ANXIN_HASH_REFERENCE") else {
        println!(
            "skipped: ANXIN_HASH_REFERENCE is not set (a Python with epcis-event-hash-generator)"
        );
        return None;
    };
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/hash-differential.py");
    let output = Command::new(python)
        .arg(script)
        .args([
            "--command",
            &format!("{} epcis hash", env!("CARGO_BIN_EXE_anxin")),
        ])
        .args(args)
        .output()
        .expect("the differential script runs");
    Some(output)
}

#[test]
fn hash_ids_agree_with_the_reference_on_the_shared_examples() {
    let Ok(dir) = std::env::var("ANXIN_CONFORMANCE_DIR") else {
        println!("skipped: ANXIN_CONFORMANCE_DIR is not set");
        return;
    };
    let folders: Vec<String> = ["JSON", "JSON-simple-context", "XML"]
        .iter()
        .map(|folder| format!("{dir}/{folder}"))
        .collect();
    let args: Vec<&str> = folders.iter().map(String::as_str).collect();
    let Some(output) = differential(&args) else {
        return;
    };
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

#[test]
fn hash_ids_agree_with_the_reference_on_random_events() {
    let Some(output) = differential(&["--random", "2000", "--seed", "20261126"]) else {
        return;
    };
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

#[test]
fn a_document_over_a_limit_is_refused_with_the_limit_named() {
    let dir = temp_dir("limits");
    for (format, name) in [("json", "five.jsonld"), ("xml", "five.xml")] {
        let path = dir.join(name);
        let path = path.to_str().unwrap();
        let sample = anxin(&[
            "epcis", "sample", "--events", "5", "--format", format, "-o", path,
        ]);
        assert_eq!(sample.status.code(), Some(0), "{}", text(&sample.stderr));
        let output = anxin(&["epcis", "validate", "--max-events", "2", path]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains('2') && stderr.contains("events"),
            "{format}: {stderr}"
        );
        let output = anxin(&["epcis", "validate", "--max-bytes", "300", path]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("300"), "{format}: {stderr}");
    }
}

#[test]
fn xml_problems_are_placed_by_line_and_column() {
    let dir = temp_dir("xml-place");
    let path = dir.join("bad.xml");
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2026-11-20T08:00:00+08:00">
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2026-11-20T08:00:00+08:00</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sgtin:6901234.056789.A7</epc></epcList>
        <action>OBSERVE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:shiping</bizStep>
      </ObjectEvent>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>
"#;
    std::fs::write(&path, xml).unwrap();
    let output = anxin(&["epcis", "validate", path.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 10"), "{stderr}");
    assert!(stderr.contains("did you mean `shipping`"), "{stderr}");
}

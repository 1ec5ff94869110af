//! `anxin trace` and `anxin recall` end to end on SQLite: a chain captured with `anxin
//! capture`, traced both ways in every format, recalled (printed, written as XLSX, then
//! recorded), and the refusals.

use std::process::Command;

use super::{anxin, temp_dir, text};

const CAN_1: &str = "urn:epc:id:sgtin:6901234.012345.1";
const LOT: &str = "urn:epc:class:lgtin:6901234.012345.L26";

const CHAIN: &str = r#"{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-20T08:00:00+08:00",
  "epcisBody": {"eventList": [
    {"type": "TransformationEvent", "eventTime": "2026-11-20T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.099999.MILK7", "quantity": 80, "uom": "KGM"}],
     "outputQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.012345.L26", "quantity": 3}],
     "bizLocation": {"id": "urn:epc:id:sgln:6901234.00000.0"}},
    {"type": "ObjectEvent", "eventTime": "2026-11-20T09:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["urn:epc:id:sgtin:6901234.012345.1", "urn:epc:id:sgtin:6901234.012345.2", "urn:epc:id:sgtin:6901234.012345.3"],
     "action": "ADD", "bizStep": "commissioning", "disposition": "active",
     "bizLocation": {"id": "urn:epc:id:sgln:6901234.00000.0"},
     "ilmd": {"cbvmda:lotNumber": "L26"}},
    {"type": "AggregationEvent", "eventTime": "2026-11-20T10:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "parentID": "urn:epc:id:sscc:6901234.0000000001", "action": "ADD", "bizStep": "packing",
     "childEPCs": ["urn:epc:id:sgtin:6901234.012345.1", "urn:epc:id:sgtin:6901234.012345.2", "urn:epc:id:sgtin:6901234.012345.3"],
     "bizLocation": {"id": "urn:epc:id:sgln:6901234.00000.0"}}
  ]}
}"#;

fn account(db: &str, name: &str, role: &str, party: Option<&str>) -> String {
    let mut args = vec![
        "account", "create", "--name", name, "--role", role, "--region", "440305", "--db", db,
    ];
    if let Some(party) = party {
        args.extend(["--party", party]);
    }
    let output = anxin(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    text(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("token: "))
        .expect("a token line")
        .to_owned()
}

fn run(args: &[&str], token: Option<&str>) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_anxin"));
    command.args(args).env_remove("ANXIN_TOKEN");
    if let Some(token) = token {
        command.env("ANXIN_TOKEN", token);
    }
    command.output().expect("anxin runs")
}

#[test]
fn trace_and_recall_from_the_command_line() {
    let dir = temp_dir("trace");
    let db = format!("sqlite://{}", dir.join("anxin.db").display());
    let maker = account(
        &db,
        "深圳乳业",
        "manufacturer",
        Some("urn:epc:id:pgln:6901234.00000"),
    );
    let shop = account(
        &db,
        "小店",
        "retailer",
        Some("urn:epc:id:pgln:6909876.00000"),
    );
    let file = dir.join("chain.jsonld");
    std::fs::write(&file, CHAIN).unwrap();
    let captured = run(
        &["capture", file.to_str().unwrap(), "--db", &db],
        Some(&maker),
    );
    assert_eq!(
        captured.status.code(),
        Some(0),
        "{}{}",
        text(&captured.stdout),
        text(&captured.stderr)
    );

    // Backward, as the operator and as the maker: the milk lot is the source.
    let table = run(&["trace", CAN_1, "--db", &db], None);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    assert!(
        text(&table.stdout).contains("MILK7"),
        "{}",
        text(&table.stdout)
    );
    let json = run(
        &[
            "trace",
            CAN_1,
            "--backward",
            "--format",
            "json",
            "--db",
            &db,
        ],
        Some(&maker),
    );
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    let trace: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(trace["sources"].as_array().unwrap().len(), 1, "{trace}");
    // Forward from the lot as CSV: a header, the lot, the case and three cans.
    let csv = run(
        &["trace", LOT, "--forward", "--format", "csv", "--db", &db],
        Some(&maker),
    );
    assert_eq!(csv.status.code(), Some(0), "{}", text(&csv.stderr));
    assert_eq!(
        text(&csv.stdout).lines().count(),
        1 + 1 + 1 + 3,
        "{}",
        text(&csv.stdout)
    );

    // A retailer may not trace; an unknown or malformed identifier is explained.
    let refused = run(&["trace", LOT, "--db", &db], Some(&shop));
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("forbidden"),
        "{}",
        text(&refused.stderr)
    );
    let unknown = run(
        &["trace", "urn:epc:id:sgtin:6901234.012345.99", "--db", &db],
        None,
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("no event names"),
        "{}",
        text(&unknown.stderr)
    );
    let malformed = run(&["trace", "(01)06901234123450(21)1", "--db", &db], None);
    assert_eq!(
        malformed.status.code(),
        Some(1),
        "{}",
        text(&malformed.stderr)
    );

    // A recall printed, then written as a workbook, stores nothing.
    let printed = run(
        &[
            "recall", LOT, "--level", "2", "--format", "csv", "--db", &db,
        ],
        Some(&maker),
    );
    assert_eq!(printed.status.code(), Some(0), "{}", text(&printed.stderr));
    assert_eq!(
        text(&printed.stdout).lines().count(),
        1 + 1 + 1 + 3,
        "{}",
        text(&printed.stdout)
    );
    let xlsx = dir.join("recall.xlsx");
    let written = run(
        &[
            "recall",
            LOT,
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().unwrap(),
            "--db",
            &db,
        ],
        Some(&maker),
    );
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let no_out = run(
        &["recall", LOT, "--format", "xlsx", "--db", &db],
        Some(&maker),
    );
    assert_eq!(no_out.status.code(), Some(2));
    let no_token = run(
        &["recall", LOT, "--record", "--reason", "x", "--db", &db],
        None,
    );
    assert_eq!(
        no_token.status.code(),
        Some(2),
        "{}",
        text(&no_token.stderr)
    );

    // Nothing matched: printed, an empty answer that says why; recorded, refused.
    let nothing = "urn:epc:id:sgtin:6901234.012345.98";
    let empty = run(&["recall", nothing, "--db", &db], None);
    assert_eq!(empty.status.code(), Some(0), "{}", text(&empty.stderr));
    assert!(
        text(&empty.stdout).contains("nothing affected")
            && text(&empty.stdout).starts_with("recall preview, not recorded"),
        "{}",
        text(&empty.stdout)
    );
    let admin = account(&db, "运维", "admin", None);
    let refused = run(
        &["recall", nothing, "--record", "--reason", "x", "--db", &db],
        Some(&admin),
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("nothing was recorded"),
        "{}",
        text(&refused.stderr)
    );

    // Recorded: its event marks every can recalled.
    let recorded = run(
        &[
            "recall",
            LOT,
            "--level",
            "1",
            "--reason",
            "阪崎肠杆菌",
            "--record",
            "--db",
            &db,
        ],
        Some(&maker),
    );
    assert_eq!(
        recorded.status.code(),
        Some(0),
        "{}",
        text(&recorded.stderr)
    );
    let out = text(&recorded.stdout);
    assert!(
        out.contains("一级") && out.contains("1 EPCIS events captured"),
        "{out}"
    );
    let after = run(
        &["trace", CAN_1, "--forward", "--format", "json", "--db", &db],
        None,
    );
    let trace: serde_json::Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(trace["cans"][0]["disposition"], "recalled", "{trace}");
}

/// The simulator plants contaminated ingredient lots and writes down, in its manifest, every
/// finished lot and can serial each one reached. Captured into a store, a recall from each of
/// those lots must name exactly those cans: none missing, none extra.
#[test]
fn a_recall_from_each_planted_contaminated_lot_finds_exactly_the_manifests_cans() {
    let dir = temp_dir("sim-recall");
    let db = format!("sqlite://{}", dir.join("anxin.db").display());
    let manifest_path = dir.join("manifest.json");
    let made = run(
        &[
            "sim",
            "--scale",
            "tiny",
            "--seed",
            "11",
            "--trouble",
            "contaminated_ingredient=100",
            "--db",
            &db,
            "--manifest",
            manifest_path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let planted = manifest["contaminated_ingredients"].as_array().unwrap();
    assert!(!planted.is_empty(), "a 100 % rate plants at least one lot");

    for contaminated in planted {
        let lot = contaminated["lot"].as_str().unwrap();
        let mut expected = std::collections::BTreeSet::new();
        let mut expected_lots = std::collections::BTreeSet::new();
        for reached in contaminated["reached"].as_array().unwrap() {
            let gtin = reached["gtin"].as_str().unwrap();
            let first = reached["serial_first"].as_u64().unwrap();
            let last = reached["serial_last"].as_u64().unwrap();
            assert_eq!(last - first + 1, reached["cans"].as_u64().unwrap());
            expected_lots.insert(
                anxin_gs1::canonical_digital_link(reached["lot"].as_str().unwrap()).unwrap(),
            );
            for serial in first..=last {
                expected.insert(format!("https://id.gs1.org/01/{gtin}/21/{serial}"));
            }
        }
        assert!(
            !expected.is_empty(),
            "{lot} reached no cans in the manifest"
        );

        let recalled = run(&["recall", lot, "--format", "json", "--db", &db], None);
        assert_eq!(
            recalled.status.code(),
            Some(0),
            "{}",
            text(&recalled.stderr)
        );
        let answer: serde_json::Value = serde_json::from_slice(&recalled.stdout).unwrap();
        let found: std::collections::BTreeSet<String> = answer["report"]["cans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|can| anxin_gs1::canonical_digital_link(can["id"].as_str().unwrap()).unwrap())
            .collect();
        let missing: Vec<_> = expected.difference(&found).take(5).collect();
        let extra: Vec<_> = found.difference(&expected).take(5).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "recall from {lot}: {} cans expected, {} found; missing e.g. {missing:?}, extra e.g. {extra:?}",
            expected.len(),
            found.len()
        );
        let found_lots: std::collections::BTreeSet<String> = answer["report"]["lots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|lot| anxin_gs1::canonical_digital_link(lot.as_str().unwrap()).unwrap())
            .collect();
        assert!(
            expected_lots.is_subset(&found_lots),
            "recall from {lot}: finished lots {expected_lots:?} not all in {found_lots:?}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

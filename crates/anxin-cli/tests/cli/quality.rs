//! `anxin quality …` and `anxin check label …` end to end, on the example files of
//! `crates/anxin-quality/examples/`.

use super::{anxin, temp_dir, text};

fn example(name: &str) -> String {
    format!(
        "{}/../anxin-quality/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn a_conformant_lot_is_judged_from_its_csv_with_sources() {
    let file = example("infant-lot-results.csv");
    let output = anxin(&[
        "quality",
        "judge",
        &file,
        "--product-type",
        "infant",
        "--produced",
        "2026-10-01",
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    assert!(stdout.starts_with("verdict: conformant"), "{stdout}");
    assert!(stdout.contains("GB 2762-2025, Table 1"), "{stdout}");
    // JSON for programs; a lot made before GB 10765-2021 is incomplete (the 2010 table is not in the data).
    let output = anxin(&[
        "quality",
        "judge",
        &file,
        "--product-type",
        "infant",
        "--produced",
        "2022-06-01",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["verdict"], "incomplete");
}

#[test]
fn broken_rows_are_all_reported_and_nothing_is_judged() {
    let dir = temp_dir("quality-broken");
    let file = dir.join("broken.csv");
    std::fs::write(&file, "analyte,value,unit\nenergy,2100,kJ/100g\nprotien,11,g/100g\nfat,-3,g/100g\nlead,0.02,mg/furlong\n").unwrap();
    let output = anxin(&[
        "quality",
        "judge",
        file.to_str().unwrap(),
        "--product-type",
        "infant",
        "--produced",
        "2026-10-01",
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing judged");
    for expect in [
        "broken.csv:3: protien: unknown analyte",
        "broken.csv:4: fat: value -3 is negative",
        "broken.csv:5: lead: unknown unit",
        "3 broken row(s); nothing was judged",
    ] {
        assert!(stderr.contains(expect), "{expect} in {stderr}");
    }
    let output = anxin(&[
        "quality",
        "judge",
        file.to_str().unwrap(),
        "--product-type",
        "toddler",
        "--produced",
        "2026-10-01",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_looser_enterprise_standard_is_refused_with_the_reason() {
    let dir = temp_dir("quality-enterprise");
    let file = dir.join("q.toml");
    std::fs::write(
        &file,
        "[standard]\ncode = \"Q/X 1S-2026\"\ntitle = \"t\"\nenterprise = \"X\"\nin_force_from = \"2026-10-01\"\nproducts = [\"infant\"]\n\n\
         [[limit]]\nanalyte = \"lead\"\nunit = \"mg/kg\"\nmax = 0.1\nclause = \"4\"\n",
    )
    .unwrap();
    let output = anxin(&["quality", "review", file.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("lead: enterprise maximum 0.1 mg/kg is looser than the national maximum 0.08 mg/kg (GB 2762-2025"), "{stderr}");
    let output = anxin(&["quality", "review", &example("manufacturer-raw-milk.toml")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn labels_with_findings_exit_1_and_clean_labels_exit_0() {
    let registration = example("registration.toml");
    let output = anxin(&[
        "check",
        "label",
        &example("label-bad.txt"),
        "--stage",
        "1",
        "--registration",
        &registration,
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("label-bad.txt:2:3: [vague-milk-source] “进口奶源”"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[no-added-banned-substance] “不添加三聚氰胺”"),
        "{stdout}"
    );
    let output = anxin(&[
        "check",
        "label",
        &example("label-bad.txt"),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .any(|f| f["quote"] == "母乳化" && f["line"] == 2)
    );
    let output = anxin(&[
        "check",
        "label",
        &example("label-clean.txt"),
        "--stage",
        "1",
        "--registration",
        &registration,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    let output = anxin(&["check", "label", "/nonexistent/label.txt"]);
    assert_eq!(output.status.code(), Some(3));
}

#[test]
fn a_raw_milk_delivery_is_judged_against_the_manufacturers_standard_too() {
    let file = example("raw-milk-delivery.csv");
    let manufacturer = example("manufacturer-raw-milk.toml");
    let output = anxin(&[
        "quality",
        "judge",
        &file,
        "--product-type",
        "raw_milk",
        "--produced",
        "2026-10-01",
        "--holstein",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    let output = anxin(&[
        "quality",
        "judge",
        &file,
        "--product-type",
        "raw_milk",
        "--produced",
        "2026-10-01",
        "--holstein",
        "--enterprise",
        &manufacturer,
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["verdict"], "non_conformant");
    let failed: Vec<&serde_json::Value> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fail")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["subject"], "somatic_cell_count");
    assert_eq!(failed[0]["source"]["standard"], "Q/EXAMPLE 0001S-2026");
}

#[test]
fn the_versions_in_force_are_listed_for_a_date() {
    let output = anxin(&[
        "quality",
        "standards",
        "--product-type",
        "infant",
        "--on",
        "2026-09-02",
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout.contains("GB 2762-2025\t2026-09-02 to now"),
        "{stdout}"
    );
    assert!(!stdout.contains("GB 2762-2022"), "{stdout}");
    let output = anxin(&[
        "quality",
        "standards",
        "--product-type",
        "infant",
        "--on",
        "2026-09-01",
    ]);
    assert!(text(&output.stdout).contains("GB 2762-2022\t2023-06-30 to 2026-09-01"));
}

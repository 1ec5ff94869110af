//! `anxin lab submit|judge|release` end to end on a tiny simulated world (seed 3): the
//! simulator's own report of the lot judged from the store, broken rows listed by line with
//! nothing stored, results stored as the lot's maker, another maker refused, a second set of
//! the same analytes refused at judgment (a retest must supersede), and a second release
//! refused (the simulator already recorded the lot's release inspection).

use std::process::Command;

use super::{anxin, temp_dir, text};

/// A stage-2 lot of the seed-3 tiny world's first manufacturer, released by the world's own
/// inspecting event (the lot numbers follow the world: a change to the simulator may move it).
const LOT: &str = "https://id.gs1.org/01/06900001001027/10/2026102100222";

fn run(args: &[&str], token: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(args)
        .env("ANXIN_TOKEN", token)
        .output()
        .expect("anxin runs")
}

#[test]
fn lab_results_judgment_and_release_from_the_command_line() {
    let dir = temp_dir("lab");
    let db = format!("sqlite://{}", dir.join("anxin.db").display());
    let tokens = dir.join("tokens.json");
    let made = anxin(&[
        "sim",
        "--seed",
        "3",
        "--scale",
        "tiny",
        "--db",
        &db,
        "--tokens",
        tokens.to_str().unwrap(),
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let parties: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&tokens).unwrap()).unwrap();
    let maker = parties[0]["token"].as_str().unwrap().to_owned();
    let rival = parties[1]["token"].as_str().unwrap().to_owned();
    assert_eq!(parties[0]["kind"], "manufacturer");
    assert_eq!(parties[1]["kind"], "manufacturer");
    let results = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../anxin-quality/examples/infant-lot-results.csv");
    let broken = dir.join("broken.csv");
    std::fs::write(
        &broken,
        "analyte,value,unit\nprotein,2.1,g/100kJ\nproteen,2.0,g/100kJ\nlead,-1,mg/kg\n",
    )
    .unwrap();
    let submit = |file: &std::path::Path, token: &str| {
        run(
            &[
                "lab",
                "submit",
                file.to_str().unwrap(),
                "--lot",
                LOT,
                "--sample-id",
                "S-1",
                "--method",
                "GB 5009",
                "--laboratory",
                "厂内实验室",
                "--analyst",
                "王工",
                "--tested-at",
                "2026-10-22T09:00:00+08:00",
                "--db",
                &db,
            ],
            token,
        )
    };

    // `anxin sim --db` stored the lot's release report: it judges from the store.
    let judged = run(
        &["lab", "judge", LOT, "--format", "json", "--db", &db],
        &maker,
    );
    let judgment: serde_json::Value = serde_json::from_slice(&judged.stdout)
        .unwrap_or_else(|_| panic!("{}", text(&judged.stderr)));
    let simulated = judgment["result_ids"].as_array().unwrap().len();
    assert!(simulated > 0, "{judgment}");
    assert_eq!(judgment["facts"]["product_type"], "older_infant");
    // GB 10766-2021's tables are not in the data, so a stage-2 lot is never conformant.
    assert_eq!(judgment["verdict"], "incomplete");
    assert_eq!(judged.status.code(), Some(1));

    let refused = submit(&broken, &maker);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stdout));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    assert!(
        stderr.contains("line 3 `analyte`") && stderr.contains("line 4 `value`"),
        "{stderr}"
    );

    let forbidden = submit(&results, &rival);
    assert_eq!(forbidden.status.code(), Some(1));
    assert!(
        text(&forbidden.stderr).contains("403"),
        "{}",
        text(&forbidden.stderr)
    );

    let stored = submit(&results, &maker);
    assert_eq!(stored.status.code(), Some(0), "{}", text(&stored.stderr));
    assert!(text(&stored.stdout).contains("42 result(s) stored"));

    // The lot now has two current results of the same analytes: they cannot be judged
    // together until a retest supersedes one, and the judgment says so.
    let judged = run(&["lab", "judge", LOT, "--db", &db], &maker);
    assert_eq!(judged.status.code(), Some(1));
    assert!(
        text(&judged.stderr).contains("cannot be judged together"),
        "{}",
        text(&judged.stderr)
    );

    let again = run(&["lab", "release", LOT, "--db", &db], &maker);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("already released"),
        "{}",
        text(&again.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

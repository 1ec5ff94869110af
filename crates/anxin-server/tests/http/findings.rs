//! The quality engine over a simulated world in the store: the simulator's lab reports stored
//! through `LabStore`, the releases of conformant lots recorded (`lab::adopt_releases`), and
//! `GET /api/v1/findings` deriving every kind of finding from stored facts. Every planted
//! quality failure of the manifest is found, nothing else is, a clean world has none, and a
//! manufacturer sees exactly its own.

use std::collections::BTreeSet;

use anxin_sim::{CaptureSummary, Config, Troubles};
use anxin_store::Role;
use anxin_store::lab::{SampleOf, canonical_subject};

use crate::helpers::{self, TestApp};

fn canonical(lot: &str) -> String {
    canonical_subject(SampleOf::Lot, lot).expect("a lot")
}

fn enc(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A world captured into the test app's store, its releases recorded; the admin's token.
async fn world(config: Config) -> (TestApp, CaptureSummary, String) {
    let app = helpers::app().await;
    let world = config.world();
    let summary = anxin_sim::capture_world(app.store.as_ref(), &world, config, &mut |_| {})
        .await
        .expect("capture the world");
    let releases: Vec<anxin_server::lab::EventRelease> = summary
        .releases
        .iter()
        .map(|r| anxin_server::lab::EventRelease {
            lot: r.lot.clone(),
            event_id: r.event_id.clone(),
            job_id: r.job_id.clone(),
            released_ms: r.released_ms,
            account_id: r.account_id,
            party: Some(r.party.clone()),
        })
        .collect();
    let adopted = anxin_server::lab::adopt_releases(app.store.as_ref(), &releases)
        .await
        .expect("record the releases");
    assert!(adopted.recorded > 0, "{adopted:?}");
    let (_, admin) =
        helpers::account(app.store.as_ref(), "operator", Role::Admin, None, "110000").await;
    (app, summary, admin)
}

async fn findings(app: &TestApp, token: &str) -> Vec<serde_json::Value> {
    let reply = app.get("/api/v1/findings", token).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["truncated"], false);
    reply.json()["findings"].as_array().unwrap().clone()
}

fn kinds_and_lots(found: &[serde_json::Value]) -> BTreeSet<(String, String)> {
    found
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["lot"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_planted_quality_failure_is_a_finding_and_nothing_else() {
    let mut config = Config::new(11, 15_000);
    config.troubles = Troubles {
        lab_out_of_limit_percent: 15,
        lab_missing_analyte_percent: 15,
        raw_milk_rejected_used_percent: 15,
        raw_milk_over_limit_percent: 10,
        haccp_deviation_percent: 40,
        shipped_before_release_percent: 15,
        ..Troubles::default()
    };
    let (app, summary, admin) = world(config).await;
    let manifest = &summary.manifest;
    let store = app.store.as_ref();

    // What the store can know: lots some stored event made (an imported lot is commissioned
    // abroad can by can, so the store has no origin, no results and no judgment for it).
    let mut made = BTreeSet::new();
    for report in &summary.quality.lab_reports {
        if store
            .lot_origin(&canonical(&report.lot))
            .await
            .unwrap()
            .is_some()
        {
            made.insert(canonical(&report.lot));
        }
    }
    assert!(!made.is_empty());

    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    for early in &manifest.shipped_before_release {
        if made.contains(&canonical(&early.lot)) {
            expected.insert(("shipped_unreleased".into(), canonical(&early.lot)));
        }
    }
    for out in &manifest.lab_out_of_limit {
        if made.contains(&canonical(&out.lot)) {
            expected.insert(("released_non_conformant".into(), canonical(&out.lot)));
        }
    }
    for missing in &manifest.lab_missing_analyte {
        if made.contains(&canonical(&missing.lot)) {
            expected.insert(("released_missing_result".into(), canonical(&missing.lot)));
        }
    }
    for milk in &manifest.raw_milk_rejected_used {
        expected.insert(("raw_milk_rejected_used".into(), milk.lot.clone()));
    }
    for milk in &manifest.raw_milk_over_limit {
        expected.insert(("raw_milk_rejected_used".into(), milk.lot.clone()));
    }
    // A deviation with no corrective action holds its lots, which then ship (every simulated
    // lot ships): shipped on hold. A corrected one lifted the hold the same day, before any
    // shipment: HACCP worked, no finding.
    for deviation in manifest.haccp_deviations.iter().filter(|d| !d.corrected) {
        for lot in &deviation.lots {
            expected.insert(("shipped_on_hold".into(), canonical(lot)));
        }
    }
    let kinds: BTreeSet<&str> = expected.iter().map(|(k, _)| k.as_str()).collect();
    for kind in [
        "shipped_unreleased",
        "released_non_conformant",
        "released_missing_result",
        "raw_milk_rejected_used",
        "shipped_on_hold",
    ] {
        assert!(
            kinds.contains(kind),
            "the seed plants no {kind}: {manifest:?}"
        );
    }

    let all = findings(&app, &admin).await;
    assert_eq!(kinds_and_lots(&all), expected, "{all:#?}");
    for finding in &all {
        assert!(!finding["rule"].as_str().unwrap().is_empty(), "{finding}");
        assert!(!finding["source"].as_str().unwrap().is_empty(), "{finding}");
        assert!(finding["party"].is_string(), "{finding}");
    }
    // A planted out-of-limit result is named by its analyte in the finding's rule.
    for out in manifest
        .lab_out_of_limit
        .iter()
        .filter(|o| made.contains(&canonical(&o.lot)))
    {
        assert!(
            all.iter().any(|f| f["kind"] == "released_non_conformant"
                && f["lot"] == canonical(&out.lot)
                && f["rule"].as_str().unwrap().starts_with(&out.analyte)),
            "{out:?} in {all:#?}"
        );
    }

    // Each manufacturer sees exactly the findings about its own lots, milk and plant.
    let mut seen_some = false;
    for token in summary
        .tokens
        .iter()
        .filter(|t| t.kind == anxin_sim::world::PartyKind::Manufacturer)
    {
        let own: BTreeSet<(String, String)> = kinds_and_lots(
            &all.iter()
                .filter(|f| f["party"] == token.gln.as_str())
                .cloned()
                .collect::<Vec<_>>(),
        );
        let mine = findings(&app, &token.token).await;
        assert_eq!(kinds_and_lots(&mine), own, "{}", token.gln);
        seen_some |= !own.is_empty();
    }
    assert!(seen_some);
    // The test app's own Guangdong regulator sees only findings about lots made there.
    for finding in findings(&app, &app.regulator).await {
        assert!(all.contains(&finding), "{finding}");
    }

    // The pages. A regulator of a manufacturer's city sees that maker's findings by kind, each
    // lot linked to its trace; the maker sees its lots with verdict, release and findings.
    let maker = summary
        .tokens
        .iter()
        .filter(|t| t.kind == anxin_sim::world::PartyKind::Manufacturer)
        .find(|t| {
            all.iter()
                .any(|f| f["party"] == t.gln.as_str() && made.contains(f["lot"].as_str().unwrap()))
        })
        .expect("a manufacturer with findings about its lots");
    let (_, city_regulator) = helpers::account(
        store,
        "city regulator",
        Role::Regulator,
        None,
        maker.region.as_deref().unwrap(),
    )
    .await;
    let mut browser = crate::pages::sign_in(&app, &city_regulator).await;
    let home = browser.get("/app").await.text();
    assert!(
        home.contains("href=\"/app/findings\"") && home.contains("href=\"/app/lots\""),
        "{home}"
    );
    let page = browser.get("/app/findings").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.text();
    assert!(
        page.contains("质量问题") && page.contains("数据缺口"),
        "{page}"
    );
    for finding in all.iter().filter(|f| f["party"] == maker.gln.as_str()) {
        let kind = finding["kind"].as_str().unwrap();
        assert!(
            page.contains(&format!("id=\"kind-{kind}\"")),
            "{kind}: {page}"
        );
        let lot = finding["lot"].as_str().unwrap();
        assert!(
            page.contains(&format!("/app/trace?id={}", enc(lot))),
            "{lot}: {page}"
        );
    }
    let english = browser.get("/app/findings?lang=en").await.text();
    assert!(
        english.contains("Findings") && english.contains("Data gap"),
        "{english}"
    );

    let mut browser = crate::pages::sign_in(&app, &maker.token).await;
    let page = browser.get("/app/lots?lang=zh").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.text();
    assert!(page.contains("id=\"lots\""), "{page}");
    let mut listed = 0;
    for finding in all.iter().filter(|f| f["party"] == maker.gln.as_str()) {
        let lot = finding["lot"].as_str().unwrap();
        if made.contains(lot) {
            assert!(
                page.contains(&format!("data-lot=\"{lot}\"")),
                "{lot}: {page}"
            );
            listed += 1;
        }
    }
    assert!(listed > 0);
    assert!(
        page.contains("/coa/") || page.contains("未放行") || page.contains("不完整"),
        "{page}"
    );
    // A distributor has no lot list.
    let mut browser = crate::pages::sign_in(&app, &app.distributor).await;
    assert_eq!(browser.get("/app/lots").await.status, 403);
}

#[tokio::test]
async fn stored_lab_reports_judge_as_planted_and_released_lots_have_certificates() {
    let mut config = Config::new(3, 15_000);
    config.troubles = Troubles {
        lab_out_of_limit_percent: 25,
        ..Troubles::default()
    };
    let (app, summary, admin) = world(config).await;
    let store = app.store.as_ref();
    let mut out_checked = 0;
    for out in &summary.manifest.lab_out_of_limit {
        let lot = canonical(&out.lot);
        if store.lot_origin(&lot).await.unwrap().is_none() {
            continue; // imported: not in the store
        }
        let reply = app
            .get(&format!("/api/v1/lots/{}/judgment", enc(&lot)), &admin)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let judgment = reply.json();
        assert_eq!(judgment["verdict"], "non_conformant", "{judgment}");
        let failed: Vec<&str> = judgment["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["outcome"] == "fail")
            .map(|c| c["subject"].as_str().unwrap())
            .collect();
        assert!(
            failed.iter().any(|s| s.starts_with(&out.analyte)),
            "{out:?}: {failed:?}"
        );
        // The maker's event released it, but no certificate was recorded.
        let reply = app.get(&format!("/coa/{}", enc(&lot)), &admin).await;
        assert_eq!(reply.status, 404, "{}", reply.text());
        out_checked += 1;
    }
    assert!(out_checked > 0);

    // A clean stage-1 lot: conformant from the store, released with a certificate that shows
    // its results, linked from its passport.
    let planted: BTreeSet<String> = summary
        .manifest
        .lab_out_of_limit
        .iter()
        .map(|o| canonical(&o.lot))
        .chain(
            summary
                .manifest
                .lab_missing_analyte
                .iter()
                .map(|m| canonical(&m.lot)),
        )
        .collect();
    let clean = summary
        .quality
        .lab_reports
        .iter()
        .find(|r| {
            r.product == anxin_quality::ProductType::Infant && !planted.contains(&canonical(&r.lot))
        })
        .expect("a clean stage-1 lot");
    let lot = canonical(&clean.lot);
    let reply = app
        .get(&format!("/api/v1/lots/{}/judgment", enc(&lot)), &admin)
        .await;
    assert_eq!(reply.json()["verdict"], "conformant", "{}", reply.text());
    let reply = app
        .get(&format!("/coa/{}?format=json", enc(&lot)), &admin)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let certificate = reply.json();
    assert_eq!(certificate["verdict"], "conformant");
    assert_eq!(
        certificate["results"].as_array().unwrap().len(),
        clean.measurements.len(),
        "{certificate}"
    );
    let (gtin, number) = match anxin_gs1::Gs1Key::parse(&lot).unwrap() {
        anxin_gs1::Gs1Key::Lgtin(l) => (l.gtin().to_string(), l.lot().to_owned()),
        _ => unreachable!(),
    };
    let reply = app
        .request(
            axum::http::Method::GET,
            &format!("/01/{gtin}/10/{}", enc(&number)),
            None,
            &[("accept", "application/json")],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let passport = reply.json();
    assert_eq!(passport["quality"]["released"], true, "{passport}");
    assert_eq!(
        passport["quality"]["certificate"],
        format!("/coa/{}", enc(&lot))
    );
}

#[tokio::test]
async fn a_clean_world_has_no_findings() {
    let mut config = Config::new(5, 6_000);
    config.troubles = Troubles::none();
    let (app, _, admin) = world(config).await;
    let all = findings(&app, &admin).await;
    assert_eq!(all, Vec::<serde_json::Value>::new());
}

//! Lab results, judgment, batch release, the certificate of analysis, committed enterprise
//! standards, findings and the passport's release status, over HTTP: a lot made by party A,
//! its results uploaded as CSV, judged, released (the `inspecting` event in the ledger), its
//! certificate page, an unreleased lot shipped (a finding) beside a released one (none), and
//! who may do what (403 for another manufacturer and a distributor).

use anxin_epcis::cbv::{Term, Vocabulary as Cbv};
use anxin_epcis::{Event, QuantityElement};
use anxin_store::Role;
use anxin_store_tests::fixtures;
use anxin_store_tests::lab::{LAB_LOT, making_event};
use axum::http::Method;

use crate::helpers::{TestApp, account, app};

/// A capture document whose master data also describes the product by its GTIN (the
/// fixtures describe only the lot `LOT1`).
fn document(events: Vec<Event>) -> String {
    let mut header = fixtures::header();
    for vocabulary in &mut header.master_data {
        if vocabulary.vocabulary_type.ends_with("EPCClass") {
            let mut element = vocabulary.elements[0].clone();
            element.id = "urn:epc:idpat:sgtin:6901234.012345.*".to_owned();
            vocabulary.elements.push(element);
        }
    }
    let mut out = Vec::new();
    anxin_epcis::json::write_document(&mut out, &anxin_epcis::Document { header, events })
        .expect("write");
    String::from_utf8(out).expect("utf-8")
}

const LOT_LINK: &str = "https://id.gs1.org/01/06901234123456/10/LAB1";
const LOT2: &str = "urn:epc:class:lgtin:6901234.012345.LAB2";
const LOT2_LINK: &str = "https://id.gs1.org/01/06901234123456/10/LAB2";

fn example_results() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../anxin-quality/examples/infant-lot-results.csv");
    std::fs::read_to_string(path).expect("the example results")
}

fn enc(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn submit_query(lot: &str) -> String {
    format!(
        "/api/v1/lab-results?lot={}&sample_id=S-1&method={}&laboratory={}&analyst={}&tested_at={}",
        enc(lot),
        enc("GB 5009 series"),
        enc("深圳乳业质检中心"),
        enc("王工"),
        enc("2026-03-02T09:00:00+08:00")
    )
}

async fn post_csv(app: &TestApp, path: &str, token: &str, body: String) -> crate::helpers::Reply {
    app.request(
        Method::POST,
        path,
        Some(token),
        &[("content-type", "text/csv")],
        body,
    )
    .await
}

/// The `quality` part of LAB1's passport, as JSON.
async fn lab1_passport_quality(app: &TestApp) -> serde_json::Value {
    app.request(
        Method::GET,
        "/01/06901234123456/10/LAB1",
        None,
        &[("accept", "application/json")],
        axum::body::Body::empty(),
    )
    .await
    .json()["quality"]
        .clone()
}

async fn post(app: &TestApp, path: &str, token: &str, body: &str) -> crate::helpers::Reply {
    app.request(
        Method::POST,
        path,
        Some(token),
        &[("content-type", "application/json")],
        body.to_owned(),
    )
    .await
}

fn making_lot2() -> Event {
    let mut event = fixtures::commissioning(6000, 2, "2026-03-01T11:00:00+08:00");
    event.action = Some(anxin_epcis::Action::Add);
    event.quantity_list = vec![QuantityElement {
        epc_class: LOT2.to_owned(),
        quantity: Some(500.0),
        uom: Some("KGM".to_owned()),
    }];
    event
}

fn shipping_of(lot: &str, case_serial: u32, at: &str) -> Event {
    let mut event = fixtures::shipping(case_serial, at);
    event.quantity_list = vec![QuantityElement {
        epc_class: lot.to_owned(),
        quantity: Some(12.0),
        uom: None,
    }];
    event.biz_step = Some(Term::read(Cbv::BizStep, "shipping"));
    event
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_results_judgment_release_certificate_and_findings() {
    let app = app().await;
    let (_, rival) = account(
        app.store.as_ref(),
        "another maker",
        Role::Manufacturer,
        Some("urn:epc:id:pgln:6909999.00000"),
        "440305",
    )
    .await;
    let (_, lab) = account(
        app.store.as_ref(),
        "a testing laboratory",
        Role::Lab,
        Some("urn:epc:id:pgln:6907777.00000"),
        "440305",
    )
    .await;
    let job = app
        .capture(
            &app.manufacturer,
            document(vec![making_event(), making_lot2()]),
        )
        .await;
    assert_eq!(job["errors"], serde_json::json!([]), "{job}");
    let lot_path = enc(LAB_LOT);

    // No results yet: the judgment is incomplete and the release is refused with 409.
    let reply = app
        .get(
            &format!("/api/v1/lots/{lot_path}/judgment"),
            &app.manufacturer,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["verdict"], "incomplete");
    let reply = post(
        &app,
        &format!("/api/v1/lots/{lot_path}/release"),
        &app.manufacturer,
        "",
    )
    .await;
    reply.assert_problem(409, "ValidationException");
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("incomplete")
    );

    // A CSV with broken rows: every one reported with its line, nothing stored.
    let broken = example_results()
        .replace("protein,11.55,g/100g,", "proteen,11.55,g/100g,")
        .replace("fat,25.2,g/100g,", "fat,-25.2,g/100g,")
        .replace("iron,4.2,mg/100g,", "iron,4.2,mg/furlong,");
    let reply = post_csv(&app, &submit_query(LAB_LOT), &app.manufacturer, broken).await;
    assert_eq!(reply.status, 422, "{}", reply.text());
    let detail = reply.json()["detail"].as_str().unwrap().to_owned();
    for expected in [
        "row 5 `analyte`",
        "row 6 `value`",
        "row 28 `unit`",
        "nothing was stored",
    ] {
        assert!(detail.contains(expected), "{expected} in {detail}");
    }
    let reply = app
        .get(
            &format!("/api/v1/lots/{lot_path}/results"),
            &app.manufacturer,
        )
        .await;
    assert_eq!(reply.json()["results"], serde_json::json!([]));

    // A lot nobody made is refused with its row.
    let reply = post_csv(
        &app,
        &submit_query("urn:epc:class:lgtin:6901234.012345.NOPE"),
        &app.manufacturer,
        "analyte,value,unit\nlead,0.02,mg/kg\n".to_owned(),
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.text());
    assert!(reply.text().contains("row 2 `lot`"), "{}", reply.text());

    // Another manufacturer and a distributor may neither submit nor read.
    let reply = post_csv(&app, &submit_query(LAB_LOT), &rival, example_results()).await;
    reply.assert_problem(403, "SecurityException");
    for token in [&rival, &app.distributor, &lab] {
        let reply = app
            .get(&format!("/api/v1/lots/{lot_path}/results"), token)
            .await;
        reply.assert_problem(403, "SecurityException");
        let reply = app
            .get(&format!("/api/v1/lots/{lot_path}/judgment"), token)
            .await;
        reply.assert_problem(403, "SecurityException");
    }

    // The laboratory submits the lot's results; the maker reads them and the judgment.
    let reply = post_csv(&app, &submit_query(LAB_LOT), &lab, example_results()).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let stored = reply.json()["results"].as_array().unwrap().clone();
    assert_eq!(stored.len(), 42);
    let reply = app
        .get(
            &format!("/api/v1/lots/{lot_path}/results"),
            &app.manufacturer,
        )
        .await;
    assert_eq!(reply.json()["results"].as_array().unwrap().len(), 42);

    // A retest over JSON supersedes a result; the old one stays, marked.
    let lead = stored.iter().find(|r| r["analyte"] == "lead").unwrap();
    let retest = serde_json::json!({"results": [{
        "lot": LOT_LINK, "sample_id": "S-1R", "analyte": "lead", "value": 0.03, "unit": "mg/kg",
        "method": "GB 5009.12-2023", "laboratory": "深圳乳业质检中心", "analyst": "李工",
        "tested_at": "2026-03-03T09:00:00+08:00", "supersedes": lead["result_id"],
    }]});
    let reply = post(
        &app,
        "/api/v1/lab-results",
        &app.manufacturer,
        &retest.to_string(),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let reply = app
        .get(&format!("/api/v1/lots/{lot_path}/results"), &app.regulator)
        .await;
    assert_eq!(
        reply.status,
        200,
        "a regulator of the place reads: {}",
        reply.text()
    );
    let results = reply.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 43);
    let old = results
        .iter()
        .find(|r| r["result_id"] == lead["result_id"])
        .unwrap();
    assert!(old["superseded_by"].is_i64(), "{old}");

    let reply = app
        .get(
            &format!("/api/v1/lots/{lot_path}/judgment"),
            &app.manufacturer,
        )
        .await;
    let judgment = reply.json();
    assert_eq!(judgment["verdict"], "conformant", "{judgment}");
    assert!(
        judgment["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["source"]["standard"].is_string())
    );
    assert!(
        !judgment["result_ids"]
            .as_array()
            .unwrap()
            .contains(&lead["result_id"])
    );

    // The passport before release and before any committed standard; it is answered from the
    // lot's kept facts afterwards, which must follow the commitment and the release below.
    let before = lab1_passport_quality(&app).await;
    assert_eq!(before["released"], false, "{before}");
    assert!(before["enterprise_standard"].is_null(), "{before}");

    // Enterprise standards: a looser one is refused with the reason; a stricter one is committed.
    let standard = |lead_max: &str| {
        format!(
            "[standard]\ncode = \"Q/AX 0001S-2026\"\ntitle = \"婴儿配方乳粉\"\nenterprise = \"深圳乳业\"\n\
             in_force_from = \"2026-01-01\"\nproducts = [\"infant\"]\n\n[[limit]]\nanalyte = \"lead\"\n\
             unit = \"µg/kg\"\nmin = \"NS\"\nmax = {lead_max}\nrequired = true\nclause = \"4.2\"\n"
        )
    };
    let body = serde_json::json!({"gtin": "06901234123456", "text": standard("500")}).to_string();
    let reply = post(
        &app,
        "/api/v1/enterprise-standards",
        &app.manufacturer,
        &body,
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.text());
    assert!(reply.text().contains("looser"), "{}", reply.text());
    let body = serde_json::json!({"gtin": "06901234123456", "text": standard("40")}).to_string();
    let reply = post(&app, "/api/v1/enterprise-standards", &rival, &body).await;
    reply.assert_problem(403, "SecurityException");
    let reply = post(
        &app,
        "/api/v1/enterprise-standards",
        &app.manufacturer,
        &body,
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let committed = lab1_passport_quality(&app).await;
    assert_eq!(
        committed["enterprise_standard"]["code"], "Q/AX 0001S-2026",
        "the next page shows the commitment: {committed}"
    );
    assert_eq!(committed["released"], false, "{committed}");
    let reply = app
        .get(
            &format!("/api/v1/lots/{lot_path}/judgment"),
            &app.manufacturer,
        )
        .await;
    let judgment = reply.json();
    assert_eq!(judgment["verdict"], "conformant", "{judgment}");
    assert_eq!(judgment["enterprise_standard"]["code"], "Q/AX 0001S-2026");

    // Release: another manufacturer may not; the maker does; a second release is refused.
    let reply = post(
        &app,
        &format!("/api/v1/lots/{lot_path}/release"),
        &rival,
        "",
    )
    .await;
    reply.assert_problem(403, "SecurityException");
    let reply = post(
        &app,
        &format!("/api/v1/lots/{lot_path}/release"),
        &app.manufacturer,
        "",
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let released = reply.json();
    assert_eq!(released["verdict"], "conformant");
    let event_id = released["event_id"].as_str().unwrap().to_owned();
    assert_eq!(reply.header("location"), format!("/coa/{}", enc(LOT_LINK)));
    let reply = post(
        &app,
        &format!("/api/v1/lots/{lot_path}/release"),
        &app.manufacturer,
        "",
    )
    .await;
    reply.assert_problem(409, "ResourceAlreadyExistsException");

    // The release is an EPCIS inspecting event, in the ledger.
    let reply = app
        .get(
            &format!("/epcis/events/{}", enc(&event_id)),
            &app.manufacturer,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let event = reply.events()[0].clone();
    assert_eq!(event["bizStep"], "inspecting");
    assert_eq!(event["disposition"], "conformant");
    let reply = app
        .get(
            &format!("/api/v1/ledger/proof/{}", enc(&event_id)),
            &app.manufacturer,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    // The certificate: public, Chinese, every result with its rule and source, a QR code.
    let reply = app
        .request(
            Method::GET,
            &format!("/coa/{}", enc(LAB_LOT)),
            None,
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let html = reply.text();
    for expected in [
        "检验报告",
        "结论：合格",
        "婴儿配方奶粉 1段",
        "GB 10765-2021",
        "Q/AX 0001S-2026",
        "蛋白质",
        "<svg",
    ] {
        assert!(
            html.contains(expected),
            "{expected} missing from the certificate"
        );
    }
    let reply = app
        .request(
            Method::GET,
            &format!("/coa/{}?format=json", enc(LAB_LOT)),
            None,
            &[],
            axum::body::Body::empty(),
        )
        .await;
    let certificate = reply.json();
    assert_eq!(certificate["verdict"], "conformant");
    assert_eq!(certificate["results"].as_array().unwrap().len(), 42);
    let reply = app
        .request(
            Method::GET,
            &format!("/coa/{}", enc(LOT2)),
            None,
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(reply.status, 404, "an unreleased lot has no certificate");

    // The printable certificate: a PDF whose text (pdftotext) has the product and the verdict
    // in Chinese.
    let (font, _) = anxin_server::coa::font_path();
    if !font.exists() {
        println!(
            "skipped: the PDF certificate needs the font {}",
            font.display()
        );
    } else {
        let reply = app
            .request(
                Method::GET,
                &format!("/coa/{}?format=pdf", enc(LAB_LOT)),
                None,
                &[],
                axum::body::Body::empty(),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.header("content-type"), "application/pdf");
        assert!(reply.body.starts_with(b"%PDF-"));
        let file = std::env::temp_dir().join(format!("anxin-coa-{}.pdf", std::process::id()));
        std::fs::write(&file, &reply.body).unwrap();
        match std::process::Command::new("pdftotext")
            .args([file.to_str().unwrap(), "-"])
            .output()
        {
            Ok(out) => {
                let text = String::from_utf8_lossy(&out.stdout);
                for expected in [
                    "检验报告",
                    "婴儿配方奶粉 1段",
                    "合格",
                    "蛋白质",
                    "GB 10765-2021",
                ] {
                    assert!(
                        text.contains(expected),
                        "{expected} missing from the PDF text: {text}"
                    );
                }
            }
            Err(err) => println!("skipped: pdftotext is not installed ({err})"),
        }
        let _ = std::fs::remove_file(&file);
    }

    // The passport says tested and released, with the certificate and the committed standard;
    // the other lot plainly not released.
    let reply = app
        .request(
            Method::GET,
            "/01/06901234123456/10/LAB1",
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
        format!("/coa/{}", enc(LOT_LINK))
    );
    assert_eq!(
        passport["quality"]["enterprise_standard"]["code"],
        "Q/AX 0001S-2026"
    );
    let reply = app
        .request(
            Method::GET,
            "/01/06901234123456/10/LAB1",
            None,
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert!(reply.text().contains("已检验放行"), "{}", reply.text());
    // The shop check of the released lot passes its release line and links the certificate.
    let reply = app
        .request(
            Method::GET,
            "/check?code=https%3A%2F%2Fid.gs1.org%2F01%2F06901234123456%2F10%2FLAB1",
            None,
            &[],
            axum::body::Body::empty(),
        )
        .await;
    let page = reply.text();
    assert!(page.contains("<li class=\"pass\"><span class=\"mark pass\" aria-hidden=\"true\">✔</span><span><span class=\"sr\">通过: </span><strong>批次已放行</strong>"), "{page}");
    assert!(page.contains("id=\"check-certificate\""), "{page}");
    let reply = app
        .request(
            Method::GET,
            "/01/06901234123456/10/LAB2",
            None,
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert!(reply.text().contains("未放行"), "{}", reply.text());

    // Findings: the unreleased lot shipped is one; the released lot shipped after release is not.
    let after_release = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_mins(1))
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let job = app
        .capture(
            &app.manufacturer,
            document(vec![
                shipping_of(LOT2, 7, "2026-03-05T09:00:00+08:00"),
                shipping_of(LAB_LOT, 8, &after_release),
            ]),
        )
        .await;
    assert_eq!(job["errors"], serde_json::json!([]), "{job}");
    for token in [&app.manufacturer, &app.regulator] {
        let reply = app.get("/api/v1/findings", token).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let findings = reply.json()["findings"].as_array().unwrap().clone();
        let lots: Vec<&str> = findings
            .iter()
            .map(|f| f["lot"].as_str().unwrap())
            .collect();
        assert_eq!(lots, [LOT2_LINK], "{findings:?}");
        assert_eq!(findings[0]["kind"], "shipped_unreleased");
        assert!(findings[0]["rule"].as_str().unwrap().contains("批批检验"));
    }
    let reply = app.get("/api/v1/findings", &rival).await;
    assert_eq!(
        reply.json()["findings"],
        serde_json::json!([]),
        "another maker sees none of A's"
    );
    let reply = app.get("/api/v1/findings", &app.distributor).await;
    reply.assert_problem(403, "SecurityException");
}

//! `anxin demo` end to end on a tiny world: the binary makes the world, prints its guide, and
//! every printed passport URL answers as the guide says (normal, recalled, counterfeit), with
//! the problem pages for unknown and malformed codes; started again on the same folder it
//! reuses the world and its accounts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use super::temp_dir;

/// Sends one HTTP/1.1 request; returns the status code, the headers and the body.
fn get(address: &str, path: &str, accept: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("read");
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let (head, body) = reply.split_once("\r\n\r\n").expect("a header block");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status code");
    (status, head.to_ascii_lowercase(), body.to_owned())
}

/// Starts `anxin demo` and reads its guide up to the last line; returns the child and the
/// guide's lines.
fn start(data: &std::path::Path) -> (Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args([
            "demo",
            "--scale",
            "tiny",
            "--trouble",
            "counterfeit=30",
            "--addr",
            "127.0.0.1:0",
            "--data",
            data.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("anxin demo starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = stdout.read_line(&mut line).expect("a guide line");
        assert!(
            n > 0,
            "anxin demo ended before its guide was printed: {lines:?}"
        );
        let last = line.starts_with("Ctrl-C");
        lines.push(line.trim_end().to_owned());
        if last {
            break;
        }
    }
    (child, lines)
}

/// The URL after `label: ` in the guide.
fn url(lines: &[String], label: &str) -> String {
    lines
        .iter()
        .find(|line| line.contains(label))
        .and_then(|line| line.split(": ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .filter(|url| url.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL for {label} in {lines:#?}"))
        .to_owned()
}

/// `127.0.0.1:PORT` and `/path` of a URL.
fn split(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let slash = rest.find('/').unwrap();
    (rest[..slash].to_owned(), rest[slash..].to_owned())
}

fn json(address: &str, path: &str) -> serde_json::Value {
    let (status, head, body) = get(address, path, "application/json");
    assert_eq!(status, 200, "{path}: {body}");
    assert!(head.contains("content-type: application/json"), "{head}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn anxin_demo_serves_the_passports_its_guide_prints_and_starts_again_on_the_same_folder() {
    let dir = temp_dir("demo");
    let data = dir.join("data");
    let (mut child, lines) = start(&data);
    let tokens: Vec<String> = lines
        .iter()
        .filter(|line| line.trim_start().starts_with("ax_"))
        .cloned()
        .collect();
    assert_eq!(tokens.len(), 4, "four demo accounts: {lines:#?}");
    let login = url(&lines, "login page");
    let (address, login_path) = split(&login);
    assert_eq!(login_path, "/login");
    let (status, head, page) = get(&address, &login_path, "text/html");
    assert_eq!(status, 200, "{page}");
    assert!(head.contains("text/html"), "{head}");
    assert!(page.contains("id=\"token\""), "{page}");
    let check = url(&lines, "shop inspector's check");
    let (_, check_path) = split(&check);
    assert_eq!(check_path, "/check");

    let normal = url(&lines, "a normal can");
    let (address, normal_path) = split(&normal);
    let (status, head, page) = get(&address, &normal_path, "text/html");
    assert_eq!(status, 200, "{page}");
    assert!(head.contains("text/html"), "{head}");
    let facts = json(&address, &normal_path);
    assert_eq!(facts["recalled"], false);
    assert_eq!(facts["suspicious"], false);
    let name = facts["product"].as_str().expect("a product name");
    assert!(page.contains(name), "the page names {name}");
    assert!(page.contains("未召回，未过期"), "{page}");
    assert!(
        page.contains("零售售出"),
        "the journey ends in a sale: {page}"
    );
    // The QR code is an image of its own, drawn from the code and kept by browsers.
    let qr = format!("/qr{normal_path}");
    assert!(page.contains(&format!("src=\"{qr}\"")), "a QR code: {page}");
    let (status, head, svg) = get(&address, &qr, "image/svg+xml");
    assert_eq!(status, 200, "{svg}");
    assert!(head.contains("content-type: image/svg+xml"), "{head}");
    assert!(head.contains("immutable"), "{head}");
    assert!(svg.contains("<svg") && svg.contains("xmlns"), "{svg}");
    assert!(
        page.contains("核验通过"),
        "the ledger proof verified: {page}"
    );
    let steps = facts["journey"].as_array().unwrap();
    assert_eq!(
        steps[0]["biz_step"], "commissioning",
        "oldest first: {steps:?}"
    );
    // The legs travelled in a case or pallet are part of the journey: factory to shop.
    let shipped = steps.iter().filter(|s| s["biz_step"] == "shipping").count();
    let received = steps
        .iter()
        .filter(|s| s["biz_step"] == "receiving")
        .count();
    assert!(
        shipped >= 2 && received >= 2,
        "factory → distributor → shop: {steps:?}"
    );
    assert_eq!(
        steps.last().unwrap()["biz_step"],
        "retail_selling",
        "{steps:?}"
    );
    // Each step names its place and city, in the JSON and on the page.
    let shop = steps.last().unwrap()["place"]
        .as_str()
        .expect("the shop's name");
    let city = steps.last().unwrap()["address"]
        .as_str()
        .expect("the shop's city");
    assert!(
        page.contains(&format!(" · {shop} ({city})")),
        "{shop} ({city}) on the page: {page}"
    );
    let sources = facts["sources"].as_array().unwrap();
    assert!(
        !sources.is_empty(),
        "the milk's and ingredients' places: {facts}"
    );
    let source = sources[0]["name"].as_str().unwrap();
    assert!(page.contains(source), "the page lists {source}");
    // The raw proof the page links to is served.
    let proof = facts["ledger"]["proof_url"].as_str().unwrap();
    assert_eq!(facts["ledger"]["verified"], true);
    let (status, _, body) = get(&address, proof, "application/json");
    assert_eq!(status, 200, "{body}");
    // The maker's production licence (the place that commissioned the can) and the formula
    // registration, as master data declares them: the simulated numbers, of the right shape
    // (standards.md §5: `^SC\d{14}$`, `^国食注字YP\d{4}\d{4}$`), on the page as well.
    let licence = facts["production_licence"]
        .as_str()
        .unwrap_or_else(|| panic!("a domestic can has its factory's licence: {facts}"));
    let digits = licence.strip_prefix("SC").expect("SC licence");
    assert!(
        digits.len() == 14 && digits.bytes().all(|b| b.is_ascii_digit()),
        "{licence}"
    );
    let registration = facts["formula_registration"]
        .as_str()
        .unwrap_or_else(|| panic!("a registration: {facts}"));
    let digits = registration
        .strip_prefix("国食注字YP")
        .expect("registration prefix");
    assert!(
        digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()),
        "{registration}"
    );
    for shown in [
        "食品生产许可证编号",
        licence,
        "产品配方注册号",
        registration,
        "生产企业在其主数据中申报",
    ] {
        assert!(page.contains(shown), "the page shows {shown}: {page}");
    }
    let (status, _, english) = get(&address, &format!("{normal_path}?lang=en"), "text/html");
    assert_eq!(status, 200);
    assert!(
        english.contains("Food production licence no.") && english.contains(licence),
        "{english}"
    );
    // The shop check shows the registration as declared, still unchecked.
    let code = format!(
        "/check?code=(01){}(21){}",
        facts["gtin"].as_str().unwrap(),
        facts["serial"].as_str().unwrap()
    );
    let (status, _, checked) = get(&address, &code, "text/html");
    assert_eq!(status, 200, "{checked}");
    assert!(
        checked.contains(&format!("企业主数据申报： {registration}"))
            && checked.contains("注册库尚未接入平台"),
        "{checked}"
    );
    // The can's lot has a passport too.
    let lot_path = format!(
        "/01/{}/10/{}",
        facts["gtin"].as_str().unwrap(),
        facts["lot"].as_str().unwrap()
    );
    let lot = json(&address, &lot_path);
    assert_eq!(lot["kind"], "lot");
    assert_eq!(lot["product"], name);

    let (_, recalled_path) = split(&url(&lines, "a recalled can"));
    let (status, _, page) = get(&address, &recalled_path, "text/html");
    assert_eq!(status, 200);
    assert!(page.contains("已召回"), "{page}");
    assert_eq!(json(&address, &recalled_path)["recalled"], true);

    let (_, fake_path) = split(&url(&lines, "a counterfeit serial"));
    let (status, _, page) = get(&address, &fake_path, "text/html");
    assert_eq!(status, 200);
    assert!(page.contains("疑似假冒"), "{page}");
    let fake = json(&address, &fake_path);
    assert_eq!(fake["suspicious"], true);
    assert!(fake["sold_in"].as_array().unwrap().len() >= 2);

    // A serial nobody commissioned, a wrong check digit, a code that is no code, one too long.
    let gtin = facts["gtin"].as_str().unwrap();
    let (status, _, page) = get(&address, &format!("/01/{gtin}/21/99999999"), "text/html");
    assert_eq!(status, 404);
    assert!(page.contains("可能是假冒"), "{page}");
    let mut wrong = gtin.to_owned();
    let last = wrong.pop().unwrap().to_digit(10).unwrap();
    wrong.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let (status, _, page) = get(&address, &format!("/01/{wrong}/21/1"), "text/html");
    assert_eq!(status, 400);
    assert!(page.contains("产品码无效"), "{page}");
    let (status, head, body) = get(&address, "/01/abc/21/1", "application/json");
    assert_eq!(status, 400);
    assert!(head.contains("application/json"), "{head}");
    assert!(body.contains("产品码无效"));
    let (status, _, _) = get(
        &address,
        &format!("/01/{gtin}/21/{}", "9".repeat(300)),
        "text/html",
    );
    assert_eq!(status, 414);

    child.kill().expect("stop the demo");
    child.wait().expect("the demo stopped");

    // Again on the same folder: the same world and accounts, no second capture.
    let (mut again, lines_again) = start(&data);
    let tokens_again: Vec<String> = lines_again
        .iter()
        .filter(|line| line.trim_start().starts_with("ax_"))
        .cloned()
        .collect();
    assert_eq!(tokens, tokens_again);
    let (address, path) = split(&url(&lines_again, "a normal can"));
    assert_eq!(path, normal_path);
    let (status, _, _) = get(&address, &path, "text/html");
    assert_eq!(status, 200);
    again.kill().expect("stop the demo");
    again.wait().expect("the demo stopped");
    std::fs::remove_dir_all(dir).ok();
}

//! `anxin serve` end to end: the binary listens, answers EPCIS requests with the token of an
//! account made by `anxin account create`, and captures a document over HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use super::{VALID, anxin, temp_dir, text};

fn http(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read");
    reply
}

#[test]
fn anxin_serve_answers_epcis_requests() {
    let dir = temp_dir("serve");
    let db = format!("sqlite://{}", dir.join("anxin.db").display());
    let created = anxin(&[
        "account",
        "create",
        "--name",
        "深圳乳业",
        "--role",
        "manufacturer",
        "--party",
        "urn:epc:id:pgln:6901234.00000",
        "--region",
        "440305",
        "--db",
        &db,
    ]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created.stderr));
    let stdout = text(&created.stdout);
    let token = stdout
        .lines()
        .find_map(|line| line.strip_prefix("token: "))
        .expect("a token line")
        .to_owned();

    let mut server = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db", &db])
        .stderr(Stdio::piped())
        .spawn()
        .expect("anxin serve starts");
    let mut stderr = BufReader::new(server.stderr.take().expect("stderr"));
    let mut first_line = String::new();
    stderr.read_line(&mut first_line).expect("a first line");
    let address = first_line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first_line}"))
        .to_owned();

    let options = http(
        &address,
        "OPTIONS /epcis/capture HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(options.starts_with("HTTP/1.1 204"), "{options}");
    assert!(
        options
            .to_ascii_lowercase()
            .contains("gs1-epcis-capture-limit:")
    );
    let refused = http(
        &address,
        "GET /epcis/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    let capture = http(
        &address,
        &format!(
            "POST /epcis/capture HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/ld+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{VALID}",
            VALID.len()
        ),
    );
    assert!(capture.starts_with("HTTP/1.1 202"), "{capture}");
    assert!(
        capture
            .to_ascii_lowercase()
            .contains("location: /epcis/capture/")
    );
    // The ledger is served without a token, signed with the key made in the data folder.
    let sth = http(
        &address,
        "GET /api/v1/ledger/sth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(sth.starts_with("HTTP/1.1 200"), "{sth}");
    assert!(sth.contains("\"treeSize\""), "{sth}");
    server.kill().expect("stop the server");
    server.wait().expect("the server stops");
}

//! The pages in a real browser: headless Chromium driven over W3C WebDriver (fantoccini and
//! Debian's `chromedriver`), against the real `anxin demo` binary on a tiny world.
//!
//! Without `chromedriver` and `chromium` the tests print that they were skipped and pass (as
//! the PostgreSQL tests do without `ANXIN_TEST_PG`); `.ci/run` installs both, with
//! `fonts-noto-cjk` so Chinese renders. Every page looked at is also saved as a screenshot,
//! phone and desktop, in `target/screenshots/NAME.png` (the target folder of this build, so
//! `CARGO_TARGET_DIR` is respected) for a person to look at.
//!
//! The demo and chromedriver are child processes held by guards that kill them when dropped,
//! so a failing assertion (a panic unwinding through the test) stops them too. The tests take
//! a lock so only one demo and one browser run at a time on a small machine.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// One browser test at a time (each starts a demo and a browser).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The phone width the pages must fit (a common small Android width).
const PHONE_WIDTH: u32 = 360;
const PHONE_HEIGHT: u32 = 740;
const DESKTOP_WIDTH: u32 = 1280;
const DESKTOP_HEIGHT: u32 = 900;

/// A child process killed (and reaped) when dropped, on every exit path.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// chromedriver in a process group of its own, with the browsers it starts: dropping it kills
/// the whole group, so a test that fails before closing its session leaves no Chromium behind
/// (killing chromedriver alone would orphan them).
struct KilledGroup(Child);

impl Drop for KilledGroup {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A program on `PATH`, or at one of the usual places.
fn program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .chain([
            PathBuf::from("/usr/bin"),
            PathBuf::from("/usr/lib/chromium"),
        ])
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// chromedriver and the Chromium binary, or `None` (with a line saying the test is skipped).
fn browser_programs(test: &str) -> Option<(PathBuf, PathBuf)> {
    let driver = program("chromedriver");
    let chromium = program("chromium").or_else(|| program("chromium-browser"));
    match (driver, chromium) {
        (Some(driver), Some(chromium)) => Some((driver, chromium)),
        _ => {
            eprintln!(
                "{test}: skipped (needs chromedriver and chromium: apt-get install chromium \
                 chromium-driver fonts-noto-cjk)"
            );
            None
        }
    }
}

/// The build's target folder (`…/target/debug/anxin` → `…/target`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_anxin"))
        .parent()
        .and_then(Path::parent)
        .expect("the binary is in target/PROFILE/")
        .to_path_buf()
}

fn screenshot_dir() -> PathBuf {
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("anxin-browser-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temp folder");
    dir
}

/// A running demo: its process, address and `demo.json`.
struct Demo {
    _child: Killed,
    address: String,
    guide: Value,
    data: PathBuf,
}

impl Demo {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A path from `demo.json` (e.g. `normal_can`).
    fn path(&self, key: &str) -> String {
        self.guide[key]
            .as_str()
            .unwrap_or_else(|| panic!("demo.json has no {key}: {:#}", self.guide))
            .to_owned()
    }

    /// The token of the account whose label contains `label`.
    fn token(&self, label: &str) -> String {
        self.guide["accounts"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|account| account["label"].as_str().is_some_and(|l| l.contains(label)))
            .and_then(|account| account["token"].as_str())
            .unwrap_or_else(|| panic!("no {label} account in {:#}", self.guide))
            .to_owned()
    }
}

/// Starts `anxin demo` on a tiny world with some counterfeits, waits for its guide and reads
/// `demo.json`.
fn start_demo(name: &str) -> Demo {
    let data = temp_dir(name).join("data");
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_anxin"))
            .args([
                "demo",
                "--scale",
                "tiny",
                "--trouble",
                "counterfeit=30",
                "--addr",
                "127.0.0.1:0",
                "--data",
            ])
            .arg(&data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("anxin demo starts"),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().expect("stdout"));
    let mut address = None;
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = stdout.read_line(&mut line).expect("a guide line");
        assert!(n > 0, "anxin demo ended before its guide: {lines:#?}");
        if let Some((_, rest)) = line.split_once("serving on http://") {
            address = Some(rest.trim().to_owned());
        }
        let last = line.starts_with("Ctrl-C");
        lines.push(line);
        if last {
            break;
        }
    }
    let address = address.unwrap_or_else(|| panic!("no address in the guide: {lines:#?}"));
    let guide: Value =
        serde_json::from_slice(&std::fs::read(data.join("demo.json")).expect("demo.json"))
            .expect("demo.json is JSON");
    Demo {
        _child: child,
        address,
        guide,
        data,
    }
}

/// One plain HTTP/1.1 GET (status, body), with an optional bearer token.
fn http_get(address: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect to the demo");
    let auth = token.map_or_else(String::new, |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n{auth}Connection: close\r\n\r\n"
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
    (status, body.to_owned())
}

/// chromedriver on a free port, ready for sessions.
struct Driver {
    _child: KilledGroup,
    url: String,
    chromium: PathBuf,
}

fn start_driver(driver: &Path, chromium: PathBuf) -> Driver {
    let port = free_port();
    let child = KilledGroup(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts"),
    );
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not listen on port {port} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver {
        _child: child,
        url: format!("http://127.0.0.1:{port}"),
        chromium,
    }
}

/// The two screens every page is looked at on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Screen {
    Phone,
    Desktop,
}

impl Screen {
    const BOTH: [Screen; 2] = [Screen::Phone, Screen::Desktop];

    fn name(self) -> &'static str {
        match self {
            Screen::Phone => "phone",
            Screen::Desktop => "desktop",
        }
    }

    fn width(self) -> u32 {
        match self {
            Screen::Phone => PHONE_WIDTH,
            Screen::Desktop => DESKTOP_WIDTH,
        }
    }
}

/// A new headless Chromium session sized for `screen` (a phone is emulated: its width, a
/// touch screen and a device pixel ratio of 2).
async fn session(driver: &Driver, screen: Screen) -> Client {
    let mut options = json!({
        "binary": driver.chromium,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            format!("--window-size={DESKTOP_WIDTH},{DESKTOP_HEIGHT}"),
            "--lang=zh-CN",
        ],
    });
    if screen == Screen::Phone {
        options["mobileEmulation"] = json!({
            "deviceMetrics": {"width": PHONE_WIDTH, "height": PHONE_HEIGHT, "pixelRatio": 2.0, "touch": true}
        });
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".to_owned(), json!("chrome"));
    capabilities.insert("goog:chromeOptions".to_owned(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// Runs a script and returns its value.
async fn script(client: &Client, code: &str, args: Vec<Value>) -> Value {
    client
        .execute(code, args)
        .await
        .unwrap_or_else(|err| panic!("script failed: {err}\n{code}"))
}

/// The HTTP status the page's own URL answers with (fetched from inside the page, with its
/// cookies: WebDriver does not report the status of a navigation).
async fn status_of(client: &Client, url: &str) -> u16 {
    let status = client
        .execute_async(
            "const [url, done] = arguments; \
             fetch(url, {credentials: 'same-origin'}).then(r => done(r.status), e => done(String(e)));",
            vec![json!(url)],
        )
        .await
        .expect("fetch from the page");
    status
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .unwrap_or_else(|| panic!("fetch of {url} failed: {status}"))
}

/// Chromium's own full-page screenshot (DevTools `Page.captureScreenshot` beyond the
/// viewport, sent through chromedriver's `goog/cdp/execute`): WebDriver's screenshot shows
/// only the viewport.
#[derive(Debug)]
struct FullPageScreenshot;

impl fantoccini::wd::WebDriverCompatibleCommand for FullPageScreenshot {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({
            "cmd": "Page.captureScreenshot",
            "params": {"format": "png", "captureBeyondViewport": true},
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Saves a full-page screenshot as `target/screenshots/{name}-{screen}.png` and checks it is
/// a PNG.
async fn screenshot(client: &Client, name: &str, screen: Screen) {
    use base64::Engine as _;
    let answer = client
        .issue_cmd(FullPageScreenshot)
        .await
        .expect("a full-page screenshot");
    let png = base64::engine::general_purpose::STANDARD
        .decode(answer["data"].as_str().expect("base64 PNG data"))
        .expect("valid base64");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 1000,
        "{name}: the screenshot is not a PNG of a page ({} bytes)",
        png.len()
    );
    let path = screenshot_dir().join(format!("{name}-{}.png", screen.name()));
    std::fs::write(&path, png).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
}

/// The page fits the screen: the viewport is the screen's width and nothing scrolls sideways.
async fn fits(client: &Client, what: &str, screen: Screen) {
    let sizes = script(
        client,
        "return [window.innerWidth, document.documentElement.scrollWidth, document.body.scrollWidth];",
        vec![],
    )
    .await;
    let viewport = sizes[0].as_u64().expect("innerWidth");
    assert_eq!(
        viewport,
        u64::from(screen.width()),
        "{what}: the {} viewport",
        screen.name()
    );
    for scroll in [&sizes[1], &sizes[2]] {
        let scroll = scroll.as_u64().expect("scrollWidth");
        assert!(
            scroll <= viewport,
            "{what} scrolls sideways on a {}: scrollWidth {scroll} > viewport {viewport}",
            screen.name()
        );
    }
}

/// The page is Chinese: `<html lang="zh…">`.
async fn chinese(client: &Client, what: &str) {
    let lang = client
        .find(Locator::Css("html"))
        .await
        .expect("an html element")
        .attr("lang")
        .await
        .expect("read lang")
        .unwrap_or_default();
    assert!(lang.starts_with("zh"), "{what}: <html lang=\"{lang}\">");
}

/// Chinese text renders in a real CJK font, not as empty boxes: the page asks for Noto Sans
/// CJK first, and that font is present (text measured in it beside a generic fallback differs
/// from the fallback alone, the usual test for an installed font), and the page's Chinese
/// heading measured in the page's own font is as wide as in Noto Sans CJK.
async fn cjk_font_renders(client: &Client, what: &str) {
    let found = script(
        client,
        r#"
        const canvas = document.createElement('canvas');
        const g = canvas.getContext('2d');
        const width = (font, text) => { g.font = font; return g.measureText(text).width; };
        const family = getComputedStyle(document.body).fontFamily;
        const heading = document.querySelector('h1').textContent.trim();
        const latin = 'mmmmmmmmmmlliiiiiWW';
        return {
          family: family,
          heading: heading,
          latinInNoto: width('40px "Noto Sans CJK SC", monospace', latin),
          latinMono: width('40px monospace', latin),
          headingInPageFont: width('40px ' + family, heading),
          headingInNoto: width('40px "Noto Sans CJK SC"', heading),
        };
        "#,
        vec![],
    )
    .await;
    let family = found["family"].as_str().unwrap_or_default();
    assert!(
        family.contains("Noto Sans CJK"),
        "{what}: the page asks for {family}, not Noto Sans CJK"
    );
    let heading = found["heading"].as_str().unwrap_or_default();
    assert!(
        heading
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{what}: the heading {heading:?} has no Chinese"
    );
    let number = |key: &str| found[key].as_f64().unwrap_or(f64::NAN);
    assert!(
        (number("latinInNoto") - number("latinMono")).abs() > 1.0,
        "{what}: Noto Sans CJK SC is not installed (text measured in it is the fallback's width): {found}"
    );
    assert!(
        (number("headingInPageFont") - number("headingInNoto")).abs() < 0.5,
        "{what}: the heading is not drawn in Noto Sans CJK: {found}"
    );
}

/// The visible text of the element `locator`.
async fn visible_text(client: &Client, locator: Locator<'_>, what: &str) -> String {
    let element = client
        .find(locator)
        .await
        .unwrap_or_else(|err| panic!("{what}: not found ({err})"));
    assert!(
        element.is_displayed().await.expect("is_displayed"),
        "{what}: not displayed"
    );
    element.text().await.expect("the element's text")
}

/// The three passports (normal, recalled, fake) on a phone and a desktop.
async fn passports(demo: &Demo, driver: &Driver) {
    let normal = demo.path("normal_can");
    let recalled = demo.path("recalled_can");
    let fake_gtin = normal
        .split('/')
        .nth(2)
        .expect("/01/GTIN/21/SERIAL")
        .to_owned();
    let fake = format!("/01/{fake_gtin}/21/NEVER-MADE-0001");
    // What the server knows of the normal can, to compare with what the browser shows.
    let (status, body) = http_get(&demo.address, &normal, None);
    assert_eq!(status, 200, "{body}");
    let facts: Value = serde_json::from_str(&body).expect("the passport as JSON");
    let product = facts["product"]
        .as_str()
        .expect("a product name")
        .to_owned();

    for screen in Screen::BOTH {
        let client = session(driver, screen).await;

        // A normal can: its name, the all-clear, and its journey from factory to shop.
        client.goto(&demo.url(&normal)).await.expect("open");
        assert_eq!(status_of(&client, &demo.url(&normal)).await, 200);
        chinese(&client, "the normal passport").await;
        cjk_font_renders(&client, "the normal passport").await;
        let heading = visible_text(&client, Locator::Css("h1"), "the product's name").await;
        assert_eq!(heading, product);
        let all_clear = visible_text(&client, Locator::Css(".ok"), "the all-clear").await;
        assert!(all_clear.contains("未召回"), "{all_clear}");
        assert!(
            client.find(Locator::Css("[role=alert]")).await.is_err(),
            "a normal can shows no warning"
        );
        visible_text(&client, Locator::Id("journey"), "the journey").await;
        let mut steps = Vec::new();
        for step in client
            .find_all(Locator::Css("#journey li"))
            .await
            .expect("the journey's steps")
        {
            steps.push(step.text().await.expect("a step's text").replace('\n', " "));
        }
        assert!(
            steps.first().is_some_and(|s| s.contains("生产赋码")),
            "the journey starts at the factory: {steps:#?}"
        );
        assert!(
            steps.last().is_some_and(|s| s.contains("零售售出")),
            "the journey ends with a sale at a shop: {steps:#?}"
        );
        let shipped = steps.iter().filter(|s| s.contains("发货")).count();
        let received = steps.iter().filter(|s| s.contains("收货")).count();
        assert!(
            shipped >= 2 && received >= 2,
            "factory → distributor → shop (two legs): {steps:#?}"
        );
        let qr = client
            .find(Locator::Css(".qr img"))
            .await
            .expect("the QR code");
        assert!(
            qr.is_displayed().await.expect("is_displayed"),
            "the QR code"
        );
        // The image is loaded lazily: brought into view, it is drawn, 160 px wide.
        let drawn = client
            .execute_async(
                "const done = arguments[0]; const img = document.querySelector('.qr img'); \
                 img.scrollIntoView(); \
                 img.decode().then(() => done(img.naturalWidth), e => done(String(e)));",
                vec![],
            )
            .await
            .expect("the QR image decodes");
        assert!(
            drawn.as_u64().is_some_and(|width| width > 0),
            "the QR image was drawn: {drawn}"
        );
        fits(&client, "the normal passport", screen).await;
        screenshot(&client, "passport-normal", screen).await;

        // A recalled can: the warning, visible, as an alert.
        client.goto(&demo.url(&recalled)).await.expect("open");
        assert_eq!(status_of(&client, &demo.url(&recalled)).await, 200);
        let warning =
            visible_text(&client, Locator::Css("[role=alert]"), "the recall warning").await;
        assert!(warning.contains("已召回"), "{warning}");
        assert!(
            client.find(Locator::Css(".ok")).await.is_err(),
            "no all-clear"
        );
        fits(&client, "the recalled passport", screen).await;
        screenshot(&client, "passport-recalled", screen).await;

        // A serial nobody commissioned: the plain "may be fake" page with 404.
        client.goto(&demo.url(&fake)).await.expect("open");
        assert_eq!(status_of(&client, &demo.url(&fake)).await, 404);
        chinese(&client, "the may-be-fake page").await;
        let title = visible_text(&client, Locator::Css("h1"), "the page's title").await;
        assert!(title.contains("可能是假冒"), "{title}");
        let warning = visible_text(&client, Locator::Css("[role=alert]"), "the advice").await;
        assert!(warning.contains("12315"), "{warning}");
        fits(&client, "the may-be-fake page", screen).await;
        screenshot(&client, "passport-unknown", screen).await;

        // A wrong check digit: 400 and a page saying so.
        let mut digits: Vec<u8> = fake_gtin.bytes().collect();
        let last = digits.last_mut().expect("a GTIN");
        *last = b'0' + (*last - b'0' + 1) % 10;
        let wrong = format!(
            "/01/{}/21/1",
            String::from_utf8(digits).expect("digits are ASCII")
        );
        client.goto(&demo.url(&wrong)).await.expect("open");
        assert_eq!(status_of(&client, &demo.url(&wrong)).await, 400);
        let title = visible_text(&client, Locator::Css("h1"), "the page's title").await;
        assert!(title.contains("无效"), "{title}");
        fits(&client, "the invalid-code page", screen).await;
        screenshot(&client, "passport-invalid", screen).await;

        client.close().await.expect("close the session");
    }
}

/// Runs `body` with a demo and chromedriver, or skips without a browser.
fn with_browser<F>(test: &str, body: impl FnOnce(Demo, Driver) -> F)
where
    F: std::future::Future<Output = ()>,
{
    let Some((driver_path, chromium)) = browser_programs(test) else {
        return;
    };
    let _one = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let demo = start_demo(test);
    let driver = start_driver(&driver_path, chromium);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(body(demo, driver));
}

#[test]
fn passports_in_a_browser_on_a_phone_and_a_desktop() {
    with_browser("passports", |demo, driver| async move {
        passports(&demo, &driver).await;
    });
}

/// A GLN (GS1 company prefix and location reference, 12 digits) completed with its check
/// digit (GS1 General Specifications 7.9.1: weights 3 and 1 from the right).
fn with_check_digit(twelve: &str) -> String {
    let sum: u32 = twelve
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    format!("{twelve}{}", (10 - sum % 10) % 10)
}

/// Makes a manufacturer account for a party that makes none of the world's products, on the
/// demo's own database (the demo keeps running); returns its token.
fn other_manufacturer(demo: &Demo) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args([
            "account",
            "create",
            "--name",
            "另一家乳业（浏览器测试）",
            "--role",
            "manufacturer",
            "--party",
            &with_check_digit("690999900001"),
            "--db",
        ])
        .arg(format!("sqlite://{}", demo.data.join("anxin.db").display()))
        .output()
        .expect("anxin account create runs");
    assert!(
        output.status.success(),
        "anxin account create: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("token: "))
        .expect("a printed token")
        .trim()
        .to_owned()
}

/// The lot the demo's recall started from (its scope's first identifier), read from the
/// recall API as the national regulator who recorded it.
fn contaminated_lot(demo: &Demo) -> String {
    let recall_id = demo.path("recall_id");
    let (status, body) = http_get(
        &demo.address,
        &format!("/api/v1/recalls/{recall_id}"),
        Some(&demo.token("national regulator")),
    );
    assert_eq!(status, 200, "{body}");
    let recall: Value = serde_json::from_str(&body).expect("the recall as JSON");
    fn first_id(value: &Value) -> Option<String> {
        match value {
            Value::Object(map) => map
                .get("ids")
                .and_then(|ids| ids.get(0))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| map.values().find_map(first_id)),
            Value::Array(items) => items.iter().find_map(first_id),
            _ => None,
        }
    }
    first_id(&recall["scope"]).unwrap_or_else(|| panic!("no lot in the recall's scope: {recall:#}"))
}

/// Signs in through `/login` with `token`; ends on a page under `/app`.
async fn sign_in(client: &Client, demo: &Demo, token: &str, screen: Screen, shot: bool) {
    client.goto(&demo.url("/login")).await.expect("open /login");
    chinese(client, "the login page").await;
    let field = client
        .find(Locator::Id("token"))
        .await
        .expect("the token field #token");
    if shot {
        fits(client, "the login page", screen).await;
        screenshot(client, "login", screen).await;
    }
    field.send_keys(token).await.expect("type the token");
    client
        .find(Locator::Id("login-submit"))
        .await
        .expect("the button #login-submit")
        .click()
        .await
        .expect("sign in");
    wait_for_path(
        client,
        |path| path.starts_with("/app"),
        "/app after signing in",
    )
    .await;
}

/// Waits (up to 20 s) until the browser's URL path satisfies `wanted`; returns the path.
async fn wait_for_path(client: &Client, wanted: impl Fn(&str) -> bool, what: &str) -> String {
    let started = Instant::now();
    loop {
        let url = client.current_url().await.expect("the current URL");
        if wanted(url.path()) {
            return url.path().to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "expected {what}, still at {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The signed-in pages of the `web` contract: a provincial regulator starts a recall from
/// the planted contaminated lot and sees its holders; a manufacturer cannot open another
/// manufacturer's trace (403, #forbidden) while the national regulator can.
async fn signed_in(demo: &Demo, driver: &Driver) {
    let lot = contaminated_lot(demo);
    let provincial = demo.token("provincial regulator");
    let national = demo.token("national regulator");
    let outsider = other_manufacturer(demo);
    let normal = demo.path("normal_can");

    // Desktop: the recall console.
    let client = session(driver, Screen::Desktop).await;
    sign_in(&client, demo, &provincial, Screen::Desktop, true).await;
    client
        .goto(&demo.url("/app/recalls/new"))
        .await
        .expect("open the recall form");
    assert_eq!(status_of(&client, &demo.url("/app/recalls/new")).await, 200);
    client
        .find(Locator::Id("recall-ids"))
        .await
        .expect("#recall-ids")
        .send_keys(&lot)
        .await
        .expect("type the lot");
    client
        .find(Locator::Id("recall-level"))
        .await
        .expect("#recall-level")
        .select_by_value("1")
        .await
        .expect("choose level 1");
    client
        .find(Locator::Id("recall-reason"))
        .await
        .expect("#recall-reason")
        .send_keys("浏览器测试：原料批次检出问题")
        .await
        .expect("type the reason");
    fits(&client, "the recall form", Screen::Desktop).await;
    screenshot(&client, "recall-new", Screen::Desktop).await;
    client
        .find(Locator::Id("recall-submit"))
        .await
        .expect("#recall-submit")
        .click()
        .await
        .expect("start the recall");
    let recall_path = wait_for_path(
        &client,
        |path| path.starts_with("/app/recalls/") && path != "/app/recalls/new",
        "the new recall's page",
    )
    .await;
    let holders = client
        .find_all(Locator::Css("#holders tbody tr"))
        .await
        .expect("the holders table #holders");
    assert!(
        !holders.is_empty(),
        "the recall of {lot} lists no holders at {recall_path}"
    );
    assert!(
        holders[0].is_displayed().await.expect("is_displayed"),
        "the holders are visible"
    );
    fits(&client, "the recall page", Screen::Desktop).await;
    screenshot(&client, "recall", Screen::Desktop).await;
    client.close().await.expect("close the session");

    // A phone: the same regulator's recall page.
    let phone = session(driver, Screen::Phone).await;
    sign_in(&phone, demo, &provincial, Screen::Phone, true).await;
    phone
        .goto(&demo.url(&recall_path))
        .await
        .expect("open the recall");
    assert!(
        !phone
            .find_all(Locator::Css("#holders tbody tr"))
            .await
            .expect("#holders")
            .is_empty(),
        "the holders on a phone"
    );
    fits(&phone, "the recall page", Screen::Phone).await;
    screenshot(&phone, "recall", Screen::Phone).await;
    phone.close().await.expect("close the session");

    // The trace explorer: the national regulator sees a can's trace...
    let trace = format!(
        "/app/trace?id={}",
        form_urlencoded_component(&format!("https://id.gs1.org{normal}"))
    );
    for screen in Screen::BOTH {
        let client = session(driver, screen).await;
        sign_in(&client, demo, &national, screen, false).await;
        client
            .goto(&demo.url(&trace))
            .await
            .expect("open the trace");
        assert_eq!(status_of(&client, &demo.url(&trace)).await, 200);
        let graph = client
            .find(Locator::Id("trace-graph"))
            .await
            .expect("the graph #trace-graph");
        assert!(
            graph.is_displayed().await.expect("is_displayed"),
            "the graph"
        );
        screenshot(&client, "trace", screen).await;
        client.close().await.expect("close the session");
    }

    // ...and a manufacturer that did not make it is refused.
    let client = session(driver, Screen::Desktop).await;
    sign_in(&client, demo, &outsider, Screen::Desktop, false).await;
    client
        .goto(&demo.url(&trace))
        .await
        .expect("open the trace");
    assert_eq!(status_of(&client, &demo.url(&trace)).await, 403);
    let refusal = visible_text(&client, Locator::Id("forbidden"), "the refusal #forbidden").await;
    assert!(!refusal.trim().is_empty(), "the refusal says why");
    screenshot(&client, "trace-forbidden", Screen::Desktop).await;
    client.close().await.expect("close the session");
}

/// Percent-encodes a query component.
fn form_urlencoded_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn signed_in_recall_console_and_refused_trace_in_a_browser() {
    with_browser("signed-in", |demo, driver| async move {
        signed_in(&demo, &driver).await;
    });
}

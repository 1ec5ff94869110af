//! The pages: login and sessions (expiry, the page asked for restored, sign-out), refusal of
//! cross-site forms, every signed-in page's status and key content, the 403 page for
//! another manufacturer's product, the shop inspector's check, and the English switch.
//! A small cookie-keeping client stands in for a browser.

use anxin_store::Role;
use anxin_store_tests::fixtures::{LOT, PARTY_A, can};
use axum::body::Body;
use axum::http::{Method, Request};

use crate::helpers::{Reply, TestApp, account, app};
use crate::trace::{admin, chain};

const HOST: &str = "anxin.test";
const ORIGIN: &str = "http://anxin.test";

/// Keeps cookies like a browser and sends same-site form posts.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    cookies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            cookies: Vec::new(),
        }
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn absorb(&mut self, reply: &Reply) {
        for value in reply.headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(key, _)| key != name);
            if !value.is_empty() && !attributes.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        origin: Option<&str>,
        body: String,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header("host", HOST);
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            request = request.header("cookie", cookie.join("; "));
        }
        if method == Method::POST {
            request = request.header("content-type", "application/x-www-form-urlencoded");
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
        }
        let reply = self
            .app
            .call(request.body(Body::from(body)).expect("request"))
            .await;
        self.absorb(&reply);
        reply
    }

    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, None, String::new()).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.post_from(path, fields, Some(ORIGIN)).await
    }

    async fn post_from(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Reply {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (name, value) in fields {
            form.append_pair(name, value);
        }
        self.send(Method::POST, path, origin, form.finish()).await
    }
}

/// The value of the hidden input `name` on a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in {page}"))
        + marker.len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
}

/// Signs in with `token` through the login form and returns the browser.
pub(crate) async fn sign_in<'a>(app: &'a TestApp, token: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    let form = browser.get("/login").await;
    assert_eq!(form.status, 200, "{}", form.text());
    let csrf = hidden(&form.text(), "csrf");
    let reply = browser
        .post(
            "/login",
            &[("token", token), ("csrf", &csrf), ("next", "/app")],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location"), "/app");
    browser
}

fn encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test]
async fn login_restores_the_page_asked_for_and_logout_ends_the_session() {
    let app = app().await;
    let mut browser = Browser::new(&app);
    let asked = format!("/app/trace?id={}&direction=forward", encoded(LOT));
    let reply = browser.get(&asked).await;
    assert_eq!(reply.status, 303);
    let location = reply.header("location").to_owned();
    assert_eq!(location, format!("/login?next={}", encoded(&asked)));

    let form = browser.get(&location).await;
    assert_eq!(form.status, 200);
    let page = form.text();
    for needle in [
        "name=\"token\" id=\"token\"",
        "id=\"login-submit\"",
        "<html lang=\"zh-CN\">",
        "id=\"lang-switch\"",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    assert!(
        browser.cookie("ax_login").is_some(),
        "the form's token cookie"
    );
    let csrf = hidden(&page, "csrf");
    assert_eq!(hidden(&page, "next"), asked);
    // A second login tab gets the same form token, so both forms work.
    let second = browser.get("/login").await.text();
    assert_eq!(hidden(&second, "csrf"), csrf);

    // A wrong token: the form again, with a message, nothing signed in.
    let wrong = browser
        .post(
            "/login",
            &[("token", "ax_nonsense"), ("csrf", &csrf), ("next", &asked)],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.text().contains("id=\"login-error\""),
        "{}",
        wrong.text()
    );
    assert!(browser.cookie("ax_session").is_none());
    // So is a revoked one.
    let csrf = hidden(&wrong.text(), "csrf");
    let revoked = browser
        .post(
            "/login",
            &[("token", &app.revoked), ("csrf", &csrf), ("next", &asked)],
        )
        .await;
    assert_eq!(revoked.status, 401);

    let csrf = hidden(&revoked.text(), "csrf");
    let signed = browser
        .post(
            "/login",
            &[
                ("token", &app.manufacturer),
                ("csrf", &csrf),
                ("next", &asked),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.text());
    assert_eq!(signed.header("location"), asked);
    let set_cookie: Vec<&str> = signed
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap())
        .collect();
    let session = set_cookie
        .iter()
        .find(|cookie| cookie.starts_with("ax_session="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    let id = browser.cookie("ax_session").unwrap().to_owned();
    assert_eq!(id.len(), 64);
    assert!(!id.contains(&app.manufacturer) && !app.manufacturer.contains(&id));

    let home = browser.get("/app").await;
    assert_eq!(home.status, 200, "{}", home.text());
    let page = home.text();
    assert!(
        page.contains("factory") && page.contains("生产企业"),
        "{page}"
    );
    assert!(
        page.contains("href=\"/app/trace\""),
        "a manufacturer is offered the trace"
    );

    // Sign-out needs the session's form token.
    let refused = browser.post("/logout", &[("csrf", "0")]).await;
    assert_eq!(refused.status, 403);
    let csrf = hidden(&page, "csrf");
    let out = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), "/login?out=1");
    assert!(browser.cookie("ax_session").is_none());
    // The old cookie, replayed, leads back to the login form with a Chinese explanation.
    browser.cookies.push(("ax_session".to_owned(), id));
    let again = browser.get("/app/recalls").await;
    assert_eq!(again.status, 401);
    let page = again.text();
    assert!(
        page.contains("登录已过期") && page.contains("id=\"token\""),
        "{page}"
    );
    assert_eq!(hidden(&page, "next"), "/app/recalls");
}

#[tokio::test]
async fn an_expired_session_or_a_revoked_account_leads_back_to_login() {
    let app = app().await;
    let mut browser = sign_in(&app, &app.manufacturer).await;
    assert_eq!(browser.get("/app/ledger").await.status, 200);
    // Nine hours without a request: past the eight-hour idle limit.
    app.state.sessions.age_for_tests(9 * 3600 * 1000);
    let expired = browser.get("/app/ledger").await;
    assert_eq!(expired.status, 401);
    let page = expired.text();
    assert!(page.contains("登录已过期"), "{page}");
    assert!(page.contains("id=\"login-submit\""), "{page}");
    assert_eq!(hidden(&page, "next"), "/app/ledger");
    assert!(
        browser.cookie("ax_session").is_none(),
        "the dead cookie is cleared"
    );
    // Signing in again from that page goes back to the page asked for.
    let csrf = hidden(&page, "csrf");
    let signed = browser
        .post(
            "/login",
            &[
                ("token", &app.manufacturer),
                ("csrf", &csrf),
                ("next", "/app/ledger"),
            ],
        )
        .await;
    assert_eq!(signed.header("location"), "/app/ledger");
    assert_eq!(browser.get("/app/ledger").await.status, 200);

    // An account revoked while signed in loses its pages at once.
    let (id, token) = account(
        app.store.as_ref(),
        "short-lived",
        Role::Manufacturer,
        Some(PARTY_A),
        "440305",
    )
    .await;
    let mut other = sign_in(&app, &token).await;
    assert_eq!(other.get("/app").await.status, 200);
    assert!(app.store.revoke_account(id).await.unwrap());
    let gone = other.get("/app").await;
    assert_eq!(gone.status, 401);
    assert!(gone.text().contains("id=\"token\""));

    // A cookie the server never issued is treated the same way.
    let mut stranger = Browser::new(&app);
    stranger
        .cookies
        .push(("ax_session".to_owned(), "ff".repeat(32)));
    let reply = stranger.get("/app").await;
    assert_eq!(reply.status, 401);
    assert!(reply.text().contains("登录已过期"));
}

#[tokio::test]
async fn cross_site_forms_are_refused_and_change_nothing() {
    let app = app().await;
    chain(&app).await;
    // Login from another site, or without the form's cookie.
    let mut browser = Browser::new(&app);
    let form = browser.get("/login").await;
    let csrf = hidden(&form.text(), "csrf");
    let reply = browser
        .post_from(
            "/login",
            &[("token", &app.manufacturer), ("csrf", &csrf)],
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(reply.status, 403);
    assert!(reply.text().contains("请求被拒绝"), "{}", reply.text());
    assert!(browser.cookie("ax_session").is_none());
    let mut cookieless = Browser::new(&app);
    let reply = cookieless
        .post("/login", &[("token", &app.manufacturer), ("csrf", &csrf)])
        .await;
    assert_eq!(reply.status, 403);

    // A recall posted from another site, or with a wrong form token, records nothing.
    let mut browser = sign_in(&app, &app.manufacturer).await;
    let page = browser.get("/app/recalls/new").await.text();
    let csrf = hidden(&page, "csrf");
    let fields = [
        ("ids", LOT),
        ("level", "1"),
        ("reason", "test"),
        ("csrf", csrf.as_str()),
    ];
    let reply = browser
        .post_from("/app/recalls/new", &fields, Some("http://evil.example"))
        .await;
    assert_eq!(reply.status, 403);
    let wrong = [
        ("ids", LOT),
        ("level", "1"),
        ("reason", "test"),
        ("csrf", "00"),
    ];
    assert_eq!(browser.post("/app/recalls/new", &wrong).await.status, 403);
    let no_origin = [("ids", LOT), ("level", "1"), ("reason", "test")];
    assert_eq!(
        browser
            .post_from("/app/recalls/new", &no_origin, None)
            .await
            .status,
        403
    );
    assert!(app.store.list_recalls(10).await.unwrap().is_empty());
    // The same form from this site works.
    let reply = browser.post("/app/recalls/new", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(app.store.list_recalls(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_trace_explorer_draws_the_graph_and_lists_the_proving_events() {
    let app = app().await;
    chain(&app).await;
    let mut browser = sign_in(&app, &app.manufacturer).await;
    let empty = browser.get("/app/trace").await;
    assert_eq!(empty.status, 200);
    assert!(!empty.text().contains("trace-graph\""));

    let reply = browser
        .get(&format!(
            "/app/trace?id={}&direction=backward",
            encoded(&can(1))
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let page = reply.text();
    assert!(page.contains("<svg id=\"trace-graph\""), "{page}");
    assert!(page.contains("MILK1"), "the milk lot is drawn: {page}");
    assert!(page.contains("LOT1"));
    // Every node links to tracing from it; the milk lot's link is there.
    assert!(page.contains("class=\"node\""));
    let milk = encoded("https://id.gs1.org/01/06901234999990/10/MILK1");
    assert!(
        page.contains(&format!("/app/trace?id={milk}&#38;direction=backward")),
        "{page}"
    );
    // The proving events: the transformation and the commissioning, with the party.
    let stored = app
        .get("/epcis/events?perPage=100", &app.manufacturer)
        .await;
    let ids: Vec<String> = stored
        .events()
        .iter()
        .map(|event| event["eventID"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        ids.iter().filter(|id| page.contains(id.as_str())).count() >= 2,
        "{page}"
    );
    assert!(page.contains("id=\"trace-events\""));
    assert!(page.contains("生产赋码"), "{page}");

    // Forward from the lot as Guangdong's regulator: the distributor holds the cans.
    let mut regulator = sign_in(&app, &app.regulator).await;
    let reply = regulator
        .get(&format!("/app/trace?id={}&direction=forward", encoded(LOT)))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let page = reply.text();
    assert!(page.contains("<svg id=\"trace-graph\""));
    assert!(page.contains("北方经销"), "the holder by name: {page}");
    assert!(page.contains("4 罐"), "{page}");
    // A traced lot offers the recall form with the lot filled in.
    let recall = format!("/app/recalls/new?ids={}", encoded(LOT));
    assert!(page.contains(&recall), "{page}");
    let form = regulator.get(&recall).await.text();
    assert!(form.contains(&format!(">{LOT}</textarea>")), "{form}");

    // Bad input: a wrong check digit, a wrong direction.
    let reply = browser
        .get(&format!(
            "/app/trace?id={}",
            encoded("(01)06901234123450(21)1")
        ))
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.text().contains("标识无法识别"));
    assert_eq!(
        browser.get("/app/trace?id=x&direction=up").await.status,
        400
    );
}

#[tokio::test]
async fn another_manufacturer_gets_a_chinese_403_that_names_no_one() {
    let app = app().await;
    chain(&app).await;
    let other = account(
        app.store.as_ref(),
        "another maker",
        Role::Manufacturer,
        Some("urn:epc:id:pgln:6905555.00000"),
        "110000",
    )
    .await
    .1;
    let mut maker = sign_in(&app, &app.manufacturer).await;
    let page = maker.get("/app/recalls/new").await.text();
    let csrf = hidden(&page, "csrf");
    let opened = maker
        .post(
            "/app/recalls/new",
            &[
                ("ids", LOT),
                ("level", "2"),
                ("reason", "阪崎克罗诺杆菌"),
                ("csrf", &csrf),
            ],
        )
        .await;
    let recall_path = opened.header("location").to_owned();

    let mut browser = sign_in(&app, &other).await;
    for path in [
        format!("/app/trace?id={}&direction=forward", encoded(LOT)),
        format!("/app/trace?id={}", encoded(&can(1))),
        recall_path.clone(),
        format!("{recall_path}/download?format=csv"),
    ] {
        let reply = browser.get(&path).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.text());
        let page = reply.text();
        assert!(page.contains("id=\"forbidden\""), "{page}");
        assert!(page.contains("无权查看"), "{page}");
        for secret in ["安心乳业", "6901234.00000", "北方经销", "深圳", "6909876"] {
            assert!(!page.contains(secret), "{path} leaks {secret}");
        }
    }
    // A recall of another's lot is refused the same way, and nothing is recorded.
    let page = browser.get("/app/recalls/new").await.text();
    let csrf = hidden(&page, "csrf");
    let reply = browser
        .post(
            "/app/recalls/new",
            &[
                ("ids", LOT),
                ("level", "1"),
                ("reason", "x"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(reply.status, 403);
    assert!(reply.text().contains("id=\"forbidden\""));
    assert_eq!(app.store.list_recalls(10).await.unwrap().len(), 1);
    // The distributor may not trace at all.
    let mut distributor = sign_in(&app, &app.distributor).await;
    let reply = distributor
        .get(&format!("/app/trace?id={}", encoded(LOT)))
        .await;
    assert_eq!(reply.status, 403);
    assert!(reply.text().contains("id=\"forbidden\""));
    assert_eq!(distributor.get("/app/recalls").await.status, 403);
}

#[tokio::test]
async fn the_recall_console_opens_lists_shows_and_downloads_a_recall() {
    let app = app().await;
    chain(&app).await;
    let mut browser = sign_in(&app, &app.manufacturer).await;
    let form = browser.get("/app/recalls/new").await;
    assert_eq!(form.status, 200);
    let page = form.text();
    for needle in [
        "<textarea id=\"recall-ids\" name=\"ids\"",
        "<select id=\"recall-level\" name=\"level\"",
        "<option value=\"1\"",
        "<option value=\"3\"",
        "<input type=\"text\" id=\"recall-reason\" name=\"reason\"",
        "id=\"recall-submit\"",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    let csrf = hidden(&page, "csrf");
    // Bad lines are named, in Chinese, and nothing is recorded.
    let reply = browser
        .post(
            "/app/recalls/new",
            &[
                ("ids", "not a code"),
                ("level", "4"),
                ("reason", ""),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(reply.status, 400);
    let page = reply.text();
    for needle in [
        "不是可识别的 GS1 编码",
        "not a code",
        "请选择召回级别",
        "请填写召回原因",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    let element_string = "(01)06901234123456(10)LOT1";
    let reply = browser
        .post(
            "/app/recalls/new",
            &[
                ("ids", &format!("{element_string}\n")),
                ("level", "1"),
                ("reason", "阪崎克罗诺杆菌"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    check_recall(&app, &mut browser, reply.header("location")).await;
}

async fn check_recall(app: &TestApp, browser: &mut Browser<'_>, location: &str) {
    assert!(location.starts_with("/app/recalls/RC-"), "{location}");
    let rows = app.store.list_recalls(10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].level, 1);
    let reply = browser.get(location).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let page = reply.text();
    assert!(
        page.contains("一级") && page.contains("阪崎克罗诺杆菌"),
        "{page}"
    );
    let table_start = page
        .find("<table id=\"holders\">")
        .expect("the holders table");
    let body_start = table_start + page[table_start..].find("<tbody>").unwrap();
    let body_end = body_start + page[body_start..].find("</tbody>").unwrap();
    let n_rows = page[body_start..body_end].matches("<tr>").count();
    // One row per holder of the API's report of the same recall, each with its province
    // and name from master data.
    let id = location.trim_start_matches("/app/recalls/");
    let export = app
        .get(
            &format!("/api/v1/recalls/{id}/export?format=json"),
            &app.manufacturer,
        )
        .await
        .json();
    let holders = export["report"]["holders"].as_array().expect("holders");
    assert!(!holders.is_empty());
    assert_eq!(n_rows, holders.len(), "{page}");
    let rows = &page[body_start..body_end];
    for holder in holders {
        let name = holder["party"]["name"].as_str().unwrap();
        assert!(rows.contains(name), "{name}: {rows}");
    }
    assert!(
        rows.contains("广东省") || rows.contains("黑龙江省"),
        "{rows}"
    );
    assert!(page.contains("<svg id=\"province-chart\""), "{page}");
    assert!(
        page.contains("id=\"channels\"") && page.contains("流通环节"),
        "{page}"
    );
    assert!(page.contains("id=\"mass-balance\""));
    assert!(page.contains("id=\"deadlines\""));
    for format in ["csv", "sheet", "xlsx"] {
        assert!(page.contains(&format!("download?format={format}")));
        let reply = browser
            .get(&format!("{location}/download?format={format}"))
            .await;
        assert_eq!(reply.status, 200, "{format}: {}", reply.text());
        assert!(
            reply
                .header("content-disposition")
                .starts_with("attachment")
        );
        if format == "xlsx" {
            assert!(reply.body.starts_with(b"PK"), "a zip");
        } else {
            assert!(reply.header("content-type").starts_with("text/csv"));
            assert!(!reply.body.is_empty());
        }
    }
    assert_eq!(
        browser
            .get(&format!("{location}/download?format=pdf"))
            .await
            .status,
        400
    );
    let list = browser.get("/app/recalls").await;
    assert_eq!(list.status, 200);
    assert!(list.text().contains(id), "{}", list.text());
    // The regulator sees it too (recalls are public notices); an unknown one is a 404 page.
    let mut regulator = sign_in(app, &app.regulator).await;
    assert_eq!(regulator.get(location).await.status, 200);
    let missing = regulator.get("/app/recalls/RC-20260101-00000000").await;
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("未找到"));
}

#[tokio::test]
async fn the_ledger_page_shows_the_signed_head_and_verifies_it() {
    let app = app().await;
    chain(&app).await;
    let mut browser = sign_in(&app, &app.distributor).await;
    let reply = browser.get("/app/ledger").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let page = reply.text();
    let size = app.get("/api/v1/ledger/sth", &app.distributor).await.json()["treeSize"]
        .as_u64()
        .unwrap();
    assert_eq!(size, 5);
    assert!(
        page.contains(&format!("<dd id=\"tree-size\">{size}</dd>")),
        "{page}"
    );
    assert!(page.contains("BEGIN PUBLIC KEY"), "{page}");
    let csrf = hidden(&page, "csrf");
    let verified = browser.post("/app/ledger", &[("csrf", &csrf)]).await;
    assert_eq!(verified.status, 200);
    assert!(verified.text().contains("id=\"ledger-verdict\""));
    assert!(verified.text().contains("核验通过"), "{}", verified.text());
    assert_eq!(
        browser.post("/app/ledger", &[("csrf", "1")]).await.status,
        403
    );
    // The admin signs in and sees its role.
    let admin = admin(&app).await;
    let mut browser = sign_in(&app, &admin).await;
    assert!(browser.get("/app").await.text().contains("平台管理员"));
}

#[tokio::test]
async fn the_shop_check_marks_each_item_pass_or_fail() {
    let app = app().await;
    chain(&app).await;
    let mut browser = Browser::new(&app);
    let root = browser.get("/").await;
    assert_eq!(root.status, 303);
    assert_eq!(root.header("location"), "/check");
    let form = browser.get("/check").await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains("id=\"check-code\""));
    assert!(!form.text().contains("check-verdict"));

    let reply = browser
        .get(&format!("/check?code={}", encoded(&can(1))))
        .await;
    assert_eq!(reply.status, 200);
    let page = reply.text();
    assert!(page.contains("平台有此产品的记录"), "{page}");
    assert!(page.contains("<li class=\"pass\"><span class=\"mark pass\" aria-hidden=\"true\">✔</span><span><span class=\"sr\">通过: </span><strong>未召回</strong>"), "{page}");
    // The lot was made on the platform and never released: that line fails.
    assert!(page.contains("<li class=\"fail\"><span class=\"mark fail\" aria-hidden=\"true\">✘</span><span><span class=\"sr\">不通过: </span><strong>批次已放行</strong><br><small>未找到生产企业的放行检验记录</small>"), "{page}");
    assert!(page.contains("产品配方注册"), "{page}");

    // After a recall of the lot the same can fails, whatever form the code takes.
    app.request(
        Method::POST,
        "/api/v1/recalls",
        Some(&app.manufacturer),
        &[("content-type", "application/json")],
        serde_json::json!({"ids": [LOT], "level": 1, "reason": "test"}).to_string(),
    )
    .await;
    for code in [
        can(1),
        "https://example.com/01/06901234123456/21/1".to_owned(),
    ] {
        let page = browser
            .get(&format!("/check?code={}", encoded(&code)))
            .await
            .text();
        assert!(page.contains("class=\"verdict fail\""), "{code}: {page}");
        assert!(page.contains("<li class=\"fail\"><span class=\"mark fail\" aria-hidden=\"true\">✘</span><span><span class=\"sr\">不通过: </span><strong>未召回</strong>"), "{code}: {page}");
    }
    // An unknown serial, a wrong check digit, text that is no code.
    let page = browser
        .get(&format!(
            "/check?code={}",
            encoded("urn:epc:id:sgtin:6901234.012345.999")
        ))
        .await
        .text();
    assert!(page.contains("可能是假冒"), "{page}");
    assert!(page.contains("class=\"verdict fail\""));
    for code in ["(01)06901234123450(21)1", "hello"] {
        let page = browser
            .get(&format!("/check?code={}", encoded(code)))
            .await
            .text();
        assert!(page.contains("校验位错误"), "{code}: {page}");
        assert!(page.contains("class=\"verdict fail\""));
    }
    // An import (a GS1 prefix outside 690–699) asks for the entry certificate.
    let page = browser
        .get(&format!(
            "/check?code={}",
            encoded("(01)09312345678907(21)1")
        ))
        .await
        .text();
    assert!(page.contains("入境检验检疫证明"), "{page}");
}

#[tokio::test]
async fn every_page_switches_to_english_and_remembers_it() {
    let app = app().await;
    chain(&app).await;
    let mut browser = Browser::new(&app);
    let chinese = browser.get("/login").await.text();
    assert!(chinese.contains("<html lang=\"zh-CN\">"));
    assert!(
        chinese.contains("id=\"lang-switch\" href=\"/login?lang=en\""),
        "{chinese}"
    );
    let english = browser.get("/login?lang=en").await;
    assert_eq!(browser.cookie("ax_lang"), Some("en"));
    let page = english.text();
    assert!(
        page.contains("<html lang=\"en\">") && page.contains("Sign in"),
        "{page}"
    );
    // No Chinese on an English page except the switch back, which says 中文.
    let without_switch = page.replace("中文", "");
    assert!(!has_cjk(&without_switch), "{page}");

    // The cookie carries the choice to the next pages, signed in or not.
    let page = browser.get("/check").await.text();
    assert!(
        page.contains("Shop check") && !has_cjk(&page.replace("中文", "")),
        "{page}"
    );
    let csrf = hidden(&browser.get("/login").await.text(), "csrf");
    browser
        .post(
            "/login",
            &[
                ("token", &app.manufacturer),
                ("csrf", &csrf),
                ("next", "/app"),
            ],
        )
        .await;
    for path in [
        "/app".to_owned(),
        "/app/ledger".to_owned(),
        "/app/recalls".to_owned(),
        "/app/recalls/new".to_owned(),
        format!("/app/trace?id={}", encoded(&can(1))),
    ] {
        let reply = browser.get(&path).await;
        assert_eq!(reply.status, 200, "{path}");
        let page = reply.text();
        assert!(page.contains("<html lang=\"en\">"), "{path}");
        assert!(page.contains("Sign out"), "{path}");
    }
    // The passport too; and ?lang=zh switches back.
    let passport = "/01/06901234123456/21/1";
    let reply = browser.get(passport).await;
    let page = reply.text();
    assert_eq!(reply.status, 200, "{page}");
    assert!(
        page.contains("Journey") && page.contains("<html lang=\"en\">"),
        "{page}"
    );
    assert!(
        !has_cjk(
            &page
                .replace("中文", "")
                .replace("深圳工厂", "")
                .replace("哈尔滨仓库", "")
                .replace("婴儿配方奶粉 1段", "")
                .replace("安心宝贝", "")
                .replace("包装线 1", "")
        ),
        "only the parties' own names are in Chinese: {page}"
    );
    let reply = browser.get(&format!("{passport}?lang=zh")).await;
    assert!(reply.text().contains("<html lang=\"zh-CN\">"));
    assert_eq!(browser.cookie("ax_lang"), Some("zh"));
    // A forbidden page in English says so in English.
    let other = account(
        app.store.as_ref(),
        "another maker",
        Role::Manufacturer,
        Some("urn:epc:id:pgln:6905555.00000"),
        "110000",
    )
    .await
    .1;
    let mut foreign = sign_in(&app, &other).await;
    let reply = foreign
        .get(&format!("/app/trace?id={}&lang=en", encoded(LOT)))
        .await;
    assert_eq!(reply.status, 403);
    assert!(reply.text().contains("Not allowed") && reply.text().contains("id=\"forbidden\""));
}

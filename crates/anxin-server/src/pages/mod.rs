//! The server-rendered pages: login and sessions ([`session`], [`login`]), the signed-in
//! pages under `/app` ([`app`]: home, trace explorer, recall console, ledger), and the public
//! shop inspector's check at `/check` ([`check`]). Templates are askama files in
//! `templates/`, every word comes from [`i18n::Texts`] (Chinese first, English with
//! `?lang=en`), and charts and graphs are drawn by plotters ([`draw`]).
//!
//! These pages hold no access rule of their own: a signed-in page acts as the account's
//! [`anxin_store::Viewer`], exactly as the API does with a bearer token, and asks
//! [`crate::trace`] the same questions. They hold no SQL either.
//!
//! **Cross-site requests.** Every form is a POST guarded three ways: the session cookie is
//! `SameSite=Lax` (not sent on a cross-site POST), the `Origin` (else `Referer`) header must
//! name this host when present ([`same_origin`]), and the form carries a random token tied to
//! the session (for `/login`, to a short-lived `ax_login` cookie) that a cross-site page cannot
//! read.

pub mod app;
pub mod check;
pub mod draw;
pub mod i18n;
pub mod login;
pub mod province;
pub mod quality;
pub mod session;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use i18n::{HtmlTexts, Lang, Texts};

use crate::AppState;

/// The cookie that remembers the language asked for with `?lang=`.
pub const LANG_COOKIE: &str = "ax_lang";

/// How long the language cookie lasts (a year; an assumption of ours).
const LANG_COOKIE_MAX_AGE_S: u32 = 365 * 24 * 3600;

/// The pages' stylesheet (`templates/style.css`), one file for every page. It is served at
/// [`style_href`], whose name carries a hash of the text, with `Cache-Control: immutable`:
/// a browser fetches it once per version and every later page is only its own HTML (before,
/// each page carried these 3 KB inline, half of a passport's bytes). The printable
/// certificate keeps it inline (`base_style.html`), so a saved certificate stands alone.
pub const STYLE: &str = include_str!("../../templates/style.css");

/// FNV-1a over the stylesheet, at compile time: the version in its file name.
const STYLE_VERSION: u64 = {
    let bytes = STYLE.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut at = 0;
    while at < bytes.len() {
        hash ^= bytes[at] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        at += 1;
    }
    hash
};

static STYLE_FILE: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("style-{STYLE_VERSION:016x}.css"));

static STYLE_HREF: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("/static/{}", *STYLE_FILE));

/// Where the stylesheet of this build is: `/static/style-{hash}.css` (letters, digits and
/// `/.-` only, so a page writes it without escaping).
pub fn style_href() -> &'static str {
    &STYLE_HREF
}

/// `GET /static/{file}`: the stylesheet under its versioned name (kept by browsers for a
/// year); any other name is 404.
async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    if file != *STYLE_FILE {
        return (StatusCode::NOT_FOUND, "no such file\n").into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLE,
    )
        .into_response()
}

/// The page routes (login, `/app…`, `/check`; `/` leads to `/check`, the public page).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { see_other("/check") }))
        .route("/static/{file}", get(static_file))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/app", get(app::home))
        .route("/app/trace", get(app::trace_page))
        .route("/app/recalls", get(app::recalls))
        .route(
            "/app/recalls/new",
            get(app::new_recall).post(app::create_recall),
        )
        .route("/app/recalls/{id}", get(app::recall_page))
        .route("/app/recalls/{id}/download", get(app::download))
        .route(
            "/app/ledger",
            get(app::ledger_page).post(app::verify_ledger),
        )
        .route("/app/lots", get(quality::lots))
        .route("/app/findings", get(quality::findings))
        .route("/check", get(check::check))
}

/// What every page knows about its request: the language and how to switch it.
#[derive(Clone, Debug)]
pub struct Page {
    /// The language the page is written in.
    pub lang: Lang,
    /// The path asked for, with its query (where to come back to after login).
    pub path_and_query: String,
    /// The same page in the other language.
    pub switch_href: String,
}

impl Page {
    /// Reads the language from `?lang=`, else the `ax_lang` cookie, else Chinese.
    pub fn from_parts(parts: &Parts) -> Page {
        let path = parts.uri.path();
        let Some(query) = parts.uri.query() else {
            // No query (most requests, every scanned passport): the switch is the path and
            // `?lang=` alone, as the general case below would write it, without its parsing.
            let lang = cookie(&parts.headers, LANG_COOKIE)
                .and_then(Lang::parse)
                .unwrap_or_default();
            let other = lang.other().code();
            let mut switch_href = String::with_capacity(path.len() + 6 + other.len());
            switch_href.push_str(path);
            switch_href.push_str("?lang=");
            switch_href.push_str(other);
            return Page {
                lang,
                path_and_query: path.to_owned(),
                switch_href,
            };
        };
        let asked = form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "lang")
            .and_then(|(_, value)| Lang::parse(&value));
        let lang = asked
            .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(Lang::parse))
            .unwrap_or_default();
        let mut others = form_urlencoded::Serializer::new(String::new());
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if name != "lang" {
                others.append_pair(&name, &value);
            }
        }
        others.append_pair("lang", lang.other().code());
        let path_and_query = format!("{path}?{query}");
        Page {
            lang,
            path_and_query,
            switch_href: format!("{path}?{}", others.finish()),
        }
    }

    /// The words of the page's language.
    pub fn t(&self) -> &'static Texts {
        self.lang.texts()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Page::from_parts(parts))
    }
}

/// The frame every page template is drawn in (`templates/layout.html`).
#[derive(Clone, Debug)]
pub struct Chrome {
    /// The language.
    pub lang: Lang,
    /// Its words.
    pub t: &'static Texts,
    /// Its words as escaped HTML, for templates to write with `|safe`.
    pub h: &'static HtmlTexts,
    /// The link of the language switch.
    pub switch_href: String,
    /// The signed-in account's name, when signed in.
    pub user: Option<String>,
    /// The session's form token (for the sign-out form).
    pub csrf: String,
}

impl Chrome {
    /// The frame of a public page.
    pub fn public(page: &Page) -> Chrome {
        Chrome {
            lang: page.lang,
            t: page.t(),
            h: page.lang.html(),
            switch_href: page.switch_href.clone(),
            user: None,
            csrf: String::new(),
        }
    }

    /// The frame of a signed-in page.
    pub fn signed_in(page: &Page, signed_in: &session::SignedIn) -> Chrome {
        Chrome {
            user: Some(signed_in.viewer.account.name.clone()),
            csrf: signed_in.csrf.clone(),
            ..Chrome::public(page)
        }
    }
}

/// The page of a problem (403, 404, 400, 503) in the page's language.
#[derive(Template)]
#[template(path = "page_problem.html")]
struct ProblemPage<'a> {
    c: Chrome,
    title: &'a str,
    detail: &'a str,
    /// `forbidden` on a 403, so tests and scripts can find it.
    element_id: &'a str,
}

/// Renders a template as an HTML response with `status`.
pub fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(err) => {
            tracing::error!("a page template failed: {err}");
            (StatusCode::INTERNAL_SERVER_ERROR, "page error").into_response()
        }
    }
}

/// A problem page.
pub fn problem(status: StatusCode, chrome: Chrome, title: &str, detail: &str) -> Response {
    let element_id = if status == StatusCode::FORBIDDEN {
        "forbidden"
    } else {
        "problem"
    };
    html(
        status,
        &ProblemPage {
            c: chrome,
            title,
            detail,
            element_id,
        },
    )
}

/// The 403 page: says only that this account may not see it, nothing about anyone else.
pub fn forbidden(chrome: Chrome) -> Response {
    let t = chrome.t;
    problem(
        StatusCode::FORBIDDEN,
        chrome,
        t.forbidden_title,
        t.forbidden_detail,
    )
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

/// True unless the request's `Origin` (or, without one, `Referer`) names another site than
/// the `Host` it was sent to. A request with neither is let through here; the form token
/// decides.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
    else {
        return headers.get(header::ORIGIN).is_none() && headers.get(header::REFERER).is_none();
    };
    let names_host = |url: &str| {
        ["http://", "https://"].iter().any(|scheme| {
            url.strip_prefix(scheme).is_some_and(|rest| {
                rest == host
                    || rest
                        .strip_prefix(host)
                        .is_some_and(|after| after.starts_with('/'))
            })
        })
    };
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.to_str().is_ok_and(names_host);
    }
    if let Some(referer) = headers.get(header::REFERER) {
        return referer.to_str().is_ok_and(names_host);
    }
    true
}

/// The fields of a form body (`application/x-www-form-urlencoded`).
pub fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// The first value of `name` among form fields.
pub fn field<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// A `303 See Other` to `location`.
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Adds a `Set-Cookie` header.
pub fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Middleware: a request with `?lang=zh|en` gets the `ax_lang` cookie in its response, so
/// the choice follows the visitor to every page.
pub async fn remember_lang(request: Request, next: Next) -> Response {
    let asked = request.uri().query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "lang")
            .and_then(|(_, value)| Lang::parse(&value))
    });
    let mut response = next.run(request).await;
    if let Some(lang) = asked {
        set_cookie(
            &mut response,
            &format!(
                "{LANG_COOKIE}={}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE_S}; SameSite=Lax",
                lang.code()
            ),
        );
    }
    response
}

/// Formats Unix milliseconds as a China-time date and time (`2026-11-26 09:30`).
pub fn china_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)))
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A local path to return to after login: only paths on this site (`/…`, never `//…` or a
/// backslash, which browsers read as another host); anything else is `/app`.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/app".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_cross_site_origin_or_referer_is_refused() {
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080.evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "null")
        ])));
        assert!(same_origin(&headers(&[
            ("host", "a.cn"),
            ("referer", "https://a.cn/app/recalls/new")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "a.cn"),
            ("referer", "https://a.cn.evil/x")
        ])));
        assert!(same_origin(&headers(&[("host", "a.cn")])));
    }

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(
            local_path(Some("/app/trace?id=1")),
            "/app/trace?id=1".to_owned()
        );
        for bad in ["//evil.example/x", "https://evil.example", "/\\evil", "app"] {
            assert_eq!(local_path(Some(bad)), "/app", "{bad}");
        }
        assert_eq!(local_path(None), "/app");
    }

    #[test]
    fn cookies_are_found_by_name() {
        let map = headers(&[("cookie", "a=1; ax_lang=en"), ("cookie", "ax_session=abc")]);
        assert_eq!(cookie(&map, "ax_lang"), Some("en"));
        assert_eq!(cookie(&map, "ax_session"), Some("abc"));
        assert_eq!(cookie(&map, "b"), None);
    }
}

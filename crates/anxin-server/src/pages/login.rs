//! `GET /login` (the form), `POST /login` (an `ax_…` token in, a session out) and
//! `POST /logout`.
//!
//! The login form carries a random token that must match the short-lived `ax_login` cookie
//! set with the form (`SameSite=Strict`), and the `Origin` must be this site: a cross-site page
//! can neither log a visitor in to someone else's account nor out of their own.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::session::{SESSION_COOKIE, SESSION_LIFETIME_MS, SignedIn, random_hex};
use super::{
    Chrome, Page, cookie, field, form_fields, html, local_path, problem, same_origin, see_other,
    set_cookie,
};
use crate::AppState;

/// The cookie holding the login form's token.
pub const LOGIN_COOKIE: &str = "ax_login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    c: Chrome,
    next: &'a str,
    csrf: &'a str,
    notice: Option<&'a str>,
    error: Option<&'a str>,
}

/// The login page with its form token: the browser's `ax_login` cookie when it has a
/// well-formed one (so two login tabs both work), else a fresh one; `clear_session` also
/// clears a dead session cookie.
#[expect(
    clippy::too_many_arguments,
    reason = "each page that offers the form says all of it"
)]
pub fn login_page(
    _state: &AppState,
    page: &Page,
    headers: &HeaderMap,
    next: &str,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
    clear_session: bool,
) -> Response {
    let kept = cookie(headers, LOGIN_COOKIE)
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned);
    let Some(csrf) = kept.or_else(|| random_hex().ok()) else {
        let t = page.t();
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            Chrome::public(page),
            t.unavailable_title,
            t.unavailable_detail,
        );
    };
    let mut response = html(
        status,
        &LoginPage {
            c: Chrome::public(page),
            next,
            csrf: &csrf,
            notice,
            error,
        },
    );
    set_cookie(
        &mut response,
        &format!("{LOGIN_COOKIE}={csrf}; Path=/login; Max-Age=3600; HttpOnly; SameSite=Strict"),
    );
    if clear_session {
        set_cookie(
            &mut response,
            &format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
        );
    }
    response
}

/// `GET /login` parameters.
#[derive(Deserialize)]
pub struct LoginParams {
    next: Option<String>,
    out: Option<String>,
}

/// `GET /login`.
pub async fn show(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Query(params): Query<LoginParams>,
) -> Response {
    let t = page.t();
    let next = local_path(params.next.as_deref());
    let notice = if params.out.is_some() {
        Some(t.login_signed_out)
    } else if params.next.is_some() {
        Some(t.login_need)
    } else {
        None
    };
    login_page(
        &state,
        &page,
        &headers,
        &next,
        notice,
        None,
        StatusCode::OK,
        false,
    )
}

/// The page that refuses a form sent from elsewhere.
pub fn refused(page: &Page) -> Response {
    let t = page.t();
    problem(
        StatusCode::FORBIDDEN,
        Chrome::public(page),
        t.csrf_title,
        t.csrf_detail,
    )
}

/// `POST /login`: `token`, `csrf`, `next`.
pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = form_fields(&body);
    let next = local_path(field(&fields, "next"));
    let form_token = field(&fields, "csrf").unwrap_or("");
    let cookie_token = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if !same_origin(&headers) || form_token.is_empty() || form_token != cookie_token {
        return refused(&page);
    }
    let token = field(&fields, "token").unwrap_or("").trim().to_owned();
    let t = page.t();
    if token.is_empty() || state.store.authenticate(&token).await.is_err() {
        return login_page(
            &state,
            &page,
            &headers,
            &next,
            None,
            Some(t.login_bad_token),
            StatusCode::UNAUTHORIZED,
            false,
        );
    }
    // A session cookie already present belongs to an earlier sign-in: end it.
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        state.sessions.remove(old);
    }
    let Ok((id, _)) = state.sessions.create(&token, anxin_store::now_ms()) else {
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            Chrome::public(&page),
            t.unavailable_title,
            t.unavailable_detail,
        );
    };
    let mut response = see_other(&next);
    set_cookie(
        &mut response,
        &format!(
            "{SESSION_COOKIE}={id}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax",
            SESSION_LIFETIME_MS / 1000
        ),
    );
    set_cookie(
        &mut response,
        &format!("{LOGIN_COOKIE}=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict"),
    );
    response
}

/// `POST /logout`: `csrf`.
pub async fn logout(
    State(state): State<AppState>,
    page: Page,
    signed_in: SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = form_fields(&body);
    if !same_origin(&headers) || field(&fields, "csrf") != Some(signed_in.csrf.as_str()) {
        return refused(&page);
    }
    state.sessions.remove(&signed_in.session_id);
    let mut response = see_other("/login?out=1");
    set_cookie(
        &mut response,
        &format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
    );
    response
}

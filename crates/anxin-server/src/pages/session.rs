//! Server-side sessions for the pages, kept in memory ([`Sessions`]), and the [`SignedIn`]
//! extractor every `/app` page takes.
//!
//! A session is a random 256-bit identifier in an `HttpOnly`, `SameSite=Lax` cookie
//! (`ax_session`); the server keeps, beside it, the account's `ax_…` token, the session's form
//! token and its times. Every request re-checks the token with
//! [`anxin_store::AccountStore::authenticate`], exactly as a bearer request does, so a revoked
//! account loses its pages at once and the page acts as the same [`Viewer`].
//!
//! **Why in memory.** A session is a convenience over a token the user still holds: losing
//! every session on a restart only asks people to paste their token again, and it keeps a
//! secret-bearing table out of the store (which has no way to delete rows, by design: nothing
//! stored is ever updated or deleted). The cost: sessions do not survive a restart and are
//! not shared between processes, so several servers behind one address need sticky routing.

use std::collections::HashMap;
use std::sync::Mutex;

use anxin_store::{StoreError, Viewer};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::Response;

use super::{Page, cookie, see_other};
use crate::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "ax_session";

/// A session unused this long ends (8 hours, a working day; an assumption of ours).
pub const SESSION_IDLE_MS: i64 = 8 * 3600 * 1000;

/// A session ends this long after sign-in however much it is used (24 hours; ours too).
pub const SESSION_LIFETIME_MS: i64 = 24 * 3600 * 1000;

/// Sessions kept at most; past it the least recently used is dropped (ours: far above the
/// platform's staff and inspectors signed in at once on one server).
pub const SESSIONS_MAX: usize = 20_000;

/// One signed-in browser.
struct Session {
    /// The account's token, re-checked on every request.
    token: String,
    /// The form token of this session.
    csrf: String,
    created_ms: i64,
    last_seen_ms: i64,
}

/// What a session cookie turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A live session: the account's token and the form token.
    Active {
        /// The account's token.
        token: String,
        /// The form token.
        csrf: String,
    },
    /// It was a session, but it has expired (now removed).
    Expired,
    /// No such session (never made, signed out, or lost in a restart).
    Unknown,
}

/// Every live session of this process.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.map.lock().map_or(0, |map| map.len());
        f.debug_struct("Sessions").field("n_sessions", &n).finish()
    }
}

/// 32 random bytes from the operating system, hex.
pub fn random_hex() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|err| StoreError::internal(format!("no randomness for a session: {err}")))?;
    Ok(hex::encode(bytes))
}

impl Sessions {
    /// A new session for `token`: its identifier and form token.
    pub fn create(&self, token: &str, now_ms: i64) -> Result<(String, String), StoreError> {
        let id = random_hex()?;
        let csrf = random_hex()?;
        let mut map = self
            .map
            .lock()
            .map_err(|_| StoreError::internal("the session table's lock is poisoned"))?;
        if map.len() >= SESSIONS_MAX {
            map.retain(|_, session| live(session, now_ms));
        }
        if map.len() >= SESSIONS_MAX
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, session)| session.last_seen_ms)
                .map(|(id, _)| id.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            id.clone(),
            Session {
                token: token.to_owned(),
                csrf: csrf.clone(),
                created_ms: now_ms,
                last_seen_ms: now_ms,
            },
        );
        Ok((id, csrf))
    }

    /// Looks a session up and marks it used; an expired one is removed.
    pub fn touch(&self, id: &str, now_ms: i64) -> Lookup {
        let Ok(mut map) = self.map.lock() else {
            return Lookup::Unknown;
        };
        let Some(session) = map.get_mut(id) else {
            return Lookup::Unknown;
        };
        if !live(session, now_ms) {
            map.remove(id);
            return Lookup::Expired;
        }
        session.last_seen_ms = now_ms;
        Lookup::Active {
            token: session.token.clone(),
            csrf: session.csrf.clone(),
        }
    }

    /// Ends a session.
    pub fn remove(&self, id: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(id);
        }
    }

    /// Moves a session's clock back by `ms` (tests of expiry only).
    #[doc(hidden)]
    pub fn age_for_tests(&self, ms: i64) {
        if let Ok(mut map) = self.map.lock() {
            for session in map.values_mut() {
                session.created_ms -= ms;
                session.last_seen_ms -= ms;
            }
        }
    }
}

fn live(session: &Session, now_ms: i64) -> bool {
    now_ms - session.last_seen_ms < SESSION_IDLE_MS
        && now_ms - session.created_ms < SESSION_LIFETIME_MS
}

/// The signed-in account of a page request.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The same viewer a bearer request with this account's token gets.
    pub viewer: Viewer,
    /// The session's form token.
    pub csrf: String,
    /// The session's identifier.
    pub session_id: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let page = Page::from_parts(parts);
        // After login, come back here; a form's POST comes back to its page.
        let next = if parts.method == Method::GET {
            page.path_and_query.clone()
        } else {
            parts.uri.path().to_owned()
        };
        let Some(id) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("next", &next);
            return Err(see_other(&format!("/login?{}", query.finish())));
        };
        let expired = |state: &AppState| {
            super::login::login_page(
                state,
                &page,
                &parts.headers,
                &next,
                Some(page.t().login_expired),
                None,
                StatusCode::UNAUTHORIZED,
                true,
            )
        };
        match state.sessions.touch(&id, anxin_store::now_ms()) {
            Lookup::Active { token, csrf } => match state.store.authenticate(&token).await {
                Ok(viewer) => Ok(SignedIn {
                    viewer,
                    csrf,
                    session_id: id,
                }),
                Err(_) => {
                    state.sessions.remove(&id);
                    Err(expired(state))
                }
            },
            Lookup::Expired | Lookup::Unknown => Err(expired(state)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_when_idle_or_too_old() {
        let sessions = Sessions::default();
        let (id, csrf) = sessions.create("ax_token", 0).unwrap();
        assert_eq!(id.len(), 64);
        assert_ne!(id, csrf);
        assert_eq!(
            sessions.touch(&id, SESSION_IDLE_MS - 1),
            Lookup::Active {
                token: "ax_token".to_owned(),
                csrf: csrf.clone()
            }
        );
        // Used just now, so still live one idle period later …
        assert!(matches!(
            sessions.touch(&id, 2 * SESSION_IDLE_MS - 2),
            Lookup::Active { .. }
        ));
        // … but not past its lifetime, however recently used.
        let mut now = 2 * SESSION_IDLE_MS - 2;
        while now + SESSION_IDLE_MS / 2 < SESSION_LIFETIME_MS {
            now += SESSION_IDLE_MS / 2;
            assert!(matches!(sessions.touch(&id, now), Lookup::Active { .. }));
        }
        assert_eq!(sessions.touch(&id, SESSION_LIFETIME_MS), Lookup::Expired);
        assert_eq!(sessions.touch(&id, SESSION_LIFETIME_MS), Lookup::Unknown);
        let (idle, _) = sessions.create("ax_token", 0).unwrap();
        assert_eq!(sessions.touch(&idle, SESSION_IDLE_MS), Lookup::Expired);
        assert_eq!(sessions.touch("nonsense", 0), Lookup::Unknown);
    }
}

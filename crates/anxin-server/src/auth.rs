//! Bearer-token authentication as an extractor: a handler that takes [`Authenticated`] runs
//! only for a request whose `Authorization: Bearer …` token belongs to an active account.
//!
//! The token is checked by [`anxin_store::AccountStore::authenticate`] on every request, so a
//! revoked token is refused from the moment it is revoked (no cache). This module decides who
//! is calling; what they may see or capture is decided by the store from the [`Viewer`].

use anxin_store::Viewer;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::{AppError, AppState};

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Authenticated(pub Viewer);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            AppError::unauthenticated(
                "this request needs an `Authorization: Bearer <token>` header",
            )
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| {
                let (scheme, token) = value.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                AppError::unauthenticated("the Authorization header must be `Bearer <token>`")
            })?;
        let viewer = state.store.authenticate(token).await?;
        Ok(Authenticated(viewer))
    }
}

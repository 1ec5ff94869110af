//! Webhook subscriptions to named queries and their durable delivery outbox.
//!
//! A subscription (`/queries/{name}/subscriptions`) belongs to the account that made it and
//! sends, in stream mode, every newly captured event that its named query matches and its
//! account may see, to `dest`. The store keeps one outbox row (a [`Delivery`]) per
//! subscription and capture job: the row is written by the capture's own transaction, so a
//! committed capture always has its deliveries queued, even if the process dies a moment
//! later. Which events of the job match is decided when the delivery is sent, by running
//! the named query as the subscriber, restricted to the job's events
//! ([`crate::query::Filter::CaptureJob`]).
//!
//! This module holds the types and the rules that need no IO (validating controls, the
//! backoff schedule); it sends nothing over the network and does not sign anything.

use crate::access::Account;

/// Longest `dest` URL accepted.
pub const DEST_MAX_CHARS: usize = 2000;
/// Longest `signatureToken` accepted.
pub const SIGNATURE_TOKEN_MAX_CHARS: usize = 500;

/// A subscription as stored.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Subscription {
    /// Its identifier (32 hex digits).
    pub subscription_id: String,
    /// The named query it runs.
    pub query_name: String,
    /// The account that made it; deliveries run with this account's rights.
    pub account_id: i64,
    /// Where results are POSTed (`http://…`).
    pub dest: String,
    /// The shared secret that signs deliveries (`GS1-Signature`), when one was given.
    pub signature_token: Option<String>,
    /// When it was made (Unix ms).
    pub created_ms: i64,
}

/// What a client asks for when subscribing (stream mode; schedules are refused upstream).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NewSubscription {
    /// The named query, which must exist.
    pub query_name: String,
    /// Where results go.
    pub dest: String,
    /// The signing secret.
    pub signature_token: Option<String>,
}

impl NewSubscription {
    /// Checks the controls: `dest` an absolute `http://` or `https://` URL with a host, the
    /// token non-empty and short enough. The message says which control is wrong.
    pub fn check(&self) -> Result<(), String> {
        let dest = self.dest.trim();
        if dest.is_empty() || dest.chars().count() > DEST_MAX_CHARS {
            return Err(format!(
                "`dest` must be a URL of 1 to {DEST_MAX_CHARS} characters"
            ));
        }
        let rest = dest
            .strip_prefix("http://")
            .or_else(|| dest.strip_prefix("https://"))
            .ok_or("`dest` must be an http:// or https:// URL")?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err("`dest` must name a host".to_owned());
        }
        if let Some(token) = &self.signature_token
            && (token.is_empty() || token.chars().count() > SIGNATURE_TOKEN_MAX_CHARS)
        {
            return Err(format!(
                "`signatureToken` must be 1 to {SIGNATURE_TOKEN_MAX_CHARS} characters"
            ));
        }
        Ok(())
    }
}

/// Where an outbox row is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DeliveryState {
    /// Still to be sent (again).
    Pending,
    /// Every matching event of the job reached `dest` (a 2xx for each batch).
    Delivered,
    /// Given up: too many attempts, too old, or the subscriber can no longer read.
    Abandoned,
}

impl DeliveryState {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Abandoned => "abandoned",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<DeliveryState> {
        match text {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "abandoned" => Some(DeliveryState::Abandoned),
            _ => None,
        }
    }
}

/// One outbox row: the new events of one capture job, owed to one subscription.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Delivery {
    /// The row's number.
    pub delivery_id: i64,
    /// The subscription it is owed to.
    pub subscription: Subscription,
    /// The subscriber's account as it is now (revoked accounts included, so the caller can
    /// abandon); `None` if the account row is gone.
    pub subscriber: Option<Account>,
    /// The capture job whose new events are owed.
    pub job_id: String,
    /// Events of the job up to this `event_seq` have been delivered (0: none yet).
    pub after_event_seq: i64,
    /// Where it is.
    pub state: DeliveryState,
    /// Failed attempts since the last successful batch.
    pub n_attempts: u32,
    /// When it was queued (Unix ms).
    pub created_ms: i64,
    /// When it is next due.
    pub next_attempt_ms: i64,
    /// When it was last tried.
    pub last_attempt_ms: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// What happened when a delivery was tried; written back with
/// [`crate::SubscriptionStore::record_delivery`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum DeliveryOutcome {
    /// A batch reached `dest`; events up to this `event_seq` are delivered and more may
    /// remain, so the row stays pending, due now, with its attempts reset.
    Progress {
        /// The last delivered event.
        through_event_seq: i64,
    },
    /// Nothing of the job is left to send.
    Delivered,
    /// The attempt failed; try again at `next_attempt_ms`.
    Retry {
        /// What went wrong (status or connection error).
        error: String,
        /// When to try again.
        next_attempt_ms: i64,
    },
    /// The attempt failed and the row is given up.
    Abandoned {
        /// Why.
        error: String,
    },
}

/// The retry schedule: exponential backoff with a cap, plus jitter, and when to give up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Backoff {
    /// The wait after the first failure.
    pub first_ms: u64,
    /// The longest wait between two attempts.
    pub max_ms: u64,
    /// Failed attempts after which a delivery is abandoned.
    pub attempts_max: u32,
    /// Age after which a failing delivery is abandoned.
    pub age_max_ms: i64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first_ms: 1_000,
            max_ms: 10 * 60 * 1_000,
            attempts_max: 20,
            age_max_ms: 3 * 24 * 60 * 60 * 1_000,
        }
    }
}

impl Backoff {
    /// The wait after the `n_failed`-th consecutive failure (1 for the first):
    /// `first_ms * 2^(n_failed-1)`, capped at `max_ms`, then scaled into its upper half by
    /// `jitter` (0.0 to 1.0) so that many failing subscriptions do not retry in step.
    pub fn delay_ms(&self, n_failed: u32, jitter: f64) -> u64 {
        let doublings = n_failed.saturating_sub(1).min(32);
        let base = self
            .first_ms
            .saturating_mul(1u64 << doublings)
            .min(self.max_ms);
        let jitter = jitter.clamp(0.0, 1.0);
        base / 2 + ((base / 2) as f64 * jitter) as u64
    }

    /// What to record after a failed attempt of a delivery that has failed `n_failed`
    /// times before this one and was queued at `created_ms`.
    pub fn after_failure(
        &self,
        n_failed: u32,
        created_ms: i64,
        now_ms: i64,
        error: String,
        jitter: f64,
    ) -> DeliveryOutcome {
        let n_failed = n_failed.saturating_add(1);
        if n_failed >= self.attempts_max || now_ms.saturating_sub(created_ms) > self.age_max_ms {
            return DeliveryOutcome::Abandoned {
                error: format!("gave up after {n_failed} attempts: {error}"),
            };
        }
        let delay_ms = i64::try_from(self.delay_ms(n_failed, jitter)).unwrap_or(i64::MAX);
        DeliveryOutcome::Retry {
            error,
            next_attempt_ms: now_ms.saturating_add(delay_ms),
        }
    }
}

/// A new random subscription identifier.
pub fn new_subscription_id() -> Result<String, crate::StoreError> {
    crate::capture::new_job_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(dest: &str, token: Option<&str>) -> NewSubscription {
        NewSubscription {
            query_name: "q".into(),
            dest: dest.into(),
            signature_token: token.map(str::to_owned),
        }
    }

    #[test]
    fn only_http_urls_with_a_host_are_destinations() {
        assert!(new("http://127.0.0.1:9/hook", Some("s")).check().is_ok());
        assert!(new("https://example.com", None).check().is_ok());
        assert!(new("ftp://example.com", None).check().is_err());
        assert!(new("http:///path", None).check().is_err());
        assert!(new("http://x", Some("")).check().is_err());
    }

    #[test]
    fn backoff_doubles_up_to_its_cap_and_jitters_within_the_upper_half() {
        let backoff = Backoff {
            first_ms: 100,
            max_ms: 1_000,
            attempts_max: 5,
            age_max_ms: 60_000,
        };
        assert_eq!(backoff.delay_ms(1, 1.0), 100);
        assert_eq!(backoff.delay_ms(2, 1.0), 200);
        assert_eq!(backoff.delay_ms(3, 0.0), 200);
        assert_eq!(backoff.delay_ms(10, 1.0), 1_000);
        assert_eq!(backoff.delay_ms(u32::MAX, 0.5), 750);
    }

    #[test]
    fn a_delivery_is_abandoned_after_its_last_attempt_or_when_too_old() {
        let backoff = Backoff {
            first_ms: 100,
            max_ms: 1_000,
            attempts_max: 3,
            age_max_ms: 60_000,
        };
        let retry = backoff.after_failure(0, 0, 10, "503".into(), 0.0);
        assert_eq!(
            retry,
            DeliveryOutcome::Retry {
                error: "503".into(),
                next_attempt_ms: 60
            }
        );
        assert!(matches!(
            backoff.after_failure(2, 0, 10, "503".into(), 0.0),
            DeliveryOutcome::Abandoned { .. }
        ));
        assert!(matches!(
            backoff.after_failure(0, 0, 60_001, "503".into(), 0.0),
            DeliveryOutcome::Abandoned { .. }
        ));
    }
}

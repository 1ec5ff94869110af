//! Webhook subscriptions and their delivery outbox on SQLite.
//!
//! Outbox rows are written by capture (`capture.rs`, [`queue_deliveries`]) inside the
//! capture's transaction; everything else here runs on the writer or the read pool. This
//! file neither decides which events a delivery carries nor sends anything: the dispatcher
//! in `anxin-server` does both.

use anxin_store::subscription::new_subscription_id;
use anxin_store::{
    Delivery, DeliveryOutcome, DeliveryState, NewSubscription, Role, StoreError, StoreFuture,
    Subscription, SubscriptionStore, Viewer, now_ms,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::SqliteStore;
use crate::accounts::account_from_row;

const SUBSCRIPTION_COLUMNS: &str =
    "s.subscription_id, s.query_name, s.account_id, s.dest, s.signature_token, s.created_ms";

const DELIVERY_SELECT: &str = "SELECT s.subscription_id, s.query_name, s.account_id, s.dest, \
     s.signature_token, s.created_ms, d.delivery_id, d.job_id, d.after_event_seq, d.state, \
     d.n_attempts, d.created_ms, d.next_attempt_ms, d.last_attempt_ms, d.last_error \
     FROM subscription_delivery d JOIN subscription s ON s.subscription_id = d.subscription_id";

fn subscription_from_row(row: &Row<'_>) -> rusqlite::Result<Subscription> {
    Ok(Subscription {
        subscription_id: row.get(0)?,
        query_name: row.get(1)?,
        account_id: row.get(2)?,
        dest: row.get(3)?,
        signature_token: row.get(4)?,
        created_ms: row.get(5)?,
    })
}

fn delivery_from_row(row: &Row<'_>) -> rusqlite::Result<Delivery> {
    let state: String = row.get(9)?;
    Ok(Delivery {
        subscription: subscription_from_row(row)?,
        subscriber: None,
        delivery_id: row.get(6)?,
        job_id: row.get(7)?,
        after_event_seq: row.get(8)?,
        state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Abandoned),
        n_attempts: row.get(10)?,
        created_ms: row.get(11)?,
        next_attempt_ms: row.get(12)?,
        last_attempt_ms: row.get(13)?,
        last_error: row.get(14)?,
    })
}

/// Queues the new events of `job_id` for every subscription. Called by capture inside the
/// transaction that stores the events, so the queue and the events commit together.
pub(crate) fn queue_deliveries(conn: &Connection, job_id: &str) -> Result<u64, StoreError> {
    let now = now_ms();
    let n_queued = conn
        .prepare_cached(
            "INSERT INTO subscription_delivery (subscription_id, job_id, after_event_seq, state, \
             n_attempts, created_ms, next_attempt_ms) \
             SELECT subscription_id, ?1, 0, 'pending', 0, ?2, ?2 FROM subscription",
        )?
        .execute(params![job_id, now])?;
    Ok(n_queued as u64)
}

/// Fills in each delivery's subscriber from the account table.
fn with_subscribers(
    conn: &Connection,
    mut deliveries: Vec<Delivery>,
) -> Result<Vec<Delivery>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT account_id, name, role, party_gln, region, created_ms, revoked_ms \
         FROM account WHERE account_id = ?1",
    )?;
    for delivery in &mut deliveries {
        delivery.subscriber = statement
            .query_row([delivery.subscription.account_id], account_from_row)
            .optional()?;
    }
    Ok(deliveries)
}

fn is_admin(viewer: &Viewer) -> bool {
    viewer.account.role == Role::Admin
}

impl SubscriptionStore for SqliteStore {
    fn add_subscription<'a>(
        &'a self,
        viewer: &'a Viewer,
        new: NewSubscription,
    ) -> StoreFuture<'a, Subscription> {
        Box::pin(async move {
            new.check().map_err(StoreError::ConstraintViolation)?;
            let subscription = Subscription {
                subscription_id: new_subscription_id()?,
                query_name: new.query_name,
                account_id: viewer.account.account_id,
                dest: new.dest.trim().to_owned(),
                signature_token: new.signature_token,
                created_ms: now_ms(),
            };
            let row = subscription.clone();
            self.write(move |conn| {
                conn.execute(
                    "INSERT INTO subscription (subscription_id, query_name, account_id, dest, \
                     signature_token, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        row.subscription_id,
                        row.query_name,
                        row.account_id,
                        row.dest,
                        row.signature_token,
                        row.created_ms
                    ],
                )?;
                Ok(())
            })
            .await?;
            Ok(subscription)
        })
    }

    fn get_subscription<'a>(
        &'a self,
        viewer: &'a Viewer,
        subscription_id: &'a str,
    ) -> StoreFuture<'a, Option<Subscription>> {
        let (subscription_id, account_id, admin) = (
            subscription_id.to_owned(),
            viewer.account.account_id,
            is_admin(viewer),
        );
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM subscription s \
                 WHERE s.subscription_id = ?1 AND (s.account_id = ?2 OR ?3)"
            );
            Ok(conn
                .query_row(
                    &sql,
                    params![subscription_id, account_id, admin],
                    subscription_from_row,
                )
                .optional()?)
        }))
    }

    fn list_subscriptions<'a>(
        &'a self,
        viewer: &'a Viewer,
        query_name: &'a str,
    ) -> StoreFuture<'a, Vec<Subscription>> {
        let (query_name, account_id, admin) = (
            query_name.to_owned(),
            viewer.account.account_id,
            is_admin(viewer),
        );
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM subscription s \
                 WHERE s.query_name = ?1 AND (s.account_id = ?2 OR ?3) \
                 ORDER BY s.created_ms, s.subscription_id"
            );
            let mut statement = conn.prepare(&sql)?;
            let subscriptions = statement
                .query_map(
                    params![query_name, account_id, admin],
                    subscription_from_row,
                )?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(subscriptions)
        }))
    }

    fn delete_subscription<'a>(
        &'a self,
        viewer: &'a Viewer,
        subscription_id: &'a str,
    ) -> StoreFuture<'a, bool> {
        let (subscription_id, account_id, admin) = (
            subscription_id.to_owned(),
            viewer.account.account_id,
            is_admin(viewer),
        );
        Box::pin(self.write(move |conn| {
            let tx = conn.transaction()?;
            let n_deleted = tx.execute(
                "DELETE FROM subscription WHERE subscription_id = ?1 AND (account_id = ?2 OR ?3)",
                params![subscription_id, account_id, admin],
            )?;
            if n_deleted > 0 {
                tx.execute(
                    "DELETE FROM subscription_delivery WHERE subscription_id = ?1",
                    [&subscription_id],
                )?;
            }
            tx.commit()?;
            Ok(n_deleted > 0)
        }))
    }

    fn list_due_deliveries(&self, now_ms: i64, limit: u32) -> StoreFuture<'_, Vec<Delivery>> {
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "{DELIVERY_SELECT} WHERE d.state = 'pending' AND d.next_attempt_ms <= ?1 \
                 ORDER BY d.next_attempt_ms, d.delivery_id LIMIT ?2"
            );
            let mut statement = conn.prepare(&sql)?;
            let deliveries = statement
                .query_map(params![now_ms, limit], delivery_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            drop(statement);
            with_subscribers(conn, deliveries)
        }))
    }

    fn list_deliveries<'a>(&'a self, subscription_id: &'a str) -> StoreFuture<'a, Vec<Delivery>> {
        let subscription_id = subscription_id.to_owned();
        Box::pin(self.read(move |conn| {
            let sql =
                format!("{DELIVERY_SELECT} WHERE d.subscription_id = ?1 ORDER BY d.delivery_id");
            let mut statement = conn.prepare(&sql)?;
            let deliveries = statement
                .query_map([subscription_id], delivery_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            drop(statement);
            with_subscribers(conn, deliveries)
        }))
    }

    fn record_delivery<'a>(
        &'a self,
        delivery_id: i64,
        attempt_ms: i64,
        outcome: &'a DeliveryOutcome,
    ) -> StoreFuture<'a, ()> {
        let outcome = outcome.clone();
        Box::pin(self.write(move |conn| {
            match outcome {
                DeliveryOutcome::Progress { through_event_seq } => conn.execute(
                    "UPDATE subscription_delivery SET after_event_seq = ?2, n_attempts = 0, \
                     next_attempt_ms = ?3, last_attempt_ms = ?3, last_error = NULL \
                     WHERE delivery_id = ?1",
                    params![delivery_id, through_event_seq, attempt_ms],
                )?,
                DeliveryOutcome::Delivered => conn.execute(
                    "UPDATE subscription_delivery SET state = 'delivered', last_attempt_ms = ?2, \
                     last_error = NULL WHERE delivery_id = ?1",
                    params![delivery_id, attempt_ms],
                )?,
                DeliveryOutcome::Retry {
                    error,
                    next_attempt_ms,
                } => conn.execute(
                    "UPDATE subscription_delivery SET n_attempts = n_attempts + 1, \
                     next_attempt_ms = ?2, last_attempt_ms = ?3, last_error = ?4 \
                     WHERE delivery_id = ?1",
                    params![delivery_id, next_attempt_ms, attempt_ms, error],
                )?,
                DeliveryOutcome::Abandoned { error } => conn.execute(
                    "UPDATE subscription_delivery SET state = 'abandoned', \
                     n_attempts = n_attempts + 1, last_attempt_ms = ?2, last_error = ?3 \
                     WHERE delivery_id = ?1",
                    params![delivery_id, attempt_ms, error],
                )?,
            };
            Ok(())
        }))
    }
}

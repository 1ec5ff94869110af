//! Webhook subscriptions and their delivery outbox on PostgreSQL.
//!
//! Outbox rows are written by capture (`capture.rs`, [`queue_deliveries`]) inside the
//! capture's transaction; everything else here runs on a pooled connection. This file
//! neither decides which events a delivery carries nor sends anything: the dispatcher in
//! `anxin-server` does both.

use anxin_store::subscription::new_subscription_id;
use anxin_store::{
    Delivery, DeliveryOutcome, DeliveryState, NewSubscription, Role, StoreError, StoreFuture,
    Subscription, SubscriptionStore, Viewer, now_ms,
};
use tokio_postgres::{GenericClient, Row};

use crate::PgStore;
use crate::accounts::account_from_row;

const SUBSCRIPTION_COLUMNS: &str =
    "s.subscription_id, s.query_name, s.account_id, s.dest, s.signature_token, s.created_ms";

const DELIVERY_SELECT: &str = "SELECT s.subscription_id, s.query_name, s.account_id, s.dest, \
     s.signature_token, s.created_ms, d.delivery_id, d.job_id, d.after_event_seq, d.state, \
     d.n_attempts, d.created_ms, d.next_attempt_ms, d.last_attempt_ms, d.last_error \
     FROM subscription_delivery d JOIN subscription s ON s.subscription_id = d.subscription_id";

fn subscription_from_row(row: &Row) -> Subscription {
    Subscription {
        subscription_id: row.get(0),
        query_name: row.get(1),
        account_id: row.get(2),
        dest: row.get(3),
        signature_token: row.get(4),
        created_ms: row.get(5),
    }
}

fn delivery_from_row(row: &Row) -> Delivery {
    let state: String = row.get(9);
    let n_attempts: i32 = row.get(10);
    Delivery {
        subscription: subscription_from_row(row),
        subscriber: None,
        delivery_id: row.get(6),
        job_id: row.get(7),
        after_event_seq: row.get(8),
        state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Abandoned),
        n_attempts: u32::try_from(n_attempts).unwrap_or(0),
        created_ms: row.get(11),
        next_attempt_ms: row.get(12),
        last_attempt_ms: row.get(13),
        last_error: row.get(14),
    }
}

/// Queues the new events of `job_id` for every subscription. Called by capture inside the
/// transaction that stores the events, so the queue and the events commit together.
pub(crate) async fn queue_deliveries(
    client: &impl GenericClient,
    job_id: &str,
) -> Result<u64, StoreError> {
    let now = now_ms();
    Ok(client
        .execute(
            "INSERT INTO subscription_delivery (subscription_id, job_id, after_event_seq, state, \
             n_attempts, created_ms, next_attempt_ms) \
             SELECT subscription_id, $1, 0, 'pending', 0, $2, $2 FROM subscription",
            &[&job_id, &now],
        )
        .await?)
}

impl PgStore {
    /// Runs a delivery select and fills in each subscriber from the account table.
    async fn deliveries(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Delivery>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client.query(sql, params).await?;
        let mut deliveries: Vec<Delivery> = rows.iter().map(delivery_from_row).collect();
        let account_sql = "SELECT account_id, name, role, party_gln, region, created_ms, \
                           revoked_ms FROM account WHERE account_id = $1";
        for delivery in &mut deliveries {
            delivery.subscriber = client
                .query_opt(account_sql, &[&delivery.subscription.account_id])
                .await?
                .map(|row| account_from_row(&row));
        }
        Ok(deliveries)
    }
}

impl SubscriptionStore for PgStore {
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
            let client = self.pool.get().await?;
            client
                .execute(
                    "INSERT INTO subscription (subscription_id, query_name, account_id, dest, \
                     signature_token, created_ms) VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &subscription.subscription_id,
                        &subscription.query_name,
                        &subscription.account_id,
                        &subscription.dest,
                        &subscription.signature_token,
                        &subscription.created_ms,
                    ],
                )
                .await?;
            Ok(subscription)
        })
    }

    fn get_subscription<'a>(
        &'a self,
        viewer: &'a Viewer,
        subscription_id: &'a str,
    ) -> StoreFuture<'a, Option<Subscription>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM subscription s \
                 WHERE s.subscription_id = $1 AND (s.account_id = $2 OR $3)"
            );
            let admin = viewer.account.role == Role::Admin;
            let row = client
                .query_opt(
                    &sql,
                    &[&subscription_id, &viewer.account.account_id, &admin],
                )
                .await?;
            Ok(row.map(|row| subscription_from_row(&row)))
        })
    }

    fn list_subscriptions<'a>(
        &'a self,
        viewer: &'a Viewer,
        query_name: &'a str,
    ) -> StoreFuture<'a, Vec<Subscription>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM subscription s \
                 WHERE s.query_name = $1 AND (s.account_id = $2 OR $3) \
                 ORDER BY s.created_ms, s.subscription_id"
            );
            let admin = viewer.account.role == Role::Admin;
            let rows = client
                .query(&sql, &[&query_name, &viewer.account.account_id, &admin])
                .await?;
            Ok(rows.iter().map(subscription_from_row).collect())
        })
    }

    fn delete_subscription<'a>(
        &'a self,
        viewer: &'a Viewer,
        subscription_id: &'a str,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let admin = viewer.account.role == Role::Admin;
            let n_deleted = tx
                .execute(
                    "DELETE FROM subscription WHERE subscription_id = $1 AND (account_id = $2 OR $3)",
                    &[&subscription_id, &viewer.account.account_id, &admin],
                )
                .await?;
            if n_deleted > 0 {
                tx.execute(
                    "DELETE FROM subscription_delivery WHERE subscription_id = $1",
                    &[&subscription_id],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(n_deleted > 0)
        })
    }

    fn list_due_deliveries(&self, now_ms: i64, limit: u32) -> StoreFuture<'_, Vec<Delivery>> {
        Box::pin(async move {
            let sql = format!(
                "{DELIVERY_SELECT} WHERE d.state = 'pending' AND d.next_attempt_ms <= $1 \
                 ORDER BY d.next_attempt_ms, d.delivery_id LIMIT $2"
            );
            self.deliveries(&sql, &[&now_ms, &i64::from(limit)]).await
        })
    }

    fn list_deliveries<'a>(&'a self, subscription_id: &'a str) -> StoreFuture<'a, Vec<Delivery>> {
        Box::pin(async move {
            let sql =
                format!("{DELIVERY_SELECT} WHERE d.subscription_id = $1 ORDER BY d.delivery_id");
            self.deliveries(&sql, &[&subscription_id]).await
        })
    }

    fn record_delivery<'a>(
        &'a self,
        delivery_id: i64,
        attempt_ms: i64,
        outcome: &'a DeliveryOutcome,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            match outcome {
                DeliveryOutcome::Progress { through_event_seq } => client
                    .execute(
                        "UPDATE subscription_delivery SET after_event_seq = $2, n_attempts = 0, \
                             next_attempt_ms = $3, last_attempt_ms = $3, last_error = NULL \
                             WHERE delivery_id = $1",
                        &[&delivery_id, through_event_seq, &attempt_ms],
                    )
                    .await?,
                DeliveryOutcome::Delivered => {
                    client
                        .execute(
                            "UPDATE subscription_delivery SET state = 'delivered', \
                             last_attempt_ms = $2, last_error = NULL WHERE delivery_id = $1",
                            &[&delivery_id, &attempt_ms],
                        )
                        .await?
                }
                DeliveryOutcome::Retry {
                    error,
                    next_attempt_ms,
                } => {
                    client
                        .execute(
                            "UPDATE subscription_delivery SET n_attempts = n_attempts + 1, \
                             next_attempt_ms = $2, last_attempt_ms = $3, last_error = $4 \
                             WHERE delivery_id = $1",
                            &[&delivery_id, next_attempt_ms, &attempt_ms, error],
                        )
                        .await?
                }
                DeliveryOutcome::Abandoned { error } => {
                    client
                        .execute(
                            "UPDATE subscription_delivery SET state = 'abandoned', \
                             n_attempts = n_attempts + 1, last_attempt_ms = $2, last_error = $3 \
                             WHERE delivery_id = $1",
                            &[&delivery_id, &attempt_ms, error],
                        )
                        .await?
                }
            };
            Ok(())
        })
    }
}

//! Event queries and named queries on PostgreSQL.
//!
//! The SQL comes from `anxin_store::sql` in its PostgreSQL dialect; this file runs it on a
//! pooled connection, makes pages, and writes the access-log row when a regulator reads.
//! Reads could go to a replica by giving this store a second pool; it has one today.

use anxin_store::query::page::PagePlan;
use anxin_store::sql::{self, Dialect, Statement};
use anxin_store::{
    CaptureInput, CaptureJob, ErrorBehaviour, EventPage, EventQuery, EventStore, NamedQuery,
    NamedQueryStore, StoreError, StoreFuture, StoredEvent, Viewer, now_ms,
};
use tokio_postgres::Row;

use crate::{PgStore, param_refs, sql_params};

fn stored_from_row(row: &Row) -> (StoredEvent, i64) {
    (
        StoredEvent {
            event_seq: row.get(0),
            hash_id: row.get(1),
            event_id: row.get(2),
            record_time_ms: row.get(3),
            party: row.get(4),
            body: row.get(5),
        },
        row.get(6),
    )
}

impl PgStore {
    async fn query(&self, statement: &Statement) -> Result<Vec<Row>, StoreError> {
        let client = self.pool.get().await?;
        let params = sql_params(&statement.params);
        Ok(client.query(&statement.sql, &param_refs(&params)).await?)
    }

    async fn log_read(
        &self,
        viewer: &Viewer,
        request: String,
        events: &[StoredEvent],
    ) -> Result<(), StoreError> {
        let hash_ids: Vec<&str> = events.iter().map(|event| event.hash_id.as_str()).collect();
        let hash_ids = serde_json::to_string(&hash_ids)?;
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO access_log (account_id, read_ms, request, hash_ids) VALUES ($1, $2, $3, $4)",
                &[&viewer.account.account_id, &now_ms(), &request, &hash_ids],
            )
            .await?;
        Ok(())
    }

    async fn page(&self, viewer: &Viewer, query: &EventQuery) -> Result<EventPage, StoreError> {
        let plan = PagePlan::new(&self.page_key, query)?;
        if plan.page_size == 0 {
            return Ok(EventPage::default());
        }
        let scope = viewer.scope();
        if let (Some(max), None) = (query.max_event_count, plan.after) {
            let rows = self
                .query(&sql::count_events(
                    Dialect::Postgres,
                    query,
                    &scope,
                    max + 1,
                ))
                .await?;
            let n: i64 = rows.first().map_or(0, |row| row.get(0));
            if n as u64 > max {
                return Err(StoreError::QueryTooLarge(max));
            }
        }
        let statement = sql::select_events(
            Dialect::Postgres,
            query,
            &scope,
            plan.after,
            plan.page_size + 1,
        );
        let rows = self.query(&statement).await?;
        Ok(plan.finish(
            &self.page_key,
            query,
            rows.iter().map(stored_from_row).collect(),
        ))
    }
}

impl EventStore for PgStore {
    fn start_job<'a>(
        &'a self,
        viewer: &'a Viewer,
        behaviour: ErrorBehaviour,
        source: &'a str,
    ) -> StoreFuture<'a, CaptureJob> {
        self.start_job_impl(viewer, behaviour, source)
    }

    fn capture<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: CaptureInput,
    ) -> StoreFuture<'a, CaptureJob> {
        self.capture_impl(viewer, job_id, input)
    }

    fn fail_job<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        reason: String,
    ) -> StoreFuture<'a, CaptureJob> {
        self.fail_job_impl(viewer, job_id, reason)
    }

    fn get_event<'a>(
        &'a self,
        viewer: &'a Viewer,
        event_id: &'a str,
    ) -> StoreFuture<'a, Option<StoredEvent>> {
        Box::pin(async move {
            let rows = self
                .query(&sql::select_event(
                    Dialect::Postgres,
                    event_id,
                    &viewer.scope(),
                ))
                .await?;
            let found = rows.first().map(|row| stored_from_row(row).0);
            if viewer.reads_are_logged() && found.is_some() {
                self.log_read(viewer, format!("event {event_id}"), found.as_slice())
                    .await?;
            }
            Ok(found)
        })
    }

    fn list_events<'a>(
        &'a self,
        viewer: &'a Viewer,
        query: &'a EventQuery,
    ) -> StoreFuture<'a, EventPage> {
        Box::pin(async move {
            let page = self.page(viewer, query).await?;
            if viewer.reads_are_logged() && !page.events.is_empty() {
                self.log_read(
                    viewer,
                    format!("query ?{}", query.fingerprint),
                    &page.events,
                )
                .await?;
            }
            Ok(page)
        })
    }

    fn list_identifiers<'a>(
        &'a self,
        viewer: &'a Viewer,
        listed: sql::Listed,
        after: Option<&'a str>,
        limit: u32,
    ) -> StoreFuture<'a, Vec<String>> {
        Box::pin(async move {
            let statement = sql::select_listed(
                Dialect::Postgres,
                listed,
                &viewer.scope(),
                after,
                u64::from(limit),
            );
            let rows = self.query(&statement).await?;
            Ok(rows.iter().map(|row| row.get(0)).collect())
        })
    }

    fn list_prefixes(&self) -> StoreFuture<'_, Vec<(String, String)>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT prefix, iri FROM namespace_prefix ORDER BY prefix, iri",
                    &[],
                )
                .await?;
            Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
        })
    }
}

fn named_query(row: &Row) -> Result<NamedQuery, StoreError> {
    let params: String = row.get(2);
    Ok(NamedQuery {
        name: row.get(0),
        account_id: row.get(1),
        params: serde_json::from_str(&params)?,
        created_ms: row.get(3),
    })
}

impl NamedQueryStore for PgStore {
    fn add_named_query<'a>(
        &'a self,
        viewer: &'a Viewer,
        name: &'a str,
        params: Vec<(String, String)>,
    ) -> StoreFuture<'a, NamedQuery> {
        Box::pin(async move {
            let prefixes = self.list_prefixes().await?;
            EventQuery::parse(&params, &prefixes)?;
            let query = NamedQuery {
                name: name.to_owned(),
                account_id: viewer.account.account_id,
                params,
                created_ms: now_ms(),
            };
            let client = self.pool.get().await?;
            let inserted = client
                .execute(
                    "INSERT INTO named_query (name, account_id, params, created_ms) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (name) DO NOTHING",
                    &[&query.name, &query.account_id, &serde_json::to_string(&query.params)?, &query.created_ms],
                )
                .await?;
            if inserted == 0 {
                return Err(StoreError::ConstraintViolation(format!(
                    "a query named `{name}` exists already"
                )));
            }
            Ok(query)
        })
    }

    fn get_named_query<'a>(&'a self, name: &'a str) -> StoreFuture<'a, Option<NamedQuery>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let row = client
                .query_opt(
                    "SELECT name, account_id, params, created_ms FROM named_query WHERE name = $1",
                    &[&name],
                )
                .await?;
            row.as_ref().map(named_query).transpose()
        })
    }

    fn list_named_queries(&self) -> StoreFuture<'_, Vec<NamedQuery>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT name, account_id, params, created_ms FROM named_query ORDER BY name",
                    &[],
                )
                .await?;
            rows.iter().map(named_query).collect()
        })
    }

    fn delete_named_query<'a>(&'a self, name: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            Ok(client
                .execute("DELETE FROM named_query WHERE name = $1", &[&name])
                .await?
                == 1)
        })
    }
}

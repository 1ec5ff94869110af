//! Event queries and named queries on SQLite.
//!
//! The SQL comes from `anxin_store::sql`; this file runs it on a pooled reader, turns the
//! rows into pages, and writes the access-log row when a regulator reads.

use anxin_store::query::page::PagePlan;
use anxin_store::sql::{self, Dialect};
use anxin_store::{
    CaptureInput, CaptureJob, ErrorBehaviour, EventPage, EventQuery, EventStore, NamedQuery,
    NamedQueryStore, StoreError, StoreFuture, StoredEvent, Viewer, now_ms,
};
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

use crate::{SqliteStore, sql_params};

fn stored_from_row(row: &Row<'_>) -> rusqlite::Result<(StoredEvent, i64)> {
    Ok((
        StoredEvent {
            event_seq: row.get(0)?,
            hash_id: row.get(1)?,
            event_id: row.get(2)?,
            record_time_ms: row.get(3)?,
            party: row.get(4)?,
            body: row.get(5)?,
        },
        row.get(6)?,
    ))
}

impl SqliteStore {
    fn log_read(
        &self,
        viewer: &Viewer,
        request: String,
        events: &[StoredEvent],
    ) -> StoreFuture<'static, ()> {
        let account_id = viewer.account.account_id;
        let hash_ids: Vec<&str> = events.iter().map(|event| event.hash_id.as_str()).collect();
        let hash_ids = serde_json::to_string(&hash_ids);
        let store = self.clone();
        Box::pin(async move {
            let hash_ids = hash_ids?;
            store
                .write(move |conn| {
                    conn.execute(
                        "INSERT INTO access_log (account_id, read_ms, request, hash_ids) VALUES (?1, ?2, ?3, ?4)",
                        params![account_id, now_ms(), request, hash_ids],
                    )?;
                    Ok(())
                })
                .await
        })
    }

    async fn page(&self, viewer: &Viewer, query: &EventQuery) -> Result<EventPage, StoreError> {
        let plan = PagePlan::new(&self.page_key, query)?;
        if plan.page_size == 0 {
            return Ok(EventPage::default());
        }
        let scope = viewer.scope();
        if let (Some(max), None) = (query.max_event_count, plan.after) {
            let count = sql::count_events(Dialect::Sqlite, query, &scope, max + 1);
            let n: i64 = self
                .read(move |conn| {
                    Ok(conn.query_row(
                        &count.sql,
                        params_from_iter(sql_params(&count.params)),
                        |row| row.get(0),
                    )?)
                })
                .await?;
            if n as u64 > max {
                return Err(StoreError::QueryTooLarge(max));
            }
        }
        let statement = sql::select_events(
            Dialect::Sqlite,
            query,
            &scope,
            plan.after,
            plan.page_size + 1,
        );
        let rows = self
            .read(move |conn| {
                let mut prepared = conn.prepare(&statement.sql)?;
                let rows = prepared
                    .query_map(
                        params_from_iter(sql_params(&statement.params)),
                        stored_from_row,
                    )?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        Ok(plan.finish(&self.page_key, query, rows))
    }
}

impl EventStore for SqliteStore {
    fn start_job<'a>(
        &'a self,
        viewer: &'a Viewer,
        behaviour: ErrorBehaviour,
        source: &'a str,
    ) -> StoreFuture<'a, CaptureJob> {
        self.start_job_async(viewer, behaviour, source)
    }

    fn capture<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        input: CaptureInput,
    ) -> StoreFuture<'a, CaptureJob> {
        self.capture_async(viewer, job_id, input)
    }

    fn fail_job<'a>(
        &'a self,
        viewer: &'a Viewer,
        job_id: &'a str,
        reason: String,
    ) -> StoreFuture<'a, CaptureJob> {
        self.fail_job_async(viewer, job_id, reason)
    }

    fn get_event<'a>(
        &'a self,
        viewer: &'a Viewer,
        event_id: &'a str,
    ) -> StoreFuture<'a, Option<StoredEvent>> {
        Box::pin(async move {
            let statement = sql::select_event(Dialect::Sqlite, event_id, &viewer.scope());
            let found = self
                .read(move |conn| {
                    Ok(conn
                        .query_row(
                            &statement.sql,
                            params_from_iter(sql_params(&statement.params)),
                            stored_from_row,
                        )
                        .optional()?)
                })
                .await?
                .map(|(event, _)| event);
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
        let statement = sql::select_listed(
            Dialect::Sqlite,
            listed,
            &viewer.scope(),
            after,
            u64::from(limit),
        );
        Box::pin(self.read(move |conn| {
            let mut prepared = conn.prepare(&statement.sql)?;
            let rows = prepared
                .query_map(params_from_iter(sql_params(&statement.params)), |row| {
                    row.get(0)
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn list_prefixes(&self) -> StoreFuture<'_, Vec<(String, String)>> {
        Box::pin(self.read(|conn| {
            let mut statement =
                conn.prepare("SELECT prefix, iri FROM namespace_prefix ORDER BY prefix, iri")?;
            let rows = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }
}

fn named_from_row(row: &Row<'_>) -> rusqlite::Result<(String, i64, String, i64)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn named_query(
    (name, account_id, params, created_ms): (String, i64, String, i64),
) -> Result<NamedQuery, StoreError> {
    Ok(NamedQuery {
        name,
        account_id,
        params: serde_json::from_str(&params)?,
        created_ms,
    })
}

impl NamedQueryStore for SqliteStore {
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
            let row = query.clone();
            let params_json = serde_json::to_string(&row.params)?;
            self.write(move |conn| {
                conn.execute(
                    "INSERT INTO named_query (name, account_id, params, created_ms) VALUES (?1, ?2, ?3, ?4)",
                    params![row.name, row.account_id, params_json, row.created_ms],
                )
                .map_err(|err| match StoreError::from(err) {
                    StoreError::ConstraintViolation(_) => {
                        StoreError::ConstraintViolation(format!("a query named `{}` exists already", row.name))
                    }
                    other => other,
                })?;
                Ok(())
            })
            .await?;
            Ok(query)
        })
    }

    fn get_named_query<'a>(&'a self, name: &'a str) -> StoreFuture<'a, Option<NamedQuery>> {
        let name = name.to_owned();
        Box::pin(self.read(move |conn| {
            conn.query_row(
                "SELECT name, account_id, params, created_ms FROM named_query WHERE name = ?1",
                [name],
                named_from_row,
            )
            .optional()?
            .map(named_query)
            .transpose()
        }))
    }

    fn list_named_queries(&self) -> StoreFuture<'_, Vec<NamedQuery>> {
        Box::pin(self.read(|conn| {
            let mut statement = conn.prepare(
                "SELECT name, account_id, params, created_ms FROM named_query ORDER BY name",
            )?;
            let rows = statement
                .query_map([], named_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(named_query).collect()
        }))
    }

    fn delete_named_query<'a>(&'a self, name: &'a str) -> StoreFuture<'a, bool> {
        let name = name.to_owned();
        Box::pin(self.write(move |conn| {
            Ok(conn.execute("DELETE FROM named_query WHERE name = ?1", [name])? == 1)
        }))
    }
}

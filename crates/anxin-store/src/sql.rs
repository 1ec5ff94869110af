//! The event query in SQL, written once for both backends.
//!
//! The two schemas give the event tables the same column names, so one builder serves both;
//! a [`Dialect`] decides only what differs: placeholder syntax (`?1` or `$1`) and how an
//! identifier pattern is matched (SQLite `GLOB`, which is case-sensitive and can use an
//! index; PostgreSQL `LIKE` on `COLLATE "C"` columns). Access rules are part of every
//! statement (`scope_condition`), so rows a viewer may not see never leave the database.
//! This module builds text and parameters; it does not run anything.

use crate::access::{RegionCode, Scope};
use crate::query::page::PagePosition;
use crate::query::{Compare, EventQuery, Filter, IdMatch, OrderBy, Piece};

/// Which SQL dialect to write.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dialect {
    /// SQLite 3.
    Sqlite,
    /// PostgreSQL 13 or later.
    Postgres,
}

/// A parameter value.
#[derive(Clone, PartialEq, Debug)]
pub enum SqlValue {
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Real(f64),
    /// Text.
    Text(String),
}

/// A statement and its parameters, in placeholder order.
#[derive(Clone, PartialEq, Debug)]
pub struct Statement {
    /// The SQL text.
    pub sql: String,
    /// The parameters.
    pub params: Vec<SqlValue>,
}

struct Builder {
    dialect: Dialect,
    params: Vec<SqlValue>,
}

impl Builder {
    fn bind(&mut self, value: SqlValue) -> String {
        self.params.push(value);
        match self.dialect {
            Dialect::Sqlite => format!("?{}", self.params.len()),
            Dialect::Postgres => format!("${}", self.params.len()),
        }
    }

    fn text(&mut self, value: &str) -> String {
        self.bind(SqlValue::Text(value.to_owned()))
    }

    fn list<S: AsRef<str>>(&mut self, values: &[S]) -> String {
        let marks: Vec<String> = values
            .iter()
            .map(|value| self.text(value.as_ref()))
            .collect();
        format!("({})", marks.join(", "))
    }

    fn id_matches(&mut self, column: &str, matches: &[IdMatch]) -> String {
        let parts: Vec<String> = matches
            .iter()
            .map(|id_match| match id_match {
                IdMatch::Exact(id) => format!("{column} = {}", self.text(id)),
                IdMatch::Pattern(pieces) => {
                    let (operator, pattern) = render_pattern(self.dialect, pieces);
                    format!("{column} {operator} {}", self.text(&pattern))
                }
            })
            .collect();
        format!("({})", parts.join(" OR "))
    }
}

/// The columns every event select returns, in this order.
pub const EVENT_COLUMNS: &str =
    "e.event_seq, e.hash_id, e.event_id, e.record_time_ms, e.party_gln, e.body";

/// Selects one page of events: those after `after` (if any), at most `limit` of them.
/// The sort value is the last column.
pub fn select_events(
    dialect: Dialect,
    query: &EventQuery,
    scope: &Scope,
    after: Option<PagePosition>,
    limit: u64,
) -> Statement {
    let mut builder = Builder {
        dialect,
        params: Vec::new(),
    };
    let sort = sort_column(query.order_by);
    let mut conditions = conditions(&mut builder, query, scope);
    if let Some(position) = after {
        conditions.push(after_condition(&mut builder, query, sort, position));
    }
    let direction = if query.descending { "DESC" } else { "ASC" };
    let order = match query.order_by {
        None => format!("e.event_seq {direction}"),
        Some(_) => format!("{sort} {direction}, e.event_seq {direction}"),
    };
    let limit = builder.bind(SqlValue::Int(limit.min(i64::MAX as u64) as i64));
    Statement {
        sql: format!(
            "SELECT {EVENT_COLUMNS}, {sort} FROM event e WHERE {} ORDER BY {order} LIMIT {limit}",
            join_conditions(&conditions)
        ),
        params: builder.params,
    }
}

/// Counts the matching events, stopping at `cap` (for `maxEventCount`).
pub fn count_events(dialect: Dialect, query: &EventQuery, scope: &Scope, cap: u64) -> Statement {
    let mut builder = Builder {
        dialect,
        params: Vec::new(),
    };
    let conditions = conditions(&mut builder, query, scope);
    let cap = builder.bind(SqlValue::Int(cap.min(i64::MAX as u64) as i64));
    Statement {
        sql: format!(
            "SELECT count(*) FROM (SELECT 1 FROM event e WHERE {} LIMIT {cap}) AS capped",
            join_conditions(&conditions)
        ),
        params: builder.params,
    }
}

/// What a browse list of identifiers lists: the values seen in events the viewer may see.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Listed {
    /// Business locations (`/epcis/bizLocations`).
    BizLocations,
    /// Read points (`/epcis/readPoints`).
    ReadPoints,
    /// EPCs named in any role (`/epcis/epcs`), in canonical Digital Link form.
    Epcs,
}

/// Selects the distinct identifiers of one kind seen in the events a viewer may see, in
/// order, starting after `after`, at most `limit` of them.
pub fn select_listed(
    dialect: Dialect,
    listed: Listed,
    scope: &Scope,
    after: Option<&str>,
    limit: u64,
) -> Statement {
    let mut builder = Builder {
        dialect,
        params: Vec::new(),
    };
    let (column, from) = match listed {
        Listed::BizLocations => ("e.biz_location", "event e"),
        Listed::ReadPoints => ("e.read_point", "event e"),
        Listed::Epcs => (
            "x.epc",
            "event_epc x JOIN event e ON e.event_seq = x.event_seq",
        ),
    };
    let mut conditions = vec![format!("{column} IS NOT NULL")];
    if let Some(after) = after {
        let after = builder.text(after);
        conditions.push(format!("{column} > {after}"));
    }
    conditions.extend(scope_condition(&mut builder, scope));
    let limit = builder.bind(SqlValue::Int(limit.min(i64::MAX as u64) as i64));
    Statement {
        sql: format!(
            "SELECT DISTINCT {column} FROM {from} WHERE {} ORDER BY {column} LIMIT {limit}",
            join_conditions(&conditions)
        ),
        params: builder.params,
    }
}

/// Selects one event by `eventID` or hash ID, if the viewer may see it.
pub fn select_event(dialect: Dialect, event_id: &str, scope: &Scope) -> Statement {
    let mut builder = Builder {
        dialect,
        params: Vec::new(),
    };
    let id = builder.text(event_id);
    let mut conditions = vec![format!("(e.event_id = {id} OR e.hash_id = {id})")];
    conditions.extend(scope_condition(&mut builder, scope));
    Statement {
        sql: format!(
            "SELECT {EVENT_COLUMNS}, e.event_seq FROM event e WHERE {} ORDER BY e.event_seq LIMIT 1",
            join_conditions(&conditions)
        ),
        params: builder.params,
    }
}

fn join_conditions(conditions: &[String]) -> String {
    if conditions.is_empty() {
        "1 = 1".to_owned()
    } else {
        conditions.join(" AND ")
    }
}

fn sort_column(order_by: Option<OrderBy>) -> &'static str {
    match order_by {
        Some(OrderBy::EventTime) => "e.event_time_ms",
        Some(OrderBy::RecordTime) => "e.record_time_ms",
        None => "e.event_seq",
    }
}

fn after_condition(
    builder: &mut Builder,
    query: &EventQuery,
    sort: &str,
    position: PagePosition,
) -> String {
    let operator = if query.descending { "<" } else { ">" };
    let seq = builder.bind(SqlValue::Int(position.event_seq));
    if query.order_by.is_none() {
        return format!("e.event_seq {operator} {seq}");
    }
    let value = builder.bind(SqlValue::Int(position.sort_value));
    format!("({sort} {operator} {value} OR ({sort} = {value} AND e.event_seq {operator} {seq}))")
}

fn conditions(builder: &mut Builder, query: &EventQuery, scope: &Scope) -> Vec<String> {
    let mut out: Vec<String> = query
        .filters
        .iter()
        .map(|filter| condition(builder, filter))
        .collect();
    out.extend(scope_condition(builder, scope));
    out
}

fn condition(builder: &mut Builder, filter: &Filter) -> String {
    match filter {
        Filter::EventType(types) => format!("e.event_type IN {}", builder.list(types)),
        Filter::EventTimeFrom(ms) => {
            format!("e.event_time_ms >= {}", builder.bind(SqlValue::Int(*ms)))
        }
        Filter::EventTimeBefore(ms) => {
            format!("e.event_time_ms < {}", builder.bind(SqlValue::Int(*ms)))
        }
        Filter::RecordTimeFrom(ms) => {
            format!("e.record_time_ms >= {}", builder.bind(SqlValue::Int(*ms)))
        }
        Filter::RecordTimeBefore(ms) => {
            format!("e.record_time_ms < {}", builder.bind(SqlValue::Int(*ms)))
        }
        Filter::Action(actions) => format!("e.action IN {}", builder.list(actions)),
        Filter::BizStep(steps) => format!("e.biz_step IN {}", builder.list(steps)),
        Filter::Disposition(words) => format!("e.disposition IN {}", builder.list(words)),
        Filter::ReadPoint(ids) => format!("e.read_point IN {}", builder.list(ids)),
        Filter::BizLocation(ids) => format!("e.biz_location IN {}", builder.list(ids)),
        Filter::ReadPointWithin(ids) => within(builder, "e.read_point", ids),
        Filter::BizLocationWithin(ids) => within(builder, "e.biz_location", ids),
        Filter::EventId(ids) => format!("e.event_id IN {}", builder.list(ids)),
        Filter::ErrorDeclarationExists => "e.has_error_declaration = 1".to_owned(),
        Filter::Epc { roles, matches } => format!(
            "e.event_seq IN (SELECT x.event_seq FROM event_epc x WHERE x.role IN {} AND {})",
            builder.list(roles),
            builder.id_matches("x.epc", matches)
        ),
        Filter::Class { roles, matches } => format!(
            "e.event_seq IN (SELECT x.event_seq FROM event_class x WHERE x.role IN {} AND {})",
            builder.list(roles),
            builder.id_matches("x.class", matches)
        ),
        Filter::Attr { name, values } => format!(
            "e.event_seq IN (SELECT a.event_seq FROM event_attr a WHERE a.name = {} AND a.value IN {})",
            builder.text(name),
            builder.list(values)
        ),
        Filter::SourceDest { role, kind, values } => format!(
            "e.event_seq IN (SELECT p.event_seq FROM event_place p WHERE p.role = {} AND p.kind = {} AND p.place IN {})",
            builder.text(role),
            builder.text(kind),
            builder.list(values)
        ),
        Filter::Quantity(compare, value) => format!(
            "e.event_seq IN (SELECT x.event_seq FROM event_class x WHERE x.quantity {} {})",
            compare_operator(*compare),
            builder.bind(SqlValue::Real(*value))
        ),
        Filter::CaptureJob(job_id) => format!("e.job_id = {}", builder.text(job_id)),
        Filter::EventSeqAfter(seq) => {
            format!("e.event_seq > {}", builder.bind(SqlValue::Int(*seq)))
        }
    }
}

/// The locations and, through `location_child`, all their descendants.
fn within(builder: &mut Builder, column: &str, ids: &[String]) -> String {
    let roots = builder.list(ids);
    let roots_again = builder.list(ids);
    format!(
        "({column} IN {roots} OR {column} IN (WITH RECURSIVE below(id) AS (\
         SELECT c.child_id FROM location_child c WHERE c.parent_id IN {roots_again} \
         UNION SELECT c.child_id FROM location_child c JOIN below ON c.parent_id = below.id) \
         SELECT id FROM below))"
    )
}

fn compare_operator(compare: Compare) -> &'static str {
    match compare {
        Compare::Eq => "=",
        Compare::Gt => ">",
        Compare::Ge => ">=",
        Compare::Lt => "<",
        Compare::Le => "<=",
    }
}

/// The condition that keeps a viewer to what it may see (none for everything).
fn scope_condition(builder: &mut Builder, scope: &Scope) -> Option<String> {
    match scope {
        Scope::Everything => None,
        Scope::Jurisdiction(region) if *region == RegionCode::NATIONAL => None,
        Scope::Party(party) => {
            let party = builder.text(party.as_str());
            // A correlated EXISTS checks each candidate event through `event_place_event`,
            // so the cost follows the size of the answer; an `IN (…)` list of every event at
            // the party's places grew with how busy the party is (20–200× slower for a
            // MATCH_epc at 10 million rows, see ARCHITECTURE.md).
            Some(format!(
                "(e.party_gln = {party} OR EXISTS (SELECT 1 FROM event_place p \
                 JOIN location_owner o ON o.gln = p.gln \
                 WHERE p.event_seq = e.event_seq AND o.party_gln = {party}))"
            ))
        }
        Scope::Jurisdiction(region) => {
            let (low, high) = region.code_range();
            let (low, high) = (builder.text(&low), builder.text(&high));
            Some(format!(
                "EXISTS (SELECT 1 FROM event_place p JOIN location l \
                 ON l.location_id = p.place WHERE p.event_seq = e.event_seq \
                 AND l.region BETWEEN {low} AND {high})"
            ))
        }
        Scope::Nothing => Some("1 = 0".to_owned()),
    }
}

/// Renders a pattern as a `GLOB` (SQLite) or `LIKE` (PostgreSQL) operand.
fn render_pattern(dialect: Dialect, pieces: &[Piece]) -> (&'static str, String) {
    let mut out = String::new();
    for piece in pieces {
        match (piece, dialect) {
            (Piece::One, Dialect::Sqlite) => out.push('?'),
            (Piece::Any, Dialect::Sqlite) => out.push('*'),
            (Piece::One, Dialect::Postgres) => out.push('_'),
            (Piece::Any, Dialect::Postgres) => out.push('%'),
            (Piece::Text(text), Dialect::Sqlite) => {
                for ch in text.chars() {
                    match ch {
                        '*' | '?' | '[' => out.extend(['[', ch, ']']),
                        _ => out.push(ch),
                    }
                }
            }
            (Piece::Text(text), Dialect::Postgres) => {
                for ch in text.chars() {
                    if matches!(ch, '%' | '_' | '\\') {
                        out.push('\\');
                    }
                    out.push(ch);
                }
            }
        }
    }
    match dialect {
        Dialect::Sqlite => ("GLOB", out),
        Dialect::Postgres => ("LIKE", out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::PartyGln;

    fn query(params: &[(&str, &str)]) -> EventQuery {
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        EventQuery::parse(&params, &Vec::new()).unwrap()
    }

    #[test]
    fn placeholders_follow_the_dialect_and_patterns_their_operator() {
        let query = query(&[("MATCH_epc", "urn:epc:idpat:sgtin:0614141.*.*")]);
        let sqlite = select_events(Dialect::Sqlite, &query, &Scope::Everything, None, 10);
        assert!(sqlite.sql.contains("x.epc GLOB ?3"), "{}", sqlite.sql);
        assert_eq!(
            sqlite.params[2],
            SqlValue::Text("https://id.gs1.org/01/?0614141*/21/*".into())
        );
        let postgres = select_events(Dialect::Postgres, &query, &Scope::Everything, None, 10);
        assert!(postgres.sql.contains("x.epc LIKE $3"), "{}", postgres.sql);
        assert_eq!(
            postgres.params[2],
            SqlValue::Text("https://id.gs1.org/01/_0614141%/21/%".into())
        );
    }

    #[test]
    fn every_scope_but_everything_adds_a_condition() {
        let query = query(&[]);
        let party = Scope::Party(PartyGln::parse("0614141000005").unwrap());
        let nothing = select_events(Dialect::Sqlite, &query, &Scope::Nothing, None, 10);
        assert!(nothing.sql.contains("1 = 0"));
        let own = select_events(Dialect::Sqlite, &query, &party, None, 10);
        assert!(own.sql.contains("location_owner"));
        let national = Scope::Jurisdiction(RegionCode::NATIONAL);
        assert!(
            !select_events(Dialect::Sqlite, &query, &national, None, 10)
                .sql
                .contains("location l")
        );
    }
}

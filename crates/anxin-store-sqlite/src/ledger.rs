//! The ledger on SQLite: leaves written by capture (the writer connection is the only
//! writer, so the next index is simply one past the largest), tree heads, and the reads
//! proofs and audits need.

use anxin_ledger::{EventFacts, Hash, LeafEntry, LeafRow, TreeHead};
use anxin_store::ledger::{AuditRow, LedgerLeaf, LedgerStore, entry_for, hash_from_bytes};
use anxin_store::prepare::PreparedEvent;
use anxin_store::{StoreError, StoreFuture};
use rusqlite::{Connection, Row, params};

use crate::SqliteStore;

const LEAF_COLUMNS: &str = "l.leaf_index, l.event_seq, l.hash_id, l.record_time_ms, l.party_gln, l.body_sha256, l.leaf_hash";

fn hash_column(row: &Row<'_>, index: usize) -> rusqlite::Result<Hash> {
    let bytes: Vec<u8> = row.get(index)?;
    hash_from_bytes(&bytes).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Blob,
            format!("a ledger hash of {} bytes, not 32", bytes.len()).into(),
        )
    })
}

fn leaf_from_row(row: &Row<'_>) -> rusqlite::Result<LeafRow> {
    Ok(LeafRow {
        leaf_index: row.get::<_, i64>(0)? as u64,
        event_seq: row.get(1)?,
        entry: LeafEntry {
            hash_id: row.get(2)?,
            record_time_ms: row.get(3)?,
            party: row.get(4)?,
            body_sha256: hash_column(row, 5)?,
        },
        leaf_hash: hash_column(row, 6)?,
    })
}

fn head_from_row(row: &Row<'_>) -> rusqlite::Result<TreeHead> {
    let signature: Vec<u8> = row.get(3)?;
    Ok(TreeHead {
        tree_size: row.get::<_, i64>(0)? as u64,
        root_hash: hash_column(row, 1)?,
        timestamp_ms: row.get(2)?,
        signature: signature.try_into().map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Blob,
                "a tree head signature that is not 64 bytes".into(),
            )
        })?,
    })
}

/// The index the next leaf gets. Called inside the capture transaction on the one writer.
pub(crate) fn next_leaf_index(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT coalesce(max(leaf_index) + 1, 0) FROM ledger_leaf",
        [],
        |row| row.get(0),
    )?)
}

/// Appends the leaf of a newly stored event.
pub(crate) fn insert_leaf(
    conn: &Connection,
    leaf_index: i64,
    event_seq: i64,
    event: &PreparedEvent,
    party: Option<&str>,
) -> Result<(), StoreError> {
    let entry = entry_for(event, party);
    conn.prepare_cached(
        "INSERT INTO ledger_leaf (leaf_index, event_seq, hash_id, record_time_ms, party_gln, body_sha256, leaf_hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        leaf_index,
        event_seq,
        entry.hash_id,
        entry.record_time_ms,
        entry.party,
        entry.body_sha256.as_slice(),
        entry.leaf_hash().as_slice(),
    ])?;
    Ok(())
}

/// Gives every stored event a leaf, in `event_seq` order, when the ledger has neither leaves
/// nor heads: a store made before the ledger existed (migration V4). Any other event without
/// a leaf is left for `anxin ledger verify` to report. Returns how many leaves were made.
pub(crate) fn backfill(conn: &mut Connection) -> Result<u64, StoreError> {
    let tx = conn.transaction()?;
    let empty: bool = tx.query_row(
        "SELECT NOT EXISTS (SELECT 1 FROM ledger_leaf) AND NOT EXISTS (SELECT 1 FROM ledger_head)",
        [],
        |row| row.get(0),
    )?;
    if !empty {
        return Ok(0);
    }
    let mut made = 0u64;
    {
        let mut events = tx.prepare(
            "SELECT event_seq, hash_id, record_time_ms, party_gln, body FROM event ORDER BY event_seq",
        )?;
        let mut rows = events.query([])?;
        let mut insert = tx.prepare(
            "INSERT INTO ledger_leaf (leaf_index, event_seq, hash_id, record_time_ms, party_gln, body_sha256, leaf_hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        while let Some(row) = rows.next()? {
            let (seq, hash_id, time, party, body): (i64, String, i64, Option<String>, String) = (
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            );
            let entry = LeafEntry::for_event(&hash_id, time, party.as_deref(), &body);
            insert.execute(params![
                made as i64,
                seq,
                entry.hash_id,
                entry.record_time_ms,
                entry.party,
                entry.body_sha256.as_slice(),
                entry.leaf_hash().as_slice(),
            ])?;
            made += 1;
        }
    }
    tx.commit()?;
    Ok(made)
}

impl LedgerStore for SqliteStore {
    fn ledger_size(&self) -> StoreFuture<'_, u64> {
        Box::pin(self.read(|conn| {
            let size: i64 = conn
                .prepare_cached("SELECT coalesce(max(leaf_index) + 1, 0) FROM ledger_leaf")?
                .query_row([], |row| row.get(0))?;
            Ok(size as u64)
        }))
    }

    fn ledger_leaf_hashes(&self, from: u64, limit: u32) -> StoreFuture<'_, Vec<Hash>> {
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT leaf_hash FROM ledger_leaf WHERE leaf_index >= ?1 AND leaf_index < ?1 + ?2 ORDER BY leaf_index",
            )?;
            let hashes = statement
                .query_map(params![from as i64, limit], |row| hash_column(row, 0))?
                .collect::<Result<_, _>>()?;
            Ok(hashes)
        }))
    }

    fn local_commits(&self) -> Option<u64> {
        self.commits.read()
    }

    fn ledger_leaf(&self, leaf_index: u64) -> StoreFuture<'_, Option<LedgerLeaf>> {
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {LEAF_COLUMNS}, e.event_id FROM ledger_leaf l JOIN event e ON e.event_seq = l.event_seq \
                 WHERE l.leaf_index = ?1"
            );
            let mut statement = conn.prepare_cached(&sql)?;
            let mut rows = statement.query_map([leaf_index as i64], |row| {
                Ok(LedgerLeaf {
                    row: leaf_from_row(row)?,
                    event_id: row.get(7)?,
                })
            })?;
            Ok(rows.next().transpose()?)
        }))
    }

    fn ledger_leaves_of<'a>(&'a self, event_id: &'a str) -> StoreFuture<'a, Vec<LedgerLeaf>> {
        let event_id = event_id.to_owned();
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {LEAF_COLUMNS}, e.event_id FROM ledger_leaf l JOIN event e ON e.event_seq = l.event_seq \
                 WHERE l.event_seq IN (SELECT event_seq FROM event WHERE event_id = ?1 \
                 UNION SELECT event_seq FROM event WHERE hash_id = ?1) ORDER BY l.leaf_index"
            );
            let mut statement = conn.prepare_cached(&sql)?;
            let leaves = statement
                .query_map([&event_id], |row| {
                    Ok(LedgerLeaf {
                        row: leaf_from_row(row)?,
                        event_id: row.get(7)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(leaves)
        }))
    }

    fn ledger_audit_rows(&self, from: u64, limit: u32) -> StoreFuture<'_, Vec<AuditRow>> {
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {LEAF_COLUMNS}, e.event_seq, e.hash_id, e.record_time_ms, e.party_gln, e.body \
                 FROM ledger_leaf l LEFT JOIN event e ON e.event_seq = l.event_seq \
                 WHERE l.leaf_index >= ?1 ORDER BY l.leaf_index LIMIT ?2"
            );
            let mut statement = conn.prepare_cached(&sql)?;
            let rows = statement
                .query_map(params![from as i64, limit], |row| {
                    let leaf = leaf_from_row(row)?;
                    let found: Option<i64> = row.get(7)?;
                    let event = match found {
                        Some(_) => Some(EventFacts {
                            hash_id: row.get(8)?,
                            record_time_ms: row.get(9)?,
                            party: row.get(10)?,
                            body: row.get(11)?,
                        }),
                        None => None,
                    };
                    Ok((leaf, event))
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn ledger_unlinked_events(&self, limit: u32) -> StoreFuture<'_, Vec<(i64, String)>> {
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT e.event_seq, e.hash_id FROM event e \
                 WHERE NOT EXISTS (SELECT 1 FROM ledger_leaf l WHERE l.event_seq = e.event_seq) \
                 ORDER BY e.event_seq LIMIT ?1",
            )?;
            let rows = statement
                .query_map([limit], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn add_tree_head<'a>(&'a self, head: &'a TreeHead) -> StoreFuture<'a, ()> {
        let head = head.clone();
        Box::pin(self.write(move |conn| {
            conn.execute(
                "INSERT INTO ledger_head (tree_size, root_hash, timestamp_ms, signature) VALUES (?1, ?2, ?3, ?4)",
                params![
                    head.tree_size as i64,
                    head.root_hash.as_slice(),
                    head.timestamp_ms,
                    head.signature.as_slice()
                ],
            )?;
            Ok(())
        }))
    }

    fn latest_tree_head(&self) -> StoreFuture<'_, Option<TreeHead>> {
        Box::pin(self.read(|conn| {
            use rusqlite::OptionalExtension;
            Ok(conn
                .query_row(
                    "SELECT tree_size, root_hash, timestamp_ms, signature FROM ledger_head ORDER BY head_id DESC LIMIT 1",
                    [],
                    head_from_row,
                )
                .optional()?)
        }))
    }

    fn list_tree_heads(&self) -> StoreFuture<'_, Vec<TreeHead>> {
        Box::pin(self.read(|conn| {
            let mut statement = conn.prepare(
                "SELECT tree_size, root_hash, timestamp_ms, signature FROM ledger_head ORDER BY head_id",
            )?;
            let heads = statement
                .query_map([], head_from_row)?
                .collect::<Result<_, _>>()?;
            Ok(heads)
        }))
    }
}

//! The ledger on PostgreSQL: leaves written by capture at the very end of its transaction,
//! under `LOCK TABLE ledger_leaf IN EXCLUSIVE MODE` (which lets plain reads through but no
//! other writer) held until commit, so concurrent captures get unique, gap-free indexes in
//! commit order; tree heads; and the reads proofs and audits need.

use std::pin::pin;

use anxin_ledger::{EventFacts, Hash, LeafEntry, LeafRow, TreeHead};
use anxin_store::ledger::{AuditRow, LedgerLeaf, LedgerStore, entry_for, hash_from_bytes};
use anxin_store::prepare::PreparedEvent;
use anxin_store::{StoreError, StoreFuture};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{GenericClient, Row};

use crate::PgStore;

const LEAF_COLUMNS: &str = "l.leaf_index, l.event_seq, l.hash_id, l.record_time_ms, l.party_gln, l.body_sha256, l.leaf_hash";

fn hash_column(row: &Row, index: usize) -> Result<Hash, StoreError> {
    let bytes: Vec<u8> = row.try_get(index)?;
    hash_from_bytes(&bytes).ok_or_else(|| {
        StoreError::internal(format!(
            "a ledger hash of {} bytes, not 32, in column {index}",
            bytes.len()
        ))
    })
}

fn leaf_from_row(row: &Row) -> Result<LeafRow, StoreError> {
    Ok(LeafRow {
        leaf_index: row.try_get::<_, i64>(0)? as u64,
        event_seq: row.try_get(1)?,
        entry: LeafEntry {
            hash_id: row.try_get(2)?,
            record_time_ms: row.try_get(3)?,
            party: row.try_get(4)?,
            body_sha256: hash_column(row, 5)?,
        },
        leaf_hash: hash_column(row, 6)?,
    })
}

fn head_from_row(row: &Row) -> Result<TreeHead, StoreError> {
    let signature: Vec<u8> = row.try_get(3)?;
    Ok(TreeHead {
        tree_size: row.try_get::<_, i64>(0)? as u64,
        root_hash: hash_column(row, 1)?,
        timestamp_ms: row.try_get(2)?,
        signature: signature
            .try_into()
            .map_err(|_| StoreError::internal("a tree head signature that is not 64 bytes"))?,
    })
}

/// Appends the leaves of newly stored events (`event_seq`, event), in order. Must be the
/// capture transaction's last write: the table lock it takes is held until commit.
pub(crate) async fn append_leaves(
    tx: &deadpool_postgres::Transaction<'_>,
    events: &[(i64, &PreparedEvent)],
    party: Option<&str>,
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    tx.batch_execute("LOCK TABLE ledger_leaf IN EXCLUSIVE MODE")
        .await?;
    let next: i64 = tx
        .query_one(
            "SELECT coalesce(max(leaf_index) + 1, 0) FROM ledger_leaf",
            &[],
        )
        .await?
        .try_get(0)?;
    let entries: Vec<(i64, LeafEntry, Vec<u8>, Vec<u8>)> = events
        .iter()
        .zip(next..)
        .map(|((_, event), index)| {
            let entry = entry_for(event, party);
            let hash = entry.leaf_hash().to_vec();
            let digest = entry.body_sha256.to_vec();
            (index, entry, digest, hash)
        })
        .collect();
    let sink = tx
        .copy_in(
            "COPY ledger_leaf (leaf_index, event_seq, hash_id, record_time_ms, party_gln, body_sha256, leaf_hash) \
             FROM STDIN (FORMAT binary)",
        )
        .await?;
    let types = [
        Type::INT8,
        Type::INT8,
        Type::TEXT,
        Type::INT8,
        Type::TEXT,
        Type::BYTEA,
        Type::BYTEA,
    ];
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &types));
    for ((seq, _), (index, entry, digest, hash)) in events.iter().zip(&entries) {
        let row: [&(dyn ToSql + Sync); 7] = [
            index,
            seq,
            &entry.hash_id,
            &entry.record_time_ms,
            &entry.party,
            digest,
            hash,
        ];
        writer.as_mut().write(&row).await?;
    }
    writer.finish().await?;
    Ok(())
}

/// Gives every stored event a leaf, in `event_seq` order, when the ledger has neither leaves
/// nor heads: a store made before the ledger existed (migration V4). Any other event without
/// a leaf is left for `anxin ledger verify` to report. Returns how many leaves were made.
pub(crate) async fn backfill(store: &PgStore) -> Result<u64, StoreError> {
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    tx.batch_execute("LOCK TABLE ledger_leaf IN EXCLUSIVE MODE")
        .await?;
    let empty: bool = tx
        .query_one(
            "SELECT NOT EXISTS (SELECT 1 FROM ledger_leaf) AND NOT EXISTS (SELECT 1 FROM ledger_head)",
            &[],
        )
        .await?
        .try_get(0)?;
    if !empty {
        return Ok(0);
    }
    let rows = tx
        .query(
            "SELECT event_seq, hash_id, record_time_ms, party_gln, body FROM event ORDER BY event_seq",
            &[],
        )
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let insert = tx
        .prepare(
            "INSERT INTO ledger_leaf (leaf_index, event_seq, hash_id, record_time_ms, party_gln, body_sha256, leaf_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    for (index, row) in rows.iter().enumerate() {
        let (seq, hash_id, time, party, body): (i64, String, i64, Option<String>, String) = (
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
            row.try_get(4)?,
        );
        let entry = LeafEntry::for_event(&hash_id, time, party.as_deref(), &body);
        tx.execute(
            &insert,
            &[
                &(index as i64),
                &seq,
                &entry.hash_id,
                &entry.record_time_ms,
                &entry.party,
                &entry.body_sha256.as_slice(),
                &entry.leaf_hash().as_slice(),
            ],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}

async fn heads(client: &impl GenericClient, sql: &str) -> Result<Vec<TreeHead>, StoreError> {
    client
        .query(sql, &[])
        .await?
        .iter()
        .map(head_from_row)
        .collect()
}

impl LedgerStore for PgStore {
    fn ledger_size(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let size: i64 = client
                .query_one(
                    "SELECT coalesce(max(leaf_index) + 1, 0) FROM ledger_leaf",
                    &[],
                )
                .await?
                .try_get(0)?;
            Ok(size as u64)
        })
    }

    fn ledger_leaf_hashes(&self, from: u64, limit: u32) -> StoreFuture<'_, Vec<Hash>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    "SELECT leaf_hash FROM ledger_leaf WHERE leaf_index >= $1 AND leaf_index < $1 + $2 ORDER BY leaf_index",
                    &[&(from as i64), &i64::from(limit)],
                )
                .await?
                .iter()
                .map(|row| hash_column(row, 0))
                .collect()
        })
    }

    fn local_commits(&self) -> Option<u64> {
        self.commits.read()
    }

    fn ledger_leaf(&self, leaf_index: u64) -> StoreFuture<'_, Option<LedgerLeaf>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT {LEAF_COLUMNS}, e.event_id FROM ledger_leaf l JOIN event e ON e.event_seq = l.event_seq \
                 WHERE l.leaf_index = $1"
            );
            client
                .query_opt(&sql, &[&(leaf_index as i64)])
                .await?
                .map(|row| {
                    Ok(LedgerLeaf {
                        row: leaf_from_row(&row)?,
                        event_id: row.try_get(7)?,
                    })
                })
                .transpose()
        })
    }

    fn ledger_leaves_of<'a>(&'a self, event_id: &'a str) -> StoreFuture<'a, Vec<LedgerLeaf>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT {LEAF_COLUMNS}, e.event_id FROM ledger_leaf l JOIN event e ON e.event_seq = l.event_seq \
                 WHERE l.event_seq IN (SELECT event_seq FROM event WHERE event_id = $1 \
                 UNION SELECT event_seq FROM event WHERE hash_id = $1) ORDER BY l.leaf_index"
            );
            client
                .query(&sql, &[&event_id])
                .await?
                .iter()
                .map(|row| {
                    Ok(LedgerLeaf {
                        row: leaf_from_row(row)?,
                        event_id: row.try_get(7)?,
                    })
                })
                .collect()
        })
    }

    fn ledger_audit_rows(&self, from: u64, limit: u32) -> StoreFuture<'_, Vec<AuditRow>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT {LEAF_COLUMNS}, e.event_seq, e.hash_id, e.record_time_ms, e.party_gln, e.body \
                 FROM ledger_leaf l LEFT JOIN event e ON e.event_seq = l.event_seq \
                 WHERE l.leaf_index >= $1 ORDER BY l.leaf_index LIMIT $2"
            );
            client
                .query(&sql, &[&(from as i64), &i64::from(limit)])
                .await?
                .iter()
                .map(|row| {
                    let leaf = leaf_from_row(row)?;
                    let found: Option<i64> = row.try_get(7)?;
                    let event = match found {
                        Some(_) => Some(EventFacts {
                            hash_id: row.try_get(8)?,
                            record_time_ms: row.try_get(9)?,
                            party: row.try_get(10)?,
                            body: row.try_get(11)?,
                        }),
                        None => None,
                    };
                    Ok((leaf, event))
                })
                .collect()
        })
    }

    fn ledger_unlinked_events(&self, limit: u32) -> StoreFuture<'_, Vec<(i64, String)>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT e.event_seq, e.hash_id FROM event e \
                     WHERE NOT EXISTS (SELECT 1 FROM ledger_leaf l WHERE l.event_seq = e.event_seq) \
                     ORDER BY e.event_seq LIMIT $1",
                    &[&i64::from(limit)],
                )
                .await?;
            rows.iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .collect()
        })
    }

    fn add_tree_head<'a>(&'a self, head: &'a TreeHead) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .execute(
                    "INSERT INTO ledger_head (tree_size, root_hash, timestamp_ms, signature) VALUES ($1, $2, $3, $4)",
                    &[
                        &(head.tree_size as i64),
                        &head.root_hash.as_slice(),
                        &head.timestamp_ms,
                        &head.signature.as_slice(),
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn latest_tree_head(&self) -> StoreFuture<'_, Option<TreeHead>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            Ok(heads(
                &**client,
                "SELECT tree_size, root_hash, timestamp_ms, signature FROM ledger_head ORDER BY head_id DESC LIMIT 1",
            )
            .await?
            .pop())
        })
    }

    fn list_tree_heads(&self) -> StoreFuture<'_, Vec<TreeHead>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            heads(
                &**client,
                "SELECT tree_size, root_hash, timestamp_ms, signature FROM ledger_head ORDER BY head_id",
            )
            .await
        })
    }
}

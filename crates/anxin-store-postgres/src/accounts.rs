//! Accounts, tokens, party locations, the access log and master-data reads on PostgreSQL.
//!
//! The same statements as the SQLite backend but for placeholders and types; nothing here
//! decides who may do what (that is `anxin_store::access`).

use anxin_store::access::{new_token, token_hash};
use anxin_store::prepare::{canonical_class, canonical_id};
use anxin_store::{
    AccessLogEntry, Account, AccountStore, LocationRecord, MasterDataStore, NewAccount, PartyGln,
    PartyRecord, ProductRecord, RegionCode, Role, StoreError, StoreFuture, Viewer, now_ms,
};
use tokio_postgres::Row;

use crate::PgStore;

const ACCOUNT_COLUMNS: &str = "account_id, name, role, party_gln, region, created_ms, revoked_ms";

pub(crate) fn account_from_row(row: &Row) -> Account {
    let role: String = row.get(2);
    let party: Option<String> = row.get(3);
    let region: Option<String> = row.get(4);
    Account {
        account_id: row.get(0),
        name: row.get(1),
        role: Role::parse(&role).unwrap_or(Role::Researcher),
        party: party.and_then(|gln| PartyGln::parse(&gln).ok()),
        region: region.and_then(|code| RegionCode::parse(&code).ok()),
        created_ms: row.get(5),
        revoked_ms: row.get(6),
    }
}

impl AccountStore for PgStore {
    fn create_account(&self, account: NewAccount) -> StoreFuture<'_, (Account, String)> {
        Box::pin(async move {
            account.check()?;
            let token = new_token()?;
            let hash = token_hash(&token);
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let party = account.party.as_ref().map(PartyGln::as_str);
            let sql = format!(
                "INSERT INTO account (name, role, party_gln, region, token_hash, created_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ACCOUNT_COLUMNS}"
            );
            let row = tx
                .query_one(
                    &sql,
                    &[
                        &account.name,
                        &account.role.name(),
                        &party,
                        &account.region.as_ref().map(RegionCode::as_str),
                        &hash,
                        &now_ms(),
                    ],
                )
                .await?;
            if let Some(party) = party {
                tx.execute(
                    "INSERT INTO location_owner (gln, party_gln) VALUES ($1, $1) ON CONFLICT (gln) DO NOTHING",
                    &[&party],
                )
                .await?;
            }
            tx.commit().await?;
            Ok((account_from_row(&row), token))
        })
    }

    fn authenticate<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Viewer> {
        Box::pin(async move {
            let hash = token_hash(token);
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT {ACCOUNT_COLUMNS} FROM account WHERE token_hash = $1 AND revoked_ms IS NULL"
            );
            let row = client.query_opt(&sql, &[&hash]).await?;
            row.map(|row| Viewer::new(account_from_row(&row)))
                .ok_or(StoreError::Unauthenticated)
        })
    }

    fn revoke_account(&self, account_id: i64) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let changed = client
                .execute(
                    "UPDATE account SET revoked_ms = $2 WHERE account_id = $1 AND revoked_ms IS NULL",
                    &[&account_id, &now_ms()],
                )
                .await?;
            Ok(changed == 1)
        })
    }

    fn list_accounts(&self) -> StoreFuture<'_, Vec<Account>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM account ORDER BY account_id");
            Ok(client
                .query(&sql, &[])
                .await?
                .iter()
                .map(account_from_row)
                .collect())
        })
    }

    fn add_party_location<'a>(&'a self, gln: &'a str, party: &'a PartyGln) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .execute(
                    "INSERT INTO location_owner (gln, party_gln) VALUES ($1, $2) ON CONFLICT (gln) DO NOTHING",
                    &[&gln, &party.as_str()],
                )
                .await?;
            let owner: String = client
                .query_one(
                    "SELECT party_gln FROM location_owner WHERE gln = $1",
                    &[&gln],
                )
                .await?
                .get(0);
            if owner != party.as_str() {
                return Err(StoreError::ConstraintViolation(format!(
                    "the location {gln} already belongs to party {owner}"
                )));
            }
            Ok(())
        })
    }

    fn list_access_log(&self, limit: u32) -> StoreFuture<'_, Vec<AccessLogEntry>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT account_id, read_ms, request, hash_ids FROM access_log ORDER BY log_seq DESC LIMIT $1",
                    &[&i64::from(limit)],
                )
                .await?;
            rows.iter()
                .map(|row| {
                    let hash_ids: String = row.get(3);
                    Ok(AccessLogEntry {
                        account_id: row.get(0),
                        read_ms: row.get(1),
                        request: row.get(2),
                        hash_ids: serde_json::from_str(&hash_ids)?,
                    })
                })
                .collect()
        })
    }
}

impl MasterDataStore for PgStore {
    fn get_location<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<LocationRecord>> {
        Box::pin(async move {
            let id = canonical_id(id);
            let client = self.pool.get().await?;
            let Some(row) = client
                .query_opt(
                    "SELECT location_id, written_id, gln, name, address, region, production_licence FROM location \
                     WHERE location_id = $1",
                    &[&id],
                )
                .await?
            else {
                return Ok(None);
            };
            let children = client
                .query(
                    "SELECT child_id FROM location_child WHERE parent_id = $1 ORDER BY child_id",
                    &[&id],
                )
                .await?
                .iter()
                .map(|row| row.get(0))
                .collect();
            Ok(Some(LocationRecord {
                location_id: row.get(0),
                written_id: row.get(1),
                gln: row.get(2),
                name: row.get(3),
                address: row.get(4),
                region: row.get(5),
                production_licence: row.get(6),
                children,
            }))
        })
    }

    fn get_party<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PartyRecord>> {
        Box::pin(async move {
            let id = canonical_id(id);
            let client = self.pool.get().await?;
            let row = client
                .query_opt("SELECT party_id, gln, name, address, region, kind, contact FROM party WHERE party_id = $1 OR gln = $1", &[&id])
                .await?;
            Ok(row.map(|row| PartyRecord {
                party_id: row.get(0),
                gln: row.get(1),
                name: row.get(2),
                address: row.get(3),
                region: row.get(4),
                kind: row.get(5),
                contact: row.get(6),
            }))
        })
    }

    fn get_product<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<ProductRecord>> {
        Box::pin(async move {
            let id = canonical_class(id);
            let client = self.pool.get().await?;
            let row = client
                .query_opt(
                    "SELECT product_id, gtin, brand, name, stage, formula_registration FROM product \
                     WHERE product_id = $1 OR gtin = $1 \
                     ORDER BY product_id LIMIT 1",
                    &[&id],
                )
                .await?;
            Ok(row.map(|row| ProductRecord {
                product_id: row.get(0),
                gtin: row.get(1),
                brand: row.get(2),
                name: row.get(3),
                stage: row.get(4),
                formula_registration: row.get(5),
            }))
        })
    }
}

//! Accounts, tokens, party locations, the access log and master-data reads on SQLite.
//!
//! Token checks read through the pool; creating and revoking go through the writer. Nothing
//! here decides who may do what; the rules are in `anxin_store::access`.

use anxin_store::access::{new_token, token_hash};
use anxin_store::prepare::{canonical_class, canonical_id};
use anxin_store::{
    AccessLogEntry, Account, AccountStore, LocationRecord, MasterDataStore, NewAccount, PartyGln,
    PartyRecord, ProductRecord, RegionCode, Role, StoreError, StoreFuture, Viewer, now_ms,
};
use rusqlite::{OptionalExtension, Row, params};

use crate::SqliteStore;

const ACCOUNT_COLUMNS: &str = "account_id, name, role, party_gln, region, created_ms, revoked_ms";

pub(crate) fn account_from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    let role: String = row.get(2)?;
    let party: Option<String> = row.get(3)?;
    let region: Option<String> = row.get(4)?;
    Ok(Account {
        account_id: row.get(0)?,
        name: row.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Researcher),
        party: party.and_then(|gln| PartyGln::parse(&gln).ok()),
        region: region.and_then(|code| RegionCode::parse(&code).ok()),
        created_ms: row.get(5)?,
        revoked_ms: row.get(6)?,
    })
}

impl AccountStore for SqliteStore {
    fn create_account(&self, account: NewAccount) -> StoreFuture<'_, (Account, String)> {
        Box::pin(async move {
            account.check()?;
            let token = new_token()?;
            let hash = token_hash(&token);
            let created = self
                .write(move |conn| {
                    let tx = conn.transaction()?;
                    tx.execute(
                        "INSERT INTO account (name, role, party_gln, region, token_hash, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            account.name,
                            account.role.name(),
                            account.party.as_ref().map(PartyGln::as_str),
                            account.region.as_ref().map(RegionCode::as_str),
                            hash,
                            now_ms()
                        ],
                    )?;
                    let account_id = tx.last_insert_rowid();
                    if let Some(party) = &account.party {
                        tx.execute(
                            "INSERT INTO location_owner (gln, party_gln) VALUES (?1, ?1) ON CONFLICT (gln) DO NOTHING",
                            [party.as_str()],
                        )?;
                    }
                    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM account WHERE account_id = ?1");
                    let created = tx.query_row(&sql, [account_id], account_from_row)?;
                    tx.commit()?;
                    Ok(created)
                })
                .await?;
            Ok((created, token))
        })
    }

    fn authenticate<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Viewer> {
        let hash = token_hash(token);
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {ACCOUNT_COLUMNS} FROM account WHERE token_hash = ?1 AND revoked_ms IS NULL"
            );
            conn.query_row(&sql, [hash], account_from_row)
                .optional()?
                .map(Viewer::new)
                .ok_or(StoreError::Unauthenticated)
        }))
    }

    fn revoke_account(&self, account_id: i64) -> StoreFuture<'_, bool> {
        Box::pin(self.write(move |conn| {
            let changed = conn.execute(
                "UPDATE account SET revoked_ms = ?2 WHERE account_id = ?1 AND revoked_ms IS NULL",
                params![account_id, now_ms()],
            )?;
            Ok(changed == 1)
        }))
    }

    fn list_accounts(&self) -> StoreFuture<'_, Vec<Account>> {
        Box::pin(self.read(|conn| {
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM account ORDER BY account_id");
            let mut statement = conn.prepare(&sql)?;
            let accounts = statement
                .query_map([], account_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(accounts)
        }))
    }

    fn add_party_location<'a>(&'a self, gln: &'a str, party: &'a PartyGln) -> StoreFuture<'a, ()> {
        let (gln, party) = (gln.to_owned(), party.as_str().to_owned());
        Box::pin(self.write(move |conn| {
            let existing: Option<String> = conn
                .query_row(
                    "SELECT party_gln FROM location_owner WHERE gln = ?1",
                    [&gln],
                    |row| row.get(0),
                )
                .optional()?;
            match existing {
                Some(owner) if owner != party => Err(StoreError::ConstraintViolation(format!(
                    "the location {gln} already belongs to party {owner}"
                ))),
                Some(_) => Ok(()),
                None => {
                    conn.execute(
                        "INSERT INTO location_owner (gln, party_gln) VALUES (?1, ?2)",
                        [&gln, &party],
                    )?;
                    Ok(())
                }
            }
        }))
    }

    fn list_access_log(&self, limit: u32) -> StoreFuture<'_, Vec<AccessLogEntry>> {
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare(
                "SELECT account_id, read_ms, request, hash_ids FROM access_log ORDER BY log_seq DESC LIMIT ?1",
            )?;
            let rows = statement
                .query_map([limit], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?, row.get::<_, String>(3)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(account_id, read_ms, request, hash_ids)| {
                    Ok(AccessLogEntry { account_id, read_ms, request, hash_ids: serde_json::from_str(&hash_ids)? })
                })
                .collect()
        }))
    }
}

impl MasterDataStore for SqliteStore {
    fn get_location<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<LocationRecord>> {
        let id = canonical_id(id);
        Box::pin(self.read(move |conn| {
            let found = conn
                .query_row(
                    "SELECT location_id, written_id, gln, name, address, region, production_licence FROM location WHERE location_id = ?1",
                    [&id],
                    |row| {
                        Ok(LocationRecord {
                            location_id: row.get(0)?,
                            written_id: row.get(1)?,
                            gln: row.get(2)?,
                            name: row.get(3)?,
                            address: row.get(4)?,
                            region: row.get(5)?,
                            production_licence: row.get(6)?,
                            children: Vec::new(),
                        })
                    },
                )
                .optional()?;
            let Some(mut location) = found else { return Ok(None) };
            let mut statement = conn.prepare("SELECT child_id FROM location_child WHERE parent_id = ?1 ORDER BY child_id")?;
            location.children = statement.query_map([&id], |row| row.get(0))?.collect::<Result<_, _>>()?;
            Ok(Some(location))
        }))
    }

    fn get_party<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PartyRecord>> {
        let id = canonical_id(id);
        Box::pin(self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT party_id, gln, name, address, region, kind, contact FROM party WHERE party_id = ?1 OR gln = ?1",
                    [&id],
                    |row| {
                        Ok(PartyRecord {
                            party_id: row.get(0)?,
                            gln: row.get(1)?,
                            name: row.get(2)?,
                            address: row.get(3)?,
                            region: row.get(4)?,
                            kind: row.get(5)?,
                            contact: row.get(6)?,
                        })
                    },
                )
                .optional()?)
        }))
    }

    fn get_product<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<ProductRecord>> {
        let id = canonical_class(id);
        Box::pin(self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT product_id, gtin, brand, name, stage, formula_registration FROM product \
                     WHERE product_id = ?1 OR gtin = ?1 ORDER BY product_id LIMIT 1",
                    [&id],
                    |row| {
                        Ok(ProductRecord {
                            product_id: row.get(0)?,
                            gtin: row.get(1)?,
                            brand: row.get(2)?,
                            name: row.get(3)?,
                            stage: row.get(4)?,
                            formula_registration: row.get(5)?,
                        })
                    },
                )
                .optional()?)
        }))
    }
}

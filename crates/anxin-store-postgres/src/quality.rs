//! Raw-milk receiving tests and HACCP records (append-only), each batch in one transaction.

use anxin_store::quality::{
    ControlPointRow, CorrectiveActionRow, HaccpLotRow, HaccpReadingRow, QualityStore,
    RawMilkTestRow,
};
use anxin_store::{StoreError, StoreFuture};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use crate::PgStore;

const TEST_COLUMNS: &str = "delivery_id, plant_gln, supplier, received_ms, received_date, facts, \
     analyte, reading, value, unit, sample_unit, account_id, created_ms";
const CCP_COLUMNS: &str =
    "plant_gln, ccp_id, line, step, parameter, unit, min, max, interval_s, created_ms";
const READING_COLUMNS: &str = "plant_gln, ccp_id, run, at_ms, value, account_id, created_ms";
const LOT_COLUMNS: &str = "plant_gln, line, run, lot, start_ms, end_ms, created_ms";
const ACTION_COLUMNS: &str =
    "plant_gln, ccp_id, deviation_start_ms, recorded_ms, by_name, action, account_id, created_ms";

async fn unknown_ccp(
    client: &impl GenericClient,
    plant_gln: &str,
    ccp_id: &str,
) -> Result<(), StoreError> {
    let known: i64 = client
        .query_one(
            "SELECT count(*) FROM haccp_control_point WHERE plant_gln = $1 AND ccp_id = $2",
            &[&plant_gln, &ccp_id],
        )
        .await?
        .try_get(0)?;
    if known == 0 {
        return Err(StoreError::ConstraintViolation(format!(
            "unknown control point {ccp_id:?} of plant {plant_gln}: register it first"
        )));
    }
    Ok(())
}

fn test_from_row(row: &Row) -> Result<RawMilkTestRow, StoreError> {
    Ok(RawMilkTestRow {
        delivery_id: row.try_get(0)?,
        plant_gln: row.try_get(1)?,
        supplier: row.try_get(2)?,
        received_ms: row.try_get(3)?,
        received_date: row.try_get(4)?,
        facts: row.try_get(5)?,
        analyte: row.try_get(6)?,
        reading: row.try_get(7)?,
        value: row.try_get(8)?,
        unit: row.try_get(9)?,
        sample_unit: row.try_get(10)?,
        account_id: row.try_get(11)?,
        created_ms: row.try_get(12)?,
    })
}

fn ccp_from_row(row: &Row) -> Result<ControlPointRow, StoreError> {
    Ok(ControlPointRow {
        plant_gln: row.try_get(0)?,
        ccp_id: row.try_get(1)?,
        line: row.try_get(2)?,
        step: row.try_get(3)?,
        parameter: row.try_get(4)?,
        unit: row.try_get(5)?,
        min: row.try_get(6)?,
        max: row.try_get(7)?,
        interval_s: row.try_get(8)?,
        created_ms: row.try_get(9)?,
    })
}

impl QualityStore for PgStore {
    fn add_raw_milk_tests<'a>(&'a self, rows: &'a [RawMilkTestRow]) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let insert = tx
                .prepare(&format!(
                    "INSERT INTO raw_milk_test ({TEST_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                ))
                .await?;
            for row in rows {
                tx.execute(
                    &insert,
                    &[
                        &row.delivery_id,
                        &row.plant_gln,
                        &row.supplier,
                        &row.received_ms,
                        &row.received_date,
                        &row.facts,
                        &row.analyte,
                        &row.reading,
                        &row.value,
                        &row.unit,
                        &row.sample_unit,
                        &row.account_id,
                        &row.created_ms,
                    ],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn raw_milk_tests<'a>(&'a self, delivery_id: &'a str) -> StoreFuture<'a, Vec<RawMilkTestRow>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    &format!(
                        "SELECT {TEST_COLUMNS} FROM raw_milk_test WHERE delivery_id = $1 \
                         ORDER BY test_row"
                    ),
                    &[&delivery_id],
                )
                .await?
                .iter()
                .map(test_from_row)
                .collect()
        })
    }

    fn add_control_points<'a>(&'a self, rows: &'a [ControlPointRow]) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let insert = tx
                .prepare(&format!(
                    "INSERT INTO haccp_control_point ({CCP_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (plant_gln, ccp_id) DO NOTHING"
                ))
                .await?;
            for row in rows {
                let stored = tx
                    .execute(
                        &insert,
                        &[
                            &row.plant_gln,
                            &row.ccp_id,
                            &row.line,
                            &row.step,
                            &row.parameter,
                            &row.unit,
                            &row.min,
                            &row.max,
                            &row.interval_s,
                            &row.created_ms,
                        ],
                    )
                    .await?;
                if stored == 0 {
                    return Err(StoreError::ConstraintViolation(format!(
                        "control point {:?} of plant {} is already registered (control points are never changed)",
                        row.ccp_id, row.plant_gln
                    )));
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn control_points<'a>(&'a self, plant_gln: &'a str) -> StoreFuture<'a, Vec<ControlPointRow>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    &format!(
                        "SELECT {CCP_COLUMNS} FROM haccp_control_point WHERE plant_gln = $1 \
                         ORDER BY ccp_row"
                    ),
                    &[&plant_gln],
                )
                .await?
                .iter()
                .map(ccp_from_row)
                .collect()
        })
    }

    fn add_haccp_readings<'a>(&'a self, rows: &'a [HaccpReadingRow]) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let insert = tx
                .prepare(&format!(
                    "INSERT INTO haccp_reading ({READING_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ))
                .await?;
            let mut checked: Option<(&str, &str)> = None;
            for row in rows {
                let key = (row.plant_gln.as_str(), row.ccp_id.as_str());
                if checked != Some(key) {
                    unknown_ccp(&tx, &row.plant_gln, &row.ccp_id).await?;
                    checked = Some(key);
                }
                tx.execute(
                    &insert,
                    &[
                        &row.plant_gln,
                        &row.ccp_id,
                        &row.run,
                        &row.at_ms,
                        &row.value,
                        &row.account_id,
                        &row.created_ms,
                    ],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn haccp_readings<'a>(&'a self, plant_gln: &'a str) -> StoreFuture<'a, Vec<HaccpReadingRow>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    &format!(
                        "SELECT {READING_COLUMNS} FROM haccp_reading WHERE plant_gln = $1 \
                         ORDER BY ccp_id COLLATE \"C\", run COLLATE \"C\", at_ms, reading_row"
                    ),
                    &[&plant_gln],
                )
                .await?
                .iter()
                .map(|row| {
                    Ok(HaccpReadingRow {
                        plant_gln: row.try_get(0)?,
                        ccp_id: row.try_get(1)?,
                        run: row.try_get(2)?,
                        at_ms: row.try_get(3)?,
                        value: row.try_get(4)?,
                        account_id: row.try_get(5)?,
                        created_ms: row.try_get(6)?,
                    })
                })
                .collect()
        })
    }

    fn add_haccp_lots<'a>(&'a self, rows: &'a [HaccpLotRow]) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let insert = tx
                .prepare(&format!(
                    "INSERT INTO haccp_lot ({LOT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ))
                .await?;
            for row in rows {
                tx.execute(
                    &insert,
                    &[
                        &row.plant_gln,
                        &row.line,
                        &row.run,
                        &row.lot,
                        &row.start_ms,
                        &row.end_ms,
                        &row.created_ms,
                    ],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn haccp_lots<'a>(&'a self, plant_gln: &'a str) -> StoreFuture<'a, Vec<HaccpLotRow>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    &format!(
                        "SELECT {LOT_COLUMNS} FROM haccp_lot WHERE plant_gln = $1 ORDER BY lot_row"
                    ),
                    &[&plant_gln],
                )
                .await?
                .iter()
                .map(|row| {
                    Ok(HaccpLotRow {
                        plant_gln: row.try_get(0)?,
                        line: row.try_get(1)?,
                        run: row.try_get(2)?,
                        lot: row.try_get(3)?,
                        start_ms: row.try_get(4)?,
                        end_ms: row.try_get(5)?,
                        created_ms: row.try_get(6)?,
                    })
                })
                .collect()
        })
    }

    fn add_corrective_action<'a>(&'a self, row: &'a CorrectiveActionRow) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            unknown_ccp(&tx, &row.plant_gln, &row.ccp_id).await?;
            tx.execute(
                &format!(
                    "INSERT INTO haccp_action ({ACTION_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                ),
                &[
                    &row.plant_gln,
                    &row.ccp_id,
                    &row.deviation_start_ms,
                    &row.recorded_ms,
                    &row.by,
                    &row.action,
                    &row.account_id,
                    &row.created_ms,
                ],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn corrective_actions<'a>(
        &'a self,
        plant_gln: &'a str,
    ) -> StoreFuture<'a, Vec<CorrectiveActionRow>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    &format!(
                        "SELECT {ACTION_COLUMNS} FROM haccp_action WHERE plant_gln = $1 \
                         ORDER BY action_row"
                    ),
                    &[&plant_gln],
                )
                .await?
                .iter()
                .map(|row| {
                    Ok(CorrectiveActionRow {
                        plant_gln: row.try_get(0)?,
                        ccp_id: row.try_get(1)?,
                        deviation_start_ms: row.try_get(2)?,
                        recorded_ms: row.try_get(3)?,
                        by: row.try_get(4)?,
                        action: row.try_get(5)?,
                        account_id: row.try_get(6)?,
                        created_ms: row.try_get(7)?,
                    })
                })
                .collect()
        })
    }
}

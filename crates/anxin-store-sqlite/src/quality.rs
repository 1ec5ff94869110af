//! Raw-milk receiving tests and HACCP records (append-only), each batch in one transaction.

use anxin_store::quality::{
    ControlPointRow, CorrectiveActionRow, HaccpLotRow, HaccpReadingRow, QualityStore,
    RawMilkTestRow,
};
use anxin_store::{StoreError, StoreFuture};
use rusqlite::{Connection, params};

use crate::SqliteStore;

const TEST_COLUMNS: &str = "delivery_id, plant_gln, supplier, received_ms, received_date, facts, \
     analyte, reading, value, unit, sample_unit, account_id, created_ms";
const CCP_COLUMNS: &str =
    "plant_gln, ccp_id, line, step, parameter, unit, min, max, interval_s, created_ms";
const READING_COLUMNS: &str = "plant_gln, ccp_id, run, at_ms, value, account_id, created_ms";
const LOT_COLUMNS: &str = "plant_gln, line, run, lot, start_ms, end_ms, created_ms";
const ACTION_COLUMNS: &str =
    "plant_gln, ccp_id, deviation_start_ms, recorded_ms, by_name, action, account_id, created_ms";

fn unknown_ccp(conn: &Connection, plant_gln: &str, ccp_id: &str) -> Result<(), StoreError> {
    let known: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM haccp_control_point WHERE plant_gln = ?1 AND ccp_id = ?2",
        )?
        .query_row(params![plant_gln, ccp_id], |row| row.get(0))?;
    if known == 0 {
        return Err(StoreError::ConstraintViolation(format!(
            "unknown control point {ccp_id:?} of plant {plant_gln}: register it first"
        )));
    }
    Ok(())
}

impl QualityStore for SqliteStore {
    fn add_raw_milk_tests<'a>(&'a self, rows: &'a [RawMilkTestRow]) -> StoreFuture<'a, ()> {
        let rows = rows.to_vec();
        Box::pin(self.write(move |conn| {
            let tx = conn.transaction()?;
            {
                let mut insert = tx.prepare_cached(&format!(
                    "INSERT INTO raw_milk_test ({TEST_COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                ))?;
                for row in &rows {
                    insert.execute(params![
                        row.delivery_id,
                        row.plant_gln,
                        row.supplier,
                        row.received_ms,
                        row.received_date,
                        row.facts,
                        row.analyte,
                        row.reading,
                        row.value,
                        row.unit,
                        row.sample_unit,
                        row.account_id,
                        row.created_ms,
                    ])?;
                }
            }
            tx.commit()?;
            Ok(())
        }))
    }

    fn raw_milk_tests<'a>(&'a self, delivery_id: &'a str) -> StoreFuture<'a, Vec<RawMilkTestRow>> {
        let delivery_id = delivery_id.to_owned();
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {TEST_COLUMNS} FROM raw_milk_test WHERE delivery_id = ?1 ORDER BY test_row"
            ))?;
            let rows = statement
                .query_map([delivery_id], |row| {
                    Ok(RawMilkTestRow {
                        delivery_id: row.get(0)?,
                        plant_gln: row.get(1)?,
                        supplier: row.get(2)?,
                        received_ms: row.get(3)?,
                        received_date: row.get(4)?,
                        facts: row.get(5)?,
                        analyte: row.get(6)?,
                        reading: row.get(7)?,
                        value: row.get(8)?,
                        unit: row.get(9)?,
                        sample_unit: row.get(10)?,
                        account_id: row.get(11)?,
                        created_ms: row.get(12)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn add_control_points<'a>(&'a self, rows: &'a [ControlPointRow]) -> StoreFuture<'a, ()> {
        let rows = rows.to_vec();
        Box::pin(self.write(move |conn| {
            let tx = conn.transaction()?;
            {
                let mut insert = tx.prepare_cached(&format!(
                    "INSERT INTO haccp_control_point ({CCP_COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                     ON CONFLICT (plant_gln, ccp_id) DO NOTHING"
                ))?;
                for row in &rows {
                    let stored = insert.execute(params![
                        row.plant_gln,
                        row.ccp_id,
                        row.line,
                        row.step,
                        row.parameter,
                        row.unit,
                        row.min,
                        row.max,
                        row.interval_s,
                        row.created_ms,
                    ])?;
                    if stored == 0 {
                        return Err(StoreError::ConstraintViolation(format!(
                            "control point {:?} of plant {} is already registered (control points are never changed)",
                            row.ccp_id, row.plant_gln
                        )));
                    }
                }
            }
            tx.commit()?;
            Ok(())
        }))
    }

    fn control_points<'a>(&'a self, plant_gln: &'a str) -> StoreFuture<'a, Vec<ControlPointRow>> {
        let plant_gln = plant_gln.to_owned();
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {CCP_COLUMNS} FROM haccp_control_point WHERE plant_gln = ?1 ORDER BY ccp_row"
            ))?;
            let rows = statement
                .query_map([plant_gln], |row| {
                    Ok(ControlPointRow {
                        plant_gln: row.get(0)?,
                        ccp_id: row.get(1)?,
                        line: row.get(2)?,
                        step: row.get(3)?,
                        parameter: row.get(4)?,
                        unit: row.get(5)?,
                        min: row.get(6)?,
                        max: row.get(7)?,
                        interval_s: row.get(8)?,
                        created_ms: row.get(9)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn add_haccp_readings<'a>(&'a self, rows: &'a [HaccpReadingRow]) -> StoreFuture<'a, ()> {
        let rows = rows.to_vec();
        Box::pin(self.write(move |conn| {
            let tx = conn.transaction()?;
            {
                let mut checked: Option<(String, String)> = None;
                let mut insert = tx.prepare_cached(&format!(
                    "INSERT INTO haccp_reading ({READING_COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                ))?;
                for row in &rows {
                    let key = (row.plant_gln.clone(), row.ccp_id.clone());
                    if checked.as_ref() != Some(&key) {
                        unknown_ccp(&tx, &row.plant_gln, &row.ccp_id)?;
                        checked = Some(key);
                    }
                    insert.execute(params![
                        row.plant_gln,
                        row.ccp_id,
                        row.run,
                        row.at_ms,
                        row.value,
                        row.account_id,
                        row.created_ms,
                    ])?;
                }
            }
            tx.commit()?;
            Ok(())
        }))
    }

    fn haccp_readings<'a>(&'a self, plant_gln: &'a str) -> StoreFuture<'a, Vec<HaccpReadingRow>> {
        let plant_gln = plant_gln.to_owned();
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {READING_COLUMNS} FROM haccp_reading WHERE plant_gln = ?1 \
                 ORDER BY ccp_id, run, at_ms, reading_row"
            ))?;
            let rows = statement
                .query_map([plant_gln], |row| {
                    Ok(HaccpReadingRow {
                        plant_gln: row.get(0)?,
                        ccp_id: row.get(1)?,
                        run: row.get(2)?,
                        at_ms: row.get(3)?,
                        value: row.get(4)?,
                        account_id: row.get(5)?,
                        created_ms: row.get(6)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn add_haccp_lots<'a>(&'a self, rows: &'a [HaccpLotRow]) -> StoreFuture<'a, ()> {
        let rows = rows.to_vec();
        Box::pin(self.write(move |conn| {
            let tx = conn.transaction()?;
            {
                let mut insert = tx.prepare_cached(&format!(
                    "INSERT INTO haccp_lot ({LOT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                ))?;
                for row in &rows {
                    insert.execute(params![
                        row.plant_gln,
                        row.line,
                        row.run,
                        row.lot,
                        row.start_ms,
                        row.end_ms,
                        row.created_ms,
                    ])?;
                }
            }
            tx.commit()?;
            Ok(())
        }))
    }

    fn haccp_lots<'a>(&'a self, plant_gln: &'a str) -> StoreFuture<'a, Vec<HaccpLotRow>> {
        let plant_gln = plant_gln.to_owned();
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {LOT_COLUMNS} FROM haccp_lot WHERE plant_gln = ?1 ORDER BY lot_row"
            ))?;
            let rows = statement
                .query_map([plant_gln], |row| {
                    Ok(HaccpLotRow {
                        plant_gln: row.get(0)?,
                        line: row.get(1)?,
                        run: row.get(2)?,
                        lot: row.get(3)?,
                        start_ms: row.get(4)?,
                        end_ms: row.get(5)?,
                        created_ms: row.get(6)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }

    fn add_corrective_action<'a>(&'a self, row: &'a CorrectiveActionRow) -> StoreFuture<'a, ()> {
        let row = row.clone();
        Box::pin(self.write(move |conn| {
            let tx = conn.transaction()?;
            unknown_ccp(&tx, &row.plant_gln, &row.ccp_id)?;
            tx.prepare_cached(&format!(
                "INSERT INTO haccp_action ({ACTION_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ))?
            .execute(params![
                row.plant_gln,
                row.ccp_id,
                row.deviation_start_ms,
                row.recorded_ms,
                row.by,
                row.action,
                row.account_id,
                row.created_ms,
            ])?;
            tx.commit()?;
            Ok(())
        }))
    }

    fn corrective_actions<'a>(
        &'a self,
        plant_gln: &'a str,
    ) -> StoreFuture<'a, Vec<CorrectiveActionRow>> {
        let plant_gln = plant_gln.to_owned();
        Box::pin(self.read(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {ACTION_COLUMNS} FROM haccp_action WHERE plant_gln = ?1 ORDER BY action_row"
            ))?;
            let rows = statement
                .query_map([plant_gln], |row| {
                    Ok(CorrectiveActionRow {
                        plant_gln: row.get(0)?,
                        ccp_id: row.get(1)?,
                        deviation_start_ms: row.get(2)?,
                        recorded_ms: row.get(3)?,
                        by: row.get(4)?,
                        action: row.get(5)?,
                        account_id: row.get(6)?,
                        created_ms: row.get(7)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        }))
    }
}

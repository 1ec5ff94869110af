//! Lab results as CSV text: one row per result, read into [`Measurement`]s with every broken row
//! reported by line number.
//!
//! The columns are `analyte,value,unit[,sample_unit]` (a header row is required; the order of the
//! columns is free). A value is a number, `<LOD` for a result below the detection limit, or
//! `detected` / `not detected` (also `ND`, `检出`, `未检出`) for presence tests; `sample_unit` numbers
//! the units of a microbiological plan. This module reads text it is given; it opens no file.

use jiff::civil::Date;

use crate::analyte;
use crate::judge::{InputError, Measurement, Reading, Sample};
use crate::standard::{Fact, ProductType};
use crate::unit::Unit;

/// Rows per file above which a results file is refused: a lot's report has tens of rows, so this
/// is an assumption that catches a wrong file, not a figure from any standard.
pub const ROWS_MAX: usize = 10_000;

/// Reads results CSV into a sample. Every broken row is reported (by its line number); if any
/// row is broken, nothing is judged.
pub fn sample_from_csv(
    text: &str,
    product: ProductType,
    produced: Date,
    facts: impl IntoIterator<Item = Fact>,
) -> Result<Sample, Vec<InputError>> {
    let (measurements, lines, mut errors) = read_rows(text)?;
    // The rows that parsed are still checked for sense, so that one run reports every broken row.
    match Sample::new(product, produced, facts, measurements) {
        Ok(sample) if errors.is_empty() => Ok(sample),
        Ok(_) => Err(errors),
        Err(sample_errors) => {
            errors.extend(sample_errors.into_iter().map(|error| InputError {
                index: lines.get(error.index - 1).copied().unwrap_or(error.index),
                ..error
            }));
            errors.sort_by_key(|error| error.index);
            Err(errors)
        }
    }
}

fn whole_file(message: impl Into<String>) -> Vec<InputError> {
    vec![InputError {
        index: 1,
        analyte: String::new(),
        message: message.into(),
    }]
}

/// Reads the rows; returns the measurements and the line each came from, or every broken row.
pub fn parse_csv(text: &str) -> Result<(Vec<Measurement>, Vec<usize>), Vec<InputError>> {
    let (measurements, lines, errors) = read_rows(text)?;
    if errors.is_empty() {
        Ok((measurements, lines))
    } else {
        Err(errors)
    }
}

type Rows = (Vec<Measurement>, Vec<usize>, Vec<InputError>);

fn read_rows(text: &str) -> Result<Rows, Vec<InputError>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| whole_file(format!("the header row cannot be read: {e}")))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(analyte_col), Some(value_col), Some(unit_col)) =
        (column("analyte"), column("value"), column("unit"))
    else {
        return Err(whole_file(format!(
            "the header row must name the columns analyte, value and unit (found: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let sample_unit_col = column("sample_unit");
    let mut measurements = Vec::new();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (row_index, record) in reader.records().enumerate() {
        if row_index >= ROWS_MAX {
            errors.push(InputError {
                index: row_index + 2,
                analyte: String::new(),
                message: format!("more than {ROWS_MAX} rows"),
            });
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error
                    .position()
                    .map_or(row_index + 2, |p| p.line() as usize);
                errors.push(InputError {
                    index: line,
                    analyte: String::new(),
                    message: format!("unreadable row: {error}"),
                });
                continue;
            }
        };
        let line = record
            .position()
            .map_or(row_index + 2, |p| p.line() as usize);
        let field = |col: usize| record.get(col).unwrap_or("");
        let name = field(analyte_col);
        match parse_row(
            name,
            field(value_col),
            field(unit_col),
            sample_unit_col.map(field),
        ) {
            Ok(measurement) => {
                measurements.push(measurement);
                lines.push(line);
            }
            Err(message) => errors.push(InputError {
                index: line,
                analyte: name.to_owned(),
                message,
            }),
        }
    }
    Ok((measurements, lines, errors))
}

/// Reads one result written as the CSV's fields (analyte, value, unit, sample unit) into a
/// [`Measurement`], checked for sense as [`Sample::new`] checks it; the error says what is wrong.
/// The API's JSON results and stored results are read through this, so every path into a
/// judgment reads a row the same way.
pub fn measurement(
    name: &str,
    value: &str,
    unit: &str,
    sample_unit: Option<&str>,
) -> Result<Measurement, String> {
    let measurement = parse_row(name, value, unit, sample_unit)?;
    measurement.check()?;
    Ok(measurement)
}

fn parse_row(
    name: &str,
    value: &str,
    unit: &str,
    sample_unit: Option<&str>,
) -> Result<Measurement, String> {
    let analyte = analyte::find(name).ok_or_else(|| {
        if name.is_empty() {
            "the analyte is empty".to_owned()
        } else {
            format!("unknown analyte {name:?}")
        }
    })?;
    let reading = parse_reading(value)?;
    let unit = match (unit, reading) {
        ("", Reading::Detected | Reading::NotDetected) => None,
        ("", _) => return Err("the unit is empty".into()),
        (text, _) => Some(Unit::parse(text).ok_or_else(|| format!("unknown unit {text:?}"))?),
    };
    let sample_unit = match sample_unit {
        None | Some("") => None,
        Some(text) => Some(
            text.parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("sample_unit {text:?} is not a whole number from 1"))?,
        ),
    };
    Ok(Measurement {
        analyte,
        reading,
        unit,
        sample_unit,
    })
}

fn parse_reading(text: &str) -> Result<Reading, String> {
    let lower = text.to_lowercase();
    match lower.as_str() {
        "" => return Err("the value is empty".into()),
        "nd" | "not detected" | "未检出" | "negative" | "阴性" => {
            return Ok(Reading::NotDetected);
        }
        "detected" | "检出" | "positive" | "阳性" => return Ok(Reading::Detected),
        _ => {}
    }
    let (below, number) = match lower.strip_prefix('<') {
        Some(rest) => (true, rest.trim()),
        None => (false, lower.as_str()),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("value {text:?} is not a number, <LOD, detected or not detected"))?;
    if !value.is_finite() {
        return Err(format!("value {text:?} is not a finite number"));
    }
    Ok(if below {
        Reading::BelowDetection(value)
    } else {
        Reading::Value(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broken_row_is_reported_by_line_and_nothing_is_judged() {
        let text = "analyte,value,unit,sample_unit\n\
                    protein,10.5,g/100g,\n\
                    proteen,10.5,g/100g,\n\
                    fat,-1,g/100g,\n\
                    lead,abc,mg/kg,\n\
                    iron,5,mg/furlong,\n\
                    sodium,200,g/100g,\n\
                    cronobacter,not detected,,0\n\
                    protein,10.6,g/100g,\n";
        let errors = sample_from_csv(text, ProductType::Infant, "2026-10-01".parse().unwrap(), [])
            .unwrap_err();
        let found: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.index, e.message.as_str()))
            .collect();
        let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 8, 9], "{found:#?}");
        assert!(found[0].1.contains("unknown analyte \"proteen\""));
        assert!(found[1].1.contains("negative"));
        assert!(found[2].1.contains("not a number"));
        assert!(found[3].1.contains("unknown unit"));
        assert!(found[4].1.contains("more than the product"));
        assert!(found[5].1.contains("sample_unit"));
        assert!(found[6].1.contains("twice"));
    }

    #[test]
    fn readings_below_detection_and_presence_tests_are_read() {
        let text =
            "unit,analyte,value\nmg/kg,lead,<0.005\n,cronobacter,未检出\n,salmonella,detected\n";
        let (measurements, lines) = parse_csv(text).unwrap();
        assert_eq!(lines, [2, 3, 4]);
        assert_eq!(measurements[0].reading, Reading::BelowDetection(0.005));
        assert_eq!(measurements[1].reading, Reading::NotDetected);
        assert_eq!(measurements[2].reading, Reading::Detected);
    }

    #[test]
    fn a_file_without_the_named_columns_is_refused() {
        let errors = parse_csv("name,amount\nprotein,1\n").unwrap_err();
        assert!(errors[0].message.contains("analyte, value and unit"));
    }
}

//! `anxin gs1 …`: read a GS1 code in any written form and print every form.
//!
//! The code may be an EPC URN, a GS1 Digital Link on any host, a bracketed element string
//! as printed under a barcode, or the raw string a scanner reads from a DataMatrix or QR
//! code (FNC1 as the GS character, with or without a symbology prefix). The output is JSON so
//! that it can be piped; errors say which character or check digit is wrong.

use anxin_gs1::{Gs1Data, Gs1Key, PrefixTable};
use anyhow::Result;
use clap::Subcommand;
use serde_json::{Map, Value, json};

use crate::exit;

/// The GS1 subcommands.
#[derive(Subcommand)]
pub enum Gs1Command {
    /// Parse a code (EPC URN, Digital Link, element string) and print every form as JSON.
    Parse {
        /// The code. Quote it in the shell: element strings contain brackets.
        code: String,
        /// Company-prefix lengths beyond the bundled table, as LEADING_DIGITS=LENGTH
        /// (e.g. `--prefix 6931234=7`); may repeat.
        #[arg(long = "prefix", value_name = "DIGITS=LENGTH")]
        prefixes: Vec<String>,
        /// The year GS1 dates (YYMMDD) are read relative to (General Specifications 7.12).
        #[arg(long, default_value_t = 2026)]
        reference_year: u16,
    },
}

/// Runs one GS1 subcommand and returns its exit code.
pub fn run(command: Gs1Command) -> Result<u8> {
    match command {
        Gs1Command::Parse {
            code,
            prefixes,
            reference_year,
        } => parse(&code, &prefixes, reference_year),
    }
}

fn prefix_table(prefixes: &[String]) -> Result<PrefixTable, String> {
    let mut table = PrefixTable::bundled();
    for entry in prefixes {
        let Some((digits, length)) = entry.split_once('=') else {
            return Err(format!(
                "--prefix {entry}: expected LEADING_DIGITS=LENGTH, e.g. 6931234=7"
            ));
        };
        let length: u8 = length
            .parse()
            .map_err(|_| format!("--prefix {entry}: `{length}` is not a length"))?;
        table
            .insert(digits, length)
            .map_err(|error| format!("--prefix {entry}: {error}"))?;
    }
    Ok(table)
}

fn parse(code: &str, prefixes: &[String], reference_year: u16) -> Result<u8> {
    let table = match prefix_table(prefixes) {
        Ok(table) => table,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(exit::USAGE);
        }
    };
    let key = match Gs1Key::parse(code) {
        Ok(key) => key,
        Err(error) => {
            eprintln!("error: `{code}` is not a GS1 code anxin can read: {error}");
            return Ok(exit::INVALID);
        }
    };
    let mut out = Map::new();
    out.insert("input".into(), json!(code));
    out.insert("scheme".into(), json!(key.scheme()));
    out.insert(
        "epcUrn".into(),
        match key.to_epc_urn(&table) {
            Ok(urn) => json!(urn),
            Err(error) => json!({ "error": error.to_string() }),
        },
    );
    out.insert("digitalLink".into(), json!(key.to_digital_link()));
    out.insert("elementString".into(), json!(key.to_element_string()));
    out.insert(
        "rawElementString".into(),
        json!(key.to_raw_element_string()),
    );
    // Codes that carry more than a key (dates, weights, a lot beside a serial) list it all.
    if let Ok(data) = Gs1Data::parse(code) {
        let elements: Vec<Value> = data
            .elements()
            .iter()
            .map(|element| {
                let mut item = json!({ "ai": element.ai(), "value": element.value() });
                if let Some(info) = element.info() {
                    item["title"] = json!(info.title());
                    if info.is_date()
                        && let Ok(Some(date)) = data.date(element.ai(), reference_year)
                    {
                        item["date"] = json!(date.to_string());
                    }
                }
                item
            })
            .collect();
        out.insert("elements".into(), Value::Array(elements));
        out.insert("allElementString".into(), json!(data.to_bracketed()));
    }
    println!("{}", serde_json::to_string_pretty(&Value::Object(out))?);
    Ok(exit::OK)
}

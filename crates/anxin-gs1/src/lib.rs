#![doc = include_str!("../README.md")]

mod ai;
mod charset;
mod check_digit;
mod date;
mod digital_link;
mod element_string;
mod epc;
mod error;
mod keys;
mod prefix_table;

pub use ai::AiInfo;
pub use check_digit::check_digit;
pub use date::{Date, days_in_month};
pub use element_string::{Element, Gs1Data};
pub use epc::{EpcPattern, EpcScheme};
pub use error::{CharacterSet, Gs1Error};
pub use keys::{
    CANONICAL_DL_STEM, Cpi, Cpid, GROUP_SEPARATOR, Gdti, Giai, Ginc, Gln, Grai, Gs1Key, Gsin, Gsrn,
    Gtin, Itip, KeyKind, Lgtin, Pgln, Sgcn, Sgln, Sgtin, Sscc, Upui,
};
pub use prefix_table::PrefixTable;

/// Converts an EPC URN (`urn:epc:id:…`, `urn:epc:class:lgtin:…`, or an id pattern that names
/// a single class) to its canonical GS1 Digital Link URI.
///
/// This is the conversion the EPCIS 2.0 event hash applies to every EPC; it needs no prefix
/// table because the URN shows where the company prefix ends.
///
/// ```
/// assert_eq!(
///     anxin_gs1::epc_to_digital_link("urn:epc:id:sgtin:0614141.107346.2017").unwrap(),
///     "https://id.gs1.org/01/10614141073464/21/2017"
/// );
/// ```
pub fn epc_to_digital_link(text: &str) -> Result<String, Gs1Error> {
    let text = text.trim_matches([' ', '\t', '\r', '\n']);
    if !text
        .get(..8)
        .is_some_and(|start| start.eq_ignore_ascii_case("urn:epc:"))
    {
        return Err(Gs1Error::Syntax {
            what: "EPC URN",
            position: 1,
            reason: "expected \"urn:epc:\"",
        });
    }
    Ok(Gs1Key::parse(text)?.to_digital_link())
}

/// Returns the canonical GS1 Digital Link for an EPC URN, a Digital Link on any host, or an
/// element string: host `https://id.gs1.org`, numeric AIs, GTIN padded to 14 digits, query
/// string removed, only the finest level kept (serial over lot, CPV dropped), SGLN
/// extension "0" dropped.
///
/// ```
/// assert_eq!(
///     anxin_gs1::canonical_digital_link("https://example.com/01/9521234543213/10/L1/21/7?17=290101").unwrap(),
///     "https://id.gs1.org/01/09521234543213/21/7"
/// );
/// assert_eq!(
///     anxin_gs1::canonical_digital_link("urn:epc:id:sgln:0614141.12345.0").unwrap(),
///     "https://id.gs1.org/414/0614141123452"
/// );
/// ```
pub fn canonical_digital_link(text: &str) -> Result<String, Gs1Error> {
    Ok(Gs1Key::parse(text)?.to_digital_link())
}

//! [`Gs1Key`], the one type for "any GS1 key", and its three written forms.
//!
//! A key is read from any form (`Gs1Key::parse`) and written to any form: EPC URN,
//! canonical GS1 Digital Link, bracketed element string, raw element string. All forms are
//! derived from one list of (AI, value) elements per key, so they cannot disagree.
//! Parsing of each form lives in its own module (`epc`, `digital_link`, `element_string`);
//! this module only dispatches and builds keys from AI values.

mod compound;
mod digits;

use std::fmt;
use std::str::FromStr;

pub use compound::{Cpi, Cpid, Gdti, Giai, Ginc, Grai, Itip, Lgtin, Pgln, Sgcn, Sgln, Sgtin, Upui};
pub use digits::{Gln, Gsin, Gsrn, Gtin, Sscc};
pub(crate) use digits::{KeyBody13, with_check_digit};

use crate::ai::AiInfo;
use crate::charset::push_dl_encoded;
use crate::element_string::Gs1Data;
use crate::error::{CharacterSet, Gs1Error};
use crate::prefix_table::PrefixTable;
use crate::{digital_link, epc};

/// The canonical GS1 Digital Link host, used for every link this crate writes.
pub const CANONICAL_DL_STEM: &str = "https://id.gs1.org";

/// ASCII 29, the GS character that stands for FNC1 in raw element strings.
pub const GROUP_SEPARATOR: char = '\u{1d}';

/// Any GS1 key this crate reads, at the granularity the input named.
///
/// A GTIN alone is the product (an EPC class written `urn:epc:idpat:sgtin:…*`), an
/// [`Sgtin`] one item, an [`Lgtin`] one batch. Two keys are equal when they identify the
/// same thing, whichever form they were read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Gs1Key {
    /// A trade item (product) without batch or serial: AI 01.
    Gtin(Gtin),
    /// One serialised trade item: AI 01 + 21.
    Sgtin(Sgtin),
    /// One batch or lot of a trade item: AI 01 + 10.
    Lgtin(Lgtin),
    /// A logistic unit: AI 00.
    Sscc(Sscc),
    /// A location, with or without extension: AI 414 (+ 254).
    Sgln(Sgln),
    /// A party (organisation): AI 417.
    Pgln(Pgln),
    /// A returnable asset or asset type: AI 8003.
    Grai(Grai),
    /// An individual asset: AI 8004.
    Giai(Giai),
    /// A service relation, recipient side: AI 8018.
    Gsrn(Gsrn),
    /// A service relation, provider side: AI 8017.
    Gsrnp(Gsrn),
    /// A document type or document: AI 253.
    Gdti(Gdti),
    /// A component or part, optionally serialised: AI 8010 (+ 8011).
    Cpi(Cpi),
    /// A coupon, optionally serialised: AI 255.
    Sgcn(Sgcn),
    /// A consignment: AI 401.
    Ginc(Ginc),
    /// A shipment: AI 402.
    Gsin(Gsin),
    /// A piece of a trade item: AI 8006 (+ 21).
    Itip(Itip),
    /// A unit pack with a third-party extension: AI 01 + 235.
    Upui(Upui),
}

/// Which kind of [`Gs1Key`] a text names, without the key's values: what a check that only
/// asks "one object or a class?" needs (see [`Gs1Key::check`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// [`Gs1Key::Gtin`]
    Gtin,
    /// [`Gs1Key::Sgtin`]
    Sgtin,
    /// [`Gs1Key::Lgtin`]
    Lgtin,
    /// [`Gs1Key::Sscc`]
    Sscc,
    /// [`Gs1Key::Sgln`]
    Sgln,
    /// [`Gs1Key::Pgln`]
    Pgln,
    /// [`Gs1Key::Grai`]
    Grai,
    /// [`Gs1Key::Giai`]
    Giai,
    /// [`Gs1Key::Gsrn`]
    Gsrn,
    /// [`Gs1Key::Gsrnp`]
    Gsrnp,
    /// [`Gs1Key::Gdti`]
    Gdti,
    /// [`Gs1Key::Cpi`]
    Cpi,
    /// [`Gs1Key::Sgcn`]
    Sgcn,
    /// [`Gs1Key::Ginc`]
    Ginc,
    /// [`Gs1Key::Gsin`]
    Gsin,
    /// [`Gs1Key::Itip`]
    Itip,
    /// [`Gs1Key::Upui`]
    Upui,
}

impl Gs1Key {
    /// Reads a key from any form: an EPC URN (`urn:epc:id:…`, `urn:epc:class:lgtin:…`, or a
    /// `urn:epc:idpat:…` pattern that names a single class such as `…sgtin:0614141.107346.*`),
    /// a GS1 Digital Link URI on any host and path prefix, a bracketed element string
    /// (`(01)…(21)…`), a raw one (FNC1 as ASCII 29, optional symbology prefix `]d2`, `]Q3`, `]C1`),
    /// or a bare GTIN of 8, 12, 13 or 14 digits as a retail scanner sends it.
    ///
    /// From element strings and links the key is the first GS1 key found, at its finest
    /// level: `(01)…(10)…(21)…` gives an [`Sgtin`]. Other data (dates, weights) is
    /// ignored here; read it with [`Gs1Data::parse`].
    ///
    /// ```
    /// use anxin_gs1::Gs1Key;
    /// let from_urn = Gs1Key::parse("urn:epc:id:sgtin:0614141.107346.2017").unwrap();
    /// let from_link = Gs1Key::parse("https://example.com/p/01/10614141073464/21/2017?17=290101").unwrap();
    /// let from_barcode = Gs1Key::parse("]d20110614141073464212017").unwrap();
    /// assert_eq!(from_urn, from_link);
    /// assert_eq!(from_urn, from_barcode);
    /// ```
    pub fn parse(text: &str) -> Result<Gs1Key, Gs1Error> {
        let text = trim_blanks(text);
        // A bare 8, 12, 13 or 14 digit string is what a retail scanner sends for an EAN/UPC
        // symbol. No raw element string that short can hold a key, so it cannot be one.
        if [8, 12, 13, 14].contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
            return Gtin::parse(text).map(Gs1Key::Gtin);
        }
        if starts_with_ignore_case(text, "urn:epc:") {
            epc::parse_key(text)
        } else if starts_with_ignore_case(text, "https://")
            || starts_with_ignore_case(text, "http://")
        {
            digital_link::parse_key(text)
        } else if text.starts_with('(')
            || text.starts_with(']')
            || text.starts_with(GROUP_SEPARATOR)
            || text.starts_with(|ch: char| ch.is_ascii_digit())
        {
            Gs1Data::parse(text)?.key()
        } else {
            Err(Gs1Error::NotRecognised {
                text: text.chars().take(40).collect(),
            })
        }
    }

    /// The kind of key `text` names, with the same verdict and the same error as
    /// [`Gs1Key::parse`] (`Gs1Key::parse(text).map(|key| key.kind())`), but without building
    /// the key for the common EPC URNs and Digital Links (SGTIN, LGTIN, SSCC, SGLN, PGLN,
    /// GTIN written plainly), so nothing is allocated for them. Anything else is parsed in full.
    ///
    /// ```
    /// use anxin_gs1::{Gs1Key, KeyKind};
    /// assert_eq!(Gs1Key::check("urn:epc:id:sgtin:0614141.107346.2017"), Ok(KeyKind::Sgtin));
    /// assert!(Gs1Key::check("https://id.gs1.org/01/09521234543214").is_err());
    /// ```
    pub fn check(text: &str) -> Result<KeyKind, Gs1Error> {
        let trimmed = trim_blanks(text);
        // The fast paths read lower-case scheme names only; `parse` dispatches the same texts
        // to the same modules, so a fast answer is the answer `parse` would give.
        let fast = if trimmed.starts_with("urn:epc:") {
            epc::fast_kind(trimmed)
        } else if trimmed.starts_with("https://") || trimmed.starts_with("http://") {
            digital_link::fast_kind(trimmed)
        } else {
            None
        };
        match fast {
            Some(kind) => Ok(kind),
            None => Gs1Key::parse(text).map(|key| key.kind()),
        }
    }

    /// The kind of this key.
    pub fn kind(&self) -> KeyKind {
        match self {
            Gs1Key::Gtin(_) => KeyKind::Gtin,
            Gs1Key::Sgtin(_) => KeyKind::Sgtin,
            Gs1Key::Lgtin(_) => KeyKind::Lgtin,
            Gs1Key::Sscc(_) => KeyKind::Sscc,
            Gs1Key::Sgln(_) => KeyKind::Sgln,
            Gs1Key::Pgln(_) => KeyKind::Pgln,
            Gs1Key::Grai(_) => KeyKind::Grai,
            Gs1Key::Giai(_) => KeyKind::Giai,
            Gs1Key::Gsrn(_) => KeyKind::Gsrn,
            Gs1Key::Gsrnp(_) => KeyKind::Gsrnp,
            Gs1Key::Gdti(_) => KeyKind::Gdti,
            Gs1Key::Cpi(_) => KeyKind::Cpi,
            Gs1Key::Sgcn(_) => KeyKind::Sgcn,
            Gs1Key::Ginc(_) => KeyKind::Ginc,
            Gs1Key::Gsin(_) => KeyKind::Gsin,
            Gs1Key::Itip(_) => KeyKind::Itip,
            Gs1Key::Upui(_) => KeyKind::Upui,
        }
    }

    /// The key as an EPC URN.
    ///
    /// The company prefix length comes from the text the key was read from when that was
    /// an EPC URN, and from `table` otherwise. A GTIN alone becomes the pattern
    /// `urn:epc:idpat:sgtin:…*`, an [`Lgtin`] a class URN `urn:epc:class:lgtin:…`.
    pub fn to_epc_urn(&self, table: &PrefixTable) -> Result<String, Gs1Error> {
        epc::write_urn(self, table)
    }

    /// The key as a canonical GS1 Digital Link URI: host `https://id.gs1.org`, numeric AIs,
    /// GTIN as 14 digits, no query string, values percent-encoded as the Digital Link grammar asks.
    pub fn to_digital_link(&self) -> String {
        let mut out = String::with_capacity(64);
        self.write_digital_link(&mut out);
        out
    }

    /// Appends the canonical Digital Link to `out`, for callers that reuse a buffer.
    pub fn write_digital_link(&self, out: &mut String) {
        out.push_str(CANONICAL_DL_STEM);
        self.for_each_element(&mut |ai, pieces| {
            out.push('/');
            out.push_str(ai);
            out.push('/');
            for piece in pieces {
                push_dl_encoded(out, piece);
            }
        });
    }

    /// The key as a bracketed element string, the form printed under a barcode:
    /// `(01)10614141073464(21)2017`. A `(` inside a value is written `\(`.
    pub fn to_element_string(&self) -> String {
        let mut out = String::with_capacity(48);
        self.for_each_element(&mut |ai, pieces| {
            out.push('(');
            out.push_str(ai);
            out.push(')');
            for piece in pieces {
                crate::element_string::push_bracketed_value(&mut out, piece);
            }
        });
        out
    }

    /// The key as a raw element string, as a barcode carries it: AIs and values run
    /// together, with a GS (ASCII 29) after every value that needs an FNC1 and is not last.
    pub fn to_raw_element_string(&self) -> String {
        let mut out = String::with_capacity(48);
        let mut separator_due = false;
        self.for_each_element(&mut |ai, pieces| {
            if separator_due {
                out.push(GROUP_SEPARATOR);
            }
            out.push_str(ai);
            for piece in pieces {
                out.push_str(piece);
            }
            separator_due = AiInfo::lookup(ai).is_some_and(|info| info.needs_fnc1());
        });
        out
    }

    /// The EPC scheme name of the key's URN (`"sgtin"`, `"lgtin"`, `"sscc"`, …).
    pub fn scheme(&self) -> &'static str {
        epc::scheme_of(self).name()
    }

    /// The company prefix length that an EPC URN of this key would use.
    pub fn company_prefix_len(&self, table: &PrefixTable) -> Result<usize, Gs1Error> {
        epc::company_prefix_len(self, table)
    }

    /// Calls `emit` with each (AI, value) element of the key, in Digital Link path order.
    /// A value is given in pieces to be concatenated, so that no piece needs allocating.
    pub(crate) fn for_each_element(&self, emit: &mut dyn FnMut(&'static str, &[&str])) {
        match self {
            Gs1Key::Gtin(gtin) => emit("01", &[gtin.as_str()]),
            Gs1Key::Sgtin(sgtin) => {
                emit("01", &[sgtin.gtin().as_str()]);
                emit("21", &[sgtin.serial()]);
            }
            Gs1Key::Lgtin(lgtin) => {
                emit("01", &[lgtin.gtin().as_str()]);
                emit("10", &[lgtin.lot()]);
            }
            Gs1Key::Sscc(sscc) => emit("00", &[sscc.as_str()]),
            Gs1Key::Sgln(sgln) => {
                emit("414", &[sgln.gln().as_str()]);
                if let Some(extension) = sgln.extension() {
                    emit("254", &[extension]);
                }
            }
            Gs1Key::Pgln(pgln) => emit("417", &[pgln.gln().as_str()]),
            Gs1Key::Grai(grai) => emit(
                "8003",
                &["0", grai.asset_type(), grai.serial().unwrap_or("")],
            ),
            Gs1Key::Giai(giai) => emit("8004", &[giai.as_str()]),
            Gs1Key::Gsrn(gsrn) => emit("8018", &[gsrn.as_str()]),
            Gs1Key::Gsrnp(gsrn) => emit("8017", &[gsrn.as_str()]),
            Gs1Key::Gdti(gdti) => emit("253", &[gdti.document_type(), gdti.serial().unwrap_or("")]),
            Gs1Key::Cpi(cpi) => {
                emit("8010", &[cpi.cpid().as_str()]);
                if let Some(serial) = cpi.serial() {
                    emit("8011", &[serial]);
                }
            }
            Gs1Key::Sgcn(sgcn) => emit("255", &[sgcn.coupon(), sgcn.serial().unwrap_or("")]),
            Gs1Key::Ginc(ginc) => emit("401", &[ginc.as_str()]),
            Gs1Key::Gsin(gsin) => emit("402", &[gsin.as_str()]),
            Gs1Key::Itip(itip) => {
                let piece_total = itip.piece_total();
                emit("8006", &[itip.gtin().as_str(), &piece_total]);
                if let Some(serial) = itip.serial() {
                    emit("21", &[serial]);
                }
            }
            Gs1Key::Upui(upui) => {
                emit("01", &[upui.gtin().as_str()]);
                emit("235", &[upui.tpx()]);
            }
        }
    }
}

/// The AIs that can be the primary key of a GS1 Digital Link or element string, and the
/// qualifiers each takes, in the order a Digital Link path must give them.
pub(crate) fn qualifiers_of(primary_ai: &str) -> Option<&'static [&'static str]> {
    Some(match primary_ai {
        "01" => &["22", "10", "21", "235"],
        "8006" => &["22", "10", "21"],
        "8010" => &["8011"],
        "414" => &["254"],
        "00" | "417" | "8017" | "8018" | "255" | "253" | "401" | "402" | "8003" | "8004" => &[],
        _ => return None,
    })
}

/// Splits `value` after its first `n` characters, which must be digits.
fn split_digits<'a>(
    value: &'a str,
    n: usize,
    what: &'static str,
) -> Result<(&'a str, &'a str), Gs1Error> {
    for (idx, ch) in value.chars().take(n).enumerate() {
        if !ch.is_ascii_digit() {
            return Err(Gs1Error::BadCharacter {
                what,
                found: ch,
                position: idx + 1,
                charset: CharacterSet::Numeric,
            });
        }
    }
    if value.len() < n {
        return Err(Gs1Error::WrongLength {
            what,
            text: value.to_owned(),
            found: value.len(),
            expected: "more",
        });
    }
    Ok(value.split_at(n))
}

/// Builds a key from its primary AI, that AI's value, and a lookup of qualifier values.
///
/// Values are the plain (decoded) AI values. `qualifier` answers for the AIs in
/// [`qualifiers_of`]; the key takes the finest granularity they allow (serial over lot).
pub(crate) fn key_from_ai(
    primary_ai: &str,
    value: &str,
    qualifier: &dyn Fn(&str) -> Option<String>,
) -> Result<Gs1Key, Gs1Error> {
    let optional = |rest: &str| -> Option<String> { (!rest.is_empty()).then(|| rest.to_owned()) };
    Ok(match primary_ai {
        "00" => Gs1Key::Sscc(Sscc::parse(value)?),
        "01" => {
            let gtin = Gtin::parse(value)?;
            if let Some(serial) = qualifier("21") {
                Gs1Key::Sgtin(Sgtin::new(gtin, &serial)?)
            } else if let Some(lot) = qualifier("10") {
                Gs1Key::Lgtin(Lgtin::new(gtin, &lot)?)
            } else if let Some(tpx) = qualifier("235") {
                Gs1Key::Upui(Upui::new(gtin, &tpx)?)
            } else {
                Gs1Key::Gtin(gtin)
            }
        }
        "8006" => {
            let (gtin, piece_total) = split_digits(value, 14, "ITIP")?;
            let (piece, total) = Itip::parse_piece_total(piece_total)?;
            let serial = qualifier("21");
            Gs1Key::Itip(Itip::new(
                Gtin::parse(gtin)?,
                piece,
                total,
                serial.as_deref(),
            )?)
        }
        "8010" => {
            let serial = qualifier("8011");
            Gs1Key::Cpi(Cpi::new(Cpid::new(value)?, serial.as_deref())?)
        }
        "414" => {
            let extension = qualifier("254");
            Gs1Key::Sgln(Sgln::new(Gln::parse(value)?, extension.as_deref())?)
        }
        "417" => Gs1Key::Pgln(Pgln::new(Gln::parse(value)?)),
        "8017" => Gs1Key::Gsrnp(Gsrn::parse(value)?),
        "8018" => Gs1Key::Gsrn(Gsrn::parse(value)?),
        "255" => {
            let (coupon, serial) = split_digits(value, 13, "GCN")?;
            Gs1Key::Sgcn(Sgcn::from_parts(
                KeyBody13::parse_as(coupon, "GCN")?,
                optional(serial).as_deref(),
            )?)
        }
        "253" => {
            let (document_type, serial) = split_digits(value, 13, "GDTI")?;
            let document_type = KeyBody13::parse_as(document_type, "GDTI document type")?;
            Gs1Key::Gdti(Gdti::from_parts(
                document_type,
                optional(serial).as_deref(),
            )?)
        }
        "401" => Gs1Key::Ginc(Ginc::new(value)?),
        "402" => Gs1Key::Gsin(Gsin::parse(value)?),
        "8003" => {
            let (zero_and_type, serial) = split_digits(value, 14, "GRAI")?;
            if !zero_and_type.starts_with('0') {
                return Err(Gs1Error::Syntax {
                    what: "GRAI",
                    position: 1,
                    reason: "AI (8003) starts with a 0",
                });
            }
            let asset_type = KeyBody13::parse_as(&zero_and_type[1..], "GRAI asset type")?;
            Gs1Key::Grai(Grai::from_parts(asset_type, optional(serial).as_deref())?)
        }
        "8004" => Gs1Key::Giai(Giai::new(value)?),
        _ => return Err(Gs1Error::NoKey { what: "AI" }),
    })
}

/// `text` without leading and trailing spaces, tabs, carriage returns and line feeds.
///
/// It does what `trim_matches([' ', '\t', '\r', '\n'])` does, on bytes: these are all ASCII,
/// so a cut next to one is always at a character boundary.
fn trim_blanks(text: &str) -> &str {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |at| at + 1);
    text.get(start..end).unwrap_or("")
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    // Prefixes nearly always come in the lower case they are written in; compare exactly first.
    text.starts_with(prefix)
        || text
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

impl fmt::Display for Gs1Key {
    /// Writes the canonical GS1 Digital Link.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_digital_link())
    }
}

impl FromStr for Gs1Key {
    type Err = Gs1Error;

    fn from_str(text: &str) -> Result<Gs1Key, Gs1Error> {
        Gs1Key::parse(text)
    }
}

/// Serialises as the canonical GS1 Digital Link, which needs no prefix table and has one
/// spelling per key; deserialises from any form [`Gs1Key::parse`] reads.
impl serde::Serialize for Gs1Key {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_digital_link())
    }
}

impl<'de> serde::Deserialize<'de> for Gs1Key {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Gs1Key, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Gs1Key::parse(&text).map_err(serde::de::Error::custom)
    }
}

macro_rules! key_variant_conversions {
    ($($variant:ident),*) => {$(
        impl From<$variant> for Gs1Key {
            fn from(key: $variant) -> Gs1Key {
                Gs1Key::$variant(key)
            }
        }

        impl fmt::Display for $variant {
            /// Writes the canonical GS1 Digital Link.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&Gs1Key::from(self.clone()).to_digital_link())
            }
        }

        impl FromStr for $variant {
            type Err = Gs1Error;

            /// Reads any form [`Gs1Key::parse`] reads, as long as it names this kind of key.
            fn from_str(text: &str) -> Result<$variant, Gs1Error> {
                match Gs1Key::parse(text)? {
                    Gs1Key::$variant(key) => Ok(key),
                    other => Err(Gs1Error::NoSuchForm {
                        what: stringify!($variant),
                        form: "text",
                        reason: wrong_kind(&other),
                    }),
                }
            }
        }

        /// Serialises as the canonical GS1 Digital Link.
        impl serde::Serialize for $variant {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.to_string())
            }
        }

        impl<'de> serde::Deserialize<'de> for $variant {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$variant, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}

key_variant_conversions!(
    Sgtin, Lgtin, Sgln, Pgln, Grai, Giai, Gdti, Cpi, Sgcn, Ginc, Itip, Upui
);

fn wrong_kind(key: &Gs1Key) -> &'static str {
    match key {
        Gs1Key::Gtin(_) => "the text names a GTIN",
        Gs1Key::Sgtin(_) => "the text names an SGTIN",
        Gs1Key::Lgtin(_) => "the text names an LGTIN",
        Gs1Key::Sscc(_) => "the text names an SSCC",
        Gs1Key::Sgln(_) => "the text names a GLN",
        Gs1Key::Pgln(_) => "the text names a party GLN",
        Gs1Key::Grai(_) => "the text names a GRAI",
        Gs1Key::Giai(_) => "the text names a GIAI",
        Gs1Key::Gsrn(_) | Gs1Key::Gsrnp(_) => "the text names a GSRN",
        Gs1Key::Gdti(_) => "the text names a GDTI",
        Gs1Key::Cpi(_) => "the text names a CPI",
        Gs1Key::Sgcn(_) => "the text names a GCN",
        Gs1Key::Ginc(_) => "the text names a GINC",
        Gs1Key::Gsin(_) => "the text names a GSIN",
        Gs1Key::Itip(_) => "the text names an ITIP",
        Gs1Key::Upui(_) => "the text names a UPUI",
    }
}

#[cfg(test)]
mod trim_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn trimming_blanks_on_bytes_is_trimming_the_four_characters(
            text in "[ \t\r\n\u{b}\u{c}aé]{0,8}"
        ) {
            prop_assert_eq!(trim_blanks(&text), text.trim_matches([' ', '\t', '\r', '\n']));
        }
    }
}

//! EPC URNs (GS1 EPC Tag Data Standard 2.x, section 6): pure-identity URNs
//! (`urn:epc:id:sgtin:0614141.107346.2017`), the LGTIN class URN
//! (`urn:epc:class:lgtin:4012345.012345.998877`) and id patterns (`urn:epc:idpat:sgtin:0614141.*.*`).
//!
//! A URN splits the key at the end of the company prefix; the digits are rearranged the way
//! the Tag Data Standard and the EPCIS event-hash reference (`dl_normaliser.py`) do: for a GTIN
//! the indicator digit leads the item reference, for an SSCC the extension digit leads the
//! serial reference, and the check digit is recomputed. Writing a URN for a key read from
//! another form needs the company prefix length, from the key's memory of a URN or from a
//! [`PrefixTable`]. This module does not read tag binary encodings or `urn:epc:tag:` URNs.

use std::fmt;

use crate::charset::{
    is_cset39, is_plain_cset82, percent_decode, push_urn_escaped, push_urn_escaped_cset39,
    urn_unescape, validate,
};
use crate::check_digit::{all_digits, fill_check_digit};
use crate::error::{CharacterSet, Gs1Error};
use crate::keys::{
    Cpi, Cpid, Gdti, Giai, Ginc, Gln, Grai, Gs1Key, Gsin, Gsrn, Gtin, Itip, KeyBody13, KeyKind,
    Lgtin, Pgln, Sgcn, Sgln, Sgtin, Sscc, Upui, with_check_digit,
};
use crate::prefix_table::PrefixTable;

/// An EPC scheme: the word after `urn:epc:id:` (or `class:`, `idpat:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EpcScheme {
    /// Serialised GTIN.
    Sgtin,
    /// GTIN plus batch/lot, a class (`urn:epc:class:lgtin:`).
    Lgtin,
    /// Serial Shipping Container Code.
    Sscc,
    /// GLN with extension.
    Sgln,
    /// Global Returnable Asset Identifier.
    Grai,
    /// Global Individual Asset Identifier.
    Giai,
    /// Global Service Relation Number, recipient.
    Gsrn,
    /// Global Service Relation Number, provider.
    Gsrnp,
    /// Global Document Type Identifier.
    Gdti,
    /// Component/Part Identifier.
    Cpi,
    /// Serialised Global Coupon Number.
    Sgcn,
    /// Global Identification Number for Consignment.
    Ginc,
    /// Global Shipment Identification Number.
    Gsin,
    /// Individual Trade Item Piece.
    Itip,
    /// Unit Pack Identifier.
    Upui,
    /// Party GLN.
    Pgln,
}

const ALL_SCHEMES: [EpcScheme; 16] = [
    EpcScheme::Sgtin,
    EpcScheme::Lgtin,
    EpcScheme::Sscc,
    EpcScheme::Sgln,
    EpcScheme::Grai,
    EpcScheme::Giai,
    EpcScheme::Gsrn,
    EpcScheme::Gsrnp,
    EpcScheme::Gdti,
    EpcScheme::Cpi,
    EpcScheme::Sgcn,
    EpcScheme::Ginc,
    EpcScheme::Gsin,
    EpcScheme::Itip,
    EpcScheme::Upui,
    EpcScheme::Pgln,
];

impl EpcScheme {
    /// The scheme's name as written in URNs, e.g. `"sgtin"`.
    pub fn name(self) -> &'static str {
        match self {
            EpcScheme::Sgtin => "sgtin",
            EpcScheme::Lgtin => "lgtin",
            EpcScheme::Sscc => "sscc",
            EpcScheme::Sgln => "sgln",
            EpcScheme::Grai => "grai",
            EpcScheme::Giai => "giai",
            EpcScheme::Gsrn => "gsrn",
            EpcScheme::Gsrnp => "gsrnp",
            EpcScheme::Gdti => "gdti",
            EpcScheme::Cpi => "cpi",
            EpcScheme::Sgcn => "sgcn",
            EpcScheme::Ginc => "ginc",
            EpcScheme::Gsin => "gsin",
            EpcScheme::Itip => "itip",
            EpcScheme::Upui => "upui",
            EpcScheme::Pgln => "pgln",
        }
    }

    fn from_name(name: &str) -> Option<EpcScheme> {
        ALL_SCHEMES
            .into_iter()
            .find(|scheme| scheme.name().eq_ignore_ascii_case(name))
    }

    /// How many dot-separated fields the scheme's URN body has.
    fn n_fields(self) -> usize {
        match self {
            EpcScheme::Sscc
            | EpcScheme::Giai
            | EpcScheme::Gsrn
            | EpcScheme::Gsrnp
            | EpcScheme::Ginc
            | EpcScheme::Gsin
            | EpcScheme::Pgln => 2,
            EpcScheme::Itip => 5,
            _ => 3,
        }
    }

    /// The digit count of the second field for a company prefix of `gcp_len` digits, when fixed.
    fn reference_len(self, gcp_len: usize) -> Option<usize> {
        match self {
            EpcScheme::Sgtin | EpcScheme::Lgtin | EpcScheme::Itip | EpcScheme::Upui => {
                13usize.checked_sub(gcp_len)
            }
            EpcScheme::Sscc | EpcScheme::Gsrn | EpcScheme::Gsrnp => 17usize.checked_sub(gcp_len),
            EpcScheme::Gsin => 16usize.checked_sub(gcp_len),
            EpcScheme::Sgln
            | EpcScheme::Pgln
            | EpcScheme::Grai
            | EpcScheme::Gdti
            | EpcScheme::Sgcn => 12usize.checked_sub(gcp_len),
            EpcScheme::Giai | EpcScheme::Ginc | EpcScheme::Cpi => None,
        }
    }
}

impl fmt::Display for EpcScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The three kinds of EPC URN this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UrnKind {
    Id,
    Class,
    IdPattern,
}

/// A URN split into its kind, scheme and raw (still escaped) fields, with byte offsets.
struct RawUrn<'a> {
    text: &'a str,
    kind: UrnKind,
    scheme: EpcScheme,
    fields: Vec<(&'a str, usize)>,
}

impl RawUrn<'_> {
    /// A syntax error at byte offset `at` of the URN.
    fn error(&self, at: usize, reason: &'static str) -> Gs1Error {
        Gs1Error::Syntax {
            what: "EPC URN",
            position: char_position(self.text, at),
            reason,
        }
    }
}

/// The position, from 1, of the character at byte offset `at`.
pub(crate) fn char_position(text: &str, at: usize) -> usize {
    text.get(..at).map_or(at, |before| before.chars().count()) + 1
}

fn split_urn(text: &str) -> Result<RawUrn<'_>, Gs1Error> {
    let syntax = |at: usize, reason| Gs1Error::Syntax {
        what: "EPC URN",
        position: char_position(text, at),
        reason,
    };
    const START: usize = "urn:epc:".len();
    let after = text
        .get(START..)
        .ok_or_else(|| syntax(0, "expected \"urn:epc:\""))?;
    let (kind, kind_len) = if let Some(rest) = strip_prefix_ignore_case(after, "id:") {
        (UrnKind::Id, after.len() - rest.len())
    } else if let Some(rest) = strip_prefix_ignore_case(after, "class:") {
        (UrnKind::Class, after.len() - rest.len())
    } else if let Some(rest) = strip_prefix_ignore_case(after, "idpat:") {
        (UrnKind::IdPattern, after.len() - rest.len())
    } else {
        return Err(syntax(START, "expected \"id:\", \"class:\" or \"idpat:\""));
    };
    let scheme_at = START + kind_len;
    let rest = &text[scheme_at..];
    let (scheme_name, body) = rest
        .split_once(':')
        .ok_or_else(|| syntax(scheme_at, "expected a scheme name and ':'"))?;
    let scheme = EpcScheme::from_name(scheme_name).ok_or_else(|| Gs1Error::UnsupportedScheme {
        scheme: scheme_name.chars().take(20).collect(),
    })?;
    if (kind == UrnKind::Class) != (scheme == EpcScheme::Lgtin) {
        return Err(syntax(
            scheme_at,
            "lgtin is the only class URN, and it is only a class URN",
        ));
    }
    let body_at = scheme_at + scheme_name.len() + 1;
    let n_fields = scheme.n_fields();
    let mut fields = Vec::with_capacity(n_fields);
    let mut offset = body_at;
    for field in body.splitn(n_fields, '.') {
        fields.push((field, offset));
        offset += field.len() + 1;
    }
    if fields.len() != n_fields {
        return Err(syntax(
            text.len(),
            match n_fields {
                2 => "expected 2 dot-separated parts after the scheme",
                5 => "expected 5 dot-separated parts after the scheme",
                _ => "expected 3 dot-separated parts after the scheme",
            },
        ));
    }
    Ok(RawUrn {
        text,
        kind,
        scheme,
        fields,
    })
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let start = text.get(..prefix.len())?;
    start
        .eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Reads a pure-identity or class URN, or an id pattern that names a single class.
pub(crate) fn parse_key(text: &str) -> Result<Gs1Key, Gs1Error> {
    match fast_key(text) {
        Some(key) => Ok(key),
        None => parse_key_general(text),
    }
}

/// Reads the URNs that make up nearly every EPCIS event (SGTIN, LGTIN, SSCC, SGLN and PGLN),
/// when written in lower case with plain values; `None` for anything else.
///
/// Every EPC of every captured event is parsed, so this avoids what the general parser
/// allocates: it splits the URN with slices, builds the key digits in a stack array and
/// computes the check digit in place. It declines (returns `None`) whenever the general
/// parser could answer otherwise than with this key, which includes every error, so results
/// and error messages stay the general parser's. A property test compares the two.
fn fast_key(text: &str) -> Option<Gs1Key> {
    let FastUrn {
        scheme,
        gcp,
        reference,
        last,
    } = fast_fields(text)?;
    let gcp_len = gcp.len();
    let gtin = || {
        // The indicator digit leads the item reference; it moves to the front of the GTIN.
        let mut digits = [0u8; 14];
        digits[0] = reference[0];
        digits[1..=gcp_len].copy_from_slice(gcp);
        digits[1 + gcp_len..13].copy_from_slice(&reference[1..]);
        fill_check_digit(&mut digits);
        Gtin::from_array(digits).with_prefix_hint(gcp_len)
    };
    let gln = || {
        let mut digits = [0u8; 13];
        digits[..gcp_len].copy_from_slice(gcp);
        digits[gcp_len..12].copy_from_slice(reference);
        fill_check_digit(&mut digits);
        Gln::from_array(digits).with_prefix_hint(gcp_len)
    };
    Some(match scheme {
        EpcScheme::Sgtin => Gs1Key::Sgtin(Sgtin::new(gtin(), last).ok()?),
        EpcScheme::Lgtin => Gs1Key::Lgtin(Lgtin::new(gtin(), last).ok()?),
        EpcScheme::Sgln => Gs1Key::Sgln(Sgln::new(gln(), Some(last)).ok()?),
        EpcScheme::Pgln => Gs1Key::Pgln(Pgln::new(gln())),
        EpcScheme::Sscc => {
            // The extension digit leads the serial reference; it moves to the front of the SSCC.
            let mut digits = [0u8; 18];
            digits[0] = reference[0];
            digits[1..=gcp_len].copy_from_slice(gcp);
            digits[1 + gcp_len..17].copy_from_slice(&reference[1..]);
            fill_check_digit(&mut digits);
            Gs1Key::Sscc(Sscc::from_array(digits).with_prefix_hint(gcp_len))
        }
        _ => return None,
    })
}

/// The kind of key [`fast_key`] would build from `text`, without building it: `None` exactly
/// when `fast_key` declines. Validation only needs to know which kind of key an EPC is, and
/// building one allocates its serial or lot.
pub(crate) fn fast_kind(text: &str) -> Option<KeyKind> {
    Some(match fast_fields(text)?.scheme {
        EpcScheme::Sgtin => KeyKind::Sgtin,
        EpcScheme::Lgtin => KeyKind::Lgtin,
        EpcScheme::Sgln => KeyKind::Sgln,
        EpcScheme::Pgln => KeyKind::Pgln,
        EpcScheme::Sscc => KeyKind::Sscc,
        _ => return None,
    })
}

/// The fields of a URN the fast path reads, every check made: the company prefix and
/// reference are digits of the right lengths, and the last field (empty for SSCC and PGLN)
/// is a plain value of set 82 that the key's constructor accepts as it is.
struct FastUrn<'a> {
    scheme: EpcScheme,
    gcp: &'a [u8],
    reference: &'a [u8],
    last: &'a str,
}

fn fast_fields(text: &str) -> Option<FastUrn<'_>> {
    let (scheme, body) = match text.strip_prefix("urn:epc:id:") {
        Some(rest) => {
            let (name, body) = split_at_byte(rest, b':')?;
            let scheme = match name {
                "sgtin" => EpcScheme::Sgtin,
                "sscc" => EpcScheme::Sscc,
                "sgln" => EpcScheme::Sgln,
                "pgln" => EpcScheme::Pgln,
                _ => return None,
            };
            (scheme, body)
        }
        None => (EpcScheme::Lgtin, text.strip_prefix("urn:epc:class:lgtin:")?),
    };
    let (gcp, rest) = split_at_byte(body, b'.')?;
    let (gcp, gcp_len) = (gcp.as_bytes(), gcp.len());
    if !(6..=12).contains(&gcp_len) || !all_digits(gcp) {
        return None;
    }
    // Two-field schemes end with the reference; the others have one more field after it,
    // which takes the rest of the URN, dots included, as `splitn` does in `split_urn`.
    let (reference, last) = match scheme {
        EpcScheme::Sscc | EpcScheme::Pgln => (rest, ""),
        _ => split_at_byte(rest, b'.')?,
    };
    let reference = reference.as_bytes();
    if reference.len() != scheme.reference_len(gcp_len)?
        || !reference.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    // A plain value is its own unescaping, and passes every check the key's constructor makes.
    if matches!(
        scheme,
        EpcScheme::Sgtin | EpcScheme::Lgtin | EpcScheme::Sgln
    ) && !is_plain_cset82(last.as_bytes(), 20, true)
    {
        return None;
    }
    Some(FastUrn {
        scheme,
        gcp,
        reference,
        last,
    })
}

/// Splits `text` around the first `byte`, an ASCII byte, or `None` when it has none.
///
/// The fields of a URN are a few bytes long, where a plain loop beats `str::split_once`'s
/// searcher.
fn split_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == byte)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// Reads any URN [`parse_key`] accepts, the general way, with the full error messages.
fn parse_key_general(text: &str) -> Result<Gs1Key, Gs1Error> {
    let urn = split_urn(text)?;
    if urn.kind == UrnKind::IdPattern {
        let pattern = EpcPattern::from_raw(&urn)?;
        return pattern.to_key().ok_or_else(|| Gs1Error::PatternNotAKey {
            text: text.to_owned(),
        });
    }
    key_from_fields(&urn, urn.fields.len())
}

/// Checks the company prefix field and returns its length.
fn company_prefix<'a>(urn: &RawUrn<'a>) -> Result<&'a str, Gs1Error> {
    let (gcp, at) = urn.fields[0];
    if gcp.len() < 6 || gcp.len() > 12 || !gcp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(urn.error(at, "expected a company prefix of 6 to 12 digits"));
    }
    Ok(gcp)
}

/// Checks the all-digit reference field that follows the company prefix.
fn reference<'a>(urn: &RawUrn<'a>, gcp_len: usize) -> Result<&'a str, Gs1Error> {
    let (field, at) = urn.fields[1];
    let expected = urn.scheme.reference_len(gcp_len).unwrap_or(0);
    if !field.bytes().all(|b| b.is_ascii_digit()) {
        return Err(urn.error(at, "expected the reference to be digits"));
    }
    if field.len() != expected {
        return Err(urn.error(
            at,
            "the reference's length does not complete the key for this company prefix length",
        ));
    }
    Ok(field)
}

/// Builds the key from the first `n_given` fields of a URN; when fewer than all are given the
/// last field is left open and the key is the class (GTIN, GRAI or GDTI without serial, …).
fn key_from_fields(urn: &RawUrn<'_>, n_given: usize) -> Result<Gs1Key, Gs1Error> {
    let gcp = company_prefix(urn)?;
    let gcp_len = gcp.len();
    let last = |what: &'static str, max: usize| -> Result<Option<String>, Gs1Error> {
        if n_given < urn.fields.len() {
            return Ok(None);
        }
        let (field, _) = urn.fields[urn.fields.len() - 1];
        urn_unescape(field, max, what).map(|value| Some(value.into_owned()))
    };
    let digits_last = |what: &'static str| -> Result<Option<String>, Gs1Error> {
        if n_given < urn.fields.len() {
            return Ok(None);
        }
        let (field, _) = urn.fields[urn.fields.len() - 1];
        validate(field, CharacterSet::Numeric, 12, what)?;
        Ok(Some(field.to_owned()))
    };
    let gtin = || -> Result<Gtin, Gs1Error> {
        let item_reference = reference(urn, gcp_len)?;
        let body = format!("{}{gcp}{}", &item_reference[..1], &item_reference[1..]);
        Ok(Gtin::from_body(&body)?.with_prefix_hint(gcp_len))
    };
    let body13 = |what: &'static str| -> Result<KeyBody13, Gs1Error> {
        let reference = reference(urn, gcp_len)?;
        Ok(
            KeyBody13::parse_as(&with_check_digit(&format!("{gcp}{reference}")), what)?
                .with_prefix_hint(gcp_len),
        )
    };
    let value_after_prefix = |max: usize, what: &'static str| -> Result<String, Gs1Error> {
        let (field, _) = urn.fields[1];
        let reference = urn_unescape(field, max.saturating_sub(gcp_len), what)?;
        Ok(format!("{gcp}{reference}"))
    };
    Ok(match urn.scheme {
        EpcScheme::Sgtin => match last("serial", 20)? {
            Some(serial) => Gs1Key::Sgtin(Sgtin::new(gtin()?, &serial)?),
            None => Gs1Key::Gtin(gtin()?),
        },
        EpcScheme::Lgtin => Gs1Key::Lgtin(Lgtin::new(
            gtin()?,
            &last("batch/lot", 20)?.unwrap_or_default(),
        )?),
        EpcScheme::Upui => match last("third-party extension", 28)? {
            Some(tpx) => Gs1Key::Upui(Upui::new(gtin()?, &tpx)?),
            None => Gs1Key::Gtin(gtin()?),
        },
        EpcScheme::Itip => {
            let two_digits = |idx: usize| -> Result<u8, Gs1Error> {
                let (field, at) = urn.fields[idx];
                match (field.len(), field.parse::<u8>()) {
                    (2, Ok(value)) if field.bytes().all(|b| b.is_ascii_digit()) => Ok(value),
                    _ => Err(urn.error(at, "expected two digits")),
                }
            };
            let serial = last("serial", 20)?;
            Gs1Key::Itip(Itip::new(
                gtin()?,
                two_digits(2)?,
                two_digits(3)?,
                serial.as_deref(),
            )?)
        }
        EpcScheme::Sscc => {
            let serial_reference = reference(urn, gcp_len)?;
            let body = format!("{}{gcp}{}", &serial_reference[..1], &serial_reference[1..]);
            Gs1Key::Sscc(Sscc::parse(&with_check_digit(&body))?.with_prefix_hint(gcp_len))
        }
        EpcScheme::Sgln => {
            let location_reference = reference(urn, gcp_len)?;
            let gln = Gln::parse(&with_check_digit(&format!("{gcp}{location_reference}")))?
                .with_prefix_hint(gcp_len);
            Gs1Key::Sgln(Sgln::new(gln, last("GLN extension", 20)?.as_deref())?)
        }
        EpcScheme::Pgln => {
            let party_reference = reference(urn, gcp_len)?;
            let gln = Gln::parse(&with_check_digit(&format!("{gcp}{party_reference}")))?
                .with_prefix_hint(gcp_len);
            Gs1Key::Pgln(Pgln::new(gln))
        }
        EpcScheme::Grai => Gs1Key::Grai(Grai::from_parts(
            body13("GRAI asset type")?,
            last("GRAI serial", 16)?.as_deref(),
        )?),
        EpcScheme::Gdti => Gs1Key::Gdti(Gdti::from_parts(
            body13("GDTI document type")?,
            last("GDTI serial", 17)?.as_deref(),
        )?),
        EpcScheme::Sgcn => Gs1Key::Sgcn(Sgcn::from_parts(
            body13("GCN")?,
            digits_last("GCN serial")?.as_deref(),
        )?),
        EpcScheme::Gsrn | EpcScheme::Gsrnp => {
            let service_reference = reference(urn, gcp_len)?;
            let gsrn = Gsrn::parse(&with_check_digit(&format!("{gcp}{service_reference}")))?
                .with_prefix_hint(gcp_len);
            if urn.scheme == EpcScheme::Gsrn {
                Gs1Key::Gsrn(gsrn)
            } else {
                Gs1Key::Gsrnp(gsrn)
            }
        }
        EpcScheme::Gsin => {
            let shipper_reference = reference(urn, gcp_len)?;
            Gs1Key::Gsin(
                Gsin::parse(&with_check_digit(&format!("{gcp}{shipper_reference}")))?
                    .with_prefix_hint(gcp_len),
            )
        }
        EpcScheme::Giai => Gs1Key::Giai(
            Giai::new(&value_after_prefix(30, "GIAI asset reference")?)?.with_prefix_hint(gcp_len),
        ),
        EpcScheme::Ginc => Gs1Key::Ginc(
            Ginc::new(&value_after_prefix(30, "GINC reference")?)?.with_prefix_hint(gcp_len),
        ),
        EpcScheme::Cpi => {
            let (field, _) = urn.fields[1];
            let part_reference = cpi_unescape(field)?;
            let cpid = Cpid::new(&format!("{gcp}{part_reference}"))?.with_prefix_hint(gcp_len);
            Gs1Key::Cpi(Cpi::new(cpid, digits_last("CPID serial")?.as_deref())?)
        }
    })
}

/// Reads a CPI part reference: literal set-39 characters other than `#` and `/`, which come escaped.
fn cpi_unescape(field: &str) -> Result<String, Gs1Error> {
    const WHAT: &str = "CPI part reference";
    for (idx, ch) in field.chars().enumerate() {
        if ch != '%' && (!is_cset39(ch) || ch == '#' || ch == '/') {
            return Err(Gs1Error::BadCharacter {
                what: WHAT,
                found: ch,
                position: idx + 1,
                charset: CharacterSet::Cset39,
            });
        }
    }
    let value = percent_decode(field, WHAT)?.into_owned();
    validate(&value, CharacterSet::Cset39, 30, WHAT)?;
    Ok(value)
}

/// A key cut into the fields of its EPC URN (values unescaped).
struct EpcParts {
    scheme: EpcScheme,
    fields: Vec<String>,
    /// The key is a class whose URN is a pattern with the last field `*`.
    open: bool,
}

/// The scheme a key's URN uses.
pub(crate) fn scheme_of(key: &Gs1Key) -> EpcScheme {
    match key {
        Gs1Key::Gtin(_) | Gs1Key::Sgtin(_) => EpcScheme::Sgtin,
        Gs1Key::Lgtin(_) => EpcScheme::Lgtin,
        Gs1Key::Sscc(_) => EpcScheme::Sscc,
        Gs1Key::Sgln(_) => EpcScheme::Sgln,
        Gs1Key::Pgln(_) => EpcScheme::Pgln,
        Gs1Key::Grai(_) => EpcScheme::Grai,
        Gs1Key::Giai(_) => EpcScheme::Giai,
        Gs1Key::Gsrn(_) => EpcScheme::Gsrn,
        Gs1Key::Gsrnp(_) => EpcScheme::Gsrnp,
        Gs1Key::Gdti(_) => EpcScheme::Gdti,
        Gs1Key::Cpi(_) => EpcScheme::Cpi,
        Gs1Key::Sgcn(_) => EpcScheme::Sgcn,
        Gs1Key::Ginc(_) => EpcScheme::Ginc,
        Gs1Key::Gsin(_) => EpcScheme::Gsin,
        Gs1Key::Itip(_) => EpcScheme::Itip,
        Gs1Key::Upui(_) => EpcScheme::Upui,
    }
}

/// The digits the prefix table is consulted with, and the remembered length if any.
fn prefix_lookup(key: &Gs1Key) -> (&str, Option<u8>) {
    fn gtin(gtin: &Gtin) -> (&str, Option<u8>) {
        (&gtin.as_str()[1..], gtin.prefix_hint())
    }
    match key {
        Gs1Key::Gtin(g) => gtin(g),
        Gs1Key::Sgtin(k) => gtin(k.gtin()),
        Gs1Key::Lgtin(k) => gtin(k.gtin()),
        Gs1Key::Itip(k) => gtin(k.gtin()),
        Gs1Key::Upui(k) => gtin(k.gtin()),
        Gs1Key::Sscc(k) => (&k.as_str()[1..], k.prefix_hint()),
        Gs1Key::Sgln(k) => (k.gln().as_str(), k.gln().prefix_hint()),
        Gs1Key::Pgln(k) => (k.gln().as_str(), k.gln().prefix_hint()),
        Gs1Key::Grai(k) => (k.asset_type(), k.asset_type_key().prefix_hint()),
        Gs1Key::Gdti(k) => (k.document_type(), k.document_type_key().prefix_hint()),
        Gs1Key::Sgcn(k) => (k.coupon(), k.coupon_key().prefix_hint()),
        Gs1Key::Gsrn(k) | Gs1Key::Gsrnp(k) => (k.as_str(), k.prefix_hint()),
        Gs1Key::Gsin(k) => (k.as_str(), k.prefix_hint()),
        Gs1Key::Giai(k) => (leading_digits(k.as_str()), k.prefix_hint()),
        Gs1Key::Ginc(k) => (leading_digits(k.as_str()), k.prefix_hint()),
        Gs1Key::Cpi(k) => (leading_digits(k.cpid().as_str()), k.cpid().prefix_hint()),
    }
}

fn leading_digits(value: &str) -> &str {
    let end = value
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(value.len());
    &value[..end]
}

/// The company prefix length for the key's URN: remembered, or from the table.
pub(crate) fn company_prefix_len(key: &Gs1Key, table: &PrefixTable) -> Result<usize, Gs1Error> {
    let (digits, hint) = prefix_lookup(key);
    match hint {
        Some(length) => Ok(usize::from(length)),
        None => table.require(digits),
    }
}

/// Cuts `key` into URN fields with a company prefix of `gcp_len` digits.
fn epc_parts(key: &Gs1Key, gcp_len: usize) -> Result<EpcParts, Gs1Error> {
    let scheme = scheme_of(key);
    let (digits, _) = prefix_lookup(key);
    let fits = (6..=12).contains(&gcp_len)
        && match scheme.reference_len(gcp_len) {
            Some(_) => true,
            // Alphanumeric keys need the prefix to be digits and something after it.
            None => digits.len() >= gcp_len && key_value_len(key) > gcp_len,
        };
    if !fits {
        return Err(Gs1Error::PrefixLengthDoesNotFit {
            what: scheme.name(),
            text: digits.to_owned(),
            length: gcp_len,
        });
    }
    let split_gtin = |gtin: &Gtin| -> [String; 2] {
        let digits = gtin.as_str();
        [
            digits[1..=gcp_len].to_owned(),
            format!("{}{}", &digits[..1], &digits[1 + gcp_len..13]),
        ]
    };
    let split13 = |digits: &str| -> [String; 2] {
        [digits[..gcp_len].to_owned(), digits[gcp_len..12].to_owned()]
    };
    let split_value =
        |value: &str| -> [String; 2] { [value[..gcp_len].to_owned(), value[gcp_len..].to_owned()] };
    let with = |first_two: [String; 2], more: &[Option<&str>]| -> (Vec<String>, bool) {
        let mut fields = Vec::from(first_two);
        let mut open = false;
        for field in more {
            match field {
                Some(value) => fields.push((*value).to_owned()),
                None => open = true,
            }
        }
        (fields, open)
    };
    let (fields, open) = match key {
        Gs1Key::Gtin(gtin) => with(split_gtin(gtin), &[None]),
        Gs1Key::Sgtin(k) => with(split_gtin(k.gtin()), &[Some(k.serial())]),
        Gs1Key::Lgtin(k) => with(split_gtin(k.gtin()), &[Some(k.lot())]),
        Gs1Key::Upui(k) => with(split_gtin(k.gtin()), &[Some(k.tpx())]),
        Gs1Key::Itip(k) => {
            let piece = format!("{:02}", k.piece());
            let total = format!("{:02}", k.total());
            with(
                split_gtin(k.gtin()),
                &[Some(&piece), Some(&total), k.serial()],
            )
        }
        Gs1Key::Sscc(k) => {
            let digits = k.as_str();
            with(
                [
                    digits[1..=gcp_len].to_owned(),
                    format!("{}{}", &digits[..1], &digits[1 + gcp_len..17]),
                ],
                &[],
            )
        }
        Gs1Key::Sgln(k) => with(
            split13(k.gln().as_str()),
            &[Some(k.extension().unwrap_or("0"))],
        ),
        Gs1Key::Pgln(k) => with(split13(k.gln().as_str()), &[]),
        Gs1Key::Grai(k) => with(split13(k.asset_type()), &[k.serial()]),
        Gs1Key::Gdti(k) => with(split13(k.document_type()), &[k.serial()]),
        Gs1Key::Sgcn(k) => with(split13(k.coupon()), &[k.serial()]),
        Gs1Key::Gsrn(k) | Gs1Key::Gsrnp(k) => with(
            [
                k.as_str()[..gcp_len].to_owned(),
                k.as_str()[gcp_len..17].to_owned(),
            ],
            &[],
        ),
        Gs1Key::Gsin(k) => with(
            [
                k.as_str()[..gcp_len].to_owned(),
                k.as_str()[gcp_len..16].to_owned(),
            ],
            &[],
        ),
        Gs1Key::Giai(k) => with(split_value(k.as_str()), &[]),
        Gs1Key::Ginc(k) => with(split_value(k.as_str()), &[]),
        Gs1Key::Cpi(k) => with(split_value(k.cpid().as_str()), &[k.serial()]),
    };
    Ok(EpcParts {
        scheme,
        fields,
        open,
    })
}

fn key_value_len(key: &Gs1Key) -> usize {
    match key {
        Gs1Key::Giai(k) => k.as_str().len(),
        Gs1Key::Ginc(k) => k.as_str().len(),
        Gs1Key::Cpi(k) => k.cpid().as_str().len(),
        _ => usize::MAX,
    }
}

/// Writes the key's EPC URN.
pub(crate) fn write_urn(key: &Gs1Key, table: &PrefixTable) -> Result<String, Gs1Error> {
    let parts = epc_parts(key, company_prefix_len(key, table)?)?;
    let mut out = String::with_capacity(64);
    out.push_str(match (parts.scheme, parts.open) {
        (EpcScheme::Lgtin, _) => "urn:epc:class:",
        (_, true) => "urn:epc:idpat:",
        (_, false) => "urn:epc:id:",
    });
    out.push_str(parts.scheme.name());
    out.push(':');
    for (idx, field) in parts.fields.iter().enumerate() {
        if idx > 0 {
            out.push('.');
        }
        if parts.scheme == EpcScheme::Cpi && idx == 1 {
            push_urn_escaped_cset39(&mut out, field);
        } else {
            push_urn_escaped(&mut out, field);
        }
    }
    if parts.open {
        out.push_str(".*");
    }
    Ok(out)
}

/// An EPC id pattern (`urn:epc:idpat:…`): a scheme with its fields given up to some point and
/// `*` from there on. EPCIS uses them in queries and, with only the serial left open, for the
/// product class (`urn:epc:idpat:sgtin:0614141.107346.*` is every item of that GTIN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpcPattern {
    scheme: EpcScheme,
    /// The given fields, unescaped; the rest of the scheme's fields are `*`.
    given: Vec<String>,
    text: String,
}

impl EpcPattern {
    /// Reads an id pattern. Once a field is `*`, every later one must be too.
    ///
    /// ```
    /// use anxin_gs1::{EpcPattern, Gs1Key};
    /// let pattern = EpcPattern::parse("urn:epc:idpat:sgtin:0614141.*.*").unwrap();
    /// assert!(pattern.matches(&Gs1Key::parse("urn:epc:id:sgtin:0614141.107346.2017").unwrap()));
    /// assert!(pattern.to_key().is_none());
    /// ```
    pub fn parse(text: &str) -> Result<EpcPattern, Gs1Error> {
        let urn = split_urn(text)?;
        if urn.kind != UrnKind::IdPattern {
            return Err(urn.error(0, "expected \"urn:epc:idpat:\""));
        }
        EpcPattern::from_raw(&urn)
    }

    fn from_raw(urn: &RawUrn<'_>) -> Result<EpcPattern, Gs1Error> {
        let n_given = urn
            .fields
            .iter()
            .take_while(|(field, _)| *field != "*")
            .count();
        if let Some((_, at)) = urn.fields[n_given..]
            .iter()
            .find(|(field, _)| *field != "*")
        {
            return Err(urn.error(*at, "expected '*': a field after a '*' must be '*' too"));
        }
        if n_given == urn.fields.len() {
            // Nothing open: the pattern is one key, so read it as one to check every field.
            key_from_fields(urn, n_given)?;
        } else if n_given > 0 {
            let gcp_len = company_prefix(urn)?.len();
            if n_given > 1 && urn.scheme.reference_len(gcp_len).is_some() {
                reference(urn, gcp_len)?;
            }
        }
        let mut given = Vec::with_capacity(n_given);
        for (idx, (field, _)) in urn.fields[..n_given].iter().enumerate() {
            let value = if urn.scheme == EpcScheme::Cpi && idx == 1 {
                cpi_unescape(field)?
            } else if idx == 0 || urn.scheme.reference_len(6).is_some() && idx == 1 {
                (*field).to_owned()
            } else {
                urn_unescape(field, 30, "EPC pattern field")?.into_owned()
            };
            given.push(value);
        }
        Ok(EpcPattern {
            scheme: urn.scheme,
            given,
            text: urn.text.to_owned(),
        })
    }

    /// The pattern's scheme.
    pub fn scheme(&self) -> EpcScheme {
        self.scheme
    }

    /// The single key the pattern names, when only its last field (the serial, or the
    /// third-party extension of a UPUI) is open, or nothing is: a GTIN for
    /// `sgtin:0614141.107346.*`, a GRAI asset type for `grai:0614141.12345.*`.
    pub fn to_key(&self) -> Option<Gs1Key> {
        let n_fields = self.scheme.n_fields();
        let urn = split_urn(&self.text).ok()?;
        if self.given.len() == n_fields {
            return key_from_fields(&urn, n_fields).ok();
        }
        let names_a_class = matches!(
            self.scheme,
            EpcScheme::Sgtin
                | EpcScheme::Upui
                | EpcScheme::Grai
                | EpcScheme::Gdti
                | EpcScheme::Sgcn
                | EpcScheme::Cpi
                | EpcScheme::Itip
        );
        (names_a_class && self.given.len() + 1 == n_fields)
            .then(|| key_from_fields(&urn, self.given.len()).ok())?
    }

    /// Whether `key` is one the pattern covers.
    ///
    /// Keys of the pattern's own scheme match when every given field is equal. A GTIN or an
    /// LGTIN also matches an SGTIN pattern whose serial is open (they are that product,
    /// or a batch of it), and a GTIN matches a UPUI pattern whose extension is open.
    pub fn matches(&self, key: &Gs1Key) -> bool {
        let key_scheme = scheme_of(key);
        let comparable = match (self.scheme, key, key_scheme == self.scheme) {
            (_, Gs1Key::Gtin(_), _)
                if matches!(self.scheme, EpcScheme::Sgtin | EpcScheme::Upui) =>
            {
                2
            }
            (EpcScheme::Sgtin, Gs1Key::Lgtin(_), _) => 2,
            (_, _, true) => self.scheme.n_fields(),
            _ => return false,
        };
        if self.given.len() > comparable {
            return false;
        }
        let Some(gcp) = self.given.first() else {
            return true;
        };
        let Ok(parts) = epc_parts(key, gcp.len()) else {
            return false;
        };
        self.given
            .iter()
            .zip(&parts.fields)
            .all(|(given, field)| given == field)
            && self.given.len() <= parts.fields.len()
    }
}

impl fmt::Display for EpcPattern {
    /// Writes the pattern URN as it was read.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for EpcPattern {
    type Err = Gs1Error;

    fn from_str(text: &str) -> Result<EpcPattern, Gs1Error> {
        EpcPattern::parse(text)
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use proptest::prelude::*;

    const PREFIXES: [&str; 12] = [
        "urn:epc:id:sgtin:",
        "urn:epc:id:sscc:",
        "urn:epc:id:sgln:",
        "urn:epc:id:pgln:",
        "urn:epc:class:lgtin:",
        "urn:epc:id:lgtin:",
        "urn:epc:class:sgtin:",
        "URN:EPC:ID:SGTIN:",
        "urn:epc:id:SSCC:",
        "urn:epc:idpat:sgtin:",
        "urn:epc:id:grai:",
        "urn:epc:id:gsrn:",
    ];

    /// URNs near the ones the fast path reads: mostly well formed, with reference lengths a
    /// digit off, odd values, other schemes and one inserted character now and then.
    fn urn_text() -> impl Strategy<Value = String> {
        (
            proptest::sample::select(PREFIXES.to_vec()),
            5usize..=13,
            proptest::sample::select(vec![0i32, 0, 0, 0, -1, 1]),
            "[0-9]{30}",
            proptest::option::of("[0-9A-Za-z%./!*'()_<>?&\"é:# -]{0,22}"),
            proptest::option::weighted(
                0.3,
                (
                    any::<proptest::sample::Index>(),
                    proptest::sample::select(vec!['.', 'a', '%', ' ', '0', ':', 'é', '*', '/']),
                ),
            ),
        )
            .prop_map(|(prefix, gcp_len, delta, digits, last, mutation)| {
                let lower = prefix.to_ascii_lowercase();
                let key_len: i32 = if lower.contains("sscc") || lower.contains("gsrn") {
                    17
                } else if lower.contains("gtin") {
                    13
                } else {
                    12
                };
                let gcp_len_i32 = i32::try_from(gcp_len).unwrap_or(0);
                let ref_len =
                    usize::try_from((key_len - gcp_len_i32 + delta).clamp(0, 17)).unwrap_or(0);
                let mut text = format!(
                    "{prefix}{}.{}",
                    &digits[..gcp_len],
                    &digits[gcp_len..gcp_len + ref_len]
                );
                if let Some(last) = last {
                    text.push('.');
                    text.push_str(&last);
                }
                if let Some((at, ch)) = mutation {
                    let mut chars: Vec<char> = text.chars().collect();
                    chars.insert(at.index(chars.len() + 1), ch);
                    text = chars.into_iter().collect();
                }
                text
            })
    }

    /// The prefix length a key remembers, which key equality ignores.
    fn hint(key: &Result<Gs1Key, Gs1Error>) -> Option<Result<usize, Gs1Error>> {
        key.as_ref()
            .ok()
            .map(|key| key.company_prefix_len(&PrefixTable::empty()))
    }

    #[test]
    fn the_fast_path_reads_the_common_urns() {
        for urn in [
            "urn:epc:id:sgtin:0614141.107346.2017",
            "urn:epc:id:sscc:0614141.1234567890",
            "urn:epc:id:sgln:0614141.12345.400",
            "urn:epc:id:sgln:0614141.12345.0",
            "urn:epc:id:pgln:0614141.12345",
            "urn:epc:class:lgtin:4012345.012345.998877",
        ] {
            let fast = fast_key(urn).expect(urn);
            let general = parse_key_general(urn).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{general:?}"));
            assert_eq!(hint(&Ok(fast)), hint(&Ok(general)));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn the_fast_path_answers_as_the_general_parser(text in urn_text()) {
            let with_fast_path = parse_key(&text);
            let general = parse_key_general(&text);
            prop_assert_eq!(&with_fast_path, &general);
            prop_assert_eq!(hint(&with_fast_path), hint(&general));
            prop_assert_eq!(fast_kind(&text), fast_key(&text).map(|key| key.kind()));
            prop_assert_eq!(
                Gs1Key::check(&text),
                Gs1Key::parse(&text).map(|key| key.kind())
            );
            if let Some(fast) = fast_key(&text) {
                prop_assert_eq!(format!("{fast:?}"), format!("{:?}", general.unwrap()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> PrefixTable {
        PrefixTable::bundled()
    }

    #[track_caller]
    fn check_urn(urn: &str, element_string: &str, digital_link: &str) {
        let key = Gs1Key::parse(urn).unwrap();
        assert_eq!(key.to_element_string(), element_string, "{urn}");
        assert_eq!(key.to_digital_link(), digital_link, "{urn}");
        assert_eq!(
            key.to_epc_urn(&PrefixTable::empty()).unwrap(),
            urn,
            "remembered prefix length"
        );
        let from_element_string = Gs1Key::parse(element_string).unwrap();
        assert_eq!(from_element_string, key);
        let table = table().with_override("1234567", 7).unwrap();
        assert_eq!(
            from_element_string.to_epc_urn(&table).unwrap(),
            urn,
            "prefix length from the table"
        );
    }

    #[test]
    fn the_indicator_digit_leads_the_item_reference() {
        check_urn(
            "urn:epc:id:sgtin:0614141.107346.2017",
            "(01)10614141073464(21)2017",
            "https://id.gs1.org/01/10614141073464/21/2017",
        );
    }

    #[test]
    fn tag_data_standard_examples_convert_both_ways() {
        check_urn(
            "urn:epc:id:sgtin:0614141.812345.6789",
            "(01)80614141123458(21)6789",
            "https://id.gs1.org/01/80614141123458/21/6789",
        );
        check_urn(
            "urn:epc:id:sscc:0614141.1234567890",
            "(00)106141412345678908",
            "https://id.gs1.org/00/106141412345678908",
        );
        check_urn(
            "urn:epc:id:sgln:0614141.12345.400",
            "(414)0614141123452(254)400",
            "https://id.gs1.org/414/0614141123452/254/400",
        );
        check_urn(
            "urn:epc:id:sgln:0614141.12345.0",
            "(414)0614141123452",
            "https://id.gs1.org/414/0614141123452",
        );
        check_urn(
            "urn:epc:id:grai:0614141.12345.400",
            "(8003)00614141123452400",
            "https://id.gs1.org/8003/00614141123452400",
        );
        check_urn(
            "urn:epc:id:giai:0614141.12345400",
            "(8004)061414112345400",
            "https://id.gs1.org/8004/061414112345400",
        );
        check_urn(
            "urn:epc:id:gsrn:0614141.1234567890",
            "(8018)061414112345678902",
            "https://id.gs1.org/8018/061414112345678902",
        );
        check_urn(
            "urn:epc:id:gsrnp:0614141.1234567890",
            "(8017)061414112345678902",
            "https://id.gs1.org/8017/061414112345678902",
        );
        check_urn(
            "urn:epc:id:gdti:0614141.12345.006847",
            "(253)0614141123452006847",
            "https://id.gs1.org/253/0614141123452006847",
        );
        check_urn(
            "urn:epc:id:cpi:0614141.123ABC.123456789",
            "(8010)0614141123ABC(8011)123456789",
            "https://id.gs1.org/8010/0614141123ABC/8011/123456789",
        );
        check_urn(
            "urn:epc:id:sgcn:4012345.67890.04711",
            "(255)401234567890104711",
            "https://id.gs1.org/255/401234567890104711",
        );
        check_urn(
            "urn:epc:id:ginc:0614141.xyz47%2F11",
            "(401)0614141xyz47/11",
            "https://id.gs1.org/401/0614141xyz47%2F11",
        );
        check_urn(
            "urn:epc:id:gsin:0614141.123456789",
            "(402)06141411234567890",
            "https://id.gs1.org/402/06141411234567890",
        );
        check_urn(
            "urn:epc:id:itip:4012345.012345.01.02.987",
            "(8006)040123451234560102(21)987",
            "https://id.gs1.org/8006/040123451234560102/21/987",
        );
        check_urn(
            "urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7'SDB",
            "(01)01234567894560(235)51qIgY)<&Jp3*j7'SDB",
            "https://id.gs1.org/01/01234567894560/235/51qIgY%29%3C%26Jp3%2Aj7%27SDB",
        );
        check_urn(
            "urn:epc:id:pgln:0614141.12345",
            "(417)0614141123452",
            "https://id.gs1.org/417/0614141123452",
        );
        check_urn(
            "urn:epc:class:lgtin:4012345.012345.998877",
            "(01)04012345123456(10)998877",
            "https://id.gs1.org/01/04012345123456/10/998877",
        );
    }

    #[test]
    fn a_pattern_with_only_the_serial_open_is_the_gtin() {
        check_urn(
            "urn:epc:idpat:sgtin:0614141.107346.*",
            "(01)10614141073464",
            "https://id.gs1.org/01/10614141073464",
        );
        check_urn(
            "urn:epc:idpat:grai:0614141.12345.*",
            "(8003)00614141123452",
            "https://id.gs1.org/8003/00614141123452",
        );
    }

    #[test]
    fn a_pattern_open_before_its_last_field_is_not_a_key() {
        let err = Gs1Key::parse("urn:epc:idpat:sgtin:0614141.*.*").unwrap_err();
        assert_eq!(
            err.to_string(),
            "EPC pattern urn:epc:idpat:sgtin:0614141.*.* is not a single key: parse it with EpcPattern::parse"
        );
    }

    #[test]
    fn patterns_match_the_keys_they_cover() {
        let item = Gs1Key::parse("urn:epc:id:sgtin:0614141.107346.2017").unwrap();
        let other_company = Gs1Key::parse("urn:epc:id:sgtin:0614142.107346.2017").unwrap();
        let batch = Gs1Key::parse("urn:epc:class:lgtin:0614141.107346.L1").unwrap();
        let company = EpcPattern::parse("urn:epc:idpat:sgtin:0614141.*.*").unwrap();
        let product = EpcPattern::parse("urn:epc:idpat:sgtin:0614141.107346.*").unwrap();
        let any = EpcPattern::parse("urn:epc:idpat:sgtin:*.*.*").unwrap();
        let one = EpcPattern::parse("urn:epc:idpat:sgtin:0614141.107346.2017").unwrap();
        assert!(
            company.matches(&item)
                && product.matches(&item)
                && any.matches(&item)
                && one.matches(&item)
        );
        assert!(!company.matches(&other_company) && any.matches(&other_company));
        assert!(product.matches(&batch) && !one.matches(&batch));
        assert!(!product.matches(&Gs1Key::parse("urn:epc:id:sscc:0614141.1234567890").unwrap()));
        // A key read from a Digital Link matches too: the pattern supplies the prefix length.
        assert!(
            product.matches(&Gs1Key::parse("https://id.gs1.org/01/10614141073464/21/9").unwrap())
        );
    }

    #[test]
    fn a_field_after_a_star_must_be_a_star() {
        assert!(EpcPattern::parse("urn:epc:idpat:sgtin:0614141.*.2017").is_err());
    }

    #[test]
    fn an_item_reference_of_the_wrong_length_is_located() {
        let err = Gs1Key::parse("urn:epc:id:sgtin:0614141.10734.2017").unwrap_err();
        assert_eq!(
            err.to_string(),
            "EPC URN: the reference's length does not complete the key for this company prefix length at position 26"
        );
    }

    #[test]
    fn an_unescaped_slash_in_a_serial_is_rejected() {
        let err = Gs1Key::parse("urn:epc:id:sgtin:0614141.107346.20/17").unwrap_err();
        assert_eq!(
            err.to_string(),
            "character '/' at position 3 of serial is not in GS1 character set 82"
        );
    }

    #[test]
    fn an_unknown_scheme_is_named() {
        let err = Gs1Key::parse("urn:epc:id:usdod:2S194.12345678901").unwrap_err();
        assert_eq!(err.to_string(), "EPC scheme \"usdod\" is not supported");
    }

    #[test]
    fn a_key_from_a_digital_link_needs_the_table_for_its_urn() {
        let key = Gs1Key::parse("https://id.gs1.org/01/06931234567899/21/A1").unwrap();
        assert_eq!(
            key.to_epc_urn(&table()).unwrap(),
            "urn:epc:id:sgtin:69312345.06789.A1"
        );
        let unknown = Gs1Key::parse("https://id.gs1.org/01/01234567890128/21/A1").unwrap();
        assert_eq!(
            unknown.to_epc_urn(&table()).unwrap_err().to_string(),
            "company prefix length for 1234567890128 is unknown: add it to the prefix table"
        );
        let table = table().with_override("1234567", 7).unwrap();
        assert_eq!(
            unknown.to_epc_urn(&table).unwrap(),
            "urn:epc:id:sgtin:1234567.089012.A1"
        );
    }
}

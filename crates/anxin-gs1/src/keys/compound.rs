//! GS1 keys made of a number and a qualifier, or of an alphanumeric value: SGTIN, LGTIN,
//! SGLN, PGLN, GRAI, GIAI, GDTI, CPI, SGCN, GINC, ITIP and UPUI.
//!
//! Every constructor validates its parts (character set and maximum length of the AI that
//! carries them), so a value of these types is always a well-formed key. The types know their
//! parts; they do not know how to print themselves as URNs or links (see `Gs1Key`).

use crate::charset::validate;
use crate::error::{CharacterSet, Gs1Error};
use crate::keys::digits::{Gln, Gtin, KeyBody13, PrefixHint};

/// Checks an optional set-82 qualifier.
fn optional_cset82(
    value: Option<&str>,
    max: usize,
    what: &'static str,
) -> Result<Option<String>, Gs1Error> {
    value
        .map(|value| validate(value, CharacterSet::Cset82, max, what).map(|()| value.to_owned()))
        .transpose()
}

/// A serialised GTIN: a GTIN plus a serial number (AI 21, up to 20 characters of set 82).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sgtin {
    gtin: Gtin,
    serial: String,
}

impl Sgtin {
    /// Pairs a GTIN with a serial number, checking the serial.
    pub fn new(gtin: Gtin, serial: &str) -> Result<Sgtin, Gs1Error> {
        validate(serial, CharacterSet::Cset82, 20, "serial")?;
        Ok(Sgtin {
            gtin,
            serial: serial.to_owned(),
        })
    }

    /// The GTIN.
    pub fn gtin(&self) -> &Gtin {
        &self.gtin
    }

    /// The serial number.
    pub fn serial(&self) -> &str {
        &self.serial
    }
}

/// A GTIN plus a batch or lot number (AI 10, up to 20 characters of set 82): an EPC class.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lgtin {
    gtin: Gtin,
    lot: String,
}

impl Lgtin {
    /// Pairs a GTIN with a batch or lot number, checking the lot.
    pub fn new(gtin: Gtin, lot: &str) -> Result<Lgtin, Gs1Error> {
        validate(lot, CharacterSet::Cset82, 20, "batch/lot")?;
        Ok(Lgtin {
            gtin,
            lot: lot.to_owned(),
        })
    }

    /// The GTIN.
    pub fn gtin(&self) -> &Gtin {
        &self.gtin
    }

    /// The batch or lot number.
    pub fn lot(&self) -> &str {
        &self.lot
    }
}

/// A GLN with an optional extension (AI 254, up to 20 characters of set 82): a location.
///
/// The extension "0" means "no extension" in EPC URNs (Tag Data Standard), so it is stored as
/// none: `urn:epc:id:sgln:0614141.12345.0` and `(414) 0614141123452` are the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sgln {
    gln: Gln,
    extension: Option<String>,
}

impl Sgln {
    /// Pairs a GLN with an optional extension, checking it; `Some("0")` becomes `None`.
    pub fn new(gln: Gln, extension: Option<&str>) -> Result<Sgln, Gs1Error> {
        let extension = optional_cset82(extension.filter(|ext| *ext != "0"), 20, "GLN extension")?;
        Ok(Sgln { gln, extension })
    }

    /// The GLN.
    pub fn gln(&self) -> &Gln {
        &self.gln
    }

    /// The extension, if there is one.
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }
}

/// A party GLN (AI 417): the GLN of an organisation rather than of a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pgln {
    gln: Gln,
}

impl Pgln {
    /// Uses a GLN as a party GLN.
    pub fn new(gln: Gln) -> Pgln {
        Pgln { gln }
    }

    /// The GLN.
    pub fn gln(&self) -> &Gln {
        &self.gln
    }
}

/// A Global Returnable Asset Identifier (AI 8003): an asset type and, for one asset, a serial
/// (up to 16 characters of set 82). Without a serial it names the asset type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Grai {
    asset_type: KeyBody13,
    serial: Option<String>,
}

impl Grai {
    /// Builds a GRAI from the 13-digit asset type (check digit included) and an optional serial.
    pub fn new(asset_type: &str, serial: Option<&str>) -> Result<Grai, Gs1Error> {
        let asset_type = KeyBody13::parse_as(asset_type, "GRAI asset type")?;
        Grai::from_parts(asset_type, serial)
    }

    pub(crate) fn from_parts(
        asset_type: KeyBody13,
        serial: Option<&str>,
    ) -> Result<Grai, Gs1Error> {
        Ok(Grai {
            asset_type,
            serial: optional_cset82(serial, 16, "GRAI serial")?,
        })
    }

    /// The asset type: company prefix, asset type reference and check digit, 13 digits.
    pub fn asset_type(&self) -> &str {
        self.asset_type.as_str()
    }

    pub(crate) fn asset_type_key(&self) -> &KeyBody13 {
        &self.asset_type
    }

    /// The serial, if the GRAI names one asset.
    pub fn serial(&self) -> Option<&str> {
        self.serial.as_deref()
    }
}

/// Checks an alphanumeric key that starts with a company prefix (GIAI, GINC, CPID).
fn validate_prefixed(
    value: &str,
    charset: CharacterSet,
    max: usize,
    what: &'static str,
) -> Result<(), Gs1Error> {
    validate(value, charset, max, what)?;
    // Every such key starts with a company prefix, which is at least four digits long.
    match value
        .chars()
        .take(4)
        .enumerate()
        .find(|(_, ch)| !ch.is_ascii_digit())
    {
        Some((idx, found)) => Err(Gs1Error::BadCharacter {
            what,
            found,
            position: idx + 1,
            charset: CharacterSet::Numeric,
        }),
        None if value.len() < 4 => Err(Gs1Error::Syntax {
            what,
            position: value.len() + 1,
            reason: "expected a company prefix of at least four digits",
        }),
        None => Ok(()),
    }
}

macro_rules! prefixed_value_key {
    ($(#[$doc:meta])* $name:ident, $charset:expr, $max:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            value: String,
            hint: PrefixHint,
        }

        impl $name {
            /// Checks and wraps the whole value (company prefix followed by the reference).
            pub fn new(value: &str) -> Result<$name, Gs1Error> {
                validate_prefixed(value, $charset, $max, $what)?;
                Ok($name { value: value.to_owned(), hint: PrefixHint(None) })
            }

            /// The whole value.
            pub fn as_str(&self) -> &str {
                &self.value
            }

            pub(crate) fn prefix_hint(&self) -> Option<u8> {
                self.hint.0
            }

            pub(crate) fn with_prefix_hint(mut self, gcp_len: usize) -> $name {
                self.hint = PrefixHint(u8::try_from(gcp_len).ok());
                self
            }
        }
    };
}

prefixed_value_key!(
    /// A Global Individual Asset Identifier (AI 8004): a company prefix and an asset
    /// reference, up to 30 characters of set 82 in all.
    Giai, CharacterSet::Cset82, 30, "GIAI"
);

prefixed_value_key!(
    /// A Global Identification Number for Consignment (AI 401): a company prefix and a
    /// consignment reference, up to 30 characters of set 82 in all.
    Ginc, CharacterSet::Cset82, 30, "GINC"
);

prefixed_value_key!(
    /// A Component/Part Identifier (AI 8010): a company prefix and a part reference, up to 30
    /// characters of set 39 in all.
    Cpid, CharacterSet::Cset39, 30, "CPID"
);

/// A Component/Part Identifier with an optional serial (AI 8011, up to 12 digits, no leading zero).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpi {
    cpid: Cpid,
    serial: Option<String>,
}

impl Cpi {
    /// Pairs a CPID with an optional serial, checking both.
    pub fn new(cpid: Cpid, serial: Option<&str>) -> Result<Cpi, Gs1Error> {
        if let Some(serial) = serial {
            validate(serial, CharacterSet::Numeric, 12, "CPID serial")?;
            if serial.len() > 1 && serial.starts_with('0') {
                return Err(Gs1Error::Syntax {
                    what: "CPID serial",
                    position: 1,
                    reason: "a CPID serial may not start with 0",
                });
            }
        }
        Ok(Cpi {
            cpid,
            serial: serial.map(str::to_owned),
        })
    }

    /// The CPID.
    pub fn cpid(&self) -> &Cpid {
        &self.cpid
    }

    /// The serial, if there is one.
    pub fn serial(&self) -> Option<&str> {
        self.serial.as_deref()
    }
}

/// A Global Document Type Identifier (AI 253): a document type and an optional serial
/// (up to 17 characters of set 82).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gdti {
    document_type: KeyBody13,
    serial: Option<String>,
}

impl Gdti {
    /// Builds a GDTI from its 13-digit document type (check digit included) and an optional serial.
    pub fn new(document_type: &str, serial: Option<&str>) -> Result<Gdti, Gs1Error> {
        let document_type = KeyBody13::parse_as(document_type, "GDTI document type")?;
        Gdti::from_parts(document_type, serial)
    }

    pub(crate) fn from_parts(
        document_type: KeyBody13,
        serial: Option<&str>,
    ) -> Result<Gdti, Gs1Error> {
        Ok(Gdti {
            document_type,
            serial: optional_cset82(serial, 17, "GDTI serial")?,
        })
    }

    /// The document type: company prefix, document type reference and check digit, 13 digits.
    pub fn document_type(&self) -> &str {
        self.document_type.as_str()
    }

    pub(crate) fn document_type_key(&self) -> &KeyBody13 {
        &self.document_type
    }

    /// The serial, if there is one.
    pub fn serial(&self) -> Option<&str> {
        self.serial.as_deref()
    }
}

/// A Global Coupon Number (AI 255): a coupon reference and an optional serial (up to 12 digits).
/// With a serial it is an SGCN in EPC terms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sgcn {
    coupon: KeyBody13,
    serial: Option<String>,
}

impl Sgcn {
    /// Builds a GCN from its 13-digit coupon reference (check digit included) and an optional serial.
    pub fn new(coupon: &str, serial: Option<&str>) -> Result<Sgcn, Gs1Error> {
        let coupon = KeyBody13::parse_as(coupon, "GCN")?;
        Sgcn::from_parts(coupon, serial)
    }

    pub(crate) fn from_parts(coupon: KeyBody13, serial: Option<&str>) -> Result<Sgcn, Gs1Error> {
        if let Some(serial) = serial {
            validate(serial, CharacterSet::Numeric, 12, "GCN serial")?;
        }
        Ok(Sgcn {
            coupon,
            serial: serial.map(str::to_owned),
        })
    }

    /// The coupon: company prefix, coupon reference and check digit, 13 digits.
    pub fn coupon(&self) -> &str {
        self.coupon.as_str()
    }

    pub(crate) fn coupon_key(&self) -> &KeyBody13 {
        &self.coupon
    }

    /// The serial, if there is one.
    pub fn serial(&self) -> Option<&str> {
        self.serial.as_deref()
    }
}

/// An Individual Trade Item Piece (AI 8006): a GTIN, which piece of how many, and an optional
/// serial (AI 21).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Itip {
    gtin: Gtin,
    piece: u8,
    total: u8,
    serial: Option<String>,
}

impl Itip {
    /// Builds an ITIP; `piece` and `total` are 1 to 99 and `piece` is at most `total`.
    pub fn new(gtin: Gtin, piece: u8, total: u8, serial: Option<&str>) -> Result<Itip, Gs1Error> {
        if piece == 0 || total == 0 || piece > total || total > 99 {
            return Err(Gs1Error::Syntax {
                what: "ITIP",
                position: 15,
                reason: "piece and total must be 01 to 99 with piece at most total",
            });
        }
        Ok(Itip {
            gtin,
            piece,
            total,
            serial: optional_cset82(serial, 20, "serial")?,
        })
    }

    /// Reads the four digits "PPTT" that follow the GTIN in AI 8006.
    pub(crate) fn parse_piece_total(digits: &str) -> Result<(u8, u8), Gs1Error> {
        crate::check_digit::require_digits(digits, "ITIP piece and total")?;
        match (
            digits.len(),
            digits.get(..2).and_then(|p| p.parse().ok()),
            digits.get(2..).and_then(|t| t.parse().ok()),
        ) {
            (4, Some(piece), Some(total)) => Ok((piece, total)),
            _ => Err(Gs1Error::WrongLength {
                what: "ITIP piece and total",
                text: digits.to_owned(),
                found: digits.len(),
                expected: "4",
            }),
        }
    }

    /// The GTIN of the whole trade item.
    pub fn gtin(&self) -> &Gtin {
        &self.gtin
    }

    /// Which piece this is, from 1.
    pub fn piece(&self) -> u8 {
        self.piece
    }

    /// How many pieces make the trade item.
    pub fn total(&self) -> u8 {
        self.total
    }

    /// The "PPTT" digits.
    pub(crate) fn piece_total(&self) -> String {
        format!("{:02}{:02}", self.piece, self.total)
    }

    /// The serial, if there is one.
    pub fn serial(&self) -> Option<&str> {
        self.serial.as_deref()
    }
}

/// A Unit Pack Identifier: a GTIN plus a third-party controlled extension (AI 235, up to 28
/// characters of set 82), as used for tobacco traceability.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Upui {
    gtin: Gtin,
    tpx: String,
}

impl Upui {
    /// Pairs a GTIN with its third-party controlled extension, checking the extension.
    pub fn new(gtin: Gtin, tpx: &str) -> Result<Upui, Gs1Error> {
        validate(tpx, CharacterSet::Cset82, 28, "third-party extension")?;
        Ok(Upui {
            gtin,
            tpx: tpx.to_owned(),
        })
    }

    /// The GTIN.
    pub fn gtin(&self) -> &Gtin {
        &self.gtin
    }

    /// The third-party controlled serialised extension.
    pub fn tpx(&self) -> &str {
        &self.tpx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gtin() -> Gtin {
        Gtin::parse("06901234567892").unwrap()
    }

    #[test]
    fn a_serial_of_twenty_one_characters_is_too_long() {
        let err = Sgtin::new(gtin(), "123456789012345678901").unwrap_err();
        assert_eq!(
            err.to_string(),
            "serial is 21 characters long, at most 20 are allowed"
        );
    }

    #[test]
    fn a_lot_with_a_space_names_the_space() {
        let err = Lgtin::new(gtin(), "AB 12").unwrap_err();
        assert_eq!(
            err.to_string(),
            "character ' ' at position 3 of batch/lot is not in GS1 character set 82"
        );
    }

    #[test]
    fn an_sgln_extension_of_zero_means_no_extension() {
        let gln = Gln::parse("0614141123452").unwrap();
        assert_eq!(
            Sgln::new(gln, Some("0")).unwrap(),
            Sgln::new(gln, None).unwrap()
        );
    }

    #[test]
    fn a_giai_must_start_with_digits_of_a_company_prefix() {
        assert!(Giai::new("0614141ABC").is_ok());
        let err = Giai::new("06A4141ABC").unwrap_err();
        assert!(
            matches!(
                err,
                Gs1Error::BadCharacter {
                    found: 'A',
                    position: 3,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_cpid_uses_character_set_39() {
        assert!(Cpid::new("0614141ABC-#/1").is_ok());
        assert!(Cpid::new("0614141abc").is_err());
    }

    #[test]
    fn an_itip_piece_must_not_exceed_the_total() {
        assert!(Itip::new(gtin(), 2, 3, None).is_ok());
        assert!(Itip::new(gtin(), 4, 3, None).is_err());
    }
}

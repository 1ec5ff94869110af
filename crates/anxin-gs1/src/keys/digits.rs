//! All-digit GS1 keys with a check digit: GTIN, GLN, SSCC, GSRN, GSIN.
//!
//! Each is a newtype over its ASCII digits that only a parser can build, so holding one means
//! the length and check digit were verified. A GTIN is always kept as 14 digits whatever
//! length it was given in. These types do not split themselves into company prefix and
//! reference: that needs a prefix length, which lives in `epc` and `prefix_table`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::check_digit::{require_digits, verify};
use crate::error::Gs1Error;

/// A company-prefix length remembered from the text a key was read from (an EPC URN states it).
///
/// It is a hint for writing the key back as an EPC URN, not part of the key's identity:
/// it compares equal to every other hint and hashes to nothing.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PrefixHint(pub(crate) Option<u8>);

impl PartialEq for PrefixHint {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Eq for PrefixHint {}

impl Hash for PrefixHint {
    fn hash<H: Hasher>(&self, _state: &mut H) {}
}

impl PartialOrd for PrefixHint {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PrefixHint {
    fn cmp(&self, _other: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

macro_rules! digit_key {
    ($(#[$doc:meta])* $name:ident, $len:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            digits: [u8; $len],
            hint: PrefixHint,
        }

        impl $name {
            /// The key's digits, check digit included.
            pub fn as_str(&self) -> &str {
                std::str::from_utf8(&self.digits).expect("a key holds ASCII digits only")
            }

            /// Builds the key from digits whose length and check digit are already verified.
            pub(crate) fn from_array(digits: [u8; $len]) -> $name {
                $name { digits, hint: PrefixHint(None) }
            }

            pub(crate) fn prefix_hint(&self) -> Option<u8> {
                self.hint.0
            }

            pub(crate) fn with_prefix_hint(mut self, gcp_len: usize) -> $name {
                self.hint = PrefixHint(u8::try_from(gcp_len).ok());
                self
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Gs1Error;

            fn from_str(text: &str) -> Result<$name, Gs1Error> {
                $name::parse(text)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Parses a key of exactly `N` digits with a check digit.
fn parse_exact<const N: usize>(
    text: &str,
    what: &'static str,
    expected: &'static str,
) -> Result<[u8; N], Gs1Error> {
    require_digits(text, what)?;
    if text.len() != N {
        return Err(Gs1Error::WrongLength {
            what,
            text: text.to_owned(),
            found: text.len(),
            expected,
        });
    }
    verify(text, what)?;
    let mut digits = [b'0'; N];
    digits.copy_from_slice(text.as_bytes());
    Ok(digits)
}

digit_key!(
    /// A Global Trade Item Number, normalised to 14 digits.
    ///
    /// GTIN-8, GTIN-12 (UPC) and GTIN-13 (EAN) are padded with leading zeros; the value does
    /// not remember which length it came in, so `06901234567892` and `6901234567892` are equal.
    ///
    /// ```
    /// use anxin_gs1::Gtin;
    /// let gtin = Gtin::parse("6901234567892").unwrap();
    /// assert_eq!(gtin.as_str(), "06901234567892");
    /// ```
    Gtin, 14, "GTIN"
);

impl Gtin {
    /// Reads a GTIN-8, -12, -13 or -14 and checks its check digit.
    pub fn parse(text: &str) -> Result<Gtin, Gs1Error> {
        const WHAT: &str = "GTIN";
        require_digits(text, WHAT)?;
        if ![8, 12, 13, 14].contains(&text.len()) {
            return Err(Gs1Error::WrongLength {
                what: WHAT,
                text: text.to_owned(),
                found: text.len(),
                expected: "8, 12, 13 or 14",
            });
        }
        verify(text, WHAT)?;
        let mut digits = [b'0'; 14];
        digits[14 - text.len()..].copy_from_slice(text.as_bytes());
        Ok(Gtin::from_array(digits))
    }

    /// The check digit, the last of the 14.
    pub fn check_digit(&self) -> u8 {
        self.digits[13] - b'0'
    }

    /// The indicator digit (the first of the 14): 0 for a retail item, 1-8 for packaging levels, 9 for variable measure.
    pub fn indicator(&self) -> u8 {
        self.digits[0] - b'0'
    }

    /// Builds a GTIN from its 13 digits without check digit, computing the check digit.
    pub(crate) fn from_body(body: &str) -> Result<Gtin, Gs1Error> {
        require_digits(body, "GTIN")?;
        if body.len() != 13 {
            return Err(Gs1Error::WrongLength {
                what: "GTIN",
                text: body.to_owned(),
                found: body.len(),
                expected: "13 without check digit",
            });
        }
        let mut digits = [b'0'; 14];
        digits[..13].copy_from_slice(body.as_bytes());
        digits[13] = b'0' + crate::check_digit(body);
        Ok(Gtin::from_array(digits))
    }
}

digit_key!(
    /// A Global Location Number: 13 digits.
    Gln, 13, "GLN"
);

impl Gln {
    /// Reads a 13-digit GLN and checks its check digit.
    pub fn parse(text: &str) -> Result<Gln, Gs1Error> {
        parse_exact(text, "GLN", "13").map(Gln::from_array)
    }
}

digit_key!(
    /// A Serial Shipping Container Code: 18 digits, the first being the extension digit.
    Sscc, 18, "SSCC"
);

impl Sscc {
    /// Reads an 18-digit SSCC and checks its check digit.
    pub fn parse(text: &str) -> Result<Sscc, Gs1Error> {
        parse_exact(text, "SSCC", "18").map(Sscc::from_array)
    }
}

digit_key!(
    /// A Global Service Relation Number: 18 digits. The same number form serves AI 8018
    /// (recipient) and AI 8017 (provider); [`crate::Gs1Key`] says which.
    Gsrn, 18, "GSRN"
);

impl Gsrn {
    /// Reads an 18-digit GSRN and checks its check digit.
    pub fn parse(text: &str) -> Result<Gsrn, Gs1Error> {
        parse_exact(text, "GSRN", "18").map(Gsrn::from_array)
    }
}

digit_key!(
    /// A Global Shipment Identification Number: 17 digits.
    Gsin, 17, "GSIN"
);

impl Gsin {
    /// Reads a 17-digit GSIN and checks its check digit.
    pub fn parse(text: &str) -> Result<Gsin, Gs1Error> {
        parse_exact(text, "GSIN", "17").map(Gsin::from_array)
    }
}

digit_key!(
    /// Thirteen digits made of a company prefix, a reference and a check digit: the fixed part
    /// of a GRAI (asset type), a GDTI (document type) and a GCN (coupon reference).
    KeyBody13, 13, "key"
);

impl KeyBody13 {
    /// Reads 13 digits with a check digit, naming the key in errors.
    pub(crate) fn parse_as(text: &str, what: &'static str) -> Result<KeyBody13, Gs1Error> {
        parse_exact(text, what, "13").map(KeyBody13::from_array)
    }

    /// Reads 13 digits with a check digit.
    pub fn parse(text: &str) -> Result<KeyBody13, Gs1Error> {
        KeyBody13::parse_as(text, "key")
    }
}

/// Builds one of the 13-, 17- or 18-digit keys from its digits without check digit.
pub(crate) fn with_check_digit(body: &str) -> String {
    let mut digits = String::with_capacity(body.len() + 1);
    digits.push_str(body);
    digits.push(char::from(b'0' + crate::check_digit(body)));
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gtin_with_a_wrong_check_digit_says_which_digit_was_expected() {
        let err = Gtin::parse("6901234567893").unwrap_err();
        assert_eq!(
            err.to_string(),
            "check digit of GTIN 6901234567893 is 3 at position 13, expected 2"
        );
    }

    #[test]
    fn gtins_of_every_length_normalise_to_fourteen_digits() {
        assert_eq!(Gtin::parse("96385074").unwrap().as_str(), "00000096385074");
        assert_eq!(
            Gtin::parse("614141123452").unwrap().as_str(),
            "00614141123452"
        );
        assert_eq!(
            Gtin::parse("6901234567892").unwrap().as_str(),
            "06901234567892"
        );
        assert_eq!(
            Gtin::parse("10614141073464").unwrap().as_str(),
            "10614141073464"
        );
    }

    #[test]
    fn a_gtin_of_eleven_digits_is_the_wrong_length() {
        let err = Gtin::parse("12345678901").unwrap_err();
        assert_eq!(
            err.to_string(),
            "GTIN 12345678901 has 11 digits, expected 8, 12, 13 or 14"
        );
    }

    #[test]
    fn a_letter_in_a_gtin_is_named_with_its_position() {
        let err = Gtin::parse("69012345678O2").unwrap_err();
        assert_eq!(
            err.to_string(),
            "character 'O' at position 12 of GTIN is not a digit"
        );
    }

    #[test]
    fn the_same_gtin_from_different_lengths_is_equal_and_hashes_alike() {
        use std::collections::HashSet;
        let short = Gtin::parse("6901234567892").unwrap();
        let long = Gtin::parse("06901234567892").unwrap().with_prefix_hint(7);
        assert_eq!(short, long);
        assert_eq!(HashSet::from([short, long]).len(), 1);
    }

    #[test]
    fn an_sscc_and_a_gln_check_their_check_digits() {
        assert!(Sscc::parse("106141412345678908").is_ok());
        assert!(Sscc::parse("106141412345678909").is_err());
        assert!(Gln::parse("0614141123452").is_ok());
        assert!(Gln::parse("0614141123453").is_err());
    }
}

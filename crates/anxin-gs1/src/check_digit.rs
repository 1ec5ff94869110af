//! The GS1 mod-10 check digit (General Specifications 7.9.1) and digit-string checks.
//!
//! One algorithm serves every numeric GS1 key: GTIN, GLN, SSCC, GRAI, GDTI, GCN, GSIN, GSRN.
//! The weights 3 and 1 alternate from the rightmost digit of the body, so leading zeros
//! never change the result; that is why a GTIN-13 and its zero-padded GTIN-14 share a check digit.
//! This module does not know which key a digit string is; the key types in `keys` do.

use crate::error::{CharacterSet, Gs1Error};

/// The mod-10 check digit for `body`, the key's digits without the check digit.
///
/// Works for any GS1 key length. `body` is expected to hold ASCII digits only; parsers
/// validate that first. Any other byte is counted as a zero, so the result is then meaningless
/// but the function still returns.
///
/// ```
/// assert_eq!(anxin_gs1::check_digit("690123456789"), 2);
/// assert_eq!(anxin_gs1::check_digit("1061414107346"), 4);
/// ```
pub fn check_digit(body: &str) -> u8 {
    check_digit_of_bytes(body.as_bytes())
}

/// The mod-10 check digit of `body`, bytes counted as [`check_digit`] counts them.
///
/// The fast parsers build key digits in stack arrays, so they need the digit without a `&str`.
pub(crate) fn check_digit_of_bytes(body: &[u8]) -> u8 {
    // Weight 3 falls on the rightmost digit and every second one from there; a plain loop
    // with a flipping weight is what every key parse runs, so it avoids the index arithmetic.
    let mut sum: u32 = 0;
    let mut weight = 3;
    for &byte in body.iter().rev() {
        let digit = if byte.is_ascii_digit() {
            u32::from(byte - b'0')
        } else {
            0
        };
        sum += digit * weight;
        weight = 4 - weight;
    }
    // Both casts are exact: the value is below 10.
    ((10 - sum % 10) % 10) as u8
}

/// Sets the last byte of `digits` to the check digit of the bytes before it.
///
/// The caller has already put ASCII digits in every other place.
pub(crate) fn fill_check_digit(digits: &mut [u8]) {
    if let Some((last, body)) = digits.split_last_mut() {
        *last = b'0' + check_digit_of_bytes(body);
    }
}

/// Whether every byte of `text` is an ASCII digit and it is not empty.
pub(crate) fn all_digits(text: &[u8]) -> bool {
    !text.is_empty() && text.iter().all(u8::is_ascii_digit)
}

/// Reads `value` as a key of `N` digits with a valid check digit, left-padded with zeros when
/// its length is one of `lengths` but shorter than `N`; `None` for anything else.
///
/// Leading zeros do not change a check digit, so it is verified on the padded digits.
pub(crate) fn checked_digits<const N: usize>(value: &str, lengths: &[usize]) -> Option<[u8; N]> {
    let value = value.as_bytes();
    if !lengths.contains(&value.len()) || value.len() > N || !all_digits(value) {
        return None;
    }
    let mut digits = [b'0'; N];
    digits[N - value.len()..].copy_from_slice(value);
    let (last, body) = digits.split_last()?;
    (*last == b'0' + check_digit_of_bytes(body)).then_some(digits)
}

/// Checks that `text` is all ASCII digits, naming the first character that is not.
pub(crate) fn require_digits(text: &str, what: &'static str) -> Result<(), Gs1Error> {
    match text
        .chars()
        .enumerate()
        .find(|(_, ch)| !ch.is_ascii_digit())
    {
        Some((idx, found)) => Err(Gs1Error::BadCharacter {
            what,
            found,
            position: idx + 1,
            charset: CharacterSet::Numeric,
        }),
        None => Ok(()),
    }
}

/// Checks the last digit of `digits` (all ASCII digits) against the others.
pub(crate) fn verify(digits: &str, what: &'static str) -> Result<(), Gs1Error> {
    let Some((body, last)) = digits.len().checked_sub(1).map(|at| digits.split_at(at)) else {
        return Err(Gs1Error::Empty { what });
    };
    let expected = check_digit(body);
    let found = last.as_bytes()[0].wrapping_sub(b'0');
    if found == expected {
        Ok(())
    } else {
        Err(Gs1Error::CheckDigit {
            what,
            text: digits.to_owned(),
            found,
            expected,
            position: digits.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_digit_of_a_chinese_gtin_13_is_computed_from_the_right() {
        assert_eq!(check_digit("690123456789"), 2);
    }

    #[test]
    fn leading_zeros_do_not_change_the_check_digit() {
        assert_eq!(check_digit("952123454321"), check_digit("0952123454321"));
        assert_eq!(check_digit("952123454321"), 3);
    }

    #[test]
    fn an_sscc_check_digit_matches_the_tag_data_standard_example() {
        assert_eq!(check_digit("10614141234567890"), 8);
    }

    #[test]
    fn verify_names_the_check_digit_position_and_the_expected_digit() {
        let err = verify("0614141073468", "GTIN").unwrap_err();
        assert_eq!(
            err.to_string(),
            "check digit of GTIN 0614141073468 is 8 at position 13, expected 7"
        );
    }

    #[test]
    fn require_digits_names_the_first_non_digit() {
        let err = require_digits("12a4", "GLN").unwrap_err();
        assert_eq!(
            err.to_string(),
            "character 'a' at position 3 of GLN is not a digit"
        );
    }
}

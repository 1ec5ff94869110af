//! GS1 character sets and the two escaping schemes that carry them in URIs.
//!
//! Serials, lots, extensions and other alphanumeric values are drawn from GS1 AI encodable
//! character set 82 (or 39 for CPID, 64 for AI 8030). EPC URNs escape a few of those characters
//! (EPC Tag Data Standard, "GS3A3" rule: `" % & / < > ?` as `%XX`), and GS1 Digital Link URIs
//! percent-encode everything but `A-Z a-z 0-9 - . _` (Digital Link URI syntax grammar 1.2 and later).
//! This module validates and converts single values; it does not split URIs into values.

use std::borrow::Cow;

use crate::error::{CharacterSet, Gs1Error};

/// The 82 characters of GS1 AI encodable character set 82, as a lookup over ASCII.
const fn cset82_table() -> [bool; 128] {
    let mut table = [false; 128];
    let symbols = b"!\"%&'()*+,-./:;<=>?_";
    let mut idx = 0;
    while idx < symbols.len() {
        table[symbols[idx] as usize] = true;
        idx += 1;
    }
    let mut ch = b'0';
    while ch <= b'9' {
        table[ch as usize] = true;
        ch += 1;
    }
    let mut ch = b'A';
    while ch <= b'Z' {
        table[ch as usize] = true;
        table[(ch + 32) as usize] = true;
        ch += 1;
    }
    table
}

static CSET82: [bool; 128] = cset82_table();

/// Whether `ch` belongs to GS1 AI encodable character set 82.
pub(crate) fn is_cset82(ch: char) -> bool {
    ch.is_ascii() && CSET82[ch as usize]
}

/// Whether `value` is 1 to `max` characters of set 82 that need no escaping in a GS1 Digital
/// Link path segment's decoding or an EPC URN's unescaping: no `%`, and, when `in_urn`, none
/// of the characters the URN must escape.
///
/// The fast parsers accept a value only when this holds, because then the value as written
/// is the value as decoded and every check the general parsers make on it passes.
pub(crate) fn is_plain_cset82(value: &[u8], max: usize, in_urn: bool) -> bool {
    !value.is_empty()
        && value.len() <= max
        && value.iter().all(|&b| {
            b.is_ascii()
                && CSET82[usize::from(b)]
                && b != b'%'
                && !(in_urn && urn_must_escape(char::from(b)))
        })
}

/// Whether `ch` belongs to GS1 AI encodable character set 39: `# - /`, digits and upper-case letters.
pub(crate) fn is_cset39(ch: char) -> bool {
    matches!(ch, '#' | '-' | '/' | '0'..='9' | 'A'..='Z')
}

/// Whether `ch` belongs to GS1 AI encodable character set 64 (base64url, with `=` padding).
pub(crate) fn is_cset64(ch: char) -> bool {
    matches!(ch, '-' | '_' | '=' | '0'..='9' | 'A'..='Z' | 'a'..='z')
}

fn in_set(ch: char, charset: CharacterSet) -> bool {
    match charset {
        CharacterSet::Numeric => ch.is_ascii_digit(),
        CharacterSet::Cset82 => is_cset82(ch),
        CharacterSet::Cset39 => is_cset39(ch),
        CharacterSet::Cset64 => is_cset64(ch),
    }
}

/// Checks that `value` is 1 to `max` characters of `charset`, naming the first bad character.
pub(crate) fn validate(
    value: &str,
    charset: CharacterSet,
    max: usize,
    what: &'static str,
) -> Result<(), Gs1Error> {
    if value.is_empty() {
        return Err(Gs1Error::Empty { what });
    }
    let mut n_chars = 0;
    for (idx, ch) in value.chars().enumerate() {
        if !in_set(ch, charset) {
            return Err(Gs1Error::BadCharacter {
                what,
                found: ch,
                position: idx + 1,
                charset,
            });
        }
        n_chars += 1;
    }
    if n_chars > max {
        return Err(Gs1Error::TooLong {
            what,
            found: n_chars,
            max,
        });
    }
    Ok(())
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn push_escaped(out: &mut String, byte: u8) {
    out.push('%');
    out.push(char::from(HEX_UPPER[usize::from(byte >> 4)]));
    out.push(char::from(HEX_UPPER[usize::from(byte & 0xF)]));
}

/// Decodes `%XX` escapes in `text`, which must decode to ASCII.
///
/// Borrows when there is nothing to decode, which is the common case.
pub(crate) fn percent_decode<'a>(
    text: &'a str,
    what: &'static str,
) -> Result<Cow<'a, str>, Gs1Error> {
    if !text.contains('%') {
        return Ok(Cow::Borrowed(text));
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut idx = 0;
    let mut char_position = 1;
    while idx < bytes.len() {
        if bytes[idx] == b'%' {
            let decoded = bytes
                .get(idx + 1)
                .and_then(|&hi| hex_value(hi))
                .zip(bytes.get(idx + 2).and_then(|&lo| hex_value(lo)))
                .map(|(hi, lo)| hi * 16 + lo)
                .filter(u8::is_ascii);
            let Some(byte) = decoded else {
                return Err(Gs1Error::BadPercentEncoding {
                    what,
                    position: char_position,
                });
            };
            out.push(char::from(byte));
            idx += 3;
            char_position += 3;
        } else {
            // Copy one whole UTF-8 character; validation of the result happens later.
            let ch_len = text[idx..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[idx..idx + ch_len]);
            idx += ch_len;
            char_position += 1;
        }
    }
    Ok(Cow::Owned(out))
}

/// Appends `value` percent-encoded for a GS1 Digital Link path segment or query value.
///
/// Only `A-Z a-z 0-9 - . _` stay literal, as the Digital Link grammar (1.2 and later) requires
/// for the characters of set 82. The EPCIS hash reference implementation leaves `' ; =` literal;
/// we follow the standard instead, so that one value has exactly one canonical spelling.
pub(crate) fn push_dl_encoded(out: &mut String, value: &str) {
    // Keys, serials and lots are nearly always unreserved characters only: copy them at once.
    if value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        out.push_str(value);
        return;
    }
    for ch in value.chars() {
        if ch.is_ascii_alphanumeric() || matches!(ch, '-' | '.' | '_') {
            out.push(ch);
        } else if ch.is_ascii() {
            push_escaped(out, ch as u8);
        } else {
            let mut buf = [0u8; 4];
            for &byte in ch.encode_utf8(&mut buf).as_bytes() {
                push_escaped(out, byte);
            }
        }
    }
}

/// Characters of set 82 that an EPC URN must escape (Tag Data Standard, GS3A3 rule).
fn urn_must_escape(ch: char) -> bool {
    matches!(ch, '"' | '%' | '&' | '/' | '<' | '>' | '?')
}

/// Appends a set-82 `value` escaped for an EPC URN component.
pub(crate) fn push_urn_escaped(out: &mut String, value: &str) {
    for ch in value.chars() {
        if urn_must_escape(ch) {
            push_escaped(out, ch as u8);
        } else {
            out.push(ch);
        }
    }
}

/// Appends a set-39 CPID component escaped for an EPC URN (`#` and `/` become `%23`, `%2F`).
pub(crate) fn push_urn_escaped_cset39(out: &mut String, value: &str) {
    for ch in value.chars() {
        if matches!(ch, '#' | '/') {
            push_escaped(out, ch as u8);
        } else {
            out.push(ch);
        }
    }
}

/// Reads an EPC URN component that carries a set-82 value: literal characters must be ones the
/// URN may carry unescaped, escapes must decode to set-82 characters, and the result is checked
/// against `max`.
pub(crate) fn urn_unescape<'a>(
    text: &'a str,
    max: usize,
    what: &'static str,
) -> Result<Cow<'a, str>, Gs1Error> {
    for (idx, ch) in text.chars().enumerate() {
        if ch != '%' && (!is_cset82(ch) || urn_must_escape(ch)) {
            return Err(Gs1Error::BadCharacter {
                what,
                found: ch,
                position: idx + 1,
                charset: CharacterSet::Cset82,
            });
        }
    }
    let value = percent_decode(text, what)?;
    validate(&value, CharacterSet::Cset82, max, what)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_set_82_has_82_characters() {
        assert_eq!((0u8..128).filter(|&b| is_cset82(char::from(b))).count(), 82);
    }

    #[test]
    fn character_set_39_has_39_characters() {
        assert_eq!((0u8..128).filter(|&b| is_cset39(char::from(b))).count(), 39);
    }

    #[test]
    fn a_non_ascii_character_in_a_serial_is_named_with_its_position() {
        let err = validate("ABCDé", CharacterSet::Cset82, 20, "serial").unwrap_err();
        assert_eq!(
            err.to_string(),
            "character 'é' at position 5 of serial is not in GS1 character set 82"
        );
    }

    #[test]
    fn a_serial_longer_than_its_maximum_is_rejected() {
        let err =
            validate("123456789012345678901", CharacterSet::Cset82, 20, "serial").unwrap_err();
        assert_eq!(
            err.to_string(),
            "serial is 21 characters long, at most 20 are allowed"
        );
    }

    #[test]
    fn digital_link_encoding_keeps_only_unreserved_characters() {
        let mut out = String::new();
        push_dl_encoded(&mut out, "A-b._!\"%&'()*+,/:;<=>?");
        assert_eq!(
            out,
            "A-b._%21%22%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3C%3D%3E%3F"
        );
    }

    #[test]
    fn urn_escaping_round_trips_through_unescaping() {
        let value = "a\"b%c&d/e<f>g?h!'()*+,-.:;=_";
        let mut out = String::new();
        push_urn_escaped(&mut out, value);
        assert_eq!(out, "a%22b%25c%26d%2Fe%3Cf%3Eg%3Fh!'()*+,-.:;=_");
        assert_eq!(urn_unescape(&out, 40, "serial").unwrap(), value);
    }

    #[test]
    fn a_urn_may_not_carry_a_slash_unescaped() {
        let err = urn_unescape("ab/c", 20, "serial").unwrap_err();
        assert!(matches!(
            err,
            Gs1Error::BadCharacter {
                found: '/',
                position: 3,
                ..
            }
        ));
    }

    #[test]
    fn a_truncated_percent_escape_is_reported() {
        let err = percent_decode("ab%2", "serial").unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad percent-encoding at position 3 of serial"
        );
    }
}

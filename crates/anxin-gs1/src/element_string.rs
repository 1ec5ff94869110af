//! GS1 element strings: the AI data printed under barcodes as `(01)…(17)…(10)…` and carried
//! raw in GS1 DataMatrix, QR Code and GS1-128 symbols, with FNC1 transmitted as GS (ASCII 29).
//!
//! [`Gs1Data`] keeps every element it read, in order, with each value checked against its AI's
//! format (see `ai`). It also takes the data of a GS1 Digital Link, path and query string.
//! Dates are kept as the six digits given and read with [`Date::from_yymmdd`] on request,
//! because the century depends on a reference year the caller supplies. This module does not
//! decode barcode images or symbology-specific encodations: it starts from the scanner's text.

use std::fmt;
use std::str::FromStr;

use crate::ai::AiInfo;
use crate::date::Date;
use crate::epc::char_position;
use crate::error::Gs1Error;
use crate::keys::{GROUP_SEPARATOR, Gs1Key, key_from_ai, qualifiers_of};

/// Symbology identifiers (ISO/IEC 15424) of the symbols that carry GS1 element strings:
/// GS1-128, GS1 DataBar, GS1 DataMatrix, GS1 QR Code, GS1 DotCode.
const SYMBOLOGY_IDENTIFIERS: [&str; 5] = ["]C1", "]e0", "]d2", "]Q3", "]J1"];

/// Most elements one element string may carry; a GS1 symbol holds far fewer.
const ELEMENTS_MAX: usize = 64;

/// One AI and its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Element {
    ai: String,
    value: String,
}

impl Element {
    /// The AI's digits, e.g. `"17"`.
    pub fn ai(&self) -> &str {
        &self.ai
    }

    /// The value, as given (dates stay YYMMDD).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What the crate knows about the AI. Every stored element has a known AI.
    pub fn info(&self) -> Option<AiInfo> {
        AiInfo::lookup(&self.ai)
    }
}

/// The data of one element string or Digital Link: every AI seen, in order, each value checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gs1Data {
    elements: Vec<Element>,
}

impl Gs1Data {
    /// Reads a bracketed element string, a raw one, or a GS1 Digital Link URI.
    ///
    /// ```
    /// use anxin_gs1::{Date, Gs1Data};
    /// let data = Gs1Data::parse("]d201069012345678921721123110LOT42\u{1d}21SN7").unwrap();
    /// assert_eq!(data.get("10"), Some("LOT42"));
    /// assert_eq!(data.expiry_date(2026).unwrap(), Some(Date::new(2021, 12, 31).unwrap()));
    /// assert_eq!(data.to_bracketed(), "(01)06901234567892(17)211231(10)LOT42(21)SN7");
    /// ```
    pub fn parse(text: &str) -> Result<Gs1Data, Gs1Error> {
        let lower_start = text
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        if lower_start.starts_with("https://") || lower_start.starts_with("http://") {
            crate::digital_link::parse_data(text)
        } else if text.starts_with('(') {
            Gs1Data::parse_bracketed(text)
        } else {
            Gs1Data::parse_raw(text)
        }
    }

    /// Reads the bracketed form: `(01)09521234543213(10)ABC`, spaces between elements allowed.
    /// A `(` inside a value must be written `\(`.
    pub fn parse_bracketed(text: &str) -> Result<Gs1Data, Gs1Error> {
        let syntax = |at: usize, reason| Gs1Error::Syntax {
            what: "element string",
            position: char_position(text, at),
            reason,
        };
        let mut data = Gs1Data::default();
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            if bytes[at].is_ascii_whitespace() {
                at += 1;
                continue;
            }
            if bytes[at] != b'(' {
                return Err(syntax(at, "expected '(' to open an AI"));
            }
            let close = text[at..]
                .find(')')
                .map(|offset| at + offset)
                .ok_or_else(|| syntax(at, "expected ')' to close the AI"))?;
            let ai = &text[at + 1..close];
            if AiInfo::lookup(ai).is_none() {
                return Err(Gs1Error::UnknownAi {
                    ai: ai.chars().take(4).collect(),
                    position: char_position(text, at + 1),
                });
            }
            let value_at = close + 1;
            let (value, next) = bracketed_value(text, value_at);
            let trimmed = value.trim_matches([' ', '\t']);
            let trimmed_at = value_at + (value.len() - value.trim_start_matches([' ', '\t']).len());
            data.push_at(
                ai,
                &trimmed.replace("\\(", "("),
                char_position(text, trimmed_at),
            )?;
            at = next;
        }
        data.require_some(text)?;
        Ok(data)
    }

    /// Reads the raw form: AIs and values run together, FNC1 as GS (ASCII 29) after values
    /// that need it, with an optional symbology identifier (`]d2`, `]Q3`, `]C1`, `]e0`, `]J1`)
    /// and an optional leading GS.
    pub fn parse_raw(text: &str) -> Result<Gs1Data, Gs1Error> {
        let syntax = |at: usize, reason| Gs1Error::Syntax {
            what: "element string",
            position: char_position(text, at),
            reason,
        };
        let mut at = 0;
        if text.starts_with(']') {
            if !SYMBOLOGY_IDENTIFIERS.iter().any(|id| text.starts_with(id)) {
                return Err(syntax(
                    0,
                    "symbology identifier is not one of ]C1 ]e0 ]d2 ]Q3 ]J1, which carry GS1 data",
                ));
            }
            at = 3;
        }
        if text[at..].starts_with(GROUP_SEPARATOR) {
            at += 1;
        }
        let mut data = Gs1Data::default();
        while at < text.len() {
            let rest = &text[at..];
            let Some((ai_len, info)) = AiInfo::at_start_of(rest) else {
                let digits: String = rest
                    .chars()
                    .take(4)
                    .take_while(char::is_ascii_digit)
                    .collect();
                if digits.is_empty() {
                    return Err(syntax(at, "expected an AI"));
                }
                return Err(Gs1Error::UnknownAi {
                    ai: digits,
                    position: char_position(text, at),
                });
            };
            let ai = &rest[..ai_len];
            let value_at = at + ai_len;
            let after_ai = &text[value_at..];
            let value_len = if info.needs_fnc1() {
                after_ai.find(GROUP_SEPARATOR).unwrap_or(after_ai.len())
            } else {
                // Predefined-length values all have a fixed length; stop early at a GS or the end
                // so that a short value is reported by the format check, not by slicing.
                let fixed = info.fixed_length().unwrap_or(info.max_length());
                after_ai
                    .char_indices()
                    .take(fixed)
                    .take_while(|(_, ch)| *ch != GROUP_SEPARATOR)
                    .map(|(idx, ch)| idx + ch.len_utf8())
                    .last()
                    .unwrap_or(0)
            };
            data.push_at(ai, &after_ai[..value_len], char_position(text, value_at))?;
            at = value_at + value_len;
            // The separator after a variable value; encoders also put one after fixed values.
            if text[at..].starts_with(GROUP_SEPARATOR) {
                at += 1;
            }
        }
        data.require_some(text)?;
        Ok(data)
    }

    fn require_some(&self, text: &str) -> Result<(), Gs1Error> {
        if self.elements.is_empty() {
            return Err(Gs1Error::NotRecognised {
                text: text.chars().take(40).collect(),
            });
        }
        Ok(())
    }

    /// Adds one element after checking the AI and its value.
    ///
    /// The same AI may appear again only with the same value.
    pub fn push(&mut self, ai: &str, value: &str) -> Result<(), Gs1Error> {
        self.push_at(ai, value, 0)
    }

    pub(crate) fn push_at(
        &mut self,
        ai: &str,
        value: &str,
        position: usize,
    ) -> Result<(), Gs1Error> {
        let info = AiInfo::lookup(ai).ok_or_else(|| Gs1Error::UnknownAi {
            ai: ai.chars().take(4).collect(),
            position,
        })?;
        info.check_value(ai, value, position)?;
        if let Some(earlier) = self.get(ai) {
            if earlier == value {
                return Ok(());
            }
            return Err(Gs1Error::BadAiValue {
                ai: ai.to_owned(),
                value: value.to_owned(),
                position,
                reason: format!("contradicts the earlier value {earlier:?} of the same AI"),
            });
        }
        if self.elements.len() >= ELEMENTS_MAX {
            return Err(Gs1Error::TooLong {
                what: "element string",
                found: self.elements.len() + 1,
                max: ELEMENTS_MAX,
            });
        }
        self.elements.push(Element {
            ai: ai.to_owned(),
            value: value.to_owned(),
        });
        Ok(())
    }

    /// Every element, in the order read.
    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    /// The value of `ai`, if present.
    pub fn get(&self, ai: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|element| element.ai == ai)
            .map(|element| element.value.as_str())
    }

    /// The GS1 key in the data: the first primary-key AI (00, 01, 414, 8003, …) with the
    /// qualifiers found anywhere in the data (21 serial over 10 lot for a GTIN).
    pub fn key(&self) -> Result<Gs1Key, Gs1Error> {
        let primary = self
            .elements
            .iter()
            .find(|element| qualifiers_of(&element.ai).is_some())
            .ok_or(Gs1Error::NoKey {
                what: "element string",
            })?;
        key_from_ai(&primary.ai, &primary.value, &|ai| {
            self.get(ai).map(str::to_owned)
        })
    }

    /// The batch or lot number (AI 10).
    pub fn batch(&self) -> Option<&str> {
        self.get("10")
    }

    /// The serial number (AI 21).
    pub fn serial(&self) -> Option<&str> {
        self.get("21")
    }

    /// The date in a YYMMDD AI (11, 12, 13, 15, 16, 17), by the century rule relative to
    /// `reference_year`; day 00 gives the last day of the month.
    ///
    /// An error is possible only for 29 February in a year the century rule makes common.
    pub fn date(&self, ai: &str, reference_year: u16) -> Result<Option<Date>, Gs1Error> {
        self.get(ai)
            .map(|value| Date::from_yymmdd(value, reference_year))
            .transpose()
    }

    /// The production date (AI 11).
    pub fn production_date(&self, reference_year: u16) -> Result<Option<Date>, Gs1Error> {
        self.date("11", reference_year)
    }

    /// The packaging date (AI 13).
    pub fn packaging_date(&self, reference_year: u16) -> Result<Option<Date>, Gs1Error> {
        self.date("13", reference_year)
    }

    /// The best-before date (AI 15).
    pub fn best_before_date(&self, reference_year: u16) -> Result<Option<Date>, Gs1Error> {
        self.date("15", reference_year)
    }

    /// The expiry (use-by) date (AI 17).
    pub fn expiry_date(&self, reference_year: u16) -> Result<Option<Date>, Gs1Error> {
        self.date("17", reference_year)
    }

    /// The bracketed form, `(01)…(10)…`, with `(` in values written `\(`.
    pub fn to_bracketed(&self) -> String {
        let mut out = String::new();
        for element in &self.elements {
            out.push('(');
            out.push_str(&element.ai);
            out.push(')');
            push_bracketed_value(&mut out, &element.value);
        }
        out
    }

    /// The raw form, with a GS (ASCII 29) after each value that needs FNC1 and is not last.
    /// No symbology identifier is added.
    pub fn to_raw(&self) -> String {
        let mut out = String::new();
        for (idx, element) in self.elements.iter().enumerate() {
            if idx > 0
                && self.elements[idx - 1]
                    .info()
                    .is_some_and(|info| info.needs_fnc1())
            {
                out.push(GROUP_SEPARATOR);
            }
            out.push_str(&element.ai);
            out.push_str(&element.value);
        }
        out
    }
}

/// Appends a value to a bracketed element string, escaping `(`.
pub(crate) fn push_bracketed_value(out: &mut String, value: &str) {
    for ch in value.chars() {
        if ch == '(' {
            out.push('\\');
        }
        out.push(ch);
    }
}

/// The value starting at byte `from`: up to the next unescaped `(`. Returns it and where it ends.
fn bracketed_value(text: &str, from: usize) -> (&str, usize) {
    let bytes = text.as_bytes();
    let mut at = from;
    while at < bytes.len() {
        if bytes[at] == b'(' && (at == from || bytes[at - 1] != b'\\') {
            break;
        }
        at += 1;
    }
    (&text[from..at], at)
}

impl fmt::Display for Gs1Data {
    /// Writes the bracketed form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_bracketed())
    }
}

impl FromStr for Gs1Data {
    type Err = Gs1Error;

    fn from_str(text: &str) -> Result<Gs1Data, Gs1Error> {
        Gs1Data::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_form_with_spaces_reads_like_the_compact_one() {
        let spaced = Gs1Data::parse("(01) 80614141123458 (21) 6789").unwrap();
        let compact = Gs1Data::parse("(01)80614141123458(21)6789").unwrap();
        assert_eq!(spaced, compact);
    }

    #[test]
    fn a_raw_string_needs_no_separator_after_fixed_length_ais() {
        let data = Gs1Data::parse("010952123454321317290101112601011012AB\u{1d}2112345").unwrap();
        assert_eq!(
            data.to_bracketed(),
            "(01)09521234543213(17)290101(11)260101(10)12AB(21)12345"
        );
        assert_eq!(
            data.to_raw(),
            "010952123454321317290101112601011012AB\u{1d}2112345"
        );
        assert_eq!(
            data.production_date(2026).unwrap().unwrap().to_string(),
            "2026-01-01"
        );
    }

    #[test]
    fn an_unknown_ai_is_reported_with_its_position() {
        let err = Gs1Data::parse("01095212345432131499").unwrap_err();
        assert_eq!(err.to_string(), "unknown AI (1499) at position 17");
        let err = Gs1Data::parse("(01)09521234543213(99)X(14)1").unwrap_err();
        assert_eq!(err.to_string(), "unknown AI (14) at position 25");
    }

    #[test]
    fn a_short_fixed_length_value_is_reported() {
        let err = Gs1Data::parse("(01)0952123454321").unwrap_err();
        assert!(
            matches!(err, Gs1Error::BadAiValue { position: 5, .. }),
            "{err}"
        );
    }

    #[test]
    fn symbology_identifiers_of_gs1_symbols_are_skipped() {
        for prefix in ["]d2", "]Q3", "]C1", "]e0"] {
            let data = Gs1Data::parse(&format!("{prefix}0109521234543213")).unwrap();
            assert_eq!(data.get("01"), Some("09521234543213"));
        }
        assert!(Gs1Data::parse("]A00109521234543213").is_err());
    }

    #[test]
    fn weights_and_counts_are_kept() {
        let data = Gs1Data::parse("(02)09521234543213(37)24(3103)012500(400)PO-1").unwrap();
        assert_eq!(data.get("3103"), Some("012500"));
        assert_eq!(data.to_raw(), "02095212345432133724\u{1d}3103012500400PO-1");
        assert!(matches!(data.key(), Err(Gs1Error::NoKey { .. })));
    }

    #[test]
    fn a_repeated_ai_with_another_value_is_a_contradiction() {
        let err = Gs1Data::parse("(10)A(10)B").unwrap_err();
        assert!(
            err.to_string()
                .contains("contradicts the earlier value \"A\""),
            "{err}"
        );
    }

    #[test]
    fn a_link_shorter_than_eight_characters_is_still_read_as_a_link() {
        assert!(matches!(
            Gs1Data::parse("http://"),
            Err(Gs1Error::Syntax {
                what: "GS1 Digital Link",
                ..
            })
        ));
    }

    #[test]
    fn an_escaped_bracket_in_a_value_round_trips() {
        let data = Gs1Data::parse("(01)09521234543213(21)A\\(B)").unwrap();
        assert_eq!(data.serial(), Some("A(B)"));
        assert_eq!(data.to_bracketed(), "(01)09521234543213(21)A\\(B)");
    }
}

//! Company-prefix lengths, which turn a Digital Link or element string into an EPC URN.
//!
//! An EPC URN writes the GS1 Company Prefix apart from the rest of the key
//! (`urn:epc:id:sgtin:0614141.107346.2017`), but a GTIN or GLN alone does not say where the
//! prefix ends. GS1 publishes the lengths per range of leading digits; this crate ships the
//! part of that list Anxin needs (China's 690-699 plus the prefixes in GS1's own examples) as
//! `data/prefix-lengths.txt`, whose header says where each fact comes from.
//! Lookups take the longest matching run of leading digits. Callers can add or override
//! entries at run time. This module never fetches GS1's list: the crate does no IO.

use std::collections::BTreeMap;

use crate::error::Gs1Error;

const BUNDLED: &str = include_str!("../data/prefix-lengths.txt");

/// Longest run of leading digits an entry may have.
const PREFIX_DIGITS_MAX: usize = 12;

/// GS1 Company Prefix lengths by leading digits, with longest-prefix lookup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrefixTable {
    /// Leading digits to prefix length; 0 marks digits that carry no company prefix.
    lengths: BTreeMap<String, u8>,
}

impl PrefixTable {
    /// An empty table, for callers that bring all their own entries.
    pub fn empty() -> PrefixTable {
        PrefixTable::default()
    }

    /// The table shipped with this crate (`data/prefix-lengths.txt`).
    ///
    /// Reading it takes a few microseconds; build it once and share it.
    pub fn bundled() -> PrefixTable {
        let mut table = PrefixTable::empty();
        // The bundled file is checked by a unit test, so this cannot fail in a release.
        if let Err(err) = table.extend_from_text(BUNDLED) {
            debug_assert!(false, "bundled prefix table is malformed: {err}");
        }
        table
    }

    /// Reads a table in the bundled file's format: `<leading digits> <length>` per line,
    /// `#` to the end of a line is a comment.
    pub fn parse(text: &str) -> Result<PrefixTable, Gs1Error> {
        let mut table = PrefixTable::empty();
        table.extend_from_text(text)?;
        Ok(table)
    }

    /// Adds the entries of `text` (same format as [`PrefixTable::parse`]), replacing
    /// entries for the same digits.
    pub fn extend_from_text(&mut self, text: &str) -> Result<(), Gs1Error> {
        let mut position = 1;
        for line in text.split_inclusive('\n') {
            let content = line.split('#').next().unwrap_or("");
            let mut fields = content.split_whitespace();
            if let Some(digits) = fields.next() {
                let length = fields.next().and_then(|field| field.parse::<u8>().ok());
                match (length, fields.next()) {
                    (Some(length), None) => {
                        self.insert(digits, length).map_err(|err| match err {
                            Gs1Error::Syntax { reason, .. } => Gs1Error::Syntax {
                                what: "prefix table",
                                position,
                                reason,
                            },
                            other => other,
                        })?
                    }
                    _ => {
                        return Err(Gs1Error::Syntax {
                            what: "prefix table",
                            position,
                            reason: "expected \"<leading digits> <length>\" on the line",
                        });
                    }
                }
            }
            position += line.chars().count();
        }
        Ok(())
    }

    /// Returns the table with one entry added or replaced.
    ///
    /// ```
    /// use anxin_gs1::PrefixTable;
    /// let table = PrefixTable::bundled().with_override("6931234", 9).unwrap();
    /// assert_eq!(table.company_prefix_len("6931234567890"), Some(9));
    /// assert_eq!(table.company_prefix_len("6939999567890"), Some(8));
    /// ```
    pub fn with_override(
        mut self,
        leading_digits: &str,
        length: u8,
    ) -> Result<PrefixTable, Gs1Error> {
        self.insert(leading_digits, length)?;
        Ok(self)
    }

    /// Adds or replaces one entry. `length` is 0 (no company prefix under these digits)
    /// or 6 to 12, the lengths an EPC URN can carry.
    pub fn insert(&mut self, leading_digits: &str, length: u8) -> Result<(), Gs1Error> {
        if leading_digits.is_empty()
            || leading_digits.len() > PREFIX_DIGITS_MAX
            || !leading_digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Gs1Error::Syntax {
                what: "prefix table",
                position: 1,
                reason: "leading digits must be 1 to 12 digits",
            });
        }
        if length != 0 && !(6..=12).contains(&length) {
            return Err(Gs1Error::Syntax {
                what: "prefix table",
                position: 1,
                reason: "a company prefix length must be 0 or 6 to 12",
            });
        }
        self.lengths.insert(leading_digits.to_owned(), length);
        Ok(())
    }

    /// The company prefix length for a key starting with `digits`, by longest match.
    ///
    /// Pass a GTIN without its indicator digit, an SSCC without its extension digit, and any
    /// other key from its start. `None` when no entry matches or the entry says 0.
    pub fn company_prefix_len(&self, digits: &str) -> Option<usize> {
        let longest = digits.len().min(PREFIX_DIGITS_MAX);
        (1..=longest)
            .rev()
            .filter_map(|len| digits.get(..len))
            .find_map(|prefix| self.lengths.get(prefix))
            .and_then(|&length| (length != 0).then_some(usize::from(length)))
    }

    /// Like [`PrefixTable::company_prefix_len`], but says what to do when the length is unknown.
    pub(crate) fn require(&self, digits: &str) -> Result<usize, Gs1Error> {
        self.company_prefix_len(digits)
            .ok_or_else(|| Gs1Error::UnknownPrefixLength {
                digits: digits.to_owned(),
            })
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    /// Whether the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_table_reads_without_error() {
        let table = PrefixTable::parse(BUNDLED).unwrap();
        assert!(table.len() > 400);
    }

    #[test]
    fn chinese_prefixes_have_the_lengths_gs1_lists() {
        let table = PrefixTable::bundled();
        assert_eq!(table.company_prefix_len("6901234567892"), Some(7));
        assert_eq!(table.company_prefix_len("6911234567892"), Some(7));
        assert_eq!(table.company_prefix_len("6921234567892"), Some(8));
        assert_eq!(table.company_prefix_len("6931234567890"), Some(8));
        assert_eq!(table.company_prefix_len("6971234567890"), Some(9));
        assert_eq!(table.company_prefix_len("6981234567890"), Some(12));
    }

    #[test]
    fn the_longest_matching_entry_wins() {
        let table = PrefixTable::bundled();
        // China National Tobacco's 10-digit prefix sits inside 690's 7-digit range.
        assert_eq!(table.company_prefix_len("6901028000017"), Some(10));
        assert_eq!(table.company_prefix_len("6901027000017"), Some(7));
    }

    #[test]
    fn gs1_example_prefixes_convert() {
        let table = PrefixTable::bundled();
        for digits in [
            "0614141", "4012345", "0012345", "4023333", "5012345", "0353579", "4000001", "0037000",
        ] {
            assert_eq!(table.company_prefix_len(digits), Some(7), "{digits}");
        }
    }

    #[test]
    fn an_unlisted_prefix_is_unknown_and_the_error_says_what_to_do() {
        let table = PrefixTable::bundled();
        assert_eq!(table.company_prefix_len("1234567890128"), None);
        assert_eq!(
            table.require("1234567890128").unwrap_err().to_string(),
            "company prefix length for 1234567890128 is unknown: add it to the prefix table"
        );
    }

    #[test]
    fn a_malformed_line_is_reported_with_its_position() {
        let err = PrefixTable::parse("690 7\n691 seven\n").unwrap_err();
        assert!(matches!(err, Gs1Error::Syntax { position: 7, .. }), "{err}");
    }

    #[test]
    fn a_length_outside_six_to_twelve_is_refused() {
        assert!(PrefixTable::empty().with_override("690", 5).is_err());
        assert!(PrefixTable::empty().with_override("69a", 7).is_err());
    }
}

//! The one error type of this crate, [`Gs1Error`].
//!
//! Every parser here returns it, and every message says where the problem is and what
//! was expected, because the people reading it are looking at a label or a scanner log.
//! Positions count characters from 1. A position "of serial" (or of any other named part)
//! counts inside that part; a position without "of" counts inside the whole input.
//! This module does not map errors to HTTP or CLI output: that happens at those boundaries.

use std::fmt;

/// A GS1 character set that a value must be drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharacterSet {
    /// Digits only.
    Numeric,
    /// GS1 AI encodable character set 82 (General Specifications figure 7.11-1).
    Cset82,
    /// GS1 AI encodable character set 39 (figure 7.11-2), used by CPID (AI 8010).
    Cset39,
    /// GS1 AI encodable character set 64 (figure 7.11-3), the base64url alphabet used by AI 8030.
    Cset64,
}

impl fmt::Display for CharacterSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CharacterSet::Numeric => "a digit",
            CharacterSet::Cset82 => "in GS1 character set 82",
            CharacterSet::Cset39 => "in GS1 character set 39",
            CharacterSet::Cset64 => "in GS1 character set 64",
        })
    }
}

/// Everything that can go wrong when reading or converting GS1 keys and element strings.
///
/// Parsers never panic on bad input; they return one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Gs1Error {
    /// A value that must not be empty was empty.
    #[error("{what} is empty")]
    Empty {
        /// The part of the input that was empty, e.g. "serial".
        what: &'static str,
    },

    /// A digit string had the wrong number of digits.
    #[error("{what} {text} has {found} digits, expected {expected}")]
    WrongLength {
        /// The kind of value, e.g. "GTIN".
        what: &'static str,
        /// The text as given.
        text: String,
        /// How many characters it has.
        found: usize,
        /// The lengths that are allowed, in words ("14", "8, 12, 13 or 14").
        expected: &'static str,
    },

    /// A value was longer than its GS1 maximum.
    #[error("{what} is {found} characters long, at most {max} are allowed")]
    TooLong {
        /// The part of the input, e.g. "serial".
        what: &'static str,
        /// Its length in characters.
        found: usize,
        /// The maximum the standard allows.
        max: usize,
    },

    /// A check digit did not match the mod-10 calculation.
    #[error("check digit of {what} {text} is {found} at position {position}, expected {expected}")]
    CheckDigit {
        /// The kind of key, e.g. "GTIN".
        what: &'static str,
        /// The key as given.
        text: String,
        /// The check digit found.
        found: u8,
        /// The check digit the other digits call for.
        expected: u8,
        /// Position of the check digit in `text`, from 1.
        position: usize,
    },

    /// A character is outside the character set the value must use.
    #[error("character {found:?} at position {position} of {what} is not {charset}")]
    BadCharacter {
        /// The part of the input, e.g. "serial".
        what: &'static str,
        /// The offending character.
        found: char,
        /// Its position inside that part, from 1.
        position: usize,
        /// The character set the part must use.
        charset: CharacterSet,
    },

    /// A percent sign was not followed by two hexadecimal digits, or encoded a byte that is not ASCII.
    #[error("bad percent-encoding at position {position} of {what}")]
    BadPercentEncoding {
        /// The part of the input, e.g. "serial".
        what: &'static str,
        /// Position of the `%`, from 1.
        position: usize,
    },

    /// An element string named an application identifier this crate does not know.
    #[error("unknown AI ({ai}) at position {position}")]
    UnknownAi {
        /// The digits read as the AI (up to four).
        ai: String,
        /// Position of the AI in the input, from 1.
        position: usize,
    },

    /// An AI's value broke that AI's format.
    #[error("value {value:?} of AI ({ai}) at position {position} {reason}")]
    BadAiValue {
        /// The AI.
        ai: String,
        /// The value as read.
        value: String,
        /// Position of the value in the input, from 1 (0 when the value did not come from a longer text).
        position: usize,
        /// What is wrong, as a phrase that follows the value ("is not a date", ...).
        reason: String,
    },

    /// A date field was not a real date.
    #[error("{text:?} is not a YYMMDD date: {reason}")]
    BadDate {
        /// The six digits as given.
        text: String,
        /// What is wrong with them.
        reason: &'static str,
    },

    /// The company prefix length was needed and the prefix table had no entry for the key.
    #[error("company prefix length for {digits} is unknown: add it to the prefix table")]
    UnknownPrefixLength {
        /// The key's digits that were looked up.
        digits: String,
    },

    /// A company prefix length does not fit the key, or is outside the 6 to 12 digits EPC URNs allow.
    #[error("company prefix length {length} does not fit {what} {text}")]
    PrefixLengthDoesNotFit {
        /// The kind of key.
        what: &'static str,
        /// The key.
        text: String,
        /// The length that was tried.
        length: usize,
    },

    /// The input had a syntax error at a known place.
    #[error("{what}: {reason} at position {position}")]
    Syntax {
        /// What was being read, e.g. "EPC URN".
        what: &'static str,
        /// Position in the input, from 1.
        position: usize,
        /// What was expected there.
        reason: &'static str,
    },

    /// The input is none of the forms this crate reads.
    #[error(
        "not a GS1 key: {text:?} is neither an EPC URN, a GS1 Digital Link URI nor a GS1 element string"
    )]
    NotRecognised {
        /// The beginning of the input.
        text: String,
    },

    /// The EPC scheme is one this crate does not read.
    #[error("EPC scheme {scheme:?} is not supported")]
    UnsupportedScheme {
        /// The scheme name from the URN.
        scheme: String,
    },

    /// A GS1 Digital Link URI uses a primary key or qualifier this crate does not model.
    #[error("GS1 Digital Link path {path:?} is not supported: {reason}")]
    UnsupportedDigitalLink {
        /// The path, from the primary key on.
        path: String,
        /// Why.
        reason: &'static str,
    },

    /// An EPC pattern leaves part of the key open, so it names many keys, not one.
    #[error("EPC pattern {text} is not a single key: parse it with EpcPattern::parse")]
    PatternNotAKey {
        /// The pattern URN.
        text: String,
    },

    /// An element string or Digital Link carried data but no GS1 key.
    #[error("no GS1 key in {what}")]
    NoKey {
        /// What was searched, e.g. "element string".
        what: &'static str,
    },

    /// The key cannot be written in the requested form.
    #[error("{what} has no {form} form: {reason}")]
    NoSuchForm {
        /// The kind of key.
        what: &'static str,
        /// The form asked for.
        form: &'static str,
        /// Why not.
        reason: &'static str,
    },
}

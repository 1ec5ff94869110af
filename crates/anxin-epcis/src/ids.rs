//! Telling what kind of identifier a value is: one object, a class of objects, or something
//! that is not a GS1 key at all.
//!
//! EPCIS fields hold URIs, and GS1 keys are only one kind of URI they may hold. A value that
//! claims to be a GS1 key (an EPC URN, or a web URI whose path carries a GS1 primary-key
//! application identifier the way a Digital Link does) must parse, check digits included;
//! any other URI is left alone. The parsing itself is `anxin-gs1`'s.

use anxin_gs1::{EpcPattern, Gs1Key, KeyKind};

/// The level of an identifier.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Level {
    /// One object: an SGTIN, an SSCC, a GRAI with serial, a location, a party, …
    Instance,
    /// A class of objects: a GTIN, an LGTIN, or an EPC pattern.
    Class,
    /// Not a GS1 key (some other URI).
    NotGs1,
}

impl Level {
    /// Words for error messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Level::Instance => "an identifier of one object",
            Level::Class => "a class identifier (a product or a lot, not one object)",
            Level::NotGs1 => "not a GS1 key",
        }
    }
}

/// The path segments that make a web URI a GS1 Digital Link: the primary-key AIs.
const PRIMARY_KEY_SEGMENTS: &[&str] = &[
    "/01/", "/00/", "/414/", "/417/", "/8003/", "/8004/", "/8006/", "/8010/", "/8017/", "/8018/",
    "/253/", "/255/", "/401/", "/402/",
];

fn is_digital_link(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://"))
        && PRIMARY_KEY_SEGMENTS
            .iter()
            .any(|segment| text.contains(segment))
}

/// Classifies `text`; `Err` carries a sentence saying what is wrong with a would-be GS1 key.
pub(crate) fn classify(text: &str) -> Result<Level, String> {
    if let Some(rest) = text.strip_prefix("urn:epc:idpat:") {
        let _ = rest;
        return EpcPattern::parse(text)
            .map(|_| Level::Class)
            .map_err(|error| format!("`{text}` is not a valid EPC pattern: {error}"));
    }
    if !(text.starts_with("urn:epc:") || is_digital_link(text)) {
        return Ok(Level::NotGs1);
    }
    // `check` gives `parse`'s verdicts without building (and allocating) the key.
    match Gs1Key::check(text) {
        Ok(KeyKind::Gtin | KeyKind::Lgtin) => Ok(Level::Class),
        Ok(_) => Ok(Level::Instance),
        Err(error) => Err(format!("`{text}` is not a valid GS1 key: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_classified_by_level() {
        assert_eq!(
            classify("urn:epc:id:sgtin:0614141.107346.2017"),
            Ok(Level::Instance)
        );
        assert_eq!(
            classify("urn:epc:class:lgtin:4012345.012345.998877"),
            Ok(Level::Class)
        );
        assert_eq!(
            classify("urn:epc:idpat:sgtin:0614141.107346.*"),
            Ok(Level::Class)
        );
        assert_eq!(
            classify("https://id.gs1.org/01/09521234543213/21/7"),
            Ok(Level::Instance)
        );
        assert_eq!(
            classify("https://id.gs1.org/01/09521234543213"),
            Ok(Level::Class)
        );
        assert_eq!(
            classify("http://transaction.acme.com/po/12345678"),
            Ok(Level::NotGs1)
        );
        assert_eq!(
            classify("urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8"),
            Ok(Level::NotGs1)
        );
    }

    #[test]
    fn a_would_be_key_with_a_wrong_check_digit_is_an_error() {
        let error = classify("https://id.gs1.org/01/09521234543214/21/7").unwrap_err();
        assert!(error.contains("check digit"), "{error}");
    }
}

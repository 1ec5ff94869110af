//! GS1 Digital Link URIs (GS1 Digital Link Standard: URI Syntax 1.x), uncompressed form.
//!
//! A link is `http(s)://{any host}/{any path prefix}/{primary AI}/{value}/{qualifier AI}/{value}…
//! ?{attribute AI}={value}&…`. The primary key is found by reading the path from its end two
//! segments at a time: qualifiers first, then the primary key; whatever comes before is the
//! host's own prefix. Numeric AIs are the standard; the short names of Digital Link 1.1
//! (`/gtin/`, `/lot/`, `/ser/`, …), deprecated since 1.2, are still read because the EPCIS
//! event-hash reference reads them, but never written. Compressed links and `linkType`
//! resolution are deliberately not handled: this crate only reads identifiers.

use std::borrow::Cow;

use crate::charset::{is_plain_cset82, percent_decode};
use crate::check_digit::checked_digits;
use crate::element_string::Gs1Data;
use crate::epc::char_position;
use crate::error::Gs1Error;
use crate::keys::{
    Gln, Gs1Key, Gtin, KeyKind, Lgtin, Pgln, Sgln, Sgtin, Sscc, key_from_ai, qualifiers_of,
};

/// The numeric AI for a path segment, accepting Digital Link 1.1 short names.
fn path_ai(segment: &str) -> Option<&'static str> {
    Some(match segment {
        "00" | "sscc" => "00",
        "01" | "gtin" => "01",
        "8006" | "itip" => "8006",
        "8010" | "cpid" => "8010",
        "414" | "gln" => "414",
        "417" | "party" => "417",
        "8017" | "gsrnp" => "8017",
        "8018" | "gsrn" => "8018",
        "255" | "gcn" => "255",
        "253" | "gdti" => "253",
        "401" | "ginc" => "401",
        "402" | "gsin" => "402",
        "8003" | "grai" => "8003",
        "8004" | "giai" => "8004",
        "22" | "cpv" => "22",
        "10" | "lot" => "10",
        "21" | "ser" => "21",
        "235" => "235",
        "254" | "glnx" => "254",
        "8011" | "cpsn" => "8011",
        "8013" | "gmn" => "8013",
        "415" => "415",
        "7040" => "7040",
        "8019" | "srin" => "8019",
        "8020" | "refno" => "8020",
        _ => return None,
    })
}

/// One AI and its still-encoded value from the path, with the value's byte offset.
#[derive(Clone, Copy)]
struct PathElement<'a> {
    ai: &'static str,
    raw_value: &'a str,
    at: usize,
}

/// A Digital Link cut into its primary key, its key qualifiers and its query string.
struct SplitLink<'a> {
    text: &'a str,
    primary: PathElement<'a>,
    qualifiers: Vec<PathElement<'a>>,
    query: &'a str,
    query_at: usize,
}

impl SplitLink<'_> {
    fn error(&self, at: usize, reason: &'static str) -> Gs1Error {
        Gs1Error::Syntax {
            what: "GS1 Digital Link",
            position: char_position(self.text, at),
            reason,
        }
    }

    fn unsupported(&self, reason: &'static str) -> Gs1Error {
        Gs1Error::UnsupportedDigitalLink {
            path: self.text[self.primary.at.saturating_sub(1)..]
                .chars()
                .take(60)
                .collect(),
            reason,
        }
    }

    fn qualifier(&self, ai: &str) -> Option<&PathElement<'_>> {
        self.qualifiers.iter().find(|element| element.ai == ai)
    }
}

/// Splits a link into scheme, host, path elements and query; finds the primary key.
fn split(text: &str) -> Result<SplitLink<'_>, Gs1Error> {
    let syntax = |at: usize, reason| Gs1Error::Syntax {
        what: "GS1 Digital Link",
        position: char_position(text, at),
        reason,
    };
    let scheme_len = if text
        .get(..8)
        .is_some_and(|start| start.eq_ignore_ascii_case("https://"))
    {
        8
    } else if text
        .get(..7)
        .is_some_and(|start| start.eq_ignore_ascii_case("http://"))
    {
        7
    } else {
        return Err(syntax(0, "expected \"https://\" or \"http://\""));
    };
    let end = text.find('#').unwrap_or(text.len());
    let (before_query, query, query_at) = match text[..end].find('?') {
        Some(at) => (&text[..at], &text[at + 1..end], at + 1),
        None => (&text[..end], "", end),
    };
    let path_at = before_query[scheme_len..]
        .find('/')
        .map_or(before_query.len(), |at| scheme_len + at);
    if path_at == scheme_len {
        return Err(syntax(scheme_len, "expected a host name"));
    }
    let mut segments: Vec<(&str, usize)> = Vec::with_capacity(8);
    let mut offset = path_at + 1;
    if path_at < before_query.len() {
        for segment in before_query[path_at + 1..].split('/') {
            segments.push((segment, offset));
            offset += segment.len() + 1;
        }
    }
    // One trailing slash is tolerated, as resolvers do.
    if segments
        .last()
        .is_some_and(|(segment, _)| segment.is_empty())
    {
        segments.pop();
    }
    // Read pairs from the end: qualifiers, then the primary key.
    let mut qualifiers = Vec::new();
    let mut end_idx = segments.len();
    loop {
        if end_idx < 2 {
            return Err(syntax(
                path_at,
                "expected a GS1 primary key such as /01/{GTIN} in the path",
            ));
        }
        let (ai_segment, ai_at) = segments[end_idx - 2];
        let (raw_value, at) = segments[end_idx - 1];
        let Some(ai) = path_ai(ai_segment) else {
            return Err(syntax(
                ai_at,
                "expected a GS1 primary key such as /01/{GTIN} in the path",
            ));
        };
        let element = PathElement { ai, raw_value, at };
        if raw_value.is_empty() {
            return Err(syntax(at, "expected a value after the AI"));
        }
        if qualifiers_of(ai).is_some() || matches!(ai, "8013" | "415") {
            qualifiers.reverse();
            return Ok(SplitLink {
                text,
                primary: element,
                qualifiers,
                query,
                query_at,
            });
        }
        qualifiers.push(element);
        end_idx -= 2;
    }
}

fn decode<'a>(element: &PathElement<'a>) -> Result<Cow<'a, str>, Gs1Error> {
    percent_decode(element.raw_value, "Digital Link value")
}

/// Checks that the qualifiers are ones the primary key takes, in the standard's order.
fn check_qualifiers(link: &SplitLink<'_>) -> Result<(), Gs1Error> {
    let Some(allowed) = qualifiers_of(link.primary.ai) else {
        return Err(link.unsupported("this crate does not model that primary key"));
    };
    let mut next_allowed = 0;
    for qualifier in &link.qualifiers {
        match allowed[next_allowed..]
            .iter()
            .position(|ai| *ai == qualifier.ai)
        {
            Some(found) => next_allowed += found + 1,
            None if allowed.contains(&qualifier.ai) => {
                return Err(link.error(qualifier.at, "key qualifiers are out of order or repeated"));
            }
            None => {
                return Err(
                    link.unsupported("this crate does not model that key qualifier for this key")
                );
            }
        }
    }
    // A GTIN takes either CPV, lot and serial, or the third-party extension, never both.
    if link.primary.ai == "01" && link.qualifier("235").is_some() && link.qualifiers.len() > 1 {
        return Err(link.unsupported("AI 235 cannot be combined with other qualifiers"));
    }
    Ok(())
}

/// Reads the key of a Digital Link, ignoring its query string.
pub(crate) fn parse_key(text: &str) -> Result<Gs1Key, Gs1Error> {
    match fast_key(text) {
        Some(key) => Ok(key),
        None => parse_key_general(text),
    }
}

/// Reads the links that carry nearly every Digital Link EPC (a GTIN with a serial or a lot,
/// a GTIN, an SSCC, a GLN with or without extension, a party GLN) when the scheme is in lower
/// case and the values need no decoding; `None` for anything else.
///
/// Every EPC of every captured event is parsed, and the general parser collects the path into
/// vectors and copies qualifier values. This one reads the last path segments with slices and
/// builds the key digits in stack arrays. It declines whenever the general parser could answer
/// otherwise than with this key, which includes every error, so results and error messages
/// stay the general parser's. A property test compares the two.
fn fast_key(text: &str) -> Option<Gs1Key> {
    Some(match fast_fields(text)? {
        FastLink::Gtin(gtin) => Gs1Key::Gtin(Gtin::from_array(gtin)),
        FastLink::Sscc(sscc) => Gs1Key::Sscc(Sscc::from_array(sscc)),
        FastLink::Sgln(gln, extension) => {
            Gs1Key::Sgln(Sgln::new(Gln::from_array(gln), extension).ok()?)
        }
        FastLink::Pgln(gln) => Gs1Key::Pgln(Pgln::new(Gln::from_array(gln))),
        FastLink::Sgtin(gtin, serial) => {
            Gs1Key::Sgtin(Sgtin::new(Gtin::from_array(gtin), serial).ok()?)
        }
        FastLink::Lgtin(gtin, lot) => Gs1Key::Lgtin(Lgtin::new(Gtin::from_array(gtin), lot).ok()?),
    })
}

/// The kind of key [`fast_key`] would build from `text`, without building it: `None` exactly
/// when `fast_key` declines. Validation only needs to know which kind of key an EPC is, and
/// building one allocates its serial or lot.
pub(crate) fn fast_kind(text: &str) -> Option<KeyKind> {
    Some(match fast_fields(text)? {
        FastLink::Gtin(_) => KeyKind::Gtin,
        FastLink::Sscc(_) => KeyKind::Sscc,
        FastLink::Sgln(..) => KeyKind::Sgln,
        FastLink::Pgln(_) => KeyKind::Pgln,
        FastLink::Sgtin(..) => KeyKind::Sgtin,
        FastLink::Lgtin(..) => KeyKind::Lgtin,
    })
}

/// What the fast path read from a link, every check made: key digits with a right check
/// digit, and qualifier values that are plain set-82 text the key's constructor accepts.
enum FastLink<'a> {
    Gtin([u8; 14]),
    Sscc([u8; 18]),
    Sgln([u8; 13], Option<&'a str>),
    Pgln([u8; 13]),
    Sgtin([u8; 14], &'a str),
    Lgtin([u8; 14], &'a str),
}

fn fast_fields(text: &str) -> Option<FastLink<'_>> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))?;
    // As in `split`: the key ends at the query or the fragment, whichever comes first, and
    // the path starts at the first slash after the host. Byte loops, because links are short
    // and `str` searchers cost more to set up than these scans take.
    let bytes = rest.as_bytes();
    let end = bytes
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(bytes.len());
    let host_len = bytes[..end].iter().position(|&b| b == b'/')?;
    if host_len == 0 {
        return None;
    }
    let path = rest.get(host_len + 1..end)?;
    // One trailing slash is tolerated, as in `split`.
    let path = path.strip_suffix('/').unwrap_or(path);
    // The path is read from its end, as `split` does; whatever precedes the key is the host's.
    let (path, value) = split_last_segment(path)?;
    let (path, ai) = split_last_segment(path)?;
    let gtin = |value: &str| checked_digits::<14>(value, &[8, 12, 13, 14]);
    let gln = |value: &str| checked_digits::<13>(value, &[13]);
    // A plain value is its own decoding, and passes the AI's check and the key's constructor.
    fn plain(value: &str) -> Option<&str> {
        is_plain_cset82(value.as_bytes(), 20, false).then_some(value)
    }
    Some(match ai {
        "01" => FastLink::Gtin(gtin(value)?),
        "00" => FastLink::Sscc(checked_digits::<18>(value, &[18])?),
        "414" => FastLink::Sgln(gln(value)?, None),
        "417" => FastLink::Pgln(gln(value)?),
        "21" | "10" | "254" => {
            let (path, primary_value) = split_last_segment(path)?;
            let (_, primary_ai) = split_last_segment(path)?;
            match (primary_ai, ai) {
                ("01", "21") => FastLink::Sgtin(gtin(primary_value)?, plain(value)?),
                ("01", "10") => FastLink::Lgtin(gtin(primary_value)?, plain(value)?),
                ("414", "254") => FastLink::Sgln(gln(primary_value)?, Some(plain(value)?)),
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// Splits a path before its last segment: `("a/b", "c")` for `"a/b/c"`, `("", "c")` for
/// `"c"`; `None` once nothing is left, including the empty path.
fn split_last_segment(path: &str) -> Option<(&str, &str)> {
    if path.is_empty() {
        return None;
    }
    Some(match path.bytes().rposition(|b| b == b'/') {
        Some(at) => (path.get(..at)?, path.get(at + 1..)?),
        None => ("", path),
    })
}

/// Reads the key of any Digital Link [`parse_key`] accepts, the general way.
fn parse_key_general(text: &str) -> Result<Gs1Key, Gs1Error> {
    let link = split(text)?;
    check_qualifiers(&link)?;
    let mut decoded = Vec::with_capacity(link.qualifiers.len());
    for qualifier in &link.qualifiers {
        let value = decode(qualifier)?;
        // Qualifiers the key does not keep (a CPV, a lot beside a serial) are still checked.
        if let Some(info) = crate::ai::AiInfo::lookup(qualifier.ai) {
            info.check_value(qualifier.ai, &value, char_position(text, qualifier.at))?;
        }
        decoded.push((qualifier.ai, value));
    }
    let primary_value = decode(&link.primary)?;
    key_from_ai(link.primary.ai, &primary_value, &|ai| {
        decoded
            .iter()
            .find(|(qualifier_ai, _)| *qualifier_ai == ai)
            .map(|(_, value)| value.clone().into_owned())
    })
}

/// Reads every AI of a Digital Link, path and query string, into element-string data.
///
/// Query parameters whose names are not digits (`linkType`, tracking parameters) are not GS1
/// data and are skipped; a numeric name that is not a known AI is an error.
pub(crate) fn parse_data(text: &str) -> Result<Gs1Data, Gs1Error> {
    let link = split(text)?;
    check_qualifiers(&link)?;
    let mut data = Gs1Data::default();
    for element in std::iter::once(&link.primary).chain(&link.qualifiers) {
        data.push_at(
            element.ai,
            &decode(element)?,
            char_position(text, element.at),
        )?;
    }
    let mut offset = link.query_at;
    for parameter in link.query.split('&') {
        let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
            let value_at = offset + name.len() + 1;
            let value = percent_decode(value, "Digital Link query value")?;
            data.push_at(name, &value, char_position(text, value_at))?;
        }
        offset += parameter.len() + 1;
    }
    Ok(data)
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use crate::prefix_table::PrefixTable;
    use proptest::prelude::*;

    /// A number of `len` digits whose check digit is right unless `bad_check`.
    fn number(digits: &str, len: usize, bad_check: bool) -> String {
        let body = &digits[..len - 1];
        let check = (crate::check_digit(body) + u8::from(bad_check)) % 10;
        format!("{body}{check}")
    }

    /// A path value: a number of a key's length, or text.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            (
                proptest::sample::select(vec![8usize, 12, 13, 14, 18, 11]),
                "[0-9]{20}",
                proptest::bool::weighted(0.2),
            )
                .prop_map(|(len, digits, bad)| number(&digits, len, bad)),
            "[0-9A-Za-z%.!*'()_,;:=+-]{0,22}",
        ]
    }

    /// Links near the ones the fast path reads: several hosts and path prefixes, primary keys
    /// with and without a qualifier, queries, fragments, and one inserted character now and then.
    fn link_text() -> impl Strategy<Value = String> {
        (
            proptest::sample::select(vec!["https://", "http://", "HTTPS://", "https:/"]),
            proptest::sample::select(vec!["id.gs1.org", "", "example.com:8080", "a?b", "a#b"]),
            proptest::sample::select(vec!["", "/p", "/01/x", "/21", "/"]),
            proptest::sample::select(vec!["01", "00", "414", "417", "gtin", "8003", "21", "10"]),
            value(),
            proptest::option::of((
                proptest::sample::select(vec!["21", "10", "254", "22", "235", "ser", "01"]),
                value(),
            )),
            proptest::sample::select(vec!["", "", "", "/", "//", "?17=290101", "#f", "?a#b"]),
            proptest::option::weighted(
                0.3,
                (
                    any::<proptest::sample::Index>(),
                    proptest::sample::select(vec!['/', 'a', '%', ' ', '0', '?', 'é', '#']),
                ),
            ),
        )
            .prop_map(
                |(scheme, host, prefix, ai, value, qualifier, end, mutation)| {
                    let mut text = format!("{scheme}{host}{prefix}/{ai}/{value}");
                    if let Some((ai, value)) = qualifier {
                        text.push_str(&format!("/{ai}/{value}"));
                    }
                    text.push_str(end);
                    if let Some((at, ch)) = mutation {
                        let mut chars: Vec<char> = text.chars().collect();
                        chars.insert(at.index(chars.len() + 1), ch);
                        text = chars.into_iter().collect();
                    }
                    text
                },
            )
    }

    /// The prefix length a key remembers, which key equality ignores.
    fn hint(key: &Result<Gs1Key, Gs1Error>) -> Option<Result<usize, Gs1Error>> {
        key.as_ref()
            .ok()
            .map(|key| key.company_prefix_len(&PrefixTable::empty()))
    }

    #[test]
    fn the_fast_path_reads_the_common_links() {
        for link in [
            "https://id.gs1.org/01/09521234543213/21/7",
            "https://id.gs1.org/01/09521234543213/10/ABC1",
            "https://id.gs1.org/01/09521234543213",
            "http://example.com/p/01/9521234543213/21/7?17=290101",
            "https://id.gs1.org/00/106141412345678908",
            "https://id.gs1.org/414/0614141123452/254/400",
            "https://id.gs1.org/414/0614141123452",
            "https://id.gs1.org/417/0614141123452/",
        ] {
            let fast = fast_key(link).expect(link);
            assert_eq!(
                format!("{fast:?}"),
                format!("{:?}", parse_key_general(link).unwrap())
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn the_fast_path_answers_as_the_general_parser(text in link_text()) {
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

    #[track_caller]
    fn canonical(text: &str) -> String {
        Gs1Key::parse(text).unwrap().to_digital_link()
    }

    #[test]
    fn any_host_and_path_prefix_give_the_canonical_link() {
        assert_eq!(
            canonical("https://example.com/some/path/01/09521234543213/21/12345?17=290101"),
            "https://id.gs1.org/01/09521234543213/21/12345"
        );
        assert_eq!(
            canonical("HTTP://Example.COM/01/9521234543213/"),
            "https://id.gs1.org/01/09521234543213"
        );
    }

    #[test]
    fn a_serial_beside_a_lot_wins_and_a_cpv_is_dropped() {
        assert_eq!(
            canonical("https://id.gs1.org/01/09521234543213/22/A/10/ABC/21/12345"),
            "https://id.gs1.org/01/09521234543213/21/12345"
        );
    }

    #[test]
    fn short_names_of_digital_link_one_one_are_read() {
        assert_eq!(
            canonical("https://id.gs1.org/gtin/9521234543213/lot/ABC1"),
            "https://id.gs1.org/01/09521234543213/10/ABC1"
        );
    }

    #[test]
    fn percent_encoded_values_are_decoded_and_re_encoded_canonically() {
        assert_eq!(
            canonical("https://a.example/01/09521234543213/21/A%2fB'C"),
            "https://id.gs1.org/01/09521234543213/21/A%2FB%27C"
        );
    }

    #[test]
    fn qualifiers_out_of_order_are_rejected_with_a_position() {
        let err = Gs1Key::parse("https://id.gs1.org/01/09521234543213/21/1/10/2").unwrap_err();
        assert_eq!(
            err.to_string(),
            "GS1 Digital Link: key qualifiers are out of order or repeated at position 46"
        );
    }

    #[test]
    fn a_link_without_a_key_is_rejected() {
        let err = Gs1Key::parse("https://example.com/products/42").unwrap_err();
        assert!(matches!(err, Gs1Error::Syntax { .. }), "{err}");
    }

    #[test]
    fn a_wrong_check_digit_in_a_link_is_reported() {
        let err = Gs1Key::parse("https://id.gs1.org/01/09521234543214").unwrap_err();
        assert_eq!(
            err.to_string(),
            "check digit of GTIN 09521234543214 is 4 at position 14, expected 3"
        );
    }

    #[test]
    fn query_parameters_become_element_string_data() {
        let data = Gs1Data::parse(
            "https://example.com/01/09521234543213/10/ABC?17=261231&linkType=gs1:pip&3103=000500",
        )
        .unwrap();
        assert_eq!(
            data.to_bracketed(),
            "(01)09521234543213(10)ABC(17)261231(3103)000500"
        );
    }
}

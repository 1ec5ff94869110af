//! GS1 identifiers in the pre-hash string: EPC URNs and GS1 Digital Link URIs become the
//! canonical Digital Link on `https://id.gs1.org`, so that both spellings of one object
//! hash alike.
//!
//! The conversion itself is [`anxin_gs1::canonical_digital_link`]. This module only decides
//! which values to hand it, the way the reference implementation decides: values that
//! start with `urn:epc:` or `http(s)://` and contain a dot. A value that is no GS1 identifier
//! (a plain URI, a business transaction number, a sensor data URL) stays as written.
//!
//! Two shortcuts keep hashing fast, since converting identifiers is most of its work: links
//! that are already canonical (the platform stores them that way) are their own canonical
//! form, and the three most common EPC URNs (SGTIN, SSCC, SGLN) with plain serials are
//! converted here directly. A property test checks both against the crate's conversion.

/// The canonical Digital Link host and the slash after it.
const CANONICAL_STEM: &str = "https://id.gs1.org/";

/// Appends the canonical Digital Link of `text` and returns true, or appends nothing and
/// returns false when `text` is not a GS1 identifier.
pub(crate) fn push_canonical(out: &mut String, text: &str) -> bool {
    if !is_candidate(text) {
        return false;
    }
    if is_canonical_link(text) {
        out.push_str(text);
        return true;
    }
    if push_common_urn(out, text) {
        return true;
    }
    match anxin_gs1::canonical_digital_link(text) {
        Ok(link) => {
            out.push_str(&link);
            true
        }
        Err(_) => false,
    }
}

/// True for text the reference tries to read as a GS1 identifier.
fn is_candidate(text: &str) -> bool {
    (text.starts_with("urn:epc:") || text.starts_with("https://") || text.starts_with("http://"))
        && text.contains('.')
}

/// True when `text` is written exactly as [`anxin_gs1::canonical_digital_link`] would write
/// it, had it accepted it: the canonical host, a key of the right number of digits, at most
/// the one qualifier the canonical form keeps, no query, and values of `A-Z a-z 0-9 - . _`
/// only (the characters it never percent-encodes).
///
/// Such text is its own canonical form. If the crate would refuse it (a wrong check digit, a
/// serial too long), the text stays as written, which is the same string, so nothing
/// needs checking here.
fn is_canonical_link(text: &str) -> bool {
    let Some(path) = text.strip_prefix(CANONICAL_STEM) else {
        return false;
    };
    let mut segments = path.split('/');
    let (Some(ai), Some(key)) = (segments.next(), segments.next()) else {
        return false;
    };
    let qualifier = (segments.next(), segments.next());
    if segments.next().is_some() {
        return false;
    }
    let key_digits = match ai {
        "01" => 14,
        "00" => 18,
        "414" | "417" => 13,
        _ => return false,
    };
    if key.len() != key_digits || !key.bytes().all(|byte| byte.is_ascii_digit()) {
        return false;
    }
    match (ai, qualifier) {
        (_, (None, None)) => true,
        // An SGLN extension of `0` means none; the canonical link leaves it out.
        ("414", (Some("254"), Some(value))) => value != "0" && is_literal(value),
        ("01", (Some("10" | "21"), Some(value))) => is_literal(value),
        _ => false,
    }
}

/// Appends the canonical link of an SGTIN, SSCC, SGLN, PGLN or LGTIN URN written in the plain
/// form most data uses, and returns true; returns false, having appended nothing, for
/// anything else.
///
/// "Plain" means a company prefix of 6 to 12 digits, references of the right length, and a
/// serial, lot or extension of at most 20 characters that need neither EPC escapes nor
/// percent-encoding. Those are exactly the URNs [`anxin_gs1::canonical_digital_link`] accepts
/// and writes without any change to the serial, so the result is the same.
fn push_common_urn(out: &mut String, text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("urn:epc:id:")
        .or_else(|| text.strip_prefix("urn:epc:class:"))
    else {
        return false;
    };
    let Some((scheme, body)) = rest.split_once(':') else {
        return false;
    };
    let mut fields = body.splitn(3, '.');
    let (Some(prefix), Some(reference)) = (fields.next(), fields.next()) else {
        return false;
    };
    let last = fields.next();
    if !(6..=12).contains(&prefix.len()) || !is_digits(prefix) || !is_digits(reference) {
        return false;
    }
    let is_class = text.as_bytes()[8] == b'c';
    match (scheme, last) {
        (scheme @ ("sgtin" | "lgtin"), Some(value))
            if (scheme == "lgtin") == is_class
                && prefix.len() + reference.len() == 13
                && is_literal(value)
                && value.len() <= 20 =>
        {
            let (indicator, item) = reference.split_at(1);
            push_key(out, "01/", &[indicator, prefix, item]);
            out.push_str(if is_class { "/10/" } else { "/21/" });
            out.push_str(value);
            true
        }
        _ if is_class => false,
        ("pgln", None) if prefix.len() + reference.len() == 12 => {
            push_key(out, "417/", &[prefix, reference]);
            true
        }
        ("sscc", None) if prefix.len() + reference.len() == 17 => {
            let (extension, serial) = reference.split_at(1);
            push_key(out, "00/", &[extension, prefix, serial]);
            true
        }
        ("sgln", Some(extension))
            if prefix.len() + reference.len() == 12
                && is_literal(extension)
                && extension.len() <= 20 =>
        {
            push_key(out, "414/", &[prefix, reference]);
            if extension != "0" {
                out.push_str("/254/");
                out.push_str(extension);
            }
            true
        }
        _ => false,
    }
}

/// Appends the canonical stem, `ai_and_slash` and the key made of `pieces` and its check digit.
fn push_key(out: &mut String, ai_and_slash: &str, pieces: &[&str]) {
    out.push_str(CANONICAL_STEM);
    out.push_str(ai_and_slash);
    let body_start = out.len();
    for piece in pieces {
        out.push_str(piece);
    }
    let check = anxin_gs1::check_digit(&out[body_start..]);
    out.push(char::from(b'0' + check));
}

/// True for a non-empty string of ASCII digits.
fn is_digits(text: &str) -> bool {
    text.bytes().all(|byte| byte.is_ascii_digit())
}

/// True for a non-empty value that needs no percent-encoding in a canonical link.
fn is_literal(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canonical(text: &str) -> Option<String> {
        let mut out = String::new();
        push_canonical(&mut out, text).then_some(out)
    }

    #[test]
    fn epc_urns_and_links_on_any_host_become_the_canonical_link() {
        let canonical_sgtin = "https://id.gs1.org/01/10614141073464/21/2017";
        for text in [
            "urn:epc:id:sgtin:0614141.107346.2017",
            "https://example.com/01/10614141073464/21/2017",
            "https://id.gs1.org/01/10614141073464/10/L1/21/2017?17=290101",
            "http://id.gs1.org/01/10614141073464/21/2017",
            canonical_sgtin,
        ] {
            assert_eq!(canonical(text).as_deref(), Some(canonical_sgtin), "{text}");
        }
        assert_eq!(
            canonical("urn:epc:id:sgln:0614141.12345.0").as_deref(),
            Some("https://id.gs1.org/414/0614141123452")
        );
    }

    #[test]
    fn values_that_are_no_gs1_identifier_stay_as_written() {
        for text in [
            "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
            "https://example.com/po/12345",
            "http://transaction.acme.com/po/12345678",
            "URN:EPC:ID:SGTIN:0614141.107346.2017",
            "urn:epc:id:sgtin:0614141107346",
            "(01)10614141073464(21)2017",
        ] {
            assert_eq!(canonical(text), None, "{text}");
        }
    }

    #[test]
    fn the_canonical_shortcut_agrees_with_the_gs1_crate() {
        for text in [
            "https://id.gs1.org/01/10614141073464/21/2017",
            "https://id.gs1.org/01/10614141073464/10/ABC-1.2_3",
            "https://id.gs1.org/01/10614141073464",
            "https://id.gs1.org/00/106141412345678908",
            "https://id.gs1.org/414/0614141123452",
            "https://id.gs1.org/414/0614141123452/254/12",
            "https://id.gs1.org/417/0614141123452",
        ] {
            assert!(is_canonical_link(text), "{text}");
            assert_eq!(
                anxin_gs1::canonical_digital_link(text).as_deref(),
                Ok(text),
                "{text}"
            );
        }
        for text in [
            "https://id.gs1.org/414/0614141123452/254/0",
            "https://id.gs1.org/01/0614141073467/21/2017",
            "https://id.gs1.org/01/10614141073464/21/20%2F17",
            "https://id.gs1.org/01/10614141073464/21/2017?17=290101",
            "https://id.gs1.org/01/10614141073464/10/L1/21/2017",
            "https://id.gs1.org/8004/0614141ABC",
        ] {
            assert!(!is_canonical_link(text), "{text}");
        }
    }

    /// What the pre-hash string gets for `text` without the shortcuts: the crate's
    /// conversion, or the text as written when the crate refuses it.
    fn without_shortcuts(text: &str) -> String {
        match is_candidate(text) {
            true => anxin_gs1::canonical_digital_link(text).unwrap_or_else(|_| text.to_owned()),
            false => text.to_owned(),
        }
    }

    /// What the pre-hash string gets for `text` with them.
    fn with_shortcuts(text: &str) -> String {
        canonical(text).unwrap_or_else(|| text.to_owned())
    }

    /// URNs and links near the forms the shortcuts take, valid and not.
    fn identifiers() -> impl Strategy<Value = String> {
        let digits = |n: std::ops::RangeInclusive<usize>| {
            proptest::collection::vec(0u8..10, n).prop_map(|digits| {
                digits
                    .into_iter()
                    .map(|d| char::from(b'0' + d))
                    .collect::<String>()
            })
        };
        let serial = || proptest::string::string_regex("[A-Za-z0-9._%'!-]{0,22}").unwrap();
        let scheme = prop_oneof![
            Just("id:sgtin"),
            Just("id:sscc"),
            Just("id:sgln"),
            Just("id:pgln"),
            Just("id:giai"),
            Just("class:lgtin"),
            Just("class:sgtin"),
            Just("id:lgtin"),
        ];
        let urn = (
            scheme,
            digits(5..=13),
            digits(0..=13),
            proptest::option::of(serial()),
        )
            .prop_map(|(scheme, prefix, reference, last)| match last {
                Some(last) => format!("urn:epc:{scheme}:{prefix}.{reference}.{last}"),
                None => format!("urn:epc:{scheme}:{prefix}.{reference}"),
            });
        let ai = prop_oneof![
            Just("01"),
            Just("00"),
            Just("414"),
            Just("417"),
            Just("8004")
        ];
        let qualifier = prop_oneof![Just("10"), Just("21"), Just("254"), Just("22")];
        let link = (
            ai,
            digits(12..=19),
            proptest::option::of((qualifier, serial())),
        )
            .prop_map(|(ai, key, qualifier)| match qualifier {
                Some((qualifier, value)) => {
                    format!("https://id.gs1.org/{ai}/{key}/{qualifier}/{value}")
                }
                None => format!("https://id.gs1.org/{ai}/{key}"),
            });
        prop_oneof![urn, link]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn the_shortcuts_give_what_the_gs1_crate_gives(text in identifiers()) {
            prop_assert_eq!(with_shortcuts(&text), without_shortcuts(&text));
        }

        #[test]
        fn valid_common_urns_take_the_shortcut(
            prefix_len in 6usize..=12,
            digits in proptest::collection::vec(0u8..10, 17),
            serial in "[A-Za-z0-9._-]{1,20}",
        ) {
            let digits: String = digits.into_iter().map(|d| char::from(b'0' + d)).collect();
            let (prefix, rest) = digits.split_at(prefix_len);
            let sgtin = format!("urn:epc:id:sgtin:{prefix}.{}.{serial}", &rest[..13 - prefix_len]);
            let sscc = format!("urn:epc:id:sscc:{prefix}.{}", &rest[..17 - prefix_len]);
            let sgln = format!("urn:epc:id:sgln:{prefix}.{}.{serial}", &rest[..12 - prefix_len]);
            let pgln = format!("urn:epc:id:pgln:{prefix}.{}", &rest[..12 - prefix_len]);
            let lgtin = format!("urn:epc:class:lgtin:{prefix}.{}.{serial}", &rest[..13 - prefix_len]);
            for urn in [sgtin, sscc, sgln, pgln, lgtin] {
                let mut out = String::new();
                prop_assert!(push_common_urn(&mut out, &urn), "{}", urn);
                prop_assert_eq!(out, without_shortcuts(&urn));
            }
        }
    }
}

//! GS1 identifiers in the pre-hash string: EPC URNs and GS1 Digital Link URIs become the
//! canonical Digital Link on `https://id.gs1.org`, so that both spellings of one object
//! hash alike.
//!
//! The conversion itself is [`anxin_gs1::canonical_digital_link`]. This module only decides
//! which values to hand it, the way the reference implementation decides: values that
//! start with `urn:epc:` or `http(s)://` and contain a dot. A value that is no GS1 identifier
//! (a plain URI, a business transaction number, a sensor data URL) stays as written.

/// Appends the canonical Digital Link of `text` and returns true, or appends nothing and
/// returns false when `text` is not a GS1 identifier.
pub(crate) fn push_canonical(out: &mut String, text: &str) -> bool {
    if !is_candidate(text) {
        return false;
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
    text.contains('.')
        && (text.starts_with("urn:epc:")
            || text.starts_with("https://")
            || text.starts_with("http://"))
}

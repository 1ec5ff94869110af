//! Fuzzes the GS1 parser: any code it accepts must come back as the same key from every
//! form it can be written in (Digital Link, element strings, EPC URN).
#![no_main]

use anxin_gs1::{Gs1Data, Gs1Key, PrefixTable};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(key) = Gs1Key::parse(text) else { return };
    let forms = [key.to_digital_link(), key.to_element_string()];
    for form in forms {
        let again = Gs1Key::parse(&form).unwrap_or_else(|error| panic!("{form}: {error}"));
        assert_eq!(again, key, "{text} -> {form}");
    }
    // The raw form without a symbology prefix is ambiguous on its own (`4016016442040` is a
    // GINC as a raw element string and a GTIN-13 as a scanner sends it, and `Gs1Key::parse`
    // reads bare digits as a GTIN), so it is read back as what it is: a raw element string.
    let raw = key.to_raw_element_string();
    let again = Gs1Data::parse_raw(&raw)
        .and_then(|data| data.key())
        .unwrap_or_else(|error| panic!("{raw:?}: {error}"));
    assert_eq!(again, key, "{text} -> {raw:?}");
    if let Ok(urn) = key.to_epc_urn(&PrefixTable::bundled()) {
        let again = Gs1Key::parse(&urn).unwrap_or_else(|error| panic!("{urn}: {error}"));
        assert_eq!(again, key, "{text} -> {urn}");
    }
});

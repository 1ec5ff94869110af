//! Inputs that once broke an assumption, named after what they showed.

use anxin_gs1::{Gs1Data, Gs1Key};

/// Found by the `gs1_parse` fuzz target in its first minute: the raw element string of a GINC,
/// `(401)6016442040` written without brackets, is also thirteen bare digits, which a retail
/// scanner sends for an EAN-13. `Gs1Key::parse` reads bare digits as the scanner's GTIN (here
/// one with a wrong check digit), so a
/// raw element string must be read back as raw, with `Gs1Data::parse_raw`.
#[test]
fn a_raw_element_string_of_bare_digits_is_read_back_as_raw_not_as_a_gtin() {
    let ginc = Gs1Key::parse("(401)6016442040").unwrap();
    let raw = ginc.to_raw_element_string();
    assert_eq!(raw, "4016016442040");
    assert_eq!(Gs1Data::parse_raw(&raw).unwrap().key().unwrap(), ginc);
    // Read as the scanner's EAN-13, the same digits fail the GTIN check digit.
    let as_gtin = Gs1Key::parse(&raw).unwrap_err().to_string();
    assert!(as_gtin.contains("check digit"), "{as_gtin}");
}

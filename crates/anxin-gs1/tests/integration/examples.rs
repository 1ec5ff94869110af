//! GS1's published examples and Chinese product codes, each checked in every form.
//!
//! One `check` function is the only caller of the conversion API, so the API can change
//! without rewriting the table.

use anxin_gs1::{Gs1Data, Gs1Error, Gs1Key, PrefixTable, canonical_digital_link};

/// Reads `input`, then checks the key's canonical Digital Link, EPC URN (prefix length from
/// the bundled table) and bracketed element string, and that each of those reads back as the same key.
#[track_caller]
fn check(input: &str, digital_link: &str, epc_urn: &str, element_string: &str) {
    let table = PrefixTable::bundled();
    let key = Gs1Key::parse(input).unwrap_or_else(|err| panic!("{input}: {err}"));
    assert_eq!(key.to_digital_link(), digital_link, "{input}");
    assert_eq!(key.to_epc_urn(&table).unwrap(), epc_urn, "{input}");
    assert_eq!(key.to_element_string(), element_string, "{input}");
    for form in [
        digital_link,
        epc_urn,
        element_string,
        &key.to_raw_element_string(),
    ] {
        assert_eq!(Gs1Key::parse(form).unwrap(), key, "{form}");
    }
    assert_eq!(canonical_digital_link(input).unwrap(), digital_link);
}

#[test]
fn tag_data_standard_and_epcis_examples() {
    #[rustfmt::skip]
    let table = [
        // EPCIS 2.0 examples: the indicator digit leads the item reference.
        ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017", "urn:epc:id:sgtin:0614141.107346.2017", "(01)10614141073464(21)2017"),
        ("(01) 80614141123458 (21) 6789", "https://id.gs1.org/01/80614141123458/21/6789", "urn:epc:id:sgtin:0614141.812345.6789", "(01)80614141123458(21)6789"),
        ("urn:epc:id:sgtin:0614141.112345.400", "https://id.gs1.org/01/10614141123459/21/400", "urn:epc:id:sgtin:0614141.112345.400", "(01)10614141123459(21)400"),
        ("(00) 106141412345678908", "https://id.gs1.org/00/106141412345678908", "urn:epc:id:sscc:0614141.1234567890", "(00)106141412345678908"),
        ("(414) 0614141123452 (254) 400", "https://id.gs1.org/414/0614141123452/254/400", "urn:epc:id:sgln:0614141.12345.400", "(414)0614141123452(254)400"),
        ("(414) 0614141123452", "https://id.gs1.org/414/0614141123452", "urn:epc:id:sgln:0614141.12345.0", "(414)0614141123452"),
        ("(8003) 00614141123452400", "https://id.gs1.org/8003/00614141123452400", "urn:epc:id:grai:0614141.12345.400", "(8003)00614141123452400"),
        ("(8004) 0614141ABC-123", "https://id.gs1.org/8004/0614141ABC-123", "urn:epc:id:giai:0614141.ABC-123", "(8004)0614141ABC-123"),
        ("(417) 0614141123452", "https://id.gs1.org/417/0614141123452", "urn:epc:id:pgln:0614141.12345", "(417)0614141123452"),
        ("urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877", "urn:epc:class:lgtin:4012345.012345.998877", "(01)04012345123456(10)998877"),
        ("urn:epc:idpat:sgtin:4012345.098765.*", "https://id.gs1.org/01/04012345987652", "urn:epc:idpat:sgtin:4012345.098765.*", "(01)04012345987652"),
        // GS1 Digital Link examples, on any host and path.
        ("https://example.com/some/path/01/09521234543213/21/12345?17=290101", "https://id.gs1.org/01/09521234543213/21/12345", "urn:epc:id:sgtin:9521234.054321.12345", "(01)09521234543213(21)12345"),
        ("https://id.gs1.org/01/09520123456788/10/ABC1", "https://id.gs1.org/01/09520123456788/10/ABC1", "urn:epc:class:lgtin:952012.0345678.ABC1", "(01)09520123456788(10)ABC1"),
    ];
    for (input, digital_link, epc_urn, element_string) in table {
        check(input, digital_link, epc_urn, element_string);
    }
}

#[test]
fn chinese_products_under_690_to_699() {
    #[rustfmt::skip]
    let table = [
        ("6901234567892", "https://id.gs1.org/01/06901234567892", "urn:epc:idpat:sgtin:6901234.056789.*", "(01)06901234567892"),
        ("]d2010690123456789221A1B2C3", "https://id.gs1.org/01/06901234567892/21/A1B2C3", "urn:epc:id:sgtin:6901234.056789.A1B2C3", "(01)06901234567892(21)A1B2C3"),
        // A case of cans (indicator 1) under an 8-digit prefix, with expiry date and batch.
        ("(01)16921234500016(17)270630(10)B2506", "https://id.gs1.org/01/16921234500016/10/B2506", "urn:epc:class:lgtin:69212345.10001.B2506", "(01)16921234500016(10)B2506"),
        // China National Tobacco's 10-digit prefix inside 690.
        ("(01)06901028000017(21)X", "https://id.gs1.org/01/06901028000017/21/X", "urn:epc:id:sgtin:6901028000.001.X", "(01)06901028000017(21)X"),
        ("https://qr.example.cn/01/06971234560001/21/0001", "https://id.gs1.org/01/06971234560001/21/0001", "urn:epc:id:sgtin:697123456.0000.0001", "(01)06971234560001(21)0001"),
        ("(00)369312345000000019", "https://id.gs1.org/00/369312345000000019", "urn:epc:id:sscc:69312345.300000001", "(00)369312345000000019"),
        ("(414)6931234500001", "https://id.gs1.org/414/6931234500001", "urn:epc:id:sgln:69312345.0000.0", "(414)6931234500001"),
    ];
    for (input, digital_link, epc_urn, element_string) in table {
        check(input, digital_link, epc_urn, element_string);
    }
}

#[test]
fn a_datamatrix_payload_keeps_its_dates_and_batch() {
    let data = Gs1Data::parse("]d2010690123456789217270600112506151025A06\u{1d}21SN0001").unwrap();
    assert_eq!(
        data.expiry_date(2026).unwrap().unwrap().to_string(),
        "2027-06-30"
    );
    assert_eq!(
        data.production_date(2026).unwrap().unwrap().to_string(),
        "2025-06-15"
    );
    assert_eq!(data.batch(), Some("25A06"));
    assert_eq!(data.serial(), Some("SN0001"));
    assert_eq!(
        data.key().unwrap().to_digital_link(),
        "https://id.gs1.org/01/06901234567892/21/SN0001"
    );
    assert_eq!(Gs1Data::parse(&data.to_raw()).unwrap(), data);
    assert_eq!(Gs1Data::parse(&data.to_bracketed()).unwrap(), data);
}

#[test]
fn bad_input_gets_an_error_that_says_where_and_what() {
    #[rustfmt::skip]
    let table = [
        ("6901234567893", "check digit of GTIN 6901234567893 is 3 at position 13, expected 2"),
        ("(01)06901234567893", "value \"06901234567893\" of AI (01) at position 5 has check digit 3 at position 14, expected 2"),
        ("https://example.com/01/06901234567/21/1", "GTIN 06901234567 has 11 digits, expected 8, 12, 13 or 14"),
        ("urn:epc:id:sgtin:0614141.107346.ABCDé", "character 'é' at position 5 of serial is not in GS1 character set 82"),
        ("0106901234567892149", "unknown AI (149) at position 17"),
        ("(01)06901234567892(17)271301", "value \"271301\" of AI (17) at position 23 is not a YYMMDD date: month must be 01 to 12"),
        ("urn:epc:id:sgtin:06141.1073460.1", "EPC URN: expected a company prefix of 6 to 12 digits at position 18"),
        ("(10)ABC", "no GS1 key in element string"),
        ("hello", "not a GS1 key: \"hello\" is neither an EPC URN, a GS1 Digital Link URI nor a GS1 element string"),
    ];
    for (input, message) in table {
        let err = Gs1Key::parse(input).unwrap_err();
        assert_eq!(err.to_string(), message, "{input}");
    }
}

#[test]
fn an_unknown_chinese_prefix_asks_for_a_table_entry_and_an_override_fixes_it() {
    let key = Gs1Key::parse("(01)06961234500015").unwrap();
    assert_eq!(
        key.to_epc_urn(&PrefixTable::bundled()).unwrap(),
        "urn:epc:idpat:sgtin:69612345.00001.*"
    );
    let key = Gs1Key::parse("(01)01234567000015").unwrap();
    let err = key.to_epc_urn(&PrefixTable::bundled()).unwrap_err();
    assert!(matches!(err, Gs1Error::UnknownPrefixLength { .. }), "{err}");
    let table = PrefixTable::bundled().extend_from_text_owned("1234567 7 # a partner's prefix\n");
    assert_eq!(
        key.to_epc_urn(&table).unwrap(),
        "urn:epc:idpat:sgtin:1234567.000001.*"
    );
}

/// Extends a table from text, for the test above.
trait ExtendOwned {
    fn extend_from_text_owned(self, text: &str) -> PrefixTable;
}

impl ExtendOwned for PrefixTable {
    fn extend_from_text_owned(mut self, text: &str) -> PrefixTable {
        self.extend_from_text(text).unwrap();
        self
    }
}

#[test]
fn keys_serialise_as_their_canonical_digital_link() {
    let key = Gs1Key::parse("urn:epc:id:sgtin:0614141.107346.2017").unwrap();
    let json = serde_json::to_string(&key).unwrap();
    assert_eq!(json, "\"https://id.gs1.org/01/10614141073464/21/2017\"");
    assert_eq!(serde_json::from_str::<Gs1Key>(&json).unwrap(), key);
    let from_urn: Gs1Key =
        serde_json::from_str("\"urn:epc:id:sgtin:0614141.107346.2017\"").unwrap();
    assert_eq!(from_urn, key);
    let gtin: anxin_gs1::Gtin = serde_json::from_str("\"6901234567892\"").unwrap();
    assert_eq!(serde_json::to_string(&gtin).unwrap(), "\"06901234567892\"");
}

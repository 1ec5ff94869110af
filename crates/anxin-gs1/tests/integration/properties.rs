//! Property tests: every key survives every form, and no input makes a parser panic.

use anxin_gs1::{
    Cpi, Cpid, EpcPattern, Gdti, Giai, Ginc, Gln, Grai, Gs1Data, Gs1Key, Gsin, Gsrn, Gtin, Itip,
    Lgtin, Pgln, PrefixTable, Sgcn, Sgln, Sgtin, Sscc, Upui, canonical_digital_link, check_digit,
};
use proptest::prelude::*;

const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const CSET39: &str = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn config() -> ProptestConfig {
    // CI has two cores; 256 cases per property is plenty for parsers this small.
    ProptestConfig::with_cases(256)
}

fn digits(n: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::char::range('0', '9'), n).prop_map(String::from_iter)
}

fn text_from(alphabet: &'static str, min: usize, max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = alphabet.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), min..=max)
        .prop_map(String::from_iter)
}

fn with_check(body: &str) -> String {
    format!("{body}{}", check_digit(body))
}

/// A key, the digits the prefix table is consulted with, and a company prefix length that fits.
type KeyCase = (Gs1Key, String, usize);

fn gtin_case() -> impl Strategy<Value = (Gtin, String, usize)> {
    (digits(13), 6usize..=12).prop_map(|(body, gcp_len)| {
        let gtin = Gtin::parse(&with_check(&body)).unwrap();
        (gtin, body[1..].to_owned(), gcp_len)
    })
}

fn key13_case() -> impl Strategy<Value = (String, usize)> {
    (digits(12), 6usize..=12).prop_map(|(body, gcp_len)| (with_check(&body), gcp_len))
}

fn prefixed_value(alphabet: &'static str) -> impl Strategy<Value = (String, usize)> {
    (6usize..=12).prop_flat_map(move |gcp_len| {
        (digits(gcp_len), text_from(alphabet, 1, 30 - gcp_len))
            .prop_map(move |(gcp, rest)| (format!("{gcp}{rest}"), gcp_len))
    })
}

fn key_case() -> impl Strategy<Value = KeyCase> {
    let serial = || text_from(CSET82, 1, 20);
    prop_oneof![
        gtin_case().prop_map(|(gtin, lookup, len)| (Gs1Key::Gtin(gtin), lookup, len)),
        (gtin_case(), serial()).prop_map(|((gtin, lookup, len), serial)| (
            Gs1Key::Sgtin(Sgtin::new(gtin, &serial).unwrap()),
            lookup,
            len
        )),
        (gtin_case(), serial()).prop_map(|((gtin, lookup, len), lot)| (
            Gs1Key::Lgtin(Lgtin::new(gtin, &lot).unwrap()),
            lookup,
            len
        )),
        (gtin_case(), text_from(CSET82, 1, 28)).prop_map(|((gtin, lookup, len), tpx)| (
            Gs1Key::Upui(Upui::new(gtin, &tpx).unwrap()),
            lookup,
            len
        )),
        (gtin_case(), 1u8..=99, proptest::option::of(serial())).prop_flat_map(
            |((gtin, lookup, len), total, serial)| {
                (1u8..=total).prop_map(move |piece| {
                    (
                        Gs1Key::Itip(Itip::new(gtin, piece, total, serial.as_deref()).unwrap()),
                        lookup.clone(),
                        len,
                    )
                })
            }
        ),
        (digits(17), 6usize..=12).prop_map(|(body, len)| (
            Gs1Key::Sscc(Sscc::parse(&with_check(&body)).unwrap()),
            body[1..].to_owned(),
            len
        )),
        (key13_case(), proptest::option::of(serial())).prop_map(|((gln, len), extension)| {
            let key =
                Gs1Key::Sgln(Sgln::new(Gln::parse(&gln).unwrap(), extension.as_deref()).unwrap());
            (key, gln, len)
        }),
        key13_case().prop_map(|(gln, len)| (
            Gs1Key::Pgln(Pgln::new(Gln::parse(&gln).unwrap())),
            gln,
            len
        )),
        (key13_case(), proptest::option::of(text_from(CSET82, 1, 16))).prop_map(
            |((asset_type, len), serial)| {
                (
                    Gs1Key::Grai(Grai::new(&asset_type, serial.as_deref()).unwrap()),
                    asset_type,
                    len,
                )
            }
        ),
        (key13_case(), proptest::option::of(text_from(CSET82, 1, 17))).prop_map(
            |((document_type, len), serial)| {
                (
                    Gs1Key::Gdti(Gdti::new(&document_type, serial.as_deref()).unwrap()),
                    document_type,
                    len,
                )
            }
        ),
        (key13_case(), proptest::option::of(digits(5))).prop_map(|((coupon, len), serial)| {
            (
                Gs1Key::Sgcn(Sgcn::new(&coupon, serial.as_deref()).unwrap()),
                coupon,
                len,
            )
        }),
        prefixed_value(CSET82).prop_map(|(value, len)| (
            Gs1Key::Giai(Giai::new(&value).unwrap()),
            value,
            len
        )),
        prefixed_value(CSET82).prop_map(|(value, len)| (
            Gs1Key::Ginc(Ginc::new(&value).unwrap()),
            value,
            len
        )),
        (
            prefixed_value(CSET39),
            proptest::option::of(1u64..999_999_999_999)
        )
            .prop_map(|((value, len), serial)| {
                let serial = serial.map(|serial| serial.to_string());
                (
                    Gs1Key::Cpi(Cpi::new(Cpid::new(&value).unwrap(), serial.as_deref()).unwrap()),
                    value,
                    len,
                )
            }),
        (digits(17), 6usize..=12).prop_map(|(body, len)| (
            Gs1Key::Gsrn(Gsrn::parse(&with_check(&body)).unwrap()),
            body,
            len
        )),
        (digits(17), 6usize..=12).prop_map(|(body, len)| (
            Gs1Key::Gsrnp(Gsrn::parse(&with_check(&body)).unwrap()),
            body,
            len
        )),
        (digits(16), 6usize..=12).prop_map(|(body, len)| (
            Gs1Key::Gsin(Gsin::parse(&with_check(&body)).unwrap()),
            body,
            len
        )),
    ]
}

/// A table that knows exactly this key's company prefix.
fn table_for(lookup: &str, gcp_len: usize) -> PrefixTable {
    PrefixTable::empty()
        .with_override(&lookup[..gcp_len], u8::try_from(gcp_len).unwrap())
        .unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn keys_round_trip_through_the_epc_urn((key, lookup, gcp_len) in key_case()) {
        let urn = key.to_epc_urn(&table_for(&lookup, gcp_len)).unwrap();
        let read = Gs1Key::parse(&urn).unwrap();
        prop_assert_eq!(&read, &key, "{}", urn);
        // The URN states the prefix length, so writing it again needs no table.
        prop_assert_eq!(read.to_epc_urn(&PrefixTable::empty()).unwrap(), urn);
    }

    #[test]
    fn keys_round_trip_through_the_digital_link((key, lookup, gcp_len) in key_case()) {
        let link = key.to_digital_link();
        let read = Gs1Key::parse(&link).unwrap();
        prop_assert_eq!(&read, &key, "{}", link);
        prop_assert_eq!(canonical_digital_link(&link).unwrap(), link.clone());
        // Digital Link to EPC URN, with the table.
        let urn = read.to_epc_urn(&table_for(&lookup, gcp_len)).unwrap();
        prop_assert_eq!(Gs1Key::parse(&urn).unwrap(), key);
    }

    #[test]
    fn keys_round_trip_through_element_strings((key, _lookup, _gcp_len) in key_case()) {
        let bracketed = key.to_element_string();
        prop_assert_eq!(&Gs1Key::parse(&bracketed).unwrap(), &key, "{}", bracketed);
        let raw = key.to_raw_element_string();
        prop_assert_eq!(&Gs1Key::parse(&raw).unwrap(), &key, "{:?}", raw);
        prop_assert_eq!(&Gs1Key::parse(&format!("]d2{raw}")).unwrap(), &key);
    }

    #[test]
    fn element_string_data_round_trips_between_its_two_forms(
        gtin in gtin_case(),
        lot in text_from(CSET82, 1, 20),
        serial in text_from(CSET82, 1, 20),
        expiry in (0u8..100, 1u8..=12, 0u8..=28),
    ) {
        let (gtin, _, _) = gtin;
        let mut data = Gs1Data::default();
        data.push("01", gtin.as_str()).unwrap();
        data.push("17", &format!("{:02}{:02}{:02}", expiry.0, expiry.1, expiry.2)).unwrap();
        data.push("10", &lot).unwrap();
        data.push("21", &serial).unwrap();
        prop_assert_eq!(&Gs1Data::parse(&data.to_raw()).unwrap(), &data);
        prop_assert_eq!(&Gs1Data::parse(&data.to_bracketed()).unwrap(), &data);
    }

    #[test]
    fn parsing_never_panics_on_arbitrary_text(
        prefix in proptest::sample::select(vec![
            "", "urn:epc:id:sgtin:", "urn:epc:idpat:sgtin:0614141.", "urn:epc:class:lgtin:", "urn:epc:id:cpi:0614141.",
            "https://example.com/01/", "https://id.gs1.org/8003/0", "(01)", "]d201", "\u{1d}", "(8006)",
        ]),
        rest in "\\PC{0,40}|[0-9.%*/()A-Z\u{1d}]{0,40}",
    ) {
        let text = format!("{prefix}{rest}");
        let _ = Gs1Key::parse(&text);
        let _ = Gs1Data::parse(&text);
        let _ = EpcPattern::parse(&text);
        let _ = canonical_digital_link(&text);
        let _ = anxin_gs1::epc_to_digital_link(&text);
    }

    #[test]
    fn canonicalising_twice_changes_nothing((key, _lookup, _gcp_len) in key_case()) {
        let once = canonical_digital_link(&key.to_element_string()).unwrap();
        prop_assert_eq!(canonical_digital_link(&once).unwrap(), once);
    }
}

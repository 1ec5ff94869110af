//! Property tests: random valid events survive both codecs, and random bytes never make a
//! reader panic or lose meaning (the same checks the fuzz targets run, on stable Rust).

use anxin_epcis::sample::{self, SampleRng};
use anxin_epcis::{Document, Format, roundtrip};
use proptest::prelude::*;

fn sample_document(seed: u64, n_events: usize) -> Document {
    let mut rng = SampleRng::new(seed);
    let header = sample::header(&mut rng);
    let events = (0..n_events)
        .map(|_| sample::random_event(&mut rng))
        .collect();
    Document { header, events }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_events_round_trip_through_json_ld(seed in any::<u64>(), n_events in 1usize..8) {
        let document = sample_document(seed, n_events);
        let bytes = roundtrip::write(&document, Format::Json).unwrap();
        roundtrip::check(&bytes, Format::Json).map_err(TestCaseError::fail)?;
        let read = anxin_epcis::read_document(bytes.as_slice(), Format::Json, &Default::default()).unwrap();
        prop_assert!(read.problems.is_empty(), "{:?}", read.problems);
        roundtrip::same_meaning(&document, &read.document).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn random_events_round_trip_through_xml(seed in any::<u64>(), n_events in 1usize..8) {
        let document = sample_document(seed, n_events);
        let bytes = roundtrip::write(&document, Format::Xml).unwrap();
        roundtrip::check(&bytes, Format::Xml).map_err(TestCaseError::fail)?;
        let read = anxin_epcis::read_document(bytes.as_slice(), Format::Xml, &Default::default()).unwrap();
        prop_assert!(read.problems.is_empty(), "{:?}", read.problems);
        roundtrip::same_meaning(&document, &read.document).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn json_and_xml_of_the_same_events_hash_alike(seed in any::<u64>()) {
        let document = sample_document(seed, 4);
        let json = roundtrip::write(&document, Format::Json).unwrap();
        let xml = roundtrip::write(&document, Format::Xml).unwrap();
        let from_json = anxin_epcis::read_document(json.as_slice(), Format::Json, &Default::default()).unwrap();
        let from_xml = anxin_epcis::read_document(xml.as_slice(), Format::Xml, &Default::default()).unwrap();
        for (left, right) in from_json.document.events.iter().zip(&from_xml.document.events) {
            prop_assert_eq!(anxin_epcis::hash::event_hash_id(left), anxin_epcis::hash::event_hash_id(right));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_a_reader(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        roundtrip::check(&bytes, Format::Json).map_err(TestCaseError::fail)?;
        roundtrip::check(&bytes, Format::Xml).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn mutated_documents_never_panic_and_keep_meaning(seed in any::<u64>(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let document = sample_document(seed, 2);
        for format in [Format::Json, Format::Xml] {
            let mut bytes = roundtrip::write(&document, format).unwrap();
            let at = cut.index(bytes.len());
            bytes[at] = byte;
            roundtrip::check(&bytes, format).map_err(TestCaseError::fail)?;
        }
    }
}

//! Fuzzes the JSON-LD reader: any accepted document must round-trip through both codecs
//! with its meaning intact (see `anxin_epcis::roundtrip`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(difference) = anxin_epcis::roundtrip::check(data, anxin_epcis::Format::Json) {
        panic!("{difference}");
    }
});

//! Fuzzes the quality engine's untrusted inputs: the same bytes as a lab-results CSV (refused
//! with real line numbers, or judged with a verdict that follows from its checks) and as label
//! text (every finding quotes exactly the text at its offset, line and column).
#![no_main]

use std::sync::OnceLock;

use anxin_quality::Catalogue;
use anxin_quality::invariants::{check_label_text, check_results_csv};
use anxin_quality::label::LabelRules;
use libfuzzer_sys::fuzz_target;

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::national().expect("embedded standards parse"))
}

fn rules() -> &'static LabelRules {
    static RULES: OnceLock<LabelRules> = OnceLock::new();
    RULES.get_or_init(|| LabelRules::embedded().expect("embedded rules parse"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(violation) = check_results_csv(catalogue(), text) {
        panic!("results {text:?}: {violation}");
    }
    if let Err(violation) = check_label_text(rules(), text) {
        panic!("label {text:?}: {violation}");
    }
});

//! The fuzz target's properties on stable Rust: random and mutated results files and label texts.

use anxin_quality::Catalogue;
use anxin_quality::invariants::{check_label_text, check_results_csv};
use anxin_quality::label::LabelRules;
use proptest::prelude::*;

const EXAMPLE_CSV: &str = include_str!("../../examples/infant-lot-results.csv");
const EXAMPLE_LABEL: &str = include_str!("../../examples/label-bad.txt");

/// Deletes, duplicates or replaces a few characters of `text`.
fn mutated(text: &'static str) -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        (
            0usize..4,
            any::<prop::sample::Index>(),
            prop::sample::select(vec![
                ',', '\n', '<', '-', '"', '#', '0', '9', '.', ' ', '乳', 'µ', '/',
            ]),
        ),
        0..8,
    );
    pieces.prop_map(move |edits| {
        let mut chars: Vec<char> = text.chars().collect();
        for (kind, index, c) in edits {
            if chars.is_empty() {
                break;
            }
            let at = index.index(chars.len());
            match kind {
                0 => {
                    chars.remove(at);
                }
                1 => chars.insert(at, c),
                2 => chars[at] = c,
                _ => {
                    let end = (at + 12).min(chars.len());
                    let copy: Vec<char> = chars[at..end].to_vec();
                    chars.splice(at..at, copy);
                }
            }
        }
        chars.into_iter().collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_results_files_are_refused_by_line_or_judged_consistently(text in mutated(EXAMPLE_CSV)) {
        let catalogue = crate::support::catalogue();
        prop_assert_eq!(check_results_csv(catalogue, &text), Ok(()));
    }

    #[test]
    fn random_text_as_results_never_breaks_the_reader(text in ".{0,400}") {
        prop_assert_eq!(check_results_csv(crate::support::catalogue(), &text), Ok(()));
    }

    #[test]
    fn label_findings_quote_exactly_what_is_at_their_place(text in mutated(EXAMPLE_LABEL), noise in "[进口奶源母乳化不添加三聚氰胺\\n ，。a-z0-9~-]{0,80}") {
        let rules = LabelRules::embedded().unwrap();
        prop_assert_eq!(check_label_text(&rules, &text), Ok(()));
        prop_assert_eq!(check_label_text(&rules, &(noise.clone() + &text + &noise)), Ok(()));
    }
}

#[test]
fn the_examples_keep_the_properties() {
    let catalogue = Catalogue::national().unwrap();
    assert_eq!(check_results_csv(&catalogue, EXAMPLE_CSV), Ok(()));
    assert_eq!(
        check_label_text(&LabelRules::embedded().unwrap(), EXAMPLE_LABEL),
        Ok(())
    );
}

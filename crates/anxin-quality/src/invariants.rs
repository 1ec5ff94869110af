//! Properties every untrusted input must keep, shared by the fuzz target `quality_inputs` and the
//! property tests: results CSV and label text, whatever the bytes.
//!
//! For results: reading never panics; a refusal names lines that exist; an accepted file judges
//! without panicking and its verdict follows from its checks. For labels: every finding's quote
//! is exactly the text at its offset, and its line and column point at that offset.

use crate::judge::{Outcome, Verdict, judge};
use crate::label::{LabelContext, LabelRules, TextKind};
use crate::results::sample_from_csv;
use crate::standard::{Catalogue, Fact, ProductType};

/// Checks the results-CSV properties on `text`; returns a description of the first violation.
pub fn check_results_csv(catalogue: &Catalogue, text: &str) -> Result<(), String> {
    let produced = jiff::civil::date(2026, 10, 1);
    let facts = [Fact::MilkBased, Fact::NoAddedVegetablesOrFruit];
    match sample_from_csv(text, ProductType::Infant, produced, facts) {
        Err(errors) => {
            let lines = text.lines().count().max(1);
            if errors.is_empty() {
                return Err("a refusal without a reason".into());
            }
            if let Some(error) = errors.iter().find(|e| e.index == 0 || e.index > lines + 1) {
                return Err(format!(
                    "error names line {} of a {lines}-line text: {error}",
                    error.index
                ));
            }
            Ok(())
        }
        Ok(sample) => {
            let judgment = judge(catalogue, None, &sample);
            let any = |outcome: Outcome| judgment.checks.iter().any(|c| c.outcome == outcome);
            let expected = if any(Outcome::Fail) {
                Verdict::NonConformant
            } else if any(Outcome::Missing) || any(Outcome::Undetermined) {
                Verdict::Incomplete
            } else {
                Verdict::Conformant
            };
            if judgment.verdict != expected {
                return Err(format!(
                    "verdict {} does not follow from the checks",
                    judgment.verdict
                ));
            }
            Ok(())
        }
    }
}

/// Checks the label properties on `text`, as a label and as an advertisement.
pub fn check_label_text(rules: &LabelRules, text: &str) -> Result<(), String> {
    let chars: Vec<char> = text.chars().collect();
    for kind in [TextKind::Label, TextKind::Advertisement] {
        for stage in [None, Some(1), Some(2), Some(3)] {
            let context = LabelContext {
                kind,
                stage,
                registration: None,
            };
            for finding in rules.check(text, &context) {
                let Some(offset) = finding.offset else {
                    continue;
                };
                let length = finding.quote.chars().count();
                let at: String = chars
                    .get(offset..offset + length)
                    .map(|s| s.iter().collect())
                    .unwrap_or_default();
                if at != finding.quote {
                    return Err(format!(
                        "finding {} quotes {:?} but the text at {offset} is {at:?}",
                        finding.rule, finding.quote
                    ));
                }
                let line = chars[..offset].iter().filter(|c| **c == '\n').count() + 1;
                let column = offset
                    - chars[..offset]
                        .iter()
                        .rposition(|c| *c == '\n')
                        .map_or(0, |p| p + 1)
                    + 1;
                if finding.line != Some(line) || finding.column != Some(column) {
                    return Err(format!(
                        "finding {} at offset {offset} says {:?}:{:?}, it is {line}:{column}",
                        finding.rule, finding.line, finding.column
                    ));
                }
            }
        }
    }
    Ok(())
}

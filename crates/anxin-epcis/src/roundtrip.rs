//! Round-trip checks shared by the fuzz targets and the tests.
//!
//! A fuzz target that only asserts "no panic" finds crashes but not lost data. These checks
//! assert more: any input the reader accepts must survive being written and read again, in
//! the same syntax and in the other one, with the same meaning. The fuzz targets under
//! `fuzz/` call these functions, and ordinary tests replay seeds through them on stable
//! Rust, so the property is checked on every CI run even without a fuzzer.

use crate::ext::same_extensions;
use crate::{
    Document, Extension, Format, Limits, QName, ReadError, Vocabulary, VocabularyElement,
    read_document,
};

/// Small limits, so that a fuzzer spends its time on structure rather than size.
pub const FUZZ_LIMITS: Limits = Limits {
    max_document_bytes: 1 << 20,
    max_events: 1000,
    max_depth: 32,
    max_string_bytes: 4096,
};

/// Reads `bytes` as `format`; if they are accepted, checks that writing them as JSON-LD and
/// as XML and reading each back gives a document with the same meaning. Input the reader
/// refuses is fine (refusing is its job); a panic or a changed meaning is not.
pub fn check(bytes: &[u8], format: Format) -> Result<(), String> {
    let read = match read_document(bytes, format, &FUZZ_LIMITS) {
        Ok(read) => read,
        Err(ReadError::Io(message)) => {
            return Err(format!("reading from memory failed: {message}"));
        }
        Err(_) => return Ok(()),
    };
    let original = read.document;
    for target in [Format::Json, Format::Xml] {
        let written = write(&original, target)?;
        let again =
            read_document(written.as_slice(), target, &Limits::DEFAULT).map_err(|error| {
                format!(
                    "{format:?} → {target:?}: the written document does not read back: {error}\n{}",
                    String::from_utf8_lossy(&written)
                )
            })?;
        if !again.problems.is_empty() {
            return Err(format!(
                "{format:?} → {target:?}: the written document has problems: {:?}\n{}",
                again.problems,
                String::from_utf8_lossy(&written)
            ));
        }
        same_meaning(&original, &again.document)
            .map_err(|difference| format!("{format:?} → {target:?}: {difference}"))?;
    }
    Ok(())
}

/// Writes a whole document in `format`.
pub fn write(document: &Document, format: Format) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match format {
        Format::Json => crate::json::write_document(&mut out, document),
        Format::Xml => crate::xml::write_document(&mut out, document),
    }
    .map_err(|error| format!("writing {format:?} failed: {error}"))?;
    Ok(out)
}

/// Explains the first difference in meaning between two documents, if any.
pub fn same_meaning(left: &Document, right: &Document) -> Result<(), String> {
    if left.events.len() != right.events.len() {
        return Err(format!(
            "{} events became {}",
            left.events.len(),
            right.events.len()
        ));
    }
    for (index, (before, after)) in left.events.iter().zip(&right.events).enumerate() {
        if !before.same_meaning(after) {
            return Err(format!(
                "event {index} changed:\nbefore: {before:?}\nafter:  {after:?}"
            ));
        }
    }
    let (before, after) = (&left.header, &right.header);
    if before.document_type != after.document_type
        || before.creation_date.instant != after.creation_date.instant
        || !same_master_data(&before.master_data, &after.master_data)
        || before.query_results != after.query_results
    {
        return Err(format!(
            "the header changed:\nbefore: {before:?}\nafter:  {after:?}"
        ));
    }
    Ok(())
}

/// Master data means the same when the vocabularies, their elements and children agree and
/// each element's attributes agree as extension values do (repeated XML attributes are a JSON
/// array; `xsi:type` annotations are not values).
fn same_master_data(left: &[Vocabulary], right: &[Vocabulary]) -> bool {
    left.len() == right.len()
        && left.iter().zip(right).all(|(left, right)| {
            left.vocabulary_type == right.vocabulary_type
                && left.elements.len() == right.elements.len()
                && left
                    .elements
                    .iter()
                    .zip(&right.elements)
                    .all(|(left, right)| {
                        left.id == right.id
                            && left.children == right.children
                            && same_extensions(&left.extensions, &right.extensions)
                            && same_extensions(&as_extensions(left), &as_extensions(right))
                    })
        })
}

fn as_extensions(element: &VocabularyElement) -> Vec<Extension> {
    element
        .attributes
        .iter()
        .map(|attribute| Extension {
            name: QName::new("", attribute.id.clone()),
            value: attribute.value.clone(),
            attributes: Vec::new(),
        })
        .collect()
}

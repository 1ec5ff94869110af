//! Validation beyond the JSON Schema. (Being written: see issue 2.)

//! Limits on what a reader accepts, as configuration.
//!
//! Every limit has a default chosen for the platform's capture interface and can be raised or
//! lowered by whoever builds a reader (the CLI takes flags, the server takes configuration).
//! Exceeding one is a [`crate::ReadError::Limit`] that names the limit and its value.

/// Limits on one document.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Limits {
    /// Largest document in bytes.
    pub max_document_bytes: u64,
    /// Most events in one document.
    pub max_events: usize,
    /// Deepest nesting of JSON values or XML elements, counted from the document root.
    pub max_depth: usize,
    /// Longest single string or text node in bytes.
    pub max_string_bytes: usize,
}

impl Limits {
    /// The defaults: 256 MiB, 1,000,000 events, depth 64, strings of 64 KiB.
    pub const DEFAULT: Limits = Limits {
        max_document_bytes: 256 * 1024 * 1024,
        max_events: 1_000_000,
        max_depth: 64,
        max_string_bytes: 64 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

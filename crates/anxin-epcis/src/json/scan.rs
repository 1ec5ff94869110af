//! A byte-level guard between the caller's reader and the JSON parser.
//!
//! `serde_json` buffers a whole string (and a whole number) before it hands it to a visitor,
//! so a limit checked in the visitor would come only after a 200 MB string had been held in
//! memory. This wrapper sees every byte first: it counts the document's size and measures each
//! string and number token as written (escapes included), and fails the read as soon as one
//! of them crosses its limit, so memory stays bounded by the limits rather than by the input.
//! It also drops a leading UTF-8 byte order mark, which `serde_json` would refuse.
//!
//! It does not parse JSON: it only tracks whether it is inside a string, which is enough to
//! measure tokens, and it counts lines so that a limit error can say where it happened.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

/// Where the scanner is in the token structure.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between tokens, or inside a number or literal.
    Outside,
    /// Inside a string.
    InString,
    /// Just after a backslash inside a string.
    Escape,
}

/// What the scanner tells the reader after a failed read.
#[derive(Default)]
pub(super) struct Shared {
    /// The limit that was crossed, as a sentence, when a read failed because of one.
    pub limit_hit: RefCell<Option<String>>,
}

/// Wraps the caller's reader; see the module documentation.
pub(super) struct Scanner<R> {
    inner: R,
    shared: Rc<Shared>,
    max_document_bytes: u64,
    max_token_bytes: u64,
    state: State,
    /// Length of the current string or number token so far.
    token_bytes: u64,
    /// Line and column (from 1) where the current token started.
    token_start: (u64, u64),
    /// Bytes seen so far.
    offset: u64,
    /// The current line (from 1) and the offset at which it starts.
    line: u64,
    line_start: u64,
    at_start: bool,
    /// A crossed limit to report at the next read.
    deferred: Option<String>,
}

impl<R: Read> Scanner<R> {
    /// Wraps `inner`, failing reads once the document exceeds `max_document_bytes` or a
    /// string or number token exceeds `max_token_bytes`.
    pub fn new(
        inner: R,
        shared: Rc<Shared>,
        max_document_bytes: u64,
        max_token_bytes: u64,
    ) -> Self {
        Scanner {
            inner,
            shared,
            max_document_bytes,
            max_token_bytes,
            state: State::Outside,
            token_bytes: 0,
            token_start: (1, 1),
            offset: 0,
            line: 1,
            line_start: 0,
            at_start: true,
            deferred: None,
        }
    }

    fn fail(&self, message: String) -> io::Error {
        *self.shared.limit_hit.borrow_mut() = Some(message);
        io::Error::other("a reader limit was exceeded")
    }

    fn column(&self, offset: u64) -> u64 {
        offset - self.line_start + 1
    }

    /// Measures `chunk`, which follows everything scanned so far (`self.offset` bytes). On a
    /// crossed limit it returns how many bytes of `chunk` came before the offending token
    /// segment, and why.
    fn scan(&mut self, chunk: &[u8]) -> Result<(), (usize, String)> {
        let base = self.offset;
        let mut at = 0;
        while at < chunk.len() {
            match self.state {
                State::InString => {
                    let start = at;
                    let rest = &chunk[at..];
                    match rest.iter().position(|byte| *byte == b'"' || *byte == b'\\') {
                        None => {
                            self.token_bytes += rest.len() as u64;
                            at = chunk.len();
                        }
                        Some(found) => {
                            at += found;
                            if chunk[at] == b'"' {
                                self.token_bytes += found as u64;
                                self.state = State::Outside;
                            } else {
                                self.token_bytes += found as u64 + 1;
                                self.state = State::Escape;
                            }
                            at += 1;
                        }
                    }
                    self.check_token("a string")
                        .map_err(|message| (start, message))?;
                }
                State::Escape => {
                    self.token_bytes += 1;
                    self.state = State::InString;
                    at += 1;
                }
                State::Outside => {
                    self.outside_byte(chunk[at], base + at as u64)
                        .map_err(|message| (at, message))?;
                    at += 1;
                }
            }
        }
        Ok(())
    }

    fn outside_byte(&mut self, byte: u8, offset: u64) -> Result<(), String> {
        match byte {
            b'"' => {
                self.state = State::InString;
                self.token_bytes = 0;
                self.token_start = (self.line, self.column(offset));
            }
            b'\n' => {
                self.line += 1;
                self.line_start = offset + 1;
                self.token_bytes = 0;
            }
            b' ' | b'\t' | b'\r' | b'{' | b'}' | b'[' | b']' | b',' | b':' => {
                self.token_bytes = 0;
            }
            _ => {
                if self.token_bytes == 0 {
                    self.token_start = (self.line, self.column(offset));
                }
                self.token_bytes += 1;
                self.check_token("a number or literal")?;
            }
        }
        Ok(())
    }

    fn check_token(&self, what: &str) -> Result<(), String> {
        if self.token_bytes <= self.max_token_bytes {
            return Ok(());
        }
        let (line, column) = self.token_start;
        Err(format!(
            "{what} starting at line {line}, column {column} is longer than the limit of {} bytes (max_string_bytes)",
            self.max_token_bytes
        ))
    }
}

impl<R: Read> Read for Scanner<R> {
    /// Passes on the bytes before a crossed limit and fails the next read, so that the
    /// parser has reached the offending token (and the reader can name its place) when the
    /// error arrives.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(message) = self.deferred.take() {
            return Err(self.fail(message));
        }
        let mut read = self.inner.read(buf)?;
        if self.at_start && read > 0 {
            self.at_start = false;
            if buf[..read].starts_with(b"\xEF\xBB\xBF") {
                buf.copy_within(3..read, 0);
                read -= 3;
            }
        }
        let mut allowed = read;
        let mut crossed = None;
        if self.offset + read as u64 > self.max_document_bytes {
            allowed = usize::try_from(self.max_document_bytes - self.offset).unwrap_or(read);
            crossed = Some(format!(
                "the document is larger than the limit of {} bytes (max_document_bytes)",
                self.max_document_bytes
            ));
        }
        if let Err((at, message)) = self.scan(&buf[..allowed]) {
            allowed = at;
            crossed = Some(message);
        }
        self.offset += allowed as u64;
        match crossed {
            Some(message) if allowed == 0 => Err(self.fail(message)),
            Some(message) => {
                self.deferred = Some(message);
                Ok(allowed)
            }
            None => Ok(allowed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_all(
        input: &[u8],
        max_document_bytes: u64,
        max_token_bytes: u64,
    ) -> Result<Vec<u8>, String> {
        let shared = Rc::new(Shared::default());
        let mut scanner = Scanner::new(input, shared.clone(), max_document_bytes, max_token_bytes);
        let mut out = Vec::new();
        match scanner.read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(_) => Err(shared.limit_hit.borrow().clone().unwrap_or_default()),
        }
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(scan_all(b"\xEF\xBB\xBF{}", 100, 100).unwrap(), b"{}");
    }

    #[test]
    fn a_long_string_is_stopped_with_its_line_and_column() {
        let input = b"{\n  \"a\": \"0123456789\"}";
        let message = scan_all(input, 100, 8).unwrap_err();
        assert!(
            message.contains("a string starting at line 2, column 8"),
            "{message}"
        );
        assert!(scan_all(input, 100, 10).is_ok());
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let input = br#"{"a": "x\"yyyyyyyyyyyy"}"#;
        assert!(scan_all(input, 100, 8).is_err());
    }

    #[test]
    fn a_long_number_is_stopped() {
        let message = scan_all(b"[123456789012]", 100, 8).unwrap_err();
        assert!(message.contains("a number or literal"), "{message}");
    }

    #[test]
    fn a_large_document_is_stopped() {
        let message = scan_all(b"[1, 2, 3, 4]", 5, 100).unwrap_err();
        assert!(message.contains("max_document_bytes"), "{message}");
    }
}

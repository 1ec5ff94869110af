//! The byte source under the XML reader: a buffered reader that can say the line and column
//! of any recent offset and stops at the configured size limits.
//!
//! quick-xml reports byte offsets only. Rather than keep the input to turn offsets into lines
//! afterwards, [`Source`] counts newlines in the consumed bytes on demand, from where it last
//! counted up to the offset asked about, and always before a refill discards them. The
//! reader asks for the position of every start tag as it reads it, so counting advances in
//! steps of a few tokens; the newlines of each buffer are found once, when it is filled, and
//! counting walks that index. Each refill also checks once whether the block is UTF-8: if
//! it is, the block becomes a `String` (the same allocation, no copy), from which the
//! cursor's fast path lends text without checking every token again; if not (a character cut
//! by the end of the block, or bytes that are not UTF-8), the longest UTF-8 prefix is copied
//! into a `String` for the same purpose. It also refuses to read past
//! `max_document_bytes`, and refuses to let a single token (a text run, a tag, a comment)
//! grow much past a bound, so that a hostile document cannot make the reader buffer
//! gigabytes. It does not know anything about XML itself.

use std::io::{self, BufRead, Read};

/// A line and a column (in bytes), both from 1.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Pos {
    pub(super) line: u64,
    pub(super) column: u64,
}

/// Which limit the source stopped at.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Tripped {
    /// More than `max_document_bytes` were read.
    DocumentBytes,
    /// A single token grew past the token bound.
    TokenBytes,
}

/// The size of the read buffer. Large enough that reads from a socket or a file are few,
/// small enough not to matter next to one event.
const BUFFER_BYTES: usize = 64 * 1024;

/// The block of input in the buffer, with the view of it as text.
enum Block {
    /// The whole block is UTF-8, and the text is the block.
    Text(String),
    /// The block is not all UTF-8: its bytes, and a copy of their longest UTF-8 prefix.
    Bytes { bytes: Vec<u8>, prefix: String },
}

pub(super) struct Source<R> {
    inner: R,
    block: Block,
    /// The prefix buffer while the block is text, kept for the next block that is not.
    spare_prefix: String,
    start: usize,
    end: usize,
    /// Bytes read from `inner` so far.
    read_bytes: u64,
    /// Bytes handed to and consumed by the XML reader so far.
    consumed: u64,
    /// How far into `buf` newlines have been counted (never past `start`).
    counted: usize,
    /// Newlines among the counted bytes.
    newlines: u64,
    /// The offset just after the last counted newline (the start of the current line).
    line_start: u64,
    /// The offset where the token being read started.
    mark: u64,
    max_document_bytes: u64,
    max_token_bytes: u64,
    tripped: Option<Tripped>,
    /// Whether any carriage return has been read: until one is, text needs no line-end
    /// normalisation and nobody has to look for one.
    carriage_returns: bool,
    /// The offsets in `buf` of its newlines, found once per refill; `next_newline` is the
    /// first of them not counted yet.
    newline_at: Vec<u32>,
    next_newline: usize,
}

impl<R: Read> Source<R> {
    pub(super) fn new(inner: R, max_document_bytes: u64, max_token_bytes: u64) -> Self {
        Source {
            inner,
            block: Block::Bytes {
                bytes: Vec::new(),
                prefix: String::new(),
            },
            spare_prefix: String::new(),
            start: 0,
            end: 0,
            read_bytes: 0,
            consumed: 0,
            counted: 0,
            newlines: 0,
            line_start: 0,
            mark: 0,
            max_document_bytes,
            max_token_bytes,
            tripped: None,
            carriage_returns: false,
            newline_at: Vec::new(),
            next_newline: 0,
        }
    }
}

impl<R> Source<R> {
    /// Notes that a new token starts here and returns its offset.
    ///
    /// The XML reader consumes exactly the bytes of the tokens it has returned, so the
    /// consumed offset is the start of the next token.
    #[inline]
    pub(super) fn mark(&mut self) -> u64 {
        self.mark = self.consumed;
        self.mark
    }

    /// The position just after the last consumed byte.
    pub(super) fn here(&mut self) -> Pos {
        self.position_of(self.consumed)
    }

    /// The line and column of `offset`.
    ///
    /// Exact for any offset from the last one asked about up to the consumed end, and for
    /// earlier offsets on the same line; an earlier offset on an earlier line (which the
    /// reader never asks for) gets the start of the current line.
    pub(super) fn position_of(&mut self, offset: u64) -> Pos {
        let buffer_offset = self.consumed - self.start as u64;
        let counted_offset = buffer_offset + self.counted as u64;
        if offset > counted_offset && offset <= self.consumed {
            // Both bounds are inside the current buffer, so the cast cannot truncate.
            let upto = (offset - buffer_offset) as usize;
            self.count(upto);
        }
        let column = offset.saturating_sub(self.line_start) + 1;
        Pos {
            line: self.newlines + 1,
            column,
        }
    }

    /// Counts the newlines in `buf[counted..upto]`.
    fn count(&mut self, upto: usize) {
        if upto <= self.counted {
            return;
        }
        let chunk_offset = self.consumed - self.start as u64;
        while let Some(&at) = self.newline_at.get(self.next_newline) {
            if at as usize >= upto {
                break;
            }
            self.newlines += 1;
            self.line_start = chunk_offset + u64::from(at) + 1;
            self.next_newline += 1;
        }
        self.counted = upto;
    }

    /// The unconsumed part of the buffer that is known to be UTF-8, as text: up to the
    /// first byte that is not (or a character cut by the end of the buffer).
    #[inline]
    pub(super) fn buffered_text(&self) -> &str {
        let text = match &self.block {
            Block::Text(text) => text,
            Block::Bytes { prefix, .. } => prefix,
        };
        let end = self.end.min(text.len());
        text.get(self.start..end).unwrap_or("")
    }

    /// The bytes consumed so far.
    pub(super) fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The limit the source stopped at, if any.
    pub(super) fn tripped(&self) -> Option<Tripped> {
        self.tripped
    }

    /// Whether any carriage return has been read so far.
    pub(super) fn carriage_returns(&self) -> bool {
        self.carriage_returns
    }
}

/// Replaces `out` with the offsets of the newlines in `chunk`.
fn index_newlines(chunk: &[u8], out: &mut Vec<u32>) {
    out.clear();
    // A buffer is far smaller than 4 GiB, so every offset fits.
    out.extend(memchr::memchr_iter(b'\n', chunk).map(|at| at as u32));
}

fn limit_error() -> io::Error {
    // ErrorKind::Other, not InvalidData: quick-xml inspects InvalidData errors for encoding
    // problems, and this is not one.
    io::Error::other("a reading limit was exceeded")
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Source<R> {
    #[inline]
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.start == self.end {
            self.refill()?;
        }
        let bytes = match &self.block {
            Block::Text(text) => text.as_bytes(),
            Block::Bytes { bytes, .. } => bytes,
        };
        Ok(bytes.get(self.start..self.end).unwrap_or(&[]))
    }

    #[inline]
    fn consume(&mut self, amount: usize) {
        let amount = amount.min(self.end - self.start);
        self.consumed += amount as u64;
        self.start += amount;
    }
}

impl<R: Read> Source<R> {
    /// Reads the next block of input once the buffer is used up.
    #[inline(never)]
    fn refill(&mut self) -> io::Result<()> {
        // Limits are checked only when the buffer runs dry: a token can then overshoot the
        // bound by at most one buffer, which keeps memory bounded and the common path short.
        if self.tripped.is_some() {
            return Err(limit_error());
        }
        if self.consumed - self.mark > self.max_token_bytes {
            self.tripped = Some(Tripped::TokenBytes);
            return Err(limit_error());
        }
        // The bytes about to be overwritten are counted first.
        self.count(self.start);
        // The block's allocation is taken back from the text it became, if it did.
        let mut bytes = match std::mem::replace(&mut self.block, Block::Text(String::new())) {
            Block::Text(text) => text.into_bytes(),
            Block::Bytes { bytes, prefix } => {
                self.spare_prefix = prefix;
                bytes
            }
        };
        // Only the first block and the one after a short read need this.
        bytes.resize(BUFFER_BYTES, 0);
        let n = loop {
            match self.inner.read(&mut bytes) {
                Ok(n) => break n.min(BUFFER_BYTES),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    // Everything before the error was consumed (a refill happens only then),
                    // so no text needs keeping; the bytes stay, as the buffer always did.
                    self.block = Block::Bytes {
                        bytes,
                        prefix: String::new(),
                    };
                    return Err(err);
                }
            }
        };
        bytes.truncate(n);
        self.start = 0;
        self.end = n;
        self.counted = 0;
        if !self.carriage_returns {
            self.carriage_returns = memchr::memchr(b'\r', &bytes).is_some();
        }
        index_newlines(&bytes, &mut self.newline_at);
        self.next_newline = 0;
        self.block = match String::from_utf8(bytes) {
            Ok(text) => Block::Text(text),
            Err(err) => {
                let valid_up_to = err.utf8_error().valid_up_to();
                let bytes = err.into_bytes();
                let mut prefix = std::mem::take(&mut self.spare_prefix);
                prefix.clear();
                let valid = bytes.get(..valid_up_to).unwrap_or(&[]);
                prefix.push_str(std::str::from_utf8(valid).unwrap_or(""));
                Block::Bytes { bytes, prefix }
            }
        };
        self.read_bytes += n as u64;
        if self.read_bytes > self.max_document_bytes {
            self.tripped = Some(Tripped::DocumentBytes);
            return Err(limit_error());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_follow_the_consumed_bytes() {
        let mut source = Source::new("ab\ncd\n\nef".as_bytes(), 1000, 1000);
        assert_eq!(source.position_of(0), Pos { line: 1, column: 1 });
        source.fill_buf().unwrap();
        source.consume(4);
        assert_eq!(source.position_of(4), Pos { line: 2, column: 2 });
        source.consume(4);
        assert_eq!(source.position_of(7), Pos { line: 4, column: 1 });
        assert_eq!(source.here(), Pos { line: 4, column: 2 });
        assert_eq!(
            source.position_of(7),
            Pos { line: 4, column: 1 },
            "earlier on the same line"
        );
    }

    #[test]
    fn newlines_before_a_refill_are_counted() {
        let text = "a\n".repeat(BUFFER_BYTES);
        let mut source = Source::new(text.as_bytes(), u64::MAX, u64::MAX);
        let target = 2 * BUFFER_BYTES - 1;
        let mut consumed = 0;
        while consumed < target {
            let n = source
                .fill_buf()
                .unwrap()
                .len()
                .min(1000)
                .min(target - consumed);
            source.consume(n);
            consumed += n;
        }
        assert_eq!(
            source.here(),
            Pos {
                line: BUFFER_BYTES as u64,
                column: 2
            }
        );
    }

    #[test]
    fn positions_follow_newlines_in_every_place_of_a_buffer() {
        let mut text = vec![b'x'; 1000];
        for at in [0, 127, 128, 500, 997] {
            text[at] = b'\n';
        }
        for upto in [0usize, 1, 127, 128, 129, 500, 501, 998, 1000] {
            let mut source = Source::new(text.as_slice(), 10_000, 10_000);
            source.fill_buf().unwrap();
            source.consume(upto);
            let before = &text[..upto];
            let line = before.iter().filter(|byte| **byte == b'\n').count() as u64 + 1;
            let line_start = before
                .iter()
                .rposition(|byte| *byte == b'\n')
                .map_or(0, |at| at + 1);
            let expected = Pos {
                line,
                column: (upto - line_start) as u64 + 1,
            };
            assert_eq!(source.here(), expected, "{upto}");
        }
    }

    #[test]
    fn every_newline_is_indexed_wherever_it_falls_in_a_block() {
        for length in [0usize, 1, 63, 64, 65, 127, 128, 200, 1000] {
            let chunk: Vec<u8> = (0..length)
                .map(|i| {
                    if i % 7 == 3 || i % 64 == 63 {
                        b'\n'
                    } else {
                        b'\x8a'
                    }
                })
                .collect();
            let expected: Vec<u32> = (0..length as u32)
                .filter(|&i| chunk[i as usize] == b'\n')
                .collect();
            let mut out = vec![99];
            index_newlines(&chunk, &mut out);
            assert_eq!(out, expected, "{length}");
        }
    }

    #[test]
    fn the_text_view_stops_before_bytes_that_are_not_utf8() {
        let mut source = Source::new(b"ab\xc3\xa9c\xffd".as_slice(), 1000, 1000);
        source.fill_buf().unwrap();
        assert_eq!(source.buffered_text(), "ab\u{e9}c");
        source.consume(1);
        assert_eq!(source.buffered_text(), "b\u{e9}c");
        source.consume(1);
        assert_eq!(source.buffered_text(), "\u{e9}c");
    }

    #[test]
    fn reading_past_the_document_limit_fails() {
        let mut source = Source::new([b'x'; 100].as_slice(), 10, 1000);
        assert!(source.fill_buf().is_err());
        assert_eq!(source.tripped(), Some(Tripped::DocumentBytes));
    }

    #[test]
    fn a_token_longer_than_the_bound_fails() {
        let mut source = Source::new([b'x'; 100].as_slice(), 1000, 10);
        source.mark();
        source.fill_buf().unwrap();
        source.consume(100);
        assert!(source.fill_buf().is_err());
        assert_eq!(source.tripped(), Some(Tripped::TokenBytes));
    }
}

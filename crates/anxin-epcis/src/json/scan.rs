//! A byte-level pass between the caller's reader and the JSON parser: it enforces the size
//! limits, and it cuts each event of the event list out of the stream so that the event can
//! be parsed from a slice.
//!
//! `serde_json` parses a slice several times faster than a reader (a reader is read byte by
//! byte, with line and column bookkeeping, and every string is copied), and it buffers a whole
//! string before a visitor can check its length. So this pass sees every byte first:
//!
//! - it counts the document's size and measures each string and number token as written
//!   (escapes included), and stops at the first one that crosses its limit, so memory stays
//!   bounded by the limits rather than by the input;
//! - it tracks just enough structure (strings, nesting, the member names of the first few
//!   levels) to recognise `epcisBody.eventList` and `epcisBody.queryResults.resultsBody.eventList`.
//!   The elements of such an array are not passed on: the parser sees an empty array, and each
//!   element's bytes are queued for the reader to parse with `serde_json::from_slice`, one at a
//!   time, when the parser reaches the array. Memory holds one event's bytes (plus whatever
//!   else the current 64 KiB input chunk completed);
//! - it drops a leading UTF-8 byte order mark, which `serde_json` would refuse;
//! - it keeps what is needed to translate positions back to the document: where each cut
//!   event starts, and where each emptied array ends.
//!
//! It does not validate JSON: malformed input is passed on (or cut out) as it is, and the
//! parser reports it. An event list whose member names are written with escapes is not
//! recognised and streams through the parser like any other array, which is slower but
//! reads the same.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

/// The size of each read from the caller's reader.
const CHUNK_BYTES: usize = 64 * 1024;

/// How many levels of member names are tracked; the deepest event list is at level five.
const TRACKED_LEVELS: usize = 6;

/// One element of an event list, cut out of the stream.
pub(super) struct Captured {
    /// The element's bytes, possibly with surrounding white space.
    pub bytes: Vec<u8>,
    /// Line and column (from 1, in bytes) of its first byte in the document.
    pub line: u64,
    pub column: u64,
    /// Set when a limit was crossed inside the element: the bytes stop there.
    pub limit: Option<String>,
}

/// What the reader asks of the byte pass while the parser stands at an event list.
pub(super) trait Pump {
    /// True, once, when the last byte handed to the parser opened an event list whose
    /// elements are cut out. Only the array the parser opens next can be that one.
    fn take_list_start(&mut self) -> bool;

    /// The next element of the event list being cut out; `None` at its end.
    fn next_event(&mut self) -> io::Result<Option<Captured>>;

    /// Gives an element's buffer back for reuse.
    fn recycle(&mut self, bytes: Vec<u8>);

    /// Translates a line and column of what the parser saw into the document's.
    fn document_position(&self, line: u64, column: u64) -> (u64, u64);

    /// The limit that made a read fail, if one did.
    fn take_limit(&mut self) -> Option<String>;
}

/// The `Read` half, handed to the parser.
pub(super) struct Splitter<R> {
    core: Rc<RefCell<Core<R>>>,
}

impl<R: Read> Read for Splitter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.core.borrow_mut().read(buf)
    }
}

/// Wraps `input`; returns the reader for the parser and the pump for the reader.
pub(super) fn split<'r, R: Read + 'r>(
    input: R,
    max_document_bytes: u64,
    max_token_bytes: u64,
) -> (Splitter<R>, Rc<RefCell<dyn Pump + 'r>>) {
    let core = Rc::new(RefCell::new(Core::new(
        input,
        max_document_bytes,
        max_token_bytes,
    )));
    (Splitter { core: core.clone() }, core)
}

/// Where the tokenizer is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between tokens, or inside a number or literal.
    Outside,
    /// Inside a string.
    InString,
    /// Just after a backslash inside a string.
    Escape,
}

/// The member names that lead to an event list.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyId {
    Other,
    EpcisBody,
    EventList,
    QueryResults,
    ResultsBody,
}

impl KeyId {
    fn of(name: &[u8]) -> KeyId {
        match name {
            b"epcisBody" => KeyId::EpcisBody,
            b"eventList" => KeyId::EventList,
            b"queryResults" => KeyId::QueryResults,
            b"resultsBody" => KeyId::ResultsBody,
            _ => KeyId::Other,
        }
    }
}

/// An open object or array on one of the tracked levels.
#[derive(Clone, Copy)]
struct Frame {
    object: bool,
    expect_key: bool,
    key: KeyId,
}

/// Where an emptied event list ends, in what the parser saw and in the document.
struct Region {
    out_line: u64,
    out_column: u64,
    line: u64,
    column: u64,
}

/// What stops a run of the tokenizer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Until {
    /// Bytes for the parser are ready.
    Output,
    /// An element (or the end of the list) is queued.
    Event,
}

enum Item {
    Event(Captured),
    End,
}

struct Core<R> {
    inner: R,
    chunk: Vec<u8>,
    /// Bytes read into `chunk`, and how far they have been tokenized.
    chunk_len: usize,
    chunk_pos: usize,
    /// Where the size limit cuts the current chunk (`chunk_len` when it does not).
    chunk_limit: usize,
    /// Document offset of `chunk[0]`.
    chunk_base: u64,
    eof: bool,
    at_start: bool,
    max_document_bytes: u64,
    max_token_bytes: u64,

    /// Bytes for the parser, and how many of them it has taken.
    out: Vec<u8>,
    out_pos: usize,
    /// Bytes handed to `out` so far, and the line and line start they end on, in what the
    /// parser sees.
    out_total: u64,
    out_line: u64,
    out_line_start: u64,

    state: State,
    /// Length of the current string or number token, and where it started.
    token_bytes: u64,
    token_start: (u64, u64),
    line: u64,
    line_start: u64,
    depth: usize,
    frames: Vec<Frame>,
    key: Vec<u8>,
    in_key: bool,

    /// The depth of the event list being cut out, while one is.
    list_depth: Option<usize>,
    /// The element being cut out, and whether a comma has come since the last one.
    current: Option<Captured>,
    after_comma: bool,
    queue: VecDeque<Item>,
    list_start: bool,
    /// A crossed limit: nothing more is tokenized, and the next read fails.
    deferred: Option<String>,
    limit: Option<String>,
    free: Vec<Vec<u8>>,
    regions: Vec<Region>,
}

impl<R: Read> Core<R> {
    fn new(inner: R, max_document_bytes: u64, max_token_bytes: u64) -> Self {
        Core {
            inner,
            chunk: vec![0; CHUNK_BYTES],
            chunk_len: 0,
            chunk_pos: 0,
            chunk_limit: 0,
            chunk_base: 0,
            eof: false,
            at_start: true,
            max_document_bytes,
            max_token_bytes,
            out: Vec::with_capacity(CHUNK_BYTES),
            out_pos: 0,
            out_total: 0,
            out_line: 1,
            out_line_start: 0,
            state: State::Outside,
            token_bytes: 0,
            token_start: (1, 1),
            line: 1,
            line_start: 0,
            depth: 0,
            frames: Vec::with_capacity(TRACKED_LEVELS),
            key: Vec::with_capacity(16),
            in_key: false,
            list_depth: None,
            current: None,
            after_comma: false,
            queue: VecDeque::new(),
            list_start: false,
            deferred: None,
            limit: None,
            free: Vec::new(),
            regions: Vec::new(),
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            self.run(Until::Output)?;
        }
        let ready = &self.out[self.out_pos..];
        if !ready.is_empty() {
            let n = ready.len().min(buf.len());
            buf[..n].copy_from_slice(&ready[..n]);
            self.out_pos += n;
            return Ok(n);
        }
        if let Some(message) = self.deferred.take() {
            self.limit = Some(message);
            return Err(io::Error::other("a reader limit was exceeded"));
        }
        Ok(0)
    }

    /// Tokenizes until `until` is met, the input ends or a limit is crossed.
    fn run(&mut self, until: Until) -> io::Result<()> {
        loop {
            let done = match until {
                Until::Output => !self.out.is_empty(),
                Until::Event => !self.queue.is_empty(),
            };
            if done || self.deferred.is_some() {
                return Ok(());
            }
            if self.chunk_pos < self.chunk_limit {
                let chunk = std::mem::take(&mut self.chunk);
                self.step(&chunk, until);
                self.chunk = chunk;
            } else if self.chunk_limit < self.chunk_len {
                let message = format!(
                    "the document is larger than the limit of {} bytes (max_document_bytes)",
                    self.max_document_bytes
                );
                self.cross(message);
            } else if self.eof {
                self.end_of_input();
                return Ok(());
            } else {
                self.refill()?;
            }
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.chunk_base += self.chunk_len as u64;
        self.chunk_pos = 0;
        let mut read = self.inner.read(&mut self.chunk)?;
        if self.at_start && read > 0 {
            self.at_start = false;
            if self.chunk[..read].starts_with(b"\xEF\xBB\xBF") {
                self.chunk.copy_within(3..read, 0);
                read -= 3;
            }
        }
        self.eof = read == 0;
        self.chunk_len = read;
        let allowed = self.max_document_bytes.saturating_sub(self.chunk_base);
        self.chunk_limit = usize::try_from(allowed).map_or(read, |allowed| allowed.min(read));
        Ok(())
    }

    fn column_at(&self, at: usize) -> u64 {
        self.chunk_base + at as u64 - self.line_start + 1
    }

    /// Copies `bytes` to where they belong: the parser, the element being cut out, or (for
    /// white space and commas between elements) nowhere.
    fn emit(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.list_depth.is_none() {
            self.out.extend_from_slice(bytes);
            if let Some(last) = bytes.iter().rposition(|byte| *byte == b'\n') {
                self.out_line += bytes.iter().filter(|byte| **byte == b'\n').count() as u64;
                self.out_line_start = self.out_total + last as u64 + 1;
            }
            self.out_total += bytes.len() as u64;
        } else if let Some(current) = &mut self.current {
            current.bytes.extend_from_slice(bytes);
        }
    }

    /// Starts cutting out an element whose first byte is `chunk[at]`.
    fn begin_element(&mut self, at: usize) {
        let mut bytes = self.free.pop().unwrap_or_default();
        bytes.clear();
        self.current = Some(Captured {
            bytes,
            line: self.line,
            column: self.column_at(at),
            limit: None,
        });
        self.after_comma = false;
    }

    fn end_element(&mut self) {
        if let Some(current) = self.current.take() {
            self.queue.push_back(Item::Event(current));
        }
    }

    /// Stops at a crossed limit. Everything before it has been emitted; an element being
    /// cut out is queued as far as it goes, so that the reader can say where it stopped.
    fn cross(&mut self, message: String) {
        if let Some(mut current) = self.current.take() {
            current.limit = Some(message.clone());
            self.queue.push_back(Item::Event(current));
        }
        self.deferred = Some(message);
    }

    fn end_of_input(&mut self) {
        self.end_element();
        if self.list_depth.take().is_some() {
            self.queue.push_back(Item::End);
        }
    }

    /// True when an array opening at the current position is an event list.
    fn at_event_list(&self) -> bool {
        let path: &[KeyId] = match self.depth {
            2 => &[KeyId::EpcisBody, KeyId::EventList],
            4 => &[
                KeyId::EpcisBody,
                KeyId::QueryResults,
                KeyId::ResultsBody,
                KeyId::EventList,
            ],
            _ => return false,
        };
        self.frames.len() == self.depth
            && self
                .frames
                .iter()
                .zip(path)
                .all(|(frame, key)| frame.object && frame.key == *key)
    }

    fn tracked_top(&mut self) -> Option<&mut Frame> {
        if self.list_depth.is_none() && self.frames.len() == self.depth {
            self.frames.last_mut()
        } else {
            None
        }
    }

    /// Tokenizes `chunk[self.chunk_pos..self.chunk_limit]` until `until` is met. Bytes are
    /// emitted in runs: `run` is the first byte not yet emitted.
    fn step(&mut self, chunk: &[u8], until: Until) {
        let end = self.chunk_limit;
        let mut at = self.chunk_pos;
        let mut run = at;
        while at < end {
            let next = match self.state {
                State::InString => self.string_segment(chunk, at, end, &mut run),
                State::Escape => {
                    self.token_bytes += 1;
                    self.state = State::InString;
                    Some(at + 1)
                }
                State::Outside => self.outside(chunk, at, end, &mut run, until),
            };
            match next {
                Some(next) => at = next,
                None => return,
            }
        }
        self.emit(&chunk[run..at]);
        self.chunk_pos = at;
    }

    /// Consumes string content from `chunk[at]` up to the next quote or backslash (or the end
    /// of what is available). Returns where to go on, or `None` when a limit stopped
    /// tokenizing (`chunk_pos` is set).
    fn string_segment(
        &mut self,
        chunk: &[u8],
        at: usize,
        end: usize,
        run: &mut usize,
    ) -> Option<usize> {
        let rest = &chunk[at..end];
        let found = find_quote_or_backslash(rest);
        let segment = &rest[..found.unwrap_or(rest.len())];
        if self.in_key && self.key.len() <= 16 {
            self.key.extend_from_slice(segment);
        }
        self.token_bytes += segment.len() as u64;
        let mut next = at + segment.len();
        if found.is_some() {
            if chunk[next] == b'"' {
                self.state = State::Outside;
                if self.in_key {
                    self.in_key = false;
                    let key = KeyId::of(&self.key);
                    if let Some(frame) = self.tracked_top() {
                        frame.key = key;
                    }
                }
            } else {
                self.token_bytes += 1;
                self.state = State::Escape;
                // A member name with escapes is not one the event lists use.
                self.key.push(0xFF);
            }
            next += 1;
        }
        if self.token_bytes > self.max_token_bytes {
            self.emit(&chunk[*run..at]);
            self.chunk_pos = at;
            self.cross(self.token_message("a string"));
            return None;
        }
        Some(next)
    }

    /// Consumes the byte `chunk[at]` outside strings (and a run of white space after it).
    /// Returns where to go on, or `None` when tokenizing stops here (`chunk_pos` is set).
    fn outside(
        &mut self,
        chunk: &[u8],
        at: usize,
        end: usize,
        run: &mut usize,
        until: Until,
    ) -> Option<usize> {
        let byte = chunk[at];
        if matches!(byte, b' ' | b'\t' | b'\r') {
            self.token_bytes = 0;
            let blank = chunk[at..end]
                .iter()
                .position(|byte| !matches!(byte, b' ' | b'\t' | b'\r'));
            return Some(blank.map_or(end, |blank| at + blank));
        }
        if byte == b'\n' {
            self.line += 1;
            self.line_start = self.chunk_base + at as u64 + 1;
            self.token_bytes = 0;
            return Some(at + 1);
        }
        let at_list_level = self.list_depth == Some(self.depth);
        if at_list_level && (byte == b',' || byte == b']') {
            return (!self.list_separator(chunk, run, at, until)).then_some(at + 1);
        }
        if at_list_level && self.current.is_none() {
            self.emit(&chunk[*run..at]);
            *run = at;
            self.begin_element(at);
        }
        match byte {
            b'"' => self.open_string(at),
            b'{' | b'[' => {
                self.token_bytes = 0;
                if byte == b'[' && self.list_depth.is_none() && self.at_event_list() {
                    self.reach_list(chunk, at, run, until);
                    return None;
                }
                self.open(byte == b'{');
            }
            b'}' | b']' => {
                self.token_bytes = 0;
                if !at_list_level {
                    self.close();
                }
            }
            b':' | b',' => {
                self.token_bytes = 0;
                if let Some(frame) = self.tracked_top() {
                    frame.expect_key = byte == b',' && frame.object;
                }
            }
            _ => {
                if !self.token_byte(chunk, at, run) {
                    return None;
                }
            }
        }
        Some(at + 1)
    }

    /// Counts a byte of a number or literal; false when that crossed the token limit.
    fn token_byte(&mut self, chunk: &[u8], at: usize, run: &mut usize) -> bool {
        if self.token_bytes == 0 {
            self.token_start = (self.line, self.column_at(at));
        }
        self.token_bytes += 1;
        if self.token_bytes <= self.max_token_bytes {
            return true;
        }
        self.emit(&chunk[*run..at]);
        self.chunk_pos = at;
        self.cross(self.token_message("a number or literal"));
        false
    }

    /// Stops at the opening bracket of an event list, `chunk[at]`, and opens the list unless
    /// bytes before it are still waiting to be read, so that the parser gets exactly the
    /// bracket on its next read.
    fn reach_list(&mut self, chunk: &[u8], at: usize, run: &mut usize, until: Until) {
        self.emit(&chunk[*run..at]);
        *run = at;
        self.chunk_pos = at;
        if until == Until::Event || self.out.is_empty() {
            self.open_list(at);
        }
    }

    fn open_string(&mut self, at: usize) {
        self.state = State::InString;
        self.token_bytes = 0;
        self.token_start = (self.line, self.column_at(at));
        if let Some(frame) = self.tracked_top()
            && frame.object
            && frame.expect_key
        {
            self.in_key = true;
            self.key.clear();
        }
    }

    fn open(&mut self, object: bool) {
        self.depth += 1;
        let tracked = self.list_depth.is_none()
            && self.frames.len() + 1 == self.depth
            && self.frames.len() < TRACKED_LEVELS;
        if tracked {
            self.frames.push(Frame {
                object,
                expect_key: true,
                key: KeyId::Other,
            });
        }
    }

    fn close(&mut self) {
        if self.list_depth.is_none() && self.frames.len() == self.depth {
            self.frames.pop();
        }
        self.depth = self.depth.saturating_sub(1);
    }

    /// Hands the parser the opening bracket of an event list at `chunk[at]`, from which on
    /// elements are cut out.
    fn open_list(&mut self, at: usize) {
        self.emit(b"[");
        self.depth += 1;
        self.frames.push(Frame {
            object: false,
            expect_key: false,
            key: KeyId::Other,
        });
        self.list_depth = Some(self.depth);
        self.list_start = true;
        self.after_comma = false;
        self.chunk_pos = at + 1;
    }

    /// Handles a `,` or `]` between the elements of an event list at `chunk[at]`; true when
    /// `step` must return (`chunk_pos` is set).
    fn list_separator(&mut self, chunk: &[u8], run: &mut usize, at: usize, until: Until) -> bool {
        let byte = chunk[at];
        self.emit(&chunk[*run..at]);
        *run = at + 1;
        if self.current.is_none() && (byte == b',' || self.after_comma) {
            // A missing element (`[,` or `,]`): cut out the separator alone, so that parsing
            // it reports the error at its place.
            self.begin_element(at);
            self.emit(&chunk[at..at + 1]);
        }
        self.end_element();
        if byte == b',' {
            self.after_comma = true;
            return self.stop_for_event(until, at);
        }
        // The end of the event list: the parser gets the closing bracket, and the place
        // where the emptied list ends is kept for translating its positions.
        self.queue.push_back(Item::End);
        self.list_depth = None;
        self.frames.pop();
        self.depth -= 1;
        self.regions.push(Region {
            out_line: self.out_line,
            out_column: self.out_total - self.out_line_start + 1,
            line: self.line,
            column: self.column_at(at),
        });
        self.emit(b"]");
        self.stop_for_event(until, at)
    }

    fn stop_for_event(&mut self, until: Until, at: usize) -> bool {
        if until == Until::Event && !self.queue.is_empty() {
            self.chunk_pos = at + 1;
            return true;
        }
        false
    }

    fn token_message(&self, what: &str) -> String {
        let (line, column) = self.token_start;
        format!(
            "{what} starting at line {line}, column {column} is longer than the limit of {} bytes (max_string_bytes)",
            self.max_token_bytes
        )
    }
}

impl<R: Read> Pump for Core<R> {
    fn take_list_start(&mut self) -> bool {
        std::mem::take(&mut self.list_start)
    }

    fn next_event(&mut self) -> io::Result<Option<Captured>> {
        loop {
            match self.queue.pop_front() {
                Some(Item::Event(captured)) => return Ok(Some(captured)),
                Some(Item::End) => return Ok(None),
                None if self.list_depth.is_none() || self.deferred.is_some() => return Ok(None),
                None => self.run(Until::Event)?,
            }
        }
    }

    fn recycle(&mut self, bytes: Vec<u8>) {
        if self.free.is_empty() {
            self.free.push(bytes);
        }
    }

    fn document_position(&self, line: u64, column: u64) -> (u64, u64) {
        let region = self
            .regions
            .iter()
            .rev()
            .find(|region| (region.out_line, region.out_column) <= (line, column));
        match region {
            None => (line, column),
            Some(region) if region.out_line == line => {
                (region.line, region.column + (column - region.out_column))
            }
            Some(region) => (region.line + (line - region.out_line), column),
        }
    }

    fn take_limit(&mut self) -> Option<String> {
        self.limit.take()
    }
}

/// The index of the first `"` or `\\` in `bytes`, eight bytes at a time.
fn find_quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let quotes = ONES * u64::from(b'"');
    let backslashes = ONES * u64::from(b'\\');
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        let word = u64::from_le_bytes(word);
        let (quote, backslash) = (word ^ quotes, word ^ backslashes);
        // A byte is zero in `quote` or `backslash` where the character is; this sets the
        // high bit of the lowest such byte (and possibly of higher ones).
        let found = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash))
            & HIGHS;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|byte| *byte == b'"' || *byte == b'\\')
        .map(|found| at + found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the parser sees, the elements cut out, and the limit hit, if any.
    fn split_all(
        input: &[u8],
        max_document_bytes: u64,
        max_token_bytes: u64,
    ) -> (Vec<u8>, Vec<String>, Option<String>) {
        let (mut reader, pump) = split(input, max_document_bytes, max_token_bytes);
        let mut seen = Vec::new();
        let mut events = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    seen.extend_from_slice(&buf[..n]);
                    if pump.borrow_mut().take_list_start() {
                        while let Some(captured) = pump.borrow_mut().next_event().unwrap() {
                            events.push(String::from_utf8(captured.bytes).unwrap());
                        }
                    }
                }
                Err(_) => break,
            }
        }
        let limit = pump.borrow_mut().take_limit();
        (seen, events, limit)
    }

    #[test]
    fn event_list_elements_are_cut_out() {
        let input = br#"{"epcisBody": {"x": [1], "eventList": [{"a": "]"}, 2 , "s"]}, "b": [3]}"#;
        let (seen, events, limit) = split_all(input, 1000, 1000);
        assert_eq!(
            String::from_utf8(seen).unwrap(),
            r#"{"epcisBody": {"x": [1], "eventList": []}, "b": [3]}"#
        );
        assert_eq!(events, [r#"{"a": "]"}"#, "2 ", r#""s""#]);
        assert_eq!(limit, None);
    }

    #[test]
    fn query_results_are_cut_out_and_other_lists_are_not() {
        let input = br#"{"epcisBody": {"queryResults": {"resultsBody": {"eventList": [{}, {}]}}}, "eventList": [5]}"#;
        let (seen, events, _) = split_all(input, 1000, 1000);
        assert_eq!(events, ["{}", "{}"]);
        assert!(
            String::from_utf8(seen)
                .unwrap()
                .ends_with(r#""eventList": []}}}, "eventList": [5]}"#)
        );
    }

    #[test]
    fn a_missing_element_is_cut_out_so_that_it_is_reported() {
        let (_, events, _) = split_all(br#"{"epcisBody": {"eventList": [{}, ]}}"#, 1000, 1000);
        assert_eq!(events, ["{}", "]"]);
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        let (seen, _, _) = split_all(b"\xEF\xBB\xBF{}", 100, 100);
        assert_eq!(seen, b"{}");
    }

    #[test]
    fn a_long_string_is_stopped_with_its_line_and_column() {
        let input = b"{\n  \"a\": \"0123456789\"}";
        let (_, _, limit) = split_all(input, 100, 8);
        let limit = limit.unwrap();
        assert!(
            limit.contains("a string starting at line 2, column 8"),
            "{limit}"
        );
        assert_eq!(split_all(input, 100, 10).2, None);
    }

    #[test]
    fn a_long_string_inside_an_event_marks_the_event() {
        let input = br#"{"epcisBody": {"eventList": [{"a": "0123456789"}]}}"#;
        let (mut reader, pump) = split(input.as_slice(), 1000, 9);
        let mut seen = Vec::new();
        let mut buf = [0u8; 64];
        let n = reader.read(&mut buf).unwrap();
        seen.extend_from_slice(&buf[..n]);
        let n = reader.read(&mut buf).unwrap();
        seen.extend_from_slice(&buf[..n]);
        assert!(pump.borrow_mut().take_list_start());
        let captured = pump.borrow_mut().next_event().unwrap().unwrap();
        assert_eq!(captured.bytes, br#"{"a": ""#);
        assert!(captured.limit.unwrap().contains("max_string_bytes"));
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let (_, _, limit) = split_all(br#"{"a": "x\"yyyyyyyyyyyy"}"#, 100, 8);
        assert!(limit.is_some());
    }

    #[test]
    fn a_long_number_is_stopped() {
        let (_, _, limit) = split_all(b"[123456789012]", 100, 8);
        assert!(limit.unwrap().contains("a number or literal"));
    }

    #[test]
    fn a_large_document_is_stopped() {
        let (seen, _, limit) = split_all(b"[1, 2, 3, 4]", 5, 100);
        assert_eq!(seen, b"[1, 2");
        assert!(limit.unwrap().contains("max_document_bytes"));
    }

    #[test]
    fn positions_after_an_emptied_list_are_translated() {
        let input = b"{\"epcisBody\": {\"eventList\": [\n{},\n{}\n], \"x\": 1}}";
        let (seen, _, _) = {
            let (mut reader, pump) = split(input.as_slice(), 1000, 1000);
            let mut seen = Vec::new();
            let mut buf = [0u8; 64];
            loop {
                let n = reader.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
                if pump.borrow_mut().take_list_start() {
                    while pump.borrow_mut().next_event().unwrap().is_some() {}
                }
            }
            let core = pump.borrow();
            // `"x"` is at line 1, column 33 of what the parser saw, and at line 4, column 4
            // of the document.
            assert_eq!(core.document_position(1, 33), (4, 4));
            assert_eq!(core.document_position(1, 5), (1, 5));
            (seen, (), ())
        };
        assert_eq!(
            String::from_utf8(seen).unwrap(),
            r#"{"epcisBody": {"eventList": [], "x": 1}}"#
        );
    }

    #[test]
    fn quotes_and_backslashes_are_found_in_any_position() {
        for at in 0..20 {
            let mut bytes = vec![b'a'; 20];
            bytes[at] = b'"';
            assert_eq!(find_quote_or_backslash(&bytes), Some(at));
            bytes[at] = b'\\';
            assert_eq!(find_quote_or_backslash(&bytes), Some(at));
        }
        assert_eq!(find_quote_or_backslash(b"abcdefghijk"), None);
    }
}

//! Where a problem is, and what it is.
//!
//! Every complaint about a document names its place: a JSON pointer into a JSON-LD document
//! (`/epcisBody/eventList/3/bizStep`) or a line and column in an XML document, plus the
//! field path inside the event when the place is an event. Fatal errors (the bytes are not
//! JSON or XML at all, a limit was exceeded) stop reading and are a [`ReadError`]; problems
//! with one event ([`Problem`]) are collected so that a user sees all of them at once.

use std::borrow::Cow;
use std::fmt;

/// A place in a source document.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Place {
    /// A JSON pointer (RFC 6901) into a JSON-LD document.
    JsonPointer(String),
    /// A line and column (both from 1) in an XML document, with the element path there.
    Xml {
        /// Line number, from 1.
        line: u64,
        /// Column number (in bytes), from 1.
        column: u64,
        /// What is there, e.g. `ObjectEvent/bizStep`; may be empty.
        path: String,
    },
    /// A field path inside an event that did not come from a document (built in code).
    Field(String),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::JsonPointer(pointer) if pointer.is_empty() => {
                f.write_str("at the document root")
            }
            Place::JsonPointer(pointer) => write!(f, "at {pointer}"),
            Place::Xml { line, column, path } if path.is_empty() => {
                write!(f, "at line {line}, column {column}")
            }
            Place::Xml { line, column, path } => {
                write!(f, "at line {line}, column {column} ({path})")
            }
            Place::Field(path) => write!(f, "at {path}"),
        }
    }
}

/// One thing wrong with a document, with its place.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Problem {
    /// Where it is.
    pub place: Place,
    /// What is wrong and what was expected, as a readable sentence without a trailing dot.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// A problem found by checking one event, before its place in a document is known.
///
/// `path` is relative to the event, in JSON-pointer style without the leading slash
/// (`bizStep`, `epcList/2`, `sensorElementList/0/sensorReport/1/uom`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FieldProblem {
    /// The field path inside the event.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Why reading a document stopped.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ReadError {
    /// The bytes are not well-formed JSON or XML, or the document's structure is not an
    /// EPCIS document at all.
    #[error("{place}: {message}")]
    Syntax {
        /// Where reading stopped.
        place: Place,
        /// What was wrong.
        message: String,
    },
    /// A configured limit was exceeded (size, events, nesting depth).
    #[error("{place}: {message}")]
    Limit {
        /// Where the limit was crossed.
        place: Place,
        /// Which limit and its value.
        message: String,
    },
    /// The underlying reader failed.
    #[error("could not read the document: {0}")]
    Io(String),
    /// The event sink asked to stop (its own error is kept by the caller).
    #[error("reading was stopped by the consumer: {0}")]
    Stopped(String),
}

/// Where an event came from, so that problems found later can be placed in the source.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Origin {
    /// The event's index in the document's event list, from 0.
    pub index: usize,
    /// The event's own place (its JSON pointer, or the line and column of its element).
    pub place: Place,
    /// For XML, the places of the event's child elements by field name, in document order.
    /// Standard field names are borrowed, so that recording them costs no allocation; only
    /// extension elements' names are owned.
    pub fields: Vec<(Cow<'static, str>, Place)>,
}

impl Origin {
    /// The place of a field given by its path inside the event (`bizStep`, `epcList/2`).
    ///
    /// For JSON the pointer is exact. For XML it is the first element of the top-level field
    /// if the reader recorded one, otherwise the event element, with the path named.
    pub fn place_of(&self, path: &str) -> Place {
        match &self.place {
            Place::JsonPointer(base) => {
                if path.is_empty() {
                    Place::JsonPointer(base.clone())
                } else {
                    Place::JsonPointer(format!("{base}/{path}"))
                }
            }
            Place::Xml {
                line,
                column,
                path: event_path,
            } => {
                let top = path.split('/').next().unwrap_or("");
                let found = self.fields.iter().find(|(field, _)| field == top);
                let described = if path.is_empty() {
                    event_path.clone()
                } else {
                    format!("{event_path}/{path}")
                };
                match found {
                    Some((_, Place::Xml { line, column, .. })) => Place::Xml {
                        line: *line,
                        column: *column,
                        path: described,
                    },
                    _ => Place::Xml {
                        line: *line,
                        column: *column,
                        path: described,
                    },
                }
            }
            Place::Field(base) => Place::Field(format!("{base}/{path}")),
        }
    }

    /// Turns a field problem into a problem placed in the source.
    pub fn place_problem(&self, problem: FieldProblem) -> Problem {
        Problem {
            place: self.place_of(&problem.path),
            message: problem.message,
        }
    }
}

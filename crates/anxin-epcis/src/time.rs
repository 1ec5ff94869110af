//! EPCIS timestamps: an instant together with the offset it was written in.
//!
//! EPCIS keeps the offset an event was recorded in (`eventTimeZoneOffset`) apart from the
//! instant, and documents write timestamps with arbitrary fractional precision
//! (`2005-04-03T20:33:31.116000-06:00`). [`EpcisTime`] keeps both the instant (nanosecond
//! precision) and the written offset, so a document read and written again says the same
//! instant in the same local time. Parsing is delegated to `jiff`; nothing here hand-parses
//! dates beyond choosing which RFC 3339 form to accept.

use std::fmt;

use jiff::{Timestamp, tz::Offset};

/// An instant with the UTC offset it was expressed in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct EpcisTime {
    /// The instant itself.
    pub instant: Timestamp,
    /// The offset the timestamp was written with (`Z` is zero).
    pub offset: Offset,
}

/// Why a timestamp or offset could not be read.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{0}")]
pub struct TimeError(pub String);

impl EpcisTime {
    /// Parses an `xsd:dateTime` as EPCIS uses it: RFC 3339 with a mandatory offset
    /// (`Z`, `+08:00`), any number of fractional digits.
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let trimmed = text.trim();
        let zoned: jiff::fmt::temporal::DateTimeParser = jiff::fmt::temporal::DateTimeParser::new();
        let pieces = zoned
            .parse_pieces(trimmed)
            .map_err(|err| TimeError(format!("`{trimmed}` is not an RFC 3339 date-time: {err}")))?;
        let offset = match pieces.offset() {
            Some(offset) => offset.to_numeric_offset(),
            None => {
                return Err(TimeError(format!(
                    "`{trimmed}` has no UTC offset (write `Z` or `+08:00` at the end)"
                )));
            }
        };
        let Some(time) = pieces.time() else {
            return Err(TimeError(format!(
                "`{trimmed}` has a date but no time of day"
            )));
        };
        let civil = pieces.date().to_datetime(time);
        let instant = offset
            .to_timestamp(civil)
            .map_err(|err| TimeError(format!("`{trimmed}` is out of range: {err}")))?;
        Ok(EpcisTime { instant, offset })
    }

    /// The same instant in UTC.
    pub fn utc(instant: Timestamp) -> Self {
        EpcisTime {
            instant,
            offset: Offset::UTC,
        }
    }

    /// Milliseconds since the Unix epoch (truncated towards negative infinity).
    pub fn unix_millis(&self) -> i64 {
        self.instant.as_millisecond()
    }
}

impl fmt::Display for EpcisTime {
    /// Writes RFC 3339 in the original offset, with only as many fractional digits as needed
    /// (`Z` for a zero offset).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.offset == Offset::UTC {
            write!(f, "{}", self.instant)
        } else {
            let civil = self.offset.to_datetime(self.instant);
            write!(f, "{}{}", civil, OffsetText(self.offset))
        }
    }
}

/// An `eventTimeZoneOffset` value such as `-06:00` or `+08:00`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TimeZoneOffset(pub Offset);

impl TimeZoneOffset {
    /// Parses `±HH:MM` (and `Z`, which some producers write for UTC).
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let trimmed = text.trim();
        if trimmed == "Z" {
            return Ok(TimeZoneOffset(Offset::UTC));
        }
        let bytes = trimmed.as_bytes();
        let well_formed = bytes.len() == 6
            && (bytes[0] == b'+' || bytes[0] == b'-')
            && bytes[1].is_ascii_digit()
            && bytes[2].is_ascii_digit()
            && bytes[3] == b':'
            && bytes[4].is_ascii_digit()
            && bytes[5].is_ascii_digit();
        if !well_formed {
            return Err(TimeError(format!(
                "`{trimmed}` is not a time-zone offset of the form +HH:MM or -HH:MM"
            )));
        }
        let hours = i32::from((bytes[1] - b'0') * 10 + (bytes[2] - b'0'));
        let minutes = i32::from((bytes[4] - b'0') * 10 + (bytes[5] - b'0'));
        if hours > 14 || minutes > 59 || (hours == 14 && minutes != 0) {
            return Err(TimeError(format!(
                "`{trimmed}` is outside the range of UTC offsets (-14:00 to +14:00)"
            )));
        }
        let sign = if bytes[0] == b'-' { -1 } else { 1 };
        let seconds = sign * (hours * 3600 + minutes * 60);
        Offset::from_seconds(seconds)
            .map(TimeZoneOffset)
            .map_err(|err| TimeError(format!("`{trimmed}`: {err}")))
    }
}

impl fmt::Display for TimeZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0.seconds();
        let sign = if seconds < 0 { '-' } else { '+' };
        let seconds = seconds.abs();
        write!(
            f,
            "{sign}{:02}:{:02}",
            seconds / 3600,
            (seconds % 3600) / 60
        )
    }
}

struct OffsetText(Offset);

impl fmt::Display for OffsetText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        TimeZoneOffset(self.0).fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_keeps_its_offset_and_instant() {
        let time = EpcisTime::parse("2005-04-03T20:33:31.116000-06:00").unwrap();
        assert_eq!(time.to_string(), "2005-04-03T20:33:31.116-06:00");
        assert_eq!(time.instant.to_string(), "2005-04-04T02:33:31.116Z");
    }

    #[test]
    fn a_timestamp_without_offset_is_refused() {
        let err = EpcisTime::parse("2005-04-03T20:33:31").unwrap_err();
        assert!(err.0.contains("no UTC offset"), "{err}");
    }

    #[test]
    fn offsets_parse_and_print() {
        for text in ["+08:00", "-06:00", "+00:00", "+05:45", "-14:00"] {
            assert_eq!(TimeZoneOffset::parse(text).unwrap().to_string(), text);
        }
        assert!(TimeZoneOffset::parse("+8:00").is_err());
        assert!(TimeZoneOffset::parse("+15:00").is_err());
    }
}

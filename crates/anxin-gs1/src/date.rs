//! A calendar date of our own, and the GS1 reading of six-digit YYMMDD fields.
//!
//! Element strings carry production (AI 11), packaging (13), best-before (15), sell-by (16)
//! and expiry (17) dates as YYMMDD. The century comes from the rule in GS1 General
//! Specifications 7.12: a two-digit year lies at most 49 years in the past or 50 in the future
//! of a reference year. "Today" is IO, so the caller passes the reference year in.
//! DD = 00 means "the month, no particular day" and is read as the last day of the month.
//! This module does no time-zone or clock work and pulls in no time crate.

use std::fmt;

use crate::error::Gs1Error;

/// A calendar date (proleptic Gregorian), ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// The number of days in `month` (1 to 12) of `year`.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

impl Date {
    /// Builds a date, checking that the month and day exist.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date, Gs1Error> {
        if !(1..=12).contains(&month) {
            return Err(Gs1Error::BadDate {
                text: format!("{year:04}-{month:02}-{day:02}"),
                reason: "no such month",
            });
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(Gs1Error::BadDate {
                text: format!("{year:04}-{month:02}-{day:02}"),
                reason: "no such day in that month",
            });
        }
        Ok(Date { year, month, day })
    }

    /// Reads a GS1 YYMMDD field.
    ///
    /// The century follows GS1 General Specifications 7.12, relative to `reference_year`
    /// (normally the current year). A day of 00 gives the last day of the month.
    ///
    /// ```
    /// use anxin_gs1::Date;
    /// let expiry = Date::from_yymmdd("290100", 2026).unwrap();
    /// assert_eq!(expiry.to_string(), "2029-01-31");
    /// assert_eq!(Date::from_yymmdd("991231", 2026).unwrap().year(), 1999);
    /// ```
    pub fn from_yymmdd(text: &str, reference_year: u16) -> Result<Date, Gs1Error> {
        let bytes = text.as_bytes();
        if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(Gs1Error::BadDate {
                text: text.to_owned(),
                reason: "expected six digits",
            });
        }
        let two = |at: usize| (bytes[at] - b'0') * 10 + (bytes[at + 1] - b'0');
        let (yy, month, day) = (two(0), two(2), two(4));
        let year = full_year(yy, reference_year);
        if !(1..=12).contains(&month) {
            return Err(Gs1Error::BadDate {
                text: text.to_owned(),
                reason: "month must be 01 to 12",
            });
        }
        let last_day = days_in_month(year, month);
        if day > last_day {
            return Err(Gs1Error::BadDate {
                text: text.to_owned(),
                reason: "no such day in that month",
            });
        }
        Ok(Date {
            year,
            month,
            day: if day == 0 { last_day } else { day },
        })
    }

    /// The year, four digits.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// The date as GS1 YYMMDD digits (never with day 00).
    pub fn to_yymmdd(&self) -> String {
        format!("{:02}{:02}{:02}", self.year % 100, self.month, self.day)
    }
}

/// The four-digit year for a two-digit GS1 year, by General Specifications 7.12.
fn full_year(yy: u8, reference_year: u16) -> u16 {
    let century = reference_year - reference_year % 100;
    let difference = i32::from(yy) - i32::from(reference_year % 100);
    let century = if (51..=99).contains(&difference) {
        century.saturating_sub(100)
    } else if (-99..=-50).contains(&difference) {
        century.saturating_add(100)
    } else {
        century
    };
    century.saturating_add(u16::from(yy))
}

impl fmt::Display for Date {
    /// ISO 8601: `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_of_zero_means_the_last_day_of_the_month() {
        assert_eq!(
            Date::from_yymmdd("240200", 2026).unwrap(),
            Date::new(2024, 2, 29).unwrap()
        );
        assert_eq!(
            Date::from_yymmdd("250200", 2026).unwrap(),
            Date::new(2025, 2, 28).unwrap()
        );
    }

    #[test]
    fn a_year_up_to_fifty_years_ahead_stays_in_this_century() {
        assert_eq!(Date::from_yymmdd("760101", 2026).unwrap().year(), 2076);
    }

    #[test]
    fn a_year_more_than_fifty_years_ahead_falls_in_the_previous_century() {
        assert_eq!(Date::from_yymmdd("770101", 2026).unwrap().year(), 1977);
    }

    #[test]
    fn late_in_a_century_small_years_belong_to_the_next_one() {
        assert_eq!(Date::from_yymmdd("450101", 2095).unwrap().year(), 2145);
        assert_eq!(Date::from_yymmdd("460101", 2095).unwrap().year(), 2046);
    }

    #[test]
    fn a_thirteenth_month_is_rejected_with_a_reason() {
        let err = Date::from_yymmdd("261301", 2026).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"261301\" is not a YYMMDD date: month must be 01 to 12"
        );
    }

    #[test]
    fn february_thirtieth_is_rejected() {
        assert!(Date::from_yymmdd("260230", 2026).is_err());
    }
}

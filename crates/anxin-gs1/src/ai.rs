//! GS1 Application Identifiers: which exist, how long their values are, which character set
//! they use and which need an FNC1 separator after them.
//!
//! The table is data taken from the GS1 General Specifications (section 3, "GS1 Application
//! Identifier definitions", and figure 7.8.5-2, the AIs with a predefined length that need no
//! FNC1) as machine-readably restated by the GS1 Barcode Syntax Dictionary
//! (github.com/gs1/gs1-syntax-dictionary, 2024-2025 releases). Each format is written in that
//! dictionary's notation: `N6` six digits, `X..20` one to twenty characters of set 82,
//! `Y..30` set 39, `Z..90` set 64, `[...]` an optional last part, and after a comma the checks
//! this crate applies: `csum` (mod-10 check digit), `yymmd0` (date, day may be 00),
//! `yymmdd` (date), `zero` (must be 0), `nozeroprefix` (no leading zero).
//! This module deliberately does not check the dictionary's other rules: country and currency
//! codes, IBANs, coupon contents, which AIs must or must not appear together.

use crate::charset;
use crate::check_digit;
use crate::date::Date;
use crate::error::{CharacterSet, Gs1Error};

/// One row of the table: an AI or a range of AIs sharing one format.
#[derive(Debug)]
struct AiRow {
    first: &'static str,
    last: &'static str,
    /// In the General Specifications' list of predefined-length AIs, so never followed by FNC1.
    predefined_length: bool,
    format: &'static str,
    title: &'static str,
}

const fn row(
    first: &'static str,
    last: &'static str,
    predefined_length: bool,
    format: &'static str,
    title: &'static str,
) -> AiRow {
    AiRow {
        first,
        last,
        predefined_length,
        format,
        title,
    }
}

const P: bool = true;
const V: bool = false;

#[rustfmt::skip]
static AI_TABLE: &[AiRow] = &[
    row("00", "00", P, "N18,csum", "SSCC"),
    row("01", "01", P, "N14,csum", "GTIN"),
    row("02", "02", P, "N14,csum", "CONTENT"),
    row("10", "10", V, "X..20", "BATCH/LOT"),
    row("11", "11", P, "N6,yymmd0", "PROD DATE"),
    row("12", "12", P, "N6,yymmd0", "DUE DATE"),
    row("13", "13", P, "N6,yymmd0", "PACK DATE"),
    row("15", "15", P, "N6,yymmd0", "BEST BEFORE or BEST BY"),
    row("16", "16", P, "N6,yymmd0", "SELL BY"),
    row("17", "17", P, "N6,yymmd0", "USE BY or EXPIRY"),
    row("20", "20", P, "N2", "VARIANT"),
    row("21", "21", V, "X..20", "SERIAL"),
    row("22", "22", V, "X..20", "CPV"),
    row("235", "235", V, "X..28", "TPX"),
    row("240", "240", V, "X..30", "ADDITIONAL ID"),
    row("241", "241", V, "X..30", "CUST. PART No."),
    row("242", "242", V, "N..6", "MTO VARIANT"),
    row("243", "243", V, "X..20", "PCN"),
    row("250", "250", V, "X..30", "SECONDARY SERIAL"),
    row("251", "251", V, "X..30", "REF. TO SOURCE"),
    row("253", "253", V, "N13,csum [X..17]", "GDTI"),
    row("254", "254", V, "X..20", "GLN EXTENSION COMPONENT"),
    row("255", "255", V, "N13,csum [N..12]", "GCN"),
    row("30", "30", V, "N..8", "VAR. COUNT"),
    row("3100", "3105", P, "N6", "NET WEIGHT (kg)"),
    row("3110", "3115", P, "N6", "LENGTH (m)"),
    row("3120", "3125", P, "N6", "WIDTH (m)"),
    row("3130", "3135", P, "N6", "HEIGHT (m)"),
    row("3140", "3145", P, "N6", "AREA (m²)"),
    row("3150", "3155", P, "N6", "NET VOLUME (l)"),
    row("3160", "3165", P, "N6", "NET VOLUME (m³)"),
    row("3200", "3205", P, "N6", "NET WEIGHT (lb)"),
    row("3210", "3215", P, "N6", "LENGTH (in)"),
    row("3220", "3225", P, "N6", "LENGTH (ft)"),
    row("3230", "3235", P, "N6", "LENGTH (yd)"),
    row("3240", "3245", P, "N6", "WIDTH (in)"),
    row("3250", "3255", P, "N6", "WIDTH (ft)"),
    row("3260", "3265", P, "N6", "WIDTH (yd)"),
    row("3270", "3275", P, "N6", "HEIGHT (in)"),
    row("3280", "3285", P, "N6", "HEIGHT (ft)"),
    row("3290", "3295", P, "N6", "HEIGHT (yd)"),
    row("3300", "3305", P, "N6", "GROSS WEIGHT (kg)"),
    row("3310", "3315", P, "N6", "LENGTH (m), log"),
    row("3320", "3325", P, "N6", "WIDTH (m), log"),
    row("3330", "3335", P, "N6", "HEIGHT (m), log"),
    row("3340", "3345", P, "N6", "AREA (m²), log"),
    row("3350", "3355", P, "N6", "VOLUME (l), log"),
    row("3360", "3365", P, "N6", "VOLUME (m³), log"),
    row("3370", "3375", P, "N6", "KG PER m²"),
    row("3400", "3405", P, "N6", "GROSS WEIGHT (lb)"),
    row("3410", "3415", P, "N6", "LENGTH (in), log"),
    row("3420", "3425", P, "N6", "LENGTH (ft), log"),
    row("3430", "3435", P, "N6", "LENGTH (yd), log"),
    row("3440", "3445", P, "N6", "WIDTH (in), log"),
    row("3450", "3455", P, "N6", "WIDTH (ft), log"),
    row("3460", "3465", P, "N6", "WIDTH (yd), log"),
    row("3470", "3475", P, "N6", "HEIGHT (in), log"),
    row("3480", "3485", P, "N6", "HEIGHT (ft), log"),
    row("3490", "3495", P, "N6", "HEIGHT (yd), log"),
    row("3500", "3505", P, "N6", "AREA (in²)"),
    row("3510", "3515", P, "N6", "AREA (ft²)"),
    row("3520", "3525", P, "N6", "AREA (yd²)"),
    row("3530", "3535", P, "N6", "AREA (in²), log"),
    row("3540", "3545", P, "N6", "AREA (ft²), log"),
    row("3550", "3555", P, "N6", "AREA (yd²), log"),
    row("3560", "3565", P, "N6", "NET WEIGHT (t oz)"),
    row("3570", "3575", P, "N6", "NET VOLUME (oz)"),
    row("3600", "3605", P, "N6", "NET VOLUME (qt)"),
    row("3610", "3615", P, "N6", "NET VOLUME (gal.)"),
    row("3620", "3625", P, "N6", "VOLUME (qt), log"),
    row("3630", "3635", P, "N6", "VOLUME (gal.), log"),
    row("3640", "3645", P, "N6", "VOLUME (in³)"),
    row("3650", "3655", P, "N6", "VOLUME (ft³)"),
    row("3660", "3665", P, "N6", "VOLUME (yd³)"),
    row("3670", "3675", P, "N6", "VOLUME (in³), log"),
    row("3680", "3685", P, "N6", "VOLUME (ft³), log"),
    row("3690", "3695", P, "N6", "VOLUME (yd³), log"),
    row("37", "37", V, "N..8", "COUNT"),
    row("3900", "3909", V, "N..15", "AMOUNT"),
    row("3910", "3919", V, "N3 N..15", "AMOUNT"),
    row("3920", "3929", V, "N..15", "PRICE"),
    row("3930", "3939", V, "N3 N..15", "PRICE"),
    row("3940", "3943", V, "N4", "PRCNT OFF"),
    row("3950", "3955", V, "N6", "PRICE/UoM"),
    row("400", "400", V, "X..30", "ORDER NUMBER"),
    row("401", "401", V, "X..30", "GINC"),
    row("402", "402", V, "N17,csum", "GSIN"),
    row("403", "403", V, "X..30", "ROUTE"),
    row("410", "410", P, "N13,csum", "SHIP TO LOC"),
    row("411", "411", P, "N13,csum", "BILL TO"),
    row("412", "412", P, "N13,csum", "PURCHASE FROM"),
    row("413", "413", P, "N13,csum", "SHIP FOR LOC"),
    row("414", "414", P, "N13,csum", "LOC No."),
    row("415", "415", P, "N13,csum", "PAY TO"),
    row("416", "416", P, "N13,csum", "PROD/SERV LOC"),
    row("417", "417", P, "N13,csum", "PARTY"),
    row("420", "420", V, "X..20", "SHIP TO POST"),
    row("421", "421", V, "N3 X..9", "SHIP TO POST"),
    row("422", "422", V, "N3", "ORIGIN"),
    row("423", "423", V, "N..15", "COUNTRY - INITIAL PROCESS"),
    row("424", "424", V, "N3", "COUNTRY - PROCESS"),
    row("425", "425", V, "N..15", "COUNTRY - DISASSEMBLY"),
    row("426", "426", V, "N3", "COUNTRY - FULL PROCESS"),
    row("427", "427", V, "X..3", "ORIGIN SUBDIVISION"),
    row("4300", "4301", V, "X..35", "SHIP TO COMP / NAME"),
    row("4302", "4306", V, "X..70", "SHIP TO ADDRESS"),
    row("4307", "4307", V, "X2", "SHIP TO COUNTRY"),
    row("4308", "4308", V, "X..30", "SHIP TO PHONE"),
    row("4309", "4309", V, "N10 N10", "SHIP TO GEO"),
    row("4310", "4311", V, "X..35", "RTN TO COMP / NAME"),
    row("4312", "4316", V, "X..70", "RTN TO ADDRESS"),
    row("4317", "4317", V, "X2", "RTN TO COUNTRY"),
    row("4318", "4318", V, "X..20", "RTN TO POST"),
    row("4319", "4319", V, "X..30", "RTN TO PHONE"),
    row("4320", "4320", V, "X..35", "SRV DESCRIPTION"),
    row("4321", "4323", V, "N1", "DANGEROUS GOODS / AUTH TO LEAVE / SIG REQUIRED"),
    row("4324", "4325", V, "N6,yymmd0 N4", "NOT BEF / NOT AFT DEL DT"),
    row("4326", "4326", V, "N6,yymmdd", "REL DATE"),
    row("4330", "4333", V, "N6 [X1]", "MAX / MIN TEMP"),
    row("7001", "7001", V, "N13", "NSN"),
    row("7002", "7002", V, "X..30", "MEAT CUT"),
    row("7003", "7003", V, "N6,yymmdd N4", "EXPIRY TIME"),
    row("7004", "7004", V, "N..4", "ACTIVE POTENCY"),
    row("7005", "7005", V, "X..12", "CATCH AREA"),
    row("7006", "7006", V, "N6,yymmdd", "FIRST FREEZE DATE"),
    row("7007", "7007", V, "N6,yymmdd [N6],yymmdd", "HARVEST DATE"),
    row("7008", "7008", V, "X..3", "AQUATIC SPECIES"),
    row("7009", "7009", V, "X..10", "FISHING GEAR TYPE"),
    row("7010", "7010", V, "X..2", "PROD METHOD"),
    row("7011", "7011", V, "N6,yymmdd [N4]", "TEST BY DATE"),
    row("7020", "7020", V, "X..20", "REFURB LOT"),
    row("7021", "7021", V, "X..20", "FUNC STAT"),
    row("7022", "7022", V, "X..20", "REV STAT"),
    row("7023", "7023", V, "X..30", "GIAI - ASSEMBLY"),
    row("7030", "7039", V, "N3 X..27", "PROCESSOR # s"),
    row("7040", "7040", V, "N1 X3", "UIC+EXT"),
    row("710", "715", V, "X..20", "NHRN"),
    row("7230", "7239", V, "X2 X..28", "CERT # s"),
    row("7240", "7240", V, "X..20", "PROTOCOL"),
    row("7241", "7241", V, "N2", "AIDC MEDIA TYPE"),
    row("7242", "7242", V, "X..25", "VCN"),
    row("8001", "8001", V, "N14", "DIMENSIONS"),
    row("8002", "8002", V, "X..20", "CMT No."),
    row("8003", "8003", V, "N1,zero N13,csum [X..16]", "GRAI"),
    row("8004", "8004", V, "X..30", "GIAI"),
    row("8005", "8005", V, "N6", "PRICE PER UNIT"),
    row("8006", "8006", V, "N14,csum N4", "ITIP"),
    row("8007", "8007", V, "X..34", "IBAN"),
    row("8008", "8008", V, "N8 [N..4]", "PROD TIME"),
    row("8009", "8009", V, "X..50", "OPTSEN"),
    row("8010", "8010", V, "Y..30", "CPID"),
    row("8011", "8011", V, "N..12,nozeroprefix", "CPID SERIAL"),
    row("8012", "8012", V, "X..20", "VERSION"),
    row("8013", "8013", V, "X..25", "GMN"),
    row("8017", "8017", V, "N18,csum", "GSRN - PROVIDER"),
    row("8018", "8018", V, "N18,csum", "GSRN - RECIPIENT"),
    row("8019", "8019", V, "N..10", "SRIN"),
    row("8020", "8020", V, "X..25", "REF No."),
    row("8026", "8026", V, "N14,csum N4", "ITIP CONTENT"),
    row("8030", "8030", V, "Z..90", "DIGSIG"),
    row("8110", "8110", V, "X..70", "COUPON"),
    row("8111", "8111", V, "N4", "POINTS"),
    row("8112", "8112", V, "X..70", "PAPERLESS COUPON"),
    row("8200", "8200", V, "X..70", "PRODUCT URL"),
    row("90", "90", V, "X..30", "INTERNAL"),
    row("91", "99", V, "X..90", "INTERNAL"),
];

/// What this crate knows about one GS1 Application Identifier.
#[derive(Debug, Clone, Copy)]
pub struct AiInfo {
    row: &'static AiRow,
}

impl AiInfo {
    /// Looks up an AI by its digits, e.g. `"17"` or `"3103"`.
    pub fn lookup(ai: &str) -> Option<AiInfo> {
        if !(2..=4).contains(&ai.len()) || !ai.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        AI_TABLE
            .iter()
            .find(|row| row.first.len() == ai.len() && row.first <= ai && ai <= row.last)
            .map(|row| AiInfo { row })
    }

    /// Finds the AI that `text` starts with, if any (AIs are prefix-free, so at most one matches).
    pub(crate) fn at_start_of(text: &str) -> Option<(usize, AiInfo)> {
        (2..=4)
            .filter_map(|len| text.get(..len))
            .find_map(|ai| AiInfo::lookup(ai).map(|info| (ai.len(), info)))
    }

    /// GS1's data title, e.g. "USE BY or EXPIRY".
    pub fn title(&self) -> &'static str {
        self.row.title
    }

    /// Whether the AI is in GS1's list of predefined-length AIs.
    ///
    /// Only those may be followed directly by the next AI; every other one needs an FNC1
    /// (GS, ASCII 29) after it unless it ends the data.
    pub fn needs_fnc1(&self) -> bool {
        !self.row.predefined_length
    }

    /// The value's exact length, if every part of its format is fixed.
    pub fn fixed_length(&self) -> Option<usize> {
        let mut total = 0;
        for part in parts(self.row.format) {
            if part.optional || part.min != part.max {
                return None;
            }
            total += part.max;
        }
        Some(total)
    }

    /// The value's greatest length.
    pub fn max_length(&self) -> usize {
        parts(self.row.format).map(|part| part.max).sum()
    }

    /// Whether the value is a YYMMDD date (AIs 11, 12, 13, 15, 16, 17).
    pub fn is_date(&self) -> bool {
        self.row.format == "N6,yymmd0"
    }

    /// Checks `value` against this AI's format: characters, lengths, check digits and dates.
    ///
    /// `ai` is the AI's own digits (for messages) and `position` where the value starts in the
    /// input, from 1, or 0 when the value did not come from a longer text.
    pub(crate) fn check_value(
        &self,
        ai: &str,
        value: &str,
        position: usize,
    ) -> Result<(), Gs1Error> {
        let bad = |reason: String| Gs1Error::BadAiValue {
            ai: ai.to_owned(),
            value: value.to_owned(),
            position,
            reason,
        };
        if value.is_empty() {
            return Err(bad("is empty".to_owned()));
        }
        let n_parts = parts(self.row.format).count();
        let mut rest = value;
        let mut offset = 0;
        for (idx, part) in parts(self.row.format).enumerate() {
            let is_last = idx + 1 == n_parts;
            let n_chars = rest.chars().count();
            if part.optional && n_chars == 0 {
                break;
            }
            let take = if is_last {
                n_chars
            } else {
                part.max.min(n_chars)
            };
            if take < part.min || take > part.max {
                let expected = if part.min == part.max {
                    format!("{}", part.max)
                } else {
                    format!("{} to {}", part.min, part.max)
                };
                return Err(bad(format!(
                    "has {} characters where {expected} are expected",
                    offset + n_chars
                )));
            }
            let split_at = rest
                .char_indices()
                .nth(take)
                .map_or(rest.len(), |(at, _)| at);
            let (piece, tail) = rest.split_at(split_at);
            if let Some((at, found)) = piece.chars().enumerate().find(|(_, ch)| !part.accepts(*ch))
            {
                return Err(bad(format!(
                    "has {found:?} at position {} of the value, which is not {}",
                    offset + at + 1,
                    part.charset
                )));
            }
            part.lint(piece).map_err(bad)?;
            offset += take;
            rest = tail;
        }
        if !rest.is_empty() {
            return Err(bad(format!(
                "is longer than the {} characters allowed",
                self.max_length()
            )));
        }
        Ok(())
    }
}

/// One part of an AI format, e.g. `N13,csum` or `[X..17]`.
struct Part {
    charset: CharacterSet,
    min: usize,
    max: usize,
    optional: bool,
    lint: &'static str,
}

impl Part {
    fn accepts(&self, ch: char) -> bool {
        match self.charset {
            CharacterSet::Numeric => ch.is_ascii_digit(),
            CharacterSet::Cset82 => charset::is_cset82(ch),
            CharacterSet::Cset39 => charset::is_cset39(ch),
            CharacterSet::Cset64 => charset::is_cset64(ch),
        }
    }

    fn lint(&self, piece: &str) -> Result<(), String> {
        let plain = |reason: &str| Err(reason.to_owned());
        match self.lint {
            "csum" => match check_digit::verify(piece, "key") {
                Err(Gs1Error::CheckDigit {
                    found,
                    expected,
                    position,
                    ..
                }) => Err(format!(
                    "has check digit {found} at position {position}, expected {expected}"
                )),
                _ => Ok(()),
            },
            // The reference year only decides the century, which cannot make a date invalid
            // except for 29 February; 2000 is a leap year, so any 00-99 year stays checkable.
            "yymmd0" => match Date::from_yymmdd(piece, 2000) {
                Err(Gs1Error::BadDate { reason, .. }) => {
                    Err(format!("is not a YYMMDD date: {reason}"))
                }
                _ => Ok(()),
            },
            "yymmdd" if piece.get(4..6) == Some("00") => {
                plain("is not a YYMMDD date: the day may not be 00")
            }
            "yymmdd" => match Date::from_yymmdd(piece, 2000) {
                Err(Gs1Error::BadDate { reason, .. }) => {
                    Err(format!("is not a YYMMDD date: {reason}"))
                }
                _ => Ok(()),
            },
            "zero" if piece != "0" => plain("must start with 0"),
            "nozeroprefix" if piece.len() > 1 && piece.starts_with('0') => {
                plain("may not start with 0")
            }
            _ => Ok(()),
        }
    }
}

/// Reads a format string of the table. The table is fixed at compile time and a unit test
/// reads every row, so the fallbacks here are never taken.
fn parts(format: &'static str) -> impl Iterator<Item = Part> {
    format.split(' ').map(|token| {
        let (body, lint) = token.split_once(',').unwrap_or((token, ""));
        let optional = body.starts_with('[');
        let body = body.trim_start_matches('[').trim_end_matches(']');
        let charset = match body.as_bytes().first() {
            Some(b'X') => CharacterSet::Cset82,
            Some(b'Y') => CharacterSet::Cset39,
            Some(b'Z') => CharacterSet::Cset64,
            _ => CharacterSet::Numeric,
        };
        let length = body.get(1..).unwrap_or("");
        let (min, max) = match length.strip_prefix("..") {
            Some(max) => (1, max.parse().unwrap_or(0)),
            None => {
                let exact = length.parse().unwrap_or(0);
                (exact, exact)
            }
        };
        Part {
            charset,
            min,
            max,
            optional,
            lint,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_table_reads_and_only_its_last_part_varies() {
        for row in AI_TABLE {
            let all: Vec<Part> = parts(row.format).collect();
            assert!(!all.is_empty(), "{}", row.first);
            for (idx, part) in all.iter().enumerate() {
                assert!(
                    part.max >= part.min && part.max > 0,
                    "{} {}",
                    row.first,
                    row.format
                );
                if idx + 1 < all.len() {
                    assert!(
                        !part.optional && part.min == part.max,
                        "{} {}",
                        row.first,
                        row.format
                    );
                }
            }
            assert_eq!(row.first.len(), row.last.len());
            assert!(row.first <= row.last);
        }
    }

    #[test]
    fn the_table_is_prefix_free_so_an_ai_is_found_without_lookahead() {
        for row in AI_TABLE {
            for other in AI_TABLE {
                if std::ptr::eq(row, other) || row.first.len() >= other.first.len() {
                    continue;
                }
                let other_start = &other.first[..row.first.len()];
                assert!(
                    !(row.first <= other_start && other_start <= row.last),
                    "{} overlaps {}",
                    row.first,
                    other.first
                );
            }
        }
    }

    #[test]
    fn predefined_length_ais_need_no_fnc1() {
        for ai in [
            "00", "01", "02", "11", "13", "15", "17", "20", "3103", "3922", "414", "417",
        ] {
            let info = AiInfo::lookup(ai).unwrap();
            assert_eq!(info.needs_fnc1(), ai == "3922", "{ai}");
        }
        for ai in [
            "10", "21", "22", "235", "253", "254", "30", "37", "400", "402", "8003", "8004",
            "8006", "8010",
        ] {
            assert!(AiInfo::lookup(ai).unwrap().needs_fnc1(), "{ai}");
        }
    }

    #[test]
    fn lengths_follow_the_format() {
        assert_eq!(AiInfo::lookup("01").unwrap().fixed_length(), Some(14));
        assert_eq!(AiInfo::lookup("8006").unwrap().fixed_length(), Some(18));
        assert_eq!(AiInfo::lookup("21").unwrap().fixed_length(), None);
        assert_eq!(AiInfo::lookup("8003").unwrap().max_length(), 30);
        assert_eq!(AiInfo::lookup("3105").unwrap().title(), "NET WEIGHT (kg)");
        assert!(AiInfo::lookup("3106").is_none());
        assert!(AiInfo::lookup("99").is_some());
        assert!(AiInfo::lookup("14").is_none());
    }

    #[test]
    fn a_wrong_check_digit_inside_an_ai_value_is_reported() {
        let info = AiInfo::lookup("01").unwrap();
        let err = info.check_value("01", "09521234543214", 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "value \"09521234543214\" of AI (01) at position 3 has check digit 4 at position 14, expected 3"
        );
    }

    #[test]
    fn an_expiry_date_with_day_zero_is_accepted_and_month_thirteen_is_not() {
        let info = AiInfo::lookup("17").unwrap();
        assert!(info.check_value("17", "261200", 0).is_ok());
        assert!(info.check_value("17", "261301", 0).is_err());
    }

    #[test]
    fn a_grai_needs_a_leading_zero_and_may_carry_a_serial() {
        let info = AiInfo::lookup("8003").unwrap();
        assert!(info.check_value("8003", "00614141123452400", 0).is_ok());
        assert!(info.check_value("8003", "10614141123452", 0).is_err());
    }
}

//! `/check`: the shop inspector's check (F19). A public page for a phone: one text box that
//! takes a code in any form `anxin_gs1::Gs1Key::parse` reads (the QR code's Digital Link, an
//! element string with brackets or FNC1, an EPC URN), and at once a list of big pass/fail
//! marks: the code is valid, the platform knows the item, the product is registered in master
//! data, the lot released by its maker (批批检验, with the certificate of analysis when the
//! release was recorded on the platform; unknown when the store never saw the lot being made),
//! not recalled, not expired, no sign of counterfeiting; and, honestly marked as not yet on file
//! until the data exists, (for imports) the entry certificate and the formula registration
//! (the number the maker declares in its master data is shown as declared, still unchecked:
//! the registry is not on the platform).
//!
//! The facts are the passport's ([`crate::passport::passport`]): the same graph state, events
//! and master data, so the two pages can never disagree.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{Chrome, Page, html};
use crate::AppState;

/// The longest code read; longer text is refused as not a code (the passport's limit).
pub const CODE_LEN_MAX: usize = 200;

/// A mark beside a check.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mark {
    /// Checked and fine.
    Pass,
    /// Checked and wrong.
    Fail,
    /// Nothing on file to check against.
    Unknown,
}

impl Mark {
    /// The CSS class.
    pub fn class(&self) -> &'static str {
        match self {
            Mark::Pass => "pass",
            Mark::Fail => "fail",
            Mark::Unknown => "unknown",
        }
    }

    /// The symbol.
    pub fn symbol(&self) -> &'static str {
        match self {
            Mark::Pass => "✔",
            Mark::Fail => "✘",
            Mark::Unknown => "?",
        }
    }
}

/// One line of the result.
pub struct CheckLine {
    /// Pass, fail or unknown.
    pub mark: Mark,
    /// What was checked.
    pub what: String,
    /// A note (cities, why unknown).
    pub note: String,
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    c: Chrome,
    code: String,
    lines: Vec<CheckLine>,
    overall: Option<Mark>,
    passport_href: Option<String>,
    certificate_href: Option<String>,
}

/// `GET /check` parameters.
#[derive(Deserialize)]
pub struct CheckParams {
    code: Option<String>,
}

/// True when a GTIN-14's GS1 prefix (its digits 2–4) is outside 690–699, the prefixes GS1
/// China allocates (GS1 company prefix list; DIRECTION.md): the product was numbered
/// abroad, i.e. imported. A product a Chinese importer numbered itself looks domestic here.
pub fn numbered_abroad(gtin14: &str) -> bool {
    gtin14
        .get(1..4)
        .and_then(|prefix| prefix.parse::<u16>().ok())
        .is_some_and(|prefix| !(690..=699).contains(&prefix))
}

/// `GET /check?code=…`.
pub async fn check(
    State(state): State<AppState>,
    page: Page,
    Query(params): Query<CheckParams>,
) -> Response {
    let chrome = Chrome::public(&page);
    let t = chrome.t;
    let code = params.code.unwrap_or_default().trim().to_owned();
    let mut result = CheckPage {
        c: chrome,
        code: code.clone(),
        lines: Vec::new(),
        overall: None,
        passport_href: None,
        certificate_href: None,
    };
    if code.is_empty() {
        return html(StatusCode::OK, &result);
    }
    let line = |mark: Mark, what: &str, note: &str| CheckLine {
        mark,
        what: what.to_owned(),
        note: note.to_owned(),
    };
    let key = if code.len() > CODE_LEN_MAX {
        None
    } else {
        anxin_gs1::Gs1Key::parse(&code).ok()
    };
    let Some(key) = key else {
        result.lines.push(line(Mark::Fail, t.check_code_bad, ""));
        result.overall = Some(Mark::Fail);
        return html(StatusCode::OK, &result);
    };
    result.lines.push(line(Mark::Pass, t.check_code_ok, ""));
    let gtin = match &key {
        anxin_gs1::Gs1Key::Sgtin(sgtin) => Some(sgtin.gtin().to_string()),
        anxin_gs1::Gs1Key::Lgtin(lgtin) => Some(lgtin.gtin().to_string()),
        anxin_gs1::Gs1Key::Gtin(gtin) => Some(gtin.to_string()),
        _ => None,
    };
    let product = match &gtin {
        Some(gtin) => state
            .master_data
            .product(&*state.store, &format!("https://id.gs1.org/01/{gtin}"))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let registered = product.is_some();
    let link = key.to_digital_link();
    let passport = match &key {
        anxin_gs1::Gs1Key::Sgtin(_) | anxin_gs1::Gs1Key::Lgtin(_) => {
            match crate::passport::passport(&state, &link).await {
                Ok(passport) => passport,
                Err(_) => {
                    let t = result.c.t;
                    return super::problem(
                        StatusCode::SERVICE_UNAVAILABLE,
                        result.c,
                        t.unavailable_title,
                        t.unavailable_detail,
                    );
                }
            }
        }
        _ => None,
    };
    match &passport {
        None if matches!(key, anxin_gs1::Gs1Key::Gtin(_)) => {
            result.lines.push(line(
                if registered { Mark::Pass } else { Mark::Fail },
                t.check_registered,
                "",
            ));
            result
                .lines
                .push(line(Mark::Unknown, t.check_gtin_only, ""));
        }
        None => {
            result
                .lines
                .push(line(Mark::Fail, t.check_unknown_item, ""));
        }
        Some(p) => {
            result.passport_href = Some(
                link.strip_prefix("https://id.gs1.org")
                    .unwrap_or(&link)
                    .to_owned(),
            );
            result.lines.push(line(Mark::Pass, t.check_known, ""));
            result.lines.push(line(
                if registered { Mark::Pass } else { Mark::Fail },
                t.check_registered,
                p.product.as_deref().unwrap_or(""),
            ));
            // Batch release (批批检验): the maker's release inspection, with its certificate when
            // the release was recorded on the platform; a lot the store saw being made but
            // never released fails; a lot whose making is not on file is unknown.
            let q = &p.quality;
            result.lines.push(match (&q.released_at, q.lot_known) {
                (Some(at), _) => line(
                    Mark::Pass,
                    t.check_released,
                    &format!("{} {at}", t.check_released_at),
                ),
                (None, true) => line(Mark::Fail, t.check_released, t.check_released_note),
                (None, false) => line(Mark::Unknown, t.check_released, t.check_released_note),
            });
            result.certificate_href = q.certificate.clone();
            result.lines.push(line(
                if p.recalled { Mark::Fail } else { Mark::Pass },
                t.check_not_recalled,
                "",
            ));
            result.lines.push(match &p.expiry_date {
                Some(date) => line(
                    if p.expired { Mark::Fail } else { Mark::Pass },
                    t.check_not_expired,
                    date,
                ),
                None => line(Mark::Unknown, t.check_not_expired, t.check_no_expiry),
            });
            result.lines.push(if p.suspicious {
                line(
                    Mark::Fail,
                    t.check_no_counterfeit,
                    &format!("{} {}", t.check_sold_twice, p.sold_in.join(" / ")),
                )
            } else {
                line(Mark::Pass, t.check_no_counterfeit, "")
            });
        }
    }
    if gtin.as_deref().is_some_and(numbered_abroad) {
        result.lines.push(line(Mark::Unknown, t.check_import, ""));
        result.lines.push(line(
            Mark::Unknown,
            t.check_entry_cert,
            t.check_registry_note,
        ));
    }
    // A registration the maker declares is shown as declared; it stays unchecked (unknown)
    // until the SAMR registry is on the platform.
    let declared = product
        .as_ref()
        .and_then(|product| product.formula_registration.as_deref());
    result.lines.push(match declared {
        Some(number) => line(
            Mark::Unknown,
            t.check_formula_reg,
            &format!("{} {number} · {}", t.check_declared, t.check_registry_note),
        ),
        None => line(Mark::Unknown, t.check_formula_reg, t.check_registry_note),
    });
    result.overall = Some(if result.lines.iter().any(|line| line.mark == Mark::Fail) {
        Mark::Fail
    } else if result.lines.iter().any(|line| line.mark == Mark::Unknown) {
        Mark::Unknown
    } else {
        Mark::Pass
    });
    html(StatusCode::OK, &result)
}

#[cfg(test)]
mod tests {
    #[test]
    fn gs1_china_prefixes_are_domestic() {
        assert!(!super::numbered_abroad("06901234567892"));
        assert!(!super::numbered_abroad("06990000000000"));
        assert!(super::numbered_abroad("09312345678907"));
        assert!(super::numbered_abroad("04000000000000"));
    }
}

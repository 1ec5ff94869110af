//! Printable PDF reports with Chinese text. So far one: the certificate of analysis (检验报告)
//! of a released lot, an A4 document laid out line by line with krilla (text shaped with the
//! font handed in, embedded as a subset so the text can be extracted), and the QR code of the
//! lot's Digital Link drawn as filled squares.
//!
//! Fonts are never looked up on the system: the caller hands in the bytes of a font file and
//! the face index (Debian's `fonts-noto-cjk` packs Noto Sans CJK JP, KR, SC, TC, HK at indexes
//! 0–4 of `NotoSansCJK-Regular.ttc`, as `fc-query` lists them; [`NOTO_CJK_SC_INDEX`]).

use std::sync::Arc;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

/// Where Debian's `fonts-noto-cjk` puts the regular Noto Sans CJK collection.
pub const NOTO_CJK_PATH: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// The face of Simplified Chinese in that collection (`fc-query` lists JP, KR, SC, TC, HK as
/// 0–4).
pub const NOTO_CJK_SC_INDEX: u32 = 2;

/// A4 in PDF points (210 × 297 mm at 72 points per inch).
const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 48.0;
const LINE: f32 = 15.0;
const SIZE: f32 = 9.5;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The font bytes are not a font (or not at that index).
    #[error("the font is not usable (face {0})")]
    Font(u32),
    /// krilla refused the document.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// One result row of a certificate.
#[derive(Clone, Debug)]
pub struct ResultRow {
    /// The analyte (Chinese name and ID).
    pub analyte: String,
    /// Value and unit.
    pub value: String,
    /// Method.
    pub method: String,
    /// Laboratory and analyst.
    pub by: String,
}

/// One check of a certificate.
#[derive(Clone, Debug)]
pub struct CheckRow {
    /// The analyte or rule.
    pub subject: String,
    /// The outcome in Chinese.
    pub outcome: String,
    /// The rule (limit).
    pub rule: String,
    /// The source (standard, clause, confidence).
    pub source: String,
}

/// What a certificate of analysis says.
#[derive(Clone, Debug)]
pub struct Certificate {
    /// The product.
    pub product: String,
    /// The brand.
    pub brand: String,
    /// The GTIN.
    pub gtin: String,
    /// The lot number.
    pub lot_number: String,
    /// The production date.
    pub produced: String,
    /// When it was released.
    pub released_at: String,
    /// The verdict in Chinese (合格).
    pub verdict: String,
    /// The standards applied.
    pub standards: String,
    /// The committed enterprise standard, or 无.
    pub enterprise: String,
    /// The release event's ID.
    pub event_id: String,
    /// The lot's Digital Link (encoded in the QR code).
    pub link: String,
    /// Every result.
    pub results: Vec<ResultRow>,
    /// Every check.
    pub checks: Vec<CheckRow>,
    /// What the judgment assumed.
    pub notes: Vec<String>,
}

/// Cuts text to at most `max` characters (an ellipsis marks a cut).
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Splits text into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars
        .chunks(width.max(1))
        .map(|chunk| chunk.iter().collect())
        .collect()
}

struct Writer {
    document: Document,
    font: Font,
    pages: Vec<Vec<(f32, f32, f32, String)>>,
    y: f32,
}

impl Writer {
    fn line(&mut self, x: f32, size: f32, text: &str) {
        self.at(x, size, text);
        self.y += LINE.max(size * 1.5);
    }

    fn at(&mut self, x: f32, size: f32, text: &str) {
        if self.y > PAGE.1 - MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
        if let Some(page) = self.pages.last_mut() {
            page.push((x, self.y, size, text.to_owned()));
        }
    }
}

fn draw_qr(surface: &mut Surface<'_>, link: &str, x: f32, y: f32, side: f32) {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M)
    else {
        return;
    };
    let width = code.width();
    let colors = code.to_colors();
    // A quiet zone of four modules on each side, as the QR specification asks.
    let module = side / (width as f32 + 8.0);
    let mut builder = PathBuilder::new();
    for (index, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (row, column) = (index / width, index % width);
            if let Some(rect) = Rect::from_xywh(
                x + (column as f32 + 4.0) * module,
                y + (row as f32 + 4.0) * module,
                module,
                module,
            ) {
                builder.push_rect(rect);
            }
        }
    }
    if let Some(path) = builder.finish() {
        surface.set_fill(Some(Fill {
            paint: rgb::Color::new(0, 0, 0).into(),
            opacity: NormalizedF32::ONE,
            rule: FillRule::NonZero,
        }));
        surface.draw_path(&path);
    }
}

/// The certificate as an A4 PDF, in the font given (bytes of a font file and the face index).
pub fn certificate_pdf(
    certificate: &Certificate,
    font_bytes: Arc<Vec<u8>>,
    face: u32,
) -> Result<Vec<u8>, ReportError> {
    let font = Font::new(font_bytes.into(), face).ok_or(ReportError::Font(face))?;
    let mut w = Writer {
        document: Document::new(),
        font,
        pages: vec![Vec::new()],
        y: MARGIN,
    };
    let c = certificate;
    w.line(MARGIN, 16.0, "检验报告（出厂放行）");
    w.line(MARGIN, 10.0, "Certificate of analysis");
    w.y += 6.0;
    w.line(MARGIN, 12.0, &format!("结论：{}", c.verdict));
    for (label, value) in [
        ("产品", &c.product),
        ("品牌", &c.brand),
        ("商品条码", &c.gtin),
        ("批号", &c.lot_number),
        ("生产日期", &c.produced),
        ("放行时间", &c.released_at),
        ("企业标准", &c.enterprise),
    ] {
        w.at(MARGIN, SIZE, label);
        w.line(MARGIN + 60.0, SIZE, &fit(value, 40));
    }
    for (index, part) in wrap(&c.standards, 38).iter().enumerate() {
        w.at(MARGIN, SIZE, if index == 0 { "依据标准" } else { "" });
        w.line(MARGIN + 60.0, SIZE, part);
    }
    for (index, part) in wrap(&c.event_id, 70).iter().enumerate() {
        w.at(MARGIN, SIZE, if index == 0 { "放行事件" } else { "" });
        w.line(MARGIN + 60.0, 7.0, part);
    }
    w.y += 8.0;
    w.line(MARGIN, 12.0, "检验结果");
    let columns = [0.0, 150.0, 250.0, 360.0];
    for (x, head) in columns
        .iter()
        .zip(["项目", "结果", "方法", "检验机构 / 检验员"])
    {
        w.at(MARGIN + x, SIZE, head);
    }
    w.y += LINE;
    for row in &c.results {
        w.at(MARGIN, SIZE, &fit(&row.analyte, 20));
        w.at(MARGIN + columns[1], SIZE, &fit(&row.value, 14));
        w.at(MARGIN + columns[2], SIZE, &fit(&row.method, 14));
        w.line(MARGIN + columns[3], SIZE, &fit(&row.by, 20));
    }
    w.y += 8.0;
    w.line(MARGIN, 12.0, "判定（限量、规则与来源）");
    for check in &c.checks {
        w.at(MARGIN, SIZE, &fit(&check.subject, 18));
        w.at(MARGIN + 110.0, SIZE, &check.outcome);
        w.line(MARGIN + 170.0, SIZE, &fit(&check.rule, 40));
        for part in wrap(&check.source, 60) {
            w.line(MARGIN + 170.0, 7.0, &part);
        }
    }
    for note in &c.notes {
        for part in wrap(&format!("说明：{note}"), 70) {
            w.line(MARGIN, 7.0, &part);
        }
    }
    let Writer {
        mut document,
        font,
        pages,
        ..
    } = w;
    let settings = || PageSettings::from_wh(PAGE.0, PAGE.1);
    for (number, lines) in pages.iter().enumerate() {
        let Some(settings) = settings() else {
            return Err(ReportError::Pdf("A4 is not a page size".into()));
        };
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        if number == 0 {
            draw_qr(
                &mut surface,
                &c.link,
                PAGE.0 - MARGIN - 110.0,
                MARGIN - 10.0,
                110.0,
            );
        }
        surface.set_fill(Some(Fill {
            paint: rgb::Color::new(0, 0, 0).into(),
            opacity: NormalizedF32::ONE,
            rule: FillRule::NonZero,
        }));
        for (x, y, size, text) in lines {
            if !text.is_empty() {
                surface.draw_text(
                    Point::from_xy(*x, *y + size),
                    font.clone(),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|err| ReportError::Pdf(format!("{err:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_and_wrapped_by_characters() {
        assert_eq!(fit("蛋白质测定方法", 4), "蛋白质…");
        assert_eq!(fit("铅", 4), "铅");
        assert_eq!(wrap("abcdefg", 3), ["abc", "def", "g"]);
    }
}

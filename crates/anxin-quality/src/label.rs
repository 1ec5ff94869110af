//! Label and advertising checks: the text of a label or an advertisement against the rules in
//! `rules/labels.toml` (prohibited phrases, "no added" claims for substances that are banned
//! anyway, advertising stage-1 and stage-2 formula, required statements, claims that differ from
//! the formula registration).
//!
//! Each finding quotes the offending words with their place (character offset, line, column) and
//! the rule with its source text and confidence. Traditional characters are read as their
//! simplified forms (one character for one, so places stay true).
//! Images (of infants or women, which the 2023 Measures also forbid) cannot be checked from text
//! and are not; nor is the product-name rule of the 2017 draft guideline, since a label's text
//! does not say which words are the name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::standard::Confidence;

const RULES_TEXT: &str = include_str!("../rules/labels.toml");

/// Characters between a "no added" word and the substance it negates, at most (so that
/// "不添加任何三聚氰胺" is caught and a sentence much later is not). An assumption of this code.
const NEGATION_GAP_CHARS_MAX: usize = 4;

/// Traditional characters that occur in the rules' phrases, with their simplified forms. Only
/// one-to-one pairs are listed (each traditional form has exactly this simplified form in the
/// General Table of Standard Chinese Characters, 2013), so a match found after mapping is a match
/// in the original text.
const TRADITIONAL: &[(char, char)] = &[
    ('進', '进'),
    ('國', '国'),
    ('場', '场'),
    ('態', '态'),
    ('無', '无'),
    ('護', '护'),
    ('腸', '肠'),
    ('療', '疗'),
    ('預', '预'),
    ('強', '强'),
    ('聰', '聪'),
    ('腦', '脑'),
    ('發', '发'),
    ('氫', '氢'),
    ('麩', '麸'),
    ('質', '质'),
    ('類', '类'),
    ('絕', '绝'),
    ('對', '对'),
    ('廣', '广'),
    ('癒', '愈'),
    ('劑', '剂'),
    ('產', '产'),
    ('號', '号'),
    ('條', '条'),
    ('須', '须'),
    ('輔', '辅'),
    ('餘', '余'),
    ('論', '论'),
    ('兒', '儿'),
    ('嬰', '婴'),
    ('齡', '龄'),
    ('爲', '为'),
    ('為', '为'),
    ('時', '时'),
    ('適', '适'),
    ('從', '从'),
    ('來', '来'),
    ('蘭', '兰'),
    ('農', '农'),
    ('優', '优'),
    ('勝', '胜'),
    ('頂', '顶'),
    ('級', '级'),
    ('陽', '阳'),
    ('內', '内'),
    ('蟲', '虫'),
    ('擁', '拥'),
    ('營', '营'),
    ('養', '养'),
    ('價', '价'),
    ('機', '机'),
    ('會', '会'),
    ('險', '险'),
    ('衛', '卫'),
    ('與', '与'),
    ('媽', '妈'),
    ('讓', '让'),
    ('寶', '宝'),
    ('歲', '岁'),
    ('個', '个'),
    ('聯', '联'),
    ('體', '体'),
    ('當', '当'),
    ('應', '应'),
    ('該', '该'),
    ('夠', '够'),
    ('礎', '础'),
    ('極', '极'),
    ('專', '专'),
    ('業', '业'),
    ('學', '学'),
    ('譽', '誉'),
    ('獨', '独'),
    ('純', '纯'),
    ('淨', '净'),
    ('潔', '洁'),
    ('醫', '医'),
    ('藥', '药'),
    ('說', '说'),
    ('書', '书'),
    ('廠', '厂'),
    ('萬', '万'),
    ('億', '亿'),
    ('雙', '双'),
    ('長', '长'),
    ('聽', '听'),
    ('視', '视'),
    ('覺', '觉'),
    ('親', '亲'),
    ('愛', '爱'),
    ('話', '话'),
    ('謝', '谢'),
    ('請', '请'),
    ('減', '减'),
    ('換', '换'),
    ('點', '点'),
    ('鐵', '铁'),
    ('鈣', '钙'),
    ('鋅', '锌'),
    ('維', '维'),
    ('蘇', '苏'),
    ('樂', '乐'),
    ('歡', '欢'),
    ('飲', '饮'),
    ('麥', '麦'),
    ('鹽', '盐'),
    ('衆', '众'),
    ('眾', '众'),
    ('傳', '传'),
    ('聲', '声'),
    ('稱', '称'),
    ('羣', '群'),
    ('嚴', '严'),
    ('選', '选'),
    ('舉', '举'),
    ('實', '实'),
    ('驗', '验'),
    ('證', '证'),
    ('據', '据'),
    ('數', '数'),
    ('標', '标'),
    ('準', '准'),
    ('註', '注'),
    ('冊', '册'),
    ('塊', '块'),
    ('較', '较'),
    ('幫', '帮'),
    ('腎', '肾'),
    ('臟', '脏'),
    ('異', '异'),
    ('鬆', '松'),
];

/// The text as simplified characters, dashes and tildes as `~`, Latin letters in lower case:
/// one character for each character of the input.
fn simplify(text: &str) -> Vec<char> {
    text.chars()
        .map(|c| match c {
            '～' | '〜' | '－' | '—' | '–' => '~',
            '-' => '~',
            _ => TRADITIONAL
                .iter()
                .find(|(t, _)| *t == c)
                .map_or(c, |(_, s)| *s),
        })
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

/// What is being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextKind {
    /// A label or leaflet.
    Label,
    /// An advertisement.
    Advertisement,
}

/// The registration a label must agree with, as the party hands it in (the platform has no
/// registry of formula registrations yet).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// 国食注字YP + 8 digits.
    pub registration_number: String,
    /// The registered stage (1, 2 or 3).
    pub stage: u8,
    /// The substances the registered formula declares (names as the rules list them).
    #[serde(default)]
    pub declared: Vec<String>,
}

impl Registration {
    /// Reads a registration from TOML.
    pub fn parse(text: &str) -> Result<Registration, String> {
        let registration: Registration =
            toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        registration.checked()
    }

    /// The registration as given, once its number and stage have the registry's form.
    pub fn checked(self) -> Result<Registration, String> {
        let registration = self;
        let number = registration
            .registration_number
            .strip_prefix("国食注字YP")
            .unwrap_or("");
        if number.len() != 8 || !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!(
                "registration_number {:?} is not 国食注字YP followed by 8 digits",
                registration.registration_number
            ));
        }
        if !(1..=3).contains(&registration.stage) {
            return Err(format!("stage {} is not 1, 2 or 3", registration.stage));
        }
        Ok(registration)
    }
}

/// How a label is checked.
#[derive(Clone, Debug)]
pub struct LabelContext {
    /// Label or advertisement.
    pub kind: TextKind,
    /// The product's stage, when known (stage-specific rules run for any stage when it is not).
    pub stage: Option<u8>,
    /// The registration to compare claims with.
    pub registration: Option<Registration>,
}

/// One finding.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The rule's id.
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// The words found, as written in the text (empty when something is missing).
    pub quote: String,
    /// Character offset of the quote, from 0.
    pub offset: Option<usize>,
    /// Line of the quote, from 1.
    pub line: Option<usize>,
    /// Column (in characters) of the quote, from 1.
    pub column: Option<usize>,
    /// What is wrong, in a sentence.
    pub message: String,
    /// The source's own words.
    pub source_text: String,
    /// The instrument.
    pub instrument: String,
    /// Confidence of the rule.
    pub confidence: Confidence,
    /// Whether the word is the platform's reading of the rule rather than a word the source names.
    pub interpretation: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    instruments: BTreeMap<String, String>,
    rule: Vec<RawRule>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    title: String,
    kind: String,
    applies_to: Vec<TextKind>,
    #[serde(default)]
    stages: Vec<u8>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    interpretation: Vec<String>,
    #[serde(default)]
    negations: Vec<String>,
    #[serde(default)]
    substances: Vec<String>,
    #[serde(default)]
    stage_markers: Vec<String>,
    #[serde(default)]
    statements: Vec<String>,
    source_text: String,
    instrument: String,
    confidence: String,
    #[expect(
        dead_code,
        reason = "kept in the data for readers; findings cite the source text"
    )]
    note: Option<String>,
}

/// The label rules, parsed.
#[derive(Clone)]
pub struct LabelRules {
    rules: Vec<RawRule>,
    instruments: BTreeMap<String, String>,
}

/// The rules file is broken (only possible if the embedded data is edited badly).
#[derive(Clone, Debug, thiserror::Error)]
#[error("rules/labels.toml: {0}")]
pub struct RulesError(String);

impl LabelRules {
    /// The rules shipped with the platform.
    pub fn embedded() -> Result<LabelRules, RulesError> {
        LabelRules::parse(RULES_TEXT)
    }

    /// Parses rules from text.
    pub fn parse(text: &str) -> Result<LabelRules, RulesError> {
        let raw: RawRules = toml::from_str(text).map_err(|e| RulesError(e.to_string()))?;
        for rule in &raw.rule {
            if !raw.instruments.contains_key(&rule.instrument) {
                return Err(RulesError(format!(
                    "rule {}: instrument {:?} is not described",
                    rule.id, rule.instrument
                )));
            }
            if !matches!(
                rule.kind.as_str(),
                "phrases"
                    | "negated_substance"
                    | "advertising_stage"
                    | "required_statement"
                    | "registration"
            ) {
                return Err(RulesError(format!(
                    "rule {}: kind {:?} is not known",
                    rule.id, rule.kind
                )));
            }
            if parse_confidence(&rule.confidence).is_none() {
                return Err(RulesError(format!(
                    "rule {}: confidence {:?} is not A, B, C or R",
                    rule.id, rule.confidence
                )));
            }
        }
        Ok(LabelRules {
            rules: raw.rule,
            instruments: raw.instruments,
        })
    }

    /// Every phrase the rules name, with the rule's id (for tests and documentation).
    pub fn phrases(&self) -> Vec<(&str, &str, bool)> {
        self.rules
            .iter()
            .flat_map(|rule| {
                rule.phrases
                    .iter()
                    .map(move |p| (rule.id.as_str(), p.as_str(), false))
                    .chain(
                        rule.interpretation
                            .iter()
                            .map(move |p| (rule.id.as_str(), p.as_str(), true)),
                    )
            })
            .collect()
    }

    /// Checks a text. Findings come in the order of their place in the text; missing
    /// statements come last.
    pub fn check(&self, text: &str, context: &LabelContext) -> Vec<Finding> {
        let simplified = simplify(text);
        let original: Vec<char> = text.chars().collect();
        let line_starts = line_starts(&original);
        let mut findings = Vec::new();
        for rule in self
            .rules
            .iter()
            .filter(|rule| rule.applies_to.contains(&context.kind))
        {
            let stage_applies = rule.stages.is_empty()
                || context
                    .stage
                    .is_none_or(|stage| rule.stages.contains(&stage));
            if !stage_applies {
                continue;
            }
            let make =
                |offset: Option<usize>, length: usize, message: String, interpretation: bool| {
                    let (line, column) = match offset {
                        Some(offset) => {
                            let line = line_starts.partition_point(|start| *start <= offset);
                            (Some(line), Some(offset - line_starts[line - 1] + 1))
                        }
                        None => (None, None),
                    };
                    Finding {
                        rule: rule.id.clone(),
                        title: rule.title.clone(),
                        quote: offset
                            .map(|o| original[o..o + length].iter().collect())
                            .unwrap_or_default(),
                        offset,
                        line,
                        column,
                        message,
                        source_text: rule.source_text.clone(),
                        instrument: self
                            .instruments
                            .get(&rule.instrument)
                            .cloned()
                            .unwrap_or_default(),
                        confidence: parse_confidence(&rule.confidence)
                            .unwrap_or(Confidence::Unknown),
                        interpretation,
                    }
                };
            match rule.kind.as_str() {
                "phrases" => {
                    let words = rule
                        .phrases
                        .iter()
                        .map(|p| (p, false))
                        .chain(rule.interpretation.iter().map(|p| (p, true)));
                    for (phrase, interpretation) in words {
                        let needle = simplify(phrase);
                        for offset in find_all(&simplified, &needle) {
                            let reading = if interpretation {
                                " (our reading of the rule)"
                            } else {
                                ""
                            };
                            findings.push(make(
                                Some(offset),
                                needle.len(),
                                format!("“{phrase}” is prohibited: {}{reading}", rule.title),
                                interpretation,
                            ));
                        }
                    }
                }
                "negated_substance" => {
                    for (offset, length, substance) in negated_substances(&simplified, rule) {
                        findings.push(make(Some(offset), length, format!("a “no added” claim for {substance}, which the standards exclude anyway"), false));
                    }
                }
                "advertising_stage" => {
                    let markers: Vec<(usize, usize)> = rule
                        .stage_markers
                        .iter()
                        .flat_map(|marker| {
                            let needle = simplify(marker);
                            find_all(&simplified, &needle)
                                .into_iter()
                                .map(move |offset| (offset, needle.len()))
                        })
                        .collect();
                    let stage_known = context
                        .stage
                        .is_some_and(|stage| rule.stages.contains(&stage));
                    if let Some(&(offset, length)) = markers.iter().min() {
                        findings.push(make(
                            Some(offset),
                            length,
                            "an advertisement for infant or older-infant formula (0–12 months)"
                                .into(),
                            false,
                        ));
                    } else if stage_known {
                        findings.push(make(
                            None,
                            0,
                            format!(
                                "an advertisement for stage-{} formula (0–12 months)",
                                context.stage.unwrap_or_default()
                            ),
                            false,
                        ));
                    }
                }
                "required_statement" => {
                    let compact: Vec<char> = simplified
                        .iter()
                        .copied()
                        .filter(|c| !c.is_whitespace() && !is_punctuation(*c))
                        .collect();
                    if context.stage.is_none() {
                        continue;
                    }
                    for statement in &rule.statements {
                        let needle: Vec<char> = simplify(statement)
                            .into_iter()
                            .filter(|c| !c.is_whitespace() && !is_punctuation(*c))
                            .collect();
                        if find_all(&compact, &needle).is_empty() {
                            findings.push(make(
                                None,
                                0,
                                format!("the required statement “{statement}” is missing"),
                                false,
                            ));
                        }
                    }
                }
                "registration" => {
                    if let Some(registration) = &context.registration {
                        registration_findings(
                            &simplified,
                            &original,
                            rule,
                            registration,
                            &mut |offset, length, message| {
                                findings.push(make(Some(offset), length, message, false));
                            },
                        );
                    }
                }
                _ => {}
            }
        }
        findings.sort_by_key(|finding| {
            (
                finding.offset.is_none(),
                finding.offset,
                finding.rule.clone(),
            )
        });
        findings
    }
}

fn parse_confidence(text: &str) -> Option<Confidence> {
    Some(match text {
        "A" => Confidence::A,
        "B" => Confidence::B,
        "C" => Confidence::C,
        "R" => Confidence::R,
        _ => return None,
    })
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() && c != '~' || "，。、；：！？“”‘’（）《》【】「」".contains(c)
}

fn line_starts(text: &[char]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            text.iter()
                .enumerate()
                .filter(|(_, c)| **c == '\n')
                .map(|(i, _)| i + 1),
        )
        .collect()
}

fn find_all(haystack: &[char], needle: &[char]) -> Vec<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return Vec::new();
    }
    (0..=haystack.len() - needle.len())
        .filter(|&i| haystack[i..i + needle.len()] == *needle)
        .collect()
}

/// "No added" words followed, within a few characters and no punctuation, by a substance the
/// standards exclude anyway. Longer negation words win over their prefixes (不含有 over 不含).
fn negated_substances(text: &[char], rule: &RawRule) -> Vec<(usize, usize, String)> {
    let mut found = Vec::new();
    let mut negations: Vec<Vec<char>> = rule.negations.iter().map(|n| simplify(n)).collect();
    negations.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let substances: Vec<(Vec<char>, &String)> =
        rule.substances.iter().map(|s| (simplify(s), s)).collect();
    let mut index = 0;
    while index < text.len() {
        let Some(negation) = negations.iter().find(|n| text[index..].starts_with(n)) else {
            index += 1;
            continue;
        };
        let after = index + negation.len();
        let mut matched = None;
        for gap in 0..=NEGATION_GAP_CHARS_MAX {
            let start = after + gap;
            if start > text.len()
                || text[after..start]
                    .iter()
                    .any(|c| is_punctuation(*c) || c.is_whitespace())
            {
                break;
            }
            if let Some((substance, name)) = substances
                .iter()
                .find(|(s, _)| text[start..].starts_with(s))
            {
                matched = Some((start + substance.len() - index, (*name).clone()));
                break;
            }
        }
        match matched {
            Some((length, name)) => {
                found.push((index, length, name));
                index += length;
            }
            None => index += negation.len(),
        }
    }
    found
}

fn registration_findings(
    text: &[char],
    original: &[char],
    rule: &RawRule,
    registration: &Registration,
    push: &mut dyn FnMut(usize, usize, String),
) {
    // Registration numbers on the label that are not the registered one.
    let prefix: Vec<char> = "国食注字yp".chars().collect();
    for offset in find_all(text, &prefix) {
        let digits: String = original[offset + prefix.len()..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let written = format!("国食注字YP{digits}");
        if written != registration.registration_number {
            push(
                offset,
                prefix.len() + digits.chars().count(),
                format!(
                    "the label names registration {written}, the product is registered as {}",
                    registration.registration_number
                ),
            );
        }
    }
    // A stage on the label that is not the registered stage.
    for (stage, markers) in [
        (1u8, ["1段", "一段"]),
        (2, ["2段", "二段"]),
        (3, ["3段", "三段"]),
    ] {
        if stage == registration.stage {
            continue;
        }
        for marker in markers {
            for offset in find_all(text, &simplify(marker)) {
                push(
                    offset,
                    2,
                    format!(
                        "the label says stage {stage}, the registration is for stage {}",
                        registration.stage
                    ),
                );
            }
        }
    }
    // Substances named on the label that the registered formula does not declare.
    let declared: Vec<Vec<char>> = registration.declared.iter().map(|d| simplify(d)).collect();
    for substance in &rule.substances {
        let needle = simplify(substance);
        if declared.contains(&needle) {
            continue;
        }
        for offset in find_all(text, &needle) {
            // "DHA" inside a longer Latin word (e.g. "DHAA") is not the substance.
            let before = offset.checked_sub(1).map(|i| text[i]);
            let after = text.get(offset + needle.len()).copied();
            if needle[0].is_ascii_alphanumeric()
                && (before.is_some_and(|c| c.is_ascii_alphanumeric())
                    || after.is_some_and(|c| c.is_ascii_alphanumeric()))
            {
                continue;
            }
            push(
                offset,
                needle.len(),
                format!(
                    "{substance} is claimed but not declared in registration {}",
                    registration.registration_number
                ),
            );
        }
    }
}

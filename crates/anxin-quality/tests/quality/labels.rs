//! Label and advertising checks: every phrase the rules name, traditional characters, "no
//! added" claims, advertising, required statements, the registration, and clean labels.

use anxin_quality::label::{Finding, LabelContext, LabelRules, Registration, TextKind};

const CLEAN_STAGE_1: &str = "婴儿配方乳粉（0～6月龄，1段）\n\
产品配方注册号：国食注字YP20220062\n\
配料：生牛乳、乳清蛋白粉、植物油、乳糖、DHA藻油\n\
对于0～6月龄的婴儿最理想的食品是母乳，在母乳不足或无母乳时可食用本产品。\n\
冲调方法：请按说明用温开水冲调。贮存条件：开罐后请于4周内用完。";

fn registration() -> Registration {
    Registration::parse(
        "registration_number = \"国食注字YP20220062\"\nstage = 1\ndeclared = [\"DHA\"]\n",
    )
    .unwrap()
}

fn label(stage: Option<u8>) -> LabelContext {
    LabelContext {
        kind: TextKind::Label,
        stage,
        registration: Some(registration()),
    }
}

#[track_caller]
fn check(text: &str, context: &LabelContext) -> Vec<Finding> {
    LabelRules::embedded()
        .expect("embedded rules")
        .check(text, context)
}

#[test]
fn clean_labels_have_no_findings() {
    assert!(
        check(CLEAN_STAGE_1, &label(Some(1))).is_empty(),
        "{:#?}",
        check(CLEAN_STAGE_1, &label(Some(1)))
    );
    let stage_3 = "幼儿配方乳粉（12～36月龄，3段）\n配料：生牛乳、乳糖、植物油。";
    let context = LabelContext {
        kind: TextKind::Label,
        stage: Some(3),
        registration: None,
    };
    assert!(check(stage_3, &context).is_empty());
    let ad_stage_3 = "幼儿配方奶粉，3段，12～36月龄适用。";
    let context = LabelContext {
        kind: TextKind::Advertisement,
        stage: Some(3),
        registration: None,
    };
    assert!(check(ad_stage_3, &context).is_empty());
}

#[test]
fn each_prohibited_phrase_is_found_and_quoted_with_its_place_and_rule() {
    let rules = LabelRules::embedded().unwrap();
    let phrases = rules.phrases();
    assert!(phrases.len() >= 30, "{}", phrases.len());
    for (rule, phrase, interpretation) in phrases {
        let text = format!("{CLEAN_STAGE_1}\n本品{phrase}。");
        let findings = check(&text, &label(Some(1)));
        let found: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.rule == rule && f.quote == phrase)
            .collect();
        assert_eq!(found.len(), 1, "{phrase} ({rule}) → {findings:#?}");
        let finding = found[0];
        assert_eq!(finding.line, Some(6), "{phrase}");
        assert_eq!(finding.column, Some(3), "{phrase}");
        assert_eq!(finding.interpretation, interpretation);
        assert!(!finding.source_text.is_empty() && !finding.instrument.is_empty());
        let offset = finding.offset.unwrap();
        assert_eq!(
            text.chars()
                .skip(offset)
                .take(phrase.chars().count())
                .collect::<String>(),
            phrase
        );
    }
}

#[test]
fn traditional_characters_are_read_as_their_simplified_forms() {
    let findings = check("本品採用進口奶源，母乳化配方，保護腸道。", &label(None));
    let quotes: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.rule.as_str(), f.quote.as_str()))
        .collect();
    assert!(
        quotes.contains(&("vague-milk-source", "進口奶源")),
        "{quotes:?}"
    );
    assert!(quotes.contains(&("humanised-milk", "母乳化")), "{quotes:?}");
    assert!(
        quotes.contains(&("functional-claim", "保護腸道")),
        "{quotes:?}"
    );
}

#[test]
fn no_added_claims_for_substances_banned_anyway() {
    let context = label(Some(1));
    for (text, quote) in [
        ("不添加三聚氰胺", "不添加三聚氰胺"),
        ("本品不含有任何氫化油", "不含有任何氫化油"),
        ("零添加麸质", "零添加麸质"),
        ("无三聚氰胺", "无三聚氰胺"),
    ] {
        let findings = check(&format!("{CLEAN_STAGE_1}{text}"), &context);
        let found: Vec<&str> = findings
            .iter()
            .filter(|f| f.rule == "no-added-banned-substance")
            .map(|f| f.quote.as_str())
            .collect();
        assert_eq!(found, [quote], "{text}");
    }
    // Sucrose is not excluded by the standards the rules cite, and a negation far away is not a claim.
    for text in ["不添加蔗糖", "不添加香精，配料表中的三聚氰胺检测合格"] {
        let findings = check(&format!("{CLEAN_STAGE_1}{text}"), &context);
        assert!(
            findings
                .iter()
                .all(|f| f.rule != "no-added-banned-substance"),
            "{text}: {findings:#?}"
        );
    }
}

#[test]
fn advertising_formula_for_infants_under_twelve_months() {
    let ad = LabelContext {
        kind: TextKind::Advertisement,
        stage: None,
        registration: None,
    };
    let findings = check("全新升级！婴儿配方奶粉1段，呵护宝宝每一天。", &ad);
    let found: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "advertising-infant-formula")
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].quote, "婴儿配方");
    // An ad declared as stage 2 is caught even without a stage word.
    let ad = LabelContext {
        kind: TextKind::Advertisement,
        stage: Some(2),
        registration: None,
    };
    assert!(
        check("全新升级，呵护每一天。", &ad)
            .iter()
            .any(|f| f.rule == "advertising-infant-formula" && f.offset.is_none())
    );
    // An ad claiming to replace breast milk.
    let findings = check("可以替代母乳的好奶粉", &ad);
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "replaces-breast-milk" && f.quote == "替代母乳")
    );
}

#[test]
fn required_statements_for_stage_one_and_two() {
    let without = CLEAN_STAGE_1.replace(
        "对于0～6月龄的婴儿最理想的食品是母乳，在母乳不足或无母乳时可食用本产品。",
        "",
    );
    let findings = check(&without, &label(Some(1)));
    let missing: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "breast-milk-statement")
        .collect();
    assert_eq!(missing.len(), 2);
    assert!(missing.iter().all(|f| f.offset.is_none()));
    // Written with other punctuation and traditional characters, the statement still counts.
    let variant = CLEAN_STAGE_1.replace(
        "对于0～6月龄的婴儿最理想的食品是母乳，",
        "對於0-6月齡的嬰兒最理想的食品是母乳 ",
    );
    let variant = variant.replace("對於", "对于");
    assert!(
        check(&variant, &label(Some(1)))
            .iter()
            .all(|f| f.rule != "breast-milk-statement"),
        "{:#?}",
        check(&variant, &label(Some(1)))
    );
    let stage_2 = LabelContext {
        kind: TextKind::Label,
        stage: Some(2),
        registration: None,
    };
    assert!(
        check("较大婴儿配方乳粉（6～12月龄，2段）", &stage_2)
            .iter()
            .any(|f| f.rule == "complementary-food-statement")
    );
    assert!(
        check(
            "较大婴儿配方乳粉（6～12月龄，2段）须配合添加辅助食品。",
            &stage_2
        )
        .iter()
        .all(|f| f.rule != "complementary-food-statement")
    );
}

#[test]
fn claims_that_differ_from_the_registration() {
    let text = format!("{CLEAN_STAGE_1}\n添加乳铁蛋白和OPO。注册号国食注字YP20229999。2段");
    let findings = check(&text, &label(Some(1)));
    let found: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f.rule == "differs-from-registration")
        .map(|f| (f.quote.as_str(), f.message.as_str()))
        .collect();
    let quotes: Vec<&str> = found.iter().map(|(q, _)| *q).collect();
    assert_eq!(
        quotes,
        ["乳铁蛋白", "OPO", "国食注字YP20229999", "2段"],
        "{found:#?}"
    );
    assert!(Registration::parse("registration_number = \"YP123\"\nstage = 1\n").is_err());
    assert!(
        Registration::parse("registration_number = \"国食注字YP20220062\"\nstage = 4\n").is_err()
    );
}

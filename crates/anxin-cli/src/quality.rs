//! `anxin quality …`: judge a lot's lab results, review an enterprise standard, and list the
//! standard versions in force; `anxin check label …`: check a label or advertisement.
//!
//! The domain is `anxin-quality`; this module only reads files, maps flags to facts and prints.
//! Nothing is stored: these commands work on files until the quality store lands.

use std::path::{Path, PathBuf};

use anxin_quality::label::{LabelContext, LabelRules, Registration, TextKind};
use anxin_quality::{
    Catalogue, Fact, Judgment, Outcome, ProductType, Refusal, Verdict, judge, results, review,
};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use crate::exit;

/// Output format.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// JSON for programs.
    Json,
}

/// The quality subcommands.
#[derive(Subcommand)]
pub enum QualityCommand {
    /// Judge one lot's lab results (CSV: analyte,value,unit[,sample_unit]) against the national
    /// standards in force on its production date and, optionally, an enterprise standard.
    /// Exit 0 conformant, 1 non-conformant, incomplete or broken rows.
    Judge(JudgeArgs),
    /// Review an enterprise standard (TOML) against the national standards: exit 0 accepted,
    /// 1 refused (every looser limit is listed with the national value and its source).
    Review {
        /// The enterprise standard.
        file: PathBuf,
    },
    /// List the national standard versions in force for a product on a date.
    Standards {
        /// infant, older_infant, young_child or raw_milk.
        #[arg(long, default_value = "infant")]
        product_type: String,
        /// The date (YYYY-MM-DD).
        #[arg(long)]
        on: String,
    },
}

/// Arguments of `anxin quality judge`.
#[derive(Args)]
pub struct JudgeArgs {
    /// The results file.
    file: PathBuf,
    /// infant (stage 1), older_infant (2), young_child (3) or raw_milk.
    #[arg(long)]
    product_type: String,
    /// Production (or, for raw milk, receiving) date, YYYY-MM-DD.
    #[arg(long)]
    produced: String,
    /// Formula base.
    #[arg(long, default_value = "milk", value_parser = ["milk", "soy"])]
    base: String,
    /// A liquid, ready-to-feed product (GB 2762's 8:1 rule applies).
    #[arg(long)]
    liquid: bool,
    /// Packed in tin-plated steel cans (the tin limit applies).
    #[arg(long)]
    tin_plate: bool,
    /// Vegetables or fruit were added (the nitrate limit does not apply).
    #[arg(long)]
    added_vegetables_or_fruit: bool,
    /// Live cultures were added.
    #[arg(long)]
    live_cultures: bool,
    /// Raw milk: species.
    #[arg(long, default_value = "cow", value_parser = ["cow", "goat"])]
    species: String,
    /// Raw milk from Holstein cows (the freezing-point limit applies).
    #[arg(long)]
    holstein: bool,
    /// An enterprise (or manufacturer) standard to judge against as well.
    #[arg(long)]
    enterprise: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `anxin check label`.
#[derive(Args)]
pub struct LabelArgs {
    /// The label's or advertisement's text (UTF-8).
    file: PathBuf,
    /// The product's stage (1, 2 or 3); stage-specific rules run for every stage when omitted.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
    stage: Option<u8>,
    /// The formula registration to compare claims with (TOML: registration_number, stage,
    /// declared = [substances]).
    #[arg(long)]
    registration: Option<PathBuf>,
    /// The text is an advertisement, not a label.
    #[arg(long)]
    ad: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The check subcommands.
#[derive(Subcommand)]
pub enum CheckCommand {
    /// Check a label or advertisement against the label and advertising rules; exit 1 when
    /// there are findings.
    Label(LabelArgs),
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn usage(message: String) -> Result<u8> {
    eprintln!("error: {message}");
    Ok(exit::USAGE)
}

fn catalogue() -> Result<Catalogue> {
    Catalogue::national().context("the embedded national standards do not parse")
}

/// Runs one quality subcommand.
pub fn run(command: QualityCommand) -> Result<u8> {
    match command {
        QualityCommand::Judge(args) => judge_file(args),
        QualityCommand::Review { file } => review_file(&file),
        QualityCommand::Standards { product_type, on } => {
            let Some(product) = ProductType::parse(&product_type) else {
                return usage(format!(
                    "--product-type {product_type}: expected infant, older_infant, young_child or raw_milk"
                ));
            };
            let Ok(date) = on.parse() else {
                return usage(format!("--on {on}: expected YYYY-MM-DD"));
            };
            for standard in catalogue()?.in_force(product, date) {
                let day = |date: Option<jiff::civil::Date>| {
                    date.map_or("?".to_owned(), |d| d.to_string())
                };
                println!(
                    "{}\t{} to {}\t{}\t{:?}\t{}",
                    standard.code,
                    day(standard.in_force_from),
                    standard
                        .in_force_until
                        .map_or("now".to_owned(), |d| d.to_string()),
                    standard.title,
                    standard.coverage,
                    standard.coverage_note.as_deref().unwrap_or("")
                );
            }
            Ok(exit::OK)
        }
    }
}

/// Runs one check subcommand.
pub fn run_check(command: CheckCommand) -> Result<u8> {
    match command {
        CheckCommand::Label(args) => check_label(args),
    }
}

fn judge_file(args: JudgeArgs) -> Result<u8> {
    let Some(product) = ProductType::parse(&args.product_type) else {
        return usage(format!(
            "--product-type {}: expected infant, older_infant, young_child or raw_milk",
            args.product_type
        ));
    };
    let Ok(produced) = args.produced.parse() else {
        return usage(format!("--produced {}: expected YYYY-MM-DD", args.produced));
    };
    let mut facts = Vec::new();
    if product == ProductType::RawMilk {
        facts.push(if args.species == "goat" {
            Fact::Goat
        } else {
            Fact::Cow
        });
        if args.holstein {
            facts.push(Fact::Holstein);
        }
    } else {
        facts.push(if args.base == "soy" {
            Fact::SoyBased
        } else {
            Fact::MilkBased
        });
        if args.liquid {
            facts.push(Fact::Liquid);
        }
        if args.tin_plate {
            facts.push(Fact::TinPlateContainer);
        }
        if !args.added_vegetables_or_fruit {
            facts.push(Fact::NoAddedVegetablesOrFruit);
        }
        if !args.live_cultures {
            facts.push(Fact::NoLiveCultures);
        }
    }
    let catalogue = catalogue()?;
    let enterprise = match &args.enterprise {
        Some(path) => match review(&catalogue, &path.display().to_string(), &read(path)?) {
            Ok(standard) => Some(standard),
            Err(refusal) => {
                print_refusal(&refusal);
                return Ok(exit::INVALID);
            }
        },
        None => None,
    };
    let text = read(&args.file)?;
    let sample = match results::sample_from_csv(&text, product, produced, facts) {
        Ok(sample) => sample,
        Err(errors) => {
            for error in &errors {
                eprintln!(
                    "{}:{}: {}: {}",
                    args.file.display(),
                    error.index,
                    if error.analyte.is_empty() {
                        "-"
                    } else {
                        &error.analyte
                    },
                    error.message
                );
            }
            eprintln!("{} broken row(s); nothing was judged", errors.len());
            return Ok(exit::INVALID);
        }
    };
    let judgment = judge(&catalogue, enterprise.as_ref(), &sample);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&judgment)?),
        Format::Table => print_judgment(&judgment),
    }
    Ok(if judgment.verdict == Verdict::Conformant {
        exit::OK
    } else {
        exit::INVALID
    })
}

fn print_judgment(judgment: &Judgment) {
    println!("verdict: {}", judgment.verdict);
    println!("standards: {}", judgment.standards.join(", "));
    for check in &judgment.checks {
        let outcome = match check.outcome {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Unverified => "unverified",
            Outcome::Missing => "MISSING",
            Outcome::Undetermined => "UNDETERMINED",
            Outcome::Note => "note",
        };
        println!(
            "{outcome:<12} {:<28} {:<22} rule {:<34} {}  — {}",
            check.subject,
            check.value.as_deref().unwrap_or("-"),
            check.rule,
            check.message,
            check.source
        );
    }
}

fn print_refusal(refusal: &Refusal) {
    match refusal {
        Refusal::Looser(looser) => {
            eprintln!(
                "enterprise standard refused: {} limit(s) looser than the national standard",
                looser.len()
            );
            for item in looser {
                eprintln!("  {}", item.reason);
            }
        }
        other => eprintln!("enterprise standard refused: {other}"),
    }
}

fn review_file(path: &Path) -> Result<u8> {
    let catalogue = catalogue()?;
    match review(&catalogue, &path.display().to_string(), &read(path)?) {
        Ok(standard) => {
            println!(
                "accepted: {} ({}), {} limit(s)",
                standard.standard().code,
                standard.enterprise(),
                standard.standard().limits.len()
            );
            for note in &standard.notes {
                println!("  note: {note}");
            }
            Ok(exit::OK)
        }
        Err(refusal) => {
            print_refusal(&refusal);
            Ok(exit::INVALID)
        }
    }
}

fn check_label(args: LabelArgs) -> Result<u8> {
    let text = read(&args.file)?;
    let registration = match &args.registration {
        Some(path) => match Registration::parse(&read(path)?) {
            Ok(registration) => Some(registration),
            Err(message) => {
                eprintln!("error: {}: {message}", path.display());
                return Ok(exit::INVALID);
            }
        },
        None => None,
    };
    let context = LabelContext {
        kind: if args.ad {
            TextKind::Advertisement
        } else {
            TextKind::Label
        },
        stage: args.stage,
        registration,
    };
    let rules = LabelRules::embedded().context("the embedded label rules do not parse")?;
    let findings = rules.check(&text, &context);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&findings)?),
        Format::Table => {
            for finding in &findings {
                let place = match (finding.line, finding.column) {
                    (Some(line), Some(column)) => {
                        format!("{}:{line}:{column}", args.file.display())
                    }
                    _ => args.file.display().to_string(),
                };
                println!(
                    "{place}: [{}] {}{}\n    rule: {} — “{}” ({}; confidence {})",
                    finding.rule,
                    if finding.quote.is_empty() {
                        String::new()
                    } else {
                        format!("“{}”: ", finding.quote)
                    },
                    finding.message,
                    finding.title,
                    finding.source_text,
                    finding.instrument,
                    finding.confidence
                );
            }
            if findings.is_empty() {
                println!("no findings");
            }
        }
    }
    Ok(if findings.is_empty() {
        exit::OK
    } else {
        exit::INVALID
    })
}

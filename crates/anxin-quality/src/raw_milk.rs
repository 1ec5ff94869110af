//! Raw-milk acceptance at receiving: each delivery's tests (fat, protein, bacteria, somatic
//! cells, residues, temperature, …) judged against GB 19301 and the other national rows for raw
//! milk, plus the manufacturer's own stricter standard; and the finding raised when milk that
//! was rejected, or never decided, goes into a transformation.
//!
//! Pure domain: the caller hands in deliveries, decisions and the transformations' inputs.

use jiff::civil::Date;
use serde::Serialize;

/// The example manufacturer's raw-milk acceptance standard (`examples/manufacturer-raw-milk.toml`,
/// file name `manufacturer-raw-milk.toml`): not a real enterprise's, for tests, demonstrations
/// and the simulator. Read it with [`crate::review`].
pub const EXAMPLE_MANUFACTURER_STANDARD: &str =
    include_str!("../examples/manufacturer-raw-milk.toml");

use crate::enterprise::EnterpriseStandard;
use crate::judge::{InputError, Judgment, Measurement, Sample, Verdict, judge};
use crate::standard::{Catalogue, Fact, ProductType};

/// One delivery of raw milk with its receiving tests.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The delivery's identifier (a lot or an SSCC, as the plant records it).
    pub id: String,
    /// Who delivered it.
    pub supplier: String,
    /// The day it was received (decides the standard versions in force).
    pub received: Date,
    /// Species and breed facts (`Cow`, `Goat`, `Holstein`).
    pub facts: Vec<Fact>,
    /// The receiving tests.
    pub tests: Vec<Measurement>,
}

/// What the plant may do with a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Every applicable limit is met.
    Accepted,
    /// A national or manufacturer limit is not met.
    Rejected,
    /// Tests are missing or could not be judged: not to be used until decided.
    Held,
}

/// A delivery's acceptance decision with the judgment behind it.
#[derive(Clone, Debug, Serialize)]
pub struct Acceptance<'a> {
    /// The delivery.
    pub delivery: String,
    /// The decision.
    pub decision: Decision,
    /// Parameter by parameter, with sources.
    pub judgment: Judgment<'a>,
}

/// Judges one delivery. Broken tests (a unit that does not fit, a negative count) are refused
/// with each problem; nothing is decided then.
pub fn accept<'a>(
    catalogue: &'a Catalogue,
    manufacturer: Option<&'a EnterpriseStandard>,
    delivery: &Delivery,
) -> Result<Acceptance<'a>, Vec<InputError>> {
    let sample = Sample::new(
        ProductType::RawMilk,
        delivery.received,
        delivery.facts.iter().copied(),
        delivery.tests.clone(),
    )?;
    let judgment = judge(catalogue, manufacturer, &sample);
    let decision = match judgment.verdict {
        Verdict::Conformant => Decision::Accepted,
        Verdict::NonConformant => Decision::Rejected,
        Verdict::Incomplete => Decision::Held,
    };
    Ok(Acceptance {
        delivery: delivery.id.clone(),
        decision,
        judgment,
    })
}

/// A delivery used as an input of a transformation (raw milk into base powder or a lot).
#[derive(Clone, Debug)]
pub struct MilkUse {
    /// The transformation (its EPCIS transformation ID or event ID).
    pub transformation: String,
    /// The delivery used.
    pub delivery: String,
}

/// A finding the platform raises about raw milk that should not have been used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MilkFinding {
    /// The transformation.
    pub transformation: String,
    /// The delivery.
    pub delivery: String,
    /// The decision on the delivery, if there was one.
    pub decision: Option<Decision>,
    /// What is wrong.
    pub message: String,
}

/// Findings for transformations that used rejected, held or untested milk. The use is recorded
/// either way (the platform never refuses a record of something that happened); the finding is
/// what a regulator sees.
pub fn findings_for_uses(acceptances: &[Acceptance<'_>], uses: &[MilkUse]) -> Vec<MilkFinding> {
    uses.iter()
        .filter_map(|milk_use| {
            let acceptance = acceptances.iter().find(|a| a.delivery == milk_use.delivery);
            let message = match acceptance.map(|a| a.decision) {
                Some(Decision::Accepted) => return None,
                Some(Decision::Rejected) => {
                    let reasons: Vec<String> = acceptance
                        .map(|a| {
                            a.judgment
                                .checks
                                .iter()
                                .filter(|c| c.outcome == crate::judge::Outcome::Fail)
                                .map(|c| format!("{} {} ({})", c.subject, c.message, c.source.standard))
                                .collect()
                        })
                        .unwrap_or_default();
                    format!("rejected raw milk was used: {}", reasons.join("; "))
                }
                Some(Decision::Held) => "raw milk was used before its acceptance was decided (tests missing or not judgeable)".to_owned(),
                None => "raw milk without receiving tests was used".to_owned(),
            };
            Some(MilkFinding {
                transformation: milk_use.transformation.clone(),
                delivery: milk_use.delivery.clone(),
                decision: acceptance.map(|a| a.decision),
                message,
            })
        })
        .collect()
}

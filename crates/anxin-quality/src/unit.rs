//! Units of measurement and the conversions a judgment needs.
//!
//! A unit is a numerator (a mass, an energy, a count of colonies or cells, a degree) over a basis
//! (per 100 g, per kg, per 100 mL, per 100 kJ, …). Masses convert freely; bases convert by
//! portion size, and between a portion and an energy basis through the product's measured
//! energy. Grams and millilitres never convert into each other: that would need a density no
//! lab report gives.
//! This module does not know which unit an analyte should be reported in (`analyte.rs` does).

use std::fmt;

/// Kilojoules in one kilocalorie: the thermochemical calorie, the factor GB 10765-2021 states
/// ("kcal = kJ / 4.184"; standards.md §1.1, codeofchina.com and m.ulenix.cn, confidence A).
pub const KJ_PER_KCAL: f64 = 4.184;

/// What a unit counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Numerator {
    /// A mass, as the number of grams in one of the unit (mg = 0.001).
    Mass(f64),
    /// Kilojoules.
    Kilojoule,
    /// Kilocalories.
    Kilocalorie,
    /// Colony-forming units.
    Cfu,
    /// Somatic cells.
    Cells,
    /// Degrees Thorner (acidity of milk).
    DegreeThorner,
    /// Degrees Celsius.
    DegreeCelsius,
    /// A pure number (relative density, a ratio).
    One,
}

/// What a unit is counted against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Nothing: a temperature, a density.
    None,
    /// Per gram.
    PerG,
    /// Per 100 g.
    Per100G,
    /// Per kilogram.
    PerKg,
    /// Per millilitre.
    PerMl,
    /// Per 100 mL.
    Per100Ml,
    /// Per litre.
    PerL,
    /// Per 100 kJ of the product's energy.
    Per100Kj,
    /// Per 100 kcal of the product's energy.
    Per100Kcal,
}

/// Whether a portion is weighed or measured by volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Portion {
    /// Grams (a powder, or a liquid weighed).
    Mass,
    /// Millilitres.
    Volume,
}

impl Basis {
    /// The portion kind and the number of grams (or mL) in one basis unit, for portion bases.
    fn portion(self) -> Option<(Portion, f64)> {
        match self {
            Basis::PerG => Some((Portion::Mass, 1.0)),
            Basis::Per100G => Some((Portion::Mass, 100.0)),
            Basis::PerKg => Some((Portion::Mass, 1000.0)),
            Basis::PerMl => Some((Portion::Volume, 1.0)),
            Basis::Per100Ml => Some((Portion::Volume, 100.0)),
            Basis::PerL => Some((Portion::Volume, 1000.0)),
            _ => None,
        }
    }

    /// The kilojoules in one basis unit, for energy bases.
    fn energy_kj(self) -> Option<f64> {
        match self {
            Basis::Per100Kj => Some(100.0),
            Basis::Per100Kcal => Some(100.0 * KJ_PER_KCAL),
            _ => None,
        }
    }
}

/// A parsed unit such as `mg/100kJ` or `CFU/g`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    /// What is counted.
    pub numerator: Numerator,
    /// Against what.
    pub basis: Basis,
}

/// A product's measured energy, the bridge between a portion basis and an energy basis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Energy {
    /// Kilojoules per gram or per millilitre of product.
    pub kj_per_unit: f64,
    /// Whether that is per gram or per millilitre.
    pub portion: Portion,
}

/// Why one unit does not convert into another.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConversionError {
    /// The two units measure different things.
    #[error("{from} cannot be expressed in {to}")]
    Incompatible {
        /// The unit given.
        from: String,
        /// The unit wanted.
        to: String,
    },
    /// An energy basis is involved and the product's energy was not measured.
    #[error("{from} → {to} needs the product's measured energy, and there is none")]
    NeedsEnergy {
        /// The unit given.
        from: String,
        /// The unit wanted.
        to: String,
    },
}

impl Unit {
    /// Reads a unit as labs and standards write it: `mg/100g`, `µg/100 kJ`, `ug/kg`, `CFU/mL`,
    /// `kJ/100g`, `°T`, `°C`, `cells/mL`, `1`. Case and spaces do not matter; `u`, `µ` (micro
    /// sign) and `μ` (Greek mu) all mean micro.
    pub fn parse(text: &str) -> Option<Unit> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase()
            .replace(['µ', 'μ'], "u");
        let (numerator, basis) = match compact.split_once('/') {
            Some((numerator, basis)) => (numerator, Some(basis)),
            None => (compact.as_str(), None),
        };
        let numerator = match numerator {
            "g" => Numerator::Mass(1.0),
            "mg" => Numerator::Mass(1e-3),
            "ug" | "mcg" => Numerator::Mass(1e-6),
            "ng" => Numerator::Mass(1e-9),
            "kj" => Numerator::Kilojoule,
            "kcal" => Numerator::Kilocalorie,
            "cfu" => Numerator::Cfu,
            "cells" | "cell" => Numerator::Cells,
            "°t" | "t" => Numerator::DegreeThorner,
            "°c" => Numerator::DegreeCelsius,
            "1" | "ratio" => Numerator::One,
            _ => return None,
        };
        let basis = match basis {
            None => Basis::None,
            Some("g") => Basis::PerG,
            Some("100g") => Basis::Per100G,
            Some("kg") => Basis::PerKg,
            Some("ml") => Basis::PerMl,
            Some("100ml") => Basis::Per100Ml,
            Some("l") => Basis::PerL,
            Some("100kj") => Basis::Per100Kj,
            Some("100kcal") => Basis::Per100Kcal,
            Some(_) => return None,
        };
        Some(Unit { numerator, basis })
    }

    /// The factor that turns one of `self`'s numerator into `to`'s, if they measure the same
    /// thing.
    fn numerator_factor(self, to: Unit) -> Option<f64> {
        use Numerator::*;
        match (self.numerator, to.numerator) {
            (Mass(a), Mass(b)) => Some(a / b),
            (Kilojoule, Kilocalorie) => Some(1.0 / KJ_PER_KCAL),
            (Kilocalorie, Kilojoule) => Some(KJ_PER_KCAL),
            (a, b) if a == b => Some(1.0),
            _ => None,
        }
    }

    /// Converts `value` in `self` into `to`. `energy` is needed only when exactly one of the two
    /// is on an energy basis.
    pub fn convert(
        self,
        value: f64,
        to: Unit,
        energy: Option<Energy>,
    ) -> Result<f64, ConversionError> {
        let incompatible = || ConversionError::Incompatible {
            from: self.to_string(),
            to: to.to_string(),
        };
        let numerator = self.numerator_factor(to).ok_or_else(incompatible)?;
        let value = value * numerator;
        if self.basis == to.basis {
            return Ok(value);
        }
        // Through "per unit of product" (g or mL) or "per kJ", whichever both sides share.
        match (
            self.basis.portion(),
            to.basis.portion(),
            self.basis.energy_kj(),
            to.basis.energy_kj(),
        ) {
            (Some((from_kind, from_size)), Some((to_kind, to_size)), _, _)
                if from_kind == to_kind =>
            {
                Ok(value / from_size * to_size)
            }
            (_, _, Some(from_kj), Some(to_kj)) => Ok(value / from_kj * to_kj),
            (Some((from_kind, from_size)), None, _, Some(to_kj)) => {
                let energy = energy.ok_or_else(|| ConversionError::NeedsEnergy {
                    from: self.to_string(),
                    to: to.to_string(),
                })?;
                if energy.portion != from_kind || energy.kj_per_unit <= 0.0 {
                    return Err(incompatible());
                }
                // value per unit of product ÷ kJ per unit of product = value per kJ.
                Ok(value / from_size / energy.kj_per_unit * to_kj)
            }
            (None, Some((to_kind, to_size)), Some(from_kj), _) => {
                let energy = energy.ok_or_else(|| ConversionError::NeedsEnergy {
                    from: self.to_string(),
                    to: to.to_string(),
                })?;
                if energy.portion != to_kind || energy.kj_per_unit <= 0.0 {
                    return Err(incompatible());
                }
                Ok(value / from_kj * energy.kj_per_unit * to_size)
            }
            _ => Err(incompatible()),
        }
    }

    /// Whether this unit can be turned into `to` without the product's energy.
    pub fn converts_without_energy(self, to: Unit) -> bool {
        self.convert(1.0, to, None).is_ok()
    }

    /// For an energy unit (kJ or kcal per portion), the product's energy in kJ per g or mL.
    pub fn energy_of(self, value: f64) -> Option<Energy> {
        let kj = match self.numerator {
            Numerator::Kilojoule => value,
            Numerator::Kilocalorie => value * KJ_PER_KCAL,
            _ => return None,
        };
        let (portion, size) = self.basis.portion()?;
        Some(Energy {
            kj_per_unit: kj / size,
            portion,
        })
    }
}

/// The name of a mass unit from its size in grams (the sizes `Unit::parse` produces).
fn mass_name(grams: f64) -> &'static str {
    if grams >= 1.0 {
        "g"
    } else if grams >= 1e-3 {
        "mg"
    } else if grams >= 1e-6 {
        "µg"
    } else {
        "ng"
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let numerator = match self.numerator {
            Numerator::Mass(grams) => mass_name(grams),
            Numerator::Kilojoule => "kJ",
            Numerator::Kilocalorie => "kcal",
            Numerator::Cfu => "CFU",
            Numerator::Cells => "cells",
            Numerator::DegreeThorner => "°T",
            Numerator::DegreeCelsius => "°C",
            Numerator::One => "1",
        };
        let basis = match self.basis {
            Basis::None => "",
            Basis::PerG => "/g",
            Basis::Per100G => "/100g",
            Basis::PerKg => "/kg",
            Basis::PerMl => "/mL",
            Basis::Per100Ml => "/100mL",
            Basis::PerL => "/L",
            Basis::Per100Kj => "/100kJ",
            Basis::Per100Kcal => "/100kcal",
        };
        write!(f, "{numerator}{basis}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(text: &str) -> Unit {
        Unit::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[track_caller]
    fn check(value: f64, from: &str, to: &str, energy: Option<Energy>, expect: f64) {
        let got = unit(from).convert(value, unit(to), energy).unwrap();
        assert!(
            (got - expect).abs() <= expect.abs() * 1e-9 + 1e-12,
            "{value} {from} → {to}: {got}, expected {expect}"
        );
    }

    #[test]
    fn masses_and_portions_convert_without_energy() {
        check(1.0, "mg/100g", "µg/100g", None, 1000.0);
        check(0.08, "mg/kg", "µg/kg", None, 80.0);
        check(1.0, "mg/100g", "mg/kg", None, 10.0);
        check(12.0, "µg/kg", "ug/100 g", None, 1.2);
        check(5.0, "CFU/mL", "CFU/100mL", None, 500.0);
        check(1.0, "g/100kcal", "g/100kJ", None, 1.0 / KJ_PER_KCAL);
    }

    #[test]
    fn a_powder_per_100_g_becomes_per_100_kj_through_its_energy() {
        // standards.md §1.1: 10.5 g protein/100 g at 2147 kJ/100 g is 0.489 g/100 kJ.
        let energy = unit("kJ/100g").energy_of(2147.0);
        check(10.5, "g/100g", "g/100kJ", energy, 10.5 / 21.47);
        check(10.5 / 21.47, "g/100kJ", "g/100g", energy, 10.5);
        let kcal = unit("kcal/100g").energy_of(2147.0 / KJ_PER_KCAL);
        check(10.5, "g/100g", "g/100kJ", kcal, 10.5 / 21.47);
    }

    #[test]
    fn an_energy_basis_without_energy_or_across_grams_and_millilitres_is_refused() {
        assert!(matches!(
            unit("g/100g").convert(1.0, unit("g/100kJ"), None),
            Err(ConversionError::NeedsEnergy { .. })
        ));
        let liquid = unit("kJ/100mL").energy_of(280.0);
        assert!(
            unit("g/100g")
                .convert(1.0, unit("g/100kJ"), liquid)
                .is_err()
        );
        assert!(unit("mg/kg").convert(1.0, unit("mg/L"), None).is_err());
        assert!(unit("CFU/g").convert(1.0, unit("cells/g"), None).is_err());
        assert!(unit("°C").convert(1.0, unit("°T"), None).is_err());
    }

    #[test]
    fn unknown_units_do_not_parse() {
        for text in ["", "mg/", "lb/100g", "mg/100oz", "furlongs"] {
            assert_eq!(Unit::parse(text), None, "{text}");
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const UNITS: &[&str] = &[
        "g/100g",
        "mg/100g",
        "µg/100g",
        "mg/kg",
        "µg/kg",
        "g/kg",
        "mg/g",
        "mg/100kJ",
        "µg/100kJ",
        "g/100kcal",
        "mg/100kcal",
    ];

    proptest! {
        /// Converting there and back returns the value, for any pair of mass units and energy.
        #[test]
        fn conversions_round_trip(value in 0.0f64..1e6, from in 0..UNITS.len(), to in 0..UNITS.len(), kj_per_100g in 100.0f64..3700.0) {
            let (from, to) = (Unit::parse(UNITS[from]).unwrap(), Unit::parse(UNITS[to]).unwrap());
            let energy = Unit::parse("kJ/100g").unwrap().energy_of(kj_per_100g);
            let there = from.convert(value, to, energy).unwrap();
            let back = to.convert(there, from, energy).unwrap();
            prop_assert!((back - value).abs() <= value.abs() * 1e-9 + 1e-12, "{value} → {there} → {back}");
        }

        /// Conversion keeps order: a larger value stays larger, so limits compare the same way
        /// in any unit.
        #[test]
        fn conversions_keep_order(a in 0.0f64..1e6, b in 0.0f64..1e6, from in 0..UNITS.len(), to in 0..UNITS.len(), kj_per_100g in 100.0f64..3700.0) {
            let (from, to) = (Unit::parse(UNITS[from]).unwrap(), Unit::parse(UNITS[to]).unwrap());
            let energy = Unit::parse("kJ/100g").unwrap().energy_of(kj_per_100g);
            let (a2, b2) = (from.convert(a, to, energy).unwrap(), from.convert(b, to, energy).unwrap());
            prop_assert_eq!(a < b, a2 < b2 || (a2 - b2).abs() <= a2.abs().max(b2.abs()) * 1e-12);
        }
    }
}

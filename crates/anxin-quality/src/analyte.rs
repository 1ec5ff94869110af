//! The analytes the platform knows: their canonical names, Chinese names, and what kind of
//! quantity each is measured as.
//!
//! A lab report or a standard naming anything else is refused by name, so a typo never becomes a
//! parameter nobody judges. This table says nothing about limits (the standards files do).

use crate::unit::{Numerator, Unit};

/// What kind of quantity an analyte is reported as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A mass per portion or per energy (nutrients, contaminants).
    Mass,
    /// The product's energy per portion.
    Energy,
    /// Colony-forming units per portion (plate counts).
    Count,
    /// Detected or not detected in a test portion (pathogens, residue screens).
    Presence,
    /// Somatic cells per mL.
    Cells,
    /// Acidity in °T.
    Acidity,
    /// A temperature in °C.
    Temperature,
    /// A pure number (relative density).
    Number,
}

/// One known analyte.
#[derive(Debug)]
pub struct Analyte {
    /// The canonical name used in data files and reports.
    pub id: &'static str,
    /// The Chinese name as the standards write it (also accepted as input).
    pub name_cn: &'static str,
    /// What it is measured as.
    pub kind: Kind,
}

macro_rules! analytes {
    ($(($id:literal, $cn:literal, $kind:ident)),* $(,)?) => {
        /// Every analyte the platform knows.
        pub static ANALYTES: &[Analyte] = &[$(Analyte { id: $id, name_cn: $cn, kind: Kind::$kind }),*];
    };
}

analytes![
    ("energy", "能量", Energy),
    ("protein", "蛋白质", Mass),
    ("fat", "脂肪", Mass),
    ("linoleic_acid", "亚油酸", Mass),
    ("alpha_linolenic_acid", "α-亚麻酸", Mass),
    ("carbohydrate", "碳水化合物", Mass),
    ("vitamin_a", "维生素A", Mass),
    ("vitamin_d", "维生素D", Mass),
    ("vitamin_e", "维生素E", Mass),
    ("vitamin_k1", "维生素K1", Mass),
    ("vitamin_b1", "维生素B1", Mass),
    ("vitamin_b2", "维生素B2", Mass),
    ("vitamin_b6", "维生素B6", Mass),
    ("vitamin_b12", "维生素B12", Mass),
    ("niacin", "烟酸", Mass),
    ("folic_acid", "叶酸", Mass),
    ("pantothenic_acid", "泛酸", Mass),
    ("vitamin_c", "维生素C", Mass),
    ("biotin", "生物素", Mass),
    ("choline", "胆碱", Mass),
    ("sodium", "钠", Mass),
    ("potassium", "钾", Mass),
    ("copper", "铜", Mass),
    ("magnesium", "镁", Mass),
    ("iron", "铁", Mass),
    ("zinc", "锌", Mass),
    ("manganese", "锰", Mass),
    ("calcium", "钙", Mass),
    ("phosphorus", "磷", Mass),
    ("iodine", "碘", Mass),
    ("chloride", "氯", Mass),
    ("selenium", "硒", Mass),
    ("inositol", "肌醇", Mass),
    ("taurine", "牛磺酸", Mass),
    ("dha", "二十二碳六烯酸", Mass),
    ("ara", "二十碳四烯酸", Mass),
    ("epa", "二十碳五烯酸", Mass),
    ("l_carnitine", "左旋肉碱", Mass),
    ("lactoferrin", "乳铁蛋白", Mass),
    ("lutein", "叶黄素", Mass),
    ("nucleotides", "核苷酸", Mass),
    ("whey_protein", "乳清蛋白", Mass),
    ("lactose", "乳糖", Mass),
    ("non_fat_milk_solids", "非脂乳固体", Mass),
    ("impurity", "杂质度", Mass),
    ("lead", "铅", Mass),
    ("tin", "锡", Mass),
    ("total_mercury", "总汞", Mass),
    ("total_arsenic", "总砷", Mass),
    ("chromium", "铬", Mass),
    ("nitrite", "亚硝酸盐", Mass),
    ("nitrate", "硝酸盐", Mass),
    ("aflatoxin_m1", "黄曲霉毒素M1", Mass),
    ("melamine", "三聚氰胺", Mass),
    ("cronobacter", "克罗诺杆菌属", Presence),
    ("salmonella", "沙门氏菌", Presence),
    ("staphylococcus_aureus", "金黄色葡萄球菌", Count),
    ("aerobic_plate_count", "菌落总数", Count),
    ("coliforms", "大肠菌群", Count),
    ("total_bacterial_count", "生乳菌落总数", Count),
    ("somatic_cell_count", "体细胞数", Cells),
    ("antibiotic_residue", "抗生素残留", Presence),
    ("acidity", "酸度", Acidity),
    ("freezing_point", "冰点", Temperature),
    ("temperature", "温度", Temperature),
    ("relative_density", "相对密度", Number),
];

/// Finds an analyte by its canonical or Chinese name (`protein`, `蛋白质`).
pub fn find(name: &str) -> Option<&'static Analyte> {
    let name = name.trim();
    ANALYTES
        .iter()
        .find(|analyte| analyte.id.eq_ignore_ascii_case(name) || analyte.name_cn == name)
}

/// The analyte's position in [`ANALYTES`], used as its bit in analyte sets (`u128` masks: the
/// table has fewer than 128 entries, which a test checks).
pub fn index(analyte: &Analyte) -> usize {
    ANALYTES
        .iter()
        .position(|a| std::ptr::eq(a, analyte))
        .unwrap_or(0)
}

/// The analyte's bit in a `u128` set.
pub fn bit(analyte: &Analyte) -> u128 {
    1u128 << index(analyte)
}

impl Analyte {
    /// Whether a value in `unit` can be a measurement of this analyte.
    pub fn accepts(&self, unit: Unit) -> bool {
        use crate::unit::Basis;
        match (self.kind, unit.numerator) {
            (Kind::Mass, Numerator::Mass(_)) => unit.basis != Basis::None,
            (Kind::Energy, Numerator::Kilojoule | Numerator::Kilocalorie) => {
                matches!(
                    unit.basis,
                    Basis::Per100G
                        | Basis::PerG
                        | Basis::Per100Ml
                        | Basis::PerMl
                        | Basis::PerKg
                        | Basis::PerL
                )
            }
            (Kind::Count, Numerator::Cfu) | (Kind::Cells, Numerator::Cells) => {
                unit.basis != Basis::None
            }
            (Kind::Acidity, Numerator::DegreeThorner)
            | (Kind::Temperature, Numerator::DegreeCelsius) => unit.basis == Basis::None,
            (Kind::Number, Numerator::One) => unit.basis == Basis::None,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_analyte_has_its_own_bit_and_names_are_unique() {
        assert!(ANALYTES.len() <= 128);
        for (position, analyte) in ANALYTES.iter().enumerate() {
            assert_eq!(index(analyte), position);
            assert!(
                std::ptr::eq(find(analyte.id).unwrap(), analyte),
                "{}",
                analyte.id
            );
            assert!(
                std::ptr::eq(find(analyte.name_cn).unwrap(), analyte),
                "{}",
                analyte.name_cn
            );
        }
    }
}

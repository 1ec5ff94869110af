//! The static facts of the simulated country: cities with their GB/T 2260 codes and the
//! weights the simulator draws them by (`data/regions.tsv`, whose header cites the codes'
//! source and marks the weights as assumptions), and the exporting countries of imported
//! formula.
//!
//! The table is compiled into the crate, so the world does not depend on any file at run
//! time; it is parsed once per [`crate::World`].

/// A prefecture-level city (or a municipality) of China.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct City {
    /// The city's GB/T 2260 code (`230200`).
    pub code: &'static str,
    /// The province's GB/T 2260 code (`230000`).
    pub province_code: &'static str,
    /// The city's name (`齐齐哈尔市`).
    pub name: &'static str,
    /// The province's name (`黑龙江省`).
    pub province: &'static str,
    /// Relative weight as a source of cow's raw milk (assumption; 0 for none).
    pub cow_weight: u32,
    /// Relative weight as a source of goat's raw milk (assumption; 0 for none).
    pub goat_weight: u32,
    /// Relative weight of formula retail here (assumption).
    pub shop_weight: u32,
    /// True when the city has a port or bonded zone used for imports.
    pub port: bool,
}

const REGIONS: &str = include_str!("../data/regions.tsv");

/// Every city of `data/regions.tsv`, in file order.
///
/// The table is part of the crate and checked by a test, so a malformed line is a bug in
/// this crate; such a line is skipped rather than allowed to panic.
pub fn cities() -> Vec<City> {
    REGIONS
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(parse_line)
        .collect()
}

fn parse_line(line: &'static str) -> Option<City> {
    let mut fields = line.split('\t');
    let mut next = || fields.next();
    let code = next()?;
    let province_code = next()?;
    let name = next()?;
    let province = next()?;
    let cow_weight = next()?.parse().ok()?;
    let goat_weight = next()?.parse().ok()?;
    let shop_weight = next()?.parse().ok()?;
    let port = next()? == "1";
    Some(City {
        code,
        province_code,
        name,
        province,
        cow_weight,
        goat_weight,
        shop_weight,
        port,
    })
}

/// A country that exports infant formula to China.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code.
    pub iso: &'static str,
    /// The name in Chinese.
    pub name: &'static str,
    /// The first digits of GS1 company prefixes issued there (GS1 member organisation
    /// prefix ranges; general knowledge, mark R in `../shared/reference` terms).
    pub gs1_prefix: &'static str,
    /// The offset events there are written in: standard time, daylight saving ignored
    /// (an assumption of the simulation).
    pub offset_hours: i8,
    /// Import weight: tonnes of HS 19011010 imported from it in 2017 (standards.md §7,
    /// customs data via rainbowgiftswholesale.com, mark C).
    pub import_tonnes_2017: u32,
}

/// The five largest sources of China's formula imports in 2017 (standards.md §7, mark C).
pub const EXPORTING_COUNTRIES: [Country; 5] = [
    Country {
        iso: "NL",
        name: "荷兰",
        gs1_prefix: "87",
        offset_hours: 1,
        import_tonnes_2017: 87_555,
    },
    Country {
        iso: "NZ",
        name: "新西兰",
        gs1_prefix: "94",
        offset_hours: 12,
        import_tonnes_2017: 47_372,
    },
    Country {
        iso: "FR",
        name: "法国",
        gs1_prefix: "30",
        offset_hours: 1,
        import_tonnes_2017: 42_862,
    },
    Country {
        iso: "IE",
        name: "爱尔兰",
        gs1_prefix: "539",
        offset_hours: 0,
        import_tonnes_2017: 37_643,
    },
    Country {
        iso: "DE",
        name: "德国",
        gs1_prefix: "40",
        offset_hours: 1,
        import_tonnes_2017: 27_547,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_region_table_is_read_and_codes_are_consistent() {
        let lines = REGIONS
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .count();
        let cities = cities();
        assert_eq!(cities.len(), lines);
        for city in &cities {
            assert_eq!(city.code.len(), 6, "{city:?}");
            assert!(city.code.ends_with("00") && !city.code.ends_with("0000"));
            assert_eq!(&city.code[..2], &city.province_code[..2], "{city:?}");
            assert!(city.province_code.ends_with("0000"));
        }
        let find = |code: &str| cities.iter().find(|city| city.code == code).unwrap();
        assert_eq!(find("230100").name, "哈尔滨市");
        assert_eq!(find("150100").name, "呼和浩特市");
        assert_eq!(find("610100").name, "西安市");
        assert_eq!(find("440300").name, "深圳市");
        assert!(cities.iter().any(|city| city.goat_weight > 0));
        assert!(cities.iter().filter(|city| city.port).count() >= 4);
    }
}

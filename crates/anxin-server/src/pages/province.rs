//! Province-level divisions of China by the first two digits of a GB/T 2260 administrative
//! division code (《中华人民共和国行政区划代码》, GB/T 2260; the codes of the provinces the
//! simulator uses agree with `crates/anxin-sim/data/regions.tsv`). The list was written from
//! memory of the standard's province codes (mark R in `../shared/reference` terms), so a code
//! missing here shows as "unknown" rather than a guessed name.

/// Province codes (two digits) with their Chinese and English names.
const PROVINCES: [(&str, &str, &str); 34] = [
    ("11", "北京市", "Beijing"),
    ("12", "天津市", "Tianjin"),
    ("13", "河北省", "Hebei"),
    ("14", "山西省", "Shanxi"),
    ("15", "内蒙古自治区", "Inner Mongolia"),
    ("21", "辽宁省", "Liaoning"),
    ("22", "吉林省", "Jilin"),
    ("23", "黑龙江省", "Heilongjiang"),
    ("31", "上海市", "Shanghai"),
    ("32", "江苏省", "Jiangsu"),
    ("33", "浙江省", "Zhejiang"),
    ("34", "安徽省", "Anhui"),
    ("35", "福建省", "Fujian"),
    ("36", "江西省", "Jiangxi"),
    ("37", "山东省", "Shandong"),
    ("41", "河南省", "Henan"),
    ("42", "湖北省", "Hubei"),
    ("43", "湖南省", "Hunan"),
    ("44", "广东省", "Guangdong"),
    ("45", "广西壮族自治区", "Guangxi"),
    ("46", "海南省", "Hainan"),
    ("50", "重庆市", "Chongqing"),
    ("51", "四川省", "Sichuan"),
    ("52", "贵州省", "Guizhou"),
    ("53", "云南省", "Yunnan"),
    ("54", "西藏自治区", "Tibet"),
    ("61", "陕西省", "Shaanxi"),
    ("62", "甘肃省", "Gansu"),
    ("63", "青海省", "Qinghai"),
    ("64", "宁夏回族自治区", "Ningxia"),
    ("65", "新疆维吾尔自治区", "Xinjiang"),
    ("71", "台湾省", "Taiwan"),
    ("81", "香港特别行政区", "Hong Kong"),
    ("82", "澳门特别行政区", "Macao"),
];

/// The province (Chinese, English) of a six-digit region code; `None` for anything else.
pub fn of(region: &str) -> Option<(&'static str, &'static str)> {
    let region = region.trim();
    if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    PROVINCES
        .iter()
        .find(|(code, _, _)| region.starts_with(code))
        .map(|&(_, cn, en)| (cn, en))
}

/// The two-digit province code of a region code, for grouping (`None` when unknown).
pub fn code(region: &str) -> Option<&'static str> {
    let region = region.trim();
    if region.len() != 6 {
        return None;
    }
    PROVINCES
        .iter()
        .find(|(code, _, _)| region.starts_with(code))
        .map(|&(code, _, _)| code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_city_code_names_its_province() {
        assert_eq!(super::of("230102"), Some(("黑龙江省", "Heilongjiang")));
        assert_eq!(super::of("440305").map(|p| p.0), Some("广东省"));
        assert_eq!(super::of("990000"), None);
        assert_eq!(super::of("4403"), None);
        assert_eq!(super::code("110100"), Some("11"));
    }
}

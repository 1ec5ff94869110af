//! The static world: parties with their GLNs, Chinese names, addresses, regions and
//! locations; products with GTINs and formula registrations.
//!
//! The world is small (hundreds to a few thousand parties at the largest size) and is held
//! whole; the events are not (see [`crate::flow`]). It is a pure function of the seed and the
//! number of cans, so every machine builds the same one. Names and numbers are made up: no
//! real company, brand or registration is imitated, but their formats are the real ones
//! (standards.md §5).

use anxin_epcis::sample::SampleRng;

use crate::data::{City, Country, EXPORTING_COUNTRIES, cities};

/// Cans of one product per case. An assumption: no source gives it (standards.md §7 lists
/// it as unknown and suggests 6 cans a case as the example assumption).
pub const CANS_PER_CASE: usize = 6;
/// Cases per pallet. An assumption (no source; standards.md §7).
pub const CASES_PER_PALLET: usize = 40;
/// At most this many formula series (brands) per manufacturer, each with three stages: the
/// "3 series, 9 formulas" rule of the 2016 registration measures (standards.md §4.1, mark B).
pub const SERIES_PER_MANUFACTURER_MAX: u64 = 3;

/// What kind of party this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// A domestic infant-formula manufacturer with a production licence.
    Manufacturer,
    /// A dairy farm.
    Farm,
    /// A dairy cooperative collecting from smallholders.
    Cooperative,
    /// A supplier of one ingredient, at home or abroad.
    IngredientSupplier,
    /// A distributor.
    Distributor,
    /// A mother-and-baby shop (母婴店).
    MotherBabyShop,
    /// A supermarket.
    Supermarket,
    /// An e-commerce fulfilment warehouse.
    EcommerceWarehouse,
    /// A manufacturer abroad whose formula is imported.
    OverseasManufacturer,
    /// The importer of record, receiving at the port.
    ImportAgent,
    /// A cross-border e-commerce company (跨境电商).
    CrossBorderEcommerce,
    /// A bonded warehouse operator in a bonded zone.
    BondedWarehouse,
    /// A testing laboratory.
    Lab,
}

impl PartyKind {
    /// The store role of this kind of party.
    pub fn role(self) -> anxin_store::Role {
        use anxin_store::Role;
        match self {
            PartyKind::Manufacturer | PartyKind::OverseasManufacturer => Role::Manufacturer,
            PartyKind::Farm | PartyKind::Cooperative => Role::Farm,
            PartyKind::IngredientSupplier => Role::IngredientSupplier,
            PartyKind::Distributor => Role::Distributor,
            PartyKind::MotherBabyShop | PartyKind::Supermarket | PartyKind::EcommerceWarehouse => {
                Role::Retailer
            }
            PartyKind::ImportAgent | PartyKind::BondedWarehouse => Role::Importer,
            PartyKind::CrossBorderEcommerce => Role::CrossBorderEcommerce,
            PartyKind::Lab => Role::Lab,
        }
    }

    /// The snake-case name used in master data and the manifest.
    pub fn name(self) -> &'static str {
        match self {
            PartyKind::Manufacturer => "manufacturer",
            PartyKind::Farm => "farm",
            PartyKind::Cooperative => "cooperative",
            PartyKind::IngredientSupplier => "ingredient_supplier",
            PartyKind::Distributor => "distributor",
            PartyKind::MotherBabyShop => "mother_baby_shop",
            PartyKind::Supermarket => "supermarket",
            PartyKind::EcommerceWarehouse => "ecommerce_warehouse",
            PartyKind::OverseasManufacturer => "overseas_manufacturer",
            PartyKind::ImportAgent => "import_agent",
            PartyKind::CrossBorderEcommerce => "cross_border_ecommerce",
            PartyKind::BondedWarehouse => "bonded_warehouse",
            PartyKind::Lab => "lab",
        }
    }

    /// True for the kinds that sell to consumers.
    pub fn is_retail(self) -> bool {
        matches!(
            self,
            PartyKind::MotherBabyShop | PartyKind::Supermarket | PartyKind::EcommerceWarehouse
        )
    }
}

/// The animal the milk comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilkType {
    /// Cow's milk (乳基).
    Cow,
    /// Goat's milk (羊乳基).
    Goat,
}

impl MilkType {
    /// `cow` or `goat`.
    pub fn name(self) -> &'static str {
        match self {
            MilkType::Cow => "cow",
            MilkType::Goat => "goat",
        }
    }
}

/// An ingredient bought in by a formula factory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ingredient {
    /// Whey protein concentrate.
    WheyProtein,
    /// Lactose.
    Lactose,
    /// Blended vegetable oils.
    VegetableOils,
    /// OPO structured lipid (1,3-dioleoyl-2-palmitoyl glyceride).
    Opo,
    /// DHA and ARA oils.
    DhaAraOils,
    /// Lactoferrin.
    Lactoferrin,
    /// Vitamin and mineral premix.
    Premix,
    /// Imported base powder (基粉) for dry blending.
    BasePowder,
}

impl Ingredient {
    /// Every ingredient, in a fixed order.
    pub const ALL: [Ingredient; 8] = [
        Ingredient::WheyProtein,
        Ingredient::Lactose,
        Ingredient::VegetableOils,
        Ingredient::Opo,
        Ingredient::DhaAraOils,
        Ingredient::Lactoferrin,
        Ingredient::Premix,
        Ingredient::BasePowder,
    ];

    /// The name in Chinese.
    pub fn chinese(self) -> &'static str {
        match self {
            Ingredient::WheyProtein => "乳清蛋白粉",
            Ingredient::Lactose => "乳糖",
            Ingredient::VegetableOils => "植物油",
            Ingredient::Opo => "OPO结构脂",
            Ingredient::DhaAraOils => "DHA/ARA藻油",
            Ingredient::Lactoferrin => "乳铁蛋白",
            Ingredient::Premix => "维生素矿物质预混料",
            Ingredient::BasePowder => "进口基粉",
        }
    }

    /// True when the simulated suppliers of this ingredient are abroad.
    pub fn imported(self) -> bool {
        matches!(
            self,
            Ingredient::WheyProtein
                | Ingredient::Lactose
                | Ingredient::Lactoferrin
                | Ingredient::BasePowder
        )
    }

    /// The snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            Ingredient::WheyProtein => "whey_protein",
            Ingredient::Lactose => "lactose",
            Ingredient::VegetableOils => "vegetable_oils",
            Ingredient::Opo => "opo",
            Ingredient::DhaAraOils => "dha_ara_oils",
            Ingredient::Lactoferrin => "lactoferrin",
            Ingredient::Premix => "premix",
            Ingredient::BasePowder => "base_powder",
        }
    }
}

/// A place where events happen: a business location with an SGLN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The SGLN as an EPC URN.
    pub sgln: String,
    /// The GLN inside it (13 digits).
    pub gln: String,
    /// The place's name in Chinese.
    pub name: String,
    /// Its address.
    pub address: String,
    /// Its city, for places in China (index into [`World::cities`]).
    pub city: Option<usize>,
    /// Its country (ISO 3166-1 alpha-2).
    pub country: &'static str,
    /// The offset its events are written in, in hours.
    pub offset_hours: i8,
}

/// One party: a company with a GLN and its places.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// What it is.
    pub kind: PartyKind,
    /// Its name in Chinese.
    pub name: String,
    /// Its GS1 company prefix (seven digits, or more abroad).
    pub prefix: String,
    /// Its party GLN (13 digits).
    pub gln: String,
    /// Its PGLN as an EPC URN.
    pub pgln: String,
    /// Its registered address.
    pub address: String,
    /// Its home city in China (index into [`World::cities`]); `None` abroad.
    pub city: Option<usize>,
    /// Its country.
    pub country: &'static str,
    /// Its business locations; the first is its main one.
    pub places: Vec<Place>,
    /// Food production licence (SC + 14 digits), for domestic manufacturers; declared on
    /// their factory (first place). Simulated from the seed: the shape of a real licence,
    /// not a licence anyone was issued.
    pub licence: Option<String>,
    /// The animal its milk comes from (farms, manufacturers).
    pub milk: Option<MilkType>,
    /// Head of dairy animals (farms and cooperatives).
    pub herd: Option<u32>,
    /// What it supplies (ingredient suppliers).
    pub supplies: Option<Ingredient>,
}

/// A finished product: one stage of one formula series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    /// The manufacturer (index into [`World::parties`]).
    pub maker: usize,
    /// The brand (series) name.
    pub brand: String,
    /// The product's name in Chinese.
    pub name: String,
    /// Stage 1 (0–6 months), 2 (6–12) or 3 (12–36).
    pub stage: u8,
    /// Net weight of a can in grams.
    pub can_grams: u32,
    /// Milk-based or goat-milk-based.
    pub milk: MilkType,
    /// The GTIN-14 (indicator 0 and a GTIN-13 under the maker's prefix).
    pub gtin: String,
    /// The item reference with its indicator digit, as the SGTIN URN writes it.
    pub item_reference: String,
    /// The formula registration number (国食注字YP + year + sequence, standards.md §5);
    /// `None` only for a planted import without registration. Simulated from the seed:
    /// the shape of a real number, not a registration SAMR issued.
    pub registration: Option<String>,
}

impl Product {
    /// The EPC class pattern of every can of this product (master-data identifier).
    pub fn class_pattern(&self, world: &World) -> String {
        format!(
            "urn:epc:idpat:sgtin:{}.{}.*",
            world.parties[self.maker].prefix, self.item_reference
        )
    }
}

/// The whole static world.
#[derive(Clone, Debug)]
pub struct World {
    /// The cities of `data/regions.tsv`.
    pub cities: Vec<City>,
    /// Every party, in a fixed order.
    pub parties: Vec<Party>,
    /// Every finished product.
    pub products: Vec<Product>,
    /// Products whose registration was left out on purpose (indices into `products`).
    pub unregistered: Vec<usize>,
}

/// How many parties of each kind a world of `cans` cans has.
fn counts(cans: u64) -> [(PartyKind, u64); 13] {
    let scaled = |per: u64, min: u64, max: u64| (cans / per).clamp(min, max);
    [
        (PartyKind::Manufacturer, 3 + scaled(100_000, 0, 21)),
        (PartyKind::Farm, 6 + scaled(50_000, 0, 120)),
        (PartyKind::Cooperative, 2 + scaled(200_000, 0, 30)),
        (
            PartyKind::IngredientSupplier,
            8 * (1 + scaled(2_000_000, 0, 4)),
        ),
        (PartyKind::Distributor, 4 + scaled(25_000, 0, 60)),
        (PartyKind::MotherBabyShop, 8 + scaled(2_500, 0, 1_600)),
        (PartyKind::Supermarket, 3 + scaled(10_000, 0, 400)),
        (PartyKind::EcommerceWarehouse, 2 + scaled(100_000, 0, 40)),
        (PartyKind::OverseasManufacturer, 2 + scaled(400_000, 0, 10)),
        (PartyKind::ImportAgent, 2 + scaled(1_000_000, 0, 6)),
        (PartyKind::CrossBorderEcommerce, 2 + scaled(1_000_000, 0, 8)),
        (PartyKind::BondedWarehouse, 2 + scaled(1_000_000, 0, 6)),
        (PartyKind::Lab, 2 + scaled(1_000_000, 0, 8)),
    ]
}

/// The digit after `69` in the company prefixes of each kind of domestic party, so every
/// prefix is unique and lies in China's 690–699 range.
fn kind_digit(kind: PartyKind) -> u32 {
    match kind {
        PartyKind::Manufacturer => 0,
        PartyKind::Farm | PartyKind::Cooperative => 1,
        PartyKind::IngredientSupplier => 2,
        PartyKind::Distributor => 3,
        PartyKind::MotherBabyShop => 4,
        PartyKind::Supermarket => 5,
        PartyKind::EcommerceWarehouse => 6,
        PartyKind::ImportAgent | PartyKind::BondedWarehouse => 7,
        PartyKind::CrossBorderEcommerce => 8,
        PartyKind::Lab | PartyKind::OverseasManufacturer => 9,
    }
}

const SYLLABLES: &[&str] = &[
    "安", "康", "宝", "贝", "禾", "润", "雅", "优", "臻", "护", "启", "睿", "恩", "沐", "倍", "悦",
    "初", "源", "滋", "益", "澳", "蓓", "佳", "诺", "爱", "瑞", "嘉", "乐", "欣",
];
const ROADS: &[&str] = &[
    "建设", "人民", "解放", "中山", "工业", "科技", "开发", "长江", "黄河", "和平", "新华", "友谊",
];

fn syllables(rng: &mut SampleRng, count: usize) -> String {
    let mut name = String::new();
    while name.chars().count() < count {
        let syllable = *rng.pick(SYLLABLES);
        if syllable.is_ascii() || name.contains(syllable) {
            continue;
        }
        name.push_str(syllable);
    }
    name
}

fn street(rng: &mut SampleRng, city: &City) -> String {
    let province = if city.province == city.name {
        String::new()
    } else {
        city.province.to_owned()
    };
    format!(
        "{province}{}{}路{}号",
        city.name,
        rng.pick(ROADS),
        1 + rng.below(899)
    )
}

/// A 13-digit GLN from a company prefix and a location reference.
fn gln(prefix: &str, location: u32) -> String {
    let digits = 12 - prefix.len();
    let body = format!("{prefix}{location:0digits$}");
    format!("{body}{}", anxin_gs1::check_digit(&body))
}

fn place(
    prefix: &str,
    location: u32,
    name: String,
    address: String,
    city: Option<usize>,
    country: &Country,
) -> Place {
    let digits = 12 - prefix.len();
    Place {
        sgln: format!("urn:epc:id:sgln:{prefix}.{location:0digits$}.0"),
        gln: gln(prefix, location),
        name,
        address,
        city,
        country: country.iso,
        offset_hours: country.offset_hours,
    }
}

/// China, as a [`Country`] for places at home.
pub const CHINA: Country = Country {
    iso: "CN",
    name: "中国",
    gs1_prefix: "69",
    offset_hours: 8,
    import_tonnes_2017: 0,
};

/// Picks an index with probability proportional to `weight(item)`; `None` when all are 0.
pub fn weighted<T>(rng: &mut SampleRng, items: &[T], weight: impl Fn(&T) -> u32) -> Option<usize> {
    let total: u64 = items.iter().map(|item| u64::from(weight(item))).sum();
    if total == 0 {
        return None;
    }
    let mut target = rng.below(total);
    for (index, item) in items.iter().enumerate() {
        let item_weight = u64::from(weight(item));
        if target < item_weight {
            return Some(index);
        }
        target -= item_weight;
    }
    None
}

/// The SC food production licence: `SC` + a 3-digit food category, the 2-digit province,
/// city and county of the maker, a 4-digit sequence and a check digit (standards.md §5,
/// mark B). The category `129` for 婴幼儿配方食品 is recalled, not verified (mark R), and the
/// check-digit algorithm is unknown, so the simulator's last digit (a mod-10 sum) is an
/// assumption: real licences will not pass any check built on it.
pub const SC_CATEGORY_INFANT_FORMULA: &str = "129";

fn licence(rng: &mut SampleRng, city: &City) -> String {
    let body = format!(
        "{SC_CATEGORY_INFANT_FORMULA}{}{:02}{:04}",
        &city.code[..4],
        1 + rng.below(20),
        1 + rng.below(9999)
    );
    let sum: u32 = body.bytes().map(|byte| u32::from(byte - b'0')).sum();
    format!("SC{body}{}", sum % 10)
}

impl World {
    /// Builds the world for a seed and a number of cans.
    ///
    /// `unregistered_percent` is the chance that an imported product has no formula
    /// registration (a planted trouble); at least one is planted when it is above zero.
    pub fn build(seed: u64, cans: u64, unregistered_percent: u64) -> World {
        let mut rng = SampleRng::new(seed ^ 0x5157_4f52_4c44_0001);
        let cities = cities();
        let mut world = World {
            cities,
            parties: Vec::new(),
            products: Vec::new(),
            unregistered: Vec::new(),
        };
        let mut per_digit = [0u32; 10];
        for (kind, count) in counts(cans) {
            for index in 0..count {
                let party = world.make_party(&mut rng, kind, index, &mut per_digit);
                world.parties.push(party);
            }
        }
        world.make_products(&mut rng, unregistered_percent);
        world
    }

    fn make_party(
        &self,
        rng: &mut SampleRng,
        kind: PartyKind,
        index: u64,
        per_digit: &mut [u32; 10],
    ) -> Party {
        let overseas = matches!(kind, PartyKind::OverseasManufacturer)
            || (kind == PartyKind::IngredientSupplier && self.supplied(index).imported());
        let country = if overseas {
            let at = weighted(rng, &EXPORTING_COUNTRIES, |country| {
                country.import_tonnes_2017
            })
            .unwrap_or(0);
            EXPORTING_COUNTRIES[at]
        } else {
            CHINA
        };
        let milk = match kind {
            PartyKind::Manufacturer | PartyKind::Farm if index % 4 == 2 => Some(MilkType::Goat),
            PartyKind::Manufacturer | PartyKind::Farm | PartyKind::Cooperative => {
                Some(MilkType::Cow)
            }
            _ => None,
        };
        let city = (!overseas).then(|| self.home_city(rng, kind, milk));
        let digit = kind_digit(kind) as usize;
        per_digit[digit] += 1;
        let prefix = if overseas {
            let width = 7 - country.gs1_prefix.len();
            // The kind's digit leads the number, so an overseas maker and an overseas
            // supplier in the same country never share a prefix.
            format!(
                "{}{:0width$}",
                country.gs1_prefix,
                digit as u32 * 1000 + per_digit[digit]
            )
        } else {
            format!("69{digit}{:04}", per_digit[digit])
        };
        let name = self.party_name(rng, kind, city, &country, index);
        let address = match city {
            Some(city) => street(rng, &self.cities[city]),
            None => format!("{} {}", country.name, syllables(rng, 2)),
        };
        let places = self.party_places(rng, kind, &prefix, &name, &address, city, &country);
        Party {
            kind,
            gln: gln(&prefix, 0),
            pgln: format!("urn:epc:id:pgln:{prefix}.{}", "0".repeat(12 - prefix.len())),
            name,
            address,
            city,
            country: country.iso,
            places,
            licence: (kind == PartyKind::Manufacturer)
                .then(|| licence(rng, &self.cities[city.unwrap_or(0)])),
            herd: matches!(kind, PartyKind::Farm | PartyKind::Cooperative)
                .then(|| 200 + rng.below(4_800) as u32),
            supplies: (kind == PartyKind::IngredientSupplier).then(|| self.supplied(index)),
            milk,
            prefix,
        }
    }

    /// The ingredient the `index`th supplier supplies (suppliers cycle through them).
    fn supplied(&self, index: u64) -> Ingredient {
        Ingredient::ALL[(index % Ingredient::ALL.len() as u64) as usize]
    }

    fn home_city(&self, rng: &mut SampleRng, kind: PartyKind, milk: Option<MilkType>) -> usize {
        let cities = &self.cities;
        let pick = match (kind, milk) {
            (PartyKind::Farm | PartyKind::Cooperative | PartyKind::Manufacturer, Some(milk)) => {
                weighted(rng, cities, |city| match milk {
                    MilkType::Cow => city.cow_weight,
                    MilkType::Goat => city.goat_weight,
                })
            }
            (PartyKind::ImportAgent | PartyKind::BondedWarehouse, _) => {
                weighted(rng, cities, |city| u32::from(city.port))
            }
            _ => weighted(rng, cities, |city| city.shop_weight),
        };
        pick.unwrap_or(0)
    }

    fn party_name(
        &self,
        rng: &mut SampleRng,
        kind: PartyKind,
        city: Option<usize>,
        country: &Country,
        index: u64,
    ) -> String {
        let town = city.map_or(country.name, |city| {
            self.cities[city].name.trim_end_matches('市')
        });
        let core = syllables(rng, 2);
        match kind {
            PartyKind::Manufacturer => format!("{town}{core}乳业有限公司"),
            PartyKind::Farm => format!("{town}{core}牧场"),
            PartyKind::Cooperative => format!("{town}{core}奶牛养殖专业合作社"),
            PartyKind::IngredientSupplier => {
                format!("{town}{core}{}有限公司", self.supplied(index).chinese())
            }
            PartyKind::Distributor => format!("{town}{core}商贸有限公司"),
            PartyKind::MotherBabyShop => format!("{core}母婴生活馆({town}店)"),
            PartyKind::Supermarket => format!("{town}{core}超市"),
            PartyKind::EcommerceWarehouse => format!("{core}电商{town}仓"),
            PartyKind::OverseasManufacturer => format!("{town}{core}营养品工厂"),
            PartyKind::ImportAgent => format!("{town}{core}进出口有限公司"),
            PartyKind::CrossBorderEcommerce => format!("{core}跨境电子商务有限公司"),
            PartyKind::BondedWarehouse => format!("{town}{core}保税物流有限公司"),
            PartyKind::Lab => format!("{town}{core}食品检测中心"),
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a flat record of one party's facts reads best at the call site"
    )]
    fn party_places(
        &self,
        rng: &mut SampleRng,
        kind: PartyKind,
        prefix: &str,
        name: &str,
        address: &str,
        city: Option<usize>,
        country: &Country,
    ) -> Vec<Place> {
        let main = |label: &str| {
            place(
                prefix,
                1,
                format!("{name}{label}"),
                address.to_owned(),
                city,
                country,
            )
        };
        match kind {
            PartyKind::Manufacturer => vec![
                main("工厂"),
                place(
                    prefix,
                    2,
                    format!("{name}成品库"),
                    address.to_owned(),
                    city,
                    country,
                ),
            ],
            PartyKind::CrossBorderEcommerce => {
                // An office, then delivery stations in a few large cities.
                let mut places = vec![main("总部")];
                for station in 0..4 {
                    let at = weighted(rng, &self.cities, |city| city.shop_weight).unwrap_or(0);
                    let city = &self.cities[at];
                    places.push(place(
                        prefix,
                        10 + station,
                        format!("{name}{}配送站", city.name),
                        street(rng, city),
                        Some(at),
                        country,
                    ));
                }
                places
            }
            PartyKind::BondedWarehouse => vec![main("保税仓")],
            PartyKind::ImportAgent => vec![main("口岸查验场")],
            _ => vec![main("")],
        }
    }

    fn make_products(&mut self, rng: &mut SampleRng, unregistered_percent: u64) {
        let mut registration_seq = 1 + rng.below(300);
        let makers: Vec<usize> = (0..self.parties.len())
            .filter(|&index| {
                matches!(
                    self.parties[index].kind,
                    PartyKind::Manufacturer | PartyKind::OverseasManufacturer
                )
            })
            .collect();
        for maker in makers {
            let overseas = self.parties[maker].kind == PartyKind::OverseasManufacturer;
            let milk = self.parties[maker].milk.unwrap_or(MilkType::Cow);
            let n_series = 1 + rng.below(SERIES_PER_MANUFACTURER_MAX);
            for series in 0..n_series {
                let brand = syllables(rng, 2);
                let can_grams = if rng.chance(50) { 800 } else { 900 };
                let year = 2017 + rng.below(9);
                let unregistered = overseas && rng.chance(unregistered_percent);
                for stage in 1..=3u8 {
                    let item_reference = format!("0{:05}", 100 + series * 10 + u64::from(stage));
                    let prefix = &self.parties[maker].prefix;
                    let body = format!("{prefix}{}", &item_reference[1..]);
                    let gtin = format!("0{body}{}", anxin_gs1::check_digit(&body));
                    let stage_name =
                        ["", "婴儿配方奶粉", "较大婴儿配方奶粉", "幼儿配方奶粉"][stage as usize];
                    let milk_name = match milk {
                        MilkType::Cow => "",
                        MilkType::Goat => "羊",
                    };
                    registration_seq += 1 + rng.below(40);
                    self.products.push(Product {
                        maker,
                        name: format!("{brand}{milk_name}{stage_name}({stage}段) {can_grams}g"),
                        brand: brand.clone(),
                        stage,
                        can_grams,
                        milk,
                        gtin,
                        item_reference,
                        registration: (!unregistered)
                            .then(|| format!("国食注字YP{year}{:04}", registration_seq % 10_000)),
                    });
                    if unregistered {
                        self.unregistered.push(self.products.len() - 1);
                    }
                }
            }
        }
        if unregistered_percent > 0 && self.unregistered.is_empty() {
            // At least one planted case, on the first imported series, so a small world
            // still has something to find.
            let first = self
                .products
                .iter()
                .position(|product| {
                    self.parties[product.maker].kind == PartyKind::OverseasManufacturer
                })
                .unwrap_or(0);
            for index in first..(first + 3).min(self.products.len()) {
                self.products[index].registration = None;
                self.unregistered.push(index);
            }
        }
    }

    /// Indices of the parties of one kind.
    pub fn of_kind(&self, kind: PartyKind) -> Vec<usize> {
        (0..self.parties.len())
            .filter(|&index| self.parties[index].kind == kind)
            .collect()
    }

    /// The GB/T 2260 code of a place's city, if it is in China.
    pub fn region_of(&self, place: &Place) -> Option<&'static str> {
        place.city.map(|city| self.cities[city].code)
    }

    /// The province code of a place, if it is in China.
    pub fn province_of(&self, place: &Place) -> Option<&'static str> {
        place.city.map(|city| self.cities[city].province_code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_well_formed_and_unique() {
        let world = World::build(7, 100_000, 20);
        let mut glns: Vec<&str> = world
            .parties
            .iter()
            .flat_map(|party| {
                std::iter::once(party.gln.as_str())
                    .chain(party.places.iter().map(|place| place.gln.as_str()))
            })
            .collect();
        let n = glns.len();
        glns.sort();
        glns.dedup();
        assert_eq!(glns.len(), n, "GLNs are unique");
        for party in &world.parties {
            anxin_gs1::Gln::parse(&party.gln).unwrap();
            if party.country == "CN" {
                assert!(party.prefix.starts_with("69"), "{}", party.prefix);
            }
            if let Some(licence) = &party.licence {
                assert!(licence.starts_with("SC") && licence.len() == 16);
                assert!(licence[2..].bytes().all(|b| b.is_ascii_digit()));
            }
        }
        for product in &world.products {
            assert_eq!(product.gtin.len(), 14);
            anxin_gs1::Gtin::parse(&product.gtin).unwrap();
            if let Some(registration) = &product.registration {
                let digits = registration.strip_prefix("国食注字YP").unwrap();
                assert_eq!(digits.len(), 8);
                assert!(digits.bytes().all(|b| b.is_ascii_digit()));
            }
        }
        assert!(!world.unregistered.is_empty());
        assert_eq!(World::build(7, 100_000, 20).parties, world.parties);
    }
}

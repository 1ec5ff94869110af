//! EPCIS master data for the world: each party's locations (name, address, GB/T 2260
//! `regionCode`; a domestic maker's factory also its food production licence), the party
//! itself (kind, production licence, herd) and, for makers, their products (brand, stage,
//! can size, milk type, formula registration).
//!
//! The licence and registration numbers are simulated (see `world.rs`): they have the shape
//! of the real numbers and follow from the seed, but no such licence or registration was
//! issued, and none must be mistaken for a real company's.
//!
//! A party's first upload carries its own master data, as a partner introduces itself; the
//! store keeps the region of each location, which is what a regulator's jurisdiction is
//! checked against.

use anxin_epcis::{ExtValue, MasterDataAttribute, Vocabulary, VocabularyElement};

use crate::vocab::{CBVMDA_ATTRIBUTE, NAMESPACE};
use crate::world::{Party, World};

/// Vocabulary type of business locations.
pub const LOCATION_VTYPE: &str = "urn:epcglobal:epcis:vtype:BusinessLocation";
/// Vocabulary type of parties.
pub const PARTY_VTYPE: &str = "urn:epcglobal:epcis:vtype:Party";
/// Vocabulary type of product classes.
pub const CLASS_VTYPE: &str = "urn:epcglobal:epcis:vtype:EPCClass";

fn cbv(local: &str, value: impl Into<String>) -> MasterDataAttribute {
    MasterDataAttribute {
        id: format!("{CBVMDA_ATTRIBUTE}{local}"),
        value: ExtValue::Text(value.into()),
    }
}

fn ours(local: &str, value: impl Into<String>) -> MasterDataAttribute {
    MasterDataAttribute {
        id: format!("{NAMESPACE}{local}"),
        value: ExtValue::Text(value.into()),
    }
}

fn element(id: &str, attributes: Vec<MasterDataAttribute>) -> VocabularyElement {
    VocabularyElement {
        id: id.to_owned(),
        attributes,
        children: Vec::new(),
        extensions: Vec::new(),
    }
}

/// The master data one party introduces itself with.
pub fn of_party(world: &World, index: usize) -> Vec<Vocabulary> {
    let party = &world.parties[index];
    let locations = party
        .places
        .iter()
        .enumerate()
        .map(|(at, place)| {
            let mut attributes = vec![
                cbv("name", place.name.clone()),
                cbv("streetAddressOne", place.address.clone()),
            ];
            if let Some(city) = place.city.map(|city| &world.cities[city]) {
                attributes.push(cbv("city", city.name));
                attributes.push(cbv("state", city.province));
                attributes.push(ours("regionCode", city.code));
            }
            attributes.push(cbv("countryCode", place.country));
            attributes.push(ours("partyGln", party.gln.clone()));
            // The SC licence is issued for a production site (《食品生产许可管理办法》, after
            // standards.md §5): a domestic maker's factory, its first place, where cans are
            // commissioned. Only domestic makers have one; an overseas factory has none.
            if let Some(licence) = party.licence.as_ref().filter(|_| at == 0) {
                attributes.push(ours("productionLicence", licence.clone()));
            }
            element(&place.sgln, attributes)
        })
        .collect();
    let mut vocabularies = vec![
        Vocabulary {
            vocabulary_type: LOCATION_VTYPE.to_owned(),
            elements: locations,
        },
        Vocabulary {
            vocabulary_type: PARTY_VTYPE.to_owned(),
            elements: vec![element(&party.pgln, party_attributes(world, party))],
        },
    ];
    let products: Vec<VocabularyElement> = world
        .products
        .iter()
        .filter(|product| product.maker == index)
        .map(|product| {
            let mut attributes = vec![
                cbv("regulatedProductName", product.name.clone()),
                ours("brandName", product.brand.clone()),
                ours("stage", product.stage.to_string()),
                ours("milkType", product.milk.name()),
                ours("canNetWeightG", product.can_grams.to_string()),
                cbv("countryOfOrigin", party.country),
            ];
            if let Some(registration) = &product.registration {
                attributes.push(ours("formulaRegistration", registration.clone()));
            }
            element(&product.class_pattern(world), attributes)
        })
        .collect();
    if !products.is_empty() {
        vocabularies.push(Vocabulary {
            vocabulary_type: CLASS_VTYPE.to_owned(),
            elements: products,
        });
    }
    vocabularies
}

fn party_attributes(world: &World, party: &Party) -> Vec<MasterDataAttribute> {
    let mut attributes = vec![
        cbv("name", party.name.clone()),
        cbv("streetAddressOne", party.address.clone()),
        cbv("countryCode", party.country),
        ours("partyKind", party.kind.name()),
    ];
    if let Some(city) = party.city.map(|city| &world.cities[city]) {
        attributes.push(ours("regionCode", city.code));
    }
    if let Some(licence) = &party.licence {
        attributes.push(ours("productionLicence", licence.clone()));
    }
    if let Some(herd) = party.herd {
        attributes.push(ours("herdSize", herd.to_string()));
    }
    if let Some(milk) = party.milk {
        attributes.push(ours("milkType", milk.name()));
    }
    if let Some(ingredient) = party.supplies {
        attributes.push(ours("supplies", ingredient.name()));
    }
    attributes
}

/// The master data of every party, for one document beside the events.
pub fn of_world(world: &World) -> Vec<Vocabulary> {
    let mut merged: Vec<Vocabulary> = Vec::new();
    for index in 0..world.parties.len() {
        for vocabulary in of_party(world, index) {
            match merged
                .iter_mut()
                .find(|known| known.vocabulary_type == vocabulary.vocabulary_type)
            {
                Some(known) => known.elements.extend(vocabulary.elements),
                None => merged.push(vocabulary),
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::PartyKind;

    /// The master data of the whole world as the store reads it.
    fn as_stored(world: &World) -> anxin_store::prepare::MasterData {
        let mut header = anxin_epcis::Header::new(
            anxin_epcis::EpcisTime::parse("2026-03-01T08:00:00+08:00").unwrap(),
        );
        header.master_data = of_world(world);
        anxin_store::prepare::master_data(&header)
    }

    #[test]
    fn domestic_factories_declare_a_licence_and_products_a_registration() {
        for (seed, unregistered_percent) in [(7, 0), (11, 0), (7, 30)] {
            let world = World::build(seed, 300_000, unregistered_percent);
            let stored = as_stored(&world);
            assert!(stored.problems.is_empty(), "{:?}", stored.problems);
            let licence_of = |sgln: &str| {
                let id = anxin_store::prepare::canonical_id(sgln);
                stored
                    .locations
                    .iter()
                    .find(|location| location.location_id == id)
                    .unwrap_or_else(|| panic!("{sgln} in master data"))
                    .production_licence
                    .clone()
            };
            let (mut domestic, mut overseas) = (0, 0);
            for party in &world.parties {
                match party.kind {
                    PartyKind::Manufacturer => {
                        domestic += 1;
                        let licence = licence_of(&party.places[0].sgln)
                            .unwrap_or_else(|| panic!("{} has a licence", party.name));
                        assert!(anxin_store::is_production_licence(&licence), "{licence}");
                        assert_eq!(Some(&licence), party.licence.as_ref());
                        for place in &party.places[1..] {
                            assert_eq!(licence_of(&place.sgln), None, "only the factory");
                        }
                    }
                    PartyKind::OverseasManufacturer => {
                        overseas += 1;
                        for place in &party.places {
                            assert_eq!(licence_of(&place.sgln), None, "{}", party.name);
                        }
                    }
                    _ => {
                        for place in &party.places {
                            assert_eq!(licence_of(&place.sgln), None, "{}", party.name);
                        }
                    }
                }
            }
            assert!(domestic >= 3 && overseas >= 2, "{domestic} {overseas}");
            let licences: std::collections::BTreeSet<_> = world
                .parties
                .iter()
                .filter_map(|party| party.licence.clone())
                .collect();
            assert_eq!(licences.len(), domestic, "one licence per maker");
            assert_eq!(stored.products.len(), world.products.len());
            let mut imported = 0;
            for (index, product) in world.products.iter().enumerate() {
                let read = stored
                    .products
                    .iter()
                    .find(|read| read.gtin.as_deref() == Some(product.gtin.as_str()))
                    .expect("the product in master data");
                imported += usize::from(
                    world.parties[product.maker].kind == PartyKind::OverseasManufacturer,
                );
                if world.unregistered.contains(&index) {
                    assert_eq!(read.formula_registration, None, "a planted trouble");
                } else {
                    let registration = read
                        .formula_registration
                        .as_deref()
                        .unwrap_or_else(|| panic!("{} registered", product.name));
                    assert!(anxin_store::is_formula_registration(registration));
                }
            }
            assert!(imported > 0, "the world has imports");
            if unregistered_percent == 0 {
                assert!(world.unregistered.is_empty());
            } else {
                assert!(!world.unregistered.is_empty());
            }
        }
    }

    #[test]
    fn the_numbers_follow_from_the_seed() {
        let (a, b) = (World::build(7, 100_000, 0), World::build(7, 100_000, 0));
        assert_eq!(of_world(&a), of_world(&b));
        let other = World::build(8, 100_000, 0);
        let licences = |world: &World| -> Vec<Option<String>> {
            world
                .parties
                .iter()
                .map(|party| party.licence.clone())
                .collect()
        };
        assert_ne!(
            licences(&a),
            licences(&other),
            "another seed, other numbers"
        );
    }
}

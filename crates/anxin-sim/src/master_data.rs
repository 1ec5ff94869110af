//! EPCIS master data for the world: each party's locations (name, address, GB/T 2260
//! `regionCode`), the party itself (kind, production licence, herd) and, for makers, their
//! products (brand, stage, can size, milk type, formula registration).
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
        .map(|place| {
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

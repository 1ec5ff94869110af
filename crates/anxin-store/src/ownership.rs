//! Who may describe what in a document's master data: an enterprise describes only its own
//! locations (their GLN is its own in `location_owner`), only itself (its PGLN) and only its
//! own products (their GTIN is its own in `product_owner`, where the first party to describe
//! a GTIN becomes its owner). The platform operator, capturing with no party, describes
//! anything.
//!
//! A description that is not the capturing party's to give is not kept, and a sentence naming
//! it and its owner joins [`MasterData::problems`]; like a value of the wrong shape it does not
//! fail the document (not even under `rollback`), because the events are the party's own
//! records and the platform never refuses those. Both backends read the owners inside the
//! capture's transaction and call [`keep_own`], so they refuse the same descriptions with the
//! same words. This module does no IO.

use std::collections::HashMap;

use crate::prepare::{LocationRecord, MasterData, gln_of};

/// The owners of the things a document's master data describes, as the store knows them
/// inside the capture's transaction (after the document's own product claims).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Owners {
    /// The party GLN owning each location GLN (`location_owner`), for the GLNs asked about.
    pub locations: HashMap<String, String>,
    /// The party GLN owning each GTIN (`product_owner`), for the GTINs asked about.
    pub products: HashMap<String, String>,
}

/// The GLNs whose owners [`keep_own`] needs: those of the described locations and of their
/// children, sorted, once each.
pub fn location_glns(master: &MasterData) -> Vec<String> {
    let mut glns: Vec<String> = master
        .locations
        .iter()
        .flat_map(|location| {
            location
                .gln
                .clone()
                .into_iter()
                .chain(location.children.iter().filter_map(|child| gln_of(child)))
        })
        .collect();
    glns.sort();
    glns.dedup();
    glns
}

/// The GTINs of the described products, sorted, once each: the ones a party's capture claims
/// (a GTIN nobody owns yet becomes the capturing party's) before [`keep_own`] runs.
pub fn product_gtins(master: &MasterData) -> Vec<String> {
    let mut gtins: Vec<String> = master
        .products
        .iter()
        .filter_map(|product| product.gtin.clone())
        .collect();
    gtins.sort();
    gtins.dedup();
    gtins
}

/// Why `party` may not describe something whose owner key is `key`, or none when it may.
fn refusal(key: Option<&str>, party: &str, owners: &HashMap<String, String>) -> Option<String> {
    let Some(key) = key else {
        return Some("no party can own it".to_owned());
    };
    match owners.get(key) {
        Some(owner) if owner == party => None,
        Some(owner) => Some(format!("it belongs to party {owner}")),
        None => Some("it belongs to no party on the platform".to_owned()),
    }
}

/// Removes from `master` every description `party` (13-digit GLN) may not give and names each
/// in `master.problems`: a location whose GLN is not the party's, a location's child that is
/// not the party's (the location itself is kept), a party other than itself, a product whose
/// GTIN is not the party's. Call it only for an enterprise's capture; the operator's is kept
/// whole.
pub fn keep_own(master: &mut MasterData, party: &str, owners: &Owners) {
    let problems = &mut master.problems;
    master.locations.retain_mut(|location| {
        match refusal(location.gln.as_deref(), party, &owners.locations) {
            None => {
                keep_own_children(location, party, owners, problems);
                true
            }
            Some(why) => {
                let gln = location.gln.as_deref().map_or_else(
                    || "not identified by a GLN".to_owned(),
                    |gln| format!("GLN {gln}"),
                );
                problems.push(format!(
                    "master data: location {} ({gln}): {why}, and only a location's owner describes it; \
                     its description was not kept (the rest of the document was)",
                    location.written_id
                ));
                false
            }
        }
    });
    master.parties.retain(|described| {
        if described.gln.as_deref() == Some(party) {
            return true;
        }
        let who = described.gln.as_deref().map_or_else(
            || "is not identified by a GLN".to_owned(),
            |gln| format!("is party {gln}, not the capturing party {party}"),
        );
        problems.push(format!(
            "master data: party {}: it {who}, and a party describes only itself; \
             its description was not kept (the rest of the document was)",
            described.party_id
        ));
        false
    });
    master.products.retain(|product| {
        let Some(why) = refusal(product.gtin.as_deref(), party, &owners.products) else {
            return true;
        };
        let gtin = product
            .gtin
            .as_deref()
            .map_or_else(|| "names no GTIN".to_owned(), |gtin| format!("GTIN {gtin}"));
        problems.push(format!(
            "master data: product {} ({gtin}): {why}, and only a product's owner (the first party \
             to describe its GTIN) describes it; its description was not kept (the rest of the \
             document was)",
            product.product_id
        ));
        false
    });
}

/// Drops the children of an owned location that are not the party's own places: otherwise a
/// party could hang another's place under its own and widen its `WD_bizLocation` queries.
fn keep_own_children(
    location: &mut LocationRecord,
    party: &str,
    owners: &Owners,
    problems: &mut Vec<String>,
) {
    let written_id = &location.written_id;
    location.children.retain(|child| {
        let Some(why) = refusal(gln_of(child).as_deref(), party, &owners.locations) else {
            return true;
        };
        problems.push(format!(
            "master data: location {written_id}: child {child}: {why}, and a location's children \
             are its owner's own places; it was not kept as a child (the location's own \
             description was)"
        ));
        false
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::{PartyRecord, ProductRecord};

    const MAKER: &str = "6901234000009";
    const SHOP: &str = "6905555000007";

    fn location(id: &str, gln: Option<&str>, children: &[&str]) -> LocationRecord {
        LocationRecord {
            location_id: id.to_owned(),
            written_id: id.to_owned(),
            gln: gln.map(str::to_owned),
            name: Some("a place".to_owned()),
            children: children.iter().map(|child| (*child).to_owned()).collect(),
            ..LocationRecord::default()
        }
    }

    fn described() -> MasterData {
        MasterData {
            locations: vec![
                location(
                    "urn:epc:id:sgln:6901234.00000.0",
                    Some(MAKER),
                    &[
                        "https://id.gs1.org/414/6901234000009/254/L1",
                        "https://id.gs1.org/414/6905555000007",
                    ],
                ),
                location("urn:epc:id:sgln:6905555.00000.0", Some(SHOP), &[]),
                location(
                    "urn:epc:id:sgln:6908888.00000.0",
                    Some("6908888000003"),
                    &[],
                ),
                location("geo:22.5,114.0", None, &[]),
            ],
            parties: vec![
                PartyRecord {
                    party_id: "maker".to_owned(),
                    gln: Some(MAKER.to_owned()),
                    ..PartyRecord::default()
                },
                PartyRecord {
                    party_id: "shop".to_owned(),
                    gln: Some(SHOP.to_owned()),
                    ..PartyRecord::default()
                },
            ],
            products: vec![
                ProductRecord {
                    product_id: "makers".to_owned(),
                    gtin: Some("06901234123456".to_owned()),
                    ..ProductRecord::default()
                },
                ProductRecord {
                    product_id: "shops".to_owned(),
                    gtin: Some("06905555000011".to_owned()),
                    ..ProductRecord::default()
                },
                ProductRecord {
                    product_id: "urn:example:class:x".to_owned(),
                    gtin: None,
                    ..ProductRecord::default()
                },
            ],
            problems: vec!["an earlier problem".to_owned()],
        }
    }

    fn owners() -> Owners {
        Owners {
            locations: [(MAKER, MAKER), (SHOP, SHOP)]
                .into_iter()
                .map(|(gln, party)| (gln.to_owned(), party.to_owned()))
                .collect(),
            products: [("06901234123456", MAKER), ("06905555000011", SHOP)]
                .into_iter()
                .map(|(gtin, party)| (gtin.to_owned(), party.to_owned()))
                .collect(),
        }
    }

    #[test]
    fn the_glns_and_gtins_asked_about_include_children_once_each() {
        let master = described();
        assert_eq!(
            location_glns(&master),
            vec!["6901234000009", "6905555000007", "6908888000003"]
        );
        assert_eq!(
            product_gtins(&master),
            vec!["06901234123456", "06905555000011"]
        );
    }

    #[test]
    fn a_party_keeps_only_its_own_descriptions_and_each_refusal_is_named() {
        let mut master = described();
        keep_own(&mut master, SHOP, &owners());
        let kept: Vec<&str> = master
            .locations
            .iter()
            .map(|location| location.written_id.as_str())
            .collect();
        assert_eq!(kept, vec!["urn:epc:id:sgln:6905555.00000.0"]);
        assert_eq!(master.parties.len(), 1);
        assert_eq!(master.parties[0].party_id, "shop");
        assert_eq!(master.products.len(), 1);
        assert_eq!(master.products[0].product_id, "shops");
        // The earlier problem, then three locations, one party and two products refused.
        assert_eq!(master.problems.len(), 7, "{:#?}", master.problems);
        assert_eq!(master.problems[0], "an earlier problem");
        let expected = [
            (
                "urn:epc:id:sgln:6901234.00000.0",
                "belongs to party 6901234000009",
            ),
            ("urn:epc:id:sgln:6908888.00000.0", "belongs to no party"),
            ("geo:22.5,114.0", "not identified by a GLN"),
            ("party maker", "not the capturing party 6905555000007"),
            ("product makers", "belongs to party 6901234000009"),
            ("product urn:example:class:x", "names no GTIN"),
        ];
        for ((id, why), problem) in expected.iter().zip(&master.problems[1..]) {
            assert!(problem.contains(id) && problem.contains(why), "{problem}");
            assert!(problem.contains("not kept"), "{problem}");
        }
    }

    #[test]
    fn an_owner_keeps_its_location_but_not_another_party_s_place_as_a_child() {
        let mut master = described();
        keep_own(&mut master, MAKER, &owners());
        assert_eq!(master.locations.len(), 1);
        assert_eq!(
            master.locations[0].children,
            vec!["https://id.gs1.org/414/6901234000009/254/L1"]
        );
        let child_problem = &master.problems[1];
        assert!(
            child_problem.contains("child https://id.gs1.org/414/6905555000007")
                && child_problem.contains("belongs to party 6905555000007"),
            "{child_problem}"
        );
        assert_eq!(master.products.len(), 1);
        assert_eq!(master.products[0].product_id, "makers");
    }
}

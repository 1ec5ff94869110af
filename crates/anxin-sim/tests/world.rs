//! The simulated world checked from its events alone: an independent checker reads every
//! upload (no access to the generator's state) and finds what is consistent and what is
//! not; the anomalies it finds must be exactly what the manifest says was planted.

use std::collections::{BTreeMap, BTreeSet};

use anxin_epcis::{Action, Event, EventType, ExtValue};
use anxin_sim::flow::ORDER_STEPS;
use anxin_sim::manifest::{
    Manifest, RAW_MILK_PROTEIN_MIN_CG_PER_100G, RAW_MILK_TBC_MAX_CFU_PER_ML,
};
use anxin_sim::vocab::{self, CBVMDA, NAMESPACE};
use anxin_sim::{Config, Generator, Troubles, Upload};

/// Every trouble at a rate a tiny world shows several times.
fn troubled(seed: u64, cans: u64) -> Config {
    Config {
        troubles: Troubles {
            contaminated_ingredient_percent: 20,
            raw_milk_over_limit_percent: 25,
            shipped_before_release_percent: 40,
            counterfeit_percent: 50,
            order_gap_percent: 10,
            // Every imported series, so a tiny world (with few import lots) surely has one.
            unregistered_import_percent: 100,
            ..Troubles::default()
        },
        ..Config::new(seed, cans)
    }
}

fn clean(seed: u64, cans: u64) -> Config {
    Config {
        troubles: Troubles::none(),
        ..Config::new(seed, cans)
    }
}

fn generate(config: Config) -> (Vec<Upload>, Manifest) {
    let world = config.world();
    let mut generator = Generator::new(&world, config);
    let uploads: Vec<Upload> = generator.by_ref().collect();
    (uploads, generator.into_manifest())
}

fn step(event: &Event) -> &str {
    event.biz_step.as_ref().map_or("", |term| term.json_form())
}

fn ms(event: &Event) -> i64 {
    event.event_time.unix_millis()
}

fn text_of(value: &ExtValue) -> Option<&str> {
    match value {
        ExtValue::Text(text) => Some(text),
        _ => None,
    }
}

/// `prefix.item` of an SGTIN or LGTIN URN.
fn gtin_key(urn: &str) -> String {
    let tail = urn.rsplit(':').next().unwrap_or_default();
    let mut parts = tail.split('.');
    format!(
        "{}.{}",
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default()
    )
}

fn serial(urn: &str) -> u64 {
    urn.rsplit('.').next().unwrap().parse().unwrap()
}

/// What the checker found.
#[derive(Default, Debug)]
struct Found {
    contaminated: BTreeMap<String, BTreeSet<(String, u64, u64)>>,
    raw_milk: BTreeSet<(String, String)>,
    shipped_early: BTreeSet<(String, String)>,
    counterfeits: BTreeSet<(String, String, String)>,
    order_gaps: BTreeSet<(String, String)>,
    unregistered: BTreeSet<String>,
}

/// Reads the uploads and asserts every consistency rule; returns the anomalies.
fn check(uploads: &[Upload]) -> Found {
    let mut events: Vec<&Event> = uploads.iter().flat_map(|upload| &upload.events).collect();
    events.sort_by_key(|event| ms(event));
    let mut region = BTreeMap::new();
    let mut products = BTreeMap::new();
    for upload in uploads {
        for vocabulary in &upload.header.master_data {
            for element in &vocabulary.elements {
                let attribute = |local: &str| {
                    element
                        .attributes
                        .iter()
                        .find(|attribute| attribute.id.ends_with(local))
                        .and_then(|attribute| text_of(&attribute.value))
                        .map(str::to_owned)
                };
                if vocabulary.vocabulary_type.ends_with("BusinessLocation") {
                    if let Some(code) = attribute("regionCode") {
                        region.insert(element.id.clone(), code);
                    }
                } else if vocabulary.vocabulary_type.ends_with("EPCClass") {
                    let key = gtin_key(element.id.trim_end_matches(".*"));
                    products.insert(
                        key,
                        (
                            attribute("canNetWeightG").unwrap().parse::<u64>().unwrap(),
                            attribute("formulaRegistration"),
                            attribute("countryOfOrigin").unwrap(),
                        ),
                    );
                }
            }
        }
    }
    for event in &events {
        let problems = anxin_epcis::validate::check_event(event);
        assert!(problems.is_empty(), "{problems:?}\n{event:?}");
    }

    // Commissioning: every can once, with its lot in ILMD.
    let mut lot_of_can: BTreeMap<&str, String> = BTreeMap::new();
    let mut commissioned_at: BTreeMap<&str, i64> = BTreeMap::new();
    let mut cans_of_lot: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for event in events.iter().filter(|event| {
        step(event) == "commissioning" && event.event_type == EventType::ObjectEvent
    }) {
        let ilmd = event.ilmd.as_deref().unwrap_or_default();
        let lot = vocab::field(ilmd, CBVMDA, "lotNumber").unwrap().to_owned();
        for epc in &event.epc_list {
            assert!(
                lot_of_can.insert(epc, lot.clone()).is_none(),
                "{epc} commissioned twice"
            );
            commissioned_at.insert(epc, ms(event));
            let lgtin = format!("urn:epc:class:lgtin:{}.{lot}", gtin_key(epc));
            cans_of_lot.entry(lgtin).or_default().push(epc);
        }
    }

    // Packing: children exist before they are packed; what is packed is known.
    let mut packed_at: BTreeMap<&str, i64> = BTreeMap::new();
    let mut children: BTreeMap<&str, &[String]> = BTreeMap::new();
    for event in events
        .iter()
        .filter(|event| event.event_type == EventType::AggregationEvent)
    {
        let parent = event.parent_id.as_deref().unwrap();
        if event.action == Some(Action::Add) {
            for child in &event.child_epcs {
                let made = commissioned_at
                    .get(child.as_str())
                    .or(packed_at.get(child.as_str()))
                    .unwrap_or_else(|| panic!("{child} packed but never made"));
                assert!(*made <= ms(event));
            }
            packed_at.insert(parent, ms(event));
            children.insert(parent, &event.child_epcs);
        } else {
            assert!(
                packed_at[parent] <= ms(event),
                "{parent} unpacked before packing"
            );
        }
    }
    let cans_in = |sscc: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![sscc.to_owned()];
        while let Some(id) = stack.pop() {
            match children.get(id.as_str()) {
                Some(kids) => stack.extend(kids.iter().cloned()),
                None => out.push(id),
            }
        }
        out
    };

    // Shipping and receiving: paired by dispatch advice, in order, same goods; what
    // ships was packed before.
    let mut shipped: BTreeMap<&str, &Event> = BTreeMap::new();
    let mut received_by: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut release_of: BTreeMap<&str, i64> = BTreeMap::new();
    for event in &events {
        match step(event) {
            "shipping" => {
                for epc in &event.epc_list {
                    assert!(
                        packed_at[epc.as_str()] <= ms(event),
                        "{epc} shipped unpacked"
                    );
                }
                shipped.insert(&event.biz_transaction_list[0].id, event);
            }
            "receiving" => {
                let desadv = &event.biz_transaction_list[0].id;
                let shipping = shipped
                    .get(desadv.as_str())
                    .unwrap_or_else(|| panic!("{desadv} received before shipped"));
                assert!(ms(shipping) < ms(event));
                assert_eq!(shipping.epc_list, event.epc_list);
                assert_eq!(shipping.quantity_list, event.quantity_list);
                let at = event.read_point.as_ref().unwrap().id.clone();
                for quantity in &event.quantity_list {
                    received_by.insert((at.clone(), quantity.epc_class.clone()), ms(event));
                }
            }
            "inspecting" if event.disposition.as_ref().unwrap().json_form() == "conformant" => {
                if let Some(quantity) = event.quantity_list.first() {
                    release_of.insert(&quantity.epc_class, ms(event));
                }
            }
            _ => {}
        }
    }

    // Transformations: inputs exist earlier, quantities balance (raw milk counts by its
    // solids, one part in eight), ingredient lots are not overdrawn, and the finished lot
    // weighs what its cans weigh.
    let mut made: BTreeMap<String, (i64, f64)> = BTreeMap::new();
    let mut drawn: BTreeMap<String, f64> = BTreeMap::new();
    let mut fed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut raw_milk_lots = BTreeSet::new();
    for event in &events {
        if step(event) == "commissioning" && event.event_type == EventType::ObjectEvent {
            for quantity in &event.quantity_list {
                raw_milk_lots.insert(quantity.epc_class.clone());
            }
        }
        if event.event_type != EventType::TransformationEvent {
            continue;
        }
        let at = event.read_point.as_ref().unwrap().id.clone();
        let mut inputs = 0.0;
        for input in &event.input_quantity_list {
            let kg = input.quantity.unwrap();
            let known = made.get(&input.epc_class).map(|(t, _)| *t).or_else(|| {
                received_by
                    .get(&(at.clone(), input.epc_class.clone()))
                    .copied()
            });
            let since = known.unwrap_or_else(|| panic!("{} used but never there", input.epc_class));
            assert!(since < ms(event));
            *drawn.entry(input.epc_class.clone()).or_default() += kg;
            inputs += if raw_milk_lots.contains(&input.epc_class) {
                kg / 8.0
            } else {
                kg
            };
        }
        let output = &event.output_quantity_list[0];
        let kg = output.quantity.unwrap();
        assert!((inputs - kg).abs() < 1e-6, "{inputs} kg in, {kg} kg out");
        made.insert(output.epc_class.clone(), (ms(event), kg));
        for input in &event.input_quantity_list {
            fed.entry(input.epc_class.clone())
                .or_default()
                .push(output.epc_class.clone());
        }
    }
    for event in events.iter().filter(|event| step(event) == "receiving") {
        for quantity in &event.quantity_list {
            if let Some(kg) = drawn.get(&quantity.epc_class) {
                assert!(*kg <= quantity.quantity.unwrap() + 1e-6, "overdrawn");
            }
        }
    }
    for (lot, cans) in &cans_of_lot {
        let grams = products[&gtin_key(lot)].0;
        if let Some((_, kg)) = made.get(lot) {
            assert!((*kg - (cans.len() as u64 * grams) as f64 / 1000.0).abs() < 1e-6);
        } else {
            assert_ne!(products[&gtin_key(lot)].2, "CN", "{lot} made from nothing");
        }
    }

    let mut found = Found::default();
    // Shipped before release: the lot of every can on a shipment out of the maker.
    for event in events.iter().filter(|event| step(event) == "shipping") {
        let lots: BTreeSet<String> = event
            .epc_list
            .iter()
            .flat_map(|epc| cans_in(epc))
            .filter_map(|can| {
                lot_of_can
                    .get(can.as_str())
                    .map(|lot| format!("urn:epc:class:lgtin:{}.{lot}", gtin_key(&can)))
            })
            .collect();
        for lot in lots {
            let released = *release_of
                .get(lot.as_str())
                .expect("every lot is inspected");
            if ms(event) < released {
                found
                    .shipped_early
                    .insert((lot, anxin_epcis::hash::event_hash_id(event)));
            }
        }
    }
    // Sales: once per can, except counterfeits, which are sold in two provinces.
    let mut sales: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for event in events
        .iter()
        .filter(|event| step(event) == "retail_selling")
    {
        for epc in &event.epc_list {
            assert!(commissioned_at[epc.as_str()] < ms(event));
            sales.entry(epc).or_default().push(event);
        }
    }
    for (epc, sold) in &sales {
        if sold.len() > 1 {
            assert_eq!(sold.len(), 2, "{epc} sold {} times", sold.len());
            let city = |event: &Event| region[&event.read_point.as_ref().unwrap().id].clone();
            let (first, second) = (city(sold[0]), city(sold[1]));
            assert_ne!(
                first[..2],
                second[..2],
                "a counterfeit is in another province"
            );
            found.counterfeits.insert((epc.to_string(), first, second));
        }
    }
    // Raw milk over the limits of GB 19301-2010.
    for event in &events {
        let Some(test) = vocab::members(&event.extensions, "rawMilkTest") else {
            continue;
        };
        let lot = event.quantity_list[0].epc_class.clone();
        let tbc: u64 = vocab::field(test, NAMESPACE, "totalBacterialCountCfuPerMl")
            .unwrap()
            .parse()
            .unwrap();
        let protein = vocab::field(test, NAMESPACE, "proteinGPer100g").unwrap();
        let protein_cg: u64 = protein.replace('.', "").parse().unwrap();
        if tbc > RAW_MILK_TBC_MAX_CFU_PER_ML {
            found
                .raw_milk
                .insert((lot.clone(), "totalBacterialCountCfuPerMl".into()));
        }
        if protein_cg < RAW_MILK_PROTEIN_MIN_CG_PER_100G {
            found.raw_milk.insert((lot, "proteinGPer100g".into()));
        }
    }
    // Contaminated ingredients, followed forward to finished lots and their cans.
    for event in events
        .iter()
        .filter(|event| event.disposition.as_ref().map(|d| d.json_form()) == Some("non_conformant"))
    {
        let bad = event.quantity_list[0].epc_class.clone();
        let mut reached = BTreeSet::new();
        let mut stack = vec![bad.clone()];
        while let Some(lot) = stack.pop() {
            if let Some(cans) = cans_of_lot.get(&lot) {
                let serials: Vec<u64> = cans.iter().map(|can| serial(can)).collect();
                reached.insert((
                    lot.clone(),
                    *serials.iter().min().unwrap(),
                    *serials.iter().max().unwrap(),
                ));
            }
            stack.extend(fed.get(&lot).into_iter().flatten().cloned());
        }
        found.contaminated.insert(bad, reached);
    }
    // Cross-border orders: every step, in order.
    let mut orders: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for event in &events {
        for transaction in &event.biz_transaction_list {
            if transaction.id.contains(":CBO") {
                orders.entry(&transaction.id).or_default().push(event);
            }
        }
    }
    for (order, path) in &orders {
        let steps: Vec<&str> = path.iter().map(|event| step(event)).collect();
        let expected: Vec<&str> = ORDER_STEPS.to_vec();
        if steps != expected {
            let missing: Vec<&str> = expected
                .iter()
                .copied()
                .filter(|word| !steps.contains(word))
                .collect();
            assert_eq!(missing.len(), 1, "{order}: {steps:?}");
            found
                .order_gaps
                .insert((order.to_string(), missing[0].to_owned()));
        }
    }
    // Products imported without a formula registration.
    let made_products: BTreeSet<String> = cans_of_lot.keys().map(|lot| gtin_key(lot)).collect();
    for (key, (_, registration, _)) in &products {
        if registration.is_none() && made_products.contains(key) {
            found.unregistered.insert(key.clone());
        }
    }
    found
}

fn assert_found_exactly_what_was_planted(found: &Found, manifest: &Manifest) {
    let contaminated: BTreeMap<String, BTreeSet<(String, u64, u64)>> = manifest
        .contaminated_ingredients
        .iter()
        .map(|entry| {
            (
                entry.lot.clone(),
                entry
                    .reached
                    .iter()
                    .map(|lot| (lot.lot.clone(), lot.serial_first, lot.serial_last))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(found.contaminated, contaminated);
    let raw: BTreeSet<_> = manifest
        .raw_milk_over_limit
        .iter()
        .map(|entry| (entry.lot.clone(), entry.parameter.clone()))
        .collect();
    assert_eq!(found.raw_milk, raw);
    let early: BTreeSet<_> = manifest
        .shipped_before_release
        .iter()
        .map(|entry| (entry.lot.clone(), entry.shipping_event_id.clone()))
        .collect();
    assert_eq!(found.shipped_early, early);
    let fakes: BTreeSet<_> = manifest
        .counterfeits
        .iter()
        .map(|entry| {
            (
                entry.epc.clone(),
                entry.first_city.clone(),
                entry.second_city.clone(),
            )
        })
        .collect();
    assert_eq!(found.counterfeits, fakes);
    let gaps: BTreeSet<_> = manifest
        .order_gaps
        .iter()
        .map(|entry| (entry.order.clone(), entry.missing_step.clone()))
        .collect();
    assert_eq!(found.order_gaps, gaps);
    let unregistered: BTreeSet<_> = manifest
        .unregistered_imports
        .iter()
        .map(|entry| {
            // GTIN-14 (indicator 0, a seven-digit company prefix, a five-digit item, the
            // check digit) as the URNs write it: prefix.0item.
            let gtin = &entry.gtin;
            format!("{}.0{}", &gtin[1..8], &gtin[8..13])
        })
        .collect();
    assert_eq!(found.unregistered, unregistered);
}

#[test]
fn tiny_worlds_are_consistent_and_the_manifest_names_exactly_what_was_planted() {
    for seed in [1, 2, 3, 20261126] {
        let (uploads, manifest) = generate(troubled(seed, 6_000));
        let found = check(&uploads);
        assert_found_exactly_what_was_planted(&found, &manifest);
        assert!(!manifest.contaminated_ingredients.is_empty(), "seed {seed}");
        assert!(!manifest.raw_milk_over_limit.is_empty(), "seed {seed}");
        assert!(!manifest.shipped_before_release.is_empty(), "seed {seed}");
        assert!(!manifest.counterfeits.is_empty(), "seed {seed}");
        assert!(!manifest.unregistered_imports.is_empty(), "seed {seed}");
        assert!(manifest.counts.cans >= 6_000);
        assert_eq!(
            manifest.counts.events,
            uploads
                .iter()
                .map(|upload| upload.events.len() as u64)
                .sum::<u64>()
        );
    }
}

#[test]
fn a_world_without_trouble_has_none_to_find() {
    let (uploads, manifest) = generate(clean(5, 4_000));
    let found = check(&uploads);
    assert!(found.contaminated.is_empty());
    assert!(found.raw_milk.is_empty());
    assert!(found.shipped_early.is_empty());
    assert!(found.counterfeits.is_empty());
    assert!(found.order_gaps.is_empty());
    assert!(found.unregistered.is_empty());
    assert_eq!(manifest.counterfeits.len(), 0);
}

#[test]
fn cross_border_orders_have_gaps_when_asked() {
    let mut config = troubled(9, 8_000);
    config.troubles.order_gap_percent = 30;
    let (uploads, manifest) = generate(config);
    let found = check(&uploads);
    assert!(!manifest.order_gaps.is_empty());
    assert_found_exactly_what_was_planted(&found, &manifest);
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let bytes = |config: Config| {
        let (uploads, manifest) = generate(config);
        let mut out = Vec::new();
        for upload in &uploads {
            let mut writer = anxin_epcis::json::Writer::start(&mut out, &upload.header).unwrap();
            for event in &upload.events {
                writer.event(event).unwrap();
            }
            writer.finish().unwrap();
        }
        out.extend(serde_json::to_vec(&manifest).unwrap());
        out
    };
    let first = bytes(troubled(42, 3_000));
    assert_eq!(first, bytes(troubled(42, 3_000)));
    assert_ne!(first, bytes(troubled(43, 3_000)));
}

#[test]
fn uploads_are_one_party_each_in_time_order_with_master_data_first() {
    let config = troubled(11, 3_000);
    let world = config.world();
    let uploads: Vec<Upload> = Generator::new(&world, config).collect();
    let mut seen = BTreeSet::new();
    for upload in &uploads {
        assert!(!upload.events.is_empty());
        assert!(
            upload
                .events
                .windows(2)
                .all(|pair| pair[0].event_time.instant <= pair[1].event_time.instant)
        );
        let first = seen.insert(upload.party);
        assert_eq!(first, !upload.header.master_data.is_empty());
        // Every read point of a party's upload is one of its own places.
        let own: BTreeSet<&str> = world.parties[upload.party]
            .places
            .iter()
            .map(|place| place.sgln.as_str())
            .collect();
        for event in &upload.events {
            assert!(own.contains(event.read_point.as_ref().unwrap().id.as_str()));
        }
    }
}

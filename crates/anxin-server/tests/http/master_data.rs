//! Master data only from its owner, over HTTP: a shop's capture that tries to give the
//! manufacturer's factory another licence (and name and region) and its product another
//! formula registration succeeds for what is the shop's own, names each refusal in the job,
//! and the public passport still shows the licence and registration as the manufacturer
//! declared them.

use anxin_epcis::ext::ExtValue;
use anxin_epcis::{Document, Header, Location, MasterDataAttribute, Vocabulary, VocabularyElement};
use anxin_store::Role;
use anxin_store_tests::fixtures::{self, FACTORY_A, LICENCE_A, REGISTRATION};
use axum::http::Method;

use crate::helpers::{account, app};

/// The shop's party and its store (at its party GLN).
const SHOP_PARTY: &str = "urn:epc:id:pgln:6906666.00000";
const SHOP: &str = "urn:epc:id:sgln:6906666.00000.0";
/// The product by its GTIN, as the passport looks it up.
const PRODUCT: &str = "urn:epc:idpat:sgtin:6901234.012345.*";

fn element(id: &str, attributes: &[(&str, &str)]) -> VocabularyElement {
    VocabularyElement {
        id: id.to_owned(),
        attributes: attributes
            .iter()
            .map(|(name, value)| MasterDataAttribute {
                id: format!("https://anxin.example.cn/mda#{name}"),
                value: ExtValue::Text((*value).to_owned()),
            })
            .collect(),
        children: Vec::new(),
        extensions: Vec::new(),
    }
}

fn write(header: Header, events: Vec<anxin_epcis::Event>) -> String {
    let mut out = Vec::new();
    anxin_epcis::json::write_document(&mut out, &Document { header, events }).expect("write");
    String::from_utf8(out).expect("utf-8")
}

#[tokio::test]
async fn the_passport_shows_the_manufacturer_s_licence_after_a_shop_tried_to_overwrite_it() {
    let app = app().await;
    // The manufacturer commissions cans 1–4 at its factory (where its licence is declared),
    // describing the factory and its product by GTIN.
    let mut header = fixtures::header();
    header.master_data.push(Vocabulary {
        vocabulary_type: "urn:epcglobal:epcis:vtype:EPCClass".to_owned(),
        elements: vec![element(
            PRODUCT,
            &[
                ("name", "婴儿配方奶粉 1段"),
                ("formulaRegistration", REGISTRATION),
            ],
        )],
    });
    let mut commissioning = fixtures::commissioning(1, 4, "2026-03-01T09:00:00+08:00");
    for place in [
        &mut commissioning.read_point,
        &mut commissioning.biz_location,
    ] {
        *place = Some(Location {
            id: FACTORY_A.to_owned(),
            extensions: Vec::new(),
        });
    }
    let job = app
        .capture(&app.manufacturer, write(header, vec![commissioning]))
        .await;
    assert_eq!(job["success"], true, "{job}");
    assert_eq!(job["errors"], serde_json::json!([]), "{job}");

    // A shop declares another licence, name and region for the factory and another
    // registration for the product, beside its own store.
    let (_, shop) = account(
        app.store.as_ref(),
        "安心母婴店",
        Role::Retailer,
        Some(SHOP_PARTY),
        "440305",
    )
    .await;
    let mut forged =
        Header::new(anxin_epcis::EpcisTime::parse("2026-03-05T08:00:00+08:00").expect("time"));
    forged.master_data = vec![
        Vocabulary {
            vocabulary_type: "urn:epcglobal:epcis:vtype:BusinessLocation".to_owned(),
            elements: vec![
                element(
                    FACTORY_A,
                    &[
                        ("name", "假工厂"),
                        ("regionCode", "110101"),
                        ("productionLicence", "SC10611010100019"),
                    ],
                ),
                element(SHOP, &[("name", "安心母婴店"), ("regionCode", "440305")]),
            ],
        },
        Vocabulary {
            vocabulary_type: "urn:epcglobal:epcis:vtype:EPCClass".to_owned(),
            elements: vec![element(
                PRODUCT,
                &[("formulaRegistration", "国食注字YP20269999")],
            )],
        },
    ];
    let job = app.capture(&shop, write(forged, Vec::new())).await;
    assert_eq!(
        job["success"], true,
        "refused descriptions fail no document: {job}"
    );
    let errors = job["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{job}");
    for (error, named) in errors.iter().zip([FACTORY_A, "06901234123456"]) {
        let detail = error["detail"].as_str().expect("detail");
        assert!(
            detail.contains(named)
                && detail.contains("belongs to party 6901234000009")
                && detail.contains("not kept"),
            "{detail}"
        );
    }
    let shops = app
        .store
        .get_location(SHOP)
        .await
        .expect("get")
        .expect("the shop's own store is described");
    assert_eq!(shops.name.as_deref(), Some("安心母婴店"));

    // The passport, asked for the first time after the shop's attempt.
    let reply = app
        .request(
            Method::GET,
            "/01/06901234123456/21/1",
            None,
            &[("accept", "application/json")],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let passport = reply.json();
    assert_eq!(passport["production_licence"], LICENCE_A, "{passport}");
    assert_eq!(passport["formula_registration"], REGISTRATION, "{passport}");
    assert_eq!(passport["made_at"], "深圳工厂", "{passport}");
}

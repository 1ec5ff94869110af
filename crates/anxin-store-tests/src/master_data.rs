//! Master data only from its owner, a chapter of the story: a shop's document that renames the
//! manufacturer's factory, moves it to another region, sets its production licence, describes
//! the manufacturer itself and overwrites its product's formula registration stores the
//! shop's own event and its own descriptions, leaves every record of the manufacturer as it
//! was and names each refusal in the job; the first party to describe a GTIN owns it; the
//! manufacturer's own descriptions are kept; the platform operator may describe anything.

use anxin_epcis::ext::ExtValue;
use anxin_epcis::{Event, Header, Location, MasterDataAttribute, Vocabulary, VocabularyElement};
use anxin_store::{
    CaptureInput, CaptureJob, ErrorBehaviour, JobState, NewAccount, PartyGln, Role, Store, Viewer,
};

use crate::fixtures::{FACTORY_A, LICENCE_A, LOT, PARTY_A, REGISTRATION, storing};

/// The shop's party (GS1 prefix 6906666; test data).
pub const PARTY_SHOP: &str = "urn:epc:id:pgln:6906666.00000";
/// The shop's store, at its party GLN (owned from the account's creation).
pub const SHOP: &str = "urn:epc:id:sgln:6906666.00000.0";
/// A place no party on the platform owns.
const NOBODYS: &str = "urn:epc:id:sgln:6907777.00000.0";
/// The shop's own-brand product, a GTIN nobody has described before.
const SHOP_BRAND: &str = "urn:epc:idpat:sgtin:6906666.000001.*";

const NAME: &str = "urn:epcglobal:cbv:mda#name";
const REGION: &str = "https://anxin.example.cn/mda#regionCode";
const LICENCE: &str = "https://anxin.example.cn/mda#productionLicence";
const REGISTRATION_ATTRIBUTE: &str = "https://anxin.example.cn/mda#formulaRegistration";
const BRAND: &str = "https://gs1.org/voc/brandName";

fn element(id: &str, attributes: &[(&str, &str)]) -> VocabularyElement {
    VocabularyElement {
        id: id.to_owned(),
        attributes: attributes
            .iter()
            .map(|(name, value)| MasterDataAttribute {
                id: (*name).to_owned(),
                value: ExtValue::Text((*value).to_owned()),
            })
            .collect(),
        children: Vec::new(),
        extensions: Vec::new(),
    }
}

fn header(
    locations: Vec<VocabularyElement>,
    parties: Vec<VocabularyElement>,
    products: Vec<VocabularyElement>,
) -> Header {
    let mut header = Header::new(
        anxin_epcis::EpcisTime::parse("2026-03-10T08:00:00+08:00").expect("fixture time"),
    );
    for (vocabulary_type, elements) in [
        ("BusinessLocation", locations),
        ("Party", parties),
        ("EPCClass", products),
    ] {
        if !elements.is_empty() {
            header.master_data.push(Vocabulary {
                vocabulary_type: format!("urn:epcglobal:epcis:vtype:{vocabulary_type}"),
                elements,
            });
        }
    }
    header
}

/// A shop's own record: one of its cans seen in its store.
fn at_the_shop() -> Event {
    let mut event = storing(1, "2026-03-10T09:00:00+08:00");
    event.epc_list = vec!["urn:epc:id:sgtin:6906666.000001.1".to_owned()];
    for place in [&mut event.read_point, &mut event.biz_location] {
        *place = Some(Location {
            id: SHOP.to_owned(),
            extensions: Vec::new(),
        });
    }
    event
}

async fn capture(
    store: &dyn Store,
    viewer: &Viewer,
    header: Header,
    events: Vec<Event>,
) -> CaptureJob {
    let job = store
        .start_job(viewer, ErrorBehaviour::Rollback, "master data story")
        .await
        .expect("start a job");
    store
        .capture(viewer, &job.job_id, CaptureInput::new(header, events))
        .await
        .expect("a document whose master data is refused is still captured")
}

/// Asserts that `job` names exactly `expected` refusals, each with all its words.
#[track_caller]
fn assert_refusals(job: &CaptureJob, expected: &[&[&str]]) {
    assert_eq!(
        job.errors.len(),
        expected.len(),
        "refusals: {:#?}",
        job.errors
    );
    for (error, words) in job.errors.iter().zip(expected) {
        for word in *words {
            assert!(error.contains(word), "`{error}` should name {word}");
        }
        assert!(error.contains("not kept"), "{error}");
    }
}

async fn factory(store: &dyn Store) -> anxin_store::prepare::LocationRecord {
    store
        .get_location(FACTORY_A)
        .await
        .expect("get")
        .expect("the factory")
}

async fn product(store: &dyn Store, id: &str) -> anxin_store::prepare::ProductRecord {
    store.get_product(id).await.expect("get").expect("product")
}

/// Tells the chapter. The manufacturer (`maker`, party A) has described its factory and
/// its product already, and so owns the product's GTIN.
pub async fn master_data_from_its_owner(store: &dyn Store, admin: &Viewer, maker: &Viewer) {
    let (_, token) = store
        .create_account(NewAccount {
            name: "安心母婴店".into(),
            role: Role::Retailer,
            party: Some(PartyGln::parse(PARTY_SHOP).expect("party")),
            region: None,
        })
        .await
        .expect("the shop's account");
    let shop = store.authenticate(&token).await.expect("the shop");
    let factory_before = factory(store).await;
    let product_before = product(store, LOT).await;
    assert_eq!(
        (
            factory_before.production_licence.as_deref(),
            product_before.formula_registration.as_deref()
        ),
        (Some(LICENCE_A), Some(REGISTRATION))
    );
    assert_eq!(store.get_party(PARTY_A).await.expect("get"), None);

    // The shop renames the factory, moves it to Beijing (another regulator's jurisdiction),
    // gives it another licence, describes the manufacturer and overwrites the registration,
    // beside its own store, itself, its own brand and a place nobody owns.
    let forged = header(
        vec![
            element(
                FACTORY_A,
                &[
                    (NAME, "假工厂"),
                    (REGION, "110101"),
                    (LICENCE, "SC10611010100019"),
                ],
            ),
            element(SHOP, &[(NAME, "安心母婴店 南山店"), (REGION, "440305")]),
            element(NOBODYS, &[(NAME, "无主之地"), (REGION, "440305")]),
        ],
        vec![
            element(PARTY_A, &[(NAME, "假乳业"), (REGION, "110101")]),
            element(PARTY_SHOP, &[(NAME, "安心母婴店")]),
        ],
        vec![
            element(
                LOT,
                &[
                    (BRAND, "假品牌"),
                    (REGISTRATION_ATTRIBUTE, "国食注字YP20269999"),
                ],
            ),
            element(
                SHOP_BRAND,
                &[
                    (BRAND, "店家自有"),
                    (REGISTRATION_ATTRIBUTE, "国食注字YP20268888"),
                ],
            ),
        ],
    );
    let job = capture(store, &shop, forged, vec![at_the_shop()]).await;
    assert_eq!(
        (job.state, job.n_stored, job.n_rejected),
        (JobState::Succeeded, 1, 0),
        "the shop's own event is stored and a rollback job does not fail: {:?}",
        job.errors
    );
    assert_refusals(
        &job,
        &[
            &[FACTORY_A, "6901234000009", "belongs to party 6901234000009"],
            &[NOBODYS, "belongs to no party"],
            &[
                "party",
                "6901234000009",
                "not the capturing party 6906666000009",
            ],
            &[
                "product",
                "06901234123456",
                "belongs to party 6901234000009",
            ],
        ],
    );
    assert_eq!(
        factory(store).await,
        factory_before,
        "the factory's name, region and licence are the manufacturer's"
    );
    assert_eq!(product(store, LOT).await, product_before);
    assert_eq!(
        store.get_party(PARTY_A).await.expect("get"),
        None,
        "only party A describes party A"
    );
    assert_eq!(store.get_location(NOBODYS).await.expect("get"), None);
    let own_store = store
        .get_location(SHOP)
        .await
        .expect("get")
        .expect("the shop's store");
    assert_eq!(
        (own_store.name.as_deref(), own_store.region.as_deref()),
        (Some("安心母婴店 南山店"), Some("440305"))
    );
    let own_party = store
        .get_party(PARTY_SHOP)
        .await
        .expect("get")
        .expect("the shop itself");
    assert_eq!(own_party.name.as_deref(), Some("安心母婴店"));
    assert_eq!(
        product(store, SHOP_BRAND)
            .await
            .formula_registration
            .as_deref(),
        Some("国食注字YP20268888"),
        "the first to describe a GTIN owns it"
    );

    // The shop's brand is now the shop's: the manufacturer cannot describe it.
    let job = capture(
        store,
        maker,
        header(
            vec![],
            vec![],
            vec![element(SHOP_BRAND, &[(BRAND, "冒名")])],
        ),
        vec![],
    )
    .await;
    assert_refusals(
        &job,
        &[&["06906666000016", "belongs to party 6906666000009"]],
    );
    assert_eq!(
        product(store, SHOP_BRAND).await.brand.as_deref(),
        Some("店家自有")
    );

    // The owner's own description is kept.
    let renamed = header(
        vec![element(FACTORY_A, &[(NAME, "深圳工厂 二期")])],
        vec![element(PARTY_A, &[(NAME, "安心乳业")])],
        vec![],
    );
    let job = capture(store, maker, renamed, vec![]).await;
    assert!(job.errors.is_empty(), "{:?}", job.errors);
    assert_eq!(factory(store).await.name.as_deref(), Some("深圳工厂 二期"));
    assert_eq!(
        store
            .get_party(PARTY_A)
            .await
            .expect("get")
            .and_then(|party| party.name),
        Some("安心乳业".to_owned())
    );

    // The platform operator describes anything, without becoming an owner.
    let loaded = header(
        vec![element(FACTORY_A, &[(NAME, "深圳工厂")])],
        vec![],
        vec![element(
            LOT,
            &[(REGISTRATION_ATTRIBUTE, "国食注字YP20260003")],
        )],
    );
    let job = capture(store, admin, loaded, vec![]).await;
    assert!(job.errors.is_empty(), "{:?}", job.errors);
    assert_eq!(factory(store).await.name.as_deref(), Some("深圳工厂"));
    assert_eq!(
        product(store, LOT).await.formula_registration.as_deref(),
        Some("国食注字YP20260003")
    );
    // The manufacturer still owns its product, and puts its registration back.
    let job = capture(
        store,
        maker,
        header(
            vec![],
            vec![],
            vec![element(LOT, &[(REGISTRATION_ATTRIBUTE, REGISTRATION)])],
        ),
        vec![],
    )
    .await;
    assert!(job.errors.is_empty(), "{:?}", job.errors);
    assert_eq!(product(store, LOT).await, product_before);
    assert_eq!(
        factory(store).await.production_licence.as_deref(),
        Some(LICENCE_A)
    );
}

//! The story itself. Each chapter is a function; [`run_story`] tells them in order on a
//! fresh store. A failed check panics with what was expected, as tests do.

use anxin_epcis::Event;
use anxin_store::capture::INTERRUPTED;
use anxin_store::query::Filter;
use anxin_store::{
    Account, CaptureInput, DeliveryOutcome, DeliveryState, ErrorBehaviour, EventQuery, JobState,
    NewAccount, NewSubscription, PartyGln, RegionCode, Role, Store, StoreError, StoredEvent,
    Viewer, now_ms,
};

use crate::fixtures::*;

/// The people in the story.
struct Cast {
    admin: Viewer,
    maker: Viewer,
    distributor: Viewer,
    shenzhen: Viewer,
    harbin: Viewer,
    researcher: Viewer,
}

/// Tells the whole story against `store`, which must be empty.
pub async fn run_story(store: &dyn Store) {
    let cast = accounts(store).await;
    capture_and_deduplicate(store, &cast).await;
    rollback_and_proceed(store, &cast).await;
    refusals(store, &cast).await;
    queries(store, &cast).await;
    pages(store, &cast).await;
    access(store, &cast).await;
    fidelity(store, &cast).await;
    named_queries(store, &cast).await;
    master_data(store, &cast).await;
    crate::master_data::master_data_from_its_owner(store, &cast.admin, &cast.maker).await;
    interrupted_jobs(store, &cast).await;
    transformations_and_corrections(store, &cast).await;
    subscriptions(store, &cast).await;
    revocation(store, &cast).await;
}

async fn account(
    store: &dyn Store,
    name: &str,
    role: Role,
    party: Option<&str>,
    region: Option<&str>,
) -> (Account, String) {
    let account = NewAccount {
        name: name.to_owned(),
        role,
        party: party.map(|party| PartyGln::parse(party).expect("party")),
        region: region.map(|code| RegionCode::parse(code).expect("region")),
    };
    store.create_account(account).await.expect("create account")
}

async fn accounts(store: &dyn Store) -> Cast {
    let mut viewers = Vec::new();
    let people: [(&str, Role, Option<&str>, Option<&str>); 6] = [
        ("平台管理员", Role::Admin, None, None),
        (
            "深圳乳业",
            Role::Manufacturer,
            Some(PARTY_A),
            Some("440305"),
        ),
        (
            "哈尔滨经销",
            Role::Distributor,
            Some(PARTY_B),
            Some("230102"),
        ),
        (
            "深圳市市场监督管理局",
            Role::Regulator,
            None,
            Some("440300"),
        ),
        (
            "哈尔滨市市场监督管理局",
            Role::Regulator,
            None,
            Some("230100"),
        ),
        ("研究员", Role::Researcher, None, None),
    ];
    for (name, role, party, region) in people {
        let (created, token) = account(store, name, role, party, region).await;
        assert!(token.starts_with("ax_"));
        let viewer = store
            .authenticate(&token)
            .await
            .expect("a fresh token authenticates");
        assert_eq!(viewer.account, created);
        viewers.push(viewer);
    }
    let missing_party = NewAccount {
        name: "x".into(),
        role: Role::Farm,
        party: None,
        region: None,
    };
    assert!(matches!(
        store.create_account(missing_party).await,
        Err(StoreError::ConstraintViolation(_))
    ));
    let mut viewers = viewers.into_iter();
    let mut next = || viewers.next().expect("viewer");
    Cast {
        admin: next(),
        maker: next(),
        distributor: next(),
        shenzhen: next(),
        harbin: next(),
        researcher: next(),
    }
}

/// The manufacturer's document: 4 commissioning events of 3 cans, packing, shipping.
pub fn maker_events() -> Vec<Event> {
    let mut events: Vec<Event> = (0..4)
        .map(|idx| {
            commissioning(
                1000 + idx * 3,
                3,
                &format!("2026-03-01T0{}:00:00+08:00", idx + 1),
            )
        })
        .collect();
    events.push(packing(1, &[1000, 1001, 1002], "2026-03-01T06:00:00+08:00"));
    events.push(shipping(1, "2026-03-02T09:00:00+08:00"));
    events
}

async fn capture(
    store: &dyn Store,
    viewer: &Viewer,
    behaviour: ErrorBehaviour,
    input: CaptureInput,
) -> Result<anxin_store::CaptureJob, StoreError> {
    let job = store.start_job(viewer, behaviour, "story").await?;
    assert_eq!(job.state, JobState::Running);
    store.capture(viewer, &job.job_id, input).await
}

async fn capture_and_deduplicate(store: &dyn Store, cast: &Cast) {
    let input = CaptureInput::new(header(), maker_events());
    let job = capture(store, &cast.maker, ErrorBehaviour::Rollback, input.clone())
        .await
        .expect("capture");
    assert_eq!(
        (job.state, job.n_events, job.n_stored, job.n_duplicates),
        (JobState::Succeeded, 6, 6, 0)
    );
    let again = capture(store, &cast.maker, ErrorBehaviour::Rollback, input)
        .await
        .expect("capture again");
    assert_eq!(
        (again.state, again.n_stored, again.n_duplicates),
        (JobState::Succeeded, 0, 6),
        "sent twice, stored once"
    );
    let stored = store
        .get_job(&cast.maker, &job.job_id)
        .await
        .expect("get job")
        .expect("own job");
    assert_eq!(stored, job);
    assert_eq!(
        store
            .get_job(&cast.distributor, &job.job_id)
            .await
            .expect("get job"),
        None,
        "another's job"
    );
    let input = CaptureInput::new(
        distributor_header(),
        vec![storing(1, "2026-03-03T10:00:00+08:00")],
    );
    let job = capture(store, &cast.distributor, ErrorBehaviour::Rollback, input)
        .await
        .expect("distributor capture");
    assert_eq!(job.n_stored, 1);
    assert!(
        job.errors.is_empty(),
        "the distributor describes its own warehouse: {:?}",
        job.errors
    );
}

async fn rollback_and_proceed(store: &dyn Store, cast: &Cast) {
    let before = all(store, &cast.admin, &[]).await.len();
    let mut input = CaptureInput::new(
        header(),
        vec![commissioning(2000, 2, "2026-03-04T08:00:00+08:00")],
    );
    input
        .problems
        .push("/epcisBody/eventList/1/eventTime: `yesterday` is not an RFC 3339 date-time".into());
    let job = capture(store, &cast.maker, ErrorBehaviour::Rollback, input.clone())
        .await
        .expect("rollback");
    assert_eq!(
        (job.state, job.n_stored, job.n_rejected),
        (JobState::Failed, 0, 2)
    );
    assert_eq!(job.errors.len(), 1);
    assert_eq!(
        all(store, &cast.admin, &[]).await.len(),
        before,
        "rollback stores nothing"
    );
    let job = capture(store, &cast.maker, ErrorBehaviour::Proceed, input)
        .await
        .expect("proceed");
    assert_eq!(
        (job.state, job.n_stored, job.n_rejected),
        (JobState::Succeeded, 1, 1)
    );
    assert_eq!(all(store, &cast.admin, &[]).await.len(), before + 1);
}

async fn refusals(store: &dyn Store, cast: &Cast) {
    let at_factory = CaptureInput::new(
        distributor_header(),
        vec![storing(9, "2026-03-05T10:00:00+08:00")],
    );
    let mut foreign = at_factory.clone();
    foreign.events[0].biz_location = Some(anxin_epcis::Location {
        id: FACTORY_A.into(),
        extensions: vec![],
    });
    let job = store
        .start_job(&cast.distributor, ErrorBehaviour::Rollback, "story")
        .await
        .expect("job");
    let refused = store.capture(&cast.distributor, &job.job_id, foreign).await;
    assert!(
        matches!(refused, Err(StoreError::Forbidden(_))),
        "{refused:?}"
    );
    let failed = store
        .get_job(&cast.distributor, &job.job_id)
        .await
        .expect("job")
        .expect("own job");
    assert_eq!(failed.state, JobState::Failed);
    let regulator = store
        .start_job(&cast.shenzhen, ErrorBehaviour::Rollback, "story")
        .await;
    assert!(
        matches!(regulator, Err(StoreError::Forbidden(_))),
        "a regulator does not capture"
    );
}

async fn page(
    store: &dyn Store,
    viewer: &Viewer,
    params: &[(&str, &str)],
) -> Result<anxin_store::EventPage, StoreError> {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let prefixes = store.list_prefixes().await?;
    let query = EventQuery::parse(&params, &prefixes)?;
    store.list_events(viewer, &query).await
}

/// Every event of a query, following page tokens.
async fn all(store: &dyn Store, viewer: &Viewer, params: &[(&str, &str)]) -> Vec<StoredEvent> {
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut with_token = params.to_vec();
        if let Some(token) = &token {
            with_token.push(("nextPageToken", token));
        }
        let page = page(store, viewer, &with_token).await.expect("query");
        events.extend(page.events);
        match page.next_page_token {
            Some(next) => token = Some(next),
            None => return events,
        }
    }
}

#[track_caller]
fn check_count(events: &[StoredEvent], expected: usize, what: &str) {
    assert_eq!(events.len(), expected, "{what}: {events:#?}");
}

async fn queries(store: &dyn Store, cast: &Cast) {
    let admin = &cast.admin;
    let (can_1001, case_1) = (can(1001), case(1));
    let checks: Vec<(Vec<(&str, &str)>, usize)> = vec![
        (vec![], 8),
        (vec![("eventType", "AggregationEvent")], 1),
        (vec![("eventType", "ObjectEvent|AggregationEvent")], 8),
        (vec![("GE_eventTime", "2026-03-02T00:00:00+08:00")], 3),
        (vec![("LT_eventTime", "2026-03-01T03:00:00+08:00")], 2),
        (
            vec![
                ("GE_recordTime", "2020-01-01T00:00:00Z"),
                ("LT_recordTime", "2100-01-01T00:00:00Z"),
            ],
            8,
        ),
        (vec![("EQ_action", "ADD")], 6),
        (
            vec![("EQ_bizStep", "urn:epcglobal:cbv:bizstep:shipping")],
            1,
        ),
        (vec![("EQ_disposition", "active")], 5),
        (vec![("EQ_persistentDisposition_set", "in_transit")], 1),
        (vec![("EQ_readPoint", FACTORY_A)], 2),
        (
            vec![(
                "EQ_bizLocation",
                "https://id.gs1.org/414/6901234000009/254/L1",
            )],
            5,
        ),
        (vec![("WD_bizLocation", FACTORY_A)], 6),
        (vec![("MATCH_epc", &can_1001)], 2),
        (
            vec![("MATCH_epc", "https://id.gs1.org/01/06901234123456/21/1001")],
            2,
        ),
        (
            vec![("MATCH_epc", "urn:epc:idpat:sgtin:6901234.012345.*")],
            6,
        ),
        (vec![("MATCH_parentID", &case_1)], 1),
        (vec![("MATCH_anyEPC", &case_1)], 3),
        (vec![("MATCH_epcClass", LOT)], 1),
        (
            vec![("MATCH_anyEPCClass", "urn:epc:idpat:sgtin:6901234.012345.*")],
            1,
        ),
        (
            vec![(
                "EQ_bizTransaction_po",
                "urn:epcglobal:cbv:bt:6901234000004:PO-1",
            )],
            1,
        ),
        (vec![("EQ_source_owning_party", PARTY_A)], 1),
        (vec![("EQ_destination_owning_party", PARTY_B)], 1),
        (vec![("EQ_quantity", "12")], 1),
        (vec![("GT_quantity", "12")], 0),
        (vec![("EQ_anxin:labReport", "R-1003")], 1),
        (
            vec![(
                "EQ_https://anxin.example.cn/epcis/labReport",
                "R-1003|R-1006",
            )],
            2,
        ),
        (vec![("EXISTS_errorDeclaration", "")], 0),
    ];
    for (params, expected) in checks {
        let events = all(store, admin, &params).await;
        check_count(&events, expected, &format!("{params:?}"));
    }
    let one = &all(store, admin, &[("EQ_bizStep", "packing")]).await[0];
    check_count(
        &all(store, admin, &[("EQ_eventID", &one.event_id)]).await,
        1,
        "EQ_eventID",
    );
    assert!(
        one.event_id.starts_with("ni:///sha-256;"),
        "an event without eventID gets its hash ID"
    );
    let got = store
        .get_event(admin, &one.hash_id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(&got, one);
}

async fn pages(store: &dyn Store, cast: &Cast) {
    let admin = &cast.admin;
    let every = all(
        store,
        admin,
        &[
            ("perPage", "3"),
            ("orderBy", "eventTime"),
            ("orderDirection", "ASC"),
        ],
    )
    .await;
    check_count(&every, 8, "pages of 3");
    let times: Vec<i64> = every.iter().map(|event| event.event_seq).collect();
    let mut unique = times.clone();
    unique.dedup();
    assert_eq!(unique.len(), times.len(), "no event twice across pages");
    let limited = all(store, admin, &[("perPage", "2"), ("eventCountLimit", "5")]).await;
    check_count(&limited, 5, "eventCountLimit across pages");
    let first = page(store, admin, &[("perPage", "2")])
        .await
        .expect("first page");
    let token = first.next_page_token.expect("a next page");
    let mut altered = token.clone();
    altered.replace_range(0..2, if token.starts_with("31") { "32" } else { "31" });
    let tampered = page(
        store,
        admin,
        &[("perPage", "2"), ("nextPageToken", &altered)],
    )
    .await;
    assert!(
        matches!(tampered, Err(StoreError::InvalidQuery(_))),
        "{tampered:?}"
    );
    let other_query = page(
        store,
        admin,
        &[("eventType", "ObjectEvent"), ("nextPageToken", &token)],
    )
    .await;
    assert!(
        matches!(other_query, Err(StoreError::InvalidQuery(_))),
        "a token belongs to its query"
    );
    let too_many = page(store, admin, &[("maxEventCount", "3")]).await;
    assert!(
        matches!(too_many, Err(StoreError::QueryTooLarge(3))),
        "{too_many:?}"
    );
    check_count(
        &page(store, admin, &[("maxEventCount", "8")])
            .await
            .expect("fits")
            .events,
        8,
        "maxEventCount met",
    );
}

async fn access(store: &dyn Store, cast: &Cast) {
    let maker = all(store, &cast.maker, &[]).await;
    check_count(
        &maker,
        7,
        "the maker sees its own events, not the distributor's warehouse",
    );
    assert!(
        maker
            .iter()
            .all(|event| event.party.as_deref() == Some("6901234000009"))
    );
    let distributor = all(store, &cast.distributor, &[]).await;
    check_count(
        &distributor,
        2,
        "the distributor sees its own event and the shipment to it",
    );
    let shenzhen = all(store, &cast.shenzhen, &[]).await;
    check_count(&shenzhen, 7, "Shenzhen sees the factory's events");
    assert!(
        shenzhen
            .iter()
            .all(|event| event.party.as_deref() == Some("6901234000009")),
        "nothing of Harbin"
    );
    check_count(
        &all(store, &cast.harbin, &[]).await,
        1,
        "Harbin sees the warehouse",
    );
    check_count(
        &all(store, &cast.researcher, &[]).await,
        0,
        "a researcher reads no single event",
    );
    let harbin_event = all(store, &cast.admin, &[("EQ_bizStep", "storing")])
        .await
        .remove(0);
    assert_eq!(
        store
            .get_event(&cast.shenzhen, &harbin_event.hash_id)
            .await
            .expect("get"),
        None
    );
    assert_eq!(
        store
            .get_event(&cast.maker, &harbin_event.hash_id)
            .await
            .expect("get"),
        None
    );
    let log = store.list_access_log(100).await.expect("log");
    assert!(
        log.iter()
            .any(|entry| entry.account_id == cast.shenzhen.account.account_id
                && entry.hash_ids.len() == 7)
    );
    assert!(
        log.iter()
            .all(|entry| entry.account_id != cast.maker.account.account_id),
        "only regulators are logged"
    );
}

async fn fidelity(store: &dyn Store, cast: &Cast) {
    let originals = maker_events();
    for original in &originals {
        let hash_id = anxin_epcis::hash::event_hash_id(original);
        let stored = store
            .get_event(&cast.admin, &hash_id)
            .await
            .expect("get")
            .expect("stored");
        let served = anxin_store::prepare::decode_body(&stored.body).expect("body reads back");
        let mut expected = original.clone();
        anxin_store::prepare::fill_server_fields(&mut expected, &hash_id, stored.record_time_ms);
        assert!(
            served.same_meaning(&expected),
            "served back with the same meaning:\n{served:#?}\n{expected:#?}"
        );
    }
}

async fn named_queries(store: &dyn Store, cast: &Cast) {
    let params = vec![("EQ_bizStep".to_owned(), "shipping".to_owned())];
    let named = store
        .add_named_query(&cast.maker, "shipments", params.clone())
        .await
        .expect("add");
    assert_eq!(
        store.get_named_query("shipments").await.expect("get"),
        Some(named.clone())
    );
    let again = store
        .add_named_query(&cast.maker, "shipments", params)
        .await;
    assert!(matches!(again, Err(StoreError::ConstraintViolation(_))));
    let bad = store
        .add_named_query(&cast.maker, "bad", vec![("EQ_nothing".into(), "x".into())])
        .await;
    assert!(matches!(bad, Err(StoreError::InvalidQuery(_))));
    assert_eq!(store.list_named_queries().await.expect("list"), vec![named]);
    assert!(store.delete_named_query("shipments").await.expect("delete"));
    assert!(
        !store
            .delete_named_query("shipments")
            .await
            .expect("delete again")
    );
}

async fn master_data(store: &dyn Store, cast: &Cast) {
    let factory = store
        .get_location("https://id.gs1.org/414/6901234000009")
        .await
        .expect("get")
        .expect("factory");
    assert_eq!(factory.name.as_deref(), Some("深圳工厂"));
    assert_eq!(factory.region.as_deref(), Some("440305"));
    assert_eq!(
        factory.children,
        vec!["https://id.gs1.org/414/6901234000009/254/L1".to_owned()]
    );
    let product = store.get_product(LOT).await.expect("get").expect("product");
    assert_eq!(
        (product.brand.as_deref(), product.stage.as_deref()),
        (Some("安心宝贝"), Some("1"))
    );
    assert_eq!(product.gtin.as_deref(), Some("06901234123456"));
    assert_eq!(
        (
            factory.production_licence.as_deref(),
            product.formula_registration.as_deref()
        ),
        (Some(LICENCE_A), Some(REGISTRATION))
    );
    let line = store
        .get_location(LINE_A)
        .await
        .expect("get")
        .expect("line");
    assert_eq!(line.production_licence, None, "the line declared none");
    licence_and_registration_declared_again(store, cast).await;
}

/// The same ids come again: a number of the wrong shape is not kept and leaves the one on
/// file, the job naming it; a new number of the right shape replaces the one on file (the
/// master-data write rule: a later declaration replaces, an absent one leaves).
async fn licence_and_registration_declared_again(store: &dyn Store, cast: &Cast) {
    let mut header = header();
    for element in header
        .master_data
        .iter_mut()
        .flat_map(|vocabulary| vocabulary.elements.iter_mut())
    {
        for attribute in &mut element.attributes {
            if attribute.id.ends_with("productionLicence") {
                attribute.value = anxin_epcis::ExtValue::Text("SC1064403050001".into());
            }
            if attribute.id.ends_with("formulaRegistration") {
                attribute.value = anxin_epcis::ExtValue::Text("国食注字YP20260002".into());
            }
        }
    }
    let input = CaptureInput::new(header, Vec::new());
    let job = capture(store, &cast.maker, ErrorBehaviour::Rollback, input)
        .await
        .expect("a document with a misshapen licence is still accepted");
    assert_eq!((job.state, job.n_rejected), (JobState::Succeeded, 0));
    assert_eq!(job.errors.len(), 1, "{:?}", job.errors);
    for named in [
        FACTORY_A,
        "productionLicence",
        "SC1064403050001",
        "SC + 14 digits",
    ] {
        assert!(
            job.errors[0].contains(named),
            "{} names {named}",
            job.errors[0]
        );
    }
    let factory = store
        .get_location(FACTORY_A)
        .await
        .expect("get")
        .expect("factory");
    assert_eq!(factory.production_licence.as_deref(), Some(LICENCE_A));
    let product = store.get_product(LOT).await.expect("get").expect("product");
    assert_eq!(
        product.formula_registration.as_deref(),
        Some("国食注字YP20260002")
    );
    // Declared again as at first, for the chapters after this one.
    let input = CaptureInput::new(crate::fixtures::header(), Vec::new());
    let job = capture(store, &cast.maker, ErrorBehaviour::Rollback, input)
        .await
        .expect("capture");
    assert!(job.errors.is_empty(), "{:?}", job.errors);
    let product = store.get_product(LOT).await.expect("get").expect("product");
    assert_eq!(product.formula_registration.as_deref(), Some(REGISTRATION));
}

async fn interrupted_jobs(store: &dyn Store, cast: &Cast) {
    let job = store
        .start_job(&cast.maker, ErrorBehaviour::Rollback, "story")
        .await
        .expect("job");
    assert!(store.finish_interrupted_jobs().await.expect("finish") >= 1);
    let job = store
        .get_job(&cast.maker, &job.job_id)
        .await
        .expect("get")
        .expect("job");
    assert_eq!(
        (job.state, job.errors.as_slice()),
        (JobState::Failed, [INTERRUPTED.to_owned()].as_slice())
    );
}

async fn transformations_and_corrections(store: &dyn Store, cast: &Cast) {
    let mut blend = commissioning(7000, 1, "2026-03-06T08:00:00+08:00");
    blend.event_type = anxin_epcis::EventType::TransformationEvent;
    blend.action = None;
    blend.epc_list.clear();
    blend.input_epc_list = vec![case(1)];
    blend.input_quantity_list = vec![anxin_epcis::QuantityElement {
        epc_class: LOT.into(),
        quantity: Some(3.5),
        uom: Some("KGM".into()),
    }];
    blend.output_epc_list = vec![can(7000)];
    let mut corrected = commissioning(1000, 3, "2026-03-01T01:00:00+08:00");
    corrected.error_declaration = Some(anxin_epcis::ErrorDeclaration {
        declaration_time: anxin_epcis::EpcisTime::parse("2026-03-07T08:00:00+08:00").expect("time"),
        reason: Some(anxin_epcis::cbv::Term::read(
            anxin_epcis::cbv::Vocabulary::ErrorReason,
            "incorrect_data",
        )),
        corrective_event_ids: vec![],
        extensions: vec![],
    });
    let input = CaptureInput::new(header(), vec![blend, corrected]);
    let job = capture(store, &cast.maker, ErrorBehaviour::Rollback, input)
        .await
        .expect("capture");
    assert_eq!(
        job.n_stored, 2,
        "an error declaration is a new record beside the original"
    );
    let admin = &cast.admin;
    let (case_1, can_7000) = (case(1), can(7000));
    let checks: Vec<(Vec<(&str, &str)>, usize)> = vec![
        (vec![("MATCH_inputEPC", &case_1)], 1),
        (vec![("MATCH_outputEPC", &can_7000)], 1),
        (vec![("MATCH_epc", &can_7000)], 0),
        (vec![("MATCH_anyEPC", &can_7000)], 1),
        (vec![("MATCH_inputEPCClass", LOT)], 1),
        (vec![("MATCH_anyEPCClass", LOT)], 2),
        (vec![("LT_quantity", "4")], 1),
        (vec![("EXISTS_errorDeclaration", "")], 1),
        (vec![("eventType", "TransformationEvent")], 1),
    ];
    for (params, expected) in checks {
        check_count(
            &all(store, admin, &params).await,
            expected,
            &format!("{params:?}"),
        );
    }
}

async fn revocation(store: &dyn Store, cast: &Cast) {
    let (account, token) = account(
        store,
        "临时",
        Role::Retailer,
        Some("urn:epc:id:pgln:6905555.00000"),
        None,
    )
    .await;
    assert!(store.authenticate(&token).await.is_ok());
    assert!(
        store
            .revoke_account(account.account_id)
            .await
            .expect("revoke")
    );
    assert!(matches!(
        store.authenticate(&token).await,
        Err(StoreError::Unauthenticated)
    ));
    assert!(matches!(
        store.authenticate("ax_0000").await,
        Err(StoreError::Unauthenticated)
    ));
    let listed = store.list_accounts().await.expect("list");
    assert!(
        listed
            .iter()
            .any(|listed| listed.account_id == account.account_id && listed.revoked_ms.is_some())
    );
    assert!(
        listed
            .iter()
            .any(|listed| listed.account_id == cast.admin.account.account_id)
    );
}

/// Subscriptions belong to their account; a capture that stores new events queues one
/// delivery per subscription in its own transaction, and one that stores nothing new queues
/// none; the dispatcher's outcomes move a delivery along; deleting a subscription drops its
/// outbox rows.
async fn subscriptions(store: &dyn Store, cast: &Cast) {
    let params = vec![("EQ_bizStep".to_owned(), "shipping".to_owned())];
    store
        .add_named_query(&cast.maker, "watched", params.clone())
        .await
        .expect("add query");
    let new = NewSubscription {
        query_name: "watched".into(),
        dest: "http://127.0.0.1:9/hook".into(),
        signature_token: Some("s3cret".into()),
    };
    let bad = NewSubscription {
        dest: "ftp://127.0.0.1/".into(),
        ..new.clone()
    };
    assert!(matches!(
        store.add_subscription(&cast.maker, bad).await,
        Err(StoreError::ConstraintViolation(_))
    ));
    let mine = store
        .add_subscription(&cast.maker, new)
        .await
        .expect("subscribe");
    let id = mine.subscription_id.as_str();
    assert_eq!(
        store.get_subscription(&cast.maker, id).await.expect("get"),
        Some(mine.clone())
    );
    assert_eq!(
        store
            .get_subscription(&cast.distributor, id)
            .await
            .expect("get"),
        None,
        "another account does not see it"
    );
    assert!(
        store
            .get_subscription(&cast.admin, id)
            .await
            .expect("get")
            .is_some()
    );
    assert_eq!(
        store
            .list_subscriptions(&cast.maker, "watched")
            .await
            .expect("list"),
        vec![mine.clone()]
    );
    assert!(
        store
            .list_subscriptions(&cast.distributor, "watched")
            .await
            .expect("list")
            .is_empty()
    );

    let input = CaptureInput::new(header(), vec![shipping(77, "2026-04-01T09:00:00+08:00")]);
    let job = capture(store, &cast.maker, ErrorBehaviour::Rollback, input.clone())
        .await
        .expect("capture");
    assert_eq!(job.n_stored, 1);
    let due = store.list_due_deliveries(now_ms(), 100).await.expect("due");
    assert_eq!(
        due.len(),
        1,
        "one delivery queued with the capture: {due:?}"
    );
    let delivery = &due[0];
    assert_eq!(
        (
            delivery.job_id.as_str(),
            delivery.state,
            delivery.after_event_seq,
            delivery.n_attempts
        ),
        (job.job_id.as_str(), DeliveryState::Pending, 0, 0)
    );
    assert_eq!(delivery.subscription, mine);
    assert_eq!(
        delivery
            .subscriber
            .as_ref()
            .map(|account| account.account_id),
        Some(cast.maker.account.account_id)
    );
    let again = capture(store, &cast.maker, ErrorBehaviour::Rollback, input)
        .await
        .expect("capture again");
    assert_eq!(again.n_stored, 0);
    assert_eq!(
        store.list_deliveries(id).await.expect("list").len(),
        1,
        "nothing new, nothing queued"
    );

    let mut query = EventQuery::parse(&params, &Vec::new()).expect("parse");
    query.filters.push(Filter::CaptureJob(job.job_id.clone()));
    let owed = store.list_events(&cast.maker, &query).await.expect("owed");
    check_count(&owed.events, 1, "the job's matching events");
    query
        .filters
        .push(Filter::EventSeqAfter(owed.events[0].event_seq));
    let rest = store.list_events(&cast.maker, &query).await.expect("rest");
    check_count(&rest.events, 0, "nothing after the last delivered event");

    let later = now_ms() + 60_000;
    let retry = DeliveryOutcome::Retry {
        error: "503".into(),
        next_attempt_ms: later,
    };
    store
        .record_delivery(delivery.delivery_id, now_ms(), &retry)
        .await
        .expect("record");
    assert!(
        store
            .list_due_deliveries(now_ms(), 100)
            .await
            .expect("due")
            .is_empty()
    );
    let recorded = &store.list_due_deliveries(later, 100).await.expect("due")[0];
    assert_eq!(
        (
            recorded.n_attempts,
            recorded.last_error.as_deref(),
            recorded.next_attempt_ms
        ),
        (1, Some("503"), later)
    );
    let progress = DeliveryOutcome::Progress {
        through_event_seq: owed.events[0].event_seq,
    };
    store
        .record_delivery(delivery.delivery_id, now_ms(), &progress)
        .await
        .expect("record");
    let resumed = &store.list_due_deliveries(now_ms(), 100).await.expect("due")[0];
    assert_eq!(
        (resumed.n_attempts, resumed.after_event_seq),
        (0, owed.events[0].event_seq)
    );
    store
        .record_delivery(delivery.delivery_id, now_ms(), &DeliveryOutcome::Delivered)
        .await
        .expect("record");
    assert!(
        store
            .list_due_deliveries(later, 100)
            .await
            .expect("due")
            .is_empty()
    );
    assert_eq!(
        store.list_deliveries(id).await.expect("list")[0].state,
        DeliveryState::Delivered
    );

    assert!(
        !store
            .delete_subscription(&cast.distributor, id)
            .await
            .expect("delete")
    );
    assert!(
        store
            .delete_subscription(&cast.maker, id)
            .await
            .expect("delete")
    );
    assert!(store.list_deliveries(id).await.expect("list").is_empty());
    assert!(
        store
            .get_subscription(&cast.admin, id)
            .await
            .expect("get")
            .is_none()
    );
    assert!(
        store
            .delete_named_query("watched")
            .await
            .expect("delete query")
    );
}

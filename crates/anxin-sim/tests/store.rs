//! A tiny world captured into SQLite and (when `ANXIN_TEST_PG` is set) PostgreSQL through
//! the partners' path: every generated event is stored, each as its party, and a
//! provincial regulator sees exactly the events that touch a place in its province.

use std::collections::{BTreeMap, BTreeSet};

use anxin_epcis::Event;
use anxin_sim::{Config, Generator, Troubles, World};
use anxin_store::{EventQuery, NewAccount, RegionCode, Role, Store, Viewer};
use anxin_store_tests::backends::{fresh_sqlite, on_postgres};

fn config() -> Config {
    Config {
        troubles: Troubles {
            counterfeit_percent: 30,
            shipped_before_release_percent: 30,
            // Every production run deviates (every other one corrected), so the store's holds
            // can be checked against the manifest.
            haccp_deviation_percent: 100,
            // Half the deliveries rejected by the manufacturer's standard, so rejected ones are
            // read back too.
            raw_milk_rejected_used_percent: 50,
            ..Troubles::default()
        },
        ..Config::new(77, 2_500)
    }
}

/// The places an event names (where the store looks for a jurisdiction).
fn places(event: &Event) -> Vec<&str> {
    event
        .read_point
        .iter()
        .chain(event.biz_location.iter())
        .map(|location| location.id.as_str())
        .chain(
            event
                .source_list
                .iter()
                .chain(event.destination_list.iter())
                .map(|end| end.id.as_str()),
        )
        .collect()
}

async fn visible_to(store: &dyn Store, viewer: &Viewer) -> u64 {
    let mut seen = 0;
    let mut token: Option<String> = None;
    loop {
        let mut params = vec![("perPage".to_owned(), "1000".to_owned())];
        if let Some(token) = &token {
            params.push(("nextPageToken".to_owned(), token.clone()));
        }
        let query = EventQuery::parse(&params, &Vec::new()).expect("a query");
        let page = store.list_events(viewer, &query).await.expect("a page");
        seen += page.events.len() as u64;
        match page.next_page_token {
            Some(next) => token = Some(next),
            None => return seen,
        }
    }
}

async fn check(store: &dyn Store) {
    let config = config();
    let world = config.world();
    let summary = anxin_sim::capture_world(store, &world, config, &mut |_| {})
        .await
        .expect("the world is captured");
    let manifest = &summary.manifest;
    check_quality(store, &summary).await;
    assert_eq!(summary.n_stored, manifest.counts.events);
    assert_eq!(summary.n_duplicates, 0);
    assert_eq!(summary.tokens.len(), world.parties.len());

    // The province of the first domestic manufacturer, and what it should see.
    let maker = &world.parties[world.of_kind(anxin_sim::world::PartyKind::Manufacturer)[0]];
    let province = world.province_of(&maker.places[0]).unwrap();
    let region_of: BTreeMap<&str, &str> = world
        .parties
        .iter()
        .flat_map(|party| &party.places)
        .filter_map(|place| Some((place.sgln.as_str(), world.province_of(place)?)))
        .collect();
    let expected = Generator::new(&world, config)
        .flat_map(|upload| upload.events)
        .filter(|event| {
            places(event)
                .iter()
                .any(|place| region_of.get(place) == Some(&province))
        })
        .count() as u64;
    assert!(expected > 0 && expected < manifest.counts.events);
    let (regulator, _) = store
        .create_account(NewAccount {
            name: "省市场监督管理局".to_owned(),
            role: Role::Regulator,
            party: None,
            region: Some(RegionCode::parse(province).unwrap()),
        })
        .await
        .unwrap();
    assert_eq!(visible_to(store, &Viewer::new(regulator)).await, expected);
    let (national, _) = store
        .create_account(NewAccount {
            name: "国家市场监督管理总局".to_owned(),
            role: Role::Regulator,
            party: None,
            region: Some(RegionCode::NATIONAL),
        })
        .await
        .unwrap();
    assert_eq!(
        visible_to(store, &Viewer::new(national)).await,
        manifest.counts.events
    );
    // A party's token authenticates as that party.
    let token = &summary.tokens[maker_index(&world)];
    let viewer = store.authenticate(&token.token).await.unwrap();
    assert_eq!(
        viewer.account.party.as_ref().map(|gln| gln.as_str()),
        Some(maker.gln.as_str())
    );
}

fn maker_index(world: &World) -> usize {
    world.of_kind(anxin_sim::world::PartyKind::Manufacturer)[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_world_is_captured_into_sqlite_as_its_parties() {
    let (store, folder) = fresh_sqlite("sim").await;
    check(&store).await;
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_world_is_captured_into_postgres_as_its_parties() {
    on_postgres("sim", |store, _, _| async move { check(&store).await }).await;
}

/// The quality data is in the store: every delivery's receiving tests, and the holds the store
/// derives from the stored readings, lots and corrective actions are the manifest's planted
/// deviations (held until corrected).
async fn check_quality(store: &dyn Store, summary: &anxin_sim::CaptureSummary) {
    let quality = &summary.quality;
    assert!(!quality.deliveries.is_empty());
    // Each delivery read back from the store is decided as the simulator's own was.
    let standards = anxin_sim::quality::standards();
    let mut rejected = 0;
    for delivery in &quality.deliveries {
        let rows = store.raw_milk_tests(&delivery.delivery.id).await.unwrap();
        assert_eq!(rows.len(), delivery.delivery.tests.len());
        assert!(rows.iter().all(|row| row.plant_gln == delivery.factory_gln));
        let stored = anxin_store::quality::delivery(&rows).unwrap().unwrap();
        let decide = |d: &anxin_quality::raw_milk::Delivery| {
            anxin_quality::raw_milk::accept(&standards.catalogue, Some(&standards.raw_milk), d)
                .unwrap()
                .decision
        };
        assert_eq!(
            decide(&stored),
            decide(&delivery.delivery),
            "{}",
            delivery.delivery.id
        );
        if decide(&stored) == anxin_quality::raw_milk::Decision::Rejected {
            rejected += 1;
        }
    }
    assert_eq!(
        rejected,
        summary.manifest.raw_milk_rejected_used.len() + summary.manifest.raw_milk_over_limit.len()
    );
    assert!(rejected > 0);
    let (mut held, mut lifted) = (BTreeSet::new(), BTreeSet::new());
    let plants: BTreeSet<&str> = quality
        .runs
        .iter()
        .map(|run| run.plant_gln.as_str())
        .collect();
    let mut readings = 0;
    for plant in plants {
        readings += store.haccp_readings(plant).await.unwrap().len() as u64;
        for hold in anxin_store::quality::holds(store, plant).await.unwrap() {
            if hold.is_on_hold() {
                held.insert(hold.lot);
            } else {
                lifted.insert(hold.lot);
            }
        }
    }
    assert_eq!(readings, summary.manifest.counts.haccp_readings);
    let deviations = &summary.manifest.haccp_deviations;
    assert!(deviations.iter().any(|d| d.corrected) && deviations.iter().any(|d| !d.corrected));
    let want = |corrected: bool| -> BTreeSet<String> {
        deviations
            .iter()
            .filter(|d| d.corrected == corrected)
            .flat_map(|d| d.lots.iter().cloned())
            .collect()
    };
    assert_eq!(held, want(false));
    assert_eq!(lifted, want(true));
}

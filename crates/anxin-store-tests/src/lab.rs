//! Lab results, committed standards and releases, told against any backend: a lot made by the
//! manufacturer, results stored and read back, a retest that supersedes (the old result stays,
//! marked), a batch with broken rows (each reported with its row and field; nothing stored),
//! a lot nobody made refused, and committed standards and releases appended and read.

use anxin_epcis::cbv::{Term, Vocabulary as Cbv};
use anxin_epcis::{Action, Event, QuantityElement};
use anxin_store::lab::{
    CommittedStandard, NewLabResult, ReleaseRow, SampleOf, Submission, canonical_subject,
};
use anxin_store::{
    CaptureInput, ErrorBehaviour, JobState, NewAccount, PartyGln, RegionCode, Role, Store, Viewer,
};

use crate::fixtures;

/// The lot the story's manufacturer makes.
pub const LAB_LOT: &str = "urn:epc:class:lgtin:6901234.012345.LAB1";

/// A lot nobody made.
pub const UNKNOWN_LOT: &str = "urn:epc:class:lgtin:6901234.012345.NOPE";

/// The event that makes [`LAB_LOT`]: an ObjectEvent ADD naming it as a class at the packing line.
pub fn making_event() -> Event {
    let mut event = fixtures::commissioning(5000, 2, "2026-03-01T10:00:00+08:00");
    event.action = Some(Action::Add);
    event.quantity_list = vec![QuantityElement {
        epc_class: LAB_LOT.to_owned(),
        quantity: Some(500.0),
        uom: Some("KGM".to_owned()),
    }];
    event.biz_step = Some(Term::read(Cbv::BizStep, "commissioning"));
    event
}

/// One result row for the story's lot.
pub fn row(line: usize, analyte: &str, value: &str, unit: &str) -> NewLabResult {
    NewLabResult {
        line,
        sample_of: SampleOf::Lot,
        subject: LAB_LOT.to_owned(),
        sample_id: "S-1".to_owned(),
        analyte: analyte.to_owned(),
        value: value.to_owned(),
        unit: unit.to_owned(),
        sample_unit: None,
        method: "GB 5009.5-2016".to_owned(),
        laboratory: "深圳乳业质检中心".to_owned(),
        analyst: "王工".to_owned(),
        tested_ms: 1_772_400_000_000,
        supersedes: None,
    }
}

async fn viewer(
    store: &dyn Store,
    name: &str,
    role: Role,
    party: Option<&str>,
    region: Option<&str>,
) -> Viewer {
    let (_, token) = store
        .create_account(NewAccount {
            name: name.to_owned(),
            role,
            party: party.map(|p| PartyGln::parse(p).expect("party")),
            region: region.map(|r| RegionCode::parse(r).expect("region")),
        })
        .await
        .expect("account");
    store.authenticate(&token).await.expect("token")
}

/// Tells the lab story on an empty store.
pub async fn run_lab_story(store: &dyn Store) {
    let maker = viewer(
        store,
        "深圳乳业",
        Role::Manufacturer,
        Some(fixtures::PARTY_A),
        Some("440305"),
    )
    .await;
    let job = store
        .start_job(&maker, ErrorBehaviour::Rollback, "lab story")
        .await
        .expect("job");
    let job = store
        .capture(
            &maker,
            &job.job_id,
            CaptureInput::new(fixtures::header(), vec![making_event()]),
        )
        .await
        .expect("capture");
    assert_eq!(job.state, JobState::Succeeded, "{:?}", job.errors);
    let lot = canonical_subject(SampleOf::Lot, LAB_LOT).expect("lot");
    assert_eq!(lot, "https://id.gs1.org/01/06901234123456/10/LAB1");

    // Where the lot was made, and by whom.
    let origin = store
        .lot_origin(&lot)
        .await
        .expect("origin")
        .expect("the lot was made");
    assert_eq!(origin.maker(), Some("6901234000009"));
    assert_eq!(origin.region.as_deref(), Some("440305"));
    assert!(
        store
            .lot_origin("https://id.gs1.org/01/06901234123456/10/NOPE")
            .await
            .expect("origin")
            .is_none()
    );

    // Results are stored (the subject written as a URN comes back as its Digital Link, the
    // analyte in the catalogue's ID) and read back.
    let Submission::Stored(first) = store
        .add_lab_results(
            &maker,
            &[
                row(1, "protein", "2.1", "g/100kJ"),
                row(2, "lead", "<0.01", "mg/kg"),
            ],
        )
        .await
        .expect("submit")
    else {
        panic!("a clean submission is stored");
    };
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].subject, lot);
    assert_eq!(first[0].party.as_deref(), Some("6901234000009"));
    assert_eq!(first[1].value, "<0.01");

    // A retest supersedes and links; the old result stays, marked.
    let mut retest = row(1, "protein", "2.2", "g/100kJ");
    retest.supersedes = Some(first[0].result_id);
    let Submission::Stored(second) = store
        .add_lab_results(&maker, &[retest.clone()])
        .await
        .expect("retest")
    else {
        panic!("a retest is stored");
    };
    let read = store.lab_results(SampleOf::Lot, &lot).await.expect("read");
    assert_eq!(read.len(), 3);
    assert_eq!(read[0].superseded_by, Some(second[0].result_id));
    assert_eq!(read[0].value, "2.1", "the old result is unchanged");
    assert_eq!(read[2].supersedes, Some(first[0].result_id));
    assert_eq!(read[2].superseded_by, None);

    // The same result cannot be superseded twice.
    let Submission::Refused(errors) = store
        .add_lab_results(&maker, &[retest])
        .await
        .expect("second retest")
    else {
        panic!("superseding a superseded result is refused");
    };
    assert_eq!(
        (errors[0].line, errors[0].field.as_str()),
        (1, "supersedes"),
        "{errors:?}"
    );

    // A batch with broken rows: every row reported with its field, nothing stored.
    let mut wrong_lot = row(6, "fat", "3.0", "g/100g");
    wrong_lot.subject = UNKNOWN_LOT.to_owned();
    let mut no_lab = row(7, "fat", "3.0", "g/100g");
    no_lab.laboratory = " ".to_owned();
    let mut link_to_nothing = row(8, "fat", "3.0", "g/100g");
    link_to_nothing.supersedes = Some(999_999);
    let batch = [
        row(2, "iron", "0.1", "mg/100kJ"),
        row(3, "proteen", "2.0", "g/100kJ"),
        row(4, "fat", "-1", "g/100g"),
        row(5, "iron", "1", "mg/furlong"),
    ];
    let Submission::Refused(errors) = store.add_lab_results(&maker, &batch).await.expect("batch")
    else {
        panic!("broken rows refuse the batch");
    };
    let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(
        found,
        [(3, "analyte"), (4, "value"), (5, "unit")],
        "{errors:?}"
    );
    let Submission::Refused(errors) = store
        .add_lab_results(
            &maker,
            &[
                row(2, "iron", "0.1", "mg/100kJ"),
                wrong_lot,
                no_lab,
                link_to_nothing,
            ],
        )
        .await
        .expect("batch")
    else {
        panic!("an unknown lot refuses the batch");
    };
    let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(
        found,
        [(6, "lot"), (7, "laboratory"), (8, "supersedes")],
        "{errors:?}"
    );
    let Submission::Refused(errors) = store
        .add_lab_results(
            &maker,
            &[row(2, "iron", "0.1", "mg/100kJ"), {
                let mut r = row(8, "fat", "3.0", "g/100g");
                r.supersedes = Some(999_999);
                r
            }],
        )
        .await
        .expect("batch")
    else {
        panic!("a link to no result refuses the batch");
    };
    assert_eq!(
        (errors[0].line, errors[0].field.as_str()),
        (8, "supersedes"),
        "{errors:?}"
    );
    assert_eq!(
        store
            .lab_results(SampleOf::Lot, &lot)
            .await
            .expect("read")
            .len(),
        3,
        "nothing of a refused batch is stored"
    );

    // Committed standards and releases are appended and read back in order.
    let gtin = "06901234123456";
    for code in ["Q/AX 0001S-2026", "Q/AX 0001S-2027"] {
        let id = store
            .add_committed_standard(&CommittedStandard {
                standard_id: 0,
                party: "6901234000009".into(),
                gtin: gtin.into(),
                code: code.into(),
                text: format!("# {code}\n"),
                account_id: maker.account.account_id,
                committed_ms: 1,
            })
            .await
            .expect("commit");
        assert!(id > 0);
    }
    let committed = store.committed_standards(gtin).await.expect("standards");
    assert_eq!(
        committed
            .iter()
            .map(|s| s.code.as_str())
            .collect::<Vec<_>>(),
        ["Q/AX 0001S-2026", "Q/AX 0001S-2027"]
    );
    assert_eq!(
        store
            .committed_standards_by_party("6901234000009")
            .await
            .expect("by party")
            .iter()
            .map(|s| s.standard_id)
            .collect::<Vec<_>>(),
        committed.iter().map(|s| s.standard_id).collect::<Vec<_>>()
    );
    assert!(
        store
            .committed_standards_by_party("6901234000016")
            .await
            .expect("by party")
            .is_empty()
    );
    let release = ReleaseRow {
        release_id: 0,
        lot: lot.clone(),
        account_id: maker.account.account_id,
        party: Some("6901234000009".into()),
        released_ms: 2,
        verdict: "conformant".into(),
        judgment_json: "{}".into(),
        result_ids_json: "[1]".into(),
        standard_id: Some(committed[1].standard_id),
        event_id: "ni:///x".into(),
        job_id: "job".into(),
    };
    let id = store.add_release(&release).await.expect("release");
    let releases = store.releases(&lot).await.expect("releases");
    assert_eq!(
        releases,
        [ReleaseRow {
            release_id: id,
            ..release.clone()
        }]
    );

    // A release captured with its event: one transaction, the row naming the job; a refused
    // event leaves no row (the same attached-row path a recall takes).
    let admin = crate::recall::admin(store).await;
    let capture = |event: anxin_epcis::Event, problems: Vec<String>, row: ReleaseRow| {
        let admin = admin.clone();
        async move {
            let job = store
                .start_job(
                    &admin,
                    anxin_store::ErrorBehaviour::Rollback,
                    "release test",
                )
                .await
                .expect("job");
            let mut input = anxin_store::CaptureInput::new(crate::fixtures::header(), vec![event]);
            input.problems = problems;
            store
                .capture_release(&admin, &job.job_id, input, row)
                .await
                .expect("a job is an answer")
        }
    };
    let second = ReleaseRow {
        released_ms: 3,
        event_id: "ni:///second".into(),
        job_id: String::new(),
        ..release.clone()
    };
    let job = capture(
        crate::fixtures::packing(970, &[971, 972], "2026-03-02T10:00:00+08:00"),
        Vec::new(),
        second.clone(),
    )
    .await;
    assert_eq!(
        (job.state, job.n_stored),
        (anxin_store::JobState::Succeeded, 1)
    );
    let releases = store.releases(&lot).await.expect("releases");
    assert_eq!(releases.len(), 2);
    assert_eq!(
        releases[1].job_id, job.job_id,
        "the row names its event's job"
    );
    assert_eq!(releases[1].event_id, "ni:///second");
    let failed = capture(
        crate::fixtures::packing(980, &[981, 982], "2026-03-02T11:00:00+08:00"),
        vec!["event 1: a broken event".to_owned()],
        second,
    )
    .await;
    assert_eq!(
        (failed.state, failed.n_stored),
        (anxin_store::JobState::Failed, 0)
    );
    assert_eq!(
        store.releases(&lot).await.expect("releases").len(),
        2,
        "a refused event leaves no release row"
    );
    assert!(
        store
            .releases("https://id.gs1.org/01/06901234123456/10/NOPE")
            .await
            .expect("none")
            .is_empty()
    );
}

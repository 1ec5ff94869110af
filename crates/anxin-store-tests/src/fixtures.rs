//! The supply chain the story tells about: a manufacturer in Shenzhen (GS1 prefix 6901234),
//! a distributor in Harbin (6909876), their locations with GB/T 2260 region codes, a product
//! with brand and stage, and events between them built in code.
//!
//! Identifiers are EPC URNs because URNs carry no check digit to get wrong; queries in the
//! story also use the Digital Link forms of the same keys.

use anxin_epcis::cbv::{Term, Vocabulary as Cbv};
use anxin_epcis::ext::{ExtValue, Extension, QName};
use anxin_epcis::{
    Action, BizTransaction, EpcisTime, Event, EventType, Header, Location, MasterDataAttribute,
    QuantityElement, SourceDest, TimeZoneOffset, Vocabulary, VocabularyElement,
};

/// The manufacturer's party.
pub const PARTY_A: &str = "urn:epc:id:pgln:6901234.00000";
/// The distributor's party.
pub const PARTY_B: &str = "urn:epc:id:pgln:6909876.00000";
/// The manufacturer's factory (Shenzhen, Nanshan 440305).
pub const FACTORY_A: &str = "urn:epc:id:sgln:6901234.00000.0";
/// A packing line inside the factory (child of the factory in master data).
pub const LINE_A: &str = "urn:epc:id:sgln:6901234.00000.L1";
/// The distributor's warehouse (Harbin, Daoli 230102).
pub const WAREHOUSE_B: &str = "urn:epc:id:sgln:6909876.00000.0";
/// The product's lot class.
pub const LOT: &str = "urn:epc:class:lgtin:6901234.012345.LOT1";
/// The food production licence the factory declares (test data of the shape SC + 14
/// digits, standards.md §5; not a real licence).
pub const LICENCE_A: &str = "SC10644030500015";
/// The formula registration the product declares (test data of the shape 国食注字YP + year +
/// sequence, standards.md §5; not a real registration).
pub const REGISTRATION: &str = "国食注字YP20260001";
/// The namespace of Anxin's infant-formula extension fields.
pub const ANXIN_NS: &str = "https://anxin.example.cn/epcis/";

/// A can of the product.
pub fn can(serial: u32) -> String {
    format!("urn:epc:id:sgtin:6901234.012345.{serial}")
}

/// A case (SSCC).
pub fn case(serial: u32) -> String {
    format!("urn:epc:id:sscc:6901234.{serial:010}")
}

fn time(text: &str) -> EpcisTime {
    EpcisTime::parse(text).expect("fixture time")
}

fn event(event_type: EventType, at: &str) -> Event {
    let mut event = Event::new(
        event_type,
        time(at),
        TimeZoneOffset::parse("+08:00").expect("offset"),
    );
    event.action = Some(Action::Observe);
    event
}

fn location(id: &str) -> Option<Location> {
    Some(Location {
        id: id.to_owned(),
        extensions: Vec::new(),
    })
}

/// Cans commissioned at the packing line, with a lab report number as an extension field.
pub fn commissioning(first_serial: u32, n_cans: u32, at: &str) -> Event {
    let mut event = event(EventType::ObjectEvent, at);
    event.action = Some(Action::Add);
    event.epc_list = (first_serial..first_serial + n_cans).map(can).collect();
    event.biz_step = Some(Term::read(Cbv::BizStep, "commissioning"));
    event.disposition = Some(Term::read(Cbv::Disposition, "active"));
    event.read_point = location(LINE_A);
    event.biz_location = location(LINE_A);
    event.extensions.push(Extension {
        name: QName::new(ANXIN_NS, "labReport"),
        value: ExtValue::Text(format!("R-{first_serial}")),
        attributes: Vec::new(),
    });
    event
}

/// Cans packed into a case at the factory.
pub fn packing(case_serial: u32, cans: &[u32], at: &str) -> Event {
    let mut event = event(EventType::AggregationEvent, at);
    event.action = Some(Action::Add);
    event.parent_id = Some(case(case_serial));
    event.child_epcs = cans.iter().map(|serial| can(*serial)).collect();
    event.biz_step = Some(Term::read(Cbv::BizStep, "packing"));
    event.read_point = location(FACTORY_A);
    event.biz_location = location(FACTORY_A);
    event
}

/// A case shipped from the factory to the distributor under a purchase order.
pub fn shipping(case_serial: u32, at: &str) -> Event {
    let mut event = event(EventType::ObjectEvent, at);
    event.epc_list = vec![case(case_serial)];
    event.quantity_list = vec![QuantityElement {
        epc_class: LOT.to_owned(),
        quantity: Some(12.0),
        uom: None,
    }];
    event.biz_step = Some(Term::read(Cbv::BizStep, "shipping"));
    event.disposition = Some(Term::read(Cbv::Disposition, "in_transit"));
    event.read_point = location(FACTORY_A);
    event.biz_transaction_list = vec![BizTransaction {
        transaction_type: Some(Term::read(Cbv::BizTransactionType, "po")),
        id: "urn:epcglobal:cbv:bt:6901234000004:PO-1".to_owned(),
    }];
    event.source_list = vec![SourceDest {
        kind: Term::read(Cbv::SourceDestType, "owning_party"),
        id: PARTY_A.to_owned(),
    }];
    event.destination_list = vec![SourceDest {
        kind: Term::read(Cbv::SourceDestType, "owning_party"),
        id: PARTY_B.to_owned(),
    }];
    event.persistent_disposition = Some(anxin_epcis::PersistentDisposition {
        set: vec![Term::read(Cbv::Disposition, "in_transit")],
        unset: vec![],
    });
    event
}

/// The distributor stores the case in its warehouse.
pub fn storing(case_serial: u32, at: &str) -> Event {
    let mut event = event(EventType::ObjectEvent, at);
    event.epc_list = vec![case(case_serial)];
    event.biz_step = Some(Term::read(Cbv::BizStep, "storing"));
    event.read_point = location(WAREHOUSE_B);
    event.biz_location = location(WAREHOUSE_B);
    event
}

fn attribute(id: &str, value: &str) -> MasterDataAttribute {
    MasterDataAttribute {
        id: id.to_owned(),
        value: ExtValue::Text(value.to_owned()),
    }
}

fn element(
    id: &str,
    attributes: Vec<MasterDataAttribute>,
    children: Vec<String>,
) -> VocabularyElement {
    VocabularyElement {
        id: id.to_owned(),
        attributes,
        children,
        extensions: Vec::new(),
    }
}

const NAME: &str = "urn:epcglobal:cbv:mda#name";
const REGION: &str = "https://anxin.example.cn/mda#regionCode";

/// The manufacturer's header: the master data of its factory, its packing line and its
/// product, as party A introduces itself (a party describes only what is its own).
pub fn header() -> Header {
    let mut header = Header::new(time("2026-03-01T08:00:00+08:00"));
    header.namespaces.declare("anxin", ANXIN_NS);
    let (name, region) = (NAME, REGION);
    header.master_data = vec![
        Vocabulary {
            vocabulary_type: "urn:epcglobal:epcis:vtype:BusinessLocation".to_owned(),
            elements: vec![
                element(
                    FACTORY_A,
                    vec![
                        attribute(name, "深圳工厂"),
                        attribute(region, "440305"),
                        attribute(&format!("{ANXIN_NS}productionLicence"), LICENCE_A),
                    ],
                    vec![LINE_A.to_owned()],
                ),
                element(
                    LINE_A,
                    vec![attribute(name, "包装线 1"), attribute(region, "440305")],
                    vec![],
                ),
            ],
        },
        Vocabulary {
            vocabulary_type: "urn:epcglobal:epcis:vtype:EPCClass".to_owned(),
            elements: vec![element(
                LOT,
                vec![
                    attribute("https://gs1.org/voc/brandName", "安心宝贝"),
                    attribute(name, "婴儿配方奶粉 1段"),
                    attribute("https://anxin.example.cn/mda#stage", "1"),
                    attribute("anxin:formulaRegistration", REGISTRATION),
                ],
                vec![],
            )],
        },
    ];
    header
}

/// The distributor's header: the master data of its warehouse, as party B describes it.
pub fn distributor_header() -> Header {
    let mut header = Header::new(time("2026-03-03T08:00:00+08:00"));
    header.master_data = vec![Vocabulary {
        vocabulary_type: "urn:epcglobal:epcis:vtype:BusinessLocation".to_owned(),
        elements: vec![element(
            WAREHOUSE_B,
            vec![attribute(NAME, "哈尔滨仓库"), attribute(REGION, "230102")],
            vec![],
        )],
    }];
    header
}

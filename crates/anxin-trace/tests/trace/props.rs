//! Random supply chains (collections, receipts, multi-input transformations, commissioning,
//! packing, unpacking and re-packing, shipping, receiving, selling, destruction, persistent
//! dispositions, error declarations, event times out of capture order), with the graph's
//! backward trace, forward trace, item states and recall compared against the brute force.

use std::collections::{BTreeSet, HashMap};

use anxin_epcis::Action;
use anxin_trace::recall::{Channel, PartyInfo, PartyKind, RecallOptions, RecallScope};
use anxin_trace::{ItemKind, Relation, TraceGraph};
use proptest::prelude::*;

use super::brute::{Brute, canon};
use super::support::*;

#[derive(Clone, Debug)]
enum Op {
    Collect {
        farm: u8,
        kg: u16,
    },
    Receive {
        supplier: u8,
        kg: u16,
    },
    Transform {
        inputs: Vec<u8>,
        kg_in: u16,
        kg_out: u16,
        id: Option<u8>,
    },
    Finish {
        inputs: Vec<u8>,
        kg: u16,
    },
    Commission {
        lot: u8,
        n: u8,
    },
    PackCans {
        case: u8,
        cans: Vec<u8>,
    },
    PackCases {
        pallet: u8,
        cases: Vec<u8>,
    },
    Unpack {
        container: u8,
        children: Vec<u8>,
        all: bool,
    },
    Ship {
        what: u8,
        to: u8,
    },
    Receive2 {
        what: u8,
        at: u8,
    },
    Sell {
        can: u8,
        shop: u8,
    },
    Destroy {
        can: u8,
    },
    Persist {
        what: u8,
        set: bool,
    },
    Declare {
        event: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let small = || prop::collection::vec(any::<u8>(), 1..4);
    prop_oneof![
        (any::<u8>(), 1u16..5000).prop_map(|(farm, kg)| Op::Collect { farm, kg }),
        (any::<u8>(), 1u16..500).prop_map(|(supplier, kg)| Op::Receive { supplier, kg }),
        (small(), 1u16..3000, 1u16..3000, prop::option::of(0u8..3)).prop_map(
            |(inputs, kg_in, kg_out, id)| Op::Transform {
                inputs,
                kg_in,
                kg_out,
                id
            }
        ),
        (small(), 1u16..3000).prop_map(|(inputs, kg)| Op::Finish { inputs, kg }),
        (any::<u8>(), 1u8..5).prop_map(|(lot, n)| Op::Commission { lot, n }),
        (any::<u8>(), small()).prop_map(|(case, cans)| Op::PackCans { case, cans }),
        (any::<u8>(), small()).prop_map(|(pallet, cases)| Op::PackCases { pallet, cases }),
        (any::<u8>(), small(), any::<bool>()).prop_map(|(container, children, all)| Op::Unpack {
            container,
            children,
            all
        }),
        (any::<u8>(), any::<u8>()).prop_map(|(what, to)| Op::Ship { what, to }),
        (any::<u8>(), any::<u8>()).prop_map(|(what, at)| Op::Receive2 { what, at }),
        (any::<u8>(), any::<u8>()).prop_map(|(can, shop)| Op::Sell { can, shop }),
        any::<u8>().prop_map(|can| Op::Destroy { can }),
        (any::<u8>(), any::<bool>()).prop_map(|(what, set)| Op::Persist { what, set }),
        any::<u8>().prop_map(|event| Op::Declare { event }),
    ]
}

/// Parties: 1–3 farms, 4–5 suppliers, 10 the factory, 20–21 distributors, 30–31 shops,
/// 40 a cross-border seller.
const HOLDERS: [u32; 6] = [10, 20, 21, 30, 31, 40];

const CASES: u32 = 6;
const PALLETS: u32 = 3;

fn pick<T: Clone>(items: &[T], index: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[index as usize % items.len()].clone())
}

/// Turns random operations into a log of events.
fn build(ops: &[(Op, i8)]) -> Log {
    let mut log = Log::default();
    let mut t = T0;
    let mut lots: Vec<String> = Vec::new();
    let mut finished: Vec<(String, String)> = Vec::new();
    let mut cans: Vec<String> = Vec::new();
    let cases: Vec<String> = (0..CASES).map(sscc).collect();
    let pallets: Vec<String> = (100..100 + PALLETS).map(sscc).collect();
    let mut n_lots = 0;
    for (op, jitter) in ops {
        // Mostly forward in time, sometimes back (late uploads).
        t += MINUTE * 10 + i64::from(*jitter) * MINUTE;
        match op {
            Op::Collect { farm, kg } => {
                n_lots += 1;
                let class = lot(900, &format!("RM{n_lots}"));
                let farm = 1 + u32::from(*farm % 3);
                log.push(collect(t, &class, f64::from(*kg), farm), Some(farm));
                lots.push(class);
            }
            Op::Receive { supplier, kg } => {
                n_lots += 1;
                let class = lot(901, &format!("IN{n_lots}"));
                log.push(
                    receive_class(t, &class, f64::from(*kg), 10, 4 + u32::from(*supplier % 2)),
                    Some(10),
                );
                lots.push(class);
            }
            Op::Transform {
                inputs,
                kg_in,
                kg_out,
                id,
            } => {
                let picked: BTreeSet<String> =
                    inputs.iter().filter_map(|i| pick(&lots, *i)).collect();
                if picked.is_empty() {
                    continue;
                }
                n_lots += 1;
                let out = lot(902, &format!("BP{n_lots}"));
                let inputs = picked
                    .iter()
                    .map(|c| qty(c, f64::from(*kg_in), Some("KGM")))
                    .collect();
                let mut event = transform(
                    t,
                    inputs,
                    vec![qty(&out, f64::from(*kg_out), Some("KGM"))],
                    10,
                );
                // Some transformations are split over events sharing a transformationID.
                event.transformation_id =
                    id.map(|k| format!("urn:uuid:6f1c1b8a-0000-4000-8000-00000000000{k}"));
                log.push(event, Some(10));
                lots.push(out);
            }
            Op::Finish { inputs, kg } => {
                let picked: BTreeSet<String> =
                    inputs.iter().filter_map(|i| pick(&lots, *i)).collect();
                if picked.is_empty() {
                    continue;
                }
                n_lots += 1;
                let number = format!("L{n_lots}");
                let out = lot(1, &number);
                let inputs = picked
                    .iter()
                    .map(|c| qty(c, f64::from(*kg), Some("KGM")))
                    .collect();
                log.push(
                    transform(t, inputs, vec![qty(&out, f64::from(*kg), Some("KGM"))], 10),
                    Some(10),
                );
                finished.push((out, number));
            }
            Op::Commission { lot: which, n } => {
                let Some((_, number)) = pick(&finished, *which) else {
                    continue;
                };
                let new: Vec<String> = (0..*n)
                    .map(|k| can(1, cans.len() as u32 + u32::from(k) + 1))
                    .collect();
                log.push(commission(t, &new, &number, 10), Some(10));
                cans.extend(new);
            }
            Op::PackCans { case, cans: which } => {
                let children: BTreeSet<String> =
                    which.iter().filter_map(|i| pick(&cans, *i)).collect();
                if children.is_empty() {
                    continue;
                }
                let parent = &cases[*case as usize % cases.len()];
                let children: Vec<String> = children.into_iter().collect();
                log.push(aggregate(t, Action::Add, parent, &children, 10), Some(10));
            }
            Op::PackCases {
                pallet,
                cases: which,
            } => {
                let children: BTreeSet<String> =
                    which.iter().filter_map(|i| pick(&cases, *i)).collect();
                let parent = &pallets[*pallet as usize % pallets.len()];
                let children: Vec<String> = children.into_iter().collect();
                log.push(aggregate(t, Action::Add, parent, &children, 10), Some(10));
            }
            Op::Unpack {
                container,
                children,
                all,
            } => {
                let index = *container as usize % (cases.len() + pallets.len());
                let (parent, pool) = if index < cases.len() {
                    (&cases[index], &cans)
                } else {
                    (&pallets[index - cases.len()], &cases)
                };
                let named: BTreeSet<String> = if *all {
                    BTreeSet::new()
                } else {
                    children.iter().filter_map(|i| pick(pool, *i)).collect()
                };
                let named: Vec<String> = named.into_iter().collect();
                let holder = HOLDERS[*container as usize % HOLDERS.len()];
                log.push(
                    aggregate(t, Action::Delete, parent, &named, holder),
                    Some(holder),
                );
            }
            Op::Ship { what, to } => {
                let all: Vec<String> = pallets.iter().chain(&cases).chain(&cans).cloned().collect();
                let item = all[*what as usize % all.len()].clone();
                let from = HOLDERS[*what as usize % HOLDERS.len()];
                let to = HOLDERS[*to as usize % HOLDERS.len()];
                log.push(ship(t, &[item], from, to), Some(from));
            }
            Op::Receive2 { what, at } => {
                let all: Vec<String> = pallets.iter().chain(&cases).chain(&cans).cloned().collect();
                let item = all[*what as usize % all.len()].clone();
                let at = HOLDERS[*at as usize % HOLDERS.len()];
                log.push(receive(t, &[item], at), Some(at));
            }
            Op::Sell { can: which, shop } => {
                let Some(item) = pick(&cans, *which) else {
                    continue;
                };
                let shop = 30 + u32::from(*shop % 2);
                log.push(sell(t, &[item], shop), Some(shop));
            }
            Op::Destroy { can: which } => {
                let Some(item) = pick(&cans, *which) else {
                    continue;
                };
                log.push(destroy(t, &[item], 10), Some(10));
            }
            Op::Persist { what, set } => {
                let all: Vec<String> = pallets.iter().chain(&cases).chain(&cans).cloned().collect();
                let item = all[*what as usize % all.len()].clone();
                log.push(persistent(t, &[item], "recalled", *set), Some(10));
            }
            Op::Declare { event } => {
                if log.events.is_empty() {
                    continue;
                }
                let index = *event as usize % log.events.len();
                if log.events[index].event.error_declaration.is_none() {
                    log.declare_error(index, t);
                }
            }
        }
    }
    log
}

fn relation_name(relation: Relation) -> &'static str {
    match relation {
        Relation::Transformation => "transformation",
        Relation::LotMembership => "lot_membership",
        Relation::Containment => "containment",
    }
}

fn kind_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Lot => "lot",
        ItemKind::Pallet => "pallet",
        ItemKind::Case => "case",
        ItemKind::Can => "can",
    }
}

fn directory() -> HashMap<String, PartyInfo> {
    let kinds = [
        (10, PartyKind::Manufacturer),
        (20, PartyKind::Distributor),
        (21, PartyKind::Logistics),
        (30, PartyKind::Shop),
        (31, PartyKind::ECommerce),
        (40, PartyKind::CrossBorder),
    ];
    kinds
        .into_iter()
        .map(|(n, kind)| {
            (
                gln(n),
                PartyInfo {
                    name: format!("party {n}"),
                    region: "110000".to_owned(),
                    contact: format!("+86 10 0000 00{n}"),
                    kind,
                },
            )
        })
        .collect()
}

fn check_everything(log: &Log) -> Result<(), TestCaseError> {
    let graph: TraceGraph = log.graph_compacted_midway();
    let brute = Brute::new(&log.events);
    let intervals = brute.intervals();
    let ids = brute.all_ids();
    let last_time = log
        .events
        .iter()
        .map(|s| s.event.event_time.unix_millis())
        .max()
        .unwrap_or(T0);
    let middle = (T0 + last_time) / 2;
    let grouped = log
        .events
        .iter()
        .any(|s| s.event.transformation_id.is_some());
    for id in ids.keys() {
        // Backward: the same links with the same proving events.
        let trace = graph
            .backward(id)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got: BTreeSet<(String, String, &str, u64)> = trace
            .links
            .iter()
            .map(|l| {
                (
                    l.upstream.clone(),
                    l.downstream.clone(),
                    relation_name(l.relation),
                    l.event.event_seq,
                )
            })
            .collect();
        prop_assert_eq!(got, brute.backward(id), "backward links of {}", id);
        // Only a transformation split over events (one transformationID) can make a lot its
        // own input here: the other generated histories have no cycles.
        if !grouped {
            prop_assert!(trace.cycles.is_empty());
        }

        // Forward: the same items, of the same kinds, in the same states.
        for now in [middle, last_time + 1] {
            let forward = graph
                .forward(&[id.as_str()], now)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (reached, containers) = brute.forward(std::slice::from_ref(id));
            let mut got_items = BTreeSet::new();
            for lot in &forward.lots {
                got_items.insert((lot.clone(), "lot"));
            }
            for item in forward
                .pallets
                .iter()
                .chain(&forward.cases)
                .chain(&forward.cans)
            {
                got_items.insert((item.id.clone(), kind_name(item.kind)));
                let want = brute.state(&item.id, now);
                prop_assert_eq!(
                    &item.holder,
                    &want.holder,
                    "holder of {} at {}",
                    item.id,
                    now
                );
                prop_assert_eq!(&item.location, &want.location, "location of {}", item.id);
                prop_assert_eq!(
                    &item.disposition,
                    &want.disposition,
                    "disposition of {}",
                    item.id
                );
                let persistent: BTreeSet<String> =
                    item.persistent_dispositions.iter().cloned().collect();
                prop_assert_eq!(&persistent, &want.persistent, "persistent of {}", item.id);
                prop_assert_eq!(
                    item.last_event.as_ref().map(|e| e.event_seq),
                    want.last_seq,
                    "last event of {}",
                    item.id
                );
            }
            let want_items: BTreeSet<(String, &str)> = reached
                .iter()
                .chain(&containers)
                .map(|x| (x.clone(), brute.kind(x, &intervals)))
                .collect();
            prop_assert_eq!(got_items, want_items, "forward items of {}", id);
        }
    }

    // Recall from every lot: every reached can in exactly one holder group, with the brute
    // force's holder, channel and state.
    for start in ids
        .iter()
        .filter(|(_, class)| **class)
        .map(|(id, _)| id.clone())
    {
        let parties = directory();
        let scope = RecallScope::Identifiers {
            ids: vec![start.clone()],
        };
        let recall = graph
            .recall(&scope, last_time + 1, &parties, RecallOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let report = recall.report(&parties);
        let (reached, above) = brute.forward(std::slice::from_ref(&start));
        let want_cans: BTreeSet<String> = reached
            .iter()
            .filter(|x| brute.kind(x, &intervals) == "can")
            .cloned()
            .collect();
        let got_cans: BTreeSet<String> = report.cans.iter().map(|c| c.state.id.clone()).collect();
        prop_assert_eq!(&got_cans, &want_cans);
        // Pallets and cases: the same ones, of the same kinds, in the brute force's states
        // (the recall takes most of them through its containers' shortcut).
        let want_containers: BTreeSet<(String, &str)> = reached
            .iter()
            .chain(&above)
            .map(|x| (x.clone(), brute.kind(x, &intervals)))
            .filter(|(_, kind)| matches!(*kind, "pallet" | "case"))
            .collect();
        let got_containers: BTreeSet<(String, &str)> = report
            .pallets
            .iter()
            .chain(&report.cases)
            .map(|item| (item.state.id.clone(), kind_name(item.state.kind)))
            .collect();
        prop_assert_eq!(
            &got_containers,
            &want_containers,
            "recall containers of {}",
            start
        );
        for item in report.pallets.iter().chain(&report.cases) {
            let want = brute.state(&item.state.id, last_time + 1);
            let got = &item.state;
            prop_assert_eq!(&got.holder, &want.holder, "recall holder of {}", got.id);
            prop_assert_eq!(
                &got.location,
                &want.location,
                "recall location of {}",
                got.id
            );
            prop_assert_eq!(
                &got.disposition,
                &want.disposition,
                "recall disposition of {}",
                got.id
            );
            let persistent: BTreeSet<String> =
                got.persistent_dispositions.iter().cloned().collect();
            prop_assert_eq!(
                &persistent,
                &want.persistent,
                "recall persistent of {}",
                got.id
            );
            prop_assert_eq!(
                got.last_event.as_ref().map(|e| e.event_seq),
                want.last_seq,
                "recall last event of {}",
                got.id
            );
        }
        let mut grouped = 0;
        for group in &report.holders {
            for can_id in &group.cans {
                grouped += 1;
                let want = brute.state(can_id, last_time + 1);
                prop_assert_eq!(&group.gln, &want.holder);
            }
        }
        prop_assert_eq!(grouped, want_cans.len());
        let total: usize = report.cans_per_channel.iter().map(|(_, n)| n).sum();
        prop_assert_eq!(total, want_cans.len());
        for item in &report.cans {
            let want = brute.state(&item.state.id, last_time + 1);
            prop_assert_eq!(
                &item.state.location,
                &want.location,
                "recall location of {}",
                item.state.id
            );
            prop_assert_eq!(
                &item.state.disposition,
                &want.disposition,
                "recall disposition of {}",
                item.state.id
            );
            let persistent: BTreeSet<String> =
                item.state.persistent_dispositions.iter().cloned().collect();
            prop_assert_eq!(
                &persistent,
                &want.persistent,
                "recall persistent of {}",
                item.state.id
            );
            prop_assert_eq!(
                item.state.last_event.as_ref().map(|e| e.event_seq),
                want.last_seq,
                "recall last event of {}",
                item.state.id
            );
            let expected = if want.disposition.as_deref() == Some("destroyed") {
                Channel::Destroyed
            } else if want.disposition.as_deref() == Some("retail_sold") {
                Channel::SoldToConsumer
            } else {
                match want
                    .holder
                    .as_deref()
                    .and_then(|g| parties.get(g))
                    .map(|p| p.kind)
                {
                    None => Channel::Unknown,
                    Some(PartyKind::Manufacturer) => Channel::AtManufacturer,
                    Some(PartyKind::Distributor | PartyKind::Logistics) => Channel::InDistribution,
                    Some(PartyKind::Shop | PartyKind::ECommerce) => {
                        if want.disposition.as_deref() == Some("in_transit") {
                            Channel::InDistribution
                        } else {
                            Channel::OnShopShelf
                        }
                    }
                    Some(_) => Channel::ExportedOrCrossBorder,
                }
            };
            prop_assert_eq!(item.channel, expected, "channel of {}", item.state.id);
        }
    }
    let _ = canon;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn trace_and_recall_agree_with_the_brute_force(
        ops in prop::collection::vec((op(), -15i8..15), 1..40)
    ) {
        let log = build(&ops);
        check_everything(&log)?;
    }
}

/// Cans with the same history packed into one case take their case-mates' state as it is
/// (`LastInContainer`); these chains break that sharing in each way the shortcut must see:
/// a can unpacked from its case and sold, cans taken out and shipped to another holder while
/// the rest of the case stays, a case marked recalled while some cans are out of it, and a
/// case whose cans came from two commissioning events.
#[test]
fn cans_that_leave_their_case_or_split_it_agree_with_the_brute_force() {
    let collect = Op::Collect { farm: 0, kg: 100 };
    let finish = Op::Finish {
        inputs: vec![0],
        kg: 50,
    };
    let commission = Op::Commission { lot: 0, n: 4 };
    // In `Ship`/`Receive2`/`Persist`, items are numbered pallets (3), cases (6), cans.
    let (pallet0, case0, case1) = (0u8, 3u8, 4u8);
    let can = |k: u8| 9 + k;
    let base = vec![
        collect.clone(),
        finish.clone(),
        commission.clone(),
        commission.clone(),
        Op::PackCans {
            case: 0,
            cans: (0..8).collect(),
        },
        Op::PackCases {
            pallet: 0,
            cases: vec![0],
        },
        Op::Ship {
            what: pallet0,
            to: 1,
        },
        Op::Receive2 {
            what: pallet0,
            at: 1,
        },
    ];
    let unpacked_and_sold = [
        Op::Unpack {
            container: 0,
            children: vec![2],
            all: false,
        },
        Op::Sell { can: 2, shop: 0 },
    ];
    let split_across_holders = [
        Op::Unpack {
            container: 0,
            children: vec![5, 6],
            all: false,
        },
        Op::Ship {
            what: can(5),
            to: 3,
        },
        Op::Receive2 {
            what: can(5),
            at: 3,
        },
        Op::Ship {
            what: can(6),
            to: 4,
        },
        Op::Ship { what: case0, to: 2 },
        Op::Receive2 { what: case0, at: 2 },
    ];
    let recalled_while_out = [
        Op::Unpack {
            container: 0,
            children: vec![1],
            all: false,
        },
        Op::Persist {
            what: case0,
            set: true,
        },
        Op::PackCans {
            case: 1,
            cans: vec![1],
        },
        Op::Ship { what: case1, to: 5 },
    ];
    let mut chains: Vec<Vec<Op>> = vec![base.clone()];
    for extra in [
        &unpacked_and_sold[..],
        &split_across_holders[..],
        &recalled_while_out[..],
    ] {
        let mut chain = base.clone();
        chain.extend_from_slice(extra);
        chains.push(chain);
    }
    let mut everything = base;
    everything.extend_from_slice(&unpacked_and_sold);
    everything.extend_from_slice(&split_across_holders);
    everything.extend_from_slice(&recalled_while_out);
    chains.push(everything);
    for ops in chains {
        let ops: Vec<(Op, i8)> = ops.into_iter().map(|op| (op, 0)).collect();
        let log = build(&ops);
        check_everything(&log).unwrap_or_else(|failure| panic!("{failure} in {ops:?}"));
    }
}

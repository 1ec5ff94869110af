//! `anxin demo`: one command from nothing to a platform in a browser.
//!
//! On a fresh data folder it captures a simulated world into embedded SQLite (with a progress
//! bar), makes the demo accounts (a manufacturer and a shop from the world's own accounts, a
//! provincial and the national regulator made here), records a recall of a contaminated
//! ingredient lot the simulator planted (through the same code as `anxin recall --record`),
//! and writes what it made to `demo.json` in the folder (mode 0600: it holds tokens). On a
//! folder that has `demo.json` already it reuses the world. Then it serves, as `anxin serve`
//! does, and prints a short guide.
//!
//! [`prepare`] and [`start`] are the testable parts: a test runs them on a tiny world with an
//! ephemeral port and fetches the printed URLs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anxin_server::trace::{RecallRequest, Tracer, open_recall};
use anxin_server::{AppState, ServerConfig};
use anxin_sim::capture::Progress;
use anxin_sim::world::PartyKind;
use anxin_sim::{Config, Scale};
use anxin_store::{EventQuery, NewAccount, RegionCode, Role, Store, Viewer};
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use serde::{Deserialize, Serialize};

use crate::db::{DbUrl, open, runtime};

/// The seed of the demo world (any fixed number: the demo is the same on every machine).
pub const DEMO_SEED: u64 = 20_261_126;

/// The file in the data folder that says a world is there and what the demo made.
pub const GUIDE_FILE: &str = "demo.json";

/// The SQLite file in the data folder.
pub const DB_FILE: &str = "anxin.db";

/// `anxin demo` arguments.
#[derive(Args)]
pub struct DemoArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// tiny (3,000 cans), small (100,000), medium (1,000,000) or large (10,000,000).
    #[arg(long, default_value = "small")]
    scale: String,
    /// The data folder: made if missing, reused when it holds a demo world already.
    #[arg(long, value_name = "DIR", default_value = "anxin-demo")]
    data: PathBuf,
    /// A trouble rate in percent, as for `anxin sim` (e.g. `--trouble counterfeit=20`);
    /// repeatable; the others keep the simulator's defaults. Only used when making a world.
    #[arg(long = "trouble", value_name = "NAME=PERCENT")]
    troubles: Vec<String>,
}

/// One demo account and its token.
#[derive(Clone, Serialize, Deserialize, Debug)]
pub struct DemoAccount {
    /// What it is for, in Chinese and English.
    pub label: String,
    /// The account's name.
    pub name: String,
    /// The bearer token.
    pub token: String,
}

/// What the demo made, kept in `demo.json`; paths are relative to the server's address.
#[derive(Clone, Serialize, Deserialize, Debug)]
pub struct Guide {
    /// The seed and number of cans of the world.
    pub seed: u64,
    /// Cans made.
    pub cans: u64,
    /// A can sold normally: not recalled, not counterfeit; made in China when one was sold
    /// (so its passport shows the factory's production licence and the product's formula
    /// registration; an import has no SC licence and may be a planted unregistered product).
    pub normal_can: Option<String>,
    /// A can of the recalled lot.
    pub recalled_can: Option<String>,
    /// The recall's ID.
    pub recall_id: Option<String>,
    /// A serial the simulator sold twice in distant cities.
    pub counterfeit_can: Option<String>,
    /// The accounts.
    pub accounts: Vec<DemoAccount>,
}

impl Guide {
    /// The printed guide for a server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn text(&self, base: &str) -> String {
        let mut out = format!(
            "安心 Anxin demo: {} cans (seed {}), serving on {base}\n\n",
            self.cans, self.seed
        );
        let line = |label: &str, path: &Option<String>, why: &str| match path {
            Some(path) => format!("  {label}: {base}{path}\n"),
            None => format!("  {label}: (none in this world: {why})\n"),
        };
        out.push_str("Product passports (public, no login):\n");
        out.push_str(&line(
            "a normal can / 正常产品",
            &self.normal_can,
            "no can was sold",
        ));
        out.push_str(&line(
            "a recalled can / 已召回产品",
            &self.recalled_can,
            "the simulator planted no contaminated ingredient lot",
        ));
        out.push_str(&line(
            "a counterfeit serial / 疑似假冒",
            &self.counterfeit_can,
            "the simulator planted no counterfeit",
        ));
        out.push_str("\nPages (Chinese; add ?lang=en for English):\n");
        out.push_str(&format!(
            "  login page / 登录页: {base}/login (paste an account's token below; then {base}/app)\n"
        ));
        out.push_str(&format!(
            "  shop inspector's check / 市场检查: {base}/check\n"
        ));
        if let Some(recall_id) = &self.recall_id {
            out.push_str(&format!(
                "  the recorded recall / 召回: {base}/app/recalls/{recall_id} (after login)\n"
            ));
        }
        out.push_str(&format!(
            "  signed tree head / 账本: {base}/api/v1/ledger/sth\n"
        ));
        out.push_str(
            "\nAccounts (paste a token at /login, or send it as `Authorization: Bearer TOKEN`):\n",
        );
        for account in &self.accounts {
            out.push_str(&format!(
                "  {}: {}\n    {}\n",
                account.label, account.name, account.token
            ));
        }
        out.push_str(
            "\nCtrl-C stops the server; `anxin demo` on the same folder starts it again.\n",
        );
        out
    }
}

/// Runs `anxin demo`.
pub fn run(args: DemoArgs) -> Result<u8> {
    let scale = Scale::parse(&args.scale)
        .ok_or_else(|| anyhow!("--scale must be tiny, small, medium or large"))?;
    let mut config = Config::new(DEMO_SEED, scale.cans());
    config.troubles = crate::sim::troubles(&args.troubles)?;
    runtime()?.block_on(async move {
        let bar = crate::sim::progress_bar(config.cans);
        let started = Instant::now();
        let shown = bar.clone();
        let mut tell = move |progress: Progress| crate::sim::show(&shown, started, progress);
        let prepared = prepare(&args.data, config, &mut tell).await;
        bar.finish_and_clear();
        let (store, guide) = prepared?;
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("failed to listen on {}", args.addr))?;
        let running = start(store, &args.data, listener).await?;
        // The server listens at once; the guide is printed when the trace graph is built,
        // so that every URL it gives works when it is shown.
        let text = guide.text(&format!("http://{}", running.address));
        if let Some(tracer) = running.state.tracer.clone() {
            eprintln!("anxin: building the trace graph; the guide follows when it is ready");
            tokio::spawn(async move {
                tracer.wait_ready().await;
                print!("{text}");
            });
        } else {
            print!("{text}");
        }
        running
            .serve(crate::serve::shutdown_signal())
            .await
            .context("the server stopped with an error")?;
        eprintln!("anxin: stopped");
        Ok(crate::exit::OK)
    })
}

/// Opens the demo world in `data`, making it first when the folder has none.
pub async fn prepare(
    data: &Path,
    config: Config,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<(Arc<dyn Store>, Guide)> {
    let guide_path = data.join(GUIDE_FILE);
    let db_path = data.join(DB_FILE);
    let url = DbUrl::parse(&format!("sqlite://{}", db_path.display()))?;
    if guide_path.exists() {
        let bytes = std::fs::read(&guide_path)
            .with_context(|| format!("cannot read {}", guide_path.display()))?;
        let guide: Guide = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is not a demo guide; remove the folder to start afresh",
                guide_path.display()
            )
        })?;
        return Ok((open(&url).await?, guide));
    }
    if db_path.exists() {
        bail!(
            "{} holds a store but no {GUIDE_FILE}: an earlier demo stopped while making its world \
             (or the folder is not a demo's). Remove the folder, or give another --data",
            data.display()
        );
    }
    std::fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
    let store = open(&url).await?;
    let world = config.world();
    let summary = anxin_sim::capture_world(store.as_ref(), &world, config, progress)
        .await
        .context("failed to capture the demo world")?;
    crate::sim::record_releases(store.as_ref(), &summary).await?;
    let manifest = &summary.manifest;

    let mut accounts = Vec::new();
    let manufacturer = summary
        .tokens
        .iter()
        .find(|token| token.kind == PartyKind::Manufacturer);
    for (kind, label) in [
        (PartyKind::Manufacturer, "manufacturer / 生产企业"),
        (PartyKind::MotherBabyShop, "shop / 母婴店"),
    ] {
        if let Some(token) = summary.tokens.iter().find(|token| token.kind == kind) {
            accounts.push(DemoAccount {
                label: label.to_owned(),
                name: token.name.clone(),
                token: token.token.clone(),
            });
        }
    }
    // The provincial regulator oversees the demo manufacturer's province.
    let province = manufacturer
        .and_then(|token| token.region.as_deref())
        .filter(|region| region.len() == 6)
        .map_or_else(
            || "110000".to_owned(),
            |region| format!("{}0000", &region[..2]),
        );
    let (_, provincial) = store
        .create_account(NewAccount {
            name: format!("省级市场监管局 ({province})"),
            role: Role::Regulator,
            party: None,
            region: Some(RegionCode::parse(&province).map_err(|err| anyhow!(err))?),
        })
        .await?;
    accounts.push(DemoAccount {
        label: "provincial regulator / 省级监管".to_owned(),
        name: format!("省级市场监管局 ({province})"),
        token: provincial,
    });
    let (national_account, national) = store
        .create_account(NewAccount {
            name: "国家市场监督管理总局".to_owned(),
            role: Role::Regulator,
            party: None,
            region: Some(RegionCode::NATIONAL),
        })
        .await?;
    accounts.push(DemoAccount {
        label: "national regulator / 国家监管".to_owned(),
        name: national_account.name.clone(),
        token: national,
    });

    // A recall of the first planted contaminated lot, recorded by the national regulator.
    let mut recall_id = None;
    let mut recalled = std::collections::BTreeSet::new();
    if let Some(contaminated) = manifest.contaminated_ingredients.first() {
        let tracer = Tracer::open(Arc::clone(&store))
            .await
            .context("failed to build the trace graph")?;
        let request = RecallRequest {
            ids: vec![contaminated.lot.clone()],
            farm: None,
            from: None,
            to: None,
            level: Some(serde_json::Value::from(1)),
            reason: format!(
                "{}批次检出问题 ({}): 演示召回",
                contaminated.ingredient, contaminated.finding
            ),
        };
        let opened = open_recall(
            &tracer,
            &Viewer::new(national_account),
            &request,
            true,
            anxin_store::now_ms(),
        )
        .await
        .map_err(|failure| anyhow!("the demo recall failed: {failure}"))?;
        for can in &opened.report.cans {
            if let Ok(link) = anxin_gs1::canonical_digital_link(&can.state.id) {
                recalled.insert(link);
            }
        }
        recall_id = Some(opened.record.recall_id.clone());
    }
    let counterfeits: std::collections::BTreeSet<String> = manifest
        .counterfeits
        .iter()
        .filter_map(|fake| anxin_gs1::canonical_digital_link(&fake.epc).ok())
        .collect();
    // The recalled can shown is one whose serial was not also planted as a counterfeit, so
    // each guide line shows one warning (any recalled can if every one was).
    let recalled_can = recalled
        .iter()
        .find(|link| !counterfeits.contains(*link))
        .or_else(|| recalled.iter().next())
        .map(|link| passport_path(link));
    let counterfeit_can = counterfeits.iter().next().map(|link| passport_path(link));
    let normal = |link: &str| !recalled.contains(link) && !counterfeits.contains(link);
    // A can of a product made in China first (its passport shows a licence and a
    // registration), looked for product by product; any normal can otherwise.
    let mut normal_can = None;
    for product in world
        .products
        .iter()
        .filter(|product| world.parties[product.maker].kind == PartyKind::Manufacturer)
    {
        let only = [("MATCH_epc".to_owned(), product.class_pattern(&world))];
        normal_can = sold_can(store.as_ref(), &only, normal).await?;
        if normal_can.is_some() {
            break;
        }
    }
    if normal_can.is_none() {
        normal_can = sold_can(store.as_ref(), &[], normal).await?;
    }
    let normal_can = normal_can.map(|link| passport_path(&link));

    let guide = Guide {
        seed: config.seed,
        cans: manifest.counts.cans,
        normal_can,
        recalled_can,
        recall_id,
        counterfeit_can,
        accounts,
    };
    write_private(&guide_path, &serde_json::to_vec_pretty(&guide)?)?;
    Ok((store, guide))
}

/// `/01/…/21/…` from `https://id.gs1.org/01/…/21/…`.
fn passport_path(link: &str) -> String {
    link.strip_prefix("https://id.gs1.org")
        .unwrap_or(link)
        .to_owned()
}

/// The first can sold at retail that `wanted` accepts, as its canonical Digital Link,
/// among the sales `only` (further query parameters) narrows down to.
async fn sold_can(
    store: &dyn Store,
    only: &[(String, String)],
    wanted: impl Fn(&str) -> bool,
) -> Result<Option<String>> {
    let mut params = vec![
        ("EQ_bizStep".to_owned(), "retail_selling".to_owned()),
        ("eventCountLimit".to_owned(), "200".to_owned()),
    ];
    params.extend_from_slice(only);
    let query = EventQuery::parse(&params, &Vec::<(String, String)>::new())
        .map_err(|err| anyhow!("the demo's query was refused: {err:?}"))?;
    let page = store.list_events(&crate::trace::operator(), &query).await?;
    for stored in page.events {
        let value: serde_json::Value = serde_json::from_str(&stored.body)?;
        for epc in value["epcList"].as_array().into_iter().flatten() {
            if let Some(link) = epc
                .as_str()
                .and_then(|epc| anxin_gs1::canonical_digital_link(epc).ok())
                && wanted(&link)
            {
                return Ok(Some(link));
            }
        }
    }
    Ok(None)
}

/// Writes a file only its owner may read (it holds tokens).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A demo server ready to serve.
pub struct Running {
    /// The bound address.
    pub address: SocketAddr,
    listener: tokio::net::TcpListener,
    state: AppState,
}

impl Running {
    /// Serves until `shutdown` completes.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        anxin_server::serve_with_listener(self.listener, self.state, shutdown).await
    }
}

/// The server over the demo's store: ledger key in the data folder, the trace graph being
/// built in the background (`Tracer::wait_ready` says when it is).
pub async fn start(
    store: Arc<dyn Store>,
    data: &Path,
    listener: tokio::net::TcpListener,
) -> Result<Running> {
    let (key, _) = anxin_server::ledger::load_or_create_key(data)?;
    let ledger = anxin_server::ledger::Ledger::open(store.clone(), key)
        .await
        .context("failed to read the ledger")?;
    let tracer = Arc::new(Tracer::building(store.clone()));
    tracer.build_in_background();
    let state = AppState::new(store, ServerConfig::default())
        .with_ledger(Arc::new(ledger))
        .with_tracer(tracer);
    let address = listener
        .local_addr()
        .context("failed to read the bound address")?;
    Ok(Running {
        address,
        listener,
        state,
    })
}

//! `anxin sim`: make a seeded infant-formula world and either capture it into a store as
//! its parties (`--db`) or write it out as EPCIS 2.0 documents (`--out`).
//!
//! The world itself comes from `anxin-sim`; this module only chooses where it goes, shows
//! progress and writes files. With `--out DIR` it writes `events/NNNNNN-GLN.jsonld` (or
//! `.xml`), one file per upload in the order they were made, `master-data.jsonld` (every
//! party's master data, no events), `manifest.json` (what was planted) and the quality data
//! under `quality/`: `lab-reports.csv` (every lot's release results), `raw-milk-tests.csv`
//! (every delivery's receiving tests), `haccp-readings.csv` and `haccp-corrective-actions.csv`.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anxin_epcis::{Format, Header};
use anxin_sim::capture::Progress;
use anxin_sim::{Config, Generator, Manifest, Scale, Troubles, Upload, World};
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::db::{DbUrl, open, runtime};

/// `anxin sim` arguments.
#[derive(Args)]
pub struct SimArgs {
    /// tiny (3,000 cans), small (100,000), medium (1,000,000) or large (10,000,000).
    #[arg(long, default_value = "tiny")]
    scale: String,
    /// Make this many cans instead (rounded up to whole cases of six).
    #[arg(long)]
    cans: Option<u64>,
    /// The seed: the same seed and size give the same world, byte for byte.
    #[arg(long)]
    seed: u64,
    /// Capture into this store (`sqlite://PATH` or `postgres://…`), one account per party.
    #[arg(long, value_name = "URL", conflicts_with = "out")]
    db: Option<String>,
    /// Write documents, master data and the manifest into this (new or empty) folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The syntax of the written documents: json (JSON-LD) or xml.
    #[arg(long, default_value = "json")]
    format: String,
    /// The first production day (YYYY-MM-DD, China time); default 2026-10-01.
    #[arg(long)]
    start: Option<String>,
    /// A trouble rate in percent, e.g. `--trouble counterfeit=5`; repeatable. Names:
    /// contaminated_ingredient, raw_milk_over_limit, shipped_before_release, counterfeit,
    /// order_gap, unregistered_import, lab_out_of_limit, lab_missing_analyte,
    /// raw_milk_rejected_used, haccp_deviation.
    #[arg(long = "trouble", value_name = "NAME=PERCENT")]
    troubles: Vec<String>,
    /// With --db: write the manifest (what was planted) to this file.
    #[arg(long, value_name = "FILE", requires = "db")]
    manifest: Option<PathBuf>,
    /// With --db: write every party's account token to this JSON file (for demos).
    #[arg(long, value_name = "FILE", requires = "db")]
    tokens: Option<PathBuf>,
}

/// Runs `anxin sim`.
pub fn run(args: SimArgs) -> Result<u8> {
    let config = config(&args)?;
    let format = match args.format.as_str() {
        "json" => Format::Json,
        "xml" => Format::Xml,
        other => bail!("--format must be json or xml (got `{other}`)"),
    };
    let started = Instant::now();
    let world = config.world();
    let (manifest, n_stored) = match (&args.db, &args.out) {
        (Some(url), None) => {
            let summary = capture(&args, &world, config, url)?;
            (summary.0, Some(summary.1))
        }
        (None, Some(dir)) => (write_out(dir, &world, config, format)?, None),
        _ => bail!("say where the world goes: --db URL or --out DIR"),
    };
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let counts = &manifest.counts;
    let mut summary = format!(
        "made {} cans, {} events in {} documents from {} parties in {seconds:.1} s \
         ({:.0} cans/s, {:.0} events/s)\n",
        counts.cans,
        counts.events,
        counts.documents,
        counts.parties,
        counts.cans as f64 / seconds,
        counts.events as f64 / seconds,
    );
    if let Some(n_stored) = n_stored {
        summary.push_str(&format!(
            "stored {n_stored} events, the raw-milk tests of {} deliveries and {} HACCP readings \
             of {} production runs\n",
            counts.raw_milk_deliveries, counts.haccp_readings, counts.haccp_runs
        ));
    }
    summary.push_str(&format!(
        "planted: {} contaminated ingredient lots, {} raw-milk deliveries over limits, {} lots \
         shipped before release, {} counterfeit serials, {} cross-border orders with a gap, \
         {} unregistered imported products; {} lots with a result out of limit, {} lots with a \
         required result missing, {} raw-milk deliveries rejected by the manufacturer and used, \
         {} HACCP deviations\n",
        manifest.contaminated_ingredients.len(),
        manifest.raw_milk_over_limit.len(),
        manifest.shipped_before_release.len(),
        manifest.counterfeits.len(),
        manifest.order_gaps.len(),
        manifest.unregistered_imports.len(),
        manifest.lab_out_of_limit.len(),
        manifest.lab_missing_analyte.len(),
        manifest.raw_milk_rejected_used.len(),
        manifest.haccp_deviations.len(),
    ));
    // The world is made and written by now; a reader that closed the pipe early (`| head`)
    // is not an error worth a panic.
    let _ = std::io::stdout().write_all(summary.as_bytes());
    Ok(crate::exit::OK)
}

fn config(args: &SimArgs) -> Result<Config> {
    let scale = Scale::parse(&args.scale)
        .ok_or_else(|| anyhow!("--scale must be tiny, small, medium or large"))?;
    let cans = args.cans.unwrap_or_else(|| scale.cans());
    if cans == 0 {
        bail!("--cans must be at least 1");
    }
    let mut config = Config::new(args.seed, cans);
    if let Some(start) = &args.start {
        let date: jiff::civil::Date = start
            .parse()
            .map_err(|err| anyhow!("--start `{start}` is not a date (YYYY-MM-DD): {err}"))?;
        let offset = jiff::tz::Offset::from_hours(8).map_err(|err| anyhow!("{err}"))?;
        let zoned = date
            .to_zoned(jiff::tz::TimeZone::fixed(offset))
            .map_err(|err| anyhow!("--start `{start}`: {err}"))?;
        config.start_ms = zoned.timestamp().as_millisecond();
    }
    config.troubles = troubles(&args.troubles)?;
    Ok(config)
}

pub(crate) fn troubles(given: &[String]) -> Result<Troubles> {
    let mut troubles = Troubles::default();
    for item in given {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| anyhow!("--trouble `{item}` must be NAME=PERCENT"))?;
        let percent: u64 = value
            .parse()
            .ok()
            .filter(|percent| *percent <= 100)
            .ok_or_else(|| anyhow!("--trouble `{item}`: the rate must be 0 to 100 (percent)"))?;
        let slot = match name {
            "contaminated_ingredient" => &mut troubles.contaminated_ingredient_percent,
            "raw_milk_over_limit" => &mut troubles.raw_milk_over_limit_percent,
            "shipped_before_release" => &mut troubles.shipped_before_release_percent,
            "counterfeit" => &mut troubles.counterfeit_percent,
            "order_gap" => &mut troubles.order_gap_percent,
            "unregistered_import" => &mut troubles.unregistered_import_percent,
            "lab_out_of_limit" => &mut troubles.lab_out_of_limit_percent,
            "lab_missing_analyte" => &mut troubles.lab_missing_analyte_percent,
            "raw_milk_rejected_used" => &mut troubles.raw_milk_rejected_used_percent,
            "haccp_deviation" => &mut troubles.haccp_deviation_percent,
            other => bail!(
                "--trouble `{other}` is not a trouble; use contaminated_ingredient, \
                 raw_milk_over_limit, shipped_before_release, counterfeit, order_gap, \
                 unregistered_import, lab_out_of_limit, lab_missing_analyte, \
                 raw_milk_rejected_used or haccp_deviation"
            ),
        };
        *slot = percent;
    }
    Ok(troubles)
}

pub(crate) fn progress_bar(cans: u64) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(cans), target);
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} cans ({per_sec}, {eta}) {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

pub(crate) fn show(bar: &ProgressBar, started: Instant, progress: Progress) {
    bar.set_position(progress.cans);
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let mut message = format!(
        "{} events, {:.0} events/s",
        progress.events,
        progress.events as f64 / seconds
    );
    if progress.quality_records > 0 {
        message.push_str(&format!(
            "; {} quality records (raw-milk tests, HACCP)",
            progress.quality_records
        ));
    }
    bar.set_message(message);
}

/// Records the release rows (and so the certificates) of the simulated lots whose stored lab
/// results judge conformant, pointing at the maker's release inspection event the simulator
/// captured; lots judged non-conformant or incomplete keep the event and get no certificate
/// (the findings name the first; the second are stage-2/3 lots whose standards are not fully in
/// the data, or planted missing results).
pub async fn record_releases(
    store: &dyn anxin_store::Store,
    summary: &anxin_sim::CaptureSummary,
) -> Result<anxin_server::lab::Adopted> {
    let releases: Vec<anxin_server::lab::EventRelease> = summary
        .releases
        .iter()
        .map(|r| anxin_server::lab::EventRelease {
            lot: r.lot.clone(),
            event_id: r.event_id.clone(),
            job_id: r.job_id.clone(),
            released_ms: r.released_ms,
            account_id: r.account_id,
            party: Some(r.party.clone()),
        })
        .collect();
    anxin_server::lab::adopt_releases(store, &releases)
        .await
        .map_err(|err| anyhow::anyhow!("recording the simulated releases: {err}"))
}

/// Captures the world into the store; returns the manifest and the number of events stored.
fn capture(args: &SimArgs, world: &World, config: Config, url: &str) -> Result<(Manifest, u64)> {
    let url = DbUrl::parse(url)?;
    let summary = runtime()?.block_on(async {
        let store = open(&url).await?;
        let bar = progress_bar(config.cans);
        let started = Instant::now();
        let shown = bar.clone();
        let mut tell = move |progress: Progress| show(&shown, started, progress);
        let summary = anxin_sim::capture_world(store.as_ref(), world, config, &mut tell)
            .await
            .with_context(|| format!("failed to capture the world into {}", url.redacted()));
        bar.finish_and_clear();
        let summary = summary?;
        record_releases(store.as_ref(), &summary).await?;
        anyhow::Ok(summary)
    })?;
    if let Some(path) = &args.manifest {
        write_json(path, &summary.manifest)?;
    }
    if let Some(path) = &args.tokens {
        let tokens: Vec<serde_json::Value> = summary
            .tokens
            .iter()
            .map(|token| {
                serde_json::json!({
                    "gln": token.gln,
                    "name": token.name,
                    "kind": token.kind.name(),
                    "region": token.region,
                    "token": token.token,
                })
            })
            .collect();
        write_json(path, &tokens)?;
    }
    Ok((summary.manifest, summary.n_stored))
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value).context("failed to encode JSON")?;
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes every upload, the master data and the manifest into `dir`.
fn write_out(dir: &Path, world: &World, config: Config, format: Format) -> Result<Manifest> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty: give a new or empty folder, so no old file is mistaken for part of this world",
            dir.display()
        );
    }
    let events_dir = dir.join("events");
    std::fs::create_dir_all(&events_dir)
        .with_context(|| format!("cannot create {}", events_dir.display()))?;
    let extension = match format {
        Format::Json => "jsonld",
        Format::Xml => "xml",
    };
    let bar = progress_bar(config.cans);
    let started = Instant::now();
    let mut generator = Generator::new(world, config);
    let mut done = Progress::default();
    while let Some(upload) = generator.next() {
        let name = format!(
            "{:06}-{}.{extension}",
            done.documents, world.parties[upload.party].gln
        );
        write_upload(&events_dir.join(name), &upload, format)?;
        done.documents += 1;
        done.events += upload.events.len() as u64;
        done.cans = generator.manifest().counts.cans;
        show(&bar, started, done);
    }
    bar.finish_and_clear();
    let (manifest, quality) = generator.into_parts();
    write_quality(&dir.join("quality"), &quality)?;
    let mut header = Header::new(anxin_epcis::EpcisTime::utc(
        jiff::Timestamp::from_millisecond(config.start_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
    ));
    header
        .namespaces
        .declare(anxin_sim::vocab::PREFIX, anxin_sim::vocab::NAMESPACE);
    header.master_data = anxin_sim::master_data::of_world(world);
    write_upload(
        &dir.join(format!("master-data.{extension}")),
        &Upload {
            party: 0,
            header,
            events: Vec::new(),
        },
        format,
    )?;
    write_json(&dir.join("manifest.json"), &manifest)?;
    Ok(manifest)
}

/// Writes the quality data as CSV files: each results file has the columns
/// `analyte,value,unit,sample_unit` that `anxin_quality::results` reads, after columns naming
/// the lot or delivery.
fn write_quality(dir: &Path, quality: &anxin_sim::Quality) -> Result<()> {
    use anxin_sim::quality::csv_rows;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    let mut text = String::from(
        "lot,report,lab_gln,product,produced,reported_ms,analyte,value,unit,sample_unit\n",
    );
    for report in &quality.lab_reports {
        let product = serde_json::to_value(report.product)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let prefix = format!(
            "{},{},{},{product},{},{},",
            report.lot, report.id, report.lab_gln, report.produced, report.reported_ms
        );
        text.push_str(&csv_rows(&prefix, &report.measurements));
    }
    write("lab-reports.csv", text)?;
    let mut text = String::from(
        "delivery,farm_gln,factory_gln,received,received_ms,analyte,value,unit,sample_unit\n",
    );
    for d in &quality.deliveries {
        let prefix = format!(
            "{},{},{},{},{},",
            d.delivery.id, d.delivery.supplier, d.factory_gln, d.delivery.received, d.received_ms
        );
        text.push_str(&csv_rows(&prefix, &d.delivery.tests));
    }
    write("raw-milk-tests.csv", text)?;
    let mut readings = String::from("plant_gln,date,ccp,at,value\n");
    let mut actions = String::from("plant_gln,ccp,deviation_start,recorded_at,by,action\n");
    for run in &quality.runs {
        for series in &run.series {
            for reading in &series.readings {
                readings.push_str(&format!(
                    "{},{},{},{},{}\n",
                    run.plant_gln, run.date, series.ccp, reading.at, reading.value
                ));
            }
        }
        for action in &run.actions {
            actions.push_str(&format!(
                "{},{},{},{},{},\"{}\"\n",
                run.plant_gln,
                action.ccp,
                action.deviation_start,
                action.recorded_at,
                action.by,
                action.action.replace('"', "\"\"")
            ));
        }
    }
    write("haccp-readings.csv", readings)?;
    write("haccp-corrective-actions.csv", actions)
}

fn write_upload(path: &Path, upload: &Upload, format: Format) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let out = BufWriter::new(file);
    let written = match format {
        Format::Json => {
            let mut writer = anxin_epcis::json::Writer::start(out, &upload.header)?;
            for event in &upload.events {
                writer.event(event)?;
            }
            writer.finish()
        }
        Format::Xml => {
            let mut writer = anxin_epcis::xml::Writer::start(out, &upload.header)?;
            for event in &upload.events {
                writer.event(event)?;
            }
            writer.finish()
        }
    };
    written
        .and_then(|mut out| out.flush())
        .with_context(|| format!("cannot write {}", path.display()))
}

//! The supply-chain simulator (`anxin-sim`): how fast it makes a world, into memory, into
//! JSON-LD files and into each store, and how much memory it needs as the world grows.
//!
//! Figures, each beside a baseline measured in the same run (interleaved, best of
//! `BENCH_ROUNDS`), all in cans per second:
//! - generation in memory, beside making the same number of `anxin_epcis::sample` random
//!   events (what a world would cost if each of its events cost what a random one does);
//! - generation written as JSON-LD files (`anxin sim --out`), beside writing that many
//!   random events with the same writer in documents of the same sizes;
//! - capture into SQLite (and PostgreSQL when `ANXIN_TEST_PG` is set) through
//!   `anxin_sim::capture_world` (accounts, generation, `Store::capture` per upload), beside
//!   raw inserts of the same events' rows, already prepared, one transaction per upload
//!   (`anxin_bench::raw`, the baseline of `store_capture`).
//!
//! Then the time to build whole worlds into SQLite (`BENCH_SIM_BUILD`, default
//! `small,medium`) beside the raw inserts of the same rows, and the peak memory of
//! generating worlds of each size in a child process (`BENCH_SIM_RSS`, default
//! `small,medium,large`), medium and large beside small.
//! Knobs: `BENCH_SIM_CANS` (cans for the rate figures, default 20,000), `BENCH_ROUNDS`
//! (default 3), `BENCH_SEED` (default 1).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anxin_bench::raw::{postgres_raw, sqlite_raw};
use anxin_bench::{Report, best_of_interleaved, peak_rss_bytes};
use anxin_epcis::sample::{SampleRng, header, random_event};
use anxin_sim::{Config, Generator, Scale, Upload};
use anxin_store::prepare::{PreparedEvent, prepare_for_store};
use anxin_store::{Store, now_ms};

/// Set in a child process: generate this many cans in memory and print the peak RSS.
const CHILD: &str = "ANXIN_SIM_BENCH_CHILD";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn rate(cans: u64, elapsed: Duration) -> f64 {
    cans as f64 / elapsed.as_secs_f64().max(1e-9)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anxin-bench-sim-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Generates a world in memory; returns the number of events.
fn generate(config: Config) -> u64 {
    let world = config.world();
    let mut n_events = 0;
    for upload in Generator::new(&world, config) {
        n_events += upload.events.len() as u64;
        std::hint::black_box(&upload);
    }
    n_events
}

/// The sizes of a world's uploads, in events.
fn upload_sizes(config: Config) -> Vec<usize> {
    let world = config.world();
    Generator::new(&world, config)
        .map(|upload| upload.events.len())
        .collect()
}

fn write_world(config: Config, dir: &Path) {
    let world = config.world();
    for (index, upload) in Generator::new(&world, config).enumerate() {
        let file = std::fs::File::create(dir.join(format!("{index:06}.jsonld"))).expect("file");
        let mut writer =
            anxin_epcis::json::Writer::start(std::io::BufWriter::new(file), &upload.header)
                .expect("start");
        for event in &upload.events {
            writer.event(event).expect("event");
        }
        writer.finish().expect("finish");
    }
}

fn write_random(sizes: &[usize], dir: &Path) {
    let mut rng = SampleRng::new(7);
    for (index, size) in sizes.iter().enumerate() {
        let file = std::fs::File::create(dir.join(format!("r{index:06}.jsonld"))).expect("file");
        let mut writer =
            anxin_epcis::json::Writer::start(std::io::BufWriter::new(file), &header(&mut rng))
                .expect("start");
        for _ in 0..*size {
            writer.event(&random_event(&mut rng)).expect("event");
        }
        writer.finish().expect("finish");
    }
}

fn prepare(upload: Upload) -> Vec<PreparedEvent> {
    let mut hasher = anxin_epcis::hash::Hasher::new();
    let now = now_ms();
    upload
        .events
        .into_iter()
        .map(|event| prepare_for_store(event, now, &mut hasher).expect("prepare"))
        .collect()
}

/// Where the candidate and the baseline of one backend write.
enum Backend {
    Sqlite,
    Postgres(String),
}

/// Builds a world into a fresh store through `capture_world`; returns the time.
fn capture_world(runtime: &tokio::runtime::Runtime, backend: &Backend, config: Config) -> Duration {
    runtime.block_on(async {
        let dir = scratch("capture");
        let (store, schema): (Box<dyn Store>, Option<anxin_store_postgres::PgStore>) = match backend
        {
            Backend::Sqlite => {
                let store = anxin_store_sqlite::SqliteStore::open(dir.join("sim.db"))
                    .await
                    .expect("open SQLite");
                (Box::new(store), None)
            }
            Backend::Postgres(url) => {
                let schema = format!("anxin_bench_sim_{}_{}", std::process::id(), now_ms());
                let store = anxin_store_postgres::PgStore::open(url, Some(&schema))
                    .await
                    .expect("open PostgreSQL");
                (Box::new(store.clone()), Some(store))
            }
        };
        let world = config.world();
        let start = Instant::now();
        let summary = anxin_sim::capture_world(store.as_ref(), &world, config, &mut |_| {})
            .await
            .expect("capture");
        let elapsed = start.elapsed();
        assert_eq!(summary.n_stored, summary.manifest.counts.events);
        drop(store);
        if let Some(pg) = schema {
            pg.drop_schema().await.expect("drop schema");
        }
        let _ = std::fs::remove_dir_all(dir);
        elapsed
    })
}

/// Inserts a world's rows, prepared outside the timing, one transaction per upload, into
/// a fresh store's tables; returns the time spent inserting.
fn raw_world(runtime: &tokio::runtime::Runtime, backend: &Backend, config: Config) -> Duration {
    let world = config.world();
    let uploads = Generator::new(&world, config);
    match backend {
        Backend::Sqlite => {
            let dir = scratch("raw");
            let path = dir.join("raw.db");
            let store = runtime
                .block_on(anxin_store_sqlite::SqliteStore::open(&path))
                .expect("open SQLite");
            let mut conn = rusqlite::Connection::open(&path).expect("raw connection");
            conn.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;",
            )
            .expect("pragmas");
            let total = uploads
                .map(|upload| sqlite_raw(&mut conn, &prepare(upload)))
                .sum();
            drop(conn);
            drop(store);
            let _ = std::fs::remove_dir_all(dir);
            total
        }
        Backend::Postgres(url) => runtime.block_on(async {
            let schema = format!("anxin_bench_simraw_{}_{}", std::process::id(), now_ms());
            let store = anxin_store_postgres::PgStore::open(url, Some(&schema))
                .await
                .expect("open PostgreSQL");
            let mut pg: tokio_postgres::Config = url.parse().expect("url");
            pg.options(format!("-c search_path={schema}"));
            let (mut client, connection) =
                pg.connect(tokio_postgres::NoTls).await.expect("connect");
            tokio::spawn(connection);
            let mut total = Duration::ZERO;
            for upload in uploads {
                total += postgres_raw(&mut client, &prepare(upload)).await;
            }
            drop(client);
            store.drop_schema().await.expect("drop schema");
            total
        }),
    }
}

fn rates(report: &mut Report, config: Config, rounds: usize) {
    let cans = config.cans;
    let n_events = generate(config);
    let mut rng = SampleRng::new(3);
    let (sim, random) = best_of_interleaved(
        rounds,
        || {
            generate(config);
        },
        || {
            for _ in 0..n_events {
                std::hint::black_box(random_event(&mut rng));
            }
        },
    );
    report.observation(
        "generate a world in memory",
        rate(cans, sim),
        "as many random sample events",
        rate(cans, random),
        "cans/s",
    );
    let sizes = upload_sizes(config);
    let (dir_sim, dir_random) = (scratch("out-sim"), scratch("out-random"));
    let (sim, random) = best_of_interleaved(
        rounds,
        || write_world(config, &dir_sim),
        || write_random(&sizes, &dir_random),
    );
    report.observation(
        "generate a world into JSON-LD files (--out)",
        rate(cans, sim),
        "as many random events, same writer and document sizes",
        rate(cans, random),
        "cans/s",
    );
    let _ = std::fs::remove_dir_all(dir_sim);
    let _ = std::fs::remove_dir_all(dir_random);
    report.notes.push(format!(
        "rate figures: {cans} cans, {n_events} events ({:.2} events a can), {} uploads",
        n_events as f64 / cans as f64,
        sizes.len()
    ));
}

fn capture_rates(
    report: &mut Report,
    runtime: &tokio::runtime::Runtime,
    backend: &Backend,
    name: &str,
    config: Config,
    rounds: usize,
) {
    let (mut best_capture, mut best_raw) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        best_capture = best_capture.min(capture_world(runtime, backend, config));
        best_raw = best_raw.min(raw_world(runtime, backend, config));
    }
    report.figure(
        &format!("capture a world into {name}"),
        rate(config.cans, best_capture),
        "raw inserts of the same rows, one transaction per upload",
        Some(rate(config.cans, best_raw)),
        "cans/s",
        "capture reaches at least half the raw insert rate",
        0.5,
        false,
    );
}

fn builds(report: &mut Report, runtime: &tokio::runtime::Runtime, seed: u64) {
    let wanted = std::env::var("BENCH_SIM_BUILD").unwrap_or_else(|_| "small,medium".into());
    for name in wanted.split(',').filter(|name| !name.is_empty()) {
        let Some(scale) = Scale::parse(name) else {
            report
                .notes
                .push(format!("BENCH_SIM_BUILD: `{name}` is not a scale"));
            continue;
        };
        let config = Config::new(seed, scale.cans());
        let built = capture_world(runtime, &Backend::Sqlite, config);
        let raw = raw_world(runtime, &Backend::Sqlite, config);
        report.observation(
            &format!("build the {name} world into SQLite ({} cans)", scale.cans()),
            built.as_secs_f64(),
            "raw inserts of the same rows",
            raw.as_secs_f64(),
            "s",
        );
        if scale == Scale::Small {
            report.notes.push(format!(
                "small world into SQLite in {:.1} s (goal: under 30 s on the development machine)",
                built.as_secs_f64()
            ));
        }
    }
}

fn child_rss(cans: u64, seed: u64) -> Option<f64> {
    let exe = std::env::current_exe().ok()?;
    let output = std::process::Command::new(exe)
        .env(CHILD, cans.to_string())
        .env("BENCH_SEED", seed.to_string())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let bytes: f64 = text
        .lines()
        .find_map(|line| line.strip_prefix("peak_rss_bytes="))?
        .parse()
        .ok()?;
    Some(bytes / (1024.0 * 1024.0))
}

fn memory(report: &mut Report, seed: u64) {
    let wanted = std::env::var("BENCH_SIM_RSS").unwrap_or_else(|_| "small,medium,large".into());
    let Some(small) = child_rss(Scale::Small.cans(), seed) else {
        report
            .notes
            .push("peak memory not measured: the child process failed".into());
        return;
    };
    for name in wanted.split(',') {
        let Some(scale) = Scale::parse(name).filter(|scale| *scale != Scale::Small) else {
            continue;
        };
        let Some(mib) = child_rss(scale.cans(), seed) else {
            continue;
        };
        report.figure(
            &format!("peak memory generating the {name} world"),
            mib,
            "peak memory generating the small world",
            Some(small),
            "MiB",
            "memory stays bounded: at most 1.5 times the small world's",
            1.5,
            true,
        );
    }
}

fn main() {
    let seed = env_number("BENCH_SEED", 1);
    if let Ok(cans) = std::env::var(CHILD) {
        let cans: u64 = cans.parse().expect("a number of cans");
        generate(Config::new(seed, cans));
        println!("peak_rss_bytes={}", peak_rss_bytes().unwrap_or(0));
        return;
    }
    let cans = env_number("BENCH_SIM_CANS", 20_000);
    let rounds = env_number("BENCH_ROUNDS", 3) as usize;
    let runtime = anxin_bench::runtime();
    let mut report = Report::new("sim");
    report
        .notes
        .push(format!("seed {seed}; best of {rounds} interleaved rounds"));
    let config = Config::new(seed, cans);
    rates(&mut report, config, rounds);
    capture_rates(
        &mut report,
        &runtime,
        &Backend::Sqlite,
        "SQLite",
        config,
        rounds,
    );
    match std::env::var("ANXIN_TEST_PG") {
        Ok(url) => capture_rates(
            &mut report,
            &runtime,
            &Backend::Postgres(url),
            "PostgreSQL",
            config,
            rounds,
        ),
        Err(_) => report
            .notes
            .push("PostgreSQL not measured: ANXIN_TEST_PG is not set".into()),
    }
    builds(&mut report, &runtime, seed);
    memory(&mut report, seed);
    let (json, markdown) = report.write().expect("write the report");
    println!("report: {} and {}", json.display(), markdown.display());
}

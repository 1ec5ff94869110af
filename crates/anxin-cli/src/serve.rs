//! `anxin serve`: the HTTP server (the EPCIS 2.0 REST binding under `/epcis`) on one
//! address, until Ctrl-C or SIGTERM.
//!
//! Opening the store migrates it and fails jobs an earlier process left running. The webhook
//! dispatcher runs beside the server and resumes deliveries an earlier process left pending.
//! On shutdown the server stops taking requests and waits for running capture jobs to commit
//! or fail and for webhook deliveries in flight to be recorded.
//! The ledger's signing key is read from the data folder (`--data`, else `$ANXIN_DATA`, else
//! the SQLite file's folder, else `./anxin-data`) and made there on first start.
//! Limits are the server's defaults; they are not configurable from here yet.

use std::net::SocketAddr;

use anxin_server::{AppState, ServerConfig, serve_with_listener};
use anyhow::{Context, Result};
use clap::Args;

use crate::db::{DbArgs, DbUrl, open, runtime};
use crate::ledger::{DataArgs, data_folder};

/// `anxin serve` arguments.
#[derive(Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    data: DataArgs,
}

/// Runs `anxin serve`.
pub fn run(args: ServeArgs) -> Result<u8> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    runtime()?.block_on(async move {
        let url = DbUrl::from_args(&args.db)?;
        let folder = data_folder(&args.data, &url);
        let (key, made) = anxin_server::ledger::load_or_create_key(&folder)?;
        let store = open(&url).await?;
        let ledger = anxin_server::ledger::Ledger::open(store.clone(), key)
            .await
            .context("failed to read the ledger")?;
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("failed to listen on {}", args.addr))?;
        let address = listener
            .local_addr()
            .context("failed to read the bound address")?;
        eprintln!(
            "anxin: serving EPCIS 2.0 on http://{address}/epcis ({} store {})",
            store.backend(),
            url.redacted()
        );
        // After the line above, which scripts read for the address.
        eprintln!(
            "anxin: ledger of {} leaves, signing key {} ({}{})",
            ledger
                .catch_up()
                .await
                .context("failed to read the ledger")?,
            ledger.public_key().key_id(),
            folder.join(anxin_server::ledger::KEY_FILE).display(),
            if made { ", made now" } else { "" }
        );
        // The graph is built in the background: the server listens at once and answers 503
        // ("starting") for what needs the graph until it is ready.
        let tracer = std::sync::Arc::new(anxin_server::trace::Tracer::building(store.clone()));
        let building = tracer.build_in_background();
        {
            let tracer = std::sync::Arc::clone(&tracer);
            let started = std::time::Instant::now();
            tokio::spawn(async move {
                tracer.wait_ready().await;
                if let Ok(followed) = tracer.read().await {
                    eprintln!(
                        "anxin: trace graph of {} events, built in {:.1} s",
                        followed.leaves_applied(),
                        started.elapsed().as_secs_f64()
                    );
                }
            });
        }
        let state = AppState::new(store, ServerConfig::default())
            .with_ledger(std::sync::Arc::new(ledger))
            .with_tracer(tracer);
        serve_with_listener(listener, state, shutdown_signal())
            .await
            .context("the server stopped with an error")?;
        building.abort();
        eprintln!("anxin: stopped");
        Ok(crate::exit::OK)
    })
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

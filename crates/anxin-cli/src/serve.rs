//! `anxin serve`: the HTTP server (the EPCIS 2.0 REST binding under `/epcis`) on one
//! address, until Ctrl-C or SIGTERM.
//!
//! Opening the store migrates it and fails jobs an earlier process left running. The webhook
//! dispatcher runs beside the server and resumes deliveries an earlier process left pending.
//! On shutdown the server stops taking requests and waits for running capture jobs to commit
//! or fail and for webhook deliveries in flight to be recorded.
//! Limits are the server's defaults; they are not configurable from here yet.

use std::net::SocketAddr;

use anxin_server::{AppState, ServerConfig, serve_with_listener};
use anyhow::{Context, Result};
use clap::Args;

use crate::db::{DbArgs, DbUrl, open, runtime};

/// `anxin serve` arguments.
#[derive(Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    db: DbArgs,
}

/// Runs `anxin serve`.
pub fn run(args: ServeArgs) -> Result<u8> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    runtime()?.block_on(async move {
        let url = DbUrl::from_args(&args.db)?;
        let store = open(&url).await?;
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
        let state = AppState::new(store, ServerConfig::default());
        serve_with_listener(listener, state, shutdown_signal())
            .await
            .context("the server stopped with an error")?;
        eprintln!("anxin: stopped");
        Ok(crate::exit::OK)
    })
}

async fn shutdown_signal() {
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

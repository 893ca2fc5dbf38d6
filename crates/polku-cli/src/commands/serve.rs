//! `polku serve`: the web workbench of a workspace and its event collector.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use polku_server::collector::Collector;
use polku_server::{AppState, ServerOptions};
use polku_store::WorkspaceDir;

use super::note;

/// Options of `polku serve`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Add users first with `polku user add NAME --role editor --password-stdin`.\n\n\
Examples:\n  polku serve\n  polku serve --addr 0.0.0.0:8080 --secure-cookies   (behind an HTTPS proxy)"
)]
pub struct ServeArgs {
    /// The address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub addr: SocketAddr,
    /// Mark cookies Secure on every response: for a server reached only through HTTPS. Without
    /// it, cookies are Secure when a proxy sends `X-Forwarded-Proto: https`.
    #[arg(long)]
    pub secure_cookies: bool,
    /// Seconds between compactions of collected events into the Parquet tables.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    pub compact_every: f64,
}

/// Runs `polku serve` until Ctrl-C or SIGTERM, then lets requests in flight finish.
///
/// # Errors
/// When the workspace cannot be opened or the address cannot be bound.
pub fn run(args: &ServeArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let ws = WorkspaceDir::open(workspace)?;
    if !(args.compact_every > 0.0 && args.compact_every.is_finite()) {
        anyhow::bail!("--compact-every must be a positive number of seconds");
    }
    let state = AppState::open(
        workspace,
        ServerOptions {
            secure_cookies: args.secure_cookies,
        },
    )
    .with_context(|| format!("cannot open the workspace {}", workspace.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server runtime")?;
    runtime.block_on(async {
        let (collector, recovery) = Collector::open_with_recovery(&ws)?;
        if recovery.torn_bytes > 0 {
            note(&format!(
                "recovered the collector's spool: cut {} bytes of a write that was never acknowledged",
                recovery.torn_bytes
            ));
        }
        for d in &recovery.damaged {
            note(&format!(
                "warning: {} is damaged and was moved to .polku/spool/damaged/; its good records are not imported",
                d.display()
            ));
        }
        let compaction =
            collector.start_compaction(Duration::from_secs_f64(args.compact_every));
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr()?;
        note(&format!(
            "polku serve: the workbench of {} is at http://{addr}/, the event collector at \
             http://{addr}/v1/ (how to send events: http://{addr}/snippet). Ctrl-C stops.",
            workspace.display()
        ));
        let app = polku_server::app(state).merge(polku_server::collector::routes(collector));
        polku_server::serve(listener, app, shutdown_signal()).await?;
        compaction.stop().await?;
        note("polku serve: stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

//! `polku serve`: the workspace's event collector over HTTP.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use polku_server::collector::{Collector, routes};
use polku_store::WorkspaceDir;

/// Options of `polku serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seconds between compactions of collected events into the Parquet tables.
    #[arg(long, default_value_t = 5.0)]
    pub compact_every: f64,
}

/// Runs `polku serve` until Ctrl-C or SIGTERM, then folds the spool in and exits.
///
/// # Errors
/// When the workspace cannot be opened, another process collects into it, or the address is
/// taken.
pub fn run(args: &ServeArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let ws = WorkspaceDir::open(workspace)?;
    if !(args.compact_every > 0.0 && args.compact_every.is_finite()) {
        anyhow::bail!("--compact-every must be a positive number of seconds");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (collector, recovery) = Collector::open_with_recovery(&ws)?;
        if recovery.torn_bytes > 0 {
            super::note(&format!(
                "recovered the collector's spool: cut {} bytes of a write that was never acknowledged",
                recovery.torn_bytes
            ));
        }
        for d in &recovery.damaged {
            super::note(&format!(
                "warning: {} is damaged and was moved to .polku/spool/damaged/; its good records are not imported",
                d.display()
            ));
        }
        let compaction =
            collector.start_compaction(Duration::from_secs_f64(args.compact_every));
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        super::note(&format!(
            "collecting events on http://{}/v1/ (how to send them: http://{}/snippet)",
            listener.local_addr()?,
            listener.local_addr()?
        ));
        axum::serve(listener, routes(collector))
            .with_graceful_shutdown(shutdown())
            .await?;
        compaction.stop().await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

//! `polku serve`: the web workbench of a workspace.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use polku_server::{AppState, ServerOptions};

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
}

/// Runs `polku serve` until Ctrl-C or SIGTERM, then lets requests in flight finish.
///
/// # Errors
/// When the workspace cannot be opened or the address cannot be bound.
pub fn run(args: &ServeArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
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
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr()?;
        note(&format!(
            "polku serve: the workbench of {} is at http://{addr}/ (Ctrl-C stops)",
            workspace.display()
        ));
        polku_server::serve(listener, polku_server::app(state), shutdown_signal()).await?;
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

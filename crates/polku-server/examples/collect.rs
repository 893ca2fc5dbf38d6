//! Serves only the collector of a workspace, like `polku serve`, for load tests that want a
//! release build without the analytics engine: `collect WORKSPACE ADDR`.

use std::time::Duration;

use polku_server::collector::{Collector, routes};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let ws = args.next().ok_or("usage: collect WORKSPACE ADDR")?;
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let collector = Collector::open(&polku_store::WorkspaceDir::open(ws)?)?;
    let compaction = collector.start_compaction(Duration::from_secs(5));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, routes(collector))
        .with_graceful_shutdown(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("a SIGTERM handler");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        })
        .await?;
    compaction.stop().await?;
    Ok(())
}

//! Serves only the collector of a workspace, like `polku serve`, for load tests that want a
//! release build without the analytics engine, and for the process tests of this crate:
//! `collect WORKSPACE [ADDR [COMPACT_EVERY_SECONDS]]`; `collect WORKSPACE key` prints a new
//! write key and `collect WORKSPACE events` the number of stored events (after folding in the
//! spool), as `polku key add` and `polku stats` would.

use std::time::Duration;

use polku_server::collector::{Collector, routes};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let ws = args.next().ok_or("usage: collect WORKSPACE ADDR")?;
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let root = std::path::Path::new(&ws);
    let mut out = std::io::stdout();
    match addr.as_str() {
        "key" => {
            let key = polku_store::AppDb::open(root)?.add_write_key("load", "bench")?;
            return Ok(std::io::Write::write_fmt(
                &mut out,
                format_args!("{key}\n"),
            )?);
        }
        "events" => {
            polku_ingest::collect::compact(root, polku_ingest::collect::Writer::Unknown)?;
            let n = polku_store::stats::stats(root)?.events;
            return Ok(std::io::Write::write_fmt(&mut out, format_args!("{n}\n"))?);
        }
        _ => {}
    }
    let every: f64 = args.next().map_or(Ok(5.0), |s| s.parse())?;
    let collector = Collector::open(&polku_store::WorkspaceDir::open(ws)?)?;
    let compaction = collector.start_compaction(Duration::from_secs_f64(every));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let mut err = std::io::stderr();
    std::io::Write::write_fmt(
        &mut err,
        format_args!(
            "collecting events on http://{}/v1/\n",
            listener.local_addr()?
        ),
    )?;
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

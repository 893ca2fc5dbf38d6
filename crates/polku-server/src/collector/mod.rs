//! The Segment-compatible event collector.
//!
//! Websites and apps send Segment-spec messages (`track`, `page`, `identify`, `alias`...) with
//! a write key. Each request is checked with the Segment importer's own mapping, appended to
//! the workspace's spool ([`polku_store::spool`]) and answered `200` only after `fdatasync`:
//! concurrent requests share one sync (group commit), so durability does not cost throughput.
//! A background task ([`Collector::start_compaction`]) regularly seals the spool's segment and
//! imports it like a Segment file ([`polku_ingest::collect::compact`]); commands that read the
//! data fold in what is pending first, so an acknowledged event is always visible.
//!
//! ```no_run
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! use polku_server::collector::{Collector, routes};
//!
//! let ws = polku_store::WorkspaceDir::open("my-workspace")?;
//! let collector = Collector::open(&ws)?;
//! let compaction = collector.start_compaction(std::time::Duration::from_secs(5));
//! let app = axum::Router::new().merge(routes(collector));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await?;
//! compaction.stop().await?;
//! # Ok(()) }
//! ```

mod http;
mod snippet;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use polku_ingest::TimeParser;
use polku_ingest::collect::{self, CompactReport, Writer};
use polku_store::spool::{Recovery, Spool, SpoolError, SpoolWriter};
use polku_store::write_keys::key_hash;
use polku_store::{AppDb, WorkspaceDir};

pub use http::{MAX_BODY, routes};

/// Why the collector cannot start or compact.
#[derive(Debug, thiserror::Error)]
pub enum CollectorError {
    /// The spool cannot be opened (another process collects, or I/O).
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// The app database failed.
    #[error(transparent)]
    Data(#[from] polku_store::DataError),
    /// Folding the spool into the tables failed.
    #[error(transparent)]
    Ingest(#[from] polku_ingest::IngestError),
    /// A file or thread failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// How often the write keys are read again, so that `polku key add` and `polku key rm` take
/// effect on a running server.
const KEYS_REFRESH: Duration = Duration::from_secs(2);

struct Keys {
    by_hash: HashMap<String, String>,
    loaded: Instant,
}

struct Inner {
    root: PathBuf,
    language: polku_model::Language,
    writer: Option<SpoolWriter>,
    keys: RwLock<Keys>,
    time: TimeParser,
    /// Spool records appended by this process, and how many of them compaction has seen.
    appended: AtomicU64,
    compacted: AtomicU64,
    /// A compaction at a time; `true` when the spool held segments at start.
    compaction: tokio::sync::Mutex<bool>,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// The collector of one workspace: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Collector {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector")
            .field("root", &self.inner.root)
            .finish_non_exhaustive()
    }
}

impl Collector {
    /// Opens the collector of a workspace: takes its spool (recovering it after a crash) and
    /// reads the write keys. Returns what recovery found with [`Collector::open_with_recovery`].
    ///
    /// # Errors
    /// When another process collects into the workspace, or the spool or database fail.
    pub fn open(ws: &WorkspaceDir) -> Result<Self, CollectorError> {
        Ok(Self::open_with_recovery(ws)?.0)
    }

    /// [`Collector::open`], also returning what recovery found in the spool.
    ///
    /// # Errors
    /// As [`Collector::open`].
    pub fn open_with_recovery(ws: &WorkspaceDir) -> Result<(Self, Recovery), CollectorError> {
        let root = ws.root().to_path_buf();
        let by_hash = AppDb::open(&root)?.write_key_hashes()?;
        let language = ws.load().map(|w| w.config.doc.language).unwrap_or_default();
        let (spool, recovery) = Spool::open(&root)?;
        let (writer, thread) = SpoolWriter::spawn(spool)?;
        let inner = Inner {
            root,
            language,
            writer: Some(writer),
            keys: RwLock::new(Keys {
                by_hash,
                loaded: Instant::now(),
            }),
            time: TimeParser::default(),
            appended: AtomicU64::new(0),
            compacted: AtomicU64::new(0),
            compaction: tokio::sync::Mutex::new(recovery.pending_segments > 0),
            writer_thread: Mutex::new(Some(thread)),
        };
        Ok((
            Collector {
                inner: Arc::new(inner),
            },
            recovery,
        ))
    }

    /// The workspace folder.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// The name of the write key `key`, when it is valid.
    async fn key_name(&self, key: &str) -> Option<String> {
        let hash = key_hash(key);
        let stale = {
            let keys = self.inner.keys.read().ok()?;
            if keys.loaded.elapsed() < KEYS_REFRESH {
                return keys.by_hash.get(&hash).cloned();
            }
            true
        };
        if stale {
            let root = self.inner.root.clone();
            let fresh =
                tokio::task::spawn_blocking(move || AppDb::open(&root)?.write_key_hashes()).await;
            if let Ok(Ok(by_hash)) = fresh
                && let Ok(mut keys) = self.inner.keys.write()
            {
                *keys = Keys {
                    by_hash,
                    loaded: Instant::now(),
                };
            }
        }
        self.inner.keys.read().ok()?.by_hash.get(&hash).cloned()
    }

    /// Appends one record to the spool; returns once it is on disk.
    async fn append(&self, payload: Vec<u8>) -> std::io::Result<()> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.writer().submit(
            payload,
            Box::new(move |r| {
                let _ = tx.send(r);
            }),
        );
        let r = rx
            .await
            .unwrap_or_else(|_| Err(std::io::Error::other("the spool writer has stopped")));
        if r.is_ok() {
            self.inner.appended.fetch_add(1, Ordering::Relaxed);
        }
        r
    }

    /// Folds everything acknowledged so far into the Parquet tables: seals the spool's segment
    /// and imports the sealed ones. Does nothing when nothing new arrived.
    ///
    /// # Errors
    /// When sealing or importing fails; the spool then keeps the events for the next try.
    pub async fn compact_now(&self) -> Result<CompactReport, CollectorError> {
        let mut pending_at_start = self.inner.compaction.lock().await;
        let appended = self.inner.appended.load(Ordering::Relaxed);
        if appended == self.inner.compacted.load(Ordering::Relaxed) && !*pending_at_start {
            return Ok(CompactReport::default());
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.writer().rotate(Box::new(move |r| {
            let _ = tx.send(r);
        }));
        let sealed = rx
            .await
            .unwrap_or_else(|_| Err(std::io::Error::other("the spool writer has stopped")))?;
        let root = self.inner.root.clone();
        let report = tokio::task::spawn_blocking(move || {
            collect::compact(&root, Writer::Caller { active: sealed + 1 })
        })
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))??;
        self.inner.compacted.store(appended, Ordering::Relaxed);
        *pending_at_start = false;
        Ok(report)
    }

    /// Starts the background compaction, every `every`; stop it with
    /// [`CompactionTask::stop`], which compacts one last time.
    #[must_use]
    pub fn start_compaction(&self, every: Duration) -> CompactionTask {
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let collector = self.clone();
        let handle = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = &mut stop_rx => break,
                    _ = tick.tick() => {
                        if let Err(e) = collector.compact_now().await {
                            // The events stay in the spool; the next tick tries again.
                            let mut err = std::io::stderr().lock();
                            let _ = std::io::Write::write_fmt(
                                &mut err,
                                format_args!("collector: compaction failed, will retry: {e}\n"),
                            );
                        }
                    }
                }
            }
            collector.compact_now().await.map(|_| ())
        });
        CompactionTask {
            stop: stop_tx,
            handle,
        }
    }

    fn writer(&self) -> &SpoolWriter {
        self.inner
            .writer
            .as_ref()
            .expect("the writer lives as long as the collector")
    }

    fn language(&self) -> polku_model::Language {
        self.inner.language
    }

    fn time(&self) -> &TimeParser {
        &self.inner.time
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Closing the channel ends the writer thread once its last group is synced; waiting
        // for it releases the spool, so that the workspace can be opened again at once.
        self.writer.take();
        if let Ok(mut t) = self.writer_thread.lock()
            && let Some(t) = t.take()
        {
            let _ = t.join();
        }
    }
}

/// The running background compaction.
#[derive(Debug)]
pub struct CompactionTask {
    stop: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<Result<(), CollectorError>>,
}

impl CompactionTask {
    /// Stops the compaction after one last run, so that a clean shutdown leaves no spool.
    ///
    /// # Errors
    /// When the last compaction fails (the events stay in the spool).
    pub async fn stop(self) -> Result<(), CollectorError> {
        let _ = self.stop.send(());
        self.handle
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?
    }
}

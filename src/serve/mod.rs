//! `trustpress serve`: build in memory, serve over HTTP, rebuild on change, reload browsers.
//!
//! - [`classify`] decides which file changes matter (pure),
//! - [`watcher`] turns notify events into batches of relevant changes,
//! - [`resolve`] maps request URLs to files of the build (pure; the traversal guard),
//! - [`inject`] adds the reload script and the error overlay to HTML responses (pure),
//! - [`server`] answers requests and streams reload events, over the small server in [`http`].
//!
//! Every rebuild loads, links and checks the whole site (so no dependency hidden in a template
//! can be missed), reusing unchanged parsed files and rendered Markdown from a memo cache;
//! pages are then rendered when a browser asks for them, through the same code as `build`
//! (see [`live`]).

pub mod classify;
pub mod http;
pub mod inject;
pub mod live;
pub mod resolve;
pub mod server;
pub mod watcher;

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::diagnostic::Diagnostic;
use crate::model::{Audience, Date};
use server::{Shared, Snapshot};

/// Everything `serve` needs, already parsed from the command line.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site: PathBuf,
    pub audience: Audience,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub today: Date,
}

/// What happened, for the terminal. `serve` itself prints nothing.
#[derive(Debug)]
pub enum Event<'a> {
    /// The server is listening at `addr`.
    Listening { addr: SocketAddr },
    /// A build succeeded and is being served; `reloaded` browser tabs were told.
    Built {
        first: bool,
        elapsed: Duration,
        pages: usize,
        files: usize,
        warnings: &'a [Diagnostic],
        reloaded: usize,
        changed: &'a [PathBuf],
    },
    /// A build failed; the last good site stays up with these errors overlaid.
    Failed {
        first: bool,
        elapsed: Duration,
        errors: &'a [Diagnostic],
        reloaded: usize,
        changed: &'a [PathBuf],
    },
    /// A page failed to render when a browser asked for it; the browser got an error page.
    PageFailed { error: &'a Diagnostic },
    /// The watcher reported a problem; watching goes on.
    WatchError(String),
}

/// Builds, serves and watches until the process is stopped (Ctrl-C). Nothing is written to
/// disk, so there is nothing to clean up when the default SIGINT handler ends the process.
pub fn run(opts: &ServeOptions, report: &mut dyn FnMut(Event<'_>)) -> Result<()> {
    let root = opts
        .site
        .canonicalize()
        .with_context(|| format!("cannot open the site folder {}", opts.site.display()))?;
    if !root.is_dir() {
        bail!("{} is not a folder", opts.site.display());
    }
    // Watch before the first build, so an edit made during it is not missed.
    let watcher = watcher::watch(&root)?;

    let mut builder = live::Builder::new(&root, opts.audience, opts.today);
    let (first, stats) = rebuild(&mut builder, &Snapshot::default(), 0);
    report_outcome(&first, &stats, 0, &[], report);
    let detail = inject::Detail::for_audience(opts.audience);
    let shared = Arc::new(Shared::new(first, detail));

    let listener = TcpListener::bind(SocketAddr::new(opts.bind, opts.port))
        .with_context(|| format!("cannot listen on {}:{}", opts.bind, opts.port))?;
    let addr = listener
        .local_addr()
        .context("cannot read the address the server listens on")?;
    let requests_shared = Arc::clone(&shared);
    let loopback_only = opts.bind.is_loopback();
    thread::Builder::new()
        .name("http".into())
        .spawn(move || server::serve_requests(listener, requests_shared, loopback_only))
        .context("cannot start the server thread")?;
    report(Event::Listening { addr });

    // Every path the watcher named since the last rebuild, for the loader's hint; `lost`:
    // the watcher may have missed events, so the next load looks at every file.
    let mut touched = BTreeSet::new();
    let mut lost = false;
    let retire = dropper("drop");
    loop {
        // Wake now and then to print pages that failed to render since.
        let batch = match watcher.events.recv_timeout(Duration::from_millis(250)) {
            Ok(batch) => batch,
            Err(RecvTimeoutError::Timeout) => {
                for error in shared.take_page_failures() {
                    report(Event::PageFailed { error: &error });
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => bail!("the file watcher stopped"),
        };
        let mut changed = Vec::new();
        let mut seen = Seen {
            changed: &mut changed,
            touched: &mut touched,
            lost: &mut lost,
        };
        collect(&root, batch, &mut seen, report);
        // Whatever else has arrived belongs to the same rebuild.
        while let Ok(batch) = watcher.events.try_recv() {
            collect(&root, batch, &mut seen, report);
        }
        if changed.is_empty() {
            continue;
        }
        changed.sort();
        changed.dedup();
        if !std::mem::take(&mut lost) {
            builder.hint(std::mem::take(&mut touched));
        }
        touched.clear();
        let previous = shared.current();
        let (next, stats) = rebuild(&mut builder, &previous, previous.generation + 1);
        let reloaded = shared.publish(next);
        // The last site's pages and edition take milliseconds to free at 10,000 policies:
        // not on this loop, which the browser's request for the new page then competes with.
        if let Err(mpsc::SendError(previous)) = retire.send(previous) {
            drop(previous);
        }
        report_outcome(&shared.current(), &stats, reloaded, &changed, report);
    }
}

/// A channel whose values are dropped on a thread of their own, named `name`. If the
/// thread cannot be started, sending fails and gives the value back (to drop in place).
fn dropper<T: Send + 'static>(name: &str) -> mpsc::Sender<T> {
    let (tx, rx) = mpsc::channel::<T>();
    // Without the thread, `rx` is dropped here and every send fails.
    let _ = thread::Builder::new()
        .name(name.into())
        .spawn(move || rx.into_iter().for_each(drop));
    tx
}

/// What a build took, for the terminal.
struct Stats {
    elapsed: Duration,
    pages: usize,
    files: usize,
    warnings: Arc<Vec<Diagnostic>>,
}

/// What the watcher's batches since the last rebuild said.
struct Seen<'a> {
    /// The changes that need a rebuild (`watcher::relevant_changes`).
    changed: &'a mut Vec<PathBuf>,
    /// Every path named, relevant or not (`watcher::named_paths`).
    touched: &'a mut BTreeSet<String>,
    /// Whether events may have been missed.
    lost: &'a mut bool,
}

fn collect(
    root: &Path,
    batch: notify_debouncer_full::DebounceEventResult,
    seen: &mut Seen<'_>,
    report: &mut dyn FnMut(Event<'_>),
) {
    match batch {
        Ok(events) => {
            seen.changed
                .extend(watcher::relevant_changes(root, &events));
            if !watcher::named_paths(root, &events, seen.touched) {
                *seen.lost = true;
            }
        }
        Err(errors) => {
            *seen.lost = true;
            for e in errors {
                report(Event::WatchError(e.to_string()));
            }
        }
    }
}

/// Builds the site; a failed build keeps `previous`'s site and records the errors.
fn rebuild(builder: &mut live::Builder, previous: &Snapshot, generation: u64) -> (Snapshot, Stats) {
    let start = Instant::now();
    let result = builder.build();
    let elapsed = start.elapsed();
    match result {
        Ok(site) => {
            let (pages, files) = site.counts();
            let stats = Stats {
                elapsed,
                pages,
                files,
                warnings: Arc::clone(&site.warnings),
            };
            let snapshot = Snapshot {
                generation,
                site: Some(Arc::new(site)),
                errors: Vec::new(),
            };
            (snapshot, stats)
        }
        Err(failed) => {
            let snapshot = Snapshot {
                generation,
                site: previous.site.clone(),
                errors: failed.errors,
            };
            let stats = Stats {
                elapsed,
                pages: 0,
                files: 0,
                warnings: Arc::default(),
            };
            (snapshot, stats)
        }
    }
}

fn report_outcome(
    snapshot: &Snapshot,
    stats: &Stats,
    reloaded: usize,
    changed: &[PathBuf],
    report: &mut dyn FnMut(Event<'_>),
) {
    let first = snapshot.generation == 0;
    if snapshot.errors.is_empty() {
        report(Event::Built {
            first,
            elapsed: stats.elapsed,
            pages: stats.pages,
            files: stats.files,
            warnings: &stats.warnings,
            reloaded,
            changed,
        });
    } else {
        report(Event::Failed {
            first,
            elapsed: stats.elapsed,
            errors: &snapshot.errors,
            reloaded,
            changed,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reports, when dropped, which thread dropped it.
    struct Tell(mpsc::Sender<thread::ThreadId>);

    impl Drop for Tell {
        fn drop(&mut self) {
            let _ = self.0.send(thread::current().id());
        }
    }

    #[test]
    fn the_last_site_is_dropped_off_the_rebuild_loop() {
        let (tx, rx) = mpsc::channel();
        let retire = dropper("drop-test");
        assert!(retire.send(Tell(tx)).is_ok());
        let dropped_on = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the value was dropped");
        assert_ne!(dropped_on, thread::current().id());
    }
}

//! Watching the site folder: notify events, debounced, reduced to "something that matters
//! changed". notify-debouncer-full pairs the two halves of a rename, so an editor that saves by
//! writing `x.md.tmp` and renaming it over `x.md` shows up as a change of `x.md`.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use super::classify;

/// Quiet time after the last event before a batch is reported: long enough to gather an
/// editor's write-and-rename (inotify reports both halves of a rename at once, and an editor
/// writes its temporary file microseconds before), short enough that it is not most of a
/// save's latency. A change that arrives later still triggers its own rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(5);

/// A running watcher; events stop when it is dropped.
pub struct Watcher {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    pub events: Receiver<DebounceEventResult>,
}

/// Starts watching `root` (canonical) recursively.
pub fn watch(root: &Path) -> Result<Watcher> {
    let (tx, events) = mpsc::channel();
    let mut debouncer =
        new_debouncer(DEBOUNCE, None, tx).context("cannot start the file watcher")?;
    debouncer
        .watch(root, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", root.display()))?;
    Ok(Watcher {
        _debouncer: debouncer,
        events,
    })
}

/// The paths in a batch of events that need a rebuild, relative to `root`, sorted.
pub fn relevant_changes(
    root: &Path,
    events: &[notify_debouncer_full::DebouncedEvent],
) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = events
        .iter()
        .filter(|e| classify::is_change(&e.kind))
        .flat_map(|e| e.paths.iter())
        .filter_map(|p| p.strip_prefix(root).ok())
        .filter(|rel| classify::needs_rebuild(rel))
        .map(Path::to_path_buf)
        .collect();
    out.sort();
    out.dedup();
    out
}

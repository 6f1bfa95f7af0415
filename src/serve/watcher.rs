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

/// Adds every path a batch of changes names (relative to `root`, `/`-separated) to `out`,
/// whether or not it needs a rebuild (reads are not changes): the loader's hint
/// (`SourceCache::hint`) must name every file that may differ from the last load. `false`
/// when the batch may not tell every change: the watcher lost events and asks for a rescan,
/// or a path is outside the site or not UTF-8.
pub fn named_paths(
    root: &Path,
    events: &[notify_debouncer_full::DebouncedEvent],
    out: &mut std::collections::BTreeSet<String>,
) -> bool {
    let mut complete = true;
    for e in events {
        if e.need_rescan() {
            complete = false;
        }
        // Opening and reading change nothing (the build itself reads every file).
        if !classify::is_change(&e.kind) {
            continue;
        }
        for path in &e.paths {
            match path.strip_prefix(root).ok().and_then(Path::to_str) {
                Some(rel) => {
                    out.insert(rel.replace('\\', "/"));
                }
                None => complete = false,
            }
        }
    }
    complete
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, Flag, ModifyKind};
    use notify_debouncer_full::DebouncedEvent;
    use std::time::Instant;

    fn event(kind: EventKind, paths: &[&str]) -> DebouncedEvent {
        let mut e = notify::Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from(p));
        }
        DebouncedEvent::new(e, Instant::now())
    }

    /// The loader's hint holds every changed path (also those that need no rebuild), never a
    /// read, and a batch that lost events or names a path outside the site is not complete.
    #[test]
    fn named_paths_are_every_change_and_no_read() {
        let root = Path::new("/site");
        let cases: [(Vec<DebouncedEvent>, &[&str], bool); 5] = [
            (
                vec![
                    event(
                        EventKind::Access(AccessKind::Open(AccessMode::Any)),
                        &["/site/a.md"],
                    ),
                    event(
                        EventKind::Access(AccessKind::Close(AccessMode::Read)),
                        &["/site/b.md"],
                    ),
                ],
                &[],
                true,
            ),
            (
                vec![
                    event(EventKind::Modify(ModifyKind::Any), &["/site/policies/x.md"]),
                    event(EventKind::Create(CreateKind::File), &["/site/static/y.bak"]),
                    event(
                        EventKind::Access(AccessKind::Close(AccessMode::Write)),
                        &["/site/z.md"],
                    ),
                ],
                &["policies/x.md", "static/y.bak", "z.md"],
                true,
            ),
            (
                vec![event(
                    EventKind::Modify(ModifyKind::Name(notify::event::RenameMode::Both)),
                    &["/site/policies/x.md.tmp", "/site/policies/x.md"],
                )],
                &["policies/x.md", "policies/x.md.tmp"],
                true,
            ),
            (
                vec![event(
                    EventKind::Modify(ModifyKind::Any),
                    &["/elsewhere/x.md"],
                )],
                &[],
                false,
            ),
            (
                vec![DebouncedEvent::new(
                    notify::Event::new(EventKind::Other).set_flag(Flag::Rescan),
                    Instant::now(),
                )],
                &[],
                false,
            ),
        ];
        for (events, expected, complete) in cases {
            let mut out = std::collections::BTreeSet::new();
            assert_eq!(named_paths(root, &events, &mut out), complete, "{events:?}");
            let out: Vec<&str> = out.iter().map(String::as_str).collect();
            assert_eq!(out, expected, "{events:?}");
        }
    }
}

//! What loading keeps between loads of one site folder (`serve` loads on every save): parsed
//! registers by content, and what each file looked like, so an unchanged file is neither read
//! nor hashed. A file's size, times and identity (its stamp) are compared with the last load's,
//! and an equal stamp stands for the content hash recorded then.
//!
//! A stamp is trusted only if the file was last changed well before it was recorded: a file
//! written twice within one tick of the file system's clock, at the same size, would otherwise
//! keep its old stamp (git's "racily clean" entries). Such a file is read again next time.

use std::collections::BTreeSet;
use std::fs::Metadata;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use crate::cache::Memo;
use crate::diagnostic::{Diagnostics, Pos};
use crate::model::{Evidence, Finding, Mapping, Risk, Supplier};

/// How much older than the load a file's last change must be for its stamp to be trusted:
/// more than the coarsest timestamp resolution in use (FAT: 2 s).
const SETTLED: Duration = Duration::from_secs(3);

/// What identifies one version of a file without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    /// Status change time (Unix): set by the kernel on every write, rename or permission
    /// change, and not settable by programs, unlike the modification time.
    changed: Option<(i64, i64)>,
    /// Device and inode (Unix): a file renamed over the old one is another file.
    id: Option<(u64, u64)>,
}

impl Stamp {
    pub fn of(meta: &Metadata) -> Self {
        #[cfg(unix)]
        let (changed, id) = {
            use std::os::unix::fs::MetadataExt;
            (
                Some((meta.ctime(), meta.ctime_nsec())),
                Some((meta.dev(), meta.ino())),
            )
        };
        #[cfg(not(unix))]
        let (changed, id) = (None, None);
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            changed,
            id,
        }
    }

    /// Whether the file had settled (last changed at least `settle` before `now`), so that
    /// any later change gives it another stamp. Unknown times never settle.
    pub fn settled(&self, now: SystemTime, settle: Duration) -> bool {
        let Some(modified) = self.modified else {
            return false;
        };
        let changed = match self.changed {
            Some((secs, nanos)) => {
                let Ok(secs) = u64::try_from(secs) else {
                    return false;
                };
                let nanos = u32::try_from(nanos).unwrap_or(0);
                SystemTime::UNIX_EPOCH + Duration::new(secs, nanos)
            }
            None if cfg!(unix) => return false,
            None => modified,
        };
        let last = modified.max(changed);
        last.checked_add(settle).is_some_and(|t| t < now)
    }
}

/// What the last load saw of a file: its stamp and content hash, and whether the stamp may
/// stand for the content next time.
#[derive(Clone, Copy, Debug)]
pub struct Seen {
    pub stamp: Stamp,
    pub hash: u64,
    pub trusted: bool,
}

/// The entries of one register file, parsed (evidence files are checked and read later, on
/// every load: they are files of their own).
#[derive(Debug, Clone)]
pub enum Register {
    Mappings(Vec<Arc<Mapping>>),
    Evidence(Vec<(Arc<Evidence>, Option<EvidenceFileAt>)>),
    Risks(Vec<Arc<Risk>>),
    Findings(Vec<Arc<Finding>>),
    Suppliers(Vec<Arc<Supplier>>),
}

/// An evidence item's `file:` as written, with where it was written (checked on every load).
pub type EvidenceFileAt = (String, Pos);

/// A parsed register file and what parsing it reported.
pub type ParsedRegister = Arc<(Register, Diagnostics)>;

/// The loader's memo tables (held in `crate::cache::Cache`, pruned with it).
pub struct SourceCache {
    /// Register files by a hash of their path, content hash, collection and default
    /// classification.
    pub registers: Memo<u64, ParsedRegister>,
    /// What the last loads saw of each source file, by path.
    pub seen: Memo<String, Seen>,
    /// How long after its last change a file's stamp is trusted (`SETTLED`; tests shorten it).
    pub settle: Duration,
    /// How many source files were read for their content (tests count them).
    pub reads: AtomicUsize,
    /// The file list of the last load, reused by a load whose `hint` shows it unchanged.
    pub(crate) listing: Mutex<Option<Arc<Listing>>>,
    /// The paths that may have changed since the last load (from `serve`'s file watcher), for
    /// the next load only; `None`: anything may have changed.
    pub(crate) hint: Mutex<Option<BTreeSet<String>>>,
}

/// What listing a site's files found: the files, the top folders listed, and the warnings
/// on the way (links not followed, unreadable names).
#[derive(Debug)]
pub struct Listing {
    pub tops: Vec<&'static str>,
    pub files: BTreeSet<String>,
    pub diags: Diagnostics,
    /// A hash of `files`, where listings are kept between loads (`serve`), for the keys of
    /// what is made from them (`Sources::files_hash`).
    pub hash: Option<u64>,
    /// `files` with the top-level files found beside them (`with_tops`), for each load that
    /// found the same ones: `serve` shares one set between rebuilds instead of copying it.
    pub with: Mutex<Option<WithTops>>,
}

/// The top-level files a load found, and the listing's files with them.
type WithTops = (Vec<&'static str>, Arc<BTreeSet<String>>);

impl Listing {
    /// `files` with `tops` added, made once for as long as each load finds the same `tops`.
    pub fn with_tops(&self, tops: &[&'static str]) -> Arc<BTreeSet<String>> {
        let mut with = self.with.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((found, files)) = &*with
            && found == tops
        {
            return Arc::clone(files);
        }
        let mut files = self.files.clone();
        files.extend(tops.iter().map(|t| t.to_string()));
        let files = Arc::new(files);
        *with = Some((tops.to_vec(), Arc::clone(&files)));
        files
    }
}

impl Default for SourceCache {
    fn default() -> Self {
        SourceCache {
            registers: Memo::new(true),
            seen: Memo::new(true),
            settle: SETTLED,
            reads: AtomicUsize::new(0),
            listing: Mutex::default(),
            hint: Mutex::default(),
        }
    }
}

impl SourceCache {
    pub fn prune(&self, keep_since: u64) {
        self.registers.prune(keep_since);
        self.seen.prune(keep_since);
    }

    /// Tells the next load which paths (site-relative, `/`-separated) may have changed since
    /// the last one: any file, folder or link a file-system event named, whatever the event.
    /// Every other file is taken to be as the last load saw it, without looking at it. Only a
    /// watcher that reports every change may give a hint (`serve`'s does, and gives none when
    /// it lost events).
    pub fn hint(&self, paths: BTreeSet<String>) {
        *self.hint.lock().unwrap_or_else(PoisonError::into_inner) = Some(paths);
    }

    /// The hint for this load (see `hint`), taken: a later load without one looks at everything.
    pub fn take_hint(&self) -> Option<BTreeSet<String>> {
        self.hint
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    pub fn listing(&self) -> Option<Arc<Listing>> {
        self.listing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Keeps `listing` for the next load (only if this cache keeps anything between loads).
    pub fn keep_listing(&self, listing: Arc<Listing>) {
        if self.seen.keeps() {
            *self.listing.lock().unwrap_or_else(PoisonError::into_inner) = Some(listing);
        }
    }

    pub fn count_read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
    }

    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {

    /// A load that finds the same top-level files shares the last load's set of files; one
    /// that finds others gets a set with exactly those.
    #[test]
    fn the_listing_with_its_top_files_is_shared_while_they_are_the_same() {
        let listing = Listing {
            tops: vec!["policies"],
            files: ["policies/a.md".to_string()].into(),
            diags: Diagnostics::new(),
            hash: None,
            with: Default::default(),
        };
        let both = ["site.yaml", "scope.md"];
        let a = listing.with_tops(&both);
        let b = listing.with_tops(&both);
        assert!(Arc::ptr_eq(&a, &b), "shared");
        assert!(a.contains("scope.md") && a.contains("policies/a.md"));
        let fewer = listing.with_tops(&["site.yaml"]);
        assert!(!fewer.contains("scope.md"), "a top file gone is gone");
        assert!(fewer.contains("site.yaml") && fewer.contains("policies/a.md"));
        assert!(
            !listing.files.contains("site.yaml"),
            "the listing itself is untouched"
        );
    }
    use super::*;

    fn stamp_of(path: &std::path::Path) -> Stamp {
        Stamp::of(&std::fs::metadata(path).expect("metadata"))
    }

    #[test]
    fn stamps_change_with_the_file_and_settle_with_time() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.md");
        std::fs::write(&path, "one").expect("write");
        let first = stamp_of(&path);
        assert_eq!(first, stamp_of(&path), "an untouched file keeps its stamp");
        // Same size, written again at once: the modification time may not have moved, but a
        // rename over it is another file, and the change time moves with every write.
        let tmp = dir.path().join("a.md.tmp");
        std::fs::write(&tmp, "two").expect("write");
        std::fs::rename(&tmp, &path).expect("rename");
        assert_ne!(
            first,
            stamp_of(&path),
            "a file renamed over it is another file"
        );
        std::fs::write(&path, "three").expect("write");
        let written = stamp_of(&path);
        assert_ne!(first, written, "another size is another stamp");
        // Just written: not settled, so the next load reads it rather than trust the stamp.
        let now = SystemTime::now();
        assert!(!written.settled(now, SETTLED));
        assert!(written.settled(now + SETTLED + Duration::from_secs(1), SETTLED));
        let unknown = Stamp {
            modified: None,
            ..written
        };
        assert!(!unknown.settled(now + Duration::from_secs(3600), SETTLED));
    }
}

//! Helpers for the unit tests: small sites written into temporary folders.

use std::path::Path;

use crate::model::Date;
use crate::site::Site;

/// Writes each `(path, text)` under `root`, creating folders.
pub fn write_files<P: AsRef<str>, T: AsRef<[u8]>>(
    root: &Path,
    files: impl IntoIterator<Item = (P, T)>,
) {
    for (path, text) in files {
        let p = root.join(path.as_ref());
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// A temporary folder holding `files`, and the site loaded and linked from it (today is
/// 2026-06-01).
pub fn linked_site<P: AsRef<str>, T: AsRef<[u8]>>(
    files: impl IntoIterator<Item = (P, T)>,
) -> (tempfile::TempDir, Site) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_files(dir.path(), files);
    let today = Date::parse("2026-06-01").expect("date");
    let site = crate::session::load_site(dir.path(), today).expect("the site loads");
    (dir, site)
}

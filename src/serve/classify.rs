//! Which file-system changes need a rebuild. Pure, so every editor quirk is a one-line test.

use std::path::{Component, Path};

use notify::EventKind;
use notify::event::{AccessKind, AccessMode};

/// Whether a change to `rel` (a path relative to the site folder) can change the built site.
///
/// Ignored: build output (`_site/`), a Cargo `target/` folder, dot-files and dot-folders
/// (`.git/`, Emacs `.#lock` files), and the temporary and backup files editors write while
/// saving. The final rename of an editor's atomic save names the real file, so it still counts.
pub fn needs_rebuild(rel: &Path) -> bool {
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy()),
            // Anything absolute or with `..` is not inside the site.
            _ => return false,
        }
    }
    let (Some(first), Some(name)) = (parts.first(), parts.last()) else {
        return false;
    };
    if first == "_site" || first == "target" {
        return false;
    }
    if parts.iter().any(|p| p.starts_with('.')) {
        return false;
    }
    !is_editor_temp_file(name)
}

/// Whether an event kind reports a change of content or of the set of files. Opening and
/// reading are ignored: the build itself opens every source file, and counting that as a change
/// would rebuild forever.
pub fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Any
        | EventKind::Create(_)
        | EventKind::Modify(_)
        | EventKind::Remove(_)
        | EventKind::Other => true,
    }
}

fn is_editor_temp_file(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "~",            // Emacs, Vim and gedit backups
        ".swp",         // Vim swap files
        ".swx",         //
        ".swo",         //
        ".tmp",         // many editors' "write temp, then rename"
        ".bak",         //
        ".kate-swp",    // Kate
        ".crswap",      // Chromium's File System Access API
        "___jb_tmp___", // JetBrains "safe write"
        "___jb_old___", //
    ];
    // Emacs auto-save files are `#name#`; Vim probes a folder by writing a file named `4913`.
    (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, ModifyKind, RemoveKind, RenameMode};

    fn check(path: &str, expected: bool) {
        assert_eq!(needs_rebuild(Path::new(path)), expected, "{path}");
    }

    #[test]
    fn source_files_need_a_rebuild() {
        check("site.yaml", true);
        check("scope.md", true);
        check("policies/access-control.md", true);
        check("policies/sub/deep.md", true);
        check("controls/organizational.yaml", true);
        check("templates/policy.html", true);
        check("static/logo.svg", true);
        check("evidence/files/report.pdf", true);
        // A folder created, removed or renamed can add or remove sources.
        check("policies", true);
        check("policies/site-target", true);
    }

    #[test]
    fn output_vcs_and_dot_files_are_ignored() {
        check("", false);
        check("_site/public/index.html", false);
        check("_site", false);
        check("target/debug/trustpress", false);
        check(".git/index", false);
        check(".git", false);
        check(".DS_Store", false);
        check("policies/.access-control.md.swp", false);
        check("policies/.#access-control.md", false);
        check("static/.hidden/file.css", false);
        check("/etc/passwd", false);
        check("../outside.md", false);
    }

    #[test]
    fn editor_temporary_files_are_ignored() {
        check("policies/access-control.md~", false);
        check("policies/access-control.md.swp", false);
        check("policies/access-control.md.swx", false);
        check("policies/#access-control.md#", false);
        check("policies/4913", false);
        check("policies/access-control.md.tmp", false);
        check("site.yaml.bak", false);
        check("policies/access-control.md___jb_tmp___", false);
        check("policies/access-control.md.kate-swp", false);
    }

    #[test]
    fn only_changes_count_not_reads() {
        use EventKind as K;
        assert!(is_change(&K::Create(CreateKind::File)));
        assert!(is_change(&K::Modify(ModifyKind::Data(DataChange::Content))));
        assert!(is_change(&K::Modify(ModifyKind::Name(RenameMode::Both))));
        assert!(is_change(&K::Remove(RemoveKind::File)));
        assert!(is_change(&K::Access(AccessKind::Close(AccessMode::Write))));
        assert!(!is_change(&K::Access(AccessKind::Open(AccessMode::Any))));
        assert!(!is_change(&K::Access(AccessKind::Close(AccessMode::Read))));
        assert!(!is_change(&K::Access(AccessKind::Read)));
    }
}

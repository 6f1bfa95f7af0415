//! Helpers shared by integration tests: run the real binary, read output trees.
#![allow(dead_code)]

pub mod sites;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const TODAY: &str = "2026-11-30";

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trustpress"));
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Runs `trustpress build SITE --audience A --out OUT --today TODAY`.
pub fn build(site: &Path, audience: &str, out: &Path) -> Output {
    bin()
        .args(["build"])
        .arg(site)
        .args(["--audience", audience, "--today", TODAY, "--out"])
        .arg(out)
        .output()
        .expect("the trustpress binary runs")
}

/// Builds and asserts success, returning the output folder's files.
pub fn build_ok(site: &Path, audience: &str, out: &Path) -> Tree {
    let o = build(site, audience, out);
    assert!(
        o.status.success(),
        "build of {} for {audience} failed:\nstdout: {}\nstderr: {}",
        site.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    Tree::read(out)
}

/// Every file of an output folder: relative path → bytes.
pub struct Tree {
    pub root: PathBuf,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Tree {
    pub fn read(root: &Path) -> Tree {
        let mut files = BTreeMap::new();
        for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
            if entry.file_type().is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(rel, std::fs::read(entry.path()).unwrap());
            }
        }
        Tree {
            root: root.to_path_buf(),
            files,
        }
    }

    pub fn text(&self, path: &str) -> String {
        let bytes = self
            .files
            .get(path)
            .unwrap_or_else(|| panic!("{path} is missing from {}", self.root.display()));
        String::from_utf8(bytes.clone()).unwrap()
    }

    pub fn has(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// All file contents and paths, lower-cased, for leak searches.
    pub fn haystack(&self) -> String {
        let mut all = String::new();
        for (path, bytes) in &self.files {
            all.push_str(&path.to_lowercase());
            all.push('\n');
            all.push_str(&String::from_utf8_lossy(bytes).to_lowercase());
            all.push('\n');
        }
        all
    }
}

/// The `href`/`src` values in an HTML page (a `<base href>` is not a link).
pub fn links(html: &str) -> Vec<String> {
    let without_base;
    let html = match html.find("<base href=\"") {
        Some(i) => {
            let end = i + html[i..].find('>').map_or(0, |e| e + 1);
            without_base = format!("{}{}", &html[..i], &html[end..]);
            without_base.as_str()
        }
        None => html,
    };
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

/// Resolves a relative link from the page at `page` to an output file path, if internal.
pub fn resolve_link(page: &str, link: &str) -> Option<String> {
    if link.is_empty() || link.starts_with('#') || link.contains(':') || link.starts_with("//") {
        return None;
    }
    // The 404 page is served at any depth, so it links by absolute paths under `base_url`'s
    // path (`/` for the sites tested here); any other page's root-absolute link would break
    // under a sub-path.
    if let (true, Some(from_root)) = (page == "404.html", link.strip_prefix('/')) {
        return resolve_link("index.html", from_root).or_else(|| Some("index.html".into()));
    }
    assert!(
        !link.starts_with('/'),
        "root-absolute link {link} in {page} breaks under a sub-path"
    );
    let link = link.split('#').next().unwrap_or(link);
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                assert!(
                    parts.pop().is_some(),
                    "link {link} in {page} escapes the site root"
                );
            }
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if link.ends_with('/') || link == "." || link == "./" || path.is_empty() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    Some(path)
}

/// Every `canaryint…`/`canarycus…` marker in the files of `site` (the leak tests' canaries).
pub fn canary_markers(site: &Path) -> Vec<String> {
    let hay = Tree::read(site).haystack();
    let mut found = std::collections::BTreeSet::new();
    for prefix in ["canaryint", "canarycus"] {
        for (i, _) in hay.match_indices(prefix) {
            let token: String = hay[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            found.insert(token.trim_end_matches('-').to_string());
        }
    }
    found.into_iter().collect()
}

//! Scanning the site folder and parsing every source file into the typed model.
//! Nothing here decides links between items; that is `site`'s job.

pub mod fields;
pub mod frontmatter;
pub mod items;
pub mod yaml;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::cache::{self, Cache, ParsedPolicy};
use crate::config::{self, Config};
use crate::diagnostic::{Diagnostics, Pos};
use crate::model::*;
use fields::Fields;

/// Everything read from a site folder, parsed but not yet linked.
#[derive(Debug, Default)]
pub struct Sources {
    pub config: Option<Config>,
    pub scope: Option<Scope>,
    pub policies: Vec<Policy>,
    pub mappings: Vec<Mapping>,
    pub evidence: Vec<Evidence>,
    pub risks: Vec<Risk>,
    pub findings: Vec<Finding>,
    pub suppliers: Vec<Supplier>,
    /// Files under `static/`, keyed by their path in the output.
    pub static_files: Vec<(String, Vec<u8>)>,
    /// Template overrides from `templates/`: (name, text).
    pub templates: Vec<(String, String)>,
    /// Every file in the site (relative, `/`-separated), for resolving relative links.
    pub files: BTreeSet<String>,
}

/// The site's own folders; everything else (such as `_site/`) is not read.
const REGISTERS: [Collection; 5] = [
    Collection::Controls,
    Collection::Evidence,
    Collection::Risks,
    Collection::Findings,
    Collection::Suppliers,
];

/// The folders of a site that trustpress reads (besides `site.yaml` and `scope.md`).
pub const CONTENT_DIRS: [&str; 8] = [
    "policies",
    "controls",
    "evidence",
    "risks",
    "findings",
    "suppliers",
    "static",
    "templates",
];

/// Reads and parses the whole site at `root`, gathering every diagnostic.
pub fn load(root: &Path) -> (Sources, Diagnostics) {
    load_cached(root, &Cache::default())
}

/// `load`, reusing what `cache` holds for files whose content has not changed.
pub fn load_cached(root: &Path, cache: &Cache) -> (Sources, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut src = Sources::default();
    if !root.is_dir() {
        diags.error(
            Pos::file(root.display().to_string()),
            "io",
            "the site folder does not exist or is not a folder",
        );
        return (src, diags);
    }
    src.files = list_files(root, &CONTENT_DIRS, &mut diags);
    for top in ["site.yaml", "scope.md"] {
        if root.join(top).is_file() {
            src.files.insert(top.to_string());
        }
    }

    match read_text(root, config::CONFIG_FILE, &mut diags) {
        Some(text) => src.config = config::parse(&text, &mut diags),
        None if !root.join(config::CONFIG_FILE).exists() => diags.error(
            Pos::file(config::CONFIG_FILE),
            "missing-file",
            "site.yaml is missing: every site needs one with `title`, `base_url` and `organisation: {name}`",
        ),
        None => {}
    }
    let Some(config) = src.config.clone() else {
        return (src, diags);
    };
    src.scope = load_scope(root, &mut diags);

    let policy_files: Vec<&String> = src
        .files
        .iter()
        .filter(|p| p.starts_with("policies/") && p.ends_with(".md"))
        .collect();
    let default = config.default_classification(Collection::Policies);
    let generation = cache.generation();
    let parsed: Vec<ParsedPolicy> = policy_files
        .par_iter()
        .map(|path| {
            let mut d = Diagnostics::new();
            let Some(text) = read_text(root, path, &mut d) else {
                return Arc::new((None, d));
            };
            let key = ((*path).clone(), cache::hash(&(&text, default)));
            cache.policies.get_or(key, generation, || {
                let p = load_policy(path, &text, default, &mut d);
                Arc::new((p, d))
            })
        })
        .collect();
    for parsed in parsed {
        let (p, d) = &*parsed;
        diags.extend(d.clone());
        src.policies.extend(p.clone());
    }

    for collection in REGISTERS {
        let prefix = format!("{}/", collection.dir());
        let files: Vec<String> = src
            .files
            .iter()
            .filter(|p| p.starts_with(&prefix) && (p.ends_with(".yaml") || p.ends_with(".yml")))
            .cloned()
            .collect();
        let default = config.default_classification(collection);
        for path in files {
            let Some(text) = read_text(root, &path, &mut diags) else {
                continue;
            };
            load_register(
                root, collection, &path, &text, default, &mut src, &mut diags,
            );
        }
    }

    for path in src.files.iter().filter(|p| p.starts_with("static/")) {
        match std::fs::read(root.join(path)) {
            Ok(bytes) => src
                .static_files
                .push((path["static/".len()..].to_string(), bytes)),
            Err(e) => diags.error(Pos::file(path.as_str()), "io", format!("cannot read: {e}")),
        }
    }
    for path in src.files.iter().filter(|p| p.starts_with("templates/")) {
        if let Some(text) = read_text(root, path, &mut diags) {
            src.templates
                .push((path["templates/".len()..].to_string(), text));
        }
    }
    (src, diags)
}

fn load_scope(root: &Path, diags: &mut Diagnostics) -> Option<Scope> {
    let path = "scope.md";
    if !root.join(path).exists() {
        diags.error(
            Pos::file(path),
            "missing-file",
            "scope.md is missing: every site needs a scope statement",
        );
        return None;
    }
    let text = read_text(root, path, diags)?;
    let (raw, body, yaml) = split_markdown::<items::RawScope>(path, &text, diags)?;
    let mut f = Fields {
        path,
        source: yaml,
        line_offset: 1,
        diags,
    };
    Some(items::scope(raw, body, &mut f))
}

fn load_policy(
    path: &str,
    text: &str,
    default: Classification,
    diags: &mut Diagnostics,
) -> Option<Policy> {
    let (raw, body, yaml) = split_markdown::<items::RawPolicy>(path, text, diags)?;
    let stem = Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(path);
    let mut f = Fields {
        path,
        source: yaml,
        line_offset: 1,
        diags,
    };
    items::policy(raw, stem, body, default, &mut f)
}

/// Splits front matter from body and parses the front matter as `T`.
/// Also returns the YAML text, which positions in `T` refer to.
fn split_markdown<'t, T: DeserializeOwned>(
    path: &str,
    text: &'t str,
    diags: &mut Diagnostics,
) -> Option<(T, Markdown, &'t str)> {
    let split = match frontmatter::split(text) {
        Ok(s) => s,
        Err(e) => {
            diags.error(Pos::file(path), "front-matter", e);
            return None;
        }
    };
    if split.yaml.trim().is_empty() {
        diags.error(Pos::file(path), "front-matter", "missing front matter: expected the file to start with a `---` line, YAML fields, and a closing `---`");
        return None;
    }
    let raw = match yaml::parse::<T>(split.yaml, path, split.yaml_line_offset) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let body = Markdown {
        text: split.body.to_string(),
        pos: Pos::new(path, split.body_line, 1),
        source_map: vec![],
    };
    Some((raw, body, split.yaml))
}

fn load_register(
    root: &Path,
    collection: Collection,
    path: &str,
    text: &str,
    default: Classification,
    src: &mut Sources,
    diags: &mut Diagnostics,
) {
    // An empty file is an empty register, not an error.
    if text.trim().is_empty() {
        return;
    }
    let mut f = Fields {
        path,
        source: text,
        line_offset: 0,
        diags,
    };
    match collection {
        Collection::Controls => {
            for raw in parse_list(text, &mut f) {
                src.mappings.extend(items::mapping(raw, default, &mut f));
            }
        }
        Collection::Evidence => {
            for raw in parse_list(text, &mut f) {
                if let Some((mut ev, file)) = items::evidence(raw, default, &mut f) {
                    if let Some((file, pos)) = file {
                        ev.file = load_evidence_file(
                            root,
                            &file,
                            &pos,
                            ev.common.classification,
                            f.diags,
                        );
                    }
                    src.evidence.push(ev);
                }
            }
        }
        Collection::Risks => {
            for raw in parse_list(text, &mut f) {
                src.risks.extend(items::risk(raw, default, &mut f));
            }
        }
        Collection::Findings => {
            for raw in parse_list(text, &mut f) {
                src.findings.extend(items::finding(raw, default, &mut f));
            }
        }
        Collection::Suppliers => {
            for raw in parse_list(text, &mut f) {
                src.suppliers.extend(items::supplier(raw, default, &mut f));
            }
        }
        Collection::Policies => {}
    }
}

/// A register file is a YAML list of entries.
fn parse_list<T: DeserializeOwned>(text: &str, f: &mut Fields) -> Vec<yaml::Spanned<T>> {
    match yaml::parse::<Option<Vec<yaml::Spanned<T>>>>(text, f.path, f.line_offset) {
        Ok(v) => v.unwrap_or_default(),
        Err(mut d) => {
            if d.message.starts_with("expected sequence") {
                d.message = "expected a YAML list of entries (each starting with `- `)".into();
            }
            f.diags.push(d);
            Vec::new()
        }
    }
}

fn load_evidence_file(
    root: &Path,
    file: &str,
    pos: &Pos,
    class: Classification,
    diags: &mut Diagnostics,
) -> Option<EvidenceFile> {
    let rel = Path::new(file);
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        diags.error(
            pos.clone(),
            "invalid-path",
            format!("evidence file \"{file}\" must be a path inside the site folder, without `..`"),
        );
        return None;
    }
    // static/ is copied to every audience; a restricted file there would leak. Compare
    // components, not text: `./static/x` and `static//x` are the same file as `static/x`.
    let in_static = rel
        .components()
        .find(|c| !matches!(c, std::path::Component::CurDir))
        .is_some_and(|c| c.as_os_str() == "static");
    if in_static && class > Classification::Public {
        diags.error(
            pos.clone(),
            "evidence-in-static",
            format!("evidence file \"{file}\" is under static/, which is published to every audience; move it outside static/ (e.g. evidence/files/)"),
        );
        return None;
    }
    if !resolves_inside(root, &root.join(rel)) {
        diags.error(
            pos.clone(),
            "invalid-path",
            format!("evidence file \"{file}\" leads outside the site folder through a symbolic link; copy the file into the site instead"),
        );
        return None;
    }
    match std::fs::read(root.join(rel)) {
        Ok(bytes) => Some(EvidenceFile {
            source: file.to_string(),
            file_name: rel
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("file")
                .to_string(),
            bytes,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.error(
                pos.clone(),
                "missing-file",
                format!("evidence file \"{file}\" does not exist"),
            );
            None
        }
        Err(e) => {
            diags.error(
                pos.clone(),
                "io",
                format!("evidence file \"{file}\" cannot be read: {e}"),
            );
            None
        }
    }
}

/// Reads a UTF-8 text file relative to `root`, reporting problems against its path.
fn read_text(root: &Path, rel: &str, diags: &mut Diagnostics) -> Option<String> {
    let bytes = match std::fs::read(root.join(rel)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            diags.error(Pos::file(rel), "io", format!("cannot read: {e}"));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + upto.iter().filter(|b| **b == b'\n').count() as u64;
            let column = 1 + upto.iter().rev().take_while(|b| **b != b'\n').count() as u64;
            diags.error(
                Pos::new(rel, line, column),
                "invalid-utf8",
                "the file is not valid UTF-8 text: save it as UTF-8",
            );
            None
        }
    }
}

/// Every file under the given top-level folders, relative to `root`, sorted.
fn list_files(root: &Path, tops: &[&str], diags: &mut Diagnostics) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for top in tops {
        let dir: PathBuf = root.join(top);
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !is_hidden(e) && !is_build_output(e))
            .flatten()
        {
            let Ok(rel) = entry.path().strip_prefix(root) else {
                continue;
            };
            let Some(name) = rel.to_str() else {
                diags.warning(
                    Pos::file(rel.to_string_lossy().replace('\\', "/")),
                    "unreadable-name",
                    "this file name is not valid UTF-8, so trustpress skips the file: rename it",
                );
                continue;
            };
            let name = name.replace('\\', "/");
            // Links are not followed: a link could pull a file from outside the site into a
            // build (and `static/` goes to every audience).
            if entry.path_is_symlink() {
                diags.warning(
                    Pos::file(name),
                    "symlink-ignored",
                    "symbolic links are not followed, so this is skipped: copy the file or folder here instead",
                );
                continue;
            }
            if entry.file_type().is_file() {
                out.insert(name);
            }
        }
    }
    out
}

/// Whether `path` (if it exists) really lies inside `root` once symbolic links are resolved.
/// A path that does not exist is left to the reader to report as missing.
fn resolves_inside(root: &Path, path: &Path) -> bool {
    match (root.canonicalize(), path.canonicalize()) {
        (Ok(root), Ok(path)) => path.starts_with(root),
        _ => true,
    }
}

/// A folder trustpress wrote (it holds the output marker) is never content: re-reading a
/// build, say one written under `static/`, would publish it again to every audience.
fn is_build_output(e: &walkdir::DirEntry) -> bool {
    e.file_type().is_dir() && e.path().join(crate::output::MARKER).exists()
}

/// Dot-files (editor swap files, `.DS_Store`) are never content.
fn is_hidden(e: &walkdir::DirEntry) -> bool {
    e.depth() > 0
        && e.file_name()
            .to_str()
            .is_some_and(|n| n.starts_with('.') || n.ends_with('~'))
}

//! Scanning the site folder and parsing every source file into the typed model.
//! Nothing here decides links between items; that is `site`'s job.

pub mod fields;
pub mod frontmatter;
pub mod items;
pub mod memo;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::cache::{self, Cache, Memo, ParsedPolicy};
use crate::config::{self, Config};
use crate::diagnostic::{Diagnostics, Pos};
use crate::model::*;
use crate::rules::Rule;
use crate::yaml;
use fields::Fields;
use memo::{ParsedRegister, Register, Seen, Stamp};

/// Everything read from a site folder, parsed but not yet linked.
#[derive(Debug, Default)]
pub struct Sources {
    pub config: Option<Config>,
    pub scope: Option<Scope>,
    /// Items are shared with the memo cache (`serve` loads an unchanged item without copying it).
    pub policies: Vec<Arc<Policy>>,
    pub mappings: Vec<Arc<Mapping>>,
    pub evidence: Vec<Arc<Evidence>>,
    pub risks: Vec<Arc<Risk>>,
    pub findings: Vec<Arc<Finding>>,
    pub suppliers: Vec<Arc<Supplier>>,
    /// Files under `static/`, keyed by their path in the output.
    pub static_files: Vec<(String, Vec<u8>)>,
    /// Template overrides from `templates/`: (name, text).
    pub templates: Vec<(String, String)>,
    /// Every file in the site (relative, `/`-separated), for resolving relative links
    /// (shared with the loader's listing, `Listing::with_tops`).
    pub files: Arc<BTreeSet<String>>,
    /// A hash of `files`, where the loader keeps its listing between loads (`serve`).
    pub files_hash: Option<u64>,
    /// The files of policy folders (`policies/x/index.md` with `diagram.svg` beside it).
    pub policy_files: Vec<PolicyFile>,
}

/// A file in a policy's folder, published beside the policy's page to the readers who may
/// open the policy.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// The policy's source file (`policies/x/index.md`).
    pub policy: String,
    /// Its path inside the folder (`diagram.svg`, `img/a.png`), as it is published.
    pub name: String,
    /// Its path in the site (`policies/x/diagram.svg`).
    pub source: String,
    /// Its bytes, read only if the build's audience may see the policy's classification.
    pub bytes: Option<Vec<u8>>,
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

/// The files at the top of a site that trustpress reads.
const TOP_FILES: [&str; 2] = ["site.yaml", "scope.md"];

/// Reads and parses the whole site at `root`, gathering every diagnostic.
pub fn load(root: &Path) -> (Sources, Diagnostics) {
    load_cached(root, &Cache::default(), Classification::Internal)
}

/// `load`, reusing what `cache` holds for files whose content has not changed.
/// Evidence files of items above `audience` are checked but not read.
pub fn load_cached(root: &Path, cache: &Cache, audience: Classification) -> (Sources, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut src = Sources::default();
    if !root.is_dir() {
        diags.error(
            Pos::file(root.display().to_string()),
            Rule::Io,
            "the site folder does not exist or is not a folder",
        );
        return (src, diags);
    }
    // A linked top-level entry is reported and not read at all: `static -> .` would publish
    // every source file, and a link outside the site would publish outside files.
    let linked = linked_tops(root, &mut diags);
    let tops: Vec<&str> = CONTENT_DIRS
        .into_iter()
        .filter(|d| !linked.contains(d))
        .collect();
    // With a hint that names only files whose content changed, the last load's list stands.
    let hint = cache.sources.take_hint();
    let listing = match (&hint, cache.sources.listing()) {
        (Some(hint), Some(last)) if last.tops == tops && same_listing(root, &last.files, hint) => {
            last
        }
        _ => {
            let mut walk = Diagnostics::new();
            let files = list_files(root, &tops, &mut walk);
            let hash = cache.sources.seen.keeps().then(|| cache::hash(&files));
            let listing = Arc::new(memo::Listing {
                tops: tops.clone(),
                files,
                diags: walk,
                hash,
                with: Default::default(),
            });
            cache.sources.keep_listing(Arc::clone(&listing));
            listing
        }
    };
    diags.extend(listing.diags.clone());
    // Files the hint does not name are as the last load saw them.
    let unchanged = |path: &str| hint.as_ref().is_some_and(|h| !h.contains(path));
    unread_folders(root, &mut diags);
    let tops_found: Vec<&'static str> = TOP_FILES
        .into_iter()
        .filter(|top| !linked.contains(top) && root.join(top).is_file())
        .collect();
    src.files = listing.with_tops(&tops_found);
    src.files_hash = listing.hash.map(|h| cache::hash(&(h, &tops_found)));
    drop(listing);
    if linked.contains(&config::CONFIG_FILE) {
        return (src, diags);
    }

    match read_text(root, config::CONFIG_FILE, &mut diags) {
        Some(text) => src.config = config::parse(&text, &mut diags),
        None if !root.join(config::CONFIG_FILE).exists() => diags.error(
            Pos::file(config::CONFIG_FILE),
            Rule::MissingFile,
            "site.yaml is missing: every site needs one with `title`, `base_url` and `organisation: {name}`",
        ),
        None => {}
    }
    let Some(config) = src.config.clone() else {
        return (src, diags);
    };
    config::check_brand_files(&config, &*src.files, &mut diags);
    if !linked.contains(&"scope.md") {
        src.scope = load_scope(root, &mut diags);
    }

    let policy_files: Vec<&String> = src
        .files
        .iter()
        .filter(|p| p.starts_with("policies/") && is_markdown(p))
        .collect();
    let default = config.default_classification(Collection::Policies);
    // Files changed since this moment are read again next time, whatever their stamp says.
    let now = SystemTime::now();
    let policy_salt = cache::hash(&default);
    // A build that keeps no parsed policy (`build`, `check`) leaves each policy's text in its
    // file until its page is rendered: the texts are most of a large site's memory. `serve`
    // keeps its parses, texts and all, between rebuilds.
    let store_bodies = !cache.policies.keeps();
    let shared_root: Arc<Path> = Arc::from(root);
    let policies = || -> Vec<ParsedPolicy> {
        let known = unchanged_parses(&policy_files, unchanged, cache, &cache.policies, |_| {
            policy_salt
        });
        policy_files
            .par_iter()
            .zip(known)
            .map(|(path, known)| {
                if let Some(known) = known {
                    return known;
                }
                let mut d = Diagnostics::new();
                let salt = policy_salt;
                let parse = |text: &str, hash: u64| {
                    let mut d = Diagnostics::new();
                    let mut p = load_policy(path, text, default, &mut d);
                    if store_bodies && let Some(p) = &mut p {
                        store_body(&mut p.body, Arc::clone(&shared_root), text, hash);
                    }
                    Arc::new((p.map(Arc::new), d))
                };
                let at = At {
                    root,
                    rel: path,
                    now,
                };
                read_parsed(at, cache, &cache.policies, salt, &mut d, parse)
                    .unwrap_or_else(|| Arc::new((None, d)))
            })
            .collect()
    };

    // Every register file at once (each is one parse), beside the policies (a large register
    // is one long parse), applied in a fixed order.
    let registers: Vec<(Collection, &String)> = REGISTERS
        .into_iter()
        .flat_map(|collection| {
            let prefix = format!("{}/", collection.dir());
            src.files
                .iter()
                .filter(move |p| p.starts_with(&prefix) && is_yaml(p))
                .map(move |p| (collection, p))
        })
        .collect();
    let register_salt = |collection: Collection| {
        cache::hash(&(collection.dir(), config.default_classification(collection)))
    };
    let parse_registers = || -> Vec<(Option<ParsedRegister>, Diagnostics)> {
        let paths: Vec<&String> = registers.iter().map(|(_, p)| *p).collect();
        let known = unchanged_parses(&paths, unchanged, cache, &cache.sources.registers, |i| {
            register_salt(registers[i].0)
        });
        registers
            .par_iter()
            .zip(known)
            .map(|(&(collection, path), known)| {
                if let Some(known) = known {
                    return (Some(known), Diagnostics::new());
                }
                let mut d = Diagnostics::new();
                let default = config.default_classification(collection);
                let salt = register_salt(collection);
                let parse =
                    |text: &str, _| Arc::new(parse_register(collection, path, text, default));
                let at = At {
                    root,
                    rel: path,
                    now,
                };
                let parsed = read_parsed(at, cache, &cache.sources.registers, salt, &mut d, parse);
                (parsed, d)
            })
            .collect()
    };
    let (policies, registers) = rayon::join(policies, parse_registers);
    for parsed in policies {
        let (p, d) = &*parsed;
        diags.extend(d.clone());
        src.policies.extend(p.clone());
    }
    collect_policy_files(root, &mut src, audience, &mut diags);
    for (parsed, d) in registers {
        diags.extend(d);
        if let Some(parsed) = parsed {
            add_register(root, &parsed, &mut src, &mut diags);
        }
    }

    check_evidence_files(root, &src, &mut diags);
    read_evidence_files(root, &mut src, audience, &mut diags);

    for path in src.files.iter().filter(|p| p.starts_with("static/")) {
        match read_regular(&root.join(path)) {
            Ok(bytes) => src
                .static_files
                .push((path["static/".len()..].to_string(), bytes)),
            Err(e) => diags.error(
                Pos::file(path.as_str()),
                Rule::Io,
                format!("cannot read: {e}"),
            ),
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
            Rule::MissingFile,
            "scope.md is missing: every site needs a scope statement",
        );
        return None;
    }
    let text = read_text(root, path, diags)?;
    let (raw, body, yaml) = split_markdown::<items::RawScope>(path, &text, diags)?;
    let mut f = Fields {
        path,
        source: &yaml,
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
    let stem = policy_stem(path);
    // Markdown brought in from elsewhere often has no front matter: read it as a draft.
    if let Ok(split) = frontmatter::split(text)
        && split.yaml.trim().is_empty()
        && !text.trim_start_matches('\u{feff}').starts_with("---")
        && !text.trim_start_matches('\u{feff}').starts_with("+++")
    {
        let body = Markdown::new(
            split.body.to_string(),
            Pos::new(path, split.body_line, 1),
            vec![],
        );
        let mut f = Fields {
            path,
            source: "",
            line_offset: 0,
            diags,
        };
        return items::policy_without_front_matter(stem, body, default, &mut f);
    }
    let (raw, body, yaml) = split_markdown::<items::RawPolicy>(path, text, diags)?;
    let mut f = Fields {
        path,
        source: &yaml,
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
) -> Option<(T, Markdown, std::borrow::Cow<'t, str>)> {
    let split = match frontmatter::split(text) {
        Ok(s) => s,
        Err(e) => {
            diags.error(Pos::file(path), Rule::FrontMatter, e);
            return None;
        }
    };
    if split.yaml.trim().is_empty() {
        diags.error(Pos::file(path), Rule::FrontMatter, "missing front matter: expected the file to start with a `---` line, YAML fields, and a closing `---`");
        return None;
    }
    let raw = match yaml::parse_all::<T>(&split.yaml, path, split.yaml_line_offset) {
        Ok(r) => r,
        Err(ds) => {
            ds.into_iter().for_each(|d| diags.push(d));
            return None;
        }
    };
    let body = Markdown::new(
        split.body.to_string(),
        Pos::new(path, split.body_line, 1),
        vec![],
    );
    Some((raw, body, split.yaml))
}

/// The parsed file at `rel` from `memo` (keyed by its content hash and `salt`, which stands
/// for everything else the parse depends on), parsed by `parse` (given the text and its
/// hash) when not there. A file whose
/// stamp equals the last load's (and had settled then) is neither read nor hashed. `None`
/// when the file cannot be read (reported in `diags`) or has gone.
fn read_parsed<V: Clone>(
    at: At,
    cache: &Cache,
    memo: &Memo<u64, V>,
    salt: u64,
    diags: &mut Diagnostics,
    parse: impl FnOnce(&str, u64) -> V,
) -> Option<V> {
    let At { root, rel, now } = at;
    let generation = cache.generation();
    let sources = &cache.sources;
    let key = rel.to_string();
    // Taken before reading: a change while reading gives the file another stamp next time.
    // (Not taken when no stamp is kept: a one-shot build reads every file once.)
    let stamp = sources
        .seen
        .keeps()
        .then(|| std::fs::metadata(root.join(rel)).ok())
        .flatten()
        .filter(std::fs::Metadata::is_file)
        .map(|m| Stamp::of(&m));
    if let Some(stamp) = stamp
        && let Some(seen) = sources.seen.get(&key, generation)
        && seen.trusted
        && seen.stamp == stamp
        && let Some(v) = memo.get(&memo_key(rel, seen.hash, salt), generation)
    {
        return Some(v);
    }
    let Some(text) = read_text(root, rel, diags) else {
        // Not what the last load saw: the next load must look again, hint or not.
        sources.seen.remove(&key);
        return None;
    };
    sources.count_read();
    let hash = cache::hash(&text);
    if let Some(stamp) = stamp {
        let trusted = stamp.settled(now, sources.settle);
        sources.seen.insert(
            key.clone(),
            Seen {
                stamp,
                hash,
                trusted,
            },
            generation,
        );
    }
    Some(memo.get_or(memo_key(rel, hash, salt), generation, || parse(&text, hash)))
}

/// Leaves a policy's `body` in its file (`Markdown::store`), under the site folder `root`:
/// `text` is the whole file, which hashed to `hash`, and the body is its end (as
/// `frontmatter::split` cuts it).
fn store_body(body: &mut Markdown, root: Arc<Path>, text: &str, hash: u64) {
    let Some(held) = body.held_text() else {
        return;
    };
    let start = text.len().saturating_sub(held.len());
    if text.get(start..) == Some(held) {
        body.store(root, start, hash);
    }
}

/// A parsed file's key in its memo table: its path, its content's hash and `salt`.
fn memo_key(rel: &str, hash: u64, salt: u64) -> u64 {
    cache::hash(&(rel, hash, salt))
}

/// What the last load parsed of each of `paths` that the watcher has not seen change since
/// (`unchanged`), looked up in batches side by side, each under one lock per table; `None` for
/// the others. (`serve` looks up every file of a large site on every save: one batch took
/// milliseconds on one core.)
fn unchanged_parses<P: AsRef<str> + Sync, V: Clone + Send>(
    paths: &[P],
    unchanged: impl Fn(&str) -> bool + Sync,
    cache: &Cache,
    memo: &Memo<u64, V>,
    salt: impl Fn(usize) -> u64 + Sync,
) -> Vec<Option<V>> {
    const BATCH: usize = 1024;
    let generation = cache.generation();
    let batches: Vec<Vec<Option<V>>> = paths
        .par_chunks(BATCH)
        .enumerate()
        .map(|(b, batch)| {
            let wanted = batch
                .iter()
                .map(|p| unchanged(p.as_ref()).then_some(p.as_ref()));
            let seen = cache.sources.seen.get_many(wanted, generation);
            let keys: Vec<Option<u64>> = batch
                .iter()
                .zip(&seen)
                .enumerate()
                .map(|(i, (p, seen))| {
                    let salt = salt(b * BATCH + i);
                    seen.as_ref().map(|s| memo_key(p.as_ref(), s.hash, salt))
                })
                .collect();
            memo.get_many(keys.iter().map(Option::as_ref), generation)
        })
        .collect();
    batches.into_iter().flatten().collect()
}

/// Where `read_parsed` reads, and what is known of the file.
#[derive(Clone, Copy)]
struct At<'a> {
    root: &'a Path,
    rel: &'a str,
    /// When this load began: files changed since are read again next time.
    now: SystemTime,
}

/// Whether the files of `files` (the last load's list) are still the site's files, given the
/// paths that may have changed since (`hint`): each names a file of the list that is still a
/// regular file (only its content may have changed), or nothing at all that the list holds
/// (an editor's temporary file, gone). Anything else (a file added, removed or replaced by a
/// link, a folder named) needs a new listing.
fn same_listing(root: &Path, files: &BTreeSet<String>, hint: &BTreeSet<String>) -> bool {
    hint.iter().all(|path| {
        let meta = std::fs::symlink_metadata(root.join(path));
        if files.contains(path) {
            return meta.is_ok_and(|m| m.file_type().is_file());
        }
        let prefix = format!("{path}/");
        let holds_listed = files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|f| f.starts_with(&prefix));
        !holds_listed && meta.is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
    })
}

/// Parses one register file into its entries (their evidence files are not looked at here).
fn parse_register(
    collection: Collection,
    path: &str,
    text: &str,
    default: Classification,
) -> (Register, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut f = Fields {
        path,
        source: text,
        line_offset: 0,
        diags: &mut diags,
    };
    // An empty file is an empty register, not an error.
    let empty = text.trim().is_empty();
    macro_rules! entries {
        ($parse:path) => {
            if empty {
                Vec::new()
            } else {
                parse_list(text, &mut f)
                    .into_iter()
                    .filter_map(|raw| $parse(raw, default, &mut f))
                    .collect()
            }
        };
    }
    let register = match collection {
        Collection::Controls => Register::Mappings(shared(entries!(items::mapping))),
        Collection::Evidence => Register::Evidence(
            entries!(items::evidence)
                .into_iter()
                .map(|(e, file): (Evidence, _)| (Arc::new(e), file))
                .collect(),
        ),
        Collection::Risks => Register::Risks(shared(entries!(items::risk))),
        Collection::Findings => Register::Findings(shared(entries!(items::finding))),
        Collection::Suppliers => Register::Suppliers(shared(entries!(items::supplier))),
        // Policies are Markdown files, never registers.
        Collection::Policies => Register::Suppliers(Vec::new()),
    };
    (register, diags)
}

fn shared<T>(items: Vec<T>) -> Vec<Arc<T>> {
    items.into_iter().map(Arc::new).collect()
}

/// Adds a parsed register's entries to `src`, checking each evidence item's file.
fn add_register(root: &Path, parsed: &ParsedRegister, src: &mut Sources, diags: &mut Diagnostics) {
    let (register, d) = &**parsed;
    diags.extend(d.clone());
    match register {
        Register::Mappings(v) => src.mappings.extend(v.iter().cloned()),
        Register::Evidence(v) => {
            for (ev, file) in v {
                let mut ev = Arc::clone(ev);
                if let Some((file, pos)) = file {
                    // Only items with a file are copied: the file is checked on every load.
                    let ev = Arc::make_mut(&mut ev);
                    ev.common.field_pos.push(("file", pos.clone()));
                    ev.file = load_evidence_file(root, file, pos, ev.common.classification, diags);
                }
                src.evidence.push(ev);
            }
        }
        Register::Risks(v) => src.risks.extend(v.iter().cloned()),
        Register::Findings(v) => src.findings.extend(v.iter().cloned()),
        Register::Suppliers(v) => src.suppliers.extend(v.iter().cloned()),
    }
}

/// A register file is a YAML list of entries.
fn parse_list<T: DeserializeOwned>(text: &str, f: &mut Fields) -> Vec<yaml::Spanned<T>> {
    match yaml::parse_all::<Option<Vec<yaml::Spanned<T>>>>(text, f.path, f.line_offset) {
        Ok(v) => v.unwrap_or_default(),
        Err(ds) => {
            for mut d in ds {
                if d.message.starts_with("expected sequence") {
                    d.message = "expected a YAML list of entries (each starting with `- `)".into();
                }
                f.diags.push(d);
            }
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
            Rule::InvalidPath,
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
            Rule::EvidenceInStatic,
            format!("evidence file \"{file}\" is under static/, which is published to every audience; move it outside static/ (e.g. evidence/files/)"),
        );
        return None;
    }
    if !resolves_inside(root, &root.join(rel)) {
        diags.error(
            pos.clone(),
            Rule::InvalidPath,
            format!("evidence file \"{file}\" leads outside the site folder through a symbolic link; copy the file into the site instead"),
        );
        return None;
    }
    let file_name = rel
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file")
        .to_string();
    if let Err(why) = publishable_name(&file_name) {
        diags.error(
            pos.clone(),
            Rule::EvidenceFileName,
            format!("evidence file \"{}\" {why}", shorten(file)),
        );
        return None;
    }
    // Only checked here; read later, and only if the build's audience may see the item.
    match regular_file(&root.join(rel)) {
        Ok(()) => Some(EvidenceFile {
            source: file.to_string(),
            file_name,
            bytes: None,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.error(
                pos.clone(),
                Rule::MissingFile,
                format!("evidence file \"{file}\" does not exist"),
            );
            None
        }
        Err(e) => {
            diags.error(
                pos.clone(),
                Rule::Io,
                format!("evidence file \"{file}\" cannot be read: {e}"),
            );
            None
        }
    }
}

/// The longest file name an evidence file may have: most file systems allow no more, so a
/// longer one could not be written into the build.
pub const MAX_FILE_NAME: usize = 255;

/// Reports each content folder, `site.yaml` or `scope.md` that is a symbolic link, and
/// returns their names: none of them is read.
/// Folders at the top of the site that trustpress writes itself, and so never reads.
const OWN_FOLDERS: [&str; 2] = ["_site", "schemas"];

/// Warns about each folder at the top of the site that trustpress does not read (`policy/`,
/// `narratives/`): nothing is silently ignored. Dot-folders and trustpress's own outputs are
/// not content and are skipped.
fn unread_folders(root: &Path, diags: &mut Diagnostics) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| !n.starts_with('.') && !OWN_FOLDERS.contains(&n.as_str()))
        .filter(|n| !CONTENT_DIRS.contains(&n.as_str()))
        .filter(|n| !root.join(n).join(crate::output::MARKER).exists())
        .collect();
    names.sort();
    for name in names {
        // Singular and plural spellings (`policy/`, `risk/`) are the likeliest mistakes.
        let lower = name.to_lowercase();
        let plural = [
            format!("{lower}s"),
            format!("{}ies", lower.trim_end_matches('y')),
        ];
        let near = CONTENT_DIRS
            .into_iter()
            .find(|d| plural.iter().any(|p| p == d))
            .or_else(|| crate::diagnostic::suggest(&name, CONTENT_DIRS));
        let hint = match near {
            Some(near) => format!("did you mean {near}/?"),
            None => format!(
                "trustpress reads {}",
                CONTENT_DIRS.map(|d| format!("{d}/")).join(", ")
            ),
        };
        diags.warning(
            Pos::file(format!("{name}/")),
            Rule::UnreadFolder,
            format!("the folder {name}/ is not read, so nothing in it is published ({hint}); move its files, or silence this with `check: {{ ignore: [unread-folder] }}` in site.yaml"),
        );
    }
}

fn linked_tops(root: &Path, diags: &mut Diagnostics) -> Vec<&'static str> {
    let mut linked = Vec::new();
    for top in CONTENT_DIRS.into_iter().chain(TOP_FILES) {
        let is_link = std::fs::symlink_metadata(root.join(top)).is_ok_and(|m| m.is_symlink());
        if !is_link {
            continue;
        }
        let what = if TOP_FILES.contains(&top) {
            "file"
        } else {
            "folder"
        };
        diags.error(
            Pos::file(top),
            Rule::Symlink,
            format!("{top} is a symbolic link; trustpress does not follow links, so that nothing outside the site (and no source file) is published: replace it with the {what} itself"),
        );
        linked.push(top);
    }
    linked
}

/// Reads the file of each evidence item `audience` may see. The others are not read at all: a
/// public build never opens an internal item's file.
fn read_evidence_files(
    root: &Path,
    src: &mut Sources,
    audience: Classification,
    diags: &mut Diagnostics,
) {
    for ev in &mut src.evidence {
        if !ev.common.classification.visible_to(audience) {
            continue;
        }
        let Some(source) = ev.file.as_ref().map(|f| f.source.clone()) else {
            continue;
        };
        // Not shared: `add_register` copied every item with a file.
        let ev = Arc::make_mut(ev);
        match read_regular(&root.join(&source)) {
            Ok(bytes) => {
                if let Some(file) = &mut ev.file {
                    file.bytes = Some(bytes);
                }
            }
            Err(e) => {
                let pos = ev.common.pos_of("file").clone();
                diags.error(
                    pos,
                    Rule::Io,
                    format!("evidence file \"{source}\" cannot be read: {e}"),
                );
                ev.file = None;
            }
        }
    }
}

/// Whether `path` is a regular file, without opening it (opening a named pipe blocks).
fn regular_file(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(not_regular(&meta))
    }
}

fn not_regular(m: &std::fs::Metadata) -> std::io::Error {
    std::io::Error::other(if m.is_dir() {
        "it is a folder, not a file"
    } else {
        "it is not a regular file (it is a named pipe, socket or device): trustpress reads only regular files"
    })
}

/// Reads a file's bytes, refusing anything but a regular file: opening a named pipe would
/// wait forever for a writer, and a device could be read without end.
pub(crate) fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let file = std::fs::File::open(path)?;
    // Checked again on the open file, in case the path was replaced in between.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Through `take`, the plain read loop: `File::read_to_end` would ask the size and the
    // position again (two more system calls a file, 200,000 for a site of 100,000 policies).
    file.take(u64::MAX).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Why an evidence file name cannot be published at `evidence/<slug>/<name>`, if it cannot.
fn publishable_name(name: &str) -> Result<(), String> {
    // The item's own page is `evidence/<slug>/index.html`; case-insensitive file systems and
    // servers treat `INDEX.HTML` as the same file.
    if name.eq_ignore_ascii_case("index.html") {
        return Err("is named index.html, the name of the evidence item's own page, so it could not be published: rename the file".into());
    }
    if name.len() > MAX_FILE_NAME {
        return Err(format!(
            "has a file name of {} bytes, longer than the {MAX_FILE_NAME} a build can write: rename the file",
            name.len()
        ));
    }
    Ok(())
}

/// An evidence file is published as it is, so it may not be one of the files trustpress reads
/// as source (a policy, a register, the settings, a template), however the path is spelled
/// or linked; and a file named by several items is as restricted as the most restricted one.
fn check_evidence_files(root: &Path, src: &Sources, diags: &mut Diagnostics) {
    let named: Vec<(&Evidence, &EvidenceFile, FileId)> = src
        .evidence
        .iter()
        .filter_map(|e| {
            let f = e.file.as_ref()?;
            Some((&**e, f, file_id(&root.join(&f.source))?))
        })
        .collect();
    if named.is_empty() {
        return;
    }
    let sources: std::collections::HashMap<FileId, &str> = src
        .files
        .iter()
        .filter(|p| source_kind(p).is_some())
        .filter_map(|p| Some((file_id(&root.join(p))?, p.as_str())))
        .collect();
    for (e, f, id) in &named {
        let normal = normalise(&f.source);
        let same = source_kind(&normal).map(|_| normal.as_str());
        let Some(path) = same.or_else(|| sources.get(id).copied()) else {
            continue;
        };
        let kind = source_kind(path).unwrap_or("a source file");
        let is = if path == normal {
            format!("is {kind}")
        } else {
            format!("is the same file as {path}, {kind}")
        };
        diags.error(
            e.common.pos_of("file").clone(),
            Rule::EvidenceSourceFile,
            format!("evidence file \"{}\" {is}: trustpress reads it as a source and may not publish it; attach a separate file (e.g. under evidence/files/)", f.source),
        );
    }
    // The most restricted item naming each file (the first of them on a tie).
    let mut strictest: std::collections::HashMap<&FileId, &Evidence> =
        std::collections::HashMap::new();
    for (e, _, id) in &named {
        let best = strictest.entry(id).or_insert(e);
        if e.common.classification > best.common.classification {
            *best = e;
        }
    }
    for (e, f, id) in &named {
        if let Some(o) = strictest.get(id)
            && o.common.classification > e.common.classification
        {
            diags.error(
                e.common.pos_of("file").clone(),
                Rule::EvidenceFileShared,
                format!(
                    "evidence file \"{}\" is also the file of {} \"{}\", which is {}: this {} item would publish it to {} readers; classify both alike or attach a separate file",
                    f.source,
                    Collection::Evidence.noun(),
                    o.common.id,
                    o.common.classification.as_str(),
                    e.common.classification.as_str(),
                    e.common.classification.as_str(),
                ),
            );
        }
    }
}

/// The id a policy without `id:` takes from its file: the file name without `.md`, or for a
/// page bundle (`policies/x/index.md`, `policies/x/_index.md`) the folder's name, as in Hugo
/// and Zola, so two bundles never share the id `index`.
pub fn policy_stem(path: &str) -> &str {
    let p = Path::new(path);
    let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or(path);
    if !is_bundle_index(path) {
        return stem;
    }
    p.parent()
        .filter(|dir| *dir != Path::new(Collection::Policies.dir()))
        .and_then(|dir| dir.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or(stem)
}

/// Whether `path` is the Markdown file of a page bundle: `index.md` or `_index.md`.
fn is_bundle_index(path: &str) -> bool {
    let p = Path::new(path);
    is_markdown(path)
        && p.file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|s| s.eq_ignore_ascii_case("index") || s.eq_ignore_ascii_case("_index"))
}

/// The bundle file (`policies/x/index.md`) whose folder holds `path`, the nearest one if
/// bundles nest; `None` for a file outside every policy folder (or in `policies/` itself).
fn bundle_of<'f>(path: &str, files: &'f BTreeSet<String>) -> Option<&'f String> {
    let mut dir = Path::new(path).parent();
    while let Some(d) = dir.filter(|d| *d != Path::new(Collection::Policies.dir())) {
        let d_str = d.to_str()?;
        let prefix = format!("{d_str}/");
        let found = files
            .range(prefix.clone()..)
            .take_while(|f| f.starts_with(&prefix))
            .find(|f| !f[prefix.len()..].contains('/') && is_bundle_index(f));
        if found.is_some() {
            return found;
        }
        dir = d.parent();
    }
    None
}

/// Finds the files of every policy folder, and reads those whose policy the build's audience
/// may see (the others are not opened: a public build never reads an internal policy's
/// files). A file named like a page (`index.html`) could not be published beside one.
fn collect_policy_files(
    root: &Path,
    src: &mut Sources,
    audience: Classification,
    diags: &mut Diagnostics,
) {
    let mut out = Vec::new();
    for path in src.files.iter().filter(|p| {
        p.starts_with("policies/")
            && !is_markdown(p)
            && !p
                .rsplit('/')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case("index.html"))
    }) {
        let Some(policy) = bundle_of(path, &src.files) else {
            continue;
        };
        let Some(folder) = policy.rsplit_once('/').map(|(dir, _)| dir) else {
            continue;
        };
        let Some(name) = path.strip_prefix(folder).and_then(|n| n.strip_prefix('/')) else {
            continue;
        };
        let visible = src
            .policies
            .iter()
            .find(|p| p.common.pos.path == *policy)
            .is_some_and(|p| p.common.classification.visible_to(audience));
        let bytes = if visible {
            match read_regular(&root.join(path)) {
                Ok(bytes) => Some(bytes),
                Err(e) => {
                    diags.error(
                        Pos::file(path.as_str()),
                        Rule::Io,
                        format!("cannot read: {e}"),
                    );
                    continue;
                }
            }
        } else {
            None
        };
        out.push(PolicyFile {
            policy: policy.clone(),
            name: name.to_string(),
            source: path.clone(),
            bytes,
        });
    }
    src.policy_files = out;
}

/// Whether `path` names a Markdown file (`.md`, in any case: `Upper.MD` is a policy too).
pub fn is_markdown(path: &str) -> bool {
    has_extension(path, &["md"])
}

/// Whether `path` names a YAML file (`.yaml` or `.yml`, in any case).
pub fn is_yaml(path: &str) -> bool {
    has_extension(path, &["yaml", "yml"])
}

fn has_extension(path: &str, exts: &[&str]) -> bool {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// What kind of source file trustpress reads at `path` (site-relative, normalised), if any.
fn source_kind(path: &str) -> Option<&'static str> {
    let in_dir = |dir: &str| path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'));
    let yaml = is_yaml(path);
    if path == config::CONFIG_FILE {
        Some("the site's settings")
    } else if path == "scope.md" {
        Some("the scope statement")
    } else if in_dir("policies") && is_markdown(path) {
        Some("a policy")
    } else if in_dir("templates") {
        Some("a template")
    } else if yaml && REGISTERS.iter().any(|c| in_dir(c.dir())) {
        Some("a register")
    } else {
        None
    }
}

/// `./a//b` → `a/b`: a relative path as the site's file list spells it.
fn normalise(path: &str) -> String {
    Path::new(path)
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// What makes two paths the same file: device and inode where there are such (so hard links
/// and links inside the site are seen through), else the canonical path.
#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

#[cfg(unix)]
fn file_id(path: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> Option<FileId> {
    path.canonicalize().ok()
}

/// Reads a UTF-8 text file relative to `root`, reporting problems against its path.
fn read_text(root: &Path, rel: &str, diags: &mut Diagnostics) -> Option<String> {
    let bytes = match read_regular(&root.join(rel)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            diags.error(Pos::file(rel), Rule::Io, format!("cannot read: {e}"));
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
                Rule::InvalidUtf8,
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
                    Rule::UnreadableName,
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
                    Rule::SymlinkIgnored,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The last load's parses are looked up in batches: every file of a site larger than one
    /// batch finds its own, in order, and a file the watcher named finds none.
    #[test]
    fn unchanged_parses_line_up_with_their_paths_across_batches() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_file(dir.path(), "a.md", "a");
        let stamp = memo::Stamp::of(&std::fs::metadata(dir.path().join("a.md")).expect("meta"));
        let cache = Cache::default();
        let generation = cache.begin();
        let memo: crate::cache::Memo<u64, usize> = crate::cache::Memo::new(true);
        let paths: Vec<String> = (0..2500).map(|i| format!("policies/p{i}.md")).collect();
        for (i, path) in paths.iter().enumerate() {
            let seen = memo::Seen {
                stamp,
                hash: i as u64,
                trusted: true,
            };
            cache.sources.seen.insert(path.clone(), seen, generation);
            memo.insert(memo_key(path, i as u64, 7), i, generation);
        }
        let named = "policies/p1500.md";
        let found = unchanged_parses(&paths, |p| p != named, &cache, &memo, |_| 7);
        assert_eq!(found.len(), paths.len());
        for (i, v) in found.iter().enumerate() {
            let expected = (i != 1500).then_some(i);
            assert_eq!(*v, expected, "{}", paths[i]);
        }
    }

    /// Writes `text` at `path` under `root`, creating folders.
    fn write_file(root: &Path, path: &str, text: &str) {
        crate::testing::write_files(root, [(path, text)]);
    }

    /// A temp folder holding the smallest valid site: site.yaml and scope.md.
    fn minimal_site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        write_file(
            dir.path(),
            "site.yaml",
            "title: T\nbase_url: https://example.test/\norganisation:\n  name: Org\n",
        );
        write_file(dir.path(), "scope.md", "---\ntitle: Scope\n---\nAll.\n");
        dir
    }

    /// An approved policy file titled `title`.
    fn policy(title: &str) -> String {
        format!(
            "---\ntitle: {title}\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\n---\nText.\n"
        )
    }

    /// A one-shot load (`build`, `check`) leaves each policy's text in its file, scanned for
    /// its links and unclosed comment first, and reads it again exactly; `serve`'s loads hold
    /// it. A file changed since it was loaded is an error at the file, even when only its
    /// classification changed, and so is one that has gone.
    #[test]
    fn a_one_shot_load_leaves_policy_texts_in_their_files() {
        let dir = minimal_site();
        let text = "---\ntitle: A\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: internal\n---\n# Heading\n\nSee [b](policy:b).\n\n<!-- open\n";
        write_file(dir.path(), "policies/a.md", text);
        write_file(dir.path(), "policies/b.md", &policy("Bravo"));
        let load = |cache: &Cache| {
            cache.begin();
            let (src, diags) = load_cached(dir.path(), cache, Classification::Internal);
            assert!(!diags.has_errors(), "{diags:?}");
            src.policies
                .into_iter()
                .find(|p| p.title == "A")
                .expect("policy a")
        };
        let kept = load(&Cache::default());
        assert!(!kept.body.is_stored(), "serve holds the text");
        let stored = load(&Cache::one_shot());
        assert!(stored.body.is_stored(), "a one-shot build does not");
        let body = "# Heading\n\nSee [b](policy:b).\n\n<!-- open\n";
        assert_eq!(stored.body.text().expect("read again"), body);
        assert_eq!(kept.body.text().expect("held"), body);
        assert_eq!(stored.body.links(), kept.body.links());
        assert_eq!(stored.body.unclosed_comment(), kept.body.unclosed_comment());
        assert!(stored.body.unclosed_comment().is_some());
        assert_eq!(stored.body.text_hash(), kept.body.text_hash());
        assert_eq!(
            stored.body.heading_ids().expect("read again"),
            kept.body.heading_ids().expect("held")
        );

        // The same text, made public: what was loaded as internal is not published as such.
        let stored = load(&Cache::one_shot());
        write_file(
            dir.path(),
            "policies/a.md",
            &text.replace("classification: internal", "classification: public"),
        );
        let err = stored.body.text().expect_err("the file changed");
        assert_eq!(err.pos.path, "policies/a.md");
        assert_eq!(err.rule, Rule::Io);
        assert!(
            err.message
                .contains("changed while the site was being built"),
            "{}",
            err.message
        );
        assert!(
            stored.body.heading_ids().is_err(),
            "headings are read again too"
        );
        assert!(kept.body.text().is_ok(), "a held text is what was loaded");
        // Back as it was loaded: readable again.
        write_file(dir.path(), "policies/a.md", text);
        assert_eq!(stored.body.text().expect("as loaded"), body);
        std::fs::remove_file(dir.path().join("policies/a.md")).expect("rm");
        let err = stored.body.text().expect_err("the file has gone");
        assert!(
            err.message.starts_with("cannot read again"),
            "{}",
            err.message
        );
    }

    /// A load with a warm cache reads no file whose stamp is unchanged and settled, and reads
    /// an edited one (even at the same size) — and loads exactly what a cold load does.
    #[test]
    fn unchanged_files_are_not_read_again() {
        let dir = minimal_site();
        let write = |path: &str, text: &str| write_file(dir.path(), path, text);
        write("policies/a.md", &policy("Alpha"));
        write("policies/b.md", &policy("Bravo"));
        write(
            "risks/register.yaml",
            "- id: R-1\n  title: Risk\n  likelihood: 2\n  impact: 3\n",
        );
        let shape = |src: &Sources| {
            format!(
                "{:?} {:?}",
                src.policies.iter().map(|p| &p.title).collect::<Vec<_>>(),
                src.risks.iter().map(|r| &r.common.id).collect::<Vec<_>>()
            )
        };
        let load = |cache: &Cache| {
            cache.begin();
            let before = cache.sources.reads();
            let (src, diags) = load_cached(dir.path(), cache, Classification::Internal);
            assert!(!diags.has_errors(), "{diags:?}");
            let cold = load(dir.path()).0;
            assert_eq!(shape(&src), shape(&cold), "a warm load is a cold load");
            (shape(&src), cache.sources.reads() - before)
        };
        let mut cache = Cache::default();
        cache.sources.settle = std::time::Duration::ZERO;
        // site.yaml and scope.md are read every time; two policies and a register once.
        assert_eq!(load(&cache).1, 3);
        assert_eq!(load(&cache).1, 0, "nothing changed, nothing read");
        write("policies/a.md", &policy("Alfa!"));
        let (shape_now, reads) = load(&cache);
        assert_eq!(reads, 1, "the edited file, same size, is read");
        assert!(shape_now.contains("Alfa!"), "{shape_now}");
        // A file changed just before the load is not trusted by its stamp.
        let fresh = Cache::default();
        assert_eq!(load(&fresh).1, 3);
        assert_eq!(load(&fresh).1, 3, "just written: read again");
    }

    /// With a hint (`serve`'s watcher names what changed), a load looks only at the files
    /// the hint names and lists the site again only when a hinted path adds, removes or
    /// replaces a file or names a folder; each such load equals a cold load.
    #[test]
    fn a_hint_limits_what_a_load_looks_at() {
        let dir = minimal_site();
        let write = |path: &str, text: &str| write_file(dir.path(), path, text);
        write("policies/a.md", &policy("Alpha"));
        write("policies/sub/b.md", &policy("Bravo"));
        let titles = |src: &Sources| {
            let mut t: Vec<String> = src.policies.iter().map(|p| p.title.clone()).collect();
            t.sort();
            t.join(",")
        };
        let mut cache = Cache::default();
        cache.sources.settle = std::time::Duration::ZERO;
        let hinted_as = |cache: &Cache, paths: &[&str], cold: bool| {
            cache
                .sources
                .hint(paths.iter().map(|p| p.to_string()).collect());
            cache.begin();
            let before = cache.sources.reads();
            let listing = cache.sources.listing();
            let (src, diags) = load_cached(dir.path(), cache, Classification::Internal);
            assert!(!diags.has_errors(), "{diags:?}");
            if cold {
                assert_eq!(
                    titles(&src),
                    titles(&load(dir.path()).0),
                    "{paths:?}: a cold load"
                );
            }
            let relisted = !listing
                .zip(cache.sources.listing())
                .is_some_and(|(a, b)| Arc::ptr_eq(&a, &b));
            (titles(&src), cache.sources.reads() - before, relisted)
        };
        let hinted = |cache: &Cache, paths: &[&str]| hinted_as(cache, paths, true);
        hinted(&cache, &[]);
        assert_eq!(hinted(&cache, &[]).1, 0, "nothing named, nothing read");
        // A change the hint does not name is not looked for (the watcher names every change).
        write("policies/a.md", &policy("Alfa"));
        let (t, reads, relisted) = hinted_as(&cache, &["policies/sub/b.md"], false);
        assert_eq!((t.as_str(), reads, relisted), ("Alpha,Bravo", 0, false));
        let (t, reads, relisted) = hinted(&cache, &["policies/a.md", "policies/a.md.tmp"]);
        assert_eq!((t.as_str(), reads, relisted), ("Alfa,Bravo", 1, false));
        // Added, removed, a folder moved away, a file replaced by a folder: listed again.
        write("policies/c.md", &policy("Charlie"));
        let (t, _, relisted) = hinted(&cache, &["policies/c.md"]);
        assert_eq!((t.as_str(), relisted), ("Alfa,Bravo,Charlie", true));
        std::fs::remove_file(dir.path().join("policies/c.md")).expect("remove");
        let (t, _, relisted) = hinted(&cache, &["policies/c.md"]);
        assert_eq!((t.as_str(), relisted), ("Alfa,Bravo", true));
        std::fs::rename(dir.path().join("policies/sub"), dir.path().join("moved")).expect("mv");
        let (t, _, relisted) = hinted(&cache, &["policies/sub"]);
        assert_eq!((t.as_str(), relisted), ("Alfa", true));
        std::fs::remove_file(dir.path().join("policies/a.md")).expect("remove");
        write("policies/a.md/x.md", &policy("Xray"));
        let (t, _, relisted) = hinted(&cache, &["policies/a.md"]);
        assert_eq!((t.as_str(), relisted), ("Xray", true));
        // No hint: every file is looked at, as before.
        cache.begin();
        let before = cache.sources.reads();
        load_cached(dir.path(), &cache, Classification::Internal);
        assert_eq!(
            cache.sources.reads() - before,
            0,
            "stamps unchanged: nothing read"
        );
    }

    /// A build reads only the evidence files its audience may see; the others are checked to
    /// exist as regular files, and never opened.
    #[test]
    fn evidence_files_above_the_audience_are_not_read() {
        let dir = minimal_site();
        let write = |path: &str, text: &str| write_file(dir.path(), path, text);
        write("evidence/files/open.txt", "open");
        write("evidence/files/secret.txt", "secret");
        write(
            "evidence/register.yaml",
            "- id: open\n  title: Open\n  kind: report\n  collected: 2026-01-01\n  file: evidence/files/open.txt\n  classification: public\n- id: secret\n  title: Secret\n  kind: report\n  collected: 2026-01-01\n  file: evidence/files/secret.txt\n",
        );
        let bytes = |audience| {
            let (src, diags) = load_cached(dir.path(), &Cache::default(), audience);
            assert!(!diags.has_errors(), "{diags:?}");
            src.evidence
                .iter()
                .map(|e| e.file.as_ref().and_then(|f| f.bytes.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            bytes(Classification::Public),
            [Some(b"open".to_vec()), None]
        );
        assert_eq!(
            bytes(Classification::Internal),
            [Some(b"open".to_vec()), Some(b"secret".to_vec())]
        );
    }
}

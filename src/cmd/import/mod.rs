//! `trustpress import hugo|mkdocs|comply SRC DEST`: a folder of Markdown written for another
//! tool becomes a complete trustpress site. Each tool's module reads its layout into `Doc`s;
//! this module maps front matter, rewrites links between the documents to `policy:` links,
//! writes the site and runs `check` over it.
//!
//! Fields trustpress has no place for are dropped and listed in the report, never invented:
//! every imported policy is internal, and approved only where the source says it was published
//! with a date.

mod comply;
mod hugo;
mod mkdocs;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::model::{Audience, ControlId, Date, slugify};

/// The tools whose layouts `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Hugo,
    Mkdocs,
    Comply,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Hugo => "hugo",
            Tool::Mkdocs => "mkdocs",
            Tool::Comply => "comply",
        }
    }
}

pub struct ImportOptions<'a> {
    pub tool: Tool,
    pub src: &'a Path,
    pub dest: &'a Path,
    pub today: Date,
}

/// What `import` did, and what `check` said about the result.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Markdown files read.
    pub files: usize,
    /// Policies written, relative to DEST.
    pub policies: Vec<String>,
    /// Links rewritten to `policy:` links.
    pub links: usize,
    /// What was dropped or guessed, for the user to review.
    pub notes: Vec<String>,
    /// `check`'s diagnostics over the new site, printed as `path:line:column: …`.
    pub errors: Vec<String>,
    pub warnings: usize,
}

/// One document read from the source, before it is written as a policy.
#[derive(Debug, Default)]
struct Doc {
    /// The source file, relative to SRC (for links and messages).
    source: String,
    /// Wanted id (made unique when written).
    id: String,
    title: Option<String>,
    draft: bool,
    /// A date the source gives the document (Hugo's lastmod or date).
    date: Option<Date>,
    summary: Option<String>,
    controls: Vec<ControlId>,
    /// Markdown body.
    body: String,
    /// Other paths links may use for this document (Hugo URLs, `ref` arguments).
    aliases: Vec<String>,
}

/// What a tool's reader returns.
struct Read {
    title: Option<String>,
    docs: Vec<Doc>,
    notes: Vec<String>,
    files: usize,
}

pub fn run(opts: &ImportOptions) -> Result<ImportReport> {
    if !opts.src.is_dir() {
        bail!("{} is not a folder", opts.src.display());
    }
    if opts.dest.exists()
        && fs::read_dir(opts.dest)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} already exists and is not empty: import writes a new site",
            opts.dest.display()
        );
    }
    let read = match opts.tool {
        Tool::Hugo => hugo::read(opts.src)?,
        Tool::Mkdocs => mkdocs::read(opts.src)?,
        Tool::Comply => comply::read(opts.src)?,
    };
    if read.docs.is_empty() {
        bail!(
            "no Markdown documents found in {} for {}",
            opts.src.display(),
            opts.tool.name()
        );
    }
    let mut report = ImportReport {
        files: read.files,
        notes: read.notes,
        ..ImportReport::default()
    };
    let ids = unique_ids(&read.docs);
    let links = Links {
        targets: link_targets(&read.docs, &ids),
        anchors: read
            .docs
            .iter()
            .zip(&ids)
            .map(|(d, id)| {
                let headings = crate::markdown::heading_ids(&d.body).into_iter().collect();
                (id.clone(), headings)
            })
            .collect(),
    };
    let org = read.title.clone().unwrap_or_else(|| folder_name(opts.src));
    write_site(opts.dest, &org, opts.today)?;
    let mut without_date = 0;
    for (doc, id) in read.docs.iter().zip(&ids) {
        let rewritten = rewrite_links(&doc.body, &doc.source, &links);
        report.links += rewritten.count;
        report.notes.extend(rewritten.notes);
        let body = rewritten.body;
        let approved = if doc.draft { None } else { doc.date };
        if !doc.draft && approved.is_none() && opts.tool == Tool::Hugo {
            without_date += 1;
        }
        let rel = format!("policies/{id}.md");
        let text = policy_text(doc, approved, &body);
        let path = opts.dest.join(&rel);
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        report.policies.push(rel);
    }
    if without_date > 0 {
        report.notes.push(format!(
            "{without_date} published page(s) have no date: imported as drafts (set `status: approved` and `approved:` once approved)"
        ));
    }
    report.notes.push(
        "every policy is classified internal and owned by \"To be assigned\": set `owner`, and `classification: public` for those you publish".into(),
    );
    let (_, diags) =
        crate::session::load(opts.dest, opts.today, Audience::Internal, &Arc::default());
    for d in diags.into_sorted() {
        if d.is_error() {
            report.errors.push(d.to_string());
        } else {
            report.warnings += 1;
        }
    }
    Ok(report)
}

/// site.yaml, scope.md, .gitignore and the Annex A mappings of a new site.
fn write_site(dest: &Path, org: &str, _today: Date) -> Result<()> {
    let org = org.replace(['"', '\\', '\n'], " ");
    let files = [
        (
            "site.yaml",
            format!(
                "# Imported by `trustpress import`: see docs/site-yaml.md.\ntitle: \"{org} Trust Center\"\nbase_url: https://trust.example.com/\norganisation:\n  name: \"{org}\"\n"
            ),
        ),
        (
            "scope.md",
            format!(
                "---\ntitle: Scope of the ISMS\nlegal_entity: \"{org}\"\n---\nDescribe the scope of the information security management system of {org} here.\n"
            ),
        ),
        (".gitignore", "_site/\n".to_string()),
        (
            super::init::CONTROLS_FILE,
            super::init::controls_yaml_except(&BTreeSet::new()),
        ),
    ];
    for (rel, text) in files {
        let path = dest.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    fs::create_dir_all(dest.join("policies")).context("cannot create policies/")?;
    Ok(())
}

fn policy_text(doc: &Doc, approved: Option<Date>, body: &str) -> String {
    let title = doc
        .title
        .clone()
        .unwrap_or_else(|| doc.id.replace('-', " "));
    let mut fm = format!(
        "---\ntitle: {}\nowner: To be assigned\nversion: \"1.0\"\n",
        yaml_str(&title)
    );
    match approved {
        Some(d) => fm.push_str(&format!("status: approved\napproved: {d}\n")),
        None => fm.push_str("status: draft\n"),
    }
    fm.push_str("classification: internal\n");
    if !doc.controls.is_empty() {
        let ids: Vec<String> = doc.controls.iter().map(|c| c.to_string()).collect();
        fm.push_str(&format!("controls: [{}]\n", ids.join(", ")));
    }
    if let Some(s) = &doc.summary {
        fm.push_str(&format!("summary: {}\n", yaml_str(s)));
    }
    fm.push_str(&format!("# imported from {}\n---\n", doc.source));
    // A body that opens with its own title as `# Title` would show it twice: the page
    // already has it as its heading.
    let body = match take_h1(body) {
        (Some(h1), rest) if h1.trim().eq_ignore_ascii_case(title.trim()) => rest,
        _ => body.to_string(),
    };
    fm.push_str(body.trim_start_matches('\n'));
    if !fm.ends_with('\n') {
        fm.push('\n');
    }
    fm
}

/// Each doc's id: its wanted id slugified, made unique with its folder or a number.
fn unique_ids(docs: &[Doc]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    docs.iter()
        .map(|d| {
            let base = {
                let s = slugify(&d.id);
                if s.is_empty() { "page".to_string() } else { s }
            };
            let mut id = base.clone();
            if taken.contains(&id) {
                let folder = Path::new(&d.source)
                    .parent()
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str())
                    .map(slugify)
                    .unwrap_or_default();
                id = format!("{folder}-{base}");
                let mut n = 2;
                while taken.contains(&id) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
            }
            taken.insert(id.clone());
            id
        })
        .collect()
}

/// Every way a link may name a document → its id: its source path (with and without `.md`,
/// a bundle's folder) and the tool's aliases.
fn link_targets(docs: &[Doc], ids: &[String]) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (d, id) in docs.iter().zip(ids) {
        let src = d.source.trim_start_matches("./").to_string();
        let mut keys = vec![src.clone()];
        let without = src
            .strip_suffix(".md.tmpl")
            .or_else(|| src.strip_suffix(".md"));
        if let Some(stem) = without {
            keys.push(stem.to_string());
            if let Some(folder) = stem.strip_suffix("/index").or(stem.strip_suffix("/_index")) {
                keys.push(folder.to_string());
            }
        }
        keys.extend(d.aliases.iter().cloned());
        for k in keys {
            map.entry(normal_key(&k)).or_insert_with(|| id.clone());
        }
    }
    map
}

/// A path as a lookup key: no leading or trailing `/`, no `./`.
fn normal_key(path: &str) -> String {
    let p = path.trim().trim_start_matches("./");
    p.trim_matches('/').to_string()
}

/// How links between the documents are rewritten: where each path leads, and each
/// document's heading ids (so an anchor that does not exist is dropped, not shipped broken).
struct Links {
    targets: BTreeMap<String, String>,
    anchors: BTreeMap<String, BTreeSet<String>>,
}

/// What rewriting one body did.
#[derive(Default)]
struct Rewritten {
    body: String,
    count: usize,
    notes: Vec<String>,
}

/// Rewrites the targets of Markdown links (`](target)`) and Hugo `ref`/`relref` shortcodes that
/// name an imported document to `policy:ID` (keeping an `#anchor` the document has). A link to
/// a Markdown file that was not imported, or with an unfilled `{{ placeholder }}`, becomes its
/// text; a shortcode that names nothing becomes its argument. Each such change is noted.
fn rewrite_links(body: &str, source: &str, links: &Links) -> Rewritten {
    let mut r = Rewritten::default();
    let mut rest = body;
    // Hugo shortcodes first: {{< ref "x" >}} / {{% relref "x" %}}.
    let mut shortcodes_done = String::with_capacity(body.len());
    while let Some(start) = rest.find("{{") {
        shortcodes_done.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let close = after.find("}}");
        let inner = close.map(|c| after[..c].trim_matches(['<', '>', '%', ' ']).trim());
        match (close, inner) {
            (Some(c), Some(inner)) if inner.starts_with("ref ") || inner.starts_with("relref ") => {
                let arg = inner
                    .split_once(' ')
                    .map(|(_, a)| a.trim())
                    .unwrap_or("")
                    .trim_start_matches("path=")
                    .trim_matches(['"', '\'']);
                match resolve(arg, source, links, &mut r.notes) {
                    Some(link) => {
                        shortcodes_done.push_str(&link);
                        r.count += 1;
                    }
                    None => {
                        r.notes.push(format!(
                            "{source}: `{{{{< ref \"{arg}\" >}}}}` names no imported page: kept as text"
                        ));
                        shortcodes_done.push_str(arg);
                    }
                }
                rest = &after[c + 2..];
            }
            _ => {
                shortcodes_done.push_str("{{");
                rest = after;
            }
        }
    }
    shortcodes_done.push_str(rest);
    let shortcodes_done = rewrite_definitions(&shortcodes_done, source, links, &mut r);
    // Then Markdown link targets that name a document by path.
    let mut out = String::with_capacity(shortcodes_done.len());
    let mut rest = shortcodes_done.as_str();
    while let Some(start) = rest.find("](") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let close = after.find(')').unwrap_or(after.len());
        // A placeholder may hold spaces (`{{ url }}`): the target runs to the `)`.
        let end = if after[..close].contains("{{") {
            close
        } else {
            after.find([')', ' ']).unwrap_or(after.len())
        };
        let target = &after[..end];
        let scheme = target.split_once(':').is_some_and(|(s, _)| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        let is_local = (!scheme && !target.starts_with('#') && !target.is_empty()) || target == "#";
        let resolved = if is_local && !target.contains("{{") {
            resolve(target, source, links, &mut r.notes)
        } else {
            None
        };
        let path = target.split('#').next().unwrap_or("");
        let dead = is_local && resolved.is_none() && is_dead(target, path);
        let text_start = out
            .rfind('[')
            .filter(|_| dead && after[end..].starts_with(')'));
        match (resolved, text_start) {
            (Some(link), _) => {
                out.push_str("](");
                out.push_str(&link);
                r.count += 1;
                rest = &after[end..];
            }
            (None, Some(open)) => {
                // `[text](dead)` → `text`.
                out.remove(open);
                let hint = if target.starts_with('/') {
                    " (map its old address in site.yaml `redirects:`, or write a full URL)"
                } else {
                    ""
                };
                r.notes.push(format!(
                    "{source}: link to `{target}` names no imported document: kept as text{hint}"
                ));
                rest = &after[end + 1..];
            }
            (None, None) => {
                if is_local && target.starts_with('/') {
                    r.notes.push(format!(
                        "{source}: link to `{target}` names no imported page: kept as written"
                    ));
                }
                out.push_str("](");
                out.push_str(target);
                rest = &after[end..];
            }
        }
    }
    out.push_str(rest);
    r.body = out;
    r
}

/// A link target that can only be broken once imported: an unfilled `{{ placeholder }}`, an
/// empty `#`, or a Markdown file that was not imported.
fn is_dead(target: &str, path: &str) -> bool {
    // A rooted path that names no imported page would be a broken link in trustpress, which
    // checks every rooted link against the site it builds.
    target == "#"
        || target.contains("{{")
        || path.starts_with('/')
        || path.ends_with(".md")
        || path.ends_with(".md.tmpl")
}

/// Reference definitions (`[1]: target`) rewritten like inline links; a dead one is removed
/// and the links using it (`[text][1]`) become their text.
fn rewrite_definitions(body: &str, source: &str, links: &Links, r: &mut Rewritten) -> String {
    let mut dead_labels = Vec::new();
    let mut out = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let definition = trimmed
            .strip_prefix('[')
            .and_then(|t| t.split_once("]:"))
            .filter(|(label, _)| !label.is_empty() && !label.contains(']'));
        let Some((label, rest)) = definition else {
            out.push_str(line);
            continue;
        };
        let target = rest.split_whitespace().next().unwrap_or("");
        let target = target.trim_start_matches('<').trim_end_matches('>');
        let path = target.split('#').next().unwrap_or("");
        let scheme = target.contains("://") || target.starts_with("mailto:");
        if scheme || target.is_empty() {
            out.push_str(line);
            continue;
        }
        let resolved = if target.contains("{{") {
            None
        } else {
            resolve(target, source, links, &mut r.notes)
        };
        match resolved {
            Some(link) => {
                out.push_str(&line.replacen(target, &link, 1));
                r.count += 1;
            }
            None if is_dead(target, path) => {
                r.notes.push(format!(
                    "{source}: link to `{target}` names no imported document: kept as text"
                ));
                dead_labels.push(format!("][{label}]"));
            }
            None => out.push_str(line),
        }
    }
    for label in dead_labels {
        while let Some(at) = out.find(&label) {
            match out[..at].rfind('[') {
                Some(open) => {
                    out.replace_range(at..at + label.len(), "");
                    out.remove(open);
                }
                None => break,
            }
        }
    }
    out
}

/// `target` (relative to `source`, or rooted) as `policy:ID#anchor`, if it names a document.
/// A rooted path also matches without its first folders (a site served under
/// `/security-policies/` links to `/security-policies/x/`).
fn resolve(target: &str, source: &str, links: &Links, notes: &mut Vec<String>) -> Option<String> {
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    if path.is_empty() {
        return None;
    }
    let mut candidates = Vec::new();
    if path.starts_with('/') {
        let key = normal_key(path);
        let parts: Vec<&str> = key.split('/').collect();
        for skip in 0..parts.len() {
            candidates.push(parts[skip..].join("/"));
        }
    } else {
        let base = Path::new(source).parent().unwrap_or(Path::new(""));
        candidates.push(normalise(&base.join(path)));
        candidates.push(normal_key(path));
    }
    let t = &links.targets;
    let id = candidates.iter().find_map(|c| {
        t.get(c)
            .or_else(|| t.get(c.trim_end_matches(".md")))
            .or_else(|| t.get(c.trim_end_matches(".html")))
            .or_else(|| t.get(c.trim_end_matches("/index.html")))
    })?;
    Some(match anchor {
        Some(a) if !a.is_empty() => {
            if links.anchors.get(id).is_some_and(|h| h.contains(a)) {
                format!("policy:{id}#{a}")
            } else {
                notes.push(format!(
                    "{source}: `{target}`: {id} has no heading #{a}, linked to the page"
                ));
                format!("policy:{id}")
            }
        }
        _ => format!("policy:{id}"),
    })
}

/// `a/b/../c` → `a/c`, as a key.
fn normalise(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    normal_key(&parts.join("/"))
}

/// Front matter and body: `---` YAML, `+++` TOML (simple `key = value` lines), or comply's
/// YAML before the first `---` line with no opening fence. Unreadable front matter is `{}`.
fn split_front_matter(text: &str) -> (BTreeMap<String, Value>, String) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let fence = lines.first().map(|l| l.trim_end());
    let (fm, body_start, toml) = match fence {
        Some("---") | Some("+++") => {
            let f = fence.unwrap_or("---");
            match lines.iter().skip(1).position(|l| l.trim_end() == f) {
                Some(i) => (lines[1..=i].concat(), i + 2, f == "+++"),
                None => (String::new(), 0, false),
            }
        }
        _ => match lines.iter().position(|l| l.trim_end() == "---") {
            // comply: `name: …` lines, then `---`.
            Some(i) if i > 0 && lines[0].contains(':') => (lines[..i].concat(), i + 1, false),
            _ => (String::new(), 0, false),
        },
    };
    let map = if fm.trim().is_empty() {
        BTreeMap::new()
    } else if toml {
        toml_lite(&fm)
    } else {
        crate::yaml::parse::<Option<BTreeMap<String, Value>>>(&fm, "front matter", 0)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    if map.is_empty() && body_start > 0 && !toml && fence != Some("---") {
        // Not comply front matter after all.
        return (BTreeMap::new(), text.to_string());
    }
    (map, lines[body_start.min(lines.len())..].concat())
}

/// The top-level `key = value` lines of TOML front matter (strings, booleans, numbers, dates,
/// arrays of strings); tables and anything else are skipped.
fn toml_lite(text: &str) -> BTreeMap<String, Value> {
    let mut map = BTreeMap::new();
    let mut in_table = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(table) = line.strip_prefix('[') {
            // A table (`[params]`): named so the report can say it was dropped.
            let name = table
                .trim_matches(['[', ']'])
                .split('.')
                .next()
                .unwrap_or("");
            map.entry(name.trim().to_string()).or_insert(Value::Null);
            in_table = true;
            continue;
        }
        if in_table {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_matches('"').to_string();
        let v = v.trim();
        let value = if let Some(s) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            Value::String(s.replace("\\\"", "\""))
        } else if let Some(s) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            Value::String(s.to_string())
        } else if v == "true" || v == "false" {
            Value::Bool(v == "true")
        } else if let Some(items) = v.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Value::Array(
                items
                    .split(',')
                    .map(|i| i.trim().trim_matches(['"', '\'']))
                    .filter(|i| !i.is_empty())
                    .map(|i| Value::String(i.to_string()))
                    .collect(),
            )
        } else {
            Value::String(v.to_string())
        };
        map.insert(k, value);
    }
    map
}

fn string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A date in front matter: `2024-05-01`, `2024-05-01T10:00:00Z`.
fn date(v: &Value) -> Option<Date> {
    let s = string(v)?;
    Date::parse(s.get(..10)?).ok()
}

/// The first `# Heading` of a body as the title, and the body without it.
fn take_h1(body: &str) -> (Option<String>, String) {
    let mut lines = body.lines();
    let mut skipped = Vec::new();
    for line in lines.by_ref() {
        if line.trim().is_empty() {
            skipped.push(line);
            continue;
        }
        if let Some(h) = line.strip_prefix("# ") {
            let rest: Vec<&str> = lines.collect();
            return (Some(h.trim().to_string()), rest.join("\n") + "\n");
        }
        break;
    }
    (None, body.to_string())
}

/// Keys the reader does not map, counted over all files, as one note.
fn dropped_note(tool: &str, dropped: &BTreeMap<String, usize>) -> Option<String> {
    if dropped.is_empty() {
        return None;
    }
    let list: Vec<String> = dropped
        .iter()
        .map(|(k, n)| format!("`{k}` ({n})"))
        .collect();
    Some(format!(
        "{tool} front-matter keys with no trustpress field were dropped: {}",
        list.join(", ")
    ))
}

/// Markdown files under `root` (sorted, relative, `/`-separated), skipping hidden folders.
/// Without any, Markdown templates (`x.md.tmpl`, as JupiterOne's policy templates) instead.
fn markdown_files(root: &Path) -> Vec<String> {
    let md = files_ending(root, &[".md", ".markdown"]);
    if md.is_empty() {
        files_ending(root, &[".md.tmpl"])
    } else {
        md
    }
}

/// The file's name without `.md`, `.markdown` or `.md.tmpl`.
fn stem_of(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    [".md.tmpl", ".markdown", ".md"]
        .iter()
        .find_map(|e| name.strip_suffix(e))
        .unwrap_or(name)
}

fn files_ending(root: &Path, endings: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            endings.iter().any(|e| rel.ends_with(e)).then_some(rel)
        })
        .collect();
    out.sort();
    out
}

fn read_text(root: &Path, rel: &str) -> Result<String> {
    let path: PathBuf = root.join(rel);
    fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
}

fn folder_name(p: &Path) -> String {
    p.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "Imported".to_string())
}

/// A YAML double-quoted string (JSON's escapes are YAML's).
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_styles() {
        let doc = |title: &str| Doc {
            source: "p.md".into(),
            id: "p".into(),
            title: Some(title.to_string()),
            draft: true,
            date: None,
            summary: None,
            controls: Vec::new(),
            body: String::new(),
            aliases: Vec::new(),
        };
        let text = policy_text(
            &doc("Access Control"),
            None,
            "\n# Access control\n\n## Scope\n",
        );
        assert!(text.ends_with("---\n## Scope\n"), "{text}");
        let text = policy_text(&doc("Access"), None, "# Other heading\n\nText\n");
        assert!(text.contains("# Other heading"), "{text}");
        let (m, b) = split_front_matter("---\ntitle: A\n---\nBody\n");
        assert_eq!(m["title"], "A");
        assert_eq!(b, "Body\n");
        let (m, b) =
            split_front_matter("+++\ntitle = \"T\"\ndraft = true\ntags = [\"a\", \"b\"]\n+++\nB\n");
        assert_eq!(m["title"], "T");
        assert_eq!(m["draft"], true);
        assert_eq!(b, "B\n");
        let (m, b) = split_front_matter("name: Access\nacronym: AP\n---\n# Purpose\n");
        assert_eq!(m["name"], "Access");
        assert_eq!(b, "# Purpose\n");
        let (m, b) = split_front_matter("Just text\n\n---\n\nMore\n");
        assert!(m.is_empty());
        assert_eq!(b, "Just text\n\n---\n\nMore\n");
    }

    #[test]
    fn links_to_documents_become_policy_links() {
        let mut targets = BTreeMap::new();
        targets.insert("policies/access".to_string(), "access".to_string());
        targets.insert("policies/access.md".to_string(), "access".to_string());
        let mut anchors = BTreeMap::new();
        anchors.insert("access".to_string(), BTreeSet::from(["scope".to_string()]));
        let links = Links { targets, anchors };
        let body = "See [a](../policies/access.md#scope), [b]({{< ref \"access.md\" >}}) and [c](https://x.test/) and {{< relref \"nope\" >}} {{< note >}} [d](/site/policies/access/#nope) [e](gone.md) [f]({{&url}}) [g](/careers/) [h][1] [i][2] [j](#)\n\n[1]: ../policies/access.md#scope\n[2]: {{&portal}}\n";
        let r = rewrite_links(body, "policies/other.md", &links);
        assert_eq!(
            r.body,
            "See [a](policy:access#scope), [b](policy:access) and [c](https://x.test/) and nope {{< note >}} [d](policy:access) e f g [h][1] i j\n\n[1]: policy:access#scope\n"
        );
        assert_eq!(r.count, 4);
        assert_eq!(r.notes.len(), 7, "{:?}", r.notes);
    }
}

//! `trustpress new`: a skeleton for one new item, written where the loader reads it — a
//! policy is a new Markdown file, a register entry is appended (as text, so the file's
//! comments and layout stay) to its collection's register file.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::config::CONFIG_FILE;
use crate::model::{Classification, Collection, Date, slugify};
use crate::source;

/// What `new` can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Policy,
    Evidence,
    Risk,
    Finding,
    Supplier,
}

impl Kind {
    pub fn collection(self) -> Collection {
        match self {
            Kind::Policy => Collection::Policies,
            Kind::Evidence => Collection::Evidence,
            Kind::Risk => Collection::Risks,
            Kind::Finding => Collection::Findings,
            Kind::Supplier => Collection::Suppliers,
        }
    }
}

pub struct NewOptions<'a> {
    pub site: &'a Path,
    pub kind: Kind,
    pub id: &'a str,
    pub title: Option<&'a str>,
    pub classification: Option<&'a str>,
    /// The register file to append to, relative to the site (default: the collection's
    /// `register.yaml`, or its only YAML file).
    pub file: Option<&'a Path>,
    pub today: Date,
}

/// What was written.
#[derive(Debug)]
pub struct Written {
    /// Relative to the site folder.
    pub path: PathBuf,
    /// The text added (the whole file for a policy, the new entry for a register).
    pub text: String,
    /// Whether the file was created (false: appended to).
    pub created: bool,
}

pub fn run(opts: &NewOptions) -> Result<Written> {
    let id = opts.id.trim();
    check_id(id)?;
    let classification = match opts.classification {
        Some(c) => Classification::parse(c)
            .map_err(|e| anyhow::anyhow!("--classification {e}"))?
            .as_str(),
        // Unset, a new item is internal: nothing becomes public without someone saying so.
        None => Classification::Internal.as_str(),
    };
    if !opts.site.join(CONFIG_FILE).is_file() {
        bail!(
            "{} is not a trustpress site (no site.yaml): create one with `trustpress init DIR`",
            opts.site.display()
        );
    }
    let collection = opts.kind.collection();
    let (sources, _) = source::load(opts.site);
    if let Some(existing) = existing_id(&sources, collection, id) {
        bail!(
            "a {} with id \"{existing}\" already exists: choose another id",
            collection.noun()
        );
    }
    let title = opts
        .title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map_or_else(|| title_from_id(id), str::to_string);
    let fields = Skeleton {
        id,
        title: &title,
        classification,
        today: opts.today,
    };
    match opts.kind {
        Kind::Policy => {
            let rel = PathBuf::from("policies").join(format!("{id}.md"));
            let path = opts.site.join(&rel);
            if path.exists() {
                bail!("{} already exists", rel.display());
            }
            let text = fields.policy();
            fs::create_dir_all(opts.site.join("policies"))
                .context("cannot create the policies folder")?;
            fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
            Ok(Written {
                path: rel,
                text,
                created: true,
            })
        }
        kind => {
            let entry = fields.entry(kind);
            let rel = match opts.file {
                Some(f) => {
                    check_register_path(f, collection)?;
                    f.to_path_buf()
                }
                None => register_file(opts.site, collection)?,
            };
            append_entry(opts.site, &rel, &entry)
        }
    }
}

/// An id becomes a file name or a page address: keep it to letters, digits, `-`, `_`, `.`.
fn check_id(id: &str) -> Result<()> {
    if id.is_empty() {
        bail!("the id is empty, expected e.g. access-control or EV-001");
    }
    if id.starts_with('.') || id.starts_with('-') {
        bail!(
            "id \"{id}\" starts with `{}`, expected a letter or digit first",
            &id[..1]
        );
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        bail!(
            "id \"{id}\" contains {c:?}, expected only letters, digits, `-`, `_` and `.` (e.g. access-control or EV-001)"
        );
    }
    if slugify(id).is_empty() {
        bail!("id \"{id}\" has no letter or digit");
    }
    Ok(())
}

/// `--file` must be a register the loader reads: inside the collection's folder, no `..`.
fn check_register_path(file: &Path, collection: Collection) -> Result<()> {
    use std::path::Component;
    let mut parts = file
        .components()
        .filter(|c| !matches!(c, Component::CurDir));
    let first = parts.next();
    let inside = first.is_some_and(|c| c.as_os_str() == collection.dir())
        && parts.clone().next().is_some()
        && parts.all(|c| matches!(c, Component::Normal(_)));
    if !inside {
        bail!(
            "--file {} is not a register trustpress reads, expected a path under {}/ (e.g. {}/register.yaml)",
            file.display(),
            collection.dir(),
            collection.dir()
        );
    }
    Ok(())
}

/// The id of an item of `collection` that `id` would collide with (same id or same address).
fn existing_id(src: &source::Sources, collection: Collection, id: &str) -> Option<String> {
    let slug = slugify(id);
    let commons: Vec<&crate::model::Common> = match collection {
        Collection::Policies => src.policies.iter().map(|p| &p.common).collect(),
        Collection::Evidence => src.evidence.iter().map(|e| &e.common).collect(),
        Collection::Risks => src.risks.iter().map(|r| &r.common).collect(),
        Collection::Findings => src.findings.iter().map(|f| &f.common).collect(),
        Collection::Suppliers => src.suppliers.iter().map(|s| &s.common).collect(),
        Collection::Controls => Vec::new(),
    };
    commons
        .into_iter()
        .find(|c| c.id == id || c.slug == slug)
        .map(|c| c.id.clone())
}

/// `access-control` → "Access control".
fn title_from_id(id: &str) -> String {
    let words = id.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => id.to_string(),
    }
}

/// The register file a new entry goes to: `register.yaml` if present, else the only YAML file
/// of the folder, else a new `register.yaml`.
fn register_file(site: &Path, collection: Collection) -> Result<PathBuf> {
    let dir = Path::new(collection.dir());
    let mut yamls: Vec<String> = match fs::read_dir(site.join(dir)) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| source::is_yaml(n))
            .collect(),
        Err(_) => Vec::new(),
    };
    yamls.sort();
    if yamls.iter().any(|n| n == "register.yaml") || yamls.is_empty() {
        return Ok(dir.join("register.yaml"));
    }
    if yamls.len() == 1 {
        return Ok(dir.join(&yamls[0]));
    }
    bail!(
        "{}/ holds several register files ({}): say which with --file",
        collection.dir(),
        yamls.join(", ")
    )
}

/// Appends `entry` to the register at `rel`, creating it if needed; refuses when the result
/// would not be the same list with one more entry (a flow list `[]`, a mapping, bad YAML).
fn append_entry(site: &Path, rel: &Path, entry: &str) -> Result<Written> {
    let path = site.join(rel);
    let rel_str = rel.to_string_lossy().replace('\\', "/");
    if !source::is_yaml(&rel_str) {
        bail!("{rel_str} is not a YAML file (.yaml or .yml)");
    }
    let old = match fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let before = old.as_deref().map_or(Ok(0), |t| entries(t, &rel_str))?;
    let mut text = old.clone().unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if before > 0 {
        text.push('\n');
    }
    text.push_str(entry);
    match entries(&text, &rel_str) {
        Ok(n) if n == before + 1 => {}
        _ => bail!(
            "cannot append to {rel_str}: it is not a block list of entries (each starting with `- `); add the entry by hand:\n{entry}"
        ),
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Written {
        path: rel.to_path_buf(),
        text: entry.to_string(),
        created: old.is_none(),
    })
}

/// How many entries a register's text holds.
fn entries(text: &str, path: &str) -> Result<usize> {
    if text.trim().is_empty() {
        return Ok(0);
    }
    match crate::yaml::parse::<Option<Vec<serde::de::IgnoredAny>>>(text, path, 0) {
        Ok(v) => Ok(v.map_or(0, |v| v.len())),
        Err(d) => bail!("{d}"),
    }
}

struct Skeleton<'a> {
    id: &'a str,
    title: &'a str,
    classification: &'a str,
    today: Date,
}

impl Skeleton<'_> {
    fn policy(&self) -> String {
        format!(
            "---\n\
             title: {title}\n\
             owner: Policy owner        # the role that maintains this policy\n\
             version: \"0.1\"\n\
             status: draft              # draft | approved | retired\n\
             # approved: {today}        # when status becomes approved\n\
             # review_by: {today}\n\
             classification: {class}    # public | customer | internal\n\
             controls: []               # Annex A controls this policy addresses, e.g. [A.5.15]\n\
             summary: One sentence on what this policy is for.\n\
             ---\n\
             ## Purpose\n\
             \n\
             Why this policy exists.\n\
             \n\
             ## Scope\n\
             \n\
             Who and what it applies to.\n\
             \n\
             ## Policy\n\
             \n\
             What must be done.\n",
            title = yaml_str(self.title),
            today = self.today,
            class = self.classification,
        )
    }

    fn entry(&self, kind: Kind) -> String {
        let id = yaml_str(self.id);
        let title = yaml_str(self.title);
        let class = self.classification;
        let today = self.today;
        match kind {
            Kind::Evidence => format!(
                "- id: {id}\n  title: {title}\n  kind: document          # document | record | report | screenshot | log | ticket | certificate | other\n  owner: Evidence owner\n  collected: {today}\n  # expires: {today}\n  # url: https://…\n  # file: evidence/files/…\n  description: What this evidence shows.\n  classification: {class}  # public | customer | internal\n"
            ),
            Kind::Risk => format!(
                "- id: {id}\n  title: {title}\n  asset: The asset at risk\n  threat: What could happen\n  vulnerability: What makes it possible\n  likelihood: 3            # 1 (rare) to 5 (almost certain)\n  impact: 3                # 1 (negligible) to 5 (severe)\n  treatment: mitigate      # mitigate | accept | transfer | avoid\n  controls: []             # Annex A controls that treat it, e.g. [A.8.5]\n  owner: Risk owner\n  review_by: {review}\n  status: open             # open | treated | accepted | closed\n  classification: {class}  # public | customer | internal\n",
                review = next_year(today),
            ),
            Kind::Finding => format!(
                "- id: {id}\n  title: {title}\n  kind: observation        # major-nonconformity | minor-nonconformity | observation | opportunity | strength\n  source: Internal audit\n  raised: {today}\n  controls: []\n  owner: Finding owner\n  # due: {today}\n  status: open             # open | in-progress | closed\n  description: What was found.\n  classification: {class}  # public | customer | internal\n"
            ),
            Kind::Supplier => format!(
                "- id: {id}\n  name: {title}\n  service: What they provide\n  data: What data of ours they hold or process\n  location: Where they process it\n  subprocessor: false\n  assurance: []            # e.g. [\"ISO/IEC 27001\", \"SOC 2 Type II\"]\n  reviewed: {today}\n  risk: medium             # low | medium | high\n  classification: {class}  # public | customer | internal\n"
            ),
            Kind::Policy => self.policy(),
        }
    }
}

/// The same day a year later (28 February for 29 February).
fn next_year(d: Date) -> String {
    let year = d.0.year().saturating_add(1);
    let day = if d.0.month() == 2 && d.0.day() == 29 {
        28
    } else {
        d.0.day()
    };
    format!("{year:04}-{:02}-{day:02}", d.0.month())
}

/// A YAML double-quoted string (JSON's escapes are YAML's).
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_file_names() {
        for ok in ["access-control", "EV-001", "F-2026.01", "données"] {
            assert!(check_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "../x", "a/b", ".hidden", "-x", "___"] {
            assert!(check_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn register_paths_stay_in_their_folder() {
        let ok = |p: &str| check_register_path(Path::new(p), Collection::Risks).is_ok();
        assert!(ok("risks/register.yaml") && ok("./risks/2026/q1.yaml"));
        assert!(!ok("risks") && !ok("evidence/register.yaml") && !ok("risks/../x.yaml"));
        assert!(!ok("/tmp/risks/x.yaml") && !ok("../risks/x.yaml"));
    }

    #[test]
    fn titles_from_ids() {
        assert_eq!(title_from_id("access-control"), "Access control");
        assert_eq!(title_from_id("EV-001"), "EV 001");
    }

    #[test]
    fn next_year_keeps_the_day() {
        let d = Date::parse("2028-02-29").unwrap();
        assert_eq!(next_year(d), "2029-02-28");
        assert_eq!(next_year(Date::parse("2026-12-01").unwrap()), "2027-12-01");
    }

    #[test]
    fn appending_keeps_comments_and_refuses_flow_lists() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        fs::create_dir_all(site.join("risks")).unwrap();
        fs::write(
            site.join("risks/register.yaml"),
            "# our risks\n- id: R-1 # first\n  title: One",
        )
        .unwrap();
        let w = append_entry(site, Path::new("risks/register.yaml"), "- id: R-2\n").unwrap();
        assert!(!w.created);
        assert_eq!(
            fs::read_to_string(site.join("risks/register.yaml")).unwrap(),
            "# our risks\n- id: R-1 # first\n  title: One\n\n- id: R-2\n"
        );
        fs::write(site.join("risks/flow.yaml"), "[]\n").unwrap();
        assert!(append_entry(site, Path::new("risks/flow.yaml"), "- id: R-3\n").is_err());
        assert_eq!(
            fs::read_to_string(site.join("risks/flow.yaml")).unwrap(),
            "[]\n"
        );
    }
}

//! `Site`: the linked content graph. Every cross-reference is resolved here into indexes both
//! ways (control → policies and policy → controls), so rendering only ever reads.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use url::Url;

use crate::cache::Cache;
use crate::rules::Rule;

use crate::catalog;
use crate::config::{CONFIG_FILE, Config};
use crate::diagnostic::{Diagnostics, Pos};
use crate::markdown;
use crate::model::*;
use crate::source::Sources;

mod keys;

pub use keys::*;

/// What a link can point at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Home,
    Scope,
    Item(ItemKey),
    /// The list page of a collection (a link to a register file).
    List(Collection),
    /// A file every audience gets, by its output path: one under `static/`, or a generated
    /// one (the statement of applicability `controls/soa.csv`, `robots.txt`, `style.css` …).
    Static(String),
    /// The traceability matrix.
    Traceability,
    /// A file published beside an item's page, withheld with the item: an evidence item's
    /// file, or a file of a policy's folder (by its path inside the folder).
    File(ItemKey, String),
}

impl Target {
    /// The item this target belongs to, if any (its page, or a file beside it).
    pub fn item(&self) -> Option<ItemKey> {
        match self {
            Target::Item(key) | Target::File(key, _) => Some(*key),
            _ => None,
        }
    }
}

/// A file of a policy's folder, published beside the policy's page (`policies/<slug>/<name>`)
/// to the readers who may open the policy.
#[derive(Debug)]
pub struct PolicyFile {
    pub policy: PolicyKey,
    /// Its path inside the policy's folder, as published (`diagram.svg`, `img/a.png`).
    pub name: String,
    /// Its bytes; `None` when the build's audience may not see the policy (never read).
    pub bytes: Option<Vec<u8>>,
}

/// What a link resolves to: its target and the fragment (`#…`) it names, if any; `None`
/// when it is not ours to resolve (external, mail, in-page anchor).
pub type Resolution = Option<(Target, Option<String>)>;

/// The whole ISMS, validated and linked.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// "Today" for freshness and overdue logic.
    pub today: Date,
    pub scope: Scope,
    /// Each collection holds its items with their relations (both ways) and its id and
    /// page-address tables (the first item wins a clash, which is an error).
    pub policies: Items<Policy>,
    /// One per catalog control, in catalog order.
    pub controls: Items<Control>,
    pub evidence: Items<Evidence>,
    pub risks: Items<Risk>,
    pub findings: Items<Finding>,
    pub suppliers: Items<Supplier>,
    pub static_files: Vec<(String, Vec<u8>)>,
    /// The files of policy folders (`policies/x/index.md` with `diagram.svg` beside it).
    pub policy_files: Vec<PolicyFile>,
    pub templates: Vec<(String, String)>,
    /// Source file (site-relative) → what a relative link to it means.
    files: Arc<FileIndex>,
    /// The hash of what `files` is made from, when `serve` keeps it (`kept_file_index`).
    files_key: Option<u64>,
    /// `redirects:` of `site.yaml`: an old address (its path inside the site, as
    /// `address_key` spells it) → what it now means.
    redirects: HashMap<String, Target>,
    /// Each policy folder file's source path, by its policy and name (for `files`).
    policy_file_sources: HashMap<(PolicyKey, String), String>,
    /// Where the site is published (from `base_url`), to recognise links to its own pages.
    home: Home,
    /// Non-fatal findings of loading and linking.
    pub warnings: Diagnostics,
    /// Memo tables shared with the build that made this site (link resolutions, renders).
    pub cache: Arc<Cache>,
    /// A hash of everything `resolve` reads (see `resolve_env`).
    resolve_env: u64,
    /// The hash of the (id, slug, file) sequence of policies, evidence, risks, findings and
    /// suppliers (`index_items`), part of `resolve_env`.
    id_sequences: [u64; 5],
}

/// Builds the graph from parsed sources; `None` when a required part is missing.
pub fn link(src: Sources, today: Date, diags: &mut Diagnostics, cache: Arc<Cache>) -> Option<Site> {
    let config = src.config?;
    let scope = src.scope?;
    let home = Home::new(&config.base_url);
    let mut site = Site {
        config,
        today,
        scope,
        controls: Items::new(
            catalog::annex_a()
                .iter()
                .map(|c| {
                    Arc::new(Control {
                        catalog: c,
                        mapping: None,
                    })
                })
                .collect(),
        ),
        policies: Items::new(src.policies),
        evidence: Items::new(src.evidence),
        risks: Items::new(src.risks),
        findings: Items::new(src.findings),
        suppliers: Items::new(src.suppliers),
        static_files: src.static_files,
        policy_files: Vec::new(),
        templates: src.templates,
        files: Arc::default(),
        files_key: None,
        redirects: HashMap::default(),
        policy_file_sources: HashMap::default(),
        home,
        warnings: Diagnostics::new(),
        cache,
        resolve_env: 0,
        id_sequences: [0; 5],
    };
    site.index_ids(diags);
    site.attach_mappings(src.mappings, diags);
    site.attach_policy_files(src.policy_files);
    // What each file means and which items reference which only read the site so far: they
    // are found side by side (`serve` links on every save).
    let mut found = Diagnostics::new();
    let (files, references) = rayon::join(
        || site.kept_file_index(&src.files, src.files_hash),
        || site.references(&mut found),
    );
    diags.extend(found);
    (site.files, site.files_key) = files;
    site.attach_references(references);
    site.index_redirects(diags);
    site.resolve_env = site.resolve_fingerprint();
    site.check_markdown_links(diags);
    site.check_url_fields(diags);
    Some(site)
}

/// What a relative link to each source file means (`Site::file_index`).
type FileIndex = BTreeMap<String, Option<Target>>;

/// The references between items, found by `Site::references`: control to item, and finding
/// to policy.
struct References {
    edges: Vec<(ControlKey, ItemKey)>,
    finding_policy: Vec<(FindingKey, PolicyKey)>,
}

impl Site {
    /// The item of `collection` with this id.
    pub fn lookup(&self, collection: Collection, id: &str) -> Option<ItemKey> {
        Some(match collection {
            Collection::Policies => self.policies.by_id(id)?.into(),
            Collection::Controls => self.control(ControlId::parse(id)?)?.into(),
            Collection::Evidence => self.evidence.by_id(id)?.into(),
            Collection::Risks => self.risks.by_id(id)?.into(),
            Collection::Findings => self.findings.by_id(id)?.into(),
            Collection::Suppliers => self.suppliers.by_id(id)?.into(),
        })
    }

    /// The key of an Annex A control.
    pub fn control(&self, id: ControlId) -> Option<ControlKey> {
        self.controls.key_at(catalog::index_of(id)?)
    }

    /// What each site file means as a link target (an input of link resolution).
    pub fn link_targets(&self) -> &BTreeMap<String, Option<Target>> {
        &self.files
    }

    /// The old addresses of `redirects:` with what each means, sorted (an input of link
    /// resolution, like `link_targets`).
    pub fn redirect_targets(&self) -> Vec<(&str, &Target)> {
        let mut out: Vec<(&str, &Target)> = self
            .redirects
            .iter()
            .map(|(k, t)| (k.as_str(), t))
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// The item whose page lives at `<collection>/<slug>/`.
    pub fn by_slug(&self, collection: Collection, slug: &str) -> Option<ItemKey> {
        Some(match collection {
            Collection::Policies => self.policies.by_slug(slug)?.into(),
            Collection::Controls => self.controls.by_slug(slug)?.into(),
            Collection::Evidence => self.evidence.by_slug(slug)?.into(),
            Collection::Risks => self.risks.by_slug(slug)?.into(),
            Collection::Findings => self.findings.by_slug(slug)?.into(),
            Collection::Suppliers => self.suppliers.by_slug(slug)?.into(),
        })
    }

    /// The common fields of an item (not for controls, which have no `Common`).
    pub fn common(&self, key: ItemKey) -> Option<&Common> {
        Some(match key {
            ItemKey::Policy(k) => &self.policies.get(k)?.common,
            ItemKey::Evidence(k) => &self.evidence.get(k)?.common,
            ItemKey::Risk(k) => &self.risks.get(k)?.common,
            ItemKey::Finding(k) => &self.findings.get(k)?.common,
            ItemKey::Supplier(k) => &self.suppliers.get(k)?.common,
            ItemKey::Control(_) => return None,
        })
    }

    /// The common fields of every item of `collection` (none for controls).
    pub fn commons(&self, collection: Collection) -> Vec<&Common> {
        match collection {
            Collection::Policies => self.policies.items().map(|p| &p.common).collect(),
            Collection::Evidence => self.evidence.items().map(|p| &p.common).collect(),
            Collection::Risks => self.risks.items().map(|p| &p.common).collect(),
            Collection::Findings => self.findings.items().map(|p| &p.common).collect(),
            Collection::Suppliers => self.suppliers.items().map(|p| &p.common).collect(),
            Collection::Controls => Vec::new(),
        }
    }

    /// Resolves a link destination written in the source file `from` (site-relative path).
    /// `Ok(None)` means the link is not ours to resolve (external, mail, in-page anchor).
    pub fn resolve(&self, dest: &str, from: &str) -> Result<Resolution, String> {
        // A browser drops tabs and line breaks anywhere in a URL and spaces around it, so
        // `/poli<TAB>cies/x/` is `/policies/x/`: match what it will follow.
        let cleaned = clean_url(dest);
        let (path, fragment) = match cleaned.split_once('#') {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (cleaned.as_str(), None),
        };
        // A rooted path, a protocol-relative URL or an http(s) URL: if it is on this site's
        // host it means one of our pages (in any spelling), withheld like any link.
        if let Some(url) = self
            .home
            .url
            .as_ref()
            .map(|home| web_url(home, path, dest))
            .transpose()?
            .flatten()
        {
            if !self.home.is_own_host(&url) {
                return Ok(None); // another host
            }
            let segments = decoded_segments(&url);
            let slash = |c: char| c == '/' || c == '\\';
            let rooted = path.starts_with(slash) && !path[1..].starts_with(slash);
            return Ok(self
                .address_target(&segments, !rooted)?
                .map(|target| (target, fragment)));
        }
        // A scheme is letters, digits, `+`, `-` and `.` before the first `:`; a colon after a
        // `/` or `?` (`files/x.txt?at=10:00`) belongs to a relative link.
        if let Some((scheme, id)) = path.split_once(':').filter(|(scheme, _)| is_scheme(scheme)) {
            // Schemes are case-insensitive: `Policy:x` is a policy link, resolved and withheld
            // like `policy:x`, not an external link kept as written.
            let Some(collection) = Collection::from_link_scheme(&scheme.to_ascii_lowercase())
            else {
                // A near miss of one of ours (`polcy:`) would otherwise be published as an
                // external link naming its target.
                let ours = [
                    "policy", "control", "evidence", "risk", "finding", "supplier",
                ];
                let lower = scheme.to_ascii_lowercase();
                if let Some(near) = crate::diagnostic::suggest(&lower, ours)
                    && !matches!(
                        lower.as_str(),
                        "http" | "https" | "mailto" | "tel" | "ftp" | "data"
                    )
                {
                    return Err(format!(
                        "unknown link scheme \"{scheme}:\" (did you mean \"{near}:\"?)"
                    ));
                }
                return Ok(None); // mailto: and other schemes are external
            };
            let id = id.trim();
            return match self.lookup(collection, id) {
                Some(key) => Ok(Some((Target::Item(key), fragment))),
                None if collection == Collection::Controls => Err(format!(
                    "link to unknown control \"{id}\", expected an Annex A id such as A.5.15"
                )),
                None => Err(self.unknown_message(collection, id)),
            };
        }
        if path.is_empty() {
            return Ok(None);
        }
        let path = path.split('?').next().unwrap_or(path);
        let joined = join_relative(from, path)
            .ok_or_else(|| format!("relative link \"{dest}\" points outside the site folder"))?;
        // A browser decodes `%20` before asking for the file: `flow%20%232.svg` is the file
        // `flow #2.svg`.
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        let joined = match join_relative(from, &decoded) {
            Some(d) if !self.files.contains_key(&joined) && self.files.contains_key(&d) => d,
            _ => joined,
        };
        self.file_target(&joined, path, from)
            .map(|t| Some((t, fragment)))
    }

    /// Resolves a URL field (evidence `url`, `site.yaml` URLs) written in `from`: like a
    /// Markdown link, except that a URL kept as written must use a harmless scheme. The
    /// error is a rule id and a message.
    pub fn resolve_url(&self, url: &str, from: &str) -> Result<Resolution, (Rule, String)> {
        url_verdict(
            url,
            self.resolve_memo(url, from)
                .map_err(|e| (Rule::BrokenLink, e)),
        )
    }

    /// An evidence item's `url` field (`resolve_url`'s first part), resolved once for this
    /// site's `resolve_env` and kept on the item (`Evidence::url_resolved`), which `serve`'s
    /// rebuilds share while the register is unchanged.
    pub fn resolve_url_field(&self, e: &Evidence, url: &str) -> Result<Resolution, String> {
        let from = e.common.pos.path.as_str();
        if let Some(resolved) = e.url_resolved.get(url, from, self.resolve_env) {
            return resolved;
        }
        let resolved = self.resolve_memo(url, from);
        e.url_resolved
            .keep(url, from, self.resolve_env, resolved.clone());
        resolved
    }

    /// `resolve`, memoised like a text's links (`resolved_links`): `serve` asks for every URL
    /// field again on every save.
    pub fn resolve_memo(&self, url: &str, from: &str) -> Result<Resolution, String> {
        let key = crate::cache::hash(&("url", url, from, self.resolve_env));
        let cache = &self.cache;
        let resolved = cache.resolved.get_or(key, cache.generation(), || {
            Arc::new(vec![self.resolve(url, from)])
        });
        match resolved.first() {
            Some(r) => r.clone(),
            None => self.resolve(url, from),
        }
    }

    /// What a link to the site file `path` means, or why it is broken. `written` is the
    /// link as written in `from`, for suggestions.
    fn file_target(&self, path: &str, written: &str, from: &str) -> Result<Target, String> {
        match self.files.get(path) {
            Some(Some(t)) => Ok(t.clone()),
            Some(None) if path.starts_with("policies/") => Err(format!(
                "link to \"{path}\", a file trustpress does not publish: a policy's files are published with it when the policy is a folder (policies/x/index.md with the file beside it)"
            )),
            Some(None) => Err(format!(
                "link to \"{path}\", a file trustpress does not publish (link to its page instead)"
            )),
            None => Err(format!(
                "link to \"{path}\", which does not exist{}",
                self.suggest_file(path, written, from)
            )),
        }
    }

    /// " (did you mean …?)" for a relative link to `path` that names no file: the Markdown
    /// file it leaves out the `.md` of, a page bundle's file, or a file of the same name
    /// elsewhere in the site (moved); with the item link of a policy it names. Empty if
    /// nothing is close.
    fn suggest_file(&self, path: &str, written: &str, from: &str) -> String {
        let path = path.trim_end_matches('/');
        let written = written.split(['#', '?']).next().unwrap_or(written);
        let written = written.trim_end_matches('/');
        let mut options: Vec<String> = Vec::new();
        let mut item = None;
        for (suffix, tail) in [
            (".md", ".md"),
            ("/index.md", "/index.md"),
            ("/_index.md", "/_index.md"),
        ] {
            let candidate = format!("{path}{suffix}");
            if let Some(target) = self.files.get(&candidate) {
                options.push(format!("\"{written}{tail}\""));
                item = item.or(target.clone());
                break;
            }
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        if options.is_empty() {
            // Moved: the same file name elsewhere (with `.md` added if the link left it out).
            let same: Vec<&String> = self
                .files
                .keys()
                .filter(|f| {
                    let file = f.rsplit('/').next().unwrap_or(f);
                    file.eq_ignore_ascii_case(name)
                        || (!name.contains('.') && file.eq_ignore_ascii_case(&format!("{name}.md")))
                })
                .take(3)
                .collect();
            for f in same {
                options.push(format!("\"{}\"", relative_link(from, f)));
                item = item.or_else(|| self.files.get(f.as_str()).cloned().flatten());
            }
        }
        // A policy whose id or page address is the name (`./access-control`).
        let stem = name.strip_suffix(".md").unwrap_or(name);
        if item.is_none()
            && let Some(key) = self
                .policies
                .by_id(stem)
                .or_else(|| self.policies.by_slug(&stem.to_ascii_lowercase()))
        {
            item = Some(Target::Item(key.into()));
        }
        if let Some(link) = item.as_ref().and_then(|t| self.item_link(t)) {
            options.push(format!("\"{link}\""));
        }
        if options.is_empty() {
            return String::new();
        }
        format!(" (did you mean {}?)", options.join(" or "))
    }

    /// The item link (`policy:access-control`) of an item's page.
    fn item_link(&self, target: &Target) -> Option<String> {
        let Target::Item(key) = target else {
            return None;
        };
        let id = match key {
            ItemKey::Control(k) => self.controls[*k].catalog.id.to_string(),
            key => self.common(*key)?.id.clone(),
        };
        Some(format!("{}:{id}", key.collection().noun()))
    }

    /// What an address on this site's host means, given its decoded path segments. Under the
    /// base path or without it (as the README's `/policies/access/` is written), a rooted path
    /// must be one of our pages, files or source files, or an old address in `redirects:` —
    /// anything else is an error, never a link published as written: the site may be served
    /// under a sub-path, where a rooted path would lead elsewhere. A full URL (`has_host`) is
    /// resolved the same way when it names a content folder, a generated page or an old
    /// address; `Ok(None)`: a full URL of another page of the host (`https://host/careers`),
    /// kept as written.
    fn address_target(
        &self,
        segments: &[String],
        has_host: bool,
    ) -> Result<Option<Target>, String> {
        let (rel, under_base) = match strip_segments(segments, &self.home.base) {
            Some(rest) => (rest, true),
            None => (segments, false),
        };
        let joined = rel.join("/");
        if let Some(target) = self.redirects.get(&address_key(rel)) {
            return Ok(Some(target.clone()));
        }
        if self.files.contains_key(&joined) {
            return self.file_target(&joined, &joined, "").map(Some);
        }
        if self.static_files.iter().any(|(p, _)| *p == joined) {
            return Ok(Some(Target::Static(joined)));
        }
        let mut parts: Vec<&str> = rel.iter().map(String::as_str).collect();
        if parts.last().is_some_and(|last| is_index_page(last)) {
            parts.pop();
        }
        let Some((first, rest)) = parts.split_first() else {
            // The host's root is our home page when the site is published there, or when
            // the link has no host (a rooted path means this site).
            return Ok(
                (!has_host || under_base || self.home.base.is_empty()).then_some(Target::Home)
            );
        };
        let not_a_page = || self.not_a_page(&joined);
        // Host paths may be case-insensitive, and slugs are lower-case: match regardless.
        let first = first.to_ascii_lowercase();
        let Some(collection) = Collection::ALL.into_iter().find(|c| c.dir() == first) else {
            return match (first.as_str(), rest) {
                ("scope", []) => Ok(Some(Target::Scope)),
                ("traceability", []) => Ok(Some(Target::Traceability)),
                (file, []) if GENERATED_FILES.contains(&file) && rel.len() == 1 => {
                    Ok(Some(Target::Static(file.to_string())))
                }
                // A full URL is how a page of the host that is not ours is written.
                _ if has_host => Ok(None),
                _ => Err(not_a_page()),
            };
        };
        Ok(Some(match rest {
            [] => Target::List(collection),
            [file] if collection == Collection::Controls && file.eq_ignore_ascii_case(SOA) => {
                Target::Static(format!("controls/{SOA}"))
            }
            [slug] => Target::Item(
                self.by_slug(collection, &slug.to_ascii_lowercase())
                    .ok_or_else(not_a_page)?,
            ),
            // An evidence file's address: the file, published where its item's page is (and
            // withheld with it).
            [slug, file] if collection == Collection::Evidence => {
                let key = self
                    .evidence
                    .by_slug(&slug.to_ascii_lowercase())
                    .ok_or_else(not_a_page)?;
                let named = self.evidence[key]
                    .file
                    .as_ref()
                    .filter(|f| f.file_name.eq_ignore_ascii_case(file))
                    .ok_or_else(not_a_page)?;
                Target::File(key.into(), named.file_name.clone())
            }
            // A file of a policy's folder, published beside its page.
            [slug, file @ ..] if collection == Collection::Policies => {
                let key = self
                    .policies
                    .by_slug(&slug.to_ascii_lowercase())
                    .ok_or_else(not_a_page)?;
                let name = file.join("/");
                let f = self
                    .policy_files
                    .iter()
                    .find(|f| f.policy == key && f.name.eq_ignore_ascii_case(&name))
                    .ok_or_else(not_a_page)?;
                Target::File(key.into(), f.name.clone())
            }
            _ => return Err(not_a_page()),
        }))
    }

    /// The message for a rooted address that is not a page of this site, with a suggestion.
    fn not_a_page(&self, joined: &str) -> String {
        let mut msg = format!("link to \"/{joined}\", which is not a page of this site");
        // The item whose page address is closest to the last segment (an old address that
        // names it), or a published file of the same name elsewhere.
        let last = joined
            .rsplit('/')
            .find(|s| !s.is_empty() && !is_index_page(s))
            .unwrap_or("");
        let stem = last
            .rsplit_once('.')
            .filter(|(_, ext)| matches!(ext.to_ascii_lowercase().as_str(), "md" | "html" | "htm"))
            .map_or(last, |(stem, _)| stem)
            .to_ascii_lowercase();
        let mut slugs: Vec<(&str, Target)> = Vec::new();
        for collection in Collection::ALL {
            if collection == Collection::Controls {
                continue;
            }
            for c in self.commons(collection) {
                if let Some(key) = self.lookup(collection, &c.id) {
                    slugs.push((c.slug.as_str(), Target::Item(key)));
                }
            }
        }
        let near = crate::diagnostic::suggest(&stem, slugs.iter().map(|(s, _)| *s))
            .and_then(|s| slugs.iter().find(|(slug, _)| *slug == s))
            .and_then(|(_, t)| self.item_link(t));
        let file = (!last.is_empty() && last.contains('.'))
            .then(|| {
                self.static_files.iter().find(|(p, _)| {
                    p.rsplit('/')
                        .next()
                        .is_some_and(|n| n.eq_ignore_ascii_case(last))
                })
            })
            .flatten()
            .map(|(p, _)| format!("/{p}"));
        if let Some(s) = file.or(near) {
            msg.push_str(&format!(" (did you mean \"{s}\"?)"));
        }
        msg.push_str(": an old address can be mapped to its page in `redirects:` in site.yaml, and a page elsewhere on the host needs a full URL (https://…)");
        msg
    }

    fn unknown_message(&self, collection: Collection, id: &str) -> String {
        let mut msg = format!("unknown {} \"{id}\"", collection.noun());
        let ids: Vec<&str> = self
            .commons(collection)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        if let Some(s) = crate::diagnostic::suggest(id, ids) {
            msg.push_str(&format!(" (did you mean \"{s}\"?)"));
        }
        msg
    }

    fn index_ids(&mut self, diags: &mut Diagnostics) {
        // The collections' tables are independent: built side by side.
        let mut found: [Diagnostics; 5] = Default::default();
        let [d1, d2, d3, d4, d5] = &mut found;
        let (policies, evidence) = (&mut self.policies, &mut self.evidence);
        let (risks, findings, suppliers) =
            (&mut self.risks, &mut self.findings, &mut self.suppliers);
        let cache = &*self.cache;
        let ((p, e), (r, f, s)) = rayon::join(
            || {
                rayon::join(
                    || index_items(policies, |p| &p.common, cache, d1),
                    || index_items(evidence, |e| &e.common, cache, d2),
                )
            },
            || {
                (
                    index_items(risks, |r| &r.common, cache, d3),
                    index_items(findings, |f| &f.common, cache, d4),
                    index_items(suppliers, |s| &s.common, cache, d5),
                )
            },
        );
        self.id_sequences = [p, e, r, f, s];
        for d in found {
            diags.extend(d);
        }
        let (ids, slugs) = self
            .controls
            .iter()
            .map(|(key, c)| ((c.catalog.id.to_string(), key), (c.catalog.id.slug(), key)))
            .unzip();
        self.controls.set_tables(Arc::new(Tables { ids, slugs }));
    }

    pub fn len(&self, collection: Collection) -> usize {
        match collection {
            Collection::Policies => self.policies.len(),
            Collection::Controls => self.controls.len(),
            Collection::Evidence => self.evidence.len(),
            Collection::Risks => self.risks.len(),
            Collection::Findings => self.findings.len(),
            Collection::Suppliers => self.suppliers.len(),
        }
    }

    fn attach_mappings(&mut self, mappings: Vec<Arc<Mapping>>, diags: &mut Diagnostics) {
        for m in mappings {
            let Some(ci) = self.control(m.control) else {
                continue;
            };
            if let Some(prev) = &self.controls[ci].mapping {
                diags.error(
                    m.pos.clone(),
                    Rule::DuplicateMapping,
                    format!(
                        "control {} is mapped twice, first at {}:{}",
                        m.control, prev.pos.path, prev.pos.line
                    ),
                );
                // Still report its broken references: one run should show every problem.
                self.check_refs(&m, diags);
                continue;
            }
            if let Some(node) = self.controls.get_mut(ci) {
                // The control was made by this link, so nothing else holds it.
                Arc::make_mut(&mut node.item).mapping = Some(m);
            }
        }
    }

    fn check_refs(&self, m: &Mapping, diags: &mut Diagnostics) {
        for (collection, refs) in [
            (Collection::Policies, &m.policies),
            (Collection::Evidence, &m.evidence),
            (Collection::Risks, &m.risks),
        ] {
            for r in refs
                .iter()
                .filter(|r| self.lookup(collection, &r.id).is_none())
            {
                diags.error(
                    r.pos.clone(),
                    Rule::UnknownReference,
                    self.unknown_message(collection, &r.id),
                );
            }
        }
    }

    /// Resolves every id reference in list fields and records the link both ways, on the
    /// nodes at either end.
    /// The references between items: each control's (through its mapping) and each policy's,
    /// risk's and finding's; a reference to no item is an error.
    fn references(&self, diags: &mut Diagnostics) -> References {
        let mut edges: Vec<(ControlKey, ItemKey)> = Vec::new();
        let mut finding_policy: Vec<(FindingKey, PolicyKey)> = Vec::new();
        let resolve = |site: &Site, collection: Collection, r: &Ref, diags: &mut Diagnostics| {
            let found = site.lookup(collection, &r.id);
            if found.is_none() {
                diags.error(
                    r.pos.clone(),
                    Rule::UnknownReference,
                    site.unknown_message(collection, &r.id),
                );
            }
            found
        };
        for (ci, c) in self.controls.iter() {
            let Some(m) = &c.mapping else { continue };
            for (collection, refs) in [
                (Collection::Policies, &m.policies),
                (Collection::Evidence, &m.evidence),
                (Collection::Risks, &m.risks),
            ] {
                for r in refs {
                    if let Some(key) = resolve(self, collection, r, diags) {
                        edges.push((ci, key));
                    }
                }
            }
        }
        let control = |r: &ControlRef| self.control(r.id);
        for (pi, p) in self.policies.iter() {
            edges.extend(
                p.controls
                    .iter()
                    .filter_map(control)
                    .map(|ci| (ci, pi.into())),
            );
        }
        for (ri, r) in self.risks.iter() {
            edges.extend(
                r.controls
                    .iter()
                    .filter_map(control)
                    .map(|ci| (ci, ri.into())),
            );
        }
        for (fi, f) in self.findings.iter() {
            edges.extend(
                f.controls
                    .iter()
                    .filter_map(control)
                    .map(|ci| (ci, fi.into())),
            );
            for r in &f.policies {
                if let Some(ItemKey::Policy(pi)) = resolve(self, Collection::Policies, r, diags) {
                    finding_policy.push((fi, pi));
                }
            }
        }
        References {
            edges,
            finding_policy,
        }
    }

    /// Records `references` on both ends, each list in order without repeats.
    fn attach_references(&mut self, references: References) {
        let References {
            edges,
            finding_policy,
        } = references;
        for (ci, key) in edges {
            let Some(c) = self.controls.get_mut(ci) else {
                continue;
            };
            let back = match key {
                ItemKey::Policy(k) => {
                    c.links.policies.push(k);
                    self.policies.get_mut(k).map(|n| &mut n.links.controls)
                }
                ItemKey::Evidence(k) => {
                    c.links.evidence.push(k);
                    self.evidence.get_mut(k).map(|n| &mut n.links.controls)
                }
                ItemKey::Risk(k) => {
                    c.links.risks.push(k);
                    self.risks.get_mut(k).map(|n| &mut n.links.controls)
                }
                ItemKey::Finding(k) => {
                    c.links.findings.push(k);
                    self.findings.get_mut(k).map(|n| &mut n.links.controls)
                }
                ItemKey::Control(_) | ItemKey::Supplier(_) => None,
            };
            back.into_iter().for_each(|back| back.push(ci));
        }
        for (fi, pi) in finding_policy {
            if let Some(f) = self.findings.get_mut(fi) {
                f.links.policies.push(pi);
            }
            if let Some(p) = self.policies.get_mut(pi) {
                p.links.findings.push(fi);
            }
        }
        for c in self.controls.nodes_mut() {
            let l = &mut c.links;
            tidy(&mut l.policies);
            tidy(&mut l.evidence);
            tidy(&mut l.risks);
            tidy(&mut l.findings);
        }
        for p in self.policies.nodes_mut() {
            tidy(&mut p.links.controls);
            tidy(&mut p.links.findings);
        }
        for e in self.evidence.nodes_mut() {
            tidy(&mut e.links.controls);
        }
        for r in self.risks.nodes_mut() {
            tidy(&mut r.links.controls);
        }
        for f in self.findings.nodes_mut() {
            tidy(&mut f.links.controls);
            tidy(&mut f.links.policies);
        }
    }

    /// `file_index`, with the hash of what it is made from: the files (`files_hash`, when
    /// the loader keeps its listing), each policy's file, and the files of policy folders and
    /// evidence items. `serve` keeps it and takes it again while that is unchanged.
    fn kept_file_index(
        &self,
        files: &std::collections::BTreeSet<String>,
        files_hash: Option<u64>,
    ) -> (Arc<FileIndex>, Option<u64>) {
        let Some(files_hash) = files_hash else {
            return (Arc::new(self.file_index(files)), None);
        };
        let key = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            // The policies' (id, slug, file) sequence (`index_items`).
            (files_hash, self.id_sequences[0]).hash(&mut h);
            for f in &self.policy_files {
                (
                    f.policy,
                    &f.name,
                    self.policy_file_sources.get(&(f.policy, f.name.clone())),
                )
                    .hash(&mut h);
            }
            for (key, e) in self.evidence.iter() {
                if let Some(file) = &e.file {
                    (key, &file.source, &file.file_name).hash(&mut h);
                }
            }
            h.finish()
        };
        const KIND: &str = "file index";
        if let Some(index) = self.cache.kept::<FileIndex>(KIND, key) {
            return (index, Some(key));
        }
        let index = Arc::new(self.file_index(files));
        self.cache.keep(KIND, key, &index);
        (index, Some(key))
    }

    /// What a relative link to each file of the site means (after `attach_policy_files`).
    fn file_index(
        &self,
        files: &std::collections::BTreeSet<String>,
    ) -> BTreeMap<String, Option<Target>> {
        let mut map: BTreeMap<String, Option<Target>> =
            files.iter().map(|f| (f.clone(), None)).collect();
        map.insert("scope.md".into(), Some(Target::Scope));
        for (key, p) in self.policies.iter() {
            map.insert(p.common.pos.path.clone(), Some(Target::Item(key.into())));
        }
        for f in files {
            if let Some(out) = f.strip_prefix("static/") {
                map.insert(f.clone(), Some(Target::Static(out.to_string())));
            } else if crate::source::is_yaml(f)
                && let Some(c) = Collection::ALL
                    .into_iter()
                    .find(|c| f.starts_with(&format!("{}/", c.dir())))
            {
                map.insert(f.clone(), Some(Target::List(c)));
            }
        }
        for f in &self.policy_files {
            if let Some(source) = self.policy_file_sources.get(&(f.policy, f.name.clone())) {
                map.insert(
                    source.clone(),
                    Some(Target::File(f.policy.into(), f.name.clone())),
                );
            }
        }
        // An evidence item's file means the file, published beside the item's page.
        for (key, e) in self.evidence.iter() {
            if let Some(file) = &e.file {
                map.insert(
                    file.source.clone(),
                    Some(Target::File(key.into(), file.file_name.clone())),
                );
            }
        }
        map
    }

    /// Gives each policy folder's file to its policy (a file whose policy did not load is
    /// not published).
    fn attach_policy_files(&mut self, files: Vec<crate::source::PolicyFile>) {
        if files.is_empty() {
            // Most sites have none: no table of every policy's path to build.
            self.policy_files = Vec::new();
            self.policy_file_sources = HashMap::default();
            return;
        }
        let by_path: HashMap<&str, PolicyKey> = self
            .policies
            .iter()
            .map(|(key, p)| (p.common.pos.path.as_str(), key))
            .collect();
        let mut out = Vec::new();
        let mut sources = HashMap::default();
        for f in files {
            let Some(&policy) = by_path.get(f.policy.as_str()) else {
                continue;
            };
            sources.insert((policy, f.name.clone()), f.source);
            out.push(PolicyFile {
                policy,
                name: f.name,
                bytes: f.bytes,
            });
        }
        self.policy_files = out;
        self.policy_file_sources = sources;
    }

    /// Reads `redirects:`: each old address must be a rooted path or a URL of this site that
    /// is not already one of its pages, and its target must resolve.
    fn index_redirects(&mut self, diags: &mut Diagnostics) {
        let mut out = HashMap::default();
        for r in &self.config.redirects {
            let Some(home) = self.home.url.as_ref() else {
                continue;
            };
            let url = match web_url(home, &clean_url(&r.from), &r.from) {
                Ok(Some(url)) if self.home.is_own_host(&url) => url,
                Ok(_) => {
                    diags.error(
                        r.pos.clone(),
                        Rule::BrokenLink,
                        format!(
                            "redirect from \"{}\" is not an address of this site, expected a path such as /old/address/",
                            r.from
                        ),
                    );
                    continue;
                }
                Err(e) => {
                    diags.error(r.pos.clone(), Rule::BrokenLink, e);
                    continue;
                }
            };
            let segments = decoded_segments(&url);
            let rel = strip_segments(&segments, &self.home.base).unwrap_or(&segments);
            if let Ok(Some(_)) = self.address_target(&segments, false) {
                diags.error(
                    r.pos.clone(),
                    Rule::BrokenLink,
                    format!(
                        "redirect from \"{}\", which is already a page or file of this site: remove the entry",
                        r.from
                    ),
                );
                continue;
            }
            match self.resolve(&r.to, CONFIG_FILE) {
                Ok(Some((target, _))) => {
                    out.insert(address_key(rel), target);
                }
                Ok(None) => diags.error(
                    r.pos.clone(),
                    Rule::BrokenLink,
                    format!(
                        "redirect to \"{}\", which is not a page of this site, expected an item link such as policy:ID",
                        r.to
                    ),
                ),
                Err(e) => diags.error(
                    r.pos.clone(),
                    Rule::BrokenLink,
                    format!("redirect from \"{}\": {e}", r.from),
                ),
            }
        }
        self.redirects = out;
    }

    /// Every Markdown text in the site with the file it belongs to.
    pub fn markdown_texts(&self) -> Vec<&Markdown> {
        let mut out: Vec<&Markdown> = vec![&self.scope.body];
        for p in self.policies.items() {
            out.push(&p.body);
        }
        for c in self.controls.items() {
            out.extend(c.mapping.as_ref().and_then(|m| m.notes.as_ref()));
        }
        for e in self.evidence.items() {
            out.extend(e.description.iter().chain(&e.common.notes));
        }
        for r in self.risks.items() {
            out.extend(&r.common.notes);
        }
        for f in self.findings.items() {
            out.extend(
                f.description
                    .iter()
                    .chain(&f.root_cause)
                    .chain(&f.corrective_action)
                    .chain(&f.common.notes),
            );
        }
        for s in self.suppliers.items() {
            out.extend(&s.common.notes);
        }
        out
    }

    /// URL fields are published as links: each must resolve like a Markdown link, and one
    /// kept as written must not run script (`javascript:`) or carry a document (`data:`).
    fn check_url_fields(&self, diags: &mut Diagnostics) {
        use rayon::prelude::*;
        let c = &self.config;
        let evidence: Vec<&Evidence> = self.evidence.items().filter(|e| e.url.is_some()).collect();
        let found: Vec<Option<(Rule, String)>> = evidence
            .par_iter()
            .map(|e| {
                let url = e.url.as_deref()?;
                let resolved = self
                    .resolve_url_field(e, url)
                    .map_err(|e| (Rule::BrokenLink, e));
                url_verdict(url, resolved).err()
            })
            .collect();
        for (e, found) in evidence.into_iter().zip(found) {
            if let Some((rule, message)) = found {
                diags.error(e.common.pos_of("url").clone(), rule, message);
            }
        }
        let mut fields: Vec<(&str, &str, Pos)> = Vec::new();
        if let Some(url) = &c.organisation.website {
            fields.push((url, CONFIG_FILE, c.url_pos("organisation.website")));
        }
        for cert in &c.certificates {
            if let Some(url) = &cert.register_url {
                fields.push((url, CONFIG_FILE, cert.register_url_pos.clone()));
            }
        }
        if let Some(url) = &c.requests_url {
            fields.push((url, CONFIG_FILE, c.url_pos("requests.url")));
        }
        let found: Vec<Option<(Rule, String)>> = fields
            .iter()
            .map(|(url, from, _)| self.resolve_url(url, from).err())
            .collect();
        for ((_, _, pos), found) in fields.into_iter().zip(found) {
            if let Some((rule, message)) = found {
                diags.error(pos, rule, message);
            }
        }
        // `base_url` itself is checked where it is read (config.rs): an absolute web address.
    }

    fn check_markdown_links(&self, diags: &mut Diagnostics) {
        use rayon::prelude::*;
        let texts = self.markdown_texts();
        // Scanning and resolving each text's links is independent of the others'.
        let resolved: Vec<_> = texts.par_iter().map(|md| self.resolved_links(md)).collect();
        for (md, resolved) in texts.into_iter().zip(resolved) {
            for (link, r) in md.links().iter().zip(resolved.iter()) {
                if let Err(e) = r {
                    diags.error(markdown::position(md, link), Rule::BrokenLink, e.clone());
                }
            }
        }
    }

    /// What each link of `md` resolves to (`resolve`), in the order of `md.links()`.
    /// Memoised by the text, its file and `resolve_env`, so a rebuild that changed nothing
    /// links resolve to resolves only the links of the texts that changed.
    /// The text keeps its last resolution too (`Markdown::resolved_for`), which `serve`'s
    /// unchanged texts are resolved from on the next save.
    pub fn resolved_links(&self, md: &Markdown) -> crate::model::ResolvedLinks {
        if let Some(resolved) = md.resolved_for(self.resolve_env) {
            return resolved;
        }
        let key = crate::cache::hash(&(md.text_hash(), &md.pos.path, self.resolve_env));
        let cache = &self.cache;
        let resolved = cache.resolved.get_or(key, cache.generation(), || {
            Arc::new(
                md.links()
                    .iter()
                    .map(|link| self.resolve(&link.dest, &md.pos.path))
                    .collect(),
            )
        });
        md.keep_resolved(self.resolve_env, &resolved);
        resolved
    }

    /// A hash of everything `resolve` (and its messages) depends on: the site's address,
    /// its files and what each means, the old addresses of `redirects:`, the `static/`
    /// files, every item's id and page address (in order: the first of a clash wins), and
    /// the files published beside items. Two sites with equal hashes resolve every link
    /// alike.
    pub fn resolve_env(&self) -> u64 {
        self.resolve_env
    }

    fn resolve_fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.config.base_url.hash(&mut h);
        // The file index, or the hash of everything it is made from.
        match self.files_key {
            Some(key) => key.hash(&mut h),
            None => self.files.hash(&mut h),
        }
        let mut redirects: Vec<(&String, &Target)> = self.redirects.iter().collect();
        redirects.sort_by(|a, b| a.0.cmp(b.0));
        redirects.hash(&mut h);
        for (path, _) in &self.static_files {
            path.hash(&mut h);
        }
        // Each collection's (id, slug) sequence, hashed when its tables were made.
        self.id_sequences.hash(&mut h);
        for e in self.evidence.items() {
            e.file.as_ref().map(|f| &f.file_name).hash(&mut h);
        }
        for f in &self.policy_files {
            (f.policy, &f.name).hash(&mut h);
        }
        h.finish()
    }
}

/// The file name of the statement of applicability, published under `controls/`.
const SOA: &str = "soa.csv";

/// The files every build writes at its root, besides pages (`Route`'s fixed files and the
/// theme's assets): a rooted link may name them.
const GENERATED_FILES: [&str; 7] = [
    "404.html",
    "robots.txt",
    "search-index.json",
    "sitemap.xml",
    "highlight.css",
    "style.css",
    "trustpress.js",
];

/// Whether a path segment names a folder's page (`index.html`, in any case).
fn is_index_page(segment: &str) -> bool {
    segment.eq_ignore_ascii_case("index.html") || segment.eq_ignore_ascii_case("index.htm")
}

/// How an address inside the site is compared with the old addresses of `redirects:`:
/// lower-case, without a folder's `index.html`.
fn address_key(rel: &[String]) -> String {
    let mut parts: Vec<String> = rel.iter().map(|s| s.to_ascii_lowercase()).collect();
    if parts.last().is_some_and(|last| is_index_page(last)) {
        parts.pop();
    }
    parts.join("/")
}

/// The relative link from the source file `from` to the site file `to` (both site-relative).
fn relative_link(from: &str, to: &str) -> String {
    let mut dir: Vec<&str> = from.split('/').collect();
    dir.pop();
    let target: Vec<&str> = to.split('/').collect();
    let common = dir.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(dir.len() - common);
    out.push_str(&target[common..].join("/"));
    out
}

/// Where the site's pages are published, from `base_url`.
#[derive(Debug)]
struct Home {
    /// `base_url` as a URL; a relative `base_url` (`/trust/`) is placed on a host no link
    /// can name, so only rooted paths are on it. (`None` only if even that host does not
    /// parse, which cannot happen.)
    url: Option<Url>,
    /// The base path's segments, decoded: `https://x.example/trust/` → `["trust"]`.
    base: Vec<String>,
}

impl Home {
    fn new(base_url: &str) -> Home {
        let cleaned = clean_url(base_url);
        let url = match Url::parse(&cleaned) {
            Ok(u) if u.has_host() => Some(u),
            _ => Url::parse("https://base-url.invalid/")
                .ok()
                .map(|placeholder| placeholder.join(&cleaned).unwrap_or(placeholder)),
        };
        let base = url.as_ref().map(decoded_segments).unwrap_or_default();
        Home { url, base }
    }

    /// Whether `url` is on the site's host: http and https alike (a host serves both, or
    /// redirects one to the other), any default port, the host in any case.
    fn is_own_host(&self, url: &Url) -> bool {
        let web = |u: &Url| matches!(u.scheme(), "http" | "https");
        let host = |u: &Url| {
            u.host_str()
                .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        };
        let default_port = |p: Option<u16>| matches!(p, None | Some(80) | Some(443));
        self.url.as_ref().is_some_and(|home| {
            web(url)
                && web(home)
                && host(url).is_some()
                && host(url) == host(home)
                && (url.port() == home.port() || default_port(url.port()))
        })
    }
}

/// The message for a URL field with a scheme that is not safe to publish.
/// Sorts a relation list and drops repeats (an item can be linked both ways).
fn tidy<K: Ord>(keys: &mut Vec<K>) {
    keys.sort_unstable();
    keys.dedup();
}

/// Fills the id and address tables of one collection, reporting duplicate ids. The first
/// item with an id or an address wins.
/// Builds the id and address tables of `items`, reporting duplicate ids and unusable slugs;
/// returns the hash of the (id, slug, file) sequence they follow from. Where texts are kept between
/// builds (`serve`), tables made without a finding are kept and taken again while the
/// sequence is unchanged: they, and the absence of findings, follow from it alone.
fn index_items<T: Item + 'static>(
    items: &mut Items<T>,
    common: impl Fn(&T) -> &Common,
    cache: &Cache,
    diags: &mut Diagnostics,
) -> u64 {
    let sequence = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        items.len().hash(&mut h);
        for item in items.items() {
            let c = common(item);
            // The file too, for the file index (`kept_file_index`), which maps policy files.
            (&c.id, &c.slug, &c.pos.path).hash(&mut h);
        }
        h.finish()
    };
    let kind = T::COLLECTION.dir();
    if let Some(tables) = cache.kept::<Tables<T>>(kind, sequence) {
        items.set_tables(tables);
        return sequence;
    }
    let mut found = Diagnostics::new();
    // Sized up front: `serve` indexes every item on every save.
    let mut ids: HashMap<String, Key<T>> =
        HashMap::with_capacity_and_hasher(items.len(), Default::default());
    let mut slugs = HashMap::with_capacity_and_hasher(items.len(), Default::default());
    for (key, node) in items.iter() {
        let c = common(&node.item);
        slugs.entry(c.slug.clone()).or_insert(key);
        if let Some(&first) = ids.get(c.id.as_str()) {
            let prev = common(&items[first].item).pos_of("id");
            found.error(
                c.pos_of("id").clone(),
                Rule::DuplicateId,
                format!(
                    "duplicate {} id \"{}\", first defined at {}:{}",
                    T::COLLECTION.noun(),
                    c.id,
                    prev.path,
                    prev.line
                ),
            );
            continue;
        }
        ids.insert(c.id.clone(), key);
    }
    check_slugs(items.items().map(&common), T::COLLECTION, &mut found);
    let tables = Arc::new(Tables { ids, slugs });
    if found.is_empty() {
        cache.keep(kind, sequence, &tables);
    }
    items.set_tables(tables);
    diags.extend(found);
    sequence
}

/// Two ids that slug alike would write the same page: report it instead of overwriting.
fn check_slugs<'a>(
    commons: impl Iterator<Item = &'a Common>,
    collection: Collection,
    diags: &mut Diagnostics,
) {
    let mut seen: HashMap<&str, &Common> = HashMap::default();
    for c in commons {
        if c.slug.is_empty() {
            diags.error(
                c.pos_of("id").clone(),
                Rule::InvalidId,
                format!("id \"{}\" needs at least one letter or digit", c.id),
            );
        } else if c.slug.len() > MAX_SLUG_LEN {
            diags.error(
                c.pos_of("id").clone(),
                Rule::InvalidId,
                format!(
                    "id \"{}\" makes a page address of {} characters, longer than the {MAX_SLUG_LEN} a build can write: shorten the id",
                    shorten(&c.id),
                    c.slug.len()
                ),
            );
        } else if let Some(prev) = seen.get(c.slug.as_str()) {
            if prev.id != c.id {
                diags.error(
                    c.pos_of("id").clone(),
                    Rule::DuplicateId,
                    format!(
                        "id \"{}\" has the same page address as \"{}\" ({}/{}/)",
                        c.id,
                        prev.id,
                        collection.dir(),
                        c.slug
                    ),
                );
            }
        } else {
            seen.insert(&c.slug, c);
        }
    }
}

/// A URL field's resolution, or why it may not be published: a URL kept as written (not
/// ours to resolve) must use a harmless scheme.
fn url_verdict(
    url: &str,
    resolved: Result<Resolution, (Rule, String)>,
) -> Result<Resolution, (Rule, String)> {
    let resolved = resolved?;
    if resolved.is_none() && !markdown::is_safe_url(url) {
        return Err((Rule::UnsafeUrl, unsafe_url_message(url)));
    }
    Ok(resolved)
}

fn unsafe_url_message(url: &str) -> String {
    format!(
        "unsafe URL \"{url}\", expected an http, https, mailto or tel URL, a relative link or an item link such as policy:ID"
    )
}

/// A URL as a browser reads it: without tabs and line breaks, trimmed of spaces and controls.
fn clean_url(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// `path` (a link without its fragment) as the URL a browser on one of our pages follows, if
/// it is a web address: a rooted path or a protocol-relative URL (on `home`'s scheme), or an
/// http(s) URL. `Ok(None)`: a relative link or another scheme. An http(s) URL without `//`
/// is relative on a page of the same scheme and a host name on the other: an error, since no
/// one means that. `dest` is the link as written, for the message.
fn web_url(home: &Url, path: &str, dest: &str) -> Result<Option<Url>, String> {
    // Browsers read `\` as `/` in web URLs.
    let slash = |c: char| c == '/' || c == '\\';
    if path.starts_with(slash) {
        return Ok(home.join(path).ok());
    }
    let Some((scheme, rest)) = path.split_once(':') else {
        return Ok(None);
    };
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") {
        return Ok(None);
    }
    let mut chars = rest.chars();
    if !(chars.next().is_some_and(slash) && chars.next().is_some_and(slash)) {
        return Err(format!(
            "link \"{dest}\" has no host, expected {scheme}://host/… (or a relative link)"
        ));
    }
    Ok(Url::parse(path).ok())
}

/// The path segments of `url`, percent-decoded, with dot segments (also encoded ones, which
/// browsers remove too) and empty segments removed.
fn decoded_segments(url: &Url) -> Vec<String> {
    let decoded = percent_decode_str(url.path()).decode_utf8_lossy();
    let mut out: Vec<String> = Vec::new();
    for segment in decoded.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s.to_string()),
        }
    }
    out
}

/// `segments` without the leading `prefix` (compared ignoring ASCII case), if it starts so.
fn strip_segments<'s>(segments: &'s [String], prefix: &[String]) -> Option<&'s [String]> {
    if segments.len() < prefix.len()
        || !segments
            .iter()
            .zip(prefix)
            .all(|(s, p)| s.eq_ignore_ascii_case(p))
    {
        return None;
    }
    segments.get(prefix.len()..)
}

/// Whether `s` is a URI scheme (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`).
fn is_scheme(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Joins a relative link to the folder of `from` and normalises it; `None` if it escapes.
pub fn join_relative(from: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop(); // the file name
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        for s in ["policy", "https", "x-y+z.1"] {
            assert!(is_scheme(s), "{s}");
        }
        for s in ["", "../files/x.txt?at=10", "files/a", "1x", "pol icy"] {
            assert!(!is_scheme(s), "{s}");
        }
    }

    #[test]
    fn relative_joins() {
        for (from, link, expected) in [
            ("policies/a.md", "b.md", Some("policies/b.md")),
            ("policies/a.md", "../scope.md", Some("scope.md")),
            ("policies/sub/a.md", "../b.md", Some("policies/b.md")),
            ("policies/a.md", "./x/../b.md", Some("policies/b.md")),
            ("scope.md", "policies/a.md", Some("policies/a.md")),
            ("scope.md", "../etc/passwd", None),
        ] {
            assert_eq!(
                join_relative(from, link).as_deref(),
                expected,
                "{from} + {link}"
            );
        }
    }

    /// A small site published at `https://trust.example/security/`, for link resolution.
    fn security_site() -> (tempfile::TempDir, Site) {
        let files = [
            (
                "site.yaml",
                "title: T\nbase_url: https://trust.example/security/\norganisation: {name: Org}\nredirects:\n  /security-policies/access/: policy:access-control\n  https://trust.example/security/old/bcp.html: policies/bcp.md\n",
            ),
            (
                "policies/incident/index.md",
                "---\ntitle: Incidents\nowner: CISO\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\n---\n![flow](flow.svg)\n",
            ),
            ("policies/incident/flow.svg", "<svg/>"),
            ("policies/incident/img/a.png", "png"),
            ("policies/loose.png", "png"),
            ("scope.md", "---\ntitle: Scope\n---\nEverything.\n"),
            (
                "policies/bcp.md",
                "---\nid: business-continuity\ntitle: BCP\nowner: COO\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: internal\n---\n## Plan\n",
            ),
            (
                "policies/access.md",
                "---\nid: access-control\ntitle: Access\nowner: CISO\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: public\n---\nText.\n",
            ),
            (
                "evidence/register.yaml",
                "- id: restore-test\n  title: Restore\n  kind: report\n  file: evidence/files/restore.txt\n",
            ),
            ("evidence/files/restore.txt", "log"),
            ("static/logo.svg", "<svg/>"),
        ];
        crate::testing::linked_site(files)
    }

    /// What `resolve` makes of `dest`, in words: `policy:ID`, `keep`, `error`, `home` …
    fn resolved(site: &Site, dest: &str) -> String {
        match site.resolve(dest, "policies/access.md") {
            Ok(None) => "keep".into(),
            Err(_) => "error".into(),
            Ok(Some((target, _))) => target_name(site, target),
        }
    }

    /// `serve` keeps each collection's id tables while its (id, slug) sequence is unchanged,
    /// and makes them anew when it changes, or when the last ones came with an error.
    #[test]
    fn id_tables_are_kept_while_the_ids_are_unchanged() {
        let (dir, _) = security_site();
        let today = Date::parse("2026-06-01").expect("date");
        let cache = Arc::new(Cache::default());
        let link = || {
            cache.begin();
            let (site, diags) =
                crate::session::load_linked(dir.path(), today, Audience::Internal, &cache);
            (site.expect("the site links"), diags)
        };
        let (first, _) = link();
        let (second, _) = link();
        assert!(
            Arc::ptr_eq(first.policies.tables(), second.policies.tables()),
            "taken again"
        );
        assert!(Arc::ptr_eq(
            first.evidence.tables(),
            second.evidence.tables()
        ));
        assert!(
            std::ptr::eq(first.link_targets(), second.link_targets()),
            "the file index is taken again"
        );
        let bcp = dir.path().join("policies/bcp.md");
        let text = std::fs::read_to_string(&bcp).expect("read");
        std::fs::write(
            &bcp,
            text.replace("id: business-continuity", "id: access-control"),
        )
        .expect("write");
        let (third, diags) = link();
        assert!(
            !Arc::ptr_eq(second.policies.tables(), third.policies.tables()),
            "made anew"
        );
        assert!(
            diags.iter().any(|d| d.rule == Rule::DuplicateId),
            "the clash is reported"
        );
        let (fourth, diags) = link();
        assert!(
            !Arc::ptr_eq(third.policies.tables(), fourth.policies.tables()),
            "not kept with an error"
        );
        assert!(
            diags.iter().any(|d| d.rule == Rule::DuplicateId),
            "and reported again"
        );
        std::fs::write(&bcp, text).expect("write");
        let (fifth, _) = link();
        assert_eq!(
            fifth
                .policies
                .by_id("business-continuity")
                .map(|k| k.index()),
            first
                .policies
                .by_id("business-continuity")
                .map(|k| k.index())
        );
        assert!(third.evidence.by_id("restore-test").is_some());
        // A file added is in the next file index (the loader lists the files again).
        std::fs::write(dir.path().join("policies/new.png"), "png").expect("write");
        let (sixth, _) = link();
        assert!(
            !std::ptr::eq(fifth.link_targets(), sixth.link_targets()),
            "made anew"
        );
        assert!(sixth.link_targets().contains_key("policies/new.png"));
        assert!(!fifth.link_targets().contains_key("policies/new.png"));
    }

    /// `checks::text_links` reads a link's destination for an in-page anchor only when the
    /// link resolved to nothing: every `#…` must.
    #[test]
    fn in_page_anchors_are_never_resolved() {
        let (_dir, site) = security_site();
        for dest in [
            "#plan",
            "#",
            "#policy:access-control",
            "#../scope.md",
            "#/x/",
            "#https://trust.example/security/",
        ] {
            assert_eq!(resolved(&site, dest), "keep", "{dest}");
        }
    }

    /// An evidence URL's resolution is kept on the item for the site's `resolve_env` and
    /// stands only for the URL, file and environment it was made for.
    #[test]
    fn a_kept_url_resolution_stands_only_for_what_it_was_made_from() {
        let (_dir, site) = security_site();
        let key = site.evidence.by_id("restore-test").expect("evidence");
        let e = &site.evidence[key].item;
        let from = e.common.pos.path.as_str();
        let env = site.resolve_env();
        let policy = site.resolve_url_field(e, "policy:access-control");
        assert!(
            matches!(policy, Ok(Some((Target::Item(ItemKey::Policy(_)), _)))),
            "{policy:?}"
        );
        assert_eq!(
            e.url_resolved.get("policy:access-control", from, env),
            Some(policy.clone())
        );
        // Another URL, file or environment is resolved again, never answered from the cell.
        assert_eq!(
            e.url_resolved.get("policy:business-continuity", from, env),
            None
        );
        assert_eq!(
            e.url_resolved
                .get("policy:access-control", "site.yaml", env),
            None
        );
        assert_eq!(
            e.url_resolved.get("policy:access-control", from, env ^ 1),
            None
        );
        let other = site.resolve_url_field(e, "policy:nope");
        assert!(other.is_err(), "{other:?}");
        assert_eq!(site.resolve_url_field(e, "policy:access-control"), policy);
        // What is kept is what resolving gives.
        assert_eq!(policy, site.resolve("policy:access-control", from));
    }

    fn target_name(site: &Site, target: Target) -> String {
        match target {
            Target::Home => "home".into(),
            Target::Scope => "scope".into(),
            Target::List(c) => format!("list:{}", c.dir()),
            Target::Static(p) => format!("static:{p}"),
            Target::Traceability => "traceability".into(),
            Target::File(key, name) => format!("{}/{name}", target_name(site, Target::Item(key))),
            Target::Item(ItemKey::Control(k)) => {
                format!("control:{}", site.controls[k].catalog.id)
            }
            Target::Item(key) => match site.common(key) {
                Some(common) if key.collection() == Collection::Evidence => {
                    format!("evidence:{}", common.id)
                }
                Some(common) => format!("{}:{}", key.collection().noun(), common.id),
                None => "?".into(),
            },
        }
    }

    #[test]
    fn own_addresses_resolve_in_every_spelling() {
        let (_dir, site) = security_site();
        let bcp = "policy:business-continuity";
        let ev = "evidence:restore-test";
        let evf = "evidence:restore-test/restore.txt";
        let cases = [
            // The README's own form, which ignores the base path, and its variants.
            ("/policies/business-continuity/", bcp),
            ("/policies/business-continuity", bcp),
            ("/policies/business-continuity/index.html", bcp),
            ("/policies/business-continuity/index.htm", bcp),
            ("/policies/business-continuity/INDEX.HTML", bcp),
            ("/policies/bcp.md", bcp),
            // Under the base path.
            ("/security/policies/business-continuity/", bcp),
            ("/security/policies/business-continuity/index.html", bcp),
            ("/security/policies/bcp.md", bcp),
            ("/SECURITY/POLICIES/BUSINESS-CONTINUITY/", bcp),
            ("/security//policies//business-continuity/", bcp),
            ("/security/policies/business-continuity/?x=1", bcp),
            ("/security/policies/business-continuity/#plan", bcp),
            // Full URLs: scheme, host case, default ports, user info, a trailing dot.
            (
                "https://trust.example/security/policies/business-continuity/",
                bcp,
            ),
            (
                "http://trust.example/security/policies/business-continuity/",
                bcp,
            ),
            (
                "HTTPS://TRUST.EXAMPLE/security/policies/business-continuity/",
                bcp,
            ),
            (
                "https://Trust.Example/security/policies/business-continuity/",
                bcp,
            ),
            (
                "Http://trust.example/security/policies/business-continuity/",
                bcp,
            ),
            (
                "https://trust.example:443/security/policies/business-continuity/",
                bcp,
            ),
            (
                "http://trust.example:80/security/policies/business-continuity/",
                bcp,
            ),
            (
                "http://trust.example:443/security/policies/business-continuity/",
                bcp,
            ),
            (
                "https://user@trust.example/security/policies/business-continuity/",
                bcp,
            ),
            (
                "https://trust.example./security/policies/business-continuity/",
                bcp,
            ),
            (
                "https://trust.example/security/policies/business-continuity/#plan",
                bcp,
            ),
            ("https://trust.example/security/policies/bcp.md", bcp),
            ("https://trust.example/policies/business-continuity/", bcp),
            (
                "https://trust.example:443/policies/business-continuity",
                bcp,
            ),
            (
                "HTTP://TRUST.EXAMPLE:80/POLICIES/BUSINESS-CONTINUITY/INDEX.HTM",
                bcp,
            ),
            (
                "https://trust.example/security/../security/policies/business-continuity/",
                bcp,
            ),
            // Protocol-relative, and the slashes a browser reads as such.
            (
                "//trust.example/security/policies/business-continuity/",
                bcp,
            ),
            ("//TRUST.EXAMPLE:443/policies/business-continuity/", bcp),
            (
                "/\\trust.example/security/policies/business-continuity/",
                bcp,
            ),
            (
                "\\\\trust.example/security/policies/business-continuity/",
                bcp,
            ),
            (
                "https:\\\\trust.example\\security\\policies\\business-continuity\\",
                bcp,
            ),
            (
                "https:///trust.example/security/policies/business-continuity/",
                bcp,
            ),
            ("\\security\\policies\\business-continuity\\", bcp),
            // Dot segments, plain and encoded.
            ("/security/./policies/business-continuity/", bcp),
            ("/security/x/../policies/business-continuity/", bcp),
            ("/security/policies/./business-continuity/", bcp),
            ("/security/policies/../policies/business-continuity", bcp),
            ("/security/%2E/policies/business-continuity/", bcp),
            (
                "/security/policies/%2e%2e/policies/business-continuity/",
                bcp,
            ),
            ("/security/x/..%2Fpolicies/business-continuity/", bcp),
            // Percent-encoding.
            (
                "https://trust.example/security/policies/business%2Dcontinuity/",
                bcp,
            ),
            ("/security/%70olicies/business-continuity/", bcp),
            ("/security/policies/business-continuity/%69ndex.html", bcp),
            ("/security/policies/bcp%2Emd", bcp),
            // What a browser strips: spaces around, tabs and line breaks inside.
            (" /security/policies/business-continuity/ ", bcp),
            ("/security/poli\tcies/business-continuity/", bcp),
            ("/security/policies/business-\ncontinuity/", bcp),
            // Evidence file addresses and evidence pages.
            ("/security/evidence/restore-test/restore.txt", evf),
            ("/evidence/restore-test/restore.txt", evf),
            (
                "https://trust.example/security/evidence/restore-test/restore.txt",
                evf,
            ),
            ("//trust.example/evidence/restore-test/restore.txt", evf),
            ("/security/evidence/restore-test/RESTORE.TXT", evf),
            ("/security/evidence/restore%2Dtest/restore%2Etxt", evf),
            ("/security/evidence/restore-test/", ev),
            ("/security/evidence/files/restore.txt", evf),
            ("/evidence/files/restore.txt", evf),
            // Pages that are not items.
            ("/security/", "home"),
            ("https://trust.example/security", "home"),
            ("/security/index.html", "home"),
            ("/security/policies/", "list:policies"),
            ("/policies/index.html", "list:policies"),
            ("/security/evidence/register.yaml", "list:evidence"),
            ("/security/scope/", "scope"),
            ("/scope.md", "scope"),
            ("/security/controls/a-5-1/", "control:A.5.1"),
            ("/security/controls/soa.csv", "static:controls/soa.csv"),
            ("/security/logo.svg", "static:logo.svg"),
            ("/logo.svg", "static:logo.svg"),
            ("/security/static/logo.svg", "static:logo.svg"),
            // A content folder, but nothing there: an error, never published as written.
            ("/security/policies/no-such-policy/", "error"),
            ("/policies/no-such-policy/", "error"),
            ("https://trust.example/policies/no-such-policy/", "error"),
            ("/security/policies/business-continuity/extra/", "error"),
            ("/security/evidence/restore-test/other.txt", "error"),
            ("/security/scope/more/", "error"),
            ("/security/policies/missing.md", "error"),
            ("/security/site.yaml", "error"),
            ("/security/risks/r-1/", "error"),
            // An http(s) URL without `//` is relative on one scheme and a host on the other.
            ("https:policies/business-continuity/", "error"),
            ("http:/security/policies/business-continuity/", "error"),
            // A rooted path means this site (it may be served under a sub-path): one that
            // names nothing here is an error, never published as written.
            ("/", "home"),
            ("/careers", "error"),
            ("/security/careers/", "error"),
            ("/other/policies/business-continuity/", "error"),
            ("/images/missing.svg", "error"),
            ("/privacy-policy/", "error"),
            // Generated pages and files.
            ("/security/traceability/", "traceability"),
            ("/traceability/index.html", "traceability"),
            ("/robots.txt", "static:robots.txt"),
            ("/security/style.css", "static:style.css"),
            ("/security/search-index.json", "static:search-index.json"),
            ("/security/policies/robots.txt", "error"),
            // Old addresses in `redirects:`, in any spelling.
            ("/security-policies/access/", "policy:access-control"),
            ("/security-policies/access", "policy:access-control"),
            (
                "/Security-Policies/Access/index.html",
                "policy:access-control",
            ),
            (
                "/security/security-policies/access/#x",
                "policy:access-control",
            ),
            (
                "https://trust.example/security/security-policies/access/",
                "policy:access-control",
            ),
            ("/old/bcp.html", bcp),
            ("/security-policies/other/", "error"),
            // A policy folder's files, under the policy's page address.
            ("/policies/incident/flow.svg", "policy:incident/flow.svg"),
            (
                "/security/policies/incident/img/a.png",
                "policy:incident/img/a.png",
            ),
            ("/policies/incident/FLOW.SVG", "policy:incident/flow.svg"),
            ("/policies/incident/other.svg", "error"),
            ("/policies/business-continuity/flow.svg", "error"),
            ("incident/flow.svg", "policy:incident/flow.svg"),
            ("incident/index.md", "policy:incident"),
            ("loose.png", "error"),
            // Full URLs of other pages of the host, and other hosts and ports: kept as written.
            ("https://trust.example/careers", "keep"),
            (
                "https://other.example/security/policies/business-continuity/",
                "keep",
            ),
            (
                "https://trust.example:8443/security/policies/business-continuity/",
                "keep",
            ),
            (
                "https://trust.example.other/policies/business-continuity/",
                "keep",
            ),
            ("//other.example/policies/business-continuity/", "keep"),
            ("mailto:security@trust.example", "keep"),
            ("#plan", "keep"),
            // Links by id, and relative links, as before.
            ("policy:business-continuity", bcp),
            ("bcp.md#plan", bcp),
            ("../evidence/files/restore.txt", evf),
            ("policy:no-such-policy", "error"),
        ];
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|(dest, expected)| {
                let got = resolved(&site, dest);
                (got != *expected).then(|| format!("{dest:?}: expected {expected}, got {got}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn a_relative_base_url_recognises_rooted_paths_only() {
        let home = Home::new("/trust/");
        assert_eq!(home.base, vec!["trust".to_string()]);
        let url = |s: &str| Url::parse(s).expect("url");
        assert!(!home.is_own_host(&url("https://trust.example/trust/policies/x/")));
        let rooted = web_url(home.url.as_ref().expect("url"), "/trust/policies/x/", "")
            .expect("no error")
            .expect("a web URL");
        assert!(home.is_own_host(&rooted));
        assert_eq!(decoded_segments(&rooted), ["trust", "policies", "x"]);
    }

    #[test]
    fn url_fields_resolve_like_links_and_refuse_unsafe_schemes() {
        let (_dir, site) = security_site();
        let from = "evidence/register.yaml";
        let check = |url: &str| match site.resolve_url(url, from) {
            Ok(None) => "keep".to_string(),
            Ok(Some((target, _))) => target_name(&site, target),
            Err((rule, _)) => rule.to_string(),
        };
        for (url, expected) in [
            ("javascript:alert(1)", "unsafe-url"),
            ("JavaScript:alert(1)", "unsafe-url"),
            (" javascript:alert(1)", "unsafe-url"),
            ("java\tscript:alert(1)", "unsafe-url"),
            ("vbscript:msgbox", "unsafe-url"),
            ("data:text/html,<script>alert(1)</script>", "unsafe-url"),
            ("ftp://files.example/x", "unsafe-url"),
            ("file:///etc/passwd", "unsafe-url"),
            ("https://auditor.example/report", "keep"),
            ("http://auditor.example/report", "keep"),
            ("mailto:audit@example.com", "keep"),
            ("tel:+441234567", "keep"),
            ("policy:business-continuity", "policy:business-continuity"),
            ("Policy:business-continuity", "policy:business-continuity"),
            (
                "https://trust.example/security/policies/business-continuity/",
                "policy:business-continuity",
            ),
            (
                "/policies/business-continuity/",
                "policy:business-continuity",
            ),
            ("../policies/bcp.md", "policy:business-continuity"),
            ("files/restore.txt", "evidence:restore-test/restore.txt"),
            ("policy:no-such-policy", "broken-link"),
            ("/policies/no-such-policy/", "broken-link"),
            ("polcy:business-continuity", "broken-link"),
        ] {
            assert_eq!(check(url), expected, "{url:?}");
        }
    }
}

//! `Site`: the linked content graph. Every cross-reference is resolved here into indexes both
//! ways (control → policies and policy → controls), so rendering only ever reads.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::cache::Cache;

use crate::catalog::{self, CatalogControl};
use crate::config::Config;
use crate::diagnostic::{Diagnostics, Failed, Pos};
use crate::markdown;
use crate::model::*;
use crate::source::{self, Sources};

/// One Annex A control with its mapping (if any) and everything linked to it.
#[derive(Debug, Clone)]
pub struct Control {
    pub catalog: &'static CatalogControl,
    pub mapping: Option<Mapping>,
    pub policies: Vec<usize>,
    pub evidence: Vec<usize>,
    pub risks: Vec<usize>,
    pub findings: Vec<usize>,
}

/// What a link can point at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Home,
    Scope,
    Item(Collection, usize),
    /// The list page of a collection (a link to a register file).
    List(Collection),
    /// A file under `static/`, by its output path.
    Static(String),
}

/// The whole ISMS, validated and linked.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// "Today" for freshness and overdue logic.
    pub today: Date,
    pub scope: Scope,
    pub policies: Vec<Policy>,
    /// One per catalog control, in catalog order.
    pub controls: Vec<Control>,
    pub evidence: Vec<Evidence>,
    pub risks: Vec<Risk>,
    pub findings: Vec<Finding>,
    pub suppliers: Vec<Supplier>,
    pub static_files: Vec<(String, Vec<u8>)>,
    pub templates: Vec<(String, String)>,
    /// Reverse links, indexed like the collection they start from.
    pub policy_controls: Vec<Vec<usize>>,
    pub policy_findings: Vec<Vec<usize>>,
    pub evidence_controls: Vec<Vec<usize>>,
    pub risk_controls: Vec<Vec<usize>>,
    pub finding_controls: Vec<Vec<usize>>,
    pub finding_policies: Vec<Vec<usize>>,
    ids: HashMap<Collection, HashMap<String, usize>>,
    /// Page address (slug) → item, per collection; the first item wins a clash (an error).
    slugs: HashMap<Collection, HashMap<String, usize>>,
    /// Source file (site-relative) → what a relative link to it means.
    files: BTreeMap<String, Option<Target>>,
    /// Non-fatal findings of loading and linking.
    pub warnings: Diagnostics,
    /// Memo tables shared with the build that made this site (Markdown scans, renders).
    pub cache: Arc<Cache>,
}

/// Loads, validates and links the site at `root`.
pub fn load(root: &Path, today: Date) -> Result<Site, Failed> {
    load_cached(
        root,
        today,
        Classification::Internal,
        Arc::new(Cache::default()),
    )
}

/// `load`, reusing `cache` from earlier builds of the same site (as `serve` does).
/// Evidence files above `audience` are checked but not read (see `source::load_cached`).
pub fn load_cached(
    root: &Path,
    today: Date,
    audience: Classification,
    cache: Arc<Cache>,
) -> Result<Site, Failed> {
    cache.begin();
    let (sources, mut diags) = source::load_cached(root, &cache, audience);
    let site = link(sources, today, &mut diags, cache);
    // The rules run even when loading found errors, so one run shows everything.
    if let Some(site) = &site {
        diags.extend(crate::checks::check(site));
    }
    match site {
        Some(mut site) if !diags.has_errors() => {
            site.warnings = diags;
            Ok(site)
        }
        _ => Err(Failed {
            errors: diags.into_sorted(),
        }),
    }
}

/// Builds the graph from parsed sources; `None` when a required part is missing.
pub fn link(src: Sources, today: Date, diags: &mut Diagnostics, cache: Arc<Cache>) -> Option<Site> {
    let config = src.config?;
    let scope = src.scope?;
    let mut site = Site {
        config,
        today,
        scope,
        controls: catalog::annex_a()
            .iter()
            .map(|c| Control {
                catalog: c,
                mapping: None,
                policies: vec![],
                evidence: vec![],
                risks: vec![],
                findings: vec![],
            })
            .collect(),
        policy_controls: vec![Vec::new(); src.policies.len()],
        policy_findings: vec![Vec::new(); src.policies.len()],
        evidence_controls: vec![Vec::new(); src.evidence.len()],
        risk_controls: vec![Vec::new(); src.risks.len()],
        finding_controls: vec![Vec::new(); src.findings.len()],
        finding_policies: vec![Vec::new(); src.findings.len()],
        policies: src.policies,
        evidence: src.evidence,
        risks: src.risks,
        findings: src.findings,
        suppliers: src.suppliers,
        static_files: src.static_files,
        templates: src.templates,
        ids: HashMap::new(),
        slugs: HashMap::new(),
        files: BTreeMap::new(),
        warnings: Diagnostics::new(),
        cache,
    };
    site.index_ids(diags);
    site.attach_mappings(src.mappings, diags);
    site.link_references(diags);
    site.index_files(&src.files);
    site.check_markdown_links(diags);
    Some(site)
}

impl Site {
    /// The index of an item of `collection` with this id.
    pub fn lookup(&self, collection: Collection, id: &str) -> Option<usize> {
        if collection == Collection::Controls {
            return ControlId::parse(id).and_then(catalog::index_of);
        }
        self.ids.get(&collection)?.get(id).copied()
    }

    /// What each site file means as a link target (an input of link resolution).
    pub fn link_targets(&self) -> &BTreeMap<String, Option<Target>> {
        &self.files
    }

    /// The item whose page lives at `<collection>/<slug>/`.
    pub fn by_slug(&self, collection: Collection, slug: &str) -> Option<usize> {
        if collection == Collection::Controls {
            let i = self
                .controls
                .iter()
                .position(|c| c.catalog.id.slug() == slug)?;
            return Some(i);
        }
        self.slugs.get(&collection)?.get(slug).copied()
    }

    /// The common fields of an item (not for controls, which have no `Common`).
    pub fn common(&self, collection: Collection, i: usize) -> Option<&Common> {
        Some(match collection {
            Collection::Policies => &self.policies.get(i)?.common,
            Collection::Evidence => &self.evidence.get(i)?.common,
            Collection::Risks => &self.risks.get(i)?.common,
            Collection::Findings => &self.findings.get(i)?.common,
            Collection::Suppliers => &self.suppliers.get(i)?.common,
            Collection::Controls => return None,
        })
    }

    /// Resolves a link destination written in the source file `from` (site-relative path).
    /// `Ok(None)` means the link is not ours to resolve (external, mail, in-page anchor).
    pub fn resolve(
        &self,
        dest: &str,
        from: &str,
    ) -> Result<Option<(Target, Option<String>)>, String> {
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (dest, None),
        };
        // A link to one of our own pages by its published address — a full URL under
        // `base_url`, or a root-absolute path — means that page, withheld like any link.
        if let Some(rooted) = self.own_address(path)
            && let Some(target) = self.output_target(rooted)?
        {
            return Ok(Some((target, fragment)));
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
                return Ok(None); // http:, https:, mailto: and other schemes are external
            };
            let id = id.trim();
            return match self.lookup(collection, id) {
                Some(i) => Ok(Some((Target::Item(collection, i), fragment))),
                None if collection == Collection::Controls => Err(format!(
                    "link to unknown control \"{id}\", expected an Annex A id such as A.5.15"
                )),
                None => Err(self.unknown_message(collection, id)),
            };
        }
        if path.is_empty() || path.starts_with("//") {
            return Ok(None);
        }
        let path = path.split('?').next().unwrap_or(path);
        let joined = match path.strip_prefix('/') {
            // A root-absolute path that names a site file means that file, resolved (and
            // withheld) like a relative link; any other is a path on the host, kept as written.
            Some(rooted) if self.files.contains_key(rooted) => rooted.to_string(),
            Some(_) => return Ok(None),
            None => join_relative(from, path).ok_or_else(|| {
                format!("relative link \"{dest}\" points outside the site folder")
            })?,
        };
        match self.files.get(&joined) {
            Some(Some(t)) => Ok(Some((t.clone(), fragment))),
            Some(None) => Err(format!(
                "link to \"{joined}\", a file trustpress does not publish (link to its page instead)"
            )),
            None => Err(format!("link to \"{joined}\", which does not exist")),
        }
    }

    /// The site-root-relative part of `path` if it addresses this site's published pages:
    /// `https://trust.example/policies/x/` (under `base_url`) or `/policies/x/` → `policies/x/`.
    fn own_address<'p>(&self, path: &'p str) -> Option<&'p str> {
        let base = self.config.base_url.trim_end_matches('/');
        if base.contains("://")
            && let Some(rest) = path.strip_prefix(base)
        {
            return Some(rest.strip_prefix('/').unwrap_or(rest));
        }
        let rooted = path.strip_prefix('/').filter(|p| !p.starts_with('/'))?;
        // A base_url with a path (`https://x/trust/`) publishes pages under that path.
        let base_path = base
            .split_once("://")
            .map(|(_, rest)| rest.split_once('/').map_or("", |(_, p)| p))
            .unwrap_or_else(|| base.trim_start_matches('/'));
        match base_path {
            "" => Some(rooted),
            prefix => rooted.strip_prefix(prefix)?.strip_prefix('/').or(Some("")),
        }
    }

    /// What a published address (site-root-relative) is the page of. `Ok(None)`: not a page
    /// address trustpress writes (e.g. a static file, or a path the host serves).
    fn output_target(&self, rooted: &str) -> Result<Option<Target>, String> {
        let path = rooted.split('?').next().unwrap_or(rooted);
        if self.files.contains_key(path) {
            return Ok(None); // a source file: resolved as such below
        }
        let path = path.strip_suffix("index.html").unwrap_or(path);
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let collection = |dir: &str| Collection::ALL.into_iter().find(|c| c.dir() == dir);
        Ok(Some(match parts.as_slice() {
            [] => Target::Home,
            ["scope"] => Target::Scope,
            [dir] => match collection(dir) {
                Some(c) => Target::List(c),
                None => return Ok(None),
            },
            [dir, slug] => match collection(dir) {
                Some(c) => match self.by_slug(c, slug) {
                    Some(i) => Target::Item(c, i),
                    None => {
                        return Err(format!(
                            "link to /{dir}/{slug}/, which is not a page of this site"
                        ));
                    }
                },
                None => return Ok(None),
            },
            _ => return Ok(None),
        }))
    }

    fn unknown_message(&self, collection: Collection, id: &str) -> String {
        let mut msg = format!("unknown {} \"{id}\"", collection.noun());
        if let Some(ids) = self.ids.get(&collection)
            && let Some(s) = crate::diagnostic::suggest(id, ids.keys().map(String::as_str))
        {
            msg.push_str(&format!(" (did you mean \"{s}\"?)"));
        }
        msg
    }

    fn index_ids(&mut self, diags: &mut Diagnostics) {
        let mut register = |collection: Collection, commons: Vec<&Common>| {
            let mut map = HashMap::new();
            let mut first: HashMap<&str, &Pos> = HashMap::new();
            for (i, c) in commons.into_iter().enumerate() {
                if let Some(prev) = first.get(c.id.as_str()) {
                    diags.error(
                        c.pos_of("id").clone(),
                        "duplicate-id",
                        format!(
                            "duplicate {} id \"{}\", first defined at {}:{}",
                            collection.noun(),
                            c.id,
                            prev.path,
                            prev.line
                        ),
                    );
                    continue;
                }
                first.insert(&c.id, c.pos_of("id"));
                map.insert(c.id.clone(), i);
            }
            map
        };
        let ids = [
            (
                Collection::Policies,
                register(
                    Collection::Policies,
                    self.policies.iter().map(|p| &p.common).collect(),
                ),
            ),
            (
                Collection::Evidence,
                register(
                    Collection::Evidence,
                    self.evidence.iter().map(|p| &p.common).collect(),
                ),
            ),
            (
                Collection::Risks,
                register(
                    Collection::Risks,
                    self.risks.iter().map(|p| &p.common).collect(),
                ),
            ),
            (
                Collection::Findings,
                register(
                    Collection::Findings,
                    self.findings.iter().map(|p| &p.common).collect(),
                ),
            ),
            (
                Collection::Suppliers,
                register(
                    Collection::Suppliers,
                    self.suppliers.iter().map(|p| &p.common).collect(),
                ),
            ),
        ];
        self.ids = ids.into_iter().collect();
        for collection in Collection::ALL {
            let mut map = HashMap::new();
            for i in 0..self.len(collection) {
                if let Some(c) = self.common(collection, i) {
                    map.entry(c.slug.clone()).or_insert(i);
                }
            }
            self.slugs.insert(collection, map);
        }
        self.check_slugs(diags);
    }

    /// Two ids that slug alike would write the same page: report it instead of overwriting.
    fn check_slugs(&self, diags: &mut Diagnostics) {
        for collection in Collection::ALL {
            let mut seen: HashMap<&str, &Common> = HashMap::new();
            let commons: Vec<&Common> = (0..self.len(collection))
                .filter_map(|i| self.common(collection, i))
                .collect();
            for c in commons {
                if c.slug.is_empty() {
                    diags.error(
                        c.pos_of("id").clone(),
                        "invalid-id",
                        format!("id \"{}\" needs at least one letter or digit", c.id),
                    );
                } else if c.slug.len() > MAX_SLUG_LEN {
                    diags.error(
                        c.pos_of("id").clone(),
                        "invalid-id",
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
                            "duplicate-id",
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

    fn attach_mappings(&mut self, mappings: Vec<Mapping>, diags: &mut Diagnostics) {
        for m in mappings {
            let Some(ci) = catalog::index_of(m.control) else {
                continue;
            };
            if let Some(prev) = &self.controls[ci].mapping {
                diags.error(
                    m.pos.clone(),
                    "duplicate-mapping",
                    format!(
                        "control {} is mapped twice, first at {}:{}",
                        m.control, prev.pos.path, prev.pos.line
                    ),
                );
                // Still report its broken references: one run should show every problem.
                self.check_refs(&m, diags);
                continue;
            }
            self.controls[ci].mapping = Some(m);
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
                    "unknown-reference",
                    self.unknown_message(collection, &r.id),
                );
            }
        }
    }

    /// Resolves every id reference in list fields and records the link both ways.
    fn link_references(&mut self, diags: &mut Diagnostics) {
        let mut edges: Vec<(usize, Collection, usize)> = Vec::new(); // control, collection, item
        let mut finding_policy: Vec<(usize, usize)> = Vec::new();
        let resolve = |site: &Site, collection: Collection, r: &Ref, diags: &mut Diagnostics| {
            let found = site.lookup(collection, &r.id);
            if found.is_none() {
                diags.error(
                    r.pos.clone(),
                    "unknown-reference",
                    site.unknown_message(collection, &r.id),
                );
            }
            found
        };
        for (ci, c) in self.controls.iter().enumerate() {
            let Some(m) = &c.mapping else { continue };
            for (collection, refs) in [
                (Collection::Policies, &m.policies),
                (Collection::Evidence, &m.evidence),
                (Collection::Risks, &m.risks),
            ] {
                for r in refs {
                    if let Some(i) = resolve(self, collection, r, diags) {
                        edges.push((ci, collection, i));
                    }
                }
            }
        }
        let control_index = |r: &ControlRef| catalog::index_of(r.id);
        for (pi, p) in self.policies.iter().enumerate() {
            edges.extend(
                p.controls
                    .iter()
                    .filter_map(control_index)
                    .map(|ci| (ci, Collection::Policies, pi)),
            );
        }
        for (ri, r) in self.risks.iter().enumerate() {
            edges.extend(
                r.controls
                    .iter()
                    .filter_map(control_index)
                    .map(|ci| (ci, Collection::Risks, ri)),
            );
        }
        for (fi, f) in self.findings.iter().enumerate() {
            edges.extend(
                f.controls
                    .iter()
                    .filter_map(control_index)
                    .map(|ci| (ci, Collection::Findings, fi)),
            );
            for r in &f.policies {
                if let Some(pi) = resolve(self, Collection::Policies, r, diags) {
                    finding_policy.push((fi, pi));
                }
            }
        }
        for (ci, collection, i) in edges {
            let c = &mut self.controls[ci];
            let (forward, back) = match collection {
                Collection::Policies => (&mut c.policies, &mut self.policy_controls[i]),
                Collection::Evidence => (&mut c.evidence, &mut self.evidence_controls[i]),
                Collection::Risks => (&mut c.risks, &mut self.risk_controls[i]),
                Collection::Findings => (&mut c.findings, &mut self.finding_controls[i]),
                _ => continue,
            };
            forward.push(i);
            back.push(ci);
        }
        for (fi, pi) in finding_policy {
            self.finding_policies[fi].push(pi);
            self.policy_findings[pi].push(fi);
        }
        let tidy = |v: &mut Vec<usize>| {
            v.sort_unstable();
            v.dedup();
        };
        for c in &mut self.controls {
            for v in [
                &mut c.policies,
                &mut c.evidence,
                &mut c.risks,
                &mut c.findings,
            ] {
                tidy(v);
            }
        }
        for lists in [
            &mut self.policy_controls,
            &mut self.policy_findings,
            &mut self.evidence_controls,
            &mut self.risk_controls,
            &mut self.finding_controls,
            &mut self.finding_policies,
        ] {
            lists.iter_mut().for_each(tidy);
        }
    }

    /// What a relative link to each file of the site means.
    fn index_files(&mut self, files: &std::collections::BTreeSet<String>) {
        let mut map: BTreeMap<String, Option<Target>> =
            files.iter().map(|f| (f.clone(), None)).collect();
        map.insert("scope.md".into(), Some(Target::Scope));
        for (i, p) in self.policies.iter().enumerate() {
            map.insert(
                p.common.pos.path.clone(),
                Some(Target::Item(Collection::Policies, i)),
            );
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
        for (i, e) in self.evidence.iter().enumerate() {
            if let Some(file) = &e.file {
                map.insert(
                    file.source.clone(),
                    Some(Target::Item(Collection::Evidence, i)),
                );
            }
        }
        self.files = map;
    }

    /// Every Markdown text in the site with the file it belongs to.
    pub fn markdown_texts(&self) -> Vec<&Markdown> {
        let mut out: Vec<&Markdown> = vec![&self.scope.body];
        for p in &self.policies {
            out.push(&p.body);
        }
        for c in &self.controls {
            out.extend(c.mapping.as_ref().and_then(|m| m.notes.as_ref()));
        }
        for e in &self.evidence {
            out.extend(e.description.iter().chain(&e.common.notes));
        }
        for r in &self.risks {
            out.extend(&r.common.notes);
        }
        for f in &self.findings {
            out.extend(
                f.description
                    .iter()
                    .chain(&f.root_cause)
                    .chain(&f.corrective_action)
                    .chain(&f.common.notes),
            );
        }
        for s in &self.suppliers {
            out.extend(&s.common.notes);
        }
        out
    }

    fn check_markdown_links(&self, diags: &mut Diagnostics) {
        for md in self.markdown_texts() {
            for link in self.cache.links(&md.text).iter() {
                if let Err(e) = self.resolve(&link.dest, &md.pos.path) {
                    diags.error(markdown::position(md, link), "broken-link", e);
                }
            }
        }
    }
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
}

//! The edition: the linked `Site` as one audience may see it, built once per build. It is the
//! only code in the render path that reads the site's collections and decides visibility:
//! hidden items are absent, items "available on request" are an `Entry::OnRequest` holding
//! their title only, relations come filtered with the count of those left out, and counts,
//! coverage and gaps are computed here. Page builders receive an `Edition` and cannot reach
//! the `Site` it was made from (the field is private).

mod attachments;
mod links;
pub mod route;
pub mod visibility;

#[cfg(test)]
mod tests;

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::config::CONFIG_FILE;
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, Rendered};
use crate::model::*;
use crate::site::{self, Key, Site};
pub use crate::site::{
    ControlKey, EvidenceKey, FindingKey, ItemKey, PolicyKey, RiskKey, SupplierKey,
};
pub use links::{PageLinks, UrlField};
use route::Route;
use visibility::{Access, counts_as_restricted, item_access, policy_access};

/// The site for one audience.
pub struct Edition<'s> {
    site: &'s Site,
    md: &'s markdown::Renderer,
    pub audience: Audience,
    /// "Today" for freshness and overdue logic.
    pub today: Date,
    pub info: SiteInfo,
    pub scope: ScopeView<'s>,
    pub policies: Register<PolicyKey, Policy<'s>>,
    /// Every control of the catalog, in catalog order (the catalog is public).
    pub controls: Vec<Control<'s>>,
    pub evidence: Register<EvidenceKey, Evidence<'s>>,
    pub risks: Register<RiskKey, Risk<'s>>,
    pub findings: Register<FindingKey, Finding<'s>>,
    pub suppliers: Register<SupplierKey, Supplier<'s>>,
    /// The sections this edition has (`site.yaml` `editions:`, else the defaults).
    pub sections: Sections,
    /// The headline figures, over every applicable control of the site whatever this reader
    /// may see of each (the aggregate is what the certificate claims): the same in every
    /// edition.
    pub coverage: Coverage,
    pub gaps: Gaps,
    /// The internal home page's work queue, most urgent first (empty below internal).
    pub work_queue: Vec<WorkGroup>,
    /// A hash of everything a Markdown link can resolve to for this audience: part of the key
    /// of cached rendered Markdown, so a change anywhere in it re-renders.
    link_env: u64,
}

/// An item of a register as this reader may see it. Hidden items have no entry at all.
#[derive(Debug, Clone)]
pub enum Entry<T> {
    Published(T),
    /// "Available on request": its title, and nothing else (not even its id: the request
    /// link names the item by its title).
    OnRequest {
        title: String,
    },
}

impl<T> Entry<T> {
    pub fn published(&self) -> Option<&T> {
        match self {
            Entry::Published(item) => Some(item),
            Entry::OnRequest { .. } => None,
        }
    }
}

/// One collection of the edition: its entries in source order, and how many of its hidden
/// items lists may count as available on request.
#[derive(Debug)]
pub struct Register<K, T> {
    entries: Vec<(K, Entry<T>)>,
    /// Each key's entry, by the key's index (`NONE`: not in this edition): keys are dense
    /// indexes into their collection, so a vector is the table, with nothing to hash.
    at: Vec<u32>,
    /// The first published entry of each slug, by the slug's hash (`slug_hash`): no slug is
    /// copied. `by_slug` checks the entry's slug, and looks further when two slugs share a hash.
    slugs: HashMap<u64, u32>,
    /// Hidden items counted on the list page ("and 3 more on request"), without names.
    pub restricted: usize,
}

/// The hash `Register::slugs` files a slug under.
fn slug_hash(slug: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(slug)
}

/// `Register::at`'s mark for a key with no entry.
const NONE: u32 = u32::MAX;

impl<I, T: Published> Register<Key<I>, T> {
    fn new(entries: Vec<(Key<I>, Entry<T>)>, restricted: usize) -> Self {
        let len = entries
            .iter()
            .map(|(k, _)| k.index() + 1)
            .max()
            .unwrap_or(0);
        let mut at = vec![NONE; len];
        for (i, (k, _)) in entries.iter().enumerate() {
            // An edition holds fewer than four billion entries (see `Key::new`).
            if let (Some(slot), Ok(i)) = (at.get_mut(k.index()), u32::try_from(i)) {
                *slot = i;
            }
        }
        let mut slugs = HashMap::with_capacity_and_hasher(entries.len(), Default::default());
        for (i, (_, entry)) in entries.iter().enumerate() {
            if let (Entry::Published(item), Ok(i)) = (entry, u32::try_from(i)) {
                slugs.entry(slug_hash(item.slug())).or_insert(i);
            }
        }
        Register {
            entries,
            at,
            slugs,
            restricted,
        }
    }

    /// Every entry, published or on request, in source order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry<T>> + '_ {
        self.entries.iter().map(|(_, e)| e)
    }

    /// The published items, in source order.
    pub fn published(&self) -> impl Iterator<Item = &T> + '_ {
        self.entries().filter_map(Entry::published)
    }

    /// The published items with their keys, in source order.
    pub fn iter_published(&self) -> impl Iterator<Item = (Key<I>, &T)> + '_ {
        self.entries
            .iter()
            .filter_map(|(k, e)| Some((*k, e.published()?)))
    }

    /// The entry of `key`; `None` when the item is hidden from this reader.
    pub fn get(&self, key: Key<I>) -> Option<&Entry<T>> {
        let i = *self.at.get(key.index()).filter(|&&i| i != NONE)?;
        self.entries.get(i as usize).map(|(_, e)| e)
    }

    /// The keys of `relation` whose items this edition publishes (not those on request), in
    /// the relation's order.
    pub fn published_keys<'a>(
        &'a self,
        relation: &'a Relation<Key<I>>,
    ) -> impl Iterator<Item = Key<I>> + 'a {
        relation
            .keys
            .iter()
            .copied()
            .filter(|k| self.get(*k).and_then(Entry::published).is_some())
    }

    /// The published item whose page is at `slug`.
    pub fn by_slug(&self, slug: &str) -> Option<&T> {
        // No entry's slug has this hash: none has this slug.
        let i = *self.slugs.get(&slug_hash(slug))?;
        match self
            .entries
            .get(i as usize)
            .and_then(|(_, e)| e.published())
        {
            Some(item) if item.slug() == slug => Some(item),
            // Another slug with the same hash came first: look for this one in order.
            _ => self.published().find(|item| item.slug() == slug),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Links from an item to items of one kind that this reader may see (published or on
/// request), and how many links were left out.
#[derive(Debug, Clone)]
pub struct Relation<K> {
    pub keys: Vec<K>,
    pub restricted: usize,
    /// Of those left out, the documents (approved policies, evidence) the reader could ask
    /// for: left out for their classification or because this edition has no such section,
    /// not because they are drafts or because a hidden mapping names them.
    pub requestable: usize,
}

impl<K> Relation<K> {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// What every published item can say about itself.
pub trait Published {
    fn id(&self) -> &str;
    fn slug(&self) -> &str;
    fn title(&self) -> &str;
    fn route(&self) -> Route;
}

/// Markdown text of a published item. Opaque: pages render it through the edition (which
/// resolves its links for the reader) and never see its source, whose link destinations may
/// name hidden items.
#[derive(Debug, Clone, Copy)]
pub struct Text<'s>(&'s Markdown);

impl Text<'_> {
    /// Which text this is, for the length of a render: two `Text`s of the same key are the
    /// same source text (they point at it in the site), so what was rendered from one serves
    /// for the other.
    pub fn key(self) -> TextKey {
        TextKey(std::ptr::from_ref(self.0) as usize)
    }
}

/// The identity of a `Text` while the edition lives (see `Text::key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextKey(usize);

/// The site's settings, with URL fields resolved for this reader.
#[derive(Debug, Clone)]
pub struct SiteInfo {
    pub title: String,
    pub organisation: String,
    pub contact_email: Option<String>,
    pub website: Option<UrlField>,
    pub language: String,
    pub description: Option<String>,
    pub base_url: String,
    pub highlight_theme: String,
    /// The certificates held, in the order `site.yaml` lists them.
    pub certificates: Vec<Certificate>,
    /// The request form (`requests.url`), an absolute http(s) address.
    pub requests_url: Option<String>,
    pub hosting_regions: Vec<String>,
    /// Whether pages may say how many further documents are available on request.
    pub show_restricted_counts: bool,
    /// Logo, favicon, accent and extra stylesheet: files of `static/`, which every edition
    /// publishes anyway.
    pub brand: crate::config::Brand,
}

#[derive(Debug, Clone)]
pub struct Certificate {
    pub status: CertificateStatus,
    pub reference: Option<String>,
    pub certification_body: Option<String>,
    pub accreditation_body: Option<String>,
    pub issued: Option<Date>,
    pub expires: Option<Date>,
    pub register_url: Option<UrlField>,
    pub standard: Option<String>,
}

/// The scope statement (always public), with its body opaque like any Markdown.
#[derive(Debug, Clone)]
pub struct ScopeView<'s> {
    pub title: &'s str,
    pub legal_entity: Option<&'s str>,
    pub services: &'s [String],
    pub locations: &'s [String],
    pub hosted_environments: &'s [String],
    pub exclusions: &'s [Exclusion],
    pub assumptions: &'s [String],
    pub updated: Option<Date>,
    pub body: Text<'s>,
}

#[derive(Debug, Clone)]
pub struct Policy<'s> {
    pub id: &'s str,
    pub slug: &'s str,
    pub title: &'s str,
    pub owner: &'s str,
    pub version: &'s str,
    pub status: PolicyStatus,
    pub classification: Classification,
    pub approved: Option<Date>,
    pub approved_by: Option<&'s str>,
    pub review_by: Option<Date>,
    pub summary: Option<&'s str>,
    pub tags: &'s [String],
    pub history: &'s [Revision],
    pub extra: Option<&'s serde_json::Value>,
    pub body: Text<'s>,
    pub controls: Relation<ControlKey>,
    pub findings: Relation<FindingKey>,
}

/// A catalog control, with its assessment as far as this reader may see it.
#[derive(Debug, Clone)]
pub struct Control<'s> {
    pub key: ControlKey,
    pub id: ControlId,
    pub slug: String,
    pub title: &'static str,
    pub theme: &'static str,
    pub assessment: Assessment<'s>,
    pub policies: Relation<PolicyKey>,
    pub evidence: Relation<EvidenceKey>,
    pub risks: Relation<RiskKey>,
    pub findings: Relation<FindingKey>,
}

#[derive(Debug, Clone)]
pub enum Assessment<'s> {
    /// No mapping names the control.
    NotAssessed,
    /// A mapping exists but is classified above this reader.
    Withheld,
    Published(Mapping<'s>),
}

#[derive(Debug, Clone)]
pub struct Mapping<'s> {
    pub applicable: bool,
    pub status: Option<ControlStatus>,
    pub justification: Option<&'s str>,
    pub owner: Option<&'s str>,
    pub notes: Option<Text<'s>>,
}

impl<'s> Control<'s> {
    pub fn mapping(&self) -> Option<&Mapping<'s>> {
        match &self.assessment {
            Assessment::Published(m) => Some(m),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Evidence<'s> {
    pub id: &'s str,
    pub slug: &'s str,
    pub title: &'s str,
    pub kind: Option<EvidenceKind>,
    pub owner: Option<&'s str>,
    pub collected: Option<Date>,
    pub expires: Option<Date>,
    pub classification: Classification,
    pub url: Option<UrlField>,
    pub file: Option<File<'s>>,
    pub description: Option<Text<'s>>,
    pub notes: Option<Text<'s>>,
    pub controls: Relation<ControlKey>,
}

/// An evidence item's file: its name and, when this build read it, its bytes.
#[derive(Debug, Clone, Copy)]
pub struct File<'s> {
    pub name: &'s str,
    pub bytes: Option<&'s [u8]>,
}

#[derive(Debug, Clone)]
pub struct Risk<'s> {
    pub id: &'s str,
    pub slug: &'s str,
    pub title: &'s str,
    pub asset: Option<&'s str>,
    pub threat: Option<&'s str>,
    pub vulnerability: Option<&'s str>,
    pub likelihood: Option<u8>,
    pub impact: Option<u8>,
    pub treatment: Option<Treatment>,
    pub owner: Option<&'s str>,
    pub residual_likelihood: Option<u8>,
    pub residual_impact: Option<u8>,
    pub review_by: Option<Date>,
    pub status: Option<RiskStatus>,
    pub classification: Classification,
    pub notes: Option<Text<'s>>,
    pub controls: Relation<ControlKey>,
}

#[derive(Debug, Clone)]
pub struct Finding<'s> {
    pub id: &'s str,
    pub slug: &'s str,
    pub title: &'s str,
    pub kind: Option<FindingKind>,
    pub source: Option<&'s str>,
    pub raised: Option<Date>,
    pub owner: Option<&'s str>,
    pub due: Option<Date>,
    pub status: Option<FindingStatus>,
    pub closed: Option<Date>,
    pub classification: Classification,
    pub description: Option<Text<'s>>,
    pub root_cause: Option<Text<'s>>,
    pub corrective_action: Option<Text<'s>>,
    pub notes: Option<Text<'s>>,
    pub controls: Relation<ControlKey>,
    pub policies: Relation<PolicyKey>,
}

impl Finding<'_> {
    /// Open means not closed, and not a strength (which needs no action).
    pub fn is_open(&self) -> bool {
        self.status != Some(FindingStatus::Closed) && self.kind != Some(FindingKind::Strength)
    }
}

#[derive(Debug, Clone)]
pub struct Supplier<'s> {
    pub id: &'s str,
    pub slug: &'s str,
    pub name: &'s str,
    pub service: Option<&'s str>,
    pub data: Option<&'s str>,
    pub location: Option<&'s str>,
    pub subprocessor: bool,
    pub assurance: &'s [String],
    pub reviewed: Option<Date>,
    pub risk: Option<RiskLevel>,
    pub classification: Classification,
    pub notes: Option<Text<'s>>,
}

macro_rules! published {
    ($t:ident, $collection:ident, $title:ident) => {
        impl Published for $t<'_> {
            fn id(&self) -> &str {
                self.id
            }
            fn slug(&self) -> &str {
                self.slug
            }
            fn title(&self) -> &str {
                self.$title
            }
            fn route(&self) -> Route {
                Route::Item(Collection::$collection, self.slug.to_string())
            }
        }
    };
}

published!(Policy, Policies, title);
published!(Evidence, Evidence, title);
published!(Risk, Risks, title);
published!(Finding, Findings, title);
published!(Supplier, Suppliers, name);

impl Control<'_> {
    /// The title readers know a control by: "A.5.1 Policies for information security".
    pub fn full_title(&self) -> String {
        format!("{} {}", self.id, self.title)
    }

    pub fn route(&self) -> Route {
        Route::Item(Collection::Controls, self.slug.clone())
    }
}

/// The Statement of Applicability's figures, from what this reader may see.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Coverage {
    pub total: usize,
    pub applicable: usize,
    pub implemented: usize,
    pub partial: usize,
    pub planned: usize,
    pub not_implemented: usize,
    pub not_applicable: usize,
    pub not_assessed: usize,
    pub percent: usize,
}

/// One kind of open work on the internal home page, with its items (most urgent first).
#[derive(Debug, Clone)]
pub struct WorkGroup {
    pub kind: WorkKind,
    pub items: Vec<(ItemKey, Option<Date>)>,
}

/// The kinds of work, in order of urgency: dates that have passed before dates to come,
/// coverage gaps last (the order of `check`'s ranks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WorkKind {
    OverdueFindings,
    ExpiredEvidence,
    OverdueReviews,
    OverdueRiskReviews,
    ExpiringEvidence,
    NoPolicy,
    NoEvidence,
}

/// The traceability gaps, judged from what this reader can see: a policy the matrix does not
/// show cannot close a gap on the same page (an item on request still does, as the reader
/// knows it exists).
#[derive(Debug, Clone, Default)]
pub struct Gaps {
    pub not_assessed: Vec<ControlKey>,
    pub no_policy: Vec<ControlKey>,
    pub no_evidence: Vec<ControlKey>,
    /// Controls with published evidence past its expiry date, and that evidence.
    pub expired_evidence: Vec<(ControlKey, Vec<EvidenceKey>)>,
}

impl<'s> Edition<'s> {
    /// The edition of `site` for `audience`; Markdown is rendered with `md` when asked for.
    pub fn new(site: &'s Site, audience: Audience, md: &'s markdown::Renderer) -> Self {
        let sections = sections_of(&site.config, audience);
        let v = Visibility {
            site,
            audience,
            sections,
        };
        // The registers (each item with its relations), the controls and the link
        // fingerprint read only the site and the visibility rules, so they are made side by
        // side, the larger registers in parallel within: a core done with its own work (in
        // `serve`, the audit rules beside the edition) takes some of them. Each comes out in
        // source order whichever core made it.
        // The internal home page's work queue, from the site alone.
        let work_queue = || match audience {
            Audience::Internal => work_queue(&crate::checks::attention(site)),
            _ => Vec::new(),
        };
        let (
            (policies, (evidence, (risks, work_queue))),
            ((findings, suppliers), (controls, link_env)),
        ) = rayon::join(
            || {
                rayon::join(
                    || v.policies(),
                    || rayon::join(|| v.evidence(), || rayon::join(|| v.risks(), work_queue)),
                )
            },
            || {
                rayon::join(
                    || rayon::join(|| v.findings(), || v.suppliers()),
                    || rayon::join(|| v.controls(), || v.link_fingerprint(md)),
                )
            },
        );
        let mut edition = Edition {
            site,
            md,
            audience,
            today: site.today,
            info: SiteInfo {
                title: String::new(),
                organisation: String::new(),
                contact_email: None,
                website: None,
                language: String::new(),
                description: None,
                base_url: String::new(),
                highlight_theme: String::new(),
                certificates: Vec::new(),
                requests_url: None,
                hosting_regions: Vec::new(),
                show_restricted_counts: false,
                brand: Default::default(),
            },
            scope: scope_view(&site.scope),
            policies,
            controls,
            evidence,
            risks,
            findings,
            suppliers,
            sections,
            coverage: coverage(site),
            gaps: Gaps::default(),
            work_queue,
            link_env,
        };
        edition.fill();
        edition
    }

    /// The Markdown renderer's setting for raw HTML, and everything else a page's Markdown
    /// depends on, goes into this key of the rendered-Markdown cache.
    /// A text left in its file (`Markdown::store`) is read again here, and is an error when the
    /// file changed since it was loaded.
    pub fn markdown(&self, text: Text, root: &str) -> Result<Arc<Rendered>, Diagnostic> {
        let md = text.0;
        let key = crate::cache::hash(&(
            md.text_hash(),
            &md.pos.path,
            root,
            self.audience,
            self.link_env,
        ));
        let cache = &self.site.cache;
        if let Some(rendered) = cache.rendered.get(&key, cache.generation()) {
            return Ok(rendered);
        }
        let source = md.text()?;
        Ok(cache.rendered.get_or(key, cache.generation(), || {
            Arc::new(self.md.render(&source, &self.page_links(md, root)))
        }))
    }

    /// How links in `md` resolve on a page at `root`.
    fn page_links<'a>(&'a self, md: &'a Markdown, root: &'a str) -> PageLinks<'a, 's> {
        let known = md
            .resolved_for(self.site.resolve_env())
            .map(|resolved| links::KnownLinks {
                links: Arc::clone(md.links()),
                resolved,
            });
        PageLinks {
            edition: self,
            root,
            from: &md.pos.path,
            known,
        }
    }

    /// `text` rendered as on a page at `root` but with code blocks unhighlighted, not cached:
    /// for the search index, which keeps only its words.
    pub fn markdown_unhighlighted(&self, text: Text, root: &str) -> Result<String, Diagnostic> {
        let md = text.0;
        Ok(self
            .md
            .render_unhighlighted(&md.text()?, &self.page_links(md, root))
            .html)
    }

    /// The site's `static/` files, which every audience gets.
    pub fn static_files(&self) -> &'s [(String, Vec<u8>)] {
        &self.site.static_files
    }

    pub fn control(&self, key: ControlKey) -> Option<&Control<'s>> {
        self.controls.get(key.index())
    }

    /// Whether a register has anything this reader can see (else it gets no page, tab or
    /// card): an entry, or for documents a count of those available on request.
    pub fn shows(&self, collection: Collection) -> bool {
        self.has(Section::of(collection))
            && match collection {
                // The policy list is the trust center's core: written even when empty.
                Collection::Policies | Collection::Controls => true,
                Collection::Evidence => !self.evidence.is_empty() || self.evidence.restricted > 0,
                Collection::Risks => !self.risks.is_empty(),
                Collection::Findings => !self.findings.is_empty(),
                Collection::Suppliers => !self.suppliers.is_empty(),
            }
    }

    /// Whether this edition has `section`.
    pub fn has(&self, section: Section) -> bool {
        self.sections.contains(section)
    }

    /// Whether this edition writes the file of `route`: a page of a section it does not have
    /// is not written, and neither is a register's list with nothing in it. (Whether an item
    /// is published is its register's business.)
    pub fn writes(&self, route: &Route) -> bool {
        match route {
            Route::Scope => self.has(Section::Scope),
            Route::Traceability => self.has(Section::Traceability),
            Route::Soa => self.has(Section::Controls),
            Route::List(c) => self.shows(*c),
            Route::Item(c, _) => self.writes_in(*c),
            Route::EvidenceFile(..) => self.writes_in(Collection::Evidence),
            Route::PolicyFile(..) => self.writes_in(Collection::Policies),
            _ => true,
        }
    }

    /// Whether this edition writes the pages of items of `collection`, and the files beside
    /// them (`writes` of their routes, which does not depend on the item).
    pub fn writes_in(&self, collection: Collection) -> bool {
        self.has(Section::of(collection))
    }

    /// The title of an item this reader may see (published or on request).
    pub fn title_of(&self, key: ItemKey) -> Option<String> {
        fn title<I, T: Published>(r: &Register<Key<I>, T>, key: Key<I>) -> Option<String> {
            Some(match r.get(key)? {
                Entry::Published(item) => item.title().to_string(),
                Entry::OnRequest { title } => title.clone(),
            })
        }
        match key {
            ItemKey::Policy(k) => title(&self.policies, k),
            ItemKey::Control(k) => self.control(k).map(Control::full_title),
            ItemKey::Evidence(k) => title(&self.evidence, k),
            ItemKey::Risk(k) => title(&self.risks, k),
            ItemKey::Finding(k) => title(&self.findings, k),
            ItemKey::Supplier(k) => title(&self.suppliers, k),
        }
    }

    /// The page of an item, if this reader may open it.
    pub fn published_route(&self, key: ItemKey) -> Option<Route> {
        fn route<I, T: Published>(r: &Register<Key<I>, T>, key: Key<I>) -> Option<Route> {
            r.get(key)?.published().map(Published::route)
        }
        match key {
            ItemKey::Policy(k) => route(&self.policies, k),
            ItemKey::Control(k) => self.control(k).map(Control::route),
            ItemKey::Evidence(k) => route(&self.evidence, k),
            ItemKey::Risk(k) => route(&self.risks, k),
            ItemKey::Finding(k) => route(&self.findings, k),
            ItemKey::Supplier(k) => route(&self.suppliers, k),
        }
        .filter(|r| self.writes(r))
    }

    /// What is judged against the registers: URL fields, the site's settings, gaps.
    fn fill(&mut self) {
        use rayon::prelude::*;
        let site = self.site;
        // URL fields may name any item, evidence included: resolved once every register is
        // in place.
        let urls: Vec<Option<UrlField>> = self
            .evidence
            .entries
            .par_iter()
            .with_min_len(MIN_TASK)
            .map(|(key, entry)| {
                entry.published()?;
                let node = &site.evidence[*key];
                let url = node.url.as_deref()?;
                Some(self.url_field(url, &node.common.pos.path, Some(&node.item)))
            })
            .collect();
        for ((_, entry), url) in self.evidence.entries.iter_mut().zip(urls) {
            if let Entry::Published(e) = entry {
                e.url = url;
            }
        }
        // Last, as a URL field may name any item.
        let c = &site.config;
        self.info = SiteInfo {
            title: c.title.clone(),
            organisation: c.organisation.name.clone(),
            contact_email: c.organisation.contact_email.clone(),
            website: c
                .organisation
                .website
                .as_deref()
                .map(|url| self.url_field(url, CONFIG_FILE, None)),
            language: c.language.clone(),
            description: c.description.clone(),
            base_url: c.base_url.clone(),
            highlight_theme: c.highlight_theme.clone(),
            requests_url: c.requests_url.clone(),
            hosting_regions: c.hosting_regions.clone(),
            show_restricted_counts: c.show_restricted_counts,
            brand: c.brand.clone(),
            certificates: c
                .certificates
                .iter()
                .map(|cert| Certificate {
                    status: cert.status,
                    reference: cert.reference.clone(),
                    certification_body: cert.certification_body.clone(),
                    accreditation_body: cert.accreditation_body.clone(),
                    issued: cert.issued,
                    expires: cert.expires,
                    register_url: cert
                        .register_url
                        .as_deref()
                        .map(|url| self.url_field(url, CONFIG_FILE, None)),
                    standard: cert.standard.clone(),
                })
                .collect(),
        };
        self.gaps = self.gaps();
    }

    fn gaps(&self) -> Gaps {
        let mut gaps = Gaps::default();
        for c in &self.controls {
            match &c.assessment {
                Assessment::NotAssessed => {
                    gaps.not_assessed.push(c.key);
                    continue;
                }
                Assessment::Published(m) if m.applicable => {}
                _ => continue,
            }
            if c.policies.is_empty() {
                gaps.no_policy.push(c.key);
            }
            if c.evidence.is_empty() {
                gaps.no_evidence.push(c.key);
            }
            let expired: Vec<EvidenceKey> = c
                .evidence
                .keys
                .iter()
                .copied()
                .filter(|k| {
                    self.evidence
                        .get(*k)
                        .and_then(Entry::published)
                        .is_some_and(|e| e.expires.is_some_and(|d| d < self.today))
                })
                .collect();
            if !expired.is_empty() {
                gaps.expired_evidence.push((c.key, expired));
            }
        }
        gaps
    }
}

/// The headline figures over every control of the site: an aggregate of every mapping,
/// restricted ones included, so every edition states the same coverage. Which controls have
/// which status is the detail the SoA shows as far as the reader may see it.
fn coverage(site: &Site) -> Coverage {
    let mut c = Coverage {
        total: site.controls.len(),
        ..Coverage::default()
    };
    for control in site.controls.items() {
        let Some(m) = &control.mapping else {
            c.not_assessed += 1;
            continue;
        };
        if !m.applicable {
            c.not_applicable += 1;
            continue;
        }
        c.applicable += 1;
        match m.status {
            Some(ControlStatus::Implemented) => c.implemented += 1,
            Some(ControlStatus::PartiallyImplemented) => c.partial += 1,
            Some(ControlStatus::Planned) => c.planned += 1,
            Some(ControlStatus::NotImplemented) | None => c.not_implemented += 1,
        }
    }
    c.percent = (c.implemented * 100).checked_div(c.applicable).unwrap_or(0);
    c
}

/// The sections of the edition for `audience`. Traceability is a view of the controls: an
/// edition without `controls` has no traceability page either.
fn sections_of(config: &crate::config::Config, audience: Audience) -> Sections {
    let listed = config.sections(audience);
    Section::ALL
        .iter()
        .copied()
        .filter(|s| listed.contains(*s))
        .filter(|s| *s != Section::Traceability || listed.contains(Section::Controls))
        .collect()
}

/// The work queue from the facts `check` warns about: each kind with its items, oldest date
/// first; kinds with nothing to do are left out.
fn work_queue(a: &crate::checks::Attention) -> Vec<WorkGroup> {
    fn dated<K: Copy + Into<ItemKey>>(items: &[(K, Date)]) -> Vec<(ItemKey, Option<Date>)> {
        let mut out: Vec<(ItemKey, Option<Date>)> =
            items.iter().map(|(k, d)| ((*k).into(), Some(*d))).collect();
        out.sort_by_key(|(_, d)| *d);
        out
    }
    let undated = |keys: &[ControlKey]| keys.iter().map(|k| ((*k).into(), None)).collect();
    let groups = [
        (WorkKind::OverdueFindings, dated(&a.overdue_findings)),
        (WorkKind::ExpiredEvidence, dated(&a.expired_evidence)),
        (WorkKind::OverdueReviews, dated(&a.overdue_reviews)),
        (WorkKind::OverdueRiskReviews, dated(&a.overdue_risk_reviews)),
        (WorkKind::ExpiringEvidence, dated(&a.expiring_evidence)),
        (WorkKind::NoPolicy, undated(&a.no_policy)),
        (WorkKind::NoEvidence, undated(&a.no_evidence)),
    ];
    groups
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(kind, items)| WorkGroup { kind, items })
        .collect()
}

fn scope_view(s: &Scope) -> ScopeView<'_> {
    ScopeView {
        title: &s.title,
        legal_entity: s.legal_entity.as_deref(),
        services: &s.services,
        locations: &s.locations,
        hosted_environments: &s.hosted_environments,
        exclusions: &s.exclusions,
        assumptions: &s.assumptions,
        updated: s.updated,
        body: Text(&s.body),
    }
}

/// The visibility decisions over the site, used while the edition is built.
struct Visibility<'s> {
    site: &'s Site,
    audience: Audience,
    sections: Sections,
}

impl<'s> Visibility<'s> {
    fn access(&self, key: ItemKey) -> Access {
        // An edition without a register's section has none of its items: no page, no title
        // in a relation, a link to one is text.
        if key.collection() != Collection::Controls
            && !self.sections.contains(Section::of(key.collection()))
        {
            return Access::Hidden;
        }
        match key {
            ItemKey::Control(_) => Access::Full,
            ItemKey::Policy(k) => policy_access(&self.site.policies[k], self.audience),
            _ => self
                .site
                .common(key)
                .map(|c| item_access(c, self.audience))
                .unwrap_or(Access::Hidden),
        }
    }

    /// Whether a control's mapping (applicability, status, its links) may be shown.
    fn mapping_visible(&self, control: ControlKey) -> bool {
        self.site.controls[control]
            .mapping
            .as_ref()
            .is_some_and(|m| self.audience.may_see(m.classification))
    }

    /// Whether the link between a control and an item may be shown. A link that exists only
    /// because a hidden mapping lists the item would reveal that mapping, so it is left out.
    fn link_visible(&self, control: ControlKey, item: ItemKey) -> bool {
        if self.mapping_visible(control) {
            return true;
        }
        let id = self.site.controls[control].catalog.id;
        let own = |refs: &[ControlRef]| refs.iter().any(|r| r.id == id);
        match item {
            ItemKey::Policy(k) => own(&self.site.policies[k].controls),
            ItemKey::Risk(k) => own(&self.site.risks[k].controls),
            ItemKey::Finding(k) => own(&self.site.findings[k].controls),
            _ => false,
        }
    }

    /// The keys `shown` lets through, and how many it left out.
    fn relation<K>(&self, keys: impl Iterator<Item = K>, shown: impl Fn(K) -> bool) -> Relation<K>
    where
        K: Copy,
    {
        let mut relation = Relation {
            keys: Vec::new(),
            restricted: 0,
            requestable: 0,
        };
        for k in keys {
            if shown(k) {
                relation.keys.push(k);
            } else {
                relation.restricted += 1;
            }
        }
        relation
    }

    /// Whether a document hidden from this reader could be asked for: an approved policy or
    /// an evidence item (drafts and retired policies are nobody's to request).
    fn requestable(&self, key: ItemKey) -> bool {
        let document = match key {
            ItemKey::Policy(k) => self.site.policies[k].status == PolicyStatus::Approved,
            ItemKey::Evidence(_) => true,
            _ => false,
        };
        document && self.access(key) == Access::Hidden
    }

    /// Whether a hidden item is counted on its list page as available on request.
    fn is_restricted(&self, key: ItemKey) -> bool {
        let status = match key {
            ItemKey::Policy(k) => Some(self.site.policies[k].status),
            _ => None,
        };
        self.site.common(key).is_some_and(|c| {
            counts_as_restricted(
                key.collection(),
                status,
                c.classification,
                self.audience,
                self.site.config.show_restricted_counts,
            )
        })
    }

    /// One register: its entries, and its count of restricted items. Which items have an
    /// entry is decided first, in order; the entries are then made in parallel, each into its
    /// place.
    fn register<T, V>(
        &self,
        items: &'s site::Items<T>,
        title: impl Fn(&T) -> String + Sync,
        published: impl Fn(Key<T>, &'s site::Node<T>) -> V + Sync,
    ) -> Register<Key<T>, V>
    where
        T: site::Item + Send + Sync,
        T::Links: Sync,
        V: Published + Send,
        ItemKey: From<Key<T>>,
    {
        use rayon::prelude::*;
        let mut shown = Vec::with_capacity(items.len());
        let mut restricted = 0;
        for (key, node) in items.iter() {
            match self.access(key.into()) {
                Access::Hidden if self.is_restricted(key.into()) => restricted += 1,
                Access::Hidden => {}
                access => shown.push((key, node, access == Access::Full)),
            }
        }
        // Exactly as long as the register (a doubled vector's spare half would outlive the
        // build's whole render).
        let mut entries = Vec::new();
        shown
            .par_iter()
            .with_min_len(MIN_TASK)
            .map(|&(key, node, full)| {
                let entry = if full {
                    Entry::Published(published(key, node))
                } else {
                    Entry::OnRequest {
                        title: title(&node.item),
                    }
                };
                (key, entry)
            })
            .collect_into_vec(&mut entries);
        Register::new(entries, restricted)
    }

    /// The controls of `item` it may be shown with (every control is in the edition).
    fn controls_of(&self, controls: &[ControlKey], item: ItemKey) -> Relation<ControlKey> {
        self.relation(controls.iter().copied(), |k| {
            self.link_visible(k, item) && self.site.controls.get(k).is_some()
        })
    }

    /// The items of `keys` this reader may see (those with an entry in their register).
    fn entries_of<T>(&self, keys: &[Key<T>]) -> Relation<Key<T>>
    where
        ItemKey: From<Key<T>>,
    {
        self.relation(keys.iter().copied(), |k| {
            self.access(k.into()) != Access::Hidden
        })
    }

    fn policies(&self) -> Register<PolicyKey, Policy<'s>> {
        self.register(
            &self.site.policies,
            |p| p.title.clone(),
            |key, node| {
                let p = &*node.item;
                Policy {
                    id: &p.common.id,
                    slug: &p.common.slug,
                    title: &p.title,
                    owner: &p.owner,
                    version: &p.version,
                    status: p.status,
                    classification: p.common.classification,
                    approved: p.approved,
                    approved_by: p.approved_by.as_deref(),
                    review_by: p.review_by,
                    summary: p.summary.as_deref(),
                    tags: &p.tags,
                    history: &p.history,
                    extra: p.extra.as_ref(),
                    body: Text(&p.body),
                    controls: self.controls_of(&node.links.controls, key.into()),
                    findings: self.entries_of(&node.links.findings),
                }
            },
        )
    }

    fn evidence(&self) -> Register<EvidenceKey, Evidence<'s>> {
        self.register(
            &self.site.evidence,
            |e| e.title.clone(),
            |key, node| Evidence {
                controls: self.controls_of(&node.links.controls, key.into()),
                ..Evidence::from(&*node.item)
            },
        )
    }

    fn risks(&self) -> Register<RiskKey, Risk<'s>> {
        self.register(
            &self.site.risks,
            |r| r.title.clone(),
            |key, node| Risk {
                controls: self.controls_of(&node.links.controls, key.into()),
                ..Risk::from(&*node.item)
            },
        )
    }

    fn findings(&self) -> Register<FindingKey, Finding<'s>> {
        self.register(
            &self.site.findings,
            |f| f.title.clone(),
            |key, node| Finding {
                controls: self.controls_of(&node.links.controls, key.into()),
                policies: self.entries_of(&node.links.policies),
                ..Finding::from(&*node.item)
            },
        )
    }

    fn suppliers(&self) -> Register<SupplierKey, Supplier<'s>> {
        let public = self.audience == Audience::Public;
        self.register(
            &self.site.suppliers,
            |s| s.name.clone(),
            |_, node| {
                let mut s = Supplier::from(&*node.item);
                if public {
                    // A supplier's risk rating, last review and notes are the customer's
                    // business (vendor due diligence), not the public's.
                    s.risk = None;
                    s.reviewed = None;
                    s.notes = None;
                }
                s
            },
        )
    }

    /// Every control of the catalog, in catalog order.
    fn controls(&self) -> Vec<Control<'s>> {
        use rayon::prelude::*;
        let nodes: Vec<_> = self.site.controls.iter().collect();
        nodes
            .par_iter()
            .map(|&(key, node)| self.control(key, node))
            .collect()
    }

    fn control(&self, key: ControlKey, node: &'s site::Node<site::Control>) -> Control<'s> {
        let assessment = match &node.mapping {
            None => Assessment::NotAssessed,
            Some(_) if !self.mapping_visible(key) => Assessment::Withheld,
            Some(m) => Assessment::Published(Mapping {
                applicable: m.applicable,
                status: m.status,
                justification: m.justification.as_deref(),
                owner: m.owner.as_deref(),
                notes: m.notes.as_ref().map(Text),
            }),
        };
        let l = &node.links;
        let shown =
            |item: ItemKey| self.link_visible(key, item) && self.access(item) != Access::Hidden;
        let requestable = |item: ItemKey| self.link_visible(key, item) && self.requestable(item);
        let mut policies = self.relation(l.policies.iter().copied(), |k| shown(k.into()));
        policies.requestable = l
            .policies
            .iter()
            .filter(|k| requestable((**k).into()))
            .count();
        let mut evidence = self.relation(l.evidence.iter().copied(), |k| shown(k.into()));
        evidence.requestable = l
            .evidence
            .iter()
            .filter(|k| requestable((**k).into()))
            .count();
        Control {
            key,
            id: node.catalog.id,
            slug: node.catalog.id.slug(),
            title: node.catalog.title,
            theme: node.catalog.theme,
            assessment,
            policies,
            evidence,
            risks: self.relation(l.risks.iter().copied(), |k| shown(k.into())),
            findings: self.relation(l.findings.iter().copied(), |k| shown(k.into())),
        }
    }

    /// A hash of what Markdown links can resolve to for this audience (see `link_env`).
    fn link_fingerprint(&self, md: &markdown::Renderer) -> u64 {
        let site = self.site;
        // Ids, page addresses, files and redirects are in `resolve_env`; what this reader
        // may open of each item is added here, a byte an item in source order.
        fn access<T: site::Item>(v: &Visibility, items: &site::Items<T>) -> Vec<u8>
        where
            ItemKey: From<Key<T>>,
        {
            items.keys().map(|k| v.access(k.into()) as u8).collect()
        }
        let access = [
            access(self, &site.policies),
            access(self, &site.evidence),
            access(self, &site.risks),
            access(self, &site.findings),
            access(self, &site.suppliers),
        ];
        crate::cache::hash(&(
            site.resolve_env(),
            access,
            self.sections,
            &site.config.base_url,
            md.allows_raw_html(),
        ))
    }
}

/// The fewest items a parallel task of the edition takes: fewer would cost more to hand to
/// another core than to make.
const MIN_TASK: usize = 256;

fn empty<K>() -> Relation<K> {
    Relation {
        keys: Vec::new(),
        restricted: 0,
        requestable: 0,
    }
}

// The display fields of a published register item (relations are filled in afterwards).

impl<'s> From<&'s crate::model::Evidence> for Evidence<'s> {
    fn from(e: &'s crate::model::Evidence) -> Self {
        Evidence {
            id: &e.common.id,
            slug: &e.common.slug,
            title: &e.title,
            kind: e.kind,
            owner: e.owner.as_deref(),
            collected: e.collected,
            expires: e.expires,
            classification: e.common.classification,
            url: None,
            file: e.file.as_ref().map(|f| File {
                name: &f.file_name,
                bytes: f.bytes.as_deref(),
            }),
            description: e.description.as_ref().map(Text),
            notes: e.common.notes.as_ref().map(Text),
            controls: empty(),
        }
    }
}

impl<'s> From<&'s crate::model::Risk> for Risk<'s> {
    fn from(r: &'s crate::model::Risk) -> Self {
        Risk {
            id: &r.common.id,
            slug: &r.common.slug,
            title: &r.title,
            asset: r.asset.as_deref(),
            threat: r.threat.as_deref(),
            vulnerability: r.vulnerability.as_deref(),
            likelihood: r.likelihood,
            impact: r.impact,
            treatment: r.treatment,
            owner: r.owner.as_deref(),
            residual_likelihood: r.residual_likelihood,
            residual_impact: r.residual_impact,
            review_by: r.review_by,
            status: r.status,
            classification: r.common.classification,
            notes: r.common.notes.as_ref().map(Text),
            controls: empty(),
        }
    }
}

impl<'s> From<&'s crate::model::Finding> for Finding<'s> {
    fn from(f: &'s crate::model::Finding) -> Self {
        Finding {
            id: &f.common.id,
            slug: &f.common.slug,
            title: &f.title,
            kind: f.kind,
            source: f.source.as_deref(),
            raised: f.raised,
            owner: f.owner.as_deref(),
            due: f.due,
            status: f.status,
            closed: f.closed,
            classification: f.common.classification,
            description: f.description.as_ref().map(Text),
            root_cause: f.root_cause.as_ref().map(Text),
            corrective_action: f.corrective_action.as_ref().map(Text),
            notes: f.common.notes.as_ref().map(Text),
            controls: empty(),
            policies: empty(),
        }
    }
}

impl<'s> From<&'s crate::model::Supplier> for Supplier<'s> {
    fn from(s: &'s crate::model::Supplier) -> Self {
        Supplier {
            id: &s.common.id,
            slug: &s.common.slug,
            name: &s.name,
            service: s.service.as_deref(),
            data: s.data.as_deref(),
            location: s.location.as_deref(),
            subprocessor: s.subprocessor,
            assurance: &s.assurance,
            reviewed: s.reviewed,
            risk: s.risk,
            classification: s.common.classification,
            notes: s.common.notes.as_ref().map(Text),
        }
    }
}

//! The typed model: every item of an ISMS, validated, with the positions of its references.

pub mod types;

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::diagnostic::{Diagnostic, Pos};
use crate::markdown::LinkAt;
use crate::rules::Rule;
pub use types::*;

/// A reference by id to another item, with where it was written (for diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub id: String,
    pub pos: Pos,
}

/// A reference to an Annex A control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRef {
    pub id: ControlId,
    pub pos: Pos,
}

/// What every collection item carries: identity, visibility and where it came from.
#[derive(Debug, Clone)]
pub struct Common {
    pub id: String,
    pub slug: String,
    pub classification: Classification,
    /// Show the title (only) to audiences below the classification, "available on request".
    pub listed: bool,
    /// The position of the item's id (or the file, for policies).
    pub pos: Pos,
    pub notes: Option<Markdown>,
    /// Where some fields' values were written (`status`, `review_by`, `expires`, `due`, a
    /// policy's `id` …), so checks on their values can point at them.
    pub field_pos: Vec<(&'static str, Pos)>,
}

impl Common {
    /// Where `field` was written, or the item's own position when it was not recorded.
    pub fn pos_of(&self, field: &str) -> &Pos {
        self.field_pos
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, p)| p)
            .unwrap_or(&self.pos)
    }
}

/// Markdown text with the position it starts at, so links inside it can be reported.
#[derive(Debug, Clone)]
pub struct Markdown {
    /// The text, or where to read it again (`store`).
    text: Body,
    pub pos: Pos,
    /// Where runs of `text` start in the file, when YAML reshaped it (a block scalar's
    /// indentation stripped, lines folded, quotes removed). Empty when the text is verbatim
    /// from `pos` on, as a Markdown file's body is.
    pub source_map: Vec<SourceRun>,
    /// What scanning `text` found, made on first use and kept with it: `serve` shares an
    /// unchanged file's parse between rebuilds, so each text is scanned (and hashed) once,
    /// not on every save. `text` is never changed once a `Markdown` is made.
    scans: Scans,
}

/// A Markdown text, held or left in its file.
#[derive(Debug, Clone)]
enum Body {
    Held(String),
    /// Not held: a one-shot build of a large site would otherwise hold every policy's text
    /// from loading to rendering (most of its memory). Read again when it is rendered.
    Stored(Arc<Stored>),
}

/// Where a text that is not held is: the end of its file (`Markdown::pos`'s, under the site
/// folder `root`) from byte `start` on, when the whole file hashed to `file_hash` (as it did
/// when it was loaded, checked, linked and classified).
#[derive(Debug)]
struct Stored {
    root: Arc<Path>,
    start: usize,
    file_hash: u64,
}

#[derive(Debug, Clone, Default)]
struct Scans {
    hash: OnceLock<u64>,
    links: OnceLock<Arc<Vec<LinkAt>>>,
    headings: OnceLock<Arc<Vec<String>>>,
    unclosed_comment: OnceLock<Option<LinkAt>>,
    /// The last `ResolvedLinks`, with the `Site::resolve_env` they were made for: a rebuild
    /// whose links resolve as before finds them here, without hashing the text's key and
    /// looking it up in the shared memo table (every text is resolved on every save).
    resolved: Last<ResolvedLinks>,
    /// What the link rules found last, with the key of what they read (`checks::links`).
    findings: Last<Arc<LinkFindings>>,
}

/// What each link of a text resolved to (`Site::resolved_links`), in the order of its links.
pub type ResolvedLinks = Arc<Vec<Result<crate::site::Resolution, String>>>;

/// What the link rules found in one text (`checks::links`): its diagnostics, and the items it
/// links to besides its own.
#[derive(Debug, Default)]
pub struct LinkFindings {
    pub diags: crate::diagnostic::Diagnostics,
    pub linked: Vec<crate::site::ItemKey>,
    /// The pages whose headings the text's links name (`None`: the scope statement), each
    /// with the hash of its text then (`Markdown::text_hash`): the findings stand while every
    /// one is unchanged.
    pub anchored: Vec<(Option<crate::site::PolicyKey>, u64)>,
}

/// The last value made from a text and something else, with a key of that something: a
/// rebuild with the same key takes the value again (`serve` keeps unchanged texts between
/// rebuilds).
#[derive(Debug)]
struct Last<T>(Mutex<Option<(u64, T)>>);

impl<T> Default for Last<T> {
    fn default() -> Self {
        Last(Mutex::new(None))
    }
}

impl<T: Clone> Clone for Last<T> {
    fn clone(&self) -> Self {
        Last(Mutex::new(self.lock().clone()))
    }
}

impl<T: Clone> Last<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(u64, T)>> {
        // Only whole values are stored, so a poisoned lock still holds a consistent one.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, key: u64) -> Option<T> {
        match &*self.lock() {
            Some((made_for, value)) if *made_for == key => Some(value.clone()),
            _ => None,
        }
    }

    fn keep(&self, key: u64, value: &T) {
        *self.lock() = Some((key, value.clone()));
    }
}

impl Markdown {
    pub fn new(text: String, pos: Pos, source_map: Vec<SourceRun>) -> Self {
        Markdown {
            text: Body::Held(text),
            pos,
            source_map,
            scans: Scans::default(),
        }
    }

    /// The text: as held, or read again from its file. Reading fails (an error at the file)
    /// when the file is no longer exactly what was loaded: what is published must be what
    /// was checked, linked and classified, never a newer text under an older classification.
    pub fn text(&self) -> Result<Cow<'_, str>, Diagnostic> {
        match &self.text {
            Body::Held(text) => Ok(Cow::Borrowed(text)),
            Body::Stored(stored) => stored.read(&self.pos.path).map(Cow::Owned),
        }
    }

    /// The text if it is held (every text but a stored policy body is).
    pub fn held_text(&self) -> Option<&str> {
        match &self.text {
            Body::Held(text) => Some(text),
            Body::Stored(_) => None,
        }
    }

    /// Stops holding the text, which is the end of its file (`pos.path` under the site folder
    /// `root`) from byte `start` on, whose whole content hashed (`crate::cache::hash` of the
    /// `str`) to `file_hash`; `text`
    /// reads it again from there. What linking and the checks need of the text (its hash,
    /// links and unclosed comment) is scanned first; its headings are read again if asked
    /// for. A text YAML reshaped (`source_map`) is never stored, nor one that is not the end
    /// of its file as said.
    pub fn store(&mut self, root: Arc<Path>, start: usize, file_hash: u64) {
        if !self.source_map.is_empty() {
            return;
        }
        self.text_hash();
        self.links();
        self.unclosed_comment();
        self.text = Body::Stored(Arc::new(Stored {
            root,
            start,
            file_hash,
        }));
    }

    /// Whether the text is left in its file (`store`).
    pub fn is_stored(&self) -> bool {
        matches!(self.text, Body::Stored(_))
    }

    /// A hash of the text (`crate::cache::hash`), for memo keys.
    pub fn text_hash(&self) -> u64 {
        *self.scans.hash.get_or_init(|| match &self.text {
            Body::Held(text) => crate::cache::hash(text),
            // Never reached: `store` hashes the text first.
            Body::Stored(stored) => stored.file_hash,
        })
    }

    /// Every link and image destination in the text (`markdown::links`).
    pub fn links(&self) -> &Arc<Vec<LinkAt>> {
        self.scans.links.get_or_init(|| {
            // A stored text was scanned before it was stored.
            Arc::new(
                self.held_text()
                    .map(crate::markdown::links)
                    .unwrap_or_default(),
            )
        })
    }

    /// What the text's links resolved to last, if that was for `env` (`Site::resolve_env`):
    /// resolution depends on the text, its file and `env` only, and the first two never
    /// change.
    pub fn resolved_for(&self, env: u64) -> Option<ResolvedLinks> {
        self.scans.resolved.get(env)
    }

    /// Keeps what the text's links resolve to for `env` (see `resolved_for`).
    pub fn keep_resolved(&self, env: u64, resolved: &ResolvedLinks) {
        self.scans.resolved.keep(env, resolved);
    }

    /// What the link rules found last in the text, if they read what `key` stands for
    /// (`checks::links` makes the key).
    pub fn findings_for(&self, key: u64) -> Option<Arc<LinkFindings>> {
        self.scans.findings.get(key)
    }

    /// Keeps what the link rules found in the text, reading what `key` stands for.
    pub fn keep_findings(&self, key: u64, findings: &Arc<LinkFindings>) {
        self.scans.findings.keep(key, findings);
    }

    /// The anchors of the text's headings (`markdown::heading_ids`); a stored text is read
    /// again for them (an error when its file changed since it was loaded).
    pub fn heading_ids(&self) -> Result<&Arc<Vec<String>>, Diagnostic> {
        if let Some(ids) = self.scans.headings.get() {
            return Ok(ids);
        }
        let ids = crate::markdown::heading_ids(&self.text()?);
        Ok(self.scans.headings.get_or_init(|| Arc::new(ids)))
    }

    /// Where a `<!--` never closed in the text starts (`markdown::unclosed_comment`): its
    /// byte offset and 1-based line and column in the text (`dest` is empty).
    pub fn unclosed_comment(&self) -> Option<&LinkAt> {
        self.scans
            .unclosed_comment
            .get_or_init(|| {
                // Reading a text for comments parses it; a text without `<!--` has none. A
                // stored text was scanned before it was stored.
                let text = self.held_text()?;
                let offset = text
                    .contains("<!--")
                    .then(|| crate::markdown::unclosed_comment(text))
                    .flatten()?;
                let before = &text[..offset];
                let line = 1 + before.matches('\n').count() as u64;
                let column = 1 + before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64;
                Some(LinkAt {
                    dest: String::new(),
                    line,
                    column,
                    offset,
                })
            })
            .as_ref()
    }
}

impl Stored {
    /// The text, read again from the file, if the file is still what was loaded.
    fn read(&self, path: &str) -> Result<String, Diagnostic> {
        let changed = || {
            Diagnostic::error(
                Pos::file(path),
                Rule::Io,
                "the file changed while the site was being built (after it was read, checked and linked): build again",
            )
        };
        let bytes = crate::source::read_regular(&self.root.join(path)).map_err(|e| {
            Diagnostic::error(
                Pos::file(path),
                Rule::Io,
                format!("cannot read again to render: {e}"),
            )
        })?;
        let mut text = String::from_utf8(bytes).map_err(|_| changed())?;
        if crate::cache::hash(&text) != self.file_hash || !text.is_char_boundary(self.start) {
            return Err(changed());
        }
        text.drain(..self.start);
        Ok(text)
    }
}

/// A run of Markdown text copied verbatim from one line of the file: the text from byte
/// `offset` on starts at `line`:`column` (1-based, columns in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceRun {
    pub offset: usize,
    pub line: u64,
    pub column: u64,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub common: Common,
    pub title: String,
    pub owner: String,
    pub version: String,
    pub status: PolicyStatus,
    pub approved: Option<Date>,
    /// Who approved this version (a person or a body such as "Management board").
    pub approved_by: Option<String>,
    pub review_by: Option<Date>,
    pub controls: Vec<ControlRef>,
    pub summary: Option<String>,
    /// Free labels, shown as chips.
    pub tags: Vec<String>,
    /// Earlier versions, as written (newest first by convention).
    pub history: Vec<Revision>,
    /// Any YAML under `extra:`, never validated, for template overrides (`extra` in the
    /// policy page's context).
    pub extra: Option<serde_json::Value>,
    pub body: Markdown,
}

/// One line of a policy's revision table.
#[derive(Debug, Clone, Default)]
pub struct Revision {
    pub version: Option<String>,
    pub date: Option<Date>,
    pub approved_by: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Mapping {
    pub control: ControlId,
    pub pos: Pos,
    pub applicable: bool,
    pub justification: Option<String>,
    pub status: Option<ControlStatus>,
    pub owner: Option<String>,
    pub policies: Vec<Ref>,
    pub evidence: Vec<Ref>,
    pub risks: Vec<Ref>,
    pub notes: Option<Markdown>,
    pub classification: Classification,
}

#[derive(Debug, Clone)]
pub struct Evidence {
    pub common: Common,
    pub title: String,
    pub kind: Option<EvidenceKind>,
    pub owner: Option<String>,
    pub collected: Option<Date>,
    pub expires: Option<Date>,
    pub url: Option<String>,
    pub file: Option<EvidenceFile>,
    pub description: Option<Markdown>,
    /// What `url` resolved to last (`Site::resolve_url_field`): the register's parse is
    /// shared between `serve`'s rebuilds, so an unchanged field is resolved once, not on
    /// every save (by linking and again by the edition).
    pub url_resolved: LastUrl,
}

/// A URL field's last resolution with everything it was made from: the URL, the file it is
/// written in and the `Site::resolve_env` it was resolved for. It stands only for exactly
/// those three, so a changed field or site resolves again.
#[derive(Debug, Default)]
pub struct LastUrl(Mutex<Option<UrlResolution>>);

/// A URL, its file, the `Site::resolve_env` and what the URL resolved to.
type UrlResolution = (String, String, u64, Result<crate::site::Resolution, String>);

impl Clone for LastUrl {
    fn clone(&self) -> Self {
        LastUrl(Mutex::new(self.lock().clone()))
    }
}

impl LastUrl {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<UrlResolution>> {
        // Only whole values are stored, so a poisoned lock still holds a consistent one.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The last resolution of `url` written in `from` for `env`, if that is what was kept.
    pub fn get(
        &self,
        url: &str,
        from: &str,
        env: u64,
    ) -> Option<Result<crate::site::Resolution, String>> {
        match &*self.lock() {
            Some((u, f, e, resolved)) if u == url && f == from && *e == env => {
                Some(resolved.clone())
            }
            _ => None,
        }
    }

    /// Keeps what `url` written in `from` resolved to for `env`.
    pub fn keep(
        &self,
        url: &str,
        from: &str,
        env: u64,
        resolved: Result<crate::site::Resolution, String>,
    ) {
        *self.lock() = Some((url.to_string(), from.to_string(), env, resolved));
    }
}

/// A file in the site folder attached to an evidence item, read at load time.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    /// Path relative to the site, as written.
    pub source: String,
    pub file_name: String,
    /// The file's contents; `None` when the audience being loaded for may not see the item:
    /// a file a build cannot publish is never read (checked to be a regular file, no more).
    pub bytes: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct Risk {
    pub common: Common,
    pub title: String,
    pub asset: Option<String>,
    pub threat: Option<String>,
    pub vulnerability: Option<String>,
    pub likelihood: Option<u8>,
    pub impact: Option<u8>,
    pub treatment: Option<Treatment>,
    pub controls: Vec<ControlRef>,
    pub owner: Option<String>,
    pub residual_likelihood: Option<u8>,
    pub residual_impact: Option<u8>,
    pub review_by: Option<Date>,
    pub status: Option<RiskStatus>,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub common: Common,
    pub title: String,
    pub kind: Option<FindingKind>,
    pub source: Option<String>,
    pub raised: Option<Date>,
    pub controls: Vec<ControlRef>,
    pub policies: Vec<Ref>,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub status: Option<FindingStatus>,
    pub closed: Option<Date>,
    pub description: Option<Markdown>,
    pub root_cause: Option<Markdown>,
    pub corrective_action: Option<Markdown>,
}

#[derive(Debug, Clone)]
pub struct Supplier {
    pub common: Common,
    pub name: String,
    pub service: Option<String>,
    pub data: Option<String>,
    pub location: Option<String>,
    pub subprocessor: bool,
    pub assurance: Vec<String>,
    pub reviewed: Option<Date>,
    pub risk: Option<RiskLevel>,
}

#[derive(Debug, Clone)]
pub struct Exclusion {
    pub item: String,
    pub justification: Option<String>,
}

/// The scope statement (`scope.md`); always public.
#[derive(Debug, Clone)]
pub struct Scope {
    pub title: String,
    pub legal_entity: Option<String>,
    pub services: Vec<String>,
    pub locations: Vec<String>,
    pub hosted_environments: Vec<String>,
    pub exclusions: Vec<Exclusion>,
    pub assumptions: Vec<String>,
    pub updated: Option<Date>,
    pub body: Markdown,
}

/// The collections of a site, named as their folders are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Collection {
    Policies,
    Controls,
    Evidence,
    Risks,
    Findings,
    Suppliers,
}

impl Collection {
    pub const ALL: [Collection; 6] = [
        Collection::Policies,
        Collection::Controls,
        Collection::Evidence,
        Collection::Risks,
        Collection::Findings,
        Collection::Suppliers,
    ];

    /// The folder in the site and the URL segment in the output.
    pub fn dir(self) -> &'static str {
        match self {
            Collection::Policies => "policies",
            Collection::Controls => "controls",
            Collection::Evidence => "evidence",
            Collection::Risks => "risks",
            Collection::Findings => "findings",
            Collection::Suppliers => "suppliers",
        }
    }

    /// The scheme of a Markdown cross-link to one item, e.g. `policy:` in `(policy:access)`.
    pub fn from_link_scheme(scheme: &str) -> Option<Collection> {
        Some(match scheme {
            "policy" => Collection::Policies,
            "control" => Collection::Controls,
            "evidence" => Collection::Evidence,
            "risk" => Collection::Risks,
            "finding" => Collection::Findings,
            "supplier" => Collection::Suppliers,
            _ => return None,
        })
    }

    /// A singular noun for messages: "unknown policy".
    pub fn noun(self) -> &'static str {
        match self {
            Collection::Policies => "policy",
            Collection::Controls => "control",
            Collection::Evidence => "evidence item",
            Collection::Risks => "risk",
            Collection::Findings => "finding",
            Collection::Suppliers => "supplier",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_keeps_its_links_resolution_for_one_environment_only() {
        let md = Markdown::new("[a](policy:x)".into(), Pos::file("scope.md"), Vec::new());
        assert!(md.resolved_for(1).is_none(), "nothing kept yet");
        let resolved: ResolvedLinks = Arc::new(vec![Err("link to unknown policy".into())]);
        md.keep_resolved(1, &resolved);
        assert!(
            md.resolved_for(1)
                .is_some_and(|r| Arc::ptr_eq(&r, &resolved))
        );
        assert!(
            md.resolved_for(2).is_none(),
            "another environment resolves anew"
        );
        let copy = md.clone();
        assert!(
            copy.resolved_for(1)
                .is_some_and(|r| Arc::ptr_eq(&r, &resolved))
        );
        md.keep_resolved(2, &Arc::new(Vec::new()));
        assert!(md.resolved_for(1).is_none(), "only the last is kept");
    }
}

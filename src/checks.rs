//! Rules over the linked `Site`: what an auditor asks first (is every applicable control
//! covered, is the evidence current) and what breaks quietly (anchors that don't exist, links
//! readers will see as dead text). Build and `check` share these rules: errors here fail a
//! build, warnings are printed by both.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use crate::diagnostic::{Diagnostics, Pos, suggest};
use crate::markdown;
use crate::model::*;
use crate::rules::Rule;
use crate::site::{ItemKey, PolicyKey, Site, Target};

pub use crate::diagnostic::Severity;
pub use facts::{Attention, EXPIRING_DAYS, attention};

mod facts;

/// Runs every rule over `site`.
pub fn check(site: &Site) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let attention = facts::attention(site);
    approval_dates(site, &mut diags);
    coverage(site, &attention, &mut diags);
    freshness(site, &attention, &mut diags);
    links(site, &mut diags);
    unclosed_comments(site, &mut diags);
    shadowed_static(site, &mut diags);
    diags
}

/// A `static/` file at the address of a file trustpress generates (`static/style.css`,
/// `static/index.html`) is never published: the generated file wins. Say so, and how to
/// restyle instead.
fn shadowed_static(site: &Site, diags: &mut Diagnostics) {
    use crate::edition::route::Route;
    for (path, _) in &site.static_files {
        let asset = crate::render::theme::ASSETS
            .iter()
            .any(|(name, _)| name == path);
        let generated = match Route::parse(path) {
            // The site's own favicon.svg is published in place of the generated one.
            Some(Route::Static(_) | Route::Favicon) | None => asset,
            // Written by every build, whatever the audience (the sitemap is public-only, and an
            // item's page exists only for some readers, so those are not claimed).
            Some(Route::Home | Route::NotFound | Route::Robots | Route::SearchIndex) => true,
            Some(Route::List(_) | Route::Scope | Route::Traceability) => true,
            Some(Route::Soa | Route::HighlightCss) => true,
            Some(_) => false,
        };
        if generated {
            let how = if path.ends_with(".css") {
                "to restyle, name your stylesheet in `brand: { extra_css: static/… }` (it is linked after the theme's), or replace a template in templates/"
            } else {
                "to change that page, replace its template in templates/ (see `trustpress theme export`)"
            };
            diags.warning(
                Pos::file(format!("static/{path}")),
                Rule::StaticShadowed,
                format!(
                    "static/{path} is never published: trustpress writes its own {path}; {how}"
                ),
            );
        }
    }
}

/// A `<!--` never closed hides the rest of its text from every reader: say so, at the `<!--`.
fn unclosed_comments(site: &Site, diags: &mut Diagnostics) {
    for md in site.markdown_texts() {
        let Some(at) = md.unclosed_comment() else {
            continue;
        };
        diags.warning(
            markdown::position(md, at),
            Rule::UnclosedComment,
            "this HTML comment `<!--` is never closed, so everything after it is hidden from readers: close it with `-->`",
        );
    }
}

/// Which item a Markdown text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Owner {
    Scope,
    Item(ItemKey),
}

/// An approved policy says when it was approved; auditors ask for it.
fn approval_dates(site: &Site, diags: &mut Diagnostics) {
    for p in site.policies.items() {
        // An `approved` value that is not a date was already reported as `invalid-date`.
        let written = p.common.field_pos.iter().any(|(f, _)| *f == "approved");
        if p.status == PolicyStatus::Approved && p.approved.is_none() && !written {
            diags.error(
                p.common.pos_of("status").clone(),
                Rule::ApprovedWithoutDate,
                format!(
                    "policy \"{}\" is approved but has no `approved` date: add `approved: YYYY-MM-DD`",
                    p.common.id
                ),
            );
        }
    }
}

/// The Statement of Applicability's gaps: controls not assessed, applicable controls with no
/// policy or no evidence (the last two from the facts the work queue shows too).
fn coverage(site: &Site, attention: &Attention, diags: &mut Diagnostics) {
    for (_, c) in site.controls.iter() {
        let id = c.catalog.id;
        let title = c.catalog.title;
        if c.mapping.is_none() {
            diags.warning(
                not_assessed_pos(site, id),
                Rule::NotAssessed,
                format!(
                    "control {id} \"{title}\" is not assessed: add an entry `- control: {id}` with `applicable: true` or `false` to a file under controls/"
                ),
            );
        }
    }
    let mapping_pos = |key| {
        let c = &site.controls[key];
        (
            c.catalog.id,
            c.catalog.title,
            c.mapping.as_ref().map(|m| m.pos.clone()),
        )
    };
    for key in &attention.no_policy {
        let (id, title, pos) = mapping_pos(*key);
        diags.warning(
            pos.unwrap_or_default(),
            Rule::NoPolicy,
            format!(
                "applicable control {id} \"{title}\" has no policy: list one under `policies:` or add {id} to a policy's `controls:`"
            ),
        );
    }
    for key in &attention.no_evidence {
        let (id, title, pos) = mapping_pos(*key);
        diags.warning(
            pos.unwrap_or_default(),
            Rule::NoEvidence,
            format!(
                "applicable control {id} \"{title}\" has no evidence: list evidence ids under `evidence:`"
            ),
        );
    }
}

/// Where to report a control that has no mapping: where its entry would go. That is the
/// entry of the nearest control before it in the catalog that is mapped (add the new entry
/// after it), preferring one of the same theme; else the first mapped control's entry;
/// else `site.yaml` (no mapping file yet).
fn not_assessed_pos(site: &Site, id: ControlId) -> Pos {
    let index = crate::catalog::index_of(id).unwrap_or(0);
    let theme = crate::catalog::annex_a().get(index).map_or("", |c| c.theme);
    let mapped: Vec<(usize, &str, &Pos)> = site
        .controls
        .items()
        .filter_map(|c| {
            let m = c.mapping.as_ref()?;
            Some((
                crate::catalog::index_of(c.catalog.id)?,
                c.catalog.theme,
                &m.pos,
            ))
        })
        .collect();
    let before = |same_theme: bool| {
        mapped
            .iter()
            .filter(|(i, t, _)| *i < index && (!same_theme || *t == theme))
            .max_by_key(|(i, _, _)| *i)
    };
    before(true)
        .or_else(|| before(false))
        .or_else(|| mapped.iter().min_by_key(|(i, _, _)| *i))
        .map(|(_, _, pos)| (*pos).clone())
        .unwrap_or_else(|| Pos::file(crate::config::CONFIG_FILE))
}

/// Dates that have passed: expired evidence, overdue reviews and corrective actions.
fn freshness(site: &Site, attention: &Attention, diags: &mut Diagnostics) {
    let today = site.today;
    let ago = |d: Date| {
        let days = d.days_until(today);
        if days == 1 {
            "1 day ago".to_string()
        } else {
            format!("{days} days ago")
        }
    };
    for (key, d) in &attention.expired_evidence {
        let e = &site.evidence[*key];
        diags.warning(
            e.common.pos_of("expires").clone(),
            Rule::EvidenceExpired,
            format!(
                "evidence {} \"{}\" expired on {d} ({}): collect it again and update `expires`",
                e.common.id,
                e.title,
                ago(*d)
            ),
        );
    }
    for (key, d) in &attention.overdue_reviews {
        let p = &site.policies[*key];
        diags.warning(
            p.common.pos_of("review_by").clone(),
            Rule::ReviewOverdue,
            format!(
                "policy \"{}\" was due for review on {d} ({}): review it and update `review_by`",
                p.common.id,
                ago(*d)
            ),
        );
    }
    for (key, d) in &attention.overdue_findings {
        let f = &site.findings[*key];
        diags.warning(
            f.common.pos_of("due").clone(),
            Rule::FindingOverdue,
            format!(
                "finding {} is still {} and was due on {d} ({}): close it or agree a new `due` date",
                f.common.id,
                f.status.unwrap_or(FindingStatus::Open).as_str(),
                ago(*d)
            ),
        );
    }
    for (key, d) in &attention.overdue_risk_reviews {
        let r = &site.risks[*key];
        diags.warning(
            r.common.pos_of("review_by").clone(),
            Rule::RiskReviewOverdue,
            format!(
                "risk {} was due for review on {d} ({}): review it and update `review_by`",
                r.common.id,
                ago(*d)
            ),
        );
    }
}

/// Rules over Markdown links: anchors, drafts linked from approved policies, links readers
/// will see as plain text, and items nothing links to.
fn links(site: &Site, diags: &mut Diagnostics) {
    use rayon::prelude::*;
    let texts = owned_texts(site);
    let env = site.cache.keeps_texts().then(|| link_env(site));
    // Each text is checked on its own (in parallel); the findings are merged in text order.
    let found: Vec<(Diagnostics, Arc<LinkFindings>)> = texts
        .par_iter()
        .map(|&(owner, class, md)| {
            let found = text_findings(site, env, owner, class, md);
            (found.diags.clone(), found)
        })
        .collect();
    diags.reserve(found.iter().map(|(d, _)| d.len()).sum());
    let mut linked = Linked {
        policies: vec![false; site.policies.len()],
        evidence: vec![false; site.evidence.len()],
    };
    for (d, found) in found {
        diags.extend(d);
        for key in &found.linked {
            linked.mark(*key);
        }
    }
    orphans(site, &linked, diags);
}

/// Which policies and evidence items some text links to, by key index (keys are dense).
struct Linked {
    policies: Vec<bool>,
    evidence: Vec<bool>,
}

impl Linked {
    fn mark(&mut self, key: ItemKey) {
        let slot = match key {
            ItemKey::Policy(k) => self.policies.get_mut(k.index()),
            ItemKey::Evidence(k) => self.evidence.get_mut(k.index()),
            _ => None,
        };
        if let Some(slot) = slot {
            *slot = true;
        }
    }

    fn contains(&self, key: ItemKey) -> bool {
        let slot = match key {
            ItemKey::Policy(k) => self.policies.get(k.index()),
            ItemKey::Evidence(k) => self.evidence.get(k.index()),
            _ => None,
        };
        slot.copied().unwrap_or(false)
    }
}

/// A hash of what the link rules read of the site besides the texts and the pages whose
/// headings they name: what links resolve to and the ids messages name (`resolve_env`), and
/// every item's classification and every policy's status, in order.
fn link_env(site: &Site) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    site.resolve_env().hash(&mut h);
    for collection in Collection::ALL {
        for c in site.commons(collection) {
            c.classification.hash(&mut h);
        }
    }
    for p in site.policies.items() {
        p.status.hash(&mut h);
    }
    h.finish()
}

/// `text_links`, or what it found last in the same text if what it read is unchanged:
/// `env` (`link_env`), the text's owner and classification, and the pages whose headings it
/// names. Findings are kept on the text only where texts are kept between builds (`serve`,
/// `env` given): there, most of a save's warnings are those of texts it did not touch.
fn text_findings(
    site: &Site,
    env: Option<u64>,
    owner: Owner,
    class: Classification,
    md: &Markdown,
) -> Arc<LinkFindings> {
    let resolved = || site.resolved_links(md);
    let Some(env) = env else {
        return Arc::new(text_links(site, owner, class, md, &resolved()).0);
    };
    let key = crate::cache::hash(&(env, owner, class));
    if let Some(found) = md.findings_for(key)
        && found
            .anchored
            .iter()
            .all(|&(page, hash)| page_hash(site, page) == Some(hash))
    {
        return found;
    }
    let (found, complete) = text_links(site, owner, class, md, &resolved());
    let found = Arc::new(found);
    if complete {
        md.keep_findings(key, &found);
    }
    found
}

/// The hash of the text of a page whose headings links name (`None`: the scope statement).
fn page_hash(site: &Site, page: Option<PolicyKey>) -> Option<u64> {
    match page {
        None => Some(site.scope.body.text_hash()),
        Some(p) => site.policies.get(p).map(|p| p.body.text_hash()),
    }
}

/// The findings of the links of one text, and whether they are complete: not when a page
/// whose anchors it links to could not be read again (its file changed since it was loaded).
fn text_links(
    site: &Site,
    owner: Owner,
    class: Classification,
    md: &Markdown,
    resolved: &ResolvedLinks,
) -> (LinkFindings, bool) {
    let mut diags = Diagnostics::new();
    let diags = &mut diags;
    let mut linked = Vec::new();
    let mut anchors: HashMap<Owner, Vec<String>> = HashMap::default();
    let mut complete = true;
    let mut anchored = Vec::new();
    {
        for (link, resolution) in md.links().iter().zip(resolved.iter()) {
            let pos = || markdown::position(md, link);
            // `#x` is never ours to resolve (`Site::resolve` gives `Ok(None)`): only then is
            // the destination read, which is another cache miss per link on a large site.
            if matches!(resolution, Ok(None))
                && let Some(fragment) = link.dest.strip_prefix('#')
            {
                // An in-page anchor: only pages that are a Markdown body have known headings.
                if matches!(owner, Owner::Scope | Owner::Item(ItemKey::Policy(_))) {
                    let anchor = Anchor {
                        target: owner,
                        fragment,
                        dest: &link.dest,
                    };
                    complete &= check_anchor(site, &mut anchors, anchor, pos, diags);
                    anchored.push(owner);
                }
                continue;
            }
            let Ok(Some((target, fragment))) = resolution else {
                continue; // external, or already reported as a broken link
            };
            let target_owner = match target {
                Target::Scope => Some(Owner::Scope),
                Target::Item(key) => Some(Owner::Item(*key)),
                _ => None,
            };
            if let Some(f) = fragment.as_deref().filter(|f| !f.is_empty())
                && let Some(t) = target_owner
            {
                let anchor = Anchor {
                    target: t,
                    fragment: f,
                    dest: &link.dest,
                };
                complete &= check_anchor(site, &mut anchors, anchor, pos, diags);
                anchored.push(t);
            }
            // A link to an item's file counts as a link to the item.
            let Some(key) = target.item() else {
                continue;
            };
            if Owner::Item(key) != owner {
                linked.push(key);
            }
            if let (Owner::Item(ItemKey::Policy(from)), ItemKey::Policy(to)) = (owner, key)
                && site.policies[from].status == PolicyStatus::Approved
                && site.policies[to].status == PolicyStatus::Draft
            {
                diags.warning(
                    pos(),
                    Rule::DraftLinked,
                    format!(
                        "approved policy \"{}\" links to draft policy \"{}\": public and customer readers will see plain text; approve it or remove the link",
                        site.policies[from].common.id, site.policies[to].common.id
                    ),
                );
            }
            if class < Classification::Internal
                && let Some(target_class) = site.common(key).map(|c| c.classification)
                && target_class > class
            {
                diags.warning(
                    pos(),
                    Rule::RestrictedLink,
                    format!(
                        "this {class} text links to {} {} \"{}\": {class} readers will see the link text without a link",
                        target_class.as_str(),
                        key.collection().noun(),
                        item_id(site, key),
                        class = class.as_str(),
                    ),
                );
            }
        }
    }
    let diags = std::mem::take(diags);
    let mut pages: Vec<(Option<PolicyKey>, u64)> = Vec::new();
    for target in anchored {
        let page = match target {
            Owner::Scope => None,
            Owner::Item(ItemKey::Policy(p)) => Some(p),
            Owner::Item(_) => continue,
        };
        if !pages.iter().any(|(known, _)| *known == page) {
            pages.extend(page_hash(site, page).map(|h| (page, h)));
        }
    }
    let found = LinkFindings {
        diags,
        linked,
        anchored: pages,
    };
    (found, complete)
}

/// Policies and evidence that nothing links to (`linked`: what the texts link to).
fn orphans(site: &Site, linked: &Linked, diags: &mut Diagnostics) {
    for (key, p) in site.policies.iter() {
        if p.links.controls.is_empty()
            && p.links.findings.is_empty()
            && !linked.contains(key.into())
        {
            diags.warning(
                p.common.pos.clone(),
                Rule::OrphanPolicy,
                format!(
                    "policy \"{}\" is linked from nothing: add the controls it implements to its `controls:`, or link to it from another page",
                    p.common.id
                ),
            );
        }
    }
    for (key, e) in site.evidence.iter() {
        if e.links.controls.is_empty() && !linked.contains(key.into()) {
            diags.warning(
                e.common.pos.clone(),
                Rule::OrphanEvidence,
                format!(
                    "evidence {} is linked from nothing: list it under `evidence:` in the mapping of the control it supports",
                    e.common.id
                ),
            );
        }
    }
}

/// A link to an anchor: `#fragment` on the page of `target`, as written (`dest`).
struct Anchor<'a> {
    target: Owner,
    fragment: &'a str,
    dest: &'a str,
}

/// Reports the anchor's fragment if the page of its target has no heading with that anchor.
/// Only pages whose body is Markdown (policies, the scope) are checked; other pages' anchors
/// come from templates. False when the target's text could not be read again.
fn check_anchor(
    site: &Site,
    cache: &mut HashMap<Owner, Vec<String>>,
    anchor: Anchor<'_>,
    pos: impl Fn() -> Pos,
    diags: &mut Diagnostics,
) -> bool {
    let Anchor {
        target,
        fragment,
        dest,
    } = anchor;
    let (body, name) = match target {
        Owner::Scope => (&site.scope.body, "the scope statement".to_string()),
        Owner::Item(ItemKey::Policy(i)) => (
            &site.policies[i].body,
            format!("policy \"{}\"", site.policies[i].common.id),
        ),
        Owner::Item(..) => return true,
    };
    let ids = match cache.entry(target) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(v) => match body.heading_ids() {
            Ok(ids) => v.insert(ids.to_vec()),
            // A policy's text read again from a file that changed since it was loaded.
            Err(d) => {
                diags.push(d);
                return false;
            }
        },
    };
    // Anchors the default theme puts on every page besides the body's headings.
    let theme_ids = ["main", "impl-h", "find-h"];
    if ids.iter().any(|id| id == fragment) || theme_ids.contains(&fragment) {
        return true;
    }
    let mut msg =
        format!("link to \"{dest}\": {name} has no heading with the anchor \"#{fragment}\"");
    match suggest(fragment, ids.iter().map(String::as_str)) {
        Some(s) => msg.push_str(&format!(" (did you mean \"#{s}\"?)")),
        None if ids.is_empty() => msg.push_str(", and no headings at all"),
        None => msg.push_str(&format!(", expected one of #{}", ids.join(", #"))),
    }
    diags.error(pos(), Rule::BrokenAnchor, msg);
    true
}

/// Every Markdown text with the item it belongs to and that item's classification.
fn owned_texts(site: &Site) -> Vec<(Owner, Classification, &Markdown)> {
    let mut out = vec![(Owner::Scope, Classification::Public, &site.scope.body)];
    for (key, p) in site.policies.iter() {
        out.push((Owner::Item(key.into()), p.common.classification, &p.body));
    }
    for (key, c) in site.controls.iter() {
        if let Some(m) = &c.mapping
            && let Some(notes) = &m.notes
        {
            out.push((Owner::Item(key.into()), m.classification, notes));
        }
    }
    type Texts<'a> = Vec<(Owner, Classification, &'a Markdown)>;
    fn add<'a>(out: &mut Texts<'a>, key: ItemKey, common: &'a Common, texts: Vec<&'a Markdown>) {
        for md in texts.into_iter().chain(&common.notes) {
            out.push((Owner::Item(key), common.classification, md));
        }
    }
    for (key, e) in site.evidence.iter() {
        add(
            &mut out,
            key.into(),
            &e.common,
            e.description.iter().collect(),
        );
    }
    for (key, r) in site.risks.iter() {
        add(&mut out, key.into(), &r.common, vec![]);
    }
    for (key, f) in site.findings.iter() {
        let texts = f
            .description
            .iter()
            .chain(&f.root_cause)
            .chain(&f.corrective_action)
            .collect();
        add(&mut out, key.into(), &f.common, texts);
    }
    for (key, s) in site.suppliers.iter() {
        add(&mut out, key.into(), &s.common, vec![]);
    }
    out
}

fn item_id(site: &Site, key: ItemKey) -> String {
    match key {
        ItemKey::Control(k) => site.controls[k].catalog.id.to_string(),
        _ => site.common(key).map(|c| c.id.clone()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::Cache;
    use crate::session::load_linked;

    /// Two policies, one linking to the other's heading and to an internal one.
    fn write_site(dir: &std::path::Path) {
        let policy = |id: &str, class: &str, body: &str| {
            format!(
                "---\nid: {id}\ntitle: {id}\nowner: CISO\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: {class}\n---\n{body}\n"
            )
        };
        let files = [
            (
                "site.yaml",
                "title: T\nbase_url: https://trust.example/\norganisation: {name: Org}\n"
                    .to_string(),
            ),
            (
                "scope.md",
                "---\ntitle: Scope\n---\nEverything.\n".to_string(),
            ),
            (
                "policies/a.md",
                policy("a", "public", "See [b](b.md#plan) and [c](policy:c)."),
            ),
            ("policies/b.md", policy("b", "public", "## Plan\n")),
            ("policies/c.md", policy("c", "internal", "Secret.")),
        ];
        crate::testing::write_files(dir, files);
    }

    fn linked(dir: &std::path::Path, cache: &Arc<Cache>) -> Site {
        let today = Date::parse("2026-06-01").expect("date");
        let (site, diags) = load_linked(dir, today, Audience::Internal, cache);
        assert!(!diags.has_errors(), "{:?}", diags.into_sorted());
        site.expect("the site loads")
    }

    /// Policy a's owner key and body.
    fn policy_a(site: &Site) -> (Owner, &Markdown) {
        let (key, node) = site
            .policies
            .iter()
            .find(|(_, p)| p.common.id == "a")
            .expect("policy a");
        (Owner::Item(key.into()), &node.body)
    }

    fn kept_for(site: &Site) -> Option<Arc<LinkFindings>> {
        let (owner, md) = policy_a(site);
        let key = crate::cache::hash(&(link_env(site), owner, Classification::Public));
        md.findings_for(key)
    }

    /// `serve` keeps each text's link findings on it: a rebuild in which nothing the rules
    /// read changed takes them again instead of checking the text anew.
    #[test]
    fn a_texts_link_findings_are_kept_and_taken_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_site(dir.path());
        let cache = Arc::new(Cache::default());
        let first = linked(dir.path(), &cache);
        let found = check(&first).into_sorted();
        assert!(
            found
                .iter()
                .any(|d| d.rule == Rule::RestrictedLink && d.pos.path == "policies/a.md"),
            "the public policy's link to the internal one is reported"
        );
        let kept = kept_for(&first).expect("policy a's findings are kept");
        assert_eq!(kept.diags.clone().into_sorted().len(), 1);
        drop(first);
        cache.begin();
        let second = linked(dir.path(), &cache);
        let again = kept_for(&second).expect("the rebuild finds them");
        assert!(
            Arc::ptr_eq(&kept, &again),
            "the same findings, not made again"
        );
        assert_eq!(check(&second).into_sorted(), found, "the same findings");
    }

    /// A one-shot build keeps nothing on its texts: each is checked once.
    #[test]
    fn a_one_shot_build_keeps_no_findings() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_site(dir.path());
        let site = linked(dir.path(), &Arc::new(Cache::one_shot()));
        check(&site);
        assert!(kept_for(&site).is_none());
    }
}

//! Rules over the linked `Site`: what an auditor asks first (is every applicable control
//! covered, is the evidence current) and what breaks quietly (anchors that don't exist, links
//! readers will see as dead text). Build and `check` share these rules: errors here fail a
//! build, warnings are printed by both.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::diagnostic::{Diagnostics, Pos, suggest};
use crate::markdown;
use crate::model::*;
use crate::rules::Rule;
use crate::site::{ItemKey, Site, Target};

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
    // Each text is checked on its own (in parallel); the findings are merged in text order.
    let found: Vec<(Diagnostics, Vec<ItemKey>)> = owned_texts(site)
        .par_iter()
        .map(|&(owner, class, md)| text_links(site, owner, class, md))
        .collect();
    let mut linked: HashSet<ItemKey> = HashSet::default();
    for (d, keys) in found {
        diags.extend(d);
        linked.extend(keys);
    }
    orphans(site, &linked, diags);
}

/// The findings of the links of one text, and the items it links to (other than its own).
fn text_links(
    site: &Site,
    owner: Owner,
    class: Classification,
    md: &Markdown,
) -> (Diagnostics, Vec<ItemKey>) {
    let mut diags = Diagnostics::new();
    let diags = &mut diags;
    let mut linked = Vec::new();
    let mut anchors: HashMap<Owner, Vec<String>> = HashMap::default();
    {
        let resolved = site.resolved_links(md);
        for (link, resolution) in md.links().iter().zip(resolved.iter()) {
            let pos = || markdown::position(md, link);
            // `#x` is never ours to resolve (`Site::resolve` gives `Ok(None)`): only then is
            // the destination read, which is another cache miss per link on a large site.
            if matches!(resolution, Ok(None))
                && let Some(fragment) = link.dest.strip_prefix('#')
            {
                // An in-page anchor: only pages that are a Markdown body have known headings.
                if matches!(owner, Owner::Scope | Owner::Item(ItemKey::Policy(_))) {
                    check_anchor(site, &mut anchors, owner, fragment, &link.dest, pos, diags);
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
                check_anchor(site, &mut anchors, t, f, &link.dest, pos, diags);
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
    (std::mem::take(diags), linked)
}

/// Policies and evidence that nothing links to (`linked`: what the texts link to).
fn orphans(site: &Site, linked: &HashSet<ItemKey>, diags: &mut Diagnostics) {
    for (key, p) in site.policies.iter() {
        if p.links.controls.is_empty()
            && p.links.findings.is_empty()
            && !linked.contains(&key.into())
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
        if e.links.controls.is_empty() && !linked.contains(&key.into()) {
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

/// Reports `fragment` if the page of `target` has no heading with that anchor. Only pages
/// whose body is Markdown (policies, the scope) are checked; other pages' anchors come from
/// templates.
fn check_anchor(
    site: &Site,
    cache: &mut HashMap<Owner, Vec<String>>,
    target: Owner,
    fragment: &str,
    dest: &str,
    pos: impl Fn() -> Pos,
    diags: &mut Diagnostics,
) {
    let (body, name) = match target {
        Owner::Scope => (&site.scope.body, "the scope statement".to_string()),
        Owner::Item(ItemKey::Policy(i)) => (
            &site.policies[i].body,
            format!("policy \"{}\"", site.policies[i].common.id),
        ),
        Owner::Item(..) => return,
    };
    let ids = match cache.entry(target) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(v) => match body.heading_ids() {
            Ok(ids) => v.insert(ids.to_vec()),
            // A policy's text read again from a file that changed since it was loaded.
            Err(d) => return diags.push(d),
        },
    };
    // Anchors the default theme puts on every page besides the body's headings.
    let theme_ids = ["main", "impl-h", "find-h"];
    if ids.iter().any(|id| id == fragment) || theme_ids.contains(&fragment) {
        return;
    }
    let mut msg =
        format!("link to \"{dest}\": {name} has no heading with the anchor \"#{fragment}\"");
    match suggest(fragment, ids.iter().map(String::as_str)) {
        Some(s) => msg.push_str(&format!(" (did you mean \"#{s}\"?)")),
        None if ids.is_empty() => msg.push_str(", and no headings at all"),
        None => msg.push_str(&format!(", expected one of #{}", ids.join(", #"))),
    }
    diags.error(pos(), Rule::BrokenAnchor, msg);
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

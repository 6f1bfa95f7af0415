//! One builder per page kind. Each takes the render context and returns outputs.

use serde::Serialize;

use super::RenderContext;
use super::views::*;
use super::visibility::Access;
use crate::catalog::THEMES;
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, TocEntry};
use crate::model::*;
use crate::output::Output;

/// The 404 page is served for missing URLs at any depth, so its relative links need a base:
/// the path of `base_url` (host-independent), when `base_url` gives one.
pub(super) fn not_found(cx: &RenderContext) -> Result<Output, Diagnostic> {
    let mut base = Base::new(cx, "Page not found", 0, "");
    base.page.base_href = base_path(&cx.site.config.base_url);
    cx.page("404.html", "404.html".into(), &base)
}

/// `https://trust.example/security/` → `/security/`; `/` → `/`; a relative base_url → none.
fn base_path(base_url: &str) -> Option<String> {
    let path = match base_url.split_once("://") {
        Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or("/"),
        None if base_url.starts_with('/') => base_url,
        None => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or("/");
    Some(if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    })
}

/// `sitemap.xml` for search engines (public builds only; the others ask not to be indexed),
/// listing the pages of `paths`, which are exactly the pages this build contains.
pub(super) fn sitemap(base_url: &str, paths: &[String]) -> Output {
    let base = if base_url.ends_with('/') {
        base_url.to_string()
    } else {
        format!("{base_url}/")
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in paths.iter().filter(|p| p.ends_with("index.html")) {
        let dir = p.trim_end_matches("index.html");
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            markdown::escape(&format!("{base}{dir}"))
        ));
    }
    xml.push_str("</urlset>\n");
    Output {
        path: "sitemap.xml".into(),
        bytes: xml.into_bytes(),
    }
}

/// `robots.txt`: only the public trust center may be crawled.
pub(super) fn robots(cx: &RenderContext) -> Output {
    let robots = if cx.audience == Classification::Public {
        "User-agent: *\nAllow: /\n"
    } else {
        "User-agent: *\nDisallow: /\n"
    };
    Output {
        path: "robots.txt".into(),
        bytes: robots.as_bytes().to_vec(),
    }
}

/// The context every template gets.
#[derive(Serialize)]
struct Base {
    page: PageView,
    site: SiteView,
    nav: Vec<NavItem>,
}

impl Base {
    fn new(cx: &RenderContext, title: &str, depth: usize, section: &'static str) -> Base {
        Base {
            page: cx.page_view(title, depth, section),
            site: cx.site_view(),
            nav: cx.nav(depth, section),
        }
    }
}

/// A page's context: the base plus the page's own data, flattened for templates.
#[derive(Serialize)]
struct Ctx<T: Serialize> {
    #[serde(flatten)]
    base: Base,
    #[serde(flatten)]
    data: T,
}

fn page<T: Serialize>(
    cx: &RenderContext,
    template: &str,
    path: String,
    title: &str,
    depth: usize,
    section: &'static str,
    data: T,
) -> Result<Output, Diagnostic> {
    cx.page(
        template,
        path,
        &Ctx {
            base: Base::new(cx, title, depth, section),
            data,
        },
    )
}

// ---------------------------------------------------------------- home and scope

#[derive(Serialize)]
struct CertificateView {
    status: String,
    status_class: &'static str,
    reference: Option<String>,
    certification_body: Option<String>,
    accreditation_body: Option<String>,
    issued: Option<String>,
    expires: Option<String>,
    expired: bool,
    register_url: Option<String>,
    standard: Option<String>,
}

#[derive(Serialize, Default)]
struct Coverage {
    total: usize,
    applicable: usize,
    implemented: usize,
    partial: usize,
    planned: usize,
    not_implemented: usize,
    not_applicable: usize,
    not_assessed: usize,
    not_published: usize,
    percent: usize,
}

#[derive(Serialize)]
struct Card {
    title: &'static str,
    url: String,
    text: String,
}

fn coverage(cx: &RenderContext) -> Coverage {
    let mut c = Coverage {
        total: cx.site.controls.len(),
        ..Coverage::default()
    };
    for (i, control) in cx.site.controls.iter().enumerate() {
        let Some(m) = &control.mapping else {
            c.not_assessed += 1;
            continue;
        };
        if !cx.mapping_visible(i) {
            c.not_published += 1;
            continue;
        }
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

pub(super) fn home(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        certificate: Option<CertificateView>,
        scope_title: String,
        legal_entity: Option<String>,
        services: Vec<String>,
        coverage: Coverage,
        cards: Vec<Card>,
    }
    let site = cx.site;
    let certificate = site.config.certificate.as_ref().map(|c| CertificateView {
        status: c.status.label().to_string(),
        status_class: c.status.as_str(),
        reference: c.reference.clone(),
        certification_body: c.certification_body.clone(),
        accreditation_body: c.accreditation_body.clone(),
        issued: date(c.issued),
        expires: date(c.expires),
        expired: is_expired(c.expires, site.today),
        register_url: c.register_url.clone(),
        standard: c.standard.clone(),
    });
    let count = |c: Collection| {
        (0..site.len(c))
            .filter(|i| cx.access(c, *i) == Access::Full)
            .count()
    };
    let coverage = coverage(cx);
    let mut cards = vec![
        Card {
            title: "Scope",
            url: "scope/".into(),
            text: "What the ISMS covers: services, locations, environments and exclusions.".into(),
        },
        Card {
            title: "Policies",
            url: "policies/".into(),
            text: format!(
                "{} published policies and standards.",
                count(Collection::Policies)
            ),
        },
        Card {
            title: "Statement of Applicability",
            url: "controls/".into(),
            text: format!(
                "{} of {} applicable Annex A controls implemented.",
                coverage.implemented, coverage.applicable
            ),
        },
        Card {
            title: "Traceability",
            url: "traceability/".into(),
            text: "Every control traced to its policies and evidence, and the gaps.".into(),
        },
    ];
    for (c, title, noun) in [
        (Collection::Evidence, "Evidence", "evidence items"),
        (Collection::Risks, "Risks", "risks in the register"),
        (
            Collection::Findings,
            "Findings",
            "audit findings and their corrective actions",
        ),
    ] {
        if cx.any_visible(c) {
            cards.push(Card {
                title,
                url: format!("{}/", c.dir()),
                text: format!("{} {noun}.", count(c)),
            });
        }
    }
    let subprocessors = (0..site.suppliers.len())
        .filter(|i| {
            site.suppliers[*i].subprocessor && cx.access(Collection::Suppliers, *i) == Access::Full
        })
        .count();
    cards.push(Card {
        title: "Subprocessors",
        url: "suppliers/".into(),
        text: format!("{subprocessors} subprocessors and the assurance they hold."),
    });
    let data = Data {
        certificate,
        scope_title: site.scope.title.clone(),
        legal_entity: site.scope.legal_entity.clone(),
        services: site.scope.services.clone(),
        coverage,
        cards,
    };
    page(
        cx,
        "index.html",
        "index.html".into(),
        &site.config.title,
        0,
        "home",
        data,
    )
}

pub(super) fn scope(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct ExclusionView {
        item: String,
        justification: Option<String>,
    }
    #[derive(Serialize)]
    struct Data {
        scope_title: String,
        legal_entity: Option<String>,
        services: Vec<String>,
        locations: Vec<String>,
        hosted_environments: Vec<String>,
        exclusions: Vec<ExclusionView>,
        assumptions: Vec<String>,
        updated: Option<String>,
        body: String,
        toc: Vec<TocEntry>,
    }
    let s = &cx.site.scope;
    let rendered = cx.markdown(&s.body, "../");
    let data = Data {
        scope_title: s.title.clone(),
        legal_entity: s.legal_entity.clone(),
        services: s.services.clone(),
        locations: s.locations.clone(),
        hosted_environments: s.hosted_environments.clone(),
        exclusions: s
            .exclusions
            .iter()
            .map(|e| ExclusionView {
                item: e.item.clone(),
                justification: e.justification.clone(),
            })
            .collect(),
        assumptions: s.assumptions.clone(),
        updated: date(s.updated),
        body: rendered.html.clone(),
        toc: rendered.toc.clone(),
    };
    page(
        cx,
        "scope.html",
        "scope/index.html".into(),
        &s.title,
        1,
        "scope",
        data,
    )
}

// ---------------------------------------------------------------- policies

#[derive(Serialize)]
struct PolicyRow {
    link: ItemLink,
    owner: String,
    version: String,
    status: Badge,
    classification: &'static str,
    review_by: Option<String>,
    review_overdue: bool,
    summary: Option<String>,
}

pub(super) fn policies_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        policies: Vec<PolicyRow>,
        listed: Vec<ItemLink>,
        restricted: usize,
    }
    let site = cx.site;
    let mut order: Vec<usize> = (0..site.policies.len()).collect();
    order.sort_by(|a, b| {
        site.policies[*a]
            .title
            .to_lowercase()
            .cmp(&site.policies[*b].title.to_lowercase())
    });
    let mut rows = Vec::new();
    let mut listed = Vec::new();
    let mut restricted = 0;
    for i in order {
        let p = &site.policies[i];
        match cx.access(Collection::Policies, i) {
            Access::Full => rows.push(PolicyRow {
                link: cx
                    .item_link("../", Collection::Policies, i)
                    .expect("full access has a link"),
                owner: p.owner.clone(),
                version: p.version.clone(),
                status: policy_status_badge(p.status),
                classification: p.common.classification.as_str(),
                review_by: date(p.review_by),
                review_overdue: p.status == PolicyStatus::Approved
                    && is_overdue(p.review_by, site.today),
                summary: p.summary.clone(),
            }),
            Access::Listed => listed.extend(cx.item_link("../", Collection::Policies, i)),
            Access::Hidden if cx.is_restricted(Collection::Policies, i) => restricted += 1,
            Access::Hidden => {}
        }
    }
    page(
        cx,
        "policies.html",
        "policies/index.html".into(),
        "Policies",
        1,
        "policies",
        Data {
            policies: rows,
            listed,
            restricted,
        },
    )
}

pub(super) fn policy(cx: &RenderContext, i: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        policy: PolicyRow,
        id: String,
        approved: Option<String>,
        toc: Vec<TocEntry>,
        body: String,
        controls: Vec<ItemLink>,
        findings: Vec<ItemLink>,
        restricted_findings: usize,
    }
    let site = cx.site;
    let p = &site.policies[i];
    let root = "../../";
    let rendered = cx.markdown(&p.body, root);
    let controls = site.policy_controls[i]
        .iter()
        .filter(|ci| cx.link_visible(**ci, Collection::Policies, i))
        .filter_map(|ci| {
            let mut l = cx.item_link(root, Collection::Controls, *ci)?;
            l.badge = Some(control_badge(cx, *ci));
            Some(l)
        })
        .collect();
    let (findings, restricted_findings) =
        finding_links(cx, root, site.policy_findings[i].iter().copied());
    let row = PolicyRow {
        link: cx
            .item_link(root, Collection::Policies, i)
            .expect("rendered only with full access"),
        owner: p.owner.clone(),
        version: p.version.clone(),
        status: policy_status_badge(p.status),
        classification: p.common.classification.as_str(),
        review_by: date(p.review_by),
        review_overdue: p.status == PolicyStatus::Approved && is_overdue(p.review_by, site.today),
        summary: p.summary.clone(),
    };
    let data = Data {
        policy: row,
        id: p.common.id.clone(),
        approved: date(p.approved),
        toc: rendered.toc.clone(),
        body: rendered.html.clone(),
        controls,
        findings,
        restricted_findings,
    };
    page(
        cx,
        "policy.html",
        format!("policies/{}/index.html", p.common.slug),
        &p.title,
        2,
        "policies",
        data,
    )
}

fn finding_links(
    cx: &RenderContext,
    root: &str,
    items: impl IntoIterator<Item = usize>,
) -> (Vec<ItemLink>, usize) {
    let (mut links, restricted) = cx.links_from(root, Collection::Findings, items);
    for l in &mut links {
        if let Some(f) = cx
            .site
            .lookup(Collection::Findings, &l.id)
            .map(|i| &cx.site.findings[i])
        {
            l.badge = Some(finding_kind_badge(f.kind));
            l.note = Some(finding_status_badge(f, cx.site.today).text);
        }
    }
    (links, restricted)
}

fn control_badge(cx: &RenderContext, ci: usize) -> Badge {
    match (&cx.site.controls[ci].mapping, cx.mapping_visible(ci)) {
        (Some(m), true) => control_status_badge(m.status, Some(m.applicable)),
        (Some(_), false) => Badge::new("Not published", "neutral"),
        (None, _) => control_status_badge(None, None),
    }
}

// ---------------------------------------------------------------- controls

#[derive(Serialize)]
struct ControlRow {
    id: String,
    title: &'static str,
    theme: &'static str,
    url: String,
    published: bool,
    assessed: bool,
    applicable: Option<bool>,
    status: Badge,
    justification: Option<String>,
    owner: Option<String>,
    policies: usize,
    evidence: usize,
}

fn control_row(cx: &RenderContext, ci: usize, root: &str) -> ControlRow {
    let c = &cx.site.controls[ci];
    let visible = cx.mapping_visible(ci);
    let mapping = c.mapping.as_ref().filter(|_| visible);
    let count = |collection: Collection, items: &[usize]| {
        items
            .iter()
            .filter(|i| {
                cx.link_visible(ci, collection, **i) && cx.access(collection, **i) == Access::Full
            })
            .count()
    };
    ControlRow {
        id: c.catalog.id.to_string(),
        title: c.catalog.title,
        theme: c.catalog.theme,
        url: cx.item_url(root, Collection::Controls, ci),
        published: visible || c.mapping.is_none(),
        assessed: c.mapping.is_some(),
        applicable: mapping.map(|m| m.applicable),
        status: control_badge(cx, ci),
        justification: mapping.and_then(|m| m.justification.clone()),
        owner: mapping.and_then(|m| m.owner.clone()),
        policies: count(Collection::Policies, &c.policies),
        evidence: count(Collection::Evidence, &c.evidence),
    }
}

/// The Statement of Applicability rows, in catalog order, with links from a page at `root`.
fn soa_rows(cx: &RenderContext, root: &str) -> Vec<ControlRow> {
    (0..cx.site.controls.len())
        .map(|ci| control_row(cx, ci, root))
        .collect()
}

pub(super) fn controls_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Theme {
        name: &'static str,
        controls: Vec<ControlRow>,
    }
    #[derive(Serialize)]
    struct Data {
        themes: Vec<Theme>,
        coverage: Coverage,
    }
    let mut themes: Vec<Theme> = THEMES
        .iter()
        .map(|name| Theme {
            name,
            controls: Vec::new(),
        })
        .collect();
    for row in soa_rows(cx, "../") {
        if let Some(t) = themes.iter_mut().find(|t| t.name == row.theme) {
            t.controls.push(row);
        }
    }
    let data = Data {
        themes,
        coverage: coverage(cx),
    };
    page(
        cx,
        "controls.html",
        "controls/index.html".into(),
        "Statement of Applicability",
        1,
        "controls",
        data,
    )
}

pub(super) fn soa(cx: &RenderContext) -> Output {
    Output {
        path: "controls/soa.csv".into(),
        bytes: soa_csv(&soa_rows(cx, "../")).into_bytes(),
    }
}

/// The SoA as CSV (RFC 4180), with exactly what the SoA page shows.
fn soa_csv(rows: &[ControlRow]) -> String {
    let mut out = String::from(
        "control,title,theme,applicable,status,justification,owner,policies,evidence\r\n",
    );
    for r in rows {
        let applicable = match r.applicable {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        let fields = [
            r.id.clone(),
            r.title.to_string(),
            r.theme.to_string(),
            applicable.to_string(),
            r.status.text.clone(),
            r.justification.clone().unwrap_or_default(),
            r.owner.clone().unwrap_or_default(),
            r.policies.to_string(),
            r.evidence.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base_paths() {
        for (url, expected) in [
            ("https://trust.example/", Some("/")),
            ("https://trust.example", Some("/")),
            ("https://x.example/security/trust", Some("/security/trust/")),
            ("/", Some("/")),
            ("/sub", Some("/sub/")),
            ("trust", None),
        ] {
            assert_eq!(super::base_path(url).as_deref(), expected, "{url}");
        }
    }
}

fn csv_field(s: &str) -> String {
    // Quote when needed; a leading formula character is neutralised for spreadsheet safety.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub(super) fn control(cx: &RenderContext, ci: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        control: ControlRow,
        notes: Option<String>,
        policies: Vec<ItemLink>,
        evidence: Vec<ItemLink>,
        risks: Vec<ItemLink>,
        findings: Vec<ItemLink>,
        restricted: usize,
    }
    let root = "../../";
    let c = &cx.site.controls[ci];
    let visible_links = |collection: Collection, items: &[usize]| -> Vec<usize> {
        items
            .iter()
            .copied()
            .filter(|i| cx.link_visible(ci, collection, *i))
            .collect()
    };
    let (policies, rp) = cx.links_from(
        root,
        Collection::Policies,
        visible_links(Collection::Policies, &c.policies),
    );
    let (mut evidence, re) = cx.links_from(
        root,
        Collection::Evidence,
        visible_links(Collection::Evidence, &c.evidence),
    );
    for l in &mut evidence {
        if let Some(e) = cx
            .site
            .lookup(Collection::Evidence, &l.id)
            .map(|i| &cx.site.evidence[i])
            && !l.locked
        {
            l.badge = Some(freshness(e.expires, cx.site.today));
            l.note = date(e.expires).map(|d| format!("expires {d}"));
        }
    }
    let (risks, rr) = cx.links_from(
        root,
        Collection::Risks,
        visible_links(Collection::Risks, &c.risks),
    );
    let (findings, rf) = finding_links(cx, root, visible_links(Collection::Findings, &c.findings));
    let notes = c
        .mapping
        .as_ref()
        .filter(|_| cx.mapping_visible(ci))
        .and_then(|m| cx.markdown_html(m.notes.as_ref(), root));
    let row = control_row(cx, ci, root);
    let title = format!("{} {}", row.id, row.title);
    let data = Data {
        control: row,
        notes,
        policies,
        evidence,
        risks,
        findings,
        restricted: rp + re + rr + rf,
    };
    page(
        cx,
        "control.html",
        format!("controls/{}/index.html", c.catalog.id.slug()),
        &title,
        2,
        "controls",
        data,
    )
}

// ---------------------------------------------------------------- traceability

pub(super) fn traceability(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Row {
        control: ControlRow,
        policies: Vec<ItemLink>,
        /// One flag per matrix column.
        cells: Vec<bool>,
    }
    #[derive(Serialize)]
    struct Gap {
        control: ItemLink,
        detail: Option<String>,
    }
    #[derive(Serialize)]
    struct Data {
        rows: Vec<Row>,
        columns: Vec<ItemLink>,
        matrix: bool,
        no_policy: Vec<Gap>,
        no_evidence: Vec<Gap>,
        expired_evidence: Vec<Gap>,
        not_assessed: Vec<Gap>,
    }
    /// A grid wider than this is unreadable; the list form carries the same links.
    const MATRIX_MAX_COLUMNS: usize = 40;
    let root = "../";
    let site = cx.site;
    let columns: Vec<usize> = (0..site.policies.len())
        .filter(|i| cx.access(Collection::Policies, *i) == Access::Full)
        .collect();
    let matrix = !columns.is_empty() && columns.len() <= MATRIX_MAX_COLUMNS;
    let mut data = Data {
        rows: Vec::new(),
        columns: if matrix {
            cx.links_from(root, Collection::Policies, columns.iter().copied())
                .0
        } else {
            Vec::new()
        },
        matrix,
        no_policy: Vec::new(),
        no_evidence: Vec::new(),
        expired_evidence: Vec::new(),
        not_assessed: Vec::new(),
    };
    for (ci, c) in site.controls.iter().enumerate() {
        let link = || {
            cx.item_link(root, Collection::Controls, ci)
                .expect("controls are public")
        };
        let gap = |detail: Option<String>| Gap {
            control: link(),
            detail,
        };
        let linked: Vec<usize> = c
            .policies
            .iter()
            .copied()
            .filter(|p| {
                cx.link_visible(ci, Collection::Policies, *p)
                    && cx.access(Collection::Policies, *p) == Access::Full
            })
            .collect();
        let cells = if matrix {
            columns
                .iter()
                .map(|p| linked.binary_search(p).is_ok())
                .collect()
        } else {
            Vec::new()
        };
        let (policies, _) = cx.links_from(root, Collection::Policies, linked.iter().copied());
        data.rows.push(Row {
            control: control_row(cx, ci, root),
            policies,
            cells,
        });
        match &c.mapping {
            None => data.not_assessed.push(gap(None)),
            Some(m) if m.applicable && cx.mapping_visible(ci) => {
                if c.policies.is_empty() {
                    data.no_policy.push(gap(None));
                }
                if c.evidence.is_empty() {
                    data.no_evidence.push(gap(None));
                }
                let expired: Vec<String> = c
                    .evidence
                    .iter()
                    .filter(|e| {
                        cx.access(Collection::Evidence, **e) == Access::Full
                            && is_expired(site.evidence[**e].expires, site.today)
                    })
                    .map(|e| {
                        format!(
                            "{} expired {}",
                            site.evidence[*e].title,
                            date(site.evidence[*e].expires).unwrap_or_default()
                        )
                    })
                    .collect();
                if !expired.is_empty() {
                    data.expired_evidence.push(gap(Some(expired.join("; "))));
                }
            }
            Some(_) => {}
        }
    }
    page(
        cx,
        "traceability.html",
        "traceability/index.html".into(),
        "Traceability",
        1,
        "traceability",
        data,
    )
}

// ---------------------------------------------------------------- evidence

#[derive(Serialize)]
struct EvidenceRow {
    link: ItemLink,
    kind: Option<&'static str>,
    owner: Option<String>,
    collected: Option<String>,
    expires: Option<String>,
    freshness: Badge,
}

fn evidence_row(cx: &RenderContext, i: usize, root: &str) -> Option<EvidenceRow> {
    let e = &cx.site.evidence[i];
    let link = cx.item_link(root, Collection::Evidence, i)?;
    let locked = link.locked;
    Some(EvidenceRow {
        link,
        kind: e.kind.map(|k| k.label()).filter(|_| !locked),
        owner: e.owner.clone().filter(|_| !locked),
        collected: date(e.collected).filter(|_| !locked),
        expires: date(e.expires).filter(|_| !locked),
        freshness: if locked {
            Badge::new("Available on request", "locked")
        } else {
            freshness(e.expires, cx.site.today)
        },
    })
}

pub(super) fn evidence_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        evidence: Vec<EvidenceRow>,
        restricted: usize,
    }
    let site = cx.site;
    let rows: Vec<EvidenceRow> = (0..site.evidence.len())
        .filter_map(|i| evidence_row(cx, i, "../"))
        .collect();
    let restricted = (0..site.evidence.len())
        .filter(|i| {
            cx.access(Collection::Evidence, *i) == Access::Hidden
                && cx.is_restricted(Collection::Evidence, *i)
        })
        .count();
    page(
        cx,
        "evidence_list.html",
        "evidence/index.html".into(),
        "Evidence",
        1,
        "evidence",
        Data {
            evidence: rows,
            restricted,
        },
    )
}

pub(super) fn evidence_page(cx: &RenderContext, i: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        evidence: EvidenceRow,
        classification: &'static str,
        url: Option<String>,
        file: Option<String>,
        description: Option<String>,
        notes: Option<String>,
        controls: Vec<ItemLink>,
    }
    let root = "../../";
    let e = &cx.site.evidence[i];
    let controls = cx.site.evidence_controls[i]
        .iter()
        .filter(|ci| cx.link_visible(**ci, Collection::Evidence, i))
        .filter_map(|ci| cx.item_link(root, Collection::Controls, *ci))
        .collect();
    let data = Data {
        evidence: evidence_row(cx, i, root).expect("rendered only with full access"),
        classification: e.common.classification.as_str(),
        url: e.url.clone(),
        file: e.file.as_ref().map(|f| f.file_name.clone()),
        description: cx.markdown_html(e.description.as_ref(), root),
        notes: cx.markdown_html(e.common.notes.as_ref(), root),
        controls,
    };
    page(
        cx,
        "evidence.html",
        format!("evidence/{}/index.html", e.common.slug),
        &e.title,
        2,
        "evidence",
        data,
    )
}

// ---------------------------------------------------------------- risks

#[derive(Serialize)]
struct RiskRow {
    link: ItemLink,
    owner: Option<String>,
    inherent: Option<Score>,
    residual: Option<Score>,
    treatment: Option<&'static str>,
    status: Option<&'static str>,
    review_by: Option<String>,
    review_overdue: bool,
}

fn risk_row(cx: &RenderContext, i: usize, root: &str) -> Option<RiskRow> {
    let r = &cx.site.risks[i];
    let link = cx.item_link(root, Collection::Risks, i)?;
    if link.locked {
        return Some(RiskRow {
            link,
            owner: None,
            inherent: None,
            residual: None,
            treatment: None,
            status: None,
            review_by: None,
            review_overdue: false,
        });
    }
    Some(RiskRow {
        link,
        owner: r.owner.clone(),
        inherent: score(r.likelihood, r.impact),
        residual: score(r.residual_likelihood, r.residual_impact),
        treatment: r.treatment.map(|t| t.label()),
        status: r.status.map(|s| s.label()),
        review_by: date(r.review_by),
        review_overdue: r.status != Some(RiskStatus::Closed)
            && is_overdue(r.review_by, cx.site.today),
    })
}

pub(super) fn risks_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        risks: Vec<RiskRow>,
        restricted: usize,
    }
    let n = cx.site.risks.len();
    let mut rows: Vec<RiskRow> = (0..n).filter_map(|i| risk_row(cx, i, "../")).collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.inherent.as_ref().map(|s| s.value).unwrap_or(0)));
    let restricted = (0..n)
        .filter(|i| {
            cx.access(Collection::Risks, *i) == Access::Hidden
                && cx.is_restricted(Collection::Risks, *i)
        })
        .count();
    page(
        cx,
        "risks.html",
        "risks/index.html".into(),
        "Risk register",
        1,
        "risks",
        Data {
            risks: rows,
            restricted,
        },
    )
}

pub(super) fn risk_page(cx: &RenderContext, i: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        risk: RiskRow,
        asset: Option<String>,
        threat: Option<String>,
        vulnerability: Option<String>,
        likelihood: Option<u8>,
        impact: Option<u8>,
        residual_likelihood: Option<u8>,
        residual_impact: Option<u8>,
        classification: &'static str,
        controls: Vec<ItemLink>,
        notes: Option<String>,
    }
    let root = "../../";
    let r = &cx.site.risks[i];
    let controls = cx.site.risk_controls[i]
        .iter()
        .filter(|ci| cx.link_visible(**ci, Collection::Risks, i))
        .filter_map(|ci| cx.item_link(root, Collection::Controls, *ci))
        .collect();
    let data = Data {
        risk: risk_row(cx, i, root).expect("rendered only with full access"),
        asset: r.asset.clone(),
        threat: r.threat.clone(),
        vulnerability: r.vulnerability.clone(),
        likelihood: r.likelihood,
        impact: r.impact,
        residual_likelihood: r.residual_likelihood,
        residual_impact: r.residual_impact,
        classification: r.common.classification.as_str(),
        controls,
        notes: cx.markdown_html(r.common.notes.as_ref(), root),
    };
    page(
        cx,
        "risk.html",
        format!("risks/{}/index.html", r.common.slug),
        &r.title,
        2,
        "risks",
        data,
    )
}

// ---------------------------------------------------------------- findings

#[derive(Serialize)]
struct FindingRow {
    link: ItemLink,
    kind: Badge,
    status: Badge,
    source: Option<String>,
    owner: Option<String>,
    raised: Option<String>,
    due: Option<String>,
    closed: Option<String>,
    overdue: bool,
}

fn finding_row(cx: &RenderContext, i: usize, root: &str) -> Option<FindingRow> {
    let f = &cx.site.findings[i];
    let link = cx.item_link(root, Collection::Findings, i)?;
    let today = cx.site.today;
    Some(FindingRow {
        link,
        kind: finding_kind_badge(f.kind),
        status: finding_status_badge(f, today),
        source: f.source.clone(),
        owner: f.owner.clone(),
        raised: date(f.raised),
        due: date(f.due),
        closed: date(f.closed),
        overdue: finding_is_open(f) && is_overdue(f.due, today),
    })
}

pub(super) fn findings_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Count {
        label: &'static str,
        class: &'static str,
        total: usize,
        open: usize,
    }
    #[derive(Serialize)]
    struct Data {
        by_kind: Vec<Count>,
        open_total: usize,
        overdue_total: usize,
        closed_total: usize,
        open_actions: Vec<FindingRow>,
        strengths: Vec<FindingRow>,
        all: Vec<FindingRow>,
        listed: Vec<ItemLink>,
        restricted: usize,
    }
    let site = cx.site;
    let visible: Vec<usize> = (0..site.findings.len())
        .filter(|i| cx.access(Collection::Findings, *i) == Access::Full)
        .collect();
    let by_kind = FindingKind::ALL
        .iter()
        .map(|k| {
            let of_kind: Vec<&Finding> = visible
                .iter()
                .map(|i| &site.findings[*i])
                .filter(|f| f.kind == Some(*k))
                .collect();
            Count {
                label: k.label(),
                class: k.as_str(),
                total: of_kind.len(),
                open: of_kind.iter().filter(|f| finding_is_open(f)).count(),
            }
        })
        .collect();
    let rows: Vec<FindingRow> = visible
        .iter()
        .filter_map(|i| finding_row(cx, *i, "../"))
        .collect();
    let mut open_actions: Vec<FindingRow> = visible
        .iter()
        .filter(|i| finding_is_open(&site.findings[**i]))
        .filter_map(|i| finding_row(cx, *i, "../"))
        .collect();
    open_actions.sort_by(|a, b| (a.due.is_none(), &a.due).cmp(&(b.due.is_none(), &b.due)));
    let strengths = visible
        .iter()
        .filter(|i| site.findings[**i].kind == Some(FindingKind::Strength))
        .filter_map(|i| finding_row(cx, *i, "../"))
        .collect();
    let listed = (0..site.findings.len())
        .filter(|i| cx.access(Collection::Findings, *i) == Access::Listed)
        .filter_map(|i| cx.item_link("../", Collection::Findings, i))
        .collect();
    let restricted = (0..site.findings.len())
        .filter(|i| {
            cx.access(Collection::Findings, *i) == Access::Hidden
                && cx.is_restricted(Collection::Findings, *i)
        })
        .count();
    let data = Data {
        by_kind,
        open_total: open_actions.len(),
        overdue_total: open_actions.iter().filter(|r| r.overdue).count(),
        closed_total: visible
            .iter()
            .filter(|i| site.findings[**i].status == Some(FindingStatus::Closed))
            .count(),
        open_actions,
        strengths,
        all: rows,
        listed,
        restricted,
    };
    page(
        cx,
        "findings.html",
        "findings/index.html".into(),
        "Findings",
        1,
        "findings",
        data,
    )
}

pub(super) fn finding_page(cx: &RenderContext, i: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        finding: FindingRow,
        classification: &'static str,
        description: Option<String>,
        root_cause: Option<String>,
        corrective_action: Option<String>,
        notes: Option<String>,
        controls: Vec<ItemLink>,
        policies: Vec<ItemLink>,
        restricted: usize,
    }
    let root = "../../";
    let site = cx.site;
    let f = &site.findings[i];
    let controls = site.finding_controls[i]
        .iter()
        .filter_map(|ci| cx.item_link(root, Collection::Controls, *ci))
        .collect();
    let (policies, restricted) = cx.links_from(
        root,
        Collection::Policies,
        site.finding_policies[i].iter().copied(),
    );
    let md = |m: Option<&Markdown>| cx.markdown_html(m, root);
    let data = Data {
        finding: finding_row(cx, i, root).expect("rendered only with full access"),
        classification: f.common.classification.as_str(),
        description: md(f.description.as_ref()),
        root_cause: md(f.root_cause.as_ref()),
        corrective_action: md(f.corrective_action.as_ref()),
        notes: md(f.common.notes.as_ref()),
        controls,
        policies,
        restricted,
    };
    page(
        cx,
        "finding.html",
        format!("findings/{}/index.html", f.common.slug),
        &f.title,
        2,
        "findings",
        data,
    )
}

// ---------------------------------------------------------------- suppliers

#[derive(Serialize)]
struct SupplierRow {
    link: ItemLink,
    service: Option<String>,
    data: Option<String>,
    location: Option<String>,
    assurance: Vec<String>,
    reviewed: Option<String>,
    risk: Option<&'static str>,
    subprocessor: bool,
}

fn supplier_row(cx: &RenderContext, i: usize, root: &str) -> Option<SupplierRow> {
    let s = &cx.site.suppliers[i];
    let link = cx.item_link(root, Collection::Suppliers, i)?;
    if link.locked {
        return Some(SupplierRow {
            link,
            service: None,
            data: None,
            location: None,
            assurance: vec![],
            reviewed: None,
            risk: None,
            subprocessor: s.subprocessor,
        });
    }
    Some(SupplierRow {
        link,
        service: s.service.clone(),
        data: s.data.clone(),
        location: s.location.clone(),
        assurance: s.assurance.clone(),
        reviewed: date(s.reviewed),
        risk: s.risk.map(|r| r.label()),
        subprocessor: s.subprocessor,
    })
}

pub(super) fn suppliers_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        subprocessors: Vec<SupplierRow>,
        others: Vec<SupplierRow>,
        restricted: usize,
    }
    let n = cx.site.suppliers.len();
    let (subprocessors, others): (Vec<SupplierRow>, Vec<SupplierRow>) = (0..n)
        .filter_map(|i| supplier_row(cx, i, "../"))
        .partition(|r| r.subprocessor);
    let restricted = (0..n)
        .filter(|i| {
            cx.access(Collection::Suppliers, *i) == Access::Hidden
                && cx.is_restricted(Collection::Suppliers, *i)
        })
        .count();
    page(
        cx,
        "suppliers.html",
        "suppliers/index.html".into(),
        "Suppliers and subprocessors",
        1,
        "suppliers",
        Data {
            subprocessors,
            others,
            restricted,
        },
    )
}

pub(super) fn supplier_page(cx: &RenderContext, i: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        supplier: SupplierRow,
        classification: &'static str,
        notes: Option<String>,
    }
    let root = "../../";
    let s = &cx.site.suppliers[i];
    let data = Data {
        supplier: supplier_row(cx, i, root).expect("rendered only with full access"),
        classification: s.common.classification.as_str(),
        notes: cx.markdown_html(s.common.notes.as_ref(), root),
    };
    page(
        cx,
        "supplier.html",
        format!("suppliers/{}/index.html", s.common.slug),
        &s.name,
        2,
        "suppliers",
        data,
    )
}

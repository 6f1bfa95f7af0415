//! The home page, the scope, the 404 page, `sitemap.xml` and `robots.txt`.

use serde::Serialize;

use super::{Base, page};
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{Coverage, ItemKey, WorkKind};
use crate::markdown::{self, TocEntry};
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::badges;
use crate::render::i18n::fill;
use crate::render::views::*;

/// The 404 page is served for missing URLs at any depth, so its links are absolute paths
/// under the path of `base_url` (host-independent), when `base_url` gives one.
pub(in crate::render) fn not_found(cx: &RenderContext) -> Result<Output, Diagnostic> {
    let route = Route::NotFound;
    let mut base = Base::new(cx, cx.t().not_found_title, &route, "");
    base.highlight_css = false;
    if let Some(prefix) = base_path(&cx.edition.info.base_url) {
        base.rebase(cx, &route, &prefix);
    }
    cx.page_in("404.html", &route, "", &base)
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
/// listing the pages of `routes`, which are exactly the files this build contains.
pub(in crate::render) fn sitemap(base_url: &str, routes: &[Route]) -> Output {
    let base = if base_url.ends_with('/') {
        base_url.to_string()
    } else {
        format!("{base_url}/")
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for folder in routes.iter().filter_map(Route::folder) {
        // Sitemaps want URLs in ASCII: a page address in another script is percent-encoded,
        // segment by segment as every other link to it is.
        let dir: Vec<String> = folder
            .split('/')
            .map(crate::edition::route::encode_segment)
            .collect();
        let dir = dir.join("/");
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            markdown::escape(&format!("{base}{dir}"))
        ));
    }
    xml.push_str("</urlset>\n");
    Output {
        path: Route::Sitemap.path(),
        bytes: xml.into_bytes(),
    }
}

/// `robots.txt`: only the public trust center may be crawled.
pub(in crate::render) fn robots(cx: &RenderContext) -> Output {
    let robots = if cx.audience() == Audience::Public {
        "User-agent: *\nAllow: /\n"
    } else {
        "User-agent: *\nDisallow: /\n"
    };
    Output {
        path: Route::Robots.path(),
        bytes: robots.as_bytes().to_vec(),
    }
}

#[derive(Serialize, Clone)]
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
    /// The badge, an inline SVG drawn by the theme (standard, status, valid until).
    badge: String,
}

#[derive(Serialize)]
struct Card {
    title: &'static str,
    url: String,
    text: String,
}

/// One kind of open work on the internal home page.
#[derive(Serialize)]
struct WorkGroupView {
    kind: &'static str,
    title: &'static str,
    count: usize,
    items: Vec<ItemLink>,
}

/// A subprocessor in the home page's preview.
#[derive(Serialize)]
struct SubprocessorView {
    link: ItemLink,
    service: Option<String>,
    location: Option<String>,
}

/// How many subprocessors and policy updates the home page previews.
const PREVIEW: usize = 5;

/// The home page. The public and customer editions answer "can I trust them?" in one
/// screen: certificate badges, the scope in a sentence, hosting regions, headline coverage,
/// subprocessors, the latest policy updates and a way to request documents; the internal
/// edition opens with its work queue. Each part belongs to a section (`overview`,
/// `certification`, `scope`, `policies`, `suppliers`) and is left out where the edition has
/// not that section.
pub(in crate::render) fn home(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        overview: bool,
        certificate: Option<CertificateView>,
        certificates: Vec<CertificateView>,
        show_scope: bool,
        scope_url: Option<String>,
        scope_title: String,
        legal_entity: Option<String>,
        services: Vec<String>,
        hosting_regions: Vec<String>,
        coverage: Coverage,
        coverage_bar: Option<String>,
        coverage_summary: String,
        soa_url: Option<String>,
        subprocessors: Vec<SubprocessorView>,
        subprocessors_url: Option<String>,
        latest_policies: Vec<ItemLink>,
        policies_url: Option<String>,
        request: Option<String>,
        /// The internal edition's work queue (shown, with "nothing needs attention" when
        /// empty, only there).
        show_work_queue: bool,
        work_queue: Vec<WorkGroupView>,
        cards: Vec<Card>,
    }
    let e = cx.edition;
    let route = Route::Home;
    let root = route.root();
    let t = cx.t();
    let overview = e.has(Section::Overview);
    let certificates: Vec<CertificateView> = e
        .info
        .certificates
        .iter()
        .filter(|_| e.has(Section::Certification))
        .enumerate()
        .map(|(i, c)| {
            let status = t.certificate_status(c.status);
            let valid_until = date(c.expires).map(|d| format!("{} {d}", t.valid_until));
            let standard = c.standard.as_deref().unwrap_or("ISO/IEC 27001");
            CertificateView {
                badge: badges::certificate_badge(&badges::CertificateBadge {
                    id: &format!("cert-badge-{}", i + 1),
                    standard,
                    status: c.status,
                    status_text: status,
                    valid_until: valid_until.as_deref(),
                }),
                status: status.to_string(),
                status_class: c.status.as_str(),
                reference: c.reference.clone(),
                certification_body: c.certification_body.clone(),
                accreditation_body: c.accreditation_body.clone(),
                issued: date(c.issued),
                expires: date(c.expires),
                expired: is_expired(c.expires, e.today),
                register_url: c
                    .register_url
                    .as_ref()
                    .and_then(|url| cx.url_link(url, &root))
                    .map(|l| l.href),
                standard: c.standard.clone(),
            }
        })
        .collect();
    let coverage = e.coverage.clone();
    let url = |to: Route| e.writes(&to).then(|| to.url_from(&root));
    let coverage_summary = fill(
        t.coverage_summary,
        &[
            &coverage.implemented,
            &coverage.applicable,
            &coverage.percent,
        ],
    );
    let mut cards = Vec::new();
    let mut card = |title, to: Route, text: String| {
        if let Some(url) = url(to) {
            cards.push(Card { title, url, text });
        }
    };
    card(t.scope, Route::Scope, t.card_scope.into());
    card(
        t.policies,
        Route::List(Collection::Policies),
        fill(t.card_policies, &[&e.policies.published().count()]),
    );
    card(
        t.soa,
        Route::List(Collection::Controls),
        fill(t.card_soa, &[&coverage.implemented, &coverage.applicable]),
    );
    card(
        t.traceability,
        Route::Traceability,
        t.card_traceability.into(),
    );
    card(
        t.evidence,
        Route::List(Collection::Evidence),
        fill(t.card_evidence, &[&e.evidence.published().count()]),
    );
    card(
        t.risks,
        Route::List(Collection::Risks),
        fill(t.card_risks, &[&e.risks.published().count()]),
    );
    card(
        t.findings,
        Route::List(Collection::Findings),
        fill(t.card_findings, &[&e.findings.published().count()]),
    );
    let subprocessors: Vec<SubprocessorView> = e
        .suppliers
        .published()
        .filter(|s| s.subprocessor)
        .map(|s| SubprocessorView {
            link: cx.open_link(&root, s),
            service: s.service.map(str::to_string),
            location: s.location.map(str::to_string),
        })
        .collect();
    card(
        t.subprocessors,
        Route::List(Collection::Suppliers),
        fill(t.card_subprocessors, &[&subprocessors.len()]),
    );
    let mut latest: Vec<_> = e
        .policies
        .published()
        .filter(|p| p.approved.is_some())
        .collect();
    latest.sort_by(|a, b| b.approved.cmp(&a.approved).then(a.title.cmp(b.title)));
    let latest_policies = latest
        .into_iter()
        .take(PREVIEW)
        .map(|p| {
            let mut link = cx.open_link(&root, p);
            if let Some(l) = link.open_mut() {
                l.note = date(p.approved);
            }
            link
        })
        .collect();
    let data = Data {
        overview,
        // Overrides written before there could be several certificates read `certificate`.
        certificate: certificates.first().cloned(),
        show_scope: e.has(Section::Scope),
        scope_url: url(Route::Scope),
        scope_title: e.scope.title.to_string(),
        legal_entity: e.scope.legal_entity.map(str::to_string),
        services: e.scope.services.to_vec(),
        hosting_regions: e.info.hosting_regions.clone(),
        coverage_bar: overview.then(|| badges::coverage_bar(&coverage, &coverage_summary)),
        coverage_summary,
        coverage,
        soa_url: url(Route::List(Collection::Controls)),
        subprocessors: if overview {
            subprocessors.into_iter().take(PREVIEW).collect()
        } else {
            Vec::new()
        },
        subprocessors_url: url(Route::List(Collection::Suppliers))
            .map(|u| format!("{u}#subprocessors")),
        latest_policies: if overview {
            latest_policies
        } else {
            Vec::new()
        },
        policies_url: url(Route::List(Collection::Policies)),
        // Internal readers have every document already.
        request: (e.audience != Audience::Internal)
            .then(|| cx.request_href(t.request_documents))
            .flatten(),
        show_work_queue: overview && e.audience == Audience::Internal,
        work_queue: work_queue(cx, &root),
        cards: if overview { cards } else { Vec::new() },
        certificates,
    };
    page(cx, "index.html", &route, &e.info.title, "home", data)
}

/// The work queue's groups as links from the home page: the edition computed them from the
/// facts `check` warns about, most urgent kind first and oldest date first within a kind.
fn work_queue(cx: &RenderContext, root: &str) -> Vec<WorkGroupView> {
    let e = cx.edition;
    let t = cx.t();
    e.work_queue
        .iter()
        .map(|g| {
            let (kind, title, note) = match g.kind {
                WorkKind::OverdueFindings => {
                    ("overdue-findings", t.work_overdue_findings, t.work_due)
                }
                WorkKind::ExpiredEvidence => {
                    ("expired-evidence", t.work_expired_evidence, t.work_expired)
                }
                WorkKind::OverdueReviews => ("overdue-reviews", t.work_overdue_reviews, t.work_due),
                WorkKind::OverdueRiskReviews => (
                    "overdue-risk-reviews",
                    t.work_overdue_risk_reviews,
                    t.work_due,
                ),
                WorkKind::ExpiringEvidence => {
                    ("expiring-evidence", t.work_expiring_evidence, t.expires_on)
                }
                WorkKind::NoPolicy => ("no-policy", t.work_no_policy, ""),
                WorkKind::NoEvidence => ("no-evidence", t.work_no_evidence, ""),
            };
            let items: Vec<ItemLink> = g
                .items
                .iter()
                .filter_map(|(key, when)| {
                    let mut link = match key {
                        ItemKey::Control(k) => cx.control_link(root, e.control(*k)?),
                        ItemKey::Policy(k) => cx.link(root, e.policies.get(*k)?),
                        ItemKey::Evidence(k) => cx.link(root, e.evidence.get(*k)?),
                        ItemKey::Risk(k) => cx.link(root, e.risks.get(*k)?),
                        ItemKey::Finding(k) => cx.link(root, e.findings.get(*k)?),
                        ItemKey::Supplier(k) => cx.link(root, e.suppliers.get(*k)?),
                    };
                    if let (Some(l), Some(d)) = (link.open_mut(), when) {
                        l.note = Some(fill(note, &[d]));
                    }
                    Some(link)
                })
                .collect();
            WorkGroupView {
                kind,
                title,
                count: items.len(),
                items,
            }
        })
        .collect()
}

pub(in crate::render) fn scope(cx: &RenderContext) -> Result<Output, Diagnostic> {
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
    let route = Route::Scope;
    let s = &cx.edition.scope;
    let rendered = cx.markdown(s.body, &route.root())?;
    let data = Data {
        scope_title: s.title.to_string(),
        legal_entity: s.legal_entity.map(str::to_string),
        services: s.services.to_vec(),
        locations: s.locations.to_vec(),
        hosted_environments: s.hosted_environments.to_vec(),
        exclusions: s
            .exclusions
            .iter()
            .map(|e| ExclusionView {
                item: e.item.clone(),
                justification: e.justification.clone(),
            })
            .collect(),
        assumptions: s.assumptions.to_vec(),
        updated: date(s.updated),
        body: rendered.html.clone(),
        toc: rendered.toc.clone(),
    };
    page(cx, "scope.html", &route, s.title, "scope", data)
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

//! The home page, the scope, the 404 page, `sitemap.xml` and `robots.txt`.

use serde::Serialize;

use super::{Base, page};
use crate::diagnostic::Diagnostic;
use crate::edition::Coverage;
use crate::edition::route::Route;
use crate::markdown::{self, TocEntry};
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::i18n::fill;
use crate::render::views::*;

/// The 404 page is served for missing URLs at any depth, so its links are absolute paths
/// under the path of `base_url` (host-independent), when `base_url` gives one.
pub(in crate::render) fn not_found(cx: &RenderContext) -> Result<Output, Diagnostic> {
    let route = Route::NotFound;
    let mut base = Base::new(cx, cx.t().not_found_title, &route, "");
    if let Some(prefix) = base_path(&cx.edition.info.base_url) {
        base.rebase(&prefix);
    }
    cx.page("404.html", &route, &base)
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

#[derive(Serialize)]
struct Card {
    title: &'static str,
    url: String,
    text: String,
}

pub(in crate::render) fn home(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        certificate: Option<CertificateView>,
        scope_title: String,
        legal_entity: Option<String>,
        services: Vec<String>,
        coverage: Coverage,
        cards: Vec<Card>,
    }
    let e = cx.edition;
    let route = Route::Home;
    let root = route.root();
    let t = cx.t();
    let certificate = e.info.certificate.as_ref().map(|c| CertificateView {
        status: t.certificate_status(c.status).to_string(),
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
    });
    let coverage = e.coverage.clone();
    let url = |to: Route| to.url_from(&root);
    let mut cards = vec![
        Card {
            title: t.scope,
            url: url(Route::Scope),
            text: t.card_scope.into(),
        },
        Card {
            title: t.policies,
            url: url(Route::List(Collection::Policies)),
            text: fill(t.card_policies, &[&e.policies.published().count()]),
        },
        Card {
            title: t.soa,
            url: url(Route::List(Collection::Controls)),
            text: fill(t.card_soa, &[&coverage.implemented, &coverage.applicable]),
        },
        Card {
            title: t.traceability,
            url: url(Route::Traceability),
            text: t.card_traceability.into(),
        },
    ];
    for (c, title, noun, count) in [
        (
            Collection::Evidence,
            t.evidence,
            t.card_evidence,
            e.evidence.published().count(),
        ),
        (
            Collection::Risks,
            t.risks,
            t.card_risks,
            e.risks.published().count(),
        ),
        (
            Collection::Findings,
            t.findings,
            t.card_findings,
            e.findings.published().count(),
        ),
    ] {
        if e.shows(c) {
            cards.push(Card {
                title,
                url: url(Route::List(c)),
                text: fill(noun, &[&count]),
            });
        }
    }
    let subprocessors = e.suppliers.published().filter(|s| s.subprocessor).count();
    cards.push(Card {
        title: t.subprocessors,
        url: url(Route::List(Collection::Suppliers)),
        text: fill(t.card_subprocessors, &[&subprocessors]),
    });
    let data = Data {
        certificate,
        scope_title: e.scope.title.to_string(),
        legal_entity: e.scope.legal_entity.map(str::to_string),
        services: e.scope.services.to_vec(),
        coverage,
        cards,
    };
    page(cx, "index.html", &route, &e.info.title, "home", data)
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
    let rendered = cx.edition.markdown(s.body, &route.root());
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

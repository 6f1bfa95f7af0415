//! The home page, the scope, the 404 page, `sitemap.xml` and `robots.txt`.

use serde::Serialize;

use super::{Base, page};
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, TocEntry};
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;
use crate::render::visibility::Access;

/// The 404 page is served for missing URLs at any depth, so its relative links need a base:
/// the path of `base_url` (host-independent), when `base_url` gives one.
pub(in crate::render) fn not_found(cx: &RenderContext) -> Result<Output, Diagnostic> {
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
pub(in crate::render) fn sitemap(base_url: &str, paths: &[String]) -> Output {
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
pub(in crate::render) fn robots(cx: &RenderContext) -> Output {
    let robots = if cx.audience == Audience::Public {
        "User-agent: *\nAllow: /\n"
    } else {
        "User-agent: *\nDisallow: /\n"
    };
    Output {
        path: "robots.txt".into(),
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

#[derive(Serialize, Default)]
pub(super) struct Coverage {
    total: usize,
    applicable: usize,
    implemented: usize,
    partial: usize,
    planned: usize,
    not_implemented: usize,
    not_applicable: usize,
    not_assessed: usize,
    percent: usize,
}

#[derive(Serialize)]
struct Card {
    title: &'static str,
    url: String,
    text: String,
}

pub(super) fn coverage(cx: &RenderContext) -> Coverage {
    let mut c = Coverage {
        total: cx.site.controls.len(),
        ..Coverage::default()
    };
    for (i, control) in cx.site.controls.iter().enumerate() {
        let Some(m) = &control.mapping else {
            c.not_assessed += 1;
            continue;
        };
        // A mapping this audience may not see is left out of every figure, and not counted
        // either: which controls have restricted assessments is itself restricted.
        if !cx.mapping_visible(i) {
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
        register_url: c.register_url.as_deref().and_then(|url| {
            cx.url_link(url, crate::config::CONFIG_FILE, "")
                .map(|l| l.href)
        }),
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

//! Which files a build contains, and how to render any one of them on its own. A full build
//! renders every route; `serve` renders only the pages browsers ask for. Both go through
//! `render_route`, so a page served is byte for byte the page built.

use super::RenderContext;
use super::pages;
use super::theme::ASSETS;
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{Edition, Published};
use crate::markdown;
use crate::model::{Audience, Collection};
use crate::output::Output;

/// Every route of this edition, sorted by output path.
pub fn routes(edition: &Edition) -> Vec<Route> {
    routes_with_paths(edition)
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

/// Every route of this edition with its output path, sorted by path: each path is made once
/// (`serve` lists them on every save).
pub fn routes_with_paths(edition: &Edition) -> Vec<(String, Route)> {
    with_paths(edition, generated_routes(edition))
}

/// What the route list of an edition is made from (`routes_with_paths` is a function of it
/// alone): the generated files' routes, each with whether the edition writes it, and the
/// `static/` files' paths. Two editions with equal `RouteInputs` have the same routes, so
/// `serve` compares these (their `key`) to reuse its list of paths after a save that did
/// not change it, instead of formatting and sorting every path again.
#[derive(Debug)]
pub struct RouteInputs {
    generated: Vec<(Route, bool)>,
}

impl RouteInputs {
    pub fn of(edition: &Edition) -> Self {
        RouteInputs {
            generated: generated_routes(edition),
        }
    }

    /// A hash of these inputs and of the edition's static files' paths.
    pub fn key(&self, edition: &Edition) -> u64 {
        let statics: Vec<&str> = edition
            .static_files()
            .iter()
            .map(|(p, _)| p.as_str())
            .collect();
        crate::cache::hash(&(&self.generated, statics))
    }

    /// The route list these inputs make (`routes_with_paths`).
    pub fn into_routes(self, edition: &Edition) -> Vec<(String, Route)> {
        with_paths(edition, self.generated)
    }
}

/// The routes of every generated file, in no particular order, each with whether this
/// edition writes it (a page of a section it does not have is not written).
fn generated_routes(edition: &Edition) -> Vec<(Route, bool)> {
    let mut out = vec![
        Route::Home,
        Route::Scope,
        Route::Traceability,
        Route::Soa,
        Route::NotFound,
        Route::HighlightCss,
        Route::Robots,
        Route::SearchIndex,
    ];
    out.extend(ASSETS.iter().map(|(name, _)| Route::Asset(name)));
    for collection in Collection::ALL {
        out.push(Route::List(collection));
    }
    out.extend(edition.policies.published().map(Published::route));
    out.extend(edition.controls.iter().map(|c| c.route()));
    out.extend(edition.evidence.published().map(Published::route));
    out.extend(edition.risks.published().map(Published::route));
    out.extend(edition.findings.published().map(Published::route));
    out.extend(edition.suppliers.published().map(Published::route));
    for e in edition.evidence.published() {
        if let Some(f) = &e.file {
            out.push(Route::EvidenceFile(e.slug.to_string(), f.name.to_string()));
        }
    }
    out.extend(edition.policy_files().into_iter().map(|(route, _)| route));
    if edition.audience == Audience::Public {
        out.push(Route::Sitemap);
    }
    if generates_favicon(edition) {
        out.push(Route::Favicon);
    }
    out.into_iter()
        .map(|r| {
            let written = edition.writes(&r);
            (r, written)
        })
        .collect()
}

/// The route list of `generated` and the edition's static files, sorted by path.
fn with_paths(edition: &Edition, generated: Vec<(Route, bool)>) -> Vec<(String, Route)> {
    let mut keyed: Vec<(String, Route, bool)> = generated
        .into_iter()
        .map(|(r, written)| (r.path(), r, written))
        .collect();
    // Static files never replace a generated page (even one this edition does not write).
    if !edition.static_files().is_empty() {
        let generated: std::collections::HashSet<&str> =
            keyed.iter().map(|(p, _, _)| p.as_str()).collect();
        let statics: Vec<(String, Route, bool)> = edition
            .static_files()
            .iter()
            .filter(|(p, _)| !generated.contains(p.as_str()))
            .map(|(p, _)| (p.clone(), Route::Static(p.clone()), true))
            .collect();
        keyed.extend(statics);
    }
    // Sections the edition has not are not written at all.
    let mut keyed: Vec<(String, Route)> = keyed
        .into_iter()
        .filter_map(|(p, r, written)| written.then_some((p, r)))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    keyed
}

/// Whether the build writes its own `favicon.svg`: when `brand.favicon` names none and
/// `static/` has no `favicon.svg` (which is then published as it is).
pub fn generates_favicon(edition: &Edition) -> bool {
    edition.info.brand.favicon.is_none()
        && !edition.static_files().iter().any(|(p, _)| p == FAVICON_SVG)
}

/// Where the generated (or the site's own) `favicon.svg` is published.
pub const FAVICON_SVG: &str = "favicon.svg";

/// The accent of the default theme (`--accent` in `style.css`).
pub const DEFAULT_ACCENT: &str = "#1f5fbf";

/// A small favicon: a rounded square in the accent colour with a white check mark. It holds
/// nothing of the site but the colour (already validated as a CSS colour).
pub fn favicon_svg(accent: Option<&str>) -> String {
    let fill = accent.unwrap_or(DEFAULT_ACCENT);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"7\" fill=\"{fill}\"/><path d=\"M9 16.5l4.5 4.5L23 11.5\" fill=\"none\" stroke=\"#fff\" stroke-width=\"3.5\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>\n"
    )
}

/// The route of the output file at `path`: a theme asset, a generated file, or a static file.
pub fn route_of(path: &str) -> Option<Route> {
    if let Some((name, _)) = ASSETS.iter().find(|(name, _)| *name == path) {
        return Some(Route::Asset(name));
    }
    Route::parse(path)
}

/// Renders the file at `path`, or `None` if this build has no such file.
pub fn page_at(cx: &RenderContext, path: &str) -> Option<Result<Output, Diagnostic>> {
    let route = route_of(path)?;
    render_route(cx, &route).or_else(|| match route {
        // A static file may sit where no generated page is (`policies/x/index.html`).
        Route::Static(_) => None,
        _ => render_route(cx, &Route::Static(path.to_string())),
    })
}

/// Renders the file of `route`, or `None` if this build has no such file.
pub fn render_route(cx: &RenderContext, route: &Route) -> Option<Result<Output, Diagnostic>> {
    let e = cx.edition;
    if !e.writes(route) {
        return None;
    }
    let file = |bytes: Vec<u8>| {
        Some(Ok(Output {
            path: route.path(),
            bytes,
        }))
    };
    Some(match route {
        Route::Home => pages::home(cx),
        Route::Scope => pages::scope(cx),
        Route::Traceability => pages::traceability(cx),
        Route::Soa => Ok(pages::soa(cx)),
        Route::NotFound => pages::not_found(cx),
        Route::Robots => Ok(pages::robots(cx)),
        Route::SearchIndex => pages::search_index(cx),
        Route::HighlightCss => {
            return file(markdown::highlight_css(&e.info.highlight_theme).into_bytes());
        }
        Route::Sitemap if e.audience == Audience::Public => {
            Ok(pages::sitemap(&e.info.base_url, &routes(e)))
        }
        Route::Sitemap => return None,
        Route::Favicon if generates_favicon(e) => {
            return file(favicon_svg(e.info.brand.accent.as_deref()).into_bytes());
        }
        Route::Favicon => return None,
        Route::Asset(name) => {
            let (_, text) = ASSETS.iter().find(|(n, _)| n == name)?;
            return file(text.as_bytes().to_vec());
        }
        Route::Static(path) => {
            let (_, bytes) = e.static_files().iter().find(|(p, _)| p == path)?;
            return file(bytes.clone());
        }
        Route::List(collection) => match collection {
            Collection::Policies => pages::policies_list(cx),
            Collection::Controls => pages::controls_list(cx),
            Collection::Evidence => pages::evidence_list(cx),
            Collection::Risks => pages::risks_list(cx),
            Collection::Findings => pages::findings_list(cx),
            Collection::Suppliers => pages::suppliers_list(cx),
        },
        Route::Item(collection, slug) => match collection {
            Collection::Policies => pages::policy(cx, e.policies.by_slug(slug)?),
            Collection::Controls => {
                pages::control(cx, e.controls.iter().find(|c| c.slug == *slug)?)
            }
            Collection::Evidence => pages::evidence_page(cx, e.evidence.by_slug(slug)?),
            Collection::Risks => pages::risk_page(cx, e.risks.by_slug(slug)?),
            Collection::Findings => pages::finding_page(cx, e.findings.by_slug(slug)?),
            Collection::Suppliers => pages::supplier_page(cx, e.suppliers.by_slug(slug)?),
        },
        Route::EvidenceFile(slug, name) => {
            let f = e.evidence.by_slug(slug)?.file.filter(|f| f.name == name)?;
            return file(f.bytes?.to_vec());
        }
        Route::PolicyFile(slug, name) => return file(e.policy_file(slug, name)?.to_vec()),
    })
}

//! Which files a build contains, and how to render any one of them on its own. A full build
//! renders every route; `serve` renders only the pages browsers ask for. Both go through
//! `render_route`, so a page served is byte for byte the page built.

use super::RenderContext;
use super::pages;
use super::theme::ASSETS;
use crate::diagnostic::Diagnostic;
use crate::edition::Edition;
use crate::edition::route::Route;
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

/// A hash of what the route list of an edition is made from (`routes_with_paths` is a
/// function of it alone): the generated files' routes, each with whether the edition writes
/// it, and the `static/` files' paths. Two editions with equal keys have the same routes, so
/// `serve` compares keys to reuse its list of paths after a save that did not change it,
/// instead of formatting and sorting every path again. The items' routes are not made for
/// it: their collection and slug are written into one buffer, hashed at once.
pub fn routes_key(edition: &Edition) -> u64 {
    let mut bytes = Vec::with_capacity(64 * 1024);
    let mut fixed = Vec::new();
    fn text(bytes: &mut Vec<u8>, s: &str) {
        bytes.extend_from_slice(&s.len().to_le_bytes());
        bytes.extend_from_slice(s.as_bytes());
    }
    generate(edition, |g| {
        let written = g.written(edition);
        match g {
            Generated::Route(route) => fixed.push((route, written)),
            Generated::Item(collection, slug) => {
                bytes.push(0);
                bytes.push(collection as u8);
                text(&mut bytes, slug);
                bytes.push(u8::from(written));
            }
            Generated::EvidenceFile(slug, name) => {
                bytes.push(1);
                text(&mut bytes, slug);
                text(&mut bytes, name);
                bytes.push(u8::from(written));
            }
        }
    });
    let statics: Vec<&str> = edition
        .static_files()
        .iter()
        .map(|(p, _)| p.as_str())
        .collect();
    crate::cache::hash(&(fixed, bytes, statics))
}

/// One generated file, as `generate` names it: an item's page or an evidence file by what
/// the edition holds (their routes are made only for a route list), any other by its route.
#[derive(Debug)]
enum Generated<'e> {
    Route(Route),
    Item(Collection, &'e str),
    EvidenceFile(&'e str, &'e str),
}

impl Generated<'_> {
    /// Whether `edition` writes this file: `Edition::writes` of its route, without making
    /// the route of an item (whose pages a section writes or not as a whole).
    fn written(&self, edition: &Edition) -> bool {
        match self {
            Generated::Route(route) => edition.writes(route),
            Generated::Item(collection, _) => edition.writes_in(*collection),
            Generated::EvidenceFile(..) => edition.writes_in(Collection::Evidence),
        }
    }

    fn into_route(self) -> Route {
        match self {
            Generated::Route(route) => route,
            Generated::Item(collection, slug) => Route::Item(collection, slug.to_string()),
            Generated::EvidenceFile(slug, name) => {
                Route::EvidenceFile(slug.to_string(), name.to_string())
            }
        }
    }
}

/// Every generated file of the edition, in no particular order (the same on every call).
fn generate<'e>(edition: &'e Edition, mut each: impl FnMut(Generated<'e>)) {
    let mut route = |r: Route| each(Generated::Route(r));
    for r in [
        Route::Home,
        Route::Scope,
        Route::Traceability,
        Route::Soa,
        Route::NotFound,
        Route::HighlightCss,
        Route::Robots,
        Route::SearchIndex,
    ] {
        route(r);
    }
    for (name, _) in ASSETS {
        route(Route::Asset(name));
    }
    for collection in Collection::ALL {
        route(Route::List(collection));
    }
    let mut item = |c: Collection, slug: &'e str| each(Generated::Item(c, slug));
    for p in edition.policies.published() {
        item(Collection::Policies, p.slug);
    }
    for c in &edition.controls {
        item(Collection::Controls, &c.slug);
    }
    for e in edition.evidence.published() {
        item(Collection::Evidence, e.slug);
    }
    for r in edition.risks.published() {
        item(Collection::Risks, r.slug);
    }
    for f in edition.findings.published() {
        item(Collection::Findings, f.slug);
    }
    for s in edition.suppliers.published() {
        item(Collection::Suppliers, s.slug);
    }
    for e in edition.evidence.published() {
        if let Some(f) = &e.file {
            each(Generated::EvidenceFile(e.slug, f.name));
        }
    }
    for (r, _) in edition.policy_files() {
        each(Generated::Route(r));
    }
    if edition.audience == Audience::Public {
        each(Generated::Route(Route::Sitemap));
    }
    if generates_favicon(edition) {
        each(Generated::Route(Route::Favicon));
    }
}

/// The routes of every generated file, in no particular order, each with whether this
/// edition writes it (a page of a section it does not have is not written).
fn generated_routes(edition: &Edition) -> Vec<(Route, bool)> {
    let mut out = Vec::new();
    generate(edition, |g| {
        let route = g.into_route();
        let written = edition.writes(&route);
        out.push((route, written));
    });
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Audience, Date};

    fn example_site() -> crate::site::Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site");
        let today = Date::parse("2026-06-01").expect("date");
        crate::session::load_site(&root, today).expect("the example site loads")
    }

    #[test]
    fn the_routes_key_reads_what_the_route_list_is_made_of() {
        let site = example_site();
        let md = markdown::Renderer::new(false);
        let mut keys = Vec::new();
        for audience in [Audience::Public, Audience::Customer, Audience::Internal] {
            let edition = Edition::new(&site, audience, &md);
            let mut files = 0;
            generate(&edition, |g| {
                files += 1;
                // Whether a file is written is what `writes` says of its route.
                let written = g.written(&edition);
                let route = g.into_route();
                assert_eq!(written, edition.writes(&route), "{route:?} for {audience}");
            });
            assert_eq!(files, generated_routes(&edition).len());
            let key = routes_key(&edition);
            // The same edition has the same key.
            assert_eq!(key, routes_key(&Edition::new(&site, audience, &md)));
            keys.push(key);
        }
        // Each audience has its own pages, so its own key.
        keys.dedup();
        assert_eq!(keys.len(), 3, "{keys:?}");
    }
}

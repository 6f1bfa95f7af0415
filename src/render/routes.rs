//! Which files a build contains, and how to render any one of them on its own. A full build
//! renders every path; `serve` renders only the pages browsers ask for. Both go through
//! `page_at`, so a page served is byte for byte the page built.

use super::RenderContext;
use super::pages;
use super::theme::ASSETS;
use super::visibility::Access;
use crate::diagnostic::Diagnostic;
use crate::markdown;
use crate::model::{Audience, Collection};
use crate::output::Output;

/// The list pages of the registers and of policies, each under its collection's folder.
const LISTS: [Collection; 6] = Collection::ALL;

/// Every path this build writes, sorted.
pub fn paths(cx: &RenderContext) -> Vec<String> {
    let site = cx.site;
    let mut out: Vec<String> = [
        "index.html",
        "scope/index.html",
        "traceability/index.html",
        "controls/soa.csv",
        "404.html",
        "highlight.css",
        "robots.txt",
        "search-index.json",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    out.extend(ASSETS.iter().map(|(name, _)| name.to_string()));
    for collection in LISTS {
        out.push(format!("{}/index.html", collection.dir()));
        for i in 0..site.len(collection) {
            if cx.access(collection, i) == Access::Full {
                out.push(format!(
                    "{}/{}/index.html",
                    collection.dir(),
                    slug(cx, collection, i)
                ));
            }
        }
    }
    for (i, e) in site.evidence.iter().enumerate() {
        if let (Some(f), Access::Full) = (&e.file, cx.access(Collection::Evidence, i)) {
            out.push(format!("evidence/{}/{}", e.common.slug, f.file_name));
        }
    }
    if cx.audience == Audience::Public {
        out.push("sitemap.xml".into());
    }
    // Static files never replace a generated page.
    let generated: std::collections::HashSet<String> = out.iter().cloned().collect();
    out.extend(
        site.static_files
            .iter()
            .map(|(p, _)| p.clone())
            .filter(|p| !generated.contains(p)),
    );
    out.sort();
    out.dedup();
    out
}

/// Renders the file at `path`, or `None` if this build has no such file.
pub fn page_at(cx: &RenderContext, path: &str) -> Option<Result<Output, Diagnostic>> {
    let site = cx.site;
    let page = match path {
        "index.html" => pages::home(cx),
        "scope/index.html" => pages::scope(cx),
        "traceability/index.html" => pages::traceability(cx),
        "controls/soa.csv" => Ok(pages::soa(cx)),
        "404.html" => pages::not_found(cx),
        "robots.txt" => Ok(pages::robots(cx)),
        "search-index.json" => Ok(pages::search_index(cx)),
        "highlight.css" => Ok(Output {
            path: path.into(),
            bytes: markdown::highlight_css(&site.config.highlight_theme).into_bytes(),
        }),
        "sitemap.xml" if cx.audience == Audience::Public => {
            Ok(pages::sitemap(&site.config.base_url, &paths(cx)))
        }
        _ => {
            return asset(path)
                .or_else(|| collection_page(cx, path))
                .or_else(|| static_file(cx, path));
        }
    };
    Some(page)
}

fn asset(path: &str) -> Option<Result<Output, Diagnostic>> {
    let (_, text) = ASSETS.iter().find(|(name, _)| *name == path)?;
    Some(Ok(Output {
        path: path.into(),
        bytes: text.as_bytes().to_vec(),
    }))
}

fn static_file(cx: &RenderContext, path: &str) -> Option<Result<Output, Diagnostic>> {
    let (_, bytes) = cx.site.static_files.iter().find(|(p, _)| p == path)?;
    Some(Ok(Output {
        path: path.into(),
        bytes: bytes.clone(),
    }))
}

/// `<collection>/index.html`, `<collection>/<slug>/index.html`, or an evidence file.
fn collection_page(cx: &RenderContext, path: &str) -> Option<Result<Output, Diagnostic>> {
    let (dir, rest) = path.split_once('/')?;
    let collection = LISTS.into_iter().find(|c| c.dir() == dir)?;
    if rest == "index.html" {
        return Some(match collection {
            Collection::Policies => pages::policies_list(cx),
            Collection::Controls => pages::controls_list(cx),
            Collection::Evidence => pages::evidence_list(cx),
            Collection::Risks => pages::risks_list(cx),
            Collection::Findings => pages::findings_list(cx),
            Collection::Suppliers => pages::suppliers_list(cx),
        });
    }
    let (slug, file) = rest.split_once('/')?;
    let i = cx.site.by_slug(collection, slug)?;
    if cx.access(collection, i) != Access::Full {
        return None;
    }
    if file != "index.html" {
        let f = cx.site.evidence.get(i)?.file.as_ref();
        return match (collection, f) {
            (Collection::Evidence, Some(f)) if f.file_name == file => Some(Ok(Output {
                path: path.into(),
                bytes: f.bytes.clone()?,
            })),
            _ => None,
        };
    }
    Some(match collection {
        Collection::Policies => pages::policy(cx, i),
        Collection::Controls => pages::control(cx, i),
        Collection::Evidence => pages::evidence_page(cx, i),
        Collection::Risks => pages::risk_page(cx, i),
        Collection::Findings => pages::finding_page(cx, i),
        Collection::Suppliers => pages::supplier_page(cx, i),
    })
}

fn slug(cx: &RenderContext, collection: Collection, i: usize) -> String {
    match collection {
        Collection::Controls => cx.site.controls[i].catalog.id.slug(),
        _ => cx
            .site
            .common(collection, i)
            .map(|c| c.slug.clone())
            .unwrap_or_default(),
    }
}

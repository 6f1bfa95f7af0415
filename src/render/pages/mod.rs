//! One builder per page kind. Each takes the render context (the edition and the theme) and
//! returns outputs; none can reach the linked `Site`.

mod controls;
mod evidence;
mod findings;
mod home;
mod policies;
mod risks;
mod search;
mod suppliers;
mod traceability;

use serde::Serialize;

use super::RenderContext;
use super::views::*;
use crate::diagnostic::Diagnostic;
use crate::edition::FindingKey;
use crate::edition::route::Route;
use crate::edition::{Assessment, Control, Entry, Relation};
use crate::output::Output;

pub(super) use controls::{control, controls_list, soa};
pub(super) use evidence::{evidence_list, evidence_page};
pub(super) use findings::{finding_page, findings_list};
pub(super) use home::{home, not_found, robots, scope, sitemap};
pub(super) use policies::{policies_list, policy};
pub(super) use risks::{risk_page, risks_list};
pub(super) use search::{PlainTexts, search_index};
pub(super) use suppliers::{supplier_page, suppliers_list};
pub(super) use traceability::traceability;

/// The context every template gets. `site` and `nav` are the same on every page of one
/// depth and section, so `RenderContext::page_in` adds them from values made once per edition;
/// a page that changes them (the 404 page) sets its own.
#[derive(Serialize)]
struct Base {
    page: PageView,
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<SiteView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nav: Option<Vec<NavItem>>,
    /// Whether the page links `highlight.css`: not where it cannot hold code (a page
    /// without Markdown), as the stylesheet would block its first paint for nothing.
    highlight_css: bool,
}

/// The default theme's pages without Markdown, so without highlighted code.
const WITHOUT_CODE: [&str; 9] = [
    "index.html",
    "policies.html",
    "controls.html",
    "traceability.html",
    "evidence_list.html",
    "risks.html",
    "findings.html",
    "suppliers.html",
    "404.html",
];

impl Base {
    fn new(cx: &RenderContext, title: &str, route: &Route, section: &'static str) -> Base {
        Base {
            page: cx.page_view(title, route, section),
            site: None,
            nav: None,
            highlight_css: true,
        }
    }
}

impl Base {
    /// Makes the page's links absolute paths under `prefix` (the 404 page, served at any
    /// depth). A `<base href>` would do it too, but it also turns the skip link's `#main`
    /// into a link to the home page.
    fn rebase(&mut self, cx: &RenderContext, route: &Route, prefix: &str) {
        let site = self.site.insert(cx.site_view(route));
        let nav = self.nav.insert(cx.nav(route, self.page.section));
        let fix = |url: &mut String| {
            if !url.starts_with('/') && !url.contains("://") && !url.starts_with("mailto:") {
                *url = format!("{prefix}{url}");
            }
        };
        for item in nav {
            fix(&mut item.url);
        }
        let brand = &mut site.brand;
        fix(&mut brand.favicon);
        for url in [&mut brand.logo, &mut brand.logo_dark, &mut brand.extra_css]
            .into_iter()
            .flatten()
        {
            fix(url);
        }
        fix(&mut self.page.root);
        fix(&mut self.page.home);
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
    route: &Route,
    title: &str,
    section: &'static str,
    data: T,
) -> Result<Output, Diagnostic> {
    let mut base = Base::new(cx, title, route, section);
    base.highlight_css = !WITHOUT_CODE.contains(&template);
    cx.page_in(template, route, section, &Ctx { base, data })
}

/// What a page's template prints where the rows of a long list go (`page_with_rows`): no
/// text of a site can hold it, as it starts and ends with a NUL character.
const ROWS_MARKER: &str = "\u{0}trustpress:rows\u{0}";

/// `page` for `list`, whose `data` holds `ROWS_MARKER` in place of `rows`, the HTML of its
/// rows (`list_rows`): the rows are put in after rendering, so that
/// tens of megabytes of rows are not copied into a template value and out again.
fn page_with_rows<T: Serialize>(
    cx: &RenderContext,
    list: &ListPage,
    data: T,
    rows: Option<String>,
) -> Result<Output, Diagnostic> {
    let template = list.template;
    let mut output = page(cx, template, list.route, list.title, list.section, data)?;
    // No rows: the template shows the list's "none" text instead, without the marker.
    let Some(rows) = rows.filter(|rows| !rows.is_empty()) else {
        return Ok(output);
    };
    let Some(at) = find(&output.bytes, ROWS_MARKER.as_bytes()) else {
        return Err(Diagnostic::error(
            crate::diagnostic::Pos::file(format!("templates/{template}")),
            crate::rules::Rule::Internal,
            format!("trustpress cannot place the rows of {template}; please report this"),
        ));
    };
    let mut bytes = Vec::with_capacity(output.bytes.len() - ROWS_MARKER.len() + rows.len());
    bytes.extend_from_slice(&output.bytes[..at]);
    bytes.extend_from_slice(rows.as_bytes());
    bytes.extend_from_slice(&output.bytes[at + ROWS_MARKER.len()..]);
    output.bytes = bytes;
    Ok(output)
}

/// A page that lists many rows, and the theme template that renders them a batch at a time.
struct ListPage<'a> {
    /// The page's template (`policies.html`).
    template: &'static str,
    /// The rows' template (`policy_rows.html`), given a batch as `key` with `page` and `t`.
    rows_template: &'static str,
    key: &'static str,
    route: &'a Route,
    title: &'a str,
    section: &'static str,
}

/// How many rows of a long list are template values at once.
const ROWS_AT_ONCE: usize = 256;

/// A long list's rows as its page gets them: every row (`all`) for a site's own template of
/// the page (or when the caller needs them whole), else their HTML (`html`), a batch of `batch`
/// items at a time, which the page's data names by `marker` (see `page_with_rows`); each row is
/// a template value several KB large, so at 100,000 policies held at once they took half a
/// gigabyte.
struct ListRows<R> {
    all: Option<Vec<R>>,
    marker: Option<String>,
    html: Option<String>,
}

fn list_rows<I, R: Serialize>(
    cx: &RenderContext,
    list: &ListPage,
    items: &[I],
    batch: usize,
    whole: bool,
    row: impl Fn(&I) -> R,
) -> Result<ListRows<R>, Diagnostic> {
    if whole || cx.theme.overrides(list.template) {
        return Ok(ListRows {
            all: Some(items.iter().map(row).collect()),
            marker: None,
            html: None,
        });
    }
    let page = cx.page_view(list.title, list.route, list.section);
    let html = cx.fragments(list.rows_template, list.key, &page, items, batch, row)?;
    Ok(ListRows {
        all: None,
        marker: Some(ROWS_MARKER.to_string()),
        html: Some(html),
    })
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Links to the findings of `relation`; a published one with its kind and status.
fn finding_links(cx: &RenderContext, root: &str, relation: &Relation<FindingKey>) -> Vec<ItemLink> {
    let e = cx.edition;
    relation
        .keys
        .iter()
        .filter_map(|k| e.findings.get(*k))
        .map(|entry| {
            let mut link = cx.link(root, entry);
            if let (Entry::Published(f), Some(l)) = (entry, link.open_mut()) {
                l.badge = Some(finding_kind_badge(cx.t(), f.kind));
                l.note = Some(finding_status_badge(cx.t(), f, e.today).text);
            }
            link
        })
        .collect()
}

fn control_badge(cx: &RenderContext, c: &Control) -> Badge {
    let t = cx.t();
    match &c.assessment {
        Assessment::Published(m) => control_status_badge(t, m.status, Some(m.applicable)),
        Assessment::Withheld => Badge::new(t.not_published, "neutral"),
        Assessment::NotAssessed => control_status_badge(t, None, None),
    }
}

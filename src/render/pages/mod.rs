//! One builder per page kind. Each takes the render context and returns outputs.

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
use crate::model::*;
use crate::output::Output;

pub(super) use controls::{control, controls_list, soa};
pub(super) use evidence::{evidence_list, evidence_page};
pub(super) use findings::{finding_page, findings_list};
pub(super) use home::{home, not_found, robots, scope, sitemap};
pub(super) use policies::{policies_list, policy};
pub(super) use risks::{risk_page, risks_list};
pub(super) use search::search_index;
pub(super) use suppliers::{supplier_page, suppliers_list};
pub(super) use traceability::traceability;

/// An item page asked for an item the audience may not open: the router prevents it, so
/// this reports a bug rather than panicking mid-build (or in `serve`'s request loop).
fn not_visible(what: &str, i: usize) -> Diagnostic {
    Diagnostic::error(
        crate::diagnostic::Pos::file("templates"),
        "internal",
        format!(
            "trustpress rendered a page for {what} #{i}, which this audience may not see; please report this"
        ),
    )
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
            site: cx.site_view(depth),
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

fn finding_links(
    cx: &RenderContext,
    root: &str,
    items: impl IntoIterator<Item = usize>,
) -> Vec<ItemLink> {
    let mut links = cx.links_from(root, Collection::Findings, items);
    // A listed finding shows its title only: no kind or status.
    for l in links.iter_mut().filter(|l| !l.locked) {
        if let Some(f) = cx
            .site
            .lookup(Collection::Findings, &l.id)
            .map(|i| &cx.site.findings[i])
        {
            l.badge = Some(finding_kind_badge(f.kind));
            l.note = Some(finding_status_badge(f, cx.site.today).text);
        }
    }
    links
}

fn control_badge(cx: &RenderContext, ci: usize) -> Badge {
    match (&cx.site.controls[ci].mapping, cx.mapping_visible(ci)) {
        (Some(m), true) => control_status_badge(m.status, Some(m.applicable)),
        (Some(_), false) => Badge::new("Not published", "neutral"),
        (None, _) => control_status_badge(None, None),
    }
}

//! The evidence register and each evidence item's page.

use serde::Serialize;

use super::{ListPage, list_rows, page, page_with_rows};
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{Entry, Evidence, Published};
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;

#[derive(Serialize)]
struct EvidenceRow {
    link: ItemLink,
    kind: Option<&'static str>,
    owner: Option<String>,
    collected: Option<String>,
    expires: Option<String>,
    freshness: Badge,
}

fn evidence_row(cx: &RenderContext, entry: &Entry<Evidence>, root: &str) -> EvidenceRow {
    match entry {
        Entry::Published(e) => published_row(cx, e, root),
        Entry::OnRequest { .. } => EvidenceRow {
            link: cx.link(root, entry),
            kind: None,
            owner: None,
            collected: None,
            expires: None,
            freshness: Badge::new(cx.t().available_on_request, "locked"),
        },
    }
}

fn published_row(cx: &RenderContext, e: &Evidence, root: &str) -> EvidenceRow {
    EvidenceRow {
        link: cx.open_link(root, e),
        kind: e.kind.map(|k| cx.t().evidence_kind(k)),
        owner: e.owner.map(str::to_string),
        collected: date(e.collected),
        expires: date(e.expires),
        freshness: freshness(cx.t(), e.expires, cx.edition.today),
    }
}

pub(in crate::render) fn evidence_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        /// Every row, for a site's own `evidence_list.html`; the theme's renders `evidence_rows`.
        #[serde(skip_serializing_if = "Option::is_none")]
        evidence: Option<Vec<EvidenceRow>>,
        evidence_count: usize,
        /// The table's rows as HTML (`evidence_rows.html`), unless the site has its own list.
        #[serde(skip_serializing_if = "Option::is_none")]
        evidence_rows: Option<String>,
        restricted: usize,
        /// The link that requests the further evidence counted in `restricted`.
        request: Option<String>,
    }
    let route = Route::List(Collection::Evidence);
    let root = route.root();
    let register = &cx.edition.evidence;
    let entries: Vec<_> = register.entries().collect();
    let list = ListPage {
        template: "evidence_list.html",
        rows_template: "evidence_rows.html",
        key: "evidence",
        route: &route,
        title: cx.t().evidence,
        section: "evidence",
    };
    let rows = list_rows(cx, &list, &entries, super::ROWS_AT_ONCE, false, |e| {
        evidence_row(cx, e, &root)
    })?;
    page_with_rows(
        cx,
        &list,
        Data {
            evidence: rows.all,
            evidence_count: entries.len(),
            evidence_rows: rows.marker,
            restricted: register.restricted,
            request: (register.restricted > 0)
                .then(|| cx.request_href(cx.t().evidence))
                .flatten(),
        },
        rows.html,
    )
}

pub(in crate::render) fn evidence_page(
    cx: &RenderContext,
    e: &Evidence,
) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        evidence: EvidenceRow,
        classification: &'static str,
        /// The `url` field's link (`None` when there is none or it is withheld).
        url: Option<String>,
        url_text: Option<String>,
        url_external: bool,
        /// The `url` field names something this reader may not open.
        url_withheld: bool,
        file: Option<String>,
        /// The file's address relative to the page, percent-encoded: a name such as
        /// `report#1.pdf` would otherwise link to `report` with a fragment.
        file_href: Option<String>,
        description: Option<String>,
        notes: Option<String>,
        controls: Vec<ItemLink>,
    }
    let route = e.route();
    let root = &route.root();
    let url = e.url.as_ref().map(|u| cx.url_link(u, root));
    let data = Data {
        url_withheld: matches!(url, Some(None)),
        url_text: url.clone().flatten().map(|l| l.text),
        url_external: url.clone().flatten().is_some_and(|l| l.external),
        evidence: published_row(cx, e, root),
        classification: e.classification.as_str(),
        url: url.flatten().map(|l| l.href),
        file: e.file.map(|f| f.name.to_string()),
        file_href: e
            .file
            .map(|f| crate::edition::route::encode_segment(f.name)),
        description: cx.markdown_html(e.description, root)?,
        notes: cx.markdown_html(e.notes, root)?,
        controls: cx.control_links(root, &e.controls.keys),
    };
    page(cx, "evidence.html", &route, e.title, "evidence", data)
}

//! The findings register and each finding's page.

use serde::Serialize;

use super::page;
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{Entry, Finding, Published};
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;

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

fn finding_row(cx: &RenderContext, f: &Finding, root: &str) -> FindingRow {
    let today = cx.edition.today;
    FindingRow {
        link: cx.open_link(root, f),
        kind: finding_kind_badge(cx.t(), f.kind),
        status: finding_status_badge(cx.t(), f, today),
        source: f.source.map(str::to_string),
        owner: f.owner.map(str::to_string),
        raised: date(f.raised),
        due: date(f.due),
        closed: date(f.closed),
        overdue: f.is_open() && is_overdue(f.due, today),
    }
}

pub(in crate::render) fn findings_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
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
    }
    let route = Route::List(Collection::Findings);
    let root = &route.root();
    let register = &cx.edition.findings;
    let visible: Vec<&Finding> = register.published().collect();
    let by_kind = FindingKind::ALL
        .iter()
        .map(|k| {
            let of_kind: Vec<&&Finding> = visible.iter().filter(|f| f.kind == Some(*k)).collect();
            Count {
                label: cx.t().finding_kind(*k),
                class: k.as_str(),
                total: of_kind.len(),
                open: of_kind.iter().filter(|f| f.is_open()).count(),
            }
        })
        .collect();
    let rows: Vec<FindingRow> = visible.iter().map(|f| finding_row(cx, f, root)).collect();
    let mut open_actions: Vec<FindingRow> = visible
        .iter()
        .filter(|f| f.is_open())
        .map(|f| finding_row(cx, f, root))
        .collect();
    open_actions.sort_by(|a, b| (a.due.is_none(), &a.due).cmp(&(b.due.is_none(), &b.due)));
    let strengths = visible
        .iter()
        .filter(|f| f.kind == Some(FindingKind::Strength))
        .map(|f| finding_row(cx, f, root))
        .collect();
    let listed = register
        .entries()
        .filter(|e| matches!(e, Entry::OnRequest { .. }))
        .map(|e| cx.link(root, e))
        .collect();
    let data = Data {
        by_kind,
        open_total: open_actions.len(),
        overdue_total: open_actions.iter().filter(|r| r.overdue).count(),
        closed_total: visible
            .iter()
            .filter(|f| f.status == Some(FindingStatus::Closed))
            .count(),
        open_actions,
        strengths,
        all: rows,
        listed,
    };
    page(
        cx,
        "findings.html",
        &route,
        cx.t().findings,
        "findings",
        data,
    )
}

pub(in crate::render) fn finding_page(
    cx: &RenderContext,
    f: &Finding,
) -> Result<Output, Diagnostic> {
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
    }
    let route = f.route();
    let root = &route.root();
    let e = cx.edition;
    let md = |m| cx.markdown_html(m, root);
    let data = Data {
        finding: finding_row(cx, f, root),
        classification: f.classification.as_str(),
        description: md(f.description)?,
        root_cause: md(f.root_cause)?,
        corrective_action: md(f.corrective_action)?,
        notes: md(f.notes)?,
        controls: cx.control_links(root, &f.controls.keys),
        policies: cx.links(root, &e.policies, &f.policies),
    };
    page(cx, "finding.html", &route, f.title, "findings", data)
}

//! The findings register and each finding's page.

use serde::Serialize;

use super::{not_visible, page};
use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;
use crate::render::visibility::Access;

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

fn finding_row(cx: &RenderContext, i: usize, root: &str) -> Option<FindingRow> {
    let f = &cx.site.findings[i];
    let link = cx.item_link(root, Collection::Findings, i)?;
    let today = cx.site.today;
    Some(FindingRow {
        link,
        kind: finding_kind_badge(f.kind),
        status: finding_status_badge(f, today),
        source: f.source.clone(),
        owner: f.owner.clone(),
        raised: date(f.raised),
        due: date(f.due),
        closed: date(f.closed),
        overdue: finding_is_open(f) && is_overdue(f.due, today),
    })
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
    let site = cx.site;
    let visible: Vec<usize> = (0..site.findings.len())
        .filter(|i| cx.access(Collection::Findings, *i) == Access::Full)
        .collect();
    let by_kind = FindingKind::ALL
        .iter()
        .map(|k| {
            let of_kind: Vec<&Finding> = visible
                .iter()
                .map(|i| &site.findings[*i])
                .filter(|f| f.kind == Some(*k))
                .collect();
            Count {
                label: k.label(),
                class: k.as_str(),
                total: of_kind.len(),
                open: of_kind.iter().filter(|f| finding_is_open(f)).count(),
            }
        })
        .collect();
    let rows: Vec<FindingRow> = visible
        .iter()
        .filter_map(|i| finding_row(cx, *i, "../"))
        .collect();
    let mut open_actions: Vec<FindingRow> = visible
        .iter()
        .filter(|i| finding_is_open(&site.findings[**i]))
        .filter_map(|i| finding_row(cx, *i, "../"))
        .collect();
    open_actions.sort_by(|a, b| (a.due.is_none(), &a.due).cmp(&(b.due.is_none(), &b.due)));
    let strengths = visible
        .iter()
        .filter(|i| site.findings[**i].kind == Some(FindingKind::Strength))
        .filter_map(|i| finding_row(cx, *i, "../"))
        .collect();
    let listed = (0..site.findings.len())
        .filter(|i| cx.access(Collection::Findings, *i) == Access::Listed)
        .filter_map(|i| cx.item_link("../", Collection::Findings, i))
        .collect();
    let data = Data {
        by_kind,
        open_total: open_actions.len(),
        overdue_total: open_actions.iter().filter(|r| r.overdue).count(),
        closed_total: visible
            .iter()
            .filter(|i| site.findings[**i].status == Some(FindingStatus::Closed))
            .count(),
        open_actions,
        strengths,
        all: rows,
        listed,
    };
    page(
        cx,
        "findings.html",
        "findings/index.html".into(),
        "Findings",
        1,
        "findings",
        data,
    )
}

pub(in crate::render) fn finding_page(cx: &RenderContext, i: usize) -> Result<Output, Diagnostic> {
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
    let root = "../../";
    let site = cx.site;
    let f = &site.findings[i];
    let controls = site.finding_controls[i]
        .iter()
        .filter_map(|ci| cx.item_link(root, Collection::Controls, *ci))
        .collect();
    let policies = cx.links_from(
        root,
        Collection::Policies,
        site.finding_policies[i].iter().copied(),
    );
    let md = |m: Option<&Markdown>| cx.markdown_html(m, root);
    let data = Data {
        finding: finding_row(cx, i, root).ok_or_else(|| not_visible("finding", i))?,
        classification: f.common.classification.as_str(),
        description: md(f.description.as_ref()),
        root_cause: md(f.root_cause.as_ref()),
        corrective_action: md(f.corrective_action.as_ref()),
        notes: md(f.common.notes.as_ref()),
        controls,
        policies,
    };
    page(
        cx,
        "finding.html",
        format!("findings/{}/index.html", f.common.slug),
        &f.title,
        2,
        "findings",
        data,
    )
}

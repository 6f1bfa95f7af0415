//! The Statement of Applicability: its page, its CSV export and each control's page.

use serde::Serialize;

use super::home::{Coverage, coverage};
use super::{control_badge, finding_links, page};
use crate::catalog::THEMES;
use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;
use crate::render::visibility::Access;

#[derive(Serialize)]
pub(super) struct ControlRow {
    id: String,
    title: &'static str,
    theme: &'static str,
    url: String,
    published: bool,
    assessed: bool,
    applicable: Option<bool>,
    status: Badge,
    justification: Option<String>,
    owner: Option<String>,
    policies: usize,
    evidence: usize,
}

pub(super) fn control_row(cx: &RenderContext, ci: usize, root: &str) -> ControlRow {
    let c = &cx.site.controls[ci];
    let visible = cx.mapping_visible(ci);
    let mapping = c.mapping.as_ref().filter(|_| visible);
    let count = |collection: Collection, items: &[usize]| {
        items
            .iter()
            .filter(|i| {
                cx.link_visible(ci, collection, **i) && cx.access(collection, **i) == Access::Full
            })
            .count()
    };
    ControlRow {
        id: c.catalog.id.to_string(),
        title: c.catalog.title,
        theme: c.catalog.theme,
        url: cx.item_url(root, Collection::Controls, ci),
        published: visible || c.mapping.is_none(),
        assessed: c.mapping.is_some(),
        applicable: mapping.map(|m| m.applicable),
        status: control_badge(cx, ci),
        justification: mapping.and_then(|m| m.justification.clone()),
        owner: mapping.and_then(|m| m.owner.clone()),
        policies: count(Collection::Policies, &c.policies),
        evidence: count(Collection::Evidence, &c.evidence),
    }
}

/// The Statement of Applicability rows, in catalog order, with links from a page at `root`.
fn soa_rows(cx: &RenderContext, root: &str) -> Vec<ControlRow> {
    (0..cx.site.controls.len())
        .map(|ci| control_row(cx, ci, root))
        .collect()
}

pub(in crate::render) fn controls_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Theme {
        name: &'static str,
        controls: Vec<ControlRow>,
    }
    #[derive(Serialize)]
    struct Data {
        themes: Vec<Theme>,
        coverage: Coverage,
    }
    let mut themes: Vec<Theme> = THEMES
        .iter()
        .map(|name| Theme {
            name,
            controls: Vec::new(),
        })
        .collect();
    for row in soa_rows(cx, "../") {
        if let Some(t) = themes.iter_mut().find(|t| t.name == row.theme) {
            t.controls.push(row);
        }
    }
    let data = Data {
        themes,
        coverage: coverage(cx),
    };
    page(
        cx,
        "controls.html",
        "controls/index.html".into(),
        "Statement of Applicability",
        1,
        "controls",
        data,
    )
}

pub(in crate::render) fn soa(cx: &RenderContext) -> Output {
    Output {
        path: "controls/soa.csv".into(),
        bytes: soa_csv(&soa_rows(cx, "../")).into_bytes(),
    }
}

/// The SoA as CSV (RFC 4180), with exactly what the SoA page shows.
fn soa_csv(rows: &[ControlRow]) -> String {
    let mut out = String::from(
        "control,title,theme,applicable,status,justification,owner,policies,evidence\r\n",
    );
    for r in rows {
        let applicable = match r.applicable {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        let fields = [
            r.id.clone(),
            r.title.to_string(),
            r.theme.to_string(),
            applicable.to_string(),
            r.status.text.clone(),
            r.justification.clone().unwrap_or_default(),
            r.owner.clone().unwrap_or_default(),
            r.policies.to_string(),
            r.evidence.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_field(s: &str) -> String {
    // Quote when needed; a leading formula character is neutralised for spreadsheet safety.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub(in crate::render) fn control(cx: &RenderContext, ci: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        control: ControlRow,
        notes: Option<String>,
        policies: Vec<ItemLink>,
        evidence: Vec<ItemLink>,
        risks: Vec<ItemLink>,
        findings: Vec<ItemLink>,
    }
    let root = "../../";
    let c = &cx.site.controls[ci];
    let visible_links = |collection: Collection, items: &[usize]| -> Vec<usize> {
        items
            .iter()
            .copied()
            .filter(|i| cx.link_visible(ci, collection, *i))
            .collect()
    };
    let policies = cx.links_from(
        root,
        Collection::Policies,
        visible_links(Collection::Policies, &c.policies),
    );
    let mut evidence = cx.links_from(
        root,
        Collection::Evidence,
        visible_links(Collection::Evidence, &c.evidence),
    );
    for l in &mut evidence {
        if let Some(e) = cx
            .site
            .lookup(Collection::Evidence, &l.id)
            .map(|i| &cx.site.evidence[i])
            && !l.locked
        {
            l.badge = Some(freshness(e.expires, cx.site.today));
            l.note = date(e.expires).map(|d| format!("expires {d}"));
        }
    }
    let risks = cx.links_from(
        root,
        Collection::Risks,
        visible_links(Collection::Risks, &c.risks),
    );
    let findings = finding_links(cx, root, visible_links(Collection::Findings, &c.findings));
    let notes = c
        .mapping
        .as_ref()
        .filter(|_| cx.mapping_visible(ci))
        .and_then(|m| cx.markdown_html(m.notes.as_ref(), root));
    let row = control_row(cx, ci, root);
    let title = format!("{} {}", row.id, row.title);
    let data = Data {
        control: row,
        notes,
        policies,
        evidence,
        risks,
        findings,
    };
    page(
        cx,
        "control.html",
        format!("controls/{}/index.html", c.catalog.id.slug()),
        &title,
        2,
        "controls",
        data,
    )
}

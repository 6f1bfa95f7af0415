//! The Statement of Applicability: its page, its CSV export and each control's page.

use serde::Serialize;

use super::{control_badge, finding_links, page};
use crate::catalog::THEMES;
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{Assessment, Control, Entry};
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::i18n::fill;
use crate::render::views::*;

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

pub(super) fn control_row(cx: &RenderContext, c: &Control, root: &str) -> ControlRow {
    let e = cx.edition;
    let mapping = c.mapping();
    ControlRow {
        id: c.id.to_string(),
        title: c.title,
        theme: c.theme,
        url: c.route().url_from(root),
        published: !matches!(c.assessment, Assessment::Withheld),
        assessed: !matches!(c.assessment, Assessment::NotAssessed),
        applicable: mapping.map(|m| m.applicable),
        status: control_badge(cx, c),
        justification: mapping.and_then(|m| m.justification.map(str::to_string)),
        owner: mapping.and_then(|m| m.owner.map(str::to_string)),
        policies: c
            .policies
            .keys
            .iter()
            .filter(|k| e.policies.get(**k).and_then(Entry::published).is_some())
            .count(),
        evidence: c
            .evidence
            .keys
            .iter()
            .filter(|k| e.evidence.get(**k).and_then(Entry::published).is_some())
            .count(),
    }
}

/// The Statement of Applicability rows, in catalog order, with links from a page at `root`.
fn soa_rows(cx: &RenderContext, root: &str) -> Vec<ControlRow> {
    cx.edition
        .controls
        .iter()
        .map(|c| control_row(cx, c, root))
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
        coverage: crate::edition::Coverage,
    }
    let mut themes: Vec<Theme> = THEMES
        .iter()
        .map(|name| Theme {
            name,
            controls: Vec::new(),
        })
        .collect();
    let route = Route::List(Collection::Controls);
    for row in soa_rows(cx, &route.root()) {
        if let Some(t) = themes.iter_mut().find(|t| t.name == row.theme) {
            t.controls.push(row);
        }
    }
    let data = Data {
        themes,
        coverage: cx.edition.coverage.clone(),
    };
    page(cx, "controls.html", &route, cx.t().soa, "controls", data)
}

pub(in crate::render) fn soa(cx: &RenderContext) -> Output {
    let route = Route::Soa;
    Output {
        bytes: soa_csv(&soa_rows(cx, &route.root())).into_bytes(),
        path: route.path(),
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

pub(in crate::render) fn control(cx: &RenderContext, c: &Control) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        control: ControlRow,
        notes: Option<String>,
        policies: Vec<ItemLink>,
        evidence: Vec<ItemLink>,
        risks: Vec<ItemLink>,
        findings: Vec<ItemLink>,
    }
    let e = cx.edition;
    let route = c.route();
    let root = &route.root();
    let policies = cx.links(root, &e.policies, &c.policies);
    let evidence = c
        .evidence
        .keys
        .iter()
        .filter_map(|k| e.evidence.get(*k))
        .map(|entry| {
            let mut link = cx.link(root, entry);
            if let (Entry::Published(ev), Some(l)) = (entry, link.open_mut()) {
                l.badge = Some(freshness(cx.t(), ev.expires, e.today));
                l.note = date(ev.expires).map(|d| fill(cx.t().expires_on, &[&d]));
            }
            link
        })
        .collect();
    let risks = cx.links(root, &e.risks, &c.risks);
    let findings = finding_links(cx, root, &c.findings);
    let notes = c.mapping().and_then(|m| e.markdown_html(m.notes, root));
    let row = control_row(cx, c, root);
    let title = format!("{} {}", row.id, row.title);
    let data = Data {
        control: row,
        notes,
        policies,
        evidence,
        risks,
        findings,
    };
    page(cx, "control.html", &route, &title, "controls", data)
}

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
    /// No published policy, but some the reader could request: "on request", never 0.
    policies_on_request: bool,
    /// No published evidence, but some exists that is restricted: "on request", never 0.
    evidence_on_request: bool,
}

pub(super) fn control_row(cx: &RenderContext, c: &Control, root: &str) -> ControlRow {
    let e = cx.edition;
    let mapping = c.mapping();
    let policies = c
        .policies
        .keys
        .iter()
        .filter(|k| e.policies.get(**k).and_then(Entry::published).is_some())
        .count();
    let evidence = c
        .evidence
        .keys
        .iter()
        .filter(|k| e.evidence.get(**k).and_then(Entry::published).is_some())
        .count();
    ControlRow {
        policies_on_request: policies == 0
            && (c.policies.requestable > 0 || c.policies.keys.len() > policies),
        evidence_on_request: evidence == 0
            && (c.evidence.requestable > 0 || c.evidence.keys.len() > evidence),
        policies,
        evidence,
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
        bytes: soa_csv(&soa_rows(cx, &route.root()), cx.t().on_request).into_bytes(),
        path: route.path(),
    }
}

/// The SoA as CSV (RFC 4180), with exactly what the SoA page shows.
fn soa_csv(rows: &[ControlRow], on_request: &str) -> String {
    let count = |n: usize, locked: bool| {
        if locked {
            on_request.to_string()
        } else {
            n.to_string()
        }
    };
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
            count(r.policies, r.policies_on_request),
            count(r.evidence, r.evidence_on_request),
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
        /// "N more … available on request" under a relation, where restricted documents
        /// exist and the site shows such counts.
        policies_more: Option<String>,
        evidence_more: Option<String>,
        /// The request link for them.
        request: Option<String>,
        /// Empty relations are shown ("None linked") only internally, where they are gaps.
        show_empty: bool,
    }
    let e = cx.edition;
    let t = cx.t();
    let more = |n: usize, one: &str, many: &str| {
        (e.info.show_restricted_counts && n > 0).then(|| {
            if n == 1 {
                one.to_string()
            } else {
                fill(many, &[&n])
            }
        })
    };
    let policies_more = more(
        c.policies.requestable,
        t.more_policy_on_request,
        t.more_policies_on_request,
    );
    let evidence_more = more(
        c.evidence.requestable,
        t.more_evidence_item_on_request,
        t.more_evidence_on_request,
    );
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
    let request = (policies_more.is_some() || evidence_more.is_some())
        .then(|| cx.request_href(&title))
        .flatten();
    let data = Data {
        policies_more,
        evidence_more,
        request,
        show_empty: e.audience == Audience::Internal,
        control: row,
        notes,
        policies,
        evidence,
        risks,
        findings,
    };
    page(cx, "control.html", &route, &title, "controls", data)
}

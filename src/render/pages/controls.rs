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
use crate::render::charts::{self, Bar, Segment};
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
    /// The justification's first words when it is long: the SoA shows them, and the rest
    /// behind a `<details>`, so that a row stays a line or two tall.
    justification_short: Option<String>,
    owner: Option<String>,
    policies: usize,
    evidence: usize,
    /// No published policy, but some the reader could request: "on request", never 0.
    policies_on_request: bool,
    /// No published evidence, but some exists that is restricted: "on request", never 0.
    evidence_on_request: bool,
    /// What this control lacks, in words ("no policy"): the internal edition only, where gaps
    /// are made obvious; empty elsewhere.
    gaps: Vec<&'static str>,
}

/// A justification longer than this many characters is collapsed on the SoA page.
const JUSTIFICATION_SHORT: usize = 90;

pub(super) fn control_row(cx: &RenderContext, c: &Control, root: &str) -> ControlRow {
    let e = cx.edition;
    let mapping = c.mapping();
    let policies = e.policies.published_keys(&c.policies).count();
    let evidence = e.evidence.published_keys(&c.evidence).count();
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
        justification_short: mapping
            .and_then(|m| m.justification)
            .and_then(|j| shorten(j, JUSTIFICATION_SHORT)),
        owner: mapping.and_then(|m| m.owner.map(str::to_string)),
        gaps: gap_labels(cx, c),
    }
}

/// The gaps of `c` in words, for the internal edition (other editions get none).
fn gap_labels(cx: &RenderContext, c: &Control) -> Vec<&'static str> {
    if cx.audience() != Audience::Internal {
        return Vec::new();
    }
    let (t, gaps) = (cx.t(), &cx.edition.gaps);
    let mut labels = Vec::new();
    if gaps.not_assessed.contains(&c.key) {
        labels.push(t.not_assessed);
    }
    if gaps.no_policy.contains(&c.key) {
        labels.push(t.gap_short_no_policy);
    }
    if gaps.no_evidence.contains(&c.key) {
        labels.push(t.gap_short_no_evidence);
    }
    if gaps.expired_evidence.iter().any(|(k, _)| *k == c.key) {
        labels.push(t.gap_short_expired);
    }
    labels
}

/// The first words of `text` (at most about `max` characters, cut at a space) followed by
/// "…", or `None` when `text` is short enough to show whole.
pub(crate) fn shorten(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    if text.chars().count() <= max {
        return None;
    }
    let keep = max * 11 / 20;
    let cut = text
        .char_indices()
        .take_while(|(i, _)| text[..*i].chars().count() <= keep)
        .filter(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .last()
        .unwrap_or_else(|| text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i));
    let head = text[..cut].trim_end_matches([' ', ',', ';', ':', '.', '(', '–', '-']);
    Some(format!("{head}…"))
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
        caption: String,
        controls: Vec<ControlRow>,
    }
    #[derive(Serialize)]
    struct Data {
        themes: Vec<Theme>,
        coverage: crate::edition::Coverage,
        chart: Chart,
        /// Whether rows are tinted and labelled as gaps (the internal edition).
        show_gaps: bool,
    }
    let t = cx.t();
    let mut themes: Vec<Theme> = THEMES
        .iter()
        .map(|name| Theme {
            name,
            caption: fill(t.soa_caption, &[&format!("{name} {}", t.theme_controls)]),
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
        chart: status_chart(cx),
        show_gaps: cx.audience() == Audience::Internal,
    };
    page(cx, "controls.html", &route, cx.t().soa, "controls", data)
}

/// The SoA's summary chart: the controls of each theme by status, drawn as SVG, with the
/// same figures as a table (`rows`) and a legend of the statuses that occur.
#[derive(Serialize)]
struct Chart {
    svg: String,
    legend: Vec<LegendItem>,
    rows: Vec<ChartRow>,
}

#[derive(Serialize)]
struct LegendItem {
    class: &'static str,
    label: String,
}

#[derive(Serialize)]
struct ChartRow {
    theme: &'static str,
    counts: Vec<usize>,
    total: usize,
}

/// The statuses a chart shows, in order; the class names match the status badges'.
fn chart_segments(t: &crate::render::i18n::Strings) -> Vec<Segment> {
    [
        ("implemented", t.control_implemented),
        ("partially-implemented", t.control_partially_implemented),
        ("planned", t.control_planned),
        ("not-implemented", t.control_not_implemented),
        ("not-assessed", t.not_assessed),
        ("na", t.not_applicable),
        ("withheld", t.not_published),
    ]
    .into_iter()
    .map(|(class, label)| Segment {
        class,
        label: label.to_string(),
    })
    .collect()
}

/// Which segment of `chart_segments` a control counts in.
fn segment_of(c: &Control) -> usize {
    match &c.assessment {
        Assessment::Withheld => 6,
        Assessment::NotAssessed => 4,
        Assessment::Published(m) if !m.applicable => 5,
        Assessment::Published(m) => match m.status {
            Some(ControlStatus::Implemented) => 0,
            Some(ControlStatus::PartiallyImplemented) => 1,
            Some(ControlStatus::Planned) => 2,
            Some(ControlStatus::NotImplemented) => 3,
            None => 4,
        },
    }
}

fn status_chart(cx: &RenderContext) -> Chart {
    let t = cx.t();
    let segments = chart_segments(t);
    let bars: Vec<Bar> = THEMES
        .iter()
        .map(|theme| {
            let mut counts = vec![0; segments.len()];
            for c in cx.edition.controls.iter().filter(|c| c.theme == *theme) {
                counts[segment_of(c)] += 1;
            }
            Bar {
                label: format!("{theme} {}", t.theme_controls),
                counts,
            }
        })
        .collect();
    // Only the statuses that occur get a legend entry and a table column.
    let used: Vec<usize> = (0..segments.len())
        .filter(|i| bars.iter().any(|b| b.counts[*i] > 0))
        .collect();
    let svg = charts::stacked_bars(t.chart_title, &segments, &bars);
    Chart {
        svg,
        legend: used
            .iter()
            .map(|i| LegendItem {
                class: segments[*i].class,
                label: segments[*i].label.clone(),
            })
            .collect(),
        rows: THEMES
            .iter()
            .zip(&bars)
            .map(|(theme, b)| ChartRow {
                theme,
                counts: used.iter().map(|i| b.counts[*i]).collect(),
                total: b.total(),
            })
            .collect(),
    }
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
    let notes = cx.markdown_html(c.mapping().and_then(|m| m.notes), root)?;
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

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_justifications_are_cut_at_a_word() {
        let check = |text: &str, max: usize, expected: Option<&str>| {
            assert_eq!(shorten(text, max).as_deref(), expected, "{text:?}");
        };
        check("Short enough.", 20, None);
        check("  exactly twenty char ", 20, None);
        check(
            "Endpoints access customer data, and production systems too.",
            30,
            Some("Endpoints access…"),
        );
        // A cut never splits a multi-byte character, and drops trailing punctuation.
        check(
            "Größe, Länge; Breite und Höhe der Räume",
            24,
            Some("Größe, Länge…"),
        );
        check("abcdefghijklmnopqrstuvwxyz", 10, Some("abcde…"));
    }
}

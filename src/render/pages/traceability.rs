//! The traceability page: every control against its policies and evidence, and the gaps.

use serde::Serialize;

use super::controls::{ControlRow, control_row};
use super::{ListPage, list_rows, page_with_rows};
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{Assessment, ControlKey, EvidenceKey, PolicyKey};
use crate::edition::{Entry, Published};
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::i18n;
use crate::render::views::*;

pub(in crate::render) fn traceability(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Row {
        control: ControlRow,
        policies: Vec<ItemLink>,
        evidence: Vec<ItemLink>,
        /// One flag per matrix column (policies, then evidence).
        cells: Vec<bool>,
        /// An applicable (or unassessed) control with no visible policy and no evidence.
        uncovered: bool,
    }
    #[derive(Serialize)]
    struct Gap {
        control: ItemLink,
        detail: Option<String>,
    }
    #[derive(Serialize)]
    struct Data {
        /// Every row: for the matrix, and for a site's own `traceability.html`.
        #[serde(skip_serializing_if = "Option::is_none")]
        rows: Option<Vec<Row>>,
        row_count: usize,
        /// The list's rows as HTML (`traceability_rows.html`), when the theme's own list shows
        /// them: at 100,000 policies, every row at once was half a gigabyte of template values.
        #[serde(skip_serializing_if = "Option::is_none")]
        list_rows: Option<String>,
        /// The matrix's columns: the policies, then the evidence.
        columns: Vec<ItemLink>,
        /// How many of `columns` are policies (the rest are evidence).
        policy_columns: usize,
        evidence_columns: usize,
        matrix: bool,
        no_policy: Vec<Gap>,
        no_evidence: Vec<Gap>,
        expired_evidence: Vec<Gap>,
        not_assessed: Vec<Gap>,
    }
    /// A grid wider than this is unreadable even with its sticky headings; the list form
    /// carries the same links.
    const MATRIX_MAX_COLUMNS: usize = 60;
    let e = cx.edition;
    let route = Route::Traceability;
    let root = &route.root();
    let columns: Vec<(PolicyKey, ItemLink)> = e
        .policies
        .iter_published()
        .map(|(k, p)| (k, cx.open_link(root, p)))
        .collect();
    let evidence_columns: Vec<(EvidenceKey, ItemLink)> = e
        .evidence
        .iter_published()
        .map(|(k, ev)| (k, cx.open_link(root, ev)))
        .collect();
    let width = columns.len() + evidence_columns.len();
    let matrix = width > 0 && width <= MATRIX_MAX_COLUMNS;
    let row = |c: &crate::edition::Control| {
        let linked: Vec<PolicyKey> = e.policies.published_keys(&c.policies).collect();
        let evidence: Vec<EvidenceKey> = e.evidence.published_keys(&c.evidence).collect();
        let cells = if matrix {
            let policy_cells = columns.iter().map(|(k, _)| linked.contains(k));
            let evidence_cells = evidence_columns.iter().map(|(k, _)| evidence.contains(k));
            policy_cells.chain(evidence_cells).collect()
        } else {
            Vec::new()
        };
        let needs_coverage = match &c.assessment {
            Assessment::Published(m) => m.applicable,
            Assessment::NotAssessed => true,
            Assessment::Withheld => false,
        };
        Row {
            control: control_row(cx, c, root),
            policies: linked
                .iter()
                .filter_map(|k| e.policies.get(*k))
                .map(|entry| cx.link(root, entry))
                .collect(),
            evidence: evidence
                .iter()
                .filter_map(|k| e.evidence.get(*k))
                .map(|entry| cx.link(root, entry))
                .collect(),
            cells,
            uncovered: needs_coverage && linked.is_empty() && evidence.is_empty(),
        }
    };
    let list = ListPage {
        template: "traceability.html",
        rows_template: "traceability_rows.html",
        key: "rows",
        route: &route,
        title: cx.t().traceability,
        section: "traceability",
    };
    // The matrix shows every row; the list a few controls a batch (each links thousands of
    // items on a large site).
    let rows = list_rows(cx, &list, &e.controls, 4, matrix, row)?;
    let gap = |key: &ControlKey, detail: Option<String>| {
        e.control(*key).map(|c| Gap {
            control: cx.control_link(root, c),
            detail,
        })
    };
    let gaps = &e.gaps;
    let data = Data {
        rows: rows.all,
        row_count: e.controls.len(),
        list_rows: rows.marker,
        policy_columns: if matrix { columns.len() } else { 0 },
        evidence_columns: if matrix { evidence_columns.len() } else { 0 },
        columns: if matrix {
            columns
                .into_iter()
                .map(|(_, l)| l)
                .chain(evidence_columns.into_iter().map(|(_, l)| l))
                .collect()
        } else {
            Vec::new()
        },
        matrix,
        no_policy: gaps.no_policy.iter().filter_map(|k| gap(k, None)).collect(),
        no_evidence: gaps
            .no_evidence
            .iter()
            .filter_map(|k| gap(k, None))
            .collect(),
        expired_evidence: gaps
            .expired_evidence
            .iter()
            .filter_map(|(k, expired)| {
                let detail: Vec<String> = expired
                    .iter()
                    .filter_map(|ev| e.evidence.get(*ev).and_then(Entry::published))
                    .map(|ev| {
                        let expired = date(ev.expires).unwrap_or_default();
                        i18n::fill(cx.t().gap_expired_detail, &[&ev.title(), &expired])
                    })
                    .collect();
                gap(k, Some(detail.join("; ")))
            })
            .collect(),
        not_assessed: gaps
            .not_assessed
            .iter()
            .filter_map(|k| gap(k, None))
            .collect(),
    };
    page_with_rows(cx, &list, data, rows.html)
}

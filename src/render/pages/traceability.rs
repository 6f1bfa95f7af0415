//! The traceability page: every control against its policies and evidence, and the gaps.

use serde::Serialize;

use super::controls::{ControlRow, control_row};
use super::page;
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{ControlKey, PolicyKey};
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
        /// One flag per matrix column.
        cells: Vec<bool>,
    }
    #[derive(Serialize)]
    struct Gap {
        control: ItemLink,
        detail: Option<String>,
    }
    #[derive(Serialize)]
    struct Data {
        rows: Vec<Row>,
        columns: Vec<ItemLink>,
        matrix: bool,
        no_policy: Vec<Gap>,
        no_evidence: Vec<Gap>,
        expired_evidence: Vec<Gap>,
        not_assessed: Vec<Gap>,
    }
    /// A grid wider than this is unreadable; the list form carries the same links.
    const MATRIX_MAX_COLUMNS: usize = 40;
    let e = cx.edition;
    let route = Route::Traceability;
    let root = &route.root();
    let columns: Vec<(PolicyKey, ItemLink)> = e
        .policies
        .iter_published()
        .map(|(k, p)| (k, cx.open_link(root, p)))
        .collect();
    let matrix = !columns.is_empty() && columns.len() <= MATRIX_MAX_COLUMNS;
    let rows = e
        .controls
        .iter()
        .map(|c| {
            let linked: Vec<PolicyKey> = c
                .policies
                .keys
                .iter()
                .copied()
                .filter(|k| e.policies.get(*k).and_then(Entry::published).is_some())
                .collect();
            let cells = if matrix {
                columns
                    .iter()
                    .map(|(k, _)| linked.binary_search(k).is_ok())
                    .collect()
            } else {
                Vec::new()
            };
            Row {
                control: control_row(cx, c, root),
                policies: linked
                    .iter()
                    .filter_map(|k| e.policies.get(*k))
                    .map(|entry| cx.link(root, entry))
                    .collect(),
                cells,
            }
        })
        .collect();
    let gap = |key: &ControlKey, detail: Option<String>| {
        e.control(*key).map(|c| Gap {
            control: cx.control_link(root, c),
            detail,
        })
    };
    let gaps = &e.gaps;
    let data = Data {
        rows,
        columns: if matrix {
            columns.into_iter().map(|(_, l)| l).collect()
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
    page(
        cx,
        "traceability.html",
        &route,
        cx.t().traceability,
        "traceability",
        data,
    )
}

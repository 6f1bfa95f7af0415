//! The traceability page: every control against its policies and evidence, and the gaps.

use serde::Serialize;

use super::controls::{ControlRow, control_row};
use super::page;
use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;
use crate::render::visibility::Access;

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
    let root = "../";
    let site = cx.site;
    let columns: Vec<usize> = (0..site.policies.len())
        .filter(|i| cx.access(Collection::Policies, *i) == Access::Full)
        .collect();
    let matrix = !columns.is_empty() && columns.len() <= MATRIX_MAX_COLUMNS;
    let mut data = Data {
        rows: Vec::new(),
        columns: if matrix {
            cx.links_from(root, Collection::Policies, columns.iter().copied())
        } else {
            Vec::new()
        },
        matrix,
        no_policy: Vec::new(),
        no_evidence: Vec::new(),
        expired_evidence: Vec::new(),
        not_assessed: Vec::new(),
    };
    for (ci, c) in site.controls.iter().enumerate() {
        // Control pages are public (the catalog is); `None` cannot happen.
        let Some(link) = cx.item_link(root, Collection::Controls, ci) else {
            continue;
        };
        let gap = |detail: Option<String>| Gap {
            control: link.clone(),
            detail,
        };
        let linked: Vec<usize> = c
            .policies
            .iter()
            .copied()
            .filter(|p| {
                cx.link_visible(ci, Collection::Policies, *p)
                    && cx.access(Collection::Policies, *p) == Access::Full
            })
            .collect();
        let cells = if matrix {
            columns
                .iter()
                .map(|p| linked.binary_search(p).is_ok())
                .collect()
        } else {
            Vec::new()
        };
        let policies = cx.links_from(root, Collection::Policies, linked.iter().copied());
        data.rows.push(Row {
            control: control_row(cx, ci, root),
            policies,
            cells,
        });
        match &c.mapping {
            None => data.not_assessed.push(gap(None)),
            Some(m) if m.applicable && cx.mapping_visible(ci) => {
                // Gaps are judged from what this reader can see (a policy the matrix does not
                // show cannot close a gap on the same page); a listed one still counts, as the
                // reader knows it exists.
                let seen = |collection: Collection, items: &[usize]| {
                    items.iter().any(|i| {
                        cx.link_visible(ci, collection, *i)
                            && cx.access(collection, *i) != Access::Hidden
                    })
                };
                if !seen(Collection::Policies, &c.policies) {
                    data.no_policy.push(gap(None));
                }
                if !seen(Collection::Evidence, &c.evidence) {
                    data.no_evidence.push(gap(None));
                }
                let expired: Vec<String> = c
                    .evidence
                    .iter()
                    .filter(|e| {
                        cx.access(Collection::Evidence, **e) == Access::Full
                            && is_expired(site.evidence[**e].expires, site.today)
                    })
                    .map(|e| {
                        format!(
                            "{} expired {}",
                            site.evidence[*e].title,
                            date(site.evidence[*e].expires).unwrap_or_default()
                        )
                    })
                    .collect();
                if !expired.is_empty() {
                    data.expired_evidence.push(gap(Some(expired.join("; "))));
                }
            }
            Some(_) => {}
        }
    }
    page(
        cx,
        "traceability.html",
        "traceability/index.html".into(),
        "Traceability",
        1,
        "traceability",
        data,
    )
}

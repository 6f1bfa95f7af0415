//! The risk register and each risk's page.

use serde::Serialize;

use super::{not_visible, page};
use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;

#[derive(Serialize)]
struct RiskRow {
    link: ItemLink,
    owner: Option<String>,
    inherent: Option<Score>,
    residual: Option<Score>,
    treatment: Option<&'static str>,
    status: Option<&'static str>,
    review_by: Option<String>,
    review_overdue: bool,
}

fn risk_row(cx: &RenderContext, i: usize, root: &str) -> Option<RiskRow> {
    let r = &cx.site.risks[i];
    let link = cx.item_link(root, Collection::Risks, i)?;
    if link.locked {
        return Some(RiskRow {
            link,
            owner: None,
            inherent: None,
            residual: None,
            treatment: None,
            status: None,
            review_by: None,
            review_overdue: false,
        });
    }
    Some(RiskRow {
        link,
        owner: r.owner.clone(),
        inherent: score(r.likelihood, r.impact),
        residual: score(r.residual_likelihood, r.residual_impact),
        treatment: r.treatment.map(|t| t.label()),
        status: r.status.map(|s| s.label()),
        review_by: date(r.review_by),
        review_overdue: r.status != Some(RiskStatus::Closed)
            && is_overdue(r.review_by, cx.site.today),
    })
}

pub(in crate::render) fn risks_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        risks: Vec<RiskRow>,
    }
    let n = cx.site.risks.len();
    let mut rows: Vec<RiskRow> = (0..n).filter_map(|i| risk_row(cx, i, "../")).collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.inherent.as_ref().map(|s| s.value).unwrap_or(0)));
    page(
        cx,
        "risks.html",
        "risks/index.html".into(),
        "Risk register",
        1,
        "risks",
        Data { risks: rows },
    )
}

pub(in crate::render) fn risk_page(cx: &RenderContext, i: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        risk: RiskRow,
        asset: Option<String>,
        threat: Option<String>,
        vulnerability: Option<String>,
        likelihood: Option<u8>,
        impact: Option<u8>,
        residual_likelihood: Option<u8>,
        residual_impact: Option<u8>,
        classification: &'static str,
        controls: Vec<ItemLink>,
        notes: Option<String>,
    }
    let root = "../../";
    let r = &cx.site.risks[i];
    let controls = cx.site.risk_controls[i]
        .iter()
        .filter(|ci| cx.link_visible(**ci, Collection::Risks, i))
        .filter_map(|ci| cx.item_link(root, Collection::Controls, *ci))
        .collect();
    let data = Data {
        risk: risk_row(cx, i, root).ok_or_else(|| not_visible("risk", i))?,
        asset: r.asset.clone(),
        threat: r.threat.clone(),
        vulnerability: r.vulnerability.clone(),
        likelihood: r.likelihood,
        impact: r.impact,
        residual_likelihood: r.residual_likelihood,
        residual_impact: r.residual_impact,
        classification: r.common.classification.as_str(),
        controls,
        notes: cx.markdown_html(r.common.notes.as_ref(), root),
    };
    page(
        cx,
        "risk.html",
        format!("risks/{}/index.html", r.common.slug),
        &r.title,
        2,
        "risks",
        data,
    )
}

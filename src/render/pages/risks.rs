//! The risk register and each risk's page.

use serde::Serialize;

use super::page;
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{Entry, Published, Risk};
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

fn risk_row(cx: &RenderContext, entry: &Entry<Risk>, root: &str) -> RiskRow {
    let link = cx.link(root, entry);
    let Entry::Published(r) = entry else {
        return RiskRow {
            link,
            owner: None,
            inherent: None,
            residual: None,
            treatment: None,
            status: None,
            review_by: None,
            review_overdue: false,
        };
    };
    RiskRow {
        link,
        owner: r.owner.map(str::to_string),
        inherent: score(r.likelihood, r.impact),
        residual: score(r.residual_likelihood, r.residual_impact),
        treatment: r.treatment.map(|t| cx.t().treatment(t)),
        status: r.status.map(|s| cx.t().risk_status(s)),
        review_by: date(r.review_by),
        review_overdue: r.status != Some(RiskStatus::Closed)
            && is_overdue(r.review_by, cx.edition.today),
    }
}

pub(in crate::render) fn risks_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        risks: Vec<RiskRow>,
    }
    let route = Route::List(Collection::Risks);
    let root = &route.root();
    let mut rows: Vec<RiskRow> = cx
        .edition
        .risks
        .entries()
        .map(|e| risk_row(cx, e, root))
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.inherent.as_ref().map(|s| s.value).unwrap_or(0)));
    page(
        cx,
        "risks.html",
        &route,
        cx.t().risk_register,
        "risks",
        Data { risks: rows },
    )
}

pub(in crate::render) fn risk_page(cx: &RenderContext, r: &Risk) -> Result<Output, Diagnostic> {
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
    let route = r.route();
    let root = &route.root();
    let data = Data {
        risk: risk_row(cx, &Entry::Published(r.clone()), root),
        asset: r.asset.map(str::to_string),
        threat: r.threat.map(str::to_string),
        vulnerability: r.vulnerability.map(str::to_string),
        likelihood: r.likelihood,
        impact: r.impact,
        residual_likelihood: r.residual_likelihood,
        residual_impact: r.residual_impact,
        classification: r.classification.as_str(),
        controls: cx.control_links(root, &r.controls.keys),
        notes: cx.markdown_html(r.notes, root)?,
    };
    page(cx, "risk.html", &route, r.title, "risks", data)
}

//! The policy list and each policy's page.

use serde::Serialize;

use super::{control_badge, finding_links, not_visible, page};
use crate::diagnostic::Diagnostic;
use crate::markdown::TocEntry;
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;
use crate::render::visibility::Access;

#[derive(Serialize)]
struct PolicyRow {
    link: ItemLink,
    owner: String,
    version: String,
    status: Badge,
    classification: &'static str,
    review_by: Option<String>,
    review_overdue: bool,
    summary: Option<String>,
}

pub(in crate::render) fn policies_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        policies: Vec<PolicyRow>,
        listed: Vec<ItemLink>,
        restricted: usize,
    }
    let site = cx.site;
    let mut order: Vec<usize> = (0..site.policies.len()).collect();
    order.sort_by(|a, b| {
        site.policies[*a]
            .title
            .to_lowercase()
            .cmp(&site.policies[*b].title.to_lowercase())
    });
    let mut rows = Vec::new();
    let mut listed = Vec::new();
    let mut restricted = 0;
    for i in order {
        let p = &site.policies[i];
        match cx.access(Collection::Policies, i) {
            Access::Full => {
                rows.extend(
                    cx.item_link("../", Collection::Policies, i)
                        .map(|link| PolicyRow {
                            link,
                            owner: p.owner.clone(),
                            version: p.version.clone(),
                            status: policy_status_badge(p.status),
                            classification: p.common.classification.as_str(),
                            review_by: date(p.review_by),
                            review_overdue: p.status == PolicyStatus::Approved
                                && is_overdue(p.review_by, site.today),
                            summary: p.summary.clone(),
                        }),
                )
            }
            Access::Listed => listed.extend(cx.item_link("../", Collection::Policies, i)),
            Access::Hidden if cx.is_restricted(Collection::Policies, i) => restricted += 1,
            Access::Hidden => {}
        }
    }
    page(
        cx,
        "policies.html",
        "policies/index.html".into(),
        "Policies",
        1,
        "policies",
        Data {
            policies: rows,
            listed,
            restricted,
        },
    )
}

pub(in crate::render) fn policy(cx: &RenderContext, i: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        policy: PolicyRow,
        id: String,
        approved: Option<String>,
        toc: Vec<TocEntry>,
        body: String,
        controls: Vec<ItemLink>,
        findings: Vec<ItemLink>,
    }
    let site = cx.site;
    let p = &site.policies[i];
    let root = "../../";
    let rendered = cx.markdown(&p.body, root);
    let controls = site.policy_controls[i]
        .iter()
        .filter(|ci| cx.link_visible(**ci, Collection::Policies, i))
        .filter_map(|ci| {
            let mut l = cx.item_link(root, Collection::Controls, *ci)?;
            l.badge = Some(control_badge(cx, *ci));
            Some(l)
        })
        .collect();
    let findings = finding_links(cx, root, site.policy_findings[i].iter().copied());
    let row = PolicyRow {
        link: cx
            .item_link(root, Collection::Policies, i)
            .ok_or_else(|| not_visible("policy", i))?,
        owner: p.owner.clone(),
        version: p.version.clone(),
        status: policy_status_badge(p.status),
        classification: p.common.classification.as_str(),
        review_by: date(p.review_by),
        review_overdue: p.status == PolicyStatus::Approved && is_overdue(p.review_by, site.today),
        summary: p.summary.clone(),
    };
    let data = Data {
        policy: row,
        id: p.common.id.clone(),
        approved: date(p.approved),
        toc: rendered.toc.clone(),
        body: rendered.html.clone(),
        controls,
        findings,
    };
    page(
        cx,
        "policy.html",
        format!("policies/{}/index.html", p.common.slug),
        &p.title,
        2,
        "policies",
        data,
    )
}

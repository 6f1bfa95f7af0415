//! The policy list and each policy's page.

use serde::Serialize;

use super::{Base, Ctx, ListPage, control_badge, finding_links, list_rows, page_with_rows};
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{Entry, Policy, Published};
use crate::markdown::TocEntry;
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;

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

fn policy_row(cx: &RenderContext, p: &Policy, root: &str) -> PolicyRow {
    PolicyRow {
        link: cx.open_link(root, p),
        owner: p.owner.to_string(),
        version: p.version.to_string(),
        status: policy_status_badge(cx.t(), p.status),
        classification: p.classification.as_str(),
        review_by: date(p.review_by),
        review_overdue: p.status == PolicyStatus::Approved
            && is_overdue(p.review_by, cx.edition.today),
        summary: p.summary.map(str::to_string),
    }
}

pub(in crate::render) fn policies_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        /// Every row, for a site's own `policies.html`; the theme's renders `policy_rows`.
        #[serde(skip_serializing_if = "Option::is_none")]
        policies: Option<Vec<PolicyRow>>,
        policy_count: usize,
        /// The table's rows as HTML (`policy_rows.html`), unless the site has its own list.
        #[serde(skip_serializing_if = "Option::is_none")]
        policy_rows: Option<String>,
        listed: Vec<ItemLink>,
        restricted: usize,
        /// The link that requests the further policies counted in `restricted`.
        request: Option<String>,
    }
    let route = Route::List(Collection::Policies);
    let root = &route.root();
    let register = &cx.edition.policies;
    let mut order: Vec<(String, &Entry<Policy>)> = register
        .entries()
        .map(|e| {
            let title = match e {
                Entry::Published(p) => p.title.to_lowercase(),
                Entry::OnRequest { title } => title.to_lowercase(),
            };
            (title, e)
        })
        .collect();
    order.sort_by(|a, b| a.0.cmp(&b.0));
    let mut published = Vec::new();
    let mut listed = Vec::new();
    for (_, entry) in order {
        match entry {
            Entry::Published(p) => published.push(p),
            Entry::OnRequest { .. } => listed.push(cx.link(root, entry)),
        }
    }
    let list = ListPage {
        template: "policies.html",
        rows_template: "policy_rows.html",
        key: "policies",
        route: &route,
        title: cx.t().policies,
        section: "policies",
    };
    let rows = list_rows(cx, &list, &published, super::ROWS_AT_ONCE, false, |p| {
        policy_row(cx, p, root)
    })?;
    page_with_rows(
        cx,
        &list,
        Data {
            policies: rows.all,
            policy_count: published.len(),
            policy_rows: rows.marker,
            listed,
            restricted: register.restricted,
            request: (register.restricted > 0)
                .then(|| cx.request_href(cx.t().policies))
                .flatten(),
        },
        rows.html,
    )
}

/// One line of the revision table.
#[derive(Serialize)]
struct RevisionRow {
    version: Option<String>,
    date: Option<String>,
    approved_by: Option<String>,
    summary: Option<String>,
}

pub(in crate::render) fn policy(cx: &RenderContext, p: &Policy) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        policy: PolicyRow,
        id: String,
        approved: Option<String>,
        approved_by: Option<String>,
        tags: Vec<String>,
        history: Vec<RevisionRow>,
        extra: Option<serde_json::Value>,
        toc: Vec<TocEntry>,
        body: String,
        controls: Vec<ItemLink>,
        findings: Vec<ItemLink>,
        /// Empty relations are shown only internally, where they are gaps.
        show_empty: bool,
    }
    let e = cx.edition;
    let route = p.route();
    let root = &route.root();
    // A build's one copy is taken, not cloned (`serve` keeps its copy in the memo cache).
    let rendered = std::sync::Arc::unwrap_or_clone(cx.markdown(p.body, root)?);
    let controls = p
        .controls
        .keys
        .iter()
        .filter_map(|k| e.control(*k))
        .map(|c| {
            let mut link = cx.control_link(root, c);
            if let Some(l) = link.open_mut() {
                l.badge = Some(control_badge(cx, c));
            }
            link
        })
        .collect();
    let data = Data {
        policy: policy_row(cx, p, root),
        id: p.id.to_string(),
        approved: date(p.approved),
        approved_by: p.approved_by.map(str::to_string),
        tags: p.tags.to_vec(),
        history: p
            .history
            .iter()
            .map(|r| RevisionRow {
                version: r.version.clone(),
                date: date(r.date),
                approved_by: r.approved_by.clone(),
                summary: r.summary.clone(),
            })
            .collect(),
        extra: p.extra.cloned(),
        toc: rendered.toc,
        body: rendered.html,
        controls,
        findings: finding_links(cx, root, &p.findings),
        show_empty: e.audience == Audience::Internal,
    };
    // A policy's summary describes its page to link previews better than the site's
    // description does.
    let mut base = Base::new(cx, p.title, &route, "policies");
    base.page.print_css = cx.print_css(p.title, Some(p.version));
    if let (Some(og), Some(summary)) = (base.page.og.as_mut(), p.summary) {
        og.description = Some(summary.to_string());
    }
    cx.page_in("policy.html", &route, "policies", &Ctx { base, data })
}

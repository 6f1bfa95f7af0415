//! The supplier register and each supplier's page.

use serde::Serialize;

use super::page;
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{Entry, Published, Supplier};
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;

#[derive(Serialize)]
struct SupplierRow {
    link: ItemLink,
    service: Option<String>,
    data: Option<String>,
    location: Option<String>,
    assurance: Vec<String>,
    reviewed: Option<String>,
    risk: Option<&'static str>,
    subprocessor: bool,
}

fn supplier_row(cx: &RenderContext, entry: &Entry<Supplier>, root: &str) -> SupplierRow {
    let link = cx.link(root, entry);
    let Entry::Published(s) = entry else {
        return SupplierRow {
            link,
            service: None,
            data: None,
            location: None,
            assurance: vec![],
            reviewed: None,
            risk: None,
            // Whether it processes data is not its title: listed among the other suppliers.
            subprocessor: false,
        };
    };
    SupplierRow {
        link,
        service: s.service.map(str::to_string),
        data: s.data.map(str::to_string),
        location: s.location.map(str::to_string),
        assurance: s.assurance.to_vec(),
        reviewed: date(s.reviewed),
        risk: s.risk.map(|r| cx.t().risk_level(r)),
        subprocessor: s.subprocessor,
    }
}

pub(in crate::render) fn suppliers_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        subprocessors: Vec<SupplierRow>,
        others: Vec<SupplierRow>,
        /// Whether risk ratings and reviews are shown (from the customer edition up).
        assessed: bool,
    }
    let route = Route::List(Collection::Suppliers);
    let root = &route.root();
    let (subprocessors, others): (Vec<SupplierRow>, Vec<SupplierRow>) = cx
        .edition
        .suppliers
        .entries()
        .map(|e| supplier_row(cx, e, root))
        .partition(|r| r.subprocessor);
    page(
        cx,
        "suppliers.html",
        &route,
        cx.t().suppliers_title,
        "suppliers",
        Data {
            subprocessors,
            others,
            assessed: cx.audience() != Audience::Public,
        },
    )
}

pub(in crate::render) fn supplier_page(
    cx: &RenderContext,
    s: &Supplier,
) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        supplier: SupplierRow,
        classification: &'static str,
        notes: Option<String>,
    }
    let route = s.route();
    let root = &route.root();
    let data = Data {
        supplier: supplier_row(cx, &Entry::Published(s.clone()), root),
        classification: s.classification.as_str(),
        notes: cx.markdown_html(s.notes, root)?,
    };
    page(cx, "supplier.html", &route, s.name, "suppliers", data)
}

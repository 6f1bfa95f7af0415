//! The supplier register and each supplier's page.

use serde::Serialize;

use super::{not_visible, page};
use crate::diagnostic::Diagnostic;
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

fn supplier_row(cx: &RenderContext, i: usize, root: &str) -> Option<SupplierRow> {
    let s = &cx.site.suppliers[i];
    let link = cx.item_link(root, Collection::Suppliers, i)?;
    if link.locked {
        return Some(SupplierRow {
            link,
            service: None,
            data: None,
            location: None,
            assurance: vec![],
            reviewed: None,
            risk: None,
            // Whether it processes data is not its title: listed among the other suppliers.
            subprocessor: false,
        });
    }
    Some(SupplierRow {
        link,
        service: s.service.clone(),
        data: s.data.clone(),
        location: s.location.clone(),
        assurance: s.assurance.clone(),
        reviewed: date(s.reviewed),
        risk: s.risk.map(|r| r.label()),
        subprocessor: s.subprocessor,
    })
}

pub(in crate::render) fn suppliers_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        subprocessors: Vec<SupplierRow>,
        others: Vec<SupplierRow>,
    }
    let n = cx.site.suppliers.len();
    let (subprocessors, others): (Vec<SupplierRow>, Vec<SupplierRow>) = (0..n)
        .filter_map(|i| supplier_row(cx, i, "../"))
        .partition(|r| r.subprocessor);
    page(
        cx,
        "suppliers.html",
        "suppliers/index.html".into(),
        "Suppliers and subprocessors",
        1,
        "suppliers",
        Data {
            subprocessors,
            others,
        },
    )
}

pub(in crate::render) fn supplier_page(cx: &RenderContext, i: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        supplier: SupplierRow,
        classification: &'static str,
        notes: Option<String>,
    }
    let root = "../../";
    let s = &cx.site.suppliers[i];
    let data = Data {
        supplier: supplier_row(cx, i, root).ok_or_else(|| not_visible("supplier", i))?,
        classification: s.common.classification.as_str(),
        notes: cx.markdown_html(s.common.notes.as_ref(), root),
    };
    page(
        cx,
        "supplier.html",
        format!("suppliers/{}/index.html", s.common.slug),
        &s.name,
        2,
        "suppliers",
        data,
    )
}

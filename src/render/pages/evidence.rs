//! The evidence register and each evidence item's page.

use serde::Serialize;

use super::{not_visible, page};
use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::output::Output;
use crate::render::RenderContext;
use crate::render::views::*;

#[derive(Serialize)]
struct EvidenceRow {
    link: ItemLink,
    kind: Option<&'static str>,
    owner: Option<String>,
    collected: Option<String>,
    expires: Option<String>,
    freshness: Badge,
}

fn evidence_row(cx: &RenderContext, i: usize, root: &str) -> Option<EvidenceRow> {
    let e = &cx.site.evidence[i];
    let link = cx.item_link(root, Collection::Evidence, i)?;
    let locked = link.locked;
    Some(EvidenceRow {
        link,
        kind: e.kind.map(|k| k.label()).filter(|_| !locked),
        owner: e.owner.clone().filter(|_| !locked),
        collected: date(e.collected).filter(|_| !locked),
        expires: date(e.expires).filter(|_| !locked),
        freshness: if locked {
            Badge::new("Available on request", "locked")
        } else {
            freshness(e.expires, cx.site.today)
        },
    })
}

pub(in crate::render) fn evidence_list(cx: &RenderContext) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        evidence: Vec<EvidenceRow>,
        restricted: usize,
    }
    let site = cx.site;
    let rows: Vec<EvidenceRow> = (0..site.evidence.len())
        .filter_map(|i| evidence_row(cx, i, "../"))
        .collect();
    let restricted = cx.restricted_count(Collection::Evidence);
    page(
        cx,
        "evidence_list.html",
        "evidence/index.html".into(),
        "Evidence",
        1,
        "evidence",
        Data {
            evidence: rows,
            restricted,
        },
    )
}

pub(in crate::render) fn evidence_page(cx: &RenderContext, i: usize) -> Result<Output, Diagnostic> {
    #[derive(Serialize)]
    struct Data {
        evidence: EvidenceRow,
        classification: &'static str,
        /// The `url` field's link (`None` when there is none or it is withheld).
        url: Option<String>,
        url_text: Option<String>,
        url_external: bool,
        /// The `url` field names something this reader may not open.
        url_withheld: bool,
        file: Option<String>,
        /// The file's address relative to the page, percent-encoded: a name such as
        /// `report#1.pdf` would otherwise link to `report` with a fragment.
        file_href: Option<String>,
        description: Option<String>,
        notes: Option<String>,
        controls: Vec<ItemLink>,
    }
    let root = "../../";
    let e = &cx.site.evidence[i];
    let controls = cx.site.evidence_controls[i]
        .iter()
        .filter(|ci| cx.link_visible(**ci, Collection::Evidence, i))
        .filter_map(|ci| cx.item_link(root, Collection::Controls, *ci))
        .collect();
    let url = e
        .url
        .as_deref()
        .map(|u| cx.url_link(u, &e.common.pos.path, root));
    let data = Data {
        url_withheld: matches!(url, Some(None)),
        url_text: url.clone().flatten().map(|l| l.text),
        url_external: url.clone().flatten().is_some_and(|l| l.external),
        evidence: evidence_row(cx, i, root).ok_or_else(|| not_visible("evidence item", i))?,
        classification: e.common.classification.as_str(),
        url: url.flatten().map(|l| l.href),
        file: e.file.as_ref().map(|f| f.file_name.clone()),
        file_href: e.file.as_ref().map(|f| encode_segment(&f.file_name)),
        description: cx.markdown_html(e.description.as_ref(), root),
        notes: cx.markdown_html(e.common.notes.as_ref(), root),
        controls,
    };
    page(
        cx,
        "evidence.html",
        format!("evidence/{}/index.html", e.common.slug),
        &e.title,
        2,
        "evidence",
        data,
    )
}

/// Percent-encodes one path segment: every byte but the unreserved characters of RFC 3986, so
/// `#`, `?`, `%`, `:` and spaces in a file name stay part of the name.
fn encode_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_segment;

    #[test]
    fn file_names_are_encoded_as_one_segment() {
        for (name, expected) in [
            ("report.pdf", "report.pdf"),
            ("report#1.pdf", "report%231.pdf"),
            ("a b.pdf", "a%20b.pdf"),
            ("100%.txt", "100%25.txt"),
            ("q?.txt", "q%3F.txt"),
            ("javascript:x", "javascript%3Ax"),
            ("é.txt", "%C3%A9.txt"),
        ] {
            assert_eq!(encode_segment(name), expected, "{name}");
        }
    }
}

//! `search-index.json`: what the header's search box looks through. Built from the edition,
//! so it holds only items this audience can open, and only plain fields (titles, ids,
//! summaries): never Markdown, whose links could name a withheld target.

use serde::Serialize;

use super::RenderContext;
use crate::edition::Published;
use crate::edition::route::Route;
use crate::output::Output;

#[derive(Serialize)]
struct Entry {
    /// Title shown in the results.
    t: String,
    /// URL relative to the site root.
    u: String,
    /// Kind of item, shown beside the title.
    k: &'static str,
    /// Extra words to match (id, summary, owner, service).
    s: String,
}

pub(in crate::render) fn search_index(cx: &RenderContext) -> Output {
    let e = cx.edition;
    let route = Route::SearchIndex;
    let root = route.root();
    let entry = |item: &dyn Published, k: &'static str, s: String| Entry {
        t: item.title().to_string(),
        u: item.route().url_from(&root),
        k,
        s,
    };
    let t = cx.t();
    let mut entries = Vec::new();
    // Sections the edition has not are not searched either (their registers are empty).
    if e.writes(&Route::Scope) {
        entries.push(Entry {
            t: e.scope.title.to_string(),
            u: Route::Scope.url_from(&root),
            k: t.kind_scope,
            s: e.scope.services.join(" "),
        });
    }
    for p in e.policies.published() {
        let summary = p.summary.unwrap_or("");
        let s = format!("{} {} {}", p.id, summary, p.owner);
        entries.push(entry(p, t.kind_policy, s));
    }
    for c in e.controls.iter().filter(|c| e.writes(&c.route())) {
        entries.push(Entry {
            t: c.full_title(),
            u: c.route().url_from(&root),
            k: t.kind_control,
            s: c.theme.to_string(),
        });
    }
    for ev in e.evidence.published() {
        entries.push(entry(ev, t.kind_evidence, ev.id.to_string()));
    }
    for r in e.risks.published() {
        entries.push(entry(r, t.kind_risk, r.id.to_string()));
    }
    for f in e.findings.published() {
        entries.push(entry(f, t.kind_finding, f.id.to_string()));
    }
    for s in e.suppliers.published() {
        let words = format!("{} {}", s.id, s.service.unwrap_or(""));
        entries.push(entry(s, t.kind_supplier, words));
    }
    // Serialising plain structs of strings cannot fail; an empty index is the safe fallback.
    let bytes = serde_json::to_vec(&entries).unwrap_or_else(|_| b"[]".to_vec());
    Output {
        path: route.path(),
        bytes,
    }
}

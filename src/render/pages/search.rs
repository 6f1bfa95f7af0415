//! `search-index.json`: what the header's search box looks through. Built from the same
//! access decisions as the pages, so it holds only items this audience can open, and only
//! plain fields (titles, ids, summaries): never Markdown, whose links could name a withheld
//! target.

use serde::Serialize;

use super::RenderContext;
use crate::model::Collection;
use crate::output::Output;
use crate::render::visibility::Access;

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
    let site = cx.site;
    let mut entries = vec![Entry {
        t: site.scope.title.clone(),
        u: "scope/".into(),
        k: "Scope",
        s: site.scope.services.join(" "),
    }];
    for collection in Collection::ALL {
        for i in 0..site.len(collection) {
            if cx.access(collection, i) != Access::Full {
                continue;
            }
            let (k, s) = match collection {
                Collection::Policies => {
                    let p = &site.policies[i];
                    let summary = p.summary.as_deref().unwrap_or("");
                    ("Policy", format!("{} {} {}", p.common.id, summary, p.owner))
                }
                Collection::Controls => ("Control", site.controls[i].catalog.theme.to_string()),
                Collection::Evidence => ("Evidence", site.evidence[i].common.id.clone()),
                Collection::Risks => ("Risk", site.risks[i].common.id.clone()),
                Collection::Findings => ("Finding", site.findings[i].common.id.clone()),
                Collection::Suppliers => {
                    let s = &site.suppliers[i];
                    (
                        "Supplier",
                        format!("{} {}", s.common.id, s.service.as_deref().unwrap_or("")),
                    )
                }
            };
            entries.push(Entry {
                t: cx.item_title(collection, i),
                u: cx.item_url("", collection, i),
                k,
                s,
            });
        }
    }
    // Serialising plain structs of strings cannot fail; an empty index is the safe fallback.
    let bytes = serde_json::to_vec(&entries).unwrap_or_else(|_| b"[]".to_vec());
    Output {
        path: "search-index.json".into(),
        bytes,
    }
}

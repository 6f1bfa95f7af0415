//! strongdm/comply: `policies/`, `narratives/` and `procedures/` of Markdown whose YAML front
//! matter has no opening `---` (`name`, `acronym`, `satisfies: {FRAMEWORK: [ids]}`,
//! `majorRevisions: [{date, comment}]`; procedures `id`, `name`, `cron`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::{
    Doc, Read, dropped_note, markdown_files, read_text, split_front_matter, stem_of, string,
};
use crate::model::ControlId;

const FOLDERS: [&str; 3] = ["policies", "narratives", "procedures"];

pub(super) fn read(src: &Path) -> Result<Read> {
    let mut docs = Vec::new();
    let mut notes = Vec::new();
    let mut dropped: BTreeMap<String, usize> = BTreeMap::new();
    let mut other_frameworks: BTreeMap<String, usize> = BTreeMap::new();
    let mut revisions = 0;
    let mut files = 0;
    for folder in FOLDERS {
        let dir = src.join(folder);
        if !dir.is_dir() {
            continue;
        }
        for rel in markdown_files(&dir) {
            if matches!(rel.as_str(), "README.md" | "TODO.md") {
                continue;
            }
            files += 1;
            let text = read_text(&dir, &rel)?;
            let (fm, mut body) = split_front_matter(&text);
            for k in fm.keys().filter(|k| {
                !["name", "acronym", "id", "satisfies", "majorRevisions"].contains(&k.as_str())
            }) {
                *dropped.entry(k.clone()).or_default() += 1;
            }
            let mut controls = Vec::new();
            if let Some(Value::Object(sat)) = fm.get("satisfies") {
                for (framework, ids) in sat {
                    let ids: Vec<String> = match ids {
                        Value::Array(a) => a.iter().filter_map(string).collect(),
                        v => string(v).into_iter().collect(),
                    };
                    for id in ids {
                        match annex_a(&id) {
                            Some(c) if !controls.contains(&c) => controls.push(c),
                            Some(_) => {}
                            None => *other_frameworks.entry(framework.clone()).or_default() += 1,
                        }
                    }
                }
            }
            if let Some(Value::Array(revs)) = fm.get("majorRevisions") {
                let rows: Vec<String> = revs
                    .iter()
                    .map(|r| {
                        let cell = |k: &str| {
                            r.get(k)
                                .and_then(string)
                                .unwrap_or_default()
                                .replace('|', "\\|")
                        };
                        format!("| {} | {} |", cell("date"), cell("comment"))
                    })
                    .collect();
                if !rows.is_empty() {
                    revisions += 1;
                    // At the level of the text's own sections.
                    let level = if body.lines().any(|l| l.starts_with("# ")) {
                        "#"
                    } else {
                        "##"
                    };
                    body = format!(
                        "{}\n\n{level} Revision history\n\n| Date | Change |\n|------|--------|\n{}\n",
                        body.trim_end(),
                        rows.join("\n")
                    );
                }
            }
            let stem = stem_of(&rel).to_string();
            let id = fm
                .get("acronym")
                .or_else(|| fm.get("id"))
                .and_then(string)
                .map(|a| a.to_lowercase())
                .unwrap_or_else(|| stem.clone());
            docs.push(Doc {
                source: format!("{folder}/{rel}"),
                id,
                title: fm.get("name").and_then(string),
                // comply records approval in git, not in the file: start as drafts.
                draft: true,
                date: None,
                summary: None,
                controls,
                body,
                aliases: vec![format!("{folder}/{stem}")],
            });
        }
    }
    if revisions > 0 {
        notes.push(format!(
            "{revisions} document(s): majorRevisions kept as a \"Revision history\" table at the end of the text"
        ));
    }
    for (framework, n) in &other_frameworks {
        notes.push(format!(
            "satisfies: {n} {framework} reference(s) are not ISO/IEC 27001 Annex A controls and were dropped (map them in controls/annex-a.yaml)"
        ));
    }
    if src.join("standards").is_dir() {
        notes.push("standards/ (comply's control catalogues) was not imported: trustpress has Annex A built in".into());
    }
    notes.extend(dropped_note("comply", &dropped));
    Ok(Read {
        title: org_name(src),
        docs,
        notes,
        files,
    })
}

/// An Annex A control id (`A.5.15`, `5.15`, `A5.15`) that the catalog knows.
fn annex_a(id: &str) -> Option<ControlId> {
    ControlId::parse(id).filter(|c| crate::catalog::index_of(*c).is_some())
}

/// `name` from comply.yml.
fn org_name(src: &Path) -> Option<String> {
    let text = std::fs::read_to_string(src.join("comply.yml")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("name:"))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
        .filter(|v| !v.is_empty())
}

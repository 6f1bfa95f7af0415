//! MkDocs: `mkdocs.yml` (`site_name`, `docs_dir`, `nav`) and the Markdown under `docs/`.
//! Page titles come from `nav`, else front matter `title`, else the first `# heading`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::{
    Doc, Read, dropped_note, markdown_files, read_text, split_front_matter, stem_of, string,
    take_h1,
};

pub(super) fn read(src: &Path) -> Result<Read> {
    let mut notes = Vec::new();
    let config = config(src, &mut notes);
    let docs_dir = config
        .get("docs_dir")
        .and_then(string)
        .unwrap_or_else(|| "docs".into());
    let root = src.join(&docs_dir);
    let root = if root.is_dir() {
        root
    } else {
        src.to_path_buf()
    };
    let mut titles = BTreeMap::new();
    if let Some(nav) = config.get("nav") {
        nav_titles(nav, None, &mut titles);
    }
    let mut dropped: BTreeMap<String, usize> = BTreeMap::new();
    let files = markdown_files(&root);
    let mut docs = Vec::new();
    for rel in &files {
        let text = read_text(&root, rel)?;
        let (fm, body) = split_front_matter(&text);
        for k in fm
            .keys()
            .filter(|k| !["title", "description"].contains(&k.as_str()))
        {
            *dropped.entry(k.clone()).or_default() += 1;
        }
        let (h1, body) = take_h1(&body);
        let path = Path::new(rel);
        let stem = stem_of(rel);
        let id = match stem {
            "index" | "README" => path
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .unwrap_or("overview")
                .to_string(),
            s => s.to_string(),
        };
        docs.push(Doc {
            source: rel.clone(),
            id,
            title: titles
                .get(rel.as_str())
                .cloned()
                .or_else(|| fm.get("title").and_then(string))
                .or(h1),
            // MkDocs has no approval: everything starts as a draft.
            draft: true,
            date: None,
            summary: fm.get("description").and_then(string),
            controls: Vec::new(),
            body,
            aliases: Vec::new(),
        });
    }
    notes.extend(dropped_note("mkdocs", &dropped));
    Ok(Read {
        title: config.get("site_name").and_then(string),
        docs,
        notes,
        files: files.len(),
    })
}

/// mkdocs.yml as a map; `!!python/…` tags (plugins, extensions) are left out.
fn config(src: &Path, notes: &mut Vec<String>) -> BTreeMap<String, Value> {
    let found = [
        "mkdocs.yml",
        "mkdocs.yaml",
        "mkdocs/mkdocs.yml.tmpl",
        "mkdocs.yml.tmpl",
    ]
    .iter()
    .find_map(|n| std::fs::read_to_string(src.join(n)).ok());
    let Some(text) = found else {
        notes.push("no mkdocs.yml found: titles come from the pages".into());
        return BTreeMap::new();
    };
    let plain: String = text
        .lines()
        .filter(|l| !l.contains("!!") && !l.contains("!ENV"))
        .map(|l| format!("{l}\n"))
        .collect();
    match crate::yaml::parse::<Option<BTreeMap<String, Value>>>(&plain, "mkdocs.yml", 0) {
        Ok(m) => m.unwrap_or_default(),
        Err(d) => {
            notes.push(format!(
                "mkdocs.yml could not be read ({d}): titles come from the pages"
            ));
            BTreeMap::new()
        }
    }
}

/// `nav` entries: `- Title: path.md`, `- Section: [ … ]`, `- path.md`.
fn nav_titles(nav: &Value, title: Option<&str>, out: &mut BTreeMap<String, String>) {
    match nav {
        Value::Array(items) => items.iter().for_each(|i| nav_titles(i, None, out)),
        Value::Object(map) => {
            for (k, v) in map {
                nav_titles(v, Some(k), out);
            }
        }
        Value::String(path) if path.ends_with(".md") => {
            if let Some(t) = title {
                out.insert(path.trim_start_matches("./").to_string(), t.to_string());
            }
        }
        _ => {}
    }
}

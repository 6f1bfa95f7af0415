//! Hugo: `content/` (or SRC itself) of Markdown pages with YAML or TOML front matter; page
//! bundles (`x/index.md`); `_index.md` section pages; `{{< ref >}}`/`relref` links.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use super::{
    Doc, Read, date, dropped_note, markdown_files, read_text, split_front_matter, stem_of, string,
};

/// The front-matter keys that have a trustpress field (or only steer the import).
const MAPPED: &[&str] = &[
    "title",
    "draft",
    "date",
    "lastmod",
    "last_updated",
    "publishDate",
    "description",
    "summary",
    "slug",
    "url",
    "aliases",
];

pub(super) fn read(src: &Path) -> Result<Read> {
    let has_content_dir = src.join("content").is_dir();
    let root = if has_content_dir {
        src.join("content")
    } else {
        src.to_path_buf()
    };
    let mut docs = Vec::new();
    let mut notes = Vec::new();
    let mut dropped: BTreeMap<String, usize> = BTreeMap::new();
    let files = markdown_files(&root);
    let mut empty_sections = 0;
    for rel in &files {
        let text = read_text(&root, rel)?;
        let (fm, body) = split_front_matter(&text);
        let path = Path::new(rel);
        let stem = stem_of(rel);
        // A repository that is itself the content folder keeps its README beside the pages.
        if !has_content_dir
            && dir_is_root(rel)
            && matches!(stem, "README" | "LICENSE" | "CONTRIBUTING")
        {
            notes.push(format!("{rel} was skipped: a repository file, not a page"));
            continue;
        }
        let dir = path
            .parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let folder = Path::new(&dir)
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string);
        let (id, url) = match stem {
            "_index" if body.trim().is_empty() => {
                empty_sections += 1;
                continue;
            }
            "_index" | "index" => (
                folder.clone().unwrap_or_else(|| "home".into()),
                format!("/{dir}/"),
            ),
            _ => {
                let slug = fm.get("slug").and_then(string).unwrap_or(stem.to_string());
                let url = if dir.is_empty() {
                    format!("/{slug}/")
                } else {
                    format!("/{dir}/{slug}/")
                };
                (stem.to_string(), url)
            }
        };
        if stem == "index" {
            let resources = std::fs::read_dir(root.join(&dir))
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .filter(|e| e.path().is_file())
                        .filter(|e| e.file_name() != "index.md")
                        .count()
                })
                .unwrap_or(0);
            if resources > 0 {
                notes.push(format!(
                    "{rel}: {resources} bundle file(s) beside it were not imported (images and attachments: copy them into the site and link them)"
                ));
            }
        }
        for k in fm.keys().filter(|k| !MAPPED.contains(&k.as_str())) {
            *dropped.entry(k.clone()).or_default() += 1;
        }
        let mut aliases = vec![url, format!("{dir}/{stem}"), stem.to_string()];
        if let Some(u) = fm.get("url").and_then(string) {
            aliases.push(u);
        }
        if let Some(list) = fm.get("aliases").and_then(|v| v.as_array()) {
            aliases.extend(list.iter().filter_map(string));
        }
        if let Some(f) = &folder
            && stem == "index"
        {
            aliases.push(f.clone());
        }
        docs.push(Doc {
            source: rel.clone(),
            id,
            title: fm.get("title").and_then(string),
            draft: fm.get("draft").and_then(|v| v.as_bool()).unwrap_or(false),
            date: fm
                .get("lastmod")
                .or_else(|| fm.get("last_updated"))
                .and_then(date)
                .or_else(|| fm.get("date").and_then(date)),
            summary: fm
                .get("description")
                .or_else(|| fm.get("summary"))
                .and_then(string),
            controls: Vec::new(),
            body,
            aliases,
        });
    }
    if empty_sections > 0 {
        notes.push(format!(
            "{empty_sections} section page(s) (_index.md) without text were skipped"
        ));
    }
    notes.extend(dropped_note("hugo", &dropped));
    Ok(Read {
        title: site_title(src),
        docs,
        notes,
        files: files.len(),
    })
}

fn dir_is_root(rel: &str) -> bool {
    !rel.contains('/')
}

/// `title` from hugo.toml / config.toml (`title = "…"`) or hugo.yaml / config.yaml.
fn site_title(src: &Path) -> Option<String> {
    for name in [
        "hugo.toml",
        "config.toml",
        "hugo.yaml",
        "config.yaml",
        "hugo.yml",
        "config.yml",
    ] {
        let Ok(text) = std::fs::read_to_string(src.join(name)) else {
            continue;
        };
        for line in text.lines() {
            let line = line.trim();
            let value = line
                .strip_prefix("title")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('=').or_else(|| r.strip_prefix(':')));
            if let Some(v) = value {
                let v = v.trim().trim_matches(['"', '\'']).trim();
                if !v.is_empty() {
                    return Some(v.to_string());
                }
            }
        }
    }
    None
}

//! The format reference in docs/ covers every field the loader accepts: the fields are read
//! from the `Raw*` structs the loader deserializes (so a field added without docs fails here),
//! and every theme template has its variables documented.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::repo;

/// Where each raw shape is documented; a raw struct not listed here (a new one) must have its
/// fields documented on some page.
const PAGES: &[(&str, &str)] = &[
    ("RawConfig", "site-yaml.md"),
    ("RawOrganisation", "site-yaml.md"),
    ("RawCertificate", "site-yaml.md"),
    ("RawDefaults", "site-yaml.md"),
    ("RawDefault", "site-yaml.md"),
    ("RawBrand", "site-yaml.md"),
    ("RawCheck", "site-yaml.md"),
    ("RawEditions", "site-yaml.md"),
    ("RawEdition", "site-yaml.md"),
    ("RawRequests", "site-yaml.md"),
    ("RawScope", "scope.md"),
    ("RawExclusion", "scope.md"),
    ("RawPolicy", "policies.md"),
    ("RawRevision", "policies.md"),
    ("RawMapping", "controls.md"),
    ("RawEvidence", "evidence.md"),
    ("RawRisk", "risks.md"),
    ("RawFinding", "findings.md"),
    ("RawSupplier", "suppliers.md"),
];

#[test]
fn every_field_the_loader_accepts_is_documented() {
    let structs = raw_structs(&repo().join("src"));
    for name in ["RawConfig", "RawPolicy", "RawEvidence", "RawScope"] {
        assert!(
            structs.contains_key(name),
            "{name} not found: {:?}",
            structs.keys()
        );
    }
    let docs = repo().join("docs");
    let all: String = fs::read_dir(&docs)
        .expect("docs/")
        .filter_map(Result::ok)
        .map(|e| fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    let mut missing = Vec::new();
    for (name, fields) in &structs {
        let (page, text) = match PAGES.iter().find(|(n, _)| n == name) {
            Some((_, page)) => (
                *page,
                fs::read_to_string(docs.join(page)).unwrap_or_else(|e| panic!("{page}: {e}")),
            ),
            None => ("any page", all.clone()),
        };
        for field in fields {
            // A row of a field table: | `field` | type | default | who sees it | description |
            if !text.contains(&format!("| `{field}` |")) {
                missing.push(format!("{name}.{field} (docs/{page})"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fields the loader accepts but docs/ does not describe in a field table:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn every_template_has_its_variables_documented() {
    let text = fs::read_to_string(repo().join("docs/templates.md")).expect("docs/templates.md");
    for (name, _) in trustpress::render::theme::TEMPLATES {
        assert!(
            text.contains(&format!("| `{name}` |")),
            "{name} is not in docs/templates.md"
        );
    }
}

#[test]
fn every_docs_page_is_linked_from_the_index() {
    let docs = repo().join("docs");
    let index = fs::read_to_string(docs.join("README.md")).expect("docs/README.md");
    for e in fs::read_dir(&docs).expect("docs/").filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name != "README.md" {
            assert!(
                index.contains(&format!("]({name})")),
                "{name} is not linked"
            );
        }
    }
}

/// Every `#[derive(Deserialize)]` struct named `Raw…` under `root`, with the names serde
/// reads for its fields (`#[serde(rename = "…")]` honoured, flattened fields skipped).
fn raw_structs(root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = fs::read_to_string(entry.path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(rest) = line
                .trim_start()
                .strip_prefix("pub struct Raw")
                .or_else(|| line.trim_start().strip_prefix("struct Raw"))
            else {
                continue;
            };
            let derives = lines[i.saturating_sub(4)..i]
                .iter()
                .any(|l| l.contains("derive(") && l.contains("Deserialize"));
            if !derives || !rest.trim_end().ends_with('{') {
                continue;
            }
            let name = format!(
                "Raw{}",
                rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or("")
            );
            let mut fields = Vec::new();
            let mut rename: Option<String> = None;
            let mut flatten = false;
            for l in &lines[i + 1..] {
                let l = l.trim();
                if l.starts_with('}') {
                    break;
                }
                if l.starts_with("#[serde(") {
                    if let Some(r) = l.split("rename = \"").nth(1) {
                        rename = r.split('"').next().map(str::to_string);
                    }
                    flatten |= l.contains("flatten");
                    continue;
                }
                if l.starts_with("//") || l.starts_with("#[") || l.is_empty() {
                    continue;
                }
                let decl = l.strip_prefix("pub ").unwrap_or(l);
                if let Some((field, _)) = decl.split_once(':')
                    && !flatten
                {
                    fields.push(rename.take().unwrap_or_else(|| field.trim().to_string()));
                }
                rename = None;
                flatten = false;
            }
            out.insert(name, fields);
        }
    }
    out
}

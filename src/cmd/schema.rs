//! `trustpress schema [DIR]`: JSON Schemas for `site.yaml`, `scope.md` and policy front matter,
//! and every register, so an editor (VS Code's YAML extension) completes and validates them.
//!
//! The schemas are generated from the loader's own raw shapes (`config::RawConfig`,
//! `source::items::Raw*`, with `deny_unknown_fields` → `additionalProperties: false`), and the
//! closed vocabularies and score ranges are added from the model's own tables, so they cannot
//! drift from what `build` accepts. Front matter inside a `.md` file cannot be validated by
//! the YAML extension; its schemas are still written, for other tools.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Value, json};

use crate::model::{
    CertificateStatus, Classification, ControlStatus, EvidenceKind, FindingKind, FindingStatus,
    PolicyStatus, RiskLevel, RiskStatus, Treatment,
};
use crate::source::items;

/// One schema file: its name, the site files it describes and the schema itself.
pub struct SchemaFile {
    /// The file name, e.g. `evidence.schema.json`.
    pub name: &'static str,
    /// Globs (relative to the site) of the YAML files it validates; empty for front matter,
    /// which the YAML extension cannot reach inside `.md` files.
    pub globs: &'static [&'static str],
    pub schema: Schema,
}

/// The default output folder.
pub const DEFAULT_DIR: &str = "schemas";

/// Fields with a closed vocabulary: (schema file, field, allowed values). The test checks that
/// every field named here exists in its schema.
pub fn vocabularies() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    fn all<T: Copy>(values: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
        values.iter().map(|v| f(*v)).collect()
    }
    let class = all(Classification::ALL, Classification::as_str);
    let mut v = vec![
        (
            "policy.schema.json",
            "status",
            all(PolicyStatus::ALL, PolicyStatus::as_str),
        ),
        (
            "mappings.schema.json",
            "status",
            all(ControlStatus::ALL, ControlStatus::as_str),
        ),
        (
            "evidence.schema.json",
            "kind",
            all(EvidenceKind::ALL, EvidenceKind::as_str),
        ),
        (
            "risks.schema.json",
            "treatment",
            all(Treatment::ALL, Treatment::as_str),
        ),
        (
            "risks.schema.json",
            "status",
            all(RiskStatus::ALL, RiskStatus::as_str),
        ),
        (
            "findings.schema.json",
            "kind",
            all(FindingKind::ALL, FindingKind::as_str),
        ),
        (
            "findings.schema.json",
            "status",
            all(FindingStatus::ALL, FindingStatus::as_str),
        ),
        (
            "suppliers.schema.json",
            "risk",
            all(RiskLevel::ALL, RiskLevel::as_str),
        ),
    ];
    for file in [
        "policy.schema.json",
        "mappings.schema.json",
        "evidence.schema.json",
        "risks.schema.json",
        "findings.schema.json",
        "suppliers.schema.json",
    ] {
        v.push((file, "classification", class.clone()));
    }
    v
}

/// Fields the loader requires (`Fields::required`, the mapping's `control`/`applicable`): a
/// policy or register entry without one is an error at load time. A policy's `id` defaults to
/// its file name, so it is not required.
pub const REQUIRED: [(&str, &[&str]); 6] = [
    // `owner` and `version` are required only once a policy is approved (a draft without them
    // gets a warning), which a schema cannot say per status: only `title` is required here.
    ("policy.schema.json", &["title"]),
    ("mappings.schema.json", &["control", "applicable"]),
    ("evidence.schema.json", &["id", "title"]),
    ("risks.schema.json", &["id", "title"]),
    ("findings.schema.json", &["id", "title"]),
    ("suppliers.schema.json", &["id", "name"]),
];

/// Score fields (whole numbers 1–5, see `Fields::score`).
pub const SCORES: [&str; 4] = [
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
];

fn generator() -> SchemaGenerator {
    // Draft 7: the dialect VS Code's YAML extension and most validators know best.
    // Inlined subschemas keep each file self-contained and readable.
    SchemaSettings::draft07()
        .with(|s| s.inline_subschemas = true)
        .into_generator()
}

/// A register file is a YAML list of entries (an empty file is an empty register).
fn register<T: JsonSchema>() -> Schema {
    generator().into_root_schema_for::<Vec<T>>()
}

/// Every schema trustpress writes, in a stable order.
pub fn schemas() -> Vec<SchemaFile> {
    let mut files = vec![
        SchemaFile {
            name: "site.schema.json",
            globs: &["site.yaml"],
            schema: crate::config::json_schema(generator()),
        },
        SchemaFile {
            name: "scope.schema.json",
            globs: &[],
            schema: generator().into_root_schema_for::<items::RawScope>(),
        },
        SchemaFile {
            name: "policy.schema.json",
            globs: &[],
            schema: generator().into_root_schema_for::<items::RawPolicy>(),
        },
        SchemaFile {
            name: "mappings.schema.json",
            globs: &["controls/**/*.yaml", "controls/**/*.yml"],
            schema: register::<items::RawMapping>(),
        },
        SchemaFile {
            name: "evidence.schema.json",
            globs: &["evidence/**/*.yaml", "evidence/**/*.yml"],
            schema: register::<items::RawEvidence>(),
        },
        SchemaFile {
            name: "risks.schema.json",
            globs: &["risks/**/*.yaml", "risks/**/*.yml"],
            schema: register::<items::RawRisk>(),
        },
        SchemaFile {
            name: "findings.schema.json",
            globs: &["findings/**/*.yaml", "findings/**/*.yml"],
            schema: register::<items::RawFinding>(),
        },
        SchemaFile {
            name: "suppliers.schema.json",
            globs: &["suppliers/**/*.yaml", "suppliers/**/*.yml"],
            schema: register::<items::RawSupplier>(),
        },
    ];
    let vocab = vocabularies();
    for file in &mut files {
        let mut root = Value::Object(std::mem::take(file.schema.ensure_object()));
        widen_strings(&mut root);
        if let Value::Object(map) = root {
            *file.schema.ensure_object() = map;
        }
        let (title, description) = about(file.name);
        let obj = file.schema.ensure_object();
        obj.insert("title".into(), json!(title));
        obj.insert("description".into(), json!(description));
        for (name, field, values) in &vocab {
            if *name == file.name {
                restrict(&mut file.schema, field, |p| {
                    let mut values: Vec<Value> = values.iter().map(|v| json!(v)).collect();
                    values.push(Value::Null);
                    p.insert("enum".into(), Value::Array(values));
                });
            }
        }
        for (name, fields) in REQUIRED {
            if name == file.name {
                let object = match file.schema.get("items") {
                    Some(_) => file.schema.get_mut("items").and_then(Value::as_object_mut),
                    None => file.schema.as_object_mut(),
                };
                if let Some(object) = object {
                    object.insert("required".into(), json!(fields));
                }
            }
        }
        for field in SCORES {
            restrict(&mut file.schema, field, |p| {
                p.insert("minimum".into(), json!(1));
                p.insert("maximum".into(), json!(5));
            });
        }
        if file.name == "site.schema.json" {
            // `aliases:` is read as `redirects:` (serde's alias, which schemars leaves out).
            if let Some(props) = file
                .schema
                .get_mut("properties")
                .and_then(Value::as_object_mut)
                && let Some(redirects) = props.get("redirects").cloned()
            {
                props.insert("aliases".into(), redirects);
            }
            let values: Vec<Value> = CertificateStatus::ALL
                .iter()
                .map(|s| json!(s.as_str()))
                .chain([Value::Null])
                .collect();
            for pointer in [
                "/properties/certificate/properties/status",
                "/properties/certificates/items/properties/status",
            ] {
                if let Some(status) = file
                    .schema
                    .pointer_mut(pointer)
                    .and_then(Value::as_object_mut)
                {
                    status.insert("enum".into(), Value::Array(values.clone()));
                }
            }
        }
    }
    files
}

/// The loader reads any scalar into a text field, keeping what was written (`version: 1.10`
/// is "1.10", `id: 2026` is "2026"): a text field's schema accepts numbers and booleans too,
/// so the editor does not flag what `build` accepts.
fn widen_strings(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let widened = match map.get("type") {
                Some(Value::String(t)) if t == "string" => {
                    Some(json!(["string", "number", "boolean"]))
                }
                Some(Value::Array(ts)) if ts.iter().any(|t| t == "string") && ts.len() == 2 => {
                    Some(json!(["string", "number", "boolean", "null"]))
                }
                _ => None,
            };
            if let Some(t) = widened
                && !map.contains_key("enum")
            {
                map.insert("type".into(), t);
            }
            for (key, child) in map.iter_mut() {
                // `properties` maps names to schemas: walk the schemas, not the names.
                if key != "enum" {
                    widen_strings(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(widen_strings),
        _ => {}
    }
}

/// The title and description written into each schema.
fn about(name: &str) -> (&'static str, &'static str) {
    match name {
        "site.schema.json" => ("trustpress site.yaml", "The site's settings: `site.yaml`."),
        "scope.schema.json" => (
            "trustpress scope.md front matter",
            "The front matter of `scope.md` (between the `---` lines).",
        ),
        "policy.schema.json" => (
            "trustpress policy front matter",
            "The front matter of a policy in `policies/` (between the `---` lines).",
        ),
        "mappings.schema.json" => (
            "trustpress control register",
            "A file in `controls/`: a list of control mappings (Statement of Applicability).",
        ),
        "evidence.schema.json" => (
            "trustpress evidence register",
            "A file in `evidence/`: a list of evidence items.",
        ),
        "risks.schema.json" => (
            "trustpress risk register",
            "A file in `risks/`: a list of risks.",
        ),
        "findings.schema.json" => (
            "trustpress findings register",
            "A file in `findings/`: a list of audit findings.",
        ),
        _ => (
            "trustpress supplier register",
            "A file in `suppliers/`: a list of suppliers.",
        ),
    }
}

/// Applies `f` to the schema of property `field` of the schema's object (for a register, of
/// its entries), if it has one.
fn restrict(schema: &mut Schema, field: &str, f: impl FnOnce(&mut serde_json::Map<String, Value>)) {
    let ptr = if schema.get("items").is_some() {
        format!("/items/properties/{field}")
    } else {
        format!("/properties/{field}")
    };
    if let Some(p) = schema.pointer_mut(&ptr).and_then(Value::as_object_mut) {
        f(p);
    }
}

/// Writes every schema into `dir` (created if missing; existing schema files are replaced);
/// returns the paths written.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    for file in schemas() {
        let path = dir.join(file.name);
        let mut text = serde_json::to_string_pretty(&file.schema)?;
        text.push('\n');
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// The `yaml.schemas` block for `.vscode/settings.json`, with `dir` as the schema folder as
/// written in the settings (relative to the workspace, e.g. `schemas`).
pub fn vscode_settings(dir: &str) -> String {
    let dir = dir.trim_end_matches('/');
    let mut map = serde_json::Map::new();
    for file in schemas() {
        if !file.globs.is_empty() {
            map.insert(format!("./{dir}/{}", file.name), json!(file.globs));
        }
    }
    let settings = json!({ "yaml.schemas": Value::Object(map) });
    serde_json::to_string_pretty(&settings).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_field_exists() {
        let files = schemas();
        for (name, field, _) in vocabularies() {
            let file = files.iter().find(|f| f.name == name).unwrap();
            let ptr = if file.schema.get("items").is_some() {
                format!("/items/properties/{field}/enum")
            } else {
                format!("/properties/{field}/enum")
            };
            assert!(file.schema.pointer(&ptr).is_some(), "{name}: {field}");
        }
        for (name, fields) in REQUIRED {
            let file = files.iter().find(|f| f.name == name).unwrap();
            let at = if file.schema.get("items").is_some() {
                "/items"
            } else {
                ""
            };
            for field in fields {
                let p = format!("{at}/properties/{field}");
                assert!(file.schema.pointer(&p).is_some(), "{name}: {field}");
            }
            let p = format!("{at}/required");
            assert_eq!(file.schema.pointer(&p), Some(&json!(fields)), "{name}");
        }
        let risks = files
            .iter()
            .find(|f| f.name == "risks.schema.json")
            .unwrap();
        for field in SCORES {
            let p = format!("/items/properties/{field}/maximum");
            assert_eq!(risks.schema.pointer(&p), Some(&json!(5)), "{field}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        for file in schemas() {
            let obj = file.schema.get("items").unwrap_or(file.schema.as_value());
            assert_eq!(
                obj.get("additionalProperties"),
                Some(&json!(false)),
                "{}",
                file.name
            );
        }
    }
}

//! `trustpress schema`: the JSON Schemas are written, the example site validates against them,
//! and they follow the loader's own raw shapes (a field the loader reads is in the schema).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::common::{bin, repo};

const FILES: [&str; 8] = [
    "site.schema.json",
    "scope.schema.json",
    "policy.schema.json",
    "mappings.schema.json",
    "evidence.schema.json",
    "risks.schema.json",
    "findings.schema.json",
    "suppliers.schema.json",
];

fn write_schemas(dir: &Path) -> std::process::Output {
    let out = bin().arg("schema").arg(dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn writes_every_schema_and_the_vscode_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("schemas");
    let out = write_schemas(&dir);
    for name in FILES {
        let schema = read_json(&dir.join(name));
        assert_eq!(
            schema["$schema"], "http://json-schema.org/draft-07/schema#",
            "{name}"
        );
        assert!(schema["title"].is_string(), "{name}");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"yaml.schemas\""), "{stdout}");
    assert!(
        stdout.contains("mappings.schema.json\": [\n      \"controls/**/*.yaml\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("front matter in .md files cannot be checked"),
        "{stdout}"
    );

    // The default folder is `schemas/` in the current directory.
    let out = bin()
        .arg("schema")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(tmp.path().join("schemas/site.schema.json").is_file());
}

/// YAML → JSON the way an editor sees it.
fn yaml_to_json(text: &str) -> Value {
    serde_saphyr::from_str::<Option<Value>>(text)
        .unwrap()
        .unwrap_or(Value::Null)
}

fn front_matter(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").expect("front matter");
    &rest[..rest.find("\n---").expect("end of front matter") + 1]
}

/// Validates `site.yaml`, `scope.md`'s and every policy's front matter and every register file
/// of `site` against the schemas in `schemas`; returns how many files were checked.
fn validate_site(site: &Path, schemas: &Path) -> usize {
    let schema = |name: &str| read_json(&schemas.join(name));
    let mut checked = 0;
    let mut check = |rel: &str, name: &str, doc: Value| {
        let errors = validate(&schema(name), &doc, "");
        assert!(errors.is_empty(), "{rel} against {name}: {errors:#?}");
        checked += 1;
    };
    let text = std::fs::read_to_string(site.join("site.yaml")).unwrap();
    check("site.yaml", "site.schema.json", yaml_to_json(&text));
    let text = std::fs::read_to_string(site.join("scope.md")).unwrap();
    check(
        "scope.md",
        "scope.schema.json",
        yaml_to_json(front_matter(&text)),
    );
    for (folder, name) in [
        ("policies", "policy.schema.json"),
        ("controls", "mappings.schema.json"),
        ("evidence", "evidence.schema.json"),
        ("risks", "risks.schema.json"),
        ("findings", "findings.schema.json"),
        ("suppliers", "suppliers.schema.json"),
    ] {
        let mut paths: Vec<_> = walkdir::WalkDir::new(site.join(folder))
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.into_path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            let doc = match path.extension().and_then(|e| e.to_str()) {
                Some("md") => yaml_to_json(front_matter(&text)),
                Some("yaml" | "yml") => yaml_to_json(&text),
                _ => continue,
            };
            check(&path.display().to_string(), name, doc);
        }
    }
    checked
}

#[test]
fn the_example_site_validates_against_its_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    write_schemas(tmp.path());
    let schema = |name: &str| read_json(&tmp.path().join(name));
    let checked = validate_site(&repo().join("example-site"), tmp.path());
    assert!(checked >= 15, "{checked} files checked");

    // And the checker is not a yes-man: a typo, a wrong vocabulary word, a score out of range,
    // a missing title.
    let bad = yaml_to_json("- id: r\n  titel: x\n  status: opened\n  likelihood: 7\n");
    let errors = validate(&schema("risks.schema.json"), &bad, "");
    assert_eq!(errors.len(), 4, "{errors:#?}");
    // What the loader accepts, the schema accepts: an unquoted version is text to the loader.
    let ok = yaml_to_json("title: P\nowner: CISO\nversion: 1.10\nstatus: draft\n");
    assert_eq!(
        validate(&schema("policy.schema.json"), &ok, ""),
        Vec::<String>::new()
    );
}

/// A JSON-Schema checker for exactly the keywords `trustpress schema` writes (draft 7); a
/// keyword it does not know fails the test, so it can never pass by ignoring one.
fn validate(schema: &Value, doc: &Value, at: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(s) = schema.as_object() else {
        if schema == &Value::Bool(false) {
            errors.push(format!("{at}: not allowed"));
        }
        return errors;
    };
    for key in s.keys() {
        assert!(
            [
                "$schema",
                "title",
                "description",
                "format",
                "type",
                "enum",
                "properties",
                "additionalProperties",
                "required",
                "items",
                "minimum",
                "maximum",
            ]
            .contains(&key.as_str()),
            "the test's checker does not know `{key}`"
        );
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type {t}"),
        };
        let matches = |t: &str| match t {
            "null" => doc.is_null(),
            "boolean" => doc.is_boolean(),
            "string" => doc.is_string(),
            "number" => doc.is_number(),
            "integer" => doc.is_i64() || doc.is_u64(),
            "array" => doc.is_array(),
            "object" => doc.is_object(),
            other => panic!("unknown type {other}"),
        };
        if !types.iter().any(|t| matches(t)) {
            errors.push(format!("{at}: {doc} is not {types:?}"));
            return errors;
        }
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array)
        && !values.contains(doc)
    {
        errors.push(format!("{at}: {doc} is not one of {values:?}"));
    }
    if let Some(n) = doc.as_f64() {
        if s.get("minimum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n < m)
        {
            errors.push(format!("{at}: {n} is below the minimum"));
        }
        if s.get("maximum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n > m)
        {
            errors.push(format!("{at}: {n} is above the maximum"));
        }
    }
    if let (Some(items), Some(list)) = (s.get("items"), doc.as_array()) {
        for (i, item) in list.iter().enumerate() {
            errors.extend(validate(items, item, &format!("{at}/{i}")));
        }
    }
    if let Some(obj) = doc.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for (key, value) in obj {
            let at = format!("{at}/{key}");
            match props.and_then(|p| p.get(key)) {
                Some(p) => errors.extend(validate(p, value, &at)),
                None => {
                    if let Some(extra) = s.get("additionalProperties") {
                        errors.extend(validate(extra, value, &at));
                    }
                }
            }
        }
        for req in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(r) = req.as_str()
                && !obj.contains_key(r)
            {
                errors.push(format!("{at}: missing `{r}`"));
            }
        }
    }
    errors
}

/// The fields serde lists for an unknown one ("expected one of `a`, `b`, …"): the loader's
/// own field names, read from the loader's own shape.
fn loader_fields<T: serde::de::DeserializeOwned>(yaml: &str) -> BTreeSet<String> {
    let err = match serde_saphyr::from_str::<T>(yaml) {
        Ok(_) => panic!("an unknown field was accepted"),
        Err(e) => e.to_string(),
    };
    let first = err.lines().next().unwrap_or_default();
    let list = first
        .split_once("expected one of ")
        .map(|(_, l)| l)
        .unwrap_or_else(|| panic!("no field list in: {err}"));
    list.split(", ")
        .map(|f| f.trim().trim_matches('`').to_string())
        .collect()
}

fn schema_fields(schema: &Value) -> BTreeSet<String> {
    let obj = if schema["type"] == "array" {
        &schema["items"]
    } else {
        schema
    };
    obj["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn every_field_the_loader_reads_is_in_its_schema() {
    use trustpress::source::items::*;
    let tmp = tempfile::tempdir().unwrap();
    write_schemas(tmp.path());
    let unknown = "zz_not_a_field: 1\n";
    let list = "- zz_not_a_field: 1\n";
    for (name, fields) in [
        ("policy.schema.json", loader_fields::<RawPolicy>(unknown)),
        ("scope.schema.json", loader_fields::<RawScope>(unknown)),
        (
            "mappings.schema.json",
            loader_fields::<Vec<RawMapping>>(list),
        ),
        (
            "evidence.schema.json",
            loader_fields::<Vec<RawEvidence>>(list),
        ),
        ("risks.schema.json", loader_fields::<Vec<RawRisk>>(list)),
        (
            "findings.schema.json",
            loader_fields::<Vec<RawFinding>>(list),
        ),
        (
            "suppliers.schema.json",
            loader_fields::<Vec<RawSupplier>>(list),
        ),
    ] {
        let schema = read_json(&tmp.path().join(name));
        assert_eq!(schema_fields(&schema), fields, "{name}");
        assert!(fields.len() >= 5, "{name}: {fields:?}");
    }
    // site.yaml's shape is private to the loader: check the known top-level keys.
    let site = schema_fields(&read_json(&tmp.path().join("site.schema.json")));
    for key in [
        "title",
        "base_url",
        "organisation",
        "certificate",
        "defaults",
        "brand",
        "redirects",
        "aliases",
    ] {
        assert!(site.contains(key), "{key}: {site:?}");
    }
}

#[test]
fn what_init_and_new_write_validates_against_the_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    let schemas = tmp.path().join("schemas");
    write_schemas(&schemas);
    let site = tmp.path().join("site");
    let site_arg = site.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = bin().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["init", site_arg, "--organisation", "Acme Ltd"]);
    for kind in ["evidence", "risk", "finding", "supplier"] {
        run(&["new", kind, &format!("new-{kind}"), "--site", site_arg]);
    }
    assert!(validate_site(&site, &schemas) >= 8);
}

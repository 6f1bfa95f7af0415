//! Small sites written from strings, and `trustpress check --format json` over them: the
//! helpers of the rule tests (tests/check.rs, tests/check_more.rs).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use super::TODAY;

pub const SITE_YAML: &str =
    "title: T\nbase_url: https://example.test/\norganisation:\n  name: Org\n";
pub const SCOPE_MD: &str = "---\ntitle: Scope\n---\n# Scope\n\nEverything.\n";

/// A site folder with `site.yaml`, `scope.md` and `files`.
pub fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "site.yaml", SITE_YAML.as_bytes());
    write(dir.path(), "scope.md", SCOPE_MD.as_bytes());
    for (path, text) in files {
        write(dir.path(), path, text.as_bytes());
    }
    dir
}

pub fn write(root: &Path, path: &str, bytes: &[u8]) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

pub fn trustpress(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustpress"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run trustpress")
}

/// Runs `check --format json` and returns the exit code and the diagnostics.
pub fn check_json(dir: &Path, extra: &[&str]) -> (i32, Vec<Value>) {
    let dir = dir.to_str().expect("utf-8 path");
    let mut args = vec!["check", dir, "--today", TODAY, "--format", "json"];
    args.extend_from_slice(extra);
    let out = trustpress(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let list: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let list = list.as_array().expect("a list").clone();
    (out.status.code().expect("exit code"), list)
}

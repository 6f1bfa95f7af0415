//! Snapshot tests (insta): a few pages of the example site and `check`'s three output formats.
//! A change to any of them shows as a diff to review; accept it with `cargo insta review`
//! or `INSTA_UPDATE=always cargo test --test testsuite snapshots::` after reading the diff.

use std::process::Command;

use crate::common::*;

/// `check` on the broken fixture in `format`, run from the repository root so that SARIF's
/// artifact URIs are the same on every machine.
fn check_output(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_trustpress"))
        .current_dir(repo())
        .env_remove("SOURCE_DATE_EPOCH")
        .args([
            "check",
            "tests/fixtures/broken",
            "--today",
            TODAY,
            "--format",
            format,
        ])
        .output()
        .expect("run trustpress");
    assert_eq!(out.status.code(), Some(1), "the broken fixture has errors");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn check_text() {
    insta::assert_snapshot!(check_output("text"));
}

#[test]
fn check_json() {
    insta::assert_snapshot!(check_output("json"));
}

#[test]
fn check_sarif() {
    insta::assert_snapshot!(check_output("sarif"));
}

#[test]
fn example_site_pages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let public = build_ok(
        &repo().join("example-site"),
        "public",
        &dir.path().join("public"),
    );
    for page in [
        "index.html",
        "policies/information-security-policy/index.html",
        "controls/a-5-15/index.html",
    ] {
        insta::assert_snapshot!(format!("public-{page}"), public.text(page));
    }
    let customer = build_ok(
        &repo().join("example-site"),
        "customer",
        &dir.path().join("c"),
    );
    // Findings and traceability are the customer edition's from issue 11 on (the public one
    // has no such sections by default).
    for page in [
        "evidence/index.html",
        "policies/access-control/index.html",
        "findings/index.html",
        "traceability/index.html",
    ] {
        insta::assert_snapshot!(format!("customer-{page}"), customer.text(page));
    }
    let internal = build_ok(
        &repo().join("example-site"),
        "internal",
        &dir.path().join("i"),
    );
    insta::assert_snapshot!("internal-index.html", internal.text("index.html"));
}

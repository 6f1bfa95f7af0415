//! How diagnostics are reported (issue 10): every unknown field at once, type errors that say
//! the shape, errors before warnings, the build's warnings picked by consequence, catalog
//! order, and rules silenced by `site.yaml`.

use crate::common::TODAY;
use crate::common::sites::*;

fn str_of(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

const DRAFT: &str = "---\ntitle: P\nowner: O\nversion: \"1\"\n---\nbody\n";

#[test]
fn every_unknown_front_matter_field_is_reported_in_one_run() {
    // Tailscale's front matter: five fields trustpress does not have, one run.
    let policy = "---\ntitle: P\nslug: p\npolicy: x\nfaq: y\nweight: 3\nlast_updated: 2026-01-01\napprover: Jane\n---\nbody\n";
    let dir = site(&[("policies/p.md", policy)]);
    let (exit, diags) = check_json(dir.path(), &[]);
    assert_eq!(exit, 1);
    let unknown: Vec<String> = diags
        .iter()
        .filter(|d| d["rule"] == "unknown-field")
        .map(|d| format!("{}:{}: {}", d["line"], d["column"], str_of(&d["message"])))
        .collect();
    assert_eq!(unknown.len(), 6, "{unknown:#?}");
    assert_eq!(unknown[0], "3:1: unknown field `slug` (did you mean `id`?)");
    assert!(unknown[1].starts_with("4:1: unknown field `policy`"));
    assert!(unknown[4].starts_with("7:1: unknown field `last_updated`"));
    assert!(unknown[5].starts_with("8:1: unknown field `approver`"));
}

#[test]
fn a_wrong_type_names_the_field_and_the_shape() {
    let risks = "- id: R-1\n  title: T\n  likelihood: high\n";
    let scope = "---\ntitle: Scope\nexclusions: [a, b]\n---\nbody\n";
    let dir = site(&[("risks/r.yaml", risks), ("scope.md", scope)]);
    let (_, diags) = check_json(dir.path(), &[]);
    let typed: Vec<String> = diags
        .iter()
        .filter(|d| d["rule"] == "wrong-type")
        .map(|d| {
            format!(
                "{}:{}: {}",
                str_of(&d["path"]),
                d["line"],
                str_of(&d["message"])
            )
        })
        .collect();
    assert_eq!(typed.len(), 2, "{diags:#?}");
    assert!(typed[0].starts_with("risks/r.yaml:3: `likelihood` is a whole number from 1 to 5, e.g. `likelihood: 3`; found \"high\""), "{typed:?}");
    assert!(
        typed[1]
            .starts_with("scope.md:3: `exclusions` is a list of `{item, justification}` entries"),
        "{typed:?}"
    );
}

#[test]
fn a_failed_build_prints_its_errors_and_counts_the_warnings() {
    let broken = "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\n---\nbody\n";
    let dir = site(&[("policies/p.md", broken)]);
    let out = tempfile::tempdir().expect("temp");
    let out_dir = out.path().join("o");
    let args = [
        "build",
        dir.path().to_str().expect("utf-8"),
        "--today",
        TODAY,
        "--out",
        out_dir.to_str().expect("utf-8"),
    ];
    let failed = trustpress(&args);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].contains("error: policy \"p\" is approved"),
        "{stderr}"
    );
    assert!(!stderr.contains(": warning: "), "{stderr}");
    assert!(
        lines[1].ends_with(" warnings (run `trustpress check`)"),
        "{stderr}"
    );

    // Fixed: the build succeeds and shows the consequential warning before the 93
    // `not-assessed` ones.
    write(dir.path(), "policies/p.md", DRAFT.as_bytes());
    let ok = trustpress(&args);
    assert_eq!(ok.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&ok.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains("policy \"p\""), "{stderr}");
    assert!(stderr.contains("… and "), "{stderr}");
}

#[test]
fn check_lists_errors_first_then_warnings_in_catalog_order() {
    let controls = "- control: A.5.1\n  applicable: false\n  justification: none\n";
    let broken = "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\n---\nbody\n";
    let dir = site(&[("controls/c.yaml", controls), ("policies/p.md", broken)]);
    let out = trustpress(&[
        "check",
        dir.path().to_str().expect("utf-8"),
        "--today",
        TODAY,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].contains("error[approved-without-date]"),
        "{stdout}"
    );
    assert!(
        lines[1..lines.len() - 1]
            .iter()
            .all(|l| l.contains(": warning["))
    );
    let at = |id: &str| {
        lines
            .iter()
            .position(|l| l.contains(&format!("control {id} ")))
            .unwrap_or_else(|| panic!("{id} missing:\n{stdout}"))
    };
    assert!(
        at("A.5.2") < at("A.5.9") && at("A.5.9") < at("A.5.10"),
        "{stdout}"
    );
    // Each `not-assessed` points where its entry would go: after the mapped control before it.
    assert!(
        lines[at("A.5.2")].starts_with("controls/c.yaml:1:3: warning[not-assessed]"),
        "{stdout}"
    );
}

#[test]
fn site_yaml_can_ignore_warning_rules_and_the_summary_counts_them() {
    let dir = site(&[("policies/p.md", DRAFT)]);
    let path = dir.path().to_str().expect("utf-8");
    let before = trustpress(&["check", path, "--today", TODAY]);
    let before = String::from_utf8_lossy(&before.stdout).to_string();
    let assessed = before.matches("warning[not-assessed]").count();
    assert_eq!(assessed, 93);
    write(
        dir.path(),
        "site.yaml",
        format!("{SITE_YAML}check:\n  ignore: [not-assessed]\n").as_bytes(),
    );
    let after = trustpress(&["check", path, "--today", TODAY]);
    assert_eq!(after.status.code(), Some(0));
    let after = String::from_utf8_lossy(&after.stdout);
    assert!(!after.contains("not-assessed"), "{after}");
    assert!(
        after
            .trim_end()
            .ends_with("warnings (93 ignored by site.yaml)")
            || after
                .trim_end()
                .ends_with("warning (93 ignored by site.yaml)"),
        "{after}"
    );
    // An error rule cannot be silenced.
    write(
        dir.path(),
        "site.yaml",
        format!("{SITE_YAML}check:\n  ignore: [broken-link]\n").as_bytes(),
    );
    let (exit, diags) = check_json(dir.path(), &[]);
    assert_eq!(exit, 1);
    assert!(diags.iter().any(|d| d["path"] == "site.yaml"
        && d["line"] == 6
        && str_of(&d["message"]).contains("cannot be ignored")));
}

#[test]
fn approved_by_is_shown_on_the_policy_page() {
    let policy = "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-05\napproved_by: Management board\n---\nbody\n";
    let dir = site(&[("policies/p.md", policy)]);
    let out = tempfile::tempdir().expect("temp");
    let tree = crate::common::build_ok(dir.path(), "internal", &out.path().join("o"));
    let page = tree.text("policies/p/index.html");
    assert!(
        page.contains("<dt>Approved by</dt><dd>Management board</dd>"),
        "{page}"
    );
}

#[test]
fn tags_history_and_extra_reach_the_policy_page() {
    let policy = "---\ntitle: P\nowner: O\nversion: \"2.0\"\nstatus: approved\napproved: 2026-01-05\ntags: [access, hr]\nhistory:\n  - {version: \"2.0\", date: 2026-01-05, approved_by: CISO, summary: Yearly review}\n  - {version: \"1.0\", date: 2025-01-05}\nextra:\n  team: Platform\n  satisfies: [CC6.1, {nested: true}]\n---\nbody\n";
    let dir = site(&[("policies/p.md", policy)]);
    let out = tempfile::tempdir().expect("temp");
    let tree = crate::common::build_ok(dir.path(), "internal", &out.path().join("a"));
    let page = tree.text("policies/p/index.html");
    assert!(
        page.contains(
            "<li class=\"badge b-neutral\">access</li><li class=\"badge b-neutral\">hr</li>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<h2 id=\"rev-h\">Revision history</h2>"),
        "{page}"
    );
    assert!(
        page.contains(
            "<tr><td>2.0</td><td>2026-01-05</td><td>CISO</td><td>Yearly review</td></tr>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<tr><td>1.0</td><td>2025-01-05</td><td>—</td><td></td></tr>"),
        "{page}"
    );
    // `extra` is never validated and reaches a template override as `extra`.
    write(
        dir.path(),
        "templates/policy.html",
        b"{% extends \"base.html\" %}{% block content %}TEAM={{ extra.team }} N={{ extra.satisfies | length }}{% endblock %}",
    );
    let tree = crate::common::build_ok(dir.path(), "internal", &out.path().join("b"));
    let page = tree.text("policies/p/index.html");
    assert!(page.contains("TEAM=Platform N=2"), "{page}");
    // A revision is checked like the rest of the front matter.
    write(
        dir.path(),
        "policies/p.md",
        policy
            .replace("summary: Yearly review", "note: x")
            .as_bytes(),
    );
    let (_, diags) = check_json(dir.path(), &[]);
    assert!(
        diags
            .iter()
            .any(|d| d["rule"] == "unknown-field" && d["line"] == 9),
        "{diags:#?}"
    );
}

#[test]
fn a_policy_without_front_matter_is_a_draft_titled_by_its_heading() {
    let dir = site(&[
        (
            "policies/access-control.md",
            "# Access Control Policy\n\nWho may access what.\n",
        ),
        ("policies/d.md", "---\ntitle: D\nstatus: draft\n---\nbody\n"),
    ]);
    let (exit, diags) = check_json(dir.path(), &[]);
    assert_eq!(exit, 0, "{diags:#?}");
    let drafts: Vec<String> = diags
        .iter()
        .filter(|d| d["rule"] == "incomplete-draft")
        .map(|d| {
            format!(
                "{}:{}: {}",
                str_of(&d["path"]),
                d["line"],
                str_of(&d["message"])
            )
        })
        .collect();
    assert_eq!(drafts.len(), 2, "{drafts:#?}");
    assert!(drafts[0].starts_with("policies/access-control.md:1: no front matter: read as draft policy \"access-control\" titled \"Access Control Policy\"; before it can be approved"), "{drafts:?}");
    assert_eq!(
        drafts[1],
        "policies/d.md:1: draft policy \"d\" has no `owner` or `version`: add them before it can be approved"
    );
    let out = tempfile::tempdir().expect("temp");
    let tree = crate::common::build_ok(dir.path(), "internal", &out.path().join("o"));
    let page = tree.text("policies/access-control/index.html");
    assert!(page.contains("<dt>Owner</dt><dd>—</dd>"), "{page}");
    assert!(page.contains("Access Control Policy"), "{page}");
    // Approved, owner and version are required.
    write(
        dir.path(),
        "policies/d.md",
        b"---\ntitle: D\nstatus: approved\napproved: 2026-01-01\n---\nbody\n",
    );
    let (exit, diags) = check_json(dir.path(), &[]);
    assert_eq!(exit, 1);
    assert_eq!(
        diags
            .iter()
            .filter(|d| d["rule"] == "missing-field" && d["path"] == "policies/d.md")
            .count(),
        2,
        "{diags:#?}"
    );
}

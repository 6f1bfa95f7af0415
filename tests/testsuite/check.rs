//! `trustpress check`, driven through the real binary: every rule is triggered by a small
//! site written from strings, and asserted by exact path, line, column, rule and exit code.

use crate::common::TODAY;
use crate::common::sites::*;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Asserts that checking a site made of `files` reports `rule` exactly at each of `at`
/// (`path:line:column`) and exits with `code`; returns the messages.
fn expect(files: &[(&str, &str)], rule: &str, at: &[&str], code: i32) -> Vec<String> {
    let dir = site(files);
    let (exit, diags) = check_json(dir.path(), &[]);
    let hits: Vec<&Value> = diags.iter().filter(|d| d["rule"] == rule).collect();
    let positions: Vec<String> = hits
        .iter()
        .map(|d| format!("{}:{}:{}", str_of(&d["path"]), d["line"], d["column"]))
        .collect();
    assert_eq!(
        positions, at,
        "positions of {rule}; all diagnostics: {diags:#?}"
    );
    assert_eq!(exit, code, "exit code; diagnostics: {diags:#?}");
    hits.iter()
        .map(|d| str_of(&d["message"]).to_string())
        .collect()
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

const POLICY: &str = "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\ncontrols: [A.5.1]\n---\n# Purpose\n\nText.\n";

/// A policy file with extra front-matter lines inserted before the closing `---`, and a body.
fn policy(extra: &str, body: &str) -> String {
    format!("---\ntitle: P\nowner: O\nversion: \"1\"\ncontrols: [A.5.1]\n{extra}---\n{body}")
}

// ---- errors found while loading --------------------------------------------------------

#[test]
fn yaml_syntax_error_in_register() {
    expect(
        &[("risks/r.yaml", "- id: R-1\n  title: [unclosed\n")],
        "yaml-syntax",
        &["risks/r.yaml:2:10"],
        1,
    );
}

#[test]
fn front_matter_yaml_error_has_whole_file_position() {
    // The unclosed `[` is on line 4 of the file, line 3 of the front matter.
    let msgs = expect(
        &[(
            "policies/p.md",
            "---\ntitle: P\nowner: O\nversion: [1\n---\nbody\n",
        )],
        "yaml-syntax",
        &["policies/p.md:4:10"],
        1,
    );
    assert!(!msgs[0].is_empty());
}

#[test]
fn a_tab_in_front_matter_indentation_is_pointed_at() {
    // The YAML crate blames the start of the value before the tab (line 2, `P`).
    let msgs = expect(
        &[(
            "policies/p.md",
            "---\ntitle: P\n\towner: O\nversion: \"1\"\n---\nbody\n",
        )],
        "yaml-syntax",
        &["policies/p.md:3:1"],
        1,
    );
    assert_eq!(
        msgs,
        ["a tab in the indentation: YAML indents with spaces only, replace the tab with spaces"]
    );
}

#[test]
fn front_matter_value_errors_have_whole_file_positions() {
    let text = policy("status: aproved\nreview_by: 2026-13-01\n", "body\n");
    let msgs = expect(
        &[("policies/p.md", &text)],
        "unknown-value",
        &["policies/p.md:6:9"],
        1,
    );
    assert_eq!(
        msgs,
        [
            "unknown status \"aproved\", expected one of draft, approved, retired (did you mean \"approved\"?)"
        ]
    );
    expect(
        &[("policies/p.md", &text)],
        "invalid-date",
        &["policies/p.md:7:12"],
        1,
    );
}

#[test]
fn unclosed_front_matter() {
    expect(
        &[("policies/p.md", "---\ntitle: P\n")],
        "front-matter",
        &["policies/p.md:1:1"],
        1,
    );
}

#[test]
fn unknown_field_suggests_the_nearest() {
    let text = policy("titel: X\n", "body\n");
    let msgs = expect(
        &[("policies/p.md", &text)],
        "unknown-field",
        &["policies/p.md:6:1"],
        1,
    );
    assert_eq!(msgs, ["unknown field `titel` (did you mean `title`?)"]);
}

#[test]
fn missing_required_field() {
    let msgs = expect(
        &[(
            "policies/p.md",
            // `owner` is required once a policy is approved (a draft gets a warning).
            "---\ntitle: P\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\n---\nbody\n",
        )],
        "missing-field",
        &["policies/p.md:1:1"],
        1,
    );
    assert_eq!(msgs, ["missing required field `owner`"]);
}

#[test]
fn likelihood_out_of_range() {
    expect(
        &[("risks/r.yaml", "- id: R-1\n  title: R\n  likelihood: 7\n")],
        "out-of-range",
        &["risks/r.yaml:3:15"],
        1,
    );
}

#[test]
fn unknown_control_id() {
    let text = "---\ntitle: P\nowner: O\nversion: \"1\"\ncontrols: [A.5.1, A.5.99]\n---\nbody\n";
    expect(
        &[("policies/p.md", text)],
        "unknown-control",
        &["policies/p.md:5:19"],
        1,
    );
}

#[test]
fn unknown_reference_in_a_list_field() {
    let msgs = expect(
        &[
            ("policies/access.md", POLICY),
            (
                "controls/c.yaml",
                "- control: A.5.1\n  applicable: true\n  status: implemented\n  policies: [acess]\n",
            ),
        ],
        "unknown-reference",
        &["controls/c.yaml:4:14"],
        1,
    );
    assert_eq!(
        msgs,
        ["unknown policy \"acess\" (did you mean \"access\"?)"]
    );
}

#[test]
fn duplicate_id_in_a_collection() {
    expect(
        &[(
            "evidence/e.yaml",
            "- id: EV-1\n  title: A\n  url: https://x.test/\n- id: EV-1\n  title: B\n",
        )],
        "duplicate-id",
        &["evidence/e.yaml:4:7"],
        1,
    );
}

#[test]
fn duplicate_policy_id_points_at_the_id_field() {
    // Both the message's "first defined at" and the position name the `id:` lines, not the
    // files' first lines.
    let a = policy("id: same\n", "body\n");
    let b = policy("id: Same!\n", "body\n");
    let c = policy("id: same\n", "body\n");
    let msgs = expect(
        &[
            ("policies/a.md", &a),
            ("policies/b.md", &b),
            ("policies/c.md", &c),
        ],
        "duplicate-id",
        &["policies/b.md:6:5", "policies/c.md:6:5"],
        1,
    );
    assert_eq!(
        msgs[1],
        "duplicate policy id \"same\", first defined at policies/a.md:6"
    );
}

#[test]
fn control_mapped_twice() {
    let entry = "- control: A.5.2\n  applicable: false\n  justification: none\n";
    expect(
        &[("controls/a.yaml", entry), ("controls/b.yaml", entry)],
        "duplicate-mapping",
        &["controls/b.yaml:1:3"],
        1,
    );
}

#[test]
fn not_applicable_without_justification() {
    expect(
        &[("controls/a.yaml", "- control: A.5.2\n  applicable: false\n")],
        "missing-justification",
        &["controls/a.yaml:1:3"],
        1,
    );
}

#[test]
fn approved_policy_without_approved_date() {
    let text =
        "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\ncontrols: [A.5.1]\n---\nbody\n";
    let msgs = expect(
        &[("policies/p.md", text)],
        "approved-without-date",
        &["policies/p.md:5:9"],
        1,
    );
    assert_eq!(
        msgs,
        ["policy \"p\" is approved but has no `approved` date: add `approved: YYYY-MM-DD`"]
    );
}

#[test]
fn approved_with_a_date_that_is_not_valid_is_one_error() {
    // The `approved` date is written, just wrongly: "has no `approved` date" would mislead.
    let text = policy("status: approved\napproved: 2026-02-30\n", "body\n");
    expect(&[("policies/p.md", &text)], "approved-without-date", &[], 1);
    expect(
        &[("policies/p.md", &text)],
        "invalid-date",
        &["policies/p.md:7:11"],
        1,
    );
}

#[test]
fn broken_links_to_items_and_files() {
    let text = policy("", "# P\n\nSee [x](policy:nope) and\n[y](missing.md).\n");
    expect(
        &[("policies/p.md", &text)],
        "broken-link",
        &["policies/p.md:9:5", "policies/p.md:10:1"],
        1,
    );
}

#[test]
fn broken_link_inside_a_yaml_block_scalar_points_into_the_file() {
    let mapping = "- control: A.5.1\n  applicable: true\n  status: implemented\n  notes: |\n    First line.\n\n    See [the policy](policy:nope) here.\n";
    expect(
        &[("controls/c.yaml", mapping)],
        "broken-link",
        &["controls/c.yaml:7:9"],
        1,
    );
}

#[test]
fn broken_heading_anchors() {
    let target = policy("", "# Access\n\n## Reviews\n\ntext\n");
    let from = policy(
        "",
        "# From\n\nSee [r](policy:target#reviews), [bad](policy:target#reveiws),\n[rel](target.md#nothere) and [here](#from) and [there](#gone).\n",
    );
    let msgs = expect(
        &[("policies/target.md", &target), ("policies/from.md", &from)],
        "broken-anchor",
        &[
            "policies/from.md:9:33",
            "policies/from.md:10:1",
            "policies/from.md:10:48",
        ],
        1,
    );
    assert_eq!(
        msgs[0],
        "link to \"policy:target#reveiws\": policy \"target\" has no heading with the anchor \"#reveiws\" (did you mean \"#reviews\"?)"
    );
}

#[test]
fn missing_evidence_file() {
    expect(
        &[(
            "evidence/e.yaml",
            "- id: EV-1\n  title: A\n  file: evidence/files/nope.pdf\n",
        )],
        "missing-file",
        &["evidence/e.yaml:3:9"],
        1,
    );
}

#[test]
fn invalid_utf8_is_reported_where_it_starts() {
    let dir = site(&[]);
    write(
        dir.path(),
        "policies/p.md",
        b"---\ntitle: P\nowner: \xff\xfe\n---\n",
    );
    let (exit, diags) = check_json(dir.path(), &[]);
    let d = diags
        .iter()
        .find(|d| d["rule"] == "invalid-utf8")
        .expect("invalid-utf8 reported");
    assert_eq!(
        (d["path"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("policies/p.md"), Some(3), Some(8))
    );
    assert_eq!(exit, 1);
}

// ---- warnings --------------------------------------------------------------------------

#[test]
fn controls_not_assessed() {
    // With no mapping files the site as a whole is at fault; with one, that file is where
    // the missing controls belong.
    let dir = site(&[]);
    let (exit, diags) = check_json(dir.path(), &[]);
    let not_assessed: Vec<&Value> = diags
        .iter()
        .filter(|d| d["rule"] == "not-assessed")
        .collect();
    assert_eq!(not_assessed.len(), 93);
    assert_eq!(not_assessed[0]["path"], "site.yaml");
    assert_eq!(exit, 0, "warnings alone do not fail");

    let dir = site(&[(
        "controls/org.yaml",
        "- control: A.5.1\n  applicable: false\n  justification: j\n",
    )]);
    let (_, diags) = check_json(dir.path(), &[]);
    let first = diags
        .iter()
        .find(|d| d["rule"] == "not-assessed" && str_of(&d["message"]).contains("A.5.2 "))
        .expect("A.5.2 not assessed");
    assert_eq!(first["path"], "controls/org.yaml");
    assert_eq!(first["line"], 1);
    assert!(str_of(&first["message"]).starts_with(
        "control A.5.2 \"Information security roles and responsibilities\" is not assessed"
    ));
    assert_eq!(
        diags.iter().filter(|d| d["rule"] == "not-assessed").count(),
        92
    );
}

const APPLICABLE: &str = "- control: A.5.2\n  applicable: true\n  status: planned\n";

#[test]
fn applicable_control_with_no_policy_or_evidence() {
    expect(
        &[("controls/c.yaml", APPLICABLE)],
        "no-policy",
        &["controls/c.yaml:1:3"],
        0,
    );
    expect(
        &[("controls/c.yaml", APPLICABLE)],
        "no-evidence",
        &["controls/c.yaml:1:3"],
        0,
    );
    // A policy's own `controls:` counts as a link (the graph is the union).
    let p = "---\ntitle: P\nowner: O\nversion: \"1\"\ncontrols: [A.5.2]\n---\nbody\n";
    expect(
        &[("controls/c.yaml", APPLICABLE), ("policies/p.md", p)],
        "no-policy",
        &[],
        0,
    );
}

#[test]
fn expired_evidence() {
    let msgs = expect(
        &[(
            "evidence/e.yaml",
            "- id: EV-1\n  title: Old\n  expires: 2026-11-20\n- id: EV-2\n  title: Fresh\n  expires: 2026-11-30\n",
        )],
        "evidence-expired",
        &["evidence/e.yaml:3:12"],
        0,
    );
    assert_eq!(
        msgs,
        [
            "evidence EV-1 \"Old\" expired on 2026-11-20 (10 days ago): collect it again and update `expires`"
        ]
    );
}

#[test]
fn policy_review_overdue() {
    let text = policy(
        "status: approved\napproved: 2025-01-01\nreview_by: 2026-11-01\n",
        "body\n",
    );
    expect(
        &[("policies/p.md", &text)],
        "review-overdue",
        &["policies/p.md:8:12"],
        0,
    );
    // Drafts are not reviewed yet.
    let draft = policy("status: draft\nreview_by: 2026-11-01\n", "body\n");
    expect(&[("policies/p.md", &draft)], "review-overdue", &[], 0);
}

#[test]
fn open_finding_overdue() {
    let findings = "- id: F-1\n  title: Open\n  status: open\n  due: 2026-10-31\n- id: F-2\n  title: Closed\n  status: closed\n  due: 2026-10-31\n";
    expect(
        &[("findings/f.yaml", findings)],
        "finding-overdue",
        &["findings/f.yaml:4:8"],
        0,
    );
}

#[test]
fn risk_review_overdue() {
    let risks = "- id: R-1\n  title: R\n  review_by: 2026-06-30\n- id: R-2\n  title: Closed\n  status: closed\n  review_by: 2026-06-30\n";
    expect(
        &[("risks/r.yaml", risks)],
        "risk-review-overdue",
        &["risks/r.yaml:3:14"],
        0,
    );
}

#[test]
fn draft_linked_from_approved_policy() {
    let draft = policy("status: draft\n", "body\n");
    let approved = policy(
        "status: approved\napproved: 2026-01-01\n",
        "See [the draft](policy:draft).\n",
    );
    expect(
        &[
            ("policies/draft.md", &draft),
            ("policies/approved.md", &approved),
        ],
        "draft-linked",
        &["policies/approved.md:9:5"],
        0,
    );
}

#[test]
fn orphan_policy_and_evidence() {
    let orphan = "---\ntitle: P\nowner: O\nversion: \"1\"\n---\nbody\n";
    expect(
        &[("policies/orphan.md", orphan)],
        "orphan-policy",
        &["policies/orphan.md:1:1"],
        0,
    );
    expect(
        &[("evidence/e.yaml", "- id: EV-1\n  title: Loose\n")],
        "orphan-evidence",
        &["evidence/e.yaml:1:7"],
        0,
    );
    // A Markdown link from another item is a link too.
    let linking = policy("", "See [it](policy:orphan) and [ev](evidence:EV-1).\n");
    let files = [
        ("policies/orphan.md", orphan),
        ("policies/linking.md", linking.as_str()),
        ("evidence/e.yaml", "- id: EV-1\n  title: Loose\n"),
    ];
    expect(&files, "orphan-policy", &[], 0);
    expect(&files, "orphan-evidence", &[], 0);
}

#[test]
fn public_item_linking_to_restricted_item() {
    let public = policy(
        "classification: public\n",
        "See [the internal one](policy:secret).\n",
    );
    let secret = policy("classification: internal\n", "body\n");
    let msgs = expect(
        &[
            ("policies/open.md", &public),
            ("policies/secret.md", &secret),
        ],
        "restricted-link",
        &["policies/open.md:8:5"],
        0,
    );
    assert_eq!(
        msgs,
        [
            "this public text links to internal policy \"secret\": public readers will see the link text without a link"
        ]
    );
}

// ---- command line ----------------------------------------------------------------------

#[test]
fn strict_fails_on_warnings() {
    let dir = site(&[]);
    let (exit, _) = check_json(dir.path(), &["--strict"]);
    assert_eq!(exit, 1);
}

#[test]
fn usage_errors_exit_2() {
    let dir = site(&[]);
    let d = dir.path().to_str().expect("utf-8");
    for args in [
        vec!["check", d, "--today", "30/11/2026"],
        vec!["check", d, "--format", "xml"],
        vec!["check", d, "--audience", "everyone"],
    ] {
        let out = trustpress(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn text_format_is_sorted_with_a_summary() {
    let dir = site(&[
        ("risks/r.yaml", "- id: R-1\n  title: R\n  likelihood: 9\n"),
        ("controls/c.yaml", APPLICABLE),
    ]);
    let out = trustpress(&[
        "check",
        dir.path().to_str().expect("utf-8"),
        "--today",
        TODAY,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.contains(&"risks/r.yaml:3:15: error[out-of-range]: `likelihood` is 9, expected a whole number from 1 to 5"),
        "{stdout}"
    );
    assert!(lines.contains(&"controls/c.yaml:1:3: warning[no-evidence]: applicable control A.5.2 \"Information security roles and responsibilities\" has no evidence: list evidence ids under `evidence:`"), "{stdout}");
    assert_eq!(lines.last(), Some(&"1 error, 94 warnings"), "{stdout}");
    // Errors first, then warnings; each group sorted by path and line.
    let body = &lines[..lines.len() - 1];
    let errors = body.iter().take_while(|l| l.contains(": error[")).count();
    assert_eq!(errors, 1, "{stdout}");
    for group in [&body[..errors], &body[errors..]] {
        let keys: Vec<(String, u64)> = group
            .iter()
            .map(|l| {
                let mut parts = l.splitn(3, ':');
                let path = parts.next().unwrap_or_default().to_string();
                let line = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                (path, line)
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "sorted by path and line");
    }
}

#[test]
fn sarif_format() {
    let dir = site(&[("risks/r.yaml", "- id: R-1\n  title: R\n  likelihood: 9\n")]);
    let out = trustpress(&[
        "check",
        dir.path().to_str().expect("utf-8"),
        "--today",
        TODAY,
        "--format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("sarif is json");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "trustpress");
    let result = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "out-of-range")
        .expect("out-of-range result");
    assert_eq!(result["level"], "error");
    let loc = &result["locations"][0]["physicalLocation"];
    assert!(str_of(&loc["artifactLocation"]["uri"]).ends_with("/risks/r.yaml"));
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 15);
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "restricted-link"));
}

#[test]
fn check_writes_nothing() {
    let dir = site(&[]);
    let before = listing(dir.path());
    let _ = trustpress(&[
        "check",
        dir.path().to_str().expect("utf-8"),
        "--today",
        TODAY,
    ]);
    assert_eq!(listing(dir.path()), before);
}

fn listing(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(root)
        .into_iter()
        .map(|p| p.strip_prefix(root).unwrap_or(&p).display().to_string())
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

// ---- build shares the rules --------------------------------------------------------------

#[test]
fn build_fails_on_check_errors_and_prints_check_warnings() {
    let text =
        "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\ncontrols: [A.5.1]\n---\nbody\n";
    let dir = site(&[("policies/p.md", text)]);
    let out_dir = tempfile::tempdir().expect("temp");
    let out = out_dir.path().join("site");
    let args = |out: &Path| {
        vec![
            "build".to_string(),
            dir.path().display().to_string(),
            "--today".into(),
            TODAY.into(),
            "--out".into(),
            out.display().to_string(),
        ]
    };
    let run = |args: Vec<String>| {
        Command::new(env!("CARGO_BIN_EXE_trustpress"))
            .args(args)
            .output()
            .expect("run")
    };
    let failed = run(args(&out));
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains(
            "policies/p.md:5:9: error: policy \"p\" is approved but has no `approved` date"
        ),
        "{stderr}"
    );
    assert!(!out.exists());

    write(dir.path(), "policies/p.md", POLICY.as_bytes());
    let ok = run(args(&out));
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert!(stderr.contains(": warning: control A.5.2"), "{stderr}");
}

// ---- the example site --------------------------------------------------------------------

#[test]
fn example_site_reports_only_the_intended_warnings() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site");
    let (exit, diags) = check_json(&example, &["--audience", "internal"]);
    assert_eq!(exit, 0, "{diags:#?}");
    let mut got: Vec<String> = diags
        .iter()
        .map(|d| {
            let msg = str_of(&d["message"]);
            // The subject of each warning: the control, item or policy it names.
            let subject = msg
                .split_whitespace()
                .find(|w| {
                    w.starts_with("A.")
                        || w.starts_with("EV-")
                        || w.starts_with("F-")
                        || w.starts_with('"')
                })
                .unwrap_or_default()
                .trim_matches('"');
            format!(
                "{} {} {}",
                d["severity"].as_str().unwrap_or_default(),
                d["rule"].as_str().unwrap_or_default(),
                subject
            )
        })
        .collect();
    got.sort();
    let mut expected = vec![
        "warning review-overdue acceptable-use",
        "warning evidence-expired EV-010",
        "warning evidence-expired EV-011",
        "warning evidence-expired EV-022",
        "warning finding-overdue F-2026-05",
        "warning no-policy A.5.6",
        "warning no-policy A.7.13",
        "warning no-evidence A.5.13",
        "warning no-evidence A.5.32",
        "warning no-evidence A.6.4",
        "warning no-evidence A.7.4",
    ];
    expected.sort();
    assert_eq!(got, expected);
}

/// `trustpress check | head` closes the pipe early: no panic, no error message, the exit code
/// still says whether the site has errors.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    let broken = crate::common::fixture("broken");
    for format in ["text", "json", "sarif"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trustpress"))
            .args(["check", "--today", TODAY, "--format", format])
            .arg(&broken)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run trustpress");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert_eq!(out.status.code(), Some(1), "{format}: {stderr}");
    }
}

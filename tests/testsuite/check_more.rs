//! `trustpress check` for the rules that tests/check.rs does not cover: `invalid-id`,
//! `invalid-path`, `evidence-in-static`, `io`, `template` and `unknown-template`. Each is
//! triggered by a small site written from strings and asserted by exact path, line, column,
//! rule and exit code; each error is also shown to fail `build` with the same
//! `path:line:column: error: message` line.

use crate::common::TODAY;
use crate::common::sites::*;

use std::path::Path;

use serde_json::Value;

/// An approved public policy, so every audience renders its page.
const POLICY: &str = "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: public\ncontrols: [A.5.1]\n---\n# Purpose\n\nText.\n";

/// One diagnostic as `path:line:column: severity[rule]: message`, as `--format text` prints it.
fn line_of(d: &Value) -> String {
    format!(
        "{}:{}:{}: {}[{}]: {}",
        str_of(&d["path"]),
        d["line"],
        d["column"],
        str_of(&d["severity"]),
        str_of(&d["rule"]),
        str_of(&d["message"])
    )
}

/// Checks the site at `dir` and asserts that `rule` is reported exactly at each of `at`
/// (`path:line:column`) and that the exit code is `code`; returns the diagnostics of `rule`.
fn expect_in(dir: &Path, extra: &[&str], rule: &str, at: &[&str], code: i32) -> Vec<Value> {
    let (exit, diags) = check_json(dir, extra);
    let hits: Vec<Value> = diags
        .iter()
        .filter(|d| d["rule"] == rule)
        .cloned()
        .collect();
    let positions: Vec<String> = hits
        .iter()
        .map(|d| format!("{}:{}:{}", str_of(&d["path"]), d["line"], d["column"]))
        .collect();
    let all: Vec<String> = diags.iter().map(line_of).collect();
    assert_eq!(
        positions, at,
        "positions of {rule}; all diagnostics: {all:#?}"
    );
    assert_eq!(exit, code, "exit code; diagnostics: {all:#?}");
    hits
}

/// Like `expect_in`, for a fresh site made of `files`; also returns the site.
fn expect(
    files: &[(&str, &str)],
    rule: &str,
    at: &[&str],
    code: i32,
) -> (tempfile::TempDir, Vec<Value>) {
    let dir = site(files);
    let hits = expect_in(dir.path(), &[], rule, at, code);
    (dir, hits)
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn messages(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|d| str_of(&d["message"]).to_string())
        .collect()
}

/// Builds the site at `dir` into a fresh folder with `-v` (every warning printed) and
/// returns the exit code, stderr and whether anything was written.
fn build(dir: &Path) -> (i32, String, bool) {
    let out_dir = tempfile::tempdir().expect("temp");
    let out = out_dir.path().join("site");
    let o = trustpress(&[
        "build",
        "-v",
        dir.to_str().expect("utf-8 path"),
        "--today",
        TODAY,
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    (
        o.status.code().expect("exit code"),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        out.exists(),
    )
}

/// Asserts that `build` fails, writes nothing and prints each error of `hits` as
/// `path:line:column: error: message`.
fn build_fails_with(dir: &Path, hits: &[Value]) {
    assert!(!hits.is_empty());
    let (code, stderr, written) = build(dir);
    assert_eq!(code, 1, "{stderr}");
    assert!(!written, "a failed build wrote output");
    for d in hits {
        assert_eq!(d["severity"], "error");
        let line = format!(
            "{}:{}:{}: error: {}",
            str_of(&d["path"]),
            d["line"],
            d["column"],
            str_of(&d["message"])
        );
        assert!(
            stderr.lines().any(|l| l == line),
            "build does not print `{line}`:\n{stderr}"
        );
    }
}

// ---- invalid-id --------------------------------------------------------------------------

#[test]
fn invalid_id_in_a_register_points_at_the_id() {
    let (dir, hits) = expect(
        &[(
            "risks/r.yaml",
            "- id: R-1\n  title: Fine\n- id: \"---\"\n  title: R\n",
        )],
        "invalid-id",
        &["risks/r.yaml:3:7"],
        1,
    );
    assert_eq!(
        messages(&hits),
        ["id \"---\" needs at least one letter or digit"]
    );
    build_fails_with(dir.path(), &hits);
}

#[test]
fn invalid_id_in_policy_front_matter_points_at_the_id() {
    let text = POLICY.replacen("title: P\n", "title: P\nid: \"!!!\"\n", 1);
    let (dir, hits) = expect(
        &[("policies/p.md", &text)],
        "invalid-id",
        &["policies/p.md:3:5"],
        1,
    );
    assert_eq!(
        messages(&hits),
        ["id \"!!!\" needs at least one letter or digit"]
    );
    build_fails_with(dir.path(), &hits);
}

#[test]
fn invalid_id_from_a_policy_file_name_points_at_the_file() {
    // No `id:` field: the id is the file stem, so the file as a whole is to blame.
    let (dir, hits) = expect(
        &[("policies/---.md", POLICY)],
        "invalid-id",
        &["policies/---.md:1:1"],
        1,
    );
    build_fails_with(dir.path(), &hits);
}

// ---- invalid-path ------------------------------------------------------------------------

#[test]
fn evidence_file_outside_the_site_is_invalid() {
    let files = [
        ("secret.txt", "not evidence\n"),
        (
            "evidence/e.yaml",
            "- id: EV-1\n  title: A\n  file: ../secret.txt\n- id: EV-2\n  title: B\n  file: /etc/hostname\n- id: EV-3\n  title: C\n  file: evidence/../../secret.txt\n",
        ),
    ];
    let (dir, hits) = expect(
        &files,
        "invalid-path",
        &[
            "evidence/e.yaml:3:9",
            "evidence/e.yaml:6:9",
            "evidence/e.yaml:9:9",
        ],
        1,
    );
    assert_eq!(
        messages(&hits)[0],
        "evidence file \"../secret.txt\" must be a path inside the site folder, without `..`"
    );
    build_fails_with(dir.path(), &hits);
}

// ---- evidence-in-static ------------------------------------------------------------------

#[test]
fn restricted_evidence_under_static_is_an_error() {
    let files = [
        ("static/audit.pdf", "%PDF"),
        (
            "evidence/e.yaml",
            // internal by default; customer; public is fine (static/ is public anyway).
            "- id: EV-1\n  title: A\n  file: static/audit.pdf\n- id: EV-2\n  title: B\n  classification: customer\n  file: static/audit.pdf\n- id: EV-3\n  title: C\n  classification: public\n  file: static/audit.pdf\n",
        ),
    ];
    let (dir, hits) = expect(
        &files,
        "evidence-in-static",
        &["evidence/e.yaml:3:9", "evidence/e.yaml:7:9"],
        1,
    );
    assert_eq!(
        messages(&hits)[0],
        "evidence file \"static/audit.pdf\" is under static/, which is published to every audience; move it outside static/ (e.g. evidence/files/)"
    );
    build_fails_with(dir.path(), &hits);
}

#[test]
fn restricted_evidence_under_static_is_found_however_the_path_is_spelled() {
    // `./static/…` and `static//…` name the same file as `static/…`: it is still published
    // to every audience.
    let files = [
        ("static/audit.pdf", "%PDF"),
        (
            "evidence/e.yaml",
            "- id: EV-1\n  title: A\n  file: ./static/audit.pdf\n- id: EV-2\n  title: B\n  file: static//audit.pdf\n",
        ),
    ];
    let (dir, hits) = expect(
        &files,
        "evidence-in-static",
        &["evidence/e.yaml:3:9", "evidence/e.yaml:6:9"],
        1,
    );
    build_fails_with(dir.path(), &hits);
}

// ---- io ----------------------------------------------------------------------------------

/// A directory where a file is expected cannot be read, even by root.
#[test]
fn unreadable_site_yaml_and_scope_are_io_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("site.yaml")).expect("mkdir");
    let hits = expect_in(dir.path(), &[], "io", &["site.yaml:1:1"], 1);
    let msg = str_of(&hits[0]["message"]);
    assert!(msg.starts_with("cannot read: "), "{msg}");
    // It exists, so it is not reported missing.
    let (_, diags) = check_json(dir.path(), &[]);
    assert!(
        !diags.iter().any(|d| d["rule"] == "missing-file"),
        "{diags:#?}"
    );
    build_fails_with(dir.path(), &hits);

    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "site.yaml", SITE_YAML.as_bytes());
    std::fs::create_dir(dir.path().join("scope.md")).expect("mkdir");
    let hits = expect_in(dir.path(), &[], "io", &["scope.md:1:1"], 1);
    build_fails_with(dir.path(), &hits);
}

#[test]
fn evidence_file_that_is_a_folder_is_an_io_error_not_a_missing_file() {
    let dir = site(&[
        ("evidence/files/report/readme.txt", "a folder, not a file\n"),
        (
            "evidence/e.yaml",
            "- id: EV-1\n  title: A\n  file: evidence/files/report\n",
        ),
    ]);
    let hits = expect_in(dir.path(), &[], "io", &["evidence/e.yaml:3:9"], 1);
    let msg = str_of(&hits[0]["message"]);
    assert!(
        msg.starts_with("evidence file \"evidence/files/report\" cannot be read: "),
        "{msg}"
    );
    expect_in(dir.path(), &[], "missing-file", &[], 1);
    build_fails_with(dir.path(), &hits);
}

#[test]
fn a_folder_named_like_a_policy_is_not_read_as_one() {
    // `policies/x.md/` is a folder: the files inside it are policies, the folder is not.
    let dir = site(&[("policies/x.md/inner.md", POLICY)]);
    let (exit, diags) = check_json(dir.path(), &[]);
    assert_eq!(exit, 0, "{diags:#?}");
    assert!(
        !diags.iter().any(|d| d["severity"] == "error"),
        "{diags:#?}"
    );
}

/// A policy without read permission. Root reads it anyway (as in CI), so the assertion only
/// runs where permissions are enforced.
#[cfg(unix)]
#[test]
fn unreadable_policy_is_an_io_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = site(&[("policies/p.md", POLICY)]);
    let p = dir.path().join("policies/p.md");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&p).is_ok() {
        eprintln!("skipped: running as root, a mode-000 file is still readable");
        return;
    }
    let hits = expect_in(dir.path(), &[], "io", &["policies/p.md:1:1"], 1);
    assert!(str_of(&hits[0]["message"]).starts_with("cannot read: "));
    build_fails_with(dir.path(), &hits);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
}

// ---- template ----------------------------------------------------------------------------

#[test]
fn template_override_that_does_not_compile() {
    // Tera's position of the error, on one line: its own report spans several.
    let (dir, hits) = expect(
        &[
            ("policies/p.md", POLICY),
            (
                "templates/policy.html",
                "{% extends \"base.html\" %}\n{% block content %}\n{% if %}\n{% endblock %}\n",
            ),
        ],
        "template",
        &["templates/policy.html:3:7"],
        1,
    );
    assert_eq!(
        messages(&hits),
        [
            "template error: Found `%}` but expected one of: integer, float, string, bool, ident, `-`, `not`, `<`, `{`, `[` or `(`"
        ]
    );
    build_fails_with(dir.path(), &hits);
}

#[test]
fn template_override_with_unknown_filters() {
    // Tera resolves filters when it compiles the templates, and reports every unknown one.
    let (dir, hits) = expect(
        &[
            ("policies/p.md", POLICY),
            (
                "templates/policy.html",
                "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title | shout }}</h1>\n{{ body | whisper | safe }}\n{% endblock %}\n",
            ),
        ],
        "template",
        &["templates/policy.html:3:21", "templates/policy.html:4:11"],
        1,
    );
    assert_eq!(
        messages(&hits),
        [
            "template error: Unknown filter `shout`",
            "template error: Unknown filter `whisper`"
        ]
    );
    build_fails_with(dir.path(), &hits);
}

#[test]
fn template_override_that_fails_to_render() {
    let (dir, hits) = expect(
        &[
            ("policies/p.md", POLICY),
            (
                "templates/policy.html",
                "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title }}</h1>\n<p>{{ no_such_variable.field }}</p>\n{% endblock %}\n",
            ),
        ],
        "template",
        &["templates/policy.html:4:7"],
        1,
    );
    assert_eq!(
        messages(&hits),
        [
            "cannot render template policy.html: Variable `no_such_variable` is not defined. Available variables: approved, approved_by, body, controls, extra, findings, highlight_css, history, id, nav, page, policy, show_empty, site, t, tags, toc"
        ]
    );
    build_fails_with(dir.path(), &hits);
}

#[test]
fn a_broken_template_does_not_hide_the_other_diagnostics() {
    // Besides the template error, check still reports the audit warnings.
    let (dir, _) = expect(
        &[
            ("policies/p.md", POLICY),
            ("templates/policy.html", "{% if %}\n"),
        ],
        "template",
        &["templates/policy.html:1:7"],
        1,
    );
    let (_, diags) = check_json(dir.path(), &[]);
    assert!(
        diags.iter().any(|d| d["rule"] == "not-assessed"),
        "the audit warnings are missing: {diags:#?}"
    );
}

// ---- unknown-template --------------------------------------------------------------------

#[test]
fn template_override_that_replaces_nothing_is_a_warning() {
    let (dir, hits) = expect(
        &[
            ("policies/p.md", POLICY),
            ("templates/polcy.html", "<p>{{ page.title }}</p>\n"),
        ],
        "unknown-template",
        &["templates/polcy.html:1:1"],
        0,
    );
    assert_eq!(hits[0]["severity"], "warning");
    assert_eq!(
        messages(&hits),
        [
            "templates/polcy.html does not replace any template of the theme (did you mean policy.html?)"
        ]
    );
    expect_in(
        dir.path(),
        &["--strict"],
        "unknown-template",
        &["templates/polcy.html:1:1"],
        1,
    );
    // build succeeds and prints the warning.
    let (code, stderr, written) = build(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(written);
    assert!(
        stderr.lines().any(|l| l
            == "templates/polcy.html:1:1: warning: templates/polcy.html does not replace any template of the theme (did you mean policy.html?)"),
        "{stderr}"
    );
}

// ---- symbolic links -----------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn evidence_file_that_links_outside_the_site_is_invalid() {
    let outside = tempfile::tempdir().expect("temp");
    std::fs::write(outside.path().join("secret.txt"), "outside the site\n").expect("write");
    let dir = site(&[(
        "evidence/e.yaml",
        "- id: EV-1\n  title: A\n  file: evidence/files/link.txt\n",
    )]);
    std::fs::create_dir_all(dir.path().join("evidence/files")).expect("mkdir");
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        dir.path().join("evidence/files/link.txt"),
    )
    .expect("symlink");
    let hits = expect_in(dir.path(), &[], "invalid-path", &["evidence/e.yaml:3:9"], 1);
    assert!(messages(&hits)[0].contains("symbolic link"), "{hits:?}");
}

#[cfg(unix)]
#[test]
fn symbolic_links_in_content_folders_are_skipped_with_a_warning() {
    let outside = tempfile::tempdir().expect("temp");
    std::fs::write(outside.path().join("secret.css"), "/* outside */\n").expect("write");
    let dir = site(&[]);
    std::fs::create_dir_all(dir.path().join("static")).expect("mkdir");
    std::os::unix::fs::symlink(
        outside.path().join("secret.css"),
        dir.path().join("static/linked.css"),
    )
    .expect("symlink");
    expect_in(
        dir.path(),
        &[],
        "symlink-ignored",
        &["static/linked.css:1:1"],
        0,
    );
    let out = tempfile::tempdir().expect("temp");
    let o = trustpress(&[
        "build",
        &dir.path().display().to_string(),
        "--today",
        "2026-11-30",
        "--out",
        &out.path().join("site").display().to_string(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        !out.path().join("site/linked.css").exists(),
        "the linked file is not copied"
    );
}

// ---- near-miss link schemes ---------------------------------------------------------------

#[test]
fn a_misspelt_link_scheme_is_a_broken_link_not_an_external_one() {
    let files = [(
        "policies/p.md",
        "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: public\n---\nSee [x](polcy:p), [w](https://x.example/) and [m](mailto:a@b.example).\n",
    )];
    let (_dir, hits) = expect(&files, "broken-link", &["policies/p.md:9:5"], 1);
    assert_eq!(
        messages(&hits)[0],
        "unknown link scheme \"polcy:\" (did you mean \"policy:\"?)"
    );
}

/// "Did you mean" picks among equally near candidates the same way on every run (they come
/// from a hash map): text, JSON and SARIF are byte-identical across runs.
#[test]
fn check_output_is_identical_across_runs() {
    let policy = |id: &str| POLICY.replace("title: P", &format!("id: {id}\ntitle: P {id}"));
    let linking = POLICY.replace("Text.", "See [x](policy:access-x) and [y](policy:rules-x).");
    let mut files: Vec<(String, String)> =
        ["access-a", "access-b", "access-c", "rules-a", "rules-b"]
            .iter()
            .map(|id| (format!("policies/{id}.md"), policy(id)))
            .collect();
    files.push(("policies/linking.md".into(), linking));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = site(&refs);
    let path = dir.path().to_str().unwrap();
    for format in ["text", "json", "sarif"] {
        let run = || trustpress(&["check", path, "--today", TODAY, "--format", format]).stdout;
        let first = run();
        assert!(
            String::from_utf8_lossy(&first).contains("access-a"),
            "{format}: the alphabetically first near id is suggested"
        );
        for _ in 0..6 {
            // Compared without printing: the outputs hold 93 warnings each.
            assert!(run() == first, "{format} output differs between runs");
        }
    }
}

/// Two overrides that each fail when rendered (and one on every control page): all are
/// reported, each once, not only the first page that failed.
#[test]
fn every_failing_template_is_reported_once() {
    let broken = |what: &str| {
        format!(
            "{{% extends \"base.html\" %}}\n{{% block content %}}\n<p>{{{{ {what}.x }}}}</p>\n{{% endblock %}}\n"
        )
    };
    let (dir, hits) = expect(
        &[
            ("policies/p.md", POLICY),
            ("templates/policy.html", &broken("no_policy_var")),
            ("templates/control.html", &broken("no_control_var")),
        ],
        "template",
        &["templates/control.html:3:7", "templates/policy.html:3:7"],
        1,
    );
    build_fails_with(dir.path(), &hits);
}

/// A `<!--` never closed hides the rest of the page: a warning at the `<!--` says so.
#[test]
fn an_unclosed_comment_is_a_warning_at_its_start() {
    let policy = POLICY.replace(
        "Text.",
        "Text.\n\nAfter <!-- a note never closed\n\nHidden.",
    );
    let (_, hits) = expect(
        &[("policies/p.md", &policy)],
        "unclosed-comment",
        &["policies/p.md:14:7"],
        0,
    );
    assert_eq!(hits[0]["severity"], "warning");
}

/// Nothing is silently ignored: a top-level folder trustpress does not read, and a `static/`
/// file that a generated file replaces, are warnings that say what to do instead.
#[test]
fn unread_folders_and_shadowed_static_files_are_warnings() {
    let (dir, hits) = expect(
        &[
            ("policies/p.md", POLICY),
            ("policy/old.md", POLICY),
            ("narratives/x.md", "text"),
            ("_site/public/.keep", ""),
        ],
        "unread-folder",
        &["narratives/:1:1", "policy/:1:1"],
        0,
    );
    assert!(
        messages(&hits)[1].contains("did you mean policies/?"),
        "{hits:?}"
    );
    drop(dir);
    let (_, hits) = expect(
        &[
            ("policies/p.md", POLICY),
            ("static/style.css", "body{}"),
            ("static/index.html", "<p>home</p>"),
            ("static/img/logo.svg", "<svg/>"),
        ],
        "static-shadowed",
        &["static/index.html:1:1", "static/style.css:1:1"],
        0,
    );
    assert!(messages(&hits)[1].contains("extra_css"), "{hits:?}");
}

/// TOML front matter (`+++`, as Hugo and Zola write it) is read like YAML, and a problem in it
/// is reported at its own line and column.
#[test]
fn toml_front_matter_is_read_like_yaml() {
    let toml = "+++\ntitle = \"Access control\"\nowner = \"CISO\"\nversion = \"1\"\nstatus = \"approved\"\napproved = 2026-01-01\nclassification = \"public\"\ncontrols = [\"A.5.1\"]\ntags = [\"access\"]\n[[history]]\nversion = \"1\"\ndate = 2026-01-01\n+++\n# Purpose\n\nText.\n";
    let dir = site(&[("policies/access.md", toml)]);
    let out = tempfile::tempdir().unwrap();
    let tree = crate::common::build_ok(dir.path(), "public", &out.path().join("o"));
    let page = tree.text("policies/access/index.html");
    assert!(
        page.contains("Access control") && page.contains("access</li>"),
        "{page}"
    );
    let typo = toml.replace("owner = \"CISO\"", "owner = \"CISO\"\napprover = \"CEO\"");
    let (_, hits) = expect(
        &[("policies/access.md", &typo)],
        "unknown-field",
        &["policies/access.md:4:1"],
        1,
    );
    assert!(messages(&hits)[0].contains("approved_by"), "{hits:?}");
}

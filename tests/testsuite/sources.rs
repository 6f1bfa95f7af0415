//! What trustpress reads from a site folder and what it refuses to: symbolic links at the top
//! of a site, evidence files that are source files, shared with a stricter item, named like
//! the item's page, too long or not regular files (a named pipe must not hang a run), ids too
//! long for a page address, and links to evidence files whose names need percent-encoding.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::sites::*;
use crate::common::{TODAY, Tree, bin, build_ok, canary_markers, fixture, links, resolve_link};
use crate::live::copy_dir;

/// An approved public policy.
const PUBLIC_POLICY: &str = "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: public\ncontrols: [A.5.1]\n---\n# Purpose\n\nText.\n";

/// An approved internal policy carrying a canary.
const INTERNAL_POLICY: &str = "---\ntitle: Secret canaryint-src-title\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: internal\n---\n# Purpose\n\ncanaryint-src-body\n";

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// `path:line:column` of each diagnostic of `rule`.
fn at(diags: &[Value], rule: &str) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| format!("{}:{}:{}", str_of(&d["path"]), d["line"], d["column"]))
        .collect()
}

fn messages(diags: &[Value], rule: &str) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| str_of(&d["message"]).to_string())
        .collect()
}

/// Runs `cmd` with stdout and stderr in files and a deadline: a run that hangs (as one reading
/// a named pipe would) is killed and fails the test instead of hanging it.
fn run_with_deadline(mut cmd: Command, what: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("temp");
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("out file"))
        .stderr(std::fs::File::create(&err).expect("err file"))
        .spawn()
        .expect("the trustpress binary runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within 60 s (it hangs)");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (
        status.code().expect("exit code"),
        std::fs::read_to_string(out).expect("stdout"),
        std::fs::read_to_string(err).expect("stderr"),
    )
}

/// `check --format json` under a deadline.
fn check(dir: &Path) -> (i32, Vec<Value>) {
    let mut cmd = bin();
    cmd.arg("check")
        .arg(dir)
        .args(["--today", TODAY, "--format", "json"]);
    let (code, stdout, stderr) = run_with_deadline(cmd, "check");
    let list: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (code, list.as_array().expect("a list").clone())
}

/// Builds for `audience` under a deadline into a fresh folder: exit code, stderr, and whether
/// anything was written.
fn build(dir: &Path, audience: &str) -> (i32, String, bool) {
    let out_dir = tempfile::tempdir().expect("temp");
    let out = out_dir.path().join("site");
    let mut cmd = bin();
    cmd.arg("build")
        .arg(dir)
        .args(["--audience", audience, "--today", TODAY, "--out"])
        .arg(&out);
    let (code, _, stderr) = run_with_deadline(cmd, "build");
    (code, stderr, out.exists())
}

/// Asserts that the public build fails, prints `line` and writes nothing.
fn build_fails_with(dir: &Path, lines: &[String]) {
    let (code, stderr, written) = build(dir, "public");
    assert_eq!(code, 1, "{stderr}");
    assert!(!written, "a failed build wrote output");
    for line in lines {
        assert!(
            stderr.lines().any(|l| l.contains(line.as_str())),
            "build does not print `{line}`:\n{stderr}"
        );
    }
}

// ---- point 2: symbolic links at the top of a site -------------------------------------------

#[cfg(unix)]
#[test]
fn a_symlinked_content_folder_is_an_error_and_nothing_is_built() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().expect("temp");
    let site = tmp.path().join("site");
    copy_dir(&fixture("canary"), &site);
    // `static -> .` would copy every source file, internal ones included, to every edition;
    // `policies -> outside` would publish files from outside the site.
    let outside = tmp.path().join("outside");
    write(&outside, "public-policy.md", PUBLIC_POLICY.as_bytes());
    write(&outside, "leak.md", INTERNAL_POLICY.as_bytes());
    std::fs::remove_dir_all(site.join("static")).expect("rm static");
    std::fs::remove_dir_all(site.join("policies")).expect("rm policies");
    symlink(".", site.join("static")).expect("symlink");
    symlink(&outside, site.join("policies")).expect("symlink");

    let (code, diags) = check(&site);
    assert_eq!(code, 1, "{diags:#?}");
    assert_eq!(at(&diags, "symlink"), ["policies:1:1", "static:1:1"]);
    assert_eq!(
        messages(&diags, "symlink")[0],
        "policies is a symbolic link; trustpress does not follow links, so that nothing outside the site (and no source file) is published: replace it with the folder itself"
    );
    // Nothing behind the links is read: no warning or error names a file in them.
    assert!(
        !diags.iter().any(|d| {
            let p = str_of(&d["path"]);
            p.starts_with("static/") || p.starts_with("policies/")
        }),
        "{diags:#?}"
    );
    build_fails_with(
        &site,
        &["static:1:1: error: static is a symbolic link".to_string()],
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_site_yaml_or_scope_is_an_error() {
    use std::os::unix::fs::symlink;
    for top in ["site.yaml", "scope.md"] {
        let outside = tempfile::tempdir().expect("temp");
        let dir = site(&[("policies/p.md", PUBLIC_POLICY)]);
        let real = outside.path().join(top);
        std::fs::rename(dir.path().join(top), &real).expect("move");
        symlink(&real, dir.path().join(top)).expect("symlink");
        let (code, diags) = check(dir.path());
        assert_eq!(code, 1, "{diags:#?}");
        assert_eq!(at(&diags, "symlink"), [format!("{top}:1:1")], "{diags:#?}");
        assert!(
            messages(&diags, "symlink")[0].ends_with("replace it with the file itself"),
            "{diags:#?}"
        );
        // A link is not reported as a missing file as well.
        assert!(at(&diags, "missing-file").is_empty(), "{diags:#?}");
        build_fails_with(
            dir.path(),
            &[format!("{top}:1:1: error: {top} is a symbolic link")],
        );
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_folder_deeper_down_is_really_skipped() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("temp");
    write(outside.path(), "leak.md", INTERNAL_POLICY.as_bytes());
    write(outside.path(), "leak.css", b"/* canaryint-src-css */");
    let dir = site(&[("policies/p.md", PUBLIC_POLICY), ("static/site.css", "a{}")]);
    symlink(outside.path(), dir.path().join("policies/sub")).expect("symlink");
    symlink(outside.path(), dir.path().join("static/deep")).expect("symlink");
    // A link back up to the site root would publish every source file.
    symlink("..", dir.path().join("static/up")).expect("symlink");

    let (code, diags) = check(dir.path());
    assert_eq!(code, 0, "{diags:#?}");
    assert_eq!(
        at(&diags, "symlink-ignored"),
        ["policies/sub:1:1", "static/deep:1:1", "static/up:1:1"]
    );
    assert!(
        !diags
            .iter()
            .any(|d| str_of(&d["path"]).starts_with("policies/sub/")),
        "{diags:#?}"
    );
    for audience in ["public", "internal"] {
        let out = tempfile::tempdir().expect("temp");
        let tree = build_ok(dir.path(), audience, &out.path().join("site"));
        assert!(tree.has("site.css"));
        assert!(
            !tree
                .files
                .keys()
                .any(|p| p.starts_with("deep/") || p.starts_with("up/")),
            "{:?}",
            tree.files.keys()
        );
        assert_eq!(
            canary_markers(&tree.root),
            Vec::<String>::new(),
            "{audience}"
        );
    }
}

// ---- point 5: evidence files that are sources or shared with a stricter item ----------------

#[test]
fn an_evidence_file_may_not_be_a_source_file() {
    let register = "\
- id: EV-1
  title: A
  classification: public
  file: policies/secret.md
- id: EV-2
  title: B
  classification: public
  file: ./evidence//register.yaml
- id: EV-3
  title: C
  classification: public
  file: site.yaml
- id: EV-4
  title: D
  classification: public
  file: scope.md
- id: EV-5
  title: E
  classification: public
  file: templates/policy.html
- id: EV-6
  title: F
  classification: public
  file: risks/r.yaml
- id: EV-7
  title: G
  classification: public
  file: evidence/files/fine.txt
";
    let dir = site(&[
        ("policies/p.md", PUBLIC_POLICY),
        ("policies/secret.md", INTERNAL_POLICY),
        ("evidence/register.yaml", register),
        ("evidence/files/fine.txt", "fine"),
        (
            "templates/policy.html",
            "canaryint-template {{ page.title }}",
        ),
        (
            "risks/r.yaml",
            "- id: R-1\n  title: canaryint-risk\n  classification: internal\n",
        ),
    ]);
    let (code, diags) = check(dir.path());
    assert_eq!(code, 1, "{diags:#?}");
    assert_eq!(
        at(&diags, "evidence-source-file"),
        [
            "evidence/register.yaml:4:9",
            "evidence/register.yaml:8:9",
            "evidence/register.yaml:12:9",
            "evidence/register.yaml:16:9",
            "evidence/register.yaml:20:9",
            "evidence/register.yaml:24:9",
        ],
        "{diags:#?}"
    );
    assert_eq!(
        messages(&diags, "evidence-source-file")[0],
        "evidence file \"policies/secret.md\" is a policy: trustpress reads it as a source and may not publish it; attach a separate file (e.g. under evidence/files/)"
    );
    assert!(
        messages(&diags, "evidence-source-file")[1]
            .starts_with("evidence file \"./evidence//register.yaml\" is a register:"),
        "{diags:#?}"
    );
    build_fails_with(
        dir.path(),
        &[
            "evidence/register.yaml:4:9: error: evidence file \"policies/secret.md\" is a policy"
                .to_string(),
        ],
    );
}

#[cfg(unix)]
#[test]
fn an_evidence_file_linked_to_a_source_file_is_seen_through() {
    let dir = site(&[
        ("policies/p.md", PUBLIC_POLICY),
        ("policies/secret.md", INTERNAL_POLICY),
        (
            "evidence/e.yaml",
            "- id: EV-1\n  title: A\n  classification: public\n  file: evidence/files/by-link.md\n- id: EV-2\n  title: B\n  classification: public\n  file: evidence/files/hard.md\n",
        ),
    ]);
    std::fs::create_dir_all(dir.path().join("evidence/files")).expect("mkdir");
    std::os::unix::fs::symlink(
        "../../policies/secret.md",
        dir.path().join("evidence/files/by-link.md"),
    )
    .expect("symlink");
    std::fs::hard_link(
        dir.path().join("policies/secret.md"),
        dir.path().join("evidence/files/hard.md"),
    )
    .expect("hard link");
    let (code, diags) = check(dir.path());
    assert_eq!(code, 1, "{diags:#?}");
    assert_eq!(
        at(&diags, "evidence-source-file"),
        ["evidence/e.yaml:4:9", "evidence/e.yaml:8:9"],
        "{diags:#?}"
    );
    assert!(
        messages(&diags, "evidence-source-file")[0]
            .contains("is the same file as policies/secret.md, a policy"),
        "{diags:#?}"
    );
    build_fails_with(dir.path(), &[]);
}

#[test]
fn a_file_shared_with_a_more_restricted_item_is_an_error() {
    let register = "\
- id: EV-PUB
  title: A
  classification: public
  file: evidence/files/audit.pdf
- id: EV-INT
  title: B
  classification: internal
  file: evidence/files/audit.pdf
- id: EV-CUS
  title: C
  classification: customer
  file: ./evidence/files//audit.pdf
- id: EV-CUS2
  title: D
  classification: customer
  file: evidence/files/shared.pdf
- id: EV-CUS3
  title: E
  classification: customer
  file: evidence/files/shared.pdf
";
    let dir = site(&[
        ("evidence/register.yaml", register),
        ("evidence/files/audit.pdf", "canaryint-audit"),
        ("evidence/files/shared.pdf", "same class, no error"),
    ]);
    let (code, diags) = check(dir.path());
    assert_eq!(code, 1, "{diags:#?}");
    assert_eq!(
        at(&diags, "evidence-file-shared"),
        ["evidence/register.yaml:4:9", "evidence/register.yaml:12:9"],
        "{diags:#?}"
    );
    assert_eq!(
        messages(&diags, "evidence-file-shared")[0],
        "evidence file \"evidence/files/audit.pdf\" is also the file of evidence item \"EV-INT\", which is internal: this public item would publish it to public readers; classify both alike or attach a separate file"
    );
    build_fails_with(dir.path(), &[]);
}

// ---- point 10: only regular files are read ---------------------------------------------------

/// Makes a named pipe, or says the test is skipped where `mkfifo` is missing.
fn mkfifo(path: &Path) -> bool {
    match Command::new("mkfifo").arg(path).status() {
        Ok(s) if s.success() => true,
        Ok(s) => panic!("mkfifo {} failed: {s}", path.display()),
        Err(e) => {
            eprintln!("skipped: mkfifo is not available ({e})");
            false
        }
    }
}

#[test]
fn a_named_pipe_as_evidence_file_is_an_error_not_a_hang() {
    let dir = site(&[
        ("policies/p.md", PUBLIC_POLICY),
        (
            // Internal: even an item the public build does not show must not hang it.
            "evidence/e.yaml",
            "- id: EV-1\n  title: A\n  file: evidence/files/pipe\n- id: EV-2\n  title: B\n  classification: public\n  file: evidence/files/link\n",
        ),
    ]);
    std::fs::create_dir_all(dir.path().join("evidence/files")).expect("mkdir");
    if !mkfifo(&dir.path().join("evidence/files/pipe")) {
        return;
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink("pipe", dir.path().join("evidence/files/link")).expect("symlink");
    // Pipes in content folders are not files to read either.
    std::fs::create_dir_all(dir.path().join("static")).expect("mkdir");
    assert!(mkfifo(&dir.path().join("static/pipe.css")));
    assert!(mkfifo(&dir.path().join("policies/pipe.md")));

    let (code, diags) = check(dir.path());
    assert_eq!(code, 1, "{diags:#?}");
    let mut expected = vec!["evidence/e.yaml:3:9"];
    if cfg!(unix) {
        expected.push("evidence/e.yaml:7:9");
    }
    assert_eq!(at(&diags, "io"), expected, "{diags:#?}");
    let msg = "evidence file \"evidence/files/pipe\" cannot be read: it is not a regular file (it is a named pipe, socket or device): trustpress reads only regular files";
    assert_eq!(messages(&diags, "io")[0], msg);
    build_fails_with(dir.path(), &[format!("evidence/e.yaml:3:9: error: {msg}")]);
}

#[test]
fn a_named_pipe_as_site_yaml_or_scope_is_an_error_not_a_hang() {
    for top in ["site.yaml", "scope.md"] {
        let dir = site(&[("policies/p.md", PUBLIC_POLICY)]);
        std::fs::remove_file(dir.path().join(top)).expect("rm");
        if !mkfifo(&dir.path().join(top)) {
            return;
        }
        let (code, diags) = check(dir.path());
        assert_eq!(code, 1, "{diags:#?}");
        assert_eq!(at(&diags, "io"), [format!("{top}:1:1")], "{diags:#?}");
        assert!(
            messages(&diags, "io")[0].contains("not a regular file"),
            "{diags:#?}"
        );
        build_fails_with(dir.path(), &[format!("{top}:1:1: error: cannot read: ")]);
    }
}

// ---- point 12: ids and file names too long for the file system -------------------------------

#[test]
fn an_id_too_long_for_a_page_address_is_an_error_at_the_id() {
    let long = "a".repeat(300);
    let stem = "b".repeat(201);
    let register = format!("- id: R-1\n  title: Fine\n- id: {long}\n  title: Long\n");
    let dir = site(&[
        ("risks/r.yaml", register.as_str()),
        (&format!("policies/{stem}.md"), PUBLIC_POLICY),
        // 200 characters is still fine.
        (&format!("policies/{}.md", "c".repeat(200)), PUBLIC_POLICY),
    ]);
    let (code, diags) = check(dir.path());
    assert_eq!(code, 1, "{diags:#?}");
    assert_eq!(
        at(&diags, "invalid-id"),
        [format!("policies/{stem}.md:1:1"), "risks/r.yaml:3:7".into()],
        "{diags:#?}"
    );
    assert_eq!(
        messages(&diags, "invalid-id")[1],
        format!(
            "id \"{}…\" makes a page address of 300 characters, longer than the 200 a build can write: shorten the id",
            "a".repeat(40)
        )
    );
    build_fails_with(
        dir.path(),
        &["risks/r.yaml:3:7: error: id \"aaaa".to_string()],
    );
}

#[test]
fn an_evidence_file_name_too_long_or_named_like_the_page_is_an_error() {
    let long = format!("evidence/files/{}.pdf", "x".repeat(252));
    let register = format!(
        "- id: EV-1\n  title: A\n  classification: public\n  file: {long}\n- id: EV-2\n  title: B\n  classification: public\n  file: evidence/files/index.html\n- id: EV-3\n  title: C\n  classification: public\n  file: evidence/files/up/INDEX.HTML\n"
    );
    let dir = site(&[
        ("evidence/e.yaml", register.as_str()),
        ("evidence/files/index.html", "<p>page</p>"),
        ("evidence/files/up/INDEX.HTML", "<p>page</p>"),
    ]);
    let (code, diags) = check(dir.path());
    assert_eq!(code, 1, "{diags:#?}");
    assert_eq!(
        at(&diags, "evidence-file-name"),
        [
            "evidence/e.yaml:4:9",
            "evidence/e.yaml:8:9",
            "evidence/e.yaml:12:9"
        ],
        "{diags:#?}"
    );
    let msgs = messages(&diags, "evidence-file-name");
    assert!(
        msgs[0].ends_with(
            "has a file name of 256 bytes, longer than the 255 a build can write: rename the file"
        ),
        "{msgs:?}"
    );
    assert_eq!(
        msgs[1],
        "evidence file \"evidence/files/index.html\" is named index.html, the name of the evidence item's own page, so it could not be published: rename the file"
    );
    build_fails_with(dir.path(), &[]);
}

// ---- point 14: links to evidence files work whatever the file name --------------------------

/// Decodes `%XX` escapes (the test's own decoder, independent of the one under test).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn evidence_file_links_resolve_to_the_written_files() {
    let names = [
        "report#1.pdf",
        "a b.pdf",
        "100%.txt",
        "q?x=1.txt",
        "é:1.txt",
    ];
    let mut register = String::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        register.push_str(&format!(
            "- id: EV-{i}\n  title: T{i}\n  classification: public\n  file: \"evidence/files/{name}\"\n"
        ));
        files.push((format!("evidence/files/{name}"), format!("content {i}")));
    }
    let mut all: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    all.push(("evidence/register.yaml", &register));
    let dir = site(&all);
    let out = tempfile::tempdir().expect("temp");
    // (Customers: the public edition has no evidence section by default.)
    let tree: Tree = build_ok(dir.path(), "customer", &out.path().join("site"));
    for (i, name) in names.iter().enumerate() {
        let page = format!("evidence/ev-{i}/index.html");
        let html = tree.text(&page);
        // The download link: `<a href="…" download>`.
        let hrefs: Vec<String> = html
            .split("<a ")
            .filter(|a| {
                a.split('>')
                    .next()
                    .is_some_and(|t| t.ends_with(" download"))
            })
            .flat_map(|a| links(&format!("<a {a}")).into_iter().take(1))
            .collect();
        assert_eq!(hrefs.len(), 1, "{page}: {hrefs:?}");
        let href = &hrefs[0];
        assert!(
            !href.contains(['#', '?', ' ', ':']),
            "{page}: {href} is not encoded"
        );
        // Resolved as a browser does, then decoded to the file's path.
        let target = percent_decode(&resolve_link(&page, href).expect("an internal link"));
        assert_eq!(target, format!("evidence/ev-{i}/{name}"), "{page}: {href}");
        assert_eq!(tree.text(&target), format!("content {i}"));
    }
}

/// File extensions are compared without regard to case: `Upper.MD` is a policy and
/// `register.YAML` a register, not silently ignored files.
#[test]
fn extensions_in_any_case_are_read() {
    let risk = "- id: upper-risk\n  title: Upper risk\n  owner: O\n  likelihood: 2\n  impact: 3\n  treatment: mitigate\n  classification: public\n";
    let dir = site(&[
        ("policies/Upper.MD", PUBLIC_POLICY),
        ("risks/register.YAML", risk),
    ]);
    let out = tempfile::tempdir().unwrap();
    // (Customers: the public edition has no risk register by default.)
    let tree = build_ok(dir.path(), "customer", &out.path().join("o"));
    assert!(
        tree.has("policies/upper/index.html"),
        "Upper.MD is a policy"
    );
    assert!(
        tree.has("risks/upper-risk/index.html"),
        "register.YAML is read"
    );
}

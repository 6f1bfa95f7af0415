//! The authoring commands: `new`, `init --controls`, `init`'s .gitignore and `theme export`,
//! each on a real site with the real binary.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::sites::{check_json, site};
use crate::common::{TODAY, bin};

/// 2026-11-30 (`TODAY`) as SOURCE_DATE_EPOCH, so the dates `new` writes are the checks' today.
const TODAY_EPOCH: &str = "1795996800";

fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .env("SOURCE_DATE_EPOCH", TODAY_EPOCH)
        .output()
        .expect("run trustpress")
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(args: &[&str]) -> String {
    let out = run(args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn errors(site: &Path) -> Vec<String> {
    let (_, diags) = check_json(site, &[]);
    diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d.to_string())
        .collect()
}

fn init_site(tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("isms");
    ok(&["init", dir.to_str().expect("utf-8")]);
    dir
}

#[test]
fn new_of_each_kind_on_a_fresh_site_passes_check() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = init_site(tmp.path());
    let s = dir.to_str().expect("utf-8");
    let out = ok(&[
        "new",
        "policy",
        "access-control",
        "--title",
        "Access Control: \"who\" gets what",
        "--classification",
        "customer",
        "--site",
        s,
    ]);
    assert!(
        out.contains("created") && out.contains("access-control.md"),
        "{out}"
    );
    assert!(
        out.contains("title: \"Access Control: \\\"who\\\" gets what\""),
        "{out}"
    );
    for (kind, id) in [
        ("evidence", "EV-001"),
        ("risk", "R-001"),
        ("finding", "F-2026-01"),
        ("supplier", "acme-mail"),
    ] {
        let out = ok(&["new", kind, id, "--site", s]);
        assert!(out.contains("register.yaml") && out.contains(id), "{out}");
    }
    // A second entry is appended to the same register.
    ok(&[
        "new",
        "evidence",
        "EV-002",
        "--site",
        s,
        "--classification",
        "public",
    ]);
    assert!(dir.join("policies/access-control.md").is_file());
    for register in [
        "evidence/register.yaml",
        "risks/register.yaml",
        "findings/register.yaml",
        "suppliers/register.yaml",
    ] {
        assert!(dir.join(register).is_file(), "{register}");
    }
    assert_eq!(errors(&dir), Vec::<String>::new());

    // What was written is what the site now holds.
    let today = trustpress::model::Date::parse(TODAY).unwrap();
    assert!(trustpress::session::load_site(&dir, today).is_ok());
    let policy = fs::read_to_string(dir.join("policies/access-control.md")).unwrap();
    assert!(policy.contains("classification: customer"), "{policy}");
    let evidence = fs::read_to_string(dir.join("evidence/register.yaml")).unwrap();
    assert!(evidence.contains("id: \"EV-001\"") && evidence.contains("id: \"EV-002\""));
    assert!(
        evidence.contains(&format!("collected: {TODAY}")),
        "{evidence}"
    );
}

#[test]
fn new_refuses_an_existing_id_and_keeps_the_register() {
    let register =
        "# Our risks, reviewed quarterly\n- id: R-001 # the big one\n  title: Loss of a laptop\n";
    let dir = site(&[("risks/register.yaml", register)]);
    let s = dir.path().to_str().expect("utf-8");
    let err = refused(&["new", "risk", "R-001", "--site", s]);
    assert!(
        err.contains("a risk with id \"R-001\" already exists"),
        "{err}"
    );
    // Same page address, other spelling.
    let err = refused(&["new", "risk", "r-001", "--site", s]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.path().join("risks/register.yaml")).unwrap(),
        register
    );
    ok(&["new", "risk", "R-002", "--site", s]);
    let text = fs::read_to_string(dir.path().join("risks/register.yaml")).unwrap();
    assert!(text.starts_with(register), "{text}");
    assert!(text.contains("- id: \"R-002\""), "{text}");

    // A policy whose id the site has, whatever its file is called.
    fs::create_dir_all(dir.path().join("policies/sub")).unwrap();
    fs::write(
        dir.path().join("policies/sub/x.md"),
        "---\nid: backup\ntitle: B\nowner: O\nversion: \"1\"\n---\nText.\n",
    )
    .unwrap();
    let err = refused(&["new", "policy", "backup", "--site", s]);
    assert!(
        err.contains("a policy with id \"backup\" already exists"),
        "{err}"
    );
    assert!(!dir.path().join("policies/backup.md").exists());
    // Ids that are not file names, classifications that do not exist, folders that are not sites.
    assert!(refused(&["new", "policy", "a/b", "--site", s]).contains("expected only letters"));
    assert!(
        refused(&[
            "new",
            "policy",
            "p",
            "--classification",
            "secret",
            "--site",
            s
        ])
        .contains("--classification")
    );
    let empty = tempfile::tempdir().unwrap();
    assert!(
        refused(&[
            "new",
            "policy",
            "p",
            "--site",
            empty.path().to_str().unwrap()
        ])
        .contains("not a trustpress site")
    );
    assert_eq!(errors(dir.path()), Vec::<String>::new());
}

#[test]
fn new_picks_the_only_register_or_asks() {
    let dir = site(&[
        ("findings/2026-audit.yaml", "- id: F-1\n  title: One\n"),
        ("suppliers/a.yaml", ""),
        ("suppliers/b.yaml", ""),
    ]);
    let s = dir.path().to_str().expect("utf-8");
    let out = ok(&["new", "finding", "F-2", "--site", s]);
    assert!(out.contains("2026-audit.yaml"), "{out}");
    let err = refused(&["new", "supplier", "x", "--site", s]);
    assert!(err.contains("--file"), "{err}");
    ok(&[
        "new",
        "supplier",
        "x",
        "--site",
        s,
        "--file",
        "suppliers/b.yaml",
    ]);
    assert!(
        fs::read_to_string(dir.path().join("suppliers/b.yaml"))
            .unwrap()
            .contains("name: \"X\"")
    );
    assert_eq!(errors(dir.path()), Vec::<String>::new());
}

#[test]
fn new_help_has_examples() {
    let help = ok(&["new", "--help"]);
    assert!(
        help.contains("Examples:") && help.contains("trustpress new policy"),
        "{help}"
    );
}

#[test]
fn init_writes_a_gitignore_for_the_default_output() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = init_site(tmp.path());
    let ignore = fs::read_to_string(dir.join(".gitignore")).expect(".gitignore");
    assert!(ignore.lines().any(|l| l == "_site/"), "{ignore}");
}

#[test]
fn init_controls_adds_the_annex_to_an_existing_site_only() {
    let dir = site(&[(
        "controls/mine.yaml",
        "- control: A.5.1\n  applicable: true\n  status: implemented\n",
    )]);
    let s = dir.path().to_str().expect("utf-8");
    let before: Vec<(String, Vec<u8>)> = files(dir.path());
    let out = ok(&["init", "--controls", s]);
    assert!(out.contains("92 controls"), "{out}");
    let annex = fs::read_to_string(dir.path().join("controls/annex-a.yaml")).unwrap();
    assert_eq!(annex.matches("- control: ").count(), 92);
    assert!(
        !annex.contains("control: A.5.1 "),
        "A.5.1 is mapped already"
    );
    // Nothing else changed.
    let after: Vec<(String, Vec<u8>)> = files(dir.path())
        .into_iter()
        .filter(|(p, _)| p != "controls/annex-a.yaml")
        .collect();
    assert_eq!(before, after);
    assert_eq!(errors(dir.path()), Vec::<String>::new());
    // Twice: refused, the file unchanged.
    let err = refused(&["init", "--controls", s]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.path().join("controls/annex-a.yaml")).unwrap(),
        annex
    );
    // Not a site.
    let empty = tempfile::tempdir().unwrap();
    assert!(
        refused(&["init", "--controls", empty.path().to_str().unwrap()])
            .contains("not a trustpress site")
    );
    assert!(!empty.path().join("controls").exists());
}

#[test]
fn init_controls_on_a_bare_site_writes_all_93() {
    let dir = site(&[]);
    ok(&["init", "--controls", dir.path().to_str().unwrap()]);
    let annex = fs::read_to_string(dir.path().join("controls/annex-a.yaml")).unwrap();
    assert_eq!(annex.matches("- control: ").count(), 93);
    assert_eq!(errors(dir.path()), Vec::<String>::new());
}

#[test]
fn theme_export_writes_every_template_and_asset() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out_dir = tmp.path().join("theme");
    let out = ok(&["theme", "export", out_dir.to_str().unwrap()]);
    for (name, text) in trustpress::render::theme::TEMPLATES {
        let written = fs::read_to_string(out_dir.join("templates").join(name)).expect(name);
        assert_eq!(&written, text, "{name}");
        assert!(out.contains(name));
    }
    for (name, text) in trustpress::render::theme::ASSETS {
        let written = fs::read_to_string(out_dir.join("assets").join(name)).expect(name);
        assert_eq!(&written, text, "{name}");
    }
    // An exported template dropped into a site is a valid override.
    let dir = site(&[]);
    fs::create_dir_all(dir.path().join("templates")).unwrap();
    fs::copy(
        out_dir.join("templates/policy.html"),
        dir.path().join("templates/policy.html"),
    )
    .unwrap();
    let (_, diags) = check_json(dir.path(), &[]);
    assert!(
        diags
            .iter()
            .all(|d| d["rule"] != "unknown-template" && d["rule"] != "template"),
        "{diags:?}"
    );
    // A folder with anything in it is refused and left alone.
    let err = refused(&["theme", "export", out_dir.to_str().unwrap()]);
    assert!(err.contains("not empty"), "{err}");
}

fn files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

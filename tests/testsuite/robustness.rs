//! No input makes trustpress panic; a failed build never harms the previous output; an
//! `--out` that could hold anything else is refused; builds are reproducible.
//!
//! Property tests use a modest number of cases so `cargo test` stays fast. For a longer run:
//! `PROPTEST_CASES=5000 cargo test --test robustness`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use trustpress::diagnostic::Severity;
use trustpress::source::{self, frontmatter};
use trustpress::yaml;

const SITE_YAML: &str = "title: T\nbase_url: https://example.test/\norganisation:\n  name: Org\n";
const SCOPE_MD: &str = "---\ntitle: Scope\n---\n# Scope\n";
const POLICY: &str = "---\ntitle: Access\nowner: CISO\nversion: \"1.0\"\nstatus: approved\napproved: 2026-01-01\ncontrols: [A.5.15]\n---\n# Access\n\nSee [scope](../scope.md).\n";
const RISKS: &str = "- id: R-1\n  title: Data loss\n  likelihood: 2\n  impact: 4\n  controls: [A.8.13]\n  notes: |\n    Backups, see [access](policy:access).\n";

fn write(root: &Path, path: &str, bytes: &[u8]) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

/// A valid small site with `policies/access.md` and `risks/r.yaml` replaced by the given bytes.
fn site_with(policy: &[u8], risks: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "site.yaml", SITE_YAML.as_bytes());
    write(dir.path(), "scope.md", SCOPE_MD.as_bytes());
    write(dir.path(), "policies/access.md", policy);
    write(dir.path(), "risks/r.yaml", risks);
    dir
}

/// Loads a site: whatever the bytes, loading returns, and a file that did not become an item
/// has an error pointing at it.
fn load_never_panics(policy: &[u8], risks: &[u8]) {
    let dir = site_with(policy, risks);
    let (src, diags) = source::load(dir.path());
    let errors_at = |path: &str| {
        diags
            .iter()
            .any(|d| d.severity == Severity::Error && d.pos.path == path)
    };
    if src.policies.is_empty() {
        assert!(
            errors_at("policies/access.md"),
            "no policy and no diagnostic for {:?}",
            String::from_utf8_lossy(policy)
        );
    }
    // Any error must come with a position inside a real line.
    for d in diags.iter() {
        assert!(d.pos.line >= 1 && d.pos.column >= 1, "{d:?}");
        assert!(!d.message.is_empty() && !d.message.ends_with('.'), "{d:?}");
    }
    // Linking and the checks run over whatever loaded.
    let _ = trustpress::session::load_site(
        dir.path(),
        trustpress::model::Date::parse("2026-11-30").expect("date"),
    );
}

/// 48 cases by default (fast enough for `cargo test`); `PROPTEST_CASES` asks for more.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

/// Pieces that YAML and front matter are made of, to build inputs more likely to reach deep
/// parser states than uniform random bytes do.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"---\n".to_vec()),
        Just(b"---\r\n".to_vec()),
        Just(b"...\n".to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        Just(b"title: x\n".to_vec()),
        Just(b"owner: y\r\n".to_vec()),
        Just(b"version: \"1\n".to_vec()),
        Just(b"status: aproved\n".to_vec()),
        Just(b"controls: [A.5.1, A.5.99\n".to_vec()),
        Just(b"- id: R-1\n".to_vec()),
        Just(b"  title: t\n".to_vec()),
        Just(b"  likelihood: 99\n".to_vec()),
        Just(b"  notes: |\n    see [x](policy:nope)\n".to_vec()),
        Just(b"&a [*a, *a]\n".to_vec()),
        Just(b"*b\n".to_vec()),
        Just(b"!!binary x\n".to_vec()),
        Just(b"{[{[{[\n".to_vec()),
        Just(b"'unterminated\n".to_vec()),
        Just(b"\t\t key:\n".to_vec()),
        Just(vec![0xff, 0xfe, 0x80]),
        Just(vec![0xc3]),
        Just(b"\0".to_vec()),
        prop::collection::vec(any::<u8>(), 0..16),
    ]
}

fn document() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(fragment(), 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn splitter_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(split) = frontmatter::split(&text) {
            prop_assert!(split.body_line >= 1);
        }
    }

    #[test]
    fn splitter_on_yaml_like_text(doc in document()) {
        let text = String::from_utf8_lossy(&doc);
        let _ = frontmatter::split(&text);
    }

    #[test]
    fn loaders_never_panic_on_random_bytes(
        policy in prop::collection::vec(any::<u8>(), 0..200),
        risks in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        load_never_panics(&policy, &risks);
    }

    #[test]
    fn loaders_never_panic_on_yaml_like_documents(policy in document(), risks in document()) {
        load_never_panics(&policy, &risks);
    }
}

#[test]
fn every_truncation_of_valid_files_ends_in_a_result() {
    for cut in 0..=POLICY.len() {
        load_never_panics(
            &POLICY.as_bytes()[..cut],
            &RISKS.as_bytes()[..cut.min(RISKS.len())],
        );
    }
}

#[test]
fn crlf_and_bom_parse_with_whole_file_positions() {
    let crlf = format!("\u{feff}{}", POLICY.replace('\n', "\r\n")).replace("A.5.15", "A.5.99");
    let dir = site_with(crlf.as_bytes(), RISKS.replace('\n', "\r\n").as_bytes());
    let (_, diags) = source::load(dir.path());
    let d = diags
        .iter()
        .find(|d| d.rule.id() == "unknown-control")
        .expect("unknown control reported");
    assert_eq!(
        (d.pos.path.as_str(), d.pos.line, d.pos.column),
        ("policies/access.md", 7, 12)
    );
}

/// Loading `policy` must end quickly in an error diagnostic at the policy file.
fn rejects_quickly(policy: &[u8]) {
    let start = Instant::now();
    let dir = site_with(policy, RISKS.as_bytes());
    let (src, diags) = source::load(dir.path());
    assert!(src.policies.is_empty());
    assert!(
        diags
            .iter()
            .any(|d| d.severity == Severity::Error && d.pos.path == "policies/access.md"),
        "{diags:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn exponential_aliases_are_refused() {
    // The "billion laughs": each level doubles ten times; fully expanded it is 10^9 strings.
    let mut yaml = String::from(
        "---\na0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..=9 {
        let p = i - 1;
        yaml.push_str(&format!(
            "a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
        ));
    }
    yaml.push_str("title: *a9\n---\nbody\n");
    rejects_quickly(yaml.as_bytes());
    // The policy shape rejects it early; the YAML layer itself must refuse it too, whatever
    // the target type (an untyped value would otherwise expand all of it).
    let start = Instant::now();
    let inner = yaml
        .trim_start_matches("---\n")
        .trim_end_matches("---\nbody\n");
    let err = yaml::parse::<serde_json::Value>(inner, "policies/x.md", 1)
        .expect_err("the alias budget refuses the expansion");
    assert!(
        err.message
            .starts_with("the aliases (`*name`) in this file repeat values so often"),
        "{err}"
    );
    assert_eq!(err.pos.path, "policies/x.md");
    assert!(err.pos.line >= 2, "{err:?}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 100_000;
    let yaml = format!(
        "---\ntitle: {}{}\n---\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    rejects_quickly(yaml.as_bytes());
    let yaml = format!(
        "---\ntitle:\n{}\n---\n",
        (0..2000)
            .map(|i| format!("{}- ", " ".repeat(i % 80)))
            .collect::<String>()
    );
    rejects_quickly(yaml.as_bytes());
}

#[test]
fn huge_scalars_load() {
    let big = "x".repeat(4 << 20);
    let policy = POLICY.replace("title: Access", &format!("title: {big}"));
    let dir = site_with(policy.as_bytes(), RISKS.as_bytes());
    let (src, diags) = source::load(dir.path());
    assert!(!diags.has_errors(), "{:?}", diags.iter().next());
    assert_eq!(src.policies.first().map(|p| p.title.len()), Some(big.len()));
}

#[test]
fn invalid_utf8_is_a_diagnostic() {
    let mut bytes = POLICY.as_bytes().to_vec();
    bytes.insert(20, 0xff);
    let dir = site_with(&bytes, &[0xc3, 0x28]);
    let (_, diags) = source::load(dir.path());
    let rules: Vec<(&str, &str)> = diags
        .iter()
        .map(|d| (d.pos.path.as_str(), d.rule.id()))
        .collect();
    assert!(
        rules.contains(&("policies/access.md", "invalid-utf8")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("risks/r.yaml", "invalid-utf8")),
        "{rules:?}"
    );
}

// ---- the built output -------------------------------------------------------------------

fn trustpress(args: &[&str], epoch: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trustpress"));
    cmd.args(args).env_remove("SOURCE_DATE_EPOCH");
    if let Some(e) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", e);
    }
    cmd.output().expect("run trustpress")
}

fn build(site: &Path, out: &Path, today: Option<&str>, epoch: Option<&str>) -> Output {
    let (site, out) = (site.display().to_string(), out.display().to_string());
    let mut args = vec![
        "build",
        site.as_str(),
        "--audience",
        "internal",
        "--out",
        out.as_str(),
    ];
    if let Some(t) = today {
        args.extend(["--today", t]);
    }
    trustpress(&args, epoch)
}

/// Every file under `root` with its bytes.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).expect("under root").to_path_buf();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

/// A site, built once successfully into `out` (under `outdir`), and what the build wrote.
fn a_good_build() -> (
    tempfile::TempDir,
    tempfile::TempDir,
    PathBuf,
    BTreeMap<PathBuf, Vec<u8>>,
) {
    let site = site_with(POLICY.as_bytes(), RISKS.as_bytes());
    let outdir = tempfile::tempdir().expect("temp");
    let out = outdir.path().join("site");
    let ok = build(site.path(), &out, Some("2026-11-30"), None);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let before = tree(&out);
    (site, outdir, out, before)
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let (site, outdir, out, before) = a_good_build();
    assert!(before.len() > 10);

    write(
        site.path(),
        "risks/r.yaml",
        b"- id: R-1\n  title: Data loss\n  likelihood: 9\n",
    );
    let failed = build(site.path(), &out, Some("2026-11-30"), None);
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("risks/r.yaml:3:15: error:"));
    assert_eq!(
        tree(&out),
        before,
        "the previous output is byte-for-byte unchanged"
    );
    assert_eq!(
        leftovers(outdir.path()),
        ["site"],
        "no staging folders left behind"
    );
}

/// Pages are written into the staging folder as they are rendered: a page that fails to
/// render (after others were written) still leaves the previous output as it was, no staging
/// folder behind, and every distinct error reported.
#[test]
fn a_page_failing_mid_stream_leaves_previous_output_untouched() {
    let (site, outdir, out, before) = a_good_build();
    // Two templates that compile but fail when rendered; every other page renders.
    let broken = |field: &str| {
        format!(
            "{{% extends \"base.html\" %}}{{% block content %}}{{{{ {field}.x.y }}}}{{% endblock content %}}"
        )
    };
    write(
        site.path(),
        "templates/policy.html",
        broken("no_such_policy_field").as_bytes(),
    );
    write(
        site.path(),
        "templates/risk.html",
        broken("no_such_risk_field").as_bytes(),
    );
    let failed = build(site.path(), &out, Some("2026-11-30"), None);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    for template in ["policy.html", "risk.html"] {
        assert!(stderr.contains(template), "{template} reported: {stderr}");
    }
    assert_eq!(
        tree(&out),
        before,
        "the previous output is byte-for-byte unchanged"
    );
    assert_eq!(
        leftovers(outdir.path()),
        ["site"],
        "no staging folders left behind"
    );
}

#[test]
fn out_refuses_the_site_its_parents_and_foreign_folders() {
    let parent = tempfile::tempdir().expect("temp");
    let site = parent.path().join("isms");
    std::fs::create_dir_all(&site).expect("mkdir");
    write(&site, "site.yaml", SITE_YAML.as_bytes());
    write(&site, "scope.md", SCOPE_MD.as_bytes());
    write(&site, "policies/access.md", POLICY.as_bytes());
    let foreign = parent.path().join("documents");
    write(&foreign, "thesis.txt", b"keep me");
    // The parent once held an output (it has the marker), so only the guard stands between
    // `--out SITE/..` and the site.
    write(parent.path(), ".trustpress-output", b"");
    let before_site = tree(&site);
    for (out, what) in [
        (site.clone(), "the site folder"),
        (parent.path().to_path_buf(), "a parent of the site"),
        (site.join(".."), "a parent of the site spelled SITE/.."),
        (
            site.join("policies/../.."),
            "a parent of the site spelled SITE/policies/../..",
        ),
        (foreign.clone(), "a folder with foreign content"),
    ] {
        let result = build(&site, &out, Some("2026-11-30"), None);
        assert_ne!(
            result.status.code(),
            Some(0),
            "--out {what} must be refused"
        );
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains("error:"), "{what}: {stderr}");
        let mut top: Vec<String> = std::fs::read_dir(&site)
            .expect("read site")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        top.sort();
        assert_eq!(
            top,
            ["policies", "scope.md", "site.yaml"],
            "{what}: no staging folder inside the site"
        );
        assert_eq!(tree(&site), before_site, "{what}: the site is untouched");
        assert_eq!(
            std::fs::read(foreign.join("thesis.txt")).expect("still there"),
            b"keep me"
        );
    }
}

#[test]
fn builds_are_reproducible() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site");
    let outdir = tempfile::tempdir().expect("temp");
    let outs: Vec<PathBuf> = (0..4)
        .map(|i| outdir.path().join(format!("out{i}")))
        .collect();
    // 2026-11-30 00:00:00 UTC
    let epoch = "1795996800";
    for (i, out) in outs.iter().enumerate() {
        let result = if i < 2 {
            build(&example, out, Some("2026-11-30"), None)
        } else {
            build(&example, out, None, Some(epoch))
        };
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
    let first = tree(&outs[0]);
    assert!(first.len() > 100);
    for out in &outs[1..] {
        let other = tree(out);
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>(),
            "same files"
        );
        for (path, bytes) in &first {
            assert!(
                other.get(path) == Some(bytes),
                "{} differs in {}",
                path.display(),
                out.display()
            );
        }
    }
}

// ---- interrupted and concurrent builds --------------------------------------------------

/// A generated site with a few thousand static files: cheap to render, but its output takes a
/// while to write and to remove, so a kill can land in the swap.
fn many_files_site(root: &Path) -> PathBuf {
    let site = root.join("isms");
    crate::gen_site::generate(20, &site).expect("generate site");
    for d in 0..25 {
        for f in 0..100 {
            write(
                &site,
                &format!("static/bulk/d{d:02}/f{f:03}.txt"),
                format!("file {d}/{f}\n").as_bytes(),
            );
        }
    }
    site
}

fn build_ok(site: &Path, out: &Path) {
    let result = build(site, out, Some("2026-11-30"), None);
    assert!(
        result.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// What is beside the output in `dir`, but for the lock file that stays there.
fn leftovers(dir: &Path) -> Vec<String> {
    let mut n = names(dir);
    n.retain(|n| n != ".site.lock");
    n
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn leftovers_of_an_interrupted_build_do_not_break_the_next() {
    let site = site_with(POLICY.as_bytes(), RISKS.as_bytes());
    let outdir = tempfile::tempdir().expect("temp");
    let out = outdir.path().join("site");
    build_ok(site.path(), &out);
    let good = tree(&out);
    // What a build killed while removing the previous output leaves (today's fixed name and
    // the unique one), and a killed build's staging folder.
    for (folder, marker) in [
        (".site.old", true),
        (".site.old-AbC123", true),
        (".site.tmp-XyZ789", false),
    ] {
        write(
            &outdir.path().join(folder),
            "policies/access/index.html",
            b"stale",
        );
        if marker {
            write(&outdir.path().join(folder), ".trustpress-output", b"");
        }
    }
    build_ok(site.path(), &out);
    assert_eq!(leftovers(outdir.path()), ["site"]);
    assert_eq!(tree(&out), good);
}

#[test]
fn a_build_killed_at_any_moment_leaves_nothing_that_breaks_the_next() {
    let dir = tempfile::tempdir().expect("temp");
    let site = many_files_site(dir.path());
    let outdir = dir.path().join("out");
    let out = outdir.join("site");
    build_ok(&site, &out);
    let good = tree(&out);
    assert!(good.len() > 2500);

    /// When to kill: after a delay, or as soon as a folder with this prefix appears beside
    /// the output (the staging folder being written, the previous output moved aside).
    enum Moment {
        After(Duration),
        Seen(&'static str),
    }
    let moments = [
        Moment::After(Duration::from_millis(200)),
        Moment::Seen(".site.tmp-"),
        Moment::Seen(".site.old"),
        Moment::Seen(".site.old"),
    ];
    let mut killed_in_swap = 0;
    for moment in &moments {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trustpress"))
            .args(["build"])
            .arg(&site)
            .args(["--audience", "internal", "--today", "2026-11-30", "--out"])
            .arg(&out)
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start build");
        let start = Instant::now();
        loop {
            if child.try_wait().expect("poll build").is_some() {
                break;
            }
            let due = match moment {
                Moment::After(d) => start.elapsed() >= *d,
                Moment::Seen(prefix) => names(&outdir).iter().any(|n| n.starts_with(prefix)),
            };
            if due {
                // SIGKILL: no destructor, no handler runs, as with a power cut.
                child.kill().expect("kill build");
                if matches!(moment, Moment::Seen(".site.old")) {
                    killed_in_swap += 1;
                }
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(120), "build hangs");
        }
        let _ = child.wait();
        build_ok(&site, &out);
        assert_eq!(leftovers(&outdir), ["site"], "no leftovers");
        assert_eq!(tree(&out), good, "the complete site");
    }
    assert!(killed_in_swap > 0, "no kill landed in the swap");
}

#[test]
fn concurrent_builds_of_one_output_all_succeed() {
    let dir = tempfile::tempdir().expect("temp");
    let site = many_files_site(dir.path());
    let reference = dir.path().join("reference");
    build_ok(&site, &reference);
    let outdir = dir.path().join("out");
    let out = outdir.join("site");
    let results: Vec<Output> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| build(&site, &out, Some("2026-11-30"), None)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("build thread"))
            .collect()
    });
    for r in &results {
        assert!(
            r.status.success(),
            "a concurrent build failed: {}",
            String::from_utf8_lossy(&r.stderr)
        );
    }
    assert_eq!(leftovers(&outdir), ["site"], "no leftovers");
    assert_eq!(tree(&out), tree(&reference), "a complete site");
}

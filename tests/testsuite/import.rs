//! `trustpress import`: small fixtures in each tool's real layout (tests/fixtures/import-*)
//! become sites that `check` passes with zero errors, links rewritten to `policy:` links.

use std::fs;
use std::path::Path;

use crate::common::fixture;
use crate::common::sites::{check_json, trustpress};

/// Imports fixture `import-TOOL` into a new folder; returns the folder and the report.
fn import(tool: &str) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("site");
    let src = fixture(&format!("import-{tool}"));
    let out = trustpress(&[
        "import",
        tool,
        src.to_str().expect("utf-8"),
        dest.to_str().expect("utf-8"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "import {tool} failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("check: 0 error(s)"), "{stdout}");
    let (_, diags) = check_json(&dest, &[]);
    let errors: Vec<_> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty(), "{errors:?}");
    (tmp, stdout)
}

fn policy(site: &Path, id: &str) -> String {
    fs::read_to_string(site.join("site/policies").join(format!("{id}.md")))
        .unwrap_or_else(|e| panic!("policies/{id}.md: {e}"))
}

#[test]
fn hugo_content_with_bundles_refs_and_toml() {
    let (tmp, report) = import("hugo");
    let site = tmp.path();
    assert!(report.contains("3 policies"), "{report}");
    assert!(
        report.contains("`weight` (2)") && report.contains("`params` (1)"),
        "{report}"
    );
    let access = policy(site, "access-control");
    assert!(
        access.contains("status: approved\napproved: 2025-02-10"),
        "{access}"
    );
    assert!(
        access.contains("summary: \"Who gets access to what.\""),
        "{access}"
    );
    // {{< ref "incident" >}} names a page bundle; /policies/backup/ a Hugo address.
    assert!(
        access.contains("[incident policy](policy:incident)"),
        "{access}"
    );
    assert!(
        access.contains("[backup policy](policy:backup)"),
        "{access}"
    );
    // TOML front matter; a Hugo address with its slug and an anchor; relref with path=.
    let backup = policy(site, "backup");
    assert!(backup.contains("title: \"Backup Policy\""), "{backup}");
    assert!(
        backup.contains("(policy:access-control#purpose)"),
        "{backup}"
    );
    assert!(backup.contains("[incidents](policy:incident)"), "{backup}");
    // A rooted link to a page that was not imported would be a broken link: kept as text,
    // with a note on how to keep it.
    assert!(backup.contains("Our\nprivacy policy lives"), "{backup}");
    assert!(
        report.contains("`/privacy-policy/`") && report.contains("redirects:"),
        "{report}"
    );
    // A bundle takes its folder's name; draft: true stays a draft.
    let incident = policy(site, "incident");
    assert!(incident.contains("status: draft"), "{incident}");
    assert!(!incident.contains("{{<"), "{incident}");
    let config = fs::read_to_string(site.join("site/site.yaml")).unwrap();
    assert!(config.contains("Example Org Security"), "{config}");
    assert!(site.join("site/scope.md").is_file() && site.join("site/.gitignore").is_file());
}

#[test]
fn mkdocs_nav_titles_and_relative_links() {
    let (tmp, report) = import("mkdocs");
    let site = tmp.path();
    assert!(report.contains("`hide` (1)"), "{report}");
    let aup = policy(site, "acceptable-use");
    // The nav's title wins; the page's own # heading is not repeated in the body.
    assert!(aup.contains("title: \"Acceptable use\""), "{aup}");
    assert!(!aup.contains("# Acceptable Use Policy"), "{aup}");
    assert!(
        aup.contains("[passwords](policy:passwords#length)"),
        "{aup}"
    );
    assert!(aup.contains("[handbook](policy:overview)"), "{aup}");
    // Without a nav title, the first heading.
    let passwords = policy(site, "passwords");
    assert!(
        passwords.contains("title: \"Password Standard\""),
        "{passwords}"
    );
    // A reference definition is rewritten; a link to a page that was not imported, or with an
    // unfilled placeholder, becomes its text (and a note), never a broken link.
    assert!(
        passwords.contains("[pm]: policy:overview#how-we-work"),
        "{passwords}"
    );
    assert!(
        passwords.contains("as in the\nincident guide or on the portal."),
        "{passwords}"
    );
    assert!(
        report.contains("`../incident.md` names no imported document"),
        "{report}"
    );
    let config = fs::read_to_string(site.join("site/site.yaml")).unwrap();
    assert!(config.contains("Example Handbook"), "{config}");
}

#[test]
fn comply_front_matter_controls_and_revisions() {
    let (tmp, report) = import("comply");
    let site = tmp.path();
    assert!(report.contains("4 TSC reference(s)"), "{report}");
    assert!(report.contains("`cron` (1)"), "{report}");
    let access = policy(site, "aotp");
    assert!(access.contains("title: \"Access Onboarding and Termination Policy\""));
    assert!(access.contains("controls: [A.5.15, A.5.18]"), "{access}");
    assert!(
        access.contains("| Feb 3 2020 | Leavers within one working day |"),
        "{access}"
    );
    assert!(access.contains("status: draft"));
    // Narratives and procedures too; README.md is not a document.
    assert!(policy(site, "san").contains("Security Architecture Narrative"));
    assert!(policy(site, "onboard").contains("title: \"Onboard New User\""));
    let n = fs::read_dir(site.join("site/policies")).unwrap().count();
    assert_eq!(n, 4);
}

#[test]
fn import_refuses_a_non_empty_destination() {
    let dest = tempfile::tempdir().unwrap();
    fs::write(dest.path().join("keep.txt"), "mine").unwrap();
    let src = fixture("import-comply");
    let out = trustpress(&[
        "import",
        "comply",
        src.to_str().unwrap(),
        dest.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert_eq!(fs::read_dir(dest.path()).unwrap().count(), 1);
}

/// Every imported fixture builds for every audience with no broken internal link: each
/// `href`/`src` of every page resolves to a file the build wrote.
#[test]
fn imported_sites_have_no_broken_link_in_any_edition() {
    for tool in ["hugo", "mkdocs", "comply"] {
        let (tmp, _) = import(tool);
        for audience in ["public", "customer", "internal"] {
            let out = tmp.path().join(format!("out-{audience}"));
            let tree = crate::common::build_ok(&tmp.path().join("site"), audience, &out);
            let mut checked = 0;
            for (path, bytes) in &tree.files {
                if !path.ends_with(".html") {
                    continue;
                }
                for link in crate::common::links(&String::from_utf8_lossy(bytes)) {
                    if let Some(target) = crate::common::resolve_link(path, &link) {
                        assert!(
                            tree.has(&target),
                            "{tool} {audience}: {path} links to {link}, which was not written"
                        );
                        checked += 1;
                    }
                }
            }
            assert!(
                checked > 100,
                "{tool} {audience}: only {checked} links checked"
            );
        }
    }
}

//! Links as people write them when they bring policies in from another tool: rooted paths
//! (`/img/x.svg`, `/security-policies/x/`), old addresses mapped in `redirects:`, images and
//! files beside a policy in its folder, evidence files linked by their source path, page
//! bundles (`x/index.md`), and the suggestions a broken link gets.

use crate::common::sites::{check_json, write};
use crate::common::{Tree, build_ok, links};
use serde_json::Value;
use std::path::Path;

const SITE_YAML: &str = "title: T\nbase_url: https://trust.example/security/\norganisation: {name: Org}\nredirects:\n  /security-policies/access/: policy:access-control\n  /security-policies/secret/: policy:canaryint-secret\n";

fn policy(id: Option<&str>, title: &str, class: &str, body: &str) -> String {
    let id = id.map(|i| format!("id: {i}\n")).unwrap_or_default();
    format!(
        "---\n{id}title: {title}\nowner: CISO\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: {class}\n---\n{body}"
    )
}

/// A site with a public policy bundle (with a diagram), an internal one (with a canary
/// attachment), a static image and an evidence file, linked in the ways people write.
fn migration_site(root: &Path, public_body: &str) {
    write(root, "site.yaml", SITE_YAML.as_bytes());
    write(root, "scope.md", b"---\ntitle: Scope\n---\nAll.\n");
    write(root, "static/img/logo.svg", b"<svg/>");
    write(
        root,
        "policies/access-control/index.md",
        policy(None, "Access", "public", public_body).as_bytes(),
    );
    write(
        root,
        "policies/access-control/diagram.svg",
        b"<svg>diagram</svg>",
    );
    write(root, "policies/access-control/img/flow.png", b"png");
    write(root, "policies/access-control/flow #2.svg", b"<svg/>");
    write(
        root,
        "policies/canaryint-secret/index.md",
        policy(
            None,
            "Secret",
            "internal",
            "![plan](canaryint-attach-plan.svg)\n",
        )
        .as_bytes(),
    );
    write(
        root,
        "policies/canaryint-secret/canaryint-attach-plan.svg",
        b"<svg>canaryint-attach-content</svg>",
    );
    write(
        root,
        "evidence/register.yaml",
        b"- id: shot\n  title: Screenshot\n  kind: screenshot\n  collected: 2026-01-01\n  file: evidence/files/shot.png\n  classification: public\n",
    );
    write(root, "evidence/files/shot.png", b"shot-bytes");
}

const PUBLIC_BODY: &str = "\
![diagram](diagram.svg) and ![flow](./img/flow.png)
[logo](/img/logo.svg), [logo under the base](/security/img/logo.svg)
[matrix](/traceability/), [home](/)
[old address](/security-policies/access/), [old secret address](/security-policies/secret/)
[secret plan](../canaryint-secret/canaryint-attach-plan.svg)
![evidence](../../evidence/files/shot.png)
[the diagram by address](/policies/access-control/diagram.svg)
[careers](https://trust.example/careers)
![second flow](flow%20%232.svg)
";

fn errors(diags: &[Value]) -> Vec<(String, u64, String)> {
    diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                format!("{}:{}", d["path"].as_str().unwrap_or(""), d["line"]),
                d["column"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn rooted_links_and_folder_files_become_relative_urls() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    migration_site(&site, PUBLIC_BODY);
    // (Customers: the public edition has neither traceability nor evidence by default.)
    let tree = build_ok(&site, "customer", &dir.path().join("out"));
    let page = tree.text("policies/access-control/index.html");
    let hrefs = links(&page);
    for expected in [
        "../../policies/access-control/diagram.svg",
        "../../policies/access-control/img/flow.png",
        "../../img/logo.svg",
        "../../traceability/",
        "../../",
        "../../policies/access-control/",
        "../../evidence/shot/shot.png",
        "https://trust.example/careers",
        "../../policies/access-control/flow%20%232.svg",
    ] {
        assert!(
            hrefs.iter().any(|h| h == expected),
            "{expected} missing from {hrefs:?}"
        );
    }
    assert!(
        hrefs.iter().all(|h| !h.starts_with('/')),
        "no rooted link is left: {hrefs:?}"
    );
    assert_eq!(
        tree.files
            .get("policies/access-control/diagram.svg")
            .map(Vec::as_slice),
        Some(&b"<svg>diagram</svg>"[..])
    );
    assert!(tree.has("policies/access-control/img/flow.png"));
    assert!(tree.has("policies/access-control/flow #2.svg"));
    assert!(tree.has("evidence/shot/shot.png"));
    // The internal policy's address, its redirect and its file are text for this reader.
    assert!(page.contains("old secret address"));
    assert!(page.contains("secret plan"));
}

/// The canary: a file beside an internal policy is in the internal build and nowhere else,
/// by name or content, however it is linked.
#[test]
fn an_internal_policys_files_never_reach_other_readers() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    migration_site(&site, PUBLIC_BODY);
    for audience in ["public", "customer"] {
        let tree = build_ok(&site, audience, &dir.path().join(audience));
        let hay = tree.haystack();
        assert!(
            !hay.contains("canaryint"),
            "{audience} build names the internal policy or its file"
        );
        assert!(!hay.contains("canaryint-attach-content"));
    }
    let tree = build_ok(&site, "internal", &dir.path().join("internal"));
    assert_eq!(
        tree.files
            .get("policies/canaryint-secret/canaryint-attach-plan.svg")
            .map(Vec::as_slice),
        Some(&b"<svg>canaryint-attach-content</svg>"[..])
    );
    let page = tree.text("policies/access-control/index.html");
    assert!(
        links(&page)
            .iter()
            .any(|h| h == "../../policies/canaryint-secret/"),
        "the old address of the internal policy leads to it for internal readers"
    );
    assert!(
        links(&page)
            .iter()
            .any(|h| h == "../../policies/canaryint-secret/canaryint-attach-plan.svg")
    );
    let secret = tree.text("policies/canaryint-secret/index.html");
    assert!(
        links(&secret)
            .iter()
            .any(|h| h == "../../policies/canaryint-secret/canaryint-attach-plan.svg")
    );
}

#[test]
fn rooted_links_that_name_nothing_are_broken_links_with_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    migration_site(
        &site,
        "[a](/images/missing.svg)\n[b](/privacy-policy/)\n[c](/careers/)\n[d](/security-policies/acces-control/)\n[e](/logo.svg)\n",
    );
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 1);
    let errs = errors(&diags);
    let at = |line: u64| {
        errs.iter()
            .find(|(p, _, _)| *p == format!("policies/access-control/index.md:{line}"))
            .map(|(_, _, m)| m.clone())
            .unwrap_or_else(|| panic!("no error at line {line}: {errs:?}"))
    };
    assert!(at(9).contains("link to \"/images/missing.svg\", which is not a page of this site"));
    assert!(at(9).contains("full URL"), "{}", at(9));
    assert!(at(10).contains("/privacy-policy"));
    assert!(at(10).contains("redirects:"));
    assert!(at(11).contains("/careers"));
    assert!(
        at(12).contains("did you mean \"policy:access-control\""),
        "{}",
        at(12)
    );
    assert!(
        at(13).contains("did you mean \"/img/logo.svg\""),
        "{}",
        at(13)
    );
    assert!(errs.iter().all(|(_, _, m)| !m.is_empty()));
    assert!(
        diags
            .iter()
            .filter(|d| d["severity"] == "error")
            .all(|d| d["rule"] == "broken-link")
    );
}

#[test]
fn redirects_with_unknown_targets_are_errors_at_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    migration_site(&site, "Text.\n");
    write(
        &site,
        "site.yaml",
        b"title: T\nbase_url: https://trust.example/security/\norganisation: {name: Org}\naliases:\n  /old/a/: policy:acces-control\n  /policies/access-control/: policy:access-control\n  https://other.example/x/: policy:access-control\n",
    );
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 1);
    let errs = errors(&diags);
    let site_errs: Vec<_> = errs
        .iter()
        .filter(|(p, _, _)| p.starts_with("site.yaml:"))
        .collect();
    assert_eq!(site_errs.len(), 3, "{errs:?}");
    assert_eq!(site_errs[0].0, "site.yaml:5");
    assert!(
        site_errs[0].2.contains("did you mean \"access-control\""),
        "{:?}",
        site_errs[0]
    );
    assert!(
        site_errs[1].2.contains("already a page"),
        "{:?}",
        site_errs[1]
    );
    assert!(
        site_errs[2].2.contains("not an address of this site"),
        "{:?}",
        site_errs[2]
    );
}

#[test]
fn page_bundles_take_their_folder_as_id() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    write(
        &site,
        "site.yaml",
        b"title: T\nbase_url: https://example.test/\norganisation: {name: Org}\n",
    );
    write(&site, "scope.md", b"---\ntitle: Scope\n---\nAll.\n");
    for (path, title) in [
        ("policies/access-control/index.md", "Access"),
        ("policies/backup/index.md", "Backup"),
        ("policies/crypto/_index.md", "Crypto"),
    ] {
        write(
            &site,
            path,
            policy(
                None,
                title,
                "public",
                "See [backup](policy:backup) and [crypto](policy:crypto).\n",
            )
            .as_bytes(),
        );
    }
    let (_, diags) = check_json(&site, &[]);
    assert!(errors(&diags).is_empty(), "{diags:?}");
    let tree: Tree = build_ok(&site, "public", &dir.path().join("out"));
    for page in [
        "policies/access-control/index.html",
        "policies/backup/index.html",
        "policies/crypto/index.html",
    ] {
        assert!(tree.has(page), "{page}");
    }
    assert!(!tree.has("policies/index/index.html"));
}

#[test]
fn broken_relative_links_suggest_the_file_and_the_item_link() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    write(
        &site,
        "site.yaml",
        b"title: T\nbase_url: https://example.test/\norganisation: {name: Org}\n",
    );
    write(&site, "scope.md", b"---\ntitle: Scope\n---\nAll.\n");
    write(
        &site,
        "policies/access-control.md",
        policy(None, "Access", "public", "Text.\n").as_bytes(),
    );
    write(
        &site,
        "policies/handbook/guide.md",
        policy(Some("guide"), "Guide", "public", "Text.\n").as_bytes(),
    );
    write(
        &site,
        "policies/overview.md",
        policy(
            None,
            "Overview",
            "public",
            "[f](./access-control)\n[g](guide.md)\n[h](../policy/access-control.md)\n",
        )
        .as_bytes(),
    );
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 1);
    let errs = errors(&diags);
    let at = |line: u64| {
        errs.iter()
            .find(|(p, _, _)| *p == format!("policies/overview.md:{line}"))
            .map(|(_, _, m)| m.clone())
            .unwrap_or_else(|| panic!("no error at line {line}: {errs:?}"))
    };
    assert_eq!(
        at(9),
        "link to \"policies/access-control\", which does not exist (did you mean \"./access-control.md\" or \"policy:access-control\"?)"
    );
    assert_eq!(
        at(10),
        "link to \"policies/guide.md\", which does not exist (did you mean \"handbook/guide.md\" or \"policy:guide\"?)"
    );
    assert_eq!(
        at(11),
        "link to \"policy/access-control.md\", which does not exist (did you mean \"access-control.md\" or \"policy:access-control\"?)"
    );
}

/// `serve` answers with a policy folder's files exactly where a build writes them, and only
/// for readers who may open the policy.
#[test]
fn serve_answers_with_folder_files_for_readers_who_may_open_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    migration_site(&site, PUBLIC_BODY);
    let server = crate::live::Server::start(&site, &[]);
    let diagram = server.get("/policies/access-control/diagram.svg");
    assert_eq!(diagram.status, 200, "{}", server.logs());
    assert!(diagram.body.contains("diagram"));
    let spaced = server.get("/policies/access-control/flow%20%232.svg");
    assert_eq!(spaced.status, 200, "{}", server.logs());
    let secret = server.get("/policies/canaryint-secret/canaryint-attach-plan.svg");
    assert_eq!(secret.status, 404);
    assert!(!secret.body.contains("canaryint-attach-content"));
}

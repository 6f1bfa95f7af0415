//! Links to the site's own addresses, in every spelling a browser follows, and URL fields
//! (evidence `url`, `site.yaml` URLs): resolved and withheld like item links, never published
//! as written when they point at something the reader may not open.

mod common;

use std::path::Path;

use common::sites::write;
use common::*;

/// Spellings of the internal policy's address (and of its evidence file's) with
/// `base_url: https://trust.example/security/`.
const SPELLINGS: &[&str] = &[
    "/policies/canaryint-plan/",
    "/policies/canaryint-plan",
    "/policies/canaryint-plan/index.html",
    "/policies/canaryint-plan/index.htm",
    "/security/policies/canaryint-plan/",
    "/security/policies/canaryint-plan/index.html",
    "/security/./policies/canaryint-plan/",
    "/security/x/../policies/canaryint-plan/",
    "/security/%2e/policies/canaryint-plan/",
    "/security/%70olicies/canaryint%2Dplan/",
    "/SECURITY/POLICIES/CANARYINT-PLAN/",
    "/security//policies/canaryint-plan/",
    "/security/policies/canaryint-plan/?v=2",
    "/security/policies/canaryint-plan/#steps",
    "https://trust.example/security/policies/canaryint-plan/",
    "http://trust.example/security/policies/canaryint-plan/",
    "HTTPS://TRUST.EXAMPLE/security/policies/canaryint-plan/",
    "https://trust.example:443/security/policies/canaryint-plan/",
    "http://trust.example:80/security/policies/canaryint-plan/",
    "https://trust.example./security/policies/canaryint-plan/",
    "https://user@trust.example/security/policies/canaryint-plan/",
    "https://trust.example/policies/canaryint-plan/",
    "//trust.example/security/policies/canaryint-plan/",
    "//trust.example/policies/canaryint-plan/index.html",
    "https:///trust.example/security/policies/canaryint-plan/",
    "/security/policies/canaryint-plan.md",
    "/security/evidence/canaryint-ev/canaryint-log.txt",
    "/evidence/canaryint-ev/canaryint-log.txt",
    "https://trust.example/security/evidence/canaryint-ev/canaryint-log.txt",
    "/security/evidence/files/canaryint-log.txt",
];

/// A site at `https://trust.example/security/` whose public policy links to an internal
/// policy (and an internal evidence file) in every spelling of `SPELLINGS`.
fn spellings_site(dir: &Path) {
    let mut body = String::from("## Links\n\n");
    for (n, s) in SPELLINGS.iter().enumerate() {
        body.push_str(&format!("- [spelling {n}]({s})\n"));
    }
    body.push_str("\nRaw HTML too:\n\n");
    for (n, s) in SPELLINGS.iter().enumerate() {
        body.push_str(&format!("<a href=\"{s}\">raw {n}</a>\n"));
    }
    body.push_str(concat!(
        "<a href=\"/security/poli\tcies/canaryint-plan/\">a tab</a>\n",
        "<a href=\"\\security\\policies\\canaryint-plan\\\">backslashes</a>\n",
        "<a href=\"/\\trust.example/security/policies/canaryint-plan/\">slash, backslash</a>\n",
        "<a href=\"/security/poli&#9;cies/canaryint-plan/\">an encoded tab</a>\n",
        "<a href=\"&#x2F;policies&sol;canaryint-plan/\">encoded slashes</a>\n",
        "<a href=\"/&#x70;olicies/canaryint-plan/\">an encoded letter</a>\n",
        "\nAnd [the careers page](/careers), the host's own.\n",
    ));
    let files = [
        (
            "site.yaml",
            "title: T\nbase_url: https://trust.example/security/\norganisation: {name: Org}\n"
                .to_string(),
        ),
        ("scope.md".into(), "---\ntitle: Scope\n---\nAll.\n".into()),
        (
            "policies/canaryint-plan.md",
            "---\nid: canaryint-plan\ntitle: Plan canaryint-title\nowner: COO\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: internal\n---\n## Steps\n\ncanaryint-body\n"
                .into(),
        ),
        (
            "policies/public.md",
            format!("---\nid: public-links\ntitle: Public\nowner: CISO\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: public\n---\n{body}"),
        ),
        (
            "evidence/register.yaml",
            "- id: canaryint-ev\n  title: Log canaryint-ev-title\n  kind: log\n  file: evidence/files/canaryint-log.txt\n"
                .into(),
        ),
        ("evidence/files/canaryint-log.txt".into(), "canaryint-file\n".into()),
    ];
    for (path, text) in files {
        write(dir, path, text.as_bytes());
    }
}

#[test]
fn own_addresses_to_internal_pages_are_withheld_in_every_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    spellings_site(&site);
    let public = build_ok(&site, "public", &dir.path().join("pub"));
    let page = public.text("policies/public-links/index.html");
    for n in 0..SPELLINGS.len() {
        assert!(
            page.contains(&format!("spelling {n}")),
            "the link text stays"
        );
        assert!(page.contains(&format!("raw {n}")), "the link text stays");
    }
    assert!(
        page.contains("href=\"/careers\""),
        "the host's page is kept"
    );
    for href in links(&page) {
        assert!(
            !href.to_ascii_lowercase().contains("canaryint"),
            "public page links to {href}"
        );
    }
    let hay = public.haystack();
    if let Some(i) = hay.find("canaryint") {
        panic!(
            "the public build leaks: …{}…",
            &hay[i.saturating_sub(120)..(i + 40).min(hay.len())]
        );
    }

    // For a reader who may open it, each spelling is a working relative link.
    let internal = build_ok(&site, "internal", &dir.path().join("int"));
    let page = internal.text("policies/public-links/index.html");
    let to_plan = page
        .matches("href=\"../../policies/canaryint-plan/")
        .count();
    let to_evidence = page
        .matches("href=\"../../evidence/canaryint-ev/\"")
        .count();
    assert_eq!(
        to_plan + to_evidence,
        2 * SPELLINGS.len() + 6,
        "every spelling is rewritten to the page: {page}"
    );
}

#[test]
fn a_rooted_link_into_a_content_folder_that_names_nothing_is_a_broken_link() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    spellings_site(&site);
    write(
        &site,
        "policies/public.md",
        b"---\nid: public-links\ntitle: Public\nowner: CISO\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: public\n---\nSee [the old plan](https://trust.example/security/policies/old-plan/)\nand [its log](/security/evidence/canaryint-ev/other.txt).\n",
    );
    let (code, diags) = sites::check_json(&site, &[]);
    assert_eq!(code, 1, "{diags:?}");
    let broken: Vec<_> = diags
        .iter()
        .filter(|d| d["rule"] == "broken-link")
        .collect();
    assert_eq!(broken.len(), 2, "{diags:?}");
    assert_eq!(broken[0]["line"], 10, "{broken:?}");
    assert!(
        broken[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not a page of this site")),
        "{broken:?}"
    );
}

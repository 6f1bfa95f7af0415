//! Links to the site's own addresses, in every spelling a browser follows, and URL fields
//! (evidence `url`, `site.yaml` URLs): resolved and withheld like item links, never published
//! as written when they point at something the reader may not open.

use std::path::Path;

use crate::common::sites::write;
use crate::common::*;

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
        "\nAnd [the careers page](https://trust.example/careers), the host's own (a rooted `/careers` would mean a page of this site).\n",
    ));
    let files = [
        (
            "site.yaml",
            "title: T\nbase_url: https://trust.example/security/\norganisation: {name: Org}\n"
                .to_string(),
        ),
        ("scope.md", "---\ntitle: Scope\n---\nAll.\n".into()),
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
        ("evidence/files/canaryint-log.txt", "canaryint-file\n".into()),
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
        page.contains("href=\"https://trust.example/careers\""),
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
    // An evidence file's address leads to the file, its item's to the page.
    let to_evidence = page
        .matches("href=\"../../evidence/canaryint-ev/\"")
        .count()
        + page
            .matches("href=\"../../evidence/canaryint-ev/canaryint-log.txt\"")
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

#[test]
fn an_unsafe_url_field_is_an_error_at_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    spellings_site(&site);
    write(
        &site,
        "site.yaml",
        b"title: T\nbase_url: https://trust.example/security/\norganisation:\n  name: Org\n  website: \"data:text/html,<script>alert(1)</script>\"\ncertificate:\n  status: certified\n  register_url: JavaScript:alert(1)\n",
    );
    write(
        &site,
        "evidence/more.yaml",
        b"- id: xss\n  title: Report\n  kind: report\n  url: \"javascript:alert(document.cookie)\"\n  classification: public\n- id: vb\n  title: Other\n  url:  vbscript:msgbox\n  classification: public\n- id: gone\n  title: Gone\n  url: policy:canaryint-gone\n  classification: public\n",
    );
    let (code, diags) = sites::check_json(&site, &[]);
    assert_eq!(code, 1, "{diags:?}");
    let at = |rule: &str| -> Vec<String> {
        diags
            .iter()
            .filter(|d| d["rule"] == rule)
            .map(|d| {
                format!(
                    "{}:{}:{}",
                    d["path"].as_str().unwrap_or(""),
                    d["line"],
                    d["column"]
                )
            })
            .collect()
    };
    assert_eq!(
        at("unsafe-url"),
        [
            "evidence/more.yaml:4:8",
            "evidence/more.yaml:8:9",
            "site.yaml:5:12",
            "site.yaml:8:17",
        ],
        "{diags:?}"
    );
    assert_eq!(at("broken-link"), ["evidence/more.yaml:12:8"], "{diags:?}");
    let message = diags
        .iter()
        .find(|d| d["rule"] == "unsafe-url")
        .and_then(|d| d["message"].as_str())
        .unwrap_or_default();
    assert!(
        message.starts_with("unsafe URL \"javascript:alert(document.cookie)\", expected"),
        "{message}"
    );
}

#[test]
fn url_fields_naming_restricted_items_are_withheld() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    spellings_site(&site);
    write(
        &site,
        "site.yaml",
        b"title: T\nbase_url: https://trust.example/security/\norganisation:\n  name: Org\n  website: /security/policies/canaryint-plan/\ncertificate:\n  status: certified\n  register_url: policy:canaryint-plan\neditions:\n  public: {sections: [overview, scope, certification, policies, controls, evidence]}\n",
    );
    write(
        &site,
        "templates/base.html",
        b"{% block content %}{% endblock content %}<footer>{% if site.website %}{{ site.website }}{% else %}no website{% endif %}</footer>",
    );
    let mut register = String::new();
    for (n, url) in [
        "policy:canaryint-plan",
        "Evidence:canaryint-ev",
        "https://TRUST.example:443/security/policies/canaryint-plan/",
        "/evidence/canaryint-ev/canaryint-log.txt",
        "//trust.example/policies/canaryint-plan.md",
        "../policies/canaryint-plan.md",
    ]
    .iter()
    .enumerate()
    {
        register.push_str(&format!(
            "- id: public-{n}\n  title: Public {n}\n  kind: document\n  url: \"{url}\"\n  classification: public\n"
        ));
    }
    register.push_str("- id: public-external\n  title: External\n  url: https://auditor.example/r\n  classification: public\n");
    write(&site, "evidence/public.yaml", register.as_bytes());

    let public = build_ok(&site, "public", &dir.path().join("pub"));
    let hay = public.haystack();
    if let Some(i) = hay.find("canaryint") {
        panic!(
            "the public build leaks: …{}…",
            &hay[i.saturating_sub(120)..(i + 40).min(hay.len())]
        );
    }
    for n in 0..6 {
        let page = public.text(&format!("evidence/public-{n}/index.html"));
        assert!(page.contains("(restricted document)"), "{page}");
    }
    let home = public.text("index.html");
    assert!(!home.contains("Verify in the"), "no register link: {home}");
    assert!(home.contains("no website"), "{home}");
    assert!(
        public
            .text("evidence/public-external/index.html")
            .contains("href=\"https://auditor.example/r\" rel=\"external\""),
        "external URLs stay"
    );

    let internal = build_ok(&site, "internal", &dir.path().join("int"));
    let page = internal.text("evidence/public-2/index.html");
    assert!(
        page.contains("<a href=\"../../policies/canaryint-plan/\">Plan canaryint-title</a>"),
        "{page}"
    );
    let home = internal.text("index.html");
    assert!(home.contains("href=\"policies/canaryint-plan/\""), "{home}");
    assert!(
        internal
            .text("evidence/public-0/index.html")
            .contains("<footer>../../policies/canaryint-plan/</footer>"),
        "the website field is resolved for the page it is on"
    );
}

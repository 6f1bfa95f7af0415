//! Builds the example site and small fixtures with the real binary and checks the HTML.

use crate::common::*;

fn example(audience: &str) -> (tempfile::TempDir, Tree) {
    let dir = tempfile::tempdir().unwrap();
    let tree = build_ok(
        &repo().join("example-site"),
        audience,
        &dir.path().join("out"),
    );
    (dir, tree)
}

#[test]
fn example_site_builds_every_page_for_every_audience() {
    for audience in ["public", "customer", "internal"] {
        let (_dir, tree) = example(audience);
        for page in [
            "index.html",
            "scope/index.html",
            "policies/index.html",
            "controls/index.html",
            "controls/soa.csv",
            "controls/a-5-15/index.html",
            "controls/a-8-34/index.html",
            "suppliers/index.html",
            "404.html",
            "style.css",
            "highlight.css",
        ] {
            assert!(tree.has(page), "{audience}: {page} missing");
        }
        let controls = tree
            .files
            .keys()
            .filter(|p| p.starts_with("controls/a-") && p.ends_with("/index.html"))
            .count();
        assert_eq!(controls, 93, "{audience}: one page per Annex A control");
        // The public trust center has no auditor's view (issue 11: 1, 2).
        for page in [
            "traceability/index.html",
            "evidence/index.html",
            "risks/index.html",
            "findings/index.html",
        ] {
            assert_eq!(tree.has(page), audience != "public", "{audience}: {page}");
        }
    }
}

#[test]
fn every_internal_link_resolves_to_a_written_file() {
    for audience in ["public", "customer", "internal"] {
        let (_dir, tree) = example(audience);
        let mut checked = 0;
        for (path, bytes) in &tree.files {
            if !path.ends_with(".html") {
                continue;
            }
            let html = String::from_utf8_lossy(bytes);
            for link in links(&html) {
                if let Some(target) = resolve_link(path, &link) {
                    assert!(
                        tree.has(&target),
                        "{audience}: {path} links to {link} → {target}, which was not written"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{audience}: checked {checked} links");
    }
}

#[test]
fn traceability_goes_both_ways() {
    let (_dir, tree) = example("customer");
    let policy = tree.text("policies/access-control/index.html");
    assert!(
        policy.contains("href=\"../../controls/a-5-15/\""),
        "policy → control"
    );
    let control = tree.text("controls/a-5-15/index.html");
    assert!(
        control.contains("href=\"../../policies/access-control/\""),
        "control → policy"
    );
    let matrix = tree.text("traceability/index.html");
    assert!(matrix.contains("Control × policy and evidence matrix"));
    assert!(
        matrix.contains("A.5.5"),
        "a control with no policy is listed as a gap"
    );
}

#[test]
fn soa_lists_all_93_controls_in_catalog_order() {
    let (_dir, tree) = example("public");
    let csv = tree.text("controls/soa.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "control,title,theme,applicable,status,justification,owner,policies,evidence"
    );
    assert_eq!(lines.len(), 94);
    assert!(
        lines[1]
            .starts_with("A.5.1,Policies for information security,Organizational,yes,Implemented,")
    );
    assert!(lines[93].starts_with("A.8.34,"));
    let html = tree.text("controls/index.html");
    for theme in [
        "Organizational controls",
        "People controls",
        "Physical controls",
        "Technological controls",
    ] {
        assert!(html.contains(theme), "{theme}");
    }
}

#[test]
fn policies_follow_status_and_classification() {
    let (_d1, public) = example("public");
    let (_d2, customer) = example("customer");
    let (_d3, internal) = example("internal");
    let published = |t: &Tree| {
        t.files
            .keys()
            .filter(|p| {
                p.starts_with("policies/")
                    && p.ends_with("/index.html")
                    && p.matches('/').count() == 2
            })
            .count()
    };
    assert_eq!(published(&public), 3, "3 public approved policies");
    assert_eq!(
        published(&customer),
        7,
        "3 public + 4 customer approved policies"
    );
    assert_eq!(
        published(&internal),
        12,
        "every policy, drafts and retired included"
    );
    assert!(
        !customer.has("policies/data-retention/index.html"),
        "drafts are internal only"
    );
    let list = internal.text("policies/index.html");
    assert!(
        list.contains("Draft") && list.contains("Retired"),
        "internal list marks drafts and retired"
    );
    assert!(
        customer
            .text("policies/index.html")
            .contains("Business Continuity"),
        "listed internal policy shows its title"
    );
    assert!(
        customer
            .text("policies/index.html")
            .contains("Review overdue"),
        "acceptable-use review is overdue"
    );
}

#[test]
fn findings_summary_flags_overdue_and_lists_strengths() {
    let (_dir, tree) = example("customer");
    let page = tree.text("findings/index.html");
    assert!(
        page.contains("row-overdue"),
        "the overdue corrective action is flagged"
    );
    assert!(page.contains("Strengths"));
    assert!(tree.has("findings/f-2026-05/index.html"));
    assert!(
        tree.text("findings/f-2026-05/index.html")
            .contains("Overdue")
    );
}

#[test]
fn non_public_builds_say_what_they_are_and_ask_not_to_be_indexed() {
    let (_d1, public) = example("public");
    let (_d2, customer) = example("customer");
    assert!(!public.text("index.html").contains("noindex"));
    let home = customer.text("index.html");
    assert!(home.contains("<meta name=\"robots\" content=\"noindex"));
    assert!(home.contains("Customer edition — confidential, shared under NDA"));
    assert!(customer.text("robots.txt").contains("Disallow: /"));
    assert!(
        !customer.has("sitemap.xml"),
        "no sitemap for builds that must not be indexed"
    );
    let not_found = public.text("404.html");
    assert!(
        not_found.contains("href=\"/style.css\"") && not_found.contains("href=\"/policies/\""),
        "the 404 page, served at any depth, links by absolute paths under the site's base path"
    );
    assert!(
        !not_found.contains("<base ") && not_found.contains("href=\"#main\""),
        "no <base>, so the skip link stays on the page"
    );
    assert!(
        !public.text("index.html").contains("<base "),
        "other pages stay relative"
    );
    let sitemap = public.text("sitemap.xml");
    assert!(sitemap.contains(
        "<loc>https://trust.brightwave.example/policies/information-security-policy/</loc>"
    ));
    assert!(
        !sitemap.contains("access-control"),
        "customer policies are not in the public sitemap"
    );
}

#[test]
fn no_external_requests() {
    let (_dir, tree) = example("internal");
    for (path, bytes) in &tree.files {
        if path.ends_with(".html") || path.ends_with(".css") {
            let text = String::from_utf8_lossy(bytes);
            for needle in [
                "<script src=\"http",
                "<link rel=\"stylesheet\" href=\"http",
                "@import",
                "url(http",
            ] {
                assert!(
                    !text.contains(needle),
                    "{path} loads something from another host: {needle}"
                );
            }
        }
    }
}

#[test]
fn errors_name_file_line_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = build(&fixture("broken"), "public", &out);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    for expected in [
        "controls/map.yaml:1:3: error: a control that is not applicable needs a `justification`",
        "controls/map.yaml:3:3: error: control A.5.1 is mapped twice, first at controls/map.yaml:1",
        "controls/map.yaml:6:19: error: unknown policy \"ghost\"",
        "policies/bad.md:4:9: error: unknown status \"aproved\", expected one of draft, approved, retired (did you mean \"approved\"?)",
        "policies/bad.md:6:12: error: unknown control \"A.5.99\"",
        "scope.md:4:5: error: unknown policy \"nope\"",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(!out.exists(), "a failed build writes nothing");
}

#[test]
fn a_site_template_replaces_one_theme_template() {
    let dir = tempfile::tempdir().unwrap();
    let tree = build_ok(&fixture("override"), "public", &dir.path().join("out"));
    let policy = tree.text("policies/only/index.html");
    assert!(
        policy.contains("<h1 class=\"custom-policy\">CUSTOM Only Policy</h1>"),
        "{policy}"
    );
    assert!(
        policy.contains("<nav class=\"site-nav\""),
        "the theme's base template still applies"
    );
    assert!(
        tree.text("policies/index.html").contains("Only Policy"),
        "other templates are the theme's"
    );
}

#[test]
fn help_explains_the_command_line() {
    let o = bin().args(["build", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    for flag in [
        "--audience",
        "--out",
        "--today",
        "public",
        "customer",
        "internal",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

/// `check --audience public` still reports on internal items: its help and the README say so,
/// so nobody publishes a SARIF file next to a trust center.
#[test]
fn check_help_says_the_report_covers_the_whole_source() {
    let o = bin().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("covers the whole source"), "{help}");
    assert!(help.contains("never publish it"), "{help}");
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains("The report covers the **whole source**"));
}

#[test]
fn default_output_is_under_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("policies")).unwrap();
    std::fs::copy(fixture("override/site.yaml"), site.join("site.yaml")).unwrap();
    std::fs::copy(fixture("override/scope.md"), site.join("scope.md")).unwrap();
    let o = bin()
        .args(["build", "--today", TODAY])
        .current_dir(&site)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(site.join("_site/public/index.html").is_file());
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(
        summary.contains("pages") && summary.contains("ms"),
        "one-line summary: {summary}"
    );
}

#[test]
fn search_index_holds_only_what_the_audience_can_open() {
    for audience in ["public", "customer", "internal"] {
        let (_dir, tree) = example(audience);
        let index: Vec<serde_json::Value> =
            serde_json::from_slice(&tree.files["search-index.json"]).expect("valid JSON");
        let urls: Vec<&str> = index.iter().filter_map(|e| e["u"].as_str()).collect();
        for url in &urls {
            let page = format!("{url}index.html");
            assert!(
                tree.has(&page),
                "{audience}: search result {url} is not a page of the build"
            );
        }
        let has = |u: &str| urls.contains(&u);
        assert!(has("policies/information-security-policy/"), "{audience}");
        assert!(
            has("controls/a-5-15/"),
            "{audience}: every control is searchable"
        );
        assert_eq!(
            has("policies/access-control/"),
            audience != "public",
            "{audience}"
        );
        assert_eq!(
            has("policies/data-retention/"),
            audience == "internal",
            "{audience}: drafts"
        );
        assert_eq!(
            has("policies/business-continuity/"),
            audience == "internal",
            "{audience}: a listed item is not searchable below its classification"
        );
    }
    let (_dir, public) = example("public");
    let home = public.text("index.html");
    assert!(
        home.contains("data-index=\"search-index.json\""),
        "the header's search box finds its index"
    );
}

#[test]
fn init_creates_a_site_that_builds_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("isms");
    let o = bin()
        .args(["init", "--organisation", "Acme Cloud"])
        .arg(&site)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mappings = std::fs::read_to_string(site.join("controls/annex-a.yaml")).unwrap();
    assert_eq!(
        mappings.matches("- control: A.").count(),
        93,
        "every Annex A control"
    );
    for audience in ["public", "customer", "internal"] {
        let tree = build_ok(&site, audience, &dir.path().join(audience));
        assert!(tree.text("index.html").contains("Acme Cloud"));
    }
    let policy = site.join("policies/information-security-policy.md");
    std::fs::write(&policy, "edited").unwrap();
    let again = bin().arg("init").arg(&site).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    assert_eq!(
        std::fs::read_to_string(&policy).unwrap(),
        "edited",
        "nothing overwritten"
    );
}

#[test]
fn a_missing_site_folder_is_one_plain_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = build(
        &dir.path().join("nowhere"),
        "public",
        &dir.path().join("out"),
    );
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.starts_with("error: the site folder ") && stderr.contains("does not exist"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
}

/// Ids and headings in any script keep their letters: `données` is at `policies/données/`,
/// `数据保护` is a valid id, `## Übersicht` is `#übersicht`, and links to them resolve.
#[test]
fn unicode_ids_and_headings_keep_their_letters() {
    let policy = |id: &str, body: &str| {
        format!(
            "---\nid: {id}\ntitle: P {id}\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: public\n---\n{body}\n"
        )
    };
    let dir = crate::common::sites::site(&[
        (
            "policies/donnees.md",
            &policy(
                "données",
                "## Übersicht\n\nSee [the other](policy:数据保护#范围).",
            ),
        ),
        ("policies/zh.md", &policy("数据保护", "## 范围\n\nText.")),
    ]);
    let out = tempfile::tempdir().unwrap();
    let tree = build_ok(dir.path(), "public", &out.path().join("o"));
    let page = tree.text("policies/données/index.html");
    assert!(page.contains("id=\"übersicht\""), "{page}");
    // pulldown-cmark percent-encodes link targets, as browsers would.
    assert!(
        page.contains(
            "href=\"../../policies/%E6%95%B0%E6%8D%AE%E4%BF%9D%E6%8A%A4/#%E8%8C%83%E5%9B%B4\""
        ),
        "{page}"
    );
    assert!(
        tree.text("policies/数据保护/index.html")
            .contains("id=\"范围\"")
    );
    assert!(
        tree.text("sitemap.xml")
            .contains("policies/donn%C3%A9es/</loc>"),
        "sitemap URLs are percent-encoded"
    );
}

/// A build prints 20 warnings and a count of the rest; with `-v` it prints every one, each once,
/// and no count (the list is written in one buffered piece, so it must still be whole).
#[test]
fn a_build_shows_twenty_warnings_and_every_one_with_verbose() {
    // A policy without front matter is read as a draft, with warnings naming its file.
    let files: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!("policies/note-{i:02}.md"),
                format!("# Note {i}\n\nText.\n"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let site = sites::site(&refs);
    // (stderr, the warning count the summary line on stdout gives)
    let run = |verbose: bool| {
        let out = tempfile::tempdir().expect("temp dir");
        let target = out.path().join("site");
        let mut args = vec!["build", site.path().to_str().expect("utf-8 path")];
        if verbose {
            args.push("-v");
        }
        args.extend([
            "--today",
            TODAY,
            "--out",
            target.to_str().expect("utf-8 path"),
        ]);
        let o = sites::trustpress(&args);
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{stderr}");
        let stdout = String::from_utf8_lossy(&o.stdout);
        let count = stdout
            .split(" (")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no warning count in {stdout}"));
        (stderr, count)
    };
    let warnings = |stderr: &str| stderr.lines().filter(|l| l.contains(": warning: ")).count();
    let (quiet, total) = run(false);
    assert!(total > 30, "{quiet}");
    assert_eq!(warnings(&quiet), 20, "{quiet}");
    let more = format!(
        "… and {} more warnings: run `trustpress check` to list them all",
        total - 20
    );
    assert!(quiet.lines().any(|l| l == more), "{quiet}");
    let (all, again) = run(true);
    assert_eq!(again, total);
    assert_eq!(warnings(&all), total, "{all}");
    for i in 0..30 {
        let file = format!("policies/note-{i:02}.md:");
        assert!(all.lines().any(|l| l.starts_with(&file)), "{file} {all}");
    }
    assert!(!all.contains("more warnings"), "{all}");
}

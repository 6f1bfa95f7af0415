//! `brand:` (logo, dark logo, favicon, accent, extra stylesheet), Open Graph properties, and
//! `language:` choosing the interface strings (issue 10, points 20 and 21).

use std::path::Path;

use crate::common::sites::{SCOPE_MD, check_json, write};
use crate::common::*;

const BRANDED: &str = "title: T\nbase_url: https://trust.example.test/sub/\ndescription: What we do.\norganisation:\n  name: Org\nbrand:\n  logo: static/img/logo.svg\n  logo_dark: static/img/logo-dark.svg\n  favicon: static/favicon.png\n  accent: \"#0a7f5a\"\n  extra_css: static/brand.css\n";

fn site_with(site_yaml: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "site.yaml", site_yaml.as_bytes());
    write(dir.path(), "scope.md", SCOPE_MD.as_bytes());
    for (path, text) in files {
        write(dir.path(), path, text.as_bytes());
    }
    dir
}

fn build_site(site: &Path, audience: &str) -> (tempfile::TempDir, Tree) {
    let out = tempfile::tempdir().expect("temp dir");
    let tree = build_ok(site, audience, &out.path().join("out"));
    (out, tree)
}

/// Every `<link rel="icon">` of every page points at a file the build wrote.
fn assert_icons_resolve(tree: &Tree) {
    for (path, bytes) in &tree.files {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let Some(i) = html.find("<link rel=\"icon\" href=\"") else {
            panic!("{path} links no favicon");
        };
        let rest = &html[i + "<link rel=\"icon\" href=\"".len()..];
        let href = &rest[..rest.find('"').expect("closing quote")];
        let target = resolve_link(path, href).expect("a relative favicon link");
        assert!(
            tree.has(&target),
            "{path}: favicon {href} → {target} is not written"
        );
    }
}

#[test]
fn brand_logo_favicon_accent_and_extra_css_reach_every_page() {
    let site = site_with(
        BRANDED,
        &[
            (
                "static/img/logo.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            ),
            (
                "static/img/logo-dark.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            ),
            ("static/favicon.png", "png"),
            ("static/brand.css", ".brand { letter-spacing: 1px; }"),
        ],
    );
    let (_out, tree) = build_site(site.path(), "public");
    let page = tree.text("policies/index.html");
    assert!(page.contains("<picture><source srcset=\"../img/logo-dark.svg\" media=\"(prefers-color-scheme: dark)\"><img class=\"brand-logo\" src=\"../img/logo.svg\" alt=\"Org\"></picture>"), "{page}");
    assert!(page.contains("<link rel=\"icon\" href=\"../favicon.png\" type=\"image/png\">"));
    assert!(page.contains("<style>:root { --accent: #0a7f5a; }</style>"));
    let theme = page.find("style.css").expect("theme css");
    let extra = page
        .find("href=\"../brand.css\"")
        .expect("extra css linked");
    assert!(
        theme < extra,
        "the site's stylesheet comes after the theme's"
    );
    assert!(
        !tree.has("favicon.svg"),
        "a site with its own favicon gets no generated one"
    );
    assert_icons_resolve(&tree);
}

#[test]
fn without_a_favicon_the_build_writes_one_in_the_accent_colour() {
    let yaml = "title: T\nbase_url: https://trust.example.test/\norganisation:\n  name: Org\nbrand:\n  accent: teal\n";
    let site = site_with(yaml, &[]);
    for audience in ["public", "internal"] {
        let (_out, tree) = build_site(site.path(), audience);
        let svg = tree.text("favicon.svg");
        assert!(
            svg.starts_with("<svg") && svg.contains("fill=\"teal\""),
            "{svg}"
        );
        assert!(
            tree.text("controls/a-5-1/index.html")
                .contains("<link rel=\"icon\" href=\"../../favicon.svg\" type=\"image/svg+xml\">")
        );
        assert_icons_resolve(&tree);
    }
    // No brand at all: the theme's accent.
    let (_out, tree) = build_site(sites::site(&[]).path(), "public");
    assert!(tree.text("favicon.svg").contains("fill=\"#1f5fbf\""));
    assert!(
        !tree.text("index.html").contains("--accent"),
        "no override without an accent"
    );
}

#[test]
fn brand_mistakes_are_errors_at_the_field() {
    let yaml = "title: T\nbase_url: https://x.test/\norganisation:\n  name: Org\nbrand:\n  logo: static/missing.svg\n  favicon: favicon.ico\n  accent: blurple\n  extra_css: static/../site.yaml\n";
    let site = site_with(yaml, &[]);
    let (code, diags) = check_json(site.path(), &[]);
    assert_eq!(code, 1, "{diags:?}");
    let at = |rule: &str, line: u64| {
        diags.iter().any(|d| {
            d["rule"] == rule
                && d["line"] == line
                && d["path"] == "site.yaml"
                && d["severity"] == "error"
        })
    };
    assert!(at("brand-file", 6), "missing logo: {diags:?}");
    assert!(at("brand-file", 7), "favicon outside static/: {diags:?}");
    assert!(at("invalid-colour", 8), "bad accent: {diags:?}");
    assert!(at("brand-file", 9), "`..` in extra_css: {diags:?}");
    let missing = diags.iter().find(|d| d["line"] == 6).expect("line 6");
    assert_eq!(missing["column"], 9);
    assert!(
        missing["message"]
            .as_str()
            .unwrap_or("")
            .contains("static/missing.svg does not exist")
    );
}

#[test]
fn open_graph_on_public_pages_only() {
    let site = site_with(
        BRANDED,
        &[
            ("static/img/logo.svg", "<svg/>"),
            ("static/img/logo-dark.svg", "<svg/>"),
            ("static/favicon.png", "png"),
            ("static/brand.css", ""),
            (
                "policies/access.md",
                "---\ntitle: Access\nowner: CISO\nversion: \"1.0\"\nstatus: approved\napproved: 2026-01-01\nclassification: public\nsummary: Who may open what.\n---\nBody.\n",
            ),
        ],
    );
    let (_o1, public) = build_site(site.path(), "public");
    let policy = public.text("policies/access/index.html");
    assert!(
        policy.contains("<meta property=\"og:description\" content=\"Who may open what.\">"),
        "a policy is described by its summary"
    );
    let home = public.text("index.html");
    assert!(home.contains("<meta property=\"og:type\" content=\"website\">"));
    assert!(
        home.contains("<meta property=\"og:url\" content=\"https://trust.example.test/sub/\">")
    );
    assert!(home.contains(
        "<meta property=\"og:image\" content=\"https://trust.example.test/sub/img/logo.svg\">"
    ));
    let soa = public.text("controls/index.html");
    assert!(soa.contains("<meta property=\"og:title\" content=\"Statement of Applicability\">"));
    assert!(soa.contains("<meta property=\"og:description\" content=\"What we do.\">"));
    assert!(soa.contains(
        "<meta property=\"og:url\" content=\"https://trust.example.test/sub/controls/\">"
    ));
    assert!(soa.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(
        !public.text("404.html").contains("og:"),
        "the 404 page advertises no address"
    );
    for audience in ["customer", "internal"] {
        let (_o, tree) = build_site(site.path(), audience);
        for (path, bytes) in &tree.files {
            assert!(
                !String::from_utf8_lossy(bytes).contains("og:"),
                "{audience}: {path} advertises itself"
            );
        }
    }
}

/// A copy of the example site with `language: de`.
fn german_example() -> tempfile::TempDir {
    let src = repo().join("example-site");
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let rel = entry.path().strip_prefix(&src).expect("inside");
        if rel.starts_with("_site") || !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).expect("read");
        write(dir.path(), &rel.to_string_lossy(), &bytes);
    }
    let yaml = std::fs::read_to_string(dir.path().join("site.yaml")).expect("site.yaml");
    assert!(yaml.contains("language: en\n"));
    write(
        dir.path(),
        "site.yaml",
        yaml.replace("language: en\n", "language: de\n").as_bytes(),
    );
    dir
}

#[test]
fn a_german_site_has_german_labels_and_no_english_ones() {
    let site = german_example();
    for audience in ["public", "customer", "internal"] {
        let (_out, tree) = build_site(site.path(), audience);
        let all: String = tree
            .files
            .iter()
            .filter(|(p, _)| p.ends_with(".html"))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect();
        for german in [
            "<html lang=\"de\">",
            ">Zum Inhalt springen<",
            ">Richtlinien</a>",
            "<h1>Erklärung zur Anwendbarkeit</h1>",
            ">Geltungsbereich<",
            "Erstellt am ",
        ] {
            assert!(all.contains(german), "{audience}: {german} missing");
        }
        for english in [
            "Skip to content",
            "Search this site",
            ">Policies</a>",
            ">Overview</a>",
            // (The example's Markdown bodies are in English: look for the theme's labels.)
            "<h1>Statement of Applicability</h1>",
            "<strong>Statement of Applicability</strong>",
            ">Not assessed<",
            ">Implemented<",
            ">Not applicable<",
            "available on request",
            "None linked.",
            "Generated ",
            "<dt>Owner</dt>",
            "<dt>Review by</dt>",
            "Customer edition",
            "Internal edition",
        ] {
            assert!(
                !all.contains(english),
                "{audience}: English left: {english}"
            );
        }
        let search = tree.text("search-index.json");
        assert!(search.contains("\"k\":\"Richtlinie\"") && !search.contains("\"k\":\"Policy\""));
        // The register tables' filter boxes are in the HTML, in German (8 rows or more: the
        // customer and internal evidence lists).
        if audience != "public" {
            assert!(
                all.contains("placeholder=\"Zeilen filtern…\""),
                "{audience}"
            );
            assert!(all.contains("data-template=\"{} von {} Zeilen angezeigt\""));
        }
    }
    let (_out, internal) = build_site(site.path(), "internal");
    assert!(
        internal
            .text("index.html")
            .contains("Interne Ausgabe — nur für Mitarbeitende und Auditoren")
    );
}

#[test]
fn an_unknown_language_warns_and_falls_back_to_english() {
    let yaml = "title: T\nbase_url: https://x.test/\nlanguage: fr\norganisation:\n  name: Org\n";
    let site = site_with(yaml, &[]);
    let (code, diags) = check_json(site.path(), &[]);
    assert_eq!(code, 0, "{diags:?}");
    let warning = diags
        .iter()
        .find(|d| d["rule"] == "unknown-language")
        .unwrap_or_else(|| panic!("no unknown-language warning: {diags:?}"));
    assert_eq!(
        (warning["line"].as_u64(), warning["column"].as_u64()),
        (Some(3), Some(11))
    );
    assert_eq!(warning["severity"], "warning");
    let (_out, tree) = build_site(site.path(), "public");
    let home = tree.text("index.html");
    assert!(
        home.contains("<html lang=\"fr\">"),
        "lang keeps what was written"
    );
    assert!(
        home.contains(">Skip to content<"),
        "the strings fall back to English"
    );
}

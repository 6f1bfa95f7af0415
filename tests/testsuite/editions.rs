//! What each edition shows (issue 11, points 1–6): sections per edition, no auditor's view in
//! the public trust center, one set of headline figures, the internal work queue, the public
//! home page and request links. HTML assertions on built sites.

use crate::common::sites::{check_json, site, write};
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

/// The pages of `tree`.
fn html_pages(tree: &Tree) -> impl Iterator<Item = (&String, String)> {
    tree.files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8_lossy(b).into_owned()))
}

#[test]
fn the_public_default_has_no_auditors_view() {
    let (_dir, public) = example("public");
    for page in [
        "traceability/index.html",
        "evidence/index.html",
        "risks/index.html",
        "findings/index.html",
    ] {
        assert!(!public.has(page), "{page} is written");
    }
    assert!(
        !public.files.keys().any(|p| p.starts_with("evidence/")
            || p.starts_with("risks/")
            || p.starts_with("findings/")),
        "no page or file of a hidden section"
    );
    for (path, html) in html_pages(&public) {
        for phrase in [
            "None linked",
            "Applicable controls with no policy",
            "open actions",
            "further findings",
            "Risk register",
            ">Traceability<",
            "Last reviewed",
        ] {
            assert!(!html.contains(phrase), "{path} says {phrase:?}");
        }
        for href in links(&html) {
            for hidden in ["traceability/", "evidence/", "risks/", "findings/"] {
                assert!(
                    !href.trim_start_matches("../").starts_with(hidden),
                    "{path} links to {href}"
                );
            }
        }
    }
    let sitemap = public.text("sitemap.xml");
    for hidden in ["/traceability/", "/evidence/", "/risks/", "/findings/"] {
        assert!(!sitemap.contains(hidden), "the sitemap lists {hidden}");
    }
    let search = public.text("search-index.json");
    for hidden in ["\"evidence/", "\"risks/", "\"findings/", "\"traceability/"] {
        assert!(!search.contains(hidden), "the search index has {hidden}");
    }
    // Suppliers: no risk rating, review date or notes below customer.
    let suppliers = public.text("suppliers/index.html");
    assert!(!suppliers.contains(">Risk</th>") && !suppliers.contains(">Reviewed</th>"));
    let customer_suppliers = example("customer").1.text("suppliers/index.html");
    assert!(
        customer_suppliers.contains(">Risk</th>"),
        "customers see risk ratings"
    );
    // A control page leaves empty relations out and says what is on request.
    let control = public.text("controls/a-5-15/index.html");
    assert!(!control.contains("id=\"risk-h\"") && !control.contains("id=\"find-h\""));
    assert!(
        control.contains("more evidence items available on request")
            || control.contains("1 more evidence item available on request"),
        "{control}"
    );
    // Internally, an empty relation is a gap worth seeing.
    let internal = example("internal").1.text("controls/a-5-6/index.html");
    assert!(internal.contains("None linked"), "{internal}");
}

#[test]
fn every_edition_states_the_same_headline_figures() {
    let figure = |tree: &Tree| {
        let home = tree.text("index.html");
        let at = home.find("<p class=\"big-figure\">").expect("the headline");
        home[at..at + home[at..].find("</p>").unwrap()].to_string()
    };
    let (_a, public) = example("public");
    let (_b, customer) = example("customer");
    let (_c, internal) = example("internal");
    assert!(
        figure(&public).contains("<strong>78</strong> of <strong>89</strong>"),
        "{}",
        figure(&public)
    );
    assert_eq!(figure(&public), figure(&customer));
    assert_eq!(figure(&public), figure(&internal));
    let soa_line = |tree: &Tree| {
        let page = tree.text("controls/index.html");
        page.lines()
            .find(|l| l.contains("applicable controls implemented") || l.contains(" of 89 "))
            .map(str::to_string)
    };
    assert_eq!(soa_line(&public), soa_line(&internal));
    // Evidence that exists but is restricted is "on request", never 0, on the page and in CSV.
    let soa = public.text("controls/index.html");
    let row = &soa[soa.find("<tr id=\"A.5.15\"").expect("A.5.15")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.ends_with("<td class=\"num\">available on request</td>\n"),
        "{row}"
    );
    let csv = public.text("controls/soa.csv");
    let line = csv
        .lines()
        .find(|l| l.starts_with("A.5.15,"))
        .expect("A.5.15 in CSV");
    assert!(line.ends_with(",available on request"), "{line}");
}

#[test]
fn the_internal_home_page_is_a_work_queue_most_urgent_first() {
    let (_dir, internal) = example("internal");
    let home = internal.text("index.html");
    let at = |s: &str| {
        home.find(s)
            .unwrap_or_else(|| panic!("{s} missing from the work queue"))
    };
    let order = [
        "Overdue findings",
        "Expired evidence",
        "Overdue policy reviews",
        "Evidence expiring within 30 days",
        "Controls with no policy",
        "Controls with no evidence",
    ];
    for pair in order.windows(2) {
        assert!(at(pair[0]) < at(pair[1]), "{} before {}", pair[0], pair[1]);
    }
    // The same facts `check` warns about: three expired items, oldest first.
    assert!(
        home.contains("<span class=\"count\">3</span> Expired evidence"),
        "{home}"
    );
    assert!(at("evidence/ev-022/") < at("evidence/ev-011/"));
    assert!(at("evidence/ev-011/") < at("evidence/ev-010/"));
    assert!(at("findings/f-2026-05/") < at("Expired evidence"));
    for control in [
        "controls/a-5-6/",
        "controls/a-7-13/",
        "controls/a-5-13/",
        "controls/a-7-4/",
    ] {
        assert!(home.contains(control), "{control}");
    }
    for audience in ["public", "customer"] {
        assert!(
            !example(audience)
                .1
                .text("index.html")
                .contains("Work queue"),
            "{audience}"
        );
    }
}

#[test]
fn the_public_home_page_answers_can_i_trust_them() {
    let (_dir, public) = example("public");
    let home = public.text("index.html");
    for expected in [
        // A badge per certificate: an SVG drawn by the theme, with a text alternative.
        "<svg class=\"cert-badge seal-certified\" role=\"img\" aria-labelledby=\"cert-badge-1\"",
        "<title id=\"cert-badge-1\">ISO/IEC 27001:2022: Certified, Valid until 2029-04-19</title>",
        // The example site holds two certificates (`certificates:`): two badges, in order.
        "<svg class=\"cert-badge seal-in-progress\" role=\"img\" aria-labelledby=\"cert-badge-2\"",
        "<title id=\"cert-badge-2\">ISO/IEC 27701:2019: Certification in progress</title>",
        "Read the full scope statement</a>",
        "Hosting regions",
        "EU (Frankfurt, eu-central-1)",
        "<svg class=\"coverage-bar\" role=\"img\" aria-label=\"78 of 89 applicable controls implemented (87%)\"",
        "id=\"sub-h\">Subprocessors</h2>",
        "href=\"suppliers/#subprocessors\">All subprocessors</a>",
        "id=\"pol-h\">Latest policy updates</h2>",
        "<a class=\"button\" href=\"https://www.brightwave.example/trust/request?title=Request+documents\">Request documents</a>",
    ] {
        assert!(home.contains(expected), "{expected} missing from {home}");
    }
    // Headings in order: one h1, then h2s (h3 only inside a panel).
    assert_eq!(home.matches("<h1").count(), 1);
    // Locks are an SVG icon with text, never an emoji.
    for audience in ["public", "customer", "internal"] {
        let (_d, tree) = example(audience);
        assert!(
            !tree.haystack().contains('🔒'),
            "{audience} has an emoji lock"
        );
    }
    let policies = public.text("policies/index.html");
    assert!(
        policies.contains("<svg class=\"icon-lock\" aria-hidden=\"true\""),
        "{policies}"
    );
}

/// A small site: one public policy that links to a public evidence item, a listed customer
/// policy, public findings and a supplier; `config` is added to `site.yaml`.
fn small_site(config: &str) -> tempfile::TempDir {
    let policy = |id: &str, class: &str, listed: bool, body: &str| {
        format!(
            "---\nid: {id}\ntitle: Title {id}\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: {class}\nlisted: {listed}\ncontrols: [A.5.1]\n---\n{body}\n"
        )
    };
    let dir = site(&[
        (
            "policies/open.md",
            &policy(
                "open",
                "public",
                false,
                "See [the report](evidence:hiddensection-ev), [its finding](finding:hiddensection-f), the [scope](/scope/) and A.5.1.",
            ),
        ),
        (
            "policies/listed.md",
            &policy("listed", "customer", true, "Body."),
        ),
        (
            "controls/m.yaml",
            "- control: A.5.1\n  applicable: true\n  status: implemented\n  evidence: [hiddensection-ev]\n  classification: public\n",
        ),
        (
            "evidence/r.yaml",
            "- id: hiddensection-ev\n  title: Hiddensection evidence title\n  kind: report\n  classification: public\n",
        ),
        (
            "findings/f.yaml",
            "- id: hiddensection-f\n  title: Hiddensection finding title\n  kind: observation\n  raised: 2026-01-01\n  status: open\n  classification: public\n",
        ),
    ]);
    write(
        dir.path(),
        "site.yaml",
        format!("title: T\nbase_url: https://example.test/\norganisation:\n  name: Org\n  contact_email: trust@example.test\n{config}").as_bytes(),
    );
    dir
}

#[test]
fn a_hidden_section_leaks_nothing() {
    // Public items of sections the edition does not have: no page, entry or title anywhere;
    // a Markdown link to one is its text only.
    let dir = small_site(
        "editions:\n  public:\n    sections: [overview, policies]\n  customer:\n    sections: [overview, policies, controls, evidence]\n",
    );
    let out = tempfile::tempdir().unwrap();
    let public = build_ok(dir.path(), "public", &out.path().join("public"));
    let hay = public.haystack().to_lowercase();
    assert!(!hay.contains("hiddensection"), "a hidden section leaks");
    for prefix in [
        "controls/",
        "evidence/",
        "findings/",
        "scope/",
        "traceability/",
    ] {
        assert!(
            !public.files.keys().any(|p| p.starts_with(prefix)),
            "{prefix} is written"
        );
    }
    let page = public.text("policies/open/index.html");
    assert!(
        page.contains("See the report, its finding, the scope and A.5.1."),
        "{page}"
    );
    assert!(!page.contains("href=\"../../scope/\""), "{page}");
    assert!(
        !page.contains("control-ref"),
        "a bare control id is text: {page}"
    );
    let nav = &page[page.find("<nav class=\"site-nav\"").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(
        !nav.contains("Scope") && !nav.contains("Statement") && !nav.contains("Controls"),
        "{nav}"
    );
    assert!(!public.text("sitemap.xml").contains("/controls/"));
    // No entry for a control (a policy's body may still say "A.5.1" in its text, as its page does).
    let index = public.text("search-index.json");
    assert!(!index.contains("controls/"), "{index}");
    assert!(!index.contains("\"k\":\"Control\""), "{index}");
    // The customer edition has controls and evidence but no findings and no scope.
    let customer = build_ok(dir.path(), "customer", &out.path().join("customer"));
    let hay = customer.haystack();
    assert!(hay.contains("hiddensection evidence title"));
    assert!(!hay.contains("hiddensection finding title"));
    assert!(!hay.contains("hiddensection-f"));
    assert!(!customer.has("scope/index.html"));
    let page = customer.text("policies/open/index.html");
    assert!(
        page.contains("<a href=\"../../evidence/hiddensection-ev/\">the report</a>"),
        "{page}"
    );
    assert!(
        page.contains("its finding") && !page.contains("findings/"),
        "{page}"
    );
}

#[test]
fn items_on_request_link_to_the_request_form_or_a_mail() {
    let out = tempfile::tempdir().unwrap();
    // A form: given the item's title, URL-encoded.
    let dir = small_site("requests:\n  url: https://forms.example/trust?src=tc\n");
    let public = build_ok(dir.path(), "public", &out.path().join("form"));
    let policies = public.text("policies/index.html");
    assert!(
        policies.contains("<a class=\"request-link\" href=\"https://forms.example/trust?src=tc&amp;title=Title+listed\">Request<span class=\"visually-hidden\"> Title listed</span></a>"),
        "{policies}"
    );
    // The id of an item the reader may not open is not published, not even in the link.
    assert!(!public.haystack().contains("listed.md") && !policies.contains("=listed"));
    // Without a form: a mail whose subject names the item.
    let dir = small_site("");
    let public = build_ok(dir.path(), "public", &out.path().join("mail"));
    let policies = public.text("policies/index.html");
    assert!(
        policies.contains(
            "href=\"mailto:trust@example.test?subject=Document%20request%3A%20Title%20listed\""
        ),
        "{policies}"
    );
    let home = public.text("index.html");
    assert!(
        home.contains(
            "href=\"mailto:trust@example.test?subject=Document%20request%3A%20Request%20documents\""
        ),
        "{home}"
    );
}

#[test]
fn config_errors_name_their_line_and_column() {
    let dir = small_site(
        "editions:\n  public:\n    sections: [overview, polices]\nrequests:\n  url: javascript:alert(1)\n",
    );
    let (code, diags) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            format!(
                "{}:{}:{} {} {}",
                d["path"].as_str().unwrap_or(""),
                d["line"],
                d["column"],
                d["rule"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        errors.iter().any(|e| e
            .starts_with("site.yaml:8:26 unknown-value unknown section \"polices\"")
            && e.contains("(did you mean \"policies\"?)")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("site.yaml:10:8 unsafe-url")),
        "{errors:?}"
    );
}

#[test]
fn several_certificates_a_badge_each_and_never_both_keys() {
    let dir = small_site(
        "certificates:\n  - status: certified\n    standard: SOC 2 Type II\n    reference: S-1\n    register_url: https://verify.example/S-1\n  - status: not-certified\n    standard: ISO/IEC 27701:2019\n  - status: certified\n    register_url: \"javascript:alert(1)\"\n",
    );
    // The third certificate's register link runs script: an error at its own line.
    let (code, diags) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        diags
            .iter()
            .any(|d| d["rule"] == "unsafe-url" && d["line"] == 14),
        "{:?}",
        errors_of(&diags)
    );
    write(
        dir.path(),
        "site.yaml",
        b"title: T\nbase_url: https://example.test/\norganisation:\n  name: Org\ncertificates:\n  - status: certified\n    standard: SOC 2 Type II\n    reference: S-1\n    register_url: https://verify.example/S-1\n  - status: in-progress\n    standard: ISO/IEC 27701:2019\n  - status: certified\n    expires: 2020-01-31\n",
    );
    let out = tempfile::tempdir().unwrap();
    let tree = build_ok(dir.path(), "public", &out.path().join("p"));
    let home = tree.text("index.html");
    assert_eq!(
        home.matches("<div class=\"cert-item\">").count(),
        3,
        "{home}"
    );
    for expected in [
        "<title id=\"cert-badge-1\">SOC 2 Type II: Certified</title>",
        "<title id=\"cert-badge-2\">ISO/IEC 27701:2019: Certification in progress</title>",
        // Without a `standard`, a badge names ISO/IEC 27001.
        "<title id=\"cert-badge-3\">ISO/IEC 27001: Certified, Valid until 2020-01-31</title>",
        "<dd>S-1</dd>",
        "href=\"https://verify.example/S-1\"",
    ] {
        assert!(home.contains(expected), "{expected} missing from {home}");
    }
    // Only the expired one says so beside its badge.
    assert_eq!(
        home.matches("class=\"badge b-expired\"").count(),
        1,
        "{home}"
    );
    let first = home.find("cert-badge-1").unwrap_or(usize::MAX);
    assert!(first < home.find("cert-badge-2").unwrap_or(0));
    // `certificate:` and `certificates:` together: an error naming both lines.
    write(
        dir.path(),
        "site.yaml",
        b"title: T\nbase_url: https://example.test/\norganisation:\n  name: Org\ncertificate:\n  status: certified\ncertificates:\n  - status: in-progress\n",
    );
    let (code, diags) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        diags.iter().any(|d| d["rule"] == "unknown-field"
            && d["line"] == 8
            && d["message"].as_str().is_some_and(|m| m.contains(
                "both `certificate` (its fields from line 6) and `certificates` (its list from line 8) are given"
            ))),
        "{:?}",
        errors_of(&diags)
    );
}

/// The errors among `diags` (the warnings of a small site are every unassessed control).
fn errors_of(diags: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    diags.iter().filter(|d| d["severity"] == "error").collect()
}

//! Issue 11's pages that read well, on the built example site: the SoA (chart, one filter,
//! compact rows, captions, internal gaps), the traceability matrix, the search index (bodies
//! and register fields, nothing restricted), print rules and the markup phones rely on.

use crate::common::*;
use serde_json::Value;

fn example(audience: &str) -> (tempfile::TempDir, Tree) {
    let dir = tempfile::tempdir().unwrap();
    let tree = build_ok(
        &repo().join("example-site"),
        audience,
        &dir.path().join("out"),
    );
    (dir, tree)
}

/// The HTML between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not found"));
    let rest = &html[from..];
    &rest[..rest.find(end).map_or(rest.len(), |i| i + end.len())]
}

#[test]
fn soa_has_a_chart_with_a_table_then_one_filter_above_the_themes() {
    let (_d, tree) = example("customer");
    let html = tree.text("controls/index.html");
    let chart = html
        .find("<svg class=\"chart\"")
        .expect("an inline SVG chart");
    let filter = html.find("id=\"soa-filter\"").expect("one filter box");
    let first_table = html.find("<table class=\"soa\"").expect("a theme table");
    assert!(
        chart < filter && filter < first_table,
        "chart, filter, then tables"
    );
    assert_eq!(html.matches("id=\"soa-filter\"").count(), 1);
    assert_eq!(
        html.matches("<table class=\"soa\"").count(),
        4,
        "one table per theme"
    );
    // The chart names itself and its figures in words; the same figures are a table.
    let svg = between(&html, "<svg class=\"chart\"", "</svg>");
    assert!(svg.contains("role=\"img\""), "{svg}");
    assert!(
        svg.contains("<title id=\"chart-title\">Status by theme: Organizational controls: "),
        "{svg}"
    );
    assert_eq!(svg.matches("class=\"chart-label\"").count(), 4, "{svg}");
    let table = between(&html, "<details class=\"chart-table\">", "</details>");
    assert!(table.contains("<th scope=\"row\">People</th>"), "{table}");
    assert!(
        table.contains("<th scope=\"col\" class=\"num\">Implemented</th>"),
        "{table}"
    );
    // Counts that follow the filter, and the message when nothing matches.
    assert!(html.contains("<span class=\"soa-count\" data-total=\"37\">37</span>"));
    assert!(html.contains(
        "<p id=\"soa-no-match\" class=\"soa-no-match\" hidden>No matching controls.</p>"
    ));
    assert!(html.contains("data-template=\"{} of {} controls shown\""));
    // Without a script the filter is hidden rather than dead.
    assert!(html.contains("<div class=\"soa-filter js-only\">"));
    assert!(
        html.contains("<noscript><style>.js-only { display: none !important; }</style></noscript>")
    );
}

#[test]
fn soa_rows_are_compact_with_row_headers_and_captions() {
    let (_d, tree) = example("customer");
    let html = tree.text("controls/index.html");
    assert_eq!(
        html.matches("<caption class=\"visually-hidden\">").count(),
        5,
        "4 themes and the chart table"
    );
    assert!(html.contains("<caption class=\"visually-hidden\">People controls: applicability, status, justification, owner and linked items</caption>"));
    let row = between(&html, "<tr id=\"A.5.1\"", "</tr>");
    assert!(
        row.contains("<th scope=\"row\"><a href=\"../controls/a-5-1/\">"),
        "{row}"
    );
    // A long justification collapses behind its first words; a short one is shown whole.
    let long = between(&html, "<tr id=\"A.5.3\"", "</tr>");
    assert!(long.contains("<details class=\"more\"><summary>Segregation between code authors, reviewers and…</summary>"), "{long}");
    let short = between(&html, "<tr id=\"A.5.4\"", "</tr>");
    assert!(!short.contains("<details"), "{short}");
    assert!(
        short.contains("Leadership commitment is required to resource and sustain the ISMS."),
        "{short}"
    );
    // No gap tint outside the internal edition.
    assert!(!html.contains("row-gap"), "gaps are the internal edition's");
}

#[test]
fn internal_soa_tints_and_labels_gaps_in_words() {
    let (_d, tree) = example("internal");
    let html = tree.text("controls/index.html");
    let gaps: Vec<&str> = html
        .match_indices("<tr id=\"")
        .map(|(i, _)| &html[i..])
        .filter(|r| r[..r.find('>').unwrap_or(0)].contains("row-gap"))
        .collect();
    assert!(!gaps.is_empty(), "the example site has gaps");
    for row in gaps {
        let row = &row[..row.find("</tr>").unwrap_or(row.len())];
        assert!(
            row.contains("<span class=\"gap-label\"><strong>Gap:</strong> "),
            "labelled, not colour alone: {row}"
        );
    }
    assert!(
        html.contains("<strong>Gap:</strong> no evidence"),
        "a control without evidence is labelled"
    );
}

#[test]
fn traceability_matrix_has_policies_and_evidence_as_real_cells() {
    let (_d, tree) = example("customer");
    let html = tree.text("traceability/index.html");
    let matrix = between(&html, "<table class=\"matrix\">", "</table>");
    assert!(matrix.contains("<caption class=\"visually-hidden\">Each control (row) against the policies and evidence (columns) linked to it</caption>"));
    assert!(
        matrix.contains("<th scope=\"colgroup\" colspan=\""),
        "column groups: policies and evidence"
    );
    assert!(
        matrix.contains("class=\"group group-evidence\">Evidence</th>"),
        "evidence columns"
    );
    assert!(matrix.contains("<span class=\"cid\">EV-003</span> Independent penetration test attestation letter 2026</a></th>"), "readable evidence heading");
    assert!(
        !matrix.contains("class=\"rot\""),
        "no rotated, truncated headings"
    );
    assert!(
        !matrix.contains("<span aria-label"),
        "no aria-label on a bare span"
    );
    assert!(matrix.contains("<td class=\"cell on\"><span aria-hidden=\"true\">●</span><span class=\"visually-hidden\">linked</span></td>"));
    assert!(
        matrix.contains("<th scope=\"row\"><a href=\"../controls/a-5-1/\">"),
        "controls are row headers"
    );
    // A5.1 has a policy and evidence in every edition; a control with neither is tinted and
    // says so in words.
    let covered = between(
        matrix,
        "<tr><th scope=\"row\"><a href=\"../controls/a-5-1/\">",
        "</tr>",
    );
    assert!(covered.contains("<td class=\"cell on\">"), "{covered}");
    assert!(!covered.contains("row-uncovered"), "{covered}");
    let uncovered = between(matrix, "<tr class=\"row-uncovered\">", "</tr>");
    assert!(
        uncovered.contains("<span class=\"gap-label\">no policy or evidence</span>"),
        "{uncovered}"
    );
    // The sticky headings are the stylesheet's.
    let css = tree.text("style.css");
    assert!(css.contains("table.matrix thead { position: sticky; top: 0;"));
    assert!(
        css.contains("table.matrix tbody th, table.matrix .corner { position: sticky; left: 0;")
    );
}

fn index(tree: &Tree) -> Vec<Value> {
    match serde_json::from_str(&tree.text("search-index.json")) {
        Ok(Value::Array(entries)) => entries,
        other => panic!("search-index.json is a list: {other:?}"),
    }
}

/// The titles of the entries whose title, fields or text contain `word` (any case).
fn found(entries: &[Value], word: &str) -> Vec<String> {
    let word = word.to_lowercase();
    entries
        .iter()
        .filter(|e| {
            ["t", "s", "b"]
                .iter()
                .any(|k| e[*k].as_str().unwrap_or("").to_lowercase().contains(&word))
        })
        .map(|e| e["t"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn search_index_holds_bodies_and_register_fields() {
    let (_d, tree) = example("public");
    let entries = index(&tree);
    for word in ["SOC 2", "GDPR", "pentest"] {
        assert!(
            !found(&entries, word).is_empty(),
            "public search finds {word:?}"
        );
    }
    // Register fields: a supplier's assurance; text: a policy's body, plain and trimmed.
    assert!(
        found(&entries, "SOC 2 Type II")
            .iter()
            .any(|t| t.contains("Amazon Web Services"))
    );
    let policy = entries
        .iter()
        .find(|e| e["t"] == "Information Security Policy")
        .expect("the public policy is indexed");
    let body = policy["b"].as_str().unwrap_or("");
    assert!(
        body.contains("penetration test (pentest; attestation letter)"),
        "{body}"
    );
    assert!(
        !body.contains('<') && !body.contains("](") && !body.contains("evidence:"),
        "plain text: {body}"
    );
    assert!(
        body.chars().count() <= 8000,
        "trimmed: {}",
        body.chars().count()
    );
    // The customer edition finds what it may see, and more.
    let (_d2, customer) = example("customer");
    let more = index(&customer);
    assert!(
        found(&more, "Access Control Policy").len()
            > found(&entries, "Access Control Policy").len()
    );
}

#[test]
fn search_index_has_nothing_restricted() {
    for (audience, forbidden) in [
        ("public", &["canarycus", "canaryint"][..]),
        ("customer", &["canaryint"][..]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let tree = build_ok(&fixture("canary"), audience, &dir.path().join("out"));
        let text = tree.text("search-index.json").to_lowercase();
        for marker in forbidden {
            if let Some(i) = text.find(marker) {
                panic!(
                    "{audience} search index leaks {marker}: …{}…",
                    &text[i.saturating_sub(120)..(i + 40).min(text.len())]
                );
            }
        }
        // It does hold the text of what the reader may open.
        let entries = index(&tree);
        assert!(
            !found(&entries, "a heading whose autolink is withheld").is_empty(),
            "{audience}: the public policy's text is searchable"
        );
    }
}

#[test]
fn search_box_is_in_the_html_as_a_combobox() {
    let (_d, tree) = example("public");
    let html = tree.text("index.html");
    let form = between(
        &html,
        "<form class=\"search js-only\" role=\"search\"",
        "</form>",
    );
    assert!(
        !form.contains(" hidden>\n      <label"),
        "not revealed by a script: {form}"
    );
    assert!(form.contains("role=\"combobox\" aria-autocomplete=\"list\" aria-expanded=\"false\" aria-controls=\"search-results\""), "{form}");
    assert!(
        form.contains("<ul id=\"search-results\" class=\"search-results\" role=\"listbox\""),
        "{form}"
    );
    assert!(
        form.contains("role=\"status\" aria-live=\"polite\""),
        "{form}"
    );
    assert!(
        form.contains("<p class=\"search-more muted small\" hidden></p>"),
        "{form}"
    );
    let js = tree.text("trustpress.js");
    for needle in [
        "ArrowDown",
        "ArrowUp",
        "\"Enter\"",
        "aria-activedescendant",
        "more results",
        "!box.contains(ev.target)",
    ] {
        assert!(js.contains(needle), "trustpress.js handles {needle}");
    }
}

#[test]
fn print_marks_every_page_with_the_edition_title_version_and_number() {
    let (_d, customer) = example("customer");
    let policy = customer.text("policies/access-control/index.html");
    let style = between(&policy, "<style media=\"print\">", "</style>");
    assert!(
        style.contains("@top-left { content: \"Access Control Policy\"; }"),
        "{style}"
    );
    assert!(
        style.contains(
            "@top-right { content: \"Customer edition — confidential, shared under NDA\"; }"
        ),
        "{style}"
    );
    assert!(
        style.contains("@bottom-left { content: \"Brightwave Analytics Ltd · Version "),
        "{style}"
    );
    assert!(
        style.contains("counter(page) \" / \" counter(pages)"),
        "{style}"
    );
    let (_d2, public) = example("public");
    let soa = public.text("controls/index.html");
    let style = between(&soa, "<style media=\"print\">", "</style>");
    assert!(
        style.contains("@top-right { content: \"Public\"; }"),
        "{style}"
    );
    assert!(style.contains("Generated 2026-11-30"), "{style}");
    let css = public.text("style.css");
    let print = &css[css
        .find("/* ---- Print (issue 11)")
        .expect("the print section")..];
    for rule in [
        ".toc, .js-only, .soa-filter",
        ".site-nav, .search { display: none !important; }",
        "details.more::details-content",
        "table.soa { font-size: 7.5pt;",
    ] {
        assert!(print.contains(rule), "print CSS has {rule}");
    }
}

#[test]
fn pages_keep_notices_in_landmarks_and_task_boxes_labelled() {
    let (_d, tree) = example("internal");
    let home = tree.text("index.html");
    let header = between(&home, "<header class=\"site-header\">", "</header>");
    assert!(
        header.contains("<p class=\"notice-bar\">"),
        "the notice is inside the banner"
    );
    let policy = tree.text("policies/data-retention/index.html");
    assert!(
        policy.contains("<span class=\"task\">☐</span> Confirm retention"),
        "task boxes are text"
    );
    assert!(!policy.contains("type=\"checkbox\""));
    let not_found = tree.text("404.html");
    assert!(
        not_found.contains("<a class=\"skip-link\" href=\"#main\">")
            && !not_found.contains("<base ")
    );
    // Code blocks that scroll can take focus (for the keyboard).
    let crypto = tree.text("policies/cryptography/index.html");
    assert!(crypto.contains("<pre class=\"code hl-code\" data-lang=\"yaml\" tabindex=\"0\">"));
}

/// The filter box of register table `id` on `html`: in the HTML, hidden without a script,
/// labelled, naming its table, with a status for its counts, and right above that table.
fn assert_register_filter(html: &str, id: &str) {
    let filter = html
        .find(&format!("id=\"filter-{id}\""))
        .unwrap_or_else(|| panic!("no filter box for {id}"));
    let table = html
        .find(&format!("<table class=\"list\" id=\"table-{id}\">"))
        .unwrap_or_else(|| panic!("no table-{id}"));
    assert!(filter < table, "{id}: the box is above its table");
    assert!(
        !html[filter..table].contains("<table"),
        "{id}: directly above"
    );
    let this = between(
        html,
        &format!(
            "<div class=\"table-filter js-only\"><label class=\"visually-hidden\" for=\"filter-{id}\">"
        ),
        "</div>",
    );
    for expected in [
        "Filter table rows</label>".to_string(),
        format!(
            "<input id=\"filter-{id}\" class=\"filter\" type=\"search\" placeholder=\"Filter rows…\" autocomplete=\"off\" data-filter=\"table-{id}\" aria-controls=\"table-{id}\" aria-describedby=\"filter-{id}-status\">"
        ),
        format!(
            "<span id=\"filter-{id}-status\" class=\"muted small\" role=\"status\" data-template=\"{{}} of {{}} rows shown\"></span>"
        ),
    ] {
        assert!(this.contains(&expected), "{expected} missing from {this}");
    }
}

#[test]
fn register_filter_boxes_are_in_the_html_not_inserted_by_script() {
    let (_d, internal) = example("internal");
    for (page, ids) in [
        ("policies/index.html", &["policies"][..]),
        ("evidence/index.html", &["evidence"]),
        ("risks/index.html", &["risks"]),
        ("findings/index.html", &["findings"]),
    ] {
        let html = internal.text(page);
        for id in ids {
            assert_register_filter(&html, id);
        }
        assert!(
            html.contains(
                "<noscript><style>.js-only { display: none !important; }</style></noscript>"
            ),
            "{page}"
        );
    }
    // A short table has no box (fewer than 8 rows): the public policy list.
    let (_p, public) = example("public");
    let policies = public.text("policies/index.html");
    assert!(policies.contains("<table class=\"list\" id=\"table-policies\">"));
    assert!(!policies.contains("table-filter"), "{policies}");
    // Suppliers (both tables) and open actions: a site with nine of each.
    let mut suppliers = String::new();
    let mut findings = String::new();
    for i in 1..=9 {
        suppliers.push_str(&format!("- id: sub-{i}\n  name: Sub {i}\n  subprocessor: true\n- id: sup-{i}\n  name: Sup {i}\n  subprocessor: false\n"));
        findings.push_str(&format!("- id: f-{i}\n  title: Finding {i}\n  kind: minor-nonconformity\n  raised: 2026-01-01\n  due: 2026-12-01\n  status: open\n  classification: public\n"));
    }
    let dir = crate::common::sites::site(&[
        ("suppliers/s.yaml", &suppliers),
        ("findings/f.yaml", &findings),
    ]);
    let out = tempfile::tempdir().unwrap();
    let tree = build_ok(dir.path(), "internal", &out.path().join("i"));
    let html = tree.text("suppliers/index.html");
    assert_register_filter(&html, "subprocessors");
    assert_register_filter(&html, "suppliers");
    let html = tree.text("findings/index.html");
    assert_register_filter(&html, "open-actions");
    assert_register_filter(&html, "findings");
    // The script filters what the HTML holds and creates no input of its own.
    let js = tree.text("trustpress.js");
    assert!(js.contains("main input[data-filter]"));
    assert!(!js.contains("createElement(\"input\")"), "{js}");
}

#[test]
fn only_pages_that_can_hold_code_load_the_highlight_stylesheet() {
    let (_d, internal) = example("internal");
    // Render-blocking on the first screen for nothing: pages without Markdown do without it.
    for page in [
        "index.html",
        "policies/index.html",
        "controls/index.html",
        "traceability/index.html",
        "evidence/index.html",
        "risks/index.html",
        "findings/index.html",
        "suppliers/index.html",
        "404.html",
    ] {
        let html = internal.text(page);
        assert!(!html.contains("highlight.css"), "{page}");
        assert!(!html.contains("class=\"hl-"), "{page} has highlighted code");
    }
    let policy = internal.text("policies/secure-development/index.html");
    assert!(policy.contains("class=\"hl-"));
    assert!(policy.contains("<link rel=\"stylesheet\" href=\"../../highlight.css\">"));
    assert!(internal.text("scope/index.html").contains("highlight.css"));
    assert!(internal.files.contains_key("highlight.css"));
}

/// The rule of `selector` in `css` (its first occurrence).
fn rule<'a>(css: &'a str, selector: &str) -> &'a str {
    between(css, &format!("\n{selector} {{"), "}")
}

#[test]
fn screenshot_findings_stay_fixed() {
    let (_d, public) = example("public");
    let css = public.text("style.css");
    // The space under the header: main is also .wrap, whose padding came later and won.
    assert!(
        rule(&css, "main.wrap").contains("padding-top: 1.5rem"),
        "{css}"
    );
    // One colour per status: the home page's coverage bar as the SoA chart and the badges.
    for (bar, seg) in [
        ("partially-implemented", "var(--warn)"),
        ("planned", "var(--info)"),
    ] {
        assert!(rule(&css, &format!(".bar-{bar}")).contains(&format!("fill: {seg}")));
        assert!(rule(&css, &format!(".seg-{bar}")).contains(seg));
    }
    // The home page's certificates: the badge says standard, status and expiry once; no pill
    // or rows repeat them.
    let home = public.text("index.html");
    let cert = between(&home, "<section class=\"panel cert\"", "</section>");
    assert!(!cert.contains("class=\"badge b-certified\""), "{cert}");
    assert!(!cert.contains("<dt>Standard</dt>") && !cert.contains("<dt>Valid until</dt>"));
    assert!(
        cert.contains("<dt>Certificate</dt><dd>IS 789456</dd>"),
        "{cert}"
    );
    // Dates of the latest policy updates do not break at their hyphens.
    assert!(home.contains("<ul class=\"plain latest\">"));
    assert!(rule(&css, ".latest .muted").contains("white-space: nowrap"));
}

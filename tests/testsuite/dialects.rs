//! Markdown as other tools' authors write it (issue 10): `#` for sections (shifted one level
//! down, with a table of contents), GFM alerts and MkDocs admonitions (callouts), and mermaid
//! blocks (shown as their source; no diagram script is loaded).

use crate::common::build_ok;
use crate::common::sites::*;

const POLICY: &str = r#"---
title: Dialects
owner: O
version: "1"
status: approved
approved: 2026-01-01
classification: public
controls: [A.5.1]
---
# Purpose

See [the roles](#roles) and [the scope](../scope.md).

# Roles

> [!WARNING]
> Only **owners** approve.

> [!TIP]
> Ask early.

## Approvers

!!! note "Before you start"
    Read the [scope](../scope.md) first.

    !!! danger
        Never share keys.

??? question "Why so strict?"
    Auditors ask.

???+ info
    Shown at first.

```mermaid
graph TD
  A --> B
```

# Records

Kept for a year.
"#;

const SCOPE: &str = "---\ntitle: Scope\n---\n# Boundaries\n\nEverything.\n\n# Exclusions\n\nNone.\n\n# Interfaces\n\nAll.\n";

#[test]
fn a_policy_in_other_tools_dialects_builds_as_written() {
    let dir = site(&[("policies/dialects.md", POLICY), ("scope.md", SCOPE)]);
    let (code, diags) = check_json(dir.path(), &[]);
    let anchors: Vec<_> = diags
        .iter()
        .filter(|d| d["rule"] == "broken-anchor" || d["rule"] == "broken-link")
        .collect();
    assert!(anchors.is_empty(), "{anchors:?}");
    assert_eq!(code, 0, "{diags:?}");

    let out = tempfile::tempdir().expect("temp");
    let tree = build_ok(dir.path(), "public", out.path());
    let page = tree.text("policies/dialects/index.html");

    // One h1, the title; the sections are h2 (their subsections h3) with their own ids, and
    // in the table of contents.
    assert_eq!(page.matches("<h1").count(), 1, "{page}");
    for heading in [
        r#"<h2 id="purpose">Purpose</h2>"#,
        r#"<h2 id="roles">Roles</h2>"#,
        r#"<h3 id="approvers">Approvers</h3>"#,
        r#"<h2 id="records">Records</h2>"#,
    ] {
        assert!(page.contains(heading), "{heading} in {page}");
    }
    let toc = page
        .split(r#"<nav class="toc""#)
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .unwrap_or_else(|| panic!("no table of contents in {page}"));
    for entry in ["#purpose", "#roles", "#approvers", "#records"] {
        assert!(
            toc.contains(&format!("href=\"{entry}\"")),
            "{entry} in {toc}"
        );
    }

    // GFM alerts and MkDocs admonitions are callouts, not quotes or code.
    for callout in [
        "<div class=\"callout callout-warning\">\n<p class=\"callout-title\">Warning</p>\n<p>Only <strong>owners</strong> approve.</p>\n</div>",
        "<div class=\"callout callout-tip\">\n<p class=\"callout-title\">Tip</p>",
        "<div class=\"callout callout-note\">\n<p class=\"callout-title\">Before you start</p>",
        "<div class=\"callout callout-caution\">\n<p class=\"callout-title\">Danger</p>\n<p>Never share keys.</p>\n</div>\n</div>",
        "<details class=\"callout callout-note\">\n<summary class=\"callout-title\">Why so strict?</summary>\n<p>Auditors ask.</p>\n</details>",
        "<details class=\"callout callout-note\" open>\n<summary class=\"callout-title\">Info</summary>",
    ] {
        assert!(page.contains(callout), "{callout} in {page}");
    }
    assert!(
        page.contains(r#"Read the <a href="../../scope/">scope</a> first."#),
        "{page}"
    );
    for raw in ["!!!", "???", "[!WARNING]", "<blockquote", "markdown-alert"] {
        assert!(!page.contains(raw), "{raw} in {page}");
    }

    // The mermaid block is labelled source, and no script but the theme's own is loaded.
    assert!(
        page.contains("<figcaption class=\"diagram-title\">Diagram (Mermaid source)</figcaption>\n<pre class=\"code\" tabindex=\"0\"><code>graph TD\n  A --&gt; B\n</code></pre>"),
        "{page}"
    );
    assert!(
        page.contains("Diagrams are shown as their source text."),
        "{page}"
    );
    let scripts: Vec<_> = page.match_indices("<script").collect();
    assert_eq!(scripts.len(), 1, "{page}");
    assert!(
        page.contains(r#"<script src="../../trustpress.js" defer></script>"#),
        "{page}"
    );
    let prose = page.split("<script").next().unwrap_or_default();
    assert!(!prose.to_lowercase().contains("mermaid.js"), "{page}");
    for file in tree.files.keys() {
        assert!(!file.to_lowercase().contains("mermaid"), "{file}");
    }

    // The scope statement is shifted the same way and gets its contents.
    let home = tree.text("scope/index.html");
    assert_eq!(home.matches("<h1").count(), 1, "{home}");
    assert!(
        home.contains(r#"<h2 id="exclusions">Exclusions</h2>"#),
        "{home}"
    );

    // The callout and diagram styles ship in the theme's stylesheet.
    let css = tree.text("style.css");
    for rule in [
        ".callout {",
        ".callout-caution",
        "details.callout",
        ".diagram-title",
    ] {
        assert!(css.contains(rule), "{rule}");
    }
}

/// A broken link or anchor inside an admonition is reported where it was written.
#[test]
fn diagnostics_inside_admonitions_keep_their_positions() {
    let policy = "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: public\ncontrols: [A.5.1]\n---\n# One\n\n!!! note \"T\"\n    Text.\n\n\tSee [x](policy:nope) and [y](#one).\n\n    [z](#two)\n";
    let dir = site(&[("policies/p.md", policy)]);
    let (code, diags) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "{diags:?}");
    let at = |rule: &str| -> Vec<(u64, u64)> {
        diags
            .iter()
            .filter(|d| d["rule"] == rule)
            .map(|d| {
                (
                    d["line"].as_u64().unwrap_or(0),
                    d["column"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    assert_eq!(at("broken-link"), [(15, 6)], "{diags:?}");
    assert_eq!(at("broken-anchor"), [(17, 5)], "{diags:?}");
}

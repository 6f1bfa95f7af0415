//! Leak tests beyond the canary fixture as it stands: the same fixture built with other site
//! settings or template overrides. No build may contain a marker above its audience.

use std::path::{Path, PathBuf};

use crate::common::*;

/// A copy of the canary fixture in `dir`, changed by `edit`.
fn canary_copy(dir: &Path, edit: impl FnOnce(&Path)) -> PathBuf {
    let from = fixture("canary");
    let site = dir.join("site");
    for entry in walkdir::WalkDir::new(&from).into_iter().flatten() {
        let to = site.join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    edit(&site);
    site
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap_or_default();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

/// Builds `site` for every audience and checks the markers each may and may not contain.
fn assert_no_leaks(site: &Path, out: &Path) {
    for (audience, forbidden) in [
        ("public", &["canaryint", "canarycus"][..]),
        ("customer", &["canaryint"][..]),
    ] {
        let tree = build_ok(site, audience, &out.join(audience));
        let hay = tree.haystack();
        for marker in forbidden {
            if let Some(i) = hay.find(marker) {
                panic!(
                    "{audience} build leaks {marker}: …{}…",
                    &hay[i.saturating_sub(120)..(i + 40).min(hay.len())]
                );
            }
        }
    }
    let hay = build_ok(site, "internal", &out.join("internal")).haystack();
    for marker in canary_markers(site)
        .iter()
        .filter(|m| !m.ends_with("-never"))
    {
        assert!(
            hay.contains(marker.as_str()),
            "internal build is missing {marker}"
        );
    }
}

#[test]
fn raw_html_allowed_leaks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let site = canary_copy(dir.path(), |site| {
        append(&site.join("site.yaml"), "allow_raw_html: true\n")
    });
    assert_no_leaks(&site, &dir.path().join("out"));
}

#[test]
fn listed_items_carry_only_their_title() {
    // A template override may print any field of a view, so for an item listed "available on
    // request" the view must hold its title and nothing else: not its id (a page address),
    // nor a kind or status badge, nor which section it belongs in.
    let dir = tempfile::tempdir().unwrap();
    let site = canary_copy(dir.path(), |site| {
        std::fs::create_dir_all(site.join("templates")).unwrap();
        std::fs::write(
            site.join("templates/item_link.html"),
            "<span data-id=\"{{ l.id }}\">{{ l.title }}</span>",
        )
        .unwrap();
    });
    assert_no_leaks(&site, &dir.path().join("out"));

    // (Customers: the public edition has no findings section by default.)
    let public = build_ok(&fixture("canary"), "customer", &dir.path().join("pub"));
    let control = public.text("controls/a-5-1/index.html");
    let at = control
        .find("Listed finding on request")
        .expect("the listed finding's title is shown");
    let item = &control[at..at + control[at..].find("</li>").unwrap()];
    assert!(!item.contains("badge"), "no kind or status: {item}");
    assert!(!item.contains("muted"), "no note: {item}");
    let suppliers = public.text("suppliers/index.html");
    let others = suppliers.find("id=\"suppliers\"").expect("other suppliers");
    let listed = suppliers
        .find("Listed Processor Co")
        .expect("listed supplier");
    assert!(
        listed > others,
        "a listed supplier is not shown as a subprocessor"
    );
}

#[test]
fn a_build_written_into_the_site_is_never_published_again() {
    // An internal build under static/ would be copied into every later build, public ones
    // included: --out refuses content folders, and a folder holding a trustpress output is
    // never read as content even if it got there some other way.
    let dir = tempfile::tempdir().unwrap();
    let site = canary_copy(dir.path(), |_| {});
    let refused = build(&site, "internal", &site.join("static/internal"));
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("inside the site's static/ folder"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!site.join("static/internal").exists());

    // Built elsewhere, then moved into static/ by hand.
    build_ok(&site, "internal", &dir.path().join("internal"));
    std::fs::rename(dir.path().join("internal"), site.join("static/internal")).unwrap();
    let public = build_ok(&site, "public", &dir.path().join("public"));
    assert!(
        !public.haystack().contains("canaryint"),
        "the moved build was not published"
    );
    assert!(public.has("extra.css"), "the rest of static/ still is");
}

/// Below internal, only documents a reader can ask for (policies, evidence) are counted; the
/// size of the risk, finding and supplier registers and hidden relations are never published,
/// and `show_restricted_counts: false` removes the document counts too.
#[test]
fn only_documents_are_counted_and_counts_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let site = fixture("canary");
    let never = [
        "further finding",
        "further risk",
        "further supplier",
        "further linked",
    ];
    for audience in ["public", "customer"] {
        let tree = build_ok(&site, audience, &dir.path().join(audience));
        let hay = tree.haystack();
        for phrase in never {
            assert!(!hay.contains(phrase), "{audience} build says {phrase:?}");
        }
        for page in ["index.html", "controls/index.html"] {
            assert!(
                !tree.text(page).contains("Not published</span> ")
                    && !tree.text(page).contains("not published for this audience"),
                "{audience}: {page} counts hidden mappings"
            );
        }
        let policies = tree.text("policies/index.html");
        assert!(
            policies.contains("further polic"),
            "{audience}: the policy count is shown"
        );
    }
    // (Customers: the public edition has no evidence section by default.)
    let evidence =
        build_ok(&site, "customer", &dir.path().join("customer-again")).text("evidence/index.html");
    assert!(evidence.contains("further evidence item"), "{evidence}");

    let quiet = canary_copy(dir.path(), |s| {
        append(&s.join("site.yaml"), "show_restricted_counts: false\n")
    });
    for audience in ["public", "customer"] {
        let hay = build_ok(&quiet, audience, &dir.path().join(format!("q-{audience}"))).haystack();
        assert!(!hay.contains("further "), "{audience}: no counts at all");
    }
}

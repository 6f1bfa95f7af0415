//! Leak tests: the canary fixture marks every customer item with `canarycus` and every internal
//! item with `canaryint` (in ids, titles, bodies, notes, files). A build for an audience must
//! contain none of the markers above it — anywhere: page text, paths, CSV, copied files.

use crate::common::*;

fn markers_in_sources() -> Vec<String> {
    canary_markers(&fixture("canary"))
}

#[test]
fn public_build_contains_no_customer_or_internal_marker() {
    let dir = tempfile::tempdir().unwrap();
    let tree = build_ok(&fixture("canary"), "public", &dir.path().join("out"));
    let hay = tree.haystack();
    for marker in ["canarycus", "canaryint"] {
        if let Some(i) = hay.find(marker) {
            panic!(
                "public build leaks {marker}: …{}…",
                &hay[i.saturating_sub(80)..(i + 40).min(hay.len())]
            );
        }
    }
    // Listed items show their title, and nothing else.
    let policies = tree.text("policies/index.html");
    assert!(
        policies.contains("Crisis Communications Plan"),
        "listed title is shown"
    );
    assert!(policies.contains("available on request"));
    assert!(
        !tree.has("policies/listed-plan/index.html"),
        "listed items get no page"
    );
}

#[test]
fn customer_build_contains_customer_but_no_internal_marker() {
    let dir = tempfile::tempdir().unwrap();
    let tree = build_ok(&fixture("canary"), "customer", &dir.path().join("out"));
    let hay = tree.haystack();
    if let Some(i) = hay.find("canaryint") {
        panic!(
            "customer build leaks an internal marker: …{}…",
            &hay[i.saturating_sub(80)..(i + 40).min(hay.len())]
        );
    }
    for marker in markers_in_sources()
        .iter()
        .filter(|m| m.starts_with("canarycus"))
    {
        assert!(
            hay.contains(marker.as_str()),
            "customer build is missing {marker}"
        );
    }
}

#[test]
fn internal_build_contains_every_marker() {
    let dir = tempfile::tempdir().unwrap();
    let tree = build_ok(&fixture("canary"), "internal", &dir.path().join("out"));
    let hay = tree.haystack();
    let markers = markers_in_sources();
    assert!(
        markers.len() > 30,
        "the fixture has many markers: {markers:?}"
    );
    // Markers ending in -never sit where nothing is published (an HTML comment).
    for marker in markers.iter().filter(|m| !m.ends_with("-never")) {
        assert!(
            hay.contains(marker.as_str()),
            "internal build is missing {marker}"
        );
    }
    assert!(
        tree.has("evidence/canaryint-ev/canaryint-restore.txt"),
        "evidence files are copied where visible"
    );
}

#[test]
fn links_only_a_hidden_mapping_makes_are_left_out() {
    // public-policy is linked to A.5.30 only by an internal mapping: a public reader must not
    // learn that mapping exists, from either side.
    let dir = tempfile::tempdir().unwrap();
    let public = build_ok(&fixture("canary"), "public", &dir.path().join("pub"));
    let control = public.text("controls/a-5-30/index.html");
    assert!(!control.contains("policies/public-policy/"), "{control}");
    assert!(control.contains("not published for this audience"));
    let policy = public.text("policies/public-policy/index.html");
    assert!(!policy.contains("controls/a-5-30/"));
    assert!(
        policy.contains("controls/a-5-1/"),
        "its own controls: link is shown"
    );
    let internal = build_ok(&fixture("canary"), "internal", &dir.path().join("int"));
    assert!(
        internal
            .text("controls/a-5-30/index.html")
            .contains("../../policies/public-policy/")
    );
}

#[test]
fn restricted_link_targets_render_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let public = build_ok(&fixture("canary"), "public", &dir.path().join("pub"));
    let page = public.text("policies/public-policy/index.html");
    assert!(page.contains("our continuity plan"), "the link text stays");
    assert!(
        !page.contains("href=\"policy:"),
        "no unresolved scheme leaks"
    );
    let customer = build_ok(&fixture("canary"), "customer", &dir.path().join("cus"));
    let page = customer.text("policies/public-policy/index.html");
    assert!(
        page.contains("href=\"../../policies/canarycus-access/\""),
        "visible targets are linked: {page}"
    );
}

/// A.5.2 is applicable and public, and its only policy is a draft. The public matrix shows it
/// with no policy, so the gap list must name it too: gaps are computed from what the reader can
/// see, not from the whole site (that would reveal the hidden draft by its absence).
#[test]
fn a_control_whose_only_policy_is_hidden_is_a_gap_for_that_reader() {
    let dir = tempfile::tempdir().unwrap();
    let gaps = |audience: &str| {
        let page = build_ok(&fixture("canary"), audience, &dir.path().join(audience))
            .text("traceability/index.html");
        let start = page
            .find("Applicable controls with no policy")
            .expect("the no-policy section");
        let end = page[start..]
            .find("Applicable controls with no evidence")
            .map_or(page.len(), |e| start + e);
        page[start..end].to_string()
    };
    let link = "controls/a-5-2/\"";
    // (The public edition has no traceability page by default; customers see the gap.)
    assert!(gaps("customer").contains(link), "{}", gaps("customer"));
    assert!(!gaps("internal").contains(link), "{}", gaps("internal"));
}

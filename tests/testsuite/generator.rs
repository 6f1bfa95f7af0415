//! Smoke test of the benchmark's synthetic site generator at a small N: the site it writes
//! must build cleanly for every audience (benchmarks themselves stay out of `cargo test`).

use crate::common::*;

#[test]
fn generated_site_builds_for_every_audience() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    crate::gen_site::generate(30, &site).unwrap();
    let policy = std::fs::read_to_string(site.join("policies/policy-00001.md")).unwrap();
    assert!(
        policy.len() > 2500 && policy.len() < 4000,
        "about 3 KB: {}",
        policy.len()
    );
    for audience in ["public", "customer", "internal"] {
        let tree = build_ok(&site, audience, &dir.path().join(audience));
        assert!(tree.has("controls/soa.csv"));
    }
    let internal = Tree::read(&dir.path().join("internal"));
    let pages = internal
        .files
        .keys()
        .filter(|p| p.starts_with("policies/") && p.ends_with("/index.html"))
        .count();
    assert_eq!(pages, 31, "30 policies and the list");
}

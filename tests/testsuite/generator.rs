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

/// The benchmark's independent generator (bench/gen-corpus.py) and the peer-site converter
/// (bench/peer-sites.py): the corpus builds with no error for every audience, and the Hugo and
/// Zola sites hold one content file per policy with the body unchanged.
#[test]
fn independent_corpus_builds_and_converts_for_the_peers() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("corpus");
    let root = env!("CARGO_MANIFEST_DIR");
    let python = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new("python3")
            .args(args)
            .current_dir(root)
            .output()
            .expect("python3 runs (the benchmark scripts need it)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    python(&[
        "bench/gen-corpus.py".as_ref(),
        "40".as_ref(),
        site.as_os_str(),
    ]);
    for audience in ["public", "customer", "internal"] {
        let tree = build_ok(&site, audience, &dir.path().join(audience));
        assert!(tree.has("controls/soa.csv"));
    }
    let internal = Tree::read(&dir.path().join("internal"));
    assert!(internal.has("policies/p-000039/index.html"));
    let (hugo, zola) = (dir.path().join("hugo"), dir.path().join("zola"));
    python(&[
        "bench/peer-sites.py".as_ref(),
        site.as_os_str(),
        "--hugo".as_ref(),
        hugo.as_os_str(),
        "--zola".as_ref(),
        zola.as_os_str(),
    ]);
    let source = std::fs::read_to_string(site.join("policies/p-000007.md")).unwrap();
    let body = source.splitn(3, "---\n").nth(2).unwrap();
    for peer in [&hugo, &zola] {
        let pages = std::fs::read_dir(peer.join("content/policies"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name() != "_index.md")
            .count();
        assert_eq!(pages, 40, "{}", peer.display());
        let text = std::fs::read_to_string(peer.join("content/policies/p-000007.md")).unwrap();
        assert!(text.ends_with(body), "{}: body unchanged", peer.display());
    }
    assert!(zola.join("config.toml").exists() && hugo.join("hugo.toml").exists());
}

/// Long lists are rendered a batch of rows at a time (`policy_rows.html` and its kin): a list longer
/// than a batch shows every policy once, in title order, as one table; a site's own
/// `policies.html` still gets every row in `policies`.
#[test]
fn long_lists_show_every_row_once_and_own_templates_get_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let n = 600; // more than two batches
    crate::gen_site::generate(n, &site).unwrap();
    let tree = build_ok(&site, "internal", &dir.path().join("theme"));
    let list = tree.text("policies/index.html");
    let body = list
        .split_once("<tbody>")
        .and_then(|(_, rest)| rest.split_once("</tbody>"))
        .map(|(rows, _)| rows)
        .expect("one table body");
    assert_eq!(list.matches("<tbody>").count(), 1, "one table");
    assert_eq!(body.matches("<tr>").count(), n, "a row per policy");
    for i in [0, 255, 256, 511, 512, n - 1] {
        let href = format!("href=\"../policies/policy-{i:05}/\"");
        assert_eq!(body.matches(&href).count(), 1, "{href} once");
    }
    assert!(
        list.contains("id=\"filter-policies\""),
        "the filter counts the rows"
    );
    // The evidence list (n / 2 items: more than a batch) and the traceability list (a few
    // controls a batch) likewise.
    let evidence = tree.text("evidence/index.html");
    let evidence_rows = table_body(&evidence, "table-evidence");
    assert_eq!(
        evidence_rows.matches("<tr>").count(),
        n / 2,
        "a row per evidence item"
    );
    for i in [0, 255, 256, n / 2 - 1] {
        let href = format!("href=\"../evidence/ev-{i:05}/\"");
        assert_eq!(evidence_rows.matches(&href).count(), 1, "{href} once");
    }
    let matrix = tree.text("traceability/index.html");
    let controls = table_body(&matrix, "table-traceability")
        .matches("<th scope=\"row\">")
        .count();
    assert_eq!(controls, 93, "a row per Annex A control");

    std::fs::create_dir_all(site.join("templates")).unwrap();
    std::fs::write(
        site.join("templates/policies.html"),
        "{% extends \"base.html\" %}{% block content %}<ol id=\"own\">{% for p in policies %}<li>{{ p.link.id }}</li>{% endfor %}</ol>{% endblock content %}",
    )
    .unwrap();
    std::fs::write(
        site.join("templates/evidence_list.html"),
        "{% extends \"base.html\" %}{% block content %}{% for e in evidence %}<i>{{ e.link.id }}</i>{% endfor %}{% endblock content %}",
    )
    .unwrap();
    std::fs::write(
        site.join("templates/traceability.html"),
        "{% extends \"base.html\" %}{% block content %}{% for r in rows %}<b>{{ r.control.id }}</b>{% endfor %}{% endblock content %}",
    )
    .unwrap();
    let own = build_ok(&site, "internal", &dir.path().join("own"));
    let list = own.text("policies/index.html");
    assert_eq!(list.matches("<li>policy-").count(), n, "{}", &list[..200]);
    let evidence = own.text("evidence/index.html");
    assert_eq!(evidence.matches("<i>EV-").count(), n / 2);
    let matrix = own.text("traceability/index.html");
    assert_eq!(matrix.matches("<b>A.").count(), 93);
}

/// The body of the table `id` on a page.
fn table_body<'a>(html: &'a str, id: &str) -> &'a str {
    let table = html
        .split_once(&format!("id=\"{id}\""))
        .map(|(_, rest)| rest)
        .expect("the table");
    table
        .split_once("<tbody>")
        .and_then(|(_, rest)| rest.split_once("</tbody>"))
        .map(|(rows, _)| rows)
        .expect("its body")
}

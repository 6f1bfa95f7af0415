//! `serve` rebuilds with a warm cache and renders pages on request; the result must be byte
//! for byte what a cold, full `build` of the same files writes — after edits that change a
//! body, a classification (which changes how *other* pages render their links) and a title.

use std::path::Path;

use crate::common::*;
use crate::live::copy_dir;
use trustpress::model::{Audience, Date};
use trustpress::serve::live::{Builder, LiveSite};

fn today() -> Date {
    Date::parse(TODAY).unwrap()
}

/// Every file the warm builder serves equals the cold build's, and the path sets match; the
/// warm build is returned for more checks.
fn assert_same_as_cold_build(
    builder: &mut Builder,
    site: &Path,
    audience: Audience,
    step: &str,
) -> LiveSite {
    let live = builder
        .build()
        .unwrap_or_else(|f| panic!("{step}: {:?}", f.errors));
    let cold = trustpress::build_in_memory(site, audience, today())
        .unwrap_or_else(|f| panic!("{step}: {:?}", f.errors));
    let (_, files) = live.counts();
    assert_eq!(files, cold.outputs.len(), "{step}: same number of files");
    for o in &cold.outputs {
        let served = live
            .get(&o.path)
            .unwrap_or_else(|| panic!("{step}: {} missing", o.path));
        let served = served.unwrap_or_else(|e| panic!("{step}: {} failed: {e}", o.path));
        assert!(
            *served == o.bytes,
            "{step}: {} differs from a full build",
            o.path
        );
    }
    live
}

#[test]
fn warm_rebuilds_serve_exactly_what_a_full_build_writes() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_dir(&fixture("canary"), &site);
    for audience in [Audience::Public, Audience::Customer, Audience::Internal] {
        let mut builder = Builder::new(&site, audience, today());
        assert_same_as_cold_build(&mut builder, &site, audience, "first build");

        let policy = site.join("policies/customer-access.md");
        let text = std::fs::read_to_string(&policy).unwrap();
        std::fs::write(
            &policy,
            text.replace("least privilege", "least privilege, reviewed"),
        )
        .unwrap();
        assert_same_as_cold_build(&mut builder, &site, audience, "body edit");

        // public-policy links to this policy: its rendering must change with the classification.
        std::fs::write(
            &policy,
            text.replace("classification: customer", "classification: public"),
        )
        .unwrap();
        assert_same_as_cold_build(&mut builder, &site, audience, "reclassified");

        std::fs::write(
            &policy,
            text.replace("title: Access Control Policy", "title: Access Policy"),
        )
        .unwrap();
        assert_same_as_cold_build(&mut builder, &site, audience, "retitled");
        std::fs::write(&policy, &text).unwrap();
    }
}

/// `serve` reuses its list of pages while no save changes it: edits that add a link, take a
/// public page away from the public (and give it back), add a policy and remove it must each
/// change the served set of pages exactly as a full build does.
#[test]
fn warm_rebuilds_follow_the_set_of_pages() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_dir(&fixture("canary"), &site);
    let page = "policies/public-policy/index.html";
    let policy = site.join("policies/public-policy.md");
    let text = std::fs::read_to_string(&policy).unwrap();
    for audience in [Audience::Public, Audience::Customer, Audience::Internal] {
        let mut builder = Builder::new(&site, audience, today());
        assert!(assert_same_as_cold_build(&mut builder, &site, audience, "first").contains(page));

        // Public readers get the link's text only, customers a link.
        let linked = format!("{text}\nSee [the access policy](policy:canarycus-access).\n");
        std::fs::write(&policy, &linked).unwrap();
        let live = assert_same_as_cold_build(&mut builder, &site, audience, "link added");
        let bytes = live.get(page).unwrap().unwrap();
        let html = String::from_utf8_lossy(&bytes);
        assert!(
            html.contains("the access policy"),
            "{audience:?}: the link's text"
        );
        assert_eq!(
            html.contains("canarycus-access/"),
            audience != Audience::Public,
            "{audience:?}: a link only for those who may open it"
        );

        std::fs::write(
            &policy,
            linked.replace("classification: public", "classification: internal"),
        )
        .unwrap();
        let live = assert_same_as_cold_build(&mut builder, &site, audience, "made internal");
        assert_eq!(
            live.contains(page),
            audience == Audience::Internal,
            "{audience:?}: an internal page only for internal readers"
        );

        std::fs::write(&policy, &linked).unwrap();
        let live = assert_same_as_cold_build(&mut builder, &site, audience, "public again");
        assert!(live.contains(page), "{audience:?}: public again");

        let added = site.join("policies/added.md");
        std::fs::write(
            &added,
            text.replace("Public Security Policy", "Added Policy"),
        )
        .unwrap();
        let live = assert_same_as_cold_build(&mut builder, &site, audience, "policy added");
        assert!(live.contains("policies/added/index.html"), "{audience:?}");
        std::fs::remove_file(&added).unwrap();
        let live = assert_same_as_cold_build(&mut builder, &site, audience, "policy removed");
        assert!(!live.contains("policies/added/index.html"), "{audience:?}");
        std::fs::write(&policy, &text).unwrap();
        assert_same_as_cold_build(&mut builder, &site, audience, "restored");
    }
}

#[test]
fn example_site_rebuilt_warm_matches_a_full_build() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_dir(&repo().join("example-site"), &site);
    let mut builder = Builder::new(&site, Audience::Internal, today());
    assert_same_as_cold_build(&mut builder, &site, Audience::Internal, "first build");
    let policy = site.join("policies/access-control.md");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        text.replace("## Principles", "## Principles we hold"),
    )
    .unwrap();
    assert_same_as_cold_build(&mut builder, &site, Audience::Internal, "heading edit");
}

/// `serve` and `build` run one session: when the theme fails, both report the template
/// error together with the site's warnings (serve used to drop the warnings).
#[test]
fn a_broken_theme_keeps_the_warnings_in_serve_as_in_build() {
    let dir = crate::common::sites::site(&[
        // Linked from nothing: an `orphan-policy` warning.
        (
            "policies/p.md",
            "---\ntitle: P\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: public\n---\nText.\n",
        ),
        ("templates/policy.html", "{% if %}\n"),
    ]);
    let rules = |errors: &[trustpress::diagnostic::Diagnostic]| {
        let mut r: Vec<&str> = errors.iter().map(|d| d.rule.id()).collect();
        r.sort_unstable();
        r.dedup();
        r
    };
    let served = match Builder::new(dir.path(), Audience::Public, today()).build() {
        Ok(_) => panic!("a broken template must fail the preview"),
        Err(failed) => failed.errors,
    };
    let built = trustpress::build_in_memory(dir.path(), Audience::Public, today())
        .expect_err("a broken template must fail the build")
        .errors;
    assert!(rules(&served).contains(&"orphan-policy"), "{served:?}");
    assert!(rules(&served).contains(&"template"), "{served:?}");
    assert_eq!(served, built, "serve and build report the same");
}

/// A generated site of `n` policies, served warm through edits that reach other pages: a
/// policy's title (its control pages, traceability, the lists and the search index show it), the same edit undone at once (same size, within one clock tick: the file's stamp
/// must not hide it), and a register entry. Every file equals a full build after each edit.
/// `hinted`: each rebuild is told which file changed, as `serve`'s watcher tells it (so
/// no other file is looked at).
fn generated_site_rebuilt_warm(n: usize, hinted: bool) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    crate::gen_site::generate(n, &site).unwrap();
    let audience = Audience::Internal;
    let mut builder = Builder::new(&site, audience, today());
    assert_same_as_cold_build(&mut builder, &site, audience, "first build");
    let write = |builder: &Builder, rel: &str, text: &str| {
        std::fs::write(site.join(rel), text).unwrap();
        if hinted {
            builder.hint([rel.to_string()].into());
        }
    };
    // policy-00003 is listed by the mappings of controls A.5.1 and A.5.4.
    let policy = site.join("policies/policy-00003.md");
    let text = std::fs::read_to_string(&policy).unwrap();
    let title = text.lines().nth(1).unwrap().to_string();
    let retitled = text.replacen(&title, "title: Retitled policy three", 1);
    write(&builder, "policies/policy-00003.md", &retitled);
    assert_same_as_cold_build(&mut builder, &site, audience, "retitled");
    // The edit reached the pages that depend on it (so the equality above means something).
    let live = builder.build().unwrap();
    for page in [
        "controls/a-5-1/index.html",
        "traceability/index.html",
        "search-index.json",
    ] {
        let bytes = live.get(page).unwrap().unwrap();
        assert!(
            String::from_utf8_lossy(&bytes).contains("Retitled policy three"),
            "{page} shows the new title"
        );
    }
    let same_size = retitled.replacen("Retitled policy three", "Retitled policy THREE", 1);
    write(&builder, "policies/policy-00003.md", &same_size);
    assert_same_as_cold_build(&mut builder, &site, audience, "same-size edit");
    let ev = std::fs::read_to_string(site.join("evidence/register.yaml")).unwrap();
    let ev = ev.replacen("Evidence record 0\n", "Evidence record zero\n", 1);
    write(&builder, "evidence/register.yaml", &ev);
    assert_same_as_cold_build(&mut builder, &site, audience, "register edit");
    // A new policy (named by the hint as a watcher names it) is listed and published.
    write(
        &builder,
        "policies/added.md",
        &text.replacen(&title, "title: Added policy", 1),
    );
    assert_same_as_cold_build(&mut builder, &site, audience, "policy added");
}

#[test]
fn generated_site_rebuilt_warm_matches_a_full_build() {
    generated_site_rebuilt_warm(40, false);
}

/// The same, each rebuild told what changed, as `serve` tells it.
#[test]
fn generated_site_rebuilt_warm_with_hints_matches_a_full_build() {
    generated_site_rebuilt_warm(40, true);
}

/// The same at N = 10,000 (minutes in a debug build; run it in release):
/// `cargo test --release --test testsuite incremental::at_10000 -- --ignored`
#[test]
#[ignore = "minutes long: run with --release -- --ignored"]
fn at_10000_policies_warm_rebuilds_match_a_full_build() {
    generated_site_rebuilt_warm(10_000, true);
}

/// The findings a warm rebuild reports (errors, or the warnings) equal a cold build's.
fn assert_same_findings(builder: &mut Builder, site: &Path, step: &str) -> usize {
    let cold = trustpress::build_in_memory(site, Audience::Internal, today());
    match (builder.build(), cold) {
        (Ok(live), Ok(cold)) => {
            assert_eq!(*live.warnings, cold.warnings, "{step}: same warnings");
            0
        }
        (Err(live), Err(cold)) => {
            assert_eq!(live.errors, cold.errors, "{step}: same errors");
            live.errors.iter().filter(|d| d.is_error()).count()
        }
        (live, cold) => panic!(
            "{step}: warm {} but cold {}",
            if live.is_ok() { "built" } else { "failed" },
            if cold.is_ok() { "built" } else { "failed" },
        ),
    }
}

/// Links are resolved once per text and reused while nothing they resolve against changes:
/// a policy renamed breaks the links of texts that did not change, a status change turns an
/// unchanged link into a warning, and undoing either restores the findings of a cold build.
#[test]
fn warm_rebuilds_report_what_a_full_build_reports() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    crate::gen_site::generate(40, &site).unwrap();
    let mut builder = Builder::new(&site, Audience::Internal, today());
    assert_same_findings(&mut builder, &site, "first build");
    // policy-00002 links to policy:policy-00003, and policy-00001 to policy-00003.md.
    let old = site.join("policies/policy-00003.md");
    let new = site.join("policies/policy-00003-renamed.md");
    std::fs::rename(&old, &new).unwrap();
    // As `serve`'s watcher names a rename: both paths.
    let both: std::collections::BTreeSet<String> = [
        "policies/policy-00003.md".to_string(),
        "policies/policy-00003-renamed.md".to_string(),
    ]
    .into();
    builder.hint(both.clone());
    let errors = assert_same_findings(&mut builder, &site, "renamed");
    assert!(
        errors >= 2,
        "the links to the old name break ({errors} errors)"
    );
    std::fs::rename(&new, &old).unwrap();
    builder.hint(both);
    assert_eq!(assert_same_findings(&mut builder, &site, "renamed back"), 0);
    let text = std::fs::read_to_string(&old).unwrap();
    std::fs::write(&old, text.replacen("status: approved", "status: draft", 1)).unwrap();
    builder.hint(["policies/policy-00003.md".to_string()].into());
    assert_same_findings(&mut builder, &site, "made a draft");
    let live = builder.build().unwrap();
    assert!(
        live.warnings
            .iter()
            .any(|d| d.pos.path == "policies/policy-00002.md"
                && d.message.contains("links to draft policy \"policy-00003\"")),
        "the unchanged link from policy-00002 is now reported"
    );
    std::fs::write(&old, &text).unwrap();
    assert_same_findings(&mut builder, &site, "approved again");
}

/// The link rules' findings, kept on a text that did not change, follow the pages it links
/// to: a heading it links to renamed away and back, and the classification of a policy it
/// links to raised and lowered.
#[test]
fn kept_link_findings_follow_the_pages_linked_to() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    crate::gen_site::generate(40, &site).unwrap();
    let from = site.join("policies/policy-00002.md");
    let linking = std::fs::read_to_string(&from).unwrap();
    std::fs::write(
        &from,
        format!("{linking}\nSee [its scope](policy-00003.md#scope).\n"),
    )
    .unwrap();
    let mut builder = Builder::new(&site, Audience::Internal, today());
    assert_eq!(assert_same_findings(&mut builder, &site, "first build"), 0);
    let target = site.join("policies/policy-00003.md");
    let text = std::fs::read_to_string(&target).unwrap();
    let mut edit = |step: &str, new: &str| {
        std::fs::write(&target, new).unwrap();
        builder.hint(["policies/policy-00003.md".to_string()].into());
        let errors = assert_same_findings(&mut builder, &site, step);
        (errors, builder.build())
    };
    let (errors, _) = edit("heading renamed", &text.replacen("## Scope", "## Reach", 1));
    assert_eq!(errors, 1, "the unchanged link to #scope is now broken");
    assert_eq!(edit("heading back", &text).0, 0);
    let restricted = |live: &trustpress::serve::live::LiveSite, class: &str| {
        live.warnings.iter().any(|d| {
            d.pos.path == "policies/policy-00002.md"
                && d.message
                    .contains(&format!("links to {class} policy \"policy-00003\""))
        })
    };
    let (_, live) = edit(
        "made public",
        &text.replacen("classification: customer", "classification: public", 1),
    );
    assert!(
        !restricted(&live.unwrap(), "customer"),
        "no longer reported"
    );
    let (_, live) = edit(
        "made internal",
        &text.replacen("classification: customer", "classification: internal", 1),
    );
    assert!(
        restricted(&live.unwrap(), "internal"),
        "reported as internal"
    );
    let (_, live) = edit("customer again", &text);
    assert!(restricted(&live.unwrap(), "customer"), "reported as before");
}

//! The edition as each audience sees one small site: what is absent, what is on request, how
//! relations are filtered and what counts as a gap.

use super::*;
use crate::session::load_site as load;

fn policy(id: &str, class: &str, status: &str, listed: bool, controls: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: Title {id}\nowner: O\nversion: \"1\"\nstatus: {status}\napproved: 2026-01-01\nclassification: {class}\nlisted: {listed}\ncontrols: [{controls}]\n---\nBody of {id}.\n"
    )
}

/// A site with one policy of each kind, a mapping of each classification, and a finding.
fn site() -> (tempfile::TempDir, Site) {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = [
        (
            "site.yaml".to_string(),
            "title: T\nbase_url: https://trust.example/\norganisation: {name: Org}\n".to_string(),
        ),
        (
            "scope.md".into(),
            "---\ntitle: Scope\n---\nEverything.\n".into(),
        ),
        (
            "policies/open.md".into(),
            policy("open", "public", "approved", false, "A.5.1"),
        ),
        (
            "policies/listed.md".into(),
            policy("listed", "customer", "approved", true, ""),
        ),
        (
            "policies/secret.md".into(),
            policy("secret", "internal", "approved", false, ""),
        ),
        (
            "policies/draft.md".into(),
            policy("draft", "public", "draft", false, "A.5.2"),
        ),
        (
            "controls/mappings.yaml".into(),
            [
                // Public: the open policy, the listed one and the secret one.
                "- control: A.5.1\n  applicable: true\n  status: implemented\n  policies: [listed, secret]\n  evidence: [ev]\n  classification: public\n",
                // Public, and its only policy is a draft.
                "- control: A.5.2\n  applicable: true\n  status: planned\n  evidence: [ev]\n  classification: public\n",
                // Internal: the open policy is linked only through this mapping.
                "- control: A.5.3\n  applicable: true\n  status: planned\n  policies: [open]\n  evidence: [ev]\n  classification: internal\n",
            ]
            .concat(),
        ),
        (
            "evidence/register.yaml".into(),
            "- id: ev\n  title: Evidence\n  kind: report\n  classification: public\n  expires: 2026-01-01\n".into(),
        ),
        (
            "findings/audit.yaml".into(),
            "- id: f\n  title: Finding\n  kind: observation\n  raised: 2026-01-01\n  status: open\n  controls: [A.5.1]\n  policies: [open, secret]\n  classification: public\n".into(),
        ),
    ];
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let today = Date::parse("2026-06-01").expect("date");
    let site = load(dir.path(), today).expect("the site loads");
    (dir, site)
}

/// How `audience` sees policy `id`: "published", "on request" (title only) or "absent".
fn seen(edition: &Edition, site: &Site, id: &str) -> String {
    let key = site.policies.by_id(id).expect("a policy of the site");
    match edition.policies.get(key) {
        Some(Entry::Published(_)) => "published".into(),
        Some(Entry::OnRequest { title }) => format!("on request: {title}"),
        None => "absent".into(),
    }
}

fn control<'e, 's>(edition: &'e Edition<'s>, site: &Site, id: &str) -> &'e Control<'s> {
    let key = site
        .control(ControlId::parse(id).expect("an id"))
        .expect("a control");
    edition
        .control(key)
        .expect("every control is in every edition")
}

/// The ids of the policies a relation shows.
fn policy_ids(edition: &Edition, relation: &Relation<PolicyKey>) -> Vec<String> {
    relation
        .keys
        .iter()
        .map(|k| match edition.policies.get(*k) {
            Some(Entry::Published(p)) => p.id.to_string(),
            Some(Entry::OnRequest { title }) => format!("({title})"),
            None => "hidden!".into(),
        })
        .collect()
}

#[test]
fn each_audience_sees_its_edition() {
    let (_dir, site) = site();
    let md = markdown::Renderer::new(false);
    let check = |audience: Audience, id: &str, expected: &str| {
        let edition = Edition::new(&site, audience, &md);
        assert_eq!(seen(&edition, &site, id), expected, "{id} for {audience}");
    };
    use Audience::*;
    check(Public, "open", "published");
    check(Public, "listed", "on request: Title listed");
    check(Public, "secret", "absent");
    check(Public, "draft", "absent");
    check(Customer, "listed", "published");
    check(Customer, "secret", "absent");
    check(Customer, "draft", "absent");
    check(Internal, "secret", "published");
    check(Internal, "draft", "published");
}

#[test]
fn relations_arrive_filtered_with_their_restricted_count() {
    let (_dir, site) = site();
    let md = markdown::Renderer::new(false);
    let public = Edition::new(&site, Audience::Public, &md);
    let internal = Edition::new(&site, Audience::Internal, &md);
    // A.5.1 lists the listed and the secret policy; the open one names A.5.1 itself.
    let c = control(&public, &site, "A.5.1");
    // (In source order: files are read sorted by name.)
    assert_eq!(policy_ids(&public, &c.policies), ["(Title listed)", "open"]);
    assert_eq!(c.policies.restricted, 1);
    let c = control(&internal, &site, "A.5.1");
    assert_eq!(
        policy_ids(&internal, &c.policies),
        ["listed", "open", "secret"]
    );
    assert_eq!(c.policies.restricted, 0);
    // A link that exists only through a hidden mapping is not shown, from either end.
    let c = control(&public, &site, "A.5.3");
    assert!(matches!(c.assessment, Assessment::Withheld));
    assert!(c.policies.is_empty() && c.evidence.is_empty());
    assert_eq!(c.policies.restricted, 1);
    let open = public
        .policies
        .by_slug("open")
        .expect("the open policy is published");
    let shown: Vec<String> = open
        .controls
        .keys
        .iter()
        .filter_map(|k| public.control(*k))
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(shown, ["A.5.1"]);
    assert_eq!(open.controls.restricted, 1);
    // A finding's policies: the secret one is left out, and counted.
    let f = public.findings.by_slug("f").expect("the finding is public");
    assert_eq!(policy_ids(&public, &f.policies), ["open"]);
    assert_eq!(f.policies.restricted, 1);
    // The draft is linked to A.5.2 internally only.
    let c = control(&internal, &site, "A.5.2");
    assert_eq!(policy_ids(&internal, &c.policies), ["draft"]);
}

#[test]
fn gaps_are_judged_from_the_edition() {
    let (_dir, site) = site();
    let md = markdown::Renderer::new(false);
    let ids = |edition: &Edition, keys: &[ControlKey]| -> Vec<String> {
        keys.iter()
            .filter_map(|k| edition.control(*k))
            .map(|c| c.id.to_string())
            .collect()
    };
    let public = Edition::new(&site, Audience::Public, &md);
    // The draft-only control is a gap for a reader who cannot see the draft…
    assert_eq!(ids(&public, &public.gaps.no_policy), ["A.5.2"]);
    // …but not internally; the internal mapping is judged only where it is seen.
    let internal = Edition::new(&site, Audience::Internal, &md);
    assert!(internal.gaps.no_policy.is_empty());
    assert_eq!(ids(&public, &public.gaps.no_evidence), Vec::<String>::new());
    let expired: Vec<String> = public
        .gaps
        .expired_evidence
        .iter()
        .map(|(k, _)| {
            public
                .control(*k)
                .map(|c| c.id.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(expired, ["A.5.1", "A.5.2"]);
    let expired: Vec<String> = internal
        .gaps
        .expired_evidence
        .iter()
        .map(|(k, _)| {
            internal
                .control(*k)
                .map(|c| c.id.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(expired, ["A.5.1", "A.5.2", "A.5.3"]);
    // Coverage counts what the reader sees: the internal mapping is not counted publicly.
    assert_eq!(public.coverage.applicable, 2);
    assert_eq!(internal.coverage.applicable, 3);
    assert_eq!(public.coverage.not_assessed, internal.coverage.not_assessed);
    // The listed policy is on request, not counted again as restricted; the secret one is.
    assert_eq!(public.policies.restricted, 1);
    assert_eq!(internal.policies.restricted, 0);
}

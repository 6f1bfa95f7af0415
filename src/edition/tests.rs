//! The edition as each audience sees one small site: what is absent, what is on request, how
//! relations are filtered and what counts as a gap.

use super::*;

fn policy(id: &str, class: &str, status: &str, listed: bool, controls: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: Title {id}\nowner: O\nversion: \"1\"\nstatus: {status}\napproved: 2026-01-01\nclassification: {class}\nlisted: {listed}\ncontrols: [{controls}]\n---\nBody of {id}.\n"
    )
}

/// A site with one policy of each kind, a mapping of each classification, and a finding;
/// every edition has every section, so what differs is classification alone.
fn site() -> (tempfile::TempDir, Site) {
    site_with(
        "editions:\n  public: {sections: [overview, scope, certification, policies, controls, traceability, evidence, risks, findings, suppliers]}\n",
    )
}

/// The same site with `config` added to its `site.yaml` (the default sections when empty).
fn site_with(config: &str) -> (tempfile::TempDir, Site) {
    let files = [
        (
            "site.yaml".to_string(),
            format!("title: T\nbase_url: https://trust.example/\norganisation: {{name: Org}}\n{config}"),
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
            "suppliers/list.yaml".into(),
            "- id: s\n  name: Supplier\n  risk: high\n  reviewed: 2026-01-01\n  notes: Rated high.\n  classification: public\n".into(),
        ),
        (
            "findings/audit.yaml".into(),
            "- id: f\n  title: Finding\n  kind: observation\n  raised: 2026-01-01\n  status: open\n  controls: [A.5.1]\n  policies: [open, secret]\n  classification: public\n".into(),
        ),
    ];
    crate::testing::linked_site(files)
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
    // The headline figures are over every mapping, the internal one included: the same in
    // every edition (issue 11: 3).
    assert_eq!(public.coverage.applicable, 3);
    assert_eq!(public.coverage.implemented, 1);
    assert_eq!(internal.coverage.applicable, 3);
    assert_eq!(public.coverage.not_assessed, internal.coverage.not_assessed);
    // The listed policy is on request, not counted again as restricted; the secret one is.
    assert_eq!(public.policies.restricted, 1);
    assert_eq!(internal.policies.restricted, 0);
}

#[test]
fn requestable_documents_are_counted_without_revealing_hidden_mappings() {
    let (_dir, site) = site();
    let md = markdown::Renderer::new(false);
    let public = Edition::new(&site, Audience::Public, &md);
    // A.5.1: the listed policy is in the relation (on request), the secret one is requestable.
    let c = control(&public, &site, "A.5.1");
    assert_eq!(c.policies.requestable, 1);
    assert_eq!(c.evidence.requestable, 0);
    // A.5.2's only policy is a draft: nobody's to request.
    let c = control(&public, &site, "A.5.2");
    assert_eq!((c.policies.restricted, c.policies.requestable), (1, 0));
    // A.5.3's mapping is internal: what it lists is neither shown nor counted.
    let c = control(&public, &site, "A.5.3");
    assert_eq!((c.policies.requestable, c.evidence.requestable), (0, 0));
    let internal = Edition::new(&site, Audience::Internal, &md);
    let c = control(&internal, &site, "A.5.1");
    assert_eq!(c.policies.requestable, 0);
}

#[test]
fn default_sections_hide_the_auditors_view_from_the_public() {
    let (_dir, site) = site_with("");
    let md = markdown::Renderer::new(false);
    let public = Edition::new(&site, Audience::Public, &md);
    let customer = Edition::new(&site, Audience::Customer, &md);
    for s in [
        Section::Traceability,
        Section::Evidence,
        Section::Risks,
        Section::Findings,
    ] {
        assert!(!public.has(s), "{s:?}");
        assert!(customer.has(s), "{s:?}");
    }
    // Public evidence and findings are not published in an edition without their section:
    // no page, no entry, no link; the control's evidence is requestable instead.
    assert!(public.evidence.is_empty() && public.findings.is_empty());
    assert!(!public.writes(&Route::Traceability));
    assert!(!public.writes(&Route::List(Collection::Evidence)));
    assert!(!public.writes(&Route::Item(Collection::Findings, "f".into())));
    let c = control(&public, &site, "A.5.1");
    assert!(c.evidence.is_empty());
    assert_eq!(c.evidence.requestable, 1);
    let ev = site.lookup(Collection::Evidence, "ev").expect("ev");
    assert_eq!(public.published_route(ev), None);
    assert!(customer.published_route(ev).is_some());
    // The same headline figures in every edition.
    let internal = Edition::new(&site, Audience::Internal, &md);
    for e in [&public, &customer] {
        assert_eq!(
            (
                e.coverage.applicable,
                e.coverage.implemented,
                e.coverage.planned
            ),
            (
                internal.coverage.applicable,
                internal.coverage.implemented,
                internal.coverage.planned
            )
        );
    }
    // A supplier's risk rating, review date and notes are for customers up.
    let s = public
        .suppliers
        .published()
        .next()
        .expect("public supplier");
    assert!(s.risk.is_none() && s.reviewed.is_none() && s.notes.is_none());
    let s = customer.suppliers.published().next().expect("supplier");
    assert!(s.risk.is_some() && s.reviewed.is_some() && s.notes.is_some());
}

#[test]
fn sections_as_configured() {
    let (_dir, site) =
        site_with("editions:\n  customer: {sections: [overview, policies, traceability]}\n");
    let md = markdown::Renderer::new(false);
    let customer = Edition::new(&site, Audience::Customer, &md);
    assert!(customer.has(Section::Policies));
    // Traceability is a view of the controls: without them it is left out too.
    assert!(!customer.has(Section::Traceability));
    assert!(!customer.writes(&Route::Scope));
    assert!(!customer.writes(&Route::Soa));
    assert!(!customer.writes(&Route::Item(Collection::Controls, "a-5-1".into())));
    assert!(customer.suppliers.is_empty());
    // Unnamed editions keep their defaults.
    let internal = Edition::new(&site, Audience::Internal, &md);
    assert!(Section::ALL.iter().all(|s| internal.has(*s)));
}

#[test]
fn the_work_queue_is_internal_and_most_urgent_first() {
    let (_dir, site) = site();
    let md = markdown::Renderer::new(false);
    let internal = Edition::new(&site, Audience::Internal, &md);
    let kinds: Vec<WorkKind> = internal.work_queue.iter().map(|g| g.kind).collect();
    // The evidence expired on 2026-01-01 (today is 2026-06-01); A.5.2 has only a draft,
    // which is still a policy linked to it, so no control lacks one.
    assert_eq!(kinds, [WorkKind::ExpiredEvidence]);
    assert!(
        Edition::new(&site, Audience::Public, &md)
            .work_queue
            .is_empty()
    );
}

#[test]
fn a_link_resolved_by_the_link_stage_is_not_resolved_again() {
    use crate::markdown::LinkAt;
    let (_dir, site) = site();
    let md = crate::markdown::Renderer::new(false);
    let edition = Edition::new(&site, Audience::Internal, &md);
    let from = "policies/open.md";
    let link = |dest: &str| LinkAt {
        dest: dest.into(),
        line: 1,
        column: 1,
        offset: 0,
    };
    // What the link stage found, made different from what resolving again would give.
    let known = links::KnownLinks {
        links: Arc::new(vec![link("policy:listed")]),
        resolved: Arc::new(vec![Err("kept from the link stage".into())]),
    };
    assert!(matches!(
        edition.place("policy:listed", from),
        links::Place::Page(..)
    ));
    assert_eq!(
        edition.place_known("policy:listed", from, Some(&known)),
        links::Place::TextOnly,
        "the kept resolution is used"
    );
    assert!(
        matches!(
            edition.place_known("policy:open", from, Some(&known)),
            links::Place::Page(..)
        ),
        "a destination the text did not have is resolved"
    );
}

/// A site of `n` policies, every third public, customer (listed) or internal, each mapped to
/// A.5.1 and named by a finding of the same classification.
fn many_policies(n: usize) -> (tempfile::TempDir, Site) {
    let class = |i: usize| ["public", "customer", "internal"][i % 3];
    let mut files = vec![
        (
            "site.yaml".to_string(),
            "title: T\nbase_url: https://trust.example/\norganisation: {name: Org}\neditions:\n  public: {sections: [overview, scope, policies, controls, evidence, findings]}\n".to_string(),
        ),
        ("scope.md".into(), "---\ntitle: Scope\n---\nAll.\n".into()),
        (
            "controls/mappings.yaml".into(),
            "- control: A.5.1\n  applicable: true\n  status: implemented\n  classification: public\n"
                .into(),
        ),
    ];
    let mut findings = String::new();
    let mut evidence = String::new();
    for i in 0..n {
        let id = format!("p{i:04}");
        files.push((
            format!("policies/{id}.md"),
            policy(&id, class(i), "approved", i % 3 == 1, "A.5.1"),
        ));
        findings.push_str(&format!(
            "- id: f{i:04}\n  title: Finding {i}\n  kind: observation\n  raised: 2026-01-01\n  status: open\n  policies: [{id}]\n  classification: {}\n",
            class(i)
        ));
        evidence.push_str(&format!(
            "- id: e{i:04}\n  title: Evidence {i}\n  kind: report\n  url: policy:{id}\n  classification: {}\n",
            class(i)
        ));
    }
    files.push(("findings/audit.yaml".into(), findings));
    files.push(("evidence/register.yaml".into(), evidence));
    crate::testing::linked_site(files)
}

#[test]
fn registers_made_in_parallel_keep_source_order_and_their_relations() {
    // Several times the smallest parallel task, so the registers are made by several tasks.
    let n = 4 * MIN_TASK + 7;
    let (_dir, site) = many_policies(n);
    let md = markdown::Renderer::new(false);
    let public = Edition::new(&site, Audience::Public, &md);
    let mut expected = Vec::new();
    for i in 0..n {
        match i % 3 {
            0 => expected.push(format!("p{i:04}")),
            1 => expected.push(format!("(Title p{i:04})")),
            _ => {}
        }
    }
    let seen: Vec<String> = public
        .policies
        .entries()
        .map(|e| match e {
            Entry::Published(p) => p.id.to_string(),
            Entry::OnRequest { title } => format!("({title})"),
        })
        .collect();
    assert_eq!(seen, expected);
    // The internal policies are counted, not named.
    assert_eq!(
        public.policies.restricted,
        (0..n).filter(|i| i % 3 == 2).count()
    );
    for (key, p) in public.policies.iter_published() {
        assert_eq!(public.policies.by_slug(p.slug).map(|q| q.id), Some(p.id));
        assert_eq!(site.policies[key].common.id, p.id);
        // Its finding is public too; the control's mapping is public.
        assert_eq!(p.findings.keys.len(), 1, "{}", p.id);
        assert_eq!(p.controls.keys.len(), 1, "{}", p.id);
    }
    let findings: Vec<&str> = public.findings.published().map(|f| f.id).collect();
    let every_third: Vec<String> = (0..n).step_by(3).map(|i| format!("f{i:04}")).collect();
    assert_eq!(findings, every_third);
    for f in public.findings.published() {
        // The finding's policy is public: shown, none left out.
        assert_eq!(
            (f.policies.keys.len(), f.policies.restricted),
            (1, 0),
            "{}",
            f.id
        );
    }
    // Each evidence item's URL names the policy of its number, shown by its title.
    for e in public.evidence.published() {
        let title = format!("Title p{}", &e.id[1..]);
        assert!(
            matches!(&e.url, Some(UrlField::Page { text, .. }) if *text == title),
            "{}: {:?}",
            e.id,
            e.url
        );
    }
    // The same site makes the same edition.
    let again = Edition::new(&site, Audience::Public, &md);
    assert_eq!(again.link_env, public.link_env);
    let internal = Edition::new(&site, Audience::Internal, &md);
    assert_ne!(internal.link_env, public.link_env);
    assert_eq!(internal.policies.published().count(), n);
}

#[test]
fn by_slug_looks_further_when_two_slugs_share_a_hash() {
    let (_dir, site) = site();
    let md = markdown::Renderer::new(false);
    let mut edition = Edition::new(&site, Audience::Internal, &md);
    let open = edition.policies.by_slug("open").expect("published").id;
    assert_eq!(open, "open");
    assert!(edition.policies.by_slug("nowhere").is_none());
    // As if "draft" hashed as "open" does and came first: the table points at the wrong
    // entry, and the slug is still found.
    let draft = slug_hash("draft");
    let first = *edition
        .policies
        .slugs
        .get(&slug_hash("open"))
        .expect("filed");
    edition.policies.slugs.insert(draft, first);
    assert_eq!(
        edition.policies.by_slug("draft").map(|p| p.id),
        Some("draft")
    );
    assert_eq!(edition.policies.by_slug("open").map(|p| p.id), Some("open"));
}

//! A property test over random sites: every collection, every classification (and the
//! defaults of `site.yaml`), every policy status, `listed` on and off, relations and Markdown
//! links between items of every kind, and links by the site's own addresses in many spellings.
//! Each site is built with the real binary for every audience, and every output byte (pages,
//! copied evidence files, `search-index.json`, `sitemap.xml`, `soa.csv`, file names) is
//! searched for the markers of the items the audience may not see.
//!
//! Every field of an item carries a marker `mk` + class (`pub`, `cus`, `int`) + collection
//! letter + index + a three-letter field name, such as `mkintp3tit`. A letter follows the
//! index and every field name has three letters, so no marker is a prefix of another. Ids,
//! file names and link texts carry markers too; a link's text is the linking item's marker,
//! so a withheld link may show its text but never its target's id. Some cases replace every
//! template by a dump of its context, so a view field no default template prints is searched
//! as well. Conversely, each build must hold the id and title of every item it may show (the
//! title only for a listed one), so the markers cannot silently go missing.
//!
//! A modest number of cases keeps `cargo test` fast; for a longer run:
//! `PROPTEST_CASES=500 cargo test --test testsuite leak_property::`.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::common::sites::write;
use crate::common::*;

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_build_carries_a_marker_above_its_audience(site in site()) {
        check_site(&site)?;
    }
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24);
    // Each case is three builds; a bounded shrink keeps a failure's report minutes away at most.
    ProptestConfig {
        cases,
        max_shrink_iters: 300,
        ..ProptestConfig::default()
    }
}

/// Builds `site` for each audience and checks its markers; a failed build fails the case.
fn check_site(site: &SiteM) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir_in(scratch()).expect("temp dir");
    let root = dir.path().join("site");
    let written = write_site(site, &root);
    for audience in [Class::Public, Class::Customer, Class::Internal] {
        let out = dir.path().join(format!("out-{}", audience.name()));
        let o = build(&root, audience.name(), &out);
        if !o.status.success() {
            return Err(TestCaseError::fail(format!(
                "the generated site does not build for {}:\n{}\n{}",
                audience.name(),
                String::from_utf8_lossy(&o.stderr),
                listing(&root)
            )));
        }
        let found = scan(&Tree::read(&out));
        let problems = judge(&written, audience, &found);
        if !problems.is_empty() {
            return Err(TestCaseError::fail(format!(
                "{} build of {}:\n{}",
                audience.name(),
                root.display(),
                problems.join("\n")
            )));
        }
    }
    Ok(())
}

/// Where the cases' sites and outputs go: memory where Linux offers it, as each case writes
/// three builds of some 130 files, and a busy disk made that most of the test's time.
fn scratch() -> std::path::PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() && tempfile::tempdir_in(shm).is_ok() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// What is wrong with one audience's output: markers it may not carry, markers it lacks.
fn judge(written: &Written, audience: Class, found: &Found) -> Vec<String> {
    let mut problems = Vec::new();
    for m in &written.markers {
        let access = written.access(m.coll, m.index, audience);
        let allowed = match access {
            Access::Full => true,
            Access::Listed => m.field == "tit",
            Access::Hidden => false,
        };
        let (file, context) = match found.get(&m.text) {
            Some(at) => (Some(&at.0), &at.1),
            None => (None, &String::new()),
        };
        if let (false, Some(file)) = (allowed, file) {
            problems.push(format!(
                "leak: {} ({:?} #{}, field {}, {:?} to {}) in {file}: …{context}…",
                m.text,
                m.coll,
                m.index,
                m.field,
                access,
                audience.name()
            ));
        }
        // The markers are not lost: what the reader may see is there.
        let expected = match access {
            Access::Full => ["idx", "tit", "bod", "con"].contains(&m.field),
            Access::Listed => m.field == "tit",
            Access::Hidden => false,
        };
        if expected && file.is_none() {
            problems.push(format!(
                "missing: {} ({:?} #{}, field {}) is not in the {} build",
                m.text,
                m.coll,
                m.index,
                m.field,
                audience.name()
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// The model a case generates.

const MAX_ITEMS: usize = 6;
const CONTROLS: [&str; 8] = [
    "A.5.1", "A.5.2", "A.5.15", "A.5.30", "A.6.3", "A.7.6", "A.8.13", "A.8.24",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Public,
    Customer,
    Internal,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::Public => "public",
            Class::Customer => "customer",
            Class::Internal => "internal",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Class::Public => "pub",
            Class::Customer => "cus",
            Class::Internal => "int",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Draft,
    Approved,
    Retired,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Coll {
    Policies,
    Mappings,
    Evidence,
    Risks,
    Findings,
    Suppliers,
}

impl Coll {
    const ALL: [Coll; 6] = [
        Coll::Policies,
        Coll::Mappings,
        Coll::Evidence,
        Coll::Risks,
        Coll::Findings,
        Coll::Suppliers,
    ];

    fn letter(self) -> char {
        match self {
            Coll::Policies => 'p',
            Coll::Mappings => 'm',
            Coll::Evidence => 'e',
            Coll::Risks => 'r',
            Coll::Findings => 'f',
            Coll::Suppliers => 's',
        }
    }

    /// The source folder, the output folder and the `defaults:` key (all the same).
    fn folder(self) -> &'static str {
        match self {
            Coll::Policies => "policies",
            Coll::Mappings => "controls",
            Coll::Evidence => "evidence",
            Coll::Risks => "risks",
            Coll::Findings => "findings",
            Coll::Suppliers => "suppliers",
        }
    }

    fn scheme(self) -> &'static str {
        match self {
            Coll::Policies => "policy",
            Coll::Mappings => "control",
            Coll::Evidence => "evidence",
            Coll::Risks => "risk",
            Coll::Findings => "finding",
            Coll::Suppliers => "supplier",
        }
    }
}

#[derive(Clone, Debug)]
struct Vis {
    /// `None`: no `classification:` field, so the collection's default applies.
    class: Option<Class>,
    listed: bool,
}

#[derive(Clone, Copy, Debug)]
enum Target {
    /// An index into a collection (not `Mappings`), taken modulo its length; dropped when the
    /// collection is empty, so that shrinking never makes a link dangle.
    Item(Coll, usize),
    Control(usize),
    Scope,
}

#[derive(Clone, Debug)]
struct Link {
    target: Target,
    /// Which spelling of the target's address, modulo the number it has.
    spelling: usize,
}

#[derive(Clone, Debug)]
struct PolicyM {
    vis: Vis,
    status: Status,
    controls: Vec<usize>,
    body: Vec<Link>,
}

#[derive(Clone, Debug)]
struct MappingM {
    control: usize,
    class: Option<Class>,
    applicable: bool,
    policies: Vec<usize>,
    evidence: Vec<usize>,
    risks: Vec<usize>,
    notes: Vec<Link>,
}

#[derive(Clone, Debug)]
enum Source {
    None,
    File,
    /// `url:` naming an item of the site (by scheme or own address).
    Url(Link),
    /// `url:` on another host, carrying the item's own marker.
    External,
}

#[derive(Clone, Debug)]
struct EvidenceM {
    vis: Vis,
    source: Source,
    description: Vec<Link>,
    notes: Vec<Link>,
}

#[derive(Clone, Debug)]
struct RiskM {
    vis: Vis,
    controls: Vec<usize>,
    notes: Vec<Link>,
}

#[derive(Clone, Debug)]
struct FindingM {
    vis: Vis,
    controls: Vec<usize>,
    policies: Vec<usize>,
    description: Vec<Link>,
    root_cause: Vec<Link>,
    corrective_action: Vec<Link>,
    notes: Vec<Link>,
}

#[derive(Clone, Debug)]
struct SupplierM {
    vis: Vis,
    notes: Vec<Link>,
}

#[derive(Clone, Debug)]
struct SiteM {
    /// `site.yaml` `defaults`, in the order of `Coll::ALL`.
    defaults: [Option<Class>; 6],
    allow_raw_html: bool,
    show_restricted_counts: bool,
    /// Every template replaced by a dump of its whole context, so that a view field no
    /// default template prints is searched too.
    dump_views: bool,
    /// `organisation.website` and `certificate.register_url`, naming items of the site.
    website: Option<Link>,
    register_url: Option<Link>,
    scope: Vec<Link>,
    policies: Vec<PolicyM>,
    mappings: Vec<MappingM>,
    evidence: Vec<EvidenceM>,
    risks: Vec<RiskM>,
    findings: Vec<FindingM>,
    suppliers: Vec<SupplierM>,
}

// ---------------------------------------------------------------------------------------------
// Strategies.

fn class() -> impl Strategy<Value = Option<Class>> {
    prop_oneof![
        Just(None),
        Just(Some(Class::Public)),
        Just(Some(Class::Customer)),
        Just(Some(Class::Internal)),
    ]
}

fn vis() -> impl Strategy<Value = Vis> {
    (class(), any::<bool>()).prop_map(|(class, listed)| Vis { class, listed })
}

fn target() -> impl Strategy<Value = Target> {
    let item = |c: Coll| (0..MAX_ITEMS).prop_map(move |i| Target::Item(c, i));
    prop_oneof![
        item(Coll::Policies),
        item(Coll::Evidence),
        item(Coll::Risks),
        item(Coll::Findings),
        item(Coll::Suppliers),
        (0..CONTROLS.len()).prop_map(Target::Control),
        Just(Target::Scope),
    ]
}

fn link() -> impl Strategy<Value = Link> {
    (target(), 0..32usize).prop_map(|(target, spelling)| Link { target, spelling })
}

fn links() -> impl Strategy<Value = Vec<Link>> {
    prop::collection::vec(link(), 0..4)
}

fn refs() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..MAX_ITEMS, 0..3)
}

fn controls() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..CONTROLS.len(), 0..3)
}

fn policy() -> impl Strategy<Value = PolicyM> {
    let status = prop_oneof![
        Just(Status::Approved),
        Just(Status::Draft),
        Just(Status::Retired),
    ];
    (vis(), status, controls(), links()).prop_map(|(vis, status, controls, body)| PolicyM {
        vis,
        status,
        controls,
        body,
    })
}

fn mapping() -> impl Strategy<Value = MappingM> {
    (
        0..CONTROLS.len(),
        class(),
        any::<bool>(),
        refs(),
        refs(),
        refs(),
        links(),
    )
        .prop_map(
            |(control, class, applicable, policies, evidence, risks, notes)| MappingM {
                control,
                class,
                applicable,
                policies,
                evidence,
                risks,
                notes,
            },
        )
}

fn evidence() -> impl Strategy<Value = EvidenceM> {
    let source = prop_oneof![
        Just(Source::None),
        Just(Source::File),
        link().prop_map(Source::Url),
        Just(Source::External),
    ];
    (vis(), source, links(), links()).prop_map(|(vis, source, description, notes)| EvidenceM {
        vis,
        source,
        description,
        notes,
    })
}

fn risk() -> impl Strategy<Value = RiskM> {
    (vis(), controls(), links()).prop_map(|(vis, controls, notes)| RiskM {
        vis,
        controls,
        notes,
    })
}

fn finding() -> impl Strategy<Value = FindingM> {
    (
        vis(),
        controls(),
        refs(),
        links(),
        links(),
        links(),
        links(),
    )
        .prop_map(
            |(vis, controls, policies, description, root_cause, corrective_action, notes)| {
                FindingM {
                    vis,
                    controls,
                    policies,
                    description,
                    root_cause,
                    corrective_action,
                    notes,
                }
            },
        )
}

fn supplier() -> impl Strategy<Value = SupplierM> {
    (vis(), links()).prop_map(|(vis, notes)| SupplierM { vis, notes })
}

fn site() -> impl Strategy<Value = SiteM> {
    let n = 0..=MAX_ITEMS;
    (
        (
            proptest::array::uniform6(class()),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(link()),
            proptest::option::of(link()),
            links(),
        ),
        prop::collection::vec(policy(), n.clone()),
        prop::collection::vec(mapping(), n.clone()),
        prop::collection::vec(evidence(), n.clone()),
        prop::collection::vec(risk(), n.clone()),
        prop::collection::vec(finding(), n.clone()),
        prop::collection::vec(supplier(), n),
    )
        .prop_map(
            |(
                (
                    defaults,
                    allow_raw_html,
                    show_restricted_counts,
                    dump_views,
                    website,
                    register_url,
                    scope,
                ),
                policies,
                mappings,
                evidence,
                risks,
                findings,
                suppliers,
            )| SiteM {
                defaults,
                allow_raw_html,
                show_restricted_counts,
                dump_views,
                website,
                register_url,
                scope,
                policies,
                mappings,
                evidence,
                risks,
                findings,
                suppliers,
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Writing a model as a site, recording every marker written.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    Full,
    Listed,
    Hidden,
}

struct Marker {
    text: String,
    coll: Coll,
    index: usize,
    field: &'static str,
}

/// A written site: the model and every marker in its sources.
struct Written<'a> {
    site: &'a SiteM,
    markers: Vec<Marker>,
}

impl Written<'_> {
    fn len(&self, coll: Coll) -> usize {
        let s = self.site;
        match coll {
            Coll::Policies => s.policies.len(),
            Coll::Mappings => s.mappings.len(),
            Coll::Evidence => s.evidence.len(),
            Coll::Risks => s.risks.len(),
            Coll::Findings => s.findings.len(),
            Coll::Suppliers => s.suppliers.len(),
        }
    }

    fn vis(&self, coll: Coll, i: usize) -> Vis {
        let s = self.site;
        match coll {
            Coll::Policies => s.policies[i].vis.clone(),
            Coll::Mappings => Vis {
                class: s.mappings[i].class,
                listed: false,
            },
            Coll::Evidence => s.evidence[i].vis.clone(),
            Coll::Risks => s.risks[i].vis.clone(),
            Coll::Findings => s.findings[i].vis.clone(),
            Coll::Suppliers => s.suppliers[i].vis.clone(),
        }
    }

    /// The item's classification: its own, else the collection's default, else internal.
    fn class(&self, coll: Coll, i: usize) -> Class {
        let default = Coll::ALL
            .iter()
            .position(|c| *c == coll)
            .and_then(|k| self.site.defaults[k]);
        self.vis(coll, i)
            .class
            .or(default)
            .unwrap_or(Class::Internal)
    }

    /// The rule under test, as the README states it.
    fn access(&self, coll: Coll, i: usize, audience: Class) -> Access {
        if coll == Coll::Policies
            && audience != Class::Internal
            && self.site.policies[i].status != Status::Approved
        {
            return Access::Hidden;
        }
        if self.class(coll, i) <= audience {
            Access::Full
        } else if self.vis(coll, i).listed {
            Access::Listed
        } else {
            Access::Hidden
        }
    }

    fn marker(&self, coll: Coll, i: usize, field: &str) -> String {
        format!(
            "mk{}{}{i}{field}",
            self.class(coll, i).short(),
            coll.letter()
        )
    }

    /// The marker of a field, recorded as written.
    fn mark(&mut self, coll: Coll, i: usize, field: &'static str) -> String {
        let text = self.marker(coll, i, field);
        if !self.markers.iter().any(|m| m.text == text) {
            self.markers.push(Marker {
                text: text.clone(),
                coll,
                index: i,
                field,
            });
        }
        text
    }

    fn resolve(&self, t: Target) -> Option<Target> {
        match t {
            Target::Item(c, i) => {
                let n = self.len(c);
                (n > 0).then(|| Target::Item(c, i % n))
            }
            t => Some(t),
        }
    }

    /// The ids of a list field (`policies: [...]`), resolved and without repeats.
    fn ids(&self, coll: Coll, refs: &[usize]) -> Option<String> {
        let n = self.len(coll);
        if n == 0 {
            return None;
        }
        let mut ids: Vec<String> = Vec::new();
        for r in refs {
            let id = self.marker(coll, r % n, "idx");
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        (!ids.is_empty()).then(|| format!("[{}]", ids.join(", ")))
    }

    fn evidence_file(&self, i: usize) -> Option<String> {
        matches!(self.site.evidence[i].source, Source::File)
            .then(|| format!("{}.txt", self.marker(Coll::Evidence, i, "fil")))
    }

    /// The spellings of a link to `target` with the text `text`, written in a file whose
    /// folder is `rel` from the site root ("../" or ""): (inline, reference definition).
    fn spellings(&self, target: Target, text: &str, rel: &str, n: usize) -> Vec<(String, String)> {
        let one = |s: String| (s, String::new());
        match target {
            Target::Scope => vec![
                one(format!("[{text}]({rel}scope.md)")),
                one(format!("[{text}](/security/scope/)")),
                one(format!("<a href=\"/scope/\">{text}</a>")),
                one(format!(
                    "[{text}](https://trust.example/security/scope/index.html)"
                )),
            ],
            Target::Control(c) => {
                let id = CONTROLS[c];
                let slug = id.to_lowercase().replace('.', "-");
                let mut forms = page_spellings("control", "controls", id, &slug, text, n);
                forms.push(one(format!("{text}, see {id}.")));
                forms
            }
            Target::Item(coll, i) => {
                let id = self.marker(coll, i, "idx");
                let folder = coll.folder();
                let mut forms = page_spellings(coll.scheme(), folder, &id, &id, text, n);
                if coll == Coll::Policies {
                    let src = self.marker(coll, i, "src");
                    forms.extend([
                        one(format!("[{text}]({rel}policies/{src}.md)")),
                        one(format!("[{text}](/policies/{src}.md)")),
                        one(format!(
                            "[{text}](https://trust.example/security/policies/{src}.md)"
                        )),
                    ]);
                }
                let file = (coll == Coll::Evidence)
                    .then(|| self.evidence_file(i))
                    .flatten();
                if let Some(file) = file {
                    forms.extend([
                        one(format!("[{text}](/security/evidence/{id}/{file})")),
                        one(format!("![{text}]({rel}evidence/files/{file})")),
                        one(format!(
                            "[{text}](https://trust.example/security/evidence/{id}/{file})"
                        )),
                        one(format!(
                            "<img src=\"/evidence/{id}/{file}\" alt=\"{text}\">"
                        )),
                        one(format!("[{text}](/evidence/files/{file})")),
                    ]);
                }
                forms
            }
        }
    }

    /// An evidence `url:` naming `target`.
    fn url(&self, target: Target, spelling: usize) -> String {
        let (scheme, folder, id) = match target {
            Target::Scope => return "/security/scope/".into(),
            Target::Control(c) => return format!("control:{}", CONTROLS[c]),
            Target::Item(coll, i) => (coll.scheme(), coll.folder(), self.marker(coll, i, "idx")),
        };
        let mut forms = vec![
            format!("{scheme}:{id}"),
            format!("/security/{folder}/{id}/"),
            format!("HTTPS://TRUST.EXAMPLE:443/security/{folder}/{id}/index.html"),
            format!("//trust.example/{folder}/{id}/"),
        ];
        if let Target::Item(Coll::Evidence, i) = target
            && let Some(file) = self.evidence_file(i)
        {
            forms.push(format!(
                "https://trust.example/security/evidence/{id}/{file}"
            ));
        }
        forms[spelling % forms.len()].clone()
    }

    /// A Markdown field: text with the field's marker, then one list item per link (text: the
    /// linking item's `lnk` marker), then the reference definitions.
    fn markdown(&self, text: &str, link_text: &str, links: &[Link], rel: &str) -> String {
        let mut md = format!("Text {text}.\n\n");
        let mut defs = String::new();
        for (n, link) in links.iter().enumerate() {
            let Some(target) = self.resolve(link.target) else {
                continue;
            };
            let forms = self.spellings(target, link_text, rel, n);
            let (inline, def) = &forms[link.spelling % forms.len()];
            md.push_str(&format!("- {inline}\n"));
            defs.push_str(def);
        }
        if !defs.is_empty() {
            md.push('\n');
            md.push_str(&defs);
        }
        md
    }

    /// A Markdown field of a register entry, as a YAML block scalar.
    fn block(
        &mut self,
        key: &str,
        coll: Coll,
        i: usize,
        field: &'static str,
        links: &[Link],
    ) -> String {
        let text = self.mark(coll, i, field);
        let lnk = self.mark(coll, i, "lnk");
        let md = self.markdown(&text, &lnk, links, "../");
        let mut out = format!("  {key}: |\n");
        for line in md.lines() {
            if !line.is_empty() {
                out.push_str("    ");
                out.push_str(line);
            }
            out.push('\n');
        }
        out
    }

    /// `classification:` and `listed:` of an item.
    fn vis_fields(&self, coll: Coll, i: usize, indent: &str) -> String {
        let vis = self.vis(coll, i);
        let mut s = String::new();
        if let Some(c) = vis.class {
            s.push_str(&format!("{indent}classification: {}\n", c.name()));
        }
        if vis.listed {
            s.push_str(&format!("{indent}listed: true\n"));
        }
        s
    }
}

fn page_spellings(
    scheme: &str,
    folder: &str,
    id: &str,
    slug: &str,
    text: &str,
    n: usize,
) -> Vec<(String, String)> {
    let one = |s: String| (s, String::new());
    let upper = |s: &str| s.to_uppercase();
    let encoded = format!("%{:02X}{}", folder.as_bytes()[0], &folder[1..]);
    vec![
        one(format!("[{text}]({scheme}:{id})")),
        one(format!("<{scheme}:{id}>")),
        one(format!("[{text}]({scheme}:{id} \"{text}\")")),
        (
            format!("[{text}][r{n}]"),
            format!("[r{n}]: {scheme}:{id}\n"),
        ),
        one(format!("<a href=\"{scheme}:{id}\">{text}</a>")),
        one(format!("[{text}](/security/{folder}/{slug}/)")),
        one(format!(
            "[{text}](https://TRUST.example:443/security/{folder}/{slug}/index.html)"
        )),
        one(format!(
            "[{text}](//trust.example/security/{folder}/{slug}/)"
        )),
        one(format!("[{text}](/{folder}/{slug}/)")),
        one(format!(
            "[{text}](http://trust.example/security/{folder}/{slug})"
        )),
        one(format!(
            "[{text}](/SECURITY/{}/{}/)",
            upper(folder),
            upper(slug)
        )),
        one(format!("[{text}](/security/{encoded}/{slug}/)")),
        one(format!("<https://trust.example/security/{folder}/{slug}/>")),
        one(format!("<a href=\"/security/{folder}/{slug}/\">{text}</a>")),
        one(format!("[{text}](/security/./{folder}/{slug}/index.htm)")),
    ]
}

/// Writes `site` under `root` and returns every marker written.
fn write_site<'a>(site: &'a SiteM, root: &Path) -> Written<'a> {
    let mut w = Written {
        site,
        markers: Vec::new(),
    };
    let mut config = String::from(
        "title: Property Trust Center\nbase_url: https://trust.example/security/\norganisation:\n  name: Property Ltd\n",
    );
    let url = |link: &Option<Link>| {
        let link = link.as_ref()?;
        Some(w.url(w.resolve(link.target)?, link.spelling))
    };
    if let Some(website) = url(&site.website) {
        config.push_str(&format!("  website: \"{website}\"\n"));
    }
    if let Some(register) = url(&site.register_url) {
        config.push_str(&format!(
            "certificate:\n  status: certified\n  reference: C-1\n  register_url: \"{register}\"\n"
        ));
    }
    // Every section in every edition: what is published is decided by classification alone,
    // which this property is about (sections have their own tests).
    config.push_str("editions:\n  public: {sections: [overview, scope, certification, policies, controls, traceability, evidence, risks, findings, suppliers]}\n");
    config.push_str(&format!(
        "allow_raw_html: {}\nshow_restricted_counts: {}\n",
        site.allow_raw_html, site.show_restricted_counts
    ));
    if site.defaults.iter().any(Option::is_some) {
        config.push_str("defaults:\n");
        for (coll, class) in Coll::ALL.iter().zip(&site.defaults) {
            if let Some(c) = class {
                config.push_str(&format!(
                    "  {}:\n    classification: {}\n",
                    coll.folder(),
                    c.name()
                ));
            }
        }
    }
    write(root, "site.yaml", config.as_bytes());
    if site.dump_views {
        let theme = repo().join("themes/default/templates");
        for entry in std::fs::read_dir(&theme).expect("the default theme's templates") {
            let name = entry.expect("a theme template").file_name();
            let name = name.to_str().expect("a template name");
            write(
                root,
                &format!("templates/{name}"),
                b"{{ __tera_context }}\n",
            );
        }
    }
    let scope = w.markdown("of the scope", "scope link", &site.scope, "");
    write(
        root,
        "scope.md",
        format!("---\ntitle: Scope\n---\n{scope}").as_bytes(),
    );

    for (i, p) in site.policies.iter().enumerate() {
        let c = Coll::Policies;
        let src = w.mark(c, i, "src");
        let mut s = format!(
            "---\nid: {}\ntitle: Policy {}\nowner: Owner {}\nversion: \"1.{i} {}\"\n",
            w.mark(c, i, "idx"),
            w.mark(c, i, "tit"),
            w.mark(c, i, "own"),
            w.mark(c, i, "ver"),
        );
        s.push_str(match p.status {
            Status::Draft => "status: draft\n",
            Status::Approved => "status: approved\napproved: 2026-01-10\nreview_by: 2027-01-10\n",
            Status::Retired => "status: retired\napproved: 2025-01-10\n",
        });
        s.push_str(&w.vis_fields(c, i, ""));
        let controls: Vec<&str> = p.controls.iter().map(|k| CONTROLS[*k]).collect();
        if !controls.is_empty() {
            s.push_str(&format!("controls: [{}]\n", controls.join(", ")));
        }
        s.push_str(&format!("summary: Summary {}\n---\n", w.mark(c, i, "sum")));
        s.push_str(&format!("## Purpose {}\n\n", w.mark(c, i, "hdg")));
        let bod = w.mark(c, i, "bod");
        let lnk = w.mark(c, i, "lnk");
        s.push_str(&w.markdown(&bod, &lnk, &p.body, "../"));
        s.push_str(&format!("\n```yaml\nrole: {}\n```\n", w.mark(c, i, "cod")));
        write(root, &format!("policies/{src}.md"), s.as_bytes());
    }

    let mut yaml = String::new();
    let mut mapped = Vec::new();
    for (i, m) in site.mappings.iter().enumerate() {
        // A control is mapped at most once: later mappings of it are left out.
        if mapped.contains(&m.control) {
            continue;
        }
        mapped.push(m.control);
        let c = Coll::Mappings;
        yaml.push_str(&format!(
            "- control: {}\n  applicable: {}\n  owner: Owner {}\n",
            CONTROLS[m.control],
            m.applicable,
            w.mark(c, i, "own")
        ));
        if m.applicable {
            yaml.push_str("  status: partially-implemented\n");
        } else {
            yaml.push_str(&format!(
                "  justification: Reason {}\n",
                w.mark(c, i, "jus")
            ));
        }
        for (key, coll, refs) in [
            ("policies", Coll::Policies, &m.policies),
            ("evidence", Coll::Evidence, &m.evidence),
            ("risks", Coll::Risks, &m.risks),
        ] {
            if let Some(ids) = w.ids(coll, refs) {
                yaml.push_str(&format!("  {key}: {ids}\n"));
            }
        }
        yaml.push_str(&w.block("notes", c, i, "not", &m.notes));
        yaml.push_str(&w.vis_fields(c, i, "  "));
    }
    if !yaml.is_empty() {
        write(root, "controls/mappings.yaml", yaml.as_bytes());
    }

    let mut yaml = String::new();
    for (i, e) in site.evidence.iter().enumerate() {
        let c = Coll::Evidence;
        yaml.push_str(&format!(
            "- id: {}\n  title: Evidence {}\n  kind: record\n  owner: Owner {}\n  collected: 2026-06-01\n  expires: {}\n",
            w.mark(c, i, "idx"),
            w.mark(c, i, "tit"),
            w.mark(c, i, "own"),
            if i % 2 == 0 { "2027-06-01" } else { "2026-09-01" },
        ));
        match &e.source {
            Source::None => {}
            Source::File => {
                let file = format!("{}.txt", w.mark(c, i, "fil"));
                let content = format!("evidence file {}\n", w.mark(c, i, "con"));
                write(root, &format!("evidence/files/{file}"), content.as_bytes());
                yaml.push_str(&format!("  file: evidence/files/{file}\n"));
            }
            Source::Url(link) => {
                if let Some(t) = w.resolve(link.target) {
                    yaml.push_str(&format!("  url: \"{}\"\n", w.url(t, link.spelling)));
                }
            }
            Source::External => {
                let url = w.mark(c, i, "url");
                yaml.push_str(&format!("  url: \"https://register.example/{url}\"\n"));
            }
        }
        yaml.push_str(&w.block("description", c, i, "des", &e.description));
        yaml.push_str(&w.block("notes", c, i, "not", &e.notes));
        yaml.push_str(&w.vis_fields(c, i, "  "));
    }
    if !yaml.is_empty() {
        write(root, "evidence/register.yaml", yaml.as_bytes());
    }

    let mut yaml = String::new();
    for (i, r) in site.risks.iter().enumerate() {
        let c = Coll::Risks;
        yaml.push_str(&format!(
            "- id: {}\n  title: Risk {}\n  asset: Asset {}\n  threat: Threat {}\n  vulnerability: Weakness {}\n  likelihood: {}\n  impact: 4\n  treatment: mitigate\n  owner: Owner {}\n  status: open\n",
            w.mark(c, i, "idx"),
            w.mark(c, i, "tit"),
            w.mark(c, i, "ass"),
            w.mark(c, i, "thr"),
            w.mark(c, i, "vul"),
            1 + i % 5,
            w.mark(c, i, "own"),
        ));
        let controls: Vec<&str> = r.controls.iter().map(|k| CONTROLS[*k]).collect();
        if !controls.is_empty() {
            yaml.push_str(&format!("  controls: [{}]\n", controls.join(", ")));
        }
        yaml.push_str(&w.block("notes", c, i, "not", &r.notes));
        yaml.push_str(&w.vis_fields(c, i, "  "));
    }
    if !yaml.is_empty() {
        write(root, "risks/register.yaml", yaml.as_bytes());
    }

    let mut yaml = String::new();
    for (i, f) in site.findings.iter().enumerate() {
        let c = Coll::Findings;
        yaml.push_str(&format!(
            "- id: {}\n  title: Finding {}\n  kind: minor-nonconformity\n  source: Audit {}\n  raised: 2026-05-01\n  owner: Owner {}\n  due: 2026-12-31\n  status: open\n",
            w.mark(c, i, "idx"),
            w.mark(c, i, "tit"),
            w.mark(c, i, "sou"),
            w.mark(c, i, "own"),
        ));
        let controls: Vec<&str> = f.controls.iter().map(|k| CONTROLS[*k]).collect();
        if !controls.is_empty() {
            yaml.push_str(&format!("  controls: [{}]\n", controls.join(", ")));
        }
        if let Some(ids) = w.ids(Coll::Policies, &f.policies) {
            yaml.push_str(&format!("  policies: {ids}\n"));
        }
        yaml.push_str(&w.block("description", c, i, "des", &f.description));
        yaml.push_str(&w.block("root_cause", c, i, "roo", &f.root_cause));
        yaml.push_str(&w.block("corrective_action", c, i, "cor", &f.corrective_action));
        yaml.push_str(&w.block("notes", c, i, "not", &f.notes));
        yaml.push_str(&w.vis_fields(c, i, "  "));
    }
    if !yaml.is_empty() {
        write(root, "findings/register.yaml", yaml.as_bytes());
    }

    let mut yaml = String::new();
    for (i, s) in site.suppliers.iter().enumerate() {
        let c = Coll::Suppliers;
        yaml.push_str(&format!(
            "- id: {}\n  name: Supplier {}\n  service: Service {}\n  data: Data {}\n  location: Place {}\n  subprocessor: true\n  assurance: [Report {}]\n  reviewed: 2026-03-01\n  risk: low\n",
            w.mark(c, i, "idx"),
            w.mark(c, i, "tit"),
            w.mark(c, i, "ser"),
            w.mark(c, i, "dat"),
            w.mark(c, i, "loc"),
            w.mark(c, i, "asr"),
        ));
        yaml.push_str(&w.block("notes", c, i, "not", &s.notes));
        yaml.push_str(&w.vis_fields(c, i, "  "));
    }
    if !yaml.is_empty() {
        write(root, "suppliers/register.yaml", yaml.as_bytes());
    }
    w
}

/// The site's files and contents, for the report of a site that does not build.
fn listing(root: &Path) -> String {
    let tree = Tree::read(root);
    let mut s = String::new();
    for (path, bytes) in &tree.files {
        s.push_str(&format!("=== {path}\n{}\n", String::from_utf8_lossy(bytes)));
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Searching an output.

/// Every marker in an output (lower-cased paths and contents): marker → (file, context).
type Found = BTreeMap<String, (String, String)>;

fn scan(tree: &Tree) -> Found {
    let mut found = Found::new();
    for (path, bytes) in &tree.files {
        let text = format!(
            "{}\n{}",
            path.to_lowercase(),
            String::from_utf8_lossy(bytes).to_lowercase()
        );
        for (at, _) in text.match_indices("mk") {
            if let Some(len) = marker_len(&text.as_bytes()[at..]) {
                found
                    .entry(text[at..at + len].to_string())
                    .or_insert_with(|| (path.clone(), around(&text, at, len)));
            }
        }
    }
    found
}

/// The length of the marker at the start of `s`, if one is there.
fn marker_len(s: &[u8]) -> Option<usize> {
    let class = s.get(2..5)?;
    if ![&b"pub"[..], b"cus", b"int"].contains(&class) || !b"pmerfs".contains(s.get(5)?) {
        return None;
    }
    let digits = s[6..].iter().take_while(|b| b.is_ascii_digit()).count();
    let field = s.get(6 + digits..9 + digits)?;
    (digits > 0 && field.iter().all(u8::is_ascii_lowercase)).then_some(9 + digits)
}

/// About 100 characters either side of `at`, on one line.
fn around(text: &str, at: usize, len: usize) -> String {
    let mut start = at.saturating_sub(100);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + len + 100).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    text[start..end].replace('\n', "⏎")
}

#[test]
fn markers_are_found_whole() {
    assert_eq!(marker_len(b"mkintp12titx"), Some(11));
    assert_eq!(marker_len(b"mkcuse0idx"), Some(10));
    assert_eq!(marker_len(b"mkintx1tit"), None);
    assert_eq!(marker_len(b"mkintp1ti"), None);
    assert_eq!(marker_len(b"mkdir"), None);
}

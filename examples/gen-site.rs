//! Generates a deterministic, realistic synthetic ISMS site for benchmarks:
//! N policies of about 3 KB (front matter, headings, paragraphs, a list, a table, fenced yaml
//! and bash blocks, cross-links of every kind), mappings for all 93 controls, N/2 evidence
//! items, N/10 risks, N/10 findings and 50 suppliers.
//!
//! cargo run --release --example gen-site -- --policies 1000 /tmp/site-1000 [--hugo /tmp/hugo-1000]
//!
//! With `--hugo DIR` it also writes the same policy Markdown into a minimal Hugo site
//! (content/ plus single and list layouts showing title, metadata and body), for the
//! side-by-side benchmark in bench/compare.sh.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 1000usize;
    let mut out = None;
    let mut hugo = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--policies" => {
                i += 1;
                n = args
                    .get(i)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| usage());
            }
            "--hugo" => {
                i += 1;
                hugo = Some(args.get(i).cloned().unwrap_or_else(|| usage()));
            }
            "-h" | "--help" => usage(),
            other => out = Some(other.to_string()),
        }
        i += 1;
    }
    let Some(out) = out else { usage() };
    if let Err(e) = generate(n, Path::new(&out)) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    if let Some(h) = &hugo
        && let Err(e) = hugo_site(Path::new(&out), Path::new(h))
    {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    println!("generated {n} policies into {out}");
}

/// Writes a minimal Hugo site holding the same policies: front matter translated to Hugo's
/// (title, date, params), the body unchanged.
pub fn hugo_site(site: &Path, out: &Path) -> std::io::Result<()> {
    fs::create_dir_all(out.join("content/policies"))?;
    fs::create_dir_all(out.join("layouts/_default"))?;
    fs::write(
        out.join("hugo.toml"),
        "baseURL = 'https://trust.synthetic.example/'\ntitle = 'Synthetic Trust Center'\ndisableKinds = ['taxonomy', 'term', 'RSS', 'sitemap', 'robotsTXT']\n[markup.highlight]\ncodeFences = true\nnoClasses = false\n[markup.goldmark.renderer]\nunsafe = false\n",
    )?;
    let base = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body><main>";
    fs::write(
        out.join("layouts/_default/single.html"),
        format!(
            "{base}<h1>{{{{ .Title }}}}</h1><dl><dt>Owner</dt><dd>{{{{ .Params.owner }}}}</dd><dt>Version</dt><dd>{{{{ .Params.version }}}}</dd><dt>Status</dt><dd>{{{{ .Params.status }}}}</dd><dt>Review by</dt><dd>{{{{ .Params.review_by }}}}</dd></dl><nav>{{{{ .TableOfContents }}}}</nav>{{{{ .Content }}}}</main></body></html>\n"
        ),
    )?;
    fs::write(
        out.join("layouts/_default/list.html"),
        format!(
            "{base}<h1>{{{{ .Title }}}}</h1><ul>{{{{ range .Pages }}}}<li><a href=\"{{{{ .RelPermalink }}}}\">{{{{ .Title }}}}</a> {{{{ .Params.owner }}}} {{{{ .Params.version }}}}</li>{{{{ end }}}}</ul></main></body></html>\n"
        ),
    )?;
    fs::write(
        out.join("layouts/index.html"),
        format!(
            "{base}<h1>{{{{ .Site.Title }}}}</h1><a href=\"policies/\">Policies</a></main></body></html>\n"
        ),
    )?;
    for entry in fs::read_dir(site.join("policies"))? {
        let path = entry?.path();
        let text = fs::read_to_string(&path)?;
        let Some(rest) = text.strip_prefix("---\n") else {
            continue;
        };
        let Some((front, body)) = rest.split_once("\n---\n") else {
            continue;
        };
        let field = |name: &str| {
            front
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or("")
                .trim_matches('"')
                .to_string()
        };
        let hugo_front = format!(
            "---\ntitle: \"{}\"\ndate: 2026-02-01\nparams:\n  owner: \"{}\"\n  version: \"{}\"\n  status: \"{}\"\n  review_by: \"{}\"\n---\n",
            field("title"),
            field("owner"),
            field("version"),
            field("status"),
            field("review_by")
        );
        let name = path.file_name().unwrap_or_default();
        fs::write(out.join("content/policies").join(name), hugo_front + body)?;
    }
    Ok(())
}

fn usage() -> ! {
    eprintln!("usage: gen-site [--policies N] OUT_DIR");
    std::process::exit(2);
}

/// The Annex A ids, theme by theme (5: 37, 6: 8, 7: 14, 8: 34 controls).
pub fn control_ids() -> Vec<String> {
    [(5, 37), (6, 8), (7, 14), (8, 34)]
        .iter()
        .flat_map(|(t, n)| (1..=*n).map(move |i| format!("A.{t}.{i}")))
        .collect()
}

/// A small deterministic generator (xorshift), so every run writes the same site.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "access",
    "review",
    "asset",
    "owner",
    "supplier",
    "incident",
    "backup",
    "encryption",
    "key",
    "logging",
    "monitoring",
    "change",
    "approval",
    "risk",
    "treatment",
    "control",
    "evidence",
    "audit",
    "training",
    "awareness",
    "network",
    "segmentation",
    "endpoint",
    "vulnerability",
    "patch",
    "retention",
    "privacy",
    "customer",
    "data",
    "service",
    "availability",
    "integrity",
    "confidentiality",
    "policy",
    "procedure",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        let w = WORDS[rng.below(WORDS.len())];
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.push(f.to_ascii_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

fn classification(i: usize) -> &'static str {
    match i % 10 {
        0..=2 => "public",
        3..=6 => "customer",
        _ => "internal",
    }
}

/// Writes the whole site into `out` (created if missing).
pub fn generate(n: usize, out: &Path) -> std::io::Result<()> {
    let controls = control_ids();
    let evidence_n = (n / 2).max(1);
    let risks_n = (n / 10).max(1);
    let findings_n = (n / 10).max(1);
    let suppliers_n = 50;
    for dir in [
        "policies",
        "controls",
        "evidence",
        "risks",
        "findings",
        "suppliers",
    ] {
        fs::create_dir_all(out.join(dir))?;
    }
    fs::write(
        out.join("site.yaml"),
        "title: Synthetic Trust Center\nbase_url: https://trust.synthetic.example/\norganisation:\n  name: Synthetic Ltd\n  contact_email: security@synthetic.example\ncertificate:\n  status: certified\n  reference: SYN-1\n  issued: 2026-01-01\n  expires: 2029-01-01\ndefaults:\n  controls: {classification: public}\n  suppliers: {classification: public}\n",
    )?;
    fs::write(
        out.join("scope.md"),
        "---\ntitle: Scope\nlegal_entity: Synthetic Ltd\nservices: [Synthetic SaaS]\nlocations: [London]\nhosted_environments: [Cloud]\nupdated: 2026-11-01\n---\nThe ISMS covers the Synthetic SaaS platform.\n",
    )?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..n {
        fs::write(
            out.join(format!("policies/policy-{i:05}.md")),
            policy(i, n, evidence_n, risks_n, findings_n, &controls, &mut rng),
        )?;
    }
    let mut mappings = String::new();
    for (k, c) in controls.iter().enumerate() {
        let applicable = k % 23 != 7;
        let _ = writeln!(mappings, "- control: {c}\n  applicable: {applicable}");
        if applicable {
            let status = [
                "implemented",
                "implemented",
                "implemented",
                "partially-implemented",
                "planned",
            ][k % 5];
            let _ = writeln!(
                mappings,
                "  status: {status}\n  owner: Owner {}\n  policies: [policy-{:05}, policy-{:05}]\n  evidence: [EV-{:05}]\n  risks: [R-{:04}]\n  justification: {}\n  notes: See [the policy](policy:policy-{:05}) and A.5.1.",
                k % 7,
                k % n,
                (k * 7 + 3) % n,
                k % evidence_n,
                k % risks_n,
                sentence(&mut rng, 10),
                (k * 3) % n
            );
        } else {
            let _ = writeln!(mappings, "  justification: {}", sentence(&mut rng, 12));
        }
    }
    fs::write(out.join("controls/mappings.yaml"), mappings)?;
    let mut ev = String::new();
    for i in 0..evidence_n {
        let _ = writeln!(
            ev,
            "- id: EV-{i:05}\n  title: Evidence record {i}\n  kind: record\n  owner: Owner {}\n  collected: 2026-0{}-01\n  expires: 202{}-0{}-15\n  url: https://evidence.synthetic.example/{i}\n  description: {}\n  classification: {}",
            i % 7,
            1 + i % 9,
            6 + i % 3,
            1 + i % 9,
            sentence(&mut rng, 14),
            classification(i)
        );
    }
    fs::write(out.join("evidence/register.yaml"), ev)?;
    let mut risks = String::new();
    for i in 0..risks_n {
        let _ = writeln!(
            risks,
            "- id: R-{i:04}\n  title: Risk {i} to {}\n  asset: Asset {}\n  threat: {}\n  likelihood: {}\n  impact: {}\n  treatment: mitigate\n  controls: [{}, {}]\n  residual_likelihood: 1\n  residual_impact: 2\n  review_by: 2027-0{}-01\n  status: treated\n  classification: {}",
            WORDS[i % WORDS.len()],
            i % 13,
            sentence(&mut rng, 6),
            1 + i % 5,
            1 + (i * 3) % 5,
            controls[i % 93],
            controls[(i * 11) % 93],
            1 + i % 9,
            if i % 3 == 0 { "customer" } else { "internal" }
        );
    }
    fs::write(out.join("risks/register.yaml"), risks)?;
    let mut findings = String::new();
    let kinds = [
        "strength",
        "major-nonconformity",
        "minor-nonconformity",
        "observation",
        "opportunity",
    ];
    for i in 0..findings_n {
        let kind = kinds[i % kinds.len()];
        let status = if kind == "strength" {
            "closed"
        } else {
            ["open", "in-progress", "closed"][i % 3]
        };
        let _ = writeln!(
            findings,
            "- id: F-{i:04}\n  title: Finding {i} about {}\n  kind: {kind}\n  source: Audit 2026\n  raised: 2026-03-01\n  controls: [{}]\n  policies: [policy-{:05}]\n  owner: Owner {}\n  due: 2027-0{}-01\n  status: {status}\n  description: {}\n  corrective_action: |\n    Fix it, see [policy](policy:policy-{:05}).\n  classification: {}",
            WORDS[(i * 5) % WORDS.len()],
            controls[(i * 13) % 93],
            (i * 17) % n,
            i % 7,
            1 + i % 9,
            sentence(&mut rng, 16),
            (i * 19) % n,
            if i % 2 == 0 { "customer" } else { "internal" }
        );
    }
    fs::write(out.join("findings/register.yaml"), findings)?;
    let mut sup = String::new();
    for i in 0..suppliers_n {
        let _ = writeln!(
            sup,
            "- id: supplier-{i:02}\n  name: Supplier {i}\n  service: {}\n  data: Customer data\n  location: EU\n  subprocessor: {}\n  assurance: [ISO/IEC 27001]\n  reviewed: 2026-06-01\n  risk: low",
            sentence(&mut rng, 3),
            i % 2 == 0
        );
    }
    fs::write(out.join("suppliers/register.yaml"), sup)?;
    Ok(())
}

fn policy(
    i: usize,
    n: usize,
    evidence_n: usize,
    risks_n: usize,
    findings_n: usize,
    controls: &[String],
    rng: &mut Rng,
) -> String {
    let mut s = String::with_capacity(3200);
    let status = if i % 20 == 19 { "draft" } else { "approved" };
    let _ = write!(
        s,
        "---\ntitle: Policy {i} on {} {}\nowner: Owner {}\nversion: \"1.{}\"\nstatus: {status}\n",
        WORDS[i % WORDS.len()],
        WORDS[(i * 7) % WORDS.len()],
        i % 11,
        i % 9
    );
    if status == "approved" {
        s.push_str("approved: 2026-02-01\n");
    }
    let _ = write!(
        s,
        "review_by: 2027-0{}-01\nclassification: {}\ncontrols: [{}, {}]\nsummary: {}\n---\n",
        1 + i % 9,
        classification(i),
        controls[i % 93],
        controls[(i * 5 + 1) % 93],
        sentence(rng, 12)
    );
    let _ = write!(
        s,
        "## Purpose\n\n{} {} {}\n\n",
        sentence(rng, 18),
        sentence(rng, 14),
        sentence(rng, 16)
    );
    let _ = write!(
        s,
        "This policy implements [{c}](control:{c}), relates to [policy {p}](policy:policy-{p:05}) and [its sibling](policy-{q:05}.md), is shown by [evidence](evidence:EV-{e:05}), treats [a risk](risk:R-{r:04}), answers [a finding](finding:F-{f:04}) and covers [a supplier](supplier:supplier-{s:02}). See also {c2}.\n\n",
        c = controls[i % 93],
        p = (i + 1) % n,
        q = (i + 2) % n,
        e = i % evidence_n,
        r = i % risks_n,
        f = i % findings_n,
        s = i % 50,
        c2 = controls[(i * 3) % 93]
    );
    let _ = write!(
        s,
        "## Scope\n\n{} {}\n\n",
        sentence(rng, 20),
        sentence(rng, 15)
    );
    s.push_str("## Requirements\n\n");
    for _ in 0..5 {
        let _ = writeln!(s, "- {}", sentence(rng, 9));
    }
    s.push_str("\n| Role | Responsibility | Frequency |\n|------|----------------|-----------|\n");
    for k in 0..4 {
        let _ = writeln!(
            s,
            "| Role {k} | {} | {} |",
            sentence(rng, 6),
            ["daily", "weekly", "monthly", "yearly"][k]
        );
    }
    let _ = write!(
        s,
        "\n### Configuration\n\n{}\n\n```yaml\npolicy: policy-{i:05}\nretention_days: {}\nencryption:\n  at_rest: aes-256-gcm\n  in_transit: tls1.3\n```\n\n```bash\n# rotate keys\nvault write -f transit/keys/app-{i}/rotate\nsystemctl restart app-{}\n```\n\n",
        sentence(rng, 14),
        30 + i % 365,
        i % 4
    );
    let _ = write!(
        s,
        "## Exceptions\n\n{} {}\n\n## Review\n\n{} {}\n",
        sentence(rng, 16),
        sentence(rng, 12),
        sentence(rng, 18),
        sentence(rng, 10)
    );
    s
}

//! `trustpress init`: a starter site that builds at once — settings, a scope statement, a
//! top-level policy, and a mapping for every Annex A control to fill in.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::catalog;
use crate::config::CONFIG_FILE;
use crate::model::ControlId;
use crate::source;

/// Where `init` writes the Annex A mappings, relative to the site.
pub const CONTROLS_FILE: &str = "controls/annex-a.yaml";

/// What `init --controls` wrote.
#[derive(Debug)]
pub struct ControlsAdded {
    pub path: PathBuf,
    /// Controls written, not assessed.
    pub written: usize,
    /// Controls left out because the site maps them already.
    pub already_mapped: usize,
}

/// Adds `controls/annex-a.yaml` to the existing site at `site`: every Annex A control the site
/// does not map yet, not assessed. Nothing else is touched; an existing file is refused.
pub fn add_controls(site: &Path) -> Result<ControlsAdded> {
    if !site.join(CONFIG_FILE).is_file() {
        bail!(
            "{} is not a trustpress site (no site.yaml): `trustpress init {}` creates a new one with the controls",
            site.display(),
            site.display()
        );
    }
    let path = site.join(CONTROLS_FILE);
    if path.exists() {
        bail!(
            "{CONTROLS_FILE} already exists in {}: init does not overwrite it",
            site.display()
        );
    }
    let (sources, _) = source::load(site);
    let mapped: std::collections::BTreeSet<ControlId> =
        sources.mappings.iter().map(|m| m.control).collect();
    let written = catalog::annex_a()
        .iter()
        .filter(|c| !mapped.contains(&c.id))
        .count();
    if written == 0 {
        bail!("every Annex A control is mapped already: nothing to add");
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::write(&path, controls_yaml_except(&mapped))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(ControlsAdded {
        path: PathBuf::from(CONTROLS_FILE),
        written,
        already_mapped: mapped.len(),
    })
}

/// The files written, relative to the new site folder.
pub fn run(dir: &Path, organisation: &str) -> Result<Vec<PathBuf>> {
    if dir.exists()
        && fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} already exists and is not empty: init only creates new sites",
            dir.display()
        );
    }
    let files = starter_files(organisation);
    for (path, text) in &files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(files.into_iter().map(|(p, _)| PathBuf::from(p)).collect())
}

fn starter_files(organisation: &str) -> Vec<(&'static str, String)> {
    let org = organisation.replace(['"', '\\', '\n'], " ");
    vec![
        ("site.yaml", format!(
            "# trustpress site settings: see the README's \"Content format\".\ntitle: \"{org} Trust Center\"\nbase_url: https://trust.example.com/\ndescription: \"Information security at {org}.\"\norganisation:\n  name: \"{org}\"\n  contact_email: security@example.com\n# certificates:               # one entry per certificate (ISO/IEC 27001, 27701, SOC 2 …)\n#   - status: certified        # certified | in-progress | not-certified\n#     standard: ISO/IEC 27001:2022\n#     reference: ABC 123456\n#     certification_body: Example Certification Ltd\n#     issued: 2026-01-01\n#     expires: 2029-01-01\ndefaults:\n  controls: {{classification: public}}\n  suppliers: {{classification: public}}\n"
        )),
        ("scope.md", format!(
            "---\ntitle: Scope of the ISMS\nlegal_entity: \"{org}\"\nservices: [Our product]\nlocations: [Head office]\nhosted_environments: [Cloud provider]\nexclusions: []\nassumptions: []\n---\nThe information security management system of {org} covers the people, processes and\ntechnology that deliver our product to customers.\n"
        )),
        ("policies/information-security-policy.md", "---\ntitle: Information Security Policy\nowner: Head of Security\nversion: \"0.1\"\nstatus: draft\nclassification: public\ncontrols: [A.5.1]\nsummary: Our commitment to protecting information, and how security is organised.\n---\n## Purpose\n\nThis policy sets out how we protect the confidentiality, integrity and availability of the\ninformation we hold (A.5.1).\n\n## Scope\n\nIt applies to everyone who works for us and everything in [the ISMS scope](../scope.md).\n".to_string()),
        (CONTROLS_FILE, controls_yaml_except(&Default::default())),
        (".gitignore", "# trustpress builds into _site/ unless --out says otherwise\n_site/\n".to_string()),
    ]
}

/// Every Annex A control but those in `skip`, applicable and planned, for the team to assess
/// one by one.
pub(crate) fn controls_yaml_except(skip: &std::collections::BTreeSet<ControlId>) -> String {
    let mut out = String::from(
        "# One entry per ISO/IEC 27001:2022 Annex A control. Set `applicable`, a `status`\n# (implemented | partially-implemented | planned | not-implemented), a `justification`,\n# and link `policies`, `evidence` and `risks` by id.\n",
    );
    let mut theme = "";
    for c in catalog::annex_a().iter().filter(|c| !skip.contains(&c.id)) {
        if c.theme != theme {
            theme = c.theme;
            let _ = writeln!(out, "\n# {theme} controls");
        }
        let _ = writeln!(
            out,
            "- control: {}  # {}\n  applicable: true\n  status: planned",
            c.id, c.title
        );
    }
    out
}

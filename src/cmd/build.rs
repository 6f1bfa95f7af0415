//! `trustpress build`: load, render for one audience, write atomically.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::diagnostic::Diagnostic;
use crate::model::{Audience, Date};

/// Everything `build` needs, already parsed from the command line.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub site: PathBuf,
    pub audience: Audience,
    /// Defaults to `SITE/_site/<audience>`.
    pub out: Option<PathBuf>,
    pub today: Date,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub out: PathBuf,
    pub pages: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Each stage's time, in pipeline order.
    pub timings: Vec<(&'static str, Duration)>,
}

/// The outcome of a build: a report, or the diagnostics that stopped it.
pub enum BuildError {
    Invalid(Vec<Diagnostic>),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for BuildError {
    fn from(e: anyhow::Error) -> Self {
        BuildError::Other(e)
    }
}

pub fn default_out(site: &Path, audience: Audience) -> PathBuf {
    site.join("_site").join(audience.as_str())
}

pub fn run(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let start = Instant::now();
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out(&opts.site, opts.audience));
    if !opts.site.is_dir() {
        return Err(BuildError::Other(anyhow::anyhow!(
            "the site folder {} does not exist or is not a folder (it should hold site.yaml and scope.md)",
            opts.site.display()
        )));
    }
    check_out_dir(&opts.site, &out)?;
    let built = crate::build_in_memory(&opts.site, opts.audience, opts.today)
        .map_err(|f| BuildError::Invalid(f.errors))?;
    let written = Instant::now();
    crate::output::write_atomically(&out, &built.outputs)?;
    let mut timings = built.timings;
    timings.push(("write", written.elapsed()));
    Ok(BuildReport {
        timings,
        pages: built
            .outputs
            .iter()
            .filter(|o| o.path.ends_with(".html"))
            .count(),
        files: built.outputs.len(),
        out,
        warnings: built.warnings,
        elapsed: start.elapsed(),
    })
}

/// The output must not be the site folder or contain it: replacing it would delete sources.
fn check_out_dir(site: &Path, out: &Path) -> Result<()> {
    let site_abs = std::path::absolute(site)?;
    let out_abs = std::path::absolute(out)?;
    let site_abs = site_abs.canonicalize().unwrap_or(site_abs);
    let out_abs = match (out_abs.parent(), out_abs.file_name()) {
        (Some(p), Some(n)) => p
            .canonicalize()
            .map(|p| p.join(n))
            .unwrap_or(out_abs.clone()),
        _ => out_abs.clone(),
    };
    if site_abs.starts_with(&out_abs) {
        bail!(
            "--out {} is the site folder or a parent of it; choose a folder for output only (default: SITE/_site/<audience>)",
            out.display()
        );
    }
    // Output inside a folder trustpress reads would be read back into the next build (and
    // static/ is published to every audience).
    if let Some(dir) = crate::source::CONTENT_DIRS
        .iter()
        .find(|d| out_abs.starts_with(site_abs.join(d)))
    {
        bail!(
            "--out {} is inside the site's {dir}/ folder, which trustpress reads as content; choose a folder outside it (default: SITE/_site/<audience>)",
            out.display()
        );
    }
    Ok(())
}

//! `trustpress build`: load, render for one audience, write atomically.

use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::diagnostic::Diagnostic;
use crate::model::{Audience, Date};
use crate::output::{Output, Staged};
use crate::render::Sink;
use crate::session::{Session, StreamFailed};

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
    /// Warnings not listed because `site.yaml` ignores their rule.
    pub ignored: usize,
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

/// The staging folder as the sink of a streamed build.
struct Stage(Staged);

impl Sink for Stage {
    type Error = anyhow::Error;
    fn put(&self, output: Output) -> Result<()> {
        self.0.write(&output.path, &output.bytes)
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
    let target = check_out_dir(&opts.site, &out)?;
    // Each page is written into the staging folder as soon as it is rendered, and dropped;
    // the folder is swapped into place only when every page rendered and was written.
    let mut session = Session::one_shot(&opts.site, opts.audience, opts.today);
    let (staged, built) = session
        .stream(|paths| Staged::begin(&target, paths.iter().map(String::as_str)).map(Stage))
        .map_err(|e| match e {
            StreamFailed::Invalid(f) => BuildError::Invalid(f.errors),
            StreamFailed::Sink(e) => BuildError::Other(e),
        })?;
    let swapped = Instant::now();
    staged.0.commit()?;
    crate::session::drop_in_background(session);
    let mut timings = built.timings;
    timings.push(("swap", swapped.elapsed()));
    Ok(BuildReport {
        timings,
        pages: built.pages,
        files: built.files,
        out,
        warnings: built.warnings,
        ignored: built.ignored,
        elapsed: start.elapsed(),
    })
}

impl BuildReport {
    /// " (3 ignored by site.yaml)", or nothing.
    pub fn ignored_note(&self) -> String {
        crate::cmd::check::ignored_note(self.ignored)
    }
}

/// The output must not be the site folder or contain it: replacing it would delete sources.
/// Returns where the output goes: `out` with its parent resolved (so `SITE/..` or a symlinked
/// parent cannot slip past the comparison, and the staging folder lands beside the real target).
fn check_out_dir(site: &Path, out: &Path) -> Result<PathBuf> {
    let site_abs = resolve_path(site)?;
    let target = out_location(out)?;
    if site_abs.starts_with(&target) {
        bail!(
            "--out {} is the site folder or a parent of it; choose a folder for output only (default: SITE/_site/<audience>)",
            out.display()
        );
    }
    // Output inside a folder trustpress reads would be read back into the next build (and
    // static/ is published to every audience).
    let out_real = resolve_path(&target)?;
    if let Some(dir) = crate::source::CONTENT_DIRS
        .iter()
        .find(|d| target.starts_with(site_abs.join(d)) || out_real.starts_with(site_abs.join(d)))
    {
        bail!(
            "--out {} is inside the site's {dir}/ folder, which trustpress reads as content; choose a folder outside it (default: SITE/_site/<audience>)",
            out.display()
        );
    }
    Ok(target)
}

/// `out` with its parent resolved. The last component stays as named (a symlink at `--out` is
/// replaced, not followed), unless it is `..`, `.` or a root, which only resolving can name.
fn out_location(out: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(out)?;
    match (abs.parent(), abs.components().next_back()) {
        (Some(parent), Some(Component::Normal(name))) => Ok(resolve_path(parent)?.join(name)),
        _ => resolve_path(&abs),
    }
}

/// The canonical form of `path`, which need not exist: each existing step is canonicalised
/// (following symlinks), the missing rest is joined, `.` dropped and `..` taken lexically.
fn resolve_path(path: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(path)?;
    let mut resolved = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => resolved.push(c),
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                resolved.push(name);
                if let Ok(real) = resolved.canonicalize() {
                    resolved = real;
                }
            }
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_guard_compares_resolved_paths() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical temp dir");
        let site = root.join("isms");
        std::fs::create_dir_all(site.join("policies")).expect("mkdir");
        for out in [
            site.clone(),
            site.join(".."),
            site.join("policies/.."),
            site.join("../isms"),
            site.join("missing/../.."),
            root.clone(),
        ] {
            assert!(
                check_out_dir(&site, &out).is_err(),
                "{} must be refused",
                out.display()
            );
        }
        assert!(check_out_dir(&site, &site.join("policies/x")).is_err());
        assert!(check_out_dir(&site, &site.join("_site/../policies/x")).is_err());
        assert_eq!(
            check_out_dir(&site, &site.join("_site/public")).expect("allowed"),
            site.join("_site/public")
        );
        assert_eq!(
            check_out_dir(&site, &root.join("out/x/..")).expect("allowed"),
            root.join("out")
        );
    }
}

//! trustpress: a static-site generator for ISO/IEC 27001 information-security management
//! systems. The pipeline is load → link → check → edition → render → write:
//!
//! - [`source`] scans and parses the site folder into the typed [`model`],
//! - [`site`] links it into the content graph (typed keys, relations on the items),
//! - [`checks`] runs the audit rules over the graph (shared by `build` and `check`),
//! - [`edition`] is the graph as one audience may see it, the only door to rendering,
//! - [`render`] turns an edition into output files (a pure function),
//! - [`output`] writes them atomically.

pub mod cache;
pub mod catalog;
pub mod checks;
pub mod cmd;
pub mod config;
pub mod diagnostic;
pub mod edition;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod rules;
pub mod serve;
pub mod site;
pub mod source;
pub mod yaml;

use std::path::Path;

use diagnostic::{Diagnostic, Failed};
use model::{Audience, Date};
use output::Output;

/// A built site in memory: every output file, and the warnings found on the way.
#[derive(Debug)]
pub struct Built {
    pub outputs: Vec<Output>,
    pub warnings: Vec<Diagnostic>,
    /// How long each stage took, in pipeline order (shown by `build -v`).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Loads the site at `root` and renders it for `audience`, without writing anything.
pub fn build_in_memory(root: &Path, audience: Audience, today: Date) -> Result<Built, Failed> {
    let start = std::time::Instant::now();
    let site = site::load_cached(root, today, audience, Default::default())?;
    let loaded = start.elapsed();
    // A template that fails stops the build, but the warnings found so far are still
    // reported with it, as they are when loading fails.
    let mut warnings = site.warnings.clone();
    let failed = |warnings: diagnostic::Diagnostics, errors: Vec<Diagnostic>| {
        let mut all = warnings;
        for e in errors {
            all.push(e);
        }
        Failed {
            errors: all.into_sorted(),
        }
    };
    let (theme, theme_warnings) = match render::Theme::load(&site.templates) {
        Ok(t) => t,
        Err(errors) => return Err(failed(warnings, errors)),
    };
    for w in theme_warnings {
        warnings.push(w);
    }
    let md = markdown::Renderer::new(site.config.allow_raw_html);
    let edition = edition::Edition::new(&site, audience, &md);
    let outputs = match render::render(&edition, &theme) {
        Ok(o) => o,
        Err(errors) => return Err(failed(warnings, errors)),
    };
    Ok(Built {
        outputs,
        warnings: warnings.into_sorted(),
        timings: vec![
            ("load, link and check", loaded),
            ("render", start.elapsed() - loaded),
        ],
    })
}

/// Everything `build` would report for `audience`, errors and warnings, sorted, without
/// writing anything: what `trustpress check` prints.
pub fn check(root: &Path, audience: Audience, today: Date) -> Vec<Diagnostic> {
    match build_in_memory(root, audience, today) {
        Ok(built) => built.warnings,
        Err(failed) => failed.errors,
    }
}

//! trustpress: a static-site generator for ISO/IEC 27001 information-security management
//! systems. The pipeline is load → validate → link → render → write:
//!
//! - [`source`] scans and parses the site folder into the typed [`model`],
//! - [`site`] links it into the content graph and validates references,
//! - [`render`] turns the graph into output files for one audience (a pure function),
//! - [`output`] writes them atomically.

pub mod catalog;
pub mod cmd;
pub mod config;
pub mod diagnostic;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod serve;
pub mod site;
pub mod source;

use std::path::Path;

use diagnostic::{Diagnostic, Failed};
use model::{Classification, Date};
use output::Output;

/// A built site in memory: every output file, and the warnings found on the way.
#[derive(Debug)]
pub struct Built {
    pub outputs: Vec<Output>,
    pub warnings: Vec<Diagnostic>,
}

/// Loads the site at `root` and renders it for `audience`, without writing anything.
pub fn build_in_memory(
    root: &Path,
    audience: Classification,
    today: Date,
) -> Result<Built, Failed> {
    let site = site::load(root, today)?;
    let (theme, theme_warnings) =
        render::Theme::load(&site.templates).map_err(|errors| Failed { errors })?;
    let md = markdown::Renderer::new(site.config.allow_raw_html);
    let outputs =
        render::render(&site, &theme, &md, audience).map_err(|e| Failed { errors: vec![e] })?;
    let mut warnings = site.warnings.clone();
    for w in theme_warnings {
        warnings.push(w);
    }
    Ok(Built {
        outputs,
        warnings: warnings.into_sorted(),
    })
}

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
pub mod session;
pub mod site;
pub mod source;
pub mod yaml;

#[cfg(test)]
mod testing;

use std::path::Path;

use diagnostic::{Diagnostic, Failed};
use model::{Audience, Date};

pub use session::Built;

/// Loads the site at `root` and renders it for `audience`, without writing anything.
pub fn build_in_memory(root: &Path, audience: Audience, today: Date) -> Result<Built, Failed> {
    session::Session::one_shot(root, audience, today).build()
}

/// Everything `build` would report for `audience`, errors and warnings, sorted, without
/// writing anything: what `trustpress check` prints.
pub fn check(root: &Path, audience: Audience, today: Date) -> Vec<Diagnostic> {
    check_counted(root, audience, today).0
}

/// `check`, with how many warnings `site.yaml` silenced (`check: {ignore: […]}`).
pub fn check_counted(root: &Path, audience: Audience, today: Date) -> (Vec<Diagnostic>, usize) {
    // Every page is rendered (a template error is an error), and dropped at once.
    let mut session = session::Session::one_shot(root, audience, today);
    match session.stream(|_| Ok(session::Discard)) {
        Ok((_, built)) => (built.warnings, built.ignored),
        Err(session::StreamFailed::Invalid(failed)) => (failed.errors, failed.ignored),
        Err(session::StreamFailed::Sink(never)) => match never {},
    }
}

//! `trustpress theme export DIR`: the embedded default theme as files, to start overrides from.
//! Templates go to `DIR/templates/` (the folder a site overrides them from: copy only the files
//! you change into the site's `templates/`); the stylesheet and script to `DIR/assets/`, for
//! reference — they are not read from a site, and a `static/style.css` would be shadowed by
//! the generated one.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::render::theme::{ASSETS, TEMPLATES};

/// Writes the theme into `dir` (which must not exist, or be empty); returns the files written,
/// relative to `dir`.
pub fn export(dir: &Path) -> Result<Vec<PathBuf>> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("{} exists and is not a folder", dir.display());
        }
        let mut entries =
            fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty: theme export writes only into a new or empty folder",
                dir.display()
            );
        }
    }
    let files: Vec<(PathBuf, &str)> = TEMPLATES
        .iter()
        .map(|(name, text)| (Path::new("templates").join(name), *text))
        .chain(
            ASSETS
                .iter()
                .map(|(name, text)| (Path::new("assets").join(name), *text)),
        )
        .collect();
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

//! The site as `serve` holds it: loaded, linked and checked, with pages rendered on request
//! (through the same router as a full build, so a served page is the built page) and kept
//! until the next rebuild. A save therefore costs a load, not a full render.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use crate::cache::Cache;
use crate::diagnostic::{Diagnostic, Failed};
use crate::edition::Edition;
use crate::markdown;
use crate::model::{Audience, Date};
use crate::render::{self, RenderContext, Theme, routes};
use crate::site::{self, Site};

/// One good build, rendered lazily.
pub struct LiveSite {
    site: Site,
    theme: Arc<Theme>,
    md: Arc<markdown::Renderer>,
    audience: Audience,
    paths: HashSet<String>,
    pages: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    pub warnings: Vec<Diagnostic>,
}

impl LiveSite {
    /// Whether the build has a file at `path` (without rendering it).
    pub fn contains(&self, path: &str) -> bool {
        self.paths.contains(path)
    }

    /// How many HTML pages and files the build has.
    pub fn counts(&self) -> (usize, usize) {
        let pages = self.paths.iter().filter(|p| p.ends_with(".html")).count();
        (pages, self.paths.len())
    }

    /// The file at `path`, rendered now if it was not yet; `None` if the build has no such file.
    pub fn get(&self, path: &str) -> Option<Result<Arc<Vec<u8>>, Diagnostic>> {
        if !self.contains(path) {
            return None;
        }
        if let Some(bytes) = self.lock().get(path) {
            return Some(Ok(Arc::clone(bytes)));
        }
        // A bug in rendering must cost one page, not the server's request loop.
        let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // The edition borrows the site, so it is made per request: linear in the items,
            // which is small beside rendering the page.
            let edition = Edition::new(&self.site, self.audience, &self.md);
            routes::page_at(&RenderContext::new(&edition, &self.theme), path)
        }))
        .unwrap_or_else(|_| {
            Some(Err(Diagnostic::error(
                crate::diagnostic::Pos::file(path),
                "internal",
                "trustpress failed while rendering this page; please report this",
            )))
        });
        let bytes = match rendered? {
            Ok(output) => Arc::new(output.bytes),
            Err(e) => return Some(Err(e)),
        };
        self.lock().insert(path.to_string(), Arc::clone(&bytes));
        Some(Ok(bytes))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Vec<u8>>>> {
        self.pages.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A compiled theme, the template overrides it was compiled from, and its warnings.
type CompiledTheme = (Vec<(String, String)>, Arc<Theme>, Vec<Diagnostic>);

/// Builds `LiveSite`s for one site folder, keeping across rebuilds what does not change: the
/// memo cache, the compiled theme and the syntax-highlighting set.
pub struct Builder {
    root: std::path::PathBuf,
    audience: Audience,
    today: Date,
    cache: Arc<Cache>,
    theme: Option<CompiledTheme>,
    md: Option<Arc<markdown::Renderer>>,
}

impl Builder {
    pub fn new(root: &Path, audience: Audience, today: Date) -> Self {
        Builder {
            root: root.to_path_buf(),
            audience,
            today,
            cache: Arc::new(Cache::default()),
            theme: None,
            md: None,
        }
    }

    /// Loads, links and checks the site. Pages are rendered on request, except when the theme
    /// changed (or on the first build): then every page is rendered now, so a template error
    /// shows at once rather than on the page that trips it.
    pub fn build(&mut self) -> Result<LiveSite, Failed> {
        let site = site::load_cached(
            &self.root,
            self.today,
            self.audience,
            Arc::clone(&self.cache),
        )?;
        let (theme, theme_warnings, theme_changed) = self.theme_for(&site)?;
        let templates = site.templates.clone();
        let md = match &self.md {
            Some(md) if md.allows_raw_html() == site.config.allow_raw_html => Arc::clone(md),
            _ => Arc::new(markdown::Renderer::new(site.config.allow_raw_html)),
        };
        self.md = Some(Arc::clone(&md));
        let mut warnings = site.warnings.clone();
        for w in &theme_warnings {
            warnings.push(w.clone());
        }
        let edition = Edition::new(&site, self.audience, &md);
        let paths: HashSet<String> = routes::paths(&edition).into_iter().collect();
        let mut pages = HashMap::new();
        if theme_changed {
            let outputs = render::render(&edition, &theme).map_err(|errors| Failed { errors })?;
            pages = outputs
                .into_iter()
                .map(|o| (o.path, Arc::new(o.bytes)))
                .collect();
            // Kept only once every page rendered with it, so a broken theme is retried.
            self.theme = Some((templates, Arc::clone(&theme), theme_warnings));
        }
        self.cache.prune();
        Ok(LiveSite {
            site,
            theme,
            md,
            audience: self.audience,
            paths,
            pages: Mutex::new(pages),
            warnings: warnings.into_sorted(),
        })
    }

    /// The compiled theme, recompiled only when the site's template overrides changed.
    fn theme_for(&mut self, site: &Site) -> Result<(Arc<Theme>, Vec<Diagnostic>, bool), Failed> {
        if let Some((templates, theme, warnings)) = &self.theme
            && *templates == site.templates
        {
            return Ok((Arc::clone(theme), warnings.clone(), false));
        }
        let (theme, warnings) = Theme::load(&site.templates).map_err(|errors| Failed { errors })?;
        Ok((Arc::new(theme), warnings, true))
    }
}

//! The site as `serve` holds it: loaded, linked and checked, with pages rendered on request
//! (through the same router as a full build, so a served page is the built page) and kept
//! until the next rebuild. A save therefore costs a load, not a full render.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use crate::checks;
use crate::diagnostic::{Diagnostic, Failed};
use crate::edition::Edition;
use crate::markdown;
use crate::model::{Audience, Date};
use crate::render::{self, RenderContext, Theme, routes};
use crate::rules::Rule;
use crate::session::{self, Prepared, Session};
use crate::site::Site;

/// What an edition borrows from: the linked site and the Markdown renderer.
pub struct Sources {
    site: Site,
    md: Arc<markdown::Renderer>,
}

self_cell::self_cell!(
    /// A site and its edition for one audience, built once per rebuild and kept with it, so a
    /// page request does not rebuild the edition (linear in the items).
    struct SiteEdition {
        owner: Sources,
        #[covariant]
        dependent: Edition,
    }
);

/// One good build, rendered lazily.
pub struct LiveSite {
    edition: SiteEdition,
    theme: Arc<Theme>,
    paths: Arc<Paths>,
    pages: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    /// Shared with the terminal report, which a large site's thousands of warnings would
    /// otherwise be copied for on every save.
    pub warnings: Arc<Vec<Diagnostic>>,
}

impl LiveSite {
    /// Whether the build has a file at `path` (without rendering it).
    pub fn contains(&self, path: &str) -> bool {
        self.paths.set.contains(path)
    }

    /// How many HTML pages and files the build has.
    pub fn counts(&self) -> (usize, usize) {
        (self.paths.pages, self.paths.set.len())
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
            let edition = self.edition.borrow_dependent();
            routes::page_at(&RenderContext::new(edition, &self.theme), path)
        }))
        .unwrap_or_else(|_| {
            Some(Err(Diagnostic::error(
                crate::diagnostic::Pos::file(path),
                Rule::Internal,
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

/// Every file path of a build, and how many of them are HTML pages.
#[derive(Default)]
pub struct Paths {
    set: HashSet<String>,
    pages: usize,
}

impl Paths {
    fn new(routes: Vec<(String, crate::edition::route::Route)>) -> Self {
        let set: HashSet<String> = routes.into_iter().map(|(p, _)| p).collect();
        let pages = set.iter().filter(|p| p.ends_with(".html")).count();
        Paths { set, pages }
    }
}

/// Builds `LiveSite`s for one site folder through one build session, which keeps across
/// rebuilds what does not change: the memo cache, the compiled theme and the syntax set.
pub struct Builder {
    session: Session,
    /// The last build's paths with the key of what they were made from (`routes_key`):
    /// a save that changes no route (a body or a title edit) reuses them.
    paths: Option<(u64, Arc<Paths>)>,
}

impl Builder {
    pub fn new(root: &Path, audience: Audience, today: Date) -> Self {
        Builder {
            session: Session::new(root, audience, today),
            paths: None,
        }
    }

    /// Tells the next build which paths may have changed since the last (see
    /// `SourceCache::hint`): every other file is taken to be unchanged, without a look.
    pub fn hint(&self, paths: std::collections::BTreeSet<String>) {
        self.session.hint(paths);
    }

    /// Loads, links and checks the site. Pages are rendered on request, except when the theme
    /// changed (or on the first build): then every page is rendered now, so a template error
    /// shows at once rather than on the page that trips it. A failure carries the warnings
    /// found so far, as `build`'s does (the same session runs both).
    pub fn build(&mut self) -> Result<LiveSite, Failed> {
        let audience = self.session.audience();
        let prepared = self.session.prepare_unchecked()?;
        let theme_changed = prepared.theme_changed;
        let kept_theme = prepared.theme_to_keep();
        let Prepared {
            site,
            theme,
            md,
            warnings,
            theme_warnings,
            ..
        } = prepared;
        // The audit rules only add warnings (or fail the build): they run beside the edition
        // and its page list, on the other core.
        let mut checks = None;
        let last_paths = self.paths.take();
        // Set by the closure below, which `SiteEdition::new` runs at once.
        let mut paths = (0, Arc::default());
        let edition = SiteEdition::new(Sources { site, md }, |s| {
            let ((edition, list), found) = rayon::join(
                || {
                    let edition = Edition::new(&s.site, audience, &s.md);
                    let list = paths_of(&edition, last_paths);
                    (edition, list)
                },
                || checks::check(&s.site),
            );
            paths = list;
            checks = Some(found);
            edition
        });
        let (key, paths) = paths;
        self.paths = Some((key, Arc::clone(&paths)));
        let site = &edition.borrow_owner().site;
        let warnings =
            session::with_checks(site, warnings, checks.unwrap_or_default(), &theme_warnings)?;
        self.session.prune();
        let mut pages = HashMap::default();
        if theme_changed {
            let outputs = render::render(edition.borrow_dependent(), &theme).map_err(|errors| {
                let mut all = warnings.clone();
                for e in errors {
                    all.push(e);
                }
                Failed {
                    ignored: all.ignored(),
                    errors: all.into_sorted(),
                }
            })?;
            pages = outputs
                .into_iter()
                .map(|o| (o.path, Arc::new(o.bytes)))
                .collect();
            self.session.keep_theme(kept_theme);
        }
        Ok(LiveSite {
            edition,
            theme,
            paths,
            pages: Mutex::new(pages),
            warnings: Arc::new(warnings.into_sorted()),
        })
    }
}

/// The paths of `edition`'s build with their key (`routes_key`): `last`'s, if its key
/// is this edition's, else made anew.
fn paths_of(edition: &Edition, last: Option<(u64, Arc<Paths>)>) -> (u64, Arc<Paths>) {
    let key = routes::routes_key(edition);
    match last {
        Some((last_key, paths)) if last_key == key => (key, paths),
        _ => (
            key,
            Arc::new(Paths::new(routes::routes_with_paths(edition))),
        ),
    }
}

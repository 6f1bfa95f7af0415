//! One build session: the orchestrator `build`, `check` and `serve` share, so they cannot
//! drift apart. It runs the stages load → link → check, compiles the theme, and keeps what
//! does not change between builds of one site folder: the memo cache, the compiled theme and
//! the Markdown renderer (its syntax set is costly to load).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::checks;
use crate::diagnostic::{Diagnostic, Diagnostics, Failed};
use crate::edition::Edition;
use crate::markdown;
use crate::model::{Audience, Date};
use crate::output::Output;
use crate::render::{self, Theme};
use crate::site::{self, Site};
use crate::source;

/// A built site in memory: every output file, and the warnings found on the way.
#[derive(Debug)]
pub struct Built {
    pub outputs: Vec<Output>,
    pub warnings: Vec<Diagnostic>,
    /// Warnings not listed because `site.yaml` ignores their rule.
    pub ignored: usize,
    /// How long each stage took, in pipeline order (shown by `build -v`).
    pub timings: Vec<(&'static str, Duration)>,
}

/// What a streamed build (`Session::stream`) reports: how many files it handed on, and the
/// warnings found on the way.
#[derive(Debug)]
pub struct Streamed {
    pub pages: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    /// Warnings not listed because `site.yaml` ignores their rule.
    pub ignored: usize,
    /// How long each stage took, in pipeline order (shown by `build -v`).
    pub timings: Vec<(&'static str, Duration)>,
}

/// Why a streamed build failed: the site (errors with every warning found so far), or the
/// sink (for `build`, writing the staging folder).
#[derive(Debug)]
pub enum StreamFailed<E> {
    Invalid(Failed),
    Sink(E),
}

/// A sink that drops every file: `check` renders every page (a template error is an error)
/// but writes nothing.
pub struct Discard;

impl render::Sink for Discard {
    type Error = std::convert::Infallible;
    fn put(&self, _: Output) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A site loaded, linked and checked, with the theme and renderer to render it.
pub struct Prepared {
    pub site: Site,
    pub theme: Arc<Theme>,
    pub md: Arc<markdown::Renderer>,
    /// Every warning so far: loading, linking, the audit rules and the theme.
    pub warnings: Diagnostics,
    /// Whether the theme was compiled anew (the first build, or changed template overrides).
    pub theme_changed: bool,
    /// The theme's own warnings, kept with it when it is reused.
    pub theme_warnings: Vec<Diagnostic>,
    loaded: Duration,
}

impl Prepared {
    /// The newly compiled theme with what `Session::keep_theme` needs, if it is new.
    pub fn theme_to_keep(&self) -> Option<CompiledTheme> {
        self.theme_changed.then(|| {
            (
                self.site.templates.clone(),
                Arc::clone(&self.theme),
                self.theme_warnings.clone(),
            )
        })
    }
}

/// A compiled theme, the template overrides it was compiled from, and its warnings.
pub type CompiledTheme = (Vec<(String, String)>, Arc<Theme>, Vec<Diagnostic>);

/// Builds of one site folder for one audience.
pub struct Session {
    root: PathBuf,
    audience: Audience,
    today: Date,
    cache: Arc<Cache>,
    theme: Option<CompiledTheme>,
    md: Option<Arc<markdown::Renderer>>,
}

impl Session {
    /// A session for many builds (`serve`): it keeps every memo table between them.
    pub fn new(root: &Path, audience: Audience, today: Date) -> Self {
        Self::with_cache(root, audience, today, Cache::default())
    }

    /// A session for one build (`build`, `check`): it keeps nothing it would use only once.
    pub fn one_shot(root: &Path, audience: Audience, today: Date) -> Self {
        Self::with_cache(root, audience, today, Cache::one_shot())
    }

    fn with_cache(root: &Path, audience: Audience, today: Date, cache: Cache) -> Self {
        Session {
            root: root.to_path_buf(),
            audience,
            today,
            cache: Arc::new(cache),
            theme: None,
            md: None,
        }
    }

    pub fn audience(&self) -> Audience {
        self.audience
    }

    /// Load, link, check, and compile the theme. On failure the errors come with every
    /// warning found so far, whichever stage failed.
    pub fn prepare(&mut self) -> Result<Prepared, Failed> {
        self.prepare_inner(true)
    }

    /// `prepare` without the audit rules, so the caller can run them alongside other work
    /// (`serve` builds the edition meanwhile) and hand their result to `with_checks`. The
    /// warnings it returns are those of loading and linking only (the theme's are in
    /// `theme_warnings`), so that a failed check reports what `prepare` would.
    pub fn prepare_unchecked(&mut self) -> Result<Prepared, Failed> {
        self.prepare_inner(false)
    }

    fn prepare_inner(&mut self, check: bool) -> Result<Prepared, Failed> {
        let start = Instant::now();
        let (site, mut diags) = if check {
            load(&self.root, self.today, self.audience, &self.cache)
        } else {
            let (site, mut diags) = load_linked(&self.root, self.today, self.audience, &self.cache);
            // A failing load reports the rules' findings too, as `load` does.
            if diags.has_errors()
                && let Some(site) = &site
            {
                diags.extend(checks::check(site));
                diags.ignore(&site.config.ignore);
            }
            (site, diags)
        };
        let Some(site) = site.filter(|_| !diags.has_errors()) else {
            return Err(Failed {
                ignored: diags.ignored(),
                errors: diags.into_sorted(),
            });
        };
        let (theme, theme_warnings, theme_changed) = match self.theme_for(&site) {
            Ok(t) => t,
            Err(errors) => {
                if !check {
                    diags.extend(checks::check(&site));
                    diags.ignore(&site.config.ignore);
                }
                return Err(failed(diags, errors));
            }
        };
        if check {
            for w in &theme_warnings {
                diags.push(w.clone());
            }
        }
        diags.ignore(&site.config.ignore);
        let md = match &self.md {
            Some(md) if md.allows_raw_html() == site.config.allow_raw_html => Arc::clone(md),
            _ => Arc::new(markdown::Renderer::new(site.config.allow_raw_html)),
        };
        self.md = Some(Arc::clone(&md));
        Ok(Prepared {
            site,
            theme,
            md,
            warnings: diags,
            theme_changed,
            theme_warnings,
            loaded: start.elapsed(),
        })
    }

    /// `prepare`, then render every output file.
    pub fn build(&mut self) -> Result<Built, Failed> {
        let start = Instant::now();
        let prepared = self.prepare()?;
        let edition = Edition::new(&prepared.site, self.audience, &prepared.md);
        let outputs = render::render(&edition, &prepared.theme)
            .map_err(|errors| failed(prepared.warnings.clone(), errors))?;
        self.keep_theme(prepared.theme_to_keep());
        Ok(Built {
            outputs,
            ignored: prepared.warnings.ignored(),
            warnings: prepared.warnings.into_sorted(),
            timings: vec![
                ("load, link and check", prepared.loaded),
                ("render", start.elapsed() - prepared.loaded),
            ],
        })
    }

    /// `prepare`, then render every output file into the sink that `open` returns, each as
    /// soon as it is rendered, so that the site is never held in memory whole. `open` is called
    /// only once the site is valid, with every path the build writes (sorted); the caller
    /// finishes with the sink (the build swaps its staging folder into place) only on success.
    pub fn stream<S: render::Sink>(
        &mut self,
        open: impl FnOnce(&[String]) -> Result<S, S::Error>,
    ) -> Result<(S, Streamed), StreamFailed<S::Error>> {
        let start = Instant::now();
        let prepared = self.prepare().map_err(StreamFailed::Invalid)?;
        let edition = Edition::new(&prepared.site, self.audience, &prepared.md);
        let (paths, routes): (Vec<String>, Vec<_>) = render::routes::routes_with_paths(&edition)
            .into_iter()
            .unzip();
        let sink = open(&paths).map_err(StreamFailed::Sink)?;
        match render::render_into(&edition, &prepared.theme, &routes, &sink) {
            Ok(()) => {}
            Err(render::StreamError::Render(errors)) => {
                return Err(StreamFailed::Invalid(failed(prepared.warnings, errors)));
            }
            Err(render::StreamError::Sink(e)) => return Err(StreamFailed::Sink(e)),
        }
        self.keep_theme(prepared.theme_to_keep());
        drop(edition);
        let Prepared {
            site,
            warnings,
            loaded,
            ..
        } = prepared;
        drop_in_background(site);
        Ok((
            sink,
            Streamed {
                pages: paths.iter().filter(|p| p.ends_with(".html")).count(),
                files: paths.len(),
                ignored: warnings.ignored(),
                warnings: warnings.into_sorted(),
                timings: vec![
                    ("load, link and check", loaded),
                    ("render and write", start.elapsed() - loaded),
                ],
            },
        ))
    }

    /// Keeps a prepared build's theme (`Prepared::theme_to_keep`) for the next build; called
    /// once every page rendered with it, so a theme that fails on some page is compiled (and
    /// reported) again.
    pub fn keep_theme(&mut self, theme: Option<CompiledTheme>) {
        if let Some(theme) = theme {
            self.theme = Some(theme);
        }
    }

    /// Tells the next load which paths may have changed since the last one (see
    /// `SourceCache::hint`).
    pub fn hint(&self, paths: std::collections::BTreeSet<String>) {
        self.cache.sources.hint(paths);
    }

    /// Forgets memo entries no build has used since the last `prepare`.
    pub fn prune(&self) {
        self.cache.prune();
    }

    /// The compiled theme, recompiled only when the site's template overrides changed.
    fn theme_for(
        &self,
        site: &Site,
    ) -> Result<(Arc<Theme>, Vec<Diagnostic>, bool), Vec<Diagnostic>> {
        if let Some((templates, theme, warnings)) = &self.theme
            && *templates == site.templates
        {
            return Ok((Arc::clone(theme), warnings.clone(), false));
        }
        let (theme, warnings) = Theme::load(&site.templates)?;
        Ok((Arc::new(theme), warnings, true))
    }
}

/// The stages before rendering: load the sources (evidence files above `audience` are checked
/// but not read), link them into the `Site`, and run the audit rules over it. The rules run
/// even when loading found errors, so one run shows everything.
pub fn load(
    root: &Path,
    today: Date,
    audience: Audience,
    cache: &Arc<Cache>,
) -> (Option<Site>, Diagnostics) {
    let (site, mut diags) = load_linked(root, today, audience, cache);
    if let Some(site) = &site {
        diags.extend(checks::check(site));
        // Rules `site.yaml` silences on purpose; the theme's warnings are dropped in `prepare`.
        diags.ignore(&site.config.ignore);
    }
    (site, diags)
}

/// The warnings of `Session::prepare_unchecked` completed with the audit rules' `checks` and
/// the theme's warnings, as `prepare` would have them; the errors (as `prepare` reports them)
/// if a rule found one.
pub fn with_checks(
    site: &Site,
    mut warnings: Diagnostics,
    mut checks: Diagnostics,
    theme_warnings: &[Diagnostic],
) -> Result<Diagnostics, Failed> {
    checks.ignore(&site.config.ignore);
    warnings.extend(checks);
    if warnings.has_errors() {
        return Err(Failed {
            ignored: warnings.ignored(),
            errors: warnings.into_sorted(),
        });
    }
    for w in theme_warnings {
        warnings.push(w.clone());
    }
    warnings.ignore(&site.config.ignore);
    Ok(warnings)
}

/// `load` without the audit rules (see `Session::prepare_unchecked`).
pub fn load_linked(
    root: &Path,
    today: Date,
    audience: Audience,
    cache: &Arc<Cache>,
) -> (Option<Site>, Diagnostics) {
    cache.begin();
    let (sources, mut diags) = source::load_cached(root, cache, audience.clearance());
    let site = site::link(sources, today, &mut diags, Arc::clone(cache));
    if let Some(site) = &site {
        diags.ignore(&site.config.ignore);
    }
    (site, diags)
}

/// `load` for a one-off look at a site (tests, tools): the `Site`, or every error.
pub fn load_site(root: &Path, today: Date) -> Result<Site, Failed> {
    let (site, diags) = load(root, today, Audience::Internal, &Arc::default());
    match site {
        Some(mut site) if !diags.has_errors() => {
            site.warnings = diags;
            Ok(site)
        }
        _ => Err(Failed {
            ignored: diags.ignored(),
            errors: diags.into_sorted(),
        }),
    }
}

/// The errors of a failed stage with the warnings found before it, sorted.
fn failed(warnings: Diagnostics, errors: Vec<Diagnostic>) -> Failed {
    let mut all = warnings;
    for e in errors {
        all.push(e);
    }
    Failed {
        ignored: all.ignored(),
        errors: all.into_sorted(),
    }
}

/// Drops `value` on a thread of its own. A loaded site of 100,000 policies takes a few
/// hundred milliseconds to free, which a one-shot build need not wait for: its process may
/// end first. If no thread can be started, `value` is dropped here.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    // If the thread cannot start, the closure, and `value` with it, is dropped here.
    let _ = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-shot build reads each policy's text again when it renders it (see
    /// `Markdown::store`): a policy file changed after loading fails the build with an error
    /// at the file, so a new text is never published under the classification the old one
    /// was checked with; a file as it was loaded builds.
    #[test]
    fn a_policy_changed_after_loading_fails_the_build() {
        let dir = tempfile::tempdir().expect("temp dir");
        let write =
            |path: &str, text: &str| crate::testing::write_files(dir.path(), [(path, text)]);
        write(
            "site.yaml",
            "title: T\nbase_url: https://example.test/\norganisation:\n  name: Org\n",
        );
        write("scope.md", "---\ntitle: Scope\n---\nAll.\n");
        let policy = |classification: &str, text: &str| {
            format!(
                "---\ntitle: Secret\nowner: O\nversion: \"1\"\nstatus: approved\napproved: 2026-01-01\nclassification: {classification}\n---\n{text}\n"
            )
        };
        let loaded = policy("public", "Nothing to see.");
        write("policies/a.md", &loaded);
        let today = Date::parse("2026-06-01").expect("date");
        let render = |after_load: &dyn Fn()| {
            let mut session = Session::one_shot(dir.path(), Audience::Public, today);
            let prepared = session.prepare().expect("valid site");
            after_load();
            let edition = Edition::new(&prepared.site, Audience::Public, &prepared.md);
            render::render(&edition, &prepared.theme)
        };
        let built = render(&|| {}).expect("unchanged files build");
        let page = built
            .iter()
            .find(|o| o.path == "policies/a/index.html")
            .expect("the policy's page");
        assert!(String::from_utf8_lossy(&page.bytes).contains("Nothing to see."));

        let errors = render(&|| write("policies/a.md", &policy("internal", "The secret.")))
            .expect_err("a file changed since loading");
        assert!(
            errors.iter().any(|e| e.pos.path == "policies/a.md"
                && e.message.contains("changed while the site was being built")),
            "{errors:?}"
        );
        write("policies/a.md", &loaded);
        render(&|| {}).expect("as loaded again, it builds");
    }
}

//! Rendering: a pure function of an `Edition` (the site as one audience may see it) and the
//! theme, producing the complete list of output files. Nothing here touches the file system,
//! and nothing here can reach the linked `Site`: page builders get the edition only.

mod badges;
pub mod charts;
pub mod i18n;
mod pages;
pub mod routes;
pub mod theme;
pub mod views;

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Pos};
use crate::edition::route::Route;
use crate::edition::{Control, Edition, Entry, Published, Register, Relation, Text, UrlField};
use crate::model::*;
use crate::output::Output;
use crate::rules::Rule;
pub use theme::Theme;
use views::*;

/// Renders every output file of `edition`, all held in memory (`serve` keeps them). On
/// failure, every distinct error is returned (a broken template fails each page that uses it,
/// but is reported once).
pub fn render(edition: &Edition, theme: &Theme) -> Result<Vec<Output>, Vec<Diagnostic>> {
    let cx = RenderContext::for_build(edition, theme);
    let routes = routes::routes(edition);
    let first: Vec<Option<Result<Output, Diagnostic>>> = routes
        .par_iter()
        .map(|r| (!renders_last(r)).then(|| render_listed(&cx, r)))
        .collect();
    let results: Vec<Result<Output, Diagnostic>> = first
        .into_iter()
        .zip(&routes)
        .map(|(done, r)| done.unwrap_or_else(|| render_listed(&cx, r)))
        .collect();
    let mut outputs = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(o) => outputs.push(o),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(outputs)
    } else {
        Err(distinct(errors))
    }
}

/// Where a streamed render puts each file as soon as it is rendered, from any thread of the
/// pool: the staging folder of a build, or nowhere (`check`).
pub trait Sink: Sync {
    type Error: Send;
    fn put(&self, output: Output) -> Result<(), Self::Error>;
}

/// Why a streamed render failed: its pages (every distinct error), or the sink (the first
/// error; nothing more is handed to it after one).
#[derive(Debug)]
pub enum StreamError<E> {
    Render(Vec<Diagnostic>),
    Sink(E),
}

/// Renders the files of `routes` (from `routes::routes`) and hands each to `sink` as soon as
/// it is rendered, so that no more than a page per thread is held at once. Every page is
/// rendered even after an error, so that all errors are reported; none is handed on after
/// the first (the caller discards what the sink got).
pub fn render_into<S: Sink>(
    edition: &Edition,
    theme: &Theme,
    routes: &[Route],
    sink: &S,
) -> Result<(), StreamError<S::Error>> {
    let cx = RenderContext::for_build(edition, theme);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let sink_error = std::sync::Mutex::new(None);
    let render_one = |r: &Route| {
        let output = match render_listed(&cx, r) {
            Ok(output) => output,
            Err(e) => {
                failed.store(true, std::sync::atomic::Ordering::Relaxed);
                return Some(e);
            }
        };
        if !failed.load(std::sync::atomic::Ordering::Relaxed)
            && let Err(e) = sink.put(output)
        {
            failed.store(true, std::sync::atomic::Ordering::Relaxed);
            let mut first = sink_error
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            first.get_or_insert(e);
        }
        None
    };
    let first = routes.iter().filter(|r| renders_first(r));
    let rest = routes
        .iter()
        .filter(|r| !renders_first(r) && !renders_last(r));
    let order: Vec<&Route> = first.chain(rest).collect();
    let mut errors: Vec<Diagnostic> = order.into_par_iter().filter_map(render_one).collect();
    errors.extend(
        routes
            .iter()
            .filter(|r| renders_last(r))
            .filter_map(render_one),
    );
    if !errors.is_empty() {
        return Err(StreamError::Render(distinct(errors)));
    }
    match sink_error
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        Some(e) => Err(StreamError::Sink(e)),
        None => Ok(()),
    }
}

/// Whether `route` is one of the pages over a whole collection or the whole site, which take
/// the longest (the list of 100,000 policies takes a second): they are started first, so that
/// none of them is left to finish alone on one core while the others have run out of work.
fn renders_first(route: &Route) -> bool {
    matches!(
        route,
        Route::List(_)
            | Route::Traceability
            | Route::Soa
            | Route::Sitemap
            | Route::Home
            | Route::Scope
    )
}

/// Whether `route` is rendered after every other: the search index reads the words of the
/// pages rendered before it (`PlainTexts`).
fn renders_last(route: &Route) -> bool {
    matches!(route, Route::SearchIndex)
}

/// Renders a route of `routes::routes`; one it lists but cannot render is a bug.
fn render_listed(cx: &RenderContext, r: &Route) -> Result<Output, Diagnostic> {
    routes::render_route(cx, r).unwrap_or_else(|| {
        let path = r.path();
        Err(Diagnostic::error(
            Pos::file(path.as_str()),
            Rule::Internal,
            format!("trustpress lists {path} but cannot render it; please report this"),
        ))
    })
}

/// Each distinct error once, in the order first found.
fn distinct(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    errors
        .into_iter()
        .filter(|e| seen.insert(e.to_string()))
        .collect()
}

/// What every page builder needs, passed explicitly: the edition and the theme.
pub struct RenderContext<'a, 's> {
    pub edition: &'a Edition<'s>,
    pub theme: &'a Theme,
    /// The interface strings (`t`) as a template value, built once for every page: Tera's
    /// values share their contents, so each page's context gets a cheap copy.
    strings: std::sync::OnceLock<tera::Value>,
    /// The words of the Markdown pages rendered, for the search index (`None`: not kept,
    /// when pages are rendered one by one as `serve` does).
    plain_texts: Option<pages::PlainTexts>,
    /// The site settings and navigation as template values, made once per page depth and
    /// section (see `page_in`).
    chrome: std::sync::Mutex<std::collections::HashMap<(String, &'static str), Chrome>>,
}

/// The `site` and `nav` template values of the pages of one depth and section.
#[derive(Clone)]
struct Chrome {
    site: tera::Value,
    nav: tera::Value,
}

impl<'s> RenderContext<'_, 's> {
    pub fn new<'a>(edition: &'a Edition<'s>, theme: &'a Theme) -> RenderContext<'a, 's> {
        RenderContext {
            edition,
            theme,
            strings: std::sync::OnceLock::new(),
            plain_texts: None,
            chrome: Default::default(),
        }
    }

    /// The context of a whole build, which renders the search index after every other page
    /// and so keeps their words for it.
    fn for_build<'a>(edition: &'a Edition<'s>, theme: &'a Theme) -> RenderContext<'a, 's> {
        RenderContext {
            plain_texts: Some(pages::PlainTexts::new(edition)),
            ..RenderContext::new(edition, theme)
        }
    }

    /// `text` rendered for a page at `root` (see `Edition::markdown`); its words are kept for
    /// the search index when this is a build.
    pub fn markdown(
        &self,
        text: Text,
        root: &str,
    ) -> Result<std::sync::Arc<crate::markdown::Rendered>, Diagnostic> {
        let rendered = self.edition.markdown(text, root)?;
        if let Some(texts) = &self.plain_texts {
            texts.record(text, root, &rendered.html);
        }
        Ok(rendered)
    }

    /// `markdown`'s HTML, for an optional text.
    pub fn markdown_html(
        &self,
        text: Option<Text>,
        root: &str,
    ) -> Result<Option<String>, Diagnostic> {
        text.map(|t| Ok(self.markdown(t, root)?.html.clone()))
            .transpose()
    }

    /// The words a page rendered from `text` at `root`, if one did (see `PlainTexts`).
    pub(in crate::render) fn rendered_words(&self, text: Text, root: &str) -> Option<String> {
        self.plain_texts.as_ref()?.take(text, root)
    }

    pub fn audience(&self) -> Audience {
        self.edition.audience
    }

    /// The user interface strings of the site's language (English when trustpress has none).
    pub fn t(&self) -> &'static i18n::Strings {
        i18n::strings(&self.edition.info.language)
    }

    /// A link to a register entry from a page at `root`: its title only when on request.
    pub fn link<T: Published>(&self, root: &str, entry: &Entry<T>) -> ItemLink {
        match entry {
            Entry::Published(item) => self.open_link(root, item),
            Entry::OnRequest { title } => ItemLink::OnRequest {
                title: title.clone(),
                request: self.request_href(title),
            },
        }
    }

    /// The link that requests a document available on request: the site's request form
    /// (`requests.url`, given `?title=<title>`), else a mail to the contact address whose
    /// subject names the item; `None` when the site has neither. An item on request is named
    /// by its title only: its id is not published to readers who may not open it.
    pub fn request_href(&self, title: &str) -> Option<String> {
        let info = &self.edition.info;
        if let Some(mut url) = info
            .requests_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
        {
            {
                url.query_pairs_mut().append_pair("title", title);
            }
            return Some(url.to_string());
        }
        let email = info.contact_email.as_deref()?.trim();
        if email.is_empty() {
            return None;
        }
        let subject = i18n::fill(self.t().request_subject, &[&title]);
        Some(format!(
            "mailto:{email}?subject={}",
            crate::edition::route::encode_segment(&subject)
        ))
    }

    /// A link to a published item from a page at `root`.
    pub fn open_link<T: Published>(&self, root: &str, item: &T) -> ItemLink {
        ItemLink::Open(OpenLink {
            id: item.id().to_string(),
            title: item.title().to_string(),
            url: item.route().url_from(root),
            badge: None,
            note: None,
        })
    }

    pub fn control_link(&self, root: &str, c: &Control) -> ItemLink {
        if !self.edition.has(Section::Controls) {
            return ItemLink::Text {
                title: c.full_title(),
            };
        }
        ItemLink::Open(OpenLink {
            id: c.id.to_string(),
            title: c.full_title(),
            url: c.route().url_from(root),
            badge: None,
            note: None,
        })
    }

    /// Links to the items of `relation` (the edition left out those the reader may not see;
    /// how many is not printed: how many risks or findings touch a control is confidential).
    pub fn links<I, T: Published>(
        &self,
        root: &str,
        register: &Register<crate::site::Key<I>, T>,
        relation: &Relation<crate::site::Key<I>>,
    ) -> Vec<ItemLink> {
        relation
            .keys
            .iter()
            .filter_map(|k| register.get(*k))
            .map(|e| self.link(root, e))
            .collect()
    }

    /// Links to controls of `keys`, with `extra` applied to each.
    pub fn control_links(&self, root: &str, keys: &[crate::edition::ControlKey]) -> Vec<ItemLink> {
        keys.iter()
            .filter_map(|k| self.edition.control(*k))
            .map(|c| self.control_link(root, c))
            .collect()
    }

    pub fn page_view(
        &self,
        title: impl Into<String>,
        route: &Route,
        section: &'static str,
    ) -> PageView {
        let title: String = title.into();
        let root = route.root();
        let audience = self.audience();
        let t = self.t();
        let notice = match audience {
            Audience::Public => None,
            Audience::Customer => Some(t.notice_customer.to_string()),
            Audience::Internal => Some(t.notice_internal.to_string()),
        };
        PageView {
            print_css: self.print_css(&title, None),
            title: title.clone(),
            home: Route::Home.url_from(&root),
            root,
            section,
            audience: audience.as_str(),
            audience_label: match audience {
                Audience::Public => t.audience_public,
                Audience::Customer => t.audience_customer,
                Audience::Internal => t.audience_internal,
            },
            notice,
            noindex: audience != Audience::Public,
            today: self.edition.today.to_string(),
            description: self.edition.info.description.clone(),
            base_href: None,
            // The 404 page has no address of its own to advertise.
            og: (audience == Audience::Public && *route != Route::NotFound)
                .then(|| self.open_graph(&title, route, section)),
        }
    }

    /// The page's `@page` rules for print: the edition's confidentiality marking and the
    /// document's title on every printed page, its version (a policy's; else the build date)
    /// and the page number. Written into the page, as CSS cannot read them from the HTML.
    pub fn print_css(&self, title: &str, version: Option<&str>) -> String {
        let t = self.t();
        let marking = match self.audience() {
            Audience::Public => t.marking_public,
            Audience::Customer => t.notice_customer,
            Audience::Internal => t.notice_internal,
        };
        let version = match version {
            Some(v) => format!("{} {v}", t.version),
            None => format!("{} {}", t.generated, self.edition.today),
        };
        let left = format!("{} · {version}", self.edition.info.organisation);
        format!(
            "@page {{ @top-left {{ content: {}; }} @top-right {{ content: {}; }} \
             @bottom-left {{ content: {}; }} @bottom-right {{ content: {} \" \" counter(page) \" / \" counter(pages); }} }}",
            css_string(title),
            css_string(marking),
            css_string(&left),
            css_string(t.print_page),
        )
    }

    /// The Open Graph properties of a public page.
    fn open_graph(&self, title: &str, route: &Route, section: &str) -> OpenGraph {
        let info = &self.edition.info;
        let base = absolute_base(&info.base_url);
        let at = |path: &str| base.as_ref().map(|b| format!("{b}{path}"));
        let address = route.location().unwrap_or_else(|| route.path());
        OpenGraph {
            title: title.to_string(),
            description: info.description.clone(),
            kind: if section == "home" {
                "website"
            } else {
                "article"
            },
            url: at(&address),
            site_name: info.title.clone(),
            image: info.brand.logo.as_ref().and_then(|l| at(&l.path)),
        }
    }

    /// The site's settings for a page at `route`.
    pub fn site_view(&self, route: &Route) -> SiteView {
        let info = &self.edition.info;
        SiteView {
            title: info.title.clone(),
            organisation: info.organisation.clone(),
            contact_email: info.contact_email.clone(),
            website: info
                .website
                .as_ref()
                .and_then(|url| self.url_link(url, &route.root()))
                .map(|l| l.href),
            language: info.language.clone(),
            description: info.description.clone(),
            brand: self.brand_view(&route.root()),
        }
    }

    /// The brand's files as URLs from a page at `root`.
    fn brand_view(&self, root: &str) -> BrandView {
        let brand = &self.edition.info.brand;
        let url =
            |f: &Option<crate::config::BrandFile>| f.as_ref().map(|f| format!("{root}{}", f.path));
        let favicon = brand
            .favicon
            .as_ref()
            .map_or(routes::FAVICON_SVG, |f| f.path.as_str());
        BrandView {
            logo: url(&brand.logo),
            logo_dark: url(&brand.logo_dark),
            favicon: format!("{root}{favicon}"),
            favicon_type: image_type(favicon),
            accent: brand.accent.clone(),
            extra_css: url(&brand.extra_css),
        }
    }

    pub fn nav(&self, route: &Route, active: &str) -> Vec<NavItem> {
        let root = route.root();
        let t = self.t();
        let items = [
            (t.nav_overview, Route::Home, "home"),
            (t.nav_scope, Route::Scope, "scope"),
            (
                t.nav_policies,
                Route::List(Collection::Policies),
                "policies",
            ),
            (
                t.nav_controls,
                Route::List(Collection::Controls),
                "controls",
            ),
            (t.nav_traceability, Route::Traceability, "traceability"),
            (
                t.nav_evidence,
                Route::List(Collection::Evidence),
                "evidence",
            ),
            (t.nav_risks, Route::List(Collection::Risks), "risks"),
            (
                t.nav_findings,
                Route::List(Collection::Findings),
                "findings",
            ),
            (
                t.nav_suppliers,
                Route::List(Collection::Suppliers),
                "suppliers",
            ),
        ];
        items
            .into_iter()
            // Sections the edition has not, and registers a reader can see nothing of, have
            // no page and no tab.
            .filter(|(_, to, _)| match to {
                Route::Home => self.edition.has(Section::Overview),
                to => self.edition.writes(to),
            })
            .map(|(title, to, key)| NavItem {
                title,
                url: to.url_from(&root),
                active: key == active,
            })
            .collect()
    }

    /// A URL field as a link on a page at `root`; `None` when the reader may not open its
    /// target (or its scheme is unsafe, which `check` reports).
    pub fn url_link(&self, field: &UrlField, root: &str) -> Option<UrlLink> {
        let (href, text, external) = field.link(root)?;
        Some(UrlLink {
            href,
            text,
            external,
        })
    }

    /// Renders a page template into the output file of `route`, a page of `section`: its
    /// context is `data`, with the site's settings (`site`) and navigation (`nav`) unless
    /// `data` has its own.
    pub fn page_in<C: Serialize>(
        &self,
        template: &str,
        route: &Route,
        section: &'static str,
        data: &C,
    ) -> Result<Output, Diagnostic> {
        let mut ctx =
            tera::Context::from_serialize(data).map_err(|e| template_error(template, &e))?;
        let chrome = self.chrome(route, section);
        if !ctx.contains_key("site") {
            ctx.insert_value("site", chrome.site);
        }
        if !ctx.contains_key("nav") {
            ctx.insert_value("nav", chrome.nav);
        }
        self.render_page(template, route, ctx)
    }

    /// The `site` and `nav` values of a page at `route` in `section`, made once for each
    /// depth and section: Tera's values share their contents, so every page gets a cheap copy.
    fn chrome(&self, route: &Route, section: &'static str) -> Chrome {
        let key = (route.root(), section);
        let mut made = self
            .chrome
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        made.entry(key)
            .or_insert_with(|| Chrome {
                site: tera::Value::from_serializable(&self.site_view(route)),
                nav: tera::Value::from_serializable(&self.nav(route, section)),
            })
            .clone()
    }

    /// Renders `template` over `items` a batch of `batch` at a time, each batch made into rows by
    /// `row` and given to the template as `key` with `page`, and joins the results: for the rows
    /// of a long list, which would be template values all at once on one page.
    pub fn fragments<I, R: Serialize>(
        &self,
        template: &str,
        key: &'static str,
        page: &views::PageView,
        items: &[I],
        batch: usize,
        row: impl Fn(&I) -> R,
    ) -> Result<String, Diagnostic> {
        let page = tera::Value::from_serializable(page);
        let mut html = String::new();
        for chunk in items.chunks(batch.max(1)) {
            let rows: Vec<R> = chunk.iter().map(&row).collect();
            let mut ctx = tera::Context::new();
            ctx.insert_value("page", page.clone());
            ctx.insert_value(key, tera::Value::from_serializable(&rows));
            html.push_str(&self.render_template(template, ctx)?);
        }
        Ok(html)
    }

    /// Renders a template with `ctx` (and the interface strings) into the file of `route`.
    fn render_page(
        &self,
        template: &str,
        route: &Route,
        ctx: tera::Context,
    ) -> Result<Output, Diagnostic> {
        let html = self.render_template(template, ctx)?;
        Ok(Output {
            path: route.path(),
            bytes: html.into_bytes(),
        })
    }

    /// Renders a template with `ctx` and the interface strings.
    fn render_template(
        &self,
        template: &str,
        mut ctx: tera::Context,
    ) -> Result<String, Diagnostic> {
        // The strings of the site's language, for every template and site override.
        let strings = self
            .strings
            .get_or_init(|| tera::Value::from_serializable(self.t()));
        ctx.insert_value("t", strings.clone());
        self.theme
            .tera
            .render(template, &ctx)
            .map_err(|e| template_error(template, &e))
    }
}

/// `s` as a CSS string literal that cannot end the string or the `<style>` element it is in.
pub fn css_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("\\3C "),
            '>' => out.push_str("\\3E "),
            '&' => out.push_str("\\26 "),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `base_url` with one trailing slash, when it is an absolute http(s) URL.
fn absolute_base(base_url: &str) -> Option<String> {
    let lower = base_url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return None;
    }
    Some(format!("{}/", base_url.trim_end_matches('/')))
}

fn template_error(template: &str, e: &tera::Error) -> Diagnostic {
    let mut found = theme::diagnostics(
        e,
        Some(template),
        &format!("cannot render template {template}"),
    );
    found.swap_remove(0)
}

#[cfg(test)]
mod tests {
    use super::css_string;

    #[test]
    fn css_strings_cannot_break_out() {
        let check = |input: &str, expected: &str| assert_eq!(css_string(input), expected);
        check("Access Control Policy", "\"Access Control Policy\"");
        check("a \"quoted\" \\ back", "\"a \\\"quoted\\\" \\\\ back\"");
        check("</style><script>", "\"\\3C /style\\3E \\3C script\\3E \"");
        check("R&D\nline\u{7}", "\"R\\26 D line\"");
    }
}

//! Rendering: a pure function of the linked `Site`, the theme and an audience, producing the
//! complete list of output files. Nothing here touches the file system.

mod pages;
pub mod routes;
pub mod theme;
pub mod views;
pub mod visibility;

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Pos};
use crate::markdown::{self, LinkResolver, Rendered, Resolved};
use crate::model::*;
use crate::output::Output;
use crate::site::{Site, Target};
pub use theme::Theme;
use views::*;
use visibility::{Access, item_access, policy_access};

/// Renders every output file of the site for `audience`. On failure, every distinct error
/// is returned (a broken template fails each page that uses it, but is reported once).
pub fn render(
    site: &Site,
    theme: &Theme,
    md: &markdown::Renderer,
    audience: Audience,
) -> Result<Vec<Output>, Vec<Diagnostic>> {
    let cx = RenderContext::new(site, theme, md, audience);
    let results: Vec<Result<Output, Diagnostic>> = routes::paths(&cx)
        .par_iter()
        .map(|path| {
            routes::page_at(&cx, path).unwrap_or_else(|| {
                Err(Diagnostic::error(
                    Pos::file(path.as_str()),
                    "internal",
                    format!("trustpress lists {path} but cannot render it; please report this"),
                ))
            })
        })
        .collect();
    let mut outputs = Vec::with_capacity(results.len());
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for result in results {
        match result {
            Ok(o) => outputs.push(o),
            Err(e) if seen.insert(e.to_string()) => errors.push(e),
            Err(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(outputs)
    } else {
        Err(errors)
    }
}

/// What every page builder needs, passed explicitly.
pub struct RenderContext<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    pub md: &'a markdown::Renderer,
    pub audience: Audience,
    facts: Facts,
}

/// Per-build facts every page needs, derived from the site (linear in items): computed once
/// per build, and kept by `serve` so a page request does not recompute them.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The registers this audience can see anything of (the others get no navigation tab).
    shown_registers: Vec<Collection>,
    /// A hash of everything a Markdown link can resolve to for this audience: part of the
    /// key of cached rendered Markdown, so a change anywhere in it re-renders.
    link_env: u64,
}

impl<'a> RenderContext<'a> {
    /// A context for rendering pages of `site` for `audience` (cheap: linear in items).
    pub fn new(
        site: &'a Site,
        theme: &'a Theme,
        md: &'a markdown::Renderer,
        audience: Audience,
    ) -> Self {
        let mut cx = Self::with_facts(
            site,
            theme,
            md,
            audience,
            Facts {
                shown_registers: Vec::new(),
                link_env: 0,
            },
        );
        cx.facts.shown_registers = [
            Collection::Evidence,
            Collection::Risks,
            Collection::Findings,
        ]
        .into_iter()
        .filter(|c| cx.any_visible(*c))
        .collect();
        cx.facts.link_env = cx.link_fingerprint();
        cx
    }

    /// A context from facts computed earlier by `new` for the same site and audience.
    pub fn with_facts(
        site: &'a Site,
        theme: &'a Theme,
        md: &'a markdown::Renderer,
        audience: Audience,
        facts: Facts,
    ) -> Self {
        RenderContext {
            site,
            theme,
            md,
            audience,
            facts,
        }
    }

    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    fn link_fingerprint(&self) -> u64 {
        let mut items = Vec::new();
        for collection in Collection::ALL {
            for i in 0..self.site.len(collection) {
                let access = self.access(collection, i) as u8;
                let slug = self.site.common(collection, i).map(|c| (&c.id, &c.slug));
                items.push((collection, i, access, slug));
            }
        }
        crate::cache::hash(&(
            items,
            self.site.link_targets(),
            &self.site.config.base_url,
            self.md.allows_raw_html(),
        ))
    }

    /// The relative prefix from a page at `depth` folders below the root.
    fn root(depth: usize) -> String {
        "../".repeat(depth)
    }

    pub fn access(&self, collection: Collection, i: usize) -> Access {
        match collection {
            Collection::Controls => Access::Full,
            Collection::Policies => policy_access(&self.site.policies[i], self.audience),
            _ => self
                .site
                .common(collection, i)
                .map(|c| item_access(c, self.audience))
                .unwrap_or(Access::Hidden),
        }
    }

    /// Whether a control's mapping (applicability, status, its links) may be shown.
    pub fn mapping_visible(&self, control: usize) -> bool {
        self.site.controls[control]
            .mapping
            .as_ref()
            .is_some_and(|m| self.audience.may_see(m.classification))
    }

    /// Whether the link between a control and an item may be shown. A link that exists only
    /// because a hidden mapping lists the item would reveal that mapping, so it is left out.
    pub fn link_visible(&self, control: usize, collection: Collection, i: usize) -> bool {
        if self.mapping_visible(control) {
            return true;
        }
        let id = self.site.controls[control].catalog.id;
        let own = |refs: &[ControlRef]| refs.iter().any(|r| r.id == id);
        match collection {
            Collection::Policies => own(&self.site.policies[i].controls),
            Collection::Risks => own(&self.site.risks[i].controls),
            Collection::Findings => own(&self.site.findings[i].controls),
            _ => false,
        }
    }

    pub fn item_url(&self, root: &str, collection: Collection, i: usize) -> String {
        let slug = match collection {
            Collection::Controls => self.site.controls[i].catalog.id.slug(),
            _ => self
                .site
                .common(collection, i)
                .map(|c| c.slug.clone())
                .unwrap_or_default(),
        };
        format!("{root}{}/{slug}/", collection.dir())
    }

    /// The title readers know an item by.
    pub fn item_title(&self, collection: Collection, i: usize) -> String {
        let s = self.site;
        match collection {
            Collection::Policies => s.policies[i].title.clone(),
            Collection::Controls => format!(
                "{} {}",
                s.controls[i].catalog.id, s.controls[i].catalog.title
            ),
            Collection::Evidence => s.evidence[i].title.clone(),
            Collection::Risks => s.risks[i].title.clone(),
            Collection::Findings => s.findings[i].title.clone(),
            Collection::Suppliers => s.suppliers[i].name.clone(),
        }
    }

    /// A link to the item for this audience: `None` when it must not appear at all.
    pub fn item_link(&self, root: &str, collection: Collection, i: usize) -> Option<ItemLink> {
        let access = self.access(collection, i);
        if access == Access::Hidden {
            return None;
        }
        let id = match collection {
            Collection::Controls => self.site.controls[i].catalog.id.to_string(),
            _ => self.site.common(collection, i)?.id.clone(),
        };
        let full = access == Access::Full;
        Some(ItemLink {
            // A listed item shows its title only: its id (its page address) stays out of the
            // view, so no template can print it.
            id: if full { id } else { String::new() },
            title: self.item_title(collection, i),
            url: full.then(|| self.item_url(root, collection, i)),
            locked: !full,
            badge: None,
            note: None,
        })
    }

    /// Links to `items` visible to the audience. Hidden relations are left out without a
    /// count: how many risks or findings touch a control is itself confidential.
    pub fn links_from(
        &self,
        root: &str,
        collection: Collection,
        items: impl IntoIterator<Item = usize>,
    ) -> Vec<ItemLink> {
        items
            .into_iter()
            .filter_map(|i| self.item_link(root, collection, i))
            .collect()
    }

    /// How many items of `collection` are withheld from this audience but exist for it
    /// "on request" (what list pages count, without naming them).
    pub fn restricted_count(&self, collection: Collection) -> usize {
        (0..self.site.len(collection))
            .filter(|i| {
                self.access(collection, *i) == Access::Hidden && self.is_restricted(collection, *i)
            })
            .count()
    }

    fn is_restricted(&self, collection: Collection, i: usize) -> bool {
        let status = (collection == Collection::Policies).then(|| self.site.policies[i].status);
        self.site.common(collection, i).is_some_and(|c| {
            visibility::counts_as_restricted(
                collection,
                status,
                c.classification,
                self.audience,
                self.site.config.show_restricted_counts,
            )
        })
    }

    pub fn page_view(
        &self,
        title: impl Into<String>,
        depth: usize,
        section: &'static str,
    ) -> PageView {
        let root = Self::root(depth);
        let notice = match self.audience {
            Audience::Public => None,
            Audience::Customer => {
                Some("Customer edition — confidential, shared under NDA".to_string())
            }
            Audience::Internal => {
                Some("Internal edition — for staff and auditors only".to_string())
            }
        };
        PageView {
            title: title.into(),
            home: if root.is_empty() {
                "./".into()
            } else {
                root.clone()
            },
            root,
            section,
            audience: self.audience.as_str(),
            audience_label: match self.audience {
                Audience::Public => "Public trust center",
                Audience::Customer => "Customer evidence portal",
                Audience::Internal => "Internal review site",
            },
            notice,
            noindex: self.audience != Audience::Public,
            today: self.site.today.to_string(),
            description: self.site.config.description.clone(),
            base_href: None,
        }
    }

    /// The site's settings for a page `depth` folders below the root.
    pub fn site_view(&self, depth: usize) -> SiteView {
        let c = &self.site.config;
        SiteView {
            title: c.title.clone(),
            organisation: c.organisation.name.clone(),
            contact_email: c.organisation.contact_email.clone(),
            website: c.organisation.website.as_deref().and_then(|url| {
                self.url_link(url, crate::config::CONFIG_FILE, &Self::root(depth))
                    .map(|l| l.href)
            }),
            language: c.language.clone(),
            description: c.description.clone(),
        }
    }

    pub fn nav(&self, depth: usize, active: &str) -> Vec<NavItem> {
        let root = Self::root(depth);
        let mut items = vec![
            ("Overview", "", "home"),
            ("Scope", "scope/", "scope"),
            ("Policies", "policies/", "policies"),
            ("Controls", "controls/", "controls"),
            ("Traceability", "traceability/", "traceability"),
            ("Evidence", "evidence/", "evidence"),
            ("Risks", "risks/", "risks"),
            ("Findings", "findings/", "findings"),
            ("Suppliers", "suppliers/", "suppliers"),
        ];
        // Registers a reader can see nothing of are not worth a tab.
        items.retain(|(_, _, key)| match *key {
            "evidence" => self.facts.shown_registers.contains(&Collection::Evidence),
            "risks" => self.facts.shown_registers.contains(&Collection::Risks),
            "findings" => self.facts.shown_registers.contains(&Collection::Findings),
            _ => true,
        });
        items
            .into_iter()
            .map(|(title, url, key)| NavItem {
                title,
                url: if url.is_empty() && root.is_empty() {
                    "./".into()
                } else {
                    format!("{root}{url}")
                },
                active: key == active,
            })
            .collect()
    }

    pub fn any_visible(&self, collection: Collection) -> bool {
        (0..self.site.len(collection)).any(|i| self.access(collection, i) != Access::Hidden)
    }

    /// Renders Markdown written in `from` (a site-relative path) for a page at `root`,
    /// through the site's cache: the key holds every input of the result.
    pub fn markdown(&self, md: &Markdown, root: &str) -> Arc<Rendered> {
        let key = crate::cache::hash(&(
            &md.text,
            &md.pos.path,
            root,
            self.audience,
            self.facts.link_env,
        ));
        let cache = &self.site.cache;
        cache.rendered.get_or(key, cache.generation(), || {
            let links = PageLinks {
                cx: self,
                root,
                from: &md.pos.path,
            };
            Arc::new(self.md.render(&md.text, &links))
        })
    }

    pub fn markdown_html(&self, md: Option<&Markdown>, root: &str) -> Option<String> {
        md.map(|m| self.markdown(m, root).html.clone())
    }

    /// A URL field written in `from` (evidence `url`, a `site.yaml` URL) as a link on a page
    /// at `root`: resolved like a Markdown link, `None` when the reader may not open its
    /// target (or its scheme is unsafe, which `check` reports).
    pub fn url_link(&self, url: &str, from: &str, root: &str) -> Option<UrlLink> {
        let links = PageLinks {
            cx: self,
            root,
            from,
        };
        match links.resolve(url) {
            Resolved::Keep => markdown::is_safe_url(url).then(|| UrlLink {
                href: url.to_string(),
                text: url.to_string(),
                external: true,
            }),
            Resolved::TextOnly => None,
            Resolved::Url(href) => {
                // An item is shown by its title; other pages of the site (home, scope, a
                // register, a static file) by the URL as written, which names nothing hidden.
                let text = match self.site.resolve_url(url, from) {
                    Ok(Some((Target::Item(c, i), _))) => self.item_title(c, i),
                    _ => url.to_string(),
                };
                Some(UrlLink {
                    href,
                    text,
                    external: false,
                })
            }
        }
    }

    /// Renders a template into an output file.
    pub fn page<C: Serialize>(
        &self,
        template: &str,
        path: String,
        data: &C,
    ) -> Result<Output, Diagnostic> {
        let ctx = tera::Context::from_serialize(data).map_err(|e| template_error(template, &e))?;
        let html = self
            .theme
            .tera
            .render(template, &ctx)
            .map_err(|e| template_error(template, &e))?;
        Ok(Output {
            path,
            bytes: html.into_bytes(),
        })
    }
}

fn template_error(template: &str, e: &tera::Error) -> Diagnostic {
    let mut found = theme::diagnostics(
        e,
        Some(template),
        &format!("cannot render template {template}"),
    );
    found.swap_remove(0)
}

/// Resolves Markdown links for one page: visible targets get a relative URL, others text.
struct PageLinks<'a, 'b> {
    cx: &'b RenderContext<'a>,
    root: &'b str,
    from: &'b str,
}

impl LinkResolver for PageLinks<'_, '_> {
    fn resolve(&self, dest: &str) -> Resolved {
        // Raw HTML attributes come with character references (`/poli&#9;cies/x/`), which the
        // browser decodes before following the link: match what it will follow. (Markdown
        // destinations are decoded already; decoding again only matches more.)
        let Some(decoded) = decode_char_refs(dest) else {
            return Resolved::TextOnly;
        };
        let Ok(Some((target, fragment))) = self.cx.site.resolve(&decoded, self.from) else {
            // Unresolvable links fail the build earlier; external ones are kept.
            return if self.cx.site.resolve(&decoded, self.from).is_ok() {
                Resolved::Keep
            } else {
                Resolved::TextOnly
            };
        };
        let url = match target {
            Target::Home => Some(if self.root.is_empty() {
                "./".to_string()
            } else {
                self.root.to_string()
            }),
            Target::Scope => Some(format!("{}scope/", self.root)),
            Target::List(c) => Some(format!("{}{}/", self.root, c.dir())),
            Target::Static(p) => Some(format!("{}{}", self.root, p)),
            Target::Item(c, i) => {
                (self.cx.access(c, i) == Access::Full).then(|| self.cx.item_url(self.root, c, i))
            }
        };
        match url {
            Some(u) => Resolved::Url(match fragment {
                Some(f) => format!("{u}#{f}"),
                None => u,
            }),
            None => Resolved::TextOnly,
        }
    }

    fn control_url(&self, id: ControlId) -> Option<String> {
        crate::catalog::index_of(id).map(|i| self.cx.item_url(self.root, Collection::Controls, i))
    }
}

/// `value` with its HTML character references decoded, as a browser reads an attribute;
/// `None` if it holds a named reference not known here, which is withheld rather than
/// guessed at. The names known are those of ASCII characters that can spell an address.
fn decode_char_refs(value: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !value.contains('&') {
        return Some(value.into());
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(number) = rest.strip_prefix('#') {
            let (digits, radix, prefix) = match number.strip_prefix(['x', 'X']) {
                Some(hex) => (hex, 16, 2),
                None => (number, 10, 1),
            };
            let len = digits
                .find(|c: char| !c.is_digit(radix))
                .unwrap_or(digits.len());
            if len == 0 {
                out.push('&');
                continue;
            }
            let c = u32::from_str_radix(&digits[..len], radix)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            out.push(c);
            rest = &rest[prefix + len..];
            rest = rest.strip_prefix(';').unwrap_or(rest);
            continue;
        }
        let len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let semicolon = rest[len..].starts_with(';');
        match named_char_ref(&rest[..len]) {
            Some(text) => {
                out.push_str(text);
                rest = &rest[len + usize::from(semicolon)..];
            }
            None if semicolon && len > 0 => return None,
            None => out.push('&'), // a plain ampersand, as in `?a=1&b=2`
        }
    }
    out.push_str(rest);
    Some(out.into())
}

/// The text of a named character reference that decodes to ASCII (or a space).
fn named_char_ref(name: &str) -> Option<&'static str> {
    Some(match name {
        "Tab" => "\t",
        "NewLine" => "\n",
        "nbsp" | "NonBreakingSpace" => "\u{a0}",
        "excl" => "!",
        "quot" | "QUOT" => "\"",
        "num" => "#",
        "dollar" => "$",
        "percnt" => "%",
        "amp" | "AMP" => "&",
        "apos" => "'",
        "lpar" => "(",
        "rpar" => ")",
        "ast" | "midast" => "*",
        "plus" => "+",
        "comma" => ",",
        "period" => ".",
        "sol" => "/",
        "colon" => ":",
        "semi" => ";",
        "lt" | "LT" => "<",
        "equals" => "=",
        "gt" | "GT" => ">",
        "quest" => "?",
        "commat" => "@",
        "lsqb" | "lbrack" => "[",
        "bsol" => "\\",
        "rsqb" | "rbrack" => "]",
        "Hat" => "^",
        "lowbar" | "UnderBar" => "_",
        "grave" | "DiacriticalGrave" => "`",
        "lcub" | "lbrace" => "{",
        "verbar" | "vert" | "VerticalLine" => "|",
        "rcub" | "rbrace" => "}",
        "fjlig" => "fj",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_references_decode_as_in_an_attribute() {
        for (value, expected) in [
            ("/policies/x/", Some("/policies/x/")),
            ("/poli&#9;cies/x/", Some("/poli\tcies/x/")),
            ("&#x2F;policies&sol;x&#47", Some("/policies/x/")),
            ("/&#X70;olicies/&percnt;78/", Some("/policies/%78/")),
            ("?a=1&b=2&amp;c", Some("?a=1&b=2&c")),
            ("&&#;&#x;", Some("&&#;&#x;")),
            ("&#99999999999;", Some("\u{fffd}")),
            ("/policies/&fjlig;ord/", Some("/policies/fjord/")),
            ("/policies/&eacute;x/", None),
        ] {
            assert_eq!(decode_char_refs(value).as_deref(), expected, "{value}");
        }
    }
}

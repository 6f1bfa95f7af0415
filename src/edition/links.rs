//! Link resolution for one edition: a link in a page's Markdown, or a URL field, becomes a
//! URL relative to the page when its reader may open the target, text otherwise.

use super::Edition;
use super::route::Route;
use crate::markdown::{self, LinkResolver, Resolved};
use crate::model::{Audience, ControlId};
use crate::site::{ItemKey, Target};

/// Resolves the links of one text for a page at `root`, written in the source file `from`.
pub struct PageLinks<'e, 's> {
    pub(super) edition: &'e Edition<'s>,
    pub(super) root: &'e str,
    pub(super) from: &'e str,
    /// The text's own links as the link stage resolved them (`Site::resolved_links`, from
    /// `from`), if it kept them for this site: a destination found there is not resolved again.
    pub(super) known: Option<KnownLinks>,
}

/// A text's links with what each resolved to, in the same order.
pub(super) struct KnownLinks {
    pub(super) links: std::sync::Arc<Vec<markdown::LinkAt>>,
    pub(super) resolved: crate::model::ResolvedLinks,
}

impl KnownLinks {
    /// What `dest` resolved to, if it is one of the links. `Site::resolve` is a function of
    /// the destination, the file it is written in and the site, so the stored result is
    /// exactly what resolving `dest` again would give.
    fn get(&self, dest: &str) -> Option<Result<crate::site::Resolution, String>> {
        self.links
            .iter()
            .zip(self.resolved.iter())
            .find(|(link, _)| link.dest == dest)
            .map(|(_, r)| r.clone())
    }
}

impl LinkResolver for PageLinks<'_, '_> {
    fn resolve(&self, dest: &str) -> Resolved {
        match self
            .edition
            .place_known(dest, self.from, self.known.as_ref())
        {
            Place::Keep => Resolved::Keep,
            Place::TextOnly => Resolved::TextOnly,
            Place::Page(route, fragment) => Resolved::Url(match fragment {
                Some(f) => format!("{}#{f}", route.url_from(self.root)),
                None => route.url_from(self.root),
            }),
        }
    }

    fn control_url(&self, id: ControlId) -> Option<String> {
        if !self.edition.has(crate::model::Section::Controls) {
            return None;
        }
        let key = self.edition.site.control(id)?;
        Some(
            self.edition.controls[key.index()]
                .route()
                .url_from(self.root),
        )
    }
}

/// Where a link goes for this edition's reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Place {
    /// Not ours (external, mail, in-page anchor): kept as written.
    Keep,
    /// Ours but not for this reader, or broken: its text only.
    TextOnly,
    /// A page or file of this edition, with the fragment it names.
    Page(Route, Option<String>),
}

impl Edition<'_> {
    /// Where `dest`, written in `from`, goes for this edition's reader.
    pub(super) fn place(&self, dest: &str, from: &str) -> Place {
        self.place_known(dest, from, None)
    }

    /// `place`, taking what `dest` resolves to from `known` when it is there.
    pub(super) fn place_known(&self, dest: &str, from: &str, known: Option<&KnownLinks>) -> Place {
        // Raw HTML attributes come with character references (`/poli&#9;cies/x/`), which the
        // browser decodes before following the link: match what it will follow. (Markdown
        // destinations are decoded already; decoding again only matches more.)
        let Some(decoded) = decode_char_refs(dest) else {
            return Place::TextOnly;
        };
        let resolved = known
            .and_then(|k| k.get(&decoded))
            .unwrap_or_else(|| self.site.resolve(&decoded, from));
        self.place_of(resolved)
    }

    /// Where a link that resolved to `resolved` goes for this edition's reader.
    fn place_of(&self, resolved: Result<crate::site::Resolution, String>) -> Place {
        let (target, fragment) = match resolved {
            Ok(Some(found)) => found,
            // External links are kept; unresolvable ones fail the build earlier.
            Ok(None) => return Place::Keep,
            Err(_) => return Place::TextOnly,
        };
        match self.route_of(&target) {
            Some(route) => Place::Page(route, fragment),
            None => Place::TextOnly,
        }
    }

    /// The route of a link target, if this reader may open it.
    pub(super) fn route_of(&self, target: &Target) -> Option<Route> {
        let route = match target {
            Target::Home => Route::Home,
            Target::Scope => Route::Scope,
            Target::List(c) => Route::List(*c),
            // Only public builds have a sitemap.
            Target::Static(p) if p == "sitemap.xml" && self.audience != Audience::Public => {
                return None;
            }
            Target::Static(p) => Route::Static(p.clone()),
            Target::Traceability => Route::Traceability,
            Target::Item(key) => self.published_route(*key)?,
            Target::File(key, name) => self.file_route(*key, name)?,
        };
        // A page of a section this edition does not have is not written: a link to it is text.
        self.writes(&route).then_some(route)
    }

    /// The route of a file published beside an item's page, if this reader may open the
    /// item and the build has the file.
    fn file_route(&self, key: ItemKey, name: &str) -> Option<Route> {
        let Route::Item(_, slug) = self.published_route(key)? else {
            return None;
        };
        match key {
            ItemKey::Evidence(k) => {
                let file = self.evidence.get(k)?.published()?.file?;
                (file.name == name && file.bytes.is_some())
                    .then(|| Route::EvidenceFile(slug, name.to_string()))
            }
            ItemKey::Policy(_) => {
                self.policy_file(&slug, name)?;
                Some(Route::PolicyFile(slug, name.to_string()))
            }
            _ => None,
        }
    }

    /// A URL field (evidence `url`, a `site.yaml` URL) written in `from`, resolved once;
    /// `evidence`: the item whose `url` it is (which keeps its last resolution).
    pub(super) fn url_field(
        &self,
        url: &str,
        from: &str,
        evidence: Option<&crate::model::Evidence>,
    ) -> UrlField {
        // Without character references `place` would resolve `url` as written: take the
        // site's memoised resolution of it (`serve` asks for every field on every save).
        let resolved = (!url.contains('&')).then(|| match evidence {
            Some(e) if e.common.pos.path == from => self.site.resolve_url_field(e, url),
            _ => self.site.resolve_memo(url, from),
        });
        let place = match &resolved {
            Some(r) => self.place_of(r.clone()),
            None => self.place(url, from),
        };
        match place {
            Place::Keep if markdown::is_safe_url(url) => UrlField::External(url.to_string()),
            Place::Keep | Place::TextOnly => UrlField::Withheld,
            Place::Page(route, fragment) => {
                // An item is shown by its title; other pages of the site (home, scope, a
                // register, a static file) by the URL as written, which names nothing hidden.
                let resolved = resolved.unwrap_or_else(|| self.site.resolve_memo(url, from));
                let text = match resolved {
                    Ok(Some((target, _))) => target.item().and_then(|key| self.title_of(key)),
                    _ => None,
                };
                UrlField::Page {
                    route,
                    fragment,
                    text: text.unwrap_or_else(|| url.to_string()),
                }
            }
        }
    }
}

/// A URL field as this edition may show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlField {
    /// Another site's address (or mail, a phone number), shown as written.
    External(String),
    /// A page or file of this edition, shown by `text`.
    Page {
        route: Route,
        fragment: Option<String>,
        text: String,
    },
    /// It names something this reader may not open (or its scheme is unsafe, which `check`
    /// reports): not shown.
    Withheld,
}

impl UrlField {
    /// Its address from a page at `root`, and the text it is shown by; `None` when withheld.
    pub fn link(&self, root: &str) -> Option<(String, String, bool)> {
        match self {
            UrlField::External(url) => Some((url.clone(), url.clone(), true)),
            UrlField::Page {
                route,
                fragment,
                text,
            } => {
                let url = route.url_from(root);
                let href = match fragment {
                    Some(f) => format!("{url}#{f}"),
                    None => url,
                };
                Some((href, text.clone(), false))
            }
            UrlField::Withheld => None,
        }
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

//! Raw HTML in Markdown: its URLs resolved like Markdown links, and the sanitiser used when a
//! site does not allow raw HTML.

use std::borrow::Cow;

use super::comments::comment_end;
use super::escape;
use super::links::Resolved;

/// Attributes whose values are URLs (or, for `srcset` and `imagesrcset`, a list of them).
fn is_url_attribute(name: &str) -> bool {
    const NAMES: [&str; 21] = [
        "href",
        "src",
        "srcset",
        "imagesrcset",
        "cite",
        "action",
        "formaction",
        "poster",
        "data",
        "background",
        "longdesc",
        "xlink:href",
        "ping",
        "manifest",
        "codebase",
        "usemap",
        "icon",
        "lowsrc",
        "dynsrc",
        "archive",
        "classid",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Rewrites every URL attribute in the tags of a raw HTML fragment through `resolve`: `Keep`
/// leaves it as written, `Url` replaces its value, `TextOnly` removes the attribute. Values are
/// judged as a browser reads them, character references decoded. Comments are removed, and so
/// is what loads a URL that cannot be resolved like a link: `srcdoc`, a `style` attribute or
/// `<style>` element with CSS URLs, `<meta http-equiv=refresh>`. Everything else is copied.
///
/// A document's raw HTML comes in fragments: `in_style` says that a `<style>` element opened
/// in an earlier one is still open (its content is dropped up to its end tag); on return it
/// says whether this fragment leaves one open.
pub(super) fn rewrite_fragment(
    html: &str,
    resolve: &dyn Fn(&str) -> Resolved,
    in_style: &mut bool,
) -> String {
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    if *in_style {
        let Some(close) = style_end(html, 0) else {
            return out;
        };
        *in_style = false;
        i = close;
    }
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        out.push_str(&html[i..start]);
        if html[start..].starts_with("<!--") {
            // A comment shows nothing, and is where authors leave notes not meant for readers:
            // it is left out.
            i = comment_end(html, start);
            continue;
        }
        if !html
            .as_bytes()
            .get(start + 1)
            .is_some_and(u8::is_ascii_alphabetic)
        {
            out.push('<');
            i = start + 1;
            continue;
        }
        let tag = rewrite_tag(html, start, resolve);
        i = tag.end;
        if tag.name.eq_ignore_ascii_case("meta") && tag.refresh {
            continue; // a redirect to an address that is not resolved
        }
        if tag.name.eq_ignore_ascii_case("style") {
            // Its content is CSS, whose `url(…)` and `@import` are not resolved: a style
            // sheet that loads anything is left out, with its end tag. One whose end is in a
            // later fragment is left out whole, unseen.
            let Some(close) = find_style_close(html, tag.end) else {
                *in_style = true;
                return out;
            };
            if loads_urls(&html[tag.end..close]) {
                i = style_end(html, close).unwrap_or(html.len());
                continue;
            }
            out.push_str(&tag.html);
            out.push_str(&html[tag.end..close]);
            i = close;
            continue;
        }
        out.push_str(&tag.html);
    }
    out.push_str(&html[i..]);
    out
}

/// A start tag as rewritten by `rewrite_tag`.
struct RewrittenTag<'a> {
    name: &'a str,
    html: String,
    /// Where the tag ends in the fragment.
    end: usize,
    /// It has `http-equiv="refresh"`.
    refresh: bool,
}

/// The start tag at `start` (a `<` and a letter) with its attributes rewritten.
fn rewrite_tag<'a>(
    html: &'a str,
    start: usize,
    resolve: &dyn Fn(&str) -> Resolved,
) -> RewrittenTag<'a> {
    let b = html.as_bytes();
    let mut refresh = false;
    // Its name, then attributes until `>`.
    let mut j = start + 1;
    while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'>' | b'/') {
        j += 1;
    }
    let tag_name = &html[start + 1..j];
    let mut out = html[start..j].to_string();
    while j < b.len() {
        let gap = j;
        while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
            j += 1;
        }
        out.push_str(&html[gap..j]);
        if j >= b.len() {
            break;
        }
        if b[j] == b'>' {
            out.push('>');
            j += 1;
            break;
        }
        let name_start = j;
        j += 1; // a name is at least one character, even `=`
        while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
            j += 1;
        }
        let name = &html[name_start..j];
        let mut k = j;
        while k < b.len() && b[k].is_ascii_whitespace() {
            k += 1;
        }
        if b.get(k) != Some(&b'=') {
            if name.eq_ignore_ascii_case("srcdoc") {
                out.truncate(out.trim_end().len());
            } else {
                out.push_str(name);
            }
            continue;
        }
        k += 1;
        while k < b.len() && b[k].is_ascii_whitespace() {
            k += 1;
        }
        let (value, end) = match b.get(k) {
            Some(&q @ (b'"' | b'\'')) => {
                let from = k + 1;
                let to = html[from..]
                    .find(q as char)
                    .map_or(html.len(), |e| from + e);
                (&html[from..to], (to + 1).min(html.len()))
            }
            _ => {
                let mut to = k;
                while to < b.len() && !b[to].is_ascii_whitespace() && b[to] != b'>' {
                    to += 1;
                }
                (&html[k..to], to)
            }
        };
        j = end;
        let value = decode_entities(value);
        let resolved = if name.eq_ignore_ascii_case("srcdoc") {
            // A whole document in an attribute, its links unresolved.
            Resolved::TextOnly
        } else if name.eq_ignore_ascii_case("style") {
            if loads_urls(&value) {
                Resolved::TextOnly
            } else {
                Resolved::Keep
            }
        } else if is_url_attribute(name) {
            rewrite_value(name, &value, resolve)
        } else {
            if name.eq_ignore_ascii_case("http-equiv") {
                refresh |= value.trim().eq_ignore_ascii_case("refresh");
            }
            Resolved::Keep
        };
        match resolved {
            Resolved::Keep => out.push_str(&html[name_start..end]),
            Resolved::Url(u) => {
                out.push_str(name);
                out.push_str("=\"");
                out.push_str(&escape(&u));
                out.push('"');
            }
            Resolved::TextOnly => out.truncate(out.trim_end().len()),
        }
    }
    RewrittenTag {
        name: tag_name,
        html: out,
        end: j,
        refresh,
    }
}

/// Whether CSS (a `style` attribute or element) may load something: `url(…)`, `@import`,
/// `image-set(…)` and the like, or an escape that could spell one. Checked both as written
/// and with character references decoded (they are, in SVG).
fn loads_urls(css: &str) -> bool {
    let risky = |css: &str| {
        let css = css.to_ascii_lowercase();
        ["url(", "@import", "image(", "image-set(", "src(", "\\"]
            .iter()
            .any(|p| css.contains(p))
    };
    risky(css) || risky(&decode_entities(css))
}

/// Where the `</style` end tag at or after `from` starts.
fn find_style_close(html: &str, from: usize) -> Option<usize> {
    let b = html.as_bytes();
    let mut at = from;
    while let Some(off) = html[at..].find("</") {
        let i = at + off;
        let name_end = i + 2 + "style".len();
        if html
            .get(i + 2..name_end)
            .is_some_and(|n| n.eq_ignore_ascii_case("style"))
            && b.get(name_end)
                .is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>'))
        {
            return Some(i);
        }
        at = i + 2;
    }
    None
}

/// Where the first `</style…>` end tag at or after `from` ends.
fn style_end(html: &str, from: usize) -> Option<usize> {
    let close = find_style_close(html, from)?;
    Some(
        html[close..]
            .find('>')
            .map_or(html.len(), |e| close + e + 1),
    )
}

/// An attribute value as a browser reads it: character references (`&#106;`, `&#x3A;`,
/// `&colon;`) decoded.
fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match char_ref(rest) {
            Some((text, used)) => {
                out.push_str(&text);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character reference that `s` (starting with `&`) starts with, if any: its text and its
/// length, read as in an attribute value.
fn char_ref(s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let (radix, from) = match b.get(2) {
            Some(b'x' | b'X') => (16, 3),
            _ => (10, 2),
        };
        let digits = b[from.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || (radix == 16 && c.is_ascii_hexdigit()))
            .count();
        if digits == 0 {
            return None;
        }
        let mut end = from + digits;
        // Too large a number is U+FFFD, like a surrogate or NUL.
        let value = u32::from_str_radix(&s[from..end], radix).unwrap_or(u32::MAX);
        if b.get(end) == Some(&b';') {
            end += 1;
        }
        let c = match value {
            0x80..=0x9f => markup5ever::data::C1_REPLACEMENTS[(value - 0x80) as usize]
                .or(char::from_u32(value)),
            0 => None,
            v => char::from_u32(v),
        };
        return Some((c.unwrap_or('\u{FFFD}').to_string(), end));
    }
    let len = b[1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if len == 0 {
        return None;
    }
    let entity = |key: &str| {
        markup5ever::data::NAMED_ENTITIES
            .get(key)
            .filter(|(first, _)| *first != 0)
            .map(|&(first, second)| {
                [first, second]
                    .into_iter()
                    .filter(|c| *c != 0)
                    .filter_map(char::from_u32)
                    .collect::<String>()
            })
    };
    if b.get(1 + len) == Some(&b';')
        && let Some(text) = entity(&s[1..2 + len])
    {
        return Some((text, 2 + len));
    }
    // An old name without `;` (`&amp`), unless `=` follows: in an attribute value, browsers
    // read `&copy=1` as written.
    if b.get(1 + len) != Some(&b'=')
        && let Some(text) = entity(&s[1..1 + len])
    {
        return Some((text, 1 + len));
    }
    None
}

/// One URL attribute's value through `resolve`; a `srcset` (or `imagesrcset`) is kept only if
/// all its URLs are.
fn rewrite_value(name: &str, value: &str, resolve: &dyn Fn(&str) -> Resolved) -> Resolved {
    if !(name.eq_ignore_ascii_case("srcset") || name.eq_ignore_ascii_case("imagesrcset")) {
        return resolve(value.trim());
    }
    let mut changed = false;
    let mut candidates = Vec::new();
    for candidate in value.split(',') {
        let candidate = candidate.trim();
        let (url, descriptor) = candidate
            .split_once(char::is_whitespace)
            .unwrap_or((candidate, ""));
        let url = match resolve(url) {
            Resolved::Keep => url.to_string(),
            Resolved::Url(u) => {
                changed = true;
                u
            }
            Resolved::TextOnly => return Resolved::TextOnly,
        };
        candidates.push(format!("{url} {descriptor}").trim_end().to_string());
    }
    if changed {
        Resolved::Url(candidates.join(", "))
    } else {
        Resolved::Keep
    }
}

/// ammonia's defaults, plus what our own renderer emits: heading ids, classes for
/// highlighting and footnotes, task-list checkboxes, and table cell alignment.
pub(super) fn sanitizer() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.link_rel(None)
        .add_generic_attributes(["class", "id"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("pre", ["data-lang"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("input", "type") => (value == "checkbox").then_some(Cow::Borrowed(value)),
            (_, "style") => matches!(
                value,
                "text-align: left" | "text-align: center" | "text-align: right"
            )
            .then_some(Cow::Borrowed(value)),
            _ => Some(Cow::Borrowed(value)),
        });
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::testing::{Fake, html};
    use crate::markdown::{Renderer, is_safe_url};

    /// One whole fragment, no `<style>` open before it.
    fn rewrite_urls(html: &str, resolve: &dyn Fn(&str) -> Resolved) -> String {
        rewrite_fragment(html, resolve, &mut false)
    }

    #[test]
    fn sanitises_raw_html() {
        let out = html(
            "<script>alert(1)</script>\n\n<a href=\"javascript:alert(1)\" onclick=\"x()\">x</a>\n\n- [x] done\n",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(out.contains(r#"type="checkbox""#), "{out}");
    }

    #[test]
    fn raw_html_urls_resolve_like_markdown_links() {
        for allow in [false, true] {
            let out = Renderer::new(allow)
                .render(
                    "<a href=\"policy:secret\" title=\"t\">x</a> <img src='policy:secret' alt=y>\n<a class=n href=policy:open>o</a> <a href=\"https://x.example/?a=1&amp;b=2\">e</a>\n\n<div>\n<a\n  HREF=\"policy:secret\">z</a><img srcset=\"policy:open 1x, policy:secret 2x\" src=\"policy:open\">\n</div>\n",
                    &Fake,
                )
                .html;
            assert!(!out.contains("secret"), "{out}");
            assert!(out.contains(r#"<a title="t">x</a>"#), "{out}");
            assert!(out.contains(r#"href="../open/""#), "{out}");
            assert!(out.contains(r#"src="../open/""#), "{out}");
            assert!(out.contains("https://x.example/?a=1&amp;b=2"), "{out}");
        }
        let f = |url: &str| match url {
            "policy:open" => Resolved::Url("../open/".into()),
            _ => Resolved::Keep,
        };
        for same in [
            "a < b",
            "<p>x</p>",
            "<a href>",
            "<a b=c d='e'>",
            "<br/>",
            "<x y=\"1",
        ] {
            assert_eq!(rewrite_urls(same, &f), same);
        }
        assert_eq!(
            rewrite_urls("a<!-- note -->b<!-->c<!--->d<!-- open", &f),
            "abcd"
        );
        assert_eq!(
            rewrite_urls("a<!-- x --!>b<!-- y -- > -!> z --->c<!---->d", &f),
            "abcd"
        );
        assert_eq!(
            rewrite_urls("<img srcset=\"policy:open 1x,k.png 2x\">", &f),
            r#"<img srcset="../open/ 1x, k.png 2x">"#
        );
    }

    #[test]
    fn raw_html_that_loads_unresolved_urls_is_dropped() {
        let md = concat!(
            "<meta http-equiv=\"Refresh\" content=\"0;url=policy:secret\">\n\n",
            "<meta content=\"0; url=https://x.example/\" http-equiv=refresh>\n\n",
            "<p style=\"background: URL(policy:secret)\" class=a>a</p>\n\n",
            "<p style=\"background: u&#114;l(policy:secret)\">b</p>\n\n",
            "<p style='color: red'>c</p>\n\n",
            "<iframe srcdoc=\"<a href=policy:secret>x</a>\" title=f></iframe>\n\n",
            "<link rel=preload imagesrcset=\"policy:open 1x, policy:secret 2x\">\n\n",
            "<link rel=preload imagesrcset=\"policy:open 1x\">\n\n",
            "<style>\n@import 'policy:secret';\n</style>\n\n",
            "<style>p { background: url(policy:secret) }</STYLE >\n\n",
            "<style>p { color: red }</style>\n\n",
            "Inline <style>p { background: url(policy:secret) }</style> text.\n\n",
            "<a href=\"policy&colon;secret\">d</a> <a href=\"&#112;olicy:secret\">e</a> ",
            "<a href='&#x70;olicy&#58secret'>f</a> <a href=\"&#106;avascript:alert(1)\">g</a>\n",
        );
        for allow in [false, true] {
            let out = Renderer::new(allow).render(md, &Fake).html;
            assert!(!out.contains("secret"), "{out}");
            assert!(!out.to_lowercase().contains("refresh"), "{out}");
            assert!(!out.contains("url("), "{out}");
            assert!(out.contains("Inline  text."), "{out}");
            for kept in ["<a>d</a>", "<a>e</a>", "<a>f</a>"] {
                assert!(out.contains(kept), "{kept} in {out}");
            }
            if !allow {
                assert!(out.contains("<a>g</a>"), "{out}");
                continue;
            }
            for kept in [
                "<p class=a>a</p>",
                "<p>b</p>",
                "<p style='color: red'>c</p>",
                "<iframe title=f></iframe>",
                "<link rel=preload imagesrcset=\"../open/ 1x\">",
                "<style>p { color: red }</style>",
            ] {
                assert!(out.contains(kept), "{kept} in {out}");
            }
            assert_eq!(out.matches("<link").count(), 2, "{out}");
            assert_eq!(out.matches("<style").count(), 1, "{out}");
        }
        let safe = |url: &str| {
            if is_safe_url(url) {
                Resolved::Keep
            } else {
                Resolved::TextOnly
            }
        };
        assert_eq!(
            rewrite_urls("<a href=\"&#106;avascript:alert(1)\" id=x>g</a>", &safe),
            "<a id=x>g</a>"
        );
        assert_eq!(
            rewrite_urls("<a href=\"https://x.example/?a=1&amp;b=2\">e</a>", &safe),
            "<a href=\"https://x.example/?a=1&amp;b=2\">e</a>"
        );
        // A `<style>` left open: the rest of its fragment, and of the next ones up to its end.
        let mut in_style = false;
        assert_eq!(rewrite_fragment("a<style>b", &safe, &mut in_style), "a");
        assert!(in_style);
        assert_eq!(rewrite_fragment("c", &safe, &mut in_style), "");
        assert_eq!(rewrite_fragment("d</style>e", &safe, &mut in_style), "e");
        assert!(!in_style);
    }

    #[test]
    fn decodes_character_references_like_browsers() {
        for (raw, decoded) in [
            ("&#106;avascript:", "javascript:"),
            ("policy&colon;x", "policy:x"),
            ("&#x3A&#X3a;&#58", ":::"),
            ("&amp &amp; &AMP;", "& & &"),
            ("&copy=1 &copy;", "&copy=1 \u{a9}"),
            ("&notanentity; &notit;", "&notanentity; &notit;"),
            ("&NotEqualTilde;", "\u{2242}\u{338}"),
            ("&#0; &#xD800; &#99999999999;", "\u{fffd} \u{fffd} \u{fffd}"),
            ("&#x80; &#x81;", "\u{20ac} \u{81}"),
            ("a&b & &# &#x &#;", "a&b & &# &#x &#;"),
        ] {
            assert_eq!(decode_entities(raw), decoded, "{raw}");
        }
    }

    #[test]
    fn raw_html_allowed_when_configured() {
        let out = Renderer::new(true)
            .render("<div onclick=\"x()\">raw</div>\n", &Fake)
            .html;
        assert!(out.contains("onclick"), "{out}");
    }
}

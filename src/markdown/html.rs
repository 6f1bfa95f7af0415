//! Raw HTML in Markdown: its URLs resolved like Markdown links, read by html5ever's tokenizer
//! as a browser reads it, and the sanitiser used when a site does not allow raw HTML.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::ops::Range;

use html5ever::Attribute;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::{RawKind, State};
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::escape;
use super::links::Resolved;

/// Rewrites every URL attribute in the tags of a raw HTML fragment through `resolve`: `Keep`
/// leaves it as written, `Url` replaces its value, `TextOnly` removes the attribute. The
/// fragment is read by html5ever's tokenizer, so values are judged as a browser reads them,
/// character references decoded. Comments are removed, and so is what loads a URL that cannot
/// be resolved like a link: `srcdoc`, a `style` attribute or `<style>` element with CSS URLs,
/// `<meta http-equiv=refresh>`. A tag with nothing to change, and all text, are copied as
/// written.
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
    let mut at = 0; // `html[..at]` is done
    // An open `<style>`: its start tag as rewritten (`None` when it opened in an earlier
    // fragment) and where its content starts.
    let mut style: Option<(Option<String>, usize)> = in_style.then_some((None, 0));
    for Markup { found, end } in tokenize(html, *in_style).markup {
        let Some(start) = markup_start(html, at, style.is_some(), &found, end) else {
            // The tokenizer and `markup_start` disagree, which they cannot: nothing from here
            // on is trusted.
            *in_style = false;
            return out;
        };
        if let Some((open, content)) = style.take() {
            // The style sheet's end tag. Its content is CSS, whose `url(…)` and `@import` are
            // not resolved: a sheet that may load anything is left out, with its tags.
            let css = &html[content..start];
            match open {
                Some(open) if !unsafe_css(css) => {
                    out.push_str(&open);
                    out.push_str(css);
                    out.push_str(&html[start..end]);
                }
                _ => left_out(&mut out),
            }
            at = end;
            continue;
        }
        out.push_str(&html[at..start]);
        at = end;
        let source = &html[start..end];
        match found {
            // A comment shows nothing, and is where authors leave notes not meant for readers:
            // it is left out (and so are `<?…>`, `<!…>` and `</ …>`, which browsers read as
            // comments).
            Found::Comment => left_out(&mut out),
            Found::Doctype => out.push_str(source),
            Found::Tag(tag) if tag.kind == TagKind::EndTag => out.push_str(&end_tag(source, &tag)),
            Found::Tag(tag) => match rewrite_start_tag(source, &tag, resolve) {
                Some(open) if &*tag.name == "style" => style = Some((Some(open.into_owned()), end)),
                Some(tag) => out.push_str(&tag),
                None => left_out(&mut out),
            },
        }
    }
    if style.is_some() {
        // Its end is in a later fragment: the sheet is left out whole, unseen.
        *in_style = true;
        left_out(&mut out);
        return out;
    }
    *in_style = false;
    let Some(start) = markup_open(html, at) else {
        out.push_str(&html[at..]);
        return out;
    };
    // A tag cut off by the end of the fragment (an HTML block ends at a blank line): on the
    // page it goes on into what follows, so it is judged as if closed there.
    out.push_str(&html[at..start]);
    let cut = &html[start..];
    let Some((whole, tag)) = ["", "\"", "'"].iter().find_map(|quote| {
        let whole = format!("{cut}{quote}>");
        whole_tag(&whole).map(|tag| (whole, tag))
    }) else {
        left_out(&mut out); // not a tag however closed
        return out;
    };
    if tag.kind == TagKind::EndTag {
        out.push_str(&end_tag(cut, &tag));
    } else if &*tag.name == "style" {
        *in_style = true; // a style sheet opens, and is left out
        left_out(&mut out);
    } else {
        match rewrite_start_tag(&whole, &tag, resolve) {
            Some(Cow::Borrowed(_)) => out.push_str(cut), // nothing to change: as written
            Some(Cow::Owned(tag)) => out.push_str(&tag), // changed, and closed
            None => left_out(&mut out),
        }
    }
    out
}

/// Called where markup is left out. A `<` just before it was text, but joined to what follows
/// (`<<?x>a href=…>`) it could open a tag that was never judged: it is written `&lt;`, which
/// shows the same.
fn left_out(out: &mut String) {
    if out.ends_with('<') {
        out.pop();
        out.push_str("&lt;");
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
        .add_tag_attributes("pre", ["data-lang", "tabindex"])
        .add_tag_attributes("details", ["open"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("input", "type") => (value == "checkbox").then_some(Cow::Borrowed(value)),
            // A code block scrolls sideways: it may be focusable, so keyboards can scroll it.
            ("pre", "tabindex") => (value == "0").then_some(Cow::Borrowed(value)),
            (_, "style") => matches!(
                value,
                "text-align: left" | "text-align: center" | "text-align: right"
            )
            .then_some(Cow::Borrowed(value)),
            _ => Some(Cow::Borrowed(value)),
        });
    b
}

/// What html5ever's tokenizer found in a fragment.
#[derive(Default)]
struct Tokens {
    /// Its tags, comments and doctypes, in order.
    markup: Vec<Markup>,
    /// Its text as a browser reads it, character references decoded.
    text: String,
}

/// A tag, comment or doctype, and the byte offset where it ends in the fragment.
struct Markup {
    found: Found,
    end: usize,
}

enum Found {
    Tag(Tag),
    Comment,
    Doctype,
}

/// Tokenizes `html` (from inside a `<style>` element if `in_style`).
fn tokenize(html: &str, in_style: bool) -> Tokens {
    let opts = TokenizerOpts {
        discard_bom: false,
        initial_state: in_style.then_some(State::RawData(RawKind::Rawtext)),
        last_start_tag_name: in_style.then(|| "style".to_string()),
        ..TokenizerOpts::default()
    };
    let tokenizer = Tokenizer::new(Sink::default(), opts);
    let input = BufferQueue::default();
    // The tokenizer does not say where a token is. Markup ends at a `>` (or at the end) and
    // needs no look-ahead past it, so fed up to each `>` in turn, it emits each tag, comment or
    // doctype while the input fed so far ends just after it.
    for chunk in html.split_inclusive('>') {
        let sink = &tokenizer.sink;
        sink.fed.set(sink.fed.get() + chunk.len());
        input.push_back(StrTendril::from_slice(chunk));
        // The sink never asks for a script to run, so there is nothing to do when it stops.
        let _ = tokenizer.feed(&input);
    }
    tokenizer.end();
    tokenizer.sink.tokens.take()
}

/// Collects the tokens. A `<style>` start tag switches the tokenizer to raw text, as a
/// browser's tree builder does for an HTML `style` element; other elements' content is read
/// as markup, so that a URL in it is judged even where a browser would show it as text.
#[derive(Default)]
struct Sink {
    /// How many bytes have been fed.
    fed: Cell<usize>,
    tokens: RefCell<Tokens>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut tokens = self.tokens.borrow_mut();
        let mut result = TokenSinkResult::Continue;
        let found = match token {
            Token::TagToken(tag) => {
                if tag.kind == TagKind::StartTag && &*tag.name == "style" {
                    result = TokenSinkResult::RawData(RawKind::Rawtext);
                }
                Found::Tag(tag)
            }
            Token::CommentToken(_) => Found::Comment,
            Token::DoctypeToken(_) => Found::Doctype,
            Token::CharacterTokens(text) => {
                tokens.text.push_str(&text);
                return result;
            }
            Token::NullCharacterToken | Token::EOFToken | Token::ParseError(_) => return result,
        };
        let end = self.fed.get();
        tokens.markup.push(Markup { found, end });
        result
    }
}

/// Where markup opens in text at or after `from`, as the tokenizer's tag open state decides: a
/// `<` followed by a letter, `!`, `?`, or by `/` and anything but `>`.
fn markup_open(html: &str, from: usize) -> Option<usize> {
    let b = html.as_bytes();
    let mut at = from;
    while let Some(i) = html[at..].find('<').map(|i| at + i) {
        match b.get(i + 1) {
            Some(c) if c.is_ascii_alphabetic() || matches!(c, b'!' | b'?') => return Some(i),
            Some(b'/') if b.get(i + 2).is_some_and(|c| *c != b'>') => return Some(i),
            _ => at = i + 1,
        }
    }
    None
}

/// Where the markup that the tokenizer found, ending at `end`, starts: the first markup after
/// `from`, or in a style sheet its `</style` end tag; `None` if that is not what was found.
fn markup_start(
    html: &str,
    from: usize,
    in_style: bool,
    found: &Found,
    end: usize,
) -> Option<usize> {
    let start = if in_style {
        find_style_close(html, from)?
    } else {
        markup_open(html, from)?
    };
    let b = html.as_bytes();
    let tag = |kind: TagKind| matches!(found, Found::Tag(t) if t.kind == kind);
    let agrees = match (b.get(start + 1), b.get(start + 2)) {
        _ if in_style => tag(TagKind::EndTag),
        (Some(c), _) if c.is_ascii_alphabetic() => tag(TagKind::StartTag),
        (Some(b'/'), Some(c)) if c.is_ascii_alphabetic() => tag(TagKind::EndTag),
        _ => matches!(found, Found::Comment | Found::Doctype),
    };
    (agrees && start < end).then_some(start)
}

/// The tag that `html` is, whole, if it is one.
fn whole_tag(html: &str) -> Option<Tag> {
    let mut tokens = tokenize(html, false);
    match tokens.markup.pop() {
        Some(Markup {
            found: Found::Tag(tag),
            end,
        }) if tokens.markup.is_empty() && tokens.text.is_empty() && end == html.len() => Some(tag),
        _ => None,
    }
}

/// An end tag as published: browsers ignore its attributes, and they are left out.
fn end_tag<'a>(source: &'a str, tag: &Tag) -> Cow<'a, str> {
    if tag.attrs.is_empty() {
        Cow::Borrowed(source)
    } else {
        Cow::Owned(format!("</{}>", tag.name))
    }
}

/// A start tag with its attributes judged: as written if none changes, else rewritten; `None`
/// if the whole tag is left out.
fn rewrite_start_tag<'a>(
    source: &'a str,
    tag: &Tag,
    resolve: &dyn Fn(&str) -> Resolved,
) -> Option<Cow<'a, str>> {
    let value = |name: &str| {
        tag.attrs
            .iter()
            .find(|a| &*a.name.local == name)
            .map(|a| &*a.value)
    };
    if &*tag.name == "meta"
        && value("http-equiv").is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
    {
        return None; // a redirect to an address that is not resolved
    }
    let judged: Vec<(&Attribute, Resolved)> = tag
        .attrs
        .iter()
        .map(|a| (a, judge(&a.name.local, &a.value, resolve)))
        .collect();
    // A repeated attribute is ignored by browsers (the tokenizer keeps the first), but it is in
    // the source: a tag that has one is written without it.
    if !tag.had_duplicate_attributes && judged.iter().all(|(_, r)| *r == Resolved::Keep) {
        return Some(Cow::Borrowed(source));
    }
    // Edited where that reads back as meant, else written anew; one that cannot be written is
    // left out.
    [edit_tag(source, &judged), write_tag(tag, &judged)]
        .into_iter()
        .find(|html| reads_as(html, tag, &judged))
        .map(Cow::Owned)
}

/// How one attribute (its name lower-case, its value decoded) is published.
fn judge(name: &str, value: &str, resolve: &dyn Fn(&str) -> Resolved) -> Resolved {
    match name {
        // A whole document in an attribute, its links unresolved.
        "srcdoc" => Resolved::TextOnly,
        "style" if loads_urls(value) => Resolved::TextOnly,
        _ if is_url_attribute(name) => rewrite_value(name, value, resolve),
        _ => Resolved::Keep,
    }
}

/// The attributes as judged: the name and value of each one kept or changed, in order.
fn published<'a>(
    judged: &'a [(&'a Attribute, Resolved)],
) -> impl Iterator<Item = (&'a str, &'a str)> {
    judged.iter().filter_map(|(a, r)| match r {
        Resolved::Keep => Some((&*a.name.local, &*a.value)),
        Resolved::Url(url) => Some((&*a.name.local, url.as_str())),
        Resolved::TextOnly => None,
    })
}

/// Whether `html` is one start tag that reads as `tag` with its attributes as judged.
fn reads_as(html: &str, tag: &Tag, judged: &[(&Attribute, Resolved)]) -> bool {
    whole_tag(html).is_some_and(|t| {
        t.kind == TagKind::StartTag
            && t.name == tag.name
            && t.self_closing == tag.self_closing
            && !t.had_duplicate_attributes
            && t.attrs
                .iter()
                .map(|a| (&*a.name.local, &*a.value))
                .eq(published(judged))
    })
}

/// The start tag `source` with its attributes as judged and all else as written: a kept one
/// keeps its quotes, a changed one is written `name="value"`, a dropped one goes with the
/// space before it, and so does a repeated one.
fn edit_tag(source: &str, judged: &[(&Attribute, Resolved)]) -> String {
    let (name_end, spans, tail) = attribute_spans(source);
    let mut out = String::with_capacity(source.len());
    out.push_str(&source[..name_end]);
    let mut seen = HashSet::new();
    for span in spans {
        let name = source[span.name.clone()].to_ascii_lowercase();
        let resolved = judged
            .iter()
            .find(|(a, _)| *a.name.local == *name)
            .map(|(_, r)| r);
        if !seen.insert(name) {
            continue;
        }
        match resolved {
            Some(Resolved::Keep) => out.push_str(&source[span.gap..span.end]),
            Some(Resolved::Url(url)) => {
                out.push_str(&source[span.gap..span.name.end]);
                out.push_str("=\"");
                out.push_str(&escape(url));
                out.push('"');
            }
            Some(Resolved::TextOnly) | None => {}
        }
    }
    out.push_str(&source[tail..]);
    out
}

/// The start tag written anew: `<name name="value"…>`.
fn write_tag(tag: &Tag, judged: &[(&Attribute, Resolved)]) -> String {
    let mut out = format!("<{}", tag.name);
    for (name, value) in published(judged) {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(&escape(value));
        out.push('"');
    }
    out.push_str(if tag.self_closing { "/>" } else { ">" });
    out
}

/// One attribute in the source of a start tag.
struct AttributeSpan {
    /// Where the spaces (or `/`) before it start.
    gap: usize,
    name: Range<usize>,
    /// Where it ends, after its value if it has one.
    end: usize,
}

/// The parts of a start tag's source (`<` to `>`) as the tokenizer reads them: where its name
/// ends, its attributes, and where what follows the last one starts. Only used to copy parts
/// as written: what is copied is read back by the tokenizer (`reads_as`).
fn attribute_spans(tag: &str) -> (usize, Vec<AttributeSpan>, usize) {
    let b = tag.as_bytes();
    let skip = |mut i: usize, f: &dyn Fn(u8) -> bool| {
        while i < b.len() && f(b[i]) {
            i += 1;
        }
        i
    };
    let space = |c: u8| c.is_ascii_whitespace();
    let name_end = skip(1, &|c| !space(c) && !matches!(c, b'/' | b'>'));
    let mut spans = Vec::new();
    let mut i = name_end;
    loop {
        let gap = i;
        i = skip(i, &|c| space(c) || c == b'/');
        if i >= b.len() || b[i] == b'>' {
            return (name_end, spans, gap);
        }
        let name_start = i;
        // A name is at least one character, even `=`.
        i = skip(i + 1, &|c| !space(c) && !matches!(c, b'/' | b'>' | b'='));
        let name = name_start..i;
        let eq = skip(i, &space);
        if b.get(eq) == Some(&b'=') {
            let v = skip(eq + 1, &space);
            i = match b.get(v) {
                Some(&q @ (b'"' | b'\'')) => tag[v + 1..]
                    .find(q as char)
                    .map_or(b.len(), |e| v + 1 + e + 1),
                _ => skip(v, &|c| !space(c) && c != b'>'),
            };
        }
        spans.push(AttributeSpan { gap, name, end: i });
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
    risky(css) || risky(&tokenize(css, false).text)
}

/// Whether a `<style>` element's content is left out: if it may load something, or if it has
/// a `<`. Inside SVG a style element's content is markup, not text, and some of its tags
/// (`<img>`, `<p>`…) end the SVG and are HTML elements, unjudged.
fn unsafe_css(css: &str) -> bool {
    css.contains('<') || loads_urls(css)
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

/// Attributes whose values are URLs (or, for `srcset` and `imagesrcset`, a list of them);
/// `name` is lower-case, as the tokenizer gives it.
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
    NAMES.contains(&name)
}

/// One URL attribute's value through `resolve`; a `srcset` (or `imagesrcset`) is kept only if
/// all its URLs are.
fn rewrite_value(name: &str, value: &str, resolve: &dyn Fn(&str) -> Resolved) -> Resolved {
    if !matches!(name, "srcset" | "imagesrcset") {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::testing::{Fake, html};
    use crate::markdown::{Renderer, is_safe_url};

    /// One whole fragment, no `<style>` open before it.
    fn rewrite_urls(html: &str, resolve: &dyn Fn(&str) -> Resolved) -> String {
        rewrite_fragment(html, resolve, &mut false)
    }

    /// An attribute value as the tokenizer decodes it (and so as it is judged).
    fn decode_entities(raw: &str) -> String {
        whole_tag(&format!("<x a=\"{raw}\">"))
            .and_then(|tag| tag.attrs.first().map(|a| a.value.to_string()))
            .unwrap_or_default()
    }

    #[test]
    fn sanitises_raw_html() {
        let out = html(
            "<script>alert(1)</script>\n\n<a href=\"javascript:alert(1)\" onclick=\"x()\">x</a>\n\n- [x] done\n",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        // Task-list boxes survive the sanitiser, as symbols rather than unlabelled inputs.
        assert!(
            out.contains("<span class=\"task task-done\">☑</span> done"),
            "{out}"
        );
        assert!(!out.contains("<input"), "{out}");
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

    /// What browsers read in raw HTML, the tokenizer reads too: what they ignore or hide is not
    /// published either, and a tag cut off by the fragment's end is judged.
    #[test]
    fn raw_html_is_read_as_browsers_read_it() {
        let f = |url: &str| match url {
            "policy:secret" => Resolved::TextOnly,
            "policy:open" => Resolved::Url("../open/".into()),
            _ => Resolved::Keep,
        };
        for (raw, published) in [
            // An end tag's attributes, which browsers ignore.
            ("</a href=\"policy:secret\">", "</a>"),
            // What browsers read as comments.
            (
                "a<?x policy:secret ?>b</ policy:secret>c<!policy:secret>d<![CDATA[policy:secret]]>e",
                "abcde",
            ),
            // A repeated attribute, which browsers ignore.
            (
                "<a href=\"policy:open\" HREF=\"policy:secret\">x</a>",
                "<a href=\"../open/\">x</a>",
            ),
            (
                "<a title=a title=\"policy:secret\">x</a>",
                "<a title=a>x</a>",
            ),
            // No space between attributes: written anew rather than run together.
            ("<a href=\"policy:secret\"title=t>", "<a title=\"t\">"),
            ("<a\r\nhref=\"policy:secret\" class='c'>", "<a class='c'>"),
            // A tag cut off by the end of the fragment.
            ("<div>\n<a href=\"policy:secret\"\n", "<div>\n<a\n>"),
            ("<img src=\"policy:open\"", "<img src=\"../open/\">"),
            ("<a title=\"x", "<a title=\"x"),
            // Kept attributes keep their quotes and references as written.
            (
                "<IMG SRC=policy:open Alt='a &amp; b'/>",
                "<IMG SRC=\"../open/\" Alt='a &amp; b'/>",
            ),
            (
                "<a title=\"&lt;b&gt;\" href=policy:open>",
                "<a title=\"&lt;b&gt;\" href=\"../open/\">",
            ),
            ("x </> y <a href=policy:secret>", "x </> y <a>"),
            // Markup left out does not join a `<` before it to what follows.
            (
                "<<?x>a href=\"policy:secret\">",
                "&lt;a href=\"policy:secret\">",
            ),
            (
                "<<!-- c -->a href=policy:secret>",
                "&lt;a href=policy:secret>",
            ),
            (
                "<!DOCTYPE html><p>a &amp; b &lt; c</p>",
                "<!DOCTYPE html><p>a &amp; b &lt; c</p>",
            ),
        ] {
            assert_eq!(rewrite_urls(raw, &f), published, "{raw:?}");
        }
        let mut in_style = false;
        assert_eq!(rewrite_fragment("a<style", &f, &mut in_style), "a");
        assert!(in_style);
    }

    /// In SVG a style element's content is markup, and an `<img>` there is an HTML image.
    #[test]
    fn style_sheets_with_markup_are_dropped() {
        let md = "<div><svg><style>p{}<img src=\"policy:secret\"></style></svg></div>\n";
        for allow in [false, true] {
            let out = Renderer::new(allow).render(md, &Fake).html;
            assert!(!out.contains("secret"), "{out}");
        }
        assert_eq!(
            rewrite_urls(md, &|_| Resolved::Keep),
            "<div><svg></svg></div>\n"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Whatever the fragment, no URL attribute the published HTML holds names a withheld
        /// target, as a browser reads it.
        #[test]
        fn published_html_holds_no_withheld_url(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "<", ">", "/", "!", "-", "a", "style", " ", "\"", "'", "=", "&", "#", "x",
                "href", "policy:secret", "é", "\r", "\0", "?", "[CDATA[", "amp;", "url(",
                "<?x>", "<!--c-->", "<a ", "</style>",
            ]), 0..30),
            in_style: bool,
        ) {
            let html: String = parts.concat();
            let f = |url: &str| {
                if url.contains("secret") {
                    Resolved::TextOnly
                } else {
                    Resolved::Keep
                }
            };
            let mut open = in_style;
            let out = rewrite_fragment(&html, &f, &mut open);
            for markup in tokenize(&out, false).markup {
                let Found::Tag(tag) = markup.found else { continue };
                for a in &tag.attrs {
                    let name = &*a.name.local;
                    let url = is_url_attribute(name) || name == "srcdoc";
                    proptest::prop_assert!(
                        !url || !a.value.contains("secret"),
                        "{:?} gave {:?}",
                        html,
                        out
                    );
                }
            }
        }
    }
}

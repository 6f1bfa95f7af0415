//! Markdown → HTML: pulldown-cmark, cross-link resolution, heading anchors, syntax
//! highlighting (syntect, CSS classes) and sanitising (ammonia).

use std::borrow::Cow;
use std::collections::HashSet;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::diagnostic::Pos;
use crate::model::{ControlId, Markdown, slugify};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// A link destination found in Markdown, with its 1-based position in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkAt {
    pub dest: String,
    pub line: u64,
    pub column: u64,
    /// The byte offset of the link in the text.
    pub offset: usize,
}

/// Every link and image destination in `text`, in order (none from inside HTML comments,
/// which are never published).
pub fn links(text: &str) -> Vec<LinkAt> {
    let mut out = Vec::new();
    let mut lines = LineIndex::new(text);
    let clean = without_comments(text);
    for (event, range) in Parser::new_ext(&clean.text, options()).into_offset_iter() {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event {
            let offset = clean.original(range.start);
            let (line, column) = lines.position(offset);
            out.push(LinkAt {
                dest: dest_url.to_string(),
                line,
                column,
                offset,
            });
        }
    }
    out
}

/// The file position of a link inside a Markdown text.
pub fn position(md: &Markdown, link: &LinkAt) -> Pos {
    // Text reshaped by YAML: the run the link falls in says where it came from.
    if let Some(run) = md.source_map.iter().rev().find(|r| r.offset <= link.offset) {
        let chars = md
            .text
            .get(run.offset..link.offset)
            .map(|s| s.chars().count())
            .unwrap_or(0) as u64;
        return Pos::new(md.pos.path.clone(), run.line, run.column + chars);
    }
    // Verbatim text: its first line starts at the position, later lines at column 1.
    let column = if link.line == 1 {
        md.pos.column.max(1) + link.column - 1
    } else {
        link.column
    };
    Pos::new(md.pos.path.clone(), md.pos.line + link.line - 1, column)
}

/// Turns byte offsets into line/column, for increasing offsets.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    fn position(&mut self, offset: usize) -> (u64, u64) {
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line as u64, column as u64)
    }
}

/// How a link should be rendered for the current page and audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Leave it as written (external links, in-page anchors).
    Keep,
    /// Point it at this URL (relative to the current page).
    Url(String),
    /// The reader may not see the target: render the link text only.
    TextOnly,
}

/// What the renderer needs from the site to resolve links; implemented by `render`.
pub trait LinkResolver {
    fn resolve(&self, dest: &str) -> Resolved;
    /// The URL of a control page, for bare Annex A ids in prose; `None` if not in the catalog.
    fn control_url(&self, id: ControlId) -> Option<String>;
}

/// A heading for the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
}

/// Loaded once per build: the syntax set and the sanitiser configuration.
pub struct Renderer {
    syntaxes: SyntaxSet,
    sanitizer: ammonia::Builder<'static>,
    allow_raw_html: bool,
}

impl Renderer {
    pub fn new(allow_raw_html: bool) -> Self {
        Renderer {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            sanitizer: sanitizer(),
            allow_raw_html,
        }
    }

    pub fn allows_raw_html(&self) -> bool {
        self.allow_raw_html
    }

    /// Renders `text`; links go through `links`.
    pub fn render(&self, text: &str, links: &dyn LinkResolver) -> Rendered {
        let clean = without_comments(text);
        let events = join_html_blocks(Parser::new_ext(&clean.text, options()));
        let (events, toc) = anchor_headings(events);
        let (events, has_raw_html) = self.transform(events, links);
        let mut html = String::with_capacity(text.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        // pulldown-cmark escapes all text and attribute values, and `transform` drops unsafe
        // link schemes, so only documents with raw HTML need the (costly) sanitiser.
        if has_raw_html && !self.allow_raw_html {
            html = self.sanitizer.clean(&html).to_string();
        }
        Rendered { html, toc }
    }

    /// How a link or image destination renders: as `links` resolves it, except that a kept
    /// destination with an unsafe scheme is withheld like a restricted one.
    fn resolve(&self, dest: &str, links: &dyn LinkResolver) -> Resolved {
        match links.resolve(dest) {
            Resolved::Keep if !self.url_allowed(dest) => Resolved::TextOnly,
            resolved => resolved,
        }
    }

    /// A link destination is kept only if it is relative or uses a harmless scheme.
    fn url_allowed(&self, url: &str) -> bool {
        self.allow_raw_html || is_safe_url(url)
    }

    /// Resolves links, links bare control ids, and highlights code blocks; also says whether
    /// the source held raw HTML.
    fn transform<'a>(
        &self,
        events: Vec<Event<'a>>,
        links: &dyn LinkResolver,
    ) -> (Vec<Event<'a>>, bool) {
        let mut out = Vec::with_capacity(events.len());
        let mut has_raw_html = false;
        let mut dropped: Vec<bool> = Vec::new(); // per open link: was its tag removed?
        let mut images: Vec<bool> = Vec::new(); // per open image: is it kept?
        let mut muted = false; // inside a withheld autolink: its text is not shown
        let mut code: Option<(String, String)> = None; // (language, text) while in a code block
        // Inside a `<style>` element opened by raw HTML and not yet closed: text is CSS there,
        // whose URLs are not resolved, so it is left out.
        let mut in_style = false;
        for event in events {
            if let Some((_, buf)) = &mut code {
                match event {
                    Event::Text(t) => buf.push_str(&t),
                    Event::End(TagEnd::CodeBlock) => {
                        let (lang, buf) = code.take().unwrap_or_default();
                        if !in_style {
                            out.push(Event::Html(self.highlight(&buf, &lang).into()));
                        }
                    }
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => {
                            info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                        }
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((lang, String::new()));
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    match self.resolve(&dest_url, links) {
                        // An autolink's text is its destination, which names the withheld
                        // target: say only that something is withheld.
                        Resolved::TextOnly
                            if matches!(link_type, LinkType::Autolink | LinkType::Email) =>
                        {
                            dropped.push(true);
                            muted = true;
                            out.push(Event::Text("(restricted document)".into()));
                        }
                        Resolved::TextOnly => dropped.push(true),
                        resolved => {
                            dropped.push(false);
                            let dest_url = match resolved {
                                Resolved::Url(u) => CowStr::from(u),
                                _ => dest_url,
                            };
                            out.push(Event::Start(Tag::Link {
                                link_type,
                                dest_url,
                                title,
                                id,
                            }));
                        }
                    }
                }
                Event::End(TagEnd::Link) => {
                    muted = false;
                    if !dropped.pop().unwrap_or(false) {
                        out.push(Event::End(TagEnd::Link));
                    }
                }
                _ if muted => {}
                Event::Text(_) | Event::Code(_) if in_style => {}
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest_url = match self.resolve(&dest_url, links) {
                        Resolved::Url(u) => Some(CowStr::from(u)),
                        Resolved::Keep => Some(dest_url),
                        Resolved::TextOnly => None,
                    };
                    // An image the reader may not see becomes its alt text: no source, and no
                    // title attribute that could carry the target's name.
                    images.push(dest_url.is_some());
                    if let Some(dest_url) = dest_url {
                        out.push(Event::Start(Tag::Image {
                            link_type,
                            dest_url,
                            title,
                            id,
                        }));
                    }
                }
                Event::End(TagEnd::Image) => {
                    if images.pop().unwrap_or(true) {
                        out.push(Event::End(TagEnd::Image));
                    }
                }
                Event::Text(t) if dropped.is_empty() => link_control_ids(t, links, &mut out),
                Event::Html(html) => {
                    has_raw_html = true;
                    out.push(Event::Html(
                        self.raw_html(&html, links, &mut in_style).into(),
                    ));
                }
                Event::InlineHtml(html) => {
                    has_raw_html = true;
                    let html = self.raw_html(&html, links, &mut in_style);
                    out.push(Event::InlineHtml(html.into()));
                }
                e => out.push(e),
            }
        }
        (out, has_raw_html)
    }

    /// Raw HTML as published: its URL attributes resolved like Markdown links (a target the
    /// reader may not see drops the attribute, so neither its name nor its path shows).
    /// `in_style` carries an open `<style>` element from one fragment to the next.
    fn raw_html(&self, html: &str, links: &dyn LinkResolver, in_style: &mut bool) -> String {
        rewrite_fragment(html, &|url| self.resolve(url, links), in_style)
    }

    fn highlight(&self, code: &str, lang: &str) -> String {
        // Some grammars (bash, erlang, matlab…) take time quadratic in a line's length: a
        // block with a line too long to be code a reader scans is shown plain, so that no
        // input costs more than linear time.
        if code
            .split('\n')
            .any(|line| line.len() > MAX_HIGHLIGHTED_LINE)
        {
            return plain_code(code);
        }
        let syntax = (!lang.is_empty())
            .then(|| self.syntaxes.find_syntax_by_token(lang))
            .flatten()
            .unwrap_or_else(|| self.syntaxes.find_syntax_plain_text());
        let mut generator = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            &self.syntaxes,
            ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(code) {
            // A line that fails to highlight is shown plain rather than failing the build.
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                return plain_code(code);
            }
        }
        let lang_class = slugify(lang);
        format!(
            "<pre class=\"code hl-code\" data-lang=\"{lang_class}\"><code>{}</code></pre>\n",
            generator.finalize()
        )
    }
}

/// The longest line of a code block that is highlighted, in bytes (see `highlight`).
const MAX_HIGHLIGHTED_LINE: usize = 1_000;

/// A code block shown as it is, without highlighting.
fn plain_code(code: &str) -> String {
    format!("<pre class=\"code\"><code>{}</code></pre>", escape(code))
}

/// An HTML block arrives a line at a time; joined, a tag or comment spanning lines is whole.
fn join_html_blocks<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out: Vec<Event<'a>> = Vec::new();
    for event in events {
        match (out.last_mut(), event) {
            (Some(Event::Html(prev)), Event::Html(next)) => {
                *prev = format!("{prev}{next}").into();
            }
            (_, event) => out.push(event),
        }
    }
    out
}

/// Markdown text with its HTML comments taken out, and where each remaining byte came from.
struct Uncommented<'a> {
    text: Cow<'a, str>,
    /// (offset in `text`, bytes removed before it), one entry per removed comment, in order.
    shifts: Vec<(usize, usize)>,
}

impl Uncommented<'_> {
    /// The offset in the original text of `offset` in the stripped one.
    fn original(&self, offset: usize) -> usize {
        let i = self.shifts.partition_point(|(at, _)| *at <= offset);
        offset + i.checked_sub(1).map_or(0, |i| self.shifts[i].1)
    }
}

/// How many times comments are looked for again after stripping: removing a comment can end a
/// code span or block that began inside it, so a `<!--` that was literal code may stop being so.
const COMMENT_ROUNDS: usize = 4;

/// `text` without its HTML comments, as a browser reads them: from `<!--` to the first `-->`
/// or `--!>`, or to the end of the text when unclosed. Markdown ends an HTML comment at a blank
/// line (in a paragraph or a quote), which would publish the rest as text; comments are where
/// authors leave notes not meant for readers, so they are taken out before parsing. A `<!--`
/// inside a code span or code block, or escaped as `\<!--`, is text and stays.
fn without_comments(text: &str) -> Uncommented<'_> {
    let mut removed: Vec<std::ops::Range<usize>> = Vec::new(); // in `text`, sorted, disjoint
    let mut current = Uncommented {
        text: Cow::Borrowed(text),
        shifts: Vec::new(),
    };
    for round in 0..=COMMENT_ROUNDS {
        if !current.text.contains("<!--") {
            break;
        }
        // The last round takes every `<!--` out, code or not, so that the loop always ends with
        // no comment left that Markdown could publish.
        let code = if round < COMMENT_ROUNDS {
            code_ranges(&current.text)
        } else {
            Vec::new()
        };
        let found = comment_ranges(&current.text, &code);
        if found.is_empty() {
            break;
        }
        for r in found {
            removed.push(current.original(r.start)..current.original(r.end));
        }
        removed.sort_by_key(|r| r.start);
        removed = merge(removed);
        current = remove_ranges(text, &removed);
    }
    current
}

/// The byte ranges of code spans and code blocks in Markdown `text`, in order.
fn code_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    Parser::new_ext(text, options())
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::Code(_) | Event::Start(Tag::CodeBlock(_))))
        .map(|(_, r)| r)
        .collect()
}

/// The comments in `text` whose `<!--` is neither in `code` (sorted ranges) nor escaped.
fn comment_ranges(text: &str, code: &[std::ops::Range<usize>]) -> Vec<std::ops::Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    let mut next_code = 0; // code ranges do not nest: the first one not yet behind us
    while let Some(off) = text[from..].find("<!--") {
        let start = from + off;
        while code.get(next_code).is_some_and(|r| r.end <= start) {
            next_code += 1;
        }
        let in_code = code.get(next_code).is_some_and(|r| r.contains(&start));
        let backslashes = b[..start].iter().rev().take_while(|c| **c == b'\\').count();
        if in_code || backslashes % 2 == 1 {
            from = start + 4;
            continue;
        }
        let end = comment_end(text, start);
        out.push(start..end);
        from = end;
    }
    out
}

/// Where the comment opened by the `<!--` at `start` ends, as in browsers: `<!-->` and
/// `<!--->` close at once, otherwise the first `-->` or `--!>` does, else the end of `s`.
fn comment_end(s: &str, start: usize) -> usize {
    let body = start + 4;
    let rest = &s[body..];
    if rest.starts_with('>') {
        return body + 1;
    }
    if rest.starts_with("->") {
        return body + 2;
    }
    // One pass to the first closer, so that many comments cost linear time.
    let mut at = body;
    while let Some(i) = s[at..].find("--") {
        let dashes = at + i;
        let after = &s[dashes + 2..];
        if after.starts_with('>') {
            return dashes + 3;
        }
        if after.starts_with("!>") {
            return dashes + 4;
        }
        at = dashes + 1;
    }
    s.len()
}

/// Sorted ranges with overlapping or touching ones joined.
fn merge(ranges: Vec<std::ops::Range<usize>>) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// `text` without the (sorted, disjoint) `ranges`, remembering the shifts.
fn remove_ranges<'a>(text: &'a str, ranges: &[std::ops::Range<usize>]) -> Uncommented<'a> {
    let mut kept = String::with_capacity(text.len());
    let mut shifts = Vec::with_capacity(ranges.len());
    let mut at = 0;
    for r in ranges {
        kept.push_str(&text[at..r.start]);
        shifts.push((kept.len(), r.end - kept.len()));
        at = r.end;
    }
    kept.push_str(&text[at..]);
    Uncommented {
        text: Cow::Owned(kept),
        shifts,
    }
}

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
fn rewrite_fragment(html: &str, resolve: &dyn Fn(&str) -> Resolved, in_style: &mut bool) -> String {
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

/// Relative URLs and http, https, mailto and tel are safe; `javascript:`, `data:` and other
/// schemes are not. Browsers ignore tabs and newlines inside a scheme, so we do too.
pub fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let end = cleaned.find(['/', '?', '#']).unwrap_or(cleaned.len());
    match cleaned[..end].split_once(':') {
        None => true,
        Some((scheme, _)) => matches!(scheme, "http" | "https" | "mailto" | "tel"),
    }
}

/// Splits text so that bare Annex A ids ("see A.8.13") become links to their control page.
fn link_control_ids<'a>(text: CowStr<'a>, links: &dyn LinkResolver, out: &mut Vec<Event<'a>>) {
    let mut rest: &str = &text;
    let mut pieces: Vec<Event<'a>> = Vec::new();
    while let Some((start, end, id)) = find_control_id(rest) {
        let Some(url) = links.control_url(id) else {
            break;
        };
        if start > 0 {
            pieces.push(Event::Text(rest[..start].to_string().into()));
        }
        pieces.push(Event::InlineHtml(
            format!(
                "<a href=\"{}\" class=\"control-ref\">{}</a>",
                escape(&url),
                escape(&rest[start..end])
            )
            .into(),
        ));
        rest = &rest[end..];
    }
    if pieces.is_empty() {
        out.push(Event::Text(text));
        return;
    }
    if !rest.is_empty() {
        pieces.push(Event::Text(rest.to_string().into()));
    }
    out.extend(pieces);
}

/// The first `A.<n>.<n>` in `s` that stands alone as a word: (start, end, id).
pub fn find_control_id(s: &str) -> Option<(usize, usize, ControlId)> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s[from..].find("A.").map(|i| i + from) {
        from = i + 2;
        if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.') {
            continue;
        }
        let digits = |mut j: usize| {
            let st = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            (j > st && j - st <= 2).then_some(j)
        };
        let Some(j) = digits(i + 2) else { continue };
        if bytes.get(j) != Some(&b'.') {
            continue;
        }
        let Some(k) = digits(j + 1) else { continue };
        if bytes.get(k).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        if let Some(id) = ControlId::parse(&s[i..k]) {
            return Some((i, k, id));
        }
    }
    None
}

/// Gives every heading an id (its slug, made unique) and collects the h2/h3 table of contents.
fn anchor_headings(mut events: Vec<Event<'_>>) -> (Vec<Event<'_>>, Vec<TocEntry>) {
    let mut used: HashSet<String> = HashSet::new();
    let mut toc = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i] {
            let (level, given) = (*level, id.as_ref().map(|s| s.to_string()));
            let mut text = String::new();
            let mut j = i + 1;
            // An autolink's text is its destination, which may name an item this audience may
            // not see: it counts for neither the anchor nor the contents (for every audience,
            // so anchors do not change between builds).
            let mut in_autolink = false;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                match &events[j] {
                    Event::Start(Tag::Link {
                        link_type: LinkType::Autolink | LinkType::Email,
                        ..
                    }) => in_autolink = true,
                    Event::End(TagEnd::Link) => in_autolink = false,
                    Event::Text(t) | Event::Code(t) if !in_autolink => text.push_str(t),
                    _ => {}
                }
                j += 1;
            }
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let anchor = unique(given.unwrap_or_else(|| slugify(&text)), &mut used);
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(anchor.clone().into());
            }
            if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                toc.push(TocEntry {
                    level: level as u8,
                    id: anchor,
                    text,
                });
            }
            i = j;
        }
        i += 1;
    }
    (events, toc)
}

/// The ids of every heading in `text`, as `render` assigns them (for anchor checks).
pub fn heading_ids(text: &str) -> Vec<String> {
    let clean = without_comments(text);
    let events: Vec<Event> = Parser::new_ext(&clean.text, options()).collect();
    let (events, _) = anchor_headings(events);
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id, .. }) => id.map(|s| s.to_string()),
            _ => None,
        })
        .collect()
}

fn unique(base: String, used: &mut HashSet<String>) -> String {
    let base = if base.is_empty() {
        "section".to_string()
    } else {
        base
    };
    let mut candidate = base.clone();
    let mut n = 1;
    while !used.insert(candidate.clone()) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// ammonia's defaults, plus what our own renderer emits: heading ids, classes for
/// highlighting and footnotes, task-list checkboxes, and table cell alignment.
fn sanitizer() -> ammonia::Builder<'static> {
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

/// The names of syntect's built-in themes, for validating `highlight_theme`.
pub fn highlight_theme_names() -> Vec<&'static str> {
    vec![
        "InspiredGitHub",
        "Solarized (dark)",
        "Solarized (light)",
        "base16-eighties.dark",
        "base16-mocha.dark",
        "base16-ocean.dark",
        "base16-ocean.light",
    ]
}

/// The highlighting stylesheet: `light` theme, with `dark` for `prefers-color-scheme: dark`.
pub fn highlight_css(light: &str) -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|t| syntect::html::css_for_theme_with_class_style(t, style).ok())
            .unwrap_or_default()
    };
    format!(
        "/* generated from syntect theme {light} */\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        css(light),
        css("base16-ocean.dark")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;
    impl LinkResolver for Fake {
        fn resolve(&self, dest: &str) -> Resolved {
            match dest {
                "policy:secret" => Resolved::TextOnly,
                "policy:open" => Resolved::Url("../open/".into()),
                _ => Resolved::Keep,
            }
        }
        fn control_url(&self, id: ControlId) -> Option<String> {
            (id.theme >= 5 && id.theme <= 8).then(|| format!("../../controls/{}/", id.slug()))
        }
    }

    fn html(md: &str) -> String {
        Renderer::new(false).render(md, &Fake).html
    }

    /// One whole fragment, no `<style>` open before it.
    fn rewrite_urls(html: &str, resolve: &dyn Fn(&str) -> Resolved) -> String {
        rewrite_fragment(html, resolve, &mut false)
    }

    #[test]
    fn resolves_and_hides_links() {
        let out = html("See [open](policy:open) and [the secret one](policy:secret).");
        assert!(out.contains(r#"<a href="../open/""#), "{out}");
        assert!(out.contains("the secret one"), "{out}");
        assert!(!out.contains("policy:secret"), "{out}");
    }

    #[test]
    fn links_bare_control_ids() {
        let out = html("Backups (see A.8.13.) but not XA.8.13 or A.8.133 or A.9.1.");
        assert!(
            out.contains(r#"<a href="../../controls/a-8-13/" class="control-ref">A.8.13</a>."#),
            "{out}"
        );
        assert_eq!(out.matches("control-ref").count(), 1, "{out}");
    }

    #[test]
    fn finds_control_ids() {
        assert_eq!(
            find_control_id("x A.5.1 y").map(|(s, e, _)| (s, e)),
            Some((2, 7))
        );
        assert_eq!(
            find_control_id("A.5.15"),
            Some((
                0,
                6,
                ControlId {
                    theme: 5,
                    number: 15
                }
            ))
        );
        assert_eq!(find_control_id("A.5"), None);
        assert_eq!(find_control_id("BA.5.1"), None);
    }

    #[test]
    fn headings_get_unique_anchors_and_toc() {
        let r =
            Renderer::new(false).render("## Scope\n\ntext\n\n## Scope\n\n### Details `x`\n", &Fake);
        assert!(r.html.contains(r#"<h2 id="scope">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h2 id="scope-1">"#), "{}", r.html);
        let ids: Vec<_> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["scope", "scope-1", "details-x"]);
    }

    #[test]
    fn autolinks_in_headings_name_neither_anchor_nor_contents() {
        let r = Renderer::new(false).render("## Escalation to <policy:secret>\n", &Fake);
        assert!(!r.html.contains("secret"), "{}", r.html);
        assert_eq!(r.toc[0].id, "escalation-to");
        assert_eq!(r.toc[0].text, "Escalation to");
        assert_eq!(
            heading_ids("## Escalation to <policy:secret>\n"),
            ["escalation-to"]
        );
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
    fn unsafe_link_schemes_are_dropped_without_raw_html() {
        let out = html(
            "[a](javascript:alert(1)) [b](JaVa\tScript:x) [c](data:text/html,x) ![i](javascript:y) [ok](https://x.example/a:b) [m](mailto:a@b.example) [r](sub/page.html)",
        );
        assert!(!out.to_lowercase().contains("href=\"java"), "{out}");
        assert!(!out.to_lowercase().contains("src=\"java"), "{out}");
        assert!(!out.contains("data:"), "{out}");
        assert!(out.contains("href=\"https://x.example/a:b\""), "{out}");
        assert!(out.contains("href=\"mailto:a@b.example\""), "{out}");
        assert!(out.contains("href=\"sub/page.html\""), "{out}");
        for case in ["javascript:x", " javascript:x", "vbscript:x", "data:x"] {
            assert!(!is_safe_url(case), "{case}");
        }
        for case in ["#top", "../a/", "https://x", "a/b:c", "?q=a:b"] {
            assert!(is_safe_url(case), "{case}");
        }
    }

    #[test]
    fn withheld_autolinks_do_not_show_their_destination() {
        let out = html("Read <policy:secret> or <javascript:alert(1)> or <policy:open>.");
        assert!(!out.contains("policy:secret"), "{out}");
        assert!(!out.contains("javascript"), "{out}");
        assert_eq!(out.matches("(restricted document)").count(), 2, "{out}");
        assert!(
            out.contains(r#"<a href="../open/">policy:open</a>"#),
            "{out}"
        );
    }

    #[test]
    fn hidden_images_become_their_alt_text() {
        let out = html("![a diagram](policy:secret \"secret title\") and ![ok](policy:open)");
        assert!(out.contains("a diagram"), "{out}");
        assert!(!out.contains("secret title"), "{out}");
        assert_eq!(out.matches("<img").count(), 1, "{out}");
        assert!(out.contains(r#"<img src="../open/" alt="ok""#), "{out}");
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

    #[test]
    fn highlights_code_with_classes() {
        let out = html("```yaml\nkey: value\n```\n");
        assert!(out.contains("hl-code"), "{out}");
        assert!(out.contains("class=\"hl-"), "{out}");
    }

    /// Every form of comment a browser hides: none of it is published, the text around it is.
    #[test]
    fn comments_are_never_published() {
        for md in [
            "Before <!-- spans a blank line\n\ncanaryint-a -->\nafter\n",
            "> Before <!-- crosses a quote's blank line\n>\n> canaryint-a -->\n> after\n",
            "Before <!-- closed the old way canaryint-a --!> after\n",
            "<!-- a block closed the old way canaryint-a --!>\n\nBefore after\n",
            "- Before <!-- in a list\n\n  canaryint-a -->\n  after\n",
            "Before <!-- one --> after <!-- never closed\n\ncanaryint-a\n\n## canaryint-a\n",
            "Before\n<!--\n\n[canaryint-a](policy:secret)\n\n-->\nafter\n",
            // A code span that opens inside a comment does not protect what follows it.
            "Before <!-- a\n\n` --> <!-- canaryint-a\n\n--> `\n",
        ] {
            for allow in [false, true] {
                let out = Renderer::new(allow).render(md, &Fake).html;
                assert!(!out.contains("canaryint"), "{md:?} gave {out}");
                assert!(!out.contains("--&gt;"), "{md:?} gave {out}");
                assert!(out.contains("Before"), "{md:?} gave {out}");
            }
            assert!(links(md).is_empty(), "{md:?}");
            assert!(
                heading_ids(md).iter().all(|id| !id.contains("canaryint")),
                "{md:?}"
            );
        }
        let out = html("Before <!-- canaryint-a --> after, <!-- one\n\ntwo --> still.\n");
        assert!(out.contains("Before  after,  still."), "{out}");
        // `<!-->` and `<!--->` are whole (empty) comments, as in browsers.
        let out = html("Before <!-->after<!--->again\n");
        assert!(out.contains("Before afteragain"), "{out}");
    }

    #[test]
    fn comments_in_code_are_text() {
        let out = html(
            "`<!-- span -->` and \\<!-- escaped -->\n\n```\n<!-- fenced\n```\n\n    <!-- indented\n\nend\n",
        );
        for shown in [
            "&lt;!-- span --&gt;",
            "&lt;!-- escaped --&gt;",
            "&lt;!-- fenced",
            "&lt;!-- indented",
            "end",
        ] {
            assert!(out.contains(shown), "{shown} in {out}");
        }
    }

    #[test]
    fn link_positions_after_comments_are_unchanged() {
        let md = "a <!-- one\n\ntwo é -->\n\nsee [x](policy:a) <!-- é --> [y](b)\n";
        let l = links(md);
        let at: Vec<_> = l.iter().map(|l| (l.line, l.column, l.offset)).collect();
        assert_eq!(at, [(5, 5, 28), (5, 30, 54)], "{l:?}");
        assert_eq!(&md[28..29], "[");
        assert_eq!(&md[54..55], "[");
    }

    #[test]
    fn overlong_code_lines_are_not_highlighted() {
        let r = Renderer::new(false);
        let html = |md: &str| r.render(md, &Fake).html;
        let word = "a".repeat(200_000);
        for lang in ["bash", "sh", "zsh", "erlang", "matlab", ""] {
            let out = html(&format!("```{lang}\necho {word}\n```\n"));
            assert!(
                out.starts_with(&format!(
                    "<pre class=\"code\"><code>echo {word}\n</code></pre>"
                )),
                "{lang}"
            );
            assert!(!out.contains("hl-"), "{lang}");
            let out = html(&format!("```{lang}\necho a word\n```\n"));
            assert!(out.contains("hl-code"), "{lang}: {out}");
        }
        let longest = "a".repeat(MAX_HIGHLIGHTED_LINE);
        let out = html(&format!("```\nx\n{longest}\n```\n"));
        assert!(out.contains("hl-code"), "{out}");
        let out = html(&format!("```bash\necho <{word}\n```\n"));
        assert!(out.contains("echo &lt;aaa"), "escaped");
    }

    #[test]
    fn link_positions() {
        let l = links("line one\n\nsee [x](policy:a) and\n[y](../b.md)\n");
        assert_eq!(
            l,
            vec![
                LinkAt {
                    dest: "policy:a".into(),
                    line: 3,
                    column: 5,
                    offset: 14,
                },
                LinkAt {
                    dest: "../b.md".into(),
                    line: 4,
                    column: 1,
                    offset: 32,
                },
            ]
        );
    }
}

//! Markdown → HTML: pulldown-cmark, cross-link resolution, heading anchors, syntax
//! highlighting (syntect, CSS classes) and sanitising (ammonia). One file per concern:
//! `links` (link destinations, their positions and resolution), `anchors` (heading ids and the
//! table of contents), `highlight` (code blocks) and `line_cache` (line parses kept for reuse), `html` (raw HTML and the sanitiser) and
//! `comments` (HTML comments, taken out before parsing), `callouts` (GFM alerts and MkDocs
//! admonitions); the event transform is here.

mod anchors;
mod callouts;
mod comments;
mod highlight;
mod html;
mod line_cache;
mod links;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

use crate::model::ControlId;

pub use anchors::{TocEntry, heading_ids};
pub use comments::unclosed_comment;
pub use highlight::{highlight_css, highlight_theme_names};
pub use links::{LinkAt, LinkResolver, Resolved, is_safe_url, links, position};

use anchors::anchor_headings;
use callouts::{Callout, Rewritten, render_callouts};
use comments::{Uncommented, without_comments};
use html::{rewrite_fragment, sanitizer};

/// Rendered Markdown: its HTML and its table of contents (h2 and h3 headings, after a text
/// that uses `#` for its sections is shifted one level down).
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
}

/// How code blocks are rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Code {
    Highlighted,
    Plain,
}

/// Loaded once per build: the syntax set and the sanitiser configuration.
pub struct Renderer {
    highlighter: highlight::Highlighter,
    sanitizer: ammonia::Builder<'static>,
    allow_raw_html: bool,
}

impl Renderer {
    pub fn new(allow_raw_html: bool) -> Self {
        Renderer {
            highlighter: highlight::Highlighter::new(),
            sanitizer: sanitizer(),
            allow_raw_html,
        }
    }

    pub fn allows_raw_html(&self) -> bool {
        self.allow_raw_html
    }

    /// Renders `text`; links go through `links`.
    pub fn render(&self, text: &str, links: &dyn LinkResolver) -> Rendered {
        self.render_with(text, links, Code::Highlighted)
    }

    /// Renders `text` as `render` does, but with code blocks left plain: for text that is
    /// read rather than shown (the search index), where highlighting would be the most costly
    /// part and changes no word. Comments, links and the sanitiser are exactly as in `render`.
    pub fn render_unhighlighted(&self, text: &str, links: &dyn LinkResolver) -> Rendered {
        self.render_with(text, links, Code::Plain)
    }

    fn render_with(&self, text: &str, links: &dyn LinkResolver, code: Code) -> Rendered {
        let rewritten = callouts::rewrite(text);
        let clean = without_comments(&rewritten.text);
        let (events, callouts) = parse(&clean, &rewritten);
        let (events, toc) = anchor_headings(events);
        let (events, has_raw_html) = self.transform(events, links, code);
        let events = render_callouts(events, &callouts);
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
        style: Code,
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
                            let html = match diagram_language(&lang) {
                                Some(name) => diagram_source(name, &buf),
                                None if style == Code::Plain => highlight::plain_code(&buf),
                                None => self.highlighter.html(&buf, &lang),
                            };
                            out.push(Event::Html(html.into()));
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
                // A task-list box as a symbol, not a disabled form field without a label
                // (which assistive technology announces as an unlabelled checkbox).
                Event::TaskListMarker(done) => out.push(Event::InlineHtml(
                    if done {
                        "<span class=\"task task-done\">☑</span> "
                    } else {
                        "<span class=\"task\">☐</span> "
                    }
                    .into(),
                )),
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

/// Escapes text for HTML element content and attribute values: `&`, `<`, `>`, `"` and `'`
/// (as `&#39;`), like pulldown-cmark's own output.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Writing to a `String` cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

/// The events of Markdown as it is published — MkDocs admonitions rewritten as quotes
/// (`rewritten`), then comments taken out (`clean`), HTML blocks joined, headings shifted by
/// `shift_headings` — and the callout, if any, that each quote is, in order.
fn parse<'a>(
    clean: &'a Uncommented<'_>,
    rewritten: &Rewritten<'_>,
) -> (Vec<Event<'a>>, Vec<Option<Callout>>) {
    let mut callouts = Vec::new();
    let events = Parser::new_ext(&clean.text, options())
        .into_offset_iter()
        .map(|(event, range)| {
            if let Event::Start(Tag::BlockQuote(kind)) = &event {
                callouts.push(match kind {
                    Some(kind) => Some(Callout::alert(*kind)),
                    None => rewritten
                        .admonition_at(clean.original(range.start))
                        .cloned(),
                });
            }
            event
        });
    let mut events = join_html_blocks(events);
    shift_headings(&mut events);
    (events, callouts)
}

/// Headings as authors write them: a text that uses `#` (h1) for its sections has every
/// heading moved one level down (h6 stays h6), so that the page title is the only h1 and the
/// sections are in the table of contents. A text without h1 is left as it is.
fn shift_headings(events: &mut [Event<'_>]) {
    let has_h1 = events.iter().any(|e| {
        matches!(
            e,
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            })
        )
    });
    if !has_h1 {
        return;
    }
    let down = |level: HeadingLevel| match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    };
    for event in events {
        match event {
            Event::Start(Tag::Heading { level, .. }) | Event::End(TagEnd::Heading(level)) => {
                *level = down(*level);
            }
            _ => {}
        }
    }
}

/// The diagram languages shown as their source, by the name their fenced blocks use.
fn diagram_language(lang: &str) -> Option<&'static str> {
    lang.eq_ignore_ascii_case("mermaid").then_some("Mermaid")
}

/// A diagram's source as a labelled block: the site loads no script that could draw it.
fn diagram_source(name: &str, code: &str) -> String {
    format!(
        "<figure class=\"diagram\">\n<figcaption class=\"diagram-title\">Diagram ({name} source)</figcaption>\n<pre class=\"code\" tabindex=\"0\"><code>{}</code></pre>\n<p class=\"diagram-note\">Diagrams are shown as their source text.</p>\n</figure>\n",
        escape(code)
    )
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

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A resolver for tests: `policy:secret` is withheld, `policy:open` is `../open/`, and
    /// controls of themes 5 to 8 exist.
    pub struct Fake;
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

    pub fn html(md: &str) -> String {
        Renderer::new(false).render(md, &Fake).html
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::testing::{Fake, html};

    #[test]
    fn escapes_text_and_attribute_values() {
        assert_eq!(
            escape("a&b<c>d\"e'f é &amp;"),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f é &amp;amp;"
        );
        assert_eq!(escape("plain"), "plain");
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
    fn mermaid_blocks_are_labelled_diagram_source() {
        for allow in [false, true] {
            let md = "<b>raw</b>\n\n```mermaid\ngraph TD\n  A[\"<script>x</script>\"] --> B\n```\n\n```Mermaid {init}\nsequenceDiagram\n```\n";
            let out = Renderer::new(allow).render(md, &Fake).html;
            assert_eq!(
                out.matches("<figure class=\"diagram\">").count(),
                2,
                "{out}"
            );
            assert!(
                out.contains("<figcaption class=\"diagram-title\">Diagram (Mermaid source)</figcaption>\n<pre class=\"code\" tabindex=\"0\"><code>graph TD\n  A["),
                "{out}"
            );
            assert!(out.contains("&lt;script&gt;x&lt;/script&gt;"), "{out}");
            assert!(
                out.contains("Diagrams are shown as their source text."),
                "{out}"
            );
            assert!(!out.contains("<script"), "{out}");
            assert!(!out.contains("hl-code"), "{out}");
        }
    }
}

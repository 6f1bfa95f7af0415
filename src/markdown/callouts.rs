//! Callouts: GFM alerts (`> [!NOTE]`, which pulldown-cmark reads as a quote with a kind) and
//! MkDocs admonitions (`!!! note "Title"` over a 4-space-indented block, `???`/`???+` for a
//! collapsible one), both shown as `<div class="callout callout-KIND">` (a `<details>` when
//! collapsible) with a title line.
//!
//! Admonitions are not Markdown: without help, their indented body is a code block. Before
//! parsing, `rewrite` turns each one into a quote of the same text — the marker line becomes
//! `>`, each indentation level of its body `  > ` — and remembers where each such quote starts,
//! so that rendering knows which quotes are admonitions and what they are called. Byte offsets
//! in the rewritten text map back to the original, so diagnostics keep their lines.

use std::borrow::Cow;

use pulldown_cmark::{BlockQuoteKind, Event, TagEnd};

use super::escape;

/// How a callout is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Callout {
    pub kind: Kind,
    /// The title line; `None` for an admonition written with an empty title (`!!! note ""`).
    pub title: Option<String>,
    pub fold: Fold,
}

/// The five styles, as GFM names them; MkDocs' other types map onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

/// Whether a callout is a `<details>` (MkDocs `???`, and `???+` open at first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fold {
    No,
    Closed,
    Open,
}

impl Kind {
    fn class(self) -> &'static str {
        match self {
            Kind::Note => "note",
            Kind::Tip => "tip",
            Kind::Important => "important",
            Kind::Warning => "warning",
            Kind::Caution => "caution",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Note => "Note",
            Kind::Tip => "Tip",
            Kind::Important => "Important",
            Kind::Warning => "Warning",
            Kind::Caution => "Caution",
        }
    }

    /// The style of an MkDocs admonition type (Material for MkDocs' list and its aliases);
    /// an unknown type is a note.
    fn of_admonition(ty: &str) -> Kind {
        match ty.to_ascii_lowercase().as_str() {
            "tip" | "hint" | "success" | "check" | "done" => Kind::Tip,
            "important" => Kind::Important,
            "warning" | "caution" | "attention" => Kind::Warning,
            "failure" | "fail" | "missing" | "danger" | "error" | "bug" => Kind::Caution,
            _ => Kind::Note,
        }
    }
}

impl Callout {
    /// A GFM alert: its kind's name is its title.
    pub fn alert(kind: BlockQuoteKind) -> Callout {
        let kind = match kind {
            BlockQuoteKind::Note => Kind::Note,
            BlockQuoteKind::Tip => Kind::Tip,
            BlockQuoteKind::Important => Kind::Important,
            BlockQuoteKind::Warning => Kind::Warning,
            BlockQuoteKind::Caution => Kind::Caution,
        };
        Callout {
            kind,
            title: Some(kind.title().to_string()),
            fold: Fold::No,
        }
    }

    fn open_html(&self) -> String {
        let class = self.kind.class();
        let title = self.title.as_deref().map(escape);
        match (self.fold, title) {
            (Fold::No, Some(t)) => format!(
                "<div class=\"callout callout-{class}\">\n<p class=\"callout-title\">{t}</p>\n"
            ),
            (Fold::No, None) => format!("<div class=\"callout callout-{class}\">\n"),
            (fold, title) => format!(
                "<details class=\"callout callout-{class}\"{}>\n<summary class=\"callout-title\">{}</summary>\n",
                if fold == Fold::Open { " open" } else { "" },
                title.unwrap_or_else(|| self.kind.title().to_string())
            ),
        }
    }

    fn close_html(&self) -> &'static str {
        match self.fold {
            Fold::No => "</div>\n",
            Fold::Closed | Fold::Open => "</details>\n",
        }
    }
}

/// Replaces the quotes that are callouts (`callouts[i]` for the i-th quote, in order) by
/// their HTML. Runs on the events as published: the HTML it adds is the renderer's own.
pub(super) fn render_callouts<'a>(
    events: Vec<Event<'a>>,
    callouts: &[Option<Callout>],
) -> Vec<Event<'a>> {
    let mut next = callouts.iter();
    let mut open: Vec<Option<&Callout>> = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        match event {
            Event::Start(pulldown_cmark::Tag::BlockQuote(kind)) => {
                let callout = next.next().and_then(Option::as_ref);
                open.push(callout);
                match callout {
                    Some(c) => out.push(Event::Html(c.open_html().into())),
                    None => out.push(Event::Start(pulldown_cmark::Tag::BlockQuote(kind))),
                }
            }
            Event::End(TagEnd::BlockQuote(kind)) => match open.pop().flatten() {
                Some(c) => out.push(Event::Html(c.close_html().into())),
                None => out.push(Event::End(TagEnd::BlockQuote(kind))),
            },
            e => out.push(e),
        }
    }
    out
}

/// Markdown with its MkDocs admonitions rewritten as quotes (see the module comment).
pub(super) struct Rewritten<'a> {
    pub text: Cow<'a, str>,
    /// In order: (offset in `text`, offset in the original, length there, length here) of
    /// each replaced run.
    edits: Vec<Edit>,
    /// Each admonition, in order, with the offset in `text` of the `>` that opens its quote.
    admonitions: Vec<(usize, Callout)>,
}

#[derive(Debug, Clone, Copy)]
struct Edit {
    at: usize,
    original: usize,
    removed: usize,
    added: usize,
}

impl Rewritten<'_> {
    /// The offset in the original text of `offset` in the rewritten one.
    pub fn original(&self, offset: usize) -> usize {
        let i = self.edits.partition_point(|e| e.at <= offset);
        let Some(e) = i.checked_sub(1).map(|i| self.edits[i]) else {
            return offset;
        };
        if offset < e.at + e.added {
            e.original + (offset - e.at).min(e.removed.saturating_sub(1))
        } else {
            e.original + e.removed + (offset - e.at - e.added)
        }
    }

    /// The admonition whose quote starts at `offset` in `text` (its marker is on that line).
    pub fn admonition_at(&self, offset: usize) -> Option<&Callout> {
        let i = self.admonitions.partition_point(|(at, _)| *at < offset);
        let (at, callout) = self.admonitions.get(i)?;
        let line = self.text.get(offset..*at)?;
        (!line.contains('\n')).then_some(callout)
    }
}

/// `text` with its MkDocs admonitions rewritten as quotes. A marker is a line that starts
/// (at the indentation of the block it is in) with `!!!`, `???` or `???+`, a type and an
/// optional `"title"`; its body is the following lines indented by four spaces (or a tab)
/// more, blank lines included. Markers inside fenced code are text.
pub(super) fn rewrite(text: &str) -> Rewritten<'_> {
    let unchanged = || Rewritten {
        text: Cow::Borrowed(text),
        edits: Vec::new(),
        admonitions: Vec::new(),
    };
    let has_marker = |m: &str| text.starts_with(m) || text.contains(&format!("\n{m}"));
    // A nested marker is inside one that starts a line.
    if !(has_marker("!!!") || has_marker("???")) {
        return unchanged();
    }
    let mut w = Writer {
        src: text,
        out: String::with_capacity(text.len() + 64),
        at: 0,
        edits: Vec::new(),
    };
    let mut admonitions = Vec::new();
    let mut depth = 0; // admonitions open around the current line
    let mut fence: Option<Fence> = None; // an open fenced code block, at its depth
    let mut blanks: Vec<(usize, usize)> = Vec::new(); // blank lines inside, not yet written
    let mut start = 0;
    while start < text.len() {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        let next = (end + 1).min(text.len());
        if depth > 0 && line.trim().is_empty() {
            blanks.push((start, end));
            start = next;
            continue;
        }
        let (units, content) = indentation(line, depth);
        let closed = units < depth;
        if closed {
            depth = units;
            if fence.is_some_and(|f| f.depth > depth) {
                fence = None;
            }
        }
        let separated = !blanks.is_empty();
        for (s, e) in blanks.drain(..) {
            if depth > 0 {
                w.replace(s, e, &prefix(depth));
            }
        }
        // What follows a closed admonition is not a lazy continuation of its last line.
        if closed && !separated {
            w.replace(start, start, &format!("{}\n", prefix(depth)));
        }
        let mut at = start;
        // Each level of indentation the line is inside becomes a quote marker.
        let mut rest = line;
        for _ in 0..units {
            let n = if rest.starts_with('\t') { 1 } else { 4 };
            w.replace(at, at + n, "  > ");
            at += n;
            rest = &rest[n..];
        }
        match fence {
            Some(f) => {
                if f.closed_by(content) {
                    fence = None;
                }
            }
            None => {
                if let Some(f) = Fence::opened_by(content, depth) {
                    fence = Some(f);
                } else if let Some(callout) = marker(content) {
                    w.replace(at, end, ">");
                    admonitions.push((w.out.len() - 1, callout));
                    depth += 1;
                }
            }
        }
        start = next;
    }
    w.finish();
    Rewritten {
        text: Cow::Owned(w.out),
        edits: w.edits,
        admonitions,
    }
}

/// The quote markers of `depth` levels of admonition.
fn prefix(depth: usize) -> String {
    "  > ".repeat(depth)
}

/// How many of `depth` levels of indentation (four spaces or a tab each) `line` has, and the
/// rest of it.
fn indentation(line: &str, depth: usize) -> (usize, &str) {
    let mut rest = line;
    let mut units = 0;
    while units < depth {
        if let Some(r) = rest
            .strip_prefix("    ")
            .or_else(|| rest.strip_prefix('\t'))
        {
            rest = r;
            units += 1;
        } else {
            break;
        }
    }
    (units, rest)
}

/// The admonition a marker line (at its block's indentation) opens. A line with a comment
/// in it is none: the rewritten line would lose the comment's start, and so publish what the
/// comment hides.
fn marker(line: &str) -> Option<Callout> {
    if line.contains("<!--") {
        return None;
    }
    let (fold, rest) = if let Some(r) = line.strip_prefix("???+") {
        (Fold::Open, r)
    } else if let Some(r) = line.strip_prefix("???") {
        (Fold::Closed, r)
    } else {
        (Fold::No, line.strip_prefix("!!!")?)
    };
    let rest = rest.trim();
    let word_end = |s: &str| {
        s.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(s.len())
    };
    // The type, then optional further class names, then an optional quoted title.
    let n = word_end(rest);
    let ty = &rest[..n];
    let mut rest = rest[n..].trim_start();
    if ty.is_empty() && !(fold != Fold::No && rest.starts_with('"')) {
        return None;
    }
    while !rest.is_empty() && !rest.starts_with('"') {
        let n = word_end(rest);
        if n == 0 {
            return None;
        }
        rest = rest[n..].trim_start();
    }
    let title = match rest {
        "" => Some(capitalized(if ty.is_empty() { "note" } else { ty })),
        r if r.len() >= 2 && r.ends_with('"') => Some(r[1..r.len() - 1].to_string()),
        _ => return None,
    };
    Some(Callout {
        kind: Kind::of_admonition(ty),
        title: title.filter(|t| !t.is_empty()),
        fold,
    })
}

/// `ty` with its first letter in upper case, as MkDocs titles an admonition without a title.
fn capitalized(ty: &str) -> String {
    let mut chars = ty.chars();
    chars
        .next()
        .map(|c| {
            c.to_uppercase()
                .chain(chars.flat_map(char::to_lowercase))
                .collect()
        })
        .unwrap_or_default()
}

/// An open fenced code block: its fence character and length, and its admonition depth.
#[derive(Debug, Clone, Copy)]
struct Fence {
    ch: u8,
    len: usize,
    depth: usize,
}

impl Fence {
    fn opened_by(line: &str, depth: usize) -> Option<Fence> {
        let (ch, len, rest) = fence_run(line)?;
        (ch == b'~' || !rest.contains('`')).then_some(Fence { ch, len, depth })
    }

    fn closed_by(&self, line: &str) -> bool {
        fence_run(line).is_some_and(|(ch, len, rest)| {
            ch == self.ch && len >= self.len && rest.trim().is_empty()
        })
    }
}

/// A run of three or more backticks or tildes after at most three spaces: (character, length,
/// the rest of the line).
fn fence_run(line: &str) -> Option<(u8, usize, &str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let ch = *trimmed.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = trimmed.bytes().take_while(|b| *b == ch).count();
    (len >= 3).then(|| (ch, len, &trimmed[len..]))
}

/// Copies a text with some runs replaced, remembering where.
struct Writer<'a> {
    src: &'a str,
    out: String,
    at: usize, // `src[..at]` is written
    edits: Vec<Edit>,
}

impl Writer<'_> {
    /// Writes `src[at..start]` as it is, then `with` in place of `src[start..end]`.
    fn replace(&mut self, start: usize, end: usize, with: &str) {
        self.out.push_str(&self.src[self.at..start]);
        self.edits.push(Edit {
            at: self.out.len(),
            original: start,
            removed: end - start,
            added: with.len(),
        });
        self.out.push_str(with);
        self.at = end;
    }

    fn finish(&mut self) {
        self.out.push_str(&self.src[self.at..]);
        self.at = self.src.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::testing::{Fake, html};
    use crate::markdown::{Renderer, links, unclosed_comment};

    #[test]
    fn gfm_alerts_are_callouts_with_a_title() {
        for (marker, class, title) in [
            ("NOTE", "note", "Note"),
            ("TIP", "tip", "Tip"),
            ("IMPORTANT", "important", "Important"),
            ("WARNING", "warning", "Warning"),
            ("CAUTION", "caution", "Caution"),
        ] {
            let out = html(&format!("> [!{marker}]\n> Rotate keys **yearly**.\n"));
            assert!(
                out.starts_with(&format!(
                    "<div class=\"callout callout-{class}\">\n<p class=\"callout-title\">{title}</p>\n<p>Rotate keys <strong>yearly</strong>.</p>\n</div>"
                )),
                "{out}"
            );
            assert!(!out.contains("blockquote"), "{out}");
            assert!(!out.contains("[!"), "{out}");
        }
        // A plain quote stays a quote, also next to and inside a callout.
        let out = html("> plain\n\n> [!TIP]\n> tip\n> > inner\n");
        assert!(
            out.starts_with("<blockquote>\n<p>plain</p>\n</blockquote>"),
            "{out}"
        );
        assert!(
            out.contains("<blockquote>\n<p>inner</p>\n</blockquote>\n</div>"),
            "{out}"
        );
    }

    #[test]
    fn admonition_markers() {
        let c = |kind, title: Option<&str>, fold| {
            Some(Callout {
                kind,
                title: title.map(str::to_string),
                fold,
            })
        };
        for (line, expected) in [
            ("!!! note", c(Kind::Note, Some("Note"), Fold::No)),
            (
                "!!! warning \"Mind the gap\"",
                c(Kind::Warning, Some("Mind the gap"), Fold::No),
            ),
            ("!!!danger", c(Kind::Caution, Some("Danger"), Fold::No)),
            (
                "!!! tip inline end \"T\"  ",
                c(Kind::Tip, Some("T"), Fold::No),
            ),
            ("!!! note \"\"", c(Kind::Note, None, Fold::No)),
            ("!!! custom", c(Kind::Note, Some("Custom"), Fold::No)),
            (
                "??? question \"Why?\"",
                c(Kind::Note, Some("Why?"), Fold::Closed),
            ),
            (
                "???+ important",
                c(Kind::Important, Some("Important"), Fold::Open),
            ),
            (
                "??? \"Only a title\"",
                c(Kind::Note, Some("Only a title"), Fold::Closed),
            ),
            ("!!!", None),
            ("!!!!", None),
            ("!!! \"no type\"", None),
            ("!!! note \"unclosed", None),
            ("!!! note: text", None),
            ("Wow!!! note", None),
            ("!!! note \"a <!-- b\"", None),
        ] {
            assert_eq!(marker(line), expected, "{line}");
        }
    }

    #[test]
    fn admonitions_are_callouts() {
        let out = html(
            "Intro.\n\n!!! warning \"Keys <b>\"\n    Rotate **yearly**.\n\n        code in it\n\n    - one\n    - two\n\nAfter.\n",
        );
        assert!(
            out.contains(
                "<div class=\"callout callout-warning\">\n<p class=\"callout-title\">Keys &lt;b&gt;</p>\n<p>Rotate <strong>yearly</strong>.</p>"
            ),
            "{out}"
        );
        assert!(out.contains("<li>two</li>"), "{out}");
        assert!(out.contains("<pre class=\"code hl-code\""), "{out}");
        assert!(out.contains("code in it\n</span></code></pre>"), "{out}");
        assert!(out.contains("</div>\n<p>After.</p>"), "{out}");
        assert!(!out.contains("!!!"), "{out}");
        assert!(!out.contains("blockquote"), "{out}");
    }

    #[test]
    fn collapsible_admonitions_are_details() {
        let out = html("??? note \"More\"\n    Hidden at first.\n\n???+ tip\n    Open.\n");
        assert!(
            out.contains("<details class=\"callout callout-note\">\n<summary class=\"callout-title\">More</summary>\n<p>Hidden at first.</p>\n</details>"),
            "{out}"
        );
        assert!(
            out.contains("<details class=\"callout callout-tip\" open>\n<summary class=\"callout-title\">Tip</summary>\n<p>Open.</p>\n</details>"),
            "{out}"
        );
        // The sanitiser (run when the text holds raw HTML) keeps them.
        let out = html("<span>x</span>\n\n???+ tip\n    Open.\n\n!!! note\n    n\n");
        assert!(
            out.contains("<details class=\"callout callout-tip\" open"),
            "{out}"
        );
        assert!(
            out.contains("<div class=\"callout callout-note\">"),
            "{out}"
        );
        assert!(out.contains("<p class=\"callout-title\">Note</p>"), "{out}");
    }

    #[test]
    fn nested_admonitions_and_their_ends() {
        let out = html(
            "!!! note\n    Outer.\n\n    !!! tip \"Inner\"\n        Inner text.\n    Outer again.\nNot in it.\n",
        );
        assert!(out.contains("<p class=\"callout-title\">Inner</p>\n<p>Inner text.</p>\n</div>\n<p>Outer again.</p>\n</div>\n<p>Not in it.</p>"), "{out}");
        // Without a body, with blank lines before the body, and at the very end.
        let out = html("!!! note \"Empty\"\nText.\n\n!!! tip\n\n\n    Late body.\n\n\n!!! caution");
        assert!(
            out.contains("<p class=\"callout-title\">Empty</p>\n</div>\n<p>Text.</p>"),
            "{out}"
        );
        assert!(
            out.contains("<p class=\"callout-title\">Tip</p>\n<p>Late body.</p>\n</div>"),
            "{out}"
        );
        assert!(
            out.ends_with("<p class=\"callout-title\">Caution</p>\n</div>\n"),
            "{out}"
        );
    }

    /// Admonitions never publish what a comment hides: one that starts on a marker line, one
    /// that holds a marker, one inside an admonition.
    #[test]
    fn comments_around_markers_are_never_published() {
        for md in [
            "!!! note \"t <!-- canaryint-a\"\n    canaryint-b -->\n\nBefore\n",
            "!!! note \"t\" <!-- canaryint-a\n    canaryint-b -->\nBefore\n",
            "Before\n<!--\n!!! note \"canaryint-a\"\n    canaryint-b\n-->\n",
            "Before\n<!--\n!!! note \"canaryint-a -->\"\n    canaryint-b\n",
            "Before\n\n!!! note\n    x <!-- canaryint-a\n\n    canaryint-b -->\n",
        ] {
            for allow in [false, true] {
                let out = Renderer::new(allow).render(md, &Fake).html;
                assert!(!out.contains("canaryint"), "{md:?} gave {out}");
                assert!(out.contains("Before"), "{md:?} gave {out}");
            }
        }
    }

    #[test]
    fn markers_in_code_are_text() {
        let out = html(
            "```\n!!! note\n    not a callout\n```\n\n    !!! note indented code\n\n!!! note\n    ~~~\n    !!! tip\n        code\n    ~~~\n",
        );
        assert!(out.contains("!!! note\n    not a callout"), "{out}");
        assert!(out.contains("!!! note indented code"), "{out}");
        assert!(out.contains("!!! tip\n    code"), "{out}");
        assert_eq!(out.matches("class=\"callout ").count(), 1, "{out}");
    }

    /// Links, comments and headings are where they were written, whatever the rewriting did.
    #[test]
    fn positions_are_those_of_the_original() {
        let md = "# T\n\n!!! note \"é\"\n    See [a](policy:a).\n\n\tand\t[b](policy:b)\n\n    !!! tip\n\n        [c](policy:c)\nafter [d](policy:d)\n";
        let found: Vec<_> = links(md)
            .iter()
            .map(|l| (l.dest.clone(), l.line, l.column, l.offset))
            .collect();
        for (dest, line, column, offset) in &found {
            assert_eq!(md[*offset..].chars().next(), Some('['), "{dest}");
            let text_line = md.lines().nth(*line as usize - 1).unwrap_or_default();
            assert_eq!(
                text_line.chars().nth(*column as usize - 1),
                Some('['),
                "{dest}"
            );
        }
        assert_eq!(found.len(), 4, "{found:?}");
        let out = html(md);
        assert_eq!(out.matches("class=\"callout ").count(), 2, "{out}");
        assert!(out.contains("</div>\n</div>\n<p>after d</p>"), "{out}");
        let md = "!!! note\n    text\n\n    <!-- open\n";
        assert_eq!(unclosed_comment(md), Some(md.find("<!--").unwrap_or(0)));
        let out = Renderer::new(true).render(md, &Fake).html;
        assert!(!out.contains("open"), "{out}");
    }

    #[test]
    fn text_without_markers_is_not_copied() {
        assert!(matches!(
            rewrite("# a\n\nno markers!!!\n").text,
            Cow::Borrowed(_)
        ));
        let r = rewrite("x\n!!! note\n\tb\n");
        assert_eq!(r.text, "x\n>\n  > b\n");
        for (new, old) in [(0, 0), (2, 2), (3, 10), (4, 11), (5, 11), (8, 12)] {
            assert_eq!(r.original(new), old, "{new}");
        }
    }
}

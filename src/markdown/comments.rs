//! HTML comments in Markdown: taken out before parsing, as a browser would hide them.

use std::borrow::Cow;

use pulldown_cmark::{Event, Parser, Tag};

use super::options;

/// Markdown text with its HTML comments taken out, and where each remaining byte came from.
pub(super) struct Uncommented<'a> {
    pub text: Cow<'a, str>,
    /// (offset in `text`, bytes removed before it), one entry per removed comment, in order.
    shifts: Vec<(usize, usize)>,
}

impl Uncommented<'_> {
    /// The offset in the original text of `offset` in the stripped one.
    pub fn original(&self, offset: usize) -> usize {
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
pub(super) fn without_comments(text: &str) -> Uncommented<'_> {
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

/// The offset of a `<!--` that is never closed, if any: it hides everything after it, which
/// is rarely what its author meant (`check` warns).
pub fn unclosed_comment(text: &str) -> Option<usize> {
    // Read as it is rendered: an admonition's body is text, not an indented code block.
    let rewritten = super::callouts::rewrite(text);
    let text = &*rewritten.text;
    let code = code_ranges(text);
    let last = comment_ranges(text, &code).pop()?;
    let comment = &text[last.clone()];
    let closed = comment.len() >= 5 && (comment.ends_with("-->") || comment.ends_with("--!>"))
        || comment == "<!-->"
        || comment == "<!--->";
    (last.end == text.len() && !closed).then(|| rewritten.original(last.start))
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

#[cfg(test)]
mod tests {
    use crate::markdown::testing::{Fake, html};
    use crate::markdown::{Renderer, heading_ids, links, unclosed_comment};

    #[test]
    fn finds_unclosed_comments() {
        assert_eq!(unclosed_comment("a <!-- open\n\nrest"), Some(2));
        assert_eq!(unclosed_comment("<!-- a --> b <!-- c"), Some(13));
        for closed in [
            "a <!-- b -->",
            "a <!-- b --!>",
            "<!-->",
            "<!--->",
            "`<!--` x",
            "x",
        ] {
            assert_eq!(unclosed_comment(closed), None, "{closed}");
        }
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
}

//! Link destinations in Markdown: where they are, and how they resolve for a page.

use pulldown_cmark::{Event, Parser, Tag};

use super::comments::without_comments;
use super::options;
use crate::diagnostic::Pos;
use crate::model::{ControlId, Markdown};

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
    let rewritten = super::callouts::rewrite(text);
    let clean = without_comments(&rewritten.text);
    for (event, range) in Parser::new_ext(&clean.text, options()).into_offset_iter() {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event {
            let offset = rewritten.original(clean.original(range.start));
            let (line, column) = lines.position(offset);
            out.push(LinkAt {
                dest: dest_url.to_string(),
                line,
                column,
                offset,
            });
        }
    }
    // Kept with the text for the whole build (`Markdown::links`): no spare capacity.
    out.shrink_to_fit();
    out
}

/// The file position of a link inside a Markdown text.
pub fn position(md: &Markdown, link: &LinkAt) -> Pos {
    // Text reshaped by YAML: the run the link falls in says where it came from.
    if let Some(run) = md.source_map.iter().rev().find(|r| r.offset <= link.offset) {
        let chars = md
            .held_text()
            .and_then(|t| t.get(run.offset..link.offset))
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn link_positions_after_comments_are_unchanged() {
        let md = "a <!-- one\n\ntwo é -->\n\nsee [x](policy:a) <!-- é --> [y](b)\n";
        let l = links(md);
        let at: Vec<_> = l.iter().map(|l| (l.line, l.column, l.offset)).collect();
        assert_eq!(at, [(5, 5, 28), (5, 30, 54)], "{l:?}");
        assert_eq!(&md[28..29], "[");
        assert_eq!(&md[54..55], "[");
    }
}

//! Heading anchors and the table of contents.

use std::collections::HashSet;

use pulldown_cmark::{Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::comments::without_comments;
use crate::model::slugify;

/// A heading for the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// The ids of every heading in `text`, as `render` assigns them (for anchor checks).
pub fn heading_ids(text: &str) -> Vec<String> {
    let rewritten = super::callouts::rewrite(text);
    let clean = without_comments(&rewritten.text);
    let (events, _) = super::parse(&clean, &rewritten);
    let (events, _) = anchor_headings(events);
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id, .. }) => id.map(|s| s.to_string()),
            _ => None,
        })
        .collect()
}

/// Gives every heading an id (its slug, made unique) and collects the h2/h3 table of contents.
pub(super) fn anchor_headings(mut events: Vec<Event<'_>>) -> (Vec<Event<'_>>, Vec<TocEntry>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Renderer;
    use crate::markdown::testing::Fake;

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
    fn a_text_with_h1_sections_is_shifted_one_level_down() {
        let md = "# Purpose\n\ntext\n\n## Roles `x`\n\n###### Six\n\nSetext\n======\n\n# Purpose\n";
        let r = Renderer::new(false).render(md, &Fake);
        for tag in [
            r#"<h2 id="purpose">Purpose</h2>"#,
            r#"<h3 id="roles-x">"#,
            r#"<h6 id="six">Six</h6>"#,
            r#"<h2 id="setext">Setext</h2>"#,
            r#"<h2 id="purpose-1">Purpose</h2>"#,
        ] {
            assert!(r.html.contains(tag), "{tag} in {}", r.html);
        }
        assert!(!r.html.contains("<h1"), "{}", r.html);
        let toc: Vec<_> = r.toc.iter().map(|t| (t.level, t.id.as_str())).collect();
        assert_eq!(
            toc,
            [
                (2, "purpose"),
                (3, "roles-x"),
                (2, "setext"),
                (2, "purpose-1")
            ]
        );
        // The ids that anchor checks use are the ones rendered.
        assert_eq!(
            heading_ids(md),
            ["purpose", "roles-x", "six", "setext", "purpose-1"]
        );
    }

    #[test]
    fn a_text_without_h1_keeps_its_levels() {
        let r = Renderer::new(false).render(
            "## Scope\n\n#### Deep\n\n    # code, not a heading\n",
            &Fake,
        );
        assert!(r.html.contains(r#"<h2 id="scope">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h4 id="deep">"#), "{}", r.html);
        // An h1 inside a callout counts like any other.
        let r = Renderer::new(false).render("## Scope\n\n> [!NOTE]\n> # Inside\n", &Fake);
        assert!(r.html.contains(r#"<h3 id="scope">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h2 id="inside">"#), "{}", r.html);
        assert_eq!(heading_ids("!!! note\n    # Inside\n"), ["inside"]);
    }
}

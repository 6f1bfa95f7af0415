//! What the server adds to HTML responses: the live-reload script and, while the last change
//! broke the build, an overlay listing the diagnostics. Only responses get this; the built
//! pages in memory (and anything `build` writes) never contain it.

use crate::diagnostic::Diagnostic;
use crate::model::Audience;

/// The Server-Sent Events endpoint the injected script listens to.
pub const EVENTS_PATH: &str = "/__trustpress/events";

/// How much of a failed build the overlay tells whoever reads the preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every diagnostic with its file and line: the internal preview, for the ISMS team.
    Full,
    /// Only that the build is broken and how many errors it has. Diagnostics quote internal
    /// titles, ids, values and file names, and a public or customer preview is made to be
    /// shown to people who must not read those; the terminal has the details.
    Count,
}

impl Detail {
    pub fn for_audience(audience: Audience) -> Detail {
        if audience == Audience::Internal {
            Detail::Full
        } else {
            Detail::Count
        }
    }
}

/// Inserts the reload script (and the overlay when `errors` is not empty) before the last
/// `</body>`, or at the end when the page has none. `generation` is the build the page comes
/// from: the script reloads as soon as the server reports a different one.
pub fn inject(html: &[u8], generation: u64, errors: &[Diagnostic], detail: Detail) -> Vec<u8> {
    let mut snippet = String::new();
    if !errors.is_empty() {
        snippet.push_str(&overlay(errors, detail));
    }
    snippet.push_str(&reload_script(generation));
    let at = rfind_ascii_case_insensitive(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// Adds `<base href="/">` right after `<head …>`. The site's `404.html` links relative to the
/// site root, but is served for URLs at any depth; the base makes its stylesheet and links work.
pub fn base_at_root(html: &[u8]) -> Vec<u8> {
    let Some(open) = find_ascii_case_insensitive(html, b"<head") else {
        return html.to_vec();
    };
    let Some(close) = html[open..].iter().position(|&b| b == b'>') else {
        return html.to_vec();
    };
    let at = open + close + 1;
    let mut out = Vec::with_capacity(html.len() + 20);
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(b"<base href=\"/\">");
    out.extend_from_slice(&html[at..]);
    out
}

/// The overlay shown on every page while the site on disk does not build.
pub fn overlay(errors: &[Diagnostic], detail: Detail) -> String {
    let mut s = String::from(
        "<div id=\"trustpress-overlay\" role=\"alert\" style=\"position:fixed;inset:auto 0 0 0;\
         max-height:60vh;overflow:auto;z-index:2147483647;margin:0;padding:1rem 1.25rem;\
         background:#fff4f4;color:#5a0000;border-top:4px solid #c00;\
         font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;\
         box-shadow:0 -4px 16px rgba(0,0,0,.25)\">\
         <button type=\"button\" onclick=\"this.parentNode.remove()\" aria-label=\"Hide\" \
         style=\"float:right;font:inherit;cursor:pointer\">&times;</button>\
         <strong>The site does not build: showing the last good version.</strong>",
    );
    if detail == Detail::Count {
        let n = errors.iter().filter(|d| d.is_error()).count();
        let plural = if n == 1 { "" } else { "s" };
        s.push_str(&format!(
            "<p style=\"margin:.5rem 0 0\">{n} error{plural}; the details are in the terminal \
             running trustpress serve (and in the internal preview).</p></div>"
        ));
        return s;
    }
    s.push_str("<ul style=\"margin:.5rem 0 0;padding-left:1.25rem\">");
    // What broke the build first; the warnings found on the way after it.
    let ordered = errors
        .iter()
        .filter(|d| d.is_error())
        .chain(errors.iter().filter(|d| !d.is_error()));
    for d in ordered {
        s.push_str("<li><code>");
        s.push_str(&escape_html(&format!(
            "{}:{}:{}",
            d.pos.path, d.pos.line, d.pos.column
        )));
        s.push_str("</code> ");
        s.push_str(d.severity.as_str());
        s.push_str(": ");
        s.push_str(&escape_html(&d.message));
        s.push_str("</li>");
    }
    s.push_str("</ul></div>");
    s
}

/// The live-reload script: a page from build `generation` reloads when the server says the
/// current build is another one, whether it learns that on connecting or from a later event.
pub fn reload_script(generation: u64) -> String {
    format!(
        "<script>(function(){{\"use strict\";\
         if(!window.EventSource)return;\
         var es=new EventSource(\"{EVENTS_PATH}\");\
         function on(e){{if(e.data!==\"{generation}\"){{es.close();location.reload();}}}}\
         es.addEventListener(\"hello\",on);es.addEventListener(\"reload\",on);\
         }})();</script>"
    )
}

/// Escapes text for HTML content and attributes (one escaper for the whole crate).
pub use crate::markdown::escape as escape_html;

fn find_ascii_case_insensitive(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn rfind_ascii_case_insensitive(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;
    use crate::rules::Rule;

    fn text(b: Vec<u8>) -> String {
        String::from_utf8(b).expect("utf-8")
    }

    #[test]
    fn script_goes_before_the_last_closing_body() {
        let out = text(inject(
            b"<html><body><p>x</p></BODY></html>",
            7,
            &[],
            Detail::Full,
        ));
        let script_at = out.find("<script>").expect("script");
        assert!(script_at < out.find("</BODY>").expect("body"));
        assert!(out.starts_with("<html><body><p>x</p><script>"));
        assert!(out.ends_with("</script></BODY></html>"));
        assert!(out.contains(EVENTS_PATH));
        assert!(out.contains("e.data!==\"7\""));
        assert!(!out.contains("trustpress-overlay"));
    }

    #[test]
    fn pages_without_body_get_the_script_appended() {
        let out = text(inject(b"<p>fragment</p>", 0, &[], Detail::Full));
        assert!(out.starts_with("<p>fragment</p><script>"));
        assert!(out.ends_with("</script>"));
    }

    #[test]
    fn overlay_lists_diagnostics_escaped() {
        let errors = vec![Diagnostic::error(
            Pos::new("policies/<x>.md", 3, 10),
            Rule::Internal,
            "unknown status \"<script>alert(1)</script>\" & more",
        )];
        let out = text(inject(b"<body></body>", 2, &errors, Detail::Full));
        let overlay_at = out.find("trustpress-overlay").expect("overlay");
        assert!(overlay_at < out.find("</body>").expect("body"));
        assert!(out.contains("<code>policies/&lt;x&gt;.md:3:10</code> error: unknown status &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; more"));
        assert!(!out.contains("<script>alert"));
        // Exactly one script: ours.
        assert_eq!(out.matches("<script>").count(), 1);
    }

    #[test]
    fn below_internal_the_overlay_only_counts_errors() {
        let errors = vec![
            Diagnostic::error(
                Pos::new("policies/canaryint-file.md", 3, 10),
                Rule::Internal,
                "unknown status \"canaryint-value\"",
            ),
            Diagnostic::error(
                Pos::new("site.yaml", 1, 1),
                Rule::Internal,
                "canaryint-second",
            ),
            Diagnostic::warning(
                Pos::new("risks/r.yaml", 2, 3),
                Rule::RestrictedLink,
                "canaryint-warning",
            ),
        ];
        for audience in [Audience::Public, Audience::Customer] {
            let detail = Detail::for_audience(audience);
            let out = text(inject(b"<body></body>", 2, &errors, detail));
            assert!(out.contains("trustpress-overlay"), "{out}");
            assert!(out.contains("2 errors; the details are in the terminal"));
            assert!(!out.contains("canaryint"), "{out}");
            assert!(!out.contains(".md") && !out.contains(".yaml"), "{out}");
            assert!(!out.contains("warning"), "{out}");
        }
        let one = overlay(&errors[..1], Detail::Count);
        assert!(one.contains("1 error;"), "{one}");
        let internal = text(inject(
            b"<body></body>",
            2,
            &errors,
            Detail::for_audience(Audience::Internal),
        ));
        assert!(internal.contains("policies/canaryint-file.md:3:10"));
        assert!(internal.contains("canaryint-warning"));
    }

    #[test]
    fn the_overlay_lists_errors_before_warnings() {
        let diags = vec![
            Diagnostic::warning(
                Pos::new("a.yaml", 1, 1),
                Rule::OrphanPolicy,
                "first-warning",
            ),
            Diagnostic::error(Pos::new("z.md", 9, 1), Rule::BrokenLink, "the-error"),
        ];
        let out = overlay(&diags, Detail::Full);
        let error_at = out.find("the-error").expect("error listed");
        assert!(
            error_at < out.find("first-warning").expect("warning listed"),
            "{out}"
        );
    }

    #[test]
    fn base_goes_first_in_head() {
        let out = text(base_at_root(
            b"<html lang=en><HEAD data-x=1><title>t</title></HEAD>",
        ));
        assert_eq!(
            out,
            "<html lang=en><HEAD data-x=1><base href=\"/\"><title>t</title></HEAD>"
        );
        assert_eq!(text(base_at_root(b"<p>no head</p>")), "<p>no head</p>");
    }

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}

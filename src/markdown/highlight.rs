//! Syntax highlighting of code blocks (syntect, CSS classes) and its stylesheet.

use syntect::html::{ClassStyle, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::escape;
use super::line_cache::LineCache;
use crate::model::slugify;

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
        "/* generated from syntect theme {light}, colours adjusted to WCAG AA contrast */\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        readable(&css(light), LIGHT_PANEL),
        // The light theme's rules first, made readable on dark: a selector that only the
        // light theme has must not keep its light colour in dark mode.
        readable(
            &format!("{}\n{}", css(light), css("base16-ocean.dark")),
            DARK_PANEL
        )
    )
}

/// The code block background of the default theme (`--panel`), light and dark.
const LIGHT_PANEL: Rgb = Rgb(0xf6, 0xf8, 0xfa);
const DARK_PANEL: Rgb = Rgb(0x1a, 0x20, 0x28);
/// WCAG AA for normal text is 4.5:1; a little more leaves room for rounding.
const MIN_CONTRAST: f64 = 4.6;

/// A theme's CSS with every text colour darkened (on a light `panel`) or lightened (on a
/// dark one) until it reaches AA contrast against `panel`, and its backgrounds dropped, so
/// that code sits on the theme's code-block background in both colour schemes.
fn readable(css: &str, panel: Rgb) -> String {
    let mut out = String::with_capacity(css.len());
    for line in css.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("background-color:") {
            continue;
        }
        match trimmed
            .strip_prefix("color:")
            .map(|v| v.trim().trim_end_matches(';').trim())
            .and_then(Rgb::parse)
        {
            Some(color) => {
                let indent = &line[..line.len() - trimmed.len()];
                out.push_str(&format!(
                    "{indent}color: {};",
                    color.with_contrast(panel, MIN_CONTRAST)
                ));
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// A colour as 8-bit sRGB channels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rgb(u8, u8, u8);

impl Rgb {
    /// `#rrggbb` (syntect writes no other form; an alpha suffix is ignored).
    fn parse(s: &str) -> Option<Rgb> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 && hex.len() != 8 {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        Some(Rgb(channel(0)?, channel(2)?, channel(4)?))
    }

    /// WCAG relative luminance.
    fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// This colour mixed step by step toward black (on a light background) or white (on a
    /// dark one) until its contrast with `bg` is at least `min`.
    fn with_contrast(self, bg: Rgb, min: f64) -> Rgb {
        let target = if bg.luminance() > 0.5 { 0.0 } else { 255.0 };
        let mix = |c: u8, t: f64| (f64::from(c) + (target - f64::from(c)) * t).round() as u8;
        (0..=20)
            .map(|step| {
                let t = f64::from(step) / 20.0;
                Rgb(mix(self.0, t), mix(self.1, t), mix(self.2, t))
            })
            .find(|c| c.contrast(bg) >= min)
            .unwrap_or(if target == 0.0 {
                Rgb(0, 0, 0)
            } else {
                Rgb(255, 255, 255)
            })
    }
}

impl std::fmt::Display for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The syntaxes code blocks are highlighted with, and the parses of lines seen before.
pub(super) struct Highlighter {
    syntaxes: SyntaxSet,
    lines: LineCache,
}

impl Highlighter {
    pub(super) fn new() -> Self {
        Highlighter {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            lines: LineCache::default(),
        }
    }

    /// A code block as HTML, highlighted with CSS classes (`hl-…`) when its language is known.
    pub(super) fn html(&self, code: &str, lang: &str) -> String {
        // Some grammars (bash, erlang, matlab…) take time quadratic in a line's length: a
        // block with a line too long to be code a reader scans is shown plain, so that no
        // input costs more than linear time.
        if code
            .split('\n')
            .any(|line| line.len() > MAX_HIGHLIGHTED_LINE)
        {
            return plain_code(code);
        }
        let syntaxes = &self.syntaxes;
        let syntax = (!lang.is_empty())
            .then(|| syntaxes.find_syntax_by_token(lang))
            .flatten()
            .unwrap_or_else(|| syntaxes.find_syntax_plain_text());
        let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
        // What syntect's `ClassedHTMLGenerator` does, with each line's parse from the cache.
        let mut state = ParseState::new(syntax);
        let mut scopes = ScopeStack::new();
        let mut open_spans = 0;
        let mut html = String::with_capacity(code.len() * 4);
        for line in LinesWithEndings::from(code) {
            let spans = self
                .lines
                .parse_line(&mut state, line, syntaxes)
                .map_err(syntect::Error::from)
                .and_then(|ops| line_tokens_to_classed_spans(line, &ops, style, &mut scopes));
            match spans {
                Ok((spans, delta)) => {
                    open_spans += delta;
                    html.push_str(&spans);
                }
                // A line that fails to highlight is shown plain rather than failing the build.
                Err(_) => return plain_code(code),
            }
        }
        for _ in 0..open_spans {
            html.push_str("</span>");
        }
        let lang_class = slugify(lang);
        format!(
            "<pre class=\"code hl-code\" data-lang=\"{lang_class}\" tabindex=\"0\"><code>{html}</code></pre>\n"
        )
    }
}

/// The longest line of a code block that is highlighted, in bytes (see `highlight`).
const MAX_HIGHLIGHTED_LINE: usize = 1_000;

/// A code block shown as it is, without highlighting.
pub(super) fn plain_code(code: &str) -> String {
    format!(
        "<pre class=\"code\" tabindex=\"0\"><code>{}</code></pre>",
        escape(code)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Renderer;
    use crate::markdown::testing::{Fake, html};

    /// Every text colour of every built-in theme, light and dark, reaches AA on the code
    /// block background; colours that already did are kept.
    #[test]
    fn highlight_colours_reach_aa_contrast() {
        for theme in highlight_theme_names() {
            let css = highlight_css(theme);
            let (light, dark) = css
                .split_once("@media (prefers-color-scheme: dark)")
                .expect("a dark part");
            for (part, bg) in [(light, LIGHT_PANEL), (dark, DARK_PANEL)] {
                assert!(!part.contains("background-color"), "{theme}");
                let colours: Vec<Rgb> = part
                    .lines()
                    .filter_map(|l| l.trim().strip_prefix("color:"))
                    .filter_map(|v| Rgb::parse(v.trim().trim_end_matches(';')))
                    .collect();
                assert!(!colours.is_empty(), "{theme}: no colours in\n{part}");
                let selectors = |css: &str| -> Vec<String> {
                    css.lines()
                        .filter(|l| l.trim_end().ends_with('{'))
                        .map(|l| l.trim().to_string())
                        .collect()
                };
                for selector in selectors(light) {
                    assert!(
                        selectors(dark).contains(&selector) || selector.starts_with('/'),
                        "{theme}: {selector} keeps its light colour in dark mode"
                    );
                }
                for c in colours {
                    assert!(
                        c.contrast(bg) >= 4.5,
                        "{theme}: {c} on {bg} is {:.2}:1",
                        c.contrast(bg)
                    );
                }
            }
        }
        let dark_text = Rgb(0x32, 0x32, 0x32);
        assert_eq!(
            dark_text.with_contrast(LIGHT_PANEL, MIN_CONTRAST),
            dark_text
        );
        assert_eq!(Rgb::parse("#969896"), Some(Rgb(0x96, 0x98, 0x96)));
        assert_eq!(Rgb::parse("red"), None);
    }

    #[test]
    fn highlights_code_with_classes() {
        let out = html("```yaml\nkey: value\n```\n");
        assert!(out.contains("hl-code"), "{out}");
        assert!(out.contains("class=\"hl-"), "{out}");
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
                    "<pre class=\"code\" tabindex=\"0\"><code>echo {word}\n</code></pre>"
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
}

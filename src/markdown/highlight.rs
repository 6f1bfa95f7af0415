//! Syntax highlighting of code blocks (syntect, CSS classes) and its stylesheet.

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use super::escape;
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
        "/* generated from syntect theme {light} */\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        css(light),
        css("base16-ocean.dark")
    )
}

/// A code block as HTML, highlighted with CSS classes (`hl-…`) when its language is known.
pub(super) fn highlight(syntaxes: &SyntaxSet, code: &str, lang: &str) -> String {
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
        .then(|| syntaxes.find_syntax_by_token(lang))
        .flatten()
        .unwrap_or_else(|| syntaxes.find_syntax_plain_text());
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        syntaxes,
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

/// The longest line of a code block that is highlighted, in bytes (see `highlight`).
const MAX_HIGHLIGHTED_LINE: usize = 1_000;

/// A code block shown as it is, without highlighting.
fn plain_code(code: &str) -> String {
    format!("<pre class=\"code\"><code>{}</code></pre>", escape(code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Renderer;
    use crate::markdown::testing::{Fake, html};

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
}

//! The embedded default theme and per-file overrides from the site's `templates/` folder.

use crate::diagnostic::{Diagnostic, Pos};
use crate::rules::Rule;

/// The default theme's templates, compiled into the binary.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "item_link.html",
        include_str!("../../themes/default/templates/item_link.html"),
    ),
    (
        "table_filter.html",
        include_str!("../../themes/default/templates/table_filter.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "scope.html",
        include_str!("../../themes/default/templates/scope.html"),
    ),
    (
        "policies.html",
        include_str!("../../themes/default/templates/policies.html"),
    ),
    (
        "policy_rows.html",
        include_str!("../../themes/default/templates/policy_rows.html"),
    ),
    (
        "policy.html",
        include_str!("../../themes/default/templates/policy.html"),
    ),
    (
        "controls.html",
        include_str!("../../themes/default/templates/controls.html"),
    ),
    (
        "control.html",
        include_str!("../../themes/default/templates/control.html"),
    ),
    (
        "traceability_rows.html",
        include_str!("../../themes/default/templates/traceability_rows.html"),
    ),
    (
        "traceability.html",
        include_str!("../../themes/default/templates/traceability.html"),
    ),
    (
        "findings.html",
        include_str!("../../themes/default/templates/findings.html"),
    ),
    (
        "finding.html",
        include_str!("../../themes/default/templates/finding.html"),
    ),
    (
        "evidence_rows.html",
        include_str!("../../themes/default/templates/evidence_rows.html"),
    ),
    (
        "evidence_list.html",
        include_str!("../../themes/default/templates/evidence_list.html"),
    ),
    (
        "evidence.html",
        include_str!("../../themes/default/templates/evidence.html"),
    ),
    (
        "risks.html",
        include_str!("../../themes/default/templates/risks.html"),
    ),
    (
        "risk.html",
        include_str!("../../themes/default/templates/risk.html"),
    ),
    (
        "suppliers.html",
        include_str!("../../themes/default/templates/suppliers.html"),
    ),
    (
        "supplier.html",
        include_str!("../../themes/default/templates/supplier.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
];

/// The default theme's assets, written to the output root.
pub const ASSETS: &[(&str, &str)] = &[
    (
        "style.css",
        include_str!("../../themes/default/static/style.css"),
    ),
    (
        "trustpress.js",
        include_str!("../../themes/default/static/trustpress.js"),
    ),
];

/// Compiled templates: the defaults with any site overrides applied.
pub struct Theme {
    pub tera: tera::Tera,
    /// The templates the site replaces.
    overridden: Vec<String>,
}

impl Theme {
    /// Compiles the default theme, replacing each template the site overrides; returns the
    /// theme and any warnings, or the errors.
    pub fn load(
        overrides: &[(String, String)],
    ) -> Result<(Theme, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        for (name, _) in overrides {
            if name.ends_with(".html") && !TEMPLATES.iter().any(|(n, _)| n == name) {
                let known: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
                let mut msg =
                    format!("templates/{name} does not replace any template of the theme");
                if let Some(s) = crate::diagnostic::suggest(name, known.iter().copied()) {
                    msg.push_str(&format!(" (did you mean {s}?)"));
                }
                errors.push(Diagnostic::warning(
                    Pos::file(format!("templates/{name}")),
                    Rule::UnknownTemplate,
                    msg,
                ));
            }
        }
        match compile(overrides.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
            Ok(tera) => Ok((
                Theme {
                    tera,
                    overridden: overrides.iter().map(|(n, _)| n.clone()).collect(),
                },
                errors,
            )),
            Err(e) => {
                errors.extend(override_errors(overrides, &e));
                Err(errors)
            }
        }
    }
}

impl Theme {
    /// Whether the site replaces the theme's template `name`.
    pub fn overrides(&self, name: &str) -> bool {
        self.overridden.iter().any(|n| n == name)
    }
}

/// The default theme with `overrides` in place of the templates of the same name.
fn compile<'a>(
    overrides: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Result<tera::Tera, tera::Error> {
    let chosen: Vec<(&str, &str)> = TEMPLATES
        .iter()
        .map(|(name, text)| {
            let text = overrides
                .clone()
                .find(|(n, _)| n == name)
                .map_or(*text, |(_, t)| t);
            (*name, text)
        })
        .collect();
    let mut tera = tera::Tera::new();
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(chosen)?;
    Ok(tera)
}

/// Tera's own escaping (`&`, `<`, `>`, `"` and `'`), byte for byte, but written a run at a
/// time: `tera::escape_html` makes a call to the writer for every byte, and was 4 % of the CPU
/// of a build of 100,000 policies.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

/// Every broken override's errors, not only the first that Tera stops at: each override is
/// compiled alone with the default theme. If none fails alone (they only fail together), the
/// combined error `all` is reported.
fn override_errors(overrides: &[(String, String)], all: &tera::Error) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = Vec::new();
    for (name, text) in overrides {
        if let Err(e) = compile(std::iter::once((name.as_str(), text.as_str()))) {
            for d in diagnostics(&e, Some(name), "template error") {
                if !found.contains(&d) {
                    found.push(d);
                }
            }
        }
    }
    if found.is_empty() {
        let blame = overrides
            .iter()
            .find(|(n, _)| all.to_string().contains(n.as_str()))
            .map(|(n, _)| n.as_str());
        found = diagnostics(all, blame, "template error");
    }
    found.sort_by_cached_key(|d| d.to_string());
    found
}

/// A Tera error as one-line diagnostics at the line and column Tera reports (its own report
/// spans several lines, which would break `path:line:column: message`). Errors without a
/// position are put on `blame`, the template most likely at fault, or on `templates/`.
/// Never empty.
pub fn diagnostics(e: &tera::Error, blame: Option<&str>, prefix: &str) -> Vec<Diagnostic> {
    let error = |pos: Pos, message: &str| {
        let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
        Diagnostic::error(pos, Rule::Template, format!("{prefix}: {message}"))
    };
    if let tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) = e.kind() {
        let span = r.span();
        let pos = Pos::new(
            format!("templates/{}", r.filename()),
            span.start_line.max(1) as u64,
            span.start_col as u64 + 1,
        );
        return vec![error(pos, r.message())];
    }
    // Some errors (unknown filters, tests, functions, includes, blocks) come as the text of
    // Tera's reports, one per problem: `error: MESSAGE` then ` --> NAME:LINE:COLUMN`.
    let text = e.to_string();
    let mut found: Vec<(&str, Option<Pos>)> = Vec::new();
    for line in text.lines() {
        if let Some(message) = line.strip_prefix("error: ") {
            found.push((message, None));
        } else if let (Some(at), Some((_, pos @ None))) =
            (line.trim_start().strip_prefix("--> "), found.last_mut())
        {
            let mut parts = at.rsplitn(3, ':');
            let column = parts.next().and_then(|c| c.parse().ok());
            let line = parts.next().and_then(|l| l.parse().ok());
            if let (Some(column), Some(line), Some(name)) = (column, line, parts.next()) {
                *pos = Some(Pos::new(format!("templates/{name}"), line, column));
            }
        }
    }
    let fallback =
        || Pos::file(blame.map_or_else(|| "templates".into(), |n| format!("templates/{n}")));
    if found.is_empty() {
        return vec![error(fallback(), &text)];
    }
    found
        .into_iter()
        .map(|(message, pos)| error(pos.unwrap_or_else(fallback), message))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(overrides: &[(&str, &str)]) -> Vec<String> {
        let overrides: Vec<(String, String)> = overrides
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        match Theme::load(&overrides) {
            Ok(_) => Vec::new(),
            Err(ds) => ds.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn errors_without_a_position_go_on_the_override() {
        assert_eq!(
            errors(&[("policy.html", "{% extends \"bse.html\" %}")]),
            [
                "templates/policy.html:1:1: error: template error: Template 'policy.html' is inheriting from 'bse.html', which doesn't exist or isn't loaded."
            ]
        );
    }

    #[test]
    fn every_broken_override_is_reported() {
        assert_eq!(
            errors(&[
                ("policy.html", "{% if %}\n"),
                ("scope.html", "ok\n{% for %}"),
                ("risk.html", "{{ x | nope }}"),
            ]),
            [
                "templates/policy.html:1:7: error: template error: Found `%}` but expected one of: integer, float, string, bool, ident, `-`, `not`, `<`, `{`, `[` or `(`",
                "templates/risk.html:1:8: error: template error: Unknown filter `nope`",
                "templates/scope.html:2:8: error: template error: Found `%}` but expected identifier.",
            ]
        );
    }

    #[test]
    fn each_reported_problem_is_one_line_at_its_position() {
        assert_eq!(
            errors(&[
                ("scope.html", "\n{{ x | nope }}"),
                ("index.html", "{% include \"nav.html\" %}"),
            ]),
            [
                "templates/index.html:1:12: error: template error: Unknown template `nav.html`",
                "templates/scope.html:2:8: error: template error: Unknown filter `nope`",
            ]
        );
    }

    #[test]
    fn escapes_exactly_as_tera_does() {
        for input in [
            "",
            "plain",
            "a & b < c > d \"e\" 'f'",
            "&&<<>>",
            "ünïcödé ‹›&amp; 'x'",
            "tail&",
        ] {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            escape_html(input, &mut ours).unwrap();
            tera::escape_html(input, &mut teras).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(teras).unwrap()
            );
        }
    }
}

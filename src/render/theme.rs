//! The embedded default theme and per-file overrides from the site's `templates/` folder.

use crate::diagnostic::{Diagnostic, Pos};

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
                    "unknown-template",
                    msg,
                ));
            }
        }
        let chosen: Vec<(&str, &str)> = TEMPLATES
            .iter()
            .map(|(name, text)| {
                let text = overrides
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, t)| t.as_str())
                    .unwrap_or(text);
                (*name, text)
            })
            .collect();
        let mut tera = tera::Tera::new();
        if let Err(e) = tera.add_raw_templates(chosen) {
            let blame = overrides
                .iter()
                .find(|(n, _)| e.to_string().contains(n.as_str()));
            let path = blame
                .map(|(n, _)| format!("templates/{n}"))
                .unwrap_or_else(|| "templates".into());
            errors.push(Diagnostic::error(
                Pos::file(path),
                "template",
                format!("template error: {e}"),
            ));
            return Err(errors);
        }
        Ok((Theme { tera }, errors))
    }
}

//! `trustpress check`: everything `build` validates plus the audit rules, reported as text,
//! JSON or SARIF. Writes nothing.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Audience, Date};
use crate::rules::Rule;

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `path:line:column: error[rule]: message`, then a summary line.
    Text,
    /// A JSON list of `{path, line, column, severity, rule, message}`.
    Json,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
}

/// Everything `check` needs, already parsed from the command line.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub site: PathBuf,
    pub audience: Audience,
    pub today: Date,
    pub format: Format,
    /// Warnings fail the check too.
    pub strict: bool,
}

/// What a check found: the printed report and the exit status.
#[derive(Debug)]
pub struct CheckReport {
    pub output: String,
    pub exit_code: u8,
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs the check; never writes to the site or anywhere else.
pub fn run(opts: &CheckOptions) -> CheckReport {
    let (mut diagnostics, ignored) = crate::check_counted(&opts.site, opts.audience, opts.today);
    errors_first(&mut diagnostics);
    let output = match opts.format {
        Format::Text => text_counted(&diagnostics, ignored),
        Format::Json => json(&diagnostics),
        Format::Sarif => sarif(&diagnostics, &uri_prefix(&opts.site)),
    };
    CheckReport {
        exit_code: exit_code(&diagnostics, opts.strict),
        output,
        diagnostics,
    }
}

/// 0 when there are no errors (and, with `--strict`, no warnings); 1 otherwise.
pub fn exit_code(diags: &[Diagnostic], strict: bool) -> u8 {
    let failing = diags
        .iter()
        .any(|d| d.is_error() || (strict && d.severity == Severity::Warning));
    u8::from(failing)
}

/// Errors before warnings, each group in the order it came (by file and position): what to
/// fix first is at the top.
pub fn errors_first(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| !d.is_error());
}

/// The warnings `build` shows when it shows only `n`: the most consequential rules first
/// (`Rule::rank`: passed dates, then broken or hidden text, orphans, gaps, … and controls not
/// yet assessed last), each rank in file order.
pub fn by_consequence(warnings: &[Diagnostic], n: usize) -> Vec<&Diagnostic> {
    let mut ranked: Vec<&Diagnostic> = warnings.iter().collect();
    ranked.sort_by_key(|d| d.rule.rank());
    ranked.truncate(n);
    ranked
}

/// Writes `shown` warnings, one per line, then, when `hidden` more were left out, where to see
/// them all: the list `build` and `serve` print. Buffered into one write: `build -v` on a large
/// site lists hundreds of thousands, and a line at a time that took seconds.
pub fn write_warnings(
    out: impl std::io::Write,
    shown: &[&Diagnostic],
    hidden: usize,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(out);
    for w in shown {
        writeln!(out, "{w}")?;
    }
    if hidden > 0 {
        writeln!(
            out,
            "… and {hidden} more warnings: run `trustpress check` to list them all"
        )?;
    }
    out.flush()
}

/// "12 warnings (run `trustpress check`)", the line a failed build prints instead of them;
/// `None` when there are none.
pub fn warnings_hint(diags: &[Diagnostic]) -> Option<String> {
    let n = diags.iter().filter(|d| !d.is_error()).count();
    (n > 0).then(|| format!("{n} {} (run `trustpress check`)", plural(n, "warning")))
}

/// One line per diagnostic, then the counts.
pub fn text(diags: &[Diagnostic]) -> String {
    text_counted(diags, 0)
}

/// `text`, with the summary saying how many warnings `site.yaml` ignores.
pub fn text_counted(diags: &[Diagnostic], ignored: usize) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&format!(
            "{}:{}:{}: {}[{}]: {}\n",
            d.pos.path,
            d.pos.line,
            d.pos.column,
            d.severity.as_str(),
            d.rule,
            d.message
        ));
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    out.push_str(&format!(
        "{} {}, {} {}{}\n",
        errors,
        plural(errors, "error"),
        warnings,
        plural(warnings, "warning"),
        ignored_note(ignored)
    ));
    out
}

/// " (3 ignored by site.yaml)", or nothing.
pub fn ignored_note(ignored: usize) -> String {
    if ignored == 0 {
        String::new()
    } else {
        format!(" ({ignored} ignored by site.yaml)")
    }
}

/// A JSON list of diagnostics.
pub fn json(diags: &[Diagnostic]) -> String {
    let list: Vec<Value> = diags
        .iter()
        .map(|d| {
            json!({
                "path": d.pos.path,
                "line": d.pos.line,
                "column": d.pos.column,
                "severity": d.severity.as_str(),
                "rule": d.rule.id(),
                "message": d.message,
            })
        })
        .collect();
    pretty(&Value::Array(list))
}

/// A SARIF 2.1.0 log with one run. `prefix` is prepended to site-relative paths so that
/// artifact URIs are relative to the folder `check` ran in (a repository root, in CI).
pub fn sarif(diags: &[Diagnostic], prefix: &str) -> String {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id(),
                "shortDescription": { "text": rule.description() },
                "defaultConfiguration": { "level": rule.severity().as_str() },
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut result = json!({
                "ruleId": d.rule.id(),
                "level": d.severity.as_str(),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": format!("{prefix}{}", d.pos.path) },
                        "region": {
                            "startLine": d.pos.line.max(1),
                            "startColumn": d.pos.column.max(1),
                        },
                    },
                }],
            });
            if let Some(i) = Rule::ALL.iter().position(|r| *r == d.rule) {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect();
    pretty(&json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "trustpress",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "results": results,
        }],
    }))
}

/// The site folder as a URI prefix: `""` for `.`, else `site/` with `/` separators.
fn uri_prefix(site: &Path) -> String {
    let s = site.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./").trim_end_matches('/');
    if s.is_empty() || s == "." {
        String::new()
    } else {
        format!("{s}/")
    }
}

fn pretty(v: &Value) -> String {
    // Serialising a `Value` cannot fail; fall back to the compact form regardless.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    s.push('\n');
    s
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;

    fn diags() -> Vec<Diagnostic> {
        vec![
            Diagnostic::error(Pos::new("policies/a.md", 3, 9), Rule::UnknownValue, "bad"),
            Diagnostic::warning(
                Pos::new("evidence/r.yaml", 7, 12),
                Rule::EvidenceExpired,
                "old",
            ),
        ]
    }

    #[test]
    fn text_lines_and_summary() {
        assert_eq!(
            text(&diags()),
            "policies/a.md:3:9: error[unknown-value]: bad\nevidence/r.yaml:7:12: warning[evidence-expired]: old\n1 error, 1 warning\n"
        );
        assert_eq!(text(&[]), "0 errors, 0 warnings\n");
    }

    #[test]
    fn errors_come_first_and_build_shows_the_consequential_warnings() {
        let w = |path: &str, rule| Diagnostic::warning(Pos::file(path), rule, "w");
        let mut d = vec![
            w("a.yaml", Rule::NotAssessed),
            w("b.yaml", Rule::OrphanPolicy),
            Diagnostic::error(Pos::file("z.md"), Rule::BrokenLink, "e"),
            w("c.yaml", Rule::EvidenceExpired),
            w("d.yaml", Rule::RestrictedLink),
        ];
        errors_first(&mut d);
        let paths: Vec<&str> = d.iter().map(|d| d.pos.path.as_str()).collect();
        assert_eq!(paths, ["z.md", "a.yaml", "b.yaml", "c.yaml", "d.yaml"]);
        let shown: Vec<Rule> = by_consequence(&d[1..], 3).iter().map(|d| d.rule).collect();
        assert_eq!(
            shown,
            [
                Rule::EvidenceExpired,
                Rule::RestrictedLink,
                Rule::OrphanPolicy
            ]
        );
        assert_eq!(
            warnings_hint(&d).as_deref(),
            Some("4 warnings (run `trustpress check`)")
        );
        assert_eq!(warnings_hint(&d[..1]), None);
        assert!(text_counted(&d, 3).ends_with("1 error, 4 warnings (3 ignored by site.yaml)\n"));
    }

    #[test]
    fn exit_codes() {
        let d = diags();
        assert_eq!(exit_code(&d, false), 1);
        assert_eq!(exit_code(&d[1..], false), 0);
        assert_eq!(exit_code(&d[1..], true), 1);
        assert_eq!(exit_code(&[], true), 0);
    }

    #[test]
    fn sarif_shape() {
        let v: Value = serde_json::from_str(&sarif(&diags(), "site/")).expect("valid json");
        assert_eq!(v["version"], "2.1.0");
        let r = &v["runs"][0]["results"][0];
        assert_eq!(r["ruleId"], "unknown-value");
        assert_eq!(r["level"], "error");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "site/policies/a.md");
        assert_eq!(loc["region"]["startLine"], 3);
        assert_eq!(loc["region"]["startColumn"], 9);
        let rule_index = r["ruleIndex"].as_u64().expect("rule index") as usize;
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"][rule_index]["id"],
            "unknown-value"
        );
    }

    #[test]
    fn uri_prefixes() {
        assert_eq!(uri_prefix(Path::new(".")), "");
        assert_eq!(uri_prefix(Path::new("./isms/")), "isms/");
        assert_eq!(uri_prefix(Path::new("example-site")), "example-site/");
    }
}

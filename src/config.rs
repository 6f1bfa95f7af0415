//! `site.yaml` → `Config`.

use serde::Deserialize;

use crate::diagnostic::{Diagnostics, Pos};
use crate::model::{CertificateStatus, Classification, Collection, Date};
use crate::rules::Rule;
use crate::yaml::{self, Spanned};

pub const CONFIG_FILE: &str = "site.yaml";

/// The site's settings, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub base_url: String,
    pub description: Option<String>,
    pub language: String,
    pub organisation: Organisation,
    pub framework: String,
    pub certificate: Option<Certificate>,
    /// Default classification per collection (`internal` unless set).
    pub defaults: Vec<(Collection, Classification)>,
    pub allow_raw_html: bool,
    pub highlight_theme: String,
    /// Whether lists say how many further policies and evidence items are available on
    /// request (default true).
    pub show_restricted_counts: bool,
    /// Where each URL field (`base_url`, `organisation.website`, `certificate.register_url`)
    /// was written, for the diagnostics of link checking.
    pub url_pos: Vec<(&'static str, Pos)>,
    /// Warning rules silenced on purpose (`check: {ignore: [rule-id, …]}`); never an error's.
    pub ignore: Vec<Rule>,
}

#[derive(Debug, Clone)]
pub struct Organisation {
    pub name: String,
    pub contact_email: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Certificate {
    pub status: CertificateStatus,
    pub reference: Option<String>,
    pub certification_body: Option<String>,
    pub accreditation_body: Option<String>,
    pub issued: Option<Date>,
    pub expires: Option<Date>,
    pub register_url: Option<String>,
    pub standard: Option<String>,
}

pub const DEFAULT_HIGHLIGHT_THEME: &str = "InspiredGitHub";

impl Config {
    /// Where the URL field `field` (e.g. `certificate.register_url`) was written.
    pub fn url_pos(&self, field: &str) -> Pos {
        self.url_pos
            .iter()
            .find(|(name, _)| *name == field)
            .map_or_else(|| Pos::file(CONFIG_FILE), |(_, p)| p.clone())
    }

    /// The classification an item of `collection` gets when it sets none.
    pub fn default_classification(&self, collection: Collection) -> Classification {
        self.defaults
            .iter()
            .find(|(c, _)| *c == collection)
            .map(|(_, cl)| *cl)
            .unwrap_or(Classification::Internal)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    description: Option<String>,
    language: Option<String>,
    organisation: Option<RawOrganisation>,
    framework: Option<Spanned<String>>,
    certificate: Option<RawCertificate>,
    defaults: Option<RawDefaults>,
    allow_raw_html: Option<bool>,
    highlight_theme: Option<Spanned<String>>,
    show_restricted_counts: Option<bool>,
    check: Option<RawCheck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    ignore: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganisation {
    name: Option<Spanned<String>>,
    contact_email: Option<String>,
    website: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertificate {
    status: Option<Spanned<String>>,
    reference: Option<String>,
    certification_body: Option<String>,
    accreditation_body: Option<String>,
    issued: Option<Spanned<String>>,
    expires: Option<Spanned<String>>,
    register_url: Option<Spanned<String>>,
    standard: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    policies: Option<RawDefault>,
    controls: Option<RawDefault>,
    evidence: Option<RawDefault>,
    risks: Option<RawDefault>,
    findings: Option<RawDefault>,
    suppliers: Option<RawDefault>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefault {
    classification: Option<Spanned<String>>,
}

/// Parses `site.yaml`; problems go to `diags` and `None` is returned when it is unusable.
pub fn parse(text: &str, diags: &mut Diagnostics) -> Option<Config> {
    let path = CONFIG_FILE;
    let mut raw: RawConfig = match yaml::parse_all::<Option<RawConfig>>(text, path, 0) {
        Ok(Some(raw)) => raw,
        Ok(None) => {
            diags.error(Pos::file(path), Rule::MissingField, "site.yaml is empty: expected at least `title`, `base_url` and `organisation: {name}`");
            return None;
        }
        Err(ds) => {
            ds.into_iter().for_each(|d| diags.push(d));
            return None;
        }
    };
    let pos = |s: &Spanned<String>| yaml::pos_of(s, path, 0);
    let required = |field: Option<Spanned<String>>, name: &str, diags: &mut Diagnostics| match field
    {
        Some(v) if !v.value.trim().is_empty() => Some(v.value.trim().to_string()),
        Some(v) => {
            diags.error(pos(&v), Rule::MissingField, format!("`{name}` is empty"));
            None
        }
        None => {
            diags.error(
                Pos::file(path),
                Rule::MissingField,
                format!("missing required field `{name}`"),
            );
            None
        }
    };
    let mut url_pos = Vec::new();
    let mut url = |field: &'static str, v: Option<Spanned<String>>| {
        let v = v?;
        url_pos.push((field, pos(&v)));
        Some(v.value.trim().to_string()).filter(|u| !u.is_empty())
    };
    let website = raw.organisation.as_mut().and_then(|o| o.website.take());
    let website = url("organisation.website", website);
    let register_url = raw.certificate.as_mut().and_then(|c| c.register_url.take());
    let register_url = url("certificate.register_url", register_url);
    if let Some(b) = &raw.base_url {
        url_pos.push(("base_url", pos(b)));
    }
    let title = required(raw.title, "title", diags);
    if let Some(b) = &raw.base_url {
        check_base_url(&b.value, pos(b), diags);
    }
    let base_url = required(raw.base_url, "base_url", diags);
    let organisation = match raw.organisation {
        Some(o) => required(o.name, "organisation.name", diags).map(|name| Organisation {
            name,
            contact_email: o.contact_email,
            website,
        }),
        None => {
            diags.error(
                Pos::file(path),
                Rule::MissingField,
                "missing required field `organisation` (with at least `name`)",
            );
            None
        }
    };
    let framework = match raw.framework {
        None => "iso27001-2022".to_string(),
        Some(f) if f.value == "iso27001-2022" => f.value,
        Some(f) => {
            diags.error(
                pos(&f),
                Rule::UnknownValue,
                format!("unknown framework \"{}\", expected iso27001-2022", f.value),
            );
            f.value
        }
    };
    let certificate = raw
        .certificate
        .and_then(|c| parse_certificate(c, register_url, diags));
    let defaults = raw
        .defaults
        .map(|d| parse_defaults(d, diags))
        .unwrap_or_default();
    let highlight_theme = match raw.highlight_theme {
        None => DEFAULT_HIGHLIGHT_THEME.to_string(),
        Some(t) => {
            let known = crate::markdown::highlight_theme_names();
            if !known.iter().any(|k| *k == t.value) {
                diags.error(
                    pos(&t),
                    Rule::UnknownValue,
                    format!(
                        "unknown highlight_theme \"{}\", expected one of {}",
                        t.value,
                        known.join(", ")
                    ),
                );
            }
            t.value
        }
    };
    let ignore = raw
        .check
        .and_then(|c| c.ignore)
        .map(|ids| parse_ignore(ids, diags))
        .unwrap_or_default();
    Some(Config {
        ignore,
        title: title?,
        base_url: base_url?,
        description: raw.description,
        language: raw.language.unwrap_or_else(|| "en".into()),
        organisation: organisation?,
        framework,
        certificate,
        defaults,
        allow_raw_html: raw.allow_raw_html.unwrap_or(false),
        highlight_theme,
        show_restricted_counts: raw.show_restricted_counts.unwrap_or(true),
        url_pos,
    })
}

/// The address `trustpress init` writes, to be replaced by the site's real one.
pub const PLACEHOLDER_BASE_URL: &str = "https://trust.example.com/";

/// `base_url` is where the site is published: an absolute http(s) address with a host (the
/// sitemap and search engines need the full address). The placeholder `init` writes is a
/// warning until it is changed. An empty value is reported as missing elsewhere.
fn check_base_url(value: &str, pos: Pos, diags: &mut Diagnostics) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    let web = url::Url::parse(value)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    match web {
        None => diags.error(
            pos,
            Rule::UnsafeUrl,
            format!(
                "base_url \"{value}\" is not an absolute web address, expected the address the site is published at, such as https://trust.example.org/ or https://example.org/security/"
            ),
        ),
        Some(u) if u.as_str() == PLACEHOLDER_BASE_URL => diags.warning(
            pos,
            Rule::PlaceholderBaseUrl,
            format!(
                "base_url is still the placeholder {PLACEHOLDER_BASE_URL} that `trustpress init` wrote: set it to the address the site is published at"
            ),
        ),
        Some(_) => {}
    }
}

/// The rules of `check.ignore`. An unknown id is an error with the nearest known one; so is an
/// error rule: errors stop a build because the site would be wrong, which silencing hides.
fn parse_ignore(ids: Vec<Spanned<String>>, diags: &mut Diagnostics) -> Vec<Rule> {
    let mut out = Vec::new();
    for id in ids {
        let pos = yaml::pos_of(&id, CONFIG_FILE, 0);
        let name = id.value.trim();
        match Rule::from_id(name) {
            Some(rule) if rule.severity() == crate::diagnostic::Severity::Error => diags.error(
                pos,
                Rule::UnknownValue,
                format!("`{name}` is an error and cannot be ignored: errors mean the site is wrong; fix the site instead (only warning rules can be ignored)"),
            ),
            Some(rule) => out.push(rule),
            None => {
                let warnings = Rule::ALL
                    .iter()
                    .filter(|r| r.severity() == crate::diagnostic::Severity::Warning)
                    .map(|r| r.id());
                let hint = match crate::diagnostic::suggest(name, Rule::ALL.iter().map(|r| r.id())) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => format!(
                        ", expected a warning rule id: {}",
                        warnings.collect::<Vec<_>>().join(", ")
                    ),
                };
                diags.error(
                    pos,
                    Rule::UnknownValue,
                    format!("unknown rule \"{name}\" in `check.ignore`{hint}"),
                );
            }
        }
    }
    out
}

fn parse_certificate(
    c: RawCertificate,
    register_url: Option<String>,
    diags: &mut Diagnostics,
) -> Option<Certificate> {
    let path = CONFIG_FILE;
    let status = match c.status {
        None => {
            diags.error(Pos::file(path), Rule::MissingField, "missing required field `certificate.status`, expected one of certified, in-progress, not-certified");
            return None;
        }
        Some(s) => match CertificateStatus::parse(&s.value) {
            Ok(st) => st,
            Err(e) => {
                diags.error(
                    yaml::pos_of(&s, path, 0),
                    Rule::UnknownValue,
                    format!("unknown certificate status {e}"),
                );
                return None;
            }
        },
    };
    let mut date = |d: Option<Spanned<String>>| {
        d.and_then(|d| match Date::parse(&d.value) {
            Ok(date) => Some(date),
            Err(e) => {
                diags.error(yaml::pos_of(&d, path, 0), Rule::InvalidDate, e);
                None
            }
        })
    };
    Some(Certificate {
        status,
        reference: c.reference,
        certification_body: c.certification_body,
        accreditation_body: c.accreditation_body,
        issued: date(c.issued),
        expires: date(c.expires),
        register_url,
        standard: c.standard,
    })
}

fn parse_defaults(d: RawDefaults, diags: &mut Diagnostics) -> Vec<(Collection, Classification)> {
    let entries = [
        (Collection::Policies, d.policies),
        (Collection::Controls, d.controls),
        (Collection::Evidence, d.evidence),
        (Collection::Risks, d.risks),
        (Collection::Findings, d.findings),
        (Collection::Suppliers, d.suppliers),
    ];
    let mut out = Vec::new();
    for (collection, default) in entries {
        let Some(cl) = default.and_then(|d| d.classification) else {
            continue;
        };
        match Classification::parse(&cl.value) {
            Ok(c) => out.push((collection, c)),
            Err(e) => diags.error(
                yaml::pos_of(&cl, CONFIG_FILE, 0),
                Rule::UnknownValue,
                format!("unknown classification {e}"),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_config() {
        let mut d = Diagnostics::new();
        let c = parse(
            "title: T\nbase_url: https://x.example/\norganisation: {name: Org}\n",
            &mut d,
        )
        .unwrap();
        assert!(d.is_empty());
        assert_eq!(c.language, "en");
        assert_eq!(
            c.default_classification(Collection::Policies),
            Classification::Internal
        );
    }

    #[test]
    fn defaults_and_errors() {
        let mut d = Diagnostics::new();
        let c = parse(
            "title: T\nbase_url: https://x.example/\norganisation: {name: Org}\ndefaults:\n  suppliers: {classification: public}\n  risks: {classification: secret}\n",
            &mut d,
        )
        .unwrap();
        assert_eq!(
            c.default_classification(Collection::Suppliers),
            Classification::Public
        );
        let errs: Vec<String> = d.into_sorted().iter().map(ToString::to_string).collect();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].starts_with("site.yaml:6:"), "{}", errs[0]);
    }

    #[test]
    fn base_url_is_an_absolute_web_address() {
        let check = |base: &str| {
            let mut d = Diagnostics::new();
            parse(
                &format!("title: T\nbase_url: {base}\norganisation: {{name: Org}}\n"),
                &mut d,
            );
            d.into_sorted()
                .iter()
                .map(|d| format!("{}:{} {}", d.pos.line, d.pos.column, d.rule))
                .collect::<Vec<_>>()
        };
        for ok in ["https://trust.example.org/", "http://x.example/security/"] {
            assert_eq!(check(ok), Vec::<String>::new(), "{ok}");
        }
        for bad in [
            "/",
            "/trust/",
            "trust.example.org",
            "ftp://x.example/",
            "https://",
        ] {
            assert_eq!(check(bad), ["2:11 unsafe-url"], "{bad}");
        }
        assert_eq!(check(PLACEHOLDER_BASE_URL), ["2:11 placeholder-base-url"]);
        // The placeholder is the one `init` writes.
        assert!(
            include_str!("cmd/init.rs").contains(&format!("base_url: {PLACEHOLDER_BASE_URL}\\n"))
        );
    }

    #[test]
    fn check_ignore_takes_warning_rules_only() {
        let mut d = Diagnostics::new();
        let c = parse(
            "title: T\nbase_url: https://x.example/\norganisation: {name: Org}\ncheck:\n  ignore: [not-assessed, orphan-polcy, broken-link]\n",
            &mut d,
        )
        .unwrap();
        assert_eq!(c.ignore, [Rule::NotAssessed]);
        let errs: Vec<String> = d.into_sorted().iter().map(ToString::to_string).collect();
        assert_eq!(
            errs,
            [
                "site.yaml:5:26: error: unknown rule \"orphan-polcy\" in `check.ignore` (did you mean `orphan-policy`?)",
                "site.yaml:5:40: error: `broken-link` is an error and cannot be ignored: errors mean the site is wrong; fix the site instead (only warning rules can be ignored)",
            ]
        );
    }

    #[test]
    fn missing_title_reported() {
        let mut d = Diagnostics::new();
        assert!(
            parse(
                "base_url: https://x.example/\norganisation: {name: Org}\n",
                &mut d
            )
            .is_none()
        );
        assert!(d.iter().any(|x| x.message.contains("`title`")));
    }
}

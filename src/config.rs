//! `site.yaml` → `Config`.

use serde::Deserialize;

use crate::diagnostic::{Diagnostics, Pos};
use crate::model::{
    Audience, CertificateStatus, Classification, Collection, Date, Section, Sections,
};
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
    /// The certificates held, in the order written (`certificates:`, or the one
    /// `certificate:`); none when not certified.
    pub certificates: Vec<Certificate>,
    /// Default classification per collection (`internal` unless set).
    pub defaults: Vec<(Collection, Classification)>,
    pub allow_raw_html: bool,
    pub highlight_theme: String,
    /// Whether lists say how many further policies and evidence items are available on
    /// request (default true).
    pub show_restricted_counts: bool,
    /// Where each URL field (`base_url`, `organisation.website`, `requests.url`) was written,
    /// for the diagnostics of link checking (a certificate's `register_url`: see
    /// `Certificate::register_url_pos`).
    pub url_pos: Vec<(&'static str, Pos)>,
    /// The site's logo, favicon, accent colour and extra stylesheet (`brand:`).
    pub brand: Brand,
    /// `redirects:` (or `aliases:`): old addresses of pages, each with the link it now means.
    pub redirects: Vec<Redirect>,
    /// Warning rules silenced on purpose (`check: {ignore: [rule-id, …]}`); never an error's.
    pub ignore: Vec<Rule>,
    /// The sections each edition has, where `editions:` names them (else the defaults).
    pub editions: Vec<(Audience, Sections)>,
    /// `requests: {url}`: the external form "available on request" items link to.
    pub requests_url: Option<String>,
    /// `hosting_regions:` where the service is hosted, shown on the home page.
    pub hosting_regions: Vec<String>,
}

/// One entry of `redirects:`: an old address (`/security-policies/access/`) and the link it
/// now means (`policy:access-control`), resolved and checked when the site is linked.
#[derive(Debug, Clone)]
pub struct Redirect {
    pub from: String,
    pub to: String,
    /// Where the entry's target was written.
    pub pos: Pos,
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
    /// Where `register_url` was written.
    pub register_url_pos: Pos,
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

    /// The sections the edition for `audience` has.
    pub fn sections(&self, audience: Audience) -> Sections {
        self.editions
            .iter()
            .find(|(a, _)| *a == audience)
            .map_or_else(|| Sections::default_for(audience), |(_, s)| *s)
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

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<Spanned<String>>,
    /// The absolute http(s) address the site is published at.
    base_url: Option<Spanned<String>>,
    description: Option<String>,
    /// The language of the pages, e.g. en or de.
    language: Option<Spanned<String>>,
    organisation: Option<RawOrganisation>,
    framework: Option<Spanned<String>>,
    /// The one certificate held (or use `certificates` for several, not both).
    certificate: Option<Spanned<RawCertificate>>,
    /// The certificates held, each of the shape of `certificate`.
    certificates: Option<Spanned<Vec<Spanned<RawCertificate>>>>,
    /// The classification of items that do not set one, per collection.
    defaults: Option<RawDefaults>,
    allow_raw_html: Option<bool>,
    highlight_theme: Option<Spanned<String>>,
    show_restricted_counts: Option<bool>,
    /// Old addresses (e.g. from a previous site) → the item they moved to.
    #[serde(alias = "aliases")]
    redirects: Option<std::collections::BTreeMap<String, Spanned<String>>>,
    brand: Option<RawBrand>,
    check: Option<RawCheck>,
    /// The sections each edition has.
    editions: Option<RawEditions>,
    /// Where readers request documents that are available on request.
    requests: Option<RawRequests>,
    /// Where the service is hosted (regions, countries), shown on the home page.
    hosting_regions: Option<Vec<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawEditions {
    public: Option<RawEdition>,
    customer: Option<RawEdition>,
    internal: Option<RawEdition>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawEdition {
    /// overview, scope, certification, policies, controls, traceability, evidence, risks,
    /// findings, suppliers.
    sections: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawRequests {
    /// The https address of a request form; it is given `?item=<id>&title=<title>`.
    url: Option<Spanned<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    ignore: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawOrganisation {
    name: Option<Spanned<String>>,
    contact_email: Option<String>,
    website: Option<Spanned<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawCertificate {
    /// certified, in-progress or not-certified.
    status: Option<Spanned<String>>,
    reference: Option<String>,
    certification_body: Option<String>,
    accreditation_body: Option<String>,
    /// The date the certificate was issued, YYYY-MM-DD.
    issued: Option<Spanned<String>>,
    /// The date the certificate expires, YYYY-MM-DD.
    expires: Option<Spanned<String>>,
    register_url: Option<Spanned<String>>,
    standard: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    policies: Option<RawDefault>,
    controls: Option<RawDefault>,
    evidence: Option<RawDefault>,
    risks: Option<RawDefault>,
    findings: Option<RawDefault>,
    suppliers: Option<RawDefault>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawDefault {
    classification: Option<Spanned<String>>,
}

/// The JSON Schema of `site.yaml`, generated from the very shape `parse` reads
/// (`trustpress schema`).
pub fn json_schema(generator: schemars::SchemaGenerator) -> schemars::Schema {
    generator.into_root_schema_for::<RawConfig>()
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
    let requests_url = raw.requests.as_mut().and_then(|r| r.url.take());
    if let Some(r) = &requests_url {
        check_requests_url(&r.value, pos(r), diags);
    }
    let requests_url = url("requests.url", requests_url);
    if let Some(b) = &raw.base_url {
        url_pos.push(("base_url", pos(b)));
    }
    let language = parse_language(raw.language, diags);
    let brand = raw.brand.map(|b| parse_brand(b, diags)).unwrap_or_default();
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
    let certificates = parse_certificates(raw.certificate, raw.certificates, diags);
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
    let redirects = parse_redirects(raw.redirects.take());
    let ignore = raw
        .check
        .and_then(|c| c.ignore)
        .map(|ids| parse_ignore(ids, diags))
        .unwrap_or_default();
    let editions = raw
        .editions
        .map(|e| parse_editions(e, diags))
        .unwrap_or_default();
    let hosting_regions = raw
        .hosting_regions
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    Some(Config {
        editions,
        requests_url,
        hosting_regions,
        ignore,
        title: title?,
        base_url: base_url?,
        description: raw.description,
        language,
        organisation: organisation?,
        framework,
        certificates,
        defaults,
        allow_raw_html: raw.allow_raw_html.unwrap_or(false),
        highlight_theme,
        show_restricted_counts: raw.show_restricted_counts.unwrap_or(true),
        url_pos,
        redirects,
        brand,
    })
}

/// `editions:` → the sections of each edition it names. An unknown section is an error at its
/// line and column, with the nearest name.
fn parse_editions(e: RawEditions, diags: &mut Diagnostics) -> Vec<(Audience, Sections)> {
    let mut out = Vec::new();
    for (audience, edition) in [
        (Audience::Public, e.public),
        (Audience::Customer, e.customer),
        (Audience::Internal, e.internal),
    ] {
        let Some(names) = edition.and_then(|e| e.sections) else {
            continue;
        };
        let mut sections = Sections::default();
        for name in names {
            match Section::parse(&name.value) {
                Ok(s) => sections.insert(s),
                Err(e) => diags.error(
                    yaml::pos_of(&name, CONFIG_FILE, 0),
                    Rule::UnknownValue,
                    format!("unknown section {e} in `editions.{audience}.sections`"),
                ),
            }
        }
        out.push((audience, sections));
    }
    out
}

/// The request form gets `?item=…&title=…` appended: an absolute web address. Another
/// scheme that runs script is reported by the URL field check (`unsafe-url`) like any other.
fn check_requests_url(value: &str, pos: Pos, diags: &mut Diagnostics) {
    let value = value.trim();
    if value.is_empty() || !crate::markdown::is_safe_url(value) {
        return;
    }
    let web = url::Url::parse(value)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    if web.is_none() {
        diags.error(
            pos,
            Rule::UnsafeUrl,
            format!(
                "`requests.url` \"{value}\" is not an absolute web address, expected the address of a request form, such as https://example.org/trust/request"
            ),
        );
    }
}

/// `redirects:` as a list; the targets are checked when the site is linked.
fn parse_redirects(
    raw: Option<std::collections::BTreeMap<String, Spanned<String>>>,
) -> Vec<Redirect> {
    raw.unwrap_or_default()
        .into_iter()
        .map(|(from, to)| Redirect {
            pos: yaml::pos_of(&to, CONFIG_FILE, 0),
            from: from.trim().to_string(),
            to: to.value.trim().to_string(),
        })
        .collect()
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

/// `certificate:` (one) or `certificates:` (a list of the same shape), in the order written.
/// Both at once is an error naming both lines: which one is meant is not for us to guess.
fn parse_certificates(
    one: Option<Spanned<RawCertificate>>,
    list: Option<Spanned<Vec<Spanned<RawCertificate>>>>,
    diags: &mut Diagnostics,
) -> Vec<Certificate> {
    let path = CONFIG_FILE;
    match (one, list) {
        (None, None) => Vec::new(),
        (Some(one), Some(list)) => {
            let (first, second) = (yaml::pos_of(&one, path, 0), yaml::pos_of(&list, path, 0));
            let message = format!(
                "both `certificate` (its fields from line {}) and `certificates` (its list from line {}) are given, expected one of them: move the certificate of line {} into the `certificates` list",
                first.line, second.line, first.line
            );
            diags.error(second, Rule::UnknownField, message);
            Vec::new()
        }
        (Some(one), None) => parse_certificate(one, "certificate", diags)
            .into_iter()
            .collect(),
        (None, Some(list)) => list
            .value
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| parse_certificate(c, &format!("certificates[{}]", i + 1), diags))
            .collect(),
    }
}

/// One certificate; `name` is how messages call it (`certificate`, `certificates[2]`).
fn parse_certificate(
    c: Spanned<RawCertificate>,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<Certificate> {
    let path = CONFIG_FILE;
    let at = yaml::pos_of(&c, path, 0);
    let c = c.value;
    let status = match c.status {
        None => {
            diags.error(
                at,
                Rule::MissingField,
                format!("missing required field `{name}.status`, expected one of certified, in-progress, not-certified"),
            );
            return None;
        }
        Some(s) => match CertificateStatus::parse(&s.value) {
            Ok(st) => st,
            Err(e) => {
                diags.error(
                    yaml::pos_of(&s, path, 0),
                    Rule::UnknownValue,
                    format!("unknown certificate status {e} in `{name}.status`"),
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
    let register_url_pos = c
        .register_url
        .as_ref()
        .map_or_else(|| Pos::file(path), |u| yaml::pos_of(u, path, 0));
    Some(Certificate {
        status,
        reference: c.reference,
        certification_body: c.certification_body,
        accreditation_body: c.accreditation_body,
        issued: date(c.issued),
        expires: date(c.expires),
        register_url: c
            .register_url
            .map(|u| u.value.trim().to_string())
            .filter(|u| !u.is_empty()),
        register_url_pos,
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

// ---- `language:` and `brand:` (issue 10, points 20 and 21) ----

/// `brand:` in `site.yaml`: files are paths under `static/`, published at the same path
/// without the `static/` prefix.
#[derive(Debug, Clone, Default)]
pub struct Brand {
    pub logo: Option<BrandFile>,
    /// The logo shown when the reader's system prefers a dark colour scheme.
    pub logo_dark: Option<BrandFile>,
    pub favicon: Option<BrandFile>,
    /// A CSS colour (`#rgb`, `#rrggbb` or a colour name), set as `--accent`.
    pub accent: Option<String>,
    /// A stylesheet linked after the theme's.
    pub extra_css: Option<BrandFile>,
}

/// A file of `static/` named by a `brand` field.
#[derive(Debug, Clone)]
pub struct BrandFile {
    /// Its output path (`img/logo.svg` for `static/img/logo.svg`).
    pub path: String,
    /// Where the field was written, for the diagnostic when the file is missing.
    pub pos: Pos,
}

impl Brand {
    fn files(&self) -> impl Iterator<Item = (&'static str, &BrandFile)> {
        [
            ("logo", &self.logo),
            ("logo_dark", &self.logo_dark),
            ("favicon", &self.favicon),
            ("extra_css", &self.extra_css),
        ]
        .into_iter()
        .filter_map(|(name, f)| Some((name, f.as_ref()?)))
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawBrand {
    logo: Option<Spanned<String>>,
    logo_dark: Option<Spanned<String>>,
    favicon: Option<Spanned<String>>,
    accent: Option<Spanned<String>>,
    extra_css: Option<Spanned<String>>,
}

/// The `language` (default `en`); one trustpress has no strings for is warned about, and its
/// pages use English (the `lang` attribute keeps what was written).
fn parse_language(language: Option<Spanned<String>>, diags: &mut Diagnostics) -> String {
    let Some(l) = language else {
        return "en".into();
    };
    let value = l.value.trim().to_string();
    if crate::render::i18n::lookup(&value).is_none() {
        diags.warning(
            yaml::pos_of(&l, CONFIG_FILE, 0),
            Rule::UnknownLanguage,
            format!(
                "trustpress has no interface strings for language \"{value}\", expected one of {}: pages use English",
                crate::render::i18n::LANGUAGES.join(", ")
            ),
        );
    }
    if value.is_empty() { "en".into() } else { value }
}

fn parse_brand(b: RawBrand, diags: &mut Diagnostics) -> Brand {
    let mut file = |field: &str, v: Option<Spanned<String>>| {
        let v = v?;
        let pos = yaml::pos_of(&v, CONFIG_FILE, 0);
        match static_path(&v.value) {
            Some(path) => Some(BrandFile { path, pos }),
            None => {
                diags.error(
                    pos,
                    Rule::BrandFile,
                    format!(
                        "`brand.{field}` is \"{}\", expected a file under static/ (e.g. static/logo.svg)",
                        v.value
                    ),
                );
                None
            }
        }
    };
    let logo = file("logo", b.logo);
    let logo_dark = file("logo_dark", b.logo_dark);
    let favicon = file("favicon", b.favicon);
    let extra_css = file("extra_css", b.extra_css);
    // The dark logo is a variant of the logo: alone, the header would never show it.
    let logo_dark = match (&logo, logo_dark) {
        (None, Some(dark)) => {
            diags.error(
                dark.pos,
                Rule::BrandFile,
                "`brand.logo_dark` is set without `brand.logo`, expected both (logo_dark is shown instead of logo in dark mode)",
            );
            None
        }
        (_, dark) => dark,
    };
    let accent = b.accent.and_then(|a| {
        let value = a.value.trim();
        if is_css_colour(value) {
            Some(value.to_ascii_lowercase())
        } else {
            diags.error(
                yaml::pos_of(&a, CONFIG_FILE, 0),
                Rule::InvalidColour,
                format!("`brand.accent` is \"{value}\", expected a CSS colour: #rgb, #rrggbb or a colour name (e.g. \"#1f5fbf\", quoted, or teal)"),
            );
            None
        }
    });
    Brand {
        logo,
        logo_dark,
        favicon,
        accent,
        extra_css,
    }
}

/// `static/img/logo.svg` (or `./static/…`) → `img/logo.svg`; `None` when the path is not a
/// plain relative path inside `static/`.
fn static_path(value: &str) -> Option<String> {
    let mut parts = value
        .trim()
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".");
    if value.trim().starts_with('/') || value.contains('\\') || parts.next()? != "static" {
        return None;
    }
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() || rest.contains(&"..") {
        return None;
    }
    Some(rest.join("/"))
}

/// `#rgb`, `#rrggbb`, or one of the CSS named colours.
pub fn is_css_colour(value: &str) -> bool {
    if let Some(hex) = value.strip_prefix('#') {
        return matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    let lower = value.to_ascii_lowercase();
    CSS_COLOUR_NAMES.split_whitespace().any(|n| n == lower)
}

const CSS_COLOUR_NAMES: &str = "aliceblue antiquewhite aqua aquamarine azure beige bisque black \
    blanchedalmond blue blueviolet brown burlywood cadetblue chartreuse chocolate coral \
    cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen \
    darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon \
    darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink \
    deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro \
    ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo \
    ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan \
    lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen \
    lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen \
    magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen \
    mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream \
    mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid \
    palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum \
    powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown \
    seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen \
    steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen";

/// Reports each `brand` file that is not among the site's files (`files` holds paths relative
/// to the site folder, `static/…` included). Loading calls this once the folder is listed.
pub fn check_brand_files<'a>(
    config: &Config,
    files: impl IntoIterator<Item = &'a String>,
    diags: &mut Diagnostics,
) {
    let present: std::collections::HashSet<&str> = files.into_iter().map(String::as_str).collect();
    for (field, f) in config.brand.files() {
        let source = format!("static/{}", f.path);
        if !present.contains(source.as_str()) {
            diags.error(
                f.pos.clone(),
                Rule::BrandFile,
                format!("`brand.{field}`: {source} does not exist, expected a file under static/"),
            );
        }
    }
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

    fn certificate_config(yaml: &str) -> (Vec<Certificate>, Vec<String>) {
        let mut d = Diagnostics::new();
        let c = parse(
            &format!("title: T\nbase_url: https://x.example/\norganisation: {{name: Org}}\n{yaml}"),
            &mut d,
        )
        .expect("config");
        let errs = d.into_sorted().iter().map(ToString::to_string).collect();
        (c.certificates, errs)
    }

    #[test]
    fn certificates_one_or_a_list_never_both() {
        let standards = |cs: &[Certificate]| -> Vec<Option<String>> {
            cs.iter().map(|c| c.standard.clone()).collect()
        };
        // `certificate:` keeps working: one certificate.
        let (cs, errs) = certificate_config(
            "certificate:\n  status: certified\n  standard: ISO/IEC 27001:2022\n  register_url: https://r.example/1\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(standards(&cs), [Some("ISO/IEC 27001:2022".into())]);
        assert_eq!(cs[0].register_url.as_deref(), Some("https://r.example/1"));
        assert_eq!(
            (cs[0].register_url_pos.line, cs[0].register_url_pos.column),
            (7, 17)
        );
        // `certificates:` in the order written, each with its own register link position.
        let (cs, errs) = certificate_config(
            "certificates:\n  - status: certified\n    standard: ISO/IEC 27001:2022\n  - status: in-progress\n    standard: ISO/IEC 27701:2019\n    register_url: https://r.example/2\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(
            standards(&cs),
            [
                Some("ISO/IEC 27001:2022".into()),
                Some("ISO/IEC 27701:2019".into())
            ]
        );
        assert_eq!(cs[1].status, CertificateStatus::InProgress);
        assert_eq!(cs[0].register_url, None);
        assert_eq!(cs[1].register_url_pos.line, 9);
        // An empty list: not certified.
        let (cs, errs) = certificate_config("certificates: []\n");
        assert!(cs.is_empty() && errs.is_empty(), "{errs:?}");
        // Both: an error at `certificates` naming both lines, and no certificate is guessed.
        let (cs, errs) = certificate_config(
            "certificate:\n  status: certified\ncertificates:\n  - status: in-progress\n",
        );
        assert!(cs.is_empty());
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with("site.yaml:7:")
                && errs[0].contains("both `certificate` (its fields from line 5) and `certificates` (its list from line 7) are given"),
            "{errs:?}"
        );
        // An entry of the list is named by its place, at its position.
        let (cs, errs) = certificate_config(
            "certificates:\n  - status: certified\n  - standard: SOC 2\n  - status: revoked\n",
        );
        assert_eq!(cs.len(), 1);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0].starts_with(
                "site.yaml:6:5: error: missing required field `certificates[2].status`"
            ),
            "{errs:?}"
        );
        assert!(
            errs[1].starts_with("site.yaml:7:") && errs[1].contains("in `certificates[3].status`"),
            "{errs:?}"
        );
    }

    fn brand_diags(brand: &str) -> (Option<Config>, Vec<String>) {
        let mut d = Diagnostics::new();
        let c = parse(
            &format!(
                "title: T\nbase_url: https://example.test/\norganisation: {{name: Org}}\nbrand:\n{brand}"
            ),
            &mut d,
        );
        (c, d.into_sorted().iter().map(ToString::to_string).collect())
    }

    #[test]
    fn brand_paths_and_accent() {
        let (c, errs) = brand_diags("  logo: static/img/logo.svg\n  accent: \"#1A2b3c\"\n");
        assert!(errs.is_empty(), "{errs:?}");
        let brand = c.unwrap().brand;
        assert_eq!(brand.logo.unwrap().path, "img/logo.svg");
        assert_eq!(brand.accent.as_deref(), Some("#1a2b3c"));
        let (_, errs) = brand_diags(
            "  logo: img/logo.svg\n  favicon: static/../site.yaml\n  accent: blurple\n",
        );
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(
            errs[0].starts_with("site.yaml:5:9: error: `brand.logo`"),
            "{}",
            errs[0]
        );
        assert!(
            errs[1].starts_with("site.yaml:6:12: error: `brand.favicon`"),
            "{}",
            errs[1]
        );
        assert!(errs[2].contains("expected a CSS colour"), "{}", errs[2]);
        let (_, errs) = brand_diags("  logo_dark: static/dark.svg\n");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with(
                "site.yaml:5:14: error: `brand.logo_dark` is set without `brand.logo`"
            ),
            "{}",
            errs[0]
        );
        for ok in ["#abc", "#AABBCC", "teal", "RebeccaPurple"] {
            assert!(is_css_colour(ok), "{ok}");
        }
        for bad in ["#abcd", "#ggg", "red;}", "", "url(x)"] {
            assert!(!is_css_colour(bad), "{bad}");
        }
    }

    #[test]
    fn unknown_language_warns() {
        let mut d = Diagnostics::new();
        let c = parse(
            "title: T\nbase_url: https://example.test/\nlanguage: fr\norganisation: {name: Org}\n",
            &mut d,
        )
        .unwrap();
        assert_eq!(c.language, "fr");
        let all: Vec<String> = d.iter().map(ToString::to_string).collect();
        assert_eq!(all.len(), 1);
        assert!(
            all[0].starts_with(
                "site.yaml:3:11: warning: trustpress has no interface strings for language \"fr\""
            ),
            "{}",
            all[0]
        );
    }

    #[test]
    fn redirects_are_read_with_positions_under_either_name() {
        for key in ["redirects", "aliases"] {
            let mut d = Diagnostics::new();
            let c = parse(
                &format!("title: T\nbase_url: https://example.test/\norganisation: {{name: Org}}\n{key}:\n  /old/access/: policy:access-control\n"),
                &mut d,
            )
            .expect("config");
            assert!(d.is_empty(), "{d:?}");
            assert_eq!(c.redirects.len(), 1);
            assert_eq!(c.redirects[0].from, "/old/access/");
            assert_eq!(c.redirects[0].to, "policy:access-control");
            assert_eq!(
                (c.redirects[0].pos.line, c.redirects[0].pos.column),
                (5, 17)
            );
        }
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
    fn editions_name_known_sections() {
        let mut d = Diagnostics::new();
        let c = parse(
            "title: T\nbase_url: https://x.example/\norganisation: {name: Org}\neditions:\n  public:\n    sections: [overview, polices, controls]\n  internal: {sections: [overview]}\n",
            &mut d,
        )
        .expect("config");
        let errs: Vec<String> = d.into_sorted().iter().map(ToString::to_string).collect();
        assert_eq!(
            errs,
            [
                "site.yaml:6:26: error: unknown section \"polices\", expected one of overview, scope, certification, policies, controls, traceability, evidence, risks, findings, suppliers (did you mean \"policies\"?) in `editions.public.sections`"
            ]
        );
        let public = c.sections(Audience::Public);
        assert!(public.contains(Section::Controls) && !public.contains(Section::Policies));
        assert!(!c.sections(Audience::Internal).contains(Section::Scope));
        // An edition not named keeps its defaults.
        assert_eq!(
            c.sections(Audience::Customer),
            Sections::default_for(Audience::Customer)
        );
    }

    #[test]
    fn requests_url_is_an_absolute_web_address() {
        for (value, expected) in [
            ("https://example.org/request", None),
            (
                "/request/",
                Some(
                    "site.yaml:5:8: error: `requests.url` \"/request/\" is not an absolute web address",
                ),
            ),
            (
                "mailto:x@example.org",
                Some(
                    "site.yaml:5:8: error: `requests.url` \"mailto:x@example.org\" is not an absolute web address",
                ),
            ),
            // Left to the URL field check, which reports every unsafe scheme alike.
            ("javascript:alert(1)", None),
        ] {
            let mut d = Diagnostics::new();
            let c = parse(
                &format!("title: T\nbase_url: https://x.example/\norganisation: {{name: Org}}\nrequests:\n  url: {value}\n"),
                &mut d,
            )
            .expect("config");
            let errs: Vec<String> = d.into_sorted().iter().map(ToString::to_string).collect();
            match expected {
                None => assert!(errs.is_empty(), "{value}: {errs:?}"),
                Some(e) => assert!(
                    errs.len() == 1 && errs[0].starts_with(e),
                    "{value}: {errs:?}"
                ),
            }
            assert_eq!(c.requests_url.as_deref(), Some(value));
            assert_eq!(
                (
                    c.url_pos("requests.url").line,
                    c.url_pos("requests.url").column
                ),
                (5, 8)
            );
        }
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

//! The raw shapes of each source file, and their conversion into the typed model.
//! Unknown fields are rejected (`deny_unknown_fields`): in a compliance record a typo'd field
//! silently ignored is worse than an error.

use serde::Deserialize;

use crate::diagnostic::Pos;
use crate::model::*;
use crate::rules::Rule;
use crate::source::fields::{Fields, S};
use crate::yaml::Spanned;

type List = Option<Vec<Spanned<String>>>;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// The policy id (default: the file name, or the folder of an `index.md`).
    id: S<String>,
    title: S<String>,
    /// Who owns the policy (a role or person).
    owner: S<String>,
    /// The document version, e.g. "2.1".
    version: S<String>,
    /// draft, approved or retired.
    status: S<String>,
    /// The date it was approved, YYYY-MM-DD.
    approved: S<String>,
    /// Who approved it.
    approved_by: S<String>,
    /// The date of the next review, YYYY-MM-DD.
    review_by: S<String>,
    /// Who may see it: public, customer or internal.
    classification: S<String>,
    /// List a restricted policy by title for readers who may not open it.
    listed: Option<bool>,
    /// The Annex A controls it addresses, e.g. [A.5.15, A.8.2].
    controls: List,
    /// One or two sentences shown in lists.
    summary: S<String>,
    /// Keywords shown as chips, e.g. [access, hr].
    tags: Option<Vec<String>>,
    /// The revision history: a list of {version, date, approved_by, summary}.
    history: Option<Vec<RawRevision>>,
    /// Free data for template overrides; never validated.
    #[schemars(with = "serde_json::Value")]
    extra: Option<serde_json::Value>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRevision {
    version: S<String>,
    date: S<String>,
    approved_by: S<String>,
    summary: S<String>,
}

/// A policy file with no front matter: a draft whose id is the file name and whose title is
/// the body's first heading (else the file name), with a warning saying what approval needs.
pub fn policy_without_front_matter(
    stem: &str,
    body: Markdown,
    default: Classification,
    f: &mut Fields,
) -> Option<Policy> {
    let title = body
        .held_text()
        .and_then(first_heading)
        .unwrap_or_else(|| stem.to_string());
    f.diags.warning(
        Pos::file(f.path),
        Rule::IncompleteDraft,
        format!(
            "no front matter: read as draft policy \"{stem}\" titled \"{title}\"; before it can be approved, start the file with front matter giving `owner`, `version`, `status: approved` and `approved: YYYY-MM-DD` between `---` lines"
        ),
    );
    Some(Policy {
        common: Common {
            slug: slugify(stem),
            id: stem.to_string(),
            classification: default,
            listed: false,
            pos: Pos::file(f.path),
            notes: None,
            field_pos: Vec::new(),
        },
        title,
        owner: String::new(),
        version: String::new(),
        status: PolicyStatus::Draft,
        approved: None,
        approved_by: None,
        review_by: None,
        controls: Vec::new(),
        summary: None,
        tags: Vec::new(),
        history: Vec::new(),
        extra: None,
        body,
    })
}

/// The text of the first ATX heading (`# Title`, any level) of a Markdown body.
fn first_heading(body: &str) -> Option<String> {
    body.lines().find_map(|l| {
        let l = l.trim_start();
        let hashes = l.len() - l.trim_start_matches('#').len();
        let rest = &l[hashes..];
        ((1..=6).contains(&hashes) && rest.starts_with([' ', '\t']))
            .then(|| rest.trim().trim_end_matches('#').trim().to_string())
            .filter(|t| !t.is_empty())
    })
}

/// Builds a policy from its front matter; `stem` is the file name without extension.
pub fn policy(
    raw: RawPolicy,
    stem: &str,
    body: Markdown,
    default: Classification,
    f: &mut Fields,
) -> Option<Policy> {
    let file = Pos::file(f.path);
    let id_pos = raw.id.as_ref().map(|i| ("id", f.pos(i)));
    let id = match raw.id {
        Some(id) => f.required(Some(id), "id", &file)?,
        None => stem.to_string(),
    };
    let mut field_pos = positions(
        f,
        [
            ("status", &raw.status),
            ("approved", &raw.approved),
            ("review_by", &raw.review_by),
        ],
    );
    field_pos.extend(id_pos);
    let title = f.required(raw.title, "title", &file);
    let status = f
        .vocab(raw.status, "status", PolicyStatus::parse)
        .unwrap_or(PolicyStatus::Draft);
    // Who owns a policy and which version it is are what approval signs off: required then,
    // and until then a draft says what it still lacks (an empty value stays an error).
    let (owner, version) = if status == PolicyStatus::Approved {
        (
            f.required(raw.owner, "owner", &file),
            f.required(raw.version, "version", &file),
        )
    } else {
        let missing: Vec<&str> = [("owner", &raw.owner), ("version", &raw.version)]
            .into_iter()
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| n)
            .collect();
        if !missing.is_empty() && status == PolicyStatus::Draft {
            f.diags.warning(
                file.clone(),
                Rule::IncompleteDraft,
                format!(
                    "draft policy \"{id}\" has no {}: add {} before it can be approved",
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    if missing.len() == 1 { "it" } else { "them" }
                ),
            );
        }
        let text = |v: S<String>, name: &str, f: &mut Fields| match v {
            Some(v) => f.required(Some(v), name, &file),
            None => Some(String::new()),
        };
        (text(raw.owner, "owner", f), text(raw.version, "version", f))
    };
    let approved = f.date(raw.approved);
    let review_by = f.date(raw.review_by);
    let classification = f.classification(raw.classification, default);
    let controls = f.control_refs(raw.controls);
    Some(Policy {
        common: Common {
            slug: slugify(&id),
            id,
            classification,
            listed: raw.listed.unwrap_or(false),
            pos: file,
            notes: None,
            field_pos,
        },
        title: title?,
        owner: owner?,
        version: version?,
        status,
        approved,
        approved_by: f.text(raw.approved_by),
        review_by,
        controls,
        summary: f.text(raw.summary),
        tags: f.strings(raw.tags),
        history: raw
            .history
            .unwrap_or_default()
            .into_iter()
            .map(|r| Revision {
                version: f.text(r.version),
                date: f.date(r.date),
                approved_by: f.text(r.approved_by),
                summary: f.text(r.summary),
            })
            .collect(),
        extra: raw.extra,
        body,
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScope {
    title: S<String>,
    legal_entity: S<String>,
    services: Option<Vec<String>>,
    locations: Option<Vec<String>>,
    hosted_environments: Option<Vec<String>>,
    /// What is out of scope: a list of `{item, justification}`.
    exclusions: Option<Vec<RawExclusion>>,
    assumptions: Option<Vec<String>>,
    /// The date the scope was last updated, YYYY-MM-DD.
    updated: S<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExclusion {
    item: String,
    justification: Option<String>,
}

pub fn scope(raw: RawScope, body: Markdown, f: &mut Fields) -> Scope {
    Scope {
        title: f
            .text(raw.title)
            .unwrap_or_else(|| "Scope of the ISMS".into()),
        legal_entity: f.text(raw.legal_entity),
        services: f.strings(raw.services),
        locations: f.strings(raw.locations),
        hosted_environments: f.strings(raw.hosted_environments),
        exclusions: raw
            .exclusions
            .unwrap_or_default()
            .into_iter()
            .map(|e| Exclusion {
                item: e.item,
                justification: e.justification,
            })
            .collect(),
        assumptions: f.strings(raw.assumptions),
        updated: f.date(raw.updated),
        body,
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMapping {
    /// The Annex A control id, e.g. A.5.15.
    control: S<String>,
    /// Whether the control applies (Statement of Applicability).
    applicable: Option<Spanned<bool>>,
    /// Why it applies, or why not (required when not applicable).
    justification: S<String>,
    /// implemented, partially-implemented, planned or not-implemented.
    status: S<String>,
    owner: S<String>,
    /// Ids of the policies that implement it.
    policies: List,
    /// Ids of the evidence items that show it.
    evidence: List,
    /// Ids of the risks it treats.
    risks: List,
    notes: S<String>,
    classification: S<String>,
}

pub fn mapping(
    raw: Spanned<RawMapping>,
    default: Classification,
    f: &mut Fields,
) -> Option<Mapping> {
    let pos = f.pos(&raw);
    let raw = raw.value;
    let control = match &raw.control {
        Some(c) => f.control_ref(c),
        None => {
            f.diags.error(
                pos.clone(),
                Rule::MissingField,
                "missing required field `control`",
            );
            None
        }
    };
    let applicable = match raw.applicable {
        Some(a) => Some(a.value),
        None => {
            f.diags.error(
                pos.clone(),
                Rule::MissingField,
                "missing required field `applicable` (true or false)",
            );
            None
        }
    };
    let justification = f.text(raw.justification);
    if applicable == Some(false) && justification.is_none() {
        f.diags.error(
            pos.clone(),
            Rule::MissingJustification,
            "a control that is not applicable needs a `justification`",
        );
    }
    let status = f.vocab(raw.status, "status", ControlStatus::parse);
    if applicable == Some(true) && status.is_none() {
        f.diags.error(
            pos.clone(),
            Rule::MissingField,
            "an applicable control needs a `status`: implemented, partially-implemented, planned or not-implemented",
        );
    }
    let classification = f.classification(raw.classification, default);
    Some(Mapping {
        control: control?.id,
        pos,
        applicable: applicable?,
        justification,
        status,
        owner: f.text(raw.owner),
        policies: f.refs(raw.policies),
        evidence: f.refs(raw.evidence),
        risks: f.refs(raw.risks),
        notes: f.markdown(raw.notes),
        classification,
    })
}

/// Identity fields common to every register entry.
fn common(
    id: S<String>,
    classification: S<String>,
    listed: Option<bool>,
    notes: S<String>,
    entry: &Pos,
    default: Classification,
    f: &mut Fields,
) -> Option<Common> {
    let id_pos = id
        .as_ref()
        .map(|i| f.pos(i))
        .unwrap_or_else(|| entry.clone());
    let id = f.required(id, "id", entry);
    let classification = f.classification(classification, default);
    let notes = f.markdown(notes);
    let id = id?;
    Some(Common {
        slug: slugify(&id),
        id,
        classification,
        listed: listed.unwrap_or(false),
        pos: id_pos,
        notes,
        field_pos: Vec::new(),
    })
}

/// The positions of the fields that were present, for `Common::field_pos`.
fn positions<const N: usize>(
    f: &Fields,
    fields: [(&'static str, &S<String>); N],
) -> Vec<(&'static str, Pos)> {
    fields
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| (name, f.pos(v))))
        .collect()
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvidence {
    id: S<String>,
    title: S<String>,
    kind: S<String>,
    owner: S<String>,
    /// The date it was collected, YYYY-MM-DD.
    collected: S<String>,
    /// The date it stops being current, YYYY-MM-DD.
    expires: S<String>,
    url: S<String>,
    /// A file in the site to publish with it, relative to the site folder.
    file: S<String>,
    description: S<String>,
    classification: S<String>,
    listed: Option<bool>,
    notes: S<String>,
}

/// Evidence, with its `file` left for the loader to read (returned as path and position).
pub fn evidence(
    raw: Spanned<RawEvidence>,
    default: Classification,
    f: &mut Fields,
) -> Option<(Evidence, Option<(String, Pos)>)> {
    let entry = f.pos(&raw);
    let r = raw.value;
    let field_pos = positions(f, [("expires", &r.expires), ("url", &r.url)]);
    let common = common(
        r.id,
        r.classification,
        r.listed,
        r.notes,
        &entry,
        default,
        f,
    )
    .map(|c| Common { field_pos, ..c });
    let title = f.required(r.title, "title", &entry);
    let kind = f.vocab(r.kind, "kind", EvidenceKind::parse);
    let collected = f.date(r.collected);
    let expires = f.date(r.expires);
    let file = r.file.map(|p| (p.value.trim().to_string(), f.pos(&p)));
    let ev = Evidence {
        common: common?,
        title: title?,
        kind,
        owner: f.text(r.owner),
        collected,
        expires,
        url: f.text(r.url),
        file: None,
        description: f.markdown(r.description),
        url_resolved: Default::default(),
    };
    Some((ev, file))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRisk {
    id: S<String>,
    title: S<String>,
    asset: S<String>,
    threat: S<String>,
    vulnerability: S<String>,
    /// A whole number from 1 to 5.
    likelihood: S<i64>,
    /// A whole number from 1 to 5.
    impact: S<i64>,
    treatment: S<String>,
    /// The Annex A controls that treat it, e.g. [A.8.7].
    controls: List,
    owner: S<String>,
    residual_likelihood: S<i64>,
    residual_impact: S<i64>,
    /// The date of the next review, YYYY-MM-DD.
    review_by: S<String>,
    status: S<String>,
    classification: S<String>,
    listed: Option<bool>,
    notes: S<String>,
}

pub fn risk(raw: Spanned<RawRisk>, default: Classification, f: &mut Fields) -> Option<Risk> {
    let entry = f.pos(&raw);
    let r = raw.value;
    let field_pos = positions(f, [("review_by", &r.review_by), ("status", &r.status)]);
    let common = common(
        r.id,
        r.classification,
        r.listed,
        r.notes,
        &entry,
        default,
        f,
    )
    .map(|c| Common { field_pos, ..c });
    let title = f.required(r.title, "title", &entry);
    Some(Risk {
        likelihood: f.score(r.likelihood, "likelihood"),
        impact: f.score(r.impact, "impact"),
        treatment: f.vocab(r.treatment, "treatment", Treatment::parse),
        controls: f.control_refs(r.controls),
        residual_likelihood: f.score(r.residual_likelihood, "residual_likelihood"),
        residual_impact: f.score(r.residual_impact, "residual_impact"),
        review_by: f.date(r.review_by),
        status: f.vocab(r.status, "status", RiskStatus::parse),
        asset: f.text(r.asset),
        threat: f.text(r.threat),
        vulnerability: f.text(r.vulnerability),
        owner: f.text(r.owner),
        common: common?,
        title: title?,
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFinding {
    id: S<String>,
    title: S<String>,
    kind: S<String>,
    source: S<String>,
    /// The date it was raised, YYYY-MM-DD.
    raised: S<String>,
    controls: List,
    policies: List,
    owner: S<String>,
    /// The date the corrective action is due, YYYY-MM-DD.
    due: S<String>,
    status: S<String>,
    /// The date it was closed, YYYY-MM-DD.
    closed: S<String>,
    description: S<String>,
    root_cause: S<String>,
    corrective_action: S<String>,
    classification: S<String>,
    listed: Option<bool>,
    notes: S<String>,
}

pub fn finding(
    raw: Spanned<RawFinding>,
    default: Classification,
    f: &mut Fields,
) -> Option<Finding> {
    let entry = f.pos(&raw);
    let r = raw.value;
    let field_pos = positions(f, [("due", &r.due), ("status", &r.status)]);
    let common = common(
        r.id,
        r.classification,
        r.listed,
        r.notes,
        &entry,
        default,
        f,
    )
    .map(|c| Common { field_pos, ..c });
    let title = f.required(r.title, "title", &entry);
    Some(Finding {
        kind: f.vocab(r.kind, "kind", FindingKind::parse),
        raised: f.date(r.raised),
        controls: f.control_refs(r.controls),
        policies: f.refs(r.policies),
        due: f.date(r.due),
        status: f.vocab(r.status, "status", FindingStatus::parse),
        closed: f.date(r.closed),
        source: f.text(r.source),
        owner: f.text(r.owner),
        description: f.markdown(r.description),
        root_cause: f.markdown(r.root_cause),
        corrective_action: f.markdown(r.corrective_action),
        common: common?,
        title: title?,
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSupplier {
    id: S<String>,
    name: S<String>,
    service: S<String>,
    data: S<String>,
    location: S<String>,
    /// Whether the supplier processes personal data for you.
    subprocessor: Option<bool>,
    assurance: Option<Vec<String>>,
    /// The date it was last reviewed, YYYY-MM-DD.
    reviewed: S<String>,
    /// low, medium or high.
    risk: S<String>,
    classification: S<String>,
    listed: Option<bool>,
    notes: S<String>,
}

pub fn supplier(
    raw: Spanned<RawSupplier>,
    default: Classification,
    f: &mut Fields,
) -> Option<Supplier> {
    let entry = f.pos(&raw);
    let r = raw.value;
    let common = common(
        r.id,
        r.classification,
        r.listed,
        r.notes,
        &entry,
        default,
        f,
    );
    let name = f.required(r.name, "name", &entry);
    Some(Supplier {
        service: f.text(r.service),
        data: f.text(r.data),
        location: f.text(r.location),
        subprocessor: r.subprocessor.unwrap_or(false),
        assurance: f.strings(r.assurance),
        reviewed: f.date(r.reviewed),
        risk: f.vocab(r.risk, "risk", RiskLevel::parse),
        common: common?,
        name: name?,
    })
}

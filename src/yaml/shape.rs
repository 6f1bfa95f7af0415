//! What serde's errors cannot say: every unknown key of a mapping (serde stops at the first),
//! the field a wrong-typed value belongs to and the shape it should have, and suggestions by
//! meaning (`approver` → `approved_by`). The document is read once more as a tree of nodes
//! with positions, and the error's position is looked up in it.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::Spanned;

/// A YAML value with the positions of its keys and items; scalars keep their text.
#[derive(Debug)]
pub enum Node {
    Scalar(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<Key>, Spanned<Node>)>),
}

/// A mapping key: its text, or `None` for a list or mapping used as a key.
#[derive(Debug)]
pub struct Key(pub Option<String>);

/// Every key of the mapping that holds the key at `at` (line and column in the YAML text)
/// that is not one of `known`, as (key, line, column); the other mappings of the same list
/// (entries of one register) are checked too, as they have the same fields.
pub fn unknown_fields(
    root: &Spanned<Node>,
    at: (u64, u64),
    known: &[&str],
) -> Vec<(String, u64, u64)> {
    let Some((map, list)) = owner_of_key(root, at, None) else {
        return Vec::new();
    };
    let maps: Vec<&[(Spanned<Key>, Spanned<Node>)]> = match list {
        Some(items) => items
            .iter()
            .filter_map(|i| match &i.value {
                Node::Map(m) => Some(m.as_slice()),
                _ => None,
            })
            .collect(),
        None => vec![map],
    };
    let mut out: Vec<(String, u64, u64)> = maps
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| {
            let name = k.value.0.as_ref()?;
            // `<<` merges another mapping in; its keys are checked where they are written.
            (!known.contains(&name.as_str()) && name != "<<")
                .then(|| (name.clone(), k.referenced.line(), k.referenced.column()))
        })
        .collect();
    out.sort_by_key(|(_, l, c)| (*l, *c));
    out
}

/// "unknown field `x`" with the known field it most likely means: a synonym by meaning first
/// (`description` → `summary`), else the nearest spelling, else the list of known fields.
pub fn unknown_field_message(field: &str, known: &[&str]) -> String {
    let mut out = format!("unknown field `{field}`");
    let lower = field.to_ascii_lowercase();
    let by_meaning = SYNONYMS
        .iter()
        .find(|(wrong, right, _)| *wrong == lower && known.contains(right));
    if let Some((_, right, hint)) = by_meaning {
        let hint = if hint.is_empty() {
            format!("`{right}`")
        } else {
            format!("`{hint}`")
        };
        out.push_str(&format!(" (did you mean {hint}?)"));
        return out;
    }
    match crate::diagnostic::suggest(field, known.iter().copied()) {
        Some(s) => out.push_str(&format!(" (did you mean `{s}`?)")),
        None if known.is_empty() => {}
        None => out.push_str(&format!(", expected one of {}", known.join(", "))),
    }
    out
}

/// Names other tools (Hugo, MkDocs, comply, Word templates) give the fields trustpress has:
/// (their name, ours, how to write it when it is more than the name). A synonym applies only
/// where its target is a field of the mapping, so `description` means `summary` in a policy
/// but is itself a field of evidence and findings.
const SYNONYMS: &[(&str, &str, &str)] = &[
    ("approver", "approved_by", ""),
    ("approvers", "approved_by", ""),
    ("approved_on", "approved", ""),
    ("approval_date", "approved", ""),
    ("approved_date", "approved", ""),
    ("description", "summary", ""),
    ("abstract", "summary", ""),
    ("review_date", "review_by", ""),
    ("next_review", "review_by", ""),
    ("review", "review_by", ""),
    ("draft", "status", "status: draft"),
    ("state", "status", ""),
    ("author", "owner", ""),
    ("slug", "id", ""),
    ("name", "title", ""),
    ("visibility", "classification", ""),
    ("audience", "classification", ""),
    ("expiry", "expires", ""),
    ("expiration", "expires", ""),
    ("valid_until", "expires", ""),
    ("due_date", "due", ""),
    ("type", "kind", ""),
    ("link", "url", ""),
    ("path", "file", ""),
    ("tag", "tags", ""),
    ("revisions", "history", ""),
    ("changelog", "history", ""),
];

/// The message for a value of the wrong type at `at`: which field, the shape it must have
/// with an example, and what was found. `None` when `at` is not inside a field's value.
pub fn wrong_type(root: &Spanned<Node>, at: (u64, u64)) -> Option<String> {
    let mut keys: Vec<&str> = Vec::new();
    let mut node = root;
    let mut found = node;
    loop {
        let next = match &node.value {
            Node::Map(entries) => entries
                .iter()
                .rfind(|(k, _)| starts_at_or_before(k, at))
                .map(|(k, v)| (k.value.0.as_deref(), v)),
            Node::Seq(items) => items
                .iter()
                .rfind(|i| starts_at_or_before(i, at))
                .map(|i| (None, i)),
            Node::Scalar(_) => None,
        };
        let Some((key, child)) = next else { break };
        if let Some(k) = key {
            keys.push(k);
        }
        found = child;
        node = child;
    }
    // The error must be at a value the walk reached, else it is about the document's own
    // shape (a register that is not a list), which the parser's message says better.
    if (found.referenced.line(), found.referenced.column()) != at {
        return None;
    }
    let field = *keys.last()?;
    let dotted = keys.join(".");
    let shape = SHAPES
        .iter()
        .find(|(name, _)| *name == dotted)
        .or_else(|| SHAPES.iter().find(|(name, _)| *name == field))
        .map_or_else(
            || format!("text (a single value), e.g. `{field}: …`"),
            |(_, shape)| (*shape).to_string(),
        );
    let found = match &found.value {
        Node::Scalar(s) if s.is_empty() => "an empty value".to_string(),
        Node::Scalar(s) => format!("\"{s}\""),
        Node::Seq(_) => "a list".to_string(),
        Node::Map(_) => "a mapping".to_string(),
    };
    Some(format!("`{field}` is {shape}; found {found}"))
}

/// The shape each field that is not plain text must have, with an example; a dotted name
/// applies under that parent key only (`defaults.controls` is not a policy's `controls`).
const SHAPES: &[(&str, &str)] = &[
    (
        "controls",
        "a list of Annex A control ids, e.g. `controls: [A.5.1, A.5.15]`",
    ),
    (
        "policies",
        "a list of policy ids, e.g. `policies: [access-control]`",
    ),
    (
        "evidence",
        "a list of evidence ids, e.g. `evidence: [access-review-2026]`",
    ),
    ("risks", "a list of risk ids, e.g. `risks: [R-001]`"),
    (
        "services",
        "a list of text items, e.g. `services: [Hosting, Support]`",
    ),
    (
        "locations",
        "a list of text items, e.g. `locations: [Berlin office]`",
    ),
    (
        "hosted_environments",
        "a list of text items, e.g. `hosted_environments: [AWS eu-central-1]`",
    ),
    (
        "assumptions",
        "a list of text items, e.g. `assumptions: [Staff work remotely]`",
    ),
    (
        "assurance",
        "a list of text items, e.g. `assurance: [ISO 27001, SOC 2]`",
    ),
    (
        "exclusions",
        "a list of `{item, justification}` entries, e.g. `exclusions: [{item: Office Wi-Fi, justification: no customer data}]`",
    ),
    (
        "exclusions.item",
        "text naming what is excluded, e.g. `item: Office Wi-Fi`",
    ),
    (
        "likelihood",
        "a whole number from 1 to 5, e.g. `likelihood: 3`",
    ),
    ("impact", "a whole number from 1 to 5, e.g. `impact: 4`"),
    (
        "residual_likelihood",
        "a whole number from 1 to 5, e.g. `residual_likelihood: 2`",
    ),
    (
        "residual_impact",
        "a whole number from 1 to 5, e.g. `residual_impact: 2`",
    ),
    ("listed", "true or false, e.g. `listed: true`"),
    ("applicable", "true or false, e.g. `applicable: true`"),
    ("subprocessor", "true or false, e.g. `subprocessor: true`"),
    (
        "allow_raw_html",
        "true or false, e.g. `allow_raw_html: false`",
    ),
    (
        "show_restricted_counts",
        "true or false, e.g. `show_restricted_counts: true`",
    ),
    (
        "organisation",
        "a mapping with `name` (and optionally `contact_email`, `website`), e.g. `organisation: {name: Example Ltd}`",
    ),
    (
        "certificate",
        "a mapping such as `certificate: {status: certified, reference: ABC 123}`",
    ),
    (
        "certificates",
        "a list of certificates, e.g. `certificates: [{status: certified, standard: ISO/IEC 27001:2022}, {status: in-progress, standard: ISO/IEC 27701:2019}]`",
    ),
    (
        "defaults",
        "a mapping from a folder to its default, e.g. `defaults: {controls: {classification: public}}`",
    ),
    (
        "defaults.policies",
        "a mapping with `classification`, e.g. `policies: {classification: public}`",
    ),
    (
        "defaults.controls",
        "a mapping with `classification`, e.g. `controls: {classification: public}`",
    ),
    (
        "defaults.evidence",
        "a mapping with `classification`, e.g. `evidence: {classification: customer}`",
    ),
    (
        "defaults.risks",
        "a mapping with `classification`, e.g. `risks: {classification: internal}`",
    ),
    (
        "defaults.findings",
        "a mapping with `classification`, e.g. `findings: {classification: internal}`",
    ),
    (
        "defaults.suppliers",
        "a mapping with `classification`, e.g. `suppliers: {classification: public}`",
    ),
    (
        "check",
        "a mapping with `ignore`, e.g. `check: {ignore: [not-assessed]}`",
    ),
    (
        "ignore",
        "a list of rule ids, e.g. `ignore: [not-assessed, orphan-evidence]`",
    ),
    ("tags", "a list of text items, e.g. `tags: [access, hr]`"),
    (
        "history",
        "a list of `{version, date, approved_by, summary}` entries, e.g. `history: [{version: \"1.0\", date: 2026-01-10, approved_by: CISO, summary: First issue}]`",
    ),
];

fn starts_at_or_before<T>(v: &Spanned<T>, at: (u64, u64)) -> bool {
    (v.referenced.line(), v.referenced.column()) <= at
}

/// The mapping holding a key at `at`, with the list that holds that mapping (if any).
type Owner<'a> = (
    &'a [(Spanned<Key>, Spanned<Node>)],
    Option<&'a [Spanned<Node>]>,
);

fn owner_of_key<'a>(
    node: &'a Spanned<Node>,
    at: (u64, u64),
    list: Option<&'a [Spanned<Node>]>,
) -> Option<Owner<'a>> {
    match &node.value {
        Node::Scalar(_) => None,
        Node::Seq(items) => items
            .iter()
            .find_map(|i| owner_of_key(i, at, Some(items.as_slice()))),
        Node::Map(entries) => {
            let here = entries
                .iter()
                .any(|(k, _)| (k.referenced.line(), k.referenced.column()) == at);
            if here {
                return Some((entries.as_slice(), list));
            }
            entries.iter().find_map(|(_, v)| owner_of_key(v, at, None))
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(String::new()))
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(String::new()))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(i) = seq.next_element()? {
            items.push(i);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(e) = map.next_entry()? {
            entries.push(e);
        }
        Ok(Node::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
        Ok(Key(Some(v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
        Ok(Key(Some(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
        Ok(Key(Some(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
        Ok(Key(Some(v.to_string())))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key(Some(v.to_string())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
        Ok(Key(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Key, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Key(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Key, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Key(None))
    }
}

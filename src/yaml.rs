//! The one place that knows which YAML crate we use (serde-saphyr), so it can be swapped.

use std::borrow::Cow;

use serde::de::{Deserialize, DeserializeOwned, Deserializer};

pub use serde_saphyr::Location;

/// A value with the place in the YAML it came from (serde-saphyr's `Spanned`, wrapped so the
/// loader's raw shapes can also describe themselves as JSON Schema: a spanned value's schema
/// is its value's, see `trustpress schema`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub value: T,
    /// Where the value is used (for an alias, the alias).
    pub referenced: Location,
    /// Where the value is defined (for an alias, the anchored node).
    pub defined: Location,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Spanned {
            value: s.value,
            referenced: s.referenced,
            defined: s.defined,
        })
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    // Its own id: with `T`'s, the generator would take `Spanned<T>` for `T` being generated
    // already (a recursion) and write a `$ref` instead of inlining `T` (a spanned mapping).
    fn schema_id() -> Cow<'static, str> {
        Cow::Owned(format!("Spanned<{}>", T::schema_id()))
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<T>()
    }
}

use crate::diagnostic::{Diagnostic, Pos};
use crate::rules::Rule;

mod shape;

/// Parses YAML `text` from `path`; `line_offset` is added to reported lines so positions
/// refer to the whole file (front matter starts after the opening `---`). Reports the first
/// problem only; `parse_all` reports every unknown field of a mapping at once.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    path: &str,
    line_offset: u64,
) -> Result<T, Diagnostic> {
    parse_all(text, path, line_offset).map_err(|mut ds| ds.swap_remove(0))
}

/// `parse`, but a mapping with unknown fields reports every one of them, each at its own
/// position (serde stops at the first), and so do the other entries of the same list.
/// Never returns an empty list of diagnostics.
pub fn parse_all<T: DeserializeOwned>(
    text: &str,
    path: &str,
    line_offset: u64,
) -> Result<T, Vec<Diagnostic>> {
    serde_saphyr::from_str_with_options(text, options_for(text)).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        let at = |l: u64, c: u64| Pos::new(path, l + line_offset, c);
        if let serde_saphyr::Error::SerdeUnknownField {
            field, expected, ..
        } = &e
        {
            let mut found = tree(text)
                .map(|t| shape::unknown_fields(&t, (line, column), expected))
                .unwrap_or_default();
            if found.is_empty() {
                found.push((field.clone(), line, column));
            }
            return found
                .into_iter()
                .map(|(field, l, c)| {
                    Diagnostic::error(
                        at(l, c),
                        Rule::UnknownField,
                        shape::unknown_field_message(&field, expected),
                    )
                })
                .collect();
        }
        if let Some(message) = limit_message(&e) {
            return vec![Diagnostic::error(at(line, column), Rule::YamlSyntax, message)];
        }
        let raw = e.to_string();
        // When the text reads as YAML, what failed is the shape of a value (a word where a
        // number goes, a list where a mapping goes): say which field and what shape it takes.
        if !raw.starts_with("missing field")
            && !raw.starts_with("duplicate")
            && let Some(message) = tree(text).and_then(|t| shape::wrong_type(&t, (line, column)))
        {
            return vec![Diagnostic::error(at(line, column), Rule::WrongType, message)];
        }
        let (mut line, mut column) = (line + line_offset, column);
        let mut message = clean_message(&raw);
        // The crate reports a tab where the value it was reading started, in its own words;
        // point at the tab itself and say what to do.
        if (raw.contains("found a tab") || raw.contains("tabs disallowed"))
            && let Some((l, c)) = indenting_tab(text, line - line_offset)
        {
            (line, column) = (l + line_offset, c);
            message = "a tab in the indentation: YAML indents with spaces only, replace the tab with spaces".into();
        }
        let rule = if message.starts_with("unknown field `") {
            Rule::UnknownField
        } else {
            Rule::YamlSyntax
        };
        vec![Diagnostic::error(Pos::new(path, line, column), rule, message)]
    })
}

/// The document as a tree with positions, or `None` when it does not parse as YAML at all.
fn tree(text: &str) -> Option<Spanned<shape::Node>> {
    // Reading the tree recurses once per level, and the parser's own depth limit does not
    // catch every kind of nesting (`- - - …`): a document that may nest deeply is not read.
    if !shallow(text) {
        return None;
    }
    serde_saphyr::from_str_with_options(text, options_for(text)).ok()
}

/// The parser's defaults, except that the limits a plain document reaches in proportion to
/// its length grow with `text`: without aliases, a document of n bytes has fewer than 2n
/// values, 4n parser events and n bytes of text, so a register of any size reads, while an
/// alias bomb (a small file whose aliases expand it exponentially) is still refused. The
/// limits that do not grow with honest files stay: aliases, anchors, nesting depth, documents.
fn options_for(text: &str) -> serde_saphyr::Options {
    let defaults = serde_saphyr::Budget::default();
    let n = text.len();
    serde_saphyr::options! {
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_nodes: defaults.max_nodes.max(n.saturating_mul(2)),
            max_events: defaults.max_events.max(n.saturating_mul(4).saturating_add(16)),
            max_total_scalar_bytes: defaults.max_total_scalar_bytes.max(n.saturating_mul(2)),
        },
    }
}

/// The policy owner's words for a parser limit `e` hit, if it is one (possibly wrapped in the
/// alias where it was hit).
fn limit_message(e: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::Error as E;
    match e.without_snippet() {
        E::Budget { breach, .. } => Some(budget_message(breach)),
        E::AliasError { error, .. } => limit_message(error),
        E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => Some(ALIAS_BOMB.into()),
        _ => None,
    }
}

const ALIAS_BOMB: &str = "the aliases (`*name`) in this file repeat values so often that it expands to far more values than its text holds (how an alias bomb works): write the values out instead of repeating aliases";

/// What a breached parser limit means, for a policy owner: which limit, and what to do.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    let b = serde_saphyr::Budget::default();
    match breach {
        // These grow with the file (`options_for`), so only aliases can reach them.
        B::Nodes { .. } | B::Events { .. } | B::ScalarBytes { .. } => ALIAS_BOMB.into(),
        B::Aliases { .. } => format!(
            "this file uses more than {} aliases (`*name`), the most one YAML file may use: write the values out, or split the file",
            thousands(b.max_aliases)
        ),
        B::AliasAnchorRatio { aliases, anchors } => format!(
            "this file uses {} aliases (`*name`) for {} anchors (`&name`), more than {} per anchor (how an alias bomb works): write the values out instead of repeating aliases",
            thousands(*aliases),
            thousands(*anchors),
            b.alias_anchor_ratio_multiplier
        ),
        B::Anchors { .. } => format!(
            "this file defines more than {} anchors (`&name`), the most one YAML file may define: split the file",
            thousands(b.max_anchors)
        ),
        B::RecordedAnchorEvents { .. } | B::RecordedAnchorBytes { .. } => "the values under anchors (`&name`) here are too large to be repeated by aliases: write the values out instead of repeating aliases".into(),
        B::Depth { .. } => format!(
            "lists and mappings nest more than {} levels deep here, the deepest a YAML file may nest: flatten the structure",
            b.max_depth
        ),
        B::Documents { .. } => format!(
            "this file holds more than {} YAML documents (separated by `---` lines); a register or front matter is one document",
            thousands(b.max_documents)
        ),
        B::MergeKeys { .. } => format!(
            "this file uses more than {} merge keys (`<<`), the most one YAML file may use: write the values out",
            thousands(b.max_merge_keys)
        ),
        other => format!("the YAML here is too complex to read safely ({other:?}): simplify it"),
    }
}

/// 50000 → "50,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Whether `text` certainly nests less than `LIMIT` levels (a tree level costs a lot of stack
/// in a debug build): flow brackets open at once, and per line, the indentation levels open
/// plus the `-` and `:` on the line that could each start one more.
fn shallow(text: &str) -> bool {
    const LIMIT: usize = 24;
    let mut flow = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let indent = line.len() - line.trim_start_matches(' ').len();
        while indents.last().is_some_and(|&top| top >= indent) {
            indents.pop();
        }
        indents.push(indent);
        let mut marks = 0;
        for ch in line.chars() {
            match ch {
                '[' | '{' => flow += 1,
                ']' | '}' => flow = flow.saturating_sub(1),
                '-' | ':' => marks += 1,
                _ => {}
            }
        }
        if flow > LIMIT || indents.len() + marks > LIMIT {
            return false;
        }
    }
    true
}

/// The first tab in a line's indentation, at or after line `from` (1-based), as (line, column).
fn indenting_tab(text: &str, from: u64) -> Option<(u64, u64)> {
    let skip = usize::try_from(from.saturating_sub(1)).unwrap_or(usize::MAX);
    text.lines().enumerate().skip(skip).find_map(|(i, l)| {
        let indent = &l[..l.len() - l.trim_start_matches([' ', '\t']).len()];
        indent.find('\t').map(|c| (i as u64 + 1, c as u64 + 1))
    })
}

/// The position of a spanned value, in whole-file coordinates.
pub fn pos_of<T>(value: &Spanned<T>, path: &str, line_offset: u64) -> Pos {
    Pos::new(
        path,
        value.referenced.line() + line_offset,
        value.referenced.column(),
    )
}

/// The crate's messages end with "at line N, column M" (we print positions ourselves) and
/// sometimes address the programmer; rewrite those for a policy owner.
fn clean_message(raw: &str) -> String {
    let mut msg = raw.trim().to_string();
    if let Some(i) = msg.rfind(" at line ") {
        msg.truncate(i);
    }
    if let Some(rest) = msg.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return format!("duplicate key `{key}`: each key may appear only once in an entry");
    }
    if let Some(rest) = msg.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once("`, expected one of ")
    {
        let known: Vec<&str> = expected.split(", ").collect();
        return shape::unknown_field_message(field, &known);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::shape::unknown_field_message;
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Entry {
        id: Option<Spanned<String>>,
        title: Option<String>,
    }

    fn err(src: &str) -> Diagnostic {
        parse::<Vec<Entry>>(src, "x.yaml", 0).unwrap_err()
    }

    #[test]
    fn unknown_field_suggests() {
        let d = err("- id: a\n  titel: b\n");
        assert_eq!(
            d.to_string(),
            "x.yaml:2:3: error: unknown field `titel` (did you mean `title`?)"
        );
        assert_eq!(d.rule, Rule::UnknownField);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let d = err("- id: a\n  id: b\n");
        assert_eq!(d.pos.line, 2);
        assert!(d.message.starts_with("duplicate key `id`"), "{}", d.message);
    }

    #[test]
    fn a_tab_in_the_indentation_is_pointed_at() {
        let d = err("- id: a\n\ttitle: b\n");
        assert_eq!(
            d.to_string(),
            "x.yaml:2:1: error: a tab in the indentation: YAML indents with spaces only, replace the tab with spaces"
        );
        assert_eq!(d.rule, Rule::YamlSyntax);
        let d = parse::<Vec<Entry>>("- id: a\n  title: b\n  \t- c\n", "p.md", 1).unwrap_err();
        assert_eq!((d.pos.line, d.pos.column), (4, 3), "{d}");
    }

    #[test]
    fn line_offset_applies() {
        let d = parse::<Vec<Entry>>("- id: [a\n", "p.md", 1).unwrap_err();
        assert_eq!(d.pos.line, 2);
    }

    #[test]
    fn spans_are_positions() {
        let v: Vec<Entry> = parse("- id: a\n- id: bb\n", "x.yaml", 0).unwrap();
        let id = v[1].id.as_ref().unwrap();
        assert_eq!(pos_of(id, "x.yaml", 10), Pos::new("x.yaml", 12, 7));
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: Option<String>,
        title: Option<String>,
        likelihood: Option<i64>,
        controls: Option<Vec<String>>,
        summary: Option<String>,
        status: Option<String>,
        approved_by: Option<String>,
        review_by: Option<String>,
        listed: Option<bool>,
        exclusions: Option<Vec<Exclusion>>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Exclusion {
        item: String,
        justification: Option<String>,
    }

    fn all(src: &str, offset: u64) -> Vec<String> {
        match parse_all::<Option<Vec<Item>>>(src, "x.yaml", offset) {
            Ok(_) => Vec::new(),
            Err(ds) => ds.iter().map(ToString::to_string).collect(),
        }
    }

    fn front(src: &str) -> Vec<String> {
        match parse_all::<Item>(src, "p.md", 1) {
            Ok(_) => Vec::new(),
            Err(ds) => ds.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn every_unknown_field_of_every_entry_at_once() {
        assert_eq!(
            all(
                "- id: a\n  slug: x\n  weight: 3\n- id: b\n  faq: y\n  titel: z\n",
                0
            ),
            [
                "x.yaml:2:3: error: unknown field `slug` (did you mean `id`?)",
                "x.yaml:3:3: error: unknown field `weight`, expected one of id, title, likelihood, controls, summary, status, approved_by, review_by, listed, exclusions",
                "x.yaml:5:3: error: unknown field `faq`, expected one of id, title, likelihood, controls, summary, status, approved_by, review_by, listed, exclusions",
                "x.yaml:6:3: error: unknown field `titel` (did you mean `title`?)",
            ]
        );
        // Front matter: one mapping, positions in the whole file.
        let d = front("title: T\npolicy: x\nlast_updated: 2026-01-01\nweight: 2\n");
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(
            d[0].starts_with("p.md:3:1: error: unknown field `policy`"),
            "{d:?}"
        );
        assert!(d[1].starts_with("p.md:4:1: error: unknown field `last_updated`"));
        assert!(d[2].starts_with("p.md:5:1: error: unknown field `weight`"));
        // A nested mapping's unknown keys are its own, not its parent's.
        let d = front("exclusions:\n  - item: a\n    why: b\n    note: c\n");
        assert_eq!(
            d,
            [
                "p.md:4:5: error: unknown field `why`, expected one of item, justification",
                "p.md:5:5: error: unknown field `note`, expected one of item, justification",
            ]
        );
        assert_eq!(err("- id: a\n  titel: b\n").rule, Rule::UnknownField);
    }

    #[test]
    fn close_field_names_are_suggested_by_meaning() {
        let d = front("approver: Jane\ndescription: x\nreview_date: 2026-01-01\ndraft: true\n");
        assert_eq!(
            d,
            [
                "p.md:2:1: error: unknown field `approver` (did you mean `approved_by`?)",
                "p.md:3:1: error: unknown field `description` (did you mean `summary`?)",
                "p.md:4:1: error: unknown field `review_date` (did you mean `review_by`?)",
                "p.md:5:1: error: unknown field `draft` (did you mean `status: draft`?)",
            ]
        );
        // A synonym applies only when its target is a field of the mapping.
        assert_eq!(
            unknown_field_message("description", &["id", "title"]),
            "unknown field `description`, expected one of id, title"
        );
    }

    #[test]
    fn type_errors_name_the_field_and_its_shape() {
        let d = all("- id: a\n  likelihood: high\n", 0);
        assert_eq!(
            d,
            [
                "x.yaml:2:15: error: `likelihood` is a whole number from 1 to 5, e.g. `likelihood: 3`; found \"high\""
            ]
        );
        let d = front("exclusions: [a, b]\n");
        assert_eq!(d.len(), 1);
        assert!(
            d[0].starts_with("p.md:2:") && d[0].contains("error: `exclusions` is a list of `{item, justification}` entries, e.g. `exclusions: [{item: "),
            "{d:?}"
        );
        let d = front("controls: A.5.1\n");
        assert!(
            d[0].contains("`controls` is a list of Annex A control ids, e.g. `controls: [A.5.1, A.5.15]`; found \"A.5.1\""),
            "{d:?}"
        );
        let d = front("listed: maybe\n");
        assert!(d[0].contains("`listed` is true or false"), "{d:?}");
        let d = front("title:\n  - a\n");
        assert!(
            d[0].contains("`title` is text (a single value), e.g. `title: …`; found"),
            "{d:?}"
        );
        let ds = parse_all::<Item>("likelihood: high\n", "p.md", 1).unwrap_err();
        assert_eq!(ds[0].rule, Rule::WrongType);
    }

    /// Registers of any size read: the limits that grow with honest files grow with the file
    /// (the parser's default would stop at 250,000 values, about 13,000 evidence items).
    #[test]
    fn large_registers_load() {
        let n = 60_000; // 5 values each: 300,001 in all
        let src: String = (0..n)
            .map(|i| format!("- id: e{i}\n  title: T\n"))
            .collect();
        let v: Vec<Entry> = parse(&src, "evidence/register.yaml", 0).expect("a large register");
        assert_eq!(v.len(), n);
        assert_eq!(
            v[n - 1].id.as_ref().map(|s| s.value.as_str()),
            Some("e59999")
        );
        assert_eq!(thousands(50_000), "50,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    /// Each limit that stays is named, at the place it was hit, in the owner's words.
    #[test]
    fn limits_say_which_limit_and_where() {
        let fail = |src: &str| parse::<serde_json::Value>(src, "x.yaml", 0).unwrap_err();
        // The billion laughs: ten aliases per level, nine levels.
        let mut bomb = String::from("a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
        for i in 1..=9 {
            let row = vec![format!("*a{}", i - 1); 10].join(",");
            bomb.push_str(&format!("a{i}: &a{i} [{row}]\n"));
        }
        let d = fail(&bomb);
        assert!(
            d.message
                .starts_with("the aliases (`*name`) in this file repeat values so often"),
            "{d}"
        );
        assert!(d.pos.line >= 2 && d.pos.line <= 10, "{d:?}");
        assert_eq!(d.rule, Rule::YamlSyntax);
        // Too deep.
        let deep = format!("a: {}x{}\n", "[".repeat(70), "]".repeat(70));
        let d = fail(&deep);
        assert_eq!(
            d.to_string(),
            "x.yaml:1:67: error: lists and mappings nest more than 64 levels deep here, the deepest a YAML file may nest: flatten the structure"
        );
        // Many aliases of few anchors, in a small file.
        let ratio: String = std::iter::once("- &a x\n".to_string())
            .chain((0..150).map(|_| "- *a\n".to_string()))
            .collect();
        let d = fail(&ratio);
        assert!(
            d.message.starts_with("this file uses 1")
                && d.message
                    .contains("aliases (`*name`) for 1 anchors (`&name`), more than 10 per anchor"),
            "{d}"
        );
        // More aliases than any file may use, however many anchors.
        let many: String = (0..5_100)
            .map(|i| {
                let uses: String = (0..10).map(|_| format!("- *a{i}\n")).collect();
                format!("- &a{i} x\n{uses}")
            })
            .collect();
        let d = fail(&many);
        assert!(
            d.message
                .starts_with("this file uses more than 50,000 aliases (`*name`)"),
            "{d}"
        );
        assert!(d.pos.line > 50_000, "{d:?}");
    }

    #[test]
    fn deep_documents_keep_the_parser_message() {
        // Without the depth guard, reading the tree again overflows the stack.
        let deep: String = (0..2000)
            .map(|i| format!("{}- ", " ".repeat(i % 80)))
            .collect();
        let ds = parse_all::<Item>(&format!("title:\n{deep}\n"), "p.md", 1).unwrap_err();
        assert_eq!(ds.len(), 1);
        // Nesting just under the limit still reads.
        let near = format!("title: {}x{}\n", "[".repeat(24), "]".repeat(24));
        assert!(tree(&near).is_some());
        let near: String = (0..10)
            .map(|i| format!("{}- \n", " ".repeat(i * 2)))
            .collect();
        assert!(tree(&near).is_some());
        assert!(!shallow(&format!("a: {}\n", "[".repeat(30))));
    }
}

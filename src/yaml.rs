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

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<T>()
    }
}

use crate::diagnostic::{Diagnostic, Pos};
use crate::rules::Rule;

/// Parses YAML `text` from `path`; `line_offset` is added to reported lines so positions
/// refer to the whole file (front matter starts after the opening `---`).
pub fn parse<T: DeserializeOwned>(
    text: &str,
    path: &str,
    line_offset: u64,
) -> Result<T, Diagnostic> {
    let options = serde_saphyr::options! { with_snippet: false };
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let (mut line, mut column) = e
            .location()
            .map(|l| (l.line() + line_offset, l.column()))
            .unwrap_or((1 + line_offset, 1));
        let raw = e.to_string();
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
        Diagnostic::error(Pos::new(path, line, column), rule, message)
    })
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
    if msg.starts_with("budget breached") {
        // serde-saphyr's guard against alias bombs and runaway nesting.
        return "the YAML expands to too many values (aliases reused too often or nesting too deep): write the values out plainly".into();
    }
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
        let mut out = format!("unknown field `{field}`");
        match crate::diagnostic::suggest(field, known.iter().copied()) {
            Some(s) => out.push_str(&format!(" (did you mean `{s}`?)")),
            None => out.push_str(&format!(", expected one of {}", known.join(", "))),
        }
        return out;
    }
    msg
}

#[cfg(test)]
mod tests {
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
}

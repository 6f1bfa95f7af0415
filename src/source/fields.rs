//! Turning raw YAML values into typed fields, with a diagnostic for each bad value.

use crate::diagnostic::{Diagnostics, Pos};
use crate::model::{Classification, ControlId, ControlRef, Date, Markdown, Ref, SourceRun};
use crate::rules::Rule;
use crate::yaml::{self, Spanned};

/// The context of one file being converted: where it is and where its diagnostics go.
pub struct Fields<'a> {
    pub path: &'a str,
    /// The YAML text being read, which spans' byte offsets refer to.
    pub source: &'a str,
    pub line_offset: u64,
    pub diags: &'a mut Diagnostics,
}

pub type S<T> = Option<Spanned<T>>;

impl Fields<'_> {
    pub fn pos<T>(&self, v: &Spanned<T>) -> Pos {
        yaml::pos_of(v, self.path, self.line_offset)
    }

    /// A required text field; reports it missing at `entry` (the entry's position).
    pub fn required(&mut self, v: S<String>, name: &str, entry: &Pos) -> Option<String> {
        match v {
            Some(v) if !v.value.trim().is_empty() => Some(v.value.trim().to_string()),
            Some(v) => {
                let p = self.pos(&v);
                self.diags
                    .error(p, Rule::MissingField, format!("`{name}` is empty"));
                None
            }
            None => {
                self.diags.error(
                    entry.clone(),
                    Rule::MissingField,
                    format!("missing required field `{name}`"),
                );
                None
            }
        }
    }

    pub fn text(&self, v: S<String>) -> Option<String> {
        v.map(|v| v.value.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// Markdown in a YAML string, with a map back to the file: YAML strips a block scalar's
    /// indentation and folds lines, so text positions alone would point at the wrong column
    /// (or line).
    pub fn markdown(&self, v: S<String>) -> Option<Markdown> {
        let v = v.filter(|v| !v.value.trim().is_empty())?;
        let pos = self.pos(&v);
        let span = v.referenced.span();
        let raw = span.byte_offset().zip(span.byte_len()).and_then(|(o, l)| {
            let start = usize::try_from(o).ok()?;
            let end = start.checked_add(usize::try_from(l).ok()?)?;
            self.source.get(start..end)
        });
        let source_map = raw
            .map(|raw| map_scalar(&v.value, raw, pos.line, pos.column))
            .unwrap_or_default();
        Some(Markdown::new(v.value, pos, source_map))
    }

    /// A value from a closed vocabulary, parsed by `parse`; `what` names it in messages.
    pub fn vocab<T>(
        &mut self,
        v: S<String>,
        what: &str,
        parse: fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = v?;
        match parse(&v.value) {
            Ok(t) => Some(t),
            Err(e) => {
                let p = self.pos(&v);
                self.diags
                    .error(p, Rule::UnknownValue, format!("unknown {what} {e}"));
                None
            }
        }
    }

    pub fn classification(&mut self, v: S<String>, default: Classification) -> Classification {
        // An unreadable classification must never widen exposure: fall back to internal.
        match v {
            None => default,
            Some(v) => self
                .vocab(Some(v), "classification", Classification::parse)
                .unwrap_or(Classification::Internal),
        }
    }

    pub fn date(&mut self, v: S<String>) -> Option<Date> {
        let v = v?;
        match Date::parse(&v.value) {
            Ok(d) => Some(d),
            Err(e) => {
                let p = self.pos(&v);
                self.diags.error(p, Rule::InvalidDate, e);
                None
            }
        }
    }

    /// An integer score from 1 to 5 (likelihood, impact).
    pub fn score(&mut self, v: S<i64>, name: &str) -> Option<u8> {
        let v = v?;
        match u8::try_from(v.value) {
            Ok(n @ 1..=5) => Some(n),
            _ => {
                let p = self.pos(&v);
                self.diags.error(
                    p,
                    Rule::OutOfRange,
                    format!(
                        "`{name}` is {}, expected a whole number from 1 to 5",
                        v.value
                    ),
                );
                None
            }
        }
    }

    pub fn refs(&self, v: Option<Vec<Spanned<String>>>) -> Vec<Ref> {
        v.unwrap_or_default()
            .into_iter()
            .map(|s| Ref {
                pos: self.pos(&s),
                id: s.value.trim().to_string(),
            })
            .collect()
    }

    pub fn control_ref(&mut self, v: &Spanned<String>) -> Option<ControlRef> {
        let pos = self.pos(v);
        match ControlId::parse(&v.value).filter(|id| crate::catalog::index_of(*id).is_some()) {
            Some(id) => Some(ControlRef { id, pos }),
            None => {
                self.diags.error(
                    pos,
                    Rule::UnknownControl,
                    format!("unknown control \"{}\", expected an ISO/IEC 27001:2022 Annex A id such as A.5.15", v.value.trim()),
                );
                None
            }
        }
    }

    pub fn control_refs(&mut self, v: Option<Vec<Spanned<String>>>) -> Vec<ControlRef> {
        v.unwrap_or_default()
            .iter()
            .filter_map(|s| self.control_ref(s))
            .collect()
    }

    pub fn strings(&self, v: Option<Vec<String>>) -> Vec<String> {
        v.unwrap_or_default()
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Aligns a YAML scalar's value with its source text (`raw`, which starts at `line`:`column`)
/// and returns where each verbatim run of the value starts. Indentation, quotes and escape
/// characters in the source are skipped; a line break folded into a space matches that space.
/// Characters that cannot be aligned (rare escapes) are left to the nearest run before them.
pub fn map_scalar(value: &str, raw: &str, line: u64, column: u64) -> Vec<SourceRun> {
    // Every source character with its position.
    let mut src: Vec<(char, u64, u64)> = Vec::with_capacity(raw.len());
    let (mut l, mut c) = (line, column);
    for ch in raw.chars() {
        src.push((ch, l, c));
        if ch == '\n' {
            l += 1;
            c = 1;
        } else {
            c += 1;
        }
    }
    let mut runs: Vec<SourceRun> = Vec::new();
    let mut cursor = 0;
    // The source index the previous value character matched, to detect breaks in a run.
    let mut previous: Option<usize> = None;
    for (offset, ch) in value.char_indices() {
        let Some(found) = find_match(&src, cursor, ch) else {
            previous = None;
            continue;
        };
        let continues = previous.is_some_and(|p| p + 1 == found && src[p].0 != '\n');
        if !continues {
            runs.push(SourceRun {
                offset,
                line: src[found].1,
                column: src[found].2,
            });
        }
        previous = Some(found);
        cursor = found + 1;
    }
    runs
}

/// The next source index at or after `from` that `ch` can come from, skipping whitespace and
/// at most two other characters (a quote, an escape).
fn find_match(src: &[(char, u64, u64)], from: usize, ch: char) -> Option<usize> {
    let mut others = 0;
    for (i, (s, _, _)) in src.iter().enumerate().skip(from) {
        if *s == ch || (ch == ' ' && *s == '\n') {
            return Some(i);
        }
        if !s.is_whitespace() {
            others += 1;
            if others > 2 {
                return None;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostics;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Entry {
        notes: Spanned<String>,
    }

    /// The file position of the first `[` in each entry's notes.
    fn link_positions(yaml_text: &str) -> Vec<(u64, u64)> {
        let entries: Vec<Entry> = yaml::parse(yaml_text, "x.yaml", 0).expect("valid yaml");
        let mut diags = Diagnostics::new();
        let f = Fields {
            path: "x.yaml",
            source: yaml_text,
            line_offset: 0,
            diags: &mut diags,
        };
        entries
            .into_iter()
            .map(|e| {
                let md = f.markdown(Some(e.notes)).expect("notes");
                let link = crate::markdown::links(md.held_text().expect("held"))
                    .into_iter()
                    .next()
                    .expect("a link");
                let p = crate::markdown::position(&md, &link);
                (p.line, p.column)
            })
            .collect()
    }

    #[test]
    fn links_in_yaml_strings_point_into_the_file() {
        let text = "\
- notes: |
    First line.

    See [x](policy:a) here.
- notes: >
    folded text that
    goes on [y](policy:b)
- notes: \"quoted [z](policy:c)\"
- notes: see [w](policy:d)
- notes: plain first
      then [v](policy:e)
- notes: |2
      indented [u](policy:f)
- notes: |-\r\n    crlf line\r\n    and [t](policy:g)\r\n
";
        assert_eq!(
            link_positions(text),
            [
                (4, 9),
                (7, 13),
                (8, 18),
                (9, 14),
                (11, 12),
                (13, 16),
                (16, 9)
            ]
        );
    }
}

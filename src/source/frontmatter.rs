//! Splitting a Markdown file into YAML front matter and body. TOML front matter (`+++`, as Hugo
//! and Zola write it) is rewritten line for line into YAML, so that every position the YAML
//! parser reports is the line it came from.

use std::borrow::Cow;

/// A Markdown source split at its front matter.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines (empty when there is none); for `+++` TOML front
    /// matter, the same lines rewritten as YAML.
    pub yaml: Cow<'a, str>,
    /// Lines before the YAML starts (the opening `---`), to add to YAML positions.
    pub yaml_line_offset: u64,
    pub body: &'a str,
    /// The 1-based line the body starts on.
    pub body_line: u64,
}

/// Splits `text` at a leading `---` … `---` block. A file with no front matter is all body;
/// an opening `---` with no closing one is an error naming what was expected.
pub fn split(text: &str) -> Result<Split<'_>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(after_open) = text
        .strip_prefix("+++\r\n")
        .or_else(|| text.strip_prefix("+++\n"))
    {
        return split_toml(text, after_open);
    }
    let Some(after_open) = strip_fence(text) else {
        return Ok(Split {
            yaml: Cow::Borrowed(""),
            yaml_line_offset: 0,
            body: text,
            body_line: 1,
        });
    };
    let yaml_start = text.len() - after_open.len();
    let mut offset = yaml_start;
    for (line, l) in (2u64..).zip(after_open.split_inclusive('\n')) {
        if l.trim_end_matches(['\r', '\n']) == "---" || l.trim_end_matches(['\r', '\n']) == "..." {
            let yaml = &text[yaml_start..offset];
            let body = &text[offset + l.len()..];
            return Ok(Split {
                yaml: Cow::Borrowed(yaml),
                yaml_line_offset: 1,
                body,
                body_line: line + 1,
            });
        }
        offset += l.len();
    }
    Err("front matter is not closed: expected a line with only `---` after the YAML".into())
}

/// `+++` … `+++` front matter, its TOML rewritten as YAML line for line.
fn split_toml<'a>(text: &'a str, after_open: &'a str) -> Result<Split<'a>, String> {
    let start = text.len() - after_open.len();
    let mut offset = start;
    for (line, l) in (2u64..).zip(after_open.split_inclusive('\n')) {
        if l.trim_end_matches(['\r', '\n']) == "+++" {
            let yaml = toml_as_yaml(&text[start..offset])
                .map_err(|(n, e)| format!("line {}: {e}", n + 1))?;
            return Ok(Split {
                yaml: Cow::Owned(yaml),
                yaml_line_offset: 1,
                body: &text[offset + l.len()..],
                body_line: line + 1,
            });
        }
        offset += l.len();
    }
    Err("TOML front matter is not closed: expected a line with only `+++` after the fields".into())
}

/// The subset of TOML that front matter uses, as YAML on the same lines: `key = value` (strings,
/// numbers, booleans, dates, one-line arrays and inline tables), `[table]` and `[[list]]`
/// headers, and comments. Anything else (multi-line strings, dotted keys) is an error naming
/// its line (0-based here), so nothing is misread.
fn toml_as_yaml(toml: &str) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(toml.len() + 32);
    let mut indent = ""; // inside a `[table]` or `[[list]]` entry
    let mut list_item_open = false; // the next key starts a `- ` entry
    let mut lists_seen: Vec<String> = Vec::new();
    for (n, line) in toml.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            out.push_str(line);
        } else if let Some(name) = t.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
            let name =
                bare_key(name.trim()).ok_or((n, format!("unsupported table name [[{name}]]")))?;
            if !lists_seen.iter().any(|l| l == name) {
                out.push_str(&format!("{name}:"));
                lists_seen.push(name.to_string());
            }
            indent = "    ";
            list_item_open = true;
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            let name =
                bare_key(name.trim()).ok_or((n, format!("unsupported table name [{name}]")))?;
            out.push_str(&format!("{name}:"));
            indent = "  ";
            list_item_open = false;
        } else {
            let (key, value) = t
                .split_once('=')
                .ok_or((n, "expected `key = value`".to_string()))?;
            let key = bare_key(key.trim()).ok_or((
                n,
                format!("unsupported key `{}`: write a plain key", key.trim()),
            ))?;
            let value = toml_value(value.trim()).map_err(|e| (n, e))?;
            if list_item_open {
                out.push_str(&format!("  - {key}: {value}"));
                list_item_open = false;
            } else {
                out.push_str(&format!("{indent}{key}: {value}"));
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// A bare or quoted TOML key usable as a YAML key; `None` for dotted keys.
fn bare_key(key: &str) -> Option<&str> {
    let key = key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(key);
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    ok.then_some(key)
}

/// A TOML value as a YAML scalar or flow collection.
fn toml_value(value: &str) -> Result<String, String> {
    if value.starts_with("\"\"\"") || value.starts_with("'''") {
        return Err("multi-line strings are not supported in front matter: write the text on one line, or use YAML front matter (`---`)".into());
    }
    if let Some(inner) = value.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
        let mut parts = Vec::new();
        for pair in split_top(inner) {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("expected `key = value` in `{value}`"))?;
            let k = bare_key(k.trim()).ok_or_else(|| format!("unsupported key `{}`", k.trim()))?;
            parts.push(format!("{k}: {}", toml_value(v.trim())?));
        }
        return Ok(format!("{{{}}}", parts.join(", ")));
    }
    if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        let items: Result<Vec<String>, String> = split_top(inner)
            .into_iter()
            .map(|i| toml_value(i.trim()))
            .collect();
        return Ok(format!("[{}]", items?.join(", ")));
    }
    if value.starts_with('[') || value.starts_with('{') {
        return Err(format!("`{value}` must be on one line"));
    }
    // Strings keep their quotes (TOML's escapes are YAML's); a comment after a value goes.
    let value = strip_comment(value);
    Ok(value.to_string())
}

/// `a, "b, c", [d, e]` → its top-level items (empty ones dropped: TOML allows a trailing comma).
fn split_top(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut quote, mut start) = (Vec::new(), 0i32, None, 0);
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q && prev != '\\' => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        prev = c;
    }
    out.push(&s[start..]);
    out.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// A value without a trailing `# comment` (outside quotes).
fn strip_comment(value: &str) -> &str {
    let mut quote = None;
    for (i, c) in value.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => return value[..i].trim_end(),
            _ => {}
        }
    }
    value
}

fn strip_fence(text: &str) -> Option<&str> {
    text.strip_prefix("---\r\n")
        .or_else(|| text.strip_prefix("---\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        let s = split("---\ntitle: x\n---\n# Body\n").unwrap();
        assert_eq!(s.yaml, "title: x\n");
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 4);
        assert_eq!(s.yaml_line_offset, 1);
    }

    #[test]
    fn handles_crlf_and_bom() {
        let s = split("\u{feff}---\r\ntitle: x\r\n---\r\nbody").unwrap();
        assert_eq!(s.yaml, "title: x\r\n");
        assert_eq!(s.body, "body");
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("# Just a body\n").unwrap();
        assert_eq!(s.yaml, "");
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn unclosed_is_an_error() {
        assert!(split("---\ntitle: x\n").is_err());
        assert!(split("+++\ntitle = \"x\"\n").is_err());
    }

    #[test]
    fn toml_front_matter_becomes_yaml_on_the_same_lines() {
        let s = split("+++\ntitle = \"Access\" # note\nstatus = 'draft'\ncontrols = [\"A.5.15\", \"A.8.2\",]\n\n[extra]\nteam = \"IT\"\n[[history]]\nversion = \"1\"\ndate = 2026-01-01\n[[history]]\nversion = \"2\"\n+++\n# Body\n").unwrap();
        assert_eq!(
            s.yaml,
            "title: \"Access\"\nstatus: 'draft'\ncontrols: [\"A.5.15\", \"A.8.2\"]\n\nextra:\n  team: \"IT\"\nhistory:\n  - version: \"1\"\n    date: 2026-01-01\n\n  - version: \"2\"\n"
        );
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 14);
        let e = split("+++\ntitle = \"x\"\nbody = \"\"\"\nlong\n+++\n").unwrap_err();
        assert!(e.starts_with("line 2: multi-line strings"), "{e}");
    }
}

//! Splitting a Markdown file into YAML front matter and body.

/// A Markdown source split at its front matter.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines (empty when there is none).
    pub yaml: &'a str,
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
    let Some(after_open) = strip_fence(text) else {
        return Ok(Split {
            yaml: "",
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
                yaml,
                yaml_line_offset: 1,
                body,
                body_line: line + 1,
            });
        }
        offset += l.len();
    }
    Err("front matter is not closed: expected a line with only `---` after the YAML".into())
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
    }
}

//! Diagnostics: what is wrong, where, and what was expected.
//!
//! Every stage that reads user input reports problems as `Diagnostic`s instead of stopping at
//! the first one, so a single run shows the author everything that needs fixing.

use std::fmt;

pub use crate::rules::Rule;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A position in a source file, 1-based. Line 0 means "the file as a whole".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Path relative to the site folder, with `/` separators.
    pub path: String,
    pub line: u64,
    pub column: u64,
}

impl Pos {
    pub fn new(path: impl Into<String>, line: u64, column: u64) -> Self {
        Pos {
            path: path.into(),
            line,
            column,
        }
    }

    /// The start of a file, for problems that belong to the file as a whole.
    pub fn file(path: impl Into<String>) -> Self {
        Pos::new(path, 1, 1)
    }
}

/// One problem found in the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub pos: Pos,
    pub severity: Severity,
    /// A stable identifier of the rule, e.g. `unknown-reference`.
    pub rule: Rule,
    pub message: String,
}

impl Diagnostic {
    pub fn error(pos: Pos, rule: Rule, message: impl Into<String>) -> Self {
        // The registry's severity is the contract (README, SARIF): a mismatch is our bug.
        debug_assert_eq!(
            rule.severity(),
            Severity::Error,
            "{rule} is not an error rule"
        );
        Diagnostic {
            pos,
            severity: Severity::Error,
            rule,
            message: message.into(),
        }
    }

    pub fn warning(pos: Pos, rule: Rule, message: impl Into<String>) -> Self {
        debug_assert_eq!(
            rule.severity(),
            Severity::Warning,
            "{rule} is not a warning rule"
        );
        Diagnostic {
            pos,
            severity: Severity::Warning,
            rule,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line:column: error: message`, the form editors and CI logs recognise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.pos.path,
            self.pos.line,
            self.pos.column,
            self.severity.as_str(),
            self.message
        )
    }
}

/// A collection of diagnostics gathered during one run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// Warnings dropped because `site.yaml` ignores their rule (`check: {ignore: […]}`).
    ignored: usize,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn error(&mut self, pos: Pos, rule: Rule, message: impl Into<String>) {
        self.push(Diagnostic::error(pos, rule, message));
    }

    pub fn warning(&mut self, pos: Pos, rule: Rule, message: impl Into<String>) {
        self.push(Diagnostic::warning(pos, rule, message));
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Room for `more` diagnostics without growing.
    pub fn reserve(&mut self, more: usize) {
        self.items.reserve(more);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
        self.ignored += other.ignored;
    }

    /// Drops the warnings of `rules` (errors are never dropped) and counts them.
    pub fn ignore(&mut self, rules: &[Rule]) {
        let before = self.items.len();
        self.items
            .retain(|d| d.is_error() || !rules.contains(&d.rule));
        self.ignored += before - self.items.len();
    }

    /// How many warnings `ignore` dropped.
    pub fn ignored(&self) -> usize {
        self.ignored
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, line and column, so output is stable and easy to follow; messages at
    /// one position compare numbers as numbers (control A.5.2 before A.5.10).
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.pos, b.severity)
                .cmp(&(&b.pos, a.severity))
                .then_with(|| natural_cmp(&a.message, &b.message))
        });
        self.items.dedup();
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

/// The error a failed load or build returns: every diagnostic found, sorted.
#[derive(Debug, thiserror::Error)]
#[error("{} error(s) found", .errors.iter().filter(|d| d.is_error()).count())]
pub struct Failed {
    pub errors: Vec<Diagnostic>,
    /// Warnings not listed because `site.yaml` ignores their rule.
    pub ignored: usize,
}

/// Compares text with runs of digits compared by value: `A.5.2` < `A.5.10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (Some(ca), Some(cb)) = (a.chars().next(), b.chars().next()) else {
            return a.len().cmp(&b.len());
        };
        if ca.is_ascii_digit() && cb.is_ascii_digit() {
            let na = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let nb = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let (da, db) = (
                a[..na].trim_start_matches('0'),
                b[..nb].trim_start_matches('0'),
            );
            let by_value = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
            if by_value.is_ne() {
                return by_value;
            }
            (a, b) = (&a[na..], &b[nb..]);
        } else {
            if ca != cb {
                return ca.cmp(&cb);
            }
            (a, b) = (&a[ca.len_utf8()..], &b[cb.len_utf8()..]);
        }
    }
}

/// The nearest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        // Ties go to the alphabetically first candidate: candidates often come from a hash
        // map, and `check`'s output must be the same on every run.
        .min_by(|(da, a), (db, b)| da.cmp(db).then_with(|| a.cmp(b)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_do_not_depend_on_candidate_order() {
        let ids = ["access-b", "access-a", "access-c"];
        assert_eq!(suggest("access-x", ids), Some("access-a"));
        assert_eq!(
            suggest("access-x", ids.iter().rev().copied()),
            Some("access-a")
        );
    }

    #[test]
    fn suggests_nearest_word() {
        let vocab = ["draft", "approved", "retired"];
        assert_eq!(suggest("aproved", vocab), Some("approved"));
        assert_eq!(suggest("Draft", vocab), Some("draft"));
        assert_eq!(suggest("banana", vocab), None);
    }

    #[test]
    fn displays_in_editor_form() {
        let d = Diagnostic::error(
            Pos::new("policies/a.md", 3, 10),
            Rule::Internal,
            "bad thing",
        );
        assert_eq!(d.to_string(), "policies/a.md:3:10: error: bad thing");
    }

    #[test]
    fn numbers_in_messages_sort_by_value() {
        use std::cmp::Ordering::*;
        assert_eq!(natural_cmp("control A.5.2 x", "control A.5.10 x"), Less);
        assert_eq!(natural_cmp("control A.5.10", "control A.5.9"), Greater);
        assert_eq!(natural_cmp("A.8.1", "A.8.1"), Equal);
        assert_eq!(natural_cmp("a", "ab"), Less);
        let mut ds = Diagnostics::new();
        for m in ["control A.5.10", "control A.5.2", "control A.5.1"] {
            ds.warning(Pos::file("c.yaml"), Rule::NotAssessed, m);
        }
        let sorted: Vec<_> = ds.into_sorted().into_iter().map(|d| d.message).collect();
        assert_eq!(sorted, ["control A.5.1", "control A.5.2", "control A.5.10"]);
    }

    #[test]
    fn ignoring_drops_warnings_only_and_counts_them() {
        let mut ds = Diagnostics::new();
        ds.warning(Pos::file("a"), Rule::NotAssessed, "x");
        ds.warning(Pos::file("a"), Rule::NotAssessed, "y");
        ds.warning(Pos::file("a"), Rule::OrphanPolicy, "z");
        ds.error(Pos::file("a"), Rule::BrokenLink, "e");
        ds.ignore(&[Rule::NotAssessed, Rule::BrokenLink]);
        assert_eq!(ds.ignored(), 2);
        assert_eq!(ds.iter().count(), 2);
        assert!(ds.has_errors());
    }

    #[test]
    fn sorts_by_position() {
        let mut ds = Diagnostics::new();
        ds.error(Pos::new("b.md", 1, 1), Rule::Internal, "one");
        ds.error(Pos::new("a.md", 9, 1), Rule::Internal, "two");
        ds.error(Pos::new("a.md", 2, 1), Rule::Internal, "three");
        let sorted: Vec<_> = ds.into_sorted().into_iter().map(|d| d.message).collect();
        assert_eq!(sorted, ["three", "two", "one"]);
    }
}

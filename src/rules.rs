//! The rule registry: every diagnostic trustpress reports has one of these rules, with its
//! id, severity and description. `check`'s output, SARIF's `rules` and the README's rule table
//! all come from here (a test compares the README with this list).

use crate::diagnostic::Severity;

macro_rules! rules {
    ($($variant:ident $id:literal $severity:ident $description:literal;)*) => {
        /// One rule of the registry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $($variant,)*
        }

        impl Rule {
            /// Every rule, in the README's order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The stable id users see and silence: `unknown-field`.
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)*
                }
            }

            /// How a finding of this rule counts: errors fail a build.
            pub fn severity(self) -> Severity {
                match self {
                    $(Rule::$variant => Severity::$severity,)*
                }
            }

            /// One line for the README and SARIF.
            pub fn description(self) -> &'static str {
                match self {
                    $(Rule::$variant => $description,)*
                }
            }
        }
    };
}

rules! {
    YamlSyntax "yaml-syntax" Error
        "YAML that does not parse";
    FrontMatter "front-matter" Error
        "front matter missing or not closed";
    UnknownField "unknown-field" Error
        "a field the format does not define (the nearest known one is suggested)";
    MissingField "missing-field" Error
        "a required field is missing or empty";
    UnknownValue "unknown-value" Error
        "a value outside its vocabulary (`status: aproved`: allowed values and the nearest)";
    InvalidDate "invalid-date" Error
        "a date that is not `YYYY-MM-DD`";
    OutOfRange "out-of-range" Error
        "a likelihood or impact outside 1–5";
    UnknownControl "unknown-control" Error
        "an id that is not an ISO/IEC 27001:2022 Annex A control";
    UnknownReference "unknown-reference" Error
        "a list field names a policy, evidence item, risk … that does not exist";
    DuplicateId "duplicate-id" Error
        "two items of a collection share an id (or a page address)";
    InvalidId "invalid-id" Error
        "an id with no letter or digit, or one whose page address would be over 200 characters";
    DuplicateMapping "duplicate-mapping" Error
        "a control mapped twice";
    MissingJustification "missing-justification" Error
        "a not-applicable control without a `justification`";
    ApprovedWithoutDate "approved-without-date" Error
        "an approved policy without an `approved` date";
    BrokenLink "broken-link" Error
        "a Markdown link to an item or file that does not exist (a rooted path included), or a `redirects:` entry whose target does not";
    UnsafeUrl "unsafe-url" Error
        "a URL field (evidence `url`, `organisation.website`, `certificate.register_url`) with a scheme other than http, https, mailto or tel; a `base_url` that is not a web address";
    BrokenAnchor "broken-anchor" Error
        "a link to a heading anchor that does not exist in a policy or the scope";
    MissingFile "missing-file" Error
        "`site.yaml`, `scope.md` or an evidence `file` is missing";
    InvalidPath "invalid-path" Error
        "an evidence `file` outside the site folder (by `..`, an absolute path or a symbolic link)";
    EvidenceInStatic "evidence-in-static" Error
        "restricted evidence under `static/`, which every audience gets";
    EvidenceSourceFile "evidence-source-file" Error
        "an evidence `file` that is one of the files trustpress reads (a policy's `.md`, a register's YAML, `site.yaml`, `scope.md`, a template), however spelt or linked";
    EvidenceFileShared "evidence-file-shared" Error
        "an evidence `file` that a more restricted evidence item names too: the file is as restricted as its most restricted item";
    EvidenceFileName "evidence-file-name" Error
        "an evidence file named `index.html` (the item's own page) or with a name over 255 bytes";
    Symlink "symlink" Error
        "a content folder, `site.yaml` or `scope.md` that is a symbolic link: nothing behind it is read";
    InvalidUtf8 "invalid-utf8" Error
        "a file that is not valid UTF-8 text";
    Io "io" Error
        "a file that cannot be read (a folder, named pipe or device where a file is expected)";
    BrandFile "brand-file" Error
        "a `brand` logo, favicon or stylesheet that is not a file under `static/`";
    InvalidColour "invalid-colour" Error
        "a `brand.accent` that is not `#rgb`, `#rrggbb` or a CSS colour name";
    Template "template" Error
        "a template override that does not compile or render";
    UnknownTemplate "unknown-template" Warning
        "a template override the theme does not use";
    SymlinkIgnored "symlink-ignored" Warning
        "a symbolic link in a content folder: not followed, so nothing outside the site is published";
    UnreadableName "unreadable-name" Warning
        "a file whose name is not valid UTF-8: skipped";
    UnknownLanguage "unknown-language" Warning
        "a `language` trustpress has no interface strings for: pages use English";
    NotAssessed "not-assessed" Warning
        "a catalog control with no mapping";
    NoPolicy "no-policy" Warning
        "an applicable control with no policy (a mapping's `policies:` or a policy's `controls:`)";
    NoEvidence "no-evidence" Warning
        "an applicable control with no evidence";
    EvidenceExpired "evidence-expired" Warning
        "evidence past its `expires` date";
    ReviewOverdue "review-overdue" Warning
        "an approved policy past its `review_by` date";
    FindingOverdue "finding-overdue" Warning
        "an open finding past its `due` date";
    RiskReviewOverdue "risk-review-overdue" Warning
        "a risk that is not closed, past its `review_by` date";
    DraftLinked "draft-linked" Warning
        "an approved policy's body links to a draft policy";
    OrphanPolicy "orphan-policy" Warning
        "a policy linked from nothing (no control, finding or Markdown link)";
    OrphanEvidence "orphan-evidence" Warning
        "an evidence item linked from nothing";
    RestrictedLink "restricted-link" Warning
        "a public or customer item links to a more restricted item; readers see plain text";
    UnclosedComment "unclosed-comment" Warning
        "an HTML comment `<!--` that is never closed: everything after it is hidden";
    UnreadFolder "unread-folder" Warning
        "a folder at the top of the site that trustpress does not read (the nearest content folder is suggested)";
    StaticShadowed "static-shadowed" Warning
        "a `static/` file at the address of a file trustpress generates: the generated one is published, not it";
    Internal "internal" Error
        "trustpress itself went wrong (please report it): a page it listed but could not render";
}

impl Rule {
    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.id() == id)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The README's rule table, as the registry says it must read.
pub fn markdown_table() -> String {
    let mut out = String::from("| rule | severity | what it means |\n|---|---|---|\n");
    for rule in Rule::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            rule.id(),
            rule.severity().as_str(),
            rule.description()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's table is the registry's: a rule added, removed or reworded in one place
    /// only fails here (the message shows the table to paste).
    #[test]
    fn readme_table_matches_the_registry() {
        let readme = include_str!("../README.md");
        let table = markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's rule table differs from the registry in src/rules.rs; it should read:\n{table}"
        );
    }

    #[test]
    fn ids_are_unique_and_round_trip() {
        for rule in Rule::ALL {
            assert_eq!(Rule::from_id(rule.id()), Some(*rule));
        }
        let mut ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Rule::ALL.len());
    }
}

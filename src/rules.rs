//! The rule registry: every diagnostic trustpress reports has one of these rules, with its
//! id, severity and description. `check`'s output, SARIF's `rules` and the README's rule table
//! all come from here (a test compares the README with this list).

use crate::diagnostic::Severity;

macro_rules! rules {
    ($($variant:ident $id:literal $severity:ident $rank:literal $description:literal;)*) => {
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

            /// How much a finding of this rule matters to the site's readers and auditors,
            /// 0 first: what `build` shows when it shows only some warnings. Errors are 0;
            /// among warnings, dates that have passed (1) come before links readers see
            /// broken or text they cannot see (2), orphans (3), coverage gaps (4), notes about
            /// the site's own setup (5) and, last, controls nobody has assessed yet (9), which
            /// a new site has by the dozen.
            pub fn rank(self) -> u8 {
                match self {
                    $(Rule::$variant => $rank,)*
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
    YamlSyntax "yaml-syntax" Error 0
        "YAML that does not parse";
    FrontMatter "front-matter" Error 0
        "front matter missing or not closed";
    UnknownField "unknown-field" Error 0
        "a field the format does not define (the nearest known one is suggested)";
    MissingField "missing-field" Error 0
        "a required field is missing or empty";
    UnknownValue "unknown-value" Error 0
        "a value outside its vocabulary (`status: aproved`: allowed values and the nearest)";
    InvalidDate "invalid-date" Error 0
        "a date that is not `YYYY-MM-DD`";
    OutOfRange "out-of-range" Error 0
        "a likelihood or impact outside 1–5";
    WrongType "wrong-type" Error 0
        "a field whose value has the wrong shape (text, list, mapping, number, true or false): the message names the field and shows the shape";
    UnknownControl "unknown-control" Error 0
        "an id that is not an ISO/IEC 27001:2022 Annex A control";
    UnknownReference "unknown-reference" Error 0
        "a list field names a policy, evidence item, risk … that does not exist";
    DuplicateId "duplicate-id" Error 0
        "two items of a collection share an id (or a page address)";
    InvalidId "invalid-id" Error 0
        "an id with no letter or digit, or one whose page address would be over 200 characters";
    DuplicateMapping "duplicate-mapping" Error 0
        "a control mapped twice";
    MissingJustification "missing-justification" Error 0
        "a not-applicable control without a `justification`";
    ApprovedWithoutDate "approved-without-date" Error 0
        "an approved policy without an `approved` date";
    BrokenLink "broken-link" Error 0
        "a Markdown link to an item or file that does not exist (a rooted path included), or a `redirects:` entry whose target does not";
    UnsafeUrl "unsafe-url" Error 0
        "a URL field (evidence `url`, `organisation.website`, a certificate's `register_url`, `requests.url`) with a scheme other than http, https, mailto or tel; a `base_url` or `requests.url` that is not an absolute http(s) address";
    BrokenAnchor "broken-anchor" Error 0
        "a link to a heading anchor that does not exist in a policy or the scope";
    MissingFile "missing-file" Error 0
        "`site.yaml`, `scope.md` or an evidence `file` is missing";
    InvalidPath "invalid-path" Error 0
        "an evidence `file` outside the site folder (by `..`, an absolute path or a symbolic link)";
    EvidenceInStatic "evidence-in-static" Error 0
        "restricted evidence under `static/`, which every audience gets";
    EvidenceSourceFile "evidence-source-file" Error 0
        "an evidence `file` that is one of the files trustpress reads (a policy's `.md`, a register's YAML, `site.yaml`, `scope.md`, a template), however spelt or linked";
    EvidenceFileShared "evidence-file-shared" Error 0
        "an evidence `file` that a more restricted evidence item names too: the file is as restricted as its most restricted item";
    EvidenceFileName "evidence-file-name" Error 0
        "an evidence file named `index.html` (the item's own page) or with a name over 255 bytes";
    Symlink "symlink" Error 0
        "a content folder, `site.yaml` or `scope.md` that is a symbolic link: nothing behind it is read";
    InvalidUtf8 "invalid-utf8" Error 0
        "a file that is not valid UTF-8 text";
    Io "io" Error 0
        "a file that cannot be read (a folder, named pipe or device where a file is expected)";
    BrandFile "brand-file" Error 0
        "a `brand` logo, favicon or stylesheet that is not a file under `static/`";
    InvalidColour "invalid-colour" Error 0
        "a `brand.accent` that is not `#rgb`, `#rrggbb` or a CSS colour name";
    Template "template" Error 0
        "a template override that does not compile or render";
    UnknownTemplate "unknown-template" Warning 5
        "a template override the theme does not use";
    SymlinkIgnored "symlink-ignored" Warning 2
        "a symbolic link in a content folder: not followed, so nothing outside the site is published";
    UnreadableName "unreadable-name" Warning 5
        "a file whose name is not valid UTF-8: skipped";
    IncompleteDraft "incomplete-draft" Warning 5
        "a draft policy without front matter, or without `owner` or `version`: what it needs before it can be approved";
    PlaceholderBaseUrl "placeholder-base-url" Warning 5
        "`base_url` is still the placeholder `trustpress init` wrote (`https://trust.example.com/`)";
    UnknownLanguage "unknown-language" Warning 5
        "a `language` trustpress has no interface strings for: pages use English";
    NotAssessed "not-assessed" Warning 9
        "a catalog control with no mapping";
    NoPolicy "no-policy" Warning 4
        "an applicable control with no policy (a mapping's `policies:` or a policy's `controls:`)";
    NoEvidence "no-evidence" Warning 4
        "an applicable control with no evidence";
    EvidenceExpired "evidence-expired" Warning 1
        "evidence past its `expires` date";
    ReviewOverdue "review-overdue" Warning 1
        "an approved policy past its `review_by` date";
    FindingOverdue "finding-overdue" Warning 1
        "an open finding past its `due` date";
    RiskReviewOverdue "risk-review-overdue" Warning 1
        "a risk that is not closed, past its `review_by` date";
    DraftLinked "draft-linked" Warning 2
        "an approved policy's body links to a draft policy";
    OrphanPolicy "orphan-policy" Warning 3
        "a policy linked from nothing (no control, finding or Markdown link)";
    OrphanEvidence "orphan-evidence" Warning 3
        "an evidence item linked from nothing";
    RestrictedLink "restricted-link" Warning 2
        "a public or customer item links to a more restricted item; readers see plain text";
    UnclosedComment "unclosed-comment" Warning 2
        "an HTML comment `<!--` that is never closed: everything after it is hidden";
    UnreadFolder "unread-folder" Warning 5
        "a folder at the top of the site that trustpress does not read (the nearest content folder is suggested)";
    StaticShadowed "static-shadowed" Warning 5
        "a `static/` file at the address of a file trustpress generates: the generated one is published, not it";
    Internal "internal" Error 0
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

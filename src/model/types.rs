//! Small value types parsed once at the edge: classifications, vocabularies, control ids,
//! dates and slugs. Anything invalid becomes a diagnostic at load time.

use std::fmt;

use serde::Serialize;

use crate::diagnostic::suggest;

/// Defines a closed vocabulary: an enum with its spelling in the source files and a
/// human label for pages.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in source files, e.g. `partially-implemented`.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The label shown to readers, e.g. "Partially implemented".
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a source value, or explains what was expected.
            pub fn parse(value: &str) -> Result<Self, String> {
                match value.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(vocabulary_error(other, &[$($text),+])),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

fn vocabulary_error(value: &str, allowed: &[&str]) -> String {
    let mut msg = format!("\"{value}\", expected one of {}", allowed.join(", "));
    if let Some(s) = suggest(value, allowed.iter().copied()) {
        msg.push_str(&format!(" (did you mean \"{s}\"?)"));
    }
    msg
}

vocabulary!(
    /// Who may see an item. Ordered: public < customer < internal.
    Classification {
        Public => "public", "Public";
        Customer => "customer", "Customer";
        Internal => "internal", "Internal";
    }
);

impl Classification {
    /// Whether an item of this classification may be shown to readers cleared for
    /// `clearance` (see `Audience::clearance`).
    pub fn visible_to(self, clearance: Classification) -> bool {
        self <= clearance
    }
}

/// Who a build is for: the reader of an edition. An item has a `Classification`; a build has
/// an `Audience`, which is cleared to see items up to one classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Audience {
    /// Anyone on the web: the public trust center.
    Public,
    /// A customer's reviewer under NDA: the evidence portal.
    Customer,
    /// Staff and auditors: everything.
    Internal,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Public, Audience::Customer, Audience::Internal];

    /// The spelling of `--audience` and of the default output folder.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Customer => "customer",
            Audience::Internal => "internal",
        }
    }

    /// The highest classification this audience may see.
    pub fn clearance(self) -> Classification {
        match self {
            Audience::Public => Classification::Public,
            Audience::Customer => Classification::Customer,
            Audience::Internal => Classification::Internal,
        }
    }

    /// Whether an item classified `classification` may be shown to this audience.
    pub fn may_see(self, classification: Classification) -> bool {
        classification.visible_to(self.clearance())
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

vocabulary!(
    /// A part of the site an edition may have (`site.yaml` `editions: {public: {sections:
    /// [...]}}`). A section an edition does not list is not written at all.
    Section {
        Overview => "overview", "Overview";
        Scope => "scope", "Scope";
        Certification => "certification", "Certification";
        Policies => "policies", "Policies";
        Controls => "controls", "Controls";
        Traceability => "traceability", "Traceability";
        Evidence => "evidence", "Evidence";
        Risks => "risks", "Risks";
        Findings => "findings", "Findings";
        Suppliers => "suppliers", "Suppliers";
    }
);

impl Section {
    /// The section that holds the pages of a collection.
    pub fn of(collection: super::Collection) -> Section {
        use super::Collection;
        match collection {
            Collection::Policies => Section::Policies,
            Collection::Controls => Section::Controls,
            Collection::Evidence => Section::Evidence,
            Collection::Risks => Section::Risks,
            Collection::Findings => Section::Findings,
            Collection::Suppliers => Section::Suppliers,
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// The sections of one edition: a small set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sections(u16);

impl Sections {
    /// What an edition has when `site.yaml` does not say: the public trust center has no
    /// auditor's view (traceability, evidence, risks, findings); the customer portal adds
    /// it; the internal site has everything.
    pub fn default_for(audience: Audience) -> Sections {
        use Section::*;
        let public = [
            Overview,
            Scope,
            Certification,
            Policies,
            Controls,
            Suppliers,
        ];
        match audience {
            Audience::Public => public.into_iter().collect(),
            Audience::Customer | Audience::Internal => Section::ALL.iter().copied().collect(),
        }
    }

    pub fn contains(self, section: Section) -> bool {
        self.0 & section.bit() != 0
    }

    pub fn insert(&mut self, section: Section) {
        self.0 |= section.bit();
    }
}

impl FromIterator<Section> for Sections {
    fn from_iter<I: IntoIterator<Item = Section>>(iter: I) -> Self {
        let mut s = Sections::default();
        for section in iter {
            s.insert(section);
        }
        s
    }
}

vocabulary!(PolicyStatus {
    Draft => "draft", "Draft";
    Approved => "approved", "Approved";
    Retired => "retired", "Retired";
});

vocabulary!(ControlStatus {
    Implemented => "implemented", "Implemented";
    PartiallyImplemented => "partially-implemented", "Partially implemented";
    Planned => "planned", "Planned";
    NotImplemented => "not-implemented", "Not implemented";
});

vocabulary!(EvidenceKind {
    Document => "document", "Document";
    Record => "record", "Record";
    Report => "report", "Report";
    Screenshot => "screenshot", "Screenshot";
    Log => "log", "Log";
    Ticket => "ticket", "Ticket";
    Certificate => "certificate", "Certificate";
    Other => "other", "Other";
});

vocabulary!(Treatment {
    Mitigate => "mitigate", "Mitigate";
    Accept => "accept", "Accept";
    Transfer => "transfer", "Transfer";
    Avoid => "avoid", "Avoid";
});

vocabulary!(RiskStatus {
    Open => "open", "Open";
    Treated => "treated", "Treated";
    Accepted => "accepted", "Accepted";
    Closed => "closed", "Closed";
});

vocabulary!(FindingKind {
    MajorNonconformity => "major-nonconformity", "Major nonconformity";
    MinorNonconformity => "minor-nonconformity", "Minor nonconformity";
    Observation => "observation", "Observation";
    Opportunity => "opportunity", "Opportunity for improvement";
    Strength => "strength", "Strength";
});

vocabulary!(FindingStatus {
    Open => "open", "Open";
    InProgress => "in-progress", "In progress";
    Closed => "closed", "Closed";
});

vocabulary!(RiskLevel {
    Low => "low", "Low";
    Medium => "medium", "Medium";
    High => "high", "High";
});

vocabulary!(CertificateStatus {
    Certified => "certified", "Certified";
    InProgress => "in-progress", "Certification in progress";
    NotCertified => "not-certified", "Not certified";
});

/// An ISO/IEC 27001:2022 Annex A control id, e.g. A.5.15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ControlId {
    pub theme: u8,
    pub number: u8,
}

impl ControlId {
    /// Accepts `A.5.15`, `5.15`, `A5.15` and `a.5.15`; the catalog decides if it exists.
    pub fn parse(text: &str) -> Option<ControlId> {
        let t = text.trim();
        let t = t
            .strip_prefix('A')
            .or_else(|| t.strip_prefix('a'))
            .unwrap_or(t);
        let t = t.strip_prefix('.').unwrap_or(t);
        let (theme, number) = t.split_once('.')?;
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(theme) || !digits(number) {
            return None;
        }
        Some(ControlId {
            theme: theme.parse().ok()?,
            number: number.parse().ok()?,
        })
    }

    /// The URL slug: A.5.15 → `a-5-15`.
    pub fn slug(self) -> String {
        format!("a-{}-{}", self.theme, self.number)
    }
}

impl fmt::Display for ControlId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "A.{}.{}", self.theme, self.number)
    }
}

/// A calendar date, written YYYY-MM-DD in sources and on pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub jiff::civil::Date);

impl Date {
    pub fn parse(text: &str) -> Result<Date, String> {
        let t = text.trim();
        let well_formed = t.len() == 10
            && t.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !well_formed {
            return Err(format!("\"{t}\" is not a date, expected YYYY-MM-DD"));
        }
        t.parse::<jiff::civil::Date>()
            .map(Date)
            .map_err(|_| format!("\"{t}\" is not a valid calendar date, expected YYYY-MM-DD"))
    }

    /// Days from `self` to `other` (negative when `other` is earlier).
    pub fn days_until(self, other: Date) -> i64 {
        let span = other.0 - self.0;
        i64::from(span.get_days())
    }

    pub fn from_unix_seconds(secs: i64) -> Option<Date> {
        let ts = jiff::Timestamp::from_second(secs).ok()?;
        Some(Date(ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The longest page address (slug) an id may make: with its folder and `index.html` it must
/// stay within the file systems' limit of 255 bytes per name.
pub const MAX_SLUG_LEN: usize = 200;

/// `text` for a message: a long value (an id of thousands of characters) is cut to its first
/// 40 characters and `…`.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) if text.chars().count() > 60 => format!("{}…", &text[..i]),
        _ => text.to_string(),
    }
}

/// Lowercase; letters and digits of any script are kept (`données`, `übersicht`, `数据保护`),
/// every run of other characters becomes `-`, trimmed. A combining accent stays with the
/// letter before it, so a decomposed `é` is kept too.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    let mut in_word = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || (in_word && !pending_dash && is_combining_mark(c)) {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            in_word = true;
            out.push(c);
        } else {
            pending_dash = true;
        }
    }
    out
}

/// The combining diacritical mark blocks (accents written as a separate code point).
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{300}'..='\u{36F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_id(input: &str, expected: Option<&str>) {
        assert_eq!(
            ControlId::parse(input).map(|c| c.to_string()).as_deref(),
            expected,
            "input {input:?}"
        );
    }

    #[test]
    fn control_ids_normalise() {
        check_id("A.5.15", Some("A.5.15"));
        check_id("5.15", Some("A.5.15"));
        check_id("A5.15", Some("A.5.15"));
        check_id("a.8.1", Some("A.8.1"));
        check_id(" A.8.13 ", Some("A.8.13"));
        check_id("A.5", None);
        check_id("A.5.x", None);
        check_id("B.5.1", None);
        check_id("A.5.151", None);
        check_id("", None);
    }

    #[test]
    fn control_slugs() {
        assert_eq!(
            ControlId::parse("A.5.15").map(ControlId::slug).as_deref(),
            Some("a-5-15")
        );
    }

    #[test]
    fn slugs() {
        for (input, expected) in [
            ("Access Control", "access-control"),
            ("EV-001", "ev-001"),
            ("F-2026/01", "f-2026-01"),
            ("  Über  cool__policy!", "über-cool-policy"),
            ("A.5.15", "a-5-15"),
            ("données", "données"),
            ("donne\u{301}es", "donne\u{301}es"),
            ("Übersicht", "übersicht"),
            ("数据保护", "数据保护"),
            ("Política de Segurança", "política-de-segurança"),
            ("a \u{301}b", "a-b"),
            ("→ Scope — 2026 ✓", "scope-2026"),
        ] {
            assert_eq!(slugify(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn classification_order() {
        use Classification::*;
        assert!(Public.visible_to(Public));
        assert!(Public.visible_to(Internal));
        assert!(Customer.visible_to(Customer));
        assert!(!Customer.visible_to(Public));
        assert!(!Internal.visible_to(Customer));
        assert!(Internal.visible_to(Internal));
    }

    #[test]
    fn what_each_audience_may_see() {
        use Classification::*;
        for (audience, expected) in [
            (Audience::Public, [true, false, false]),
            (Audience::Customer, [true, true, false]),
            (Audience::Internal, [true, true, true]),
        ] {
            let seen = [Public, Customer, Internal].map(|c| audience.may_see(c));
            assert_eq!(seen, expected, "{audience}");
        }
        let spelled = Audience::ALL.map(Audience::as_str);
        assert_eq!(spelled, ["public", "customer", "internal"]);
    }

    #[test]
    fn vocabulary_errors_suggest() {
        let err = PolicyStatus::parse("aproved").unwrap_err();
        assert_eq!(
            err,
            "\"aproved\", expected one of draft, approved, retired (did you mean \"approved\"?)"
        );
        assert_eq!(ControlStatus::parse("planned"), Ok(ControlStatus::Planned));
    }

    #[test]
    fn dates() {
        assert!(Date::parse("2026-11-30").is_ok());
        assert!(Date::parse("2026-02-30").is_err());
        assert!(Date::parse("30/11/2026").is_err());
        let a = Date::parse("2026-11-01").unwrap();
        let b = Date::parse("2026-11-30").unwrap();
        assert_eq!(a.days_until(b), 29);
        assert_eq!(
            Date::from_unix_seconds(0).map(|d| d.to_string()).as_deref(),
            Some("1970-01-01")
        );
    }
}

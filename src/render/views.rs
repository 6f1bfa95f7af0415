//! View structs: what templates see. They are built from an `Edition`, so a view can only
//! carry what that edition's audience may see.

use serde::Serialize;

use crate::model::*;
use crate::render::i18n::Strings;

/// A status badge: text always, the class only adds colour.
#[derive(Debug, Clone, Serialize)]
pub struct Badge {
    pub text: String,
    pub class: String,
}

impl Badge {
    pub fn new(text: impl Into<String>, class: impl Into<String>) -> Self {
        Badge {
            text: text.into(),
            class: class.into(),
        }
    }
}

/// A link to an item the reader may open, or the title of one available on request.
#[derive(Debug, Clone)]
pub enum ItemLink {
    Open(OpenLink),
    /// Shown as text with a lock, "available on request": the title, and the link that
    /// requests it (the request form, or a mail to the contact address).
    OnRequest {
        title: String,
        request: Option<String>,
    },
    /// An item of a section this edition does not have: its title as plain text.
    Text {
        title: String,
    },
}

#[derive(Debug, Clone)]
pub struct OpenLink {
    pub id: String,
    pub title: String,
    pub url: String,
    pub badge: Option<Badge>,
    /// Extra detail for lists (a theme, an expiry date, a due date).
    pub note: Option<String>,
}

impl ItemLink {
    /// The open link, to add a badge or a note to (an item on request gets neither).
    pub fn open_mut(&mut self) -> Option<&mut OpenLink> {
        match self {
            ItemLink::Open(l) => Some(l),
            ItemLink::OnRequest { .. } | ItemLink::Text { .. } => None,
        }
    }

    pub fn is_locked(&self) -> bool {
        matches!(self, ItemLink::OnRequest { .. })
    }
}

/// Templates see one shape for all (`id`, `title`, `url`, `locked`, `request`, `badge`,
/// `note`), as site overrides were written against it; an item on request has an empty id,
/// no url and its `request` link; plain text has neither url nor lock.
impl Serialize for ItemLink {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ItemLink", 7)?;
        match self {
            ItemLink::Open(l) => {
                st.serialize_field("id", &l.id)?;
                st.serialize_field("title", &l.title)?;
                st.serialize_field("url", &Some(&l.url))?;
                st.serialize_field("locked", &false)?;
                st.serialize_field("request", &None::<String>)?;
                st.serialize_field("badge", &l.badge)?;
                st.serialize_field("note", &l.note)?;
            }
            ItemLink::OnRequest { title, request } => {
                st.serialize_field("id", "")?;
                st.serialize_field("title", title)?;
                st.serialize_field("url", &None::<String>)?;
                st.serialize_field("locked", &true)?;
                st.serialize_field("request", request)?;
                st.serialize_field("badge", &None::<Badge>)?;
                st.serialize_field("note", &None::<String>)?;
            }
            ItemLink::Text { title } => {
                st.serialize_field("id", "")?;
                st.serialize_field("title", title)?;
                st.serialize_field("url", &None::<String>)?;
                st.serialize_field("locked", &false)?;
                st.serialize_field("request", &None::<String>)?;
                st.serialize_field("badge", &None::<Badge>)?;
                st.serialize_field("note", &None::<String>)?;
            }
        }
        st.end()
    }
}

/// One entry of the main navigation.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub title: &'static str,
    pub url: String,
    pub active: bool,
}

/// What every page knows about itself and the build.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub title: String,
    /// Relative prefix to the output root ("", "../", "../../").
    pub root: String,
    pub home: String,
    pub section: &'static str,
    pub audience: &'static str,
    pub audience_label: &'static str,
    /// Shown in the footer of non-public builds.
    pub notice: Option<String>,
    pub noindex: bool,
    pub today: String,
    pub description: Option<String>,
    /// A `<base href>` for pages served at any depth (the 404 page only).
    pub base_href: Option<String>,
    /// Open Graph properties: public builds only (customer and internal pages ask not to be
    /// indexed, and do not advertise themselves to link previews either).
    pub og: Option<OpenGraph>,
    /// The `@page` rules that print the marking, title, version and page number on every
    /// printed page (CSS, safe inside `<style>`).
    pub print_css: String,
}

/// `og:` properties of a page of the public trust center.
#[derive(Debug, Clone, Serialize)]
pub struct OpenGraph {
    pub title: String,
    pub description: Option<String>,
    /// `website` for the home page, `article` for the others.
    pub kind: &'static str,
    /// Absolute: `base_url` and the page's address; `None` when `base_url` is not an
    /// absolute http(s) URL.
    pub url: Option<String>,
    pub site_name: String,
    /// The logo, absolute, when there is one and `base_url` is absolute.
    pub image: Option<String>,
}

/// The site's brand for a page: URLs relative to that page.
#[derive(Debug, Clone, Serialize)]
pub struct BrandView {
    pub logo: Option<String>,
    pub logo_dark: Option<String>,
    /// Always set: the site's favicon, or the `favicon.svg` the build writes.
    pub favicon: String,
    /// The MIME type of the favicon, for `<link rel="icon" type=…>`.
    pub favicon_type: &'static str,
    pub accent: Option<String>,
    pub extra_css: Option<String>,
}

/// The MIME type of an image by its file name (what favicons and logos are).
pub fn image_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        _ => "image/png",
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub organisation: String,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub language: String,
    pub description: Option<String>,
    pub brand: BrandView,
}

pub fn control_status_badge(
    t: &Strings,
    status: Option<ControlStatus>,
    applicable: Option<bool>,
) -> Badge {
    match (applicable, status) {
        (Some(false), _) => Badge::new(t.not_applicable, "na"),
        (Some(true), Some(s)) => Badge::new(t.control_status(s), s.as_str()),
        (Some(true), None) => Badge::new(t.not_assessed, "not-assessed"),
        (None, _) => Badge::new(t.not_assessed, "not-assessed"),
    }
}

/// Fresh, expiring (within 30 days) or expired, relative to `today`.
pub fn freshness(t: &Strings, expires: Option<Date>, today: Date) -> Badge {
    match expires {
        None => Badge::new(t.no_expiry, "neutral"),
        Some(e) if e < today => Badge::new(t.expired, "expired"),
        Some(e) if today.days_until(e) <= crate::checks::EXPIRING_DAYS => {
            Badge::new(t.expiring, "expiring")
        }
        Some(_) => Badge::new(t.fresh, "fresh"),
    }
}

pub fn is_expired(expires: Option<Date>, today: Date) -> bool {
    expires.is_some_and(|e| e < today)
}

/// Overdue means strictly past the date and not finished.
pub fn is_overdue(due: Option<Date>, today: Date) -> bool {
    due.is_some_and(|d| d < today)
}

pub fn finding_status_badge(t: &Strings, f: &crate::edition::Finding, today: Date) -> Badge {
    if f.is_open() && is_overdue(f.due, today) {
        return Badge::new(t.overdue, "overdue");
    }
    match f.status {
        Some(s) => Badge::new(t.finding_status(s), s.as_str()),
        None => Badge::new(t.no_status, "neutral"),
    }
}

pub fn finding_kind_badge(t: &Strings, kind: Option<FindingKind>) -> Badge {
    match kind {
        Some(k) => Badge::new(t.finding_kind(k), k.as_str()),
        None => Badge::new(t.unclassified, "neutral"),
    }
}

pub fn policy_status_badge(t: &Strings, status: PolicyStatus) -> Badge {
    Badge::new(
        t.policy_status(status),
        format!("policy-{}", status.as_str()),
    )
}

/// Likelihood × impact, with a level for colouring.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub value: u8,
    pub level: &'static str,
}

pub fn score(likelihood: Option<u8>, impact: Option<u8>) -> Option<Score> {
    let value = likelihood? * impact?;
    let level = match value {
        15.. => "high",
        8..=14 => "medium",
        _ => "low",
    };
    Some(Score { value, level })
}

pub fn date(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// A URL field shown as a link: where it goes and what it says.
#[derive(Debug, Clone, Serialize)]
pub struct UrlLink {
    pub href: String,
    pub text: String,
    /// Whether it leaves the site (`rel="external"`).
    pub external: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn freshness_relative_to_today() {
        let today = d("2026-11-30");
        assert_eq!(
            freshness(&crate::render::i18n::EN, Some(d("2026-11-29")), today).class,
            "expired"
        );
        assert_eq!(
            freshness(&crate::render::i18n::EN, Some(d("2026-11-30")), today).class,
            "expiring"
        );
        assert_eq!(
            freshness(&crate::render::i18n::EN, Some(d("2026-12-30")), today).class,
            "expiring"
        );
        assert_eq!(
            freshness(&crate::render::i18n::EN, Some(d("2026-12-31")), today).class,
            "fresh"
        );
        assert_eq!(
            freshness(&crate::render::i18n::EN, None, today).class,
            "neutral"
        );
    }

    #[test]
    fn overdue_is_strictly_past() {
        let today = d("2026-11-30");
        assert!(is_overdue(Some(d("2026-11-29")), today));
        assert!(!is_overdue(Some(d("2026-11-30")), today));
        assert!(!is_overdue(None, today));
    }

    #[test]
    fn scores() {
        assert_eq!(
            score(Some(4), Some(5)).map(|s| (s.value, s.level)),
            Some((20, "high"))
        );
        assert_eq!(score(Some(2), Some(4)).map(|s| s.level), Some("medium"));
        assert_eq!(score(Some(1), None).map(|s| s.value), None);
    }
}

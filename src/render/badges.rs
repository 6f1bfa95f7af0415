//! Inline SVG drawn by the theme for the home page: a certification badge per certificate
//! and the headline coverage bar. Both are images with a text alternative (`role="img"` and a
//! `<title>`), their words are text in the page's colour (so they keep their contrast in dark
//! mode), and colour only repeats what the words say. Nothing here is a standard body's or a
//! certification body's logo: the badge is a plain seal with the certificate's own words.

use crate::edition::Coverage;
use crate::markdown::escape;
use crate::model::CertificateStatus;

/// What a certification badge says.
pub struct CertificateBadge<'a> {
    /// A unique id on the page, for the `<title>` the image is labelled by.
    pub id: &'a str,
    /// The standard (`ISO/IEC 27001:2022`).
    pub standard: &'a str,
    pub status: CertificateStatus,
    /// The status in the page's language.
    pub status_text: &'a str,
    /// "Valid until 2027-03-14" in the page's language, when the certificate says.
    pub valid_until: Option<&'a str>,
}

/// The badge of one certificate: a seal (a check mark when certified, a clock while in
/// progress, a dash otherwise) beside the standard, the status and the end of validity.
pub fn certificate_badge(b: &CertificateBadge) -> String {
    let label = match b.valid_until {
        Some(v) => format!("{}: {}, {}", b.standard, b.status_text, v),
        None => format!("{}: {}", b.standard, b.status_text),
    };
    let (class, mark) = match b.status {
        CertificateStatus::Certified => (
            "seal-certified",
            "<path d=\"M27 48l9 9 17-18\" fill=\"none\" stroke-width=\"5\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>",
        ),
        CertificateStatus::InProgress => (
            "seal-in-progress",
            "<path d=\"M40 32v16l11 7\" fill=\"none\" stroke-width=\"5\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>",
        ),
        CertificateStatus::NotCertified => (
            "seal-not-certified",
            "<path d=\"M28 48h24\" fill=\"none\" stroke-width=\"5\" stroke-linecap=\"round\"/>",
        ),
    };
    let valid = b.valid_until.map_or(String::new(), |v| {
        format!(
            "<text x=\"84\" y=\"78\" font-size=\"13\">{}</text>",
            escape(v)
        )
    });
    format!(
        "<svg class=\"cert-badge {class}\" role=\"img\" aria-labelledby=\"{id}\" viewBox=\"0 0 320 100\" width=\"320\" height=\"100\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}\">{label}</title>\
<rect class=\"seal-frame\" x=\"1.5\" y=\"1.5\" width=\"317\" height=\"97\" rx=\"14\" fill=\"none\" stroke-width=\"3\"/>\
<g class=\"seal-mark\"><circle cx=\"40\" cy=\"48\" r=\"27\" fill=\"none\" stroke-width=\"4\"/>{mark}</g>\
<g fill=\"currentColor\" font-family=\"system-ui, sans-serif\">\
<text x=\"84\" y=\"34\" font-size=\"15\" font-weight=\"700\">{standard}</text>\
<text x=\"84\" y=\"57\" font-size=\"15\">{status}</text>{valid}</g></svg>",
        id = escape(b.id),
        label = escape(&label),
        standard = escape(b.standard),
        status = escape(b.status_text),
    )
}

/// The headline coverage as a bar: implemented, partially implemented, planned and not
/// implemented, in proportion to the applicable controls. `label` is its text alternative
/// ("78 of 89 applicable controls implemented (87%)"); the page shows the counts as text
/// beside it too.
pub fn coverage_bar(c: &Coverage, label: &str) -> String {
    let parts = [
        ("bar-implemented", c.implemented),
        ("bar-partially-implemented", c.partial),
        ("bar-planned", c.planned),
        ("bar-not-implemented", c.not_implemented),
    ];
    let total = c.applicable.max(1) as f64;
    let mut x = 0.0;
    let mut rects = String::new();
    for (class, n) in parts {
        if n == 0 {
            continue;
        }
        let w = n as f64 * 100.0 / total;
        rects.push_str(&format!(
            "<rect class=\"{class}\" x=\"{x:.2}\" y=\"0\" width=\"{w:.2}\" height=\"10\"/>"
        ));
        x += w;
    }
    format!(
        "<svg class=\"coverage-bar\" role=\"img\" aria-label=\"{label}\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" width=\"100%\" height=\"20\" xmlns=\"http://www.w3.org/2000/svg\">\
<rect class=\"bar-track\" x=\"0\" y=\"0\" width=\"100\" height=\"10\"/>{rects}</svg>",
        label = escape(label),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_escapes_and_labels() {
        let svg = certificate_badge(&CertificateBadge {
            id: "cert-1",
            standard: "ISO/IEC 27001:2022 <&>",
            status: CertificateStatus::Certified,
            status_text: "Certified",
            valid_until: Some("Valid until 2027-03-14"),
        });
        assert!(svg.starts_with(
            "<svg class=\"cert-badge seal-certified\" role=\"img\" aria-labelledby=\"cert-1\""
        ));
        assert!(svg.contains(
            "<title id=\"cert-1\">ISO/IEC 27001:2022 &lt;&amp;&gt;: Certified, Valid until 2027-03-14</title>"
        ));
        assert!(!svg.contains("<&>"));
        assert!(svg.contains(">Valid until 2027-03-14</text>"));
        let svg = certificate_badge(&CertificateBadge {
            id: "c",
            standard: "ISO/IEC 27001:2022",
            status: CertificateStatus::InProgress,
            status_text: "In progress",
            valid_until: None,
        });
        assert!(svg.contains("seal-in-progress"));
        assert_eq!(svg.matches("<text").count(), 2);
    }

    #[test]
    fn bar_is_proportional() {
        let c = Coverage {
            applicable: 4,
            implemented: 2,
            partial: 1,
            not_implemented: 1,
            ..Coverage::default()
        };
        let svg = coverage_bar(&c, "2 of 4");
        assert!(svg.contains("aria-label=\"2 of 4\""));
        assert!(svg.contains("<rect class=\"bar-implemented\" x=\"0.00\" y=\"0\" width=\"50.00\""));
        assert!(svg.contains(
            "<rect class=\"bar-partially-implemented\" x=\"50.00\" y=\"0\" width=\"25.00\""
        ));
        assert!(!svg.contains("bar-planned"));
        // No applicable control: an empty track, not a division by zero.
        assert!(!coverage_bar(&Coverage::default(), "0").contains("bar-implemented"));
    }
}

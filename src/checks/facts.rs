//! What needs attention on the site as of "today": the facts behind `check`'s date and
//! coverage warnings, computed once here so the warnings and the internal home page's work
//! queue cannot disagree.

use crate::model::*;
use crate::site::{ControlKey, EvidenceKey, FindingKey, PolicyKey, RiskKey, Site};

/// Evidence expiring within this many days (from today) is "expiring".
pub const EXPIRING_DAYS: i64 = 30;

/// The site's open work, each list in source (catalog) order with the date that matters.
#[derive(Debug, Clone, Default)]
pub struct Attention {
    /// Open findings past their `due` date (`finding-overdue`).
    pub overdue_findings: Vec<(FindingKey, Date)>,
    /// Evidence past its `expires` date (`evidence-expired`).
    pub expired_evidence: Vec<(EvidenceKey, Date)>,
    /// Approved policies past their `review_by` date (`review-overdue`).
    pub overdue_reviews: Vec<(PolicyKey, Date)>,
    /// Risks not closed past their `review_by` date (`risk-review-overdue`).
    pub overdue_risk_reviews: Vec<(RiskKey, Date)>,
    /// Evidence that expires today or within `EXPIRING_DAYS` (no warning yet).
    pub expiring_evidence: Vec<(EvidenceKey, Date)>,
    /// Applicable controls with no policy (`no-policy`).
    pub no_policy: Vec<ControlKey>,
    /// Applicable controls with no evidence (`no-evidence`).
    pub no_evidence: Vec<ControlKey>,
}

/// The facts of `site` as of `site.today`.
pub fn attention(site: &Site) -> Attention {
    let today = site.today;
    let mut a = Attention::default();
    for (key, f) in site.findings.iter() {
        let open = f.status != Some(FindingStatus::Closed) && f.kind != Some(FindingKind::Strength);
        if let Some(d) = f.due.filter(|d| open && *d < today) {
            a.overdue_findings.push((key, d));
        }
    }
    for (key, e) in site.evidence.iter() {
        match e.expires {
            Some(d) if d < today => a.expired_evidence.push((key, d)),
            Some(d) if today.days_until(d) <= EXPIRING_DAYS => a.expiring_evidence.push((key, d)),
            _ => {}
        }
    }
    for (key, p) in site.policies.iter() {
        if p.status != PolicyStatus::Approved {
            continue;
        }
        if let Some(d) = p.review_by.filter(|d| *d < today) {
            a.overdue_reviews.push((key, d));
        }
    }
    for (key, r) in site.risks.iter() {
        if r.status == Some(RiskStatus::Closed) {
            continue;
        }
        if let Some(d) = r.review_by.filter(|d| *d < today) {
            a.overdue_risk_reviews.push((key, d));
        }
    }
    for (key, c) in site.controls.iter() {
        if !c.mapping.as_ref().is_some_and(|m| m.applicable) {
            continue;
        }
        if c.links.policies.is_empty() {
            a.no_policy.push(key);
        }
        if c.links.evidence.is_empty() {
            a.no_evidence.push(key);
        }
    }
    a
}

//! Who may see what. Every page, list, count, link and export asks these functions; nothing
//! else decides visibility.

use crate::model::{Classification, Common, Policy, PolicyStatus};

/// How an item appears to an audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Its page, its contents and links to it.
    Full,
    /// Its title only, in lists, marked "available on request".
    Listed,
    /// Nothing; at most counted among restricted items.
    Hidden,
}

/// Access to a register item (evidence, risk, finding, supplier).
pub fn item_access(common: &Common, audience: Classification) -> Access {
    access(common.classification, common.listed, audience)
}

/// Access to a policy: besides classification, only approved policies are published
/// outside internal builds (drafts and retired ones appear, marked, internally only).
pub fn policy_access(policy: &Policy, audience: Classification) -> Access {
    if audience != Classification::Internal && policy.status != PolicyStatus::Approved {
        return Access::Hidden;
    }
    access(policy.common.classification, policy.common.listed, audience)
}

/// Whether a hidden item counts as "available on request": it exists for this reader's
/// organisation, just above their classification (drafts and retired policies do not count).
pub fn counts_as_restricted(
    policy_status: Option<PolicyStatus>,
    classification: Classification,
    audience: Classification,
) -> bool {
    !classification.visible_to(audience)
        && policy_status.is_none_or(|s| s == PolicyStatus::Approved)
}

fn access(classification: Classification, listed: bool, audience: Classification) -> Access {
    if classification.visible_to(audience) {
        Access::Full
    } else if listed {
        Access::Listed
    } else {
        Access::Hidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;
    use crate::model::Markdown;
    use Classification::*;

    fn policy(class: Classification, status: PolicyStatus, listed: bool) -> Policy {
        Policy {
            common: Common {
                id: "p".into(),
                slug: "p".into(),
                classification: class,
                listed,
                pos: Pos::default(),
                notes: None,
                field_pos: vec![],
            },
            title: "T".into(),
            owner: "O".into(),
            version: "1".into(),
            status,
            approved: None,
            review_by: None,
            controls: vec![],
            summary: None,
            body: Markdown {
                text: String::new(),
                pos: Pos::default(),
                source_map: vec![],
            },
        }
    }

    fn check(
        class: Classification,
        status: PolicyStatus,
        listed: bool,
        audience: Classification,
        expected: Access,
    ) {
        assert_eq!(
            policy_access(&policy(class, status, listed), audience),
            expected,
            "{class:?} {status:?} listed={listed} for {audience:?}"
        );
    }

    #[test]
    fn policy_visibility_table() {
        use PolicyStatus::*;
        check(Public, Approved, false, Public, Access::Full);
        check(Customer, Approved, false, Public, Access::Hidden);
        check(Customer, Approved, true, Public, Access::Listed);
        check(Customer, Approved, false, Customer, Access::Full);
        check(Internal, Approved, true, Customer, Access::Listed);
        check(Internal, Approved, false, Customer, Access::Hidden);
        check(Internal, Approved, false, Internal, Access::Full);
        check(Public, Draft, false, Public, Access::Hidden);
        check(Public, Draft, true, Customer, Access::Hidden);
        check(Public, Retired, false, Customer, Access::Hidden);
        check(Internal, Draft, false, Internal, Access::Full);
        check(Internal, Retired, false, Internal, Access::Full);
    }

    #[test]
    fn restricted_counts() {
        assert!(counts_as_restricted(None, Internal, Customer));
        assert!(!counts_as_restricted(None, Public, Customer));
        assert!(!counts_as_restricted(
            Some(PolicyStatus::Draft),
            Internal,
            Customer
        ));
        assert!(counts_as_restricted(
            Some(PolicyStatus::Approved),
            Customer,
            Public
        ));
    }
}

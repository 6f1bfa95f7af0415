//! Who may see what. Every page, list, count, link and export asks these functions; nothing
//! else decides visibility.

use crate::model::{Audience, Classification, Collection, Common, Policy, PolicyStatus};

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
pub fn item_access(common: &Common, audience: Audience) -> Access {
    access(common.classification, common.listed, audience)
}

/// Access to a policy: besides classification, only approved policies are published
/// outside internal builds (drafts and retired ones appear, marked, internally only).
pub fn policy_access(policy: &Policy, audience: Audience) -> Access {
    if audience != Audience::Internal && policy.status != PolicyStatus::Approved {
        return Access::Hidden;
    }
    access(policy.common.classification, policy.common.listed, audience)
}

/// Whether a hidden item is counted on its list page as "available on request". Only documents
/// a reader can ask for — policies and evidence — are counted, and only when the site shows
/// such counts (`show_restricted_counts`): the size of the risk, finding or supplier register
/// is itself confidential. Drafts and retired policies are never counted.
pub fn counts_as_restricted(
    collection: Collection,
    policy_status: Option<PolicyStatus>,
    classification: Classification,
    audience: Audience,
    show_counts: bool,
) -> bool {
    show_counts
        && matches!(collection, Collection::Policies | Collection::Evidence)
        && !audience.may_see(classification)
        && policy_status.is_none_or(|s| s == PolicyStatus::Approved)
}

fn access(classification: Classification, listed: bool, audience: Audience) -> Access {
    if audience.may_see(classification) {
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

    /// The audience cleared for exactly `class` (the tables read better in one vocabulary).
    fn reader(class: Classification) -> Audience {
        match class {
            Public => Audience::Public,
            Customer => Audience::Customer,
            Internal => Audience::Internal,
        }
    }

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
            approved_by: None,
            review_by: None,
            controls: vec![],
            summary: None,
            tags: vec![],
            history: vec![],
            extra: None,
            body: Markdown::new(String::new(), Pos::default(), vec![]),
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
            policy_access(&policy(class, status, listed), reader(audience)),
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
        use Collection::*;
        let approved = Some(PolicyStatus::Approved);
        let count = |c, status, class, audience, show| {
            counts_as_restricted(c, status, class, reader(audience), show)
        };
        assert!(count(Evidence, None, Internal, Customer, true));
        assert!(count(Policies, approved, Customer, Public, true));
        assert!(!count(Evidence, None, Public, Customer, true));
        assert!(!count(
            Policies,
            Some(PolicyStatus::Draft),
            Internal,
            Customer,
            true
        ));
        // The size of the other registers is never published.
        for c in [Risks, Findings, Suppliers, Controls] {
            assert!(!count(c, None, Internal, Public, true), "{c:?}");
        }
        // `show_restricted_counts: false` removes the document counts too.
        assert!(!count(Evidence, None, Internal, Customer, false));
        assert!(!count(Policies, approved, Customer, Public, false));
    }
}

//! The files of policy folders (`policies/x/index.md` with `diagram.svg` beside it): each is
//! published beside its policy's page, to the readers who may open the policy and no others.

use super::Edition;
use super::route::Route;
use crate::model::Collection;

impl<'s> Edition<'s> {
    /// Every policy folder file this reader gets, with its bytes: those of the published
    /// policies only.
    pub fn policy_files(&self) -> Vec<(Route, &'s [u8])> {
        self.site
            .policy_files
            .iter()
            .filter_map(|f| {
                let Some(Route::Item(Collection::Policies, slug)) =
                    self.published_route(f.policy.into())
                else {
                    return None;
                };
                Some((Route::PolicyFile(slug, f.name.clone()), f.bytes.as_deref()?))
            })
            .collect()
    }

    /// The bytes of the file `name` of the published policy at `slug`, if this reader gets it.
    pub fn policy_file(&self, slug: &str, name: &str) -> Option<&'s [u8]> {
        let site = self.site;
        let policy = self
            .policies
            .iter_published()
            .find(|(_, p)| p.slug == slug)?
            .0;
        site.policy_files
            .iter()
            .find(|f| f.policy == policy && f.name == name)?
            .bytes
            .as_deref()
    }
}

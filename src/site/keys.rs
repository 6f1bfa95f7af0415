//! Typed keys: an index into one collection of the `Site`, which cannot be used on another,
//! and the nodes of each collection, which hold their item with its relations.

use rustc_hash::FxHashMap as HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::{Deref, Index};
use std::sync::Arc;

use crate::catalog::CatalogControl;
use crate::model::{Collection, Evidence, Finding, Mapping, Policy, Risk, Supplier};

/// The key of an item of type `T` in the site. Only the site makes keys, so a key always
/// names an item of its own collection.
pub struct Key<T> {
    index: u32,
    of: PhantomData<fn() -> T>,
}

pub type PolicyKey = Key<Policy>;
pub type ControlKey = Key<Control>;
pub type EvidenceKey = Key<Evidence>;
pub type RiskKey = Key<Risk>;
pub type FindingKey = Key<Finding>;
pub type SupplierKey = Key<Supplier>;

impl<T> Key<T> {
    fn new(index: usize) -> Self {
        Key {
            // A site cannot hold four billion items of one kind: loading would run out of
            // memory long before, so the conversion only saturates in theory.
            index: u32::try_from(index).unwrap_or(u32::MAX),
            of: PhantomData,
        }
    }

    /// The position of the item in its collection (in source order).
    pub fn index(self) -> usize {
        self.index as usize
    }
}

// By hand, so that `T` needs none of these traits.
impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Key<T> {}
impl<T> PartialEq for Key<T> {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}
impl<T> Eq for Key<T> {}
impl<T> PartialOrd for Key<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Key<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index.cmp(&other.index)
    }
}
impl<T> Hash for Key<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.index.hash(state);
    }
}
impl<T> fmt::Debug for Key<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.index)
    }
}

/// The key of an item of any collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKey {
    Policy(PolicyKey),
    Control(ControlKey),
    Evidence(EvidenceKey),
    Risk(RiskKey),
    Finding(FindingKey),
    Supplier(SupplierKey),
}

impl ItemKey {
    pub fn collection(self) -> Collection {
        match self {
            ItemKey::Policy(_) => Collection::Policies,
            ItemKey::Control(_) => Collection::Controls,
            ItemKey::Evidence(_) => Collection::Evidence,
            ItemKey::Risk(_) => Collection::Risks,
            ItemKey::Finding(_) => Collection::Findings,
            ItemKey::Supplier(_) => Collection::Suppliers,
        }
    }
}

/// An item of one collection, with the kind of relations it holds.
pub trait Item {
    const COLLECTION: Collection;
    type Links: Default + Clone + fmt::Debug;
    fn item_key(key: Key<Self>) -> ItemKey
    where
        Self: Sized;
}

/// One Annex A control with its mapping (if any).
#[derive(Debug, Clone)]
pub struct Control {
    pub catalog: &'static CatalogControl,
    pub mapping: Option<Arc<Mapping>>,
}

/// Everything linked to a control: by its mapping, or by the item naming the control.
#[derive(Debug, Clone, Default)]
pub struct ControlLinks {
    pub policies: Vec<PolicyKey>,
    pub evidence: Vec<EvidenceKey>,
    pub risks: Vec<RiskKey>,
    pub findings: Vec<FindingKey>,
}

/// The controls a policy implements and the findings that name it.
#[derive(Debug, Clone, Default)]
pub struct PolicyLinks {
    pub controls: Vec<ControlKey>,
    pub findings: Vec<FindingKey>,
}

/// The controls whose mappings list an evidence item.
#[derive(Debug, Clone, Default)]
pub struct EvidenceLinks {
    pub controls: Vec<ControlKey>,
}

/// The controls that treat a risk.
#[derive(Debug, Clone, Default)]
pub struct RiskLinks {
    pub controls: Vec<ControlKey>,
}

/// The controls and policies a finding is about.
#[derive(Debug, Clone, Default)]
pub struct FindingLinks {
    pub controls: Vec<ControlKey>,
    pub policies: Vec<PolicyKey>,
}

macro_rules! item {
    ($t:ty, $collection:ident, $variant:ident, $links:ty) => {
        impl Item for $t {
            const COLLECTION: Collection = Collection::$collection;
            type Links = $links;
            fn item_key(key: Key<Self>) -> ItemKey {
                ItemKey::$variant(key)
            }
        }
        impl From<Key<$t>> for ItemKey {
            fn from(key: Key<$t>) -> ItemKey {
                ItemKey::$variant(key)
            }
        }
    };
}

item!(Policy, Policies, Policy, PolicyLinks);
item!(Control, Controls, Control, ControlLinks);
item!(Evidence, Evidence, Evidence, EvidenceLinks);
item!(Risk, Risks, Risk, RiskLinks);
item!(Finding, Findings, Finding, FindingLinks);
item!(Supplier, Suppliers, Supplier, ());

/// An item with its relations, resolved both ways when the site was linked. The item is
/// shared with the loader's memo cache, so relinking an unchanged site copies no item.
#[derive(Debug, Clone)]
pub struct Node<T: Item> {
    pub item: Arc<T>,
    pub links: T::Links,
}

/// A node reads as its item: `site.policies[key].title`.
impl<T: Item> Deref for Node<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.item
    }
}

/// One collection of the site, indexed by its typed keys, with its id and address tables.
#[derive(Debug)]
pub struct Items<T: Item> {
    nodes: Vec<Node<T>>,
    tables: Arc<Tables<T>>,
}

/// A collection's id and page-address tables: each id and each slug with the first item
/// that has it. They follow from the items' (id, slug) sequence alone, so `serve` keeps them
/// between rebuilds in which that sequence is unchanged (`Cache::kept`).
#[derive(Debug)]
pub struct Tables<T> {
    pub(super) ids: HashMap<String, Key<T>>,
    pub(super) slugs: HashMap<String, Key<T>>,
}

impl<T> Default for Tables<T> {
    fn default() -> Self {
        Tables {
            ids: HashMap::default(),
            slugs: HashMap::default(),
        }
    }
}

impl<T: Item> Items<T> {
    /// The items in source order, with no relations yet.
    pub(super) fn new(items: Vec<Arc<T>>) -> Self {
        Items {
            nodes: items
                .into_iter()
                .map(|item| Node {
                    item,
                    links: T::Links::default(),
                })
                .collect(),
            tables: Arc::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every node with its key, in source order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (Key<T>, &Node<T>)> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (Key::new(i), node))
    }

    /// Every item, in source order.
    pub fn items(&self) -> impl ExactSizeIterator<Item = &T> + '_ {
        self.nodes.iter().map(|n| &*n.item)
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = Key<T>> + use<T> {
        (0..self.nodes.len()).map(Key::new)
    }

    pub fn get(&self, key: Key<T>) -> Option<&Node<T>> {
        self.nodes.get(key.index())
    }

    /// The item with this id, if there is one.
    pub fn by_id(&self, id: &str) -> Option<Key<T>> {
        self.tables.ids.get(id).copied()
    }

    /// The item whose page lives at `<collection>/<slug>/`.
    pub fn by_slug(&self, slug: &str) -> Option<Key<T>> {
        self.tables.slugs.get(slug).copied()
    }

    /// Every id, for suggestions.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.tables.ids.keys().map(String::as_str)
    }

    pub(super) fn get_mut(&mut self, key: Key<T>) -> Option<&mut Node<T>> {
        self.nodes.get_mut(key.index())
    }

    pub(super) fn nodes_mut(&mut self) -> impl Iterator<Item = &mut Node<T>> + '_ {
        self.nodes.iter_mut()
    }

    pub(super) fn key_at(&self, index: usize) -> Option<Key<T>> {
        (index < self.nodes.len()).then(|| Key::new(index))
    }

    /// The id and address tables (shared with `serve`'s cache, `Cache::kept`).
    pub fn tables(&self) -> &Arc<Tables<T>> {
        &self.tables
    }

    pub(super) fn set_tables(&mut self, tables: Arc<Tables<T>>) {
        self.tables = tables;
    }
}

impl<T: Item> Index<Key<T>> for Items<T> {
    type Output = Node<T>;

    /// A key is made only by its own collection, so it is always in range.
    fn index(&self, key: Key<T>) -> &Node<T> {
        &self.nodes[key.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_by_index_whatever_they_name() {
        struct Opaque; // no traits at all
        let a: Key<Opaque> = Key::new(1);
        let b: Key<Opaque> = Key::new(2);
        assert!(a < b);
        assert_eq!(a, a.clone());
        assert_eq!(format!("{a:?}"), "#1");
        let set: std::collections::HashSet<Key<Opaque>> = [a, b, a].into_iter().collect();
        assert_eq!(set.len(), 2);
    }
}

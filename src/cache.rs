//! Memo tables that make repeated builds of a mostly unchanged site cheap (`serve` rebuilds on
//! every save). Every entry is keyed by a hash of *all* its inputs, so a build with a warm
//! cache produces exactly what a build with an empty one does — tests compare the two.
//!
//! A `Cache` is owned by whoever runs builds (`serve` keeps one for its lifetime; `build`
//! uses a fresh one) and passed explicitly; entries unused by the latest build are dropped.

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::diagnostic::Diagnostics;
use crate::markdown::Rendered;
use crate::model::Policy;
use std::any::Any;

/// A thread-safe memo table whose entries remember the last generation that used them.
pub struct Memo<K, V> {
    map: Mutex<HashMap<K, (V, u64)>>,
    /// Whether values are kept at all: a one-shot build keeps only what it asks for twice.
    keep: bool,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub(crate) fn new(keep: bool) -> Self {
        Memo {
            map: Mutex::new(HashMap::default()),
            keep,
        }
    }

    /// The cached value for `key`, computing (outside the lock) and storing it if missing.
    pub fn get_or(&self, key: K, generation: u64, compute: impl FnOnce() -> V) -> V {
        if !self.keep {
            return compute();
        }
        if let Some((v, used)) = self.lock().get_mut(&key) {
            *used = generation;
            return v.clone();
        }
        let v = compute();
        self.lock().insert(key, (v.clone(), generation));
        v
    }

    /// The cached value for `key`, if there is one (marked as used by `generation`).
    pub fn get<Q>(&self, key: &Q, generation: u64) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut map = self.lock();
        let (v, used) = map.get_mut(key)?;
        *used = generation;
        Some(v.clone())
    }

    /// `get` for each of `keys` (`None` skips one), under one lock: many lookups from
    /// several threads at once would mostly wait for each other.
    pub fn get_many<'q, Q>(
        &self,
        keys: impl IntoIterator<Item = Option<&'q Q>>,
        generation: u64,
    ) -> Vec<Option<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized + 'q,
    {
        let mut map = self.lock();
        keys.into_iter()
            .map(|key| {
                let (v, used) = map.get_mut(key?)?;
                *used = generation;
                Some(v.clone())
            })
            .collect()
    }

    /// Stores `value` for `key`, replacing what was there.
    pub fn insert(&self, key: K, value: V, generation: u64) {
        if self.keep {
            self.lock().insert(key, (value, generation));
        }
    }

    /// Forgets `key`'s value, if there is one.
    pub fn remove(&self, key: &K) {
        self.lock().remove(key);
    }

    /// Whether this table keeps values (a one-shot build's tables may not).
    pub fn keeps(&self) -> bool {
        self.keep
    }

    pub(crate) fn prune(&self, keep_since: u64) {
        self.lock().retain(|_, (_, used)| *used >= keep_since);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (V, u64)>> {
        // A panic while holding the lock cannot leave a half-written entry (inserts are
        // single calls), so a poisoned table is still consistent.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A parsed policy file: the policy (if valid) and what parsing it reported.
pub type ParsedPolicy = Arc<(Option<Arc<Policy>>, Diagnostics)>;

/// The memo tables of one site.
pub struct Cache {
    generation: AtomicU64,
    /// Policy files by a hash of their path, content hash and default classification.
    pub policies: Memo<u64, ParsedPolicy>,
    /// Register files and what each source file looked like (see `source::memo`).
    pub sources: crate::source::memo::SourceCache,
    /// What the links of a Markdown text resolve to, by hash of the text, its file and
    /// everything resolution depends on (`Site::resolved_links`).
    pub resolved: Memo<u64, Arc<Vec<Result<crate::site::Resolution, String>>>>,
    /// Rendered Markdown by hash of text, source path, page depth, audience and everything
    /// links can resolve to (see `render`).
    pub rendered: Memo<u64, Arc<Rendered>>,
    /// The last value of each kind that the link stage keeps, with the hash of what it was
    /// made from (`Cache::kept`).
    kept: Mutex<HashMap<&'static str, Kept>>,
}

/// A value kept by `Cache::keep`, with the hash of what it was made from.
type Kept = (u64, Arc<dyn Any + Send + Sync>);

/// Every table kept: for `serve`, which rebuilds on every save and renders on request.
impl Default for Cache {
    fn default() -> Self {
        Cache {
            generation: AtomicU64::new(0),
            policies: Memo::new(true),
            sources: Default::default(),
            resolved: Memo::new(true),
            rendered: Memo::new(true),
            kept: Mutex::default(),
        }
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("generation", &self.generation())
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// For one build (`build`, `check`): parsed policies, registers and rendered Markdown are
    /// used once, so they are not kept (they would double what the build holds); link
    /// resolutions are asked for by linking, several rules and the edition, and are small.
    pub fn one_shot() -> Self {
        Cache {
            policies: Memo::new(false),
            rendered: Memo::new(false),
            sources: crate::source::memo::SourceCache {
                registers: Memo::new(false),
                // Nothing is loaded twice: a file's stamp is neither taken nor kept.
                seen: Memo::new(false),
                ..Default::default()
            },
            ..Cache::default()
        }
    }

    /// Whether parsed texts are kept between builds (`serve`), so that what is made from one
    /// text and kept on it (`Markdown::keep_findings`) can be taken again by the next build.
    pub fn keeps_texts(&self) -> bool {
        self.policies.keeps()
    }

    /// The value of kind `what` kept for the inputs that hash to `key`, if the last one kept
    /// was made from them. `serve` keeps what the link stage makes from much of the site (the
    /// id tables, the file index) while its inputs are unchanged.
    pub fn kept<V: Any + Send + Sync>(&self, what: &'static str, key: u64) -> Option<Arc<V>> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        match kept.get(what) {
            Some((made_from, v)) if *made_from == key => Arc::clone(v).downcast().ok(),
            _ => None,
        }
    }

    /// Keeps `value` of kind `what`, made from inputs that hash to `key`, in place of the last
    /// one; only where texts are kept between builds (`keeps_texts`).
    pub fn keep<V: Any + Send + Sync>(&self, what: &'static str, key: u64, value: &Arc<V>) {
        if self.keeps_texts() {
            let value: Arc<dyn Any + Send + Sync> = Arc::clone(value) as _;
            self.kept
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(what, (key, value));
        }
    }

    /// Starts a build: entries used from now on are kept by the next `prune`.
    pub fn begin(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    /// Drops entries no recent build used, so memory follows the site's size. Rendered
    /// pages are used on request (in `serve`), so a few generations are kept, not one.
    pub fn prune(&self) {
        const KEEP: u64 = 3;
        let current = self.generation().saturating_sub(KEEP - 1);
        self.policies.prune(current);
        self.sources.prune(current);
        self.resolved.prune(current);
        self.rendered.prune(current);
    }
}

/// A 64-bit hash of anything hashable (std's SipHash with fixed keys; a collision between two
/// different inputs of one site is vanishingly unlikely, and costs only a stale preview).
pub fn hash<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_computes_once_and_prunes_unused() {
        let memo: Memo<u64, Arc<String>> = Memo::new(true);
        let get = |key: u64, generation: u64| {
            memo.get_or(key, generation, || Arc::new(format!("value {key}")))
        };
        let a = get(1, 1);
        let b = get(1, 1);
        assert!(
            Arc::ptr_eq(&a, &b),
            "second lookup is served from the cache"
        );
        for generation in 2..5 {
            get(2, generation);
        }
        memo.prune(3);
        let c = get(1, 5);
        assert!(!Arc::ptr_eq(&a, &c), "unused entries were dropped");
        assert_eq!(*a, *c);
        assert!(memo.get(&2, 5).is_some(), "recently used entries are kept");
    }

    #[test]
    fn a_one_shot_cache_keeps_no_rendered_markdown_or_policies() {
        let cache = Cache::one_shot();
        cache.begin();
        let render = || Arc::new(Rendered::default());
        let a = cache.rendered.get_or(1, cache.generation(), render);
        let b = cache.rendered.get_or(1, cache.generation(), render);
        assert!(!Arc::ptr_eq(&a, &b), "rendered Markdown is not kept");
        assert!(cache.rendered.lock().is_empty());
        let policy = || Arc::new((None, Diagnostics::new()));
        cache.policies.get_or(1, cache.generation(), policy);
        assert!(
            cache.policies.lock().is_empty(),
            "parsed policies are not kept"
        );
        // A table that does not keep ignores inserts too (the loader's register memo).
        let dropped: Memo<u64, Arc<String>> = Memo::new(false);
        dropped.insert(1, Arc::new("x".into()), 1);
        assert!(dropped.get(&1, 1).is_none(), "nothing is kept");
        let kept = Cache::default();
        kept.begin();
        let a = kept.rendered.get_or(1, kept.generation(), render);
        let b = kept.rendered.get_or(1, kept.generation(), render);
        assert!(Arc::ptr_eq(&a, &b), "serve's cache keeps rendered Markdown");
    }
}

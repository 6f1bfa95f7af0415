//! Parse results of code lines highlighted before, reused when the same line comes again in
//! the same parser state.
//!
//! Highlighting is syntect's regex parse of each line, the costliest part of rendering a
//! policy with code in it. Code in an ISMS repeats: blank lines, closing braces, `fi`,
//! `set -euo pipefail`, the same keys of a configuration shown in many policies. syntect's
//! parse of a line is a pure function of the parser state before it and the line's text
//! (the state holds the syntax, its context stack and any captures), so the scope operations
//! and the state after it can be kept and reused: the HTML is exactly what a fresh parse
//! gives. The cache is bounded; it lives as long as the `Renderer`, so `serve` keeps it
//! across rebuilds.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

use syntect::parsing::{ParseState, ParsingError, ScopeStackOp, SyntaxSet};

/// The longest line kept, in bytes: longer lines rarely repeat.
const MAX_LINE: usize = 240;
/// Roughly how many bytes one thread's cache may hold before it is emptied and filled again.
const CACHE_BYTES: usize = 8 << 20;

/// What a kept line costs beside its text and operations: the map entry and two states.
const PER_LINE: usize = 768;

/// One line's parse: the state it started in, its scope operations and the state after it.
struct Parsed {
    line: Box<str>,
    before: ParseState,
    ops: Box<[(usize, ScopeStackOp)]>,
    after: ParseState,
}

#[derive(Default)]
struct Kept {
    by_hash: HashMap<u64, Vec<Parsed>>,
    bytes: usize,
}

thread_local! {
    /// This thread's parses, and the cache they belong to. Per thread, because a parser state
    /// holds regex captures that may not move between threads.
    static PARSED: RefCell<(u64, Kept)> = RefCell::default();
}

/// A cache of line parses for one syntax set; its parses are kept per render thread.
pub(super) struct LineCache {
    /// Tells this cache's parses from another's (of another syntax set) on the same thread.
    id: u64,
    hasher: RandomState,
}

impl Default for LineCache {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        LineCache {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            hasher: RandomState::new(),
        }
    }
}

impl LineCache {
    /// `state.parse_line(line, syntaxes)`, from the cache when this line was parsed before
    /// from an equal state; `state` ends as the parse leaves it either way.
    pub(super) fn parse_line(
        &self,
        state: &mut ParseState,
        line: &str,
        syntaxes: &SyntaxSet,
    ) -> Result<Vec<(usize, ScopeStackOp)>, ParsingError> {
        if line.len() > MAX_LINE {
            return state.parse_line(line, syntaxes);
        }
        let hash = self.hasher.hash_one(line);
        let kept = PARSED.with_borrow_mut(|(owner, shard)| {
            if *owner != self.id {
                *owner = self.id;
                *shard = Kept::default();
            }
            shard.find(hash, line, state)
        });
        if let Some(ops) = kept {
            return Ok(ops);
        }
        let before = state.clone();
        let ops = state.parse_line(line, syntaxes)?;
        let parsed = Parsed {
            line: line.into(),
            before,
            ops: ops.clone().into_boxed_slice(),
            after: state.clone(),
        };
        PARSED.with_borrow_mut(|(_, shard)| shard.keep(hash, parsed));
        Ok(ops)
    }
}

impl Kept {
    /// The kept operations for `line` parsed from `state`, moving `state` past the line.
    fn find(
        &self,
        hash: u64,
        line: &str,
        state: &mut ParseState,
    ) -> Option<Vec<(usize, ScopeStackOp)>> {
        let parsed = self
            .by_hash
            .get(&hash)?
            .iter()
            .find(|p| &*p.line == line && p.before == *state)?;
        state.clone_from(&parsed.after);
        Some(parsed.ops.to_vec())
    }

    fn keep(&mut self, hash: u64, parsed: Parsed) {
        // The two parser states are a context stack each, a few hundred bytes at most for
        // common grammars; this is an estimate, not an account.
        let size = parsed.line.len() + parsed.ops.len() * 16 + PER_LINE;
        if self.bytes + size > CACHE_BYTES {
            self.by_hash.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.by_hash.entry(hash).or_default().push(parsed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::util::LinesWithEndings;

    /// Every line's operations and end state, parsed fresh and through the cache, twice (the
    /// second time every line comes from the cache), are the same.
    #[test]
    fn cached_parses_equal_fresh_ones() {
        let syntaxes = SyntaxSet::load_defaults_newlines();
        let cache = LineCache::default();
        let samples = [
            ("yaml", "a: 1\nb:\n  - x\n  - 'y'\n# c\na: 1\n"),
            (
                "bash",
                "# rotate\nif true; then\n  echo \"$x\"\nfi\nif true; then\nfi\n",
            ),
            ("rust", "fn f() {\n    let s = \"\n}\n\";\n}\n}\n"),
            ("python", "s = \"\"\"\n}\n\"\"\"\n}\n"),
        ];
        for (lang, code) in samples {
            let syntax = syntaxes.find_syntax_by_token(lang).expect(lang);
            for round in 0..2 {
                let mut fresh = ParseState::new(syntax);
                let mut cached = ParseState::new(syntax);
                for line in LinesWithEndings::from(code) {
                    let want = fresh.parse_line(line, &syntaxes).expect("parses");
                    let got = cache
                        .parse_line(&mut cached, line, &syntaxes)
                        .expect("parses");
                    assert_eq!(got, want, "{lang} round {round}: {line:?}");
                    assert_eq!(cached, fresh, "{lang} round {round}: state after {line:?}");
                }
            }
        }
    }

    /// The same line in another state (inside a string, not outside) is not taken from the
    /// cache: its operations differ.
    #[test]
    fn a_line_in_another_state_is_parsed_again() {
        let syntaxes = SyntaxSet::load_defaults_newlines();
        let cache = LineCache::default();
        let syntax = syntaxes.find_syntax_by_token("python").expect("python");
        let mut outside = ParseState::new(syntax);
        let plain = cache
            .parse_line(&mut outside, "x = 1\n", &syntaxes)
            .expect("parses");
        let mut inside = ParseState::new(syntax);
        cache
            .parse_line(&mut inside, "s = \"\"\"\n", &syntaxes)
            .expect("parses");
        let in_string = cache
            .parse_line(&mut inside, "x = 1\n", &syntaxes)
            .expect("parses");
        assert_ne!(plain, in_string);
    }

    /// A full cache is emptied and filled again; what it holds stays correct.
    #[test]
    fn a_full_cache_starts_again() {
        let mut shard = Kept::default();
        let syntaxes = SyntaxSet::load_defaults_newlines();
        let state = ParseState::new(syntaxes.find_syntax_plain_text());
        for i in 0..(CACHE_BYTES / PER_LINE + 10) {
            let parsed = Parsed {
                line: format!("{i}\n").into(),
                before: state.clone(),
                ops: Box::new([]),
                after: state.clone(),
            };
            shard.keep(i as u64, parsed);
        }
        assert!(shard.bytes <= CACHE_BYTES);
        assert!(shard.by_hash.len() < CACHE_BYTES / PER_LINE);
        let last = (CACHE_BYTES / PER_LINE + 9) as u64;
        let mut probe = state.clone();
        assert!(shard.find(last, &format!("{last}\n"), &mut probe).is_some());
        assert!(shard.find(0, "0\n", &mut probe).is_none());
    }
}

//! The integration tests, in one binary (as mdBook's `tests/testsuite/`): one link step and
//! one process instead of a dozen. Each module builds real sites with the real `trustpress`
//! binary (or the library) and asserts on the output.
//!
//! One area: `cargo test --test testsuite canary::`; the long property run:
//! `PROPTEST_CASES=5000 cargo test --test testsuite robustness::`.
//! The leak property test, longer: `PROPTEST_CASES=500 cargo test --test testsuite leak_property::`.

mod common;
#[allow(dead_code)]
#[path = "../../examples/gen-site.rs"]
mod gen_site;
mod live;

mod authoring;
mod branding;
mod browser;
mod build;
mod canary;
mod check;
mod check_more;
mod dialects;
mod docs;
mod editions;
mod generator;
mod import;
mod incremental;
mod leak_property;
mod leaks;
mod links_migration;
mod looks;
mod own_addresses;
mod reporting;
mod robustness;
mod schema;
mod serve;
mod snapshots;
mod sources;

//! Tells the test suite whether a browser is installed, so that the browser test is reported
//! as skipped (ignored) where it cannot run, rather than as passed.
//! `TRUSTPRESS_REQUIRE_BROWSER=1` (CI sets it) always enables the test, so a missing browser
//! fails it there.
//! The accessibility test also needs axe-core from npm (`npm ci` installs it into
//! `node_modules/`, as `.ci/run` does): `axe_available` says it is there.

use std::path::Path;

const NEEDED: [&str; 2] = ["/usr/bin/chromium", "/usr/bin/chromedriver"];
const AXE: &str = "node_modules/axe-core/axe.min.js";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(browser_available)");
    println!("cargo::rustc-check-cfg=cfg(axe_available)");
    println!("cargo::rerun-if-env-changed=TRUSTPRESS_REQUIRE_BROWSER");
    // Installing a package changes the folder; watching it avoids a rerun on every build.
    println!("cargo::rerun-if-changed=/usr/bin");
    let required = std::env::var("TRUSTPRESS_REQUIRE_BROWSER").as_deref() == Ok("1");
    if required || NEEDED.iter().all(|p| Path::new(p).exists()) {
        println!("cargo::rustc-cfg=browser_available");
    }
    // Watching a path that does not exist would rerun this script (and rebuild the crate)
    // on every build, so before `npm ci` only package.json is watched: after installing,
    // `touch package.json` (or build.rs) lets the test run.
    println!("cargo::rerun-if-changed=package.json");
    if Path::new("node_modules/axe-core").exists() {
        println!("cargo::rerun-if-changed=node_modules/axe-core/package.json");
    }
    if required || Path::new(AXE).exists() {
        println!("cargo::rustc-cfg=axe_available");
    }
}

//! Tells the test suite whether a browser is installed, so that the browser test is reported
//! as skipped (ignored) where it cannot run, rather than as passed.
//! `TRUSTPRESS_REQUIRE_BROWSER=1` (CI sets it) always enables the test, so a missing browser
//! fails it there.

use std::path::Path;

const NEEDED: [&str; 2] = ["/usr/bin/chromium", "/usr/bin/chromedriver"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(browser_available)");
    println!("cargo::rerun-if-env-changed=TRUSTPRESS_REQUIRE_BROWSER");
    // Installing a package changes the folder; watching it avoids a rerun on every build.
    println!("cargo::rerun-if-changed=/usr/bin");
    let required = std::env::var("TRUSTPRESS_REQUIRE_BROWSER").as_deref() == Ok("1");
    if required || NEEDED.iter().all(|p| Path::new(p).exists()) {
        println!("cargo::rustc-cfg=browser_available");
    }
}

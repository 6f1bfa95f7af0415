//! End to end in a real browser: Debian's headless Chromium, driven by chromedriver over the
//! WebDriver HTTP protocol (plain JSON over HTTP, so no client crate). A page served by
//! `trustpress serve` must reload by itself after the policy file is saved.
//!
//! Reported as skipped (ignored) when Chromium or chromedriver is not installed — build.rs
//! looks — unless `TRUSTPRESS_REQUIRE_BROWSER=1` (CI sets it), which runs it anyway so that a
//! missing browser fails.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::live::{DEADLINE, Server, copy_fixture, http_request, save_by_rename};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[test]
#[cfg_attr(
    not(browser_available),
    ignore = "needs Debian's chromium and chromedriver (apt-get install chromium chromium-driver)"
)]
fn saving_a_policy_reloads_the_page_in_chromium() {
    require_browser();
    let site = copy_fixture("serve-site");
    let server = Server::start(&site.path(), &[]);
    let profile = tempfile::tempdir().expect("profile dir");
    let driver = Driver::start(&profile.path().join("chromium"));
    let url = format!("{}/policies/alpha/", server.base);

    driver.navigate(&url);
    let text = driver.wait_for_text("the original page", |t| t.contains("ALPHA-ORIGINAL-MARKER"));
    assert!(text.contains("Alpha Policy"));
    // A marker that only survives as long as the page is not reloaded.
    driver.script("window.__trustpressNotReloaded = true; return null;");

    let policy = site.path().join("policies/alpha.md");
    let source = std::fs::read_to_string(&policy).expect("read policy");
    save_by_rename(
        &policy,
        &source.replace("ALPHA-ORIGINAL-MARKER", "ALPHA-BROWSER-EDIT"),
    );

    driver.wait_for_text("the reloaded page with the edit", |t| {
        t.contains("ALPHA-BROWSER-EDIT")
    });
    let marker = driver.script("return window.__trustpressNotReloaded === undefined;");
    assert_eq!(
        marker,
        Value::Bool(true),
        "the page was reloaded, not patched"
    );
    server.wait_for_output("reloading 1 browser tab");
}

/// Fails with a plain message when the browser is missing (the test only runs then when
/// `TRUSTPRESS_REQUIRE_BROWSER=1` asked for it, or when it was removed after the build).
fn require_browser() {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "browser test: {} not installed (apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
}

/// chromedriver with one headless Chromium session; both are closed when dropped.
struct Driver {
    child: Child,
    host: String,
    session: String,
}

impl Driver {
    fn start(profile: &Path) -> Driver {
        let port = free_port();
        let mut command = Command::new(CHROMEDRIVER);
        // Its own process group, so Chromium can be killed with it even if the session was
        // never established (see Drop).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut driver = Driver {
            child,
            host: format!("127.0.0.1:{port}"),
            session: String::new(),
        };
        driver.wait_until_ready();
        let profile_arg = format!("--user-data-dir={}", profile.display());
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", profile_arg,
                ],
            },
        }}});
        let created = driver.call("POST", "/session", Some(&caps));
        driver.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {created}"))
            .to_string();
        driver
    }

    fn wait_until_ready(&self) {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if std::net::TcpStream::connect(&self.host).is_ok() {
                let status = http_request(&self.host, "GET", "/status", None);
                if status.body.contains("\"ready\":true") {
                    return;
                }
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("chromedriver was not ready within {DEADLINE:?}");
    }

    fn navigate(&self, url: &str) {
        self.session_call("POST", "url", Some(&json!({ "url": url })));
    }

    fn script(&self, script: &str) -> Value {
        self.session_call(
            "POST",
            "execute/sync",
            Some(&json!({ "script": script, "args": [] })),
        )
    }

    /// Polls the page's visible text until `pred` holds, within the deadline.
    fn wait_for_text(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        let mut last = String::new();
        while start.elapsed() < DEADLINE {
            // While the page reloads, the script may fail or see an empty body: just retry.
            if let Ok(Value::String(text)) = self.try_session_call(
                "POST",
                "execute/sync",
                Some(&json!({ "script": "return document.body ? document.body.innerText : '';", "args": [] })),
            ) {
                if pred(&text) {
                    return text;
                }
                last = text;
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("timed out after {DEADLINE:?} waiting for {what}; page text:\n{last}");
    }

    fn session_call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        self.try_session_call(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    fn try_session_call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let path = format!("/session/{}/{path}", self.session);
        let r = http_request(
            &self.host,
            method,
            &path,
            body.map(Value::to_string).as_deref(),
        );
        let v: Value = serde_json::from_str(&r.body).map_err(|e| format!("{e}: {}", r.body))?;
        if r.status != 200 {
            return Err(format!("status {}: {v}", r.status));
        }
        Ok(v["value"].clone())
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let r = http_request(
            &self.host,
            method,
            path,
            body.map(Value::to_string).as_deref(),
        );
        let v: Value = serde_json::from_str(&r.body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}: {}", r.body));
        assert_eq!(r.status, 200, "WebDriver {method} {path}: {v}");
        v["value"].clone()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Closing the session quits Chromium; then chromedriver itself goes.
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            if std::net::TcpStream::connect(&self.host).is_ok() {
                let _ =
                    std::panic::catch_unwind(|| http_request(&self.host, "DELETE", &path, None));
            }
        }
        // chromedriver's process group is Chromium too: end it all, then reap chromedriver.
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago (chromedriver takes a port number, not a socket).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

//! End to end in a real browser: Debian's headless Chromium, driven by chromedriver over the
//! WebDriver HTTP protocol (plain JSON over HTTP, so no client crate). A page served by
//! `trustpress serve` must reload by itself after the policy file is saved, and axe-core
//! must find no accessibility violation on any page of any edition of the example site, in
//! light and dark.
//!
//! Reported as skipped (ignored) when Chromium or chromedriver is not installed — build.rs
//! looks — unless `TRUSTPRESS_REQUIRE_BROWSER=1` (CI sets it), which runs it anyway so that a
//! missing browser fails. The axe test also needs `node_modules/axe-core` (`npm ci`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{build_ok, repo};
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

/// axe-core over every page of every edition of the example site, in light and dark: one
/// browser session; a page is loaded once and checked in both colour schemes.
#[test]
#[cfg_attr(
    not(all(browser_available, axe_available)),
    ignore = "needs Debian's chromium and chromedriver and axe-core (npm ci; then touch package.json)"
)]
fn axe_finds_no_violation_on_any_page_of_any_edition() {
    require_browser();
    let axe_path = repo().join("node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|e| {
        panic!(
            "axe test: cannot read {}: {e} (run `npm ci` in the repository)",
            axe_path.display()
        )
    });
    let started = Instant::now();
    let out = tempfile::tempdir().expect("temp dir");
    let profile = tempfile::tempdir().expect("profile dir");
    let driver = Driver::start(&profile.path().join("chromium"));
    let mut report = AxeReport::default();
    let mut pages = 0;
    for audience in ["public", "customer", "internal"] {
        let root = out.path().join(audience);
        let tree = build_ok(&repo().join("example-site"), audience, &root);
        let server = StaticServer::start(&root);
        for path in tree.files.keys().filter(|p| p.ends_with(".html")) {
            let url = match path.strip_suffix("index.html") {
                Some(dir) => format!("{}/{dir}", server.base),
                None => format!("{}/{path}", server.base),
            };
            driver.navigate(&url);
            pages += 1;
            for scheme in ["light", "dark"] {
                driver.cdp(
                    "Emulation.setEmulatedMedia",
                    json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
                );
                let query =
                    format!("return matchMedia('(prefers-color-scheme: {scheme})').matches;");
                assert_eq!(
                    driver.script(&query),
                    Value::Bool(true),
                    "{path}: the {scheme} colour scheme is not in effect"
                );
                let found = driver.axe(&axe);
                report.add(audience, scheme, path, &found);
            }
        }
    }
    let elapsed = started.elapsed();
    eprintln!(
        "axe: {pages} pages x 2 colour schemes in {:.1}s\n{}",
        elapsed.as_secs_f64(),
        report.counts()
    );
    assert!(report.is_clean(), "axe-core found violations:\n{}", report);
}

/// The header's search in a real browser: it finds register fields ("SOC 2"), arrows move
/// through the results, Enter opens the chosen one, a click elsewhere closes the list.
#[test]
#[cfg_attr(
    not(browser_available),
    ignore = "needs Debian's chromium and chromedriver (apt-get install chromium chromium-driver)"
)]
fn search_box_finds_fields_and_opens_results_from_the_keyboard() {
    require_browser();
    let out = tempfile::tempdir().expect("temp dir");
    let root = out.path().join("public");
    build_ok(&repo().join("example-site"), "public", &root);
    let server = StaticServer::start(&root);
    let profile = tempfile::tempdir().expect("profile dir");
    let driver = Driver::start(&profile.path().join("chromium"));
    driver.navigate(&format!("{}/", server.base));
    let visible = driver.script("return document.querySelector('.search').offsetHeight > 0;");
    assert_eq!(
        visible,
        Value::Bool(true),
        "the search box is shown without a reveal"
    );
    driver.script(
        "var i = document.getElementById('site-search'); i.focus(); i.value = 'SOC 2'; \
         i.dispatchEvent(new Event('input')); return null;",
    );
    driver.wait_for_text("search results", |t| t.contains("Amazon Web Services"));
    let state = driver.script(
        "var i = document.getElementById('site-search'); \
         var key = k => i.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true})); \
         key('ArrowDown'); key('ArrowDown'); \
         var chosen = document.getElementById(i.getAttribute('aria-activedescendant')); \
         return [i.getAttribute('aria-expanded'), document.querySelectorAll('#search-results [role=option]').length, \
                 chosen ? chosen.getAttribute('aria-selected') : null, \
                 document.querySelector('.search [role=status]').textContent];",
    );
    assert_eq!(state[0], "true", "{state}");
    assert!(state[1].as_u64().unwrap_or(0) >= 2, "{state}");
    assert_eq!(state[2], "true", "{state}");
    assert!(
        state[3].as_str().unwrap_or("").contains("result"),
        "{state}"
    );
    let closed = driver.script(
        "document.querySelector('main').click(); \
         return document.querySelector('.search-popup').hidden;",
    );
    assert_eq!(
        closed,
        Value::Bool(true),
        "a click elsewhere closes the list"
    );
    driver.script(
        "var i = document.getElementById('site-search'); i.value = 'pentest'; \
         i.dispatchEvent(new Event('input')); return null;",
    );
    driver.wait_for_text("the pentest result", |t| {
        t.contains("Information Security Policy")
    });
    driver.script(
        "document.getElementById('site-search').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); return null;",
    );
    let start = Instant::now();
    let mut url = Value::Null;
    while start.elapsed() < DEADLINE {
        url = driver.script("return location.pathname;");
        if url != Value::String("/".into()) {
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    assert_ne!(
        url,
        Value::String("/".into()),
        "Enter opens the first result"
    );
}

#[test]
#[cfg_attr(
    not(browser_available),
    ignore = "needs Debian's chromium and chromedriver (apt-get install chromium chromium-driver)"
)]
fn register_filter_is_in_place_before_the_script_and_filters_rows() {
    require_browser();
    let out = tempfile::tempdir().expect("temp dir");
    let root = out.path().join("internal");
    build_ok(&repo().join("example-site"), "internal", &root);
    let server = StaticServer::start(&root);
    let profile = tempfile::tempdir().expect("profile dir");
    let driver = Driver::start(&profile.path().join("chromium"));
    driver.navigate(&format!("{}/evidence/", server.base));
    // Nothing moved while the page loaded (the box was in the HTML all along).
    let shift = driver.script(
        "return new Promise(done => { var sum = 0; \
         new PerformanceObserver(l => l.getEntries().forEach(e => sum += e.value)) \
           .observe({type: 'layout-shift', buffered: true}); \
         setTimeout(() => done(sum), 300); });",
    );
    assert_eq!(shift.as_f64(), Some(0.0), "layout shift {shift}");
    let state = driver.script(
        "var i = document.getElementById('filter-evidence'); \
         var rows = document.querySelectorAll('#table-evidence tbody tr'); \
         var before = i.offsetHeight > 0; \
         i.value = 'penetration'; i.dispatchEvent(new Event('input')); \
         var shown = Array.prototype.filter.call(rows, r => !r.hidden).length; \
         return [before, rows.length, shown, document.getElementById('filter-evidence-status').textContent];",
    );
    assert_eq!(state[0], Value::Bool(true), "the box is shown: {state}");
    let (total, shown) = (
        state[1].as_u64().unwrap_or(0),
        state[2].as_u64().unwrap_or(0),
    );
    assert!(total >= 8 && shown >= 1 && shown < total, "{state}");
    assert_eq!(
        state[3],
        Value::String(format!("{shown} of {total} rows shown")),
        "{state}"
    );
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

    /// A Chrome DevTools command through chromedriver (`goog/cdp/execute`).
    fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.session_call(
            "POST",
            "goog/cdp/execute",
            Some(&json!({ "cmd": cmd, "params": params })),
        )
    }

    /// Runs axe-core (its source `axe`, injected when the page does not have it yet) and
    /// returns its violations.
    fn axe(&self, axe: &str) -> Vec<Value> {
        let loaded = self.script("return typeof window.axe === 'object';");
        if loaded != Value::Bool(true) {
            self.session_call(
                "POST",
                "execute/sync",
                Some(&json!({ "script": format!("{axe}\nreturn null;"), "args": [] })),
            );
        }
        let result = self.session_call(
            "POST",
            "execute/sync",
            Some(&json!({
                "script": "return axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.split('\\n').slice(1).join(' ').trim() : ''))})));",
                "args": [],
            })),
        );
        match result {
            Value::Array(v) => v,
            other => panic!("axe returned {other}"),
        }
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

/// axe's violations, by edition and colour scheme, then by rule.
#[derive(Default)]
struct AxeReport {
    /// (edition, scheme) → impact → number of violating nodes.
    counts: BTreeMap<(String, String), BTreeMap<String, usize>>,
    /// rule → (impact, help, pages with their first nodes).
    rules: BTreeMap<String, (String, String, Vec<String>)>,
}

impl AxeReport {
    fn add(&mut self, audience: &str, scheme: &str, page: &str, violations: &[Value]) {
        let counts = self
            .counts
            .entry((audience.to_string(), scheme.to_string()))
            .or_default();
        for v in violations {
            let text = |k: &str| v[k].as_str().unwrap_or("").to_string();
            let nodes: Vec<String> = v["nodes"]
                .as_array()
                .map(|n| {
                    n.iter()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            *counts.entry(text("impact")).or_default() += nodes.len();
            let rule = self
                .rules
                .entry(text("id"))
                .or_insert_with(|| (text("impact"), text("help"), Vec::new()));
            let shown: Vec<&str> = nodes.iter().take(3).map(String::as_str).collect();
            rule.2.push(format!(
                "{audience} {scheme} {page}: {} node(s): {}",
                nodes.len(),
                shown.join(" | ")
            ));
        }
    }

    fn is_clean(&self) -> bool {
        self.rules.is_empty()
    }

    /// One line per edition and scheme: violating nodes by impact.
    fn counts(&self) -> String {
        let mut out = String::new();
        for ((audience, scheme), by_impact) in &self.counts {
            let parts: Vec<String> = by_impact.iter().map(|(i, n)| format!("{n} {i}")).collect();
            let parts = if parts.is_empty() {
                "no violations".to_string()
            } else {
                parts.join(", ")
            };
            out.push_str(&format!("  {audience} {scheme}: {parts}\n"));
        }
        out
    }
}

impl std::fmt::Display for AxeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.counts())?;
        for (rule, (impact, help, pages)) in &self.rules {
            writeln!(f, "{rule} ({impact}): {help} — on {} page(s)", pages.len())?;
            for p in pages.iter().take(8) {
                writeln!(f, "    {p}")?;
            }
            if pages.len() > 8 {
                writeln!(f, "    … and {} more", pages.len() - 8)?;
            }
        }
        Ok(())
    }
}

/// A static file server for a built site, as a web host serves it: `dir/` is
/// `dir/index.html`, anything missing is `404.html` with status 404. Stops when dropped.
struct StaticServer {
    base: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    addr: std::net::SocketAddr,
}

impl StaticServer {
    fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
        let addr = listener.local_addr().expect("local address");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let root: PathBuf = root.to_path_buf();
        let stopped = std::sync::Arc::clone(&stop);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let root = root.clone();
                thread::spawn(move || serve_file(stream, &root));
            }
        });
        StaticServer {
            base: format!("http://{addr}"),
            stop,
            addr,
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
    }
}

fn serve_file(mut stream: std::net::TcpStream, root: &Path) {
    let _ = stream.set_read_timeout(Some(DEADLINE));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let rel = path.trim_start_matches('/');
    let mut file = root.join(rel);
    if rel.is_empty() || rel.ends_with('/') {
        file = file.join("index.html");
    }
    let (status, file) = if !rel.split('/').any(|s| s == "..") && file.is_file() {
        ("200 OK", file)
    } else {
        ("404 Not Found", root.join("404.html"))
    };
    let body = std::fs::read(&file).unwrap_or_default();
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

/// A port that was free a moment ago (chromedriver takes a port number, not a socket).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

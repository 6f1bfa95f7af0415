//! Shared by the `serve` tests: a temp copy of a fixture site, the real binary started on a free
//! port (and always killed), a tiny HTTP/1.1 client and a Server-Sent Events reader.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Every wait in these tests is bounded by this.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// A copy of a fixture site at `<temp>/site`, so tests can also put files beside it.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("site")
    }
}

/// Copies `tests/fixtures/<name>` into a fresh temporary folder.
pub fn copy_fixture(name: &str) -> Fixture {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&src, &dir.path().join("site"));
    Fixture { dir }
}

/// Copies the folder `src` to `dst`, recursively (a fixture into a temp folder).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("create dir");
    for entry in std::fs::read_dir(src).expect("read fixture dir") {
        let entry = entry.expect("dir entry");
        let to = dst.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).expect("copy fixture file");
        }
    }
}

/// Saves `content` the way many editors do: write a temp file beside it, then rename over it.
pub fn save_by_rename(path: &Path, content: &str) {
    let tmp = path.with_extension("md.tmp");
    std::fs::write(&tmp, content).expect("write temp file");
    std::fs::rename(&tmp, path).expect("rename over the original");
}

/// A running `trustpress serve`; killed when dropped, whatever the test did.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    pub host: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `trustpress serve SITE --port 0 EXTRA…` and waits for the `serving URL` line.
    pub fn start(site: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trustpress"))
            .arg("serve")
            .arg(site)
            .args(["--port", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start trustpress serve");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (url_tx, url_rx) = mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        let log = Arc::clone(&stdout);
        thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("serving ") {
                    let _ = url_tx.send(url.trim().to_string());
                }
                log.lock().expect("log").push_str(&(line + "\n"));
            }
        });
        let err = child.stderr.take().expect("stderr");
        let log = Arc::clone(&stderr);
        thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                log.lock().expect("log").push_str(&(line + "\n"));
            }
        });
        let mut server = Server {
            child,
            base: String::new(),
            host: String::new(),
            stdout,
            stderr,
        };
        let url = url_rx.recv_timeout(DEADLINE).unwrap_or_else(|_| {
            panic!(
                "serve printed no `serving URL` line within {DEADLINE:?}\n{}",
                server.logs()
            )
        });
        let base = url.trim_end_matches('/').to_string();
        server.host = base
            .strip_prefix("http://")
            .expect("an http:// URL")
            .to_string();
        server.base = base;
        server
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().expect("log").clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("log").clone()
    }

    pub fn logs(&self) -> String {
        format!("--- stdout\n{}--- stderr\n{}", self.stdout(), self.stderr())
    }

    /// Waits until the terminal output (stdout or stderr) contains `needle`; it is printed
    /// after the build is swapped in, so it may trail the reload event a little.
    pub fn wait_for_output(&self, needle: &str) {
        let start = Instant::now();
        while !self.logs().contains(needle) {
            if start.elapsed() > DEADLINE {
                panic!(
                    "timed out waiting for {needle:?} in the output\n{}",
                    self.logs()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn get(&self, path: &str) -> Response {
        http_get(&self.host, path)
    }

    /// Polls `path` until `pred` holds or the deadline passes (then panics with `what`).
    pub fn wait_for(&self, path: &str, what: &str, pred: impl Fn(&Response) -> bool) -> Response {
        let start = Instant::now();
        loop {
            let r = self.get(path);
            if pred(&r) {
                return r;
            }
            if start.elapsed() > DEADLINE {
                panic!(
                    "timed out after {DEADLINE:?} waiting for {what} at {path}; last status {}\n{}",
                    r.status,
                    self.logs()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Opens the live-reload event stream; lines arrive on the returned receiver.
    pub fn events(&self) -> Receiver<String> {
        let mut stream = TcpStream::connect(&self.host).expect("connect for events");
        write!(
            stream,
            "GET /__trustpress/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.host
        )
        .expect("send events request");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        rx
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for a line equal to `want` on an event stream, within the deadline.
pub fn wait_for_line(rx: &Receiver<String>, want: &str, seen: &mut Vec<String>) -> bool {
    let start = Instant::now();
    while let Some(left) = DEADLINE.checked_sub(start.elapsed()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                let hit = line == want;
                seen.push(line);
                if hit {
                    return true;
                }
            }
            Err(_) => return false,
        }
    }
    false
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 GET; `path` is sent exactly as given (no normalisation, on purpose).
pub fn http_get(host: &str, path: &str) -> Response {
    http_request(host, "GET", path, None)
}

/// A minimal HTTP/1.1 request with an optional JSON body, read until the server closes.
pub fn http_request(host: &str, method: &str, path: &str, json: Option<&str>) -> Response {
    let mut stream = TcpStream::connect(host).expect("connect");
    stream
        .set_read_timeout(Some(DEADLINE))
        .expect("read timeout");
    let body = json.unwrap_or("");
    let content = match json {
        Some(_) => format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ),
        None => String::new(),
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{content}Connection: close\r\n\r\n{body}"
    )
    .expect("send request");
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader
        .read_line(&mut status_line)
        .expect("read status line");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line, got {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("read header");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    // Read exactly Content-Length bytes when given: not every server closes promptly.
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let mut raw = Vec::new();
    match length {
        Some(n) => {
            raw.resize(n, 0);
            reader.read_exact(&mut raw).expect("read body");
        }
        None => {
            reader.read_to_end(&mut raw).expect("read body");
        }
    }
    let body = String::from_utf8_lossy(&raw).into_owned();
    Response {
        status,
        headers,
        body,
    }
}

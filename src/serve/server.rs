//! The HTTP side of `serve`: answers requests from the current in-memory build and streams
//! reload events to browsers over Server-Sent Events.

use std::collections::HashSet;
use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use super::http::{self, Request, Response};
use super::inject::{self, Detail, EVENTS_PATH};
use super::live::LiveSite;
use super::resolve::{self, Resolved};
use crate::diagnostic::Diagnostic;

/// How many browser tabs may listen for reloads at once; more get 503 (and retry later).
pub const MAX_EVENT_CLIENTS: usize = 64;

/// One build as the server sees it. A failed build keeps the previous good `site` and carries
/// its diagnostics in `errors`, which every HTML response then shows as an overlay.
#[derive(Default)]
pub struct Snapshot {
    /// Counts builds, good or bad; pages embed it so a tab knows whether it is stale.
    pub generation: u64,
    /// The last good build (none if no build has succeeded yet).
    pub site: Option<Arc<LiveSite>>,
    pub errors: Vec<Diagnostic>,
}

impl Snapshot {
    fn contains(&self, path: &str) -> bool {
        self.site.as_ref().is_some_and(|s| s.contains(path))
    }

    fn get(&self, path: &str) -> Option<Result<Arc<Vec<u8>>, Diagnostic>> {
        self.site.as_ref()?.get(path)
    }
}

/// State shared between the request workers, the event streams and the rebuild loop.
pub struct Shared {
    current: Mutex<Arc<Snapshot>>,
    listeners: Mutex<Vec<Sender<u64>>>,
    active_listeners: Arc<AtomicUsize>,
    /// How much of a failed build pages show (by the preview's audience).
    detail: Detail,
    page_failures: Mutex<PageFailures>,
}

/// Pages that failed to render, for the terminal: each reported once per build.
#[derive(Default)]
struct PageFailures {
    seen: HashSet<String>,
    pending: Vec<Diagnostic>,
}

impl Shared {
    pub fn new(first: Snapshot, detail: Detail) -> Self {
        Shared {
            current: Mutex::new(Arc::new(first)),
            listeners: Mutex::default(),
            active_listeners: Arc::default(),
            detail,
            page_failures: Mutex::default(),
        }
    }

    pub fn current(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Swaps `next` in, then tells every listening browser; returns how many were told. The
    /// order matters: a tab that reloads must get the new build, never the old one.
    pub fn publish(&self, next: Snapshot) -> usize {
        let generation = next.generation;
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(next);
        self.page_failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .seen
            .clear();
        let mut listeners = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.retain(|tx| tx.send(generation).is_ok());
        listeners.len()
    }

    /// The page render failures not yet shown in the terminal.
    pub fn take_page_failures(&self) -> Vec<Diagnostic> {
        std::mem::take(
            &mut self
                .page_failures
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pending,
        )
    }

    fn record_page_failure(&self, d: &Diagnostic) {
        let mut failures = self
            .page_failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if failures.seen.insert(d.to_string()) {
            failures.pending.push(d.clone());
        }
    }

    /// Registers a listener, unless there are already `MAX_EVENT_CLIENTS`.
    fn subscribe(&self) -> Option<(Receiver<u64>, ListenerSlot)> {
        let slot = ListenerSlot::take(&self.active_listeners)?;
        let (tx, rx) = mpsc::channel();
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(tx);
        Some((rx, slot))
    }
}

/// Answers requests on a pool of workers (see [`http`]) until the process ends. Each event
/// stream gets a thread of its own so it never holds a worker. `loopback_only`: see
/// [`resolve::host_allowed`].
pub fn serve_requests(listener: TcpListener, shared: Arc<Shared>, loopback_only: bool) {
    http::serve(
        listener,
        Arc::new(move |request| handle(request, &shared, loopback_only)),
    );
}

fn handle(request: Request, shared: &Arc<Shared>, loopback_only: bool) {
    if !resolve::host_allowed(request.header("Host"), loopback_only) {
        let _ = request.respond(text_response(
            "this preview answers to localhost only (see trustpress serve --bind)\n",
            403,
        ));
        return;
    }
    if !matches!(request.method(), "GET" | "HEAD") {
        let _ = request.respond(text_response("method not allowed\n", 405));
        return;
    }
    let url = request.url().to_string();
    if url.split('?').next() == Some(EVENTS_PATH) {
        match shared.subscribe() {
            Some((rx, slot)) => {
                let shared = Arc::clone(shared);
                let stream = request.into_stream();
                thread::spawn(move || stream_events(stream, rx, &shared, slot));
            }
            None => {
                let _ = request.respond(text_response("too many live-reload clients\n", 503));
            }
        }
        return;
    }
    let snapshot = shared.current();
    let response = match resolve::resolve(&url, |k| snapshot.contains(k)) {
        Resolved::File(key) => file_response(shared, &snapshot, &key),
        Resolved::Redirect(location) => {
            text_response("moved\n", 302).with_header("Location", &location)
        }
        Resolved::NotFound => not_found(&snapshot, shared.detail),
    };
    let _ = request.respond(response);
}

/// How often an event stream writes when there is nothing to say: a comment line, which
/// browsers ignore, and whose write fails once the tab is gone, freeing its slot.
const KEEP_ALIVE: Duration = Duration::from_secs(1);

/// Holds the HTTP connection open and writes one event per build.
fn stream_events(
    mut w: std::net::TcpStream,
    rx: Receiver<u64>,
    shared: &Shared,
    _slot: ListenerSlot,
) {
    // A tab that stops reading must not hold its slot for long either.
    if w.set_write_timeout(Some(Duration::from_secs(5))).is_err() {
        return;
    }
    let hello = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
         Connection: close\r\n\r\nretry: 1000\nevent: hello\ndata: {}\n\n",
        shared.current().generation
    );
    if send(&mut w, &hello).is_err() {
        return;
    }
    loop {
        let message = match rx.recv_timeout(KEEP_ALIVE) {
            Ok(generation) => format!("event: reload\ndata: {generation}\n\n"),
            Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if send(&mut w, &message).is_err() {
            return;
        }
    }
}

fn send(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    w.write_all(s.as_bytes())?;
    w.flush()
}

fn file_response(shared: &Shared, snapshot: &Snapshot, key: &str) -> Response {
    let detail = shared.detail;
    let bytes = match snapshot.get(key) {
        Some(Ok(bytes)) => bytes,
        // The page's template failed to render: say so over the last good site's frame; the
        // terminal gets the diagnostic.
        Some(Err(e)) => {
            shared.record_page_failure(&e);
            return html_response(render_failure_page(snapshot, e, detail), 500);
        }
        None => return not_found(snapshot, detail),
    };
    let content_type = resolve::content_type(key);
    let body = if content_type.starts_with("text/html") {
        inject::inject(&bytes, snapshot.generation, &snapshot.errors, detail)
    } else {
        bytes.to_vec()
    };
    with_common_headers(Response::new(200, body), content_type)
}

/// The 500 page for a page that failed to render, with the build's errors and this one.
fn render_failure_page(snapshot: &Snapshot, error: Diagnostic, detail: Detail) -> Vec<u8> {
    let mut errors = snapshot.errors.clone();
    errors.push(error);
    inject::inject(
        b"<!doctype html><title>Error</title><body><h1>This page could not be rendered</h1></body>",
        snapshot.generation,
        &errors,
        detail,
    )
}

/// The site's own `404.html` when it has one, with status 404.
fn not_found(snapshot: &Snapshot, detail: Detail) -> Response {
    if let Some(Ok(page)) = snapshot.get("404.html") {
        let page = inject::inject(
            &inject::base_at_root(&page),
            snapshot.generation,
            &snapshot.errors,
            detail,
        );
        return html_response(page, 404);
    }
    let page = inject::inject(
        b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>",
        snapshot.generation,
        &snapshot.errors,
        detail,
    );
    html_response(page, 404)
}

fn html_response(page: Vec<u8>, status: u16) -> Response {
    with_common_headers(Response::new(status, page), "text/html; charset=utf-8")
}

fn text_response(body: &str, status: u16) -> Response {
    with_common_headers(
        Response::new(status, body.as_bytes().to_vec()),
        "text/plain; charset=utf-8",
    )
}

/// A preview must never be cached: every response is the build of this moment.
fn with_common_headers(r: Response, content_type: &str) -> Response {
    r.with_header("Content-Type", content_type)
        .with_header("Cache-Control", "no-store")
        .with_header("X-Content-Type-Options", "nosniff")
}

/// One of the `MAX_EVENT_CLIENTS` places; given back when the stream's thread ends.
struct ListenerSlot(Arc<AtomicUsize>);

impl ListenerSlot {
    fn take(active: &Arc<AtomicUsize>) -> Option<Self> {
        active
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < MAX_EVENT_CLIENTS).then_some(n + 1)
            })
            .ok()
            .map(|_| ListenerSlot(Arc::clone(active)))
    }
}

impl Drop for ListenerSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;

    #[test]
    fn listener_slots_are_bounded_and_given_back() {
        let active = Arc::new(AtomicUsize::new(0));
        let slots: Vec<_> = (0..MAX_EVENT_CLIENTS)
            .map(|_| ListenerSlot::take(&active).expect("a free slot"))
            .collect();
        assert!(ListenerSlot::take(&active).is_none());
        drop(slots);
        assert_eq!(active.load(Ordering::SeqCst), 0);
        assert!(ListenerSlot::take(&active).is_some());
    }

    #[test]
    fn publish_swaps_then_notifies_live_listeners_only() {
        let shared = Shared::new(Snapshot::default(), Detail::Full);
        let (rx1, _s1) = shared.subscribe().expect("slot");
        let (rx2, _s2) = shared.subscribe().expect("slot");
        drop(rx2);
        let told = shared.publish(Snapshot {
            generation: 1,
            ..Snapshot::default()
        });
        assert_eq!(told, 1);
        assert_eq!(rx1.try_recv(), Ok(1));
        assert_eq!(shared.current().generation, 1);
    }

    #[test]
    fn a_render_failure_shows_details_only_in_the_internal_preview() {
        let snapshot = Snapshot::default();
        let failure = || {
            Diagnostic::error(
                crate::diagnostic::Pos::new("policies/canaryint-bcp.md", 4, 2),
                Rule::Template,
                "cannot render \"canaryint-title\"",
            )
        };
        let page = String::from_utf8(render_failure_page(&snapshot, failure(), Detail::Count))
            .expect("utf-8");
        assert!(page.contains("This page could not be rendered"));
        assert!(
            page.contains("1 error; the details are in the terminal"),
            "{page}"
        );
        assert!(!page.contains("canaryint"), "{page}");
        let page = String::from_utf8(render_failure_page(&snapshot, failure(), Detail::Full))
            .expect("utf-8");
        assert!(page.contains("policies/canaryint-bcp.md:4:2"), "{page}");
    }

    #[test]
    fn render_failures_reach_the_terminal_once_per_build() {
        let shared = Shared::new(Snapshot::default(), Detail::Count);
        let d = Diagnostic::error(
            crate::diagnostic::Pos::file("x/index.html"),
            Rule::Internal,
            "broken",
        );
        shared.record_page_failure(&d);
        shared.record_page_failure(&d);
        assert_eq!(shared.take_page_failures().len(), 1);
        assert!(shared.take_page_failures().is_empty());
        shared.publish(Snapshot::default());
        shared.record_page_failure(&d);
        assert_eq!(shared.take_page_failures().len(), 1);
    }
}

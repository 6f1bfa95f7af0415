//! The HTTP side of `serve`: answers requests from the current in-memory build and streams
//! reload events to browsers over Server-Sent Events.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response};

use super::inject::{self, EVENTS_PATH};
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

/// State shared between the request loop, the event streams and the rebuild loop.
#[derive(Default)]
pub struct Shared {
    current: Mutex<Arc<Snapshot>>,
    listeners: Mutex<Vec<Sender<u64>>>,
    active_listeners: Arc<AtomicUsize>,
}

impl Shared {
    pub fn new(first: Snapshot) -> Self {
        Shared {
            current: Mutex::new(Arc::new(first)),
            ..Shared::default()
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
        let mut listeners = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.retain(|tx| tx.send(generation).is_ok());
        listeners.len()
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

/// Answers requests until the server is dropped. Each event stream gets a thread of its own so
/// it never holds up page requests. `loopback_only`: see [`resolve::host_allowed`].
pub fn serve_requests(server: &tiny_http::Server, shared: &Arc<Shared>, loopback_only: bool) {
    for request in server.incoming_requests() {
        handle(request, shared, loopback_only);
    }
}

fn handle(request: Request, shared: &Arc<Shared>, loopback_only: bool) {
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str());
    if !resolve::host_allowed(host, loopback_only) {
        let _ = request.respond(text_response(
            "this preview answers to localhost only (see trustpress serve --bind)\n",
            403,
        ));
        return;
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request.respond(text_response("method not allowed\n", 405));
        return;
    }
    let url = request.url().to_string();
    if url.split('?').next() == Some(EVENTS_PATH) {
        match shared.subscribe() {
            Some((rx, slot)) => {
                let shared = Arc::clone(shared);
                thread::spawn(move || stream_events(request, rx, &shared, slot));
            }
            None => {
                let _ = request.respond(text_response("too many live-reload clients\n", 503));
            }
        }
        return;
    }
    let snapshot = shared.current();
    let response = match resolve::resolve(&url, |k| snapshot.contains(k)) {
        Resolved::File(key) => file_response(&snapshot, &key),
        Resolved::Redirect(location) => match header("Location", &location) {
            Some(h) => text_response("moved\n", 302).with_header(h),
            None => not_found(&snapshot),
        },
        Resolved::NotFound => not_found(&snapshot),
    };
    let _ = request.respond(response);
}

/// Holds the HTTP connection open and writes one event per build. tiny_http's streaming
/// responses buffer 8 KiB before sending, so the response is written by hand on the raw writer.
fn stream_events(request: Request, rx: Receiver<u64>, shared: &Shared, _slot: ListenerSlot) {
    const KEEP_ALIVE: Duration = Duration::from_secs(15);
    let mut w = request.into_writer();
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
            // A comment line: browsers ignore it, and a closed tab shows up as a write error.
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

fn file_response(snapshot: &Snapshot, key: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let bytes = match snapshot.get(key) {
        Some(Ok(bytes)) => bytes,
        // The page's template failed to render: show why, over the last good site's frame.
        Some(Err(e)) => {
            let mut errors = snapshot.errors.clone();
            errors.push(e);
            let page = inject::inject(
                b"<!doctype html><title>Error</title><body><h1>This page could not be rendered</h1></body>",
                snapshot.generation,
                &errors,
            );
            return with_common_headers(
                Response::from_data(page).with_status_code(500),
                "text/html; charset=utf-8",
            );
        }
        None => return not_found(snapshot),
    };
    let content_type = resolve::content_type(key);
    let body = if content_type.starts_with("text/html") {
        inject::inject(&bytes, snapshot.generation, &snapshot.errors)
    } else {
        bytes.to_vec()
    };
    with_common_headers(Response::from_data(body), content_type)
}

/// The site's own `404.html` when it has one, with status 404.
fn not_found(snapshot: &Snapshot) -> Response<std::io::Cursor<Vec<u8>>> {
    if let Some(Ok(page)) = snapshot.get("404.html") {
        let page = inject::inject(
            &inject::base_at_root(&page),
            snapshot.generation,
            &snapshot.errors,
        );
        return with_common_headers(
            Response::from_data(page).with_status_code(404),
            "text/html; charset=utf-8",
        );
    }
    let page = inject::inject(
        b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>",
        snapshot.generation,
        &snapshot.errors,
    );
    with_common_headers(
        Response::from_data(page).with_status_code(404),
        "text/html; charset=utf-8",
    )
}

fn text_response(body: &str, status: u16) -> Response<std::io::Cursor<Vec<u8>>> {
    with_common_headers(
        Response::from_string(body).with_status_code(status),
        "text/plain; charset=utf-8",
    )
}

/// A preview must never be cached: every response is the build of this moment.
fn with_common_headers<R: std::io::Read>(mut r: Response<R>, content_type: &str) -> Response<R> {
    for h in [
        header("Content-Type", content_type),
        header("Cache-Control", "no-store"),
        header("X-Content-Type-Options", "nosniff"),
    ]
    .into_iter()
    .flatten()
    {
        r.add_header(h);
    }
    r
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
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
        let shared = Shared::new(Snapshot::default());
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
}

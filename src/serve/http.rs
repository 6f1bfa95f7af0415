//! The preview's own small HTTP/1.1 server: a fixed pool of workers, a bounded request head,
//! timeouts on every socket, and one request per connection.
//!
//! A general-purpose server did not fit: tiny_http reads a request's line and headers without
//! any bound before handing the request over (ten 50 MB headers took the process from 94 MB to
//! 711 MB), and answered requests one at a time. The preview needs only `GET`/`HEAD` without a
//! body, so this is small: read the head (at most [`MAX_HEAD`] bytes), parse it, answer, close.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

/// How many requests are answered at once. A client that reads slowly holds one worker, not
/// the server.
pub const WORKERS: usize = 8;

/// The most a request line and its headers may take together; larger heads get 431.
pub const MAX_HEAD: usize = 64 * 1024;

/// How long a client may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one write may wait for a client that reads nothing; a slow reader that makes
/// progress is never cut off.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// One parsed request, with the connection to answer it on.
pub struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    stream: TcpStream,
}

impl Request {
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target as sent (`/policies/?x=1`).
    pub fn url(&self) -> &str {
        &self.target
    }

    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sends `response` (without its body for `HEAD`) and closes the connection.
    pub fn respond(self, response: Response) -> io::Result<()> {
        let with_body = self.method != "HEAD";
        respond(self.stream, &response, with_body)
    }

    /// The raw connection, for a response written by hand (the live-reload event stream).
    pub fn into_stream(self) -> TcpStream {
        self.stream
    }
}

/// A complete response: status, headers and body.
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, body: Vec<u8>) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// Adds a header. Values come from our own code, but a CR or LF would split the response,
    /// so such a header is dropped.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if !name.contains(['\r', '\n', ':']) && !value.contains(['\r', '\n']) {
            self.headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    pub fn status(&self) -> u16 {
        self.status
    }
}

/// Accepts connections on `listener` and has [`WORKERS`] threads answer them, calling `handle`
/// for each well-formed request. Returns when accepting fails for good.
pub fn serve(listener: TcpListener, handle: Arc<dyn Fn(Request) + Send + Sync>) {
    let (tx, rx) = mpsc::sync_channel::<TcpStream>(WORKERS * 4);
    let rx = Arc::new(Mutex::new(rx));
    for i in 0..WORKERS {
        let rx = Arc::clone(&rx);
        let handle = Arc::clone(&handle);
        let spawned = thread::Builder::new()
            .name(format!("http-{i}"))
            .spawn(move || work(&rx, handle.as_ref()));
        if spawned.is_err() && i == 0 {
            return;
        }
    }
    for conn in listener.incoming() {
        match conn {
            Ok(stream) => {
                // Blocks while every worker is busy and the queue is full: further clients wait
                // in the kernel's backlog.
                if tx.send(stream).is_err() {
                    return;
                }
            }
            // Out of file descriptors, or a connection reset before it was accepted: go on.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn work(rx: &Mutex<Receiver<TcpStream>>, handle: &(dyn Fn(Request) + Send + Sync)) {
    loop {
        let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(stream) = next else { return };
        // A bug while answering costs that request, not a worker.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            serve_connection(stream, handle)
        }));
    }
}

fn serve_connection(mut stream: TcpStream, handle: &(dyn Fn(Request) + Send + Sync)) {
    if stream.set_read_timeout(Some(READ_TIMEOUT)).is_err()
        || stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err()
    {
        return;
    }
    let head = match read_head(&mut stream) {
        Ok(head) => head,
        Err(HeadError::TooLarge) => {
            let r = Response::new(431, b"request header fields too large\n".to_vec());
            let _ = respond(stream, &r, true);
            return;
        }
        Err(HeadError::Malformed) => {
            let _ = respond(stream, &Response::new(400, b"bad request\n".to_vec()), true);
            return;
        }
        Err(HeadError::Closed) => return,
    };
    match parse_head(&head) {
        Ok((method, target, headers)) => handle(Request {
            method,
            target,
            headers,
            stream,
        }),
        Err(_) => {
            let _ = respond(stream, &Response::new(400, b"bad request\n".to_vec()), true);
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum HeadError {
    /// No end of the head within [`MAX_HEAD`] bytes.
    TooLarge,
    Malformed,
    /// The client went away or was too slow; nothing to answer.
    Closed,
}

/// Reads up to the blank line that ends a request head, and never more than [`MAX_HEAD`]
/// bytes. Whatever follows the head (a body we do not read) is dropped.
fn read_head(r: &mut impl Read) -> Result<Vec<u8>, HeadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let room = MAX_HEAD - buf.len();
        if room == 0 {
            return Err(HeadError::TooLarge);
        }
        let n = match r.read(&mut chunk[..room.min(4096)]) {
            Ok(0) | Err(_) => return Err(HeadError::Closed),
            Ok(n) => n,
        };
        let from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf[from..].windows(4).position(|w| w == b"\r\n\r\n") {
            buf.truncate(from + end);
            return Ok(buf);
        }
    }
}

type Head = (String, String, Vec<(String, String)>);

/// The method, target and headers of a request head (without its final blank line).
fn parse_head(head: &[u8]) -> Result<Head, HeadError> {
    let text = std::str::from_utf8(head).map_err(|_| HeadError::Malformed)?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().ok_or(HeadError::Malformed)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Malformed);
    };
    if method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
        || target.is_empty()
        || !version.starts_with("HTTP/1.")
    {
        return Err(HeadError::Malformed);
    }
    let mut headers = Vec::new();
    for line in lines {
        // Folded continuation lines are obsolete and a classic smuggling vector.
        let (name, value) = line.split_once(':').ok_or(HeadError::Malformed)?;
        if name.is_empty() || name.contains([' ', '\t']) || line.starts_with([' ', '\t']) {
            return Err(HeadError::Malformed);
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok((method.to_string(), target.to_string(), headers))
}

fn respond(mut stream: TcpStream, r: &Response, with_body: bool) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (name, value) in &r.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        r.body.len()
    ));
    stream.write_all(head.as_bytes())?;
    if with_body {
        stream.write_all(&r.body)?;
    }
    stream.flush()?;
    close(stream);
    Ok(())
}

/// Closes after the response is sent. Data the client sent that was not read (a body, the rest
/// of an oversized head) would make the close a reset, which can destroy the response before
/// the client reads it; so what has already arrived is read and dropped first, without waiting.
fn close(stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    if stream.set_nonblocking(true).is_err() {
        return;
    }
    let mut sink = [0u8; 8192];
    let mut drained = 0;
    while drained < 16 * MAX_HEAD {
        match (&stream).read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_head_up_to_the_blank_line() {
        let mut input: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY";
        assert_eq!(
            read_head(&mut input).expect("head"),
            b"GET / HTTP/1.1\r\nHost: a"
        );
        let mut cut: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\n";
        assert_eq!(read_head(&mut cut), Err(HeadError::Closed));
    }

    #[test]
    fn a_head_larger_than_the_bound_is_refused_after_reading_the_bound() {
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        let mut input = big.as_bytes();
        assert_eq!(read_head(&mut input), Err(HeadError::TooLarge));
        assert!(
            input.len() >= big.len() - MAX_HEAD,
            "no more than the bound was read"
        );
        let line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(read_head(&mut line.as_bytes()), Err(HeadError::TooLarge));
        let just = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD - 30));
        assert!(read_head(&mut just.as_bytes()).is_ok());
    }

    #[test]
    fn parses_request_lines_and_headers() {
        let (method, target, headers) =
            parse_head(b"GET /policies/?x=1 HTTP/1.1\r\nHost: localhost:1111\r\nAccept:  */* ")
                .expect("parsed");
        assert_eq!(method, "GET");
        assert_eq!(target, "/policies/?x=1");
        assert_eq!(
            headers,
            [
                ("Host".to_string(), "localhost:1111".to_string()),
                ("Accept".to_string(), "*/*".to_string())
            ]
        );
        for bad in [
            &b""[..],
            b"GET /",
            b"GET / HTTP/1.1 extra",
            b"GET  / HTTP/1.1",
            b"get / HTTP/1.1",
            b"GET / SPDY/3",
            b"GET / HTTP/1.1\r\nno colon",
            b"GET / HTTP/1.1\r\nHost : a",
            b"GET / HTTP/1.1\r\nHost: a\r\n folded",
            b"GET / HTTP/1.1\r\nX: \xff",
        ] {
            assert!(
                parse_head(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn headers_that_would_split_the_response_are_dropped() {
        let r = Response::new(200, Vec::new())
            .with_header("Location", "/a\r\nSet-Cookie: x")
            .with_header("Content-Type", "text/plain");
        assert_eq!(
            r.headers,
            [("Content-Type".to_string(), "text/plain".to_string())]
        );
    }
}

//! `trustpress serve`: the terminal side of the live preview. The library's serve loop reports
//! events; this prints them as they happen (a long-running command cannot print only at the end).

use rustc_hash::FxHashSet as HashSet;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::Result;

use crate::diagnostic::Diagnostic;
use crate::serve::{self, Event, ServeOptions};

/// Serves until the process is stopped; returns only if serving cannot start or the watcher dies.
pub fn run(opts: &ServeOptions, open: bool) -> Result<()> {
    let audience = opts.audience.as_str();
    let mut shown = HashSet::default();
    serve::run(opts, &mut |event| {
        print_event(&event, audience, open, &mut shown)
    })
}

/// The URL to print and open: `http://127.0.0.1:PORT/`. Listening on every interface
/// (`0.0.0.0`, `::`) includes loopback, and browsers refuse the unspecified address itself.
pub fn url(addr: SocketAddr) -> String {
    let addr = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port())
        }
        _ => addr,
    };
    format!("http://{addr}/")
}

/// Prints one event; `shown` holds the warnings already printed, so a rebuild prints only
/// warnings that are new rather than repeating every one on each save.
fn print_event(event: &Event<'_>, audience: &str, open: bool, shown: &mut HashSet<u64>) {
    match event {
        Event::Listening { addr } => {
            let url = url(*addr);
            println!("serving {url}");
            println!("  {audience} audience, live reload on; press Ctrl-C to stop");
            if !addr.ip().is_loopback() {
                eprintln!(
                    "warning: listening on {}, so the preview is reachable from the network: anyone who can reach this machine can read the {audience} site",
                    addr.ip()
                );
            }
            let _ = std::io::stdout().flush();
            if open {
                open_browser(&url);
            }
        }
        Event::Built {
            first,
            elapsed,
            pages,
            files,
            warnings,
            reloaded,
            changed,
        } => {
            // Compared by hash, and only the printed few are formatted: a large site has
            // thousands of warnings, and this runs on every save.
            // FxHash: a collision would only leave one new warning unprinted (`check` lists
            // them all), and SipHash cost milliseconds here beside the reloading page.
            let hashes: Vec<u64> = warnings.iter().map(fx_hash).collect();
            let new: Vec<&Diagnostic> = warnings
                .iter()
                .zip(&hashes)
                .filter(|(_, h)| !shown.contains(*h))
                .map(|(d, _)| d)
                .collect();
            // Like `build`: the first few, and where to see them all.
            const SHOWN: usize = 20;
            let _ = super::check::write_warnings(
                std::io::stderr().lock(),
                &new[..new.len().min(SHOWN)],
                new.len().saturating_sub(SHOWN),
            );
            let note = match (warnings.len(), new.len()) {
                (0, _) => String::new(),
                (all, new) => format!(" ({all} warnings, {new} new)"),
            };
            *shown = hashes.into_iter().collect();
            let ms = elapsed.as_millis();
            if *first {
                println!(
                    "built {audience} site in memory: {pages} pages, {files} files in {ms} ms"
                );
            } else {
                println!(
                    "rebuilt in {ms} ms after {}: {pages} pages; reloading {}{note}",
                    describe(changed),
                    tabs(*reloaded)
                );
            }
        }
        Event::Failed {
            first,
            elapsed,
            errors,
            reloaded,
            changed,
        } => {
            print_diagnostics(errors);
            let n = errors.iter().filter(|d| d.is_error()).count();
            let ms = elapsed.as_millis();
            let plural = if n == 1 { "" } else { "s" };
            if *first {
                eprintln!(
                    "error: the site does not build ({n} error{plural}, {ms} ms); serving the errors until it does"
                );
            } else {
                eprintln!(
                    "error: rebuild after {} failed in {ms} ms with {n} error{plural}; still serving the last good build, errors shown in {}",
                    describe(changed),
                    tabs(*reloaded)
                );
            }
        }
        Event::PageFailed { error } => {
            eprintln!("{error}");
            eprintln!("error: a page could not be rendered; the browser was shown an error page");
        }
        Event::WatchError(e) => eprintln!("warning: file watcher: {e}"),
    }
    let _ = std::io::stdout().flush();
}

/// A quick 64-bit hash of a warning, to tell the ones already printed.
fn fx_hash(d: &Diagnostic) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    d.hash(&mut h);
    h.finish()
}

/// A failed build's errors, then how many warnings there are (`check` lists them).
fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    if let Some(hint) = crate::cmd::check::warnings_hint(diags) {
        eprintln!("{hint}");
    }
}

fn describe(changed: &[PathBuf]) -> String {
    match changed {
        [one] => format!("a change to {}", one.display()),
        [first, rest @ ..] => format!("changes to {} and {} more", first.display(), rest.len()),
        [] => "a change".to_string(),
    }
}

fn tabs(n: usize) -> String {
    format!("{n} browser tab{}", if n == 1 { "" } else { "s" })
}

/// Opens `url` in the desktop's browser if there is one; never fails the command.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = Command::new(opener)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        // Reap the opener in the background so it does not linger as a zombie.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => eprintln!("note: could not open a browser ({opener}: {e}); open {url} yourself"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_urls_are_openable() {
        let check = |addr: &str, expected: &str| {
            assert_eq!(url(addr.parse().expect("addr")), expected, "{addr}");
        };
        check("127.0.0.1:1111", "http://127.0.0.1:1111/");
        check("0.0.0.0:1111", "http://127.0.0.1:1111/");
        check("[::]:8080", "http://[::1]:8080/");
        check("192.168.1.20:1111", "http://192.168.1.20:1111/");
    }
}

//! Request URL → key of the in-memory site map. Pure, so traversal cases are unit-tested.
//!
//! Only keys that exist in the built site can ever be served: a URL is decoded once, split into
//! segments, and any segment that could step outside the site (`..`, `.`, empty, backslashes,
//! NUL) makes it a 404 before the map is consulted.

use crate::edition::route::folder_page;

/// What a request URL resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Serve the file with this key (`policies/access/index.html`).
    File(String),
    /// A directory asked for without its trailing slash: redirect so relative links work.
    Redirect(String),
    NotFound,
}

/// Resolves `url` (the request target, e.g. `/policies/?x=1`) against the keys `exists` knows.
pub fn resolve(url: &str, exists: impl Fn(&str) -> bool) -> Resolved {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(rest) = path.strip_prefix('/') else {
        return Resolved::NotFound;
    };
    let Some(decoded) = percent_decode(rest) else {
        return Resolved::NotFound;
    };
    let is_dir = decoded.is_empty() || decoded.ends_with('/');
    let trimmed = decoded.strip_suffix('/').unwrap_or(&decoded);
    let segments: Vec<&str> = if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    };
    if !segments.iter().all(|s| is_safe_segment(s)) {
        return Resolved::NotFound;
    }
    let key = segments.join("/");
    if is_dir {
        let index = folder_page(&key);
        return if exists(&index) {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if exists(&key) {
        Resolved::File(key)
    } else if exists(&folder_page(&key)) {
        // `path` is known safe here: it starts with one `/` and has no empty segment, so the
        // redirect cannot point at another host (`//host`).
        Resolved::Redirect(format!("{path}/"))
    } else {
        Resolved::NotFound
    }
}

/// Whether a request's `Host` header may be answered. A preview bound to loopback answers only
/// to `localhost` and IP literals: a web page elsewhere could otherwise point a hostname of its
/// own at 127.0.0.1 (DNS rebinding) and read the preview, internal pages included. When the
/// preview is deliberately shared (`--bind` another address) any host name is accepted.
pub fn host_allowed(host: Option<&str>, loopback_only: bool) -> bool {
    if !loopback_only {
        return true;
    }
    // HTTP/1.0 clients may send no Host at all; a browser always sends one.
    let Some(host) = host else { return true };
    let name = if let Some(rest) = host.strip_prefix('[') {
        // `[::1]:1111`
        match rest.split_once(']') {
            Some((ip, _)) => return ip.parse::<std::net::Ipv6Addr>().is_ok(),
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

/// The MIME type for a map key, by extension.
pub fn content_type(key: &str) -> &'static str {
    let ext = key
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn is_safe_segment(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['\\', '\0']) && !has_drive_prefix(s)
}

/// `C:` would make a Windows path absolute; no key of ours looks like that.
fn has_drive_prefix(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &[
        "index.html",
        "404.html",
        "style.css",
        "policies/index.html",
        "policies/access-control/index.html",
        "controls/soa.csv",
        "evidence/files/restore test.txt",
    ];

    fn check(url: &str, expected: Resolved) {
        let got = resolve(url, |k| KEYS.contains(&k));
        assert_eq!(got, expected, "resolving {url:?}");
    }

    fn file(k: &str) -> Resolved {
        Resolved::File(k.to_string())
    }

    #[test]
    fn serves_files_and_directory_indexes() {
        check("/", file("index.html"));
        check("/?v=2", file("index.html"));
        check("/index.html", file("index.html"));
        check("/style.css", file("style.css"));
        check("/policies/", file("policies/index.html"));
        check(
            "/policies/access-control/",
            file("policies/access-control/index.html"),
        );
        check("/controls/soa.csv#top", file("controls/soa.csv"));
        check(
            "/evidence/files/restore%20test.txt",
            file("evidence/files/restore test.txt"),
        );
    }

    #[test]
    fn redirects_directories_without_trailing_slash() {
        check("/policies", Resolved::Redirect("/policies/".into()));
        check(
            "/policies/access-control?x",
            Resolved::Redirect("/policies/access-control/".into()),
        );
    }

    #[test]
    fn unknown_paths_are_not_found() {
        check("/nope", Resolved::NotFound);
        check("/nope/", Resolved::NotFound);
        check("/style.css/", Resolved::NotFound);
        check("", Resolved::NotFound);
        check("*", Resolved::NotFound);
        check("http://example.com/index.html", Resolved::NotFound);
    }

    #[test]
    fn traversal_and_absolute_paths_are_not_found() {
        for url in [
            "/../Cargo.toml",
            "/..",
            "/../",
            "/./index.html",
            "/policies/../index.html",
            "/policies/./index.html",
            "/%2e%2e/site.yaml",
            "/%2E%2E/site.yaml",
            "/..%2fsite.yaml",
            "/..%2Fsite.yaml",
            "/policies/..%2f..%2fsite.yaml",
            "/%2e%2e%2f%2e%2e%2fetc/passwd",
            "//etc/passwd",
            "/%2fetc/passwd",
            "/policies//index.html",
            "/..\\site.yaml",
            "/%5c..%5csite.yaml",
            "/C:/Windows/win.ini",
            "/index.html%00.css",
            "/%zz",
            "/%2",
            "/%ff",
        ] {
            check(url, Resolved::NotFound);
        }
    }

    #[test]
    fn loopback_previews_answer_only_to_local_host_names() {
        for (host, loopback_only, expected) in [
            (Some("127.0.0.1:1111"), true, true),
            (Some("localhost:1111"), true, true),
            (Some("LOCALHOST"), true, true),
            (Some("[::1]:1111"), true, true),
            (Some("192.168.1.20:1111"), true, true),
            (None, true, true),
            (Some("evil.example:1111"), true, false),
            (Some("localhost.evil.example"), true, false),
            (Some("127.0.0.1.nip.io:1111"), true, false),
            (Some("[::1"), true, false),
            (Some("evil.example"), false, true),
        ] {
            assert_eq!(host_allowed(host, loopback_only), expected, "{host:?}");
        }
    }

    #[test]
    fn content_types_by_extension() {
        for (key, ct) in [
            ("index.html", "text/html; charset=utf-8"),
            ("a/style.CSS", "text/css; charset=utf-8"),
            ("trustpress.js", "text/javascript; charset=utf-8"),
            ("controls/soa.csv", "text/csv; charset=utf-8"),
            ("search.json", "application/json"),
            ("sitemap.xml", "application/xml"),
            ("logo.svg", "image/svg+xml"),
            ("logo.png", "image/png"),
            ("photo.jpg", "image/jpeg"),
            ("report.pdf", "application/pdf"),
            ("notes.txt", "text/plain; charset=utf-8"),
            ("font.woff2", "font/woff2"),
            ("README", "application/octet-stream"),
        ] {
            assert_eq!(content_type(key), ct, "{key}");
        }
    }
}

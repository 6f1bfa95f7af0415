//! The route table: every file a build can write is a `Route`, which knows its output path,
//! its depth, the relative prefix back to the root, its URL from any other page, and how to
//! parse a requested path back. Build's file list, serve's lookup, navigation and link targets
//! all go through it, so a path is spelled in one place.

use crate::model::Collection;

/// One output file of a build.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    Home,
    Scope,
    Traceability,
    /// The statement of applicability as CSV (`controls/soa.csv`).
    Soa,
    NotFound,
    Robots,
    SearchIndex,
    Sitemap,
    HighlightCss,
    /// The generated favicon (`favicon.svg`, in the accent colour) of a site without one.
    Favicon,
    /// A file of the embedded theme (`style.css`, `trustpress.js`).
    Asset(&'static str),
    /// A collection's list page.
    List(Collection),
    /// An item's page, by its collection and page address.
    Item(Collection, String),
    /// An evidence item's file, published beside its page: slug, file name.
    EvidenceFile(String, String),
    /// A file of a policy's folder (`policies/x/index.md` with `diagram.svg` beside it),
    /// published beside the policy's page: slug, path inside the folder.
    PolicyFile(String, String),
    /// A file of the site's `static/` folder, by its output path.
    Static(String),
}

/// The name of a folder's page: `policies/` is written as `policies/index.html`.
const INDEX: &str = "index.html";
const SOA: &str = "soa.csv";

impl Route {
    /// The file this route is written to, relative to the output root.
    pub fn path(&self) -> String {
        match self.location() {
            Some(dir) => format!("{dir}{INDEX}"),
            None => match self {
                Route::Soa => format!("{}/{SOA}", Collection::Controls.dir()),
                Route::NotFound => "404.html".into(),
                Route::Robots => "robots.txt".into(),
                Route::SearchIndex => "search-index.json".into(),
                Route::Sitemap => "sitemap.xml".into(),
                Route::HighlightCss => "highlight.css".into(),
                Route::Favicon => "favicon.svg".into(),
                Route::Asset(name) => (*name).into(),
                Route::EvidenceFile(slug, file) => {
                    format!("{}/{slug}/{file}", Collection::Evidence.dir())
                }
                Route::PolicyFile(slug, file) => {
                    format!("{}/{slug}/{file}", Collection::Policies.dir())
                }
                Route::Static(path) => path.clone(),
                _ => String::new(), // every folder page has a location
            },
        }
    }

    /// The folder URL of a page, relative to the root (`""`, `policies/`, `policies/x/`);
    /// `None` for files, whose URL is their path.
    pub fn location(&self) -> Option<String> {
        Some(match self {
            Route::Home => String::new(),
            Route::Scope => "scope/".into(),
            Route::Traceability => "traceability/".into(),
            Route::List(c) => format!("{}/", c.dir()),
            Route::Item(c, slug) => format!("{}/{slug}/", c.dir()),
            _ => return None,
        })
    }

    /// How many folders below the root the file is. The 404 page is served at any depth and
    /// carries a `<base href>`, so it is written as if at the root.
    pub fn depth(&self) -> usize {
        self.path().matches('/').count()
    }

    /// The relative prefix from this route's page back to the root (`""`, `../`, `../../`).
    pub fn root(&self) -> String {
        root(self.depth())
    }

    /// This route's URL from a page whose prefix to the root is `root`. A file's path is
    /// percent-encoded segment by segment, so a `#`, `?`, `%` or space in a file name
    /// (`policies/x/flow #2.svg`) stays part of the name.
    pub fn url_from(&self, root: &str) -> String {
        match self.location() {
            Some(dir) if root.is_empty() && dir.is_empty() => "./".into(),
            Some(dir) => format!("{root}{dir}"),
            None => {
                let path = self.path();
                let encoded: Vec<String> = path.split('/').map(encode_segment).collect();
                format!("{root}{}", encoded.join("/"))
            }
        }
    }

    /// Whether this is an HTML page with a folder URL (what a sitemap lists).
    pub fn is_page(&self) -> bool {
        self.location().is_some()
    }

    /// The folder a file is the page of (`policies/index.html` → `policies/`), as a sitemap
    /// lists it; `None` for other files.
    pub fn folder(&self) -> Option<String> {
        self.path().strip_suffix(INDEX).map(str::to_string)
    }

    /// The route whose output path is `path`, read by its shape alone (whether the build has
    /// that item, asset or static file is for the caller to know). `None`: no route has it.
    pub fn parse(path: &str) -> Option<Route> {
        let fixed = [
            Route::Home,
            Route::Scope,
            Route::Traceability,
            Route::Soa,
            Route::NotFound,
            Route::Robots,
            Route::SearchIndex,
            Route::Sitemap,
            Route::HighlightCss,
            Route::Favicon,
        ];
        if let Some(route) = fixed.into_iter().find(|r| r.path() == path) {
            return Some(route);
        }
        if let Some((dir, rest)) = path.split_once('/')
            && let Some(collection) = Collection::ALL.into_iter().find(|c| c.dir() == dir)
        {
            if rest == INDEX {
                return Some(Route::List(collection));
            }
            if let Some((slug, file)) = rest.split_once('/')
                && !slug.is_empty()
                && !file.is_empty()
            {
                // A policy's folder may hold subfolders of files (`img/a.png`); a file named
                // like a page (`b/index.html`) is never one of them.
                let nested = file.contains('/');
                let page_name = file.rsplit('/').next() == Some(INDEX);
                return Some(if file == INDEX {
                    Route::Item(collection, slug.to_string())
                } else if collection == Collection::Evidence && !nested {
                    Route::EvidenceFile(slug.to_string(), file.to_string())
                } else if collection == Collection::Policies && !page_name {
                    Route::PolicyFile(slug.to_string(), file.to_string())
                } else {
                    Route::Static(path.to_string())
                });
            }
        }
        Some(Route::Static(path.to_string()))
    }
}

/// Percent-encodes one path segment: every byte but the unreserved characters of RFC 3986, so
/// `#`, `?`, `%`, `:` and spaces in a file name stay part of the name.
pub fn encode_segment(segment: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(segment, RESERVED).to_string()
}

/// The relative prefix from a page `depth` folders below the root.
pub fn root(depth: usize) -> String {
    "../".repeat(depth)
}

/// The output path of the folder page at `dir` (a request path without its slash): how
/// `serve` maps `/policies/` to a file.
pub fn folder_page(dir: &str) -> String {
    if dir.is_empty() {
        INDEX.to_string()
    } else {
        format!("{dir}/{INDEX}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_encoded_as_one_segment() {
        for (name, expected) in [
            ("report.pdf", "report.pdf"),
            ("report#1.pdf", "report%231.pdf"),
            ("a b.pdf", "a%20b.pdf"),
            ("100%.txt", "100%25.txt"),
            ("q?.txt", "q%3F.txt"),
            ("javascript:x", "javascript%3Ax"),
            ("é.txt", "%C3%A9.txt"),
        ] {
            assert_eq!(encode_segment(name), expected, "{name}");
        }
    }

    fn check(route: Route, path: &str, depth: usize, from_root: &str, from_item: &str) {
        assert_eq!(route.path(), path, "{route:?}");
        assert_eq!(route.depth(), depth, "{route:?}");
        assert_eq!(route.url_from(""), from_root, "{route:?}");
        assert_eq!(route.url_from("../../"), from_item, "{route:?}");
        assert_eq!(Route::parse(path), Some(route.clone()), "{path}");
    }

    #[test]
    fn every_route_knows_its_file_depth_and_url() {
        use Collection::*;
        check(Route::Home, "index.html", 0, "./", "../../");
        check(
            Route::Scope,
            "scope/index.html",
            1,
            "scope/",
            "../../scope/",
        );
        check(
            Route::Traceability,
            "traceability/index.html",
            1,
            "traceability/",
            "../../traceability/",
        );
        check(
            Route::Soa,
            "controls/soa.csv",
            1,
            "controls/soa.csv",
            "../../controls/soa.csv",
        );
        check(Route::NotFound, "404.html", 0, "404.html", "../../404.html");
        check(
            Route::Robots,
            "robots.txt",
            0,
            "robots.txt",
            "../../robots.txt",
        );
        check(
            Route::SearchIndex,
            "search-index.json",
            0,
            "search-index.json",
            "../../search-index.json",
        );
        check(
            Route::Sitemap,
            "sitemap.xml",
            0,
            "sitemap.xml",
            "../../sitemap.xml",
        );
        check(
            Route::List(Policies),
            "policies/index.html",
            1,
            "policies/",
            "../../policies/",
        );
        check(
            Route::Item(Controls, "a-5-1".into()),
            "controls/a-5-1/index.html",
            2,
            "controls/a-5-1/",
            "../../controls/a-5-1/",
        );
        check(
            Route::EvidenceFile("restore".into(), "log.txt".into()),
            "evidence/restore/log.txt",
            2,
            "evidence/restore/log.txt",
            "../../evidence/restore/log.txt",
        );
        check(
            Route::PolicyFile("access".into(), "diagram.svg".into()),
            "policies/access/diagram.svg",
            2,
            "policies/access/diagram.svg",
            "../../policies/access/diagram.svg",
        );
        check(
            Route::Static("img/logo.svg".into()),
            "img/logo.svg",
            1,
            "img/logo.svg",
            "../../img/logo.svg",
        );
        assert_eq!(Route::Item(Risks, "r".into()).root(), "../../");
        assert_eq!(
            Route::PolicyFile("x".into(), "img/flow #2?.svg".into()).url_from("../../"),
            "../../policies/x/img/flow%20%232%3F.svg"
        );
        assert_eq!(Route::Home.root(), "");
    }

    #[test]
    fn parsing_reads_shapes_only() {
        for (path, expected) in [
            (
                "policies/a/b/index.html",
                Some(Route::Static("policies/a/b/index.html".into())),
            ),
            (
                "policies/x/report.pdf",
                Some(Route::PolicyFile("x".into(), "report.pdf".into())),
            ),
            (
                "policies/x/img/a.png",
                Some(Route::PolicyFile("x".into(), "img/a.png".into())),
            ),
            (
                "evidence/x/img/a.png",
                Some(Route::Static("evidence/x/img/a.png".into())),
            ),
            ("logo.svg", Some(Route::Static("logo.svg".into()))),
        ] {
            assert_eq!(Route::parse(path), expected, "{path}");
        }
        assert_eq!(folder_page(""), "index.html");
        assert_eq!(folder_page("policies/x"), "policies/x/index.html");
    }
}

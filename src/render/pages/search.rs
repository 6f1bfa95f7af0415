//! `search-index.json`: what the header's search box looks through. Built from the edition,
//! so it holds only items this audience can open, and only what their pages show: titles,
//! register fields, and the text of their Markdown as rendered for this reader (links the
//! reader may not follow are text there already), never Markdown source, whose link
//! destinations and comments could name a withheld target.

use rayon::prelude::*;
use serde::Serialize;

use super::RenderContext;
use crate::diagnostic::Diagnostic;
use crate::edition::route::Route;
use crate::edition::{Assessment, Edition, Published, Text, TextKey, UrlField};
use crate::model::Audience;
use crate::output::Output;

/// The plain text of the Markdown that pages rendered, kept for the search index, which a
/// build renders after every other page: the index then reads each text's words from the
/// page's own rendering instead of rendering its Markdown a second time (that was a tenth of
/// a large build). Only as much of each text is kept as the index can use, so at most the
/// index's text budget is held. A text no page rendered (`serve` renders the pages browsers
/// ask for) is rendered by the index itself, without highlighting.
pub(in crate::render) struct PlainTexts {
    /// How many characters of each text to keep: one more than an entry keeps, as `trim`
    /// reads no further.
    keep: usize,
    /// Keyed by the text and its page's root (hashed: most pages share a few roots); each
    /// text exactly as long as kept, as a few hundred thousand are held at once.
    texts: std::sync::Mutex<std::collections::HashMap<(TextKey, u64), Box<str>>>,
}

impl PlainTexts {
    pub(in crate::render) fn new(edition: &Edition) -> Self {
        PlainTexts {
            keep: body_limit(indexed(edition)) + 1,
            texts: Default::default(),
        }
    }

    /// Keeps the words of `html`, rendered from `text` on a page at `root`.
    pub(in crate::render) fn record(&self, text: Text, root: &str, html: &str) {
        let kept = plain_text_upto(html, self.keep).into_boxed_str();
        self.lock()
            .insert((text.key(), crate::cache::hash(root)), kept);
    }

    /// The words of `text` on a page at `root`, if a page rendered it (then they are taken:
    /// each is read once).
    pub(in crate::render) fn take(&self, text: Text, root: &str) -> Option<String> {
        self.lock()
            .remove(&(text.key(), crate::cache::hash(root)))
            .map(String::from)
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<(TextKey, u64), Box<str>>> {
        self.texts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// How many entries the search index of `e` holds that have text.
fn indexed(e: &Edition) -> usize {
    e.policies.published().count()
        + e.controls.len()
        + e.evidence.published().count()
        + e.risks.published().count()
        + e.findings.published().count()
        + e.suppliers.published().count()
}

#[derive(Serialize)]
struct Entry {
    /// Title shown in the results.
    t: String,
    /// URL relative to the site root.
    u: String,
    /// Kind of item, shown beside the title.
    k: &'static str,
    /// Register fields to match (id, owner, service, assurance, dates…).
    s: String,
    /// The item's text, plain, at most `body_limit` characters.
    #[serde(skip_serializing_if = "String::is_empty")]
    b: String,
}

/// How much of an item's text the index keeps: the whole of a typical policy (a few pages),
/// while one very long document cannot make the index a large download.
pub(crate) const BODY_MAX: usize = 8000;

/// How much text the whole index keeps, in characters: a site of thousands of documents
/// shares this between them, so the index stays a download a browser can take (at 10,000
/// policies of a few KB, 8,000 characters each made a 72 MB index and doubled the build's
/// memory).
const INDEX_TEXT_BUDGET: usize = 4_000_000;

/// The fewest characters of text an item keeps, however large the site.
const BODY_MIN: usize = 200;

/// How many characters of text each of `items` entries keeps.
pub(crate) fn body_limit(items: usize) -> usize {
    (INDEX_TEXT_BUDGET / items.max(1)).clamp(BODY_MIN, BODY_MAX)
}

pub(in crate::render) fn search_index(cx: &RenderContext) -> Result<Output, Diagnostic> {
    let e = cx.edition;
    let route = Route::SearchIndex;
    let root = route.root();
    let t = cx.t();
    let limit = body_limit(indexed(e));
    // The words of the item's own page (same links and withheld text): as that page rendered
    // them, else rendered here as there, only without highlighting, which changes no word.
    let text = |texts: &[Option<Text>], page: &Route| -> Result<String, Diagnostic> {
        let page_root = page.root();
        let parts: Vec<String> = texts
            .iter()
            .flatten()
            .map(|t| match cx.rendered_words(*t, &page_root) {
                Some(words) => Ok(words),
                None => Ok(plain_text(&e.markdown_unhighlighted(*t, &page_root)?)),
            })
            .collect::<Result<_, _>>()?;
        Ok(trim(&parts.join(" "), limit))
    };
    let url = |field: &Option<UrlField>, page: &Route| -> Option<String> {
        field
            .as_ref()
            .and_then(|f| cx.url_link(f, &page.root()))
            .map(|l| format!("{} {}", l.text, l.href))
    };
    let entry = |item: &dyn Published, k: &'static str, fields: Vec<Option<String>>, b: String| {
        let mut s = vec![item.id().to_string()];
        s.extend(fields.into_iter().flatten());
        Entry {
            t: item.title().to_string(),
            u: item.route().url_from(&root),
            k,
            s: s.join(" "),
            b,
        }
    };
    let scope = &e.scope;
    let mut fields: Vec<String> = [scope.services, scope.locations, scope.hosted_environments]
        .iter()
        .flat_map(|list| list.iter().cloned())
        .collect();
    fields.extend(scope.legal_entity.map(str::to_string));
    fields.extend(scope.assumptions.iter().cloned());
    let mut entries = JsonList::default();
    // Sections the edition has not are not searched either (their registers are empty).
    if e.writes(&Route::Scope) {
        entries.push(&Entry {
            t: scope.title.to_string(),
            u: Route::Scope.url_from(&root),
            k: t.kind_scope,
            s: fields.join(" "),
            b: text(&[Some(scope.body)], &Route::Scope)?,
        });
    }
    let policies: Vec<_> = e.policies.published().collect();
    entries.extend_par(&policies, |p| {
        let mut fields = vec![
            p.summary.map(str::to_string),
            Some(p.owner.to_string()),
            p.approved_by.map(str::to_string),
        ];
        fields.extend(p.tags.iter().cloned().map(Some));
        let body = text(&[Some(p.body)], &p.route())?;
        Ok(entry(*p, t.kind_policy, fields, body))
    })?;
    for c in e.controls.iter().filter(|c| e.writes(&c.route())) {
        let page = c.route();
        let (fields, body) = match &c.assessment {
            Assessment::Published(m) => (
                vec![
                    Some(c.theme.to_string()),
                    m.justification.map(str::to_string),
                    m.owner.map(str::to_string),
                ],
                text(&[m.notes], &page)?,
            ),
            Assessment::Withheld | Assessment::NotAssessed => {
                (vec![Some(c.theme.to_string())], String::new())
            }
        };
        entries.push(&Entry {
            t: c.full_title(),
            u: page.url_from(&root),
            k: t.kind_control,
            s: fields.into_iter().flatten().collect::<Vec<_>>().join(" "),
            b: body,
        });
    }
    let evidence: Vec<_> = e.evidence.published().collect();
    entries.extend_par(&evidence, |ev| {
        let page = ev.route();
        let fields = vec![
            ev.kind.map(|k| t.evidence_kind(k).to_string()),
            ev.owner.map(str::to_string),
            url(&ev.url, &page),
            ev.file.as_ref().map(|f| f.name.to_string()),
        ];
        let body = text(&[ev.description, ev.notes], &page)?;
        Ok(entry(*ev, t.kind_evidence, fields, body))
    })?;
    let risks: Vec<_> = e.risks.published().collect();
    entries.extend_par(&risks, |r| {
        let fields = vec![
            r.asset.map(str::to_string),
            r.threat.map(str::to_string),
            r.vulnerability.map(str::to_string),
            r.owner.map(str::to_string),
            r.treatment.map(|x| t.treatment(x).to_string()),
        ];
        let body = text(&[r.notes], &r.route())?;
        Ok(entry(*r, t.kind_risk, fields, body))
    })?;
    let findings: Vec<_> = e.findings.published().collect();
    entries.extend_par(&findings, |f| {
        let fields = vec![
            f.kind.map(|k| t.finding_kind(k).to_string()),
            f.source.map(str::to_string),
            f.owner.map(str::to_string),
        ];
        let texts = [f.description, f.root_cause, f.corrective_action, f.notes];
        let body = text(&texts, &f.route())?;
        Ok(entry(*f, t.kind_finding, fields, body))
    })?;
    let suppliers: Vec<_> = e.suppliers.published().collect();
    entries.extend_par(&suppliers, |s| {
        let mut fields = vec![
            s.service.map(str::to_string),
            s.data.map(str::to_string),
            s.location.map(str::to_string),
        ];
        fields.extend(s.assurance.iter().cloned().map(Some));
        // A supplier's review notes are the customer edition's and up, as on its page.
        let body = match cx.audience() {
            Audience::Public => String::new(),
            _ => text(&[s.notes], &s.route())?,
        };
        Ok(entry(*s, t.kind_supplier, fields, body))
    })?;
    Ok(Output {
        path: route.path(),
        bytes: entries.finish(),
    })
}

/// A JSON array written an element at a time (as `serde_json::to_vec` of the whole list would
/// write it), so that the elements need not all be held first.
#[derive(Default)]
struct JsonList {
    bytes: Vec<u8>,
}

impl JsonList {
    fn push(&mut self, entry: &Entry) {
        let start = self.bytes.len();
        self.bytes.push(if start == 0 { b'[' } else { b',' });
        // Serialising a plain struct of strings into memory cannot fail; were it to, the
        // entry is left out rather than left half-written.
        if serde_json::to_writer(&mut self.bytes, entry).is_err() {
            self.bytes.truncate(start);
        }
    }

    /// Pushes the entries `make` makes of `items`, in order, made in parallel. Each batch is
    /// written as JSON at once and a few thousand are in flight at a time: at 100,000 policies
    /// the entries would otherwise be held whole beside the index they make.
    fn extend_par<T: Sync>(
        &mut self,
        items: &[T],
        make: impl Fn(&T) -> Result<Entry, Diagnostic> + Sync,
    ) -> Result<(), Diagnostic> {
        for items in items.chunks(8192) {
            let batches: Vec<JsonList> = items
                .par_chunks(512)
                .map(|batch| -> Result<JsonList, Diagnostic> {
                    let mut json = JsonList::default();
                    for item in batch {
                        json.push(&make(item)?);
                    }
                    Ok(json)
                })
                .collect::<Result<_, _>>()?;
            self.bytes
                .reserve(batches.iter().map(|b| b.bytes.len()).sum());
            for batch in batches {
                self.append(batch);
            }
        }
        Ok(())
    }

    /// Appends the elements of `other`, in order.
    fn append(&mut self, other: JsonList) {
        match other.bytes.split_first() {
            None => {}
            Some((_, rest)) if !self.bytes.is_empty() => {
                self.bytes.push(b',');
                self.bytes.extend_from_slice(rest);
            }
            Some(_) => self.bytes = other.bytes,
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.bytes.is_empty() {
            self.bytes.push(b'[');
        }
        self.bytes.push(b']');
        self.bytes
    }
}

/// The text a reader sees in `html`: tags dropped (with `<script>` and `<style>` content),
/// the common character references decoded, whitespace collapsed.
pub(crate) fn plain_text(html: &str) -> String {
    plain_text_upto(html, usize::MAX)
}

/// The first `max` characters of `plain_text(html)`, reading no further into `html` than
/// they need: the index keeps a few hundred characters of a page that may have thousands.
pub(crate) fn plain_text_upto(html: &str, max: usize) -> String {
    let mut words = Words::new(max);
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while !words.full() {
        let Some(lt) = rest.find('<') else {
            if skip_until.is_none() {
                push_text(&mut words, rest);
            }
            break;
        };
        if skip_until.is_none() {
            push_text(&mut words, &rest[..lt]);
        }
        let tag_end = rest[lt..].find('>').map_or(rest.len(), |i| lt + i + 1);
        let tag = &rest[lt..tag_end];
        match skip_until {
            Some(close) if starts_with_ignore_case(tag, close) => skip_until = None,
            Some(_) => {}
            None if starts_with_ignore_case(tag, "<script") => skip_until = Some("</script"),
            None if starts_with_ignore_case(tag, "<style") => skip_until = Some("</style"),
            // A block boundary separates words ("</p><p>" must not glue them); an inline
            // tag does not ("<a>letter</a>)" stays "letter)").
            None if !is_inline(tag) => words.push(' '),
            None => {}
        }
        rest = &rest[tag_end..];
    }
    words.into_string()
}

/// Text with runs of whitespace collapsed to one space and none at either end (as
/// `split_whitespace` and `join(" ")` make it), built a character at a time up to a length.
struct Words {
    out: String,
    chars: usize,
    max: usize,
    space: bool,
}

impl Words {
    fn new(max: usize) -> Self {
        Words {
            out: String::new(),
            chars: 0,
            max,
            space: false,
        }
    }

    fn full(&self) -> bool {
        self.chars >= self.max
    }

    fn push(&mut self, c: char) {
        if self.full() {
            return;
        }
        if c.is_whitespace() {
            self.space = !self.out.is_empty();
            return;
        }
        if self.space {
            self.space = false;
            self.out.push(' ');
            self.chars += 1;
            if self.full() {
                return;
            }
        }
        self.out.push(c);
        self.chars += 1;
    }

    fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            if self.full() {
                return;
            }
            self.push(c);
        }
    }

    fn into_string(self) -> String {
        self.out
    }
}

/// Whether `s` starts with `prefix` (ASCII), in any case.
fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Whether `tag` (with its `<`) is an inline element's tag.
fn is_inline(tag: &str) -> bool {
    let name = tag.trim_start_matches(['<', '/']);
    let len = name.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let name = &name.as_bytes()[..len];
    const INLINE: [&str; 20] = [
        "a", "abbr", "b", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "small",
        "span", "strong", "sub", "sup", "u", "time", "var",
    ];
    INLINE
        .iter()
        .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
}

/// Appends `text` with the common character references decoded.
fn push_text(out: &mut Words, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let entity = after.find(';').filter(|i| *i <= 10).map(|i| &after[..=i]);
        let decoded = entity.and_then(|ent| match ent {
            "&amp;" => Some('&'),
            "&lt;" => Some('<'),
            "&gt;" => Some('>'),
            "&quot;" => Some('"'),
            "&#39;" | "&#x27;" | "&apos;" => Some('\''),
            "&nbsp;" => Some(' '),
            _ => ent
                .strip_prefix("&#x")
                .and_then(|h| u32::from_str_radix(h.trim_end_matches(';'), 16).ok())
                .or_else(|| {
                    ent.strip_prefix("&#")
                        .and_then(|d| d.trim_end_matches(';').parse().ok())
                })
                .and_then(char::from_u32),
        });
        match (entity, decoded) {
            (Some(ent), Some(c)) => {
                out.push(c);
                rest = &after[ent.len()..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
}

/// `text` cut to at most `max` characters, at a word boundary when there is one.
pub(crate) fn trim(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => {
            let head = &text[..end];
            let cut = head.rfind(' ').filter(|i| *i > end / 2).unwrap_or(end);
            head[..cut].to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn large_sites_share_the_text_budget() {
        use super::{BODY_MAX, BODY_MIN, body_limit};
        assert_eq!(body_limit(0), BODY_MAX);
        assert_eq!(
            body_limit(120),
            BODY_MAX,
            "the example site keeps whole texts"
        );
        assert_eq!(body_limit(10_000), 400);
        assert_eq!(body_limit(1_000_000), BODY_MIN);
    }

    use super::*;

    #[test]
    fn plain_text_of_rendered_markdown() {
        let check = |html: &str, expected: &str| assert_eq!(plain_text(html), expected, "{html}");
        check(
            "<h2 id=\"x\">Purpose</h2>\n<p>We use <a href=\"a/\">SOC&nbsp;2</a> reports.</p>",
            "Purpose We use SOC 2 reports.",
        );
        check("<p>a</p><p>b</p>", "a b");
        check(
            "<p>(pentest; <a href=\"x\">letter</a>) and <strong>bold</strong>.</p>",
            "(pentest; letter) and bold.",
        );
        check(
            "<p>R&amp;D &lt;b&gt; &#39;q&#39; &#x2013; &bogus; & x</p>",
            "R&D <b> 'q' \u{2013} &bogus; & x",
        );
        check(
            "<style>p { color: red }</style><p>kept</p><script>x()</script>",
            "kept",
        );
        check(
            "<pre class=\"code\"><code><span class=\"hl-x\">echo</span> hi\n</code></pre>",
            "echo hi",
        );
        check("no tags", "no tags");
    }

    /// What `PlainTexts` keeps of a text (one character more than the entry) trims to what the
    /// whole text trims to, joined with other parts or not.
    #[test]
    fn a_kept_prefix_trims_as_the_whole_text() {
        use super::trim;
        let texts = [
            "",
            "short",
            "one two three four five six seven",
            "abcdefghijklmnopqrstuvwxyz",
            "ä ö ü ß é à ç ñ ø å",
            "word word word word word",
        ];
        for limit in [1, 3, 5, 9, 10, 11, 40] {
            for a in texts {
                assert_eq!(
                    trim(&prefix(a.to_string(), limit + 1), limit),
                    trim(a, limit)
                );
                for b in texts {
                    let whole = format!("{a} {b}");
                    let kept = format!(
                        "{} {}",
                        prefix(a.to_string(), limit + 1),
                        prefix(b.to_string(), limit + 1)
                    );
                    assert_eq!(
                        trim(&kept, limit),
                        trim(&whole, limit),
                        "{a:?} {b:?} {limit}"
                    );
                }
            }
        }
    }

    /// The first `chars` characters of `text`.
    fn prefix(mut text: String, chars: usize) -> String {
        if let Some((end, _)) = text.char_indices().nth(chars) {
            text.truncate(end);
        }
        text
    }

    /// Reading only as far as needed gives the start of the whole text, at every length.
    #[test]
    fn plain_text_upto_is_the_start_of_the_plain_text() {
        use super::{plain_text, plain_text_upto};
        let pages = [
            "<h2 id=\"x\">Purpose</h2>\n<p>We use <a href=\"a/\">SOC&nbsp;2</a> reports.</p>",
            "  <p>  a  </p>\n\n<P>b</P>  ",
            "<p>R&amp;D &lt;b&gt; &#39;q&#39; &#x2013; &bogus; & x</p>",
            "<STYLE>p { color: red }</STYLE><p>kept</p><Script>x()</sCRIPT> after",
            "<pre class=\"code\"><code><span class=\"hl-x\">echo</span> hi\n</code></pre>",
            "ä ö\u{a0}ü <EM>ß</EM>é",
            "unclosed <tag",
        ];
        for html in pages {
            let whole = plain_text(html);
            for n in 0..=whole.chars().count() + 2 {
                assert_eq!(
                    plain_text_upto(html, n),
                    prefix(whole.clone(), n),
                    "{html:?} {n}"
                );
            }
        }
    }

    /// The index written entry by entry, and batch by batch, is the list serialised whole.
    #[test]
    fn a_json_list_written_in_pieces_is_the_whole_list() {
        use super::{Entry, JsonList};
        let entry = |i: usize| Entry {
            t: format!("Title \"{i}\""),
            u: format!("policies/p-{i}/"),
            k: "Policy",
            s: String::new(),
            b: if i.is_multiple_of(2) {
                String::new()
            } else {
                "text".into()
            },
        };
        for n in [0, 1, 2, 5] {
            let whole: Vec<Entry> = (0..n).map(entry).collect();
            let expected = serde_json::to_vec(&whole).unwrap();
            let mut one = JsonList::default();
            (0..n).for_each(|i| one.push(&entry(i)));
            assert_eq!(one.finish(), expected, "{n} pushed");
            for split in 0..=n {
                let (mut a, mut b) = (JsonList::default(), JsonList::default());
                (0..split).for_each(|i| a.push(&entry(i)));
                (split..n).for_each(|i| b.push(&entry(i)));
                let mut all = JsonList::default();
                all.append(a);
                all.append(JsonList::default());
                all.append(b);
                assert_eq!(all.finish(), expected, "{n} split at {split}");
            }
        }
    }

    #[test]
    fn trimmed_at_a_word() {
        assert_eq!(trim("short", 10), "short");
        assert_eq!(trim("one two three four", 10), "one two");
        assert_eq!(trim("abcdefghijklmnop", 5), "abcde");
        assert_eq!(trim("ä ö ü ß é", 5), "ä ö");
    }
}

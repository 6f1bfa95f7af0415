//! Charts drawn as inline SVG: pure functions of counts and labels, so a page needs no
//! script, image file or external request to show them. Colours come from the theme's CSS
//! (`.seg-<class>` sets `fill`), so light and dark both work; every chart carries its figures
//! as text too (its `<title>`, and the page's table beside it).

use std::fmt::Write;

/// One kind of segment of a stacked bar: the CSS class suffix (`seg-implemented`) and the
/// label readers see in the legend and the chart's text.
#[derive(Debug, Clone)]
pub struct Segment {
    pub class: &'static str,
    pub label: String,
}

/// One bar: its label and one count per segment, in the order of the segments.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub counts: Vec<usize>,
}

impl Bar {
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// The width of the drawing in SVG units; it scales to its box (`width: 100%` in CSS).
pub const WIDTH: usize = 400;
const ROW: usize = 40;
const BAR_Y: usize = 18;
const BAR_HEIGHT: usize = 14;

/// A stacked horizontal bar per `bars` entry: the bar's label and total above it, one
/// rectangle per non-zero segment, widths proportional to the counts (a bar's segments always
/// add up to the full width). `title` names the chart for assistive technology; the figures
/// follow it in words, so the picture is not the only way to get them.
pub fn stacked_bars(title: &str, segments: &[Segment], bars: &[Bar]) -> String {
    let height = bars.len() * ROW;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">{}</title>",
        escape(&describe(title, segments, bars))
    );
    for (row, bar) in bars.iter().enumerate() {
        let y = row * ROW;
        let total = bar.total();
        let _ = write!(
            svg,
            "<text class=\"chart-label\" x=\"0\" y=\"{}\">{}</text>\
             <text class=\"chart-total\" x=\"{WIDTH}\" y=\"{}\" text-anchor=\"end\">{total}</text>",
            y + 13,
            escape(&bar.label),
            y + 13,
        );
        if total == 0 {
            let _ = write!(
                svg,
                "<rect class=\"seg seg-empty\" x=\"0\" y=\"{}\" width=\"{WIDTH}\" height=\"{BAR_HEIGHT}\"/>",
                y + BAR_Y
            );
            continue;
        }
        let mut done = 0;
        for (segment, &count) in segments.iter().zip(&bar.counts) {
            if count == 0 {
                continue;
            }
            let x = scale(done, total);
            done += count;
            let width = scale(done, total) - x;
            let _ = write!(
                svg,
                "<rect class=\"seg seg-{}\" x=\"{x}\" y=\"{}\" width=\"{width}\" height=\"{BAR_HEIGHT}\"/>",
                segment.class,
                y + BAR_Y,
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The chart in words: "Title: Organisational: 30 Implemented, 2 Planned; People: …".
pub fn describe(title: &str, segments: &[Segment], bars: &[Bar]) -> String {
    let rows: Vec<String> = bars
        .iter()
        .map(|bar| {
            let parts: Vec<String> = segments
                .iter()
                .zip(&bar.counts)
                .filter(|(_, n)| **n > 0)
                .map(|(s, n)| format!("{n} {}", s.label))
                .collect();
            if parts.is_empty() {
                format!("{}: 0", bar.label)
            } else {
                format!("{}: {}", bar.label, parts.join(", "))
            }
        })
        .collect();
    format!("{title}: {}", rows.join("; "))
}

/// `part` of `total` as a position on the bar, rounded; `total` is never 0 here.
fn scale(part: usize, total: usize) -> usize {
    (part * WIDTH * 2 + total) / (total * 2)
}

/// Text for SVG content and attributes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments() -> Vec<Segment> {
        ["implemented", "planned", "na"]
            .iter()
            .zip(["Implemented", "Planned", "Not applicable"])
            .map(|(class, label)| Segment {
                class,
                label: label.to_string(),
            })
            .collect()
    }

    fn bar(label: &str, counts: &[usize]) -> Bar {
        Bar {
            label: label.to_string(),
            counts: counts.to_vec(),
        }
    }

    /// The `(class, x, width)` of each segment rectangle, in order.
    fn rects(svg: &str) -> Vec<(String, usize, usize)> {
        let attr = |r: &str, name: &str| -> String {
            let start = r.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
            r[start..].split('"').next().unwrap_or("").to_string()
        };
        svg.split("<rect ")
            .skip(1)
            .map(|r| {
                let r = &format!(" {r}");
                let class = attr(r, "class").trim_start_matches("seg ").to_string();
                let x = attr(r, "x").parse().expect("x");
                let w = attr(r, "width").parse().expect("width");
                (class, x, w)
            })
            .collect()
    }

    fn check(counts: &[usize], expected: &[(&str, usize, usize)]) {
        let svg = stacked_bars("Status", &segments(), &[bar("Theme", counts)]);
        let got = rects(&svg);
        let expected: Vec<(String, usize, usize)> = expected
            .iter()
            .map(|(c, x, w)| (c.to_string(), *x, *w))
            .collect();
        assert_eq!(got, expected, "counts {counts:?}");
    }

    #[test]
    fn segments_are_proportional_and_fill_the_bar() {
        check(
            &[1, 1, 2],
            &[
                ("seg-implemented", 0, 100),
                ("seg-planned", 100, 100),
                ("seg-na", 200, 200),
            ],
        );
        check(&[5, 0, 0], &[("seg-implemented", 0, WIDTH)]);
        // Zero counts draw nothing; rounding never leaves a gap or overflows.
        check(
            &[1, 0, 2],
            &[("seg-implemented", 0, 133), ("seg-na", 133, 267)],
        );
        check(&[0, 0, 0], &[("seg-empty", 0, WIDTH)]);
        for counts in [[1, 1, 1], [7, 3, 1], [30, 1, 6], [1, 100, 1]] {
            let svg = stacked_bars("Status", &segments(), &[bar("T", &counts)]);
            let r = rects(&svg);
            let end = r.last().map(|(_, x, w)| x + w);
            assert_eq!(end, Some(WIDTH), "{counts:?}");
            for pair in r.windows(2) {
                assert_eq!(
                    pair[0].1 + pair[0].2,
                    pair[1].1,
                    "{counts:?}: no gap, no overlap"
                );
            }
        }
    }

    #[test]
    fn one_row_per_bar_with_label_and_total() {
        let svg = stacked_bars(
            "Status by theme",
            &segments(),
            &[
                bar("Organisational", &[30, 2, 5]),
                bar("People", &[8, 0, 0]),
            ],
        );
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.contains("viewBox=\"0 0 400 80\""), "{svg}");
        assert!(svg.contains(">Organisational</text>"), "{svg}");
        assert!(svg.contains(">37</text>"), "{svg}");
        assert!(svg.contains(">People</text>"), "{svg}");
        assert!(svg.contains("role=\"img\""), "{svg}");
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn the_title_carries_the_figures_in_words() {
        let bars = [
            bar("Organisational", &[30, 2, 0]),
            bar("Physical", &[0, 0, 0]),
        ];
        assert_eq!(
            describe("Status by theme", &segments(), &bars),
            "Status by theme: Organisational: 30 Implemented, 2 Planned; Physical: 0"
        );
        let svg = stacked_bars("Status by theme", &segments(), &bars);
        assert!(
            svg.contains(
                "<title id=\"chart-title\">Status by theme: Organisational: 30 Implemented"
            ),
            "{svg}"
        );
    }

    #[test]
    fn labels_are_escaped() {
        let svg = stacked_bars("A <b> & \"c\"", &segments(), &[bar("<script>", &[1, 0, 0])]);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"), "{svg}");
        assert!(svg.contains("A &lt;b&gt; &amp; &quot;c&quot;"), "{svg}");
    }
}

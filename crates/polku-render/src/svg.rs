//! Writing SVG text: elements, escaped text, compact numbers, wrapped text blocks.
//!
//! The writer produces the same bytes for the same calls: numbers are rounded to two decimals
//! with trailing zeros dropped, attributes come in call order, and nothing depends on time or
//! the machine. That keeps the SVG snapshots stable.

use std::fmt::{self, Display, Write as _};

use crate::fonts::{self, Face3};

/// Escapes text for HTML and XML (SVG) alike: element content and quoted attribute values.
///
/// The apostrophe becomes `&#39;`, which every HTML and XML parser reads, where `&apos;` is
/// unknown to HTML 4. Control characters that XML 1.0 forbids (and HTML calls parse errors)
/// become spaces, so a stray one in a title cannot break a poster or a page.
///
/// ```
/// assert_eq!(
///     polku_render::escape("<a title=\"x\">Tom's & Jerry's\u{7}</a>"),
///     "&lt;a title=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s &lt;/a&gt;"
/// );
/// ```
#[must_use]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A number for SVG: at most two decimals, no trailing zeros, no `-0`.
#[derive(Clone, Copy)]
pub(crate) struct N(pub f64);

impl Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = (self.0 * 100.0).round() / 100.0;
        if r == 0.0 {
            return f.write_str("0");
        }
        let s = format!("{r:.2}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        f.write_str(s)
    }
}

/// Collects SVG markup.
#[derive(Debug, Default)]
pub(crate) struct SvgWriter {
    buf: String,
}

impl SvgWriter {
    /// An empty writer.
    pub(crate) fn new() -> Self {
        SvgWriter::default()
    }

    /// The markup written so far.
    pub(crate) fn finish(self) -> String {
        self.buf
    }

    /// Appends the markup of another writer.
    pub(crate) fn append(&mut self, other: SvgWriter) {
        self.buf.push_str(&other.buf);
    }

    /// Appends raw markup; the caller is responsible for escaping.
    pub(crate) fn raw(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    /// Starts an element; finish it with [`El::end`] or [`El::content`].
    pub(crate) fn el(&mut self, tag: &'static str) -> El<'_> {
        self.buf.push('<');
        self.buf.push_str(tag);
        El {
            out: &mut self.buf,
            tag,
        }
    }

    /// Opens a group with the given attributes (name, value) pairs.
    pub(crate) fn open_group(&mut self, attrs: &[(&str, &str)]) {
        self.buf.push_str("<g");
        for (k, v) in attrs {
            let _ = write!(self.buf, " {k}=\"{}\"", escape(v));
        }
        self.buf.push_str(">\n");
    }

    /// Closes the innermost open group.
    pub(crate) fn close_group(&mut self) {
        self.buf.push_str("</g>\n");
    }

    /// A rectangle; style it with [`El`] methods.
    pub(crate) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) -> El<'_> {
        self.el("rect")
            .n("x", x)
            .n("y", y)
            .n("width", w.max(0.0))
            .n("height", h.max(0.0))
    }

    /// A circle.
    pub(crate) fn circle(&mut self, cx: f64, cy: f64, r: f64) -> El<'_> {
        self.el("circle").n("cx", cx).n("cy", cy).n("r", r)
    }

    /// A straight line.
    pub(crate) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64) -> El<'_> {
        self.el("line")
            .n("x1", x1)
            .n("y1", y1)
            .n("x2", x2)
            .n("y2", y2)
    }

    /// A path.
    pub(crate) fn path(&mut self, d: &str) -> El<'_> {
        self.el("path").a("d", d)
    }

    /// One line of text with its baseline at `y`.
    pub(crate) fn text_line(&mut self, x: f64, y: f64, text: &str, style: &TextStyle) {
        self.text_lines(x, y, &[text.to_owned()], style);
    }

    /// Lines of text, the first baseline at `y`, each line `style.leading` below the previous.
    pub(crate) fn text_lines(&mut self, x: f64, y: f64, lines: &[String], style: &TextStyle) {
        if lines.iter().all(String::is_empty) {
            return;
        }
        let mut el = self
            .el("text")
            .n("x", x)
            .n("y", y)
            .n("font-size", style.size);
        match style.face {
            Face3::Regular => {}
            Face3::Bold => el = el.a("font-weight", "bold"),
            Face3::Italic => el = el.a("font-style", "italic"),
        }
        el = el.a("fill", style.fill);
        match style.anchor {
            Anchor::Start => {}
            Anchor::Middle => el = el.a("text-anchor", "middle"),
            Anchor::End => el = el.a("text-anchor", "end"),
        }
        if let Some(deco) = style.decoration {
            el = el.a("text-decoration", deco);
        }
        if lines.len() == 1 {
            el.content(&lines[0]);
            return;
        }
        el.out.push('>');
        for (i, line) in lines.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let ly = y + style.leading() * i as f64;
            let _ = write!(
                el.out,
                "<tspan x=\"{}\" y=\"{}\">{}</tspan>",
                N(x),
                N(ly),
                escape(line)
            );
        }
        el.out.push_str("</text>\n");
    }
}

/// An element being written: add attributes, then end it.
pub(crate) struct El<'w> {
    out: &'w mut String,
    tag: &'static str,
}

impl El<'_> {
    /// Adds an attribute, escaping its value.
    pub(crate) fn a(self, name: &str, value: impl Display) -> Self {
        let v = value.to_string();
        let _ = write!(self.out, " {name}=\"{}\"", escape(&v));
        self
    }

    /// Adds a numeric attribute.
    pub(crate) fn n(self, name: &str, value: f64) -> Self {
        let _ = write!(self.out, " {name}=\"{}\"", N(value));
        self
    }

    /// Fill colour.
    pub(crate) fn fill(self, color: &str) -> Self {
        self.a("fill", color)
    }

    /// Stroke colour and width.
    pub(crate) fn stroke(self, color: &str, width: f64) -> Self {
        self.a("stroke", color).n("stroke-width", width)
    }

    /// Corner radius of a rectangle.
    pub(crate) fn rx(self, r: f64) -> Self {
        self.n("rx", r)
    }

    /// Ends an empty element.
    pub(crate) fn end(self) {
        self.out.push_str("/>\n");
    }

    /// Ends the element with escaped text content.
    pub(crate) fn content(self, text: &str) {
        let _ = writeln!(self.out, ">{}</{}>", escape(text), self.tag);
    }
}

/// Horizontal alignment of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Anchor {
    /// Left-aligned at x.
    #[default]
    Start,
    /// Centred on x.
    Middle,
    /// Right-aligned at x.
    End,
}

/// How a block of text is set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextStyle {
    /// Font size in picture units.
    pub size: f64,
    /// Which font file.
    pub face: Face3,
    /// Fill colour.
    pub fill: &'static str,
    /// Horizontal alignment.
    pub anchor: Anchor,
    /// Line height as a multiple of the size.
    pub line_height: f64,
    /// `text-decoration`, e.g. `line-through`.
    pub decoration: Option<&'static str>,
}

impl TextStyle {
    /// Regular text of `size` in `fill`.
    pub(crate) const fn new(size: f64, fill: &'static str) -> Self {
        TextStyle {
            size,
            face: Face3::Regular,
            fill,
            anchor: Anchor::Start,
            line_height: 1.3,
            decoration: None,
        }
    }

    /// The same style in bold.
    pub(crate) const fn bold(mut self) -> Self {
        self.face = Face3::Bold;
        self
    }

    /// The same style in italic.
    pub(crate) const fn italic(mut self) -> Self {
        self.face = Face3::Italic;
        self
    }

    /// The same style with another alignment.
    pub(crate) const fn anchor(mut self, anchor: Anchor) -> Self {
        self.anchor = anchor;
        self
    }

    /// The same style in another colour.
    pub(crate) const fn color(mut self, fill: &'static str) -> Self {
        self.fill = fill;
        self
    }

    /// The same style with another line height.
    pub(crate) const fn leading_factor(mut self, f: f64) -> Self {
        self.line_height = f;
        self
    }

    /// The same style struck through.
    pub(crate) const fn struck(mut self) -> Self {
        self.decoration = Some("line-through");
        self
    }

    /// The distance between two baselines.
    pub(crate) fn leading(&self) -> f64 {
        self.size * self.line_height
    }

    /// Distance from the top of a line box to its baseline.
    pub(crate) fn ascent(&self) -> f64 {
        // Noto Sans: cap height 0.714 em; centre capitals in the line box, slightly low.
        (self.leading() - self.size * 0.714) / 2.0 + self.size * 0.74
    }

    /// Wraps `text` to `width`.
    pub(crate) fn wrap(&self, text: &str, width: f64) -> Vec<String> {
        fonts::wrap(text, self.face, self.size, width)
    }

    /// The width of `text` on one line.
    pub(crate) fn width(&self, text: &str) -> f64 {
        fonts::text_width(text, self.face, self.size)
    }

    /// The height of `n` lines.
    #[allow(clippy::cast_precision_loss)]
    pub(crate) fn height(&self, n: usize) -> f64 {
        self.leading() * n as f64
    }
}

/// Builds path data with compact numbers.
#[derive(Debug, Default)]
pub(crate) struct PathData(String);

impl PathData {
    /// An empty path.
    pub(crate) fn new() -> Self {
        PathData::default()
    }

    /// Move to.
    pub(crate) fn m(mut self, x: f64, y: f64) -> Self {
        let _ = write!(self.0, "M{} {}", N(x), N(y));
        self
    }

    /// Line to.
    pub(crate) fn l(mut self, x: f64, y: f64) -> Self {
        let _ = write!(self.0, "L{} {}", N(x), N(y));
        self
    }

    /// Cubic Bézier to.
    pub(crate) fn c(mut self, c1: (f64, f64), c2: (f64, f64), to: (f64, f64)) -> Self {
        let _ = write!(
            self.0,
            "C{} {} {} {} {} {}",
            N(c1.0),
            N(c1.1),
            N(c2.0),
            N(c2.1),
            N(to.0),
            N(to.1)
        );
        self
    }

    /// Close the path.
    pub(crate) fn z(mut self) -> Self {
        self.0.push('Z');
        self
    }

    /// The path data.
    pub(crate) fn build(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_compact() {
        assert_eq!(N(1.0).to_string(), "1");
        assert_eq!(N(1.256).to_string(), "1.26");
        assert_eq!(N(-0.001).to_string(), "0");
        assert_eq!(N(12.5).to_string(), "12.5");
    }

    #[test]
    fn text_is_escaped() {
        let mut w = SvgWriter::new();
        w.el("text").a("data-x", "a\"b").content("<Ä & Ö>");
        assert_eq!(
            w.finish(),
            "<text data-x=\"a&quot;b\">&lt;Ä &amp; Ö&gt;</text>\n"
        );
    }
}

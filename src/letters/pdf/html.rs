//! Reads the HTML a letter template produced into the few kinds of block a
//! printed letter is made of: paragraphs and headings (runs of regular,
//! bold or oblique text), list items, tables, rules and page breaks.
//!
//! The PDF is laid out from the same HTML the browser prints, so a
//! practice's own template changes both. That HTML must be well-formed
//! markup (every element closed, `<br/>` or `<br>` both fine: void elements
//! are known); CSS is not interpreted, except a few class names that say
//! what a stylesheet would: `right`/`num` (right-aligned), `center`,
//! `small`, and `page-break` (start a new page). Unknown elements are read
//! for their text. Nothing here knows letters or claims.

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::fonts::Face;

/// Horizontal alignment of a paragraph or cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    /// Flush left.
    #[default]
    Left,
    /// Centred.
    Center,
    /// Flush right (money columns).
    Right,
}

/// A piece of text in one face; `"\n"` is a forced line break.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The text, whitespace already collapsed.
    pub text: String,
    /// Its face.
    pub face: Face,
}

/// A paragraph, heading or list item.
#[derive(Clone, Debug, PartialEq)]
pub struct TextBlock {
    /// Its text.
    pub runs: Vec<Run>,
    /// Font size in points.
    pub size: f32,
    /// Alignment.
    pub align: Align,
    /// Left indent in points (list depth).
    pub indent: f32,
    /// A list marker set in the indent (`•`, `2.`).
    pub marker: Option<String>,
    /// Space above, in points.
    pub space_before: f32,
    /// Space below, in points.
    pub space_after: f32,
    /// True for headings: never left alone at the foot of a page.
    pub keep_with_next: bool,
}

/// One table cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Its text.
    pub runs: Vec<Run>,
    /// Alignment.
    pub align: Align,
    /// Columns it spans (`colspan`).
    pub span: usize,
}

/// One table row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// A heading row (in `<thead>`, or only `<th>` cells): set in bold and
    /// repeated at the top of each page the table continues on.
    pub header: bool,
    /// Its cells.
    pub cells: Vec<Cell>,
}

/// A table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Its rows, headings first.
    pub rows: Vec<Row>,
    /// Font size.
    pub size: f32,
}

/// A block of the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Paragraph, heading or list item.
    Text(TextBlock),
    /// A table.
    Table(Table),
    /// A horizontal rule.
    Rule,
    /// Start a new page.
    PageBreak,
}

/// A document: its `<title>` and its blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The `<title>`, used as the PDF's title.
    pub title: String,
    /// The blocks, in order.
    pub blocks: Vec<Block>,
}

/// Why the HTML could not be read. Names a byte offset and the markup
/// problem, never the text (letters carry PHI).
#[derive(Debug, thiserror::Error)]
#[error("the rendered HTML is not well-formed at byte {offset}: {message}")]
pub struct MarkupError {
    /// Byte offset in the rendered HTML.
    pub offset: u64,
    /// What quick-xml found wrong with the markup.
    pub message: String,
}

/// Body text size, in points.
pub const BODY_SIZE: f32 = 10.0;
/// Table text size.
const TABLE_SIZE: f32 = 9.0;
/// `class="small"` text size.
const SMALL_SIZE: f32 = 8.0;

const VOID: &[&str] = &[
    "br", "hr", "meta", "link", "img", "input", "col", "area", "base", "wbr", "source",
];
const SKIPPED: &[&str] = &["head", "style", "script", "template", "colgroup"];
const BLOCKS: &[&str] = &[
    "html",
    "body",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "nav",
    "aside",
    "address",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
];

/// An open element and what it does to its content.
#[derive(Clone, Debug, Default)]
struct Open {
    name: String,
    bold: bool,
    italic: bool,
    align: Option<Align>,
    small: bool,
}

/// A list being read: ordered or not, and the next number.
struct List {
    ordered: bool,
    next: u32,
}

#[derive(Default)]
struct Builder {
    doc: Document,
    stack: Vec<Open>,
    inline: Vec<Run>,
    lists: Vec<List>,
    marker: Option<String>,
    table: Option<Table>,
    in_thead: bool,
    row_has_td: bool,
    cell: Option<Cell>,
    skip_depth: usize,
    in_title: bool,
}

/// Reads `html` into a [`Document`].
pub fn parse(html: &str) -> Result<Document, MarkupError> {
    let mut reader = Reader::from_str(html);
    let config = reader.config_mut();
    // HTML, not XML: end tags may be left out of void elements, and a
    // stray `&` is text.
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    let mut b = Builder::default();
    loop {
        let event = reader.read_event().map_err(|e| MarkupError {
            offset: reader.error_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(e) => {
                let name = element_name(&e);
                if VOID.contains(&name.as_str()) {
                    b.empty(&name, &e);
                } else {
                    b.start(name, &e);
                }
            }
            Event::Empty(e) => b.empty(&element_name(&e), &e),
            Event::End(e) => {
                let name = e.name().as_ref().to_ascii_lowercase();
                b.end(&name);
            }
            Event::Text(t) => b.text(&t.html_content()),
            Event::CData(t) => b.text(&t),
            Event::GeneralRef(r) => b.text(&entity(&r)),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    b.flush();
    Ok(b.doc)
}

fn element_name(e: &BytesStart<'_>) -> String {
    e.name().as_ref().to_ascii_lowercase()
}

/// The value of attribute `name`, when present (attributes are read
/// leniently: `<td nowrap>` is fine).
fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.html_attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref().eq_ignore_ascii_case(name))
        .map(|a| a.value.into_owned())
}

fn has_class(e: &BytesStart<'_>, class: &str) -> bool {
    attribute(e, "class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

/// The text of an entity or character reference; unknown names stay as
/// written, so nothing silently disappears.
fn entity(r: &BytesRef<'_>) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    let name = r.html_content();
    let text = match name.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "ndash" => "–",
        "mdash" => "—",
        "hellip" => "…",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        "bull" => "•",
        "middot" => "·",
        "sect" => "§",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "euro" => "€",
        "times" => "×",
        other => return format!("&{other};"),
    };
    text.to_string()
}

impl Builder {
    fn start(&mut self, name: String, e: &BytesStart<'_>) {
        // The title lives in the head, which is otherwise not printed.
        if name == "title" || self.skip_depth > 0 || SKIPPED.contains(&name.as_str()) {
            if name == "title" {
                self.in_title = true;
            } else {
                self.skip_depth += 1;
            }
            self.stack.push(Open {
                name,
                ..Open::default()
            });
            return;
        }
        if has_class(e, "page-break") {
            self.flush();
            self.doc.blocks.push(Block::PageBreak);
        }
        let align = if has_class(e, "right") || has_class(e, "num") {
            Some(Align::Right)
        } else if has_class(e, "center") {
            Some(Align::Center)
        } else {
            None
        };
        let open = Open {
            bold: matches!(
                name.as_str(),
                "b" | "strong" | "th" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "dt"
            ),
            italic: matches!(name.as_str(), "i" | "em" | "cite"),
            small: has_class(e, "small") || name == "small",
            align,
            name,
        };
        if BLOCKS.contains(&open.name.as_str()) {
            self.block_boundary();
        }
        match open.name.as_str() {
            "ul" | "ol" => self.lists.push(List {
                ordered: open.name == "ol",
                next: 1,
            }),
            "li" => {
                let marker = match self.lists.last_mut() {
                    Some(l) if l.ordered => {
                        l.next += 1;
                        format!("{}.", l.next - 1)
                    }
                    _ => "•".to_string(),
                };
                self.marker = Some(marker);
            }
            "table" => {
                self.table = Some(Table {
                    rows: Vec::new(),
                    size: TABLE_SIZE,
                })
            }
            "thead" => self.in_thead = true,
            "tr" => {
                self.row_has_td = false;
                if let Some(t) = &mut self.table {
                    t.rows.push(Row {
                        header: self.in_thead,
                        cells: Vec::new(),
                    });
                }
            }
            "td" | "th" => {
                self.row_has_td |= open.name == "td";
                let span = attribute(e, "colspan")
                    .and_then(|s| s.trim().parse::<usize>().ok())
                    .unwrap_or(1)
                    .max(1);
                self.cell = Some(Cell {
                    runs: Vec::new(),
                    align: open.align.unwrap_or_default(),
                    span,
                });
            }
            _ => {}
        }
        self.stack.push(open);
    }

    fn empty(&mut self, name: &str, e: &BytesStart<'_>) {
        if self.skip_depth > 0 {
            return;
        }
        match name {
            "br" => self.push_run("\n".into(), Face::Regular),
            "hr" => {
                self.flush();
                self.doc.blocks.push(Block::Rule);
            }
            _ if has_class(e, "page-break") => {
                self.flush();
                self.doc.blocks.push(Block::PageBreak);
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        // Close up to the matching element (HTML lets some end tags be
        // left out); an end tag with no open element is ignored.
        let Some(pos) = self.stack.iter().rposition(|o| o.name == name) else {
            return;
        };
        while self.stack.len() > pos {
            let top_name = self
                .stack
                .last()
                .map(|o| o.name.clone())
                .unwrap_or_default();
            self.close(&top_name);
        }
    }

    fn close(&mut self, name: &str) {
        if name == "title" {
            self.in_title = false;
            self.stack.pop();
            return;
        }
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            self.stack.pop();
            return;
        }
        if BLOCKS.contains(&name) {
            self.block_boundary();
        }
        match name {
            "ul" | "ol" => {
                self.lists.pop();
            }
            "td" | "th" => {
                let cell = self.cell.take();
                let row = self.table.as_mut().and_then(|t| t.rows.last_mut());
                if let (Some(cell), Some(row)) = (cell, row) {
                    row.cells.push(Cell {
                        runs: trim_runs(cell.runs),
                        ..cell
                    });
                }
            }
            "tr" => {
                // A row of `<th>` cells only heads the table even outside
                // a `<thead>`.
                let only_th = !self.row_has_td;
                if let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut()) {
                    row.header |= only_th && !row.cells.is_empty();
                }
            }
            "thead" => self.in_thead = false,
            "table" => {
                if let Some(mut t) = self.table.take() {
                    t.rows.retain(|r| !r.cells.is_empty());
                    if !t.rows.is_empty() {
                        self.doc.blocks.push(Block::Table(t));
                    }
                }
            }
            _ => {}
        }
        self.stack.pop();
    }

    /// A block element starts or ends: inside a table cell that is a line
    /// break, elsewhere the end of a paragraph.
    fn block_boundary(&mut self) {
        if let Some(cell) = &mut self.cell {
            if cell.runs.last().is_some_and(|r| r.text != "\n") {
                cell.runs.push(Run {
                    text: "\n".into(),
                    face: Face::Regular,
                });
            }
        } else {
            self.flush();
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_title {
            self.doc.title.push_str(&collapse(text));
            return;
        }
        if self.skip_depth > 0 {
            return;
        }
        let face = self.face();
        self.push_run(collapse(text), face);
    }

    fn face(&self) -> Face {
        if self.stack.iter().any(|o| o.bold) {
            Face::Bold
        } else if self.stack.iter().any(|o| o.italic) {
            Face::Italic
        } else {
            Face::Regular
        }
    }

    fn push_run(&mut self, text: String, face: Face) {
        if text.is_empty() {
            return;
        }
        let runs = match &mut self.cell {
            Some(cell) => &mut cell.runs,
            None => &mut self.inline,
        };
        match runs.last_mut() {
            Some(last) if last.face == face && last.text != "\n" && text != "\n" => {
                last.text.push_str(&text)
            }
            _ => runs.push(Run { text, face }),
        }
    }

    /// Ends the paragraph being read, in the style of the innermost block.
    fn flush(&mut self) {
        let runs = trim_runs(std::mem::take(&mut self.inline));
        if runs.is_empty() {
            return;
        }
        let block = self
            .stack
            .iter()
            .rev()
            .find(|o| BLOCKS.contains(&o.name.as_str()))
            .map_or("p", |o| o.name.as_str());
        let (size, before, after, keep) = match block {
            "h1" => (16.0, 10.0, 6.0, true),
            "h2" => (13.0, 10.0, 4.0, true),
            "h3" => (11.0, 8.0, 3.0, true),
            "h4" | "h5" | "h6" => (BODY_SIZE, 6.0, 2.0, true),
            "p" | "blockquote" | "dd" | "figcaption" => (BODY_SIZE, 0.0, 6.0, false),
            "li" => (BODY_SIZE, 0.0, 2.0, false),
            _ => (BODY_SIZE, 0.0, 0.0, false),
        };
        let small = self.stack.iter().any(|o| o.small);
        let align = self
            .stack
            .iter()
            .rev()
            .find_map(|o| o.align)
            .unwrap_or_default();
        let depth = self.lists.len() as f32
            + self.stack.iter().filter(|o| o.name == "blockquote").count() as f32;
        self.doc.blocks.push(Block::Text(TextBlock {
            runs,
            size: if small { SMALL_SIZE.min(size) } else { size },
            align,
            indent: 16.0 * depth,
            marker: self.marker.take(),
            space_before: before,
            space_after: after,
            keep_with_next: keep,
        }));
    }
}

/// Collapses whitespace as HTML does (a non-breaking space is kept).
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// Drops the spaces at the start and end of a paragraph and around forced
/// breaks, and double spaces where runs meet.
fn trim_runs(runs: Vec<Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::with_capacity(runs.len());
    let mut at_line_start = true;
    for mut run in runs {
        if run.text == "\n" {
            if let Some(last) = out.last_mut() {
                last.text.truncate(last.text.trim_end_matches(' ').len());
            }
            out.retain(|r| !r.text.is_empty());
            // A break at the start of a paragraph is a blank line, as in a
            // browser (the space left for a signature).
            out.push(run);
            at_line_start = true;
            continue;
        }
        if at_line_start {
            run.text = run.text.trim_start_matches(' ').to_string();
        }
        if run.text.is_empty() {
            continue;
        }
        if run.text.starts_with(' ') && out.last().is_some_and(|r| r.text.ends_with(' ')) {
            run.text.remove(0);
        }
        at_line_start = false;
        out.push(run);
    }
    while out.last().is_some_and(|r| r.text == "\n") {
        out.pop();
    }
    if let Some(last) = out.last_mut() {
        last.text.truncate(last.text.trim_end_matches(' ').len());
    }
    out.retain(|r| !r.text.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(block: &Block) -> String {
        match block {
            Block::Text(t) => t.runs.iter().map(|r| r.text.as_str()).collect(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn paragraphs_headings_and_inline_faces() {
        let doc = parse(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Appeal  RC1</title>\
             <style>p { color: red }</style></head><body><h1>Re: claim</h1>\
             <p>Paid <strong>$10.00</strong> on\n  02/07/2024.</p><p class=\"right\">x&amp;y&nbsp;z&#x27;</p></body></html>",
        )
        .unwrap();
        assert_eq!(doc.title, "Appeal RC1");
        assert_eq!(doc.blocks.len(), 3);
        assert_eq!(texts(&doc.blocks[0]), "Re: claim");
        assert_eq!(texts(&doc.blocks[1]), "Paid $10.00 on 02/07/2024.");
        let Block::Text(p) = &doc.blocks[1] else {
            panic!()
        };
        assert_eq!(p.runs[1].face, Face::Bold);
        let Block::Text(right) = &doc.blocks[2] else {
            panic!()
        };
        assert_eq!(right.align, Align::Right);
        assert_eq!(texts(&doc.blocks[2]), "x&y\u{a0}z'");
    }

    #[test]
    fn tables_lists_breaks_and_rules() {
        let doc = parse(
            "<ul><li>one</li><li>two<br/>lines</li></ul><hr>\
             <table><thead><tr><th>Code</th><th class=\"num\">Paid</th></tr></thead>\
             <tbody><tr><td>98940</td><td class=\"num\">$1.00</td></tr>\
             <tr><td colspan=\"2\">total</td></tr></tbody></table>\
             <div class=\"page-break\"></div><p>after</p>",
        )
        .unwrap();
        let Block::Text(li) = &doc.blocks[0] else {
            panic!()
        };
        assert_eq!(li.marker.as_deref(), Some("•"));
        assert_eq!(texts(&doc.blocks[1]), "two\nlines");
        assert_eq!(doc.blocks[2], Block::Rule);
        let Block::Table(t) = &doc.blocks[3] else {
            panic!()
        };
        assert!(t.rows[0].header);
        assert!(!t.rows[1].header);
        assert_eq!(t.rows[1].cells[1].align, Align::Right);
        assert_eq!(t.rows[2].cells[0].span, 2);
        assert_eq!(doc.blocks[4], Block::PageBreak);
        assert_eq!(texts(&doc.blocks[5]), "after");
    }

    #[test]
    fn broken_markup_names_a_position_not_the_text() {
        let err = parse("<p>Jane Doe <b attr=\"x></p>").unwrap_err();
        assert!(!err.to_string().contains("Jane"), "{err}");
    }
}

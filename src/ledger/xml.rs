//! XML ledger writer (quick-xml): `<root>` with one `<entry>` per row and
//! one child element per column; absent values are empty elements.
//!
//! Every document is well-formed XML 1.0 whatever the input held. Text is
//! escaped (`&`, `<`, `>`), a carriage return is written as `&#13;` (a
//! parser would otherwise turn it into a line feed), and the characters
//! XML 1.0 forbids even as references — the C0 controls other than tab,
//! line feed and carriage return, and U+FFFE/U+FFFF — are replaced by
//! U+FFFD, the replacement character. An X12 element holding such a byte
//! is invalid anyway; the replacement shows where it was.

use std::borrow::Cow;
use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{Column, Sink};

/// Writes rows as an XML document.
pub struct XmlSink<'w, R: 'static> {
    writer: Writer<Box<dyn Write + 'w>>,
    root: String,
    entry: String,
    columns: &'static [Column<R>],
    /// One cell's text, reused for every cell.
    text: String,
}

impl<'w, R> XmlSink<'w, R> {
    /// An XML writer on `out` with the given root and entry element names.
    pub fn new(out: Box<dyn Write + 'w>, root: &str, entry: &str) -> Self {
        XmlSink {
            writer: Writer::new_with_indent(out, b' ', 2),
            root: root.to_string(),
            entry: entry.to_string(),
            columns: &[],
            text: String::new(),
        }
    }
}

/// True for the characters XML 1.0 allows in a document (`Char`).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` escaped as XML 1.0 character data (see the module comment).
pub fn escape_text(text: &str) -> Cow<'_, str> {
    let plain = |c: char| allowed(c) && !matches!(c, '&' | '<' | '>' | '\r');
    if text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\r' => escaped.push_str("&#13;"),
            c if allowed(c) => escaped.push(c),
            _ => escaped.push(char::REPLACEMENT_CHARACTER),
        }
    }
    Cow::Owned(escaped)
}

impl<R> Sink<R> for XmlSink<'_, R> {
    fn begin(&mut self, columns: &'static [Column<R>]) -> std::io::Result<()> {
        self.columns = columns;
        let w = &mut self.writer;
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.write_event(Event::Start(BytesStart::new(self.root.as_str())))
    }

    fn row(&mut self, row: &R) -> std::io::Result<()> {
        let w = &mut self.writer;
        w.write_event(Event::Start(BytesStart::new(self.entry.as_str())))?;
        for column in self.columns {
            let (name, text) = (column.name, &mut self.text);
            text.clear();
            column.read(row).render_into(text);
            if text.is_empty() {
                w.write_event(Event::Empty(BytesStart::new(name)))?;
                continue;
            }
            w.write_event(Event::Start(BytesStart::new(name)))?;
            w.write_event(Event::Text(BytesText::from_escaped(escape_text(text))))?;
            w.write_event(Event::End(BytesEnd::new(name)))?;
        }
        w.write_event(Event::End(BytesEnd::new(self.entry.as_str())))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.get_mut().flush()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        let w = &mut self.writer;
        w.write_event(Event::End(BytesEnd::new(self.root.as_str())))?;
        w.get_mut().write_all(b"\n")?;
        w.get_mut().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_replaced_and_markup_escaped() {
        assert_eq!(escape_text("DOE, JANE"), "DOE, JANE");
        assert!(matches!(escape_text("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_text("A&B <x>"), "A&amp;B &lt;x&gt;");
        assert_eq!(escape_text("a\u{1}b\u{1b}c"), "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(escape_text("tab\tlf\ncr\r"), "tab\tlf\ncr&#13;");
        assert_eq!(
            escape_text("\u{FFFE}\u{FFFF}\u{7F}é"),
            "\u{FFFD}\u{FFFD}\u{7F}é"
        );
    }

    #[test]
    fn a_row_with_control_characters_makes_a_well_formed_document() {
        struct Row;
        static COLUMNS: &[Column<Row>] = &[Column::new(
            "member_name",
            super::super::ColumnType::Text,
            |_| super::super::Cell::Text("SMITH\u{0}\u{8}\u{C}&\r\n<JOHN>"),
        )];
        let mut bytes = Vec::new();
        {
            let mut sink = XmlSink::new(Box::new(&mut bytes), "ledger", "entry");
            sink.begin(COLUMNS).unwrap();
            sink.row(&Row).unwrap();
            sink.finish().unwrap();
        }
        let text = String::from_utf8(bytes).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let name = doc
            .descendants()
            .find(|n| n.has_tag_name("member_name"))
            .unwrap();
        assert_eq!(
            name.text(),
            Some("SMITH\u{FFFD}\u{FFFD}\u{FFFD}&\r\n<JOHN>")
        );
    }
}

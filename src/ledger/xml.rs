//! XML ledger writer (quick-xml): `<root>` with one `<entry>` per row and
//! one child element per column; absent values are empty elements.

use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{Record, Sink};

/// Writes rows as an XML document.
pub struct XmlSink<'w> {
    writer: Writer<Box<dyn Write + 'w>>,
    root: String,
    entry: String,
    columns: Vec<String>,
}

impl<'w> XmlSink<'w> {
    /// An XML writer on `out` with the given root and entry element names.
    pub fn new(out: Box<dyn Write + 'w>, root: &str, entry: &str) -> Self {
        XmlSink {
            writer: Writer::new_with_indent(out, b' ', 2),
            root: root.to_string(),
            entry: entry.to_string(),
            columns: Vec::new(),
        }
    }
}

impl Sink for XmlSink<'_> {
    fn begin(&mut self, columns: &[&str]) -> std::io::Result<()> {
        self.columns = columns.iter().map(|c| c.to_string()).collect();
        let w = &mut self.writer;
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.write_event(Event::Start(BytesStart::new(self.root.as_str())))
    }

    fn row(&mut self, row: &dyn Record) -> std::io::Result<()> {
        let w = &mut self.writer;
        w.write_event(Event::Start(BytesStart::new(self.entry.as_str())))?;
        for (i, name) in self.columns.iter().enumerate() {
            let text = row.cell(i).render();
            if text.is_empty() {
                w.write_event(Event::Empty(BytesStart::new(name.as_str())))?;
                continue;
            }
            w.write_event(Event::Start(BytesStart::new(name.as_str())))?;
            w.write_event(Event::Text(BytesText::new(&text)))?;
            w.write_event(Event::End(BytesEnd::new(name.as_str())))?;
        }
        w.write_event(Event::End(BytesEnd::new(self.entry.as_str())))
    }

    fn finish(&mut self) -> std::io::Result<()> {
        let w = &mut self.writer;
        w.write_event(Event::End(BytesEnd::new(self.root.as_str())))?;
        w.get_mut().write_all(b"\n")?;
        w.get_mut().flush()
    }
}

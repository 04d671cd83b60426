//! HTML to PDF without a browser: the rendered letter or remittance is read
//! into blocks ([`html`]), set on pages ([`layout`]) in Helvetica (a
//! standard PDF font every reader has, so no font file is shipped or
//! embedded, [`fonts`]), and written with `pdf-writer`. Each page carries
//! "Page N of M" and the document's title at its foot.
//!
//! The output is deterministic (no creation date, no random ids): the same
//! HTML gives the same bytes. Text is WinAnsi-encoded, so any PDF reader
//! and `pdftotext` extract it as written.

pub mod fonts;
pub mod html;
pub mod layout;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use fonts::Face;
pub use html::MarkupError;
pub use layout::PageSize;
use layout::{Op, Page};

const FACES: [Face; 3] = [Face::Regular, Face::Bold, Face::Italic];

/// Lays out `html` on pages of `size` and writes the PDF.
pub fn render(html: &str, size: PageSize) -> Result<Vec<u8>, MarkupError> {
    let doc = html::parse(html)?;
    let pages = layout::layout(&doc, size);
    Ok(write(&pages, &doc.title, size))
}

fn write(pages: &[Page], title: &str, size: PageSize) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let font_ids: Vec<Ref> = (0..FACES.len() as i32).map(|i| Ref::new(4 + i)).collect();
    let first_page = 4 + FACES.len() as i32;
    let page_ids: Vec<Ref> = (0..pages.len() as i32)
        .map(|i| Ref::new(first_page + 2 * i))
        .collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    if !title.is_empty() {
        pdf.document_info(info)
            .title(TextStr(title))
            .producer(TextStr("remit"));
    } else {
        pdf.document_info(info).producer(TextStr("remit"));
    }
    for (face, id) in FACES.iter().zip(&font_ids) {
        pdf.type1_font(*id)
            .base_font(Name(face.base_font().as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (n, (page, id)) in pages.iter().zip(&page_ids).enumerate() {
        let content_id = Ref::new(id.get() + 1);
        let mut p = pdf.page(*id);
        p.parent(tree)
            .media_box(Rect::new(0.0, 0.0, size.width, size.height))
            .contents(content_id);
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        for (face, fid) in FACES.iter().zip(&font_ids) {
            fonts.pair(Name(face.resource().as_bytes()), *fid);
        }
        fonts.finish();
        resources.finish();
        p.finish();
        let stream = content(page, n + 1, pages.len(), title, size);
        pdf.stream(content_id, &stream);
    }
    pdf.finish()
}

fn content(page: &Page, number: usize, count: usize, title: &str, size: PageSize) -> Vec<u8> {
    let mut c = Content::new();
    for op in page {
        draw(&mut c, op);
    }
    // The foot of the page: the title (when it fits) and the page number.
    let foot = size.margin / 2.0;
    let label = format!("Page {number} of {count}");
    let label_w = Face::Regular.width(&label, 8.0);
    draw(
        &mut c,
        &Op::Text {
            x: size.width - size.margin - label_w,
            y: foot,
            face: Face::Regular,
            size: 8.0,
            text: label,
        },
    );
    if !title.is_empty() && Face::Regular.width(title, 8.0) < (size.width - 2.0 * size.margin) * 0.7
    {
        draw(
            &mut c,
            &Op::Text {
                x: size.margin,
                y: foot,
                face: Face::Regular,
                size: 8.0,
                text: title.to_string(),
            },
        );
    }
    c.finish().to_vec()
}

fn draw(c: &mut Content, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            face,
            size,
            text,
        } => {
            let bytes = fonts::encode(text);
            c.begin_text()
                .set_font(Name(face.resource().as_bytes()), *size)
                .next_line(*x, *y)
                .show(Str(&bytes))
                .end_text();
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            gray,
        } => {
            c.save_state()
                .set_line_width(*width)
                .set_stroke_gray(*gray)
                .move_to(*x1, *y1)
                .line_to(*x2, *y2)
                .stroke()
                .restore_state();
        }
        Op::Fill { x, y, w, h, gray } => {
            c.save_state()
                .set_fill_gray(*gray)
                .rect(*x, *y, *w, *h)
                .fill_nonzero()
                .restore_state();
        }
    }
}

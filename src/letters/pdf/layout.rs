//! Sets a [`Document`] on pages: breaks text into lines that fit (by the
//! fonts' real widths), sizes table columns to their content, moves to a
//! new page when the next line or table row does not fit, and repeats a
//! table's heading rows at the top of each page it continues on. The result
//! is a list of drawing operations per page, in points from the bottom
//! left, as PDF counts them.

use super::fonts::Face;
use super::html::{Align, Block, Cell, Document, Row, Run, Table, TextBlock};

/// A page size and its margins, in points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageSize {
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// Margin on every side.
    pub margin: f32,
}

impl PageSize {
    /// US Letter, 8.5 × 11 in, ¾ in margins.
    pub const LETTER: PageSize = PageSize {
        width: 612.0,
        height: 792.0,
        margin: 54.0,
    };
    /// ISO A4, 210 × 297 mm, 19 mm margins.
    pub const A4: PageSize = PageSize {
        width: 595.28,
        height: 841.89,
        margin: 54.0,
    };

    fn text_width(&self) -> f32 {
        self.width - 2.0 * self.margin
    }

    /// The lowest baseline body text may use: the footer sits below it.
    fn bottom(&self) -> f32 {
        self.margin
    }
}

/// One drawing operation.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Text with its baseline starting at (x, y).
    Text {
        /// Left of the first glyph.
        x: f32,
        /// Baseline.
        y: f32,
        /// Face.
        face: Face,
        /// Size in points.
        size: f32,
        /// The text.
        text: String,
    },
    /// A straight line.
    Line {
        /// Start x.
        x1: f32,
        /// Start y.
        y1: f32,
        /// End x.
        x2: f32,
        /// End y.
        y2: f32,
        /// Width in points.
        width: f32,
        /// Grey level, 0 black to 1 white.
        gray: f32,
    },
    /// A filled rectangle.
    Fill {
        /// Left.
        x: f32,
        /// Bottom.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Grey level.
        gray: f32,
    },
}

/// One laid-out page.
pub type Page = Vec<Op>;

/// Space between a cell's text and its edges.
const PAD_X: f32 = 4.0;
const PAD_Y: f32 = 2.5;

/// A piece of one line of text: a word or part of one, in one face.
#[derive(Clone, Debug, PartialEq)]
struct Piece {
    text: String,
    face: Face,
    /// Offset from the line's left.
    x: f32,
}

/// A line of set text.
#[derive(Clone, Debug, Default, PartialEq)]
struct Line {
    pieces: Vec<Piece>,
    width: f32,
}

/// Breaks `runs` into lines at most `width` wide at `size` points. Lines
/// break at spaces (a non-breaking space holds), or inside a word longer
/// than the line.
fn break_lines(runs: &[Run], size: f32, width: f32) -> Vec<Line> {
    let mut lines = vec![Line::default()];
    // The word being gathered: pieces in possibly several faces.
    let mut word: Vec<(String, Face)> = Vec::new();
    let mut pending_space: Option<Face> = None;
    for run in runs {
        if run.text == "\n" {
            place_word(&mut lines, &mut word, pending_space.take(), size, width);
            lines.push(Line::default());
            continue;
        }
        for (i, part) in run.text.split(' ').enumerate() {
            if i > 0 {
                place_word(&mut lines, &mut word, pending_space.take(), size, width);
                pending_space = Some(run.face);
            }
            if !part.is_empty() {
                word.push((part.to_string(), run.face));
            }
        }
    }
    place_word(&mut lines, &mut word, pending_space, size, width);
    lines
}

fn word_width(word: &[(String, Face)], size: f32) -> f32 {
    word.iter().map(|(t, f)| f.width(t, size)).sum()
}

/// Puts the gathered word on the current line, or on a new one when it
/// does not fit; a word wider than a whole line is split by characters.
fn place_word(
    lines: &mut Vec<Line>,
    word: &mut Vec<(String, Face)>,
    space: Option<Face>,
    size: f32,
    width: f32,
) {
    if word.is_empty() {
        return;
    }
    let w = word_width(word, size);
    let line = lines.last_mut().expect("there is always a line");
    let space_w = match (space, line.pieces.is_empty()) {
        (Some(face), false) => face.width(" ", size),
        _ => 0.0,
    };
    if !line.pieces.is_empty() && line.width + space_w + w > width {
        lines.push(Line::default());
        return place_word(lines, word, None, size, width);
    }
    if line.pieces.is_empty() && w > width {
        split_long_word(lines, std::mem::take(word), size, width);
        return;
    }
    let mut x = line.width + space_w;
    for (text, face) in word.drain(..) {
        let pw = face.width(&text, size);
        line.pieces.push(Piece { text, face, x });
        x += pw;
    }
    line.width = x;
}

fn split_long_word(lines: &mut Vec<Line>, word: Vec<(String, Face)>, size: f32, width: f32) {
    for (text, face) in word {
        for c in text.chars() {
            let cw = face.width(c.encode_utf8(&mut [0; 4]), size);
            let line = lines.last_mut().expect("there is always a line");
            if line.width + cw > width && !line.pieces.is_empty() {
                lines.push(Line::default());
            }
            let line = lines.last_mut().expect("there is always a line");
            match line.pieces.last_mut() {
                Some(p) if p.face == face => p.text.push(c),
                _ => line.pieces.push(Piece {
                    text: c.to_string(),
                    face,
                    x: line.width,
                }),
            }
            line.width += cw;
        }
    }
}

fn line_height(size: f32) -> f32 {
    size * 1.3
}

/// The pages being filled.
struct Pager {
    size: PageSize,
    pages: Vec<Page>,
    /// The current baseline position: the top of the next line.
    y: f32,
}

impl Pager {
    fn new(size: PageSize) -> Self {
        Pager {
            size,
            pages: vec![Vec::new()],
            y: size.height - size.margin,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.size.height - self.size.margin;
    }

    fn at_top(&self) -> bool {
        self.y >= self.size.height - self.size.margin
    }

    /// Makes room for `height` points, on a new page if need be.
    fn room(&mut self, height: f32) {
        if self.y - height < self.size.bottom() && !self.at_top() {
            self.new_page();
        }
    }

    fn op(&mut self, op: Op) {
        self.pages
            .last_mut()
            .expect("there is always a page")
            .push(op);
    }

    fn text_line(&mut self, line: &Line, left: f32, width: f32, align: Align, size: f32) {
        let offset = match align {
            Align::Left => 0.0,
            Align::Center => (width - line.width) / 2.0,
            Align::Right => width - line.width,
        };
        let baseline = self.y - size;
        for p in &line.pieces {
            self.op(Op::Text {
                x: left + offset + p.x,
                y: baseline,
                face: p.face,
                size,
                text: p.text.clone(),
            });
        }
    }
}

/// Lays `doc` out on pages of `size`.
pub fn layout(doc: &Document, size: PageSize) -> Vec<Page> {
    let mut pager = Pager::new(size);
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Text(t) => {
                // A heading moves to the next page with the first lines of
                // what follows it.
                let next = if t.keep_with_next {
                    doc.blocks.get(i + 1).map_or(0.0, first_line_height)
                } else {
                    0.0
                };
                text_block(&mut pager, t, next);
            }
            Block::Table(t) => table(&mut pager, t),
            Block::Rule => {
                pager.room(8.0);
                let y = pager.y - 4.0;
                pager.op(Op::Line {
                    x1: size.margin,
                    y1: y,
                    x2: size.width - size.margin,
                    y2: y,
                    width: 0.75,
                    gray: 0.4,
                });
                pager.y -= 8.0;
            }
            Block::PageBreak => {
                if !pager.at_top() {
                    pager.new_page();
                }
            }
        }
    }
    pager.pages
}

fn first_line_height(block: &Block) -> f32 {
    match block {
        Block::Text(t) => t.space_before + line_height(t.size),
        Block::Table(t) => 2.0 * (line_height(t.size) + 2.0 * PAD_Y),
        Block::Rule | Block::PageBreak => 0.0,
    }
}

fn text_block(pager: &mut Pager, t: &TextBlock, keep: f32) {
    let left = pager.size.margin + t.indent;
    let width = pager.size.text_width() - t.indent;
    let lines = break_lines(&t.runs, t.size, width);
    let lh = line_height(t.size);
    if !pager.at_top() {
        pager.y -= t.space_before;
    }
    pager.room(lh + keep);
    for (n, line) in lines.iter().enumerate() {
        pager.room(lh);
        if let Some(marker) = t.marker.as_ref().filter(|_| n == 0) {
            let mw = Face::Regular.width(marker, t.size);
            pager.op(Op::Text {
                x: left - mw - 4.0,
                y: pager.y - t.size,
                face: Face::Regular,
                size: t.size,
                text: marker.clone(),
            });
        }
        pager.text_line(line, left, width, t.align, t.size);
        pager.y -= lh;
    }
    pager.y -= t.space_after;
}

/// The natural (one line per forced break) and least (longest word)
/// widths of a cell's text.
fn cell_widths(cell: &Cell, size: f32) -> (f32, f32) {
    let mut natural: f32 = 0.0;
    let mut current = 0.0;
    let mut least: f32 = 0.0;
    for run in &cell.runs {
        if run.text == "\n" {
            natural = natural.max(current);
            current = 0.0;
            continue;
        }
        current += run.face.width(&run.text, size);
        for word in run.text.split(' ') {
            least = least.max(run.face.width(word, size));
        }
    }
    (natural.max(current) + 2.0 * PAD_X, least + 2.0 * PAD_X)
}

/// Column widths that fill the text width: natural widths when they fit
/// (stretched), else each column's least width plus a share of the rest in
/// proportion to how much more it would like.
fn column_widths(t: &Table, size: f32, total: f32) -> Vec<f32> {
    let columns = t
        .rows
        .iter()
        .map(|r| r.cells.iter().map(|c| c.span).sum::<usize>())
        .max()
        .unwrap_or(0);
    let mut natural = vec![2.0 * PAD_X; columns];
    let mut least = vec![2.0 * PAD_X; columns];
    for row in &t.rows {
        let mut col = 0;
        for cell in &row.cells {
            // A spanning cell takes what its columns get.
            if cell.span == 1 {
                let (n, l) = cell_widths(cell, size);
                natural[col] = natural[col].max(n);
                least[col] = least[col].max(l);
            }
            col += cell.span;
        }
    }
    let sum_natural: f32 = natural.iter().sum();
    let sum_least: f32 = least.iter().sum();
    if sum_natural <= total {
        return natural.iter().map(|n| n * total / sum_natural).collect();
    }
    if sum_least >= total {
        return least.iter().map(|l| l * total / sum_least).collect();
    }
    let spare = total - sum_least;
    let wanted = sum_natural - sum_least;
    natural
        .iter()
        .zip(&least)
        .map(|(n, l)| l + (n - l) * spare / wanted)
        .collect()
}

/// A row with its cells' lines, ready to draw.
struct SetRow<'t> {
    row: &'t Row,
    cells: Vec<(f32, f32, Vec<Line>)>,
    height: f32,
}

fn set_row<'t>(row: &'t Row, widths: &[f32], left: f32, size: f32) -> SetRow<'t> {
    let mut x = left;
    let mut col = 0;
    let mut cells = Vec::new();
    let mut lines_max = 1;
    for cell in &row.cells {
        let end = (col + cell.span).min(widths.len());
        let w: f32 = widths[col.min(widths.len())..end].iter().sum();
        let lines = break_lines(&cell.runs, size, (w - 2.0 * PAD_X).max(1.0));
        lines_max = lines_max.max(lines.len());
        cells.push((x, w, lines));
        x += w;
        col = end;
    }
    SetRow {
        row,
        cells,
        height: lines_max as f32 * line_height(size) + 2.0 * PAD_Y,
    }
}

fn table(pager: &mut Pager, t: &Table) {
    let left = pager.size.margin;
    let total = pager.size.text_width();
    let widths = column_widths(t, t.size, total);
    let rows: Vec<SetRow<'_>> = t
        .rows
        .iter()
        .map(|r| set_row(r, &widths, left, t.size))
        .collect();
    let headers: Vec<&SetRow<'_>> = rows.iter().take_while(|r| r.row.header).collect();
    let header_height: f32 = headers.iter().map(|r| r.height).sum();
    pager.y -= 4.0;
    // The heading and the first row start together.
    let first = rows.get(headers.len()).map_or(0.0, |r| r.height);
    pager.room(header_height + first);
    for (i, row) in rows.iter().enumerate() {
        if row.row.header && i < headers.len() {
            draw_row(pager, row, t.size, left, total);
            continue;
        }
        if pager.y - row.height < pager.size.bottom() && !pager.at_top() {
            pager.new_page();
            for h in &headers {
                draw_row(pager, h, t.size, left, total);
            }
        }
        draw_row(pager, row, t.size, left, total);
    }
    pager.y -= 6.0;
}

fn draw_row(pager: &mut Pager, row: &SetRow<'_>, size: f32, left: f32, total: f32) {
    let lh = line_height(size);
    if row.row.header {
        pager.op(Op::Fill {
            x: left,
            y: pager.y - row.height,
            w: total,
            h: row.height,
            gray: 0.9,
        });
    }
    let top = pager.y;
    for (cell, (x, w, lines)) in row.row.cells.iter().zip(&row.cells) {
        pager.y = top - PAD_Y;
        for line in lines {
            // A row taller than a page continues on the next one.
            if pager.y - lh < pager.size.bottom() && !pager.at_top() {
                break;
            }
            pager.text_line(line, x + PAD_X, w - 2.0 * PAD_X, cell.align, size);
            pager.y -= lh;
        }
    }
    pager.y = top - row.height;
    pager.op(Op::Line {
        x1: left,
        y1: pager.y,
        x2: left + total,
        y2: pager.y,
        width: if row.row.header { 0.75 } else { 0.25 },
        gray: if row.row.header { 0.2 } else { 0.6 },
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::letters::pdf::html::parse;

    fn words(n: usize) -> String {
        (0..n)
            .map(|i| format!("word{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn texts(page: &Page) -> Vec<&str> {
        page.iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn lines_wrap_within_the_width_and_keep_every_word() {
        let runs = vec![Run {
            text: words(60),
            face: Face::Regular,
        }];
        let lines = break_lines(&runs, 10.0, 200.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| l.width <= 200.0));
        let joined: Vec<String> = lines
            .iter()
            .flat_map(|l| l.pieces.iter().map(|p| p.text.clone()))
            .collect();
        assert_eq!(joined.join(" "), words(60));
    }

    #[test]
    fn a_word_longer_than_the_line_is_split_not_lost() {
        let runs = vec![Run {
            text: "x".repeat(100),
            face: Face::Bold,
        }];
        let lines = break_lines(&runs, 10.0, 50.0);
        assert!(lines.len() >= 2);
        let total: usize = lines
            .iter()
            .flat_map(|l| &l.pieces)
            .map(|p| p.text.len())
            .sum();
        assert_eq!(total, 100);
    }

    #[test]
    fn long_text_breaks_pages_and_tables_repeat_their_heading() {
        let mut html = String::from("<table><thead><tr><th>Head</th><th>Amount</th></tr></thead>");
        for i in 0..120 {
            html.push_str(&format!(
                "<tr><td>row {i}</td><td class=\"num\">$1.00</td></tr>"
            ));
        }
        html.push_str("</table>");
        let pages = layout(&parse(&html).unwrap(), PageSize::LETTER);
        assert!(pages.len() >= 2, "{} pages", pages.len());
        for page in &pages {
            assert_eq!(
                texts(page)[0],
                "Head",
                "each page opens with the heading row"
            );
            for op in page {
                if let Op::Text { y, .. } = op {
                    assert!(*y >= PageSize::LETTER.margin - 1.0 && *y < 792.0);
                }
            }
        }
        let rows: usize = pages
            .iter()
            .map(|p| texts(p).iter().filter(|t| t.starts_with("row")).count())
            .sum();
        assert_eq!(rows, 120, "every row printed once");
    }

    #[test]
    fn right_aligned_cells_end_at_the_column_edge() {
        let doc = parse("<table><tr><td>a</td><td class=\"num\">$12.50</td></tr></table>").unwrap();
        let pages = layout(&doc, PageSize::A4);
        let (x, text) = pages[0]
            .iter()
            .find_map(|op| match op {
                Op::Text { x, text, .. } if text == "$12.50" => Some((*x, text.clone())),
                _ => None,
            })
            .unwrap();
        let end = x + Face::Regular.width(&text, 9.0);
        let right = PageSize::A4.width - PageSize::A4.margin - PAD_X;
        assert!((end - right).abs() < 0.01, "{end} vs {right}");
    }
}

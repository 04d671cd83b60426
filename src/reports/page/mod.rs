//! The report page (`remit report`): what billing staff and practice owners
//! look at instead of a CSV. [`ReportBuilder`] turns decided ledger rows,
//! the open appeal items and the inputs' findings into a [`ReportData`] —
//! headline figures, chart series and capped tables — in one pass whose
//! memory is bounded by the table cap, not by the number of rows;
//! [`html::write_page`] writes it as one self-contained HTML file with
//! inline SVG charts.
//!
//! Knows ledger rows and findings, not X12, files or terminals. Member
//! names and ids are masked here, before anything reaches the page, unless
//! the caller asks to show them.

mod aging;
mod charts;
mod figures;
pub mod html;
mod markup;
pub mod mask;
mod svg;
mod tables;

use jiff::civil::Date;

pub use charts::{Charts, PaidVsBilled};
pub use figures::{Figure, Headline};
pub use mask::Privacy;
pub use tables::{Column, ColumnKind, FileFinding, FileFindings, Table};

use crate::codes::CodeList;
use crate::contract::ScorecardRow;
use crate::line::DecidedLine;
use crate::reports::appeals::AppealItem;

/// Rows a table carries by default; the rest are counted and named.
pub const DEFAULT_TABLE_ROWS: usize = 2_000;

/// Days before an appeal deadline when its money counts as at risk.
pub const DEFAULT_DEADLINE_DAYS: i64 = 30;

/// How the report is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The as-of date of the reconciliation.
    pub as_of: Date,
    /// Appeal deadlines within this many days count as at risk.
    pub deadline_days: i64,
    /// Masked or shown member names and ids.
    pub privacy: Privacy,
    /// Most rows any table carries.
    pub table_rows: usize,
}

impl Options {
    /// Default settings as of `as_of`.
    pub fn new(as_of: Date) -> Self {
        Options {
            as_of,
            deadline_days: DEFAULT_DEADLINE_DAYS,
            privacy: Privacy::Masked,
            table_rows: DEFAULT_TABLE_ROWS,
        }
    }
}

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportData {
    /// The settings it was built with.
    pub options: Options,
    /// Headline figures, in page order.
    pub figures: Vec<Figure>,
    /// Chart series.
    pub charts: Charts,
    /// Tables, in page order.
    pub tables: Vec<Table>,
    /// Ledger rows read.
    pub rows: u64,
    /// Open appeal items.
    pub open_appeals: u64,
    /// Input files read.
    pub files: usize,
}

impl ReportData {
    /// The headline figure with this id.
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }

    /// The table with this id.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// Builds a [`ReportData`] one row at a time.
pub struct ReportBuilder<'c> {
    options: Options,
    codes: &'c CodeList,
    headline: Headline,
    charts: charts::ChartBuilder,
    tables: tables::TableBuilder,
    scorecard: Option<Table>,
    rows: u64,
    open_appeals: u64,
    files: usize,
    /// Sections made whole elsewhere (the A/R aging).
    extra: Vec<Table>,
}

impl<'c> ReportBuilder<'c> {
    /// A builder with these settings; `codes` describes reason codes.
    pub fn new(options: Options, codes: &'c CodeList) -> Self {
        ReportBuilder {
            tables: tables::TableBuilder::new(options.table_rows, options.privacy),
            options,
            codes,
            headline: Headline::default(),
            charts: charts::ChartBuilder::default(),
            scorecard: None,
            rows: 0,
            open_appeals: 0,
            files: 0,
            extra: Vec::new(),
        }
    }

    /// Adds one ledger row (NO_REMITTANCE rows included).
    pub fn add_row(&mut self, row: &DecidedLine) {
        self.rows += 1;
        self.headline.add_row(row);
        self.charts.add_row(row, self.codes);
        self.tables.add_row(row);
    }

    /// Adds one open item of the appeal worklist.
    pub fn add_appeal(&mut self, item: &AppealItem) {
        self.open_appeals += 1;
        self.headline.add_appeal(item, self.options.deadline_days);
        self.tables.add_appeal(item);
    }

    /// Adds the inputs' findings (rejected files, imbalances).
    pub fn add_findings(&mut self, findings: &FileFindings) {
        self.files += findings.files;
        self.tables.add_findings(findings);
    }

    /// Adds the payer scorecard (see [`crate::reports::contracts`]): a
    /// table after the line worklists.
    pub fn add_scorecard(&mut self, rows: &[ScorecardRow]) {
        self.scorecard = Some(tables::scorecard_table(rows, self.options.table_rows));
    }

    /// Adds the A/R aging of the unanswered claims.
    pub fn add_aging(&mut self, tables: &[crate::lifecycle::AgingTable]) {
        self.extra.push(aging::aging_table(tables));
    }

    /// The finished report.
    pub fn finish(self) -> ReportData {
        let mut tables = self.tables.finish();
        if let Some(card) = self.scorecard {
            // After the line tables, before the file findings.
            let at = tables
                .iter()
                .position(|t| t.id == "unbalanced")
                .unwrap_or(tables.len());
            tables.insert(at, card);
        }
        tables.extend(self.extra);
        ReportData {
            figures: self.headline.figures(self.options.deadline_days),
            charts: self.charts.finish(self.codes),
            tables,
            rows: self.rows,
            open_appeals: self.open_appeals,
            files: self.files,
            options: self.options,
        }
    }
}

#[cfg(test)]
mod tests;

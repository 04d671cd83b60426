//! The report's A/R aging section: unanswered money by payer in 0–30 …
//! 120+ day buckets, from the date of service and from submission, one
//! row per payer and basis plus a total per basis (`remit aging` writes
//! the same table).

use super::tables::{Column, ColumnKind, Table};
use crate::lifecycle::{AgingBasis, AgingTable};
use crate::money::money;

const fn column(name: &'static str, kind: ColumnKind) -> Column {
    Column { name, kind }
}

const COLUMNS: &[Column] = &[
    column("Counted from", ColumnKind::Text),
    column("Payer", ColumnKind::Text),
    column("0–30", ColumnKind::Number),
    column("31–60", ColumnKind::Number),
    column("61–90", ColumnKind::Number),
    column("91–120", ColumnKind::Number),
    column("120+", ColumnKind::Number),
    column("No date", ColumnKind::Number),
    column("Total", ColumnKind::Number),
    column("Claims", ColumnKind::Number),
];

/// The aging section of `tables` (no cap: one row per payer and basis).
pub fn aging_table(tables: &[AgingTable]) -> Table {
    let mut rows = Vec::new();
    for t in tables {
        let basis = match t.basis {
            AgingBasis::DateOfService => "date of service",
            AgingBasis::Submission => "submission",
        };
        for r in t.rows.iter().chain(std::iter::once(&t.total)) {
            let mut cells = vec![basis.to_string(), r.payer.to_string()];
            cells.extend(r.buckets.iter().map(|m| money(*m)));
            cells.push(money(r.no_date));
            cells.push(money(r.total));
            cells.push(r.items.to_string());
            rows.push(cells);
        }
    }
    Table {
        id: "aging",
        title: "A/R aging of unanswered claims",
        description: "Money billed that no remittance answered, by payer, in day buckets counted from the date of service and from submission (837 BHT04); each basis ends with its TOTAL, equal to the unanswered total.",
        columns: COLUMNS.to_vec(),
        total: rows.len() as u64,
        rows,
        get_all: "remit aging PATH... --as-of DATE --out aging.csv",
    }
}

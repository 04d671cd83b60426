//! `remit posting`: read what the practice posted (a CSV export), reconcile
//! the 835s and 837s, compare the ledger with the postings line by line,
//! and write one row per line with its findings, then totals per payer and
//! month of payment (tied to the bank deposits when `--bank` is given).

use super::args::{PostedColumnArgs, PostingArgs};
use super::bank::{read_bank_files, received_by_payer_month};
use super::inputs::read_option_file;
use super::output::Output;
use super::runner::{Prepared, report_rows};
use super::settings;
use super::{EXIT_OK, Stop};
use crate::ledger::sink;
use crate::line::figures;
use crate::money::money;
use crate::reports::deposits::MatchSettings;
use crate::reports::posting::{
    COLUMNS, LineComparison, PostedColumns, Posting, PostingRow, books, compare, finding_counts,
    month_totals, open_lines, read_postings, total_rows,
};

fn columns(args: &PostedColumnArgs) -> PostedColumns {
    PostedColumns {
        claim: args.posted_claim_column.clone(),
        service_date: args.posted_service_date_column.clone(),
        procedure: args.posted_procedure_column.clone(),
        payer: args.posted_payer_column.clone(),
        amount: args.posted_amount_column.clone(),
        adjustment: args.posted_adjustment_column.clone(),
        posting_date: args.posted_date_column.clone(),
    }
}

/// The postings. An unreadable file is a usage error; a file with rows
/// that cannot be read stops the run with status 1 after every such row is
/// reported: nothing is compared, nothing written.
fn read_posted(args: &PostingArgs) -> anyhow::Result<Vec<Posting>> {
    let source = args.posted.display().to_string();
    let text = read_option_file("--posted", &args.posted)?;
    match read_postings(&String::from_utf8_lossy(&text), &columns(&args.columns)) {
        Ok(postings) => Ok(postings),
        Err(problems) => {
            for problem in &problems {
                eprintln!("{source}: {problem}");
            }
            let message = format!("{source}: rejected; nothing is compared, nothing written");
            Err(Stop::new(super::EXIT_INPUT, message).into())
        }
    }
}

pub fn run(args: &PostingArgs) -> anyhow::Result<u8> {
    let config = settings::config(
        args.input.as_of,
        Some(&args.fees),
        Some(&args.appeals),
        None,
        Some(&args.codes),
    )?;
    let as_of = config.as_of();
    let postings = read_posted(args)?;
    let posting_count = postings.len();
    let bank = if args.bank.is_empty() {
        None
    } else {
        let bank = read_bank_files(&args.bank, &args.bank_options, as_of)?;
        bank.require_usable()?;
        Some(bank)
    };
    let prepared = Prepared::new(&args.input, config)?;
    let mut out = Output::create(&args.output.out)?;
    let (rows, tally) = report_rows(&args.input, &prepared)?;
    tally.require_usable(&args.output.out)?;
    let books = books(&rows);
    let lines = compare(&books, postings, &open_lines(&rows, as_of));
    let bank_exit = bank.as_ref().map_or(EXIT_OK, |b| b.exit_code());
    let received = bank.map(|bank| {
        let settings = MatchSettings {
            window_days: args.bank_options.window_days,
            as_of,
        };
        received_by_payer_month(&rows, &bank, &settings)
    });
    let totals = month_totals(&books, &lines, received.as_ref());
    let mut sink = sink(args.output.format, Box::new(&mut out), "posting", "row");
    sink.begin(COLUMNS)?;
    for line in &lines {
        sink.row(&PostingRow::Line(Box::new(line.clone())))?;
    }
    let total_rows = total_rows(&totals);
    for total in &total_rows {
        sink.row(total)?;
    }
    sink.finish()?;
    drop(sink);
    out.commit()?;
    tally.print();
    print_summary(&lines, posting_count, total_rows.last());
    Ok(super::worst(tally.exit_code(), bank_exit))
}

fn print_summary(lines: &[LineComparison], postings: usize, all: Option<&PostingRow>) {
    let findings = finding_counts(lines)
        .into_iter()
        .map(|(f, n)| format!("{} {n}", f.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    eprintln!(
        "posting: {} line(s) compared with {postings} posting(s); findings: {findings}",
        lines.len()
    );
    if let Some(PostingRow::Total { totals: t, .. }) = all {
        eprintln!(
            "  {} {} (= Σ BPR02): {} {}, claim- and provider-level amounts not allocated to a line {}; posted {} (difference from {} {}), adjustments posted {}",
            figures::PAID.label,
            money(t.remitted),
            figures::NET_PAID_ON_LINES.label,
            money(t.paid),
            money(t.remitted - t.paid),
            money(t.posted),
            figures::NET_PAID_ON_LINES.label,
            money(t.posted - t.paid),
            money(t.adjusted)
        );
        if let Some(received) = t.received {
            eprintln!(
                "  received {} (difference from {} {})",
                money(received),
                figures::PAID.label,
                money(received - t.remitted)
            );
        }
    }
}

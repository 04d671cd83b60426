//! `remit report`: reconcile the inputs (or read the whole `--db` history)
//! and write one self-contained HTML page — headline figures, charts and
//! worklists — then print a one-line summary on standard error.

use super::args::ReportArgs;
use super::output::Output;
use super::runner::{Prepared, report_rows};
use super::settings;
use super::tracking::{Tracking, add_to_page, check_range, denial_analytics, denial_category};
use crate::contract::References;
use crate::line::figures;
use crate::money::money;
use crate::reports::appeals::worklist;
use crate::reports::contracts::scorecard;
use crate::reports::page::{Options, Privacy, ReportBuilder, ReportData, html};

pub fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    check_range(&args.range)?;
    let config = settings::config(
        args.input.as_of,
        Some(&args.fees),
        Some(&args.appeals),
        None,
        Some(&args.codes),
    )?;
    let prepared = Prepared::new(&args.input, config)?;
    let mut out = Output::create(&args.html)?;
    let (rows, tally) = report_rows(&args.input, &prepared)?;
    // Some rejected files still make a page (it lists them); with no
    // usable input at all the previous page is kept.
    tally.require_usable(&args.html)?;
    let options = Options {
        deadline_days: args.deadline_days,
        privacy: if args.show_phi {
            Privacy::Shown
        } else {
            Privacy::Masked
        },
        table_rows: args.table_rows,
        ..Options::new(prepared.as_of())
    };
    let mut builder = ReportBuilder::new(options.clone(), prepared.config.codes());
    builder.add_findings(tally.findings());
    rows.iter().for_each(|row| builder.add_row(row));
    let none = References::default();
    let references = prepared
        .config
        .contracts
        .as_ref()
        .map_or(&none, |c| c.references());
    builder.add_scorecard(&scorecard(
        &rows,
        references,
        prepared.config.codes(),
        (None, None),
        denial_category,
    )?);
    builder.add_aging(&crate::reports::lifecycle::aging(&rows, options.as_of));
    // Appeals the --db store records as resolved are off the worklist.
    let tracking = Tracking::load(&rows, args.input.db.as_deref(), prepared.config.codes())?;
    for item in worklist(rows.iter().cloned(), options.as_of) {
        if tracking.on_worklist(&item) {
            builder.add_appeal(&item);
        }
    }
    let mut data = builder.finish();
    let analytics = denial_analytics(
        &rows,
        args.input.db.as_deref(),
        prepared.config.codes(),
        &args.range,
    )?;
    add_to_page(&mut data, &analytics);
    // Errors name the file: Output says which it is writing.
    let bytes = html::write_page(&data, &mut out)?;
    out.commit()?;
    eprintln!("{}", summary(args, &data, bytes));
    Ok(tally.exit_code())
}

fn summary(args: &ReportArgs, data: &ReportData, bytes: u64) -> String {
    let value = |id: &str| data.figure(id).map_or("0.00".into(), |f| money(f.value));
    let rejected = data.table("rejected").map_or(0, |t| t.total);
    format!(
        "report: wrote {} ({} KB) from {} row(s): {} {}, {} {}, {} {}, {} {}, {} open appeal(s) ({} {}), {} at risk within {} days; {} file(s) rejected; member names and ids {}",
        args.html.display(),
        bytes.div_ceil(1024),
        data.rows,
        figures::REMITTED_CHARGE.label,
        value(figures::REMITTED_CHARGE.id),
        figures::PAID.label,
        value(figures::PAID.id),
        figures::DENIED.label,
        value(figures::DENIED.id),
        figures::RECOVERED.label,
        value(figures::RECOVERED.id),
        data.open_appeals,
        figures::AT_STAKE.label,
        value(figures::AT_STAKE.id),
        value("at-risk"),
        args.deadline_days,
        rejected,
        if args.show_phi { "shown" } else { "masked" }
    )
}

//! `remit eob`: the printable remittance ("EOB") of every claim payment of
//! the 835s read — or only of the claims `--claim` names — as HTML and PDF
//! in a folder: the page a billing office prints for a secondary payer, a
//! patient's call or an appeal.
//!
//! Options (letterhead, template) are read and checked before any file is
//! written; a rejected input (not X12, cut short) contributes nothing and
//! makes the exit status 1; every document is staged (an owner-only
//! temporary file beside its target) as its file is read, and all are
//! moved into place only at the end, named `PAYER_CLAIM_DATE` (no
//! patient).

use std::collections::HashSet;

use super::args::EobArgs;
use super::documents::Documents;
use super::inputs::{discover, open_regular};
use super::output::report_problems;
use super::progress::Progress;
use super::settings::code_list;
use super::{EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, Stop, worst};
use crate::letters::{EobCollector, Letterhead, Templates, render_eob};
use crate::remittance::ClaimPayment;
use crate::scan::scan_reader;

pub fn run(args: &EobArgs) -> anyhow::Result<u8> {
    let codes = code_list(&args.codes.code_list)?;
    let letterhead = match &args.letterhead {
        Some(path) => Letterhead::load(path)?,
        None => Letterhead::default(),
    };
    let templates = match &args.template {
        Some(path) => Templates::builtin().with_eob_file(path)?,
        None => Templates::builtin(),
    };
    if let Ok(meta) = std::fs::metadata(&args.out) {
        anyhow::ensure!(
            meta.is_dir(),
            "--out {}: exists and is not a folder",
            args.out.display()
        );
    }
    let found = discover(&args.paths);
    found.require_inputs(&args.paths)?;
    let progress = Progress::new(&found, args.quiet.quiet);
    let wanted: HashSet<&str> = args.claim.iter().map(|c| c.trim()).collect();
    let mut code = if found.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT
    };
    for note in &found.skipped {
        eprintln!("note: {note}");
    }
    for (path, error) in &found.errors {
        eprintln!("{}: {error}", path.display());
    }
    // Each file's claims are rendered and staged as soon as it is read, so
    // memory holds one file's claims, never the whole batch's documents.
    let mut documents: Option<Documents> = None;
    let mut found_claims: HashSet<String> = HashSet::new();
    let mut written = 0usize;
    let mut usable = 0usize;
    for input in &found.inputs {
        let source = input.display();
        let file = match open_regular(&input.path) {
            Ok(f) => f,
            Err(e) => {
                progress.suspend(|| eprintln!("{source}: cannot open: {e}"));
                code = EXIT_INPUT;
                continue;
            }
        };
        let mut collector = EobCollector::new(|c: &ClaimPayment| {
            wanted.is_empty() || wanted.contains(c.claim_id.trim())
        });
        let summary = scan_reader(progress.reader(file), &mut collector);
        progress.file_done();
        progress.suspend(|| report_problems(&source, &summary.issues.0));
        if !summary.usable() {
            progress.suspend(|| eprintln!("{source}: rejected; no remittance is written from it"));
            code = EXIT_INPUT;
            continue;
        }
        usable += 1;
        if !summary.issues.is_valid() {
            code = worst(code, EXIT_FINDINGS);
        }
        for claim in &collector.claims {
            let page = render_eob(claim, &letterhead, &codes, &templates)?;
            let documents = match &mut documents {
                Some(d) => d,
                None => documents.insert(Documents::create(&args.out)?),
            };
            let stem = documents.unique_stem(&page.file_stem);
            if args.eob_format.html() {
                documents.add(&format!("{stem}.html"), page.html.as_bytes())?;
            }
            if args.eob_format.pdf() {
                documents.add(&format!("{stem}.pdf"), &page.pdf)?;
            }
            found_claims.insert(claim.claim_id.clone());
            written += 1;
        }
    }
    progress.finish();
    if usable == 0 {
        return Err(Stop::new(
            EXIT_INPUT,
            format!(
                "no usable X12 input; nothing was written to {}",
                args.out.display()
            ),
        )
        .into());
    }
    let missing: Vec<&str> = args
        .claim
        .iter()
        .map(|c| c.trim())
        .filter(|c| !found_claims.contains(*c))
        .collect();
    if !missing.is_empty() {
        // The staged files are dropped (and removed) with `documents`.
        return Err(Stop::new(
            EXIT_INPUT,
            format!(
                "no remittance of claim {} in the inputs; nothing was written",
                missing.join(", ")
            ),
        )
        .into());
    }
    let documents = match documents {
        Some(d) => d,
        None => Documents::create(&args.out)?,
    };
    documents.commit()?;
    eprintln!(
        "eob: {written} claim payment(s) written to {}",
        args.out.display()
    );
    Ok(code)
}

//! `remit eob`: the printable remittance ("EOB") of every claim payment of
//! the 835s read — or only of the claims `--claim` names — as HTML and PDF
//! in a folder: the page a billing office prints for a secondary payer, a
//! patient's call or an appeal.
//!
//! Options (letterhead, template) are read and checked before any file is
//! written; a rejected input (not X12, cut short) contributes nothing and
//! makes the exit status 1; the documents are all rendered before the
//! first is moved into place, owner-only, named `PAYER_CLAIM_DATE` (no
//! patient).

use std::collections::HashSet;

use super::documents::Documents;
use super::inputs::{discover, open_regular};
use super::letter_args::EobArgs;
use super::output::report_problems;
use super::progress::Progress;
use super::reconcile::code_list;
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
    let mut claims = Vec::new();
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
        if summary.usable() {
            usable += 1;
            claims.append(&mut collector.claims);
            if !summary.issues.is_valid() {
                code = worst(code, EXIT_FINDINGS);
            }
        } else {
            progress.suspend(|| eprintln!("{source}: rejected; no remittance is written from it"));
            code = EXIT_INPUT;
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
        .filter(|c| !claims.iter().any(|e| e.claim_id == *c))
        .collect();
    if !missing.is_empty() {
        return Err(Stop::new(
            EXIT_INPUT,
            format!(
                "no remittance of claim {} in the inputs; nothing was written",
                missing.join(", ")
            ),
        )
        .into());
    }
    let mut rendered = Vec::with_capacity(claims.len());
    for claim in &claims {
        rendered.push(render_eob(claim, &letterhead, &codes, &templates)?);
    }
    let mut documents = Documents::create(&args.out)?;
    for page in &rendered {
        let stem = documents.unique_stem(&page.file_stem);
        if args.eob_format.html() {
            documents.add(&format!("{stem}.html"), page.html.as_bytes())?;
        }
        if args.eob_format.pdf() {
            documents.add(&format!("{stem}.pdf"), &page.pdf)?;
        }
    }
    documents.commit()?;
    eprintln!(
        "eob: {} claim payment(s) written to {}",
        rendered.len(),
        args.out.display()
    );
    Ok(code)
}

//! `remit generate` (hidden): writes a synthetic 835 of about `--bytes`
//! bytes, or the 837 that a generated 835 answers, with [`remit_synth`].
//! For benchmarks, memory measurements and distributed tests; not part of
//! the documented interface.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, bail};

use super::EXIT_OK;
use super::args::{GenerateArgs, GeneratedKind};
use super::inputs::open_regular;
use super::output::Output;
use remit_synth::{
    SynthConfig, SynthSummary, write_claims_matching, write_claims_until, write_until,
};

/// Rough size of one generated 835 claim, used to set the date rate so that
/// a file of any size spans one year of payments.
const BYTES_PER_CLAIM: u64 = 330;

pub fn run(args: &GenerateArgs) -> anyhow::Result<u8> {
    let cfg = config(args.seed, args.bytes).with_practice(args.practice);
    if let Err(error) = cfg.validate() {
        bail!("--practice {}: {error}", args.practice);
    }
    let paid = match (args.kind, &args.matching_835) {
        (GeneratedKind::I837, Some(era)) => Some(recover_835(&cfg, args.bytes, era)?),
        (GeneratedKind::I835, Some(_)) => bail!("--matching-835 goes with --kind 837"),
        (_, None) => None,
    };
    let mut out = Output::create(&args.out)?;
    let summary = match (args.kind, paid) {
        (GeneratedKind::I837, Some(paid)) => write_claims_matching(&cfg, &paid, &mut out)?,
        (GeneratedKind::I835, _) => write_until(&cfg, &mut out, args.bytes)?,
        (GeneratedKind::I837, None) => write_claims_until(&cfg, &mut out, args.bytes)?,
    };
    out.commit()?;
    eprintln!(
        "{}: {} bytes, {} transaction(s), {} claim(s), {} line(s)",
        args.out.display(),
        summary.bytes,
        summary.transactions,
        summary.claims,
        summary.lines
    );
    Ok(EXIT_OK)
}

/// The configuration of a file of about `bytes` bytes: one year of
/// payments, with members in proportion to claims.
fn config(seed: u64, bytes: u64) -> SynthConfig {
    let claims = (bytes / BYTES_PER_CLAIM).max(200) as usize;
    let start = jiff::civil::date(2024, 1, 2);
    SynthConfig::new(seed)
        .with_claims(claims)
        .with_parties(3, 4, (claims / 20).max(200))
        .with_dates(start, 365)
}

/// What writing the 835 at `path` with `cfg` and `bytes` covered, found by
/// generating it again into a sink that compares it with the file.
fn recover_835(cfg: &SynthConfig, bytes: u64, path: &Path) -> anyhow::Result<SynthSummary> {
    let file = open_regular(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata()?.len();
    let mut same = Compare {
        file: std::io::BufReader::with_capacity(1 << 16, file),
        equal: true,
    };
    let paid = write_until(cfg, &mut same, bytes)?;
    if !same.equal || paid.bytes != size {
        bail!(
            "{} was not written by `remit generate --kind 835 --bytes {bytes} --seed {} --practice {}`",
            path.display(),
            cfg.seed,
            cfg.practice
        );
    }
    Ok(paid)
}

/// A writer that checks what is written against a file's bytes.
struct Compare<R> {
    file: R,
    equal: bool,
}

impl<R: Read> Write for Compare<R> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut expected = vec![0; buf.len()];
        if self.equal && (self.file.read_exact(&mut expected).is_err() || expected != buf) {
            self.equal = false;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

//! The fast path of `validate`: screens one input on borrowed segments and,
//! when nothing in it is in doubt, returns the same [`FileSummary`]
//! [`scan`](super::scan) would — without building a claim payment, a billed
//! claim, a text or a finding.
//!
//! The screen reuses the syntax layer (the segment reader and its notices)
//! and the envelope checks as they are, and replaces only the 835 and 837
//! parsers, by [`RemittanceScreen`] and [`ClaimScreen`], which follow them
//! segment for segment and check every rule they check. Any finding at all
//! — a syntax notice, an envelope finding, a value, a structure or a
//! balancing rule — or anything the screens do not model (999, TA1, 277,
//! 276, other transaction sets) is a doubt: the caller then reads the input
//! again with [`scan`](super::scan), whose findings are the only ones ever
//! printed. So the answer is the same either way, and only a valid 835 or
//! 837 takes the fast path, which is what a clearinghouse mostly reads.

use std::collections::BTreeSet;
use std::io::Read;

use super::FileSummary;
use crate::claim::screen::ClaimScreen;
use crate::envelope::{Envelope, Role};
use crate::fields::screen::{Doubt, Screened, Units, decimal_of};
use crate::remittance::screen::RemittanceScreen;
use crate::x12::{BatchReader, Position};

/// The screen of the transaction open.
// One value lives on the stack for the whole file; boxing the larger
// variant would allocate once per transaction for nothing.
#[allow(clippy::large_enum_variant)]
enum Open {
    Remittance(RemittanceScreen),
    Claim(ClaimScreen),
}

/// Screens `input` to its end: `Ok(summary)` when it certainly holds no
/// finding, `Err(Doubt)` as soon as anything is in doubt (an I/O error
/// included: the second read reports it).
pub fn screen_reader<R: Read>(input: R) -> Screened<FileSummary> {
    let mut reader = BatchReader::new(input);
    let mut envelope = Envelope::new();
    let mut open: Option<Open> = None;
    let mut summary = FileSummary::default();
    let mut versions: BTreeSet<String> = BTreeSet::new();
    let (mut billed, mut paid): (Units, Units) = (0, 0);
    // Anything the push lexer would report is a doubt (`Unusual`).
    while reader.next_batch().map_err(|_| Doubt)? {
        for i in 0..reader.len() {
            let seg = reader.segment(i).ok_or(Doubt)?;
            match envelope.feed(&seg) {
                // A body segment is only counted by the envelope: no
                // finding to look for.
                Role::Body => match &mut open {
                    Some(Open::Remittance(screen)) => {
                        screen.segment(&seg)?;
                        continue;
                    }
                    Some(Open::Claim(screen)) => {
                        screen.segment(&seg)?;
                        continue;
                    }
                    // A body the parsers skip (an unsupported set) was
                    // doubted at its ST.
                    None => return Err(Doubt),
                },
                Role::TransactionStart => {
                    // A transaction left open is cut short (and reported).
                    if open.is_some() {
                        return Err(Doubt);
                    }
                    let id = envelope.transaction();
                    open = Some(match id.set_id.as_str() {
                        "835" => Open::Remittance(RemittanceScreen::new()),
                        "837" => Open::Claim(ClaimScreen::new()),
                        _ => return Err(Doubt),
                    });
                    if !versions.contains(id.version.as_str()) {
                        versions.insert(id.version.to_string());
                    }
                }
                Role::TransactionEnd => match open.take() {
                    Some(Open::Remittance(screen)) => {
                        let figures = screen.finish()?;
                        summary.remittances += 1;
                        summary.claims += figures.claims;
                        summary.lines += figures.lines;
                        billed += figures.billed;
                        paid += figures.paid;
                    }
                    Some(Open::Claim(screen)) => {
                        let figures = screen.finish()?;
                        summary.claim_batches += 1;
                        summary.claims += figures.claims;
                        summary.lines += figures.lines;
                        billed += figures.billed;
                    }
                    None => return Err(Doubt),
                },
                Role::Stray | Role::InterchangeAck => return Err(Doubt),
                Role::InterchangeStart
                | Role::GroupStart
                | Role::GroupEnd
                | Role::InterchangeEnd => {
                    if open.is_some() {
                        return Err(Doubt);
                    }
                }
            }
            if envelope.has_issues() {
                return Err(Doubt);
            }
        }
    }
    envelope.finish(Position::default());
    if open.is_some() || envelope.has_issues() {
        return Err(Doubt);
    }
    summary.interchanges = envelope.interchanges();
    summary.versions = versions;
    summary.billed = decimal_of(billed)?;
    summary.paid = decimal_of(paid)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{Discard, scan_slice};
    use remit_synth::{ScenarioMix, SynthConfig, write_claims, write_remittances};

    /// A small 835 and the 837 it answers, with every scenario the
    /// generator knows (institutional claims, reversals, PLBs, MIA/MOA…).
    fn pair(seed: u64) -> (Vec<u8>, Vec<u8>) {
        let mix = ScenarioMix {
            institutional: 30,
            remark: 40,
            claim_adjustment: 40,
            late: 20,
            reversal: 10,
            deferred_recovery: 50,
            provider_refund: 50,
            overpayment_recovery: 30,
            dependent: 30,
            ..ScenarioMix::default()
        };
        let cfg = SynthConfig::new(seed)
            .with_claims(60)
            .with_max_lines_per_claim(4)
            .with_mix(mix);
        let (mut era, mut claims) = (Vec::new(), Vec::new());
        write_remittances(&cfg, &mut era).unwrap();
        write_claims(&cfg, &mut claims).unwrap();
        (era, claims)
    }

    /// The screen's answer beside the parsers': a vouched-for input has no
    /// finding and the very summary `scan` gives. Returns true when vouched.
    fn agrees(input: &[u8], what: &str) -> bool {
        let full = scan_slice(input, &mut Discard);
        match screen_reader(input) {
            Ok(summary) => {
                assert!(
                    full.issues.0.is_empty(),
                    "{what}: the screen vouched for an input with findings: {:?}",
                    full.issues.0.first().map(ToString::to_string)
                );
                assert_eq!(summary, full, "{what}");
                true
            }
            Err(Doubt) => false,
        }
    }

    #[test]
    fn valid_generated_inputs_are_vouched_for_with_the_same_summary() {
        for seed in 1..4 {
            let (era, claims) = pair(seed);
            assert!(agrees(&era, "835"), "a valid 835 was doubted");
            assert!(agrees(&claims, "837"), "a valid 837 was doubted");
        }
    }

    /// xorshift: a reproducible stream of choices without a dependency.
    struct Choices(u64);

    impl Choices {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// One random edit of one segment: dropped, doubled, an element
    /// blanked, emptied of its last digit, given a digit, made a letter,
    /// or cut off — the ways a file goes wrong.
    fn mutate(input: &[u8], choices: &mut Choices) -> Vec<u8> {
        let mut segments: Vec<Vec<u8>> = input.split(|&b| b == b'~').map(<[u8]>::to_vec).collect();
        // Leave the ISA alone: its delimiters are not what is tested here.
        let at = 1 + choices.below(segments.len() - 2);
        let mut elements: Vec<Vec<u8>> = segments[at]
            .split(|&b| b == b'*')
            .map(<[u8]>::to_vec)
            .collect();
        let n = 1 + choices.below(elements.len().max(2) - 1);
        match choices.below(7) {
            0 => {
                segments.remove(at);
                return segments.join(&b'~');
            }
            1 => {
                let copy = segments[at].clone();
                segments.insert(at, copy);
                return segments.join(&b'~');
            }
            _ if n >= elements.len() => elements.push(b"1".to_vec()),
            2 => elements[n].clear(),
            3 => {
                elements[n].pop();
            }
            4 => {
                let digit = b'0' + choices.below(10) as u8;
                let place = choices.below(elements[n].len() + 1);
                elements[n].insert(place, digit);
            }
            5 => elements[n] = b"X".to_vec(),
            _ => elements.truncate(n),
        }
        segments[at] = elements.join(&b'*');
        segments.join(&b'~')
    }

    /// The screen never vouches for an input the parsers find anything
    /// in: thousands of edited 835s and 837s, each edit one segment.
    #[test]
    fn edited_inputs_are_vouched_for_only_when_the_parsers_find_nothing() {
        let mut choices = Choices(0x9e37_79b9_7f4a_7c15);
        let (mut vouched, mut doubted) = (0, 0);
        for seed in 1..3 {
            let (era, claims) = pair(seed);
            for (kind, input) in [("835", &era), ("837", &claims)] {
                for round in 0..700 {
                    let edited = mutate(input, &mut choices);
                    if agrees(&edited, &format!("{kind} seed {seed} round {round}")) {
                        vouched += 1;
                    } else {
                        doubted += 1;
                    }
                }
            }
        }
        // Both answers must occur, or the test proves nothing.
        assert!(
            vouched > 200 && doubted > 200,
            "{vouched} vouched, {doubted} doubted"
        );
    }
}

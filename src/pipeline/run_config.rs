//! What a run is given: the settings resolved once from the options
//! ([`Config`]) and the input size from which a memory store reads its
//! inputs twice. Apart from `run` so that the parts a run is decided in
//! (`pipeline::parts`) take them without reaching back into the runner.

use jiff::civil::Date;

use crate::acks::AckCodes;
use crate::codes::CodeList;
use crate::contract::Contracts;
use crate::lifecycle::FilingLimits;
use crate::reconcile::Rules;

/// Everything a run decides with, resolved once from the options: the
/// rules (as-of date, appeal deadlines, prompt-pay interest, the code
/// list), the contracts that price lines, and what judges the claims'
/// front end (filing limits, acknowledgment codes). Plain data: build it
/// however you like.
#[derive(Clone, Debug)]
pub struct Config {
    /// Dates, deadlines, interest, and the code list every decision reads.
    pub rules: Rules,
    /// The contracts (`--contract`, `--fee-schedule`) and reference
    /// schedules (`--reference`) that price every line, if any.
    pub contracts: Option<Contracts>,
    /// Timely-filing limits: the built-in ones with `--filing-limits`
    /// merged over them.
    pub filing_limits: FilingLimits,
    /// Acknowledgment codes: the built-in list with `--ack-codes` merged
    /// over it.
    pub ack_codes: AckCodes,
    /// Inputs read at once; `None` (or 0) reads one per core.
    pub jobs: Option<usize>,
    /// A store in memory keeps the places of the transactions and claims
    /// of inputs that can be read again, and reads them again, when the
    /// inputs' sizes add up to this many bytes or more (see
    /// [`READ_AGAIN_FROM`]); below it, their packed content.
    pub read_again_from: u64,
}

/// Inputs of this many bytes or more (together) are read twice by a store
/// in memory: 128 MiB. Reading twice holds about half the memory a line
/// (725 B instead of 1,424 B a service line on the generated sets) but
/// parses every transaction and claim again on the deciding thread, which
/// costs ~45% more CPU and ~65% more time on two cores (measured on a
/// 20 MB 835 + 23.7 MB of 837s, before `--jobs 2` moved most of that
/// parse to the threads that decode ahead of the engine:
/// `pipeline::read_ahead`). Below the threshold a run holds about
/// 450 MB packed at most (3.4 B per input byte measured on 153 MB of
/// inputs), so the faster form is kept; above it memory is what
/// stops a clearinghouse's day from running at all.
pub const READ_AGAIN_FROM: u64 = 128 << 20;

impl Config {
    /// A configuration with `rules`, no contract, the built-in filing
    /// limits and acknowledgment codes, one reader per core.
    pub fn new(rules: Rules) -> Config {
        Config {
            rules,
            contracts: None,
            filing_limits: FilingLimits::builtin().clone(),
            ack_codes: AckCodes::builtin().clone(),
            jobs: None,
            read_again_from: READ_AGAIN_FROM,
        }
    }

    /// The reconciliation date.
    pub fn as_of(&self) -> Date {
        self.rules.as_of
    }

    /// The code list decisions read (the built-in one, with any user list
    /// merged over it).
    pub fn codes(&self) -> &CodeList {
        &self.rules.codes
    }
}

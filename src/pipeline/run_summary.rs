//! What a run reports beyond what its observer saw ([`RunSummary`]).
//! Apart from `run` so that the parts a run is decided in
//! (`pipeline::parts`) fill it without reaching back into the runner.

use super::front_end::FrontEnd;
use crate::history::Replay;

/// What a run did, beyond what its observer saw.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// Inputs read.
    pub files: usize,
    /// Inputs used (not rejected).
    pub usable: usize,
    /// Remittance transactions applied.
    pub transactions: usize,
    /// What deciding earlier transactions again (facts arrived out of
    /// order) did.
    pub replay: Replay,
    /// Remittance transactions of the inputs an earlier run applied, whose
    /// rows were read back from the store into this run's rows.
    pub read_back: usize,
    /// The claims' front end after the run (lifecycles, deadlines, the
    /// submissions this run found open), for the worklists built from it;
    /// `None` when nothing was decided.
    pub front_end: Option<FrontEnd>,
}

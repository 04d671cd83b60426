//! Why a run stopped ([`RunError`]): the one error type of the pipeline's
//! run, shared by the run itself ([`super::run`]) and the thread that
//! decides for it ([`super::handoff`]), so neither imports the other for it.

use crate::history::StoreError;

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError<E> {
    /// An input could not be stored (nothing of it was).
    #[error("{source}: cannot store it")]
    Ingest {
        /// The input.
        source: String,
        /// What the store said.
        #[source]
        error: StoreError,
    },
    /// The store failed while deciding.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The caller's row handler failed (e.g. the output cannot be written).
    #[error(transparent)]
    Sink(E),
}

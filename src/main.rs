//! The `remit` binary: parse arguments, run, map the outcome to an exit code
//! (all in the library's `cli` layer).

/// mimalloc, not glibc's malloc, for the binary (not the library, so not
/// the Python extension, which keeps its interpreter's allocator). glibc
/// keeps what the reading threads free in their arenas: about a third of
/// `reconcile`'s RSS at scale was memory freed and never given back, which
/// `malloc_trim` would return only through `unsafe`. mimalloc gives freed
/// pages back to the system and its thread-local free lists cut the time
/// spent in malloc/free (issue 17; the figures are in the README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    remit::cli_main()
}

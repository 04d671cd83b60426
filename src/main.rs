//! The `remit` binary: parse arguments, run, map the outcome to an exit code
//! (all in the library's `cli` layer).

/// mimalloc, not glibc's malloc, for the binary (set here, not in the
/// library; the Python extension sets it for itself): its
/// thread-local free lists cut the time spent in malloc/free, ~30% of
/// `reconcile`'s at scale, by enough to save 9-20% of its CPU. It was
/// first tried to give back what the reading threads free; that turned
/// out to be little (RSS fell 1-9%): what a large run holds is live state
/// (issue 17; the figures are in the README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // No transparent huge pages for this process (Linux): where the
    // system backs memory with them always, a 2 MiB page is made resident
    // for the first byte touched in it, and khugepaged fills in the
    // untouched rest of the regions the allocator maps (a table reserved
    // ahead, a block freed but not yet returned). Without them (issue 17;
    // docs/performance.md) the peak RSS of `reconcile` on the 1 GB
    // generated case fell 4.5% (1.84 to 1.76 GiB), on a 153 MB pair 18%
    // (192 to 157 MiB). Best effort: a kernel that refuses leaves things
    // as they were.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    remit::cli_main()
}

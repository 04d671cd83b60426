//! The `remit` binary: parse arguments, run, map the outcome to an exit code
//! (all in the library's `cli` layer).

fn main() -> std::process::ExitCode {
    remit::cli_main()
}

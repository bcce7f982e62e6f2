//! The `ccplan` command line. Everything lives in the `cli` module; `main` only maps the
//! outcome to an exit code: 0 success, 1 runtime error, 2 usage error. A closed output pipe
//! (`ccplan plan … | head -1`) ends the program quietly with 0.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}

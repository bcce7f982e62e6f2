//! Command-line front end: clap arguments turned into validated inputs in one step, the only
//! place that reads argv, the environment, the clock and the terminal.

mod args;
mod batch;
mod pricing_cmd;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// A mistake in how the command was called (exit code 2), as opposed to a runtime failure.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Shorthand for returning a usage error.
pub fn usage<T>(msg: impl Into<String>) -> anyhow::Result<T> {
    Err(UsageError(msg.into()).into())
}

/// Parse argv, run the command, map the outcome to an exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            // --help and --version print to stdout and exit 0; a closed pipe there is fine.
            let _ = e.print();
            return ExitCode::from(code.clamp(0, 255) as u8);
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = args::dispatch(cli, &mut out).and_then(|()| out.flush().map_err(Into::into));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let code = if e.downcast_ref::<UsageError>().is_some() {
                2
            } else {
                1
            };
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "error: {e}");
            for cause in e.chain().skip(1) {
                let _ = writeln!(err, "  caused by: {cause}");
            }
            ExitCode::from(code)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let io_err =
            c.downcast_ref::<io::Error>()
                .or_else(|| match c.downcast_ref::<ccplan::Error>() {
                    Some(ccplan::Error::Output(inner)) => Some(inner),
                    _ => None,
                });
        io_err.is_some_and(|i| i.kind() == io::ErrorKind::BrokenPipe)
    })
}

//! Command-line front end: clap arguments turned into validated inputs in one step, the only
//! place that reads argv, the environment, the clock and the terminal.

mod analysis;
mod args;
mod batch;
mod chain_cmd;
mod config;
mod history_cmd;
mod holdings_cmd;
mod income_cmd;
mod journal_cmd;
mod plan_args;
mod plan_cmd;
mod pricing_cmd;
mod regime_cmd;
mod render;
mod sources;
mod suggest_cmd;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

use ccplan::model::ChainSnapshot;
use config::SourceSpec;

/// Where market data comes from, shared by the market commands.
#[derive(Debug, Clone, clap::Args)]
pub struct MarketArgs {
    /// Chain source: cboe (default), tradier, yahoo, polygon, demo, file:PATH or store:DATE.
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<SourceSpec>,
    /// Price-history source: a provider name or file:PATH (default: the chain source).
    #[arg(long, value_name = "SOURCE")]
    pub history: Option<SourceSpec>,
}

/// What every market command needs besides its own arguments.
pub struct Ctx {
    /// Config file + environment.
    pub settings: config::Settings,
    /// "Now": `--as-of` or the clock.
    pub now: chrono::DateTime<chrono::FixedOffset>,
    /// The history store's path.
    pub store: std::path::PathBuf,
}

/// Tell the user, on standard error, what was dropped or doubtful in a snapshot.
pub fn report_data_quality(snap: &ChainSnapshot) {
    for note in &snap.notes {
        eprintln!("note: {}: {note}", snap.underlying.symbol);
    }
    if !snap.dropped.is_empty() {
        let shown: Vec<&str> = snap.dropped.iter().take(3).map(String::as_str).collect();
        eprintln!(
            "warning: {}: dropped {} bad rows from {} (e.g. {})",
            snap.underlying.symbol,
            snap.dropped.len(),
            snap.source,
            shown.join("; ")
        );
    }
}

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
            let network = e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<ccplan::Error>(),
                    Some(ccplan::Error::Http { .. })
                )
            });
            if network {
                let _ = writeln!(
                    err,
                    "hint: no network? `--source demo` runs on the built-in demo market, and \
                     `--source file:PATH` on a saved snapshot"
                );
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

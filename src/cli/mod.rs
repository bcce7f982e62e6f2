//! Command-line front end: clap arguments turned into validated inputs in one step, the only
//! place that reads argv, the environment, the clock and the terminal.

mod analysis;
mod args;
mod backtest_cmd;
mod batch;
mod chain_cmd;
mod config;
mod history_cmd;
mod holdings_cmd;
mod html_out;
mod income_cmd;
mod journal_cmd;
mod manage_cmd;
mod orders_out;
mod plan_args;
mod plan_cmd;
mod pricing_cmd;
mod regime_cmd;
mod render;
mod say;
mod sources;
mod suggest_cmd;
mod watch;

use std::io::{self, Write};
use std::process::ExitCode;

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
    /// Whether "now" came from `--as-of` (not the clock).
    pub as_of_given: bool,
    /// "Now" was frozen with `--as-of` (a watch then replays time instead of waiting).
    pub frozen: bool,
}

/// What to say when a snapshot carries its own instant (`--source file:`, `store:`) and
/// `--as-of` asked for another: a note naming the instant used, a warning when the two are
/// more than one trading session apart.
pub fn as_of_disagreement(snap: &ChainSnapshot, ctx: &Ctx) -> Option<(bool, String)> {
    if !ctx.as_of_given {
        return None;
    }
    ccplan::pipeline::as_of_disagreement(snap, &ctx.now)
}

/// Tell the user, on standard error, what was dropped or doubtful in a snapshot.
pub fn report_data_quality(snap: &ChainSnapshot) {
    report_data_quality_of(&[snap]);
}

/// [`report_data_quality`] for several snapshots: a note every snapshot carries alike (the
/// demo market's "simulated quotes") is said once, naming the symbols.
pub fn report_data_quality_of(snaps: &[&ChainSnapshot]) {
    let mut notes: Vec<(&str, Vec<&str>)> = Vec::new();
    for snap in snaps {
        for note in &snap.notes {
            match notes.iter_mut().find(|(n, _)| n == note) {
                Some((_, syms)) => syms.push(&snap.underlying.symbol),
                None => notes.push((note, vec![&snap.underlying.symbol])),
            }
        }
    }
    for (note, syms) in notes {
        match syms.as_slice() {
            [one] => say::note(format_args!("{one}: {note}")),
            many => say::note(format_args!("{note} ({})", many.join(", "))),
        }
    }
    for snap in snaps {
        report_dropped(snap);
    }
}

fn report_dropped(snap: &ChainSnapshot) {
    if !snap.dropped.is_empty() {
        let shown: Vec<&str> = snap.dropped.iter().take(3).map(String::as_str).collect();
        say::warn(format_args!(
            "{}: dropped {} bad rows from {} (e.g. {})",
            snap.underlying.symbol,
            snap.dropped.len(),
            snap.source,
            shown.join("; ")
        ));
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

/// A position needs an action named in `manage --fail-on` (exit code 3): not a failure of the
/// program, an alert for cron or CI.
#[derive(Debug)]
pub struct ActionNeeded(pub String);

impl std::fmt::Display for ActionNeeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ActionNeeded {}

/// Shorthand for returning a usage error.
pub fn usage<T>(msg: impl Into<String>) -> anyhow::Result<T> {
    Err(UsageError(msg.into()).into())
}

/// A plan made for some holdings only, because the data of the others is missing: the plan
/// is written, and the command exits with [`PARTIAL_EXIT`] after saying which it lacks.
#[derive(Debug)]
pub struct Partial(pub String);

impl std::fmt::Display for Partial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Partial {}

/// The exit code of a partial plan (documented in the README and docs/failure-modes.md).
pub const PARTIAL_EXIT: u8 = 4;

/// `n` and the noun, singular for one: "1 holding", "8 holdings".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Parse argv, run the command, map the outcome to an exit code.
pub fn run() -> ExitCode {
    let cli = match parse_args() {
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
    let result = args::dispatch(cli, &mut out);
    // Flushed whatever the outcome: a partial plan has been written in full.
    let flushed = out.flush();
    let result = match (result, flushed) {
        (Ok(()), f) => f.map_err(Into::into),
        (Err(e), Err(f)) if e.downcast_ref::<Partial>().is_some() => Err(f.into()),
        (Err(e), _) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<Partial>().is_some() => {
            say::warn(&e);
            ExitCode::from(PARTIAL_EXIT)
        }
        Err(e) if e.downcast_ref::<ActionNeeded>().is_some() => {
            let _ = writeln!(io::stderr().lock(), "alert: {e}");
            ExitCode::from(3)
        }
        Err(e) => {
            let code = if e.downcast_ref::<UsageError>().is_some() {
                2
            } else {
                1
            };
            let mut err = io::stderr().lock();
            let mut shown = e.to_string();
            let _ = writeln!(err, "error: {shown}");
            for cause in e.chain().skip(1) {
                // A cause already stated (an IO error a message ends with) is not repeated.
                let c = cause.to_string();
                if shown.contains(&c) {
                    continue;
                }
                let _ = writeln!(err, "  caused by: {c}");
                shown.push_str(&c);
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

/// Parse argv. `--store` is global (it may follow any market subcommand) but means nothing to
/// `price` and `iv`, which refuse it.
fn parse_args() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let mut cmd = Cli::command();
    // `--store` means nothing to price and iv: refused there rather than silently ignored.
    let argv: Vec<String> = std::env::args().collect();
    let sub = argv.iter().skip(1).find(|a| {
        matches!(
            a.as_str(),
            "price" | "iv" | "suggest" | "plan" | "regime" | "chain" | "history"
        )
    });
    if matches!(sub.map(String::as_str), Some("price" | "iv"))
        && argv
            .iter()
            .any(|a| a == "--store" || a.starts_with("--store="))
    {
        return Err(cmd.error(
            clap::error::ErrorKind::UnknownArgument,
            "--store is for the market and history commands; price and iv do not use the store",
        ));
    }
    // Nor is it listed in their help: hidden at the root, the global flag reaches their help
    // hidden (the other subcommands' help is built on other runs and keeps it).
    let asks_help =
        argv.iter().any(|a| a == "--help" || a == "-h") || argv.get(1).is_some_and(|a| a == "help");
    let help_for_pricing = argv
        .iter()
        .skip(1)
        .find(|a| !a.starts_with('-') && a.as_str() != "help")
        .is_some_and(|a| a == "price" || a == "iv");
    if asks_help && help_for_pricing {
        cmd = cmd.mut_arg("store", |a| a.hide(true));
    }
    let matches = cmd.try_get_matches()?;
    Cli::from_arg_matches(&matches)
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

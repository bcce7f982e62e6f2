//! Argument definitions and dispatch.

use std::io::Write;

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use ccplan::model::Right;

use super::{batch, pricing_cmd, usage};

/// ccplan — plan covered calls on the stock you hold.
#[derive(Debug, Parser)]
#[command(name = "ccplan", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Freeze "now": an RFC 3339 instant (2026-11-26T15:30:00-05:00) or a date, meaning 16:00
    /// New York that day. Used for time to expiry and to ignore later history.
    #[arg(long, global = true, value_name = "INSTANT|DATE", value_parser = parse_as_of)]
    pub as_of: Option<DateTime<FixedOffset>>,

    /// The local history store (SQLite) behind IV rank; default: the user's data directory
    /// (~/.local/share/ccplan/history.sqlite3 on Linux) or `store` in the config file.
    #[arg(long, global = true, value_name = "PATH")]
    pub store: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Price one option (Black-Scholes-Merton with a dividend yield) and show its greeks,
    /// or price a CSV batch with --batch.
    #[command(
        after_help = "Examples:\n  ccplan price call --spot 42 --strike 40 --years 0.5 --rate 10% --vol 20%\n  ccplan price put --spot 187.5 --strike 170 --expiry 2026-12-18 --as-of 2026-11-26 --vol 0.52\n  ccplan price --batch examples/options.csv > priced.csv"
    )]
    Price(PriceArgs),
    /// Solve the implied volatility of one option price, or of a CSV batch with --batch.
    #[command(
        after_help = "Examples:\n  ccplan iv call --spot 42 --strike 40 --years 0.5 --rate 10% --price 4.7594\n  ccplan iv --batch examples/quotes.csv --keep-going > solved.csv"
    )]
    Iv(IvArgs),
    /// Which calls to write on one holding: ranked, explained candidates.
    #[command(
        after_help = "Examples:\n  ccplan suggest NVDA --this-month --shares 300 --cost-basis 118.50 --source demo\n  ccplan suggest NVDA --dte 14..45 --profile conservative --explain\n  ccplan suggest AMD --holdings examples/my.toml --basis mid --out amd.csv --chart amd.svg"
    )]
    Suggest(Box<super::suggest_cmd::SuggestArgs>),
    /// The best call per holding of a portfolio, totals, net delta and a stress table.
    #[command(
        after_help = "Examples:\n  ccplan plan --holdings examples/holdings.toml --source demo\n  ccplan plan --holdings examples/my.toml --this-month --out plan.md\n  ccplan plan --holdings examples/book.csv --format json > plan.json\n  ccplan plan --holdings examples/holdings.toml --source demo --out plan.html\n  ccplan plan --holdings examples/holdings.toml --source demo --orders orders.txt --broker tos"
    )]
    Plan(Box<super::plan_cmd::PlanCmdArgs>),
    /// After the sale: hold, close, roll or let assign each written call, with the reasons,
    /// the orders, alerts (--fail-on, exit code 3) and --watch.
    Manage(Box<super::manage_cmd::ManageArgs>),
    /// Is implied volatility high enough to sell now? IV rank, IV vs realized, term structure,
    /// skew, RSI/MACD, and one verdict.
    #[command(
        after_help = "Examples:\n  ccplan regime NVDA --source demo\n  ccplan regime NVDA --format json --earnings-date 2027-02-24\n  ccplan regime NVDA --source demo --out nvda.html"
    )]
    Regime(Box<super::regime_cmd::RegimeArgs>),
    /// Show an option chain: bid, ask, mid, spread, volume, open interest and IV.
    #[command(
        after_help = "Examples:\n  ccplan chain NVDA --source demo --expiry 2026-12-18\n  ccplan chain NVDA --format csv --save nvda.json   # replay with --source file:nvda.json"
    )]
    Chain(super::chain_cmd::ChainArgs),
    /// The local IV history behind IV rank: import, show, export.
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  ccplan history import examples/nvda_iv.csv --symbol NVDA\n  ccplan history show NVDA\n  ccplan history export NVDA --out nvda_iv.csv"
    )]
    History(super::history_cmd::HistoryCmd),
    /// Holdings from a broker's positions export, written as ccplan TOML.
    #[command(subcommand)]
    Holdings(super::holdings_cmd::HoldingsCmd),
    /// The trade journal of written calls: import a broker's transaction history, add a
    /// trade by hand, show the entries.
    #[command(subcommand)]
    Journal(super::journal_cmd::JournalCmd),
    /// Premium income from the journal: collected, paid back, net, fees, assignments,
    /// annualized yield on the capital covered.
    Income(super::income_cmd::IncomeArgs),
    /// What a covered-call rule (BXM, BXY, BXMD or the planner's own) would have earned on
    /// a symbol's history, against buy-and-hold: summary, ledger, equity curves.
    #[command(
        after_help = "Examples:\n  ccplan backtest NVDA --from 2024-01-02 --to 2025-12-31 --history demo --rule bxm\n  ccplan backtest --holdings examples/holdings.toml --from 2020-01-02 --to 2025-12-31 --rule ccplan --trades t.csv --equity e.csv --chart bt.svg"
    )]
    Backtest(Box<super::backtest_cmd::BacktestArgs>),
}

/// `--format`: the choices listed in `--help`, aliases (txt, markdown) accepted but hidden.
pub fn format_parser() -> impl clap::builder::TypedValueParser<Value = ccplan::export::Format> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new([
        PossibleValue::new("table").help("aligned text"),
        PossibleValue::new("csv").help("full precision, decimal fractions"),
        PossibleValue::new("json").help("the full structure"),
        PossibleValue::new("md").help("Markdown"),
        PossibleValue::new("txt").hide(true),
        PossibleValue::new("markdown").hide(true),
    ])
    .try_map(|s| s.parse::<ccplan::export::Format>())
}

/// Call or put, as a positional argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// A call.
    Call,
    /// A put.
    Put,
}

impl From<Kind> for Right {
    fn from(k: Kind) -> Right {
        match k {
            Kind::Call => Right::Call,
            Kind::Put => Right::Put,
        }
    }
}

/// The option and market, shared by `price` and `iv`.
#[derive(Debug, Args)]
pub struct OptionArgs {
    /// call or put (not with --batch).
    #[arg(value_enum, required_unless_present = "batch")]
    pub kind: Option<Kind>,
    /// Spot price of the underlying, USD.
    #[arg(long, required_unless_present = "batch")]
    pub spot: Option<f64>,
    /// Strike, USD.
    #[arg(long, required_unless_present = "batch")]
    pub strike: Option<f64>,
    /// Expiry date (YYYY-MM-DD); time runs to 16:00 New York that day from --as-of (or now).
    #[arg(long, conflicts_with = "years", value_name = "DATE")]
    pub expiry: Option<NaiveDate>,
    /// Time to expiry in ACT/365 years, instead of --expiry.
    #[arg(long, value_name = "T")]
    pub years: Option<f64>,
    /// Risk-free rate, continuously compounded: a decimal (0.043) or a percentage (4.3%).
    #[arg(long, default_value = "0.04", value_parser = parse_fraction, allow_hyphen_values = true)]
    pub rate: f64,
    /// Dividend yield, continuously compounded: a decimal (0.004) or a percentage (0.4%).
    #[arg(long, default_value = "0", value_parser = parse_fraction, allow_hyphen_values = true)]
    pub div_yield: f64,
    /// Read a CSV batch from FILE (`-` for standard input) and write CSV to standard output.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<String>,
    /// In batch mode, write an error for a malformed row and go on instead of stopping.
    #[arg(long, requires = "batch")]
    pub keep_going: bool,
    /// Exercise style: european (Black-Scholes-Merton, the default) or american (discrete
    /// cash dividends, early exercise; listed equity options are American).
    #[arg(long, value_enum, default_value = "european")]
    pub style: Style,
    /// A cash dividend going ex on DATE (YYYY-MM-DD:AMOUNT, USD per share; the spot drops at
    /// 09:30 New York that day). Repeatable. Needs --style american.
    #[arg(long = "dividend", value_name = "DATE:AMOUNT", value_parser = parse_dated_dividend)]
    pub dividends: Vec<(NaiveDate, f64)>,
    /// A cash dividend T years from now (T:AMOUNT). Repeatable. Needs --style american.
    #[arg(long = "dividend-years", value_name = "T:AMOUNT", value_parser = parse_year_dividend)]
    pub dividend_years: Vec<(f64, f64)>,
}

/// Exercise style for `price` and `iv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Style {
    /// Exercise at expiry only: Black-Scholes-Merton.
    European,
    /// Exercise any time: the discrete-dividend American model.
    American,
}

fn split_dividend(s: &str) -> Result<(&str, f64), String> {
    let (head, amount) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("{s:?}: expected WHEN:AMOUNT, e.g. 2026-12-04:0.25"))?;
    let amount: f64 = amount
        .trim()
        .parse()
        .map_err(|_| format!("{amount:?} is not a dividend amount in USD"))?;
    if !(amount.is_finite() && amount >= 0.0) {
        return Err(format!(
            "dividend {amount} must be a finite amount ≥ 0 (USD per share)"
        ));
    }
    Ok((head.trim(), amount))
}

fn parse_dated_dividend(s: &str) -> Result<(NaiveDate, f64), String> {
    let (date, amount) = split_dividend(s)?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| format!("{date:?} is not a YYYY-MM-DD ex-dividend date"))?;
    Ok((date, amount))
}

fn parse_year_dividend(s: &str) -> Result<(f64, f64), String> {
    let (t, amount) = split_dividend(s)?;
    let t: f64 = t
        .parse()
        .map_err(|_| format!("{t:?} is not a year fraction"))?;
    if !t.is_finite() {
        return Err(format!("{t} is not a finite year fraction"));
    }
    Ok((t, amount))
}

#[derive(Debug, Args)]
pub struct PriceArgs {
    #[command(flatten)]
    pub option: OptionArgs,
    /// Volatility: a decimal (0.45) or a percentage (45%).
    #[arg(long, required_unless_present = "batch", value_parser = parse_fraction)]
    pub vol: Option<f64>,
}

#[derive(Debug, Args)]
pub struct IvArgs {
    #[command(flatten)]
    pub option: OptionArgs,
    /// Option price, USD per share.
    #[arg(long, required_unless_present = "batch")]
    pub price: Option<f64>,
}

/// Run the parsed command, writing to `out`.
pub fn dispatch(cli: Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    // The clock, read here and only here: whole seconds, shown in New York time.
    let as_of_given = cli.as_of.is_some();
    let now = cli.as_of.unwrap_or_else(|| {
        let t = Utc::now();
        t.with_nanosecond(0)
            .unwrap_or(t)
            .with_timezone(&chrono_tz::America::New_York)
            .fixed_offset()
    });
    match cli.command {
        Command::Price(a) => match &a.option.batch {
            Some(path) => batch::run(batch::Mode::Price, path, a.option.keep_going, out),
            None => pricing_cmd::price(&a, now, out),
        },
        Command::Iv(a) => match &a.option.batch {
            Some(path) => batch::run(batch::Mode::Iv, path, a.option.keep_going, out),
            None => pricing_cmd::iv(&a, now, out),
        },
        Command::Suggest(a) => {
            super::suggest_cmd::run(&a, &context(cli.store, now, as_of_given)?, out)
        }
        Command::Plan(a) => super::plan_cmd::run(&a, &context(cli.store, now, as_of_given)?, out),
        Command::Manage(a) => {
            let mut ctx = context(cli.store, now, as_of_given)?;
            ctx.frozen = as_of_given;
            super::manage_cmd::run(&a, &ctx, out)
        }
        Command::Regime(a) => {
            super::regime_cmd::run(&a, &context(cli.store, now, as_of_given)?, out)
        }
        Command::Chain(a) => super::chain_cmd::run(&a, &context(cli.store, now, as_of_given)?, out),
        Command::History(c) => {
            super::history_cmd::run(&c, &context(cli.store, now, as_of_given)?, out)
        }
        Command::Holdings(c) => super::holdings_cmd::run(&c, out),
        Command::Journal(c) => {
            super::journal_cmd::run(&c, &context(cli.store, now, as_of_given)?, out)
        }
        Command::Income(a) => {
            super::income_cmd::run(&a, &context(cli.store, now, as_of_given)?, out)
        }
        Command::Backtest(a) => {
            super::backtest_cmd::run_cmd(&a, &context(cli.store, now, as_of_given)?, out)
        }
    }
}

/// Settings from the config file and the environment (the only place that reads them), and
/// the store path: `--store`, else the config/env `store`, else the user's data directory.
fn context(
    store: Option<std::path::PathBuf>,
    now: DateTime<FixedOffset>,
    as_of_given: bool,
) -> anyhow::Result<super::Ctx> {
    let settings = super::config::load(&|k| std::env::var(k).ok())?;
    let store = match store.or_else(|| settings.store.clone()) {
        Some(p) => p,
        None => match dirs::data_dir() {
            Some(d) => ccplan::store::default_path(&d),
            None => std::path::PathBuf::from(ccplan::store::FILE_NAME),
        },
    };
    Ok(super::Ctx {
        settings,
        now,
        store,
        as_of_given,
        frozen: false,
    })
}

/// `--as-of`: RFC 3339, or a bare date meaning 16:00 New York.
pub fn parse_as_of(s: &str) -> Result<DateTime<FixedOffset>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t);
    }
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => Ok(ccplan::pricing::time::close_of(d)
            .with_timezone(&chrono_tz::America::New_York)
            .fixed_offset()),
        Err(_) => Err(format!(
            "{s:?} is neither an RFC 3339 instant (2026-11-26T15:30:00-05:00) nor a date (2026-11-26)"
        )),
    }
}

/// A decimal fraction or a percentage: "0.45" → 0.45, "45%" → 0.45.
pub fn parse_fraction(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 0.01),
        None => (t, 1.0),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a number (write 0.45 or 45%)"))?;
    if !v.is_finite() {
        return Err(format!("{s:?} is not finite"));
    }
    Ok(v * scale)
}

/// The largest volatility taken as a decimal fraction (1 000 %): above it, `45` surely means
/// 45 %. The same rule for `price --vol` and a batch's `vol` column.
pub const MAX_VOL: f64 = 10.0;

/// Why `v` is surely a percentage given without `%` (e.g. `--vol 45`), if it is.
pub fn implausible_fraction(what: &str, v: f64, max: f64) -> Option<String> {
    (v.abs() > max).then(|| {
        format!(
            "{what} {v} is a decimal fraction here; did you mean {v}% (write it with a % sign)?"
        )
    })
}

/// Reject a value that is surely a percentage given without `%` (e.g. `--vol 45`).
pub fn check_plausible_fraction(what: &str, v: f64, max: f64) -> anyhow::Result<()> {
    match implausible_fraction(what, v, max) {
        Some(msg) => usage(msg),
        None => Ok(()),
    }
}

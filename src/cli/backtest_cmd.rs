//! `ccplan backtest`: what a covered-call rule would have earned on a symbol's history.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use clap::ValueEnum;

use ccplan::backtest::{
    run, BacktestParams, BacktestReport, Dividend, EquityPoint, HoldingInput, IvPoint, LedgerEntry,
    Rule, Settle, SplitEvent,
};
use ccplan::export::{write_equity_svg, write_json, Cell, Col, Format, Table};
use ccplan::fsutil::write_atomic;
use ccplan::model::SeriesEvents;
use ccplan::plan::{ExpiryWindow, ManageParams, PlanParams, PremiumBasis, Profile};
use ccplan::store::Store;

use super::args::parse_fraction;
use super::config::SourceSpec;
use super::plan_args::{BasisArg, ProfileArg};
use super::say;
use super::suggest_cmd::read_holdings;
use super::{sources, usage, Ctx};

/// `--rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleArg {
    /// CBOE BXM: the one-month at-the-money call at each monthly expiry.
    Bxm,
    /// CBOE BXY: the one-month call 2 % out of the money.
    Bxy,
    /// CBOE BXMD: the one-month 30-delta call.
    Bxmd,
    /// The planner's own choice (--profile, --dte, filters) with take-profit and roll.
    Ccplan,
}

/// `--settle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SettleArg {
    /// Shares called away at the strike, bought back at the next open.
    Physical,
    /// Pay (close − strike) in cash and keep the shares, as BXM.
    Cash,
}

/// Arguments of `backtest`.
#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// Ticker (or --holdings).
    #[arg(required_unless_present = "holdings")]
    pub symbol: Option<String>,
    /// Every holding of a holdings file (ccplan TOML/CSV or a broker's export).
    #[arg(long, value_name = "FILE", conflicts_with = "symbol")]
    pub holdings: Option<PathBuf>,
    /// Shares held at the start (with SYMBOL; default 100).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100,
        conflicts_with = "holdings"
    )]
    pub shares: u64,
    /// First session (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: NaiveDate,
    /// Last session (default: --as-of, else today).
    #[arg(long, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    /// Which call to write.
    #[arg(long, value_enum, default_value = "bxm")]
    pub rule: RuleArg,
    /// Price-history source: cboe, yahoo, tradier, demo or file:PATH (default: the config's).
    #[arg(long, value_name = "SOURCE")]
    pub history: Option<SourceSpec>,
    /// Use the real chains archived in the store (`--archive` on market commands) on the
    /// days they exist.
    #[arg(long)]
    pub archive: bool,
    /// Synthetic IV = HV20 × this where the store has no IV30 for the day.
    #[arg(long, value_name = "X", default_value_t = 1.1)]
    pub iv_premium: f64,
    /// Commission and fees per contract per trade, USD.
    #[arg(long, value_name = "USD", default_value_t = 0.0)]
    pub fee: f64,
    /// Settlement of an in-the-money expiry.
    #[arg(long, value_enum, default_value = "physical")]
    pub settle: SettleArg,
    /// Risk-free rate for pricing and Sharpe/Sortino (default from config, else 4%).
    #[arg(long, value_parser = parse_fraction, allow_hyphen_values = true)]
    pub rate: Option<f64>,
    /// A split effective at the open of DATE (DATE:RATIO, 4 for 4-for-1), for histories as
    /// traded. Repeatable. With SYMBOL only.
    #[arg(long = "split", value_name = "DATE:RATIO", value_parser = parse_dated, conflicts_with = "holdings")]
    pub splits: Vec<(NaiveDate, f64)>,
    /// A cash dividend going ex on DATE (DATE:AMOUNT, USD per share). Repeatable. With
    /// SYMBOL only.
    #[arg(long = "dividend", value_name = "DATE:AMOUNT", value_parser = parse_dated, conflicts_with = "holdings")]
    pub dividends: Vec<(NaiveDate, f64)>,
    /// Rule ccplan: risk profile.
    #[arg(long, value_enum, default_value = "balanced")]
    pub profile: ProfileArg,
    /// Rule ccplan: days to expiry, MIN..MAX (default 7..60).
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_dte)]
    pub dte: Option<(u32, u32)>,
    /// Rule ccplan: premium basis.
    #[arg(long, value_enum, default_value = "bid")]
    pub basis: BasisArg,
    /// Rule ccplan: share of the holding to cover.
    #[arg(long, value_parser = parse_fraction, default_value = "100%")]
    pub coverage: f64,
    /// Rule ccplan: minimum bid, USD per share.
    #[arg(long, value_name = "USD", default_value_t = 0.0)]
    pub min_bid: f64,
    /// Rule ccplan: maximum assignment probability N(d2).
    #[arg(long, value_parser = parse_fraction)]
    pub max_assignment: Option<f64>,
    /// Rule ccplan: minimum annualized premium yield.
    #[arg(long, value_parser = parse_fraction)]
    pub min_yield: Option<f64>,
    /// Rule ccplan: buy back when this share of the premium is captured.
    #[arg(long, value_parser = parse_fraction, default_value = "80%")]
    pub take_profit: f64,
    /// Rule ccplan: roll an in-the-money call within N days of expiry.
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub roll_dte: u32,
    /// Rule ccplan: hold every call to expiry (no take-profit, no roll).
    #[arg(long)]
    pub no_manage: bool,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = super::args::format_parser())]
    pub format: Format,
    /// Also write the summary to FILE (format from the extension), atomically.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the trade ledger as CSV.
    #[arg(long, value_name = "FILE.csv")]
    pub trades: Option<PathBuf>,
    /// Write the daily equity curves as CSV.
    #[arg(long, value_name = "FILE.csv")]
    pub equity: Option<PathBuf>,
    /// Draw both equity curves as SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

fn parse_dated(s: &str) -> Result<(NaiveDate, f64), String> {
    let (date, v) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("{s:?}: expected DATE:NUMBER, e.g. 2021-07-20:4"))?;
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{date:?} is not a YYYY-MM-DD date"))?;
    let v: f64 = v
        .trim()
        .parse()
        .map_err(|_| format!("{v:?} is not a number"))?;
    if !(v.is_finite() && v > 0.0) {
        return Err(format!("{v} must be a positive finite number"));
    }
    Ok((date, v))
}

fn parse_dte(s: &str) -> Result<(u32, u32), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("{s:?}: expected MIN..MAX, e.g. 7..60"))?;
    let a: u32 = a
        .trim()
        .parse()
        .map_err(|_| format!("{a:?} is not a day count"))?;
    let b: u32 = b
        .trim()
        .parse()
        .map_err(|_| format!("{b:?} is not a day count"))?;
    if a > b {
        return Err(format!("{s}: MIN must not exceed MAX"));
    }
    Ok((a, b))
}

impl BacktestArgs {
    fn params(&self, to: NaiveDate, rate: f64) -> anyhow::Result<BacktestParams> {
        let rule = match self.rule {
            RuleArg::Bxm => Rule::Bxm,
            RuleArg::Bxy => Rule::Bxy,
            RuleArg::Bxmd => Rule::Bxmd,
            RuleArg::Ccplan => Rule::Ccplan,
        };
        let mut p = BacktestParams::new(self.from, to, rule);
        p.settle = match self.settle {
            SettleArg::Physical => Settle::Physical,
            SettleArg::Cash => Settle::Cash,
        };
        p.fee = self.fee;
        p.rate = rate;
        p.iv_premium = self.iv_premium;
        p.plan = PlanParams {
            window: match self.dte {
                Some((min, max)) => ExpiryWindow::Dte { min, max },
                None => ExpiryWindow::default(),
            },
            coverage: self.coverage,
            basis: match self.basis {
                BasisArg::Bid => PremiumBasis::Bid,
                BasisArg::Mid => PremiumBasis::Mid,
            },
            min_bid: self.min_bid,
            max_assignment: self.max_assignment,
            min_annualized_yield: self.min_yield,
            top_n: 1,
            profile: match self.profile {
                ProfileArg::Conservative => Profile::Conservative,
                ProfileArg::Balanced => Profile::Balanced,
                ProfileArg::Aggressive => Profile::Aggressive,
            },
            rate,
            ..PlanParams::default()
        };
        p.manage = (rule == Rule::Ccplan && !self.no_manage).then(|| ManageParams {
            take_profit: self.take_profit,
            roll_dte: self.roll_dte,
            rate,
            ..ManageParams::default()
        });
        if let Err(e) = p.validate() {
            return usage(e.to_string());
        }
        Ok(p)
    }
}

/// Run `backtest`.
pub fn run_cmd(a: &BacktestArgs, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<()> {
    let to =
        a.to.unwrap_or_else(|| ccplan::store::session_date(&ctx.now));
    if a.from > to {
        return usage(format!("--from {} is after --to {to}", a.from));
    }
    let params = a.params(to, a.rate.unwrap_or(ctx.settings.rate))?;
    for (flag, p) in [("--trades", &a.trades), ("--equity", &a.equity)] {
        if let Some(p) = p {
            if p.extension().and_then(|e| e.to_str()) != Some("csv") {
                return usage(format!(
                    "{flag} {}: the file name must end in .csv",
                    p.display()
                ));
            }
        }
    }
    if let Some(p) = &a.chart {
        if p.extension().and_then(|e| e.to_str()) != Some("svg") {
            return usage(format!(
                "--chart {}: the file name must end in .svg",
                p.display()
            ));
        }
    }
    let holdings: Vec<(String, u64)> = match (&a.holdings, &a.symbol) {
        (Some(path), _) => read_holdings(path)?
            .holdings
            .into_iter()
            .map(|h| (h.symbol, h.shares))
            .collect(),
        (None, Some(s)) => vec![(s.trim().to_ascii_uppercase(), a.shares)],
        (None, None) => return usage("give a SYMBOL or --holdings FILE"),
    };
    let spec = a
        .history
        .clone()
        .or_else(|| ctx.settings.history.clone())
        .or_else(|| sources::default_history(&ctx.settings.source))
        .unwrap_or(SourceSpec::Cboe);
    let source = sources::history_source(&spec, &ctx.settings)?;
    // Six weeks before --from for HV20.
    let warm = a.from - Duration::days(45);
    let store = Store::open_existing(&ctx.store).ok();
    let mut inputs = Vec::with_capacity(holdings.len());
    for (sym, shares) in &holdings {
        let history = source
            .history(sym, warm, to)
            .with_context(|| format!("{sym}: price history from {}", source.name()))?;
        let mut iv = Vec::new();
        let mut chains = Vec::new();
        if let Some(st) = &store {
            if let Ok(rows) = st.summaries(sym) {
                iv.extend(rows.iter().filter_map(|r| {
                    r.iv30.map(|v| IvPoint {
                        date: r.date,
                        iv: v,
                    })
                }));
            }
            if a.archive {
                for day in st.snapshot_dates(sym).unwrap_or_default() {
                    if day >= a.from && day <= to {
                        if let Ok(Some(snap)) = st.load_snapshot(sym, day) {
                            chains.push(snap);
                        }
                    }
                }
            }
        }
        let mut splits: Vec<SplitEvent> = a
            .splits
            .iter()
            .map(|&(date, ratio)| SplitEvent { date, ratio })
            .collect();
        let mut dividends: Vec<Dividend> = a
            .dividends
            .iter()
            .map(|&(ex_date, amount)| Dividend { ex_date, amount })
            .collect();
        // A recorded Yahoo chart carries its splits and dividends beside the bars; the flags
        // given win over them.
        if let SourceSpec::File(path) = &spec {
            if let Some(ev) = chart_events(path, sym) {
                say::note(format_args!(
                    "{sym}: {} split(s) and {} dividend(s) in the chart's events",
                    ev.splits.len(),
                    ev.dividends.len()
                ));
                if splits.is_empty() {
                    splits = ev.splits;
                }
                if dividends.is_empty() {
                    dividends = ev.dividends;
                }
            }
        }
        inputs.push(HoldingInput {
            shares: *shares,
            history,
            splits,
            dividends,
            iv,
            chains,
        });
    }
    if a.archive && inputs.iter().all(|h| h.chains.is_empty()) {
        say::note(format_args!(
            "no archived chains in {} for the range; every day is synthetic",
            ctx.store.display()
        ));
    }
    let report = run(&inputs, &params)?;
    for n in &report.notes {
        say::note(n);
    }
    if let Some(path) = &a.trades {
        write_csv(path, &ledger_table(&report.ledger))?;
    }
    if let Some(path) = &a.equity {
        write_csv(path, &equity_table(&report))?;
    }
    if let Some(path) = &a.chart {
        let title = title(&report);
        write_atomic(path, |w| write_equity_svg(&report, &title, w))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    let html = || -> anyhow::Result<String> {
        let spec = a
            .history
            .as_ref()
            .map_or_else(|| "default history source".to_string(), |h| h.to_string());
        Ok(ccplan::report::backtest_page(
            &ccplan::report::BacktestView {
                report: &report,
                summary: &summary_table(&report, false),
                ledger: &ledger_table(&report.ledger),
                sources: vec![("price history".to_string(), spec)],
            },
        ))
    };
    super::html_out::emit_or_html(
        a.format,
        a.out.as_deref(),
        out,
        &|f, w| render(&report, f, w),
        &html,
    )
}

/// The events of a saved Yahoo chart payload, when the file is one and has any.
fn chart_events(path: &Path, sym: &str) -> Option<SeriesEvents> {
    if std::fs::metadata(path).ok()?.len() > 64 << 20 {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    if !text.trim_start().starts_with('{') || !text.contains("\"chart\"") {
        return None;
    }
    let ev = ccplan::providers::yahoo::parse_chart_events(&text, sym).ok()?;
    (!ev.splits.is_empty() || !ev.dividends.is_empty()).then_some(ev)
}

fn write_csv(path: &Path, t: &Table) -> anyhow::Result<()> {
    write_atomic(path, |w| t.write(Format::Csv, w))
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn title(r: &BacktestReport) -> String {
    let names: Vec<&str> = r.holdings.iter().map(|h| h.symbol.as_str()).collect();
    format!(
        "{} {} {} → {}",
        names.join("+"),
        r.params.rule.as_str(),
        r.summary.from,
        r.summary.to
    )
}

fn render(r: &BacktestReport, f: Format, w: &mut dyn Write) -> anyhow::Result<()> {
    if f == Format::Json {
        write_json(r, w)?;
        return Ok(());
    }
    if f == Format::Table {
        let iv: Vec<String> = r
            .holdings
            .iter()
            .map(|h| format!("{} {}", h.symbol, h.iv_source))
            .collect();
        writeln!(
            w,
            "{}: {} sessions, option prices real on {} and synthetic on {}; IV: {}",
            title(r),
            r.summary.sessions,
            r.summary.real_days,
            r.summary.synthetic_days,
            iv.join(", ")
        )?;
    }
    summary_table(r, f == Format::Csv).write(f, w)?;
    Ok(())
}

/// `name` for people ("total return %"), or its machine form for CSV ("total_return").
fn metric(name: &str, machine: bool) -> String {
    if !machine {
        return name.to_string();
    }
    name.trim_end_matches(" $")
        .trim_end_matches(" %")
        .replace(" (mid)", "")
        .replace(' ', "_")
}

fn summary_table(r: &BacktestReport, machine: bool) -> Table {
    let s = &r.summary;
    let mut t: Vec<Metric> = Vec::new();
    let (a, b) = (&s.strategy, &s.buy_and_hold);
    let both = |t: &mut Vec<Metric>, name: &str, strategy: Cell, buy_and_hold: Cell| {
        t.push(Metric {
            name: metric(name, machine),
            strategy,
            buy_and_hold,
        });
    };
    both(
        &mut t,
        "initial value $",
        Cell::num(Some(a.initial_value), 2),
        Cell::num(Some(b.initial_value), 2),
    );
    both(
        &mut t,
        "final value $",
        Cell::num(Some(a.final_value), 2),
        Cell::num(Some(b.final_value), 2),
    );
    both(
        &mut t,
        "total return %",
        Cell::pct(Some(a.total_return), 2),
        Cell::pct(Some(b.total_return), 2),
    );
    both(
        &mut t,
        "annualized return %",
        Cell::pct(Some(a.annualized_return), 2),
        Cell::pct(Some(b.annualized_return), 2),
    );
    both(
        &mut t,
        "annualized volatility %",
        Cell::pct(Some(a.annualized_volatility), 2),
        Cell::pct(Some(b.annualized_volatility), 2),
    );
    both(
        &mut t,
        "max drawdown %",
        Cell::pct(Some(a.max_drawdown), 2),
        Cell::pct(Some(b.max_drawdown), 2),
    );
    both(
        &mut t,
        "sharpe",
        Cell::num(a.sharpe, 2),
        Cell::num(b.sharpe, 2),
    );
    both(
        &mut t,
        "sortino",
        Cell::num(a.sortino, 2),
        Cell::num(b.sortino, 2),
    );
    let one = |t: &mut Vec<Metric>, name: &str, strategy: Cell| {
        t.push(Metric {
            name: metric(name, machine),
            strategy,
            buy_and_hold: Cell::Empty,
        });
    };
    one(
        &mut t,
        "premium collected $",
        Cell::num(Some(s.premium_collected), 2),
    );
    one(&mut t, "paid back $", Cell::num(Some(s.paid_back), 2));
    one(&mut t, "fees $", Cell::num(Some(s.fees), 2));
    one(
        &mut t,
        "upside given away $",
        Cell::num(Some(s.upside_given_away), 2),
    );
    one(&mut t, "dividends $", Cell::num(Some(s.dividends), 2));
    one(
        &mut t,
        "open call at end (mid) $",
        Cell::num(Some(s.open_call_mark), 2),
    );
    let int = |n: usize| Cell::Int(i64::try_from(n).unwrap_or(i64::MAX));
    one(&mut t, "calls written", int(s.calls_written));
    one(&mut t, "assignments", int(s.assignments));
    one(&mut t, "early assignments", int(s.early_assignments));
    one(&mut t, "months", int(s.months));
    one(&mut t, "months ahead", int(s.months_ahead));
    one(&mut t, "real days", int(s.real_days));
    one(&mut t, "synthetic days", int(s.synthetic_days));
    one(
        &mut t,
        "reconciliation difference $",
        Cell::num(Some(r.reconciliation.difference), 2),
    );
    Table::from_rows(SUMMARY, &t)
}

/// One line of the summary: a metric for the strategy and, where it applies, buy and hold.
struct Metric {
    name: String,
    strategy: Cell,
    buy_and_hold: Cell,
}

const SUMMARY: &[Col<Metric>] = &[
    Col::new("metric", "metric", |m| Cell::text(&m.name)),
    Col::new("strategy", "strategy", |m| m.strategy.clone()),
    Col::new("buy_and_hold", "buy and hold", |m| m.buy_and_hold.clone()),
];

fn ledger_table(rows: &[LedgerEntry]) -> Table {
    Table::from_rows(LEDGER, rows)
}

const LEDGER: &[Col<LedgerEntry>] = &[
    Col::new("date", "date", |e| Cell::text(e.date.to_string())),
    Col::new("symbol", "symbol", |e| Cell::text(&e.symbol)),
    Col::new("event", "event", |e| Cell::text(e.event.as_str())),
    Col::new("contract", "contract", |e| {
        Cell::text(e.contract.clone().unwrap_or_default())
    }),
    Col::new("expiry", "expiry", |e| {
        Cell::text(e.expiry.map(|d| d.to_string()).unwrap_or_default())
    }),
    Col::new("strike", "strike $", |e| Cell::num(e.strike, 2)),
    Col::new("contracts", "contracts", |e| {
        Cell::Int(i64::from(e.contracts))
    }),
    Col::new("deliverable", "shares per contract", |e| {
        Cell::num(Some(e.deliverable), 0)
    }),
    Col::new("price", "price $", |e| Cell::num(e.price, 2)),
    Col::new("spot", "spot $", |e| Cell::num(Some(e.spot), 2)),
    Col::new("iv", "IV", |e| Cell::num(e.iv, 4)),
    Col::new("source", "source", |e| Cell::text(e.source.as_str())),
    Col::new("shares", "shares", |e| Cell::num(Some(e.shares), 0)),
    Col::new("cash_flow", "cash flow $", |e| {
        Cell::num(Some(e.cash_flow), 2)
    }),
    Col::new("fee", "fee $", |e| Cell::num(Some(e.fee), 2)),
    Col::new("note", "note", |e| Cell::text(&e.note)),
];

fn equity_table(r: &BacktestReport) -> Table {
    Table::from_rows(EQUITY, &r.equity)
}

const EQUITY: &[Col<EquityPoint>] = &[
    Col::new("date", "date", |p| Cell::text(p.date.to_string())),
    Col::new("strategy", "strategy $", |p| Cell::num(Some(p.strategy), 2)),
    Col::new("buy_and_hold", "buy and hold $", |p| {
        Cell::num(Some(p.buy_and_hold), 2)
    }),
    Col::new("cash", "cash $", |p| Cell::num(Some(p.cash), 2)),
    Col::new("stock", "stock $", |p| Cell::num(Some(p.stock), 2)),
    Col::new("calls", "calls $", |p| Cell::num(Some(p.calls), 2)),
    Col::new("option_prices", "option prices", |p| {
        Cell::text(p.option_prices.as_str())
    }),
];

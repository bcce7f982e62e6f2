//! `ccplan manage`: what to do with the calls already written — hold, close, roll or let
//! assign — with the reasons, the orders, exit code 3 for alerts, and `--watch`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, FixedOffset, NaiveDate};
use clap::ValueEnum;

use ccplan::export::orders::{manage_tickets, TimeInForce};
use ccplan::export::{write_json, Cell, Col, Format, Table};
use ccplan::fsutil::write_atomic;
use ccplan::model::{parse_written_call, CorporateEvents, Holding, Portfolio};
use ccplan::plan::{
    manage, manage_analysed, ManageParams, ManageReport, ManagedPosition, Market, PositionAction,
    RollCandidate,
};
use ccplan::regime::RegimeThresholds;

use super::args::parse_fraction;
use super::orders_out::{write_order_file, BrokerArg};
use super::say;
use super::suggest_cmd::{pipeline, read_holdings, report_warnings};
use super::watch::{next_check, parse_interval, Clock, ReplayClock, SystemClock};
use super::{usage, ActionNeeded, Ctx, MarketArgs};

/// An action, for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActionArg {
    /// Hold.
    Hold,
    /// Buy to close.
    Close,
    /// Roll.
    Roll,
    /// Let assign.
    #[value(name = "let_assign", alias = "let-assign")]
    LetAssign,
}

impl From<ActionArg> for PositionAction {
    fn from(a: ActionArg) -> Self {
        match a {
            ActionArg::Hold => PositionAction::Hold,
            ActionArg::Close => PositionAction::Close,
            ActionArg::Roll => PositionAction::Roll,
            ActionArg::LetAssign => PositionAction::LetAssign,
        }
    }
}

/// Arguments of `manage`.
#[derive(Debug, clap::Args)]
pub struct ManageArgs {
    /// Underlying ticker (with --written; default: the written call's root).
    pub symbol: Option<String>,
    /// The holdings file (TOML or CSV) with the written calls, their price and opened date.
    #[arg(long, value_name = "FILE")]
    pub holdings: Option<PathBuf>,
    /// A call already written: OCC@PRICE[:DATE] (price received per share, date sold);
    /// OCC:N@PRICE[:DATE] for N contracts. Repeatable.
    #[arg(long, value_name = "OCC@PRICE[:DATE]")]
    pub written: Vec<String>,
    /// Shares held (with --written; default 100 per written contract).
    #[arg(long, value_name = "N")]
    pub shares: Option<u64>,
    /// Average cost per share, USD (with --written).
    #[arg(long, value_name = "USD")]
    pub cost_basis: Option<f64>,
    /// Next earnings date (with --written).
    #[arg(long, value_name = "DATE")]
    pub earnings_date: Option<NaiveDate>,
    /// Next ex-dividend date (with --written).
    #[arg(long, value_name = "DATE")]
    pub ex_dividend: Option<NaiveDate>,
    /// Dividend per share paid on the ex-date, USD (with --written).
    #[arg(long, value_name = "USD")]
    pub dividend: Option<f64>,
    /// Close when this share of the premium is captured ((open − ask) ÷ open).
    #[arg(long, value_parser = parse_fraction, default_value = "80%")]
    pub take_profit: f64,
    /// Close when the extrinsic value left per day falls below this, USD per share.
    #[arg(long, value_name = "USD")]
    pub min_extrinsic_per_day: Option<f64>,
    /// Allow rolls down to a lower strike.
    #[arg(long)]
    pub allow_roll_down: bool,
    /// Furthest expiry a roll may go to, calendar days.
    #[arg(long, value_name = "DAYS", default_value_t = 45)]
    pub max_roll_dte: u32,
    /// Least net credit a roll must bring, USD per share.
    #[arg(long, value_name = "USD", default_value_t = 0.01)]
    pub min_roll_credit: f64,
    /// Roll (or let go) an in-the-money call this many days before expiry.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub roll_dte: u32,
    /// Content to be called away at a strike at or above this, USD (a holding's own
    /// assign_ok_above wins).
    #[arg(long, value_name = "PRICE")]
    pub assign_ok_above: Option<f64>,
    /// Allow a roll into an expiry on or after the next earnings date.
    #[arg(long)]
    pub allow_roll_into_earnings: bool,
    /// Roll rather than close when take profit fires with time left.
    #[arg(long)]
    pub roll_on_profit: bool,
    /// Allow a roll's new call to expire today.
    #[arg(long)]
    pub allow_0dte: bool,
    /// Exit with code 3 when any position needs one of these actions: close,roll,let_assign.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "ACTIONS")]
    pub fail_on: Vec<ActionArg>,
    /// Repeat the check every INTERVAL (15m, 1h) during market hours; stops at the close.
    #[arg(long, value_name = "INTERVAL", value_parser = parse_interval)]
    pub watch: Option<chrono::Duration>,
    /// Run this shell command, with the message on standard input, when an action appears.
    #[arg(long, value_name = "CMD")]
    pub notify: Option<String>,
    /// With --watch, go on through the night to the next sessions instead of stopping.
    #[arg(long, requires = "watch")]
    pub overnight: bool,
    /// Fallback risk-free rate when parity cannot be used.
    #[arg(long, value_parser = parse_fraction, allow_hyphen_values = true)]
    pub rate: Option<f64>,
    /// Fallback dividend yield when parity cannot be used.
    #[arg(long, value_parser = parse_fraction, allow_hyphen_values = true)]
    pub div_yield: Option<f64>,
    #[command(flatten)]
    pub market: MarketArgs,
    /// Output format on standard output.
    #[arg(long, default_value = "table")]
    pub format: Format,
    /// Also write the report to FILE (.csv .json .md .txt, or .html for the self-contained
    /// report page), atomically.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the order tickets (closes and rolls) to FILE, in the form --broker names.
    #[arg(long, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// The form of the --orders file: generic (ccplan CSV), tos (thinkorswim order
    /// strings), ibkr (BasketTrader CSV), schwab or tastytrade (API order JSON).
    #[arg(long, value_enum, default_value = "generic", requires = "orders")]
    pub broker: BrokerArg,
}

impl ManageArgs {
    fn params(&self, ctx: &Ctx) -> anyhow::Result<ManageParams> {
        let p = ManageParams {
            take_profit: self.take_profit,
            min_extrinsic_per_day: self.min_extrinsic_per_day,
            allow_roll_down: self.allow_roll_down,
            max_roll_dte: self.max_roll_dte,
            min_roll_credit: self.min_roll_credit,
            roll_dte: self.roll_dte,
            assign_ok_above: self.assign_ok_above,
            roll_into_earnings: self.allow_roll_into_earnings,
            roll_on_profit: self.roll_on_profit,
            allow_0dte: self.allow_0dte,
            rate: self.rate.unwrap_or(ctx.settings.rate),
            div_yield: self.div_yield.unwrap_or(ctx.settings.div_yield),
            ..ManageParams::default()
        };
        if let Err(e) = p.validate() {
            return usage(e.to_string());
        }
        Ok(p)
    }

    fn portfolio(&self) -> anyhow::Result<Portfolio> {
        let symbol = self
            .symbol
            .as_deref()
            .map(|s| s.trim().to_ascii_uppercase());
        if !self.written.is_empty() {
            if self.holdings.is_some() {
                return usage("give either --holdings FILE or --written OCC@PRICE, not both");
            }
            let mut written = Vec::new();
            for w in &self.written {
                let mut call = parse_written_call(w, "--written")?;
                if !w.split('@').next().unwrap_or("").contains(':') && self.written.len() == 1 {
                    if let Some(n) = self.shares {
                        call.contracts = u32::try_from((n / 100).max(1)).unwrap_or(u32::MAX);
                    }
                }
                written.push(call);
            }
            let sym = symbol.unwrap_or_else(|| {
                written[0]
                    .contract
                    .root
                    .trim_end_matches(|c: char| c.is_ascii_digit())
                    .to_string()
            });
            let covered: u64 = written.iter().map(|w| u64::from(w.contracts) * 100).sum();
            if let Some(b) = self.cost_basis {
                if !(b.is_finite() && b >= 0.0) {
                    return usage(format!("--cost-basis {b}: expected a USD amount ≥ 0"));
                }
            }
            return Ok(Portfolio {
                holdings: vec![Holding {
                    symbol: sym,
                    shares: self.shares.unwrap_or(covered).max(1),
                    cost_basis: self.cost_basis,
                    written,
                    assign_ok_above: None,
                    events: CorporateEvents {
                        next_earnings: self.earnings_date,
                        ex_dividend: self.ex_dividend,
                        dividend: self.dividend,
                    },
                }],
            });
        }
        let Some(path) = &self.holdings else {
            return usage(
                "manage needs --holdings FILE, or SYMBOL --written OCC@PRICE[:DATE] --shares N",
            );
        };
        let mut p = read_holdings(path)?;
        if let Some(sym) = symbol {
            p.holdings.retain(|h| h.symbol == sym);
            if p.holdings.is_empty() {
                return usage(format!(
                    "{sym} is not in the holdings file {}",
                    path.display()
                ));
            }
        }
        Ok(p)
    }
}

/// Run `manage`.
pub fn run(a: &ManageArgs, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<()> {
    let params = a.params(ctx)?;
    let mut portfolio = a.portfolio()?;
    supply_from_journal(&mut portfolio, ctx);
    if !portfolio.holdings.iter().any(|h| !h.written.is_empty()) {
        say::note(format_args!(
            "no written calls in the holdings: nothing to manage"
        ));
    }
    let fail_on: Vec<PositionAction> = a.fail_on.iter().map(|x| (*x).into()).collect();
    let mut clock: Box<dyn Clock> = if ctx.frozen {
        Box::new(ReplayClock { now: ctx.now })
    } else {
        Box::new(SystemClock)
    };
    let mut now = ctx.now;
    let mut previous: Option<BTreeMap<String, (PositionAction, Option<String>)>> = None;
    let mut alert = false;
    loop {
        let (report, warnings) = check(&portfolio, &params, a, ctx, now)?;
        let state: BTreeMap<String, (PositionAction, Option<String>)> = report
            .positions
            .iter()
            .map(|p| (p.contract.clone(), (p.action, p.roll_to.clone())))
            .collect();
        let mut appeared = Vec::new();
        match &previous {
            None => {
                let render = |f: Format, w: &mut dyn Write| render(&report, f, w);
                let html = || Ok(html_page(&report, &warnings, a, ctx));
                super::html_out::emit_or_html(a.format, a.out.as_deref(), out, &render, &html)?;
                for p in report
                    .positions
                    .iter()
                    .filter(|p| p.action != PositionAction::Hold)
                {
                    appeared.push(message(p));
                }
            }
            Some(prev) => {
                if let Some(path) = a.out.as_deref().filter(|p| super::html_out::is_html(p)) {
                    super::html_out::write_html(path, &html_page(&report, &warnings, a, ctx))?;
                } else if let Some(path) = &a.out {
                    let f = Format::from_path(path)?;
                    write_atomic(path, |w| {
                        render(&report, f, w).map_err(|e| {
                            ccplan::Error::Output(std::io::Error::other(e.to_string()))
                        })
                    })
                    .with_context(|| format!("writing {}", path.display()))?;
                }
                for p in &report.positions {
                    let was = prev.get(&p.contract);
                    if was != state.get(&p.contract) {
                        let from = was.map_or("new", |(act, _)| act.as_str());
                        writeln!(
                            out,
                            "{} {}: {from} -> {}{}",
                            now.format("%Y-%m-%d %H:%M"),
                            p.contract,
                            p.action,
                            p.reasons
                                .last()
                                .map_or_else(String::new, |r| format!(" ({r})"))
                        )?;
                        if p.action != PositionAction::Hold {
                            appeared.push(message(p));
                        }
                    }
                }
                out.flush()?;
            }
        }
        if let Some(path) = &a.orders {
            write_order_file(path, a.broker, &manage_tickets(&report, TimeInForce::Day))?;
        }
        if !appeared.is_empty() {
            if let Some(cmd) = &a.notify {
                notify(cmd, &appeared.join("\n"));
            }
        }
        alert |= report.any(&fail_on);
        previous = Some(state);
        let Some(interval) = a.watch else { break };
        match next_check(now, interval, a.overnight) {
            Some(t) => {
                clock.sleep_until(t);
                now = clock.now();
            }
            None => {
                eprintln!(
                    "watch: stopping at the close ({}); --overnight to go on",
                    now.format("%Y-%m-%d %H:%M %:z")
                );
                break;
            }
        }
    }
    if alert {
        let names: Vec<&str> = fail_on.iter().map(|a| a.as_str()).collect();
        return Err(ActionNeeded(format!(
            "a position needs one of: {} (--fail-on)",
            names.join(", ")
        ))
        .into());
    }
    Ok(())
}

/// Written calls without an open price, date or fees get them from the journal in the store
/// (`journal import` / `journal add`), when there is one; each filled call is noted.
fn supply_from_journal(portfolio: &mut Portfolio, ctx: &Ctx) {
    let lacking = portfolio
        .holdings
        .iter()
        .flat_map(|h| &h.written)
        .any(|w| w.price.is_none() || w.opened.is_none() || w.fees.is_none());
    if !lacking || !ctx.store.is_file() {
        return;
    }
    let entries = match ccplan::store::Store::open_existing(&ctx.store).and_then(|s| s.journal()) {
        Ok(e) => e,
        Err(e) => {
            say::warn(format_args!(
                "the journal could not be read ({e}): open prices not supplied"
            ));
            return;
        }
    };
    for s in ccplan::journal::supply_written_calls(portfolio, &entries, None) {
        say::note(format_args!("{}", s.describe()));
    }
}

/// The `--out FILE.html` page of one check.
fn html_page(report: &ManageReport, warnings: &[String], a: &ManageArgs, ctx: &Ctx) -> String {
    let chains = a
        .market
        .source
        .clone()
        .unwrap_or_else(|| ctx.settings.source.clone());
    ccplan::report::manage_page(
        report,
        &[("option chains".to_string(), chains.to_string())],
        warnings,
    )
}

fn message(p: &ccplan::plan::ManagedPosition) -> String {
    format!("{}: {} — {}", p.contract, p.action, p.reasons.join("; "))
}

/// Run `sh -c CMD` with `msg` on its standard input; a failure is a warning, not an error.
fn notify(cmd: &str, msg: &str) {
    use std::process::{Command, Stdio};
    let child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::piped())
        .spawn();
    match child {
        Ok(mut c) => {
            if let Some(mut stdin) = c.stdin.take() {
                let _ = writeln!(stdin, "{msg}");
            }
            match c.wait() {
                Ok(s) if s.success() => {}
                Ok(s) => say::warn(format_args!("--notify command exited with {s}")),
                Err(e) => say::warn(format_args!("--notify command: {e}")),
            }
        }
        Err(e) => say::warn(format_args!("could not run the --notify command: {e}")),
    }
}

/// One check at `now`: fetch each chain, manage the book; the warnings said on standard
/// error come back for the report page.
fn check(
    portfolio: &Portfolio,
    params: &ManageParams,
    a: &ManageArgs,
    ctx: &Ctx,
    now: DateTime<FixedOffset>,
) -> anyhow::Result<(ManageReport, Vec<String>)> {
    let here = Ctx {
        settings: ctx.settings.clone(),
        now,
        store: ctx.store.clone(),
        as_of_given: ctx.as_of_given,
        frozen: ctx.frozen,
    };
    let mut pipe = pipeline(&a.market, &here, RegimeThresholds::default(), false, false)?;
    pipe.histories = None;
    // One analysis at the positions' rate and yield.
    pipe.rate = params.rate;
    pipe.div_yield = params.div_yield;
    let mut data = Vec::new();
    let mut warnings = Vec::new();
    for h in portfolio.holdings.iter().filter(|h| !h.written.is_empty()) {
        match pipe.run_events(&h.symbol, &h.events) {
            Ok(d) => {
                report_warnings(&d);
                warnings.extend(d.warnings.iter().cloned());
                data.push(d);
            }
            Err(e) => {
                say::warn(format_args!("{}: {e:#}", h.symbol));
                warnings.push(format!("{}: {e:#}", h.symbol));
            }
        }
    }
    let markets: Vec<Market<'_>> = data
        .iter()
        .map(|d| Market {
            chain: &d.snap,
            history: None,
        })
        .collect();
    // The pipeline's analyses serve the positions (all of them, or `manage` analyses again
    // and says why a chain could not be).
    let analysed = super::analysis::analysed_markets(&markets, &data);
    let report = match &analysed {
        Some(analysed) => manage_analysed(portfolio, analysed, params, now)?,
        None => manage(portfolio, &markets, params, now)?,
    };
    Ok((report, warnings))
}

fn render(r: &ManageReport, f: Format, w: &mut dyn Write) -> anyhow::Result<()> {
    match f {
        Format::Json => write_json(r, w)?,
        Format::Csv => full(r).write(f, w)?,
        Format::Table | Format::Md => human(r, f, w)?,
    }
    Ok(())
}

/// Every column of a position (CSV).
fn full(r: &ManageReport) -> Table {
    Table::from_rows(FULL, &r.positions)
}

const FULL: &[Col<ManagedPosition>] = &[
    Col::new("symbol", "symbol", |p| Cell::text(&p.symbol)),
    Col::new("contract", "contract", |p| Cell::text(&p.contract)),
    Col::new("osi", "OSI", |p| Cell::text(&p.osi)),
    Col::new("contracts", "n", |p| Cell::Int(i64::from(p.contracts))),
    Col::new("action", "action", |p| Cell::text(p.action.as_str())),
    Col::new("roll_to", "roll to", |p| {
        Cell::text(p.roll_to.clone().unwrap_or_default())
    }),
    Col::new("net_credit", "net credit $", |p| Cell::num(p.net_credit, 2)),
    Col::new("limit", "limit $", |p| Cell::num(p.limit, 2)),
    Col::new("captured", "captured", |p| Cell::pct(p.captured, 1)),
    Col::new("p_early_exercise", "P(early)", |p| {
        Cell::pct(p.p_early_exercise, 1)
    }),
    Col::new("early_exercise_likely", "early exercise", |p| {
        Cell::text(if !p.in_chain {
            ""
        } else if p.early_assignment.exercise_optimal {
            "likely"
        } else {
            "no"
        })
    }),
    Col::new("early_model", "early model", |p| {
        Cell::text(p.early_assignment.model)
    }),
    Col::new("ex_date", "ex-date", |p| {
        Cell::text(
            p.early_assignment
                .ex_date
                .map_or_else(String::new, |d| d.to_string()),
        )
    }),
    Col::new("dividend", "dividend $", |p| {
        Cell::num(p.early_assignment.dividend, 2)
    }),
    Col::new("critical_spot", "critical spot $", |p| {
        Cell::num(p.early_assignment.critical_spot, 2)
    }),
    Col::new("spot", "spot $", |p| Cell::num(p.spot, 2)),
    Col::new("strike", "strike $", |p| Cell::num(Some(p.strike), 2)),
    Col::new("expiry", "expiry", |p| Cell::text(p.expiry.to_string())),
    Col::new("dte", "DTE", |p| Cell::Int(p.dte)),
    Col::new("bid", "bid $", |p| Cell::num(p.bid, 2)),
    Col::new("ask", "ask $", |p| Cell::num(p.ask, 2)),
    Col::new("mid", "mid $", |p| Cell::num(p.mid, 3)),
    Col::new("delta", "delta", |p| Cell::num(p.delta, 3)),
    Col::new("moneyness", "moneyness", |p| Cell::pct(p.moneyness, 1)),
    Col::new("extrinsic", "extrinsic $", |p| Cell::num(p.extrinsic, 2)),
    Col::new("extrinsic_per_day", "extrinsic $/day", |p| {
        Cell::num(p.extrinsic_per_day, 3)
    }),
    Col::new("assignment_probability", "P(assign)", |p| {
        Cell::pct(p.assignment_probability, 1)
    }),
    Col::new("open_price", "open $", |p| Cell::num(p.open_price, 2)),
    Col::new("opened", "opened", |p| {
        Cell::text(p.opened.map_or_else(String::new, |d| d.to_string()))
    }),
    Col::new("pnl_if_closed", "P&L if closed $", |p| {
        Cell::num(p.pnl_if_closed, 2)
    }),
    Col::new("pnl_if_assigned", "P&L if assigned $", |p| {
        Cell::num(p.pnl_if_assigned, 2)
    }),
    Col::new("days_to_earnings", "days to earnings", |p| {
        Cell::int(p.days_to_earnings)
    }),
    Col::new("reasons", "reasons", |p| Cell::text(p.reasons.join("; "))),
];

/// A position at a glance (table, Markdown).
const COMPACT: &[Col<ManagedPosition>] = &[
    Col::new("contract", "contract", |p| Cell::text(&p.contract)),
    Col::new("contracts", "n", |p| Cell::Int(i64::from(p.contracts))),
    Col::new("dte", "DTE", |p| Cell::Int(p.dte)),
    Col::new("spot", "spot $", |p| Cell::num(p.spot, 2)),
    Col::new("bid", "bid $", |p| Cell::num(p.bid, 2)),
    Col::new("ask", "ask $", |p| Cell::num(p.ask, 2)),
    Col::new("delta", "Δ", |p| Cell::num(p.delta, 2)),
    Col::new("moneyness", "ITM %", |p| Cell::pct(p.moneyness, 1)),
    Col::new("extrinsic", "extr $", |p| Cell::num(p.extrinsic, 2)),
    Col::new("extrinsic_per_day", "extr $/day", |p| {
        Cell::num(p.extrinsic_per_day, 3)
    }),
    Col::new("captured", "captured %", |p| Cell::pct(p.captured, 0)),
    Col::new("pnl_if_closed", "P&L close $", |p| {
        Cell::num(p.pnl_if_closed, 0)
    }),
    Col::new("pnl_if_assigned", "P&L assigned $", |p| {
        Cell::num(p.pnl_if_assigned, 0)
    }),
    Col::new("early", "early ex.", |p| {
        Cell::text(if !p.in_chain {
            ""
        } else if p.early_assignment.ex_date.is_none() {
            "—"
        } else if p.early_assignment.exercise_optimal {
            "likely"
        } else {
            "no"
        })
    }),
    Col::new("earnings", "earnings in", |p| Cell::int(p.days_to_earnings)),
    Col::new("action", "action", |p| Cell::text(p.action.as_str())),
    Col::new("roll_to", "roll to", |p| {
        Cell::text(p.roll_to.clone().unwrap_or_default())
    }),
    Col::new("net_credit", "credit $", |p| Cell::num(p.net_credit, 2)),
];

/// A roll candidate under its position (table, Markdown).
const ROLLS: &[Col<RollCandidate>] = &[
    Col::new("contract", "roll to", |c| Cell::text(&c.contract)),
    Col::new("strike", "strike $", |c| Cell::num(Some(c.strike), 2)),
    Col::new("dte", "DTE", |c| Cell::Int(c.dte)),
    Col::new("net_credit", "net credit $", |c| {
        Cell::num(Some(c.net_credit), 2)
    }),
    Col::new("assignment_probability", "P(assign) %", |c| {
        Cell::pct(c.assignment_probability, 1)
    }),
    Col::new("annualized_yield", "yield/yr %", |c| {
        Cell::pct(Some(c.annualized_yield), 1)
    }),
];

fn human(r: &ManageReport, f: Format, w: &mut dyn Write) -> anyhow::Result<()> {
    let md = f == Format::Md;
    say::title(f, w, "Written calls")?;
    writeln!(
        w,
        "{} written calls as of {}; take profit at {:.0} %, roll window {} days, rolls up to {} \
         days out for ≥ {:.2} credit",
        r.positions.len(),
        r.as_of.to_rfc3339(),
        r.parameters.take_profit * 100.0,
        r.parameters.roll_dte,
        r.parameters.max_roll_dte,
        r.parameters.min_roll_credit
    )?;
    if !md {
        writeln!(w)?;
    }
    Table::from_rows(COMPACT, &r.positions).write(f, w)?;
    for p in &r.positions {
        say::heading(f, w, format_args!("{} — {}", p.contract, p.action))?;
        for reason in &p.reasons {
            writeln!(w, "- {reason}")?;
        }
        let e = &p.early_assignment;
        if p.in_chain {
            writeln!(w, "- early assignment ({}): {}", e.model, e.note)?;
        }
        if !p.rolls.is_empty() {
            if md {
                writeln!(w)?;
            }
            Table::from_rows(ROLLS, &p.rolls).write(f, w)?;
        }
    }
    if !r.notes.is_empty() {
        say::heading(f, w, "Notes")?;
        for n in &r.notes {
            writeln!(w, "- {n}")?;
        }
    }
    Ok(())
}

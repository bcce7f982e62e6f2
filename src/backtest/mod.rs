//! Backtests: what a covered-call rule would have earned on a symbol's own history, against
//! buy-and-hold of the same shares and the CBOE buy-write indexes' rules.
//!
//! Pure: the caller hands in each holding's daily history (any history source), its split
//! events and cash dividends when known, an IV series when one is stored, and any archived
//! real chains; [`run`] returns a [`BacktestReport`] (summary, trade ledger, daily equity
//! curves, and which days were priced from real chains and which from the synthetic market),
//! deterministic to the byte for the same inputs.
//!
//! ## The rules
//!
//! * `bxm` — at each standard monthly expiry (third Friday, NYSE calendar, the Thursday when
//!   the Friday is a holiday), write the next monthly call at the lowest listed strike at or
//!   above the close, and hold it to expiry;
//! * `bxy` — the same, at the lowest strike at or above 1.02 × the close;
//! * `bxmd` — the same, at the strike whose delta is closest to 0.30;
//! * `ccplan` — the planner's own choice ([`crate::plan::suggest()`]) on the day's chain with the
//!   [`PlanParams`] given (profile, DTE window, filters), and, when [`ManageParams`] are given,
//!   the manage rules read daily: take profit (buy back when (open − ask) ÷ open reaches
//!   `take_profit`) and roll (an in-the-money call within `roll_dte` days of expiry is bought
//!   back and the planner writes the next one the same day, on a later expiry).
//!
//! The first call is written at the close of the first session; a new one at the close of the
//! session where the old one ended (after a physical assignment, at the close of the session
//! the shares are bought back). Every sale is on the bid, every buy-back on the ask; the
//! premium is `contracts × deliverable × price`, and `--fee` is charged per contract on each
//! sale, buy-back and assignment. Expiries whose DTE would be under [`MIN_WRITE_DTE`] are
//! skipped for the next month. No call is written on the last session; a call still open there
//! is marked at its mid (a `mark` row of the ledger), so the curve ends in cash and shares.
//!
//! ## Settlement and assignment
//!
//! * `physical` (default): at expiry, a close above the strike assigns: the shares are sold at
//!   the strike and bought back at the next session's open (its close when the source has no
//!   open), both in the ledger. A close at or below the strike expires the call worthless.
//! * `cash` (as BXM): the writer pays (close − strike) per share and keeps the shares.
//! * Early assignment (physical only), on the eve of an ex-dividend date with the call in the
//!   money: the holder is taken to exercise when the American model
//!   ([`crate::pricing::american::early_exercise`], the call's volatility, the dividend at its
//!   ex-date's open) finds exercise optimal, i.e. the close is at or above the critical spot
//!   S*; where that model cannot price the call, when the intrinsic value exceeds the European
//!   value of the call on the ex-dividend spot (the dividend is worth more than the time value
//!   left). The shares go at the strike, the dividend is not received, and they are bought
//!   back at the ex-date's open.
//!
//! ## Prices
//!
//! An archived chain of the day (the store's `--archive` snapshots) supplies the bid, ask and
//! IV of every contract it lists; elsewhere the synthetic market of [`chain`] prices the call
//! from the day's volatility: the IV series (the stored or imported IV30) when it has a value
//! within [`IV_STALE_DAYS`] calendar days, else HV20 (close-to-close over 20 sessions, through
//! the splits) × `iv_premium`. Cash earns nothing; dividends are cash to the holder of the
//! shares at the close before the ex-date (not counted again on a total-return series).
//!
//! ## Reconciliation
//!
//! Final equity = initial value (shares × first close) + Σ ledger cash flows + the stock's
//! mark to market (shares at the end × last close − shares at the start × first close). Every
//! report carries that sum and its difference.

pub mod chain;
pub mod history;
mod sim;
pub mod stats;

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{ChainSnapshot, PriceHistory};
use crate::plan::{ManageParams, PlanParams};

pub use chain::{index_strike, listed_strikes, strike_increment, QuoteModel, SynthQuote};
pub use history::{Dividend, SplitEvent, MAX_GAP_SESSIONS};
pub use stats::{performance, Performance};

/// The fewest calendar days to expiry a new call is written with; a nearer monthly expiry is
/// skipped for the next one.
pub const MIN_WRITE_DTE: i64 = 7;
/// An IV series value is used for this many calendar days after its date.
pub const IV_STALE_DAYS: i64 = 7;

/// Which call to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// CBOE BXM: one-month at-the-money call.
    Bxm,
    /// CBOE BXY: one-month call 2 % out of the money.
    Bxy,
    /// CBOE BXMD: one-month 30-delta call.
    Bxmd,
    /// The planner's own choice, with the manage rules.
    Ccplan,
}

impl Rule {
    /// `bxm`, `bxy`, `bxmd`, `ccplan`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Bxm => "bxm",
            Rule::Bxy => "bxy",
            Rule::Bxmd => "bxmd",
            Rule::Ccplan => "ccplan",
        }
    }
}

/// How an expiring in-the-money call settles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settle {
    /// Shares delivered at the strike, bought back at the next open.
    #[default]
    Physical,
    /// (close − strike) paid in cash, shares kept.
    Cash,
}

/// One value of an IV series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IvPoint {
    /// Session date.
    pub date: NaiveDate,
    /// Implied volatility, decimal.
    pub iv: f64,
}

/// Everything known about one holding.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldingInput {
    /// Shares held at the start (in the units of the first session).
    pub shares: u64,
    /// Daily history covering the range (and ~30 sessions before it for HV20).
    pub history: PriceHistory,
    /// Split events (used on a series as traded).
    pub splits: Vec<SplitEvent>,
    /// Cash dividends.
    pub dividends: Vec<Dividend>,
    /// IV30 series, any order; empty for HV20 × premium everywhere.
    pub iv: Vec<IvPoint>,
    /// Archived real chains (one per session date is used; the last given wins).
    pub chains: Vec<ChainSnapshot>,
}

/// The knobs of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestParams {
    /// First session (inclusive).
    pub from: NaiveDate,
    /// Last session (inclusive).
    pub to: NaiveDate,
    /// The rule.
    pub rule: Rule,
    /// Settlement.
    pub settle: Settle,
    /// Commission and fees per contract per trade, USD.
    pub fee: f64,
    /// Risk-free rate, continuously compounded decimal (pricing and Sharpe/Sortino).
    pub rate: f64,
    /// Implied over realized: IV = HV20 × this where no IV series value exists.
    pub iv_premium: f64,
    /// Synthetic quotes.
    pub quotes: QuoteModel,
    /// The planner's parameters (rule `ccplan`).
    pub plan: PlanParams,
    /// The manage rules (rule `ccplan`); `None` holds every call to expiry.
    pub manage: Option<ManageParams>,
}

impl BacktestParams {
    /// Defaults for a range and rule: physical, no fee, 4 %, IV premium 1.1.
    pub fn new(from: NaiveDate, to: NaiveDate, rule: Rule) -> Self {
        BacktestParams {
            from,
            to,
            rule,
            settle: Settle::Physical,
            fee: 0.0,
            rate: 0.04,
            iv_premium: 1.1,
            quotes: QuoteModel::default(),
            plan: PlanParams::default(),
            manage: (rule == Rule::Ccplan).then(ManageParams::default),
        }
    }

    /// Check every field, naming the one at fault.
    pub fn validate(&self) -> Result<()> {
        if self.from > self.to {
            return Err(Error::invalid(
                "backtest range",
                format!("{} to {}", self.from, self.to),
                "--from on or before --to",
            ));
        }
        if !(self.fee.is_finite() && (0.0..=100.0).contains(&self.fee)) {
            return Err(Error::invalid(
                "fee",
                self.fee,
                "USD per contract from 0 to 100",
            ));
        }
        if !(self.rate.is_finite() && self.rate.abs() <= 0.5) {
            return Err(Error::invalid(
                "rate",
                self.rate,
                "a decimal rate within ±0.5",
            ));
        }
        if !(self.iv_premium.is_finite() && (0.1..=10.0).contains(&self.iv_premium)) {
            return Err(Error::invalid(
                "IV premium",
                self.iv_premium,
                "a multiple of HV20 from 0.1 to 10 (1.1 = IV 10 % over realized)",
            ));
        }
        self.quotes.validate()?;
        if self.rule == Rule::Ccplan {
            self.plan.validate()?;
            if let Some(m) = &self.manage {
                m.validate()?;
            }
        }
        Ok(())
    }
}

/// Where an option price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    /// No option price was needed.
    None,
    /// The synthetic market.
    Synthetic,
    /// An archived real chain.
    Real,
}

impl PriceSource {
    /// `none`, `synthetic`, `real`.
    pub fn as_str(self) -> &'static str {
        match self {
            PriceSource::None => "none",
            PriceSource::Synthetic => "synthetic",
            PriceSource::Real => "real",
        }
    }
}

/// What a ledger row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Sell to open a call (on the bid).
    Sell,
    /// Buy to close (on the ask).
    BuyBack,
    /// Expired out of the money.
    Expire,
    /// Assigned at expiry: shares sold at the strike.
    Assign,
    /// Assigned on the eve of an ex-date.
    EarlyAssign,
    /// Cash-settled in the money.
    CashSettle,
    /// Shares bought back after an assignment.
    BuyShares,
    /// Cash dividend received.
    Dividend,
    /// Stock split applied (no cash).
    Split,
    /// The call still open on the last session, valued at its mid.
    Mark,
}

impl Event {
    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Sell => "sell",
            Event::BuyBack => "buy_back",
            Event::Expire => "expire",
            Event::Assign => "assign",
            Event::EarlyAssign => "early_assign",
            Event::CashSettle => "cash_settle",
            Event::BuyShares => "buy_shares",
            Event::Dividend => "dividend",
            Event::Split => "split",
            Event::Mark => "mark",
        }
    }
}

/// One row of the trade ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerEntry {
    /// Session date.
    pub date: NaiveDate,
    /// Ticker.
    pub symbol: String,
    /// What happened.
    pub event: Event,
    /// Compact OCC symbol of the call, when one is involved.
    pub contract: Option<String>,
    /// Expiry of the call.
    pub expiry: Option<NaiveDate>,
    /// Strike, USD.
    pub strike: Option<f64>,
    /// Contracts.
    pub contracts: u32,
    /// Shares per contract.
    pub deliverable: f64,
    /// Price per share: the option's for sales, buy-backs and marks; the stock's for
    /// assignments and share purchases; the dividend; the split ratio.
    pub price: Option<f64>,
    /// The stock's close (its open for a share purchase), USD.
    pub spot: f64,
    /// Volatility used to price the option, decimal.
    pub iv: Option<f64>,
    /// Real chain or synthetic market.
    pub source: PriceSource,
    /// Change in shares held.
    pub shares: f64,
    /// Cash in (+) or out (−), fees included, USD.
    pub cash_flow: f64,
    /// Fees in that cash flow, USD (≥ 0).
    pub fee: f64,
    /// Anything to read the row with.
    pub note: String,
}

/// One session's close.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EquityPoint {
    /// Session date.
    pub date: NaiveDate,
    /// Strategy value: cash + shares × close − open calls at mid, USD.
    pub strategy: f64,
    /// Buy-and-hold of the same shares, dividends in cash, USD.
    pub buy_and_hold: f64,
    /// The strategy's cash, USD.
    pub cash: f64,
    /// The strategy's shares × close, USD.
    pub stock: f64,
    /// The open calls at mid (a liability), USD.
    pub calls: f64,
    /// Where the option prices of the day came from.
    pub option_prices: PriceSource,
}

/// The ledger adds up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Reconciliation {
    /// Shares × first close, USD.
    pub initial_value: f64,
    /// Σ ledger cash flows, USD.
    pub ledger_cash_flows: f64,
    /// Shares at the end × last close − shares at the start × first close, USD.
    pub stock_mark_to_market: f64,
    /// The curve's last value, USD.
    pub final_equity: f64,
    /// final − (initial + flows + mark to market), USD (zero to the cent).
    pub difference: f64,
}

/// The figures of a run, for one holding or the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// First session simulated.
    pub from: NaiveDate,
    /// Last session simulated.
    pub to: NaiveDate,
    /// Sessions simulated.
    pub sessions: usize,
    /// The strategy's curve.
    pub strategy: Performance,
    /// Buy-and-hold's curve.
    pub buy_and_hold: Performance,
    /// Σ premium received on sales, before fees, USD.
    pub premium_collected: f64,
    /// Σ paid to buy calls back, before fees, USD.
    pub paid_back: f64,
    /// Σ fees, USD.
    pub fees: f64,
    /// Σ max(0, S − K) × shares over every settlement, assignment and buy-back (the
    /// intrinsic value given up), USD.
    pub upside_given_away: f64,
    /// Σ dividends received by the strategy, USD.
    pub dividends: f64,
    /// The open call's mid value on the last session, USD (in the ledger as `mark`).
    pub open_call_mark: f64,
    /// Calls written.
    pub calls_written: usize,
    /// Assignments (and in-the-money cash settlements), early ones included.
    pub assignments: usize,
    /// Early assignments.
    pub early_assignments: usize,
    /// Calendar months in the run (partial months count).
    pub months: usize,
    /// Months in which the strategy returned more than buy-and-hold.
    pub months_ahead: usize,
    /// Sessions with an option price from a real chain.
    pub real_days: usize,
    /// Sessions with option prices from the synthetic market only.
    pub synthetic_days: usize,
}

/// One holding's run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldingResult {
    /// Ticker.
    pub symbol: String,
    /// Shares at the start.
    pub shares: u64,
    /// Its figures.
    pub summary: Summary,
    /// Its reconciliation.
    pub reconciliation: Reconciliation,
    /// Its daily curve.
    pub equity: Vec<EquityPoint>,
    /// The sessions priced from real chains.
    pub real_days: Vec<NaiveDate>,
    /// The sessions priced from the synthetic market.
    pub synthetic_days: Vec<NaiveDate>,
    /// What the IV of each day was, in words.
    pub iv_source: String,
}

/// Which days were real and which synthetic, over the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaySources {
    /// Sessions with a real chain price for some holding.
    pub real: Vec<NaiveDate>,
    /// Sessions with synthetic prices only.
    pub synthetic: Vec<NaiveDate>,
}

/// A backtest: self-describing, for a table, JSON, or an HTML page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    /// Always `"backtest"`.
    pub report: &'static str,
    /// The parameters, to re-run it.
    pub params: BacktestParams,
    /// The portfolio's figures (one holding: that holding's).
    pub summary: Summary,
    /// The portfolio's reconciliation.
    pub reconciliation: Reconciliation,
    /// The portfolio's daily curves.
    pub equity: Vec<EquityPoint>,
    /// Every holding's run.
    pub holdings: Vec<HoldingResult>,
    /// The trade ledger, by date then holding.
    pub ledger: Vec<LedgerEntry>,
    /// Real and synthetic days.
    pub days: DaySources,
    /// How the data was read and repaired.
    pub notes: Vec<String>,
}

/// A holding after its run, before the portfolio is assembled.
pub(crate) struct Ran {
    pub result: HoldingResult,
    pub ledger: Vec<LedgerEntry>,
}

/// Run the backtest on every holding (module docs).
pub fn run(holdings: &[HoldingInput], params: &BacktestParams) -> Result<BacktestReport> {
    params.validate()?;
    if holdings.is_empty() {
        return Err(Error::invalid(
            "holdings",
            "none",
            "at least one holding to backtest",
        ));
    }
    let mut notes = Vec::new();
    let mut runs = Vec::with_capacity(holdings.len());
    for h in holdings {
        runs.push(sim::run_holding(h, params, &mut notes)?);
    }
    Ok(assemble(runs, params, notes))
}

fn assemble(runs: Vec<Ran>, params: &BacktestParams, notes: Vec<String>) -> BacktestReport {
    let dates: BTreeSet<NaiveDate> = runs
        .iter()
        .flat_map(|r| r.result.equity.iter().map(|p| p.date))
        .collect();
    let mut equity = Vec::with_capacity(dates.len());
    let mut cursor = vec![0usize; runs.len()];
    for &d in &dates {
        let mut pt = EquityPoint {
            date: d,
            strategy: 0.0,
            buy_and_hold: 0.0,
            cash: 0.0,
            stock: 0.0,
            calls: 0.0,
            option_prices: PriceSource::None,
        };
        for (k, r) in runs.iter().enumerate() {
            let eq = &r.result.equity;
            while cursor[k] + 1 < eq.len() && eq[cursor[k] + 1].date <= d {
                cursor[k] += 1;
            }
            match eq.get(cursor[k]) {
                Some(p) if p.date <= d => {
                    pt.strategy += p.strategy;
                    pt.buy_and_hold += p.buy_and_hold;
                    pt.cash += p.cash;
                    pt.stock += p.stock;
                    pt.calls += p.calls;
                    if p.date == d {
                        pt.option_prices = pt.option_prices.max(p.option_prices);
                    }
                }
                _ => {
                    let v = r.result.reconciliation.initial_value;
                    pt.strategy += v;
                    pt.buy_and_hold += v;
                    pt.stock += v;
                }
            }
        }
        equity.push(pt);
    }
    let mut ledger: Vec<LedgerEntry> = Vec::new();
    for r in &runs {
        ledger.extend(r.ledger.iter().cloned());
    }
    ledger.sort_by_key(|e| e.date);

    let recs: Vec<Reconciliation> = runs.iter().map(|r| r.result.reconciliation).collect();
    let sum = |f: fn(&Reconciliation) -> f64| recs.iter().map(f).sum::<f64>();
    let initial = sum(|r| r.initial_value);
    let flows = sum(|r| r.ledger_cash_flows);
    let mtm = sum(|r| r.stock_mark_to_market);
    let final_equity = equity.last().map_or(initial, |p| p.strategy);
    let reconciliation = Reconciliation {
        initial_value: initial,
        ledger_cash_flows: flows,
        stock_mark_to_market: mtm,
        final_equity,
        difference: final_equity - (initial + flows + mtm),
    };
    let days = DaySources {
        real: equity
            .iter()
            .filter(|p| p.option_prices == PriceSource::Real)
            .map(|p| p.date)
            .collect(),
        synthetic: equity
            .iter()
            .filter(|p| p.option_prices == PriceSource::Synthetic)
            .map(|p| p.date)
            .collect(),
    };
    let summary = if runs.len() == 1 {
        runs[0].result.summary.clone()
    } else {
        let s: Vec<&Summary> = runs.iter().map(|r| &r.result.summary).collect();
        let add = |f: fn(&Summary) -> f64| s.iter().map(|x| f(x)).sum::<f64>();
        let count = |f: fn(&Summary) -> usize| s.iter().map(|x| f(x)).sum::<usize>();
        let (from, to) = (
            equity.first().map_or(params.from, |p| p.date),
            equity.last().map_or(params.to, |p| p.date),
        );
        let (strategy, buy_and_hold, months, months_ahead) =
            curve_figures(initial, &equity, params.rate);
        Summary {
            from,
            to,
            sessions: equity.len(),
            strategy,
            buy_and_hold,
            premium_collected: add(|x| x.premium_collected),
            paid_back: add(|x| x.paid_back),
            fees: add(|x| x.fees),
            upside_given_away: add(|x| x.upside_given_away),
            dividends: add(|x| x.dividends),
            open_call_mark: add(|x| x.open_call_mark),
            calls_written: count(|x| x.calls_written),
            assignments: count(|x| x.assignments),
            early_assignments: count(|x| x.early_assignments),
            months,
            months_ahead,
            real_days: days.real.len(),
            synthetic_days: days.synthetic.len(),
        }
    };
    BacktestReport {
        report: "backtest",
        params: params.clone(),
        summary,
        reconciliation,
        equity,
        holdings: runs.into_iter().map(|r| r.result).collect(),
        ledger,
        days,
        notes,
    }
}

/// Both curves' figures and the months count from an initial value and a daily curve.
pub(crate) fn curve_figures(
    initial: f64,
    equity: &[EquityPoint],
    rate: f64,
) -> (Performance, Performance, usize, usize) {
    let days = match (equity.first(), equity.last()) {
        (Some(a), Some(b)) => (b.date - a.date).num_days() + 1,
        _ => 1,
    };
    let mut s = Vec::with_capacity(equity.len() + 1);
    let mut b = Vec::with_capacity(equity.len() + 1);
    s.push(initial);
    b.push(initial);
    s.extend(equity.iter().map(|p| p.strategy));
    b.extend(equity.iter().map(|p| p.buy_and_hold));
    let strategy = performance(&s, days, rate);
    let bh = performance(&b, days, rate);
    // Month ends: the last session of each calendar month.
    let (mut months, mut ahead) = (0usize, 0usize);
    let (mut s0, mut b0) = (initial, initial);
    for (i, p) in equity.iter().enumerate() {
        let last_of_month = equity
            .get(i + 1)
            .is_none_or(|n| (n.date.year(), n.date.month()) != (p.date.year(), p.date.month()));
        if last_of_month {
            months += 1;
            let rs = if s0 > 0.0 { p.strategy / s0 } else { 1.0 };
            let rb = if b0 > 0.0 { p.buy_and_hold / b0 } else { 1.0 };
            if rs > rb {
                ahead += 1;
            }
            s0 = p.strategy;
            b0 = p.buy_and_hold;
        }
    }
    (strategy, bh, months, ahead)
}

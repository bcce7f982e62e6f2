//! One holding, session by session (the rules are in the module docs of [`super`]).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use crate::error::Result;
use crate::model::{
    Bar, ChainSnapshot, CorporateEvents, Holding, OptionContract, PriceHistory, Quote, Right,
    Underlying,
};
use crate::plan::{suggest, ExpiryWindow, Market};
use crate::pricing::american::{early_exercise, AmericanInputs, CashDividend};
use crate::pricing::time::{close_of, ex_dividend_years, year_fraction};
use crate::pricing::{price, BsmInputs};
use crate::providers::calendar::{monthly_expiries, next_trading_day};
use crate::regime::close_to_close_vol;
use crate::store::session_date;

use super::chain::{cents, index_strike, listed_strikes, CallMarket, SynthQuote};
use super::history::{prepare, ratio_label, Prepared};
use super::{
    curve_figures, BacktestParams, EquityPoint, Event, HoldingInput, HoldingResult, LedgerEntry,
    PriceSource, Ran, Reconciliation, Rule, Settle, Summary, IV_STALE_DAYS, MIN_WRITE_DTE,
};

/// Shares per new contract.
const MULTIPLIER: f64 = 100.0;
/// HV window, sessions.
const HV_SESSIONS: usize = 20;
/// The fewest returns an HV is computed from at the start of a short history.
const HV_MIN_SESSIONS: usize = 5;

/// A written call.
#[derive(Debug, Clone)]
struct Position {
    occ: String,
    expiry: NaiveDate,
    strike: f64,
    contracts: u32,
    deliverable: f64,
    open_price: f64,
}

/// A quote of the open call on one day.
#[derive(Debug, Clone, Copy)]
struct Priced {
    bid: f64,
    ask: f64,
    iv: f64,
    source: PriceSource,
}

impl Priced {
    fn mid(&self) -> f64 {
        0.5 * (self.bid + self.ask)
    }
}

struct Ctx<'a> {
    sym: String,
    p: &'a BacktestParams,
    data: Prepared,
    dividends: Vec<(NaiveDate, f64)>,
    iv: Vec<(NaiveDate, f64)>,
    chains: BTreeMap<NaiveDate, &'a ChainSnapshot>,
}

impl Ctx<'_> {
    /// The day's at-the-money volatility: the IV series when fresh, else HV20 × premium.
    fn atm_iv(&self, i: usize, used_series: &mut usize) -> Option<f64> {
        let d = self.data.bars[i].date;
        let k = self.iv.partition_point(|(x, _)| *x <= d);
        if k > 0 {
            let (when, v) = self.iv[k - 1];
            if (d - when).num_days() <= IV_STALE_DAYS {
                *used_series += 1;
                return Some(v.clamp(0.01, 5.0));
            }
        }
        let n = HV_SESSIONS.min(i);
        if n < HV_MIN_SESSIONS {
            return None;
        }
        close_to_close_vol(&self.data.continuous[i - n..=i], n)
            .map(|hv| (hv * self.p.iv_premium).clamp(0.01, 5.0))
    }

    /// Present value at `d`'s close of the dividends going ex after `d`, up to `expiry`.
    fn dividend_pv(&self, d: NaiveDate, expiry: NaiveDate) -> f64 {
        if self.data.dividend_adjusted {
            return 0.0;
        }
        let now = close_of(d);
        self.dividends
            .iter()
            .filter(|(ex, _)| *ex > d && *ex <= expiry)
            .map(|&(ex, a)| a * (-self.p.rate * ex_dividend_years(&now, ex).max(0.0)).exp())
            .sum()
    }

    fn market(&self, d: NaiveDate, spot: f64, expiry: NaiveDate, atm: f64) -> CallMarket {
        CallMarket {
            spot,
            dividend_pv: self.dividend_pv(d, expiry),
            t: year_fraction(&close_of(d), expiry).max(0.0),
            rate: self.p.rate,
            atm_iv: atm,
        }
    }

    fn real_quote(&self, d: NaiveDate, expiry: NaiveDate, strike: f64) -> Option<&Quote> {
        let chain = self.chains.get(&d)?;
        chain.quotes.iter().find(|q| {
            q.contract.right == Right::Call
                && q.contract.expiry == expiry
                && (q.contract.strike - strike).abs() < 1e-6
        })
    }

    /// Price the call at `strike` to `expiry` on session `i`: the real chain where it lists
    /// the contract with an ask, else the synthetic market.
    fn price(&self, i: usize, expiry: NaiveDate, strike: f64, atm: Option<f64>) -> Option<Priced> {
        let b = &self.data.bars[i];
        if let Some(q) = self.real_quote(b.date, expiry, strike) {
            if let Some(ask) = q.ask.filter(|a| a.is_finite() && *a > 0.0) {
                let bid = q.bid.filter(|x| x.is_finite() && *x >= 0.0).unwrap_or(0.0);
                let iv = q.provider_iv.or(atm).unwrap_or(0.0);
                return Some(Priced {
                    bid: bid.min(ask),
                    ask,
                    iv,
                    source: PriceSource::Real,
                });
            }
        }
        let atm = atm?;
        let m = self.market(b.date, b.close, expiry, atm);
        let q: SynthQuote = self.p.quotes.quote(&m, strike).ok()?;
        Some(Priced {
            bid: q.bid,
            ask: q.ask,
            iv: q.iv,
            source: PriceSource::Synthetic,
        })
    }
}

fn occ(sym: &str, expiry: NaiveDate, strike: f64) -> String {
    match OptionContract::new(sym, expiry, strike, Right::Call) {
        Ok(c) => c.occ(),
        Err(_) => format!("{sym} {expiry} {strike} C"),
    }
}

/// The state of the strategy and of buy-and-hold.
struct Book {
    cash: f64,
    shares: f64,
    pos: Option<Position>,
    rebuy: f64,
    bh_shares: f64,
    bh_cash: f64,
    ledger: Vec<LedgerEntry>,
    premium: f64,
    paid_back: f64,
    fees: f64,
    upside: f64,
    dividends: f64,
    written: usize,
    assignments: usize,
    early: usize,
    open_mark: f64,
}

impl Book {
    fn post(&mut self, e: LedgerEntry) {
        self.cash += e.cash_flow;
        self.shares += e.shares;
        self.fees += e.fee;
        self.ledger.push(e);
    }
}

#[allow(clippy::too_many_arguments)]
fn entry(
    date: NaiveDate,
    sym: &str,
    event: Event,
    pos: Option<&Position>,
    price: Option<f64>,
    spot: f64,
    iv: Option<f64>,
    source: PriceSource,
    shares: f64,
    cash_flow: f64,
    fee: f64,
    note: String,
) -> LedgerEntry {
    LedgerEntry {
        date,
        symbol: sym.to_string(),
        event,
        contract: pos.map(|p| p.occ.clone()),
        expiry: pos.map(|p| p.expiry),
        strike: pos.map(|p| p.strike),
        contracts: pos.map_or(0, |p| p.contracts),
        deliverable: pos.map_or(0.0, |p| p.deliverable),
        price,
        spot,
        iv,
        source,
        shares,
        cash_flow: cents(cash_flow),
        fee: cents(fee),
        note,
    }
}

/// The call the rule writes on session `i`, with its sale price.
struct Sale {
    expiry: NaiveDate,
    strike: f64,
    contracts: u32,
    bid: f64,
    iv: f64,
    source: PriceSource,
}

fn next_monthly(d: NaiveDate) -> Option<NaiveDate> {
    monthly_expiries(d + Duration::days(MIN_WRITE_DTE), d + Duration::days(80))
        .first()
        .copied()
}

fn index_sale(cx: &Ctx<'_>, i: usize, contracts: u32, atm: Option<f64>) -> Option<Sale> {
    let b = &cx.data.bars[i];
    let expiry = next_monthly(b.date)?;
    // A real chain listing that expiry with bids: its strikes.
    let real: Vec<&Quote> = cx
        .chains
        .get(&b.date)
        .map(|c| {
            c.side(expiry, Right::Call)
                .into_iter()
                .filter(|q| q.bid.is_some_and(|x| x > 0.0) && q.ask.is_some())
                .collect()
        })
        .unwrap_or_default();
    if !real.is_empty() {
        let strikes: Vec<f64> = real.iter().map(|q| q.contract.strike).collect();
        let delta_of = |k: f64| {
            let q = real.iter().find(|q| q.contract.strike == k)?;
            if let Some(d) = q.provider_greeks.and_then(|g| g.delta) {
                return Some(d);
            }
            let iv = q.provider_iv.or(atm)?;
            let m = cx.market(b.date, b.close, expiry, iv);
            crate::pricing::greeks(
                &BsmInputs {
                    right: Right::Call,
                    spot: (m.spot - m.dividend_pv).max(1e-9),
                    strike: k,
                    t: m.t,
                    rate: m.rate,
                    div_yield: 0.0,
                },
                iv,
            )
            .ok()
            .map(|g| g.delta)
        };
        let k = index_strike(cx.p.rule, b.close, &strikes, delta_of)?;
        let pr = cx.price(i, expiry, k, atm)?;
        return Some(Sale {
            expiry,
            strike: k,
            contracts,
            bid: pr.bid,
            iv: pr.iv,
            source: pr.source,
        });
    }
    let atm = atm?;
    let m = cx.market(b.date, b.close, expiry, atm);
    let strikes = listed_strikes(b.close, 0.7, 1.5);
    let delta_of = |k: f64| cx.p.quotes.quote(&m, k).ok().map(|q| q.delta);
    let k = index_strike(cx.p.rule, b.close, &strikes, delta_of)?;
    let q = cx.p.quotes.quote(&m, k).ok()?;
    Some(Sale {
        expiry,
        strike: k,
        contracts,
        bid: q.bid,
        iv: q.iv,
        source: PriceSource::Synthetic,
    })
}

/// The synthetic chain the planner reads on a day without a real one: calls and puts on the
/// monthly expiries the window can reach, strikes 0.7–1.5 × spot.
fn synthetic_chain(cx: &Ctx<'_>, i: usize, atm: f64) -> ChainSnapshot {
    let b = &cx.data.bars[i];
    let max_days = match cx.p.plan.window {
        ExpiryWindow::Dte { max, .. } => i64::from(max),
        ExpiryWindow::ThisMonth => 70,
        ExpiryWindow::On { date } => (date - b.date).num_days().max(1),
    };
    let mut quotes = Vec::new();
    for expiry in monthly_expiries(
        b.date + Duration::days(1),
        b.date + Duration::days(max_days),
    ) {
        let m = cx.market(b.date, b.close, expiry, atm);
        let disc = (-m.rate * m.t).exp();
        let fwd = m.forward();
        for k in listed_strikes(b.close, 0.7, 1.5) {
            let Ok(c) = cx.p.quotes.quote(&m, k) else {
                continue;
            };
            // The put by parity on the same fair value, quoted with the same spread model.
            let put_fair = (c.fair - disc * (fwd - k)).max(0.0);
            let h = (cx.p.quotes.half_spread * put_fair).max(cx.p.quotes.floor);
            let put_bid = cents((put_fair - h).max(0.0));
            let put_ask = cents(put_fair + h);
            for (right, bid, ask, iv) in [
                (Right::Call, c.bid, c.ask, c.iv),
                (Right::Put, put_bid, put_ask, c.iv),
            ] {
                let Ok(contract) = OptionContract::new(&cx.sym, expiry, k, right) else {
                    continue;
                };
                let mut q = Quote::new(contract, (bid > 0.0).then_some(bid), Some(ask));
                q.provider_iv = Some(iv);
                quotes.push(q);
            }
        }
    }
    ChainSnapshot {
        underlying: Underlying {
            symbol: cx.sym.clone(),
            last: b.close,
            bid: None,
            ask: None,
            iv30: Some(atm),
        },
        as_of: close_of(b.date).fixed_offset(),
        source: "synthetic".into(),
        quotes,
        dropped: Vec::new(),
        notes: Vec::new(),
    }
}

fn planner_sale(
    cx: &Ctx<'_>,
    i: usize,
    shares: f64,
    atm: Option<f64>,
    after: Option<NaiveDate>,
    why_not: &mut BTreeMap<String, usize>,
) -> Option<Sale> {
    let b = &cx.data.bars[i];
    let (mut chain, source) = match cx.chains.get(&b.date) {
        Some(c) => ((*c).clone(), PriceSource::Real),
        None => (synthetic_chain(cx, i, atm?), PriceSource::Synthetic),
    };
    // A roll goes to a later expiry.
    if let Some(after) = after {
        chain.quotes.retain(|q| q.contract.expiry > after);
    }
    let chain = &chain;
    // The last 60 sessions in today's units, for the planner's HV.
    let lo = i.saturating_sub(60);
    let scale = b.close / cx.data.continuous[i];
    let bars: Vec<Bar> = (lo..=i)
        .map(|j| Bar {
            date: cx.data.bars[j].date,
            open: None,
            high: None,
            low: None,
            close: cx.data.continuous[j] * scale,
            volume: None,
        })
        .collect();
    let history = PriceHistory {
        symbol: cx.sym.clone(),
        adjustment: crate::model::Adjustment::Splits,
        bars,
    };
    let next_div = cx
        .dividends
        .iter()
        .find(|(ex, _)| *ex > b.date)
        .filter(|_| !cx.data.dividend_adjusted);
    let holding = Holding {
        symbol: cx.sym.clone(),
        shares: shares.max(0.0).floor() as u64,
        cost_basis: None,
        written: Vec::new(),
        assign_ok_above: None,
        events: CorporateEvents {
            next_earnings: None,
            ex_dividend: next_div.map(|d| d.0),
            dividend: next_div.map(|d| d.1),
        },
    };
    let mut params = cx.p.plan.clone();
    params.rate = cx.p.rate;
    let s = match suggest(
        &holding,
        &Market {
            chain,
            history: Some(&history),
        },
        &params,
    ) {
        Ok(s) => s,
        Err(e) => {
            *why_not.entry(e.to_string()).or_default() += 1;
            return None;
        }
    };
    let Some(c) = s.best() else {
        let why = s
            .rejected
            .first()
            .and_then(|r| r.reasons.first())
            .map_or_else(|| "no candidate".to_string(), |r| r.to_string());
        *why_not.entry(why).or_default() += 1;
        return None;
    };
    Some(Sale {
        expiry: c.expiry,
        strike: c.strike,
        contracts: c.contracts,
        bid: c.limit_price,
        iv: c.metrics.iv,
        source,
    })
}

/// Run one holding.
pub(crate) fn run_holding(
    h: &HoldingInput,
    p: &BacktestParams,
    notes: &mut Vec<String>,
) -> Result<Ran> {
    let sym = h.history.symbol.trim().to_ascii_uppercase();
    let data = prepare(&h.history, &h.splits, p.from, p.to, notes)?;
    let mut dividends: Vec<(NaiveDate, f64)> = h
        .dividends
        .iter()
        .filter(|d| d.amount.is_finite() && d.amount > 0.0)
        .map(|d| (d.ex_date, d.amount))
        .collect();
    dividends.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    if data.dividend_adjusted && !dividends.is_empty() {
        notes.push(format!(
            "{sym}: the prices are dividend-adjusted (total return); dividends are not paid \
             again in cash"
        ));
    }
    let mut iv: Vec<(NaiveDate, f64)> =
        h.iv.iter()
            .filter(|x| x.iv.is_finite() && x.iv > 0.0)
            .map(|x| (x.date, x.iv))
            .collect();
    iv.sort_by_key(|x| x.0);
    iv.dedup_by(|a, b| a.0 == b.0);
    let mut chains = BTreeMap::new();
    for c in &h.chains {
        if c.underlying.symbol.trim().eq_ignore_ascii_case(&sym) {
            chains.insert(session_date(&c.as_of), c);
        }
    }
    let cx = Ctx {
        sym: sym.clone(),
        p,
        data,
        dividends,
        iv,
        chains,
    };
    let bars = &cx.data.bars;
    let first = cx.data.first;
    let last = bars.len() - 1;
    let s0 = bars[first].close;
    let shares0 = h.shares as f64;
    let mut book = Book {
        cash: 0.0,
        shares: shares0,
        pos: None,
        rebuy: 0.0,
        bh_shares: shares0,
        bh_cash: 0.0,
        ledger: Vec::new(),
        premium: 0.0,
        paid_back: 0.0,
        fees: 0.0,
        upside: 0.0,
        dividends: 0.0,
        written: 0,
        assignments: 0,
        early: 0,
        open_mark: 0.0,
    };
    if h.shares < MULTIPLIER as u64 {
        notes.push(format!(
            "{sym}: {} shares cover no contract of 100; no calls written",
            h.shares
        ));
    }
    let fee = p.fee;
    let mut equity = Vec::with_capacity(last + 1 - first);
    let mut real_days = Vec::new();
    let mut synthetic_days = Vec::new();
    let (mut series_days, mut no_iv_days, mut no_bid_days) = (0usize, 0usize, 0usize);
    let mut why_not: BTreeMap<String, usize> = BTreeMap::new();
    let mut div_cursor = cx
        .dividends
        .partition_point(|(ex, _)| *ex <= bars[first].date);

    for i in first..=last {
        let b = bars[i];
        let (d, c) = (b.date, b.close);
        let mut source = PriceSource::None;
        let atm = cx.atm_iv(i, &mut series_days);

        // 1. A split at today's open (series as traded).
        let r = cx.data.split_at[i];
        if i > first && r != 1.0 {
            let ratio_note = ratio_label(r);
            book.bh_shares *= r;
            book.rebuy *= r;
            let before = book.shares;
            if let Some(pos) = book.pos.as_mut() {
                pos.strike /= r;
                pos.deliverable *= r;
                pos.open_price /= r;
            }
            let e = entry(
                d,
                &sym,
                Event::Split,
                book.pos.as_ref(),
                Some(r),
                c,
                None,
                PriceSource::None,
                before * (r - 1.0),
                0.0,
                0.0,
                match book.pos.as_ref() {
                    Some(pos) => format!(
                        "{ratio_note} split: shares × {r}; the open call is adjusted to {} shares \
                         per contract at {:.2}",
                        pos.deliverable, pos.strike
                    ),
                    None => format!("{ratio_note} split: shares × {r}"),
                },
            );
            book.post(e);
        }

        // 2. Dividends going ex since the last session: to shares held at its close.
        while div_cursor < cx.dividends.len() && cx.dividends[div_cursor].0 <= d {
            let (ex, amount) = cx.dividends[div_cursor];
            div_cursor += 1;
            if cx.data.dividend_adjusted {
                continue;
            }
            book.bh_cash += amount * book.bh_shares;
            if book.shares > 0.0 {
                let cash = amount * book.shares;
                book.dividends += cash;
                let e = entry(
                    d,
                    &sym,
                    Event::Dividend,
                    None,
                    Some(amount),
                    c,
                    None,
                    PriceSource::None,
                    0.0,
                    cash,
                    0.0,
                    format!("ex-date {ex}"),
                );
                book.post(e);
            }
        }

        // 3. Shares bought back at the open after an assignment.
        if book.rebuy > 0.0 {
            let px = b.open.unwrap_or(c);
            let n = book.rebuy;
            book.rebuy = 0.0;
            let note = if b.open.is_some() {
                "bought back at the open after the assignment".to_string()
            } else {
                "bought back at the close (the source has no open)".to_string()
            };
            let e = entry(
                d,
                &sym,
                Event::BuyShares,
                None,
                Some(px),
                px,
                None,
                PriceSource::None,
                n,
                -px * n,
                0.0,
                note,
            );
            book.post(e);
        }

        // 4. Expiry (an expiry inside a gap settles on the last close before it).
        if let Some(pos) = book.pos.clone().filter(|pos| pos.expiry <= d) {
            let (settle_close, late) = if pos.expiry == d || i == first {
                (c, false)
            } else {
                (bars[i - 1].close, true)
            };
            let n = f64::from(pos.contracts) * pos.deliverable;
            let itm = settle_close > pos.strike;
            let gap_note = if late {
                format!(
                    "; expiry {} fell in a gap: settled on the close of {}",
                    pos.expiry,
                    bars[i - 1].date
                )
            } else {
                String::new()
            };
            if itm {
                let given = (settle_close - pos.strike) * n;
                book.upside += given;
                book.assignments += 1;
                match p.settle {
                    Settle::Physical => {
                        let f = fee * f64::from(pos.contracts);
                        let e = entry(
                            d,
                            &sym,
                            Event::Assign,
                            Some(&pos),
                            Some(pos.strike),
                            settle_close,
                            None,
                            PriceSource::None,
                            -n,
                            pos.strike * n - f,
                            f,
                            format!("called away at the strike{gap_note}"),
                        );
                        book.post(e);
                        book.rebuy = n;
                    }
                    Settle::Cash => {
                        let e = entry(
                            d,
                            &sym,
                            Event::CashSettle,
                            Some(&pos),
                            Some(settle_close - pos.strike),
                            settle_close,
                            None,
                            PriceSource::None,
                            0.0,
                            -given,
                            0.0,
                            format!("paid (close − strike) per share{gap_note}"),
                        );
                        book.post(e);
                    }
                }
            } else {
                let e = entry(
                    d,
                    &sym,
                    Event::Expire,
                    Some(&pos),
                    Some(0.0),
                    settle_close,
                    None,
                    PriceSource::None,
                    0.0,
                    0.0,
                    0.0,
                    format!("expired worthless{gap_note}"),
                );
                book.post(e);
            }
            book.pos = None;
        }

        // 5. Early assignment on the eve of an ex-date.
        let next_session = bars
            .get(i + 1)
            .map_or_else(|| next_trading_day(d), |n| n.date);
        if p.settle == Settle::Physical && !cx.data.dividend_adjusted && i < last {
            if let Some(pos) = book.pos.clone().filter(|pos| c > pos.strike) {
                let div = cx
                    .dividends
                    .iter()
                    .find(|(ex, _)| *ex > d && *ex <= next_session && *ex <= pos.expiry)
                    .copied();
                if let (Some((ex, amount)), Some(vol)) = (div, atm) {
                    let now = close_of(d);
                    let t = year_fraction(&now, pos.expiry).max(0.0);
                    let tex = ex_dividend_years(&now, ex).max(0.0);
                    let vol_k = cx.market(d, c, pos.expiry, vol);
                    let vol_k = cx.p.quotes.smile_vol(&vol_k, pos.strike);
                    let inputs = AmericanInputs {
                        right: Right::Call,
                        spot: c,
                        strike: pos.strike,
                        t,
                        rate: p.rate,
                        div_yield: 0.0,
                        dividends: vec![CashDividend { t: tex, amount }],
                    };
                    let (exercise, why) = match early_exercise(&inputs, vol_k) {
                        Ok(r) => match r.critical_spot {
                            Some(s) => (c >= s, format!("close ≥ critical spot {s:.2}")),
                            None => (false, String::new()),
                        },
                        Err(_) => {
                            let euro = price(
                                &BsmInputs {
                                    right: Right::Call,
                                    spot: (c - amount).max(1e-9),
                                    strike: pos.strike,
                                    t,
                                    rate: p.rate,
                                    div_yield: 0.0,
                                },
                                vol_k,
                            )
                            .unwrap_or(f64::INFINITY);
                            (
                                c - pos.strike > euro,
                                "intrinsic above the ex-dividend time value".to_string(),
                            )
                        }
                    };
                    if exercise {
                        let n = f64::from(pos.contracts) * pos.deliverable;
                        let f = fee * f64::from(pos.contracts);
                        book.upside += (c - pos.strike) * n;
                        book.assignments += 1;
                        book.early += 1;
                        let e = entry(
                            d,
                            &sym,
                            Event::EarlyAssign,
                            Some(&pos),
                            Some(pos.strike),
                            c,
                            Some(vol_k),
                            PriceSource::Synthetic,
                            -n,
                            pos.strike * n - f,
                            f,
                            format!("exercised before the {amount} dividend going ex {ex} ({why})"),
                        );
                        book.post(e);
                        book.rebuy = n;
                        book.pos = None;
                    }
                }
            }
        }

        // 6. The manage rules (rule ccplan): take profit, roll in the money near expiry.
        let mut today: Option<Priced> = None;
        let mut rolled_from: Option<NaiveDate> = None;
        if let Some(pos) = book.pos.clone() {
            today = cx.price(i, pos.expiry, pos.strike, atm);
            if let (Some(m), Some(q)) = (&p.manage, today) {
                if p.rule == Rule::Ccplan && i < last && q.ask > 0.0 {
                    let captured = if pos.open_price > 0.0 {
                        (pos.open_price - q.ask) / pos.open_price
                    } else {
                        0.0
                    };
                    let dte = (pos.expiry - d).num_days();
                    let itm_near = c > pos.strike && dte <= i64::from(m.roll_dte) && dte > 0;
                    let why = if captured >= m.take_profit {
                        Some(format!(
                            "take profit: {:.0} % of the premium captured (rule {:.0} %)",
                            captured * 100.0,
                            m.take_profit * 100.0
                        ))
                    } else if itm_near {
                        rolled_from = Some(pos.expiry);
                        Some(format!(
                            "roll: in the money {dte} days before expiry (rule {} days)",
                            m.roll_dte
                        ))
                    } else {
                        None
                    };
                    if let Some(why) = why {
                        let n = f64::from(pos.contracts) * pos.deliverable;
                        let f = fee * f64::from(pos.contracts);
                        book.paid_back += q.ask * n;
                        book.upside += (c - pos.strike).max(0.0) * n;
                        source = source.max(q.source);
                        let e = entry(
                            d,
                            &sym,
                            Event::BuyBack,
                            Some(&pos),
                            Some(q.ask),
                            c,
                            Some(q.iv),
                            q.source,
                            0.0,
                            -q.ask * n - f,
                            f,
                            why,
                        );
                        book.post(e);
                        book.pos = None;
                        today = None;
                    }
                }
            }
        }

        // 7. Write a new call.
        let contracts_possible = (book.shares / MULTIPLIER + 1e-9).floor();
        if book.pos.is_none() && i < last && contracts_possible >= 1.0 && book.rebuy == 0.0 {
            let sale = if p.rule == Rule::Ccplan {
                planner_sale(&cx, i, book.shares, atm, rolled_from, &mut why_not)
            } else if atm.is_none() && !cx.chains.contains_key(&d) {
                no_iv_days += 1;
                None
            } else {
                index_sale(&cx, i, contracts_possible as u32, atm)
            };
            match sale {
                Some(s) if s.bid > 0.0 && s.contracts > 0 => {
                    let pos = Position {
                        occ: occ(&sym, s.expiry, s.strike),
                        expiry: s.expiry,
                        strike: s.strike,
                        contracts: s.contracts,
                        deliverable: MULTIPLIER,
                        open_price: s.bid,
                    };
                    let n = f64::from(s.contracts) * MULTIPLIER;
                    let f = fee * f64::from(s.contracts);
                    book.premium += s.bid * n;
                    book.written += 1;
                    source = source.max(s.source);
                    let e = entry(
                        d,
                        &sym,
                        Event::Sell,
                        Some(&pos),
                        Some(s.bid),
                        c,
                        Some(s.iv),
                        s.source,
                        0.0,
                        s.bid * n - f,
                        f,
                        String::new(),
                    );
                    book.post(e);
                    today = cx.price(i, pos.expiry, pos.strike, atm);
                    book.pos = Some(pos);
                }
                Some(_) => no_bid_days += 1,
                None => {}
            }
        }

        // 8. Mark (and on the last session, the open call at its mid in the ledger).
        let mut calls = 0.0;
        if let Some(pos) = book.pos.clone() {
            let n = f64::from(pos.contracts) * pos.deliverable;
            let mid = today.map_or_else(
                || (c - pos.strike).max(0.0),
                |q| {
                    source = source.max(q.source);
                    q.mid()
                },
            );
            if i == last {
                book.open_mark = cents(mid * n);
                let e = entry(
                    d,
                    &sym,
                    Event::Mark,
                    Some(&pos),
                    Some(mid),
                    c,
                    today.map(|q| q.iv),
                    today.map_or(PriceSource::None, |q| q.source),
                    0.0,
                    -mid * n,
                    0.0,
                    "open at the end: valued at mid, as if bought back there".into(),
                );
                book.post(e);
                book.pos = None;
            } else {
                calls = mid * n;
            }
        }
        match source {
            PriceSource::Real => real_days.push(d),
            PriceSource::Synthetic => synthetic_days.push(d),
            PriceSource::None => {}
        }
        let stock = book.shares * c;
        equity.push(EquityPoint {
            date: d,
            strategy: book.cash + stock - calls,
            buy_and_hold: book.bh_shares * c + book.bh_cash,
            cash: book.cash,
            stock,
            calls,
            option_prices: source,
        });
    }

    let sessions = equity.len();
    if no_iv_days > 0 {
        notes.push(format!(
            "{sym}: {no_iv_days} session(s) without an IV (no series value and too little \
             history for HV20): no call written those days"
        ));
    }
    if no_bid_days > 0 {
        notes.push(format!(
            "{sym}: {no_bid_days} session(s) where the chosen call had no bid: no call written"
        ));
    }
    for (why, n) in &why_not {
        notes.push(format!(
            "{sym}: the planner wrote nothing on {n} session(s): {why}"
        ));
    }
    let iv_source = if series_days == sessions {
        "IV30 series".to_string()
    } else if series_days == 0 {
        format!("HV20 × {}", p.iv_premium)
    } else {
        format!(
            "IV30 series on {series_days} of {sessions} sessions, HV20 × {} elsewhere",
            p.iv_premium
        )
    };
    let initial = shares0 * s0;
    let c_last = bars[last].close;
    let flows: f64 = book.ledger.iter().map(|e| e.cash_flow).sum();
    let mtm = book.shares * c_last - shares0 * s0;
    let final_equity = equity.last().map_or(initial, |e| e.strategy);
    let reconciliation = Reconciliation {
        initial_value: initial,
        ledger_cash_flows: flows,
        stock_mark_to_market: mtm,
        final_equity,
        difference: final_equity - (initial + flows + mtm),
    };
    let (strategy, buy_and_hold, months, months_ahead) = curve_figures(initial, &equity, p.rate);
    let summary = Summary {
        from: bars[first].date,
        to: bars[last].date,
        sessions,
        strategy,
        buy_and_hold,
        premium_collected: book.premium,
        paid_back: book.paid_back,
        fees: book.fees,
        upside_given_away: book.upside,
        dividends: book.dividends,
        open_call_mark: book.open_mark,
        calls_written: book.written,
        assignments: book.assignments,
        early_assignments: book.early,
        months,
        months_ahead,
        real_days: real_days.len(),
        synthetic_days: synthetic_days.len(),
    };
    Ok(Ran {
        result: HoldingResult {
            symbol: sym,
            shares: h.shares,
            summary,
            reconciliation,
            equity,
            real_days,
            synthetic_days,
            iv_source,
        },
        ledger: book.ledger,
    })
}

//! The portfolio view: the best call per holding, totals, net delta and a stress table.
//!
//! Definitions (all per plan, USD unless stated):
//!
//! * **premium income** = Σ premium × multiplier × contracts of each holding's best call;
//! * **capital covered** = Σ contracts × multiplier × spot: the market value of the shares the
//!   calls cover;
//! * **exposure-weighted assignment probability** = Σ N(d2)ᵢ × capital coveredᵢ ÷ Σ capital
//!   coveredᵢ: the expected fraction of the covered capital called away (risk-neutral). The
//!   premium-weighted version (weights = premium income) is given beside it;
//! * **net delta** in shares = Σ shares − Σ written calls' delta × multiplier × contracts,
//!   before and after the new calls;
//! * **stress**: each underlying moved by −20 %, −10 %, 0, +10 %, +20 % at the call's expiry;
//!   position value without the new calls = shares × S_T, with them = shares × S_T + premium
//!   received − contracts × multiplier × max(0, S_T − K), summed over the new call and the
//!   calls already written (unexpired ones, each at its intrinsic value at S_T, and with the
//!   premium they brought in when the holdings file gives it). Premium is not discounted or
//!   reinvested.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::error::Result;
use crate::model::{Holding, Portfolio, Right, WrittenCall};
use crate::pricing::time::year_fraction;

use super::note::Note;
use super::params::PlanParams;
use super::suggest::{suggest, suggest_analysed, AnalysedMarket, Candidate, Market, Suggestion};

/// The spot moves of the stress table, decimal.
pub const STRESS_SHOCKS: [f64; 5] = [-0.20, -0.10, 0.0, 0.10, 0.20];

/// One holding's part of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldingPlan {
    /// Ticker.
    pub symbol: String,
    /// Shares held.
    pub shares: u64,
    /// The full suggestion (candidates, rejections, notes); `None` when the holding had no
    /// chain or its chain was unusable (see the plan's notes).
    pub suggestion: Option<Suggestion>,
    /// The call to write: the top candidate, when it has contracts to write.
    pub best: Option<Candidate>,
    /// Stress rows, one per [`STRESS_SHOCKS`] entry; empty without a spot.
    pub stress: Vec<StressPoint>,
}

/// One stress scenario for one holding.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StressPoint {
    /// Spot move, decimal (−0.2 = −20 %).
    pub shock: f64,
    /// Spot at expiry in the scenario, USD (absent in totals).
    pub spot_at_expiry: Option<f64>,
    /// Value of the shares alone, USD.
    pub value_without_calls: f64,
    /// Shares plus premium received minus the calls' payoff, USD.
    pub value_with_calls: f64,
}

/// Portfolio totals (module docs give the definitions).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlanTotals {
    /// Premium income, USD.
    pub premium_income: f64,
    /// Capital covered, USD.
    pub capital_covered: f64,
    /// Exposure-weighted assignment probability, decimal; `None` with nothing covered.
    pub exposure_weighted_assignment: Option<f64>,
    /// Premium-weighted assignment probability, decimal; `None` with no premium.
    pub premium_weighted_assignment: Option<f64>,
    /// Σ N(d2) × contracts × multiplier: shares expected to be called away.
    pub expected_shares_called: f64,
    /// Net delta in shares before the new calls.
    pub net_delta_before: f64,
    /// Net delta in shares after the new calls.
    pub net_delta_after: f64,
    /// Holdings with a call to write.
    pub holdings_with_call: usize,
    /// Holdings without one.
    pub holdings_without_call: usize,
}

/// A plan for a whole portfolio, with the parameters it was made with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The parameters, so the plan can be reproduced.
    pub params: PlanParams,
    /// The latest as-of instant among the chains used (each suggestion carries its own).
    pub as_of: Option<DateTime<FixedOffset>>,
    /// One entry per holding, in portfolio order.
    pub holdings: Vec<HoldingPlan>,
    /// Totals.
    pub totals: PlanTotals,
    /// Stress totals over all holdings, one per [`STRESS_SHOCKS`] entry.
    pub stress_total: Vec<StressPoint>,
    /// Holdings skipped and why.
    pub notes: Vec<Note>,
}

/// Plan a portfolio: [`suggest`] for each holding with the market data of its symbol
/// (matched case-insensitively on the chain's underlying symbol), then totals and stress.
///
/// Fails only on invalid parameters; a holding without a usable chain is kept, without a
/// suggestion, and a note says why.
pub fn plan(portfolio: &Portfolio, markets: &[Market<'_>], params: &PlanParams) -> Result<Plan> {
    plan_with(portfolio, params, |h| {
        markets
            .iter()
            .find(|m| same_symbol(m, h))
            .map(|m| suggest(h, m, params))
    })
}

/// [`plan`] on chains already analysed (see [`AnalysedMarket`]): each holding's suggestion
/// reads its symbol's surface instead of analysing the chain again.
pub fn plan_analysed(
    portfolio: &Portfolio,
    markets: &[AnalysedMarket<'_>],
    params: &PlanParams,
) -> Result<Plan> {
    plan_with(portfolio, params, |h| {
        markets
            .iter()
            .find(|m| same_symbol(&m.market, h))
            .map(|m| suggest_analysed(h, m, params))
    })
}

fn same_symbol(m: &Market<'_>, h: &Holding) -> bool {
    m.chain
        .underlying
        .symbol
        .trim()
        .eq_ignore_ascii_case(h.symbol.trim())
}

fn plan_with(
    portfolio: &Portfolio,
    params: &PlanParams,
    suggest_for: impl Fn(&Holding) -> Option<Result<Suggestion>>,
) -> Result<Plan> {
    params.validate()?;
    let mut holdings = Vec::with_capacity(portfolio.holdings.len());
    let mut notes = Vec::new();
    for h in &portfolio.holdings {
        let suggestion = match suggest_for(h) {
            None => {
                notes.push(Note::HoldingSkipped {
                    symbol: h.symbol.clone(),
                    reason: "no option chain given".to_string(),
                });
                None
            }
            Some(result) => match result {
                Ok(s) => Some(s),
                Err(e) => {
                    notes.push(Note::HoldingSkipped {
                        symbol: h.symbol.clone(),
                        reason: e.to_string(),
                    });
                    None
                }
            },
        };
        let best = suggestion.as_ref().and_then(|s| s.best().cloned());
        let stress = suggestion
            .as_ref()
            .map(|s| {
                let written: Vec<WrittenCall> = h
                    .written
                    .iter()
                    .filter(|w| {
                        w.contract.right == Right::Call
                            && year_fraction(&s.as_of, w.contract.expiry) > 0.0
                    })
                    .cloned()
                    .collect();
                stress_rows(h.shares, s.spot, best.as_ref(), &written)
            })
            .unwrap_or_default();
        holdings.push(HoldingPlan {
            symbol: h.symbol.clone(),
            shares: h.shares,
            suggestion,
            best,
            stress,
        });
    }
    let totals = totals(&holdings);
    let stress_total = STRESS_SHOCKS
        .iter()
        .enumerate()
        .map(|(i, &shock)| {
            let (without, with) = holdings
                .iter()
                .filter_map(|h| h.stress.get(i))
                .fold((0.0, 0.0), |(a, b), p| {
                    (a + p.value_without_calls, b + p.value_with_calls)
                });
            StressPoint {
                shock,
                spot_at_expiry: None,
                value_without_calls: without,
                value_with_calls: with,
            }
        })
        .collect();
    let as_of = holdings
        .iter()
        .filter_map(|h| h.suggestion.as_ref().map(|s| s.as_of))
        .max();
    Ok(Plan {
        params: params.clone(),
        as_of,
        holdings,
        totals,
        stress_total,
        notes,
    })
}

/// The stress rows of one holding (module docs): the new call, if any, and the calls already
/// written (the caller passes the unexpired ones; 100 shares a contract).
pub fn stress_rows(
    shares: u64,
    spot: f64,
    call: Option<&Candidate>,
    written: &[WrittenCall],
) -> Vec<StressPoint> {
    STRESS_SHOCKS
        .iter()
        .map(|&shock| {
            let s_t = spot * (1.0 + shock);
            let without = shares as f64 * s_t;
            let mut with = match call {
                Some(c) => {
                    let covered = f64::from(c.contracts) * f64::from(c.multiplier);
                    without + c.total_premium - covered * (s_t - c.strike).max(0.0)
                }
                None => without,
            };
            for w in written {
                let covered = f64::from(w.contracts) * 100.0;
                let premium = w.price.filter(|p| p.is_finite()).unwrap_or(0.0);
                with += covered * (premium - (s_t - w.contract.strike).max(0.0));
            }
            StressPoint {
                shock,
                spot_at_expiry: Some(s_t),
                value_without_calls: without,
                value_with_calls: with,
            }
        })
        .collect()
}

fn totals(holdings: &[HoldingPlan]) -> PlanTotals {
    let mut t = PlanTotals {
        premium_income: 0.0,
        capital_covered: 0.0,
        exposure_weighted_assignment: None,
        premium_weighted_assignment: None,
        expected_shares_called: 0.0,
        net_delta_before: 0.0,
        net_delta_after: 0.0,
        holdings_with_call: 0,
        holdings_without_call: 0,
    };
    let (mut exp_w, mut prem_w) = (0.0, 0.0);
    for h in holdings {
        match &h.suggestion {
            Some(s) => {
                t.net_delta_before += s.delta_before;
                t.net_delta_after += if h.best.is_some() {
                    s.delta_after
                } else {
                    s.delta_before
                };
            }
            None => {
                t.net_delta_before += h.shares as f64;
                t.net_delta_after += h.shares as f64;
            }
        }
        match &h.best {
            Some(c) => {
                t.holdings_with_call += 1;
                let covered = f64::from(c.contracts) * f64::from(c.multiplier);
                let capital = covered * c.spot;
                let a = c.metrics.assignment_probability;
                t.premium_income += c.total_premium;
                t.capital_covered += capital;
                t.expected_shares_called += a * covered;
                exp_w += a * capital;
                prem_w += a * c.total_premium;
            }
            None => t.holdings_without_call += 1,
        }
    }
    if t.capital_covered > 0.0 {
        t.exposure_weighted_assignment = Some(exp_w / t.capital_covered);
    }
    if t.premium_income > 0.0 {
        t.premium_weighted_assignment = Some(prem_w / t.premium_income);
    }
    t
}

/// The expiry a holding's stress rows are at (its best call's), if any.
pub fn stress_horizon(h: &HoldingPlan) -> Option<NaiveDate> {
    h.best.as_ref().map(|c| c.expiry)
}

//! The synthetic option market of a backtest day: listed strikes, the skew, the bid/ask model,
//! and each index rule's strike choice.
//!
//! Where no archived chain exists, a call is priced with Black-Scholes-Merton at the session's
//! close (European, on the spot less the present value of the cash dividends before expiry, the
//! escrowed-dividend model) with the volatility of the day (see
//! [`super::HoldingResult::iv_source`]) bent by a skew, then quoted with a spread:
//!
//! * **Strikes** follow a listing ladder by spot: 0.50 below 5 USD, 1 below 25, 2.50 below 200,
//!   5 below 500, 10 below 1 000, 25 above ([`strike_increment`]).
//! * **Skew**: σ(K) = σ_ATM · (1 − skew · x), x = ln(K/F) / (σ_ATM √T) clamped to ±3, and σ(K)
//!   kept within [0.5, 1.5] × σ_ATM. With the default skew 0.10, a call one standard deviation
//!   out of the money carries 10 % less volatility than the at-the-money call (equity skew:
//!   upside calls are cheaper).
//! * **Quotes**: half-spread h = max(floor, share × fair); bid = fair − h rounded down to the
//!   option tick, ask = fair + h rounded up ([`crate::model::tick::option_tick`]: 0.01 below
//!   3.00, 0.05 above); a bid below one tick is no bid. Defaults share 0.03, floor 0.05.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::tick::option_tick;
use crate::model::Right;
use crate::pricing::{greeks, BsmInputs};

use super::Rule;

/// The bid/ask and skew model of synthetic quotes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuoteModel {
    /// Half-spread as a share of the fair value, decimal in [0, 0.5]. Default 0.03.
    pub half_spread: f64,
    /// Least half-spread, USD per share, in [0.01, 0.05]. Default 0.05.
    pub floor: f64,
    /// Skew slope per standard deviation of moneyness, decimal in [0, 0.5]. Default 0.10.
    pub skew: f64,
}

impl Default for QuoteModel {
    fn default() -> Self {
        QuoteModel {
            half_spread: 0.03,
            floor: 0.05,
            skew: 0.10,
        }
    }
}

/// A synthetic quote, USD per share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthQuote {
    /// Model value.
    pub fair: f64,
    /// Bid on the tick (0 when under one tick).
    pub bid: f64,
    /// Ask on the tick.
    pub ask: f64,
    /// The volatility used at this strike, decimal.
    pub iv: f64,
    /// Call delta at that volatility.
    pub delta: f64,
}

impl SynthQuote {
    /// (bid + ask) / 2.
    pub fn mid(&self) -> f64 {
        0.5 * (self.bid + self.ask)
    }
}

/// The market of one call at one session's close.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallMarket {
    /// Close, USD.
    pub spot: f64,
    /// Present value of cash dividends going ex before expiry, USD per share.
    pub dividend_pv: f64,
    /// ACT/365 years to expiry (≥ 0).
    pub t: f64,
    /// Continuously compounded rate, decimal.
    pub rate: f64,
    /// At-the-money volatility, decimal.
    pub atm_iv: f64,
}

impl CallMarket {
    /// The forward to expiry.
    pub fn forward(&self) -> f64 {
        (self.spot - self.dividend_pv).max(1e-9) * (self.rate * self.t).exp()
    }
}

impl QuoteModel {
    /// Check the three knobs.
    pub fn validate(&self) -> Result<()> {
        if !(self.half_spread.is_finite() && (0.0..=0.5).contains(&self.half_spread)) {
            return Err(Error::invalid(
                "half-spread share",
                self.half_spread,
                "a decimal share of the price from 0 to 0.5",
            ));
        }
        if !(self.floor.is_finite() && (0.01..=0.05).contains(&self.floor)) {
            return Err(Error::invalid(
                "half-spread floor",
                self.floor,
                "USD from 0.01 to 0.05",
            ));
        }
        if !(self.skew.is_finite() && (0.0..=0.5).contains(&self.skew)) {
            return Err(Error::invalid("skew", self.skew, "a decimal from 0 to 0.5"));
        }
        Ok(())
    }

    /// The volatility at `strike` (module docs).
    pub fn smile_vol(&self, m: &CallMarket, strike: f64) -> f64 {
        let atm = m.atm_iv;
        if m.t <= 0.0 || self.skew == 0.0 {
            return atm;
        }
        let x = ((strike / m.forward()).ln() / (atm * m.t.sqrt())).clamp(-3.0, 3.0);
        (atm * (1.0 - self.skew * x)).clamp(0.5 * atm, 1.5 * atm)
    }

    /// Quote the call at `strike`.
    pub fn quote(&self, m: &CallMarket, strike: f64) -> Result<SynthQuote> {
        let iv = self.smile_vol(m, strike);
        let g = greeks(
            &BsmInputs {
                right: Right::Call,
                spot: (m.spot - m.dividend_pv).max(1e-9),
                strike,
                t: m.t.max(0.0),
                rate: m.rate,
                div_yield: 0.0,
            },
            iv,
        )?;
        let fair = g.price.max(0.0);
        let h = (self.half_spread * fair).max(self.floor);
        let down = fair - h;
        let tick = option_tick(down.max(0.0), false);
        let bid = if down < tick {
            0.0
        } else {
            cents((down / tick + 1e-9).floor() * tick)
        };
        let up = fair + h;
        let tick = option_tick(up, false);
        let ask = cents((up / tick - 1e-9).ceil() * tick);
        Ok(SynthQuote {
            fair,
            bid,
            ask,
            iv,
            delta: g.delta,
        })
    }
}

/// Whole cents (4.05, not 4.050000000000001).
pub fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The strike increment listed at `spot`, USD (module docs).
pub fn strike_increment(spot: f64) -> f64 {
    if spot < 5.0 {
        0.5
    } else if spot < 25.0 {
        1.0
    } else if spot < 200.0 {
        2.5
    } else if spot < 500.0 {
        5.0
    } else if spot < 1000.0 {
        10.0
    } else {
        25.0
    }
}

/// The most strikes one synthetic expiry lists; the increment doubles until they fit (only a
/// price far beyond any listed stock's gets there).
pub const MAX_STRIKES: f64 = 400.0;

/// Listed strikes from `lo` to `hi` × spot on the increment, ascending (empty for a spot
/// that is not positive and finite).
pub fn listed_strikes(spot: f64, lo: f64, hi: f64) -> Vec<f64> {
    if !(spot.is_finite() && spot > 0.0 && lo.is_finite() && hi.is_finite() && lo <= hi) {
        return Vec::new();
    }
    let mut inc = strike_increment(spot);
    while spot * (hi - lo) / inc > MAX_STRIKES {
        inc *= 2.0;
    }
    let first = ((spot * lo) / inc).ceil().max(1.0) as i64;
    let last = ((spot * hi) / inc).floor() as i64;
    (first..=last)
        .map(|i| ((i as f64 * inc) * 1000.0).round() / 1000.0)
        .collect()
}

/// BXMD's target delta.
pub const BXMD_DELTA: f64 = 0.30;
/// BXY's moneyness: 2 % out of the money.
pub const BXY_OTM: f64 = 1.02;

/// An index rule's strike among `strikes` (ascending) with `delta_of(strike)`:
///
/// * `bxm`: the lowest strike at or above the spot (at the money, just out of it);
/// * `bxy`: the lowest strike at or above 1.02 × spot;
/// * `bxmd`: the strike whose delta is closest to 0.30 (a tie goes to the higher strike).
///
/// When every strike is below the target, the highest. `None` for no strikes or the `ccplan`
/// rule (the planner chooses).
pub fn index_strike(
    rule: Rule,
    spot: f64,
    strikes: &[f64],
    delta_of: impl Fn(f64) -> Option<f64>,
) -> Option<f64> {
    let at_or_above = |level: f64| {
        strikes
            .iter()
            .copied()
            .find(|k| *k >= level - 1e-9)
            .or_else(|| strikes.last().copied())
    };
    match rule {
        Rule::Bxm => at_or_above(spot),
        Rule::Bxy => at_or_above(spot * BXY_OTM),
        Rule::Bxmd => {
            let mut best: Option<(f64, f64)> = None;
            for &k in strikes {
                let Some(d) = delta_of(k) else { continue };
                let dist = (d - BXMD_DELTA).abs();
                match best {
                    Some((_, bd)) if dist > bd + 1e-12 => {}
                    _ => best = Some((k, dist)),
                }
            }
            best.map(|(k, _)| k)
        }
        Rule::Ccplan => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn market() -> CallMarket {
        CallMarket {
            spot: 100.0,
            dividend_pv: 0.0,
            t: 28.0 / 365.0,
            rate: 0.04,
            atm_iv: 0.30,
        }
    }

    #[test]
    fn quotes_are_on_the_tick_and_straddle_the_fair_value() {
        let q = QuoteModel::default().quote(&market(), 100.0).unwrap();
        assert!(q.bid < q.fair && q.fair < q.ask, "{q:?}");
        assert_eq!(q.bid, cents(q.bid));
        assert!(((q.bid * 20.0).round() - q.bid * 20.0).abs() < 1e-9);
        // Independent BSM (σ = 0.30110788 after the skew at K/F = 100/100.3072): 3.4764684.
        assert!((q.fair - 3.476_468_4).abs() < 1e-6, "{}", q.fair);
        // Half-spread 3 % of 3.4765 = 0.1043 > floor: bid 3.35 (nickels), ask 3.60.
        assert_eq!((q.bid, q.ask), (3.35, 3.6));
        // A far OTM call under a tick after the spread has no bid.
        let far = QuoteModel::default().quote(&market(), 160.0).unwrap();
        assert_eq!(far.bid, 0.0);
        assert!(far.ask >= 0.05);
    }

    #[test]
    fn skew_makes_upside_calls_cheaper_in_vol() {
        let m = market();
        let qm = QuoteModel::default();
        assert!(qm.smile_vol(&m, 110.0) < 0.30);
        assert!(qm.smile_vol(&m, 90.0) > 0.30);
        let x = (110.0 / m.forward()).ln() / (0.30 * m.t.sqrt());
        assert!((qm.smile_vol(&m, 110.0) - 0.30 * (1.0 - 0.10 * x)).abs() < 1e-12);
    }

    #[test]
    fn ladder_and_strikes() {
        assert_eq!(strike_increment(4.0), 0.5);
        assert_eq!(strike_increment(180.0), 2.5);
        assert_eq!(strike_increment(450.0), 5.0);
        let k = listed_strikes(101.3, 0.95, 1.05);
        assert_eq!(k, vec![97.5, 100.0, 102.5, 105.0]);
        // A hostile price lists a bounded ladder, not millions of strikes.
        let huge = listed_strikes(1e9, 0.7, 1.5);
        assert!(!huge.is_empty() && huge.len() <= 401, "{}", huge.len());
        assert!(listed_strikes(f64::NAN, 0.7, 1.5).is_empty());
    }

    #[test]
    fn each_index_rule_picks_its_strike() {
        let strikes = [95.0, 97.5, 100.0, 102.5, 105.0, 107.5, 110.0];
        let none = |_k: f64| None;
        assert_eq!(index_strike(Rule::Bxm, 100.0, &strikes, none), Some(100.0));
        assert_eq!(index_strike(Rule::Bxm, 100.01, &strikes, none), Some(102.5));
        // 2 % above 100.5 is 102.51: the next listed strike is 105.
        assert_eq!(index_strike(Rule::Bxy, 100.5, &strikes, none), Some(105.0));
        assert_eq!(index_strike(Rule::Bxy, 100.0, &strikes, none), Some(102.5));
        // Beyond the ladder: the highest strike.
        assert_eq!(index_strike(Rule::Bxm, 120.0, &strikes, none), Some(110.0));
        // Deltas falling 0.05 per strike from 0.55: 0.30 sits at 107.5 exactly.
        let delta = |k: f64| Some(0.55 - (k - 95.0) / 2.5 * 0.05);
        assert_eq!(
            index_strike(Rule::Bxmd, 100.0, &strikes, delta),
            Some(107.5)
        );
        // A tie (0.325 / 0.275) goes to the higher strike.
        let tie = |k: f64| Some(0.575 - (k - 95.0) / 2.5 * 0.05);
        assert_eq!(index_strike(Rule::Bxmd, 100.0, &strikes, tie), Some(110.0));
        assert_eq!(index_strike(Rule::Ccplan, 100.0, &strikes, none), None);
    }
}

//! Per-quote analytics: implied volatility from bid, mid and ask on the expiry's implied
//! forward, greeks at the mid IV, and data-quality flags.
//!
//! IVs are solved with Black-76 on the parity forward and discount (not on spot with an
//! assumed rate and yield), so that calls and puts of a strike agree and the carry the market
//! prices is the carry the analytics use. Greeks are then the Black-Scholes-Merton greeks of the
//! same option seen from spot ([`BlackInputs::to_bsm`]), so delta is per 1 USD of spot.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::model::{OptionContract, Quote, Right};
use crate::pricing::american::{american_greeks, implied_vol_american, AmericanInputs};
use crate::pricing::{greeks, implied_vol_black, BlackInputs, Greeks};

use super::forward::ForwardEstimate;
use super::AmericanCarry;

/// The model a quote's IVs and greeks come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PricingModel {
    /// Black-76 on the expiry's parity forward and discount (European exercise; the carry,
    /// dividends included, is in the forward).
    #[default]
    Black76,
    /// American exercise under the discrete-dividend model on the parity forward
    /// ([`AmericanCarry`]): used where a known cash dividend goes ex before expiry.
    AmericanDiscreteDividend,
}

impl PricingModel {
    /// The label in output: `black76` or `american`.
    pub fn label(self) -> &'static str {
        match self {
            PricingModel::Black76 => "black76",
            PricingModel::AmericanDiscreteDividend => "american",
        }
    }
}

/// What is wrong or unusual about a quote. All false for a clean, traded, two-sided quote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QuoteFlags {
    /// The price used for IV (mid, else bid) is below the discounted intrinsic value on the
    /// forward, D·max(±(F − K), 0): no volatility produces it.
    pub below_intrinsic: bool,
    /// Bid above ask.
    pub crossed: bool,
    /// No bid, or a bid of zero: nothing to sell into.
    pub no_bid: bool,
    /// No volume in the session or no last trade at all.
    pub no_trades: bool,
    /// The last trade is older than the staleness threshold before the as-of instant.
    pub stale: bool,
    /// A side had a price but no positive IV could be solved from it (below intrinsic, at or
    /// above the upper bound, exactly at intrinsic): the IV of that side is `None`.
    pub iv_failed: bool,
}

/// One quote with its implied volatilities, greeks and flags.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteAnalytics {
    /// The contract.
    pub contract: OptionContract,
    /// Shares per contract.
    pub multiplier: u32,
    /// Best bid, USD per share.
    pub bid: Option<f64>,
    /// Best ask, USD per share.
    pub ask: Option<f64>,
    /// Mid of a two-sided, uncrossed quote, USD per share.
    pub mid: Option<f64>,
    /// Last trade price, USD per share.
    pub last: Option<f64>,
    /// Contracts traded in the session.
    pub volume: Option<u64>,
    /// Open interest, contracts.
    pub open_interest: Option<u64>,
    /// Black-76 IV of the bid, decimal.
    pub iv_bid: Option<f64>,
    /// Black-76 IV of the mid, decimal.
    pub iv_mid: Option<f64>,
    /// Black-76 IV of the ask, decimal.
    pub iv_ask: Option<f64>,
    /// Greeks at [`QuoteAnalytics::iv`], library units (delta per 1 USD of spot, theta per
    /// year, vega per 1.00 of vol).
    pub greeks: Option<Greeks>,
    /// Data-quality flags.
    pub flags: QuoteFlags,
    /// The model the IVs and greeks come from.
    pub model: PricingModel,
}

impl QuoteAnalytics {
    /// The IV the analytics use: the mid's, else the bid's (a one-sided market), decimal.
    pub fn iv(&self) -> Option<f64> {
        self.iv_mid.or(self.iv_bid)
    }

    /// Strike, USD.
    pub fn strike(&self) -> f64 {
        self.contract.strike
    }

    /// Ask − bid as a fraction of mid, when both sides are there and mid > 0.
    pub fn spread_fraction(&self) -> Option<f64> {
        match (self.bid, self.ask, self.mid) {
            (Some(b), Some(a), Some(m)) if m > 0.0 => Some((a - b) / m),
            _ => None,
        }
    }
}

/// Everything a quote's analytics need besides the quote.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QuoteContext<'a> {
    pub spot: f64,
    pub t: f64,
    pub forward: &'a ForwardEstimate,
    pub as_of: &'a DateTime<FixedOffset>,
    pub stale_after_minutes: i64,
    pub sides: IvSides,
    /// The expiry's American carry, when a known dividend goes ex before it.
    pub american: Option<&'a AmericanCarry>,
}

/// Which prices of a quote get an implied volatility.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IvSides {
    /// Bid, mid and ask: the full chain view (three solves per quote).
    #[default]
    BidMidAsk,
    /// The mid only, or the bid when there is no mid, at a third of the cost (`iv_ask` is
    /// then `None`, and `iv_bid` is `None` whenever there is a mid).
    MidOnly,
    /// As `MidOnly` for calls; puts get no IV and no greeks, and the smile is built from the
    /// calls alone. All a covered-call planner uses: half the solves again.
    CallsMidOnly,
    /// As `MidOnly`, but puts get their IV without greeks: what the regime (the smile of
    /// both sides) and the planner (the calls' greeks) read together from one analysis.
    MidOnlyCallGreeks,
}

fn positive(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v > 0.0)
}

/// The two ways a quote's IV is solved.
enum Solver<'a> {
    Black(BlackInputs),
    American(&'a AmericanInputs),
}

fn solve(inputs: &Solver<'_>, price: Option<f64>, failed: &mut bool) -> Option<f64> {
    let p = positive(price)?;
    let v = match inputs {
        Solver::Black(b) => implied_vol_black(b, p),
        Solver::American(a) => implied_vol_american(a, p),
    };
    match v {
        Ok(v) if v.is_finite() && v > 0.0 => Some(v),
        _ => {
            *failed = true;
            None
        }
    }
}

/// Analyse one quote. The quote's prices are assumed finite or absent (the caller drops
/// non-finite ones).
pub(crate) fn analyze_quote(q: &Quote, cx: &QuoteContext<'_>) -> QuoteAnalytics {
    let inputs = BlackInputs {
        right: q.contract.right,
        forward: cx.forward.forward,
        strike: q.contract.strike,
        t: cx.t,
        discount: cx.forward.discount,
    };
    let mid = q.mid();
    let mut flags = QuoteFlags {
        crossed: matches!((q.bid, q.ask), (Some(b), Some(a)) if b > a),
        no_bid: !q.bid.is_some_and(|b| b > 0.0),
        no_trades: q.volume.unwrap_or(0) == 0 || q.last.is_none(),
        stale: q
            .last_trade
            .is_some_and(|lt| (*cx.as_of - lt).num_minutes() > cx.stale_after_minutes),
        ..QuoteFlags::default()
    };
    let sign = q.contract.right.sign();
    let european_floor =
        cx.forward.discount * (sign * (cx.forward.forward - q.contract.strike)).max(0.0);
    let american = cx
        .american
        .map(|c| c.inputs(q.contract.right, q.contract.strike, cx.t));
    // An American option is worth at least its exercise value now as well.
    let intrinsic = match cx.american {
        Some(c) => european_floor.max((sign * (c.spot - q.contract.strike)).max(0.0)),
        None => european_floor,
    };
    let solver = match &american {
        Some(a) => Solver::American(a),
        None => Solver::Black(inputs),
    };
    if let Some(p) = mid.or(q.bid) {
        flags.below_intrinsic = p < intrinsic;
    }
    // With calls-only IVs a put gets none (and no greeks).
    let solves = !(cx.sides == IvSides::CallsMidOnly && q.contract.right == Right::Put);
    let full = cx.sides == IvSides::BidMidAsk;
    let wants_greeks = !(cx.sides == IvSides::MidOnlyCallGreeks && q.contract.right == Right::Put);
    let solve_all = |solver: &Solver<'_>| {
        let mut failed = false;
        let iv_mid = if solves {
            solve(solver, mid, &mut failed)
        } else {
            None
        };
        // The bid's IV is always needed when there is no mid: it is then the quote's IV.
        let iv_bid = if !solves || flags.crossed || !(full || mid.is_none()) {
            None
        } else {
            solve(solver, q.bid, &mut failed)
        };
        let iv_ask = if !solves || flags.crossed || !full {
            None
        } else {
            solve(solver, q.ask, &mut failed)
        };
        (iv_mid, iv_bid, iv_ask, failed)
    };
    let (mut iv_mid, mut iv_bid, mut iv_ask, mut failed) = solve_all(&solver);
    let mut american = american;
    // A price the American model cannot reach (below its exercise value: a stale quote or
    // spot) still gets the Black-76 reading, and the row says so.
    if american.is_some() && iv_mid.or(iv_bid).is_none() && positive(mid.or(q.bid)).is_some() {
        let black = solve_all(&Solver::Black(inputs));
        if black.0.or(black.1).is_some() {
            (iv_mid, iv_bid, iv_ask, failed) = black;
            american = None;
        }
    }
    flags.iv_failed = failed;
    let iv = iv_mid.or(iv_bid);
    let greeks = iv.filter(|_| wants_greeks).and_then(|v| match &american {
        Some(a) => american_greeks(a, v).ok(),
        None => greeks(&inputs.to_bsm(cx.spot), v).ok(),
    });
    QuoteAnalytics {
        contract: q.contract.clone(),
        multiplier: q.multiplier,
        bid: q.bid,
        ask: q.ask,
        mid,
        last: q.last,
        volume: q.volume,
        open_interest: q.open_interest,
        iv_bid,
        iv_mid,
        iv_ask,
        greeks,
        flags,
        model: if american.is_some() {
            PricingModel::AmericanDiscreteDividend
        } else {
            PricingModel::Black76
        },
    }
}

/// Black-Scholes-Merton spot delta of an option at volatility `vol` on the forward, without
/// building greeks: e^{−qT}·N(d1) for a call, e^{−qT}·(N(d1) − 1) for a put, with
/// e^{−qT} = D·F/S.
pub(crate) fn spot_delta(
    right: Right,
    spot: f64,
    strike: f64,
    t: f64,
    fwd: &ForwardEstimate,
    vol: f64,
) -> Option<f64> {
    let s = vol * t.sqrt();
    if !(s > 0.0 && spot > 0.0 && strike > 0.0) {
        return None;
    }
    let d1 = (fwd.forward / strike).ln() / s + 0.5 * s;
    let df_q = fwd.discount * fwd.forward / spot;
    let n = crate::pricing::normal::norm_cdf(d1);
    let d = match right {
        Right::Call => df_q * n,
        Right::Put => df_q * (n - 1.0),
    };
    d.is_finite().then_some(d)
}

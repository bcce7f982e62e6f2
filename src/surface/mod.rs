//! Chain-level analytics: the implied forward and discount of each expiry from put-call
//! parity, implied volatility and greeks of every quote on that forward, and the smile
//! readings built on them (forward-ATM IV, term structure, constant-maturity IV, IV at a
//! delta or a moneyness for skew).
//!
//! Pure functions of a [`ChainSnapshot`]: "now" is the snapshot's as-of instant, and the only
//! configuration is [`SurfaceParams`]. Quotes with a non-finite price or a negative bid are
//! dropped and counted, never passed on; expired expiries are skipped and counted.
//!
//! ```no_run
//! # fn demo(snapshot: &ccplan::model::ChainSnapshot) -> ccplan::Result<()> {
//! use ccplan::surface::{analyze, SurfaceParams};
//! let surface = analyze(snapshot, &SurfaceParams::default())?;
//! for s in &surface.slices {
//!     println!("{} F={:.2} ATM IV={:?}", s.expiry, s.forward.forward, s.atm_iv());
//! }
//! # Ok(()) }
//! ```

mod forward;
mod quote;
mod smile;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{ChainSnapshot, Quote, Right};
use crate::pricing::american::{AmericanInputs, CashDividend};
use crate::pricing::time::{days_to_expiry, ex_dividend_years, year_fraction};

pub use forward::{
    fallback_forward, implied_forward, FallbackReason, ForwardEstimate, ForwardMethod, ParityPair,
    ParitySettings,
};
pub use quote::{IvSides, PricingModel, QuoteAnalytics, QuoteFlags};
pub use smile::SmilePoint;

use quote::{analyze_quote, QuoteContext};

/// Settings of the chain analytics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SurfaceParams {
    /// The parity fit and its fallback rate and dividend yield.
    pub parity: ParitySettings,
    /// A quote whose last trade is more than this many minutes before the as-of instant is
    /// flagged stale. Default one day (1 440).
    pub stale_after_minutes: i64,
    /// Which prices get an IV (default bid, mid and ask).
    #[serde(default)]
    pub iv_sides: IvSides,
    /// Which expiries get the American model (default: those a known dividend goes ex
    /// before).
    #[serde(default)]
    pub american: AmericanScope,
}

/// Which expiries the chain analytics price as American.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmericanScope {
    /// Expiries that a known cash dividend goes ex before; Black-76 elsewhere.
    #[default]
    WhereDividend,
    /// Every expiry (early exercise of deep in-the-money puts is worth something at a
    /// positive rate even with no dividend).
    Always,
    /// As `WhereDividend` for the calls; the puts keep Black-76 on the (dividend-corrected)
    /// parity forward. What a covered-call run reads: the calls it sells priced as American,
    /// and the out-of-the-money puts of the smile, whose early exercise is worth little,
    /// without an American put's finite-difference solve each.
    CallsWhereDividend,
}

impl Default for SurfaceParams {
    fn default() -> Self {
        SurfaceParams {
            parity: ParitySettings::default(),
            stale_after_minutes: 24 * 60,
            iv_sides: IvSides::BidMidAsk,
            american: AmericanScope::WhereDividend,
        }
    }
}

impl SurfaceParams {
    /// Check every field, naming the one at fault.
    pub fn validate(&self) -> Result<()> {
        let p = &self.parity;
        if !p.rate.is_finite() || p.rate.abs() > 1.0 {
            return Err(Error::invalid(
                "rate",
                p.rate,
                "a decimal rate between −1 and 1 (0.04 for 4 %)",
            ));
        }
        if !p.div_yield.is_finite() || p.div_yield.abs() > 1.0 {
            return Err(Error::invalid(
                "dividend yield",
                p.div_yield,
                "a decimal yield between −1 and 1 (0.01 for 1 %)",
            ));
        }
        if !(p.min_rate.is_finite() && p.max_rate.is_finite() && p.min_rate < p.max_rate) {
            return Err(Error::invalid(
                "parity rate band",
                format!("[{}, {}]", p.min_rate, p.max_rate),
                "finite bounds with min < max",
            ));
        }
        if !(p.outlier_mads.is_finite() && p.outlier_mads > 0.0) {
            return Err(Error::invalid(
                "parity outlier threshold",
                p.outlier_mads,
                "a positive number of robust standard deviations",
            ));
        }
        if p.max_pairs < 3 {
            return Err(Error::invalid(
                "parity max pairs",
                p.max_pairs,
                "at least 3",
            ));
        }
        if self.stale_after_minutes < 0 {
            return Err(Error::invalid(
                "stale after (minutes)",
                self.stale_after_minutes,
                "a non-negative number of minutes",
            ));
        }
        Ok(())
    }
}

/// One expiry of the chain, analysed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpirySlice {
    /// Expiry date (16:00 New York that day).
    pub expiry: NaiveDate,
    /// Time to expiry, ACT/365 years to the minute.
    pub t: f64,
    /// Calendar days to expiry (0 on expiry day).
    pub dte: i64,
    /// Forward and discount to expiry, and how they were obtained.
    pub forward: ForwardEstimate,
    /// Calls, ascending by strike.
    pub calls: Vec<QuoteAnalytics>,
    /// Puts, ascending by strike.
    pub puts: Vec<QuoteAnalytics>,
    /// The smile, ascending by strike (see [`SmilePoint`]).
    pub smile: Vec<SmilePoint>,
    /// The American discrete-dividend carry of this expiry when a known cash dividend goes ex
    /// before it: its quotes' IVs and greeks are then American (see [`PricingModel`]).
    pub american: Option<AmericanCarry>,
}

/// A cash dividend known ahead: the ex-date and the amount per share, USD. The stock opens
/// ex-dividend at 09:30 New York on the ex-date; exercise is possible up to the evening
/// before.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScheduledDividend {
    /// Ex-dividend date.
    pub ex_date: NaiveDate,
    /// Cash dividend per share, USD.
    pub amount: f64,
}

/// The American model of one expiry on its parity forward: the rate of the expiry's discount
/// factor, the known cash dividends before expiry, no continuous yield (so calls take the
/// fast ex-date integral), and the spot that makes the model's forward the parity forward,
/// S = F·D + Σ Dᵢ·e^{−r tᵢ}.
///
/// Parity on American prices is biased by what the model is there to price: a call about to
/// be exercised for its dividend is worth more than its European twin, and C − P with it
/// (on a chain priced by this engine at one volatility, a 1.50 dividend nine days before
/// expiry lifts the parity forward 0.45 above the true one), and an in-the-money put's early
/// exercise lowers it. So the parity fit is run again on mids less their early-exercise
/// premium under the model (twice; each strike's premiums at the Black IV of its
/// out-of-the-money side; puts from 97 % of the forward up), which brings the forward back
/// within a few cents. When parity cannot
/// be used (a fallback forward) the model starts from the quoted spot and the configured
/// rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmericanCarry {
    /// Spot the model starts from, USD, cum all the dividends below: F·D + Σ Dᵢ·e^{−r tᵢ}
    /// on the parity forward, else the quoted spot.
    pub spot: f64,
    /// The quoted spot, USD. A gap to [`AmericanCarry::spot`] means the market prices
    /// another dividend, a borrow cost, or a stale stock quote.
    pub quoted_spot: f64,
    /// Continuously compounded rate −ln(D)/T, decimal.
    pub rate: f64,
    /// The cash dividends going ex before expiry, years from the as-of instant.
    pub dividends: Vec<CashDividend>,
}

impl AmericanCarry {
    /// The model's inputs for one contract of this expiry (`t` in years).
    pub fn inputs(&self, right: Right, strike: f64, t: f64) -> AmericanInputs {
        AmericanInputs {
            right,
            spot: self.spot,
            strike,
            t,
            rate: self.rate,
            div_yield: 0.0,
            dividends: self.dividends.clone(),
        }
    }

    /// The carry of an expiry `t` years away with forward estimate `fwd`, from the dividends
    /// going ex in (as-of, expiry). `None` when no dividend falls there or the numbers do not
    /// make a model (a forward below the dividends' value, a rate outside ±100 %).
    fn build(
        as_of: &DateTime<FixedOffset>,
        t: f64,
        fwd: &ForwardEstimate,
        quoted_spot: f64,
        dividends: &[ScheduledDividend],
        scope: AmericanScope,
    ) -> Option<AmericanCarry> {
        let divs: Vec<CashDividend> = dividends
            .iter()
            // An ex-date today is past its exercise deadline (the close before).
            .filter(|d| {
                d.amount.is_finite()
                    && d.amount > 0.0
                    && plausible_expiry(d.ex_date)
                    && days_to_expiry(as_of, d.ex_date) > 0
            })
            .map(|d| CashDividend {
                t: ex_dividend_years(as_of, d.ex_date),
                amount: d.amount,
            })
            .filter(|d| d.t > 0.0 && d.t < t)
            .collect();
        let none_needed = divs.is_empty() && scope != AmericanScope::Always;
        if none_needed || !(fwd.discount > 0.0 && fwd.forward > 0.0 && t > 0.0) {
            return None;
        }
        let rate = -fwd.discount.ln() / t;
        let pv: f64 = divs.iter().map(|d| d.amount * (-rate * d.t).exp()).sum();
        let spot = if fwd.is_fallback() {
            quoted_spot
        } else {
            fwd.forward * fwd.discount + pv
        };
        let total: f64 = divs.iter().map(|d| d.amount).sum();
        let carry = AmericanCarry {
            spot,
            quoted_spot,
            rate,
            dividends: divs,
        };
        let ok = spot.is_finite()
            && spot > total
            && carry.inputs(Right::Call, fwd.forward, t).validate().is_ok();
        ok.then_some(carry)
    }
}

impl ExpirySlice {
    /// Forward-ATM implied volatility: the smile interpolated at K = F, decimal. `None` when
    /// the listed strikes with an IV do not bracket the forward.
    pub fn atm_iv(&self) -> Option<f64> {
        smile::iv_at_log_moneyness(&self.smile, 0.0)
    }

    /// IV at forward moneyness `k_over_f` = K/F (0.9 and 1.1 for the 90 %/110 % skew).
    pub fn iv_at_moneyness(&self, k_over_f: f64) -> Option<f64> {
        if !(k_over_f.is_finite() && k_over_f > 0.0) {
            return None;
        }
        smile::iv_at_log_moneyness(&self.smile, k_over_f.ln())
    }

    /// IV at a strike, USD.
    pub fn iv_at_strike(&self, strike: f64) -> Option<f64> {
        self.iv_at_moneyness(strike / self.forward.forward)
    }

    /// IV at a spot delta: `(Right::Call, 0.25)` or `(Right::Put, -0.25)` for the 25-delta
    /// risk reversal. `spot` is the chain's spot ([`ChainSurface::spot`]).
    pub fn iv_at_delta(&self, right: Right, delta: f64, spot: f64) -> Option<f64> {
        smile::iv_at_delta(&self.smile, right, delta, spot, self.t, &self.forward)
    }

    /// The analysed call at a strike (matched to the tenth of a cent).
    pub fn call(&self, strike: f64) -> Option<&QuoteAnalytics> {
        let k = (strike * 1000.0).round();
        self.calls
            .iter()
            .find(|q| q.contract.strike_millis() as f64 == k)
    }
}

/// A whole chain, analysed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainSurface {
    /// Underlying ticker.
    pub symbol: String,
    /// The snapshot's as-of instant.
    pub as_of: DateTime<FixedOffset>,
    /// Spot used, USD ([`crate::model::Underlying::spot`]).
    pub spot: f64,
    /// Expiries not yet expired, ascending.
    pub slices: Vec<ExpirySlice>,
    /// Quotes dropped: non-finite or negative prices, duplicates of a contract.
    pub dropped_quotes: usize,
    /// Expiries skipped because their expiry instant is not after the as-of instant.
    pub expired_expiries: usize,
}

impl ChainSurface {
    /// The slice of an expiry.
    pub fn slice(&self, expiry: NaiveDate) -> Option<&ExpirySlice> {
        self.slices.iter().find(|s| s.expiry == expiry)
    }

    /// Forward-ATM IV by expiry: (expiry, years, ATM IV), for term structure.
    pub fn atm_term_structure(&self) -> Vec<(NaiveDate, f64, f64)> {
        self.slices
            .iter()
            .filter_map(|s| s.atm_iv().map(|v| (s.expiry, s.t, v)))
            .collect()
    }

    /// Constant-maturity ATM IV at `days` calendar days (30 for IV30): total variance σ²T
    /// interpolated linearly in T between the two expiries that bracket it (the standard
    /// VIX-style interpolation). `None` when no two expiries with an ATM IV bracket the
    /// target; extrapolation is left to the caller.
    pub fn atm_iv_constant_maturity(&self, days: f64) -> Option<f64> {
        let target = days / 365.0;
        if !(target.is_finite() && target > 0.0) {
            return None;
        }
        let ts = self.atm_term_structure();
        if let Some(&(_, _, v)) = ts.iter().find(|(_, t, _)| (*t - target).abs() < 1e-12) {
            return Some(v);
        }
        let hi = ts.iter().position(|(_, t, _)| *t > target)?;
        let (_, t1, v1) = *ts.get(hi.checked_sub(1)?)?;
        let (_, t2, v2) = *ts.get(hi)?;
        let w = (target - t1) / (t2 - t1);
        let var = (v1 * v1 * t1) + w * (v2 * v2 * t2 - v1 * v1 * t1);
        (var > 0.0).then(|| (var / target).sqrt())
    }
}

/// Analyse every expiry of a snapshot.
pub fn analyze(snapshot: &ChainSnapshot, params: &SurfaceParams) -> Result<ChainSurface> {
    analyze_where(snapshot, params, |_| true)
}

/// Analyse the expiries for which `keep` is true (the planner only needs those in its window;
/// the forward of each kept expiry still uses all its calls and puts).
pub fn analyze_where(
    snapshot: &ChainSnapshot,
    params: &SurfaceParams,
    keep: impl Fn(NaiveDate) -> bool,
) -> Result<ChainSurface> {
    analyze_with_dividends(snapshot, params, &[], keep)
}

/// As [`analyze_where`], with the cash dividends known ahead: every expiry that a dividend
/// goes ex before is analysed with the American discrete-dividend model on its parity
/// forward ([`AmericanCarry`]), the others with Black-76; each quote says which
/// ([`QuoteAnalytics::model`]).
pub fn analyze_with_dividends(
    snapshot: &ChainSnapshot,
    params: &SurfaceParams,
    dividends: &[ScheduledDividend],
    keep: impl Fn(NaiveDate) -> bool,
) -> Result<ChainSurface> {
    params.validate()?;
    for d in dividends {
        if !(d.amount.is_finite() && d.amount >= 0.0) {
            return Err(Error::invalid(
                "cash dividend",
                d.amount,
                "a finite amount per share, USD, ≥ 0",
            ));
        }
    }
    check_as_of(snapshot)?;
    let spot = snapshot.underlying.spot();
    if !(spot.is_finite() && spot > 0.0) {
        return Err(Error::NoData {
            what: "spot price",
            symbol: snapshot.underlying.symbol.clone(),
            message: format!("spot {spot} is not a positive finite price"),
        });
    }
    let as_of = snapshot.as_of;
    let mut dropped = 0usize;
    // Sort on a small key with the input position last, so an unstable sort orders exactly as
    // a stable one would and the first of duplicate contracts is the one kept. The key is in
    // the order providers list a chain (expiry, strike, call before put), so a chain that
    // arrives in that order is found sorted in one pass.
    let mut keyed: Vec<(QuoteKey, &Quote)> = Vec::with_capacity(snapshot.quotes.len());
    for (i, q) in snapshot.quotes.iter().enumerate() {
        if usable(q) {
            // Strikes are positive, so their bit patterns order like the numbers.
            let c = &q.contract;
            keyed.push(((c.expiry, c.strike.to_bits(), c.right, i), q));
        } else {
            dropped += 1;
        }
    }
    keyed.sort_unstable_by_key(|(k, _)| *k);
    let mut good: Vec<&Quote> = Vec::with_capacity(keyed.len());
    for (_, q) in keyed {
        match good.last() {
            Some(prev)
                if prev.contract.expiry == q.contract.expiry
                    && prev.contract.right == q.contract.right
                    && prev.contract.strike_millis() == q.contract.strike_millis() =>
            {
                dropped += 1
            }
            _ => good.push(q),
        }
    }

    // One job an expiry (its calls, then its puts, each by strike), analysed in order, on two
    // threads where the chain is large (expiries are independent).
    let mut jobs: Vec<(NaiveDate, f64, Vec<&Quote>)> = Vec::new();
    let mut expired = 0usize;
    let mut start = 0;
    while start < good.len() {
        let expiry = good[start].contract.expiry;
        let end = start + good[start..].partition_point(|q| q.contract.expiry == expiry);
        let same_expiry = &good[start..end];
        start = end;
        let t = year_fraction(&as_of, expiry);
        if t <= 0.0 {
            expired += 1;
            continue;
        }
        if !keep(expiry) {
            continue;
        }
        let mut group: Vec<&Quote> = Vec::with_capacity(same_expiry.len());
        group.extend(
            same_expiry
                .iter()
                .filter(|q| q.contract.right == Right::Call),
        );
        group.extend(
            same_expiry
                .iter()
                .filter(|q| q.contract.right == Right::Put),
        );
        jobs.push((expiry, t, group));
    }
    let slices = crate::par::map_in_order(
        &jobs,
        crate::par::MIN_SPLIT_WEIGHT,
        |(_, _, group)| group.len(),
        |(expiry, t, group)| analyze_expiry(group, *expiry, *t, spot, &as_of, params, dividends),
    );
    Ok(ChainSurface {
        symbol: snapshot.underlying.symbol.clone(),
        as_of,
        spot,
        slices,
        dropped_quotes: dropped,
        expired_expiries: expired,
    })
}

/// Sort key of a quote: expiry, strike bits, right, input position.
type QuoteKey = (NaiveDate, u64, Right, usize);

/// The snapshot's as-of instant must be a plausible date (see [`plausible_expiry`]).
pub(crate) fn check_as_of(snapshot: &ChainSnapshot) -> Result<()> {
    if plausible_expiry(snapshot.as_of.date_naive()) {
        Ok(())
    } else {
        Err(Error::invalid(
            "snapshot as-of instant",
            snapshot.as_of,
            "a date between the years 1900 and 2999",
        ))
    }
}

/// An expiry date the time arithmetic can handle. OCC symbols only express 2000–2099; the
/// wider band keeps a corrupt date (e.g. `NaiveDate::MAX`) from overflowing the expiry-instant
/// arithmetic while refusing nothing real.
pub(crate) fn plausible_expiry(d: NaiveDate) -> bool {
    (1900..=2999).contains(&d.year())
}

/// A quote the analytics can use: finite, non-negative prices, a positive strike and a
/// plausible expiry date.
fn usable(q: &Quote) -> bool {
    let ok = |x: Option<f64>| x.is_none_or(|v| v.is_finite() && v >= 0.0);
    plausible_expiry(q.contract.expiry)
        && ok(q.bid)
        && ok(q.ask)
        && ok(q.last)
        && q.contract.strike.is_finite()
        && q.contract.strike > 0.0
        && q.multiplier > 0
}

/// `group`: one expiry's quotes, calls then puts, each ascending by strike.
fn analyze_expiry(
    group: &[&Quote],
    expiry: NaiveDate,
    t: f64,
    spot: f64,
    as_of: &DateTime<FixedOffset>,
    params: &SurfaceParams,
    dividends: &[ScheduledDividend],
) -> ExpirySlice {
    let split = group.partition_point(|q| q.contract.right == Right::Call);
    let (calls, puts) = group.split_at(split);
    let pairs = parity_pairs(calls, puts);
    let forward = implied_forward(
        spot,
        t,
        &pairs,
        !calls.is_empty() && !puts.is_empty(),
        &params.parity,
    );
    let (forward, american) = american_forward(forward, &pairs, spot, t, as_of, params, dividends);
    let cx = QuoteContext {
        american: american.as_ref(),
        spot,
        t,
        forward: &forward,
        as_of,
        stale_after_minutes: params.stale_after_minutes,
        sides: params.iv_sides,
    };
    let put_cx = match params.american {
        AmericanScope::CallsWhereDividend => QuoteContext {
            american: None,
            ..cx
        },
        _ => cx,
    };
    let calls: Vec<QuoteAnalytics> = calls.iter().map(|q| analyze_quote(q, &cx)).collect();
    let puts: Vec<QuoteAnalytics> = puts.iter().map(|q| analyze_quote(q, &put_cx)).collect();
    let smile = smile::build_smile(&calls, &puts, forward.forward);
    ExpirySlice {
        expiry,
        t,
        dte: days_to_expiry(as_of, expiry),
        forward,
        calls,
        puts,
        smile,
        american,
    }
}

/// The expiry's forward and American carry (see [`AmericanCarry`]): where a dividend goes ex
/// before expiry and parity gave the forward, the fit is repeated on call mids less their
/// early-exercise premium.
fn american_forward(
    mut forward: ForwardEstimate,
    pairs: &[ParityPair],
    spot: f64,
    t: f64,
    as_of: &DateTime<FixedOffset>,
    params: &SurfaceParams,
    dividends: &[ScheduledDividend],
) -> (ForwardEstimate, Option<AmericanCarry>) {
    use crate::pricing::american::early_exercise;
    use crate::pricing::{implied_vol_black, BlackInputs};
    let mut carry = AmericanCarry::build(as_of, t, &forward, spot, dividends, params.american);
    for _ in 0..2 {
        let Some(c) = carry.as_ref() else { break };
        if forward.is_fallback() {
            break;
        }
        // Each strike's volatility from its out-of-the-money side, whose early exercise is
        // worth least: the in-the-money side's Black IV carries its own premium.
        let vol_of = |p: &ParityPair| {
            let (right, mid) = if p.strike >= forward.forward {
                (Right::Call, p.call_mid)
            } else {
                (Right::Put, p.put_mid)
            };
            let black = BlackInputs {
                right,
                forward: forward.forward,
                strike: p.strike,
                t,
                discount: forward.discount,
            };
            implied_vol_black(&black, mid)
                .ok()
                .filter(|v| v.is_finite() && (1e-4..=10.0).contains(v))
        };
        let premium = |right: Right, strike: f64, vol: Option<f64>| {
            vol.and_then(|v| early_exercise(&c.inputs(right, strike, t), v).ok())
                .map_or(0.0, |r| r.early_exercise_premium)
        };
        let adjusted: Vec<ParityPair> = pairs
            .iter()
            .map(|p| {
                let vol = vol_of(p);
                ParityPair {
                    call_mid: p.call_mid - premium(Right::Call, p.strike, vol),
                    // A put's premium costs a finite-difference solve, and out of the money
                    // it is too small to move the fit.
                    put_mid: if p.strike > 0.97 * forward.forward {
                        p.put_mid - premium(Right::Put, p.strike, vol)
                    } else {
                        p.put_mid
                    },
                    ..*p
                }
            })
            .collect();
        let refit = implied_forward(spot, t, &adjusted, true, &params.parity);
        if refit.is_fallback() {
            break;
        }
        forward = refit;
        carry = AmericanCarry::build(as_of, t, &forward, spot, dividends, params.american);
    }
    (forward, carry)
}

/// Strikes with a two-sided, uncrossed call and put that both have a positive bid.
fn parity_pairs(calls: &[&Quote], puts: &[&Quote]) -> Vec<ParityPair> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < calls.len() && j < puts.len() {
        let (c, p) = (calls[i], puts[j]);
        let (kc, kp) = (c.contract.strike_millis(), p.contract.strike_millis());
        if kc < kp {
            i += 1;
            continue;
        }
        if kp < kc {
            j += 1;
            continue;
        }
        i += 1;
        j += 1;
        let both_bid = c.bid.is_some_and(|b| b > 0.0) && p.bid.is_some_and(|b| b > 0.0);
        if let (Some(cm), Some(pm), Some(cs), Some(ps), true) =
            (c.mid(), p.mid(), c.spread(), p.spread(), both_bid)
        {
            out.push(ParityPair {
                strike: c.contract.strike,
                call_mid: cm,
                put_mid: pm,
                half_spreads: 0.5 * (cs + ps),
            });
        }
    }
    out
}

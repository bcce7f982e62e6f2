//! Covered-call metrics, per share, exactly as the design defines them.
//!
//! With S the spot, K the strike, P the premium on the chosen basis, F and D the expiry's
//! implied forward and discount, σ the quote's IV and T the ACT/365 years to expiry:
//!
//! | metric | formula |
//! |---|---|
//! | intrinsic | max(0, S − K) |
//! | extrinsic | P − intrinsic |
//! | premium yield | extrinsic / S |
//! | downside cushion | P / S |
//! | break-even | S − P |
//! | if-called return | (P + K − S) / S |
//! | annualized | × 365 / max(DTE, 1) (simple, as screeners do) |
//! | assignment probability | N(d2), d2 = (ln(F/K) − σ²T/2) / (σ√T) |
//! | touch probability | reflection principle, below |
//! | theta per day | BSM theta (per year) / 365, the long option's (≤ 0); the writer earns −θ |
//! | gain if called | K + P − cost basis |
//! | edge | P − Black-76 value at realized volatility (HV20) |
//!
//! **Touch probability.** Under the risk-neutral measure ln S_t drifts at ν = μ − σ²/2 with
//! μ = ln(F/S)/T (that is r − q on the implied forward). For a barrier b = ln(K/S) > 0 the
//! reflection principle for drifted Brownian motion gives the exact probability that the
//! running maximum reaches K before T:
//!
//! ```text
//! P(max S_t ≥ K) = N((−b + νT)/(σ√T)) + (K/S)^{2ν/σ²} · N((−b − νT)/(σ√T))
//! ```
//!
//! The first term is N(d2) on spot; with zero carry the whole is close to the familiar
//! "2 × N(d2)" rule of thumb. A strike at or below spot has been touched already (1). The
//! result is capped to [0, 1]; the power is computed in logs so it cannot overflow. It ignores
//! discrete dividends and the closing-only nature of exercise, so read it as "how likely the
//! strike trades during the option's life", not as an early-assignment probability.

use serde::Serialize;

use crate::model::Right;
use crate::pricing::normal::norm_cdf;
use crate::pricing::{black_price, greeks, BlackInputs, Greeks};

/// What the metrics of one call need. Money in USD per share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricInputs {
    /// Spot S.
    pub spot: f64,
    /// Strike K.
    pub strike: f64,
    /// Premium P on the chosen basis.
    pub premium: f64,
    /// ACT/365 years to expiry, > 0.
    pub t: f64,
    /// Calendar days to expiry (annualization floors it at 1).
    pub dte: i64,
    /// Implied forward F.
    pub forward: f64,
    /// Discount factor D.
    pub discount: f64,
    /// The quote's implied volatility σ, decimal.
    pub iv: f64,
    /// Cost basis per share, if known.
    pub cost_basis: Option<f64>,
    /// Realized volatility (HV20, annualized decimal), if history was given.
    pub realized_vol: Option<f64>,
    /// The call's BSM greeks at `iv` seen from spot on this forward and discount, when the
    /// caller already has them (the surface computes them); computed here when `None`.
    pub greeks: Option<Greeks>,
}

/// The metrics of one covered call, per share unless stated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CallMetrics {
    /// Premium P, USD.
    pub premium: f64,
    /// max(0, S − K), USD.
    pub intrinsic: f64,
    /// P − intrinsic, USD: what is earned if nothing moves.
    pub extrinsic: f64,
    /// extrinsic / S, decimal.
    pub premium_yield: f64,
    /// premium yield × 365 / max(DTE, 1), decimal per year.
    pub premium_yield_annualized: f64,
    /// P / S, decimal: the fall to break-even.
    pub cushion: f64,
    /// S − P, USD.
    pub break_even: f64,
    /// (P + K − S) / S, decimal: the most the position can make.
    pub if_called_return: f64,
    /// if-called return × 365 / max(DTE, 1), decimal per year.
    pub if_called_annualized: f64,
    /// Risk-neutral P(S_T > K) = N(d2) on the implied forward, decimal.
    pub assignment_probability: f64,
    /// BSM call delta per 1 USD of spot (the long call's; the short call is −delta).
    pub delta: f64,
    /// Probability of touching K before expiry (module docs), decimal.
    pub touch_probability: f64,
    /// The long call's theta per calendar day, USD (≤ 0; the writer earns its negative).
    pub theta_per_day: f64,
    /// IV used, decimal.
    pub iv: f64,
    /// K + P − cost basis, USD per share, if the basis is known.
    pub gain_if_called: Option<f64>,
    /// Realized volatility used for the edge (HV20), decimal.
    pub realized_vol: Option<f64>,
    /// P − value at realized vol, USD: positive when the premium is rich to recent movement.
    pub edge: Option<f64>,
}

/// `x × 365 / max(DTE, 1)`: simple annualization, as the design prescribes.
pub fn annualize(x: f64, dte: i64) -> f64 {
    x * 365.0 / (dte.max(1) as f64)
}

/// Reflection-principle probability that spot touches `strike` before `t` (module docs).
pub fn touch_probability(spot: f64, strike: f64, t: f64, forward: f64, vol: f64) -> f64 {
    if strike <= spot {
        return 1.0;
    }
    let s = vol * t.sqrt();
    if !(s.is_finite() && s > 0.0) {
        return 0.0;
    }
    let b = (strike / spot).ln();
    let nu_t = (forward / spot).ln() - 0.5 * s * s; // ν·T
    let first = norm_cdf((-b + nu_t) / s);
    let tail = norm_cdf((-b - nu_t) / s);
    let second = if tail > 0.0 {
        // (K/S)^{2ν/σ²} = exp(2·ν·T·b / s²), in logs.
        (2.0 * nu_t * b / (s * s) + tail.ln()).exp()
    } else {
        0.0
    };
    (first + second).clamp(0.0, 1.0)
}

/// Compute every metric; `None` if any comes out non-finite (the caller drops and counts it).
pub fn call_metrics(m: &MetricInputs) -> Option<CallMetrics> {
    let MetricInputs {
        spot,
        strike,
        premium,
        t,
        dte,
        forward,
        discount,
        iv,
        cost_basis,
        realized_vol,
        greeks: known_greeks,
    } = *m;
    if !(spot > 0.0 && strike > 0.0 && t > 0.0 && forward > 0.0 && discount > 0.0) {
        return None;
    }
    let intrinsic = (spot - strike).max(0.0);
    let extrinsic = premium - intrinsic;
    let premium_yield = extrinsic / spot;
    let cushion = premium / spot;
    let if_called_return = (premium + strike - spot) / spot;
    let s = iv * t.sqrt();
    if !(s.is_finite() && s > 0.0) {
        return None;
    }
    let d2 = (forward / strike).ln() / s - 0.5 * s;
    let assignment_probability = norm_cdf(d2);
    let black = BlackInputs {
        right: Right::Call,
        forward,
        strike,
        t,
        discount,
    };
    let g = match known_greeks {
        Some(g) => g,
        None => greeks(&black.to_bsm(spot), iv).ok()?,
    };
    let edge = realized_vol
        .and_then(|hv| black_price(&black, hv).ok())
        .map(|v| premium - v);
    let out = CallMetrics {
        premium,
        intrinsic,
        extrinsic,
        premium_yield,
        premium_yield_annualized: annualize(premium_yield, dte),
        cushion,
        break_even: spot - premium,
        if_called_return,
        if_called_annualized: annualize(if_called_return, dte),
        assignment_probability,
        delta: g.delta,
        touch_probability: touch_probability(spot, strike, t, forward, iv),
        theta_per_day: g.theta / 365.0,
        iv,
        gain_if_called: cost_basis.map(|cb| strike + premium - cb),
        realized_vol,
        edge,
    };
    out.is_finite().then_some(out)
}

impl CallMetrics {
    /// Every number finite (optional ones when present).
    pub fn is_finite(&self) -> bool {
        let opt = |x: Option<f64>| x.is_none_or(f64::is_finite);
        [
            self.premium,
            self.intrinsic,
            self.extrinsic,
            self.premium_yield,
            self.premium_yield_annualized,
            self.cushion,
            self.break_even,
            self.if_called_return,
            self.if_called_annualized,
            self.assignment_probability,
            self.delta,
            self.touch_probability,
            self.theta_per_day,
            self.iv,
        ]
        .iter()
        .all(|x| x.is_finite())
            && opt(self.gain_if_called)
            && opt(self.realized_vol)
            && opt(self.edge)
    }
}

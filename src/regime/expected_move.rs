//! The market's expected move to an expiry, in USD per share.
//!
//! * From an implied volatility: the one-standard-deviation move S·σ·√T, with T in ACT/365
//!   years. (Under the lognormal model the 1σ range is really S·e^{±σ√T}; S·σ·√T is the usual
//!   linear approximation, accurate while σ√T is small.)
//! * From the at-the-money straddle price (call + put at the strike nearest spot). Under
//!   Black-Scholes with small σ√T the ATM straddle is worth about E|S_T − S| ≈ S·σ·√T·√(2/π)
//!   ≈ 0.798·S·σ·√T: the **raw straddle is the expected absolute move**, not the 1σ move. Three
//!   readings, always labelled ([`StraddleRule`]):
//!   - [`StraddleRule::Raw`] — the straddle price itself (expected absolute move);
//!   - [`StraddleRule::Scaled085`] — 0.85 × straddle, the rule of thumb quoted by brokers and
//!     screeners as "the expected move". Under Black-Scholes it equals about 0.68 σ, i.e. it is
//!     *smaller* than a 1σ move; it is offered because users compare with those screens;
//!   - [`StraddleRule::OneSigma`] — straddle × √(π/2) ≈ 1.2533 × straddle, the 1σ move implied
//!     by the straddle under the normal approximation, comparable with S·σ·√T.

use crate::error::{Error, Result};

/// One-standard-deviation move S·σ·√T (USD per share) for spot `spot` (USD), implied
/// volatility `iv` (decimal) and time to expiry `t_years` (ACT/365).
///
/// Errors: spot not finite and > 0; iv not finite and ≥ 0; t not finite and ≥ 0.
///
/// ```
/// use ccplan::regime::expected_move_from_iv;
/// // 100 × 0.365 × √(0.1) = 11.5423...
/// let m = expected_move_from_iv(100.0, 0.365, 0.1).unwrap();
/// assert!((m - 36.5 * 0.1f64.sqrt()).abs() < 1e-12);
/// ```
pub fn expected_move_from_iv(spot: f64, iv: f64, t_years: f64) -> Result<f64> {
    if !(spot.is_finite() && spot > 0.0) {
        return Err(Error::invalid("spot", spot, "a finite price > 0"));
    }
    if !(iv.is_finite() && iv >= 0.0) {
        return Err(Error::invalid(
            "implied volatility",
            iv,
            "a finite decimal fraction ≥ 0",
        ));
    }
    if !(t_years.is_finite() && t_years >= 0.0) {
        return Err(Error::invalid(
            "time to expiry",
            t_years,
            "a finite time in years ≥ 0",
        ));
    }
    Ok(spot * iv * t_years.sqrt())
}

/// Which reading of the straddle an expected move is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StraddleRule {
    /// The ATM straddle price itself: the expected absolute move.
    Raw,
    /// 0.85 × straddle: the brokers' and screeners' rule of thumb (≈ 0.68 σ under BSM).
    Scaled085,
    /// √(π/2) × straddle ≈ 1.2533 × straddle: the 1σ move under the normal approximation.
    OneSigma,
}

impl StraddleRule {
    /// The multiplier applied to the straddle price.
    pub fn factor(self) -> f64 {
        match self {
            StraddleRule::Raw => 1.0,
            StraddleRule::Scaled085 => 0.85,
            StraddleRule::OneSigma => (std::f64::consts::PI / 2.0).sqrt(),
        }
    }
}

/// An expected move read from a straddle, labelled with the rule used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StraddleMove {
    /// The move, USD per share.
    pub value: f64,
    /// The rule that produced it.
    pub rule: StraddleRule,
}

/// Expected move from an ATM straddle price (USD per share, call + put), under `rule`.
///
/// Errors: straddle not finite and ≥ 0.
pub fn expected_move_from_straddle(straddle: f64, rule: StraddleRule) -> Result<StraddleMove> {
    if !(straddle.is_finite() && straddle >= 0.0) {
        return Err(Error::invalid(
            "straddle price",
            straddle,
            "a finite price ≥ 0",
        ));
    }
    Ok(StraddleMove {
        value: straddle * rule.factor(),
        rule,
    })
}

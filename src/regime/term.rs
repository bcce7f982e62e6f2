//! Term-structure helpers on (time to expiry, ATM IV) points: constant-maturity IV (IV30 by
//! default), the slope from the front expiry to the one nearest 90 days, and backwardation.
//!
//! Time is ACT/365 in years (as everywhere in ccplan), IV a decimal fraction.
//!
//! **Constant maturity by variance interpolation in time.** Between the two expiries T₁ < T*
//! < T₂ that bracket the target T*, total implied variance w(T) = σ²·T is interpolated linearly
//! in T, and σ(T*) = √(w(T*) / T*). This is the interpolation that keeps forward variance
//! between the two expiries constant (the CBOE VIX white paper interpolates the same quantity).
//! Outside the quoted range the nearest expiry's IV is carried flat, and the result says so.

use crate::error::{Error, Result};

/// 30 calendar days in ACT/365 years: the IV30 target maturity.
pub const IV30_YEARS: f64 = 30.0 / 365.0;

/// The "back" maturity the term slope is measured to: the expiry nearest 90 calendar days.
const SLOPE_BACK_YEARS: f64 = 90.0 / 365.0;

/// One expiry's at-the-money implied volatility.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TermPoint {
    /// Time to expiry, ACT/365 years, > 0.
    pub t: f64,
    /// ATM implied volatility, decimal fraction, ≥ 0.
    pub iv: f64,
}

/// How a constant-maturity IV was obtained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CmMethod {
    /// An expiry sits exactly at the target.
    Exact(TermPoint),
    /// Total-variance interpolation between the two bracketing expiries.
    Interpolated {
        /// The expiry just before the target.
        lower: TermPoint,
        /// The expiry just after the target.
        upper: TermPoint,
    },
    /// The target is before the first expiry: that expiry's IV, carried flat.
    FlatBeforeFirst(TermPoint),
    /// The target is after the last expiry: that expiry's IV, carried flat.
    FlatAfterLast(TermPoint),
}

impl CmMethod {
    /// True when the value was extrapolated flat rather than interpolated.
    pub fn is_extrapolated(&self) -> bool {
        matches!(
            self,
            CmMethod::FlatBeforeFirst(_) | CmMethod::FlatAfterLast(_)
        )
    }
}

/// A constant-maturity implied volatility.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantMaturityIv {
    /// Implied volatility at the target maturity, decimal fraction.
    pub iv: f64,
    /// The target maturity, ACT/365 years.
    pub target_years: f64,
    /// How it was obtained.
    pub method: CmMethod,
}

/// Constant-maturity IV at `target_years` (see the module docs).
///
/// Points may come in any order. Errors: no points; a point with t not finite and > 0 or IV
/// not finite and ≥ 0; two points with the same t; a target not finite and > 0.
///
/// ```
/// use ccplan::regime::{constant_maturity_iv, TermPoint};
/// // 20 % at 0.1 y and 30 % at 0.3 y: w = 0.004 and 0.027, w(0.2) = 0.0155, σ = √(0.0155/0.2).
/// let pts = [TermPoint { t: 0.1, iv: 0.20 }, TermPoint { t: 0.3, iv: 0.30 }];
/// let cm = constant_maturity_iv(&pts, 0.2).unwrap();
/// assert!((cm.iv - 0.0775f64.sqrt()).abs() < 1e-15);
/// ```
pub fn constant_maturity_iv(points: &[TermPoint], target_years: f64) -> Result<ConstantMaturityIv> {
    if !(target_years.is_finite() && target_years > 0.0) {
        return Err(Error::invalid(
            "target maturity",
            target_years,
            "a finite time in years > 0",
        ));
    }
    let pts = sorted(points)?;
    let (first, last) = match (pts.first(), pts.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => {
            return Err(Error::invalid(
                "term structure",
                "no expiries",
                "at least one (time, ATM IV) point",
            ))
        }
    };
    let method = if target_years < first.t {
        CmMethod::FlatBeforeFirst(first)
    } else if target_years > last.t {
        CmMethod::FlatAfterLast(last)
    } else if let Some(p) = pts.iter().find(|p| p.t == target_years) {
        CmMethod::Exact(*p)
    } else {
        // first.t < target < last.t and no exact hit: a bracketing pair exists.
        let pair = pts
            .windows(2)
            .find(|w| w[0].t < target_years && target_years < w[1].t)
            .map(|w| (w[0], w[1]));
        match pair {
            Some((lower, upper)) => CmMethod::Interpolated { lower, upper },
            None => CmMethod::FlatAfterLast(last),
        }
    };
    let iv = match method {
        CmMethod::Exact(p) | CmMethod::FlatBeforeFirst(p) | CmMethod::FlatAfterLast(p) => p.iv,
        CmMethod::Interpolated { lower, upper } => {
            let (w1, w2) = (lower.iv * lower.iv * lower.t, upper.iv * upper.iv * upper.t);
            let w = w1 + (w2 - w1) * (target_years - lower.t) / (upper.t - lower.t);
            // w lies between w1 ≥ 0 and w2 ≥ 0; max guards rounding.
            (w.max(0.0) / target_years).sqrt()
        }
    };
    Ok(ConstantMaturityIv {
        iv,
        target_years,
        method,
    })
}

/// IV30: [`constant_maturity_iv`] at 30 calendar days ([`IV30_YEARS`]).
pub fn iv30(points: &[TermPoint]) -> Result<ConstantMaturityIv> {
    constant_maturity_iv(points, IV30_YEARS)
}

/// The slope of the ATM term structure from the front expiry to the expiry nearest 90 days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TermSlope {
    /// The nearest expiry.
    pub front: TermPoint,
    /// The expiry (other than the front) nearest 90 days; on a tie, the shorter one.
    pub back: TermPoint,
    /// back IV − front IV, decimal fraction (vol points / 100).
    pub spread: f64,
    /// spread / (back t − front t): IV change per year of maturity.
    pub slope_per_year: f64,
    /// Front IV above back IV (an inverted, "backwardated" term structure: the market prices
    /// near-term stress, often an event such as earnings).
    pub backwardation: bool,
}

/// Term slope from the front expiry to the one nearest 90 days. The caller chooses which
/// expiries to pass (e.g. drop expiries under a few days, whose IV is noisy).
///
/// Errors: as [`constant_maturity_iv`] for invalid points; fewer than two expiries.
pub fn term_slope(points: &[TermPoint]) -> Result<TermSlope> {
    let pts = sorted(points)?;
    let Some((front, rest)) = pts.split_first() else {
        return Err(two_expiries(0));
    };
    let back = rest
        .iter()
        .copied()
        .min_by(|a, b| {
            let (da, db) = (
                (a.t - SLOPE_BACK_YEARS).abs(),
                (b.t - SLOPE_BACK_YEARS).abs(),
            );
            da.total_cmp(&db).then(a.t.total_cmp(&b.t))
        })
        .ok_or_else(|| two_expiries(pts.len()))?;
    let spread = back.iv - front.iv;
    Ok(TermSlope {
        front: *front,
        back,
        spread,
        slope_per_year: spread / (back.t - front.t),
        backwardation: front.iv > back.iv,
    })
}

/// Whether the front expiry's IV is above that of the expiry nearest 90 days
/// ([`TermSlope::backwardation`]).
pub fn backwardation(points: &[TermPoint]) -> Result<bool> {
    term_slope(points).map(|s| s.backwardation)
}

fn two_expiries(n: usize) -> Error {
    Error::invalid(
        "term structure",
        format!("{n} expiries"),
        "at least two expiries",
    )
}

/// Validated copy of the points, ascending by t, with no duplicate t.
fn sorted(points: &[TermPoint]) -> Result<Vec<TermPoint>> {
    for p in points {
        if !(p.t.is_finite() && p.t > 0.0) {
            return Err(Error::invalid(
                "time to expiry",
                p.t,
                "a finite time in years > 0",
            ));
        }
        if !(p.iv.is_finite() && p.iv >= 0.0) {
            return Err(Error::invalid(
                "ATM implied volatility",
                p.iv,
                "a finite decimal fraction ≥ 0",
            ));
        }
    }
    let mut pts = points.to_vec();
    pts.sort_by(|a, b| a.t.total_cmp(&b.t));
    if let Some(w) = pts.windows(2).find(|w| w[0].t == w[1].t) {
        return Err(Error::invalid(
            "term structure",
            format!("two points at t = {}", w[0].t),
            "one ATM IV per expiry",
        ));
    }
    Ok(pts)
}

//! The implied forward and discount factor of one expiry, from put-call parity.
//!
//! Why not `F = S·e^{(r−q)T}` with a configured rate and yield? Because the chain already
//! knows better: the market's carry includes the discrete dividends, borrow costs and the
//! actual funding rate, and every call price, IV and N(d2) downstream depends on F. Put-call
//! parity for European options says
//!
//! ```text
//! C(K) − P(K) = D·(F − K)
//! ```
//!
//! so mid(C) − mid(P), regressed on K, is a line with slope −D and intercept D·F. Real chains
//! have bad pairs (a stale put, a fat-fingered call), so the fit is
//!
//! 1. **near the money**: the `max_pairs` strikes closest to spot in log-moneyness, both
//!    sides two-sided with a positive bid;
//! 2. **weighted toward the money and toward tight quotes**: weight
//!    `w = kernel(ln(K/S)) / (half-spread(C) + half-spread(P) + 0.01 USD)` with a Cauchy
//!    kernel `1 / (1 + (x/h)²)`, `h = 0.05 + 0.3·√T`;
//! 3. **robust**: a repeated-median line (Siegel; immune to a minority of bad pairs, however
//!    much weight they carry) picks the inliers first; then after each weighted fit the pair
//!    with the largest residual relative to its tolerance is dropped when that residual
//!    exceeds both its own quoted uncertainty (the sum of the half-spreads, since any price
//!    inside the spreads is consistent with parity) and `outlier_mads` robust standard
//!    deviations (1.4826 × median absolute residual) of the surviving pairs; repeated while
//!    more than `min_pairs` pairs remain.
//!
//! The slope is poorly determined for short expiries (an error of 10⁻³ in D is 36 % of rate at
//! one day), so when the implied rate −ln(D)/T falls outside `[min_rate, max_rate]` the
//! discount factor is taken from the configured rate and only F is estimated from the pairs.
//! When parity cannot be used at all (no puts, one-sided markets, too few pairs, an
//! implausible forward) the configured rate and dividend yield give `F = S·e^{(r−q)T}`,
//! `D = e^{−rT}`, and the estimate says why, so the output can tell the user.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How the forward and discount of an expiry were obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ForwardMethod {
    /// Put-call parity on the chain.
    Parity {
        /// Pairs that survived outlier rejection.
        pairs_used: usize,
        /// Strikes (USD) of the pairs rejected as outliers, ascending.
        rejected_strikes: Vec<f64>,
        /// `true` when D came from the regression slope; `false` when the slope's implied
        /// rate was implausible and D = e^{−rT} from the configured rate was used instead.
        discount_from_parity: bool,
    },
    /// The configured rate and dividend yield, because parity could not be used.
    Fallback {
        /// Why parity was not used.
        reason: FallbackReason,
    },
}

/// Why an expiry's forward fell back to the configured rate and dividend yield.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum FallbackReason {
    /// The expiry lists no puts (or no calls).
    MissingSide,
    /// Fewer usable call/put pairs (same strike, both two-sided with a bid) than needed.
    TooFewPairs {
        /// Usable pairs found.
        found: usize,
        /// Pairs needed.
        needed: usize,
    },
    /// The fit gave a forward too far from spot to be a carry (|ln(F/S)| beyond the bound).
    ImplausibleForward {
        /// The fitted forward, USD.
        forward: f64,
        /// Spot, USD.
        spot: f64,
    },
}

impl fmt::Display for FallbackReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FallbackReason::MissingSide => f.write_str("the expiry has no puts or no calls"),
            FallbackReason::TooFewPairs { found, needed } => write!(
                f,
                "{found} usable call/put pairs with two-sided quotes, {needed} needed"
            ),
            FallbackReason::ImplausibleForward { forward, spot } => write!(
                f,
                "parity forward {forward:.4} is implausibly far from spot {spot:.4}"
            ),
        }
    }
}

/// Forward and discount factor of one expiry, with how they were obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForwardEstimate {
    /// Forward price to expiry, USD per share.
    pub forward: f64,
    /// Discount factor to the expiry instant.
    pub discount: f64,
    /// Implied continuously compounded rate −ln(D)/T, decimal.
    pub implied_rate: f64,
    /// Implied continuously compounded carry yield q = r − ln(F/S)/T, decimal (dividends and
    /// borrow).
    pub implied_yield: f64,
    /// How they were obtained.
    pub method: ForwardMethod,
}

impl ForwardEstimate {
    /// Whether the estimate came from the configured rate and yield.
    pub fn is_fallback(&self) -> bool {
        matches!(self.method, ForwardMethod::Fallback { .. })
    }
}

/// Settings of the parity fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParitySettings {
    /// Configured risk-free rate for the fallback, continuously compounded decimal.
    pub rate: f64,
    /// Configured dividend yield for the fallback, continuously compounded decimal.
    pub div_yield: f64,
    /// At most this many strikes nearest the money enter the fit.
    pub max_pairs: usize,
    /// Fewer usable pairs than this (after rejection, at least this many remain) means
    /// fallback. At least 3, so that one bad pair can be recognised.
    pub min_pairs: usize,
    /// Lowest plausible implied rate, decimal.
    pub min_rate: f64,
    /// Highest plausible implied rate, decimal.
    pub max_rate: f64,
    /// Residual threshold in robust standard deviations.
    pub outlier_mads: f64,
}

impl Default for ParitySettings {
    fn default() -> Self {
        ParitySettings {
            rate: 0.04,
            div_yield: 0.0,
            max_pairs: 12,
            min_pairs: 3,
            min_rate: -0.02,
            max_rate: 0.20,
            outlier_mads: 4.0,
        }
    }
}

/// One strike's call and put mids, as the fit needs them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParityPair {
    /// Strike, USD.
    pub strike: f64,
    /// Call mid, USD per share.
    pub call_mid: f64,
    /// Put mid, USD per share.
    pub put_mid: f64,
    /// Half the call's bid-ask spread plus half the put's, USD: how far parity may be off
    /// while both prices are still inside their quotes.
    pub half_spreads: f64,
}

/// The fallback estimate: F = S·e^{(r−q)T}, D = e^{−rT}.
pub fn fallback_forward(
    spot: f64,
    t: f64,
    settings: &ParitySettings,
    reason: FallbackReason,
) -> ForwardEstimate {
    ForwardEstimate {
        forward: spot * ((settings.rate - settings.div_yield) * t).exp(),
        discount: (-settings.rate * t).exp(),
        implied_rate: settings.rate,
        implied_yield: settings.div_yield,
        method: ForwardMethod::Fallback { reason },
    }
}

/// Estimate the forward and discount of one expiry from its call/put pairs.
///
/// `spot` must be positive and finite and `t > 0` (years); pairs with non-finite values are
/// ignored. `has_both_sides` is false when the expiry lists no puts or no calls, which is
/// reported as such rather than as "too few pairs".
pub fn implied_forward(
    spot: f64,
    t: f64,
    pairs: &[ParityPair],
    has_both_sides: bool,
    settings: &ParitySettings,
) -> ForwardEstimate {
    if !has_both_sides {
        return fallback_forward(spot, t, settings, FallbackReason::MissingSide);
    }
    let min_pairs = settings.min_pairs.max(3);
    let h = 0.05 + 0.3 * t.sqrt();
    let mut usable: Vec<Point> = pairs
        .iter()
        .filter(|p| {
            p.strike.is_finite()
                && p.strike > 0.0
                && p.call_mid.is_finite()
                && p.put_mid.is_finite()
                && p.half_spreads.is_finite()
                && p.half_spreads >= 0.0
        })
        .map(|p| {
            let x = (p.strike / spot).ln();
            let kernel = 1.0 / (1.0 + (x / h) * (x / h));
            Point {
                k: p.strike,
                y: p.call_mid - p.put_mid,
                w: kernel / (p.half_spreads + 0.01),
                tol: p.half_spreads,
                dist: x.abs(),
            }
        })
        .collect();
    usable.sort_by(|a, b| a.dist.total_cmp(&b.dist).then(a.k.total_cmp(&b.k)));
    usable.truncate(settings.max_pairs.max(min_pairs));
    let too_few = || {
        fallback_forward(
            spot,
            t,
            settings,
            FallbackReason::TooFewPairs {
                found: usable.len(),
                needed: min_pairs,
            },
        )
    };
    if usable.len() < min_pairs {
        return too_few();
    }

    // Free fit first; if its discount is implausible, fix D from the configured rate.
    let (fit, active, discount_from_parity) =
        match robust_fit(&usable, None, min_pairs, settings.outlier_mads) {
            Some((fit, active)) if plausible_rate(fit.discount, t, settings) => (fit, active, true),
            _ => {
                let d = (-settings.rate * t).exp();
                match robust_fit(&usable, Some(d), min_pairs, settings.outlier_mads) {
                    Some((fit, active)) => (fit, active, false),
                    None => return too_few(),
                }
            }
        };
    let log_fs = (fit.forward / spot).ln();
    // A carry beyond 100 %/yr plus 5 % absolute (a large dividend just before a short expiry)
    // is not a forward; it is a bad fit.
    if !(fit.forward.is_finite() && fit.forward > 0.0 && log_fs.abs() <= 0.05 + t) {
        return fallback_forward(
            spot,
            t,
            settings,
            FallbackReason::ImplausibleForward {
                forward: fit.forward,
                spot,
            },
        );
    }
    let mut rejected_strikes: Vec<f64> = usable
        .iter()
        .zip(&active)
        .filter(|(_, a)| !**a)
        .map(|(p, _)| p.k)
        .collect();
    rejected_strikes.sort_by(f64::total_cmp);
    let implied_rate = -fit.discount.ln() / t;
    ForwardEstimate {
        forward: fit.forward,
        discount: fit.discount,
        implied_rate,
        implied_yield: implied_rate - log_fs / t,
        method: ForwardMethod::Parity {
            pairs_used: active.iter().filter(|a| **a).count(),
            rejected_strikes,
            discount_from_parity,
        },
    }
}

fn plausible_rate(discount: f64, t: f64, s: &ParitySettings) -> bool {
    if !(discount.is_finite() && discount > 0.0) {
        return false;
    }
    let r = -discount.ln() / t;
    r.is_finite() && r >= s.min_rate && r <= s.max_rate
}

#[derive(Debug, Clone, Copy)]
struct Point {
    k: f64,
    y: f64,
    w: f64,
    tol: f64,
    dist: f64,
}

#[derive(Debug, Clone, Copy)]
struct Fit {
    forward: f64,
    discount: f64,
}

impl Fit {
    fn residual(&self, p: &Point) -> f64 {
        p.y - self.discount * (self.forward - p.k)
    }
}

/// Weighted least squares of y = D·(F − K) on the active points; D fixed when given.
fn weighted_fit(points: &[Point], active: &[bool], fixed_discount: Option<f64>) -> Option<Fit> {
    let mut sw = 0.0;
    let mut sx = 0.0;
    let mut sy = 0.0;
    for (p, _) in points.iter().zip(active).filter(|(_, a)| **a) {
        sw += p.w;
        sx += p.w * p.k;
        sy += p.w * p.y;
    }
    if !(sw.is_finite() && sw > 0.0) {
        return None;
    }
    let (xm, ym) = (sx / sw, sy / sw);
    let discount = match fixed_discount {
        Some(d) => d,
        None => {
            let mut sxx = 0.0;
            let mut sxy = 0.0;
            for (p, _) in points.iter().zip(active).filter(|(_, a)| **a) {
                sxx += p.w * (p.k - xm) * (p.k - xm);
                sxy += p.w * (p.k - xm) * (p.y - ym);
            }
            if !(sxx.is_finite() && sxx > 0.0) {
                return None;
            }
            -sxy / sxx
        }
    };
    if !(discount.is_finite() && discount > 0.0) {
        return None;
    }
    // Intercept a = ym + D·xm = D·F, so F = xm + ym / D.
    let forward = xm + ym / discount;
    forward.is_finite().then_some(Fit { forward, discount })
}

/// Robust start, then weighted refits: returns the fit and which points stayed active.
///
/// Least squares alone is not robust here: the pair nearest the money has the largest weight,
/// so a bad pair there drags the line onto itself and its residual looks ordinary. The start
/// is therefore Siegel's repeated-median line (slope = median over i of the median slope from
/// i to every other point; breakdown point 50 %), with F from the median of K + y/D. Points
/// whose residual from that line exceeds their tolerance are dropped, the survivors are
/// fitted by weighted least squares, and the worst remaining outlier is dropped and the fit
/// repeated until none is left or only `min_pairs` remain.
fn robust_fit(
    points: &[Point],
    fixed_discount: Option<f64>,
    min_pairs: usize,
    outlier_mads: f64,
) -> Option<(Fit, Vec<bool>)> {
    let start = repeated_median_fit(points, fixed_discount)?;
    let mut active = outliers_removed(points, &start, outlier_mads);
    if active.iter().filter(|a| **a).count() < min_pairs {
        return None;
    }
    loop {
        let fit = weighted_fit(points, &active, fixed_discount)?;
        let n_active = active.iter().filter(|a| **a).count();
        if n_active <= min_pairs {
            return Some((fit, active));
        }
        let tol = tolerances(points, &active, &fit, outlier_mads);
        let mut worst: Option<(usize, f64)> = None;
        for (i, p) in points.iter().enumerate() {
            if !active[i] {
                continue;
            }
            let excess = fit.residual(p).abs() / tol(p);
            if excess > 1.0 && worst.is_none_or(|(_, e)| excess > e) {
                worst = Some((i, excess));
            }
        }
        match worst {
            Some((i, _)) => active[i] = false,
            None => return Some((fit, active)),
        }
    }
}

/// Per-point tolerance: the larger of the pair's own quoted uncertainty (the half-spreads)
/// and `outlier_mads` robust standard deviations (1.4826 × median absolute residual) of the
/// active points, with a floor of a tenth of a cent.
fn tolerances(
    points: &[Point],
    active: &[bool],
    fit: &Fit,
    outlier_mads: f64,
) -> impl Fn(&Point) -> f64 {
    let mut abs_res: Vec<f64> = points
        .iter()
        .zip(active)
        .filter(|(_, a)| **a)
        .map(|(p, _)| fit.residual(p).abs())
        .collect();
    abs_res.sort_by(f64::total_cmp);
    let band = outlier_mads * 1.4826 * median(&abs_res);
    move |p: &Point| band.max(p.tol).max(1e-3)
}

fn outliers_removed(points: &[Point], fit: &Fit, outlier_mads: f64) -> Vec<bool> {
    let all = vec![true; points.len()];
    let tol = tolerances(points, &all, fit, outlier_mads);
    points
        .iter()
        .map(|p| fit.residual(p).abs() <= tol(p))
        .collect()
}

/// Siegel's repeated-median line through (K, C − P), or with D fixed only the median F.
fn repeated_median_fit(points: &[Point], fixed_discount: Option<f64>) -> Option<Fit> {
    let discount = match fixed_discount {
        Some(d) => d,
        None => {
            let mut per_point: Vec<f64> = Vec::with_capacity(points.len());
            let mut slopes: Vec<f64> = Vec::with_capacity(points.len());
            for (i, a) in points.iter().enumerate() {
                slopes.clear();
                slopes.extend(
                    points
                        .iter()
                        .enumerate()
                        .filter(|(j, b)| *j != i && b.k != a.k)
                        .map(|(_, b)| (b.y - a.y) / (b.k - a.k)),
                );
                slopes.sort_by(f64::total_cmp);
                if !slopes.is_empty() {
                    per_point.push(median(&slopes));
                }
            }
            per_point.sort_by(f64::total_cmp);
            if per_point.is_empty() {
                return None;
            }
            -median(&per_point)
        }
    };
    if !(discount.is_finite() && discount > 0.0) {
        return None;
    }
    let mut fwd: Vec<f64> = points.iter().map(|p| p.k + p.y / discount).collect();
    fwd.sort_by(f64::total_cmp);
    let forward = median(&fwd);
    forward.is_finite().then_some(Fit { forward, discount })
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(f: f64, d: f64, strikes: &[f64]) -> Vec<ParityPair> {
        strikes
            .iter()
            .map(|&k| {
                let put = 2.0 + 0.01 * k;
                ParityPair {
                    strike: k,
                    call_mid: put + d * (f - k),
                    put_mid: put,
                    half_spreads: 0.05,
                }
            })
            .collect()
    }

    #[test]
    fn exact_pairs_recover_forward_and_discount() {
        let t = 0.25;
        let (f, d) = (101.3, (-0.045f64 * t).exp());
        let ps = pairs(f, d, &[90.0, 95.0, 100.0, 105.0, 110.0]);
        let est = implied_forward(100.0, t, &ps, true, &ParitySettings::default());
        assert!((est.forward - f).abs() < 1e-9, "{est:?}");
        assert!((est.discount - d).abs() < 1e-12, "{est:?}");
        assert!((est.implied_rate - 0.045).abs() < 1e-9);
    }

    #[test]
    fn implausible_slope_fixes_discount_from_rate() {
        // One day to expiry, noise of a cent on the pairs makes the slope meaningless.
        let t = 1.0 / 365.0;
        let mut ps = pairs(100.0, 1.0, &[98.0, 99.0, 100.0, 101.0, 102.0]);
        ps[0].call_mid += 0.01;
        ps[4].call_mid -= 0.01;
        let est = implied_forward(100.0, t, &ps, true, &ParitySettings::default());
        match est.method {
            ForwardMethod::Parity {
                discount_from_parity,
                ..
            } => assert!(!discount_from_parity),
            other => panic!("{other:?}"),
        }
        assert!((est.forward - 100.0).abs() < 0.02);
    }

    #[test]
    fn a_bad_pair_at_the_money_is_rejected() {
        // The heaviest pair (at the money) is 0.80 off: least squares alone would follow it.
        let t = 30.0 / 365.0;
        let (f, d) = (100.4, (-0.04f64 * t).exp());
        let mut ps = pairs(f, d, &[90.0, 95.0, 100.0, 105.0, 110.0, 115.0, 120.0]);
        ps[2].put_mid += 0.80;
        let est = implied_forward(100.0, t, &ps, true, &ParitySettings::default());
        assert!((est.forward - f).abs() < 1e-9, "{est:?}");
        match est.method {
            ForwardMethod::Parity {
                rejected_strikes,
                pairs_used,
                ..
            } => assert_eq!((rejected_strikes, pairs_used), (vec![100.0], 6)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn too_few_pairs_fall_back() {
        let ps = pairs(100.0, 0.99, &[100.0, 105.0]);
        let est = implied_forward(100.0, 0.1, &ps, true, &ParitySettings::default());
        assert!(est.is_fallback());
        let est = implied_forward(100.0, 0.1, &[], false, &ParitySettings::default());
        assert_eq!(
            est.method,
            ForwardMethod::Fallback {
                reason: FallbackReason::MissingSide
            }
        );
    }
}

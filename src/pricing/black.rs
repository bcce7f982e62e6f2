//! The undiscounted Black price on a forward, the kernel every price and implied volatility in
//! ccplan is computed from.
//!
//! B(F, K, s, θ) = θ·(F·Φ(θ·d₁) − K·Φ(θ·d₂)), d₁,₂ = ln(F/K)/s ± s/2, with s = σ√T the total
//! volatility and θ = +1 for a call, −1 for a put.

use crate::model::Right;

use super::normal::norm_cdf;

/// Undiscounted Black price for total volatility `s = σ√T` (USD per share of the forward).
///
/// Inputs are assumed valid (positive finite forward and strike, `s ≥ 0`); callers check them.
pub fn undiscounted_black(forward: f64, strike: f64, total_vol: f64, right: Right) -> f64 {
    let theta = right.sign();
    let intrinsic = (theta * (forward - strike)).max(0.0);
    if total_vol <= 0.0 {
        return intrinsic;
    }
    let x = (forward / strike).ln();
    let d1 = x / total_vol + 0.5 * total_vol;
    let d2 = d1 - total_vol;
    let v = theta * (forward * norm_cdf(theta * d1) - strike * norm_cdf(theta * d2));
    v.max(intrinsic)
}

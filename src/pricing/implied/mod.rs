//! Implied volatility to machine precision.
//!
//! The price is first reduced to Jäckel's normalised, out-of-the-money form (see
//! [`crate::pricing::black`]): subtract the discounted intrinsic value, divide by the discount
//! factor and by √(FK), and use put-call symmetry so that only the out-of-the-money call with
//! x = −|ln(F/K)| has to be inverted. The normalised solver (module `normalised`) then finds the
//! total volatility s = σ√T with a branch-wise rational initial guess (corrected by a fitted
//! factor where it is poorest) and, in practice, one evaluation of the price followed by one
//! closed-form last step of order six to eight (Householder(3) steps where the guess is
//! farther out, never more than a bounded few), and σ = s/√T. At the money (F = K) the
//! inversion is in closed form.
//!
//! # Bounds and the tolerance for "exactly"
//!
//! A European option's discounted price lies between its discounted intrinsic value
//! D·max(θ(F − K), 0) (volatility 0) and D·F for a call or D·K for a put (volatility → ∞).
//! A price is treated as *exactly at* a bound when it is within [`BOUND_ULPS`] units of
//! relative rounding (`BOUND_ULPS·f64::EPSILON·bound`) of it: the bound itself was computed
//! with a few roundings (F = S·e^{(r−q)T}, D·F, F − K), so a closer distinction would be noise.
//! With intrinsic value 0 (out of the money) only a price of exactly 0 is at the lower bound.
//!
//! * below the lower bound by more than the tolerance → [`Error::PriceOutOfBounds`] with
//!   [`PriceBound::BelowIntrinsic`];
//! * at the lower bound → `Ok(0.0)`: zero volatility is the only volatility that gives the
//!   intrinsic value (every σ > 0 adds time value);
//! * above the upper bound by more than the tolerance → [`Error::PriceOutOfBounds`] with
//!   [`PriceBound::AboveMaximum`];
//! * at the upper bound → [`Error::PriceAtBound`] with `vol = +∞`;
//! * at expiry (T = 0) no time value can exist: the intrinsic value gives `Ok(0.0)`, any
//!   price above it (beyond the tolerance) is [`PriceBound::AboveMaximum`] with the intrinsic
//!   value as the limit, because at T = 0 the intrinsic value is also the maximum.
//!
//! # Accuracy
//!
//! The solved σ reprices the input to within a few ulps of the *time value* (the part of the
//! price that carries information about σ) whenever the time value is resolved at all, and
//! the round trip σ → price → σ loses only what rounding the price to binary64 loses: the
//! relative error in σ is about ε·|price/(σ·vega)| (the condition number of the inverse map),
//! measured in `tests/implied_vol.rs`.

mod fits;
mod normalised;
mod rational;

use crate::error::{Error, PriceBound, Result};
use crate::model::Right;

use super::black::log_moneyness;
use super::bsm::{BlackInputs, BsmInputs};

/// Prices within this many units of relative rounding of a bound are treated as at the bound.
pub const BOUND_ULPS: f64 = 4.0;

/// Implied volatility of a Black-76 price (discounted, USD per share), as a decimal fraction
/// per year (σ, not σ√T).
///
/// # Errors
///
/// [`Error::InvalidInput`] for invalid inputs (non-positive or non-finite forward, strike or
/// discount factor, negative or non-finite T, negative or non-finite price);
/// [`Error::PriceOutOfBounds`] and [`Error::PriceAtBound`] as described in the module docs.
pub fn implied_vol_black(inputs: &BlackInputs, price: f64) -> Result<f64> {
    let BlackInputs {
        forward,
        strike,
        t,
        discount,
        ..
    } = *inputs;
    // The common case in a few comparisons: the sum is finite only if every term is (NaN and ∞
    // propagate), and `min` picks the smallest of the others. Anything else (including a sum
    // that merely overflows) goes to the full checks, which build the error.
    let sum = forward + strike + discount + t + price;
    if !(sum.is_finite() && forward.min(strike).min(discount) > 0.0 && t.min(price) >= 0.0) {
        inputs.validate()?;
        if !(0.0..f64::INFINITY).contains(&price) {
            return Err(Error::invalid("option price", price, "a finite number ≥ 0"));
        }
    }
    let right = inputs.right;
    let theta = right.sign();
    let intrinsic = (theta * (forward - strike)).max(0.0);
    let lower = discount * intrinsic;
    let maximum = match right {
        Right::Call => forward,
        Right::Put => strike,
    };
    let upper = discount * maximum;
    let tol_lower = BOUND_ULPS * f64::EPSILON * lower;
    let tol_upper = BOUND_ULPS * f64::EPSILON * upper;

    if price < lower - tol_lower {
        return Err(Error::PriceOutOfBounds {
            price,
            bound: PriceBound::BelowIntrinsic,
            limit: lower,
            excess: lower - price,
        });
    }
    if price <= lower + tol_lower {
        return Ok(0.0);
    }
    if t == 0.0 {
        return Err(Error::PriceOutOfBounds {
            price,
            bound: PriceBound::AboveMaximum,
            limit: lower,
            excess: price - lower,
        });
    }
    if price > upper + tol_upper {
        return Err(Error::PriceOutOfBounds {
            price,
            bound: PriceBound::AboveMaximum,
            limit: upper,
            excess: price - upper,
        });
    }
    let at_upper = || Error::PriceAtBound {
        price,
        bound: PriceBound::AboveMaximum,
        limit: upper,
        vol: f64::INFINITY,
    };
    if price >= upper - tol_upper {
        return Err(at_upper());
    }

    // Undiscounted time value and distance to the maximum, then normalised by √(FK).
    let undiscounted = price / discount;
    let time_value = undiscounted - intrinsic;
    let gap = maximum - undiscounted;
    let root_fk = forward.sqrt() * strike.sqrt();
    let beta = time_value / root_fk;
    let gamma = gap / root_fk;
    if beta.is_nan() || beta <= 0.0 {
        // The time value is below what binary64 resolves relative to √(FK).
        return Ok(0.0);
    }
    if gamma.is_nan() || gamma <= 0.0 {
        return Err(at_upper());
    }
    let x = -log_moneyness(forward, strike).abs();
    // e^{x/2} = √(min(F, K)/max(F, K)) = min(F, K)/√(FK).
    let b_max = forward.min(strike) / root_fk;
    let s = normalised::implied_total_vol_otm(x, b_max, beta, gamma);
    Ok(s / t.sqrt())
}

/// Implied volatility of a Black-Scholes-Merton price (USD per share), via the Black-76 form
/// F = S·e^{(r−q)T}, D = e^{−rT}. Same errors as [`implied_vol_black`].
pub fn implied_vol(inputs: &BsmInputs, price: f64) -> Result<f64> {
    inputs.validate()?;
    implied_vol_black(&inputs.to_black(), price)
}

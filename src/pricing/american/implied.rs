//! Implied volatility from an American price ("de-Americanized" IV).
//!
//! The American price is increasing in σ, and each engine's price is a smooth function of σ
//! (no grid edge or step count that jumps with it), so a safeguarded secant on a bracket
//! finds σ to 1e-12 in a handful of prices. The first guess is the Black-Scholes implied vol
//! of the price on the spot less the dividends' present value (the escrowed view).

use super::{AmericanInputs, Priced};
use crate::error::{Error, PriceBound, Result};
use crate::pricing::implied_vol;

/// Lowest and highest volatility searched.
const VOL_MIN: f64 = 1e-3;
const VOL_MAX: f64 = 8.0;

/// The volatility at which the American price (see [`super::american_price`]) equals
/// `price`.
///
/// Errors: invalid inputs as for pricing; a price below intrinsic value (or below the value
/// at 0.1 % volatility, which is at least intrinsic) is
/// [`Error::PriceOutOfBounds`] with [`PriceBound::BelowIntrinsic`]; a price at or above the
/// upper bound (the spot for a call, the strike for a put) is `AboveMaximum`; at intrinsic
/// with no time value it is [`Error::PriceAtBound`] with volatility 0.
pub fn implied_vol_american(inputs: &AmericanInputs, price: f64) -> Result<f64> {
    let model = Priced::new(inputs)?;
    if !price.is_finite() {
        return Err(Error::invalid("option price", price, "a finite price"));
    }
    let intrinsic = model.intrinsic();
    let upper = model.upper_bound();
    if price < intrinsic {
        return Err(Error::PriceOutOfBounds {
            price,
            bound: PriceBound::BelowIntrinsic,
            limit: intrinsic,
            excess: intrinsic - price,
        });
    }
    if price >= upper {
        return Err(Error::PriceOutOfBounds {
            price,
            bound: PriceBound::AboveMaximum,
            limit: upper,
            excess: price - upper,
        });
    }
    if price == intrinsic || model.t() == 0.0 {
        return Err(Error::PriceAtBound {
            price,
            bound: PriceBound::BelowIntrinsic,
            limit: intrinsic,
            vol: 0.0,
        });
    }
    let f = |v: f64| model.price(v) - price;
    let mut lo = (VOL_MIN, f(VOL_MIN));
    // At a vanishing volatility the grid is narrower than its own error, and deep in the
    // money (where the price hardly moves with vol) that error can exceed the time value: a
    // bracket is then sought from a few larger vols before the price is called too low.
    if lo.1 > 0.0 {
        if let Some(found) = [0.01, 0.03, 0.1]
            .into_iter()
            .map(|v| (v, f(v)))
            .find(|&(_, fv)| fv <= 0.0)
        {
            lo = found;
        }
    }
    let f_lo = lo.1;
    if f_lo > 0.0 {
        let limit = f_lo + price;
        return Err(Error::PriceOutOfBounds {
            price,
            bound: PriceBound::BelowIntrinsic,
            limit,
            excess: limit - price,
        });
    }
    if f_lo == 0.0 {
        return Ok(lo.0);
    }
    let f_hi = f(VOL_MAX);
    if f_hi < 0.0 {
        let limit = f_hi + price;
        return Err(Error::PriceOutOfBounds {
            price,
            bound: PriceBound::AboveMaximum,
            limit,
            excess: price - limit,
        });
    }
    let guess = implied_vol(&model.escrowed(), price)
        .ok()
        .filter(|v| v.is_finite() && *v > lo.0 && *v < VOL_MAX)
        .unwrap_or(0.3_f64.max(2.0 * lo.0));
    solve(f, lo, (VOL_MAX, f_hi), guess)
}

/// Safeguarded secant (Illinois-style bracket keeping) for an increasing f.
fn solve(f: impl Fn(f64) -> f64, lo: (f64, f64), hi: (f64, f64), guess: f64) -> Result<f64> {
    let (mut a, mut fa) = lo;
    let (mut b, mut fb) = hi;
    // Two points near the guess start the secant.
    let mut x0 = guess;
    let mut f0 = f(x0);
    if f0 == 0.0 {
        return Ok(x0);
    }
    if f0 < 0.0 {
        (a, fa) = (x0, f0);
    } else {
        (b, fb) = (x0, f0);
    }
    let mut x1 = if f0 < 0.0 { x0 * 1.02 } else { x0 * 0.98 };
    for _ in 0..100 {
        if !(x1 > a && x1 < b) {
            x1 = 0.5 * (a + b);
        }
        let f1 = f(x1);
        if f1 == 0.0 {
            return Ok(x1);
        }
        if f1 < 0.0 {
            (a, fa) = (x1, f1);
        } else {
            (b, fb) = (x1, f1);
        }
        if (b - a) <= 1e-13 * b {
            break;
        }
        let step = if f1 != f0 {
            f1 * (x1 - x0) / (f1 - f0)
        } else {
            f64::NAN
        };
        let next = x1 - step;
        x0 = x1;
        f0 = f1;
        if (next - x1).abs() <= 1e-13 * x1 && next > a && next < b {
            return Ok(next);
        }
        // Fall back to the bracket's own secant when the step leaves it.
        x1 = if next.is_finite() && next > a && next < b {
            next
        } else {
            a - fa * (b - a) / (fb - fa)
        };
    }
    Ok(if fa.abs() < fb.abs() { a } else { b })
}

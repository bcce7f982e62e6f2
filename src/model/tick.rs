//! The minimum price increment (tick) of a listed equity option, and limit prices rounded to it.
//!
//! US equity options quote in nickels (0.05) at or above 3.00 and in pennies (0.01) below;
//! classes in the penny program quote in pennies at every price. A limit price off the tick is
//! refused by the exchange or silently repriced by the broker, so every limit ccplan exports
//! is on the tick, and every figure (premium, yield, totals) is computed on the rounded limit.
//!
//! Rounding is side-aware: a limit is the nearest tick, except that a **sale's** limit is never
//! rounded up past the mid (it would ask more than the middle of the market) and a **buy's**
//! is never rounded down below the mid. The price the rounding starts from (the bid, the mid)
//! is the caller's choice.
//!
//! ```
//! use ccplan::model::tick::{option_tick, round_limit, Side};
//! assert_eq!(option_tick(4.025, false), 0.05);
//! assert_eq!(option_tick(2.99, false), 0.01);
//! assert_eq!(option_tick(4.025, true), 0.01);
//! // Selling at the mid of a 4.00 × 4.05 market: 4.05 would be past the mid, so 4.00.
//! assert_eq!(round_limit(4.025, Some(4.025), Side::Sell, false), 4.00);
//! // Buying it back: never below the mid, so 4.05.
//! assert_eq!(round_limit(4.025, Some(4.025), Side::Buy, false), 4.05);
//! ```

/// Prices at or above this quote in nickels outside the penny program, USD.
pub const NICKEL_FROM: f64 = 3.0;

/// Which side of the market an order is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Selling (writing a call, closing a long): the limit never rounds up past the mid.
    Sell,
    /// Buying (closing a written call): the limit never rounds down below the mid.
    Buy,
}

/// The tick at `price`, USD: 0.01 in the penny program or below 3.00, else 0.05.
pub fn option_tick(price: f64, penny: bool) -> f64 {
    if penny || price < NICKEL_FROM {
        0.01
    } else {
        0.05
    }
}

/// `ticks` whole ticks of size `tick`, cleaned to whole cents (4.05, not 4.050000000000001).
fn on_grid(ticks: f64, tick: f64) -> f64 {
    (ticks * tick * 100.0).round() / 100.0
}

/// `price` rounded to the option's tick for an order on `side`, USD per share.
///
/// The nearest tick, except: for a [`Side::Sell`] a result above `mid` becomes the tick at or
/// below the mid; for a [`Side::Buy`] a result below `mid` becomes the tick at or above it.
/// A positive price never rounds to zero on a sale (the least is one tick, when the mid
/// allows it). Non-finite or negative prices are returned unchanged (the caller rejects them).
pub fn round_limit(price: f64, mid: Option<f64>, side: Side, penny: bool) -> f64 {
    if !(price.is_finite() && price >= 0.0) {
        return price;
    }
    let tick = option_tick(price, penny);
    // A tiny allowance so that 4.05 computed as 4.0499999999 counts as on the tick.
    let eps = 1e-9;
    let mut r = on_grid((price / tick).round(), tick);
    let mid = mid.filter(|m| m.is_finite() && *m >= 0.0);
    match side {
        Side::Sell => {
            if let Some(m) = mid {
                if r > m + eps {
                    r = on_grid(
                        ((m + eps) / option_tick(m, penny)).floor(),
                        option_tick(m, penny),
                    );
                }
            }
            if r <= 0.0 && price > 0.0 && mid.is_none_or(|m| m + eps >= tick) {
                r = tick;
            }
        }
        Side::Buy => {
            if let Some(m) = mid {
                if r < m - eps {
                    let t = option_tick(m, penny);
                    r = on_grid(((m - eps) / t).ceil(), t);
                }
            }
        }
    }
    r
}

/// Whether a class quotes in pennies above 3.00, as far as its quotes tell: true when any
/// price at or above 3.00 is off the nickel grid. A chain whose prices above 3.00 are all
/// nickels (or that has none) is taken to be outside the penny program.
pub fn quotes_in_pennies(prices: impl IntoIterator<Item = f64>) -> bool {
    prices.into_iter().any(|p| {
        p.is_finite() && p >= NICKEL_FROM && {
            let nickels = p / 0.05;
            (nickels - nickels.round()).abs() > 1e-6
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_by_price_and_class() {
        assert_eq!(option_tick(0.5, false), 0.01);
        assert_eq!(option_tick(2.999, false), 0.01);
        assert_eq!(option_tick(3.0, false), 0.05);
        assert_eq!(option_tick(57.3, false), 0.05);
        assert_eq!(option_tick(57.3, true), 0.01);
    }

    #[test]
    fn sale_never_above_the_mid_and_buy_never_below() {
        // The issue's case: mid 4.025 of a 4.00 × 4.05 market.
        assert_eq!(round_limit(4.025, Some(4.025), Side::Sell, false), 4.0);
        assert_eq!(round_limit(4.025, Some(4.025), Side::Buy, false), 4.05);
        // Nearest tick when that is on the right side of the mid.
        assert_eq!(round_limit(4.06, Some(4.10), Side::Sell, false), 4.05);
        assert_eq!(round_limit(4.09, Some(4.10), Side::Sell, false), 4.10);
        assert_eq!(round_limit(1.234, Some(1.25), Side::Sell, false), 1.23);
        assert_eq!(round_limit(1.236, Some(1.25), Side::Sell, false), 1.24);
        assert_eq!(round_limit(1.235, Some(1.235), Side::Sell, false), 1.23);
        assert_eq!(round_limit(1.235, Some(1.235), Side::Buy, false), 1.24);
        // Penny class above 3.00.
        assert_eq!(round_limit(4.025, Some(4.025), Side::Sell, true), 4.02);
        // Across the 3.00 boundary: 3.02 → 3.00 (nickel grid), 2.995 as a sale stays ≤ mid.
        assert_eq!(round_limit(3.02, None, Side::Sell, false), 3.0);
        assert_eq!(round_limit(2.995, Some(2.995), Side::Sell, false), 2.99);
        // On-tick prices are kept exactly.
        for p in [0.01, 0.82, 2.39, 3.05, 4.0, 12.35, 100.05] {
            assert_eq!(round_limit(p, Some(p), Side::Sell, false), p);
            assert_eq!(round_limit(p, Some(p), Side::Buy, false), p);
        }
    }

    #[test]
    fn rounded_limits_are_on_the_grid_and_on_the_right_side() {
        for i in 0..20_000 {
            let mid = f64::from(i) * 0.000_73 + 0.001;
            for penny in [false, true] {
                let s = round_limit(mid, Some(mid), Side::Sell, penny);
                let b = round_limit(mid, Some(mid), Side::Buy, penny);
                assert!(s <= mid + 1e-9 || s == 0.01, "sell {s} > mid {mid}");
                assert!(b >= mid - 1e-9, "buy {b} < mid {mid}");
                for x in [s, b] {
                    let t = option_tick(x, penny);
                    let n = x / t;
                    assert!((n - n.round()).abs() < 1e-6, "{x} off the {t} tick");
                }
                // Never more than one tick from the mid.
                assert!(mid - s < option_tick(mid, penny) + 1e-9 || s == 0.01);
                assert!(b - mid < option_tick(mid, penny) + 1e-9);
            }
        }
    }

    #[test]
    fn tiny_and_bad_prices() {
        assert_eq!(round_limit(0.004, Some(0.02), Side::Sell, false), 0.01);
        assert_eq!(round_limit(0.0, Some(0.0), Side::Sell, false), 0.0);
        assert!(round_limit(f64::NAN, None, Side::Sell, false).is_nan());
        assert_eq!(round_limit(-1.0, None, Side::Buy, false), -1.0);
    }

    #[test]
    fn penny_detection() {
        assert!(!quotes_in_pennies([0.37, 2.41, 3.05, 10.0, 12.35]));
        assert!(quotes_in_pennies([0.37, 3.07]));
        assert!(!quotes_in_pennies([]));
        assert!(!quotes_in_pennies([f64::NAN, 2.97]));
    }
}

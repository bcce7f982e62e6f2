//! Price/MACD divergences at swing highs and lows.
//!
//! * **Bearish divergence**: of the two most recent swing highs in the look-back, the later one
//!   has a **higher close** but a **lower MACD line** — price pushes on while momentum fades.
//! * **Bullish divergence**: of the two most recent swing lows, the later one has a **lower
//!   close** but a **higher MACD line**.
//!
//! Choices, and why:
//!
//! * **MACD line, not the histogram.** The histogram (line − signal) crosses zero every few
//!   weeks and its value at a price extreme mostly says where the signal line happens to be;
//!   the line is the momentum itself. The MACD value compared is the line's value **on the swing
//!   bars of price** (the price swing defines the two points; MACD is read there), which is how
//!   the divergence is drawn on a chart.
//! * **Closes, not highs/lows**: many sources carry closes only.
//! * **Swing point**: a close strictly above (for a high) the `k` closes before it and at least
//!   as high as the `k` closes after it (so the first bar of a flat top counts, once). With the
//!   defaults k = 5 (a week each side), two swing highs are always more than k bars apart, and a
//!   swing can only be confirmed k sessions after it happened: the last k closes are never swing
//!   points.
//! * **Look-back**: only swings in the last `lookback` closes (default 60 sessions, about three
//!   months) are considered; older ones are stale for a covered-call decision.
//!
//! Both swing points are returned so the CLI can explain the signal.

use super::macd::{macd_series, MacdParams};

/// Swing detection and MACD settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DivergenceParams {
    /// Bars each side of a swing point (default 5).
    pub k: usize,
    /// Sessions back from the last close in which swings are looked for (default 60).
    pub lookback: usize,
    /// MACD periods (default 12, 26, 9).
    pub macd: MacdParams,
}

impl Default for DivergenceParams {
    fn default() -> Self {
        DivergenceParams {
            k: 5,
            lookback: 60,
            macd: MacdParams::default(),
        }
    }
}

/// Bearish or bullish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DivergenceKind {
    /// Higher price high, lower MACD high.
    Bearish,
    /// Lower price low, higher MACD low.
    Bullish,
}

/// One swing point of price with the MACD line read on the same bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwingPoint {
    /// Index into the closes given (for a `PriceHistory`, `bars[index].date` is its date).
    pub index: usize,
    /// Close at the swing, USD per share.
    pub close: f64,
    /// MACD line at the swing, USD per share.
    pub macd: f64,
}

/// A divergence between two swing points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Divergence {
    /// Bearish or bullish.
    pub kind: DivergenceKind,
    /// The earlier swing.
    pub earlier: SwingPoint,
    /// The later swing.
    pub later: SwingPoint,
}

/// What a scan found; each side is `None` when it has no divergence (or too few swings).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DivergenceScan {
    /// Between the two most recent swing highs, if they diverge.
    pub bearish: Option<Divergence>,
    /// Between the two most recent swing lows, if they diverge.
    pub bullish: Option<Divergence>,
}

/// Look for bearish and bullish divergences in the last `params.lookback` closes.
///
/// Swings whose MACD line is undefined (too early in the series, or after a non-finite close)
/// are skipped, as are swings involving non-finite closes. `None` when the parameters are
/// invalid (k = 0, lookback = 0, or invalid MACD periods).
pub fn find_divergences(closes: &[f64], params: DivergenceParams) -> Option<DivergenceScan> {
    if params.k == 0 || params.lookback == 0 {
        return None;
    }
    let macd = macd_series(closes, params.macd)?;
    let n = closes.len();
    let from = n.saturating_sub(params.lookback);
    let mut highs = Vec::new();
    let mut lows = Vec::new();
    for i in from.max(params.k)..n.saturating_sub(params.k) {
        let Some(m) = macd.line[i] else { continue };
        let point = SwingPoint {
            index: i,
            close: closes[i],
            macd: m,
        };
        if is_swing(closes, i, params.k, |a, b| a > b, |a, b| a >= b) {
            highs.push(point);
        } else if is_swing(closes, i, params.k, |a, b| a < b, |a, b| a <= b) {
            lows.push(point);
        }
    }
    let last_two = |v: &[SwingPoint]| match v {
        [.., a, b] => Some((*a, *b)),
        _ => None,
    };
    let bearish = last_two(&highs)
        .filter(|(a, b)| b.close > a.close && b.macd < a.macd)
        .map(|(earlier, later)| Divergence {
            kind: DivergenceKind::Bearish,
            earlier,
            later,
        });
    let bullish = last_two(&lows)
        .filter(|(a, b)| b.close < a.close && b.macd > a.macd)
        .map(|(earlier, later)| Divergence {
            kind: DivergenceKind::Bullish,
            earlier,
            later,
        });
    Some(DivergenceScan { bearish, bullish })
}

/// Whether closes[i] beats (`left`) each of the k closes before it and matches-or-beats
/// (`right`) each of the k after it. Requires k ≤ i < len − k. Non-finite values never pass.
fn is_swing(
    closes: &[f64],
    i: usize,
    k: usize,
    left: impl Fn(f64, f64) -> bool,
    right: impl Fn(f64, f64) -> bool,
) -> bool {
    let c = closes[i];
    c.is_finite()
        && closes[i - k..i]
            .iter()
            .all(|&x| x.is_finite() && left(c, x))
        && closes[i + 1..=i + k]
            .iter()
            .all(|&x| x.is_finite() && right(c, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_top_is_one_swing_at_its_first_bar() {
        let closes = [1.0, 2.0, 3.0, 5.0, 5.0, 3.0, 2.0, 1.0];
        let high = |i| is_swing(&closes, i, 2, |a, b| a > b, |a, b| a >= b);
        assert!(high(3));
        assert!(!high(4));
        let low = |i| is_swing(&closes, i, 2, |a, b| a < b, |a, b| a <= b);
        assert!((2..6).all(|i| !low(i)));
    }

    #[test]
    fn nan_is_never_a_swing_nor_beaten() {
        let closes = [1.0, f64::NAN, 3.0, 2.0, 1.0];
        assert!(!is_swing(&closes, 2, 2, |a, b| a > b, |a, b| a >= b));
        assert!(!is_swing(&closes, 1, 1, |a, b| a > b, |a, b| a >= b));
    }
}

//! Simple moving averages and the distance of the last close from them.
//!
//! The distance is a decimal fraction: (last close − SMA) / SMA, so +0.05 means the stock closes
//! 5 % above its average. ccplan reports it for the 50- and 200-session SMAs.

/// Simple mean of the last `period` values; `None` when `period == 0`, too few values, or a
/// non-finite value in the window.
pub fn sma(values: &[f64], period: usize) -> Option<f64> {
    if period == 0 || values.len() < period {
        return None;
    }
    let window = &values[values.len() - period..];
    if window.iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(window.iter().sum::<f64>() / period as f64)
}

/// (last close − SMA_period) / SMA_period, a decimal fraction; `None` when the SMA is undefined
/// (see [`sma`]) or not positive.
///
/// ```
/// use ccplan::regime::distance_from_sma;
/// // SMA of [10, 10, 13] is 11; the last close 13 is 2/11 above it.
/// let d = distance_from_sma(&[10.0, 10.0, 13.0], 3).unwrap();
/// assert!((d - 2.0 / 11.0).abs() < 1e-15);
/// ```
pub fn distance_from_sma(closes: &[f64], period: usize) -> Option<f64> {
    let avg = sma(closes, period)?;
    let last = *closes.last()?;
    (avg > 0.0).then(|| (last - avg) / avg)
}

/// Distances of the last close from its 50- and 200-session SMAs (decimal fractions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MovingAverageDistances {
    /// (close − SMA50) / SMA50; `None` with fewer than 50 closes.
    pub from_sma50: Option<f64>,
    /// (close − SMA200) / SMA200; `None` with fewer than 200 closes.
    pub from_sma200: Option<f64>,
}

impl MovingAverageDistances {
    /// Both distances for `closes` (oldest first).
    pub fn of(closes: &[f64]) -> Self {
        MovingAverageDistances {
            from_sma50: distance_from_sma(closes, 50),
            from_sma200: distance_from_sma(closes, 200),
        }
    }
}

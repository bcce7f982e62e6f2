//! Wilder's Relative Strength Index (J. Welles Wilder Jr., *New Concepts in Technical Trading
//! Systems*, 1978).
//!
//! With changes Δᵢ = Cᵢ − Cᵢ₋₁, gains Gᵢ = max(Δᵢ, 0) and losses Lᵢ = max(−Δᵢ, 0):
//!
//! * the first average gain and average loss are the **simple means** of the first `period`
//!   gains and losses (closes 0..=period), giving the first RSI at close index `period`;
//! * thereafter Wilder's smoothing: avg = (previous avg · (period − 1) + current) / period
//!   (an EMA with α = 1/period, not 2/(period + 1));
//! * RS = average gain / average loss, RSI = 100 − 100 / (1 + RS), on a 0–100 scale.
//!
//! Edge cases, defined here: average loss 0 with a positive average gain → 100 (only gains);
//! average gain 0 with a positive average loss → 0 (only losses); both 0 (a flat series) → 50,
//! neither overbought nor oversold.

/// Wilder's default look-back, in sessions.
pub const RSI_PERIOD: usize = 14;

/// RSI for every close, aligned with `closes`: `None` for the first `period` closes (warm-up)
/// and from the first non-finite close onwards (the recursion cannot cross a missing value).
/// Empty input or `period == 0` gives all `None`.
pub fn rsi_series(closes: &[f64], period: usize) -> Vec<Option<f64>> {
    let mut out = vec![None; closes.len()];
    if period == 0 || closes.len() <= period {
        return out;
    }
    let p = period as f64;
    let (mut avg_gain, mut avg_loss) = (0.0, 0.0);
    for i in 1..closes.len() {
        let change = closes[i] - closes[i - 1];
        if !change.is_finite() {
            break;
        }
        let (gain, loss) = (change.max(0.0), (-change).max(0.0));
        if i <= period {
            avg_gain += gain / p;
            avg_loss += loss / p;
        } else {
            avg_gain = (avg_gain * (p - 1.0) + gain) / p;
            avg_loss = (avg_loss * (p - 1.0) + loss) / p;
        }
        if i >= period {
            out[i] = Some(rsi_from_averages(avg_gain, avg_loss));
        }
    }
    out
}

/// The RSI at the last close (`None` when the series is too short or the last value is
/// undefined, see [`rsi_series`]).
///
/// ```
/// use ccplan::regime::rsi;
/// let rising: Vec<f64> = (1..=30).map(f64::from).collect();
/// assert_eq!(rsi(&rising, 14), Some(100.0));
/// assert_eq!(rsi(&[10.0; 30], 14), Some(50.0));
/// assert_eq!(rsi(&rising[..14], 14), None); // needs period + 1 closes
/// ```
pub fn rsi(closes: &[f64], period: usize) -> Option<f64> {
    rsi_series(closes, period).last().copied().flatten()
}

fn rsi_from_averages(avg_gain: f64, avg_loss: f64) -> f64 {
    if avg_loss == 0.0 {
        if avg_gain == 0.0 {
            50.0
        } else {
            100.0
        }
    } else {
        100.0 - 100.0 / (1.0 + avg_gain / avg_loss)
    }
}

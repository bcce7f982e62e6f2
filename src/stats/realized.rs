//! Realized (historical) volatility from daily bars.
//!
//! Two estimators:
//!
//! * [`close_to_close_vol`] — the sample standard deviation (divisor n − 1) of daily log returns
//!   ln(Cᵢ / Cᵢ₋₁), annualized by √252. It needs only closes. The windows ccplan reports are 10,
//!   20 and 60 sessions.
//! * [`yang_zhang_vol`] — Yang & Zhang (2000), "Drift-Independent Volatility Estimation Based on
//!   High, Low, Open, and Close Prices", *Journal of Business* 73(3). It combines the overnight
//!   (close-to-open) variance, the open-to-close variance and the Rogers-Satchell range
//!   variance, is unbiased in the presence of drift and opening jumps, and is several times more
//!   efficient than close-to-close. It needs open, high and low on every bar of the window.
//!
//! **Annualization uses 252 trading sessions per year** ([`TRADING_DAYS_PER_YEAR`]), because one
//! daily return spans one session. This is deliberately different from the ACT/365 calendar
//! year used for option time to expiry: an implied volatility and a realized volatility are
//! comparable only when each is annualized over its own clock (sessions for returns, calendar
//! time for option life).
//!
//! A window of `n` sessions uses `n` daily returns and therefore `n + 1` bars (the bar before
//! the window supplies the first previous close). Both functions return `None` when there are
//! too few bars, when `n < 2` (a sample variance needs two returns), or when any price in the
//! window is not finite and positive.

use crate::model::Bar;

/// Trading sessions per year used to annualize daily realized volatility.
pub const TRADING_DAYS_PER_YEAR: f64 = 252.0;

/// Daily log returns ln(Cᵢ / Cᵢ₋₁), oldest first; `None` if any close is not finite and
/// positive. One fewer element than `closes` (empty for fewer than two closes).
pub fn log_returns(closes: &[f64]) -> Option<Vec<f64>> {
    if closes.iter().any(|c| !is_price(*c)) {
        return None;
    }
    Some(closes.windows(2).map(|w| (w[1] / w[0]).ln()).collect())
}

/// Annualized close-to-close realized volatility over the last `sessions` daily returns
/// (the last `sessions + 1` closes), as a decimal fraction.
///
/// σ = √(252 · Σ(rᵢ − r̄)² / (n − 1)), rᵢ = ln(Cᵢ / Cᵢ₋₁), n = `sessions`.
///
/// `None` when `sessions < 2`, when fewer than `sessions + 1` closes are given, or when a close
/// in the window is not finite and positive. Closes before the window are not inspected.
///
/// ```
/// use ccplan::regime::close_to_close_vol;
/// // Returns alternate +1 % / −1 % (in log terms): sample std of [a, −a, a] with a = ln 1.01.
/// let a: f64 = 1.01f64.ln();
/// let closes = [100.0, 100.0 * a.exp(), 100.0, 100.0 * a.exp()];
/// let vol = close_to_close_vol(&closes, 3).unwrap();
/// let mean = a / 3.0;
/// let var = (2.0 * (a - mean).powi(2) + (a + mean).powi(2)) / 2.0;
/// assert!((vol - (252.0 * var).sqrt()).abs() < 1e-15);
/// ```
pub fn close_to_close_vol(closes: &[f64], sessions: usize) -> Option<f64> {
    if sessions < 2 || closes.len() < sessions + 1 {
        return None;
    }
    let window = &closes[closes.len() - (sessions + 1)..];
    let returns = log_returns(window)?;
    let var = sample_variance(&returns)?;
    finite((TRADING_DAYS_PER_YEAR * var).sqrt())
}

/// Annualized Yang-Zhang realized volatility over the last `sessions` sessions (the last
/// `sessions + 1` bars), as a decimal fraction.
///
/// With n = `sessions` and, for each session i of the window, Oᵢ, Hᵢ, Lᵢ, Cᵢ its prices and
/// Cᵢ₋₁ the previous close:
///
/// * overnight returns oᵢ = ln(Oᵢ / Cᵢ₋₁), σ²_O their sample variance (divisor n − 1);
/// * open-to-close returns cᵢ = ln(Cᵢ / Oᵢ), σ²_C their sample variance (divisor n − 1);
/// * Rogers-Satchell σ²_RS = (1/n) Σ [ln(Hᵢ/Cᵢ)·ln(Hᵢ/Oᵢ) + ln(Lᵢ/Cᵢ)·ln(Lᵢ/Oᵢ)];
/// * k = 0.34 / (1.34 + (n + 1)/(n − 1)), the weight that minimizes the estimator's variance;
/// * σ²_YZ = σ²_O + k·σ²_C + (1 − k)·σ²_RS, annualized ×252.
///
/// `None` when `sessions < 2`, when fewer than `sessions + 1` bars are given, when any bar of
/// the window lacks open, high or low, when a price is not finite and positive, or when a bar
/// is inconsistent (high below max(open, close) or low above min(open, close)). The first bar
/// of the window contributes only its close.
pub fn yang_zhang_vol(bars: &[Bar], sessions: usize) -> Option<f64> {
    if sessions < 2 || bars.len() < sessions + 1 {
        return None;
    }
    let window = &bars[bars.len() - (sessions + 1)..];
    let mut overnight = Vec::with_capacity(sessions);
    let mut open_close = Vec::with_capacity(sessions);
    let mut rs_sum = 0.0;
    for pair in window.windows(2) {
        let prev_close = pair[0].close;
        let bar = &pair[1];
        let (open, high, low, close) = (bar.open?, bar.high?, bar.low?, bar.close);
        if ![prev_close, open, high, low, close]
            .iter()
            .all(|p| is_price(*p))
        {
            return None;
        }
        if high < open.max(close) || low > open.min(close) {
            return None;
        }
        overnight.push((open / prev_close).ln());
        open_close.push((close / open).ln());
        let (hc, ho) = ((high / close).ln(), (high / open).ln());
        let (lc, lo) = ((low / close).ln(), (low / open).ln());
        rs_sum += hc * ho + lc * lo;
    }
    let n = sessions as f64;
    let var_o = sample_variance(&overnight)?;
    let var_c = sample_variance(&open_close)?;
    let var_rs = rs_sum / n;
    let k = yang_zhang_k(sessions)?;
    let var = var_o + k * var_c + (1.0 - k) * var_rs;
    finite((TRADING_DAYS_PER_YEAR * var.max(0.0)).sqrt())
}

/// Yang-Zhang's weight k = 0.34 / (1.34 + (n + 1)/(n − 1)); `None` for n < 2.
pub(crate) fn yang_zhang_k(n: usize) -> Option<f64> {
    if n < 2 {
        return None;
    }
    let n = n as f64;
    Some(0.34 / (1.34 + (n + 1.0) / (n - 1.0)))
}

/// Sample variance with divisor n − 1; `None` for fewer than two values or a non-finite result.
fn sample_variance(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    finite(ss / (n - 1.0))
}

fn is_price(p: f64) -> bool {
    p.is_finite() && p > 0.0
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn bar(day: u32, o: f64, h: f64, l: f64, c: f64) -> Bar {
        Bar {
            date: NaiveDate::from_ymd_opt(2024, 1, day).unwrap_or_default(),
            open: Some(o),
            high: Some(h),
            low: Some(l),
            close: c,
            volume: None,
        }
    }

    #[test]
    fn k_matches_the_paper_formula() {
        // n = 2: 0.34 / (1.34 + 3) = 0.078341...
        assert!((yang_zhang_k(2).unwrap_or(f64::NAN) - 0.34 / 4.34).abs() < 1e-15);
        // n = 21: 0.34 / (1.34 + 22/20) = 0.34 / 2.44
        assert!((yang_zhang_k(21).unwrap_or(f64::NAN) - 0.34 / 2.44).abs() < 1e-15);
        assert!(yang_zhang_k(1).is_none());
    }

    #[test]
    fn too_few_bars_or_bad_prices_give_none() {
        assert!(close_to_close_vol(&[100.0, 101.0], 2).is_none());
        assert!(close_to_close_vol(&[100.0, 101.0, 102.0], 1).is_none());
        assert!(close_to_close_vol(&[100.0, f64::NAN, 102.0], 2).is_none());
        assert!(close_to_close_vol(&[100.0, -1.0, 102.0], 2).is_none());
        // A NaN before the window is not looked at.
        assert!(close_to_close_vol(&[f64::NAN, 100.0, 101.0, 102.0], 2).is_some());
        let bars = [bar(2, 1.0, 1.0, 1.0, 1.0), bar(3, 1.0, 1.0, 1.0, 1.0)];
        assert!(yang_zhang_vol(&bars, 2).is_none());
    }

    #[test]
    fn flat_prices_have_zero_volatility() {
        let closes = [50.0; 11];
        assert_eq!(close_to_close_vol(&closes, 10), Some(0.0));
        let bars: Vec<Bar> = (1..=11).map(|d| bar(d, 50.0, 50.0, 50.0, 50.0)).collect();
        assert_eq!(yang_zhang_vol(&bars, 10), Some(0.0));
    }
}

//! Realized volatility for the edge metric: close-to-close HV20.
//!
//! A deliberately small private helper (the regime module has the full set of estimators):
//! the sample standard deviation (n − 1) of the last 20 daily log returns, annualized × √252.
//! History after the as-of date is ignored so a back-dated plan does not see the future.

use chrono::NaiveDate;

use crate::model::PriceHistory;

/// Returns in the window.
pub(crate) const HV_WINDOW: usize = 20;

/// HV20 as of `as_of` (inclusive), decimal per year; `None` with fewer than 21 closes.
pub(crate) fn hv20(history: &PriceHistory, as_of: NaiveDate) -> Option<f64> {
    let closes: Vec<f64> = history
        .bars
        .iter()
        .filter(|b| b.date <= as_of && b.close.is_finite() && b.close > 0.0)
        .map(|b| b.close)
        .collect();
    if closes.len() < HV_WINDOW + 1 {
        return None;
    }
    let tail = closes.get(closes.len() - (HV_WINDOW + 1)..)?;
    let rets: Vec<f64> = tail.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
    let n = rets.len() as f64;
    let mean = rets.iter().sum::<f64>() / n;
    let var = rets.iter().map(|r| (r - mean) * (r - mean)).sum::<f64>() / (n - 1.0);
    let hv = (var * 252.0).sqrt();
    hv.is_finite().then_some(hv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Adjustment, Bar};

    #[test]
    fn alternating_returns() {
        // Closes alternate ×1.01, ÷1.01: returns ±ln 1.01, 20 of them, mean 0,
        // sample variance = 20·ln²(1.01)/19, HV = ln(1.01)·√(20/19·252).
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let bars: Vec<Bar> = (0..21)
            .map(|i| Bar {
                date: start + chrono::Duration::days(i),
                open: None,
                high: None,
                low: None,
                close: if i % 2 == 0 { 100.0 } else { 101.0 },
                volume: None,
            })
            .collect();
        let h = PriceHistory::new("X", Adjustment::Unknown, bars);
        let hv = hv20(&h, start + chrono::Duration::days(30)).unwrap();
        let want = (1.01f64).ln() * (20.0 / 19.0 * 252.0f64).sqrt();
        assert!((hv - want).abs() < 1e-12, "{hv} vs {want}");
        assert!(hv20(&h, start + chrono::Duration::days(19)).is_none());
    }
}

//! Realized volatility for the edge metric: close-to-close HV20, by the one estimator the
//! regime reading uses too ([`crate::stats::realized::close_to_close_vol`]): the sample
//! standard deviation (n − 1) of the last 20 daily log returns, annualized × √252, and no
//! reading when a close in the window is not a positive price (the regime's rule; a skipped
//! close would make one "daily" return span two sessions). History after the as-of date is
//! ignored so a back-dated plan does not see the future.

use chrono::NaiveDate;

use crate::model::PriceHistory;
use crate::stats::realized::close_to_close_vol;

/// Returns in the window.
pub(crate) const HV_WINDOW: usize = 20;

/// HV20 as of `as_of` (inclusive), decimal per year; `None` with fewer than 21 closes or a
/// bad close among the last 21.
pub(crate) fn hv20(history: &PriceHistory, as_of: NaiveDate) -> Option<f64> {
    let closes: Vec<f64> = history
        .bars
        .iter()
        .filter(|b| b.date <= as_of)
        .map(|b| b.close)
        .collect();
    close_to_close_vol(&closes, HV_WINDOW)
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

    /// The planner's HV20 is the regime's: equal on a clean history, and both refuse a
    /// window with a bad close (they used to disagree: one skipped it).
    #[test]
    fn one_estimator_with_the_regime() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let closes: Vec<f64> = (0..30).map(|i| 100.0 + f64::from(i % 7) * 1.3).collect();
        let bars = |closes: &[f64]| -> Vec<Bar> {
            closes
                .iter()
                .enumerate()
                .map(|(i, &close)| Bar {
                    date: start + chrono::Duration::days(i as i64),
                    open: None,
                    high: None,
                    low: None,
                    close,
                    volume: None,
                })
                .collect()
        };
        let end = start + chrono::Duration::days(40);
        let clean = PriceHistory::new("X", Adjustment::Unknown, bars(&closes));
        let plan = hv20(&clean, end).unwrap();
        let regime = crate::regime::close_to_close_vol(&closes, 20).unwrap();
        assert_eq!(plan, regime);
        let mut bad = closes.clone();
        bad[25] = f64::NAN;
        // A history built field by field keeps the bad close (`PriceHistory::new` drops it).
        let h = PriceHistory {
            bars: bars(&bad),
            ..clean.clone()
        };
        assert_eq!(hv20(&h, end), None);
        assert_eq!(crate::regime::close_to_close_vol(&bad, 20), None);
        // Outside the window a bad close does not matter to either.
        let mut early = closes.clone();
        early[2] = 0.0;
        let h = PriceHistory {
            bars: bars(&early),
            ..clean.clone()
        };
        assert_eq!(hv20(&h, end), Some(regime));
    }
}

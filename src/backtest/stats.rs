//! Performance figures of an equity curve.
//!
//! Daily simple returns rᵢ = Eᵢ / Eᵢ₋₁ − 1 from the initial value through every session's
//! close. Annualized return is compound over calendar time, (E_T / E_0)^(365 / days) − 1;
//! volatility √252 × the sample standard deviation of rᵢ; Sharpe (252 · r̄ − rate) / vol;
//! Sortino the same over the downside deviation √(252 · mean(min(0, rᵢ − rate / 252)²));
//! maximum drawdown the largest fall from a running peak, as a positive fraction.

use serde::Serialize;

/// Sessions per year for annualizing daily figures.
pub const SESSIONS_PER_YEAR: f64 = 252.0;

/// The figures of one curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Performance {
    /// Value at the start, USD.
    pub initial_value: f64,
    /// Value at the last session's close, USD.
    pub final_value: f64,
    /// final / initial − 1, decimal.
    pub total_return: f64,
    /// Compound annual return, decimal.
    pub annualized_return: f64,
    /// Annualized volatility of daily returns, decimal.
    pub annualized_volatility: f64,
    /// Largest peak-to-trough fall, decimal (0.25 = −25 %).
    pub max_drawdown: f64,
    /// Sharpe ratio at the rate given; `None` with no volatility.
    pub sharpe: Option<f64>,
    /// Sortino ratio; `None` with no downside.
    pub sortino: Option<f64>,
}

/// Figures of `values` (the initial value first, then each session's close) over
/// `calendar_days`, with the risk-free `rate`.
pub fn performance(values: &[f64], calendar_days: i64, rate: f64) -> Performance {
    let initial = values.first().copied().unwrap_or(0.0);
    let last = values.last().copied().unwrap_or(initial);
    let rets: Vec<f64> = values
        .windows(2)
        .map(|w| if w[0] > 0.0 { w[1] / w[0] - 1.0 } else { 0.0 })
        .collect();
    let n = rets.len() as f64;
    let mean = if rets.is_empty() {
        0.0
    } else {
        rets.iter().sum::<f64>() / n
    };
    let var = if rets.len() < 2 {
        0.0
    } else {
        rets.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0)
    };
    let vol = (var * SESSIONS_PER_YEAR).sqrt();
    let hurdle = rate / SESSIONS_PER_YEAR;
    let down = if rets.is_empty() {
        0.0
    } else {
        (rets
            .iter()
            .map(|r| (r - hurdle).min(0.0).powi(2))
            .sum::<f64>()
            / n
            * SESSIONS_PER_YEAR)
            .sqrt()
    };
    let excess = mean * SESSIONS_PER_YEAR - rate;
    let total = if initial > 0.0 {
        last / initial - 1.0
    } else {
        0.0
    };
    let years = calendar_days.max(1) as f64 / 365.0;
    let annualized = if 1.0 + total > 0.0 {
        (1.0 + total).powf(1.0 / years) - 1.0
    } else {
        -1.0
    };
    let mut peak = f64::NEG_INFINITY;
    let mut mdd: f64 = 0.0;
    for &v in values {
        peak = peak.max(v);
        if peak > 0.0 {
            mdd = mdd.max(1.0 - v / peak);
        }
    }
    Performance {
        initial_value: initial,
        final_value: last,
        total_return: total,
        annualized_return: annualized,
        annualized_volatility: vol,
        max_drawdown: mdd,
        sharpe: (vol > 1e-12).then(|| excess / vol),
        sortino: (down > 1e-12).then(|| excess / down),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_a_known_curve() {
        // 100 → 110 → 99 → 108.9: returns +10 %, −10 %, +10 %.
        let v = [100.0, 110.0, 99.0, 108.9];
        let p = performance(&v, 365, 0.0);
        assert!((p.total_return - 0.089).abs() < 1e-12);
        assert!((p.annualized_return - 0.089).abs() < 1e-12);
        assert!((p.max_drawdown - 0.1).abs() < 1e-12);
        let mean: f64 = 0.1 / 3.0;
        let var = (2.0 * (0.1 - mean).powi(2) + (-0.1 - mean).powi(2)) / 2.0;
        assert!((p.annualized_volatility - (var * 252.0).sqrt()).abs() < 1e-12);
        let sharpe = mean * 252.0 / (var * 252.0).sqrt();
        assert!((p.sharpe.unwrap() - sharpe).abs() < 1e-9);
        let down = (0.01f64 / 3.0 * 252.0).sqrt();
        assert!((p.sortino.unwrap() - mean * 252.0 / down).abs() < 1e-9);
        // A flat curve has no volatility and no ratios.
        let flat = performance(&[50.0, 50.0, 50.0], 2, 0.0);
        assert_eq!(flat.sharpe, None);
        assert_eq!(flat.max_drawdown, 0.0);
    }
}

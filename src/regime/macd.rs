//! Exponential moving averages and MACD (Gerald Appel's moving average
//! convergence/divergence), by default MACD(12, 26, 9).
//!
//! **EMA.** α = 2 / (n + 1). The EMA is **seeded with the simple mean of the first n values**
//! (its first value sits at index n − 1); thereafter EMAᵢ = α·xᵢ + (1 − α)·EMAᵢ₋₁. This is the
//! StockCharts ChartSchool convention. Other platforms seed with the first value instead; the
//! two agree after a few multiples of n sessions but differ early on.
//!
//! **MACD.** line = EMA₁₂(close) − EMA₂₆(close), first defined at index 25; signal = EMA₉ of the
//! line, seeded with the mean of the first 9 line values, first defined at index 33; histogram =
//! line − signal. All in price units (USD per share).

/// EMA of `values` with period `n`, aligned with the input: `None` before index n − 1 and from
/// the first non-finite value onwards; all `None` when `n == 0` or the input is shorter than n.
pub fn ema_series(values: &[f64], n: usize) -> Vec<Option<f64>> {
    let mut out = vec![None; values.len()];
    if n == 0 || values.len() < n {
        return out;
    }
    let alpha = 2.0 / (n as f64 + 1.0);
    let seed = values[..n].iter().sum::<f64>() / n as f64;
    if !seed.is_finite() {
        return out;
    }
    let mut ema = seed;
    out[n - 1] = Some(seed);
    for i in n..values.len() {
        ema = alpha * values[i] + (1.0 - alpha) * ema;
        if !ema.is_finite() {
            break;
        }
        out[i] = Some(ema);
    }
    out
}

/// MACD periods, in sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacdParams {
    /// Fast EMA period (12).
    pub fast: usize,
    /// Slow EMA period (26).
    pub slow: usize,
    /// Signal EMA period (9).
    pub signal: usize,
}

impl Default for MacdParams {
    fn default() -> Self {
        MacdParams {
            fast: 12,
            slow: 26,
            signal: 9,
        }
    }
}

/// MACD series, each aligned with the input closes (`None` where undefined).
#[derive(Debug, Clone, PartialEq)]
pub struct Macd {
    /// EMA_fast − EMA_slow, USD per share.
    pub line: Vec<Option<f64>>,
    /// EMA_signal of the line (SMA-seeded), USD per share.
    pub signal: Vec<Option<f64>>,
    /// line − signal, USD per share.
    pub histogram: Vec<Option<f64>>,
}

impl Macd {
    /// The last (line, signal, histogram), when all three are defined.
    pub fn last(&self) -> Option<(f64, f64, f64)> {
        match (self.line.last(), self.signal.last(), self.histogram.last()) {
            (Some(Some(l)), Some(Some(s)), Some(Some(h))) => Some((*l, *s, *h)),
            _ => None,
        }
    }
}

/// MACD of `closes`. `None` when a period is 0 or `fast >= slow`; otherwise the series, with
/// `None` entries where there are too few closes (the line needs `slow` closes, the signal
/// `slow + signal − 1`) or after a non-finite close.
///
/// ```
/// use ccplan::regime::{macd_series, MacdParams};
/// // On a straight line p = 10 + 0.5·i every SMA-seeded EMA lags by exactly 0.5·(n − 1)/2,
/// // so the MACD line is 0.5·(26 − 12)/2 = 3.5 and the histogram 0.
/// let closes: Vec<f64> = (0..60).map(|i| 10.0 + 0.5 * f64::from(i)).collect();
/// let m = macd_series(&closes, MacdParams::default()).unwrap();
/// let (line, signal, hist) = m.last().unwrap();
/// assert!((line - 3.5).abs() < 1e-12 && (signal - 3.5).abs() < 1e-12 && hist.abs() < 1e-12);
/// ```
pub fn macd_series(closes: &[f64], params: MacdParams) -> Option<Macd> {
    let MacdParams { fast, slow, signal } = params;
    if fast == 0 || signal == 0 || fast >= slow {
        return None;
    }
    let fast_ema = ema_series(closes, fast);
    let slow_ema = ema_series(closes, slow);
    let line: Vec<Option<f64>> = fast_ema
        .iter()
        .zip(&slow_ema)
        .map(|(f, s)| Some((*f)? - (*s)?))
        .collect();
    // The signal EMA runs over the defined stretch of the line, which starts at slow − 1.
    let start = slow - 1;
    let mut signal_line = vec![None; closes.len()];
    if closes.len() > start {
        let defined: Vec<f64> = line[start..].iter().map_while(|v| *v).collect();
        for (j, v) in ema_series(&defined, signal).into_iter().enumerate() {
            signal_line[start + j] = v;
        }
    }
    let histogram = line
        .iter()
        .zip(&signal_line)
        .map(|(l, s)| Some((*l)? - (*s)?))
        .collect();
    Some(Macd {
        line,
        signal: signal_line,
        histogram,
    })
}

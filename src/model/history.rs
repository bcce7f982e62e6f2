//! Daily price history.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How a price series has been adjusted for corporate actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// Prices as traded.
    None,
    /// Adjusted for splits only.
    Splits,
    /// Adjusted for splits and dividends (total-return style).
    SplitsAndDividends,
    /// The source does not say.
    Unknown,
}

/// One daily bar. Prices in USD per share; `open`, `high`, `low` may be missing in sources that
/// only carry closes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Session date (New York).
    pub date: NaiveDate,
    /// Opening price.
    pub open: Option<f64>,
    /// Session high.
    pub high: Option<f64>,
    /// Session low.
    pub low: Option<f64>,
    /// Closing price, always positive.
    pub close: f64,
    /// Shares traded (rounded to whole shares where a source adjusts volume for splits).
    pub volume: Option<u64>,
}

/// A daily price series, ascending by date with no duplicate dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceHistory {
    /// Ticker.
    pub symbol: String,
    /// How the prices are adjusted.
    pub adjustment: Adjustment,
    /// The bars, ascending by date.
    pub bars: Vec<Bar>,
}

impl PriceHistory {
    /// Build a history: sorts by date, drops bars with a non-positive or non-finite close and
    /// keeps the last of duplicate dates.
    pub fn new(symbol: impl Into<String>, adjustment: Adjustment, mut bars: Vec<Bar>) -> Self {
        bars.retain(|b| b.close.is_finite() && b.close > 0.0);
        bars.sort_by_key(|b| b.date);
        let mut out: Vec<Bar> = Vec::with_capacity(bars.len());
        for b in bars {
            match out.last_mut() {
                Some(last) if last.date == b.date => *last = b,
                _ => out.push(b),
            }
        }
        PriceHistory {
            symbol: symbol.into(),
            adjustment,
            bars: out,
        }
    }

    /// The bars on or before `date` (history after an `--as-of` date is ignored).
    pub fn until(&self, date: NaiveDate) -> PriceHistory {
        PriceHistory {
            symbol: self.symbol.clone(),
            adjustment: self.adjustment,
            bars: self
                .bars
                .iter()
                .copied()
                .filter(|b| b.date <= date)
                .collect(),
        }
    }

    /// Closing prices, oldest first.
    pub fn closes(&self) -> Vec<f64> {
        self.bars.iter().map(|b| b.close).collect()
    }
}

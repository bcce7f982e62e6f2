//! The price series a backtest runs on: checked, repaired where that is safe (with a note),
//! rejected where it is not, and with its splits located.
//!
//! Repairs, each named in a note: bars out of order are sorted; of two bars on one date the
//! last is kept; bars with a close that is zero, negative or not finite are dropped; bars on a
//! day the NYSE was closed are dropped; an open that is missing or not positive is read as the
//! close. Missing sessions inside the range are counted in a note and the simulation steps over
//! them (an expiry inside a gap settles on the last close before it). Rejected: no usable bar
//! in the range, fewer than two, or a gap longer than [`MAX_GAP_SESSIONS`] sessions.
//!
//! Splits: a split-adjusted series (Yahoo, stooq) already shows the split in every earlier
//! price, so there is nothing to apply and shares are counted in today's units. A series as
//! traded (adjustment `none` or unknown) drops by the ratio on the split day: given split
//! events are applied on the first session on or after their date (shares × ratio, strike ÷
//! ratio, deliverable per contract × ratio, the OCC adjustment); without any given events, a
//! one-session move within 8 % of a 1:2, 1:3, 1:4, 1:5, 1:8, 1:10 or 1:20 ratio (or the
//! reverse) is read as a split, with a note saying so.

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::model::{Adjustment, Bar, PriceHistory};
pub use crate::model::{Dividend, SplitEvent};
use crate::providers::calendar::{is_trading_day, trading_sessions_between};

/// The longest run of missing sessions inside the range that is stepped over; longer is
/// rejected (no honest settlement or mark exists across it).
pub const MAX_GAP_SESSIONS: usize = 10;

/// Split ratios recognised from prices alone (new shares per old share).
const INFERRED_RATIOS: [f64; 7] = [2.0, 3.0, 4.0, 5.0, 8.0, 10.0, 20.0];
/// Relative tolerance of an inferred split.
const INFER_TOLERANCE: f64 = 0.08;

/// A checked series: bars up to `to` (with the warm-up before `from` for HV20).
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Valid bars, ascending, on or before `to`.
    pub bars: Vec<Bar>,
    /// Index of the first bar on or after `from`.
    pub first: usize,
    /// Split ratio taking effect at each bar (1 where none).
    pub split_at: Vec<f64>,
    /// Closes continued through the splits (in the units of the first bar), for volatility.
    pub continuous: Vec<f64>,
    /// Whether the prices include dividends (total-return adjusted).
    pub dividend_adjusted: bool,
}

fn finite_positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// Check and repair `history` for a run from `from` to `to` (module docs); notes are pushed
/// to `notes`, prefixed with the symbol.
pub(crate) fn prepare(
    history: &PriceHistory,
    splits: &[SplitEvent],
    from: NaiveDate,
    to: NaiveDate,
    notes: &mut Vec<String>,
) -> Result<Prepared> {
    let sym = history.symbol.as_str();
    let mut bars: Vec<Bar> = Vec::with_capacity(history.bars.len());
    let (mut bad_close, mut closed_day) = (0usize, 0usize);
    for b in &history.bars {
        if b.date > to {
            continue;
        }
        if !finite_positive(b.close) {
            bad_close += 1;
            continue;
        }
        if !is_trading_day(b.date) {
            closed_day += 1;
            continue;
        }
        let mut b = *b;
        if !b.open.is_some_and(finite_positive) {
            b.open = None;
        }
        bars.push(b);
    }
    if bad_close > 0 {
        notes.push(format!(
            "{sym}: {bad_close} bar(s) with a zero, negative or non-finite close dropped"
        ));
    }
    if closed_day > 0 {
        notes.push(format!(
            "{sym}: {closed_day} bar(s) on days the NYSE was closed dropped"
        ));
    }
    if bars.windows(2).any(|w| w[0].date > w[1].date) {
        notes.push(format!("{sym}: bars were out of date order; sorted"));
        bars.sort_by_key(|b| b.date);
    }
    let before = bars.len();
    let mut dedup: Vec<Bar> = Vec::with_capacity(bars.len());
    for b in bars {
        match dedup.last_mut() {
            Some(last) if last.date == b.date => *last = b,
            _ => dedup.push(b),
        }
    }
    let bars = dedup;
    if bars.len() < before {
        notes.push(format!(
            "{sym}: {} duplicate date(s); the last bar of each kept",
            before - bars.len()
        ));
    }
    let first = bars.partition_point(|b| b.date < from);
    let in_range = bars.len() - first;
    if in_range < 2 {
        return Err(Error::NoData {
            what: "price history",
            symbol: sym.to_string(),
            message: format!(
                "{in_range} usable session(s) from {from} to {to}; a backtest needs at least two"
            ),
        });
    }
    let mut missing = 0usize;
    for w in bars[first..].windows(2) {
        let gap = trading_sessions_between(w[0].date, w[1].date).saturating_sub(2);
        if gap > MAX_GAP_SESSIONS {
            return Err(Error::NoData {
                what: "price history",
                symbol: sym.to_string(),
                message: format!(
                    "{gap} sessions missing between {} and {} (at most {MAX_GAP_SESSIONS} are \
                     stepped over)",
                    w[0].date, w[1].date
                ),
            });
        }
        missing += gap;
    }
    if missing > 0 {
        notes.push(format!(
            "{sym}: {missing} session(s) missing from the history were stepped over"
        ));
    }

    let as_traded = matches!(history.adjustment, Adjustment::None | Adjustment::Unknown);
    let mut split_at = vec![1.0; bars.len()];
    if as_traded {
        if splits.is_empty() {
            for i in 1..bars.len() {
                let r = bars[i - 1].close / bars[i].close;
                let found = INFERRED_RATIOS.iter().find_map(|&k| {
                    if (r / k - 1.0).abs() <= INFER_TOLERANCE {
                        Some(k)
                    } else if (r * k - 1.0).abs() <= INFER_TOLERANCE {
                        Some(1.0 / k)
                    } else {
                        None
                    }
                });
                if let Some(k) = found {
                    split_at[i] = k;
                    notes.push(format!(
                        "{sym}: the close went from {:.2} to {:.2} on {}: read as a {} split \
                         (no split events given)",
                        bars[i - 1].close,
                        bars[i].close,
                        bars[i].date,
                        ratio_label(k)
                    ));
                }
            }
        } else {
            for s in splits {
                if !finite_positive(s.ratio) {
                    return Err(Error::invalid(
                        "split ratio",
                        s.ratio,
                        "a positive number of new shares per old share",
                    ));
                }
                let i = bars.partition_point(|b| b.date < s.date);
                if i < bars.len() && i >= 1 {
                    split_at[i] *= s.ratio;
                }
            }
        }
    } else if !splits.is_empty() {
        notes.push(format!(
            "{sym}: the prices are already split-adjusted; split events are not applied again \
             (shares count in today's units)"
        ));
    }
    let mut continuous = Vec::with_capacity(bars.len());
    let mut factor = 1.0;
    for (b, r) in bars.iter().zip(&split_at) {
        factor *= r;
        continuous.push(b.close * factor);
    }
    Ok(Prepared {
        bars,
        first,
        split_at,
        continuous,
        dividend_adjusted: history.adjustment == Adjustment::SplitsAndDividends,
    })
}

/// "4-for-1", "1-for-10".
pub fn ratio_label(r: f64) -> String {
    if r >= 1.0 {
        format!("{}-for-1", trim(r))
    } else {
        format!("1-for-{}", trim(1.0 / r))
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

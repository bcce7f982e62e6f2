//! Corporate actions in a price series: stock splits and cash dividends, as history sources
//! report them (Yahoo's chart `events`) or a user gives them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A stock split: `ratio` new shares per old share (4 for NVDA's 4-for-1 of 2021-07-20, 0.1 for
/// a 1-for-10 reverse split), effective at the open of `date`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SplitEvent {
    /// First session in the new units.
    pub date: NaiveDate,
    /// New shares per old share, > 0.
    pub ratio: f64,
}

/// A cash dividend, USD per share in the series' units, paid to shares held at the close
/// before `ex_date`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dividend {
    /// Ex-dividend date.
    pub ex_date: NaiveDate,
    /// USD per share.
    pub amount: f64,
}

/// The corporate actions a history source reported beside its bars.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesEvents {
    /// Splits, ascending by date.
    pub splits: Vec<SplitEvent>,
    /// Cash dividends, ascending by ex-date.
    pub dividends: Vec<Dividend>,
}

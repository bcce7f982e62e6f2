//! Positions held and the calendar events that matter to a call seller.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::contract::OptionContract;

/// A call already written against a holding, so its shares are not covered twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WrittenCall {
    /// The contract sold.
    pub contract: OptionContract,
    /// Number of contracts sold (positive).
    pub contracts: u32,
}

/// Earnings and dividend dates for one symbol.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CorporateEvents {
    /// Next earnings announcement date.
    pub next_earnings: Option<NaiveDate>,
    /// Next ex-dividend date.
    pub ex_dividend: Option<NaiveDate>,
    /// Dividend per share paid on that ex-date, USD.
    pub dividend: Option<f64>,
}

/// Stock held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holding {
    /// Ticker, upper case.
    pub symbol: String,
    /// Shares held.
    pub shares: u64,
    /// Average cost per share, USD.
    pub cost_basis: Option<f64>,
    /// Calls already written against these shares.
    #[serde(default)]
    pub written: Vec<WrittenCall>,
    /// Upcoming events.
    #[serde(default)]
    pub events: CorporateEvents,
}

/// A set of holdings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    /// The holdings, one per symbol.
    pub holdings: Vec<Holding>,
}

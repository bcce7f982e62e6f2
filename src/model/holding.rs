//! Positions held and the calendar events that matter to a call seller.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::contract::OptionContract;

/// A call already written against a holding: its shares are not covered twice, and
/// `ccplan manage` follows it to its end (hold, close, roll or let assign).
///
/// The open price, date and fees are optional so that old holdings files stay valid; without a
/// price, the share of the premium captured and the P&L are unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WrittenCall {
    /// The contract sold.
    pub contract: OptionContract,
    /// Number of contracts sold (positive).
    pub contracts: u32,
    /// Premium received when the call was sold, USD per share.
    #[serde(default)]
    pub price: Option<f64>,
    /// Date the call was sold.
    #[serde(default)]
    pub opened: Option<NaiveDate>,
    /// Commissions and fees paid to open the position, USD in total (all contracts).
    #[serde(default)]
    pub fees: Option<f64>,
}

impl WrittenCall {
    /// A written call with no open price, date or fees known.
    pub fn new(contract: OptionContract, contracts: u32) -> Self {
        WrittenCall {
            contract,
            contracts,
            price: None,
            opened: None,
            fees: None,
        }
    }
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

impl CorporateEvents {
    /// The next cash dividend when both its ex-date and a positive finite amount are known.
    pub fn scheduled_dividend(&self) -> Option<crate::surface::ScheduledDividend> {
        match (self.ex_dividend, self.dividend) {
            (Some(ex_date), Some(amount)) if amount.is_finite() && amount > 0.0 => {
                Some(crate::surface::ScheduledDividend { ex_date, amount })
            }
            _ => None,
        }
    }
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
    /// Strike at or above which the user is content to have the shares called away, USD
    /// (`ccplan manage` then lets an in-the-money call be assigned rather than rolled).
    #[serde(default)]
    pub assign_ok_above: Option<f64>,
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

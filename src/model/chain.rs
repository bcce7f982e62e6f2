//! Quotes and chain snapshots, normalized to library units by the providers.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::contract::{OptionContract, Right};

/// The provider's own greeks for a quote, converted to library units at the provider
/// boundary: delta and gamma per 1 USD of spot, vega per 1.00 of volatility, theta per year,
/// rho per 1.00 of rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderGreeks {
    /// ∂V/∂S.
    pub delta: Option<f64>,
    /// ∂²V/∂S².
    pub gamma: Option<f64>,
    /// ∂V/∂σ per 1.00 of volatility.
    pub vega: Option<f64>,
    /// ∂V/∂t per year (negative for a long option that decays).
    pub theta: Option<f64>,
    /// ∂V/∂r per 1.00 of rate.
    pub rho: Option<f64>,
}

/// A market quote for one contract at the snapshot's as-of instant.
///
/// Prices are USD per share. A missing or zero-size side is `None`, never 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// The contract quoted.
    pub contract: OptionContract,
    /// Best bid, USD per share.
    pub bid: Option<f64>,
    /// Best ask, USD per share.
    pub ask: Option<f64>,
    /// Contracts at the bid.
    pub bid_size: Option<u64>,
    /// Contracts at the ask.
    pub ask_size: Option<u64>,
    /// Last trade price, USD per share.
    pub last: Option<f64>,
    /// Contracts traded in the session.
    pub volume: Option<u64>,
    /// Open interest, contracts.
    pub open_interest: Option<u64>,
    /// When the last trade happened.
    pub last_trade: Option<DateTime<FixedOffset>>,
    /// Shares per contract (100 unless the provider says otherwise).
    pub multiplier: u32,
    /// The provider's implied volatility, decimal (0.35), when it gives a usable one.
    pub provider_iv: Option<f64>,
    /// The provider's greeks, in library units.
    pub provider_greeks: Option<ProviderGreeks>,
}

impl Quote {
    /// A quote with only the contract and a two-sided market; everything else empty.
    pub fn new(contract: OptionContract, bid: Option<f64>, ask: Option<f64>) -> Self {
        Quote {
            contract,
            bid,
            ask,
            bid_size: None,
            ask_size: None,
            last: None,
            volume: None,
            open_interest: None,
            last_trade: None,
            multiplier: 100,
            provider_iv: None,
            provider_greeks: None,
        }
    }

    /// Mid price when both sides are present and not crossed.
    pub fn mid(&self) -> Option<f64> {
        match (self.bid, self.ask) {
            (Some(b), Some(a)) if b <= a => Some(0.5 * (b + a)),
            _ => None,
        }
    }

    /// Ask − bid, when both sides are present.
    pub fn spread(&self) -> Option<f64> {
        match (self.bid, self.ask) {
            (Some(b), Some(a)) => Some(a - b),
            _ => None,
        }
    }
}

/// The underlying at the snapshot's as-of instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Underlying {
    /// Ticker, upper case (`NVDA`; index symbols without the provider's decoration).
    pub symbol: String,
    /// Last trade price, USD.
    pub last: f64,
    /// Best bid, USD.
    pub bid: Option<f64>,
    /// Best ask, USD.
    pub ask: Option<f64>,
    /// The provider's published 30-day implied volatility, decimal, if any (CBOE `iv30`).
    pub iv30: Option<f64>,
}

impl Underlying {
    /// The spot used for pricing: mid of a valid two-sided quote, else the last price.
    pub fn spot(&self) -> f64 {
        match (self.bid, self.ask) {
            (Some(b), Some(a)) if b > 0.0 && a >= b => 0.5 * (a + b),
            _ => self.last,
        }
    }
}

/// A whole option chain at one instant, from one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainSnapshot {
    /// The underlying's quote.
    pub underlying: Underlying,
    /// When the quotes are from, with the provider's time zone.
    pub as_of: DateTime<FixedOffset>,
    /// Where the snapshot came from (`cboe`, `tradier`, `demo`, `file:PATH`...).
    pub source: String,
    /// One entry per contract.
    pub quotes: Vec<Quote>,
    /// Rows the provider sent that were dropped while normalizing, with the reason
    /// (e.g. "NVDA261218C00200000: bid is NaN"). Shown to the user as a warning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<String>,
    /// Data-quality notes about the snapshot as a whole (e.g. "Yahoo off-hours data: bid/ask
    /// are zero and IVs are placeholders; provider IVs ignored"). Shown to the user.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ChainSnapshot {
    /// Distinct expiries, ascending.
    pub fn expiries(&self) -> Vec<NaiveDate> {
        let mut v: Vec<NaiveDate> = self.quotes.iter().map(|q| q.contract.expiry).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Quotes of one expiry and right, ascending by strike.
    pub fn side(&self, expiry: NaiveDate, right: Right) -> Vec<&Quote> {
        let mut v: Vec<&Quote> = self
            .quotes
            .iter()
            .filter(|q| q.contract.expiry == expiry && q.contract.right == right)
            .collect();
        v.sort_by(|a, b| a.contract.strike.total_cmp(&b.contract.strike));
        v
    }
}

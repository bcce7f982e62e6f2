//! What the regime report is computed from: plain data, gathered by the caller.
//!
//! The per-expiry readings (forward-ATM IV, the ATM straddle, IV at ±25 delta and at 90 % /
//! 110 % moneyness) come from chain analytics elsewhere; this module only consumes them, so
//! the regime report does not depend on how a chain was fitted. Every reading is optional and
//! a missing one only removes what depends on it (see [`assess`](super::assess)).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::rank::{IvObservation, PublishedRange};
use crate::model::PriceHistory;

/// One expiry's readings from the option chain. Volatilities are decimal fractions, prices USD
/// per share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ExpiryReading {
    /// Expiry date.
    pub expiry: NaiveDate,
    /// Time to expiry, ACT/365 years, from the as-of instant to 16:00 New York on the expiry
    /// date (the caller computes it, as everywhere in ccplan). Must be finite and > 0 for the
    /// expiry to be used.
    pub t: f64,
    /// At-the-money implied volatility at the implied forward, decimal fraction.
    pub atm_iv: Option<f64>,
    /// Price of the ATM straddle (call + put at the strike nearest the forward), USD per share
    /// (mid prices are the usual choice).
    pub atm_straddle: Option<f64>,
    /// IV of the 25-delta put, decimal fraction.
    pub iv_put_25d: Option<f64>,
    /// IV of the 25-delta call, decimal fraction.
    pub iv_call_25d: Option<f64>,
    /// IV at strike = 90 % of spot (or forward, as the analytics define it), decimal fraction.
    pub iv_90: Option<f64>,
    /// IV at strike = 110 % of spot (or forward), decimal fraction.
    pub iv_110: Option<f64>,
}

impl ExpiryReading {
    /// A reading with only the date and time to expiry; fill in what is known.
    pub fn new(expiry: NaiveDate, t: f64) -> Self {
        ExpiryReading {
            expiry,
            t,
            atm_iv: None,
            atm_straddle: None,
            iv_put_25d: None,
            iv_call_25d: None,
            iv_90: None,
            iv_110: None,
        }
    }
}

/// Everything [`assess`](super::assess) reads. Nothing here is fetched by the library: the
/// caller (the CLI) gathers it from providers and the store and passes "now" in `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegimeInputs {
    /// Ticker of the underlying.
    pub symbol: String,
    /// The instant the chain was observed. Its date in its own offset (New York for US
    /// listings) is "today": price history after it is ignored, IV history on or after it is
    /// excluded from the rank window, and days to expiry count from it.
    pub as_of: DateTime<FixedOffset>,
    /// Spot price of the underlying, USD per share; finite and > 0.
    pub spot: f64,
    /// Per-expiry readings, in any order. Expiries with an unusable `t` are skipped with a note.
    pub expiries: Vec<ExpiryReading>,
    /// Daily bars of the underlying, for realized volatility, RSI, MACD and moving averages.
    pub history: Option<PriceHistory>,
    /// The locally stored daily **IV30 (constant maturity)** series of this symbol, decimal
    /// fractions, any order. It must be the same series as the IV30 computed here, or the rank
    /// compares unlike things.
    pub iv_history: Vec<IvObservation>,
    /// The provider's published one-year IV low/high (CBOE's 52-week range of its 30-day IV
    /// index), used for the IV rank until the local store holds enough sessions.
    pub published_range: Option<PublishedRange>,
    /// Next earnings announcement date, if known.
    pub next_earnings: Option<NaiveDate>,
}

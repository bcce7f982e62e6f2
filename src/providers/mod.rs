//! Where chains and price history come from.
//!
//! Each provider lives in its own module behind two small traits, with private wire types and
//! a pure `parse` function that turns the provider's payload into model types. Units are
//! normalized there and nowhere else: decimal IV, ISO dates, float strikes, integer counts,
//! instants with their time zone, greeks in library units.

use chrono::{DateTime, FixedOffset, NaiveDate};

/// The NYSE calendar, from its home on the pricing floor (kept here for existing paths).
pub use crate::pricing::calendar;
pub mod demo;
pub mod file;

use crate::error::Result;
use crate::model::{ChainSnapshot, PriceHistory};

/// Which expiries a chain request wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpiryFilter {
    /// Every listed expiry.
    #[default]
    All,
    /// One expiry date.
    On(NaiveDate),
    /// Expiries between two dates, inclusive.
    Between(NaiveDate, NaiveDate),
}

impl ExpiryFilter {
    /// Whether an expiry passes the filter.
    pub fn accepts(&self, expiry: NaiveDate) -> bool {
        match *self {
            ExpiryFilter::All => true,
            ExpiryFilter::On(d) => expiry == d,
            ExpiryFilter::Between(a, b) => a <= expiry && expiry <= b,
        }
    }
}

/// What a caller asks a chain source for.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainRequest {
    /// Underlying ticker, e.g. `NVDA` or `SPX`.
    pub symbol: String,
    /// Which expiries.
    pub expiries: ExpiryFilter,
    /// "Now" for sources that need one (the demo market, stored snapshots); live sources
    /// report their own as-of instant.
    pub as_of: DateTime<FixedOffset>,
}

/// A source of option chains.
pub trait ChainSource {
    /// Short provider name, as used in `--source`.
    fn name(&self) -> &'static str;
    /// Fetch the chain.
    fn chain(&self, request: &ChainRequest) -> Result<ChainSnapshot>;
}

/// A source of daily price history.
pub trait HistorySource {
    /// Short provider name, as used in `--history`.
    fn name(&self) -> &'static str;
    /// Daily bars for `symbol` from `from` to `to` inclusive.
    fn history(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> Result<PriceHistory>;
}

mod bytes;
pub mod cboe;
pub mod clock;
pub mod fetch;
pub mod http;
pub mod polygon;
pub mod raw;
mod sniff;
pub mod tradier;
mod wire;
pub mod yahoo;

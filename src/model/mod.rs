//! Plain data: contracts and their OCC symbols, quotes, chain snapshots, holdings and price
//! history. No IO, no clock; every type states its units in its docs.

mod chain;
mod contract;
mod events;
mod history;
mod holding;
mod holdings_file;
pub mod tick;

pub use chain::{ChainSnapshot, ProviderGreeks, Quote, Underlying};
pub use contract::{OptionContract, Right};
pub use events::{Dividend, SeriesEvents, SplitEvent};
pub use history::{Adjustment, Bar, PriceHistory};
pub use holding::{CorporateEvents, Holding, Portfolio, WrittenCall};
pub use holdings_file::{parse_holdings, parse_written_call, MAX_SHARES};

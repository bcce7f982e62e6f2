//! The regime report: every reading for one symbol on one day, and the call seller's verdict.
//!
//! [`assess`] is pure: it reads only [`crate::regime::RegimeInputs`] and [`crate::regime::RegimeThresholds`]. Every input but
//! the symbol, the as-of instant and the spot is optional, and a missing one only removes the
//! readings that depend on it, with a note saying so:
//!
//! | missing | lost |
//! |---|---|
//! | ATM IVs | IV30, term slope, IV rank, IV30/HV20, the verdict's class |
//! | price history | realized volatility, IV30/HV20, RSI, MACD, divergences, SMA distances |
//! | IV history and published range | IV rank and percentile |
//! | skew IVs | 25-delta risk reversal, 90/110 moneyness skew |
//!
//! Units: volatilities, IV rank and percentile, skews and SMA distances are decimal fractions
//! (0.25 = 25 %, a skew of 0.03 = 3 vol points); prices and moves are USD per share (`_usd`);
//! time is ACT/365 years (`_years`) or whole calendar days (`_days`); RSI is 0–100.
//! Realized volatility is annualized over 252 sessions, implied over 365 calendar days — each on
//! its own clock, which is what makes IV30 ÷ HV20 a like-for-like ratio (see
//! [`realized`](super::realized)).

mod assess;
mod types;

pub use assess::assess;
pub use types::{
    DivergenceReading, ExpiryRow, Iv30Method, Iv30Reading, IvRankReading, MomentumReading,
    RankSourceKind, RealizedReading, RegimeReport, SkewReading, SlopeReading, SwingReading,
};

//! Notes a plan carries for the user: what was assumed, widened, dropped or missing.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::surface::FallbackReason;

use super::params::ExpiryWindow;

/// Something the user should know about how a suggestion or plan was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Note {
    /// No expiry left in the as-of month; the next month's are shown.
    RolledToNextMonth {
        /// The month shown, `YYYY-MM`.
        month: String,
    },
    /// No listed, unexpired expiry falls in the window.
    NoExpiryInWindow {
        /// The window asked for.
        window: ExpiryWindow,
    },
    /// The forward of an expiry is from the configured rate and dividend yield.
    ForwardFallback {
        /// Expiry.
        expiry: NaiveDate,
        /// Why parity was not used.
        reason: FallbackReason,
    },
    /// Parity gave the forward, but its discount factor was implausible and the configured
    /// rate was used for D.
    DiscountFromRate {
        /// Expiry.
        expiry: NaiveDate,
    },
    /// Call/put pairs rejected as outliers in the parity fit.
    ParityOutliers {
        /// Expiry.
        expiry: NaiveDate,
        /// Their strikes.
        strikes: Vec<f64>,
    },
    /// Quotes dropped from the chain (non-finite or negative prices, duplicates).
    DroppedQuotes {
        /// How many.
        count: usize,
    },
    /// Strikes dropped because a metric came out non-finite.
    NonFiniteMetrics {
        /// How many.
        count: usize,
    },
    /// Every share is already covered by written calls (or coverage rounds to no contract).
    NoUncoveredShares {
        /// Shares held.
        shares: u64,
        /// Contracts already written (unexpired).
        written: u64,
    },
    /// More calls written than the shares cover: the excess is short calls with no stock
    /// behind them (naked), whose loss has no ceiling.
    NakedCalls {
        /// Shares held.
        shares: u64,
        /// Contracts already written (unexpired).
        written: u64,
        /// Contracts beyond what the shares cover.
        naked: u64,
        /// Shares per contract.
        multiplier: u32,
    },
    /// The covered share count (shares × coverage) is under one contract.
    UnderOneContract {
        /// Shares held.
        shares: u64,
        /// Share of the holding to cover, decimal.
        coverage: f64,
        /// Shares per contract.
        multiplier: u32,
    },
    /// No price history: no realized volatility, so no edge.
    NoHistory,
    /// A written call's delta could not be found in the chain; the net delta leaves it out.
    WrittenCallNotInChain {
        /// Its OCC symbol.
        occ: String,
    },
    /// A written call past its expiry instant: it no longer counts against coverage.
    WrittenCallExpired {
        /// Its OCC symbol.
        occ: String,
        /// Its expiry date.
        expiry: NaiveDate,
    },
    /// A holding the plan could not make a suggestion for.
    HoldingSkipped {
        /// Ticker.
        symbol: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::RolledToNextMonth { month } => {
                write!(f, "no expiry left this month, showing next month ({month})")
            }
            Note::NoExpiryInWindow { window } => {
                write!(f, "no listed expiry in the window ({window})")
            }
            Note::ForwardFallback { expiry, reason } => write!(
                f,
                "{expiry}: forward from the configured rate and dividend yield ({reason})"
            ),
            Note::DiscountFromRate { expiry } => write!(
                f,
                "{expiry}: parity forward with the configured rate's discount factor \
                 (the implied rate was implausible)"
            ),
            Note::ParityOutliers { expiry, strikes } => {
                let ks: Vec<String> = strikes.iter().map(|k| k.to_string()).collect();
                write!(
                    f,
                    "{expiry}: call/put pairs rejected from the parity fit at strikes {}",
                    ks.join(", ")
                )
            }
            Note::DroppedQuotes { count } => {
                write!(
                    f,
                    "{count} quotes dropped (non-finite or negative prices, duplicates)"
                )
            }
            Note::NonFiniteMetrics { count } => {
                write!(
                    f,
                    "{count} strikes dropped: a metric was not a finite number"
                )
            }
            Note::NoUncoveredShares { shares, written } => write!(
                f,
                "no uncovered shares: {shares} {}, {written} {} already written",
                plural(*shares, "share", "shares"),
                plural(*written, "call", "calls")
            ),
            Note::NakedCalls {
                shares,
                written,
                naked,
                multiplier,
            } => write!(
                f,
                "SHORT {naked} UNCOVERED {} (naked): {written} {} written against {shares} \
                 {} cover at most {} of {multiplier} shares; buy back {naked} or buy {} shares",
                plural(*naked, "CALL", "CALLS"),
                plural(*written, "call", "calls"),
                plural(*shares, "share", "shares"),
                shares / u64::from((*multiplier).max(1)),
                naked * u64::from(*multiplier)
            ),
            Note::UnderOneContract {
                shares,
                coverage,
                multiplier,
            } => write!(
                f,
                "{shares} {} × {} % coverage is under one contract of {multiplier}: no call to write",
                plural(*shares, "share", "shares"),
                fmt_pct(*coverage)
            ),
            Note::NoHistory => {
                f.write_str("no price history: edge over realized volatility not shown")
            }
            Note::WrittenCallNotInChain { occ } => write!(
                f,
                "written call {occ} not in the chain: left out of the net delta"
            ),
            Note::WrittenCallExpired { occ, expiry } => write!(
                f,
                "written call {occ} expired on {expiry} (16:00 New York): no longer counted \
                 against coverage"
            ),
            Note::HoldingSkipped { symbol, reason } => write!(f, "{symbol} skipped: {reason}"),
        }
    }
}

/// `one` for a count of 1, else `many`.
pub fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// A fraction as a percent number without trailing zeros: 0.5 → "50", 0.125 → "12.5".
fn fmt_pct(x: f64) -> String {
    let s = format!("{:.4}", x * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

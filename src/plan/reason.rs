//! Why a strike was not recommended, and the flags a recommended one carries.
//!
//! Every filter records its own reason on the strike it rejects, with the values it compared,
//! so `--explain` can say "strike 110 is below cost basis 118.50" rather than "filtered".
//! A strike failing several filters carries every reason.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

/// Why a strike was rejected. Money in USD per share, fractions decimal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "filter", rename_all = "snake_case")]
pub enum RejectReason {
    /// No bid (or a zero bid): nothing to sell into.
    NoBid,
    /// Bid above ask.
    Crossed {
        /// Bid.
        bid: f64,
        /// Ask.
        ask: f64,
    },
    /// The premium basis is mid but the quote is not two-sided.
    NoMid,
    /// No implied volatility could be solved, so no probability can be given.
    NoIv,
    /// Strike below the holding's cost basis (a realised loss if called).
    BelowCostBasis {
        /// Strike.
        strike: f64,
        /// Cost basis.
        cost_basis: f64,
    },
    /// Open interest below the minimum (unknown counts as 0).
    MinOpenInterest {
        /// Open interest, contracts.
        open_interest: u64,
        /// Minimum.
        min: u64,
    },
    /// Bid below the minimum.
    MinBid {
        /// Bid.
        bid: f64,
        /// Minimum.
        min: f64,
    },
    /// Spread too wide, or unknown because the quote is one-sided.
    MaxSpread {
        /// (ask − bid) / mid, `None` when one-sided.
        spread: Option<f64>,
        /// Maximum.
        max: f64,
    },
    /// Assignment probability above the maximum.
    MaxAssignment {
        /// N(d2).
        probability: f64,
        /// Maximum.
        max: f64,
    },
    /// Downside cushion below the minimum.
    MinCushion {
        /// P / S.
        cushion: f64,
        /// Minimum.
        min: f64,
    },
    /// Annualized premium yield below the minimum.
    MinAnnualizedYield {
        /// Annualized premium yield.
        annualized_yield: f64,
        /// Minimum.
        min: f64,
    },
    /// An earnings announcement falls on or before expiry and the policy excludes it.
    EarningsBeforeExpiry {
        /// Earnings date.
        earnings: NaiveDate,
        /// Expiry.
        expiry: NaiveDate,
    },
    /// The bid is below the call's intrinsic value max(0, S − K) (negative extrinsic): selling
    /// there gives away money, and the quote is most likely stale or wrong.
    BelowIntrinsic {
        /// Bid.
        bid: f64,
        /// Intrinsic value on spot.
        intrinsic: f64,
    },
    /// The expiry closes today (16:00 New York) and 0-DTE sales are not allowed.
    ExpiresToday {
        /// Expiry.
        expiry: NaiveDate,
    },
    /// An ex-dividend date before expiry where the American model (cash dividend, the
    /// quote's IV) puts the risk-neutral probability of early exercise at or above the
    /// maximum.
    EarlyAssignment {
        /// Ex-dividend date.
        ex_date: NaiveDate,
        /// Dividend at stake, USD per share.
        dividend: f64,
        /// Probability of early exercise before expiry, decimal.
        probability: f64,
        /// The spot just before the ex-date above which exercise is optimal, USD.
        critical_spot: Option<f64>,
        /// The maximum allowed (`--max-early-assignment`), decimal.
        max: f64,
    },
    /// An ex-dividend date before expiry with extrinsic value below the dividend (the rule
    /// used where the quote has no IV for the American model): the call is likely to be
    /// exercised early the day before the ex-date.
    EarlyAssignmentDividend {
        /// Ex-dividend date.
        ex_date: NaiveDate,
        /// Dividend, USD per share.
        dividend: f64,
        /// Extrinsic value, USD per share.
        extrinsic: f64,
    },
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::NoBid => f.write_str("no bid"),
            RejectReason::Crossed { bid, ask } => {
                write!(f, "crossed quote: bid {bid:.2} above ask {ask:.2}")
            }
            RejectReason::NoMid => f.write_str("premium basis is mid but the quote is one-sided"),
            RejectReason::NoIv => f.write_str("no implied volatility could be solved"),
            RejectReason::BelowCostBasis { strike, cost_basis } => {
                write!(f, "strike {strike} is below cost basis {cost_basis:.2}")
            }
            RejectReason::MinOpenInterest { open_interest, min } => {
                write!(
                    f,
                    "open interest {open_interest} is below the minimum {min}"
                )
            }
            RejectReason::MinBid { bid, min } => {
                write!(f, "bid {bid:.2} is below the minimum {min:.2}")
            }
            RejectReason::MaxSpread { spread, max } => match spread {
                Some(s) => write!(
                    f,
                    "spread {:.1} % of mid is above the maximum {:.1} %",
                    s * 100.0,
                    max * 100.0
                ),
                None => write!(
                    f,
                    "spread unknown (one-sided quote), maximum {:.1} %",
                    max * 100.0
                ),
            },
            RejectReason::MaxAssignment { probability, max } => write!(
                f,
                "assignment probability {:.1} % is above the maximum {:.1} %",
                probability * 100.0,
                max * 100.0
            ),
            RejectReason::MinCushion { cushion, min } => write!(
                f,
                "downside cushion {:.2} % is below the minimum {:.2} %",
                cushion * 100.0,
                min * 100.0
            ),
            RejectReason::MinAnnualizedYield {
                annualized_yield,
                min,
            } => write!(
                f,
                "annualized yield {:.1} % is below the minimum {:.1} %",
                annualized_yield * 100.0,
                min * 100.0
            ),
            RejectReason::EarningsBeforeExpiry { earnings, expiry } => {
                write!(f, "earnings on {earnings}, before expiry {expiry}")
            }
            RejectReason::BelowIntrinsic { bid, intrinsic } => write!(
                f,
                "bid {bid:.2} is below the intrinsic value {intrinsic:.2} (negative extrinsic)"
            ),
            RejectReason::ExpiresToday { expiry } => write!(
                f,
                "expires today ({expiry} 16:00 New York); --allow-0dte to sell into it"
            ),
            RejectReason::EarlyAssignment {
                ex_date,
                dividend,
                probability,
                critical_spot,
                max,
            } => {
                write!(
                    f,
                    "ex-dividend {ex_date} ({dividend:.2} at stake): P(early exercise) {:.0} % \
                     ≥ max {:.0} % (American model",
                    probability * 100.0,
                    max * 100.0
                )?;
                if let Some(c) = critical_spot {
                    write!(f, "; exercise optimal above {c:.2} on the eve")?;
                }
                f.write_str(")")
            }
            RejectReason::EarlyAssignmentDividend {
                ex_date,
                dividend,
                extrinsic,
            } => write!(
                f,
                "ex-dividend {ex_date} before expiry: extrinsic {extrinsic:.2} is below the \
                 dividend {dividend:.2}, early assignment likely"
            ),
        }
    }
}

/// Something a recommended candidate should be read with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum CandidateFlag {
    /// Earnings on or before expiry (kept because the earnings policy is "flag").
    EarningsBeforeExpiry {
        /// Earnings date.
        earnings: NaiveDate,
    },
    /// Ex-dividend before expiry, extrinsic still above the dividend.
    ExDividendBeforeExpiry {
        /// Ex-dividend date.
        ex_date: NaiveDate,
    },
    /// Ex-dividend before expiry, read with the American model: the probability of early
    /// exercise (below the maximum), the critical spot on the eve and the dividend at stake.
    EarlyExercise {
        /// Ex-dividend date.
        ex_date: NaiveDate,
        /// Dividend at stake, USD per share.
        dividend: f64,
        /// Probability of early exercise before expiry, decimal.
        probability: f64,
        /// The spot just before the ex-date above which exercise is optimal, USD.
        critical_spot: Option<f64>,
    },
    /// The forward of this expiry is from the configured rate and yield, not parity.
    ForwardFallback,
    /// Volume 0 or no last trade.
    NoTrades,
    /// The last trade is old.
    Stale,
    /// The IV is the bid's (no two-sided market).
    BidIv,
    /// The strike is below the cost basis (allowed by the parameters).
    BelowCostBasis,
    /// Less than a day to expiry (a 0-DTE sale, allowed by the parameters): the annualized
    /// figures are on one day, the floor, and overstate nothing only if the call expires
    /// worthless today.
    UnderOneDay,
}

impl fmt::Display for CandidateFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CandidateFlag::EarningsBeforeExpiry { earnings } => {
                write!(f, "earnings on {earnings} before expiry")
            }
            CandidateFlag::ExDividendBeforeExpiry { ex_date } => {
                write!(f, "ex-dividend {ex_date} before expiry")
            }
            CandidateFlag::EarlyExercise {
                ex_date,
                dividend,
                probability,
                critical_spot,
            } => {
                write!(
                    f,
                    "ex-dividend {ex_date} ({dividend:.2}): P(early exercise) {:.1} %",
                    probability * 100.0
                )?;
                match critical_spot {
                    Some(c) => write!(f, ", optimal above {c:.2} on the eve"),
                    None => f.write_str(", never optimal"),
                }
            }
            CandidateFlag::ForwardFallback => {
                f.write_str("forward from the configured rate, not parity")
            }
            CandidateFlag::NoTrades => f.write_str("no trades today"),
            CandidateFlag::Stale => f.write_str("last trade is stale"),
            CandidateFlag::BidIv => f.write_str("IV from the bid (one-sided market)"),
            CandidateFlag::BelowCostBasis => f.write_str("strike below cost basis"),
            CandidateFlag::UnderOneDay => f.write_str(
                "expires today: under one day left, annualized figures floored at one day",
            ),
        }
    }
}

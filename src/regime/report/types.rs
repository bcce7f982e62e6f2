//! The report's types: what each reading holds and in which units (see [`super`]).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::regime::rank::RangeBreak;
use crate::regime::verdict::{RegimeThresholds, Verdict};

/// Everything the regime command shows, serializable as the JSON output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegimeReport {
    /// Ticker.
    pub symbol: String,
    /// The as-of instant of the chain (RFC 3339 with offset in JSON).
    pub as_of: DateTime<FixedOffset>,
    /// Spot price, USD per share.
    pub spot_usd: f64,
    /// Constant-maturity 30-day ATM IV; `None` without ATM IVs.
    pub iv30: Option<Iv30Reading>,
    /// One row per usable expiry, ascending: ATM IV and expected moves.
    pub term_structure: Vec<ExpiryRow>,
    /// Slope from the front expiry to the one nearest 90 days; `None` with fewer than two
    /// expiries carrying an ATM IV.
    pub term_slope: Option<SlopeReading>,
    /// Skew of the expiry nearest 30 days that carries skew IVs.
    pub skew: Option<SkewReading>,
    /// Realized volatilities; `None` without price history.
    pub realized: Option<RealizedReading>,
    /// IV30 ÷ close-to-close HV20, a plain ratio (> 1: options price more movement than the
    /// stock has shown over the last 20 sessions).
    pub iv30_hv20_ratio: Option<f64>,
    /// IV rank and percentile of IV30 with their source.
    pub iv_rank: Option<IvRankReading>,
    /// RSI, MACD, divergences, SMA distances; `None` without price history.
    pub momentum: Option<MomentumReading>,
    /// Next earnings date, as given.
    pub next_earnings: Option<NaiveDate>,
    /// The call seller's verdict.
    pub verdict: Verdict,
    /// The thresholds the verdict was reached with.
    pub thresholds: RegimeThresholds,
    /// Caveats about the data: what was missing, skipped, extrapolated or stale.
    pub notes: Vec<String>,
}

/// How IV30 was obtained from the term structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Iv30Method {
    /// An expiry sits exactly at 30 days.
    Exact,
    /// Total-variance interpolation between the two expiries bracketing 30 days.
    Interpolated,
    /// Every expiry is beyond 30 days: the first one's IV, carried flat.
    FlatBeforeFirst,
    /// Every expiry is before 30 days: the last one's IV, carried flat.
    FlatAfterLast,
}

/// Constant-maturity 30-day implied volatility.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Iv30Reading {
    /// IV30, decimal fraction.
    pub iv: f64,
    /// How it was obtained.
    pub method: Iv30Method,
    /// The expiries it rests on (two when interpolated, one otherwise).
    pub from_expiries: Vec<NaiveDate>,
}

/// One expiry of the term structure with its expected moves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpiryRow {
    /// Expiry date.
    pub expiry: NaiveDate,
    /// Whole calendar days from the as-of date.
    pub dte_days: i64,
    /// Time to expiry as given, ACT/365 years.
    pub t_years: f64,
    /// ATM implied volatility, decimal fraction.
    pub atm_iv: Option<f64>,
    /// One-sigma move from the ATM IV, S·σ·√T, USD per share.
    pub move_1sd_from_iv_usd: Option<f64>,
    /// ATM straddle price, USD per share: the market's expected *absolute* move.
    pub straddle_usd: Option<f64>,
    /// One-sigma move from the straddle, √(π/2) × straddle, USD per share; comparable with
    /// `move_1sd_from_iv_usd`.
    pub move_1sd_from_straddle_usd: Option<f64>,
    /// 0.85 × straddle, USD per share: the brokers' "expected move" rule of thumb (about 0.68 σ),
    /// for comparison with their screens.
    pub move_085_straddle_usd: Option<f64>,
}

/// ATM term-structure slope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlopeReading {
    /// The front expiry used.
    pub front_expiry: NaiveDate,
    /// Its ATM IV, decimal.
    pub front_iv: f64,
    /// The expiry nearest 90 days.
    pub back_expiry: NaiveDate,
    /// Its ATM IV, decimal.
    pub back_iv: f64,
    /// back − front IV, decimal (0.02 = 2 vol points; negative when inverted).
    pub spread: f64,
    /// spread per year of maturity between the two expiries, decimal per ACT/365 year.
    pub slope_per_year: f64,
    /// Front IV above back IV, by any amount.
    pub backwardation: bool,
}

/// Skew of the ~30-day expiry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkewReading {
    /// The expiry read.
    pub expiry: NaiveDate,
    /// Its days to expiry.
    pub dte_days: i64,
    /// 25-delta put IV, decimal.
    pub iv_put_25d: Option<f64>,
    /// 25-delta call IV, decimal.
    pub iv_call_25d: Option<f64>,
    /// 25-delta put IV − 25-delta call IV, decimal (positive: puts dearer, the usual equity
    /// skew; negative: the market pays up for upside, which helps call premiums and raises
    /// assignment odds).
    pub put_minus_call_25d: Option<f64>,
    /// IV at 90 % moneyness, decimal.
    pub iv_90: Option<f64>,
    /// IV at 110 % moneyness, decimal.
    pub iv_110: Option<f64>,
    /// IV(90 %) − IV(110 %), decimal.
    pub iv_90_minus_110: Option<f64>,
}

/// Annualized realized volatilities (252 sessions per year), decimal fractions; each `None`
/// when the history is too short (a window of n sessions needs n + 1 bars) or, for
/// Yang-Zhang, when a bar of the window lacks open, high or low.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RealizedReading {
    /// Close-to-close, 10 sessions.
    pub hv10: Option<f64>,
    /// Close-to-close, 20 sessions.
    pub hv20: Option<f64>,
    /// Close-to-close, 60 sessions.
    pub hv60: Option<f64>,
    /// Yang-Zhang, 10 sessions.
    pub yang_zhang10: Option<f64>,
    /// Yang-Zhang, 20 sessions.
    pub yang_zhang20: Option<f64>,
    /// Yang-Zhang, 60 sessions.
    pub yang_zhang60: Option<f64>,
    /// Bars available up to the as-of date.
    pub bars: usize,
    /// Date of the last bar used.
    pub last_date: NaiveDate,
}

/// Where the IV rank came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankSourceKind {
    /// The locally stored IV30 series.
    LocalHistory,
    /// The provider's published one-year IV high/low.
    PublishedRange,
}

/// IV rank and percentile of today's IV30.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IvRankReading {
    /// The IV series ranked: always `"iv30"` (constant-maturity 30-day ATM IV) here.
    pub series: &'static str,
    /// Today's IV30, decimal.
    pub iv: f64,
    /// IV rank in `[0, 1]`; `None` for a flat local history equal to today.
    pub rank: Option<f64>,
    /// IV percentile in `[0, 1]` (share of sessions with IV strictly below today's); only from
    /// a local history of at least `min_local_sessions` sessions.
    pub percentile: Option<f64>,
    /// Which data the rank rests on.
    pub source: RankSourceKind,
    /// Sessions the rank rests on when it comes from local history; `None` for a published
    /// range (one year as the provider computes it; its session count is not published).
    pub sessions: Option<usize>,
    /// Sessions in the local window (the past year, at most 252), whatever the source.
    pub local_sessions: usize,
    /// Local sessions needed before the local history is preferred.
    pub min_local_sessions: usize,
    /// Low of the range used, decimal.
    pub low: f64,
    /// High of the range used, decimal.
    pub high: f64,
    /// Today's IV30 outside the local range (local source only).
    pub range_break: Option<RangeBreak>,
    /// Whether the rank voted in the verdict (false for a local history shorter than
    /// `min_local_sessions`, used only because no published range was given).
    pub used_in_verdict: bool,
}

/// One swing point of a divergence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwingReading {
    /// Session date.
    pub date: NaiveDate,
    /// Close, USD per share.
    pub close_usd: f64,
    /// MACD line on that bar, USD per share.
    pub macd_line_usd: f64,
}

/// A price/MACD divergence between two swing points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DivergenceReading {
    /// The earlier swing.
    pub earlier: SwingReading,
    /// The later swing.
    pub later: SwingReading,
}

/// Momentum and trend readings from daily closes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MomentumReading {
    /// Last close, USD per share.
    pub last_close_usd: f64,
    /// Wilder's RSI(14), 0–100.
    pub rsi14: Option<f64>,
    /// MACD(12, 26, 9) line, USD per share.
    pub macd_line_usd: Option<f64>,
    /// MACD signal line, USD per share.
    pub macd_signal_usd: Option<f64>,
    /// MACD histogram (line − signal), USD per share.
    pub macd_histogram_usd: Option<f64>,
    /// Bearish divergence (higher close high, lower MACD high) in the last 60 sessions.
    pub bearish_divergence: Option<DivergenceReading>,
    /// Bullish divergence (lower close low, higher MACD low) in the last 60 sessions.
    pub bullish_divergence: Option<DivergenceReading>,
    /// (last close − SMA50) / SMA50, decimal.
    pub sma50_distance: Option<f64>,
    /// (last close − SMA200) / SMA200, decimal.
    pub sma200_distance: Option<f64>,
}

//! The pure statistics behind the IV-regime reading: how the option market's volatility compares
//! with its own past and with the volatility the stock actually delivers, and what price momentum
//! says.
//!
//! Every function here is pure: it takes slices or model types, never reads the clock, a file or
//! the network, and never panics on bad input — non-finite or out-of-domain values give `None`
//! or an [`Error`](crate::Error).
//!
//! Units and conventions (see `design.md`):
//!
//! * Volatilities are annualized decimal fractions (0.25 is 25 %).
//! * **Realized** volatility is annualized with **252 trading sessions per year**, because it is
//!   measured on daily bars ([`TRADING_DAYS_PER_YEAR`]). **Option time** (term structure,
//!   expected move) is ACT/365 in years, as everywhere else in ccplan. The two are different on
//!   purpose: a daily return spans one session, an option's life spans calendar time.
//! * IV rank and IV percentile are fractions in `[0, 1]`, not percent.
//! * RSI is on its conventional 0–100 scale; MACD is in price units (USD per share).
//!
//! Modules, one idea each:
//!
//! * [`realized`] — close-to-close and Yang-Zhang realized volatility (from [`crate::stats`]).
//! * [`rank`] — IV rank and IV percentile over the past 252 sessions, with a fallback to a
//!   published one-year high/low.
//! * [`rsi`](mod@rsi) — Wilder's RSI.
//! * [`macd`] — SMA-seeded EMAs and MACD(12, 26, 9).
//! * [`divergence`] — price/MACD divergences at swing highs and lows.
//! * [`averages`] — distance of the last close from its 50- and 200-session SMAs.
//! * [`term`] — constant-maturity IV30 by variance interpolation, term slope, backwardation.
//! * [`expected_move`] — one-sigma move from an IV or from an ATM straddle.
//!
//! On top of them, the regime report for one symbol:
//!
//! * [`inputs`] — [`RegimeInputs`], plain per-expiry readings, history and events gathered by
//!   the caller (no dependency on how a chain was fitted).
//! * [`verdict`] — [`RegimeThresholds`] and the rules for rich / normal / thin and the caution
//!   flags.
//! * [`report`] — [`assess`], the pure function from inputs to a serializable [`RegimeReport`].
//! * [`render`] — the one verdict line and the rows for table, CSV and Markdown output.

pub mod averages;
pub mod divergence;
pub mod expected_move;
pub mod inputs;
pub mod macd;
pub mod rank;
pub use crate::stats::realized;
pub mod render;
pub mod report;
pub mod rsi;
pub mod term;
pub mod verdict;

pub use averages::{distance_from_sma, sma, MovingAverageDistances};
pub use divergence::{
    find_divergences, Divergence, DivergenceKind, DivergenceParams, DivergenceScan, SwingPoint,
};
pub use expected_move::{
    expected_move_from_iv, expected_move_from_straddle, StraddleMove, StraddleRule,
};
pub use inputs::{ExpiryReading, RegimeInputs};
pub use macd::{ema_series, macd_series, Macd, MacdParams};
pub use rank::{
    iv_rank_from_range, iv_rank_with_fallback, iv_standing, IvObservation, IvStanding,
    PublishedRange, RangeBreak, RankReading, RankSource, IV_LOOKBACK_SESSIONS,
};
pub use realized::{close_to_close_vol, log_returns, yang_zhang_vol, TRADING_DAYS_PER_YEAR};
pub use report::{
    assess, DivergenceReading, ExpiryRow, Iv30Method, Iv30Reading, IvRankReading, MomentumReading,
    RankSourceKind, RealizedReading, RegimeReport, SkewReading, SlopeReading, SwingReading,
};
pub use rsi::{rsi, rsi_series, RSI_PERIOD};
pub use term::{
    backwardation, constant_maturity_iv, iv30, term_slope, CmMethod, ConstantMaturityIv, TermPoint,
    TermSlope, IV30_YEARS,
};
pub use verdict::{classify, Caution, CautionKind, Premiums, RegimeThresholds, Signal, Verdict};

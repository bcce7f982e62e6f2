//! IV rank and IV percentile: where today's implied volatility sits within its own past year.
//!
//! Per the design (`design.md`), over the past 252 sessions:
//!
//! * **IV rank** = (IV − min) / (max − min) — position within the year's range. One extreme day
//!   moves it a lot.
//! * **IV percentile** = the share of those sessions whose IV was **strictly below** today's —
//!   how often the IV has been lower. Robust to a single spike.
//!
//! Both are fractions in `[0, 1]`. Always say which IV series fed them (IV30 constant maturity
//! by default); this module does not know, the caller labels it.
//!
//! ## The window
//!
//! The window is the IV observations dated **strictly before** the as-of date and **no more than
//! 365 calendar days before it**, of which at most the latest [`IV_LOOKBACK_SESSIONS`] (252) are
//! used. Today's own value is never part of the window. Missing days (gaps in the stored
//! series, holidays, observations with a non-finite or negative IV) are simply absent: a gap
//! shrinks the window instead of reaching further back than a year, and [`IvStanding::sessions`]
//! reports how many sessions the reading actually rests on (252 for a full year of data).
//!
//! ## Edge cases, as defined here
//!
//! * **Today outside the historical range**: the rank is clamped to `[0, 1]` — equivalently, min
//!   and max are taken over the window *and* today — and [`IvStanding::range_break`] says whether
//!   today set a new high or a new low. The percentile is then exactly 1 (new high) or 0 (new low).
//! * **Flat history** (max = min over the window): if today equals that value there is no range
//!   to rank within and the rank is `None`; the percentile is 0 (no session was strictly lower).
//!   If today differs, it is outside the range and the rank is 1 or 0 as above.
//! * **One session**: the same rules with a one-element window; `sessions` is 1 and the caller
//!   should not lean on it.
//! * **No usable session**: an error. So is a non-finite or negative IV today.
//! * **Short local history**: [`iv_rank_with_fallback`] uses a published one-year high/low (for
//!   example CBOE's 52-week IV high/low) when the local window has fewer sessions than the
//!   caller's minimum, and says which source it used.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The number of sessions the IV rank and percentile look back over (one trading year).
pub const IV_LOOKBACK_SESSIONS: usize = 252;

/// Calendar days that bound the look-back window (one year), whatever the number of sessions.
const LOOKBACK_CALENDAR_DAYS: u64 = 365;

/// One day's implied volatility (decimal fraction, e.g. IV30 constant maturity).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IvObservation {
    /// Session date.
    pub date: NaiveDate,
    /// Implied volatility, decimal fraction.
    pub iv: f64,
}

/// Whether today's IV lies outside the window's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeBreak {
    /// Today's IV is above every session in the window (a new one-year high).
    AboveMax,
    /// Today's IV is below every session in the window (a new one-year low).
    BelowMin,
}

/// Today's IV placed within its past year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IvStanding {
    /// Today's IV, decimal fraction.
    pub iv: f64,
    /// IV rank in `[0, 1]`, clamped when today is outside the range; `None` when the window is
    /// flat and today equals it.
    pub rank: Option<f64>,
    /// IV percentile in `[0, 1]`: share of the window's sessions with IV strictly below today's.
    pub percentile: f64,
    /// Lowest IV in the window (today excluded).
    pub min: f64,
    /// Highest IV in the window (today excluded).
    pub max: f64,
    /// How many sessions the reading rests on (at most [`IV_LOOKBACK_SESSIONS`]).
    pub sessions: usize,
    /// Date of the oldest session used.
    pub first_date: NaiveDate,
    /// Date of the newest session used.
    pub last_date: NaiveDate,
    /// Set when today's IV is outside `[min, max]`.
    pub range_break: Option<RangeBreak>,
}

impl IvStanding {
    /// True when the window holds a full [`IV_LOOKBACK_SESSIONS`] sessions.
    pub fn is_full_year(&self) -> bool {
        self.sessions >= IV_LOOKBACK_SESSIONS
    }
}

/// IV rank and percentile of `iv_today` (decimal) against `history`, as of `as_of`.
///
/// `history` may be in any order and may contain gaps, duplicates of a date (the last one in
/// slice order wins), non-finite or negative values (skipped) and observations on or after
/// `as_of` (ignored). See the module docs for the window and the edge cases.
///
/// Errors: `iv_today` not finite or negative; no usable observation in the window.
///
/// ```
/// use ccplan::regime::{iv_standing, IvObservation};
/// use chrono::NaiveDate;
/// let d = |day| NaiveDate::from_ymd_opt(2024, 3, day).unwrap();
/// let history = [
///     IvObservation { date: d(1), iv: 0.20 },
///     IvObservation { date: d(4), iv: 0.40 },
///     IvObservation { date: d(5), iv: 0.30 },
///     IvObservation { date: d(6), iv: 0.25 },
/// ];
/// let s = iv_standing(0.35, &history, d(7)).unwrap();
/// assert!((s.rank.unwrap() - 0.75).abs() < 1e-12); // (0.35 − 0.20) / (0.40 − 0.20)
/// assert_eq!(s.percentile, 0.75);                  // 3 of 4 sessions below 0.35
/// assert_eq!(s.sessions, 4);
/// ```
pub fn iv_standing(
    iv_today: f64,
    history: &[IvObservation],
    as_of: NaiveDate,
) -> Result<IvStanding> {
    if !(iv_today.is_finite() && iv_today >= 0.0) {
        return Err(Error::invalid(
            "implied volatility today",
            iv_today,
            "a finite decimal fraction ≥ 0",
        ));
    }
    let window = window(history, as_of);
    let (first, last) = match (window.first(), window.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => {
            let latest = history
                .iter()
                .filter(|o| o.iv.is_finite() && o.iv >= 0.0)
                .map(|o| o.date)
                .max();
            let given = match (history.len(), latest) {
                (0, _) => "no sessions given".to_string(),
                (n, None) => format!("{n} session(s) given, none with a finite IV ≥ 0"),
                (n, Some(d)) => format!("{n} session(s) given, the latest usable on {d}"),
            };
            return Err(Error::invalid(
                "IV history",
                format!("no finite IV in the year before {as_of} ({given})"),
                "at least one session with a finite IV ≥ 0 before the as-of date",
            ));
        }
    };
    let min = window.iter().map(|o| o.iv).fold(f64::INFINITY, f64::min);
    let max = window
        .iter()
        .map(|o| o.iv)
        .fold(f64::NEG_INFINITY, f64::max);
    let below = window.iter().filter(|o| o.iv < iv_today).count();
    let sessions = window.len();
    let percentile = below as f64 / sessions as f64;

    let range_break = if iv_today > max {
        Some(RangeBreak::AboveMax)
    } else if iv_today < min {
        Some(RangeBreak::BelowMin)
    } else {
        None
    };
    let rank = match range_break {
        Some(RangeBreak::AboveMax) => Some(1.0),
        Some(RangeBreak::BelowMin) => Some(0.0),
        None if max > min => Some(((iv_today - min) / (max - min)).clamp(0.0, 1.0)),
        None => None,
    };
    Ok(IvStanding {
        iv: iv_today,
        rank,
        percentile,
        min,
        max,
        sessions,
        first_date: first.date,
        last_date: last.date,
        range_break,
    })
}

/// The usable window: finite IV ≥ 0, dated in [as_of − 365 days, as_of), one per date (last in
/// slice order wins), ascending, at most the latest 252.
fn window(history: &[IvObservation], as_of: NaiveDate) -> Vec<IvObservation> {
    let start = as_of
        .checked_sub_days(Days::new(LOOKBACK_CALENDAR_DAYS))
        .unwrap_or(NaiveDate::MIN);
    let mut obs: Vec<(usize, IvObservation)> = history
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, o)| o.iv.is_finite() && o.iv >= 0.0 && o.date >= start && o.date < as_of)
        .collect();
    // Stable sort by date, then keep the last of each date in slice order.
    obs.sort_by_key(|(i, o)| (o.date, *i));
    let mut out: Vec<IvObservation> = Vec::with_capacity(obs.len());
    for (_, o) in obs {
        match out.last_mut() {
            Some(last) if last.date == o.date => *last = o,
            _ => out.push(o),
        }
    }
    let excess = out.len().saturating_sub(IV_LOOKBACK_SESSIONS);
    out.drain(..excess);
    out
}

/// A published one-year IV range, e.g. CBOE's 52-week high and low of a stock's 30-day IV
/// index. Decimal fractions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PublishedRange {
    /// One-year low, decimal.
    pub low: f64,
    /// One-year high, decimal.
    pub high: f64,
}

/// IV rank from a published one-year low and high: (IV − low) / (high − low), clamped to
/// `[0, 1]` (the published range may be a day stale, so today can sit just outside it).
///
/// Errors: any value not finite or negative, `high < low`, or `high == low` (no range).
pub fn iv_rank_from_range(iv_today: f64, range: PublishedRange) -> Result<f64> {
    let PublishedRange { low, high } = range;
    for (what, v) in [
        ("implied volatility today", iv_today),
        ("published IV low", low),
        ("published IV high", high),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(Error::invalid(what, v, "a finite decimal fraction ≥ 0"));
        }
    }
    if high <= low {
        return Err(Error::invalid(
            "published IV range",
            format!("low {low}, high {high}"),
            "high strictly above low",
        ));
    }
    Ok(((iv_today - low) / (high - low)).clamp(0.0, 1.0))
}

/// Where an IV rank came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RankSource {
    /// The locally stored IV series; the standing carries the percentile too.
    LocalHistory(IvStanding),
    /// A published one-year high/low, used because the local window had only `local_sessions`
    /// sessions (fewer than asked). No percentile is available from a range.
    PublishedRange {
        /// The range used.
        range: PublishedRange,
        /// Sessions in the local window (0 when there was none).
        local_sessions: usize,
    },
}

/// An IV rank together with its source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankReading {
    /// IV rank in `[0, 1]`; `None` only for a flat local history equal to today.
    pub rank: Option<f64>,
    /// Which data the rank rests on.
    pub source: RankSource,
}

/// IV rank from the local history when it holds at least `min_sessions` sessions, otherwise
/// from `published` (when given), otherwise from the short local history anyway.
///
/// Caveat: a published range (CBOE's) is usually of the provider's own 30-day IV index, not of
/// ccplan's IV30; the two are close but not the same series. The source is returned so the CLI
/// can say so.
///
/// Errors: as [`iv_standing`] when the local history is used, as [`iv_rank_from_range`] when the
/// published range is used; an error when neither is usable.
pub fn iv_rank_with_fallback(
    iv_today: f64,
    history: &[IvObservation],
    as_of: NaiveDate,
    published: Option<PublishedRange>,
    min_sessions: usize,
) -> Result<RankReading> {
    let local = iv_standing(iv_today, history, as_of);
    let local_sessions = local.as_ref().map(|s| s.sessions).unwrap_or(0);
    match (local, published) {
        (Ok(standing), _) if standing.sessions >= min_sessions => Ok(RankReading {
            rank: standing.rank,
            source: RankSource::LocalHistory(standing),
        }),
        (local, Some(range)) => match iv_rank_from_range(iv_today, range) {
            Ok(rank) => Ok(RankReading {
                rank: Some(rank),
                source: RankSource::PublishedRange {
                    range,
                    local_sessions,
                },
            }),
            Err(e) => match local {
                Ok(standing) => Ok(RankReading {
                    rank: standing.rank,
                    source: RankSource::LocalHistory(standing),
                }),
                Err(_) => Err(e),
            },
        },
        (local, None) => local.map(|standing| RankReading {
            rank: standing.rank,
            source: RankSource::LocalHistory(standing),
        }),
    }
}

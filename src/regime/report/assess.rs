//! Building the report from its inputs: each reading, and what a missing input costs.

use chrono::NaiveDate;

use super::types::*;
use crate::error::{Error, Result};
use crate::model::{Bar, PriceHistory};
use crate::regime::averages::distance_from_sma;
use crate::regime::divergence::{find_divergences, Divergence, DivergenceParams};
use crate::regime::expected_move::{
    expected_move_from_iv, expected_move_from_straddle, StraddleRule,
};
use crate::regime::inputs::{ExpiryReading, RegimeInputs};
use crate::regime::macd::{macd_series, MacdParams};
use crate::regime::rank::{iv_rank_with_fallback, RankSource};
use crate::regime::realized::{close_to_close_vol, yang_zhang_vol};
use crate::regime::rsi::{rsi, RSI_PERIOD};
use crate::regime::term::{iv30, term_slope, CmMethod, TermPoint, IV30_YEARS};
use crate::regime::verdict::{verdict, RegimeThresholds, VerdictFacts};

/// Calendar days in an ACT/365 year.
const DAYS_PER_YEAR: f64 = 365.0;
/// The skew expiry is "about 30 days" within this many days of 30; further off, a note says so.
const SKEW_DAYS_TOLERANCE: f64 = 14.0;
/// A price history whose last bar is more than this many calendar days before the as-of date is
/// flagged as stale in the notes (a long weekend with a holiday is 4 days).
const STALE_HISTORY_DAYS: i64 = 5;

/// Build the regime report for one symbol (see the module docs for what degrades how).
///
/// Errors only on inputs that make the whole report meaningless: invalid thresholds
/// ([`RegimeThresholds::validate`]) or a spot that is not finite and > 0. Bad individual
/// readings (a NaN IV, an expired expiry, a duplicate date) are skipped with a note.
pub fn assess(inputs: &RegimeInputs, thresholds: &RegimeThresholds) -> Result<RegimeReport> {
    thresholds.validate()?;
    let spot = inputs.spot;
    if !(spot.is_finite() && spot > 0.0) {
        return Err(Error::invalid("spot", spot, "a finite price > 0"));
    }
    let today = inputs.as_of.date_naive();
    let mut notes = Vec::new();

    let expiries = usable_expiries(&inputs.expiries, today, &mut notes);
    let term_structure: Vec<ExpiryRow> = expiries
        .iter()
        .map(|e| expiry_row(e, spot, today))
        .collect();
    if inputs.expiries.is_empty() {
        notes.push("no expiries given: no IV30, term structure, skew or IV rank".to_string());
    }

    let points = term_points(&expiries, thresholds.min_expiry_days, &mut notes);
    let iv30_reading = iv30_reading(&expiries, &points, &mut notes);
    let term_slope = slope_reading(&expiries, &points, &mut notes);
    let skew = skew_reading(&expiries, today, &mut notes);

    let history = history_until(inputs, today, &mut notes);
    let realized = history.as_ref().and_then(realized_reading);
    let momentum = history
        .as_ref()
        .and_then(|h| momentum_reading(h, &mut notes));
    if let Some(r) = &realized {
        note_short_history(r, &mut notes);
    }

    let hv20 = realized.as_ref().and_then(|r| r.hv20);
    let iv30 = iv30_reading.as_ref().map(|r| r.iv);
    let iv30_hv20_ratio = match (iv30, hv20) {
        (Some(iv), Some(hv)) if hv > 0.0 => Some(iv / hv).filter(|r| r.is_finite()),
        (Some(_), Some(_)) => {
            notes.push("HV20 is zero (flat closes): no IV30/HV20 ratio".to_string());
            None
        }
        _ => None,
    };
    let iv_rank = iv30.and_then(|iv| rank_reading(iv, inputs, today, thresholds, &mut notes));

    let horizon = earnings_horizon(&expiries, today);
    let verdict = verdict(&VerdictFacts {
        iv30,
        iv30_hv20_ratio,
        hv20,
        iv_rank: iv_rank.as_ref(),
        term_slope: term_slope.as_ref(),
        momentum: momentum.as_ref(),
        next_earnings: inputs.next_earnings,
        today,
        horizon,
        thresholds,
    });

    Ok(RegimeReport {
        symbol: inputs.symbol.clone(),
        as_of: inputs.as_of,
        spot_usd: spot,
        iv30: iv30_reading,
        term_structure,
        term_slope,
        skew,
        realized,
        iv30_hv20_ratio,
        iv_rank,
        momentum,
        next_earnings: inputs.next_earnings,
        verdict,
        thresholds: *thresholds,
        notes,
    })
}

/// A volatility that can be used: finite and > 0.
fn vol(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite() && *x > 0.0)
}

fn days(t: f64) -> f64 {
    t * DAYS_PER_YEAR
}

fn dte(expiry: NaiveDate, today: NaiveDate) -> i64 {
    (expiry - today).num_days()
}

/// Expiries with a finite t > 0 dated today or later, one per date (the first given wins),
/// ascending by date.
fn usable_expiries(
    given: &[ExpiryReading],
    today: NaiveDate,
    notes: &mut Vec<String>,
) -> Vec<ExpiryReading> {
    let mut out: Vec<ExpiryReading> = Vec::with_capacity(given.len());
    for e in given {
        if !(e.t.is_finite() && e.t > 0.0) || e.expiry < today {
            notes.push(format!(
                "expiry {} skipped: time to expiry {} years is not > 0 as of {today}",
                e.expiry, e.t
            ));
        } else if out.iter().any(|o| o.expiry == e.expiry) {
            notes.push(format!(
                "expiry {} given twice: the first reading is used",
                e.expiry
            ));
        } else {
            if e.atm_iv.is_some() && vol(e.atm_iv).is_none() {
                notes.push(format!(
                    "expiry {}: ATM IV {:?} is not a volatility > 0, ignored",
                    e.expiry, e.atm_iv
                ));
            }
            out.push(*e);
        }
    }
    out.sort_by_key(|e| e.expiry);
    out
}

fn expiry_row(e: &ExpiryReading, spot: f64, today: NaiveDate) -> ExpiryRow {
    let atm_iv = vol(e.atm_iv);
    let straddle = e.atm_straddle.filter(|s| s.is_finite() && *s >= 0.0);
    let from_straddle = |rule| {
        straddle
            .and_then(|s| expected_move_from_straddle(s, rule).ok())
            .map(|m| m.value)
    };
    ExpiryRow {
        expiry: e.expiry,
        dte_days: dte(e.expiry, today),
        t_years: e.t,
        atm_iv,
        move_1sd_from_iv_usd: atm_iv.and_then(|iv| expected_move_from_iv(spot, iv, e.t).ok()),
        straddle_usd: straddle,
        move_1sd_from_straddle_usd: from_straddle(StraddleRule::OneSigma),
        move_085_straddle_usd: from_straddle(StraddleRule::Scaled085),
    }
}

/// (t, ATM IV) of the expiries at least `min_days` out; all of them, with a note, when none is.
/// Points sharing a t (distinct dates given the same t by a caller's bug) keep the first.
fn term_points(
    expiries: &[ExpiryReading],
    min_days: f64,
    notes: &mut Vec<String>,
) -> Vec<TermPoint> {
    let mut all: Vec<TermPoint> = Vec::new();
    for e in expiries {
        if let Some(iv) = vol(e.atm_iv) {
            if all.iter().any(|p| p.t == e.t) {
                notes.push(format!(
                    "expiry {} has the same time to expiry as an earlier one: left out of the term structure",
                    e.expiry
                ));
            } else {
                all.push(TermPoint { t: e.t, iv });
            }
        }
    }
    if all.is_empty() {
        if !expiries.is_empty() {
            notes.push(
                "no expiry carries a usable ATM IV: no IV30, term slope or IV rank".to_string(),
            );
        }
        return all;
    }
    let long: Vec<TermPoint> = all
        .iter()
        .copied()
        .filter(|p| days(p.t) >= min_days)
        .collect();
    if long.is_empty() {
        notes.push(format!(
            "every expiry with an ATM IV is under {min_days} days: IV30 and the term slope use them anyway (noisy)"
        ));
        all
    } else {
        if long.len() < all.len() {
            notes.push(format!(
                "expiries under {min_days} days left out of IV30 and the term slope: {}",
                all.len() - long.len()
            ));
        }
        long
    }
}

fn expiry_at(expiries: &[ExpiryReading], p: TermPoint) -> Option<NaiveDate> {
    expiries.iter().find(|e| e.t == p.t).map(|e| e.expiry)
}

fn iv30_reading(
    expiries: &[ExpiryReading],
    points: &[TermPoint],
    notes: &mut Vec<String>,
) -> Option<Iv30Reading> {
    if points.is_empty() {
        return None;
    }
    let cm = match iv30(points) {
        Ok(cm) => cm,
        Err(e) => {
            notes.push(format!("no IV30: {e}"));
            return None;
        }
    };
    let (method, used) = match cm.method {
        CmMethod::Exact(p) => (Iv30Method::Exact, vec![p]),
        CmMethod::Interpolated { lower, upper } => (Iv30Method::Interpolated, vec![lower, upper]),
        CmMethod::FlatBeforeFirst(p) => (Iv30Method::FlatBeforeFirst, vec![p]),
        CmMethod::FlatAfterLast(p) => (Iv30Method::FlatAfterLast, vec![p]),
    };
    let from_expiries: Vec<NaiveDate> = used
        .iter()
        .filter_map(|p| expiry_at(expiries, *p))
        .collect();
    if cm.method.is_extrapolated() {
        let which = from_expiries
            .first()
            .map_or_else(String::new, |d| format!(" from {d}"));
        notes.push(format!(
            "IV30 is carried flat{which}: no pair of expiries brackets 30 days"
        ));
    }
    Some(Iv30Reading {
        iv: cm.iv,
        method,
        from_expiries,
    })
}

fn slope_reading(
    expiries: &[ExpiryReading],
    points: &[TermPoint],
    notes: &mut Vec<String>,
) -> Option<SlopeReading> {
    if points.len() < 2 {
        if !points.is_empty() {
            notes.push("only one expiry with an ATM IV: no term slope".to_string());
        }
        return None;
    }
    let s = match term_slope(points) {
        Ok(s) => s,
        Err(e) => {
            notes.push(format!("no term slope: {e}"));
            return None;
        }
    };
    let (front_expiry, back_expiry) = (expiry_at(expiries, s.front)?, expiry_at(expiries, s.back)?);
    let back_days = days(s.back.t);
    if (back_days - 90.0).abs() > 30.0 {
        notes.push(format!(
            "term slope measured to {back_expiry} ({back_days:.0} days): no expiry near 90 days"
        ));
    }
    Some(SlopeReading {
        front_expiry,
        front_iv: s.front.iv,
        back_expiry,
        back_iv: s.back.iv,
        spread: s.spread,
        slope_per_year: s.slope_per_year,
        backwardation: s.backwardation,
    })
}

/// The expiry nearest `target` years among those passing `keep` (ties go to the shorter).
fn nearest(
    expiries: &[ExpiryReading],
    target: f64,
    keep: impl Fn(&ExpiryReading) -> bool,
) -> Option<ExpiryReading> {
    expiries
        .iter()
        .filter(|e| keep(e))
        .min_by(|a, b| {
            (a.t - target)
                .abs()
                .total_cmp(&(b.t - target).abs())
                .then(a.t.total_cmp(&b.t))
        })
        .copied()
}

fn skew_reading(
    expiries: &[ExpiryReading],
    today: NaiveDate,
    notes: &mut Vec<String>,
) -> Option<SkewReading> {
    let has_25d = |e: &ExpiryReading| vol(e.iv_put_25d).is_some() && vol(e.iv_call_25d).is_some();
    let has_mny = |e: &ExpiryReading| vol(e.iv_90).is_some() && vol(e.iv_110).is_some();
    let Some(e) = nearest(expiries, IV30_YEARS, |e| has_25d(e) || has_mny(e)) else {
        if !expiries.is_empty() {
            notes.push("no expiry carries a pair of skew IVs: no skew reading".to_string());
        }
        return None;
    };
    let d = days(e.t);
    if (d - 30.0).abs() > SKEW_DAYS_TOLERANCE {
        notes.push(format!(
            "skew read on {} ({d:.0} days): no expiry with skew IVs near 30 days",
            e.expiry
        ));
    }
    let (put, call, i90, i110) = (
        vol(e.iv_put_25d),
        vol(e.iv_call_25d),
        vol(e.iv_90),
        vol(e.iv_110),
    );
    Some(SkewReading {
        expiry: e.expiry,
        dte_days: dte(e.expiry, today),
        iv_put_25d: put,
        iv_call_25d: call,
        put_minus_call_25d: put.zip(call).map(|(p, c)| p - c),
        iv_90: i90,
        iv_110: i110,
        iv_90_minus_110: i90.zip(i110).map(|(a, b)| a - b),
    })
}

/// The history up to the as-of date, or `None` (with a note) when absent or empty.
fn history_until(
    inputs: &RegimeInputs,
    today: NaiveDate,
    notes: &mut Vec<String>,
) -> Option<PriceHistory> {
    let Some(h) = &inputs.history else {
        notes.push(
            "no price history: no realized volatility, IV30/HV20, RSI, MACD or moving averages"
                .to_string(),
        );
        return None;
    };
    if !h.symbol.eq_ignore_ascii_case(&inputs.symbol) {
        notes.push(format!(
            "price history is labelled {:?}, the report is for {:?}",
            h.symbol, inputs.symbol
        ));
    }
    let h = h.until(today);
    let Some(last) = h.bars.last() else {
        notes.push(format!(
            "price history has no bar on or before {today}: no realized volatility or momentum"
        ));
        return None;
    };
    let age = (today - last.date).num_days();
    if age > STALE_HISTORY_DAYS {
        notes.push(format!(
            "price history ends on {} ({age} days before {today}): realized readings are stale",
            last.date
        ));
    }
    Some(h)
}

fn realized_reading(h: &PriceHistory) -> Option<RealizedReading> {
    let last_date = h.bars.last()?.date;
    let closes = h.closes();
    let bars: &[Bar] = &h.bars;
    Some(RealizedReading {
        hv10: close_to_close_vol(&closes, 10),
        hv20: close_to_close_vol(&closes, 20),
        hv60: close_to_close_vol(&closes, 60),
        yang_zhang10: yang_zhang_vol(bars, 10),
        yang_zhang20: yang_zhang_vol(bars, 20),
        yang_zhang60: yang_zhang_vol(bars, 60),
        bars: bars.len(),
        last_date,
    })
}

fn note_short_history(r: &RealizedReading, notes: &mut Vec<String>) {
    let mut missing = Vec::new();
    if r.hv20.is_none() {
        missing.push("HV20 (21 bars)");
    }
    if r.hv60.is_none() {
        missing.push("HV60 (61 bars)");
    }
    if r.bars < 35 {
        missing.push("MACD signal (34 bars)");
    }
    if r.bars < 200 {
        missing.push("SMA200 (200 bars)");
    }
    if !missing.is_empty() {
        notes.push(format!(
            "price history has {} bars: too short for {}",
            r.bars,
            missing.join(", ")
        ));
    }
    if r.hv20.is_some() && r.yang_zhang20.is_none() {
        notes.push("no open/high/low on every recent bar: Yang-Zhang volatility missing".into());
    }
}

fn swing(h: &PriceHistory, index: usize, close: f64, macd: f64) -> Option<SwingReading> {
    Some(SwingReading {
        date: h.bars.get(index)?.date,
        close_usd: close,
        macd_line_usd: macd,
    })
}

fn divergence_reading(h: &PriceHistory, d: Option<Divergence>) -> Option<DivergenceReading> {
    let d = d?;
    Some(DivergenceReading {
        earlier: swing(h, d.earlier.index, d.earlier.close, d.earlier.macd)?,
        later: swing(h, d.later.index, d.later.close, d.later.macd)?,
    })
}

fn momentum_reading(h: &PriceHistory, notes: &mut Vec<String>) -> Option<MomentumReading> {
    let closes = h.closes();
    let last_close = *closes.last()?;
    if !(last_close.is_finite() && last_close > 0.0) {
        notes.push(format!(
            "last close {last_close} is not a price: no RSI, MACD or moving averages"
        ));
        return None;
    }
    let last = macd_series(&closes, MacdParams::default()).map(|m| {
        let at_end = |v: &[Option<f64>]| v.last().copied().flatten();
        (at_end(&m.line), at_end(&m.signal), at_end(&m.histogram))
    });
    let (macd_line, macd_signal, macd_hist) = last.unwrap_or((None, None, None));
    let scan = find_divergences(&closes, DivergenceParams::default()).unwrap_or_default();
    let rsi14 = rsi(&closes, RSI_PERIOD);
    if rsi14.is_none() {
        notes.push(format!(
            "RSI({RSI_PERIOD}) needs {} closes; history has {}",
            RSI_PERIOD + 1,
            closes.len()
        ));
    }
    Some(MomentumReading {
        last_close_usd: last_close,
        rsi14,
        macd_line_usd: macd_line,
        macd_signal_usd: macd_signal,
        macd_histogram_usd: macd_hist,
        bearish_divergence: divergence_reading(h, scan.bearish),
        bullish_divergence: divergence_reading(h, scan.bullish),
        sma50_distance: distance_from_sma(&closes, 50),
        sma200_distance: distance_from_sma(&closes, 200),
    })
}

fn rank_reading(
    iv: f64,
    inputs: &RegimeInputs,
    today: NaiveDate,
    th: &RegimeThresholds,
    notes: &mut Vec<String>,
) -> Option<IvRankReading> {
    if inputs.iv_history.is_empty() && inputs.published_range.is_none() {
        notes.push("no local IV30 history and no published IV range: no IV rank".to_string());
        return None;
    }
    let reading = match iv_rank_with_fallback(
        iv,
        &inputs.iv_history,
        today,
        inputs.published_range,
        th.min_local_sessions,
    ) {
        Ok(r) => r,
        Err(e) => {
            notes.push(format!("no IV rank: {e}"));
            return None;
        }
    };
    let out = match reading.source {
        RankSource::LocalHistory(s) => {
            let enough = s.sessions >= th.min_local_sessions;
            if !enough {
                notes.push(format!(
                    "IV rank rests on only {} local sessions (needs {}) and no published range was given: shown, not used in the verdict",
                    s.sessions, th.min_local_sessions
                ));
            } else if !s.is_full_year() {
                notes.push(format!(
                    "IV rank and percentile rest on {} local sessions, less than a full year (252)",
                    s.sessions
                ));
            }
            IvRankReading {
                series: "iv30",
                iv,
                rank: reading.rank,
                percentile: enough.then_some(s.percentile),
                source: RankSourceKind::LocalHistory,
                sessions: Some(s.sessions),
                local_sessions: s.sessions,
                min_local_sessions: th.min_local_sessions,
                low: s.min,
                high: s.max,
                range_break: s.range_break,
                used_in_verdict: enough && reading.rank.is_some(),
            }
        }
        RankSource::PublishedRange {
            range,
            local_sessions,
        } => {
            notes.push(format!(
                "IV rank from the provider's published one-year range (its own 30-day IV index, \
                 close to but not the same series as IV30); the local store holds {local_sessions} \
                 sessions, {} needed; no IV percentile until then",
                th.min_local_sessions
            ));
            IvRankReading {
                series: "iv30",
                iv,
                rank: reading.rank,
                percentile: None,
                source: RankSourceKind::PublishedRange,
                sessions: None,
                local_sessions,
                min_local_sessions: th.min_local_sessions,
                low: range.low,
                high: range.high,
                range_break: None,
                used_in_verdict: reading.rank.is_some(),
            }
        }
    };
    Some(out)
}

/// The date before which earnings count as "ahead": the expiry nearest 30 days, or 30 days out
/// when there is none.
fn earnings_horizon(expiries: &[ExpiryReading], today: NaiveDate) -> (NaiveDate, bool) {
    match nearest(expiries, IV30_YEARS, |_| true) {
        Some(e) => (e.expiry, true),
        None => (
            today
                .checked_add_days(chrono::Days::new(30))
                .unwrap_or(NaiveDate::MAX),
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap_or_default()
    }

    fn e(date: NaiveDate, days: f64, iv: Option<f64>) -> ExpiryReading {
        ExpiryReading {
            atm_iv: iv,
            ..ExpiryReading::new(date, days / 365.0)
        }
    }

    #[test]
    fn usable_expiries_skip_expired_and_duplicates_and_sort() {
        let today = d(3, 7);
        let mut notes = Vec::new();
        let given = [
            e(d(4, 6), 30.0, Some(0.3)),
            e(d(3, 6), -1.0, Some(0.3)),
            e(d(3, 27), 20.0, Some(f64::NAN)),
            e(d(4, 6), 30.0, Some(0.9)),
            e(d(5, 6), f64::INFINITY, Some(0.3)),
        ];
        let out = usable_expiries(&given, today, &mut notes);
        let dates: Vec<NaiveDate> = out.iter().map(|x| x.expiry).collect();
        assert_eq!(dates, vec![d(3, 27), d(4, 6)]);
        assert_eq!(out[1].atm_iv, Some(0.3));
        // expired, NaN IV, duplicate, infinite t
        assert_eq!(notes.len(), 4, "{notes:?}");
    }

    #[test]
    fn nearest_prefers_the_shorter_on_a_tie() {
        let xs = [
            e(d(4, 1), 20.0, None),
            e(d(4, 21), 40.0, None),
            e(d(5, 1), 50.0, None),
        ];
        let n = nearest(&xs, IV30_YEARS, |_| true).map(|x| x.expiry);
        assert_eq!(n, Some(d(4, 1)));
        let n = nearest(&xs, IV30_YEARS, |x| x.t > 0.1).map(|x| x.expiry);
        assert_eq!(n, Some(d(4, 21)));
        assert!(nearest(&[], IV30_YEARS, |_| true).is_none());
    }

    #[test]
    fn term_points_drop_short_expiries_unless_nothing_else() {
        let mut notes = Vec::new();
        let xs = [e(d(3, 9), 2.0, Some(0.9)), e(d(4, 6), 30.0, Some(0.3))];
        let pts = term_points(&xs, 7.0, &mut notes);
        assert_eq!(
            pts,
            vec![TermPoint {
                t: 30.0 / 365.0,
                iv: 0.3
            }]
        );
        let pts = term_points(&xs[..1], 7.0, &mut notes);
        assert_eq!(pts.len(), 1);
        assert!(notes.iter().any(|n| n.contains("use them anyway")));
        // Two dates sharing a t: the second is left out rather than failing the term structure.
        let same = [e(d(4, 6), 30.0, Some(0.3)), e(d(4, 7), 30.0, Some(0.4))];
        assert_eq!(term_points(&same, 7.0, &mut notes).len(), 1);
    }

    #[test]
    fn earnings_horizon_falls_back_to_30_days() {
        assert_eq!(earnings_horizon(&[], d(3, 7)), (d(4, 6), false));
        let xs = [e(d(3, 27), 20.0, None), e(d(4, 26), 50.0, None)];
        assert_eq!(earnings_horizon(&xs, d(3, 7)), (d(3, 27), true));
    }
}

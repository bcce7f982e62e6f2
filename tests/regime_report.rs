//! The regime report and verdict on hand-built inputs: every verdict, every caution flag firing
//! and not firing, IV30 and expected moves against hand-computed values, the IV rank's source
//! switch, graceful degradation and the JSON shape.

use ccplan::export::{Cell, Format};
use ccplan::model::{Adjustment, Bar, PriceHistory};
use ccplan::regime::*;
use chrono::{DateTime, Days, FixedOffset, NaiveDate};

#[track_caller]
fn assert_close(got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "got {got}, want {want} ± {tol}");
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 2024-03-07 16:00 New York (EST): an expiry n days later is exactly n/365 years away.
fn as_of() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2024-03-07T16:00:00-05:00").unwrap()
}

fn today() -> NaiveDate {
    date(2024, 3, 7)
}

/// An expiry `days` calendar days after the as-of date with ATM IV `iv`.
fn exp(days: u64, iv: f64) -> ExpiryReading {
    let mut e = ExpiryReading::new(
        today().checked_add_days(Days::new(days)).unwrap(),
        days as f64 / 365.0,
    );
    e.atm_iv = Some(iv);
    e
}

/// Closes whose log returns alternate +a, −a, ending on the as-of date (one bar per calendar
/// day), with HV20 exactly `hv20`: the last 20 returns have mean 0 and sample variance
/// 20a²/19, so HV20 = a·√(252·20/19). Open = previous close, high/low = max/min(open, close).
fn alternating_history(hv20: f64, bars: usize) -> PriceHistory {
    let a = hv20 / (252.0 * 20.0 / 19.0_f64).sqrt();
    let closes: Vec<f64> = (0..bars)
        .map(|i| 100.0 * (a * (i % 2) as f64).exp())
        .collect();
    history_from_closes(&closes, true)
}

fn history_from_closes(closes: &[f64], ohlc: bool) -> PriceHistory {
    let n = closes.len() as u64;
    let bars = closes
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let open = if i == 0 { c } else { closes[i - 1] };
            Bar {
                date: today()
                    .checked_sub_days(Days::new(n - 1 - i as u64))
                    .unwrap(),
                open: ohlc.then_some(open),
                high: ohlc.then_some(open.max(c)),
                low: ohlc.then_some(open.min(c)),
                close: c,
                volume: None,
            }
        })
        .collect();
    PriceHistory::new("TEST", Adjustment::Splits, bars)
}

/// IV30 0.30 exactly (an expiry at 30 days), 0.32 at 91 days (upward sloping), HV20 as given,
/// a published range as given, no earnings.
fn base(hv20: Option<f64>, range: Option<(f64, f64)>) -> RegimeInputs {
    RegimeInputs {
        symbol: "TEST".into(),
        as_of: as_of(),
        spot: 100.0,
        expiries: vec![exp(30, 0.30), exp(91, 0.32)],
        history: hv20.map(|h| alternating_history(h, 80)),
        iv_history: Vec::new(),
        published_range: range.map(|(low, high)| PublishedRange { low, high }),
        next_earnings: None,
    }
}

fn run(inputs: &RegimeInputs) -> RegimeReport {
    assess(inputs, &RegimeThresholds::default()).unwrap()
}

fn signal(r: &RegimeReport, name: &str) -> Option<Signal> {
    r.verdict.signals.iter().find(|s| s.name == name).cloned()
}

// ---------------------------------------------------------------------------------------------
// Verdicts

#[test]
fn rich_when_iv_rank_is_high_and_ratio_normal() {
    // Rank (0.30 − 0.20) / (0.36 − 0.20) = 0.625 ≥ 0.50; ratio 0.30 / 0.25 = 1.2 (normal).
    let r = run(&base(Some(0.25), Some((0.20, 0.36))));
    assert_close(r.iv30.as_ref().unwrap().iv, 0.30, 1e-15);
    assert_close(r.realized.as_ref().unwrap().hv20.unwrap(), 0.25, 1e-12);
    assert_close(r.iv30_hv20_ratio.unwrap(), 1.2, 1e-12);
    let rank = signal(&r, "iv_rank").unwrap();
    assert_close(rank.value, 0.625, 1e-12);
    assert_eq!(rank.vote, Premiums::Rich);
    assert_eq!(
        signal(&r, "iv30_hv20_ratio").unwrap().vote,
        Premiums::Normal
    );
    assert_eq!(r.verdict.premiums, Some(Premiums::Rich));
    assert!(r.verdict.cautions.is_empty(), "{:?}", r.verdict.cautions);
    assert!(!r.warn_thin());
    assert_eq!(r.thin_warning(), None);
    let line = r.summary_line();
    assert!(line.starts_with("TEST 2024-03-07: premiums RICH"), "{line}");
    assert!(line.contains("IV rank 62.5% [published range]"), "{line}");
    assert!(line.contains("IV30/HV20 1.20"), "{line}");
    assert!(line.ends_with("no cautions"), "{line}");
}

#[test]
fn rich_from_the_ratio_alone() {
    // No rank at all; IV30 0.30 / HV20 0.20 = 1.5 ≥ 1.25.
    let r = run(&base(Some(0.20), None));
    assert!(r.iv_rank.is_none());
    assert_close(r.iv30_hv20_ratio.unwrap(), 1.5, 1e-12);
    assert_eq!(r.verdict.premiums, Some(Premiums::Rich));
    assert_eq!(r.verdict.signals.len(), 1);
}

#[test]
fn normal_when_both_signals_are_in_the_middle() {
    // Rank (0.30 − 0.10) / 0.50 = 0.4; ratio 0.30 / 0.27 = 1.111.
    let r = run(&base(Some(0.27), Some((0.10, 0.60))));
    assert_close(signal(&r, "iv_rank").unwrap().value, 0.4, 1e-12);
    assert_close(r.iv30_hv20_ratio.unwrap(), 0.30 / 0.27, 1e-12);
    assert_eq!(r.verdict.premiums, Some(Premiums::Normal));
    assert!(r.summary_line().contains("premiums NORMAL"));
}

#[test]
fn thin_when_iv_rank_is_low() {
    // Rank (0.30 − 0.28) / 0.32 = 0.0625 < 0.20; ratio 0.30 / 0.29 = 1.034 (normal).
    let r = run(&base(Some(0.29), Some((0.28, 0.60))));
    assert_close(signal(&r, "iv_rank").unwrap().value, 0.0625, 1e-12);
    assert_eq!(r.verdict.premiums, Some(Premiums::Thin));
    assert!(r.warn_thin());
    let w = r.thin_warning().unwrap();
    assert!(w.contains("premiums are thin"), "{w}");
    assert!(w.contains("IV rank 6.2% < 20.0%"), "{w}");
    assert!(!r.verdict.has(CautionKind::IvBelowRealized));
}

#[test]
fn thin_when_iv_is_below_realized_and_the_caution_fires() {
    // Ratio 0.30 / 0.36 = 0.833 < 0.90 (thin) and < 1.00 (caution).
    let r = run(&base(Some(0.36), None));
    assert_close(r.iv30_hv20_ratio.unwrap(), 0.30 / 0.36, 1e-12);
    assert_eq!(r.verdict.premiums, Some(Premiums::Thin));
    assert!(r.verdict.has(CautionKind::IvBelowRealized));
    let c = &r.verdict.cautions[0];
    assert!(c.message.contains("ratio 0.83 < 1.00"), "{}", c.message);
    assert!(r.summary_line().ends_with("cautions: iv_below_realized"));
}

#[test]
fn iv_below_realized_caution_without_a_thin_verdict() {
    // Ratio 0.30 / 0.31 = 0.968: between 0.90 and 1.00, so normal but flagged.
    let r = run(&base(Some(0.31), None));
    assert_eq!(r.verdict.premiums, Some(Premiums::Normal));
    assert!(r.verdict.has(CautionKind::IvBelowRealized));
    // And not just above 1.0 (0.30 / 0.295 = 1.017).
    let r = run(&base(Some(0.295), None));
    assert_close(r.iv30_hv20_ratio.unwrap(), 0.30 / 0.295, 1e-12);
    assert!(!r.verdict.has(CautionKind::IvBelowRealized));
}

#[test]
fn conflicting_signals_are_called_normal_with_a_reason() {
    // Rank 0.625 (rich) but ratio 0.833 (thin).
    let r = run(&base(Some(0.36), Some((0.20, 0.36))));
    assert_eq!(signal(&r, "iv_rank").unwrap().vote, Premiums::Rich);
    assert_eq!(signal(&r, "iv30_hv20_ratio").unwrap().vote, Premiums::Thin);
    assert_eq!(r.verdict.premiums, Some(Premiums::Normal));
    assert!(r.verdict.reasons.iter().any(|s| s.contains("disagree")));
    assert!(r.verdict.has(CautionKind::IvBelowRealized));
}

#[test]
fn thresholds_are_adjustable_and_validated() {
    let inputs = base(Some(0.25), Some((0.20, 0.36))); // rank 0.625, ratio 1.2
    let strict = RegimeThresholds {
        rich_iv_rank: 0.70,
        ..RegimeThresholds::default()
    };
    let r = assess(&inputs, &strict).unwrap();
    assert_eq!(r.verdict.premiums, Some(Premiums::Normal));
    assert_eq!(r.thresholds.rich_iv_rank, 0.70);
    let loose = RegimeThresholds {
        rich_iv_hv_ratio: 1.10,
        rich_iv_rank: 0.90,
        ..RegimeThresholds::default()
    };
    assert_eq!(
        assess(&inputs, &loose).unwrap().verdict.premiums,
        Some(Premiums::Rich)
    );
    let bad = RegimeThresholds {
        thin_iv_rank: 0.8,
        ..RegimeThresholds::default()
    };
    let e = assess(&inputs, &bad).unwrap_err();
    assert!(
        matches!(&e, ccplan::Error::InvalidInput { what: "IV rank thresholds", value, .. }
            if *value == format!("thin 0.8, rich {}", bad.rich_iv_rank)),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Caution flags

#[test]
fn backwardation_fires_and_does_not() {
    let mut inputs = base(Some(0.25), Some((0.20, 0.36)));
    // Front 0.40 above 91-day 0.30: spread −0.10.
    inputs.expiries = vec![exp(30, 0.40), exp(91, 0.30)];
    let r = run(&inputs);
    let s = r.term_slope.as_ref().unwrap();
    assert_close(s.spread, -0.10, 1e-15);
    assert_close(s.slope_per_year, -0.10 / (61.0 / 365.0), 1e-12);
    assert!(s.backwardation);
    assert!(r.verdict.has(CautionKind::Backwardation));
    let msg = &r.verdict.cautions[0].message;
    assert!(msg.contains("by 10.0 vol points"), "{msg}");

    // Upward sloping: no flag.
    let r = run(&base(Some(0.25), Some((0.20, 0.36))));
    assert!(!r.term_slope.as_ref().unwrap().backwardation);
    assert!(!r.verdict.has(CautionKind::Backwardation));

    // Inverted by 0.2 vol points, under the 0.5-point tolerance: reported, not flagged.
    inputs.expiries = vec![exp(30, 0.302), exp(91, 0.300)];
    let r = run(&inputs);
    assert!(r.term_slope.as_ref().unwrap().backwardation);
    assert!(!r.verdict.has(CautionKind::Backwardation));
    // With no tolerance it is.
    let zero = RegimeThresholds {
        backwardation_min_spread: 0.0,
        ..RegimeThresholds::default()
    };
    assert!(assess(&inputs, &zero)
        .unwrap()
        .verdict
        .has(CautionKind::Backwardation));
}

#[test]
fn earnings_ahead_fires_up_to_the_30_day_expiry() {
    let mut inputs = base(Some(0.25), Some((0.20, 0.36)));
    // The ~30-day expiry is 2024-04-06.
    for (earnings, fires) in [
        (date(2024, 3, 20), true),
        (date(2024, 3, 7), true),  // today (after the close, say)
        (date(2024, 4, 6), true),  // on the expiry date
        (date(2024, 4, 7), false), // the day after
        (date(2024, 5, 1), false),
        (date(2024, 3, 1), false), // past
    ] {
        inputs.next_earnings = Some(earnings);
        let r = run(&inputs);
        assert_eq!(
            r.verdict.has(CautionKind::EarningsAhead),
            fires,
            "earnings {earnings}"
        );
        if fires {
            let c = &r.verdict.cautions[0];
            assert!(c.message.contains("2024-04-06 expiry"), "{}", c.message);
        }
    }
    inputs.next_earnings = Some(date(2024, 3, 1));
    let r = run(&inputs);
    assert!(r.verdict.reasons.iter().any(|s| s.contains("in the past")));
    // Earnings never change the premium class.
    assert_eq!(r.verdict.premiums, Some(Premiums::Rich));
}

#[test]
fn earnings_horizon_without_expiries_is_30_days() {
    let mut inputs = base(Some(0.25), None);
    inputs.expiries.clear();
    inputs.next_earnings = Some(date(2024, 4, 6)); // 30 days out
    let r = run(&inputs);
    assert!(r.verdict.has(CautionKind::EarningsAhead));
    inputs.next_earnings = Some(date(2024, 4, 7));
    assert!(!run(&inputs).verdict.has(CautionKind::EarningsAhead));
}

/// 200 sessions of a gentle rise, a 20-session surge to a swing high at 150, a 6-session
/// pullback, a slower 15-session climb to a higher high at 151.5, then 5 tiny dips that confirm
/// it: higher price, lower MACD (bearish divergence) with RSI still high.
fn topping_closes(second_leg_step: f64) -> Vec<f64> {
    let mut c = vec![];
    let mut p = 80.0;
    for _ in 0..200 {
        p += 0.2;
        c.push(p);
    }
    for _ in 0..20 {
        p += 1.5;
        c.push(p);
    }
    for _ in 0..6 {
        p -= 1.0;
        c.push(p);
    }
    for _ in 0..15 {
        p += second_leg_step;
        c.push(p);
    }
    for _ in 0..5 {
        p -= 0.01;
        c.push(p);
    }
    c
}

#[test]
fn overbought_with_divergence_fires() {
    let mut inputs = base(None, None);
    inputs.history = Some(history_from_closes(&topping_closes(0.5), false));
    let r = run(&inputs);
    let m = r.momentum.as_ref().unwrap();
    let rsi = m.rsi14.unwrap();
    assert!(rsi >= 70.0, "RSI {rsi}");
    let d = m.bearish_divergence.as_ref().expect("bearish divergence");
    // The two swing highs: 80 + 200·0.2 + 20·1.5 = 150 and 150 − 6 + 15·0.5 = 151.5.
    assert_close(d.earlier.close_usd, 150.0, 1e-9);
    assert_close(d.later.close_usd, 151.5, 1e-9);
    assert!(d.later.macd_line_usd < d.earlier.macd_line_usd);
    assert_eq!(d.later.date, date(2024, 3, 2)); // 5 sessions before the last (2024-03-07)
    assert!(r.verdict.has(CautionKind::OverboughtDivergence));
    // SMA distances exist with 246 closes.
    assert!(m.sma50_distance.unwrap() > 0.0 && m.sma200_distance.unwrap() > 0.0);
}

#[test]
fn overbought_without_divergence_does_not_fire() {
    // The second leg rises faster than the first: higher price *and* higher MACD.
    let mut inputs = base(None, None);
    inputs.history = Some(history_from_closes(&topping_closes(2.5), false));
    let r = run(&inputs);
    let m = r.momentum.as_ref().unwrap();
    assert!(m.rsi14.unwrap() >= 70.0);
    assert!(m.bearish_divergence.is_none());
    assert!(!r.verdict.has(CautionKind::OverboughtDivergence));

    // A divergence with RSI below the level does not fire either: raise the level above it.
    let mut inputs = base(None, None);
    inputs.history = Some(history_from_closes(&topping_closes(0.5), false));
    let rsi = run(&inputs).momentum.unwrap().rsi14.unwrap();
    let high_bar = RegimeThresholds {
        rsi_overbought: rsi + 0.1,
        ..RegimeThresholds::default()
    };
    let r = assess(&inputs, &high_bar).unwrap();
    assert!(r.momentum.unwrap().bearish_divergence.is_some());
    assert!(!r.verdict.has(CautionKind::OverboughtDivergence));
}

// ---------------------------------------------------------------------------------------------
// IV30, term structure, skew, expected moves, realized vol

#[test]
fn iv30_from_two_bracketing_expiries() {
    // 20 days at 30 %, 50 days at 40 %. In units of 1/365 years: w₁ = 0.09·20 = 1.8,
    // w₂ = 0.16·50 = 8, w(30) = 1.8 + 6.2·(10/30); IV30² = w(30)/30 = (5.4 + 6.2)/90 = 11.6/90.
    // A 3-day expiry at 90 % is left out (under 7 days), and so is not the slope's front.
    let mut inputs = base(None, None);
    inputs.expiries = vec![exp(50, 0.40), exp(3, 0.90), exp(20, 0.30)];
    let r = run(&inputs);
    let iv30 = r.iv30.as_ref().unwrap();
    assert_close(iv30.iv, (11.6f64 / 90.0).sqrt(), 1e-14);
    assert_close(iv30.iv, 0.359_010_987_142_300_3, 1e-12);
    assert_eq!(iv30.method, Iv30Method::Interpolated);
    assert_eq!(
        iv30.from_expiries,
        vec![date(2024, 3, 27), date(2024, 4, 26)]
    );
    let s = r.term_slope.as_ref().unwrap();
    assert_eq!(s.front_expiry, date(2024, 3, 27));
    assert_eq!(s.back_expiry, date(2024, 4, 26));
    assert!(r.notes.iter().any(|n| n.contains("under 7 days")));
    // The term table lists all three, ascending, with the short one included.
    let dtes: Vec<i64> = r.term_structure.iter().map(|e| e.dte_days).collect();
    assert_eq!(dtes, vec![3, 20, 50]);
}

#[test]
fn iv30_carried_flat_is_noted() {
    let mut inputs = base(None, None);
    inputs.expiries = vec![exp(45, 0.33), exp(80, 0.35)];
    let r = run(&inputs);
    let iv30 = r.iv30.as_ref().unwrap();
    assert_eq!(iv30.iv, 0.33);
    assert_eq!(iv30.method, Iv30Method::FlatBeforeFirst);
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("carried flat from 2024-04-21")));
}

#[test]
fn expected_moves_from_iv_and_straddle_are_labelled() {
    let mut inputs = base(None, None);
    inputs.expiries[0].atm_straddle = Some(7.0);
    let r = run(&inputs);
    let row = &r.term_structure[0];
    assert_eq!(row.dte_days, 30);
    // 100 · 0.30 · √(30/365)
    assert_close(
        row.move_1sd_from_iv_usd.unwrap(),
        8.600_732_686_214_938,
        1e-9,
    );
    assert_eq!(row.straddle_usd, Some(7.0));
    assert_close(
        row.move_1sd_from_straddle_usd.unwrap(),
        8.773_198_961_208_5,
        1e-9,
    );
    assert_close(row.move_085_straddle_usd.unwrap(), 5.95, 1e-12);
    // The 91-day expiry has no straddle.
    assert_eq!(r.term_structure[1].move_1sd_from_straddle_usd, None);
    assert_close(
        r.term_structure[1].move_1sd_from_iv_usd.unwrap(),
        100.0 * 0.32 * (91.0f64 / 365.0).sqrt(),
        1e-12,
    );
}

#[test]
fn skew_is_read_on_the_expiry_nearest_30_days() {
    let mut inputs = base(None, None);
    let e = &mut inputs.expiries[0];
    e.iv_put_25d = Some(0.34);
    e.iv_call_25d = Some(0.28);
    e.iv_90 = Some(0.36);
    e.iv_110 = Some(0.27);
    let e = &mut inputs.expiries[1];
    e.iv_put_25d = Some(0.50);
    e.iv_call_25d = Some(0.20);
    let r = run(&inputs);
    let k = r.skew.as_ref().unwrap();
    assert_eq!(k.expiry, date(2024, 4, 6));
    assert_close(k.put_minus_call_25d.unwrap(), 0.06, 1e-15);
    assert_close(k.iv_90_minus_110.unwrap(), 0.09, 1e-15);
    // Only the 91-day expiry has skew: it is used, with a note.
    inputs.expiries[0].iv_put_25d = None;
    inputs.expiries[0].iv_90 = Some(f64::NAN);
    let r = run(&inputs);
    let k = r.skew.as_ref().unwrap();
    assert_eq!(k.expiry, date(2024, 6, 6));
    assert_close(k.put_minus_call_25d.unwrap(), 0.30, 1e-15);
    assert_eq!(k.iv_90_minus_110, None);
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("no expiry with skew IVs near 30")));
}

#[test]
fn realized_close_to_close_and_yang_zhang() {
    // With open = previous close and high/low = max/min(open, close), the overnight and
    // Rogers-Satchell variances are 0, so YZ = √k · HV with k = 0.34 / (1.34 + (n+1)/(n−1)).
    let r = run(&base(Some(0.25), None));
    let rv = r.realized.as_ref().unwrap();
    assert_close(
        rv.hv10.unwrap(),
        0.25 * (19.0f64 / 20.0 * 10.0 / 9.0).sqrt(),
        1e-12,
    );
    assert_close(rv.hv20.unwrap(), 0.25, 1e-12);
    assert_close(
        rv.hv60.unwrap(),
        0.25 * (19.0f64 / 20.0 * 60.0 / 59.0).sqrt(),
        1e-12,
    );
    let k20: f64 = 0.34 / (1.34 + 21.0 / 19.0);
    assert_close(rv.yang_zhang20.unwrap(), k20.sqrt() * 0.25, 1e-12);
    assert_eq!(rv.bars, 80);
    assert_eq!(rv.last_date, today());
    // Closes only: no Yang-Zhang, a note, close-to-close unchanged.
    let mut inputs = base(None, None);
    let closes = alternating_history(0.25, 80).closes();
    inputs.history = Some(history_from_closes(&closes, false));
    let r = run(&inputs);
    let rv = r.realized.as_ref().unwrap();
    assert_eq!(rv.yang_zhang20, None);
    assert_close(rv.hv20.unwrap(), 0.25, 1e-12);
    assert!(r.notes.iter().any(|n| n.contains("Yang-Zhang")));
}

#[test]
fn history_after_the_as_of_date_is_ignored() {
    let mut inputs = base(None, None);
    let mut h = alternating_history(0.25, 80);
    // A wild bar the day after the as-of date must not count.
    h.bars.push(Bar {
        date: date(2024, 3, 8),
        open: None,
        high: None,
        low: None,
        close: 500.0,
        volume: None,
    });
    inputs.history = Some(h);
    let r = run(&inputs);
    assert_close(r.realized.unwrap().hv20.unwrap(), 0.25, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// IV rank source

/// `n` daily IV30 observations before the as-of date: 0.205, 0.207, ... (oldest first).
fn iv_history(n: usize) -> Vec<IvObservation> {
    (0..n)
        .map(|i| IvObservation {
            date: today().checked_sub_days(Days::new((n - i) as u64)).unwrap(),
            iv: 0.205 + 0.002 * i as f64,
        })
        .collect()
}

#[test]
fn rank_uses_the_published_range_until_60_local_sessions() {
    let mut inputs = base(Some(0.25), Some((0.10, 0.50)));
    inputs.iv_history = iv_history(59);
    let r = run(&inputs);
    let k = r.iv_rank.as_ref().unwrap();
    assert_eq!(k.source, RankSourceKind::PublishedRange);
    assert_eq!(k.local_sessions, 59);
    assert_eq!(k.sessions, None);
    assert_eq!(k.min_local_sessions, 60);
    assert_eq!(k.percentile, None);
    assert_close(k.rank.unwrap(), 0.5, 1e-12);
    assert!(k.used_in_verdict);
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("holds 59 sessions, 60 needed")));

    // One more session: the local history takes over.
    // 60 sessions 0.205 … 0.323; (0.30 − 0.205) / 0.118; 48 of 60 below 0.30.
    inputs.iv_history = iv_history(60);
    let r = run(&inputs);
    let k = r.iv_rank.as_ref().unwrap();
    assert_eq!(k.source, RankSourceKind::LocalHistory);
    assert_eq!(k.sessions, Some(60));
    assert_eq!(k.local_sessions, 60);
    assert_close(k.rank.unwrap(), 0.095 / 0.118, 1e-12);
    assert_close(k.percentile.unwrap(), 0.8, 1e-15);
    assert_close(k.low, 0.205, 1e-15);
    assert_close(k.high, 0.323, 1e-12);
    assert!(k.used_in_verdict);
    assert_eq!(r.verdict.premiums, Some(Premiums::Rich));
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("60 local sessions, less than a full year")));
    assert!(r.summary_line().contains("[60 sessions]"));

    // The minimum is adjustable.
    let t = RegimeThresholds {
        min_local_sessions: 20,
        ..RegimeThresholds::default()
    };
    inputs.iv_history = iv_history(25);
    let k = assess(&inputs, &t).unwrap().iv_rank.unwrap();
    assert_eq!(k.source, RankSourceKind::LocalHistory);
    assert_eq!(k.sessions, Some(25));
}

#[test]
fn short_local_history_without_a_published_range_is_shown_but_does_not_vote() {
    let mut inputs = base(Some(0.25), None);
    inputs.iv_history = iv_history(30);
    let r = run(&inputs);
    let k = r.iv_rank.as_ref().unwrap();
    assert_eq!(k.source, RankSourceKind::LocalHistory);
    assert_eq!(k.sessions, Some(30));
    assert!(!k.used_in_verdict);
    assert_eq!(k.percentile, None);
    // 0.30 is above every one of 0.205 … 0.263: a new high, rank 1.
    assert_eq!(k.rank, Some(1.0));
    assert_eq!(k.range_break, Some(RangeBreak::AboveMax));
    // Only the ratio (1.2, normal) votes.
    assert!(signal(&r, "iv_rank").is_none());
    assert_eq!(r.verdict.premiums, Some(Premiums::Normal));
    assert!(r.summary_line().contains("[30 sessions, not used]"));
}

// ---------------------------------------------------------------------------------------------
// Graceful degradation

#[test]
fn no_history_gives_no_realized_or_momentum_but_still_a_verdict() {
    let r = run(&base(None, Some((0.20, 0.36))));
    assert!(r.realized.is_none() && r.momentum.is_none() && r.iv30_hv20_ratio.is_none());
    assert!(r.notes.iter().any(|n| n.contains("no price history")));
    assert_eq!(r.verdict.premiums, Some(Premiums::Rich)); // rank 0.625 alone
    assert!(r
        .verdict
        .reasons
        .iter()
        .any(|s| s.contains("IV below realized not checked")));
}

#[test]
fn no_expiries_gives_no_iv_readings_and_no_class() {
    let mut inputs = base(Some(0.25), Some((0.20, 0.36)));
    inputs.expiries.clear();
    let r = run(&inputs);
    assert!(r.iv30.is_none() && r.term_slope.is_none() && r.skew.is_none());
    assert!(r.iv_rank.is_none() && r.iv30_hv20_ratio.is_none());
    assert!(r.term_structure.is_empty());
    assert_eq!(r.verdict.premiums, None);
    assert!(!r.warn_thin());
    // History readings are still there.
    assert_close(r.realized.as_ref().unwrap().hv20.unwrap(), 0.25, 1e-12);
    assert!(r.momentum.is_some());
    let line = r.summary_line();
    assert!(line.contains("premiums UNKNOWN (no IV30"), "{line}");
    assert!(r.notes.iter().any(|n| n.contains("no expiries given")));
}

#[test]
fn nothing_but_spot_is_still_a_report() {
    let mut inputs = base(None, None);
    inputs.expiries.clear();
    let r = run(&inputs);
    assert_eq!(r.verdict.premiums, None);
    assert!(r.verdict.signals.is_empty() && r.verdict.cautions.is_empty());
    assert_eq!(r.to_tables().len(), 3);
}

#[test]
fn bad_values_are_skipped_not_panicked_on() {
    let mut inputs = base(Some(0.25), Some((f64::NAN, 0.36)));
    let mut nan = exp(60, f64::NAN);
    nan.atm_straddle = Some(f64::INFINITY);
    inputs.expiries.push(nan);
    inputs.expiries.push(exp(45, 0.31).clone_with_t(f64::NAN));
    inputs.expiries.push(exp(30, 0.99)); // duplicate date: the first one wins
    inputs.iv_history = vec![IvObservation {
        date: date(2024, 3, 1),
        iv: f64::NAN,
    }];
    let r = run(&inputs);
    assert_close(r.iv30.as_ref().unwrap().iv, 0.30, 1e-15);
    assert_eq!(r.term_structure.len(), 3); // 30, 60 (no IV), 91
    assert_eq!(r.term_structure[1].atm_iv, None);
    assert_eq!(r.term_structure[1].move_1sd_from_straddle_usd, None);
    assert!(r.iv_rank.is_none()); // bad range, no usable local session
    assert!(r.notes.iter().any(|n| n.contains("given twice")));
    assert!(r.notes.iter().any(|n| n.contains("skipped")));
    assert!(r.notes.iter().any(|n| n.starts_with("no IV rank")));

    // NaN closes in the history (built without PriceHistory::new's cleaning) give None readings.
    let mut h = alternating_history(0.25, 80);
    h.bars[79].close = f64::NAN;
    inputs.history = Some(h);
    let r = run(&inputs);
    assert_eq!(r.realized.as_ref().unwrap().hv20, None);
    assert!(r.momentum.is_none());
    assert!(r.notes.iter().any(|n| n.contains("is not a price")));

    // A bad spot is an error, not a panic.
    for (spot, shown) in [(f64::NAN, "NaN"), (0.0, "0")] {
        inputs.spot = spot;
        let e = assess(&inputs, &RegimeThresholds::default()).unwrap_err();
        assert!(
            matches!(&e, ccplan::Error::InvalidInput { what: "spot", value, .. } if value == shown),
            "{e}"
        );
    }
}

trait WithT {
    fn clone_with_t(&self, t: f64) -> Self;
}
impl WithT for ExpiryReading {
    fn clone_with_t(&self, t: f64) -> Self {
        ExpiryReading { t, ..*self }
    }
}

// ---------------------------------------------------------------------------------------------
// Output

#[test]
fn json_has_the_documented_fields() {
    let mut inputs = base(Some(0.25), Some((0.20, 0.36)));
    inputs.expiries = vec![exp(20, 0.45), exp(50, 0.35), exp(91, 0.30)];
    inputs.next_earnings = Some(date(2024, 3, 20));
    let r = run(&inputs);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["symbol"], "TEST");
    assert_eq!(v["as_of"], "2024-03-07T16:00:00-05:00");
    assert_eq!(v["spot_usd"], 100.0);
    assert_eq!(v["iv30"]["method"], "interpolated");
    assert_eq!(v["iv30"]["from_expiries"][0], "2024-03-27");
    assert_eq!(v["term_structure"][0]["dte_days"], 20);
    assert!(v["term_structure"][0]["move_1sd_from_iv_usd"].is_f64());
    assert!(v["term_structure"][0]["straddle_usd"].is_null());
    assert_eq!(v["term_slope"]["backwardation"], true);
    assert_eq!(v["iv_rank"]["series"], "iv30");
    assert_eq!(v["iv_rank"]["source"], "published_range");
    assert!(v["iv_rank"]["sessions"].is_null());
    assert_eq!(v["iv_rank"]["local_sessions"], 0);
    assert_close(v["realized"]["hv20"].as_f64().unwrap(), 0.25, 1e-12);
    assert!(v["momentum"]["rsi14"].is_f64());
    assert!(v["iv30_hv20_ratio"].is_f64());
    assert_eq!(v["next_earnings"], "2024-03-20");
    assert_eq!(v["verdict"]["cautions"][0]["kind"], "backwardation");
    assert_eq!(v["verdict"]["cautions"][1]["kind"], "earnings_ahead");
    assert_eq!(v["verdict"]["signals"][0]["name"], "iv_rank");
    assert!(["rich", "normal", "thin"].contains(&v["verdict"]["premiums"].as_str().unwrap()));
    assert!(v["verdict"]["reasons"].as_array().unwrap().len() >= 2);
    assert_eq!(v["thresholds"]["rich_iv_rank"], 0.5);
    assert_eq!(v["thresholds"]["min_local_sessions"], 60);
    assert!(v["notes"].is_array());
    // With no expiries the class is JSON null.
    inputs.expiries.clear();
    let v = serde_json::to_value(run(&inputs)).unwrap();
    assert!(v["verdict"]["premiums"].is_null());
    assert!(v["iv30"].is_null());
}

#[test]
fn tables_render_in_every_format() {
    let mut inputs = base(Some(0.25), Some((0.20, 0.36)));
    inputs.expiries[0].atm_straddle = Some(7.0);
    let r = run(&inputs);
    let tables = r.to_tables();
    let names: Vec<&str> = tables.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, vec!["readings", "term structure", "verdict"]);
    let readings = &tables[0].1;
    let iv30_row = readings
        .rows()
        .iter()
        .find(|row| row[0] == Cell::text("IV30 (constant maturity, ATM)"))
        .unwrap();
    // A decimal fraction shown to people as percent ("%" unit) ...
    assert_eq!(
        iv30_row[1],
        Cell::Pct {
            value: 0.30,
            decimals: 2
        }
    );
    assert_eq!(iv30_row[2], Cell::text("%"));
    // ... and in the machine tables (CSV) a fraction with a "fraction" unit.
    let machine = r.to_machine_tables();
    let mut csv = Vec::new();
    machine[0].1.write(Format::Csv, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let iv30_line = csv
        .lines()
        .find(|l| l.starts_with("\"IV30 (constant maturity, ATM)\","))
        .unwrap();
    assert!(iv30_line.contains(",0.3,fraction,"), "{iv30_line}");
    let mut txt = Vec::new();
    readings.write(Format::Table, &mut txt).unwrap();
    assert!(String::from_utf8(txt).unwrap().contains("30.00"));
    // A missing reading has an empty value and no stray note.
    let skew_row = readings
        .rows()
        .iter()
        .find(|row| row[0] == Cell::text("IV 90% − IV 110% moneyness"))
        .unwrap();
    assert_eq!(skew_row[1], Cell::Empty);
    assert_eq!(skew_row[3], Cell::text(""));
    let mut csv = Vec::new();
    readings.write(Format::Csv, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("reading,value,unit,note\n"), "{csv}");
    let ratio_line = csv.lines().find(|l| l.starts_with("IV30 / HV20,")).unwrap();
    let fields: Vec<&str> = ratio_line.split(',').collect();
    assert_close(fields[1].parse().unwrap(), 1.2, 1e-12);
    assert_eq!(fields[2], "ratio");
    let term = &tables[1].1;
    assert_eq!(term.rows().len(), 2);
    let mut md = Vec::new();
    term.write(Format::Md, &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(
        md.contains("| 2024-04-06 | 30 | 0.0822 | 30.00 | 8.60 | 7.00 | 8.77 | 5.95 |"),
        "{md}"
    );
    let verdict = &tables[2].1;
    assert_eq!(
        verdict.rows()[0],
        vec![Cell::text("premiums"), Cell::text("rich")]
    );
    let mut txt = Vec::new();
    verdict.write(Format::Table, &mut txt).unwrap();
    assert!(String::from_utf8(txt).unwrap().contains("IV rank 62.5 %"));
}

//! Early assignment of a written call before an ex-dividend date: one pure function,
//! [`early_assignment`], so the model behind it can be replaced without touching the rules.
//!
//! **The model in force: the ex-date rule** ([`EX_DATE_RULE`]). A call holder who exercises
//! on the last session before the ex-date (the *eve*; exercise after that close no longer
//! gets the dividend) receives S − K and the dividend D with the shares; one who waits holds
//! a call whose value after the ex-date is the Black value on the ex-dividend forward
//! F = (S − D)·e^{rτ}, τ the ACT/365 years from the eve's 16:00 close to expiry. Exercise pays
//! when that value is below S − K, which is the familiar rule said exactly: the **extrinsic
//! value left after the dividend**, C_ex − (S − D − K), is **below the dividend**.
//!
//! The comparison is made on the eve of the ex-date, not today: today's extrinsic value
//! includes time the holder will still have on the eve. The stock is held at today's spot
//! and the volatility at the quote's IV; the **critical spot** is the spot on the eve above
//! which exercise pays (none when even a deep in-the-money call is worth keeping, i.e. when
//! D ≤ K·(1 − e^{−rτ})). An ex-date that is today has passed its exercise deadline (the close
//! before), so only an ex-date after today and on or before expiry is at stake.
//!
//! The rule gives a yes/no, not a probability. **Where the American model prices** (a known
//! IV and dividend: every normal case) it replaces the rule ([`AMERICAN_MODEL`]): the
//! risk-neutral probability that the call is exercised on the eve of the ex-date, and the
//! critical spot there, from [`crate::pricing::american::early_exercise`]; the rule's
//! extrinsic value stays beside it for reference.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::model::Right;
use crate::pricing::american::{early_exercise, AmericanInputs, CashDividend};
use crate::pricing::calendar::{new_york_date, previous_trading_day};
use crate::pricing::time::{ex_dividend_years, expiry_instant, year_fraction};
use crate::pricing::{black_price, BlackInputs};

/// The name of the rule used where the American model cannot price (shown in output rows).
pub const EX_DATE_RULE: &str = "ex_date_rule";
/// The American model with discrete dividends ([`crate::pricing::american`]), the default.
pub const AMERICAN_MODEL: &str = "american_discrete_dividend";

/// What the early-assignment reading needs. Money in USD per share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlyAssignmentInputs {
    /// "Now".
    pub as_of: DateTime<FixedOffset>,
    /// Spot S.
    pub spot: f64,
    /// Strike K.
    pub strike: f64,
    /// Expiry date (16:00 New York).
    pub expiry: NaiveDate,
    /// The call's implied volatility, decimal, if known.
    pub vol: Option<f64>,
    /// Risk-free rate, continuously compounded decimal.
    pub rate: f64,
    /// The next ex-dividend date, if known.
    pub ex_date: Option<NaiveDate>,
    /// The dividend paid on it, USD per share.
    pub dividend: Option<f64>,
}

/// The early-assignment reading of one written call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EarlyAssignment {
    /// The model or rule that made the reading ([`EX_DATE_RULE`] for now).
    pub model: &'static str,
    /// The ex-date at stake: after today and on or before expiry; `None` when none is.
    pub ex_date: Option<NaiveDate>,
    /// The last session on which exercise gets the dividend (the eve of the ex-date).
    pub exercise_by: Option<NaiveDate>,
    /// The dividend at stake, USD per share.
    pub dividend: Option<f64>,
    /// The call's extrinsic value left after the dividend, seen on the eve, USD per share.
    pub extrinsic_before_ex: Option<f64>,
    /// Whether exercise on the eve pays the holder (under the model, at today's spot).
    pub exercise_optimal: bool,
    /// Risk-neutral probability of exercise before the ex-date, decimal; `None` under a rule
    /// that gives no probability.
    pub probability: Option<f64>,
    /// Spot on the eve above which exercise pays, USD; `None` when no spot makes it pay or
    /// there is nothing at stake.
    pub critical_spot: Option<f64>,
    /// One line on what was compared (or why nothing was).
    pub note: String,
}

impl EarlyAssignment {
    /// Is early assignment likely? The probability against `threshold` when the model gives
    /// one, else the model's yes/no.
    pub fn is_likely(&self, threshold: f64) -> bool {
        match self.probability {
            Some(p) => p >= threshold,
            None => self.exercise_optimal,
        }
    }

    /// A reading with nothing at stake, and why.
    pub(crate) fn nothing(note: String) -> Self {
        EarlyAssignment {
            model: EX_DATE_RULE,
            ex_date: None,
            exercise_by: None,
            dividend: None,
            extrinsic_before_ex: None,
            exercise_optimal: false,
            probability: None,
            critical_spot: None,
            note,
        }
    }
}

/// The early-assignment reading of a written call (module docs).
pub fn early_assignment(i: &EarlyAssignmentInputs) -> EarlyAssignment {
    let today = new_york_date(&i.as_of);
    let (ex, div) = match (i.ex_date, i.dividend.filter(|d| d.is_finite() && *d > 0.0)) {
        (Some(ex), Some(d)) => (ex, d),
        _ => return EarlyAssignment::nothing("no dividend known before expiry".into()),
    };
    if ex <= today {
        return EarlyAssignment::nothing(format!(
            "ex-date {ex} is today or past: its exercise deadline (the close before) has passed"
        ));
    }
    if ex > i.expiry {
        return EarlyAssignment::nothing(format!("ex-date {ex} is after expiry {}", i.expiry));
    }
    let eve = previous_trading_day(ex);
    let tau = year_fraction(&expiry_instant(eve), i.expiry).max(0.0);
    let mut out = EarlyAssignment {
        model: EX_DATE_RULE,
        ex_date: Some(ex),
        exercise_by: Some(eve),
        dividend: Some(div),
        extrinsic_before_ex: None,
        exercise_optimal: false,
        probability: None,
        critical_spot: None,
        note: String::new(),
    };
    let (s, k) = (i.spot, i.strike);
    let Some(vol) = i.vol.filter(|v| v.is_finite() && *v > 0.0) else {
        out.note = format!("dividend {div:.2} on {ex}: no IV, early exercise not assessed");
        return out;
    };
    if !(s.is_finite() && s > div && k > 0.0 && i.rate.is_finite()) {
        out.note = format!("dividend {div:.2} on {ex}: spot unusable, not assessed");
        return out;
    }
    // Continuation value on the eve at spot x: the Black value on the ex-dividend forward.
    let continuation = |x: f64| -> Option<f64> {
        let forward = x - div;
        if forward <= 0.0 {
            return Some(0.0);
        }
        black_price(
            &BlackInputs {
                right: Right::Call,
                forward: forward * (i.rate * tau).exp(),
                strike: k,
                t: tau,
                discount: (-i.rate * tau).exp(),
            },
            vol,
        )
        .ok()
    };
    let Some(c) = continuation(s) else {
        out.note = format!("dividend {div:.2} on {ex}: could not price the call");
        return out;
    };
    // Measured against the ex-dividend intrinsic S − D − K (not floored at 0), so that
    // "extrinsic < dividend" is exactly "continuation < S − K".
    let extrinsic = c - (s - div - k);
    out.extrinsic_before_ex = Some(extrinsic);
    out.exercise_optimal = s > k && extrinsic < div;
    out.critical_spot = critical_spot(k, div, i.rate, tau, &continuation);
    // The American model with the discrete dividend: the probability of exercise on the eve
    // and the critical spot there, replacing the rule's yes/no where it prices.
    let t = year_fraction(&i.as_of, i.expiry);
    let american = AmericanInputs {
        right: Right::Call,
        spot: s,
        strike: k,
        t,
        rate: i.rate,
        div_yield: 0.0,
        dividends: vec![CashDividend {
            t: ex_dividend_years(&i.as_of, ex),
            amount: div,
        }],
    };
    if let Ok(r) = early_exercise(&american, vol.clamp(1e-4, 10.0)) {
        if let Some(p) = r.p_early_exercise {
            out.model = AMERICAN_MODEL;
            out.probability = Some(p);
            out.critical_spot = r.critical_spot;
            out.exercise_optimal = r.critical_spot.is_some_and(|c| s >= c);
            out.note = format!(
                "American model, dividend {div:.2} going ex {ex} (exercise by the close of \
                 {eve}): P(early exercise) {:.1} %{}; extrinsic after the dividend {extrinsic:.2}",
                p * 100.0,
                match r.critical_spot {
                    Some(c) => format!(", optimal above {c:.2} on the eve"),
                    None => ", never optimal (the dividend is below the interest on the strike)"
                        .to_string(),
                }
            );
            return out;
        }
    }
    out.note =
        format!(
        "ex-date rule on {eve} (eve of ex-date {ex}): extrinsic after the dividend {extrinsic:.2} \
         {} the dividend {div:.2}{}",
        if extrinsic < div { "below" } else { "not below" },
        if s > k {
            ""
        } else {
            " (out of the money today)"
        }
    );
    out
}

/// The spot above which continuation is worth less than exercise: g(x) = C(x) − (x − K)
/// falls in x (∂g/∂x = N(d1) − 1 < 0) from g(K) > 0 towards K·(1 − e^{−rτ}) − D.
fn critical_spot(
    k: f64,
    div: f64,
    rate: f64,
    tau: f64,
    continuation: &dyn Fn(f64) -> Option<f64>,
) -> Option<f64> {
    if k * (1.0 - (-rate * tau).exp()) - div >= 0.0 {
        return None;
    }
    let g = |x: f64| continuation(x).map(|c| c - (x - k));
    let mut lo = k;
    let mut hi = 2.0 * k + div;
    let mut steps = 0;
    while g(hi)? >= 0.0 {
        hi = k + 2.0 * (hi - k);
        steps += 1;
        if steps > 60 {
            return None;
        }
    }
    if g(lo)? < 0.0 {
        return Some(lo);
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if g(mid)? >= 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-9 * k {
            break;
        }
    }
    Some(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn inputs(spot: f64, ex: NaiveDate, div: f64) -> EarlyAssignmentInputs {
        EarlyAssignmentInputs {
            // Monday 2026-11-16 10:30 New York.
            as_of: FixedOffset::west_opt(5 * 3600)
                .unwrap()
                .with_ymd_and_hms(2026, 11, 16, 10, 30, 0)
                .unwrap(),
            spot,
            strike: 90.0,
            expiry: d(2026, 12, 18),
            vol: Some(0.25),
            rate: 0.04,
            ex_date: Some(ex),
            dividend: Some(div),
        }
    }

    #[test]
    fn deep_in_the_money_before_a_large_dividend_is_exercised() {
        // Ex-date Thursday 2026-12-10: the eve is Wednesday the 9th, 9 days before expiry.
        let r = early_assignment(&inputs(110.0, d(2026, 12, 10), 1.5));
        assert_eq!(r.model, AMERICAN_MODEL);
        assert_eq!(r.exercise_by, Some(d(2026, 12, 9)));
        assert!(r.exercise_optimal, "{r:?}");
        assert!(r.is_likely(0.5));
        let p = r.probability.unwrap();
        assert!(p > 0.8 && p <= 1.0, "{p}");
        // Deep in the money the extrinsic left is about K(1 − e^{−rτ}) ≈ 0.089.
        let tau = year_fraction(&expiry_instant(d(2026, 12, 9)), d(2026, 12, 18));
        let floor = 90.0 * (1.0 - (-0.04 * tau).exp());
        let x = r.extrinsic_before_ex.unwrap();
        assert!(x >= floor - 1e-12 && x < floor + 0.01, "{x} vs {floor}");
        // At the critical spot continuation equals exercise.
        let cs = r.critical_spot.unwrap();
        assert!(cs > 90.0 && cs < 110.0, "{cs}");
        let at = early_assignment(&inputs(cs + 0.01, d(2026, 12, 10), 1.5));
        let below = early_assignment(&inputs(cs - 0.01, d(2026, 12, 10), 1.5));
        assert!(at.exercise_optimal && !below.exercise_optimal);
    }

    #[test]
    fn small_dividends_out_of_the_money_and_past_ex_dates_are_not() {
        // 0.05 < K(1 − e^{−rτ}) ≈ 0.089: never worth exercising, no critical spot.
        let r = early_assignment(&inputs(130.0, d(2026, 12, 10), 0.05));
        assert!(!r.exercise_optimal && r.critical_spot.is_none(), "{r:?}");
        // Out of the money: nothing to exercise.
        // Out of the money today: not optimal now, a modest chance by the eve.
        let r = early_assignment(&inputs(85.0, d(2026, 12, 10), 1.5));
        assert!(!r.exercise_optimal);
        let p = r.probability.unwrap();
        assert!(p > 0.0 && p < 0.3, "{p}");
        assert!(r.note.contains("P(early exercise)"), "{}", r.note);
        // Ex-date today: the deadline (yesterday's close) has passed.
        let r = early_assignment(&inputs(110.0, d(2026, 11, 16), 1.5));
        assert!(!r.exercise_optimal && r.ex_date.is_none());
        assert!(r.note.contains("has passed"), "{}", r.note);
        // After expiry, nothing at stake.
        let r = early_assignment(&inputs(110.0, d(2026, 12, 21), 1.5));
        assert!(r.ex_date.is_none());
    }

    #[test]
    fn on_the_ex_date_not_today() {
        // At the money a month before expiry, today's extrinsic (≈ 2.6 at 25 % vol) is above
        // a 1.00 dividend, but on the eve one day before expiry (ex-date 2026-12-18) the
        // extrinsic left after the dividend is small: the rule compares there.
        let mut i = inputs(92.0, d(2026, 12, 18), 1.0);
        i.strike = 90.0;
        let r = early_assignment(&i);
        assert_eq!(r.exercise_by, Some(d(2026, 12, 17)));
        assert!(r.exercise_optimal, "{r:?}");
    }
}

//! The entry rules: one small function per filter, each saying of one call whether it passes
//! (perhaps with a flag to read it with) or is rejected, and why.
//!
//! [`super::evaluate`] applies them in the order of the lists below; that order is the order
//! of a rejected strike's reasons and of a candidate's flags, so it is part of the output.
//!
//! * [`QUOTE_RULES`]: the quote itself (expiry, bid against intrinsic, crossed or one-sided,
//!   a mid on the mid basis). When none of them rejects, [`no_iv`] asks for an IV; a quote
//!   already rejected for its sides would only repeat itself with "no IV".
//! * [`ENTRY_RULES`]: the user's limits that need no model (cost basis, open interest, bid,
//!   spread, earnings).
//! * [`METRIC_RULES`]: the limits on the metrics (assignment, cushion, annualized yield) and
//!   the ex-dividend reading, run only on a call whose metrics could be computed.

use super::{early_exercise_reading, Subject};
use crate::plan::metrics::CallMetrics;
use crate::plan::params::{EarningsPolicy, PremiumBasis};
use crate::plan::reason::{CandidateFlag, RejectReason};

/// What one rule says of a call: `Ok(None)` passes, `Ok(Some(flag))` passes with a flag,
/// `Err(reason)` rejects.
pub(super) type Ruling = std::result::Result<Option<CandidateFlag>, RejectReason>;

/// A rule on the quote and the user's limits.
pub(super) type Rule = fn(&Subject<'_>) -> Ruling;

/// A rule that reads the call's metrics.
pub(super) type MetricRule = fn(&Subject<'_>, &CallMetrics) -> Ruling;

/// The rules on the quote itself, in order.
pub(super) const QUOTE_RULES: [Rule; 4] = [expires_today, below_intrinsic, sides, no_mid];

/// The user's limits that need no model, in order.
pub(super) const ENTRY_RULES: [Rule; 5] = [
    below_cost_basis,
    min_open_interest,
    min_bid,
    max_spread,
    earnings_before_expiry,
];

/// The rules on the metrics, in order.
pub(super) const METRIC_RULES: [MetricRule; 4] = [
    max_assignment,
    min_cushion,
    min_annualized_yield,
    ex_dividend_before_expiry,
];

/// A call expiring today is rejected unless 0DTE calls are allowed, when it is flagged.
pub(super) fn expires_today(s: &Subject<'_>) -> Ruling {
    if s.slice.dte > 0 {
        Ok(None)
    } else if s.cx.params.allow_0dte {
        Ok(Some(CandidateFlag::UnderOneDay))
    } else {
        Err(RejectReason::ExpiresToday {
            expiry: s.slice.expiry,
        })
    }
}

/// A bid below intrinsic value (spot − strike) on an uncrossed quote.
pub(super) fn below_intrinsic(s: &Subject<'_>) -> Ruling {
    match s.bid {
        Some(bid) if !s.q.flags.crossed => {
            let intrinsic = (s.cx.spot - s.q.contract.strike).max(0.0);
            if bid < intrinsic {
                Err(RejectReason::BelowIntrinsic { bid, intrinsic })
            } else {
                Ok(None)
            }
        }
        _ => Ok(None),
    }
}

/// A crossed quote (bid above ask), or one without a bid to sell into.
pub(super) fn sides(s: &Subject<'_>) -> Ruling {
    if s.q.flags.crossed {
        match (s.q.bid, s.q.ask) {
            (Some(bid), Some(ask)) => Err(RejectReason::Crossed { bid, ask }),
            _ => Ok(None),
        }
    } else if s.bid.is_none() {
        Err(RejectReason::NoBid)
    } else {
        Ok(None)
    }
}

/// On the mid basis, a quote with a bid but no usable mid (the ask is missing).
pub(super) fn no_mid(s: &Subject<'_>) -> Ruling {
    let mid = s.q.mid.filter(|m| *m > 0.0);
    if s.cx.params.basis == PremiumBasis::Mid
        && mid.is_none()
        && !s.q.flags.crossed
        && s.bid.is_some()
    {
        Err(RejectReason::NoMid)
    } else {
        Ok(None)
    }
}

/// A call without an implied volatility (applied only when the quote rules passed it).
pub(super) fn no_iv(s: &Subject<'_>) -> Ruling {
    match s.iv {
        Some(_) => Ok(None),
        None => Err(RejectReason::NoIv),
    }
}

/// A strike below the holding's cost basis: rejected, or flagged when allowed.
pub(super) fn below_cost_basis(s: &Subject<'_>) -> Ruling {
    let strike = s.q.contract.strike;
    match s.cx.holding.cost_basis.filter(|c| c.is_finite()) {
        Some(cost_basis) if strike < cost_basis => {
            if s.cx.params.allow_below_basis {
                Ok(Some(CandidateFlag::BelowCostBasis))
            } else {
                Err(RejectReason::BelowCostBasis { strike, cost_basis })
            }
        }
        _ => Ok(None),
    }
}

/// Open interest under the minimum (a missing figure counts as 0).
pub(super) fn min_open_interest(s: &Subject<'_>) -> Ruling {
    let min = s.cx.params.min_open_interest;
    let open_interest = s.q.open_interest.unwrap_or(0);
    if min > 0 && open_interest < min {
        Err(RejectReason::MinOpenInterest { open_interest, min })
    } else {
        Ok(None)
    }
}

/// A bid under the minimum.
pub(super) fn min_bid(s: &Subject<'_>) -> Ruling {
    let min = s.cx.params.min_bid;
    match s.bid {
        Some(bid) if bid < min => Err(RejectReason::MinBid { bid, min }),
        _ => Ok(None),
    }
}

/// A spread wider than the maximum, as a fraction of mid (no spread to read counts as wider).
pub(super) fn max_spread(s: &Subject<'_>) -> Ruling {
    let Some(max) = s.cx.params.max_spread else {
        return Ok(None);
    };
    if s.bid.is_none() || s.q.flags.crossed {
        return Ok(None);
    }
    let spread = s.q.spread_fraction();
    if spread.is_none_or(|x| x > max) {
        Err(RejectReason::MaxSpread { spread, max })
    } else {
        Ok(None)
    }
}

/// Earnings from today to expiry: rejected or flagged, by the earnings policy.
pub(super) fn earnings_before_expiry(s: &Subject<'_>) -> Ruling {
    let Some(earnings) = s.cx.holding.events.next_earnings else {
        return Ok(None);
    };
    if earnings < s.cx.today || earnings > s.slice.expiry {
        return Ok(None);
    }
    match s.cx.params.earnings {
        EarningsPolicy::Exclude => Err(RejectReason::EarningsBeforeExpiry {
            earnings,
            expiry: s.slice.expiry,
        }),
        EarningsPolicy::Flag => Ok(Some(CandidateFlag::EarningsBeforeExpiry { earnings })),
    }
}

/// An assignment probability, N(d2), above the maximum.
pub(super) fn max_assignment(s: &Subject<'_>, m: &CallMetrics) -> Ruling {
    match s.cx.params.max_assignment {
        Some(max) if m.assignment_probability > max => Err(RejectReason::MaxAssignment {
            probability: m.assignment_probability,
            max,
        }),
        _ => Ok(None),
    }
}

/// A downside cushion under the minimum.
pub(super) fn min_cushion(s: &Subject<'_>, m: &CallMetrics) -> Ruling {
    match s.cx.params.min_cushion {
        Some(min) if m.cushion < min => Err(RejectReason::MinCushion {
            cushion: m.cushion,
            min,
        }),
        _ => Ok(None),
    }
}

/// An annualized premium yield under the minimum.
pub(super) fn min_annualized_yield(s: &Subject<'_>, m: &CallMetrics) -> Ruling {
    match s.cx.params.min_annualized_yield {
        Some(min) if m.premium_yield_annualized < min => Err(RejectReason::MinAnnualizedYield {
            annualized_yield: m.premium_yield_annualized,
            min,
        }),
        _ => Ok(None),
    }
}

/// The holding's ex-dividend date after today and by expiry: the American model's probability
/// of exercise on the eve rejects at or above the maximum and flags below it; without an IV,
/// the rule of thumb (an in-the-money call whose extrinsic value is below the dividend) rejects.
/// An ex-date today has passed its exercise deadline (the close before).
pub(super) fn ex_dividend_before_expiry(s: &Subject<'_>, m: &CallMetrics) -> Ruling {
    let Some(ex_date) = s.cx.holding.events.ex_dividend else {
        return Ok(None);
    };
    if ex_date <= s.cx.today || ex_date > s.slice.expiry {
        return Ok(None);
    }
    let dividend =
        s.cx.holding
            .events
            .dividend
            .filter(|d| d.is_finite() && *d > 0.0);
    match (dividend, s.iv) {
        (Some(dividend), Some(vol)) => {
            let max = s.cx.params.max_early_assignment;
            let strike = s.q.contract.strike;
            match early_exercise_reading(s.cx.spot, strike, s.slice, ex_date, dividend, vol) {
                Some((probability, critical_spot)) if probability >= max => {
                    Err(RejectReason::EarlyAssignment {
                        ex_date,
                        dividend,
                        probability,
                        critical_spot,
                        max,
                    })
                }
                Some((probability, critical_spot)) => Ok(Some(CandidateFlag::EarlyExercise {
                    ex_date,
                    dividend,
                    probability,
                    critical_spot,
                })),
                None => Ok(Some(CandidateFlag::ExDividendBeforeExpiry { ex_date })),
            }
        }
        (Some(dividend), None) if m.intrinsic > 0.0 && m.extrinsic < dividend => {
            Err(RejectReason::EarlyAssignmentDividend {
                ex_date,
                dividend,
                extrinsic: m.extrinsic,
            })
        }
        _ => Ok(Some(CandidateFlag::ExDividendBeforeExpiry { ex_date })),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::model::{Holding, OptionContract, Right};
    use crate::plan::params::PlanParams;
    use crate::plan::suggest::Context;
    use crate::surface::{
        ExpirySlice, FallbackReason, ForwardEstimate, ForwardMethod, QuoteAnalytics, QuoteFlags,
    };

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default()
    }

    /// A 30-day expiry on Dec 18 (today Nov 18), spot 100, no carry.
    fn slice(dte: i64) -> ExpirySlice {
        let t = dte.max(0) as f64 / 365.0;
        ExpirySlice {
            expiry: day(12, 18),
            t,
            dte,
            forward: ForwardEstimate {
                forward: 100.0,
                discount: 1.0,
                implied_rate: 0.0,
                implied_yield: 0.0,
                method: ForwardMethod::Fallback {
                    reason: FallbackReason::MissingSide,
                },
            },
            calls: Vec::new(),
            puts: Vec::new(),
            smile: Vec::new(),
            american: None,
        }
    }

    fn quote(strike: f64, bid: Option<f64>, ask: Option<f64>) -> QuoteAnalytics {
        let mid = match (bid, ask) {
            (Some(b), Some(a)) if b <= a => Some((b + a) / 2.0),
            _ => None,
        };
        QuoteAnalytics {
            contract: OptionContract::new("XYZ", day(12, 18), strike, Right::Call)
                .unwrap_or_else(|e| panic!("{e}")),
            multiplier: 100,
            bid,
            ask,
            mid,
            last: None,
            volume: Some(10),
            open_interest: Some(500),
            iv_bid: Some(0.30),
            iv_mid: Some(0.31),
            iv_ask: Some(0.32),
            greeks: None,
            flags: QuoteFlags {
                crossed: matches!((bid, ask), (Some(b), Some(a)) if b > a),
                ..QuoteFlags::default()
            },
            model: Default::default(),
        }
    }

    fn holding() -> Holding {
        Holding {
            symbol: "XYZ".into(),
            shares: 100,
            cost_basis: None,
            written: Vec::new(),
            assign_ok_above: None,
            events: Default::default(),
        }
    }

    fn context<'a>(holding: &'a Holding, params: &'a PlanParams) -> Context<'a> {
        Context {
            holding,
            params,
            spot: 100.0,
            today: day(11, 18),
            realized_vol: None,
            written_contracts: 0,
            weights: params.effective_weights(),
            target_delta: params.profile.target_delta(),
            penny: false,
        }
    }

    /// Run `f` on the subject of one quote.
    fn rule_on(
        holding: &Holding,
        params: &PlanParams,
        slice: &ExpirySlice,
        q: &QuoteAnalytics,
        f: impl Fn(&Subject<'_>) -> Ruling,
    ) -> Ruling {
        let cx = context(holding, params);
        let s = Subject {
            cx: &cx,
            slice,
            q,
            bid: q.bid.filter(|b| *b > 0.0),
            iv: q.iv(),
        };
        f(&s)
    }

    fn metrics(premium: f64, strike: f64) -> CallMetrics {
        CallMetrics {
            premium,
            intrinsic: (100.0 - strike).max(0.0),
            extrinsic: premium - (100.0 - strike).max(0.0),
            premium_yield: 0.02,
            premium_yield_annualized: 0.25,
            cushion: premium / 100.0,
            break_even: 100.0 - premium,
            if_called_return: 0.07,
            if_called_annualized: 0.9,
            assignment_probability: 0.30,
            delta: 0.32,
            touch_probability: 0.6,
            theta_per_day: -0.05,
            iv: 0.31,
            gain_if_called: None,
            realized_vol: None,
            edge: None,
        }
    }

    #[test]
    fn expires_today_rejects_or_flags() {
        let (h, q) = (holding(), quote(105.0, Some(1.0), Some(1.1)));
        let p = PlanParams::default();
        assert_eq!(rule_on(&h, &p, &slice(30), &q, expires_today), Ok(None));
        assert_eq!(
            rule_on(&h, &p, &slice(0), &q, expires_today),
            Err(RejectReason::ExpiresToday {
                expiry: day(12, 18)
            })
        );
        let p = PlanParams {
            allow_0dte: true,
            ..PlanParams::default()
        };
        assert_eq!(
            rule_on(&h, &p, &slice(0), &q, expires_today),
            Ok(Some(CandidateFlag::UnderOneDay))
        );
    }

    #[test]
    fn below_intrinsic_on_uncrossed_bids_only() {
        let (h, p, sl) = (holding(), PlanParams::default(), slice(30));
        // Strike 90 on a spot of 100: intrinsic 10.
        let low = quote(90.0, Some(9.5), Some(10.5));
        assert_eq!(
            rule_on(&h, &p, &sl, &low, below_intrinsic),
            Err(RejectReason::BelowIntrinsic {
                bid: 9.5,
                intrinsic: 10.0
            })
        );
        let fair = quote(90.0, Some(10.2), Some(10.6));
        assert_eq!(rule_on(&h, &p, &sl, &fair, below_intrinsic), Ok(None));
        // A crossed quote is reported as crossed, not as below intrinsic.
        let crossed = quote(90.0, Some(9.5), Some(9.0));
        assert_eq!(rule_on(&h, &p, &sl, &crossed, below_intrinsic), Ok(None));
        assert_eq!(
            rule_on(&h, &p, &sl, &crossed, sides),
            Err(RejectReason::Crossed { bid: 9.5, ask: 9.0 })
        );
    }

    #[test]
    fn sides_want_a_bid() {
        let (h, p, sl) = (holding(), PlanParams::default(), slice(30));
        for bid in [None, Some(0.0)] {
            let q = quote(110.0, bid, Some(0.05));
            assert_eq!(rule_on(&h, &p, &sl, &q, sides), Err(RejectReason::NoBid));
        }
        let q = quote(110.0, Some(0.5), None);
        assert_eq!(rule_on(&h, &p, &sl, &q, sides), Ok(None));
    }

    #[test]
    fn no_mid_only_on_the_mid_basis() {
        let (h, sl) = (holding(), slice(30));
        let one_sided = quote(110.0, Some(0.5), None);
        let bid_basis = PlanParams::default();
        assert_eq!(rule_on(&h, &bid_basis, &sl, &one_sided, no_mid), Ok(None));
        let mid_basis = PlanParams {
            basis: PremiumBasis::Mid,
            ..PlanParams::default()
        };
        assert_eq!(
            rule_on(&h, &mid_basis, &sl, &one_sided, no_mid),
            Err(RejectReason::NoMid)
        );
        let two_sided = quote(110.0, Some(0.5), Some(0.6));
        assert_eq!(rule_on(&h, &mid_basis, &sl, &two_sided, no_mid), Ok(None));
    }

    #[test]
    fn no_iv_rejects_without_one() {
        let (h, p, sl) = (holding(), PlanParams::default(), slice(30));
        let mut q = quote(110.0, Some(0.5), Some(0.6));
        assert_eq!(rule_on(&h, &p, &sl, &q, no_iv), Ok(None));
        q.iv_mid = None;
        assert_eq!(
            rule_on(&h, &p, &sl, &q, no_iv),
            Ok(None),
            "the bid's IV serves"
        );
        q.iv_bid = None;
        assert_eq!(rule_on(&h, &p, &sl, &q, no_iv), Err(RejectReason::NoIv));
    }

    #[test]
    fn cost_basis_rejects_or_flags_lower_strikes() {
        let (p, sl) = (PlanParams::default(), slice(30));
        let h = Holding {
            cost_basis: Some(105.0),
            ..holding()
        };
        let below = quote(104.0, Some(1.0), Some(1.1));
        assert_eq!(
            rule_on(&h, &p, &sl, &below, below_cost_basis),
            Err(RejectReason::BelowCostBasis {
                strike: 104.0,
                cost_basis: 105.0
            })
        );
        let at = quote(105.0, Some(1.0), Some(1.1));
        assert_eq!(rule_on(&h, &p, &sl, &at, below_cost_basis), Ok(None));
        let allow = PlanParams {
            allow_below_basis: true,
            ..PlanParams::default()
        };
        assert_eq!(
            rule_on(&h, &allow, &sl, &below, below_cost_basis),
            Ok(Some(CandidateFlag::BelowCostBasis))
        );
        let nan = Holding {
            cost_basis: Some(f64::NAN),
            ..holding()
        };
        assert_eq!(rule_on(&nan, &p, &sl, &below, below_cost_basis), Ok(None));
    }

    #[test]
    fn open_interest_minimum() {
        let (h, sl) = (holding(), slice(30));
        let mut q = quote(110.0, Some(0.5), Some(0.6));
        let p = PlanParams {
            min_open_interest: 600,
            ..PlanParams::default()
        };
        assert_eq!(
            rule_on(&h, &p, &sl, &q, min_open_interest),
            Err(RejectReason::MinOpenInterest {
                open_interest: 500,
                min: 600
            })
        );
        q.open_interest = None;
        assert_eq!(
            rule_on(&h, &p, &sl, &q, min_open_interest),
            Err(RejectReason::MinOpenInterest {
                open_interest: 0,
                min: 600
            })
        );
        let none = PlanParams::default();
        assert_eq!(rule_on(&h, &none, &sl, &q, min_open_interest), Ok(None));
    }

    #[test]
    fn bid_minimum() {
        let (h, sl) = (holding(), slice(30));
        let p = PlanParams {
            min_bid: 0.10,
            ..PlanParams::default()
        };
        let cheap = quote(130.0, Some(0.05), Some(0.10));
        assert_eq!(
            rule_on(&h, &p, &sl, &cheap, min_bid),
            Err(RejectReason::MinBid {
                bid: 0.05,
                min: 0.10
            })
        );
        let ok = quote(130.0, Some(0.10), Some(0.15));
        assert_eq!(rule_on(&h, &p, &sl, &ok, min_bid), Ok(None));
    }

    #[test]
    fn spread_maximum() {
        let (h, sl) = (holding(), slice(30));
        let p = PlanParams {
            max_spread: Some(0.10),
            ..PlanParams::default()
        };
        // (1.2 − 1.0) / 1.1 = 0.1818…
        let wide = quote(110.0, Some(1.0), Some(1.2));
        match rule_on(&h, &p, &sl, &wide, max_spread) {
            Err(RejectReason::MaxSpread {
                spread: Some(x),
                max,
            }) => {
                assert!((x - 0.2 / 1.1).abs() < 1e-12, "{x}");
                assert_eq!(max, 0.10);
            }
            other => panic!("{other:?}"),
        }
        let one_sided = quote(110.0, Some(1.0), None);
        assert_eq!(
            rule_on(&h, &p, &sl, &one_sided, max_spread),
            Err(RejectReason::MaxSpread {
                spread: None,
                max: 0.10
            })
        );
        let tight = quote(110.0, Some(1.0), Some(1.05));
        assert_eq!(rule_on(&h, &p, &sl, &tight, max_spread), Ok(None));
        let no_limit = PlanParams::default();
        assert_eq!(rule_on(&h, &no_limit, &sl, &wide, max_spread), Ok(None));
    }

    #[test]
    fn earnings_inside_the_expiry() {
        let (sl, q) = (slice(30), quote(110.0, Some(1.0), Some(1.1)));
        let mut h = holding();
        let p = PlanParams::default();
        for (earnings, inside) in [
            (day(11, 18), true),
            (day(12, 18), true),
            (day(11, 17), false),
            (day(12, 19), false),
        ] {
            h.events.next_earnings = Some(earnings);
            let got = rule_on(&h, &p, &sl, &q, earnings_before_expiry);
            if inside {
                assert_eq!(
                    got,
                    Err(RejectReason::EarningsBeforeExpiry {
                        earnings,
                        expiry: day(12, 18)
                    })
                );
            } else {
                assert_eq!(got, Ok(None), "{earnings}");
            }
        }
        h.events.next_earnings = Some(day(12, 1));
        let flag = PlanParams {
            earnings: EarningsPolicy::Flag,
            ..PlanParams::default()
        };
        assert_eq!(
            rule_on(&h, &flag, &sl, &q, earnings_before_expiry),
            Ok(Some(CandidateFlag::EarningsBeforeExpiry {
                earnings: day(12, 1)
            }))
        );
    }

    #[test]
    fn metric_limits() {
        let (h, sl, q) = (holding(), slice(30), quote(110.0, Some(2.0), Some(2.1)));
        let m = metrics(2.0, 110.0);
        let p = PlanParams {
            max_assignment: Some(0.25),
            min_cushion: Some(0.03),
            min_annualized_yield: Some(0.30),
            ..PlanParams::default()
        };
        assert_eq!(
            rule_on(&h, &p, &sl, &q, |s| max_assignment(s, &m)),
            Err(RejectReason::MaxAssignment {
                probability: 0.30,
                max: 0.25
            })
        );
        assert_eq!(
            rule_on(&h, &p, &sl, &q, |s| min_cushion(s, &m)),
            Err(RejectReason::MinCushion {
                cushion: 0.02,
                min: 0.03
            })
        );
        assert_eq!(
            rule_on(&h, &p, &sl, &q, |s| min_annualized_yield(s, &m)),
            Err(RejectReason::MinAnnualizedYield {
                annualized_yield: 0.25,
                min: 0.30
            })
        );
        let loose = PlanParams {
            max_assignment: Some(0.30),
            min_cushion: Some(0.02),
            min_annualized_yield: Some(0.25),
            ..PlanParams::default()
        };
        for rule in METRIC_RULES.into_iter().take(3) {
            assert_eq!(rule_on(&h, &loose, &sl, &q, |s| rule(s, &m)), Ok(None));
        }
    }

    #[test]
    fn ex_dividend_reads_the_american_model() {
        let sl = slice(30);
        let mut h = holding();
        h.events.ex_dividend = Some(day(12, 16));
        h.events.dividend = Some(3.0);
        let p = PlanParams::default();
        // Deep in the money, 3.00 going ex two days before expiry: exercise on the eve is
        // all but certain.
        let deep = quote(80.0, Some(20.0), Some(20.2));
        match rule_on(&h, &p, &sl, &deep, |s| {
            ex_dividend_before_expiry(s, &metrics(20.0, 80.0))
        }) {
            Err(RejectReason::EarlyAssignment {
                ex_date,
                dividend,
                probability,
                max,
                ..
            }) => {
                assert_eq!((ex_date, dividend, max), (day(12, 16), 3.0, 0.20));
                assert!(probability > 0.9, "{probability}");
            }
            other => panic!("{other:?}"),
        }
        // Far out of the money: some chance, flagged with it.
        let otm = quote(125.0, Some(0.2), Some(0.25));
        match rule_on(&h, &p, &sl, &otm, |s| {
            ex_dividend_before_expiry(s, &metrics(0.2, 125.0))
        }) {
            Ok(Some(CandidateFlag::EarlyExercise {
                ex_date,
                probability,
                ..
            })) => {
                assert_eq!(ex_date, day(12, 16));
                assert!((0.0..0.05).contains(&probability), "{probability}")
            }
            other => panic!("{other:?}"),
        }
        // No IV: the rule of thumb, extrinsic 0.50 below the 3.00 dividend.
        let mut no_iv = quote(90.0, Some(10.5), Some(10.7));
        no_iv.iv_mid = None;
        no_iv.iv_bid = None;
        assert_eq!(
            rule_on(&h, &p, &sl, &no_iv, |s| {
                ex_dividend_before_expiry(s, &metrics(10.5, 90.0))
            }),
            Err(RejectReason::EarlyAssignmentDividend {
                ex_date: day(12, 16),
                dividend: 3.0,
                extrinsic: 0.5
            })
        );
        // An ex-date today or after expiry is not this call's concern.
        for ex in [day(11, 18), day(12, 21)] {
            h.events.ex_dividend = Some(ex);
            assert_eq!(
                rule_on(&h, &p, &sl, &deep, |s| {
                    ex_dividend_before_expiry(s, &metrics(20.0, 80.0))
                }),
                Ok(None)
            );
        }
    }
}

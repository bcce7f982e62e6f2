//! The score that ranks candidates: a transparent linear trade of yield against cushion and
//! assignment, centred on the profile's target delta.
//!
//! ```text
//! score = w_y · annualized premium yield        (extrinsic / S × 365 / max(DTE, 1))
//!       + w_c · downside cushion                (P / S)
//!       − w_a · assignment probability          (N(d2) on the implied forward)
//!       − w_d · ((delta − target delta) / 0.10)²  (target 0.15 / 0.25 / 0.35 by profile)
//! ```
//!
//! Every term is a plain decimal, so the components can be shown and summed by hand; each
//! candidate carries them in [`ScoreBreakdown`]. The delta term is what makes a profile a
//! profile: without it the score would always pick the richest strike, and the yield and
//! assignment terms then decide between strikes near the target and between expiries (short
//! expiries earn more per year, longer ones more cushion). It is quadratic, in units of 0.10
//! of delta, because simple annualization (× 365 / DTE) makes a near-the-money call a few
//! days out look enormously rich: with a linear penalty a balanced plan picked a 0.51-delta
//! 4-day call over a 0.28-delta one; squared, a miss of 0.05 costs 0.25 and a miss of 0.25
//! costs 6.25, so the profile's target holds while small misses still trade against yield.
//! Preset weights (yield 1, cushion 1, delta distance 1; assignment 1 / 0.5 / 0.25 for
//! conservative / balanced / aggressive) are replaced wholesale by user weights when given.
//!
//! Ties are broken by expiry, then strike, both ascending, so the ranking is deterministic.

use std::cmp::Ordering;

use serde::Serialize;

use super::metrics::CallMetrics;
use super::params::ScoreWeights;

/// The unit of delta the delta penalty is measured in.
pub const DELTA_UNIT: f64 = 0.10;

/// A candidate's score and the terms it is the sum of.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoreBreakdown {
    /// w_y × annualized premium yield.
    pub yield_term: f64,
    /// w_c × cushion.
    pub cushion_term: f64,
    /// −w_a × assignment probability (≤ 0).
    pub assignment_term: f64,
    /// −w_d × ((delta − target) / 0.10)² (≤ 0).
    pub delta_term: f64,
    /// The sum.
    pub total: f64,
    /// The target delta the delta term is centred on.
    pub target_delta: f64,
}

/// Score one candidate.
pub fn score(m: &CallMetrics, weights: &ScoreWeights, target_delta: f64) -> ScoreBreakdown {
    let yield_term = weights.annualized_yield * m.premium_yield_annualized;
    let cushion_term = weights.cushion * m.cushion;
    let assignment_term = -weights.assignment * m.assignment_probability;
    let miss = (m.delta - target_delta) / DELTA_UNIT;
    let delta_term = -weights.delta_distance * miss * miss;
    ScoreBreakdown {
        yield_term,
        cushion_term,
        assignment_term,
        delta_term,
        total: yield_term + cushion_term + assignment_term + delta_term,
        target_delta,
    }
}

impl ScoreBreakdown {
    /// The terms with their names, in a fixed order.
    pub fn terms(&self) -> [(&'static str, f64); 4] {
        [
            ("yield", self.yield_term),
            ("cushion", self.cushion_term),
            ("assignment", self.assignment_term),
            ("delta distance", self.delta_term),
        ]
    }
}

/// Ranking order: higher total first, then earlier expiry, then lower strike.
pub(crate) fn rank_order(
    a: (f64, chrono::NaiveDate, f64),
    b: (f64, chrono::NaiveDate, f64),
) -> Ordering {
    b.0.total_cmp(&a.0)
        .then(a.1.cmp(&b.1))
        .then(a.2.total_cmp(&b.2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn ties_break_by_expiry_then_strike() {
        let e1 = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
        let e2 = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        let mut rows = vec![
            (0.5, e2, 100.0),
            (0.5, e1, 105.0),
            (0.7, e2, 110.0),
            (0.5, e1, 100.0),
            (f64::NEG_INFINITY, e1, 90.0),
        ];
        rows.sort_by(|a, b| rank_order(*a, *b));
        assert_eq!(
            rows,
            vec![
                (0.7, e2, 110.0),
                (0.5, e1, 100.0),
                (0.5, e1, 105.0),
                (0.5, e2, 100.0),
                (f64::NEG_INFINITY, e1, 90.0),
            ]
        );
    }
}

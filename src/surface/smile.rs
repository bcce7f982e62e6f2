//! One expiry's smile: IV against log-moneyness on the implied forward, with the readings the
//! regime module and the skew display need (forward-ATM IV, IV at a moneyness, IV at a delta).
//!
//! Each strike contributes the mid IV of its out-of-the-money side (puts below F, calls at or
//! above F), falling back to the other side: OTM options carry the liquidity and have no
//! intrinsic value to drown the time value. Values between strikes are interpolated linearly
//! in x = ln(K/F); nothing is extrapolated beyond the listed strikes, because a flat or linear
//! wing is a modelling choice the caller should make knowingly.

use serde::Serialize;

use crate::model::Right;

use super::forward::ForwardEstimate;
use super::quote::{spot_delta, QuoteAnalytics};

/// One point of the smile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SmilePoint {
    /// Strike, USD.
    pub strike: f64,
    /// ln(K/F).
    pub log_moneyness: f64,
    /// Mid IV of the OTM side (else the other side), decimal.
    pub iv: f64,
}

/// Build the smile from the analysed calls and puts of one expiry (each ascending by strike).
pub(crate) fn build_smile(
    calls: &[QuoteAnalytics],
    puts: &[QuoteAnalytics],
    forward: f64,
) -> Vec<SmilePoint> {
    let mut points: Vec<SmilePoint> = Vec::with_capacity(calls.len().max(puts.len()));
    let (mut i, mut j) = (0, 0);
    while i < calls.len() || j < puts.len() {
        let kc = calls.get(i).map(|q| q.contract.strike_millis());
        let kp = puts.get(j).map(|q| q.contract.strike_millis());
        let (c, p) = match (kc, kp) {
            (Some(a), Some(b)) if a == b => {
                i += 1;
                j += 1;
                (calls.get(i - 1), puts.get(j - 1))
            }
            (Some(a), Some(b)) if a < b => {
                i += 1;
                (calls.get(i - 1), None)
            }
            (Some(_), None) => {
                i += 1;
                (calls.get(i - 1), None)
            }
            _ => {
                j += 1;
                (None, puts.get(j - 1))
            }
        };
        let strike = match c.or(p) {
            Some(q) => q.contract.strike,
            None => continue,
        };
        let (otm, itm) = if strike >= forward { (c, p) } else { (p, c) };
        let iv = otm
            .and_then(|q| q.iv_mid)
            .or_else(|| itm.and_then(|q| q.iv_mid));
        if let Some(iv) = iv.filter(|v| v.is_finite() && *v > 0.0) {
            points.push(SmilePoint {
                strike,
                log_moneyness: (strike / forward).ln(),
                iv,
            });
        }
    }
    points
}

/// Linear interpolation of IV at log-moneyness `x`; `None` outside the strikes listed.
pub(crate) fn iv_at_log_moneyness(points: &[SmilePoint], x: f64) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    let idx = points.partition_point(|p| p.log_moneyness < x);
    if let Some(p) = points.get(idx) {
        if p.log_moneyness == x {
            return Some(p.iv);
        }
    }
    let hi = points.get(idx)?;
    let lo = points.get(idx.checked_sub(1)?)?;
    let w = (x - lo.log_moneyness) / (hi.log_moneyness - lo.log_moneyness);
    Some(lo.iv + w * (hi.iv - lo.iv))
}

/// IV at a target spot delta (e.g. 0.25 for a call, −0.25 for a put), interpolated linearly in
/// delta between the two smile points that bracket it, scanning from the money outward.
pub(crate) fn iv_at_delta(
    points: &[SmilePoint],
    right: Right,
    target: f64,
    spot: f64,
    t: f64,
    fwd: &ForwardEstimate,
) -> Option<f64> {
    if !target.is_finite() {
        return None;
    }
    let deltas: Vec<Option<f64>> = points
        .iter()
        .map(|p| spot_delta(right, spot, p.strike, t, fwd, p.iv))
        .collect();
    let atm = points.partition_point(|p| p.log_moneyness < 0.0);
    // Calls go out to higher strikes, puts to lower ones.
    let pairs: Vec<(usize, usize)> = match right {
        Right::Call => (atm.saturating_sub(1)..points.len().saturating_sub(1))
            .map(|i| (i, i + 1))
            .collect(),
        Right::Put => (1..=atm.min(points.len().saturating_sub(1)))
            .rev()
            .map(|i| (i, i - 1))
            .collect(),
    };
    for (a, b) in pairs {
        let (da, db) = match (deltas.get(a).copied()?, deltas.get(b).copied()?) {
            (Some(x), Some(y)) => (x, y),
            _ => continue,
        };
        let (lo, hi) = if da <= db { (da, db) } else { (db, da) };
        if target >= lo && target <= hi {
            let (pa, pb) = (points.get(a)?, points.get(b)?);
            if db == da {
                return Some(pa.iv);
            }
            let w = (target - da) / (db - da);
            return Some(pa.iv + w * (pb.iv - pa.iv));
        }
    }
    None
}

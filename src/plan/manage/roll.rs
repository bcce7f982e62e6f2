//! Roll alternatives: buy the written call back at its ask, sell a later call at its bid.
//!
//! A candidate must expire after the old call and within `max_roll_dte` days, sit at or above
//! the old strike (unless roll-down is allowed) and at or above the cost basis (always), not
//! expire on or after the next earnings date (unless allowed), have a bid at or above its
//! intrinsic value, and bring a net credit of at least `min_roll_credit`.
//!
//! They are ranked by what the roll adds if the shares are called at the new expiry, per year
//! of the days it adds: (net credit + strike lift) ÷ S × 365 ÷ max(new DTE − old DTE, 1),
//! the strike lift being max(0, K_new − K_old); ties go to the higher strike, then the nearer
//! expiry. The credit alone, annualized the same way, is shown beside it as the roll's yield.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::plan::metrics::{call_metrics, MetricInputs};
use crate::surface::ChainSurface;

use super::params::ManageParams;

/// One roll alternative. Money in USD per share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollCandidate {
    /// Compact OCC symbol of the new call.
    pub contract: String,
    /// Its expiry.
    pub expiry: NaiveDate,
    /// Calendar days to its expiry.
    pub dte: i64,
    /// Its strike.
    pub strike: f64,
    /// Its bid (the sale's side).
    pub bid: f64,
    /// Its ask.
    pub ask: Option<f64>,
    /// Its mid.
    pub mid: Option<f64>,
    /// Bid of the new call − ask of the old one.
    pub net_credit: f64,
    /// N(d2) of the new call on its forward, decimal.
    pub assignment_probability: Option<f64>,
    /// Its delta.
    pub delta: Option<f64>,
    /// net credit ÷ S × 365 ÷ days added, decimal per year.
    pub annualized_yield: f64,
    /// (net credit + strike lift) ÷ S × 365 ÷ days added: the ranking key.
    pub annualized_if_called: f64,
}

/// What the roll search needs about the old call.
pub(crate) struct OldCall<'a> {
    pub expiry: NaiveDate,
    pub dte: i64,
    pub strike: f64,
    pub ask: Option<f64>,
    pub spot: f64,
    pub cost_basis: Option<f64>,
    pub next_earnings: Option<NaiveDate>,
    pub today: NaiveDate,
    pub surface: &'a ChainSurface,
}

/// The candidates passing every rule, best first (all of them), and the count of the others
/// by reason.
pub(crate) fn roll_candidates(
    old: &OldCall<'_>,
    p: &ManageParams,
) -> (Vec<RollCandidate>, BTreeMap<&'static str, usize>) {
    let mut out = Vec::new();
    let mut rejected: BTreeMap<&'static str, usize> = BTreeMap::new();
    let Some(ask_old) = old.ask.filter(|a| a.is_finite() && *a >= 0.0) else {
        rejected.insert("no ask to buy the call back", 1);
        return (out, rejected);
    };
    for slice in old.surface.slices.iter().filter(|s| s.expiry > old.expiry) {
        if slice.dte > i64::from(p.max_roll_dte) {
            continue;
        }
        for q in &slice.calls {
            let k = q.contract.strike;
            let mut why: Option<&'static str> = None;
            let mut reject = |r: &'static str| {
                why.get_or_insert(r);
            };
            if slice.dte <= 0 && !p.allow_0dte {
                reject("expires today");
            }
            let bid = q.bid.filter(|b| b.is_finite() && *b > 0.0);
            if bid.is_none() {
                reject("no bid");
            }
            if q.flags.crossed {
                reject("crossed quote");
            }
            if k < old.strike && !p.allow_roll_down {
                reject("below the old strike");
            }
            if old.cost_basis.is_some_and(|cb| k < cb) {
                reject("below the cost basis");
            }
            if let Some(e) = old.next_earnings {
                if e >= old.today && e <= slice.expiry && !p.roll_into_earnings {
                    reject("into earnings");
                }
            }
            let bid = bid.unwrap_or(0.0);
            if bid > 0.0 && bid < (old.spot - k).max(0.0) {
                reject("bid below intrinsic");
            }
            let net = bid - ask_old;
            if net < p.min_roll_credit {
                reject("net credit below the minimum");
            }
            if let Some(r) = why {
                *rejected.entry(r).or_insert(0) += 1;
                continue;
            }
            let metrics = q.iv().and_then(|iv| {
                call_metrics(&MetricInputs {
                    spot: old.spot,
                    strike: k,
                    premium: bid,
                    t: slice.t,
                    dte: slice.dte,
                    forward: slice.forward.forward,
                    discount: slice.forward.discount,
                    iv,
                    cost_basis: None,
                    realized_vol: None,
                    greeks: q.greeks,
                })
            });
            let added = (slice.dte - old.dte).max(1) as f64;
            let lift = (k - old.strike).max(0.0);
            out.push(RollCandidate {
                contract: q.contract.occ(),
                expiry: slice.expiry,
                dte: slice.dte,
                strike: k,
                bid,
                ask: q.ask,
                mid: q.mid,
                net_credit: net,
                assignment_probability: metrics.map(|m| m.assignment_probability),
                delta: metrics.map(|m| m.delta),
                annualized_yield: net / old.spot * 365.0 / added,
                annualized_if_called: (net + lift) / old.spot * 365.0 / added,
            });
        }
    }
    out.sort_by(|a, b| {
        b.annualized_if_called
            .total_cmp(&a.annualized_if_called)
            .then(b.strike.total_cmp(&a.strike))
            .then(a.expiry.cmp(&b.expiry))
    });
    (out, rejected)
}

//! Plan parameters, validated in one place.
//!
//! Every knob the planner has lives in [`PlanParams`], which serializes with the plan so a
//! JSON export can be re-run with exactly the same settings. [`PlanParams::validate`] is the
//! one gate: each error names the field, the value and what was expected.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::surface::{IvSides, ParitySettings, SurfaceParams};

/// Which expiries to consider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExpiryWindow {
    /// Expiries from the as-of date to the end of the as-of month (New York); when none is
    /// left, the next month's expiries, with a note saying so.
    ThisMonth,
    /// One expiry date.
    On {
        /// The date.
        date: NaiveDate,
    },
    /// Calendar days to expiry between `min` and `max`, inclusive.
    Dte {
        /// Fewest days.
        min: u32,
        /// Most days.
        max: u32,
    },
}

impl Default for ExpiryWindow {
    fn default() -> Self {
        ExpiryWindow::Dte {
            min: DEFAULT_MIN_DTE,
            max: 60,
        }
    }
}

impl std::fmt::Display for ExpiryWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpiryWindow::ThisMonth => f.write_str("this month"),
            ExpiryWindow::On { date } => write!(f, "expiry {date}"),
            ExpiryWindow::Dte { min, max } => write!(f, "{min} to {max} days to expiry"),
        }
    }
}

/// Which price a seller is assumed to get.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PremiumBasis {
    /// The bid: what a market sell order gets. The default, because it is achievable.
    #[default]
    Bid,
    /// The mid: what a patient limit order may get.
    Mid,
}

/// The basis as users spell it on the command line (`bid`, `mid`).
impl std::fmt::Display for PremiumBasis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PremiumBasis::Bid => "bid",
            PremiumBasis::Mid => "mid",
        })
    }
}

/// The profile as users spell it on the command line (`balanced`, ...).
impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Profile::Conservative => "conservative",
            Profile::Balanced => "balanced",
            Profile::Aggressive => "aggressive",
        })
    }
}

/// What to do with an expiry that has an earnings announcement before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EarningsPolicy {
    /// Reject those strikes (the default: earnings gaps are what assignment risk is made of).
    #[default]
    Exclude,
    /// Keep them, flagged.
    Flag,
}

/// How much assignment a user accepts, as a target delta the score centres on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Target delta 0.15: keep the shares.
    Conservative,
    /// Target delta 0.25.
    #[default]
    Balanced,
    /// Target delta 0.35: income first.
    Aggressive,
}

impl Profile {
    /// The call delta the score centres on.
    pub fn target_delta(self) -> f64 {
        match self {
            Profile::Conservative => 0.15,
            Profile::Balanced => 0.25,
            Profile::Aggressive => 0.35,
        }
    }

    /// The preset weights: the more conservative, the heavier the assignment penalty.
    pub fn weights(self) -> ScoreWeights {
        let assignment = match self {
            Profile::Conservative => 1.0,
            Profile::Balanced => 0.5,
            Profile::Aggressive => 0.25,
        };
        ScoreWeights {
            annualized_yield: 1.0,
            cushion: 1.0,
            assignment,
            delta_distance: 1.0,
        }
    }
}

/// Weights of the score's terms (see [the score module](mod@crate::plan::score)). All ≥ 0, not all 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreWeights {
    /// Per unit of annualized premium yield (extrinsic / S × 365 / DTE).
    pub annualized_yield: f64,
    /// Per unit of downside cushion (P / S).
    pub cushion: f64,
    /// Per unit of assignment probability N(d2), subtracted.
    pub assignment: f64,
    /// Per unit of ((delta − target delta) / 0.10)², subtracted.
    pub delta_distance: f64,
}

/// Everything the planner can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanParams {
    /// Which expiries.
    pub window: ExpiryWindow,
    /// Fraction of the shares to cover, in (0, 1]. Contracts = floor(shares × coverage ÷
    /// multiplier) minus calls already written (unexpired).
    pub coverage: f64,
    /// Premium basis.
    pub basis: PremiumBasis,
    /// Allow strikes below the cost basis (a loss if called). Default false.
    pub allow_below_basis: bool,
    /// Minimum open interest, contracts (0: no filter).
    pub min_open_interest: u64,
    /// Minimum bid, USD per share (0: no filter beyond "has a bid").
    pub min_bid: f64,
    /// Maximum bid-ask spread as a fraction of mid (e.g. 0.25). `None`: no filter.
    pub max_spread: Option<f64>,
    /// Maximum assignment probability N(d2), decimal. `None`: no filter.
    pub max_assignment: Option<f64>,
    /// Maximum risk-neutral probability of early exercise before an ex-date (American model
    /// with the holding's cash dividend), decimal. Default 0.20.
    pub max_early_assignment: f64,
    /// Minimum downside cushion P/S, decimal. `None`: no filter.
    pub min_cushion: Option<f64>,
    /// Minimum annualized premium yield, decimal. `None`: no filter.
    pub min_annualized_yield: Option<f64>,
    /// Earnings before expiry.
    pub earnings: EarningsPolicy,
    /// How many ranked candidates to keep per holding (≥ 1).
    pub top_n: usize,
    /// Profile: target delta and preset weights.
    pub profile: Profile,
    /// User weights replacing the profile's preset.
    pub weights: Option<ScoreWeights>,
    /// Fallback risk-free rate, continuously compounded decimal (used when parity can't be).
    pub rate: f64,
    /// Fallback dividend yield, continuously compounded decimal.
    pub div_yield: f64,
    /// With [`ExpiryWindow::ThisMonth`]: expiries closer than this many calendar days are
    /// left out (late in a month the window rolls to next month rather than suggest a 1-day
    /// call). The default window's minimum, [`DEFAULT_MIN_DTE`].
    pub this_month_min_dte: u32,
    /// Allow a new sale into an expiry that closes today (0 DTE). Default false: in the last
    /// hours IVs and thetas are figures on minutes (IV in the hundreds of percent), and the
    /// annualized figures are floored at one day.
    pub allow_0dte: bool,
}

/// The minimum days to expiry of the default window (`7..60`) and of `--this-month`.
pub const DEFAULT_MIN_DTE: u32 = 7;

impl Default for PlanParams {
    fn default() -> Self {
        PlanParams {
            window: ExpiryWindow::default(),
            coverage: 1.0,
            basis: PremiumBasis::Bid,
            allow_below_basis: false,
            min_open_interest: 0,
            min_bid: 0.0,
            max_spread: None,
            max_assignment: None,
            max_early_assignment: 0.20,
            min_cushion: None,
            min_annualized_yield: None,
            earnings: EarningsPolicy::Exclude,
            top_n: 5,
            profile: Profile::Balanced,
            weights: None,
            rate: 0.04,
            div_yield: 0.0,
            this_month_min_dte: DEFAULT_MIN_DTE,
            allow_0dte: false,
        }
    }
}

fn fraction(what: &'static str, v: f64) -> Result<()> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid(
            what,
            v,
            "a decimal fraction between 0 and 1",
        ))
    }
}

impl PlanParams {
    /// Check every field, naming the one at fault.
    pub fn validate(&self) -> Result<()> {
        if !(self.coverage.is_finite() && self.coverage > 0.0 && self.coverage <= 1.0) {
            return Err(Error::invalid(
                "coverage",
                self.coverage,
                "a fraction in (0, 1] (1 = all shares)",
            ));
        }
        if let ExpiryWindow::Dte { min, max } = self.window {
            if min > max {
                return Err(Error::invalid(
                    "expiry window (DTE)",
                    format!("{min}..{max}"),
                    "min ≤ max",
                ));
            }
        }
        if !(self.min_bid.is_finite() && self.min_bid >= 0.0) {
            return Err(Error::invalid("min bid", self.min_bid, "USD ≥ 0"));
        }
        if let Some(v) = self.max_spread {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(
                    "max spread",
                    v,
                    "a fraction of mid ≥ 0 (0.25 for 25 %)",
                ));
            }
        }
        if let Some(v) = self.max_assignment {
            fraction("max assignment probability", v)?;
        }
        fraction(
            "max early-assignment probability",
            self.max_early_assignment,
        )?;
        if let Some(v) = self.min_cushion {
            fraction("min cushion", v)?;
        }
        if let Some(v) = self.min_annualized_yield {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(
                    "min annualized yield",
                    v,
                    "a decimal ≥ 0 (0.12 for 12 %/yr)",
                ));
            }
        }
        if self.top_n == 0 {
            return Err(Error::invalid("top N", self.top_n, "at least 1"));
        }
        if let Some(w) = self.weights {
            let all = [
                ("weight annualized_yield", w.annualized_yield),
                ("weight cushion", w.cushion),
                ("weight assignment", w.assignment),
                ("weight delta_distance", w.delta_distance),
            ];
            for (what, v) in all {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(Error::invalid(what, v, "a finite weight ≥ 0"));
                }
            }
            if all.iter().all(|(_, v)| *v == 0.0) {
                return Err(Error::invalid(
                    "score weights",
                    "all zero",
                    "at least one positive weight",
                ));
            }
        }
        self.surface_params().validate()
    }

    /// The weights in force: the user's, else the profile's preset.
    pub fn effective_weights(&self) -> ScoreWeights {
        self.weights.unwrap_or_else(|| self.profile.weights())
    }

    /// The chain-analytics settings these parameters imply: the fallback rate and yield, and
    /// IVs of the calls' mids only (the planner's probabilities and greeks use a call's mid
    /// IV, or its bid's when there is no mid; bid, ask and put solves would be wasted — the
    /// puts still enter the parity forward, which needs no IV).
    pub fn surface_params(&self) -> SurfaceParams {
        SurfaceParams {
            parity: ParitySettings {
                rate: self.rate,
                div_yield: self.div_yield,
                ..ParitySettings::default()
            },
            iv_sides: IvSides::CallsMidOnly,
            ..SurfaceParams::default()
        }
    }
}

//! The thresholds of the position rules, validated in one place.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::surface::{IvSides, ParitySettings, SurfaceParams};

/// Every knob of `manage`. Money in USD per share, fractions decimal, days calendar days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManageParams {
    /// Close when the share of the premium captured, (open − ask) ÷ open, reaches this, in
    /// (0, 1]. Default 0.80.
    pub take_profit: f64,
    /// Close when the extrinsic value left per calendar day (on the mid, days floored at 1)
    /// falls below this, USD per share. `None` (default): rule off.
    pub min_extrinsic_per_day: Option<f64>,
    /// Allow rolls to a lower strike. Default false.
    pub allow_roll_down: bool,
    /// The furthest expiry a roll may go to, calendar days from now. Default 45.
    pub max_roll_dte: u32,
    /// The least net credit (bid of the new call − ask of the old) a roll must bring, USD per
    /// share, ≥ 0. Default 0.01 (a credit); 0 allows even rolls.
    pub min_roll_credit: f64,
    /// An in-the-money call within this many days of expiry is rolled (or let go). Default 7.
    pub roll_dte: u32,
    /// Content to be assigned at a strike at or above this, USD; a holding's own
    /// `assign_ok_above` wins over this one. `None` (default): never content.
    pub assign_ok_above: Option<f64>,
    /// Allow a roll to an expiry on or after the next earnings date. Default false.
    pub roll_into_earnings: bool,
    /// When take-profit fires with more than `roll_dte` days left, roll rather than close (if a
    /// roll meets the rules). Default false: close, and write the next call with `plan`.
    pub roll_on_profit: bool,
    /// Early assignment counts as likely at this probability or above, decimal (used when the
    /// early-assignment model gives a probability; the ex-date rule gives a yes/no).
    /// Default 0.5.
    pub early_assignment_likely: f64,
    /// Allow a roll's new call to expire today. Default false.
    pub allow_0dte: bool,
    /// Roll alternatives shown per position (≥ 1). Default 3.
    pub top_rolls: usize,
    /// Fallback risk-free rate, continuously compounded decimal (when parity can't give one).
    pub rate: f64,
    /// Fallback dividend yield, continuously compounded decimal.
    pub div_yield: f64,
}

impl Default for ManageParams {
    fn default() -> Self {
        ManageParams {
            take_profit: 0.80,
            min_extrinsic_per_day: None,
            allow_roll_down: false,
            max_roll_dte: 45,
            min_roll_credit: 0.01,
            roll_dte: 7,
            assign_ok_above: None,
            roll_into_earnings: false,
            roll_on_profit: false,
            early_assignment_likely: 0.5,
            allow_0dte: false,
            top_rolls: 3,
            rate: 0.04,
            div_yield: 0.0,
        }
    }
}

impl ManageParams {
    /// Check every field, naming the one at fault.
    pub fn validate(&self) -> Result<()> {
        if !(self.take_profit.is_finite() && self.take_profit > 0.0 && self.take_profit <= 1.0) {
            return Err(Error::invalid(
                "take profit",
                self.take_profit,
                "a fraction of the premium in (0, 1] (0.8 for 80 %)",
            ));
        }
        if let Some(v) = self.min_extrinsic_per_day {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(
                    "min extrinsic per day",
                    v,
                    "USD per share per day ≥ 0",
                ));
            }
        }
        if !(self.min_roll_credit.is_finite() && self.min_roll_credit >= 0.0) {
            return Err(Error::invalid(
                "min roll credit",
                self.min_roll_credit,
                "USD per share ≥ 0",
            ));
        }
        if let Some(p) = self.assign_ok_above {
            if !(p.is_finite() && p > 0.0) {
                return Err(Error::invalid("assign ok above", p, "a positive USD price"));
            }
        }
        if !(self.early_assignment_likely.is_finite()
            && (0.0..=1.0).contains(&self.early_assignment_likely))
        {
            return Err(Error::invalid(
                "early assignment likely",
                self.early_assignment_likely,
                "a probability between 0 and 1",
            ));
        }
        if self.top_rolls == 0 {
            return Err(Error::invalid("top rolls", self.top_rolls, "at least 1"));
        }
        self.surface_params().validate()
    }

    /// The chain-analytics settings: the fallback rate and yield, mid IVs of the calls.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        assert!(ManageParams::default().validate().is_ok());
        let bad = [
            (
                ManageParams {
                    take_profit: 0.0,
                    ..ManageParams::default()
                },
                "take profit",
            ),
            (
                ManageParams {
                    take_profit: 80.0,
                    ..ManageParams::default()
                },
                "take profit",
            ),
            (
                ManageParams {
                    min_roll_credit: -0.1,
                    ..ManageParams::default()
                },
                "min roll credit",
            ),
            (
                ManageParams {
                    min_extrinsic_per_day: Some(f64::NAN),
                    ..ManageParams::default()
                },
                "min extrinsic per day",
            ),
            (
                ManageParams {
                    assign_ok_above: Some(0.0),
                    ..ManageParams::default()
                },
                "assign ok above",
            ),
            (
                ManageParams {
                    top_rolls: 0,
                    ..ManageParams::default()
                },
                "top rolls",
            ),
        ];
        for (p, what) in bad {
            let e = p.validate().unwrap_err().to_string();
            assert!(e.contains(what), "{e}");
        }
    }
}

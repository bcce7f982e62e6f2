//! Black-Scholes-Merton prices and greeks with a continuous dividend yield, and the same on a
//! forward and a discount factor (Black-76 form).
//!
//! Units (QuantLib's conventions): price in USD per share; delta per 1 USD of spot; gamma per
//! 1 USD² of spot; vega per 1.00 of volatility (divide by 100 for a vol point); theta per year
//! of calendar time passing, negative when a long option loses value (divide by 365 for a
//! calendar day); rho per 1.00 of rate (divide by 100 for a percentage point).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Right;

use super::black::undiscounted_black;
use super::normal::{norm_cdf, norm_pdf};

/// An option on a spot with continuously compounded rate and dividend yield.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BsmInputs {
    /// Call or put.
    pub right: Right,
    /// Spot price, USD, > 0.
    pub spot: f64,
    /// Strike, USD, > 0.
    pub strike: f64,
    /// Time to expiry, ACT/365 years, ≥ 0.
    pub t: f64,
    /// Risk-free rate, continuously compounded decimal.
    pub rate: f64,
    /// Dividend yield (or carry), continuously compounded decimal.
    pub div_yield: f64,
}

/// An option on a forward, discounted with a discount factor (Black-76).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlackInputs {
    /// Call or put.
    pub right: Right,
    /// Forward price to expiry, USD, > 0.
    pub forward: f64,
    /// Strike, USD, > 0.
    pub strike: f64,
    /// Time to expiry, ACT/365 years, ≥ 0.
    pub t: f64,
    /// Discount factor to expiry, in (0, ∞) (normally (0, 1]).
    pub discount: f64,
}

/// Price and greeks in library units (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Greeks {
    /// Price, USD per share.
    pub price: f64,
    /// ∂V/∂S.
    pub delta: f64,
    /// ∂²V/∂S².
    pub gamma: f64,
    /// ∂V/∂σ per 1.00 of volatility.
    pub vega: f64,
    /// ∂V/∂t per year of calendar time (= −∂V/∂T).
    pub theta: f64,
    /// ∂V/∂r per 1.00 of rate (dividend yield held fixed).
    pub rho: f64,
}

fn check_positive(what: &'static str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(what, v, "a positive finite number"))
    }
}

fn check_non_negative(what: &'static str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(what, v, "a finite number ≥ 0"))
    }
}

fn check_finite(what: &'static str, v: f64) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(what, v, "a finite number"))
    }
}

/// Check a volatility argument: finite and ≥ 0.
pub(crate) fn check_vol(vol: f64) -> Result<()> {
    check_non_negative("volatility", vol)
}

impl BsmInputs {
    /// Check every field: positive finite spot and strike, t ≥ 0, finite rate and yield.
    pub fn validate(&self) -> Result<()> {
        check_positive("spot", self.spot)?;
        check_positive("strike", self.strike)?;
        check_non_negative("time to expiry (years)", self.t)?;
        check_finite("rate", self.rate)?;
        check_finite("dividend yield", self.div_yield)?;
        Ok(())
    }

    /// The same option in Black-76 form: F = S·e^{(r−q)T}, D = e^{−rT}.
    pub fn to_black(&self) -> BlackInputs {
        BlackInputs {
            right: self.right,
            forward: self.spot * ((self.rate - self.div_yield) * self.t).exp(),
            strike: self.strike,
            t: self.t,
            discount: (-self.rate * self.t).exp(),
        }
    }
}

impl BlackInputs {
    /// Check every field: positive finite forward, strike and discount factor, t ≥ 0.
    pub fn validate(&self) -> Result<()> {
        check_positive("forward", self.forward)?;
        check_positive("strike", self.strike)?;
        check_non_negative("time to expiry (years)", self.t)?;
        check_positive("discount factor", self.discount)?;
        Ok(())
    }

    /// The BSM inputs with this forward and discount factor seen from `spot`: the implied
    /// rate r = −ln(D)/T and carry q = r − ln(F/S)/T. With T = 0 the rates are set to 0.
    pub fn to_bsm(&self, spot: f64) -> BsmInputs {
        let (rate, div_yield) = if self.t > 0.0 {
            let r = -self.discount.ln() / self.t;
            (r, r - (self.forward / spot).ln() / self.t)
        } else {
            (0.0, 0.0)
        };
        BsmInputs {
            right: self.right,
            spot,
            strike: self.strike,
            t: self.t,
            rate,
            div_yield,
        }
    }
}

/// Black-76 price: D·B(F, K, σ√T).
pub fn black_price(inputs: &BlackInputs, vol: f64) -> Result<f64> {
    inputs.validate()?;
    check_vol(vol)?;
    let s = vol * inputs.t.sqrt();
    Ok(inputs.discount * undiscounted_black(inputs.forward, inputs.strike, s, inputs.right))
}

/// Black-Scholes-Merton price.
pub fn price(inputs: &BsmInputs, vol: f64) -> Result<f64> {
    inputs.validate()?;
    black_price(&inputs.to_black(), vol)
}

/// Black-Scholes-Merton price and all first-order greeks plus gamma.
///
/// At expiry (T = 0) or zero volatility the option is worth its discounted intrinsic value on
/// the forward; delta is then the discounted step (½ exactly at the money) and gamma and vega
/// are 0.
pub fn greeks(inputs: &BsmInputs, vol: f64) -> Result<Greeks> {
    inputs.validate()?;
    check_vol(vol)?;
    let BsmInputs {
        right,
        spot,
        strike,
        t,
        rate,
        div_yield,
    } = *inputs;
    let theta_sign = right.sign();
    let black = inputs.to_black();
    let df_r = black.discount;
    let df_q = (-div_yield * t).exp();
    let price = df_r * undiscounted_black(black.forward, strike, vol * t.sqrt(), right);
    let s = vol * t.sqrt();
    if s <= 0.0 {
        let fwd = black.forward;
        let itm = theta_sign * (fwd - strike);
        let step = if itm > 0.0 {
            1.0
        } else if itm == 0.0 {
            0.5
        } else {
            0.0
        };
        let delta = theta_sign * df_q * step;
        // d/dt of D·max(θ(F−K),0) with F and D depending on T, zero vol.
        let theta = if itm > 0.0 {
            // V = θ(S e^{-qT} − K e^{-rT}); −∂V/∂T = θ(q S e^{-qT} − r K e^{-rT}).
            theta_sign * (div_yield * spot * df_q - rate * strike * df_r)
        } else {
            0.0
        };
        let rho = if itm > 0.0 {
            theta_sign * strike * t * df_r
        } else {
            0.0
        };
        return Ok(Greeks {
            price,
            delta,
            gamma: 0.0,
            vega: 0.0,
            theta,
            rho,
        });
    }
    let sqrt_t = t.sqrt();
    let d1 = ((spot / strike).ln() + (rate - div_yield) * t) / s + 0.5 * s;
    let d2 = d1 - s;
    let pdf_d1 = norm_pdf(d1);
    let n_d1 = norm_cdf(theta_sign * d1);
    let n_d2 = norm_cdf(theta_sign * d2);
    let delta = theta_sign * df_q * n_d1;
    let gamma = df_q * pdf_d1 / (spot * s);
    let vega = spot * df_q * pdf_d1 * sqrt_t;
    let theta = -spot * df_q * pdf_d1 * vol / (2.0 * sqrt_t)
        - theta_sign * rate * strike * df_r * n_d2
        + theta_sign * div_yield * spot * df_q * n_d1;
    let rho = theta_sign * strike * t * df_r * n_d2;
    Ok(Greeks {
        price,
        delta,
        gamma,
        vega,
        theta,
        rho,
    })
}

//! Implied volatility to machine precision.

use crate::error::Result;

use super::bsm::{BlackInputs, BsmInputs};

/// Implied volatility of a Black-76 price (discounted, USD per share).
pub fn implied_vol_black(inputs: &BlackInputs, price: f64) -> Result<f64> {
    let _ = (inputs, price);
    todo!("implied volatility solver")
}

/// Implied volatility of a Black-Scholes-Merton price.
pub fn implied_vol(inputs: &BsmInputs, price: f64) -> Result<f64> {
    inputs.validate()?;
    implied_vol_black(&inputs.to_black(), price)
}

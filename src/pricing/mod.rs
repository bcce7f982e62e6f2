//! Black-Scholes-Merton and Black-76 prices and greeks, the implied-volatility solver, and the
//! year fractions they run on.
//!
//! ```
//! use ccplan::model::Right;
//! use ccplan::pricing::{greeks, implied_vol, BsmInputs};
//!
//! // Hull's example: S = 42, K = 40, r = 10 %, σ = 20 %, six months.
//! let call = BsmInputs { right: Right::Call, spot: 42.0, strike: 40.0, t: 0.5, rate: 0.10, div_yield: 0.0 };
//! let g = greeks(&call, 0.20).unwrap();
//! assert!((g.price - 4.7594).abs() < 5e-5);
//! let vol = implied_vol(&call, g.price).unwrap();
//! assert!((vol - 0.20).abs() < 1e-14);
//! ```

pub mod american;
pub mod black;
mod bsm;
pub mod calendar;
mod erfcx;
pub(crate) mod exp;
pub mod implied;
pub mod normal;
pub mod time;

pub use bsm::{black_price, greeks, price, BlackInputs, BsmInputs, Greeks};
pub use implied::{implied_vol, implied_vol_black};

//! Black-Scholes-Merton and Black-76 prices and greeks, the implied-volatility solver, and the
//! year fractions they run on.

pub mod normal;

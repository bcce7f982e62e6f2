//! # ccplan — a covered-call planner
//!
//! ccplan reads real option chains, prices them with Black-Scholes-Merton, solves implied
//! volatility to machine precision, and ranks covered calls on the stock a user holds.
//!
//! The library is a pure core with IO at its edges:
//!
//! * [`model`] — plain data: contracts and OCC symbols, quotes, chain snapshots, price history.
//! * [`pricing`] — Black-Scholes-Merton / Black-76 prices and greeks, the implied-volatility
//!   solver, year fractions.
//! * [`surface`] — chain analytics: implied forward per expiry from put-call parity, IV and
//!   greeks per quote, ATM term structure and skew readings.
//! * [`plan`] — covered-call planning: parameters, filters with reasons, metrics, score,
//!   ranked suggestions per holding and the portfolio view.
//! * [`providers`] — option-chain and price-history sources (CBOE, Tradier, Yahoo,
//!   Polygon/Massive, saved files, a deterministic demo market). The only module that touches
//!   the network.
//! * [`regime`] — the IV regime of one symbol: IV30, term structure and skew, realized
//!   volatility, IV rank and percentile, RSI and MACD, and a verdict for a call seller
//!   (premiums rich, normal or thin, with caution flags and the reasons).
//! * [`export`] — one row definition rendered as a table, CSV, JSON or Markdown, and the SVG
//!   payoff chart; everything writes to a writer it is given.
//! * [`report`] — the self-contained HTML report (inline CSS and SVG charts) of a plan, a
//!   suggestion, a regime check or a managed book.
//! * [`pipeline`] — fetch → analyse once → regime → record for one symbol, the sources, the
//!   store and "now" passed in; the analysis it returns feeds the planner as it is.
//! * [`store`] — the embedded SQLite store of daily IV summaries (behind IV rank) and
//!   archived chains.
//! * [`fsutil`] — atomic file writing for exports and snapshots.
//! * [`import`] — holdings from brokers' positions exports (Schwab, Fidelity, IBKR, E*TRADE,
//!   tastytrade, Robinhood), recognized from their content.
//! * [`backtest`] — what a covered-call rule (BXM, BXY, BXMD or the planner's own) would
//!   have earned on a symbol's history, against buy-and-hold, with a reconciled ledger.
//! * [`journal`] — the trade journal of written calls (from brokers' transaction histories or
//!   by hand) and the premium income it adds up to.
//!
//! Units follow one convention everywhere (see the README): money in USD per share, volatility,
//! rates and yields as decimal fractions, time in ACT/365 years, vega per 1.00 of volatility,
//! theta per year, rho per 1.00 of rate.
//!
//! Nothing in the library reads the clock, the environment or the terminal: "now" is always an
//! argument.

pub mod backtest;
pub mod csvread;
pub mod error;
pub mod export;
pub mod fsutil;
pub mod import;
pub mod journal;
pub mod model;
mod par;
pub mod pipeline;
pub mod plan;
pub mod pricing;
pub mod providers;
pub mod regime;
pub mod report;
pub mod stats;
pub mod store;
pub mod surface;

pub use error::{Error, Result};

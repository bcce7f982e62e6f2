//! Statistics on the lowest floor, shared by the planner and the regime reading.
//!
//! Why: the planner's edge metric and the regime's verdict both quote HV20; with one estimator
//! each they disagreed on a history with a bad close (one skipped it and spanned two sessions
//! with a return, the other refused the window). [`realized`] is now the only place realized
//! volatility is computed; `regime::realized` re-exports it.

pub mod realized;

//! The planner: "which calls should I write on NVDA this month?".
//!
//! For a holding and its chain, every call in the expiry window is filtered (each rejection
//! keeps its reasons), measured with the covered-call metrics of the design (per share, on the
//! bid unless mid is chosen, probabilities on the implied forward), scored, and ranked; for a
//! portfolio the best call per holding is combined into totals, net delta and a stress table.
//!
//! Pure: "now" is each chain's as-of instant, no IO, and every result type serializes together
//! with the [`PlanParams`] it was made with, so a JSON export can be reproduced.
//!
//! * [`params`] — [`PlanParams`] and its one `validate()`;
//! * [`reason`] — rejection reasons and candidate flags, with Display naming the values;
//! * [`metrics`] — the formulas;
//! * [`score`](mod@score) — the ranking score and its components;
//! * [`suggest()`] — one holding; [`plan()`] — a portfolio;
//! * [`manage()`](manage::manage) — after the sale: hold, close, roll or let assign each
//!   written call, with the early-assignment reading and the roll alternatives.
//!
//! ```no_run
//! # fn demo(chain: &ccplan::model::ChainSnapshot, history: &ccplan::model::PriceHistory,
//! #         holding: &ccplan::model::Holding) -> ccplan::Result<()> {
//! use ccplan::plan::{suggest, ExpiryWindow, Market, PlanParams, Profile};
//!
//! let params = PlanParams {
//!     window: ExpiryWindow::ThisMonth,
//!     profile: Profile::Conservative,
//!     max_spread: Some(0.25),
//!     ..PlanParams::default()
//! };
//! params.validate()?; // the one gate; errors name the field
//! let s = suggest(holding, &Market { chain, history: Some(history) }, &params)?;
//! for c in &s.candidates {
//!     // c.occ, c.contracts, c.limit_price, c.metrics.*, c.score.*, c.why
//!     let _ = (&c.occ, c.limit_price, &c.why);
//! }
//! for r in &s.rejected {
//!     let _why_not: Vec<String> = r.reasons.iter().map(|x| x.to_string()).collect();
//! }
//! # Ok(()) }
//! ```

pub mod manage;
pub mod metrics;
pub mod note;
pub mod params;
pub mod portfolio;
pub mod reason;
pub mod score;
pub mod suggest;

mod hv;
mod window;

pub use manage::{
    early_assignment, manage, manage_analysed, EarlyAssignment, EarlyAssignmentInputs,
    ManageParams, ManageReport, ManagedPosition, PositionAction, RollCandidate, Rule,
};
pub use metrics::{annualize, call_metrics, touch_probability, CallMetrics, MetricInputs};
pub use note::Note;
pub use params::{
    EarningsPolicy, ExpiryWindow, PlanParams, PremiumBasis, Profile, ScoreWeights, DEFAULT_MIN_DTE,
};
pub use portfolio::{
    plan, plan_analysed, stress_rows, HoldingPlan, Plan, PlanTotals, StressPoint, STRESS_SHOCKS,
};
pub use reason::{CandidateFlag, RejectReason};
pub use score::{score, ScoreBreakdown, DELTA_UNIT};
pub use suggest::{
    suggest, suggest_analysed, AnalysedMarket, Candidate, EarlyExerciseRisk, ExpiryForward, Market,
    RejectedStrike, Suggestion,
};

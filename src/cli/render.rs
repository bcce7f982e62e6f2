//! Plan and suggestion rows: one definition each, rendered by `ccplan::export` in every format.
//! The full rows (CSV, JSON) carry every metric; the compact rows (table, Markdown) keep what a
//! person reads at a glance, with the reasons listed under the table.

use ccplan::export::{Cell, Table};
use ccplan::plan::{Candidate, HoldingPlan, Plan, RejectedStrike, StressPoint};

/// Every column of a candidate row (CSV and flat JSON).
const FULL: &[(&str, &str)] = &[
    ("symbol", "symbol"),
    ("rank", "#"),
    ("occ", "contract"),
    ("osi", "OSI"),
    ("expiry", "expiry"),
    ("dte", "DTE"),
    ("strike", "strike $"),
    ("contracts", "contracts"),
    ("basis", "basis"),
    ("limit_price", "limit $"),
    ("bid", "bid $"),
    ("ask", "ask $"),
    ("open_interest", "OI"),
    ("volume", "volume"),
    ("spot", "spot $"),
    ("forward", "forward $"),
    ("iv", "IV"),
    ("extrinsic", "extrinsic $"),
    ("premium_yield", "yield"),
    ("premium_yield_annualized", "yield/yr"),
    ("cushion", "cushion"),
    ("break_even", "break-even $"),
    ("if_called_return", "if-called"),
    ("if_called_annualized", "if-called/yr"),
    ("assignment_probability", "P(assign at expiry)"),
    ("ex_dividend", "ex-div"),
    ("dividend", "div $"),
    ("p_early_exercise", "P(early ex)"),
    ("critical_spot", "S* $"),
    ("pricing_model", "model"),
    ("delta", "delta"),
    ("touch_probability", "P(touch)"),
    ("theta_per_day", "theta $/day"),
    ("gain_if_called", "gain vs basis $/sh"),
    ("total_premium", "premium $ total"),
    ("realized_vol", "HV20"),
    ("edge", "edge $/sh"),
    ("score", "score"),
    ("score_yield", "score: yield"),
    ("score_cushion", "score: cushion"),
    ("score_assignment", "score: assignment"),
    ("score_delta", "score: delta"),
    ("flags", "flags"),
    ("why", "why"),
];

fn full_row(c: &Candidate) -> Vec<Cell> {
    let m = &c.metrics;
    let flags: Vec<String> = c.flags.iter().map(|f| f.to_string()).collect();
    let ee = c.early_exercise.as_ref();
    vec![
        Cell::text(&c.symbol),
        Cell::Int(c.rank as i64),
        Cell::text(&c.occ),
        Cell::text(&c.osi),
        Cell::text(c.expiry.to_string()),
        Cell::Int(c.dte),
        Cell::num(Some(c.strike), 2),
        Cell::Int(i64::from(c.contracts)),
        Cell::text(c.basis.to_string()),
        Cell::num(Some(c.limit_price), 2),
        Cell::num(c.bid, 2),
        Cell::num(c.ask, 2),
        Cell::int(c.open_interest.and_then(|v| i64::try_from(v).ok())),
        Cell::int(c.volume.and_then(|v| i64::try_from(v).ok())),
        Cell::num(Some(c.spot), 2),
        Cell::num(Some(c.forward), 2),
        Cell::pct(Some(m.iv), 1),
        Cell::num(Some(m.extrinsic), 2),
        Cell::pct(Some(m.premium_yield), 2),
        Cell::pct(Some(m.premium_yield_annualized), 1),
        Cell::pct(Some(m.cushion), 2),
        Cell::num(Some(m.break_even), 2),
        Cell::pct(Some(m.if_called_return), 2),
        Cell::pct(Some(m.if_called_annualized), 1),
        Cell::pct(Some(m.assignment_probability), 1),
        Cell::text(ee.map_or(String::new(), |e| e.ex_date.to_string())),
        Cell::num(ee.map(|e| e.dividend), 2),
        Cell::pct(ee.and_then(|e| e.probability), 1),
        Cell::num(ee.and_then(|e| e.critical_spot), 2),
        Cell::text(c.pricing_model.label()),
        Cell::num(Some(m.delta), 3),
        Cell::pct(Some(m.touch_probability), 1),
        Cell::num(Some(m.theta_per_day), 3),
        Cell::num(m.gain_if_called, 2),
        Cell::num(Some(c.total_premium), 2),
        Cell::pct(m.realized_vol, 1),
        Cell::num(m.edge, 3),
        Cell::num(Some(c.score.total), 4),
        Cell::num(Some(c.score.yield_term), 4),
        Cell::num(Some(c.score.cushion_term), 4),
        Cell::num(Some(c.score.assignment_term), 4),
        Cell::num(Some(c.score.delta_term), 4),
        Cell::text(flags.join("; ")),
        Cell::text(&c.why),
    ]
}

/// Candidates with every metric (CSV, JSON rows). Percent-like columns are decimal fractions.
pub fn candidates_full<'a>(cands: impl IntoIterator<Item = &'a Candidate>) -> Table {
    let mut t = Table::new(FULL);
    for c in cands {
        t.push(full_row(c));
    }
    t
}

/// Candidates at a glance (table, Markdown); percentages shown as percent.
/// The early-exercise columns (ex-date, probability, critical spot) appear when some row
/// spans an ex-date.
pub fn candidates_compact<'a>(cands: impl IntoIterator<Item = &'a Candidate>) -> Table {
    let cands: Vec<&Candidate> = cands.into_iter().collect();
    let early = cands.iter().any(|c| c.early_exercise.is_some());
    let mut cols: Vec<(&str, &str)> = vec![
        ("rank", "#"),
        ("occ", "contract"),
        ("expiry", "expiry"),
        ("dte", "DTE"),
        ("strike", "strike $"),
        ("contracts", "n"),
        ("limit_price", "limit $"),
        ("premium_yield", "yield %"),
        ("premium_yield_annualized", "yield/yr %"),
        ("cushion", "cushion %"),
        ("if_called_annualized", "if-called/yr %"),
        ("assignment_probability", "P(assign@exp) %"),
        ("delta", "Δ"),
        ("touch_probability", "P(touch) %"),
        ("total_premium", "premium $"),
        ("edge", "edge $/sh"),
        ("score", "score"),
    ];
    if early {
        cols.splice(
            12..12,
            [
                ("ex_dividend", "ex-div"),
                ("p_early_exercise", "P(early ex) %"),
                ("critical_spot", "S* $"),
            ],
        );
    }
    let mut t = Table::new(&cols);
    for c in cands {
        let m = &c.metrics;
        let mut row = vec![
            Cell::Int(c.rank as i64),
            Cell::text(&c.occ),
            Cell::text(c.expiry.to_string()),
            Cell::Int(c.dte),
            Cell::num(Some(c.strike), 2),
            Cell::Int(i64::from(c.contracts)),
            Cell::num(Some(c.limit_price), 2),
            Cell::pct(Some(m.premium_yield), 2),
            Cell::pct(Some(m.premium_yield_annualized), 1),
            Cell::pct(Some(m.cushion), 2),
            Cell::pct(Some(m.if_called_annualized), 1),
            Cell::pct(Some(m.assignment_probability), 1),
            Cell::num(Some(m.delta), 2),
            Cell::pct(Some(m.touch_probability), 1),
            Cell::num(Some(c.total_premium), 0),
            Cell::num(m.edge, 2),
            Cell::num(Some(c.score.total), 3),
        ];
        if early {
            let ee = c.early_exercise.as_ref();
            row.splice(
                12..12,
                [
                    Cell::text(ee.map_or(String::new(), |e| e.ex_date.to_string())),
                    Cell::pct(ee.and_then(|e| e.probability), 1),
                    Cell::num(ee.and_then(|e| e.critical_spot), 2),
                ],
            );
        }
        t.push(row);
    }
    t
}

/// Rejected strikes with their reasons (`--explain`).
pub fn rejected(rows: &[RejectedStrike]) -> Table {
    let mut t = Table::new(&[
        ("occ", "contract"),
        ("expiry", "expiry"),
        ("dte", "DTE"),
        ("strike", "strike $"),
        ("premium", "premium $"),
        ("reasons", "rejected because"),
    ]);
    for r in rows {
        let reasons: Vec<String> = r.reasons.iter().map(|x| x.to_string()).collect();
        t.push(vec![
            Cell::text(&r.occ),
            Cell::text(r.expiry.to_string()),
            Cell::Int(r.dte),
            Cell::num(Some(r.strike), 2),
            Cell::num(r.premium, 2),
            Cell::text(reasons.join("; ")),
        ]);
    }
    t
}

/// One row per holding: the call to write (compact), for the plan table.
pub fn plan_compact(plan: &Plan, verdicts: &dyn Fn(&str) -> String) -> Table {
    let mut t = Table::new(&[
        ("symbol", "symbol"),
        ("shares", "shares"),
        ("spot", "spot $"),
        ("occ", "call to write"),
        ("dte", "DTE"),
        ("contracts", "n"),
        ("limit_price", "limit $"),
        ("total_premium", "premium $"),
        ("premium_yield_annualized", "yield/yr %"),
        ("cushion", "cushion %"),
        ("assignment_probability", "P(assign) %"),
        ("delta", "Δ"),
        ("regime", "IV regime"),
    ]);
    for h in &plan.holdings {
        let spot = h.suggestion.as_ref().map(|s| s.spot);
        let row = match &h.best {
            Some(c) => vec![
                Cell::text(&h.symbol),
                Cell::Int(h.shares as i64),
                Cell::num(spot, 2),
                Cell::text(&c.occ),
                Cell::Int(c.dte),
                Cell::Int(i64::from(c.contracts)),
                Cell::num(Some(c.limit_price), 2),
                Cell::num(Some(c.total_premium), 0),
                Cell::pct(Some(c.metrics.premium_yield_annualized), 1),
                Cell::pct(Some(c.metrics.cushion), 2),
                Cell::pct(Some(c.metrics.assignment_probability), 1),
                Cell::num(Some(c.metrics.delta), 2),
                Cell::text(verdicts(&h.symbol)),
            ],
            None => vec![
                Cell::text(&h.symbol),
                Cell::Int(h.shares as i64),
                Cell::num(spot, 2),
                Cell::text("— none —"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::text(verdicts(&h.symbol)),
            ],
        };
        t.push(row);
    }
    t
}

/// One full row per holding with a call to write (CSV).
pub fn plan_full(plan: &Plan) -> Table {
    candidates_full(
        plan.holdings
            .iter()
            .filter_map(|h: &HoldingPlan| h.best.as_ref()),
    )
}

/// The stress table: value at expiry with and without the calls.
pub fn stress(points: &[StressPoint]) -> Table {
    let mut t = Table::new(&[
        ("shock", "underlying move %"),
        ("value_without_calls", "stock alone $"),
        ("value_with_calls", "with calls $"),
        ("difference", "difference $"),
    ]);
    for p in points {
        t.push(vec![
            Cell::pct(Some(p.shock), 0),
            Cell::num(Some(p.value_without_calls), 0),
            Cell::num(Some(p.value_with_calls), 0),
            Cell::num(Some(p.value_with_calls - p.value_without_calls), 0),
        ]);
    }
    t
}

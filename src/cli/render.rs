//! Plan and suggestion rows: one definition each, rendered by `ccplan::export` in every format.
//! The full rows (CSV, JSON) carry every metric; the compact rows (table, Markdown) keep what a
//! person reads at a glance, with the reasons listed under the table.

use ccplan::export::{Cell, Col, Table};
use ccplan::plan::{Candidate, HoldingPlan, Plan, RejectedStrike, StressPoint};

/// Every column of a candidate row (CSV and flat JSON).
pub const FULL: &[Col<Candidate>] = &[
    Col::new("symbol", "symbol", |c| Cell::text(&c.symbol)),
    Col::new("rank", "#", |c| Cell::Int(c.rank as i64)),
    Col::new("occ", "contract", |c| Cell::text(&c.occ)),
    Col::new("osi", "OSI", |c| Cell::text(&c.osi)),
    Col::new("expiry", "expiry", |c| Cell::text(c.expiry.to_string())),
    Col::new("dte", "DTE", |c| Cell::Int(c.dte)),
    Col::new("strike", "strike $", |c| Cell::num(Some(c.strike), 2)),
    Col::new("contracts", "contracts", |c| {
        Cell::Int(i64::from(c.contracts))
    }),
    Col::new("basis", "basis", |c| Cell::text(c.basis.to_string())),
    Col::new("limit_price", "limit $", |c| {
        Cell::num(Some(c.limit_price), 2)
    }),
    Col::new("bid", "bid $", |c| Cell::num(c.bid, 2)),
    Col::new("ask", "ask $", |c| Cell::num(c.ask, 2)),
    Col::new("open_interest", "OI", |c| {
        Cell::int(c.open_interest.and_then(|v| i64::try_from(v).ok()))
    }),
    Col::new("volume", "volume", |c| {
        Cell::int(c.volume.and_then(|v| i64::try_from(v).ok()))
    }),
    Col::new("spot", "spot $", |c| Cell::num(Some(c.spot), 2)),
    Col::new("forward", "forward $", |c| Cell::num(Some(c.forward), 2)),
    Col::new("iv", "IV", |c| Cell::pct(Some(c.metrics.iv), 1)),
    Col::new("extrinsic", "extrinsic $", |c| {
        Cell::num(Some(c.metrics.extrinsic), 2)
    }),
    Col::new("premium_yield", "yield", |c| {
        Cell::pct(Some(c.metrics.premium_yield), 2)
    }),
    Col::new("premium_yield_annualized", "yield/yr", |c| {
        Cell::pct(Some(c.metrics.premium_yield_annualized), 1)
    }),
    Col::new("cushion", "cushion", |c| {
        Cell::pct(Some(c.metrics.cushion), 2)
    }),
    Col::new("break_even", "break-even $", |c| {
        Cell::num(Some(c.metrics.break_even), 2)
    }),
    Col::new("if_called_return", "if-called", |c| {
        Cell::pct(Some(c.metrics.if_called_return), 2)
    }),
    Col::new("if_called_annualized", "if-called/yr", |c| {
        Cell::pct(Some(c.metrics.if_called_annualized), 1)
    }),
    Col::new("assignment_probability", "P(assign at expiry)", |c| {
        Cell::pct(Some(c.metrics.assignment_probability), 1)
    }),
    Col::new("ex_dividend", "ex-div", ex_dividend),
    Col::new("dividend", "div $", |c| {
        Cell::num(c.early_exercise.as_ref().map(|e| e.dividend), 2)
    }),
    Col::new("p_early_exercise", "P(early ex)", p_early_exercise),
    Col::new("critical_spot", "S* $", critical_spot),
    Col::new("pricing_model", "model", |c| {
        Cell::text(c.pricing_model.label())
    }),
    Col::new("delta", "delta", |c| Cell::num(Some(c.metrics.delta), 3)),
    Col::new("touch_probability", "P(touch)", |c| {
        Cell::pct(Some(c.metrics.touch_probability), 1)
    }),
    Col::new("theta_per_day", "theta $/day", |c| {
        Cell::num(Some(c.metrics.theta_per_day), 3)
    }),
    Col::new("gain_if_called", "gain vs basis $/sh", |c| {
        Cell::num(c.metrics.gain_if_called, 2)
    }),
    Col::new("total_premium", "premium $ total", |c| {
        Cell::num(Some(c.total_premium), 2)
    }),
    Col::new("realized_vol", "HV20", |c| {
        Cell::pct(c.metrics.realized_vol, 1)
    }),
    Col::new("edge", "edge $/sh", |c| Cell::num(c.metrics.edge, 3)),
    Col::new("score", "score", |c| Cell::num(Some(c.score.total), 4)),
    Col::new("score_yield", "score: yield", |c| {
        Cell::num(Some(c.score.yield_term), 4)
    }),
    Col::new("score_cushion", "score: cushion", |c| {
        Cell::num(Some(c.score.cushion_term), 4)
    }),
    Col::new("score_assignment", "score: assignment", |c| {
        Cell::num(Some(c.score.assignment_term), 4)
    }),
    Col::new("score_delta", "score: delta", |c| {
        Cell::num(Some(c.score.delta_term), 4)
    }),
    Col::new("flags", "flags", |c| {
        let flags: Vec<String> = c.flags.iter().map(|f| f.to_string()).collect();
        Cell::text(flags.join("; "))
    }),
    Col::new("why", "why", |c| Cell::text(&c.why)),
];

fn ex_dividend(c: &Candidate) -> Cell {
    Cell::text(
        c.early_exercise
            .as_ref()
            .map_or(String::new(), |e| e.ex_date.to_string()),
    )
}

fn p_early_exercise(c: &Candidate) -> Cell {
    Cell::pct(c.early_exercise.as_ref().and_then(|e| e.probability), 1)
}

fn critical_spot(c: &Candidate) -> Cell {
    Cell::num(c.early_exercise.as_ref().and_then(|e| e.critical_spot), 2)
}

/// Candidates with every metric (CSV, JSON rows). Percent-like columns are decimal fractions.
pub fn candidates_full<'a>(cands: impl IntoIterator<Item = &'a Candidate>) -> Table {
    Table::from_rows(FULL, cands)
}

/// The compact candidate columns before the early-exercise ones.
pub const COMPACT_HEAD: &[Col<Candidate>] = &[
    Col::new("rank", "#", |c| Cell::Int(c.rank as i64)),
    Col::new("occ", "contract", |c| Cell::text(&c.occ)),
    Col::new("expiry", "expiry", |c| Cell::text(c.expiry.to_string())),
    Col::new("dte", "DTE", |c| Cell::Int(c.dte)),
    Col::new("strike", "strike $", |c| Cell::num(Some(c.strike), 2)),
    Col::new("contracts", "n", |c| Cell::Int(i64::from(c.contracts))),
    Col::new("limit_price", "limit $", |c| {
        Cell::num(Some(c.limit_price), 2)
    }),
    Col::new("premium_yield", "yield %", |c| {
        Cell::pct(Some(c.metrics.premium_yield), 2)
    }),
    Col::new("premium_yield_annualized", "yield/yr %", |c| {
        Cell::pct(Some(c.metrics.premium_yield_annualized), 1)
    }),
    Col::new("cushion", "cushion %", |c| {
        Cell::pct(Some(c.metrics.cushion), 2)
    }),
    Col::new("if_called_annualized", "if-called/yr %", |c| {
        Cell::pct(Some(c.metrics.if_called_annualized), 1)
    }),
    Col::new("assignment_probability", "P(assign@exp) %", |c| {
        Cell::pct(Some(c.metrics.assignment_probability), 1)
    }),
];

/// The compact early-exercise columns, shown when some row spans an ex-date.
pub const COMPACT_EARLY: &[Col<Candidate>] = &[
    Col::new("ex_dividend", "ex-div", ex_dividend),
    Col::new("p_early_exercise", "P(early ex) %", p_early_exercise),
    Col::new("critical_spot", "S* $", critical_spot),
];

/// The compact candidate columns after the early-exercise ones.
pub const COMPACT_TAIL: &[Col<Candidate>] = &[
    Col::new("delta", "Δ", |c| Cell::num(Some(c.metrics.delta), 2)),
    Col::new("touch_probability", "P(touch) %", |c| {
        Cell::pct(Some(c.metrics.touch_probability), 1)
    }),
    Col::new("total_premium", "premium $", |c| {
        Cell::num(Some(c.total_premium), 0)
    }),
    Col::new("edge", "edge $/sh", |c| Cell::num(c.metrics.edge, 2)),
    Col::new("score", "score", |c| Cell::num(Some(c.score.total), 3)),
];

/// The compact columns, with or without the early-exercise ones.
pub fn compact_columns(early: bool) -> Vec<Col<Candidate>> {
    let mut cols = COMPACT_HEAD.to_vec();
    if early {
        cols.extend_from_slice(COMPACT_EARLY);
    }
    cols.extend_from_slice(COMPACT_TAIL);
    cols
}

/// Candidates at a glance (table, Markdown); percentages shown as percent.
/// The early-exercise columns (ex-date, probability, critical spot) appear when some row
/// spans an ex-date.
pub fn candidates_compact<'a>(cands: impl IntoIterator<Item = &'a Candidate>) -> Table {
    let cands: Vec<&Candidate> = cands.into_iter().collect();
    let early = cands.iter().any(|c| c.early_exercise.is_some());
    Table::from_rows(&compact_columns(early), cands)
}

/// The columns of a rejected strike (`--explain`).
pub const REJECTED: &[Col<RejectedStrike>] = &[
    Col::new("occ", "contract", |r| Cell::text(&r.occ)),
    Col::new("expiry", "expiry", |r| Cell::text(r.expiry.to_string())),
    Col::new("dte", "DTE", |r| Cell::Int(r.dte)),
    Col::new("strike", "strike $", |r| Cell::num(Some(r.strike), 2)),
    Col::new("premium", "premium $", |r| Cell::num(r.premium, 2)),
    Col::new("reasons", "rejected because", |r| {
        let reasons: Vec<String> = r.reasons.iter().map(|x| x.to_string()).collect();
        Cell::text(reasons.join("; "))
    }),
];

/// Rejected strikes with their reasons (`--explain`).
pub fn rejected(rows: &[RejectedStrike]) -> Table {
    Table::from_rows(REJECTED, rows)
}

/// One holding of the plan table with its IV regime verdict.
pub struct PlanLine<'a> {
    /// The holding's plan.
    pub holding: &'a HoldingPlan,
    /// The IV regime verdict shown beside it.
    pub regime: String,
}

impl PlanLine<'_> {
    fn best(&self) -> Option<&Candidate> {
        self.holding.best.as_ref()
    }
}

/// The plan table's columns: the holding, the call to write (empty when there is none) and
/// the IV regime.
pub fn plan_compact_columns<'a>() -> [Col<PlanLine<'a>>; 13] {
    [
        Col::new("symbol", "symbol", |l| Cell::text(&l.holding.symbol)),
        Col::new("shares", "shares", |l| Cell::Int(l.holding.shares as i64)),
        Col::new("spot", "spot $", |l| {
            Cell::num(l.holding.suggestion.as_ref().map(|s| s.spot), 2)
        }),
        Col::new("occ", "call to write", |l| {
            Cell::text(l.best().map_or("— none —", |c| c.occ.as_str()))
        }),
        Col::new("dte", "DTE", |l| Cell::int(l.best().map(|c| c.dte))),
        Col::new("contracts", "n", |l| {
            Cell::int(l.best().map(|c| i64::from(c.contracts)))
        }),
        Col::new("limit_price", "limit $", |l| {
            Cell::num(l.best().map(|c| c.limit_price), 2)
        }),
        Col::new("total_premium", "premium $", |l| {
            Cell::num(l.best().map(|c| c.total_premium), 0)
        }),
        Col::new("premium_yield_annualized", "yield/yr %", |l| {
            Cell::pct(l.best().map(|c| c.metrics.premium_yield_annualized), 1)
        }),
        Col::new("cushion", "cushion %", |l| {
            Cell::pct(l.best().map(|c| c.metrics.cushion), 2)
        }),
        Col::new("assignment_probability", "P(assign) %", |l| {
            Cell::pct(l.best().map(|c| c.metrics.assignment_probability), 1)
        }),
        Col::new("delta", "Δ", |l| {
            Cell::num(l.best().map(|c| c.metrics.delta), 2)
        }),
        Col::new("regime", "IV regime", |l| Cell::text(&l.regime)),
    ]
}

/// One row per holding: the call to write (compact), for the plan table.
pub fn plan_compact(plan: &Plan, verdicts: &dyn Fn(&str) -> String) -> Table {
    let lines: Vec<PlanLine<'_>> = plan
        .holdings
        .iter()
        .map(|h| PlanLine {
            holding: h,
            regime: verdicts(&h.symbol),
        })
        .collect();
    Table::from_rows(&plan_compact_columns(), &lines)
}

/// One full row per holding with a call to write (CSV).
pub fn plan_full(plan: &Plan) -> Table {
    candidates_full(
        plan.holdings
            .iter()
            .filter_map(|h: &HoldingPlan| h.best.as_ref()),
    )
}

/// The stress table's columns: value at expiry with and without the calls.
pub const STRESS: &[Col<StressPoint>] = &[
    Col::new("shock", "underlying move %", |p| {
        Cell::pct(Some(p.shock), 0)
    }),
    Col::new("value_without_calls", "stock alone $", |p| {
        Cell::num(Some(p.value_without_calls), 0)
    }),
    Col::new("value_with_calls", "with calls $", |p| {
        Cell::num(Some(p.value_with_calls), 0)
    }),
    Col::new("difference", "difference $", |p| {
        Cell::num(Some(p.value_with_calls - p.value_without_calls), 0)
    }),
];

/// The stress table: value at expiry with and without the calls.
pub fn stress(points: &[StressPoint]) -> Table {
    Table::from_rows(STRESS, points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccplan::export::Format;

    /// The CSV header a column list writes (no rows).
    fn csv_header<T>(cols: &[Col<T>]) -> String {
        let mut out = Vec::new();
        Table::from_rows(cols, std::iter::empty::<&T>())
            .write(Format::Csv, &mut out)
            .unwrap();
        String::from_utf8(out).unwrap().trim_end().to_string()
    }

    fn names<T>(cols: &[Col<T>]) -> String {
        cols.iter().map(|c| c.name).collect::<Vec<_>>().join(",")
    }

    #[test]
    fn candidate_csv_header_is_its_column_list() {
        assert_eq!(csv_header(FULL), names(FULL));
        // The interface scripts parse: the column names and their order.
        assert_eq!(
            csv_header(FULL),
            "symbol,rank,occ,osi,expiry,dte,strike,contracts,basis,limit_price,bid,ask,\
             open_interest,volume,spot,forward,iv,extrinsic,premium_yield,\
             premium_yield_annualized,cushion,break_even,if_called_return,if_called_annualized,\
             assignment_probability,ex_dividend,dividend,p_early_exercise,critical_spot,\
             pricing_model,delta,touch_probability,theta_per_day,gain_if_called,total_premium,\
             realized_vol,edge,score,score_yield,score_cushion,score_assignment,score_delta,\
             flags,why"
        );
    }

    #[test]
    fn compact_columns_put_the_early_exercise_ones_after_assignment() {
        let without = compact_columns(false);
        let with = compact_columns(true);
        assert_eq!(csv_header(&without), names(&without));
        assert_eq!(csv_header(&with), names(&with));
        assert_eq!(
            names(&without),
            "rank,occ,expiry,dte,strike,contracts,limit_price,premium_yield,\
             premium_yield_annualized,cushion,if_called_annualized,assignment_probability,delta,\
             touch_probability,total_premium,edge,score"
        );
        assert_eq!(with.len(), without.len() + 3);
        let labels: Vec<&str> = with.iter().map(|c| c.label).collect();
        assert_eq!(
            labels[11..15],
            ["P(assign@exp) %", "ex-div", "P(early ex) %", "S* $"]
        );
    }

    #[test]
    fn plan_stress_and_rejected_headers_are_their_column_lists() {
        let plan = plan_compact_columns();
        assert_eq!(csv_header(&plan), names(&plan));
        assert_eq!(
            names(&plan),
            "symbol,shares,spot,occ,dte,contracts,limit_price,total_premium,\
             premium_yield_annualized,cushion,assignment_probability,delta,regime"
        );
        assert_eq!(csv_header(STRESS), names(STRESS));
        assert_eq!(
            names(STRESS),
            "shock,value_without_calls,value_with_calls,difference"
        );
        assert_eq!(csv_header(REJECTED), names(REJECTED));
        assert_eq!(names(REJECTED), "occ,expiry,dte,strike,premium,reasons");
    }

    #[test]
    fn a_holding_without_a_call_has_empty_call_cells_and_its_regime() {
        let h = HoldingPlan {
            symbol: "SMCI".into(),
            shares: 200,
            suggestion: None,
            best: None,
            stress: Vec::new(),
        };
        let line = PlanLine {
            holding: &h,
            regime: "RICH".into(),
        };
        let cols = plan_compact_columns();
        let t = Table::from_rows(&cols, [&line]);
        let row = &t.rows()[0];
        assert_eq!(row.len(), cols.len());
        assert_eq!(row[0], Cell::text("SMCI"));
        assert_eq!(row[1], Cell::Int(200));
        assert_eq!(row[3], Cell::text("— none —"));
        assert!(row[4..12].iter().all(|c| *c == Cell::Empty), "{row:?}");
        assert_eq!(row[12], Cell::text("RICH"));
    }
}

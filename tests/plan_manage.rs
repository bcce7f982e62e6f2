//! `plan::manage` on chains built in code: each rule fires and does not fire, roll candidates
//! respect the old strike and the cost basis, the net credit comes from the right sides of the
//! book, and the orders CSV round-trips.

#[path = "plan_support/mod.rs"]
mod support;

use ccplan::export::orders::{
    manage_tickets, read_orders_csv, ticket_legs, write_orders_csv, Side, TimeInForce,
};
use ccplan::model::{ChainSnapshot, Holding, OptionContract, Portfolio, Right, WrittenCall};
use ccplan::plan::{manage, ManageParams, ManageReport, Market, PositionAction, Rule};
use support::*;

fn written(expiry: chrono::NaiveDate, strike: f64, price: Option<f64>) -> WrittenCall {
    let mut w = WrittenCall::new(
        OptionContract::new("NVDA", expiry, strike, Right::Call).unwrap(),
        2,
    );
    w.price = price;
    w
}

fn run(h: Holding, chain: &ChainSnapshot, p: &ManageParams) -> ManageReport {
    manage(
        &Portfolio { holdings: vec![h] },
        &[Market {
            chain,
            history: None,
        }],
        p,
        chain.as_of,
    )
    .unwrap()
}

fn quote(chain: &ChainSnapshot, occ: &str) -> (f64, f64) {
    let q = chain
        .quotes
        .iter()
        .find(|q| q.contract.occ() == occ)
        .unwrap();
    (q.bid.unwrap(), q.ask.unwrap())
}

#[test]
fn take_profit_fires_at_the_threshold_and_not_below() {
    let chain = Spec::default().build();
    let occ = "NVDA261218C00120000";
    let (_, ask) = quote(&chain, occ);
    // Sold at 3.00: captured (3 − ask) / 3.
    let mut h = holding("NVDA", 300, None);
    h.written.push(written(d(2026, 12, 18), 120.0, Some(3.0)));
    let r = run(h.clone(), &chain, &ManageParams::default());
    let p = &r.positions[0];
    assert_eq!(p.contract, occ);
    let want = (3.0 - ask) / 3.0;
    assert!((p.captured.unwrap() - want).abs() < 1e-12);
    assert!(want >= 0.8, "the test needs a cheap call: {want}");
    assert_eq!(p.action, PositionAction::Close);
    assert_eq!(p.limit, Some(ask));
    assert!(matches!(p.rules[0], Rule::TakeProfit { .. }));
    assert!((p.pnl_if_closed.unwrap() - (3.0 - ask) * 200.0).abs() < 1e-9);
    // A take-profit threshold above what is captured: hold, with the ask that would fire it.
    let high = ManageParams {
        take_profit: (want + 1.0) / 2.0,
        ..ManageParams::default()
    };
    let r = run(h, &chain, &high);
    let p = &r.positions[0];
    assert_eq!(p.action, PositionAction::Hold);
    assert!(p.rules.is_empty());
    assert!(p
        .next
        .iter()
        .any(|n| n.contains("take profit when the ask")));
}

#[test]
fn low_extrinsic_per_day_closes() {
    let chain = Spec::default().build();
    let mut h = holding("NVDA", 300, None);
    h.written.push(written(d(2026, 12, 18), 125.0, None));
    let r = run(h.clone(), &chain, &ManageParams::default());
    assert_eq!(r.positions[0].action, PositionAction::Hold);
    let per_day = r.positions[0].extrinsic_per_day.unwrap();
    let p = ManageParams {
        min_extrinsic_per_day: Some(per_day * 1.01),
        ..ManageParams::default()
    };
    let r = run(h.clone(), &chain, &p);
    assert_eq!(r.positions[0].action, PositionAction::Close);
    let p = ManageParams {
        min_extrinsic_per_day: Some(per_day * 0.99),
        ..ManageParams::default()
    };
    assert_eq!(run(h, &chain, &p).positions[0].action, PositionAction::Hold);
}

#[test]
fn in_the_money_near_expiry_rolls_up_and_out_for_a_credit() {
    let chain = Spec::default().build();
    // The 95 call expiring in 4 days, spot 100.
    let mut h = holding("NVDA", 300, None);
    h.written.push(written(d(2026, 11, 20), 95.0, Some(1.0)));
    let r = run(h.clone(), &chain, &ManageParams::default());
    let p = &r.positions[0];
    assert_eq!(p.action, PositionAction::Roll, "{:?}", p.reasons);
    assert!(matches!(
        p.rules[0],
        Rule::InTheMoneyNearExpiry { dte: 4, .. }
    ));
    let (_, old_ask) = quote(&chain, "NVDA261120C00095000");
    assert!(!p.rolls.is_empty() && p.rolls.len() <= 3);
    for c in &p.rolls {
        let (bid, _) = quote(&chain, &c.contract);
        assert_eq!(c.net_credit, bid - old_ask, "ask to buy back, bid to sell");
        assert!(c.strike >= 95.0 && c.expiry > d(2026, 11, 20) && c.net_credit >= 0.01);
    }
    assert_eq!(p.roll_to.as_deref(), Some(p.rolls[0].contract.as_str()));
    assert_eq!(p.net_credit, Some(p.rolls[0].net_credit));
    // Out of the window (roll_dte 3) the rule does not fire.
    let narrow = ManageParams {
        roll_dte: 3,
        ..ManageParams::default()
    };
    let r = run(h.clone(), &chain, &narrow);
    assert!(r.positions[0]
        .rules
        .iter()
        .all(|r| !matches!(r, Rule::InTheMoneyNearExpiry { .. })));
    // Never below the cost basis, even with roll-down allowed.
    let mut hb = h.clone();
    hb.cost_basis = Some(105.0);
    let down = ManageParams {
        allow_roll_down: true,
        ..ManageParams::default()
    };
    let r = run(hb, &chain, &down);
    assert!(r.positions[0].rolls.iter().all(|c| c.strike >= 105.0));
}

#[test]
fn let_assign_when_content_or_when_no_roll_qualifies() {
    let chain = Spec::default().build();
    let mut h = holding("NVDA", 300, Some(80.0));
    h.written.push(written(d(2026, 11, 20), 95.0, Some(1.0)));
    let ok = ManageParams {
        assign_ok_above: Some(90.0),
        ..ManageParams::default()
    };
    let r = run(h.clone(), &chain, &ok);
    let p = &r.positions[0];
    assert_eq!(p.action, PositionAction::LetAssign);
    assert!(p.rules.iter().any(|r| matches!(r, Rule::AssignOk { .. })));
    // Realized gain if called: 95 + 1 − 80 per share, 200 shares.
    assert_eq!(p.pnl_if_assigned_per_share, Some(16.0));
    assert_eq!(p.pnl_if_assigned, Some(3200.0));
    // The holding's own price wins over the flag: 100 > 95, not content.
    let mut own = h.clone();
    own.assign_ok_above = Some(100.0);
    assert_eq!(
        run(own, &chain, &ok).positions[0].action,
        PositionAction::Roll
    );
    // No roll brings 50 a share.
    let greedy = ManageParams {
        min_roll_credit: 50.0,
        ..ManageParams::default()
    };
    let r = run(h, &chain, &greedy);
    let p = &r.positions[0];
    assert_eq!(p.action, PositionAction::LetAssign);
    assert!(p.rolls.is_empty());
    assert!(p
        .reasons
        .iter()
        .any(|r| r.contains("no roll meets the rules")));
}

#[test]
fn early_assignment_before_an_ex_date_and_not_after_it() {
    let chain = Spec::default().build();
    let mut h = holding("NVDA", 300, None);
    h.events.ex_dividend = Some(d(2026, 12, 10));
    h.events.dividend = Some(2.0);
    h.written.push(written(d(2026, 12, 18), 85.0, Some(16.0)));
    let r = run(h.clone(), &chain, &ManageParams::default());
    let p = &r.positions[0];
    assert!(
        p.early_assignment.exercise_optimal,
        "{:?}",
        p.early_assignment
    );
    assert_eq!(p.early_assignment.model, "american_discrete_dividend");
    let prob = p.p_early_exercise.unwrap();
    assert!(prob > 0.5 && prob <= 1.0, "{prob}");
    assert!(p
        .rules
        .iter()
        .any(|r| matches!(r, Rule::EarlyAssignment { .. })));
    assert!(matches!(
        p.action,
        PositionAction::Roll | PositionAction::LetAssign
    ));
    // An ex-date that is today has passed its exercise deadline.
    h.events.ex_dividend = Some(d(2026, 11, 16));
    let r = run(h, &chain, &ManageParams::default());
    let p = &r.positions[0];
    assert!(!p.early_assignment.exercise_optimal);
    assert!(p
        .rules
        .iter()
        .all(|r| !matches!(r, Rule::EarlyAssignment { .. })));
}

#[test]
fn missing_and_expired_written_calls_are_reported() {
    let chain = Spec::default().build();
    let mut h = holding("NVDA", 300, None);
    h.written.push(written(d(2026, 12, 11), 105.0, None)); // no such expiry
    h.written.push(written(d(2026, 11, 13), 105.0, None)); // expired last Friday
    let r = run(h, &chain, &ManageParams::default());
    assert_eq!(r.positions.len(), 1);
    let p = &r.positions[0];
    assert!(!p.in_chain);
    assert_eq!(p.action, PositionAction::Hold);
    assert!(p.reasons[0].contains("not in the chain"), "{:?}", p.reasons);
    assert!(r.notes.iter().any(|n| n.contains("expired on 2026-11-13")));
}

#[test]
fn orders_round_trip_through_the_csv() {
    let chain = Spec::default().build();
    let mut h = holding("NVDA", 300, None);
    h.written.push(written(d(2026, 11, 20), 95.0, Some(1.0))); // roll
    h.written.push(written(d(2026, 12, 18), 120.0, Some(3.0))); // close
    let r = run(h, &chain, &ManageParams::default());
    let tickets = manage_tickets(&r, TimeInForce::Day);
    assert_eq!(tickets.len(), 2);
    let legs = ticket_legs(&tickets);
    assert_eq!(legs.len(), 3);
    assert_eq!(legs[0].order_id, legs[1].order_id);
    assert_ne!(legs[1].order_id, legs[2].order_id);
    assert_eq!(
        (legs[0].side, legs[1].side, legs[2].side),
        (Side::BuyToClose, Side::SellToOpen, Side::BuyToClose)
    );
    // The roll's limit is its net credit on the tick, not above the net mid.
    let roll = &r.positions[0];
    assert!(legs[0].limit <= roll.net_credit.unwrap() + 0.05 + 1e-9);
    let mut csv = Vec::new();
    write_orders_csv(&legs, &mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with(
        "order_id,leg,underlying,occ,osi,side,quantity,limit,price_effect,leg_price,time_in_force,description\n"
    ));
    assert!(text.contains("NVDA  261120C00095000"));
    let back = read_orders_csv(&text, "orders.csv").unwrap();
    assert_eq!(back, legs);
    let bad = text.replacen("buy_to_close", "buy", 1);
    let e = read_orders_csv(&bad, "orders.csv").unwrap_err();
    assert!(e.to_string().contains("line 2: side"), "{e}");
}

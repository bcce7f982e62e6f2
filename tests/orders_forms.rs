//! Order tickets on known cases: the limits of closes and rolls on the tick (nickels at or
//! above 3.00, cents below, cents throughout for a penny class, cents for a roll's net
//! price), never past the mid; and the orders file of a CLI run in every `--broker` form.

#[path = "plan_support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};

use ccplan::export::orders::{manage_tickets, tos_order, PriceEffect, Side, TimeInForce};
use ccplan::model::{OptionContract, Portfolio, Right, WrittenCall};
use ccplan::plan::{manage, ManageParams, ManageReport, Market, PositionAction};
use support::*;

/// A report with one rolled position (the in-the-money 95 call four days out) whose
/// quotes the tests then set to known values.
fn rolled() -> ManageReport {
    let chain = Spec::default().build();
    let mut h = holding("NVDA", 300, None);
    let mut w = WrittenCall::new(
        OptionContract::new("NVDA", d(2026, 11, 20), 95.0, Right::Call).unwrap(),
        2,
    );
    w.price = Some(1.0);
    h.written.push(w);
    let r = manage(
        &Portfolio { holdings: vec![h] },
        &[Market {
            chain: &chain,
            history: None,
        }],
        &ManageParams::default(),
        chain.as_of,
    )
    .unwrap();
    assert_eq!(r.positions[0].action, PositionAction::Roll);
    r
}

fn set_quotes(r: &mut ManageReport, old: (f64, f64), new: (f64, f64)) {
    let p = &mut r.positions[0];
    p.bid = Some(old.0);
    p.ask = Some(old.1);
    p.mid = Some(0.5 * (old.0 + old.1));
    let n = &mut p.rolls[0];
    n.bid = new.0;
    n.ask = Some(new.1);
    n.mid = Some(0.5 * (new.0 + new.1));
    n.net_credit = new.0 - old.1;
}

#[test]
fn a_close_pays_the_ask_on_the_tick_never_below_the_mid() {
    let mut r = rolled();
    r.positions[0].action = PositionAction::Close;
    // 3.10 × 3.20, nickel class: the ask 3.20 is on the tick.
    set_quotes(&mut r, (3.10, 3.20), (4.0, 4.1));
    let t = &manage_tickets(&r, TimeInForce::Day)[0];
    assert_eq!((t.limit, t.effect), (3.20, PriceEffect::Debit));
    assert_eq!(t.legs.len(), 1);
    assert_eq!(t.legs[0].side, Side::BuyToClose);
    assert_eq!(t.legs[0].quantity, 2);
    // 3.07 × 3.12: quotes off the nickel grid above 3.00 show a penny class; 3.12 stays.
    set_quotes(&mut r, (3.07, 3.12), (4.0, 4.1));
    assert_eq!(manage_tickets(&r, TimeInForce::Day)[0].limit, 3.12);
    // Below 3.00, cents: 0.41 × 0.45.
    set_quotes(&mut r, (0.41, 0.45), (4.0, 4.1));
    let t = &manage_tickets(&r, TimeInForce::Day)[0];
    assert_eq!(t.limit, 0.45);
    assert_eq!(
        tos_order(t).unwrap(),
        "BUY +2 NVDA 100 20 NOV 26 95 CALL @.45 LMT"
    );
    // Without a mid the ask is rounded to the nearest tick; an ask of 3.02 is itself a
    // penny quote above 3.00, so it stays.
    r.positions[0].mid = None;
    r.positions[0].ask = Some(3.02);
    assert_eq!(manage_tickets(&r, TimeInForce::Day)[0].limit, 3.02);
    // No ask: nothing to pay, no order.
    r.positions[0].ask = None;
    assert!(manage_tickets(&r, TimeInForce::Day).is_empty());
}

#[test]
fn a_roll_is_one_order_at_a_net_price_in_cents_never_above_the_spread_mid() {
    let mut r = rolled();
    // Old 5.40 × 5.50, new 5.75 × 5.95: net credit 5.75 − 5.50 = 0.25, spread mid
    // 5.85 − 5.45 = 0.40.
    set_quotes(&mut r, (5.40, 5.50), (5.75, 5.95));
    let t = &manage_tickets(&r, TimeInForce::Day)[0];
    assert_eq!((t.limit, t.effect), (0.25, PriceEffect::Credit));
    assert_eq!(
        t.legs.iter().map(|l| l.side).collect::<Vec<_>>(),
        [Side::BuyToClose, Side::SellToOpen]
    );
    assert!(t.legs.iter().all(|l| l.quantity == 2));
    // A net credit above 3.00 is still priced in cents (complex orders trade in pennies):
    // old 1.00 × 1.02, new 4.33 × 4.40 → 3.31, not 3.30.
    set_quotes(&mut r, (1.00, 1.02), (4.33, 4.40));
    assert_eq!(manage_tickets(&r, TimeInForce::Day)[0].limit, 3.31);
    // Never above the spread's mid: a net credit of 0.257 would round to 0.26, above the
    // spread mid 5.255 − 5.00 = 0.255, so 0.25.
    {
        let p = &mut r.positions[0];
        p.mid = Some(5.0);
        p.rolls[0].mid = Some(5.255);
        p.rolls[0].net_credit = 0.257;
    }
    assert_eq!(manage_tickets(&r, TimeInForce::Day)[0].limit, 0.25);
    // A roll that costs money is a debit, never a negative credit, and never below the mid.
    set_quotes(&mut r, (6.00, 6.20), (5.90, 6.00));
    let t = &manage_tickets(&r, TimeInForce::Day)[0];
    assert_eq!((t.limit, t.effect), (0.30, PriceEffect::Debit));
    assert!(t.limit >= 0.5 * (6.00 + 6.20) - 0.5 * (5.90 + 6.00) - 1e-12);
    // The first roll candidate keeps the strike, to the December monthly: a calendar, the
    // bought (old) leg first; both expiries are standard monthlies, so no (Weeklys) tag.
    assert_eq!(r.positions[0].rolls[0].contract, "NVDA261218C00095000");
    assert_eq!(
        tos_order(t).unwrap(),
        "BUY +2 CALENDAR NVDA 100 20 NOV 26/18 DEC 26 95 CALL @.30 LMT"
    );
}

fn ccplan(args: &[&str], store: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccplan"))
        .args(args)
        .arg("--store")
        .arg(store)
        .env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
        .env_remove("CCPLAN_SOURCE")
        .env_remove("CCPLAN_HISTORY")
        .env_remove("CCPLAN_RATE")
        .output()
        .expect("run ccplan")
}

fn examples(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

fn orders_of(cmd: &str, holdings: &str, broker: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("orders.{broker}"));
    let o = ccplan(
        &[
            cmd,
            "--holdings",
            &examples(holdings),
            "--source",
            "demo",
            "--as-of",
            "2026-11-20",
            "--orders",
            file.to_str().unwrap(),
            "--broker",
            broker,
        ],
        &dir.path().join("s.sqlite3"),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{cmd} --broker {broker}: {err}");
    assert!(err.contains(&format!("{broker} form")), "{err}");
    std::fs::read_to_string(&file).unwrap()
}

// Demo market on 2026-11-20 (deterministic): NVDA closes at 155.53; manage closes the cheap
// 180 call at its ask 0.03 and rolls the in-the-money 150 call (ask 7.55) to the
// 2026-12-24 157.5 call (bid 7.70) for 0.15.
#[test]
fn manage_writes_thinkorswim_lines() {
    let tos = orders_of("manage", "written.toml", "tos");
    assert_eq!(
        tos,
        "BUY +1 NVDA 100 (Weeklys) 27 NOV 26 180 CALL @.03 LMT\n\
         SELL -1 DIAGONAL NVDA 100 (Weeklys) 24 DEC 26/27 NOV 26 157.5/150 CALL @.15 LMT\n"
    );
}

#[test]
fn manage_writes_an_ibkr_basket_and_api_orders() {
    let ibkr = orders_of("manage", "written.toml", "ibkr");
    let lines: Vec<&str> = ibkr.lines().collect();
    assert_eq!(
        lines[0],
        "Action,Quantity,Symbol,SecType,LastTradingDayOrContractMonth,Strike,Right,Exchange,\
         Currency,TimeInForce,OrderType,LmtPrice,BasketTag"
    );
    assert_eq!(
        &lines[1..],
        [
            "BUY,1,NVDA,OPT,20261127,180,C,SMART,USD,DAY,LMT,0.03,NVDA-20261120-01",
            "BUY,1,NVDA,OPT,20261127,150,C,SMART,USD,DAY,LMT,7.55,NVDA-20261120-02",
            "SELL,1,NVDA,OPT,20261224,157.5,C,SMART,USD,DAY,LMT,7.70,NVDA-20261120-02",
        ]
    );
    let schwab: serde_json::Value =
        serde_json::from_str(&orders_of("manage", "written.toml", "schwab")).unwrap();
    assert_eq!(schwab[0]["orderType"], "LIMIT");
    assert_eq!(schwab[0]["price"], "0.03");
    assert_eq!(schwab[1]["orderType"], "NET_CREDIT");
    assert_eq!(schwab[1]["complexOrderStrategyType"], "DIAGONAL");
    assert_eq!(schwab[1]["price"], "0.15");
    assert_eq!(
        schwab[1]["orderLegCollection"][1]["instrument"]["symbol"],
        "NVDA  261224C00157500"
    );
    let tasty: serde_json::Value =
        serde_json::from_str(&orders_of("manage", "written.toml", "tastytrade")).unwrap();
    assert_eq!(tasty.as_array().unwrap().len(), 2);
    assert_eq!(tasty[1]["price-effect"], "Credit");
    assert_eq!(tasty[1]["legs"][0]["action"], "Buy to Close");
    assert_eq!(tasty[1]["legs"][1]["action"], "Sell to Open");
    assert_eq!(tasty[0]["price-effect"], "Debit");
}

#[test]
fn plan_writes_one_sale_per_holding_in_each_form() {
    let tos = orders_of("plan", "holdings.toml", "tos");
    let lines: Vec<&str> = tos.lines().collect();
    assert_eq!(lines.len(), 8, "{tos}");
    assert_eq!(
        lines[0],
        "SELL -3 NVDA 100 (Weeklys) 27 NOV 26 162.5 CALL @1.20 LMT"
    );
    assert_eq!(
        lines[7],
        "SELL -1 SMCI 100 (Weeklys) 11 DEC 26 42 CALL @.82 LMT"
    );
    for l in &lines {
        assert!(l.starts_with("SELL -") && l.contains(" CALL @") && l.ends_with(" LMT"));
    }
    // The generic CSV is the default and carries the same limits.
    let generic = orders_of("plan", "holdings.toml", "generic");
    let legs = ccplan::export::orders::read_orders_csv(&generic, "orders.csv").unwrap();
    assert_eq!(legs.len(), 8);
    assert_eq!((legs[0].limit, legs[0].quantity), (1.2, 3));
    let ibkr = orders_of("plan", "holdings.toml", "ibkr");
    assert_eq!(ibkr.lines().count(), 9);
    assert!(ibkr
        .contains("\nSELL,3,NVDA,OPT,20261127,162.5,C,SMART,USD,DAY,LMT,1.20,NVDA-20261120-01\n"));
    let tasty: serde_json::Value =
        serde_json::from_str(&orders_of("plan", "holdings.toml", "tastytrade")).unwrap();
    assert!(tasty
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["price-effect"] == "Credit" && o["legs"][0]["action"] == "Sell to Open"));
    // Every limit is on the tick: cents below 3.00, nickels at or above (no penny class in
    // the demo market's sale limits above 3.00).
    for o in tasty.as_array().unwrap() {
        let p: f64 = o["price"].as_str().unwrap().parse().unwrap();
        let cents = (p * 100.0).round();
        assert!((p * 100.0 - cents).abs() < 1e-9, "{p}");
        if p >= 3.0 {
            assert_eq!(cents as i64 % 5, 0, "{p} off the nickel grid");
        }
    }
}

#[test]
fn broker_needs_orders_and_a_known_form() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    let h = examples("holdings.toml");
    let base = ["plan", "--holdings", h.as_str(), "--source", "demo"];
    let o = ccplan(&[&base[..], &["--broker", "tos"]].concat(), &store);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let f = dir.path().join("o.txt");
    let o = ccplan(
        &[
            &base[..],
            &["--orders", f.to_str().unwrap(), "--broker", "fidelity"],
        ]
        .concat(),
        &store,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("tastytrade"));
    assert!(!f.exists());
}

/// Journal → manage: a holdings file (as a broker export would give it) without the open
/// price and date of its written call gets them from the journal in the store.
#[test]
fn manage_takes_open_price_and_date_from_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    let holdings = dir.path().join("h.toml");
    std::fs::write(
        &holdings,
        "[[holding]]\nsymbol = \"NVDA\"\nshares = 100\ncost_basis = 118.50\n\
         written = [{ contract = \"NVDA261127C00180000\", contracts = 1 }]\n",
    )
    .unwrap();
    let manage = |store: &Path| {
        let o = ccplan(
            &[
                "manage",
                "--holdings",
                holdings.to_str().unwrap(),
                "--source",
                "demo",
                "--as-of",
                "2026-11-20",
                "--format",
                "json",
            ],
            store,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (v, String::from_utf8_lossy(&o.stderr).to_string())
    };
    // No journal yet: the open price is unknown, so is the captured share.
    let (v, _) = manage(&store);
    let p = &v["positions"][0];
    assert!(p["open_price"].is_null() && p["captured"].is_null(), "{p}");
    assert_eq!(p["action"], "hold");
    // Two sales in the journal, one bought back (first in, first out): the one open was
    // sold at 4.10 on 2026-10-30 with 0.65 of fees.
    for args in [
        ["sell-to-open", "2.00", "0.65", "2026-10-16"],
        ["buy-to-close", "0.50", "0.65", "2026-10-23"],
        ["sell-to-open", "4.10", "0.65", "2026-10-30"],
    ] {
        let o = ccplan(
            &[
                "journal",
                "add",
                "--action",
                args[0],
                "--contract",
                "NVDA261127C00180000",
                "--contracts",
                "1",
                "--price",
                args[1],
                "--fees",
                args[2],
                "--date",
                args[3],
            ],
            &store,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (v, err) = manage(&store);
    let p = &v["positions"][0];
    assert_eq!(p["open_price"], 4.10);
    assert_eq!(p["opened"], "2026-10-30");
    assert_eq!(p["fees"], 0.65);
    let ask = p["ask"].as_f64().unwrap();
    assert_eq!(p["captured"].as_f64(), Some((4.10 - ask) / 4.10));
    // The far out-of-the-money call is nearly worthless: take profit fires on the journal's
    // price.
    assert_eq!(p["action"], "close");
    assert!(
        err.contains(
            "NVDA261127C00180000: open price 4.10, sold 2026-10-30, fees 0.65 from the journal"
        ),
        "{err}"
    );
}

#[test]
fn suggest_writes_the_top_ranked_call() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nvda.json");
    let run = |shares: &str| {
        ccplan(
            &[
                "suggest",
                "NVDA",
                "--shares",
                shares,
                "--cost-basis",
                "118.50",
                "--source",
                "demo",
                "--as-of",
                "2026-11-20",
                "--orders",
                file.to_str().unwrap(),
                "--broker",
                "schwab",
            ],
            &dir.path().join("s.sqlite3"),
        )
    };
    let o = run("300");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // The plan's NVDA row is the same call: 3 × the 162.5 call of 2026-11-27 at 1.20.
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["price"], "1.20");
    assert_eq!(v[0]["orderLegCollection"][0]["quantity"], 3);
    assert_eq!(
        v[0]["orderLegCollection"][0]["instrument"]["symbol"],
        "NVDA  261127C00162500"
    );
    // 50 shares cover no contract: an empty file, and a note.
    let o = run("50");
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no order"));
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), "[]");
}

mod properties {
    use ccplan::export::orders::{
        ibkr_rows, manage_tickets, schwab_order, tastytrade_order, tos_order, TimeInForce,
    };
    use ccplan::model::tick::option_tick;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Whatever the quotes, a close's limit is on the tick and not below the mid, a
        /// roll's net limit is whole cents and not past the spread mid on its side, and every
        /// form spells the ticket at that limit.
        #[test]
        fn tickets_stay_on_the_tick_and_every_form_spells_them(
            ob in 0.0f64..20.0, ow in 0.0f64..0.6, nb in 0.0f64..20.0, nw in 0.0f64..0.6,
            close in any::<bool>(),
        ) {
            let mut r = super::rolled();
            if close {
                r.positions[0].action = ccplan::plan::PositionAction::Close;
            }
            super::set_quotes(&mut r, (ob, ob + ow), (nb, nb + nw));
            for t in manage_tickets(&r, TimeInForce::Day) {
                let cents = t.limit * 100.0;
                prop_assert!((cents - cents.round()).abs() < 1e-6, "{}", t.limit);
                let p = &r.positions[0];
                if close {
                    let tick = option_tick(t.limit, false);
                    let ticks = t.limit / tick;
                    let on_nickel = (ticks - ticks.round()).abs() < 1e-6;
                    prop_assert!(on_nickel || t.legs[0].penny, "{} off the tick", t.limit);
                    prop_assert!(t.limit >= p.mid.unwrap() - 1e-9);
                } else {
                    let spread_mid = p.rolls[0].mid.unwrap() - p.mid.unwrap();
                    match t.effect {
                        ccplan::export::orders::PriceEffect::Credit => {
                            prop_assert!(t.limit <= spread_mid + 1e-9 || t.limit == 0.01)
                        }
                        ccplan::export::orders::PriceEffect::Debit => {
                            prop_assert!(t.limit >= -spread_mid - 1e-9)
                        }
                    }
                }
                let line = tos_order(&t).unwrap();
                let price = line.rsplit_once('@').unwrap().1.trim_end_matches(" LMT");
                prop_assert!((price.parse::<f64>().unwrap() - t.limit).abs() < 1e-9, "{line}");
                prop_assert_eq!(ibkr_rows(&t).unwrap().len(), t.legs.len());
                prop_assert_eq!(schwab_order(&t).unwrap().price, format!("{:.2}", t.limit));
                prop_assert_eq!(tastytrade_order(&t).unwrap().legs.len(), t.legs.len());
            }
        }
    }
}

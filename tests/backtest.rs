//! `ccplan::backtest`: reconciliation on every rule, the flat-series identity, splits,
//! hostile histories, each rule's strike choice on hand-built days, determinism.

use ccplan::backtest::{
    run, BacktestParams, Dividend, Event, HoldingInput, IvPoint, Rule, Settle, SplitEvent,
};
use ccplan::model::{Adjustment, Bar, PriceHistory};
use ccplan::providers::calendar::trading_days_between;
use ccplan::providers::demo::Demo;
use ccplan::providers::HistorySource;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn bar(date: NaiveDate, close: f64) -> Bar {
    Bar {
        date,
        open: Some(close),
        high: None,
        low: None,
        close,
        volume: None,
    }
}

/// A series over the NYSE sessions from `from` to `to` with `close(i, date)`.
fn series(from: &str, to: &str, close: impl Fn(usize, NaiveDate) -> f64) -> Vec<Bar> {
    trading_days_between(d(from), d(to))
        .into_iter()
        .enumerate()
        .map(|(i, day)| bar(day, close(i, day)))
        .collect()
}

fn holding(sym: &str, shares: u64, bars: Vec<Bar>, adj: Adjustment) -> HoldingInput {
    HoldingInput {
        shares,
        history: PriceHistory {
            symbol: sym.into(),
            adjustment: adj,
            bars,
        },
        splits: vec![],
        dividends: vec![],
        iv: vec![],
        chains: vec![],
    }
}

fn flat_iv(from: &str, to: &str, iv: f64) -> Vec<IvPoint> {
    trading_days_between(d(from), d(to))
        .into_iter()
        .map(|date| IvPoint { date, iv })
        .collect()
}

fn demo(sym: &str, from: &str, to: &str) -> PriceHistory {
    Demo::new().history(sym, d(from), d(to)).unwrap()
}

#[test]
fn the_ledger_reconciles_to_the_cent_on_every_rule_and_settlement() {
    let hist = demo("NVDA", "2023-10-01", "2025-12-31");
    for rule in [Rule::Bxm, Rule::Bxy, Rule::Bxmd, Rule::Ccplan] {
        for settle in [Settle::Physical, Settle::Cash] {
            let mut p = BacktestParams::new(d("2024-01-02"), d("2025-12-10"), rule);
            p.settle = settle;
            p.fee = 0.65;
            let mut h = HoldingInput {
                shares: 300,
                history: hist.clone(),
                splits: vec![],
                dividends: vec![Dividend {
                    ex_date: d("2024-06-11"),
                    amount: 0.40,
                }],
                iv: vec![],
                chains: vec![],
            };
            h.dividends.push(Dividend {
                ex_date: d("2025-03-12"),
                amount: 0.50,
            });
            let r = run(&[h], &p).unwrap();
            let rec = r.reconciliation;
            let sum: f64 = r.ledger.iter().map(|e| e.cash_flow).sum();
            let last = r.equity.last().unwrap();
            assert!(
                (rec.final_equity - (rec.initial_value + sum + rec.stock_mark_to_market)).abs()
                    < 0.005,
                "{rule:?} {settle:?}: {rec:?}"
            );
            assert!(rec.difference.abs() < 0.005, "{rule:?}: {rec:?}");
            assert_eq!(last.strategy, rec.final_equity);
            // Cash on the curve is the ledger's running sum.
            assert!((last.cash - sum).abs() < 1e-6);
            // The premium in the summary is the sales in the ledger, fees apart.
            let sold: f64 = r
                .ledger
                .iter()
                .filter(|e| e.event == Event::Sell)
                .map(|e| e.cash_flow + e.fee)
                .sum();
            assert!((sold - r.summary.premium_collected).abs() < 1e-6);
            assert!(r.summary.calls_written >= 20, "{rule:?}: {:?}", r.summary);
            assert!(r.summary.premium_collected > 0.0);
            let fees: f64 = r.ledger.iter().map(|e| e.fee).sum();
            assert!((fees - r.summary.fees).abs() < 1e-9);
            // 3 contracts per sale at 0.65.
            assert!(r.summary.fees >= 0.65 * 3.0 * r.summary.calls_written as f64 - 1e-9);
            // Only the sessions between an assignment and the buy-back carry no option.
            assert!(r.summary.synthetic_days + 2 * r.summary.assignments >= r.summary.sessions);
            assert_eq!(r.summary.real_days, 0);
            if settle == Settle::Cash {
                assert!(r.ledger.iter().all(|e| e.event != Event::Assign));
            }
        }
    }
}

#[test]
fn a_flat_series_earns_exactly_the_time_value_sold_minus_fees() {
    // 100.00 every day, IV 30 % flat, BXM writes the 100 strike (at the money) each month and
    // every call expires at the strike: not above it, so worthless.
    let (from, to) = ("2024-01-19", "2024-12-20");
    let bars = series("2023-12-01", to, |_, _| 100.0);
    let mut h = holding("FLAT", 200, bars, Adjustment::None);
    h.iv = flat_iv("2023-12-01", to, 0.30);
    let mut p = BacktestParams::new(d(from), d(to), Rule::Bxm);
    p.fee = 1.0;
    let r = run(&[h], &p).unwrap();
    let s = &r.summary;
    // Third Fridays 2024-01-19 … 2024-11-15 write; 2024-12-20 (last session) does not.
    assert_eq!(s.calls_written, 11);
    assert_eq!(s.assignments, 0);
    assert_eq!(s.open_call_mark, 0.0);
    let sells: Vec<_> = r.ledger.iter().filter(|e| e.event == Event::Sell).collect();
    assert!(sells.iter().all(|e| e.strike == Some(100.0)));
    let time_value: f64 = sells.iter().map(|e| e.price.unwrap() * 200.0).sum();
    let fees = 11.0 * 2.0 * 1.0;
    let gain = r.reconciliation.final_equity - r.reconciliation.initial_value;
    assert!(
        (gain - (time_value - fees)).abs() < 1e-6,
        "{gain} vs {time_value}"
    );
    assert!((s.premium_collected - time_value).abs() < 1e-9);
    // A 28-day ATM call at 30 % on 100 is worth about 3.4: bid ~3.3 × 200 × 11 months.
    assert!(time_value > 6_000.0 && time_value < 8_500.0, "{time_value}");
    // Every expiry is in the ledger as worthless.
    let expired = r.ledger.iter().filter(|e| e.event == Event::Expire).count();
    assert_eq!(expired, 11);
    assert_eq!(s.buy_and_hold.total_return, 0.0);
}

/// NVDA's shape around its 4-for-1 split (effective 2021-07-20): ~750 before, ~188 after.
fn nvda_split_bars() -> Vec<Bar> {
    series("2021-05-03", "2021-09-30", |i, day| {
        let drift = 1.0 + 0.001 * i as f64;
        if day < d("2021-07-20") {
            750.0 * drift
        } else {
            750.0 * drift / 4.0
        }
    })
}

#[test]
fn the_split_day_brings_no_false_assignment_and_no_false_loss() {
    for splits in [
        vec![SplitEvent {
            date: d("2021-07-20"),
            ratio: 4.0,
        }],
        vec![], // inferred from the prices, with a note
    ] {
        let inferred = splits.is_empty();
        let mut h = holding("NVDA", 100, nvda_split_bars(), Adjustment::None);
        h.splits = splits;
        h.iv = flat_iv("2021-05-03", "2021-09-30", 0.40);
        let p = BacktestParams::new(d("2021-06-01"), d("2021-09-30"), Rule::Bxy);
        let r = run(&[h], &p).unwrap();
        assert!(
            r.ledger
                .iter()
                .all(|e| !matches!(e.event, Event::Assign | Event::EarlyAssign)),
            "{:?}",
            r.ledger
        );
        let split = r
            .ledger
            .iter()
            .find(|e| e.event == Event::Split)
            .expect("a split row");
        assert_eq!(split.date, d("2021-07-20"));
        assert_eq!(split.shares, 300.0);
        // The open call (written 2021-07-16 on the July expiry day, for August) now delivers
        // 400 shares at a quarter of its strike.
        assert_eq!(split.deliverable, 400.0);
        let day_before = r.equity.iter().find(|e| e.date == d("2021-07-19")).unwrap();
        let split_day = r.equity.iter().find(|e| e.date == d("2021-07-20")).unwrap();
        // A 0.1 % drift day, not a 75 % loss.
        let change = split_day.strategy / day_before.strategy - 1.0;
        assert!(change.abs() < 0.02, "{change}");
        let bh_change = split_day.buy_and_hold / day_before.buy_and_hold - 1.0;
        assert!(bh_change.abs() < 0.002, "{bh_change}");
        assert!(r.reconciliation.difference.abs() < 0.005);
        if inferred {
            assert!(
                r.notes.iter().any(|n| n.contains("4-for-1")),
                "{:?}",
                r.notes
            );
        }
    }
}

#[test]
fn a_split_adjusted_series_needs_no_split_and_says_so() {
    let bars = series("2021-05-03", "2021-09-30", |i, _| {
        187.5 * (1.0 + 0.001 * i as f64)
    });
    let mut h = holding("NVDA", 400, bars, Adjustment::Splits);
    h.splits = vec![SplitEvent {
        date: d("2021-07-20"),
        ratio: 4.0,
    }];
    let p = BacktestParams::new(d("2021-06-01"), d("2021-09-30"), Rule::Bxm);
    let r = run(&[h], &p).unwrap();
    assert!(r.ledger.iter().all(|e| e.event != Event::Split));
    assert!(r.notes.iter().any(|n| n.contains("already split-adjusted")));
}

#[test]
fn a_hostile_history_is_repaired_with_notes_or_rejected_never_a_panic() {
    let mut bars = series("2024-01-02", "2024-06-28", |i, _| 50.0 + (i % 7) as f64);
    bars.reverse(); // unsorted
    bars.push(bar(d("2024-03-01"), 0.0)); // zero close
    bars.push(bar(d("2024-03-02"), 55.0)); // a Saturday
    bars.push(Bar {
        open: Some(-1.0),
        ..bar(d("2024-03-04"), f64::NAN)
    });
    bars.push(bar(d("2024-02-05"), 52.0)); // duplicate date
    bars.retain(|b| !(d("2024-04-01") <= b.date && b.date <= d("2024-04-05"))); // a gap
    let h = holding("HOST", 100, bars.clone(), Adjustment::None);
    let p = BacktestParams::new(d("2024-02-01"), d("2024-06-28"), Rule::Bxm);
    let r = run(&[h], &p).unwrap();
    let notes = r.notes.join("\n");
    for want in [
        "sorted",
        "zero, negative or non-finite close",
        "NYSE was closed",
        "duplicate",
        "5 session(s) missing",
    ] {
        assert!(notes.contains(want), "{want}: {notes}");
    }
    assert!(r.reconciliation.difference.abs() < 0.005);

    // A long gap is rejected with the dates.
    let mut long = bars.clone();
    long.retain(|b| !(d("2024-05-01") <= b.date && b.date <= d("2024-05-31")));
    let err = run(&[holding("HOST", 100, long, Adjustment::None)], &p).unwrap_err();
    assert!(
        err.to_string().contains("sessions missing between"),
        "{err}"
    );

    // Nothing usable, a single bar, an empty history, a range the wrong way round.
    let zeros = series("2024-01-02", "2024-03-28", |_, _| 0.0);
    let too_short = |r: ccplan::Result<_>, sym: &str, usable: &str| {
        let e = r.map(drop).unwrap_err();
        assert!(
            matches!(&e, ccplan::Error::NoData { what: "price history", symbol, message }
                if symbol == sym
                    && message.starts_with(usable)
                    && message.contains("from 2024-02-01 to 2024-06-28")
                    && message.contains("at least two")),
            "{e}"
        );
    };
    too_short(
        run(&[holding("Z", 100, zeros, Adjustment::None)], &p),
        "Z",
        "0 usable session(s)",
    );
    let one = vec![bar(d("2024-02-01"), 10.0)];
    too_short(
        run(&[holding("O", 100, one, Adjustment::None)], &p),
        "O",
        "1 usable session(s)",
    );
    too_short(
        run(&[holding("E", 100, vec![], Adjustment::None)], &p),
        "E",
        "0 usable session(s)",
    );
    let mut back = p.clone();
    back.from = d("2024-07-01");
    let e = run(&[holding("HOST", 100, bars, Adjustment::None)], &back).unwrap_err();
    assert!(
        matches!(&e, ccplan::Error::InvalidInput { what: "backtest range", value, expected }
            if value == "2024-07-01 to 2024-06-28" && expected.contains("--from")),
        "{e}"
    );
}

/// Hand-built days: a constant close, so the strike each rule picks is known.
fn first_sale(rule: Rule, close: f64, iv: f64) -> (f64, NaiveDate) {
    let bars = series("2024-04-01", "2024-06-28", |_, _| close);
    let mut h = holding("HAND", 100, bars, Adjustment::None);
    h.iv = flat_iv("2024-04-01", "2024-06-28", iv);
    let p = BacktestParams::new(d("2024-05-17"), d("2024-06-28"), rule);
    let r = run(&[h], &p).unwrap();
    let s = r.ledger.iter().find(|e| e.event == Event::Sell).unwrap();
    (s.strike.unwrap(), s.expiry.unwrap())
}

#[test]
fn each_rule_picks_its_strike_on_hand_built_days() {
    // Written on the May 2024 expiry for the June one (2024-06-21).
    let (k, e) = first_sale(Rule::Bxm, 101.3, 0.30);
    assert_eq!((k, e), (102.5, d("2024-06-21")));
    let (k, _) = first_sale(Rule::Bxm, 100.0, 0.30);
    assert_eq!(k, 100.0);
    // 2 % over 101.3 is 103.33: 105.
    let (k, _) = first_sale(Rule::Bxy, 101.3, 0.30);
    assert_eq!(k, 105.0);
    // 30 delta at 30 % vol, 35 days: Δ(105) = 0.321, Δ(107.5) = 0.226 (independent BSM with
    // the skew).
    let (k, _) = first_sale(Rule::Bxmd, 100.0, 0.30);
    assert_eq!(k, 105.0);
    // At 60 % vol the 30-delta strike is further out.
    // (independent BSM with the skew: Δ(110) = 0.334, Δ(112.5) = 0.286).
    let (k, _) = first_sale(Rule::Bxmd, 100.0, 0.60);
    assert_eq!(k, 112.5);
    // ccplan's balanced profile centres on 0.25 delta: above the 30-delta strike.
    let (k, _) = first_sale(Rule::Ccplan, 100.0, 0.30);
    assert!((105.0..=110.0).contains(&k), "{k}");
}

#[test]
fn physical_assignment_sells_at_the_strike_and_buys_back_at_the_next_open() {
    // Flat 100 to the June expiry, then 110 from the expiry day on, opens at 111.
    let bars: Vec<Bar> = series("2024-04-01", "2024-07-31", |_, day| {
        if day >= d("2024-06-21") {
            110.0
        } else {
            100.0
        }
    })
    .into_iter()
    .map(|b| Bar {
        open: Some(if b.close > 100.0 { 111.0 } else { 100.0 }),
        ..b
    })
    .collect();
    let mut h = holding("ASSN", 100, bars, Adjustment::None);
    h.iv = flat_iv("2024-04-01", "2024-07-31", 0.25);
    let p = BacktestParams::new(d("2024-05-17"), d("2024-07-31"), Rule::Bxm);
    let r = run(&[h], &p).unwrap();
    let a = r.ledger.iter().find(|e| e.event == Event::Assign).unwrap();
    assert_eq!(a.date, d("2024-06-21"));
    assert_eq!(a.strike, Some(100.0));
    assert_eq!(a.cash_flow, 100.0 * 100.0);
    let b = r
        .ledger
        .iter()
        .find(|e| e.event == Event::BuyShares)
        .unwrap();
    assert_eq!(b.date, d("2024-06-24"));
    assert_eq!(b.cash_flow, -111.0 * 100.0);
    assert_eq!(r.summary.upside_given_away, 10.0 * 100.0);
    assert_eq!(r.summary.assignments, 1);
    assert!(r.reconciliation.difference.abs() < 0.005);

    // Cash settlement pays the same 10 per share and keeps the shares.
    let mut h = holding("ASSN", 100, r_bars(), Adjustment::None);
    h.iv = flat_iv("2024-04-01", "2024-07-31", 0.25);
    let mut pc = p.clone();
    pc.settle = Settle::Cash;
    let rc = run(&[h], &pc).unwrap();
    let cs = rc
        .ledger
        .iter()
        .find(|e| e.event == Event::CashSettle)
        .unwrap();
    assert_eq!(cs.cash_flow, -1000.0);
    assert!(rc.ledger.iter().all(|e| e.event != Event::BuyShares));
}

fn r_bars() -> Vec<Bar> {
    series("2024-04-01", "2024-07-31", |_, day| {
        if day >= d("2024-06-21") {
            110.0
        } else {
            100.0
        }
    })
}

#[test]
fn a_deep_call_is_assigned_on_the_eve_of_a_large_dividend() {
    // 120 against a 100 strike, 3.00 dividend going ex 2024-06-12, nine days before expiry:
    // the time value left is far below the dividend, so the holder exercises on 06-11.
    let bars = series("2024-04-01", "2024-07-31", |_, day| {
        if day >= d("2024-05-20") {
            120.0
        } else {
            100.0
        }
    });
    let mut h = holding("DIVS", 100, bars, Adjustment::None);
    h.iv = flat_iv("2024-04-01", "2024-07-31", 0.25);
    h.dividends = vec![Dividend {
        ex_date: d("2024-06-12"),
        amount: 3.0,
    }];
    let p = BacktestParams::new(d("2024-05-17"), d("2024-07-31"), Rule::Bxm);
    let r = run(&[h.clone()], &p).unwrap();
    let e = r
        .ledger
        .iter()
        .find(|e| e.event == Event::EarlyAssign)
        .unwrap();
    assert_eq!(e.date, d("2024-06-11"));
    assert!(r.ledger.iter().all(|e| e.event != Event::Dividend));
    assert_eq!(r.summary.early_assignments, 1);
    // Buy-and-hold got the dividend: 3 × 100.
    let last = r.equity.last().unwrap();
    assert!((last.buy_and_hold - (120.0 * 100.0 + 300.0)).abs() < 1e-9);
    assert!(r.reconciliation.difference.abs() < 0.005);

    // A small dividend is not worth the time value: no early exercise, the dividend is paid.
    h.dividends[0].amount = 0.05;
    let r = run(&[h], &p).unwrap();
    assert!(r.ledger.iter().all(|e| e.event != Event::EarlyAssign));
    let div = r
        .ledger
        .iter()
        .find(|e| e.event == Event::Dividend)
        .unwrap();
    assert!((div.cash_flow - 5.0).abs() < 1e-9);
}

#[test]
fn the_same_inputs_give_the_same_output_byte_for_byte() {
    let hist = demo("AMD", "2022-11-01", "2024-12-31");
    let inputs = vec![
        HoldingInput {
            shares: 500,
            history: hist,
            splits: vec![],
            dividends: vec![],
            iv: vec![],
            chains: vec![],
        },
        HoldingInput {
            shares: 200,
            history: demo("MSFT", "2022-11-01", "2024-12-31"),
            splits: vec![],
            dividends: vec![Dividend {
                ex_date: d("2023-08-16"),
                amount: 0.68,
            }],
            iv: vec![],
            chains: vec![],
        },
    ];
    let p = BacktestParams::new(d("2023-01-03"), d("2024-12-31"), Rule::Ccplan);
    let a = serde_json::to_string(&run(&inputs, &p).unwrap()).unwrap();
    let b = serde_json::to_string(&run(&inputs, &p).unwrap()).unwrap();
    assert_eq!(a, b);
    let r = run(&inputs, &p).unwrap();
    assert_eq!(r.holdings.len(), 2);
    assert!(r.reconciliation.difference.abs() < 0.005);
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    for key in [
        "report", "params", "summary", "equity", "ledger", "holdings", "days", "notes",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    assert_eq!(v["report"], "backtest");
}

#[test]
fn extreme_values_and_empty_holdings_do_not_panic() {
    // A price path that jumps by nine orders of magnitude and back, zero shares, a huge one.
    let bars = series("2024-01-02", "2024-04-30", |i, _| {
        if i % 17 == 3 {
            1e9
        } else {
            42.0 + (i % 5) as f64
        }
    });
    let p = BacktestParams::new(d("2024-02-01"), d("2024-04-30"), Rule::Bxmd);
    for shares in [0, 100, u64::MAX / 1_000_000] {
        let h = holding("WILD", shares, bars.clone(), Adjustment::Unknown);
        // Positive closes on NYSE sessions: a valid series, however wild.
        let r = run(&[h], &p).unwrap();
        let rec = r.reconciliation;
        assert!(
            rec.difference.abs() <= 1e-9 * rec.initial_value.abs().max(1.0),
            "{rec:?}"
        );
    }
    let mut ccp = p.clone();
    ccp.rule = Rule::Ccplan;
    ccp.manage = Some(Default::default());
    let h = holding("WILD", 300, bars, Adjustment::None);
    let r = run(&[h], &ccp).unwrap();
    assert!(
        r.reconciliation.difference.abs() < 0.01,
        "{:?}",
        r.reconciliation
    );
    let e = run(&[], &p).unwrap_err();
    assert!(
        matches!(&e, ccplan::Error::InvalidInput { what: "holdings", value, .. } if value == "none"),
        "{e}"
    );
}

//! The trade journal: brokers' transaction histories read into written-call events, the
//! store's journal table, income totals that reconcile with the brokers' cash amounts, and
//! the open price and date of a call still open (what `manage` reads).

use std::path::Path;

use ccplan::journal::{
    income, open_call, parse_transactions, positions, Action, GroupBy, HistoryFormat, JournalEntry,
};
use ccplan::model::OptionContract;
use ccplan::store::Store;
use chrono::NaiveDate;

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/brokers")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn occ(s: &str) -> OptionContract {
    OptionContract::parse_occ(s).unwrap()
}

fn near(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

fn entries(name: &str) -> Vec<JournalEntry> {
    parse_transactions(&fixture(name), name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .entries
}

/// (date, OCC, action, contracts, price, fees) of each entry.
type Brief = (NaiveDate, String, Action, u32, Option<f64>, f64);

fn brief(e: &[JournalEntry]) -> Vec<Brief> {
    e.iter()
        .map(|e| {
            (
                e.date,
                e.contract.occ(),
                e.action,
                e.contracts,
                e.price,
                (e.fees * 100.0).round() / 100.0,
            )
        })
        .collect()
}

#[test]
fn schwab_history_to_entries() {
    let t = parse_transactions(&fixture("schwab_transactions.csv"), "s.csv").unwrap();
    assert_eq!(t.format, HistoryFormat::Schwab);
    use Action::*;
    assert_eq!(
        brief(&t.entries),
        vec![
            (
                d(2025, 12, 1),
                "NVDA251219C00190000".into(),
                BuyToClose,
                1,
                Some(1.2),
                0.66
            ),
            (
                d(2025, 11, 24),
                "NVDA251219C00190000".into(),
                SellToOpen,
                2,
                Some(4.5),
                1.32
            ),
            (
                d(2025, 11, 21),
                "AMD251121C00260000".into(),
                Assigned,
                1,
                None,
                0.0
            ),
            (
                d(2025, 11, 21),
                "NVDA251121C00200000".into(),
                Expired,
                2,
                None,
                0.0
            ),
            (
                d(2025, 11, 3),
                "AMD251121C00260000".into(),
                SellToOpen,
                1,
                Some(5.0),
                0.66
            ),
            (
                d(2025, 11, 3),
                "NVDA251121C00200000".into(),
                SellToOpen,
                2,
                Some(3.1),
                1.32
            ),
        ]
    );
    assert!(t
        .entries
        .iter()
        .all(|e| e.account.as_deref() == Some("Individual ...123")));
    assert_eq!(t.entries[0].source, "schwab transactions:s.csv");
    let reasons: Vec<(&str, &str)> = t
        .ignored
        .iter()
        .map(|i| (i.item.as_str(), i.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("AMD", "not a written-call event"),
            ("MSFT", "not a written-call event"),
            (
                "MSFT 12/19/2025 450.00 P",
                "put: the journal keeps written calls"
            ),
            (
                "MSFT 12/19/2025 500.00 C",
                "long option trade: not a written call"
            ),
        ]
    );
}

#[test]
fn fidelity_history_to_entries() {
    let t = parse_transactions(&fixture("fidelity_history.csv"), "f.csv").unwrap();
    assert_eq!(t.format, HistoryFormat::Fidelity);
    use Action::*;
    assert_eq!(
        brief(&t.entries),
        vec![
            (
                d(2025, 12, 1),
                "NVDA251219C00190000".into(),
                BuyToClose,
                1,
                Some(1.2),
                0.66
            ),
            (
                d(2025, 11, 24),
                "NVDA251219C00190000".into(),
                SellToOpen,
                2,
                Some(4.5),
                1.34
            ),
            (
                d(2025, 11, 21),
                "MSFT251121C00520000".into(),
                Expired,
                1,
                None,
                0.0
            ),
            (
                d(2025, 11, 21),
                "AMD251121C00260000".into(),
                Assigned,
                1,
                None,
                0.0
            ),
            (
                d(2025, 11, 3),
                "MSFT251121C00520000".into(),
                SellToOpen,
                1,
                Some(2.35),
                0.67
            ),
            (
                d(2025, 11, 3),
                "AMD251121C00260000".into(),
                SellToOpen,
                1,
                Some(5.0),
                0.66
            ),
        ]
    );
    assert_eq!(t.entries[2].account.as_deref(), Some("ROTH IRA Z20000002"));
    assert_eq!(t.ignored.len(), 3, "{:?}", t.ignored);
    assert!(t.notes.iter().any(|n| n.contains("2 disclaimer lines")));
}

#[test]
fn ibkr_trades_to_entries() {
    let t = parse_transactions(&fixture("ibkr_trades.csv"), "i.csv").unwrap();
    assert_eq!(t.format, HistoryFormat::IbkrTrades);
    use Action::*;
    let b = brief(&t.entries);
    assert_eq!(b.len(), 6);
    assert_eq!(
        b[0],
        (
            d(2025, 11, 3),
            "NVDA251121C00200000".into(),
            SellToOpen,
            2,
            Some(3.1),
            1.31
        )
    );
    assert_eq!(b[1].2, Expired);
    assert_eq!(b[3].2, Assigned);
    assert_eq!(
        b[5],
        (
            d(2025, 12, 1),
            "NVDA251219C00190000".into(),
            BuyToClose,
            1,
            Some(1.2),
            0.66
        )
    );
    assert!(t
        .entries
        .iter()
        .all(|e| e.account.as_deref() == Some("U1234567")));
    let items: Vec<&str> = t.ignored.iter().map(|i| i.item.as_str()).collect();
    assert_eq!(items, ["NVDA", "SPY 19DEC25 600 P"]);
}

/// The brokers' own net amounts, summed: what the account's cash moved by.
fn broker_cash(e: &[JournalEntry]) -> f64 {
    e.iter().map(|e| e.amount.unwrap_or(0.0)).sum()
}

#[test]
fn income_reconciles_with_the_cash_flows() {
    for (file, want_net) in [
        ("schwab_transactions.csv", 1896.04),
        ("fidelity_history.csv", 1511.67),
        ("ibkr_trades.csv", 1896.06),
    ] {
        let e = entries(file);
        let cash: f64 = e.iter().map(JournalEntry::cash_flow).sum();
        near(cash, broker_cash(&e));
        near(cash, want_net);
        for by in [
            GroupBy::Total,
            GroupBy::Month,
            GroupBy::Year,
            GroupBy::Symbol,
        ] {
            let inc = income(&e, by, d(2025, 12, 5));
            near(inc.total.net, cash);
            near(
                inc.total.premium_collected - inc.total.paid_back - inc.total.fees,
                inc.total.net,
            );
            if by != GroupBy::Total {
                let rows_net: f64 = inc.rows.iter().map(|r| r.net).sum();
                let rows_fees: f64 = inc.rows.iter().map(|r| r.fees).sum();
                near(rows_net, inc.total.net);
                near(rows_fees, inc.total.fees);
                let sold: u64 = inc.rows.iter().map(|r| r.contracts_sold).sum();
                assert_eq!(sold, inc.total.contracts_sold, "{file} {by:?}");
            }
        }
    }
}

#[test]
fn income_figures_by_hand() {
    let e = entries("schwab_transactions.csv");
    let inc = income(&e, GroupBy::Symbol, d(2025, 12, 5));
    let t = &inc.total;
    near(t.premium_collected, 620.0 + 900.0 + 500.0);
    near(t.paid_back, 120.0);
    near(t.fees, 1.32 + 1.32 + 0.66 + 0.66);
    assert_eq!(
        (
            t.contracts_sold,
            t.assignments,
            t.expired,
            t.bought_back,
            t.open
        ),
        (5, 1, 2, 1, 1)
    );
    assert_eq!(t.assignments_without_basis, 1);
    near(t.realized_gain_on_assignments, 0.0);
    // Capital × days: NVDA 200C ×2 for 18 days, NVDA 190C ×1 bought back after 7 days and ×1
    // still open after 11, AMD 260C ×1 assigned after 18.
    let capital_days = 40_000.0 * 18.0 + 19_000.0 * 7.0 + 19_000.0 * 11.0 + 26_000.0 * 18.0;
    near(t.annualized_yield.unwrap(), 1896.04 * 365.0 / capital_days);
    near(t.capital_covered, 40_000.0 + 19_000.0 + 19_000.0 + 26_000.0);
    let groups: Vec<&str> = inc.rows.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(groups, ["AMD", "NVDA"]);
    near(inc.rows[0].net, 499.34);
    near(
        inc.rows[0].annualized_yield.unwrap(),
        499.34 * 365.0 / (26_000.0 * 18.0),
    );
    let by_month = income(&e, GroupBy::Month, d(2025, 12, 5));
    let months: Vec<&str> = by_month.rows.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(months, ["2025-11"]);

    // With the basis of the shares called away, the gain on them.
    let mut with_basis = e.clone();
    for x in with_basis
        .iter_mut()
        .filter(|x| x.action == Action::Assigned)
    {
        x.cost_basis = Some(150.0);
    }
    let inc = income(&with_basis, GroupBy::Total, d(2025, 12, 5));
    near(
        inc.total.realized_gain_on_assignments,
        (260.0 - 150.0) * 100.0,
    );
    assert_eq!(inc.total.assignments_without_basis, 0);
}

#[test]
fn fifo_pairs_and_splits_lots() {
    let e = entries("schwab_transactions.csv");
    let p = positions(&e);
    let c190 = occ("NVDA251219C00190000");
    let nvda190: Vec<_> = p.iter().filter(|x| x.contract == c190).collect();
    assert_eq!(nvda190.len(), 2);
    let closed = nvda190.iter().find(|x| x.ended.is_some()).unwrap();
    assert_eq!(closed.ended, Some((d(2025, 12, 1), Action::BuyToClose)));
    near(closed.premium, 450.0);
    near(closed.fees, 0.66 + 0.66);
    near(closed.net(), 450.0 - 120.0 - 1.32);
    // A close with no sale in the journal stands alone, without an open date.
    let orphan = vec![e[0].clone()];
    let p = positions(&orphan);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].opened, None);
    near(p[0].net(), -120.66);
}

#[test]
fn open_price_and_date_for_manage() {
    let e = entries("schwab_transactions.csv");
    let c = occ("NVDA251219C00190000");
    let open = open_call(&e, &c, None).unwrap();
    assert_eq!(open.contracts, 1);
    assert_eq!(open.opened, d(2025, 11, 24));
    near(open.open_price, 4.5);
    near(open.fees, 0.66);
    assert_eq!(
        open_call(&e, &c, Some("Individual ...123"))
            .unwrap()
            .contracts,
        1
    );
    assert!(open_call(&e, &c, Some("Roth")).is_none());
    // Expired and assigned calls are not open.
    assert!(open_call(&e, &occ("NVDA251121C00200000"), None).is_none());
    assert!(open_call(&e, &occ("AMD251121C00260000"), None).is_none());
    // Two sales at different prices, none closed: the average, and the earlier date.
    let mut two = vec![e[1].clone(), e[1].clone()];
    two[1].date = d(2025, 11, 26);
    two[1].price = Some(5.5);
    two[1].contracts = 1;
    let o = open_call(&two, &c, None).unwrap();
    assert_eq!((o.contracts, o.opened), (3, d(2025, 11, 24)));
    near(o.open_price, (4.5 * 2.0 + 5.5) / 3.0);
}

#[test]
fn the_store_keeps_the_journal_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let e = entries("fidelity_history.csv");
    let mut store = Store::open(&path).unwrap();
    let r = store.add_journal(&e).unwrap();
    assert_eq!((r.added, r.already), (6, 0));
    let r = store.add_journal(&e).unwrap();
    assert_eq!((r.added, r.already), (0, 6));
    // The same fill twice in one import is two entries.
    let twice = vec![e[0].clone(), e[0].clone()];
    let r = store.add_journal(&twice).unwrap();
    assert_eq!((r.added, r.already), (1, 1));
    drop(store);
    let store = Store::open(&path).unwrap();
    let back = store.journal().unwrap();
    assert_eq!(back.len(), 7);
    let mut sorted = e.clone();
    sorted.push(e[0].clone());
    sorted.sort_by_key(|x| x.date);
    let mut got = back.clone();
    got.sort_by(|a, b| {
        (a.date, a.contract.occ(), a.action.name()).cmp(&(
            b.date,
            b.contract.occ(),
            b.action.name(),
        ))
    });
    sorted.sort_by(|a, b| {
        (a.date, a.contract.occ(), a.action.name()).cmp(&(
            b.date,
            b.contract.occ(),
            b.action.name(),
        ))
    });
    assert_eq!(got, sorted);
    // A bad entry is refused, and nothing of its batch is written.
    let mut bad = e[1].clone();
    bad.date = d(2026, 1, 2);
    let mut worse = bad.clone();
    worse.price = None;
    let mut store = Store::open(&path).unwrap();
    let e = store.add_journal(&[bad, worse]).unwrap_err();
    assert!(
        matches!(&e, ccplan::Error::Record { source_name, line: 2, field, message }
            if source_name == "journal entries"
                && field == "sell-to-open NVDA251219C00190000"
                && message.contains("needs its price")),
        "{e}"
    );
    assert_eq!(store.journal().unwrap().len(), 7);
}

#[test]
fn older_stores_gain_the_journal_and_keep_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA application_id = 1667461228;
             CREATE TABLE daily_summary (
                 symbol TEXT NOT NULL, date TEXT NOT NULL, iv30 REAL, hv20 REAL, spot REAL,
                 source TEXT NOT NULL, recorded_at TEXT, skew REAL,
                 atm_iv TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (symbol, date));
             CREATE TABLE chain_snapshot (id INTEGER PRIMARY KEY, symbol TEXT NOT NULL,
                 date TEXT NOT NULL, as_of TEXT NOT NULL, source TEXT NOT NULL,
                 format TEXT NOT NULL, body BLOB NOT NULL, UNIQUE (symbol, date));
             INSERT INTO daily_summary (symbol, date, iv30, source)
                 VALUES ('NVDA', '2025-06-03', 0.51, 'cboe');
             PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 3);
    assert_eq!(store.summaries("NVDA").unwrap().len(), 1);
    assert!(store.journal().unwrap().is_empty());
    store.add_journal(&entries("ibkr_trades.csv")).unwrap();
    assert_eq!(store.journal().unwrap().len(), 6);
    store.check_integrity().unwrap();
}

#[test]
fn unreadable_histories_name_line_and_column() {
    let bad = fixture("schwab_transactions.csv").replace("\"$4.50\"", "\"$4.5O\"");
    let e = parse_transactions(&bad, "s.csv").unwrap_err().to_string();
    assert_eq!(
        e,
        "s.csv, line 4, column 6: schwab transactions: price: \"$4.5O\" is not a number"
    );
    let bad = fixture("fidelity_history.csv").replace("11/24/2025,", "24.11.2025,");
    let e = parse_transactions(&bad, "f.csv").unwrap_err().to_string();
    assert!(
        e.starts_with("f.csv, line 5, column 1: fidelity history:"),
        "{e}"
    );
    let e = parse_transactions("Symbol,Qty\nNVDA,1\n", "x.csv")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "known formats: ibkr activity statement trades, schwab transactions, fidelity history"
        ),
        "{e}"
    );
}

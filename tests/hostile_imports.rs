//! Broker exports and transaction histories, mutated and truncated, never make the readers
//! panic; what they do return holds only usable numbers. The seeds are the broker fixtures;
//! the edits are byte-wise (overwrite, insert, delete, truncate, CSV separators) and
//! field-wise (a field replaced by a hostile value). `PROPTEST_CASES` sets a longer run; the
//! `broker_import` fuzz target in `fuzz/` is the long-running counterpart.

use std::path::Path;

use ccplan::import::{detect, load_holdings, BrokerFormat};
use ccplan::journal::{income, parse_transactions, GroupBy};
use chrono::NaiveDate;
use proptest::prelude::*;

const FIXTURES: &[&str] = &[
    "schwab_positions.csv",
    "schwab_all_accounts.csv",
    "fidelity_positions.csv",
    "ibkr_activity.csv",
    "ibkr_flex.csv",
    "ibkr_tws_portfolio.csv",
    "etrade_portfolio.csv",
    "tastytrade_positions.csv",
    "robinhood_positions.csv",
    "schwab_transactions.csv",
    "fidelity_history.csv",
    "ibkr_trades.csv",
];

const HOSTILE: &[&str] = &[
    "",
    "--",
    "$",
    "(",
    "()",
    "-",
    "+",
    "1e400",
    "-1e400",
    "NaN",
    "inf",
    "-0",
    "0",
    "-999999999999",
    "4294967296",
    "-4294967297",
    "0.5",
    "-0.5",
    "$1,2,3",
    "(($5))",
    "NVDA 13/45/2025 150 C",
    "NVDA 12/19/2025 -150 C",
    " -NVDA259999C150",
    "NVDA251219X150",
    "\u{feff}",
    "é",
    "\"",
    "Account Total",
    "Positions for account X as of Y",
    "Trades",
    "Header",
    "Open Positions",
    "Sell to Open",
    "ASSIGNED",
    "C;Ep",
    "A",
    "O",
];

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/brokers")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Apply byte edits: overwrite, insert, delete a run, truncate, splice a separator.
fn edit_bytes(text: &str, edits: &[(usize, u8, u8)]) -> String {
    let mut b = text.as_bytes().to_vec();
    for &(at, byte, op) in edits {
        if b.is_empty() {
            b.push(byte);
            continue;
        }
        let i = at % b.len();
        match op % 5 {
            0 => b[i] = byte,
            1 => b.insert(i, byte),
            2 => {
                let end = (i + 1 + usize::from(byte % 64)).min(b.len());
                b.drain(i..end);
            }
            3 => b.truncate(i),
            _ => {
                let seps: &[&[u8]] = &[b",", b"\n", b"\"", b"\r\n", b";", b"$", b"(", b"-"];
                b.splice(i..i, seps[usize::from(byte) % seps.len()].iter().copied());
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// Replace whole CSV fields (split naively on commas) with hostile values.
fn edit_fields(text: &str, edits: &[(usize, usize, usize)]) -> String {
    let mut lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    for &(line, field, value) in edits {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        let l = &mut lines[line % n];
        if l.is_empty() {
            continue;
        }
        let m = l.len();
        let v = HOSTILE[value % HOSTILE.len()];
        l[field % m] = if value % 2 == 0 {
            format!("\"{v}\"")
        } else {
            v.to_string()
        };
    }
    lines
        .into_iter()
        .map(|l| l.join(","))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Everything a reader returns must be usable.
fn check(text: &str) {
    let _ = detect(text);
    for f in BrokerFormat::ALL {
        if let Ok(p) = f.parse(text) {
            for c in &p.calls {
                assert!(c.contracts > 0);
                assert!(c.price.is_none_or(|x| x.is_finite() && x >= 0.0), "{c:?}");
            }
            for l in &p.lots {
                assert!(l.shares > 0);
            }
        }
    }
    for account in [None, Some("roth"), Some("123")] {
        if let Ok(imp) = load_holdings(text, "x.csv", account) {
            assert!(!imp.portfolio.holdings.is_empty());
            for h in &imp.portfolio.holdings {
                assert!(h.shares > 0, "{h:?}");
                assert!(
                    h.cost_basis.is_none_or(|b| b.is_finite() && b >= 0.0),
                    "{h:?}"
                );
                for w in &h.written {
                    assert!(w.contracts > 0 && w.contract.strike > 0.0, "{w:?}");
                }
            }
        }
    }
    if let Ok(t) = parse_transactions(text, "x.csv") {
        for e in &t.entries {
            assert_eq!(e.validate(), Ok(()), "{e:?}");
            assert!(e.cash_flow().is_finite(), "{e:?}");
        }
        let as_of = NaiveDate::from_ymd_opt(2025, 12, 5).unwrap();
        for by in [GroupBy::Month, GroupBy::Symbol] {
            let inc = income(&t.entries, by, as_of);
            assert!(inc.total.net.is_finite());
            assert!(inc.total.annualized_yield.is_none_or(f64::is_finite));
        }
    }
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn byte_mutations_never_panic(
        which in 0..FIXTURES.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8),
    ) {
        check(&edit_bytes(&fixture(FIXTURES[which]), &edits));
    }

    #[test]
    fn field_mutations_never_panic(
        which in 0..FIXTURES.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<usize>()), 1..6),
    ) {
        check(&edit_fields(&fixture(FIXTURES[which]), &edits));
    }

    #[test]
    fn every_truncation_point_is_safe(which in 0..FIXTURES.len(), cut in any::<usize>()) {
        let text = fixture(FIXTURES[which]);
        let mut at = cut % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        check(&text[..at]);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
        check(&s);
    }
}

#[test]
fn every_line_prefix_of_every_fixture_is_safe() {
    for f in FIXTURES {
        let text = fixture(f);
        let lines: Vec<&str> = text.lines().collect();
        for n in 0..=lines.len() {
            check(&lines[..n].join("\n"));
        }
    }
}

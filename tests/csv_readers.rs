//! The CSV readers share one reading of header names and numbers (`ccplan::csvread`): the same
//! spreadsheet spellings work in a chain file, a history file, holdings, the IV-history import
//! and the pricing batch, and their errors name the line and the column as the file spells it.

use std::io::Write;
use std::process::{Command, Stdio};

use ccplan::model::parse_holdings;
use ccplan::providers::file::{parse_chain_csv, parse_history_csv};
use ccplan::providers::{ChainRequest, ExpiryFilter};
use ccplan::store::Store;
use ccplan::Error;
use chrono::{DateTime, NaiveDate};

fn request(symbol: &str) -> ChainRequest {
    ChainRequest {
        symbol: symbol.into(),
        expiries: ExpiryFilter::All,
        as_of: DateTime::parse_from_rfc3339("2026-11-17T10:30:00-05:00").expect("an instant"),
    }
}

#[test]
fn chain_csv_reads_spreadsheet_labels_and_money() {
    let text = "# spot: $1,185.20\n\
                Symbol,Expiration Date,Strike Price,Option Type,Bid,Ask,Volume,Open Interest\n\
                NVDA,2026-12-18,\"1,190\",call,$8.10,$8.30,\"1,234\",--\n";
    let snap = parse_chain_csv(text, "c.csv", &request("NVDA")).expect("the chain");
    assert_eq!(snap.underlying.last, 1185.2);
    let q = &snap.quotes[0];
    assert_eq!(q.contract.strike, 1190.0);
    assert_eq!((q.bid, q.ask), (Some(8.1), Some(8.3)));
    assert_eq!(q.volume, Some(1234));
    assert_eq!(q.open_interest, None, "-- is not given, not 0");
}

#[test]
fn chain_csv_errors_name_the_column_as_written() {
    let text = "# spot: 100\nexpiry,Strike Price,right,bid\n2026-12-18,1O5,call,1.5\n";
    match parse_chain_csv(text, "c.csv", &request("XYZ")) {
        Err(Error::Record {
            source_name,
            line,
            field,
            message,
        }) => {
            assert_eq!((source_name.as_str(), line), ("c.csv", 3));
            assert_eq!(field, "Strike Price");
            assert_eq!(
                message,
                "\"1O5\" is not a number (expected a strike in USD)"
            );
        }
        other => panic!("{other:?}"),
    }
    // An accountant's negative is read as negative, and refused as a price.
    let text = "# spot: 100\nexpiry,strike,right,bid\n2026-12-18,105,call,(1.50)\n";
    match parse_chain_csv(text, "c.csv", &request("XYZ")) {
        Err(Error::Record {
            line,
            field,
            message,
            ..
        }) => {
            assert_eq!((line, field.as_str()), (3, "bid"));
            assert!(message.contains("cannot be negative"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn history_csv_reads_the_same_labels() {
    let text = "DATE,Open,High,Low,Adj-Close,Volume\n2026-01-02,\"1,001\",\"1,010\",995,\"$1,005.50\",\"2,500\"\n";
    let h = parse_history_csv(text, "h.csv", "XYZ", None).expect("the history");
    let b = &h.bars[0];
    assert_eq!(b.date, NaiveDate::from_ymd_opt(2026, 1, 2).expect("a date"));
    assert_eq!(
        (b.open, b.close, b.volume),
        (Some(1001.0), 1005.5, Some(2500))
    );
}

#[test]
fn holdings_csv_reads_the_same_labels() {
    let p = parse_holdings(
        "Symbol,Shares,Cost-Basis\nNVDA,300,\"$1,118.50\"\n",
        "h.csv",
    )
    .expect("the holdings");
    assert_eq!(p.holdings[0].cost_basis, Some(1118.5));
}

#[test]
fn iv_history_import_reads_the_same_numbers() {
    let dir = tempfile::tempdir().expect("a directory");
    let mut store = Store::open(&dir.path().join("s.db")).expect("the store");
    let csv = "Date,IV30,Spot\n2026-01-02,0.35,\"$1,005.50\"\n2026-01-05,--,1010\n";
    assert_eq!(
        store
            .import_csv("XYZ", "s.csv", csv.as_bytes())
            .expect("imported"),
        2
    );
    let rows = store.summaries("XYZ").expect("the series");
    assert_eq!(rows[0].spot, Some(1005.5));
    assert_eq!((rows[1].iv30, rows[1].spot), (None, Some(1010.0)));
}

#[test]
fn pricing_batch_reads_the_same_labels() {
    let input = "Kind,Spot,Strike,T Years,Rate,Div-Yield,Vol\ncall,$42,40,0.5,0.1,0,0.2\n";
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccplan"))
        .args(["price", "--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ccplan");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let o = child.wait_with_output().expect("wait");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let row: Vec<&str> = out.lines().nth(1).expect("a row").split(',').collect();
    // Hull's example: 4.7594.
    let price: f64 = row[7].parse().expect("a price");
    assert!((price - 4.7594).abs() < 5e-5, "{price}");
}

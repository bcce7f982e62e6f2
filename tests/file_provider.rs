//! The file provider: saved snapshots, chain CSVs, history CSVs, and clear errors for
//! everything else.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};
use proptest::prelude::*;

use ccplan::model::{Adjustment, ChainSnapshot, Right};
use ccplan::providers::demo::Demo;
use ccplan::providers::file::{
    detect_format, parse_chain_csv, parse_history_csv, read_snapshot, save_snapshot,
    write_snapshot, FileFormat, FileSource,
};
use ccplan::providers::{ChainRequest, ChainSource, ExpiryFilter, HistorySource};
use ccplan::Error;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/file")
        .join(name)
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn req(sym: &str) -> ChainRequest {
    ChainRequest {
        symbol: sym.to_string(),
        expiries: ExpiryFilter::All,
        as_of: at("2026-11-20T12:00:00-05:00"),
    }
}

fn chain(file: &str, sym: &str) -> ccplan::Result<ChainSnapshot> {
    FileSource::new(fixture(file)).chain(&req(sym))
}

fn record(err: Error) -> (String, usize, String, String) {
    match err {
        Error::Record {
            source_name,
            line,
            field,
            message,
        } => (source_name, line, field, message),
        other => panic!("expected a record error, got {other:?}"),
    }
}

#[test]
fn chain_csv_with_metadata_lines() {
    let snap = chain("chain_nvda.csv", "nvda").unwrap();
    assert_eq!(snap.underlying.symbol, "NVDA");
    assert_eq!(snap.underlying.spot(), 185.20);
    assert_eq!(snap.underlying.iv30, Some(0.44));
    assert_eq!(snap.as_of, at("2026-11-17T10:30:00-05:00"));
    assert!(snap.source.starts_with("file:") && snap.source.ends_with("chain_nvda.csv"));
    assert!(snap.notes.is_empty(), "{:?}", snap.notes);
    assert_eq!(snap.quotes.len(), 8);
    assert_eq!(snap.expiries(), vec![d(2026, 12, 18), d(2027, 1, 15)]);

    let calls = snap.side(d(2026, 12, 18), Right::Call);
    let q190 = calls.iter().find(|q| q.contract.strike == 190.0).unwrap();
    assert_eq!(q190.contract.occ(), "NVDA261218C00190000");
    assert_eq!(
        (q190.bid, q190.ask, q190.last),
        (Some(6.10), Some(6.25), Some(6.20))
    );
    assert_eq!(q190.volume, Some(3390));
    assert_eq!(q190.open_interest, Some(15400));
    assert_eq!(q190.provider_iv, Some(0.44));
    assert_eq!(q190.provider_greeks.unwrap().delta, Some(0.41));
    assert_eq!(q190.provider_greeks.unwrap().vega, None);
    assert_eq!(q190.multiplier, 100);
    // Zero bid is no bid; empty cells are not given.
    let q250 = calls.iter().find(|q| q.contract.strike == 250.0).unwrap();
    assert_eq!(q250.bid, None);
    assert_eq!(q250.ask, Some(0.05));
    assert_eq!(q250.last, None);
    assert_eq!(q250.volume, None);
    assert_eq!(q250.provider_iv, None);
    assert_eq!(q250.provider_greeks, None);
}

#[test]
fn chain_csv_expiry_filter_and_symbol() {
    let source = FileSource::new(fixture("chain_nvda.csv"));
    let mut r = req("NVDA");
    r.expiries = ExpiryFilter::On(d(2027, 1, 15));
    let snap = source.chain(&r).unwrap();
    assert_eq!(snap.quotes.len(), 2);
    assert_eq!(snap.expiries(), vec![d(2027, 1, 15)]);
    // The file says NVDA: other symbols find nothing.
    match source.chain(&req("AAPL")).unwrap_err() {
        Error::NoData {
            symbol, message, ..
        } => {
            assert_eq!(symbol, "AAPL");
            assert!(message.contains("NVDA"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn chain_csv_crlf_contract_column_and_several_symbols() {
    let aapl = chain("chain_multi_crlf.csv", "AAPL").unwrap();
    assert_eq!(aapl.underlying.symbol, "AAPL");
    assert_eq!(aapl.underlying.spot(), 265.40);
    assert_eq!(aapl.as_of, at("2026-11-17T15:00:00Z"));
    assert_eq!(aapl.quotes.len(), 2);
    let c = &aapl.quotes[0];
    assert_eq!(c.contract.occ(), "AAPL261218C00270000");
    assert_eq!(c.provider_iv, Some(0.275));
    assert_eq!(c.volume, Some(120));
    assert_eq!(c.open_interest, Some(4410));

    // Padded OSI and O:-prefixed symbols in the same file.
    let msft = chain("chain_multi_crlf.csv", "msft").unwrap();
    assert_eq!(msft.underlying.spot(), 521.0);
    let strikes: Vec<(f64, Right)> = msft
        .quotes
        .iter()
        .map(|q| (q.contract.strike, q.contract.right))
        .collect();
    assert_eq!(strikes, vec![(550.0, Right::Call), (500.0, Right::Put)]);

    match chain("chain_multi_crlf.csv", "TSLA").unwrap_err() {
        Error::NoData { message, .. } => {
            assert!(message.contains("AAPL, MSFT"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn chain_csv_defaults_and_errors() {
    let name = "inline.csv";
    // No as-of in the file: the request's, with a note.
    let text = "# spot: 50\nsymbol,expiry,strike,right,bid,ask\nXYZ,2026-12-18,50,C,2.1,2.2\n";
    let snap = parse_chain_csv(text, name, &req("XYZ")).unwrap();
    assert_eq!(snap.as_of, req("XYZ").as_of);
    assert_eq!(snap.notes.len(), 1);
    assert!(snap.notes[0].contains("no as-of"));
    // A bare as-of date is that day's close in New York.
    let text = "# spot: 50\n# as_of: 2026-07-02\nsymbol,expiry,strike,right\nXYZ,2026-12-18,50,C\n";
    let snap = parse_chain_csv(text, name, &req("XYZ")).unwrap();
    assert_eq!(snap.as_of, at("2026-07-02T16:00:00-04:00"));
    // An as-of that is neither an instant nor a date: the line, the key and the value.
    let text = "# spot: 50\n# as_of: yesterday\nsymbol,expiry,strike,right\nXYZ,2026-12-18,50,C\n";
    let (src, line, field, message) = record(parse_chain_csv(text, name, &req("XYZ")).unwrap_err());
    assert_eq!((src.as_str(), line, field.as_str()), (name, 2, "as_of"));
    assert!(
        message.starts_with("\"yesterday\": expected RFC 3339"),
        "{message}"
    );

    // No spot anywhere.
    let text = "symbol,expiry,strike,right,bid,ask\nXYZ,2026-12-18,50,C,2.1,2.2\n";
    match parse_chain_csv(text, name, &req("XYZ")).unwrap_err() {
        Error::NoData { message, .. } => assert!(message.contains("# spot:"), "{message}"),
        other => panic!("{other:?}"),
    }
    // Missing required columns, named.
    let text = "# spot: 50\nsymbol,expiry,strike,bid\nXYZ,2026-12-18,50,2.1\n";
    let (_, line, field, message) = record(parse_chain_csv(text, name, &req("XYZ")).unwrap_err());
    assert_eq!((line, field.as_str()), (2, "header"));
    assert!(message.contains("right"), "{message}");
    // Bad cells: line and column as written in the file.
    for (row, col, needle) in [
        ("XYZ,2026-12-18,50,C,2.1,abc", "Ask", "not a number"),
        ("XYZ,2026-12-18,50,X,2.1,2.2", "Right", "call or put"),
        ("XYZ,2026-02-30,50,C,2.1,2.2", "Expiry", "not a date"),
        ("XYZ,2026-12-18,-5,C,2.1,2.2", "Strike", "positive"),
        ("XYZ,2026-12-18,50,C,-2.1,2.2", "Bid", "negative"),
        ("XYZ,2026-12-18,,C,2.1,2.2", "Strike", "missing"),
        ("XYZ,2026-12-18,50,C,2.1", "row", "fields"),
        ("TOOLONGSYM,2026-12-18,50,C,2.1,2.2", "Symbol", "root"),
    ] {
        let text = format!(
            "# spot: 50\n\nSymbol,Expiry,Strike,Right,Bid,Ask\nXYZ,2026-12-18,45,C,6.1,6.2\n{row}\n"
        );
        let sym = if row.starts_with("TOOLONG") {
            ""
        } else {
            "XYZ"
        };
        let (src, line, field, message) =
            record(parse_chain_csv(&text, name, &req(sym)).unwrap_err());
        assert_eq!(src, name);
        assert_eq!(line, 5, "{row}: {message}");
        assert_eq!(field, col, "{row}: {message}");
        assert!(message.contains(needle), "{row}: {message}");
    }
    // A contract listed twice.
    let text =
        "# spot: 50\nsymbol,expiry,strike,right\nXYZ,2026-12-18,50,C\nXYZ,2026-12-18,50.0,call\n";
    let (_, line, _, message) = record(parse_chain_csv(text, name, &req("XYZ")).unwrap_err());
    assert_eq!(line, 4);
    assert!(message.contains("line 3"), "{message}");
    // IV given in percent without a sign is refused, not silently misread.
    let text = "# spot: 50\nsymbol,expiry,strike,right,iv\nXYZ,2026-12-18,50,C,47\n";
    let (_, _, field, message) = record(parse_chain_csv(text, name, &req("XYZ")).unwrap_err());
    assert_eq!(field, "iv");
    assert!(message.contains("0.47"), "{message}");
}

#[test]
fn history_csv_crlf_fractional_volume() {
    let source = FileSource::new(fixture("history_crlf.csv"));
    let h = source
        .history("xyz", d(2026, 1, 1), d(2026, 12, 31))
        .unwrap();
    assert_eq!(h.symbol, "XYZ");
    assert_eq!(h.adjustment, Adjustment::Unknown);
    assert_eq!(h.bars.len(), 7);
    let first = h.bars[0];
    assert_eq!(first.date, d(2026, 11, 9));
    assert_eq!(
        (first.open, first.high, first.low, first.close),
        (Some(101.5), Some(103.2), Some(100.8), 102.9)
    );
    assert_eq!(first.volume, Some(41_235_568));
    assert_eq!(h.bars[4].volume, Some(39_987_000));
    assert_eq!(h.bars[6].close, 103.1);
    // Range filtering, and the adjustment when told.
    let h = source
        .clone()
        .with_adjustment(Adjustment::SplitsAndDividends)
        .history("XYZ", d(2026, 11, 11), d(2026, 11, 13))
        .unwrap();
    assert_eq!(h.adjustment, Adjustment::SplitsAndDividends);
    let dates: Vec<NaiveDate> = h.bars.iter().map(|b| b.date).collect();
    assert_eq!(
        dates,
        vec![d(2026, 11, 11), d(2026, 11, 12), d(2026, 11, 13)]
    );
    // Nothing in range: says what the file covers.
    match source
        .history("XYZ", d(2020, 1, 1), d(2020, 12, 31))
        .unwrap_err()
    {
        Error::NoData { message, .. } => {
            assert!(message.contains("2026-11-09 to 2026-11-17"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        source.history("XYZ", d(2026, 12, 31), d(2026, 1, 1)),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn history_csv_lower_case_header_adj_close_and_null_rows() {
    let h = FileSource::new(fixture("history_adj_close.csv"))
        .history("ABC", d(2026, 11, 1), d(2026, 11, 30))
        .unwrap();
    // The all-null row is skipped; Close (split-adjusted) is used, adjustment not told.
    assert_eq!(h.bars.len(), 3);
    assert_eq!(h.bars[1].date, d(2026, 11, 16));
    assert_eq!(h.bars[1].close, 51.10);
    assert_eq!(h.adjustment, Adjustment::Unknown);
    // Only an Adj Close column: taken as split and dividend adjusted.
    let text = "Date,Adj Close\n2026-11-16,50.8\n2026-11-17,50.05\n";
    let h = parse_history_csv(text, "adj.csv", "ABC", None).unwrap();
    assert_eq!(h.adjustment, Adjustment::SplitsAndDividends);
    assert_eq!(h.closes(), vec![50.8, 50.05]);
    // A comment line can say how the file is adjusted; columns in any order.
    let text = "# adjustment: splits\nclose,DATE,volume\n10.5,2026-11-17,100\n";
    let h = parse_history_csv(text, "c.csv", "ABC", None).unwrap();
    assert_eq!(h.adjustment, Adjustment::Splits);
    assert_eq!(h.bars[0].volume, Some(100));
    assert_eq!(h.bars[0].open, None);
}

#[test]
fn history_csv_bad_rows_name_line_and_field() {
    let err = FileSource::new(fixture("history_bad_row.csv"))
        .history("XYZ", d(2026, 1, 1), d(2026, 12, 31))
        .unwrap_err();
    let (src, line, field, message) = record(err);
    assert!(src.ends_with("history_bad_row.csv"), "{src}");
    assert_eq!((line, field.as_str()), (4, "Close"));
    assert!(message.contains("\"ten\""), "{message}");
    for (row, field, want) in [
        (
            "2026-11-17,1,2,0.5,0,10",
            "Close",
            "0: expected a positive price",
        ),
        (
            "2026-11-17,1,2,0.5,1,-10",
            "Volume",
            "-10: a count cannot be negative",
        ),
        (
            "17.11.2026,1,2,0.5,1,10",
            "Date",
            "\"17.11.2026\" is not a date (expected YYYY-MM-DD)",
        ),
        ("2026-11-17,1,2,0.5,,10", "Close", "missing close"),
    ] {
        let text = format!("Date,Open,High,Low,Close,Volume\r\n{row}\r\n");
        let (_, line, f, message) =
            record(parse_history_csv(&text, "h.csv", "X", None).unwrap_err());
        assert_eq!(
            (line, f.as_str(), message.as_str()),
            (2, field, want),
            "{row}"
        );
    }
}

#[test]
fn html_no_data_and_empty_bodies_are_clear_errors() {
    let err = FileSource::new(fixture("error_page.csv"))
        .history("XYZ", d(2026, 1, 1), d(2026, 12, 31))
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("HTML") && msg.contains("error_page.csv"),
        "{msg}"
    );
    let err = chain("error_page.csv", "XYZ").unwrap_err();
    assert!(err.to_string().contains("HTML"));

    let err = FileSource::new(fixture("no_data.csv"))
        .history("XYZ", d(2026, 1, 1), d(2026, 12, 31))
        .unwrap_err();
    match &err {
        Error::NoData {
            symbol, message, ..
        } => {
            assert_eq!(symbol, "XYZ");
            assert!(message.contains("No data") && message.contains("no_data.csv"));
        }
        other => panic!("{other:?}"),
    }

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    fs::write(&empty, "\n\n").unwrap();
    let (_, _, _, message) = record(FileSource::new(&empty).chain(&req("X")).unwrap_err());
    assert!(message.contains("empty"));

    let unknown = dir.path().join("unknown.txt");
    fs::write(&unknown, "# hello\nfoo,bar\n1,2\n").unwrap();
    let (_, line, field, _) = record(FileSource::new(&unknown).chain(&req("X")).unwrap_err());
    assert_eq!((line, field.as_str()), (2, "header"));

    let binary = dir.path().join("binary.csv");
    fs::write(&binary, b"Date,Close\n2026-11-17,1\n\xff\xfe\n").unwrap();
    let (_, line, _, message) = record(
        FileSource::new(&binary)
            .history("X", d(2026, 1, 1), d(2026, 12, 31))
            .unwrap_err(),
    );
    assert_eq!(line, 3);
    assert!(message.contains("UTF-8"));
}

#[test]
fn missing_file_is_an_io_error_with_the_path() {
    let path = fixture("does_not_exist.csv");
    match FileSource::new(&path).chain(&req("X")).unwrap_err() {
        Error::Io { path: p, .. } => assert_eq!(p, path),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_kind_of_file_says_which_flag() {
    let err = chain("history_crlf.csv", "XYZ").unwrap_err();
    assert!(err.to_string().contains("--history"), "{err}");
    let err = FileSource::new(fixture("chain_nvda.csv"))
        .history("NVDA", d(2026, 1, 1), d(2026, 12, 31))
        .unwrap_err();
    assert!(err.to_string().contains("--source"), "{err}");
    let err = FileSource::new(fixture("snapshot_v1.json"))
        .history("TSM", d(2026, 1, 1), d(2026, 12, 31))
        .unwrap_err();
    assert!(err.to_string().contains("--source"), "{err}");
}

#[test]
fn raw_provider_payloads_are_recognized_and_parsed() {
    assert_eq!(
        detect_format(&fs::read_to_string(fixture("provider_payload.json")).unwrap()),
        FileFormat::ProviderJson
    );
    match chain("provider_payload.json", "TEST").unwrap_err() {
        Error::Payload {
            provider, message, ..
        } => {
            assert_eq!(provider, "file");
            assert!(message.contains("provider_payload.json"));
            // A Yahoo options payload with no options at all: recognized, then refused.
            assert!(message.to_lowercase().contains("yahoo"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn format_is_recognized_from_content_not_extension() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("prices.json");
    fs::copy(fixture("history_crlf.csv"), &p).unwrap();
    let h = FileSource::new(&p)
        .history("XYZ", d(2026, 1, 1), d(2026, 12, 31))
        .unwrap();
    assert_eq!(h.bars.len(), 7);
    let p = dir.path().join("chain.csv");
    fs::copy(fixture("snapshot_v1.json"), &p).unwrap();
    assert_eq!(
        FileSource::new(&p).chain(&req("TSM")).unwrap().quotes.len(),
        2
    );
}

#[test]
fn snapshot_fixture_v1_loads() {
    let snap = chain("snapshot_v1.json", "tsm").unwrap();
    assert_eq!(snap.underlying.symbol, "TSM");
    assert_eq!(snap.underlying.spot(), 301.25);
    assert_eq!(snap.as_of, at("2026-11-17T10:30:00-05:00"));
    assert_eq!(snap.source, "cboe");
    assert_eq!(snap.quotes.len(), 2);
    assert_eq!(snap.quotes[0].contract.occ(), "TSM261218C00310000");
    assert_eq!(snap.quotes[0].provider_greeks.unwrap().gamma, Some(0.0121));
    assert_eq!(snap.quotes[1].bid, None);
    assert_eq!(snap.notes.len(), 2);
    assert!(snap.notes[1].contains("snapshot_v1.json"));
    // The snapshot's own as-of wins over the request's; the expiry filter still applies.
    let mut r = req("TSM");
    r.expiries = ExpiryFilter::Between(d(2027, 1, 1), d(2027, 12, 31));
    let snap = FileSource::new(fixture("snapshot_v1.json"))
        .chain(&r)
        .unwrap();
    assert_eq!(snap.quotes.len(), 1);
    // A snapshot of another symbol is refused.
    assert!(matches!(
        chain("snapshot_v1.json", "NVDA"),
        Err(Error::NoData { .. })
    ));
}

#[test]
fn snapshot_versions_and_damage() {
    let (_, _, field, message) = record(chain("snapshot_v2.json", "X").unwrap_err());
    assert_eq!(field, "ccplan_snapshot");
    assert!(
        message.contains("version 2") && message.contains("version 1"),
        "{message}"
    );
    // Truncated JSON: reported as a snapshot problem with a line number.
    let text = fs::read_to_string(fixture("snapshot_v1.json")).unwrap();
    let cut = &text[..text.len() / 2];
    let (_, line, field, _) = record(read_snapshot(cut, "cut.json").unwrap_err());
    assert_eq!(field, "snapshot");
    assert!(line > 10, "{line}");
    // A wrong type deep inside.
    let bad = text.replace("\"strike\": 310.0", "\"strike\": \"310\"");
    let (_, line, _, _) = record(read_snapshot(&bad, "bad.json").unwrap_err());
    assert_eq!(line, 15);
    let neg = text.replace("\"last\": 301.25", "\"last\": -1");
    let (source, _, field, message) = record(read_snapshot(&neg, "neg.json").unwrap_err());
    assert_eq!(
        (source.as_str(), field.as_str(), message.as_str()),
        (
            "neg.json",
            "snapshot.underlying.last",
            "-1: expected a positive price"
        )
    );
}

#[test]
fn snapshot_round_trip_through_save() {
    let demo = Demo::new()
        .chain(&ChainRequest {
            symbol: "NVDA".to_string(),
            expiries: ExpiryFilter::Between(d(2026, 11, 1), d(2026, 12, 31)),
            as_of: at("2026-11-17T10:30:00-05:00"),
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nvda.json");
    save_snapshot(&path, &demo).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("{\n  \"ccplan_snapshot\": 1,\n  \"snapshot\": {"));
    assert!(text.ends_with("}\n"));
    let back = FileSource::new(&path).chain(&req("NVDA")).unwrap();
    assert_eq!(back.underlying, demo.underlying);
    assert_eq!(back.as_of, demo.as_of);
    assert_eq!(back.source, "demo");
    assert_eq!(back.quotes, demo.quotes);
    assert_eq!(back.notes[..demo.notes.len()], demo.notes[..]);
    // Writing is byte-for-byte stable.
    let mut a = Vec::new();
    write_snapshot(&mut a, &demo).unwrap();
    assert_eq!(a, text.as_bytes());

    // Saving over an existing file replaces it; saving into a missing directory fails
    // with the path and leaves nothing behind.
    save_snapshot(&path, &back).unwrap();
    let missing = dir.path().join("no/such/dir/x.json");
    match save_snapshot(&missing, &demo).unwrap_err() {
        Error::Io { path: p, .. } => assert_eq!(p, missing),
        other => panic!("{other:?}"),
    }
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["nvda.json".to_string()]);
}

#[test]
fn non_finite_snapshot_is_refused_before_writing() {
    let mut snap = Demo::new()
        .chain(&ChainRequest {
            symbol: "AMD".to_string(),
            expiries: ExpiryFilter::On(d(2026, 12, 18)),
            as_of: at("2026-11-17T10:30:00-05:00"),
        })
        .unwrap();
    snap.underlying.last = f64::NAN;
    let mut out = Vec::new();
    assert!(matches!(
        write_snapshot(&mut out, &snap),
        Err(Error::InvalidInput { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// No file content makes the parsers panic.
    #[test]
    fn never_panics_on_any_content(
        prefix in prop::sample::select(vec![
            "",
            "# spot: 10\nsymbol,expiry,strike,right,bid,ask,iv\n",
            "contract,bid,ask,volume,oi\n",
            "Date,Open,High,Low,Close,Volume\r\n",
            "{\"ccplan_snapshot\": 1, \"snapshot\": ",
            "<html>",
        ]),
        body in "(?s).{0,200}",
        rows in prop::collection::vec("[-0-9a-zA-Z.,:%#/ \"\r\n]{0,40}", 0..6),
    ) {
        let text = format!("{prefix}{body}{}", rows.join("\n"));
        let _ = detect_format(&text);
        let _ = parse_chain_csv(&text, "p.csv", &req("XYZ"));
        let _ = parse_history_csv(&text, "p.csv", "XYZ", None);
        let _ = read_snapshot(&text, "p.json");
        let _ = parse_chain_csv(&text, "p.csv", &req(""));
    }
}

#[test]
fn raw_cboe_payload_file_loads_as_a_chain() {
    // The CBOE fixture written for the provider tests, saved to a file as a user would.
    let body = fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/cboe/options_KO.json"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("KO.json");
    fs::write(&p, &body).unwrap();
    let snap = FileSource::new(&p).chain(&req("KO")).unwrap();
    assert_eq!(snap.underlying.symbol, "KO");
    assert!(snap.quotes.len() > 10, "{}", snap.quotes.len());
    assert!(snap.underlying.last > 0.0);
}

#[test]
fn large_cboe_file_is_mapped_and_reads_as_the_same_document_in_memory() {
    // The KO fixture's rows repeated at 60 strike offsets of $100: about 0.9 MB, so the file is mapped
    // (256 KiB or more) and its option list read on two threads (512 KiB or more).
    let body = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cboe/options_KO.json"),
    )
    .unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rows = doc["data"]["options"].as_array().unwrap().clone();
    let mut big = Vec::new();
    for k in 0..60u32 {
        for row in &rows {
            let mut row = row.clone();
            // The fixture's quirk rows (no symbol) are kept once, as they come.
            let Some(occ) = row["option"].as_str().map(str::to_string) else {
                if k == 0 {
                    big.push(row);
                }
                continue;
            };
            let (head, strike) = occ.split_at(occ.len() - 8);
            let strike: u32 = strike.parse().unwrap();
            row["option"] = format!("{head}{:08}", strike + k * 100_000).into();
            big.push(row);
        }
    }
    doc["data"]["options"] = big.into();
    let text = serde_json::to_string_pretty(&doc).unwrap();
    assert!(text.len() > 800 * 1024, "{}", text.len());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("KO_big.json");
    fs::write(&p, &text).unwrap();

    let mapped = ccplan::fsutil::read_text_mapped(&p, u64::MAX, "a test input").unwrap();
    assert!(mapped.is_mapped());
    let from_file = FileSource::new(&p).chain(&req("KO")).unwrap();
    let in_memory = ccplan::providers::cboe::parse_chain(&text, "KO").unwrap();
    assert!(
        from_file.quotes.len() > 1500,
        "{} {} {:?}",
        from_file.quotes.len(),
        in_memory.quotes.len(),
        from_file.notes
    );
    assert_eq!(from_file.quotes, in_memory.quotes);
    assert_eq!(from_file.underlying, in_memory.underlying);
}

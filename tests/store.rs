//! The history store: round trips, CSV seeding, concurrent writers (threads and processes), a
//! writer killed with SIGKILL mid-write, schema migration, and files that are not stores.
//!
//! The multi-process tests re-run this test binary as a child that executes only
//! [`child_helper`], told what to do through environment variables (the test harness, not the
//! library, reads them).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use ccplan::model::{ChainSnapshot, OptionContract, Quote, Right, Underlying};
use ccplan::store::{default_path, session_date, DailySummary, Store, SCHEMA_VERSION};
use ccplan::Error;
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc, Weekday};

// ---------------------------------------------------------------------------------------------
// helpers

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// `n` weekdays from `start` on (a stand-in for sessions).
fn weekdays(start: NaiveDate, n: usize) -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(n);
    let mut day = start;
    while out.len() < n {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(day);
        }
        day = day.checked_add_days(Days::new(1)).unwrap();
    }
    out
}

/// 20:30 UTC on `date`: after the close in New York, same calendar date.
fn evening(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(20, 30, 0).unwrap())
}

fn summary(symbol: &str, date: NaiveDate, iv30: f64) -> DailySummary {
    let mut s = DailySummary::new(symbol, date, "demo");
    s.iv30 = Some(iv30);
    s.hv20 = Some(iv30 * 0.8);
    s.spot = Some(100.0 + iv30);
    s.skew = Some(0.031);
    s.atm_iv
        .insert(date.checked_add_days(Days::new(7)).unwrap(), iv30 + 0.01);
    s.atm_iv
        .insert(date.checked_add_days(Days::new(35)).unwrap(), iv30);
    s.recorded_at = Some(evening(date));
    s
}

/// A chain of `strikes` strikes × 2 rights × 3 expiries, as of `date`'s evening.
fn chain(symbol: &str, date: NaiveDate, strikes: usize) -> ChainSnapshot {
    let mut quotes = Vec::new();
    for weeks in [1u64, 4, 8] {
        let expiry = date.checked_add_days(Days::new(7 * weeks)).unwrap();
        for k in 0..strikes {
            for right in [Right::Call, Right::Put] {
                let strike = 50.0 + k as f64 * 0.5;
                let c = OptionContract::new(symbol, expiry, strike, right).unwrap();
                let mut q = Quote::new(c, Some(1.25 + k as f64 * 0.01), Some(1.35));
                q.volume = Some(k as u64);
                q.open_interest = Some(1000 + k as u64);
                q.provider_iv = Some(0.41);
                quotes.push(q);
            }
        }
    }
    ChainSnapshot {
        underlying: Underlying {
            symbol: symbol.to_string(),
            last: 100.25,
            bid: Some(100.2),
            ask: Some(100.3),
            iv30: Some(0.4),
        },
        as_of: evening(date).fixed_offset(),
        source: "demo".to_string(),
        quotes,
        dropped: vec!["X: bid is NaN".to_string()],
        notes: vec![],
    }
}

fn store_file(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("history.sqlite3")
}

// ---------------------------------------------------------------------------------------------
// round trips

#[test]
fn default_path_is_under_the_data_dir() {
    assert_eq!(
        default_path(Path::new("/home/u/.local/share")),
        Path::new("/home/u/.local/share/ccplan/history.sqlite3")
    );
}

#[test]
fn open_creates_parent_directories_and_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/history.sqlite3");
    let store = Store::open(&path).unwrap();
    assert!(path.is_file());
    assert_eq!(store.path(), path);
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.check_integrity().unwrap();
    // WAL is a property of the file: a plain connection sees it too.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn summary_round_trip_and_same_day_upsert() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&store_file(&dir)).unwrap();
    let day = d(2026, 3, 2);
    let first = summary("NVDA", day, 0.50);
    assert!(store.upsert_summary(&first).unwrap());
    assert_eq!(store.summary("nvda", day).unwrap(), Some(first.clone()));

    // A later fetch the same day replaces the row.
    let mut later = summary("NVDA", day, 0.55);
    later.recorded_at = Some(evening(day) + chrono::Duration::minutes(30));
    later.atm_iv.clear();
    later.skew = None;
    assert!(store.upsert_summary(&later).unwrap());
    assert_eq!(store.summaries("NVDA").unwrap(), vec![later.clone()]);

    // An earlier one (a run that finished late) does not.
    let mut earlier = summary("NVDA", day, 0.60);
    earlier.recorded_at = Some(evening(day) - chrono::Duration::hours(2));
    assert!(!store.upsert_summary(&earlier).unwrap());
    assert_eq!(store.summary("NVDA", day).unwrap(), Some(later));

    // Symbols are stored upper case.
    let lower = summary("amd", day, 0.4);
    store.upsert_summary(&lower).unwrap();
    assert_eq!(store.summary("AMD", day).unwrap().unwrap().symbol, "AMD");
    assert_eq!(store.symbols().unwrap(), vec!["AMD", "NVDA"]);
    assert_eq!(store.last_summary_date("NVDA").unwrap(), Some(day));
    assert_eq!(store.last_summary_date("MSFT").unwrap(), None);
    assert_eq!(store.summary("NVDA", d(2026, 3, 3)).unwrap(), None);
}

#[test]
fn invalid_summaries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&store_file(&dir)).unwrap();
    let mut s = summary("NVDA", d(2026, 3, 2), 0.5);
    s.iv30 = Some(f64::NAN);
    assert!(matches!(
        store.upsert_summary(&s),
        Err(Error::InvalidInput { what: "IV30", .. })
    ));
    let mut s = summary(" ", d(2026, 3, 2), 0.5);
    s.iv30 = Some(0.5);
    assert!(matches!(
        store.upsert_summary(&s),
        Err(Error::InvalidInput { what: "symbol", .. })
    ));
    assert!(store.summaries("NVDA").unwrap().is_empty());
}

#[test]
fn iv30_series_order_and_limits() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&store_file(&dir)).unwrap();
    let days = weekdays(d(2025, 1, 2), 300);
    // Written out of order, with a few sessions that have no IV30.
    for (i, day) in days.iter().enumerate().rev() {
        let mut s = summary("SPY", *day, 0.10 + i as f64 * 0.001);
        if i % 50 == 7 {
            s.iv30 = None;
        }
        store.upsert_summary(&s).unwrap();
    }
    store.upsert_summary(&summary("QQQ", days[0], 0.2)).unwrap();

    let until = days[280];
    let series = store.iv30_series("SPY", until, 252).unwrap();
    assert_eq!(series.len(), 252);
    assert!(series.windows(2).all(|w| w[0].0 < w[1].0), "ascending");
    assert_eq!(series.last().unwrap().0, until);
    let with_iv: Vec<(NaiveDate, f64)> = days[..=280]
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 50 != 7)
        .map(|(i, day)| (*day, 0.10 + i as f64 * 0.001))
        .collect();
    let expected = with_iv[with_iv.len() - 252..].to_vec();
    assert_eq!(series, expected);

    // A date between sessions (a Saturday) ends at the Friday before.
    let friday = days[6];
    assert_eq!(friday.weekday(), Weekday::Fri);
    let saturday = friday.checked_add_days(Days::new(1)).unwrap();
    let short = store.iv30_series("SPY", saturday, 3).unwrap();
    assert_eq!(
        short.iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![days[4], days[5], days[6]]
    );
    // Fewer sessions than asked: all there are. None asked: nothing.
    assert_eq!(store.iv30_series("SPY", days[3], 252).unwrap().len(), 4);
    assert!(store.iv30_series("SPY", until, 0).unwrap().is_empty());
    assert!(store
        .iv30_series("SPY", d(2020, 1, 1), 10)
        .unwrap()
        .is_empty());
    assert!(store.iv30_series("MSFT", until, 10).unwrap().is_empty());
    assert_eq!(store.summaries("SPY").unwrap().len(), 300);
}

#[test]
fn archived_chain_replays_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_file(&dir);
    let mut store = Store::open(&path).unwrap();
    let day = d(2026, 3, 2);
    let snap = chain("NVDA", day, 40);
    assert_eq!(store.archive_snapshot(&snap).unwrap(), (day, true));
    drop(store);

    let store = Store::open_existing(&path).unwrap();
    // Exactly the same chain, to the last bit of every float (compared with == rather than
    // assert_eq! to keep a failure's output readable).
    let replayed = store.load_snapshot("NVDA", day).unwrap().unwrap();
    assert!(replayed == snap, "replayed chain differs");
    assert_eq!(store.load_snapshot("NVDA", d(2026, 3, 3)).unwrap(), None);
    assert_eq!(store.load_snapshot("AMD", day).unwrap(), None);
    assert_eq!(store.snapshot_dates("NVDA").unwrap(), vec![day]);
    assert_eq!(store.symbols().unwrap(), vec!["NVDA"]);
    drop(store);

    // A later snapshot the same session replaces it; an earlier one does not.
    let mut store = Store::open(&path).unwrap();
    let mut later = chain("NVDA", day, 5);
    later.as_of = (evening(day) + chrono::Duration::minutes(5)).fixed_offset();
    assert!(store.archive_snapshot(&later).unwrap().1);
    assert!(!store.archive_snapshot(&snap).unwrap().1);
    assert!(store.load_snapshot("NVDA", day).unwrap() == Some(later));
}

#[test]
fn record_fetch_stores_summary_and_chain_together() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&store_file(&dir)).unwrap();
    let day = d(2026, 3, 6); // a Friday
    let s = summary("NVDA", day, 0.5);
    // Fetched on Saturday: still Friday's session.
    let mut snap = chain("NVDA", day, 10);
    snap.as_of = evening(d(2026, 3, 7)).fixed_offset();
    assert_eq!(session_date(&snap.as_of), day);
    store.record_fetch(&s, Some(&snap)).unwrap();
    assert_eq!(store.summary("NVDA", day).unwrap(), Some(s.clone()));
    assert!(store.load_snapshot("NVDA", day).unwrap() == Some(snap));

    // A chain of another symbol or session is refused, and nothing is written.
    let other_day = d(2026, 3, 9);
    let s2 = summary("NVDA", other_day, 0.7);
    let wrong = chain("NVDA", d(2026, 3, 10), 2);
    let refused = |r: ccplan::Result<bool>| match r {
        Err(Error::InvalidInput {
            what: "archived chain",
            value,
            ..
        }) => value,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refused(store.record_fetch(&s2, Some(&wrong))),
        "NVDA of session 2026-03-10 for the summary of NVDA on 2026-03-09"
    );
    let wrong_symbol = chain("AMD", other_day, 2);
    assert_eq!(
        refused(store.record_fetch(&s2, Some(&wrong_symbol))),
        "AMD of session 2026-03-09 for the summary of NVDA on 2026-03-09"
    );
    assert_eq!(store.summary("NVDA", other_day).unwrap(), None);

    // Without --archive only the summary is kept.
    store.record_fetch(&s2, None).unwrap();
    assert_eq!(store.snapshot_dates("NVDA").unwrap(), vec![day]);
    assert_eq!(store.summaries("NVDA").unwrap().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// CSV

const CANONICAL: &str = "date,iv30,hv20,spot,skew
2025-12-31,0.3512,0.28,187.54,0.042
2026-01-02,0.36,,190,
2026-01-05,0.1,0.05,,-0.013
";

#[test]
fn csv_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&store_file(&dir)).unwrap();
    assert_eq!(
        store
            .import_csv("nvda", "seed.csv", CANONICAL.as_bytes())
            .unwrap(),
        3
    );
    let mut out = Vec::new();
    assert_eq!(store.export_csv("NVDA", &mut out).unwrap(), 3);
    assert_eq!(String::from_utf8(out.clone()).unwrap(), CANONICAL);

    let rows = store.summaries("NVDA").unwrap();
    assert_eq!(rows[0].source, "csv:seed.csv");
    assert_eq!(rows[0].recorded_at, None);
    assert_eq!(rows[1].hv20, None);
    assert_eq!(rows[2].skew, Some(-0.013));

    // Import of the export into another store gives the same rows.
    let dir2 = tempfile::tempdir().unwrap();
    let mut other = Store::open(&store_file(&dir2)).unwrap();
    other
        .import_csv("NVDA", "seed.csv", out.as_slice())
        .unwrap();
    assert_eq!(other.summaries("NVDA").unwrap(), rows);
}

#[test]
fn csv_headers_any_order_case_and_percent() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&store_file(&dir)).unwrap();
    let csv = "\u{feff}Skew_Pct, IV30_PCT ,Date,Close,HV20%\n\
               4.2,35.12,2025-12-31,187,28\n\
               ,36%,2026-01-02,190,\n";
    assert_eq!(
        store.import_csv("NVDA", "pct.csv", csv.as_bytes()).unwrap(),
        2
    );
    let rows = store.summaries("NVDA").unwrap();
    assert!((rows[0].iv30.unwrap() - 0.3512).abs() < 1e-12);
    assert!((rows[0].skew.unwrap() - 0.042).abs() < 1e-12);
    assert!((rows[0].hv20.unwrap() - 0.28).abs() < 1e-12);
    assert_eq!(rows[0].spot, None, "unknown columns (Close) are ignored");
    assert!((rows[1].iv30.unwrap() - 0.36).abs() < 1e-12);

    // Importing again replaces, and counts the replaced rows.
    let update = "date,iv30\n2026-01-02,0.4\n2026-01-05,0.41\n";
    assert_eq!(
        store
            .import_csv("NVDA", "u.csv", update.as_bytes())
            .unwrap(),
        2
    );
    let rows = store.summaries("NVDA").unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].iv30, Some(0.4));
    assert_eq!(rows[1].skew, None);
}

fn record_error(err: Error) -> (String, usize, String, String) {
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
fn bad_csv_lines_name_line_and_field_and_import_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&store_file(&dir)).unwrap();
    let cases: [(&str, usize, &str, &str); 9] = [
        (
            "date,iv30\n2026-01-02,0.3\n2026-13-01,0.3\n",
            3,
            "date",
            "YYYY-MM-DD",
        ),
        (
            "date,iv30\n2026-01-02,0.3\n2026-01-05,abc\n",
            3,
            "iv30",
            "not a number",
        ),
        ("date,iv30\n2026-01-02,35\n", 2, "iv30", "iv30_pct"),
        ("date,iv30,skew\n2026-01-02,0.3,4\n", 2, "skew", "skew_pct"),
        ("date,iv30_pct\n2026-01-02,-3\n", 2, "iv30_pct", "above 0"),
        ("date,IV30,spot\n2026-01-02,0.3,0\n", 2, "spot", "above 0"),
        (
            "date,iv30\n2026-01-02,0.3\n2026-01-02,0.31\n",
            3,
            "date",
            "line 2",
        ),
        (
            "date,iv30\n2026-01-02,0.3\n2026-01-05,0.3,9\n",
            3,
            "row",
            "fields",
        ),
        ("date,iv\n2026-01-02,0.3\n", 1, "iv30", "date, iv"),
    ];
    for (csv, line, field, needle) in cases {
        let err = store
            .import_csv("NVDA", "bad.csv", csv.as_bytes())
            .unwrap_err();
        let text = err.to_string();
        let (source, l, f, message) = record_error(err);
        assert_eq!(source, "bad.csv");
        assert_eq!((l, f.as_str()), (line, field), "{csv:?}: {message}");
        assert!(message.contains(needle), "{csv:?}: {message}");
        assert!(
            text.starts_with(&format!("bad.csv, line {line}: {field}:")),
            "{text}"
        );
    }
    assert!(
        store.summaries("NVDA").unwrap().is_empty(),
        "nothing imported"
    );

    let err = store
        .import_csv("NVDA", "empty.csv", "".as_bytes())
        .unwrap_err();
    assert_eq!(record_error(err).1, 1);
    let err = store
        .import_csv("NVDA", "twice.csv", "date,iv30,iv30_pct\n".as_bytes())
        .unwrap_err();
    assert!(record_error(err).3.contains("twice"));
}

// ---------------------------------------------------------------------------------------------
// concurrency, crashes

#[test]
fn two_threads_with_their_own_connections() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_file(&dir);
    let days = weekdays(d(2024, 1, 2), 150);
    let handles: Vec<_> = ["AAA", "BBB"]
        .into_iter()
        .map(|symbol| {
            let path = path.clone();
            let days = days.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                for (i, day) in days.iter().enumerate() {
                    // Each writes its own symbol and, to contend on the same rows, SHARED.
                    store.upsert_summary(&summary(symbol, *day, 0.2 + i as f64 * 1e-3))?;
                    store.upsert_summary(&summary("SHARED", *day, 0.3))?;
                    // Reads interleaved with the other thread's writes.
                    store.iv30_series(symbol, *day, 20)?;
                }
                Ok::<(), Error>(())
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    let store = Store::open(&path).unwrap();
    for symbol in ["AAA", "BBB", "SHARED"] {
        assert_eq!(
            store.summaries(symbol).unwrap().len(),
            days.len(),
            "{symbol}"
        );
    }
    store.check_integrity().unwrap();
}

#[test]
fn a_held_write_lock_makes_writers_wait_not_fail_and_readers_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_file(&dir);
    let mut store = Store::open(&path).unwrap();
    store
        .upsert_summary(&summary("NVDA", d(2026, 3, 2), 0.5))
        .unwrap();

    // Another process's long write, as a plain connection holding the write lock.
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder_path = path.clone();
    let holder = std::thread::spawn(move || {
        let mut conn = rusqlite::Connection::open(&holder_path).unwrap();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        tx.execute(
            "UPDATE daily_summary SET iv30 = 0.9 WHERE symbol = 'NVDA'",
            [],
        )
        .unwrap();
        locked_tx.send(()).unwrap();
        release_rx.recv().unwrap();
        tx.commit().unwrap();
    });
    locked_rx.recv().unwrap();

    // Readers see the last committed state while the lock is held (WAL): the holder commits
    // only when told, so a read that waited for it could not return here.
    assert_eq!(
        store.iv30_series("NVDA", d(2026, 3, 2), 10).unwrap(),
        vec![(d(2026, 3, 2), 0.5)]
    );

    // A writer queues behind the lock (busy timeout) instead of failing: it returns only
    // after the holder was released and committed.
    let released = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let releaser = {
        let released = released.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            released.store(true, std::sync::atomic::Ordering::SeqCst);
            release_tx.send(()).unwrap();
        })
    };
    store
        .upsert_summary(&summary("AMD", d(2026, 3, 2), 0.4))
        .unwrap();
    assert!(
        released.load(std::sync::atomic::Ordering::SeqCst),
        "the write went through while the lock was held"
    );
    releaser.join().unwrap();
    holder.join().unwrap();
    assert_eq!(
        store.summary("NVDA", d(2026, 3, 2)).unwrap().unwrap().iv30,
        Some(0.9)
    );
    assert_eq!(store.symbols().unwrap(), vec!["AMD", "NVDA"]);
}

/// Spawn this test binary running only [`child_helper`].
fn spawn_child(mode: &str, path: &Path, symbol: &str, rows: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_helper",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CCPLAN_STORE_TEST_MODE", mode)
        .env("CCPLAN_STORE_TEST_PATH", path)
        .env("CCPLAN_STORE_TEST_SYMBOL", symbol)
        .env("CCPLAN_STORE_TEST_ROWS", rows.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The child side of the multi-process tests. Does nothing unless started by them.
///
/// * `write`: upsert ROWS summaries of SYMBOL, one transaction each, then exit.
/// * `loop`: record fetches (summary + archived chain) until killed, printing `BEGIN date`
///   before each one and `COMMITTED date` after its commit.
#[test]
#[ignore = "child process of the multi-process tests; runs only when they start it"]
fn child_helper() {
    let Ok(mode) = std::env::var("CCPLAN_STORE_TEST_MODE") else {
        return;
    };
    let path = PathBuf::from(std::env::var("CCPLAN_STORE_TEST_PATH").unwrap());
    let symbol = std::env::var("CCPLAN_STORE_TEST_SYMBOL").unwrap();
    let rows: usize = std::env::var("CCPLAN_STORE_TEST_ROWS")
        .unwrap()
        .parse()
        .unwrap();
    let mut store = Store::open(&path).unwrap();
    let days = weekdays(d(2020, 1, 2), rows);
    match mode.as_str() {
        "write" => {
            for (i, day) in days.iter().enumerate() {
                store
                    .upsert_summary(&summary(&symbol, *day, 0.2 + i as f64 * 1e-4))
                    .unwrap();
                store.upsert_summary(&summary("SHARED", *day, 0.3)).unwrap();
            }
        }
        "loop" => {
            use std::io::Write;
            let mut out = std::io::stdout();
            // A large chain, built once: each iteration then spends nearly all its time
            // inside the transaction (encoding the chain, writing it, syncing the commit),
            // so the kill almost always lands mid-write.
            let template = chain(&symbol, days[0], 400);
            for day in days {
                let mut snap = template.clone();
                snap.as_of = evening(day).fixed_offset();
                writeln!(out, "BEGIN {day}").unwrap();
                out.flush().unwrap();
                store
                    .record_fetch(&summary(&symbol, day, 0.3), Some(&snap))
                    .unwrap();
                writeln!(out, "COMMITTED {day}").unwrap();
                out.flush().unwrap();
            }
        }
        other => panic!("unknown mode {other}"),
    }
}

#[test]
fn two_processes_write_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_file(&dir);
    let rows = 150;
    let children = [
        spawn_child("write", &path, "AAA", rows),
        spawn_child("write", &path, "BBB", rows),
    ];
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "child failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = Store::open(&path).unwrap();
    store.check_integrity().unwrap();
    for symbol in ["AAA", "BBB", "SHARED"] {
        let got = store.summaries(symbol).unwrap();
        assert_eq!(got.len(), rows, "{symbol}");
    }
    let aaa = store.summaries("AAA").unwrap();
    assert!((aaa[149].iv30.unwrap() - (0.2 + 149.0 * 1e-4)).abs() < 1e-12);
}

#[test]
fn killed_writer_loses_only_its_uncommitted_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_file(&dir);
    let mut committed: BTreeSet<(String, NaiveDate)> = BTreeSet::new();
    let mut killed_in_flight = 0;
    // Rounds on the same file, each killed after a different number of commits.
    // Each round also waits a little after the last reported commit, so the kill lands at
    // different points of the next write.
    let rounds = [(3usize, 0u64), (7, 3), (12, 11), (5, 23)];
    for (round, (kill_after, delay_ms)) in rounds.into_iter().enumerate() {
        let symbol = format!("K{round}");
        let mut child = spawn_child("loop", &path, &symbol, 10_000);
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut all = String::new();
        let mut seen = 0;
        while seen < kill_after {
            let mut line = String::new();
            let n = stdout.read_line(&mut line).unwrap();
            assert!(n > 0, "child ended early: {all}");
            if line.contains("COMMITTED ") {
                seen += 1;
            }
            all.push_str(&line);
        }
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL on Unix: no destructors, no rollback.
        let status = child.wait().unwrap();
        assert!(!status.success());
        // Every commit the child reported before it died.
        let mut reported = Vec::new();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        all.push_str(&rest);
        let mut began = 0;
        for l in all.lines() {
            // The harness's own "test child_helper ... " may precede the first line.
            if let Some((_, date)) = l.split_once("COMMITTED ") {
                reported.push(date.parse::<NaiveDate>().unwrap());
            } else if l.contains("BEGIN ") {
                began += 1;
            }
        }
        if began > reported.len() {
            killed_in_flight += 1;
        }

        let store = Store::open(&path).unwrap();
        store.check_integrity().unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let stored: Vec<NaiveDate> = store
            .summaries(&symbol)
            .unwrap()
            .iter()
            .map(|s| s.date)
            .collect();
        let archived = store.snapshot_dates(&symbol).unwrap();
        for day in &reported {
            assert!(stored.contains(day), "committed {day} lost");
            committed.insert((symbol.clone(), *day));
        }
        // The fetch in flight is either wholly there (committed, not yet reported) or not.
        assert!(stored.len() <= reported.len() + 1);
        assert_eq!(stored, archived, "summary and chain are written together");
        if let Some(last) = stored.last() {
            assert!(store.load_snapshot(&symbol, *last).unwrap().is_some());
        }
    }
    // The store is still writable after the crashes.
    let mut store = Store::open(&path).unwrap();
    store
        .upsert_summary(&summary("AFTER", d(2026, 1, 2), 0.3))
        .unwrap();
    assert!(committed.len() >= 27);
    // The point of the test: at least one child died with a write started and not reported
    // committed (in practice nearly every round does).
    assert!(killed_in_flight >= 1, "no kill landed during a write");
}

// ---------------------------------------------------------------------------------------------
// schema versions and foreign files

/// The v1 layout, written by hand as the first ccplan store version wrote it.
fn create_v1_store(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA application_id = 1667461228;  -- 0x6363706c, 'ccpl'
         CREATE TABLE daily_summary (
             symbol TEXT NOT NULL, date TEXT NOT NULL, iv30 REAL, hv20 REAL, spot REAL,
             source TEXT NOT NULL, recorded_at TEXT, PRIMARY KEY (symbol, date));
         INSERT INTO daily_summary VALUES
             ('NVDA', '2024-06-03', 0.51, 0.40, 1150.0, 'cboe', '2024-06-03T20:05:00.000000Z'),
             ('NVDA', '2024-06-04', 0.49, NULL, 1160.5, 'cboe', '2024-06-04T20:05:00.000000Z'),
             ('SPY',  '2024-06-03', 0.12, 0.09, NULL, 'csv:old.csv', NULL);
         PRAGMA user_version = 1;",
    )
    .unwrap();
}

#[test]
fn v1_store_is_migrated_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_file(&dir);
    create_v1_store(&path);

    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.check_integrity().unwrap();
    assert_eq!(store.symbols().unwrap(), vec!["NVDA", "SPY"]);
    let nvda = store.summaries("NVDA").unwrap();
    assert_eq!(nvda.len(), 2);
    assert_eq!(nvda[0].iv30, Some(0.51));
    assert_eq!(nvda[0].hv20, Some(0.40));
    assert_eq!(nvda[0].spot, Some(1150.0));
    assert_eq!(nvda[0].source, "cboe");
    assert_eq!(
        nvda[0].recorded_at,
        Some(Utc.with_ymd_and_hms(2024, 6, 3, 20, 5, 0).unwrap())
    );
    assert!(nvda[0].atm_iv.is_empty());
    assert_eq!(nvda[0].skew, None);
    assert_eq!(nvda[1].hv20, None);
    assert_eq!(
        store.iv30_series("SPY", d(2024, 12, 31), 252).unwrap(),
        vec![(d(2024, 6, 3), 0.12)]
    );

    // The new columns and the archive work on the migrated file.
    let day = d(2024, 6, 5);
    let s = summary("NVDA", day, 0.47);
    store
        .record_fetch(&s, Some(&chain("NVDA", day, 3)))
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.summary("NVDA", day).unwrap(), Some(s));
    assert!(store.load_snapshot("NVDA", day).unwrap().is_some());
}

#[test]
fn newer_schema_asks_for_an_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_file(&dir);
    Store::open(&path).unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    let text = err.to_string();
    match err {
        Error::StoreTooNew {
            path: p,
            found,
            supported,
        } => {
            assert_eq!(p, path);
            assert_eq!(found, SCHEMA_VERSION + 1);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(text.contains("upgrade ccplan"), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let content = "date,iv30\n".repeat(200);
    std::fs::write(&path, &content).unwrap();
    let err = Store::open(&path).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Store { .. }), "{err:?}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("not an SQLite database"), "{text}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(err.to_string().contains("not a ccplan store"), "{err}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "nothing added to it");
}

#[test]
fn open_existing_does_not_create() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_file(&dir);
    let err = Store::open_existing(&path).unwrap_err();
    assert!(matches!(err, Error::Store { .. }));
    assert!(err.to_string().contains("no store"), "{err}");
    assert!(!path.exists());
}

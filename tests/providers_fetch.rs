//! Bounded concurrent fetching against the loopback server.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use ccplan::providers::cboe::Cboe;
use ccplan::providers::fetch::{fetch_chains, fetch_histories};
use ccplan::Error;
use common::{d, fast_config, fixture, request, Fault, Reply, TestServer};

#[test]
fn chains_concurrently_in_input_order_with_progress() {
    let s = TestServer::start();
    let p = "/api/global/delayed_quotes/options";
    let body = fixture("cboe/options_KO.json");
    for (sym, delay) in [("KO", 300), ("AA", 10), ("BB", 150), ("CC", 10)] {
        let b = body.replace("\"symbol\": \"KO\"", &format!("\"symbol\": \"{sym}\""));
        s.route(
            &format!("{p}/{sym}.json"),
            Reply::json(b).fault(Fault::Delay(Duration::from_millis(delay))),
        );
    }
    let cboe = Cboe::new(Some(&s.url()), fast_config()).unwrap();
    let requests: Vec<_> = ["KO", "AA", "ZZ", "BB", "CC"]
        .iter()
        .map(|s| request(s))
        .collect();
    let seen = Mutex::new(Vec::new());
    let progress = |done: usize, total: usize| seen.lock().unwrap().push((done, total));
    let out = fetch_chains(&cboe, &requests, 3, &progress);
    let names: Vec<String> = out
        .iter()
        .map(|r| match r {
            Ok(c) => c.underlying.symbol.clone(),
            Err(Error::UnknownSymbol { symbol, .. }) => format!("unknown {symbol}"),
            Err(e) => format!("{e}"),
        })
        .collect();
    assert_eq!(names, vec!["KO", "AA", "unknown ZZ", "BB", "CC"]);
    // Three at a time, never more: KO's 300 ms answer overlaps the others'.
    let most = s.max_in_flight();
    assert!((2..=3).contains(&most), "{most} requests at once");
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first(), Some(&(0, 5)));
    assert_eq!(seen.last(), Some(&(5, 5)));
    assert_eq!(seen.len(), 6);
}

#[test]
fn histories_concurrently() {
    let s = TestServer::start();
    s.route(
        "/api/global/delayed_quotes/charts/historical/KO.json",
        Reply::fixture("cboe/charts_historical_KO.json"),
    );
    s.route(
        "/api/global/delayed_quotes/quotes/KO.json",
        Reply::fixture("cboe/quotes_KO.json"),
    );
    let cboe = Cboe::new(Some(&s.url()), fast_config()).unwrap();
    let symbols = vec!["KO".to_string(), "ZZ".to_string(), "KO".to_string()];
    let out = fetch_histories(
        &cboe,
        &symbols,
        d(2026, 3, 1),
        d(2026, 3, 13),
        2,
        &ccplan::providers::fetch::no_progress,
    );
    assert_eq!(out.len(), 3);
    assert_eq!(
        out[0].as_ref().unwrap().bars.last().unwrap().date,
        d(2026, 3, 13)
    );
    assert!(
        matches!(&out[1], Err(Error::UnknownSymbol { symbol, .. }) if symbol == "ZZ"),
        "{:?}",
        out[1]
    );
    assert_eq!(out[2].as_ref().unwrap().symbol, "KO");
}

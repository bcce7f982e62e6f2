//! Network faults not covered by `providers_http.rs`: 429 without `Retry-After`, a burst of
//! 5xx that ends within the retry allowance, wrong content types, and every fault of the
//! loopback server driven through a real provider with short timeouts, each checked to end
//! (in an error that says what happened, or in a successful retry) with its scheduled waits
//! inside the retry budget (read from an injected clock, not the wall).

mod common;

use std::time::Duration;

use ccplan::providers::cboe::Cboe;
use ccplan::providers::clock::SkippingClock;
use ccplan::providers::http::{HttpClient, HttpConfig};
use ccplan::providers::ChainSource;
use ccplan::Error;
use common::{fast_config, fixture, request, skipping_client, Fault, Reply, TestServer};

const CHAIN: &str = "/api/global/delayed_quotes/options/KO.json";

#[test]
fn rate_limited_without_retry_after_backs_off_and_succeeds() {
    let s = TestServer::start();
    s.route_seq(
        "/rl",
        vec![Reply::status(429), Reply::status(429), Reply::json("{}")],
    );
    let c = HttpClient::new("test", fast_config()).unwrap();
    c.get_json(&format!("{}/rl", s.url()), &[], "X").unwrap();
    assert_eq!(s.hits("/rl"), 3);
}

#[test]
fn rate_limited_forever_without_retry_after_is_a_clear_error() {
    let s = TestServer::start();
    s.route("/rl", Reply::status(429));
    let (c, clock) = skipping_client(fast_config());
    let e = c
        .get_json(&format!("{}/rl", s.url()), &[], "X")
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Http {
                status: Some(429),
                ..
            }
        ),
        "{e:?}"
    );
    let m = e.to_string();
    assert!(m.contains("rate limited (HTTP 429)"), "{m}");
    assert!(m.contains("gave up after 3 attempts"), "{m}");
    assert_eq!(
        clock.sleeps().len(),
        2,
        "a backoff between each of 3 attempts"
    );
}

#[test]
fn burst_of_500s_then_success_within_the_retries() {
    let s = TestServer::start();
    s.route_seq(
        "/burst",
        vec![
            Reply::status(500),
            Reply::status(500),
            Reply::status(500),
            Reply::json("[1]"),
        ],
    );
    let config = HttpConfig {
        max_retries: 3,
        ..fast_config()
    };
    let (c, clock) = skipping_client(config.clone());
    let body = c.get_json(&format!("{}/burst", s.url()), &[], "X").unwrap();
    assert_eq!(body, "[1]");
    assert_eq!(s.hits("/burst"), 4);
    // Backoffs of 50–100 % of 10, 20 and 40 ms (the cap).
    let waits: Vec<u128> = clock.sleeps().iter().map(|w| w.as_millis()).collect();
    assert_eq!(waits.len(), 3, "{waits:?}");
    for (w, full) in waits.iter().zip([10, 20, 40]) {
        assert!((full / 2..=full).contains(w), "{waits:?}");
    }
    // One more 500 than retries allow: the error says so.
    s.route("/burst", Reply::status(500));
    let e = HttpClient::new("test", config)
        .unwrap()
        .get_json(&format!("{}/burst", s.url()), &[], "X")
        .unwrap_err();
    assert!(e.to_string().contains("gave up after 4 attempts"), "{e}");
}

#[test]
fn wrong_content_types() {
    let s = TestServer::start();
    let c = HttpClient::new("test", fast_config()).unwrap();
    // JSON labelled as something else is still JSON.
    let mut r = Reply::json(r#"{"ok": true}"#);
    r.headers = vec![("Content-Type".into(), "text/plain".into())];
    s.route("/plain", r);
    assert_eq!(
        c.get_json(&format!("{}/plain", s.url()), &[], "X").unwrap(),
        r#"{"ok": true}"#
    );
    // Binary garbage labelled as a download: a clear error, not retried.
    let mut r = Reply::json(vec![0x89, b'P', b'N', b'G', 0, 1, 2, 0xff, 0xfe]);
    r.headers = vec![("Content-Type".into(), "application/octet-stream".into())];
    s.route("/bin", r);
    let e = c
        .get_json(&format!("{}/bin", s.url()), &[], "X")
        .unwrap_err();
    assert!(e.to_string().contains("invalid JSON"), "{e}");
    assert_eq!(s.hits("/bin"), 1);
    // JSON labelled as HTML is treated as the HTML page it claims to be.
    let mut r = Reply::json(r#"{"ok": true}"#);
    r.headers = vec![("Content-Type".into(), "text/html".into())];
    s.route("/html", r);
    let e = c
        .get_json(&format!("{}/html", s.url()), &[], "X")
        .unwrap_err();
    assert!(e.to_string().contains("HTML page"), "{e}");
    // No content type at all.
    let mut r = Reply::json(r#"[1]"#);
    r.headers.clear();
    s.route("/none", r);
    assert_eq!(
        c.get_json(&format!("{}/none", s.url()), &[], "X").unwrap(),
        "[1]"
    );
}

/// Every fault through the CBOE provider, in parallel: each ends in the error that says what
/// happened (or a successful retry), with the waits it scheduled inside the retry budget.
#[test]
fn every_fault_through_a_provider_ends_within_the_worst_case() {
    let config = HttpConfig {
        retry_budget: Duration::from_millis(1500),
        transfer_timeout: Duration::from_millis(800),
        read_timeout: Duration::from_millis(300),
        max_retries: 3,
        max_body_bytes: 64 * 1024,
        ..fast_config()
    };
    assert_eq!(config.worst_case(), Duration::from_millis(2600));
    let budget = config.retry_budget;
    let good = || Reply::fixture("cboe/options_KO.json");
    let big = format!("[{}0]", "0,".repeat(40_000));
    // (name, replies, what the error says; None when a retry must succeed)
    let cases: Vec<(&str, Vec<Reply>, Option<&str>)> = vec![
        (
            "slower than the read timeout",
            vec![good().fault(Fault::Delay(Duration::from_secs(2)))],
            Some("timed out"),
        ),
        (
            "slow once, then fine",
            vec![good().fault(Fault::Delay(Duration::from_secs(1))), good()],
            None,
        ),
        (
            "never answers",
            vec![good().fault(Fault::NeverAnswer)],
            Some("timed out"),
        ),
        (
            "reset every time",
            vec![good().fault(Fault::Reset)],
            Some("gave up after"),
        ),
        ("reset once", vec![good().fault(Fault::Reset), good()], None),
        (
            "429 without Retry-After",
            vec![Reply::status(429)],
            Some("rate limited (HTTP 429)"),
        ),
        (
            "429 with a short Retry-After, then fine",
            vec![Reply::status(429).header("Retry-After", "1"), good()],
            None,
        ),
        (
            "429 with a Retry-After past the budget",
            vec![Reply::status(429).header("Retry-After", "60")],
            Some("Retry-After"),
        ),
        (
            "burst of 500s",
            vec![
                Reply::status(500),
                Reply::status(502),
                Reply::status(503),
                good(),
            ],
            None,
        ),
        (
            "500 forever",
            vec![Reply::status(500)],
            Some("server error (HTTP 500)"),
        ),
        (
            "truncated JSON, connection cut",
            vec![good().fault(Fault::Truncate(200))],
            Some("truncated"),
        ),
        (
            "truncated JSON, complete response",
            vec![Reply::json(&fixture("cboe/options_KO.json")[..300])],
            Some("truncated JSON"),
        ),
        (
            "HTML error page with status 200",
            vec![Reply::html(
                "<!DOCTYPE html><html><body>Access denied</body></html>",
            )],
            Some("HTML page"),
        ),
        (
            "body over the size cap",
            vec![Reply::json(big.clone())],
            Some("cap of 65536 bytes"),
        ),
        (
            "body over the size cap, no length",
            vec![Reply::json(big).fault(Fault::NoContentLength)],
            Some("cap of 65536 bytes"),
        ),
        (
            "trickled body",
            vec![good().fault(Fault::Trickle(64, Duration::from_millis(100)))],
            Some("longer than"),
        ),
        (
            "wrong content type, valid JSON",
            vec![{
                let mut r = good();
                r.headers = vec![("Content-Type".into(), "application/octet-stream".into())];
                r
            }],
            None,
        ),
        (
            "redirect loop",
            vec![Reply::redirect(CHAIN)],
            Some("redirect"),
        ),
    ];
    let handles: Vec<_> = cases
        .into_iter()
        .map(|(name, replies, expect)| {
            let config = config.clone();
            std::thread::spawn(move || {
                let s = TestServer::start();
                s.route_seq(CHAIN, replies);
                let clock = std::sync::Arc::new(SkippingClock::new());
                let cboe = Cboe::new(Some(&s.url()), config)
                    .unwrap()
                    .with_clock(clock.clone());
                let r = cboe.chain(&request("KO"));
                (name, expect, r, clock.slept())
            })
        })
        .collect();
    let mut failures = Vec::new();
    for h in handles {
        let (name, expect, r, waited) = h.join().unwrap();
        if waited > budget {
            failures.push(format!(
                "{name}: waits of {waited:?} scheduled past the budget {budget:?}"
            ));
        }
        match (expect, r) {
            (None, Ok(snap)) => assert!(!snap.quotes.is_empty()),
            (None, Err(e)) => failures.push(format!("{name}: expected success, got {e}")),
            (Some(_), Ok(_)) => failures.push(format!("{name}: expected an error")),
            (Some(want), Err(e)) => {
                let m = e.to_string();
                if !m.contains(want) || !matches!(e, Error::Http { .. }) {
                    failures.push(format!("{name}: {m:?} does not say {want:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn default_bound_is_documented_value() {
    // The numbers in docs/failure-modes.md.
    let c = HttpConfig::default();
    assert_eq!(c.connect_timeout, Duration::from_secs(10));
    assert_eq!(c.read_timeout, Duration::from_secs(20));
    assert_eq!(c.transfer_timeout, Duration::from_secs(60));
    assert_eq!(c.max_retries, 3);
    assert_eq!(c.retry_budget, Duration::from_secs(30));
    assert_eq!(c.max_body_bytes, 64 * 1024 * 1024);
    assert_eq!(c.max_redirects, 5);
    assert_eq!(c.worst_case(), Duration::from_secs(110));
}

#[test]
fn retry_budget_is_shared_by_all_requests_of_a_client() {
    let s = TestServer::start();
    s.route(
        "/slow",
        Reply::json("{}").fault(Fault::Delay(Duration::from_secs(2))),
    );
    s.route_seq("/flaky", vec![Reply::status(500), Reply::json("[1]")]);
    let config = HttpConfig {
        retry_budget: Duration::from_secs(1),
        ..fast_config()
    };
    // A fresh client retries the flaky endpoint and succeeds.
    let fresh = HttpClient::new("test", config.clone()).unwrap();
    fresh
        .get_json(&format!("{}/flaky", s.url()), &[], "X")
        .unwrap();
    assert_eq!(s.hits("/flaky"), 2);
    // A client (or a clone of it: one provider, one command) that already spent its budget
    // on timeouts does not retry again.
    let (c, clock) = skipping_client(config);
    let e = c
        .get_json(&format!("{}/slow", s.url()), &[], "X")
        .unwrap_err();
    assert!(e.to_string().contains("timed out"), "{e}");
    s.route_seq("/flaky", vec![Reply::status(500), Reply::json("[1]")]);
    let waits_before = clock.sleeps().len();
    let e = c
        .clone()
        .get_json(&format!("{}/flaky", s.url()), &[], "X")
        .unwrap_err();
    assert_eq!(
        clock.sleeps().len(),
        waits_before,
        "no wait after the budget is spent"
    );
    let m = e.to_string();
    assert!(m.contains("server error (HTTP 500)"), "{m}");
    assert!(m.contains("retry budget of 1 s spent"), "{m}");
    assert_eq!(s.hits("/flaky"), 3, "no retry after the budget is spent");
}

/// A command that needs many requests, each failing once: total retrying stays within the
/// budget, whatever the number of requests.
#[test]
fn many_requests_each_failing_once_share_one_budget() {
    let s = TestServer::start();
    let config = HttpConfig {
        retry_budget: Duration::from_millis(600),
        base_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(100),
        ..fast_config()
    };
    let (c, clock) = skipping_client(config);
    let mut failed_at = None;
    for i in 0..40 {
        let path = format!("/p{i}");
        s.route_seq(&path, vec![Reply::status(503), Reply::json("[1]")]);
        if c.get_json(&format!("{}{path}", s.url()), &[], "X").is_err() {
            failed_at = Some(i);
            break;
        }
    }
    // Each success cost a wait of 50–100 ms; after at most 12 of them the budget is gone
    // and the next failure is final.
    let i = failed_at.expect("the shared budget ran out");
    assert!((5..=12).contains(&i), "{i}");
    // One wait per success, and all of them within the shared budget.
    assert_eq!(clock.sleeps().len(), i);
    assert!(
        clock.slept() <= Duration::from_millis(600),
        "{:?}",
        clock.slept()
    );
}

//! The shared HTTP client against the loopback server: every failure mode.

mod common;

use std::io::Write;
use std::time::Duration;

use ccplan::providers::http::{HttpClient, HttpConfig};
use ccplan::Error;
use common::{fast_config, skipping_client, Fault, Reply, TestServer};

fn client() -> HttpClient {
    HttpClient::new("test", fast_config()).unwrap()
}

fn message(e: &Error) -> String {
    e.to_string()
}

#[test]
fn ok_json_and_user_agent() {
    let s = TestServer::start();
    s.route("/a.json", Reply::json(r#"{"x": 1}"#));
    let body = client()
        .get_json(
            &format!("{}/a.json", s.url()),
            &[("Accept", "application/json")],
            "X",
        )
        .unwrap();
    assert_eq!(body, r#"{"x": 1}"#);
    let r = &s.requests()[0];
    assert!(r.header("user-agent").unwrap().starts_with("ccplan/"));
    assert_eq!(r.header("accept"), Some("application/json"));
}

#[test]
fn retries_5xx_then_succeeds() {
    let s = TestServer::start();
    s.route_seq(
        "/flaky",
        vec![Reply::status(503), Reply::status(502), Reply::json("[1]")],
    );
    let body = client()
        .get_json(&format!("{}/flaky", s.url()), &[], "X")
        .unwrap();
    assert_eq!(body, "[1]");
    assert_eq!(s.hits("/flaky"), 3);
}

#[test]
fn gives_up_after_max_retries_on_5xx() {
    let s = TestServer::start();
    s.route("/down", Reply::status(500));
    let e = client()
        .get_json(&format!("{}/down", s.url()), &[], "X")
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Http {
                status: Some(500),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(message(&e).contains("gave up after 3 attempts"), "{e}");
    assert_eq!(s.hits("/down"), 3);
}

#[test]
fn honours_retry_after_seconds() {
    let s = TestServer::start();
    s.route_seq(
        "/limited",
        vec![
            Reply::status(429).header("Retry-After", "1"),
            Reply::json("{}"),
        ],
    );
    let (c, clock) = skipping_client(fast_config());
    c.get_json(&format!("{}/limited", s.url()), &[], "X")
        .unwrap();
    // The server's wait, not the backoff's (10–40 ms), once.
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1)]);
    assert_eq!(s.hits("/limited"), 2);
}

#[test]
fn retry_after_beyond_budget_fails_at_once() {
    let s = TestServer::start();
    s.route("/limited", Reply::status(429).header("Retry-After", "3600"));
    let (c, clock) = skipping_client(fast_config());
    let e = c
        .get_json(&format!("{}/limited", s.url()), &[], "X")
        .unwrap_err();
    assert_eq!(
        clock.sleeps(),
        Vec::<Duration>::new(),
        "no wait is started past the budget"
    );
    let m = message(&e);
    assert!(m.contains("rate limited (HTTP 429)"), "{m}");
    assert!(m.contains("3600 s (Retry-After)"), "{m}");
    assert_eq!(s.hits("/limited"), 1);
}

#[test]
fn read_timeout_is_retried_then_reported() {
    let s = TestServer::start();
    s.route(
        "/slow",
        Reply::json("{}").fault(Fault::Delay(Duration::from_secs(2))),
    );
    let (c, clock) = skipping_client(fast_config());
    let e = c
        .get_json(&format!("{}/slow", s.url()), &[], "X")
        .unwrap_err();
    assert!(message(&e).contains("timed out"), "{e}");
    assert!(message(&e).contains("gave up after 3 attempts"), "{e}");
    assert_eq!(s.hits("/slow"), 3);
    // Two backoffs between three attempts: 50–100 % of 10 ms, then of 20 ms.
    let waits = clock.sleeps();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert!((5..=10).contains(&waits[0].as_millis()), "{waits:?}");
    assert!((10..=20).contains(&waits[1].as_millis()), "{waits:?}");
}

#[test]
fn never_answering_server_is_bounded_by_the_worst_case() {
    let s = TestServer::start();
    s.route("/void", Reply::json("{}").fault(Fault::NeverAnswer));
    let config = HttpConfig {
        max_retries: 10,
        retry_budget: Duration::from_millis(900),
        ..fast_config()
    };
    let (c, clock) = skipping_client(config);
    let e = c
        .get_json(&format!("{}/void", s.url()), &[], "X")
        .unwrap_err();
    assert!(message(&e).contains("timed out"), "{e}");
    assert!(message(&e).contains("retry budget of 0.9 s spent"), "{e}");
    // Budget 0.9 s and 0.4 s per attempt: two or three attempts, a backoff between each.
    let hits = s.hits("/void");
    assert!((2..=3).contains(&hits), "{hits}");
    assert_eq!(clock.sleeps().len(), hits - 1);
}

#[test]
fn connection_reset_is_retried() {
    let s = TestServer::start();
    s.route_seq(
        "/rst",
        vec![
            Reply::json("{}").fault(Fault::Reset),
            Reply::json(r#"{"ok":true}"#),
        ],
    );
    let body = client()
        .get_json(&format!("{}/rst", s.url()), &[], "X")
        .unwrap();
    assert_eq!(body, r#"{"ok":true}"#);
    assert_eq!(s.hits("/rst"), 2);
}

#[test]
fn connection_reset_every_time_is_an_error() {
    let s = TestServer::start();
    s.route("/rst", Reply::json("{}").fault(Fault::Reset));
    let e = client()
        .get_json(&format!("{}/rst", s.url()), &[], "X")
        .unwrap_err();
    assert!(matches!(e, Error::Http { status: None, .. }), "{e:?}");
    assert_eq!(s.hits("/rst"), 3);
}

#[test]
fn connection_refused() {
    // A port that was free a moment ago.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = client()
        .get_json(&format!("http://127.0.0.1:{port}/x"), &[], "X")
        .unwrap_err();
    assert!(message(&e).contains("could not connect"), "{e}");
}

#[test]
fn body_cut_short_is_a_truncated_response() {
    let s = TestServer::start();
    let body = format!("{{\"data\": \"{}\"}}", "x".repeat(5000));
    s.route("/cut", Reply::json(body).fault(Fault::Truncate(1000)));
    let e = client()
        .get_json(&format!("{}/cut", s.url()), &[], "X")
        .unwrap_err();
    let m = message(&e);
    assert!(m.contains("truncated response"), "{m}");
    assert_eq!(s.hits("/cut"), 3);
}

#[test]
fn complete_but_truncated_json_is_reported_as_such() {
    let s = TestServer::start();
    s.route(
        "/half",
        Reply::json(r#"{"data": {"options": [{"option": "KO2604"#),
    );
    let e = client()
        .get_json(&format!("{}/half", s.url()), &[], "X")
        .unwrap_err();
    assert!(message(&e).contains("truncated JSON"), "{e}");
    assert_eq!(s.hits("/half"), 1);
}

#[test]
fn invalid_json_is_reported_with_its_position() {
    let s = TestServer::start();
    s.route("/bad", Reply::json("{\"a\": tru}"));
    let e = client()
        .get_json(&format!("{}/bad", s.url()), &[], "X")
        .unwrap_err();
    assert!(message(&e).contains("invalid JSON at line 1"), "{e}");
}

#[test]
fn html_with_status_200_is_an_error() {
    let s = TestServer::start();
    s.route(
        "/wall",
        Reply::html("<!DOCTYPE html><html><body>Checking your browser…</body></html>"),
    );
    let e = client()
        .get_json(&format!("{}/wall", s.url()), &[], "X")
        .unwrap_err();
    let m = message(&e);
    assert!(
        m.contains("HTTP 200 with an HTML page instead of JSON"),
        "{m}"
    );
    // Also when the content type lies.
    s.route("/wall2", Reply::json("\n  <html><body>nope</body></html>"));
    let e = client()
        .get_json(&format!("{}/wall2", s.url()), &[], "X")
        .unwrap_err();
    assert!(message(&e).contains("HTML page"), "{e}");
}

#[test]
fn empty_body_is_an_error() {
    let s = TestServer::start();
    s.route("/empty", Reply::json(""));
    let e = client()
        .get_json(&format!("{}/empty", s.url()), &[], "X")
        .unwrap_err();
    assert!(message(&e).contains("empty body"), "{e}");
}

#[test]
fn oversize_body_with_length_is_refused_before_reading() {
    let s = TestServer::start();
    s.route("/big", Reply::json(vec![b' '; 2 * 1024 * 1024]));
    let e = client()
        .get_json(&format!("{}/big", s.url()), &[], "X")
        .unwrap_err();
    assert!(
        message(&e).contains("larger than the cap of 1048576 bytes"),
        "{e}"
    );
    assert_eq!(s.hits("/big"), 1);
}

#[test]
fn oversize_body_without_length_is_stopped_while_reading() {
    let s = TestServer::start();
    let mut body = b"[".to_vec();
    body.extend(std::iter::repeat_n(b'1', 3 * 1024 * 1024));
    s.route("/stream", Reply::json(body).fault(Fault::NoContentLength));
    let e = client()
        .get_json(&format!("{}/stream", s.url()), &[], "X")
        .unwrap_err();
    assert!(
        message(&e).contains("exceeds the cap of 1048576 bytes"),
        "{e}"
    );
}

#[test]
fn gzip_bomb_is_stopped_by_the_cap() {
    let s = TestServer::start();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&vec![b' '; 8 * 1024 * 1024]).unwrap();
    let gz = enc.finish().unwrap();
    assert!(gz.len() < 64 * 1024);
    s.route("/bomb", Reply::json(gz).header("Content-Encoding", "gzip"));
    let e = client()
        .get_json(&format!("{}/bomb", s.url()), &[], "X")
        .unwrap_err();
    assert!(message(&e).contains("exceeds the cap"), "{e}");
}

#[test]
fn gzip_is_decoded() {
    let s = TestServer::start();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(br#"{"zipped": true}"#).unwrap();
    s.route(
        "/gz",
        Reply::json(enc.finish().unwrap()).header("Content-Encoding", "gzip"),
    );
    let body = client()
        .get_json(&format!("{}/gz", s.url()), &[], "X")
        .unwrap();
    assert_eq!(body, r#"{"zipped": true}"#);
    let r = &s.requests()[0];
    assert!(r.header("accept-encoding").unwrap_or("").contains("gzip"));
}

#[test]
fn slow_trickle_hits_the_transfer_deadline() {
    let s = TestServer::start();
    s.route(
        "/drip",
        Reply::json(vec![b' '; 400]).fault(Fault::Trickle(10, Duration::from_millis(150))),
    );
    let config = HttpConfig {
        transfer_timeout: Duration::from_millis(500),
        max_retries: 0,
        ..fast_config()
    };
    let (c, clock) = skipping_client(config);
    let e = c
        .get_json(&format!("{}/drip", s.url()), &[], "X")
        .unwrap_err();
    assert!(message(&e).contains("took longer than 0.5 s"), "{e}");
    assert_eq!(
        clock.sleeps(),
        Vec::<Duration>::new(),
        "no retries were allowed"
    );
}

#[test]
fn redirect_loop_is_bounded() {
    let s = TestServer::start();
    s.route("/loop", Reply::redirect("/loop"));
    let e = client()
        .get_json(&format!("{}/loop", s.url()), &[], "X")
        .unwrap_err();
    assert!(message(&e).contains("too many redirects"), "{e}");
    assert_eq!(s.hits("/loop"), 4); // the first request and 3 redirects
}

#[test]
fn redirect_is_followed() {
    let s = TestServer::start();
    s.route("/old", Reply::redirect("/new"));
    s.route("/new", Reply::json("[]"));
    let body = client()
        .get_json(&format!("{}/old", s.url()), &[], "X")
        .unwrap();
    assert_eq!(body, "[]");
}

#[test]
fn status_401_403_404_and_other_4xx() {
    let s = TestServer::start();
    s.route("/401", Reply::status(401));
    s.route("/403", Reply::status(403));
    s.route("/400", Reply::status(400));
    let c = client().with_unauthorized_hint("do the thing");
    let e = c
        .get_json(&format!("{}/401", s.url()), &[], "KO")
        .unwrap_err();
    assert!(
        matches!(&e, Error::Unauthorized { status: 401, symbol, hint, .. } if symbol == "KO" && hint == "do the thing"),
        "{e:?}"
    );
    let e = c
        .get_json(&format!("{}/403", s.url()), &[], "KO")
        .unwrap_err();
    assert!(
        matches!(e, Error::Unauthorized { status: 403, .. }),
        "{e:?}"
    );
    let e = c
        .get_json(&format!("{}/nothing-here", s.url()), &[], "KO")
        .unwrap_err();
    assert!(
        matches!(&e, Error::UnknownSymbol { symbol, .. } if symbol == "KO"),
        "{e:?}"
    );
    let e = c
        .get_json(&format!("{}/400", s.url()), &[], "KO")
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Http {
                status: Some(400),
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(s.hits("/400"), 1, "4xx are not retried");
    assert_eq!(s.hits("/401"), 1);
}

#[test]
fn secrets_never_appear_in_errors() {
    let s = TestServer::start();
    s.route("/v1/x", Reply::status(500));
    let secret = "sk_live_SECRET123";
    let c = client().with_secret(secret);
    let url = format!("{}/v1/x?apiKey={secret}&token={secret}&other=1", s.url());
    let e = c
        .get_json(&url, &[("Authorization", "Bearer sk_live_SECRET123")], "KO")
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(secret), "{shown}");
    assert!(shown.contains("apiKey=REDACTED"), "{shown}");
    assert!(shown.contains("other=1"), "{shown}");
    assert!(!format!("{c:?}").contains(secret));
    // A secret embedded somewhere redact_url does not know is scrubbed too.
    let url = format!("{}/v1/x/{secret}", s.url());
    let e = c.get_json(&url, &[], "KO").unwrap_err();
    assert!(!format!("{e} {e:?}").contains(secret), "{e}");
}

#[test]
fn get_any_returns_status_and_body() {
    let s = TestServer::start();
    s.route(
        "/",
        Reply::html("<html>nothing</html>")
            .with_status(404)
            .header("Set-Cookie", "A3=d=abc; Path=/"),
    );
    let r = client()
        .get_any(&format!("{}/", s.url()), &[], "X")
        .unwrap();
    assert_eq!(r.status, 404);
    assert!(r.body.contains("nothing"));
}

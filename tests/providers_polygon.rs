//! Polygon/Massive: parser on the fixtures (ns timestamps, optional greeks and quotes) and
//! pagination end to end on loopback, with key redaction.

mod common;

use ccplan::providers::polygon::{self, Polygon};
use ccplan::providers::{ChainSource, ExpiryFilter};
use ccplan::Error;
use common::{d, fast_config, fixture, request, Reply, TestServer};

const KEY: &str = "pGn_K3y_v3ry_s3cr3t";

#[test]
fn page_units_and_times() {
    let p = polygon::parse_page(&fixture("polygon/snapshot_KO_page1.json"), "KO").unwrap();
    assert_eq!(p.quotes.len(), 4);
    assert_eq!(p.dropped.len(), 1);
    assert!(
        p.dropped[0].contains("O:KO260417X00065000"),
        "{:?}",
        p.dropped
    );
    assert_eq!(p.underlying, Some(("KO".to_string(), 62.4)));
    assert!(p.next_url.as_deref().unwrap().contains("cursor="));
    // ns timestamps, kept exact; the latest is last_quote.last_updated = 19:59:50 UTC.
    assert_eq!(
        p.latest.unwrap().to_rfc3339(),
        "2026-03-13T15:59:50.000123456-04:00"
    );
    let raw: serde_json::Value =
        serde_json::from_str(&fixture("polygon/snapshot_KO_page1.json")).unwrap();
    let r = &raw["results"][0];
    let q = &p.quotes[0];
    assert_eq!(q.contract.occ(), "KO260417C00060000");
    let g = q.provider_greeks.unwrap();
    assert!((g.theta.unwrap() - 365.0 * r["greeks"]["theta"].as_f64().unwrap()).abs() < 1e-12);
    assert!((g.vega.unwrap() - 100.0 * r["greeks"]["vega"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(g.rho, None);
    assert_eq!(q.bid, r["last_quote"]["bid"].as_f64());
    assert_eq!(q.bid_size, Some(35));
    assert_eq!(q.open_interest, Some(1500));
    assert_eq!(q.volume, Some(120));
    assert_eq!(q.multiplier, 100);
    assert_eq!(q.provider_iv, r["implied_volatility"].as_f64());
    assert!(q.last_trade.is_some());
}

#[test]
fn optional_greeks_and_quotes() {
    let p = polygon::parse_page(&fixture("polygon/snapshot_KO_page2.json"), "KO").unwrap();
    assert_eq!(p.quotes.len(), 2);
    let deep = &p.quotes[1];
    assert_eq!(deep.provider_greeks, None);
    assert_eq!(deep.provider_iv, None);
    assert_eq!(deep.bid, None);
    assert_eq!(deep.ask, None);
    assert!(deep.last.is_some());
    let snap = polygon::assemble(vec![p], "KO", None).unwrap();
    let notes = snap.notes.join("\n");
    assert!(notes.contains("no last_quote for 1 of 2"), "{notes}");
    assert!(notes.contains("no greeks for 1 of 2"), "{notes}");
}

#[test]
fn no_underlying_price_and_not_authorized() {
    let e = polygon::parse_chain(&fixture("polygon/snapshot_KO_noquote_noprice.json"), "KO")
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::NoData {
                what: "underlying price",
                ..
            }
        ),
        "{e:?}"
    );
    let e = polygon::parse_chain(&fixture("polygon/not_authorized.json"), "KO").unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unauthorized {
                provider: "polygon",
                ..
            }
        ),
        "{e:?}"
    );
    let e = polygon::parse_chain(r#"{"status":"OK"}"#, "KO").unwrap_err();
    assert!(e.to_string().contains("`results`"), "{e}");
    for junk in [
        "",
        "{}",
        r#"{"results": [1, {"details": 5}, {"details": {"ticker": "O:"}}]}"#,
    ] {
        let _ = polygon::parse_chain(junk, "KO");
    }
}

fn server() -> TestServer {
    let s = TestServer::start();
    s.route(
        "/v3/snapshot/options/KO?limit=250",
        Reply::fixture("polygon/snapshot_KO_page1.json"),
    );
    s.route(
        "/v3/snapshot/options/KO?cursor=YXA9TzpLTzI2MDQxN1AwMDA2MjUwMCZhcz0mbGltaXQ9MjUw",
        Reply::fixture("polygon/snapshot_KO_page2.json"),
    );
    s
}

#[test]
fn end_to_end_pagination_stays_on_the_base_host() {
    let s = server();
    let p = Polygon::new(KEY, Some(&s.url()), fast_config()).unwrap();
    let snap = p.chain(&request("KO")).unwrap();
    assert_eq!(snap.source, "polygon");
    assert_eq!(snap.quotes.len(), 6);
    assert_eq!(snap.expiries(), vec![d(2026, 4, 17), d(2026, 5, 15)]);
    let reqs = s.requests();
    assert_eq!(
        reqs.len(),
        2,
        "next_url (api.massive.com) was mapped onto the base"
    );
    for r in &reqs {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert!(!r.target.contains(KEY));
    }
}

#[test]
fn end_to_end_expiry_filter_goes_in_the_query() {
    let s = server();
    s.route(
        "/v3/snapshot/options/KO?limit=250&expiration_date=2026-04-17",
        Reply::fixture("polygon/snapshot_KO_page2.json"),
    );
    let p = Polygon::new(KEY, Some(&s.url()), fast_config()).unwrap();
    let mut r = request("KO");
    r.expiries = ExpiryFilter::On(d(2026, 4, 17));
    // The server ignored the filter and sent May contracts: they are filtered out.
    let e = p.chain(&r).unwrap_err();
    assert!(matches!(e, Error::NoData { .. }), "{e:?}");
    r.expiries = ExpiryFilter::Between(d(2026, 4, 1), d(2026, 4, 30));
    let _ = p.chain(&r);
    assert!(s.requests().iter().any(|q| q
        .query
        .contains("expiration_date.gte=2026-04-01&expiration_date.lte=2026-04-30")));
}

#[test]
fn endless_pagination_is_bounded() {
    let s = TestServer::start();
    let page = fixture("polygon/snapshot_KO_page1.json").replace(
        "https://api.massive.com/v3/snapshot/options/KO?cursor=YXA9TzpLTzI2MDQxN1AwMDA2MjUwMCZhcz0mbGltaXQ9MjUw",
        "/v3/snapshot/options/KO?limit=250",
    );
    s.route("/v3/snapshot/options/KO", Reply::json(page));
    let p = Polygon::new(KEY, Some(&s.url()), fast_config()).unwrap();
    let snap = p.chain(&request("KO")).unwrap();
    assert_eq!(s.hits("/v3/snapshot/options/KO"), polygon::MAX_PAGES);
    assert!(snap.notes.iter().any(|n| n.contains("cut short")));
}

#[test]
fn key_never_leaks_even_when_the_url_carries_it() {
    let s = TestServer::start();
    // A next_url that carries the key (as some proxies echo it), then a failing page.
    let page = fixture("polygon/snapshot_KO_page1.json").replace(
        "cursor=YXA9TzpLTzI2MDQxN1AwMDA2MjUwMCZhcz0mbGltaXQ9MjUw",
        &format!("cursor=abc&apiKey={KEY}"),
    );
    s.route("/v3/snapshot/options/KO?limit=250", Reply::json(page));
    s.route(
        &format!("/v3/snapshot/options/KO?cursor=abc&apiKey={KEY}"),
        Reply::status(500),
    );
    let p = Polygon::new(KEY, Some(&s.url()), fast_config()).unwrap();
    assert!(!format!("{p:?}").contains(KEY));
    let e = p.chain(&request("KO")).unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(
        matches!(
            e,
            Error::Http {
                status: Some(500),
                ..
            }
        ),
        "{shown}"
    );
    assert!(!shown.contains(KEY), "{shown}");
    assert!(shown.contains("apiKey=REDACTED"), "{shown}");
    // 401 and 403.
    s.route("/v3/snapshot/options/KO?limit=250", Reply::status(403));
    let e = p.chain(&request("KO")).unwrap_err();
    assert!(
        matches!(e, Error::Unauthorized { status: 403, .. }),
        "{e:?}"
    );
    assert!(!format!("{e} {e:?}").contains(KEY));
    // Timeout on a URL with the key.
    s.route(
        "/v3/snapshot/options/KO?limit=250",
        Reply::json(fixture("polygon/snapshot_KO_page1.json").replace(
            "cursor=YXA9TzpLTzI2MDQxN1AwMDA2MjUwMCZhcz0mbGltaXQ9MjUw",
            &format!("cursor=slow&apiKey={KEY}"),
        )),
    );
    s.route(
        &format!("/v3/snapshot/options/KO?cursor=slow&apiKey={KEY}"),
        Reply::json("{}").fault(common::Fault::Delay(std::time::Duration::from_secs(2))),
    );
    let e = p.chain(&request("KO")).unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("timed out"), "{shown}");
    assert!(!shown.contains(KEY), "{shown}");
}

#[test]
fn missing_key() {
    let e = Polygon::new("", None, fast_config()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::MissingCredential {
                provider: "polygon",
                ..
            }
        ),
        "{e:?}"
    );
}

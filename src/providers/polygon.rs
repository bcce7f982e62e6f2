//! Polygon.io, now Massive (`api.massive.com`; `api.polygon.io` still answers): needs a key.
//!
//! One endpoint: `GET {base}/v3/snapshot/options/{SYM}?limit=250[&expiration_date…]`, paged by
//! `next_url` (followed up to [`MAX_PAGES`] pages; a chain cut short says so in the notes).
//! The key goes in an `Authorization: Bearer` header, never in a URL, and is re-sent only to
//! the configured host: a `next_url` is reduced to its path and query and joined onto the base.
//!
//! Units and quirks normalized here:
//!
//! * Every timestamp (`last_quote.last_updated`, `day.last_updated`, `last_trade.sip_timestamp`,
//!   `underlying_asset.last_updated`) is epoch **nanoseconds**. The snapshot's as-of is the
//!   latest of them, shown in New York time.
//! * `greeks` and `last_quote` (and `last_trade`, `underlying_asset.price`) are present only
//!   when the plan includes them and are otherwise `None`; the notes say when a whole chain
//!   has no bid/ask. `greeks` has no rho. Delta and gamma per $1 (the spec's "per $0.01"
//!   wording notwithstanding); vega per vol point (× 100); theta per calendar day (× 365).
//! * `implied_volatility` is decimal; `open_interest` and volumes may be floats: rounded.
//! * The contract comes from `details.ticker` (`O:` prefixed OCC); a ticker that does not
//!   parse, or disagrees with `details`, drops the row. `shares_per_contract` is the
//!   multiplier.
//! * The spot is `underlying_asset.price` (or `value` for an index). Without it (a plan
//!   without stocks) there is no snapshot: [`Error::NoData`].

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;

use super::http::{base_or, encode, HttpClient, HttpConfig};
use super::wire::{
    count, epoch_ns, from_json, greeks, payload, screen_chain, sides, Epoch, GreekScale, MaybeRow,
    Num, Text,
};
use super::{ChainRequest, ChainSource, ExpiryFilter};
use crate::error::{Error, Result};
use crate::model::{ChainSnapshot, OptionContract, ProviderGreeks, Quote, Right, Underlying};

/// Provider name used in errors and in [`ChainSnapshot::source`].
pub const PROVIDER: &str = "polygon";

/// The official client's host since the rebrand to Massive.
pub const DEFAULT_BASE_URL: &str = "https://api.massive.com";

/// Most pages followed (250 contracts each: 50,000 contracts).
pub const MAX_PAGES: usize = 200;

/// Vega per vol point, theta per calendar day; no rho is sent.
const SCALE: GreekScale = GreekScale {
    vega: 100.0,
    theta: 365.0,
    rho: 1.0,
};

// ---------------------------------------------------------------------------------------------
// Wire types (private).

#[derive(Deserialize)]
struct WirePage {
    results: Option<Vec<MaybeRow<WireResult>>>,
    next_url: Text,
    status: Text,
    message: Text,
    error: Text,
}

#[derive(Deserialize)]
struct WireResult {
    details: Option<Details>,
    implied_volatility: Num,
    open_interest: Num,
    greeks: Option<WireGreeks>,
    last_quote: Option<LastQuote>,
    last_trade: Option<LastTrade>,
    day: Option<Day>,
    underlying_asset: Option<UnderlyingAsset>,
}

#[derive(Deserialize)]
struct Details {
    ticker: Text,
    contract_type: Text,
    expiration_date: Text,
    strike_price: Num,
    shares_per_contract: Num,
}

#[derive(Deserialize)]
struct WireGreeks {
    delta: Num,
    gamma: Num,
    theta: Num,
    vega: Num,
}

#[derive(Deserialize)]
struct LastQuote {
    bid: Num,
    ask: Num,
    bid_size: Num,
    ask_size: Num,
    last_updated: Epoch,
}

#[derive(Deserialize)]
struct LastTrade {
    price: Num,
    sip_timestamp: Epoch,
}

#[derive(Deserialize)]
struct Day {
    close: Num,
    volume: Num,
    last_updated: Epoch,
}

#[derive(Deserialize)]
struct UnderlyingAsset {
    ticker: Text,
    price: Num,
    value: Num,
    last_updated: Epoch,
}

// ---------------------------------------------------------------------------------------------
// Parsing.

/// One page of the snapshot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SnapshotPage {
    /// Normalized quotes.
    pub quotes: Vec<Quote>,
    /// Rows dropped, with the reason.
    pub dropped: Vec<String>,
    /// The underlying's ticker and price (the last seen on the page), if the plan gives it.
    pub underlying: Option<(String, f64)>,
    /// The latest nanosecond timestamp on the page.
    pub latest: Option<DateTime<FixedOffset>>,
    /// Contracts that came with a `last_quote`.
    pub with_quote: usize,
    /// Contracts that came with `greeks`.
    pub with_greeks: usize,
    /// The next page, as Polygon gives it.
    pub next_url: Option<String>,
}

fn positive(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v > 0.0)
}

fn ns_time(x: Option<i64>) -> Option<DateTime<FixedOffset>> {
    x.and_then(epoch_ns)
}

/// Parse one page of `v3/snapshot/options/{SYM}`.
pub fn parse_page(body: &str, symbol: &str) -> Result<SnapshotPage> {
    let doc: WirePage = from_json(PROVIDER, symbol, "options snapshot", body)?;
    let status = doc.status.0.as_deref().unwrap_or("").to_ascii_uppercase();
    let message = doc
        .message
        .0
        .or(doc.error.0)
        .unwrap_or_else(|| "no message".into());
    if status == "NOT_AUTHORIZED" {
        return Err(Error::Unauthorized {
            provider: PROVIDER,
            symbol: symbol.to_string(),
            status: 403,
            hint: format!("Polygon/Massive: {message} (the plan does not include options data)"),
        });
    }
    if status == "ERROR" {
        return Err(payload(
            PROVIDER,
            symbol,
            format!("status ERROR: {message}"),
        ));
    }
    let rows = doc.results.ok_or_else(|| {
        payload(
            PROVIDER,
            symbol,
            format!("field `results` is missing (status {status:?}: {message})"),
        )
    })?;
    let mut page = SnapshotPage {
        next_url: doc.next_url.0.filter(|u| !u.trim().is_empty()),
        ..SnapshotPage::default()
    };
    for (i, row) in rows.into_iter().enumerate() {
        let r = match row {
            MaybeRow::Good(r) => r,
            MaybeRow::Bad(_) => {
                page.dropped
                    .push(format!("result {i}: not a snapshot record"));
                continue;
            }
        };
        let times = [
            r.last_quote
                .as_ref()
                .and_then(|q| ns_time(q.last_updated.0)),
            r.day.as_ref().and_then(|d| ns_time(d.last_updated.0)),
            r.last_trade
                .as_ref()
                .and_then(|t| ns_time(t.sip_timestamp.0)),
            r.underlying_asset
                .as_ref()
                .and_then(|u| ns_time(u.last_updated.0)),
        ];
        if let Some(t) = times.iter().flatten().max() {
            page.latest = Some(page.latest.map_or(*t, |l| l.max(*t)));
        }
        if let Some(u) = &r.underlying_asset {
            if let Some(p) = positive(u.price.0).or(positive(u.value.0)) {
                let t = u
                    .ticker
                    .0
                    .as_deref()
                    .map(|t| t.trim_start_matches("I:").to_ascii_uppercase())
                    .unwrap_or_else(|| symbol.trim().to_ascii_uppercase());
                page.underlying = Some((t, p));
            }
        }
        match result_quote(&r, i) {
            Ok(q) => {
                page.with_quote += usize::from(r.last_quote.is_some());
                page.with_greeks += usize::from(q.provider_greeks.is_some());
                page.quotes.push(q);
            }
            Err(reason) => page.dropped.push(reason),
        }
    }
    Ok(page)
}

fn result_quote(r: &WireResult, i: usize) -> std::result::Result<Quote, String> {
    let d = r
        .details
        .as_ref()
        .ok_or_else(|| format!("result {i}: no `details`"))?;
    let ticker = d
        .ticker
        .0
        .as_deref()
        .ok_or_else(|| format!("result {i}: no `details.ticker`"))?;
    let contract = OptionContract::parse_occ(ticker).map_err(|e| e.to_string())?;
    if let Some(k) = d.strike_price.0 {
        if (k - contract.strike).abs() > 1e-6 {
            return Err(format!(
                "{ticker}: strike_price {k} disagrees with the ticker's {}",
                contract.strike
            ));
        }
    }
    if let Some(e) = d.expiration_date.0.as_deref() {
        if NaiveDate::parse_from_str(e.trim(), "%Y-%m-%d").ok() != Some(contract.expiry) {
            return Err(format!(
                "{ticker}: expiration_date {e:?} disagrees with the ticker's {}",
                contract.expiry
            ));
        }
    }
    if let Some(t) = d.contract_type.0.as_deref() {
        if t.parse::<Right>().ok() != Some(contract.right) {
            return Err(format!(
                "{ticker}: contract_type {t:?} disagrees with the ticker"
            ));
        }
    }
    let lq = r.last_quote.as_ref();
    let s = sides(
        lq.and_then(|q| q.bid.0),
        lq.and_then(|q| q.ask.0),
        lq.and_then(|q| q.bid_size.0),
        lq.and_then(|q| q.ask_size.0),
        r.last_trade
            .as_ref()
            .and_then(|t| t.price.0)
            .or(r.day.as_ref().and_then(|d| d.close.0)),
    )
    .map_err(|reason| format!("{ticker}: {reason}"))?;
    let mut q = Quote::new(contract, s.bid, s.ask);
    q.bid_size = s.bid_size;
    q.ask_size = s.ask_size;
    q.last = s.last;
    q.volume = count(r.day.as_ref().and_then(|d| d.volume.0));
    q.open_interest = count(r.open_interest.0);
    q.last_trade = r
        .last_trade
        .as_ref()
        .and_then(|t| ns_time(t.sip_timestamp.0));
    q.multiplier = count(d.shares_per_contract.0)
        .filter(|m| *m > 0 && *m <= u32::MAX as u64)
        .map(|m| m as u32)
        .unwrap_or(100);
    q.provider_iv = positive(r.implied_volatility.0);
    q.provider_greeks = r.greeks.as_ref().and_then(|g| {
        greeks(
            ProviderGreeks {
                delta: g.delta.0,
                gamma: g.gamma.0,
                vega: g.vega.0,
                theta: g.theta.0,
                rho: None,
            },
            SCALE,
        )
    });
    Ok(q)
}

/// Merge pages into one snapshot. `fallback_as_of` is used when no page carries a timestamp.
pub fn assemble(
    pages: Vec<SnapshotPage>,
    symbol: &str,
    fallback_as_of: Option<DateTime<FixedOffset>>,
) -> Result<ChainSnapshot> {
    let mut snap_quotes = Vec::new();
    let mut dropped = Vec::new();
    let mut latest: Option<DateTime<FixedOffset>> = None;
    let mut underlying = None;
    let (mut with_quote, mut with_greeks) = (0usize, 0usize);
    for p in pages {
        snap_quotes.extend(p.quotes);
        dropped.extend(p.dropped);
        if let Some(t) = p.latest {
            latest = Some(latest.map_or(t, |l| l.max(t)));
        }
        if p.underlying.is_some() {
            underlying = p.underlying;
        }
        with_quote += p.with_quote;
        with_greeks += p.with_greeks;
    }
    let Some((ticker, price)) = underlying else {
        return Err(Error::NoData {
            what: "underlying price",
            symbol: symbol.to_string(),
            message: "Polygon/Massive sent no underlying_asset.price (the plan may lack stocks \
                      data)"
                .into(),
        });
    };
    let as_of = latest.or(fallback_as_of).ok_or_else(|| {
        payload(
            PROVIDER,
            symbol,
            "no timestamp: no last_updated or sip_timestamp in any result",
        )
    })?;
    screen_chain(&mut snap_quotes, &mut dropped, &as_of);
    let n = snap_quotes.len();
    let mut notes = Vec::new();
    if n > 0 && with_quote == 0 {
        notes.push(
            "Polygon/Massive sent no last_quote (the plan lacks quotes): bid and ask are \
             unknown"
                .to_string(),
        );
    } else if with_quote < n {
        notes.push(format!(
            "Polygon/Massive sent no last_quote for {} of {n} contracts",
            n - with_quote
        ));
    }
    if n > 0 && with_greeks < n {
        notes.push(format!(
            "Polygon/Massive sent no greeks for {} of {n} contracts (it omits them deep in \
             the money)",
            n - with_greeks
        ));
    }
    Ok(ChainSnapshot {
        underlying: Underlying {
            symbol: ticker,
            last: price,
            bid: None,
            ask: None,
            iv30: None,
        },
        as_of,
        source: PROVIDER.to_string(),
        quotes: snap_quotes,
        dropped,
        notes,
    })
}

/// Parse one page into a snapshot.
pub fn parse_chain(body: &str, symbol: &str) -> Result<ChainSnapshot> {
    assemble(vec![parse_page(body, symbol)?], symbol, None)
}

// ---------------------------------------------------------------------------------------------
// The network source.

/// The Polygon/Massive source. `Debug` does not show the key.
#[derive(Clone)]
pub struct Polygon {
    http: HttpClient,
    base: String,
    auth: String,
}

impl std::fmt::Debug for Polygon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Polygon")
            .field("base", &self.base)
            .field("key", &"REDACTED")
            .finish()
    }
}

/// The path and query of a URL (`https://host/p?q` → `/p?q`; a relative URL as is).
fn path_and_query(url: &str) -> String {
    let u = url.trim();
    match u.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => rest[i..].to_string(),
            None => "/".to_string(),
        },
        None if u.starts_with('/') => u.to_string(),
        None => format!("/{u}"),
    }
}

impl Polygon {
    /// A Polygon/Massive source with the caller's API key. `base_url` replaces
    /// `https://api.massive.com` (scheme and host; `https://api.polygon.io` works too).
    pub fn new(api_key: &str, base_url: Option<&str>, config: HttpConfig) -> Result<Self> {
        let key = api_key.trim();
        if key.is_empty() {
            return Err(Error::MissingCredential {
                provider: PROVIDER,
                what: "an API key",
                hint: "get one from the Massive (Polygon.io) dashboard and pass it in",
            });
        }
        let http = HttpClient::new(PROVIDER, config)?
            .with_secret(key)
            .with_unauthorized_hint(
                "Polygon/Massive refused the key; check it, and that the plan includes \
                 options snapshots",
            );
        Ok(Polygon {
            http,
            base: base_or(base_url, DEFAULT_BASE_URL),
            auth: format!("Bearer {key}"),
        })
    }

    fn first_url(&self, symbol: &str, filter: ExpiryFilter) -> String {
        let mut url = format!(
            "{}/v3/snapshot/options/{}?limit=250",
            self.base,
            encode(symbol)
        );
        match filter {
            ExpiryFilter::All => {}
            ExpiryFilter::On(d) => url.push_str(&format!("&expiration_date={d}")),
            ExpiryFilter::Between(a, b) => {
                url.push_str(&format!("&expiration_date.gte={a}&expiration_date.lte={b}"))
            }
        }
        url
    }
}

impl ChainSource for Polygon {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn chain(&self, request: &ChainRequest) -> Result<ChainSnapshot> {
        let symbol = request.symbol.trim().to_ascii_uppercase();
        let headers = [
            ("Authorization", self.auth.as_str()),
            ("Accept", "application/json"),
        ];
        let mut url = self.first_url(&symbol, request.expiries);
        let mut pages = Vec::new();
        let mut cut_short = false;
        loop {
            let body = self.http.get_json(&url, &headers, &symbol)?;
            let page = parse_page(&body, &symbol)?;
            let next = page.next_url.clone();
            pages.push(page);
            match next {
                Some(n) if pages.len() < MAX_PAGES => {
                    url = format!("{}{}", self.base, path_and_query(&n));
                }
                Some(_) => {
                    cut_short = true;
                    break;
                }
                None => break,
            }
        }
        let mut snap = assemble(pages, &symbol, Some(request.as_of))?;
        snap.quotes
            .retain(|q| request.expiries.accepts(q.contract.expiry));
        if cut_short {
            snap.notes.push(format!(
                "Polygon/Massive chain cut short after {MAX_PAGES} pages"
            ));
        }
        if snap.quotes.is_empty() {
            return Err(Error::NoData {
                what: "option chain",
                symbol,
                message: "Polygon/Massive returned no usable contract".into(),
            });
        }
        Ok(snap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_url_keeps_only_path_and_query() {
        assert_eq!(
            path_and_query("https://api.polygon.io/v3/snapshot/options/AAPL?cursor=abc"),
            "/v3/snapshot/options/AAPL?cursor=abc"
        );
        assert_eq!(path_and_query("/v3/x?cursor=1"), "/v3/x?cursor=1");
        assert_eq!(path_and_query("https://evil.example"), "/");
    }
}

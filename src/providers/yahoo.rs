//! Yahoo Finance (`query2.finance.yahoo.com`): keyless, cookie + crumb, fragile.
//!
//! Requests:
//!
//! 1. `GET https://fc.yahoo.com/` sets the session cookie (its status, often 404, is ignored);
//! 2. `GET https://query2.finance.yahoo.com/v1/test/getcrumb` answers the crumb as plain text;
//! 3. `GET …/v7/finance/options/{SYM}?crumb=…` gives the nearest expiry, the list of expiry
//!    epochs and the underlying's quote; `&date={epoch}` gives another expiry (the epoch must be
//!    one of the list, any other value answers 200 with nothing in it). A 401 "Invalid Crumb"
//!    fetches a new crumb once.
//! 4. `GET …/v8/finance/chart/{SYM}?period1=&period2=&interval=1d` gives daily history (no
//!    crumb needed).
//!
//! With a base-URL override every host above maps to the one base.
//! Index symbols take a caret (`^SPX`); see [`yahoo_symbol`].
//!
//! Units and quirks normalized here:
//!
//! * Expiry epochs (`expirationDates`, `expiration`) are **00:00 UTC of the expiry date**:
//!   converted in UTC, never in local time.
//! * `impliedVolatility` is decimal. **Off-hours the data is junk**: bid and ask are 0, every
//!   `openInterest` is 0 and the IVs are seeds of Yahoo's bisection (1e-05, and
//!   1e-05 + (1 − 1e-05)/2^k: 0.500005, 0.2500075, …, 0.0078224…) or plain powers of two.
//!   Zero sides become `None`; IVs ≤ 0.02 or on the seed ladder become `None`; an open
//!   interest of 0 on every contract becomes `None` everywhere. Each case is reported in
//!   [`ChainSnapshot::notes`]. An underlying bid/ask wider than 2 % of the price is ignored
//!   the same way.
//! * `volume` is missing when zero: `None`.
//! * `lastTradeDate`, `regularMarketTime` and chart `timestamp`s are epoch **seconds**. The
//!   snapshot's as-of is `regularMarketTime` in the exchange's time zone
//!   (`exchangeTimezoneName`).
//! * History: closes are `adjclose` (split- **and** dividend-adjusted, so
//!   [`Adjustment::SplitsAndDividends`]); open, high and low are scaled by the same
//!   adjclose/close factor so a bar stays consistent. Array entries can be `null`: the bar is
//!   skipped when its close is; other fields become `None`. Bar dates are the session-open
//!   timestamps in the exchange's time zone.

use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};
use serde::Deserialize;

use super::http::{base_or, encode, HttpClient, HttpConfig};
use super::wire::{count, epoch_int, from_json, payload, screen_chain, sides, MaybeRow, Num, Text};
use super::{ChainRequest, ChainSource, HistorySource};
use crate::error::{Error, Result};
use crate::model::{
    Adjustment, Bar, ChainSnapshot, Dividend, OptionContract, PriceHistory, Quote, SeriesEvents,
    SplitEvent, Underlying,
};

/// Provider name used in errors and in [`ChainSnapshot::source`].
pub const PROVIDER: &str = "yahoo";

/// API host.
pub const DEFAULT_BASE_URL: &str = "https://query2.finance.yahoo.com";

/// Host that hands out the session cookie.
pub const COOKIE_URL: &str = "https://fc.yahoo.com/";

/// Indexes Yahoo spells with a caret.
pub const INDEX_SYMBOLS: &[&str] = &["SPX", "XSP", "NDX", "RUT", "VIX", "DJX", "OEX", "XEO"];

/// Yahoo's spelling of a ticker: `SPX`/`_SPX`/`$SPX` → `^SPX` for [`INDEX_SYMBOLS`]; an
/// explicit caret is kept; a class share keeps its dash (`BRK-B`, Yahoo's form).
pub fn yahoo_symbol(symbol: &str) -> String {
    let s = symbol.trim().to_ascii_uppercase();
    if s.starts_with('^') {
        return s;
    }
    let bare = s.trim_start_matches(['_', '$']);
    if INDEX_SYMBOLS.contains(&bare) {
        format!("^{bare}")
    } else {
        bare.replace('.', "-")
    }
}

fn plain_symbol(symbol: &str) -> String {
    symbol
        .trim()
        .trim_start_matches(['^', '_', '$'])
        .to_ascii_uppercase()
}

// ---------------------------------------------------------------------------------------------
// Wire types (private).

#[derive(Deserialize)]
struct OptDoc {
    #[serde(rename = "optionChain")]
    option_chain: Option<Envelope<OptResult>>,
}

#[derive(Deserialize)]
struct Envelope<T> {
    result: Option<Vec<T>>,
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OptResult {
    underlying_symbol: Text,
    expiration_dates: Option<Vec<serde_json::Value>>,
    quote: Option<WireQuote>,
    options: Option<Vec<OptSet>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireQuote {
    regular_market_price: Num,
    regular_market_time: Num,
    bid: Num,
    ask: Num,
    exchange_timezone_name: Text,
    gmt_off_set_milliseconds: Num,
    market_state: Text,
}

#[derive(Deserialize)]
struct OptSet {
    calls: Option<Vec<MaybeRow<WireOption>>>,
    puts: Option<Vec<MaybeRow<WireOption>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireOption {
    contract_symbol: String,
    strike: Num,
    bid: Num,
    ask: Num,
    last_price: Num,
    volume: Num,
    open_interest: Num,
    implied_volatility: Num,
    last_trade_date: Num,
    expiration: Num,
    contract_size: Text,
}

#[derive(Deserialize)]
struct ChartDoc {
    chart: Option<Envelope<ChartResult>>,
}

#[derive(Deserialize)]
struct ChartResult {
    meta: Option<ChartMeta>,
    timestamp: Option<Vec<serde_json::Value>>,
    indicators: Option<Indicators>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChartMeta {
    symbol: Text,
    exchange_timezone_name: Text,
    gmtoffset: Num,
}

#[derive(Deserialize)]
struct Indicators {
    quote: Option<Vec<QuoteArrays>>,
    adjclose: Option<Vec<AdjArrays>>,
}

#[derive(Deserialize, Default)]
struct QuoteArrays {
    open: Option<Vec<serde_json::Value>>,
    high: Option<Vec<serde_json::Value>>,
    low: Option<Vec<serde_json::Value>>,
    close: Option<Vec<serde_json::Value>>,
    volume: Option<Vec<serde_json::Value>>,
}

#[derive(Deserialize)]
struct AdjArrays {
    adjclose: Option<Vec<serde_json::Value>>,
}

// ---------------------------------------------------------------------------------------------
// Parsing.

/// One `v7/finance/options` answer, before the off-hours checks that [`assemble`] applies to
/// the whole chain.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionsPage {
    /// The underlying, as Yahoo quotes it.
    pub underlying: Underlying,
    /// `regularMarketTime` in the exchange's time zone, if given.
    pub as_of: Option<DateTime<FixedOffset>>,
    /// `marketState` (`REGULAR`, `PRE`, `POST`, `CLOSED`…), if given.
    pub market_state: Option<String>,
    /// Every listed expiry: the date and the epoch Yahoo wants back in `&date=`.
    pub expirations: Vec<(NaiveDate, i64)>,
    /// The quotes of the expiries in this answer, IVs unchecked.
    pub quotes: Vec<Quote>,
    /// Rows dropped, with the reason.
    pub dropped: Vec<String>,
}

fn positive(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v > 0.0)
}

fn value_f64(v: Option<&serde_json::Value>) -> Option<f64> {
    match v? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An epoch-seconds expiry as the UTC calendar date.
fn utc_date(epoch: i64) -> Option<NaiveDate> {
    DateTime::<Utc>::from_timestamp(epoch, 0).map(|t| t.date_naive())
}

/// The exchange's zone: by name, else the fixed offset in seconds, else UTC.
fn zone(name: Option<&str>, offset_s: Option<f64>) -> ZoneOf {
    if let Some(tz) = name.and_then(|n| n.parse::<chrono_tz::Tz>().ok()) {
        return ZoneOf::Named(tz);
    }
    let off = offset_s
        .filter(|v| v.is_finite() && v.abs() < 86_400.0)
        .and_then(|v| FixedOffset::east_opt(v as i32))
        .unwrap_or(Utc.fix());
    ZoneOf::Fixed(off)
}

enum ZoneOf {
    Named(chrono_tz::Tz),
    Fixed(FixedOffset),
}

impl ZoneOf {
    fn at(&self, epoch: i64) -> Option<DateTime<FixedOffset>> {
        let t = DateTime::<Utc>::from_timestamp(epoch, 0)?;
        Some(match self {
            ZoneOf::Named(tz) => t.with_timezone(tz).fixed_offset(),
            ZoneOf::Fixed(off) => t.with_timezone(off),
        })
    }
}

/// Parse one `v7/finance/options` answer.
pub fn parse_options_page(body: &str, symbol: &str) -> Result<OptionsPage> {
    let doc: OptDoc = from_json(PROVIDER, symbol, "option chain", body)?;
    let env = doc
        .option_chain
        .ok_or_else(|| payload(PROVIDER, symbol, "field `optionChain` is missing"))?;
    let result = env.result.and_then(|r| r.into_iter().next());
    let Some(r) = result else {
        let detail = env
            .error
            .filter(|e| !e.is_null())
            .map(|e| e.to_string())
            .unwrap_or_else(|| "optionChain.result is empty".into());
        return Err(Error::UnknownSymbol {
            provider: PROVIDER,
            symbol: symbol.to_string(),
            detail,
        });
    };
    let q = r.quote.ok_or_else(|| {
        payload(
            PROVIDER,
            symbol,
            "optionChain.result[0].quote is missing (no underlying price)",
        )
    })?;
    let last = positive(q.regular_market_price.0).ok_or_else(|| {
        payload(
            PROVIDER,
            symbol,
            "quote.regularMarketPrice is missing or not positive",
        )
    })?;
    let z = zone(
        q.exchange_timezone_name.0.as_deref(),
        q.gmt_off_set_milliseconds.0.map(|ms| ms / 1000.0),
    );
    let name = r
        .underlying_symbol
        .0
        .as_deref()
        .map(plain_symbol)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| plain_symbol(symbol));
    let (bid, ask) = match (positive(q.bid.0), positive(q.ask.0)) {
        (Some(b), Some(a)) if b <= a => (Some(b), Some(a)),
        _ => (None, None),
    };
    let underlying = Underlying {
        symbol: name.clone(),
        last,
        bid,
        ask,
        iv30: None,
    };
    let mut expirations: Vec<(NaiveDate, i64)> = r
        .expiration_dates
        .unwrap_or_default()
        .iter()
        .filter_map(|v| epoch_int(value_f64(Some(v))))
        .filter_map(|e| utc_date(e).map(|d| (d, e)))
        .collect();
    expirations.sort_unstable();
    expirations.dedup();

    let mut quotes = Vec::new();
    let mut dropped = Vec::new();
    for set in r.options.unwrap_or_default() {
        for row in set
            .calls
            .unwrap_or_default()
            .into_iter()
            .chain(set.puts.unwrap_or_default())
        {
            match row {
                MaybeRow::Good(o) => match option_quote(&o, &z) {
                    Ok(q) => quotes.push(q),
                    Err(reason) => dropped.push(reason),
                },
                MaybeRow::Bad(_) => {
                    dropped.push("a row without `contractSymbol`".to_string());
                }
            }
        }
    }
    Ok(OptionsPage {
        underlying,
        as_of: epoch_int(q.regular_market_time.0).and_then(|e| z.at(e)),
        market_state: q.market_state.0,
        expirations,
        quotes,
        dropped,
    })
}

fn option_quote(o: &WireOption, z: &ZoneOf) -> std::result::Result<Quote, String> {
    let contract = OptionContract::parse_occ(&o.contract_symbol).map_err(|e| e.to_string())?;
    if let Some(exp) = epoch_int(o.expiration.0) {
        if utc_date(exp) != Some(contract.expiry) {
            return Err(format!(
                "{}: expiration {exp} (UTC date {}) disagrees with the symbol's {}",
                o.contract_symbol,
                utc_date(exp).map_or_else(|| "out of range".to_string(), |d| d.to_string()),
                contract.expiry
            ));
        }
    }
    if let Some(k) = o.strike.0 {
        if (k - contract.strike).abs() > 1e-6 {
            return Err(format!(
                "{}: strike {k} disagrees with the symbol's {}",
                o.contract_symbol, contract.strike
            ));
        }
    }
    let s = sides(o.bid.0, o.ask.0, None, None, o.last_price.0)
        .map_err(|r| format!("{}: {r}", o.contract_symbol))?;
    let mut q = Quote::new(contract, s.bid, s.ask);
    q.last = s.last;
    q.volume = count(o.volume.0);
    q.open_interest = count(o.open_interest.0);
    q.last_trade = epoch_int(o.last_trade_date.0).and_then(|e| z.at(e));
    q.provider_iv = o.implied_volatility.0.filter(|v| v.is_finite());
    if o.contract_size
        .0
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("MINI"))
    {
        q.multiplier = 10;
    }
    Ok(q)
}

/// Whether an IV is one of Yahoo's placeholders: ≤ 0.02, a step of its bisection ladder
/// 1e-05 + (1 − 1e-05)/2^k, or a plain power of two 2^-k (k = 1…20).
pub fn is_placeholder_iv(iv: f64) -> bool {
    if !iv.is_finite() || iv <= 0.02 {
        return true;
    }
    const LO: f64 = 1e-5;
    (0..=20).any(|k| {
        let step = 0.5f64.powi(k);
        let ladder = LO + (1.0 - LO) * step;
        (iv - ladder).abs() <= 1e-9 * ladder || (k > 0 && (iv - step).abs() <= 1e-12)
    })
}

/// Merge option pages into one snapshot, applying the off-hours checks across the whole chain
/// (see the module docs). `fallback_as_of` is used when Yahoo gives no market time.
pub fn assemble(
    pages: Vec<OptionsPage>,
    symbol: &str,
    fallback_as_of: Option<DateTime<FixedOffset>>,
) -> Result<ChainSnapshot> {
    let mut pages = pages.into_iter();
    let first = pages
        .next()
        .ok_or_else(|| payload(PROVIDER, symbol, "no option page"))?;
    let mut underlying = first.underlying.clone();
    let market_state = first.market_state.clone();
    let mut as_of = first.as_of;
    let mut quotes = first.quotes;
    let mut dropped = first.dropped;
    for p in pages {
        if as_of.is_none() {
            as_of = p.as_of;
        }
        quotes.extend(p.quotes);
        dropped.extend(p.dropped);
    }
    // A page may repeat the first expiry: identical rows are kept once without a word
    // (differing duplicates are left for `screen_chain`, which drops them).
    let mut seen: std::collections::HashMap<String, Vec<Quote>> = std::collections::HashMap::new();
    quotes.retain(|q| {
        let copies = seen.entry(q.contract.occ()).or_default();
        if copies.contains(q) {
            false
        } else {
            copies.push(q.clone());
            true
        }
    });

    let as_of = as_of
        .or_else(|| quotes.iter().filter_map(|q| q.last_trade).max())
        .or(fallback_as_of)
        .ok_or_else(|| {
            payload(
                PROVIDER,
                symbol,
                "no timestamp: quote.regularMarketTime is missing and no contract has a \
                 lastTradeDate",
            )
        })?;
    screen_chain(&mut quotes, &mut dropped, &as_of);

    let mut notes = Vec::new();
    let n = quotes.len();
    let state = market_state
        .as_deref()
        .map(|s| format!(" (market state {s})"))
        .unwrap_or_default();

    let no_sides = quotes
        .iter()
        .filter(|q| q.bid.is_none() && q.ask.is_none())
        .count();
    if n > 0 && no_sides == n {
        notes.push(format!(
            "Yahoo off-hours data{state}: bid and ask are zero on every contract; there is no \
             tradable quote"
        ));
    } else if no_sides > 0 {
        notes.push(format!(
            "Yahoo: bid and ask are zero on {no_sides} of {n} contracts{state}"
        ));
    }

    let mut placeholders = 0usize;
    for q in &mut quotes {
        if let Some(iv) = q.provider_iv {
            if is_placeholder_iv(iv) {
                q.provider_iv = None;
                placeholders += 1;
            }
        }
    }
    if placeholders > 0 {
        notes.push(format!(
            "Yahoo sent placeholder IVs (1e-05, 0.5, 0.25, … or ≤ 0.02) on {placeholders} of \
             {n} contracts{state}; those provider IVs are ignored"
        ));
    }

    let oi_known = quotes.iter().filter(|q| q.open_interest.is_some()).count();
    if oi_known > 0 && quotes.iter().all(|q| q.open_interest.unwrap_or(0) == 0) {
        for q in &mut quotes {
            q.open_interest = None;
        }
        notes.push(format!(
            "Yahoo reports open interest 0 on every contract{state}: treated as unknown"
        ));
    }

    if let (Some(b), Some(a)) = (underlying.bid, underlying.ask) {
        if a - b > 0.02 * underlying.last {
            notes.push(format!(
                "Yahoo underlying bid/ask {b}/{a} is wider than 2 % of the last price \
                 {}{state}: using the last price",
                underlying.last
            ));
            underlying.bid = None;
            underlying.ask = None;
        }
    }

    Ok(ChainSnapshot {
        underlying,
        as_of,
        source: PROVIDER.to_string(),
        quotes,
        dropped,
        notes,
    })
}

/// Parse one `v7/finance/options` answer into a snapshot (checks included).
pub fn parse_chain(body: &str, symbol: &str) -> Result<ChainSnapshot> {
    assemble(vec![parse_options_page(body, symbol)?], symbol, None)
}

/// Parse `v8/finance/chart` daily bars (closes from `adjclose`; see the module docs).
pub fn parse_history(body: &str, symbol: &str) -> Result<PriceHistory> {
    let doc: ChartDoc = from_json(PROVIDER, symbol, "chart", body)?;
    let env = doc
        .chart
        .ok_or_else(|| payload(PROVIDER, symbol, "field `chart` is missing"))?;
    let Some(r) = env.result.and_then(|r| r.into_iter().next()) else {
        let detail = env
            .error
            .filter(|e| !e.is_null())
            .map(|e| e.to_string())
            .unwrap_or_else(|| "chart.result is empty".into());
        return Err(Error::UnknownSymbol {
            provider: PROVIDER,
            symbol: symbol.to_string(),
            detail,
        });
    };
    let meta = r.meta;
    let z = zone(
        meta.as_ref()
            .and_then(|m| m.exchange_timezone_name.0.as_deref()),
        meta.as_ref().and_then(|m| m.gmtoffset.0),
    );
    let name = meta
        .as_ref()
        .and_then(|m| m.symbol.0.as_deref())
        .map(plain_symbol)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| plain_symbol(symbol));
    let times = r.timestamp.unwrap_or_default();
    let (q, adj) = match r.indicators {
        Some(ind) => (
            ind.quote
                .and_then(|v| v.into_iter().next())
                .unwrap_or_default(),
            ind.adjclose
                .and_then(|v| v.into_iter().next())
                .and_then(|a| a.adjclose),
        ),
        None => (QuoteArrays::default(), None),
    };
    if !times.is_empty() && q.close.is_none() && adj.is_none() {
        return Err(payload(
            PROVIDER,
            symbol,
            "chart: indicators.quote[0].close and indicators.adjclose are both missing",
        ));
    }
    let at = |v: &Option<Vec<serde_json::Value>>, i: usize| {
        positive(value_f64(v.as_ref().and_then(|a| a.get(i))))
    };
    let adjusted = adj.is_some();
    let mut bars = Vec::with_capacity(times.len());
    for (i, t) in times.iter().enumerate() {
        let Some(date) = epoch_int(value_f64(Some(t)))
            .and_then(|e| z.at(e))
            .map(|d| d.date_naive())
        else {
            continue;
        };
        let raw_close = at(&q.close, i);
        let close = if adjusted { at(&adj, i) } else { raw_close };
        let Some(close) = close else { continue };
        let factor = match raw_close {
            Some(c) if adjusted => close / c,
            _ => 1.0,
        };
        let scaled = |x: Option<f64>| {
            if adjusted && raw_close.is_none() {
                None
            } else {
                x.map(|v| v * factor).filter(|v| v.is_finite() && *v > 0.0)
            }
        };
        bars.push(Bar {
            date,
            open: scaled(at(&q.open, i)),
            high: scaled(at(&q.high, i)),
            low: scaled(at(&q.low, i)),
            close,
            volume: count(value_f64(q.volume.as_ref().and_then(|a| a.get(i)))),
        });
    }
    let adjustment = if adjusted {
        Adjustment::SplitsAndDividends
    } else {
        // Yahoo's plain `close` is split-adjusted.
        Adjustment::Splits
    };
    Ok(PriceHistory::new(name, adjustment, bars))
}

/// The splits and dividends of a `v8/finance/chart` payload (`events=div|split`), dated by the
/// exchange's session (New York): each split's ratio is `numerator / denominator` (else its
/// `splitRatio` "4:1"), each dividend's `amount` is USD per share. Events that cannot be read
/// (no date, a ratio or amount that is not positive) are left out; a payload without events
/// gives none. The chart's prices are already adjusted for these (see [`parse_history`]).
pub fn parse_chart_events(body: &str, symbol: &str) -> Result<SeriesEvents> {
    let doc: serde_json::Value = from_json(PROVIDER, symbol, "chart", body)?;
    let Some(r) = doc.pointer("/chart/result/0") else {
        return Ok(SeriesEvents::default());
    };
    let z = zone(
        r.pointer("/meta/exchangeTimezoneName")
            .and_then(|v| v.as_str()),
        value_f64(r.pointer("/meta/gmtoffset")),
    );
    let date_of = |e: &serde_json::Value| {
        epoch_int(value_f64(e.get("date")))
            .and_then(|t| z.at(t))
            .map(|t| t.date_naive())
    };
    let mut out = SeriesEvents::default();
    if let Some(splits) = r.pointer("/events/splits").and_then(|v| v.as_object()) {
        for e in splits.values() {
            let ratio = match (
                positive(value_f64(e.get("numerator"))),
                positive(value_f64(e.get("denominator"))),
            ) {
                (Some(n), Some(d)) => Some(n / d),
                _ => e
                    .get("splitRatio")
                    .and_then(|v| v.as_str())
                    .and_then(|t| t.split_once(':'))
                    .and_then(|(n, d)| {
                        let (n, d) = (n.trim().parse::<f64>().ok()?, d.trim().parse::<f64>().ok()?);
                        positive(Some(n / d))
                    }),
            };
            if let (Some(date), Some(ratio)) = (date_of(e), ratio.and_then(|x| positive(Some(x)))) {
                out.splits.push(SplitEvent { date, ratio });
            }
        }
    }
    if let Some(divs) = r.pointer("/events/dividends").and_then(|v| v.as_object()) {
        for e in divs.values() {
            if let (Some(ex_date), Some(amount)) =
                (date_of(e), positive(value_f64(e.get("amount"))))
            {
                out.dividends.push(Dividend { ex_date, amount });
            }
        }
    }
    out.splits.sort_by_key(|s| s.date);
    out.dividends.sort_by_key(|d| d.ex_date);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The network source.

/// The Yahoo source. Holds the cookie jar and the crumb between calls.
#[derive(Debug)]
pub struct Yahoo {
    http: HttpClient,
    api: String,
    cookie_url: String,
    crumb: Mutex<Option<String>>,
}

impl Yahoo {
    /// A Yahoo source. `base_url` replaces every Yahoo host (`fc.yahoo.com` and
    /// `query2.finance.yahoo.com`) with one scheme and host; the paths stay Yahoo's.
    pub fn new(base_url: Option<&str>, config: HttpConfig) -> Result<Self> {
        let http = HttpClient::new(PROVIDER, config)?.with_unauthorized_hint(
            "Yahoo refused the request (invalid crumb or blocked client); wait and retry, or \
             use another --source",
        );
        let (api, cookie_url) = match base_url.map(str::trim).filter(|s| !s.is_empty()) {
            Some(b) => {
                let b = base_or(Some(b), DEFAULT_BASE_URL);
                (b.clone(), format!("{b}/"))
            }
            None => (DEFAULT_BASE_URL.to_string(), COOKIE_URL.to_string()),
        };
        Ok(Yahoo {
            http,
            api,
            cookie_url,
            crumb: Mutex::new(None),
        })
    }

    /// The crumb, fetched (after the cookie) when not cached or when `refresh` is set.
    fn crumb(&self, symbol: &str, refresh: bool) -> Result<String> {
        let mut guard = self.crumb.lock().unwrap_or_else(|p| p.into_inner());
        if !refresh {
            if let Some(c) = guard.as_ref() {
                return Ok(c.clone());
            }
        }
        // The cookie page's status does not matter (fc.yahoo.com answers 404 with the cookie).
        self.http.get_any(&self.cookie_url, &[], symbol)?;
        let crumb = self
            .http
            .get_text(&format!("{}/v1/test/getcrumb", self.api), &[], symbol)?;
        let crumb = crumb.trim().to_string();
        if crumb.is_empty() || crumb.len() > 64 || crumb.contains(char::is_whitespace) {
            return Err(Error::Http {
                provider: PROVIDER,
                url: format!("{}/v1/test/getcrumb", self.api),
                status: Some(200),
                message: "the crumb answer is not a crumb (expected one short token)".into(),
            });
        }
        *guard = Some(crumb.clone());
        Ok(crumb)
    }

    fn options_body(&self, symbol: &str, date: Option<i64>) -> Result<String> {
        let mut refreshed = false;
        loop {
            let crumb = self.crumb(symbol, refreshed)?;
            let mut url = format!(
                "{}/v7/finance/options/{}?crumb={}",
                self.api,
                encode(&yahoo_symbol(symbol)),
                encode(&crumb)
            );
            if let Some(d) = date {
                url.push_str(&format!("&date={d}"));
            }
            match self.http.get_json(&url, &[], symbol) {
                Err(Error::Unauthorized { status: 401, .. }) if !refreshed => refreshed = true,
                other => return other,
            }
        }
    }

    /// One options page: the nearest expiry when `date` is `None`, else the expiry with that
    /// epoch (00:00 UTC of the date, as listed by Yahoo).
    pub fn options_page(&self, symbol: &str, date: Option<i64>) -> Result<OptionsPage> {
        parse_options_page(&self.options_body(symbol, date)?, symbol)
    }
}

impl ChainSource for Yahoo {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    /// The first page (nearest expiry and the expiry list), then one page per other wanted
    /// expiry.
    fn chain(&self, request: &ChainRequest) -> Result<ChainSnapshot> {
        let symbol = request.symbol.trim().to_ascii_uppercase();
        let first = self.options_page(&symbol, None)?;
        let first_expiries: Vec<NaiveDate> = {
            let mut v: Vec<NaiveDate> = first.quotes.iter().map(|q| q.contract.expiry).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let wanted: Vec<(NaiveDate, i64)> = first
            .expirations
            .iter()
            .copied()
            .filter(|(d, _)| request.expiries.accepts(*d))
            .collect();
        let mut pages = Vec::with_capacity(wanted.len() + 1);
        for (d, epoch) in &wanted {
            if !first_expiries.contains(d) {
                pages.push(self.options_page(&symbol, Some(*epoch))?);
            }
        }
        let mut first = first;
        first
            .quotes
            .retain(|q| request.expiries.accepts(q.contract.expiry));
        pages.insert(0, first);
        let snap = assemble(pages, &symbol, Some(request.as_of))?;
        if snap.quotes.is_empty() {
            return Err(Error::NoData {
                what: "option chain",
                symbol,
                message: "Yahoo lists no contract for the requested expiries".into(),
            });
        }
        Ok(snap)
    }
}

impl HistorySource for Yahoo {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn history(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> Result<PriceHistory> {
        let p1 = from.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
        let p2 = to
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp());
        let (Some(p1), Some(p2)) = (p1, p2) else {
            return Err(Error::invalid(
                "date range",
                format!("{from}..{to}"),
                "valid dates",
            ));
        };
        let url = format!(
            "{}/v8/finance/chart/{}?period1={p1}&period2={p2}&interval=1d&events=div%7Csplit&includePrePost=false",
            self.api,
            encode(&yahoo_symbol(symbol))
        );
        let body = self.http.get_json(&url, &[], symbol)?;
        let mut h = parse_history(&body, symbol)?;
        h.bars.retain(|b| from <= b.date && b.date <= to);
        Ok(h)
    }
}

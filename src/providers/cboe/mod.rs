//! CBOE delayed quotes (`cdn.cboe.com`): keyless, the default chain source.
//!
//! Endpoints, all `GET {base}/api/global/delayed_quotes/…`:
//!
//! | path | what | parser |
//! |---|---|---|
//! | `options/{SYM}.json` | every expiry of the chain plus the underlying | [`parse_chain`] |
//! | `quotes/{SYM}.json` | the underlying, with `iv30` | [`parse_quote`] |
//! | `historical_data/{SYM}.json` | 1-year IV and HV highs and lows | [`parse_vol_ranges`] |
//! | `charts/historical/{SYM}.json` | daily OHLCV | [`parse_history`] |
//!
//! Index symbols take a leading underscore (`_SPX`); see [`cboe_symbol`] and
//! [`INDEX_SYMBOLS`]. Quotes are 15-minute delayed.
//!
//! Units and quirks normalized here:
//!
//! * The expiry, right and strike exist **only inside the OCC symbol** (`option`), which is
//!   parsed with [`OptionContract::parse_occ`]; a row whose symbol does not parse is dropped.
//! * `iv` is decimal; **`iv` = 0.0 means "not solved"** (deep ITM, 0DTE), and then the greeks
//!   (delta 1.0, gamma 0) are placeholders too: both become `None`.
//! * Greeks: delta and gamma per $1 as sent; `vega` is per vol point (× 100 → per 1.00),
//!   `theta` per calendar day (× 365 → per year), `rho` per 1 % of rate (× 100 → per 1.00).
//!   The theta and rho conventions are inferred from recomputation, CBOE does not document
//!   them.
//! * Counts (`open_interest`, `volume`, sizes) arrive as floats (`5.0`) or, for indexes, as
//!   strings: rounded to integers; anything unreadable is `None`.
//! * `iv30` (underlying, quote and chain) is **percent**: divided by 100. The 1-year ranges of
//!   `historical_data` are percent too.
//! * Top-level `timestamp` `"YYYY-MM-DD HH:MM:SS"` has no zone and is **UTC** (it sits 15
//!   minutes after the Eastern `last_trade_time` during the session); it is the snapshot's
//!   as-of, shown in New York time. `last_trade_time` strings are naive **US/Eastern**.
//! * Zero prices mean "none"; NaN or negative prices and crossed quotes drop the row, with the
//!   reason in [`ChainSnapshot::dropped`]. Adjusted contracts (a root such as `AAPL1`, whose
//!   deliverable is not 100 shares) are dropped too, since their price does not follow the
//!   spot.
//! * Daily history: rows with close ≤ 0 (pre-listing rows, index placeholders) are dropped, and
//!   zero open/high/low/volume mean "missing". The newest session lags by one or two days;
//!   [`Cboe`]'s [`HistorySource`] adds it from the quote ([`add_session`]). Whether the series
//!   is split-adjusted is not documented: it is labelled [`Adjustment::Unknown`].

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;

mod fast;

use super::http::{base_or, encode, HttpClient, HttpConfig};
use super::wire::{
    count, from_json, greeks, naive_datetime, new_york, payload, screen_chain, sides, text_only,
    utc_to_new_york, NewYorkDays, Num, ObjectRow, Text, PER_POINT_PER_DAY,
};
use super::{ChainRequest, ChainSource, HistorySource};
use crate::error::{Error, Result};
use crate::model::{
    Adjustment, Bar, ChainSnapshot, OptionContract, PriceHistory, ProviderGreeks, Quote, Underlying,
};

/// Provider name used in errors and in [`ChainSnapshot::source`].
pub const PROVIDER: &str = "cboe";

/// Scheme and host of the CDN.
pub const DEFAULT_BASE_URL: &str = "https://cdn.cboe.com";

/// Underlyings that CBOE files under a leading underscore (`_SPX.json`). The full list is in
/// CBOE's index directory; these are the optionable indexes a covered-call writer meets. Any
/// other index can be requested by passing the underscore explicitly (`_DJX`).
pub const INDEX_SYMBOLS: &[&str] = &[
    "SPX", "XSP", "NDX", "XND", "RUT", "MRUT", "VIX", "DJX", "OEX", "XEO",
];

/// The file name CBOE uses for a symbol: upper case, `^SPX`/`$SPX`/`SPX` → `_SPX` for the
/// indexes in [`INDEX_SYMBOLS`], an explicit `_` kept.
pub fn cboe_symbol(symbol: &str) -> String {
    let s = symbol.trim().to_ascii_uppercase();
    if s.starts_with('_') {
        return s;
    }
    let bare = s.trim_start_matches(['^', '$']);
    if INDEX_SYMBOLS.contains(&bare) {
        format!("_{bare}")
    } else {
        bare.to_string()
    }
}

/// The ticker without CBOE's decoration (`_SPX` → `SPX`).
fn plain_symbol(symbol: &str) -> String {
    symbol
        .trim()
        .trim_start_matches(['_', '^', '$'])
        .to_ascii_uppercase()
}

// ---------------------------------------------------------------------------------------------
// Wire types (private).

#[derive(Deserialize)]
struct Doc<T> {
    timestamp: Text,
    data: Option<T>,
}

#[derive(Deserialize)]
struct WireUnderlying {
    #[serde(default)]
    options: Option<OptionRows>,
    symbol: Text,
    current_price: Num,
    close: Num,
    bid: Num,
    ask: Num,
    open: Num,
    high: Num,
    low: Num,
    volume: Num,
    iv30: Num,
    last_trade_time: Text,
}

#[derive(Deserialize, Default)]
struct WireOption {
    #[serde(default, deserialize_with = "text_only")]
    option: Option<String>,
    bid: Num,
    ask: Num,
    bid_size: Num,
    ask_size: Num,
    iv: Num,
    open_interest: Num,
    volume: Num,
    delta: Num,
    gamma: Num,
    vega: Num,
    theta: Num,
    rho: Num,
    last_trade_price: Num,
    last_trade_time: Text,
}

#[derive(Deserialize)]
struct WireBar {
    date: Text,
    open: Num,
    high: Num,
    low: Num,
    close: Num,
    volume: Num,
}

#[derive(Deserialize, Default)]
struct WireRanges {
    symbol: Text,
    iv30_annual_high: Num,
    iv30_annual_low: Num,
    iv60_annual_high: Num,
    iv60_annual_low: Num,
    iv90_annual_high: Num,
    iv90_annual_low: Num,
    hv30_annual_high: Num,
    hv30_annual_low: Num,
    hv60_annual_high: Num,
    hv60_annual_low: Num,
    hv90_annual_high: Num,
    hv90_annual_low: Num,
}

// ---------------------------------------------------------------------------------------------
// Public parsed types.

/// The underlying's quote from `quotes/{SYM}.json`, with the session it describes.
#[derive(Debug, Clone, PartialEq)]
pub struct CboeQuote {
    /// Last price, bid, ask and IV30 (decimal).
    pub underlying: Underlying,
    /// When the quote is from: the payload's `timestamp` (UTC), else the last trade time.
    pub as_of: DateTime<FixedOffset>,
    /// The session as a daily bar (date of the last trade in New York), when the quote has a
    /// last trade time and a positive price.
    pub session: Option<Bar>,
}

/// A one-year high and low, decimal.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HighLow {
    /// One-year high.
    pub high: Option<f64>,
    /// One-year low.
    pub low: Option<f64>,
}

/// One-year ranges of implied and historical volatility from `historical_data/{SYM}.json`,
/// decimal (CBOE sends percent).
#[derive(Debug, Clone, PartialEq)]
pub struct VolRanges {
    /// Ticker.
    pub symbol: String,
    /// When CBOE produced the file, if it says.
    pub as_of: Option<DateTime<FixedOffset>>,
    /// 30-day constant-maturity IV.
    pub iv30: HighLow,
    /// 60-day IV.
    pub iv60: HighLow,
    /// 90-day IV.
    pub iv90: HighLow,
    /// 30-day historical (realized) volatility.
    pub hv30: HighLow,
    /// 60-day HV.
    pub hv60: HighLow,
    /// 90-day HV.
    pub hv90: HighLow,
}

// ---------------------------------------------------------------------------------------------
// Parsers.

/// When an answer was true: its `timestamp` (UTC), else the underlying's last trade (New
/// York), else an error naming both fields.
fn answer_time(
    timestamp: Option<&str>,
    last_trade: Option<DateTime<FixedOffset>>,
    symbol: &str,
) -> Result<DateTime<FixedOffset>> {
    timestamp
        .and_then(timestamp_utc)
        .or(last_trade)
        .ok_or_else(|| {
            payload(
                PROVIDER,
                symbol,
                "neither `timestamp` nor `data.last_trade_time` is a readable time",
            )
        })
}

fn timestamp_utc(s: &str) -> Option<DateTime<FixedOffset>> {
    naive_datetime(s).map(|n| utc_to_new_york(n.and_utc()))
}

fn eastern(s: Option<&str>) -> Option<DateTime<FixedOffset>> {
    s.and_then(naive_datetime).and_then(new_york)
}

/// Percent → decimal, keeping only positive finite values.
fn pct(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v > 0.0)
        .map(|v| v / 100.0)
        .filter(|v| *v > 0.0)
}

fn positive(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v > 0.0)
}

fn underlying_of(u: &WireUnderlying, symbol: &str) -> Result<Underlying> {
    let last = positive(u.current_price.0)
        .or(positive(u.close.0))
        .ok_or_else(|| {
            payload(
                PROVIDER,
                symbol,
                "data.current_price is missing or not a positive number",
            )
        })?;
    let (bid, ask) = match (positive(u.bid.0), positive(u.ask.0)) {
        (Some(b), Some(a)) if b <= a => (Some(b), Some(a)),
        (b, None) => (b, None),
        (None, a) => (None, a),
        _ => (None, None), // crossed: ignore both
    };
    Ok(Underlying {
        symbol: u
            .symbol
            .0
            .as_deref()
            .map(plain_symbol)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| plain_symbol(symbol)),
        last,
        bid,
        ask,
        iv30: pct(u.iv30.0),
    })
}

/// Whether `root` is an adjusted-contract root of `underlying` (`AAPL1` for `AAPL`).
pub(crate) fn is_adjusted_root(root: &str, underlying: &str) -> bool {
    root != underlying
        && root.starts_with(underlying)
        && root.ends_with(|c: char| c.is_ascii_digit())
}

/// Parse `options/{SYM}.json` into a snapshot of every expiry. `symbol` is the ticker asked
/// for (used when the payload does not name it, and in errors).
pub fn parse_chain(body: &str, symbol: &str) -> Result<ChainSnapshot> {
    chain_of(chain_doc(body, symbol)?, symbol)
}

/// The snapshot a parsed chain document describes.
fn chain_of(doc: Doc<WireUnderlying>, symbol: &str) -> Result<ChainSnapshot> {
    let data = doc
        .data
        .ok_or_else(|| payload(PROVIDER, symbol, "field `data` is missing or null"))?;
    let underlying = underlying_of(&data, symbol)?;
    let as_of = answer_time(
        doc.timestamp.0.as_deref(),
        eastern(data.last_trade_time.0.as_deref()),
        symbol,
    )?;
    let rows = data.options.ok_or_else(|| {
        payload(
            PROVIDER,
            symbol,
            "field `data.options` is missing or not a list",
        )
    })?;
    let (mut quotes, mut dropped) = rows.finish(&underlying.symbol);
    screen_chain(&mut quotes, &mut dropped, &as_of);
    // Counted on the quotes kept, so a duplicate row the screen dropped is not counted.
    // (A CBOE quote has no provider IV exactly when CBOE's `iv` was 0 or missing.)
    let unsolved = quotes.iter().filter(|q| q.provider_iv.is_none()).count();
    let mut notes = Vec::new();
    if unsolved > 0 {
        notes.push(format!(
            "CBOE left IV unsolved (iv = 0) on {unsolved} of {} contracts; their provider IV \
             and greeks are ignored",
            quotes.len()
        ));
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

/// The chain document: its option rows by the fast scanner ([`fast`]) and the rest by serde
/// where the document is of the plain shape that scanner reads, all of it by serde otherwise
/// (and whenever the rest does not parse, so that an error names its line and column in the
/// document as sent).
fn chain_doc(body: &str, symbol: &str) -> Result<Doc<WireUnderlying>> {
    doc_with(body, symbol, fast::scan(body))
}

/// [`chain_doc`] with the fast scanner's reading of `body` (if it read it) given.
fn doc_with(
    body: &str,
    symbol: &str,
    scanned: Option<fast::Scanned>,
) -> Result<Doc<WireUnderlying>> {
    if let Some(scanned) = scanned {
        let mut rest = String::with_capacity(body.len() - (scanned.close - scanned.open));
        rest.push_str(&body[..scanned.open]);
        rest.push_str(&body[scanned.close..]);
        if let Ok(mut doc) = serde_json::from_str::<Doc<WireUnderlying>>(&rest) {
            if let Some(data) = doc.data.as_mut() {
                if data.options.as_ref().is_some_and(OptionRows::is_empty) {
                    data.options = Some(scanned.rows);
                    return Ok(doc);
                }
            }
        }
    }
    from_json(PROVIDER, symbol, "option chain", body)
}

/// The option rows of a chain, each turned into a quote (or a reason to drop it) as it is
/// read, so the wire rows are never all held at once (a 5,000-row chain's wire rows are a
/// couple of megabytes, and their pages cost more to touch than to parse).
///
/// Whether a root is an adjusted one depends on the underlying's symbol, which may come after
/// the rows in the document: rows whose root ends in a digit (the only roots that can be
/// adjusted) are kept aside and settled in [`OptionRows::finish`].
#[derive(Default)]
struct OptionRows {
    quotes: Vec<Quote>,
    /// (row, reason) for rows dropped, in row order.
    dropped: Vec<(usize, Dropped)>,
    /// Rows whose root may be an adjusted one: (row, symbol, root, index in `quotes` or the
    /// reason the row was dropped anyway).
    maybe_adjusted: Vec<(usize, String, String, std::result::Result<usize, String>)>,
    /// The last-trade times' day in New York.
    days: NewYorkDays,
}

impl<'de> Deserialize<'de> for OptionRows {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OptionRows;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of option records")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<OptionRows, A::Error> {
                let mut rows = OptionRows::default();
                let mut i = 0usize;
                while let Some(row) = a.next_element::<ObjectRow<WireOption>>()? {
                    rows.push(i, row);
                    i += 1;
                }
                Ok(rows)
            }
        }
        d.deserialize_seq(V)
    }
}

impl OptionRows {
    /// Room for `n` more quotes.
    fn reserve(&mut self, n: usize) {
        self.quotes.reserve(n);
    }

    /// Whether no row was read.
    fn is_empty(&self) -> bool {
        self.quotes.is_empty() && self.dropped.is_empty() && self.maybe_adjusted.is_empty()
    }

    fn push(&mut self, i: usize, row: ObjectRow<WireOption>) {
        match row {
            ObjectRow::Object(mut o) => {
                let symbol = o.option.take();
                let last_trade = o.last_trade_time.0.take();
                self.push_fields(i, &o, symbol.as_deref(), last_trade.as_deref());
            }
            _ => self.push_fields(i, &WireOption::default(), None, None),
        }
    }

    /// One row: its numbers in `o`, its symbol and last-trade time apart (borrowed from the
    /// document where the row scanner read them; `o`'s own are not read).
    fn push_fields(
        &mut self,
        i: usize,
        o: &WireOption,
        symbol: Option<&str>,
        last_trade: Option<&str>,
    ) {
        let Some(symbol) = symbol else {
            self.dropped.push((i, Dropped::NoSymbol));
            return;
        };
        let contract = match OptionContract::parse_occ(symbol) {
            Ok(c) => c,
            Err(e) => {
                self.dropped.push((i, Dropped::Because(e.to_string())));
                return;
            }
        };
        let digit_root = contract.root.ends_with(|c: char| c.is_ascii_digit());
        let aside = digit_root.then(|| (symbol.to_string(), contract.root.clone()));
        let last_trade = last_trade
            .and_then(naive_datetime)
            .and_then(|t| self.days.local(t));
        let outcome = option_quote(o, symbol, last_trade, contract);
        match (outcome, aside) {
            (Ok(q), None) => self.quotes.push(q),
            (Err(reason), None) => self.dropped.push((i, Dropped::Because(reason))),
            (Ok(q), Some((sym, root))) => {
                self.maybe_adjusted
                    .push((i, sym, root, Ok(self.quotes.len())));
                self.quotes.push(q);
            }
            (Err(reason), Some((sym, root))) => {
                self.maybe_adjusted.push((i, sym, root, Err(reason)))
            }
        }
    }

    /// The quotes and the reasons rows were dropped (in row order), once the underlying's
    /// symbol is known.
    fn finish(mut self, underlying: &str) -> (Vec<Quote>, Vec<String>) {
        let mut adjusted: Vec<usize> = Vec::new();
        let settled = !self.maybe_adjusted.is_empty();
        for (i, symbol, root, outcome) in self.maybe_adjusted {
            if is_adjusted_root(&root, underlying) {
                self.dropped.push((
                    i,
                    Dropped::Because(format!(
                        "{symbol}: adjusted contract (root {root}), deliverable is not 100 shares"
                    )),
                ));
                if let Ok(k) = outcome {
                    adjusted.push(k);
                }
            } else if let Err(reason) = outcome {
                self.dropped.push((i, Dropped::Because(reason)));
            }
        }
        if settled {
            self.dropped.sort_by_key(|(i, _)| *i);
        }
        if !adjusted.is_empty() {
            let mut keep = vec![true; self.quotes.len()];
            for k in adjusted {
                keep[k] = false;
            }
            let mut flags = keep.iter();
            self.quotes
                .retain(|_| flags.next().copied().unwrap_or(true));
        }
        let dropped = self
            .dropped
            .into_iter()
            .map(|(i, r)| match r {
                Dropped::NoSymbol => {
                    format!("row {i}: not an option record (no `option` symbol)")
                }
                Dropped::Because(reason) => reason,
            })
            .collect();
        (self.quotes, dropped)
    }

    /// The rows `later` read after the `rows_before` rows read here, as if read here: its row
    /// numbers moved up by `rows_before`, its quote indices by the quotes here.
    fn append(&mut self, later: OptionRows, rows_before: usize) {
        let quotes_before = self.quotes.len();
        self.quotes.extend(later.quotes);
        self.dropped
            .extend(later.dropped.into_iter().map(|(i, r)| (i + rows_before, r)));
        self.maybe_adjusted
            .extend(
                later
                    .maybe_adjusted
                    .into_iter()
                    .map(|(i, symbol, root, outcome)| {
                        (
                            i + rows_before,
                            symbol,
                            root,
                            outcome.map(|k| k + quotes_before),
                        )
                    }),
            );
    }
}

/// Why a row was dropped; a row's number is written into its reason only once the rows are
/// all read, since the rows after a cut (see `fast::scan_split`) are numbered from it.
enum Dropped {
    /// Not an option record (no `option` symbol).
    NoSymbol,
    Because(String),
}

/// A row with a parsed contract, as a quote.
fn option_quote(
    o: &WireOption,
    symbol: &str,
    last_trade: Option<DateTime<FixedOffset>>,
    contract: OptionContract,
) -> std::result::Result<Quote, String> {
    let s = sides(
        o.bid.0,
        o.ask.0,
        o.bid_size.0,
        o.ask_size.0,
        o.last_trade_price.0,
    )
    .map_err(|r| format!("{symbol}: {r}"))?;
    let iv = o.iv.0.filter(|v| v.is_finite() && *v > 0.0);
    let provider_greeks = if iv.is_none() {
        None
    } else {
        greeks(
            ProviderGreeks {
                delta: o.delta.0,
                gamma: o.gamma.0,
                vega: o.vega.0,
                theta: o.theta.0,
                rho: o.rho.0,
            },
            PER_POINT_PER_DAY,
        )
    };
    let mut q = Quote::new(contract, s.bid, s.ask);
    q.bid_size = s.bid_size;
    q.ask_size = s.ask_size;
    q.last = s.last;
    q.volume = count(o.volume.0);
    q.open_interest = count(o.open_interest.0);
    q.last_trade = last_trade;
    q.provider_iv = iv;
    q.provider_greeks = provider_greeks;
    Ok(q)
}

/// Parse `quotes/{SYM}.json`.
pub fn parse_quote(body: &str, symbol: &str) -> Result<CboeQuote> {
    let doc: Doc<WireUnderlying> = from_json(PROVIDER, symbol, "quote", body)?;
    let data = doc
        .data
        .ok_or_else(|| payload(PROVIDER, symbol, "field `data` is missing or null"))?;
    let underlying = underlying_of(&data, symbol)?;
    let last_trade = eastern(data.last_trade_time.0.as_deref());
    let as_of = answer_time(doc.timestamp.0.as_deref(), last_trade, symbol)?;
    let session = last_trade.map(|t| Bar {
        date: t.date_naive(),
        open: positive(data.open.0),
        high: positive(data.high.0),
        low: positive(data.low.0),
        close: underlying.last,
        volume: count(data.volume.0).filter(|v| *v > 0),
    });
    Ok(CboeQuote {
        underlying,
        as_of,
        session,
    })
}

/// Parse `historical_data/{SYM}.json` (fields under `data`, or at the top level).
pub fn parse_vol_ranges(body: &str, symbol: &str) -> Result<VolRanges> {
    let value: serde_json::Value = from_json(PROVIDER, symbol, "IV/HV ranges", body)?;
    let timestamp = value
        .get("timestamp")
        .and_then(|v| v.as_str())
        .and_then(timestamp_utc);
    let inner = match value.get("data") {
        Some(d) if d.is_object() => d.clone(),
        Some(serde_json::Value::Array(a)) if a.first().is_some_and(|x| x.is_object()) => {
            a[0].clone()
        }
        _ => value.clone(),
    };
    let w: WireRanges = serde_json::from_value(inner).map_err(|e| {
        payload(
            PROVIDER,
            symbol,
            format!("IV/HV ranges: unexpected shape: {e}"),
        )
    })?;
    let hl = |h: Option<f64>, l: Option<f64>| HighLow {
        high: pct(h),
        low: pct(l),
    };
    let r = VolRanges {
        symbol: w
            .symbol
            .0
            .as_deref()
            .map(plain_symbol)
            .unwrap_or_else(|| plain_symbol(symbol)),
        as_of: timestamp,
        iv30: hl(w.iv30_annual_high.0, w.iv30_annual_low.0),
        iv60: hl(w.iv60_annual_high.0, w.iv60_annual_low.0),
        iv90: hl(w.iv90_annual_high.0, w.iv90_annual_low.0),
        hv30: hl(w.hv30_annual_high.0, w.hv30_annual_low.0),
        hv60: hl(w.hv60_annual_high.0, w.hv60_annual_low.0),
        hv90: hl(w.hv90_annual_high.0, w.hv90_annual_low.0),
    };
    if r.iv30 == HighLow::default() && r.hv30 == HighLow::default() {
        return Err(payload(
            PROVIDER,
            symbol,
            "IV/HV ranges: no `iv30_annual_high/low` or `hv30_annual_high/low`",
        ));
    }
    Ok(r)
}

/// Parse `charts/historical/{SYM}.json`: `{"data": [{"date", "open", "high", "low", "close",
/// "volume"}, …]}`. Rows with a close ≤ 0 or an unreadable date are left out.
pub fn parse_history(body: &str, symbol: &str) -> Result<PriceHistory> {
    #[derive(Deserialize)]
    struct HistDoc {
        symbol: Text,
        data: Option<Vec<ObjectRow<WireBar>>>,
    }
    let doc: HistDoc = from_json(PROVIDER, symbol, "daily history", body)?;
    let rows = doc.data.ok_or_else(|| {
        payload(
            PROVIDER,
            symbol,
            "daily history: field `data` is missing or not a list",
        )
    })?;
    let mut bars = Vec::with_capacity(rows.len());
    for row in rows {
        let ObjectRow::Object(b) = row else { continue };
        let Some(date) = b
            .date
            .0
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok())
        else {
            continue;
        };
        let Some(close) = positive(b.close.0) else {
            continue;
        };
        bars.push(Bar {
            date,
            open: positive(b.open.0),
            high: positive(b.high.0),
            low: positive(b.low.0),
            close,
            volume: count(b.volume.0).filter(|v| *v > 0),
        });
    }
    let name = doc
        .symbol
        .0
        .as_deref()
        .map(plain_symbol)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| plain_symbol(symbol));
    Ok(PriceHistory::new(name, Adjustment::Unknown, bars))
}

/// Append the quote's session to a history whose newest bar is older (CBOE's daily file lags
/// by a session or two). Returns whether a bar was added.
pub fn add_session(history: &mut PriceHistory, quote: &CboeQuote) -> bool {
    let Some(bar) = quote.session else {
        return false;
    };
    if history.bars.last().is_some_and(|b| b.date >= bar.date) {
        return false;
    }
    history.bars.push(bar);
    true
}

// ---------------------------------------------------------------------------------------------
// The network source.

/// The CBOE source: chains, quotes, IV/HV ranges and daily history.
#[derive(Debug, Clone)]
pub struct Cboe {
    http: HttpClient,
    base: String,
}

impl Cboe {
    /// A CBOE source. `base_url` replaces `https://cdn.cboe.com` (scheme and host, e.g.
    /// `http://127.0.0.1:8080`); the paths stay CBOE's.
    pub fn new(base_url: Option<&str>, config: HttpConfig) -> Result<Self> {
        let http = HttpClient::new(PROVIDER, config)?.with_unauthorized_hint(
            "CBOE's CDN blocked the request (it does this to automated clients at times); \
             wait and retry later, or use another --source",
        );
        Ok(Cboe {
            http,
            base: base_or(base_url, DEFAULT_BASE_URL),
        })
    }

    /// Read the time and wait through `clock` (tests: see [`super::clock`]).
    pub fn with_clock(mut self, clock: std::sync::Arc<dyn super::clock::Clock>) -> Self {
        self.http = self.http.with_clock(clock);
        self
    }

    fn url(&self, kind: &str, symbol: &str) -> String {
        format!(
            "{}/api/global/delayed_quotes/{kind}/{}.json",
            self.base,
            encode(&cboe_symbol(symbol))
        )
    }

    fn get(&self, kind: &str, symbol: &str) -> Result<String> {
        self.http.get_json(&self.url(kind, symbol), &[], symbol)
    }

    /// The underlying's quote (with IV30).
    pub fn quote(&self, symbol: &str) -> Result<CboeQuote> {
        parse_quote(&self.get("quotes", symbol)?, symbol)
    }

    /// One-year IV and HV ranges.
    pub fn vol_ranges(&self, symbol: &str) -> Result<VolRanges> {
        parse_vol_ranges(&self.get("historical_data", symbol)?, symbol)
    }
}

impl ChainSource for Cboe {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    /// One request returns every expiry; the filter is applied afterwards.
    fn chain(&self, request: &ChainRequest) -> Result<ChainSnapshot> {
        let body = self.get("options", &request.symbol)?;
        let mut snap = parse_chain(&body, &request.symbol)?;
        snap.quotes
            .retain(|q| request.expiries.accepts(q.contract.expiry));
        if snap.quotes.is_empty() {
            return Err(Error::NoData {
                what: "option chain",
                symbol: request.symbol.clone(),
                message: "CBOE lists no usable contract for the requested expiries".into(),
            });
        }
        Ok(snap)
    }
}

impl HistorySource for Cboe {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    /// The daily file, plus the latest session from the quote when the file lags (a failed
    /// quote request is not fatal: the history is returned without it).
    fn history(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> Result<PriceHistory> {
        let body = self.get("charts/historical", symbol)?;
        let mut h = parse_history(&body, symbol)?;
        if h.bars.last().is_none_or(|b| b.date < to) {
            if let Ok(q) = self.quote(symbol) {
                add_session(&mut h, &q);
            }
        }
        h.bars.retain(|b| from <= b.date && b.date <= to);
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chain as serde alone reads it (the path before the fast scanner).
    fn by_serde(body: &str) -> String {
        let r = from_json(PROVIDER, "NVDA", "option chain", body).and_then(|d| chain_of(d, "NVDA"));
        format!("{r:?}")
    }

    fn by_default_path(body: &str) -> String {
        format!("{:?}", parse_chain(body, "NVDA"))
    }

    /// The chain read with the option list cut for two threads at the first row start from
    /// `from`, and how many rows the scanner read by the layout of the row before (`None`
    /// where it left the document to serde).
    fn by_split(body: &str, from: usize) -> (String, Option<usize>) {
        let scanned = fast::scan_split(body, |_, _| Some(from));
        let by_layout = scanned.as_ref().map(|s| s.by_layout);
        let r = doc_with(body, "NVDA", scanned).and_then(|d| chain_of(d, "NVDA"));
        (format!("{r:?}"), by_layout)
    }

    /// Rows with every quirk the lenient wire types accept.
    const QUIRKS: &str = r#"{"timestamp": "2026-11-16 15:30:00", "data": {"options": [
 {"option": "NVDA261120C00060000", "bid": 124.83, "bid_size": 115.0, "ask": 125.63, "ask_size": 160, "iv": 0.8183, "open_interest": 108.0, "volume": 3.0, "delta": 1.0000, "gamma": 0.0000, "vega": 0.0000, "theta": -0.0065, "rho": 0.0069, "theo": 125.2274, "tick": "up", "last_trade_price": 127.45, "last_trade_time": "2026-11-16T09:24:32", "percent_change": 4.905754},
 {"option": "NVDA261120P00060000", "bid": 0, "bid_size": 250.0, "ask": "0.01", "ask_size": " ", "iv": 0, "open_interest": null, "volume": true, "delta": -0, "gamma": "", "vega": 1e-3, "theta": -2.5E-3, "rho": "n/a", "last_trade_price": 0.01, "last_trade_time": null},
 {"option": "NVDA1261120C00100000", "bid": 80.1, "ask": 80.9, "iv": 0.5},
 {"option": "NVDA261120C00100000", "bid": 86.1, "ask": 85.9, "iv": 0.5, "delta": 0.99},
 {"option": "NVDA261120C00110000", "bid": 75.1, "ask": 75.9, "iv": 123456789012345678901234567890, "delta": 0.1234567890123456789},
 {"option": 5, "bid": 1, "ask": 2},
 {"bid": 1, "ask": 2},
 {},
 {"option": "BADSYMBOL", "bid": 1, "ask": 2},
 {"option": "NVDA261120C00100000", "bid": 86.1, "ask": 86.5, "iv": 0.5, "delta": 0.99},
 {"option": "NVDA261218C00190000", "bid": 8.15, "ask": 8.35, "bid_size": 12, "ask_size": 30, "iv": 0.47, "volume": 1200, "open_interest": 5300, "last_trade_price": 8.25, "last_trade_time": "2026-11-16T10:29:58"},
 {"option": "NVDA261218P00190000", "bid": 2.15, "ask": 2.35, "bid_size": 10, "ask_size": 20, "iv": 0.45, "volume": 900, "open_interest": 4100, "last_trade_price": 2.25, "last_trade_time": "2026-11-16T10:29:57"},
 {"option": "NVDA261218C00200000", "bid": 5.15, "ask": 5.35, "bid_size": 11, "ask_size": 21, "iv": 0.44, "volume": 800, "open_interest": 3100, "last_trade_price": "5.25", "last_trade_time": null},
 {"option": "NVDA261218P00200000", "bid": 7.15, "ask":  7.35, "bid_size": 12, "ask_size": 22, "iv": 0.43, "volume": 700, "open_interest": 2100, "last_trade_price": 7.25, "last_trade_time": "2026-11-16T10:29:56"},
 {"option": "NVDA261218C00210000", "bid": 3.15, "ask": 3.35, "bid_size": 13, "ask_size": 23, "iv": 0.42, "volume": 600, "open_interest": 1100, "last_trade_price": 3.25, "last_trade_time": "2026-11-16T10:29:55"}
], "symbol": "NVDA", "current_price": 185.2, "bid": 185.19, "ask": 185.21, "iv30": 48.0, "last_trade_time": "2026-11-16T10:29:59"}}"#;

    #[test]
    fn the_fast_path_reads_what_serde_reads() {
        let scanned = fast::scan(QUIRKS).expect("the quirks are in the plain shape");
        // Three rows were read by the layout of the row before: the two after the first
        // row of the December strip, and the 110 call after the 100 call of the same keys.
        // The row spaced apart, and the row after it, were read by their keys.
        assert_eq!(scanned.by_layout, 3);
        let want = by_serde(QUIRKS);
        assert!(want.starts_with("Ok("), "{want}");
        assert_eq!(by_default_path(QUIRKS), want);
    }

    /// A list cut at any place reads as one reading: rows dropped, kept aside as maybe
    /// adjusted and numbered in their reasons on both sides of the cut, and cuts that fall
    /// inside a string that looks like a row start (`, {`), in a row or before the list.
    #[test]
    fn a_list_cut_anywhere_reads_as_read_on_one_thread() {
        let in_a_row = QUIRKS.replace(r#""tick": "up""#, r#""tick": "up, {\"option\": 1}""#);
        assert!(in_a_row.contains(r#", {\"option"#));
        let plain_in_a_row = QUIRKS.replace(r#""tick": "up""#, r#""tick": "up, {""#);
        let before = QUIRKS.replace(
            r#"{"timestamp": "2026-11-16 15:30:00","#,
            r#"{"timestamp": "2026-11-16 15:30:00", "note": "a, {b", "#,
        );
        let mut joined = 0;
        for body in [QUIRKS, &plain_in_a_row, &before, &in_a_row] {
            let want = by_serde(body);
            assert!(want.starts_with("Ok("), "{want}");
            for from in 0..=body.len() + 1 {
                let (got, by_layout) = by_split(body, from);
                assert_eq!(got, want, "cut from byte {from} of {body}");
                // The three rows read by layout on one thread; one fewer where the cut is
                // at one of them (it is read by its keys on the second thread).
                if body != in_a_row {
                    assert!(matches!(by_layout, Some(2 | 3)), "{from}: {by_layout:?}");
                }
                joined += usize::from(by_layout == Some(2));
            }
        }
        // Cuts at the three rows read by layout, from every byte of the row before them.
        assert!(joined > 3 * 200, "{joined} cuts at a row read by layout");
    }

    /// Every way of breaking the document (cut short, a byte dropped, a byte or a token put
    /// in) gives the same snapshot or the same error, line and column, on both paths.
    #[test]
    fn broken_documents_read_alike_on_both_paths() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let tokens = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\\",
            "-",
            "0",
            "e",
            ".",
            "null",
            " ",
            "\n",
            "\"bid\": 1, ",
            "\"option\": ",
            "{\"a\": 1}",
            "1e999",
            "é",
            "\\u0041",
            "\t",
        ];
        let bytes = QUIRKS.as_bytes();
        let mut fast_taken = 0;
        for round in 0..3000 {
            let at = next(bytes.len());
            let mut b: Vec<u8> = match round % 4 {
                0 => bytes[..at].to_vec(),
                1 => [&bytes[..at], &bytes[(at + 1).min(bytes.len())..]].concat(),
                2 => [
                    &bytes[..at],
                    tokens[next(tokens.len())].as_bytes(),
                    &bytes[at..],
                ]
                .concat(),
                _ => {
                    let mut v = bytes.to_vec();
                    let swaps = b" ,:{}[]\"0-.e9n";
                    v[at] = swaps[next(swaps.len())];
                    v
                }
            };
            // Keep the mutant text (a cut through `é` is not a str).
            while std::str::from_utf8(&b).is_err() {
                b.pop();
            }
            let body = std::str::from_utf8(&b).unwrap_or_default();
            if fast::scan(body).is_some() {
                fast_taken += 1;
            }
            let want = by_serde(body);
            assert_eq!(by_default_path(body), want, "mutant {round}: {body}");
            let from = next(body.len() + 1);
            assert_eq!(
                by_split(body, from).0,
                want,
                "mutant {round} cut from {from}"
            );
        }
        // The comparison means something only if many mutants went the fast way.
        assert!(fast_taken > 300, "{fast_taken} mutants scanned");
    }
}

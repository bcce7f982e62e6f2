//! Tradier market data (`api.tradier.com`, or `sandbox.tradier.com`): needs a Bearer token.
//!
//! Endpoints, all `GET {base}/v1/markets/…` with `Authorization: Bearer <token>` and
//! `Accept: application/json` (without it Tradier answers XML):
//!
//! | path | what | parser |
//! |---|---|---|
//! | `options/expirations?symbol=&includeAllRoots=true` | the expiry dates | [`parse_expirations`] |
//! | `options/chains?symbol=&expiration=&greeks=true` | one expiry, with ORATS greeks | [`parse_chain_quotes`] |
//! | `quotes?symbols=` | the underlying | [`parse_quote`] |
//! | `history?symbol=&interval=daily&start=&end=` | daily OHLCV | [`parse_history`] |
//!
//! The token is passed in by the caller (the library reads no environment) and never appears
//! in an error, a `Debug` output or a URL.
//!
//! Units and quirks normalized here:
//!
//! * **One result is an object, not a list** (`quotes.quote`, `options.option`,
//!   `expirations.date`, `history.day`), and an empty answer is `null` (`{"options": null}`).
//! * Greeks are nested under `greeks` and may be `null`. Delta and gamma per $1 as sent;
//!   vega per vol point (× 100), theta per calendar day (× 365), rho per 1 % of rate (× 100).
//!   The provider IV is `mid_iv` (the IV of the mid), else ORATS' smoothed `smv_vol`; zero is
//!   "none". Greeks are refreshed hourly by ORATS.
//! * `trade_date`, `bid_date`, `ask_date` are **epoch milliseconds**; 0 means "never".
//! * A chain answer carries no spot and no snapshot time. The as-of instant is the latest of
//!   the quote and option bid/ask/trade times; [`parse_chain`] takes the underlying from the
//!   caller. A raw chain payload alone therefore cannot make a snapshot; [`parse_combined`]
//!   accepts a document holding both the `quotes` answer and the `options` answer.
//! * History dates are ISO; Tradier does not say how the series is adjusted:
//!   [`Adjustment::Unknown`].

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;

use super::cboe::is_adjusted_root;
use super::http::{base_or, encode, HttpClient, HttpConfig};
use super::wire::{
    count, epoch_int, epoch_ms, from_json, greeks, payload, screen_chain, sides, MaybeRow, Num,
    OneOrMany, Text, PER_POINT_PER_DAY,
};
use super::{ChainRequest, ChainSource, HistorySource};
use crate::error::{Error, Result};
use crate::model::{
    Adjustment, Bar, ChainSnapshot, OptionContract, PriceHistory, ProviderGreeks, Quote, Right,
    Underlying,
};

/// Provider name used in errors and in [`ChainSnapshot::source`].
pub const PROVIDER: &str = "tradier";

/// Production host.
pub const DEFAULT_BASE_URL: &str = "https://api.tradier.com";

/// Sandbox host (15-minute delayed data, sandbox tokens).
pub const SANDBOX_BASE_URL: &str = "https://sandbox.tradier.com";

// ---------------------------------------------------------------------------------------------
// Wire types (private).

#[derive(Deserialize)]
struct ExpDoc {
    expirations: Option<ExpInner>,
}

#[derive(Deserialize)]
struct ExpInner {
    date: Option<OneOrMany<String>>,
    expiration: Option<OneOrMany<ExpObj>>,
}

#[derive(Deserialize)]
struct ExpObj {
    date: String,
}

#[derive(Deserialize)]
struct QuotesDoc {
    quotes: Option<QuotesInner>,
}

#[derive(Deserialize)]
struct QuotesInner {
    quote: Option<OneOrMany<MaybeRow<WireQuote>>>,
    unmatched_symbols: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct WireQuote {
    symbol: Text,
    last: Num,
    close: Num,
    prevclose: Num,
    bid: Num,
    ask: Num,
    trade_date: Num,
    bid_date: Num,
    ask_date: Num,
}

#[derive(Deserialize)]
struct ChainDoc {
    options: Option<ChainInner>,
}

#[derive(Deserialize)]
struct ChainInner {
    option: Option<OneOrMany<MaybeRow<WireOption>>>,
}

#[derive(Deserialize)]
struct WireOption {
    symbol: String,
    bid: Num,
    ask: Num,
    bidsize: Num,
    asksize: Num,
    last: Num,
    volume: Num,
    open_interest: Num,
    contract_size: Num,
    trade_date: Num,
    bid_date: Num,
    ask_date: Num,
    underlying: Text,
    strike: Num,
    expiration_date: Text,
    option_type: Text,
    #[serde(default)]
    greeks: Option<WireGreeks>,
}

#[derive(Deserialize)]
struct WireGreeks {
    delta: Num,
    gamma: Num,
    theta: Num,
    vega: Num,
    rho: Num,
    mid_iv: Num,
    smv_vol: Num,
}

#[derive(Deserialize)]
struct HistDoc {
    history: Option<HistInner>,
}

#[derive(Deserialize)]
struct HistInner {
    day: Option<OneOrMany<MaybeRow<WireDay>>>,
}

#[derive(Deserialize)]
struct WireDay {
    date: Text,
    open: Num,
    high: Num,
    low: Num,
    close: Num,
    volume: Num,
}

// ---------------------------------------------------------------------------------------------
// Parsed types and parsers.

/// The underlying from `markets/quotes`.
#[derive(Debug, Clone, PartialEq)]
pub struct TradierQuote {
    /// Last price (else the close, else the previous close), bid and ask. No IV30.
    pub underlying: Underlying,
    /// The latest of the trade, bid and ask times, if any is given.
    pub as_of: Option<DateTime<FixedOffset>>,
}

/// The contracts of one `options/chains` answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChainPart {
    /// Normalized quotes.
    pub quotes: Vec<Quote>,
    /// Rows dropped, with the reason.
    pub dropped: Vec<String>,
    /// The latest bid/ask/trade time among the contracts.
    pub latest: Option<DateTime<FixedOffset>>,
}

fn positive(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v > 0.0)
}

fn latest_ms(values: &[Option<f64>]) -> Option<DateTime<FixedOffset>> {
    values
        .iter()
        .filter_map(|v| epoch_int(*v))
        .max()
        .and_then(epoch_ms)
}

fn max_time(
    a: Option<DateTime<FixedOffset>>,
    b: Option<DateTime<FixedOffset>>,
) -> Option<DateTime<FixedOffset>> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y > x { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Parse `markets/options/expirations`, in either of its shapes (`date` list, or
/// `expiration` objects). Returns the dates ascending; an empty list when Tradier has none.
pub fn parse_expirations(body: &str, symbol: &str) -> Result<Vec<NaiveDate>> {
    let doc: ExpDoc = from_json(PROVIDER, symbol, "expirations", body)?;
    let Some(inner) = doc.expirations else {
        return Ok(Vec::new());
    };
    let raw: Vec<String> = match (inner.date, inner.expiration) {
        (Some(d), _) => d.into_vec(),
        (None, Some(e)) => e.into_vec().into_iter().map(|x| x.date).collect(),
        (None, None) => Vec::new(),
    };
    let mut dates = Vec::with_capacity(raw.len());
    for s in raw {
        let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            payload(
                PROVIDER,
                symbol,
                format!("expirations.date: {s:?} is not YYYY-MM-DD"),
            )
        })?;
        dates.push(d);
    }
    dates.sort_unstable();
    dates.dedup();
    Ok(dates)
}

/// Parse `markets/quotes` for one symbol (the first quote when several are present).
pub fn parse_quote(body: &str, symbol: &str) -> Result<TradierQuote> {
    let doc: QuotesDoc = from_json(PROVIDER, symbol, "quote", body)?;
    quote_from(doc.quotes, symbol)
}

fn quote_from(inner: Option<QuotesInner>, symbol: &str) -> Result<TradierQuote> {
    let inner = inner.ok_or_else(|| payload(PROVIDER, symbol, "field `quotes` is missing"))?;
    let quotes: Vec<WireQuote> = inner
        .quote
        .map(OneOrMany::into_vec)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| match r {
            MaybeRow::Good(q) => Some(q),
            MaybeRow::Bad(_) => None,
        })
        .collect();
    let wanted = symbol.trim().to_ascii_uppercase();
    let q = match quotes
        .iter()
        .position(|q| q.symbol.0.as_deref().map(str::to_ascii_uppercase) == Some(wanted.clone()))
    {
        Some(i) => quotes.into_iter().nth(i),
        None => quotes.into_iter().next(),
    };
    let Some(q) = q else {
        return Err(match inner.unmatched_symbols {
            Some(_) => Error::UnknownSymbol {
                provider: PROVIDER,
                symbol: symbol.to_string(),
                detail: "listed under `unmatched_symbols`".into(),
            },
            None => payload(PROVIDER, symbol, "`quotes.quote` is missing or empty"),
        });
    };
    let last = positive(q.last.0)
        .or(positive(q.close.0))
        .or(positive(q.prevclose.0))
        .ok_or_else(|| {
            payload(
                PROVIDER,
                symbol,
                "quotes.quote: `last`, `close` and `prevclose` are all missing",
            )
        })?;
    let (bid, ask) = match (positive(q.bid.0), positive(q.ask.0)) {
        (Some(b), Some(a)) if b > a => (None, None),
        other => other,
    };
    Ok(TradierQuote {
        underlying: Underlying {
            symbol: q.symbol.0.map(|s| s.to_ascii_uppercase()).unwrap_or(wanted),
            last,
            bid,
            ask,
            iv30: None,
        },
        as_of: latest_ms(&[q.trade_date.0, q.bid_date.0, q.ask_date.0]),
    })
}

/// Parse one `markets/options/chains` answer into quotes. `{"options": null}` gives an empty
/// part, not an error.
pub fn parse_chain_quotes(body: &str, symbol: &str) -> Result<ChainPart> {
    let doc: ChainDoc = from_json(PROVIDER, symbol, "option chain", body)?;
    Ok(chain_part(doc.options, symbol))
}

fn chain_part(options: Option<ChainInner>, symbol: &str) -> ChainPart {
    let rows = options
        .and_then(|o| o.option)
        .map(OneOrMany::into_vec)
        .unwrap_or_default();
    let underlying = symbol.trim().to_ascii_uppercase();
    let mut part = ChainPart::default();
    for (i, row) in rows.into_iter().enumerate() {
        let o = match row {
            MaybeRow::Good(o) => o,
            MaybeRow::Bad(_) => {
                part.dropped
                    .push(format!("row {i}: not an option record (no `symbol`)"));
                continue;
            }
        };
        let under = o
            .underlying
            .0
            .as_deref()
            .map(str::to_ascii_uppercase)
            .unwrap_or_else(|| underlying.clone());
        match option_quote(&o, &under) {
            Ok(q) => {
                part.latest = max_time(
                    part.latest,
                    latest_ms(&[o.trade_date.0, o.bid_date.0, o.ask_date.0]),
                );
                part.quotes.push(q);
            }
            Err(reason) => part.dropped.push(reason),
        }
    }
    part
}

fn option_quote(o: &WireOption, underlying: &str) -> std::result::Result<Quote, String> {
    let contract = OptionContract::parse_occ(&o.symbol).map_err(|e| e.to_string())?;
    // The symbol is authoritative; a disagreeing strike, expiry or type is a bad row.
    if let Some(k) = o.strike.0 {
        if (k - contract.strike).abs() > 1e-6 {
            return Err(format!(
                "{}: strike {k} disagrees with the symbol's {}",
                o.symbol, contract.strike
            ));
        }
    }
    if let Some(d) = o.expiration_date.0.as_deref() {
        if NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok() != Some(contract.expiry) {
            return Err(format!(
                "{}: expiration_date {d:?} disagrees with the symbol's {}",
                o.symbol, contract.expiry
            ));
        }
    }
    if let Some(t) = o.option_type.0.as_deref() {
        if t.parse::<Right>().ok() != Some(contract.right) {
            return Err(format!(
                "{}: option_type {t:?} disagrees with the symbol",
                o.symbol
            ));
        }
    }
    if is_adjusted_root(&contract.root, underlying) {
        return Err(format!(
            "{}: adjusted contract (root {}), deliverable is not 100 shares",
            o.symbol, contract.root
        ));
    }
    let s = sides(o.bid.0, o.ask.0, o.bidsize.0, o.asksize.0, o.last.0)
        .map_err(|r| format!("{}: {r}", o.symbol))?;
    let mut q = Quote::new(contract, s.bid, s.ask);
    q.bid_size = s.bid_size;
    q.ask_size = s.ask_size;
    q.last = s.last;
    q.volume = count(o.volume.0);
    q.open_interest = count(o.open_interest.0);
    q.last_trade = epoch_int(o.trade_date.0).and_then(epoch_ms);
    q.multiplier = count(o.contract_size.0)
        .filter(|m| *m > 0 && *m <= u32::MAX as u64)
        .map(|m| m as u32)
        .unwrap_or(100);
    if let Some(g) = &o.greeks {
        q.provider_iv = positive(g.mid_iv.0).or(positive(g.smv_vol.0));
        q.provider_greeks = greeks(
            ProviderGreeks {
                delta: g.delta.0,
                gamma: g.gamma.0,
                vega: g.vega.0,
                theta: g.theta.0,
                rho: g.rho.0,
            },
            PER_POINT_PER_DAY,
        );
    }
    Ok(q)
}

/// A snapshot from one chain answer and the underlying the caller fetched. The as-of instant
/// is the latest time in the quote and the chain, else `fallback_as_of`, else an error.
pub fn parse_chain(
    body: &str,
    quote: &TradierQuote,
    fallback_as_of: Option<DateTime<FixedOffset>>,
) -> Result<ChainSnapshot> {
    let part = parse_chain_quotes(body, &quote.underlying.symbol)?;
    assemble(vec![part], quote, fallback_as_of)
}

fn assemble(
    parts: Vec<ChainPart>,
    quote: &TradierQuote,
    fallback_as_of: Option<DateTime<FixedOffset>>,
) -> Result<ChainSnapshot> {
    let mut quotes = Vec::new();
    let mut dropped = Vec::new();
    let mut latest = quote.as_of;
    for p in parts {
        latest = max_time(latest, p.latest);
        quotes.extend(p.quotes);
        dropped.extend(p.dropped);
    }
    let as_of = latest.or(fallback_as_of).ok_or_else(|| {
        payload(
            PROVIDER,
            &quote.underlying.symbol,
            "no timestamp: neither the quote nor the chain has a trade, bid or ask date",
        )
    })?;
    screen_chain(&mut quotes, &mut dropped, &as_of);
    let mut notes = Vec::new();
    if quotes.iter().any(|q| q.provider_greeks.is_some()) {
        notes.push("Tradier greeks and IV come from ORATS and are refreshed hourly".to_string());
    }
    Ok(ChainSnapshot {
        underlying: quote.underlying.clone(),
        as_of,
        source: PROVIDER.to_string(),
        quotes,
        dropped,
        notes,
    })
}

/// A snapshot from one JSON document that holds both answers side by side:
/// `{"quotes": {…markets/quotes…}, "options": {…markets/options/chains…}}`. This is the only
/// way a saved Tradier payload carries the spot; a bare chain answer is refused with
/// [`Error::NoData`] saying so.
pub fn parse_combined(body: &str, symbol: &str) -> Result<ChainSnapshot> {
    #[derive(Deserialize)]
    struct Combined {
        quotes: Option<QuotesInner>,
        options: Option<ChainInner>,
    }
    let doc: Combined = from_json(PROVIDER, symbol, "chain with quote", body)?;
    let Some(quotes) = doc.quotes else {
        return Err(Error::NoData {
            what: "underlying price",
            symbol: symbol.to_string(),
            message: "a Tradier chain payload carries no underlying price; save it together \
                      with the markets/quotes answer as {\"quotes\": …, \"options\": …}"
                .into(),
        });
    };
    let quote = quote_from(Some(quotes), symbol)?;
    let part = chain_part(doc.options, &quote.underlying.symbol);
    assemble(vec![part], &quote, None)
}

/// Parse `markets/history` (`{"history": {"day": […]}}`; `{"history": null}` is an empty
/// series).
pub fn parse_history(body: &str, symbol: &str) -> Result<PriceHistory> {
    let doc: HistDoc = from_json(PROVIDER, symbol, "daily history", body)?;
    let rows = doc
        .history
        .and_then(|h| h.day)
        .map(OneOrMany::into_vec)
        .unwrap_or_default();
    let bars = rows
        .into_iter()
        .filter_map(|r| match r {
            MaybeRow::Good(d) => Some(d),
            MaybeRow::Bad(_) => None,
        })
        .filter_map(|d| {
            let date = NaiveDate::parse_from_str(d.date.0.as_deref()?.trim(), "%Y-%m-%d").ok()?;
            Some(Bar {
                date,
                open: positive(d.open.0),
                high: positive(d.high.0),
                low: positive(d.low.0),
                close: positive(d.close.0)?,
                volume: count(d.volume.0),
            })
        })
        .collect();
    Ok(PriceHistory::new(
        symbol.trim().to_ascii_uppercase(),
        Adjustment::Unknown,
        bars,
    ))
}

// ---------------------------------------------------------------------------------------------
// The network source.

/// The Tradier source. `Debug` does not show the token.
#[derive(Clone)]
pub struct Tradier {
    http: HttpClient,
    base: String,
    auth: String,
}

impl std::fmt::Debug for Tradier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tradier")
            .field("base", &self.base)
            .field("token", &"REDACTED")
            .finish()
    }
}

impl Tradier {
    /// A Tradier source with the caller's API `token`. `sandbox` picks
    /// `https://sandbox.tradier.com` over `https://api.tradier.com`; `base_url` replaces
    /// either (scheme and host), the `/v1/markets/…` paths staying Tradier's.
    pub fn new(
        token: &str,
        sandbox: bool,
        base_url: Option<&str>,
        config: HttpConfig,
    ) -> Result<Self> {
        let token = token.trim();
        if token.is_empty() {
            return Err(Error::MissingCredential {
                provider: PROVIDER,
                what: "an API access token",
                hint: "create one in the Tradier dashboard (API access) and pass it in",
            });
        }
        let http = HttpClient::new(PROVIDER, config)?
            .with_secret(token)
            .with_unauthorized_hint(if sandbox {
                "Tradier refused the token; check it, and that it is a sandbox token \
                 (sandbox tokens work only against sandbox.tradier.com)"
            } else {
                "Tradier refused the token; check it, and that it is a production token \
                 (use the sandbox option for sandbox tokens)"
            });
        let default = if sandbox {
            SANDBOX_BASE_URL
        } else {
            DEFAULT_BASE_URL
        };
        Ok(Tradier {
            http,
            base: base_or(base_url, default),
            auth: format!("Bearer {token}"),
        })
    }

    fn get(&self, path_and_query: &str, symbol: &str) -> Result<String> {
        let url = format!("{}/v1/markets/{path_and_query}", self.base);
        self.http.get_json(
            &url,
            &[
                ("Authorization", self.auth.as_str()),
                ("Accept", "application/json"),
            ],
            symbol,
        )
    }

    /// The underlying's quote.
    pub fn quote(&self, symbol: &str) -> Result<TradierQuote> {
        let body = self.get(
            &format!("quotes?symbols={}&greeks=false", encode(symbol)),
            symbol,
        )?;
        parse_quote(&body, symbol)
    }

    /// The listed expiries, all roots included (SPX and SPXW).
    pub fn expirations(&self, symbol: &str) -> Result<Vec<NaiveDate>> {
        let body = self.get(
            &format!(
                "options/expirations?symbol={}&includeAllRoots=true&strikes=false",
                encode(symbol)
            ),
            symbol,
        )?;
        parse_expirations(&body, symbol)
    }

    /// One expiry's contracts.
    pub fn chain_for(&self, symbol: &str, expiry: NaiveDate) -> Result<ChainPart> {
        let body = self.get(
            &format!(
                "options/chains?symbol={}&expiration={}&greeks=true",
                encode(symbol),
                expiry.format("%Y-%m-%d")
            ),
            symbol,
        )?;
        parse_chain_quotes(&body, symbol)
    }
}

impl ChainSource for Tradier {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    /// The quote, the expiry list, then one request per wanted expiry (in order, to respect
    /// Tradier's per-minute limits).
    fn chain(&self, request: &ChainRequest) -> Result<ChainSnapshot> {
        let symbol = request.symbol.trim().to_ascii_uppercase();
        let quote = self.quote(&symbol)?;
        let expiries: Vec<NaiveDate> = self
            .expirations(&symbol)?
            .into_iter()
            .filter(|d| request.expiries.accepts(*d))
            .collect();
        if expiries.is_empty() {
            return Err(Error::NoData {
                what: "option chain",
                symbol,
                message: "Tradier lists no expiry matching the request".into(),
            });
        }
        let parts = expiries
            .iter()
            .map(|d| self.chain_for(&symbol, *d))
            .collect::<Result<Vec<_>>>()?;
        let snap = assemble(parts, &quote, Some(request.as_of))?;
        if snap.quotes.is_empty() {
            return Err(Error::NoData {
                what: "option chain",
                symbol,
                message: "Tradier returned no usable contract".into(),
            });
        }
        Ok(snap)
    }
}

impl HistorySource for Tradier {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn history(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> Result<PriceHistory> {
        let body = self.get(
            &format!(
                "history?symbol={}&interval=daily&start={}&end={}",
                encode(symbol),
                from.format("%Y-%m-%d"),
                to.format("%Y-%m-%d")
            ),
            symbol,
        )?;
        let mut h = parse_history(&body, symbol)?;
        h.bars.retain(|b| from <= b.date && b.date <= to);
        Ok(h)
    }
}

//! Recognize a raw provider payload (a saved HTTP answer) from its content and parse it.
//!
//! Used by the `file` source for `--source file:PATH`. The top-level shape tells the
//! providers apart:
//!
//! | shape | payload | chain | history |
//! |---|---|---|---|
//! | `{"data": {"options": […], …}}` | CBOE `options/{SYM}.json` | yes | |
//! | `{"data": [{"date", "close", …}]}` | CBOE `charts/historical/{SYM}.json` | | yes |
//! | `{"quotes": …, "options": …}` | Tradier quote and chain answers saved together | yes | |
//! | `{"options": …}` alone | Tradier `markets/options/chains` | **refused** | |
//! | `{"history": …}` | Tradier `markets/history` | | yes |
//! | `{"optionChain": …}` | Yahoo `v7/finance/options` | yes | |
//! | `{"chart": …}` | Yahoo `v8/finance/chart` | | yes |
//! | `{"results": [{"details", …}]}` | Polygon/Massive `v3/snapshot/options` (one page) | yes | |
//!
//! A Tradier chain answer alone has no underlying price, and a spot cannot be made up:
//! it is refused with [`Error::NoData`] explaining how to save it with its quote
//! (`{"quotes": <markets/quotes answer's "quotes">, "options": <chain answer's "options">}`).
//!
//! When `symbol_hint` is given and the payload names its own underlying, the two must agree
//! (an `AAPL` file is not an `NVDA` chain). The snapshot's `source` is the provider's name.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{cboe, polygon, tradier, yahoo};
use crate::error::{Error, Result};
use crate::model::{ChainSnapshot, PriceHistory};

/// The provider name in errors: "raw payload for NVDA: ...".
const RAW: &str = "raw";

/// What a payload was recognized as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadKind {
    /// CBOE `options/{SYM}.json`.
    CboeChain,
    /// CBOE `quotes/{SYM}.json` (or another single-object `data` file).
    CboeQuote,
    /// CBOE `charts/historical/{SYM}.json`.
    CboeHistory,
    /// Tradier quote and chain answers in one document.
    TradierChainWithQuote,
    /// Tradier chain answer alone (no spot).
    TradierChain,
    /// Tradier `markets/history`.
    TradierHistory,
    /// Tradier `markets/options/expirations`.
    TradierExpirations,
    /// Yahoo `v7/finance/options`.
    YahooChain,
    /// Yahoo `v8/finance/chart`.
    YahooChart,
    /// Polygon/Massive `v3/snapshot/options`.
    PolygonSnapshot,
    /// None of the above.
    Unknown,
}

impl fmt::Display for PayloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PayloadKind::CboeChain => "a CBOE option chain",
            PayloadKind::CboeQuote => "a CBOE quote",
            PayloadKind::CboeHistory => "a CBOE daily history",
            PayloadKind::TradierChainWithQuote => "a Tradier chain with its quote",
            PayloadKind::TradierChain => "a Tradier option chain",
            PayloadKind::TradierHistory => "a Tradier daily history",
            PayloadKind::TradierExpirations => "a Tradier expiration list",
            PayloadKind::YahooChain => "a Yahoo option chain",
            PayloadKind::YahooChart => "a Yahoo chart (daily history)",
            PayloadKind::PolygonSnapshot => "a Polygon/Massive options snapshot",
            PayloadKind::Unknown => "an unrecognized payload",
        })
    }
}

/// `true` when the field is present at all, even as `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

/// The shape of CBOE's `data`.
#[derive(Debug, Default, PartialEq)]
enum DataShape {
    #[default]
    Absent,
    ObjectWithOptions,
    Object,
    List,
    Other,
}

impl<'de> Deserialize<'de> for DataShape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DataShape;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("anything")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<DataShape, A::Error> {
                let mut with_options = false;
                while let Some(k) = a.next_key::<String>()? {
                    with_options |= k == "options";
                    a.next_value::<IgnoredAny>()?;
                }
                Ok(if with_options {
                    DataShape::ObjectWithOptions
                } else {
                    DataShape::Object
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<DataShape, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(DataShape::List)
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<DataShape, E> {
                Ok(DataShape::Other)
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<DataShape, E> {
                Ok(DataShape::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<DataShape, E> {
                Ok(DataShape::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<DataShape, E> {
                Ok(DataShape::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<DataShape, E> {
                Ok(DataShape::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<DataShape, E> {
                Ok(DataShape::Other)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<DataShape, E> {
                Ok(DataShape::Other)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, Default)]
struct Probe {
    #[serde(default)]
    data: DataShape,
    #[serde(default, deserialize_with = "present")]
    quotes: bool,
    #[serde(default, deserialize_with = "present")]
    options: bool,
    #[serde(default, deserialize_with = "present")]
    history: bool,
    #[serde(default, deserialize_with = "present")]
    expirations: bool,
    #[serde(default, deserialize_with = "present", rename = "optionChain")]
    option_chain: bool,
    #[serde(default, deserialize_with = "present")]
    chart: bool,
    #[serde(default, deserialize_with = "present")]
    results: bool,
}

fn probe(body: &str, symbol: &str) -> Result<PayloadKind> {
    let trimmed = body.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('<') {
        return Err(Error::Payload {
            provider: RAW,
            symbol: symbol.to_string(),
            message: "this is an HTML page, not a provider's JSON answer".into(),
        });
    }
    if !trimmed.starts_with('{') {
        return Err(Error::Payload {
            provider: RAW,
            symbol: symbol.to_string(),
            message: "not a JSON object (a raw CBOE, Tradier, Yahoo or Polygon answer starts \
                      with `{`)"
                .into(),
        });
    }
    // The start of the document usually tells (one typed parse follows, which reports any
    // JSON error); only what the cheap look cannot follow is probed in full.
    match super::sniff::sniff_json(trimmed) {
        Some(super::sniff::Sniffed::Payload(kind)) => return Ok(kind),
        Some(super::sniff::Sniffed::Snapshot) => return Ok(PayloadKind::Unknown),
        None => {}
    }
    let p: Probe = serde_json::from_str(trimmed).map_err(|e| Error::Payload {
        provider: RAW,
        symbol: symbol.to_string(),
        message: if e.is_eof() {
            format!(
                "truncated JSON (the document ends early, at line {})",
                e.line()
            )
        } else {
            format!(
                "invalid JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            )
        },
    })?;
    Ok(if p.option_chain {
        PayloadKind::YahooChain
    } else if p.chart {
        PayloadKind::YahooChart
    } else if p.results {
        PayloadKind::PolygonSnapshot
    } else if p.options && p.quotes {
        PayloadKind::TradierChainWithQuote
    } else if p.options {
        PayloadKind::TradierChain
    } else if p.history {
        PayloadKind::TradierHistory
    } else if p.expirations {
        PayloadKind::TradierExpirations
    } else {
        match p.data {
            DataShape::ObjectWithOptions => PayloadKind::CboeChain,
            DataShape::Object => PayloadKind::CboeQuote,
            DataShape::List => PayloadKind::CboeHistory,
            _ => PayloadKind::Unknown,
        }
    })
}

/// What a payload looks like, without parsing it fully. Errors only on bodies that are not a
/// JSON object (HTML pages, truncated or invalid JSON).
pub fn recognize(body: &str) -> Result<PayloadKind> {
    probe(body, "(unknown symbol)")
}

fn plain(s: &str) -> String {
    s.trim()
        .trim_start_matches(['_', '^', '$'])
        .to_ascii_uppercase()
}

fn check_symbol(found: &str, hint: Option<&str>, kind: PayloadKind) -> Result<()> {
    if let Some(h) = hint {
        if !found.is_empty() && plain(found) != plain(h) {
            return Err(Error::Payload {
                provider: RAW,
                symbol: h.to_string(),
                message: format!("the file holds {kind} for {found}, not for {h}"),
            });
        }
    }
    Ok(())
}

fn wrong_kind(kind: PayloadKind, wanted: &str, symbol: &str) -> Error {
    Error::Payload {
        provider: RAW,
        symbol: symbol.to_string(),
        message: format!(
            "the file holds {kind}, not {wanted} (expected a raw CBOE, Tradier, Yahoo or \
             Polygon answer)"
        ),
    }
}

/// Parse a raw option-chain payload of any supported provider.
pub fn parse_chain_payload(body: &str, symbol_hint: Option<&str>) -> Result<ChainSnapshot> {
    let symbol = symbol_hint.unwrap_or("(unknown symbol)");
    let kind = probe(body, symbol)?;
    let snap = match kind {
        PayloadKind::CboeChain => cboe::parse_chain(body, symbol)?,
        PayloadKind::YahooChain => yahoo::parse_chain(body, symbol)?,
        PayloadKind::PolygonSnapshot => polygon::parse_chain(body, symbol)?,
        PayloadKind::TradierChainWithQuote => tradier::parse_combined(body, symbol)?,
        PayloadKind::TradierChain => {
            return Err(Error::NoData {
                what: "underlying price",
                symbol: symbol.to_string(),
                message: "a Tradier chain answer alone carries no underlying price; save it \
                          with the markets/quotes answer as {\"quotes\": …, \"options\": …}"
                    .into(),
            })
        }
        other => return Err(wrong_kind(other, "an option chain", symbol)),
    };
    check_symbol(&snap.underlying.symbol, symbol_hint, kind)?;
    Ok(snap)
}

/// Parse a raw daily-history payload of any supported provider.
pub fn parse_history_payload(body: &str, symbol_hint: Option<&str>) -> Result<PriceHistory> {
    let symbol = symbol_hint.unwrap_or("(unknown symbol)");
    let kind = probe(body, symbol)?;
    let h = match kind {
        PayloadKind::CboeHistory => cboe::parse_history(body, symbol)?,
        PayloadKind::YahooChart => yahoo::parse_history(body, symbol)?,
        PayloadKind::TradierHistory => tradier::parse_history(body, symbol)?,
        other => return Err(wrong_kind(other, "a daily history", symbol)),
    };
    check_symbol(&h.symbol, symbol_hint, kind)?;
    Ok(h)
}

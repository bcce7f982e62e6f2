//! Serde helpers and unit conversions shared by the network providers' parsers.
//!
//! Providers disagree on how they spell a number (CBOE sends counts as `5.0` and, for
//! indexes, sometimes as strings; Tradier sends `null`), on whether a one-element list is a
//! list (Tradier), and on the unit of a timestamp (s, ms, ns, naive Eastern strings). The
//! helpers here absorb those differences so the parsers stay short.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::America::New_York;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;

use crate::model::{ProviderGreeks, Quote};

/// A number as providers send it: a JSON number, a numeric string (`"12.5"`, `"NaN"`), an
/// empty string, `null` or a missing field. Anything else (a bool, a list, an object) is
/// consumed and read as "no number" rather than failing the whole payload.
///
/// The one type the wire structs use for their number fields: a field `bid: Num` needs no
/// `#[serde(default, deserialize_with = ...)]` of its own, because a missing field reads as
/// `Num(None)` (serde asks a missing field for an `Option`, and `Num` reads itself as one).
/// The value is `.0`, in the provider's units; the parsers check and convert it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Num(pub Option<f64>);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, a numeric string or null")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Num(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Num(Some(v as f64)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Num(Some(v as f64)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(Num(None));
                }
                Ok(Num(t.parse::<f64>().ok()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Num(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Num(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Num(None))
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Num(None))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Num(None))
            }
        }
        // Through `deserialize_option`: a missing field and `null` are `None` without a
        // `default` attribute; any present value is read by `deserialize_any`.
        d.deserialize_option(V)
    }
}

/// The reading of [`Epoch`].
fn lenient_epoch<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v: Option<serde_json::Value> = Option::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_u64().and_then(|u| i64::try_from(u).ok()))
            .or_else(|| epoch_int(n.as_f64())),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .ok()
            .or_else(|| epoch_int(s.trim().parse::<f64>().ok())),
        _ => None,
    })
    .map(|o| o.filter(|v| *v > 0))
}

/// Text as providers send it: a string, or a number rendered as JSON writes it (`5`, `5.0`);
/// `null`, a missing field and anything else (consumed) are `Text(None)`. Like [`Num`], a
/// field of this type needs no serde attribute.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Text(pub Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(TextVisitor { numbers: true })
            .map(Text)
    }
}

/// An integer epoch as providers send it: a JSON integer (kept exact: nanosecond epochs need
/// all 64 bits), a float, a numeric string; `null`, a missing field, anything else and values
/// ≤ 0 are `Epoch(None)`. The unit is the field's (s, ms or ns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Epoch(pub Option<i64>);

impl<'de> Deserialize<'de> for Epoch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_epoch(d).map(Epoch)
    }
}

/// A string field taken only when it is a JSON string (anything else, consumed: `None`).
pub(crate) fn text_only<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(TextVisitor { numbers: false })
}

/// Strings, and numbers spelled as JSON spells them (`5`, `5.0`) when `numbers`; anything
/// else is consumed and read as `None`.
struct TextVisitor {
    numbers: bool,
}

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or null")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v)
            .filter(|_| self.numbers)
            .map(|n| n.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.numbers.then(|| v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.numbers.then(|| v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Tradier's quirk: a list of one is sent as the object itself.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany<T> {
    /// A proper list.
    Many(Vec<T>),
    /// A single element sent bare.
    One(T),
}

impl<T> OneOrMany<T> {
    pub(crate) fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::Many(v) => v,
            OneOrMany::One(t) => vec![t],
        }
    }
}

/// A list element that either has the expected shape or is kept as "malformed" so one bad
/// row does not sink the whole payload.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum MaybeRow<T> {
    /// A row of the expected shape.
    Good(T),
    /// Anything else.
    Bad(IgnoredAny),
}

/// A list element read in one pass, without buffering: an object is deserialized as `T`
/// straight from the document (so every field of `T` must be lenient: a field that can fail
/// fails the whole payload), anything else is `NotObject`. This is [`MaybeRow`] for the big
/// lists (CBOE's 5,000-row chains), where buffering each row through serde's generic content
/// cost more than parsing it.
#[derive(Debug)]
pub(crate) enum ObjectRow<T> {
    /// An object, read as `T`.
    Object(T),
    /// Anything else (consumed).
    NotObject,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectRow<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = ObjectRow<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list element")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(a)).map(ObjectRow::Object)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ObjectRow::NotObject)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                d.deserialize_any(self)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ObjectRow::NotObject)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ObjectRow::NotObject)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(ObjectRow::NotObject)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(ObjectRow::NotObject)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(ObjectRow::NotObject)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(ObjectRow::NotObject)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(ObjectRow::NotObject)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A count (volume, open interest, size) from a float: finite and non-negative, rounded.
pub(crate) fn count(x: Option<f64>) -> Option<u64> {
    match x {
        Some(v) if v.is_finite() && v >= 0.0 && v < u64::MAX as f64 => Some(v.round() as u64),
        _ => None,
    }
}

/// A price field checked for the drop rules: NaN or infinite and negative prices are reasons
/// to drop the row; zero means "no price" and becomes `None`.
pub(crate) fn price(name: &str, x: Option<f64>) -> Result<Option<f64>, String> {
    match x {
        None => Ok(None),
        Some(v) if v.is_nan() => Err(format!("{name} is NaN")),
        Some(v) if v.is_infinite() => Err(format!("{name} is infinite")),
        Some(v) if v < 0.0 => Err(format!("{name} is negative ({v})")),
        Some(0.0) => Ok(None),
        Some(v) => Ok(Some(v)),
    }
}

/// Bid, ask and last checked together: each by [`price`], then a crossed market (bid above
/// ask, both present) is a reason to drop the row. A side whose size is explicitly zero is
/// `None`, as the model requires.
pub(crate) struct Sides {
    pub bid: Option<f64>,
    pub ask: Option<f64>,
    pub bid_size: Option<u64>,
    pub ask_size: Option<u64>,
    pub last: Option<f64>,
}

pub(crate) fn sides(
    bid: Option<f64>,
    ask: Option<f64>,
    bid_size: Option<f64>,
    ask_size: Option<f64>,
    last: Option<f64>,
) -> Result<Sides, String> {
    sides_counted(bid, ask, count(bid_size), count(ask_size), last)
}

/// [`sides`] with the sizes already counts (a saved snapshot's quotes).
pub(crate) fn sides_counted(
    bid: Option<f64>,
    ask: Option<f64>,
    bid_size: Option<u64>,
    ask_size: Option<u64>,
    last: Option<f64>,
) -> Result<Sides, String> {
    let mut bid = price("bid", bid)?;
    let mut ask = price("ask", ask)?;
    let last = price("last", last)?;
    if bid_size == Some(0) {
        bid = None;
    }
    if ask_size == Some(0) {
        ask = None;
    }
    if let (Some(b), Some(a)) = (bid, ask) {
        if b > a {
            return Err(format!("crossed quote: bid {b} > ask {a}"));
        }
    }
    Ok(Sides {
        bid,
        ask,
        bid_size: bid.and(bid_size),
        ask_size: ask.and(ask_size),
        last,
    })
}

/// Checks across the rows of a whole chain, after each row passed [`sides`]: a contract that
/// expired before the as-of date (New York) is dropped, and so are duplicate rows of one
/// contract. Copies that agree keep one row (the others are counted as dropped); copies that
/// disagree are all dropped, since there is no telling which one is right. Each drop gets a
/// reason in `dropped`.
pub(crate) fn screen_chain(
    quotes: &mut Vec<Quote>,
    dropped: &mut Vec<String>,
    as_of: &DateTime<FixedOffset>,
) {
    let today = as_of.with_timezone(&New_York).date_naive();
    quotes.retain(|q| {
        if q.contract.expiry < today {
            dropped.push(format!(
                "{}: expired on {} (before the as-of date {today})",
                q.contract.occ(),
                q.contract.expiry
            ));
            false
        } else {
            true
        }
    });
    // Keyed on the contract's parts (the root borrowed), so a symbol is only formatted and a
    // string only allocated for a row that is dropped. The parts are in the order providers
    // list a chain (by expiry, then strike, call before put): a chain in that order with
    // every contract after the one before has no duplicate, found in one pass, no table.
    fn key(q: &Quote) -> (&str, chrono::NaiveDate, u64, char) {
        let c = &q.contract;
        (
            c.root.as_str(),
            c.expiry,
            c.strike_millis(),
            c.right.letter(),
        )
    }
    if quotes.windows(2).all(|w| key(&w[0]) < key(&w[1])) {
        return;
    }
    let mut keep = vec![true; quotes.len()];
    {
        let mut first: HashMap<_, usize> = HashMap::with_capacity(quotes.len());
        let mut conflicting: HashSet<_> = HashSet::new();
        for (i, q) in quotes.iter().enumerate() {
            match first.entry(key(q)) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
                std::collections::hash_map::Entry::Occupied(o) => {
                    let j = *o.get();
                    keep[i] = false;
                    let occ = q.contract.occ();
                    if quotes[j] == *q {
                        dropped.push(format!(
                            "{occ}: duplicate row (same values as an earlier one)"
                        ));
                    } else {
                        dropped.push(format!("{occ}: duplicate row with different values"));
                        conflicting.insert(*o.key());
                    }
                }
            }
        }
        for (i, q) in quotes.iter().enumerate() {
            if keep[i] && !conflicting.is_empty() && conflicting.contains(&key(q)) {
                keep[i] = false;
                dropped.push(format!(
                    "{}: conflicting duplicate rows, none kept",
                    q.contract.occ()
                ));
            }
        }
    }
    let mut it = keep.into_iter();
    quotes.retain(|_| it.next().unwrap_or(false));
}

/// A finite value or `None`.
pub(crate) fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

/// Factors that turn a provider's greeks into library units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GreekScale {
    /// 100 for vega per vol point.
    pub vega: f64,
    /// 365 for theta per calendar day.
    pub theta: f64,
    /// 100 for rho per 1 % of rate.
    pub rho: f64,
}

/// Vega per vol point, theta per calendar day, rho per 1 % of rate: the convention of CBOE,
/// Tradier (ORATS) and Polygon.
pub(crate) const PER_POINT_PER_DAY: GreekScale = GreekScale {
    vega: 100.0,
    theta: 365.0,
    rho: 100.0,
};

/// Greeks scaled into library units; `None` when none of them is present.
///
/// The provider's greeks are given as a [`ProviderGreeks`] in the provider's own units and
/// multiplied by `scale`.
pub(crate) fn greeks(raw: ProviderGreeks, scale: GreekScale) -> Option<ProviderGreeks> {
    let g = ProviderGreeks {
        delta: finite(raw.delta),
        gamma: finite(raw.gamma),
        // Scaled first, then checked: 1e308 × 100 is infinite.
        vega: finite(raw.vega.map(|v| v * scale.vega)),
        theta: finite(raw.theta.map(|v| v * scale.theta)),
        rho: finite(raw.rho.map(|v| v * scale.rho)),
    };
    if g == ProviderGreeks::default() {
        None
    } else {
        Some(g)
    }
}

/// A naive wall-clock time in New York, with its offset. The earlier of two readings in the
/// autumn fold; `None` in the spring gap.
pub(crate) fn new_york(naive: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
    New_York
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.fixed_offset())
}

/// New York wall-clock times read many to a day (a chain's last-trade times): the day's
/// offset is looked up once where it holds all day, and the time zone consulted for each
/// reading only on the two days a year the clocks change.
#[derive(Debug, Default)]
pub(crate) struct NewYorkDays {
    /// The last day seen, and its offset where one offset holds for the whole of it.
    day: Option<(NaiveDate, Option<FixedOffset>)>,
}

impl NewYorkDays {
    /// What [`new_york`] gives for `naive`.
    pub(crate) fn local(&mut self, naive: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        let date = naive.date();
        let offset = match self.day {
            Some((d, offset)) if d == date => offset,
            _ => {
                let offset = whole_day_offset(date);
                self.day = Some((date, offset));
                offset
            }
        };
        match offset {
            Some(offset) => offset.from_local_datetime(&naive).single(),
            None => new_york(naive),
        }
    }
}

/// New York's offset on `date` where it is the same at the first and the last second of the
/// day: the clocks change at most once a day, so it then holds all day.
fn whole_day_offset(date: NaiveDate) -> Option<FixedOffset> {
    let first = new_york(date.and_time(NaiveTime::MIN))?;
    let last = new_york(date.and_hms_opt(23, 59, 59)?)?;
    (first.offset() == last.offset()).then(|| *first.offset())
}

/// An instant shown in New York time.
pub(crate) fn utc_to_new_york(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&New_York).fixed_offset()
}

/// Epoch milliseconds → instant in New York time.
pub(crate) fn epoch_ms(ms: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(utc_to_new_york)
}

/// Epoch nanoseconds → instant in New York time.
pub(crate) fn epoch_ns(ns: i64) -> Option<DateTime<FixedOffset>> {
    Some(utc_to_new_york(DateTime::<Utc>::from_timestamp_nanos(ns)))
}

/// A float epoch (JSON may render big integers as floats) as an integer, when sane (> 0).
pub(crate) fn epoch_int(x: Option<f64>) -> Option<i64> {
    match x {
        Some(v) if v.is_finite() && v > 0.0 && v < 9.2e18 => Some(v as i64),
        _ => None,
    }
}

/// Parse `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS` (optionally with fractional seconds).
pub(crate) fn naive_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    // The common spelling (`2026-07-24T15:59:59`, every CBOE row) without chrono's format
    // interpreter; anything else goes the general way.
    if let Some(t) = plain_datetime(s) {
        return Some(t);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t);
        }
    }
    None
}

/// `YYYY-MM-DDTHH:MM:SS` (or a space for the `T`), exactly; `None` for anything else.
fn plain_datetime(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let date =
        chrono::NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)
}

/// The error for a whole payload that cannot be used.
pub(crate) fn payload(
    provider: &'static str,
    symbol: &str,
    message: impl Into<String>,
) -> crate::Error {
    crate::Error::Payload {
        provider,
        symbol: symbol.to_string(),
        message: message.into(),
    }
}

/// Deserialize a whole document, turning serde's error into [`crate::Error::Payload`] that
/// says where the JSON went wrong.
pub(crate) fn from_json<'a, T: Deserialize<'a>>(
    provider: &'static str,
    symbol: &str,
    what: &str,
    body: &'a str,
) -> crate::Result<T> {
    serde_json::from_str(body).map_err(|e| {
        let kind = if e.is_eof() {
            "truncated JSON"
        } else if e.is_syntax() {
            "invalid JSON"
        } else {
            "unexpected shape"
        };
        payload(
            provider,
            symbol,
            format!(
                "{what}: {kind} at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct N {
        x: Num,
    }

    fn n(s: &str) -> Option<f64> {
        serde_json::from_str::<N>(s).unwrap().x.0
    }

    /// The same fields read through serde's buffered content (as untagged enums such as
    /// [`MaybeRow`] read them).
    fn n_buffered(s: &str) -> Option<f64> {
        match serde_json::from_str::<MaybeRow<N>>(s).unwrap() {
            MaybeRow::Good(n) => n.x.0,
            MaybeRow::Bad(_) => panic!("{s} read as a bad row"),
        }
    }

    #[test]
    fn lenient_numbers() {
        assert_eq!(n(r#"{"x": 5.0}"#), Some(5.0));
        assert_eq!(n(r#"{"x": 7}"#), Some(7.0));
        assert_eq!(n(r#"{"x": "12.5"}"#), Some(12.5));
        assert!(n(r#"{"x": "NaN"}"#).unwrap().is_nan());
        assert_eq!(n(r#"{"x": ""}"#), None);
        assert_eq!(n(r#"{"x": null}"#), None);
        assert_eq!(n(r#"{}"#), None);
        assert_eq!(n(r#"{"x": [1]}"#), None);
        assert_eq!(n(r#"{"x": {"a": 1}}"#), None);
        assert_eq!(n(r#"{"x": true}"#), None);
        assert_eq!(n(r#"{"x": " 3 "}"#), Some(3.0));
        assert_eq!(n(r#"{"x": "abc"}"#), None);
        assert_eq!(n(r#"{"x": 18446744073709551615}"#), Some(u64::MAX as f64));
        for (text, want) in [
            (r#"{"x": 5.0}"#, Some(5.0)),
            (r#"{"x": "12.5"}"#, Some(12.5)),
            (r#"{"x": ""}"#, None),
            (r#"{"x": null}"#, None),
            (r#"{}"#, None),
            (r#"{"x": [1]}"#, None),
        ] {
            assert_eq!(n_buffered(text), want, "{text}");
        }
        assert!(n_buffered(r#"{"x": "NaN"}"#).is_some_and(f64::is_nan));
    }

    #[derive(Deserialize)]
    struct T {
        s: Text,
        e: Epoch,
    }

    #[test]
    fn lenient_text_and_epochs() {
        let t = |s: &str| serde_json::from_str::<T>(s).unwrap();
        let a = t(r#"{"s": "NVDA", "e": 1651254260800059648}"#);
        assert_eq!(a.s.0.as_deref(), Some("NVDA"));
        assert_eq!(a.e.0, Some(1_651_254_260_800_059_648), "all 64 bits kept");
        let b = t(r#"{"s": 5.0, "e": "1719589845000"}"#);
        assert_eq!(
            (b.s.0.as_deref(), b.e.0),
            (Some("5.0"), Some(1_719_589_845_000))
        );
        let c = t(r#"{"s": null, "e": -5}"#);
        assert_eq!((c.s.0, c.e.0), (None, None));
        let d = t(r#"{}"#);
        assert_eq!(
            (d.s.0, d.e.0),
            (None, None),
            "missing fields need no default"
        );
        let e = t(r#"{"s": [1, 2], "e": 1.7e9}"#);
        assert_eq!((e.s.0, e.e.0), (None, Some(1_700_000_000)));
    }

    #[test]
    fn counts_and_prices() {
        assert_eq!(count(Some(5.0)), Some(5));
        assert_eq!(count(Some(-1.0)), None);
        assert_eq!(count(Some(f64::NAN)), None);
        assert_eq!(price("bid", Some(0.0)), Ok(None));
        assert_eq!(
            price("bid", Some(-0.1)),
            Err("bid is negative (-0.1)".to_string())
        );
        assert_eq!(price("bid", Some(f64::NAN)), Err("bid is NaN".to_string()));
        assert_eq!(
            sides(Some(2.0), Some(1.0), None, None, None).err(),
            Some("crossed quote: bid 2 > ask 1".to_string())
        );
        let s = sides(Some(1.0), Some(2.0), Some(0.0), Some(3.0), Some(0.0)).unwrap();
        assert_eq!(
            (s.bid, s.ask, s.bid_size, s.ask_size, s.last),
            (None, Some(2.0), None, Some(3), None)
        );
    }

    #[test]
    fn scaled_greeks_stay_finite() {
        let g = greeks(
            ProviderGreeks {
                delta: Some(0.5),
                vega: Some(1e308),
                theta: Some(-1e308),
                rho: Some(f64::NAN),
                gamma: None,
            },
            PER_POINT_PER_DAY,
        )
        .unwrap();
        assert_eq!(g.delta, Some(0.5));
        assert_eq!((g.vega, g.theta, g.rho), (None, None, None));
    }

    #[test]
    fn times() {
        let t = new_york(naive_datetime("2026-07-24T15:59:41").unwrap()).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-07-24T15:59:41-04:00");
        let t = new_york(naive_datetime("2026-01-16 15:59:41").unwrap()).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-01-16T15:59:41-05:00");
        assert_eq!(
            epoch_ms(1719589845000).unwrap().to_rfc3339(),
            "2024-06-28T11:50:45-04:00"
        );
        assert_eq!(
            epoch_ns(1651254260800059648).unwrap().timestamp(),
            1651254260
        );
        assert!(new_york(naive_datetime("2026-03-08 02:30:00").unwrap()).is_none());
    }

    #[test]
    fn new_york_days_read_as_the_time_zone_does() {
        let mut days = NewYorkDays::default();
        // Ordinary days either side of the changes, the spring gap (02:00-03:00 on
        // 2026-03-08 does not exist) and the autumn fold (01:00-02:00 on 2026-11-01 happens
        // twice; the earlier reading is kept), visited in an order that revisits days.
        let dates = [
            "2026-03-07",
            "2026-03-08",
            "2026-03-09",
            "2026-11-01",
            "2026-10-31",
            "2026-11-01",
            "2026-11-02",
            "2026-07-24",
            "2026-03-08",
        ];
        let mut checked = 0;
        for d in dates {
            let date: NaiveDate = d.parse().unwrap();
            for minute in (0..24 * 60).step_by(7) {
                let t = date.and_time(NaiveTime::MIN) + chrono::Duration::minutes(minute);
                assert_eq!(days.local(t), new_york(t), "{t}");
                checked += 1;
            }
        }
        assert_eq!(checked, 9 * 206);
        let gap = "2026-03-08T02:30:00".parse::<NaiveDateTime>().unwrap();
        assert_eq!(days.local(gap), None);
        let fold = "2026-11-01T01:30:00".parse::<NaiveDateTime>().unwrap();
        assert_eq!(
            days.local(fold).unwrap().offset().local_minus_utc(),
            -4 * 3600
        );
        let summer = "2026-07-24T15:59:59".parse::<NaiveDateTime>().unwrap();
        assert_eq!(
            days.local(summer).unwrap().to_rfc3339(),
            "2026-07-24T15:59:59-04:00"
        );
    }
}

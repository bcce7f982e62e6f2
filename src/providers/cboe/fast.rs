//! A one-pass reader of the common shape of CBOE's `options/{SYM}.json`, for the big chains
//! (5,000 rows and more), where serde's generic machinery costs about five times what the
//! bytes need.
//!
//! It reads exactly what the serde wire types read, with the same lenient rules (a number, a
//! numeric string, an empty string or `null` for a number; only a string for the option
//! symbol), and gives up — `None`, so the caller parses with serde and gets serde's answer,
//! errors included — at anything it does not handle the same way for sure: an escape or a
//! control character in a string, a duplicate field, a number outside `f64`, a number where
//! text is expected, nesting deeper than serde's limit, a missing or `null` `data`, trailing
//! characters. What it accepts it reads bit for bit as serde does (both parse decimals
//! correctly rounded).

use super::{Doc, ObjectRow, OptionRows, WireOption, WireUnderlying};

/// Read a chain payload, or `None` to leave it to serde.
pub(super) fn parse_doc(body: &str) -> Option<Doc<WireUnderlying>> {
    let mut p = P {
        b: body.as_bytes(),
        s: body,
        i: 0,
    };
    let mut timestamp = Field::default();
    let mut data: Field<WireUnderlying> = Field::default();
    p.object(|p, key| match key {
        "timestamp" => timestamp.set(p.lenient_string()?),
        "data" => {
            p.ws();
            if p.peek()? != b'{' {
                return None;
            }
            data.set(Some(p.underlying()?))
        }
        _ => p.skip_value(1),
    })?;
    p.ws();
    if p.i != p.b.len() {
        return None;
    }
    Some(Doc {
        timestamp: timestamp.value.flatten(),
        data: Some(data.value.flatten()?),
    })
}

/// A field read at most once (a second one sends the payload to serde, which refuses it).
struct Field<T> {
    value: Option<Option<T>>,
}

impl<T> Default for Field<T> {
    fn default() -> Self {
        Field { value: None }
    }
}

impl<T> Field<T> {
    fn set(&mut self, v: Option<T>) -> Option<()> {
        if self.value.is_some() {
            return None;
        }
        self.value = Some(v);
        Some(())
    }

    fn get(self) -> Option<T> {
        self.value.flatten()
    }
}

/// serde_json's recursion limit.
const MAX_DEPTH: usize = 100;

struct P<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

/// A scalar value.
enum Scalar<'a> {
    Str(&'a str),
    Num(&'a str),
    Bool,
    Null,
    /// An array or object, consumed.
    Container,
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// A string without escapes, after its opening quote.
    fn string_body(&mut self) -> Option<&'a str> {
        let start = self.i;
        loop {
            match *self.b.get(self.i)? {
                b'"' => break,
                b'\\' => return None,
                c if c < 0x20 => return None,
                _ => self.i += 1,
            }
        }
        let s = self.s.get(start..self.i)?;
        self.i += 1;
        Some(s)
    }

    /// A number token with JSON's grammar, ended by a delimiter.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.i;
        let digits = |p: &mut P<'a>| {
            let from = p.i;
            while let Some(b'0'..=b'9') = p.peek() {
                p.i += 1;
            }
            p.i > from
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !digits(self) {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        match self.peek() {
            None | Some(b' ' | b'\n' | b'\r' | b'\t' | b',' | b'}' | b']') => {}
            _ => return None,
        }
        self.s.get(start..self.i)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.i..self.i + word.len())? == word {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    fn scalar(&mut self, depth: usize) -> Option<Scalar<'a>> {
        self.ws();
        Some(match self.peek()? {
            b'"' => {
                self.i += 1;
                Scalar::Str(self.string_body()?)
            }
            b'-' | b'0'..=b'9' => Scalar::Num(self.number()?),
            b't' => {
                self.literal(b"true")?;
                Scalar::Bool
            }
            b'f' => {
                self.literal(b"false")?;
                Scalar::Bool
            }
            b'n' => {
                self.literal(b"null")?;
                Scalar::Null
            }
            b'[' | b'{' => {
                self.skip_value(depth)?;
                Scalar::Container
            }
            _ => return None,
        })
    }

    /// Any value, consumed.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' => self.object(|p, _| p.skip_value(depth + 1)),
            b'[' => self.array(|p, _| p.skip_value(depth + 1)),
            _ => self.scalar(depth).map(|_| ()),
        }
    }

    /// An object: `f` reads each value after its key.
    fn object(&mut self, mut f: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.eat(b'"')?;
            let key = self.string_body()?;
            self.eat(b':')?;
            f(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An array: `f` reads each element (with its index).
    fn array(&mut self, mut f: impl FnMut(&mut Self, usize) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        let mut n = 0usize;
        loop {
            f(self, n)?;
            n += 1;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `lenient_f64`: a number, a numeric string (trimmed; empty is `None`), anything else
    /// `None`.
    fn lenient_f64(&mut self) -> Option<Option<f64>> {
        Some(match self.scalar(2)? {
            Scalar::Num(t) => {
                let v: f64 = t.parse().ok()?;
                // serde_json refuses a number outside f64, and may differ on a subnormal
                // underflow: both left to it.
                if !v.is_finite() || (v == 0.0 && t.bytes().any(|c| matches!(c, b'1'..=b'9'))) {
                    return None;
                }
                Some(v)
            }
            Scalar::Str(t) => {
                let t = t.trim();
                if t.is_empty() {
                    None
                } else {
                    t.parse::<f64>().ok()
                }
            }
            Scalar::Bool | Scalar::Null | Scalar::Container => None,
        })
    }

    /// `lenient_string`: a string, `null` or anything but a number (`None`); a number (which
    /// serde renders as text) is left to serde.
    fn lenient_string(&mut self) -> Option<Option<String>> {
        Some(match self.scalar(2)? {
            Scalar::Str(t) => Some(t.to_string()),
            Scalar::Num(_) => return None,
            Scalar::Bool | Scalar::Null | Scalar::Container => None,
        })
    }

    /// `text_only`: a string, anything else `None`.
    fn text_only(&mut self) -> Option<Option<String>> {
        Some(match self.scalar(3)? {
            Scalar::Str(t) => Some(t.to_string()),
            _ => None,
        })
    }

    fn underlying(&mut self) -> Option<WireUnderlying> {
        let mut options: Field<OptionRows> = Field::default();
        let mut symbol = Field::default();
        let mut num: [Field<f64>; 9] = Default::default();
        let mut last_trade_time = Field::default();
        self.object(|p, key| {
            let k = match key {
                "options" => {
                    p.ws();
                    return match p.peek()? {
                        b'[' => options.set(Some(p.rows()?)),
                        b'n' => {
                            p.literal(b"null")?;
                            options.set(None)
                        }
                        _ => None,
                    };
                }
                "symbol" => return symbol.set(p.lenient_string()?),
                "last_trade_time" => return last_trade_time.set(p.lenient_string()?),
                "current_price" => 0,
                "close" => 1,
                "bid" => 2,
                "ask" => 3,
                "open" => 4,
                "high" => 5,
                "low" => 6,
                "volume" => 7,
                "iv30" => 8,
                _ => return p.skip_value(2),
            };
            let v = p.lenient_f64()?;
            num.get_mut(k)?.set(v)
        })?;
        let [current_price, close, bid, ask, open, high, low, volume, iv30] = num;
        Some(WireUnderlying {
            options: options.get(),
            symbol: symbol.get(),
            current_price: current_price.get(),
            close: close.get(),
            bid: bid.get(),
            ask: ask.get(),
            open: open.get(),
            high: high.get(),
            low: low.get(),
            volume: volume.get(),
            iv30: iv30.get(),
            last_trade_time: last_trade_time.get(),
        })
    }

    fn rows(&mut self) -> Option<OptionRows> {
        let mut rows = OptionRows::default();
        self.array(|p, i| {
            p.ws();
            let row = if p.peek()? == b'{' {
                ObjectRow::Object(p.option()?)
            } else {
                p.skip_value(3)?;
                ObjectRow::NotObject
            };
            rows.push(i, row);
            Some(())
        })?;
        Some(rows)
    }

    fn option(&mut self) -> Option<WireOption> {
        let mut option = Field::default();
        let mut last_trade_time = Field::default();
        let mut num: [Field<f64>; 13] = Default::default();
        self.object(|p, key| {
            let k = match key {
                "option" => return option.set(p.text_only()?),
                "last_trade_time" => return last_trade_time.set(p.lenient_string()?),
                "bid" => 0,
                "ask" => 1,
                "bid_size" => 2,
                "ask_size" => 3,
                "iv" => 4,
                "open_interest" => 5,
                "volume" => 6,
                "delta" => 7,
                "gamma" => 8,
                "vega" => 9,
                "theta" => 10,
                "rho" => 11,
                "last_trade_price" => 12,
                _ => return p.skip_value(4),
            };
            let v = p.lenient_f64()?;
            num.get_mut(k)?.set(v)
        })?;
        let [bid, ask, bid_size, ask_size, iv, open_interest, volume, delta, gamma, vega, theta, rho, last_trade_price] =
            num;
        Some(WireOption {
            option: option.get(),
            bid: bid.get(),
            ask: ask.get(),
            bid_size: bid_size.get(),
            ask_size: ask_size.get(),
            iv: iv.get(),
            open_interest: open_interest.get(),
            volume: volume.get(),
            delta: delta.get(),
            gamma: gamma.get(),
            vega: vega.get(),
            theta: theta.get(),
            rho: rho.get(),
            last_trade_price: last_trade_price.get(),
            last_trade_time: last_trade_time.get(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_doc;

    // `tests/cboe_fast.rs` checks that this reader and serde agree; here, that the common
    // shape is read by this one and the rest left to serde.
    #[test]
    fn the_common_shape_is_read_here_the_rest_left_to_serde() {
        let ko = include_str!("../../../tests/fixtures/cboe/options_KO.json");
        let doc = parse_doc(ko).expect("read in one pass");
        let rows = doc.data.and_then(|d| d.options).expect("rows");
        assert!(rows.quotes.len() > 10);
        for refused in [
            r#"{"data": {"options": [], "symbol": "K\u004f"}}"#,
            r#"{"data": {"options": [], "close": 1, "close": 2}}"#,
            r#"{"data": {"options": [], "close": 1e999}}"#,
            r#"{"data": null}"#,
            r#"{"timestamp": 1, "data": {}}"#,
            r#"{"data": {}} trailing"#,
            r#"{"data": {"options": [{"option": "X", "bid": 01}]}}"#,
        ] {
            assert!(parse_doc(refused).is_none(), "{refused}");
        }
        assert!(parse_doc(r#" {"data": {"options": null, "close": "1.5"}} "#).is_some());
    }
}

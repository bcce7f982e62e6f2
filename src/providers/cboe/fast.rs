//! The fast path through CBOE's chain answer: the option rows read by a scanner made for their
//! shape, the rest of the document by serde.
//!
//! A 5,000-contract `options/{SYM}.json` answer is 2.2 MB of flat objects (`{"option":
//! "NVDA261120C00060000", "bid": 124.83, ...}`), and serde_json's typed parse of it was two
//! thirds of a whole `ccplan suggest` (about 13,500 instructions a row). This scanner reads a
//! row in a fraction of that: keys are matched as bytes, numbers are read by Clinger's exact
//! fast path (a mantissa below 2⁵³ times or over a power of ten up to 10²², one correctly
//! rounded operation; anything longer goes to the standard library's correctly rounded
//! parser), ignored fields are skipped without being decoded. A chain's rows are laid out
//! alike (the same keys in the same order, spaced the same), so each row is first tried
//! against the layout of the row before it: the bytes between values are compared, not
//! read as keys, and a row that differs anywhere is read again by its keys.
//!
//! It reads only what it is sure of and gives up on anything else, so it can never read a
//! document differently from serde: the document must open with scalar fields and then
//! `"data": {`, scalar fields and `"options": [`; each row must be an object of scalar fields
//! (strings without escapes, JSON numbers, `true`/`false`/`null`), none twice. On anything
//! else (an escape, a nested value, a repeated key, a number out of range, a syntax error)
//! [`scan`] returns `None` and the caller parses the whole document with serde as before,
//! which also gives the error its line and column. Where it succeeds, the values are the ones
//! serde's lenient wire types ([`Num`], [`Text`], `text_only`) would have produced: numbers
//! correctly rounded (serde_json is built with `float_roundtrip`), numeric strings read as
//! [`Num`] reads them, `null` and booleans as no value.

use super::{OptionRows, WireOption};
use crate::providers::bytes::Cursor;
use crate::providers::wire::Num;
#[cfg(doc)]
use crate::providers::wire::Text;

/// The option rows and where their list sits in the document: `open` is just after its `[`,
/// `close` is at its `]`, so `body[..open] + body[close..]` is the document with an empty list.
pub(super) struct Scanned {
    pub(super) open: usize,
    pub(super) close: usize,
    pub(super) rows: OptionRows,
    /// How many rows were read by the layout of the row before them (the tests check the
    /// layout path is the one taken).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) by_layout: usize,
}

/// The smallest list of rows worth reading on two threads: about 1,100 of CBOE's rows of
/// 450 bytes (a thread costs some tens of microseconds to start; a row about half of one).
const MIN_SPLIT_BYTES: usize = 512 * 1024;

/// The rows of `data.options`, or `None` where the document is not of the plain shape this
/// scanner reads (the caller then parses it with serde). A long list is read on two threads
/// (see [`scan_split`]).
pub(super) fn scan(body: &str) -> Option<Scanned> {
    scan_split(body, |first, len| {
        (len >= MIN_SPLIT_BYTES && crate::par::has_second_core()).then_some(first + len / 2)
    })
}

/// [`scan`], with `split(first, len)` telling where to look for a place to cut the list in
/// two (`first` is where its first row starts, `len` the bytes from there to the document's
/// end), or `None` to read it on one thread.
///
/// The cut is the first row start after that place: a `{` after a `,` and whitespace. The
/// rows after it are read on a second thread while this one reads from the first row, and
/// this one stops if it reaches the cut exactly at the start of a row. Then the cut was a
/// row start, the second thread read the rows a single reading would have read from there
/// (a row reads the same whatever came before it; the layout it is tried against only makes
/// it faster), and the two halves are joined, the second's row numbers moved up by the
/// first's count. If this thread passes the cut inside a row (a `,{` inside a string, say),
/// it reads on to the end and the second thread's work is dropped. Either way the answer is
/// the single reading's.
pub(super) fn scan_split(
    body: &str,
    split: impl Fn(usize, usize) -> Option<usize>,
) -> Option<Scanned> {
    let mut c = Cursor::new(body);
    let open = c.options_list()?;
    c.ws();
    if c.peek()? == b']' {
        return Some(Scanned {
            open,
            close: c.i,
            rows: OptionRows::default(),
            by_layout: 0,
        });
    }
    let first = c.i;
    let cut = split(first, body.len() - first).and_then(|from| row_start_after(c.b, from));
    let Some(cut) = cut else {
        return rows_until(&mut c, None)?.scanned(open);
    };
    let (head, tail) = crate::par::both(
        || rows_until(&mut c, Some(cut)),
        || {
            let mut t = Cursor::new(body);
            t.i = cut;
            rows_until(&mut t, None)
        },
    );
    let head = head?;
    if head.close.is_some() {
        // The cut was not a row start: this thread read every row.
        return head.scanned(open);
    }
    let tail = tail?;
    let mut rows = head.rows;
    rows.append(tail.rows, head.count);
    Part {
        rows,
        count: head.count + tail.count,
        close: tail.close,
        by_layout: head.by_layout + tail.by_layout,
    }
    .scanned(open)
}

/// Rows read from a row start to the list's end, or to `stop`.
struct Part {
    rows: OptionRows,
    /// How many rows were read.
    count: usize,
    /// Where the list's `]` is, if it was reached (`None`: stopped at `stop`).
    close: Option<usize>,
    by_layout: usize,
}

impl Part {
    fn scanned(self, open: usize) -> Option<Scanned> {
        Some(Scanned {
            open,
            close: self.close?,
            rows: self.rows,
            by_layout: self.by_layout,
        })
    }
}

/// The first row start at or after `from`: a `{` after a `,` and JSON whitespace.
fn row_start_after(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let comma = i + b.get(i..)?.iter().position(|&x| x == b',')?;
        let mut j = comma + 1;
        while matches!(b.get(j), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            j += 1;
        }
        if b.get(j) == Some(&b'{') {
            return Some(j);
        }
        i = comma + 1;
    }
}

/// Rows from the cursor (at a row's start) up to the list's `]`, or until a row would start
/// exactly at `stop`.
fn rows_until(c: &mut Cursor<'_>, stop: Option<usize>) -> Option<Part> {
    let mut rows = OptionRows::default();
    let mut n = 0usize;
    let mut layout: Option<Layout> = None;
    let mut by_layout = 0;
    loop {
        c.ws();
        let start = c.i;
        if stop == Some(start) {
            return Some(Part {
                rows,
                count: n,
                close: None,
                by_layout,
            });
        }
        let row = match layout.as_ref().and_then(|l| c.row_like(l)) {
            Some(row) => {
                by_layout += 1;
                row
            }
            None => {
                c.i = start;
                let (row, learnt) = c.row()?;
                layout = Some(learnt);
                row
            }
        };
        if n == 0 {
            rows.reserve(rows_like(c.i - start, c.b.len() - start));
        }
        rows.push_fields(n, &row.numbers, row.symbol, row.last_trade);
        n += 1;
        c.ws();
        match c.next()? {
            b',' => {}
            b']' => {
                return Some(Part {
                    rows,
                    count: n,
                    close: Some(c.i - 1),
                    by_layout,
                })
            }
            _ => return None,
        }
    }
}

impl<'a> Cursor<'a> {
    /// Whitespace, then `ch`.
    fn ws_eat(&mut self, ch: u8) -> Option<()> {
        self.ws();
        self.eat(ch)
    }

    /// A string without escapes or control characters (its quotes consumed): its bytes.
    fn string(&mut self) -> Option<&'a [u8]> {
        if self.next()? != b'"' {
            return None;
        }
        let rest = self.rest();
        let n = rest
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        if rest[n] != b'"' {
            return None;
        }
        self.i += n + 1;
        Some(&rest[..n])
    }

    /// A string as text: the document's text between the two quotes (ASCII bytes, so
    /// char boundaries).
    fn text(&mut self) -> Option<&'a str> {
        let start = self.i.checked_add(1)?;
        let len = self.string()?.len();
        self.s.get(start..start + len)
    }

    /// Digits from byte `i` on: the index after them, and the mantissa they extend `m` to
    /// (wrapping: only read when the count says it is exact). One pass, one test a byte.
    #[inline]
    fn digits_at(b: &[u8], mut i: usize, m: &mut u64) -> usize {
        while let Some(&c) = b.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            *m = m.wrapping_mul(10).wrapping_add(u64::from(d));
            i += 1;
        }
        i
    }

    /// A number in JSON's grammar: its text, and its value when Clinger's fast path gives it
    /// exactly (up to 15 digits, no exponent).
    fn number(&mut self) -> Option<(&'a [u8], Option<f64>)> {
        self.number_with::<true>()
    }

    /// A number in JSON's grammar, skipped (as serde skips an ignored one: its grammar
    /// checked, its value not read, so no range either).
    fn skip_number(&mut self) -> Option<()> {
        self.number_with::<false>().map(|_| ())
    }

    /// [`Cursor::number`], the value only worked out where `VALUE`.
    #[inline(always)]
    fn number_with<const VALUE: bool>(&mut self) -> Option<(&'a [u8], Option<f64>)> {
        let b = self.b;
        let start = self.i;
        let mut i = start;
        let neg = b.get(i) == Some(&b'-');
        if neg {
            i += 1;
        }
        let mut m = 0u64;
        let int_start = i;
        i = match *b.get(i)? {
            b'0' => i + 1,
            b'1'..=b'9' => Self::digits_at(b, i, &mut m),
            _ => return None,
        };
        let mut n = i - int_start;
        let mut frac = 0;
        if b.get(i) == Some(&b'.') {
            let frac_start = i + 1;
            i = Self::digits_at(b, frac_start, &mut m);
            frac = i - frac_start;
            if frac == 0 {
                return None;
            }
            n += frac;
        }
        let mut simple = n <= 15;
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let exp_start = i;
            i = Self::digits_at(b, exp_start, &mut 0);
            if i == exp_start {
                return None;
            }
            simple = false;
        }
        self.i = i;
        if !VALUE {
            return Some((&[], None));
        }
        let text = b.get(start..i)?;
        // Up to 15 digits the mantissa is below 2⁵³ and exact, the power of ten is exact, and
        // one IEEE division rounds correctly.
        let value = simple.then(|| {
            let v = if frac == 0 {
                m as f64
            } else {
                m as f64 / POW10[frac]
            };
            if neg {
                -v
            } else {
                v
            }
        });
        Some((text, value))
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i.checked_add(word.len())?;
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// `true`, `false` or `null`, consumed; anything else is not a literal.
    fn word(&mut self) -> Option<()> {
        match self.peek()? {
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => None,
        }
    }

    /// Any scalar, skipped (a nested value is not one).
    fn skip_scalar(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b't' | b'f' | b'n' => self.word(),
            _ => self.skip_number(),
        }
    }

    /// The document's opening up to the `[` of `data.options` (the index after it): scalar
    /// fields at each level before, nothing else.
    fn options_list(&mut self) -> Option<usize> {
        self.ws_eat(b'{')?;
        self.scalars_until(b"data")?;
        self.ws_eat(b'{')?;
        self.scalars_until(b"options")?;
        self.ws_eat(b'[')?;
        Some(self.i)
    }

    /// Inside an object: scalar fields skipped up to the key `wanted`, the cursor left at its
    /// value (anything but a scalar before it is not the plain shape).
    fn scalars_until(&mut self, wanted: &[u8]) -> Option<()> {
        loop {
            self.ws();
            let key = self.string()?;
            self.ws_eat(b':')?;
            self.ws();
            if key == wanted {
                return Some(());
            }
            self.skip_scalar()?;
            self.ws_eat(b',')?;
        }
    }

    /// A number field as [`Num`] reads it.
    fn num(&mut self) -> Option<Num> {
        Some(match self.peek()? {
            b'"' => {
                let t = self.text()?.trim();
                Num(if t.is_empty() {
                    None
                } else {
                    t.parse::<f64>().ok()
                })
            }
            b't' | b'f' | b'n' => {
                self.word()?;
                Num(None)
            }
            _ => {
                let (text, value) = self.number()?;
                Num(Some(match value {
                    Some(v) => v,
                    None => decimal(text)?,
                }))
            }
        })
    }

    /// A text field: a string, or no value for `null` and booleans. A number (which
    /// [`Text`] would spell out) is left to serde.
    fn text_field(&mut self) -> Option<Option<&'a str>> {
        match self.peek()? {
            b'"' => Some(Some(self.text()?)),
            b't' | b'f' | b'n' => self.word().map(|_| None),
            _ => None,
        }
    }

    /// The `option` field as `text_only` reads it: a string, anything else no value.
    fn symbol_field(&mut self) -> Option<Option<&'a str>> {
        match self.peek()? {
            b'"' => Some(Some(self.text()?)),
            b't' | b'f' | b'n' => self.word().map(|_| None),
            _ => self.number().map(|_| None),
        }
    }

    /// One row: an object of scalar fields, none repeated, and the row's layout (its keys in
    /// order, with the bytes around them) for [`Cursor::row_like`] to try on the next row.
    fn row(&mut self) -> Option<(Row<'a>, Layout<'a>)> {
        let mut row = Row::default();
        let mut layout = Layout::default();
        let mut from = self.i;
        self.ws_eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            layout.close = self.b.get(from..self.i)?;
            return Some((row, layout));
        }
        let mut seen = 0u32;
        loop {
            self.ws();
            let field = Field::of(self.string()?);
            self.ws_eat(b':')?;
            self.ws();
            layout.fields.push((self.b.get(from..self.i)?, field));
            self.field(field, &mut row)?;
            if field != Field::Other {
                // serde refuses a repeated field; so does this (by handing the row back).
                let bit = 1u32 << field as u32;
                if seen & bit != 0 {
                    return None;
                }
                seen |= bit;
            }
            from = self.i;
            self.ws();
            match self.next()? {
                b',' => {}
                b'}' => {
                    layout.close = self.b.get(from..self.i)?;
                    return Some((row, layout));
                }
                _ => return None,
            }
        }
    }

    /// A row laid out exactly as `layout` (the same keys in the same order, with the same
    /// bytes between them; a chain's rows almost always are), read without looking at its
    /// keys; `None`, with the cursor anywhere in the row, where it is laid out otherwise.
    /// The layout came from a row [`Cursor::row`] read, so its keys are strings without
    /// escapes, each field it reads appears once, and its separators are JSON's: a row that
    /// matches it byte for byte reads as it would there.
    fn row_like(&mut self, layout: &Layout<'a>) -> Option<Row<'a>> {
        let mut row = Row::default();
        for &(before, field) in &layout.fields {
            self.bytes(before)?;
            self.field(field, &mut row)?;
        }
        self.bytes(layout.close)?;
        Some(row)
    }

    /// Exactly `want` here, consumed.
    #[inline]
    fn bytes(&mut self, want: &[u8]) -> Option<()> {
        let end = self.i.checked_add(want.len())?;
        same_bytes(self.b.get(self.i..end)?, want).then(|| self.i = end)
    }

    /// The value of `field`, read into `row`.
    fn field(&mut self, field: Field, row: &mut Row<'a>) -> Option<()> {
        let o = &mut row.numbers;
        match field {
            Field::Option => row.symbol = self.symbol_field()?,
            Field::Bid => o.bid = self.num()?,
            Field::Ask => o.ask = self.num()?,
            Field::BidSize => o.bid_size = self.num()?,
            Field::AskSize => o.ask_size = self.num()?,
            Field::Iv => o.iv = self.num()?,
            Field::OpenInterest => o.open_interest = self.num()?,
            Field::Volume => o.volume = self.num()?,
            Field::Delta => o.delta = self.num()?,
            Field::Gamma => o.gamma = self.num()?,
            Field::Vega => o.vega = self.num()?,
            Field::Theta => o.theta = self.num()?,
            Field::Rho => o.rho = self.num()?,
            Field::LastTradePrice => o.last_trade_price = self.num()?,
            Field::LastTradeTime => row.last_trade = self.text_field()?,
            Field::Other => self.skip_scalar()?,
        }
        Some(())
    }
}

/// One option row as read: its numbers (the text fields of `numbers` left empty), its
/// symbol and last-trade time borrowed from the document.
#[derive(Default)]
pub(super) struct Row<'a> {
    pub(super) numbers: WireOption,
    pub(super) symbol: Option<&'a str>,
    pub(super) last_trade: Option<&'a str>,
}

/// A row's layout: for each field in order, the bytes from the end of the value before (or
/// the row's start) to the start of its value (`, "bid": `), and the field; then the bytes
/// from the last value to the closing brace.
#[derive(Default)]
struct Layout<'a> {
    fields: Vec<(&'a [u8], Field)>,
    close: &'a [u8],
}

/// The fields of a CBOE option row this scanner reads; `Other` is skipped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Option,
    Bid,
    Ask,
    BidSize,
    AskSize,
    Iv,
    OpenInterest,
    Volume,
    Delta,
    Gamma,
    Vega,
    Theta,
    Rho,
    LastTradePrice,
    LastTradeTime,
    Other,
}

impl Field {
    fn of(key: &[u8]) -> Field {
        match key {
            b"option" => Field::Option,
            b"bid" => Field::Bid,
            b"ask" => Field::Ask,
            b"bid_size" => Field::BidSize,
            b"ask_size" => Field::AskSize,
            b"iv" => Field::Iv,
            b"open_interest" => Field::OpenInterest,
            b"volume" => Field::Volume,
            b"delta" => Field::Delta,
            b"gamma" => Field::Gamma,
            b"vega" => Field::Vega,
            b"theta" => Field::Theta,
            b"rho" => Field::Rho,
            b"last_trade_price" => Field::LastTradePrice,
            b"last_trade_time" => Field::LastTradeTime,
            _ => Field::Other,
        }
    }
}

/// About how many rows of `row` bytes the `left` bytes from a row's start hold: room for
/// the quotes is made once, not doubled up to 5,000 as they come. None for a row too short
/// to be a quote (an estimate from `{}` would be absurd), and never more than 100,000.
fn rows_like(row: usize, left: usize) -> usize {
    if row < 64 {
        0
    } else {
        (left / row + 1).min(100_000)
    }
}

/// Whether two byte strings are equal, compared eight bytes at a time (a row's separators
/// are 5 to 25 bytes long: a call to `memcmp` for each would cost more than the comparing).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn word(s: &[u8], at: usize) -> u64 {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(0, u64::from_le_bytes)
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a == b;
    }
    // Whole words from the start, then the last eight bytes (overlapping the one before).
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// Powers of ten exactly representable as `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A JSON number's value, correctly rounded (the standard library's parser); `None` where it
/// overflows (serde_json refuses those). `t` is in JSON's grammar.
fn decimal(t: &[u8]) -> Option<f64> {
    let v: f64 = std::str::from_utf8(t).ok()?.parse().ok()?;
    v.is_finite().then_some(v)
}

/// A number's value as the scanner reads it (fast path or parser).
#[cfg(test)]
fn value_of(t: &str) -> Option<f64> {
    let mut c = Cursor::new(t);
    let (text, v) = c.number()?;
    if c.i != t.len() {
        return None;
    }
    v.or_else(|| decimal(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_match_the_correctly_rounded_parse() {
        for t in [
            "0",
            "-0",
            "0.0",
            "-0.0000",
            "1",
            "124.83",
            "0.01",
            "-0.0065",
            "4.905754",
            "127.45",
            "999999999999999",
            "0.000000000000000000001",
            "123456789012345678901234567890",
            "1.7976931348623157e308",
            "2.2250738585072014e-308",
            "5e-324",
            "1e-400",
            "1E5",
            "1.5e+3",
            "-2.5E-3",
            "0.1",
            "0.2",
            "0.30000000000000004",
            "9007199254740993",
        ] {
            let want: f64 = t.parse().unwrap();
            let got = value_of(t).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}: {got} vs {want}");
        }
        assert_eq!(value_of("1e400"), None);
        assert_eq!(value_of("-1e309"), None);
    }

    #[test]
    fn numbers_follow_json_grammar() {
        for (t, want) in [
            ("0", Some("0")),
            ("-12.5e3,", Some("-12.5e3")),
            ("01", Some("0")),
            ("1.", None),
            (".5", None),
            ("-", None),
            ("1e", None),
            ("1e+", None),
            ("+1", None),
        ] {
            let mut c = Cursor::new(t);
            let got = c
                .number()
                .map(|(s, _)| std::str::from_utf8(s).unwrap().to_string());
            assert_eq!(got.as_deref(), want, "{t}");
            // Skipping a number checks the same grammar and stops at the same byte.
            let mut skip = Cursor::new(t);
            let skipped = skip.skip_number().map(|()| &t[..skip.i]);
            assert_eq!(skipped, want, "{t} skipped");
        }
        // A number out of range is refused as a value and skipped as serde skips it.
        assert!(Cursor::new("1e999").skip_number().is_some());
    }

    #[test]
    fn separators_compare_as_bytes_do() {
        let base: Vec<u8> = (0..40u8).map(|i| b' ' + i).collect();
        for n in 0..=base.len() {
            let a = &base[..n];
            assert!(same_bytes(a, a), "{n}");
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same_bytes(a, &b), "{n}, byte {at}");
            }
            if n > 0 {
                assert!(!same_bytes(a, &a[..n - 1]), "{n}, shorter");
            }
        }
    }

    #[test]
    fn a_row_start_is_a_brace_after_a_comma_and_whitespace() {
        let b = b"[{\"a\": 1}, {\"a\": 2},\n\t\r {}, x{}, \"s, {\"]";
        assert_eq!(row_start_after(b, 0), Some(11));
        assert_eq!(row_start_after(b, 11), Some(24), "whitespace of every kind");
        assert_eq!(row_start_after(b, 12), Some(24));
        assert_eq!(
            row_start_after(b, 25),
            Some(37),
            "a `, {{` in a string looks the same"
        );
        assert_eq!(row_start_after(b, 38), None);
        assert_eq!(row_start_after(b, b.len()), None);
        assert_eq!(row_start_after(b, b.len() + 7), None);
        assert_eq!(row_start_after(b",", 0), None);
    }

    #[test]
    fn room_is_made_for_rows_like_the_first() {
        assert_eq!(rows_like(450, 2_250_000), 5_001);
        assert_eq!(rows_like(2, 64 << 20), 0);
        assert_eq!(rows_like(64, 64 << 20), 100_000);
    }

    #[test]
    fn only_the_plain_shape_is_scanned() {
        let ok = r#"{"timestamp": "2026-11-16 15:30:00", "data": {"options": [{"option": "NVDA261120C00060000", "bid": 1.5, "ask": "1.7", "iv": null, "tick": "up", "x": true}], "symbol": "NVDA"}}"#;
        let s = scan(ok).expect("plain shape");
        assert_eq!(&ok[s.open - 1..s.open], "[");
        assert_eq!(&ok[s.close..s.close + 1], "]");
        assert_eq!(s.rows.quotes.len(), 1);
        assert_eq!(s.rows.quotes[0].bid, Some(1.5));
        assert_eq!(s.rows.quotes[0].ask, Some(1.7));
        let empty = r#"{"data": {"options": [ ]}}"#;
        assert!(scan(empty).is_some_and(|s| s.rows.quotes.is_empty() && s.close == s.open + 1));
        for bad in [
            // an escape in a string
            r#"{"data": {"options": [{"option": "NVDA\u0032", "bid": 1}]}}"#,
            // a nested value in a row or before the list
            r#"{"data": {"options": [{"option": "X", "greeks": {"d": 1}}]}}"#,
            r#"{"meta": {}, "data": {"options": []}}"#,
            // a repeated field
            r#"{"data": {"options": [{"bid": 1, "bid": 2}]}}"#,
            // a row that is not an object, a trailing comma, an overflow, truncation
            r#"{"data": {"options": [1]}}"#,
            r#"{"data": {"options": [{"bid": 1},]}}"#,
            r#"{"data": {"options": [{"bid": 1e999}]}}"#,
            r#"{"data": {"options": [{"bid": 1"#,
            // a number where text is expected (Text spells it out; left to serde)
            r#"{"data": {"options": [{"last_trade_time": 5}]}}"#,
            // no data.options list
            r#"{"data": {"symbol": "NVDA"}}"#,
            r#"{"data": null}"#,
        ] {
            assert!(scan(bad).is_none(), "{bad}");
        }
    }
}

//! A cheap look at the start of a JSON document: what kind of payload it is, from its first
//! telling top-level key, without parsing the rest.
//!
//! Why: a 5,000-contract CBOE chain is 2 MB of JSON. Recognizing it by deserializing the whole
//! document into a probe (and again to tell a ccplan snapshot from a provider answer) cost two
//! full passes before the one typed parse that matters. Every supported document says what it
//! is in its first keys (`{"timestamp": …, "data": {"options": [` for CBOE,
//! `{"ccplan_snapshot": 1, …` for a snapshot), so a byte scanner that reads keys and skips the
//! few values before the telling key decides in a few dozen bytes; the document is then parsed
//! once, typed, and that parse reports any JSON error with its line and column.
//!
//! The first telling key decides: `ccplan_snapshot`, `optionChain`, `chart`, `results`,
//! `history`, `expirations`, `data` (by the shape of its value: a list is a CBOE history, an
//! object with `options` a CBOE chain, another object a CBOE quote), and `options` with
//! `quotes` before or after it (Tradier). A document mixing two providers' keys is junk either
//! way; whichever parser it reaches refuses it. Anything the scanner cannot follow (not an
//! object, a key with escapes, a syntax error, the end of the text) answers `None`, and the
//! caller falls back to its full probe, which names the fault.

use super::bytes::Cursor;
use super::raw::PayloadKind;

/// What the start of a JSON document says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// A ccplan snapshot (`ccplan_snapshot` key).
    Snapshot,
    /// A provider payload of this kind ([`PayloadKind::Unknown`]: an object with none of the
    /// telling keys).
    Payload(PayloadKind),
}

/// Recognize a JSON document from its top-level keys (see the module docs). A leading
/// byte-order mark and whitespace are skipped.
pub(crate) fn sniff_json(text: &str) -> Option<Sniffed> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut s = Cursor::new(body);
    s.ws();
    s.eat(b'{')?;
    let (mut quotes, mut options) = (false, false);
    loop {
        s.ws();
        if s.peek()? == b'}' {
            return Some(Sniffed::Payload(match (options, quotes) {
                (true, true) => PayloadKind::TradierChainWithQuote,
                (true, false) => PayloadKind::TradierChain,
                _ => PayloadKind::Unknown,
            }));
        }
        let key = s.key()?;
        let decided = match key {
            b"ccplan_snapshot" => return Some(Sniffed::Snapshot),
            b"optionChain" => Some(PayloadKind::YahooChain),
            b"chart" => Some(PayloadKind::YahooChart),
            b"results" => Some(PayloadKind::PolygonSnapshot),
            b"history" => Some(PayloadKind::TradierHistory),
            b"expirations" => Some(PayloadKind::TradierExpirations),
            b"quotes" if options => Some(PayloadKind::TradierChainWithQuote),
            b"options" if quotes => Some(PayloadKind::TradierChainWithQuote),
            b"data" => s.data_shape()?,
            _ => None,
        };
        if let Some(kind) = decided {
            return Some(Sniffed::Payload(kind));
        }
        match key {
            b"quotes" => quotes = true,
            b"options" => options = true,
            _ => {}
        }
        if key != b"data" {
            s.skip_value()?;
        }
        s.ws();
        match s.next()? {
            b',' => {}
            b'}' => {
                s.i -= 1;
            }
            _ => return None,
        }
    }
}

impl<'a> Cursor<'a> {
    /// A key and its colon; `None` for a key with escapes (not worth unescaping to sniff).
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        loop {
            match self.next()? {
                b'"' => break,
                b'\\' => return None,
                _ => {}
            }
        }
        let key = &self.b[start..self.i - 1];
        self.ws();
        self.eat(b':')?;
        self.ws();
        Some(key)
    }

    /// The value of CBOE's `data`, consumed up to the telling part: `Some(Some(kind))` when
    /// it tells, `Some(None)` when it is some other value (skipped whole).
    fn data_shape(&mut self) -> Option<Option<PayloadKind>> {
        match self.peek()? {
            b'[' => Some(Some(PayloadKind::CboeHistory)),
            b'{' => {
                self.i += 1;
                loop {
                    self.ws();
                    if self.peek()? == b'}' {
                        return Some(Some(PayloadKind::CboeQuote));
                    }
                    if self.key()? == b"options" {
                        return Some(Some(PayloadKind::CboeChain));
                    }
                    self.skip_value()?;
                    self.ws();
                    match self.next()? {
                        b',' => {}
                        b'}' => return Some(Some(PayloadKind::CboeQuote)),
                        _ => return None,
                    }
                }
            }
            _ => {
                self.skip_value()?;
                Some(None)
            }
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            match self.next()? {
                b'"' => return Some(()),
                b'\\' => {
                    self.next()?;
                }
                _ => {}
            }
        }
    }

    /// Skip one value: a string, a nested object or list (brackets counted, strings
    /// respected), or a scalar up to the next delimiter.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let start = self.i;
                while !matches!(
                    self.peek()?,
                    b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'
                ) {
                    self.i += 1;
                }
                (self.i > start).then_some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<Sniffed> {
        sniff_json(s)
    }

    #[test]
    fn decides_on_the_first_telling_key() {
        use PayloadKind::*;
        let p = |k| Some(Sniffed::Payload(k));
        assert_eq!(
            kind(r#"{"timestamp": "2026-11-16 15:30:00", "data": {"options": [{"#),
            p(CboeChain),
            "a chain is told before its rows"
        );
        assert_eq!(
            kind(r#"{"data": {"symbol": "KO", "x": [1, {"a": "}"}], "options": ["#),
            p(CboeChain)
        );
        assert_eq!(kind(r#"{"data": {"symbol": "KO"}}"#), p(CboeQuote));
        assert_eq!(
            kind(r#"{"data": [{"date": "2026-01-02"}]}"#),
            p(CboeHistory)
        );
        assert_eq!(kind(r#"{"data": null, "chart": {}}"#), p(YahooChart));
        assert_eq!(kind(r#"{"optionChain": {"#), p(YahooChain));
        assert_eq!(kind(r#"{"status": "OK", "results": ["#), p(PolygonSnapshot));
        assert_eq!(kind(r#"{"history": {"day": []}}"#), p(TradierHistory));
        assert_eq!(
            kind(r#"{"expirations": {"date": []}}"#),
            p(TradierExpirations)
        );
        assert_eq!(
            kind(r#"{"quotes": {"quote": {}}, "options": {"#),
            p(TradierChainWithQuote)
        );
        assert_eq!(
            kind(r#"{"options": {"option": [{"s": "a\"]}"}]}, "quotes": {}}"#),
            p(TradierChainWithQuote),
            "quotes after a skipped chain, with a quote and a bracket inside a string"
        );
        assert_eq!(kind(r#"{"options": {"option": []}}"#), p(TradierChain));
        assert_eq!(kind(r#"{"status": "OK", "count": 3}"#), p(Unknown));
        assert_eq!(kind("\u{feff} {}"), p(Unknown));
        assert_eq!(
            kind("{\n  \"ccplan_snapshot\": 1,\n  \"snapshot\": {"),
            Some(Sniffed::Snapshot)
        );
        assert_eq!(
            kind(r#"{"snapshot": {"quotes": []}, "ccplan_snapshot": 1}"#),
            Some(Sniffed::Snapshot)
        );
    }

    #[test]
    fn gives_up_on_what_it_cannot_follow() {
        for s in [
            "",
            "[1, 2]",
            "<html>",
            r#"{"timestamp": "2026-11-16"#,
            r#"{"a\"b": 1, "data": []}"#,
            r#"{"a" 1}"#,
            r#"{"a": 1 "data": []}"#,
            r#"{"a": , "data": []}"#,
        ] {
            assert_eq!(kind(s), None, "{s:?}");
        }
    }
}

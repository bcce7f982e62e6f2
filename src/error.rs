//! The library's one error type.
//!
//! Every variant carries the facts a user needs to act: which provider, symbol, field, contract
//! or line, the value that was wrong and what was expected. Messages never contain credentials:
//! URLs are passed through [`redact_url`] before they are stored in an error.

use std::fmt;
use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which no-arbitrage bound an option price violates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceBound {
    /// Below the discounted intrinsic value: no volatility can produce the price.
    BelowIntrinsic,
    /// Above the discounted forward (call) or the discounted strike (put).
    AboveMaximum,
}

impl fmt::Display for PriceBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriceBound::BelowIntrinsic => f.write_str("below the discounted intrinsic value"),
            PriceBound::AboveMaximum => {
                f.write_str("above the upper bound (discounted forward for a call, discounted strike for a put)")
            }
        }
    }
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A numeric or textual argument outside its domain.
    #[error("invalid {what}: {value} (expected {expected})")]
    InvalidInput {
        /// The argument, e.g. "strike" or "time to expiry".
        what: &'static str,
        /// The offending value as given.
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },

    /// An option price that no volatility can produce.
    #[error("option price {price} is {bound}: bound {limit}, off by {excess:.3e}")]
    PriceOutOfBounds {
        /// The price given.
        price: f64,
        /// The bound violated.
        bound: PriceBound,
        /// The value of that bound.
        limit: f64,
        /// |price − bound|.
        excess: f64,
    },

    /// The price is exactly at a bound where implied volatility is not unique
    /// (e.g. exactly at intrinsic, which only zero volatility produces).
    #[error(
        "option price {price} is at the {bound} bound {limit}: implied volatility is {vol} there"
    )]
    PriceAtBound {
        /// The price given.
        price: f64,
        /// The bound hit.
        bound: PriceBound,
        /// The value of that bound.
        limit: f64,
        /// The limiting volatility (0 at intrinsic, +∞ at the upper bound).
        vol: f64,
    },

    /// An option symbol (OCC/OSI) that does not parse.
    #[error("bad option symbol {symbol:?}: {reason}")]
    BadSymbol {
        /// The symbol as given.
        symbol: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A record in a file or stream (CSV row, holdings entry, batch line) that is malformed.
    #[error("{source_name}, line {line}: {field}: {message}")]
    Record {
        /// The file name or "stdin".
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// The column or field at fault.
        field: String,
        /// What is wrong, with the value.
        message: String,
    },

    /// A provider's payload that does not have the expected shape.
    #[error("{provider} payload for {symbol}: {message}")]
    Payload {
        /// Provider name, e.g. "cboe".
        provider: &'static str,
        /// Symbol requested.
        symbol: String,
        /// What was wrong, naming the field.
        message: String,
    },

    /// The provider does not know the symbol (HTTP 404 or an empty answer).
    #[error("{provider}: unknown symbol {symbol} ({detail})")]
    UnknownSymbol {
        /// Provider name.
        provider: &'static str,
        /// Symbol requested.
        symbol: String,
        /// Details (status, provider message).
        detail: String,
    },

    /// The provider refused the request (HTTP 401/403).
    #[error("{provider}: access refused (HTTP {status}) for {symbol}: {hint}")]
    Unauthorized {
        /// Provider name.
        provider: &'static str,
        /// Symbol requested.
        symbol: String,
        /// HTTP status.
        status: u16,
        /// What to do about it.
        hint: String,
    },

    /// A credential the provider needs is not configured.
    #[error("{provider} needs {what}: {hint}")]
    MissingCredential {
        /// Provider name.
        provider: &'static str,
        /// The credential, e.g. "an API token".
        what: &'static str,
        /// Where to set it.
        hint: &'static str,
    },

    /// Any other HTTP-level failure, after retries.
    #[error("{provider}: {url}: {message}")]
    Http {
        /// Provider name.
        provider: &'static str,
        /// Redacted URL (credentials removed).
        url: String,
        /// HTTP status, when there was a response.
        status: Option<u16>,
        /// What happened (timeout, reset, 5xx after N tries, HTML page, truncated body...).
        message: String,
    },

    /// Data that is valid in form but cannot be used (no quotes, missing expiry, missing spot).
    #[error("{what} for {symbol}: {message}")]
    NoData {
        /// What was looked for, e.g. "option chain".
        what: &'static str,
        /// Symbol concerned.
        symbol: String,
        /// Details.
        message: String,
    },

    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// Writing output to a stream failed (a closed pipe, a full disk).
    #[error("writing output: {0}")]
    Output(#[source] std::io::Error),

    /// The local history store (SQLite) could not be opened, read or written: the file is not
    /// an SQLite database, belongs to another program, is locked for longer than the busy
    /// timeout, or holds a row that does not decode.
    #[error("history store {}: {message}", path.display())]
    Store {
        /// The store's file.
        path: PathBuf,
        /// What failed, naming the operation and SQLite's own message.
        message: String,
    },

    /// A broker export (positions or transactions) that ccplan recognized but could not read:
    /// the line and column it stopped at, and why.
    #[error("{source_name}, line {line}, column {column}: {format}: {message}")]
    Import {
        /// The file name or "stdin".
        source_name: String,
        /// The format recognized, e.g. "schwab positions".
        format: &'static str,
        /// 1-based line number.
        line: usize,
        /// 1-based column (CSV field) number; 0 when the whole line is at fault.
        column: usize,
        /// What is wrong, with the value.
        message: String,
    },

    /// A file in none of the formats ccplan reads; the message lists the ones it does.
    #[error("{source_name}: not a {what} ccplan recognizes ({detail}); known formats: {known}")]
    UnknownFormat {
        /// The file name or "stdin".
        source_name: String,
        /// What kind of file was expected, e.g. "holdings file".
        what: &'static str,
        /// What was seen instead.
        detail: String,
        /// The formats ccplan knows, comma-separated.
        known: String,
    },

    /// The store was written by a newer ccplan whose schema this version does not know.
    #[error(
        "history store {}: schema version {found} is newer than this ccplan understands \
         (up to {supported}); upgrade ccplan, or pass --store with another file",
        path.display()
    )]
    StoreTooNew {
        /// The store's file.
        path: PathBuf,
        /// The schema version found in the file (`PRAGMA user_version`).
        found: i64,
        /// The newest schema version this build can read and write.
        supported: i64,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`] with a displayable value.
    pub fn invalid(what: &'static str, value: impl fmt::Display, expected: &'static str) -> Self {
        Error::InvalidInput {
            what,
            value: tame(&value.to_string(), 120),
            expected,
        }
    }

    /// Shorthand for [`Error::Record`].
    pub fn record(
        source_name: impl Into<String>,
        line: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Record {
            source_name: source_name.into(),
            line,
            field: tame(&field.into(), 60),
            message: tame(&message.into(), 400),
        }
    }
}

/// Text from a bad input made safe to show: control characters escaped, and anything longer
/// than `max` characters cut in the middle (the head and the tail kept, the length said), so
/// a file of NUL bytes or a megabyte-long "column name" never floods a terminal.
pub fn tame(s: &str, max: usize) -> String {
    let escaped = |c: char| -> String {
        if c.is_control() && c != '\n' {
            c.escape_default().collect()
        } else {
            c.to_string()
        }
    };
    let n = s.chars().count();
    if n <= max && !s.chars().any(|c| c.is_control() && c != '\n') {
        return s.to_string();
    }
    if n <= max {
        return s.chars().map(escaped).collect();
    }
    let head = max * 2 / 3;
    let tail = max - head;
    let mut out: String = s.chars().take(head).map(escaped).collect();
    out.push_str(&format!(" …[{} characters cut]… ", n - head - tail));
    out.extend(s.chars().skip(n - tail).map(escaped));
    out
}

/// Remove credentials from a URL before it is shown anywhere: the values of query parameters
/// whose names look like keys or tokens, and any user:password part.
pub fn redact_url(url: &str) -> String {
    const SECRET_PARAMS: [&str; 7] = [
        "apikey",
        "api_key",
        "token",
        "access_token",
        "key",
        "secret",
        "crumb",
    ];
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    // Strip userinfo from scheme://user:pass@host/...
    let base = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://REDACTED@{host}{path}"),
                None => base.to_string(),
            }
        }
        None => base.to_string(),
    };
    match query {
        None => base,
        Some(q) => {
            let parts: Vec<String> = q
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str()) => {
                        format!("{k}=REDACTED")
                    }
                    _ => pair.to_string(),
                })
                .collect();
            format!("{base}?{}", parts.join("&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_messages_are_tamed() {
        let e = Error::record(
            "h.csv",
            1,
            "\0".repeat(5000),
            format!("{:?} is not a number", "\0".repeat(100_000)),
        );
        let s = e.to_string();
        assert!(s.len() < 1200, "{}", s.len());
        assert!(!s.contains('\0'));
        assert!(s.ends_with("is not a number"), "{s}");
        assert!(s.contains("characters cut"), "{s}");
        assert_eq!(tame("NVDA", 60), "NVDA");
        assert_eq!(tame("a\u{1b}b", 60), "a\\u{1b}b");
    }

    #[test]
    fn redacts_keys_and_userinfo() {
        assert_eq!(
            redact_url("https://api.polygon.io/v3/snapshot/options/AAPL?apiKey=abc123&limit=250"),
            "https://api.polygon.io/v3/snapshot/options/AAPL?apiKey=REDACTED&limit=250"
        );
        assert_eq!(
            redact_url("https://u:p@example.com/x?crumb=zz"),
            "https://REDACTED@example.com/x?crumb=REDACTED"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:8080/a"),
            "http://127.0.0.1:8080/a"
        );
    }
}

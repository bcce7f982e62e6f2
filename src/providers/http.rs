//! The HTTP client shared by the network providers.
//!
//! A thin layer over blocking `reqwest` (rustls, gzip, a cookie jar) that turns every way a
//! request can fail into an [`Error`] a user can act on:
//!
//! * **Retries** with exponential backoff and jitter on timeouts, connection failures, a body
//!   cut short, HTTP 5xx and HTTP 429. A `Retry-After` header given in seconds is honoured.
//!   No attempt starts once [`HttpConfig::retry_budget`] has elapsed since the first one, and a
//!   wait that would cross the budget is not taken: the error is returned at once instead.
//!   The budget is also shared by all the requests of one client and its clones (one
//!   provider, so one command): once failed attempts and waits add up to it, the next
//!   failure is final. A command that needs many requests (Polygon pages, Tradier expiries)
//!   therefore spends at most `retry_budget` on retrying in total.
//! * **Worst case.** One attempt lasts at most `read_timeout` to the response headers (the
//!   connect phase included) and then at most `transfer_timeout + read_timeout` in total, since
//!   the body deadline is checked between reads and a read waits at most `read_timeout`. So a
//!   call returns within `retry_budget + transfer_timeout + read_timeout`
//!   ([`HttpConfig::worst_case`]): 30 + 60 + 20 = 110 s with the defaults.
//! * **Size cap** enforced while reading the (decompressed) body, so a huge or endless answer,
//!   or a gzip bomb, stops at [`HttpConfig::max_body_bytes`].
//! * **Status mapping.** 401/403 become [`Error::Unauthorized`] with the provider's hint; 404
//!   becomes [`Error::UnknownSymbol`]; other 4xx are not retried.
//! * **Content checks.** An HTML page where JSON was expected (bot walls and consent pages
//!   come with status 200), an empty body, and JSON that ends early or does not parse are each
//!   reported as exactly that.
//! * **Redirects** are followed up to [`HttpConfig::max_redirects`]; a loop is an error.
//! * **Secrets never leak.** URLs in errors go through [`redact_url`], the `Authorization`
//!   header is never echoed, `reqwest`'s own messages are stripped of their URL, and every
//!   message is scrubbed of the secrets registered with [`HttpClient::with_secret`].
//!
//! The client reads the time and waits through its [`Clock`] ([`SystemClock`] unless
//! [`HttpClient::with_clock`] says otherwise), for the transfer deadline, the retry budget and
//! the backoff waits; tests give it a [`SkippingClock`](super::clock::SkippingClock) and assert
//! on the waits scheduled.

use std::collections::hash_map::RandomState;
use std::error::Error as StdError;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use reqwest::header::{HeaderMap, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use reqwest::redirect::Policy;

use super::clock::{Clock, SystemClock};
use crate::error::{redact_url, Error, Result};

/// Settings of the HTTP client. [`HttpConfig::default`] suits interactive use; tests shorten
/// the timeouts.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpConfig {
    /// Longest wait for the TCP (and TLS) connection. Default 10 s.
    pub connect_timeout: Duration,
    /// Longest wait for the response headers (connect included) and for each read of the body.
    /// Default 20 s.
    pub read_timeout: Duration,
    /// Longest time spent reading one body, checked between reads. Default 60 s (a 10 MB
    /// index chain over a slow link).
    pub transfer_timeout: Duration,
    /// Retries after the first attempt. Default 3.
    pub max_retries: u32,
    /// First backoff; doubled at each retry, with jitter (a random 50–100 % of it). Default
    /// 500 ms.
    pub base_backoff: Duration,
    /// Longest single backoff. Default 8 s.
    pub max_backoff: Duration,
    /// No retry starts after this much time since the first attempt, and no wait crosses it;
    /// the same budget also caps the time one client (one command) spends on failed attempts
    /// and waits over all its requests. Default 30 s.
    pub retry_budget: Duration,
    /// Largest body accepted, in bytes after decompression. Default 64 MiB (the `_SPX` chain
    /// from CBOE is 10 MB or more).
    pub max_body_bytes: u64,
    /// Redirects followed before giving up. Default 5.
    pub max_redirects: usize,
    /// `User-Agent` header. Default `ccplan/<crate version>`.
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            transfer_timeout: Duration::from_secs(60),
            max_retries: 3,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            retry_budget: Duration::from_secs(30),
            max_body_bytes: 64 * 1024 * 1024,
            max_redirects: 5,
            user_agent: format!("ccplan/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

impl HttpConfig {
    /// Upper bound on the time one [`HttpClient`] call can take, retries included:
    /// `retry_budget + transfer_timeout + read_timeout`.
    pub fn worst_case(&self) -> Duration {
        self.retry_budget + self.transfer_timeout + self.read_timeout
    }
}

/// What kind of body a call expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A JSON document: HTML, empty, truncated or invalid bodies are errors.
    Json,
    /// Plain text (Yahoo's crumb): HTML and empty bodies are errors.
    Text,
    /// Anything, any status (Yahoo's cookie page).
    Any,
}

/// A status and a body, for [`HttpClient::get_any`].
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// The body, lossily decoded as UTF-8.
    pub body: String,
}

/// A blocking HTTP client for one provider. Cheap to share between threads (`Sync`). Its
/// `Debug` output leaves the registered secrets out.
///
/// The retry budget is spent over the client's whole life (clones share it), which suits one
/// client per command or job; a long-lived program should make a new provider per job.
#[derive(Clone)]
pub struct HttpClient {
    client: Client,
    config: HttpConfig,
    provider: &'static str,
    unauthorized_hint: String,
    secrets: Vec<String>,
    /// Time spent on failed attempts and backoff waits by this client and its clones, so the
    /// retry budget bounds a whole command, not each request.
    retry_spent: Arc<Mutex<Duration>>,
    /// Time and waits.
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("provider", &self.provider)
            .field("config", &self.config)
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .finish()
    }
}

/// Outcome of one attempt that may be retried.
enum Attempt {
    Done(Result<(u16, String)>),
    Retry {
        error: Error,
        retry_after: Option<Duration>,
    },
}

impl HttpClient {
    /// A client for `provider` (used in error messages).
    pub fn new(provider: &'static str, config: HttpConfig) -> Result<Self> {
        let client = Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.read_timeout)
            .gzip(true)
            .cookie_store(true)
            .redirect(Policy::limited(config.max_redirects))
            .build()
            .map_err(|e| Error::Http {
                provider,
                url: String::new(),
                status: None,
                message: format!("cannot build the HTTP client: {}", chain(&e.without_url())),
            })?;
        Ok(HttpClient {
            client,
            config,
            provider,
            unauthorized_hint: "the provider refused access; check the credentials, or try \
                                later or another source"
                .to_string(),
            secrets: Vec::new(),
            retry_spent: Arc::new(Mutex::new(Duration::ZERO)),
            clock: Arc::new(SystemClock),
        })
    }

    /// Read the time and wait through `clock` (see [`super::clock`]).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn since(&self, start: Instant) -> Duration {
        self.clock.now().saturating_duration_since(start)
    }

    /// The hint carried by [`Error::Unauthorized`] for this provider.
    pub fn with_unauthorized_hint(mut self, hint: impl Into<String>) -> Self {
        self.unauthorized_hint = hint.into();
        self
    }

    /// Register a secret (token, key) that must never appear in an error message.
    pub fn with_secret(mut self, secret: &str) -> Self {
        if !secret.is_empty() {
            self.secrets.push(secret.to_string());
        }
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// GET a JSON document. `headers` are added to the request; `symbol` names the request in
    /// errors. Returns the body, checked to be complete, well-formed JSON.
    pub fn get_json(&self, url: &str, headers: &[(&str, &str)], symbol: &str) -> Result<String> {
        self.get(url, headers, symbol, Expect::Json).map(|(_, b)| b)
    }

    /// GET a short plain-text answer (HTML and empty bodies are errors).
    pub fn get_text(&self, url: &str, headers: &[(&str, &str)], symbol: &str) -> Result<String> {
        self.get(url, headers, symbol, Expect::Text).map(|(_, b)| b)
    }

    /// GET anything and return the status and body without judging them (retries still apply
    /// to connection failures, 5xx and 429). Used to collect cookies.
    pub fn get_any(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        symbol: &str,
    ) -> Result<RawResponse> {
        self.get(url, headers, symbol, Expect::Any)
            .map(|(status, body)| RawResponse { status, body })
    }

    fn get(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        symbol: &str,
        expect: Expect,
    ) -> Result<(u16, String)> {
        let start = self.clock.now();
        let mut attempt: u32 = 0;
        loop {
            let attempt_start = self.clock.now();
            match self.attempt(url, headers, symbol, expect) {
                Attempt::Done(r) => return r.map_err(|e| self.scrub(e)),
                Attempt::Retry { error, retry_after } => {
                    let spent = self.add_retry_time(self.since(attempt_start));
                    let tries = attempt + 1;
                    if attempt >= self.config.max_retries {
                        return Err(self.scrub(with_tries(error, tries)));
                    }
                    let wait = match retry_after {
                        Some(w) => w,
                        None => self.backoff(attempt),
                    };
                    // This request's time so far, or the whole client's time on failures,
                    // whichever is more.
                    let elapsed = self.since(start).max(spent);
                    if elapsed + wait > self.config.retry_budget {
                        let why = match retry_after {
                            Some(w) => format!(
                                "the server asked to wait {} s (Retry-After), past the retry \
                                 budget of {} s",
                                w.as_secs(),
                                self.config.retry_budget.as_secs_f64()
                            ),
                            None => format!(
                                "retry budget of {} s spent",
                                self.config.retry_budget.as_secs_f64()
                            ),
                        };
                        return Err(self.scrub(append(with_tries(error, tries), &why)));
                    }
                    self.clock.sleep(wait);
                    self.add_retry_time(wait);
                    attempt += 1;
                }
            }
        }
    }

    /// Add to the time spent on failures and waits; returns the new total.
    fn add_retry_time(&self, d: Duration) -> Duration {
        let mut spent = self
            .retry_spent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *spent += d;
        *spent
    }

    /// Exponential backoff with "equal jitter": a random 50–100 % of base × 2^attempt, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .config
            .base_backoff
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.config.max_backoff);
        let r = RandomState::new().build_hasher().finish();
        let frac = 0.5 + 0.5 * ((r >> 11) as f64 / (1u64 << 53) as f64);
        exp.mul_f64(frac)
    }

    fn http_err(&self, url: &str, status: Option<u16>, message: impl Into<String>) -> Error {
        Error::Http {
            provider: self.provider,
            url: redact_url(url),
            status,
            message: message.into(),
        }
    }

    fn attempt(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        symbol: &str,
        expect: Expect,
    ) -> Attempt {
        let mut req = self.client.get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let started = self.clock.now();
        let resp = match req.send() {
            Ok(r) => r,
            Err(e) => {
                let error = self.http_err(url, None, describe(&e, &self.config));
                return if e.is_redirect() || e.is_builder() {
                    Attempt::Done(Err(error))
                } else {
                    Attempt::Retry {
                        error,
                        retry_after: None,
                    }
                };
            }
        };
        let status = resp.status().as_u16();
        // The URL after redirects, for messages.
        let final_url = resp.url().to_string();
        let retry_after = parse_retry_after(resp.headers());
        let is_html = content_type(resp.headers()).contains("text/html");

        if expect != Expect::Any {
            match status {
                401 | 403 => {
                    return Attempt::Done(Err(Error::Unauthorized {
                        provider: self.provider,
                        symbol: symbol.to_string(),
                        status,
                        hint: self.unauthorized_hint.clone(),
                    }))
                }
                404 => {
                    return Attempt::Done(Err(Error::UnknownSymbol {
                        provider: self.provider,
                        symbol: symbol.to_string(),
                        detail: format!("HTTP 404 for {}", redact_url(&final_url)),
                    }))
                }
                _ => {}
            }
        }
        if status == 429 || (500..=599).contains(&status) {
            let what = if status == 429 {
                "rate limited (HTTP 429)".to_string()
            } else {
                format!("server error (HTTP {status})")
            };
            return Attempt::Retry {
                error: self.http_err(&final_url, Some(status), what),
                retry_after,
            };
        }
        if expect != Expect::Any && !(200..=299).contains(&status) {
            return Attempt::Done(Err(self.http_err(
                &final_url,
                Some(status),
                format!("unexpected HTTP status {status}"),
            )));
        }

        let body = match self.read_body(resp, started) {
            Ok(b) => b,
            Err((message, retryable)) => {
                let error = self.http_err(&final_url, Some(status), message);
                return if retryable {
                    Attempt::Retry {
                        error,
                        retry_after: None,
                    }
                } else {
                    Attempt::Done(Err(error))
                };
            }
        };
        if expect == Expect::Any {
            return Attempt::Done(Ok((status, body)));
        }
        let trimmed = body.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
        if is_html || trimmed.starts_with('<') {
            return Attempt::Done(Err(self.http_err(
                &final_url,
                Some(status),
                format!(
                    "the server answered HTTP {status} with an HTML page instead of {} \
                     (a bot wall, a consent page or an error page)",
                    if expect == Expect::Json {
                        "JSON"
                    } else {
                        "text"
                    }
                ),
            )));
        }
        if trimmed.is_empty() {
            return Attempt::Done(Err(self.http_err(
                &final_url,
                Some(status),
                format!("the server answered HTTP {status} with an empty body"),
            )));
        }
        if expect == Expect::Json {
            if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&body) {
                let message = if e.is_eof() {
                    format!(
                        "truncated JSON: the body ends after {} bytes in the middle of the \
                         document",
                        body.len()
                    )
                } else {
                    format!(
                        "invalid JSON at line {} column {}: {}",
                        e.line(),
                        e.column(),
                        e
                    )
                };
                return Attempt::Done(Err(self.http_err(&final_url, Some(status), message)));
            }
        }
        Attempt::Done(Ok((status, body)))
    }

    /// Read the body under the size cap and the transfer deadline. The error says whether a
    /// retry may help.
    fn read_body(
        &self,
        mut resp: Response,
        started: Instant,
    ) -> std::result::Result<String, (String, bool)> {
        let cap = self.config.max_body_bytes;
        let declared = resp
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let compressed = resp.headers().get("content-encoding").is_some();
        if let Some(n) = declared {
            if n > cap && !compressed {
                return Err((
                    format!("response of {n} bytes is larger than the cap of {cap} bytes"),
                    false,
                ));
            }
        }
        let mut buf: Vec<u8> = Vec::with_capacity(declared.unwrap_or(0).min(cap) as usize);
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            if self.since(started) > self.config.transfer_timeout {
                return Err((
                    format!(
                        "the body took longer than {} s to arrive ({} bytes read)",
                        self.config.transfer_timeout.as_secs_f64(),
                        buf.len()
                    ),
                    true,
                ));
            }
            match resp.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    if buf.len() as u64 + n as u64 > cap {
                        return Err((
                            format!(
                                "response body exceeds the cap of {cap} bytes; stopped reading"
                            ),
                            false,
                        ));
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let timed_out = e.kind() == std::io::ErrorKind::TimedOut
                        || chain(&e).to_ascii_lowercase().contains("timed out");
                    let message = if timed_out {
                        format!(
                            "timed out reading the body after {} bytes (read timeout {} s)",
                            buf.len(),
                            self.config.read_timeout.as_secs_f64()
                        )
                    } else {
                        format!(
                            "the connection broke after {} bytes of the body (truncated \
                             response): {}",
                            buf.len(),
                            chain(&e)
                        )
                    };
                    return Err((message, true));
                }
            }
        }
        Ok(String::from_utf8(buf)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    /// Remove every registered secret from an error's text fields.
    fn scrub(&self, error: Error) -> Error {
        if self.secrets.is_empty() {
            return error;
        }
        let clean = |s: String| {
            self.secrets
                .iter()
                .fold(s, |acc, secret| acc.replace(secret.as_str(), "REDACTED"))
        };
        match error {
            Error::Http {
                provider,
                url,
                status,
                message,
            } => Error::Http {
                provider,
                url: clean(url),
                status,
                message: clean(message),
            },
            Error::UnknownSymbol {
                provider,
                symbol,
                detail,
            } => Error::UnknownSymbol {
                provider,
                symbol: clean(symbol),
                detail: clean(detail),
            },
            Error::Unauthorized {
                provider,
                symbol,
                status,
                hint,
            } => Error::Unauthorized {
                provider,
                symbol: clean(symbol),
                status,
                hint: clean(hint),
            },
            other => other,
        }
    }
}

fn with_tries(error: Error, tries: u32) -> Error {
    append(
        error,
        &format!(
            "gave up after {tries} attempt{}",
            if tries == 1 { "" } else { "s" }
        ),
    )
}

fn append(error: Error, extra: &str) -> Error {
    match error {
        Error::Http {
            provider,
            url,
            status,
            message,
        } => Error::Http {
            provider,
            url,
            status,
            message: format!("{message}; {extra}"),
        },
        other => other,
    }
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// `Retry-After` in delta-seconds. The HTTP-date form would need the wall clock, which the
/// library does not read; it falls back to the usual backoff.
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let secs: u64 = v.parse().ok()?;
    Some(Duration::from_secs(secs))
}

/// The error and its causes, joined, without the URL that `reqwest` puts in its messages.
fn chain(e: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}

fn describe(e: &reqwest::Error, config: &HttpConfig) -> String {
    let inner = match e.source() {
        Some(s) => chain(s),
        None => String::new(),
    };
    if e.is_timeout() {
        format!(
            "timed out (connect timeout {} s, read timeout {} s)",
            config.connect_timeout.as_secs_f64(),
            config.read_timeout.as_secs_f64()
        )
    } else if e.is_redirect() {
        format!(
            "too many redirects (more than {}): a redirect loop?",
            config.max_redirects
        )
    } else if e.is_connect() {
        format!("could not connect: {inner}")
    } else if inner.is_empty() {
        "request failed".to_string()
    } else {
        format!("request failed: {inner}")
    }
}

/// Percent-encode one path segment or query value (RFC 3986 unreserved characters kept).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The scheme and host to use: the override when given (trailing `/` removed), else the
/// provider's default.
pub(crate) fn base_or(base_url: Option<&str>, default: &str) -> String {
    match base_url.map(str::trim).filter(|s| !s.is_empty()) {
        Some(b) => b.trim_end_matches('/').to_string(),
        None => default.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_worst_case() {
        let c = HttpConfig::default();
        assert_eq!(c.worst_case(), Duration::from_secs(110));
        assert!(c.user_agent.starts_with("ccplan/"));
    }

    #[test]
    fn backoff_grows_with_jitter_and_cap() {
        let client = HttpClient::new("test", HttpConfig::default()).unwrap();
        for attempt in 0..10 {
            let b = client.backoff(attempt);
            let full = Duration::from_millis(500)
                .saturating_mul(1 << attempt)
                .min(Duration::from_secs(8));
            assert!(b >= full / 2 && b <= full, "{attempt}: {b:?}");
        }
    }

    #[test]
    fn encodes_and_bases() {
        assert_eq!(encode("^SPX"), "%5ESPX");
        assert_eq!(encode("BRK.B"), "BRK.B");
        assert_eq!(
            base_or(Some("http://127.0.0.1:9/"), "x"),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            base_or(None, "https://cdn.cboe.com"),
            "https://cdn.cboe.com"
        );
    }

    #[test]
    fn retry_after_seconds_only() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(parse_retry_after(&h), None);
    }
}

//! A loopback HTTP/1.1 server for provider tests, with fault injection.
//!
//! `TestServer::start()` binds `127.0.0.1:0` and serves canned [`Reply`]s by request target:
//! an exact `path?query` route wins over a `path` route; unknown targets get a JSON 404.
//! A route may hold a sequence of replies (served in order, the last one repeating), which is
//! how "fail twice, then succeed" is written. Every request is recorded (method, target,
//! headers) for assertions.
//!
//! Faults ([`Fault`]): a delay before answering, never answering, a TCP reset, a body cut
//! short of its `Content-Length`, a body without `Content-Length` (read to EOF), and a body
//! trickled slowly. Status codes and headers (`Retry-After`, `Location` for redirect loops,
//! `Content-Encoding`) are part of the reply. The server never touches anything but loopback.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use ccplan::providers::http::HttpConfig;

/// A fault applied while answering.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer normally.
    None,
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Read the request and never answer (the connection is held open for a minute).
    NeverAnswer,
    /// Read the request, then reset the connection (RST) without answering.
    Reset,
    /// Declare the full `Content-Length` but send only this many body bytes, then close.
    Truncate(usize),
    /// Send the body without `Content-Length`, closing the connection to end it.
    NoContentLength,
    /// Send the body in chunks of this many bytes with a pause between them.
    Trickle(usize, Duration),
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub fault: Fault,
}

impl Reply {
    /// 200 with a JSON body.
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            fault: Fault::None,
        }
    }
    /// 200 with a fixture file as JSON.
    pub fn fixture(path: &str) -> Self {
        Reply::json(fixture(path))
    }
    /// 200 with plain text.
    pub fn text(body: &str) -> Self {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.as_bytes().to_vec(),
            fault: Fault::None,
        }
    }
    /// An HTML page (status 200 unless changed).
    pub fn html(body: &str) -> Self {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
            fault: Fault::None,
        }
    }
    /// A status with a short JSON body.
    pub fn status(code: u16) -> Self {
        Reply {
            status: code,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: format!("{{\"status\":{code}}}").into_bytes(),
            fault: Fault::None,
        }
    }
    /// A 302 to `location`.
    pub fn redirect(location: &str) -> Self {
        Reply::status(302).header("Location", location)
    }
    /// Add a header.
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    /// Set the status.
    pub fn with_status(mut self, code: u16) -> Self {
        self.status = code;
        self
    }
    /// Apply a fault.
    pub fn fault(mut self, f: Fault) -> Self {
        self.fault = f;
        self
    }
}

/// A request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    routes: Mutex<HashMap<String, VecDeque<Reply>>>,
    seen: Mutex<Vec<Seen>>,
    stop: AtomicBool,
    /// Requests being answered now (request read, reply not yet written), and the most at
    /// once.
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// Counts a connection as in flight while it lives.
struct InFlight<'a>(&'a State);

impl<'a> InFlight<'a> {
    fn new(state: &'a State) -> Self {
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(state)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The server. Stops accepting when dropped.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
}

impl TestServer {
    /// Bind 127.0.0.1:0 and start serving.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(State::default());
        let st = Arc::clone(&state);
        thread::spawn(move || {
            for conn in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = conn else { continue };
                let st = Arc::clone(&st);
                thread::spawn(move || handle(stream, &st));
            }
        });
        TestServer { addr, state }
    }

    /// The most requests answered at once so far.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serve `reply` for `target` (`/path` or `/path?query`), replacing earlier routes.
    pub fn route(&self, target: &str, reply: Reply) {
        self.route_seq(target, vec![reply]);
    }

    /// Serve `replies` in order for `target`; the last one repeats.
    pub fn route_seq(&self, target: &str, replies: Vec<Reply>) {
        self.state
            .routes
            .lock()
            .unwrap()
            .insert(target.to_string(), replies.into());
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// How many requests had this path.
    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(100));
    }
}

fn pick(state: &State, path: &str, target: &str) -> Reply {
    let mut routes = state.routes.lock().unwrap();
    for key in [target, path] {
        if let Some(q) = routes.get_mut(key) {
            if q.len() > 1 {
                if let Some(r) = q.pop_front() {
                    return r;
                }
            }
            if let Some(r) = q.front() {
                return r.clone();
            }
        }
    }
    Reply::status(404)
}

fn handle(stream: TcpStream, state: &State) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            break;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    state.seen.lock().unwrap().push(Seen {
        method,
        target: target.clone(),
        path: path.clone(),
        query,
        headers,
    });
    let reply = pick(state, &path, &target);
    respond(stream, reply, InFlight::new(state));
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        302 => "Found",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Answer; `in_flight` counts the request as being served until its reply is written.
fn respond(mut stream: TcpStream, reply: Reply, in_flight: InFlight<'_>) {
    match reply.fault {
        Fault::Delay(d) => thread::sleep(d),
        Fault::NeverAnswer => {
            thread::sleep(Duration::from_secs(60));
            return;
        }
        Fault::Reset => {
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            drop(stream);
            return;
        }
        _ => {}
    }
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if reply.fault != Fault::NoContentLength {
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    match reply.fault {
        Fault::Truncate(n) => {
            let _ = stream.write_all(&reply.body[..n.min(reply.body.len())]);
        }
        Fault::Trickle(chunk, pause) => {
            for c in reply.body.chunks(chunk.max(1)) {
                if stream.write_all(c).is_err() || stream.flush().is_err() {
                    return;
                }
                thread::sleep(pause);
            }
        }
        _ => {
            let _ = stream.write_all(&reply.body);
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    drop(in_flight);
    // Let the client read everything before the socket closes.
    thread::sleep(Duration::from_millis(20));
}

/// The text of `tests/fixtures/<path>`.
pub fn fixture(path: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", path]
        .iter()
        .collect();
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display()))
}

/// Short timeouts and backoffs so failure tests run in well under a second each.
pub fn fast_config() -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_millis(500),
        read_timeout: Duration::from_millis(400),
        transfer_timeout: Duration::from_secs(2),
        max_retries: 2,
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        retry_budget: Duration::from_secs(3),
        max_body_bytes: 1024 * 1024,
        max_redirects: 3,
        ..HttpConfig::default()
    }
}

/// A client on `config` whose waits are recorded and skipped (see
/// `ccplan::providers::clock`), with its clock, so tests assert on what was scheduled.
pub fn skipping_client(
    config: HttpConfig,
) -> (
    ccplan::providers::http::HttpClient,
    Arc<ccplan::providers::clock::SkippingClock>,
) {
    let clock = Arc::new(ccplan::providers::clock::SkippingClock::new());
    let client = ccplan::providers::http::HttpClient::new("test", config)
        .unwrap()
        .with_clock(clock.clone());
    (client, clock)
}

/// A date.
pub fn d(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A `ChainRequest` for every expiry, as of a fixed instant.
pub fn request(symbol: &str) -> ccplan::providers::ChainRequest {
    ccplan::providers::ChainRequest {
        symbol: symbol.to_string(),
        expiries: ccplan::providers::ExpiryFilter::All,
        as_of: chrono::DateTime::parse_from_rfc3339("2026-03-13T16:30:00-04:00").unwrap(),
    }
}

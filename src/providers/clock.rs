//! The HTTP client's clock and sleep, injectable so tests can see what was scheduled.
//!
//! Why: a retry test that sleeps for a `Retry-After: 1` and then checks the wall clock is slow
//! and flaky on a loaded machine. [`HttpClient::with_clock`](super::http::HttpClient::with_clock)
//! takes a [`Clock`]; [`SystemClock`] (the default) really waits, [`SkippingClock`] records
//! each wait and skips it, moving its time forward by the wait instead, so a test asserts
//! "waited 1 s, once" exactly and at once. Socket timeouts stay real time: they are the
//! operating system's.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where the HTTP client reads the time and how it waits.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;
    /// Wait for `d` (a backoff or a server's `Retry-After`).
    fn sleep(&self, d: Duration);
}

/// Real time and real waits.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// Real time plus every wait asked for, which is recorded and not waited.
#[derive(Debug, Default)]
pub struct SkippingClock {
    state: Mutex<(Duration, Vec<Duration>)>,
}

impl SkippingClock {
    /// A clock that has skipped nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The waits asked for, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().1.clone()
    }

    /// Their sum.
    pub fn slept(&self) -> Duration {
        self.lock().0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Duration, Vec<Duration>)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clock for SkippingClock {
    fn now(&self) -> Instant {
        Instant::now() + self.lock().0
    }
    fn sleep(&self, d: Duration) {
        let mut s = self.lock();
        s.0 += d;
        s.1.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipping_clock_moves_on_by_the_waits() {
        let c = SkippingClock::new();
        let t0 = c.now();
        c.sleep(Duration::from_secs(3600));
        c.sleep(Duration::from_millis(5));
        assert!(c.now() - t0 >= Duration::from_millis(3_600_005));
        assert_eq!(
            c.sleeps(),
            vec![Duration::from_secs(3600), Duration::from_millis(5)]
        );
        assert_eq!(c.slept(), Duration::from_millis(3_600_005));
    }
}

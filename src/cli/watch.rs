//! `--watch`: when the next check is, and the clock that waits for it.
//!
//! Checks run during NYSE sessions (09:30 to 16:00 New York on trading days of
//! `ccplan::providers::calendar`). After the close the watch stops, unless `--overnight`, which
//! waits for the next session's open. A check due before the open waits for it.
//!
//! The clock is injected: the system clock sleeps for real; the replay clock (used with
//! `--as-of`, and in tests) moves "now" forward without waiting, so a watch over a frozen
//! instant replays the rest of that session at once and stops by itself.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::America::New_York;

use ccplan::providers::calendar::{is_trading_day, new_york_date, next_trading_day};

/// "Now" and waiting.
pub trait Clock {
    /// The current instant.
    fn now(&mut self) -> DateTime<FixedOffset>;
    /// Wait until `t` (returns at once if `t` is past).
    fn sleep_until(&mut self, t: DateTime<FixedOffset>);
}

/// The system clock: whole seconds, real sleeps.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&mut self) -> DateTime<FixedOffset> {
        let t = Utc::now();
        let t = t - Duration::nanoseconds(i64::from(chrono::Timelike::nanosecond(&t)));
        t.with_timezone(&New_York).fixed_offset()
    }
    fn sleep_until(&mut self, t: DateTime<FixedOffset>) {
        let now = self.now();
        if let Ok(d) = (t - now).to_std() {
            std::thread::sleep(d);
        }
    }
}

/// A clock that jumps: sleeping sets "now" to the wake-up instant.
pub struct ReplayClock {
    /// The current instant.
    pub now: DateTime<FixedOffset>,
}

impl Clock for ReplayClock {
    fn now(&mut self) -> DateTime<FixedOffset> {
        self.now
    }
    fn sleep_until(&mut self, t: DateTime<FixedOffset>) {
        if t > self.now {
            self.now = t;
        }
    }
}

fn at(date: NaiveDate, h: u32, m: u32) -> Option<DateTime<FixedOffset>> {
    let local = date.and_time(NaiveTime::from_hms_opt(h, m, 0)?);
    New_York
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.fixed_offset())
}

/// The session open (09:30) and close (16:00) of `date` in New York.
fn session(date: NaiveDate) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    Some((at(date, 9, 30)?, at(date, 16, 0)?))
}

/// When the check after one at `last` is due, or `None` when the watch should stop.
pub fn next_check(
    last: DateTime<FixedOffset>,
    interval: Duration,
    overnight: bool,
) -> Option<DateTime<FixedOffset>> {
    let t = last + interval;
    let date = new_york_date(&t);
    if is_trading_day(date) {
        let (open, close) = session(date)?;
        if t < open {
            return Some(open);
        }
        if t <= close {
            return Some(t);
        }
    }
    if !overnight {
        return None;
    }
    let mut d = date;
    if !(is_trading_day(d) && t < session(d)?.0) {
        d = next_trading_day(d);
    }
    session(d).map(|(open, _)| open)
}

/// `15m`, `1h`, `90s`, `2h30m`: a positive interval of at least one minute.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    let mut total = 0i64;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits
            .parse()
            .map_err(|_| format!("{s:?}: expected an interval like 15m, 1h or 2h30m"))?;
        digits.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(format!("{s:?}: unknown unit {c:?} (use s, m or h)")),
        };
        total = total.saturating_add(n.saturating_mul(unit));
    }
    if !digits.is_empty() {
        return Err(format!("{s:?}: give a unit (15m, 1h)"));
    }
    if total < 60 {
        return Err(format!("{s:?}: the interval must be at least one minute"));
    }
    Ok(Duration::seconds(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<FixedOffset> {
        at(NaiveDate::from_ymd_opt(y, m, d).unwrap(), h, min).unwrap()
    }

    #[test]
    fn checks_run_in_the_session_and_stop_at_the_close() {
        let q = Duration::minutes(15);
        // Friday 2026-11-20.
        assert_eq!(
            next_check(ny(2026, 11, 20, 15, 30), q, false),
            Some(ny(2026, 11, 20, 15, 45))
        );
        assert_eq!(
            next_check(ny(2026, 11, 20, 15, 45), q, false),
            Some(ny(2026, 11, 20, 16, 0))
        );
        assert_eq!(next_check(ny(2026, 11, 20, 16, 0), q, false), None);
        // Before the open: wait for it.
        assert_eq!(
            next_check(ny(2026, 11, 20, 7, 0), q, false),
            Some(ny(2026, 11, 20, 9, 30))
        );
        // Overnight: Friday's close to Monday's open; Thanksgiving 2026-11-26 is skipped.
        assert_eq!(
            next_check(ny(2026, 11, 20, 16, 0), q, true),
            Some(ny(2026, 11, 23, 9, 30))
        );
        assert_eq!(
            next_check(ny(2026, 11, 25, 16, 0), q, true),
            Some(ny(2026, 11, 27, 9, 30))
        );
        // A Saturday start without --overnight stops.
        assert_eq!(next_check(ny(2026, 11, 21, 12, 0), q, false), None);
    }

    #[test]
    fn a_replayed_watch_stops_by_itself() {
        let mut clock = ReplayClock {
            now: ny(2026, 11, 20, 14, 0),
        };
        let mut checks = vec![clock.now()];
        while let Some(t) = next_check(clock.now(), Duration::minutes(30), false) {
            clock.sleep_until(t);
            checks.push(clock.now());
            assert!(checks.len() < 100, "runaway watch");
        }
        assert_eq!(checks.len(), 5); // 14:00, 14:30, 15:00, 15:30, 16:00
        assert_eq!(checks.last(), Some(&ny(2026, 11, 20, 16, 0)));
    }

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("15m"), Ok(Duration::minutes(15)));
        assert_eq!(parse_interval("2h30m"), Ok(Duration::minutes(150)));
        assert_eq!(parse_interval("90s"), Ok(Duration::seconds(90)));
        assert_eq!(
            parse_interval("15"),
            Err("\"15\": give a unit (15m, 1h)".to_string())
        );
        assert_eq!(
            parse_interval("30s"),
            Err("\"30s\": the interval must be at least one minute".to_string())
        );
        assert_eq!(
            parse_interval("5x"),
            Err("\"5x\": unknown unit 'x' (use s, m or h)".to_string())
        );
    }
}

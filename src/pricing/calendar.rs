//! The NYSE trading calendar and US equity option expiries, computed by rule.
//!
//! Why by rule and not from a table: ccplan prices options years out and simulates history
//! decades back, and a table silently runs out. The exchange's full-day holidays follow fixed
//! rules (NYSE Rule 7.2):
//!
//! | holiday | rule |
//! |---|---|
//! | New Year's Day | January 1 |
//! | Martin Luther King Jr. Day | third Monday of January (from 1998) |
//! | Washington's Birthday (Presidents' Day) | third Monday of February |
//! | Good Friday | two days before Easter Sunday (Gregorian computus) |
//! | Memorial Day | last Monday of May |
//! | Juneteenth | June 19 (from 2022) |
//! | Independence Day | July 4 |
//! | Labor Day | first Monday of September |
//! | Thanksgiving | fourth Thursday of November |
//! | Christmas | December 25 |
//!
//! A fixed-date holiday on a Saturday is observed on the Friday before, on a Sunday on the
//! Monday after, except New Year's Day on a Saturday, which is not observed at all (the Friday
//! before is the last session of the year, and the exchange keeps it open).
//!
//! The unscheduled closures since 2001 (9/11, presidential funerals, Hurricane Sandy) are kept
//! in a short table, [`SPECIAL_CLOSURES`], so that simulated and loaded histories line up with
//! real ones. Early closes (13:00 sessions) are full trading days here.
//!
//! Option expiries: the standard monthly expiry is the third Friday of the month; weekly
//! expiries are the other Fridays. When the Friday is an exchange holiday the expiry moves to
//! the trading day before (in practice the Thursday). Options expire at the close,
//! 16:00 America/New_York, which [`expiry_instant`] gives with the correct DST offset.
//!
//! Everything here is pure: no clock, no files. Dates are calendar dates in New York.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Weekday};
use chrono_tz::America::New_York;

/// Unscheduled full-day NYSE closures since 2001 (not computable by rule).
pub const SPECIAL_CLOSURES: [(i32, u32, u32); 10] = [
    (2001, 9, 11), // September 11 attacks
    (2001, 9, 12),
    (2001, 9, 13),
    (2001, 9, 14),
    (2004, 6, 11),  // President Reagan's funeral
    (2007, 1, 2),   // President Ford's funeral
    (2012, 10, 29), // Hurricane Sandy
    (2012, 10, 30),
    (2018, 12, 5), // President G. H. W. Bush's funeral
    (2025, 1, 9),  // President Carter's funeral
];

/// The longest run of consecutive non-trading days the rules can produce (9/11 plus a
/// weekend is six); searches for the next trading day give up after this many days, which
/// only happens at the edges of chrono's date range.
const MAX_CLOSED_RUN: u32 = 14;

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian "computus", Meeus/Jones/Butcher).
///
/// Returns `None` only for years outside chrono's range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    ymd(year, month as u32, day as u32)
}

/// The `n`-th (1-based) given weekday of a month, e.g. the third Friday.
pub fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

/// The last given weekday of a month (e.g. the last Monday of May).
fn last_weekday(year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        ymd(year + 1, 1, 1)?
    } else {
        ymd(year, month + 1, 1)?
    };
    let last = first_next.pred_opt()?;
    let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    last.checked_sub_signed(Duration::days(i64::from(back)))
}

/// Saturday → Friday before, Sunday → Monday after.
fn observed(date: NaiveDate) -> Option<NaiveDate> {
    match date.weekday() {
        Weekday::Sat => date.pred_opt(),
        Weekday::Sun => date.succ_opt(),
        _ => Some(date),
    }
}

/// The NYSE full-day holidays of a year, as observed (the dates the exchange is closed),
/// ascending. Unscheduled closures ([`SPECIAL_CLOSURES`]) are included.
///
/// A holiday whose observed date falls in another year is listed under that year: New Year's
/// Day on a Sunday is observed Monday January 2 of the same year, and New Year's Day on a
/// Saturday is not observed at all, so no year ever lists a December 31.
pub fn holidays(year: i32) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = Vec::with_capacity(12);
    // New Year's Day: Sunday → Monday; Saturday → not observed.
    if let Some(d) = ymd(year, 1, 1) {
        match d.weekday() {
            Weekday::Sat => {}
            Weekday::Sun => out.extend(d.succ_opt()),
            _ => out.push(d),
        }
    }
    if year >= 1998 {
        out.extend(nth_weekday(year, 1, Weekday::Mon, 3));
    }
    out.extend(nth_weekday(year, 2, Weekday::Mon, 3));
    out.extend(easter_sunday(year).and_then(|e| e.checked_sub_signed(Duration::days(2))));
    out.extend(last_weekday(year, 5, Weekday::Mon));
    if year >= 2022 {
        out.extend(ymd(year, 6, 19).and_then(observed));
    }
    out.extend(ymd(year, 7, 4).and_then(observed));
    out.extend(nth_weekday(year, 9, Weekday::Mon, 1));
    out.extend(nth_weekday(year, 11, Weekday::Thu, 4));
    out.extend(ymd(year, 12, 25).and_then(observed));
    out.extend(
        SPECIAL_CLOSURES
            .iter()
            .filter(|(y, _, _)| *y == year)
            .filter_map(|&(y, m, d)| ymd(y, m, d)),
    );
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether the exchange is closed all day for a holiday (weekends are not holidays).
pub fn is_holiday(date: NaiveDate) -> bool {
    holidays(date.year()).binary_search(&date).is_ok()
}

/// Whether `date` is a regular NYSE session: a weekday that is not a holiday.
pub fn is_trading_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_holiday(date)
}

/// The first trading day strictly after `date`.
///
/// Saturates at the edge of chrono's date range (returns the last date tried).
pub fn next_trading_day(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    for _ in 0..MAX_CLOSED_RUN {
        match d.succ_opt() {
            Some(n) => d = n,
            None => return d,
        }
        if is_trading_day(d) {
            return d;
        }
    }
    d
}

/// The last trading day strictly before `date`.
///
/// Saturates at the edge of chrono's date range (returns the last date tried).
pub fn previous_trading_day(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    for _ in 0..MAX_CLOSED_RUN {
        match d.pred_opt() {
            Some(p) => d = p,
            None => return d,
        }
        if is_trading_day(d) {
            return d;
        }
    }
    d
}

/// `date` itself when it is a trading day, else the trading day before it: the session whose
/// close is the latest one known on `date`.
pub fn trading_day_on_or_before(date: NaiveDate) -> NaiveDate {
    if is_trading_day(date) {
        date
    } else {
        previous_trading_day(date)
    }
}

/// The trading days from `from` to `to`, both inclusive, ascending (empty when `from > to`).
pub fn trading_days_between(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    if from > to {
        return out;
    }
    let mut year = from.year();
    let mut hol = holidays(year);
    for d in from.iter_days().take_while(|d| *d <= to) {
        if d.year() != year {
            year = d.year();
            hol = holidays(year);
        }
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && hol.binary_search(&d).is_err() {
            out.push(d);
        }
    }
    out
}

/// The number of trading sessions from `from` to `to`, both inclusive (0 when `from > to`).
pub fn trading_sessions_between(from: NaiveDate, to: NaiveDate) -> usize {
    trading_days_between(from, to).len()
}

/// Move an expiry Friday that is a holiday to the trading day before it.
fn adjust_expiry(friday: NaiveDate) -> NaiveDate {
    trading_day_on_or_before(friday)
}

/// The standard monthly expiry of a month: the third Friday, or the trading day before it
/// (the Thursday) when that Friday is a holiday, e.g. Good Friday 2025-04-18 → 2025-04-17.
pub fn monthly_expiry(year: i32, month: u32) -> Option<NaiveDate> {
    nth_weekday(year, month, Weekday::Fri, 3).map(adjust_expiry)
}

/// Whether `date` is a standard monthly expiry.
pub fn is_monthly_expiry(date: NaiveDate) -> bool {
    monthly_expiry(date.year(), date.month()) == Some(date)
}

/// The weekly expiry of the week containing `date` (weeks run Monday to Sunday): that week's
/// Friday, or the trading day before it when the Friday is a holiday.
pub fn weekly_expiry_of_week(date: NaiveDate) -> Option<NaiveDate> {
    let to_friday = i64::from(Weekday::Fri.num_days_from_monday())
        - i64::from(date.weekday().num_days_from_monday());
    date.checked_add_signed(Duration::days(to_friday))
        .map(adjust_expiry)
}

/// Every Friday expiry (weekly and monthly alike, holiday-adjusted) from `from` to `to`,
/// inclusive, ascending.
pub fn weekly_expiries(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    if from > to {
        return out;
    }
    // Start on the Monday of `from`'s week so that the week holding `to` is always visited.
    let back = Duration::days(i64::from(from.weekday().num_days_from_monday()));
    let mut week = from.checked_sub_signed(back).unwrap_or(from);
    while week <= to {
        if let Some(e) = weekly_expiry_of_week(week) {
            if e >= from && e <= to && out.last() != Some(&e) {
                out.push(e);
            }
        }
        match week.checked_add_signed(Duration::days(7)) {
            Some(n) => week = n,
            None => break,
        }
    }
    out
}

/// Standard monthly expiries from `from` to `to`, inclusive, ascending.
pub fn monthly_expiries(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        if let Some(e) = monthly_expiry(y, m) {
            if e >= from && e <= to {
                out.push(e);
            }
        }
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    out
}

/// When options expiring on `date` stop trading: 16:00 America/New_York that day (the one
/// definition, [`crate::pricing::time::expiry_instant`], re-exported beside the calendar).
pub use super::time::expiry_instant;

/// The New York calendar date of an instant (which session day a quote belongs to).
pub fn new_york_date(instant: &DateTime<FixedOffset>) -> NaiveDate {
    instant.with_timezone(&New_York).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_known_years() {
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(d(2027, 3, 28)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
        assert_eq!(easter_sunday(2285), Some(d(2285, 3, 22)));
    }

    #[test]
    fn holidays_2026() {
        assert_eq!(
            holidays(2026),
            vec![
                d(2026, 1, 1),
                d(2026, 1, 19),
                d(2026, 2, 16),
                d(2026, 4, 3),
                d(2026, 5, 25),
                d(2026, 6, 19),
                d(2026, 7, 3),
                d(2026, 9, 7),
                d(2026, 11, 26),
                d(2026, 12, 25),
            ]
        );
    }

    #[test]
    fn observance_rules() {
        // Good Friday 2027.
        assert!(is_holiday(d(2027, 3, 26)));
        // Christmas 2022 on a Sunday → Monday Dec 26.
        assert!(is_holiday(d(2022, 12, 26)));
        assert!(!is_trading_day(d(2022, 12, 26)));
        // Juneteenth 2022 on a Sunday → Monday June 20; none before 2022.
        assert!(is_holiday(d(2022, 6, 20)));
        assert!(is_trading_day(d(2021, 6, 18)));
        // New Year's Day 2022 on a Saturday: Friday 2021-12-31 is a session.
        assert!(is_trading_day(d(2021, 12, 31)));
        assert!(!holidays(2021).contains(&d(2021, 12, 31)));
        // New Year's Day 2023 on a Sunday → Monday Jan 2.
        assert!(is_holiday(d(2023, 1, 2)));
        // July 4 2026 is a Saturday → Friday July 3; July 4 2027 is a Sunday → Monday July 5.
        assert!(is_holiday(d(2026, 7, 3)));
        assert!(is_holiday(d(2027, 7, 5)));
        // Christmas 2021 on a Saturday → Friday Dec 24.
        assert!(is_holiday(d(2021, 12, 24)));
        // Special closure: President Carter's funeral.
        assert!(!is_trading_day(d(2025, 1, 9)));
        // A plain Wednesday.
        assert!(is_trading_day(d(2026, 11, 18)));
        assert!(!is_trading_day(d(2026, 11, 21)));
    }

    #[test]
    fn next_and_previous() {
        // Thanksgiving 2026 is Thursday Nov 26.
        assert_eq!(next_trading_day(d(2026, 11, 25)), d(2026, 11, 27));
        assert_eq!(previous_trading_day(d(2026, 11, 27)), d(2026, 11, 25));
        // Good Friday weekend 2026.
        assert_eq!(next_trading_day(d(2026, 4, 2)), d(2026, 4, 6));
        assert_eq!(previous_trading_day(d(2026, 4, 6)), d(2026, 4, 2));
        assert_eq!(trading_day_on_or_before(d(2026, 4, 5)), d(2026, 4, 2));
        assert_eq!(trading_day_on_or_before(d(2026, 4, 2)), d(2026, 4, 2));
        // Saturation at the end of the range does not loop or panic.
        let _ = next_trading_day(NaiveDate::MAX);
        let _ = previous_trading_day(NaiveDate::MIN);
    }

    #[test]
    fn sessions() {
        // 2026 has 251 sessions: 261 weekdays minus 10 holidays on weekdays.
        assert_eq!(
            trading_sessions_between(d(2026, 1, 1), d(2026, 12, 31)),
            251
        );
        // 2025: 251 scheduled sessions minus the Carter closure = 250.
        assert_eq!(
            trading_sessions_between(d(2025, 1, 1), d(2025, 12, 31)),
            250
        );
        assert_eq!(
            trading_days_between(d(2026, 7, 1), d(2026, 7, 7)),
            vec![d(2026, 7, 1), d(2026, 7, 2), d(2026, 7, 6), d(2026, 7, 7)]
        );
        assert!(trading_days_between(d(2026, 7, 7), d(2026, 7, 1)).is_empty());
    }

    #[test]
    fn expiries() {
        assert_eq!(monthly_expiry(2026, 11), Some(d(2026, 11, 20)));
        assert_eq!(monthly_expiry(2026, 12), Some(d(2026, 12, 18)));
        // Good Friday 2025 is the third Friday of April → Thursday.
        assert_eq!(monthly_expiry(2025, 4), Some(d(2025, 4, 17)));
        // Juneteenth 2026 is the third Friday of June → Thursday June 18.
        assert_eq!(monthly_expiry(2026, 6), Some(d(2026, 6, 18)));
        assert!(is_monthly_expiry(d(2026, 6, 18)));
        // Weekly on Good Friday 2026 → Thursday April 2; July 3 2026 → Thursday July 2.
        assert_eq!(weekly_expiry_of_week(d(2026, 3, 30)), Some(d(2026, 4, 2)));
        assert_eq!(weekly_expiry_of_week(d(2026, 7, 5)), Some(d(2026, 7, 2)));
        assert_eq!(
            weekly_expiries(d(2026, 3, 28), d(2026, 4, 17)),
            vec![d(2026, 4, 2), d(2026, 4, 10), d(2026, 4, 17)]
        );
        // Christmas 2026 is a Friday → Thursday Dec 24.
        assert!(weekly_expiries(d(2026, 12, 21), d(2026, 12, 27)) == vec![d(2026, 12, 24)]);
        assert_eq!(
            monthly_expiries(d(2026, 11, 21), d(2027, 2, 28)),
            vec![d(2026, 12, 18), d(2027, 1, 15), d(2027, 2, 19)]
        );
        for e in weekly_expiries(d(2020, 1, 1), d(2030, 12, 31)) {
            assert!(is_trading_day(e), "{e}");
            assert!(matches!(e.weekday(), Weekday::Fri | Weekday::Thu), "{e}");
        }
    }

    #[test]
    fn expiry_instant_is_dst_correct() {
        // The one expiry instant (UTC), seen in New York.
        let ny = |date| expiry_instant(date).with_timezone(&New_York).fixed_offset();
        let winter = ny(d(2026, 12, 18));
        assert_eq!(winter.to_rfc3339(), "2026-12-18T16:00:00-05:00");
        let summer = ny(d(2026, 6, 18));
        assert_eq!(summer.to_rfc3339(), "2026-06-18T16:00:00-04:00");
        // US DST starts 2026-03-08: the Friday before is EST, the Monday after EDT.
        assert_eq!(ny(d(2026, 3, 6)).offset().local_minus_utc(), -5 * 3600);
        assert_eq!(ny(d(2026, 3, 9)).offset().local_minus_utc(), -4 * 3600);
        assert_eq!(new_york_date(&summer), d(2026, 6, 18));
        let late_utc = DateTime::parse_from_rfc3339("2026-06-19T02:00:00+00:00").unwrap();
        assert_eq!(new_york_date(&late_utc), d(2026, 6, 18));
    }
}

//! Time to expiry.
//!
//! An equity option stops trading at 16:00 America/New_York on its expiry date; time to expiry
//! is ACT/365 in years from the snapshot's as-of instant to that close, counted in whole
//! minutes (seconds are dropped from the as-of instant, so two snapshots in the same minute
//! price alike). DST is handled by the time-zone database: 16:00 New York is 21:00 UTC in
//! winter and 20:00 UTC in summer.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::America::New_York;

/// Minutes in an ACT/365 year.
pub const MINUTES_PER_YEAR: f64 = 365.0 * 24.0 * 60.0;

/// `minutes` after midnight New York on `date`, as an instant. Market hours are never in a
/// DST gap or overlap (those are at 02:00), so the mapping is single; the earliest is taken if
/// the database ever says otherwise.
fn new_york_instant(date: NaiveDate, minutes: i64) -> DateTime<Utc> {
    let local = date.and_time(NaiveTime::MIN) + chrono::Duration::minutes(minutes);
    match New_York.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => Utc.from_utc_datetime(&(local + chrono::Duration::hours(5))),
    }
}

/// Whole-minute ACT/365 years from `as_of` (seconds dropped) to `to`.
fn years_between<Tz: TimeZone>(as_of: &DateTime<Tz>, to: DateTime<Utc>) -> f64 {
    let start = as_of.with_timezone(&Utc);
    let start = start
        .with_second(0)
        .unwrap_or(start)
        .with_nanosecond(0)
        .unwrap_or(start);
    (to - start).num_minutes() as f64 / MINUTES_PER_YEAR
}

/// The expiry instant: 16:00 New York on `expiry`.
pub fn expiry_instant(expiry: NaiveDate) -> DateTime<Utc> {
    new_york_instant(expiry, 16 * 60)
}

/// ACT/365 years from `as_of` to 16:00 New York on `expiry`, in whole minutes.
/// Negative once the option has expired.
pub fn year_fraction<Tz: TimeZone>(as_of: &DateTime<Tz>, expiry: NaiveDate) -> f64 {
    years_between(as_of, expiry_instant(expiry))
}

/// Calendar days to expiry as shown to users: the expiry date minus the as-of date in
/// New York (0 on expiry day).
pub fn days_to_expiry<Tz: TimeZone>(as_of: &DateTime<Tz>, expiry: NaiveDate) -> i64 {
    let local = as_of.with_timezone(&New_York).date_naive();
    (expiry - local).num_days()
}

/// The instant a dividend goes ex: the open, 09:30 New York, on the ex-date (the spot drops
/// then; early exercise to capture it is possible up to the close before).
pub fn ex_dividend_instant(ex_date: NaiveDate) -> DateTime<Utc> {
    new_york_instant(ex_date, 9 * 60 + 30)
}

/// ACT/365 years from `as_of` to the ex-date's open, in whole minutes (negative once it has
/// gone ex), on the same clock as [`year_fraction`].
pub fn ex_dividend_years<Tz: TimeZone>(as_of: &DateTime<Tz>, ex_date: NaiveDate) -> f64 {
    years_between(as_of, ex_dividend_instant(ex_date))
}

/// The as-of instant for a bare date: 16:00 New York that day (the close).
pub fn close_of(date: NaiveDate) -> DateTime<Utc> {
    expiry_instant(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn expiry_is_four_pm_new_york_across_dst() {
        // Winter: EST = UTC−5.
        assert_eq!(
            expiry_instant(d(2026, 12, 18)).to_rfc3339(),
            "2026-12-18T21:00:00+00:00"
        );
        // Summer: EDT = UTC−4.
        assert_eq!(
            expiry_instant(d(2026, 7, 17)).to_rfc3339(),
            "2026-07-17T20:00:00+00:00"
        );
    }

    #[test]
    fn ex_dividend_time_is_the_open() {
        assert_eq!(
            ex_dividend_instant(d(2026, 12, 4)).to_rfc3339(),
            "2026-12-04T14:30:00+00:00"
        );
        // From the close the day before: 17.5 hours.
        let t = ex_dividend_years(&close_of(d(2026, 12, 3)), d(2026, 12, 4));
        assert!((t - 17.5 * 60.0 / MINUTES_PER_YEAR).abs() < 1e-15);
    }

    #[test]
    fn year_fraction_counts_minutes() {
        // 10:30 New York (EST) on 2026-11-26 to 16:00 on 2026-12-18: 22 days and 5.5 hours.
        let est = FixedOffset::west_opt(5 * 3600).unwrap();
        let as_of = est.with_ymd_and_hms(2026, 11, 26, 10, 30, 59).unwrap();
        let minutes = 22.0 * 1440.0 + 330.0;
        assert_eq!(
            year_fraction(&as_of, d(2026, 12, 18)),
            minutes / MINUTES_PER_YEAR
        );
        assert_eq!(days_to_expiry(&as_of, d(2026, 12, 18)), 22);
        // An hour before the close on expiry day.
        let late = est.with_ymd_and_hms(2026, 12, 18, 15, 0, 0).unwrap();
        assert_eq!(
            year_fraction(&late, d(2026, 12, 18)),
            60.0 / MINUTES_PER_YEAR
        );
        assert_eq!(days_to_expiry(&late, d(2026, 12, 18)), 0);
        // After the close it is negative.
        let after = est.with_ymd_and_hms(2026, 12, 18, 16, 30, 0).unwrap();
        assert!(year_fraction(&after, d(2026, 12, 18)) < 0.0);
    }

    #[test]
    fn dte_uses_the_new_york_date() {
        // 02:00 UTC on the 27th is still the 26th in New York.
        let utc = Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap();
        assert_eq!(days_to_expiry(&utc, d(2026, 11, 27)), 1);
    }
}

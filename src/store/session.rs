//! The New York session date a fetch belongs to.

use chrono::{DateTime, NaiveDate, TimeZone};
use chrono_tz::America::New_York;

use crate::pricing::calendar::trading_day_on_or_before;

/// The US equity session an instant's quotes belong to: the instant's calendar date in
/// New York, moved back to the last NYSE trading day when it falls on a weekend or an
/// exchange holiday (those quotes are that session's closing marks), by the one exchange
/// calendar ([`crate::pricing::calendar`]).
///
/// Pre-market fetches are filed under the day they happen; a later fetch the same day
/// replaces them.
///
/// ```
/// use ccplan::store::session_date;
/// use chrono::{DateTime, NaiveDate};
///
/// // 01:30 UTC on a Tuesday is still Monday evening in New York.
/// let t = DateTime::parse_from_rfc3339("2026-03-03T01:30:00Z").unwrap();
/// assert_eq!(session_date(&t), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
/// ```
pub fn session_date<Tz: TimeZone>(instant: &DateTime<Tz>) -> NaiveDate {
    trading_day_on_or_before(instant.with_timezone(&New_York).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<chrono::FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn new_york_date_and_weekend_roll_back() {
        // Friday 2026-03-06, 15:00 New York (EST, UTC-5).
        assert_eq!(session_date(&at("2026-03-06T20:00:00Z")), d(2026, 3, 6));
        // Saturday and Sunday belong to Friday's session.
        assert_eq!(session_date(&at("2026-03-07T15:00:00Z")), d(2026, 3, 6));
        assert_eq!(session_date(&at("2026-03-08T23:00:00Z")), d(2026, 3, 6));
        // Monday 00:30 UTC is still Sunday evening in New York.
        assert_eq!(session_date(&at("2026-03-09T00:30:00Z")), d(2026, 3, 6));
        // Summer time (EDT, UTC-4): 03:30 UTC Wednesday is Tuesday 23:30.
        assert_eq!(session_date(&at("2026-07-15T03:30:00Z")), d(2026, 7, 14));
        // Exchange holidays belong to the session before: Thanksgiving (Thursday
        // 2026-11-26) to Wednesday, Good Friday 2026-04-03 to Thursday, and Independence
        // Day observed on Friday 2026-07-03 (the 4th is a Saturday) to Thursday.
        assert_eq!(session_date(&at("2026-11-26T17:00:00Z")), d(2026, 11, 25));
        assert_eq!(session_date(&at("2026-04-03T15:00:00Z")), d(2026, 4, 2));
        assert_eq!(session_date(&at("2026-07-03T15:00:00Z")), d(2026, 7, 2));
        assert_eq!(session_date(&at("2026-07-05T15:00:00Z")), d(2026, 7, 2));
        // The day after is its own session again.
        assert_eq!(session_date(&at("2026-11-27T15:00:00Z")), d(2026, 11, 27));
        // An offset other than New York's is converted first.
        assert_eq!(
            session_date(&at("2026-07-15T09:00:00+09:00")),
            d(2026, 7, 14)
        );
    }
}

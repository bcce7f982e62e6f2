//! Choosing the expiries a plan looks at.

use chrono::{Datelike, NaiveDate};

use super::note::Note;
use super::params::ExpiryWindow;

/// An expiry still alive at the as-of instant, with its calendar days to expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LiveExpiry {
    pub expiry: NaiveDate,
    pub dte: i64,
}

/// The expiries in the window, ascending, and a note when the window had to be widened or is
/// empty. `today` is the as-of date in New York; `live` the unexpired expiries, ascending.
/// `this_month_min_dte` applies to [`ExpiryWindow::ThisMonth`] only: closer expiries are left
/// out of both this month's and next month's.
pub(crate) fn select_expiries(
    window: ExpiryWindow,
    today: NaiveDate,
    live: &[LiveExpiry],
    this_month_min_dte: u32,
) -> (Vec<NaiveDate>, Option<Note>) {
    let month_of = |d: NaiveDate| (d.year(), d.month());
    let chosen: Vec<NaiveDate> = match window {
        ExpiryWindow::ThisMonth => {
            let live: Vec<LiveExpiry> = live
                .iter()
                .filter(|e| e.dte >= i64::from(this_month_min_dte))
                .copied()
                .collect();
            let this: Vec<NaiveDate> = live
                .iter()
                .filter(|e| month_of(e.expiry) == month_of(today))
                .map(|e| e.expiry)
                .collect();
            if !this.is_empty() {
                return (this, None);
            }
            let (y, m) = month_of(today);
            let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let rolled: Vec<NaiveDate> = live
                .iter()
                .filter(|e| month_of(e.expiry) == next)
                .map(|e| e.expiry)
                .collect();
            if rolled.is_empty() {
                rolled
            } else {
                return (
                    rolled,
                    Some(Note::RolledToNextMonth {
                        month: format!("{:04}-{:02}", next.0, next.1),
                    }),
                );
            }
        }
        ExpiryWindow::On { date } => live
            .iter()
            .filter(|e| e.expiry == date)
            .map(|e| e.expiry)
            .collect(),
        ExpiryWindow::Dte { min, max } => live
            .iter()
            .filter(|e| e.dte >= i64::from(min) && e.dte <= i64::from(max))
            .map(|e| e.expiry)
            .collect(),
    };
    if chosen.is_empty() {
        (chosen, Some(Note::NoExpiryInWindow { window }))
    } else {
        (chosen, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn live(today: NaiveDate, dates: &[NaiveDate]) -> Vec<LiveExpiry> {
        dates
            .iter()
            .map(|&expiry| LiveExpiry {
                expiry,
                dte: (expiry - today).num_days(),
            })
            .collect()
    }

    #[test]
    fn this_month_rolls_over_and_reports_empty() {
        let today = d(2026, 11, 30);
        let l = live(today, &[d(2026, 12, 4), d(2026, 12, 31), d(2027, 1, 15)]);
        let (got, note) = select_expiries(ExpiryWindow::ThisMonth, today, &l, 0);
        assert_eq!(got, vec![d(2026, 12, 4), d(2026, 12, 31)]);
        assert_eq!(
            note,
            Some(Note::RolledToNextMonth {
                month: "2026-12".into()
            })
        );
        let l = live(today, &[d(2027, 1, 15)]);
        let (got, note) = select_expiries(ExpiryWindow::ThisMonth, today, &l, 0);
        assert!(got.is_empty());
        assert!(matches!(note, Some(Note::NoExpiryInWindow { .. })));
        let (got, note) = select_expiries(ExpiryWindow::Dte { min: 40, max: 50 }, today, &l, 7);
        assert_eq!((got, note.is_none()), (vec![d(2027, 1, 15)], true));
    }

    #[test]
    fn this_month_keeps_its_minimum_days_to_expiry() {
        // Late in the month: the 1-day expiry is left out and the window rolls over.
        let today = d(2026, 12, 30);
        let l = live(today, &[d(2026, 12, 31), d(2027, 1, 8), d(2027, 1, 15)]);
        let (got, note) = select_expiries(ExpiryWindow::ThisMonth, today, &l, 7);
        assert_eq!(got, vec![d(2027, 1, 8), d(2027, 1, 15)]);
        assert!(matches!(note, Some(Note::RolledToNextMonth { .. })));
        // Lowered by the user: the 1-day expiry is back.
        let (got, note) = select_expiries(ExpiryWindow::ThisMonth, today, &l, 1);
        assert_eq!((got, note), (vec![d(2026, 12, 31)], None));
    }
}

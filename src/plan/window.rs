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
pub(crate) fn select_expiries(
    window: ExpiryWindow,
    today: NaiveDate,
    live: &[LiveExpiry],
) -> (Vec<NaiveDate>, Option<Note>) {
    let month_of = |d: NaiveDate| (d.year(), d.month());
    let chosen: Vec<NaiveDate> = match window {
        ExpiryWindow::ThisMonth => {
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

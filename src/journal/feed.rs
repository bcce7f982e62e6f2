//! Journal → `manage`: the open price, date and fees of written calls whose holdings file
//! lacks them, from the open sales in the journal ([`open_call`]).

use serde::Serialize;

use super::{open_call, JournalEntry};
use crate::model::Portfolio;

/// What the journal supplied for one written call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Supplied {
    /// Underlying ticker of the holding.
    pub symbol: String,
    /// Compact OCC symbol of the written call.
    pub contract: String,
    /// Open price filled in, USD per share (`None`: the holdings file had it).
    pub price: Option<f64>,
    /// Sale date filled in.
    pub opened: Option<chrono::NaiveDate>,
    /// Fees filled in, USD in total for the holding's contracts.
    pub fees: Option<f64>,
    /// Contracts the journal holds open for this call.
    pub journal_contracts: u32,
    /// Contracts the holdings file says are written.
    pub holding_contracts: u32,
}

impl Supplied {
    /// One line for people.
    pub fn describe(&self) -> String {
        let mut what = Vec::new();
        if let Some(p) = self.price {
            what.push(format!("open price {p:.2}"));
        }
        if let Some(d) = self.opened {
            what.push(format!("sold {d}"));
        }
        if let Some(f) = self.fees {
            what.push(format!("fees {f:.2}"));
        }
        let mut s = format!("{}: {} from the journal", self.contract, what.join(", "));
        if self.journal_contracts != self.holding_contracts {
            s.push_str(&format!(
                " (the journal has {} contract{} open, the holdings {}; fees prorated)",
                self.journal_contracts,
                if self.journal_contracts == 1 { "" } else { "s" },
                self.holding_contracts
            ));
        }
        s
    }
}

/// Fill each written call's missing `price`, `opened` and `fees` from the journal's open
/// sales of the same contract (first in, first out, as [`open_call`] reads them; `account`
/// restricts to one account). What the holdings file says wins; a call the journal does not
/// hold open is left as it is. Fees are the open sales' fees, prorated to the holding's
/// contracts when the two counts differ. Returns what was filled, call by call.
pub fn supply_written_calls(
    portfolio: &mut Portfolio,
    entries: &[JournalEntry],
    account: Option<&str>,
) -> Vec<Supplied> {
    let mut out = Vec::new();
    for h in &mut portfolio.holdings {
        for w in &mut h.written {
            if w.price.is_some() && w.opened.is_some() && w.fees.is_some() {
                continue;
            }
            let Some(open) = open_call(entries, &w.contract, account) else {
                continue;
            };
            if open.contracts == 0 {
                continue;
            }
            let mut s = Supplied {
                symbol: h.symbol.clone(),
                contract: w.contract.occ(),
                price: None,
                opened: None,
                fees: None,
                journal_contracts: open.contracts,
                holding_contracts: w.contracts,
            };
            if w.price.is_none() && open.open_price.is_finite() {
                w.price = Some(open.open_price);
                s.price = w.price;
            }
            if w.opened.is_none() {
                w.opened = Some(open.opened);
                s.opened = w.opened;
            }
            if w.fees.is_none() && open.fees.is_finite() {
                let fees = open.fees * f64::from(w.contracts) / f64::from(open.contracts);
                w.fees = Some(fees);
                s.fees = w.fees;
            }
            if s.price.is_some() || s.opened.is_some() || s.fees.is_some() {
                out.push(s);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Action;
    use crate::model::{CorporateEvents, Holding, OptionContract, WrittenCall};
    use chrono::NaiveDate;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn entry(occ: &str, action: Action, date: NaiveDate, n: u32, price: f64) -> JournalEntry {
        JournalEntry {
            date,
            account: None,
            contract: OptionContract::parse_occ(occ).unwrap(),
            action,
            contracts: n,
            price: Some(price),
            fees: 0.66 * f64::from(n),
            multiplier: 100,
            cost_basis: None,
            amount: None,
            source: "test".into(),
        }
    }

    fn book(written: Vec<WrittenCall>) -> Portfolio {
        Portfolio {
            holdings: vec![Holding {
                symbol: "NVDA".into(),
                shares: 300,
                cost_basis: Some(118.5),
                written,
                assign_ok_above: None,
                events: CorporateEvents::default(),
            }],
        }
    }

    const A: &str = "NVDA261127C00180000";
    const B: &str = "NVDA261127C00150000";

    #[test]
    fn fills_what_the_holdings_lack_and_keeps_what_they_say() {
        let journal = [
            // A: sold 2 at 4.00 then 1 at 5.50; one bought back first in, first out:
            // open are one at 4.00 (Oct 2) and one at 5.50 (Oct 9) → 4.75, sold Oct 2.
            entry(A, Action::SellToOpen, d(10, 2), 2, 4.0),
            entry(A, Action::SellToOpen, d(10, 9), 1, 5.5),
            entry(A, Action::BuyToClose, d(10, 20), 1, 1.0),
            entry(B, Action::SellToOpen, d(10, 30), 1, 5.2),
        ];
        let a = WrittenCall::new(OptionContract::parse_occ(A).unwrap(), 2);
        let mut b = WrittenCall::new(OptionContract::parse_occ(B).unwrap(), 1);
        b.price = Some(5.0); // the holdings file's own price wins
        let mut p = book(vec![a, b]);
        let s = supply_written_calls(&mut p, &journal, None);
        let w = &p.holdings[0].written;
        assert_eq!(w[0].price, Some(4.75));
        assert_eq!(w[0].opened, Some(d(10, 2)));
        // Fees of the open sales: 2/3 of the first sale's 1.32 plus the second's 0.66.
        assert!((w[0].fees.unwrap() - (1.32 * 0.5 + 0.66)).abs() < 1e-12);
        assert_eq!(w[1].price, Some(5.0));
        assert_eq!(w[1].opened, Some(d(10, 30)));
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].price, None);
        assert!(
            s[0].describe().contains("open price 4.75"),
            "{}",
            s[0].describe()
        );
    }

    #[test]
    fn nothing_open_nothing_filled() {
        let journal = [
            entry(A, Action::SellToOpen, d(10, 2), 1, 4.0),
            entry(A, Action::BuyToClose, d(10, 20), 1, 1.0),
        ];
        let mut p = book(vec![WrittenCall::new(
            OptionContract::parse_occ(A).unwrap(),
            1,
        )]);
        assert!(supply_written_calls(&mut p, &journal, None).is_empty());
        assert_eq!(p.holdings[0].written[0].price, None);
        assert!(supply_written_calls(&mut p, &[], None).is_empty());
    }

    #[test]
    fn counts_that_differ_prorate_the_fees_and_say_so() {
        let journal = [entry(A, Action::SellToOpen, d(10, 2), 3, 4.0)];
        let mut p = book(vec![WrittenCall::new(
            OptionContract::parse_occ(A).unwrap(),
            1,
        )]);
        let s = supply_written_calls(&mut p, &journal, None);
        assert!((p.holdings[0].written[0].fees.unwrap() - 0.66).abs() < 1e-12);
        assert!(s[0].describe().contains("the journal has 3 contracts open"));
    }
}

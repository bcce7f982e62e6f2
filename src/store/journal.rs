//! The trade journal in the store: entries added once (a re-import adds nothing), read back
//! in date order.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::params;

use super::{db_error, store_error, Store};
use crate::error::{Error, Result};
use crate::journal::{Action, JournalEntry};
use crate::model::OptionContract;

/// What adding entries did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalAdded {
    /// Entries new to the journal.
    pub added: usize,
    /// Entries it already held (the same fields, the same number of times).
    pub already: usize,
}

/// The identity of an entry: its fields, and which occurrence of those fields it is among the
/// entries added together (two identical fills on one day are two entries; importing the
/// same file twice adds them once).
fn entry_key(e: &JournalEntry, occurrence: usize) -> String {
    format!(
        "{}|{}|{}|{}|{}|{:?}|{:?}|{:?}|#{occurrence}",
        e.date,
        e.account.as_deref().unwrap_or(""),
        e.contract.occ(),
        e.action,
        e.contracts,
        e.price,
        e.fees,
        e.amount
    )
}

impl Store {
    /// Add journal entries in one transaction: all of them or, on an error, none.
    pub fn add_journal(&mut self, entries: &[JournalEntry]) -> Result<JournalAdded> {
        for (i, e) in entries.iter().enumerate() {
            e.validate().map_err(|m| {
                Error::record(
                    "journal entries",
                    i + 1,
                    format!("{} {}", e.action, e.contract),
                    m,
                )
            })?;
        }
        self.write("adding journal entries", |tx, path| {
            let mut seen: HashMap<String, usize> = HashMap::new();
            let mut stmt = tx
                .prepare(
                    "INSERT OR IGNORE INTO journal (key, date, account, contract, action,
                     contracts, price, fees, multiplier, cost_basis, amount, source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(|e| db_error(path, "preparing the journal insert", e))?;
            let mut added = 0;
            for e in entries {
                let base = entry_key(e, 0);
                let n = seen.entry(base).or_insert(0);
                *n += 1;
                let key = entry_key(e, *n);
                added += stmt
                    .execute(params![
                        key,
                        e.date.to_string(),
                        e.account,
                        e.contract.occ(),
                        e.action.name(),
                        e.contracts,
                        e.price,
                        e.fees,
                        e.multiplier,
                        e.cost_basis,
                        e.amount,
                        e.source
                    ])
                    .map_err(|err| db_error(path, "adding a journal entry", err))?;
            }
            Ok(JournalAdded {
                added,
                already: entries.len() - added,
            })
        })
    }

    /// Every journal entry, by date (then in the order added).
    pub fn journal(&self) -> Result<Vec<JournalEntry>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT date, account, contract, action, contracts, price, fees, multiplier,
                 cost_basis, amount, source FROM journal ORDER BY date, id",
            )
            .map_err(|e| self.err("reading the journal", e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<f64>>(5)?,
                    r.get::<_, f64>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, Option<f64>>(8)?,
                    r.get::<_, Option<f64>>(9)?,
                    r.get::<_, String>(10)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err("reading the journal", e))?;
        rows.into_iter()
            .map(
                |(
                    date,
                    account,
                    contract,
                    action,
                    contracts,
                    price,
                    fees,
                    mult,
                    basis,
                    amount,
                    source,
                )| {
                    let bad = |what: &str, v: &str| {
                        store_error(&self.path, &format!("journal row with a bad {what}: {v:?}"))
                    };
                    Ok(JournalEntry {
                        date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                            .map_err(|_| bad("date", &date))?,
                        account,
                        contract: OptionContract::parse_occ(&contract)
                            .map_err(|_| bad("contract", &contract))?,
                        action: action
                            .parse::<Action>()
                            .map_err(|_| bad("action", &action))?,
                        contracts: u32::try_from(contracts)
                            .map_err(|_| bad("contracts", &contracts.to_string()))?,
                        price,
                        fees,
                        multiplier: u32::try_from(mult)
                            .map_err(|_| bad("multiplier", &mult.to_string()))?,
                        cost_basis: basis,
                        amount,
                        source,
                    })
                },
            )
            .collect()
    }
}
